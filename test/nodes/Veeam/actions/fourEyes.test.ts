/**
 * Four-eyes authorization (VBR): a change that waits for a second administrator is never reported
 * as done. The simulator answers a held change as if it were done (our assumption,
 * sim/contracts/vbr-authorization.md), so only reading the user back tells; the outcome is
 * `pendingApproval` with the request, matched whatever the server's wording (`approval.matchedBy`):
 * the user's name in the event's description, in its name, or nowhere (the only request of this
 * account new since the change). Deletes: fourEyes.deletes.test.ts; reruns: fourEyes.rerun.test.ts.
 */
import type { IDataObject } from 'n8n-workflow';

import type { SimServer } from '../../../../sim';
import type { EventWording } from '../../../../sim/vbr/authorization';
import type { VbrProduct } from '../../../../sim/vbr/product';
import { USERS, VeeamFixture, byName, mutations, routeCount, simUser, useSimulator } from '../fixtures';

let sim: SimServer;
let h: VeeamFixture;
const authorization = () => (sim.product as unknown as VbrProduct).authorization;
const EVENTS = '/api/v1/authorization/events';
const SHEILA = 'TECH\\sheila.d.cory'; // Restore Operator

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

const onboard = { resource: 'user', operation: 'onboard', userName: '={{ $json.name }}', roles: ['Restore Operator'] };

/** Where each wording puts the user's name, so how the node matches a single held change. */
const MATCHED_BY: Record<Extract<EventWording, 'description' | 'name' | 'none'>, string> = { description: 'description', name: 'name', none: 'onlyPendingRequestSinceChange' };

describe.each(['description', 'name', 'none'] as const)('four-eyes authorization, events worded "%s": changes wait for approval, and the output says so', (wording) => {
	const fourEyesOn = () => {
		authorization().configure({ wording, deletes: 'hold' });
		authorization().setFourEyes(true, 'VBR01\\security', 7);
	};
	const approval = (kind: string, user: string) =>
		expect.objectContaining({
			id: expect.stringMatching(/^[0-9a-f-]{36}$/),
			name: wording === 'name' ? `${kind} ${user}` : kind,
			createdBy: 'VBR01\\svc-n8n',
			creationTime: expect.any(String),
			expirationTime: expect.any(String),
			matchedBy: MATCHED_BY[wording],
		});

	it('Onboard: pendingApproval with the request; nothing on the server until approved; then the next run finds it', async () => {
		fourEyesOn();
		const run = await h.run(onboard, [{ name: 'TECH\\jane' }]);
		expect(run.error).toBeUndefined();
		expect(run.json).toEqual([{ action: 'pendingApproval', requested: 'created', user: expect.objectContaining({ name: 'TECH\\jane' }), approval: approval('Add user', 'TECH\\jane') }]);
		const request = run.json[0].approval as IDataObject;
		const days = (Date.parse(String(request.expirationTime)) - Date.parse(String(request.creationTime))) / 86_400_000;
		expect(days).toBe(7);
		expect(simUser(sim, 'TECH\\jane')).toBeUndefined();

		authorization().approve(String(request.id), 'VBR01\\admin');
		expect(simUser(sim, 'TECH\\jane')?.roles.map((r) => r.name)).toEqual(['Restore Operator']);
		const again = await h.run(onboard, [{ name: 'TECH\\jane' }]);
		expect(again.json[0].action).toBe('unchanged');
	});

	it('Onboard of two users at once: each its own request when events name the user; when none does, both listed as ambiguous (never a guess)', async () => {
		fourEyesOn();
		const run = await h.run(onboard, [{ name: 'TECH\\jane' }, { name: 'TECH\\raj' }]);
		expect(run.error).toBeUndefined();
		expect(run.json.map((j) => j.action)).toEqual(['pendingApproval', 'pendingApproval']);
		const [jane, raj] = run.json.map((j) => j.approval as IDataObject);
		if (wording === 'none') {
			for (const a of [jane, raj]) {
				expect(a).toMatchObject({ matchedBy: 'ambiguous', note: expect.stringMatching(/^2 pending requests of this account/) });
				expect(a.id).toBeUndefined();
				expect((a.candidates as IDataObject[]).map((c) => c.name)).toEqual(['Add user', 'Add user']);
			}
		} else {
			expect([jane, raj]).toEqual([approval('Add user', 'TECH\\jane'), approval('Add user', 'TECH\\raj')]);
			expect(jane.id).not.toBe(raj.id);
			authorization().approve(String(raj.id), 'VBR01\\admin');
			expect(simUser(sim, 'TECH\\raj')).toBeDefined();
			expect(simUser(sim, 'TECH\\jane')).toBeUndefined();
		}
	});

	it('Promote and Set Service Account Mode: pendingApproval, roles and mode unchanged on the server', async () => {
		fourEyesOn();
		const promote = await h.run({ resource: 'user', operation: 'promote', user: byName(SHEILA), roleMode: 'replace', roles: ['Backup Operator'] });
		expect(promote.json).toEqual([{ action: 'pendingApproval', requested: 'updated', user: expect.objectContaining({ name: SHEILA }), approval: approval('Change user roles', SHEILA) }]);
		expect(simUser(sim, SHEILA)?.roles.map((r) => r.name)).toEqual(['Restore Operator']);

		const mode = await h.run({ resource: 'user', operation: 'setServiceAccountMode', user: byName('VBR01\\viewer'), isServiceAccount: true });
		expect(mode.json).toEqual([{ action: 'pendingApproval', requested: 'updated', user: expect.objectContaining({ name: 'VBR01\\viewer' }), approval: approval('Change user settings', 'VBR01\\viewer') }]);
		expect(simUser(sim, 'VBR01\\viewer')?.isServiceAccount).toBe(false);
	});

	it('Offboard (a server that holds the delete): pendingApproval, and the user keeps access until the request is approved', async () => {
		fourEyesOn();
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byName(SHEILA) });
		expect(run.json).toEqual([{ action: 'pendingApproval', requested: 'deleted', user: expect.objectContaining({ name: SHEILA }), approval: approval('Delete user', SHEILA) }]);
		expect(simUser(sim, SHEILA)).toBeDefined();
		authorization().reject(String((run.json[0].approval as IDataObject).id), 'VBR01\\admin');
		// Rejected: running it again asks again (a new request), still not done.
		const again = await h.run({ resource: 'user', operation: 'offboard', user: byName(SHEILA) });
		expect(again.json[0].action).toBe('pendingApproval');
		expect((again.json[0].approval as IDataObject).id).not.toBe((run.json[0].approval as IDataObject).id);
	});

	it('Sync → Apply: each held step is pendingApproval with its request (one step of each kind: matched by kind when no event names the user)', async () => {
		fourEyesOn();
		const run = await h.run(
			{
				resource: 'user',
				operation: 'sync',
				syncMode: 'apply',
				userName: '={{ $json.account }}',
				roles: '={{ $json.roles }}',
				scope: 'namePattern',
				scopePattern: 'TECH\\*',
				syncOptions: { maxRemovalPercent: 100 },
			},
			[
				{ account: 'TECH\\eve', roles: ['Restore Operator'] },
				{ account: SHEILA, roles: ['Backup Viewer'] },
			],
		);
		expect(run.error).toBeUndefined();
		const steps = Object.fromEntries(run.json.map((j) => [j.name, j]));
		expect(steps['TECH\\eve']).toMatchObject({ action: 'create', result: 'pendingApproval', approval: approval('Add user', 'TECH\\eve') });
		expect(steps[SHEILA]).toMatchObject({ action: 'changeRoles', result: 'pendingApproval', approval: approval('Change user roles', SHEILA) });
		expect(steps['TECH\\Backup Operators']).toMatchObject({ action: 'remove', result: 'pendingApproval', approval: approval('Delete group', 'TECH\\Backup Operators') });
		expect(mutations(sim)).toEqual([]);
	});

	it('Reset MFA (nothing on the user shows it): pendingApproval when its request is pending; done without four-eyes', async () => {
		const reset = { resource: 'user', operation: 'resetMfa', user: byName(SHEILA) };
		const done = await h.run(reset);
		expect(done.json[0].action).toBe('mfaReset');
		fourEyesOn();
		// A pending request of another kind about the user does not make the reset pending.
		await h.run({ resource: 'user', operation: 'promote', user: byName(SHEILA), roleMode: 'replace', roles: ['Backup Operator'] });
		const held = await h.run(reset);
		expect(held.json).toEqual([{ action: 'pendingApproval', requested: 'mfaReset', user: expect.objectContaining({ name: SHEILA }), approval: expect.objectContaining({ name: wording === 'name' ? `Reset user MFA ${SHEILA}` : 'Reset user MFA' }) }]);
	});

	it('Access Report: four-eyes on (a request is pending), with the requests listed', async () => {
		fourEyesOn();
		await h.run(onboard, [{ name: 'TECH\\jane' }, { name: 'TECH\\raj' }]);
		const report = await h.run({ resource: 'user', operation: 'accessReport' });
		const summary = report.json.find((j) => j.summary) as IDataObject;
		expect(summary).toMatchObject({ fourEyes: true, pendingRequests: [expect.objectContaining({ createdBy: 'VBR01\\svc-n8n' }), expect.objectContaining({ createdBy: 'VBR01\\svc-n8n' })] });
		expect(String(summary.text)).toMatch(/ Four-eyes authorization is on: 2 requests pending approval\.$/);
	});
});

describe('four-eyes authorization: what is read, and a change nobody holds', () => {
	it('four-eyes off: each change is read back (one GET); the pending requests are read once before the changes (not per item), and not after', async () => {
		const run = await h.run(onboard, [{ name: 'TECH\\jane' }, { name: 'TECH\\raj' }, { name: 'TECH\\eve' }]);
		expect(run.json.map((j) => j.action)).toEqual(['created', 'created', 'created']);
		expect(routeCount(sim, `GET ${EVENTS}`)).toBe(1);
		expect(routeCount(sim, `POST ${USERS}`)).toBe(3);
	});

	it('a change answered as done that the server does not show, with no request pending, is an error for that item', async () => {
		// A 201 for the create with a made-up user, without creating it (no four-eyes, no event).
		sim.addFault({
			kind: 'answer',
			status: 201,
			method: 'POST',
			pathIncludes: '/security/users',
			body: { id: '6f1c2d3e-4b5a-4c7d-9e8f-0a1b2c3d4e5f', name: 'TECH\\ghost', type: 'ExternalUser', roles: [{ id: 'b167c3af-2262-4b6c-9861-0606fc0cb6b1', name: 'Restore Operator' }], isServiceAccount: false },
		});
		const run = await h.run(onboard, [{ name: 'TECH\\ghost' }, { name: 'TECH\\real' }], { continueOnFail: true });
		expect(run.json[0]).toEqual({
			error: 'Veeam answered that "TECH\\ghost" was created, but the server does not show it, and no pending four-eyes request of this account names the user',
		});
		expect(run.json[1].action).toBe('created');
		const strict = await h.run(onboard, [{ name: 'TECH\\ghost2' }], {});
		expect(strict.error).toBeUndefined(); // no fault left: created for real
		sim.addFault({ kind: 'answer', status: 201, method: 'POST', pathIncludes: '/security/users', body: { id: '6f1c2d3e-4b5a-4c7d-9e8f-0a1b2c3d4e5f', name: 'TECH\\ghost3', type: 'ExternalUser', roles: [], isServiceAccount: false } });
		const failed = await h.run(onboard, [{ name: 'TECH\\ghost3' }]);
		expect(failed.error?.name).toBe('NodeOperationError');
		expect(failed.error?.message).toMatch(/^Veeam answered that "TECH\\ghost3" was created, but the server does not show it/);
	});

	it('an unrelated request of this account pending from before, naming nobody, is not taken for the change (the change fails as not shown)', async () => {
		authorization().configure({ wording: 'none' });
		authorization().setFourEyes(true, 'VBR01\\security');
		await h.run({ resource: 'user', operation: 'promote', user: byName(SHEILA), roleMode: 'replace', roles: ['Backup Operator'] }); // held, names nobody
		authorization().setFourEyes(false, 'VBR01\\security');
		sim.addFault({ kind: 'answer', status: 201, method: 'POST', pathIncludes: '/security/users', body: { id: '6f1c2d3e-4b5a-4c7d-9e8f-0a1b2c3d4e5f', name: 'TECH\\ghost', type: 'ExternalUser', roles: [], isServiceAccount: false } });
		const run = await h.run(onboard, [{ name: 'TECH\\ghost' }], { continueOnFail: true });
		expect(run.json[0].error).toMatch(/^Veeam answered that "TECH\\ghost" was created, but the server does not show it/);
	});

	it('when the read before the changes fails, "new since the change" is by the server\'s creation time, allowing 5 minutes of clock skew, and only ever "could be"', async () => {
		authorization().configure({ wording: 'none' });
		authorization().setFourEyes(true, 'VBR01\\security');
		const refuseFirstRead = () => sim.addFault({ kind: 'answer', status: 403, method: 'GET', pathIncludes: '/authorization/events', body: { errorCode: 'AccessDenied', message: 'Forbidden' } });
		const candidates = (json: IDataObject) => ((json.approval as IDataObject).candidates as IDataObject[]).map((c) => c.id);
		// The server's clock 4 minutes behind n8n's: its request still counts as made since the change,
		// but without the read before the change a single candidate is not proof: listed, not picked.
		sim.clock.advance(-4 * 60);
		refuseFirstRead();
		const jane = await h.run(onboard, [{ name: 'TECH\\jane' }], { continueOnFail: true });
		expect(jane.json[0]).toMatchObject({ action: 'pendingApproval', approval: { matchedBy: 'ambiguous', note: expect.stringMatching(/^1 pending requests? of this account/) } });
		const [janes] = candidates(jane.json[0]);
		// 6 minutes behind: raj's own request is beyond the allowance; jane's (within it) is only a "could be".
		sim.clock.advance(-2 * 60);
		refuseFirstRead();
		const raj = await h.run(onboard, [{ name: 'TECH\\raj' }], { continueOnFail: true });
		expect(raj.json[0]).toMatchObject({ action: 'pendingApproval', approval: { matchedBy: 'ambiguous' } });
		expect(candidates(raj.json[0])).toEqual([janes]);
		expect(sim.stats.byStatus['403']).toBe(2);
	});
});
