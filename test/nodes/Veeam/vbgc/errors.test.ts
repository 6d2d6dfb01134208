/** Continue-on-fail, retries and Veeam's problem-details errors on Veeam Backup for Google Cloud. */
import { startSimulator, type SimServer } from '../../../../sim';
import { shutdownEngine } from '../../../support/engine';
import { VBGC_USERS, VbgcFixture, byName, errorText, mutations, routeCount } from '../fixtures';

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
	h.resetCredential();
});

const onboard = { resource: 'user', operation: 'onboard', userName: '={{ $json.name }}', password: '={{ $json.password }}', roles: '={{ $json.roles }}' };
const getOperator = { resource: 'user', operation: 'get', user: byName('operator') };
const GOOD = 'G00d-Passw0rd!';

describe('continue on fail', () => {
	it('gives one error item per failing item, paired to it, and the other items go on', async () => {
		const run = await h.run(
			onboard,
			[
				{ name: 'first', password: GOOD, roles: ['Restore Operator'] },
				{ name: 'weak', password: 'weak', roles: ['Restore Operator'] },
				{ name: 'third', password: GOOD, roles: ['Chief Wizard'] },
				{ name: 'has space', password: GOOD, roles: ['Restore Operator'] },
				{ name: 'fifth', password: GOOD, roles: ['Portal Operator'] },
			],
			{ continueOnFail: true, secrets: [GOOD, 'weak'] },
		);
		expect(run.error).toBeUndefined();
		expect(run.items).toEqual([
			{ json: expect.objectContaining({ action: 'created' }), pairedItem: { item: 0 } },
			{ json: { error: expect.stringMatching(/^Password \(item 1\): does not meet the password policy/) }, pairedItem: { item: 1 } },
			{ json: { error: 'Role Names or IDs (item 2): unknown role "Chief Wizard"' }, pairedItem: { item: 2 } },
			{ json: { error: expect.stringMatching(/^User Name \(item 3\): "has space" contains white space/) }, pairedItem: { item: 3 } },
			{ json: expect.objectContaining({ action: 'created' }), pairedItem: { item: 4 } },
		]);
		expect(mutations(sim)).toEqual([
			['user.create', 'first'],
			['user.create', 'fifth'],
		]);
	});

	const PROMOTE_TO_RESTORE = { resource: 'user', operation: 'promote', user: byName('={{ $json.name }}'), roleMode: 'replace', roles: ['Restore Operator'] };

	it('turns a Veeam error on one item into its error item, carrying Veeam’s message', async () => {
		// Veeam refuses to take Portal Administrator from the default administrator.
		const run = await h.run(PROMOTE_TO_RESTORE, [{ name: 'restorer' }, { name: 'administrator' }, { name: 'operator' }], { continueOnFail: true });
		expect(run.items.map((i) => [i.json.action ?? i.json.error, i.pairedItem])).toEqual([
			['unchanged', { item: 0 }],
			['Veeam: The default administrator administrator must keep the Portal Administrator role.', { item: 1 }],
			['updated', { item: 2 }],
		]);
	});

	it('without it, the first failure stops the run with the item named', async () => {
		const run = await h.run(PROMOTE_TO_RESTORE, [{ name: 'operator' }, { name: 'administrator' }, { name: 'restorer' }]);
		expect(run.error?.name).toBe('NodeApiError');
		expect((run.error as unknown as { context: { itemIndex: number } }).context.itemIndex).toBe(1);
		expect(mutations(sim).map(([action, target]) => `${action} ${target}`)).toEqual(['user.update operator']);
	});
});

describe('retries', () => {
	it('honours Retry-After on 429 for a read, then succeeds', async () => {
		sim.addFault({ kind: 'status', status: 429, retryAfterSeconds: 1, method: 'GET', pathIncludes: VBGC_USERS });
		const started = Date.now();
		const run = await h.run(getOperator);
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(run.json[0]).toMatchObject({ name: 'operator' });
		expect(sim.stats.byStatus['429']).toBe(1);
	});

	it.each([
		['503 with Retry-After 0', { kind: 'status', status: 503, retryAfterSeconds: 0 }],
		['502', { kind: 'status', status: 502 }],
		['504', { kind: 'status', status: 504 }],
		['a reset connection', { kind: 'drop' }],
	] as const)('retries a read after %s', async (_what, fault) => {
		sim.addFault({ ...fault, method: 'GET', pathIncludes: VBGC_USERS });
		const run = await h.run(getOperator);
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ name: 'operator' });
		expect(sim.stats.faultsInjected).toBe(1);
		expect(routeCount(sim, 'GET /api/v1/users/:name')).toBe(1);
	});

	it('retries each page of a long listing on its own', async () => {
		sim.seed({ count: 1200, prefix: 'page' });
		sim.addFault({ kind: 'status', status: 503, retryAfterSeconds: 0, method: 'GET', pathIncludes: VBGC_USERS, after: 1, count: 2 });
		const run = await h.run({ resource: 'user', operation: 'getMany', returnAll: true });
		expect(run.items).toHaveLength(1204);
		expect(sim.stats.byStatus['503']).toBe(2);
		expect(routeCount(sim, `GET ${VBGC_USERS}`)).toBe(3);
	});

	it('gives up after a bounded number of retries with Veeam’s problem details', async () => {
		sim.addFault({ kind: 'status', status: 503, retryAfterSeconds: 0, count: 50, method: 'GET', pathIncludes: VBGC_USERS });
		const run = await h.run(getOperator);
		expect(run.error?.name).toBe('NodeApiError');
		expect(run.error?.message).toMatch(/^Veeam: /);
		expect(errorText(run)).toContain('GET /api/v1/users/operator answered 503 ServiceUnavailable');
		expect(sim.stats.byStatus['503']).toBe(5); // the first try and 4 retries
	});
});

describe('Veeam errors', () => {
	it('a 403 (an account without Portal Administrator) says which role the credential needs', async () => {
		h.resetCredential({ username: 'operator' });
		const run = await h.run({ resource: 'user', operation: 'getMany' });
		expect(run.error?.name).toBe('NodeApiError');
		expect(run.error?.message).toBe('Veeam: Forbidden. This operation requires the Portal Administrator role.');
		expect(errorText(run)).toContain('GET /api/v1/users answered 403 AccessDenied');
		expect(errorText(run)).toContain('Portal Administrator (VBGC)');
		expect((run.error as unknown as { httpCode: string }).httpCode).toBe('403');
	});

	it('operations of the other product are refused before any request', async () => {
		for (const operation of ['resetMfa', 'setServiceAccountMode']) {
			const run = await h.run({ resource: 'user', operation, user: byName('operator') });
			expect(run.error?.name).toBe('NodeOperationError');
			expect(run.error?.message).toMatch(/^Veeam Backup for Google Cloud has no (MFA reset|service accounts)$/);
		}
		expect(sim.stats.requests).toBe(0);
	});

	it('a filter of the other product left in the parameters is dropped by n8n, not sent', async () => {
		// Switching the product keeps the stored value; n8n keeps only the fields the VBGC form has.
		const run = await h.run({ resource: 'user', operation: 'getMany', returnAll: true, filters: { isServiceAccount: true, mfaEnabled: false } });
		expect(run.error).toBeUndefined();
		expect(run.json.map((j) => j.name)).toEqual(['administrator', 'operator', 'restorer']);
	});
});
