/**
 * Items in parallel (Options → Concurrency) and the server's list read once (UserSnapshot), through
 * n8n's engine against the simulator with a per-request latency, so that requests really overlap:
 * output order and pairing, continue-on-fail per item, one pause for every slot after a 429, items
 * about one user in order, the request budget, and a create that meets a user added meanwhile.
 */
import { startSimulator, VBR_DEFAULT_PASSWORD, type SimServer } from '../../../../sim';
import { shutdownEngine } from '../../../support/engine';
import { holdRequest } from '../../../support/holdRequest';
import { simClient } from '../../../support/simClient';
import { ROLES, USERS, VeeamFixture, byName, mutations, routeCount, simUser } from '../fixtures';

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
	sim.latencyMs = 0;
	h.resetCredential();
});

const onboard = (concurrency?: number) => ({
	resource: 'user',
	operation: 'onboard',
	userName: '={{ $json.name }}',
	roles: '={{ $json.roles ?? ["Restore Operator"] }}',
	...(concurrency === undefined ? {} : { options: { concurrency } }),
});
const hires = (n: number, prefix = 'hire') => Array.from({ length: n }, (_, i) => ({ name: `TECH\\${prefix}${String(i).padStart(3, '0')}` }));
const POSTS = `POST ${USERS}`;

describe('Options → Concurrency', () => {
	it('runs items in parallel, at most that many at once, with output in input order and each item paired', async () => {
		sim.latencyMs = 15;
		const input = hires(24);
		const run = await h.run(onboard(6), input);
		expect(run.error).toBeUndefined();
		expect(run.items.map((i) => [(i.json.user as { name: string }).name, i.json.action, i.pairedItem])).toEqual(input.map((x, i) => [x.name, 'created', { item: i }]));
		expect(sim.stats.maxInFlight).toBeGreaterThan(1);
		expect(sim.stats.maxInFlight).toBeLessThanOrEqual(6);
		for (const { name } of input) expect(simUser(sim, name)?.roles.map((r) => r.name)).toEqual(['Restore Operator']);
	});

	it('at concurrency 1, one request at a time', async () => {
		sim.latencyMs = 5;
		const run = await h.run(onboard(1), hires(6));
		expect(run.error).toBeUndefined();
		expect(sim.stats.maxInFlight).toBe(1);
	});

	it('continue on fail stays per item: failures where they happened, each error paired, the rest done', async () => {
		sim.latencyMs = 10;
		// Two creates (the 3rd and the 7th to arrive) fail; which items those are depends on timing.
		sim.addFault({ kind: 'status', status: 500, method: 'POST', pathIncludes: '/security/users', after: 2 });
		sim.addFault({ kind: 'status', status: 500, method: 'POST', pathIncludes: '/security/users', after: 5 });
		const input = [...hires(10).slice(0, 5), { name: 'TECH\\a\\b' }, ...hires(10).slice(5)];
		const run = await h.run(onboard(4), input, { continueOnFail: true });
		expect(run.error).toBeUndefined();
		expect(run.items.map((i) => i.pairedItem)).toEqual(input.map((_, i) => ({ item: i })));
		expect(run.json[5]).toEqual({ error: expect.stringMatching(/^User Name \(item 5\): "TECH\\a\\b" is not a Windows account name/) });
		const failed = run.json.flatMap((j, i) => (i !== 5 && j.error ? [i] : []));
		expect(failed).toHaveLength(2);
		for (const i of failed) expect(run.json[i].error).toBe('Veeam: The service is temporarily unavailable.');
		// Every item that says "created" is on the server; the failed ones are not.
		for (const [i, j] of run.json.entries()) {
			if (i === 5) continue;
			expect(simUser(sim, input[i].name) !== undefined).toBe(j.action === 'created');
		}
	});

	it('a 429 pauses every slot for its Retry-After, not only the refused request', async () => {
		sim.latencyMs = 20;
		sim.addFault({ kind: 'status', status: 429, retryAfterSeconds: 1, method: 'POST', pathIncludes: '/security/users', after: 3 });
		const started = Date.now();
		const run = await h.run(onboard(4), hires(16));
		expect(run.error).toBeUndefined();
		expect(run.json.every((j) => j.action === 'created')).toBe(true);
		expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
		expect(sim.stats.byStatus['429']).toBe(1);

		// Only the simulator's own timestamps and counts, no wall-clock window (a loaded machine
		// stretches every interval, never shortens one). The refused create is the 4th POST to
		// arrive (the latency is the same for all, so they are answered in the order they arrived).
		const postIndexes = sim.stats.recent.flatMap((r, i) => (r.startsWith(POSTS) ? [i] : []));
		expect(postIndexes).toHaveLength(16 + 1);
		const refusedAt = sim.stats.arrivals[postIndexes[3]];
		const later = sim.stats.arrivals.slice(postIndexes[3] + 1);
		// The transport reads the 429 after the simulator sent it, which is after it arrived, and holds
		// every slot until 1 s (Retry-After) after reading it: whatever a slot starts from then on
		// arrives at refusedAt + 1000 or later. Before that, only a request a slot had already started
		// when the 429 was read: at most one for each of the 3 other slots. Without the shared pause
		// the other slots would send the other 12 creates here; with Retry-After ignored (the pause
		// shorter than 1 s), all four slots would.
		expect(later.filter((t) => t < refusedAt + 1000).length).toBeLessThanOrEqual(4 - 1);
		// The rest, the refused create's retry among them (13 creates after it), after the pause.
		expect(later.filter((t) => t >= refusedAt + 1000).length).toBeGreaterThanOrEqual(13 - (4 - 1));
	});

	it('runs items about the same user one after another, in input order (both role changes kept)', async () => {
		sim.latencyMs = 10;
		const name = 'TECH\\sheila.d.cory'; // Restore Operator
		const add = (role: string) => ({ name, role });
		const run = await h.run(
			{ resource: 'user', operation: 'promote', user: byName('={{ $json.name }}'), roleMode: 'add', roles: '={{ [$json.role] }}', options: { concurrency: 4 } },
			[add('Backup Viewer'), { name: 'VBR01\\viewer', role: 'Backup Operator' }, add('Backup Operator'), add('Tape Operator')],
		);
		expect(run.error).toBeUndefined();
		expect(simUser(sim, name)?.roles.map((r) => r.name).sort()).toEqual(['Backup Operator', 'Backup Viewer', 'Restore Operator', 'Tape Operator']);
		// Each sees what the one before did: the roles it started from grow item by item.
		const before = [0, 2, 3].map((i) => (run.json[i].before as string[]).slice().sort());
		expect(before).toEqual([
			['Restore Operator'],
			['Backup Viewer', 'Restore Operator'],
			['Backup Operator', 'Backup Viewer', 'Restore Operator'],
		]);
	});

	it('two onboardings of one new name create it once (the second finds it)', async () => {
		sim.latencyMs = 10;
		const run = await h.run(onboard(4), [{ name: 'TECH\\twice' }, { name: 'tech\\TWICE' }, { name: 'TECH\\other' }]);
		expect(run.error).toBeUndefined();
		expect(run.json.map((j) => j.action)).toEqual(['created', 'unchanged', 'created']);
		expect(mutations(sim).filter(([action]) => action === 'user.create')).toHaveLength(2);
	});

	it('keeps one login and one role look-up for the whole execution', async () => {
		sim.latencyMs = 10;
		await h.run(onboard(8), hires(20));
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
		expect(routeCount(sim, `GET ${ROLES}`)).toBe(1);
	});

	it('takes the first item’s value; an expression that is not a number falls back to the default, and 0 or 99 are clamped', async () => {
		sim.latencyMs = 10;
		for (const [value, most] of [
			['={{ "x" }}', 4],
			[0, 1],
			[99, 16],
		] as const) {
			sim.reset();
			sim.latencyMs = 10;
			const run = await h.run({ ...onboard(), options: { concurrency: value } }, hires(24, `c${String(value).length}`));
			expect(run.error).toBeUndefined();
			expect(sim.stats.maxInFlight).toBeLessThanOrEqual(most);
			if (most === 1) expect(sim.stats.maxInFlight).toBe(1);
		}
	});
});

describe('the server’s list, read once when cheaper than a look-up per item', () => {
	it('onboards 200 new users on a server with 2,000 in ≤ 1.1 requests each, changes read back included', async () => {
		sim.seed({ count: 2000 - 6 });
		const run = await h.run(onboard(), hires(200));
		expect(run.error).toBeUndefined();
		expect(run.json.every((j) => j.action === 'created')).toBe(true);
		// token + roles + the list (the simulator, like VBR, pages at most 500: 4 pages) + 200 creates
		// + the list again to see the changes done (5 pages: confirm.ts)
		// + one read of the account's pending four-eyes requests before the first change (confirm.ts)
		expect(routeCount(sim, `GET ${USERS}`)).toBe(4 + 5);
		expect(routeCount(sim, POSTS)).toBe(200);
		expect(routeCount(sim, 'GET /api/v1/authorization/events')).toBe(1);
		expect(sim.stats.requests).toBe(2 + 4 + 1 + 200 + 5);
		expect(sim.stats.requests / 200).toBeLessThanOrEqual(1.1);
	});

	it('looks up per item when that is cheaper (2 items, 4 pages)', async () => {
		sim.seed({ count: 1500 });
		const run = await h.run(onboard(), hires(2));
		expect(run.error).toBeUndefined();
		// The first page (read to learn the size) and one look-up by name per item.
		expect(sim.stats.recent.filter((r) => r.startsWith(`GET ${USERS}?`) && r.includes('nameFilter='))).toHaveLength(2);
		expect(routeCount(sim, `GET ${USERS}`)).toBe(3);
	});

	it('answers existing users from the list: they are made to match, not created again', async () => {
		sim.seed({ count: 100 });
		const run = await h.run({ ...onboard(), ifExists: 'makeRolesMatch' }, [
			{ name: 'TECH\\sheila.d.cory', roles: ['Backup Viewer'] },
			...hires(3),
			{ name: 'tech\\SHEILA.D.CORY', roles: ['Backup Viewer'] },
		]);
		expect(run.error).toBeUndefined();
		expect(run.json.map((j) => j.action)).toEqual(['updated', 'created', 'created', 'created', 'unchanged']);
		expect(simUser(sim, 'TECH\\sheila.d.cory')?.roles.map((r) => r.name)).toEqual(['Backup Viewer']);
		// The list; the fifth item's user, changed earlier in this run, looked up on the server again
		// (what this run sent may be held by four-eyes, so it is not taken as done); then the list
		// again to see the changes done.
		expect(routeCount(sim, `GET ${USERS}`)).toBe(3);
		expect(sim.stats.recent.filter((r) => r.startsWith(`GET ${USERS}?`) && /nameFilter=tech%5CSHEILA/i.test(r))).toHaveLength(1);
	});

	it('a user added on the server after the list was read is found when the create is refused, never duplicated', async () => {
		sim.seed({ count: 100 });
		// The first create waits on the server until an administrator has added that very user: a gate
		// the test opens, not a delay the administrator's requests must fit in (on a loaded machine
		// they may not).
		const { release, held, restore } = holdRequest(sim, (req) => req.method === 'POST' && req.path === USERS);
		const running = h.run({ ...onboard(1), ifExists: 'makeRolesMatch' }, [{ name: 'TECH\\late.comer', roles: ['Backup Viewer'] }, ...hires(2)]);
		try {
			await held;
			const admin = simClient(sim, { apiVersion: '1.3-rev2' });
			const token = await admin.post('/api/oauth2/token', new URLSearchParams({ grant_type: 'password', username: 'VBR01\\admin', password: VBR_DEFAULT_PASSWORD }));
			const auth = { headers: { Authorization: `Bearer ${token.data.access_token}` } };
			const roles = (await admin.get(ROLES, auth)).data.data as Array<{ id: string; name: string }>;
			const user = { name: 'TECH\\late.comer', type: 'ExternalUser', roles: roles.filter((r) => r.name === 'Restore Operator'), isServiceAccount: false };
			expect((await admin.post(USERS, user, auth)).status).toBe(201);
		} finally {
			release();
		}
		const run = await running;
		restore();
		expect(run.error).toBeUndefined();
		expect(run.json.map((j) => j.action)).toEqual(['updated', 'created', 'created']);
		const sameName = (sim.product.snapshot().users as Array<{ name: string }>).filter((u) => u.name.toLowerCase() === 'tech\\late.comer');
		expect(sameName).toHaveLength(1);
		expect(simUser(sim, 'TECH\\late.comer')?.roles.map((r) => r.name)).toEqual(['Backup Viewer']);
	});
});
