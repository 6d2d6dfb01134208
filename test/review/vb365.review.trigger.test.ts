/**
 * Review of the Veeam Trigger on Veeam Backup for Microsoft 365: a role renamed, a role moved out of
 * the watched organization by the server's answer, a malformed operators answer, a role deleted and
 * re-made under its name.
 */
import type { IDataObject } from 'n8n-workflow';

import { VB365_ORG_CONTOSO_ID, VB365_ORG_FABRIKAM_ID, VB365_ROLE_FABRIKAM_ID, VB365_ROLE_FINANCE_ID, VB365_ROLE_HELPDESK_ID, startSimulator, type SimServer } from '../../sim';
import { STATIC_KEY, activate, emitted } from '../nodes/VeeamTrigger/harness';
import { Vb365Admin, directoryObjects, type DirectoryObject } from '../nodes/VeeamTrigger/vb365Harness';
import { shutdownEngine } from '../support/engine';

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
const short = (items: IDataObject[]) => items.map((i) => [i.event, ((i.role ?? i.previous) as IDataObject).name, (i.operator as IDataObject | undefined)?.name ?? '']);

async function baselined(parameters: IDataObject = {}) {
	const activation = activate(sim, 'vb365', { events: ALL, parameters });
	const first = await activation.poll();
	expect(first.error).toBeUndefined();
	return activation;
}

async function rename(roleId: string, name: string): Promise<void> {
	const role = (await (admin as unknown as { call: (m: string, p: string, b?: unknown) => Promise<unknown> }).call('get', `/RbacRoles/${roleId}`)) as IDataObject;
	await (admin as unknown as { call: (m: string, p: string, b?: unknown) => Promise<unknown> }).call('put', `/RbacRoles/${roleId}`, { name, description: role.description, roleType: role.roleType });
}

describe('VB365 review: trigger', () => {
	it('RIGHT: a role renamed is neither deleted nor created; a later removal names it by its new name', async () => {
		const activation = await baselined();
		await rename(VB365_ROLE_FINANCE_ID, 'Finance & Payroll Restore');
		const quiet = await activation.poll();
		expect(quiet.error).toBeUndefined();
		expect(emitted(quiet)).toEqual([]);
		await admin.remove(VB365_ROLE_FINANCE_ID, 'operators', [object(VB365_ORG_CONTOSO_ID, 'User', 'bob.baker').id]);
		expect(short(emitted(await activation.poll()))).toEqual([['operatorRemoved', 'Finance & Payroll Restore', 'bob.baker@contoso.onmicrosoft.com']]);
	});

	it('RIGHT: a role deleted and made again under its name between two polls: deleted and created (another ID), operators removed and added', async () => {
		const activation = await baselined();
		await admin.deleteRole(VB365_ROLE_FINANCE_ID);
		await admin.createRole(VB365_ORG_CONTOSO_ID, 'Finance Restore', 'EntireOrganization', { operators: [object(VB365_ORG_CONTOSO_ID, 'User', 'bob.baker')] });
		const events = short(emitted(await activation.poll()));
		expect(events).toEqual(expect.arrayContaining([['roleDeleted', 'Finance Restore', ''], ['roleCreated', 'Finance Restore', ''], ['operatorAdded', 'Finance Restore', 'bob.baker@contoso.onmicrosoft.com']]));
	});

	it('RIGHT: one organization watched, the role list answer names another organization for a kept role: looked up, never called deleted', async () => {
		const activation = await baselined({ organizationScope: 'one', organization: { __rl: true, mode: 'name', value: 'contoso.onmicrosoft.com' } });
		const roles = (await (admin as unknown as { call: (m: string, p: string) => Promise<IDataObject[]> }).call('get', `/Organizations/${VB365_ORG_CONTOSO_ID}/RbacRoles`)).map((r) =>
			String(r.id).toLowerCase() === VB365_ROLE_HELPDESK_ID ? { ...r, organizationId: VB365_ORG_FABRIKAM_ID } : r,
		);
		sim.addFault({ kind: 'answer', status: 200, body: roles, method: 'GET', pathIncludes: '/RbacRoles', count: 1 });
		const result = await activation.poll();
		expect(result.error).toBeUndefined();
		expect(emitted(result).filter((i) => i.event === 'roleDeleted' || i.event === 'operatorRemoved')).toEqual([]);
	});

	it('RIGHT: every organization watched, Fabrikam gone from the organization list while its role stays: no deletion, its events still name the organization', async () => {
		const activation = await baselined();
		const orgs = (await (admin as unknown as { call: (m: string, p: string) => Promise<IDataObject> }).call('get', '/Organizations')) as IDataObject;
		const results = (orgs.results as IDataObject[]).filter((o) => String(o.id).toLowerCase() !== VB365_ORG_FABRIKAM_ID);
		// Two pages: Contoso and Tailspin, then an empty one (the end).
		sim.addFault({ kind: 'answer', status: 200, body: { ...orgs, results }, method: 'GET', pathIncludes: '/v8/Organizations', count: 1 });
		sim.addFault({ kind: 'answer', status: 200, body: { ...orgs, offset: results.length, results: [] }, method: 'GET', pathIncludes: '/v8/Organizations', count: 1 });
		await admin.remove(VB365_ROLE_FABRIKAM_ID, 'operators', [object(VB365_ORG_FABRIKAM_ID, 'Group', 'service.desk').id]);
		const result = await activation.poll();
		expect(result.error).toBeUndefined();
		const items = emitted(result);
		expect(short(items)).toEqual([['operatorRemoved', 'Fabrikam Restore', 'service.desk@fabrikam.onmicrosoft.com']]);
		expect(items[0]).toMatchObject({ organization: { id: VB365_ORG_FABRIKAM_ID, name: 'fabrikam.onmicrosoft.com' } });
	});

	it('RIGHT: an operators answer with an entry the node cannot read (no user in it) fails the poll: no removal, state unchanged', async () => {
		const activation = await baselined();
		const before = JSON.stringify(activation.workflow.staticData[STATIC_KEY]);
		sim.addFault({ kind: 'answer', status: 200, body: [{ id: 'x1', type: 'User' }], method: 'GET', pathIncludes: `/RbacRoles/${VB365_ROLE_FINANCE_ID}/operators` });
		const result = await activation.poll();
		expect(result.error).toBeDefined();
		expect(result.response).toBeNull();
		expect(JSON.stringify(result.workflowStaticData[STATIC_KEY])).toBe(before);
	});
});
