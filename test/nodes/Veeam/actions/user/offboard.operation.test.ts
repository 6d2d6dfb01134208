import { VBR_DEFAULT_PASSWORD, type SimServer } from '../../../../../sim';
import { holdRequest } from '../../../../support/holdRequest';
import { simClient } from '../../../../support/simClient';
import { USERS, VeeamFixture, byId, byName, fromList, mutations, routeCount, simUser, useSimulator } from '../../fixtures';

let sim: SimServer;
let h: VeeamFixture;

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

const offboard = (params: Record<string, unknown>) => ({ resource: 'user', operation: 'offboard', ...params });

describe('User → Offboard', () => {
	it.each([
		['an Active Directory user (InternalUser, as Veeam\'s examples have it)', 'TECH\\sheila.d.cory', 'InternalUser'],
		['an Active Directory group (InternalGroup)', 'TECH\\Backup Operators', 'InternalGroup'],
		['a local Windows account of the backup server', 'VBR01\\viewer', 'InternalUser'],
	])('deletes %s and flags that the Windows account remains', async (_what, name, type) => {
		const run = await h.run(offboard({ user: byName(name) }));
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({
			action: 'deleted',
			directoryAccountRemains: true,
			directoryAccount: name,
			directoryAccountKind: 'windows',
			user: { name, type, isDirectoryAccount: true },
		});
		expect(run.items[0].pairedItem).toEqual({ item: 0 });
		expect(simUser(sim, name)).toBeUndefined();
		expect(mutations(sim)).toEqual([['user.delete', name]]);
	});

	it('deletes an identity-provider (SSO) user by ID and flags that its account remains at the identity provider', async () => {
		const created = await h.run({ resource: 'user', operation: 'onboard', userName: 'jane.doe@tech.com', userType: 'ExternalUser', roles: ['Restore Operator'] });
		expect(created.error).toBeUndefined();
		const { id } = simUser(sim, 'jane.doe@tech.com')!;
		const run = await h.run(offboard({ user: byId(id) }));
		expect(run.json[0]).toMatchObject({
			action: 'deleted',
			directoryAccountRemains: true,
			directoryAccount: 'jane.doe@tech.com',
			directoryAccountKind: 'identityProvider',
			user: { id, type: 'ExternalUser' },
		});
		expect(simUser(sim, 'jane.doe@tech.com')).toBeUndefined();
	});

	it('deletes a user picked from the list', async () => {
		const { id } = simUser(sim, 'TECH\\sheila.d.cory')!;
		const run = await h.run(offboard({ user: fromList(id) }));
		expect(run.json[0]).toMatchObject({ action: 'deleted', directoryAccount: 'TECH\\sheila.d.cory' });
	});

	it.each([
		[byName('TECH\\gone'), { name: 'TECH\\gone' }],
		[byId('00000000-0000-4000-8000-000000000000'), { id: '00000000-0000-4000-8000-000000000000' }],
	])('succeeds as "absent" for a user that does not exist (%j), by default', async (user, key) => {
		const run = await h.run(offboard({ user }));
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toEqual({ action: 'absent', ...key, directoryAccountRemains: false });
		expect(routeCount(sim, `DELETE ${USERS}/:id`)).toBe(0);
		expect(mutations(sim)).toEqual([]);
	});

	it.each([
		['VBR01\\svc-n8n', "VBR01\\svc-n8n is the account this node's credential logs in with: the node does not offboard it"],
		['BUILTIN\\Administrators', 'BUILTIN\\Administrators is a built-in group of the backup server: the node does not offboard it'],
	])('refuses to offboard %s, changing nothing', async (name, problem) => {
		const run = await h.run(offboard({ user: byName(name) }));
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe(`User (item 0): ${problem}`);
		expect(simUser(sim, name)).toBeDefined();
		expect(mutations(sim)).toEqual([]);
	});

	it('fails for a user that does not exist when told to', async () => {
		const run = await h.run(offboard({ user: byName('TECH\\gone'), ifNotFound: 'error' }), [{}, {}]);
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe('User (item 0): no Veeam user or group with name "TECH\\gone"');
	});

	it('is idempotent: offboarding twice deletes once, then reports absent', async () => {
		const run = await h.run(offboard({ user: byName('TECH\\sheila.d.cory') }), [{}, {}]);
		expect(run.json.map((j) => j.action)).toEqual(['deleted', 'absent']);
		expect(mutations(sim)).toEqual([['user.delete', 'TECH\\sheila.d.cory']]);
	});

	it('reports absent when another client deletes the user between our look-up and our DELETE (404)', async () => {
		const { id } = simUser(sim, 'TECH\\sheila.d.cory')!;
		// Our DELETE is held on the server (a gate, not a delay a loaded machine may overrun) while an
		// administrator removes the user (their own session, over HTTPS).
		const { held, release, restore } = holdRequest(sim, (req) => req.method === 'DELETE' && req.path.includes(id));
		const running = h.run(offboard({ user: byId(id) }));
		try {
			await held;
			const other = simClient(sim, { apiVersion: '1.3-rev2' });
			const token = await other.post(
				'/api/oauth2/token',
				new URLSearchParams({ grant_type: 'password', username: 'VBR01\\admin', password: VBR_DEFAULT_PASSWORD }),
			);
			expect((await other.delete(`${USERS}/${id}`, { headers: { Authorization: `Bearer ${token.data.access_token}` } })).status).toBe(204);
		} finally {
			release();
		}
		const run = await running;
		restore();
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ action: 'absent', id });
		expect(sim.stats.byStatus['404']).toBe(1);
	});
});
