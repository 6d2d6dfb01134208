/**
 * VBR 1.3-rev1's reference names the built-in roles "Veeam Backup Administrator", "Veeam Security
 * Administrator", "Veeam Restore Operator" (its UsersResultExample, RoleModelExample and "Available
 * to: Veeam Backup Administrator."), 1.3-rev2's "Backup Administrator" …. A server answering with
 * rev1's names must get the same protection: the last administrator is refused before anything is
 * sent, and the access report counts its administrators. The simulator names them so with
 * `rev1RoleNames` (on 1.3-rev1 only).
 */
import { startSimulator, VBR_DEFAULT_LOGINS, VBR_DEFAULT_PASSWORD, type SimServer } from '../../../../sim';
import { shutdownEngine } from '../../../support/engine';
import { USERS, VeeamFixture, byName, routeCount, simUser } from '../fixtures';

const OPS = 'TECH\\svc.ops'; // logs in; a member of TECH\Veeam Admins
const ADMINS_GROUP = 'TECH\\Veeam Admins';
const RESTORE_OPERATOR_ID = 'b167c3af-2262-4b6c-9861-0606fc0cb6b1';

let sim: SimServer;
let h: VeeamFixture;

beforeAll(async () => {
	sim = await startSimulator({
		product: 'vbr',
		vbr: {
			rev1RoleNames: true,
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
	h.resetCredential({ username: OPS, apiVersion: '1.3-rev1' });
});

const offboard = { resource: 'user', operation: 'offboard', user: byName('={{ $json.name }}') };
const WRITES = () => routeCount(sim, `DELETE ${USERS}/:id`) + routeCount(sim, `PUT ${USERS}/:id/roles`);

describe('VBR 1.3-rev1 role names ("Veeam Backup Administrator")', () => {
	it('the server shows them so (the ground of the next tests)', async () => {
		const got = await h.run({ resource: 'user', operation: 'get', user: byName(ADMINS_GROUP) });
		expect(got.json[0]).toMatchObject({ roles: [{ name: 'Veeam Backup Administrator' }] });
	});

	it('Offboard: the last Veeam Backup Administrator is refused, naming the item, nothing sent', async () => {
		expect((await h.run(offboard, [{ name: 'TECH\\jane' }])).json[0].action).toBe('deleted');
		const before = WRITES();
		const last = await h.run(offboard, [{ name: ADMINS_GROUP }]);
		expect(last.error?.message).toBe(
			'User (item 0): "TECH\\Veeam Admins" is the last user or group with the Veeam Backup Administrator role: removing it would leave nobody who can administer the server',
		);
		expect(WRITES()).toBe(before);
		expect(simUser(sim, ADMINS_GROUP)).toBeDefined();
	});

	it('Promote (replace, by role ID): refused for the last holder before anything is sent', async () => {
		const demote = { resource: 'user', operation: 'promote', user: byName('={{ $json.name }}'), roleMode: 'replace', roles: [RESTORE_OPERATOR_ID] };
		expect((await h.run(demote, [{ name: 'TECH\\jane' }])).json[0].action).toBe('updated');
		const before = WRITES();
		const refused = await h.run(demote, [{ name: ADMINS_GROUP }]);
		expect(refused.error?.message).toMatch(/^Role Names or IDs \(item 0\): "TECH\\Veeam Admins" is the last user or group with the Veeam Backup Administrator role/);
		expect(WRITES()).toBe(before);
	});

	it('Access Report counts the administrators', async () => {
		const run = await h.run({ resource: 'user', operation: 'accessReport' });
		const summary = run.json.find((j) => j.summary === true);
		// TECH\Veeam Admins and TECH\jane hold Veeam Backup Administrator (initialUsers replace the default users).
		expect(summary).toMatchObject({ administrators: 2 });
		expect(run.json.filter((j) => j.isAdmin === true).map((j) => j.name)).toEqual(['TECH\\jane', ADMINS_GROUP]);
	});
});
