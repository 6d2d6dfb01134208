/**
 * `npm run bench [-- --onboard 1000 --users 10000 --pairs 3]`
 *
 * Our node through n8n's engine against a plain HTTP client (axios) making the same requests with
 * the same concurrency (one at a time, as the node carries items out in order), in the same run,
 * against the simulator in its own process. Pairs alternate ours/plain so drift hits both; the
 * median ratio is quoted. Writes bench/results.json.
 */
import axios, { type AxiosInstance } from 'axios';
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import type { ICredentialType, IDataObject, INodeType } from 'n8n-workflow';

import { NodeTypes, TestCredentialsHelper, runWorkflow, shutdownEngine } from '../test/support/engine';

const NODE_TYPE = 'n8n-nodes-veeam.veeam';
// The built package (npm run build), as n8n loads it. (From source, ts-node would resolve
// `Veeam.node` to the codex `Veeam.node.json` before `Veeam.node.ts`.)
const DIST = join(__dirname, '..', 'dist');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Veeam } = require(join(DIST, 'nodes/Veeam/Veeam.node.js')) as { Veeam: new () => INodeType };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { VeeamBackupReplicationApi } = require(join(DIST, 'credentials/VeeamBackupReplicationApi.credentials.js')) as {
	VeeamBackupReplicationApi: new () => ICredentialType;
};
const LOGIN = { username: 'VBR01\\svc-n8n', password: 'Sim-Passw0rd!' };
const API_VERSION = '1.3-rev2';
const RESTORE_OPERATOR = 'Restore Operator';

interface SimProcess {
	child: ChildProcess;
	url: string;
	caPem: string;
	control: AxiosInstance;
}

async function startSim(seed = 0): Promise<SimProcess> {
	const child = fork(join(__dirname, 'simProcess.ts'), ['vbr', String(seed)], {
		execArgv: ['-r', 'ts-node/register/transpile-only'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	const { url, caPem } = await new Promise<{ url: string; caPem: string }>((resolve, reject) => {
		child.once('message', (m) => resolve(m as { url: string; caPem: string }));
		child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
	});
	const control = axios.create({ baseURL: `${url}/__sim/`, httpsAgent: new Agent({ ca: caPem }) });
	return { child, url, caPem, control };
}

interface SimStats {
	requests: number;
	byRoute: Record<string, number>;
	grants: Record<string, number>;
}

async function stats(sim: SimProcess): Promise<SimStats> {
	return (await sim.control.get('stats')).data as SimStats;
}

async function resetSim(sim: SimProcess, seed = 0): Promise<void> {
	await sim.control.post('reset');
	if (seed > 0) await sim.control.post('seed', { count: seed });
	await sim.control.post('stats/reset');
}

/**
 * `keepAlive: false` opens a new TLS connection per request, as n8n's HTTP helper does (it builds a
 * new agent for each request): that variant separates n8n's connection cost from our node's own.
 */
function plainClient(sim: SimProcess, keepAlive = true): AxiosInstance {
	return axios.create({
		baseURL: sim.url,
		httpsAgent: new Agent({ ca: sim.caPem, keepAlive }),
		headers: { 'x-api-version': API_VERSION },
	});
}

async function plainLogin(api: AxiosInstance): Promise<void> {
	const t = await api.post('/api/oauth2/token', new URLSearchParams({ grant_type: 'password', ...LOGIN }));
	api.defaults.headers.common.Authorization = `Bearer ${t.data.access_token as string}`;
}

/** The node's run, with a fresh credential (so it logs in once, like a first execution). */
async function nodeRun(sim: SimProcess, parameters: Record<string, unknown>, input: IDataObject[]) {
	const credentials = new TestCredentialsHelper([new VeeamBackupReplicationApi()], {
		vbr: {
			type: 'veeamBackupReplicationApi',
			data: { url: sim.url, ...LOGIN, apiVersion: API_VERSION, caCertificate: sim.caPem, skipTlsVerification: false },
		},
	});
	const started = performance.now();
	const result = await runWorkflow({
		nodes: [{ name: 'Veeam', type: NODE_TYPE, parameters: { product: 'vbr', ...parameters }, credentials: credentials.ref('vbr') }],
		input,
		credentials,
		nodeTypes: new NodeTypes({ [NODE_TYPE]: new Veeam() }),
	});
	const ms = performance.now() - started;
	if (result.error) throw new Error(`node run failed: ${result.error.message}`);
	return { ms, items: result.outputs.Veeam?.[0]?.length ?? 0 };
}

function median(values: number[]): number {
	const s = [...values].sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)];
}

interface Figure {
	name: string;
	n: number;
	oursMs: number;
	plainMs: number;
	ratio: number;
	ratios: number[];
	/** Onboarding only: the plain client opening a new connection per request, as n8n does. */
	freshConnectionMs?: number;
	ratioToFreshConnections?: number;
	requests: number;
	extra: Record<string, number | string>;
}

/** The onboarding requests by hand: token, roles, then per user a lookup by name and the create. */
async function plainOnboarding(sim: SimProcess, accounts: Array<{ account: string }>, keepAlive: boolean): Promise<number> {
	const api = plainClient(sim, keepAlive);
	const started = performance.now();
	await plainLogin(api);
	const roles = (await api.get('/api/v1/security/roles', { params: { skip: 0, limit: 1000 } })).data.data as Array<{ id: string; name: string }>;
	const role = roles.find((r) => r.name === RESTORE_OPERATOR);
	for (const { account } of accounts) {
		const found = await api.get('/api/v1/security/users', {
			params: { nameFilter: account, skip: 0, limit: 1000, orderColumn: 'Name', orderAsc: true },
		});
		if ((found.data.data as unknown[]).length === 0) {
			await api.post('/api/v1/security/users', { name: account, type: 'ExternalUser', roles: [role], isServiceAccount: false });
		}
	}
	return performance.now() - started;
}

async function benchOnboarding(sim: SimProcess, n: number, pairs: number, withFreshConnections = true): Promise<Figure> {
	const accounts = Array.from({ length: n }, (_, i) => ({ account: `BENCH\\hire${String(i).padStart(6, '0')}` }));
	const parameters = {
		resource: 'user',
		operation: 'onboard',
		userName: '={{ $json.account }}',
		userType: 'ExternalUser',
		roles: [RESTORE_OPERATOR],
		ifExists: 'makeRolesMatch',
	};
	const ours: number[] = [];
	const plain: number[] = [];
	const fresh: number[] = [];
	let oursStats: SimStats | undefined;
	for (let pair = 0; pair < pairs; pair++) {
		await resetSim(sim);
		const run = await nodeRun(sim, parameters, accounts);
		if (run.items !== n) throw new Error(`onboarding produced ${run.items} items, expected ${n}`);
		ours.push(run.ms);
		oursStats = await stats(sim);

		await resetSim(sim);
		plain.push(await plainOnboarding(sim, accounts, true));
		if (withFreshConnections) {
			await resetSim(sim);
			fresh.push(await plainOnboarding(sim, accounts, false));
		}
	}
	const ratios = ours.map((o, i) => o / plain[i]);
	const s = oursStats as SimStats;
	return {
		name: `Onboard ${n.toLocaleString('en')} users`,
		n,
		oursMs: median(ours),
		plainMs: median(plain),
		ratio: median(ratios),
		ratios,
		...(withFreshConnections
			? { freshConnectionMs: median(fresh), ratioToFreshConnections: median(ours.map((o, i) => o / fresh[i])) }
			: {}),
		requests: s.requests,
		extra: {
			tokensFetched: Object.entries(s.grants).reduce((sum, [, v]) => sum + v, 0),
			roleLookups: s.byRoute['GET /api/v1/security/roles'] ?? 0,
			userLookups: s.byRoute['GET /api/v1/security/users'] ?? 0,
			creates: s.byRoute['POST /api/v1/security/users'] ?? 0,
		},
	};
}

async function benchGetMany(sim: SimProcess, users: number, pairs: number): Promise<Figure> {
	const seed = users - 6; // the simulator starts with 6 users
	await resetSim(sim, seed);
	const ours: number[] = [];
	const plain: number[] = [];
	let requests = 0;
	let pageSize = 0;
	for (let pair = 0; pair < pairs; pair++) {
		await sim.control.post('stats/reset');
		const run = await nodeRun(sim, { resource: 'user', operation: 'getMany', returnAll: true }, [{}]);
		if (run.items !== users) throw new Error(`Get Many returned ${run.items} users, expected ${users}`);
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
	const ratios = ours.map((o, i) => o / plain[i]);
	return {
		name: `Get Many of ${users.toLocaleString('en')} users`,
		n: users,
		oursMs: median(ours),
		plainMs: median(plain),
		ratio: median(ratios),
		ratios,
		requests,
		extra: { serverPageSize: pageSize, expectedRequests: Math.ceil(users / pageSize) },
	};
}

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: {
			onboard: { type: 'string', default: '1000' },
			users: { type: 'string', default: '10000' },
			pairs: { type: 'string', default: '3' },
		},
	});
	const pairs = Number(values.pairs);
	const sim = await startSim();
	const figures: Figure[] = [];
	try {
		// Warm-up: JIT, TLS session, connection pools.
		await benchOnboarding(sim, 50, 1);
		for (const n of values.onboard.split(',').map(Number)) figures.push(await benchOnboarding(sim, n, pairs));
		for (const n of values.users.split(',').map(Number)) figures.push(await benchGetMany(sim, n, pairs));
	} finally {
		sim.child.disconnect();
		await shutdownEngine();
	}

	console.log(`\nn8n-nodes-veeam benchmark: our node in n8n's engine vs plain axios, same requests, one at a time (${pairs} alternating pairs, median)`);
	console.log('scenario'.padEnd(30), 'ours ms'.padStart(9), 'plain ms'.padStart(9), 'ratio'.padStart(6), 'requests'.padStart(9), '  details');
	for (const f of figures) {
		console.log(
			f.name.padEnd(30),
			f.oursMs.toFixed(0).padStart(9),
			f.plainMs.toFixed(0).padStart(9),
			f.ratio.toFixed(2).padStart(6),
			String(f.requests).padStart(9),
			' ',
			[
				...Object.entries(f.extra).map(([k, v]) => `${k}=${v}`),
				...(f.freshConnectionMs !== undefined
					? [`plainNewConnectionEachRequestMs=${f.freshConnectionMs.toFixed(0)} ratioToThat=${f.ratioToFreshConnections?.toFixed(2)}`]
					: []),
			].join(' '),
		);
	}
	writeFileSync(join(__dirname, 'results.json'), JSON.stringify({ at: new Date().toISOString(), pairs, figures }, null, 2) + '\n');
	console.log('\nwritten: bench/results.json');
}

// bench/growth.ts reuses the scenarios.
export { benchGetMany, benchOnboarding, startSim, type Figure, type SimProcess };

if (require.main === module) {
	main().catch((error: unknown) => {
		console.error(error);
		process.exit(1);
	});
}
