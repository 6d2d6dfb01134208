/**
 * The user's filter applied on our side (client/adapters/userFilter.ts) and readUserPages with it:
 * right whether the server filtered, ordered and paged as asked or sent its whole list as it is.
 */
import type { INode } from 'n8n-workflow';

import { namePatternTest, userComparator, userFilterTest, userListCheck } from '../../../../client/adapters/userFilter';
import { readUserPages, type Page } from '../../../../client/adapters/paging';
import type { VeeamUser } from '../../../../client/model';

const node: INode = { id: 'v', name: 'Veeam', type: 'n8n-nodes-veeam.veeam', typeVersion: 1, position: [0, 0], parameters: {} };

const user = (name: string, more: Partial<VeeamUser> = {}): VeeamUser => ({
	ref: name,
	name,
	type: 'Local',
	roles: [],
	isDirectoryAccount: false,
	isGroup: false,
	...more,
});

describe('namePatternTest', () => {
	it.each([
		['wholeName', 'TECH\\*', 'tech\\jane', true],
		['wholeName', 'TECH\\*', 'VBR01\\tech\\x', false],
		['wholeName', 'VBR01\\?dmin', 'vbr01\\admin', true],
		['wholeName', 'jane', 'TECH\\jane', false],
		['wholeName', 'a.b', 'aXb', false],
		['containsUnlessWildcard', 'ops', 'dev_ops_1', true],
		['containsUnlessWildcard', 'OPS', 'dev_ops_1', true],
		['containsUnlessWildcard', 'ops_*', 'dev_ops_1', false],
		['containsUnlessWildcard', '*ops*', 'dev_ops_1', true],
		['containsUnlessWildcard', 'op?_1', 'ops_1', true],
		['containsUnlessWildcard', '(x)', 'a(x)b', true],
	] as const)('%s %j on %j: %s', (kind, pattern, name, expected) => {
		expect(namePatternTest(pattern, kind)(name)).toBe(expected);
	});
});

describe('userFilterTest', () => {
	it('is undefined for an empty filter', () => {
		expect(userFilterTest({})).toBeUndefined();
	});

	it('holds every part of the filter at once; an MFA state the server does not say matches neither answer', () => {
		const admin = { id: 'R1', name: 'Backup Administrator' };
		const test = userFilterTest({ types: ['internaluser'], roleName: 'backup administrator', roleId: 'r1', isServiceAccount: false, mfaEnabled: true }, 'wholeName');
		expect(test?.(user('a', { type: 'InternalUser', roles: [admin], mfaEnabled: true }))).toBe(true);
		expect(test?.(user('a', { type: 'InternalUser', roles: [admin], mfaEnabled: true, isServiceAccount: true }))).toBe(false);
		expect(test?.(user('a', { type: 'ExternalUser', roles: [admin], mfaEnabled: true }))).toBe(false);
		expect(test?.(user('a', { type: 'InternalUser', roles: [], mfaEnabled: true }))).toBe(false);
		expect(test?.(user('a', { type: 'InternalUser', roles: [admin] }))).toBe(false);
		expect(userFilterTest({ mfaEnabled: false })?.(user('a'))).toBe(false);
	});
});

/** A server with `all` users that does (or does not) filter, order and page as asked. */
function server(all: VeeamUser[], behaviour: { filters?: (u: VeeamUser) => boolean; pageSize?: number }) {
	const calls: Array<[number, number]> = [];
	const fetchPage = async (offset: number, limit: number): Promise<Page<VeeamUser>> => {
		calls.push([offset, limit]);
		const list = behaviour.filters ? all.filter(behaviour.filters) : all;
		const size = Math.min(limit, behaviour.pageSize ?? 500);
		return { items: list.slice(offset, offset + size), total: list.length };
	};
	return { fetchPage, calls };
}

describe('readUserPages with the filter checked here', () => {
	// In name order: 40 noise users, then ops_00 … ops_09, then 40 more.
	const all = [
		...Array.from({ length: 40 }, (_, i) => user(`a_${String(i).padStart(2, '0')}`)),
		...Array.from({ length: 10 }, (_, i) => user(`ops_${String(i).padStart(2, '0')}`)),
		...Array.from({ length: 40 }, (_, i) => user(`z_${String(i).padStart(2, '0')}`)),
	];
	const ops = all.filter((u) => u.name.startsWith('ops_')).map((u) => u.name);
	const check = userListCheck({ product: 'vbgc', namePatternKind: 'containsUnlessWildcard' }, { namePattern: 'ops_*' });

	it.each([
		['filters', (u: VeeamUser) => u.name.startsWith('ops_')],
		['ignores the filter', undefined],
	])('a server that %s: the same matches, the offset counted over them, the limit kept', async (_, filters) => {
		const s = server(all, { filters, pageSize: 20 });
		expect((await readUserPages(node, s.fetchPage, undefined, {}, check)).map((u) => u.name)).toEqual(ops);
		const limited = await readUserPages(node, s.fetchPage, 3, { offset: 4 }, check);
		expect(limited.map((u) => u.name)).toEqual(ops.slice(4, 7));
	});

	it('asks for no more than it needs from a server that filters, and for whole pages once it sees one that does not', async () => {
		const filtering = server(all, { filters: (u) => u.name.startsWith('ops_') });
		await readUserPages(node, filtering.fetchPage, 3, {}, check);
		expect(filtering.calls).toEqual([[0, 3]]);
		const ignoring = server(all, {});
		await readUserPages(node, ignoring.fetchPage, 3, {}, check);
		expect(ignoring.calls).toEqual([
			[0, 3],
			[3, 1000],
		]);
	});

	it('orders the whole matching list itself when the server cannot order (listSorts false), then offset and limit', async () => {
		const shuffled = [...all].sort((a, b) => (a.name.split('').reverse().join('') < b.name.split('').reverse().join('') ? -1 : 1));
		const s = server(shuffled, { pageSize: 20 });
		const unsorted = userListCheck({ product: 'azure', listSorts: false }, { namePattern: 'ops_*' }, { property: 'name', descending: true });
		const got = await readUserPages(node, s.fetchPage, 2, { offset: 1 }, unsorted);
		expect(got.map((u) => u.name)).toEqual([...ops].reverse().slice(1, 3));
		// The whole list was read: the last matches in order may be on its last page.
		expect(s.calls.at(-1)?.[0]).toBe(80);
	});

	it('without a filter and with a server that orders: the server pages, the offset is sent to it', async () => {
		const s = server(all, {});
		const got = await readUserPages(node, s.fetchPage, 2, { offset: 5 }, userListCheck({ product: 'aws' }, {}));
		expect(got.map((u) => u.name)).toEqual(['a_05', 'a_06']);
		expect(s.calls).toEqual([[5, 2]]);
	});
});

describe('userComparator', () => {
	it('orders by the property, ignoring case first (then exactly), ties by name; descending reverses', () => {
		const list = [user('b', { description: 'X' }), user('A', { description: 'x' }), user('c', { description: 'a' })];
		expect([...list].sort(userComparator({ property: 'description', descending: false })).map((u) => u.name)).toEqual(['c', 'b', 'A']);
		expect([...list].sort(userComparator(undefined)).map((u) => u.name)).toEqual(['A', 'b', 'c']);
		expect([...list].sort(userComparator({ property: 'name', descending: true })).map((u) => u.name)).toEqual(['c', 'b', 'A']);
	});
});
