/**
 * Fault suite (Veeam Trigger on Veeam Service Provider Console), as faults.trigger.test.ts for the
 * other products: after a baseline, users of several organizations are added, changed (role,
 * status) and removed and an API key is made, through VSPC's REST API; then a poll runs while the
 * simulator misbehaves, and another one after. A poll either emits exactly the changes (and the
 * next one nothing: no duplicate), or fails clearly and emits nothing, and the next poll emits
 * exactly the changes (no event lost). The standard faults (faultTable.ts) on the users and logins
 * lists, and VSPC's own: 429 with `retryAfter` in the body only (REST help "Throttling",
 * helpcenter.veeam.com/docs/vac/rest/throttling.html), 520 (REST help "Errors", …/rest/errors.html),
 * 202 + an async action for the list reads (…/rest/async_processing.html), the simulator's
 * throttling, and a total that moves between pages (…/rest/pagination.html: "some resources can
 * move from one page to another").
 */
import { startSimulator, VSPC_COMPANY_ALPHA_UID, VSPC_COMPANY_BETA_UID, type SimServer } from '../../sim';
import type { VspcOptions } from '../../sim/vspc/product';
import { shutdownEngine, type PollResult } from '../support/engine';
import { activate, credentialsFor, summary } from '../nodes/VeeamTrigger/harness';
import { VspcAdmin } from '../nodes/VeeamTrigger/vspcHarness';
import { FaultTable, standardFaults, type Fault } from './faultTable';

const EVENTS = ['userAdded', 'userRemoved', 'rolesChanged', 'mfaChanged', 'statusChanged', 'loginsChanged', 'otherFieldsChanged'];
const OPERATION = 'vspc poll';
const ALPHA_USER = 'c37dac86-f273-4133-9bcd-000000000008';
const OPERATOR = 'c37dac86-f273-4133-9bcd-000000000003';
const READONLY = 'c37dac86-f273-4133-9bcd-000000000004';

const options = (sim: SimServer) => (sim.product as unknown as { options: VspcOptions }).options;
let restore: Array<() => void> = [];

const VSPC_FAULTS: Fault[] = [
	{
		name: '429 retryAfter 1 in the body only ×2',
		during: async (sim, run) => {
			sim.addFault({ kind: 'answer', status: 429, body: { errors: [{ type: 'transport', code: 429, retryAfter: 1 }] }, count: 2, pathIncludes: '/api/v3/users' });
			return await run();
		},
		accept: ['completed'],
	},
	{
		name: '520 (code 500) on a logins page',
		during: async (sim, run) => {
			sim.addFault({ kind: 'status', status: 500, count: 1, after: 1, pathIncludes: '/api/v3/users/logins' });
			return await run();
		},
		accept: ['completed', 'failed clearly'],
	},
	{
		name: '202 + async action for every list read',
		during: async (sim, run) => {
			const o = options(sim);
			o.asyncOperations = ['GET /users', 'GET /users/logins', 'GET /organizations', 'GET /organizations/companies'];
			restore.push(() => (o.asyncOperations = []));
			return await run();
		},
		accept: ['completed'],
	},
	{
		name: 'throttled: 6 requests a second',
		during: async (sim, run) => {
			const o = options(sim);
			o.throttle = { maxRequests: 6, windowSeconds: 1 };
			restore.push(() => (o.throttle = undefined));
			return await run();
		},
		accept: ['completed'],
	},
	{
		name: 'a user added between pages (total moves)',
		during: async (sim, run) => {
			// The first users page is held; a user is added meanwhile: later pages have moved.
			sim.addFault({ kind: 'delay', ms: 150, count: 1, pathIncludes: '/api/v3/users' });
			const seen = sim.stats.faultsInjected;
			const [result] = await Promise.all([
				run(),
				(async () => {
					while (sim.stats.faultsInjected === seen) await new Promise((resolve) => setTimeout(resolve, 5));
					late.push('userAdded alpha.late');
					await admin.addUser(VSPC_COMPANY_ALPHA_UID, 'alpha.late', 'CompanyLocationUser');
				})(),
			]);
			return result;
		},
		accept: ['completed', 'failed clearly'],
	},
];

const faults = [...standardFaults('/api/v3/users'), ...VSPC_FAULTS];
const table = new FaultTable('Veeam Trigger fault suite (vspc)', faults, [OPERATION]);
const describeEvents = (result: PollResult) => summary(result).map(([event, name]) => `${event} ${name}`).sort();

let sim: SimServer;
let admin: VspcAdmin;
/** Changes a fault itself makes during the poll (reported by that poll or the next). */
let late: string[] = [];

beforeAll(async () => {
	// Small pages: a poll lists users and logins in several requests, so a fault can hit their middle.
	sim = await startSimulator({ product: 'vspc', vspc: { maxPageSize: 2, limitOverMax: 'clamp' } });
	admin = new VspcAdmin(sim);
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

it.each(faults)('$name', async (fault) => {
	sim.reset();
	sim.faults.clear();
	late = [];
	await admin.login();
	const activation = activate(sim, 'vspc', { events: EVENTS, credentials: credentialsFor(sim, 'vspc', fault.credential ?? {}) });
	const baseline = await activation.poll();
	expect(baseline.error).toBeUndefined();

	// What the provider's staff change, in three organizations; the poll must report each once.
	await admin.addUser(VSPC_COMPANY_BETA_UID, 'beta.ops', 'CompanyAdministrator');
	await admin.setRole(ALPHA_USER, 'CompanyAdministrator');
	await admin.setStatus(OPERATOR, 'Disabled');
	await admin.addApiKey(ALPHA_USER, 'billing export');
	await admin.removeUser(READONLY);
	const expected = ['loginsChanged alpha.user', 'rolesChanged alpha.user', 'statusChanged operator', 'userAdded beta.ops', 'userRemoved readonly'];

	const underFault = await fault.during(sim, () => activation.poll());
	for (const undo of restore) undo();
	restore = [];
	sim.faults.clear();
	const next = await activation.poll();
	expect(next.error).toBeUndefined();

	const error = underFault.error ? `${underFault.error.message} ${(underFault.error as { description?: string }).description ?? ''}` : undefined;
	// A user added during the poll: reported by that poll or by the next, once.
	const all = [...describeEvents(underFault), ...describeEvents(next)].sort();
	const row = table.record(fault, OPERATION, {
		error,
		intended: [...expected, ...late].sort().join() === all.join() && expected.every((e) => describeEvents(underFault).includes(e)),
		consistent: underFault.response === null && describeEvents(next).join() === [...expected, ...late].sort().join(),
	});
	expect({ outcome: row.outcome, error, events: describeEvents(underFault), next: describeEvents(next) }).toMatchObject({
		outcome: expect.stringMatching(new RegExp(fault.accept.join('|'))),
	});
	expect(row.ok).toBe(true);
});
