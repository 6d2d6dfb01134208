/**
 * Fault suite (Veeam Backup for Google Cloud): onboard / promote / offboard and Get Many through
 * the VBGC adapter while the simulator misbehaves, with the same faults and the same rule as the
 * VBR suite (faultTable.ts). Prints the table and a closing `N passed, N failed` line.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../sim';
import { shutdownEngine } from '../support/engine';
import { VbgcFixture, byName, errorText, vbgcUser, type VeeamRun } from '../nodes/Veeam/fixtures';
import { FaultTable, standardFaults } from './faultTable';

interface Operation {
	name: string;
	parameters: INodeParameters;
	input: IDataObject[];
	intended: (sim: SimServer, run: VeeamRun) => boolean;
	consistent: (sim: SimServer, run: VeeamRun) => boolean;
}

const PASSWORD = 'F4ult-Passw0rd!';
// Eight hires at concurrency 4: the faults meet requests in flight together.
const HIRES = Array.from({ length: 8 }, (_, i) => `f-hire${i}`);
const roleNames = (sim: SimServer, name: string) => vbgcUser(sim, name)?.roles.map((r) => r.name).join();

const operations: Operation[] = [
	{
		name: 'onboard ×8 ∥4',
		parameters: { resource: 'user', operation: 'onboard', userName: '={{ $json.name }}', password: PASSWORD, roles: ['Restore Operator'], options: { concurrency: 4 } },
		input: HIRES.map((name) => ({ name })),
		intended: (sim, run) => run.json.length === HIRES.length && HIRES.every((n) => roleNames(sim, n) === 'Restore Operator'),
		// VBGC names are unique on the server, so "no duplicate" is: every reported create exists.
		consistent: (sim, run) => run.json.every((j) => j.action !== 'created' || vbgcUser(sim, String((j.user as IDataObject).name)) !== undefined),
	},
	{
		name: 'promote',
		parameters: { resource: 'user', operation: 'promote', user: byName('operator'), roleMode: 'replace', roles: ['Portal Administrator'] },
		input: [{}],
		intended: (sim, run) => run.json.length === 1 && roleNames(sim, 'operator') === 'Portal Administrator',
		consistent: (sim) => ['Portal Operator', 'Portal Administrator'].includes(String(roleNames(sim, 'operator'))),
	},
	{
		name: 'offboard',
		parameters: { resource: 'user', operation: 'offboard', user: byName('restorer') },
		input: [{}],
		intended: (sim, run) => run.json.length === 1 && vbgcUser(sim, 'restorer') === undefined,
		consistent: (sim, run) => run.json.every((j) => j.action !== 'deleted' || vbgcUser(sim, 'restorer') === undefined),
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
let fixture: VbgcFixture;
const faults = standardFaults('/api/v1/users');
const table = new FaultTable('VBGC fault suite', faults, operations.map((o) => o.name));

beforeAll(async () => {
	// Pages of 2: Get Many is several requests, so faults can hit its middle.
	sim = await startSimulator({ product: 'vbgc', vbgc: { maxPageSize: 2 } });
	fixture = new VbgcFixture(sim);
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
		const warm = await fixture.run({ resource: 'role', operation: 'getMany' });
		expect(warm.error).toBeUndefined();
		sim.stats.reset();
	});

	it.each(operations)('$name', async (operation) => {
		const run = await fault.during(sim, () => fixture.run(operation.parameters, operation.input, { secrets: [PASSWORD] }));
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
