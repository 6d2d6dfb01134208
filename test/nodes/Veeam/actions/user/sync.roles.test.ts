/**
 * User → Sync with custom roles (VBR 13.1, REST 1.3-rev2), through n8n's engine over HTTPS against
 * the simulator: Plan shows each role change and sends nothing; Apply creates and updates roles
 * before the user steps and deletes them after; the plan id covers role definitions; built-in roles
 * are protected; a role still held is not deleted; the safety limit counts role deletions; bad input
 * is refused naming the field and the role; and what a sync of 50 roles costs, in requests.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSimulator, VBR_DEFAULT_PASSWORD, type SimServer } from '../../../../../sim';
import type { VbrRole } from '../../../../../sim/vbr/roles';
import { shutdownEngine } from '../../../../support/engine';
import { simClient } from '../../../../support/simClient';
import { routeCount, simUser, VeeamFixture } from '../../fixtures';

const ROLES = '/api/v1/security/roles';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const custom = (n: number, name: string, permissions: string[] = ['ViewBackups', 'StartRestore']): VbrRole => ({ id: id(n), name, description: `${name} role`, isBuiltIn: false, permissions });

const CUSTOM: VbrRole[] = [custom(1, 'Ops-Restore'), custom(2, 'Ops-Old'), custom(3, 'Finance-Audit')];
const INITIAL = [
	{ name: 'BUILTIN\\Administrators', type: 'InternalGroup' as const, roles: ['Backup Administrator'] },
	{ name: 'VBR01\\svc-n8n', type: 'InternalUser' as const, roles: ['Backup Administrator'], isServiceAccount: true },
	{ name: 'VBR01\\admin', type: 'InternalUser' as const, roles: ['Backup Administrator'] },
	{ name: 'TECH\\ann', type: 'InternalUser' as const, roles: ['Ops-Restore'] },
	{ name: 'TECH\\bob', type: 'InternalUser' as const, roles: ['Ops-Old'] },
];

let sim: SimServer;
let h: VeeamFixture;

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbr', vbr: { initialUsers: INITIAL, customRoles: CUSTOM } });
	h = new VeeamFixture(sim);
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});
beforeEach(() => {
	sim.reset();
	sim.stats.reset();
	h.resetCredential();
});

const role = (name: string, extra: IDataObject = {}): IDataObject => ({ name, description: `${name} role`, manageBackups: false, manageRestores: true, ...extra });

const rolesOnly = (declared: unknown, params: IDataObject = {}) => ({
	resource: 'user',
	operation: 'sync',
	manage: 'customRoles',
	customRoles: typeof declared === 'string' ? declared : JSON.stringify(declared),
	customRoleScope: 'namePattern',
	customRoleNamePattern: 'Ops-*',
	...params,
});

/** Requests that could change something (anything but GET and the login), in order. */
const writes = () => sim.stats.recent.filter((r) => !r.startsWith('GET ') && !r.includes('/oauth2/token') && !r.includes('/authorization/events'));
/** The server's custom roles (name → details), through an administrator's own requests. */
async function serverRoles(): Promise<Record<string, IDataObject>> {
	const admin = await adminClient();
	const list = (await admin.get(ROLES, { params: { isBuiltInFilter: false } })).data as { data: Array<{ id: string; name: string }> };
	const out: Record<string, IDataObject> = {};
	for (const r of list.data) out[r.name] = (await admin.get(`${ROLES}/${r.id}/details`)).data as IDataObject;
	return out;
}
async function adminClient() {
	const anonymous = simClient(sim, { apiVersion: '1.3-rev2' });
	const login = await anonymous.post(
		'/api/oauth2/token',
		new URLSearchParams({ grant_type: 'password', username: 'VBR01\\admin', password: VBR_DEFAULT_PASSWORD }).toString(),
		{ headers: { 'content-type': 'application/x-www-form-urlencoded' } },
	);
	return simClient(sim, { apiVersion: '1.3-rev2', token: (login.data as { access_token: string }).access_token });
}
const brief = (json: IDataObject[]) => json.map((j) => `${String(j.object ?? 'user')} ${j.action} ${j.name}${j.result ? ` → ${j.result}` : ''}`);

describe('User → Sync with custom roles: Plan', () => {
	it('shows each role change (create, update with the differing fields, delete, unchanged) and sends nothing', async () => {
		const declared = [role('Ops-Restore'), role('Ops-Backup', { manageBackups: true }), role('Ops-Old', { description: 'kept, reworded' })];
		const run = await h.run(rolesOnly([declared[1], declared[0]]), [{}]);
		expect(run.error).toBeUndefined();
		expect(brief(run.json)).toEqual(['customRole create Ops-Backup', 'customRole delete Ops-Old', 'customRole unchanged Ops-Restore']);
		expect(run.json[0]).toMatchObject({ changes: ['name', 'description', 'manageBackups', 'manageRestores'], before: null, after: role('Ops-Backup', { manageBackups: true }), mode: 'plan' });
		expect(run.json[1]).toMatchObject({ before: { id: id(2), name: 'Ops-Old' }, after: null, reason: 'in the role scope, not declared' });
		// TECH\bob holds Ops-Old and this sync does not manage users: Apply would refuse, and the plan says so, naming him.
		expect(run.json[1].warning).toBe(
			'Apply would refuse this plan: the custom role "Ops-Old" is not declared, so the sync would delete it, but TECH\\bob holds it and is not moved off it by this sync.',
		);
		expect(writes()).toEqual([]);

		const update = await h.run(rolesOnly(declared), [{}]);
		expect(brief(update.json)).toEqual(['customRole create Ops-Backup', 'customRole update Ops-Old', 'customRole unchanged Ops-Restore']);
		expect(update.json[1]).toMatchObject({ changes: ['description'], before: { description: 'Ops-Old role', manageRestores: true }, after: { description: 'kept, reworded' } });
		expect(writes()).toEqual([]);
		// Finance-Audit is outside the role scope (Ops-*): never listed, never touched.
		expect(update.json.map((j) => j.name)).not.toContain('Finance-Audit');
	});

	it('takes the declared list as a JSON value, as text, one object or { data: [...] }; Role → Get with details output declares back', async () => {
		const value = [role('Ops-Restore')];
		for (const customRoles of [value, JSON.stringify(value), value[0], { data: value }]) {
			const run = await h.run({ ...rolesOnly([]), customRoles: '={{ $json.roles }}' }, [{ roles: customRoles }]);
			expect([customRoles, run.error?.message]).toEqual([customRoles, undefined]);
			expect(brief(run.json)).toContain('customRole unchanged Ops-Restore');
		}
		// What the details call answers (with id, and isBuiltIn as the list shows it) is a declaration.
		const exported = (await serverRoles())['Ops-Restore'];
		const run = await h.run(rolesOnly([{ ...exported, isBuiltIn: false }, role('Ops-Old')]), [{}]);
		expect(brief(run.json)).toEqual(['customRole unchanged Ops-Old', 'customRole unchanged Ops-Restore']);
	});

	it('gives a plan id that covers the roles: a changed role definition (a scope) changes it; Apply with the old id changes nothing', async () => {
		const declared = [role('Ops-Restore'), role('Ops-Old'), role('Ops-New', { repositoryScope: { allRepositories: true } })];
		const first = await h.run(rolesOnly(declared), [{}]);
		const again = await h.run(rolesOnly(declared), [{}]);
		expect(again.json[0].planId).toBe(first.json[0].planId);
		const changed = [...declared.slice(0, 2), role('Ops-New', { repositoryScope: { allRepositories: false, repositories: [{ repositoryId: id(99) }] } })];
		const other = await h.run(rolesOnly(changed), [{}]);
		expect(other.json[0].planId).not.toBe(first.json[0].planId);
		sim.stats.reset();
		const refused = await h.run(rolesOnly(changed, { syncMode: 'apply', syncOptions: { approvedPlanId: first.json[0].planId } }), [{}]);
		expect(refused.error?.message).toMatch(/^Approved Plan ID \(item 0\): the plan is now [0-9a-f]{64}, not the approved [0-9a-f]{64}: the server's users, its custom roles or the list changed/);
		expect(writes()).toEqual([]);
		const applied = await h.run(rolesOnly(declared, { syncMode: 'apply', syncOptions: { approvedPlanId: first.json[0].planId } }), [{}]);
		expect(brief(applied.json)).toEqual(['customRole create Ops-New → created', 'customRole unchanged Ops-Old → nothingToDo', 'customRole unchanged Ops-Restore → nothingToDo']);
		expect((await serverRoles())['Ops-New']).toMatchObject({ repositoryScope: { allRepositories: true }, manageRestores: true });
	});
});

describe('User → Sync with custom roles: Apply', () => {
	const people = (params: IDataObject = {}) => ({
		resource: 'user',
		operation: 'sync',
		manage: 'usersAndCustomRoles',
		userName: '={{ $json.account }}',
		roles: '={{ $json.roles }}',
		scope: 'domain',
		scopeDomain: 'TECH',
		customRoleScope: 'namePattern',
		customRoleNamePattern: 'Ops-*',
		syncMode: 'apply',
		...params,
	});

	it('creates and updates roles first, gives users a role created in the same run, then deletes the role its users were moved off', async () => {
		const declared = [role('Ops-Restore', { description: 'restores only' }), role('Ops-Backup', { manageBackups: true, manageRestores: false })];
		const hr = [
			{ account: 'TECH\\ann', roles: ['Ops-Restore'] },
			{ account: 'TECH\\bob', roles: ['Ops-Backup'] },
			{ account: 'TECH\\eve', roles: ['Ops-Backup'] },
		];
		const plan = await h.run(people({ syncMode: 'plan', customRoles: JSON.stringify(declared) }), hr);
		expect(plan.error).toBeUndefined();
		expect(brief(plan.json)).toEqual([
			'customRole create Ops-Backup',
			'customRole update Ops-Restore',
			'user create TECH\\eve',
			'user changeRoles TECH\\bob',
			'user unchanged TECH\\ann',
			'customRole delete Ops-Old',
		]);
		expect(plan.json[5]).not.toHaveProperty('warning'); // bob is moved off Ops-Old by this sync
		sim.stats.reset();
		const run = await h.run(people({ customRoles: JSON.stringify(declared), syncOptions: { approvedPlanId: plan.json[0].planId } }), hr);
		expect(run.error).toBeUndefined();
		expect(brief(run.json)).toEqual([
			'customRole create Ops-Backup → created',
			'customRole update Ops-Restore → updated',
			'user create TECH\\eve → created',
			'user changeRoles TECH\\bob → rolesChanged',
			'user unchanged TECH\\ann → nothingToDo',
			'customRole delete Ops-Old → deleted',
		]);
		// Order on the wire: role writes, then user writes, then the role delete.
		const order = writes().map((w) => w.replace(/[0-9a-f-]{36}/g, ':id').replace(/\?.*$/, ''));
		expect(order.slice(0, 2).sort()).toEqual([`POST ${ROLES}`, `PUT ${ROLES}/:id`]);
		expect(order.slice(2, 4).sort()).toEqual(['POST /api/v1/security/users', 'PUT /api/v1/security/users/:id/roles']);
		expect(order.slice(4)).toEqual([`DELETE ${ROLES}/:id`]);
		const roles = await serverRoles();
		expect(Object.keys(roles).sort()).toEqual(['Finance-Audit', 'Ops-Backup', 'Ops-Restore']);
		expect(roles['Ops-Restore']).toMatchObject({ description: 'restores only' });
		expect(simUser(sim, 'TECH\\eve')?.roles.map((r) => r.id)).toEqual([roles['Ops-Backup'].id]);
		expect(simUser(sim, 'TECH\\bob')?.roles.map((r) => r.name)).toEqual(['Ops-Backup']);

		sim.stats.reset();
		const again = await h.run(people({ customRoles: JSON.stringify(declared) }), hr);
		expect(brief(again.json).filter((b) => !b.includes('unchanged'))).toEqual([]);
		expect(writes()).toEqual([]);
	});

	it('with users managed too: a holder outside the users\' scope keeps the role from being deleted (named in Plan and Apply)', async () => {
		// The users' scope is TECH\a*: TECH\bob, who holds Ops-Old, is outside it, so nothing moves him off it.
		const params = people({ scope: 'namePattern', scopePattern: 'TECH\\a*', customRoles: JSON.stringify([role('Ops-Restore')]) });
		const hr = [{ account: 'TECH\\ann', roles: ['Ops-Restore'] }];
		const plan = await h.run({ ...params, syncMode: 'plan' }, hr);
		expect(plan.json.find((j) => j.name === 'Ops-Old')?.warning).toMatch(/but TECH\\bob holds it and is not moved off it by this sync\.$/);
		sim.stats.reset();
		const run = await h.run(params, hr);
		expect(run.error?.message).toMatch(/^Custom Roles \(item 0\): the custom role "Ops-Old" is not declared, so the sync would delete it, but TECH\\bob holds it/);
		expect(writes()).toEqual([]);
		// Who holds it comes from the user list the sync reads anyway: no roleIdFilter look-up.
		expect(sim.stats.recent.filter((r) => r.includes('roleIdFilter'))).toEqual([]);
	});

	it('keeps what a declaration leaves out: an update sends the server\'s description and scopes back', async () => {
		const admin = await adminClient();
		const res = await admin.put(`${ROLES}/${id(1)}`, { id: id(1), name: 'Ops-Restore', description: 'by the console', manageBackups: false, manageRestores: true, repositoryScope: { allRepositories: true } });
		expect(res.status).toBe(200);
		const run = await h.run(rolesOnly([{ name: 'Ops-Restore', manageBackups: true, manageRestores: true }, role('Ops-Old')], { syncMode: 'apply' }), [{}]);
		expect(brief(run.json)).toContain('customRole update Ops-Restore → updated');
		expect((await serverRoles())['Ops-Restore']).toMatchObject({ description: 'by the console', manageBackups: true, repositoryScope: { allRepositories: true } });
	});

	it('does not delete a role someone outside the sync still holds: Apply refuses naming the users, nothing sent', async () => {
		const run = await h.run(rolesOnly([role('Ops-Restore')], { syncMode: 'apply' }), [{}]);
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe(
			'Custom Roles (item 0): the custom role "Ops-Old" is not declared, so the sync would delete it, but TECH\\bob holds it and is not moved off it by this sync. Nothing was changed.',
		);
		expect(writes()).toEqual([]);
		// Who holds it was asked of the server with roleIdFilter (decision 3), once.
		expect(sim.stats.recent.filter((r) => r.includes(`roleIdFilter=${id(2)}`))).toHaveLength(1);
	});

	it('counts role deletions against the safety limit', async () => {
		const params = { customRoleScope: 'all', syncMode: 'apply', syncOptions: { maxRemovals: 1 } };
		sim.reset();
		const admin = await adminClient();
		for (const n of ['Spare-1', 'Spare-2']) expect((await admin.post(ROLES, role(n))).status).toBe(201);
		sim.stats.reset();
		const keep = [role('Ops-Restore'), role('Ops-Old'), role('Finance-Audit')];
		const run = await h.run(rolesOnly(keep, params), [{}]);
		expect(run.error?.message).toBe(
			'Sync refused: the plan deletes 2 of 5 managed custom roles (40 %), more than the safety limit allows (at most 1 removals and 50 %). Nothing was changed.',
		);
		expect(writes()).toEqual([]);
		const raised = await h.run(rolesOnly(keep, { ...params, syncOptions: { maxRemovals: 2 } }), [{}]);
		expect(brief(raised.json).filter((b) => b.includes('delete'))).toEqual(['customRole delete Spare-1 → deleted', 'customRole delete Spare-2 → deleted']);
	});
});

describe('User → Sync with custom roles: bad input, refused before anything is sent', () => {
	it.each([
		['not JSON', '[{"name": "Ops-X",', /^Custom Roles \(item 0\): is not valid JSON \(/],
		['empty (an expression on a file without the key)', '', /^Custom Roles \(item 0\): is empty$/],
		['a number', '42', /^Custom Roles \(item 0\): must be a JSON list of custom roles, but it is a number$/],
		['a role without manageBackups', [{ name: 'Ops-X', manageRestores: true }], /^Custom Roles \(item 0\): \[0\] "Ops-X": manageBackups is required: true or false$/],
		['a typo in a field', [role('Ops-X', { manageBackup: true })], /^Custom Roles \(item 0\): \[0\] "Ops-X": manageBackup is not a field of a Veeam custom role/],
		[
			'a scope missing its list',
			[role('Ops-X', { repositoryScope: { allRepositories: false } })],
			/^Custom Roles \(item 0\): \[0\] "Ops-X": repositoryScope\.repositories is required if allRepositories is false$/,
		],
		['the same name twice', [role('Ops-X'), role('ops-x')], /^Custom Roles \(item 0\): \[1\] "ops-x": name is also the name of \[0\] \(each role once\)$/],
		['a name outside the role scope', [role('Sales-X')], /^Custom Roles \(item 0\): \[0\] "Sales-X": name does not match the Custom Role Name Pattern "Ops-\*"/],
		['a built-in role\'s name', [role('Ops-Restore'), role('Restore Operator')], /^Custom Roles \(item 0\): \[1\] "Restore Operator": name is the name of the built-in role "Restore Operator"/],
		['a built-in role\'s 1.3-rev1 name', [role('Ops-Restore'), role('veeam backup viewer')], /^Custom Roles \(item 0\): \[1\] "veeam backup viewer": name is the name of the built-in role "Backup Viewer"/],
	])('%s', async (_what, declared, message) => {
		const pattern = String(_what).startsWith('a built-in') ? '*' : 'Ops-*';
		const run = await h.run(rolesOnly(declared, { customRoleNamePattern: pattern, syncMode: 'apply' }), [{}]);
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toMatch(message);
		expect(writes()).toEqual([]);
	});

	it('on a credential pinned to 1.3-rev1: a clear error naming the version, nothing sent about roles', async () => {
		h.resetCredential({ apiVersion: '1.3-rev1' });
		const run = await h.run(rolesOnly([role('Ops-Restore')]), [{}]);
		expect(run.error?.message).toBe('Custom roles need Veeam Backup & Replication 13.1 (REST API 1.3-rev2); this server speaks 1.3-rev1');
		expect(routeCount(sim, `GET ${ROLES}`)).toBe(0);
	});

	it('a Custom Role Scope pattern that is empty names its field', async () => {
		const run = await h.run(rolesOnly([role('Ops-Restore')], { customRoleNamePattern: ' ' }), [{}]);
		expect(run.error?.message).toBe('Custom Role Name Pattern (item 0): is empty');
		expect(sim.stats.requests).toBe(0);
	});
});
