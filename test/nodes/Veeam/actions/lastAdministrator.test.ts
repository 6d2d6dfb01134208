/**
 * The last administrator: the nodes refuse, naming the item and sending nothing, a change that
 * would leave the server with no user or group holding Backup Administrator (VBR) or Portal
 * Administrator (VBGC). The realistic VBR case: the workflow's account is an administrator through an
 * Active Directory group, and that group (or the one other administrator) is about to lose the role.
 */
import { startSimulator, VBR_DEFAULT_LOGINS, VBR_DEFAULT_PASSWORD, type SimServer } from '../../../../sim';
import { shutdownEngine } from '../../../support/engine';
import { USERS, VbgcFixture, VeeamFixture, byName, mutations, routeCount, simUser } from '../fixtures';

const OPS = 'TECH\\svc.ops'; // logs in; a member of TECH\Veeam Admins
const ADMINS_GROUP = 'TECH\\Veeam Admins';

let sim: SimServer;
let h: VeeamFixture;

beforeAll(async () => {
	sim = await startSimulator({
		product: 'vbr',
		vbr: {
			logins: [...VBR_DEFAULT_LOGINS, { name: OPS, password: VBR_DEFAULT_PASSWORD, memberOf: [ADMINS_GROUP] }],
			initialUsers: [
				{ name: ADMINS_GROUP, type: 'ExternalGroup', roles: ['Backup Administrator'] },
				{ name: 'TECH\\jane', type: 'ExternalUser', roles: ['Backup Administrator', 'Restore Operator'] },
				{ name: 'TECH\\bob', type: 'ExternalUser', roles: ['Restore Operator'] },
			],
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
	h.resetCredential({ username: OPS });
});

const offboard = { resource: 'user', operation: 'offboard', user: byName('={{ $json.name }}') };
const demote = { resource: 'user', operation: 'promote', user: byName('={{ $json.name }}'), roleMode: 'replace', roles: ['Restore Operator'] };
const WRITES = () => routeCount(sim, `DELETE ${USERS}/:id`) + routeCount(sim, `PUT ${USERS}/:id/roles`);

describe('the last Backup Administrator (VBR)', () => {
	it('Offboard: the first of two administrators goes; the last is refused, naming the item, nothing sent', async () => {
		const first = await h.run(offboard, [{ name: 'TECH\\jane' }]);
		expect(first.json[0].action).toBe('deleted');
		const before = WRITES();
		const last = await h.run(offboard, [{ name: ADMINS_GROUP }]);
		expect(last.error?.name).toBe('NodeOperationError');
		expect(last.error?.message).toBe(
			'User (item 0): "TECH\\Veeam Admins" is the last user or group with the Backup Administrator role: removing it would leave nobody who can administer the server',
		);
		expect(WRITES()).toBe(before);
		expect(simUser(sim, ADMINS_GROUP)).toBeDefined();
	});

	it('two in parallel cannot each count on the other: one goes, the other is refused', async () => {
		const run = await h.run({ ...offboard, options: { concurrency: 4 } }, [{ name: 'TECH\\jane' }, { name: ADMINS_GROUP }, { name: 'TECH\\bob' }], { continueOnFail: true });
		expect(run.json.map((j) => j.action ?? 'error')).toEqual(['deleted', 'error', 'deleted']);
		expect(String(run.json[1].error)).toMatch(/^User \(item 1\): "TECH\\Veeam Admins" is the last user or group with the Backup Administrator role/);
		expect(mutations(sim).map(([a, t]) => `${a} ${t}`).sort()).toEqual(['user.delete TECH\\bob', 'user.delete TECH\\jane']);
	});

	it('Promote with replace or remove: refused for the last holder; adding roles or keeping the role is fine', async () => {
		expect((await h.run(demote, [{ name: 'TECH\\jane' }])).json[0].action).toBe('updated');
		const refused = await h.run(demote, [{ name: ADMINS_GROUP }]);
		expect(refused.error?.message).toMatch(/^Role Names or IDs \(item 0\): "TECH\\Veeam Admins" is the last user or group with the Backup Administrator role: taking the role from it/);
		const kept = await h.run({ ...demote, roleMode: 'add', roles: ['Backup Viewer'] }, [{ name: ADMINS_GROUP }]);
		expect(kept.json[0].action).toBe('updated');
	});

	it('Sync: a plan that takes the role from every holder is refused (Apply) and flagged (Plan), nothing sent', async () => {
		const sync = (syncMode: string) => ({
			resource: 'user',
			operation: 'sync',
			syncMode,
			userName: '={{ $json.account }}',
			roles: '={{ $json.roles }}',
			scope: 'all',
			syncOptions: { maxRemovalPercent: 100 },
		});
		const hr = [{ account: 'TECH\\bob', roles: ['Restore Operator'] }];
		const plan = await h.run(sync('plan'), hr);
		const warned = plan.json.filter((j) => j.warning).map((j) => j.name);
		expect(warned.sort()).toEqual([ADMINS_GROUP, 'TECH\\jane']);
		expect(String(plan.json.find((j) => j.warning)?.warning)).toMatch(/would leave no user or group with the Backup Administrator role/);
		const apply = await h.run(sync('apply'), hr);
		expect(apply.error?.message).toMatch(/^Sync refused: it would leave no user or group with the Backup Administrator role \(.*TECH\\Veeam Admins.*\)\. Nothing was changed\.$/);
		expect(mutations(sim)).toEqual([]);
	});
});

describe('the last Portal Administrator (VBGC)', () => {
	it('refuses to demote the last one', async () => {
		const vbgc = await startSimulator({ product: 'vbgc' });
		try {
			const g = new VbgcFixture(vbgc);
			// VBGC's default administrator is one Portal Administrator; take the role from the other ones first.
			const admins = (vbgc.product.snapshot().users as Array<{ name: string; roles: Array<{ name: string }> }>).filter((u) => u.roles.some((r) => r.name === 'Portal Administrator'));
			const others = admins.filter((u) => u.name !== 'administrator');
			for (const u of others) {
				const run = await g.run({ resource: 'user', operation: 'promote', user: byName(u.name), roleMode: 'replace', roles: ['Portal Operator'] });
				expect(run.error).toBeUndefined();
			}
			const last = await g.run({ resource: 'user', operation: 'promote', user: byName('administrator'), roleMode: 'replace', roles: ['Portal Operator'] });
			expect(last.error?.message).toMatch(/^Role Names or IDs \(item 0\): "administrator" is the last user or group with the Portal Administrator role/);
		} finally {
			await vbgc.close();
		}
	});
});

