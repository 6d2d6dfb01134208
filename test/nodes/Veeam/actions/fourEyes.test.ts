/**
 * Four-eyes authorization (VBR): a change that waits for a second administrator is never reported
 * as done. The simulator answers a held change as if it were done (our assumption, sim/README.md),
 * so only reading the user back tells; the outcome is `pendingApproval` with the request.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../../../sim';
import type { VbrProduct } from '../../../../sim/vbr/product';
import { shutdownEngine } from '../../../support/engine';
import { USERS, VeeamFixture, byName, mutations, routeCount, simUser } from '../fixtures';

let sim: SimServer;
let h: VeeamFixture;
const authorization = () => (sim.product as unknown as VbrProduct).authorization;
const EVENTS = '/api/v1/authorization/events';
const SHEILA = 'TECH\\sheila.d.cory'; // Restore Operator

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
	h.resetCredential();
});

const fourEyesOn = () => authorization().setFourEyes(true, 'VBR01\\security', 7);
const onboard = { resource: 'user', operation: 'onboard', userName: '={{ $json.name }}', roles: ['Restore Operator'] };
const approval = (name: string) =>
	expect.objectContaining({
		id: expect.stringMatching(/^[0-9a-f-]{36}$/),
		name,
		createdBy: 'VBR01\\svc-n8n',
		creationTime: expect.any(String),
		expirationTime: expect.any(String),
	});

describe('four-eyes authorization: changes wait for approval, and the output says so', () => {
	it('Onboard: pendingApproval with the request; nothing on the server until approved; then the next run finds it', async () => {
		fourEyesOn();
		const run = await h.run(onboard, [{ name: 'TECH\\jane' }, { name: 'TECH\\raj' }]);
		expect(run.error).toBeUndefined();
		expect(run.json).toEqual([
			{ action: 'pendingApproval', requested: 'created', user: expect.objectContaining({ name: 'TECH\\jane' }), approval: approval('Add user') },
			{ action: 'pendingApproval', requested: 'created', user: expect.objectContaining({ name: 'TECH\\raj' }), approval: approval('Add user') },
		]);
		const approvalOf = (i: number) => run.json[i].approval as IDataObject;
		expect(approvalOf(0).description).toBe('User TECH\\jane: added with the roles Restore Operator.');
		const days = (Date.parse(String(approvalOf(0).expirationTime)) - Date.parse(String(approvalOf(0).creationTime))) / 86_400_000;
		expect(days).toBe(7);
		expect(simUser(sim, 'TECH\\jane')).toBeUndefined();

		authorization().approve(String(approvalOf(0).id), 'VBR01\\admin');
		expect(simUser(sim, 'TECH\\jane')?.roles.map((r) => r.name)).toEqual(['Restore Operator']);
		const again = await h.run(onboard, [{ name: 'TECH\\jane' }]);
		expect(again.json[0].action).toBe('unchanged');
	});

	it('Promote and Set Service Account Mode: pendingApproval, roles and mode unchanged on the server', async () => {
		fourEyesOn();
		const promote = await h.run({ resource: 'user', operation: 'promote', user: byName(SHEILA), roleMode: 'replace', roles: ['Backup Operator'] });
		expect(promote.json).toEqual([{ action: 'pendingApproval', requested: 'updated', user: expect.objectContaining({ name: SHEILA }), approval: approval('Change user roles') }]);
		expect(simUser(sim, SHEILA)?.roles.map((r) => r.name)).toEqual(['Restore Operator']);

		const mode = await h.run({ resource: 'user', operation: 'setServiceAccountMode', user: byName('VBR01\\viewer'), isServiceAccount: true });
		expect(mode.json).toEqual([{ action: 'pendingApproval', requested: 'updated', user: expect.objectContaining({ name: 'VBR01\\viewer' }), approval: approval('Change user settings') }]);
		expect(simUser(sim, 'VBR01\\viewer')?.isServiceAccount).toBe(false);
	});

	it('Reset MFA (nothing on the user shows it): pendingApproval when its request is pending; done without four-eyes', async () => {
		const reset = { resource: 'user', operation: 'resetMfa', user: byName(SHEILA) };
		const done = await h.run(reset);
		expect(done.json[0].action).toBe('mfaReset');
		fourEyesOn();
		// A pending request of another kind about the user does not make the reset pending.
		await h.run({ resource: 'user', operation: 'promote', user: byName(SHEILA), roleMode: 'replace', roles: ['Backup Operator'] });
		const held = await h.run(reset);
		expect(held.json).toEqual([{ action: 'pendingApproval', requested: 'mfaReset', user: expect.objectContaining({ name: SHEILA }), approval: approval('Reset user MFA') }]);
	});

	it('Offboard: pendingApproval, and the user keeps access until the request is approved', async () => {
		fourEyesOn();
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byName(SHEILA) });
		expect(run.json).toEqual([{ action: 'pendingApproval', requested: 'deleted', user: expect.objectContaining({ name: SHEILA }), approval: approval('Delete user') }]);
		expect(simUser(sim, SHEILA)).toBeDefined();
		authorization().reject(String((run.json[0].approval as IDataObject).id), 'VBR01\\admin');
		// Rejected: running it again asks again (a new request), still not done.
		const again = await h.run({ resource: 'user', operation: 'offboard', user: byName(SHEILA) });
		expect(again.json[0].action).toBe('pendingApproval');
		expect((again.json[0].approval as IDataObject).id).not.toBe((run.json[0].approval as IDataObject).id);
	});

	it('Sync → Apply: each held step is pendingApproval with its request', async () => {
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
		const byName_ = Object.fromEntries(run.json.map((j) => [j.name, j]));
		expect(byName_['TECH\\eve']).toMatchObject({ action: 'create', result: 'pendingApproval', approval: approval('Add user') });
		expect(byName_[SHEILA]).toMatchObject({ action: 'changeRoles', result: 'pendingApproval', approval: approval('Change user roles') });
		expect(byName_['TECH\\Backup Operators']).toMatchObject({ action: 'remove', result: 'pendingApproval', approval: approval('Delete group') });
		expect(mutations(sim)).toEqual([]);
	});

	it('Access Report: four-eyes on (a request is pending), with the requests listed', async () => {
		fourEyesOn();
		await h.run(onboard, [{ name: 'TECH\\jane' }, { name: 'TECH\\raj' }]);
		const report = await h.run({ resource: 'user', operation: 'accessReport' });
		const summary = report.json.find((j) => j.summary) as IDataObject;
		expect(summary).toMatchObject({ fourEyes: true, pendingRequests: [approval('Add user'), approval('Add user')] });
		expect(String(summary.text)).toMatch(/ Four-eyes authorization is on: 2 requests pending approval\.$/);
	});

	it('four-eyes off: each change is read back (one GET), no events are read, and the output says done', async () => {
		const run = await h.run(onboard, [{ name: 'TECH\\jane' }]);
		expect(run.json[0].action).toBe('created');
		expect(routeCount(sim, `GET ${USERS}/:id`)).toBe(1);
		expect(routeCount(sim, `GET ${EVENTS}`)).toBe(0);
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
});
