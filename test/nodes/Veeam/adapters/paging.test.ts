/**
 * readAllPages: every page of a list, following the server's total, and never a partial list taken
 * for the whole one, whatever the server's paging does (issue 15, point 11).
 */
import { NodeOperationError, type INode } from 'n8n-workflow';

import { MAX_PAGES, REQUESTED_PAGE_SIZE, readAllPages, type Page } from '../../../../client/adapters/paging';

const node: INode = { id: 'v', name: 'Veeam', type: 'n8n-nodes-veeam.veeam', typeVersion: 1, position: [0, 0], parameters: {} };
interface Item {
	id: string;
	v?: string;
}
const item = (n: number): Item => ({ id: `u${n}` });
const all = (n: number) => Array.from({ length: n }, (_, i) => item(i));

/** A list whose pages come from `page(offset, limit)`, recording the calls. */
function reader(page: (offset: number, limit: number) => Page<Item>, options: { cap?: number; start?: number } = {}) {
	const calls: Array<[number, number]> = [];
	const run = readAllPages(
		async (offset, limit) => {
			calls.push([offset, limit]);
			return page(offset, limit);
		},
		(i) => i.id,
		{ node, what: 'users', ...options },
	);
	return { run, calls };
}

async function failure(run: Promise<unknown>): Promise<NodeOperationError> {
	const error = await run.then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(NodeOperationError);
	return error as NodeOperationError;
}

describe('readAllPages', () => {
	it('follows the page size the server honours until its total', async () => {
		const list = all(1234);
		const { run, calls } = reader((offset) => ({ items: list.slice(offset, offset + 500), total: list.length }));
		expect((await run).size).toBe(1234);
		expect(calls).toEqual([
			[0, REQUESTED_PAGE_SIZE],
			[500, REQUESTED_PAGE_SIZE],
			[1000, REQUESTED_PAGE_SIZE],
		]);
	});

	it('an empty server is an empty list, in one request', async () => {
		const { run, calls } = reader(() => ({ items: [], total: 0 }));
		expect((await run).size).toBe(0);
		expect(calls).toHaveLength(1);
	});

	it('keeps an item read twice once, with the later answer', async () => {
		const { run } = reader((offset) =>
			offset === 0 ? { items: [item(1), item(2)], total: 4 } : { items: [{ id: 'u2', v: 'later' }, item(3)], total: 4 },
		);
		const items = await run;
		expect([...items.keys()]).toEqual(['u1', 'u2', 'u3']);
		expect(items.get('u2')?.v).toBe('later');
	});

	it('stops at the cap (Limit) and starts at the offset', async () => {
		const list = all(100);
		const { run, calls } = reader((offset, limit) => ({ items: list.slice(offset, offset + Math.min(limit, 30)), total: 100 }), { cap: 50, start: 10 });
		expect([...(await run).keys()]).toEqual(list.slice(10, 60).map((i) => i.id));
		expect(calls).toEqual([
			[10, 50],
			[40, 20],
		]);
	});

	it('without a total, reads until an empty page', async () => {
		const list = all(7);
		const { run, calls } = reader((offset) => ({ items: list.slice(offset, offset + 3) }));
		expect((await run).size).toBe(7);
		expect(calls.map(([offset]) => offset)).toEqual([0, 3, 6, 7]);
	});

	it('fails when a page comes back empty before the announced total', async () => {
		const error = await failure(reader((offset) => (offset === 0 ? { items: [item(1), item(2)], total: 5 } : { items: [], total: 5 })).run);
		expect(error.message).toBe("The server's list of users is broken: it announced 5 but sent none from position 2 on");
		expect(error.description).toMatch(/^Nothing was done with a partial list\. 2 users had been read in 2 page\(s\)/);
	});

	it('fails, after one repeat, on a server whose pages stop advancing (the same page again, a total that lies)', async () => {
		const { run, calls } = reader(() => ({ items: [item(1), item(2)], total: 1_000_000 }));
		const error = await failure(run);
		expect(error.message).toBe("The server's list of users is broken: the page from position 2 repeated users it had already sent");
		expect(calls).toHaveLength(2);
	});

	it('fails on a server that ignores the offset and sends no total', async () => {
		const { run, calls } = reader(() => ({ items: [item(1), item(2)] }));
		await failure(run);
		expect(calls).toHaveLength(2);
	});

	it(`fails after ${MAX_PAGES} pages of a list that never ends (fresh items every page)`, async () => {
		const { run, calls } = reader((offset) => ({ items: [item(offset)], total: Number.MAX_SAFE_INTEGER }));
		const error = await failure(run);
		expect(error.message).toBe(`The server's list of users is broken: after ${MAX_PAGES} pages it still announced more`);
		expect(calls).toHaveLength(MAX_PAGES);
	});
});
