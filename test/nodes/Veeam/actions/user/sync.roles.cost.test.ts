/**
 * What User → Sync with custom roles costs, in requests, counted on the simulator (issue 27's "Done
 * when": 50 declared roles against a server with 50). The role list carries neither the permissions
 * nor the scopes (`RoleModel`: id, name, description, isBuiltIn), so comparing a declared role takes
 * its details: Plan = 1 list + 1 details per declared role the server has, read in parallel; Apply
 * adds 1 write per changed role and the read-back (1 list after the phase, plus the details of each
 * role updated beyond name and description) and one read of the pending four-eyes requests.
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
