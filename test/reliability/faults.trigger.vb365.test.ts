/**
 * Fault suite (Veeam Trigger on Veeam Backup for Microsoft 365), as faults.trigger.vspc.test.ts:
 * after a baseline, restore-operator roles are changed through VB365's REST API (an operator added,
 * one removed, a role created with an operator, a role deleted, a role's scope changed); then a poll
 * runs while the simulator misbehaves, and another one after. A poll either emits exactly the
 * changes (and the next one nothing: no duplicate), or fails clearly and emits nothing, and the next
 * poll emits exactly the changes (no event lost). Above all: a read that failed never yields a
 * removal or a deletion. "Exactly the changes" = what a second activation, baselined at the same
 * moment, emits for them with no fault.
 *
 * Faults: the standard ones (faultTable.ts) on the role reads (/v8/RbacRoles…), and VB365's:
 * RESTExceptionInfo errors with a .NET stackTrace (the spec's `default` answer of every call),
 * 429 RESTExceptionInfo without Retry-After (Veeam documents no throttling: assumed), the
 * organization list failing, one role's operators or items read failing mid-poll, and the
 * simulator's limit of requests in flight.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSimulator, VB365_ORG_CONTOSO_ID, VB365_ROLE_FABRIKAM_ID, VB365_ROLE_FINANCE_ID, VB365_ROLE_HELPDESK_ID, type SimServer } from '../../sim';
import type { Vb365Options } from '../../sim/vb365/product';
import { shutdownEngine, type PollResult } from '../support/engine';
import { activate, credentialsFor, emitted } from '../nodes/VeeamTrigger/harness';
import { directoryObjects, Vb365Admin, type DirectoryObject } from '../nodes/VeeamTrigger/vb365Harness';
import { FaultTable, standardFaults, type Fault } from './faultTable';

const EVENTS = ['operatorAdded', 'operatorRemoved', 'roleScopeChanged', 'roleCreated', 'roleDeleted'];
const OPERATION = 'vb365 poll';
const STACK = '   at Veeam.Archiver.REST.Controllers.RbacRolesController.Get(Guid id)\n   at System.Web.Http.ApiControllerActionInvoker.InvokeActionAsyncCore()';
const exception = (message: string) => ({ message, errorCode: null, stackTrace: STACK });

const options = (sim: SimServer) => (sim.product as unknown as { options: Vb365Options }).options;
let restore: Array<() => void> = [];
const injected =
	(...specs: Array<Parameters<SimServer['addFault']>[0]>): Fault['during'] =>
	async (sim, run) => {
		for (const spec of specs) sim.addFault(spec);
		return await run();
	};

const VB365_FAULTS: Fault[] = [
	{ name: '500 RESTExceptionInfo + stackTrace on the role list', during: injected({ kind: 'answer', status: 500, body: exception('Unexpected error.'), count: 1, pathIncludes: '/v8/RbacRoles' }), accept: ['failed clearly'] },
	{
		name: '500 + stackTrace on one role`s operators',
		during: injected({ kind: 'answer', status: 500, body: exception('Proxy is offline.'), count: 1, after: 1, pathIncludes: '/operators' }),
		accept: ['failed clearly'],
	},
	{ name: '500 + stackTrace on selected items', during: injected({ kind: 'answer', status: 500, body: exception('Unexpected error.'), count: 1, pathIncludes: '/selectedItems' }), accept: ['failed clearly'] },
	{ name: '404 ResourceNotFound on excluded items', during: injected({ kind: 'answer', status: 404, body: { message: 'Role not found.', errorCode: 'ResourceNotFound', stackTrace: null }, count: 1, pathIncludes: '/excludedItems' }), accept: ['completed', 'failed clearly'] },
	{ name: '429 RESTExceptionInfo ×2, no Retry-After', during: injected({ kind: 'answer', status: 429, body: { message: 'Too many requests.', errorCode: null, stackTrace: null }, count: 2, pathIncludes: '/v8/RbacRoles' }), accept: ['completed'] },
	{ name: 'organization list 503 ×2', during: injected({ kind: 'status', status: 503, count: 2, pathIncludes: '/v8/Organizations' }), accept: ['completed'] },
	{ name: 'organization list 500 + stackTrace', during: injected({ kind: 'answer', status: 500, body: exception('Unexpected error.'), count: 1, pathIncludes: '/v8/Organizations' }), accept: ['completed', 'failed clearly'] },
	{ name: 'operators read dropped ×3', during: injected({ kind: 'drop', count: 3, pathIncludes: '/operators' }), accept: ['completed'] },
	{ name: 'operators answer malformed', during: injected({ kind: 'malformed', count: 1, after: 2, pathIncludes: '/operators' }), accept: ['completed', 'failed clearly'] },
	{
		name: 'at most 2 requests at once (429 past it)',
		during: async (sim, run) => {
			const o = options(sim);
			o.maxParallel = 2;
			restore.push(() => (o.maxParallel = undefined));
			return await run();
		},
		accept: ['completed'],
	},
];

const faults = [...standardFaults('/v8/RbacRoles'), ...VB365_FAULTS];
const table = new FaultTable('Veeam Trigger fault suite (vb365)', faults, [OPERATION]);
/** `event role [operator]` per item, sorted. */
const describeEvents = (result: PollResult) =>
	emitted(result)
		.map((i) => `${String(i.event)} ${String(((i.role ?? i.previous) as IDataObject | undefined)?.name)}${i.operator ? ` ${String((i.operator as IDataObject).name)}` : ''}`)
		.sort();
const REMOVALS = /^(operatorRemoved|roleDeleted) /;

let sim: SimServer;
let admin: Vb365Admin;

beforeAll(async () => {
	sim = await startSimulator({ product: 'vb365' });
	admin = new Vb365Admin(sim);
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
	table.print();
});
afterEach(() => {
	for (const undo of restore) undo();
	restore = [];
	sim.faults.clear();
});

const object = (kind: DirectoryObject['kind'], name: string): DirectoryObject => {
	const found = directoryObjects(sim, VB365_ORG_CONTOSO_ID).find((o) => o.kind === kind && JSON.stringify(o.body).toLowerCase().includes(name.toLowerCase()));
	if (!found) throw new Error(`no ${kind} ${name}`);
	return found;
};

it.each(faults)('$name', async (fault) => {
	sim.reset();
	sim.faults.clear();
	await admin.login();
	const credentials = credentialsFor(sim, 'vb365', fault.credential ?? {});
	const reference = activate(sim, 'vb365', { events: EVENTS, credentials: credentialsFor(sim, 'vb365') });
	const activation = activate(sim, 'vb365', { events: EVENTS, credentials });
	for (const a of [reference, activation]) {
		const baseline = await a.poll();
		expect(baseline.error).toBeUndefined();
		expect(baseline.response).toBeNull();
	}

	// What the administrators change in Contoso and Fabrikam; the poll must report each once.
	await admin.add(VB365_ROLE_HELPDESK_ID, 'operators', [object('User', 'alice.adams')]);
	await admin.remove(VB365_ROLE_FINANCE_ID, 'operators', [object('User', 'dave.lee').id]);
	await admin.add(VB365_ROLE_FINANCE_ID, 'selected', [object('Site', '/sites/HR')]);
	await admin.createRole(VB365_ORG_CONTOSO_ID, 'Legal Restores', 'EntireOrganization', { operators: [object('User', 'carol.chen')] });
	await admin.deleteRole(VB365_ROLE_FABRIKAM_ID);

	const truth = await reference.poll();
	expect(truth.error).toBeUndefined();
	const expected = describeEvents(truth);
	// Every kind of change is in it (the reference is no empty poll).
	for (const event of EVENTS) expect(expected.some((e) => e.startsWith(`${event} `))).toBe(true);

	const underFault = await fault.during(sim, () => activation.poll());
	for (const undo of restore) undo();
	restore = [];
	sim.faults.clear();
	const next = await activation.poll();
	expect(next.error).toBeUndefined();

	const error = underFault.error ? `${underFault.error.message} ${(underFault.error as { description?: string }).description ?? ''}` : undefined;
	// Never a removal or deletion the server does not show (from a read that failed or looked partial).
	for (const event of [...describeEvents(underFault), ...describeEvents(next)].filter((e) => REMOVALS.test(e))) expect(expected).toContain(event);
	if (error) expect(error).not.toMatch(/stackTrace|Veeam\.Archiver|ApiControllerActionInvoker/);
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
