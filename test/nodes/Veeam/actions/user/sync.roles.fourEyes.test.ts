/**
 * User → Sync with custom roles under four-eyes authorization, with the simulator playing the
 * behaviour Veeam's pages do not state (decision 2's option `roleChanges: 'asUserChanges'`: a role
 * change waits as a Pending request and is answered as if done). A held role change is
 * `pendingApproval`, never reported done; it is not sent again while its request waits; users given
 * a role that is not there yet wait for it; once approved, the next run finds everything in place.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../../../../sim';
import type { VbrProduct } from '../../../../../sim/vbr/product';
import { shutdownEngine } from '../../../../support/engine';
import { routeCount, simUser, VeeamFixture } from '../../fixtures';

const ROLES = '/api/v1/security/roles';
const OPS_RESTORE = { id: '00000000-0000-4000-8000-000000000001', name: 'Ops-Restore', description: 'Ops-Restore role', isBuiltIn: false, permissions: ['ViewBackups', 'StartRestore'] };

let sim: SimServer;
let h: VeeamFixture;
const authorization = () => (sim.product as unknown as VbrProduct).authorization;

beforeAll(async () => {
	sim = await startSimulator({
		product: 'vbr',
		vbr: {
			customRoles: [OPS_RESTORE, { ...OPS_RESTORE, id: '00000000-0000-4000-8000-000000000002', name: 'Ops-Spare', description: 'Ops-Spare role' }],
			initialUsers: [
				{ name: 'BUILTIN\\Administrators', type: 'InternalGroup', roles: ['Backup Administrator'] },
				{ name: 'VBR01\\svc-n8n', type: 'InternalUser', roles: ['Backup Administrator'], isServiceAccount: true },
				{ name: 'VBR01\\admin', type: 'InternalUser', roles: ['Backup Administrator'] },
				{ name: 'TECH\\ann', type: 'InternalUser', roles: ['Ops-Restore'] },
			],
			accessControl: { roleChanges: 'asUserChanges' },
		},
	});
	h = new VeeamFixture(sim);
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});
beforeEach(() => {
	sim.reset();
	h.resetCredential();
	authorization().configure({ wording: 'description', deletes: 'hold' });
	authorization().setFourEyes(true, 'VBR01\\security', 7);
});

const role = (name: string, extra: IDataObject = {}): IDataObject => ({ name, description: `${name} role`, manageBackups: false, manageRestores: true, ...extra });
const DECLARED = JSON.stringify([role('Ops-Restore', { description: 'reworded' }), role('Ops-New')]);
const sync = (params: IDataObject = {}) => ({
	resource: 'user',
	operation: 'sync',
	manage: 'usersAndCustomRoles',
	customRoles: DECLARED,
	customRoleScope: 'namePattern',
	customRoleNamePattern: 'Ops-*',
	userName: '={{ $json.account }}',
	roles: '={{ $json.roles }}',
	scope: 'domain',
	scopeDomain: 'TECH',
	syncMode: 'apply',
	...params,
});
const HR = [
	{ account: 'TECH\\ann', roles: ['Ops-Restore'] },
	{ account: 'TECH\\eve', roles: ['Ops-New'] },
];
const byName = (json: IDataObject[]) => Object.fromEntries(json.map((j) => [`${String(j.object)} ${String(j.name)}`, j]));

it('a held role create or update is pendingApproval with its request, never done; users given the held role wait; nothing is sent twice; after approval the next run completes', async () => {
	const run = await h.run(sync(), HR);
	expect(run.error).toBeUndefined();
	const out = byName(run.json);
	expect(out['customRole Ops-New']).toMatchObject({ action: 'create', result: 'pendingApproval', approval: { name: 'Add role', matchedBy: 'description' } });
	expect(out['customRole Ops-New']).not.toHaveProperty('role');
	expect(out['customRole Ops-Restore']).toMatchObject({ action: 'update', result: 'pendingApproval', approval: { name: 'Change role', matchedBy: 'description' } });
	// TECH\eve needs Ops-New, which is not on the server yet: not created, and the item says why.
	expect(out['user TECH\\eve']).toMatchObject({ action: 'create', result: 'notStarted', waitingFor: ['Ops-New'] });
	expect(simUser(sim, 'TECH\\eve')).toBeUndefined();

	// Run again while the requests wait: found pending, nothing sent again.
	sim.stats.reset();
	const again = await h.run(sync(), HR);
	const second = byName(again.json);
	expect(second['customRole Ops-New']).toMatchObject({ result: 'pendingApproval', alreadyPending: true });
	expect(second['customRole Ops-Restore']).toMatchObject({ result: 'pendingApproval', alreadyPending: true });
	expect(routeCount(sim, `POST ${ROLES}`) + routeCount(sim, `PUT ${ROLES}/:id`)).toBe(0);

	for (const request of [out['customRole Ops-New'], out['customRole Ops-Restore']]) authorization().approve(String((request.approval as IDataObject).id), 'VBR01\\admin');
	const approved = await h.run(sync(), HR);
	const third = byName(approved.json);
	expect(third['customRole Ops-New']).toMatchObject({ action: 'unchanged' });
	expect(third['customRole Ops-Restore']).toMatchObject({ action: 'unchanged' });
	// The user waits for four-eyes too (a user create is held): pendingApproval, not created.
	expect(third['user TECH\\eve']).toMatchObject({ action: 'create', result: 'pendingApproval' });
});

it('a role delete Veeam refuses under four-eyes fails naming four-eyes and the console step; the role stays', async () => {
	authorization().configure({ wording: 'description', deletes: 'refuse' });
	const params = { manage: 'customRoles', customRoles: JSON.stringify([role('Ops-Restore')]), syncOptions: { maxRemovalPercent: 100 } };
	const run = await h.run(sync(params), [{}]);
	expect(run.error?.message).toMatch(/^Sync stopped at the custom role "Ops-Spare" \(delete\): Four-eyes authorization is on, and Veeam refused to delete "Ops-Spare" through the REST API \(Veeam answered 403/);
	const tolerant = await h.run(sync(params), [{}], { continueOnFail: true });
	expect(byName(tolerant.json)['customRole Ops-Spare']).toMatchObject({ action: 'delete', result: 'failed', error: expect.stringMatching(/^Four-eyes authorization is on/) });
	const plan = await h.run(sync({ ...params, syncMode: 'plan' }), [{}]);
	expect(byName(plan.json)['customRole Ops-Spare']).toMatchObject({ action: 'delete' });
});
