/** User → Get Many, Role → Get Many / Get, and the editor's lists, on Veeam Backup for Google Cloud. */
import { listSearch, loadOptions } from '../../../../nodes/Veeam/methods';
import { startSimulator, type SimServer } from '../../../../sim';
import { shutdownEngine } from '../../../support/engine';
import { VBGC_ROLE_IDS, VBGC_USERS, VbgcFixture, byId, byName, routeCount } from '../fixtures';

let sim: SimServer;
let h: VbgcFixture;

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbgc' });
	h = new VbgcFixture(sim);
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});
beforeEach(() => {
	sim.reset();
	h.resetCredential();
});

const getMany = (params: Record<string, unknown>) => ({ resource: 'user', operation: 'getMany', ...params });
const names = (json: Array<Record<string, unknown>>) => json.map((j) => j.name);
/** The four users the simulator starts with, by name. */
const INITIAL = ['administrator', 'mfa-admin', 'operator', 'restorer'];

describe('User → Get Many', () => {
	it('returns all of 1,204 users in ceil(1204/500) = 3 list requests (the server clamps the page to 500)', async () => {
		sim.seed({ count: 1200, prefix: 'page' });
		const run = await h.run(getMany({ returnAll: true }));
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(1204);
		expect(new Set(run.json.map((j) => j.name)).size).toBe(1204);
		expect(run.json[0]).not.toHaveProperty('ref');
		expect(routeCount(sim, `GET ${VBGC_USERS}`)).toBe(Math.ceil(1204 / 500));
		expect(run.items.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
		// In name order across the pages.
		expect(names(run.json).slice(0, 5)).toEqual(['administrator', 'mfa-admin', 'operator', 'page000001', 'page000002']);
		expect(names(run.json).at(-1)).toBe('restorer');
	});

	it('follows a server that pages by 3 (its total, not a page size of its own)', async () => {
		const small = await startSimulator({ product: 'vbgc', vbgc: { maxPageSize: 3 } });
		try {
			small.seed({ count: 7, prefix: 'small' });
			const run = await new VbgcFixture(small).run(getMany({ returnAll: true }));
			expect(run.items).toHaveLength(11);
			expect(small.stats.byRoute[`GET ${VBGC_USERS}`]).toBe(Math.ceil(11 / 3));
		} finally {
			await small.close();
		}
	});

	it('stops at the limit, asking only for what it needs', async () => {
		sim.seed({ count: 1200, prefix: 'page' });
		const run = await h.run(getMany({ returnAll: false, limit: 7 }));
		expect(run.items).toHaveLength(7);
		expect(routeCount(sim, `GET ${VBGC_USERS}`)).toBe(1);
		const limited = await h.run(getMany({ limit: 600 }));
		expect(limited.items).toHaveLength(600);
		expect(routeCount(sim, `GET ${VBGC_USERS}`)).toBe(1 + 2);
	});

	it('uses the default limit of 50', async () => {
		sim.seed({ count: 80 });
		expect((await h.run(getMany({}))).items).toHaveLength(50);
	});

	it.each([
		[{ namePattern: 'ADMIN' }, ['administrator', 'mfa-admin']],
		[{ namePattern: 'admin*' }, ['administrator']],
		[{ namePattern: '*-admin' }, ['mfa-admin']],
		[{ namePattern: '?perator' }, ['operator']],
		[{ namePattern: 'operator' }, ['operator']],
		[{ mfaEnabled: true }, ['mfa-admin']],
		[{ mfaEnabled: false, namePattern: 'admin' }, ['administrator']],
	])('filters %j on the server', async (filters, expected) => {
		sim.seed({ count: 600, prefix: 'noise' });
		const run = await h.run(getMany({ returnAll: true, filters }));
		expect(names(run.json)).toEqual(expected);
		expect(routeCount(sim, `GET ${VBGC_USERS}`)).toBe(1);
	});

	it.each([
		[{}, INITIAL],
		[{ sortBy: 'name', sortDirection: 'DESC' }, [...INITIAL].reverse()],
		// descriptions: Administrator with MFA, Backup operator, Default administrator, Restore operator
		[{ sortBy: 'description' }, ['mfa-admin', 'operator', 'administrator', 'restorer']],
		[{ sortBy: 'mfaEnabled', sortDirection: 'DESC' }, ['mfa-admin', 'administrator', 'operator', 'restorer']],
		[{ sortBy: 'type' }, ['administrator', 'mfa-admin', 'operator', 'restorer']],
		[{ offset: 2 }, ['operator', 'restorer']],
		[{ offset: 1, sortDirection: 'DESC' }, ['operator', 'mfa-admin', 'administrator']],
		[{ offset: 10 }, []],
	])('orders and offsets %j on the server', async (options, expected) => {
		const run = await h.run(getMany({ returnAll: true, options }));
		expect(run.error).toBeUndefined();
		expect(names(run.json)).toEqual(expected);
		expect(routeCount(sim, `GET ${VBGC_USERS}`)).toBe(1);
	});

	it('an offset deep into a large list costs only the pages after it', async () => {
		sim.seed({ count: 1200, prefix: 'page' });
		const run = await h.run(getMany({ returnAll: true, options: { offset: 1000 } }));
		expect(run.items).toHaveLength(204);
		expect(routeCount(sim, `GET ${VBGC_USERS}`)).toBe(1);
		expect(run.json[0].name).toBe('page000998'); // after administrator, mfa-admin, operator and page000001…page000997
	});

	it.each([
		['a negative offset', { options: { offset: '={{ -1 }}' } }, 'Offset (item 0): must be a whole number of at least 0, not -1'],
		['an unknown sort property', { options: { sortBy: '={{ "roles" }}' } }, 'Sort By (item 0): "roles" is not one of name, description, type, mfaEnabled'],
		['a filter that is not text', { filters: { namePattern: '={{ $json }}' } }, 'Name Pattern (item 0): must be text, but the value is an object'],
	])('refuses %s before any request', async (_what, params, message) => {
		const run = await h.run(getMany(params));
		expect(run.error?.message).toBe(message);
		expect(sim.stats.requests).toBe(0);
	});

	it('one input item per query: each item gets its own results, paired to it', async () => {
		const run = await h.run(getMany({ returnAll: true, filters: { namePattern: '={{ $json.pattern }}' } }), [
			{ pattern: 'admin' },
			{ pattern: 'rest' },
		]);
		expect(run.items.map((i) => [i.json.name, i.pairedItem])).toEqual([
			['administrator', { item: 0 }],
			['mfa-admin', { item: 0 }],
			['restorer', { item: 1 }],
		]);
	});
});

describe('Role → Get Many / Get', () => {
	it('lists the three VBGC roles with their IDs, in one request', async () => {
		const run = await h.run({ resource: 'role', operation: 'getMany', returnAll: true });
		expect(run.json).toEqual([
			{ id: VBGC_ROLE_IDS.portalAdministrator, name: 'Portal Administrator', description: expect.any(String) },
			{ id: VBGC_ROLE_IDS.portalOperator, name: 'Portal Operator', description: expect.any(String) },
			{ id: VBGC_ROLE_IDS.restoreOperator, name: 'Restore Operator', description: expect.any(String) },
		]);
		expect(routeCount(sim, 'GET /api/v1/users/roles')).toBe(1);
		expect((await h.run({ resource: 'role', operation: 'getMany', limit: 2 })).items).toHaveLength(2);
	});

	it('gets one role by name or ID (VBGC lists no permissions)', async () => {
		const byRoleName = await h.run({ resource: 'role', operation: 'get', role: byName('restore operator') });
		expect(byRoleName.json).toEqual([{ id: VBGC_ROLE_IDS.restoreOperator, name: 'Restore Operator', description: expect.any(String) }]);
		const byRoleId = await h.run({ resource: 'role', operation: 'get', role: byId(VBGC_ROLE_IDS.portalOperator) });
		expect(byRoleId.json[0]).toMatchObject({ name: 'Portal Operator' });
		const unknown = await h.run({ resource: 'role', operation: 'get', role: byName('Wizard') });
		expect(unknown.error?.message).toBe('Role (item 0): no role with name "Wizard"');
	});
});

describe('editor lists', () => {
	it('searchUsers pages with the next offset as the token; the value is the user name', async () => {
		sim.seed({ count: 200, prefix: 'list' });
		const ctx = h.loadOptionsContext({ resource: 'user', operation: 'get' });
		const first = await listSearch.searchUsers.call(ctx);
		expect(first.results).toHaveLength(100);
		expect(first.paginationToken).toBe('100');
		expect(first.results[0]).toEqual({ name: 'administrator', value: 'administrator', description: 'DefaultAdmin' });
		const second = await listSearch.searchUsers.call(ctx, undefined, first.paginationToken);
		const third = await listSearch.searchUsers.call(ctx, undefined, second.paginationToken);
		expect(third.results).toHaveLength(4);
		expect(third.paginationToken).toBeUndefined();
		expect(new Set([...first.results, ...second.results, ...third.results].map((r) => r.value)).size).toBe(204);
	});

	it('searchUsers sends the search text to the server, so a user on a late page is found at once', async () => {
		sim.seed({ count: 1000, prefix: 'bulk' });
		const ctx = h.loadOptionsContext({ resource: 'user', operation: 'get' });
		const found = await listSearch.searchUsers.call(ctx, 'BULK000999');
		expect(found.results.map((r) => r.name)).toEqual(['bulk000999']);
		expect(routeCount(sim, `GET ${VBGC_USERS}`)).toBe(1);
	});

	it('getRoles offers the VBGC role names; searchRoles their IDs', async () => {
		const ctx = h.loadOptionsContext({ resource: 'user', operation: 'onboard' });
		expect((await loadOptions.getRoles.call(ctx)).map((o) => o.value)).toEqual(['Portal Administrator', 'Portal Operator', 'Restore Operator']);
		const operators = await listSearch.searchRoles.call(ctx, 'operator');
		expect(operators.results.map((r) => [r.name, r.value])).toEqual([
			['Portal Operator', VBGC_ROLE_IDS.portalOperator],
			['Restore Operator', VBGC_ROLE_IDS.restoreOperator],
		]);
	});

	it('lets a real error surface (an operator gets 403), without the password', async () => {
		h.resetCredential({ username: 'operator' });
		const ctx = h.loadOptionsContext({ resource: 'user', operation: 'get' });
		const error = await listSearch.searchUsers.call(ctx, 'a').then(
			() => undefined,
			(e: unknown) => e as Error & { description?: string },
		);
		expect(error?.message).toBe('Veeam: Forbidden. This operation requires the Portal Administrator role.');
		expect(error?.description).toContain('Portal Administrator (VBGC)');
		expect(JSON.stringify([error, error?.message, error?.description])).not.toContain('Sim-Passw0rd!1');
	});
});
