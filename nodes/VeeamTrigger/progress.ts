/**
 * A user listing read over several polls, within n8n's poll budget (`getPollBudgetMs()`, n8n 2.40+).
 *
 * n8n's durable poll scheduler abandons a poll that runs past its timeout (45 s by default; the
 * budget it gives is 36 s); the default scheduler gives five minutes and abandons none, which the
 * trigger keeps to all the same (docs/errors.md). A poll over a huge list therefore stops starting
 * pages before the deadline, keeps what it read in the node's static data (`listing`) and returns
 * nothing; the next poll goes on from there. Nothing is compared and nothing emitted until the
 * listing and its look-ups are complete (poll.ts), so a poll never emits half a diff.
 *
 * The margin: another page is started only while the budget left is at least twice the slowest
 * page seen in this poll, plus a tenth of the budget for what follows the listing (the comparison,
 * look-ups, the snapshot). The first page of a poll is always read, so every poll makes progress.
 *
 * Paging by position over several polls reads pages of different moments: users removed before
 * the position make the next page skip users, users added before it repeat users, and a user read
 * early may have changed or gone by the end. So a listing read over more than one poll is checked
 * when it completes: every user with an apparent change (added, removed, changed) is looked up
 * directly and taken as it is now (`lookUpWithinBudget`, listing.ts `refreshUsers`). Those look-ups
 * keep to the same budget: the refs not looked up yet are kept with the listing (`check`) and the
 * next poll goes on with them. A user added where the listing had already been is seen by the next
 * listing. Progress is written only by a poll that stops for the budget; a poll that fails leaves it
 * as it was.
 *
 * Where progress is lost depends on n8n's scheduler. The default one keeps static data in memory
 * between polls and saves it after a poll that emits: a restart brings back an older `listing` or
 * none, and the listing starts again from there or from the beginning (nothing lost, only time).
 * The durable scheduler builds each poll from the stored workflow and stores a quiet poll's writes
 * only with durable cursors (N8N_POLLER_DURABLE_CURSORS_ENABLED). Without them every quiet poll's
 * writes are lost: a listing longer than one budget restarts on every poll and never completes, and
 * a silent baseline is never kept, so the trigger never emits. Not harmless, and not supported
 * (docs/errors.md says what to set); nothing here can keep state across polls without n8n storing
 * it (no module-level state).
 *
 * n8n 1.x has no budget: the whole list is read in one poll, as before (listing.ts).
 */
import { NodeOperationError, type IDataObject, type INode, type IPollFunctions } from 'n8n-workflow';

import { MAX_PAGES, readAllPages } from '../../client/adapters/paging';
import type { UserDirectory, VeeamUser } from '../../client/model';
import { refreshUsers, UserInterner, VERIFY_CONCURRENCY } from './listing';
import { decodeState, encodeState, type StoredState } from './state';

/** The static-data key of a listing in progress. */
export const PROGRESS_KEY = 'listing';
const PROGRESS_VERSION = 1;
/** The share of the budget kept for what follows the listing. */
const MARGIN_SHARE = 0.1;

/** How much of its budget a poll has spent, and whether another page fits. */
export class PollBudget {
	private readonly started: number;
	private slowestPageMs = 0;

	constructor(
		readonly budgetMs: number,
		private readonly clock: () => number = () => performance.now(),
	) {
		this.started = clock();
	}

	now(): number {
		return this.clock();
	}

	pageTook(ms: number): void {
		this.slowestPageMs = Math.max(this.slowestPageMs, ms);
	}

	/** The budget left is at least twice the slowest page so far plus the margin. */
	roomForPage(): boolean {
		const left = this.budgetMs - (this.clock() - this.started);
		return left >= 2 * this.slowestPageMs + MARGIN_SHARE * this.budgetMs;
	}
}

/** The poll's budget where n8n gives one (2.40+); undefined on n8n 1.x or for a value that is no budget. */
export function pollBudget(ctx: IPollFunctions): PollBudget | undefined {
	const get = (ctx as Partial<Pick<IPollFunctions, 'getPollBudgetMs'>>).getPollBudgetMs;
	if (typeof get !== 'function') return undefined;
	const ms = Number(get.call(ctx));
	return Number.isFinite(ms) && ms > 0 ? new PollBudget(ms) : undefined;
}

/** A listing in progress, as static data holds it. */
interface StoredProgress extends IDataObject {
	v: number;
	cfg: string;
	/** Where the next page starts (the users the server has sent so far). */
	offset: number;
	/** Pages read so far, over every poll (the broken-list limit counts them all). */
	pages: number;
	/** Polls this listing has taken so far. */
	polls: number;
	startedAt: string;
	/** The users read so far, descriptions whole (in the look-ups: as read, or as looked up). */
	users: StoredState;
	/** The listing is complete; these users are still to be looked up (see `lookUpWithinBudget`). */
	check?: string[];
}

/** Where a listing stands: what the stored progress says, or will say. */
interface ListingState {
	offset: number;
	pages: number;
	polls: number;
	startedAt: string;
}

interface Progress extends ListingState {
	users: Map<string, VeeamUser>;
	check?: string[];
}

/** The listing in progress for this config; undefined when there is none (or it is not one we can read). */
function openProgress(data: unknown, cfg: string): Progress | undefined {
	if (!data || typeof data !== 'object') return undefined;
	const p = data as Partial<StoredProgress>;
	if (p.v !== PROGRESS_VERSION || p.cfg !== cfg) return undefined;
	const counts = [p.offset, p.pages, p.polls];
	if (!counts.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0) || typeof p.startedAt !== 'string') return undefined;
	if (!p.users || typeof p.users !== 'object') return undefined;
	if (p.check !== undefined && !(Array.isArray(p.check) && p.check.every((ref) => typeof ref === 'string'))) return undefined;
	const decoded = decodeState(p.users, cfg);
	if (!decoded.ok) return undefined;
	const listing = { offset: p.offset as number, pages: p.pages as number, polls: p.polls as number, startedAt: p.startedAt };
	return { ...listing, users: decoded.users, ...(p.check ? { check: p.check } : {}) };
}

export type BudgetedListing =
	/**
	 * `spanned`: the listing took more than this poll (its users must be checked: see above).
	 * `check`: the listing was complete before this poll, these users are still to be looked up.
	 * `pagesNow`: pages read in this poll. `state`: where the listing stands, for `lookUpProgress`.
	 */
	| { complete: true; users: Map<string, VeeamUser>; spanned: boolean; polls: number; pagesNow: number; check?: string[]; state: ListingState }
	/** Stopped for the budget: the progress to keep (the caller writes it under PROGRESS_KEY). */
	| { complete: false; progress: StoredProgress };

/**
 * Reads pages of the user list from where the stored progress stopped until the list ends or the
 * budget is spent. The server's paging is checked as for a whole listing (readAllPages: a page
 * empty before the total, a page of users already sent, no end), and over all polls the page limit.
 */
export async function readWithinBudget(
	directory: UserDirectory,
	staticData: IDataObject,
	cfg: string,
	budget: PollBudget,
	node: INode,
): Promise<BudgetedListing> {
	const saved = openProgress(staticData[PROGRESS_KEY], cfg);
	if (saved?.check) {
		const state = { offset: saved.offset, pages: saved.pages, polls: saved.polls + 1, startedAt: saved.startedAt };
		return { complete: true, users: saved.users, spanned: true, polls: state.polls, pagesNow: 0, check: saved.check, state };
	}
	const users = saved?.users ?? new Map<string, VeeamUser>();
	const interner = new UserInterner();
	let offset = saved?.offset ?? 0;
	let pages = saved?.pages ?? 0;
	let pagesNow = 0;
	let spent = false;
	const fetchPage = async (skip: number, limit: number) => {
		// The budget is spent: an empty page that ends the list here ends the reading (readAllPages
		// stops at the announced total); what was read stays in `users`.
		if (pagesNow > 0 && !budget.roomForPage()) {
			spent = true;
			return { items: [], total: skip };
		}
		if (pages >= MAX_PAGES) {
			throw new NodeOperationError(node, `The server's list of users is broken: after ${MAX_PAGES} pages it still announced more`, {
				description: 'Nothing was done with a partial list. If it persists, check the Veeam server (or what stands in front of it).',
			});
		}
		const started = budget.now();
		const page = await directory.listUsersPage({}, skip, limit);
		for (const user of page.users) users.set(user.ref, interner.intern(user));
		budget.pageTook(budget.now() - started);
		pagesNow++;
		pages++;
		offset = skip + page.users.length;
		return { items: page.users, total: page.total };
	};
	await readAllPages(fetchPage, (u) => u.ref.toLowerCase(), { node, what: 'users', start: offset, cap: Infinity });
	const state = { offset, pages, polls: (saved?.polls ?? 0) + 1, startedAt: saved?.startedAt ?? new Date().toISOString() };
	if (spent) return { complete: false, progress: storedProgress(cfg, state, users) };
	return { complete: true, users, spanned: saved !== undefined, polls: state.polls, pagesNow, state };
}

function storedProgress(cfg: string, state: ListingState, users: Map<string, VeeamUser>, check?: string[]): StoredProgress {
	return {
		v: PROGRESS_VERSION,
		cfg,
		...state,
		users: encodeState(users.values(), cfg, { keepDescriptions: true }),
		...(check ? { check } : {}),
	};
}

/**
 * The look-ups after a complete listing (its apparently removed users; for a listing read over
 * several polls every user with an apparent change), within the same budget: a round of look-ups
 * (as many as run at once) starts only while the budget holds another page (`roomForPage`, the
 * rounds timed as pages). Where nothing else was read in this poll the first round always starts,
 * so every poll makes progress. `current` is brought up to date with each answer (listing.ts,
 * `refreshUsers`); returns the refs not looked up yet, which the caller keeps (`lookUpProgress`)
 * and emits nothing until none are left.
 */
export async function lookUpWithinBudget(
	directory: UserDirectory,
	refs: readonly string[],
	current: Map<string, VeeamUser>,
	budget: PollBudget,
	{ alwaysOneRound }: { alwaysOneRound: boolean },
): Promise<string[]> {
	let done = 0;
	while (done < refs.length && ((done === 0 && alwaysOneRound) || budget.roomForPage())) {
		const round = refs.slice(done, done + VERIFY_CONCURRENCY);
		const started = budget.now();
		await refreshUsers(directory, round, current);
		budget.pageTook(budget.now() - started);
		done += round.length;
	}
	return refs.slice(done);
}

/** The progress of a complete listing whose look-ups did not all fit: its users as they stand, the refs left. */
export function lookUpProgress(cfg: string, state: ListingState, users: Map<string, VeeamUser>, left: string[]): StoredProgress {
	return storedProgress(cfg, state, users, left);
}
