import { listSearch, loadOptions } from '../../../../nodes/Veeam/methods';
import { startSimulator, type SimServer } from '../../../../sim';
import { ROLE_IDS, USERS, VeeamFixture, routeCount, useSimulator } from '../fixtures';

let sim: SimServer;
let h: VeeamFixture;

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

describe('searchUsers (user locator, "From List")', () => {
	it('pages through the users with the next skip as the token', async () => {
		sim.seed({ count: 200, prefix: 'list' });
		const ctx = h.loadOptionsContext({ resource: 'user', operation: 'get' });
		const first = await listSearch.searchUsers.call(ctx);
		expect(first.results).toHaveLength(100);
		expect(first.paginationToken).toBe('100');
		expect(first.results[0]).toEqual({ name: 'BUILTIN\\Administrators', value: expect.stringMatching(/^[0-9a-f-]{36}$/), description: 'InternalGroup' });
		const second = await listSearch.searchUsers.call(ctx, undefined, first.paginationToken);
		expect(second.paginationToken).toBe('200');
		const third = await listSearch.searchUsers.call(ctx, undefined, second.paginationToken);
		expect(third.results).toHaveLength(6);
		expect(third.paginationToken).toBeUndefined();
		const all = [...first.results, ...second.results, ...third.results].map((r) => r.value);
		expect(new Set(all).size).toBe(206);
	});

	it('sends the search text to the server as *text*, so a user on a late page is found at once', async () => {
		sim.seed({ count: 1000, prefix: 'bulk' });
		const ctx = h.loadOptionsContext({ resource: 'user', operation: 'get' });
		const found = await listSearch.searchUsers.call(ctx, 'sheila');
		expect(found.results.map((r) => r.name)).toEqual(['TECH\\sheila.d.cory']);
		expect(found.paginationToken).toBeUndefined();
		expect(routeCount(sim, `GET ${USERS}`)).toBe(1);
		const some = await listSearch.searchUsers.call(ctx, 'BULK000999');
		expect(some.results.map((r) => r.name)).toEqual(['SEED\\bulk000999']);
	});

	it('lets a real error surface instead of showing an empty list', async () => {
		h.resetCredential({ username: 'VBR01\\viewer' });
		const ctx = h.loadOptionsContext({ resource: 'user', operation: 'get' });
		await expect(listSearch.searchUsers.call(ctx, 'a')).rejects.toThrow('Veeam: Forbidden');
		h.resetCredential({ password: 'not-the-Passw0rd!' });
		const error = await listSearch.searchUsers.call(h.loadOptionsContext({}), '').then(
			() => undefined,
			(e: unknown) => e as Error & { description?: string },
		);
		expect(error?.message).toMatch(/wrong user name or password/);
		expect(JSON.stringify([error, error?.message, error?.description])).not.toContain('not-the-Passw0rd!');
	});
});

describe('searchRoles (role locator) and getRoles (role names)', () => {
	it('lists roles by ID for the locator, filtered by the search text', async () => {
		const ctx = h.loadOptionsContext({ resource: 'role', operation: 'get' });
		const all = await listSearch.searchRoles.call(ctx);
		expect(all.results).toHaveLength(7);
		const operators = await listSearch.searchRoles.call(ctx, 'OPERATOR');
		expect(operators.results.map((r) => r.name)).toEqual(['Backup Operator', 'Incident API Operator', 'Restore Operator', 'Tape Operator']);
		expect(operators.results.find((r) => r.name === 'Restore Operator')?.value).toBe(ROLE_IDS.restoreOperator);
	});

	it('offers the server’s role names (the values are names), sorted', async () => {
		const ctx = h.loadOptionsContext({ resource: 'user', operation: 'onboard' });
		const options = await loadOptions.getRoles.call(ctx);
		expect(options.map((o) => o.value)).toEqual([
			'Backup Administrator',
			'Backup Operator',
			'Backup Viewer',
			'Incident API Operator',
			'Restore Operator',
			'Security Administrator',
			'Tape Operator',
		]);
		expect(options[0]).toEqual({ name: 'Backup Administrator', value: 'Backup Administrator', description: 'Built-in role with full privileges' });
	});

	it('offers a name two roles share (a 1.3-rev2 custom "Restore Operator", as in Veeam\'s RolesResultExample) by each role\'s ID, so that a pick is never ambiguous', async () => {
		const custom = { id: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890', name: 'Restore Operator', description: 'Custom role limited to restore operations', isBuiltIn: false, permissions: [] };
		const other = await startSimulator({ product: 'vbr', vbr: { customRoles: [custom] } });
		try {
			const ctx = new VeeamFixture(other).loadOptionsContext({ resource: 'user', operation: 'onboard' });
			const restore = (await loadOptions.getRoles.call(ctx)).filter((o) => o.name === 'Restore Operator');
			expect(restore.map((o) => o.value).sort()).toEqual([custom.id, ROLE_IDS.restoreOperator].sort());
		} finally {
			await other.close();
		}
	});

	it('follows the product parameter: VBGC asks for its own credential, never the VBR one', async () => {
		const ctx = h.loadOptionsContext({ product: 'vbgc', resource: 'user', operation: 'onboard' });
		await expect(loadOptions.getRoles.call(ctx)).rejects.toThrow(/credentials/i);
		expect(sim.stats.requests).toBe(0);
	});
});
