/**
 * Reads every page of a Veeam list. Each request asks for a large page; the server answers with
 * the page size it actually honours (Veeam clamps `limit`), and the loop follows the total the
 * server announces, so N users cost ceil(N / server page size) requests. An item seen twice (the
 * list changed while being paged) is kept once, with the later answer. `start` leaves out the
 * first matches (the caller's offset).
 *
 * The server's paging is not trusted: a list that stops advancing (a page of users already seen, a
 * total that promises more than the pages bring) or never ends fails clearly. A partial list is
 * never returned as if it were the whole one.
 */
import { NodeOperationError, type INode } from 'n8n-workflow';

import type { UserListOptions, VeeamUser } from '../model';

export interface Page<T> {
	items: T[];
	/** The total the server announces (undefined when its answer has none). */
	total?: number;
}

export const REQUESTED_PAGE_SIZE = 1000;
/** A list longer than this many pages is a server that never stops (5 million users at 500 a page). */
export const MAX_PAGES = 10_000;

export interface ReadAllOptions<T = unknown> {
	/** For the error a broken list raises. */
	node: INode;
	/** What is listed, for messages ("users", "roles"). */
	what: string;
	/** At most this many (the caller's Limit). */
	cap?: number;
	start?: number;
	/**
	 * Which items count towards `cap` (the ones matching the caller's filter, which the server may
	 * not have applied). Given: the loop reads until `cap` counted items or the list's end, asks for
	 * whole pages once a page brought an item that does not count, and returns every item read.
	 */
	counts?: (item: T) => boolean;
}

/** Every item, keyed by `keyOf`, in the server's order. */
export async function readAllPages<T>(
	fetchPage: (offset: number, limit: number) => Promise<Page<T>>,
	keyOf: (item: T) => string,
	{ node, what, cap = Infinity, start = 0, counts }: ReadAllOptions<T>,
): Promise<Map<string, T>> {
	const seen = new Map<string, T>();
	let offset = start;
	let pages = 0;
	let counted = 0;
	let unfiltered = false;
	const tally = (item: T | undefined) => (item === undefined || !counts ? 0 : counts(item) ? 1 : 0);
	const broken = (problem: string) =>
		new NodeOperationError(node, `The server's list of ${what} is broken: ${problem}`, {
			description: `Nothing was done with a partial list. ${seen.size} ${what} had been read in ${pages} page(s). If it persists, check the Veeam server (or what stands in front of it).`,
		});
	const have = () => (counts ? counted : seen.size);
	while (have() < cap) {
		if (pages >= MAX_PAGES) throw broken(`after ${MAX_PAGES} pages it still announced more`);
		const page = await fetchPage(offset, unfiltered ? REQUESTED_PAGE_SIZE : Math.min(REQUESTED_PAGE_SIZE, cap - have()));
		pages++;
		let fresh = 0;
		for (const item of page.items) {
			const key = keyOf(item);
			if (!seen.has(key)) fresh++;
			if (counts) {
				const hit = tally(item);
				if (hit === 0) unfiltered = true;
				counted += hit - tally(seen.get(key));
			}
			seen.set(key, item);
		}
		offset += page.items.length;
		const total = typeof page.total === 'number' && Number.isFinite(page.total) ? page.total : undefined;
		if (total !== undefined && offset >= total) break;
		if (page.items.length === 0) {
			if (total !== undefined) throw broken(`it announced ${total} but sent none from position ${offset} on`);
			break;
		}
		if (fresh === 0) throw broken(`the page from position ${offset - page.items.length} repeated ${what} it had already sent`);
	}
	if (!counts && Number.isFinite(cap) && seen.size > cap) {
		return new Map([...seen].slice(0, cap));
	}
	return seen;
}

/** How readUserPages checks the server's answers (see userFilter.ts). */
export interface UserListCheck {
	/** The caller's filter as a test; undefined when it filters nothing. */
	matches?: (user: VeeamUser) => boolean;
	/** The order asked for. */
	compare?: (a: VeeamUser, b: VeeamUser) => number;
	/** False when the server cannot order the list as asked (the default is true). */
	serverSorts?: boolean;
}

/**
 * Every matching user (or the first `limit`) after `options.offset`, keyed by ref regardless of case.
 *
 * The server's answers are checked against `check`, whatever it did with the query:
 * - no filter, the server orders: its own paging, the offset sent to it (as before);
 * - a filter, the server orders: read from the list's start, keep the matching users, leave out the
 *   first `offset` of them here and stop at `offset + limit` matches. The offset is never sent:
 *   over a list the server did not filter it would skip the wrong users.
 * - the server cannot order: the whole list, filtered and ordered here, then offset and limit.
 */
export async function readUserPages(
	node: INode,
	fetchPage: (offset: number, limit: number) => Promise<Page<VeeamUser>>,
	limit?: number,
	options: UserListOptions = {},
	check: UserListCheck = {},
): Promise<VeeamUser[]> {
	const keyOf = (u: VeeamUser) => u.ref.toLowerCase();
	const { matches, compare, serverSorts = true } = check;
	const start = options.offset ?? 0;
	if (!matches && serverSorts) {
		const users = await readAllPages(fetchPage, keyOf, { node, what: 'users', cap: limit, start });
		return [...users.values()];
	}
	const all = () => true;
	const read = await readAllPages(fetchPage, keyOf, {
		node,
		what: 'users',
		cap: serverSorts && limit !== undefined ? start + limit : Infinity,
		counts: matches ?? all,
	});
	let users = [...read.values()].filter(matches ?? all);
	if (!serverSorts && compare) users = users.sort(compare);
	return users.slice(start, limit === undefined ? undefined : start + limit);
}
