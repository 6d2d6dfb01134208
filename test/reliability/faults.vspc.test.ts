/**
 * Fault suite (Veeam Service Provider Console): every VSPC operation of the Veeam node through
 * n8n's engine while the simulator misbehaves the ways VSPC can: the connection reset before or
 * after the server acted, 5xx as VSPC sends them (every server error as 520, REST help "Errors",
 * helpcenter.veeam.com/docs/vac/rest/errors.html) with its codes 504 / 1051 ("took too long"),
 * 429 with `retryAfter` in the body only (REST help "Throttling", …/rest/throttling.html), a 401
 * for a token that expired, and 202 + an async action to poll (REST help "Asynchronous
 * Processing", …/rest/async_processing.html).
 *
 * Rule (issue 28, as faultTable.ts for the other products): each cell is `completed` (no error,
 * the server shows what was asked), `unclear outcome` (the error says the request may or may not
 * have been carried out, and the server is whole: each item fully done or not at all), or `failed
 * clearly` (a readable error, and nothing of the item done; Offboard's error may list the steps
 * done, each of which leaves less access). Anything else, above all an item reported done that the
 * server does not show, is `WRONG STATE`.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator, VSPC_COMPANY_ALPHA_UID, type SimServer } from '../../sim';
import type { VspcFaultSpec } from '../../sim/vspc/faults';
import type { VspcOptions, VspcProduct } from '../../sim/vspc/product';
import { shutdownEngine } from '../support/engine';
import { byName, errorText, type VeeamRun } from '../nodes/Veeam/fixtures';
import { VspcFixture } from '../nodes/Veeam/vspc/fixture';
import { FaultTable, type Fault as SharedFault } from './faultTable';

const USERS = '/api/v3/users';
const PASSWORD = 'F4ult-Passw0rd!';
const HIRES = Array.from({ length: 4 }, (_, i) => `f.hire${i}`);

type Outcome = 'completed' | 'unclear outcome' | 'failed clearly';

interface VspcFault {
	name: string;
	/** Sets the fault up once the run's login is done (the login has its own tests). */
	arm: (sim: SimServer) => void | (() => Promise<void>);
	accept: Outcome[];
}

interface Operation {
	name: string;
	/** State the operation needs (after the simulator's reset); may run the node (a Sync plan). */
	prepare?: (h: VspcFixture) => Promise<IDataObject>;
	parameters: (prepared: IDataObject) => INodeParameters;
	input: IDataObject[];
	/** The server shows everything asked, and the output says so. */
	done: (h: VspcFixture, run: VeeamRun) => boolean;
	/** Nothing of it (of the item that failed, where the error names one) is on the server: a clear failure must leave it so. */
	untouched: (h: VspcFixture, failedItem?: number) => boolean;
	/** Each item fully done or not at all (never a half-made user, never a duplicate). */
	whole: (h: VspcFixture) => boolean;
	/** Its clear failures may say what was done (Offboard: each step leaves less access). */
	reportsSteps?: boolean;
	/** Sends no write (faults on writes do not reach it). */
	readOnly?: boolean;
	secrets?: (prepared: IDataObject) => string[];
}

const uidOf = (h: VspcFixture, name: string) => String(h.user(name)?.instanceUid);
const named = (h: VspcFixture, name: string) => (h.vspc.snapshot().users as Array<{ userName: string }>).filter((u) => u.userName === name);
const keysOf = (h: VspcFixture, uid: string) => h.logins(uid).filter((l) => l.kind === 'apiKey');

/** A hire made whole: in Alpha, the role, MFA required, its e-mail. */
const hireWhole = (h: VspcFixture, name: string) => {
	const u = h.user(name);
	return u !== undefined && u.organizationUid === VSPC_COMPANY_ALPHA_UID && u.role === 'CompanyAdministrator' && u.mfaPolicyStatus === 'Enabled' && u.profile.email === `${name}@alpha.com`;
};

/** Alpha's list: the admin with a new e-mail, a new location user; alpha.user is not on it (removed). */
const SYNC_LIST = [
	{ name: 'alpha.admin', role: 'CompanyAdministrator', email: 'john.smith@alpha.com' },
	{ name: 'alpha.new', role: 'CompanyLocationUser', email: 'new@alpha.com' },
];

const OPERATIONS: Operation[] = [
	{
		name: 'onboard ×4 ∥2',
		parameters: () => ({
			resource: 'user',
			operation: 'onboard',
			userName: '={{ $json.name }}',
			organizationType: 'company',
			company: 'Alpha',
			roles: 'CompanyAdministrator',
			password: PASSWORD,
			email: '={{ $json.name }}@alpha.com',
			mfaRequired: true,
			options: { concurrency: 2 },
		}),
		input: HIRES.map((name) => ({ name })),
		done: (h, run) => run.json.length === HIRES.length && run.json.every((j) => j.action === 'created' || j.action === 'updated' || j.action === 'unchanged') && HIRES.every((n) => hireWhole(h, n)),
		// Items run two at a time: the failed item's hire is absent (the others may be done, whole).
		untouched: (h, failedItem) => (failedItem === undefined ? HIRES.every((n) => h.user(n) === undefined) : h.user(HIRES[failedItem]) === undefined),
		whole: (h) => HIRES.every((n) => named(h, n).length === 0 || (named(h, n).length === 1 && hireWhole(h, n))),
	},
	{
		name: 'promote',
		parameters: () => ({ resource: 'user', operation: 'promote', user: byName('alpha.user'), roleMode: 'replace', roles: ['CompanyAdministrator'] }),
		input: [{}],
		done: (h, run) => run.json[0]?.action === 'updated' && h.user('alpha.user')?.role === 'CompanyAdministrator',
		untouched: (h) => h.user('alpha.user')?.role === 'CompanyLocationUser',
		whole: () => true,
	},
	...(['delete', 'disable'] as const).map(
		(mode): Operation => ({
			name: `offboard (${mode})`,
			prepare: async (h) => ({ uid: uidOf(h, 'alpha.admin'), key: h.vspc.addApiKey(uidOf(h, 'alpha.admin'), { description: 'backup script' }).key }),
			parameters: () => ({ resource: 'user', operation: 'offboard', user: byName('alpha.admin'), offboardMode: mode }),
			input: [{}],
			done: (h, run) => {
				const uid = uidOf(h, 'alpha.admin');
				if (mode === 'delete') return run.json[0]?.action === 'deleted' && h.user('alpha.admin') === undefined && h.logins(uid).length === 0;
				return run.json[0]?.action === 'disabled' && h.user('alpha.admin')?.status === 'Disabled' && keysOf(h, uid).length === 0;
			},
			untouched: (h) => h.user('alpha.admin')?.status === 'Enabled' && keysOf(h, uidOf(h, 'alpha.admin')).length === 1,
			whole: () => true,
			reportsSteps: true,
			secrets: (p) => [String(p.key)],
		}),
	),
	{
		name: 'require MFA',
		parameters: () => ({ resource: 'user', operation: 'requireMfa', user: byName('alpha.user') }),
		input: [{}],
		done: (h, run) => run.json[0]?.action === 'mfaRequired' && h.user('alpha.user')?.mfaPolicyStatus === 'Enabled',
		untouched: (h) => h.user('alpha.user')?.mfaPolicyStatus === 'Disabled',
		whole: () => true,
	},
	{
		name: 'stop requiring MFA',
		prepare: async (h) => {
			h.vspc.addUser({ organizationUid: VSPC_COMPANY_ALPHA_UID, userName: 'alpha.mfa', role: 'CompanyLocationUser', mfaPolicy: 'Enabled' });
			return {};
		},
		parameters: () => ({ resource: 'user', operation: 'stopRequiringMfa', user: byName('alpha.mfa') }),
		input: [{}],
		done: (h, run) => run.json[0]?.action === 'mfaNoLongerRequired' && h.user('alpha.mfa')?.mfaPolicyStatus === 'Disabled',
		untouched: (h) => h.user('alpha.mfa')?.mfaPolicyStatus === 'Enabled',
		whole: () => true,
	},
	{
		name: 'reset MFA',
		prepare: async (h) => ({ secret: h.vspc.addTotp(uidOf(h, 'alpha.user')).secret }),
		parameters: () => ({ resource: 'user', operation: 'resetMfa', user: byName('alpha.user') }),
		input: [{}],
		done: (h, run) => run.json[0]?.action === 'mfaReset' && !h.logins(uidOf(h, 'alpha.user')).some((l) => l.kind === 'totp'),
		untouched: (h) => h.logins(uidOf(h, 'alpha.user')).some((l) => l.kind === 'totp'),
		whole: () => true,
		secrets: (p) => [String(p.secret)],
	},
	{
		name: 'get',
		readOnly: true,
		parameters: () => ({ resource: 'user', operation: 'get', user: byName('alpha.admin') }),
		input: [{}],
		done: (_h, run) => run.json.length === 1 && run.json[0].name === 'alpha.admin',
		untouched: () => true,
		whole: () => true,
	},
	{
		name: 'get many',
		readOnly: true,
		parameters: () => ({ resource: 'user', operation: 'getMany', returnAll: true }),
		input: [{}],
		// Every user the server has, each once.
		done: (h, run) => {
			const names = run.json.map((j) => String(j.name)).sort();
			const truth = (h.vspc.snapshot().users as Array<{ userName: string }>).map((u) => u.userName).sort();
			return JSON.stringify(names) === JSON.stringify(truth);
		},
		untouched: () => true,
		whole: () => true,
	},
	{
		name: 'sync apply',
		prepare: async (h) => {
			const plan = await h.run(syncParameters({ syncMode: 'plan' }), SYNC_LIST, { secrets: [PASSWORD] });
			if (plan.error) throw plan.error;
			return { planId: plan.json[0].planId as string };
		},
		parameters: (p) => syncParameters({ syncMode: 'apply', syncOptions: { approvedPlanId: p.planId, maxRemovals: 10, maxRemovalPercent: 100 } }),
		input: SYNC_LIST,
		done: (h, run) => run.json.length > 0 && syncDone(h),
		untouched: (h) => h.user('alpha.new') === undefined && h.user('alpha.user') !== undefined && h.user('alpha.admin')?.profile.email === 'j.smith@alpha.com',
		// The new user whole, the removed one gone with its logins, or left as it was.
		whole: (h) => named(h, 'alpha.new').length <= 1 && (h.user('alpha.new') === undefined || h.user('alpha.new')?.role === 'CompanyLocationUser'),
		reportsSteps: true,
	},
];

function syncParameters(extra: IDataObject): INodeParameters {
	return {
		resource: 'user',
		operation: 'sync',
		syncOrganization: 'company',
		syncCompany: 'Alpha',
		scope: 'all',
		userName: '={{ $json.name }}',
		roles: '={{ $json.role }}',
		profileEmail: '={{ $json.email }}',
		password: PASSWORD,
		syncOptions: { maxRemovals: 10, maxRemovalPercent: 100 },
		...extra,
	} as INodeParameters;
}

function syncDone(h: VspcFixture): boolean {
	return h.user('alpha.new')?.role === 'CompanyLocationUser' && h.user('alpha.user') === undefined && h.user('alpha.admin')?.profile.email === 'john.smith@alpha.com' && h.user('alpha.owner') !== undefined;
}

const WRITES = ['POST', 'PATCH', 'DELETE'];
/** The writes the node makes, as the spec names them (the simulator's `asyncOperations`). */
const ASYNC_WRITES = ['POST /users', 'PATCH /users/{userUid}', 'DELETE /users/{userUid}', 'DELETE /users/{userUid}/tokens', 'DELETE /users/{userUid}/logins/{userLoginId}'];
/** The running simulator's options (read on every request): a fault row switches one on for its run. */
const vspcOptions = (sim: SimServer) => (sim.product as unknown as { options: VspcOptions }).options;
/** A VSPC server error on the users API (the simulator's own fault; cleared by its reset). */
const failNext = (sim: SimServer, spec: VspcFaultSpec) => (sim.product as unknown as VspcProduct).failNext({ pathIncludes: USERS, ...spec });
let restore: Array<() => void> = [];

const FAULTS: VspcFault[] = [
	{ name: 'none', arm: () => undefined, accept: ['completed'] },
	{ name: 'reset before acting ×2', arm: (sim) => sim.addFault({ kind: 'drop', count: 2, pathIncludes: USERS }), accept: ['completed'] },
	{ name: 'reset after acting ×2', arm: (sim) => sim.addFault({ kind: 'drop', afterProcessing: true, count: 2, pathIncludes: USERS }), accept: ['completed', 'unclear outcome'] },
	{ name: 'reset after a write', arm: (sim) => WRITES.forEach((method) => sim.addFault({ kind: 'drop', afterProcessing: true, count: 1, method, pathIncludes: USERS })), accept: ['completed', 'unclear outcome'] },
	{
		name: '429 retryAfter 1 (body only) ×2',
		// Veeam's own example body (…/rest/throttling.html): no message, no Retry-After header.
		arm: (sim) => sim.addFault({ kind: 'answer', status: 429, body: { errors: [{ type: 'transport', code: 429, retryAfter: 1 }] }, count: 2, pathIncludes: USERS }),
		accept: ['completed'],
	},
	{ name: '429 on writes, Retry-After 1', arm: (sim) => WRITES.forEach((method) => sim.addFault({ kind: 'status', status: 429, retryAfterSeconds: 1, count: 1, method, pathIncludes: USERS })), accept: ['completed'] },
	{ name: '503 ×2 (a gateway)', arm: (sim) => sim.addFault({ kind: 'status', status: 503, count: 2, pathIncludes: USERS }), accept: ['completed'] },
	{ name: '520 (code 500) ×1', arm: (sim) => sim.addFault({ kind: 'status', status: 500, count: 1, pathIncludes: USERS }), accept: ['completed', 'failed clearly', 'unclear outcome'] },
	// VSPC's server errors (sim/vspc/faults.ts): a 520 whose body's code is 1051 ("took too long")
	// or 504, before or after the server acted; the REST help's error types (…/rest/errors.html).
	{ name: '520 code 1051 on a write, not done', arm: (sim) => WRITES.forEach((method) => failNext(sim, { code: 1051, type: 'unspecified', method })), accept: ['completed', 'failed clearly', 'unclear outcome'] },
	{ name: '520 code 1051 on a write, done', arm: (sim) => WRITES.forEach((method) => failNext(sim, { code: 1051, type: 'unspecified', method, afterProcessing: true })), accept: ['completed', 'unclear outcome'] },
	{ name: '520 code 504 on a write, done', arm: (sim) => WRITES.forEach((method) => failNext(sim, { code: 504, type: 'transport', method, afterProcessing: true })), accept: ['completed', 'unclear outcome'] },
	{ name: '520 retryableLogical on reads ×2', arm: (sim) => failNext(sim, { code: 1000, type: 'retryableLogical', method: 'GET', count: 2 }), accept: ['completed'] },
	{
		name: '401: tokens expire mid-run',
		arm: (sim) => {
			sim.addFault({ kind: 'delay', ms: 150, pathIncludes: USERS, count: 1 });
			return async () => {
				const seen = sim.stats.faultsInjected;
				while (sim.stats.faultsInjected === seen) await new Promise((resolve) => setTimeout(resolve, 5));
				sim.tokens.expireAllAccess();
			};
		},
		accept: ['completed'],
	},
	{
		name: '202 + async action on writes (2 polls)',
		arm: (sim) => {
			const options = vspcOptions(sim);
			options.asyncOperations = ASYNC_WRITES;
			options.asyncPolls = 2;
			restore = [
				() => {
					options.asyncOperations = [];
					options.asyncPolls = 1;
				},
			];
		},
		accept: ['completed'],
	},
	{
		name: '202 on every call, reads too',
		arm: (sim) => {
			const options = vspcOptions(sim);
			options.asyncOperations = ['GET /users', 'GET /users/{userUid}', 'GET /users/logins', 'GET /organizations', 'GET /organizations/companies', ...ASYNC_WRITES];
			restore = [() => (options.asyncOperations = [])];
		},
		accept: ['completed'],
	},
	{
		// The simulator's own throttling: per caller and second, 429 with `retryAfter` in the body only.
		name: 'throttled: 4 requests a second',
		arm: (sim) => {
			const options = vspcOptions(sim);
			options.throttle = { maxRequests: 4, windowSeconds: 1 };
			restore = [() => (options.throttle = undefined)];
		},
		accept: ['completed'],
	},
	{ name: 'malformed JSON ×1', arm: (sim) => sim.addFault({ kind: 'malformed', count: 1, pathIncludes: USERS }), accept: ['completed', 'unclear outcome'] },
];

const table = new FaultTable('VSPC fault suite', FAULTS as unknown as SharedFault[], OPERATIONS.map((o) => o.name));
let sim: SimServer;
let h: VspcFixture;

beforeAll(async () => {
	// Pages of 2 (a larger limit clamped, as a server may): Get Many and the look-ups are several pages.
	sim = await startSimulator({ product: 'vspc', vspc: { maxPageSize: 2, limitOverMax: 'clamp' } });
	h = new VspcFixture(sim);
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
	if (!run.error) return operation.done(h, run) ? 'completed' : 'WRONG STATE';
	const text = errorText(run);
	if (text.trim().length <= 10) return 'WRONG STATE';
	if (/may or may not have been carried out/i.test(text)) return operation.whole(h) ? 'unclear outcome' : 'WRONG STATE';
	const context = (run.error as { context?: { itemIndex?: unknown } }).context;
	const failedItem = typeof context?.itemIndex === 'number' ? context.itemIndex : Number(/\(item (\d+)\)/.exec(text)?.[1] ?? Number.NaN);
	if (operation.untouched(h, Number.isInteger(failedItem) ? failedItem : undefined) && operation.whole(h)) return 'failed clearly';
	// Offboard / Sync: the error names what was done before the failure.
	if (operation.reportsSteps && operation.whole(h) && /Done before:|done before|already/i.test(text)) return 'failed clearly';
	return 'WRONG STATE';
}

describe.each(FAULTS)('$name', (fault) => {
	it.each(OPERATIONS)('$name', async (operation) => {
		sim.reset();
		h.resetCredential();
		const prepared = operation.prepare ? await operation.prepare(h) : {};
		// Log in first (a read), so the faults hit the operation, not the login.
		const warm = await h.run({ resource: 'user', operation: 'get', user: byName('administrator') });
		expect(warm.error).toBeUndefined();
		sim.stats.reset();
		const waiter = fault.arm(sim);
		const secrets = [PASSWORD, ...(operation.secrets?.(prepared) ?? [])];
		const [run] = await Promise.all([h.run(operation.parameters(prepared), operation.input, { secrets }), waiter ? waiter() : Promise.resolve()]);
		// The fault met the run (a row that never fires proves nothing): an injected fault, a 202 or a 429.
		const met = sim.stats.faultsInjected > 0 || (sim.stats.byStatus['202'] ?? 0) > 0 || (sim.stats.byStatus['429'] ?? 0) > 0;
		if (fault.name !== 'none' && !fault.name.startsWith('throttled') && !(/write/.test(fault.name) && operation.readOnly)) expect(met).toBe(true);
		const outcome = outcomeOf(operation, run);
		const ok = (fault.accept as string[]).includes(outcome);
		table.rows.push({ fault: fault.name, operation: operation.name, outcome, ok });
		// The error text shows in the failure message (`outcome: error`).
		expect(`${outcome}${run.error ? `: ${errorText(run)}` : ''}`).toMatch(new RegExp(`^(${fault.accept.join('|')})(:|$)`));
	});
});
