/**
 * Azure's API version "Automatic" whatever the appliance answers a path version it does not serve
 * (Veeam documents nothing; sim/azure/versions.ts): ASP.NET API Versioning's bare 404 (6 and
 * later) or 400 `UnsupportedApiVersion` (5 and older), an answer that proves nothing (503) at the
 * probe, and an appliance that checks the token before the version (401 before 404). With the
 * request costs of the bare 404, the form docs/api-versions.md gives beside the simulator's default.
 */
import { startSimulator, type SimServer } from '../../../../sim';
import type { AzureOptions } from '../../../../sim/azure/product';
import { shutdownEngine } from '../../../support/engine';
import { AutomaticHarness, CASES, errorText } from './harness';

const c = CASES.azure;
const sims: SimServer[] = [];

async function harness(options: AzureOptions, serves: string[]): Promise<AutomaticHarness> {
	const sim = await startSimulator({ product: 'azure', azure: options });
	sims.push(sim);
	sim.serveVersions(serves);
	return new AutomaticHarness(sim, c);
}

afterAll(async () => {
	for (const sim of sims) await sim.close();
	await shutdownEngine();
});

/** Requests of executions at the version pinned: a second one (token kept), and one after the token expired. */
async function pinned(h: AutomaticHarness, version: string): Promise<{ first: number; second: number; relogin: number }> {
	const p = new AutomaticHarness(h.sim, c);
	p.useCredential({ apiVersion: version });
	const first = await p.execute();
	const second = await p.execute();
	h.sim.tokens.expireAllAccess();
	const relogin = await p.execute();
	expect([first.error, second.error, relogin.error]).toEqual([undefined, undefined, undefined]);
	return { first: first.requests, second: second.requests, relogin: relogin.requests };
}

/** A 7.0 appliance first (v5 … v7), then the same downgrade mid-token and at the re-login: the extra requests of each. */
async function costs(h: AutomaticHarness): Promise<{ firstLogin: number; midToken: number; relogin: number }> {
	const first = await h.execute();
	expect(first.error).toBeUndefined();
	expect(h.stored().apiVersionFound).toBe('v7');
	const base = await pinned(h, 'v7');
	// Back to an 8.1 appliance, found and kept; then downgraded to 7.0 while the token is good.
	h.useCredential({});
	await h.serverNowServes(c.known);
	expect((await h.execute()).error).toBeUndefined();
	expect(h.stored().apiVersionFound).toBe('v8.1');
	await h.serverNowServes(c.older.serves);
	const during = await h.execute();
	expect(during.error).toBeUndefined();
	expect(during.users).toBeGreaterThan(0);
	h.sim.tokens.expireAllAccess();
	const relogin = await h.execute();
	expect(relogin.error).toBeUndefined();
	expect(h.stored().apiVersionFound).toBe('v7');
	return { firstLogin: first.requests - base.first, midToken: during.requests - base.second, relogin: relogin.requests - base.relogin };
}

describe('azure: an unserved version answered as ASP.NET API Versioning does', () => {
	it('a bare 404 (Asp.Versioning 6+, no body, no versions named): found by stepping down, at the login and mid-token; its costs', async () => {
		const h = await harness({ unservedVersion: 'bare-404' }, c.older.serves);
		expect(await costs(h)).toEqual(BARE_404_EXTRA);
	});

	it('a 400 UnsupportedApiVersion (Microsoft.AspNetCore.Mvc.Versioning 5 and older) is an unserved version, not a served one: found at the login and mid-token', async () => {
		const h = await harness({ unservedVersion: 'unsupported-400' }, c.older.serves);
		expect(await costs(h)).toEqual(UNSUPPORTED_400_EXTRA);
	});
});

/**
 * Extra requests on a 7.0 appliance whose unserved versions answer a bare 404 (nothing named, so
 * v8.1, v8, then v7): the first login probes three versions (+3); mid-token the refused request,
 * the user list at v8.1, v8 and v7 (+4); at the re-login that and the login's three probes, less
 * the pinned run's own request (+7).
 */
const BARE_404_EXTRA = { firstLogin: 3, midToken: 4, relogin: 7 };
/** The same with the 400: the refused request says so itself, so the user list is not asked at the version sent (one less each mid-token). */
const UNSUPPORTED_400_EXTRA = { firstLogin: 3, midToken: 3, relogin: 6 };

describe('azure: an answer that proves nothing keeps no version', () => {
	it('a 503 to the probe at the login: nothing kept from it; the version is found once the server answers', async () => {
		const h = await harness({}, c.older.serves);
		h.sim.addFault({ kind: 'status', status: 503, method: 'GET', pathIncludes: '/api/v8.1/users' });
		const run = await h.execute();
		// The login fails saying why, and neither a version nor the token is kept from it.
		expect(errorText(run.error)).toContain('login failed while finding the API version: GET /api/v8.1/users?Limit=1 answered (503');
		expect(errorText(run.error)).toContain('which does not tell whether v8.1 is served');
		expect(h.stored().apiVersionFound).toBeFalsy();
		expect(h.stored().accessToken).toBeFalsy();
		const next = await h.execute();
		expect(next.error).toBeUndefined();
		expect(h.stored().apiVersionFound).toBe('v7');
	});

	it('a 503 to the user list during a search mid-token: not taken for a served version; the request is retried, and the version found', async () => {
		const h = await harness({ announceVersions: false }, c.known);
		expect((await h.execute()).error).toBeUndefined();
		await h.serverNowServes(c.older.serves);
		// Stepping down from v8.1 asks v8 next: its 503 says nothing about v8.
		h.sim.addFault({ kind: 'status', status: 503, method: 'GET', pathIncludes: '/api/v8/users' });
		const run = await h.execute();
		expect(run.error).toBeUndefined();
		expect(run.users).toBeGreaterThan(0);
	});
});

describe('azure: an appliance that checks the token before the version (401 before 404)', () => {
	it('the re-login after a downgrade finds the version and the request is answered at it', async () => {
		const h = await harness({ tokenBeforeVersion: true }, c.known);
		expect((await h.execute()).error).toBeUndefined();
		expect(h.stored().apiVersionFound).toBe('v8.1');
		await h.serverNowServes(c.older.serves);
		h.sim.tokens.expireAllAccess();
		const relogin = await h.execute();
		expect(relogin.error).toBeUndefined();
		expect(relogin.users).toBeGreaterThan(0);
		expect(h.stored().apiVersionFound).toBe('v7');
		const base = await pinned(h, 'v7');
		expect(relogin.requests - base.relogin).toBe(TOKEN_FIRST_RELOGIN_EXTRA);
	});
});

/**
 * The re-login row on such an appliance: the request (401), n8n's login finding v7 (two probes),
 * the request again at the version already in its path (404), the user list at it and at v7, the
 * request at v7. The same +5 as the simulator's default order (the version checked first).
 */
const TOKEN_FIRST_RELOGIN_EXTRA = 5;
