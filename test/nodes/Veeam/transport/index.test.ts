/**
 * The node's connection behaviour through n8n's real engine: tokens (n8n's 401 → preAuthentication
 * → retry once, our refresh/password grants), TLS trust, retries and Veeam's errors.
 */
import { startSimulator, type SimServer } from '../../../../sim';
import { N8N_MAJOR } from '../../../support/engine';
import { CREDENTIAL_ID, USERS, VeeamFixture, byName, errorText, mutations, routeCount, useSimulator } from '../fixtures';

let sim: SimServer;
let h: VeeamFixture;

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

const onboard = { resource: 'user', operation: 'onboard', userName: '={{ $json.name }}', roles: ['Restore Operator'] };
const three = [{ name: 'TECH\\t.one' }, { name: 'TECH\\t.two' }, { name: 'TECH\\t.three' }];
const getAdmin = { resource: 'user', operation: 'get', user: byName('VBR01\\admin') };

/** Holds the create of item 1 at the server and expires every access token meanwhile. */
async function expireTokensDuringItem1(): Promise<void> {
	sim.addFault({ kind: 'delay', ms: 300, method: 'POST', pathIncludes: '/security/users', after: 1 });
	while (sim.stats.faultsInjected === 0) await new Promise((resolve) => setTimeout(resolve, 5));
	expect(sim.tokens.expireAllAccess()).toBeGreaterThan(0);
}

/** One item at a time, as before Options → Concurrency. */
const oneAtATime = { ...onboard, options: { concurrency: 1 } };

describe('tokens', () => {
	it('an access token that expires mid-execution costs exactly one refresh, and every item succeeds', async () => {
		const [run] = await Promise.all([h.run(oneAtATime, three), expireTokensDuringItem1()]);
		expect(run.error).toBeUndefined();
		expect(run.json.map((j) => j.action)).toEqual(['created', 'created', 'created']);
		expect(sim.stats.grants).toEqual({ 'password:200': 1, 'refresh_token:200': 1 });
		expect(h.credentials.preAuthenticationLog.map((r) => r.expired)).toEqual([false, true]);
		// The 401 comes back to the node (on 1.x n8n cannot leave only 401 to itself; on 2.x so that one
		// request of the execution logs in at a time), which sends it again for n8n to log in: n8n's
		// own attempt with the old token is the second 401.
		expect(sim.stats.byStatus['401']).toBe(2);
		// The refreshed tokens are what the credential now stores.
		const stored = h.storedCredential();
		expect(stored.accessToken).toMatch(/^at\./);
		expect(stored.refreshToken).toMatch(/^rt\./);
	});

	it('a refused refresh falls back to the password once, and the run goes on', async () => {
		sim.tokens.refuseRefresh(1);
		const [run] = await Promise.all([h.run(oneAtATime, three), expireTokensDuringItem1()]);
		expect(run.error).toBeUndefined();
		expect(run.json.map((j) => j.action)).toEqual(['created', 'created', 'created']);
		expect(sim.stats.grants).toEqual({ 'password:200': 2, 'refresh_token:401': 1 });
	});

	it('items in parallel that all meet the expired token log in once: one refresh, not one per item', async () => {
		const eight = Array.from({ length: 8 }, (_, i) => ({ name: `TECH\\p.${i}` }));
		// The first four creates (Concurrency 4: all at once) are held while every token expires.
		sim.addFault({ kind: 'delay', ms: 300, method: 'POST', pathIncludes: '/security/users', count: 4 });
		const expire = (async () => {
			while (sim.stats.faultsInjected < 4) await new Promise((resolve) => setTimeout(resolve, 5));
			expect(sim.tokens.expireAllAccess()).toBeGreaterThan(0);
		})();
		const [run] = await Promise.all([h.run({ ...onboard, options: { concurrency: 4 } }, eight), expire]);
		expect(run.error).toBeUndefined();
		expect(run.json.map((j) => j.action)).toEqual(Array(8).fill('created'));
		expect(sim.stats.grants).toEqual({ 'password:200': 1, 'refresh_token:200': 1 });
		// Four held creates refused, plus n8n's first attempt (old token) for the one that logged in.
		expect(sim.stats.byStatus['401']).toBe(5);
		expect(mutations(sim).map(([, name]) => name).sort()).toEqual(eight.map((e) => e.name).sort());
	});

	it('a token expired between executions (15 minutes later) is refreshed once', async () => {
		await h.run(getAdmin);
		sim.clock.advance(901);
		const run = await h.run(getAdmin);
		expect(run.json[0]).toMatchObject({ name: 'VBR01\\admin' });
		expect(sim.stats.grants).toEqual({ 'password:200': 1, 'refresh_token:200': 1 });
	});

	it('a short token lifetime (expires_in 1 s) is honoured through refreshes, never a second login', async () => {
		const shortLived = await startSimulator({ product: 'vbr', expiresIn: 1 });
		try {
			const sh = new VeeamFixture(shortLived);
			await sh.run(getAdmin);
			await new Promise((resolve) => setTimeout(resolve, 1100));
			const run = await sh.run(getAdmin);
			expect(run.json[0]).toMatchObject({ name: 'VBR01\\admin' });
			expect(shortLived.stats.grants).toEqual({ 'password:200': 1, 'refresh_token:200': 1 });
			expect(Date.parse(String(sh.storedCredential().tokenExpiresAt)) - Date.now()).toBeLessThanOrEqual(1000);
		} finally {
			await shortLived.close();
		}
	});

	it('a wrong password fails with a clear message that does not contain it', async () => {
		h.resetCredential({ password: 'Wr0ng-Secret-Value!' });
		const run = await h.run(getAdmin);
		expect(run.error?.message).toMatch(
			/^Veeam Backup & Replication login failed \(401 AccessDenied: Invalid user name or password\): a wrong user name or password, or an account with multi-factor authentication on .*service account/,
		);
		expect(JSON.stringify(run.error)).not.toContain('Wr0ng-Secret-Value!');
	});

	it('an API version the server does not speak (Veeam\'s words name none) says which ones the credential offers', async () => {
		h.resetCredential({ apiVersion: 'custom', customApiVersion: '1.2-rev1' });
		const run = await h.run(getAdmin);
		expect(run.error?.message).toBe(
			'The server does not accept API version 1.2-rev1 and does not say which it supports. Choose another in the credential\'s "API Version": it offers 1.3-rev1, 1.3-rev2 (or Custom); take the one of the server\'s release (see Veeam\'s REST API reference for the release).',
		);
	});
});

describe('TLS', () => {
	let selfSigned: SimServer;
	beforeAll(async () => {
		selfSigned = await startSimulator({ product: 'vbr', tlsMode: 'self-signed' });
	});
	afterAll(async () => {
		await selfSigned.close();
	});
	beforeEach(() => {
		selfSigned.reset();
	});

	it('works with a self-signed server whose certificate is trusted through the credential (2.x: the CA field; 1.x: Skip)', async () => {
		const sh = new VeeamFixture(selfSigned);
		expect(selfSigned.tls.caPem).toBe(selfSigned.tls.certPem);
		const run = await sh.run(getAdmin);
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ name: 'VBR01\\admin' });
	});

	const advice = (caGiven: boolean) =>
		N8N_MAJOR >= 2
			? 'Paste the server\'s certificate, or the CA that signed it, as PEM into the credential\'s "CA Certificate" field. Only if you cannot, turn on "Skip Certificate Validation".'
			: `${caGiven ? 'n8n 1.x does not use the credential\'s "CA Certificate" field. ' : ''}Give n8n the server's certificate (or the CA that signed it) with the NODE_EXTRA_CA_CERTS environment variable and restart n8n; only if you cannot, turn on "Skip Certificate Validation".`;

	it.each([
		['no CA certificate', () => ({ caCertificate: '', skipTlsVerification: false })],
		['the CA of another server', () => ({ caCertificate: sim.tls.caPem, skipTlsVerification: false })],
	])('refuses a self-signed server with verification on and %s, saying what to do on this n8n', async (_what, overrides) => {
		const sh = new VeeamFixture(selfSigned);
		sh.resetCredential(overrides());
		const run = await sh.run(getAdmin);
		expect(run.error?.name).toBe('NodeApiError');
		expect(run.error?.message).toBe(
			`Veeam Backup & Replication login failed. The TLS certificate of ${selfSigned.url} is not trusted (DEPTH_ZERO_SELF_SIGNED_CERT). ${advice(overrides().caCertificate !== '')}`,
		);
		expect(selfSigned.stats.grants).toEqual({});
	});

	it('accepts an untrusted certificate only when the user turned verification off', async () => {
		const sh = new VeeamFixture(selfSigned);
		sh.resetCredential({ caCertificate: '', skipTlsVerification: true });
		const run = await sh.run(getAdmin);
		expect(run.error).toBeUndefined();
	});
});

describe('retries', () => {
	it('honours Retry-After on 429 for a read, then succeeds', async () => {
		sim.addFault({ kind: 'status', status: 429, retryAfterSeconds: 1, method: 'GET', pathIncludes: '/security/users' });
		const started = Date.now();
		const run = await h.run(getAdmin);
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(run.json[0]).toMatchObject({ name: 'VBR01\\admin' });
		expect(sim.stats.byStatus['429']).toBe(1);
	});

	it.each([
		['503 with Retry-After 0', { kind: 'status', status: 503, retryAfterSeconds: 0 }],
		['502', { kind: 'status', status: 502 }],
		['504', { kind: 'status', status: 504 }],
		['a reset connection', { kind: 'drop' }],
	] as const)('retries a read after %s', async (_what, fault) => {
		sim.addFault({ ...fault, method: 'GET', pathIncludes: '/security/users' });
		const run = await h.run(getAdmin);
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ name: 'VBR01\\admin' });
		expect(sim.stats.faultsInjected).toBe(1);
		// Only the retry reached the handler: the faulted try was answered (or dropped) before it.
		expect(routeCount(sim, `GET ${USERS}`)).toBe(1);
	});

	it('gives up after a bounded number of retries with Veeam’s error', async () => {
		sim.addFault({ kind: 'status', status: 503, retryAfterSeconds: 0, count: 50, method: 'GET', pathIncludes: '/security/users' });
		const run = await h.run(getAdmin);
		expect(run.error?.name).toBe('NodeApiError');
		expect(run.error?.message).toBe('Veeam: The service is temporarily unavailable.');
		expect(sim.stats.byStatus['503']).toBe(5); // the first try and 4 retries
	});
});

describe('Veeam errors', () => {
	it("become a NodeApiError carrying Veeam's errorCode and message (403 for an account without the role)", async () => {
		h.resetCredential({ username: 'VBR01\\viewer' });
		const run = await h.run(getAdmin);
		expect(run.error?.name).toBe('NodeApiError');
		expect(run.error?.message).toBe('Veeam: Forbidden');
		expect(errorText(run)).toContain('GET /api/v1/security/users answered 403 AccessDenied: Forbidden');
		expect(errorText(run)).toContain('needs the Backup Administrator (VBR)');
		expect((run.error as unknown as { httpCode: string }).httpCode).toBe('403');
		expect(mutations(sim)).toEqual([]);
	});

	it('keep the item index', async () => {
		// Enough users (3 pages) that two look-ups are cheaper than the list: each item asks for itself.
		sim.seed({ count: 1000 });
		// The first GET is the list's first page (to learn its size), the second item 0's look-up.
		sim.addFault({ kind: 'status', status: 500, method: 'GET', pathIncludes: '/security/users', after: 2 });
		const run = await h.run({ ...getAdmin, user: byName('={{ $json.name }}'), options: { concurrency: 1 } }, [{ name: 'VBR01\\admin' }, { name: 'VBR01\\viewer' }]);
		expect((run.error as unknown as { context: { itemIndex: number } }).context.itemIndex).toBe(1);
		// The first page and item 0's look-up reached the route; item 1's was answered by the fault.
		expect(routeCount(sim, `GET ${USERS}`)).toBe(2);
		expect(sim.stats.faultsInjected).toBe(1);
	});

	it('never leak the credential: no password or token in outputs, errors or the stored run', async () => {
		// A failing and a succeeding run; expectNoSecrets (in every h.run) scans both.
		sim.addFault({ kind: 'status', status: 500, method: 'GET', pathIncludes: '/security/users' });
		const failed = await h.run(getAdmin);
		const ok = await h.run(getAdmin, [{}], { continueOnFail: true });
		const stored = h.credentials.data(CREDENTIAL_ID);
		const everything = JSON.stringify([failed.error, failed.runData, ok.outputs, ok.runData]);
		for (const secret of [stored.password, stored.accessToken, stored.refreshToken]) {
			expect(typeof secret).toBe('string');
			expect(everything).not.toContain(secret);
		}
	});
});
