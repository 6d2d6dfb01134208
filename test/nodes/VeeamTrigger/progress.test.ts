/**
 * The poll budget in work, with a fake clock and a fake user list (no server, no wall clock): how
 * many pages one poll reads, what it keeps, and that a budget n8n does not give changes nothing.
 */
import type { IDataObject, INode, IPollFunctions } from 'n8n-workflow';

import type { UserDirectory, VeeamUser } from '../../../client/model';
import { PROGRESS_KEY, PollBudget, lookUpProgress, lookUpWithinBudget, pollBudget, readWithinBudget } from '../../../nodes/VeeamTrigger/progress';

const node = { name: 'Veeam Trigger', type: 'n8n-nodes-veeam.veeamTrigger', typeVersion: 1, position: [0, 0], parameters: {} } as INode;

function user(i: number): VeeamUser {
	const name = `TECH\\user${String(i).padStart(4, '0')}`;
	return { ref: name, name, type: 'InternalUser', roles: [{ id: 'r1', name: 'Backup Viewer' }], description: i === 3 ? 'x'.repeat(200) : undefined, isDirectoryAccount: true, isGroup: false };
}

/** A list of `count` users served `pageSize` at a time; each page "takes" `pageMs` on `clock`. */
function fakeList(count: number, pageSize: number, pageMs: number, clock: { now: number }) {
	const users = Array.from({ length: count }, (_, i) => user(i));
	const requests: number[] = [];
	const directory = {
		listUsersPage: async (_filter: object, skip: number) => {
			requests.push(skip);
			clock.now += pageMs;
			return { users: users.slice(skip, skip + pageSize).map((u) => ({ ...u })), total: users.length };
		},
	} as unknown as UserDirectory;
	return { directory, requests, users };
}

describe('PollBudget', () => {
	it('another page while twice the slowest page plus a tenth of the budget is left', () => {
		const clock = { now: 0 };
		const budget = new PollBudget(1000, () => clock.now);
		budget.pageTook(300);
		clock.now = 300;
		expect(budget.roomForPage()).toBe(true); // 700 left ≥ 600 + 100
		clock.now = 301;
		expect(budget.roomForPage()).toBe(false);
	});

	it('is taken from n8n where it gives one, and is no budget where it does not (n8n 1.x) or gives nonsense', () => {
		const ctx = (getPollBudgetMs?: () => number) => ({ getPollBudgetMs }) as unknown as IPollFunctions;
		expect(pollBudget(ctx(() => 60_000))?.budgetMs).toBe(60_000);
		expect(pollBudget(ctx())).toBeUndefined();
		expect(pollBudget(ctx(() => 0))).toBeUndefined();
		expect(pollBudget(ctx(() => Number.NaN))).toBeUndefined();
	});
});

describe('readWithinBudget', () => {
	it('reads as many pages as the budget holds (pages of 100 in a budget of 1,000: eight), keeps them, and goes on in the next poll', async () => {
		const clock = { now: 0 };
		const list = fakeList(25, 2, 100, clock);
		const staticData: IDataObject = {};
		const first = await readWithinBudget(list.directory, staticData, 'cfg', new PollBudget(1000, () => clock.now), node);
		expect(first.complete).toBe(false);
		expect(list.requests).toEqual([0, 2, 4, 6, 8, 10, 12, 14]);
		if (first.complete) return;
		expect(first.progress).toMatchObject({ offset: 16, pages: 8, polls: 1 });
		staticData[PROGRESS_KEY] = first.progress;

		clock.now = 0;
		const second = await readWithinBudget(list.directory, staticData, 'cfg', new PollBudget(1000, () => clock.now), node);
		expect(second.complete).toBe(true);
		expect(list.requests.slice(8)).toEqual([16, 18, 20, 22, 24]);
		if (!second.complete) return;
		expect(second.spanned).toBe(true);
		expect([...second.users.keys()]).toEqual(list.users.map((u) => u.ref));
		// Kept whole across polls: a long description is not reduced to a digest.
		expect(second.users.get(user(3).ref)?.description).toBe('x'.repeat(200));
	});

	it('a listing that fits is complete in one poll and not "spanned"', async () => {
		const clock = { now: 0 };
		const list = fakeList(5, 2, 100, clock);
		const result = await readWithinBudget(list.directory, {}, 'cfg', new PollBudget(1000, () => clock.now), node);
		expect(result).toMatchObject({ complete: true, spanned: false });
		expect(list.requests).toEqual([0, 2, 4]);
	});

	it.each([
		['another config (server, product or API version)', (p: IDataObject) => ({ ...p, cfg: 'other' })],
		['another format', (p: IDataObject) => ({ ...p, v: 99 })],
		['a damaged user record', (p: IDataObject) => ({ ...p, users: { ...(p.users as IDataObject), users: '\u0000' } })],
		['a negative position', (p: IDataObject) => ({ ...p, offset: -1 })],
	])('progress for %s is not used: the listing starts again', async (_what, damage) => {
		const clock = { now: 0 };
		const list = fakeList(25, 2, 100, clock);
		const first = await readWithinBudget(list.directory, {}, 'cfg', new PollBudget(1000, () => clock.now), node);
		if (first.complete) throw new Error('expected a partial listing');
		list.requests.length = 0;
		clock.now = 0;
		const again = await readWithinBudget(list.directory, { [PROGRESS_KEY]: damage(first.progress) }, 'cfg', new PollBudget(1000, () => clock.now), node);
		expect(list.requests[0]).toBe(0);
		expect(again.complete).toBe(false);
	});
});

describe('lookUpWithinBudget (the look-ups after a complete listing)', () => {
	/** Users looked up one by one, each "taking" `ms` on `clock`; `gone` are answered as not there. */
	function fakeLookUps(ms: number, clock: { now: number }, gone: ReadonlySet<string> = new Set()) {
		const asked: string[] = [];
		const directory = {
			getUser: async (ref: string) => {
				asked.push(ref);
				clock.now += ms;
				return gone.has(ref) ? undefined : { ...user(Number(ref.slice(-4))), description: 'now' };
			},
		} as unknown as UserDirectory;
		return { directory, asked };
	}
	const refs = Array.from({ length: 30 }, (_, i) => user(i).ref);

	it('starts a round of eight only while the budget holds one (twice the slowest round plus a tenth), and hands back the refs left', async () => {
		const clock = { now: 0 };
		const lookUps = fakeLookUps(25, clock, new Set([user(2).ref]));
		const current = new Map(refs.map((ref, i) => [ref, user(i)]));
		// Rounds of 8 × 25 = 200: after three (600 spent) 400 are left, less than 2 × 200 + 100.
		const left = await lookUpWithinBudget(lookUps.directory, refs, current, new PollBudget(1000, () => clock.now), { alwaysOneRound: true });
		expect(lookUps.asked).toEqual(refs.slice(0, 24));
		expect(left).toEqual(refs.slice(24));
		// Brought up to date with the answers: a user gone is dropped, a user found is as it is now.
		expect(current.has(user(2).ref)).toBe(false);
		expect(current.get(user(5).ref)?.description).toBe('now');
		expect(current.get(user(25).ref)?.description).toBeUndefined();

		// Kept with the listing as it stands, and taken up by the next poll (nothing listed again).
		const progress = lookUpProgress('cfg', { offset: 30, pages: 15, polls: 3, startedAt: 'then' }, current, left);
		const list = fakeList(30, 2, 100, clock);
		const resumed = await readWithinBudget(list.directory, { [PROGRESS_KEY]: JSON.parse(JSON.stringify(progress)) as IDataObject }, 'cfg', new PollBudget(1000, () => clock.now), node);
		expect(list.requests).toEqual([]);
		expect(resumed).toMatchObject({ complete: true, spanned: true, pagesNow: 0, check: refs.slice(24), polls: 4 });
		if (!resumed.complete) return;
		expect(resumed.users.size).toBe(29);
		expect(resumed.users.get(user(5).ref)?.description).toBe('now');
	});

	it('a poll that already spent its budget on pages starts none; one that read nothing else always starts one', async () => {
		const clock = { now: 0 };
		const lookUps = fakeLookUps(25, clock);
		const budget = new PollBudget(1000, () => clock.now);
		clock.now = 950;
		const current = new Map(refs.map((ref, i) => [ref, user(i)]));
		expect(await lookUpWithinBudget(lookUps.directory, refs, current, budget, { alwaysOneRound: false })).toEqual(refs);
		expect(lookUps.asked).toEqual([]);
		expect(await lookUpWithinBudget(lookUps.directory, refs, current, budget, { alwaysOneRound: true })).toEqual(refs.slice(8));
		expect(lookUps.asked).toEqual(refs.slice(0, 8));
		expect(await lookUpWithinBudget(lookUps.directory, [], current, budget, { alwaysOneRound: true })).toEqual([]);
	});
});
