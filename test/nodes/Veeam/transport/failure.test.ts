/**
 * n8n 2.40+'s failure cause on the error that escapes the transport (rate-limited with the server's
 * Retry-After, temporarily-unavailable, credential-invalid, configuration-invalid), so n8n's poll
 * scheduler backs off; on n8n 1.x the same errors, with the same messages, and no cause (its error
 * classes have no such option). The engine runs the Veeam node against the VBR simulator.
 */
import * as workflow from 'n8n-workflow';

import { failureCause, loginFailureCause, retryAfterMs } from '../../../../client/transport/failure';
import { startSimulator, type SimServer } from '../../../../sim';
import { shutdownEngine } from '../../../support/engine';
import { VeeamFixture, byName } from '../fixtures';

/** Whether this n8n declares failure causes (n8n-workflow 2.40+ exports the cause lists). */
const HAS_FAILURE = 'TIMED_CAUSES' in workflow;

let sim: SimServer;
let h: VeeamFixture;

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbr' });
	h = new VeeamFixture(sim);
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});
beforeEach(() => {
	sim.reset();
	sim.faults.clear();
	h.resetCredential();
});

const getAdmin = { resource: 'user', operation: 'get', user: byName('VBR01\\admin') };
const USERS = '/security/users';

/** The cause on 2.x; nothing on 1.x. */
function expectCause(error: Error | undefined, cause: object): void {
	expect(error).toBeDefined();
	const failure = (error as { failure?: unknown }).failure;
	if (HAS_FAILURE) expect(failure).toEqual(cause);
	else expect(failure).toBeUndefined();
}

/** The transport retries 4 times: those answers come with Retry-After 0 (no wait), the last one with `last`. */
function refuseFiveTimes(status: 429 | 503 | 502 | 504, last: { retryAfterSeconds?: number; headers?: Record<string, string> } = {}): void {
	sim.addFault({ kind: 'status', status, retryAfterSeconds: 0, count: 4, method: 'GET', pathIncludes: USERS });
	if (last.headers) sim.addFault({ kind: 'answer', status, headers: last.headers, body: { errorCode: 'Busy', message: 'Try later.' }, method: 'GET', pathIncludes: USERS });
	else sim.addFault({ kind: 'status', status, retryAfterSeconds: last.retryAfterSeconds, method: 'GET', pathIncludes: USERS });
}

describe('the error that escapes carries the cause (2.x) and the same message on both majors', () => {
	it('429 with Retry-After: 7 → rate-limited, retryAfterMs 7000', async () => {
		refuseFiveTimes(429, { retryAfterSeconds: 7 });
		const run = await h.run(getAdmin);
		expect(run.error?.name).toBe('NodeApiError');
		expect(run.error?.message).toMatch(/^Veeam/);
		expect(sim.stats.byStatus['429']).toBe(5);
		expectCause(run.error, { cause: 'rate-limited', retryAfterMs: 7000 });
	});

	it('503 with Retry-After as an HTTP date → rate-limited, the wait until then', async () => {
		const at = new Date(Date.now() + 120_000).toUTCString();
		refuseFiveTimes(503, { headers: { 'Retry-After': at } });
		const run = await h.run(getAdmin);
		expect(run.error?.message).toBe('Veeam: Try later.');
		const failure = (run.error as { failure?: { cause: string; retryAfterMs?: number } }).failure;
		if (!HAS_FAILURE) return expect(failure).toBeUndefined();
		expect(failure?.cause).toBe('rate-limited');
		// The date has whole seconds: up to a second less than 120 s, and the test's own time.
		expect(failure?.retryAfterMs).toBeGreaterThan(60_000);
		expect(failure?.retryAfterMs).toBeLessThanOrEqual(120_000);
	});

	it('503 without Retry-After → rate-limited without a wait (n8n\'s own back-off curve applies)', async () => {
		refuseFiveTimes(503);
		const run = await h.run(getAdmin);
		expect(run.error?.message).toBe('Veeam: The service is temporarily unavailable.');
		expectCause(run.error, { cause: 'rate-limited' });
	});

	it('a Retry-After of a day is clamped to the hour n8n waits at most', async () => {
		refuseFiveTimes(429, { retryAfterSeconds: 86_400 });
		const run = await h.run(getAdmin);
		expectCause(run.error, { cause: 'rate-limited', retryAfterMs: 3_600_000 });
	});

	it.each([502, 504] as const)('%s after every retry → temporarily-unavailable', async (status) => {
		refuseFiveTimes(status, { retryAfterSeconds: 0 });
		const run = await h.run(getAdmin);
		expect(run.error?.name).toBe('NodeApiError');
		expectCause(run.error, { cause: 'temporarily-unavailable' });
	});

	it('a wrong password → credential-invalid (the message as before)', async () => {
		h.resetCredential({ password: 'Wr0ng-Secret-Value!' });
		const run = await h.run(getAdmin);
		expect(run.error?.message).toMatch(/^Veeam Backup & Replication login failed \(401 AccessDenied/);
		expectCause(run.error, { cause: 'credential-invalid' });
	});

	it('a 401 that persists after a fresh login → credential-invalid', async () => {
		sim.addFault({ kind: 'answer', status: 401, body: { errorCode: 'AccessDenied', message: 'Token is not valid.' }, count: 10, method: 'GET', pathIncludes: USERS });
		const run = await h.run(getAdmin);
		expect(run.error?.message).toBe('Veeam: Token is not valid.');
		expectCause(run.error, { cause: 'credential-invalid' });
	});

	it('an API version the server refuses → configuration-invalid', async () => {
		h.resetCredential({ apiVersion: 'custom', customApiVersion: '1.2-rev1' });
		const run = await h.run(getAdmin);
		expect(run.error?.message).toMatch(/^The server does not accept API version 1\.2-rev1/);
		expectCause(run.error, { cause: 'configuration-invalid' });
	});

	it('a Server URL whose token path answers 404 (not a VBR server) → configuration-invalid', async () => {
		sim.addFault({ kind: 'answer', status: 404, method: 'POST', pathIncludes: '/oauth2/token' });
		const run = await h.run(getAdmin);
		expect(run.error?.message).toMatch(/login failed: .* does not exist on that server/);
		expectCause(run.error, { cause: 'configuration-invalid' });
	});

	it('a login answered 429 with Retry-After: 9 → rate-limited with the login\'s own wait (the credential\'s error carries its reason)', async () => {
		sim.addFault({ kind: 'answer', status: 429, headers: { 'Retry-After': '9' }, body: { errorCode: 'Busy', message: 'Slow down.' }, count: 10, method: 'POST', pathIncludes: '/oauth2/token' });
		const run = await h.run(getAdmin);
		expect(run.error?.message).toMatch(/login failed \(password grant, 429 Busy: Slow down\)/);
		expectCause(run.error, { cause: 'rate-limited', retryAfterMs: 9000 });
	});

	it('a login answered 504 → temporarily-unavailable', async () => {
		sim.addFault({ kind: 'answer', status: 504, body: {}, count: 10, method: 'POST', pathIncludes: '/oauth2/token' });
		const run = await h.run(getAdmin);
		expect(run.error?.message).toMatch(/login failed \(password grant, 504/);
		expectCause(run.error, { cause: 'temporarily-unavailable' });
	});

	it('nobody listening at the address (connection refused at the login) → temporarily-unavailable', async () => {
		const closed = await startSimulator({ product: 'vbr' });
		const url = closed.url;
		await closed.close();
		h.resetCredential({ url });
		const run = await h.run(getAdmin);
		expect(run.error?.message).toMatch(/login failed\. Cannot reach .*\(ECONNREFUSED\)/);
		expectCause(run.error, { cause: 'temporarily-unavailable' });
	});

	it('a Veeam error a wait cannot help (403: the role is missing) carries no cause', async () => {
		h.resetCredential({ username: 'VBR01\\viewer' });
		const run = await h.run(getAdmin);
		expect(run.error?.message).toMatch(/^Veeam/);
		expect((run.error as { failure?: unknown }).failure).toBeUndefined();
	});
});

describe('the causes, one by one', () => {
	it('Retry-After: none for missing, zero or nonsense; whole milliseconds; at most an hour', () => {
		expect(retryAfterMs(undefined)).toBeUndefined();
		expect(retryAfterMs(0)).toBeUndefined();
		expect(retryAfterMs(-3)).toBeUndefined();
		expect(retryAfterMs(Number.NaN)).toBeUndefined();
		expect(retryAfterMs(7)).toBe(7000);
		expect(retryAfterMs(0.0004)).toBe(1);
		expect(retryAfterMs(1e12)).toBe(3_600_000);
	});

	it.each([
		[{ status: 429, retryAfterSeconds: 7 }, { cause: 'rate-limited', retryAfterMs: 7000 }],
		[{ status: 503 }, { cause: 'rate-limited' }],
		[{ status: 502 }, { cause: 'temporarily-unavailable' }],
		[{ status: 504 }, { cause: 'temporarily-unavailable' }],
		[{ status: 401 }, { cause: 'credential-invalid' }],
		[{ code: 'ECONNREFUSED' }, { cause: 'temporarily-unavailable' }],
		[{ code: 'ECONNRESET' }, { cause: 'temporarily-unavailable' }],
		[{ code: 'ETIMEDOUT' }, { cause: 'temporarily-unavailable' }],
		[{ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }, { cause: 'configuration-invalid' }],
		[{ status: 302, redirectTo: 'https://elsewhere' }, { cause: 'configuration-invalid' }],
		[{ status: 400 }, undefined],
		[{ status: 404 }, undefined],
		[{ status: 500 }, undefined],
		[{ code: 'ENOTFOUND' }, undefined],
	])('%j → %j', (failure, cause) => {
		expect(failureCause(failure)).toEqual(cause);
	});

	it('a Veeam NotImplemented (the API version) → configuration-invalid', () => {
		expect(failureCause({ status: 400 }, 'NotImplemented')).toEqual({ cause: 'configuration-invalid' });
	});

	it.each([
		// A refused refresh followed by a refused password ends in the password grant's message.
		['Veeam Backup for Google Cloud login failed: wrong user name or password (401 Unauthorized).', 'credential-invalid'],
		['Veeam Backup & Replication login failed (401 AccessDenied: Authentication failed): a wrong user name or password, or an account with multi-factor authentication on (the server answers both alike). Check …', 'credential-invalid'],
		['Veeam Backup & Replication refused the login because this account has multi-factor authentication on (401). …', 'credential-invalid'],
		['Username and Password are required in the credential.', 'credential-invalid'],
		['The server does not accept API version 1.2-rev1. It supports: 1.3-rev1.', 'configuration-invalid'],
		['Veeam Backup & Replication login failed: https://h:9419/api/oauth2/token does not exist on that server (404). Check …', 'configuration-invalid'],
		['Veeam Backup & Replication login failed: https://h/api/oauth2/token answered with a redirect (302) to https://x. …', 'configuration-invalid'],
		['Veeam Backup & Replication login failed. The TLS certificate of https://h is not trusted (SELF_SIGNED_CERT_IN_CHAIN). …', 'configuration-invalid'],
		['Veeam Backup & Replication login failed. No answer from https://h within 30 s (the credential\'s "Request Timeout (Seconds)"; ETIMEDOUT): …', 'temporarily-unavailable'],
		['Veeam Backup & Replication login failed. Cannot reach https://h (ECONNREFUSED): check …', 'temporarily-unavailable'],
		['Veeam Backup & Replication login failed. The request to https://h failed (ECONNRESET).', 'temporarily-unavailable'],
		['Veeam Backup & Replication login failed (password grant, 429 Busy: slow down).', 'rate-limited'],
		['Veeam Backup & Replication login failed (refresh_token grant, 503).', 'rate-limited'],
		['Veeam Backup & Replication login failed (password grant, 502).', 'temporarily-unavailable'],
		['Veeam Backup & Replication login failed (password grant, 500 InternalError).', undefined],
		['Veeam Backup & Replication login failed. Cannot reach https://h (ENOTFOUND): check …', undefined],
	])('login: %s → %s', (message, cause) => {
		expect(loginFailureCause(message)).toEqual(cause === undefined ? undefined : { cause });
	});
});
