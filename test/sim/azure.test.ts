import https from 'node:https';

import axios, { type AxiosInstance, type AxiosResponse } from 'axios';

import { OpenApiContract } from '../support/contract';

import {
	AZURE_DEFAULT_ADMIN,
	AZURE_DEFAULT_ADMIN_ID,
	AZURE_DEFAULT_PASSWORD,
	AZURE_IDP_USER,
	AZURE_MFA_USER,
	startSimulator,
	totpAt,
	type SimServer,
	type SimulatorOptions,
} from '../../sim';

/**
 * The Veeam Backup for Microsoft Azure simulator over real HTTPS (the client trusts the simulator's
 * CA only). Every answer under /api/v8.1 and of the token path is checked against
 * sim/spec/azure-v8.1.users.openapi.json.
 */
const USERS = '/api/v8.1/users';
const TOKEN = '/api/oauth2/token';
const STRONG = 'N3w-Passw0rd!x';
const ENTRA_ID = '7d3c1a2b-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const contract = new OpenApiContract('azure-v8.1.users.openapi.json');

interface Client {
	sim: SimServer;
	http: AxiosInstance;
	agent: https.Agent;
}

async function start(options: Partial<SimulatorOptions> = {}): Promise<Client> {
	const sim = await startSimulator({ product: 'azure', ...options });
	const agent = new https.Agent({ ca: sim.tls.caPem });
	const http = axios.create({ baseURL: sim.url, httpsAgent: agent, validateStatus: () => true });
	http.interceptors.response.use((res) => {
		const path = new URL(res.config.url ?? '', sim.url).pathname;
		if (path.startsWith('/api/v8.1/') || path === TOKEN) {
			const raw = typeof res.data === 'string' ? res.data : JSON.stringify(res.data);
			contract.check(String(res.config.method).toUpperCase(), path, res.status, res.data, raw);
		}
		return res;
	});
	return { sim, http, agent };
}

async function stop(c: Client): Promise<void> {
	c.agent.destroy();
	await c.sim.close();
}

let c: Client;
let sim: SimServer;
let http: AxiosInstance;
beforeAll(async () => {
	c = await start();
	({ sim, http } = c);
});
afterAll(async () => {
	await stop(c);
	expect(contract.violations).toEqual([]);
	expect(contract.operationsInSpec().filter((op) => !contract.served.has(op))).toEqual([]);
});
beforeEach(() => sim.reset());

// ---- helpers --------------------------------------------------------------------------------------

const form = { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } };
const token = (fields: Record<string, string>, client: AxiosInstance = http) => client.post(TOKEN, new URLSearchParams(fields).toString(), form);
const bearer = (t: string) => ({ headers: { Authorization: `Bearer ${t}` } });

async function login(username = AZURE_DEFAULT_ADMIN, password = AZURE_DEFAULT_PASSWORD, client: AxiosInstance = http): Promise<string> {
	const res = await token({ grant_type: 'Password', username, password }, client);
	expect(res.status).toBe(200);
	return res.data.access_token as string;
}

function code(secret: string): string {
	const left = 30_000 - (sim.clock.now() % 30_000);
	if (left < 3_000) sim.clock.advance(Math.ceil(left / 1000));
	return totpAt(secret, sim.clock.now());
}

/** Azure's problem details (the v8.1 document): no errorCode; `detail` (401, 404, other 400s) or `errors` (validation). */
function expectProblem(res: AxiosResponse, status: number, field?: string): void {
	expect(res.status).toBe(status);
	expect(res.data).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//), title: expect.any(String) });
	expect(res.data).not.toHaveProperty('errorCode');
	if (field) expect(Object.keys(res.data.errors ?? {})).toContain(field);
}

const names = (res: AxiosResponse) => (res.data.results as Array<{ name: string }>).map((u) => u.name);
/** In ID order (the server's own order): Administrator 1001, operator 1002, restorer 1003, mfa_admin 1004, the Entra user 1005. */
const INITIAL = [AZURE_DEFAULT_ADMIN, 'operator', 'restorer', AZURE_MFA_USER.name, AZURE_IDP_USER.name];

// ---- versions, token ------------------------------------------------------------------------------

describe('the version in the path', () => {
	it('serves v5 … v8.1, answers any other version segment 404 problem details, and ignores x-api-version', async () => {
		const admin = bearer(await login());
		for (const v of ['v5', 'v6', 'v7', 'v8', 'V8.1']) expect(`${v}:${(await http.get(`/api/${v}/users`, admin)).status}`).toBe(`${v}:200`);
		for (const v of ['v4', 'v3', 'v9', 'v8.2', 'v1']) {
			const res = await http.get(`/api/${v}/users`, admin);
			expectProblem(res, 404);
			expect(res.data.detail).toContain('v5, v6, v7, v8, v8.1');
		}
		expectProblem(await http.delete(`/api/v4/users/${AZURE_DEFAULT_ADMIN_ID}`, admin), 404);
		expect((await http.get(USERS, { headers: { ...admin.headers, 'x-api-version': '1.0-rev0' } })).status).toBe(200);
		const other = await start({ azure: { supportedVersions: ['v8.1'], announceVersions: false } });
		try {
			const res = await other.http.get('/api/v8/users', bearer(await login(AZURE_DEFAULT_ADMIN, AZURE_DEFAULT_PASSWORD, other.http)));
			expect(res.status).toBe(404);
			expect(res.data.detail).not.toContain('v8.1');
		} finally {
			await stop(other);
		}
	});
});

describe('POST /api/oauth2/token', () => {
	it('answers the Password grant as the Login reference writes it: 60-minute access, 14-day single-use refresh, 15 minutes when short-lived', async () => {
		// The Overview's own example request: `Username=administrator&Password=Password1&grant_type=Password`.
		const res = await token({ Username: 'administrator', Password: AZURE_DEFAULT_PASSWORD, grant_type: 'Password' });
		expect(res.data).toEqual({
			access_token: expect.any(String),
			token_type: 'bearer',
			refresh_token: expect.any(String),
			expires_in: 3600,
			'.issued': expect.any(String),
			'.expires': expect.any(String),
			userId: '00000000-0000-4000-8000-000000001001',
			username: AZURE_DEFAULT_ADMIN,
			roleName: 'PortalAdmin',
			userType: 'Internal',
			latestNewsShown: true,
			mfa_enabled: false,
			shortLived: false,
		});
		const refreshed = await token({ grant_type: 'Refresh_token', refresh_token: res.data.refresh_token });
		expect(refreshed.status).toBe(200);
		expectProblem(await token({ grant_type: 'Refresh_token', refresh_token: res.data.refresh_token }), 401);
		const short = await token({ grant_type: 'Password', username: AZURE_DEFAULT_ADMIN, password: AZURE_DEFAULT_PASSWORD, short_lived_refresh_token: 'true' });
		sim.clock.advance(16 * 60);
		expectProblem(await token({ grant_type: 'Refresh_token', refresh_token: short.data.refresh_token }), 401);
		expect((await http.get(USERS, bearer(refreshed.data.access_token))).status).toBe(200);
	});

	it('takes the grant types only as the reference spells them (GrantType): password, refresh_token, mfa are validation errors', async () => {
		for (const grant_type of ['password', 'PASSWORD', 'refresh_token', 'mfa', 'client_credentials', '']) {
			const res = await token({ grant_type, username: AZURE_DEFAULT_ADMIN, password: AZURE_DEFAULT_PASSWORD });
			expectProblem(res, 400, 'grant_type');
			expect(res.data.title).toBe('One or more validation errors occurred.');
		}
	});

	it('expires access tokens after 60 minutes and refresh tokens after 14 days (or the overrides)', async () => {
		const res = await token({ grant_type: 'Password', username: AZURE_DEFAULT_ADMIN, password: AZURE_DEFAULT_PASSWORD });
		sim.clock.advance(3601);
		expectProblem(await http.get(USERS, bearer(res.data.access_token)), 401);
		sim.clock.advance(14 * 86_400);
		expectProblem(await token({ grant_type: 'Refresh_token', refresh_token: res.data.refresh_token }), 401);
		const other = await start({ expiresIn: 60, refreshExpiresIn: 120 });
		try {
			const t = await token({ grant_type: 'Password', username: AZURE_DEFAULT_ADMIN, password: AZURE_DEFAULT_PASSWORD }, other.http);
			expect(t.data.expires_in).toBe(60);
			other.sim.clock.advance(121);
			expect((await token({ grant_type: 'Refresh_token', refresh_token: t.data.refresh_token }, other.http)).status).toBe(401);
		} finally {
			await stop(other);
		}
	});

	it('refuses wrong credentials, IdentityProvider users (no password) and grants it does not serve', async () => {
		expectProblem(await token({ grant_type: 'Password', username: AZURE_DEFAULT_ADMIN, password: 'nope' }), 401);
		expectProblem(await token({ grant_type: 'Password', username: AZURE_IDP_USER.name, password: AZURE_DEFAULT_PASSWORD }), 401);
		expectProblem(await token({ grant_type: 'Password', username: AZURE_DEFAULT_ADMIN }), 400);
		expectProblem(await token({ grant_type: 'Saml' }), 400);
	});

	it('answers a user with MFA 200 with an mfa_token and no access token; the Mfa grant takes a TOTP or a scratch code once', async () => {
		const step1 = await token({ grant_type: 'Password', username: AZURE_MFA_USER.name, password: AZURE_MFA_USER.password });
		expect(step1.status).toBe(200);
		expect(step1.data).toMatchObject({ mfa_token: expect.any(String), mfa_enabled: true, expires_in: 0 });
		expect(step1.data).not.toHaveProperty('access_token');
		const wrong = code(AZURE_MFA_USER.secret) === '000000' ? '111111' : '000000';
		expectProblem(await token({ grant_type: 'Mfa', mfa_token: step1.data.mfa_token, mfa_code: wrong }), 401);
		const step2 = await token({ grant_type: 'Mfa', mfa_token: step1.data.mfa_token, mfa_code: code(AZURE_MFA_USER.secret) });
		expect(step2.data).toMatchObject({ username: AZURE_MFA_USER.name, mfa_enabled: true, roleName: 'PortalAdmin' });
		expect((await http.get(USERS, bearer(step2.data.access_token))).status).toBe(200);
		expectProblem(await token({ grant_type: 'Mfa', mfa_token: step1.data.mfa_token, mfa_code: code(AZURE_MFA_USER.secret) }), 401);
		const again = (await token({ grant_type: 'Password', username: AZURE_MFA_USER.name, password: AZURE_MFA_USER.password })).data.mfa_token;
		expect((await token({ grant_type: 'Mfa', mfa_token: again, mfa_code: AZURE_MFA_USER.scratchCodes[0] })).status).toBe(200);
		const third = (await token({ grant_type: 'Password', username: AZURE_MFA_USER.name, password: AZURE_MFA_USER.password })).data.mfa_token;
		expectProblem(await token({ grant_type: 'Mfa', mfa_token: third, mfa_code: AZURE_MFA_USER.scratchCodes[0] }), 401);
	});
});

// ---- users ---------------------------------------------------------------------------------------

describe('users', () => {
	let admin: string;
	beforeEach(async () => {
		admin = await login();
	});
	const as = () => bearer(admin);

	it('needs a token, and PortalAdmin (403 otherwise)', async () => {
		expectProblem(await http.get(USERS), 401);
		expectProblem(await http.get(USERS, bearer('at.forged')), 401);
		const op = bearer(await login('operator'));
		expectProblem(await http.get(USERS, op), 403);
		expectProblem(await http.get(`${USERS}/${AZURE_DEFAULT_ADMIN_ID}`, op), 403);
		expectProblem(await http.post(USERS, {}, op), 403);
	});

	it('lists User answers: numeric string ids, role as ONE string on v8.1 and on v5 (assumed: the contract), _links as a dictionary', async () => {
		const res = await http.get(USERS, as());
		expect(res.data).toMatchObject({ offset: 0, limit: 100, totalCount: 5, _links: { self: { href: `${sim.url}${USERS}` } } });
		expect(names(res)).toEqual(INITIAL);
		expect(res.data.results[0]).toEqual({
			id: '1001',
			name: AZURE_DEFAULT_ADMIN,
			description: 'Default administrator',
			mfaEnabled: false,
			isDefault: true,
			type: 'Internal',
			identityProviderEntityId: null,
			role: 'PortalAdmin',
			_links: { self: { href: `${sim.url}${USERS}/1001` } },
		});
		expect(res.data.results.map((u: { id: string }) => u.id)).toEqual(['1001', '1002', '1003', '1004', '1005']);
		expect(res.data.results[4]).toMatchObject({ id: AZURE_IDP_USER.id, type: 'IdentityProvider', identityProviderEntityId: AZURE_IDP_USER.identityProviderEntityId, role: 'PortalOperator' });
		expect(res.data.results[3]).toMatchObject({ id: AZURE_MFA_USER.id, mfaEnabled: true });
		expect((await http.get('/api/v5/users', as())).data.results[0].role).toBe('PortalAdmin');
	});

	it('creates (201, the next numeric id), reads, updates, deletes (204) by id; then 404 naming the id', async () => {
		const created = await http.post(USERS, { name: 'Alice', description: 'Ops', password: STRONG, role: 'PortalOperator' }, as());
		expect(created.status).toBe(201);
		expect(created.data).toMatchObject({ id: '1006', name: 'Alice', type: 'Internal', role: 'PortalOperator', isDefault: false, mfaEnabled: false });
		const id = created.data.id as string;
		expect((await http.post(USERS, { name: 'bob', description: '', password: STRONG, role: 'ReadOnlyUser', type: 'Internal' }, as())).data).toMatchObject({ id: '1007', role: 'ReadOnlyUser' });
		expect((await http.get(`${USERS}/${id}`, as())).data.name).toBe('Alice');
		const updated = await http.put(`${USERS}/${id}`, { description: 'Restores', role: 'IntegrationOperator', password: STRONG.replace('x', 'y') }, as());
		expect(updated.data).toMatchObject({ description: 'Restores', role: 'IntegrationOperator' });
		const session = await login('alice', STRONG.replace('x', 'y'));
		expect((await http.delete(`${USERS}/${id}`, as())).status).toBe(204);
		const gone = await http.get(`${USERS}/${id}`, as());
		expectProblem(gone, 404);
		expect(gone.data.instance).toBe(id);
		expectProblem(await http.put(`${USERS}/${id}`, { description: 'x' }, as()), 404);
		expectProblem(await http.delete(`${USERS}/${id}`, as()), 404);
		// Any string is an ID to look up: one that names no user is absent, not malformed.
		expectProblem(await http.get(`${USERS}/alice`, as()), 404);
		expectProblem(await http.get(USERS, bearer(session)), 401);
	});

	it('takes role as ONE string on v5 … v8.1 (v5 … v7 assumed: the contract); an array is 400 with errors["$.role"]', async () => {
		const body = { name: 'shape', description: 'x', password: STRONG };
		for (const v of ['v5', 'v6', 'v7', 'v8', 'v8.1']) expectProblem(await http.post(`/api/${v}/users`, { ...body, role: ['RestoreOperator'] }, as()), 400, '$.role');
		expectProblem(await http.put(`${USERS}/1003`, { role: ['PortalOperator'] }, as()), 400, '$.role');
		expect((await http.post('/api/v5/users', { ...body, role: 'RestoreOperator' }, as())).data).toMatchObject({ name: 'shape', role: 'RestoreOperator' });
		expect((await http.put('/api/v8/users/1003', { role: 'VeeamUpdater' }, as())).data.role).toBe('VeeamUpdater');
	});

	it('refuses duplicates (any case), names and descriptions the guide forbids, weak or missing passwords, roles outside RbacRole', async () => {
		const post = (body: Record<string, unknown>) => http.post(USERS, body, as());
		const ok = { name: 'carol', description: 'Backup desk, EU.', password: STRONG, role: 'RestoreOperator' };
		expectProblem(await post({ ...ok, name: 'OPERATOR' }), 400);
		for (const name of ['has space', 'a.b', 'x'.repeat(33), '', 'ümlaut']) expect(`${name}:${(await post({ ...ok, name })).status}`).toBe(`${name}:400`);
		expect((await post({ ...ok, name: 'Svc_N8N-01' })).status).toBe(201);
		expectProblem(await post({ ...ok, description: 'Ops - EU' }), 400, 'Description');
		expectProblem(await post({ ...ok, description: undefined }), 400, 'Description');
		expectProblem(await post({ ...ok, password: undefined }), 400, 'Password');
		expectProblem(await post({ ...ok, password: 'weakpass' }), 400, 'Password');
		expectProblem(await post({ ...ok, identityProviderEntityId: ENTRA_ID }), 400);
		for (const role of ['Portal Operator', 'portaladmin', 42]) expectProblem(await post({ ...ok, role }), 400, '$.role');
		expectProblem(await post({ ...ok, role: undefined }), 400, 'Role');
		expectProblem(await post({ ...ok, type: 'Local' }), 400, '$.type');
		expectProblem(await post({ ...ok, roles: ['x'] }), 400, '$.roles');
		expect((await post(ok)).status).toBe(201);
	});

	it('keeps IdentityProvider users: an Entra object id, no password, no password login', async () => {
		const post = (body: Record<string, unknown>) => http.post(USERS, body, as());
		const idp = { name: 'john.smith@contoso.example', description: 'Entra ID', type: 'IdentityProvider', identityProviderEntityId: ENTRA_ID, role: 'PortalAdmin' };
		expectProblem(await post({ ...idp, identityProviderEntityId: undefined }), 400);
		expectProblem(await post({ ...idp, identityProviderEntityId: 'not-a-uuid' }), 400);
		expectProblem(await post({ ...idp, password: STRONG }), 400);
		expectProblem(await post({ ...idp, identityProviderEntityId: AZURE_IDP_USER.identityProviderEntityId }), 400);
		const created = await post(idp);
		expect(created.status).toBe(201);
		expect(created.data).toMatchObject({ type: 'IdentityProvider', identityProviderEntityId: ENTRA_ID, role: 'PortalAdmin', mfaEnabled: false });
		expectProblem(await http.put(`${USERS}/${created.data.id}`, { password: STRONG }, as()), 400);
		expect((await http.put(`${USERS}/${created.data.id}`, { description: 'Entra ID admin' }, as())).status).toBe(200);
		expectProblem(await token({ grant_type: 'Password', username: idp.name, password: STRONG }), 401);
		expect((await http.delete(`${USERS}/${AZURE_IDP_USER.id}`, as())).status).toBe(204);
	});

	it('sets up MFA as mfa.html shows: enableMfa (the page\'s "recreate": "false"), acceptMfa 204, the new secret logs in, disableMfa 204', async () => {
		const enabled = await http.post(`${USERS}/1002/enableMfa`, { recreate: 'false' }, as());
		expect(enabled.status).toBe(200);
		expect(enabled.data).toEqual({ userId: '1002', qrString: expect.stringMatching(/^otpauth:\/\/totp\//), secretKey: expect.stringMatching(/^[A-Z2-7]+$/), scratchCodes: expect.any(Array), token: expect.any(String) });
		expectProblem(await http.post(`${USERS}/1002/acceptMfa`, { code: '', token: enabled.data.token }, as()), 400, 'Code');
		expectProblem(await http.post(`${USERS}/1002/acceptMfa`, { code: '000000', token: 'other' }, as()), 400);
		const accepted = await http.post(`${USERS}/1002/acceptMfa`, { code: code(enabled.data.secretKey), token: enabled.data.token }, as());
		expect(accepted.status).toBe(204);
		expect((await http.get(`${USERS}/1002`, as())).data.mfaEnabled).toBe(true);
		expectProblem(await http.post(`${USERS}/1002/enableMfa`, { recreate: false }, as()), 400);
		expect((await http.post(`${USERS}/1002/enableMfa`, { recreate: true }, as())).status).toBe(200);
		const challenge = await token({ grant_type: 'Password', username: 'operator', password: AZURE_DEFAULT_PASSWORD });
		expect((await token({ grant_type: 'Mfa', mfa_token: challenge.data.mfa_token, mfa_code: code(enabled.data.secretKey) })).status).toBe(200);
		expect((await http.post(`${USERS}/1002/disableMfa`, undefined, as())).status).toBe(204);
		expect((await http.get(`${USERS}/1002`, as())).data.mfaEnabled).toBe(false);
		expectProblem(await http.post(`${USERS}/${AZURE_IDP_USER.id}/enableMfa`, { recreate: false }, as()), 400);
		expectProblem(await http.post(`${USERS}/9999/enableMfa`, { recreate: false }, as()), 404);
	});

	it('protects the default administrator and the last PortalAdmin', async () => {
		expectProblem(await http.delete(`${USERS}/${AZURE_DEFAULT_ADMIN_ID}`, as()), 400);
		expectProblem(await http.put(`${USERS}/${AZURE_DEFAULT_ADMIN_ID}`, { role: 'PortalOperator' }, as()), 400);
		expect((await http.put(`${USERS}/${AZURE_DEFAULT_ADMIN_ID}`, { role: 'PortalAdmin' }, as())).status).toBe(200);
		const other = await start({ azure: { withoutDefaultAdmin: true } });
		try {
			await other.http.post('/__sim/logins', { name: 'second', password: STRONG });
			const second = bearer(await login('second', STRONG, other.http));
			const list = await other.http.get(USERS, second);
			expect(names(list)).not.toContain(AZURE_DEFAULT_ADMIN);
			const secondId = list.data.results.find((u: { name: string }) => u.name === 'second').id as string;
			expect((await other.http.put(`${USERS}/${AZURE_MFA_USER.id}`, { role: 'RestoreOperator' }, second)).status).toBe(200);
			expectProblem(await other.http.put(`${USERS}/${secondId}`, { role: 'PortalOperator' }, second), 400);
			const last = await other.http.delete(`${USERS}/${secondId}`, second);
			expectProblem(last, 400);
			expect(last.data.detail).toContain('last user with the PortalAdmin role');
		} finally {
			await stop(other);
		}
	});

	it('answers a path no route serves with a bare 404, a wrong method with problem details', async () => {
		expect((await http.get('/api/v8.1/nothing', as())).data).toBe('');
		// 405 is no status the document lists for the path: asked past the contract check.
		const unchecked = axios.create({ baseURL: sim.url, httpsAgent: c.agent, validateStatus: () => true });
		expectProblem(await unchecked.patch(`${USERS}/${AZURE_DEFAULT_ADMIN_ID}`, {}, as()), 405);
	});
});

// ---- paging, and what the list does not take ------------------------------------------------------

describe('GET /api/v8.1/users paging', () => {
	let admin: string;
	beforeEach(async () => {
		admin = await login();
		sim.seed({ count: 250, prefix: 'bulk_', roles: ['Portal Operator'] });
	});
	const list = (params: Record<string, string | number>) => http.get(USERS, { ...bearer(admin), params });

	it('pages with Offset and Limit (default 100, -1 for all); past the end empty with the same totalCount', async () => {
		const first = await list({});
		expect({ offset: first.data.offset, limit: first.data.limit, total: first.data.totalCount, n: first.data.results.length }).toEqual({ offset: 0, limit: 100, total: 255, n: 100 });
		expect(names(first).slice(0, 7)).toEqual([...INITIAL, 'bulk_000001', 'bulk_000002']);
		const all = await list({ Limit: -1 });
		expect({ limit: all.data.limit, n: all.data.results.length }).toEqual({ limit: -1, n: 255 });
		const past = await list({ Offset: 300, Limit: 10 });
		expect(past.data).toMatchObject({ offset: 300, limit: 10, totalCount: 255, results: [] });
		const seen: string[] = [];
		for (let offset = 0; offset < 255; offset += 100) seen.push(...names(await list({ Offset: offset, Limit: 100 })));
		expect(new Set(seen).size).toBe(255);
		for (const [bad, field] of [[{ Offset: -1 }, 'Offset'], [{ Limit: -2 }, 'Limit'], [{ Limit: 'x' }, 'Limit']] as Array<[Record<string, string | number>, string]>) {
			expectProblem(await list(bad), 400, field);
		}
	});

	it('takes NameFilter (exact name) and nothing else: SearchPattern, Sort and other spellings are ignored, as the reference lists only NameFilter, Offset, Limit', async () => {
		expect(names(await list({ NameFilter: 'OPERATOR' }))).toEqual(['operator']);
		expect((await list({ NameFilter: 'oper' })).data).toMatchObject({ totalCount: 0, results: [] });
		const everyone = await list({ Limit: -1 });
		const ignored: Array<Record<string, string | number>> = [{ SearchPattern: 'ADMIN' }, { SearchPattern: 'bulk_00002*' }, { Sort: 'nameDesc' }, { Sort: 'idAsc' }, { namefilter: 'operator' }, { offset: 3 }];
		for (const params of ignored) {
			const res = await list({ ...params, Limit: -1 });
			expect({ params, total: res.data.totalCount, names: names(res) }).toEqual({ params, total: 255, names: names(everyone) });
		}
	});
});

// ---- control endpoint ----------------------------------------------------------------------------

describe('control endpoint', () => {
	it('logs changes without secrets, dumps the state, knows every secret, seeds and sets logins', async () => {
		const admin = bearer(await login());
		const created = await http.post(USERS, { name: 'dave', description: 'x', password: STRONG, role: 'RestoreOperator' }, admin);
		await http.put(`${USERS}/${created.data.id}`, { role: 'PortalOperator', password: 'An0ther-Pass!' }, admin);
		await http.delete(`${USERS}/${created.data.id}`, admin);
		const log = await http.get('/__sim/log');
		expect(log.data.entries.map((e: { action: string; target: string }) => `${e.action} ${e.target}`)).toEqual(['user.create dave', 'user.update dave', 'user.delete dave']);
		const state = await http.get('/__sim/state');
		expect(state.data).toMatchObject({ product: 'azure', roles: ['PortalAdmin', 'PortalOperator', 'RestoreOperator', 'VeeamUpdater', 'Unknown', 'IntegrationOperator', 'ReadOnlyUser'] });
		expect(state.data.users.map((u: { name: string }) => u.name).sort()).toEqual([...INITIAL].sort());
		const secrets = [AZURE_DEFAULT_PASSWORD, AZURE_MFA_USER.password, AZURE_MFA_USER.secret, ...AZURE_MFA_USER.scratchCodes, STRONG, 'An0ther-Pass!'];
		const dumped = JSON.stringify(log.data) + JSON.stringify(state.data);
		for (const s of secrets) {
			expect(dumped.includes(s) ? `leaked ${s}` : 'clean').toBe('clean');
			expect(sim.secrets.seen.has(s) ? 'known' : `unknown ${s}`).toBe('known');
		}
		expect(sim.seed({ count: 1, prefix: 'adm_', roles: ['Portal Administrator'] })).toBe(1);
		expect((await token({ grant_type: 'Password', username: 'adm_000001', password: AZURE_DEFAULT_PASSWORD })).data.roleName).toBe('PortalAdmin');
		expect((await http.post('/__sim/seed', { count: 2, prefix: 'entra', roles: ['RestoreOperator'], type: 'IdentityProvider' })).data).toEqual({ added: 2 });
		expect((await http.get(USERS, { ...admin, params: { NameFilter: 'entra000002@example.com' } })).data.results[0]).toMatchObject({ type: 'IdentityProvider', role: 'RestoreOperator', id: expect.stringMatching(/^\d+$/) });
		expect((await http.post('/__sim/logins', { name: 'svc-n8n', password: 'Whatever-1!' })).status).toBe(204);
		expect((await token({ grant_type: 'Password', username: 'svc-n8n', password: 'Whatever-1!' })).data.roleName).toBe('PortalAdmin');
		expect((await http.post('/__sim/logins', { name: AZURE_IDP_USER.name, password: 'x' })).status).toBe(400);
		expect((await http.get('/__sim/health')).data).toEqual({ ok: true, product: 'azure' });
	});
});
