import type { SimServer } from '../../../../../sim';
import { VeeamFixture, byId, byName, fromList, simUser, useSimulator } from '../../fixtures';

let sim: SimServer;
let h: VeeamFixture;

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

describe('User → Get', () => {
	it('gets a user by name, by ID, from the list, and from plain text (ID or name)', async () => {
		const sheila = simUser(sim, 'TECH\\sheila.d.cory')!;
		const run = await h.run({ resource: 'user', operation: 'get', user: '={{ $json.user }}' }, [
			{ user: byName('TECH\\Sheila.D.Cory') },
			{ user: byId(sheila.id) },
			{ user: fromList(sheila.id) },
			{ user: sheila.id },
			{ user: 'TECH\\sheila.d.cory' },
		]);
		expect(run.error).toBeUndefined();
		const expected = {
			id: sheila.id,
			name: 'TECH\\sheila.d.cory',
			type: 'InternalUser',
			roles: [{ id: sheila.roles[0].id, name: 'Restore Operator', description: expect.any(String) }],
			isServiceAccount: false,
			mfaEnabled: false,
			isDirectoryAccount: true,
			isGroup: false,
		};
		expect(run.json).toEqual([expected, expected, expected, expected, expected]);
		expect(run.items.map((i) => i.pairedItem)).toEqual([0, 1, 2, 3, 4].map((item) => ({ item })));
	});

	it('fails for a user that does not exist, naming the field and the item', async () => {
		const run = await h.run({ resource: 'user', operation: 'get', user: '={{ $json.user }}' }, [
			{ user: byName('TECH\\sheila.d.cory') },
			{ user: byName('TECH\\nobody') },
		]);
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe('User (item 1): no Veeam user or group with name "TECH\\nobody"');
	});

	it('omits mfaEnabled on API 1.3-rev1, which does not report it', async () => {
		h.resetCredential({ apiVersion: '1.3-rev1' });
		const run = await h.run({ resource: 'user', operation: 'get', user: byName('VBR01\\admin') });
		expect(run.json[0]).toMatchObject({ name: 'VBR01\\admin', type: 'InternalUser' });
		expect(run.json[0]).not.toHaveProperty('mfaEnabled');
	});
});
