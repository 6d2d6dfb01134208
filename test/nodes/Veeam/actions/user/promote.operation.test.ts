import type { SimServer } from '../../../../../sim';
import { N8N_MAJOR } from '../../../../support/engine';
import { ROLE_IDS, USERS, VeeamFixture, byId, byName, fromList, mutations, routeCount, simUser, useSimulator } from '../../fixtures';

let sim: SimServer;
let h: VeeamFixture;

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

const SHEILA = 'TECH\\sheila.d.cory'; // starts as Restore Operator

const promote = (params: Record<string, unknown>) => ({ resource: 'user', operation: 'promote', user: byName(SHEILA), ...params });
const rolesOf = (name: string) => simUser(sim, name)?.roles.map((r) => r.name).sort();

describe('User → Promote / change roles', () => {
	it('replaces the roles and outputs them before and after', async () => {
		const run = await h.run(promote({ roleMode: 'replace', roles: ['Backup Operator', 'Backup Viewer'] }));
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({
			action: 'updated',
			before: ['Restore Operator'],
			after: ['Backup Operator', 'Backup Viewer'],
			user: { name: SHEILA },
		});
		expect(run.items[0].pairedItem).toEqual({ item: 0 });
		expect(rolesOf(SHEILA)).toEqual(['Backup Operator', 'Backup Viewer']);
		expect(mutations(sim)).toEqual([['user.roles', SHEILA]]);
	});

	it('adds roles to the ones the user has', async () => {
		const run = await h.run(promote({ roleMode: 'add', roles: ['Backup Administrator', 'Restore Operator'] }));
		expect(run.json[0]).toMatchObject({ action: 'updated', before: ['Restore Operator'], after: ['Restore Operator', 'Backup Administrator'] });
		expect(rolesOf(SHEILA)).toEqual(['Backup Administrator', 'Restore Operator']);
	});

	it('removes roles, keeping the others', async () => {
		await h.run(promote({ roleMode: 'add', roles: ['Backup Viewer', 'Tape Operator'] }));
		const run = await h.run(promote({ roleMode: 'remove', roles: ['Tape Operator', 'Restore Operator'] }));
		expect(run.json[0]).toMatchObject({
			action: 'updated',
			before: ['Restore Operator', 'Backup Viewer', 'Tape Operator'],
			after: ['Backup Viewer'],
		});
		expect(rolesOf(SHEILA)).toEqual(['Backup Viewer']);
	});

	it.each([
		['replace', ['restore operator']],
		['add', ['Restore Operator']],
		['remove', ['Backup Administrator']],
	])('is "unchanged" and sends no PUT when %s changes nothing', async (roleMode, roles) => {
		const run = await h.run(promote({ roleMode, roles }));
		expect(run.json[0]).toMatchObject({ action: 'unchanged', before: ['Restore Operator'], after: ['Restore Operator'] });
		expect(routeCount(sim, `PUT ${USERS}/:id/roles`)).toBe(0);
		expect(mutations(sim)).toEqual([]);
	});

	it('refuses to remove every role before sending anything that changes', async () => {
		const run = await h.run(promote({ roleMode: 'remove', roles: ['Restore Operator'] }));
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe(
			`Role Names or IDs (item 0): removing Restore Operator would leave "${SHEILA}" without any role, and Veeam requires at least one`,
		);
		expect(routeCount(sim, `PUT ${USERS}/:id/roles`)).toBe(0);
		expect(rolesOf(SHEILA)).toEqual(['Restore Operator']);
	});

	it('refuses an empty role list (from an expression) before any request', async () => {
		const run = await h.run(promote({ roleMode: 'replace', roles: '={{ $json.roles }}' }), [{ roles: [] }]);
		expect(run.error?.message).toBe('Role Names or IDs (item 0): no role given: a Veeam user needs at least one role');
		expect(sim.stats.requests).toBe(0);
	});

	it('finds the user by ID, from the list (ID) and by name in any case, per item', async () => {
		const id = simUser(sim, SHEILA)!.id;
		const run = await h.run(promote({ user: '={{ $json.user }}', roleMode: 'add', roles: '={{ $json.roles }}' }), [
			{ user: byId(id), roles: ['Backup Viewer'] },
			{ user: fromList(id), roles: ['Tape Operator'] },
			{ user: byName('tech\\SHEILA.D.CORY'), roles: [ROLE_IDS.backupOperator] },
		]);
		expect(run.error).toBeUndefined();
		expect(run.json.map((j) => j.after)).toEqual([
			['Restore Operator', 'Backup Viewer'],
			['Restore Operator', 'Backup Viewer', 'Tape Operator'],
			['Restore Operator', 'Backup Viewer', 'Tape Operator', 'Backup Operator'],
		]);
	});

	it.each([
		['id', 'not-a-uuid', 'User (item 0): "not-a-uuid" is not a Veeam Backup & Replication ID (a UUID such as'],
		['list', 'TECH\\sheila.d.cory', 'User (item 0): "TECH\\sheila.d.cory" is not a Veeam Backup & Replication ID'],
		['id', '', 'User (item 0): is empty'],
		['name', '  ', 'User (item 0): is empty'],
		['name', { name: SHEILA }, 'User (item 0): must be text, but the value is an object'],
	])('refuses a malformed %s locator value %j (from an expression) before any request', async (mode, value, message) => {
		const run = await h.run(promote({ user: { __rl: true, mode, value: '={{ $json.value }}' }, roles: ['Backup Viewer'] }), [{ value }]);
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toContain(message);
		expect(sim.stats.requests).toBe(0);
	});

	it("n8n itself refuses a typed-in ID that fails the locator's UUID check", async () => {
		// n8n 2.x names the locator's rule; n8n 1.x refuses the whole workflow for the parameter issue.
		await expect(h.run(promote({ user: byId('not-a-uuid'), roles: ['Backup Viewer'] }))).rejects.toThrow(
			N8N_MAJOR >= 2 ? 'Not a valid Veeam user ID (a UUID)' : 'The workflow has issues and cannot be executed',
		);
		expect(sim.stats.requests).toBe(0);
	});

	it.each([
		[byName('TECH\\nobody'), 'User (item 0): no Veeam user or group with name "TECH\\nobody"'],
		[byId('00000000-0000-4000-8000-000000000000'), 'User (item 0): no Veeam user or group with ID 00000000-0000-4000-8000-000000000000'],
	])('fails for a user that does not exist (%j), changing nothing', async (user, message) => {
		const run = await h.run(promote({ user, roles: ['Backup Viewer'] }));
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe(message);
		expect(mutations(sim)).toEqual([]);
	});
});
