/**
 * Sync of one company of a big VSPC server: the company has `companyUsers` users, the input (the
 * CRM's list) removes `changes.remove` of them, changes the role of `changes.role` and adds
 * `changes.add`; Sync → Apply runs once at the given latency. The budget is in work, not
 * seconds: the requests Sync makes should be within 10 % of the changes plus the list pages it
 * cannot avoid (the company's users, ⌈users / 500⌉, and the organization list that resolves the
 * company, ⌈organizations / 500⌉) and the token. Two ratios, both printed:
 *
 * - `ratio`: requests / (changes + unavoidable), as the issue literally counts (a change = 1);
 * - `ratioToWrites`: requests / (the writes Veeam's API needs for the changes + unavoidable): a
 *   create 1 POST, a role change 1 PATCH, a removal 2 (the user's tokens revoked, as an access
 *   token otherwise works for its hour: https://helpcenter.veeam.com/docs/vac/rest/oauth.html
 *   "Token Invalidation", then the user deleted). The goal (≤ 1.10, bench/vspc.ts) is on this one:
 *   a removal cannot be done in fewer than its two writes.
 */
import { resetVspc, timed, vspcNodeRun, vspcStats, countRoutes, type VspcSeed, type VspcSim } from './vspcLib';
import { VspcConsole, type ConsoleUser } from './vspcConsole';
import { BENCH_PASSWORD } from './vspcPlain';

const PAGE = 500;
const ROLE = 'CompanyAdministrator';
const OTHER_ROLE = 'CompanyInvoiceAuditor';

export interface VspcSyncSetup {
	seed: VspcSeed;
	companyUsers: number;
	changes: { add: number; remove: number; role: number };
	latencyMs: number;
}

export interface VspcSyncFigure {
	scenario: string;
	latencyMs: number;
	ms: number;
	/** CPU time of this process (n8n's engine and the node) during the run. */
	cpuMs: number;
	changes: number;
	/** The list pages any Sync of this company must read, plus the token. */
	unavoidable: number;
	requests: number;
	/** requests / (changes + unavoidable), a change counted as 1 (the literal count). */
	ratio: number;
	/** The writes Veeam's API needs for the changes: create 1, role change 1, removal 2 (revoke the tokens, delete). */
	neededWrites: number;
	/** requests / (neededWrites + unavoidable): the goal is ≤ 1.10. */
	ratioToWrites: number;
	/** GET requests (list pages and single reads). */
	reads: number;
	writes: number;
	byRoute: Record<string, number>;
	outcome: Record<string, number>;
}

/** Our node's Sync parameters for one VSPC company (the company's users = the items). */
export function syncParameters(company: string): Record<string, unknown> {
	return {
		resource: 'user',
		operation: 'sync',
		syncOrganization: 'company',
		syncCompany: company,
		scope: 'all',
		userName: '={{ $json.userName }}',
		roles: '={{ $json.role }}',
		password: BENCH_PASSWORD,
		syncMode: 'apply',
		syncOptions: { maxRemovals: 1000, maxRemovalPercent: 100 },
	};
}

export async function benchVspcSync(sim: VspcSim, setup: VspcSyncSetup): Promise<VspcSyncFigure> {
	await resetVspc(sim, setup.seed);
	const admin = await VspcConsole.open(sim.target);
	const companies = await admin.companies();
	const company = companies[0];
	// Set-up at 0 ms: the company gets exactly `companyUsers` users.
	let users = await admin.usersOf(company.instanceUid);
	const missing = setup.companyUsers - users.length;
	if (missing > 0) {
		await VspcConsole.parallel(Array.from({ length: missing }, (_, i) => async () => await admin.create(company.instanceUid, `sync.bench${String(i).padStart(4, '0')}`, ROLE)));
	} else if (missing < 0) {
		await VspcConsole.parallel(users.slice(0, -missing).map((u) => async () => await admin.remove(u)));
	}
	users = await admin.usersOf(company.instanceUid);
	if (users.length !== setup.companyUsers) throw new Error(`company has ${users.length} users, ${setup.companyUsers} wanted`);
	// The Company Owner is made with the company: a sync leaves it alone (never in its list, never removed).
	const kept = users.filter((u) => u.role !== 'CompanyOwner');
	const { add, remove, role } = setup.changes;
	const input: Array<{ userName: string; role: string }> = [
		...kept.slice(remove).map((u: ConsoleUser, i) => ({ userName: u.userName, role: i < role ? (u.role === OTHER_ROLE ? ROLE : OTHER_ROLE) : u.role })),
		...Array.from({ length: add }, (_, i) => ({ userName: `sync.new${String(i).padStart(4, '0')}`, role: ROLE })),
	];

	await sim.control.post('latency', { ms: setup.latencyMs });
	await sim.control.post('stats/reset');
	const { value: run, cpuMs } = await timed(async () => await vspcNodeRun(sim, syncParameters(company.name), input));
	const s = await vspcStats(sim);
	await sim.control.post('latency', { ms: 0 });

	const outcome: Record<string, number> = {};
	for (const j of run.json) {
		const key = String(j.action ?? j.result ?? 'other');
		outcome[key] = (outcome[key] ?? 0) + 1;
	}
	const changes = add + remove + role;
	const neededWrites = add + role + 2 * remove;
	const organizations = (await admin.all('/organizations')).length;
	const unavoidable = Math.ceil(setup.companyUsers / PAGE) + Math.ceil(organizations / PAGE) + 1;
	const after = await admin.usersOf(company.instanceUid);
	const expected = setup.companyUsers - remove + add;
	if (after.length !== expected) throw new Error(`after Sync the company has ${after.length} users, ${expected} expected (outcome ${JSON.stringify(outcome)})`);
	return {
		scenario: `Sync one company of ${setup.companyUsers} users (${add} added, ${remove} removed, ${role} role changes; server with ${setup.seed.companies} companies, ${setup.seed.users.toLocaleString('en')} users), ${setup.latencyMs} ms latency`,
		latencyMs: setup.latencyMs,
		ms: run.ms,
		cpuMs,
		changes,
		unavoidable,
		requests: s.requests,
		ratio: s.requests / (changes + unavoidable),
		neededWrites,
		ratioToWrites: s.requests / (neededWrites + unavoidable),
		reads: countRoutes(s, (r) => r.startsWith('GET ')),
		// Every request but the reads and the login (`POST …/token`; `DELETE …/tokens` is a write).
		writes: countRoutes(s, (r) => !r.startsWith('GET ') && !/^POST \S*\/token$/.test(r)),
		byRoute: s.byRoute,
		outcome,
	};
}
