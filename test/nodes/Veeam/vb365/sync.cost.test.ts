/**
 * What Restore Operator → Sync of one VB365 organization costs, in requests, counted on the
 * simulator: an organization of 500 users and 100 roles (3 operators each), a leaver named by 60
 * of them, and a list (by directory ID) that keeps everyone else and adds 5 newcomers to one role
 * each (no role names them: a look-up each). Plan: the token, the organizations, the organization's
 * role list, one operators read per role, one look-up per newcomer. Apply: the same, then per role that changes one add
 * and/or one removal, each with its read-back. Nothing per (operator, role) pair.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../../../sim';
import { shutdownEngine } from '../../../support/engine';
import { byName, Vb365Fixture, type SimRole } from './fixture';

const ORG = 'bench.onmicrosoft.com';
const LEAVER = `leaver@${ORG}`;
const ROLES = 100;
const LEAVER_ROLES = 60;
const NEWCOMERS = 5;

let sim: SimServer;
let h: Vb365Fixture;
const table: string[] = [];

beforeAll(async () => {
	sim = await startSimulator({ product: 'vb365' });
	h = new Vb365Fixture(sim);
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
	process.stdout.write(`\nSync of one VB365 organization (${ROLES} roles, leaver in ${LEAVER_ROLES}, ${NEWCOMERS} newcomers), requests by route:\n${table.join('\n')}\n`);
});

const params = (mode: string): INodeParameters => ({
	resource: 'restoreOperator',
	operation: 'sync',
	organization: byName(ORG),
	operator: '={{ $json.operator }}',
	operatorType: 'user',
	restoreRoles: '={{ $json.role }}',
	syncMode: mode,
	syncOptions: { maxRemovals: 1000, maxRemovalPercent: 100, concurrency: 8 },
});

const cost = (): Record<string, number> => Object.fromEntries(Object.entries(sim.stats.byRoute).filter(([, n]) => n > 0).sort(([a], [b]) => a.localeCompare(b)));
const total = (c: Record<string, number>) => Object.values(c).reduce((a, b) => a + b, 0);

test('Plan reads the role list and one operators list per role; Apply adds one add or removal per role that changes, with its read-back', async () => {
	sim.reset();
	h.resetCredential();
	h.vb365.seedUsers({ count: 500, organizationName: ORG, roleCount: ROLES, groups: 20, operatorsPerRole: 3, leaver: LEAVER, leaverRoles: LEAVER_ROLES });
	const roles = h.roles().filter((r: SimRole) => r.name.startsWith('Seed Role'));
	expect(roles).toHaveLength(ROLES);
	const orgId = roles[0].organizationId;
	const named = new Set<string>();
	const rows: IDataObject[] = [];
	for (const role of roles) {
		for (const o of role.operators) {
			const name = String(o.user?.name);
			named.add(name.toLowerCase());
			// By ID, as a directory export gives them: matched among the operators read, no look-up.
			if (name.toLowerCase() !== LEAVER) rows.push({ operator: String(o.user?.id), role: role.name });
		}
	}
	// Newcomers: seeded users no role names, given by their directory ID.
	const newcomers: string[] = [];
	for (let n = 1; newcomers.length < NEWCOMERS; n++) {
		const name = `seed.user${String(n).padStart(6, '0')}@${ORG}`;
		if (!named.has(name)) newcomers.push(name);
	}
	newcomers.forEach((name, i) => rows.push({ operator: h.idOf(name, orgId), role: roles[i].name }));

	sim.stats.reset();
	// 20 ms a request, so that reads sent together are seen in flight together (at most Concurrency).
	sim.latencyMs = 20;
	const plan = await h.run(params('plan'), rows).finally(() => {
		sim.latencyMs = 0;
	});
	expect(plan.error).toBeUndefined();
	expect(sim.stats.maxInFlight).toBeGreaterThan(1);
	expect(sim.stats.maxInFlight).toBeLessThanOrEqual(8);
	const planCost = cost();
	table.push(`  Plan:  ${JSON.stringify(planCost)} = ${total(planCost)}; most in flight ${sim.stats.maxInFlight}`);
	expect(planCost['GET /:version/Organizations/:organizationId/RbacRoles']).toBe(1);
	expect(planCost['GET /:version/RbacRoles/:roleId/operators']).toBe(ROLES);
	expect(Object.keys(planCost).every((r) => r.startsWith('GET ') || r.includes('/token'))).toBe(true);
	const actions = plan.json.map((j) => String(j.action));
	expect(actions.filter((a) => a === 'remove')).toEqual(['remove']);
	expect(actions.filter((a) => a === 'add')).toHaveLength(NEWCOMERS);

	sim.stats.reset();
	h.resetCredential();
	const apply = await h.run(params('apply'), rows);
	expect(apply.error).toBeUndefined();
	const applyCost = cost();
	table.push(`  Apply: ${JSON.stringify(applyCost)} = ${total(applyCost)}`);
	const results = apply.json.map((j) => String(j.result));
	expect(results.filter((r) => r === 'removed')).toHaveLength(1);
	expect(results.filter((r) => r === 'added')).toHaveLength(NEWCOMERS);
	// One removal per role naming the leaver, one add per role given a newcomer; each read back once.
	expect(applyCost['DELETE /:version/RbacRoles/:roleId/operators']).toBe(LEAVER_ROLES);
	expect(applyCost['POST /:version/RbacRoles/:roleId/operators']).toBe(NEWCOMERS);
	expect(applyCost['GET /:version/RbacRoles/:roleId/operators']).toBe(ROLES + LEAVER_ROLES + NEWCOMERS);
	expect(total(applyCost)).toBe(total(planCost) + 2 * (LEAVER_ROLES + NEWCOMERS));
	expect(h.roles().filter((r) => r.operators.some((o) => String(o.user?.name).toLowerCase() === LEAVER))).toEqual([]);

	const again = await h.run(params('plan'), rows);
	expect(again.json.filter((j) => j.action !== 'unchanged')).toEqual([]);
});
