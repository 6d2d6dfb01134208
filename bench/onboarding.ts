/**
 * Onboarding N new users on a server that already has M, at a given per-request latency, four ways
 * in one run (each on a freshly reset server):
 *
 * - `ours`: our node through n8n's engine at its default concurrency;
 * - `oursSequential`: the same at Options → Concurrency 1;
 * - `plainKeepAlive`: a hand-written script with a plain keep-alive HTTPS client: token, roles, then
 *   per user a look-up by name and the create, one after another (2N + 2 requests);
 * - `plainNewConnection`: the same script opening a new TLS connection per request, as n8n's HTTP
 *   helper does (so that n8n's connection cost is not counted against our node).
 */
import { DEFAULT_CONCURRENCY } from '../nodes/Veeam/actions/common.descriptions';
import { median, nodeRun, plainClient, plainLogin, resetSim, stats, type SimProcess, type SimStats } from './lib';

const RESTORE_OPERATOR = 'Restore Operator';
const USERS_ROUTE = '/api/v1/security/users';

export interface Run {
	ms: number;
	requests: number;
	requestsPerUser: number;
	tokens: number;
	roleLookups: number;
	/** GET /security/users: per-user look-ups or list pages. */
	userReads: number;
	creates: number;
	maxInFlight: number;
}

export interface OnboardingFigure {
	scenario: string;
	latencyMs: number;
	newUsers: number;
	serverUsers: number;
	defaultConcurrency: number;
	ours: Run;
	oursSequential: Run;
	plainKeepAlive: Run;
	plainNewConnection: Run;
	ratios: {
		oursToPlainKeepAlive: number;
		oursToPlainNewConnection: number;
		oursSequentialToPlainKeepAlive: number;
		oursSequentialToPlainNewConnection: number;
	};
	/** Every pair's ratio ours / plainKeepAlive, to show the spread behind the median. */
	pairRatiosToPlainKeepAlive: number[];
}

const accountsFor = (n: number) => Array.from({ length: n }, (_, i) => ({ account: `BENCH\\hire${String(i).padStart(6, '0')}` }));

function runOf(ms: number, s: SimStats, newUsers: number): Run {
	return {
		ms,
		requests: s.requests,
		requestsPerUser: s.requests / newUsers,
		tokens: Object.values(s.grants).reduce((sum, v) => sum + v, 0),
		roleLookups: s.byRoute['GET /api/v1/security/roles'] ?? 0,
		userReads: s.byRoute[`GET ${USERS_ROUTE}`] ?? 0,
		creates: s.byRoute[`POST ${USERS_ROUTE}`] ?? 0,
		maxInFlight: s.maxInFlight,
	};
}

/** The hand-written script: token, roles, then per user a look-up by name and the create. */
async function plainOnboarding(sim: SimProcess, accounts: Array<{ account: string }>, keepAlive: boolean): Promise<number> {
	const api = plainClient(sim, keepAlive);
	const started = performance.now();
	await plainLogin(api);
	const roles = (await api.get('/api/v1/security/roles', { params: { skip: 0, limit: 1000 } })).data.data as Array<{ id: string; name: string }>;
	const role = roles.find((r) => r.name === RESTORE_OPERATOR);
	for (const { account } of accounts) {
		const found = await api.get(USERS_ROUTE, { params: { nameFilter: account, skip: 0, limit: 1000, orderColumn: 'Name', orderAsc: true } });
		if ((found.data.data as unknown[]).length === 0) {
			await api.post(USERS_ROUTE, { name: account, type: 'InternalUser', roles: [role], isServiceAccount: false });
		}
	}
	return performance.now() - started;
}

async function oursOnboarding(sim: SimProcess, accounts: Array<{ account: string }>, concurrency?: number): Promise<number> {
	const run = await nodeRun(
		sim,
		{
			resource: 'user',
			operation: 'onboard',
			userName: '={{ $json.account }}',
			userType: 'InternalUser',
			roles: [RESTORE_OPERATOR],
			ifExists: 'makeRolesMatch',
			...(concurrency === undefined ? {} : { options: { concurrency } }),
		},
		accounts,
	);
	const created = run.json.filter((j) => j.action === 'created').length;
	if (created !== accounts.length) throw new Error(`onboarding created ${created} users, expected ${accounts.length}`);
	return run.ms;
}

export interface OnboardingSetup {
	newUsers: number;
	serverUsers: number;
	latencyMs: number;
	pairs: number;
}

/** Runs each variant `pairs` times, alternating, and keeps the median (ratios: median of per-pair ratios). */
export async function benchOnboarding(sim: SimProcess, setup: OnboardingSetup): Promise<OnboardingFigure> {
	const accounts = accountsFor(setup.newUsers);
	const variants = {
		ours: async () => await oursOnboarding(sim, accounts),
		oursSequential: async () => await oursOnboarding(sim, accounts, 1),
		plainKeepAlive: async () => await plainOnboarding(sim, accounts, true),
		plainNewConnection: async () => await plainOnboarding(sim, accounts, false),
	};
	type Name = keyof typeof variants;
	const runs: Record<Name, Run[]> = { ours: [], oursSequential: [], plainKeepAlive: [], plainNewConnection: [] };
	for (let pair = 0; pair < setup.pairs; pair++) {
		for (const name of Object.keys(variants) as Name[]) {
			await resetSim(sim, setup.serverUsers, setup.latencyMs);
			const ms = await variants[name]();
			runs[name].push(runOf(ms, await stats(sim), setup.newUsers));
		}
	}
	await resetSim(sim);
	const pick = (name: Name): Run => {
		const ms = median(runs[name].map((r) => r.ms));
		return runs[name].find((r) => r.ms === ms) as Run;
	};
	const ratio = (a: Name, b: Name) => median(runs[a].map((r, i) => r.ms / runs[b][i].ms));
	return {
		scenario: `Onboard ${setup.newUsers.toLocaleString('en')} users (server with ${setup.serverUsers.toLocaleString('en')}), ${setup.latencyMs} ms latency`,
		...setup,
		defaultConcurrency: DEFAULT_CONCURRENCY,
		ours: pick('ours'),
		oursSequential: pick('oursSequential'),
		plainKeepAlive: pick('plainKeepAlive'),
		plainNewConnection: pick('plainNewConnection'),
		ratios: {
			oursToPlainKeepAlive: ratio('ours', 'plainKeepAlive'),
			oursToPlainNewConnection: ratio('ours', 'plainNewConnection'),
			oursSequentialToPlainKeepAlive: ratio('oursSequential', 'plainKeepAlive'),
			oursSequentialToPlainNewConnection: ratio('oursSequential', 'plainNewConnection'),
		},
		pairRatiosToPlainKeepAlive: runs.ours.map((r, i) => r.ms / runs.plainKeepAlive[i].ms),
	};
}

/** One variant on a freshly reset server: our node (at `concurrency`, default when undefined) or the plain script. */
export async function measureOnboarding(
	sim: SimProcess,
	setup: Omit<OnboardingSetup, 'pairs'>,
	variant: { ours: true; concurrency?: number } | { ours: false; keepAlive: boolean },
): Promise<Run> {
	const accounts = accountsFor(setup.newUsers);
	await resetSim(sim, setup.serverUsers, setup.latencyMs);
	const ms = variant.ours ? await oursOnboarding(sim, accounts, variant.concurrency) : await plainOnboarding(sim, accounts, variant.keepAlive);
	const run = runOf(ms, await stats(sim), setup.newUsers);
	await resetSim(sim);
	return run;
}

/** Our node alone at several concurrencies (how the default was chosen). */
export async function sweepConcurrency(sim: SimProcess, setup: Omit<OnboardingSetup, 'pairs'>, levels: number[]): Promise<Array<{ concurrency: number } & Run>> {
	const out: Array<{ concurrency: number } & Run> = [];
	for (const concurrency of levels) out.push({ concurrency, ...(await measureOnboarding(sim, setup, { ours: true, concurrency })) });
	return out;
}
