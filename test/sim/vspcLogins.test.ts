/**
 * The VSPC simulator's user identities ("logins"), API keys and tokens: API keys shown once and
 * used as the bearer ("API Key-Based Authorization"), what disables or deletes them, TOTP logins
 * (Reset MFA = delete them), token revocation. Answers validated against the spec subset.
 */
import axios from 'axios';

import { API, bearer, code, contract, expectErrors, fixture, fixtureRecord, login, q, start, stop, token, type Client } from './vspcClient';

import { VSPC_COMPANY_ALPHA_UID, VSPC_DEFAULT_ADMIN_UID, VSPC_DEFAULT_PASSWORD, VSPC_MFA_USER } from '../../sim';

let c: Client;
let admin: string;
beforeAll(async () => {
	// The mfa grant's flow is inferred (Veeam: a user with a second factor no longer signs in with a
	// password over REST); these tests use it to show what revocation and Reset MFA do to it.
	c = await start({ vspc: { mfaPasswordGrant: 'challenge' } });
});
afterAll(async () => {
	await stop(c);
	expect(contract.violations).toEqual([]);
});
beforeEach(async () => {
	c.sim.reset();
	admin = await login(c);
});

const uidOf = (name: string): string => c.vspc.userNamed(name)?.uid ?? '';
const me = (credential: string) => c.http.get('/users/me', bearer(credential));

describe('API keys', () => {
	it('answers the key once in parameters (Veeam\'s example request), and the key signs in as the bearer', async () => {
		const uid = uidOf('alpha.admin');
		// Veeam's query, as printed: scopes=["integration","rest"] (a JSON array).
		const example = new URLSearchParams(fixtureRecord('apikey-create.request').query).toString();
		const res = await c.http.post(`/users/${uid}/logins/apikey?${example}`, undefined, bearer(admin));
		expect(res.status).toBe(200);
		expect(res.data.data).toMatchObject({ userUid: uid, userName: 'alpha.admin', identityProviderName: 'AK', scopes: ['integration', 'rest'], isReadAccessOnly: true, status: 'enabled', companyId: VSPC_COMPANY_ALPHA_UID, companyName: 'Alpha' });
		const key = res.data.data.parameters as string;
		expect(key.length).toBeGreaterThan(40);
		expect((await c.http.get(`/users/${uid}/logins/${res.data.data.id}`, bearer(admin))).data.data.parameters).toBe('');
		expect((await me(key)).data.data.userName).toBe('alpha.admin');
		// Read-only: GET only.
		expectErrors(await c.http.patch(`/users/${uid}`, [{ op: 'replace', path: '/profile/phone', value: '1' }], bearer(key)), 403, 'security');
		// A key without the rest scope does not call REST.
		const ui = await c.http.post(`/users/${uid}/logins/apikey?description=UI&scopes=ui`, undefined, bearer(admin));
		expectErrors(await me(ui.data.data.parameters), 401, 'security');
		// Scopes also as OpenAPI's default form writes an array: repeated keys.
		expect((await c.http.post(`/users/${uid}/logins/apikey?description=two&scopes=rest&scopes=ui`, undefined, bearer(admin))).data.data.scopes).toEqual(['rest', 'ui']);
		expectErrors(await c.http.post(`/users/${uid}/logins/apikey?description=x&scopes=web`, undefined, bearer(admin)), 400, 'logical');
		expectErrors(await c.http.post(`/users/${uid}/logins/apikey?description=a%3Db&scopes=rest`, undefined, bearer(admin)), 400, 'logical');
		// Both are required (the spec's AddApiKeyLogin).
		expect((await c.http.post(`/users/${uid}/logins/apikey?scopes=rest`, undefined, bearer(admin))).data.errors[0].parameterName).toBe('description');
		expect((await c.http.post(`/users/${uid}/logins/apikey?description=x`, undefined, bearer(admin))).data.errors[0].parameterName).toBe('scopes');
	});

	it('stops working when its login is disabled or deleted, when the user is disabled or deleted, when the company is gone', async () => {
		const uid = uidOf('alpha.admin');
		const { login: key1, key } = c.vspc.addApiKey(uid);
		expect((await me(key)).status).toBe(200);
		const off = await c.http.patch(`/users/${uid}/logins/${key1.id}`, [{ op: 'replace', path: '/status', value: 'disabled' }], bearer(admin));
		expect(off.data.data.status).toBe('disabled');
		expectErrors(await me(key), 401, 'security');
		await c.http.patch(`/users/${uid}/logins/${key1.id}`, [{ op: 'replace', path: '/Status', value: 'enabled' }], bearer(admin));
		expect((await me(key)).status).toBe(200);
		await c.http.patch(`/users/${uid}`, [{ op: 'replace', path: '/status', value: 'Disabled' }], bearer(admin));
		expectErrors(await me(key), 401, 'security');
		expect((await c.http.get(`/users/${uid}/logins/${key1.id}`, bearer(admin))).data.data.status).toBe('disabledDueToUser');
		await c.http.patch(`/users/${uid}`, [{ op: 'replace', path: '/status', value: 'Enabled' }], bearer(admin));
		expect((await me(key)).status).toBe(200);
		c.vspc.removeCompany(VSPC_COMPANY_ALPHA_UID);
		expectErrors(await me(key), 401, 'security');
		expect((await c.http.get(`/users/${uid}/logins/${key1.id}`, bearer(admin))).data.data.status).toBe('disabledDueToCompany');
		expect((await c.http.delete(`/users/${uid}/logins/${key1.id}`, bearer(admin))).data).toEqual(fixture('login-delete.response'));
		expect((await c.http.get(`/users/${uid}/logins/${key1.id}`, bearer(admin))).status).toBe(404);
		expect((await c.http.delete(`/users/${uid}/logins/${key1.id}`, bearer(admin))).status).toBe(404);
	});

	it('lets a user make its own key; a user that manages no users cannot make one for another, nor read others\' logins', async () => {
		const locationUser = await login(c, 'alpha.user');
		expect((await c.http.post(`/users/${uidOf('alpha.user')}/logins/apikey?description=Mine&scopes=rest`, undefined, bearer(locationUser))).status).toBe(200);
		expectErrors(await c.http.post(`/users/${uidOf('alpha.admin')}/logins/apikey?description=Theirs`, undefined, bearer(locationUser)), 403, 'security');
		expectErrors(await c.http.get(`/users/${uidOf('alpha.admin')}/logins`, bearer(locationUser)), 403, 'security');
		const own = await c.http.get('/users/logins', bearer(locationUser));
		expect(own.data.data.map((l: { userName: string }) => l.userName)).toEqual(['alpha.user', 'alpha.user']);
		const readonly = await login(c, 'readonly');
		expect((await c.http.get(`/users/${uidOf('alpha.admin')}/logins`, bearer(readonly))).status).toBe(200);
		expectErrors(await c.http.post(`/users/${uidOf('alpha.admin')}/logins/apikey?description=x`, undefined, bearer(readonly)), 403, 'security');
	});
});

describe('logins', () => {
	it('lists every user identity with Veeam\'s filter (userUid) and paging; a user\'s own list; refuses the portal login\'s deletion', async () => {
		const uid = uidOf('alpha.admin');
		c.vspc.addApiKey(uid);
		const filtered = await c.http.get(`/users/logins?${q({ filter: [{ property: 'userUid', operation: 'equals', value: uid }] })}`, bearer(admin));
		expect(filtered.data.data.map((l: { identityProviderName: string }) => l.identityProviderName)).toEqual(['VSPC', 'AK']);
		expect(filtered.data.meta.pagingInfo).toEqual({ total: 2, count: 2, offset: 0 });
		const byProvider = await c.http.get(`/users/logins?${q({ filter: [{ property: 'identityProviderName', operation: 'in', value: ['AK', 'TOTP'] }], limit: 1 })}`, bearer(admin));
		expect(byProvider.data.meta.pagingInfo).toEqual({ total: 2, count: 1, offset: 0 });
		const two = [{ operation: 'or', items: [{ property: 'userUid', operation: 'equals', value: uid }, { property: 'userUid', operation: 'equals', value: uidOf('alpha.user') }] }];
		const ofTwo = await c.http.get(`/users/logins?${q({ filter: two, sort: [{ property: 'id', direction: 'descending' }] })}`, bearer(admin));
		expect(ofTwo.data.data.map((l: { userName: string; identityProviderName: string }) => `${l.userName}:${l.identityProviderName}`)).toEqual(['alpha.admin:AK', 'alpha.user:VSPC', 'alpha.admin:VSPC']);
		// A company administrator sees its company's identities only, whatever it filters on.
		const scoped = await c.http.get(`/users/logins?${q({ filter: [{ property: 'userUid', operation: 'in', value: [uid, VSPC_DEFAULT_ADMIN_UID] }] })}`, bearer(await login(c, 'alpha.admin')));
		expect(scoped.data.data.map((l: { userName: string }) => l.userName)).toEqual(['alpha.admin', 'alpha.admin']);
		const own = await c.http.get(`/users/${uid}/logins`, bearer(admin));
		expect(own.data.data).toHaveLength(2);
		expect(Object.keys(own.data.data[0]).sort()).toEqual(Object.keys(fixture<{ data: object }>('login-get.response').data).sort());
		const password = own.data.data[0].id;
		expectErrors(await c.http.delete(`/users/${uid}/logins/${password}`, bearer(admin)), 400, 'logical');
		expectErrors(await c.http.patch(`/users/${uid}/logins/${password}`, [{ op: 'replace', path: '/scopes', value: 'ui' }], bearer(admin)), 400, 'logical', 1001);
		expectErrors(await c.http.get(`/users/${uid}/logins/abc`, bearer(admin)), 400, 'logical');
		expect((await c.http.get(`/users/${VSPC_DEFAULT_ADMIN_UID}/logins/${password}`, bearer(admin))).status).toBe(404);
	});

	it('adds a TOTP login from a secret URL and its current code (code 1207 otherwise); deleting it resets MFA', async () => {
		const uid = uidOf('alpha.admin');
		const raw = await axios.get(`${c.sim.url}${API}/authentication/keys/totp-secret`, { httpsAgent: c.agent, headers: bearer(admin).headers });
		const { secret, secretUrl } = raw.data.data as { secret: string; secretUrl: string };
		expect(secretUrl).toContain(`secret=${secret}`);
		const wrong = code(c, secret) === '000000' ? '111111' : '000000';
		expectErrors(await c.http.post(`/users/${uid}/logins/totp?${q({ secretUrl, code: wrong })}`, undefined, bearer(admin)), 400, 'logical', 1207);
		const added = await c.http.post(`/users/${uid}/logins/totp?${q({ secretUrl, code: code(c, secret), description: 'phone', scopes: ['ui'] })}`, undefined, bearer(admin));
		expect(added.data.data).toMatchObject({ identityProviderName: 'TOTP', description: 'phone', scopes: ['ui'], status: 'enabled' });
		expect((await c.http.get(`/users/${uid}`, bearer(admin))).data.data.mfaPolicyConfigurationStatus).toBe('Configured');
		expect((await token(c, { grant_type: 'password', username: 'alpha.admin', password: VSPC_DEFAULT_PASSWORD })).data.mfa_token).toEqual(expect.any(String));
		await c.http.delete(`/users/${uid}/logins/${added.data.data.id}`, bearer(admin));
		expect((await c.http.get(`/users/${uid}`, bearer(admin))).data.data.mfaPolicyConfigurationStatus).toBe('NotConfigured');
		expect((await token(c, { grant_type: 'password', username: 'alpha.admin', password: VSPC_DEFAULT_PASSWORD })).data.access_token).toEqual(expect.any(String));
		expectErrors(await c.http.post(`/users/${uid}/logins/totp?secretUrl=nope&code=1`, undefined, bearer(admin)), 400, 'logical');
	});
});

describe('DELETE /users/{userUid}/tokens', () => {
	it('ends the user\'s access and refresh tokens (Veeam\'s answer { data: true }), or one login\'s; API keys stay', async () => {
		const session = await token(c, { grant_type: 'password', username: 'alpha.admin', password: VSPC_DEFAULT_PASSWORD });
		const { key } = c.vspc.addApiKey(uidOf('alpha.admin'));
		const res = await c.http.delete(`/users/${uidOf('alpha.admin')}/tokens`, bearer(admin));
		expect(res.data).toEqual(fixture('tokens-revoke.response'));
		expectErrors(await me(session.data.access_token), 401, 'security');
		expect((await token(c, { grant_type: 'refresh_token', refresh_token: session.data.refresh_token })).data.error).toBe('invalid_grant');
		expect((await me(key)).status).toBe(200);
		const mine = await login(c, 'alpha.user');
		expect((await c.http.delete(`/users/${uidOf('alpha.user')}/tokens`, bearer(mine))).status).toBe(200);
		expectErrors(await me(mine), 401, 'security');
		const passwordLogin = c.vspc.store.passwordLogin(uidOf('operator'))?.id;
		const op = await login(c, 'operator');
		expectErrors(await c.http.delete(`/users/${uidOf('operator')}/tokens?userLoginId=999999`, bearer(admin)), 404, 'logical');
		await c.http.delete(`/users/${uidOf('operator')}/tokens?userLoginId=${passwordLogin}`, bearer(admin));
		expectErrors(await me(op), 401, 'security');
	});

	it('a second factor in progress ends with the revocation; a disabled user\'s refresh token no longer works', async () => {
		const step1 = await token(c, { grant_type: 'password', username: VSPC_MFA_USER.name, password: VSPC_MFA_USER.password });
		await c.http.delete(`/users/${VSPC_MFA_USER.uid}/tokens`, bearer(admin));
		expect((await token(c, { grant_type: 'mfa', mfa_token: step1.data.mfa_token, mfa_code: code(c, VSPC_MFA_USER.secret) })).data.error).toBe('invalid_grant');
		const s = await token(c, { grant_type: 'password', username: 'alpha.admin', password: VSPC_DEFAULT_PASSWORD });
		await c.http.patch(`/users/${uidOf('alpha.admin')}`, [{ op: 'replace', path: '/status', value: 'disabled' }], bearer(admin));
		expect((await token(c, { grant_type: 'refresh_token', refresh_token: s.data.refresh_token })).data.error).toBe('invalid_grant');
		expectErrors(await me(s.data.access_token), 401, 'security');
	});
});
