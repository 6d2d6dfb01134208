/**
 * The VB365 adapter's changes (client/adapters/vb365Access.ts, vb365.ts) through the real transport
 * (vb365Fake.ts): idempotent (nothing sent for what the server already shows), read back (a change
 * the server does not show is an error, never reported done), a lost answer read before anything is
 * sent again (once), bad input refused with nothing sent, the PUT carrying what it must keep.
 */
import type { IDataObject } from 'n8n-workflow';

import { Vb365Directory } from '../../client/adapters/vb365';
import { Vb365ReadBackError } from '../../client/adapters/vb365Client';
import type { Vb365Principal } from '../../client/vb365Model';
import { emptyState, fakeVb365, objectId, ORG_A, ORG_B, stored, type FakeAnswer, type FakeRequest, type FakeVb365State } from './vb365Fake';

const ROLE = '5b7b13ba-a04e-4e05-8eab-0084ae5410a0';
const ROLE_B = '5b7b13ba-a04e-4e05-8eab-0084ae5410a1';
const ROLE_C = '5b7b13ba-a04e-4e05-8eab-0084ae5410a2';
const user = (n: number): IDataObject => ({ id: objectId(n), displayName: `User ${n}`, name: `user${n}@abc.onmicrosoft.com`, type: 'User' });
const asOperator = (m: IDataObject) => stored({ type: 'User', user: m });
const principal = (n: number): Vb365Principal => ({ id: objectId(n), kind: 'user', name: `user${n}@abc.onmicrosoft.com`, displayName: `User ${n}`, subtype: 'User' });

function seeded(): FakeVb365State {
	const state = emptyState();
	state.users[ORG_A] = Array.from({ length: 5 }, (_, i) => user(i + 1));
	state.roles.push({ id: ROLE, organizationId: ORG_A, name: 'Helpdesk', description: '', roleType: 'EntireOrganization' });
	state.roles.push({ id: ROLE_B, organizationId: ORG_A, name: 'Finance', description: 'f', roleType: 'SpecificObjects' });
	state.roles.push({ id: ROLE_C, organizationId: ORG_B, name: 'Other', description: '', roleType: 'EntireOrganization' });
	state.operators[ROLE] = [asOperator(user(1))];
	state.operators[ROLE_B] = [asOperator(user(1)), asOperator(user(2))];
	state.operators[ROLE_C] = [];
	state.selected[ROLE] = [];
	state.excluded[ROLE] = [stored({ type: 'User', user: user(4) })];
	state.selected[ROLE_B] = [stored({ type: 'User', user: user(3) })];
	state.excluded[ROLE_B] = [];
	state.selected[ROLE_C] = [];
	state.excluded[ROLE_C] = [];
	return state;
}
function server(state = seeded(), route?: (req: FakeRequest) => FakeAnswer | undefined) {
	const fake = fakeVb365(state, route);
	const directory = new Vb365Directory(fake.ctx);
	return { ...fake, directory, access: directory.vb365() };
}
const writes = (requests: FakeRequest[]) => requests.filter((r) => r.method !== 'GET').map((r) => `${r.method} ${r.path}`);
/** A 502: the answer was lost (the server may or may not have done it). */
const lost: FakeAnswer = { status: 502, body: { message: 'Bad gateway' } };

describe('VB365 operators added and removed', () => {
	it('adds only the missing operators, reads back; an operator already there is not sent again', async () => {
		const { access, requests } = server();
		const after = await access.addOperators(ROLE, [principal(1), principal(2), principal(2)]);
		expect(writes(requests)).toEqual([`POST /v8/RbacRoles/${ROLE}/operators`]);
		expect(requests.find((r) => r.method === 'POST')?.body).toEqual([{ type: 'User', user: { id: objectId(2), displayName: 'User 2', name: 'user2@abc.onmicrosoft.com', type: 'User' } }]);
		expect(after.map((o) => o.id)).toEqual([objectId(1), objectId(2)]);
		requests.length = 0;
		await access.addOperators(ROLE, [principal(2)], after);
		expect(requests).toEqual([]);
	});

	it('a group read without a name or type is sent with both null (RESTRbacGroup requires them, nullable), not left out', async () => {
		const { access, requests } = server();
		const nameless: Vb365Principal = { id: objectId(1001), kind: 'group', name: '', displayName: 'Restore Desk' };
		await access.addOperators(ROLE, [nameless]);
		expect(requests.find((r) => r.method === 'POST')?.body).toEqual([{ type: 'Group', group: { id: objectId(1001), displayName: 'Restore Desk', name: null, type: null } }]);
	});

	it('an operator copied from another role is posted without that role\'s operator id', async () => {
		const { access, requests } = server();
		const [fromFinance] = (await access.operators(ROLE_B)).filter((o) => o.id === objectId(2));
		await access.addOperators(ROLE, [fromFinance]);
		expect(requests.find((r) => r.method === 'POST')?.body).toEqual([{ type: 'User', user: { id: objectId(2), displayName: 'User 2', name: 'user2@abc.onmicrosoft.com', type: 'User' } }]);
	});

	it('on v7 (whose RESTRbacGroup.name is a required string) a nameless group is sent with its display name instead of null', async () => {
		const fake = fakeVb365(seeded(), undefined, { apiVersion: 'v7' });
		const nameless: Vb365Principal = { id: objectId(1001), kind: 'group', name: '', displayName: 'Restore Desk' };
		await new Vb365Directory(fake.ctx).vb365().addOperators(ROLE, [nameless]);
		const post = fake.requests.find((r) => r.method === 'POST');
		expect(post?.path).toBe(`/v7/RbacRoles/${ROLE}/operators`);
		expect(post?.body).toEqual([{ type: 'Group', group: { id: objectId(1001), displayName: 'Restore Desk', name: 'Restore Desk', type: null } }]);
	});

	it('a read-back that fails after the change was sent is a Vb365ReadBackError ("was sent"), never a refusal of the change', async () => {
		let posted = false;
		const { access } = server(undefined, (req) => {
			if (req.method === 'POST') posted = true;
			return posted && req.method === 'GET' ? { status: 403, body: { message: 'denied', errorCode: 'ResourceAccessDenied' } } : undefined;
		});
		const error = await access.addOperators(ROLE, [principal(3)]).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(Vb365ReadBackError);
		expect(error).toMatchObject({ changeSent: true, message: expect.stringMatching(/^Adding user3@abc\.onmicrosoft\.com as operator\(s\) of the role .* was sent, but reading Veeam Backup for Microsoft 365 back failed: /) });
		expect((error as { httpCode?: unknown }).httpCode ?? undefined).toBeUndefined();
		let deleted = false;
		const removal = server(undefined, (req) => {
			if (req.method === 'DELETE') deleted = true;
			return deleted && req.method === 'GET' ? { status: 404, body: { message: 'gone', errorCode: 'ResourceNotFound' } } : undefined;
		});
		await expect(removal.access.removeOperators(ROLE, [String(removal.state.operators[ROLE][0].id)])).rejects.toBeInstanceOf(Vb365ReadBackError);
	});

	it('a server that answers 204 but does not show the operator: an error, not a grant', async () => {
		const { access } = server(undefined, (req) => (req.method === 'POST' ? { status: 204 } : undefined));
		await expect(access.addOperators(ROLE, [principal(3)])).rejects.toThrow('Veeam Backup for Microsoft 365 does not show user3@abc.onmicrosoft.com as operator(s)');
	});

	it('after a lost answer it reads first: done already = not sent again; not done = sent once more, then it gives up', async () => {
		const state = seeded();
		let posts = 0;
		const done = server(state, (req) => {
			if (req.method !== 'POST') return undefined;
			posts++;
			state.operators[ROLE].push(asOperator(user(3)));
			return lost;
		});
		expect((await done.access.addOperators(ROLE, [principal(3)])).map((o) => o.id)).toContain(objectId(3));
		expect(posts).toBe(1);
		posts = 0;
		const never = server(seeded(), (req) => (req.method === 'POST' ? (posts++, lost) : undefined));
		await expect(never.access.addOperators(ROLE, [principal(3)])).rejects.toMatchObject({ httpCode: '502' });
		expect(posts).toBe(2);
	});

	it('removes by the operator id (not the person id), 20 ids a request, reads back; nothing sent when none is there', async () => {
		const state = seeded();
		for (let i = 10; i < 35; i++) state.operators[ROLE].push(asOperator(user(i)));
		const ids = state.operators[ROLE].map((o) => String(o.id));
		const { access, requests } = server(state);
		expect(await access.removeOperators(ROLE, ids)).toEqual([]);
		const deletes = requests.filter((r) => r.method === 'DELETE');
		expect(deletes.map((r) => String(r.query.get('ids')).split(',').length)).toEqual([20, 6]);
		expect(String(deletes[0].query.get('ids')).split(',')[0]).toBe(ids[0]);
		requests.length = 0;
		expect(await access.removeOperators(ROLE, [ids[0]])).toEqual([]);
		expect(writes(requests)).toEqual([]);
		await expect(access.removeOperators(ROLE, ['a,b'])).rejects.toThrow('Cannot remove the operator "a,b": not an operator ID');
	});

	it('a removal the server answers 204 for but still shows: an error, never reported removed', async () => {
		const { access, state } = server(undefined, (req) => (req.method === 'DELETE' ? { status: 204 } : undefined));
		await expect(access.removeOperators(ROLE, [String(state.operators[ROLE][0].id)])).rejects.toThrow(/still name them/);
	});
});

describe('VB365 roles created, changed, deleted', () => {
	it('creates a role with its operators and items, reads it back whole', async () => {
		const { access, requests } = server();
		const role = await access.createRole({ organizationId: ORG_A, name: 'Legal', roleType: 'SpecificObjects', operators: [principal(5)], selected: [{ kind: 'user', id: objectId(3), name: 'user3@abc.onmicrosoft.com', displayName: 'User 3', subtype: 'User' }] });
		expect(role).toMatchObject({ name: 'Legal', organizationId: ORG_A, roleType: 'SpecificObjects', operators: [{ id: objectId(5) }], selected: [{ id: objectId(3) }], excluded: [] });
		expect(writes(requests)).toEqual([`POST /v8/Organizations/${ORG_A}/RbacRoles`]);
		expect(Object.keys(requests.find((r) => r.method === 'POST')?.body as IDataObject)).toEqual(['name', 'description', 'roleType', 'operators', 'selectedItems', 'excludedItems']);
	});

	it('a role made from another one\'s operators and items carries none of that role\'s own ids', async () => {
		const { access, requests } = server();
		const [operators, selected] = await Promise.all([access.operators(ROLE_B), access.items(ROLE_B, 'selected')]);
		await access.createRole({ organizationId: ORG_A, name: 'Copy', roleType: 'SpecificObjects', operators, selected });
		const body = requests.find((r) => r.method === 'POST')?.body as { operators: IDataObject[]; selectedItems: IDataObject[] };
		expect([...body.operators, ...body.selectedItems].map((e) => e.id)).toEqual([undefined, undefined, undefined]);
	});

	it('refuses with nothing sent: a name the organization has (any case), SpecificObjects without items, an empty name', async () => {
		const { access, requests } = server();
		await expect(access.createRole({ organizationId: ORG_A, name: 'HELPDESK', roleType: 'EntireOrganization' })).rejects.toThrow('The organization has a restore operator role named "HELPDESK" already');
		await expect(access.createRole({ organizationId: ORG_A, name: 'Legal', roleType: 'SpecificObjects' })).rejects.toThrow(/must name at least one object to manage/);
		await expect(access.createRole({ organizationId: ORG_A, name: ' ', roleType: 'EntireOrganization' })).rejects.toThrow(/its name is empty/);
		expect(writes(requests)).toEqual([]);
	});

	it('a create the server refuses (400) says it may be the organization, with its type, after the server\'s words', async () => {
		const { access } = server(undefined, (req) => (req.method === 'POST' ? { status: 400, body: { message: 'Organization is not supported.', errorCode: 'ParameterValidationFailure', stackTrace: 'at X.Y()' } } : undefined));
		const error = await access.createRole({ organizationId: ORG_A, name: 'Legal', roleType: 'EntireOrganization' }).catch((e: { message: string; description: string }) => e);
		expect(error).toMatchObject({ status: 400, description: expect.stringContaining('It may be the organization (this one is of type Office365): Veeam adds restore operator roles only to Microsoft 365 organizations with modern app-only authentication') });
		expect(JSON.stringify(error)).not.toContain('X.Y()');
	});

	it('after a lost create answer it finds the role by name and does not create it twice', async () => {
		const state = seeded();
		let posts = 0;
		const { access } = server(state, (req) => {
			if (req.method !== 'POST') return undefined;
			posts++;
			state.roles.push({ id: '7b7b13ba-a04e-4e05-8eab-0084ae5410a9', organizationId: ORG_A, name: 'Legal', description: '', roleType: 'EntireOrganization' });
			return lost;
		});
		expect((await access.createRole({ organizationId: ORG_A, name: 'Legal', roleType: 'EntireOrganization' })).id).toBe('7b7b13ba-a04e-4e05-8eab-0084ae5410a9');
		expect(posts).toBe(1);
	});

	it('updateRole PUTs the whole model with the operators and items as read (their own ids), reads back', async () => {
		const state = seeded();
		const { access, requests } = server(state);
		const before = state.operators[ROLE_B].map((o) => o.id);
		const after = await access.updateRole(ROLE_B, { description: 'Finance team' });
		const put = requests.find((r) => r.method === 'PUT');
		expect(put?.path).toBe(`/v8/RbacRoles/${ROLE_B}`);
		const body = put?.body as IDataObject;
		expect(body).toMatchObject({ id: ROLE_B, organizationId: ORG_A, name: 'Finance', description: 'Finance team', roleType: 'SpecificObjects' });
		expect((body.operators as IDataObject[]).map((o) => o.id)).toEqual(before);
		expect((body.selectedItems as IDataObject[]).map((o) => o.id)).toEqual(state.selected[ROLE_B].map((o) => o.id));
		expect(after).toMatchObject({ description: 'Finance team', operators: [{ id: objectId(1) }, { id: objectId(2) }] });
		requests.length = 0;
		await access.updateRole(ROLE_B, { description: 'Finance team' });
		expect(writes(requests)).toEqual([]);
	});

	it('updateRole: a server that ignores the PUT is an error; a rename to another role\'s name is refused with nothing sent', async () => {
		const ignoring = server(undefined, (req) => (req.method === 'PUT' ? { status: 204 } : undefined));
		await expect(ignoring.access.updateRole(ROLE, { name: 'Service desk' })).rejects.toThrow(/does not show the change of the role "Helpdesk"/);
		const { access, requests } = server();
		await expect(access.updateRole(ROLE, { name: 'finance' })).rejects.toThrow('another restore operator role named "finance"');
		expect(writes(requests)).toEqual([]);
	});

	it('updateRole: a PUT that drops the operators it was sent is reported, naming them', async () => {
		const state = seeded();
		const { access } = server(state, (req) => {
			if (req.method !== 'PUT') return undefined;
			state.roles[1].description = (req.body as IDataObject).description;
			state.operators[ROLE_B] = [];
			return { status: 204 };
		});
		await expect(access.updateRole(ROLE_B, { description: 'new' })).rejects.toThrow('changed the role "Finance" but its read-back lacks operator user1@abc.onmicrosoft.com, operator user2@abc.onmicrosoft.com');
	});

	it('an item of a type the schema lacks (PowerShell\'s personal sites) is kept as unknown: read, sent back as read by a PUT, never added', async () => {
		const state = seeded();
		const personal = { id: 'c0ffee00-0000-4000-8000-000000000001personal', type: 'PersonalSites', personalSites: { id: 'all', title: 'All personal sites' }, _links: { self: { href: '/x' } } };
		state.excluded[ROLE] = [...state.excluded[ROLE], personal];
		const { access, requests } = server(state);
		const excluded = await access.items(ROLE, 'excluded');
		expect(excluded[1]).toMatchObject({ kind: 'unknown', itemId: personal.id, sentType: 'PersonalSites', displayName: 'All personal sites' });
		await access.updateRole(ROLE, { description: 'with personal sites' });
		const put = requests.find((r) => r.method === 'PUT')?.body as { excludedItems: IDataObject[] };
		expect(put.excludedItems[1]).toEqual({ id: personal.id, type: 'PersonalSites', personalSites: { id: 'all', title: 'All personal sites' } });
		requests.length = 0;
		await expect(access.addItems(ROLE_B, 'selected', [excluded[1]])).rejects.toThrow('Cannot add the item "" of type PersonalSites'.replace('""', '"c0ffee00-0000-4000-8000-000000000001personal"'));
		await expect(access.createRole({ organizationId: ORG_A, name: 'Copy', roleType: 'EntireOrganization', excluded })).rejects.toThrow(/is of type PersonalSites/);
		expect(requests.filter((r) => r.method !== 'GET')).toEqual([]);
	});

	it('updateRole judges only what changes: a SpecificObjects role the server has without items takes a new description; a switch to SpecificObjects without items is refused, nothing sent', async () => {
		const state = seeded();
		state.selected[ROLE_B] = [];
		const { access, requests } = server(state);
		expect((await access.updateRole(ROLE_B, { description: 'kept as it is' })).description).toBe('kept as it is');
		requests.length = 0;
		await expect(access.updateRole(ROLE, { roleType: 'SpecificObjects' })).rejects.toThrow(/must name at least one object to manage/);
		await expect(access.updateRole(ROLE, { name: 'Help\u0007desk' })).rejects.toThrow(/control characters/);
		expect(writes(requests)).toEqual([]);
	});

	it('deleteRole: absent when gone, deleted when the read-back no longer shows it, an error when it still does', async () => {
		const { access } = server();
		expect(await access.deleteRole(ROLE)).toBe('deleted');
		expect(await access.deleteRole(ROLE)).toBe('absent');
		const stubborn = server(undefined, (req) => (req.method === 'DELETE' ? { status: 204 } : undefined));
		await expect(stubborn.access.deleteRole(ROLE)).rejects.toThrow(/still lists it/);
	});
});

describe('VB365 directory over restore operators', () => {
	it('lists each operator once with the roles naming it; revoking deletes it from every role; granting adds it', async () => {
		const { directory, state } = server();
		const users = await directory.listUsers();
		expect(users.map((u) => [u.name, u.roles.map((r) => r.name).sort()])).toEqual([
			['user1@abc.onmicrosoft.com', ['Finance', 'Helpdesk']],
			['user2@abc.onmicrosoft.com', ['Finance']],
		]);
		expect(await directory.findUserByName('USER1@abc.onmicrosoft.com')).toMatchObject({ ref: objectId(1), isDirectoryAccount: true, isGroup: false });
		expect(await directory.deleteUser(users[0])).toBe('deleted');
		expect(state.operators[ROLE]).toEqual([]);
		expect(state.operators[ROLE_B].map((o) => (o.user as IDataObject).id)).toEqual([objectId(2)]);
		expect(await directory.deleteUser(users[0])).toBe('absent');
		const granted = await directory.createUser({ name: 'user4@abc.onmicrosoft.com', type: 'User', roles: [{ id: ROLE, name: 'Helpdesk' }] });
		expect(granted).toMatchObject({ ref: objectId(4), roles: [{ id: ROLE, name: 'Helpdesk' }] });
		await expect(directory.createUser({ name: 'nobody@abc.onmicrosoft.com', roles: [{ id: ROLE, name: 'Helpdesk' }] })).rejects.toThrow('has no user or group "nobody@abc.onmicrosoft.com"');
	});
});
