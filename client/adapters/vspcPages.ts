/**
 * A whole VSPC list read with its pages in parallel once the first page has told the total (the
 * lead's request for onboarding at 50,000 users: ~100 pages one after another cost seconds at 20 ms
 * each). Nothing of the envelope is trusted more than when reading page after page: every page
 * must announce the first page's total and bring exactly the items its offset leaves, and no item
 * may come twice; otherwise the list moved while it was read (ListMovedError: read again from the
 * start by VspcClient.readWhole, then a clear failure). The result is in the server's order,
 * whatever order the answers arrive in.
 */
import { NodeOperationError, type INode } from 'n8n-workflow';

import { MAX_PAGES, readAllPages, type Page } from './paging';
import { VSPC_PAGE_SIZE } from './vspcRead';

/** Pages in flight at once (the trigger reads 8 per list too: nodes/VeeamTrigger/pages.ts). */
export const PAGES_IN_FLIGHT = 8;

/** The pages did not add up: the list changed while it was read (or the server pages badly). */
export class ListMovedError extends Error {
	constructor(readonly problem: string) {
		super(`the list moved while it was read: ${problem}`);
		this.name = 'ListMovedError';
	}
}

export async function readPagesInParallel<T>(
	node: INode,
	what: string,
	fetch: (offset: number, limit: number) => Promise<Page<T>>,
	keyOf: (item: T) => string,
	first?: Page<T>,
): Promise<T[]> {
	const head = first ?? (await fetch(0, VSPC_PAGE_SIZE));
	const total = head.total;
	if (total === undefined) {
		// No total to plan with: page after page, as paging.ts reads any list.
		const rest = await readAllPages(async (offset, limit) => (offset === 0 ? head : await fetch(offset, limit)), keyOf, { node, what });
		return [...rest.values()];
	}
	const size = head.items.length;
	if (size === 0) {
		if (total > 0) throw new ListMovedError(`the first page is empty while ${total} ${what} are announced`);
		return [];
	}
	// A total no list can have (more than MAX_PAGES pages): refused before any further page is asked for.
	if (Math.ceil(total / size) > MAX_PAGES) throw new NodeOperationError(node, `The server's list of ${what} is broken: it announced ${total}, more than ${MAX_PAGES} pages of ${size}`);
	const offsets: number[] = [];
	for (let offset = size; offset < total; offset += size) offsets.push(offset);
	const pages: Array<Page<T>> = new Array<Page<T>>(offsets.length);
	let next = 0;
	let failed = false;
	const worker = async () => {
		while (!failed && next < offsets.length) {
			const i = next++;
			// A failed page stops the others taking new ones; its error is the read's.
			pages[i] = await fetch(offsets[i], size).catch(async (error: unknown) => {
				failed = true;
				return await Promise.reject(error as Error);
			});
		}
	};
	await Promise.all(Array.from({ length: Math.min(PAGES_IN_FLIGHT, offsets.length) }, worker));
	const seen = new Map<string, T>();
	const all = [head, ...pages];
	all.forEach((page, i) => {
		const offset = i * size;
		if (page.total !== total) throw new ListMovedError(`the page from position ${offset} announced ${String(page.total)} ${what}, the first ${total}`);
		const expected = Math.min(size, total - offset);
		if (page.items.length !== expected) throw new ListMovedError(`the page from position ${offset} brought ${page.items.length} ${what}, not ${expected}`);
		for (const item of page.items) {
			const key = keyOf(item).toLowerCase();
			if (seen.has(key)) throw new ListMovedError(`${key} came twice`);
			seen.set(key, item);
		}
	});
	if (seen.size !== total) throw new NodeOperationError(node, `The server's list of ${what} is broken: ${seen.size} read of ${total} announced`);
	return [...seen.values()];
}
