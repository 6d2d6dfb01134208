/**
 * Fault suite of the trigger's custom-role and access events (VBR 1.3-rev2), with the faults and
 * rule of test/reliability (faultTable.ts): after a baseline, custom roles and ACL records are
 * changed; then a poll runs while the simulator misbehaves on the role requests or on the ACL
 * requests, and another poll after. A poll either emits exactly the changes (and the next one
 * nothing), or fails clearly and emits nothing, and the next poll emits exactly the changes.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../../sim';
import { FaultTable, standardFaults } from '../../reliability/faultTable';
import { shutdownEngine, type PollResult } from '../../support/engine';
import { ACCESS_EVENT_KINDS, AccessAdmin, RESTORE_OPERATOR, ROLE_EVENT_KINDS } from './accessHarness';
import { activate, credentialsFor, emitted } from './harness';

const TARGETS = [
	{ target: 'custom roles', path: '/api/v1/security/roles' },
	{ target: 'ACL', path: '/api/v1/acl' },
];
const OPERATION = 'vbr poll (roles and access)';

const describeEvents = (result: PollResult) =>
	emitted(result)
		.map((i) => `${String(i.event)} ${String(((i.role ?? i.previous) as IDataObject | null)?.name ?? (i.object as IDataObject | undefined)?.id)}`)
		.sort();

let sim: SimServer;
let admin: AccessAdmin;
const tables = TARGETS.map(({ target, path }) => {
	const faults = standardFaults(path);
	return { target, faults, table: new FaultTable(`Veeam Trigger role and access events, faults on ${target}`, faults, [OPERATION]) };
});

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbr', vbr: { maxPageSize: 2 } });
	admin = new AccessAdmin(sim);
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
	for (const { table } of tables) table.print();
});

describe.each(tables)('faults on $target', ({ faults, table }) => {
	it.each(faults)('$name', async (fault) => {
		sim.reset();
		sim.faults.clear();
		await admin.login();
		const keep = await admin.createRole({ name: 'Keep', manageBackups: true });
		const drop = await admin.createRole({ name: 'Drop' });
		const activation = activate(sim, 'vbr', { events: [...ROLE_EVENT_KINDS, ...ACCESS_EVENT_KINDS], credentials: credentialsFor(sim, 'vbr', fault.credential ?? {}) });
		expect((await activation.poll()).error).toBeUndefined();

		await admin.createRole({ name: 'New', manageRestores: true });
		await admin.updateRole(keep, { description: 'changed' });
		await admin.deleteRole(drop);
		await admin.changeOwner('backupJob', '6f1c2b3a-4d5e-4f60-8a71-92b3c4d5e602', 'VBR01\\svc-n8n');
		await admin.changeEffectiveAccess('backup', '7e2d3c4b-5a6f-4071-9b82-a3c4d5e6f703', [{ roleId: RESTORE_OPERATOR, rights: ['restore'] }]);
		const expected = [
			'roleCreated New',
			'roleChanged Keep',
			'roleDeleted Drop',
			'accessChanged 6f1c2b3a-4d5e-4f60-8a71-92b3c4d5e602',
			'accessChanged 7e2d3c4b-5a6f-4071-9b82-a3c4d5e6f703',
		].sort();

		const underFault = await fault.during(sim, () => activation.poll());
		sim.faults.clear();
		const next = await activation.poll();
		expect(next.error).toBeUndefined();
		const error = underFault.error ? `${underFault.error.message} ${(underFault.error as { description?: string }).description ?? ''}` : undefined;
		const row = table.record(fault, OPERATION, {
			error,
			intended: describeEvents(underFault).join() === expected.join() && describeEvents(next).length === 0,
			consistent: underFault.response === null && describeEvents(next).join() === expected.join(),
		});
		expect({ outcome: row.outcome, error, events: describeEvents(underFault), next: describeEvents(next) }).toMatchObject({
			outcome: expect.stringMatching(new RegExp(fault.accept.join('|'))),
		});
		expect(row.ok).toBe(true);
	});
});
