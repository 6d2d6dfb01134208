/**
 * What User → Sync of one VSPC company costs, in requests, counted on the simulator (issue 28: "a
 * Sync of one company of 200 users: requests within 10 % of the changes plus the pages"). The server
 * holds 2,000 users of 20 other companies besides the company's 200, so reading more than the
 * company's pages would show. Each change costs its writes: a create 1 POST, a user's role and
 * profile changes together 1 PATCH, a removal 2 (its tokens revoked, then the user deleted); the
 * removals' logins are read back once, together. Reads: the token, the organization list, the
 * company's user pages. Not the companies list (status and reseller are the Access Report's), nor
 * the credential's own user (`GET /users/me`): with a user name in the credential, the own-account
 * guard compares the company's users with it (sync.vspc.ownAccount.test.ts).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator, VSPC_COMPANY_ALPHA_UID, type SimServer } from '../../../../../sim';
import { shutdownEngine } from '../../../../support/engine';
import { VspcFixture } from '../../vspc/fixture';

const COMPANY_USERS = 200;
const OTHER_COMPANIES = 20;
const PER_OTHER = 100;

let sim: SimServer;
let h: VspcFixture;
const table: string[] = [];

beforeAll(async () => {
	sim = await startSimulator({ product: 'vspc' });
	h = new VspcFixture(sim);
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
	process.stdout.write(`\nSync of one VSPC company of ${COMPANY_USERS} users (server: ${OTHER_COMPANIES * PER_OTHER + COMPANY_USERS} users), requests by route:\n${table.join('\n')}\n`);
});

function seed(): void {
	sim.reset();
	h.resetCredential();
	for (let c = 0; c < OTHER_COMPANIES; c++) {
		const company = h.vspc.addCompany({ name: `Other ${String(c).padStart(2, '0')}` });
		h.vspc.seedUsers({ count: PER_OTHER, organizationUid: company.uid, prefix: `other${c}.u`, roles: ['CompanyLocationUser'] });
	}
	// Alpha has its owner, alpha.admin and alpha.user already.
	h.vspc.seedUsers({ count: COMPANY_USERS - 3, organizationUid: VSPC_COMPANY_ALPHA_UID, prefix: 'alpha.u', roles: ['CompanyLocationUser'] });
}

interface Row extends IDataObject {
	name: string;
	role: string;
	email?: string;
}

/** Alpha's users as rows (the owner left out: a sync never lists it), with `add` new, `remove` left out, `role` role changes and `profile` email changes. */
function rows(change: { add: number; remove: number; role: number; profile: number }): Row[] {
	const users = (h.vspc.snapshot().users as Array<{ userName: string; organizationUid: string; role: string }>)
		.filter((u) => u.organizationUid === VSPC_COMPANY_ALPHA_UID && u.role !== 'CompanyOwner')
		.sort((a, b) => a.userName.localeCompare(b.userName));
	const kept = users.slice(change.remove);
	return [
		...kept.map((u, i) => ({
			name: u.userName,
			role: i < change.role ? (u.role === 'CompanyLocationUser' ? 'CompanyInvoiceAuditor' : 'CompanyLocationUser') : u.role,
			...(i >= change.role && i < change.role + change.profile ? { email: `${u.userName.replace(/\W/g, '')}@alpha.com` } : {}),
		})),
		...Array.from({ length: change.add }, (_, i) => ({ name: `alpha.new${String(i).padStart(3, '0')}`, role: 'CompanyAdministrator' })),
	];
}

const params = (mode: string): INodeParameters => ({
	resource: 'user',
	operation: 'sync',
	syncOrganization: 'company',
	syncCompany: 'Alpha',
	scope: 'all',
	userName: '={{ $json.name }}',
	roles: '={{ $json.role }}',
	profileEmail: '={{ $json.email ?? "" }}',
	password: 'Sync-Passw0rd!42',
	syncMode: mode,
	syncOptions: { maxRemovals: 1000, maxRemovalPercent: 100 },
});

/** Requests by route (method and path pattern), the token included. */
const cost = (): Record<string, number> => Object.fromEntries(Object.entries(sim.stats.byRoute).filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b)));
const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);

describe.each([
	{ add: 0, remove: 0, role: 0, profile: 0 },
	{ add: 5, remove: 5, role: 5, profile: 5 },
	{ add: 20, remove: 20, role: 10, profile: 10 },
])('changes %o', (change) => {
	it('Plan reads the token, the organizations and the company\'s one page; Apply adds its writes, one users read-back and one logins read-back', async () => {
		seed();
		const list = rows(change);
		sim.stats.reset();
		const plan = await h.run(params('plan'), list);
		expect(plan.error).toBeUndefined();
		const planCost = cost();
		table.push(`  ${JSON.stringify(change)}  Plan:  ${JSON.stringify(planCost)}`);
		const reads = total(planCost);
		// Token + Alpha's users (1 page of 200, of 2,200 on the server) + the organizations (24: 1 page).
		// Neither the companies list nor who the credential is (its user name decides: no user of Alpha has it).
		expect(planCost).toEqual({ 'GET /api/v3/organizations': 1, 'GET /api/v3/users': 1, 'POST /api/v3/token': 1 });
		expect(reads).toBe(3);

		sim.stats.reset();
		h.resetCredential();
		const apply = await h.run(params('apply'), list);
		expect(apply.error).toBeUndefined();
		const applyCost = cost();
		table.push(`  ${JSON.stringify(change)}  Apply: ${JSON.stringify(applyCost)}`);
		const results = apply.json.map((j) => String(j.result));
		expect(results.filter((r) => r === 'created')).toHaveLength(change.add);
		expect(results.filter((r) => r === 'removed')).toHaveLength(change.remove);
		expect(results.filter((r) => r === 'rolesChanged' || r === 'updated')).toHaveLength(change.role + change.profile);
		const writes = change.add + change.role + change.profile + 2 * change.remove;
		// The removed users read back (one filtered users page) and their logins (one filtered logins page).
		const readBack = change.remove > 0 ? 2 : 0;
		expect(total(applyCost)).toBe(reads + writes + readBack);
		// The goal: within 10 % of the changes' writes plus the pages (here exactly the read-back over).
		expect(total(applyCost)).toBeLessThanOrEqual(1.1 * (writes + reads));

		const again = await h.run(params('plan'), list);
		expect(again.json.filter((j) => j.action !== 'unchanged' && j.action !== 'protected')).toEqual([]);
	});
});
