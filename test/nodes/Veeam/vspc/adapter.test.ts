/**
 * The VSPC adapter (client/adapters/vspc*.ts) against the VSPC simulator (sim/vspc), through n8n's
 * own load-options context and the VSPC credential, on n8n 2.x and 1.x: what the adapter reads is
 * what the simulator holds (its state dump), and what it changes shows there.
 */
import { createDirectory } from '../../../../client/adapters';
import type { UserDirectory, VeeamUser } from '../../../../client/model';
import { VSPC_COMPANY_ALPHA_UID, VSPC_COMPANY_BETA_UID, VSPC_DEFAULT_ADMIN_UID, VSPC_MFA_USER, VSPC_PROVIDER_UID, type SimServer } from '../../../../sim';
import { loadOptionsContextFor } from '../fixtures';
import { useVspc, type VspcFixture } from './fixture';

let sim: SimServer;
let h: VspcFixture;
useVspc((server, fixture) => {
	sim = server;
	h = fixture;
});

const directory = (): UserDirectory => createDirectory(loadOptionsContextFor(h.nodeTypes, h.credentials, h.node({ resource: 'user', operation: 'getMany' })), 'vspc');
const truth = () => h.vspc.snapshot().users as Array<{ instanceUid: string; userName: string; organizationUid: string; role: string; status: string; mfaPolicyStatus: string }>;
const route = (name: string) => sim.stats.byRoute[name] ?? 0;
const PASSWORD = 'N3w-Hire-Passw0rd!';

describe('VSPC adapter on the simulator', () => {
	it("lists every organization's users as the simulator holds them, by name, with their organization", async () => {
		const users = await directory().listUsers();
		const expected = truth()
			.map((u) => u.userName)
			.sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
		expect(users.map((u) => u.name)).toEqual(expected);
		const admin = users.find((u) => u.ref === VSPC_DEFAULT_ADMIN_UID);
		expect(admin).toMatchObject({ type: 'Provider', roles: [{ id: 'PortalAdministrator', name: 'Portal Administrator' }], organization: { uid: VSPC_PROVIDER_UID, type: 'Provider' }, status: 'Enabled' });
		expect(JSON.stringify(users)).not.toMatch(/"(password|credentials)":/);
	});

	it('reads 1,250 seeded users in pages of 500, one company only from its own pages, the filter holding', async () => {
		h.vspc.seedUsers({ count: 1250, prefix: 'seeded', organizationUid: VSPC_COMPANY_BETA_UID });
		const all = await directory().listUsers();
		expect(all).toHaveLength(truth().length);
		expect(route('GET /api/v3/users')).toBe(Math.ceil(truth().length / 500));
		const before = route('GET /api/v3/users');
		const alpha = await directory().listUsers({ organizationUids: [VSPC_COMPANY_ALPHA_UID] });
		expect(alpha.map((u) => u.name).sort()).toEqual(
			truth()
				.filter((u) => u.organizationUid === VSPC_COMPANY_ALPHA_UID)
				.map((u) => u.userName)
				.sort(),
		);
		expect(route('GET /api/v3/users') - before).toBe(1);
		const page = await directory().listUsersPage({}, 500, 500);
		expect(page.users).toHaveLength(500);
		expect(page.total).toBe(truth().length);
	});

	it('finds users by name and UID, and owners are built-in accounts', async () => {
		const d = directory();
		const owner = await d.findUserByName('ALPHA.OWNER');
		expect(owner).toMatchObject({ name: 'alpha.owner', roles: [{ id: 'CompanyOwner' }], organization: { uid: VSPC_COMPANY_ALPHA_UID, name: 'Alpha' } });
		expect(d.builtInAccount(owner as VeeamUser)).toMatch(/Company Owner of Alpha/);
		await expect(d.getUser(String(owner?.ref))).resolves.toMatchObject({ name: 'alpha.owner' });
		await expect(d.getUser('c37dac86-f273-4133-9bcd-0000000fffff')).resolves.toBeUndefined();
		await expect(d.findUserByName('nobody.here')).resolves.toBeUndefined();
		const orgs = await d.vspc?.().organizations({ companies: true });
		expect(orgs?.find((o) => o.uid === VSPC_COMPANY_BETA_UID)).toMatchObject({ name: 'Beta', type: 'Company', status: 'Active' });
		await expect(d.vspc?.().resolveOrganization('alpha', 'Company')).resolves.toMatchObject({ uid: VSPC_COMPANY_ALPHA_UID });
	});

	it('creates a user in a company, changes its role, status, MFA policy and profile, revokes its tokens and deletes it', async () => {
		const d = directory();
		const access = d.vspc?.();
		if (!access) throw new Error('no VSPC access');
		const made = await d.createUser({
			name: 'jane.doe',
			password: PASSWORD,
			roles: [{ id: 'CompanyLocationUser', name: '' }],
			organizationUid: VSPC_COMPANY_ALPHA_UID,
			mfaRequired: true,
			profile: { firstName: 'Jane', lastName: 'Doe', email: 'jane.doe@alpha.com', title: 'ms' },
		});
		expect(made).toMatchObject({ name: 'jane.doe', roles: [{ name: 'Location User' }], organization: { name: 'Alpha' }, mfaPolicy: 'Enabled', profile: { title: 'Ms' } });
		expect(truth().find((u) => u.userName === 'jane.doe')).toMatchObject({ instanceUid: made.ref, role: 'CompanyLocationUser', mfaPolicyStatus: 'Enabled' });

		const promoted = await d.setRoles(made, [{ id: 'CompanyAdministrator', name: 'Company Administrator' }]);
		expect(promoted.roles[0].id).toBe('CompanyAdministrator');
		await expect(access.setStatus(made, 'Disabled')).resolves.toMatchObject({ status: 'Disabled' });
		await expect(access.setMfaPolicy(made, false)).resolves.toMatchObject({ mfaPolicy: 'Disabled', mfaEnabled: false });
		await expect(access.updateProfile(made, { phone: '555 0100' })).resolves.toMatchObject({ profile: { phone: '555 0100', firstName: 'Jane' } });
		expect(truth().find((u) => u.instanceUid === made.ref)).toMatchObject({ role: 'CompanyAdministrator', status: 'Disabled', mfaPolicyStatus: 'Disabled' });

		const logins = await access.listLogins(made.ref);
		expect(logins.every((l) => l.userUid === made.ref)).toBe(true);
		await access.revokeTokens(made);
		await expect(d.deleteUser(made)).resolves.toBe('deleted');
		await expect(d.getUser(made.ref)).resolves.toBeUndefined();
		await expect(d.deleteUser(made)).resolves.toBe('absent');
		await expect(access.listLogins(made.ref)).resolves.toEqual([]);
	});

	it('a second create of the same name is the existing user, not a second POST of it', async () => {
		const d = directory();
		const hire = { name: 'twice', password: PASSWORD, roles: [{ id: 'CompanyLocationUser', name: '' }], organizationUid: VSPC_COMPANY_ALPHA_UID };
		await d.createUser(hire);
		await expect(directory().createUser(hire)).rejects.toMatchObject({ name: 'UserExistsError' });
		expect(truth().filter((u) => u.userName === 'twice')).toHaveLength(1);
	});

	it("Reset MFA deletes the user's TOTP login and no other", async () => {
		const d = directory();
		const user = await d.getUser(VSPC_MFA_USER.uid);
		const before = await d.vspc?.().listLogins(VSPC_MFA_USER.uid);
		expect(before?.some((l) => l.kind === 'totp')).toBe(true);
		await d.resetMfa?.(user as VeeamUser);
		const after = await d.vspc?.().listLogins(VSPC_MFA_USER.uid);
		expect(after?.map((l) => l.id)).toEqual(before?.filter((l) => l.kind !== 'totp').map((l) => l.id));
		expect(h.logins(VSPC_MFA_USER.uid).some((l) => /totp/i.test(l.kind))).toBe(false);
	});
});
