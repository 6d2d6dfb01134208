/**
 * No second four-eyes request on a rerun (VBR). Before an execution's first change the node reads
 * the Pending requests of the credential's account once (filtered by state and creator on the
 * server, and checked again here); a change whose request already waits — it names the user, and
 * its words say the same kind of change — is answered `pendingApproval` with that request
 * (`alreadyPending`), without sending it again. The request counts are measured.
 */
import type { IDataObject } from 'n8n-workflow';

import type { SimServer } from '../../../../sim';
import type { VbrProduct } from '../../../../sim/vbr/product';
import { USERS, VeeamFixture, byName, routeCount, useSimulator } from '../fixtures';

let sim: SimServer;
let h: VeeamFixture;
const product = () => sim.product as unknown as VbrProduct;
const authorization = () => product().authorization;
const EVENTS = '/api/v1/authorization/events';
const SHEILA = 'TECH\\sheila.d.cory';
const onboard = { resource: 'user', operation: 'onboard', userName: '={{ $json.name }}', roles: ['Restore Operator'] };
const pending = () => (authorization().dump() as Array<{ id: string; state: string; createdBy: string }>).filter((e) => e.state === 'Pending');
const eventsReads = () => routeCount(sim, `GET ${EVENTS}`);
const changes = () => ['POST', 'PUT', 'DELETE'].reduce((n, m) => n + Object.entries(sim.stats.byRoute).filter(([r]) => r.startsWith(`${m} /api/v1/security`)).reduce((a, [, c]) => a + c, 0), 0);

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

describe.each(['description', 'name'] as const)('a rerun while the request waits (events name the user in the %s)', (wording) => {
	beforeEach(() => {
		authorization().configure({ wording, deletes: 'hold' });
		authorization().setFourEyes(true, 'VBR01\\security');
	});

	it('Onboard of 10 users, twice: one request each; the rerun sends nothing and answers with the same requests; one events read before the changes per execution', async () => {
		const names = Array.from({ length: 10 }, (_, i) => ({ name: `TECH\\hire${i}` }));
		const first = await h.run(onboard, names);
		expect(first.json.every((j) => j.action === 'pendingApproval')).toBe(true);
		// One read before the changes, one after them (the users do not show: which requests).
		expect(eventsReads()).toBe(2);
		expect(routeCount(sim, `POST ${USERS}`)).toBe(10);
		sim.stats.reset();

		const again = await h.run(onboard, names);
		expect(again.json.map((j) => [j.action, j.alreadyPending, (j.approval as IDataObject).id])).toEqual(first.json.map((j) => ['pendingApproval', true, (j.approval as IDataObject).id]));
		expect(again.json[0]).toMatchObject({ requested: 'created', user: { name: 'TECH\\hire0', roles: [expect.objectContaining({ name: 'Restore Operator' })] }, approval: { matchedBy: wording } });
		expect(eventsReads()).toBe(1);
		expect(changes()).toBe(0);
		expect(pending()).toHaveLength(10);
		// The read asks for the Pending requests of every account: which are this account's is decided
		// here (the form and case VBR compares createdByFilter in are not documented).
		const read = sim.stats.recent.find((r) => r.startsWith(`GET ${EVENTS}?`));
		expect(read).toMatch(/stateFilter=Pending/);
		expect(read).not.toMatch(/createdByFilter/);
	});

	it('Promote, Set Service Account Mode, Offboard and Sync → Apply: the rerun sends nothing again', async () => {
		const promote = { resource: 'user', operation: 'promote', user: byName(SHEILA), roleMode: 'replace', roles: ['Backup Operator'] };
		const mode = { resource: 'user', operation: 'setServiceAccountMode', user: byName('VBR01\\viewer'), isServiceAccount: true };
		const offboard = { resource: 'user', operation: 'offboard', user: byName('VBR01\\viewer') };
		const sync = {
			resource: 'user',
			operation: 'sync',
			syncMode: 'apply',
			userName: '={{ $json.account }}',
			roles: '={{ $json.roles }}',
			scope: 'namePattern',
			scopePattern: 'TECH\\*',
			syncOptions: { maxRemovalPercent: 100 },
		};
		const list = [
			{ account: 'TECH\\eve', roles: ['Restore Operator'] },
			{ account: SHEILA, roles: ['Restore Operator'] },
			{ account: 'TECH\\jane.doe', roles: ['Backup Viewer'] },
		];
		for (const params of [promote, mode, offboard]) expect((await h.run(params)).json[0].action).toBe('pendingApproval');
		expect((await h.run(sync, list)).json.filter((j) => j.result === 'pendingApproval').map((j) => j.name)).toEqual(['TECH\\eve', 'TECH\\jane.doe', 'TECH\\Backup Operators']);
		const requests = pending().length;
		sim.stats.reset();

		for (const params of [promote, mode, offboard]) {
			const again = await h.run(params);
			expect(again.json[0]).toMatchObject({ action: 'pendingApproval', alreadyPending: true, approval: { matchedBy: wording } });
		}
		const resync = await h.run(sync, list);
		const held = resync.json.filter((j) => j.result === 'pendingApproval');
		expect(held.map((j) => [j.name, j.alreadyPending])).toEqual([['TECH\\eve', true], ['TECH\\jane.doe', true], ['TECH\\Backup Operators', true]]);
		expect(changes()).toBe(0);
		expect(pending()).toHaveLength(requests);
		expect(eventsReads()).toBe(4); // one per execution
	});

	it('a pending request of another kind, or of another account, does not stop the change', async () => {
		await h.run({ resource: 'user', operation: 'promote', user: byName(SHEILA), roleMode: 'replace', roles: ['Backup Operator'] });
		// Another administrator's request to add TECH\jane (in the console).
		authorization().change({ name: 'Add user', description: 'User TECH\\jane: added with the roles Backup Viewer.' }, 'VBR01\\admin', () => undefined);
		sim.stats.reset();
		const offboard = await h.run({ resource: 'user', operation: 'offboard', user: byName(SHEILA) });
		expect(offboard.json[0]).toMatchObject({ action: 'pendingApproval', requested: 'deleted' });
		expect(offboard.json[0].alreadyPending).toBeUndefined();
		const jane = await h.run(onboard, [{ name: 'TECH\\jane' }]);
		expect(jane.json[0]).toMatchObject({ action: 'pendingApproval', approval: { createdBy: 'VBR01\\svc-n8n' } });
		expect(jane.json[0].alreadyPending).toBeUndefined();
		expect(changes()).toBe(2);
	});
});

describe('a rerun when the events name nobody', () => {
	it('the earlier request cannot be told to be this user\'s: the change is sent, and its own new request (not the earlier one) is the answer', async () => {
		authorization().configure({ wording: 'none' });
		authorization().setFourEyes(true, 'VBR01\\security');
		const first = await h.run(onboard, [{ name: 'TECH\\jane' }]);
		const again = await h.run(onboard, [{ name: 'TECH\\jane' }]);
		expect(again.json[0]).toMatchObject({ action: 'pendingApproval', approval: { matchedBy: 'onlyPendingRequestSinceChange' } });
		expect((again.json[0].approval as IDataObject).id).not.toBe((first.json[0].approval as IDataObject).id);
		expect(pending()).toHaveLength(2);
	});
});
