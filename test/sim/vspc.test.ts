/**
 * The Veeam Service Provider Console simulator: versions, the token endpoint, users (list with
 * Veeam's filter / sort / select / paging, create, JSON Patch, delete, scope by organization).
 * Every answer is checked against sim/spec/vspc-3.6.1.users.openapi.json and every operation of
 * that spec must be answered successfully at least once (the tour below). Logins, API keys and
 * tokens: vspcLogins.test.ts; organizations, async actions, throttling, faults, scale:
 * vspcServer.test.ts.
 */
import axios from 'axios';

import { API, bearer, code, contract, expectErrors, fixture, login, q, start, stop, token, userNames, type Client } from './vspcClient';

import {
	VSPC_COMPANY_ALPHA_INSTANCE_UID,
	VSPC_COMPANY_ALPHA_UID,
	VSPC_COMPANY_BETA_UID,
	VSPC_DEFAULT_ADMIN,
	VSPC_DEFAULT_ADMIN_UID,
	VSPC_DEFAULT_PASSWORD,
	VSPC_MFA_USER,
	VSPC_PROVIDER_UID,
	VSPC_RESELLER_UID,
} from '../../sim';

let c: Client;
let admin: string;
beforeAll(async () => {
	c = await start();
});
afterAll(async () => {
	await stop(c);
	expect(contract.violations).toEqual([]);
	expect(contract.operationsInSpec().filter((op) => !contract.served.has(op))).toEqual([]);
});
beforeEach(async () => {
	c.sim.reset();
	admin = await login(c);
});

const INITIAL = ['administrator', 'mfa.admin', 'operator', 'readonly', 'reseller1.owner', 'alpha.owner', 'alpha.admin', 'alpha.user', 'beta.owner'];

describe('X-Client-Version', () => {
	it('serves 3.5 … 3.6.2 (and a request without the header); refuses others as ASP.NET does', async () => {
		for (const v of ['3.5', '3.5.1', '3.6', '3.6.1', '3.6.2']) expect((await c.http.get('/users/me', { headers: { 'X-Client-Version': v, Authorization: `Bearer ${admin}` } })).status).toBe(200);
		const bare = await axios.get(`${c.sim.url}${API}/users/me`, { httpsAgent: c.agent, validateStatus: () => true, headers: { Authorization: `Bearer ${admin}` } });
		expect(bare.status).toBe(200);
		for (const v of ['3.4', '3.3', '3.7', '4']) {
			const refused = await axios.get(`${c.sim.url}${API}/users/me`, { httpsAgent: c.agent, validateStatus: () => true, headers: { Authorization: `Bearer ${admin}`, 'X-Client-Version': v } });
			expect(refused.status).toBe(400);
			// The shape of fixtures/veeam/vspc/error-unsupported-version.response.json.
			expect(Object.keys(refused.data)).toEqual(Object.keys(fixture('error-unsupported-version.response') as object));
			expect(refused.data.error).toEqual({ code: 'UnsupportedApiVersion', message: `The HTTP resource that matches the request URI '${c.sim.url}${API}/users/me' is not supported.`, innerError: null });
		}
	});

	it('follows serveVersions (an upgrade), and can refuse in VSPC\'s own error shape or require the header', async () => {
		c.sim.serveVersions(['3.6.1', '3.7']);
		expect((await c.http.get('/users/me', { headers: { 'X-Client-Version': '3.7', Authorization: `Bearer ${admin}` } })).status).toBe(200);
		expect((await axios.get(`${c.sim.url}${API}/users/me`, { httpsAgent: c.agent, validateStatus: () => true, headers: { 'X-Client-Version': '3.6.2', Authorization: `Bearer ${admin}` } })).status).toBe(400);
		const other = await start({ vspc: { versionRefusal: 'errors', requireClientVersion: true } });
		try {
			const t = await login(other);
			expectErrors(await other.http.get('/users/me', { headers: { 'X-Client-Version': '3.0', ...bearer(t).headers } }), 400, 'logical');
			const none = await axios.get(`${other.sim.url}${API}/users/me`, { httpsAgent: other.agent, validateStatus: () => true, headers: bearer(t).headers });
			expectErrors(none, 400, 'logical');
			expect(none.data.errors[0].parameterName).toBe('X-Client-Version');
		} finally {
			await stop(other);
		}
	});
});

describe('POST /api/v3/token', () => {
	it('answers the password grant as Veeam\'s example: 1-hour access token, single-use refresh token', async () => {
		const res = await token(c, { grant_type: 'password', username: VSPC_DEFAULT_ADMIN, password: VSPC_DEFAULT_PASSWORD });
		expect(res.data).toEqual({ access_token: expect.any(String), token_type: 'bearer', refresh_token: expect.any(String), mfa_token: null, encrypted_code: null, expires_in: 3600 });
		expect(Object.keys(res.data)).toEqual(Object.keys(fixture('token-password.response') as object));
		const again = await token(c, { grant_type: 'refresh_token', refresh_token: res.data.refresh_token });
		expect(again.status).toBe(200);
		expect(await token(c, { grant_type: 'refresh_token', refresh_token: res.data.refresh_token })).toMatchObject({ status: 400, data: { error: 'invalid_grant' } });
		c.sim.clock.advance(3601);
		expectErrors(await c.http.get('/users/me', bearer(again.data.access_token)), 401, 'security');
		const third = await token(c, { grant_type: 'refresh_token', refresh_token: again.data.refresh_token });
		expect(third.status).toBe(200);
		// The refresh token lives 24 hours (assumed: Veeam writes no lifetime).
		c.sim.clock.advance(86_401);
		expect((await token(c, { grant_type: 'refresh_token', refresh_token: third.data.refresh_token })).data).toMatchObject({ error: 'invalid_grant', error_description: 'The refresh token has expired.' });
	});

	it('refuses as OAuth 2.0 errors (400), with the spec example\'s wording for a wrong login', async () => {
		const wrong = await token(c, { grant_type: 'password', username: VSPC_DEFAULT_ADMIN, password: 'nope' });
		expect(wrong.data).toEqual(fixture('token-error.response'));
		expect((await token(c, { grant_type: 'password', username: 'ghost', password: 'x' })).data.error).toBe('invalid_request');
		expect((await token(c, { grant_type: 'password', username: VSPC_DEFAULT_ADMIN })).data.error).toBe('invalid_request');
		expect((await token(c, { grant_type: 'client_credentials' })).data.error).toBe('unsupported_grant_type');
		expect((await token(c, { grant_type: 'public_key', public_key: 'x' })).data.error).toBe('invalid_grant');
		c.vspc.setLogin('vspc\\administrator', 'Password1');
		expect((await token(c, fixture<Record<string, string>>('token-password.request'))).status).toBe(200);
	});

	it('honours expiresIn; a disabled user, or one of a disabled company, cannot sign in', async () => {
		const other = await start({ expiresIn: 60 });
		try {
			expect((await token(other, { grant_type: 'password', username: VSPC_DEFAULT_ADMIN, password: VSPC_DEFAULT_PASSWORD })).data.expires_in).toBe(60);
		} finally {
			await stop(other);
		}
		const user = c.vspc.userNamed('alpha.admin');
		expect((await c.http.patch(`/users/${user?.uid}`, [{ op: 'replace', path: '/status', value: 'Disabled' }], bearer(admin))).status).toBe(200);
		expect((await token(c, { grant_type: 'password', username: 'alpha.admin', password: VSPC_DEFAULT_PASSWORD })).data.error).toBe('invalid_request');
		c.vspc.setCompanyStatus(VSPC_COMPANY_BETA_UID, 'Disabled');
		expect((await token(c, { grant_type: 'password', username: 'beta.owner', password: VSPC_DEFAULT_PASSWORD })).status).toBe(400);
	});

	it('refuses the password grant of a user with a TOTP login (Veeam); asks for the code with mfaPasswordGrant: challenge', async () => {
		expect((await token(c, { grant_type: 'password', username: VSPC_MFA_USER.name, password: VSPC_MFA_USER.password })).data.error).toBe('invalid_request');
		const ch = await start({ vspc: { mfaPasswordGrant: 'challenge' } });
		try {
			await challenge(ch);
		} finally {
			await stop(ch);
		}
	});

	it('refuses users whose MFA policy is on (own or inherited) with mfaPolicyBlocksPasswordGrant; serves them by default', async () => {
		const uid = c.vspc.userNamed('alpha.admin')?.uid;
		await c.http.patch(`/users/${uid}`, [{ op: 'replace', path: '/mfaPolicyStatus', value: 'Enabled' }], bearer(admin));
		expect((await token(c, { grant_type: 'password', username: 'alpha.admin', password: VSPC_DEFAULT_PASSWORD })).status).toBe(200);
		const strict = await start({ vspc: { mfaPolicyBlocksPasswordGrant: true } });
		try {
			strict.vspc.setOrganizationMfa(VSPC_COMPANY_ALPHA_UID, true);
			expect((await token(strict, { grant_type: 'password', username: 'alpha.user', password: VSPC_DEFAULT_PASSWORD })).data.error).toBe('invalid_request');
			expect((await token(strict, { grant_type: 'password', username: 'beta.owner', password: VSPC_DEFAULT_PASSWORD })).status).toBe(200);
		} finally {
			await stop(strict);
		}
	});
});

/** The mfa grant (mfaPasswordGrant: challenge): a 200 with an mfa_token, then the code, once. */
async function challenge(c: Client): Promise<void> {
	{
		const step1 = await token(c, { grant_type: 'password', username: VSPC_MFA_USER.name, password: VSPC_MFA_USER.password });
		expect(step1.data).toMatchObject({ access_token: null, mfa_token: expect.any(String) });
		const wrong = code(c, VSPC_MFA_USER.secret) === '000000' ? '111111' : '000000';
		expect((await token(c, { grant_type: 'mfa', mfa_token: step1.data.mfa_token, mfa_code: wrong })).data.error).toBe('invalid_grant');
		const step2 = await token(c, { grant_type: 'mfa', mfa_token: step1.data.mfa_token, mfa_code: code(c, VSPC_MFA_USER.secret) });
		expect(step2.data).toMatchObject({ token_type: 'bearer', expires_in: 3600 });
		expect((await c.http.get('/users/me', bearer(step2.data.access_token))).data.data.userName).toBe(VSPC_MFA_USER.name);
		expect((await token(c, { grant_type: 'mfa', mfa_token: step1.data.mfa_token, mfa_code: code(c, VSPC_MFA_USER.secret) })).data.error).toBe('invalid_grant');
	}
}

describe('GET /users', () => {
	it('pages with limit and offset in the envelope { meta: { pagingInfo }, data }; refuses a bad limit or offset', async () => {
		const all = await c.http.get('/users', bearer(admin));
		expect(userNames(all)).toEqual(INITIAL);
		expect(all.data.meta).toEqual({ pagingInfo: { total: 9, count: 9, offset: 0 } });
		const page = await c.http.get(`/users?${q({ limit: 2, offset: 3 })}`, bearer(admin));
		expect(userNames(page)).toEqual(['readonly', 'reseller1.owner']);
		expect(page.data.meta.pagingInfo).toEqual({ total: 9, count: 2, offset: 3 });
		const bad = await c.http.get('/users?offset=-1', bearer(admin));
		expectErrors(bad, 400, 'logical');
		expect(bad.data.errors[0]).toEqual(fixture<{ errors: unknown[] }>('error-400.response').errors[0]);
		expectErrors(await c.http.get('/users?limit=501', bearer(admin)), 400, 'logical');
		expectErrors(await c.http.get('/users?limit=0', bearer(admin)), 400, 'logical');
		c.vspc.seedUsers({ count: 150, organizationUid: VSPC_COMPANY_ALPHA_UID });
		expect((await c.http.get('/users', bearer(admin))).data.data).toHaveLength(100);
	});

	it('filters as Veeam\'s example (or of role equals), by organization, ignorecase contains, not; sorts; selects', async () => {
		const filter = [{ operation: 'or', items: [{ property: 'role', operation: 'equals', value: 'PortalAdministrator' }, { property: 'role', operation: 'equals', value: 'PortalOperator' }] }];
		expect(userNames(await c.http.get(`/users?${q({ filter })}`, bearer(admin)))).toEqual(['administrator', 'mfa.admin', 'operator']);
		const alpha = await c.http.get(`/users?${q({ filter: [{ property: 'organizationUid', operation: 'equals', value: VSPC_COMPANY_ALPHA_UID }] })}`, bearer(admin));
		expect(userNames(alpha)).toEqual(['alpha.owner', 'alpha.admin', 'alpha.user']);
		const inOrgs = [{ property: 'organizationUid', operation: 'in', value: [VSPC_COMPANY_BETA_UID, VSPC_RESELLER_UID] }];
		expect(userNames(await c.http.get(`/users?${q({ filter: inOrgs })}`, bearer(admin)))).toEqual(['reseller1.owner', 'beta.owner']);
		// Veeam's grouping: an `or` of equals (read from the organization index), and one mixing properties.
		const orOrgs = [{ operation: 'or', items: [{ property: 'organizationUid', operation: 'equals', value: VSPC_COMPANY_BETA_UID }, { property: 'organizationUid', operation: 'equals', value: VSPC_RESELLER_UID }] }];
		expect(userNames(await c.http.get(`/users?${q({ filter: orOrgs })}`, bearer(admin)))).toEqual(['reseller1.owner', 'beta.owner']);
		const mixed = [{ operation: 'or', items: [{ property: 'organizationUid', operation: 'equals', value: VSPC_COMPANY_BETA_UID }, { property: 'userName', operation: 'equals', value: 'operator' }] }];
		expect(userNames(await c.http.get(`/users?${q({ filter: mixed })}`, bearer(admin)))).toEqual(['operator', 'beta.owner']);
		const both = [orOrgs[0], { property: 'role', operation: 'equals', value: 'CompanyOwner' }];
		expect(userNames(await c.http.get(`/users?${q({ filter: both })}`, bearer(admin)))).toEqual(['beta.owner']);
		// Users by UID (from the user index): an `or` of equals, a UID of no user, and with another condition.
		const uidOfName = (name: string) => String(c.vspc.userNamed(name)?.uid);
		const byUids = [{ operation: 'or', items: ['beta.owner', 'operator'].map((n) => ({ property: 'instanceUid', operation: 'equals', value: uidOfName(n) })).concat([{ property: 'instanceUid', operation: 'equals', value: '00000000-0000-4000-8000-000000000000' }]) }];
		expect(userNames(await c.http.get(`/users?${q({ filter: byUids })}`, bearer(admin)))).toEqual(['operator', 'beta.owner']);
		expect(userNames(await c.http.get(`/users?${q({ filter: [...byUids, { property: 'role', operation: 'equals', value: 'CompanyOwner' }] })}`, bearer(admin)))).toEqual(['beta.owner']);
		const oneUid = [{ property: 'instanceUid', operation: 'equals', value: uidOfName('alpha.admin') }];
		expect(userNames(await c.http.get(`/users?${q({ filter: oneUid })}`, bearer(admin)))).toEqual(['alpha.admin']);
		const email = [{ property: 'profile.email', operation: 'contains', collation: 'ignorecase', value: 'ALPHA' }];
		expect(userNames(await c.http.get(`/users?${q({ filter: email })}`, bearer(admin)))).toEqual(['alpha.owner', 'alpha.admin']);
		const notProvider = [{ operation: 'not', items: [{ property: 'organizationUid', operation: 'equals', value: VSPC_PROVIDER_UID }] }];
		expect(userNames(await c.http.get(`/users?${q({ filter: notProvider, sort: [{ property: 'userName', direction: 'descending' }] })}`, bearer(admin)))).toEqual([
			'reseller1.owner', 'beta.owner', 'alpha.user', 'alpha.owner', 'alpha.admin',
		]);
		const selected = await c.http.get(`/users?${q({ select: [{ propertyPath: 'instanceUid' }, { propertyPath: 'profile.email' }], limit: 1 })}`, bearer(admin));
		expect(selected.data.data).toEqual([{ instanceUid: VSPC_DEFAULT_ADMIN_UID, profile: { email: 's.smith@provider.com' } }]);
		expectErrors(await c.http.get(`/users?${q({ filter: [{ property: 'nope', operation: 'equals', value: 1 }] })}`, bearer(admin)), 400, 'logical');
		expectErrors(await c.http.get('/users?filter=role', bearer(admin)), 400, 'logical');
		expectErrors(await c.http.get(`/users?${q({ sort: [{ property: 'role', direction: 'up' }] })}`, bearer(admin)), 400, 'logical');
	});

	it('shows each caller its scope: a company its own users, a reseller its companies\' too; some roles none', async () => {
		const alphaAdmin = await login(c, 'alpha.admin');
		expect(userNames(await c.http.get('/users', bearer(alphaAdmin)))).toEqual(['alpha.owner', 'alpha.admin', 'alpha.user']);
		expect((await c.http.get(`/users/${VSPC_DEFAULT_ADMIN_UID}`, bearer(alphaAdmin))).status).toBe(404);
		const reseller = await login(c, 'reseller1.owner');
		expect(userNames(await c.http.get('/users', bearer(reseller)))).toEqual(['reseller1.owner', 'beta.owner']);
		const locationUser = await login(c, 'alpha.user');
		expectErrors(await c.http.get('/users', bearer(locationUser)), 403, 'security');
		expect((await c.http.get('/users/me', bearer(locationUser))).data.data.userName).toBe('alpha.user');
		expectErrors(await c.http.get('/users'), 401, 'security');
		expectErrors(await c.http.get('/users', bearer('forged')), 401, 'security');
	});
});

describe('POST, PATCH, DELETE /users', () => {
	const newUser = (fields: Record<string, unknown> = {}) => ({
		organizationUid: VSPC_COMPANY_ALPHA_UID,
		role: 'CompanyAdministrator',
		profile: { firstName: 'Jane', lastName: 'Doe', title: 'Ms', email: 'jane@alpha.com' },
		credentials: { userName: 'jane', password: 'Passw0rdJane' },
		...fields,
	});

	it('creates Veeam\'s example user (200 with the User) and refuses a role of another organization type, an owner, a taken name, a bad password or name', async () => {
		const example = { ...fixture<Record<string, unknown>>('user-create.request'), organizationUid: VSPC_COMPANY_ALPHA_UID };
		const created = await c.http.post('/users', example, bearer(admin));
		expect(created.status).toBe(200);
		expect(created.data.data).toMatchObject({ userName: 'subtenant', role: 'CompanySubtenant', mfaPolicyStatus: 'Enabled', mfaPolicyConfigurationStatus: 'NotConfigured', status: 'Enabled', credentials: { userName: 'subtenant', password: null } });
		expect(Object.keys(created.data.data).sort()).toEqual(Object.keys(fixture<{ data: object }>('user-create.response').data).sort());
		expect((await token(c, { grant_type: 'password', username: 'subtenant', password: 'Password1' })).status).toBe(200);
		expectErrors(await c.http.post('/users', newUser({ role: 'PortalAdministrator' }), bearer(admin)), 400, 'logical');
		expectErrors(await c.http.post('/users', newUser({ role: 'CompanyOwner' }), bearer(admin)), 400, 'logical');
		expectErrors(await c.http.post('/users', newUser({ organizationUid: VSPC_PROVIDER_UID, role: 'CompanyAdministrator' }), bearer(admin)), 400, 'logical');
		expectErrors(await c.http.post('/users', newUser({ credentials: { userName: 'ALPHA.ADMIN', password: 'Passw0rdJane' } }), bearer(admin)), 409, 'logical');
		expectErrors(await c.http.post('/users', newUser({ credentials: { userName: 'jane', password: '' } }), bearer(admin)), 400, 'logical');
		expectErrors(await c.http.post('/users', newUser({ credentials: { userName: 'jane', password: 'x'.repeat(129) } }), bearer(admin)), 400, 'logical');
		expectErrors(await c.http.post('/users', newUser({ credentials: { userName: 'ja:ne', password: 'x' } }), bearer(admin)), 400, 'logical');
		expectErrors(await c.http.post('/users', newUser({ organizationUid: '00000000-0000-0000-0000-000000000000' }), bearer(admin)), 400, 'logical');
		expectErrors(await c.http.post('/users', newUser(), bearer(await login(c, 'readonly'))), 403, 'security');
		// A company administrator creates users of its own company only.
		const alphaAdmin = await login(c, 'alpha.admin');
		expect((await c.http.post('/users', newUser(), bearer(alphaAdmin))).status).toBe(200);
		expectErrors(await c.http.post('/users', newUser({ organizationUid: VSPC_COMPANY_BETA_UID, credentials: { userName: 'x1', password: 'Passw0rdJane' } }), bearer(alphaAdmin)), 400, 'logical');
	});

	it('patches with JSON Patch arrays: Veeam\'s profile and MFA examples, role, status; refuses read-only paths with code 1001', async () => {
		const uid = c.vspc.userNamed('alpha.user')?.uid;
		const profile = await c.http.patch(`/users/${uid}`, fixture('user-patch.request'), bearer(admin));
		expect(profile.data.data.profile).toMatchObject({ firstName: 'John', lastName: 'Smith' });
		expect((await c.http.patch(`/users/${uid}`, fixture('mfa-policy-enable.request'), bearer(admin))).data.data.mfaPolicyStatus).toBe('Enabled');
		expect((await c.http.patch(`/users/${uid}`, fixture('mfa-policy-disable.request'), bearer(admin))).data.data.mfaPolicyStatus).toBe('Disabled');
		const role = await c.http.patch(`/users/${uid}`, [{ op: 'replace', path: '/role', value: 'CompanyInvoiceAuditor' }, { op: 'replace', path: '/status', value: 'Disabled' }], bearer(admin));
		expect(role.data.data).toMatchObject({ role: 'CompanyInvoiceAuditor', status: 'Disabled' });
		const readOnly = await c.http.patch(`/users/${uid}`, [{ op: 'replace', path: 'mfaPolicyConfigurationStatus', value: 'NotConfigured' }], bearer(admin));
		expectErrors(readOnly, 400, 'logical', 1001);
		expect(readOnly.data).toEqual(fixture('error-1001.response'));
		expectErrors(await c.http.patch(`/users/${uid}`, [{ op: 'replace', path: '/role', value: 'PortalAdministrator' }], bearer(admin)), 400, 'logical', 400);
		expectErrors(await c.http.patch(`/users/${uid}`, { op: 'replace' }, bearer(admin)), 400, 'logical');
		// All or nothing: the good first operation is not applied when the second fails.
		await c.http.patch(`/users/${uid}`, [{ op: 'replace', path: '/profile/phone', value: '555' }, { op: 'replace', path: '/userName', value: 'x' }], bearer(admin));
		expect(c.vspc.userNamed('alpha.user')?.profile.phone).toBeNull();
	});

	it('keeps the last enabled Portal Administrator; owners keep their role and only a Portal Administrator deletes one; no self-deletion', async () => {
		const mfaAdmin = c.vspc.userNamed(VSPC_MFA_USER.name)?.uid;
		expect((await c.http.delete(`/users/${mfaAdmin}`, bearer(admin))).status).toBe(200);
		expectErrors(await c.http.delete(`/users/${VSPC_DEFAULT_ADMIN_UID}`, bearer(admin)), 400, 'logical', 1000);
		expectErrors(await c.http.patch(`/users/${VSPC_DEFAULT_ADMIN_UID}`, [{ op: 'replace', path: '/status', value: 'Disabled' }], bearer(admin)), 400, 'logical', 1000);
		const operator = await login(c, 'operator');
		expectErrors(await c.http.delete(`/users/${VSPC_DEFAULT_ADMIN_UID}`, bearer(operator)), 400, 'logical', 1000);
		expectErrors(await c.http.patch(`/users/${VSPC_DEFAULT_ADMIN_UID}`, [{ op: 'replace', path: '/role', value: 'PortalOperator' }], bearer(operator)), 400, 'logical', 1000);
		const owner = c.vspc.userNamed('alpha.owner')?.uid;
		expectErrors(await c.http.delete(`/users/${owner}`, bearer(operator)), 400, 'logical', 1000);
		expectErrors(await c.http.delete(`/users/${owner}`, bearer(await login(c, 'alpha.admin'))), 400, 'logical', 1000);
		expectErrors(await c.http.patch(`/users/${owner}`, [{ op: 'replace', path: '/role', value: 'CompanyAdministrator' }], bearer(admin)), 400, 'logical', 1000);
		expect((await c.http.delete(`/users/${owner}`, bearer(admin))).status).toBe(200);
	});

	it('deletes (200, EmptyResponse): the user, its logins and its sessions are gone', async () => {
		const user = c.vspc.userNamed('alpha.admin');
		const session = await login(c, 'alpha.admin');
		const { key } = c.vspc.addApiKey(user?.uid ?? '');
		const res = await c.http.delete(`/users/${user?.uid}`, bearer(admin));
		expect(res.data).toEqual({ data: {}, errors: [] });
		expectErrors(await c.http.get(`/users/${user?.uid}`, bearer(admin)), 404, 'logical', 1100);
		expectErrors(await c.http.get('/users/me', bearer(session)), 401, 'security');
		expectErrors(await c.http.get('/users/me', bearer(key)), 401, 'security');
		const logins = await c.http.get(`/users/logins?${q({ filter: [{ property: 'userUid', operation: 'equals', value: user?.uid }] })}`, bearer(admin));
		expect(logins.data.data).toEqual([]);
		expectErrors(await c.http.delete('/users/not-a-uid', bearer(admin)), 400, 'logical');
	});
});

describe('every operation of the spec (tour)', () => {
	it('answers each with a documented success', async () => {
		const me = (await c.http.get('/users/me', bearer(admin))).data.data;
		expect(me.instanceUid).toBe(VSPC_DEFAULT_ADMIN_UID);
		expect((await c.http.get(`/organizations/${VSPC_COMPANY_ALPHA_UID}/users`, bearer(admin))).data.meta.pagingInfo.total).toBe(3);
		expect((await c.http.get(`/organizations/${VSPC_PROVIDER_UID}/configuration/policy`, bearer(admin))).data.data).toEqual({ mfaPolicyStatus: 'Disabled', enforceMfaPolicy: false });
		expect((await c.http.get('/organizations', bearer(admin))).data.data).toHaveLength(4);
		expect((await c.http.get('/organizations/companies', bearer(admin))).data.data).toHaveLength(2);
		expect((await c.http.get(`/organizations/companies/${VSPC_COMPANY_ALPHA_INSTANCE_UID}`, bearer(admin))).data.data.name).toBe('Alpha');
		expect((await c.http.get(`/organizations/resellers/${VSPC_RESELLER_UID}/companies`, bearer(admin))).data.data).toHaveLength(1);
		const uid = c.vspc.userNamed('alpha.user')?.uid;
		expect((await c.http.get(`/users/${uid}`, bearer(admin))).status).toBe(200);
		const created = await c.http.post(`/users/${uid}/logins/apikey?description=Tour&scopes=rest`, undefined, bearer(admin));
		expect(created.status).toBe(200);
		const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXQ';
		const totp = await c.http.post(`/users/${uid}/logins/totp?${q({ secretUrl: `otpauth://totp/VSPC:alpha.user?secret=${secret}`, code: code(c, secret), description: 'phone', scopes: ['ui'] })}`, undefined, bearer(admin));
		expect(totp.data.data.identityProviderName).toBe('TOTP');
		const id = created.data.data.id;
		expect((await c.http.get(`/users/${uid}/logins/${id}`, bearer(admin))).status).toBe(200);
		expect((await c.http.patch(`/users/${uid}/logins/${id}`, fixture('login-patch.request'), bearer(admin))).data.data.description).toBe('Modified by admin');
		expect((await c.http.get(`/users/${uid}/logins`, bearer(admin))).data.data).toHaveLength(3);
		expect((await c.http.get('/users/logins', bearer(admin))).data.meta.pagingInfo.total).toBe(12);
		expect((await c.http.delete(`/users/${uid}/logins/${id}`, bearer(admin))).data).toEqual({ data: true });
		expect((await c.http.delete(`/users/${uid}/tokens`, bearer(admin))).data).toEqual({ data: true });
		expect((await c.http.patch(`/users/${uid}`, [{ op: 'replace', path: '/profile/title', value: 'Mr' }], bearer(admin))).status).toBe(200);
		expect((await c.http.post('/users', { organizationUid: VSPC_COMPANY_BETA_UID, role: 'CompanyAdministrator', profile: {}, credentials: { userName: 'tour', password: 'Passw0rdTour' } }, bearer(admin))).status).toBe(200);
		expect((await c.http.delete(`/users/${uid}`, bearer(admin))).status).toBe(200);
		const other = await start({ vspc: { asyncOperations: ['GET /users/me'] } });
		try {
			const t = await login(other);
			const queued = await other.http.get('/users/me', { headers: { ...bearer(t).headers, 'X-Request-id': '97431954-0dd7-472a-8cb7-d0cb0fbccaf7' } });
			expect(queued.status).toBe(202);
			const action = `/asyncActions/97431954-0dd7-472a-8cb7-d0cb0fbccaf7`;
			expect(queued.headers.location).toBe(`${other.sim.url}${API}${action}`);
			expect((await other.http.get(action, bearer(t))).data.data.status).toBe('succeed');
			expect((await other.http.get(`${action}/result`, bearer(t))).data.data.userName).toBe(VSPC_DEFAULT_ADMIN);
			expect((await other.http.delete(action, bearer(t))).data).toEqual({ data: {}, errors: [] });
		} finally {
			await stop(other);
		}
	});
});
