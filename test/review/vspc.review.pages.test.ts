/**
 * Review (issue 28, VSPC paging, client/adapters/vspcPages.ts b40ca04): the parallel reader plans
 * every offset from the first page's announced total and only checks the pages after ALL of them
 * were fetched. paging.ts (readAllPages) and the trigger's pages.ts both refuse a list that
 * promises more than MAX_PAGES pages; this one has no bound: a server (or a proxy) announcing a
 * total of 2,147,483,647 at 1 user a page makes it build an array of billions of offsets and send
 * as many requests before any check (memory exhaustion / an execution that never ends).
 */
import type { INode } from 'n8n-workflow';

import { MAX_PAGES, type Page } from '../../client/adapters/paging';
import { readPagesInParallel } from '../../client/adapters/vspcPages';

const node: INode = { id: 'n', name: 'Veeam', type: 'n8n-nodes-veeam.veeam', typeVersion: 1, position: [0, 0], parameters: {} };

describe('review VSPC: parallel pages and an announced total', () => {
	// FINDING P1 (bug, H-adapter): a total that promises more than MAX_PAGES pages is refused
	// before the pages are fetched (as paging.ts and nodes/VeeamTrigger/pages.ts do).
	it('a total of more than MAX_PAGES pages is refused without fetching them all', async () => {
		let calls = 0;
		const total = MAX_PAGES * 2 + 1;
		const fetch = async (): Promise<Page<string>> => {
			calls++;
			return { items: [], total };
		};
		const outcome = await readPagesInParallel(node, 'users', fetch, (s) => s, { items: ['a'], total }).then(
			() => 'read',
			(error: unknown) => (error instanceof Error ? error.name : 'error'),
		);
		expect(outcome).not.toBe('read');
		expect(calls).toBeLessThanOrEqual(MAX_PAGES);
	});

	it('control: a consistent list of 3 pages is read whole in order', async () => {
		const data = ['a', 'b', 'c', 'd', 'e'];
		const fetch = async (offset: number, limit: number): Promise<Page<string>> => ({ items: data.slice(offset, offset + limit), total: data.length });
		expect(await readPagesInParallel(node, 'users', fetch, (s) => s, { items: data.slice(0, 2), total: data.length })).toEqual(data);
	});
});
