/**
 * Onboarding N hires spread over C companies of a VSPC server seeded with many companies and users,
 * at a given per-request latency, three ways (each on a freshly reset server, alternating pairs):
 *
 * - `ours`: our built node through n8n's engine (User → Onboard, Company and Role per item, MFA
 *   required), default concurrency;
 * - `plain`: the plain sequential script (bench/vspcPlain.ts): token, then per hire the company
 *   looked up by name and POST /users (2N + 1 requests) — the yardstick;
 * - `plainCached`: the same script looking each company up once (N + C + 1 requests).
 */
import type { SimStats } from './lib';
import { median } from './lib';
import { countRoutes, resetVspc, timed, vspcNodeRun, vspcStats, type VspcSeed, type VspcSim } from './vspcLib';
import { BENCH_PASSWORD, BENCH_ROLE, companyNames, hiresFor, plainVspcOnboarding, type VspcHire } from './vspcPlain';

export interface VspcRun {
	ms: number;
	/** CPU time of this process meanwhile (ours: n8n's engine and the node; plain: the script). */
	cpuMs: number;
	requests: number;
	requestsPerUser: number;
	tokens: number;
	/** GET requests on organizations or companies (look-ups and list pages). */
	organizationReads: number;
	/** GET /api/v3/users… (look-ups, list pages, read-backs). */
	userReads: number;
	creates: number;
	maxInFlight: number;
}

export interface VspcOnboardingFigure {
	scenario: string;
	hires: number;
	companies: number;
	seed: VspcSeed;
	latencyMs: number;
	ours: VspcRun;
	plain: VspcRun;
	plainCached: VspcRun;
	/** Medians of the per-pair ratios of times. */
	ratios: { oursToPlain: number; oursToPlainCached: number };
	pairRatiosToPlain: number[];
}

function runOf(ms: number, cpuMs: number, s: SimStats, hires: number): VspcRun {
	return {
		ms,
		cpuMs,
		requests: s.requests,
		requestsPerUser: s.requests / hires,
		tokens: Object.values(s.grants).reduce((sum, v) => sum + v, 0),
		organizationReads: countRoutes(s, (r) => r.startsWith('GET ') && r.includes('/organizations')),
		userReads: countRoutes(s, (r) => r.startsWith('GET ') && r.includes('/api/v3/users')),
		creates: countRoutes(s, (r) => r === 'POST /api/v3/users'),
		maxInFlight: s.maxInFlight,
	};
}

/** Our node's Onboard parameters for VSPC, each hire's fields from its item. */
export const ONBOARD_PARAMETERS: Record<string, unknown> = {
	resource: 'user',
	operation: 'onboard',
	userName: '={{ $json.userName }}',
	organizationType: 'company',
	company: '={{ $json.company }}',
	roles: BENCH_ROLE,
	password: BENCH_PASSWORD,
	firstName: '={{ $json.firstName }}',
	lastName: '={{ $json.lastName }}',
	email: '={{ $json.email }}',
	mfaRequired: true,
};

async function oursOnboarding(sim: VspcSim, hires: VspcHire[]): Promise<number> {
	const run = await vspcNodeRun(sim, ONBOARD_PARAMETERS, hires as unknown as Array<Record<string, string>>);
	const created = run.json.filter((j) => j.action === 'created').length;
	if (created !== hires.length) throw new Error(`our onboarding created ${created} users, expected ${hires.length}: ${JSON.stringify(run.json.find((j) => j.action !== 'created'))}`);
	return run.ms;
}

export interface VspcOnboardingSetup {
	hires: number;
	companies: number;
	seed: VspcSeed;
	latencyMs: number;
	pairs: number;
}

export async function benchVspcOnboarding(sim: VspcSim, setup: VspcOnboardingSetup): Promise<VspcOnboardingFigure> {
	await resetVspc(sim, setup.seed);
	const hires = hiresFor(setup.hires, await companyNames(sim.target, setup.companies));
	const variants = {
		ours: async () => await oursOnboarding(sim, hires),
		plain: async () => await plainVspcOnboarding(sim.target, hires),
		plainCached: async () => await plainVspcOnboarding(sim.target, hires, true),
	};
	type Name = keyof typeof variants;
	// Warm-up (JIT, n8n's engine, TLS sessions): a few hires each way on a small server, not counted.
	const warmUp = hiresFor(8, hires.slice(0, 2).map((h) => h.company)).map((h) => ({ ...h, userName: `warmup.${h.userName}` }));
	await resetVspc(sim, { companies: 2, users: 10 });
	await oursOnboarding(sim, warmUp);
	await resetVspc(sim, { companies: 2, users: 10 });
	await plainVspcOnboarding(sim.target, warmUp);
	const runs: Record<Name, VspcRun[]> = { ours: [], plain: [], plainCached: [] };
	for (let pair = 0; pair < setup.pairs; pair++) {
		for (const name of Object.keys(variants) as Name[]) {
			await resetVspc(sim, setup.seed, setup.latencyMs);
			const { value: ms, cpuMs } = await timed(variants[name]);
			runs[name].push(runOf(ms, cpuMs, await vspcStats(sim), setup.hires));
		}
	}
	const pick = (name: Name): VspcRun => {
		const ms = median(runs[name].map((r) => r.ms));
		return runs[name].find((r) => r.ms === ms) as VspcRun;
	};
	const ratio = (a: Name, b: Name) => median(runs[a].map((r, i) => r.ms / runs[b][i].ms));
	return {
		scenario: `Onboard ${setup.hires.toLocaleString('en')} users across ${setup.companies} companies (server with ${setup.seed.companies} companies, ${setup.seed.users.toLocaleString('en')} users), ${setup.latencyMs} ms latency`,
		...setup,
		ours: pick('ours'),
		plain: pick('plain'),
		plainCached: pick('plainCached'),
		ratios: { oursToPlain: ratio('ours', 'plain'), oursToPlainCached: ratio('ours', 'plainCached') },
		pairRatiosToPlain: runs.ours.map((r, i) => r.ms / runs.plain[i].ms),
	};
}
