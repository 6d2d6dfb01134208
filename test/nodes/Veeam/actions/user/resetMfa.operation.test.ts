import type { SimServer } from '../../../../../sim';
import { USERS, VeeamFixture, byName, mutations, routeCount, useSimulator } from '../../fixtures';

let sim: SimServer;
let h: VeeamFixture;

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

describe('User → Reset MFA', () => {
	it('resets the MFA of the user and outputs it', async () => {
		const run = await h.run({ resource: 'user', operation: 'resetMfa', user: byName('VBR01\\admin') });
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ action: 'mfaReset', user: { name: 'VBR01\\admin' } });
		expect(mutations(sim)).toEqual([['user.resetMfa', 'VBR01\\admin']]);
		expect(routeCount(sim, `POST ${USERS}/:id/resetMFA`)).toBe(1);
	});

	it('is retried after a 503 with Retry-After 0 (a reset is harmless to repeat)', async () => {
		sim.addFault({ kind: 'status', status: 503, retryAfterSeconds: 0, count: 2, method: 'POST', pathIncludes: 'resetMFA' });
		const run = await h.run({ resource: 'user', operation: 'resetMfa', user: byName('VBR01\\admin') });
		expect(run.json[0]).toMatchObject({ action: 'mfaReset' });
		expect(sim.stats.byStatus['503']).toBe(2);
		expect(mutations(sim)).toEqual([['user.resetMfa', 'VBR01\\admin']]);
	});

	it('refuses a group before sending ("User groups are not supported. You can enable MFA only for user accounts.")', async () => {
		const run = await h.run({ resource: 'user', operation: 'resetMfa', user: byName('TECH\\Backup Operators') });
		expect(run.error?.message).toMatch(/^Cannot reset multi-factor authentication of TECH\\Backup Operators: it is a group \(InternalGroup\)/);
		expect(routeCount(sim, `POST ${USERS}/:id/resetMFA`)).toBe(0);
		expect(mutations(sim)).toEqual([]);
	});

	it('fails for an unknown user without resetting anything', async () => {
		const run = await h.run({ resource: 'user', operation: 'resetMfa', user: byName('VBR01\\ghost') });
		expect(run.error?.message).toBe('User (item 0): no Veeam user or group with name "VBR01\\ghost"');
		expect(mutations(sim)).toEqual([]);
	});
});
