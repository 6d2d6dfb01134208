import type { SimServer } from '../../../../sim';
import { USERS, VeeamFixture, byName, mutations, routeCount, useSimulator } from '../fixtures';

let sim: SimServer;
let h: VeeamFixture;

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

const onboard = { resource: 'user', operation: 'onboard', userName: '={{ $json.name }}', roles: '={{ $json.roles }}' };

describe('continue on fail', () => {
	it('gives one error item per failing item, paired to it, and the other items go on', async () => {
		const run = await h.run(
			onboard,
			[
				{ name: 'TECH\\first', roles: ['Restore Operator'] },
				{ name: 'TECH\\a\\b', roles: ['Restore Operator'] }, // bad input
				{ name: 'TECH\\third', roles: ['Chief Wizard'] }, // unknown role
				{ name: 'TECH\\fourth', roles: ['Backup Viewer'] },
			],
			{ continueOnFail: true },
		);
		expect(run.error).toBeUndefined();
		expect(run.items).toEqual([
			{ json: expect.objectContaining({ action: 'created' }), pairedItem: { item: 0 } },
			{
				json: { error: 'User Name (item 1): "TECH\\a\\b" is not a Windows account name: write it as name, DOMAIN\\name or name@domain' },
				pairedItem: { item: 1 },
			},
			{ json: { error: 'Role Names or IDs (item 2): unknown role "Chief Wizard"' }, pairedItem: { item: 2 } },
			{ json: expect.objectContaining({ action: 'created' }), pairedItem: { item: 3 } },
		]);
		// Items run in parallel: the server may see them in either order.
		expect(mutations(sim).sort()).toEqual([
			['user.create', 'TECH\\first'],
			['user.create', 'TECH\\fourth'],
		]);
	});

	it('pairs error items with their input also when items fan out (Get Many)', async () => {
		// More output items than input items: n8n cannot pair them by position, the node must.
		const run = await h.run(
			{ resource: 'user', operation: 'getMany', returnAll: true, filters: { namePattern: '={{ $json.pattern }}' } },
			[{ pattern: 'VBR01\\*' }, { pattern: { not: 'text' } }, { pattern: 'TECH\\s*' }],
			{ continueOnFail: true },
		);
		expect(run.items.map((i) => [i.json.name ?? i.json.error, i.pairedItem])).toEqual([
			['VBR01\\admin', { item: 0 }],
			['VBR01\\svc-n8n', { item: 0 }],
			['VBR01\\viewer', { item: 0 }],
			['Name Pattern (item 1): must be text, but the value is an object', { item: 1 }],
			['TECH\\sheila.d.cory', { item: 2 }],
		]);
	});

	it('turns a Veeam error on one item into its error item, carrying Veeam’s message', async () => {
		// 500 is not retried (the server may have failed half-way; Veeam's body says what happened).
		sim.addFault({ kind: 'status', status: 500, method: 'POST', pathIncludes: '/security/users', after: 1 });
		const run = await h.run(
			onboard,
			['TECH\\a', 'TECH\\b', 'TECH\\c'].map((name) => ({ name, roles: ['Restore Operator'] })),
			{ continueOnFail: true },
		);
		expect(run.items.map((i) => [i.json.action ?? i.json.error, i.pairedItem])).toEqual([
			['created', { item: 0 }],
			['Veeam: The service is temporarily unavailable.', { item: 1 }],
			['created', { item: 2 }],
		]);
	});

	it('without it, the first failure stops the run with the item named (one item at a time: nothing after it)', async () => {
		sim.addFault({ kind: 'status', status: 500, method: 'POST', pathIncludes: '/security/users', after: 1 });
		const run = await h.run(
			{ ...onboard, options: { concurrency: 1 } },
			['TECH\\a', 'TECH\\b', 'TECH\\c'].map((name) => ({ name, roles: ['Restore Operator'] })),
		);
		expect(run.error?.name).toBe('NodeApiError');
		expect(run.error?.message).toBe('Veeam: The service is temporarily unavailable.');
		expect((run.error as unknown as { context: { itemIndex: number } }).context.itemIndex).toBe(1);
		expect(mutations(sim)).toEqual([['user.create', 'TECH\\a']]);
	});

	it('without it, in parallel: no item starts after the failure; only those already under way finish', async () => {
		// Concurrency 2: items 0 and 1 start together; item 2 only if item 0 finishes before item 1 fails.
		sim.addFault({ kind: 'status', status: 500, method: 'POST', pathIncludes: '/security/users', after: 1 });
		const names = ['a', 'b', 'c', 'd', 'e', 'f'].map((n) => `TECH\\${n}`);
		const run = await h.run({ ...onboard, options: { concurrency: 2 } }, names.map((name) => ({ name, roles: ['Restore Operator'] })));
		expect((run.error as unknown as { context: { itemIndex: number } }).context.itemIndex).toBe(1);
		const created = mutations(sim).map(([, name]) => name);
		expect(created).toContain('TECH\\a');
		expect(created.filter((name) => !['TECH\\a', 'TECH\\c'].includes(name))).toEqual([]);
	});
});

describe('dispatch', () => {
	it('refuses an operation the resource does not have', async () => {
		const run = await h.run({ resource: 'role', operation: 'offboard' });
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe('The operation "offboard" is not supported for resource "role"');
		expect(sim.stats.requests).toBe(0);
	});

	it('answers "Custom API Call" (which n8n adds to Resource and Operation) with where to make it', async () => {
		for (const parameters of [{ resource: '__CUSTOM_API_CALL__' }, { resource: 'user', operation: '__CUSTOM_API_CALL__' }]) {
			const run = await h.run(parameters);
			expect(run.error?.name).toBe('NodeOperationError');
			expect(run.error?.message).toBe('Custom API Call is made with an HTTP Request node, not with this node');
			expect(run.error?.description).toMatch(/HTTP Request node.*Predefined Credential Type/);
		}
		expect(sim.stats.requests).toBe(0);
	});

	it('refuses an operation the product does not have, before any request', async () => {
		// The editor hides the MFA resource for VBR; an expression (or an editor that does not hide it) gets a clear error.
		const enable = await h.run({ resource: 'mfa', operation: 'enable', user: byName('VBR01\\admin') });
		expect(enable.error?.message).toBe('Veeam Backup & Replication has no MFA setup through its API');
		const change = await h.run({ resource: 'user', operation: 'changePassword', user: byName('VBR01\\admin'), oldPassword: 'x', newPassword: 'y' });
		expect(change.error?.message).toBe('Veeam Backup & Replication keeps no passwords for its users');
		expect(sim.stats.requests).toBe(0);
	});

	it('builds one directory per execution: roles are looked up again in the next execution', async () => {
		await h.run(onboard, [{ name: 'TECH\\one', roles: ['Restore Operator'] }]);
		await h.run(onboard, [{ name: 'TECH\\two', roles: ['Restore Operator'] }]);
		expect(routeCount(sim, 'GET /api/v1/security/roles')).toBe(2);
		expect(routeCount(sim, `POST ${USERS}`)).toBe(2);
	});
});
