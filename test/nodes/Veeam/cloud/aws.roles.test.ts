/**
 * Veeam Backup for AWS roles in spellings the package cannot verify (no published spec after
 * 1.0-rev0 gives the role's API values: sim/contracts/aws.md). The node reads the aliases a server
 * may answer as our roles (`PortalAdmin`, the guide's names, any case, with or without spaces, `-`,
 * `_`), keeps any other value as a role of its own, and the last-administrator guard fails safe:
 * a role it does not recognise may be the administrator's, so it never lets a change go ahead on
 * the strength of one, nor lets one hide an administrator. The server's answers are patched
 * (simulator fault `patch`) to spell the roles otherwise; the simulator itself keeps its values.
 * Through n8n's engine, on both n8n majors.
 */
import { AWS_DEFAULT_ADMIN, AWS_DEFAULT_PASSWORD, startSimulator, type SimServer } from '../../../../sim';
import { shutdownEngine } from '../../../support/engine';
import { simClient } from '../../../support/simClient';
import { byName, errorText, mutations } from '../fixtures';
import { CloudFixture, cloudUser } from './fixture';

const USERS = '/api/v1/users';
const PASSWORD = 'N3w-Hire-Passw0rd!';
/** A spelling no alias covers: it may be the administrator role, or not. */
const UNKNOWN = 'PortalSuperAdmin';

let sim: SimServer;
let h: CloudFixture;

beforeAll(async () => {
	sim = await startSimulator({ product: 'aws' });
	h = new CloudFixture(sim, 'aws');
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});
beforeEach(() => {
	sim.reset();
	h.resetCredential({ apiVersion: '1.8-rev0' });
});

/** The server's user list as it stands (the simulator's own answer), each user's `role` as `spell` gives it. */
async function listSpelled(spell: Record<string, string>, extra: Array<Record<string, unknown>> = []): Promise<Array<Record<string, unknown>>> {
	const login = await simClient(sim, { apiVersion: '1.8-rev0' }).post(
		'/api/v1/token',
		new URLSearchParams({ grant_type: 'password', username: AWS_DEFAULT_ADMIN, password: AWS_DEFAULT_PASSWORD }),
	);
	const res = await simClient(sim, { apiVersion: '1.8-rev0', token: (login.data as { access_token: string }).access_token }).get(USERS);
	const results = (res.data as { results: Array<Record<string, unknown>> }).results;
	return [...results.map((u) => (String(u.name) in spell ? { ...u, role: spell[String(u.name)] } : u)), ...extra];
}

/**
 * From now on the server answers `role` as `spell` says: in its user list, and (first) for each
 * named user's own GET. Patches of the list's `results` and of one user's answer (simulator faults).
 */
async function spellRoles(spell: Record<string, string>, extra: Array<Record<string, unknown>> = []): Promise<void> {
	const results = await listSpelled(spell, extra);
	for (const [name, role] of Object.entries(spell)) sim.addFault({ kind: 'patch', method: 'GET', pathIncludes: `${USERS}/${name}`, count: 50, set: { role } });
	sim.addFault({ kind: 'patch', method: 'GET', pathIncludes: USERS, count: 50, set: { results, totalCount: results.length } });
}

describe('AWS roles read in any spelling a server may use', () => {
	it('maps the aliases to our roles and keeps any other value as its own role, never role-less', async () => {
		await spellRoles({ administrator: 'PortalAdmin', mfa_admin: 'Portal Administrator', operator: 'portal_operator', restorer: 'Restore Operator' }, [
			{ name: 'auditor', description: '', mfaEnabled: false, isDefault: false, role: 'ReadOnly', accountType: 'Internal' },
			{ name: 'viewer', description: '', mfaEnabled: false, isDefault: false, role: 'READ-ONLY USER', accountType: 'Internal' },
			{ name: 'msp_admin', description: '', mfaEnabled: false, isDefault: false, role: 'CompanyAdministrator', accountType: 'Internal' },
		]);
		const run = await h.run({ resource: 'user', operation: 'getMany', returnAll: true });
		expect(run.error).toBeUndefined();
		const roles = Object.fromEntries(run.json.map((u) => [u.name, u.roles]));
		expect(roles).toEqual({
			administrator: [expect.objectContaining({ id: 'PortalAdministrator', name: 'Portal Administrator' })],
			mfa_admin: [expect.objectContaining({ id: 'PortalAdministrator', name: 'Portal Administrator' })],
			operator: [expect.objectContaining({ id: 'PortalOperator', name: 'Portal Operator' })],
			restorer: [expect.objectContaining({ id: 'RestoreOperator', name: 'Restore Operator' })],
			auditor: [expect.objectContaining({ id: 'ReadOnlyUser', name: 'Read-Only User' })],
			viewer: [expect.objectContaining({ id: 'ReadOnlyUser', name: 'Read-Only User' })],
			// "Company Administrator" is not a Portal Administrator: kept as its own role, never mapped.
			msp_admin: [{ id: 'CompanyAdministrator', name: 'CompanyAdministrator' }],
		});
	});

	it('guards an administrator answered as PortalAdmin: the last one is not removed', async () => {
		await spellRoles({ administrator: 'RestoreOperator', mfa_admin: 'PortalAdmin' });
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byName('mfa_admin'), ifNotFound: 'absent' });
		expect(errorText(run)).toMatch(/"mfa_admin" is the last user or group with the Portal Administrator role/);
		expect(cloudUser(sim, 'mfa_admin')).toBeDefined();
	});

	it('counts an administrator answered as PortalAdmin as one: offboarding another administrator goes ahead', async () => {
		await spellRoles({ administrator: 'PortalAdmin', mfa_admin: 'PortalAdmin' });
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byName('mfa_admin'), ifNotFound: 'absent' });
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ action: 'deleted' });
		expect(cloudUser(sim, 'mfa_admin')).toBeUndefined();
	});
});

describe('the last-administrator guard with a role it does not recognise (fail safe)', () => {
	it('refuses to remove a user whose unknown role may be the administrator’s when nobody recognisably holds Portal Administrator; nothing is sent', async () => {
		await spellRoles({ administrator: UNKNOWN, mfa_admin: UNKNOWN });
		const before = mutations(sim).length;
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byName('mfa_admin'), ifNotFound: 'absent' });
		expect(errorText(run)).toMatch(/"mfa_admin" holds the role "PortalSuperAdmin", which the node does not recognise.*no other user or group recognisably holds Portal Administrator/s);
		expect(cloudUser(sim, 'mfa_admin')).toBeDefined();
		expect(mutations(sim).slice(before)).toEqual([]);
	});

	it('refuses to take an unknown role away by Promote on the same grounds', async () => {
		await spellRoles({ administrator: UNKNOWN, mfa_admin: UNKNOWN });
		const run = await h.run({ resource: 'user', operation: 'promote', user: byName('mfa_admin'), roleMode: 'replace', roles: ['Portal Operator'] });
		expect(errorText(run)).toMatch(/does not recognise/);
		expect(cloudUser(sim, 'mfa_admin')?.role).toBe('PortalAdministrator');
	});

	it('lets the change go ahead when another user recognisably holds Portal Administrator', async () => {
		await spellRoles({ mfa_admin: UNKNOWN });
		const run = await h.run({ resource: 'user', operation: 'promote', user: byName('mfa_admin'), roleMode: 'replace', roles: ['Portal Operator'] });
		expect(run.error).toBeUndefined();
		expect(cloudUser(sim, 'mfa_admin')?.role).toBe('PortalOperator');
	});

	it('never counts a user with an unknown role as the other administrator: the last recognised one stays', async () => {
		await spellRoles({ administrator: UNKNOWN });
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byName('mfa_admin'), ifNotFound: 'absent' });
		expect(errorText(run)).toMatch(/"mfa_admin" is the last user or group with the Portal Administrator role/);
		expect(cloudUser(sim, 'mfa_admin')).toBeDefined();
	});

	it('Sync refuses a plan that takes unknown roles away when nobody would recognisably hold Portal Administrator', async () => {
		await spellRoles({ administrator: UNKNOWN, mfa_admin: UNKNOWN });
		const before = mutations(sim).length;
		const params = { resource: 'user', operation: 'sync', userName: '={{ $json.name }}', roles: ['={{ $json.role }}'], password: PASSWORD, scope: 'namePattern', scopePattern: 'mfa_*' };
		const run = await h.run({ ...params, syncMode: 'apply' }, [{ name: 'mfa_new', role: 'Restore Operator' }]);
		expect(errorText(run)).toMatch(/Sync refused: it would leave no user or group with the Portal Administrator role \(mfa_admin would lose it\)/);
		expect(cloudUser(sim, 'mfa_admin')).toBeDefined();
		expect(cloudUser(sim, 'mfa_new')).toBeUndefined();
		expect(mutations(sim).slice(before)).toEqual([]);
	});
});
