/**
 * Fault suite (VBR 13.1, Backup Access): Set Effective Access, Change Owner and Get Many run while the
 * simulator misbehaves on every `/api/v1/` request (the ACL, the names of backups and jobs, the role
 * list): the standard faults of faults.vbr.test.ts, whose `/security/` scope would miss the ACL. For
 * each fault × operation the run either completes with the server in the intended state, or fails
 * clearly while the server is in the state the outputs say — never a change reported that the server
 * does not show, never another role's delegation lost by the merge. Prints the table.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../sim';
import { ACL_SEED } from '../../sim/vbr/acl';
import type { VbrProduct } from '../../sim/vbr/product';
import { shutdownEngine } from '../support/engine';
import { VeeamFixture, errorText, type VeeamRun } from '../nodes/Veeam/fixtures';
import { FaultTable, standardFaults } from './faultTable';

interface Operation {
	name: string;
	parameters: INodeParameters;
	input: IDataObject[];
	intended: (sim: SimServer, run: VeeamRun) => boolean;
	consistent: (sim: SimServer, run: VeeamRun) => boolean;
}

const RESTORE_OPERATOR = 'b167c3af-2262-4b6c-9861-0606fc0cb6b1';
const BACKUP_VIEWER = '0d3f6c2e-8a41-4c7b-b2e5-91f4a7d6c305';
const BACKUPS = ACL_SEED.filter((o) => o.kind === 'backup');
const SQL_BACKUP = BACKUPS.find((o) => o.name === 'SQL Backup')!.id;
const SHEILA = 'TECH\\sheila.d.cory';

type Dumped = { object: { id: string }; principal: { owner: { name: string }; effectiveAccess?: Array<{ principal: { id: string }; rights: string[] }> } };
const record = (sim: SimServer, id: string) => (sim.product as VbrProduct).acl.dump().find((r) => (r as Dumped).object.id === id) as unknown as Dumped;
const rightsOf = (sim: SimServer, id: string, roleId: string) => record(sim, id).principal.effectiveAccess?.find((d) => d.principal.id === roleId)?.rights ?? [];

const operations: Operation[] = [
	{
		// Three backups at concurrency 4; each backup already delegates to Backup Viewer, which the merge must keep.
		name: 'grant restore ×3 ∥4',
		parameters: {
			resource: 'backupAccess',
			operation: 'setEffectiveAccess',
			objectType: 'backup',
			object: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
			mode: 'grant',
			role: 'Restore Operator',
			rights: ['restore'],
			options: { concurrency: 4 },
		},
		input: BACKUPS.map((b) => ({ id: b.id })),
		intended: (sim, run) => run.json.length === 3 && BACKUPS.every((b) => rightsOf(sim, b.id, RESTORE_OPERATOR).includes('restore')),
		consistent: (sim, run) =>
			BACKUPS.every((b) => rightsOf(sim, b.id, BACKUP_VIEWER).includes('restore')) &&
			run.json.every((j) => j.result !== 'changed' || rightsOf(sim, String(j.objectId), RESTORE_OPERATOR).includes('restore')),
	},
	{
		name: 'change owner',
		parameters: { resource: 'backupAccess', operation: 'changeOwner', objectType: 'backup', object: { __rl: true, mode: 'id', value: SQL_BACKUP }, owner: SHEILA },
		input: [{}],
		intended: (sim, run) => run.json.length === 1 && record(sim, SQL_BACKUP).principal.owner.name === SHEILA,
		consistent: (sim, run) => run.json.every((j) => j.result !== 'changed' || record(sim, SQL_BACKUP).principal.owner.name === SHEILA),
	},
	{
		name: 'get many',
		parameters: { resource: 'backupAccess', operation: 'getMany', returnAll: true },
		input: [{}],
		intended: (_sim, run) => run.json.length === ACL_SEED.length && run.json.every((j) => typeof j.name === 'string'),
		consistent: () => true,
	},
];

let sim: SimServer;
let fixture: VeeamFixture;
const faults = standardFaults('/api/v1/');
const table = new FaultTable('VBR Backup Access fault suite', faults, operations.map((o) => o.name));

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbr' });
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
		// Backup Viewer is given restore on every backup first (its entry must survive the merges), which also logs in.
		const warm = await fixture.run(
			{ resource: 'backupAccess', operation: 'setEffectiveAccess', objectType: 'backup', object: { __rl: true, mode: 'id', value: '={{ $json.id }}' }, mode: 'set', role: 'Backup Viewer', rights: ['restore'] },
			BACKUPS.map((b) => ({ id: b.id })),
		);
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
