import type { SimServer } from '../../../../../sim';
import { USERS, VeeamFixture, byName, mutations, routeCount, simUser, useSimulator } from '../../fixtures';

let sim: SimServer;
let h: VeeamFixture;

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

const setMode = (name: string, isServiceAccount: boolean | string) => ({
	resource: 'user',
	operation: 'setServiceAccountMode',
	user: byName(name),
	isServiceAccount,
});

describe('User → Set Service Account Mode', () => {
	it('turns a user into a service account and back', async () => {
		const on = await h.run(setMode('VBR01\\admin', true));
		expect(on.json[0]).toMatchObject({ action: 'updated', before: false, after: true, user: { name: 'VBR01\\admin', isServiceAccount: true } });
		expect(simUser(sim, 'VBR01\\admin')?.isServiceAccount).toBe(true);
		const off = await h.run(setMode('VBR01\\admin', false));
		expect(off.json[0]).toMatchObject({ action: 'updated', before: true, after: false });
		expect(simUser(sim, 'VBR01\\admin')?.isServiceAccount).toBe(false);
		expect(mutations(sim)).toEqual([
			['user.serviceAccount', 'VBR01\\admin'],
			['user.serviceAccount', 'VBR01\\admin'],
		]);
	});

	it('refuses a group before sending (1.3-rev2 addresses a "User ID."; MFA is for user accounts only), the error paired to its item', async () => {
		const run = await h.run(setMode('={{ $json.name }}', true), [{ name: 'TECH\\Backup Operators' }, { name: 'VBR01\\admin' }], { continueOnFail: true });
		expect(run.error).toBeUndefined();
		expect(run.items[0]).toEqual({
			json: { error: expect.stringMatching(/^Cannot turn service-account mode on for TECH\\Backup Operators: it is a group \(InternalGroup\)/) },
			pairedItem: { item: 0 },
		});
		expect(run.json[1]).toMatchObject({ action: 'updated', after: true });
		expect(mutations(sim)).toEqual([['user.serviceAccount', 'VBR01\\admin']]);
	});

	it('is "unchanged" and sends nothing when the user is already in that mode', async () => {
		const run = await h.run(setMode('VBR01\\svc-n8n', true));
		expect(run.json[0]).toMatchObject({ action: 'unchanged', before: true, after: true });
		expect(routeCount(sim, `POST ${USERS}/:id/changeServiceAccountMode`)).toBe(0);
	});

	it('takes true/false as text from an expression and refuses anything else before any request', async () => {
		const ok = await h.run(setMode('VBR01\\viewer', '={{ $json.flag }}'), [{ flag: 'TRUE' }]);
		expect(ok.json[0]).toMatchObject({ action: 'updated', after: true });
		sim.stats.reset();
		const bad = await h.run(setMode('VBR01\\viewer', '={{ $json.flag }}'), [{ flag: 'maybe' }]);
		expect(bad.error?.message).toBe('Service Account (item 0): must be true or false, but the value is a string "maybe"');
		expect(sim.stats.requests).toBe(0);
	});
});
