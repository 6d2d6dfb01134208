/**
 * What User → Sync with custom roles costs, in requests, counted on the simulator (issue 27's "Done
 * when": 50 declared roles against a server with 50). The role list carries neither the permissions
 * nor the scopes (`RoleModel`: id, name, description, isBuiltIn), so comparing a declared role takes
 * its details: Plan = 1 list + 1 details per declared role the server has, read in parallel, + 1
 * holders read (`GET /users?roleIdFilter=`) per role to delete (roles only: no user list); Apply
 * repeats the plan's reads and adds 1 write per changed role, the read-back (1 list after each phase,
 * plus the details of each created role and of each role updated beyond name and description), 1
 * details read per role to delete before its DELETE (deleted only when its details confirm a custom
 * role) and one read of the pending four-eyes requests.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSimulator, VBR_DEFAULT_PASSWORD, type SimServer } from '../../../../../sim';
import type { VbrRole } from '../../../../../sim/vbr/roles';
import { shutdownEngine } from '../../../../support/engine';
import { simClient } from '../../../../support/simClient';
import { VeeamFixture } from '../../fixtures';

const ROLES = '/api/v1/security/roles';
const N = 50;
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const name = (n: number) => `Team-${String(n).padStart(2, '0')}`;
const SEED: VbrRole[] = Array.from({ length: N }, (_, n) => ({ id: id(n), name: name(n), description: `${name(n)} role`, isBuiltIn: false, permissions: ['ViewBackups', 'StartRestore'] }));
const ALL_REPOSITORIES = { allRepositories: true };
const ONE_REPOSITORY = { allRepositories: false, repositories: [{ repositoryId: '88788f9e-d8f5-4eb4-bc4f-9b3f5403bcec' }] };

let sim: SimServer;
let h: VeeamFixture;
const table: string[] = [];

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbr', vbr: { customRoles: SEED } });
	h = new VeeamFixture(sim);
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
	process.stdout.write(`\nSync of ${N} declared custom roles against ${N} on the server, requests by route:\n${table.join('\n')}\n`);
});

async function adminClient() {
	const anonymous = simClient(sim, { apiVersion: '1.3-rev2' });
	const login = await anonymous.post(
		'/api/oauth2/token',
		new URLSearchParams({ grant_type: 'password', username: 'VBR01\\admin', password: VBR_DEFAULT_PASSWORD }).toString(),
		{ headers: { 'content-type': 'application/x-www-form-urlencoded' } },
	);
	return simClient(sim, { apiVersion: '1.3-rev2', token: (login.data as { access_token: string }).access_token });
}

/** The declared list: every role as the server has it, the first `changed` with another description (or, with scopes, another repository scope). */
function declared(changed: number, scopes: boolean): IDataObject[] {
	return SEED.map((r, n) => ({
		name: r.name,
		description: !scopes && n < changed ? 'changed by the sync' : r.description,
		manageBackups: false,
		manageRestores: true,
		...(scopes ? { repositoryScope: n < changed ? ONE_REPOSITORY : ALL_REPOSITORIES } : {}),
	}));
}

/** Requests per role route (login and the user list left out: the sync manages custom roles only). */
function cost(): Record<string, number> {
	return Object.fromEntries(
		Object.entries(sim.stats.byRoute)
			.filter(([route]) => !route.includes('/oauth2/'))
			.sort(([a], [b]) => a.localeCompare(b)),
	);
}

describe.each([false, true])('with scopes declared: %s', (scopes) => {
	beforeEach(async () => {
		sim.reset();
		h.resetCredential();
		if (scopes) {
			const admin = await adminClient();
			for (const r of SEED) {
				const res = await admin.put(`${ROLES}/${r.id}`, { id: r.id, name: r.name, description: r.description, manageBackups: false, manageRestores: true, repositoryScope: ALL_REPOSITORIES });
				expect(res.status).toBe(200);
			}
		}
		sim.stats.reset();
	});

	const params = (changed: number, mode: string) => ({
		resource: 'user',
		operation: 'sync',
		manage: 'customRoles',
		customRoles: JSON.stringify(declared(changed, scopes)),
		customRoleScope: 'all',
		syncMode: mode,
	});

	it.each([0, 5, 50])('%i changed: Plan reads 1 list + 50 details; Apply adds 1 PUT per changed role and the read-back', async (changed) => {
		const plan = await h.run(params(changed, 'plan'), [{}]);
		expect(plan.error).toBeUndefined();
		expect(plan.json.filter((j) => j.action === 'update')).toHaveLength(changed);
		const planCost = cost();
		expect(planCost).toEqual({ [`GET ${ROLES}`]: 1, [`GET ${ROLES}/:id/details`]: N });
		table.push(`  scopes ${String(scopes).padEnd(5)} changed ${String(changed).padStart(2)}  Plan:  ${JSON.stringify(planCost)}`);

		sim.stats.reset();
		const apply = await h.run(params(changed, 'apply'), [{}]);
		expect(apply.error).toBeUndefined();
		expect(apply.json.filter((j) => j.result === 'updated')).toHaveLength(changed);
		const applyCost = cost();
		const expected: Record<string, number> = { [`GET ${ROLES}`]: changed ? 2 : 1, [`GET ${ROLES}/:id/details`]: N + (scopes ? changed : 0) };
		if (changed) {
			expected[`PUT ${ROLES}/:id`] = changed;
			// The pending four-eyes requests, read once before the first change (confirm.ts).
			expected['GET /api/v1/authorization/events'] = 1;
		}
		expect(applyCost).toEqual(expected);
		table.push(`  scopes ${String(scopes).padEnd(5)} changed ${String(changed).padStart(2)}  Apply: ${JSON.stringify(applyCost)}`);

		// Done: a second run finds nothing to change.
		const again = await h.run(params(changed, 'plan'), [{}]);
		expect(again.json.filter((j) => j.action !== 'unchanged')).toEqual([]);
	});
});

/** The routes with a count (a route never asked is not in the statistics). */
const nonZero = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));

describe('roles created and deleted (the first k declared under new names: k creates, k deletes)', () => {
	beforeEach(() => {
		sim.reset();
		h.resetCredential();
		sim.stats.reset();
	});

	const params = (k: number, mode: string) => ({
		resource: 'user',
		operation: 'sync',
		manage: 'customRoles',
		customRoles: JSON.stringify(declared(0, false).map((r, n) => (n < k ? { ...r, name: `New-${String(n).padStart(2, '0')}` } : r))),
		customRoleScope: 'all',
		syncMode: mode,
		syncOptions: { maxRemovals: N, maxRemovalPercent: 100 },
	});

	it.each([5, 50])('%i: Plan reads 1 list + the details of the roles kept + who holds each role to delete; Apply adds per create 1 POST + 1 details read back, per delete 1 details (custom?) + 1 DELETE', async (k) => {
		const plan = await h.run(params(k, 'plan'), [{}]);
		expect(plan.error).toBeUndefined();
		const planCost = cost();
		expect(planCost).toEqual(nonZero({ [`GET ${ROLES}`]: 1, [`GET ${ROLES}/:id/details`]: N - k, 'GET /api/v1/security/users': k }));
		table.push(`  created ${String(k).padStart(2)} deleted ${String(k).padStart(2)}  Plan:  ${JSON.stringify(planCost)}`);

		sim.stats.reset();
		const apply = await h.run(params(k, 'apply'), [{}]);
		expect(apply.error).toBeUndefined();
		expect(apply.json.filter((j) => j.result === 'created')).toHaveLength(k);
		expect(apply.json.filter((j) => j.result === 'deleted')).toHaveLength(k);
		const applyCost = cost();
		expect(applyCost).toEqual({
			// The plan's list, then one read-back list after the creates and one after the deletes.
			[`GET ${ROLES}`]: 3,
			// The plan's (the roles kept), each created role read back, each role to delete checked custom first.
			[`GET ${ROLES}/:id/details`]: N - k + k + k,
			'GET /api/v1/security/users': k,
			[`POST ${ROLES}`]: k,
			[`DELETE ${ROLES}/:id`]: k,
			'GET /api/v1/authorization/events': 1,
		});
		table.push(`  created ${String(k).padStart(2)} deleted ${String(k).padStart(2)}  Apply: ${JSON.stringify(applyCost)}`);

		const again = await h.run(params(k, 'plan'), [{}]);
		expect(again.json.filter((j) => j.action !== 'unchanged')).toEqual([]);
	});
});
