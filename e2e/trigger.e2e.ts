/**
 * The Veeam Trigger activated in a running n8n (`n8n start`), as a user runs it:
 * examples/veeam-trigger-notify.json (Veeam Trigger, every minute, rolesChanged → IF the user
 * became a Backup Administrator → HTTP Request to a chat webhook; here a local collector).
 *
 * n8n polls once at activation (the baseline: nothing emitted), then every minute at a random
 * second. The test changes the simulated server as an administrator would in the Veeam console
 * (one user promoted to Backup Administrator, another given a different role, a user added), waits
 * for the notification, then for one more poll, and checks that exactly the promotion was
 * notified, that the trigger reported each role change once and nothing else, and that the
 * following poll repeated nothing. Polls are counted at the simulator (list requests).
 *
 * Beside it, examples/veeam-approval-pending-chat.json (Veeam Trigger, every minute,
 * approvalPending → HTTP Request to the approvers' chat): with four-eyes authorization switched on
 * at the simulator, a user the console adds waits for approval, and the approvers are asked once.
 *
 * Each poll costs up to a minute of waiting (the shortest schedule n8n allows), so both workflows
 * are checked on the same polls: the console's changes and the four-eyes request are made together,
 * after both baselines; then each workflow's first poll notifies and its next poll repeats nothing.
 * About 2–3 minutes per n8n major (n8n start, up to a minute to the first poll, a minute to the next).
 * The waits count polls (list and event requests at the simulator); their time limits only catch a
 * poll that never comes.
 */
import { startSimulator, type SimServer } from '../sim';
import type { VbrProduct } from '../sim/vbr/product';
import { Collector } from './lib/collector';
import { credentialRefs, loadExample, redirectHttpRequests } from './lib/examples';
import { tlsLabel, vbrCredential } from './lib/fixtures';
import { e2eVersions, findInstall, N8nInstance, type RunJson, type WorkflowJson } from './lib/n8n';
import { N8nRest } from './lib/rest';
import { VbrConsole } from './lib/veeamConsole';

/** Where the example sends its notification; rewritten to the collector before import. */
const NOTIFY_API = 'http://127.0.0.1:8766';
const LIST_USERS = 'GET /api/v1/security/users';
const LIST_EVENTS = 'GET /api/v1/authorization/events';
/** A poll is due at most a minute after the previous one; allow for a slow start of the run. */
const POLL_DUE_MS = 75_000;
/** Only a hang reaches it: each test's own waits (n8n start, polls) have their limits, summed here. */
const HANG_MS = 600_000;

async function until(what: string, test: () => boolean, timeoutMs: number): Promise<void> {
	const started = Date.now();
	while (!test()) {
		if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

type TaskData = NonNullable<NonNullable<NonNullable<RunJson['data']>['resultData']>['runData']>[string][number];

/** The items (json) on one output of a node in an execution's run data; [] when the node did not run. */
function outputOf(data: RunJson['data'], nodeName: string, output = 0): Array<Record<string, unknown>> {
	const runs: TaskData[] = data?.resultData?.runData?.[nodeName] ?? [];
	return runs.flatMap((task) => (task.data?.main?.[output] ?? []).map((item) => item.json));
}

describe.each(e2eVersions())('n8n %s', (version) => {
	const major = findInstall(version).major;
	let sim: SimServer;
	let n8n: N8nInstance;
	let collector: Collector;
	let example: WorkflowJson;
	let approvals: WorkflowJson;

	beforeAll(async () => {
		sim = await startSimulator({ product: 'vbr' });
		collector = await Collector.start();
		n8n = await N8nInstance.create({ version });
		example = loadExample('veeam-trigger-notify.json');
		redirectHttpRequests(example, NOTIFY_API, `http://127.0.0.1:${collector.port}`);
		await n8n.importCredentials([vbrCredential(n8n, sim, credentialRefs(example).veeamBackupReplicationApi)]);
		await n8n.importWorkflow(example);
		await n8n.activate(example.id);
		approvals = loadExample('veeam-approval-pending-chat.json');
		redirectHttpRequests(approvals, NOTIFY_API, `http://127.0.0.1:${collector.port}`);
		await n8n.importWorkflow(approvals);
		await n8n.activate(approvals.id);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await collector?.close();
		await sim?.close();
	});

	/** Event reads (both workflows read them each poll) when the four-eyes request was made; set by the first test. */
	let eventPollsBeforeRequest: number | undefined;

	it(`examples/veeam-trigger-notify.json, active in n8n start: a promotion to Backup Administrator is notified once, other changes are not (${tlsLabel(major)})`, async () => {
		const polls = () => sim.stats.byRoute[LIST_USERS] ?? 0;
		const eventPolls = () => sim.stats.byRoute[LIST_EVENTS] ?? 0;
		const started = Date.now();
		const at = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
		const timeline: string[] = [];

		await n8n.start();
		timeline.push(`${at()} n8n healthy`);
		// The polls at activation record both workflows' baselines (a poll reads the users, then the events).
		await until('the baseline polls of both workflows at activation', () => polls() >= 2 && eventPolls() >= 2, 90_000);
		timeline.push(`${at()} baseline polls`);
		await sleep(2_000); // their answers processed and the baselines kept
		expect(collector.requests).toEqual([]);

		// Changes in the Veeam console.
		const veeamConsole = new VbrConsole(sim);
		await veeamConsole.setRoles('TECH\\sheila.d.cory', ['Backup Administrator']); // was Restore Operator: notify
		await veeamConsole.setRoles('VBR01\\viewer', ['Restore Operator']); // was Backup Viewer: a role change, not a promotion
		await veeamConsole.addUser('TECH\\new.hire', ['Backup Viewer']); // an addition: not an event this workflow listens to
		// The next test's change, made now so that the same polls check it: with four-eyes on, a user
		// the console adds waits for approval (a held change: not a user change of this workflow).
		(sim.product as unknown as VbrProduct).authorization.setFourEyes(true, 'VBR01\\security', 7);
		await veeamConsole.addUser('TECH\\held.hire', ['Restore Operator']);
		eventPollsBeforeRequest = eventPolls();
		const pollsBeforeChanges = polls();
		timeline.push(`${at()} console changes and the four-eyes request made (after poll ${pollsBeforeChanges})`);

		const [notification] = await collector.waitFor((r) => r.path === '/notify', { timeoutMs: POLL_DUE_MS + 10_000 });
		timeline.push(`${at()} notification received (poll ${polls()})`);
		expect(notification.method).toBe('POST');
		expect(notification.json).toEqual({
			text: 'TECH\\sheila.d.cory is now a Veeam Backup Administrator (roles before: Restore Operator)',
			user: 'TECH\\sheila.d.cory',
			rolesBefore: ['Restore Operator'],
			rolesNow: ['Backup Administrator'],
			detectedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
		});

		// The first poll that started after every change saw them all; wait for the one after it too.
		// (Two workflows poll the list: four list reads are two polls of each.)
		await until('the poll after the one that saw the changes', () => polls() >= pollsBeforeChanges + 4, 2 * POLL_DUE_MS);
		timeline.push(`${at()} following poll (poll ${polls()})`);
		await sleep(3_000); // anything that poll emitted has reached the collector by now
		process.stderr.write(`[e2e trigger ${version}] ${timeline.join('; ')}\n`);

		expect(collector.to('/notify')).toHaveLength(1);
		// Nothing else from this workflow (the approvers' message is the next test's).
		expect(collector.requests.filter((r) => r.path !== '/approvers')).toHaveLength(1);

		// What the trigger emitted, from n8n's executions (a poll that emits nothing makes none).
		const rest = new N8nRest(n8n);
		await rest.ready();
		await rest.setupOwner();
		const executions = await rest.executions(example.id);
		expect(executions.length).toBeGreaterThanOrEqual(1);
		const runs = await Promise.all(executions.map(async (e) => await rest.execution(e.id)));
		for (const run of runs) expect(run).toMatchObject({ mode: 'trigger', status: 'success' });

		const events = runs.flatMap((run) => outputOf(run.data, 'Veeam Trigger'));
		const described = events.map((e) => {
			const user = e.user as { name: string; roles: Array<{ name: string }> };
			const previous = e.previous as { roles: Array<{ name: string }> };
			return `${String(e.event)} ${user.name}: ${previous.roles.map((r) => r.name).join(',')} → ${user.roles.map((r) => r.name).join(',')}`;
		});
		// Each change once; no userAdded (not a chosen event); nothing from the following poll.
		expect(described.sort()).toEqual([
			'rolesChanged TECH\\sheila.d.cory: Restore Operator → Backup Administrator',
			'rolesChanged VBR01\\viewer: Backup Viewer → Restore Operator',
		]);
		const promoted = runs.flatMap((run) => outputOf(run.data, 'Became Backup Administrator?', 0));
		const notPromoted = runs.flatMap((run) => outputOf(run.data, 'Became Backup Administrator?', 1));
		expect(promoted.map((e) => (e.user as { name: string }).name)).toEqual(['TECH\\sheila.d.cory']);
		expect(notPromoted.map((e) => (e.user as { name: string }).name)).toEqual(['VBR01\\viewer']);
		// Usually one execution (both changes in one poll); two if a poll fell between the console changes.
		expect(runs.length).toBeLessThanOrEqual(2);

		// The trigger only read: the console's changes are all the server saw (the held one is not made).
		expect(sim.log.since().map((e) => `${e.action} ${e.target}`)).toEqual([
			'user.roles TECH\\sheila.d.cory',
			'user.roles VBR01\\viewer',
			'user.create TECH\\new.hire',
		]);
	}, HANG_MS);

	it(`examples/veeam-approval-pending-chat.json, active beside it: a four-eyes request is sent to the approvers once, with who asked, for what, and the expiry (${tlsLabel(major)})`, async () => {
		const eventPolls = () => sim.stats.byRoute[LIST_EVENTS] ?? 0;
		// The request was made by the first test, after both baselines, with its console changes.
		if (eventPollsBeforeRequest === undefined) throw new Error('the four-eyes request was not made (the first test stopped before it)');
		const before = eventPollsBeforeRequest;

		const [asked] = await collector.waitFor((r) => r.path === '/approvers', { timeoutMs: POLL_DUE_MS + 10_000 });
		const pending = (sim.product.snapshot().authorizationEvents as Array<Record<string, string>>).filter((e) => e.state === 'Pending');
		expect(pending).toHaveLength(1);
		expect(asked.json).toEqual({
			text: `Veeam four-eyes request waiting for approval: VBR01\\admin asked to add user (User TECH\\held.hire: added with the roles Restore Operator.). Approve or reject it in the Veeam console before ${pending[0].expirationTime}; the one who asked cannot approve it.`,
			requestId: pending[0].id,
			askedBy: 'VBR01\\admin',
			what: 'Add user',
			details: 'User TECH\\held.hire: added with the roles Restore Operator.',
			askedAt: pending[0].creationTime,
			expiresAt: pending[0].expirationTime,
		});
		// Held: not on the server; and the next poll asks nobody again.
		expect(sim.log.since().map((e) => `${e.action} ${e.target}`)).not.toContain('user.create TECH\\held.hire');
		// Two polls of each since the request (usually over by now: the first test waited for them).
		await until('two more polls of each trigger', () => eventPolls() >= before + 4, 3 * POLL_DUE_MS);
		await sleep(3_000);
		expect(collector.to('/approvers')).toHaveLength(1);
	}, HANG_MS);
});
