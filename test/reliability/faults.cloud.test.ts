/**
 * Fault suite (Veeam Backup for AWS and Veeam Backup for Microsoft Azure): onboard / promote /
 * offboard and Get Many through the AWS and Azure adapters while the simulator misbehaves, with
 * the same faults and the same rule as the VBR and VBGC suites (faultTable.ts). Prints a table per
 * product and a closing `N passed, N failed` line.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../sim';
import { shutdownEngine } from '../support/engine';
import { byName, errorText, type VeeamRun } from '../nodes/Veeam/fixtures';
import { CLOUD_PRODUCTS, CloudFixture, FACTS, cloudUser, cloudUsersNamed, roleOf, type CloudProduct } from './cloudFixture';
import { FaultTable, standardFaults, type Fault } from './faultTable';

interface Operation {
	name: string;
	parameters: INodeParameters;
	input: IDataObject[];
	intended: (sim: SimServer, run: VeeamRun) => boolean;
	consistent: (sim: SimServer, run: VeeamRun) => boolean;
}

const PASSWORD = 'F4ult-Passw0rd!';
// Eight hires at concurrency 4: the faults meet requests in flight together. Names both products
// accept (AWS: lower-case letters, digits, `_` and `-`).
const HIRES = Array.from({ length: 8 }, (_, i) => `f_hire${i}`);

function operations(product: CloudProduct): Operation[] {
	const role = FACTS[product].roleIds;
	return [
		{
			name: 'onboard ×8 ∥4',
			parameters: {
				resource: 'user',
				operation: 'onboard',
				userName: '={{ $json.name }}',
				...(product === 'azure' ? { userType: 'Internal' } : {}),
				password: PASSWORD,
				roles: ['Restore Operator'],
				options: { concurrency: 4 },
			},
			input: HIRES.map((name) => ({ name })),
			intended: (sim, run) =>
				run.json.length === HIRES.length && HIRES.every((n) => cloudUsersNamed(sim, n).length === 1 && roleOf(sim, n) === role['Restore Operator']),
			// Names are unique on both servers: "no duplicate" is every reported create exists, once.
			consistent: (sim, run) =>
				HIRES.every((n) => cloudUsersNamed(sim, n).length <= 1) &&
				run.json.every((j) => j.action !== 'created' || cloudUser(sim, String((j.user as IDataObject).name)) !== undefined),
		},
		{
			name: 'promote',
			parameters: { resource: 'user', operation: 'promote', user: byName('operator'), roleMode: 'replace', roles: ['Portal Administrator'] },
			input: [{}],
			intended: (sim, run) => run.json.length === 1 && roleOf(sim, 'operator') === role['Portal Administrator'],
			consistent: (sim) => [role['Portal Operator'], role['Portal Administrator']].includes(roleOf(sim, 'operator')),
		},
		{
			name: 'offboard',
			parameters: { resource: 'user', operation: 'offboard', user: byName('restorer') },
			input: [{}],
			intended: (sim, run) => run.json.length === 1 && cloudUser(sim, 'restorer') === undefined,
			consistent: (sim, run) => run.json.every((j) => j.action !== 'deleted' || cloudUser(sim, 'restorer') === undefined),
		},
		{
			name: 'get many',
			parameters: { resource: 'user', operation: 'getMany', returnAll: true },
			input: [{}],
			intended: (sim, run) => run.json.length === (sim.product.snapshot().users as unknown[]).length,
			consistent: () => true,
		},
	];
}

const suites = CLOUD_PRODUCTS.map((product) => {
	const faults = standardFaults(FACTS[product].usersPath);
	const ops = operations(product);
	return { product, faults, ops, table: new FaultTable(`${FACTS[product].name} fault suite`, faults, ops.map((o) => o.name)) };
});

afterAll(async () => {
	await shutdownEngine();
	for (const { table } of suites) table.print();
});

describe.each(suites)('$product', ({ product, faults, ops, table }) => {
	let sim: SimServer;
	let fixture: CloudFixture;

	beforeAll(async () => {
		// Pages of 2: Get Many is several requests, so faults can hit its middle.
		sim = await startSimulator({ product, aws: { maxPageSize: 2 }, azure: { maxPageSize: 2 } });
		fixture = new CloudFixture(sim, product);
	});
	afterAll(async () => {
		await sim.close();
	});

	describe.each(faults)('$name', (fault: Fault) => {
		beforeEach(async () => {
			sim.reset();
			fixture.resetCredential(fault.credential);
			// Log in first (a user read: the role list is fixed and needs no request), so faults hit the operation.
			const warm = await fixture.run({ resource: 'user', operation: 'getMany', returnAll: false, limit: 1 });
			expect(warm.error).toBeUndefined();
			sim.stats.reset();
		});

		it.each(ops)('$name', async (operation) => {
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
});
