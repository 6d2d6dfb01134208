/**
 * Fault suite (VBR): the onboard / promote / offboard steps, custom-role create and delete, and Get Many run while the simulator
 * misbehaves. For each fault × operation the run must either complete with the server in the
 * intended state, or fail with a clear error while the server is in the state the succeeded items
 * say — never a duplicate user, never an item silently skipped. Prints the table and a closing
 * `N passed, N failed` line.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../sim';
import { shutdownEngine } from '../support/engine';
import { VeeamFixture, byName, errorText, simUser, type VeeamRun } from '../nodes/Veeam/fixtures';
import { FaultTable, standardFaults } from './faultTable';

interface Operation {
	name: string;
	parameters: INodeParameters;
	input: IDataObject[];
	/** True when the server is in the state this operation intends. */
	intended: (sim: SimServer, run: VeeamRun) => boolean;
	/** True when the server state matches what the run's outputs say happened (for failed runs). */
	consistent: (sim: SimServer, run: VeeamRun) => boolean;
}

// Eight hires at concurrency 4: the faults meet requests in flight together (one pause for all,
// one re-login, a create's look-before-resend per item).
const HIRES = Array.from({ length: 8 }, (_, i) => `TECH\\f.hire${i}`);

function usersNamed(sim: SimServer, name: string) {
	const users = sim.product.snapshot().users as Array<{ name: string; roles: Array<{ name: string }> }>;
	return users.filter((u) => u.name.toLowerCase() === name.toLowerCase());
}

/** A custom role the server starts with (nobody holds it), for the role delete. */
const FAULT_ROLE = { id: 'c0ffee00-0000-4000-8000-00000000fa17', name: 'Fault Role', description: '', isBuiltIn: false, permissions: ['ViewBackups', 'StartRestore'] };

function rolesNamed(sim: SimServer, name: string): number {
	return (sim.product.snapshot().roles as Array<{ name: string }>).filter((r) => r.name.toLowerCase() === name.toLowerCase()).length;
}

/** Sync → Apply with custom roles (issue 27 point 3): the roles it declares. */
const FAULT_ROLES = ['Fault-1', 'Fault-2', 'Fault-3'];

const operations: Operation[] = [
	{
		name: 'onboard ×8 ∥4',
		parameters: { resource: 'user', operation: 'onboard', userName: '={{ $json.name }}', roles: ['Restore Operator'], options: { concurrency: 4 } },
		input: HIRES.map((name) => ({ name })),
		intended: (sim, run) =>
			run.json.length === HIRES.length &&
			HIRES.every((n) => usersNamed(sim, n).length === 1 && usersNamed(sim, n)[0].roles.map((r) => r.name).join() === 'Restore Operator'),
		consistent: (sim, run) =>
			HIRES.every((n) => usersNamed(sim, n).length <= 1) &&
			run.json.every((j) => j.action !== 'created' || usersNamed(sim, String((j.user as IDataObject).name)).length === 1),
	},
	{
		name: 'promote',
		parameters: {
			resource: 'user',
			operation: 'promote',
			user: byName('TECH\\sheila.d.cory'),
			roleMode: 'replace',
			roles: ['Backup Administrator'],
		},
		input: [{}],
		intended: (sim, run) =>
			run.json.length === 1 && simUser(sim, 'TECH\\sheila.d.cory')?.roles.map((r) => r.name).join() === 'Backup Administrator',
		consistent: (sim) => (simUser(sim, 'TECH\\sheila.d.cory')?.roles.length ?? 0) === 1,
	},
	{
		name: 'offboard',
		parameters: { resource: 'user', operation: 'offboard', user: byName('TECH\\sheila.d.cory') },
		input: [{}],
		intended: (sim, run) => run.json.length === 1 && simUser(sim, 'TECH\\sheila.d.cory') === undefined,
		consistent: (sim, run) => run.json.every((j) => j.action !== 'deleted' || simUser(sim, 'TECH\\sheila.d.cory') === undefined),
	},
	// Custom roles (VBR 13.1): a create is never sent twice blindly, a delete never reported without a read-back 404.
	{
		name: 'role create',
		parameters: { resource: 'role', operation: 'create', roleName: 'Fault Auditors', manageRestores: true, scopes: JSON.stringify({ repositoryScope: { allRepositories: true } }) },
		input: [{}],
		intended: (sim, run) => run.json.length === 1 && rolesNamed(sim, 'Fault Auditors') === 1,
		consistent: (sim, run) => rolesNamed(sim, 'Fault Auditors') <= 1 && run.json.every((j) => j.action !== 'created' || rolesNamed(sim, 'Fault Auditors') === 1),
	},
	{
		name: 'role delete',
		parameters: { resource: 'role', operation: 'delete', role: { __rl: true, mode: 'name', value: FAULT_ROLE.name } },
		input: [{}],
		intended: (sim, run) => run.json.length === 1 && rolesNamed(sim, FAULT_ROLE.name) === 0,
		consistent: (sim, run) => run.json.every((j) => j.action !== 'deleted' || rolesNamed(sim, FAULT_ROLE.name) === 0),
	},
	{
		// Issue 27: custom roles as code, three creates at concurrency 4, each read back.
		name: 'sync custom roles ×3 ∥4',
		parameters: {
			resource: 'user',
			operation: 'sync',
			manage: 'customRoles',
			customRoles: JSON.stringify(FAULT_ROLES.map((name) => ({ name, description: name, manageBackups: false, manageRestores: true }))),
			customRoleScope: 'namePattern',
			customRoleNamePattern: 'Fault-*',
			syncMode: 'apply',
			syncOptions: { concurrency: 4 },
		},
		input: [{}],
		intended: (sim, run) => run.json.length === FAULT_ROLES.length && FAULT_ROLES.every((n) => rolesNamed(sim, n) === 1),
		consistent: (sim, run) => FAULT_ROLES.every((n) => rolesNamed(sim, n) <= 1) && run.json.every((j) => j.result !== 'created' || rolesNamed(sim, String(j.name)) === 1),
	},
	{
		name: 'get many',
		parameters: { resource: 'user', operation: 'getMany', returnAll: true },
		input: [{}],
		intended: (sim, run) => run.json.length === (sim.product.snapshot().users as unknown[]).length,
		consistent: () => true,
	},
];

let sim: SimServer;
let fixture: VeeamFixture;
const faults = standardFaults('/security/');
const table = new FaultTable('VBR fault suite', faults, operations.map((o) => o.name));

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbr', vbr: { customRoles: [FAULT_ROLE] } });
	fixture = new VeeamFixture(sim);
});

afterAll(async () => {
	await sim.close();
	await shutdownEngine();
	table.print();
});

describe.each(faults)('$name', (fault) => {
	beforeEach(async () => {
		sim.reset();
		fixture.resetCredential(fault.credential);
		// Log in first (a Get), so faults hit the operation rather than the first login.
		const warm = await fixture.run({ resource: 'role', operation: 'getMany', returnAll: true });
		expect(warm.error).toBeUndefined();
		sim.stats.reset();
	});

	it.each(operations)('$name', async (operation) => {
		const run = await fault.during(sim, () => fixture.run(operation.parameters, operation.input));
		const error = run.error ? errorText(run) : undefined;
		const row = table.record(fault, operation.name, {
			error,
			intended: !run.error && operation.intended(sim, run),
			consistent: operation.consistent(sim, run),
		});
		expect({ outcome: row.outcome, error }).toMatchObject({ outcome: expect.stringMatching(new RegExp(fault.accept.join('|'))) });
		if (fault.credential?.timeoutSeconds && error) expect(error).toMatch(/within 1 s \(the credential's "Request Timeout \(Seconds\)"/);
		expect(row.ok).toBe(true);
	});
});
