import axios from 'axios';
import { Agent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';

import { startSimulator, VBR_DEFAULT_PASSWORD, type SimServer } from '../../sim';
import { OpenApiContract } from '../support/contract';
import { simClient } from '../support/simClient';

const REV1 = '1.3-rev1';
const REV2 = '1.3-rev2';
const USERS = '/api/v1/security/users';
const ROLES = '/api/v1/security/roles';
const BACKUP_ADMIN_ID = '5ff0e0eb-45cf-48cc-9677-7613fc79bc11';
const RESTORE_OPERATOR_ID = 'b167c3af-2262-4b6c-9861-0606fc0cb6b1';

const contracts = {
	[REV1]: new OpenApiContract('vbr-1.3-rev1.security.openapi.json'),
	[REV2]: new OpenApiContract('vbr-1.3-rev2.security.openapi.json'),
};

let sim: SimServer;

function client(apiVersion: string | null = REV2, token?: string) {
	return simClient(sim, { apiVersion: apiVersion ?? undefined, token, contracts });
}

async function login(username = 'VBR01\\svc-n8n', password = VBR_DEFAULT_PASSWORD, grantType = 'password') {
	const res = await client().post(
		'/api/oauth2/token',
		new URLSearchParams({ grant_type: grantType, username, password }),
	);
	return res;
}

async function adminClient(apiVersion = REV2) {
	const res = await login();
	expect(res.status).toBe(200);
	return client(apiVersion, (res.data as { access_token: string }).access_token);
}

function role(id: string) {
	return { id, name: 'ignored by the server', description: '' };
}

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbr' });
});

afterAll(async () => {
	await sim.close();
	// Every response in this file was checked against Veeam's published spec.
	expect([...contracts[REV1].violations, ...contracts[REV2].violations]).toEqual([]);
	// …and every operation of the spec subsets that the nodes use was served at least once.
	const used = [
		'POST /api/oauth2/token',
		`GET ${USERS}`,
		`POST ${USERS}`,
		`GET ${USERS}/{id}`,
		`DELETE ${USERS}/{id}`,
		`GET ${USERS}/{id}/roles`,
		`PUT ${USERS}/{id}/roles`,
		`POST ${USERS}/{id}/changeServiceAccountMode`,
		`POST ${USERS}/{id}/resetMFA`,
		`GET ${ROLES}`,
		`GET ${ROLES}/{id}`,
		`GET ${ROLES}/{id}/permissions`,
		'GET /api/v1/security/settings',
		'PUT /api/v1/security/settings',
	];
	const served = new Set([...contracts[REV1].served, ...contracts[REV2].served]);
	expect(used.filter((op) => !served.has(op))).toEqual([]);
	expect(used.filter((op) => !contracts[REV2].operationsInSpec().includes(op))).toEqual([]);
});

beforeEach(() => {
	sim.reset();
});

describe('TLS', () => {
	it('serves a certificate signed by its test CA, which a client can trust', async () => {
		const res = await client().get('/__sim/health');
		expect(res.status).toBe(200);
		expect(res.data).toEqual({ ok: true, product: 'vbr' });
		const ca = await client().get('/__sim/ca');
		expect(String(ca.data)).toBe(sim.tls.caPem);
	});

	it('is refused by a client that verifies certificates without trusting the CA', async () => {
		const err = await axios
			.get(`${sim.url}/__sim/health`, { httpsAgent: new Agent({ keepAlive: false }) })
			.catch((e: { code?: string }) => e);
		expect((err as { code?: string }).code).toMatch(/SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
	});

	it('can run with a self-signed server certificate, as a fresh Veeam install does', async () => {
		const selfSigned = await startSimulator({ product: 'vbr', tlsMode: 'self-signed' });
		try {
			expect(selfSigned.tls.caPem).toBe(selfSigned.tls.certPem);
			const trusted = await axios.get(`${selfSigned.url}/__sim/health`, {
				httpsAgent: new Agent({ ca: selfSigned.tls.caPem }),
			});
			expect(trusted.status).toBe(200);
			const untrusted = await axios.get(`${selfSigned.url}/__sim/health`).catch((e: { code?: string }) => e);
			expect((untrusted as { code?: string }).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
		} finally {
			await selfSigned.close();
		}
	});
});

describe('x-api-version', () => {
	it('rejects a request without the header with NotImplemented', async () => {
		const res = await client(null).post('/api/oauth2/token', new URLSearchParams({ grant_type: 'password' }));
		expect(res.status).toBe(400);
		expect(res.data).toEqual({ errorCode: 'NotImplemented', message: 'The x-api-version header is required.' });
	});

	it('rejects an unsupported version in the words of the 1.3-rev2 reference (ErrorNotImplementedExample), also on authenticated endpoints', async () => {
		const admin = await adminClient();
		const res = await admin.get(USERS, { headers: { 'x-api-version': '1.2-rev1' } });
		expect(res.status).toBe(400);
		expect(res.data).toEqual({ errorCode: 'NotImplemented', message: 'The specified API version is not supported.' });
	});

	it('can answer with the wording reported on Veeam\'s forums, naming the versions (announceVersions)', async () => {
		const loud = await startSimulator({ product: 'vbr', vbr: { announceVersions: true } });
		try {
			const res = await simClient(loud, { apiVersion: '1.1-rev0' }).post('/api/oauth2/token', 'grant_type=password');
			expect(res.data).toEqual({ errorCode: 'NotImplemented', message: 'Unsupported RESTAPI version. The following versions are supported: v1.3-rev1, v1.3-rev2.' });
		} finally {
			await loud.close();
		}
	});

	it('shapes users by version: mfaEnabled exists from 1.3-rev2 only', async () => {
		const rev1 = await adminClient(REV1);
		const rev2 = await adminClient(REV2);
		const [a, b] = await Promise.all([rev1.get(USERS), rev2.get(USERS)]);
		expect(a.data.data[0]).not.toHaveProperty('mfaEnabled');
		expect(b.data.data[0]).toHaveProperty('mfaEnabled', false);
		const roles = await rev1.get(ROLES);
		expect(roles.data.data[0]).not.toHaveProperty('isBuiltIn');
	});
});

describe('tokens', () => {
	it.each(['password', 'Password', 'PASSWORD'])('accepts the password grant written %s', async (grant) => {
		const res = await login('VBR01\\svc-n8n', VBR_DEFAULT_PASSWORD, grant);
		expect(res.status).toBe(200);
		expect(res.data).toMatchObject({ token_type: 'bearer', expires_in: 900 });
		const { '.issued': issued, '.expires': expires } = res.data as Record<string, string>;
		expect(Date.parse(expires) - Date.parse(issued)).toBe(900_000);
	});

	it('accepts the login name without its domain when unambiguous', async () => {
		expect((await login('svc-n8n')).status).toBe(200);
	});

	it('refuses a wrong password with 401 AccessDenied', async () => {
		const res = await login('VBR01\\svc-n8n', 'wrong');
		expect(res.status).toBe(401);
		expect(res.data).toMatchObject({ errorCode: 'AccessDenied' });
	});

	it('refuses an unknown grant type and a missing password with 400', async () => {
		expect((await login('VBR01\\svc-n8n', VBR_DEFAULT_PASSWORD, 'client_credentials')).status).toBe(400);
		const res = await client().post('/api/oauth2/token', new URLSearchParams({ grant_type: 'password', username: 'x' }));
		expect(res.status).toBe(400);
		expect(res.data).toMatchObject({ errorCode: 'UnexpectedContent' });
	});

	it('refresh tokens are single-use; each refresh returns a new one', async () => {
		const first = (await login()).data as Record<string, string>;
		const refresh = (token: string) =>
			client().post('/api/oauth2/token', new URLSearchParams({ grant_type: 'Refresh_token', refresh_token: token }));
		const second = await refresh(first.refresh_token);
		expect(second.status).toBe(200);
		expect(second.data.refresh_token).not.toBe(first.refresh_token);
		const reused = await refresh(first.refresh_token);
		expect(reused.status).toBe(401);
		expect(reused.data).toMatchObject({ errorCode: 'InvalidToken' });
		expect((await refresh(second.data.refresh_token as string)).status).toBe(200);
	});

	it('access tokens really expire after expires_in seconds (real time)', async () => {
		const shortLived = await startSimulator({ product: 'vbr', expiresIn: 1 });
		try {
			const c = simClient(shortLived, { apiVersion: REV2, contracts });
			const t = await c.post(
				'/api/oauth2/token',
				new URLSearchParams({ grant_type: 'password', username: 'VBR01\\svc-n8n', password: VBR_DEFAULT_PASSWORD }),
			);
			expect(t.data.expires_in).toBe(1);
			const auth = { headers: { Authorization: `Bearer ${t.data.access_token}` } };
			expect((await c.get(USERS, auth)).status).toBe(200);
			await sleep(1100);
			const expired = await c.get(USERS, auth);
			expect(expired.status).toBe(401);
			expect(expired.data).toMatchObject({ errorCode: 'ExpiredToken' });
		} finally {
			await shortLived.close();
		}
	});

	it('expiry follows the simulator clock, and refresh tokens outlive access tokens', async () => {
		const t = (await login()).data as Record<string, string>;
		const auth = { headers: { Authorization: `Bearer ${t.access_token}` } };
		sim.clock.advance(899);
		expect((await client().get(USERS, auth)).status).toBe(200);
		sim.clock.advance(2);
		expect((await client().get(USERS, auth)).status).toBe(401);
		const refreshed = await client().post(
			'/api/oauth2/token',
			new URLSearchParams({ grant_type: 'refresh_token', refresh_token: t.refresh_token }),
		);
		expect(refreshed.status).toBe(200);
		sim.clock.advance(15 * 86_400);
		const tooOld = await client().post(
			'/api/oauth2/token',
			new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshed.data.refresh_token as string }),
		);
		expect(tooOld.status).toBe(401);
		expect(tooOld.data).toMatchObject({ errorCode: 'ExpiredToken' });
	});

	it('rejects missing and unknown bearer tokens with 401', async () => {
		const none = await client().get(USERS);
		expect(none.status).toBe(401);
		expect(none.data).toMatchObject({ errorCode: 'AccessDenied' });
		const bogus = await client(REV2, 'at.bogus').get(USERS);
		expect(bogus.status).toBe(401);
		expect(bogus.data).toMatchObject({ errorCode: 'InvalidToken' });
	});

	it('forbids the security API to accounts without Backup Administrator', async () => {
		const t = await login('VBR01\\viewer');
		expect(t.status).toBe(200);
		const res = await client(REV2, t.data.access_token as string).get(USERS);
		expect(res.status).toBe(403);
		expect(res.data).toEqual({ errorCode: 'AccessDenied', message: 'Forbidden' });
	});

	it('refuses password login to an MFA-enabled account as the only public record shows: 401 AccessDenied "Authentication failed" (assumed)', async () => {
		const admin = await adminClient();
		expect((await admin.put('/api/v1/security/settings', { mfaEnabled: true })).status).toBe(200);
		const refused = await login('VBR01\\admin');
		expect(refused.status).toBe(401);
		expect(refused.data).toEqual({ errorCode: 'AccessDenied', message: 'Authentication failed' });
		// The service account (MFA never applies) still gets in.
		expect((await login('VBR01\\svc-n8n')).status).toBe(200);
		const users = await admin.get(USERS, { params: { nameFilter: 'VBR01\\admin' } });
		expect(users.data.data[0]).toMatchObject({ name: 'VBR01\\admin', mfaEnabled: true });
		expect((await admin.get('/api/v1/security/settings')).data).toEqual({ mfaEnabled: true });
	});

	it('logout revokes the access token and its refresh tokens', async () => {
		const t = (await login()).data as Record<string, string>;
		const c = client(REV2, t.access_token);
		expect((await c.post('/api/oauth2/logout')).status).toBe(200);
		expect((await c.get(USERS)).status).toBe(401);
		const refresh = await client().post(
			'/api/oauth2/token',
			new URLSearchParams({ grant_type: 'refresh_token', refresh_token: t.refresh_token }),
		);
		expect(refresh.status).toBe(401);
	});
});

describe('users', () => {
	it('lists the seeded default users with their roles, sorted by name', async () => {
		const admin = await adminClient();
		const res = await admin.get(USERS);
		expect(res.status).toBe(200);
		const names = (res.data.data as Array<{ name: string }>).map((u) => u.name);
		expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
		expect(names).toContain('TECH\\sheila.d.cory');
		expect(res.data.pagination).toEqual({ total: names.length, count: names.length, skip: 0, limit: 200 });
	});

	it('creates an AD user, reads it back by id, and refuses a duplicate', async () => {
		const admin = await adminClient();
		const spec = { name: 'TECH\\new.hire', type: 'ExternalUser', roles: [role(RESTORE_OPERATOR_ID)], isServiceAccount: false };
		const created = await admin.post(USERS, spec);
		expect(created.status).toBe(201);
		expect(created.data).toMatchObject({
			name: 'TECH\\new.hire',
			type: 'ExternalUser',
			isServiceAccount: false,
			mfaEnabled: false,
			roles: [{ id: RESTORE_OPERATOR_ID, name: 'Restore Operator' }],
		});
		const got = await admin.get(`${USERS}/${created.data.id}`);
		expect(got.data).toEqual(created.data);
		const dup = await admin.post(USERS, { ...spec, name: 'tech\\NEW.HIRE' });
		expect(dup.status).toBe(400);
		expect(dup.data).toMatchObject({ errorCode: 'UnexpectedContent' });
	});

	it.each([
		[{ type: 'ExternalUser', roles: [role(RESTORE_OPERATOR_ID)], isServiceAccount: false }, /name/],
		[{ name: '  ', type: 'ExternalUser', roles: [role(RESTORE_OPERATOR_ID)], isServiceAccount: false }, /name/],
		[{ name: 'TECH\\x', type: 'LocalUser', roles: [role(RESTORE_OPERATOR_ID)], isServiceAccount: false }, /type/],
		[{ name: 'TECH\\x', type: 'ExternalUser', roles: [], isServiceAccount: false }, /at least one role/],
		[{ name: 'TECH\\x', type: 'ExternalUser', roles: [{ name: 'Restore Operator' }], isServiceAccount: false }, /id/],
		[
			{ name: 'TECH\\x', type: 'ExternalUser', roles: [role('00000000-0000-4000-8000-000000000000')], isServiceAccount: false },
			/does not exist/,
		],
		[{ name: 'TECH\\x', type: 'ExternalUser', roles: [role(RESTORE_OPERATOR_ID)] }, /isServiceAccount/],
	])('refuses an invalid user spec %j with 400', async (spec, message) => {
		const admin = await adminClient();
		const res = await admin.post(USERS, spec);
		expect(res.status).toBe(400);
		expect(res.data.errorCode).toBe('UnexpectedContent');
		expect(res.data.message).toMatch(message);
		expect(sim.log.since().filter((e) => e.action === 'user.create')).toEqual([]);
	});

	it('refuses a body that is not JSON', async () => {
		const admin = await adminClient();
		const res = await admin.post(USERS, '{"name":', { headers: { 'Content-Type': 'application/json' } });
		expect(res.status).toBe(400);
	});

	it('changes roles with PUT /roles, and reads them with GET /roles', async () => {
		const admin = await adminClient();
		const created = await admin.post(USERS, {
			name: 'TECH\\promo',
			type: 'ExternalUser',
			roles: [role(RESTORE_OPERATOR_ID)],
			isServiceAccount: false,
		});
		const id = created.data.id as string;
		const put = await admin.put(`${USERS}/${id}/roles`, { roles: [role(BACKUP_ADMIN_ID), role(RESTORE_OPERATOR_ID)] });
		expect(put.status).toBe(200);
		expect((put.data.roles as Array<{ name: string }>).map((r) => r.name)).toEqual(['Backup Administrator', 'Restore Operator']);
		const get = await admin.get(`${USERS}/${id}/roles`);
		expect(get.data).toEqual(put.data);
		expect((await admin.put(`${USERS}/${id}/roles`, { roles: [] })).status).toBe(400);
	});

	it('changes service account mode and resets MFA', async () => {
		const admin = await adminClient();
		const users = await admin.get(USERS, { params: { nameFilter: 'VBR01\\admin' } });
		const id = users.data.data[0].id as string;
		const changed = await admin.post(`${USERS}/${id}/changeServiceAccountMode`, { isServiceAccountEnable: true });
		expect(changed.status).toBe(200);
		expect(changed.data).toMatchObject({ id, isServiceAccount: true });
		expect((await admin.post(`${USERS}/${id}/changeServiceAccountMode`, { isServiceAccountEnable: 'yes' })).status).toBe(400);
		const reset = await admin.post(`${USERS}/${id}/resetMFA`);
		expect(reset.status).toBe(204);
		expect(reset.data).toBe('');
		expect(sim.log.since().map((e) => e.action)).toEqual(['user.serviceAccount', 'user.resetMfa']);
	});

	it('deletes a user (204), after which it is 404 with Veeam’s NotFound body', async () => {
		const admin = await adminClient();
		const users = await admin.get(USERS, { params: { nameFilter: 'TECH\\sheila*' } });
		const id = users.data.data[0].id as string;
		const del = await admin.delete(`${USERS}/${id}`);
		expect(del.status).toBe(204);
		const gone = await admin.get(`${USERS}/${id}`);
		expect(gone.status).toBe(404);
		expect(gone.data).toEqual({ errorCode: 'NotFound', message: 'Resource does not exist', resourceId: id });
		expect((await admin.delete(`${USERS}/${id}`)).status).toBe(404);
		expect((await admin.get(`${USERS}/not-a-uuid`)).status).toBe(404);
	});

	it('answers 405 MethodNotAllowed for a method a path does not have', async () => {
		const admin = await adminClient();
		const res = await admin.patch(USERS, {});
		expect(res.status).toBe(405);
		expect(res.data).toMatchObject({ errorCode: 'MethodNotAllowed' });
	});

	describe('paging and filters', () => {
		beforeEach(() => {
			sim.seed({ count: 1234, prefix: 'p', roles: ['Backup Viewer'] });
		});

		it('pages with skip/limit, clamps limit to the largest page and reports it', async () => {
			const admin = await adminClient();
			const first = await admin.get(USERS, { params: { limit: 10_000 } });
			const total = first.data.pagination.total as number;
			expect(total).toBe(1234 + 6);
			expect(first.data.pagination).toEqual({ total, count: 500, skip: 0, limit: 500 });
			const ids = new Set<string>();
			let requests = 0;
			for (let skip = 0; skip < total; skip += 500) {
				const page = await admin.get(USERS, { params: { skip, limit: 500 } });
				requests++;
				for (const u of page.data.data as Array<{ id: string }>) ids.add(u.id);
			}
			expect(requests).toBe(Math.ceil(total / 500));
			expect(ids.size).toBe(total);
			const past = await admin.get(USERS, { params: { skip: total + 5 } });
			expect(past.data).toEqual({ data: [], pagination: { total, count: 0, skip: total + 5, limit: 200 } });
		});

		it.each([
			[{ limit: 0 }],
			[{ limit: 'ten' }],
			[{ skip: -1 }],
			[{ orderColumn: 'Roles' }],
			[{ typeFilter: 'Robot' }],
			[{ isServiceAccountFilter: 'maybe' }],
		])('refuses bad query %j with 400', async (params) => {
			const admin = await adminClient();
			const res = await admin.get(USERS, { params });
			expect(res.status).toBe(400);
			expect(res.data.errorCode).toBe('UnexpectedContent');
		});

		it('filters by name pattern, type, role and service account flag', async () => {
			const admin = await adminClient();
			const get = async (params: Record<string, unknown>) =>
				(await admin.get(USERS, { params: { limit: 500, ...params } })).data as {
					data: Array<{ name: string; type: string; isServiceAccount: boolean; roles: Array<{ name: string }> }>;
					pagination: { total: number };
				};
			expect((await get({ nameFilter: 'SEED\\p00012*' })).pagination.total).toBe(10);
			expect((await get({ nameFilter: 'seed\\P000123' })).data.map((u) => u.name)).toEqual(['SEED\\p000123']);
			// An array parameter is repeated keys (OpenAPI 3.0's default form); a comma-joined value is no EUserType.
			const repeated = await admin.get(`${USERS}?typeFilter=InternalGroup&typeFilter=ExternalUser`);
			expect(repeated.data.data.map((u: { type: string }) => u.type).sort()).toEqual(['InternalGroup', 'InternalGroup']);
			expect(repeated.data.pagination.total).toBe(2);
			const joined = await admin.get(`${USERS}?typeFilter=InternalGroup,ExternalGroup`);
			expect(joined.status).toBe(400);
			expect(joined.data).toMatchObject({ errorCode: 'UnexpectedContent', message: 'Unknown typeFilter value InternalGroup,ExternalGroup.' });
			expect((await get({ roleNameFilter: 'backup administrator' })).pagination.total).toBe(3);
			expect((await get({ roleIdFilter: RESTORE_OPERATOR_ID })).data.map((u) => u.name)).toEqual(['TECH\\sheila.d.cory']);
			expect((await get({ isServiceAccountFilter: true })).data.map((u) => u.name)).toEqual(['VBR01\\svc-n8n']);
		});

		it('reads nameFilter as Veeam documents it: a whole string, or * at the start, end or both; ? and an inner * literally (assumed)', async () => {
			const admin = await adminClient();
			const names = async (nameFilter: string) => ((await admin.get(USERS, { params: { nameFilter } })).data.data as Array<{ name: string }>).map((u) => u.name);
			expect(await names('tech\\SHEILA.D.CORY')).toEqual(['TECH\\sheila.d.cory']);
			expect(await names('*\\sheila.d.cory')).toEqual(['TECH\\sheila.d.cory']);
			expect(await names('VBR01\\*')).toEqual(['VBR01\\admin', 'VBR01\\svc-n8n', 'VBR01\\viewer']);
			expect(await names('*svc*')).toEqual(['VBR01\\svc-n8n']);
			expect(await names('VBR01\\?dmin')).toEqual([]);
			expect(await names('VBR01\\*min')).toEqual([]);
		});

		it('orders by Type or IsServiceAccount, ascending or not', async () => {
			const admin = await adminClient();
			const desc = await admin.get(USERS, { params: { orderAsc: false, limit: 3 } });
			expect((desc.data.data as Array<{ name: string }>).map((u) => u.name)).toEqual([
				'VBR01\\viewer',
				'VBR01\\svc-n8n',
				'VBR01\\admin',
			]);
			const byType = await admin.get(USERS, { params: { orderColumn: 'Type', limit: 2 } });
			expect((byType.data.data as Array<{ type: string }>).map((u) => u.type)).toEqual(['InternalGroup', 'InternalGroup']);
			const bySa = await admin.get(USERS, { params: { orderColumn: 'IsServiceAccount', orderAsc: false, limit: 1 } });
			expect(bySa.data.data[0].name).toBe('VBR01\\svc-n8n');
		});

		// 1.3-rev2's UserFilters: mfaEnabledFilter, and MfaEnabled in EUserFiltersOrderColumn.
		it('filters and orders by MFA on 1.3-rev2; 1.3-rev1 has neither (the filter is ignored, the order refused)', async () => {
			await (await adminClient()).put('/api/v1/security/settings', { mfaEnabled: true });
			const rev2 = await adminClient(REV2);
			const withMfa = await rev2.get(USERS, { params: { mfaEnabledFilter: true, nameFilter: 'VBR01\\*' } });
			// MFA is the server-wide setting; users (not groups, not service accounts) have it on.
			expect((withMfa.data.data as Array<{ name: string; mfaEnabled: boolean }>).map((u) => u.name)).toEqual(['VBR01\\admin', 'VBR01\\viewer']);
			expect((withMfa.data.data as Array<{ mfaEnabled: boolean }>).every((u) => u.mfaEnabled)).toBe(true);
			const byMfa = await rev2.get(USERS, { params: { orderColumn: 'MfaEnabled', orderAsc: false, limit: 1 } });
			expect(byMfa.data.data[0].mfaEnabled).toBe(true);
			const rev1 = await adminClient(REV1);
			expect((await rev1.get(USERS, { params: { mfaEnabledFilter: true, nameFilter: 'VBR01\\*' } })).data.pagination.total).toBe(3);
			const refused = await rev1.get(USERS, { params: { orderColumn: 'MfaEnabled' } });
			expect(refused.status).toBe(400);
		});
	});
});

describe('roles and settings', () => {
	it('lets a Restore Operator read roles on 1.3-rev2 (its "Available to"), not on 1.3-rev1, and never users or permissions', async () => {
		sim.product.setLogin('TECH\\sheila.d.cory', VBR_DEFAULT_PASSWORD);
		const res = await login('TECH\\sheila.d.cory');
		expect(res.status).toBe(200);
		const token = (res.data as { access_token: string }).access_token;
		const rev2 = client(REV2, token);
		expect((await rev2.get(ROLES)).status).toBe(200);
		expect((await rev2.get(`${ROLES}/${BACKUP_ADMIN_ID}`)).status).toBe(200);
		expect((await rev2.get(`${ROLES}/${BACKUP_ADMIN_ID}/permissions`)).status).toBe(403);
		expect((await rev2.get(USERS)).status).toBe(403);
		expect((await client(REV1, token).get(ROLES)).status).toBe(403);
	});

	it('lists the seven built-in roles, gets one, and its permissions', async () => {
		const admin = await adminClient();
		const list = await admin.get(ROLES);
		expect((list.data.data as Array<{ name: string }>).map((r) => r.name)).toEqual([
			'Backup Administrator',
			'Backup Operator',
			'Backup Viewer',
			'Incident API Operator',
			'Restore Operator',
			'Security Administrator',
			'Tape Operator',
		]);
		expect(list.data.data.every((r: { isBuiltIn: boolean }) => r.isBuiltIn)).toBe(true);
		const one = await admin.get(`${ROLES}/${RESTORE_OPERATOR_ID}`);
		expect(one.data).toMatchObject({ id: RESTORE_OPERATOR_ID, name: 'Restore Operator', isBuiltIn: true });
		const perms = await admin.get(`${ROLES}/${RESTORE_OPERATOR_ID}/permissions`);
		expect(perms.data.roleId).toBe(RESTORE_OPERATOR_ID);
		expect(perms.data.permissions).toContain('StartRestore');
		expect((await admin.get(`${ROLES}/00000000-0000-4000-8000-000000000000`)).status).toBe(404);
		const filtered = await admin.get(ROLES, { params: { nameFilter: '*operator', limit: 2 } });
		expect(filtered.data.pagination).toEqual({ total: 4, count: 2, skip: 0, limit: 2 });
		const custom = await admin.get(ROLES, { params: { isBuiltInFilter: false } });
		expect(custom.data.pagination.total).toBe(0);
	});

	it('reads and writes the global MFA setting', async () => {
		const admin = await adminClient();
		expect((await admin.get('/api/v1/security/settings')).data).toEqual({ mfaEnabled: false });
		expect((await admin.put('/api/v1/security/settings', { mfaEnabled: 'on' })).status).toBe(400);
	});
});

describe('fault injection', () => {
	it('answers the next N matching requests with 429 and Retry-After, then recovers', async () => {
		const admin = await adminClient();
		sim.addFault({ kind: 'status', status: 429, retryAfterSeconds: 2, count: 2, method: 'GET', pathIncludes: '/security/users' });
		const a = await admin.get(USERS);
		const b = await admin.get(USERS);
		expect([a.status, b.status]).toEqual([429, 429]);
		expect(a.headers['retry-after']).toBe('2');
		expect(a.data).toMatchObject({ errorCode: 'ServiceUnavailable' });
		expect((await admin.get(ROLES)).status).toBe(200); // other paths unaffected
		expect((await admin.get(USERS)).status).toBe(200);
	});

	it.each([500, 502, 503, 504] as const)('injects %i with a Veeam error body, changing nothing', async (status) => {
		const admin = await adminClient();
		sim.addFault({ kind: 'status', status, method: 'POST' });
		const res = await admin.post(USERS, { name: 'TECH\\f', type: 'ExternalUser', roles: [role(BACKUP_ADMIN_ID)], isServiceAccount: false });
		expect(res.status).toBe(status);
		expect(res.data.errorCode).toBe(status === 500 ? 'UnknownError' : 'ServiceUnavailable');
		expect((await admin.get(USERS, { params: { nameFilter: 'TECH\\f' } })).data.pagination.total).toBe(0);
	});

	it('drops the connection before processing: nothing happens on the server', async () => {
		const admin = await adminClient();
		sim.addFault({ kind: 'drop', method: 'POST', pathIncludes: '/security/users' });
		const err = await admin
			.post(USERS, { name: 'TECH\\d', type: 'ExternalUser', roles: [role(BACKUP_ADMIN_ID)], isServiceAccount: false })
			.catch((e: { code?: string }) => e);
		expect((err as { code?: string }).code).toMatch(/ECONNRESET|ERR_BAD_RESPONSE|EPIPE/);
		expect((await admin.get(USERS, { params: { nameFilter: 'TECH\\d' } })).data.pagination.total).toBe(0);
	});

	it('drops the connection after processing: the create happened though the client saw an error', async () => {
		const admin = await adminClient();
		sim.addFault({ kind: 'drop', afterProcessing: true, method: 'POST', pathIncludes: '/security/users' });
		const err = await admin
			.post(USERS, { name: 'TECH\\d2', type: 'ExternalUser', roles: [role(BACKUP_ADMIN_ID)], isServiceAccount: false })
			.catch((e: Error) => e);
		expect(err).toBeInstanceOf(Error);
		expect((await admin.get(USERS, { params: { nameFilter: 'TECH\\d2' } })).data.pagination.total).toBe(1);
	});

	it('delays a response past a client timeout', async () => {
		const admin = await adminClient();
		sim.addFault({ kind: 'delay', ms: 400 });
		const err = await admin.get(USERS, { timeout: 100 }).catch((e: { code?: string }) => e);
		expect((err as { code?: string }).code).toBe('ECONNABORTED');
		const started = Date.now();
		sim.addFault({ kind: 'delay', ms: 150 });
		expect((await admin.get(USERS)).status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
	});

	it('sends malformed JSON after processing the request', async () => {
		const token = (await login()).data.access_token as string;
		const raw = simClient(sim, { apiVersion: REV2, token }); // no contract: the body is broken on purpose
		sim.addFault({ kind: 'malformed', method: 'POST' });
		const res = await raw.post(USERS, { name: 'TECH\\m', type: 'ExternalUser', roles: [role(BACKUP_ADMIN_ID)], isServiceAccount: false });
		expect(res.status).toBe(200);
		expect(() => JSON.parse(res.data as string)).toThrow();
		expect(sim.log.since().map((e) => e.target)).toContain('TECH\\m');
	});

	it('lets the first N matching requests through (`after`), e.g. to break paging on page 3', async () => {
		sim.seed({ count: 1200 });
		const admin = await adminClient();
		sim.addFault({ kind: 'status', status: 503, after: 2, method: 'GET', pathIncludes: '/security/users' });
		const statuses: number[] = [];
		for (const skip of [0, 500, 1000]) statuses.push((await admin.get(USERS, { params: { skip, limit: 500 } })).status);
		expect(statuses).toEqual([200, 200, 503]);
	});

	it('expires every token now, and refuses refresh tokens on demand', async () => {
		const t = (await login()).data as Record<string, string>;
		const c = client(REV2, t.access_token);
		expect(sim.tokens.expireAllAccess()).toBeGreaterThan(0);
		expect((await c.get(USERS)).status).toBe(401);
		sim.tokens.refuseRefresh(1);
		const refused = await client().post(
			'/api/oauth2/token',
			new URLSearchParams({ grant_type: 'refresh_token', refresh_token: t.refresh_token }),
		);
		expect(refused.status).toBe(401);
		// Back to the password grant, as a client must.
		expect((await login()).status).toBe(200);
	});

	it('restarts: connections refused while down, then users and tokens are kept', async () => {
		const admin = await adminClient();
		const before = (await admin.get(USERS)).data.pagination.total as number;
		const restarting = sim.restart(300);
		await sleep(50);
		const err = await axios
			.get(`${sim.url}/__sim/health`, { httpsAgent: new Agent({ ca: sim.tls.caPem }) })
			.catch((e: { code?: string }) => e);
		expect((err as { code?: string }).code).toBe('ECONNREFUSED');
		await restarting;
		const after = await client(REV2, (admin.defaults.headers.Authorization as string).slice(7)).get(USERS);
		expect(after.status).toBe(200);
		expect(after.data.pagination.total).toBe(before);
	});

	it('validates fault specs', () => {
		expect(() => sim.addFault({ kind: 'status', status: 418 } as never)).toThrow(/status/);
		expect(() => sim.addFault({ kind: 'explode' } as never)).toThrow(/kind/);
		expect(() => sim.addFault({ kind: 'delay', ms: -1 })).toThrow(/ms/);
	});
});

describe('control endpoint and logs', () => {
	it('steers the simulator over HTTP: faults, seeding, clock, stats, log, reset', async () => {
		const ctl = client();
		expect((await ctl.post('/__sim/faults', [{ kind: 'status', status: 503, count: 1 }])).data).toEqual({ queued: 1 });
		expect((await login()).status).toBe(503);
		expect((await ctl.post('/__sim/seed', { count: 25, prefix: 'ctl' })).data).toEqual({ added: 25 });
		const t = await login();
		const admin = client(REV2, t.data.access_token as string);
		expect((await admin.get(USERS, { params: { nameFilter: 'SEED\\ctl*' } })).data.pagination.total).toBe(25);
		await ctl.post('/__sim/clock/advance', { seconds: 901 });
		expect((await admin.get(USERS)).status).toBe(401);
		const stats = (await ctl.get('/__sim/stats')).data as { grants: Record<string, number>; tokensIssued: number; byRoute: Record<string, number> };
		expect(stats.grants).toEqual({ 'password:200': 1 });
		expect(stats.tokensIssued).toBe(1);
		expect(stats.byRoute[`GET ${USERS}`]).toBe(2);
		const log = (await ctl.get('/__sim/log')).data as { entries: Array<{ action: string }> };
		expect(log.entries.map((e) => e.action)).toEqual(['seed']);
		expect((await ctl.post('/__sim/tokens/expire')).status).toBe(200);
		expect((await ctl.post('/__sim/reset')).status).toBe(204);
		expect((await ctl.get('/__sim/state')).data.users).toHaveLength(6);
		expect((await ctl.post('/__sim/faults', { kind: 'nope' })).status).toBe(400);
		expect((await ctl.get('/__sim/nothing')).status).toBe(404);
	});

	it('records every change in the mutation log, with no secret in it', async () => {
		const admin = await adminClient();
		const created = await admin.post(USERS, {
			name: 'TECH\\logme',
			type: 'ExternalUser',
			roles: [role(RESTORE_OPERATOR_ID)],
			isServiceAccount: false,
		});
		await admin.put(`${USERS}/${created.data.id}/roles`, { roles: [role(BACKUP_ADMIN_ID)] });
		await admin.delete(`${USERS}/${created.data.id}`);
		const entries = sim.log.since();
		expect(entries.map((e) => [e.action, e.target])).toEqual([
			['user.create', 'TECH\\logme'],
			['user.roles', 'TECH\\logme'],
			['user.delete', 'TECH\\logme'],
		]);
		expect(entries[1].detail).toEqual({ id: created.data.id, from: ['Restore Operator'], to: ['Backup Administrator'] });
		const dump = JSON.stringify([entries, sim.product.snapshot()]);
		expect(dump).not.toContain(VBR_DEFAULT_PASSWORD);
		expect(dump).not.toContain((admin.defaults.headers.Authorization as string).slice(7));
	});
});
