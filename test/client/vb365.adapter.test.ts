/**
 * The VB365 adapter (client/adapters/vb365*.ts) against servers that misbehave, through the real
 * transport (vb365Fake.ts): paging that lies, a filter the server ignores, answers of the wrong
 * shape or about another object, a change the server does not show, a lost answer, ambiguous
 * names, bad input. Each case says what the adapter must do whatever the server does.
 */
import type { IDataObject } from 'n8n-workflow';

import { Vb365Directory } from '../../client/adapters/vb365';
import { emptyState, fakeVb365, objectId, ORG_A, ORG_B, stored, v8Page, type FakeAnswer, type FakeRequest, type FakeVb365State } from './vb365Fake';

const ROLE = '5b7b13ba-a04e-4e05-8eab-0084ae5410a0';
const ROLE_B = '5b7b13ba-a04e-4e05-8eab-0084ae5410a1';
const user = (n: number, over: IDataObject = {}): IDataObject => ({ id: objectId(n), displayName: `User ${n}`, name: `user${n}@abc.onmicrosoft.com`, type: 'User', ...over });
const group = (n: number, over: IDataObject = {}): IDataObject => ({ id: objectId(1000 + n), displayName: `Group ${n}`, name: `group${n}@abc.onmicrosoft.com`, type: 'Security', ...over });
const asOperator = (m: IDataObject, type = 'User') => stored({ type, [type.toLowerCase()]: m });

function seeded(): FakeVb365State {
	const state = emptyState();
	state.users[ORG_A] = Array.from({ length: 5 }, (_, i) => user(i + 1));
	state.groups[ORG_A] = [group(1), group(2)];
	state.roles.push({ id: ROLE, organizationId: ORG_A, name: 'Helpdesk', description: '', roleType: 'EntireOrganization' });
	state.roles.push({ id: ROLE_B, organizationId: ORG_B, name: 'Finance', description: 'x', roleType: 'EntireOrganization' });
	state.operators[ROLE] = [asOperator(user(1))];
	state.operators[ROLE_B] = [];
	state.selected[ROLE] = [];
	state.excluded[ROLE] = [];
	state.selected[ROLE_B] = [];
	state.excluded[ROLE_B] = [];
	return state;
}
function server(state = seeded(), route?: (req: FakeRequest) => FakeAnswer | undefined) {
	const fake = fakeVb365(state, route);
	const directory = new Vb365Directory(fake.ctx);
	return { ...fake, directory, access: directory.vb365() };
}
const calls = (requests: FakeRequest[]) => requests.map((r) => `${r.method} ${r.path}${r.query.toString() ? `?${r.query.toString()}` : ''}`);

describe('VB365 paged lists (organizations, users, groups)', () => {
	it('reads until an empty page (no total in v8; a short page is not taken for the end), carrying the first setId', async () => {
		const state = seeded();
		state.organizations = Array.from({ length: 25 }, (_, i) => ({ id: `ae19d952-59dc-49f4-b12f-${String(i).padStart(12, '0')}`, name: `org${i}.onmicrosoft.com` }));
		// A server that sends at most 10 whatever the limit asked.
		const { access, requests } = server(state, (req) => (req.path === '/v8/Organizations' ? v8Page(state.organizations, { ...req, query: new URLSearchParams({ offset: req.query.get('offset') ?? '0', limit: '10' }) }) : undefined));
		expect(await access.organizations()).toHaveLength(25);
		expect(calls(requests)).toEqual([
			'GET /v8/Organizations?offset=0&limit=1000',
			'GET /v8/Organizations?offset=10&limit=1000&setId=0b0c0d0e-0000-4000-8000-000000000001',
			'GET /v8/Organizations?offset=20&limit=1000&setId=0b0c0d0e-0000-4000-8000-000000000001',
			'GET /v8/Organizations?offset=25&limit=1000&setId=0b0c0d0e-0000-4000-8000-000000000001',
		]);
		await access.organizations();
		expect(requests).toHaveLength(4);
	});

	it('takes a plain array (v7) as the whole list; refuses a server that ignores offset (the same page again)', async () => {
		const orgs = emptyState().organizations;
		expect(await server(undefined, (req) => (req.path === '/v8/Organizations' ? { body: orgs } : undefined)).access.organizations()).toHaveLength(2);
		const stuck = server(undefined, (req) => (req.path === '/v8/Organizations' ? { body: { offset: 0, limit: 30, results: orgs } } : undefined));
		await expect(stuck.access.organizations()).rejects.toThrow(/list of organizations is broken: the page from position 2 repeated/);
	});

	it('a list that never ends (new entries on every page) is refused after 1,000 pages, nothing kept', async () => {
		let served = 0;
		const endless = server(undefined, (req) => {
			if (req.path !== '/v8/Organizations') return undefined;
			const offset = Number(req.query.get('offset'));
			served++;
			return { body: { offset, limit: 1000, results: [{ id: `ae19d952-59dc-49f4-b12f-${String(offset).padStart(12, '0')}`, name: `org${offset}` }] } };
		});
		await expect(endless.access.organizations()).rejects.toThrow(/with more than 1000 pages \(1000000 entries\): the list does not end/);
		expect(served).toBe(1000);
	});

	it('refuses a page with an entry without its id, or one id twice', async () => {
		const noId = server(undefined, (req) => (req.path === '/v8/Organizations' ? { body: { offset: 0, limit: 30, results: [{ name: 'x' }] } } : undefined));
		await expect(noId.access.organizations()).rejects.toThrow(/organization without its id or name/);
		const twice = server(undefined, (req) => (req.path === '/v8/Organizations' ? { body: { offset: 0, limit: 30, results: [{ id: ORG_A, name: 'a' }, { id: ORG_A.toUpperCase(), name: 'b' }] } } : undefined));
		await expect(twice.access.organizations()).rejects.toThrow(/twice in one page/);
	});
});

describe('VB365 look-ups', () => {
	it('findOrganization: by ID, name or officeName, case-insensitively; none and several refused naming the field', async () => {
		const { access } = server();
		expect((await access.findOrganization('ABC', 'Organization')).id).toBe(ORG_A);
		expect((await access.findOrganization(ORG_B.toUpperCase(), 'Organization')).name).toBe('fabrikam.onmicrosoft.com');
		await expect(access.findOrganization('contoso', 'Organization')).rejects.toThrow('Organization: Veeam Backup for Microsoft 365 has no organization "contoso"');
		const state = seeded();
		state.organizations.push({ id: 'cc19d952-59dc-49f4-b12f-7d6bf465f523', name: 'abc', type: 'Office365' });
		await expect(server(state).access.findOrganization('abc', 'Organization')).rejects.toThrow('Organization "abc" names 2 organizations');
	});

	it('findPrincipal: an e-mail matched exactly here even when the server ignores the filter; a group never taken for a user', async () => {
		// The server ignores userName / displayName: every user comes back.
		const state = seeded();
		const { access } = server(state, (req) => (req.path.endsWith('/Users') ? v8Page(state.users[ORG_A], req) : undefined));
		expect((await access.findPrincipal(ORG_A, 'USER3@abc.onmicrosoft.com', 'user', 'Operator'))?.id).toBe(objectId(3));
		expect(await access.findPrincipal(ORG_A, 'user3@abc', 'user', 'Operator')).toBeUndefined();
		expect(await access.findPrincipal(ORG_A, 'group1@abc.onmicrosoft.com', 'user', 'Operator')).toBeUndefined();
		expect((await access.findPrincipal(ORG_A, 'group1@abc.onmicrosoft.com', undefined, 'Operator'))?.kind).toBe('group');
	});

	it('findPrincipal: a display name two objects share is refused naming both IDs; the ID picks one; nothing sent for an empty text', async () => {
		const state = seeded();
		state.users[ORG_A].push(user(6, { displayName: 'Group 1' }));
		const { access, requests } = server(state);
		await expect(access.findPrincipal(ORG_A, 'Group 1', undefined, 'Operator')).rejects.toThrow('Operator "Group 1" names 2 objects of the organization');
		await expect(access.findPrincipal(ORG_A, 'Group 1', undefined, 'Operator')).rejects.toMatchObject({ description: expect.stringContaining(objectId(1001)) });
		expect((await access.findPrincipal(ORG_A, objectId(6).toUpperCase(), undefined, 'Operator'))?.name).toBe('user6@abc.onmicrosoft.com');
		const before = requests.length;
		await expect(access.findPrincipal(ORG_A, ' ', 'user', 'Operator')).rejects.toThrow('Operator is empty');
		expect(requests).toHaveLength(before);
	});

	it('findPrincipal: userName is asked only for a text with an @ (the spec: "an email address"); a Hybrid organization is searched with locationFilter=Any', async () => {
		const state = seeded();
		state.organizations[1].type = 'Hybrid';
		state.users[ORG_B] = [user(9)];
		const { access, requests } = server(state);
		const searches = () => requests.filter((r) => r.method === 'GET' && /\/(Users|Groups)$/.test(r.path)).map((r) => `${r.path.split('/').pop()} ${[...r.query.keys()].filter((k) => k !== 'offset' && k !== 'limit' && k !== 'setId').join(',')}`);
		await access.findPrincipal(ORG_A, 'User 3', undefined, 'Operator');
		expect(new Set(searches())).toEqual(new Set(['Users displayName', 'Groups displayName', 'Groups groupName']));
		requests.length = 0;
		await access.findPrincipal(ORG_A, 'user3@abc.onmicrosoft.com', 'user', 'Operator');
		expect(new Set(searches())).toEqual(new Set(['Users displayName', 'Users userName']));
		requests.length = 0;
		expect((await access.findPrincipal(ORG_B, 'user9@abc.onmicrosoft.com', 'user', 'Operator'))?.id).toBe(objectId(9));
		expect(new Set(searches())).toEqual(new Set(['Users locationFilter,displayName', 'Users locationFilter,userName']));
		expect(requests.filter((r) => r.query.has('locationFilter')).every((r) => r.query.get('locationFilter') === 'Any')).toBe(true);
	});

	it('findPrincipal: an answer by ID about another object is refused', async () => {
		const { access } = server(undefined, (req) => (req.path.includes('/Users/') ? { body: user(2) } : undefined));
		await expect(access.findPrincipal(ORG_A, objectId(1), 'user', 'Operator')).rejects.toThrow(/with another object/);
	});

	it('findItem: a site by URL (trailing slash ignored) when the keyword filter finds nothing; a team by e-mail', async () => {
		const state = seeded();
		state.sites[ORG_A] = [{ id: 'site-1', url: 'https://abc.sharepoint.com/sites/hr', title: 'HR', isCloud: true, isPersonal: false }];
		state.teams[ORG_A] = [{ id: '0d0c0b0a-0000-4000-8000-000000000001', displayName: 'Sales', description: '', mail: 'sales@abc.onmicrosoft.com' }];
		const { access } = server(state, (req) => (req.path.endsWith('/Sites') && req.query.get('filter') ? v8Page([], req) : undefined));
		expect(await access.findItem(ORG_A, 'https://abc.sharepoint.com/sites/hr/', 'site', 'Item')).toMatchObject({ kind: 'site', id: 'site-1', name: 'https://abc.sharepoint.com/sites/hr' });
		expect(await access.findItem(ORG_A, 'sales@abc.onmicrosoft.com', 'team', 'Item')).toMatchObject({ kind: 'team', displayName: 'Sales' });
	});
});

describe('VB365 roles and operators read', () => {
	it('roles(org) drops entries of another organization; an operator of an unknown type or without its id is refused', async () => {
		const state = seeded();
		const { access } = server(state, (req) => (req.path === `/v8/Organizations/${ORG_A}/RbacRoles` ? { body: state.roles } : undefined));
		expect((await access.roles(ORG_A)).map((r) => r.name)).toEqual(['Helpdesk']);
		state.operators[ROLE] = [{ id: 'x', type: 'Site', site: { id: 's' } }];
		await expect(access.operators(ROLE)).rejects.toThrow(/operator of type "Site"/);
		state.operators[ROLE] = [{ type: 'User', user: user(1) }];
		await expect(access.operators(ROLE)).rejects.toThrow(/operator without its id/);
	});

	it('role(id): undefined only when the role list does not show it either; an answer about another role is refused', async () => {
		const state = seeded();
		expect(await server(state).access.role('5b7b13ba-a04e-4e05-8eab-0084ae541000')).toBeUndefined();
		const lying = server(state, (req) => (req.path === `/v8/RbacRoles/${ROLE}` ? { status: 404, body: { message: 'gone' } } : undefined));
		await expect(lying.access.role(ROLE)).rejects.toMatchObject({ status: 404 });
		const other = server(state, (req) => (req.path === `/v8/RbacRoles/${ROLE}` ? { body: state.roles[1] } : undefined));
		await expect(other.access.role(ROLE)).rejects.toThrow(/with another role/);
		await expect(other.access.role('not-a-uuid')).rejects.toThrow('is not a Veeam Backup for Microsoft 365 restore operator role ID');
	});

	it('rolesWithOperators: at most 8 reads in flight; a failed read fails the whole; a role deleted meanwhile is dropped once confirmed', async () => {
		const state = seeded();
		for (let i = 0; i < 30; i++) {
			const id = `6b7b13ba-a04e-4e05-8eab-${String(i).padStart(12, '0')}`;
			state.roles.push({ id, organizationId: ORG_A, name: `R${i}`, description: '', roleType: 'EntireOrganization' });
			state.operators[id] = i % 3 ? [] : [asOperator(user(2))];
		}
		const { ctx, access } = server(state);
		const helpers = (ctx as unknown as { helpers: { httpRequestWithAuthentication: (...a: unknown[]) => Promise<unknown> } }).helpers;
		const inner = helpers.httpRequestWithAuthentication;
		let now = 0;
		let most = 0;
		helpers.httpRequestWithAuthentication = async (...a: unknown[]) => {
			most = Math.max(most, ++now);
			await new Promise((r) => setTimeout(r, 3));
			now--;
			return await inner(...a);
		};
		const picture = await access.rolesWithOperators(ORG_A);
		expect(picture).toHaveLength(31);
		expect(most).toBe(8);
		expect(picture.filter((r) => r.operators?.some((o) => o.id === objectId(2)))).toHaveLength(10);

		const gone = '6b7b13ba-a04e-4e05-8eab-000000000004';
		const dropped = server(state, (req) => {
			if (req.path === `/v8/RbacRoles/${gone}/operators`) {
				state.roles = state.roles.filter((r) => r.id !== gone);
				return { status: 404, body: { message: 'Role not found', errorCode: 'ResourceNotFound' } };
			}
			return undefined;
		});
		expect(await dropped.access.rolesWithOperators(ORG_A)).toHaveLength(30);
		const failing = server(state, (req) => (req.path === `/v8/RbacRoles/${ROLE}/operators` ? { status: 403, body: { message: 'denied', errorCode: 'ResourceAccessDenied' } } : undefined));
		await expect(failing.access.rolesWithOperators()).rejects.toMatchObject({ status: 403 });
	});
});
