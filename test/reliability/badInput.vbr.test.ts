/**
 * Bad-input table, VBR (the rule and the shared parameters: badInput.shared.ts): users, Backup
 * Access, custom roles, the credential, and Sync with bad declared custom roles.
 */
import { byName } from '../nodes/Veeam/fixtures';
import { ACCESS_LIST, BACKUP_ACCESS, badInputSuite, CHANGE_OWNER, GOOD_ACCESS, GOOD_LIST, GOOD_OWNER, GOOD_ROLE, GOOD_ROLE_ID, GOOD_ROLE_JSON, GOOD_VBR, mutatingRequests, ROLE_CREATE, ROLE_JSON, roleById, VBR_ONBOARD, type BadInput, type BadCredential } from './badInput.shared';

const VBR_ROLE_CASES: BadInput[] = [
	{ product: 'vbr', what: 'role create: empty name', parameters: ROLE_CREATE, field: 'Name', good: GOOD_ROLE, bad: { ...GOOD_ROLE, name: '' } },
	{ product: 'vbr', what: 'role create: name is an object', parameters: ROLE_CREATE, field: 'Name', good: GOOD_ROLE, bad: { ...GOOD_ROLE, name: { a: 1 } } },
	{ product: 'vbr', what: 'role create: scopes not JSON', parameters: ROLE_CREATE, field: 'Scopes (JSON)', good: GOOD_ROLE, bad: { ...GOOD_ROLE, scopes: '{ repositoryScope: ' } },
	{ product: 'vbr', what: 'role create: not a scope', parameters: ROLE_CREATE, field: 'Scopes (JSON)', good: GOOD_ROLE, bad: { ...GOOD_ROLE, scopes: '{"repositories": []}' } },
	{
		product: 'vbr',
		what: 'role create: list left out (Required if …)',
		parameters: ROLE_CREATE,
		field: 'Scopes (JSON)',
		good: GOOD_ROLE,
		bad: { ...GOOD_ROLE, scopes: '{"repositoryScope": {"allRepositories": false}}' },
	},
	{
		product: 'vbr',
		what: 'role create: repository ID not a UUID',
		parameters: ROLE_CREATE,
		field: 'Scopes (JSON)',
		good: GOOD_ROLE,
		bad: { ...GOOD_ROLE, scopes: '{"repositoryScope": {"allRepositories": false, "repositories": [{"repositoryId": "Main"}]}}' },
	},
	{ product: 'vbr', what: 'role JSON without manageBackups', parameters: ROLE_JSON, field: 'Role (JSON)', good: GOOD_ROLE_JSON, bad: { role: '{"name": "X", "manageRestores": true}' } },
	{
		product: 'vbr',
		what: 'role JSON with an unknown workload type',
		parameters: ROLE_JSON,
		field: 'Role (JSON)',
		good: GOOD_ROLE_JSON,
		bad: { role: JSON.stringify({ name: 'X', manageBackups: false, manageRestores: true, inventoryScope: { entireInventory: false, workloads: [{ type: 'VMs' }] } }) },
	},
	{ product: 'vbr', what: 'role update: ID not a UUID', parameters: roleById('update', { roleName: 'X' }), field: 'Role', good: GOOD_ROLE_ID, bad: { id: 'not-a-uuid' } },
	{ product: 'vbr', what: 'role clone: ID not a UUID', parameters: roleById('clone'), field: 'Role', good: GOOD_ROLE_ID, bad: { id: 'Auditors' } },
	{ product: 'vbr', what: 'role delete: ID not a UUID', parameters: roleById('delete'), field: 'Role', good: GOOD_ROLE_ID, bad: { id: '../users' } },
	{
		product: 'vbr',
		what: 'role delete: Remove From Holders First not a boolean',
		parameters: roleById('delete', { removeFromHolders: '={{ $json.remove }}' }),
		field: 'Remove From Holders First',
		good: { ...GOOD_ROLE_ID, remove: false },
		bad: { ...GOOD_ROLE_ID, remove: 'maybe' },
	},
	{ product: 'vbr', what: 'roles get many: unknown kind', parameters: { resource: 'role', operation: 'getMany', returnAll: true, roleKind: '={{ $json.kind }}' }, field: 'Kind', good: { kind: 'builtIn' }, bad: { kind: 'wizards' } },
];

const CASES: BadInput[] = [
	{ product: 'vbr', what: 'empty name', parameters: VBR_ONBOARD, field: 'User Name', good: GOOD_VBR, bad: { ...GOOD_VBR, name: '' } },
	{ product: 'vbr', what: 'blank name', parameters: VBR_ONBOARD, field: 'User Name', good: GOOD_VBR, bad: { ...GOOD_VBR, name: '   ' } },
	{
		product: 'vbr',
		what: 'AD name as an identity-provider user (ExternalUser)',
		parameters: { ...VBR_ONBOARD, userType: 'ExternalUser' },
		field: 'User Name',
		good: { ...GOOD_VBR, name: 'good.one@tech.com' },
		bad: { ...GOOD_VBR, name: 'TECH\\jane.doe' },
	},
	{ product: 'vbr', what: 'AD name with two backslashes', parameters: VBR_ONBOARD, field: 'User Name', good: GOOD_VBR, bad: { ...GOOD_VBR, name: 'TECH\\a\\b' } },
	{ product: 'vbr', what: 'AD name with a forbidden character', parameters: VBR_ONBOARD, field: 'User Name', good: GOOD_VBR, bad: { ...GOOD_VBR, name: 'TECH\\a*b' } },
	{ product: 'vbr', what: 'name is an object', parameters: VBR_ONBOARD, field: 'User Name', good: GOOD_VBR, bad: { ...GOOD_VBR, name: { first: 'Jane' } } },
	{ product: 'vbr', what: 'name is a list', parameters: VBR_ONBOARD, field: 'User Name', good: GOOD_VBR, bad: { ...GOOD_VBR, name: ['TECH\\a'] } },
	{ product: 'vbr', what: 'empty role list', parameters: VBR_ONBOARD, field: 'Role Names or IDs', good: GOOD_VBR, bad: { ...GOOD_VBR, roles: [] } },
	{ product: 'vbr', what: 'unknown role name', parameters: VBR_ONBOARD, field: 'Role Names or IDs', good: GOOD_VBR, bad: { ...GOOD_VBR, roles: ['Chief Wizard'] } },
	{
		product: 'vbr',
		what: 'unknown role id',
		parameters: VBR_ONBOARD,
		field: 'Role Names or IDs',
		good: GOOD_VBR,
		bad: { ...GOOD_VBR, roles: ['00000000-0000-4000-8000-000000000000'] },
	},
	{
		product: 'vbr',
		what: 'user id that is not a UUID',
		parameters: { resource: 'user', operation: 'promote', user: { __rl: true, mode: 'id', value: '={{ $json.id }}' }, roleMode: 'replace', roles: ['Backup Viewer'] },
		field: 'User',
		good: (sim) => ({ id: (sim.product.snapshot().users as Array<{ id: string; name: string }>).find((u) => u.name === 'TECH\\sheila.d.cory')?.id }),
		bad: { id: 'not-a-uuid' },
	},
	{
		product: 'vbr',
		what: 'promote to an empty role list',
		parameters: { resource: 'user', operation: 'promote', user: byName('={{ $json.name }}'), roleMode: 'replace', roles: '={{ $json.roles }}' },
		field: 'Role Names or IDs',
		good: { name: 'TECH\\sheila.d.cory', roles: ['Backup Viewer'] },
		bad: { name: 'TECH\\sheila.d.cory', roles: [] },
	},
	{
		product: 'vbr',
		what: 'offboard with an empty name',
		parameters: { resource: 'user', operation: 'offboard', user: byName('={{ $json.name }}') },
		field: 'User',
		good: { name: 'TECH\\sheila.d.cory' },
		bad: { name: '' },
	},
	// Backup Access (VBR 13.1 ACL, issue 27 point 4): the seeded SQL backup (sim/vbr/acl.ts ACL_SEED).
	{ product: 'vbr', what: 'backup access: ID not a UUID', parameters: BACKUP_ACCESS, field: 'Backup or Job', good: GOOD_ACCESS, bad: { ...GOOD_ACCESS, id: 'not-a-uuid' } },
	{ product: 'vbr', what: 'backup access: unknown object type', parameters: BACKUP_ACCESS, field: 'Object Type', good: GOOD_ACCESS, bad: { ...GOOD_ACCESS, type: 'replica' } },
	{ product: 'vbr', what: 'backup access: unknown role', parameters: BACKUP_ACCESS, field: 'Role Name or ID', good: GOOD_ACCESS, bad: { ...GOOD_ACCESS, role: 'Chief Wizard' } },
	{ product: 'vbr', what: 'backup access: unknown right', parameters: BACKUP_ACCESS, field: 'Rights', good: GOOD_ACCESS, bad: { ...GOOD_ACCESS, rights: ['restore', 'admin'] } },
	{ product: 'vbr', what: 'backup access: grant no rights', parameters: BACKUP_ACCESS, field: 'Rights', good: GOOD_ACCESS, bad: { ...GOOD_ACCESS, rights: [] } },
	{ product: 'vbr', what: 'backup access: unknown change mode', parameters: BACKUP_ACCESS, field: 'Change', good: GOOD_ACCESS, bad: { ...GOOD_ACCESS, mode: 'add' } },
	{ product: 'vbr', what: 'change owner: empty owner', parameters: CHANGE_OWNER, field: 'New Owner', good: GOOD_OWNER, bad: { ...GOOD_OWNER, owner: '' } },
	{ product: 'vbr', what: 'change owner: owner is an object', parameters: CHANGE_OWNER, field: 'New Owner', good: GOOD_OWNER, bad: { ...GOOD_OWNER, owner: { name: 'x' } } },
	{ product: 'vbr', what: 'backup access get many: unknown role', parameters: ACCESS_LIST, field: 'Filters → Role Name or ID', good: GOOD_LIST, bad: { ...GOOD_LIST, role: 'Chief Wizard' } },
	// Custom roles (VBR 13.1): the role's fields and scopes are checked before anything is sent.
	...VBR_ROLE_CASES,
];

const CREDENTIAL_CASES: BadCredential[] = [
	{ product: 'vbr', what: 'URL without scheme', change: (sim) => ({ url: sim.url.replace('https://', '') }), field: 'Server URL' },
	{ product: 'vbr', what: 'URL with a path', change: (sim) => ({ url: `${sim.url}/api/v1` }), field: 'Server URL' },
	{ product: 'vbr', what: 'http:// URL', change: (sim) => ({ url: sim.url.replace('https://', 'http://') }), field: 'Server URL' },
	{ product: 'vbr', what: 'URL with user info, no scheme', change: (sim) => ({ url: sim.url.replace('https://', 'svc:Url-Pa55word@') }), field: 'Server URL' },
	{ product: 'vbr', what: 'custom API version not in Veeam form', change: () => ({ apiVersion: 'custom', customApiVersion: 'v13' }), field: 'Custom API Version' },
	{ product: 'vbr', what: 'CA certificate that is not PEM', change: () => ({ caCertificate: 'MIIB…not a certificate' }), field: 'CA Certificate' },
];

const suite = badInputSuite(['vbr']);
const { setup } = suite;

suite.describeCases(CASES);
suite.describeCredentialCases(CREDENTIAL_CASES);

/**
 * VBR User → Sync with custom roles (issue 27): the declared roles are one parameter, read with the
 * first item, so a bad one names Custom Roles (item 0) and the role in the list; nothing is changed
 * and nothing but reads is sent, even with other items good.
 */
describe('vbr: Sync with bad declared custom roles', () => {
	const role = { name: 'Ops-Restore', manageBackups: false, manageRestores: true };
	const syncRoles = (customRoles: unknown) => ({
		resource: 'user',
		operation: 'sync',
		manage: 'usersAndCustomRoles',
		customRoles: typeof customRoles === 'string' ? customRoles : JSON.stringify(customRoles),
		customRoleScope: 'all',
		userName: '={{ $json.name }}',
		roles: '={{ $json.roles }}',
		scope: 'namePattern',
		scopePattern: 'TECH\\good.*',
		syncMode: 'apply',
	});
	it.each([
		['not JSON', '[{"name": '],
		['empty', ''],
		['a role without manageRestores', [{ name: 'Ops-Restore', manageBackups: false }]],
		['a misspelt field', [{ ...role, restorePermissionScope: {} }]],
		['a scope missing its list', [{ ...role, inventoryScope: { entireInventory: false } }]],
		['a backup scope with a non-UUID backup', [{ ...role, restorePermissionsScope: { restoreBackupScope: { entireBackupScope: false, backupSources: [{ type: 'Backups', backups: [{ backupId: 'x' }] }] }, restoreOptions: { allOptions: true } } }]],
		['the same name twice', [role, { ...role, name: 'ops-restore' }]],
		['a built-in role\'s name', [{ ...role, name: 'Backup Viewer' }]],
	])('%s: refused naming Custom Roles (item 0) and the role, before any change', async (what, customRoles) => {
		const { sim, run } = setup({ product: 'vbr', parameters: syncRoles(customRoles), good: GOOD_VBR });
		const result = await run([GOOD_VBR, { ...GOOD_VBR, name: 'TECH\\good.two' }], false);
		expect(result.error).toMatchObject({ name: 'NodeOperationError' });
		expect(result.error?.message).toMatch(/^Custom Roles \(item 0\): /);
		if (Array.isArray(customRoles)) expect(result.error?.message).toMatch(/\[\d\] "[^"]+": /);
		expect(mutatingRequests(sim)).toBe(0);
		expect(sim.log.since()).toEqual([]);
		suite.table.push(`  vbr   ${`sync roles: ${what}`.padEnd(34)} → ${String(result.error?.message).slice(0, 110)}`);
	});
});
