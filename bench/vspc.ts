/**
 * The Veeam Service Provider Console benchmarks (issue 28, point 4), in one run against the VSPC
 * simulator in its own process, seeded with `--companies` companies and `--users` users, at
 * `--latency` ms per request:
 *
 * - a Veeam Trigger poll across every company (goal: under 2 s at 20 ms; static data < 40 bytes per user);
 * - a Sync of one company of `--sync-users` users (goal: requests within 10 % of changes + unavoidable pages);
 * - onboarding `--onboard` users across `--across` companies, our node against the plain sequential
 *   script (goal: ≤ 0.25× its time), `--pairs` alternating pairs, medians.
 *
 * `npm run bench` runs it after the VBR figures (bench/index.ts); alone (after `npm run build`):
 * `npx ts-node --transpile-only bench/vspc.ts [--companies 500 --users 50000 --latency 20 --onboard 1000 --across 50 --sync-users 200 --trigger-runs 3 --pairs 2]`;
 * `--parts trigger,sync` runs only the parts named (of trigger, sync, onboarding).
 * Writes bench/vspc.json (a run of every part only); exits 1 when a goal is missed.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { shutdownEngine } from '../test/support/engine';
import { startVspcSim, type VspcSeed } from './vspcLib';
import { benchVspcOnboarding, type VspcOnboardingFigure, type VspcRun } from './vspcOnboarding';
import { benchVspcSync, type VspcSyncFigure } from './vspcSync';
import { benchVspcTrigger, type VspcTriggerFigure } from './vspcTrigger';

export interface VspcGoal {
	what: string;
	value: number;
	limit: number;
	met: boolean;
}

export interface VspcBenchOptions {
	seed: VspcSeed;
	latencyMs: number;
	onboard: number;
	across: number;
	syncUsers: number;
	triggerChanges: number;
	/** Trigger scenarios, each from a fresh server; the median run's polls are the figures. */
	triggerRuns: number;
	pairs: number;
	/** The parts to run (all by default). */
	parts: ReadonlySet<VspcPart>;
}

export const VSPC_PARTS = ['trigger', 'sync', 'onboarding'] as const;
export type VspcPart = (typeof VSPC_PARTS)[number];

export interface VspcBenchResult {
	/** os.loadavg() before and after: the times mean little on a busy machine (the CPU times say what the client did). */
	load: { before: number[]; after: number[] };
	latencyMs: number;
	/** Absent when the part was not run (`--parts`). */
	trigger?: VspcTriggerFigure;
	sync?: VspcSyncFigure;
	onboarding?: VspcOnboardingFigure;
	targets: VspcGoal[];
}

export const VSPC_DEFAULTS = { companies: '500', users: '50000', latency: '20', onboard: '1000', across: '50', 'sync-users': '200', 'trigger-changes': '500', 'trigger-runs': '3', pairs: '2', parts: VSPC_PARTS.join(',') };

/** The options from parsed arguments named `<prefix><option>` (bench/index.ts: `--vspc-users`…; alone: `--users`…). */
export function vspcOptions(values: Record<string, unknown>, prefix = ''): VspcBenchOptions {
	const n = (name: keyof typeof VSPC_DEFAULTS) => Number(values[`${prefix}${name}`] ?? VSPC_DEFAULTS[name]);
	const parts = String(values[`${prefix}parts`] ?? VSPC_DEFAULTS.parts)
		.split(',')
		.map((p) => p.trim())
		.filter((p) => p !== '');
	const runs = n('trigger-runs');
	if (!Number.isInteger(runs) || runs < 1) throw new Error(`--${prefix}trigger-runs: a whole number of 1 or more, not "${String(values[`${prefix}trigger-runs`])}"`);
	const unknown = parts.find((p) => !(VSPC_PARTS as readonly string[]).includes(p));
	if (unknown !== undefined) throw new Error(`--${prefix}parts: no part "${unknown}" (parts: ${VSPC_PARTS.join(', ')})`);
	return {
		parts: new Set(parts as VspcPart[]),
		seed: { companies: n('companies'), users: n('users') },
		latencyMs: n('latency'),
		onboard: n('onboard'),
		across: n('across'),
		syncUsers: n('sync-users'),
		triggerChanges: n('trigger-changes'),
		triggerRuns: runs,
		pairs: n('pairs'),
	};
}

function targetsOf(r: Omit<VspcBenchResult, 'targets'>): VspcGoal[] {
	const t = (what: string, value: number, limit: number): VspcGoal => ({ what, value, limit, met: value <= limit });
	const { trigger, sync, onboarding } = r;
	return [
		...(trigger
			? [
					t(`VSPC trigger poll with ${trigger.changes} changes, s (${trigger.latencyMs} ms latency)`, trigger.measured.ms / 1000, 2),
					t('VSPC trigger baseline poll, s', trigger.baseline.ms / 1000, 2),
					t('VSPC trigger static data, bytes per user', trigger.bytesPerUser, 40),
					t(`VSPC trigger items for ${trigger.changes} changes, off by`, Math.abs(trigger.measured.items - trigger.changes), 0),
				]
			: []),
		...(sync
			? [
					t(
						`VSPC Sync of one company: requests / (writes Veeam's API needs for the ${sync.changes} changes, a removal counted as its 2 writes: revoke tokens + delete, = ${sync.neededWrites}, + ${sync.unavoidable} unavoidable pages and token)`,
						sync.ratioToWrites,
						1.1,
					),
				]
			: []),
		...(onboarding ? [t('VSPC onboarding: ours / plain sequential script', onboarding.ratios.oursToPlain, 0.25)] : []),
	];
}

export async function runVspcBench(options: VspcBenchOptions): Promise<VspcBenchResult> {
	const before = loadavg();
	const sim = await startVspcSim();
	try {
		const trigger = options.parts.has('trigger')
			? await benchVspcTrigger(sim, { seed: options.seed, changes: options.triggerChanges, latencyMs: options.latencyMs, runs: options.triggerRuns })
			: undefined;
		if (trigger) console.log(`  measured: ${trigger.scenario}`);
		const sync = options.parts.has('sync')
			? await benchVspcSync(sim, { seed: options.seed, companyUsers: options.syncUsers, changes: { add: 10, remove: 10, role: 10 }, latencyMs: options.latencyMs })
			: undefined;
		if (sync) console.log(`  measured: ${sync.scenario}`);
		const onboarding = options.parts.has('onboarding')
			? await benchVspcOnboarding(sim, { hires: options.onboard, companies: options.across, seed: options.seed, latencyMs: options.latencyMs, pairs: options.pairs })
			: undefined;
		if (onboarding) console.log(`  measured: ${onboarding.scenario}`);
		const result = { load: { before, after: loadavg() }, latencyMs: options.latencyMs, trigger, sync, onboarding };
		return { ...result, targets: targetsOf(result) };
	} finally {
		sim.child.disconnect();
	}
}

const runLine = (label: string, r: VspcRun, ratio?: number) =>
	console.log(
		`  ${label.padEnd(42)}${(r.ms / 1000).toFixed(1).padStart(7)} s (CPU ${(r.cpuMs / 1000).toFixed(1)} s)${String(r.requests).padStart(7)} req ${r.requestsPerUser.toFixed(3).padStart(6)}/user` +
			`  tokens=${r.tokens} orgReads=${r.organizationReads} userReads=${r.userReads} creates=${r.creates} maxInFlight=${r.maxInFlight}` +
			(ratio === undefined ? '' : `  ours ×${ratio.toFixed(2)}`),
	);

export function printVspc(r: VspcBenchResult, pairs: number): void {
	const { trigger, sync, onboarding } = r;
	console.log(
		`\nVeeam Service Provider Console (${r.latencyMs} ms latency, the simulator in its own process; load average ${r.load.before.map((l) => l.toFixed(1)).join(' ')} before, ${r.load.after.map((l) => l.toFixed(1)).join(' ')} after, ${cpus().length} cores)`,
	);
	if (trigger) {
		console.log(`\n${trigger.scenario} (${trigger.runs.length} runs from a fresh server each; the median run of each poll)`);
		for (const [label, p, key] of [['baseline poll', trigger.baseline, 'baseline'], ['poll with the changes', trigger.measured, 'measured']] as const) {
			console.log(`  ${label.padEnd(24)}${(p.ms / 1000).toFixed(2).padStart(6)} s (CPU ${(p.cpuMs / 1000).toFixed(2)} s) ${String(p.requests).padStart(5)} requests (max ${p.maxInFlight} in flight), ${p.items} items`);
			console.log(`  ${''.padEnd(24)}runs: ${trigger.runs.map((r) => `${(r[key].ms / 1000).toFixed(2)} s (CPU ${(r[key].cpuMs / 1000).toFixed(2)})`).join(', ')}`);
		}
		console.log(`  static data ${trigger.staticDataBytes.toLocaleString('en')} bytes = ${trigger.bytesPerUser.toFixed(1)} bytes/user`);
	}
	if (sync) {
		console.log(`\n${sync.scenario}`);
		console.log(
			`  ${(sync.ms / 1000).toFixed(2)} s (CPU ${(sync.cpuMs / 1000).toFixed(2)} s), ${sync.requests} requests (${sync.reads} reads, ${sync.writes} writes); outcome ${JSON.stringify(sync.outcome)}`,
		);
		console.log(`  per change (the issue's count): ${sync.requests} / (${sync.changes} changes + ${sync.unavoidable} unavoidable pages and token) = ×${sync.ratio.toFixed(3)}`);
		console.log(`  per needed write (a removal = revoke tokens + delete): ${sync.requests} / (${sync.neededWrites} writes + ${sync.unavoidable}) = ×${sync.ratioToWrites.toFixed(3)}`);
		console.log(`  by route: ${JSON.stringify(sync.byRoute)}`);
	}
	if (onboarding) {
		console.log(`\n${onboarding.scenario} (${pairs} alternating pairs, medians)`);
		runLine('ours (default concurrency)', onboarding.ours);
		runLine('plain sequential script (company per hire)', onboarding.plain, onboarding.ratios.oursToPlain);
		runLine('plain script, each company looked up once', onboarding.plainCached, onboarding.ratios.oursToPlainCached);
		console.log(`  per-pair ours / plain: ${onboarding.pairRatiosToPlain.map((x) => x.toFixed(3)).join(', ')}`);
	}
	console.log('\nVSPC targets');
	for (const t of r.targets) console.log(`  ${t.met ? 'met   ' : 'MISSED'} ${t.what}: ${Number(t.value.toFixed(3))} (≤ ${t.limit})`);
}

async function main(): Promise<void> {
	const { values } = parseArgs({ options: Object.fromEntries(Object.entries(VSPC_DEFAULTS).map(([k, v]) => [k, { type: 'string', default: v }])) as never });
	const options = vspcOptions(values as Record<string, unknown>);
	try {
		const result = await runVspcBench(options);
		printVspc(result, options.pairs);
		if (options.parts.size === VSPC_PARTS.length) {
			writeFileSync(join(__dirname, 'vspc.json'), JSON.stringify({ at: new Date().toISOString(), options: { ...options, parts: [...options.parts] }, ...result }, null, 2) + '\n');
			console.log('\nwritten: bench/vspc.json');
		} else console.log('\nbench/vspc.json not written: only some parts were run');
		if (result.targets.some((t) => !t.met)) process.exitCode = 1;
	} finally {
		await shutdownEngine();
	}
}

if (require.main === module) {
	main().catch((error: unknown) => {
		console.error(error);
		process.exit(1);
	});
}
