/**
 * The parallel page reader of the VSPC trigger (nodes/VeeamTrigger/pages.ts): the first page gives
 * the total and the page size, the rest go out at once, and every page is checked against the first.
 */
import { NodeOperationError, type INode } from 'n8n-workflow';

import type { Page } from '../../../client/adapters/paging';
import { readPagesInParallel } from '../../../nodes/VeeamTrigger/pages';

const node: INode = { id: 't', name: 'Veeam Trigger', type: 'n8n-nodes-veeam.veeamTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
const list = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `item${String(from + i).padStart(5, '0')}`);

/** A server over `items()` (read at each request), answering `limit` at most `pageSize`, recording requests and concurrency. */
function server(items: () => string[], { pageSize = 500, tamper }: { pageSize?: number; tamper?: (offset: number, page: Page<string>, call: number) => Page<string> } = {}) {
	const requests: Array<[number, number]> = [];
	let inFlight = 0;
	let maxInFlight = 0;
	const fetchPage = async (offset: number, limit: number): Promise<Page<string>> => {
		requests.push([offset, limit]);
		inFlight++;
		maxInFlight = Math.max(maxInFlight, inFlight);
		await new Promise((resolve) => setImmediate(resolve));
		inFlight--;
		const all = items();
		const page = { items: all.slice(offset, offset + Math.min(limit, pageSize)), total: all.length };
		return tamper ? tamper(offset, page, requests.length) : page;
	};
	return { fetchPage, requests, maxInFlight: () => maxInFlight };
}

const read = async (fetchPage: (o: number, l: number) => Promise<Page<string>>, concurrency = 8) =>
	await readPagesInParallel(fetchPage, (s) => s, { node, what: 'users', concurrency });

describe('readPagesInParallel', () => {
	it('reads the first page, then the others in parallel (at most `concurrency` in flight), each once', async () => {
		const items = list(2_345);
		const s = server(() => items);
		const result = await read(s.fetchPage, 3);
		expect([...result.items.keys()]).toEqual(items);
		expect(result).toMatchObject({ consistent: true, requests: 5, attempts: 1 });
		expect(s.requests).toEqual([
			[0, 500],
			[500, 500],
			[1000, 500],
			[1500, 500],
			[2000, 500],
		]);
		expect(s.maxInFlight()).toBe(3);
	});

	it('follows the page size the server honours (a server that clamps to 100)', async () => {
		const items = list(250);
		const s = server(() => items, { pageSize: 100 });
		const result = await read(s.fetchPage);
		expect(result.items.size).toBe(250);
		expect(result.consistent).toBe(true);
		expect(s.requests).toEqual([
			[0, 500],
			[100, 100],
			[200, 100],
		]);
	});

	it('an empty list is one request', async () => {
		const s = server(() => []);
		const result = await read(s.fetchPage);
		expect(result).toMatchObject({ consistent: true, requests: 1 });
		expect(result.items.size).toBe(0);
	});

	it('a page short of its count: read again; still short: returned as inconsistent, with what was read', async () => {
		const items = list(1_200);
		// The page at 500 brings 499: the server dropped one (or the list shrank).
		const s = server(() => items, { tamper: (offset, page) => (offset === 500 ? { ...page, items: page.items.slice(1) } : page) });
		const result = await read(s.fetchPage);
		expect(result.consistent).toBe(false);
		expect(result.problem).toContain('the page at 500 brought 499, not 500');
		expect(result.attempts).toBe(2);
		expect(result.items.size).toBe(1_199);
		expect(result.items.has('item00500')).toBe(false);
	});

	it('a total that moves while the list is read: read again, and consistent once it holds still', async () => {
		let items = list(1_100);
		const s = server(() => items, {
			tamper: (_offset, page, call) => {
				// During the first reading, two users are added after the first page was read.
				if (call === 2) items = [...items, ...list(2, 90_000)];
				return page;
			},
		});
		const result = await read(s.fetchPage, 1);
		expect(result.consistent).toBe(true);
		expect(result.attempts).toBe(2);
		expect(result.items.size).toBe(1_102);
	});

	it('a total that moves on every reading: inconsistent after two readings (the caller looks the missing up)', async () => {
		let n = 1_000;
		const s = server(() => list(n), { tamper: (offset, page) => (offset > 0 ? { ...page, total: ++n } : page) });
		const result = await read(s.fetchPage);
		expect(result.consistent).toBe(false);
		expect(result.problem).toMatch(/the total moved from \d+ to \d+/);
		expect(result.attempts).toBe(2);
	});

	it('an item twice (the list shifted under the reading): kept once, with the later answer; inconsistent', async () => {
		const items = list(1_000);
		// Every reading's page at 500 repeats the first page's last item instead of its own first.
		const s = server(() => items, { tamper: (offset, page) => (offset === 500 ? { ...page, items: ['item00499', ...page.items.slice(1)] } : page) });
		const result = await read(s.fetchPage);
		expect(result.consistent).toBe(false);
		expect(result.problem).toContain('an item came twice');
		expect(result.items.size).toBe(999);
		expect([...result.items.keys()].pop()).toBe('item00999');
	});

	it('a failed page fails the whole read: nothing is returned', async () => {
		const items = list(3_000);
		const s = server(() => items, {
			tamper: (offset, page) => {
				if (offset === 1500) throw new Error('HTTP 500 on the page at 1500');
				return page;
			},
		});
		await expect(read(s.fetchPage)).rejects.toThrow('HTTP 500 on the page at 1500');
	});

	it('a first page empty before its total, or more pages than any list has, is a broken list', async () => {
		await expect(read(async () => ({ items: [], total: 5 }))).rejects.toThrow(NodeOperationError);
		await expect(read(async () => ({ items: [], total: 5 }))).rejects.toThrow("The server's list of users is broken: it announced 5 but its first page was empty");
		await expect(read(async (offset) => ({ items: [`x${offset}`], total: 50_000_000 }))).rejects.toThrow('more than 10000 pages');
		await expect(read(async () => ({ items: list(501), total: 600 }))).rejects.toThrow('a page brought 501 for a limit of 500');
	});

	it('a server that announces no total: read page after page, never called consistent, not read twice', async () => {
		const items = list(1_100);
		const s = server(() => items, { tamper: (_offset, page) => ({ items: page.items }) });
		const result = await read(s.fetchPage);
		expect(result.items.size).toBe(1_100);
		expect(result.consistent).toBe(false);
		expect(result.attempts).toBe(1);
	});
});
