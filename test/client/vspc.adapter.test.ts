/**
 * The VSPC adapter (client/adapters/vspc*.ts) against servers that misbehave, through the real
 * transport (vspcFake.ts): a filter the server ignores, an envelope that lies, a total that moves,
 * a lost answer to a create or delete, an answer about another user, bad input. Each case says what
 * the adapter must do whatever the server does.
 */
import type { IDataObject } from 'n8n-workflow';

import { UserExistsError } from '../../client/adapters/common';
import { VspcDirectory } from '../../client/adapters/vspc';
import type { VeeamUser } from '../../client/model';
import { envelope, fakeVspc, pageOf, type FakeAnswer, type FakeRequest } from './vspcFake';

const ORG_A = '11111111-1111-4111-8111-111111111111';
const ORG_B = '22222222-2222-4222-8222-222222222222';
const PROVIDER = '33333333-3333-4333-8333-333333333333';
const ORGS = [
	{ instanceUid: ORG_A, name: 'Alpha', type: 'Company' },
	{ instanceUid: ORG_B, name: 'Beta', type: 'Company' },
	{ instanceUid: PROVIDER, name: 'Provider', type: 'Provider' },
];
const uid = (n: number) => `aaaaaaaa-0000-4000-8000-${String(n).padStart(12, '0')}`;
function apiUser(n: number, over: IDataObject = {}): IDataObject {
	return {
		instanceUid: uid(n),
		organizationUid: n % 2 ? ORG_A : ORG_B,
		userName: `user${String(n).padStart(4, '0')}`,
		status: n % 7 ? 'Enabled' : 'Disabled',
		mfaPolicyStatus: n % 3 ? 'Disabled' : 'Enabled',
		mfaPolicyConfigurationStatus: 'NotConfigured',
		role: n % 5 ? 'CompanyAdministrator' : 'CompanyOwner',
		profile: { firstName: null, lastName: null, title: 'Unknown', email: null, address: null, phone: null },
		credentials: { userName: `user${String(n).padStart(4, '0')}`, password: null },
		...over,
	};
}
const USERS = Array.from({ length: 1203 }, (_, i) => apiUser(i + 1));

function server(route: (req: FakeRequest) => FakeAnswer | undefined) {
	const fake = fakeVspc((req) => (req.method === 'GET' && req.path === '/api/v3/organizations' ? pageOf(ORGS, req) : route(req)));
	return { ...fake, directory: new VspcDirectory(fake.ctx) };
}
const userList = (req: FakeRequest) => req.method === 'GET' && req.path === '/api/v3/users';
const lists = (requests: FakeRequest[]) => requests.filter(userList);
const asUser = (m: IDataObject): VeeamUser =>
	({ ref: String(m.instanceUid), name: String(m.userName), type: 'Company', roles: [], isDirectoryAccount: false, isGroup: false }) as VeeamUser;

describe('VSPC user list', () => {
	it('pages with limit 500 (the spec maximum), reads 1,203 users in 3 pages, the organizations once, in one order', async () => {
		const { directory, requests } = server((req) => (userList(req) ? pageOf(USERS, req) : undefined));
		const users = await directory.listUsers();
		expect(users).toHaveLength(1203);
		expect(lists(requests).map((r) => [r.query.get('offset'), r.query.get('limit')])).toEqual([
			['0', '500'],
			['500', '500'],
			['1000', '500'],
		]);
		expect(lists(requests)[0].sort).toEqual([
			{ property: 'userName', direction: 'ascending', collation: 'ignorecase' },
			{ property: 'instanceUid', direction: 'ascending' },
		]);
		await directory.listUsers({}, 10);
		expect(requests.filter((r) => r.path === '/api/v3/organizations')).toHaveLength(1);
		expect(users[0]).toMatchObject({ type: 'Company', organization: { uid: ORG_A, name: 'Alpha', type: 'Company' } });
	});

	it("sends the filter as Veeam's JSON and holds it when the server ignores it", async () => {
		const { directory, requests } = server((req) => (userList(req) ? pageOf(USERS, req) : undefined));
		const users = await directory.listUsers({ organizationUids: [ORG_B], roleId: 'CompanyOwner', status: 'enabled', mfaEnabled: true, namePattern: 'user1*0' });
		expect(lists(requests)[0].filter).toEqual([
			{ property: 'userName', operation: 'contains', collation: 'ignorecase', value: 'user1' },
			{ property: 'organizationUid', operation: 'equals', value: ORG_B },
			{ property: 'status', operation: 'equals', collation: 'ignorecase', value: 'enabled' },
			{ property: 'role', operation: 'equals', value: 'CompanyOwner' },
			// Several values: `or` of `equals`, as Veeam's own example writes it (never `in`).
			{
				operation: 'or',
				items: [
					{ property: 'mfaPolicyStatus', operation: 'equals', value: 'Enabled' },
					{ property: 'mfaPolicyStatus', operation: 'equals', value: 'EnabledByInheritance' },
				],
			},
		]);
		const expected = USERS.filter((u) => u.organizationUid === ORG_B && u.status === 'Enabled' && u.role === 'CompanyOwner' && u.mfaPolicyStatus === 'Enabled' && /^user1.*0$/.test(String(u.userName)));
		expect(users.map((u) => u.name)).toEqual(expected.map((u) => u.userName));
		expect(users.length).toBeGreaterThan(0);
		// Each part on its own holds too.
		const names = (list: VeeamUser[]) => list.map((u) => u.name);
		expect(names(await directory.listUsers({ organizationUids: [ORG_B] }))).toEqual(USERS.filter((u) => u.organizationUid === ORG_B).map((u) => u.userName));
		expect(names(await directory.listUsers({ status: 'Disabled' }))).toEqual(USERS.filter((u) => u.status === 'Disabled').map((u) => u.userName));
		expect(names(await directory.listUsers({ mfaEnabled: false }, 3))).toEqual(['user0001', 'user0002', 'user0004']);
	});

	it('a total that moves between pages: the list is read again from the start; moving every time, it fails clearly', async () => {
		let reads = 0;
		const settles = server((req) => {
			if (!userList(req)) return undefined;
			reads++;
			return pageOf(USERS, req, reads === 2 ? 1204 : 1203);
		});
		await expect(settles.directory.listUsers()).resolves.toHaveLength(1203);
		expect(lists(settles.requests).map((r) => r.query.get('offset'))).toEqual(['0', '500', '1000', '0', '500', '1000']);

		let total = 1203;
		const churns = server((req) => (userList(req) ? pageOf(USERS, req, total++) : undefined));
		await expect(churns.directory.listUsers()).rejects.toThrow("The server's list of users changed while it was read, 3 times in a row");
	});

	it('an envelope that lies (a total the pages never bring, a page repeated) fails instead of returning part of the list', async () => {
		const short = server((req) => (userList(req) ? pageOf(USERS.slice(0, 600), req, 5000) : undefined));
		// Read in parallel, the pages do not add up to the total: read again, then a clear failure.
		await expect(short.directory.listUsers()).rejects.toThrow("The server's list of users changed while it was read, 3 times in a row");
		await expect(short.directory.listUsers({}, 1000)).rejects.toThrow(/announced 5000 but sent none from position 600/);
		const repeats = server((req) => (userList(req) ? { body: envelope(USERS.slice(0, 500), 0, 1203) } : undefined));
		await expect(repeats.directory.listUsers()).rejects.toThrow(/changed while it was read, 3 times in a row \(aaaaaaaa-0000-4000-8000-000000000001 came twice\)/);
		await expect(repeats.directory.listUsers({}, 1000)).rejects.toThrow(/repeated users it had already sent/);
	});

	it('a page carrying a user twice fails the list (the next offset would skip as many users, lost without a word)', async () => {
		const twice = server((req) => {
			if (!userList(req)) return undefined;
			const offset = Number(req.query.get('offset'));
			const page = USERS.slice(offset, offset + 2);
			return { body: envelope([...page, ...page], offset, 9) };
		});
		await expect(twice.directory.listUsers()).rejects.toThrow(/with aaaaaaaa-0000-4000-8000-000000000001 twice in one page \(from position 0\)/);
	});

	it('a user without a UID or a name, or an item that is not an object, fails the list naming the call', async () => {
		for (const bad of [apiUser(1, { instanceUid: 'not-a-uid' }), apiUser(2, { userName: null, credentials: null }), 'user0003']) {
			const { directory } = server((req) => (userList(req) ? { body: envelope([apiUser(4), bad]) } : undefined));
			await expect(directory.listUsers()).rejects.toThrow(/Veeam Service Provider Console answered GET \/api\/v3\/users with (a user whose instanceUid|user .* without a userName|item 2)/);
		}
	});

	it('listUsersPage is one request at most 500 long, its total as sent; usersPage leaves an absent total undefined', async () => {
		const { directory, requests } = server((req) => (userList(req) ? pageOf(USERS, req) : undefined));
		const page = await directory.listUsersPage({}, 1000, 1000);
		expect(page).toMatchObject({ total: 1203, next: 1203 });
		expect(page.users).toHaveLength(203);
		expect(lists(requests).map((r) => r.query.get('limit'))).toEqual(['500']);
		const noTotal = server((req) => (userList(req) ? { body: envelope([USERS[0]], 0, null) } : undefined));
		await expect(noTotal.directory.vspc().usersPage?.(0, 500)).resolves.toMatchObject({ total: undefined, users: [{ name: 'user0001' }] });
	});
});

describe('VSPC user look-ups', () => {
	it('getUser: a 404 is absent once the user list is served; a 404 everywhere is an error, not "absent"', async () => {
		const { directory } = server((req) => (userList(req) ? pageOf(USERS, req) : undefined));
		await expect(directory.getUser(uid(99_999))).resolves.toBeUndefined();
		await expect(directory.getUser('not-a-uid')).resolves.toBeUndefined();
		const nowhere = server(() => undefined);
		await expect(nowhere.directory.getUser(uid(1))).rejects.toThrow(/does not serve its user list at this address/);
	});

	it('getUser: an answer about another user is not taken for it', async () => {
		const { directory } = server((req) => (req.path.startsWith('/api/v3/users/') ? { body: { data: USERS[1] } } : undefined));
		await expect(directory.getUser(uid(1))).rejects.toThrow(/with another user \(user0002\)/);
	});

	it('findUserByName: exact name without regard to case, whatever the server filtered; two of that name ask for the UID', async () => {
		const { directory, requests } = server((req) => (userList(req) ? pageOf(USERS.slice(0, 20), req) : undefined));
		await expect(directory.findUserByName('USER0012')).resolves.toMatchObject({ ref: uid(12) });
		expect(lists(requests)[0].filter).toEqual([{ property: 'userName', operation: 'equals', collation: 'ignorecase', value: 'USER0012' }]);
		await expect(directory.findUserByName('user001')).resolves.toBeUndefined();
		const twins = server((req) => (userList(req) ? { body: envelope([apiUser(1, { userName: 'jo' }), apiUser(2, { userName: 'JO' })]) } : undefined));
		await expect(twins.directory.findUserByName('jo')).rejects.toThrow('2 Veeam Service Provider Console users are named "jo": Alpha (aaaaaaaa-0000-4000-8000-000000000001), Beta (aaaaaaaa-0000-4000-8000-000000000002)');
	});

	it('builtInAccount: company and reseller owners, made with their organization', async () => {
		const { directory } = server((req) => (userList(req) ? pageOf(USERS.slice(0, 5), req) : undefined));
		const [plain, , , , owner] = await directory.listUsers();
		expect(directory.builtInAccount(plain)).toBeUndefined();
		expect(directory.builtInAccount(owner)).toBe('user0005 is the Company Owner of Alpha: Veeam Service Provider Console creates it with the company and it goes with it');
	});
});

describe('VSPC changes', () => {
	const hire = { name: 'new.hire', password: 'S3cret-Pass!', roles: [{ id: 'CompanyAdministrator', name: 'Company Administrator' }], organizationUid: ORG_A };
	const created = apiUser(5000, { userName: 'new.hire', organizationUid: ORG_A, role: 'CompanyAdministrator' });

	it('refuses bad input before sending anything', async () => {
		const { directory, requests } = server(() => ({ body: { data: created } }));
		const cases: Array<[object, RegExp]> = [
			[{ organizationUid: undefined }, /needs its organization/],
			[{ organizationUid: 'Alpha' }, /organizationUid "Alpha" is not a UID/],
			[{ password: '' }, /needs a password/],
			[{ roles: [] }, /exactly one role, not 0/],
			[{ roles: [{ id: 'Boss', name: 'Boss' }] }, /has no role "Boss"/],
			[{ name: ' padded' }, /starts or ends with white space/],
			[{ profile: { title: 'Dr' } }, /title "Dr" is not one of Unknown, Mr, Miss, Mrs, Ms/],
			[{ profile: { email: 'not-an-email' } }, /is not an email address/],
		];
		for (const [change, message] of cases) await expect(directory.createUser({ ...hire, ...change })).rejects.toThrow(message);
		await expect(directory.vspc().deleteLogin(asUser(created), '12a')).rejects.toThrow(/not a login ID/);
		await expect(directory.vspc().resolveOrganization('  ', 'Company')).rejects.toThrow('Company is empty');
		expect(requests).toEqual([]);
	});

	it('create: an answer lost (504) is looked for before any second POST; a 409 is the existing user', async () => {
		let posts = 0;
		const { directory, requests } = server((req) => {
			if (req.method === 'POST') return posts++ === 0 ? { status: 504, body: { errors: [{ message: 'Gateway Timeout', type: 'transport', code: 504 }] } } : undefined;
			if (userList(req)) return { body: envelope([created]) };
			return undefined;
		});
		await expect(directory.createUser(hire)).resolves.toMatchObject({ ref: uid(5000), name: 'new.hire' });
		expect(requests.filter((r) => r.method === 'POST')).toHaveLength(1);
		expect(JSON.stringify(requests.map((r) => [r.path, r.query.toString()]))).not.toContain(hire.password);

		const conflict = server((req) => (req.method === 'POST' ? { status: 409, body: { errors: [{ message: 'User exists', type: 'logical', code: 409 }] } } : userList(req) ? { body: envelope([created]) } : undefined));
		const refusal = await conflict.directory.createUser(hire).catch((e: unknown) => e);
		expect(refusal).toBeInstanceOf(UserExistsError);
		expect((refusal as UserExistsError).existing.ref).toBe(uid(5000));
	});

	it('create: an answer naming another user or organization is not reported as created', async () => {
		const other = server((req) => (req.method === 'POST' ? { body: { data: { ...created, organizationUid: ORG_B } } } : undefined));
		await expect(other.directory.createUser(hire)).rejects.toThrow(/answered the change of new.hire's creation with new.hire in 22222222/);
	});

	it('setRoles patches /role and must see it; status too; a patch answered for another user is refused', async () => {
		let role = 'CompanyAdministrator';
		const { directory, requests } = server((req) => (req.method === 'PATCH' ? { body: { data: apiUser(7, { role }) } } : undefined));
		await expect(directory.setRoles(asUser(apiUser(7)), [{ id: 'x', name: 'company invoice auditor' }])).rejects.toThrow(
			"Veeam Service Provider Console answered the change of user0007's role with CompanyAdministrator",
		);
		expect(requests.find((r) => r.method === 'PATCH')?.body).toEqual([{ value: 'CompanyInvoiceAuditor', path: '/role', op: 'replace' }]);
		role = 'CompanyInvoiceAuditor';
		await expect(directory.setRoles(asUser(apiUser(7)), [{ id: 'CompanyInvoiceAuditor', name: '' }])).resolves.toMatchObject({ roles: [{ name: 'Company Invoice Auditor' }] });
		await expect(directory.vspc().setStatus(asUser(apiUser(7)), 'Enabled')).rejects.toThrow(/user0007's status with Disabled/);
		await expect(directory.vspc().setStatus(asUser(apiUser(8)), 'Enabled')).rejects.toThrow(/with another user \(user0007\)/);
	});

	it('updateUser: role, MFA policy and profile in ONE patch', async () => {
		const { directory, requests } = server((req) => (req.method === 'PATCH' ? { body: { data: apiUser(9, { role: 'CompanyOwner', mfaPolicyStatus: 'Enabled' }) } } : undefined));
		await directory.vspc().updateUser?.(asUser(apiUser(9)), { role: { id: 'CompanyOwner', name: 'Company Owner' }, mfaRequired: true, profile: { email: 'a@b.example.com', title: 'ms' } });
		// One PATCH (and the organizations, read once to name the user's; not the companies list).
		expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([`PATCH /api/v3/users/${uid(9)}`, 'GET /api/v3/organizations']);
		expect(requests[0].body).toEqual([
			{ value: 'CompanyOwner', path: '/role', op: 'replace' },
			{ value: 'Enabled', path: '/mfaPolicyStatus', op: 'replace' },
			{ value: 'a@b.example.com', path: '/profile/email', op: 'replace' },
			{ value: 'Ms', path: '/profile/title', op: 'replace' },
		]);
	});

	it('delete: 404 with the user gone is "absent"; a lost answer with the user gone is "deleted", sent once', async () => {
		const gone = server((req) => (req.method === 'DELETE' ? { status: 404, body: { errors: [{ message: 'User not found', type: 'logical', code: 1100 }] } } : userList(req) ? pageOf([], req) : undefined));
		await expect(gone.directory.deleteUser(asUser(apiUser(3)))).resolves.toBe('absent');
		const lost = server((req) => (req.method === 'DELETE' ? { status: 502 } : userList(req) ? pageOf([], req) : undefined));
		await expect(lost.directory.deleteUser(asUser(apiUser(3)))).resolves.toBe('deleted');
		expect(lost.requests.filter((r) => r.method === 'DELETE')).toHaveLength(1);
	});
});

describe('VSPC organizations and logins', () => {
	it('resolveOrganization: by UID or by name without regard to case; none or several name the field', async () => {
		const { directory } = server(() => undefined);
		const access = directory.vspc();
		await expect(access.resolveOrganization(ORG_B.toUpperCase(), 'Company')).resolves.toMatchObject({ name: 'Beta' });
		await expect(access.resolveOrganization('alpha', 'Company')).resolves.toMatchObject({ uid: ORG_A, type: 'Company' });
		await expect(access.resolveOrganization('Gamma', 'Company')).rejects.toThrow('Company: no organization named "Gamma"');
		const twins = fakeVspc((req) => (req.path === '/api/v3/organizations' ? pageOf([...ORGS, { instanceUid: uid(1), name: 'ALPHA', type: 'Reseller' }], req) : undefined));
		await expect(new VspcDirectory(twins.ctx).vspc().resolveOrganization('Alpha', 'Company')).rejects.toThrow('Company: 2 organizations are named "Alpha"');
	});

	it("organizations carry their company's status and reseller when asked for, matched by the embedded organization's UID (expand=Organization); else the companies list is not read", async () => {
		const companies = [
			{ instanceUid: uid(70), name: 'Alpha', status: 'Active', resellerUid: uid(71), _embedded: { organization: { instanceUid: ORG_A, name: 'Alpha', type: 'Company' } } },
			{ instanceUid: ORG_B, name: 'Beta', status: 'REMOVED_Deleting', resellerUid: null },
		];
		const { directory, requests } = server((req) => (req.path === '/api/v3/organizations/companies' ? pageOf(companies, req) : undefined));
		const plain = await directory.vspc().organizations();
		expect(plain.map((o) => [o.name, o.status, o.resellerUid])).toEqual([
			['Alpha', undefined, undefined],
			['Beta', undefined, undefined],
			['Provider', undefined, undefined],
		]);
		expect(requests.map((r) => r.path)).toEqual(['/api/v3/organizations']);
		const orgs = await directory.vspc().organizations({ companies: true });
		expect(orgs.map((o) => [o.name, o.status, o.resellerUid])).toEqual([
			['Alpha', 'Active', uid(71)],
			['Beta', 'REMOVED_Deleting', undefined],
			['Provider', undefined, undefined],
		]);
		expect(requests.find((r) => r.path === '/api/v3/organizations/companies')?.query.getAll('expand')).toEqual(['Organization']);
		const refused = server((req) => (req.path === '/api/v3/organizations/companies' ? { status: 403, body: { errors: [{ message: 'Forbidden', type: 'security', code: 403 }] } } : undefined));
		await expect(refused.directory.vspc().organizations({ companies: true })).resolves.toHaveLength(3);
	});

	it("listLoginsOf keeps only the users' logins whatever the server does with the filter; deleteLogin's 404 is absent once not listed", async () => {
		const logins = [1, 2, 3, 4].map((n) => ({ id: n, userUid: uid(n % 2 ? 1 : 2), identityProviderName: n === 4 ? 'AK' : 'VSPC', status: 'enabled', scopes: ['rest'] }));
		const { directory, requests } = server((req) => {
			if (req.path === '/api/v3/users/logins') return pageOf(logins, req);
			if (req.method === 'DELETE') return { status: 404, body: { errors: [{ message: 'Not found', type: 'logical', code: 404 }] } };
			return undefined;
		});
		const mine = await directory.vspc().listLoginsOf?.([uid(2)]);
		expect(mine?.map((l) => [l.id, l.kind])).toEqual([
			['2', 'password'],
			['4', 'apiKey'],
		]);
		expect(requests[requests.length - 1].sort).toEqual([{ property: 'id', direction: 'ascending' }]);
		await expect(directory.vspc().deleteLogin(asUser(apiUser(1)), '9')).resolves.toBe('absent');
		await expect(directory.vspc().deleteLogin(asUser(apiUser(1)), '1')).rejects.toThrow(/Not found/);
	});
});
