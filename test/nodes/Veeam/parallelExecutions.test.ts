/**
 * Parallel executions share one credential and nothing locks it (N8N-NOTES): when the stored
 * access token dies, every execution refreshes at once with the same single-use refresh token.
 * One wins; the others must fall back to the password grant instead of failing.
 */
import { startSimulator, type SimServer } from '../../../sim';
import { shutdownEngine } from '../../support/engine';
import { CREDENTIAL_ID, USERS, VeeamFixture, routeCount } from './fixtures';

let sim: SimServer;
let fixture: VeeamFixture;

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbr' });
	fixture = new VeeamFixture(sim);
});

afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});

beforeEach(() => {
	sim.reset();
	fixture.resetCredential();
});

const getMany = { resource: 'user', operation: 'getMany', returnAll: true };

it('five executions whose shared token expired all succeed: one refresh wins, the others log in again', async () => {
	const first = await fixture.run(getMany);
	expect(first.error).toBeUndefined();
	expect(sim.stats.grants).toEqual({ 'password:200': 1 });
	const stored = fixture.storedCredential();

	sim.tokens.expireAllAccess();
	const runs = await Promise.all(Array.from({ length: 5 }, async () => await fixture.run(getMany)));

	for (const run of runs) {
		expect(run.error).toBeUndefined();
		expect(run.json.length).toBe(6);
	}
	// Each execution saw the 401, and tried the refresh token it had read from the store.
	expect(sim.stats.grants['refresh_token:200']).toBe(1);
	expect(sim.stats.grants['refresh_token:401']).toBe(4);
	expect(sim.stats.grants['password:200']).toBe(1 + 4);
	// The store holds a working token from one of them; the old refresh token is spent.
	const after = fixture.storedCredential();
	expect(after.refreshToken).not.toBe(stored.refreshToken);
	expect(fixture.credentials.preAuthenticationCount(CREDENTIAL_ID)).toBe(1 + 5);
	const next = await fixture.run(getMany);
	expect(next.error).toBeUndefined();
	// Per execution, on both majors: the 401 that comes back to the transport, the same request
	// sent again for n8n to log in (a 401 again, then n8n's refresh), and n8n's re-send with the new
	// token (see transport/index.ts and RequestGroup).
	expect(routeCount(sim, `GET ${USERS}`)).toBe(1 + 5 * 3 + 1);
});

it('parallel executions with an empty credential each log in once, and none fails', async () => {
	const runs = await Promise.all(Array.from({ length: 4 }, async () => await fixture.run(getMany)));
	for (const run of runs) expect(run.error).toBeUndefined();
	expect(sim.stats.grants).toEqual({ 'password:200': 4 });
});
