import https from 'node:https';

import axios, { type AxiosInstance, type AxiosResponse } from 'axios';

import { OpenApiContract } from '../support/contract';

import { AWS_DEFAULT_ADMIN, AWS_DEFAULT_PASSWORD, AWS_MFA_USER, startSimulator, totpAt, type SimServer, type SimulatorOptions } from '../../sim';

/**
 * The Veeam Backup for AWS simulator over real HTTPS (the client trusts the simulator's CA only).
 * Every answer to a 1.8-rev0 request is checked against sim/spec/aws-1.8-rev0.users.openapi.json.
 */
const VERSION = '1.8-rev0';
const USERS = '/api/v1/users';
const STRONG = 'N3w-Passw0rd!x';
const contract = new OpenApiContract('aws-1.8-rev0.users.openapi.json');

interface Client {
	sim: SimServer;
	http: AxiosInstance;
	agent: https.Agent;
}

async function start(options: Partial<SimulatorOptions> = {}): Promise<Client> {
	const sim = await startSimulator({ product: 'aws', ...options });
	const agent = new https.Agent({ ca: sim.tls.caPem });
	const http = axios.create({ baseURL: sim.url, httpsAgent: agent, validateStatus: () => true, headers: { 'x-api-version': VERSION } });
	http.interceptors.response.use((res) => {
		const path = new URL(res.config.url ?? '', sim.url).pathname;
		if (String(res.config.headers?.['x-api-version'] ?? '') === VERSION && !path.startsWith('/__sim/')) {
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
const token = (fields: Record<string, string>, client: AxiosInstance = http) => client.post('/api/v1/token', new URLSearchParams(fields).toString(), form);
const bearer = (t: string) => ({ headers: { Authorization: `Bearer ${t}` } });

async function login(username = AWS_DEFAULT_ADMIN, password = AWS_DEFAULT_PASSWORD, client: AxiosInstance = http): Promise<string> {
	const res = await token({ grant_type: 'password', username, password }, client);
	expect(res.status).toBe(200);
	return res.data.access_token as string;
}

/** A TOTP for the simulator's clock, moved past a window edge first (the server takes the current window only). */
function code(secret: string): string {
	const left = 30_000 - (sim.clock.now() % 30_000);
	if (left < 3_000) sim.clock.advance(Math.ceil(left / 1000));
	return totpAt(secret, sim.clock.now());
}

async function mfaToken(username = AWS_MFA_USER.name, password = AWS_MFA_USER.password): Promise<string> {
	const res = await token({ grant_type: 'password', username, password });
	expect(res.status).toBe(200);
	return res.data.mfa_token as string;
}

function expectProblem(res: AxiosResponse, status: number, errorCode: string): void {
	expect({ status: res.status, errorCode: res.data?.errorCode }).toEqual({ status, errorCode });
	expect(res.data).toMatchObject({ status, type: expect.stringMatching(/^https:\/\//), title: expect.any(String), details: expect.any(String) });
}

const names = (res: AxiosResponse) => (res.data.results as Array<{ name: string }>).map((u) => u.name);
const INITIAL = [AWS_DEFAULT_ADMIN, AWS_MFA_USER.name, 'operator', 'restorer'];

// ---- version, token -------------------------------------------------------------------------------

describe('x-api-version', () => {
	it('is required on every call; the release\'s versions are accepted (10.0: 1.5-rev1 … 1.8-rev0), others get 400 NotImplemented', async () => {
		const absent = await axios.get(`${sim.url}${USERS}`, { httpsAgent: c.agent, validateStatus: () => true });
		expectProblem(absent, 400, 'NotImplemented');
		expect(absent.headers['content-type']).toMatch(/^application\/problem\+json/);
		for (const v of ['1.0-rev0', '1.5-rev0', '1.9-rev0']) {
			const refused = await http.post('/api/v1/token', 'grant_type=password', { headers: { ...form.headers, 'x-api-version': v } });
			expectProblem(refused, 400, 'NotImplemented');
			expect(refused.data.details).toContain('1.5-rev1, 1.6-rev0, 1.7-rev0, 1.8-rev0');
		}
		for (const v of ['1.5-rev1', '1.6-rev0', '1.7-rev0']) {
			const body = new URLSearchParams({ grant_type: 'password', username: AWS_DEFAULT_ADMIN, password: AWS_DEFAULT_PASSWORD }).toString();
			expect((await http.post('/api/v1/token', body, { headers: { ...form.headers, 'x-api-version': v } })).status).toBe(200);
		}
		const other = await start({ aws: { supportedVersions: ['1.7-rev0'], announceVersions: false } });
		try {
			const res = await other.http.get(USERS, { headers: { 'x-api-version': '1.6-rev0' } });
			expect(res.status).toBe(400);
			expect(res.data.details).not.toContain('1.7-rev0');
		} finally {
			await stop(other);
		}
	});

	it.each([
		['7.0', ['1.3-rev0', '1.4-rev0', '1.5-rev0', '1.5-rev1'], ['1.6-rev0', '1.8-rev0']],
		['8.0', ['1.4-rev0', '1.5-rev0', '1.5-rev1', '1.6-rev0'], ['1.3-rev0', '1.7-rev0']],
		['9.0', ['1.5-rev0', '1.5-rev1', '1.6-rev0', '1.7-rev0'], ['1.4-rev0', '1.8-rev0']],
		['10.0', ['1.5-rev1', '1.6-rev0', '1.7-rev0', '1.8-rev0'], ['1.5-rev0', '1.9-rev0']],
	] as const)('release %s serves %j and refuses %j', async (release, served, refused) => {
		const other = await start({ aws: { release } });
		try {
			const body = new URLSearchParams({ grant_type: 'password', username: AWS_DEFAULT_ADMIN, password: AWS_DEFAULT_PASSWORD }).toString();
			for (const v of served) expect((await other.http.post('/api/v1/token', body, { headers: { ...form.headers, 'x-api-version': v } })).status).toBe(200);
			for (const v of refused) expectProblem(await other.http.post('/api/v1/token', body, { headers: { ...form.headers, 'x-api-version': v } }), 400, 'NotImplemented');
		} finally {
			await stop(other);
		}
	});
});

describe('POST /api/v1/token', () => {
	it('answers the password grant with RESTLogin: 1-hour access, 2-hour single-use refresh', async () => {
		const res = await token({ grant_type: 'password', username: 'ADMINISTRATOR', password: AWS_DEFAULT_PASSWORD });
		expect(res.data).toEqual({
			access_token: expect.any(String),
			token_type: 'bearer',
			refresh_token: expect.any(String),
			expires_in: 3600,
			'.issued': expect.any(String),
			'.expires': expect.any(String),
			username: AWS_DEFAULT_ADMIN,
			roleName: 'PortalAdministrator',
			mfa_enabled: false,
		});
		expect(Date.parse(res.data['.expires']) - Date.parse(res.data['.issued'])).toBe(3_600_000);
		const refreshed = await token({ grant_type: 'refresh_token', refresh_token: res.data.refresh_token });
		expect(refreshed.status).toBe(200);
		expectProblem(await token({ grant_type: 'refresh_token', refresh_token: res.data.refresh_token }), 401, 'InvalidToken');
		sim.clock.advance(3601);
		expectProblem(await http.get(USERS, bearer(refreshed.data.access_token)), 401, 'ExpiredToken');
		sim.clock.advance(3600);
		expectProblem(await token({ grant_type: 'refresh_token', refresh_token: refreshed.data.refresh_token }), 401, 'ExpiredToken');
	});

	it('refuses wrong credentials and malformed grants; takes field names in any case', async () => {
		expectProblem(await token({ grant_type: 'password', username: AWS_DEFAULT_ADMIN, password: 'nope' }), 401, 'AccessDenied');
		expectProblem(await token({ grant_type: 'password', username: 'ghost', password: AWS_DEFAULT_PASSWORD }), 401, 'AccessDenied');
		expectProblem(await token({ grant_type: 'password', username: AWS_DEFAULT_ADMIN }), 400, 'UnexpectedContent');
		expectProblem(await token({ grant_type: 'authorization_code', code: 'x' }), 400, 'UnexpectedContent');
		expectProblem(await token({ grant_type: 'client_credentials' }), 400, 'UnexpectedContent');
		expectProblem(await http.post('/api/v1/token', { grant_type: 'password' }), 400, 'UnexpectedContent');
		expect((await token({ Grant_Type: 'Password', Username: AWS_DEFAULT_ADMIN, Password: AWS_DEFAULT_PASSWORD })).status).toBe(200);
	});

	it('honours expiresIn and refreshExpiresIn', async () => {
		const other = await start({ expiresIn: 60, refreshExpiresIn: 120 });
		try {
			const res = await token({ grant_type: 'password', username: AWS_DEFAULT_ADMIN, password: AWS_DEFAULT_PASSWORD }, other.http);
			expect(res.data.expires_in).toBe(60);
			other.sim.clock.advance(121);
			expect((await token({ grant_type: 'refresh_token', refresh_token: res.data.refresh_token }, other.http)).status).toBe(401);
		} finally {
			await stop(other);
		}
	});

	it('signs out with DELETE /api/v1/token: the access and refresh tokens end', async () => {
		const res = await token({ grant_type: 'password', username: AWS_DEFAULT_ADMIN, password: AWS_DEFAULT_PASSWORD });
		expectProblem(await http.delete('/api/v1/token'), 401, 'AccessDenied');
		const out = await http.delete('/api/v1/token', bearer(res.data.access_token));
		expect(out.status).toBe(204);
		expectProblem(await http.get(USERS, bearer(res.data.access_token)), 401, 'InvalidToken');
		expectProblem(await token({ grant_type: 'refresh_token', refresh_token: res.data.refresh_token }), 401, 'InvalidToken');
	});
});

describe('MFA login', () => {
	it('answers 200 with an mfa_token and no access token, then the mfa grant takes the TOTP once', async () => {
		const step1 = await token({ grant_type: 'password', username: AWS_MFA_USER.name, password: AWS_MFA_USER.password });
		expect(step1.status).toBe(200);
		expect(step1.data).toEqual({ mfa_enabled: true, mfa_token: expect.any(String), username: AWS_MFA_USER.name });
		const wrong = code(AWS_MFA_USER.secret) === '000000' ? '111111' : '000000';
		expectProblem(await token({ grant_type: 'mfa', mfa_token: step1.data.mfa_token, mfa_code: wrong }), 401, 'AccessDenied');
		const step2 = await token({ grant_type: 'mfa', mfa_token: step1.data.mfa_token, mfa_code: code(AWS_MFA_USER.secret) });
		expect(step2.data).toMatchObject({ token_type: 'bearer', username: AWS_MFA_USER.name, mfa_enabled: true, roleName: 'PortalAdministrator' });
		expect((await http.get(USERS, bearer(step2.data.access_token))).status).toBe(200);
		expectProblem(await token({ grant_type: 'mfa', mfa_token: step1.data.mfa_token, mfa_code: code(AWS_MFA_USER.secret) }), 401, 'InvalidToken');
	});

	it('takes each scratch code once, expires the mfa_token after 300 s and burns it at the fifth wrong code', async () => {
		const scratch = AWS_MFA_USER.scratchCodes[0];
		expect((await token({ grant_type: 'mfa', mfa_token: await mfaToken(), mfa_code: scratch })).status).toBe(200);
		expectProblem(await token({ grant_type: 'mfa', mfa_token: await mfaToken(), mfa_code: scratch }), 401, 'AccessDenied');
		const late = await mfaToken();
		sim.clock.advance(301);
		expectProblem(await token({ grant_type: 'mfa', mfa_token: late, mfa_code: code(AWS_MFA_USER.secret) }), 401, 'ExpiredToken');
		const t = await mfaToken();
		for (let i = 0; i < 5; i++) await token({ grant_type: 'mfa', mfa_token: t, mfa_code: '12345678' });
		expectProblem(await token({ grant_type: 'mfa', mfa_token: t, mfa_code: code(AWS_MFA_USER.secret) }), 401, 'InvalidToken');
		expectProblem(await token({ grant_type: 'mfa', mfa_token: t }), 400, 'UnexpectedContent');
	});
});

// ---- users ---------------------------------------------------------------------------------------

describe('users', () => {
	let admin: string;
	beforeEach(async () => {
		admin = await login();
	});

	it('needs a token, and Portal Administrator (403 otherwise)', async () => {
		expectProblem(await http.get(USERS), 401, 'AccessDenied');
		expectProblem(await http.get(USERS, bearer('at.forged')), 401, 'InvalidToken');
		const op = await login('operator');
		expectProblem(await http.get(USERS, bearer(op)), 403, 'AccessDenied');
		expectProblem(await http.get(`${USERS}/operator`, bearer(op)), 403, 'AccessDenied');
		expectProblem(await http.post(`${USERS}/validateName`, { name: 'x' }, bearer(op)), 403, 'AccessDenied');
		expectProblem(await http.post(`${USERS}/restorer/enableMfa`, { recreate: false }, bearer(op)), 403, 'AccessDenied');
		// MFA calls carry no role restriction in the spec: a user sets up their own.
		expect((await http.post(`${USERS}/operator/enableMfa`, {}, bearer(op))).status).toBe(200);
	});

	it('lists the initial users with role, isDefault and _links', async () => {
		const res = await http.get(USERS, bearer(admin));
		expect(names(res)).toEqual(INITIAL);
		expect(res.data.totalCount).toBe(4);
		expect(res.data.results[0]).toEqual({
			name: AWS_DEFAULT_ADMIN,
			description: 'Default Admin',
			mfaEnabled: false,
			isDefault: true,
			accountType: 'Internal',
			role: 'PortalAdministrator',
			_links: expect.arrayContaining([{ rel: 'self', method: 'GET', href: `${sim.url}${USERS}/${AWS_DEFAULT_ADMIN}` }]),
		});
		expect(res.data.results[1]).toMatchObject({ name: AWS_MFA_USER.name, mfaEnabled: true, isDefault: false });
	});

	it('creates (201), reads in any case, updates, deletes (204) and then answers 404', async () => {
		const created = await http.post(USERS, { name: 'alice', description: 'Ops', password: STRONG, role: 'PortalOperator' }, bearer(admin));
		expect(created.status).toBe(201);
		expect(created.data).toMatchObject({ name: 'alice', description: 'Ops', mfaEnabled: false, isDefault: false, role: 'PortalOperator' });
		expect((await http.get(`${USERS}/ALICE`, bearer(admin))).data.name).toBe('alice');
		const updated = await http.put(`${USERS}/alice`, { description: 'Restores', role: 'RestoreOperator' }, bearer(admin));
		expect(updated.data).toMatchObject({ description: 'Restores', role: 'RestoreOperator' });
		const session = await login('alice', STRONG);
		expect((await http.delete(`${USERS}/Alice`, bearer(admin))).status).toBe(204);
		expectProblem(await http.get(`${USERS}/alice`, bearer(admin)), 404, 'NotFound');
		expectProblem(await http.put(`${USERS}/alice`, { description: 'x' }, bearer(admin)), 404, 'NotFound');
		expectProblem(await http.delete(`${USERS}/alice`, bearer(admin)), 404, 'NotFound');
		expectProblem(await http.post(`${USERS}/alice/disableMfa`, undefined, bearer(admin)), 404, 'NotFound');
		// Her sessions ended with her account.
		expectProblem(await http.get(USERS, bearer(session)), 401, 'InvalidToken');
	});

	it('refuses duplicates, bad names, long descriptions, weak passwords and unknown roles with 400', async () => {
		const post = (body: Record<string, unknown>) => http.post(USERS, body, bearer(admin));
		const ok = { name: 'bob', description: '', password: STRONG, role: 'RestoreOperator' };
		const dup = await post({ ...ok, name: 'OPERATOR' });
		expectProblem(dup, 400, 'UnexpectedContent');
		expect(dup.data.details).toContain('already exists');
		for (const name of ['Bob', 'bob.smith', 'has space', 'a$b', '', 'x'.repeat(65)]) {
			expect(`${name}:${(await post({ ...ok, name })).status}`).toBe(`${name}:400`);
		}
		expect((await post({ ...ok, name: 'svc_n8n-01$' })).status).toBe(201);
		expectProblem(await post({ ...ok, description: 'x'.repeat(256) }), 400, 'UnexpectedContent');
		expectProblem(await post({ ...ok, password: 'weakpass' }), 400, 'UnexpectedContent');
		expectProblem(await post({ ...ok, role: undefined }), 400, 'UnexpectedContent');
		expectProblem(await post({ ...ok, role: 'Portal Operator' }), 400, 'UnexpectedContent');
		expectProblem(await post({ name: 'bob', password: STRONG, role: 'RestoreOperator' }), 400, 'UnexpectedContent');
		expect((await post(ok)).status).toBe(201);
		expect((await token({ grant_type: 'password', username: 'bob', password: STRONG })).data.roleName).toBe('RestoreOperator');
	});

	it('changes a password only with the right oldPassword; sessions stay', async () => {
		const before = await login('operator');
		const put = (body: Record<string, unknown>) => http.put(`${USERS}/operator`, body, bearer(admin));
		expectProblem(await put({ password: STRONG }), 400, 'UnexpectedContent');
		expectProblem(await put({ password: STRONG, oldPassword: 'wrong' }), 400, 'UnexpectedContent');
		expectProblem(await put({ password: 'weak', oldPassword: AWS_DEFAULT_PASSWORD }), 400, 'UnexpectedContent');
		expect((await put({ password: STRONG, oldPassword: AWS_DEFAULT_PASSWORD })).status).toBe(200);
		expectProblem(await token({ grant_type: 'password', username: 'operator', password: AWS_DEFAULT_PASSWORD }), 401, 'AccessDenied');
		expect((await token({ grant_type: 'password', username: 'operator', password: STRONG })).status).toBe(200);
		expect((await http.post(`${USERS}/validateName`, { name: 'x' }, bearer(before))).status).toBe(403);
	});

	it('protects the default administrator and the last Portal Administrator', async () => {
		expectProblem(await http.delete(`${USERS}/${AWS_DEFAULT_ADMIN}`, bearer(admin)), 400, 'UnexpectedContent');
		expectProblem(await http.put(`${USERS}/${AWS_DEFAULT_ADMIN}`, { role: 'PortalOperator' }, bearer(admin)), 400, 'UnexpectedContent');
		const other = await start({ aws: { withoutDefaultAdmin: true } });
		try {
			await other.http.post('/__sim/logins', { name: 'second', password: STRONG });
			const second = await login('second', STRONG, other.http);
			const as = bearer(second);
			expect((await other.http.get(USERS, as)).data.results.map((u: { name: string }) => u.name)).not.toContain(AWS_DEFAULT_ADMIN);
			expect((await other.http.delete(`${USERS}/${AWS_MFA_USER.name}`, as)).status).toBe(204);
			expectProblem(await other.http.put(`${USERS}/second`, { role: 'PortalOperator' }, as), 400, 'UnexpectedContent');
			const last = await other.http.delete(`${USERS}/second`, as);
			expectProblem(last, 400, 'UnexpectedContent');
			expect(last.data.details).toContain('last user with the PortalAdministrator role');
		} finally {
			await stop(other);
		}
	});

	it('validates names, descriptions and passwords with ValidationMessage lists', async () => {
		const v = (what: string, body: Record<string, string>) => http.post(`${USERS}/validate${what}`, body, bearer(admin));
		expect((await v('Name', { name: 'fresh_user' })).data).toEqual([]);
		expect((await v('Name', { name: 'Operator' })).data).toEqual([{ severity: 'Error', message: expect.stringContaining('already exists') }]);
		expect((await v('Name', { name: 'Bad.Name' })).data).toEqual([{ severity: 'Error', message: expect.stringContaining('lowercase') }]);
		expect((await v('Description', { description: 'Backups' })).data).toEqual([]);
		expect((await v('Description', { description: 'x'.repeat(256) })).data[0].severity).toBe('Error');
		expect((await v('Password', { password: STRONG })).data).toEqual([]);
		expect((await v('Password', { password: 'short' })).data[0].severity).toBe('Error');
		expectProblem(await v('Password', {}), 400, 'UnexpectedContent');
	});

	it('sets up MFA: enableMfa → acceptMfa with a code (201) → the mfa grant; recreate; disableMfa', async () => {
		const enable = await http.post(`${USERS}/operator/enableMfa`, { recreate: false }, bearer(admin));
		const { userName, qrString, secretKey, scratchCodes, token: setup } = enable.data;
		expect({ userName, secretKey }).toEqual({ userName: 'operator', secretKey: expect.stringMatching(/^[A-Z2-7]{32}$/) });
		expect(qrString).toBe(`otpauth://totp/operator@127.0.0.1?secret=${secretKey}&issuer=127.0.0.1`);
		expect(scratchCodes).toHaveLength(5);
		expect((await http.get(`${USERS}/operator`, bearer(admin))).data.mfaEnabled).toBe(false);
		const accept = (body: Record<string, string>) => http.post(`${USERS}/operator/acceptMfa`, body, bearer(admin));
		const wrong = code(secretKey) === '000000' ? '111111' : '000000';
		expectProblem(await accept({ code: wrong, token: setup }), 400, 'UnexpectedContent');
		expectProblem(await accept({ code: code(secretKey), token: 'bm9wZQ==' }), 400, 'UnexpectedContent');
		const accepted = await accept({ code: code(secretKey), token: setup });
		expect(accepted.status).toBe(201);
		expect(accepted.data).toBe('');
		expect((await http.get(`${USERS}/operator`, bearer(admin))).data.mfaEnabled).toBe(true);
		const t = await mfaToken('operator', AWS_DEFAULT_PASSWORD);
		expect((await token({ grant_type: 'mfa', mfa_token: t, mfa_code: code(secretKey) })).data.roleName).toBe('PortalOperator');

		expectProblem(await http.post(`${USERS}/operator/enableMfa`, { recreate: false }, bearer(admin)), 400, 'UnexpectedContent');
		const again = await http.post(`${USERS}/operator/enableMfa`, { recreate: true }, bearer(admin));
		expect(again.data.secretKey).not.toBe(secretKey);
		const pending = await mfaToken('operator', AWS_DEFAULT_PASSWORD);
		const off = await http.post(`${USERS}/operator/disableMfa`, undefined, bearer(admin));
		expect(off.status).toBe(200);
		expect((await http.get(`${USERS}/operator`, bearer(admin))).data.mfaEnabled).toBe(false);
		expectProblem(await token({ grant_type: 'mfa', mfa_token: pending, mfa_code: code(secretKey) }), 401, 'InvalidToken');
		expect((await token({ grant_type: 'password', username: 'operator', password: AWS_DEFAULT_PASSWORD })).data.access_token).toBeDefined();
	});

	it('answers a path no route serves with a bare 404, a wrong method with problem details', async () => {
		const unknown = await http.get('/api/v1/nothing', bearer(admin));
		expect({ status: unknown.status, data: unknown.data }).toEqual({ status: 404, data: '' });
		expectProblem(await http.patch(`${USERS}/operator`, {}, bearer(admin)), 405, 'MethodNotAllowed');
	});
});

// ---- paging, sort, search ------------------------------------------------------------------------

describe('GET /api/v1/users paging', () => {
	let admin: string;
	beforeEach(async () => {
		admin = await login();
		sim.seed({ count: 250, prefix: 'bulk_', roles: ['Portal Operator'] });
	});
	const list = (params: Record<string, string | number>) => http.get(USERS, { ...bearer(admin), params });
	const listRaw = (query: string) => http.get(`${USERS}?${query}`, bearer(admin));

	it('pages with Offset and Limit: all by default, -1 for all, past the end empty with the same totalCount', async () => {
		const all = await list({});
		expect({ total: all.data.totalCount, n: all.data.results.length }).toEqual({ total: 254, n: 254 });
		expect(names(all).slice(0, 3)).toEqual([AWS_DEFAULT_ADMIN, 'bulk_000001', 'bulk_000002']);
		const seen: string[] = [];
		for (let offset = 0; offset < 254; offset += 100) seen.push(...names(await list({ Offset: offset, Limit: 100 })));
		expect(new Set(seen).size).toBe(254);
		expect((await list({ Limit: -1 })).data.results).toHaveLength(254);
		const past = await list({ Offset: 300, Limit: 50 });
		expect({ total: past.data.totalCount, results: past.data.results }).toEqual({ total: 254, results: [] });
		expect((await list({ Limit: 0 })).data.results).toEqual([]);
		expect(names(await listRaw('offset=1&limit=2'))).toEqual(['bulk_000001', 'bulk_000002']);
		for (const bad of ['Offset=-1', 'Limit=-2', 'Limit=ten']) expectProblem(await listRaw(bad), 400, 'UnexpectedContent');
	});

	it('sorts by repeated Sort keys, the first one first', async () => {
		expect(names(await list({ Sort: 'nameDesc', Limit: 3 }))).toEqual(['restorer', 'operator', AWS_MFA_USER.name]);
		expect(names(await list({ Sort: 'mfaEnabledDesc', Limit: 1 }))).toEqual([AWS_MFA_USER.name]);
		expect(names(await list({ Sort: 'isDefaultDesc', Limit: 1 }))).toEqual([AWS_DEFAULT_ADMIN]);
		expect(names(await listRaw('Sort=isDefaultAsc&Sort=nameDesc&Limit=2'))).toEqual(['restorer', 'operator']);
		// The 1.7-rev0 reference lists eight Sort values, none by role.
		expectProblem(await list({ Sort: 'roleAsc' }), 400, 'UnexpectedContent');
		expect((await list({ Sort: 'descriptionAsc', Limit: 1 })).data.results[0].description).toBe('Administrator with MFA');
		expectProblem(await list({ Sort: 'nameUp' }), 400, 'UnexpectedContent');
		expectProblem(await listRaw('Sort=nameAsc,nameDesc'), 400, 'UnexpectedContent');
	});

	it('searches names without regard to case: contains without wildcards, whole-name patterns with * and ?', async () => {
		expect(names(await list({ SearchPattern: 'ADMIN' }))).toEqual([AWS_DEFAULT_ADMIN, AWS_MFA_USER.name]);
		expect((await list({ SearchPattern: 'BULK_00002*' })).data.totalCount).toBe(10);
		expect((await list({ SearchPattern: '*_00024?', Sort: 'nameDesc', Limit: 2 })).data).toMatchObject({ totalCount: 10, results: [{ name: 'bulk_000249' }, { name: 'bulk_000248' }] });
		expect((await list({ SearchPattern: 'admin*' })).data.totalCount).toBe(1);
		expect((await list({ SearchPattern: 'nobody' })).data).toMatchObject({ totalCount: 0, results: [] });
	});

	it('clamps pages to maxPageSize when set, and stays fast at 100,000 users', async () => {
		const other = await start({ aws: { maxPageSize: 500 } });
		try {
			other.sim.seed({ count: 100_000 });
			const as = bearer(await login(AWS_DEFAULT_ADMIN, AWS_DEFAULT_PASSWORD, other.http));
			const t0 = Date.now();
			const first = await other.http.get(USERS, { ...as, params: { Limit: -1 } });
			const found = await other.http.get(USERS, { ...as, params: { SearchPattern: '099999', Sort: 'nameDesc' } });
			expect({ total: first.data.totalCount, n: first.data.results.length }).toEqual({ total: 100_004, n: 500 });
			expect(found.data.results.map((u: { name: string }) => u.name)).toEqual(['seed_user099999']);
			// A hang detector, not a speed test (bench:sim measures throughput): see vbgc.test.ts.
			expect(Date.now() - t0).toBeLessThan(30_000);
		} finally {
			await stop(other);
		}
	});
});

// ---- control endpoint ----------------------------------------------------------------------------

describe('control endpoint', () => {
	it('logs every change without secrets, dumps the state, and knows every secret for leak scans', async () => {
		const admin = await login();
		await http.post(USERS, { name: 'dave', description: 'x', password: STRONG, role: 'RestoreOperator' }, bearer(admin));
		await http.put(`${USERS}/dave`, { role: 'PortalOperator', password: 'An0ther-Pass!', oldPassword: STRONG }, bearer(admin));
		const setup = (await http.post(`${USERS}/dave/enableMfa`, {}, bearer(admin))).data;
		await http.post(`${USERS}/dave/acceptMfa`, { code: code(setup.secretKey), token: setup.token }, bearer(admin));
		await http.post(`${USERS}/dave/disableMfa`, undefined, bearer(admin));
		await http.delete(`${USERS}/dave`, bearer(admin));
		const log = await http.get('/__sim/log');
		expect(log.data.entries.map((e: { action: string; target: string }) => `${e.action} ${e.target}`)).toEqual([
			'user.create dave',
			'user.update dave',
			'user.mfaEnable dave',
			'user.mfaAccepted dave',
			'user.mfaDisable dave',
			'user.delete dave',
		]);
		const state = await http.get('/__sim/state');
		expect(state.data.users.map((u: { name: string }) => u.name)).toEqual(INITIAL);
		const secrets = [AWS_DEFAULT_PASSWORD, AWS_MFA_USER.password, AWS_MFA_USER.secret, ...AWS_MFA_USER.scratchCodes, STRONG, 'An0ther-Pass!', admin, setup.secretKey, setup.token, ...setup.scratchCodes];
		const dumped = JSON.stringify(log.data) + JSON.stringify(state.data);
		for (const s of secrets) {
			expect(dumped.includes(s) ? `leaked ${s}` : 'clean').toBe('clean');
			expect(sim.secrets.seen.has(s) ? 'known' : `unknown ${s}`).toBe('known');
		}
	});

	it('sets logins, seeds users with a role, answers health, stats and faults', async () => {
		expect((await http.post('/__sim/logins', { name: 'svc-n8n', password: 'Whatever-1!' })).status).toBe(204);
		expect((await token({ grant_type: 'password', username: 'svc-n8n', password: 'Whatever-1!' })).data.roleName).toBe('PortalAdministrator');
		expect((await http.post('/__sim/logins', { name: 'Bad Name', password: 'x' })).status).toBe(400);
		expect((await http.post('/__sim/seed', { count: 2, prefix: 'ops_', roles: ['PortalOperator'] })).data).toEqual({ added: 2 });
		expect((await token({ grant_type: 'password', username: 'ops_000002', password: AWS_DEFAULT_PASSWORD })).data.roleName).toBe('PortalOperator');
		expect((await http.post('/__sim/seed', { count: 1, roles: ['Backup Viewer'] })).status).toBe(400);
		expect((await http.get('/__sim/health')).data).toEqual({ ok: true, product: 'aws' });
		await http.post('/__sim/faults', { kind: 'status', status: 503, pathIncludes: '/users' });
		expectProblem(await http.get(USERS, bearer(await login())), 503, 'ServiceUnavailable');
		const stats = await http.get('/__sim/stats');
		expect(stats.data.grants).toMatchObject({ 'password:200': 3 });
		expect(stats.data.byRoute['POST /api/v1/token']).toBe(3);
	});
});

describe('Veeam Backup for AWS 10.0 users (user guide 10.0, 1.2-rev0 changelog)', () => {
	let admin: string;
	beforeEach(async () => {
		admin = await login();
	});
	const post = (body: object, version = VERSION) => http.post(USERS, body, { headers: { Authorization: `Bearer ${admin}`, 'x-api-version': version } });

	it('takes the Read-Only User role (ReadOnlyUser) from 1.8-rev0; 1.7-rev0 refuses it', async () => {
		expectProblem(await post({ name: 'viewer', description: '', password: STRONG, role: 'ReadOnlyUser' }, '1.7-rev0'), 400, 'UnexpectedContent');
		const created = await post({ name: 'viewer', description: '', password: STRONG, role: 'ReadOnlyUser' });
		expect(created.status).toBe(201);
		expect(created.data).toMatchObject({ name: 'viewer', role: 'ReadOnlyUser', accountType: 'Internal' });
	});

	it('refuses local names over 32 characters and admin; identity-provider names up to 125', async () => {
		expectProblem(await post({ name: 'a'.repeat(33), description: '', password: STRONG, role: 'PortalOperator' }), 400, 'UnexpectedContent');
		expect((await post({ name: 'a'.repeat(32), description: '', password: STRONG, role: 'PortalOperator' })).status).toBe(201);
		expectProblem(await post({ name: 'admin', description: '', password: STRONG, role: 'PortalOperator' }), 400, 'UnexpectedContent');
		expectProblem(await post({ name: 'ADMIN', description: '', accountType: 'External', role: 'PortalOperator' }), 400, 'UnexpectedContent');
		const sso = `${'j'.repeat(113)}@example.com`;
		expect(sso.length).toBe(125);
		expect((await post({ name: sso, description: '', accountType: 'External', role: 'RestoreOperator' })).status).toBe(201);
		expectProblem(await post({ name: `x${sso}`, description: '', accountType: 'External', role: 'RestoreOperator' }), 400, 'UnexpectedContent');
	});

	it('creates an identity-provider user (accountType External) without a password: no password login, no password change, no MFA', async () => {
		expectProblem(await post({ name: 'jane@example.com', description: '', accountType: 'External', password: STRONG, role: 'PortalOperator' }), 400, 'UnexpectedContent');
		expectProblem(await post({ name: 'jane@example.com', description: '', accountType: 'Directory', role: 'PortalOperator' }), 400, 'UnexpectedContent');
		const created = await post({ name: 'jane@example.com', description: 'SSO', accountType: 'External', role: 'PortalOperator' });
		expect(created.status).toBe(201);
		expect(created.data).toMatchObject({ name: 'jane@example.com', accountType: 'External', role: 'PortalOperator', mfaEnabled: false });
		expect((await token({ grant_type: 'password', username: 'jane@example.com', password: STRONG })).status).toBe(401);
		const path = `${USERS}/${encodeURIComponent('jane@example.com')}`;
		expectProblem(await http.put(path, { password: STRONG, oldPassword: STRONG }, bearer(admin)), 400, 'UnexpectedContent');
		expectProblem(await http.post(`${path}/enableMfa`, {}, bearer(admin)), 400, 'UnexpectedContent');
		expect((await http.put(path, { role: 'RestoreOperator', description: 'moved' }, bearer(admin))).data).toMatchObject({ role: 'RestoreOperator', description: 'moved' });
		expect((await http.delete(path, bearer(admin))).status).toBe(204);
	});

	it('with oldPasswordOnUpdate "always" wants the current password on every PUT (the 2.0 guide\'s words)', async () => {
		const other = await start({ aws: { oldPasswordOnUpdate: 'always' } });
		try {
			const t = await login(AWS_DEFAULT_ADMIN, AWS_DEFAULT_PASSWORD, other.http);
			expectProblem(await other.http.put(`${USERS}/operator`, { role: 'RestoreOperator' }, bearer(t)), 400, 'UnexpectedContent');
			expectProblem(await other.http.put(`${USERS}/operator`, { description: 'x', oldPassword: 'wrong' }, bearer(t)), 400, 'UnexpectedContent');
			const ok = await other.http.put(`${USERS}/operator`, { role: 'RestoreOperator', oldPassword: AWS_DEFAULT_PASSWORD }, bearer(t));
			expect(ok.data).toMatchObject({ role: 'RestoreOperator' });
		} finally {
			await stop(other);
		}
	});

	it('with searchPattern "ignored" lists every user whatever the SearchPattern', async () => {
		const other = await start({ aws: { searchPattern: 'ignored' } });
		try {
			const t = await login(AWS_DEFAULT_ADMIN, AWS_DEFAULT_PASSWORD, other.http);
			expect((await other.http.get(USERS, { ...bearer(t), params: { SearchPattern: 'oper' } })).data.totalCount).toBe(4);
		} finally {
			await stop(other);
		}
	});
});
