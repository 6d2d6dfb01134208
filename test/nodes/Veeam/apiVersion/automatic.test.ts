/**
 * API version "Automatic" on all four products, through n8n's engine against the simulators
 * serving different version sets (client/login/automatic.ts, client/transport/apiVersion.ts):
 * the newest accepted version is found and kept with the token; a server upgrade or downgrade is
 * found again, mid-token within the execution and at the next login; no known version accepted is
 * a clear error. And what it costs, counted on the simulator against the same run with the version
 * pinned: the numbers here are the ones docs/api-versions.md gives.
 */
import { startSimulator, type SimServer } from '../../../../sim';
import { shutdownEngine } from '../../../support/engine';
import { runCredentialTest } from '../../../credentials/credentialTest';
import { AutomaticHarness, CASES, errorText, type P } from './harness';

const sims = new Map<P, SimServer>();

beforeAll(async () => {
	for (const p of Object.keys(CASES) as P[]) sims.set(p, await startSimulator({ product: p }));
});
afterAll(async () => {
	for (const sim of sims.values()) await sim.close();
	await shutdownEngine();
});

function harness(p: P, serves: string[]): AutomaticHarness {
	const sim = sims.get(p) as SimServer;
	sim.reset();
	sim.serveVersions(serves);
	return new AutomaticHarness(sim, CASES[p]);
}

/**
 * Requests of one execution at a pinned version on the same server: the first (with its login), a
 * second (token kept), and one after the access token expired (n8n's login after a 401).
 */
async function pinnedCost(h: AutomaticHarness, version: string): Promise<{ first: number; second: number; relogin: number }> {
	h.useCredential({ apiVersion: version });
	const first = await h.execute();
	const second = await h.execute();
	h.sim.tokens.expireAllAccess();
	const relogin = await h.execute();
	expect([first.error, second.error, relogin.error]).toEqual([undefined, undefined, undefined]);
	return { first: first.requests, second: second.requests, relogin: relogin.requests };
}

/**
 * Extra requests of Automatic over a pinned version, as designed: a refused version costs one login
 * (`x-api-version` products) or one probe (Azure, whose login has no version and is always followed
 * by one probe of the version it tries first).
 */
const EXTRA = {
	/** First login on an older server: VBR steps down once (its refusal names nothing), AWS takes the named 1.7-rev0, Azure probes v8.1 (404) and the named v7. */
	older: { vbr: 1, vbgc: 0, aws: 1, azure: 2 },
	/** First login on a newer server (our newest is served): none, Azure its one probe. */
	newer: { vbr: 0, vbgc: 0, aws: 0, azure: 1 },
} as const;

/** Requests of a login at a server that serves no known version: the refused token requests (Azure: the login and one probe). */
const REFUSED_LOGIN_REQUESTS = { vbr: 2, vbgc: 1, aws: 1, azure: 2 } as const;

describe.each(Object.keys(CASES) as P[])('%s: API version Automatic', (p) => {
	const c = CASES[p];

	it('an older server: finds the newest version it accepts, keeps it with the token; a second execution costs exactly what a pinned one does', async () => {
		const h = harness(p, c.older.serves);
		const first = await h.execute();
		expect(first.error).toBeUndefined();
		expect(first.users).toBeGreaterThan(0);
		expect(h.stored().apiVersionFound).toBe(c.older.finds);
		expect(h.stored().accessToken).toBeTruthy();
		const second = await h.execute();
		expect(second.error).toBeUndefined();
		expect(second.tokenRequests).toBe(0);
		const pinned = await pinnedCost(h, c.older.finds);
		expect(first.requests - pinned.first).toBe(EXTRA.older[p]);
		expect(second.requests - pinned.second).toBe(0);
	});

	it('a newer server that also serves versions the package does not know: picks our newest known, never an unknown one', async () => {
		const h = harness(p, [...c.known].reverse().concat(c.unknownNewer));
		const first = await h.execute();
		expect(first.error).toBeUndefined();
		expect(h.stored().apiVersionFound).toBe(c.known[0]);
		const second = await h.execute();
		const pinned = await pinnedCost(h, c.known[0]);
		expect(first.requests - pinned.first).toBe(EXTRA.newer[p]);
		expect(second.requests - pinned.second).toBe(0);
	});

	it('the kept version is tried first at a login (no token stored), and found again when refused', async () => {
		const h = harness(p, c.older.serves);
		h.useCredential({ apiVersionFound: c.known[0] });
		const run = await h.execute();
		expect(run.error).toBeUndefined();
		expect(h.stored().apiVersionFound).toBe(c.older.finds);
	});

	it('no known version accepted: a clear error naming what the server supports and what the package knows, at the login and mid-token', async () => {
		const h = harness(p, [c.unknownNewer]);
		const run = await h.execute();
		const text = errorText(run.error);
		// A server that names its versions, none known, is not asked again (VBR's names none: each known version is tried).
		expect(run.requests).toBe(REFUSED_LOGIN_REQUESTS[p]);
		expect(text).toContain(`accepts none of the API versions this package knows (${c.known.join(', ')}`);
		// VBR's refusal (its reference's example) names no version; the others' do (sim/contracts).
		expect(text).toContain(p === 'vbr' ? 'It does not say which it supports' : `It says it supports: ${c.unknownNewer}.`);
		// Mid-token: the server found at the last login no longer serves any known version.
		const ok = harness(p, c.known);
		expect((await ok.execute()).error).toBeUndefined();
		await ok.serverNowServes([c.unknownNewer]);
		const refused = await ok.execute();
		expect(errorText(refused.error)).toContain('accepts none of the API versions this package knows');
	});

	it('a pinned version behaves as before: sent as chosen, nothing found or kept', async () => {
		const h = harness(p, c.known);
		h.useCredential({ apiVersion: c.known[c.known.length - 1] });
		expect((await h.execute()).error).toBeUndefined();
		expect(h.stored().apiVersionFound).toBeUndefined();
		// A refused pinned version fails as it always has (Azure: its 404 under the path's version).
		h.useCredential({ apiVersion: 'custom', customApiVersion: c.unknownNewer });
		expect(errorText((await h.execute()).error)).toContain(p === 'azure' ? `GET /api/${c.unknownNewer}/users answered 404` : `does not accept API version ${c.unknownNewer}`);
	});

	it('the credential test (the editor\'s "Test" button) passes with Automatic on an older server', async () => {
		const h = harness(p, c.older.serves);
		const data = { url: h.sim.url, ...c.login, apiVersion: 'auto', ...(await import('../../../support/engine')).trustFields(h.sim.tls.caPem) };
		expect(await runCredentialTest(c.credential, data)).toEqual({ status: 'OK', message: 'Connection successful!' });
	});
});

describe('vbr: a refusal worded as real servers word it, under another errorCode', () => {
	it('the token request answered 400 BadRequest "Unsupported RESTAPI version. The following versions are supported: …" is a refusal: the named known version is used', async () => {
		const h = harness('vbr', CASES.vbr.known);
		h.sim.addFault({
			kind: 'answer',
			status: 400,
			body: { errorCode: 'BadRequest', message: 'Unsupported RESTAPI version. The following versions are supported: v1.2-rev1, v1.3-rev0, v1.3-rev1.' },
			pathIncludes: '/api/oauth2/token',
		});
		const run = await h.execute();
		expect(run.error).toBeUndefined();
		expect(h.stored().apiVersionFound).toBe('1.3-rev1');
		expect(run.tokenRequests).toBe(1);
	});
});

/** A server that changes between executions (products that know more than one version). */
const CHANGING: P[] = ['vbr', 'aws', 'azure'];

/**
 * Extra requests per execution while the kept version is refused and the token still valid: the
 * refused request, and on Azure the user list at the kept version (404) and at the one found.
 */
const MID_TOKEN_EXTRA = { vbr: 1, aws: 1, azure: 3 } as const;
/**
 * Extra requests of the execution whose token expired after the change, over a pinned version's
 * re-login. The simulator checks the version before the token (assumed: Veeam documents neither
 * order), so the refusal comes first: the search meets the expired token, n8n logs in, the login
 * tries the kept version first (x-api-version products: one refused token request; Azure: one probe).
 */
const RELOGIN_EXTRA = { vbr: 2, aws: 2, azure: 5 } as const;

describe.each(CHANGING)('%s: the server changes between executions', (p) => {
	const c = CASES[p];

	async function changeFoundAgain(h: AutomaticHarness, from: string, serves: string[], finds: string): Promise<void> {
		expect(h.stored().apiVersionFound).toBe(from);
		await h.serverNowServes(serves);
		const token = h.stored().accessToken;
		// Mid-token: the execution finds the version and its requests succeed; nothing is stored (no login ran).
		const during = await h.execute();
		expect(during.error).toBeUndefined();
		expect(during.users).toBeGreaterThan(0);
		expect(during.tokenRequests).toBe(0);
		expect(h.stored().accessToken).toBe(token);
		expect(h.stored().apiVersionFound).toBe(from);
		// Every execution pays it again while the token lasts (n8n logs in only on expiry or a 401).
		const again = await h.execute();
		expect(again.error).toBeUndefined();
		const pinned = await pinnedCost(new AutomaticHarness(h.sim, c), finds);
		expect(during.requests - pinned.second).toBe(MID_TOKEN_EXTRA[p as keyof typeof MID_TOKEN_EXTRA]);
		expect(again.requests).toBe(during.requests);
		// The token expires: n8n's login tries the kept version, finds the new one and keeps it.
		h.sim.tokens.expireAllAccess();
		const relogin = await h.execute();
		expect(relogin.error).toBeUndefined();
		expect(h.stored().apiVersionFound).toBe(finds);
		expect(relogin.requests - pinned.relogin).toBe(RELOGIN_EXTRA[p as keyof typeof RELOGIN_EXTRA]);
		// From then on: exactly what a pinned version costs.
		const steady = await h.execute();
		expect(steady.requests - pinned.second).toBe(0);
	}

	it('downgraded (restarted serving fewer versions, the credential\'s stored fields kept): found again, and the request succeeds', async () => {
		const sim = sims.get(p) as SimServer;
		sim.reset();
		sim.serveVersions(c.known);
		const h = new AutomaticHarness(sim, c);
		expect((await h.execute()).error).toBeUndefined();
		await changeFoundAgain(h, c.known[0], c.older.serves, c.older.finds);
	});

	it('an execution of several requests (a list read page by page) searches once and uses the version found for the rest of it', async () => {
		const sim = sims.get(p) as SimServer;
		sim.reset();
		sim.seed({ count: 2100 });
		sim.serveVersions(c.known);
		const h = new AutomaticHarness(sim, c);
		expect((await h.execute()).error).toBeUndefined();
		await h.serverNowServes(c.older.serves);
		const paged = await h.execute();
		expect(paged.error).toBeUndefined();
		h.useCredential({ apiVersion: c.older.finds });
		expect((await h.execute()).error).toBeUndefined();
		const pinned = await h.execute();
		// Several pages (else this would not test the rest of the execution), and the search paid once.
		expect(pinned.requests).toBeGreaterThan(2);
		expect(paged.users).toBe(pinned.users);
		expect(paged.requests - pinned.requests).toBe(MID_TOKEN_EXTRA[p as keyof typeof MID_TOKEN_EXTRA]);
	});

	it('upgraded to a release that drops the kept version: found again, and the request succeeds', async () => {
		const sim = sims.get(p) as SimServer;
		sim.reset();
		sim.serveVersions(c.older.serves);
		const h = new AutomaticHarness(sim, c);
		expect((await h.execute()).error).toBeUndefined();
		await changeFoundAgain(h, c.older.finds, [c.known[0], c.unknownNewer], c.known[0]);
	});
});
