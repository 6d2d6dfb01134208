/**
 * The VSPC adapter after the independent audit (/tmp/team/audit-vspc.md, rows 20, 24, 33, 56, 58,
 * 66): Veeam's role names and their aliases, `or` of `equals` instead of `in`, the e-mail pattern of
 * the spec itself, code 1100 as "not found", a company's own UID resolving to its organization, and
 * no password change without a Veeam source. Through the real transport over vspcFake.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { VspcDirectory } from '../../client/adapters/vspc';
import { profileProblem, VSPC_EMAIL } from '../../client/adapters/vspcNewUser';
import { VSPC_ROLES, vspcRole } from '../../client/adapters/vspcRoles';
import { hasCapability } from '../../client/products';
import type { UserDirectory, VeeamUser } from '../../client/model';
import { fakeVspc, pageOf, type FakeAnswer, type FakeRequest } from './vspcFake';

const ORG = '11111111-1111-4111-8111-111111111111';
const COMPANY = '99999999-9999-4999-8999-999999999999';
const uid = (n: number) => `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ORGS = [{ instanceUid: ORG, name: 'Alpha', type: 'Company' }];
const COMPANIES = [{ instanceUid: COMPANY, name: 'Alpha', status: 'Active', _embedded: { organization: { instanceUid: ORG, name: 'Alpha', type: 'Company' } } }];
const USERS = [
	{ instanceUid: uid(1), organizationUid: ORG, userName: 'owner', role: 'ResellerOwner', status: 'Enabled', mfaPolicyStatus: 'Disabled' },
	{ instanceUid: uid(2), organizationUid: ORG, userName: 'admin', role: 'ResellerAdministrator', status: 'Enabled', mfaPolicyStatus: 'Disabled' },
	{ instanceUid: uid(3), organizationUid: ORG, userName: 'viewer', role: 'PortalReadonlyOperator', status: 'Enabled', mfaPolicyStatus: 'Disabled' },
];

function server(route: (req: FakeRequest) => FakeAnswer | undefined) {
	const fake = fakeVspc((req) => {
		if (req.path === '/api/v3/organizations') return pageOf(ORGS, req);
		if (req.path === '/api/v3/organizations/companies') return pageOf(COMPANIES, req);
		return route(req);
	});
	return { ...fake, directory: new VspcDirectory(fake.ctx) };
}

describe('VSPC roles by the names Veeam gives them', () => {
	it("outputs Veeam's guide names and takes them, the API value or the API words spaced", () => {
		expect(vspcRole('ResellerOwner')?.name).toBe('Service Provider Global Administrator');
		expect(vspcRole('PortalReadonlyOperator')?.name).toBe('Read-only User');
		expect(vspcRole('CompanyLocationAdministrator')?.name).toBe('Location Administrator');
		for (const [spelling, id] of [
			['Read-only User', 'PortalReadonlyOperator'],
			['portal readonly operator', 'PortalReadonlyOperator'],
			['Reseller Owner', 'ResellerOwner'],
			['service provider global administrator', 'ResellerOwner'],
			['Location User', 'CompanyLocationUser'],
			['Subtenant', 'CompanySubtenant'],
		]) {
			expect(vspcRole(spelling)?.id).toBe(id);
		}
		expect(vspcRole('Service Provider')).toBeUndefined();
	});

	it('finds each API value as sent to its own role, as any other spelling of it finds it', () => {
		for (const role of VSPC_ROLES) {
			expect(vspcRole(role.id)).toBe(role);
			// The same role whichever way it is spelt: the value in other case, its words spaced.
			expect(vspcRole(role.id.toUpperCase())).toBe(role);
			expect(vspcRole(role.id.replace(/([a-z])([A-Z])/g, '$1 $2'))).toBe(role);
		}
	});

	it('a role asked for by an alias is filtered as its API value, on the server and here', async () => {
		const { directory, requests } = server((req) => (req.path === '/api/v3/users' ? pageOf(USERS, req) : undefined));
		const users = await directory.listUsers({ roleName: 'Reseller Administrator' });
		expect(users.map((u) => [u.name, u.roles[0].name])).toEqual([['admin', 'Service Provider Administrator']]);
		expect(requests.find((r) => r.path === '/api/v3/users')?.filter).toEqual([{ property: 'role', operation: 'equals', value: 'ResellerAdministrator' }]);
		expect((await directory.usersWithRole('Read-only User')).map((u) => u.name)).toEqual(['viewer']);
	});
});

describe('VSPC filters of several values', () => {
	it('send `or` of `equals` (Veeam\'s example), in groups of at most 50, and keep only the asked users\' logins', async () => {
		const uids = Array.from({ length: 120 }, (_, i) => uid(i + 1));
		const logins = uids.map((u, i) => ({ id: i + 1, userUid: u, identityProviderName: 'VSPC', status: 'enabled', scopes: [] }));
		const { directory, requests } = server((req) => (req.path === '/api/v3/users/logins' ? pageOf(logins, req) : undefined));
		const found = await directory.vspc().listLoginsOf?.(uids.slice(0, 110));
		expect(found).toHaveLength(110);
		const filters = requests.filter((r) => r.path === '/api/v3/users/logins').map((r) => r.filter?.[0]);
		expect(filters.map((f) => [f?.operation, (f?.items as unknown[]).length])).toEqual([
			['or', 50],
			['or', 50],
			['or', 10],
		]);
		expect((filters[2]?.items as unknown[])[0]).toEqual({ property: 'userUid', operation: 'equals', value: uid(101) });
	});
});

describe('VSPC names after a prefetch (review N1)', () => {
	it('a name two users share in different case is ambiguous from the prefetched list too', async () => {
		const twins = [
			{ instanceUid: uid(1), organizationUid: ORG, userName: 'jsmith', role: 'CompanyAdministrator', status: 'Enabled', mfaPolicyStatus: 'Disabled' },
			{ instanceUid: uid(2), organizationUid: ORG, userName: 'JSmith', role: 'CompanyAdministrator', status: 'Enabled', mfaPolicyStatus: 'Disabled' },
			{ instanceUid: uid(3), organizationUid: ORG, userName: 'alone', role: 'CompanyAdministrator', status: 'Enabled', mfaPolicyStatus: 'Disabled' },
		];
		const { directory, requests } = server((req) => (req.path === '/api/v3/users' ? pageOf(twins, req) : undefined));
		await expect(directory.prefetchUsers(5)).resolves.toBe(true);
		const reads = requests.length;
		await expect(directory.findUserByName('JSMITH')).rejects.toThrow(`2 Veeam Service Provider Console users are named "JSMITH": Alpha (${uid(1)}), Alpha (${uid(2)})`);
		expect(directory.prefetchedRef('jsmith')).toBeUndefined();
		await expect(directory.findUserByName('ALONE')).resolves.toMatchObject({ ref: uid(3) });
		expect(requests).toHaveLength(reads);
	});
});

describe('VSPC input and answers', () => {
	it("checks an e-mail with the spec's own pattern (UserProfile.email)", () => {
		const spec = JSON.parse(readFileSync(join(__dirname, '../../sim/spec/vspc-3.6.1.users.openapi.json'), 'utf8')) as {
			components: { schemas: { UserProfile: { properties: { email: { pattern: string } } } } };
		};
		expect(VSPC_EMAIL.source).toBe(spec.components.schemas.UserProfile.properties.email.pattern);
		expect(profileProblem({ email: 'j.brown@exon.com' })).toBeUndefined();
		// A top-level domain longer than 6 letters, or more than 5 domain labels: Veeam refuses them.
		expect(profileProblem({ email: 'jane@alpha.example' })).toMatch(/UserProfile.email's pattern/);
		expect(profileProblem({ email: 'jane@a.b.c.d.e.f.com' })).toMatch(/UserProfile.email's pattern/);
	});

	it('code 1100 ("Specified user does not exist") is not found whatever the HTTP status', async () => {
		const { directory } = server((req) => {
			if (req.path === `/api/v3/users/${uid(9)}`) return { status: 400, body: { errors: [{ message: 'Specified user does not exist.', type: 'logical', code: 1100 }] } };
			if (req.path === '/api/v3/users') return pageOf(USERS, req);
			return undefined;
		});
		await expect(directory.getUser(uid(9))).resolves.toBeUndefined();
		const user = { ref: uid(9), name: 'gone', type: 'Company', roles: [], isDirectoryAccount: false, isGroup: false } as VeeamUser;
		await expect(directory.deleteUser(user)).resolves.toBe('absent');
	});

	it("resolves a company's own UID (which differs from its organization's) to its organization", async () => {
		const { directory } = server(() => undefined);
		await expect(directory.vspc().resolveOrganization(COMPANY, 'Company')).resolves.toMatchObject({ uid: ORG, name: 'Alpha' });
		await expect(directory.vspc().resolveOrganization(ORG, 'Company')).resolves.toMatchObject({ uid: ORG });
	});

	it("creates a user given a company's own UID in its organization (UserInput.organizationUid)", async () => {
		const made = { instanceUid: uid(8), organizationUid: ORG, userName: 'hire', role: 'CompanyAdministrator', status: 'Enabled', mfaPolicyStatus: 'Disabled' };
		const { directory, requests } = server((req) => (req.method === 'POST' ? { body: { data: made } } : undefined));
		await expect(directory.createUser({ name: 'hire', password: 'S3cret-Pass!', roles: [{ id: 'CompanyAdministrator', name: '' }], organizationUid: COMPANY })).resolves.toMatchObject({
			organization: { uid: ORG, name: 'Alpha' },
		});
		expect(requests.find((r) => r.method === 'POST')?.body).toMatchObject({ organizationUid: ORG });
	});

	it('a create or delete sent again after a lost answer carries the same X-Request-id (idempotent within 5 minutes)', async () => {
		let posts = 0;
		let deletes = 0;
		const made = { instanceUid: uid(7), organizationUid: ORG, userName: 'new.hire', role: 'CompanyAdministrator', status: 'Enabled', mfaPolicyStatus: 'Disabled' };
		const { directory, requests } = server((req) => {
			if (req.method === 'POST') return posts++ === 0 ? { status: 504 } : { body: { data: made } };
			if (req.method === 'DELETE') return deletes++ === 0 ? { status: 502 } : { body: { data: true } };
			if (req.path === '/api/v3/users') return pageOf(posts > 1 ? [made] : [], req);
			if (req.path === `/api/v3/users/${uid(7)}`) return { body: { data: made } };
			return undefined;
		});
		const user = await directory.createUser({ name: 'new.hire', password: 'S3cret-Pass!', roles: [{ id: 'CompanyAdministrator', name: '' }], organizationUid: ORG });
		await expect(directory.deleteUser(user)).resolves.toBe('deleted');
		const ids = (method: string) => requests.filter((r) => r.method === method).map((r) => r.headers['X-Request-id']);
		for (const method of ['POST', 'DELETE']) {
			expect(ids(method)).toHaveLength(2);
			expect(ids(method)[0]).toMatch(/^[0-9a-f-]{36}$/);
			expect(ids(method)[1]).toBe(ids(method)[0]);
		}
		expect(ids('POST')[0]).not.toBe(ids('DELETE')[0]);
	});

	it("after a lost create answer, a same-named user of ANOTHER organization is not this create's: UserExistsError, one POST", async () => {
		const other = { instanceUid: uid(6), organizationUid: '22222222-2222-4222-8222-222222222222', userName: 'jdoe', role: 'CompanyAdministrator', status: 'Enabled', mfaPolicyStatus: 'Disabled' };
		const { directory, requests } = server((req) => {
			if (req.method === 'POST') return { status: 504 };
			if (req.path === '/api/v3/users') return pageOf([other], req);
			return undefined;
		});
		const outcome = await directory.createUser({ name: 'jdoe', password: 'S3cret-Pass!', roles: [{ id: 'CompanyAdministrator', name: '' }], organizationUid: ORG }).catch((e: unknown) => e);
		expect(outcome).toMatchObject({ name: 'UserExistsError', existing: { ref: uid(6) } });
		expect(requests.filter((r) => r.method === 'POST')).toHaveLength(1);
	});

	it('after a lost create answer, a same-named user of the organization with ANOTHER role is not this create\'s either', async () => {
		const other = { instanceUid: uid(6), organizationUid: ORG, userName: 'jdoe', role: 'CompanyAdministrator', status: 'Enabled', mfaPolicyStatus: 'Disabled' };
		const { directory } = server((req) => (req.method === 'POST' ? { status: 504 } : req.path === '/api/v3/users' ? pageOf([other], req) : undefined));
		const outcome = await directory.createUser({ name: 'jdoe', password: 'S3cret-Pass!', roles: [{ id: 'CompanyLocationUser', name: '' }], organizationUid: ORG }).catch((e: unknown) => e);
		expect(outcome).toMatchObject({ name: 'UserExistsError', existing: { ref: uid(6) } });
	});

	it("me(): the credential's own user, read once per execution", async () => {
		const me = { instanceUid: uid(5), organizationUid: ORG, userName: 'alpha.admin', role: 'CompanyAdministrator', status: 'Enabled', mfaPolicyStatus: 'Disabled' };
		const { directory, requests } = server((req) => (req.path === '/api/v3/users/me' ? { body: { data: me } } : undefined));
		await expect(directory.vspc().me?.()).resolves.toMatchObject({ ref: uid(5), name: 'alpha.admin', organization: { name: 'Alpha' } });
		await directory.vspc().me?.();
		expect(requests.filter((r) => r.path === '/api/v3/users/me')).toHaveLength(1);
	});

	it('changes no password: no Veeam page shows one changed over REST', () => {
		const { directory } = server(() => undefined);
		expect((directory as UserDirectory).changePassword).toBeUndefined();
		expect(hasCapability('vspc', 'passwords')).toBe(false);
	});
});
