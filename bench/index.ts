/**
 * `npm run bench`, or `ts-node bench/index.ts [--onboard 1000 --server-users 10000 --latency 0,20 --pairs 2 --sweep 1,2,4,8,16]`
 *
 * In one run, against the simulator in its own process (bench/lib.ts):
 * - onboarding `--onboard` new users on a server with `--server-users`, at each `--latency` (ms the
 *   simulator waits before answering each API request): our node at its default concurrency and
 *   at concurrency 1, against a hand-written sequential script (2N + 2 requests) with a keep-alive
 *   client and with a new connection per request (bench/onboarding.ts);
 * - Get Many of `--users` users, ours against the plain client's paging.
 * `--sweep` runs our node alone at each of these concurrencies at the highest latency (how the default
 * was chosen; `--sweep ''` skips it). Pairs alternate the variants so drift hits all; medians are quoted.
 * Then the Veeam Service Provider Console figures (bench/vspc.ts: trigger poll, Sync of one company,
 * onboarding across companies against a plain script; `--vspc-companies`, `--vspc-users`, `--vspc-latency`,
 * `--vspc-onboard`, `--vspc-pairs`…; `--skip-vspc` leaves them out), and the Veeam Backup for
 * Microsoft 365 revoke against a plain script (bench/vb365.ts; `--vb365-roles`, `--vb365-latency`,
 * `--vb365-pairs`…; `--skip-vb365`; also written to bench/vb365.json). Checks the targets
 * of the onboarding issue and issue 28, writes bench/results.json, exits 1 when a target is missed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { shutdownEngine } from '../test/support/engine';
import { median, nodeRun, plainClient, plainLogin, resetSim, SIM_BASE_USERS, startSim, stats, type SimProcess } from './lib';
import { benchOnboarding, sweepConcurrency, type OnboardingFigure, type Run } from './onboarding';
import { printVb365, runVb365Bench, VB365_DEFAULTS, vb365Options, writeVb365, type Vb365BenchResult } from './vb365';
import { printVspc, runVspcBench, VSPC_DEFAULTS, vspcOptions, type VspcBenchResult } from './vspc';

export interface GetManyFigure {
	scenario: string;
	users: number;
	oursMs: number;
	plainMs: number;
	ratio: number;
	requests: number;
	serverPageSize: number;
	expectedRequests: number;
}

async function benchGetMany(sim: SimProcess, users: number, pairs: number): Promise<GetManyFigure> {
	await resetSim(sim, users);
	const ours: number[] = [];
	const plain: number[] = [];
	let requests = 0;
	let pageSize = 0;
	for (let pair = 0; pair < pairs; pair++) {
		await sim.control.post('stats/reset');
		const run = await nodeRun(sim, { resource: 'user', operation: 'getMany', returnAll: true }, [{}]);
		if (run.json.length !== users) throw new Error(`Get Many returned ${run.json.length} users, expected ${users}`);
		ours.push(run.ms);
		requests = (await stats(sim)).byRoute['GET /api/v1/security/users'] ?? 0;

		const api = plainClient(sim);
		const started = performance.now();
		await plainLogin(api);
		let skip = 0;
		let total = Infinity;
		const seen: unknown[] = [];
		while (skip < total) {
			const page = (await api.get('/api/v1/security/users', { params: { skip, limit: 1000, orderColumn: 'Name', orderAsc: true } })).data;
			seen.push(...(page.data as unknown[]));
			total = page.pagination.total as number;
			pageSize = page.pagination.limit as number;
			skip += (page.data as unknown[]).length;
		}
		plain.push(performance.now() - started);
		if (seen.length !== users) throw new Error('plain client paging is off');
	}
	await resetSim(sim);
	return {
		scenario: `Get Many of ${users.toLocaleString('en')} users, 0 ms latency`,
		users,
		oursMs: median(ours),
		plainMs: median(plain),
		ratio: median(ours.map((o, i) => o / plain[i])),
		requests,
		serverPageSize: pageSize,
		expectedRequests: Math.ceil(users / pageSize),
	};
}

interface Target {
	what: string;
	value: number;
	limit: number;
	met: boolean;
}

function targetsOf(figures: OnboardingFigure[]): Target[] {
	const t = (what: string, value: number, limit: number): Target => ({ what, value, limit, met: value <= limit });
	const out: Target[] = [];
	for (const f of figures) {
		const at = `${f.latencyMs} ms`;
		if (f.latencyMs >= 20) out.push(t(`${at}: ours / sequential keep-alive script`, f.ratios.oursToPlainKeepAlive, 0.5));
		if (f.latencyMs === 0) out.push(t(`${at}: ours / sequential new-connection script`, f.ratios.oursToPlainNewConnection, 1.0));
		out.push(t(`${at}: requests per onboarded user`, f.ours.requestsPerUser, 1.1));
		out.push(t(`${at}: token grants`, f.ours.tokens, 1));
		out.push(t(`${at}: role look-ups`, f.ours.roleLookups, 1));
	}
	return out;
}

const row = (label: string, r: Run, ratioKa?: number, ratioNc?: number) =>
	console.log(
		`  ${label.padEnd(34)}${r.ms.toFixed(0).padStart(8)} ms${String(r.requests).padStart(7)} req ${r.requestsPerUser.toFixed(3).padStart(6)}/user` +
			`  tokens=${r.tokens} roles=${r.roleLookups} userReads=${r.userReads} creates=${r.creates} maxInFlight=${r.maxInFlight}` +
			(ratioKa === undefined ? '' : `  ×${ratioKa.toFixed(2)} keep-alive, ×${(ratioNc ?? 0).toFixed(2)} new-connection`),
	);

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			onboard: { type: 'string', default: '1000' },
			'server-users': { type: 'string', default: '10000' },
			latency: { type: 'string', default: '0,20' },
			users: { type: 'string', default: '10000' },
			pairs: { type: 'string', default: '2' },
			sweep: { type: 'string', default: '1,2,4,8,16' },
			'skip-vspc': { type: 'boolean', default: false },
			...Object.fromEntries(Object.keys(VSPC_DEFAULTS).map((k) => [`vspc-${k}`, { type: 'string' as const }])),
			'skip-vb365': { type: 'boolean', default: false },
			...Object.fromEntries(Object.keys(VB365_DEFAULTS).map((k) => [`vb365-${k}`, { type: 'string' as const }])),
		},
	});
	const pairs = Number(values.pairs);
	const latencies = values.latency.split(',').map(Number);
	const newUsers = Number(values.onboard);
	const serverUsers = Number(values['server-users']);
	const sim = await startSim();
	const onboarding: OnboardingFigure[] = [];
	const getMany: GetManyFigure[] = [];
	let sweep: Awaited<ReturnType<typeof sweepConcurrency>> | undefined;
	try {
		// Warm-up: JIT, TLS session, connection pools.
		await benchOnboarding(sim, { newUsers: 50, serverUsers: SIM_BASE_USERS, latencyMs: 0, pairs: 1 });
		for (const latencyMs of latencies) {
			const f = await benchOnboarding(sim, { newUsers, serverUsers, latencyMs, pairs });
			console.log(`  measured: ${f.scenario}`);
			onboarding.push(f);
		}
		const levels = values.sweep.split(',').filter((v) => v.trim() !== '').map(Number);
		if (levels.length) sweep = await sweepConcurrency(sim, { newUsers, serverUsers, latencyMs: Math.max(...latencies) }, levels);
		for (const n of values.users.split(',').map(Number)) getMany.push(await benchGetMany(sim, n, pairs));
	} finally {
		sim.child.disconnect();
	}
	const vspcSettings = vspcOptions(values, 'vspc-');
	let vspc: VspcBenchResult | undefined;
	let vb365: Vb365BenchResult | undefined;
	try {
		if (!values['skip-vspc']) vspc = await runVspcBench(vspcSettings);
		if (!values['skip-vb365']) vb365 = await runVb365Bench(vb365Options(values, 'vb365-'));
	} finally {
		await shutdownEngine();
	}

	console.log(`\nn8n-nodes-veeam benchmark (${pairs} alternating pairs per variant, medians; the simulator in its own process)`);
	for (const f of onboarding) {
		console.log(`\n${f.scenario}`);
		row(`ours, concurrency ${f.defaultConcurrency} (default)`, f.ours, f.ratios.oursToPlainKeepAlive, f.ratios.oursToPlainNewConnection);
		row('ours, concurrency 1', f.oursSequential, f.ratios.oursSequentialToPlainKeepAlive, f.ratios.oursSequentialToPlainNewConnection);
		row('plain script, keep-alive', f.plainKeepAlive);
		row('plain script, new connection each', f.plainNewConnection);
	}
	if (sweep) {
		console.log(`\nOur node by concurrency (${newUsers} onboards, ${Math.max(...latencies)} ms latency)`);
		for (const s of sweep) row(`concurrency ${s.concurrency}`, s);
	}
	for (const g of getMany) {
		console.log(`\n${g.scenario}: ours ${g.oursMs.toFixed(0)} ms, plain ${g.plainMs.toFixed(0)} ms, ×${g.ratio.toFixed(2)}; ${g.requests} list requests (page ${g.serverPageSize}, expected ${g.expectedRequests})`);
	}
	if (vspc) printVspc(vspc, vspcSettings.pairs);
	if (vb365) printVb365(vb365);
	const vb365Checks = (vb365?.checks ?? []).map((c) => ({ what: `VB365: ${c.what} (must be exactly ${c.expected})`, value: c.value, limit: c.expected, met: c.met }));
	const targets = [...targetsOf(onboarding), ...(vspc?.targets ?? []), ...vb365Checks];
	console.log('\nTargets');
	for (const t of targets) console.log(`  ${t.met ? 'met   ' : 'MISSED'} ${t.what}: ${Number(t.value.toFixed(3))} (≤ ${t.limit})`);
	writeFileSync(
		join(__dirname, 'results.json'),
		JSON.stringify({ at: new Date().toISOString(), pairs, onboarding, concurrencySweep: sweep, getMany, vspc, vb365, targets }, null, 2) + '\n',
	);
	console.log('\nwritten: bench/results.json');
	if (vb365) writeVb365(vb365);
	if (targets.some((t) => !t.met)) process.exitCode = 1;
}

// bench/growth.ts reuses the scenarios.
export { benchGetMany };

if (require.main === module) {
	main().catch((error: unknown) => {
		console.error(error);
		process.exit(1);
	});
}
