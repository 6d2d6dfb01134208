import https from 'node:https';

import axios, { type AxiosInstance, type AxiosResponse } from 'axios';

import { OpenApiContract } from '../support/contract';

import {
	startSimulator,
	totpAt,
	VBGC_DEFAULT_ADMIN,
	VBGC_DEFAULT_PASSWORD,
	VBGC_MFA_USER,
	type SimServer,
	type SimulatorOptions,
} from '../../sim';

/**
 * The VBGC simulator over real HTTPS: the client trusts the simulator's own CA, nothing else.
 */
const VERSION = '1.4-rev0';
const USERS = '/api/v1/users';
const ROLE_ADMIN = '3aa715c3-17b3-45b8-9e0b-c61743bf84d1';
const ROLE_OPERATOR = '0adb5f78-6593-4189-9383-95fe820a2647';
const ROLE_RESTORE = 'c082aeb7-6c99-4fcc-afaf-360573eff45c';
const STRONG = 'N3w-Passw0rd!x';

const contract = new OpenApiContract('vbgc-1.4-rev0.users.openapi.json');

interface Client {
	sim: SimServer;
	http: AxiosInstance;
	agent: https.Agent;
}

async function start(options: Partial<SimulatorOptions> = {}): Promise<Client> {
	const sim = await startSimulator({ product: 'vbgc', ...options });
	const agent = new https.Agent({ ca: sim.tls.caPem });
	const http = axios.create({
		baseURL: sim.url,
		httpsAgent: agent,
		validateStatus: () => true,
		headers: { 'x-api-version': VERSION },
	});
	// Every answer is checked against the VBGC contract (sim/spec/vbgc-1.4-rev0.users.openapi.json)
	// when the request used the contract's version.
	http.interceptors.response.use((res) => {
		const path = new URL(res.config.url ?? '', sim.url).pathname;
		const version = String(res.config.headers?.['x-api-version'] ?? '');
		if (version === VERSION && !path.startsWith('/__sim/')) {
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
	sim = c.sim;
	http = c.http;
});
afterAll(async () => {
	await stop(c);
	expect(contract.violations).toEqual([]);
	// Every operation of the contract was served at least once with a documented success.
	expect(contract.operationsInSpec().filter((op) => !contract.served.has(op))).toEqual([]);
});
beforeEach(() => sim.reset());

// ---- helpers --------------------------------------------------------------------------------------

function token(fields: Record<string, string>, client: AxiosInstance = http): Promise<AxiosResponse> {
	return client.post('/api/v1/token', new URLSearchParams(fields).toString(), {
		headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
	});
}

async function accessToken(username = VBGC_DEFAULT_ADMIN, password = VBGC_DEFAULT_PASSWORD): Promise<string> {
	const res = await token({ grant_type: 'password', username, password });
	expect(res.status).toBe(200);
	return res.data.access_token as string;
}

function bearer(t: string) {
	return { headers: { Authorization: `Bearer ${t}` } };
}

/**
 * A TOTP for the simulator's clock. The server accepts only the current 30-s window, so when the
 * window is about to close the simulator clock is moved into the next one first.
 */
function code(secret: string): string {
	const left = 30_000 - (sim.clock.now() % 30_000);
	if (left < 3_000) sim.clock.advance(Math.ceil(left / 1000));
	return totpAt(secret, sim.clock.now());
}

async function mfaToken(username = VBGC_MFA_USER.name, password: string = VBGC_MFA_USER.password): Promise<string> {
	const res = await token({ grant_type: 'password', username, password });
	expect(res.status).toBe(202);
	return res.data.mfa_token as string;
}

function expectProblem(res: AxiosResponse, status: number, errorCode: string): void {
	expect({ status: res.status, errorCode: res.data?.errorCode }).toEqual({ status, errorCode });
	expect(res.data.status).toBe(status);
	expect(typeof res.data.title).toBe('string');
	expect(typeof res.data.details).toBe('string');
}

function names(res: AxiosResponse): string[] {
	return (res.data.data as Array<{ name: string }>).map((u) => u.name);
}

// ---- API version ----------------------------------------------------------------------------------

describe('x-api-version', () => {
	it('is required on every call, the token call included, and the answer names the supported versions', async () => {
		const absent = await axios.get(`${sim.url}${USERS}`, { httpsAgent: c.agent, validateStatus: () => true });
		expectProblem(absent, 400, 'NotImplemented');
		expect(absent.data.details).toContain('required');
		const missing = await http.get(USERS, { headers: { 'x-api-version': ' ' } });
		expectProblem(missing, 400, 'NotImplemented');
		expect(missing.data.title).toBe('Bad Request');
		expect(missing.data.details).toContain('1.1-rev0, 1.2-rev0, 1.3-rev0, 1.4-rev0');
		expect(missing.data).not.toHaveProperty('type');

		const old = await http.post('/api/v1/token', 'grant_type=password', {
			headers: { 'x-api-version': '1.0-rev0', 'Content-Type': 'application/x-www-form-urlencoded' },
		});
		expectProblem(old, 400, 'NotImplemented');
		expect(old.data.details).toContain('not supported');

		for (const v of ['1.1-rev0', '1.2-rev0', '1.3-rev0', '1.4-rev0']) {
			const res = await http.post('/api/v1/token', `grant_type=password&username=${VBGC_DEFAULT_ADMIN}&password=${encodeURIComponent(VBGC_DEFAULT_PASSWORD)}`, {
				headers: { 'x-api-version': v, 'Content-Type': 'application/x-www-form-urlencoded' },
			});
			expect(`${v}:${res.status}`).toBe(`${v}:200`);
		}
	});

	it('follows the supportedVersions and announceVersions options', async () => {
		const other = await start({ vbgc: { supportedVersions: ['1.4-rev0'], announceVersions: false } });
		try {
			const res = await other.http.get(USERS, { headers: { 'x-api-version': '1.3-rev0' } });
			expectProblem(res, 400, 'NotImplemented');
			expect(res.data.details).not.toContain('1.4-rev0');
		} finally {
			await stop(other);
		}
	});
});

// ---- token: password, refresh, expiry -------------------------------------------------------------

describe('POST /api/v1/token', () => {
	it('answers the password grant with a RESTLogin body (any grant_type case, any user-name case)', async () => {
		const res = await token({ grant_type: 'Password', username: 'ADMINISTRATOR', password: VBGC_DEFAULT_PASSWORD });
		expect(res.status).toBe(200);
		expect(res.data).toEqual({
			access_token: expect.any(String),
			token_type: 'bearer',
			refresh_token: expect.any(String),
			expires_in: 900,
			'.issued': expect.any(String),
			'.expires': expect.any(String),
			username: VBGC_DEFAULT_ADMIN,
			roleName: 'Portal Administrator',
			mfa_enabled: false,
		});
		expect(Date.parse(res.data['.expires']) - Date.parse(res.data['.issued'])).toBe(900_000);
		const me = await http.get(`${USERS}/${VBGC_DEFAULT_ADMIN}`, bearer(res.data.access_token));
		expect(me.status).toBe(200);
	});

	it('refuses a wrong password, an unknown user and malformed grants', async () => {
		expectProblem(await token({ grant_type: 'password', username: VBGC_DEFAULT_ADMIN, password: 'nope' }), 401, 'AccessDenied');
		expectProblem(await token({ grant_type: 'password', username: 'ghost', password: VBGC_DEFAULT_PASSWORD }), 401, 'AccessDenied');
		expectProblem(await token({ grant_type: 'password', username: VBGC_DEFAULT_ADMIN }), 400, 'UnexpectedContent');
		expectProblem(await token({ grant_type: 'authorization_code', code: 'x' }), 400, 'UnexpectedContent');
		expectProblem(await token({ grant_type: 'client_credentials' }), 400, 'UnexpectedContent');
		const json = await http.post('/api/v1/token', { grant_type: 'password' });
		expectProblem(json, 400, 'UnexpectedContent');
	});

	it('makes refresh tokens single-use', async () => {
		const first = await token({ grant_type: 'password', username: VBGC_DEFAULT_ADMIN, password: VBGC_DEFAULT_PASSWORD });
		const refreshed = await token({ grant_type: 'refresh_token', refresh_token: first.data.refresh_token });
		expect(refreshed.status).toBe(200);
		expect(refreshed.data.username).toBe(VBGC_DEFAULT_ADMIN);
		expect(refreshed.data.refresh_token).not.toBe(first.data.refresh_token);

		expectProblem(await token({ grant_type: 'refresh_token', refresh_token: first.data.refresh_token }), 401, 'InvalidToken');
		expectProblem(await token({ grant_type: 'refresh_token', refresh_token: 'rt.forged' }), 401, 'InvalidToken');
		expect((await token({ grant_type: 'refresh_token', refresh_token: refreshed.data.refresh_token })).status).toBe(200);
	});

	it('lets a short-term refresh token live 60 minutes, a normal one longer', async () => {
		const creds = { grant_type: 'password', username: VBGC_DEFAULT_ADMIN, password: VBGC_DEFAULT_PASSWORD };
		const short = await token({ ...creds, use_short_term_refresh: 'true' });
		const normal = await token(creds);
		sim.clock.advance(59 * 60);
		const stillShort = await token({ grant_type: 'refresh_token', refresh_token: short.data.refresh_token, use_short_term_refresh: 'true' });
		expect(stillShort.status).toBe(200);
		sim.clock.advance(61 * 60);
		expectProblem(await token({ grant_type: 'refresh_token', refresh_token: stillShort.data.refresh_token }), 401, 'ExpiredToken');
		expect((await token({ grant_type: 'refresh_token', refresh_token: normal.data.refresh_token })).status).toBe(200);
	});

	it('expires access tokens after expiresIn seconds', async () => {
		const other = await start({ expiresIn: 60 });
		try {
			const res = await token({ grant_type: 'password', username: VBGC_DEFAULT_ADMIN, password: VBGC_DEFAULT_PASSWORD }, other.http);
			expect(res.data.expires_in).toBe(60);
			expect((await other.http.get(USERS, bearer(res.data.access_token))).status).toBe(200);
			other.sim.clock.advance(61);
			expectProblem(await other.http.get(USERS, bearer(res.data.access_token)), 401, 'ExpiredToken');
			const again = await token({ grant_type: 'refresh_token', refresh_token: res.data.refresh_token }, other.http);
			expect((await other.http.get(USERS, bearer(again.data.access_token))).status).toBe(200);
		} finally {
			await stop(other);
		}
	});

	it('counts grants by type and status', async () => {
		await token({ grant_type: 'password', username: VBGC_DEFAULT_ADMIN, password: 'wrong' });
		const t = await mfaToken();
		await token({ grant_type: 'mfa', mfa_token: t, mfa_code: code(VBGC_MFA_USER.secret) });
		const stats = await http.get('/__sim/stats');
		expect(stats.data.grants).toEqual({ 'password:401': 1, 'password:202': 1, 'mfa:200': 1 });
	});
});

// ---- token: MFA grant -----------------------------------------------------------------------------

describe('MFA login', () => {
	it('answers 202 with an mfa_token, then 200 for the current TOTP; the mfa_token is single-use', async () => {
		const step1 = await token({ grant_type: 'password', username: VBGC_MFA_USER.name, password: VBGC_MFA_USER.password });
		expect(step1.status).toBe(202);
		expect(step1.data).toEqual({ mfa_token: expect.any(String), mfa_enabled: true, username: VBGC_MFA_USER.name });
		expect(step1.data).not.toHaveProperty('access_token');

		const step2 = await token({ grant_type: 'MFA', mfa_token: step1.data.mfa_token, mfa_code: code(VBGC_MFA_USER.secret) });
		expect(step2.status).toBe(200);
		expect(step2.data).toMatchObject({ token_type: 'bearer', username: VBGC_MFA_USER.name, mfa_enabled: true, roleName: 'Portal Administrator' });
		expect((await http.get(USERS, bearer(step2.data.access_token))).status).toBe(200);

		const reuse = await token({ grant_type: 'mfa', mfa_token: step1.data.mfa_token, mfa_code: code(VBGC_MFA_USER.secret) });
		expectProblem(reuse, 401, 'InvalidToken');
	});

	it('refuses a wrong code but keeps the mfa_token for another try', async () => {
		const t = await mfaToken();
		const right = code(VBGC_MFA_USER.secret);
		const wrong = right === '000000' ? '111111' : '000000';
		expectProblem(await token({ grant_type: 'mfa', mfa_token: t, mfa_code: wrong }), 401, 'AccessDenied');
		expect((await token({ grant_type: 'mfa', mfa_token: t, mfa_code: code(VBGC_MFA_USER.secret) })).status).toBe(200);
	});

	it('accepts only the current 30-s window by default', async () => {
		const t = await mfaToken();
		code(VBGC_MFA_USER.secret); // move away from a window edge
		const previous = totpAt(VBGC_MFA_USER.secret, sim.clock.now() - 30_000);
		const next = totpAt(VBGC_MFA_USER.secret, sim.clock.now() + 30_000);
		const current = code(VBGC_MFA_USER.secret);
		if (previous !== current) {
			expectProblem(await token({ grant_type: 'mfa', mfa_token: t, mfa_code: previous }), 401, 'AccessDenied');
		}
		if (next !== current) {
			expectProblem(await token({ grant_type: 'mfa', mfa_token: t, mfa_code: next }), 401, 'AccessDenied');
		}
		expect(previous === current && next === current).toBe(false);
	});

	it('burns the mfa_token at the fifth wrong code', async () => {
		const t = await mfaToken();
		const right = code(VBGC_MFA_USER.secret);
		const wrong = right === '000000' ? '111111' : '000000';
		for (let i = 1; i <= 5; i++) {
			expectProblem(await token({ grant_type: 'mfa', mfa_token: t, mfa_code: wrong }), 401, 'AccessDenied');
		}
		expectProblem(await token({ grant_type: 'mfa', mfa_token: t, mfa_code: code(VBGC_MFA_USER.secret) }), 401, 'InvalidToken');
	});

	it('expires the mfa_token after 300 s', async () => {
		const t = await mfaToken();
		sim.clock.advance(301);
		expectProblem(await token({ grant_type: 'mfa', mfa_token: t, mfa_code: code(VBGC_MFA_USER.secret) }), 401, 'ExpiredToken');
		expectProblem(await token({ grant_type: 'mfa', mfa_token: 'forged', mfa_code: '123456' }), 401, 'InvalidToken');
		expectProblem(await token({ grant_type: 'mfa', mfa_token: t }), 400, 'UnexpectedContent');
	});

	it('takes each 8-digit scratch code once', async () => {
		const scratch = VBGC_MFA_USER.scratchCodes[0];
		expect((await token({ grant_type: 'mfa', mfa_token: await mfaToken(), mfa_code: scratch })).status).toBe(200);
		expectProblem(await token({ grant_type: 'mfa', mfa_token: await mfaToken(), mfa_code: scratch }), 401, 'AccessDenied');
		expect((await token({ grant_type: 'mfa', mfa_token: await mfaToken(), mfa_code: VBGC_MFA_USER.scratchCodes[1] })).status).toBe(200);
		expectProblem(await token({ grant_type: 'mfa', mfa_token: await mfaToken(), mfa_code: '12345678' }), 401, 'AccessDenied');
		// reset() gives the seeded user its scratch codes back.
		sim.reset();
		expect((await token({ grant_type: 'mfa', mfa_token: await mfaToken(), mfa_code: scratch })).status).toBe(200);
	});
});

// ---- authorization --------------------------------------------------------------------------------

describe('authorization', () => {
	it('answers 401 without a token or with an unknown one', async () => {
		const none = await http.get(USERS);
		expectProblem(none, 401, 'AccessDenied');
		expect(none.data.title).toBe('Unauthorized');
		expectProblem(await http.get(USERS, bearer('at.forged')), 401, 'InvalidToken');
		expectProblem(await http.get(`${USERS}/roles`, { headers: { Authorization: 'Basic abc' } }), 401, 'AccessDenied');
	});

	it('needs Portal Administrator for user management (403 otherwise)', async () => {
		const op = await accessToken('operator');
		const forbidden = await http.get(USERS, bearer(op));
		expectProblem(forbidden, 403, 'AccessDenied');
		expect(forbidden.data.title).toBe('Forbidden');
		expectProblem(await http.get(`${USERS}/roles`, bearer(op)), 403, 'AccessDenied');
		expectProblem(await http.post(USERS, { name: 'x', password: STRONG, roleIds: [ROLE_RESTORE] }, bearer(op)), 403, 'AccessDenied');
		expectProblem(await http.get(`${USERS}/${VBGC_DEFAULT_ADMIN}`, bearer(op)), 403, 'AccessDenied');
		expectProblem(await http.get(`${USERS}/nobody`, bearer(op)), 403, 'AccessDenied');
		expectProblem(await http.put(`${USERS}/operator`, { description: 'me' }, bearer(op)), 403, 'AccessDenied');
		expectProblem(await http.delete(`${USERS}/restorer`, bearer(op)), 403, 'AccessDenied');
		expectProblem(await http.post(`${USERS}/operator/mfaDisable`, {}, bearer(op)), 403, 'AccessDenied');
		// Roles are read at each request: promote the operator and the same token can manage users.
		const admin = await accessToken();
		await http.put(`${USERS}/operator`, { roleIds: [ROLE_OPERATOR, ROLE_ADMIN] }, bearer(admin));
		expect((await http.get(USERS, bearer(op))).status).toBe(200);
	});

	it('lets any user read their own account and change their own password', async () => {
		const op = await accessToken('restorer');
		const me = await http.get(`${USERS}/RESTORER`, bearer(op));
		expect(me.status).toBe(200);
		expect(me.data.name).toBe('restorer');
		const changed = await http.post(`${USERS}/restorer/changePassword`, { password: STRONG, oldPassword: VBGC_DEFAULT_PASSWORD }, bearer(op));
		expect(changed.status).toBe(201);
	});

	it('can restrict self-service with selfService: false', async () => {
		const other = await start({ vbgc: { selfService: false } });
		try {
			const res = await token({ grant_type: 'password', username: 'restorer', password: VBGC_DEFAULT_PASSWORD }, other.http);
			expectProblem(await other.http.get(`${USERS}/restorer`, bearer(res.data.access_token)), 403, 'AccessDenied');
		} finally {
			await stop(other);
		}
	});
});

// ---- users ---------------------------------------------------------------------------------------

describe('user routes', () => {
	let admin: string;
	beforeEach(async () => {
		admin = await accessToken();
	});

	it('lists the initial users by name with pagination', async () => {
		const res = await http.get(USERS, bearer(admin));
		expect(res.status).toBe(200);
		expect(names(res)).toEqual([VBGC_DEFAULT_ADMIN, VBGC_MFA_USER.name, 'operator', 'restorer']);
		expect(res.data.pagination).toEqual({ offset: 0, limit: 100, totalCount: 4 });
		expect(res.data.data[0]).toEqual({
			name: VBGC_DEFAULT_ADMIN,
			description: expect.any(String),
			mfaEnabled: false,
			type: 'DefaultAdmin',
			roles: [{ id: ROLE_ADMIN, name: 'Portal Administrator', description: expect.any(String) }],
		});
		expect(res.data.data[1]).toMatchObject({ name: VBGC_MFA_USER.name, mfaEnabled: true, type: 'Local' });
	});

	it('lists the three roles at /users/roles', async () => {
		const res = await http.get(`${USERS}/roles`, bearer(admin));
		expect(res.status).toBe(200);
		expect(res.data.data.map((r: { id: string; name: string }) => `${r.name}=${r.id}`)).toEqual([
			`Portal Administrator=${ROLE_ADMIN}`,
			`Portal Operator=${ROLE_OPERATOR}`,
			`Restore Operator=${ROLE_RESTORE}`,
		]);
		expect(res.data.pagination).toMatchObject({ offset: 0, totalCount: 3 });
	});

	it('creates, reads (any case), updates and deletes a user', async () => {
		const created = await http.post(USERS, { name: 'alice-smith', password: STRONG, roleIds: [ROLE_OPERATOR.toUpperCase()], description: 'Ops' }, bearer(admin));
		expect(created.status).toBe(200);
		expect(created.data).toEqual({
			user: {
				name: 'alice-smith',
				description: 'Ops',
				mfaEnabled: false,
				type: 'Local',
				roles: [{ id: ROLE_OPERATOR, name: 'Portal Operator', description: expect.any(String) }],
			},
			issues: [],
		});

		const read = await http.get(`${USERS}/ALICE-SMITH`, bearer(admin));
		expect(read.status).toBe(200);
		expect(read.data.name).toBe('alice-smith');

		const updated = await http.put(`${USERS}/ALICE-SMITH`, { description: 'Restores', roleIds: [ROLE_RESTORE, ROLE_OPERATOR] }, bearer(admin));
		expect(updated.status).toBe(200);
		expect(updated.data.issues).toEqual([]);
		expect(updated.data.user.description).toBe('Restores');
		expect(updated.data.user.roles.map((r: { name: string }) => r.name)).toEqual(['Restore Operator', 'Portal Operator']);
		const descOnly = await http.put(`${USERS}/alice-smith`, { description: '' }, bearer(admin));
		expect(descOnly.data.user).toMatchObject({ description: '', roles: [{ id: ROLE_RESTORE }, { id: ROLE_OPERATOR }] });

		const aliceLogin = await token({ grant_type: 'password', username: 'alice-smith', password: STRONG });
		const alice = aliceLogin.data.access_token as string;
		const aliceRefresh = aliceLogin.data.refresh_token as string;
		const deleted = await http.delete(`${USERS}/Alice-Smith`, bearer(admin));
		expect(deleted.status).toBe(204);
		expect(deleted.data).toBe('');
		const gone = await http.get(`${USERS}/Alice-Smith`, bearer(admin));
		expectProblem(gone, 404, 'NotFound');
		expect(gone.data.instance).toBe('Alice-Smith');
		expect(gone.data.title).toBe('Not Found');
		// Her sessions ended with her account, and do not come back with a new account of that name.
		expectProblem(await http.get(`${USERS}/alice-smith`, bearer(alice)), 401, 'InvalidToken');
		await http.post(USERS, { name: 'alice-smith', password: STRONG, roleIds: [ROLE_ADMIN] }, bearer(admin));
		expectProblem(await http.get(`${USERS}/alice-smith`, bearer(alice)), 401, 'InvalidToken');
		expectProblem(await token({ grant_type: 'refresh_token', refresh_token: aliceRefresh }), 401, 'InvalidToken');
		await http.delete(`${USERS}/alice-smith`, bearer(admin));
		expectProblem(await http.delete(`${USERS}/Alice-Smith`, bearer(admin)), 404, 'NotFound');
		expectProblem(await http.put(`${USERS}/nobody`, { description: 'x' }, bearer(admin)), 404, 'NotFound');
		expectProblem(await http.post(`${USERS}/nobody/mfaDisable`, {}, bearer(admin)), 404, 'NotFound');
	});

	it('validates new users: name, duplicates, roles, password policy', async () => {
		const post = (body: Record<string, unknown>) => http.post(USERS, body, bearer(admin));
		const ok = { name: 'bob', password: STRONG, roleIds: [ROLE_RESTORE] };
		// Veeam's 7.0 user guide, "Account Info": at most 32 characters; lowercase Latin letters, digits, _ and - only.
		const refused = ['', 'has space', 'a/b', 'a\\b', 'x'.repeat(33), 'x'.repeat(65), 'Roles', 'roles', 'Jane', 'jane.doe', 'jane@corp', 'a$', 'jané', '.', '..', 42];
		for (const name of refused) {
			const res = await post({ ...ok, name });
			expect(`${JSON.stringify(name)}:${res.status}:${res.data.errorCode}`).toBe(`${JSON.stringify(name)}:400:UnexpectedContent`);
		}
		expect((await post({ ...ok, name: 'jane.doe' })).data.details).toBe(
			'The account name can contain only lowercase Latin letters, numeric characters, underscores and dashes.',
		);
		expect((await post({ ...ok, name: 'x'.repeat(33) })).data.details).toBe('The maximum length of the account name is 32 characters.');
		expect((await post({ ...ok, name: 'x'.repeat(32) })).status).toBe(200);
		expect((await post({ ...ok, name: 'a_b-9' })).status).toBe(200);
		const dup = await post({ ...ok, name: 'operator' });
		expectProblem(dup, 400, 'UnexpectedContent');
		expect(dup.data.instance).toBe('operator');
		for (const roleIds of [[], undefined, ['not-a-uuid'], ['11111111-2222-3333-4444-555555555555'], ROLE_ADMIN]) {
			expectProblem(await post({ ...ok, roleIds }), 400, 'UnexpectedContent');
		}
		for (const password of ['Sh0rt!a', 'alllower1!', 'ALLUPPER1!', 'NoDigits!!', 'NoSpecial12', '', undefined]) {
			const res = await post({ ...ok, password });
			expect(`${password}:${res.status}`).toBe(`${password}:400`);
		}
		const weak = await post({ ...ok, password: 'weakpass' });
		expect(weak.data.details).toMatch(/at least 8 characters.*upper-case.*lower-case.*digit.*special/);
		expectProblem(await post({ ...ok, description: 5 }), 400, 'UnexpectedContent');
		const notJson = await http.post(USERS, 'name=bob', { headers: { Authorization: `Bearer ${admin}`, 'Content-Type': 'text/plain' } });
		expectProblem(notJson, 400, 'UnexpectedContent');
		expect((await post(ok)).status).toBe(200);
		// A created user logs in with the password it was given.
		expect((await token({ grant_type: 'password', username: 'bob', password: STRONG })).data.roleName).toBe('Restore Operator');
	});

	it('protects the default administrator', async () => {
		const del = await http.delete(`${USERS}/Administrator`, bearer(admin));
		expectProblem(del, 400, 'UnexpectedContent');
		expect(del.data.instance).toBe(VBGC_DEFAULT_ADMIN);
		expectProblem(await http.put(`${USERS}/administrator`, { roleIds: [ROLE_OPERATOR] }, bearer(admin)), 400, 'UnexpectedContent');
		const both = await http.put(`${USERS}/administrator`, { roleIds: [ROLE_OPERATOR, ROLE_ADMIN] }, bearer(admin));
		expect(both.status).toBe(200);
		expect((await http.get(`${USERS}/administrator`, bearer(admin))).data.type).toBe('DefaultAdmin');
	});

	it('changes a password: old one required, policy applied, sessions kept', async () => {
		const url = `${USERS}/operator/changePassword`;
		expectProblem(await http.post(url, { password: STRONG, oldPassword: 'wrong' }, bearer(admin)), 400, 'UnexpectedContent');
		expectProblem(await http.post(url, { password: 'weak', oldPassword: VBGC_DEFAULT_PASSWORD }, bearer(admin)), 400, 'UnexpectedContent');
		expectProblem(await http.post(url, { password: STRONG }, bearer(admin)), 400, 'UnexpectedContent');
		const before = await accessToken('operator');
		const res = await http.post(url, { password: STRONG, oldPassword: VBGC_DEFAULT_PASSWORD }, bearer(admin));
		expect(res.status).toBe(201);
		expect(res.data).toEqual({ user: expect.objectContaining({ name: 'operator' }), issues: [] });
		expectProblem(await token({ grant_type: 'password', username: 'operator', password: VBGC_DEFAULT_PASSWORD }), 401, 'AccessDenied');
		expect((await token({ grant_type: 'password', username: 'operator', password: STRONG })).status).toBe(200);
		expect((await http.get(`${USERS}/operator`, bearer(before))).status).toBe(200);
	});

	it('answers a path no route serves with a bare 404 (no Veeam body), and a wrong method as problem details', async () => {
		const unknown = await http.get('/api/v1/nothing', bearer(admin));
		expect(unknown.status).toBe(404);
		expect(unknown.data).toBe('');
		const patch = await http.patch(`${USERS}/operator`, {}, bearer(admin));
		expectProblem(patch, 405, 'MethodNotAllowed');
		expect(patch.data.title).toBe('Method Not Allowed');
	});
});

// ---- paging, filter, orderby ---------------------------------------------------------------------

describe('GET /api/v1/users paging and queries', () => {
	let admin: string;
	beforeEach(async () => {
		admin = await accessToken();
		sim.seed({ count: 250, prefix: 'bulk.', roles: ['Portal Operator'] });
	});
	const list = (params: Record<string, string | number>) => http.get(USERS, { ...bearer(admin), params });

	it('pages with offset and limit (default 100, clamped to maxPageSize 500)', async () => {
		const first = await list({});
		expect(first.data.pagination).toEqual({ offset: 0, limit: 100, totalCount: 254 });
		expect(first.data.data).toHaveLength(100);
		expect(names(first).slice(0, 3)).toEqual([VBGC_DEFAULT_ADMIN, 'bulk.000001', 'bulk.000002']);

		const seen: string[] = [];
		for (let offset = 0; offset < 254; offset += 60) {
			const page = await list({ offset, limit: 60 });
			expect(page.data.pagination).toEqual({ offset, limit: 60, totalCount: 254 });
			expect(page.data.data).toHaveLength(Math.min(60, 254 - offset));
			seen.push(...names(page));
		}
		expect(seen).toHaveLength(254);
		expect(new Set(seen).size).toBe(254);

		const big = await list({ limit: 1000 });
		expect(big.data.pagination).toEqual({ offset: 0, limit: 500, totalCount: 254 });
		expect((await list({ offset: 300 })).data.pagination).toEqual({ offset: 300, limit: 100, totalCount: 254 });
		expectProblem(await list({ limit: 0 }), 400, 'UnexpectedContent');
		expectProblem(await list({ offset: -1 }), 400, 'UnexpectedContent');
		expectProblem(await list({ limit: 'ten' }), 400, 'UnexpectedContent');
	});

	it('filters with contains, equals, notEquals, in and like, ANDed', async () => {
		const f = (filter: unknown[]) => list({ filter: JSON.stringify(filter), limit: 500 });
		const contains = await f([{ property: 'name', operator: 'contains', ignorecase: 'true', value: 'ADM' }]);
		expect(names(contains)).toEqual([VBGC_DEFAULT_ADMIN, VBGC_MFA_USER.name]);
		const caseSensitive = await f([{ property: 'name', operator: 'contains', ignorecase: 'false', value: 'ADM' }]);
		expect(caseSensitive.data.pagination.totalCount).toBe(0);

		expect(names(await f([{ property: 'name', operator: 'equals', ignorecase: 'true', value: 'OPERATOR' }]))).toEqual(['operator']);
		expect((await f([{ property: 'name', operator: 'notEquals', ignorecase: 'false', value: 'operator' }])).data.pagination.totalCount).toBe(253);
		expect(names(await f([{ property: 'name', operator: 'in', ignorecase: 'false', value: ['restorer', 'bulk.000007', 'nobody'] }]))).toEqual([
			'bulk.000007',
			'restorer',
		]);
		const like = await f([{ property: 'name', operator: 'like', ignorecase: 'true', value: 'BULK.00002*' }]);
		expect(like.data.pagination.totalCount).toBe(10);
		expect(names(await f([{ property: 'name', operator: 'like', ignorecase: 'true', value: '*.00024?' }]))).toHaveLength(10);

		expect(names(await f([{ property: 'mfaEnabled', operator: 'equals', ignorecase: 'false', value: true }]))).toEqual([VBGC_MFA_USER.name]);
		expect(names(await f([{ property: 'type', operator: 'equals', ignorecase: 'false', value: 'DefaultAdmin' }]))).toEqual([VBGC_DEFAULT_ADMIN]);
		expect((await f([{ property: 'description', operator: 'contains', ignorecase: 'true', value: 'seeded user 1' }])).data.pagination.totalCount).toBe(
			1 + 10 + 100, // 1, 10-19, 100-199
		);

		const anded = await f([
			{ property: 'name', operator: 'like', ignorecase: 'true', value: 'bulk.*' },
			{ property: 'description', operator: 'contains', ignorecase: 'false', value: 'user 24' },
		]);
		expect(names(anded)).toEqual(['bulk.000024', ...Array.from({ length: 10 }, (_, i) => `bulk.00024${i}`)]);
	});

	it('refuses malformed filters with 400 UnexpectedContent', async () => {
		for (const filter of [
			'not json',
			'{"property":"name","operator":"equals","value":"x"}',
			'[{"property":"password","operator":"equals","value":"x"}]',
			'[{"property":"name","operator":"greaterThan","value":"x"}]',
			'[{"property":"name","operator":"in","value":"x"}]',
			'[{"property":"name","operator":"equals","ignorecase":"maybe","value":"x"}]',
			'[{"property":"name","operator":"equals"}]',
			'[{"property":"mfaEnabled","operator":"equals","value":"yes"}]',
			'[42]',
		]) {
			const res = await list({ filter });
			expect(`${filter} → ${res.status} ${res.data.errorCode}`).toBe(`${filter} → 400 UnexpectedContent`);
		}
	});

	it('orders by name, description, mfaEnabled and type, ASC or DESC', async () => {
		const o = (orderby: unknown[], extra: Record<string, string | number> = {}) => list({ orderby: JSON.stringify(orderby), ...extra });
		const desc = await o([{ property: 'name', direction: 'DESC' }], { limit: 3 });
		expect(names(desc)).toEqual(['restorer', 'operator', VBGC_MFA_USER.name]);
		const descTail = await o([{ property: 'name', direction: 'desc' }], { offset: 252 });
		expect(names(descTail)).toEqual(['bulk.000001', VBGC_DEFAULT_ADMIN]);

		const byMfa = await o([{ property: 'mfaEnabled', direction: 'DESC' }], { limit: 2 });
		expect(names(byMfa)).toEqual([VBGC_MFA_USER.name, VBGC_DEFAULT_ADMIN]);

		const byType = await o([{ property: 'type', direction: 'ASC' }], { limit: 2 });
		expect(names(byType)).toEqual([VBGC_DEFAULT_ADMIN, 'bulk.000001']);

		const byDescription = await o([{ property: 'description', direction: 'ASC' }], { limit: 2 });
		expect(byDescription.data.data.map((u: { description: string }) => u.description)).toEqual([
			'Administrator with MFA',
			'Backup operator',
		]);
		const twoKeys = await o([
			{ property: 'type', direction: 'DESC' },
			{ property: 'name', direction: 'DESC' },
		], { limit: 1 });
		expect(names(twoKeys)).toEqual(['restorer']);

		expectProblem(await o([{ property: 'name', direction: 'UP' }]), 400, 'UnexpectedContent');
		expectProblem(await o([{ property: 'roles', direction: 'ASC' }]), 400, 'UnexpectedContent');
		expectProblem(await list({ orderby: 'name' }), 400, 'UnexpectedContent');
	});

	it('stays fast at 100,000 users', async () => {
		sim.seed({ count: 100_000, prefix: 'load.' });
		const t0 = Date.now();
		const first = await list({ limit: 500 });
		const filtered = await list({
			filter: JSON.stringify([{ property: 'name', operator: 'contains', ignorecase: 'true', value: '99999' }]),
			orderby: JSON.stringify([{ property: 'name', direction: 'DESC' }]),
		});
		const last = await list({ offset: 100_200, limit: 100 });
		const elapsed = Date.now() - t0;
		expect(first.data.pagination.totalCount).toBe(100_254);
		expect(names(filtered)).toEqual(['load.099999']);
		expect(last.data.data).toHaveLength(54);
		// A bound on work, not a speed test (bench:sim measures throughput): it catches work quadratic
		// in the users (some 10^10 steps at 100,000), with a hundredfold margin over a correct list.
		expect(elapsed).toBeLessThan(30_000);
		// Created users land in the sorted view right away.
		await http.post(USERS, { name: 'aaa', password: STRONG, roleIds: [ROLE_RESTORE] }, bearer(admin));
		expect(names(await list({ limit: 1 }))).toEqual(['aaa']);
	});
});

// ---- MFA setup flow -------------------------------------------------------------------------------

describe('MFA setup', () => {
	let admin: string;
	beforeEach(async () => {
		admin = await accessToken();
		const res = await http.post(USERS, { name: 'carol', password: STRONG, roleIds: [ROLE_OPERATOR] }, bearer(admin));
		expect(res.status).toBe(200);
	});

	it('runs end to end: mfaEnable → code → mfaAccepted → 202 → mfa grant → 200', async () => {
		const enable = await http.post(`${USERS}/carol/mfaEnable`, { recreate: false }, bearer(admin));
		expect(enable.status).toBe(200);
		expect(enable.data.issues).toEqual([]);
		const { qrString, secretKey, scratchCodes, token: setupToken } = enable.data.response;
		expect(secretKey).toMatch(/^[A-Z2-7]{32}$/);
		expect(qrString).toBe(`otpauth://totp/carol@127.0.0.1?secret=${secretKey}&issuer=127.0.0.1`);
		expect(scratchCodes).toHaveLength(5);
		for (const s of scratchCodes) expect(s).toMatch(/^\d{8}$/);
		expect(Buffer.from(setupToken, 'base64').length).toBeGreaterThanOrEqual(16);

		// Pending: not on until accepted.
		expect((await token({ grant_type: 'password', username: 'carol', password: STRONG })).status).toBe(200);
		expect((await http.get(`${USERS}/carol`, bearer(admin))).data.mfaEnabled).toBe(false);

		const current = code(secretKey);
		const wrongCode = current === '000000' ? '111111' : '000000';
		expectProblem(await http.post(`${USERS}/carol/mfaAccepted`, { code: wrongCode, token: setupToken }, bearer(admin)), 400, 'UnexpectedContent');
		expectProblem(await http.post(`${USERS}/carol/mfaAccepted`, { code: current, token: 'bm9wZQ==' }, bearer(admin)), 400, 'UnexpectedContent');
		expectProblem(await http.post(`${USERS}/carol/mfaAccepted`, { code: current }, bearer(admin)), 400, 'UnexpectedContent');

		const accepted = await http.post(`${USERS}/carol/mfaAccepted`, { code: code(secretKey), token: setupToken }, bearer(admin));
		expect(accepted.status).toBe(201);
		expect(accepted.data).toEqual({ success: true, issues: [] });
		expect((await http.get(`${USERS}/carol`, bearer(admin))).data.mfaEnabled).toBe(true);

		const t = await mfaToken('carol', STRONG);
		const login = await token({ grant_type: 'mfa', mfa_token: t, mfa_code: code(secretKey) });
		expect(login.status).toBe(200);
		expect(login.data).toMatchObject({ username: 'carol', mfa_enabled: true, roleName: 'Portal Operator' });
		// The scratch codes from the setup answer work too.
		expect((await token({ grant_type: 'mfa', mfa_token: await mfaToken('carol', STRONG), mfa_code: scratchCodes[4] })).status).toBe(200);
	});

	it('needs recreate to replace an active secret; the old secret works until the new one is accepted', async () => {
		expectProblem(await http.post(`${USERS}/carol/mfaEnable`, {}, bearer(admin)), 400, 'UnexpectedContent');
		expectProblem(await http.post(`${USERS}/carol/mfaEnable`, { recreate: 'yes' }, bearer(admin)), 400, 'UnexpectedContent');
		expectProblem(await http.post(`${USERS}/carol/mfaAccepted`, { code: '123456', token: 'x' }, bearer(admin)), 400, 'UnexpectedContent');

		const first = (await http.post(`${USERS}/carol/mfaEnable`, { recreate: false }, bearer(admin))).data.response;
		await http.post(`${USERS}/carol/mfaAccepted`, { code: code(first.secretKey), token: first.token }, bearer(admin));

		const again = await http.post(`${USERS}/carol/mfaEnable`, { recreate: false }, bearer(admin));
		expectProblem(again, 400, 'UnexpectedContent');
		expect(again.data.instance).toBe('carol');

		const second = (await http.post(`${USERS}/carol/mfaEnable`, { recreate: true }, bearer(admin))).data.response;
		expect(second.secretKey).not.toBe(first.secretKey);
		expect((await token({ grant_type: 'mfa', mfa_token: await mfaToken('carol', STRONG), mfa_code: code(first.secretKey) })).status).toBe(200);

		expect((await http.post(`${USERS}/carol/mfaAccepted`, { code: code(second.secretKey), token: second.token }, bearer(admin))).status).toBe(201);
		const oldCode = code(first.secretKey);
		if (oldCode !== code(second.secretKey)) {
			expectProblem(await token({ grant_type: 'mfa', mfa_token: await mfaToken('carol', STRONG), mfa_code: oldCode }), 401, 'AccessDenied');
		}
		expect((await token({ grant_type: 'mfa', mfa_token: await mfaToken('carol', STRONG), mfa_code: code(second.secretKey) })).status).toBe(200);
	});

	it('lets a user set up their own MFA, and an administrator turn it off', async () => {
		const own = await accessToken('carol', STRONG);
		const setup = (await http.post(`${USERS}/carol/mfaEnable`, { recreate: false }, bearer(own))).data.response;
		expect((await http.post(`${USERS}/carol/mfaAccepted`, { code: code(setup.secretKey), token: setup.token }, bearer(own))).status).toBe(201);
		expectProblem(await http.post(`${USERS}/operator/mfaEnable`, { recreate: false }, bearer(own)), 403, 'AccessDenied');

		const pendingLogin = await mfaToken('carol', STRONG);
		const otherPendingLogin = await mfaToken('carol', STRONG);
		const off = await http.post(`${USERS}/carol/mfaDisable`, {}, bearer(admin));
		expect(off.status).toBe(200);
		expect(off.data).toEqual({ success: true, issues: [] });
		expect((await http.get(`${USERS}/carol`, bearer(admin))).data.mfaEnabled).toBe(false);
		// A login half-way through MFA cannot finish once MFA is off; a fresh one needs no code.
		expectProblem(await token({ grant_type: 'mfa', mfa_token: pendingLogin, mfa_code: code(setup.secretKey) }), 401, 'InvalidToken');
		const plain = await token({ grant_type: 'password', username: 'carol', password: STRONG });
		expect(plain.status).toBe(200);
		expect(plain.data.mfa_enabled).toBe(false);
		// Nor once MFA is back on with a new secret.
		const again = (await http.post(`${USERS}/carol/mfaEnable`, { recreate: false }, bearer(own))).data.response;
		expect((await http.post(`${USERS}/carol/mfaAccepted`, { code: code(again.secretKey), token: again.token }, bearer(own))).status).toBe(201);
		expectProblem(await token({ grant_type: 'mfa', mfa_token: otherPendingLogin, mfa_code: code(again.secretKey) }), 401, 'InvalidToken');
	});
});

// ---- control endpoint: log, state, logins ---------------------------------------------------------

describe('mutation log and state', () => {
	it('records every change without passwords, secrets or tokens', async () => {
		const admin = await accessToken();
		const secrets: string[] = [VBGC_DEFAULT_PASSWORD, VBGC_MFA_USER.password, VBGC_MFA_USER.secret, ...VBGC_MFA_USER.scratchCodes, STRONG, admin];
		const created = await http.post(USERS, { name: 'dave', password: STRONG, roleIds: [ROLE_RESTORE] }, bearer(admin));
		expect(created.status).toBe(200);
		await http.put(`${USERS}/dave`, { description: 'Restore desk', roleIds: [ROLE_OPERATOR] }, bearer(admin));
		const setup = (await http.post(`${USERS}/dave/mfaEnable`, { recreate: false }, bearer(admin))).data.response;
		secrets.push(setup.secretKey, setup.token, ...setup.scratchCodes);
		await http.post(`${USERS}/dave/mfaAccepted`, { code: code(setup.secretKey), token: setup.token }, bearer(admin));
		const second = 'An0ther-Pass!';
		secrets.push(second);
		expect((await http.post(`${USERS}/dave/changePassword`, { password: second, oldPassword: STRONG }, bearer(admin))).status).toBe(201);
		const mfaLogin = await mfaToken();
		secrets.push(mfaLogin);
		const done = await token({ grant_type: 'mfa', mfa_token: mfaLogin, mfa_code: VBGC_MFA_USER.scratchCodes[2] });
		secrets.push(done.data.access_token, done.data.refresh_token);
		await http.post(`${USERS}/dave/mfaDisable`, {}, bearer(admin));
		await http.delete(`${USERS}/dave`, bearer(admin));

		const log = await http.get('/__sim/log');
		const actions = (log.data.entries as Array<{ action: string; target: string }>).map((e) => `${e.action} ${e.target}`);
		expect(actions).toEqual([
			'user.create dave',
			'user.update dave',
			'user.mfaEnable dave',
			'user.mfaAccepted dave',
			'user.password dave',
			'user.mfaScratchCode mfa-admin',
			'user.mfaDisable dave',
			'user.delete dave',
		]);
		const state = await http.get('/__sim/state');
		expect(state.data.product).toBe('vbgc');
		expect(state.data.roles).toHaveLength(3);
		expect(state.data.users.map((u: { name: string }) => u.name)).toEqual([VBGC_DEFAULT_ADMIN, VBGC_MFA_USER.name, 'operator', 'restorer']);
		const dumped = JSON.stringify(log.data) + JSON.stringify(state.data);
		for (const s of secrets) expect(dumped.includes(s) ? `leaked ${s}` : 'clean').toBe('clean');
	});

	it('sets logins through the control endpoint', async () => {
		expect((await http.post('/__sim/logins', { name: 'svc-n8n', password: 'Ctl-L0gin-Pass!' })).status).toBe(204);
		const res = await token({ grant_type: 'password', username: 'svc-n8n', password: 'Ctl-L0gin-Pass!' });
		expect(res.status).toBe(200);
		expect(res.data.roleName).toBe('Portal Administrator');
		expect((await http.post('/__sim/logins', { name: 'OPERATOR', password: 'Ctl-Chang3d-Pass!' })).status).toBe(204);
		expect((await token({ grant_type: 'password', username: 'operator', password: 'Ctl-Chang3d-Pass!' })).status).toBe(200);
		expect((await http.post('/__sim/logins', { name: 'bad name', password: 'x' })).status).toBe(400);
	});

	it('seeds users that can log in, with the roles asked for', async () => {
		expect((await http.post('/__sim/seed', { count: 3, prefix: 'ops.', roles: ['Portal Operator'] })).data).toEqual({ added: 3 });
		const res = await token({ grant_type: 'password', username: 'ops.000002', password: VBGC_DEFAULT_PASSWORD });
		expect(res.data.roleName).toBe('Portal Operator');
		expect((await http.post('/__sim/seed', { count: 1, roles: ['Backup Viewer'] })).status).toBe(400);
	});
});
