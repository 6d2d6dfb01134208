/**
 * Bad-input table, Veeam Backup for Microsoft 365 (the rule of badInput.shared.ts): every bad value
 * reaches the node through an expression on item 1 while item 0 is good. Each must give a
 * NodeOperationError naming the field and the item, with nothing sent to the server but reads (the
 * simulator's log of changes stays empty, and no POST / PUT / DELETE reached it: the node checks
 * every item before carrying any out), and with continue-on-fail fail only that item. Credential
 * cases: refused naming the field and item 0 before any request.
 *
 * Fields and their rules: the RBAC schemas of the v8 reference (sim/spec/vb365-v8.rbac.openapi.json,
 * from Cenvora/veeam-365 vb365_rest_v8.json = helpcenter.veeam.com/references/vbo365/8/rest):
 * RESTRbacRoleCreateModel {name, description, roleType EntireOrganization | SpecificObjects,
 * operators, selectedItems, excludedItems}, RESTRbacItemComposed type User | Group | Site | Team;
 * role and organization IDs are UUIDs; operators and items are users / groups of the organization
 * (the lead's plan: a group is never taken for a user, ambiguity refused naming the IDs).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator, VB365_ROLE_FABRIKAM_ID, type SimServer } from '../../sim';
import { shutdownEngine } from '../support/engine';
import { errorText, type VeeamRun } from '../nodes/Veeam/fixtures';
import { Vb365Fixture } from '../nodes/Veeam/vb365/fixture';
import { mutatingRequests } from './badInput.shared';

const CONTOSO = 'contoso.onmicrosoft.com';
const ALICE = `alice.adams@${CONTOSO}`;

interface Case {
	what: string;
	parameters: INodeParameters;
	field: string;
	good: IDataObject;
	bad: IDataObject;
}

const org = { __rl: true, mode: 'name', value: '={{ $json.org }}' };
const roleLocator = { __rl: true, mode: '={{ $json.roleMode }}', value: '={{ $json.role }}' };

const GRANT: INodeParameters = {
	resource: 'restoreOperator',
	operation: 'grant',
	organization: org,
	operator: '={{ $json.who }}',
	operatorType: '={{ $json.type }}',
	restoreRoles: '={{ $json.roles }}',
	ifRoleMissing: '={{ $json.missing }}',
	newRoleType: '={{ $json.scope }}',
};
const GOOD_GRANT = { org: CONTOSO, who: ALICE, type: 'user', roles: ['Helpdesk Restore'], missing: 'error', scope: 'EntireOrganization' };
const grant = (what: string, field: string, bad: IDataObject): Case => ({ what: `grant: ${what}`, parameters: GRANT, field, good: GOOD_GRANT, bad: { ...GOOD_GRANT, ...bad } });

const REVOKE: INodeParameters = { resource: 'restoreOperator', operation: 'revoke', organization: org, operator: '={{ $json.who }}', revokeFrom: '={{ $json.from }}', restoreRoles: '={{ $json.roles }}' };
const GOOD_REVOKE = { org: CONTOSO, who: `dave.lee@${CONTOSO}`, from: 'roles', roles: ['Finance Restore'] };
const revoke = (what: string, field: string, bad: IDataObject): Case => ({ what: `revoke: ${what}`, parameters: REVOKE, field, good: GOOD_REVOKE, bad: { ...GOOD_REVOKE, ...bad } });

const OFFBOARD: INodeParameters = { resource: 'restoreOperator', operation: 'offboard', organizationScope: '={{ $json.scope }}', organization: org, operator: '={{ $json.who }}' };
const GOOD_OFFBOARD = { scope: 'one', org: CONTOSO, who: `bob.baker@${CONTOSO}` };
const offboard = (what: string, field: string, bad: IDataObject): Case => ({ what: `offboard: ${what}`, parameters: OFFBOARD, field, good: GOOD_OFFBOARD, bad: { ...GOOD_OFFBOARD, ...bad } });

const GET: INodeParameters = { resource: 'restoreOperator', operation: 'get', organization: org, operator: '={{ $json.who }}', operatorType: '={{ $json.type }}' };
const GOOD_GET = { org: CONTOSO, who: ALICE, type: 'user' };
const get = (what: string, field: string, bad: IDataObject): Case => ({ what: `get: ${what}`, parameters: GET, field, good: GOOD_GET, bad: { ...GOOD_GET, ...bad } });

const GET_MANY: INodeParameters = { resource: 'restoreOperator', operation: 'getMany', returnAll: true, organizationScope: '={{ $json.scope }}', organization: org, filters: { operatorType: '={{ $json.type }}', roles: '={{ $json.roles }}' } };
const GOOD_GET_MANY = { scope: 'one', org: CONTOSO, type: 'user', roles: 'Helpdesk Restore' };
const getMany = (what: string, field: string, bad: IDataObject): Case => ({ what: `get many: ${what}`, parameters: GET_MANY, field, good: GOOD_GET_MANY, bad: { ...GOOD_GET_MANY, ...bad } });

const CREATE: INodeParameters = {
	resource: 'role',
	operation: 'create',
	organization: org,
	roleName: '={{ $json.name }}',
	roleDescription: '={{ $json.description }}',
	vb365RoleType: '={{ $json.type }}',
	selectedItems: { item: [{ kind: '={{ $json.kind }}', value: '={{ $json.item }}' }] },
	excludedItems: { item: [{ kind: 'user', value: '={{ $json.excluded }}' }] },
	ifExists: '={{ $json.ifExists }}',
};
const GOOD_CREATE = { org: CONTOSO, name: 'Legal Restores', description: 'Legal', type: 'SpecificObjects', kind: 'site', item: 'https://contoso.sharepoint.com/sites/HR', excluded: 'Bob Baker', ifExists: 'error' };
const create = (what: string, field: string, bad: IDataObject): Case => ({ what: `role create: ${what}`, parameters: CREATE, field, good: GOOD_CREATE, bad: { ...GOOD_CREATE, name: 'Other Restores', ...bad } });

const UPDATE: INodeParameters = { resource: 'role', operation: 'update', organization: org, role: roleLocator, roleUpdates: { name: '={{ $json.name }}', roleType: '={{ $json.type }}' } };
const GOOD_UPDATE = { org: CONTOSO, roleMode: 'name', role: 'Helpdesk Restore', name: 'Helpdesk Restores', type: 'EntireOrganization' };
const update = (what: string, field: string, bad: IDataObject): Case => ({ what: `role update: ${what}`, parameters: UPDATE, field, good: GOOD_UPDATE, bad: { ...GOOD_UPDATE, role: 'Finance Restore', name: 'Finance Restores', type: 'SpecificObjects', ...bad } });

const DELETE: INodeParameters = { resource: 'role', operation: 'delete', organization: org, role: roleLocator, ifNotFound: '={{ $json.ifNotFound }}' };
const GOOD_DELETE = { org: CONTOSO, roleMode: 'name', role: 'Helpdesk Restore', ifNotFound: 'absent' };
const del = (what: string, field: string, bad: IDataObject): Case => ({ what: `role delete: ${what}`, parameters: DELETE, field, good: GOOD_DELETE, bad: { ...GOOD_DELETE, role: 'Finance Restore', ...bad } });

const CASES: Case[] = [
	grant('organization empty', 'Organization', { org: '' }),
	grant('organization blank', 'Organization', { org: '   ' }),
	grant('organization VB365 does not back up', 'Organization', { org: 'nowhere.onmicrosoft.com' }),
	grant('organization is an object', 'Organization', { org: { name: CONTOSO } }),
	grant('operator empty', 'Operator', { who: '' }),
	grant('operator blank', 'Operator', { who: '   ' }),
	grant('operator with a control character', 'Operator', { who: 'alice\u0007adams@contoso.onmicrosoft.com' }),
	grant('operator is an object', 'Operator', { who: { name: ALICE } }),
	grant('operator nobody in the organization', 'Operator', { who: `nobody@${CONTOSO}` }),
	grant('operator of another organization', 'Operator', { who: 'erin.ford@fabrikam.onmicrosoft.com' }),
	grant('operator display name two users share', 'Operator', { who: 'Sam Taylor' }),
	grant('a group given as a user', 'Operator', { who: 'Helpdesk', type: 'user' }),
	grant('a user given as a group', 'Operator', { who: ALICE, type: 'group' }),
	grant('operator type unknown', 'Operator Type', { type: 'robot' }),
	grant('roles empty', 'Role Names or IDs', { roles: [] }),
	grant('roles only commas', 'Role Names or IDs', { roles: ' , ,' }),
	grant('role unknown (If Missing: Error)', 'Role Names or IDs', { roles: ['Nope'] }),
	grant("another organization's role by name", 'Role Names or IDs', { roles: ['Fabrikam Restore'] }),
	grant("another organization's role by ID", 'Role Names or IDs', { roles: [VB365_ROLE_FABRIKAM_ID] }),
	grant('roles is an object', 'Role Names or IDs', { roles: { name: 'Helpdesk Restore' } }),
	grant('If a Role Does Not Exist unknown', 'If a Role Does Not Exist', { missing: 'maybe' }),
	grant('new role scope unknown', 'New Role Scope', { roles: ['Brand New Role'], missing: 'create', scope: 'Everything' }),
	revoke('operator empty', 'Operator', { who: '' }),
	revoke('operator with a control character', 'Operator', { who: 'dave\u0000lee' }),
	revoke('Revoke From unknown', 'Revoke From', { from: 'galaxy' }),
	revoke('role unknown', 'Role Names or IDs', { roles: ['Nope'] }),
	revoke("another organization's role", 'Role Names or IDs', { roles: ['Fabrikam Restore'] }),
	revoke('organization unknown', 'Organization', { org: 'nowhere.onmicrosoft.com' }),
	offboard('person empty', 'Person', { who: '' }),
	offboard('person blank', 'Person', { who: '  ' }),
	offboard('person is a list', 'Person', { who: [ALICE, `bob.baker@${CONTOSO}`] }),
	offboard('organization scope unknown', 'Organizations', { scope: 'some' }),
	offboard('organization unknown', 'Organization', { org: 'nowhere.onmicrosoft.com' }),
	get('operator empty', 'Operator', { who: '' }),
	get('operator type unknown', 'Operator Type', { type: 'printer' }),
	get('organization empty', 'Organization', { org: '' }),
	getMany('operator type unknown', 'Operator Type', { type: 'robot' }),
	getMany('role unknown', 'Roles', { roles: 'Nope' }),
	getMany('roles is a list', 'Roles', { roles: ['Helpdesk Restore'] }),
	getMany('organization scope unknown', 'Organizations', { scope: 'galaxy' }),
	create('name empty', 'Name', { name: '' }),
	create('name blank', 'Name', { name: '   ' }),
	create('name with a control character', 'Name', { name: 'Legal\u0007Restores' }),
	create('name is an object', 'Name', { name: { text: 'Legal' } }),
	create('role type unknown', 'Role Type', { type: 'Everything' }),
	create('item kind unknown', 'Selected Items 1: Kind', { kind: 'printer' }),
	create('item no site of the organization', 'Selected Items 1', { item: 'https://nowhere.example/sites/x' }),
	create('item empty', 'Selected Items 1: Item', { item: '' }),
	create('excluded item ambiguous (two Sam Taylors)', 'Excluded Items 1', { excluded: 'Sam Taylor' }),
	create('If the Role Already Exists unknown', 'If the Role Already Exists', { ifExists: 'maybe' }),
	create('organization unknown', 'Organization', { org: 'nowhere.onmicrosoft.com' }),
	update('role unknown', 'Role', { role: 'Nope' }),
	update('role ID that is no UUID', 'Role', { roleMode: 'id', role: 'not-a-uuid' }),
	update('role ID with a path in it', 'Role', { roleMode: 'id', role: '5b7b13ba-a04e-4e05-8eab-000000000002/../x' }),
	update("another organization's role by ID", 'Role', { roleMode: 'id', role: VB365_ROLE_FABRIKAM_ID }),
	update('role type unknown', 'Role Type', { type: 'Everything' }),
	update('name with a control character', 'Name', { name: 'Bad\u0007Name' }),
	del('role ID that is no UUID', 'Role', { roleMode: 'id', role: '12345' }),
	del('role empty', 'Role', { role: '' }),
	del('If the Role Does Not Exist unknown', 'If the Role Does Not Exist', { ifNotFound: 'maybe' }),
];

const CREDENTIAL_CASES: Array<{ what: string; change: (sim: SimServer) => IDataObject; field: string }> = [
	{ what: 'empty URL', change: () => ({ url: '' }), field: 'Server URL' },
	{ what: 'URL with the API path', change: (sim) => ({ url: `${sim.url}/v8` }), field: 'Server URL' },
	{ what: 'http:// URL', change: (sim) => ({ url: sim.url.replace('https://', 'http://') }), field: 'Server URL' },
	{ what: 'URL with user info', change: (sim) => ({ url: sim.url.replace('https://', 'https://admin:Url-Pa55word@') }), field: 'Server URL' },
	{ what: "API version in VBR's form", change: () => ({ apiVersion: '1.3-rev1' }), field: 'API Version' },
	{ what: 'custom API version that is a path', change: () => ({ apiVersion: 'custom', customApiVersion: 'v8/../../x' }), field: 'Custom API Version' },
	{ what: 'request timeout out of range', change: () => ({ timeoutSeconds: 0 }), field: 'Request Timeout (Seconds)' },
];

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
	process.stdout.write(`\nBad-input table, vb365 (${table.length} cases):\n${table.join('\n')}\n`);
});

async function run(c: Case, continueOnFail: boolean): Promise<VeeamRun> {
	sim.reset();
	h.resetCredential();
	sim.log.clear();
	sim.stats.reset();
	return await h.run(c.parameters, [c.good, c.bad], { continueOnFail });
}

const WRITES = /^(POST|PUT|PATCH|DELETE) /;
const writesSent = () => Object.keys(sim.stats.byRoute).filter((route) => WRITES.test(route) && !route.includes('/token'));

it('has at least 50 bad inputs for VB365, every VB365 operation with fields covered', () => {
	expect(CASES.length).toBeGreaterThanOrEqual(50);
	const covered = new Set(CASES.map((c) => `${String(c.parameters.resource)}/${String(c.parameters.operation)}`));
	expect([...covered].sort()).toEqual(['restoreOperator/get', 'restoreOperator/getMany', 'restoreOperator/grant', 'restoreOperator/offboard', 'restoreOperator/revoke', 'role/create', 'role/delete', 'role/update'].sort());
});

describe.each(CASES)('vb365: $what', (c) => {
	it('is refused with a NodeOperationError naming the field and item, before any change', async () => {
		const result = await run(c, false);
		expect(result.error).toMatchObject({ name: 'NodeOperationError' });
		expect(errorText(result)).toContain(`${c.field} (item 1)`);
		expect(mutatingRequests(sim)).toBe(0);
		expect(writesSent()).toEqual([]);
		expect(sim.log.since()).toEqual([]);
		table.push(`  vb365 ${c.what.padEnd(52)} → ${String(result.error?.message).slice(0, 110)}`);
	});

	it('with continue-on-fail, fails only that item', async () => {
		const result = await run(c, true);
		expect(result.error).toBeUndefined();
		const byItem = new Map(result.items.map((item) => [(item.pairedItem as { item: number }).item, item.json]));
		expect(String(byItem.get(1)?.error)).toContain(`${c.field} (item 1)`);
		expect(String(byItem.get(0)?.error ?? '')).toBe('');
		expect(byItem.has(0)).toBe(true);
	});
});

describe.each(CREDENTIAL_CASES)('credential, vb365: $what', (c) => {
	it('is refused with a NodeOperationError naming the field and item 0, before any request', async () => {
		sim.reset();
		h.resetCredential(c.change(sim));
		sim.stats.reset();
		const result = await h.run(GRANT, [GOOD_GRANT, { ...GOOD_GRANT, who: `carol.chen@${CONTOSO}` }]);
		expect(result.error).toMatchObject({ name: 'NodeOperationError' });
		expect(result.error?.message).toMatch(new RegExp(`^${c.field.replace(/[()]/g, '\\$&')} \\(credential, item 0\\): `));
		expect(errorText(result)).toContain('Nothing was sent to the server.');
		expect(sim.stats.requests).toBe(0);
		expect(JSON.stringify(result.error)).not.toContain('Url-Pa55word');
		table.push(`  vb365 ${`credential: ${c.what}`.padEnd(52)} → ${String(result.error?.message).slice(0, 110)}`);
	});
});

describe('vb365: Sync with a bad row', () => {
	const SYNC: INodeParameters = { resource: 'restoreOperator', operation: 'sync', organization: { __rl: true, mode: 'name', value: CONTOSO }, operator: '={{ $json.operator }}', operatorType: '={{ $json.type ?? "user" }}', restoreRoles: '={{ $json.roles }}', syncMode: 'apply', syncOptions: { maxRemovals: 10, maxRemovalPercent: 100 } };
	const rows = [
		{ operator: `helpdesk@${CONTOSO}`, type: 'group', roles: ['Helpdesk Restore'] },
		{ operator: `dave.lee@${CONTOSO}`, roles: ['Helpdesk Restore', 'Finance Restore'] },
		{ operator: ALICE, roles: ['Finance Restore'] },
	];
	it.each([
		['operator empty', { operator: '' }, 'Operator'],
		['operator with a control character', { operator: 'x\u0007y' }, 'Operator'],
		['operator type unknown', { type: 'robot' }, 'Operator Type'],
		['role unknown', { roles: ['Nope'] }, 'Role Names or IDs'],
		["another organization's role", { roles: ['Fabrikam Restore'] }, 'Role Names or IDs'],
	])('%s on row 2: refused naming the field and item 2, nothing changed (the apply adds nobody, removes nobody)', async (_what, bad, field) => {
		sim.reset();
		h.resetCredential();
		sim.log.clear();
		sim.stats.reset();
		const result = await h.run(SYNC, [rows[0], rows[1], { ...rows[2], ...bad }]);
		expect(result.error).toMatchObject({ name: 'NodeOperationError' });
		expect(errorText(result)).toContain(`${field} (item 2)`);
		expect(writesSent()).toEqual([]);
		expect(sim.log.since()).toEqual([]);
	});
});

describe('vb365: Access Report with a bad field (one report for the run: its fields are read at item 0)', () => {
	it.each([
		['organization scope unknown', { organizationScope: 'galaxy' }, 'Organizations'],
		['organization VB365 does not back up', { organizationScope: 'one', organization: { __rl: true, mode: 'name', value: 'nowhere.onmicrosoft.com' } }, 'Organization'],
		['organization empty (an expression giving "")', { organizationScope: 'one', organization: { __rl: true, mode: 'name', value: '={{ "" }}' } }, 'Organization'],
	])('%s: refused naming the field and item 0, nothing written', async (_what, extra, field) => {
		sim.reset();
		h.resetCredential();
		sim.log.clear();
		sim.stats.reset();
		const result = await h.run({ resource: 'restoreOperator', operation: 'accessReport', ...extra } as INodeParameters);
		expect(result.error).toMatchObject({ name: 'NodeOperationError' });
		expect(errorText(result)).toContain(`${field} (item 0)`);
		expect(writesSent()).toEqual([]);
		expect(sim.log.since()).toEqual([]);
	});
});
