/**
 * VBGC: items in parallel and the list read once (see test/nodes/Veeam/actions/concurrency.test.ts
 * for VBR). VBGC addresses users by name, so items are keyed by name even without the list.
 */
import { startSimulator, type SimServer } from '../../../../sim';
import { shutdownEngine } from '../../../support/engine';
import { VBGC_USERS, VbgcFixture, byName, routeCount, vbgcUser } from '../fixtures';

let sim: SimServer;
let h: VbgcFixture;

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbgc' });
	h = new VbgcFixture(sim);
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

const PASSWORD = 'N3w-Hire-Passw0rd!';
const onboard = (concurrency?: number) => ({
	resource: 'user',
	operation: 'onboard',
	userName: '={{ $json.name }}',
	password: PASSWORD,
	roles: ['Restore Operator'],
	...(concurrency === undefined ? {} : { options: { concurrency } }),
});
const hires = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `hire${String(i).padStart(3, '0')}` }));

describe('VBGC: Options → Concurrency and the list read once', () => {
	it('runs items in parallel with output in input order and pairing, within the limit', async () => {
		sim.latencyMs = 15;
		const input = hires(16);
		const run = await h.run(onboard(4), input);
		expect(run.error).toBeUndefined();
		expect(run.items.map((i) => [(i.json.user as { name: string }).name, i.json.action, i.pairedItem])).toEqual(
			input.map((x, i) => [x.name, 'created', { item: i }]),
		);
		expect(sim.stats.maxInFlight).toBeGreaterThan(1);
		expect(sim.stats.maxInFlight).toBeLessThanOrEqual(4);
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
	});

	it('onboards 50 new users on a server with 1,200 in ≤ 1.1 requests each', async () => {
		sim.seed({ count: 1200, prefix: 'page' });
		const run = await h.run(onboard(), hires(50));
		expect(run.error).toBeUndefined();
		expect(run.json.every((j) => j.action === 'created')).toBe(true);
		expect(routeCount(sim, `POST ${VBGC_USERS}`)).toBe(50);
		expect(sim.stats.requests / 50).toBeLessThanOrEqual(1.1);
		for (const { name } of hires(50)) expect(vbgcUser(sim, name)?.roles.map((r) => r.name)).toEqual(['Restore Operator']);
	});

	it('keeps items about one user in order: replace, then add, ends with both', async () => {
		sim.latencyMs = 10;
		const run = await h.run(
			{ resource: 'user', operation: 'promote', user: byName('={{ $json.name }}'), roleMode: '={{ $json.mode }}', roles: '={{ [$json.role] }}', options: { concurrency: 4 } },
			[
				{ name: 'operator', mode: 'replace', role: 'Restore Operator' },
				{ name: 'restorer', mode: 'add', role: 'Portal Operator' },
				{ name: 'OPERATOR', mode: 'add', role: 'Portal Administrator' },
			],
		);
		expect(run.error).toBeUndefined();
		expect(vbgcUser(sim, 'operator')?.roles.map((r) => r.name).sort()).toEqual(['Portal Administrator', 'Restore Operator']);
	});
});
