/**
 * Reads every page of a Veeam list. Each request asks for a large page; the server answers with
 * the page size it actually honours (Veeam clamps `limit`), and the loop follows `total`, so N users
 * cost ceil(N / server page size) requests. An item seen twice (the list changed while being paged)
 * is kept once. `start` leaves out the first matches (the caller's offset).
 */
export interface Page<T> {
	items: T[];
	total: number;
}

export const REQUESTED_PAGE_SIZE = 1000;
/** Runaway guard: a server that keeps saying "more" without sending any. */
const MAX_PAGES = 100_000;

export async function readAllPages<T>(
	fetchPage: (offset: number, limit: number) => Promise<Page<T>>,
	keyOf: (item: T) => string,
	cap = Infinity,
	start = 0,
): Promise<T[]> {
	const seen = new Map<string, T>();
	let offset = start;
	for (let pages = 0; pages < MAX_PAGES && seen.size < cap; pages++) {
		const page = await fetchPage(offset, Math.min(REQUESTED_PAGE_SIZE, cap - seen.size));
		for (const item of page.items) seen.set(keyOf(item), item);
		offset += page.items.length;
		if (page.items.length === 0 || offset >= page.total) break;
	}
	return [...seen.values()].slice(0, cap);
}
