/**
 * The Veeam Trigger on Veeam Backup for Microsoft 365 under n8n's engine, against the VB365
 * simulator over HTTPS: restore-operator roles of every organization or one, each kind of change
 * once (operator added and removed, role created and deleted with their operators, scope changed),
 * what each poll costs, and that a read that fails or looks partial never yields a removal or a
 * deletion.
 */
import type { IDataObject } from 'n8n-workflow';

import { VB365_ORG_CONTOSO_ID, VB365_ORG_FABRIKAM_ID, VB365_ROLE_FABRIKAM_ID, VB365_ROLE_FINANCE_ID, VB365_ROLE_HELPDESK_ID, startSimulator, type SimServer } from '../../../sim';
import { VB365_STATE_KEY } from '../../../nodes/VeeamTrigger/vb365State';
import { shutdownEngine } from '../../support/engine';
import { holdRequest } from '../../support/holdRequest';
import { STATIC_KEY, activate, emitted } from './harness';
import { Vb365Admin, comparable, directoryObjects, modelOf, replayVb365, vb365Product, vb365Truth, type DirectoryObject } from './vb365Harness';

const ALL = ['operatorAdded', 'operatorRemoved', 'roleScopeChanged', 'roleCreated', 'roleDeleted'];

let sim: SimServer;
let admin: Vb365Admin;

beforeAll(async () => {
	sim = await startSimulator({ product: 'vb365' });
	admin = new Vb365Admin(sim);
	await admin.login();
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});
beforeEach(() => {
	sim.reset();
	sim.faults.clear();
});

const object = (org: string, kind: DirectoryObject['kind'], name: string): DirectoryObject => {
	const found = directoryObjects(sim, org).find((o) => o.kind === kind && JSON.stringify(o.body).toLowerCase().includes(name.toLowerCase()));
	if (!found) throw new Error(`no ${kind} ${name}`);
	return found;
};
/** `[event, role name, operator name or the changed fields]` per item. */
const short = (items: IDataObject[]) =>
	items.map((i) => [i.event, ((i.role ?? i.previous) as IDataObject).name, (i.operator as IDataObject | undefined)?.name ?? (i.changes as IDataObject[]).map((c) => c.field).join(',')]);
/**
 * Requests of this poll, as `METHOD /path` without the version and IDs; the organization list
 * (names, read by the adapter until a page comes back empty) apart.
 */
const requests = () =>
	sim.stats.recent
		.filter((r) => !r.includes('/token'))
		.map((r) => r.replace(/\/v8/, '').replace(/[0-9a-f-]{36,}/g, '{id}').replace(/\?.*$/, ''))
		.filter((r) => r !== 'GET /Organizations');
const organizationReads = () => sim.stats.recent.filter((r) => /^GET \/v8\/Organizations(\?|$)/.test(r)).length;

async function baselined(events = ALL, parameters: IDataObject = {}) {
	const activation = activate(sim, 'vb365', { events, parameters });
	const first = await activation.poll();
	expect(first.error).toBeUndefined();
	expect(first.response).toBeNull();
	return activation;
}

describe('VB365 trigger', () => {
	it('records a baseline of every role of every organization, with operators and scope, and emits nothing; then a quiet poll costs the role list, one operators read per role and the items of scope', async () => {
		const activation = await baselined();
		expect(activation.workflow.staticData[STATIC_KEY]).toMatchObject({ [VB365_STATE_KEY]: { v: 1, parts: 3 } });
		sim.stats.reset();
		const quiet = await activation.poll();
		expect(quiet.error).toBeUndefined();
		expect(quiet.response).toBeNull();
		// 3 roles: 2 entire-organization (no selection read), 1 of specific objects.
		expect(organizationReads()).toBeLessThanOrEqual(2);
		expect(requests().sort()).toEqual(
			[
				'GET /RbacRoles',
				...Array(3).fill('GET /RbacRoles/{id}/operators'),
				...Array(3).fill('GET /RbacRoles/{id}/excludedItems'),
				'GET /RbacRoles/{id}/selectedItems',
			].sort(),
		);
	});

	it('reports each kind of change once, in one poll, and the replayed items give the server', async () => {
		const activation = await baselined();
		const model = modelOf(sim);
		const c = VB365_ORG_CONTOSO_ID;
		await admin.add(VB365_ROLE_HELPDESK_ID, 'operators', [object(c, 'User', 'carol.chen')]);
		await admin.remove(VB365_ROLE_FINANCE_ID, 'operators', [object(c, 'User', 'bob.baker').id]);
		await admin.add(VB365_ROLE_FINANCE_ID, 'selected', [object(c, 'Site', 'sites/HR')]);
		await admin.remove(VB365_ROLE_HELPDESK_ID, 'excluded', [object(c, 'User', 'carol.chen').id]);
		const created = await admin.createRole(c, 'Payroll Restore', 'SpecificObjects', { operators: [object(c, 'User', 'alice.adams'), object(c, 'Group', 'it.admins')], selected: [object(c, 'Site', 'Payroll')] });
		await admin.deleteRole(VB365_ROLE_FABRIKAM_ID);
		const result = await activation.poll();
		expect(result.error).toBeUndefined();
		const items = emitted(result);
		// By organization, then role name; a role's operators by kind (groups first), then name.
		expect(short(items)).toEqual([
			['operatorRemoved', 'Finance Restore', 'bob.baker@contoso.onmicrosoft.com'],
			['roleScopeChanged', 'Finance Restore', 'selectedItems'],
			['operatorAdded', 'Helpdesk Restore', 'carol.chen@contoso.onmicrosoft.com'],
			['roleScopeChanged', 'Helpdesk Restore', 'excludedItems'],
			['roleCreated', 'Payroll Restore', ''],
			['operatorAdded', 'Payroll Restore', 'it.admins@contoso.onmicrosoft.com'],
			['operatorAdded', 'Payroll Restore', 'alice.adams@contoso.onmicrosoft.com'],
			['operatorRemoved', 'Fabrikam Restore', 'service.desk@fabrikam.onmicrosoft.com'],
			['operatorRemoved', 'Fabrikam Restore', 'dave.lee@fabrikam.onmicrosoft.com'],
			['roleDeleted', 'Fabrikam Restore', ''],
		]);
		expect(comparable(replayVb365(model, items, 'one poll'))).toEqual(comparable(vb365Truth(sim)));
		const createdItem = items.find((i) => i.event === 'roleCreated') as IDataObject;
		expect(createdItem).toMatchObject({ product: 'vb365', organization: { id: c, name: 'contoso.onmicrosoft.com' }, role: { id: created, roleType: 'SpecificObjects', selectedItems: [{ kind: 'site', name: 'https://contoso.sharepoint.com/sites/Finance/Payroll' }] }, previous: null });
		const removed = items.find((i) => i.event === 'operatorRemoved') as IDataObject;
		expect(removed.operator).toEqual({ kind: 'user', id: object(c, 'User', 'bob.baker').id, name: 'bob.baker@contoso.onmicrosoft.com' });
		// The next poll: nothing new.
		expect((await activation.poll()).response).toBeNull();
	});

	it('reports a role type change with the selection it brings or drops', async () => {
		const activation = await baselined(['roleScopeChanged']);
		const c = VB365_ORG_CONTOSO_ID;
		await admin.setRoleType(VB365_ROLE_HELPDESK_ID, 'SpecificObjects', [object(c, 'Team', 'Project X')]);
		await admin.setRoleType(VB365_ROLE_FINANCE_ID, 'EntireOrganization');
		const items = emitted(await activation.poll());
		expect(items.map((i) => [(i.role as IDataObject).name, i.changes])).toEqual([
			[
				'Finance Restore',
				[
					{ field: 'roleType', from: 'SpecificObjects', to: 'EntireOrganization' },
					{
						field: 'selectedItems',
						added: [],
						removed: [
							{ kind: 'group', name: 'finance@contoso.onmicrosoft.com' },
							{ kind: 'site', name: 'https://contoso.sharepoint.com/sites/Finance' },
							{ kind: 'team', name: 'finance.team@contoso.onmicrosoft.com' },
						],
					},
				],
			],
			['Helpdesk Restore', [{ field: 'roleType', from: 'EntireOrganization', to: 'SpecificObjects' }, { field: 'selectedItems', added: [expect.objectContaining({ kind: 'team', name: 'project.x@contoso.onmicrosoft.com' })], removed: [] }]],
		]);
	});

	it('watches one organization: changes elsewhere are not read or reported', async () => {
		const activation = await baselined(ALL, { organizationScope: 'one', organization: { mode: 'name', value: 'fabrikam.onmicrosoft.com' } });
		await admin.add(VB365_ROLE_HELPDESK_ID, 'operators', [object(VB365_ORG_CONTOSO_ID, 'User', 'carol.chen')]);
		await admin.remove(VB365_ROLE_FABRIKAM_ID, 'operators', [object(VB365_ORG_FABRIKAM_ID, 'User', 'dave.lee').id]);
		sim.stats.reset();
		const result = await activation.poll();
		expect(short(emitted(result))).toEqual([['operatorRemoved', 'Fabrikam Restore', 'dave.lee@fabrikam.onmicrosoft.com']]);
		// Its role list, its role's lists, and once more the operators that seem to have lost one (the check before a removal).
		expect(requests().sort()).toEqual(['GET /Organizations/{id}/RbacRoles', 'GET /RbacRoles/{id}/excludedItems', 'GET /RbacRoles/{id}/operators', 'GET /RbacRoles/{id}/operators']);
	});

	it('role events alone cost the role list only', async () => {
		const activation = await baselined(['roleCreated', 'roleDeleted']);
		await admin.deleteRole(VB365_ROLE_FINANCE_ID);
		sim.stats.reset();
		const items = emitted(await activation.poll());
		expect(short(items)).toEqual([['roleDeleted', 'Finance Restore', '']]);
		// The role list and the look-up of the role the list lacks (404, then the adapter reads the list again to be sure).
		expect(requests().sort()).toEqual(['GET /RbacRoles', 'GET /RbacRoles', 'GET /RbacRoles/{id}']);
	});

	it('a role list that lacks a role: looked up, no deletion; an operators list that comes back empty once: read again, no removal', async () => {
		const activation = await baselined();
		const listed = vb365Truth(sim);
		const partial = [...vb365ProductRoles()].filter((r) => r.id !== VB365_ROLE_FINANCE_ID);
		sim.addFault({ kind: 'answer', status: 200, body: partial, method: 'GET', pathIncludes: '/v8/RbacRoles', count: 1 });
		sim.addFault({ kind: 'answer', status: 200, body: [], method: 'GET', pathIncludes: `/RbacRoles/${VB365_ROLE_HELPDESK_ID}/operators`, count: 1 });
		const result = await activation.poll();
		expect(result.error).toBeUndefined();
		expect(result.response).toBeNull();
		expect(sim.faults.pending()).toEqual([]);
		expect(vb365Truth(sim)).toEqual(listed);
	});

	it('an operators read that fails fails the poll: nothing emitted, the state as it was', async () => {
		const activation = await baselined();
		await admin.remove(VB365_ROLE_FINANCE_ID, 'operators', [object(VB365_ORG_CONTOSO_ID, 'User', 'bob.baker').id]);
		const before = JSON.stringify(activation.workflow.staticData[STATIC_KEY]);
		sim.addFault({ kind: 'status', status: 500, method: 'GET', pathIncludes: '/operators' });
		const failed = await activation.poll();
		expect(failed.error?.message).toBeDefined();
		expect(failed.response).toBeNull();
		expect(JSON.stringify(failed.workflowStaticData[STATIC_KEY])).toBe(before);
		sim.faults.clear();
		expect(short(emitted(await activation.poll()))).toEqual([['operatorRemoved', 'Finance Restore', 'bob.baker@contoso.onmicrosoft.com']]);
	});

	it('an organization with 100 roles: one role list and one operators read per role, 8 at a time; a leaver removed from every role is 100 removals; the state stays small', async () => {
		const org = 'leavers.onmicrosoft.com';
		vb365Product(sim).seedUsers({ count: 300, organizationName: org, roleCount: 100, operatorsPerRole: 3, leaver: `leaver@${org}` });
		const activation = await baselined(['operatorAdded', 'operatorRemoved'], { organizationScope: 'one', organization: { mode: 'name', value: org } });
		const state = JSON.stringify((activation.workflow.staticData[STATIC_KEY] as IDataObject)[VB365_STATE_KEY]);
		// 100 roles (20 characters of ID each, a name), 400 memberships of 301 people (each an ID of two
		// UUIDs in 40 characters, its e-mail front-coded): 17.3 kB measured, as n8n stores it.
		expect(state.length).toBeLessThan(20_000);
		sim.latencyMs = 20;
		try {
			sim.stats.reset();
			expect((await activation.poll()).response).toBeNull();
			expect(requests().sort()).toEqual(['GET /Organizations/{id}/RbacRoles', ...Array(100).fill('GET /RbacRoles/{id}/operators')]);
			expect(sim.stats.maxInFlight).toBeGreaterThan(1);
			expect(sim.stats.maxInFlight).toBeLessThanOrEqual(8);
			const orgId = [...vb365Product(sim).store.orgs.values()].find((o) => o.name === org)?.id as string;
			const leaver = object(orgId, 'User', `leaver@${org}`).id;
			for (const role of vb365Product(sim).store.rolesOf(orgId)) role.operators.delete(leaver.toLowerCase());
			sim.stats.reset();
			const items = emitted(await activation.poll());
			expect(items).toHaveLength(100);
			expect(new Set(items.map((i) => `${String(i.event)} ${String((i.operator as IDataObject).name)}`))).toEqual(new Set([`operatorRemoved leaver@${org}`]));
			// Each of the 100 roles that lost the leaver was read again before the removal was believed.
			expect(requests().filter((r) => r.endsWith('/operators'))).toHaveLength(200);
		} finally {
			sim.latencyMs = 0;
		}
	});

	it('On First Poll: a baseline item with the counts, or every role as created with its operators as added, once', async () => {
		const counted = activate(sim, 'vb365', { events: ALL, options: { firstPoll: 'baselineItem' } });
		const item = emitted(await counted.poll());
		expect(item).toEqual([{ event: 'baseline', product: 'vb365', roleCount: 3, operatorCount: 6, detectedAt: expect.any(String) }]);
		const existing = activate(sim, 'vb365', { events: ['roleCreated', 'operatorAdded'], options: { firstPoll: 'emitExisting' } });
		const first = emitted(await existing.poll());
		expect(first.filter((i) => i.event === 'roleCreated').map((i) => (i.role as IDataObject).name)).toEqual(['Finance Restore', 'Helpdesk Restore', 'Fabrikam Restore']);
		expect(first.filter((i) => i.event === 'operatorAdded')).toHaveLength(6);
		expect(comparable(replayVb365(new Map(), first, 'emitExisting'))).toEqual(comparable(new Map([...vb365Truth(sim)].map(([id, r]) => [id, { ...r, selected: [], excluded: [] }]))));
		expect((await existing.poll()).response).toBeNull();
	});

	it('of two overlapping polls only the first to finish reports a change', async () => {
		const activation = await baselined();
		await admin.remove(VB365_ROLE_FINANCE_ID, 'operators', [object(VB365_ORG_CONTOSO_ID, 'User', 'bob.baker').id]);
		const hold = holdRequest(sim, (req) => req.method === 'GET' && req.path === '/v8/RbacRoles');
		try {
			const slow = activation.poll();
			await hold.held;
			const fast = await activation.poll();
			expect(short(emitted(fast))).toEqual([['operatorRemoved', 'Finance Restore', 'bob.baker@contoso.onmicrosoft.com']]);
			hold.release();
			const late = await slow;
			expect(late.error).toBeUndefined();
			expect(late.response).toBeNull();
			expect((await activation.poll()).response).toBeNull();
		} finally {
			hold.release();
			hold.restore();
		}
	});

	it('an organization VB365 does not back up fails the poll, naming the field, and stores nothing', async () => {
		const activation = activate(sim, 'vb365', { events: ALL, parameters: { organizationScope: 'one', organization: { mode: 'name', value: 'nowhere.onmicrosoft.com' } } });
		const result = await activation.poll();
		const error = result.error as (Error & { description?: string }) | undefined;
		expect(`${error?.message} ${error?.description}`).toMatch(/Organization/);
		expect(error?.description).toMatch(/stored roles are unchanged/);
		expect((result.workflowStaticData[STATIC_KEY] as IDataObject | undefined)?.[VB365_STATE_KEY]).toBeUndefined();
		expect(sim.stats.recent.some((r) => r.includes('RbacRoles'))).toBe(false);
		// "One Organization" with none chosen: refused before any request.
		sim.stats.reset();
		const none = await activate(sim, 'vb365', { events: ALL, parameters: { organizationScope: 'one', organization: { mode: 'list', value: '' } } }).poll();
		expect(none.error?.message).toBe('Choose the organization under "Organization" (from the list, by name or by ID)');
		expect(sim.stats.recent.filter((r) => !r.includes('/token'))).toEqual([]);
	});

	it('without a VB365 event chosen the poll fails and names the events', async () => {
		const activation = activate(sim, 'vb365', { events: ['userAdded', 'rolesChanged'] });
		const result = await activation.poll();
		expect(result.error?.message).toBe('No event chosen');
	});

	it('"Fetch Test Event" shows current operators as samples and writes nothing', async () => {
		const activation = activate(sim, 'vb365', { events: ALL });
		const result = await activation.pollManually();
		const items = emitted(result);
		expect(items.length).toBeGreaterThan(0);
		expect(items.every((i) => i.sample === true && i.product === 'vb365')).toBe(true);
		expect(items[0]).toMatchObject({ event: 'operatorAdded', operator: { kind: expect.any(String), name: expect.any(String) } });
		expect((result.workflowStaticData[STATIC_KEY] as IDataObject | undefined)?.[VB365_STATE_KEY]).toBeUndefined();
	});
});

/** The role list as the server sends it (for a fault that leaves one out). */
function vb365ProductRoles(): IDataObject[] {
	return (sim.product.snapshot() as { roles: IDataObject[] }).roles.map((r) => ({ id: r.id, organizationId: r.organizationId, name: r.name, description: r.description, roleType: r.roleType }));
}
