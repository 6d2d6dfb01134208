import { createDirectory } from '../../../../../client/adapters';
import { startSimulator, type SimServer } from '../../../../../sim';
import { ROLE_IDS, USERS, VeeamFixture, routeCount, useSimulator } from '../../fixtures';

let sim: SimServer;
let h: VeeamFixture;

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

const getMany = (params: Record<string, unknown>) => ({ resource: 'user', operation: 'getMany', ...params });
const names = (json: Array<Record<string, unknown>>) => json.map((j) => j.name);

describe('User → Get Many', () => {
	it('returns all of 1,206 users in ceil(1206/500) = 3 list requests (the largest page the server accepts)', async () => {
		sim.seed({ count: 1200, prefix: 'page' });
		const run = await h.run(getMany({ returnAll: true }));
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(1206);
		expect(new Set(run.json.map((j) => j.id)).size).toBe(1206);
		expect(routeCount(sim, `GET ${USERS}`)).toBe(Math.ceil(1206 / 500));
		expect(run.items.every((i) => (i.pairedItem as { item: number }).item === 0)).toBe(true);
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
	});

	it('stops at the limit, asking only for what it needs', async () => {
		sim.seed({ count: 1200, prefix: 'page' });
		const run = await h.run(getMany({ returnAll: false, limit: 7 }));
		expect(run.items).toHaveLength(7);
		expect(routeCount(sim, `GET ${USERS}`)).toBe(1);
		const limited = await h.run(getMany({ limit: 600 }));
		expect(limited.items).toHaveLength(600);
		expect(routeCount(sim, `GET ${USERS}`)).toBe(1 + 2);
	});

	it('uses the default limit of 50', async () => {
		sim.seed({ count: 80 });
		expect((await h.run(getMany({}))).items).toHaveLength(50);
	});

	it.each([
		[{ namePattern: 'tech\\*' }, ['TECH\\Backup Operators', 'TECH\\sheila.d.cory']],
		[{ namePattern: 'VBR01\\?dmin' }, ['VBR01\\admin']],
		[{ types: ['InternalGroup', 'ExternalGroup'] }, ['BUILTIN\\Administrators', 'TECH\\Backup Operators']],
		[{ role: 'Backup Administrator' }, ['BUILTIN\\Administrators', 'VBR01\\admin', 'VBR01\\svc-n8n']],
		[{ role: ROLE_IDS.restoreOperator }, ['TECH\\sheila.d.cory']],
		[{ isServiceAccount: true }, ['VBR01\\svc-n8n']],
		[{ isServiceAccount: false, types: ['InternalUser'], namePattern: 'VBR01\\*' }, ['VBR01\\admin', 'VBR01\\viewer']],
	])('filters %j on the server', async (filters, expected) => {
		sim.seed({ count: 600, prefix: 'noise' });
		const run = await h.run(getMany({ returnAll: true, filters }));
		expect(names(run.json)).toEqual(expected);
		expect(routeCount(sim, `GET ${USERS}`)).toBe(1);
	});

	// Veeam documents nameFilter as a full string, or a substring with `*` "at the beginning of the
	// nameFilter value, at the end or both" (REST reference Overview); the simulator reads `?` and an
	// inner `*` literally. Other patterns go as their longest literal run, and the node filters the rest.
	it.each([
		['VBR01\\?dmin', 'VBR01\\*', ['VBR01\\admin']],
		['VBR01\\*min', 'VBR01\\*', ['VBR01\\admin']],
		['*\\?iewer', '*iewer', ['VBR01\\viewer']],
		['T*\\sheila.d.cory', '*\\sheila.d.cory', ['TECH\\sheila.d.cory']],
		['*svc*', '*svc*', ['VBR01\\svc-n8n']],
		['vbr01\\admin', 'vbr01\\admin', ['VBR01\\admin']],
		['?*', undefined, ['BUILTIN\\Administrators', 'TECH\\Backup Operators', 'TECH\\sheila.d.cory', 'VBR01\\admin', 'VBR01\\svc-n8n', 'VBR01\\viewer']],
	])('name pattern %j: sends nameFilter %j (a form Veeam documents) and holds the whole pattern', async (namePattern, sent, expected) => {
		const run = await h.run(getMany({ returnAll: true, filters: { namePattern } }));
		expect(run.error).toBeUndefined();
		expect(names(run.json)).toEqual(expected);
		const [list] = sim.stats.recent.filter((r) => r.startsWith(`GET ${USERS}?`));
		expect(new URLSearchParams(list.split('?')[1]).get('nameFilter') ?? undefined).toBe(sent);
	});

	it('sends an array filter as repeated keys, the form of Veeam\'s OpenAPI 3.0 spec (typeFilter=A&typeFilter=B)', async () => {
		await h.run(getMany({ returnAll: true, filters: { types: ['InternalGroup', 'ExternalGroup'] } }));
		const [list] = sim.stats.recent.filter((r) => r.startsWith(`GET ${USERS}?`));
		expect(new URLSearchParams(list.split('?')[1]).getAll('typeFilter')).toEqual(['InternalGroup', 'ExternalGroup']);
		expect(list).toContain('typeFilter=InternalGroup&typeFilter=ExternalGroup');
	});

	it('refuses a filter that is not text before any request', async () => {
		const run = await h.run(getMany({ filters: { namePattern: '={{ $json.pattern }}' } }), [{ pattern: { a: 1 } }]);
		expect(run.error?.message).toBe('Name Pattern (item 0): must be text, but the value is an object');
		expect(sim.stats.requests).toBe(0);
	});

	it('reads a Service Account filter given as text by an expression, and refuses one that is not true/false', async () => {
		const run = await h.run(getMany({ returnAll: true, filters: { isServiceAccount: '={{ $json.svc }}' } }), [{ svc: 'true' }]);
		expect(run.error).toBeUndefined();
		expect(names(run.json)).toEqual(['VBR01\\svc-n8n']);
		sim.reset();
		const bad = await h.run(getMany({ filters: { isServiceAccount: '={{ $json.svc }}' } }), [{ svc: 'yes' }]);
		expect(bad.error?.message).toBe('Service Account (item 0): must be true or false, but the value is a string "yes"');
		expect(sim.stats.requests).toBe(0);
	});

	it('one input item per query: each item gets its own results, paired to it', async () => {
		const run = await h.run(getMany({ returnAll: true, filters: { namePattern: '={{ $json.pattern }}' } }), [
			{ pattern: 'VBR01\\*' },
			{ pattern: 'TECH\\s*' },
		]);
		expect(run.items.map((i) => [i.json.name, i.pairedItem])).toEqual([
			['VBR01\\admin', { item: 0 }],
			['VBR01\\svc-n8n', { item: 0 }],
			['VBR01\\viewer', { item: 0 }],
			['TECH\\sheila.d.cory', { item: 1 }],
		]);
	});
});

describe('the adapter’s list options (offered in the VBGC form) on VBR', () => {
	it('orders by type, descending, after an offset, and refuses what VBR cannot do', async () => {
		const directory = createDirectory(h.loadOptionsContext({ resource: 'user', operation: 'getMany' }), 'vbr');
		const users = await directory.listUsers({}, undefined, { sort: { property: 'type', descending: true }, offset: 1 });
		expect(users.map((u) => u.type)).toEqual(['InternalUser', 'InternalUser', 'InternalUser', 'InternalGroup', 'InternalGroup']);
		await expect(directory.listUsers({}, undefined, { sort: { property: 'description', descending: false } })).rejects.toThrow(
			'Veeam Backup & Replication cannot sort users by description',
		);
	});
});

describe('MFA filter (API 1.3-rev2 only: mfaEnabledFilter)', () => {
	it('on 1.3-rev2 lists the users with MFA on, filtered by the server (users, not groups or service accounts, while MFA is on)', async () => {
		const withMfa = await startSimulator({ product: 'vbr', vbr: { mfaEnabled: true } });
		try {
			const m = new VeeamFixture(withMfa);
			const on = await m.run(getMany({ returnAll: true, filters: { mfaEnabled: true } }));
			expect(names(on.json)).toEqual(['TECH\\sheila.d.cory', 'VBR01\\admin', 'VBR01\\viewer']);
			const off = await m.run(getMany({ returnAll: true, filters: { mfaEnabled: 'false' } }));
			expect(names(off.json)).toEqual(['BUILTIN\\Administrators', 'TECH\\Backup Operators', 'VBR01\\svc-n8n']);
			const lists = withMfa.stats.recent.filter((r) => r.startsWith(`GET ${USERS}?`));
			expect(lists.map((r) => new URLSearchParams(r.split('?')[1]).get('mfaEnabledFilter'))).toEqual(['true', 'false']);
		} finally {
			await withMfa.close();
		}
	});

	it('on 1.3-rev1 (which has no such filter and would ignore it) fails naming the item, before any list request', async () => {
		h.resetCredential({ apiVersion: '1.3-rev1' });
		const run = await h.run(getMany({ returnAll: true, filters: { mfaEnabled: true } }));
		expect(run.error?.message).toBe('Veeam Backup & Replication API 1.3-rev1 cannot filter users by MFA state');
		expect((run.error as unknown as { context: { itemIndex: number } }).context.itemIndex).toBe(0);
		expect(routeCount(sim, `GET ${USERS}`)).toBe(0);
	});
});
