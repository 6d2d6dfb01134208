/**
 * The VSPC simulator as a server: organizations (provider, resellers, companies; MFA policy and
 * its inheritance; a company that no longer exists), asynchronous answers (202 + async action),
 * X-Request-id replays, throttling (429 + retryAfter), faults (429 with retryAfter, 520), the
 * provider-scale seed (500 companies, 50,000 users) and `npm run sim -- --product vspc`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import https from 'node:https';
import { join } from 'node:path';

import axios from 'axios';

import { API, bearer, contract, expectErrors, login, q, start, stop, token, userNames, type Client } from './vspcClient';

import {
	VSPC_COMPANY_ALPHA_INSTANCE_UID,
	VSPC_COMPANY_ALPHA_UID,
	VSPC_COMPANY_BETA_INSTANCE_UID,
	VSPC_COMPANY_BETA_UID,
	VSPC_DEFAULT_ADMIN,
	VSPC_DEFAULT_PASSWORD,
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
});
beforeEach(async () => {
	c.sim.reset();
	admin = await login(c);
});

const uidOf = (name: string): string => c.vspc.userNamed(name)?.uid ?? '';
const names = (res: { data: { data: Array<{ name: string }> } }) => res.data.data.map((o) => o.name);

describe('organizations', () => {
	it('lists the provider, resellers and companies each caller may see; a company by UID; a reseller\'s companies', async () => {
		expect(names(await c.http.get('/organizations', bearer(admin)))).toEqual(['Service Provider', 'Reseller One', 'Alpha', 'Beta']);
		expect((await c.http.get('/organizations', bearer(admin))).data.data[0]).toEqual({ instanceUid: VSPC_PROVIDER_UID, name: 'Service Provider', alias: 'provider', type: 'Provider' });
		expect(names(await c.http.get('/organizations', bearer(await login(c, 'reseller1.owner'))))).toEqual(['Reseller One', 'Beta']);
		expect(names(await c.http.get('/organizations', bearer(await login(c, 'alpha.admin'))))).toEqual(['Alpha']);
		const companies = await c.http.get(`/organizations/companies?${q({ filter: [{ property: 'name', operation: 'equals', collation: 'ignorecase', value: 'beta' }], expand: 'Organization' })}`, bearer(admin));
		// The company's own UID and its organization's differ, as in Veeam's Expand example.
		expect(companies.data.data).toEqual([
			expect.objectContaining({ instanceUid: VSPC_COMPANY_BETA_INSTANCE_UID, name: 'Beta', status: 'Active', resellerUid: VSPC_RESELLER_UID, ownerCredentials: { userName: 'beta.owner', password: null }, _embedded: { organization: { instanceUid: VSPC_COMPANY_BETA_UID, name: 'Beta', alias: 'beta', type: 'Company' } } }),
		]);
		expect((await c.http.get(`/organizations/companies/${VSPC_COMPANY_ALPHA_INSTANCE_UID}`, bearer(admin))).data.data.resellerUid).toBeNull();
		expectErrors(await c.http.get(`/organizations/companies/${VSPC_COMPANY_ALPHA_UID}`, bearer(admin)), 404, 'logical');
		expectErrors(await c.http.get(`/organizations/companies/${VSPC_RESELLER_UID}`, bearer(admin)), 404, 'logical');
		expectErrors(await c.http.get(`/organizations/companies/${VSPC_COMPANY_BETA_INSTANCE_UID}`, bearer(await login(c, 'alpha.admin'))), 404, 'logical');
		const same = await start({ vspc: { companyUidIsOrganizationUid: true } });
		try {
			expect((await same.http.get(`/organizations/companies/${VSPC_COMPANY_ALPHA_UID}`, bearer(await login(same)))).data.data.instanceUid).toBe(VSPC_COMPANY_ALPHA_UID);
		} finally {
			await stop(same);
		}
		expect(names(await c.http.get(`/organizations/resellers/${VSPC_RESELLER_UID}/companies`, bearer(admin)))).toEqual(['Beta']);
		expectErrors(await c.http.get(`/organizations/resellers/${VSPC_RESELLER_UID}/companies`, bearer(await login(c, 'operator'))), 403, 'security');
		expectErrors(await c.http.get('/organizations/companies?expand=Users', bearer(admin)), 400, 'logical');
	});

	it('reports the MFA policy of an organization and its inheritance by child organizations and users', async () => {
		c.vspc.setOrganizationMfa(VSPC_PROVIDER_UID, true, true);
		expect((await c.http.get(`/organizations/${VSPC_PROVIDER_UID}/configuration/policy`, bearer(admin))).data.data).toEqual({ mfaPolicyStatus: 'Enabled', enforceMfaPolicy: true });
		expect((await c.http.get(`/organizations/${VSPC_COMPANY_ALPHA_UID}/configuration/policy`, bearer(admin))).data.data.mfaPolicyStatus).toBe('EnabledByInheritance');
		expect((await c.http.get(`/users/${uidOf('alpha.user')}`, bearer(admin))).data.data.mfaPolicyStatus).toBe('EnabledByInheritance');
		c.vspc.setOrganizationMfa(VSPC_PROVIDER_UID, true, false);
		expect((await c.http.get(`/users/${uidOf('alpha.user')}`, bearer(admin))).data.data.mfaPolicyStatus).toBe('Disabled');
		expect((await c.http.get(`/users/${uidOf('operator')}`, bearer(admin))).data.data.mfaPolicyStatus).toBe('EnabledByInheritance');
		const filter = [{ property: 'mfaPolicyStatus', operation: 'notEquals', value: 'Disabled' }];
		expect(userNames(await c.http.get(`/users?${q({ filter })}`, bearer(admin)))).toEqual(['administrator', 'mfa.admin', 'operator', 'readonly']);
	});

	it('a company that no longer exists: gone from the lists, its users kept (orphaned) and unable to sign in', async () => {
		const added = c.vspc.addCompany({ name: 'Gamma', resellerUid: VSPC_RESELLER_UID });
		expect(c.vspc.userNamed('gamma.owner')?.organizationUid).toBe(added.uid);
		expect(c.vspc.removeCompany(VSPC_COMPANY_ALPHA_UID)).toBe(true);
		expect(names(await c.http.get('/organizations/companies', bearer(admin)))).toEqual(['Beta', 'Gamma']);
		const orphans = await c.http.get(`/users?${q({ filter: [{ property: 'organizationUid', operation: 'equals', value: VSPC_COMPANY_ALPHA_UID }] })}`, bearer(admin));
		expect(userNames(orphans)).toEqual(['alpha.owner', 'alpha.admin', 'alpha.user']);
		expect((await token(c, { grant_type: 'password', username: 'alpha.admin', password: VSPC_DEFAULT_PASSWORD })).status).toBe(400);
		expect(c.vspc.removeCompany(VSPC_COMPANY_BETA_UID, { withUsers: true })).toBe(true);
		expect(c.vspc.userNamed('beta.owner')).toBeUndefined();
	});
});

describe('asynchronous answers', () => {
	it('answers the operations named 202 with a Location; the action runs on its last poll; the result is the operation\'s answer', async () => {
		const other = await start({ vspc: { asyncOperations: ['POST /users', 'DELETE /users/{userUid}'], asyncPolls: 2 } });
		try {
			const t = await login(other);
			const body = { organizationUid: VSPC_COMPANY_ALPHA_UID, role: 'CompanyAdministrator', profile: {}, credentials: { userName: 'later', password: 'Passw0rdLater' } };
			const queued = await other.http.post('/users', body, bearer(t));
			expect(queued.status).toBe(202);
			const action = new URL(queued.headers.location as string).pathname.slice(API.length);
			expect(other.vspc.userNamed('later')).toBeUndefined();
			expectErrors(await other.http.get(`${action}/result`, bearer(t)), 400, 'retryableLogical', 400);
			const first = await other.http.get(action, bearer(t));
			expect(first.data.data).toMatchObject({ initiatorUid: other.vspc.userNamed(VSPC_DEFAULT_ADMIN)?.uid, actionName: 'POST /users', status: 'running', requestBody: JSON.stringify(body) });
			expect((await other.http.get(action, bearer(t))).data.data.status).toBe('succeed');
			const result = await other.http.get(`${action}/result`, bearer(t));
			expect(result.data.data.userName).toBe('later');
			// Only the user who started it tracks it.
			expectErrors(await other.http.get(action, bearer(await login(other, 'operator'))), 404, 'logical');
			// A failing operation: status failed, the result is its error.
			const again = await other.http.post('/users', body, bearer(t));
			const failing = new URL(again.headers.location as string).pathname.slice(API.length);
			await other.http.get(failing, bearer(t));
			const failed = await other.http.get(failing, bearer(t));
			expect(failed.data.data.status).toBe('failed');
			expect(failed.data.errors[0]).toMatchObject({ code: 409, message: 'A user with the name later already exists.' });
			expectErrors(await other.http.get(`${failing}/result`, bearer(t)), 409, 'logical');
			// Canceled before it ran: never runs.
			const del = await other.http.delete(`/users/${other.vspc.userNamed('later')?.uid}`, { headers: { ...bearer(t).headers, 'X-Request-id': 'ba547d14-c556-42bb-b85c-eeeb16e2f5e7' } });
			expect(del.headers.location).toMatch(/\/asyncActions\/ba547d14-c556-42bb-b85c-eeeb16e2f5e7$/);
			await other.http.delete('/asyncActions/ba547d14-c556-42bb-b85c-eeeb16e2f5e7', bearer(t));
			expect((await other.http.get('/asyncActions/ba547d14-c556-42bb-b85c-eeeb16e2f5e7', bearer(t))).data.data.status).toBe('canceled');
			expect(other.vspc.userNamed('later')).toBeDefined();
			// Results are kept 5 minutes after success, 1 hour after a failure (async_config.html).
			other.sim.clock.advance(301);
			expectErrors(await other.http.get(action, bearer(t)), 404, 'logical');
			expect((await other.http.get(failing, bearer(t))).data.data.status).toBe('failed');
			other.sim.clock.advance(3600);
			expectErrors(await other.http.get(`${failing}/result`, bearer(await login(other))), 404, 'logical');
		} finally {
			await stop(other);
		}
	});

	it('replays the first answer to a repeated X-Request-id within 5 minutes, without acting twice', async () => {
		const headers = { ...bearer(admin).headers, 'X-Request-id': '4d32d061-993c-4b69-b9a9-0ea2c9aa891e' };
		const body = { organizationUid: VSPC_COMPANY_ALPHA_UID, role: 'CompanyAdministrator', profile: {}, credentials: { userName: 'once', password: 'Passw0rdOnce' } };
		const first = await c.http.post('/users', body, { headers });
		const second = await c.http.post('/users', body, { headers });
		expect(second.data).toEqual(first.data);
		c.sim.clock.advance(301);
		expectErrors(await c.http.post('/users', body, { headers }), 409, 'logical');
		expectErrors(await c.http.post('/users', body, { headers: { ...headers, 'X-Request-id': 'not-a-uuid' } }), 400, 'logical');
	});
});

describe('throttling and faults', () => {
	it('answers 429 with retryAfter, the seconds to the next period (throttle option), per caller', async () => {
		const other = await start({ vspc: { throttle: { maxRequests: 3, windowSeconds: 60 } } });
		try {
			const t = await login(other);
			// At the start of a 60-s period, so that the four requests fall in one (the clock is the simulator's).
			other.sim.clock.advance((60_000 - (other.sim.clock.now() % 60_000)) / 1000);
			for (let i = 0; i < 3; i++) expect((await other.http.get('/users/me', bearer(t))).status).toBe(200);
			const refused = await other.http.get('/users/me', bearer(t));
			expectErrors(refused, 429, 'transport');
			expect(refused.data.errors[0].retryAfter).toBeGreaterThanOrEqual(1);
			expect(refused.data.errors[0].retryAfter).toBeLessThanOrEqual(60);
			other.sim.clock.advance(refused.data.errors[0].retryAfter);
			expect((await other.http.get('/users/me', bearer(t))).status).toBe(200);
		} finally {
			await stop(other);
		}
	});

	it('answers 429 without retryAfter past maxParallel requests in flight', async () => {
		const other = await start({ vspc: { throttle: { maxParallel: 2 } } });
		try {
			const t = await login(other);
			// Two requests being answered already (held deterministically through the server's own count).
			other.sim.stats.inFlight += 2;
			const refused = await other.http.get('/users/me', bearer(t));
			expectErrors(refused, 429, 'transport');
			expect(refused.data.errors[0].retryAfter).toBeUndefined();
			other.sim.stats.inFlight -= 1;
			expect((await other.http.get('/users/me', bearer(t))).status).toBe(200);
			other.sim.stats.inFlight -= 1;
		} finally {
			await stop(other);
		}
	});

	it('a 429 fault carries retryAfter in the body and the Retry-After header; a server error is 520', async () => {
		c.sim.addFault({ kind: 'status', status: 429, retryAfterSeconds: 25, pathIncludes: '/users' });
		const limited = await c.http.get('/users', bearer(admin));
		expectErrors(limited, 429, 'transport');
		expect(limited.data.errors[0].retryAfter).toBe(25);
		expect(limited.headers['retry-after']).toBe('25');
		c.sim.addFault({ kind: 'status', status: 500, pathIncludes: '/users' });
		expectErrors(await c.http.get('/users', bearer(admin)), 520, 'unspecified');
		c.sim.addFault({ kind: 'status', status: 503, pathIncludes: '/users' });
		expectErrors(await c.http.get('/users', bearer(admin)), 503, 'transport');
	});

	it('VSPC\'s own server errors: a 520 with code 504 or 1051, before or after the server acted; retryableLogical', async () => {
		const body = { organizationUid: VSPC_COMPANY_ALPHA_UID, role: 'CompanyAdministrator', profile: {}, credentials: { userName: 'maybe', password: 'Passw0rdMaybe' } };
		c.vspc.failNext({ code: 504, method: 'POST', pathIncludes: '/users' });
		expectErrors(await c.http.post('/users', body, bearer(admin)), 520, 'transport', 504);
		expect(c.vspc.userNamed('maybe')).toBeUndefined();
		c.vspc.failNext({ code: 1051, afterProcessing: true, method: 'POST', pathIncludes: '/users' });
		expectErrors(await c.http.post('/users', body, bearer(admin)), 520, 'transport', 1051);
		expect(c.vspc.userNamed('maybe')).toBeDefined();
		const control = await axios.post(`${c.sim.url}/__sim/vspc/faults`, { status: 400, code: 1000, type: 'retryableLogical', pathIncludes: '/users/me' }, { httpsAgent: c.agent });
		expect(control.status).toBe(201);
		expectErrors(await c.http.get('/users/me', bearer(admin)), 400, 'retryableLogical', 1000);
		expect((await c.http.get('/users/me', bearer(admin))).status).toBe(200);
		expect(() => c.vspc.failNext({ type: 'fatal' as never })).toThrow('type must be one of');
	});
});

describe('a provider\'s scale', () => {
	it('seeds 500 companies and 50,000 users, pages every user once in parallel, and reads one company\'s users from its index', async () => {
		expect(c.sim.seed({ count: 50_000, companies: 500, resellers: 4 } as Parameters<typeof c.sim.seed>[0])).toBe(50_000);
		expect((await c.http.get('/organizations/companies?limit=1', bearer(admin))).data.meta.pagingInfo.total).toBe(502);
		const first = await c.http.get('/users?limit=500', bearer(admin));
		const total = first.data.meta.pagingInfo.total as number;
		expect(total).toBe(50_000 + 9 + 500 + 4);
		const pages = await Promise.all(Array.from({ length: Math.ceil(total / 500) }, (_, i) => c.http.get(`/users?limit=500&offset=${i * 500}`, bearer(admin))));
		const seen = new Set(pages.flatMap((p) => p.data.data.map((u: { instanceUid: string }) => u.instanceUid)));
		expect(seen.size).toBe(total);
		const company = c.vspc.store.orgs.get([...c.vspc.store.orgs.values()].find((o) => o.name === 'Company 0250')?.uid ?? '');
		const own = await c.http.get(`/users?${q({ filter: [{ property: 'organizationUid', operation: 'equals', value: company?.uid }], limit: 500 })}`, bearer(admin));
		expect(own.data.meta.pagingInfo.total).toBe(101);
		expect(own.data.data.every((u: { organizationUid: string }) => u.organizationUid === company?.uid)).toBe(true);
		expect(own.data.data[0]).toMatchObject({ userName: 'company0250.owner', role: 'CompanyOwner' });
		const login0 = await c.http.get(`/users/logins?limit=500&offset=50000`, bearer(admin));
		expect(login0.data.meta.pagingInfo.total).toBe(total + 1);
	});
});

describe('npm run sim -- --product vspc', () => {
	let npm: ChildProcess | undefined;
	afterEach(() => {
		npm?.kill('SIGTERM');
	});

	it('serves VSPC with the seeded companies and users', async () => {
		npm = spawn('npm', ['run', '-s', 'sim', '--', '--product', 'vspc', '--port', '0', '--fresh-tls', '--seed', '200', '--seed-companies', '20'], { cwd: join(__dirname, '..', '..'), stdio: ['ignore', 'pipe', 'pipe'] });
		let output = '';
		npm.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		npm.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
		const exited = new Promise<never>((_, reject) => npm?.once('exit', (code) => reject(new Error(`npm run sim exited (${code}): ${output}`))));
		const started = (async () => {
			while (!output.includes('Ctrl-C to stop.')) await new Promise((r) => setTimeout(r, 100));
		})();
		await Promise.race([started, exited]);
		expect(output).toContain(`test login: ${VSPC_DEFAULT_ADMIN} / ${VSPC_DEFAULT_PASSWORD}`);
		const url = /VSPC\s+(https:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] as string;
		const ca = (await axios.get(`${url}/__sim/ca`, { httpsAgent: new https.Agent({ rejectUnauthorized: false }) })).data as string;
		const agent = new https.Agent({ ca });
		const form = new URLSearchParams({ grant_type: 'password', username: VSPC_DEFAULT_ADMIN, password: VSPC_DEFAULT_PASSWORD }).toString();
		const t = (await axios.post(`${url}${API}/token`, form, { httpsAgent: agent, headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })).data.access_token;
		const companies = await axios.get(`${url}${API}/organizations/companies?limit=1`, { httpsAgent: agent, headers: { Authorization: `Bearer ${t}` } });
		expect(companies.data.meta.pagingInfo.total).toBe(22);
		agent.destroy();
	});
});
