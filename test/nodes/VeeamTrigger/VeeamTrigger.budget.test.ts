/**
 * The Veeam Trigger within n8n 2.40+'s poll budget (`getPollBudgetMs()`), through n8n's engine
 * against the VBR simulator (5,000 seeded users, pages of 500, a fixed latency per request). The
 * budget function is faked on the poll context, on both majors (n8n 1.x has none: the node
 * feature-detects it, and without one reads the whole list in one poll, as before). Assertions
 * never depend on how fast the machine is: a slow machine reads fewer pages per poll (at least
 * one), so only the number of polls varies.
 */
import type { IDataObject, INodeParameters, IPollFunctions } from 'n8n-workflow';
import * as workflow from 'n8n-workflow';

import { PROGRESS_KEY } from '../../../nodes/VeeamTrigger/progress';
import { pollUsers } from '../../../nodes/VeeamTrigger/poll';
import { VeeamTrigger } from '../../../nodes/VeeamTrigger/VeeamTrigger.node';
import { startSimulator, type SimServer } from '../../../sim';
import { PollActivation, shutdownEngine, type PollResult, type SaveStaticData } from '../../support/engine';
import { ALL_EVENTS, NODE_NAME, NODE_TYPE, STATIC_KEY, VbrAdmin, comparable, credentialsFor, serverUsers, snapshotUsers, summary } from './harness';

const ROLE = { viewer: '0d3f6c2e-8a41-4c7b-b2e5-91f4a7d6c305', restore: 'b167c3af-2262-4b6c-9861-0606fc0cb6b1' };
const SEEDED = 5000;
/** 5,000 seeded users and the 6 of the default state, by pages of 500 (the VBR simulator's largest). */
const PAGES = Math.ceil((SEEDED + 6) / 500);
/** With 60 ms per request, one poll cannot read the 11 pages within 500 ms: the listing takes several polls. */
const LATENCY_MS = 60;
const BUDGET_MS = 500;

let sim: SimServer;

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbr' });
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});
beforeEach(() => {
	sim.reset();
	sim.faults.clear();
	sim.seed({ count: SEEDED });
	sim.latencyMs = LATENCY_MS;
});

/**
 * An administrator at the console, logged in now: a new connection each time (the simulator closes
 * a kept-alive connection idle for 5 s, and reusing one it is closing resets it).
 */
async function atConsole(): Promise<VbrAdmin> {
	const admin = new VbrAdmin(sim);
	await admin.login();
	return admin;
}

/** The budget the fake n8n gives each poll: a number, or none at all (n8n 1.x). */
interface Budget {
	ms?: number;
}

/** The Veeam Trigger whose poll context says `budget` (the function removed when there is none). */
function triggerWith(budget: Budget): VeeamTrigger {
	const node = new VeeamTrigger();
	node.poll = async function (this: IPollFunctions) {
		Object.assign(this, { getPollBudgetMs: budget.ms === undefined ? undefined : () => budget.ms });
		return await pollUsers.call(this);
	};
	return node;
}

function activation(budget: Budget, opts: { options?: IDataObject; saveStaticData?: SaveStaticData } = {}): PollActivation {
	const credentials = credentialsFor(sim, 'vbr');
	return new PollActivation({
		node: { name: NODE_NAME, type: NODE_TYPE, parameters: { product: 'vbr', events: ALL_EVENTS, options: (opts.options ?? {}) as INodeParameters }, credentials: credentials.ref('vbr') },
		nodeType: triggerWith(budget),
		credentials,
		saveStaticData: opts.saveStaticData,
	});
}

const nodeData = (result: PollResult) => (result.workflowStaticData[STATIC_KEY] ?? {}) as IDataObject;
const progressOf = (result: PollResult) => nodeData(result)[PROGRESS_KEY] as IDataObject | undefined;
const refOf = (name: string) => [...serverUsers(sim).values()].find((u) => u.name === name)?.ref ?? '';

/**
 * Polls until a poll completes the listing (no progress left), at most one poll per page. Every poll
 * before it must have emitted nothing, saved nothing and left the stored snapshot as it was.
 * `between` runs after each incomplete poll (console changes while the listing goes on).
 */
async function pollUntilComplete(
	act: PollActivation,
	between?: (poll: number) => Promise<void>,
	savesEveryPoll = false,
	maxPolls = PAGES + 1,
): Promise<{ polls: PollResult[]; last: PollResult }> {
	const polls: PollResult[] = [];
	const snapshotBefore = JSON.stringify({ ...nodeData({ workflowStaticData: act.workflow.staticData } as PollResult), [PROGRESS_KEY]: undefined });
	for (let i = 0; i < maxPolls; i++) {
		const result = await act.poll();
		expect(result.error).toBeUndefined();
		polls.push(result);
		if (progressOf(result) === undefined) return { polls, last: result };
		// Never half: nothing emitted, nothing saved, the snapshot untouched.
		expect(result.response).toBeNull();
		expect(result.saved).toBe(savesEveryPoll);
		expect(JSON.stringify({ ...nodeData(result), [PROGRESS_KEY]: undefined })).toBe(snapshotBefore);
		await between?.(i);
	}
	throw new Error(`the listing did not complete within ${maxPolls} polls`);
}

function expectSnapshotOfServer(result: PollResult): void {
	const snapshot = snapshotUsers(sim, 'vbr', result.workflowStaticData);
	const server = serverUsers(sim);
	expect(snapshot?.size).toBe(server.size);
	for (const [ref, user] of server) expect(comparable(snapshot?.get(ref))).toEqual(comparable(user));
}

const SEED = (n: number) => `SEED\\seed.user${String(n).padStart(6, '0')}`;

describe('a listing longer than the poll budget', () => {
	it('goes on over several polls, emits nothing until it is complete, then exactly the changes, even when the list shifts between polls', async () => {
		const act = activation({ ms: BUDGET_MS });
		const baseline = await pollUntilComplete(act);
		expect(baseline.polls.length).toBeGreaterThan(1);
		expect(baseline.last.response).toBeNull();
		expectSnapshotOfServer(baseline.last);

		// Changes the next listing must report.
		const admin = await atConsole();
		await admin.addUser('TECH\\new.hire', [ROLE.viewer]);
		await admin.removeUser(refOf(SEED(2500)));
		await admin.setRoles(refOf(SEED(4000)), [ROLE.restore]);
		// A user that comes and goes while the listing is under way: read on the first page, gone by the end.
		const transient = await admin.addUser('AAA\\transient', [ROLE.viewer]);

		const cycle = await pollUntilComplete(act, async (poll) => {
			if (poll !== 0) return;
			// Two removals before the position reached: the next pages start two users later, so two
			// users already in the snapshot are never read in this listing (no phantom removal allowed).
			// SEED(1) had been read before it went: this listing reports nothing about it, the next one does.
			const now = await atConsole();
			await now.removeUser(transient);
			await now.removeUser(refOf(SEED(1)));
		});
		expect(cycle.polls.length).toBeGreaterThan(1);
		expect(summary(cycle.last).sort()).toEqual(
			[
				['rolesChanged', SEED(4000)],
				['userAdded', 'TECH\\new.hire'],
				['userRemoved', SEED(2500)],
			].sort(),
		);
		expect(cycle.last.saved).toBe(true);
		expect(progressOf(cycle.last)).toBeUndefined();
		// The snapshot is the listing as read: the server now, and SEED(1) as it was when read.
		expect(snapshotUsers(sim, 'vbr', cycle.last.workflowStaticData)?.size).toBe(serverUsers(sim).size + 1);

		// The next listing reports the removal it had read past, and nothing else.
		const next = await pollUntilComplete(act);
		expect(summary(next.last)).toEqual([['userRemoved', SEED(1)]]);
		expectSnapshotOfServer(next.last);
		const quiet = await pollUntilComplete(act);
		expect(quiet.last.response).toBeNull();
	});

	it('a poll always reads one page, so even a budget smaller than a page completes: one poll per page', async () => {
		const act = activation({ ms: 1 });
		const baseline = await pollUntilComplete(act);
		expect(baseline.polls).toHaveLength(PAGES);
		expect(baseline.polls.slice(0, -1).map((r) => progressOf(r)?.offset)).toEqual(Array.from({ length: PAGES - 1 }, (_, i) => (i + 1) * 500));
		expectSnapshotOfServer(baseline.last);
	});

	it('a restart that loses the progress (n8n saves static data only after a poll that emits) starts the listing again: nothing lost, nothing twice', async () => {
		const act = activation({ ms: BUDGET_MS }, { options: { firstPoll: 'baselineItem' } });
		const baseline = await pollUntilComplete(act);
		expect(summary(baseline.last)).toEqual([['baseline', 'undefined']]);
		expect(baseline.last.saved).toBe(true);

		await (await atConsole()).addUser('TECH\\new.hire', [ROLE.viewer]);
		await (await atConsole()).removeUser(refOf(SEED(10)));
		const first = await act.poll();
		expect(progressOf(first)?.polls).toBe(1);
		expect(first.saved).toBe(false);

		act.restart();
		expect((act.workflow.staticData[STATIC_KEY] as IDataObject)[PROGRESS_KEY]).toBeUndefined();
		const after = await pollUntilComplete(act);
		// Started again from the first page: its first poll is the listing's first.
		expect(progressOf(after.polls[0])?.polls ?? 1).toBe(1);
		expect(summary(after.last).sort()).toEqual([
			['userAdded', 'TECH\\new.hire'],
			['userRemoved', SEED(10)],
		]);
		expectSnapshotOfServer(after.last);
	});

	it('progress that survives a restart (n8n\'s durable scheduler commits it) is resumed, and the result is the same', async () => {
		const act = activation({ ms: BUDGET_MS }, { saveStaticData: 'always' });
		await pollUntilComplete(act, undefined, true);
		await (await atConsole()).addUser('TECH\\new.hire', [ROLE.viewer]);
		const first = await act.poll();
		const offset = Number(progressOf(first)?.offset);
		expect(offset).toBeGreaterThan(0);
		// Meanwhile a user the listing had already read is removed: the next listing reports it.
		await (await atConsole()).removeUser(refOf(SEED(3)));

		act.restart();
		const resumed = await pollUntilComplete(act, undefined, true);
		expect(progressOf(resumed.polls[0])?.polls ?? 2).toBe(2);
		expect(summary(resumed.last)).toEqual([['userAdded', 'TECH\\new.hire']]);
		const next = await pollUntilComplete(act, undefined, true);
		expect(summary(next.last)).toEqual([['userRemoved', SEED(3)]]);
		expectSnapshotOfServer(next.last);
	});

	it('a poll that fails mid-listing emits nothing and keeps the progress it started with; the next poll goes on', async () => {
		const act = activation({ ms: BUDGET_MS });
		await pollUntilComplete(act);
		await (await atConsole()).addUser('TECH\\new.hire', [ROLE.viewer]);
		const first = await act.poll();
		const before = progressOf(first);
		expect(before).toBeDefined();

		// Every try of the next page refused with 429 (Retry-After 0, so the test does not wait).
		sim.addFault({ kind: 'status', status: 429, retryAfterSeconds: 0, count: 5, method: 'GET', pathIncludes: '/security/users' });
		const failed = await act.poll();
		expect(failed.error).toBeDefined();
		expect(failed.response).toBeNull();
		expect(progressOf(failed)).toEqual(before);
		// n8n 2.40+ is told to back off (n8n 1.x has no such field).
		const failure = (failed.error as { failure?: unknown }).failure;
		if ('TIMED_CAUSES' in workflow) expect(failure).toEqual({ cause: 'rate-limited' });
		else expect(failure).toBeUndefined();

		const rest = await pollUntilComplete(act);
		expect(summary(rest.last)).toEqual([['userAdded', 'TECH\\new.hire']]);
	});
});

describe('the look-ups after a listing of several polls', () => {
	it('keep within the budget as the pages do: they stop, keep the users left to look up, go on next poll, and emit nothing until all are done; then exactly the changes, as they are now', async () => {
		// One page, or one round of look-ups (eight at once), per poll.
		const act = activation({ ms: 1 });
		await pollUntilComplete(act);

		const admin = await atConsole();
		const changed = Array.from({ length: 20 }, (_, i) => SEED(100 + i));
		for (const name of changed) await admin.setRoles(refOf(name), [ROLE.restore]);
		await admin.addUser('TECH\\new.hire', [ROLE.viewer]);
		await admin.removeUser(refOf(SEED(3000)));

		const lookUpsPerPoll: number[] = [];
		const checks: number[] = [];
		let removedMeanwhile = false;
		const lookUps = () => sim.stats.byRoute['GET /api/v1/security/users/:id'] ?? 0;
		sim.stats.reset();
		const cycle = await pollUntilComplete(
			act,
			async () => {
				lookUpsPerPoll.push(lookUps());
				sim.stats.reset();
				const check = progressOf({ workflowStaticData: act.workflow.staticData } as PollResult)?.check;
				if (!Array.isArray(check)) return;
				checks.push(check.length);
				if (removedMeanwhile) return;
				// Gone before its look-up: reported as removed, not as the role change the listing saw.
				removedMeanwhile = true;
				await (await atConsole()).removeUser(refOf(SEED(119)));
				sim.stats.reset();
			},
			false,
			PAGES + 4,
		);
		lookUpsPerPoll.push(lookUps());
		// The poll that read the last page had no budget left for look-ups; then one round per poll.
		expect(checks).toEqual([22, 14, 6]);
		expect(cycle.polls).toHaveLength(PAGES + 3);
		expect(lookUpsPerPoll.every((n) => n <= 8)).toBe(true);
		expect(lookUpsPerPoll.reduce((a, b) => a + b, 0)).toBe(22);
		expect(summary(cycle.last).sort()).toEqual(
			[
				...changed.slice(0, -1).map((name) => ['rolesChanged', name]),
				['userAdded', 'TECH\\new.hire'],
				['userRemoved', SEED(119)],
				['userRemoved', SEED(3000)],
			].sort(),
		);
		expect(cycle.last.saved).toBe(true);
		expect(progressOf(cycle.last)).toBeUndefined();
		expectSnapshotOfServer(cycle.last);
	});
});

describe('without a budget (n8n 1.x: no getPollBudgetMs)', () => {
	it('one poll reads the whole list and reports the changes, as before: no progress is ever kept', async () => {
		const act = activation({});
		const baseline = await act.poll();
		expect(baseline.error).toBeUndefined();
		expect(progressOf(baseline)).toBeUndefined();
		expectSnapshotOfServer(baseline);

		await (await atConsole()).addUser('TECH\\new.hire', [ROLE.viewer]);
		await (await atConsole()).removeUser(refOf(SEED(4999)));
		const next = await act.poll();
		expect(progressOf(next)).toBeUndefined();
		expect(summary(next).sort()).toEqual([
			['userAdded', 'TECH\\new.hire'],
			['userRemoved', SEED(4999)],
		]);
	});
});
