/**
 * The Veeam Trigger at 100,000 users, through n8n's engine (test/support/engine.ts: n8n-core's
 * PollContext, real static data) against a seeded VBR simulator.
 *
 *   npm run bench:trigger [-- --users 100000 --changes 1000]
 *   BENCH_NODE_FLAGS="--trace-gc" npm run bench:trigger   (Node flags for the poll processes)
 *
 * Three processes, so that each number belongs to what it measures: the simulator (seeded with
 * `--users`), a first n8n process that takes the baseline, then (after ~1 % of the users were
 * changed through the REST API) a fresh n8n process that runs the measured poll from that
 * baseline. The n8n processes run this file compiled by tsc with plain Node, as n8n runs a
 * package (ts-node would add its compiler, ~50 MB, to the RSS). For each poll: wall time, time reading the list over HTTPS (with removal look-ups),
 * and the trigger's own work without HTTP (decode the stored snapshot and diff, filter, encode
 * the new one; timed by wrapping those functions where poll.ts calls them); the saved static data in
 * bytes per user (JSON.stringify, as n8n stores it) and the poll process's peak RSS
 * (process.resourceUsage().maxRSS, which includes n8n-core and the engine harness: their share
 * is shown as the RSS before the poll).
 * Targets: work without HTTP < 1 s, ≤ 40 bytes per user, peak RSS < 300 MB. Exits 1 if missed.
 */
import axios from 'axios';
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import type { IDataObject } from 'n8n-workflow';

const TARGET = { computeMs: 1000, bytesPerUser: 40, rssMb: 300 };
const ROLES = { restore: 'b167c3af-2262-4b6c-9861-0606fc0cb6b1', operator: 'a4e7c0a3-5b0f-4a5e-9f7a-2c6f0f3e8b21' };
const LOGIN = { username: 'VBR01\\svc-n8n', password: 'Sim-Passw0rd!' };
const NODE_NAME = 'Veeam Trigger';

interface PollReport {
	wallMs: number;
	httpMs: number;
	computeMs: number;
	items: number;
	rssBeforeMb: number;
	peakRssMb: number;
	staticData: IDataObject;
}

function forkTs(file: string, args: string[]): ChildProcess {
	return fork(join(__dirname, file), args, {
		execArgv: ['-r', 'ts-node/register/transpile-only'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
}

const ROOT = join(__dirname, '..');
/** Inside node_modules, so that the compiled files resolve the package's dependencies; ignored by git. */
const BUILD_DIR = join(ROOT, 'node_modules', '.cache', 'veeam-trigger-bench');

/** This file and what it imports, compiled as the package's tsconfig says (types are checked by `npm run lint`). */
function compileSelf(): string {
	execFileSync(
		process.execPath,
		[
			require.resolve('typescript/bin/tsc'),
			join(ROOT, 'bench', 'trigger.ts'),
			...['--outDir', BUILD_DIR, '--rootDir', ROOT, '--module', 'commonjs', '--target', 'es2022', '--moduleResolution', 'node'],
			...['--esModuleInterop', '--resolveJsonModule', '--skipLibCheck', '--types', 'node', '--noCheck'],
		],
		{ stdio: 'inherit' },
	);
	return join(BUILD_DIR, 'bench', 'trigger.js');
}

async function firstMessage<T>(child: ChildProcess): Promise<T> {
	return await new Promise<T>((resolve, reject) => {
		child.once('message', (m) => resolve(m as T));
		child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
	});
}

// ---- the n8n side: one poll in this process ---------------------------------------------------

async function pollOnce(url: string, caPem: string, staticData: IDataObject): Promise<PollReport> {
	const { PollActivation, TestCredentialsHelper, shutdownEngine } = await import('../test/support/engine');
	const { VeeamBackupGoogleCloudApi } = await import('../credentials/VeeamBackupGoogleCloudApi.credentials');
	const { VeeamBackupReplicationApi } = await import('../credentials/VeeamBackupReplicationApi.credentials');
	const diff = await import('../nodes/VeeamTrigger/diff');
	const listing = await import('../nodes/VeeamTrigger/listing');
	const state = await import('../nodes/VeeamTrigger/state');
	// Compiled: VeeamTrigger.node.js (under ts-node, Node would find VeeamTrigger.node.json first).
	const { VeeamTrigger } = await import('../nodes/VeeamTrigger/VeeamTrigger.node');

	// poll.ts looks these exports up at call time, so wrapping them times the real poll.
	const timers = { compute: 0, http: 0 };
	const time = (module: object, name: string, bucket: keyof typeof timers) => {
		const target = module as Record<string, unknown>;
		const original = target[name] as (...args: unknown[]) => unknown;
		target[name] = function timed(this: unknown, ...args: unknown[]) {
			const start = performance.now();
			const result = original.apply(this, args);
			if (result instanceof Promise) return result.finally(() => (timers[bucket] += performance.now() - start));
			timers[bucket] += performance.now() - start;
			return result;
		};
	};
	time(state, 'openState', 'compute');
	time(state, 'encodeState', 'compute');
	time(diff, 'compareWithSnapshot', 'compute'); // decodes the stored snapshot as it goes
	time(diff, 'finishComparison', 'compute');
	time(diff, 'filterEvents', 'compute');
	time(listing, 'readAllUsers', 'http');
	time(listing, 'confirmRemovals', 'http');

	const credentials = new TestCredentialsHelper([new VeeamBackupReplicationApi(), new VeeamBackupGoogleCloudApi()], {
		vbr: { type: 'veeamBackupReplicationApi', data: { url, ...LOGIN, apiVersion: '1.3-rev2', caCertificate: caPem } },
	});
	const activation = new PollActivation({
		node: {
			name: NODE_NAME,
			type: 'n8n-nodes-veeam.veeamTrigger',
			parameters: { product: 'vbr', events: diff.USER_EVENTS.slice(), options: {} },
			credentials: credentials.ref('vbr'),
		},
		nodeType: new VeeamTrigger(),
		credentials,
		staticData,
	});
	const rssBeforeMb = process.memoryUsage().rss / 2 ** 20;
	const start = performance.now();
	const result = await activation.poll();
	const wallMs = performance.now() - start;
	const peakRssMb = process.resourceUsage().maxRSS / 1024;
	await shutdownEngine();
	if (result.error) throw result.error;
	return {
		wallMs,
		httpMs: timers.http,
		computeMs: timers.compute,
		items: result.response?.[0].length ?? 0,
		rssBeforeMb,
		peakRssMb,
		// The snapshot in memory: a baseline poll emits nothing, so n8n would not have saved it yet.
		staticData: result.workflowStaticData,
	};
}

// ---- the driver ------------------------------------------------------------------------------------

async function runPollProcess(compiled: string, url: string, caPem: string, staticData: IDataObject): Promise<PollReport> {
	const child = fork(compiled, ['--poll'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : [] });
	child.send({ url, caPem, staticData });
	const answer = await firstMessage<PollReport | { error: string }>(child);
	child.disconnect();
	if ('error' in answer) throw new Error(answer.error);
	return answer;
}

function line(label: string, r: PollReport): void {
	console.log(
		`${label.padEnd(28)} wall ${(r.wallMs / 1000).toFixed(2)} s | HTTP ${(r.httpMs / 1000).toFixed(2)} s | without HTTP ${r.computeMs.toFixed(0)} ms | ${r.items} items | RSS ${r.rssBeforeMb.toFixed(0)} MB before, ${r.peakRssMb.toFixed(0)} MB peak`,
	);
}

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			users: { type: 'string', default: '100000' },
			changes: { type: 'string', default: '1000' },
			poll: { type: 'boolean', default: false },
			// For bench/growth.ts: a last line `TRIGGER_REPORT {json}` with the measured poll.
			report: { type: 'boolean', default: false },
		},
	});
	if (values.poll) {
		const { url, caPem, staticData } = await firstMessage<{ url: string; caPem: string; staticData: IDataObject }>(process as unknown as ChildProcess);
		process.send?.(await pollOnce(url, caPem, staticData).catch((error: unknown) => ({ error: String(error) })));
		return;
	}

	const seeded = Number(values.users);
	const changes = Number(values.changes);
	const compiled = compileSelf();
	const sim = forkTs('simProcess.ts', ['vbr', String(seeded)]);
	const { url, caPem } = await firstMessage<{ url: string; caPem: string }>(sim);
	try {
		console.log(`Veeam Trigger, ${(seeded + 6).toLocaleString('en')} VBR users (simulator in its own process), each poll in a fresh n8n process:`);
		const baseline = await runPollProcess(compiled, url, caPem, {});
		line('poll 1 (baseline)', baseline);

		// ~1 % of the users change, through the REST API, as an administrator would.
		const http = axios.create({ baseURL: url, httpsAgent: new Agent({ ca: caPem, keepAlive: true }), headers: { 'x-api-version': '1.3-rev2' } });
		const token = (await http.post('/api/oauth2/token', new URLSearchParams({ grant_type: 'password', ...LOGIN }))).data.access_token as string;
		const auth = { headers: { Authorization: `Bearer ${token}` } };
		const third = Math.floor(changes / 3);
		const existing: Array<{ id: string }> = [];
		// Past the first users (the built-in ones), but inside a small server too.
		for (let skip = Math.min(1000, Math.floor(seeded / 4)); existing.length < 2 * third; skip += 500) {
			const page = (await http.get('/api/v1/security/users', { ...auth, params: { skip, limit: 500 } })).data.data as Array<{ id: string }>;
			if (page.length === 0) throw new Error(`only ${existing.length} users to change, ${2 * third} needed: seed more users`);
			existing.push(...page);
		}
		const work: Array<() => Promise<unknown>> = [
			...existing.slice(0, third).map((u) => () => http.delete(`/api/v1/security/users/${u.id}`, auth)),
			...existing.slice(third, 2 * third).map((u) => () => http.put(`/api/v1/security/users/${u.id}/roles`, { roles: [{ id: ROLES.restore }] }, auth)),
			...Array.from({ length: changes - 2 * third }, (_, i) => () =>
				http.post('/api/v1/security/users', { name: `BENCH\\new.user${i}`, type: 'InternalUser', roles: [{ id: ROLES.operator }], isServiceAccount: false }, auth),
			),
		];
		await Promise.all(
			Array.from({ length: 8 }, async () => {
				for (let job = work.shift(); job; job = work.shift()) await job();
			}),
		);

		const measured = await runPollProcess(compiled, url, caPem, baseline.staticData);
		line(`poll 2 (${changes} changes)`, measured);
		const users = Number((measured.staticData[`node:${NODE_NAME}`] as IDataObject).n);
		const bytes = JSON.stringify(measured.staticData).length;
		const bytesPerUser = bytes / users;
		console.log(`static data: ${bytes.toLocaleString('en')} bytes for ${users.toLocaleString('en')} users = ${bytesPerUser.toFixed(2)} bytes/user`);

		const compute = Math.max(baseline.computeMs, measured.computeMs);
		const rss = Math.max(baseline.peakRssMb, measured.peakRssMb);
		const checks: Array<[string, boolean]> = [
			[`work without HTTP ${compute.toFixed(0)} ms < ${TARGET.computeMs} ms`, compute < TARGET.computeMs],
			[`${bytesPerUser.toFixed(2)} bytes/user <= ${TARGET.bytesPerUser}`, bytesPerUser <= TARGET.bytesPerUser],
			[`peak RSS ${rss.toFixed(0)} MB < ${TARGET.rssMb} MB`, rss < TARGET.rssMb],
			[`${measured.items} items for ${changes} changes`, measured.items === changes],
		];
		for (const [text, ok] of checks) console.log(`${ok ? 'PASS' : 'FAIL'}  ${text}`);
		if (values.report) {
			const report = { users, changes, wallMs: measured.wallMs, httpMs: measured.httpMs, computeMs: measured.computeMs, bytesPerUser, peakRssMb: rss };
			console.log(`TRIGGER_REPORT ${JSON.stringify(report)}`);
		}
		if (checks.some(([, ok]) => !ok)) process.exitCode = 1;
	} finally {
		sim.disconnect();
	}
}

main().catch((err: unknown) => {
	console.error(err);
	process.exit(1);
});
