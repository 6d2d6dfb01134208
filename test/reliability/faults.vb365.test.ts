/**
 * Fault suite (Veeam Backup for Microsoft 365): every changing VB365 operation of the Veeam node
 * (Restore Operator → Grant, Revoke, Offboard, Sync Apply; Role → Create, Update, Delete) and the
 * reads, through n8n's engine while the simulator misbehaves: 429 (reads waited out and retried;
 * a write the server refused with 429 was not carried out, so sending it again is no blind
 * repeat), 500 RESTExceptionInfo with a .NET stackTrace, 502 / 503, connections dropped before or
 * after the server acted, answers past the credential's timeout, broken JSON, tokens that expire.
 * Veeam documents no throttling and no error status per call for its REST API (contract: every
 * operation's `default` is RESTExceptionInfo; sim/contracts/vb365.md), so the faults are the
 * transport's, as for the other products (faultTable.ts).
 *
 * Besides the fixed faults, a STEP SWEEP: for each operation, one fault on its 1st request, then on
 * its 2nd, … until the operation makes fewer requests than that: each step of each operation meets
 * a dropped connection after the server acted, and a 500.
 *
 * Rule (as faults.vspc.test.ts): each cell is `completed` (no error, and every change the output
 * reports is on the server), `unclear outcome` (the error says the request may or may not have
 * been carried out, and the server is whole: no operator twice in a role, no role twice),
 * `failed clearly` (a readable error and nothing of the item done; or, for an operation that works
 * role by role, an error that says what was done before it), else `WRONG STATE`.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator, VB365_ORG_CONTOSO_ID, type SimServer } from '../../sim';
import type { Vb365Options } from '../../sim/vb365/product';
import { shutdownEngine } from '../support/engine';
import { errorText, type VeeamRun } from '../nodes/Veeam/fixtures';
import { byName, contoso, Vb365Fixture, type SimRole } from '../nodes/Veeam/vb365/fixture';
import { FaultTable, type Fault as SharedFault } from './faultTable';

const CONTOSO = 'contoso.onmicrosoft.com';
const ALICE = `alice.adams@${CONTOSO}`;
const CAROL = `carol.chen@${CONTOSO}`;
const DAVE = `dave.lee@${CONTOSO}`;
const BOB = `bob.baker@${CONTOSO}`;
const HELPDESK = 'Helpdesk Restore';
const FINANCE = 'Finance Restore';
/** Every API request but the token's (the login has its own tests). */
const API = '/v8/';
/** A .NET stack trace as VB365's RESTExceptionInfo carries one (the spec's `stackTrace`). */
const STACK = '   at Veeam.Archiver.REST.Controllers.RbacRolesController.Post(Guid organizationId)\n   at System.Web.Http.ApiControllerActionInvoker.InvokeActionAsyncCore()';

type Outcome = 'completed' | 'unclear outcome' | 'failed clearly';

interface Vb365Fault {
	name: string;
	credential?: IDataObject;
	/** Sets the fault up once the run's login is done; may return a task to run beside the run. */
	arm: (sim: SimServer) => void | (() => Promise<void>);
	accept: Outcome[];
	/** A fault that may not meet an operation (writes only). */
	writesOnly?: boolean;
}

interface Operation {
	name: string;
	parameters: INodeParameters;
	input?: IDataObject[];
	/** Sync Apply: the plan is made first (a run of its own, no fault). */
	prepare?: (h: Vb365Fixture) => Promise<INodeParameters>;
	/** The server shows every change the output reports, and all that was asked. */
	done: (h: Vb365Fixture, run: VeeamRun) => boolean;
	/** Nothing of the item (of `failedItem` where the error names one) is on the server. */
	untouched: (h: Vb365Fixture, failedItem?: number) => boolean;
	/** No operator twice in a role, no role twice in an organization. */
	whole?: (h: Vb365Fixture) => boolean;
	/** Works role by role: a clear failure may have done some roles, and then says which. */
	reportsSteps?: boolean;
	readOnly?: boolean;
}

const ops = (h: Vb365Fixture, role: string, orgId = VB365_ORG_CONTOSO_ID) => (h.role(role, orgId) ? h.operatorsOf(role, orgId) : []);
const has = (h: Vb365Fixture, role: string, who: string, orgId = VB365_ORG_CONTOSO_ID) => ops(h, role, orgId).includes(who);
/** Each role's operators once (by principal id), each role name once per organization. */
function wholeServer(h: Vb365Fixture): boolean {
	const roles = h.roles();
	const names = roles.map((r) => `${r.organizationId}/${r.name.toLowerCase()}`);
	if (new Set(names).size !== names.length) return false;
	return roles.every((r: SimRole) => {
		const ids = r.operators.map((o) => o.user?.id ?? o.group?.id);
		return new Set(ids).size === ids.length;
	});
}
const resultsOf = (run: VeeamRun, i = 0) => (run.json[i]?.roles as Array<{ name: string; result: string }> | undefined) ?? [];

const OPERATIONS: Operation[] = [
	{
		name: 'grant ×2 items',
		parameters: { resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: '={{ $json.who }}', restoreRoles: [HELPDESK, FINANCE] },
		input: [{ who: ALICE }, { who: CAROL }],
		done: (h, run) =>
			run.json.length === 2 &&
			run.json.every((j) => j.action === 'granted' || j.action === 'unchanged') &&
			[ALICE, CAROL].every((who) => has(h, HELPDESK, who) && has(h, FINANCE, who)) &&
			run.json.every((_j, i) => resultsOf(run, i).length === 2),
		untouched: (h, failed) => (failed === undefined ? [ALICE, CAROL] : [[ALICE, CAROL][failed]]).every((who) => !has(h, HELPDESK, who) && !has(h, FINANCE, who)),
		reportsSteps: true,
	},
	{
		name: 'grant, role created',
		parameters: { resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: ALICE, restoreRoles: ['Legal Hold Restores'], ifRoleMissing: 'create', newRoleDescription: 'Made by n8n' },
		done: (h, run) => ['granted', 'unchanged'].includes(String(run.json[0]?.action)) && has(h, 'Legal Hold Restores', ALICE),
		untouched: (h) => h.role('Legal Hold Restores') === undefined,
		// A role made whose operator POST failed: created, says so.
		reportsSteps: true,
	},
	{
		name: 'revoke (every role)',
		parameters: { resource: 'restoreOperator', operation: 'revoke', organization: contoso(), operator: DAVE },
		done: (h, run) => ['revoked', 'unchanged'].includes(String(run.json[0]?.action)) && !has(h, HELPDESK, DAVE) && !has(h, FINANCE, DAVE),
		untouched: (h) => has(h, HELPDESK, DAVE) && has(h, FINANCE, DAVE),
		reportsSteps: true,
	},
	{
		name: 'offboard (every org)',
		parameters: { resource: 'restoreOperator', operation: 'offboard', operator: DAVE },
		done: (h, run) => ['revoked', 'unchanged'].includes(String(run.json[0]?.action)) && !has(h, HELPDESK, DAVE) && !has(h, FINANCE, DAVE) && Array.isArray(run.json[0]?.groupsStillGranting),
		untouched: (h) => has(h, HELPDESK, DAVE) && has(h, FINANCE, DAVE),
		reportsSteps: true,
	},
	{
		name: 'role create',
		parameters: {
			resource: 'role',
			operation: 'create',
			organization: contoso(),
			roleName: 'Legal Restores',
			roleDescription: 'Legal department',
			vb365RoleType: 'SpecificObjects',
			selectedItems: { item: [{ kind: 'site', value: 'https://contoso.sharepoint.com/sites/HR' }] },
			excludedItems: { item: [{ kind: 'user', value: 'Bob Baker' }] },
		},
		done: (h, run) => {
			const r = h.role('Legal Restores');
			return ['created', 'unchanged'].includes(String(run.json[0]?.action)) && r?.roleType === 'SpecificObjects' && r.selectedItems.length === 1 && r.excludedItems.length === 1;
		},
		untouched: (h) => h.role('Legal Restores') === undefined,
	},
	{
		name: 'role update',
		parameters: { resource: 'role', operation: 'update', organization: contoso(), role: byName(HELPDESK), roleUpdates: { name: 'Helpdesk Restores', description: 'Tier 1' } },
		done: (h, run) => ['updated', 'unchanged'].includes(String(run.json[0]?.action)) && h.role('Helpdesk Restores')?.description === 'Tier 1',
		untouched: (h) => h.role(HELPDESK) !== undefined && h.role(HELPDESK)?.description !== 'Tier 1',
		reportsSteps: true,
	},
	{
		name: 'role delete',
		parameters: { resource: 'role', operation: 'delete', organization: contoso(), role: byName(FINANCE) },
		done: (h, run) => ['deleted', 'absent'].includes(String(run.json[0]?.action)) && h.role(FINANCE) === undefined,
		untouched: (h) => h.role(FINANCE) !== undefined && h.operatorsOf(FINANCE).length === 2,
	},
	{
		name: 'sync apply',
		// Helpdesk: the group and Dave as seeded, Alice added; Finance: Dave stays, Bob removed.
		input: [
			{ operator: `helpdesk@${CONTOSO}`, type: 'group', roles: [HELPDESK] },
			{ operator: DAVE, roles: [HELPDESK, FINANCE] },
			{ operator: ALICE, roles: [HELPDESK] },
		],
		parameters: {},
		prepare: async (h) => {
			const plan = await h.run(syncParameters('plan'), SYNC_INPUT);
			if (plan.error) throw plan.error;
			const planId = plan.json.find((j) => typeof j.planId === 'string')?.planId;
			return syncParameters('apply', { syncOptions: { approvedPlanId: planId, maxRemovals: 10, maxRemovalPercent: 100 } });
		},
		done: (h, run) => run.json.length > 0 && has(h, HELPDESK, ALICE) && !has(h, FINANCE, BOB) && has(h, FINANCE, DAVE) && has(h, HELPDESK, DAVE),
		untouched: (h) => !has(h, HELPDESK, ALICE) && has(h, FINANCE, BOB),
		reportsSteps: true,
	},
	{
		name: 'get (operator)',
		readOnly: true,
		parameters: { resource: 'restoreOperator', operation: 'get', organization: contoso(), operator: DAVE },
		done: (_h, run) => run.json[0]?.isOperator === true && (run.json[0]?.roles as unknown[]).length === 2,
		untouched: () => true,
	},
	{
		name: 'get many (operators)',
		readOnly: true,
		parameters: { resource: 'restoreOperator', operation: 'getMany', returnAll: true },
		// Every operator of every role, as the server has them.
		done: (h, run) => {
			const truth = new Set(h.roles().flatMap((r) => r.operators.map((o) => `${r.organizationId}/${o.user?.id ?? o.group?.id}`)));
			const out = run.json.map((j) => `${(j.organization as { id: string }).id}/${(j.operator as { id: string }).id}`);
			return out.length === truth.size && out.every((o) => truth.has(o));
		},
		untouched: () => true,
	},
];
const SYNC_INPUT = OPERATIONS.find((o) => o.name === 'sync apply')?.input as IDataObject[];

function syncParameters(mode: string, extra: IDataObject = {}): INodeParameters {
	return {
		resource: 'restoreOperator',
		operation: 'sync',
		organization: contoso(),
		operator: '={{ $json.operator }}',
		operatorType: '={{ $json.type ?? "user" }}',
		restoreRoles: '={{ $json.roles }}',
		syncMode: mode,
		...extra,
	} as INodeParameters;
}

const WRITES = ['POST', 'PUT', 'DELETE'];
const options = (sim: SimServer) => (sim.product as unknown as { options: Vb365Options }).options;
const exception = (message: string) => ({ message, errorCode: null, stackTrace: STACK });
let restore: Array<() => void> = [];

const FAULTS: Vb365Fault[] = [
	{ name: 'none', arm: () => undefined, accept: ['completed'] },
	{ name: '429 ×2 on reads, Retry-After 1', arm: (sim) => sim.addFault({ kind: 'status', status: 429, retryAfterSeconds: 1, count: 2, method: 'GET', pathIncludes: API }), accept: ['completed'] },
	{
		name: '429 RESTExceptionInfo ×2, no Retry-After',
		arm: (sim) => sim.addFault({ kind: 'answer', status: 429, body: { message: 'Too many requests.', errorCode: null, stackTrace: null }, count: 2, pathIncludes: API }),
		accept: ['completed'],
	},
	{
		name: '429 on each write, Retry-After 1',
		writesOnly: true,
		arm: (sim) => WRITES.forEach((method) => sim.addFault({ kind: 'status', status: 429, retryAfterSeconds: 1, count: 1, method, pathIncludes: API })),
		accept: ['completed'],
	},
	{ name: '503 ×3', arm: (sim) => sim.addFault({ kind: 'status', status: 503, count: 3, pathIncludes: API }), accept: ['completed'] },
	{ name: '502 on each write', writesOnly: true, arm: (sim) => WRITES.forEach((method) => sim.addFault({ kind: 'status', status: 502, count: 1, method, pathIncludes: API })), accept: ['completed', 'unclear outcome'] },
	{
		name: '500 RESTExceptionInfo + stackTrace',
		arm: (sim) => sim.addFault({ kind: 'answer', status: 500, body: exception('Unexpected error.'), count: 1, pathIncludes: API }),
		accept: ['failed clearly'],
	},
	{
		name: '500 on a write + stackTrace',
		writesOnly: true,
		arm: (sim) => WRITES.forEach((method) => sim.addFault({ kind: 'answer', status: 500, body: exception('Proxy is offline.'), count: 1, method, pathIncludes: API })),
		// A 500 may come after the server acted (VB365 documents none): "may or may not" is honest too.
		accept: ['failed clearly', 'unclear outcome'],
	},
	{
		name: 'dropped after each write acted',
		writesOnly: true,
		arm: (sim) => WRITES.forEach((method) => sim.addFault({ kind: 'drop', afterProcessing: true, count: 1, method, pathIncludes: API })),
		accept: ['completed', 'unclear outcome'],
	},
	{
		name: 'past the 1-s timeout ×2',
		credential: { timeoutSeconds: 1 },
		arm: (sim) => sim.addFault({ kind: 'delay', ms: 1_400, count: 2, pathIncludes: API }),
		accept: ['completed', 'unclear outcome'],
	},
	{ name: 'malformed JSON ×1', arm: (sim) => sim.addFault({ kind: 'malformed', count: 1, pathIncludes: API }), accept: ['completed', 'unclear outcome'] },
	{
		name: 'tokens expire mid-run',
		arm: (sim) => {
			sim.addFault({ kind: 'delay', ms: 150, pathIncludes: API, count: 1 });
			return async () => {
				const seen = sim.stats.faultsInjected;
				while (sim.stats.faultsInjected === seen) await new Promise((resolve) => setTimeout(resolve, 5));
				sim.tokens.expireAllAccess();
			};
		},
		accept: ['completed'],
	},
	{
		// The simulator's own limit (assumed): more than 2 requests at once get 429 RESTExceptionInfo.
		name: 'at most 2 requests at once (429 past it)',
		arm: (sim) => {
			const o = options(sim);
			o.maxParallel = 2;
			restore.push(() => (o.maxParallel = undefined));
		},
		accept: ['completed'],
	},
];

const SWEEPS: Array<{ name: string; spec: (k: number) => Parameters<SimServer['addFault']>[0]; accept: Outcome[] }> = [
	{ name: 'step sweep: dropped after acting', spec: (k) => ({ kind: 'drop', afterProcessing: true, count: 1, after: k, pathIncludes: API }), accept: ['completed', 'unclear outcome', 'failed clearly'] },
	// A 500 on a read-back after the write was carried out: the error may not say "nothing was changed".
	{ name: 'step sweep: 500 + stackTrace', spec: (k) => ({ kind: 'answer', status: 500, body: exception('Unexpected error.'), count: 1, after: k, pathIncludes: API }), accept: ['completed', 'failed clearly', 'unclear outcome'] },
];

const table = new FaultTable('VB365 fault suite', [...FAULTS, ...SWEEPS] as unknown as SharedFault[], OPERATIONS.map((o) => o.name));
let sim: SimServer;
let h: Vb365Fixture;

beforeAll(async () => {
	sim = await startSimulator({ product: 'vb365' });
	h = new Vb365Fixture(sim);
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

function outcomeOf(operation: Operation, run: VeeamRun): string {
	const whole = (operation.whole ?? wholeServer)(h);
	if (!run.error) return operation.done(h, run) && whole ? 'completed' : 'WRONG STATE';
	const text = errorText(run);
	if (text.trim().length <= 10 || !whole) return 'WRONG STATE';
	if (/may or may not have been carried out/i.test(text)) return 'unclear outcome';
	const context = (run.error as { context?: { itemIndex?: unknown } }).context;
	const failedItem = typeof context?.itemIndex === 'number' ? context.itemIndex : Number(/\(item (\d+)\)/.exec(text)?.[1] ?? Number.NaN);
	if (operation.untouched(h, Number.isInteger(failedItem) ? failedItem : undefined)) return 'failed clearly';
	// Role by role: the error names what was done before the failure.
	if (operation.reportsSteps && /Done before:/.test(text)) return 'failed clearly';
	return 'WRONG STATE';
}

/** A fresh server and credential, logged in by a read (so the faults meet the operation, not the login). */
async function ready(operation: Operation, credential: IDataObject = {}): Promise<INodeParameters> {
	sim.reset();
	sim.faults.clear();
	h.resetCredential(credential);
	const parameters = operation.prepare ? await operation.prepare(h) : operation.parameters;
	const warm = await h.run({ resource: 'role', operation: 'get', organization: contoso(), role: byName(HELPDESK) });
	expect(warm.error).toBeUndefined();
	sim.stats.reset();
	return parameters;
}

describe.each(FAULTS)('$name', (fault) => {
	it.each(OPERATIONS)('$name', async (operation) => {
		const parameters = await ready(operation, fault.credential);
		const waiter = fault.arm(sim);
		const [run] = await Promise.all([h.run(parameters, operation.input ?? [{}]), waiter ? waiter() : Promise.resolve()]);
		// The fault met the run (a row that never fires proves nothing).
		const met = sim.stats.faultsInjected > 0 || (sim.stats.byStatus['429'] ?? 0) > 0;
		if (fault.name !== 'none' && !(fault.writesOnly && operation.readOnly) && !fault.name.startsWith('at most')) expect(met).toBe(true);
		const outcome = outcomeOf(operation, run);
		// A read-only operation sends no write for a write fault to meet.
		const accept = fault.writesOnly && operation.readOnly ? ['completed'] : fault.accept;
		table.rows.push({ fault: fault.name, operation: operation.name, outcome, ok: (accept as string[]).includes(outcome) });
		expect(`${outcome}${run.error ? `: ${errorText(run)}` : ''}`).toMatch(new RegExp(`^(${accept.join('|')})(:|$)`));
	});
});

describe.each(SWEEPS)('$name', (sweep) => {
	// The operations that change the server (the reads meet the fixed faults above).
	it.each(OPERATIONS.filter((o) => !o.readOnly))('$name: a fault at each of its requests', async (operation) => {
		const outcomes: string[] = [];
		for (let k = 0; k < 200; k++) {
			const parameters = await ready(operation);
			sim.addFault(sweep.spec(k));
			const run = await h.run(parameters, operation.input ?? [{}]);
			// Past the operation's last request: the sweep is over.
			if (sim.stats.faultsInjected === 0) break;
			const outcome = outcomeOf(operation, run);
			outcomes.push(`step ${k + 1}: ${outcome}${run.error ? `: ${errorText(run).slice(0, 300)}` : ''}`);
		}
		const bad = outcomes.filter((o) => !sweep.accept.some((a) => o.replace(/^step \d+: /, '').startsWith(a)));
		const summary = [...new Set(outcomes.map((o) => o.replace(/^step \d+: /, '').replace(/:.*$/s, '')))].join(' / ');
		table.rows.push({ fault: sweep.name, operation: operation.name, outcome: `${outcomes.length} steps: ${summary}`, ok: bad.length === 0 });
		expect(outcomes.length).toBeGreaterThan(1);
		expect(bad).toEqual([]);
	});
});

