/**
 * Reading a paged list whole with several pages in flight (VSPC: users and logins, 500 a page):
 * the first page gives the total and the page size the server honours, then the other pages are
 * asked for at once, a few at a time. Paging by position over a list that changes, or a server
 * that lies, is not a snapshot, so every page is checked against the first:
 *
 * - each page announces the same total, and brings exactly the items its position promises
 *   (a full page, or the rest of the list on the last one): a page short of its count or a total
 *   that moved means the list changed (or the server is broken) while it was read;
 * - no item comes twice (by key): a repeat means the list shifted under the reading;
 * - a failed page fails the whole read (nothing is returned: the caller emits nothing).
 *
 * A listing that fails a check is read once more from the start; if the second one fails too it
 * is returned with `consistent: false` and every item read (a repeat kept once, with the answer of
 * the later position). The caller never takes an absent item for a removed one without asking the
 * server about it directly (listing.ts, vspcListing.ts): an inconsistent read costs look-ups, never
 * a false event. A list that promises more than MAX_PAGES pages, or a page size of 0 before the
 * total, is broken: an error, as in readAllPages.
 */
import { NodeOperationError, type INode } from 'n8n-workflow';

import { MAX_PAGES, readAllPages, type Page } from '../../client/adapters/paging';
import { runPool } from '../../client/pool';

/** The page size asked for (VSPC's maximum `limit`). */
export const PAGE_LIMIT = 500;
/** Pages in flight at once (per list). */
export const PAGE_CONCURRENCY = 8;
/** Readings of the whole list before an inconsistent one is accepted (and checked by look-ups). */
export const READ_ATTEMPTS = 2;

export interface PagedRead<T> {
	/** Every item read, by key, in list order. */
	items: Map<string, T>;
	/**
	 * Every page announced the first page's total and brought exactly what its position promised,
	 * and no item came twice. Not a proof that nothing was missed (an item added and another removed
	 * between two pages keep both checks), so the caller still looks up what seems to be gone.
	 */
	consistent: boolean;
	/** What the last inconsistent reading showed (for the log); undefined when consistent. */
	problem?: string;
	/** Requests sent over every attempt. */
	requests: number;
	attempts: number;
}

export interface ParallelOptions {
	node: INode;
	/** For messages ("users", "logins"). */
	what: string;
	limit?: number;
	concurrency?: number;
	attempts?: number;
}

interface Attempt<T> {
	items: Map<string, T>;
	problem?: string;
	requests: number;
	/** Reading again cannot help (the server announces no total). */
	final?: true;
}

/** One reading of the whole list: the first page, then the rest in parallel. */
async function readOnce<T>(
	fetchPage: (offset: number, limit: number) => Promise<Page<T>>,
	keyOf: (item: T) => string,
	{ node, what, limit, concurrency }: Required<Omit<ParallelOptions, 'attempts'>>,
): Promise<Attempt<T>> {
	const broken = (problem: string) =>
		new NodeOperationError(node, `The server's list of ${what} is broken: ${problem}`, {
			description: 'Nothing was done with a partial list. If it persists, check the Veeam server (or what stands in front of it).',
		});
	const first = await fetchPage(0, limit);
	const total = typeof first.total === 'number' && Number.isInteger(first.total) && first.total >= 0 ? first.total : undefined;
	if (total === undefined) {
		// No total to page by: one page after another, as the other products (readAllPages: a repeat
		// or no end is an error). Never called consistent: nothing can be checked against a total.
		let requests = 1;
		const items = await readAllPages(
			async (offset, size) => {
				if (offset === 0) return first;
				requests++;
				return await fetchPage(offset, Math.min(size, limit));
			},
			keyOf,
			{ node, what },
		);
		return { items, problem: 'the server announced no total', requests, final: true };
	}
	const size = first.items.length;
	if (size === 0 && total > 0) throw broken(`it announced ${total} but its first page was empty`);
	if (size > limit) throw broken(`a page brought ${size} for a limit of ${limit}`);
	if (size > 0 && Math.ceil(total / size) > MAX_PAGES) throw broken(`it announced ${total} at ${size} a page: more than ${MAX_PAGES} pages`);

	const problems: string[] = [];
	const expectCount = (offset: number) => Math.max(0, Math.min(size, total - offset));
	if (first.items.length !== expectCount(0)) problems.push(`the first page brought ${first.items.length} of ${total}`);
	const offsets: number[] = [];
	for (let offset = size; size > 0 && offset < total; offset += size) offsets.push(offset);
	const outcomes = await runPool(offsets.length, async (i) => await fetchPage(offsets[i], size), { concurrency, stopOnError: true });
	const pages: Array<Page<T>> = [first];
	for (const outcome of outcomes) {
		// stopOnError: a page not started follows a failed one, whose error is thrown here.
		if (!outcome) continue;
		if (!outcome.ok) throw outcome.error;
		pages.push(outcome.value);
	}
	const items = new Map<string, T>();
	for (const [i, page] of pages.entries()) {
		const offset = i === 0 ? 0 : offsets[i - 1];
		if (i > 0 && page.total !== total) problems.push(`the total moved from ${total} to ${String(page.total)} (page at ${offset})`);
		if (i > 0 && page.items.length !== expectCount(offset)) problems.push(`the page at ${offset} brought ${page.items.length}, not ${expectCount(offset)}`);
		for (const item of page.items) {
			const key = keyOf(item);
			if (items.has(key)) {
				problems.push(`an item came twice (page at ${offset})`);
				// The later position's answer wins; re-inserted so that list order follows it.
				items.delete(key);
			}
			items.set(key, item);
		}
	}
	if (problems.length === 0 && items.size !== total) problems.push(`${items.size} read of ${total}`);
	return { items, problem: problems.length > 0 ? problems.slice(0, 3).join('; ') : undefined, requests: 1 + offsets.length };
}

/**
 * Every item of the list, read with `concurrency` pages in flight; read again (up to `attempts`
 * readings) while a reading fails a check. See the top of this file.
 */
export async function readPagesInParallel<T>(
	fetchPage: (offset: number, limit: number) => Promise<Page<T>>,
	keyOf: (item: T) => string,
	options: ParallelOptions,
): Promise<PagedRead<T>> {
	const settings = { node: options.node, what: options.what, limit: options.limit ?? PAGE_LIMIT, concurrency: options.concurrency ?? PAGE_CONCURRENCY };
	const attempts = Math.max(1, options.attempts ?? READ_ATTEMPTS);
	let requests = 0;
	for (let attempt = 1; ; attempt++) {
		const read = await readOnce(fetchPage, keyOf, settings);
		requests += read.requests;
		if (read.problem === undefined) return { items: read.items, consistent: true, requests, attempts: attempt };
		if (attempt >= attempts || read.final) return { items: read.items, consistent: false, problem: read.problem, requests, attempts: attempt };
	}
}
