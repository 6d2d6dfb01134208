/**
 * Issue 25, point 3: a filter the user asked for holds whatever the server does with it. Each
 * product's simulator is told to ignore the list's filter parameters (`ignoreQuery`, as a server
 * does with parameters it does not know: Azure v8 and `SearchPattern`); User → Get Many must still
 * return only the matching users, up to the limit, after the offset.
 */
import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { listSearch } from '../../../../../nodes/Veeam/methods';
import { startSimulator, type SimServer } from '../../../../../sim';
import { shutdownEngine } from '../../../../support/engine';
import { CloudFixture } from '../../cloud/fixture';
import { VbgcFixture, VeeamFixture, type VeeamRun } from '../../fixtures';

type Product = 'vbr' | 'vbgc' | 'aws' | 'azure';

interface Case {
	product: Product;
	/** What the product's user list filters with (the parameters the server is told to ignore). */
	filterParams: string[];
	/** The seeded users' names as the product writes them. */
	name: (seeded: string) => string;
	/** Whether Get Many offers an offset on the product. */
	offset: boolean;
}

const CASES: Case[] = [
	{
		product: 'vbr',
		filterParams: ['nameFilter', 'typeFilter', 'roleIdFilter', 'roleNameFilter', 'isServiceAccountFilter', 'mfaEnabledFilter'],
		name: (s) => `SEED\\${s}`,
		offset: false,
	},
	{ product: 'vbgc', filterParams: ['filter'], name: (s) => s, offset: true },
	{ product: 'aws', filterParams: ['SearchPattern', 'NameFilter'], name: (s) => s, offset: true },
	{ product: 'azure', filterParams: ['SearchPattern', 'NameFilter'], name: (s) => s, offset: true },
];

interface Runner {
	run(parameters: Record<string, unknown>): Promise<VeeamRun>;
	resetCredential(): void;
	loadOptionsContext(parameters?: Record<string, unknown>): ILoadOptionsFunctions;
}

const getMany = (params: Record<string, unknown>) => ({ resource: 'user', operation: 'getMany', ...params });
const names = (run: VeeamRun) => run.json.map((j) => String(j.name));

describe.each(CASES)('User → Get Many on $product with a server that ignores the filter', ({ product, filterParams, name, offset }) => {
	let sim: SimServer;
	let h: Runner;

	beforeAll(async () => {
		sim = await startSimulator({ product });
		h = product === 'vbr' ? new VeeamFixture(sim) : product === 'vbgc' ? new VbgcFixture(sim) : new CloudFixture(sim, product);
	});
	afterAll(async () => {
		await sim.close();
		await shutdownEngine();
	});

	/** 1,200 users before the five `ops_` users in name order and 300 after: the matches are on the third page. */
	let ops: string[];
	beforeEach(() => {
		sim.reset();
		h.resetCredential();
		sim.seed({ count: 1200, prefix: 'a_noise' });
		sim.seed({ count: 5, prefix: 'ops_' });
		sim.seed({ count: 300, prefix: 'z_noise' });
		ops = Array.from({ length: 5 }, (_, i) => name(`ops_${String(1201 + i).padStart(6, '0')}`));
	});
	const ignoreFilters = () => sim.addFault({ kind: 'ignoreQuery', params: filterParams, pathIncludes: '/users', count: 1000 });
	const pattern = () => name('ops_*');

	it('returns the matching users from a server that applies the filter (or, Azure, may not)', async () => {
		const run = await h.run(getMany({ returnAll: true, filters: { namePattern: pattern() } }));
		expect(run.error).toBeUndefined();
		expect(names(run)).toEqual(ops);
		expect(sim.stats.faultsInjected).toBe(0);
	});

	it('returns only the users matching the name pattern when the server sends every user', async () => {
		ignoreFilters();
		const run = await h.run(getMany({ returnAll: true, filters: { namePattern: pattern() } }));
		expect(run.error).toBeUndefined();
		expect(sim.stats.faultsInjected).toBeGreaterThan(0);
		expect(names(run)).toEqual(ops);
	});

	it('still returns up to the limit of matching users, reading further pages as needed', async () => {
		ignoreFilters();
		const run = await h.run(getMany({ returnAll: false, limit: 3, filters: { namePattern: pattern() } }));
		expect(run.error).toBeUndefined();
		expect(names(run)).toEqual(ops.slice(0, 3));
	});

	if (offset) {
		it('leaves out the first matching users for the offset, not the first users of the whole list', async () => {
			ignoreFilters();
			const run = await h.run(getMany({ returnAll: false, limit: 2, filters: { namePattern: pattern() }, options: { offset: 2 } }));
			expect(run.error).toBeUndefined();
			expect(names(run)).toEqual(ops.slice(2, 4));
			// The same when the server does filter.
			sim.reset();
			h.resetCredential();
			sim.seed({ count: 1200, prefix: 'a_noise' });
			sim.seed({ count: 5, prefix: 'ops_' });
			const filtered = await h.run(getMany({ returnAll: false, limit: 2, filters: { namePattern: pattern() }, options: { offset: 2 } }));
			expect(names(filtered)).toEqual(ops.slice(2, 4));
		});
	}

	it('the editor’s user search (From List) shows only the users matching the search text, across its pages', async () => {
		ignoreFilters();
		const ctx = h.loadOptionsContext({ resource: 'user', operation: 'get' });
		const found: string[] = [];
		let page: INodeListSearchResult = { results: [] };
		let calls = 0;
		do {
			page = await listSearch.searchUsers.call(ctx, 'ops_', page.paginationToken as string | undefined);
			found.push(...page.results.map((r) => r.name));
			calls++;
		} while (page.paginationToken !== undefined && calls < 100);
		expect(sim.stats.faultsInjected).toBeGreaterThan(0);
		expect(found).toEqual(ops);
	});

	if (product === 'vbr') {
		it.each([
			[{ types: ['InternalGroup', 'ExternalGroup'] }, ['BUILTIN\\Administrators', 'TECH\\Backup Operators']],
			[{ role: 'Backup Administrator' }, ['BUILTIN\\Administrators', 'VBR01\\admin', 'VBR01\\svc-n8n']],
			[{ isServiceAccount: true }, ['VBR01\\svc-n8n']],
			[{ isServiceAccount: false, types: ['InternalUser'], namePattern: 'VBR01\\*' }, ['VBR01\\admin', 'VBR01\\viewer']],
			[{ namePattern: 'VBR01\\?dmin' }, ['VBR01\\admin']],
		])('holds %j too', async (filters, expected) => {
			ignoreFilters();
			const run = await h.run(getMany({ returnAll: true, filters }));
			expect(run.error).toBeUndefined();
			expect(names(run)).toEqual(expected);
		});
	}

	if (product === 'vbgc') {
		it('holds the MFA filter too', async () => {
			ignoreFilters();
			const on = await h.run(getMany({ returnAll: true, filters: { mfaEnabled: true } }));
			expect(on.error).toBeUndefined();
			expect(on.json.length).toBeGreaterThan(0);
			expect(on.json.every((u) => u.mfaEnabled === true)).toBe(true);
		});
	}
});
