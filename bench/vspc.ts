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
 * `npx ts-node --transpile-only bench/vspc.ts [--companies 500 --users 50000 --latency 20 --onboard 1000 --across 50 --sync-users 200 --pairs 2]`.
 * Writes bench/vspc.json; exits 1 when a goal is missed.
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
	pairs: number;
}

export interface VspcBenchResult {
	/** os.loadavg() before and after: the times mean little on a busy machine (the CPU times say what the client did). */
	load: { before: number[]; after: number[] };
	trigger: VspcTriggerFigure;
	sync: VspcSyncFigure;
	onboarding: VspcOnboardingFigure;
	targets: VspcGoal[];
}

export const VSPC_DEFAULTS = { companies: '500', users: '50000', latency: '20', onboard: '1000', across: '50', 'sync-users': '200', 'trigger-changes': '500', pairs: '2' };

/** The options from parsed arguments named `<prefix><option>` (bench/index.ts: `--vspc-users`…; alone: `--users`…). */
export function vspcOptions(values: Record<string, unknown>, prefix = ''): VspcBenchOptions {
	const n = (name: keyof typeof VSPC_DEFAULTS) => Number(values[`${prefix}${name}`] ?? VSPC_DEFAULTS[name]);
	return {
		seed: { companies: n('companies'), users: n('users') },
		latencyMs: n('latency'),
		onboard: n('onboard'),
		across: n('across'),
		syncUsers: n('sync-users'),
		triggerChanges: n('trigger-changes'),
		pairs: n('pairs'),
	};
}

function targetsOf(r: Omit<VspcBenchResult, 'targets'>): VspcGoal[] {
	const t = (what: string, value: number, limit: number): VspcGoal => ({ what, value, limit, met: value <= limit });
	return [
		t(`VSPC trigger poll with ${r.trigger.changes} changes, s (${r.trigger.latencyMs} ms latency)`, r.trigger.measured.ms / 1000, 2),
		t('VSPC trigger baseline poll, s', r.trigger.baseline.ms / 1000, 2),
		t('VSPC trigger static data, bytes per user', r.trigger.bytesPerUser, 40),
		t(`VSPC trigger items for ${r.trigger.changes} changes, off by`, Math.abs(r.trigger.measured.items - r.trigger.changes), 0),
		t('VSPC Sync of one company: requests / (changes + unavoidable pages)', r.sync.ratio, 1.1),
		t('VSPC onboarding: ours / plain sequential script', r.onboarding.ratios.oursToPlain, 0.25),
	];
}

export async function runVspcBench(options: VspcBenchOptions): Promise<VspcBenchResult> {
	const before = loadavg();
	const sim = await startVspcSim();
	try {
		const trigger = await benchVspcTrigger(sim, { seed: options.seed, changes: options.triggerChanges, latencyMs: options.latencyMs });
		console.log(`  measured: ${trigger.scenario}`);
		const sync = await benchVspcSync(sim, { seed: options.seed, companyUsers: options.syncUsers, changes: { add: 10, remove: 10, role: 10 }, latencyMs: options.latencyMs });
		console.log(`  measured: ${sync.scenario}`);
		const onboarding = await benchVspcOnboarding(sim, { hires: options.onboard, companies: options.across, seed: options.seed, latencyMs: options.latencyMs, pairs: options.pairs });
		console.log(`  measured: ${onboarding.scenario}`);
		const result = { load: { before, after: loadavg() }, trigger, sync, onboarding };
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
		`\nVeeam Service Provider Console (${trigger.latencyMs} ms latency, the simulator in its own process; load average ${r.load.before.map((l) => l.toFixed(1)).join(' ')} before, ${r.load.after.map((l) => l.toFixed(1)).join(' ')} after, ${cpus().length} cores)`,
	);
	console.log(`\n${trigger.scenario}`);
	for (const [label, p] of [['baseline poll', trigger.baseline], ['poll with the changes', trigger.measured]] as const) {
		console.log(`  ${label.padEnd(24)}${(p.ms / 1000).toFixed(2).padStart(6)} s (CPU ${(p.cpuMs / 1000).toFixed(2)} s) ${String(p.requests).padStart(5)} requests (max ${p.maxInFlight} in flight), ${p.items} items`);
	}
	console.log(`  static data ${trigger.staticDataBytes.toLocaleString('en')} bytes = ${trigger.bytesPerUser.toFixed(1)} bytes/user`);
	console.log(`\n${sync.scenario}`);
	console.log(
		`  ${(sync.ms / 1000).toFixed(2)} s (CPU ${(sync.cpuMs / 1000).toFixed(2)} s), ${sync.requests} requests (${sync.reads} reads, ${sync.writes} writes) for ${sync.changes} changes + ${sync.unavoidable} unavoidable (pages, token): ×${sync.ratio.toFixed(3)}; outcome ${JSON.stringify(sync.outcome)}`,
	);
	console.log(`\n${onboarding.scenario} (${pairs} alternating pairs, medians)`);
	runLine('ours (default concurrency)', onboarding.ours);
	runLine('plain sequential script (company per hire)', onboarding.plain, onboarding.ratios.oursToPlain);
	runLine('plain script, each company looked up once', onboarding.plainCached, onboarding.ratios.oursToPlainCached);
	console.log(`  per-pair ours / plain: ${onboarding.pairRatiosToPlain.map((x) => x.toFixed(3)).join(', ')}`);
	console.log('\nVSPC targets');
	for (const t of r.targets) console.log(`  ${t.met ? 'met   ' : 'MISSED'} ${t.what}: ${Number(t.value.toFixed(3))} (≤ ${t.limit})`);
}

async function main(): Promise<void> {
	const { values } = parseArgs({ options: Object.fromEntries(Object.entries(VSPC_DEFAULTS).map(([k, v]) => [k, { type: 'string', default: v }])) as never });
	const options = vspcOptions(values as Record<string, unknown>);
	try {
		const result = await runVspcBench(options);
		printVspc(result, options.pairs);
		writeFileSync(join(__dirname, 'vspc.json'), JSON.stringify({ at: new Date().toISOString(), options, ...result }, null, 2) + '\n');
		console.log('\nwritten: bench/vspc.json');
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
