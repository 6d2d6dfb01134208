/**
 * The VB365 simulator (sim/vb365, contract sim/contracts/vb365.md): tokens, versions in the path,
 * organizations with their users, groups (members), sites and teams, restore-operator roles with
 * operators and selected / excluded items, RESTExceptionInfo errors, faults, the bench seed. Every
 * answer is validated against the spec subsets (vb365Client.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import { join } from 'node:path';

import axios from 'axios';

import { holdRequest } from '../support/holdRequest';

import { UNCHECKED_BODY, bearer, expectException, fixture, json, login, start, stop, token, violations, type Client } from './vb365Client';

import {
	VB365_DEFAULT_ADMIN,
	VB365_DEFAULT_PASSWORD,
	VB365_ORG_CONTOSO_ID,
	VB365_ORG_FABRIKAM_ID,
	VB365_ROLE_FINANCE_ID,
	VB365_ROLE_HELPDESK_ID,
} from '../../sim';

let c: Client;
let admin: string;
beforeAll(async () => {
	c = await start();
});
afterAll(async () => {
	await stop(c);
	expect(violations()).toEqual([]);
});
beforeEach(async () => {
	c.sim.reset();
	admin = await login(c);
});

const CONTOSO = `/v8/Organizations/${VB365_ORG_CONTOSO_ID}`;
const principal = (name: string, org = VB365_ORG_CONTOSO_ID) => {
	const found = c.vb365.principalNamed(org, name);
	if (!found) throw new Error(`no ${name}`);
	return found.record as { id: string; name: string; displayName: string };
};
const userBody = (name: string) => {
	const u = principal(`${name}@contoso.onmicrosoft.com`);
	return { type: 'User', user: { id: u.id, displayName: u.displayName, name: u.name, type: 'User' } };
};
const operatorsOf = async (roleId: string) => (await c.http.get(`/v8/RbacRoles/${roleId}/operators`, bearer(admin))).data as Array<{ id: string; type: string; user?: { id: string; name: string; displayName: string }; group?: { id: string; displayName: string } }>;

describe('token', () => {
	it('grants password and refresh tokens (form or JSON), refuses a wrong password and a reused refresh token, ends with logout', async () => {
		const res = await token(c, { grant_type: 'password', username: VB365_DEFAULT_ADMIN, password: VB365_DEFAULT_PASSWORD, disable_antiforgery_token: 'true' });
		expect(res.data).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String), token_type: 'bearer', expires_in: 3600, userName: VB365_DEFAULT_ADMIN, '.issued': expect.any(String), '.expires': expect.any(String) });
		const bad = await token(c, { grant_type: 'password', username: VB365_DEFAULT_ADMIN, password: 'wrong' });
		expect({ status: bad.status, error: bad.data.error }).toEqual({ status: 400, error: 'invalid_grant' });
		const refreshed = await token(c, { grant_type: 'refresh_token', refresh_token: res.data.refresh_token, disable_antiforgery_token: 'true' });
		expect(refreshed.status).toBe(200);
		expect((await token(c, { grant_type: 'refresh_token', refresh_token: res.data.refresh_token, disable_antiforgery_token: 'true' })).status).toBe(400);
		const viaJson = await c.http.post('/v8/token', { grant_type: 'password', username: VB365_DEFAULT_ADMIN, password: VB365_DEFAULT_PASSWORD, disable_antiforgery_token: true }, { headers: { 'Content-Type': 'application/json' } });
		expect(viaJson.status).toBe(200);
		expect((await c.http.get('/v8/RbacRoles', bearer(refreshed.data.access_token))).status).toBe(200);
		expect((await c.http.post('/v8/token/logout', '', bearer(refreshed.data.access_token))).status).toBe(204);
		expect((await c.http.get('/v8/RbacRoles', bearer(refreshed.data.access_token))).status).toBe(401);
		expect((await token(c, { grant_type: 'refresh_token', refresh_token: refreshed.data.refresh_token, disable_antiforgery_token: 'true' })).status).toBe(400);
	});

	it('asks for the antiforgery token unless the grant disabled it, for API calls and for the refresh grant', async () => {
		const res = await token(c, { grant_type: 'password', username: VB365_DEFAULT_ADMIN, password: VB365_DEFAULT_PASSWORD });
		const cookie = String(res.headers['set-cookie']?.[0] ?? '').split(';')[0];
		expect(cookie).toMatch(/^XSRF-TOKEN=.+/);
		expectException(await c.http.get('/v8/RbacRoles', bearer(res.data.access_token)), 400, 'ParameterValidationFailure');
		expect((await c.http.get('/v8/RbacRoles', { headers: { ...bearer(res.data.access_token).headers, Cookie: cookie } })).status).toBe(200);
		const refresh = { grant_type: 'refresh_token', refresh_token: res.data.refresh_token };
		expect((await token(c, refresh)).data.error).toBe('invalid_grant');
		const again = await c.http.post('/v8/token', new URLSearchParams(refresh).toString(), { headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie } });
		expect(again.status).toBe(200);
		expect(again.headers['set-cookie']).toBeDefined();
		expect((await c.http.get('/v8/RbacRoles', bearer(admin))).status).toBe(200);
		expect((await token(c, { grant_type: 'operator', client_id: 'x', assertion: 'y' })).status).toBe(400);
	});

	it('answers 401 with RESTExceptionInfo without a token or once it has expired', async () => {
		const none = await c.http.get('/v8/RbacRoles');
		expect({ status: none.status, message: none.data.message }).toEqual({ status: 401, message: 'Authorization has been denied for this request.' });
		c.sim.clock.advance(3601);
		expect((await c.http.get('/v8/RbacRoles', bearer(admin))).status).toBe(401);
	});
});

describe('versions', () => {
	it('serves v6, v7 and v8 in the path; another version or one no longer served is a bare 404', async () => {
		for (const v of ['v6', 'v7', 'v8']) expect((await c.http.get(`/${v}/RbacRoles`, bearer(admin))).status).toBe(200);
		const v5 = await c.http.get('/v5/RbacRoles', bearer(admin));
		expect({ status: v5.status, body: v5.data }).toEqual({ status: 404, body: '' });
		c.sim.serveVersions(['v8']);
		expect((await c.http.get('/v7/RbacRoles', bearer(admin))).status).toBe(404);
		expect((await c.http.get('/v8/ServiceInstance', bearer(admin))).data).toEqual({ installationId: expect.any(String), version: expect.any(String) });
		c.sim.serveVersions(['v6', 'v7', 'v8']);
	});

	it('answers v7 as its spec says: organizations as a plain array, a created role with 200, errors without stackTrace', async () => {
		const orgs = await c.http.get('/v7/Organizations', bearer(admin));
		expect((orgs.data as Array<{ name: string }>).map((o) => o.name)).toEqual(['contoso.onmicrosoft.com', 'fabrikam.onmicrosoft.com', 'tailspintoys.com']);
		const created = await c.http.post(`/v7/Organizations/${VB365_ORG_CONTOSO_ID}/RbacRoles`, { name: 'v7 role', description: '', roleType: 'EntireOrganization' }, json(admin));
		expect(created.status).toBe(200);
		const missing = await c.http.get('/v7/RbacRoles/00000000-0000-0000-0000-000000000000', bearer(admin));
		expect(missing.data).toEqual({ message: expect.any(String) });
		const users = await c.http.get(`/v7/Organizations/${VB365_ORG_CONTOSO_ID}/Users?limit=2`, bearer(admin));
		expect(users.data.totalCount).toBe(8);
	});
});

describe('organizations and their directory', () => {
	it('pages organizations, users, groups, sites and teams with offset, limit and setId', async () => {
		const orgs = await c.http.get('/v8/Organizations?limit=2', bearer(admin));
		expect(orgs.data).toEqual(expect.objectContaining({ offset: 0, limit: 2, setId: expect.any(String) }));
		expect(orgs.data.results.map((o: { name: string }) => o.name)).toEqual(['contoso.onmicrosoft.com', 'fabrikam.onmicrosoft.com']);
		expect((await c.http.get(`/v8/Organizations?offset=2&limit=2&setId=${orgs.data.setId}`, bearer(admin))).data.results).toHaveLength(1);
		expect((await c.http.get(`/v8/Organizations/${VB365_ORG_CONTOSO_ID}?extendedView=true`, bearer(admin))).data).toEqual(expect.objectContaining({ isBackedup: true, lastBackuptime: expect.any(String) }));
		expect((await c.http.get(`/v8/Organizations/${VB365_ORG_CONTOSO_ID}`, bearer(admin))).data.isBackedup).toBeUndefined();
		const users = await c.http.get(`${CONTOSO}/Users`, bearer(admin));
		expect(users.data.limit).toBe(30);
		expect(users.data.results[0]).toEqual(expect.objectContaining({ id: expect.stringMatching(/^[0-9a-f-]{36}00000000-0000-0000-0000-000000000000$/), name: 'alice.adams@contoso.onmicrosoft.com', displayName: 'Alice Adams', type: 'User', locationType: 'Cloud' }));
		const page1 = await c.http.get(`${CONTOSO}/Users?limit=3`, bearer(admin));
		c.vb365.addPrincipal(VB365_ORG_CONTOSO_ID, { kind: 'User', id: 'aaaaaaaa-0000-0000-0000-00000000000100000000-0000-0000-0000-000000000000', name: 'new@contoso.onmicrosoft.com', displayName: 'New' });
		// The set named by setId is the one read first (a cache), so pages do not shift under a change.
		const rest = await c.http.get(`${CONTOSO}/Users?offset=3&limit=30&setId=${page1.data.setId}`, bearer(admin));
		expect(rest.data.results).toHaveLength(5);
		const path = `${CONTOSO}/Users`;
		expect(page1.data._links).toEqual({ self: { href: `${path}?offset=0&limit=3` }, next: { href: `${path}?offset=3&limit=3` } });
		const middle = await c.http.get(`${path}?offset=4&limit=3&setId=${page1.data.setId}`, bearer(admin));
		expect(middle.data._links).toEqual({ first: { href: `${path}?offset=0&limit=3` }, prev: { href: `${path}?offset=1&limit=3` }, self: { href: `${path}?offset=4&limit=3` }, next: { href: `${path}?offset=7&limit=3` } });
		expect(Object.keys(rest.data._links)).toEqual(['first', 'prev', 'self']);
		expect((await c.http.get(`${CONTOSO}/Users?limit=30`, bearer(admin))).data.results).toHaveLength(9);
		expectException(await c.http.get(`${CONTOSO}/Users?limit=10001`, bearer(admin)), 400, 'ParameterValidationFailure');
		expectException(await c.http.get('/v8/Organizations/00000000-0000-0000-0000-000000000000/Users', bearer(admin)), 404, 'ResourceNotFound');
	});

	it('finds users by e-mail (exact) and display name (wildcards), groups by name, lists group members, sites and teams', async () => {
		const names = (res: { data: { results: Array<{ name: string }> } }) => res.data.results.map((r) => r.name);
		expect(names(await c.http.get(`${CONTOSO}/Users?userName=DAVE.LEE@contoso.onmicrosoft.com`, bearer(admin)))).toEqual(['dave.lee@contoso.onmicrosoft.com']);
		expect(names(await c.http.get(`${CONTOSO}/Users?userName=dave`, bearer(admin)))).toEqual([]);
		expect(names(await c.http.get(`${CONTOSO}/Users?displayName=Sam%20Taylor`, bearer(admin)))).toEqual(['sam.taylor@contoso.onmicrosoft.com', 'sam.taylor2@contoso.onmicrosoft.com']);
		expect(names(await c.http.get(`${CONTOSO}/Users?displayName=*ee`, bearer(admin)))).toEqual(['dave.lee@contoso.onmicrosoft.com']);
		const helpdesk = await c.http.get(`${CONTOSO}/Groups?groupName=helpdesk@contoso.onmicrosoft.com`, bearer(admin));
		expect(helpdesk.data.results.map((g: { displayName: string }) => g.displayName)).toEqual(['Helpdesk']);
		const members = await c.http.get(`${CONTOSO}/Groups/${helpdesk.data.results[0].id}/Members`, bearer(admin));
		expect(members.data.results.map((m: { login: string; type: string }) => `${m.type}:${m.login}`)).toEqual(['User:alice.adams@contoso.onmicrosoft.com', 'User:bob.baker@contoso.onmicrosoft.com', 'User:dave.lee@contoso.onmicrosoft.com']);
		const it = await c.http.get(`${CONTOSO}/Groups?displayName=IT*`, bearer(admin));
		const itMembers = await c.http.get(`${CONTOSO}/Groups/${it.data.results[0].id}/Members`, bearer(admin));
		expect(itMembers.data.results.map((m: { name: string; type: string }) => `${m.type}:${m.name}`)).toEqual(['User:Carol Chen', 'Group:Helpdesk']);
		const titles = (res: { data: { results: Array<{ title: string }> } }) => res.data.results.map((s) => s.title);
		expect(titles(await c.http.get(`${CONTOSO}/Sites`, bearer(admin)))).toEqual(['Finance', 'HR', 'Payroll']);
		expect(titles(await c.http.get(`${CONTOSO}/Sites?includePersonalSites=true&parentId=root`, bearer(admin)))).toEqual(['Finance', 'HR', 'Alice Adams']);
		expect(titles(await c.http.get(`${CONTOSO}/Sites?filter=pay`, bearer(admin)))).toEqual(['Payroll']);
		const teams = await c.http.get(`${CONTOSO}/Teams?displayName=Finance*`, bearer(admin));
		expect(teams.data.results).toEqual([expect.objectContaining({ displayName: 'Finance Team', mail: 'finance.team@contoso.onmicrosoft.com' })]);
		expect((await c.http.get(`${CONTOSO}/Teams/${teams.data.results[0].id}`, bearer(admin))).data.displayName).toBe('Finance Team');
		expectException(await c.http.get(`${CONTOSO}/Users?locationFilter=Moon`, bearer(admin)), 400, 'ParameterValidationFailure');
	});
});

describe('restore operator roles', () => {
	it('lists roles as plain arrays (all, by organization) and reads one', async () => {
		const all = await c.http.get('/v8/RbacRoles', bearer(admin));
		expect(all.data.map((r: { name: string }) => r.name)).toEqual(['Helpdesk Restore', 'Finance Restore', 'Fabrikam Restore']);
		expect((await c.http.get(`/v8/Organizations/${VB365_ORG_FABRIKAM_ID}/RbacRoles`, bearer(admin))).data.map((r: { name: string }) => r.name)).toEqual(['Fabrikam Restore']);
		const role = await c.http.get(`/v8/RbacRoles/${VB365_ROLE_HELPDESK_ID}`, bearer(admin));
		expect(role.data).toEqual({
			id: VB365_ROLE_HELPDESK_ID,
			organizationId: VB365_ORG_CONTOSO_ID,
			name: 'Helpdesk Restore',
			description: '',
			roleType: 'EntireOrganization',
			_links: expect.objectContaining({ operators: { href: `/v8/rbacRoles/${VB365_ROLE_HELPDESK_ID}/operators` }, selectedItem: expect.any(Object) }),
		});
		expectException(await c.http.get('/v8/RbacRoles/00000000-0000-0000-0000-000000000000', bearer(admin)), 404, 'ResourceNotFound');
	});

	it('creates a role with operators and items (201), refuses SpecificObjects without objects and principals of another organization', async () => {
		const site = (await c.http.get(`${CONTOSO}/Sites?filter=HR`, bearer(admin))).data.results[0];
		const body = { name: 'HR Restore', description: 'HR site', roleType: 'SpecificObjects', operators: [userBody('alice.adams')], selectedItems: [{ type: 'Site', site: { id: site.id, url: site.url, title: site.title, parentUrl: site.parentUrl, isCloud: true, isPersonal: false } }], excludedItems: [] };
		const created = await c.http.post(`${CONTOSO}/RbacRoles`, body, json(admin));
		expect(created.status).toBe(201);
		expect(created.data).toEqual(expect.objectContaining({ name: 'HR Restore', description: 'HR site', roleType: 'SpecificObjects', organizationId: VB365_ORG_CONTOSO_ID }));
		expect((await operatorsOf(created.data.id)).map((o) => o.user?.name)).toEqual(['alice.adams@contoso.onmicrosoft.com']);
		expect((await c.http.get(`/v8/RbacRoles/${created.data.id}/selectedItems`, bearer(admin))).data).toEqual([expect.objectContaining({ type: 'Site', site: expect.objectContaining({ title: 'HR' }) })]);
		expectException(await c.http.post(`${CONTOSO}/RbacRoles`, { ...body, selectedItems: [] }, json(admin)), 400, 'ParameterValidationFailure');
		const erin = principal('erin.ford@fabrikam.onmicrosoft.com', VB365_ORG_FABRIKAM_ID);
		expectException(await c.http.post(`${CONTOSO}/RbacRoles`, { ...body, name: 'X', operators: [{ type: 'User', user: { id: erin.id, displayName: erin.displayName, name: erin.name, type: 'User' } }] }, json(admin)), 400, 'ParameterValidationFailure');
		// No rule against two roles of one name was found in Veeam's documents: the simulator accepts it.
		expect((await c.http.post(`${CONTOSO}/RbacRoles`, body, json(admin))).status).toBe(201);
		expect((await c.http.get(`${CONTOSO}/RbacRoles`, bearer(admin))).data).toHaveLength(4);
	});

	it('updates a role with PUT (lists present replace, absent keep, operator IDs stay) and deletes it', async () => {
		const before = await operatorsOf(VB365_ROLE_FINANCE_ID);
		expect((await c.http.put(`/v8/RbacRoles/${VB365_ROLE_FINANCE_ID}`, { name: 'Finance Restore 2', description: 'renamed', roleType: 'SpecificObjects' }, json(admin))).status).toBe(204);
		expect(await operatorsOf(VB365_ROLE_FINANCE_ID)).toEqual(before);
		const keep = before.filter((o) => o.user?.name.startsWith('bob'));
		expect((await c.http.put(`/v8/RbacRoles/${VB365_ROLE_FINANCE_ID}`, { name: 'Finance Restore 2', roleType: 'SpecificObjects', operators: keep.map(({ type, user }) => ({ type, user })) }, json(admin))).status).toBe(204);
		expect(await operatorsOf(VB365_ROLE_FINANCE_ID)).toEqual(keep);
		expect((await c.http.get(`/v8/RbacRoles/${VB365_ROLE_FINANCE_ID}`, bearer(admin))).data).toEqual(expect.objectContaining({ name: 'Finance Restore 2', description: 'renamed' }));
		expect((await c.http.delete(`/v8/RbacRoles/${VB365_ROLE_FINANCE_ID}`, bearer(admin))).status).toBe(204);
		expectException(await c.http.get(`/v8/RbacRoles/${VB365_ROLE_FINANCE_ID}/operators`, bearer(admin)), 404, 'ResourceNotFound');
		expect(c.sim.log.since().map((e) => e.action)).toEqual(['updateRole', 'updateRole', 'deleteRole']);
	});

	it('adds operators (a duplicate is ignored), reads one, removes by the operator\'s own ID (not the user\'s)', async () => {
		const ops = await operatorsOf(VB365_ROLE_HELPDESK_ID);
		expect(ops.map((o) => `${o.type}:${o.user?.name ?? o.group?.displayName}`)).toEqual(['Group:Helpdesk', 'User:dave.lee@contoso.onmicrosoft.com']);
		const dave = ops[1];
		expect(dave.id).not.toBe(dave.user?.id);
		expect(dave.id.endsWith(dave.user?.id ?? '-')).toBe(true);
		expect(dave.id).toHaveLength(108);
		expect((await c.http.post(`/v8/RbacRoles/${VB365_ROLE_HELPDESK_ID}/operators`, [userBody('alice.adams'), userBody('dave.lee')], json(admin))).status).toBe(204);
		const after = await operatorsOf(VB365_ROLE_HELPDESK_ID);
		expect(after.map((o) => o.user?.name ?? o.group?.displayName)).toEqual(['Helpdesk', 'dave.lee@contoso.onmicrosoft.com', 'alice.adams@contoso.onmicrosoft.com']);
		expect((await c.http.get(`/v8/RbacRoles/${VB365_ROLE_HELPDESK_ID}/operators/${dave.id}`, bearer(admin))).data).toEqual(dave);
		expectException(await c.http.delete(`/v8/RbacRoles/${VB365_ROLE_HELPDESK_ID}/operators?ids=${dave.user?.id}`, bearer(admin)), 404, 'ResourceNotFound');
		expectException(await c.http.delete(`/v8/RbacRoles/${VB365_ROLE_HELPDESK_ID}/operators`, bearer(admin)), 400, 'ParameterValidationFailure');
		expect((await c.http.delete(`/v8/RbacRoles/${VB365_ROLE_HELPDESK_ID}/operators?ids=${dave.id},${after[2].id}`, bearer(admin))).status).toBe(204);
		expect((await operatorsOf(VB365_ROLE_HELPDESK_ID)).map((o) => o.group?.displayName)).toEqual(['Helpdesk']);
		expectException(await c.http.post(`/v8/RbacRoles/${VB365_ROLE_HELPDESK_ID}/operators`, [{ type: 'Site', site: { id: 'x' } }], json(admin)), 400, 'ParameterValidationFailure');
		// The spec's required properties of RESTRbacUser: an id alone is refused unless the simulator is lenient.
		const alice = principal('alice.adams@contoso.onmicrosoft.com');
		expectException(await c.http.post(`/v8/RbacRoles/${VB365_ROLE_HELPDESK_ID}/operators`, [{ type: 'User', user: { id: alice.id } }], json(admin)), 400, 'ParameterValidationFailure');
		c.vb365.options.bodies = 'lenient';
		try {
			expect((await c.http.post(`/v8/RbacRoles/${VB365_ROLE_HELPDESK_ID}/operators`, [{ type: 'User', user: { id: alice.id } }], { headers: { ...json(admin).headers, [UNCHECKED_BODY]: '1' } })).status).toBe(204);
		} finally {
			delete c.vb365.options.bodies;
		}
	});

	it('adds, reads and removes selected and excluded users, groups, sites and teams', async () => {
		const path = `/v8/RbacRoles/${VB365_ROLE_FINANCE_ID}`;
		const selected = (await c.http.get(`${path}/selectedItems`, bearer(admin))).data as Array<{ id: string; type: string }>;
		expect(selected.map((i) => i.type)).toEqual(['Site', 'Team', 'Group']);
		const team = selected[1];
		expect((await c.http.get(`${path}/selectedItems/${team.id}`, bearer(admin))).data).toEqual(team);
		expect((await c.http.post(`${path}/excludedItems`, [userBody('bob.baker')], json(admin))).status).toBe(204);
		const excluded = (await c.http.get(`${path}/excludedItems`, bearer(admin))).data as Array<{ id: string; user: { name: string } }>;
		expect(excluded.map((i) => i.user.name)).toEqual(['bob.baker@contoso.onmicrosoft.com']);
		expect((await c.http.delete(`${path}/selectedItems?ids=${team.id}`, bearer(admin))).status).toBe(204);
		expect(((await c.http.get(`${path}/selectedItems`, bearer(admin))).data as Array<{ type: string }>).map((i) => i.type)).toEqual(['Site', 'Group']);
		expect((await c.http.delete(`${path}/excludedItems?ids=${excluded[0].id}`, bearer(admin))).status).toBe(204);
		expect((await c.http.get(`${path}/excludedItems`, bearer(admin))).data).toEqual([]);
		// The last objects removed: allowed; the role can then be renamed as read, but not emptied by a PUT of a role that has objects.
		const rest = (await c.http.get(`${path}/selectedItems`, bearer(admin))).data as Array<{ id: string }>;
		const put = (body: object) => c.http.put(`/v8/RbacRoles/${VB365_ROLE_FINANCE_ID}`, body, json(admin));
		expectException(await put({ name: 'Finance Restore', roleType: 'SpecificObjects', selectedItems: [] }), 400, 'ParameterValidationFailure');
		expect((await c.http.delete(`${path}/selectedItems?ids=${rest.map((i) => i.id).join(',')}`, bearer(admin))).status).toBe(204);
		expect((await put({ name: 'Finance (empty)', roleType: 'SpecificObjects', selectedItems: [], excludedItems: [] })).status).toBe(204);
		// A switch to SpecificObjects without objects is refused.
		expectException(await c.http.put(`/v8/RbacRoles/${VB365_ROLE_HELPDESK_ID}`, { name: 'Helpdesk Restore', roleType: 'SpecificObjects' }, json(admin)), 400, 'ParameterValidationFailure');
	});

	it('takes Veeam\'s example bodies (operators, selected and excluded items) once their objects are in the organization', async () => {
		type Principal = { id: string; name: string; displayName: string };
		const ops = fixture<Array<{ type: string; user?: Principal; group?: Principal }>>('rbac-operators-add.request').body;
		const excl = fixture<typeof ops>('rbac-excludeditems-add.request').body;
		const sel = fixture<typeof ops>('rbac-selecteditems-add.request').body;
		for (const e of [...ops, ...excl, ...sel]) {
			const p = e.user ?? e.group;
			if (p && !c.vb365.principalNamed(VB365_ORG_CONTOSO_ID, p.name)) c.vb365.addPrincipal(VB365_ORG_CONTOSO_ID, { kind: e.user ? 'User' : 'Group', id: p.id, name: p.name, displayName: p.displayName });
		}
		expect((await c.http.post(`/v8/RbacRoles/${VB365_ROLE_FINANCE_ID}/operators`, ops, json(admin))).status).toBe(204);
		expect((await c.http.post(`/v8/RbacRoles/${VB365_ROLE_FINANCE_ID}/excludedItems`, excl, json(admin))).status).toBe(204);
		expect((await c.http.post(`/v8/RbacRoles/${VB365_ROLE_FINANCE_ID}/selectedItems`, sel, json(admin))).status).toBe(204);
		expect((await operatorsOf(VB365_ROLE_FINANCE_ID)).map((o) => o.user?.displayName ?? o.group?.displayName)).toEqual(['Bob Baker', 'Dave Lee', 'Restore Operator', 'Group 2']);
	});

	it('keeps naming an operator who left the directory, with the shape it had; the role can be PUT back as read and the operator removed', async () => {
		const dave = principal('dave.lee@contoso.onmicrosoft.com');
		expect(c.vb365.removeObject(VB365_ORG_CONTOSO_ID, 'User', dave.id)).toBe(true);
		expect((await c.http.get(`${CONTOSO}/Users?userName=dave.lee@contoso.onmicrosoft.com`, bearer(admin))).data.results).toEqual([]);
		expect((await operatorsOf(VB365_ROLE_HELPDESK_ID))[1].user).toEqual({ id: dave.id, displayName: 'Dave Lee', name: 'dave.lee@contoso.onmicrosoft.com', type: 'User' });
		// The role as read can be PUT back (the leaver's operator kept, its ID too); a POST of the leaver is refused.
		const ops = await operatorsOf(VB365_ROLE_HELPDESK_ID);
		const body = { name: 'Helpdesk Restore', description: '', roleType: 'EntireOrganization', operators: ops.map(({ type, user, group }) => (user ? { type, user } : { type, group })) };
		expect((await c.http.put(`/v8/RbacRoles/${VB365_ROLE_HELPDESK_ID}`, body, json(admin))).status).toBe(204);
		expect(await operatorsOf(VB365_ROLE_HELPDESK_ID)).toEqual(ops);
		expectException(await c.http.post(`/v8/RbacRoles/${VB365_ROLE_FINANCE_ID}/excludedItems`, [{ type: 'User', user: ops[1].user }], json(admin)), 400, 'ParameterValidationFailure');
		expect((await c.http.delete(`/v8/RbacRoles/${VB365_ROLE_HELPDESK_ID}/operators?ids=${ops[1].id}`, bearer(admin))).status).toBe(204);
	});

	it('shows changes made in the console (test helpers): a new role, an operator added, a role deleted', async () => {
		const erin = principal('erin.ford@fabrikam.onmicrosoft.com', VB365_ORG_FABRIKAM_ID);
		const role = c.vb365.consoleCreateRole({ organizationId: VB365_ORG_FABRIKAM_ID, name: 'Console Role', roleType: 'EntireOrganization', operators: [['User', erin.id]] });
		expect((await operatorsOf(role.id)).map((o) => o.user?.name)).toEqual(['erin.ford@fabrikam.onmicrosoft.com']);
		const alice = principal('alice.adams@contoso.onmicrosoft.com');
		c.vb365.consoleChange(VB365_ROLE_FINANCE_ID, 'excluded', 'add', 'User', alice.id);
		expect(((await c.http.get(`/v8/RbacRoles/${VB365_ROLE_FINANCE_ID}/excludedItems`, bearer(admin))).data as Array<{ user: { id: string } }>).map((i) => i.user.id)).toEqual([alice.id]);
		c.vb365.consoleEditRole(role.id, { delete: true });
		expectException(await c.http.get(`/v8/RbacRoles/${role.id}`, bearer(admin)), 404, 'ResourceNotFound');
		expect(c.sim.log.since().map((e) => e.action)).toEqual(['console:createRole', 'console:add:excluded', 'console:deleteRole']);
	});
});

describe('faults, seed, control', () => {
	it('answers injected 429 and 500 with RESTExceptionInfo (a stack trace on 500) and drops connections', async () => {
		c.sim.addFault({ kind: 'status', status: 429, retryAfterSeconds: 2, pathIncludes: '/operators' });
		const limited = await c.http.get(`/v8/RbacRoles/${VB365_ROLE_HELPDESK_ID}/operators`, bearer(admin));
		expect({ status: limited.status, retryAfter: limited.headers['retry-after'], stackTrace: limited.data.stackTrace }).toEqual({ status: 429, retryAfter: '2', stackTrace: null });
		c.sim.addFault({ kind: 'status', status: 500 });
		const failed = await c.http.get('/v8/RbacRoles', bearer(admin));
		expect({ status: failed.status, errorCode: failed.data.errorCode, trace: typeof failed.data.stackTrace }).toEqual({ status: 500, errorCode: undefined, trace: 'string' });
		c.sim.addFault({ kind: 'drop', afterProcessing: true, method: 'DELETE' });
		const ops = await operatorsOf(VB365_ROLE_HELPDESK_ID);
		await expect(c.http.delete(`/v8/RbacRoles/${VB365_ROLE_HELPDESK_ID}/operators?ids=${ops[1].id}`, bearer(admin))).rejects.toThrow();
		expect(await operatorsOf(VB365_ROLE_HELPDESK_ID)).toHaveLength(1);
		expect(c.sim.stats.byRoute['DELETE /:version/RbacRoles/:roleId/operators']).toBe(1);
	});

	it('takes faults and latency over the control endpoint; with maxParallel, answers 429 past that many requests at once', async () => {
		const ctl = (path: string, body: unknown) => c.http.post(`/__sim/${path}`, body);
		expect((await ctl('faults', { kind: 'status', status: 503, method: 'GET', pathIncludes: '/Users' })).status).toBe(201);
		expectException(await c.http.get(`${CONTOSO}/Users`, bearer(admin)), 503, undefined);
		expect((await ctl('latency', { ms: 30 })).status).toBe(200);
		const t0 = Date.now();
		await c.http.get('/v8/RbacRoles', bearer(admin));
		expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
		await ctl('latency', { ms: 0 });
		const busy = await start({ vb365: { maxParallel: 1 } });
		const hold = holdRequest(busy.sim, (r) => r.path === '/v8/RbacRoles');
		try {
			const t = await login(busy);
			const first = busy.http.get('/v8/RbacRoles', bearer(t));
			await hold.held;
			expectException(await busy.http.get(`/v8/RbacRoles/${VB365_ROLE_HELPDESK_ID}`, bearer(t)), 429, undefined);
			hold.release();
			expect((await first).status).toBe(200);
			expect((await busy.http.get(`/v8/RbacRoles/${VB365_ROLE_HELPDESK_ID}`, bearer(t))).status).toBe(200);
		} finally {
			hold.release();
			hold.restore();
			await stop(busy);
		}
	});

	it('seeds an organization with 5,000 users, 40 groups and 100 roles, a leaver named by 60 of them', async () => {
		const leaver = 'leaver@contoso.onmicrosoft.com';
		expect(c.sim.seed({ count: 5000, groups: 40, roleCount: 100, leaver, leaverRoles: 60 } as Parameters<typeof c.sim.seed>[0])).toBe(5000);
		const roles = (await c.http.get(`${CONTOSO}/RbacRoles`, bearer(admin))).data as Array<{ id: string; roleType: string }>;
		expect(roles).toHaveLength(102);
		let naming = 0;
		for (const r of roles) if ((await operatorsOf(r.id)).some((o) => o.user?.name === leaver)) naming++;
		expect(naming).toBe(60);
		expect(roles.filter((r) => r.roleType === 'SpecificObjects')).toHaveLength(51);
		const page = await c.http.get(`${CONTOSO}/Users?limit=10000`, bearer(admin));
		expect(page.data.results).toHaveLength(5009);
		expect((await c.http.get(`${CONTOSO}/Users?userName=${leaver}`, bearer(admin))).data.results).toHaveLength(1);
		expect(((await c.sim.product.snapshot()).roles as unknown[]).length).toBe(103);
	});
});

describe('npm run sim -- --product vb365', () => {
	let npm: ChildProcess | undefined;
	afterEach(() => {
		npm?.kill('SIGTERM');
	});

	it('serves VB365 with the seeded users, roles and leaver', async () => {
		npm = spawn('npm', ['run', '-s', 'sim', '--', '--product', 'vb365', '--port', '0', '--fresh-tls', '--seed', '50', '--seed-roles', '7', '--seed-leaver', 'leaver@contoso.onmicrosoft.com'], { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		npm.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		npm.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		const exited = new Promise<never>((_, reject) => npm?.once('exit', (code) => reject(new Error(`npm run sim exited (${code}): ${output}`))));
		const started = (async () => {
			while (!output.includes('Ctrl-C to stop.')) await new Promise((r) => setTimeout(r, 100));
		})();
		await Promise.race([started, exited]);
		expect(output).toContain(`test login: ${VB365_DEFAULT_ADMIN} / ${VB365_DEFAULT_PASSWORD}`);
		const url = /VB365\s+(https:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] as string;
		const ca = (await axios.get(`${url}/__sim/ca`, { httpsAgent: new https.Agent({ rejectUnauthorized: false }) })).data as string;
		const agent = new https.Agent({ ca });
		const form = new URLSearchParams({ grant_type: 'password', username: VB365_DEFAULT_ADMIN, password: VB365_DEFAULT_PASSWORD, disable_antiforgery_token: 'true' }).toString();
		const t = (await axios.post(`${url}/v8/token`, form, { httpsAgent: agent, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).data.access_token;
		const roles = await axios.get(`${url}/v8/Organizations/${VB365_ORG_CONTOSO_ID}/RbacRoles`, { httpsAgent: agent, headers: { Authorization: `Bearer ${t}` } });
		expect(roles.data).toHaveLength(9);
		const ops = await axios.get(`${url}/v8/RbacRoles/${roles.data[8].id}/operators`, { httpsAgent: agent, headers: { Authorization: `Bearer ${t}` } });
		expect(ops.data.map((o: { user: { name: string } }) => o.user.name)).toContain('leaver@contoso.onmicrosoft.com');
		agent.destroy();
	});
});
