/**
 * Veeam Backup for AWS as Veeam's own pages describe 10.0 (issue 25, points 3, 8, 9, 10; the facts
 * and their pages are in sim/contracts/aws.md): API 1.8-rev0, the Read-Only User role, names of at
 * most 32 characters (never `admin`), identity-provider (SSO) users that stay in the identity
 * provider when offboarded, `oldPassword` on a PUT, and a SearchPattern the server may ignore.
 * Through n8n's engine against the simulator, on both n8n majors.
 */
import { startSimulator, type SimServer } from '../../../../sim';
import { shutdownEngine } from '../../../support/engine';
import { Veeam } from '../../../../nodes/Veeam/Veeam.node';
import { byName, errorText, mutations, routeCount } from '../fixtures';
import { CloudFixture, cloudUser } from './fixture';

const PASSWORD = 'N3w-Hire-Passw0rd!';

const onboard = (params: Record<string, unknown> = {}) => ({
	resource: 'user',
	operation: 'onboard',
	userName: '={{ $json.name }}',
	password: PASSWORD,
	roles: ['Restore Operator'],
	...params,
});

describe('Veeam Backup for AWS 10.0 (API 1.8-rev0)', () => {
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

	it('works at 1.8-rev0, the default of a new credential: onboards, lists and offboards', async () => {
		const run = await h.run(onboard(), [{ name: 'new_hire' }]);
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ action: 'created', user: { name: 'new_hire', roles: [{ name: 'Restore Operator' }] } });
		const gone = await h.run({ resource: 'user', operation: 'offboard', user: byName('new_hire'), ifNotFound: 'absent' });
		expect(gone.json[0]).toMatchObject({ action: 'deleted', directoryAccountRemains: false });
	});

	it('knows the Read-Only User role (ReadOnlyUser): lists it, onboards and promotes with it, and reads a holder as its role', async () => {
		const roles = await h.run({ resource: 'role', operation: 'getMany', returnAll: true });
		expect(roles.json.map((r) => r.name)).toEqual(['Portal Administrator', 'Portal Operator', 'Restore Operator', 'Read-Only User']);
		expect(roles.json[3]).toMatchObject({ id: 'ReadOnlyUser' });
		const created = await h.run(onboard({ roles: ['Read-Only User'] }), [{ name: 'auditor' }]);
		expect(created.error).toBeUndefined();
		expect(cloudUser(sim, 'auditor')?.role).toBe('ReadOnlyUser');
		await h.run(onboard(), [{ name: 'watcher' }]);
		const promoted = await h.run({ resource: 'user', operation: 'promote', user: byName('watcher'), roleMode: 'replace', roles: ['ReadOnlyUser'] });
		expect(promoted.json[0]).toMatchObject({ action: 'updated', before: ['Restore Operator'], after: ['Read-Only User'] });
		const got = await h.run({ resource: 'user', operation: 'get', user: byName('auditor') });
		expect(got.json[0]).toMatchObject({ roles: [{ id: 'ReadOnlyUser', name: 'Read-Only User' }] });
	});

	it('refuses local names over 32 characters and "admin" per item, before sending anything', async () => {
		const before = mutations(sim).length;
		const run = await h.run(onboard(), [{ name: 'a'.repeat(33) }, { name: 'admin' }, { name: 'b'.repeat(32) }], { continueOnFail: true });
		expect(String(run.json[0].error)).toMatch(/longer than 32 characters/);
		expect(String(run.json[1].error)).toMatch(/"admin" cannot be a Veeam Backup for AWS account name/);
		expect(run.json[2]).toMatchObject({ action: 'created', user: { name: 'b'.repeat(32) } });
		expect(mutations(sim).slice(before)).toEqual([['user.create', 'b'.repeat(32)]]);
	});

	it('offboards an identity-provider (SSO) user saying its account remains in the identity provider, for the ticket step', async () => {
		sim.seed({ count: 1, type: 'IdentityProvider', prefix: 'sso.user', roles: ['PortalOperator'] } as Parameters<SimServer['seed']>[0]);
		const name = 'sso.user000001@example.com';
		const got = await h.run({ resource: 'user', operation: 'get', user: byName(name) });
		expect(got.json[0]).toMatchObject({ name, type: 'External', isDirectoryAccount: true });
		const gone = await h.run({ resource: 'user', operation: 'offboard', user: byName(name), ifNotFound: 'absent' });
		expect(gone.error).toBeUndefined();
		expect(gone.json[0]).toMatchObject({ action: 'deleted', directoryAccountRemains: true, directoryAccount: name });
		expect(cloudUser(sim, name)).toBeUndefined();
	});

	it('onboards an identity-provider (SSO) user: Type External, no password asked or sent, a directory account', async () => {
		const name = 'jane.doe@example.com';
		const run = await h.run({ resource: 'user', operation: 'onboard', userName: name, userType: 'External', roles: ['Portal Operator'], description: 'SSO' });
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ action: 'created', user: { name, type: 'External', isDirectoryAccount: true, roles: [{ name: 'Portal Operator' }] } });
		// The simulator refuses an External user sent with a password: none was sent.
		expect(cloudUser(sim, name)).toMatchObject({ accountType: 'External', role: 'PortalOperator' });
		// No page the package could find limits an identity-provider user's name (the 125 once cited is
		// not on any page read: sim/contracts/aws.md): the node sends it and the appliance judges. The
		// simulator's limit (125, assumed) refuses this one: the server's refusal, nothing created.
		const longName = `${'j'.repeat(114)}@example.com`;
		const posts = routeCount(sim, 'POST /api/v1/users');
		const long = await h.run({ resource: 'user', operation: 'onboard', userName: longName, userType: 'External', roles: ['Portal Operator'] });
		expect(routeCount(sim, 'POST /api/v1/users')).toBe(posts + 1);
		expect(errorText(long)).toMatch(/Veeam Backup for AWS refuses the user name|maximum length of the name/);
		expect(cloudUser(sim, longName)).toBeUndefined();
		// A portal user still needs its password: n8n itself refuses to run without the required field
		// (n8n 2.x names it, 1.x says the workflow has issues).
		await expect(h.run({ resource: 'user', operation: 'onboard', userName: 'no_password', userType: 'Internal', roles: ['Portal Operator'] })).rejects.toThrow(
			/Password|workflow has issues/,
		);
		expect(cloudUser(sim, 'no_password')).toBeUndefined();
	});

	it('says an SSO user\'s password and MFA belong to the identity provider, and sends nothing', async () => {
		sim.seed({ count: 1, type: 'IdentityProvider', prefix: 'sso.user', roles: ['PortalOperator'] } as Parameters<SimServer['seed']>[0]);
		const name = 'sso.user000001@example.com';
		const before = mutations(sim).length;
		const pwd = await h.run({ resource: 'user', operation: 'changePassword', user: byName(name), oldPassword: PASSWORD, newPassword: 'An0ther-Passw0rd!' });
		expect(errorText(pwd)).toMatch(/identity-provider \(SSO\) user: its password is kept by the identity provider/);
		const mfa = await h.run({ resource: 'mfa', operation: 'enable', user: byName(name) });
		expect(errorText(mfa)).toMatch(/identity-provider \(SSO\) user: Veeam Backup for AWS cannot enable MFA/);
		expect(mutations(sim).slice(before)).toEqual([]);
	});

	it('lists by name pattern in the editor\'s search even where the server ignores SearchPattern', async () => {
		const ignoring = await startSimulator({ product: 'aws', aws: { searchPattern: 'ignored' } });
		const other = new CloudFixture(ignoring, 'aws');
		try {
			for (const name of ['ops_ann', 'ops_bob', 'dev_cid']) await other.run(onboard(), [{ name }]);
			const listed = await other.run({ resource: 'user', operation: 'getMany', returnAll: true, filters: { namePattern: 'ops_*' } });
			expect(listed.json.map((u) => u.name)).toEqual(['ops_ann', 'ops_bob']);
			const found = await new Veeam().methods!.listSearch!.searchUsers.call(other.loadOptionsContext({ resource: 'user', operation: 'get' }), 'ops_');
			expect(found.results.map((r) => r.name).sort()).toEqual(['ops_ann', 'ops_bob']);
		} finally {
			await ignoring.close();
		}
	});
});

describe('Veeam Backup for AWS asking for oldPassword on every PUT (the 2.0 guide\'s words)', () => {
	let sim: SimServer;
	let h: CloudFixture;

	beforeAll(async () => {
		sim = await startSimulator({ product: 'aws', aws: { oldPasswordOnUpdate: 'always' } });
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

	it('Promote and a description change fail clearly, naming the current password and what to do, and change nothing', async () => {
		const before = mutations(sim).length;
		const promoted = await h.run({ resource: 'user', operation: 'promote', user: byName('operator'), roleMode: 'replace', roles: ['Restore Operator'] });
		expect(errorText(promoted)).toMatch(/wants operator's current password \(oldPassword\) to change the role, and the node does not know it/);
		expect((promoted.error as Error & { description?: string }).description).toMatch(/Nothing was changed.*Veeam Backup for AWS console/s);
		// Onboard of an existing user with a new description (If the User Already Exists: Make Roles Match).
		const described = await h.run(onboard({ description: 'New words', roles: ['Portal Operator'] }), [{ name: 'operator' }]);
		expect(errorText(described)).toMatch(/wants operator's current password \(oldPassword\) to change the description/);
		expect(mutations(sim).slice(before)).toEqual([]);
		expect(cloudUser(sim, 'operator')?.role).toBe('PortalOperator');
	});

	it('reads the demand from problem details too (errors.OldPassword), as ASP.NET words a missing required field', async () => {
		sim.addFault({
			kind: 'answer',
			method: 'PUT',
			pathIncludes: '/api/v1/users/',
			status: 400,
			headers: { 'content-type': 'application/problem+json' },
			body: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1', title: 'One or more validation errors occurred.', status: 400, errors: { OldPassword: ['The OldPassword field is required.'] } },
		});
		const promoted = await h.run({ resource: 'user', operation: 'promote', user: byName('restorer'), roleMode: 'replace', roles: ['Portal Operator'] });
		expect(errorText(promoted)).toMatch(/wants restorer's current password \(oldPassword\) to change the role/);
		expect(cloudUser(sim, 'restorer')?.role).toBe('RestoreOperator');
	});

	it('Change Password still works: it sends the current password', async () => {
		await h.run(onboard(), [{ name: 'pwd_user' }]);
		const run = await h.run({ resource: 'user', operation: 'changePassword', user: byName('pwd_user'), oldPassword: PASSWORD, newPassword: 'An0ther-Passw0rd!' });
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ action: 'passwordChanged' });
	});
});
