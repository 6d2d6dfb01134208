/**
 * The VSPC simulator's collection query (sim/vspc/query.ts) answers exactly what it answered before
 * issue 28 made it cheaper: test/sim/vspcQueryReference.ts holds the former code. Random lists
 * (strings of mixed case, nulls, missing and undefined values, numbers, NaN, booleans, arrays,
 * duplicates, keys that differ only by case, in any key order) are filtered and sorted by both,
 * and must come out the same items in the same order; `select` must keep the same keys in the same
 * order. The lists are then read back through the server: every page of /users and /users/logins
 * is the reference's page of the rendered resources, byte for byte.
 */
import { parseListQuery, projection, selectAndOrder, type ListQuery } from '../../sim/vspc/query';
import { LOGIN_FIELDS, loginReader, loginView, USER_FIELDS, userReader, userView } from '../../sim/vspc/views';
import * as reference from './vspcQueryReference';
import { bearer, contract, login, q, start, stop, type Client } from './vspcClient';

import { VSPC_COMPANY_ALPHA_UID } from '../../sim';

type Json = Record<string, unknown>;

/** A seeded generator (mulberry32): a failure names its seed and replays. */
function generator(seed: number) {
	let s = seed >>> 0;
	const next = (): number => {
		s = (s + 0x6d2b79f5) >>> 0;
		let t = s;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
	const int = (n: number): number => Math.floor(next() * n);
	const pick = <T>(list: readonly T[]): T => list[int(list.length)];
	const shuffle = <T>(list: T[]): T[] => {
		for (let i = list.length - 1; i > 0; i--) {
			const j = int(i + 1);
			[list[i], list[j]] = [list[j], list[i]];
		}
		return list;
	};
	return { next, int, pick, shuffle };
}
type Random = ReturnType<typeof generator>;

const STRINGS = ['a', 'A', 'b', 'B', 'ab', 'aB', 'Ab', 'ä', 'Ä', 'é', 'e', '10', '9', '1', 'a10', 'a9', 'A10', '', ' a', 'true', 'false', 'null', 'Zed', 'zed'];
/** Property paths of the random resources (lower case, as checkPath leaves them). */
const PATHS = ['name', 'id', 'flag', 'n', 'tags', 'profile', 'profile.email', 'profile.title'];
const FIELDS: ReadonlySet<string> = new Set(PATHS);

function value(r: Random, few: boolean): unknown {
	const x = r.next();
	if (few) return r.pick(['a', 'A', 'b', null, 1, true]);
	if (x < 0.45) return r.pick(STRINGS);
	if (x < 0.55) return null;
	if (x < 0.6) return undefined;
	if (x < 0.75) return r.pick([0, 1, -1, 2.5, 9, 10, 100]);
	if (x < 0.77) return Number.NaN;
	if (x < 0.87) return r.next() < 0.5;
	if (x < 0.93) return [r.pick(STRINGS)];
	return { nested: r.pick(STRINGS) };
}

/** A resource: some of the keys (and sometimes a second spelling of one), in a random order. */
function item(r: Random, few: boolean): Json {
	const entries: Array<[string, unknown]> = [];
	for (const key of ['name', 'id', 'flag', 'n', 'tags']) {
		if (r.next() < 0.85) entries.push([key, value(r, few)]);
		if (r.next() < 0.1) entries.push([r.pick([key.toUpperCase(), key[0].toUpperCase() + key.slice(1)]), value(r, few)]);
	}
	if (r.next() < 0.8) {
		const profile: Array<[string, unknown]> = [];
		if (r.next() < 0.8) profile.push([r.pick(['email', 'email', 'Email']), value(r, few)]);
		if (r.next() < 0.8) profile.push(['title', value(r, few)]);
		if (r.next() < 0.1) profile.push(['EMAIL', value(r, few)]);
		entries.push([r.pick(['profile', 'profile', 'Profile']), r.next() < 0.9 ? Object.fromEntries(r.shuffle(profile)) : value(r, few)]);
	}
	// Mostly one key order (a collection's resources come from one view), sometimes another.
	return Object.fromEntries(r.next() < 0.7 ? entries : r.shuffle(entries));
}

function list(r: Random, size: number): Json[] {
	const few = r.next() < 0.3;
	const out: Json[] = [];
	for (let i = 0; i < size; i++) out.push(r.next() < 0.15 && out.length ? { ...r.pick(out) } : item(r, few));
	return out;
}

function filterExpr(r: Random, depth = 0): Json {
	if (depth < 2 && r.next() < 0.2) {
		return { operation: r.pick(['and', 'or', 'not', 'exclusiveOr']), items: Array.from({ length: 1 + r.int(3) }, () => filterExpr(r, depth + 1)) };
	}
	const operation = r.pick(['equals', 'notEquals', 'in', 'contains', 'subset', 'superset', 'lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual']);
	const one = () => {
		const v = value(r, false);
		return v === undefined || Number.isNaN(v) ? null : v;
	};
	return {
		property: r.pick(PATHS),
		operation,
		collation: r.pick(['ordinal', 'ignorecase', 'lexicographic', undefined]),
		value: operation === 'in' || r.next() < 0.1 ? Array.from({ length: r.int(4) }, one) : one(),
	};
}

function query(r: Random, withFilter: boolean): ListQuery {
	const params = new URLSearchParams();
	const sort = Array.from({ length: 1 + r.int(3) }, () => ({ property: r.pick(PATHS), direction: r.pick(['ascending', 'descending', undefined]), collation: r.pick(['ordinal', 'ignorecase', 'lexicographic', undefined]) }));
	params.set('sort', JSON.stringify(sort));
	if (withFilter) params.set('filter', JSON.stringify(Array.from({ length: 1 + r.int(2) }, () => filterExpr(r))));
	return parseListQuery(params, FIELDS, { maxPageSize: 500, overMax: 'refuse' }, false);
}

/** The positions of `out`'s items in `items` (the same object, not an equal one). */
function positions(items: Json[], out: Json[]): number[] {
	const at = new Map(items.map((x, i) => [x, i]));
	return out.map((x) => at.get(x) ?? -1);
}

/** JSON with key order, `undefined` and NaN kept apart. */
const text = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (v === undefined ? '(undefined)' : typeof v === 'number' && Number.isNaN(v) ? '(NaN)' : v));

describe('selectAndOrder and project against the former code', () => {
	it('sorts random lists as the former comparator did, item for item: every collation, both directions, several expressions, ties in collection order', () => {
		for (let seed = 1; seed <= 1500; seed++) {
			const r = generator(seed);
			const items = list(r, r.pick([0, 1, 2, 3, 5, 8, 20, 40, 70]));
			const q = query(r, false);
			const expected = reference.selectAndOrder(items, q);
			expect({ seed, order: positions(items, selectAndOrder(items, q)) }).toEqual({ seed, order: positions(items, expected) });
			// The list in the order just found (the in-order path: not sorted again) and reversed.
			for (const again of [expected, [...expected].reverse()]) {
				expect({ seed, order: positions(again, selectAndOrder(again, q)) }).toEqual({ seed, order: positions(again, reference.selectAndOrder(again, q)) });
			}
		}
	});

	it('sorts long lists (merges, galloping) as the former comparator did', () => {
		for (let seed = 1; seed <= 25; seed++) {
			const r = generator(10_000 + seed);
			const items = list(r, 300 + r.int(1500));
			const q = query(r, false);
			const expected = reference.selectAndOrder(items, q);
			expect({ seed, order: positions(items, selectAndOrder(items, q)) }).toEqual({ seed, order: positions(items, expected) });
			// Mostly in order: a few items moved.
			const nearly = [...expected];
			for (let k = 0; k < 3; k++) nearly.splice(r.int(nearly.length), 0, ...nearly.splice(r.int(nearly.length), 1));
			expect({ seed, order: positions(nearly, selectAndOrder(nearly, q)) }).toEqual({ seed, order: positions(nearly, reference.selectAndOrder(nearly, q)) });
		}
	});

	it('sorts long lists whose first key takes few texts (users by organization: grouped first) as the former comparator did', () => {
		for (let seed = 1; seed <= 60; seed++) {
			const r = generator(40_000 + seed);
			const groups = Array.from({ length: 1 + r.int(20) }, (_, i) => r.pick([`org-${i}`, `Org-${i}`, `ORG-${i % 3}`, `org-${i}`]));
			const items: Json[] = Array.from({ length: 200 + r.int(600) }, () => ({ name: r.pick(groups), id: r.int(50), n: r.pick(['b', 'a', 'B', 'c', 'A']) }));
			// Sometimes one item breaks the rule (no text there): the plain sort then.
			if (r.next() < 0.2) items[r.int(items.length)].name = r.pick([null, 7, undefined]);
			const sort = [{ property: 'name', direction: r.pick(['ascending', 'descending']), collation: r.pick(['ordinal', 'ignorecase', 'lexicographic']) }];
			for (let k = r.int(3); k > 0; k--) sort.push({ property: r.pick(['id', 'n']), direction: r.pick(['ascending', 'descending']), collation: r.pick(['ordinal', 'ignorecase']) });
			const q = parseListQuery(new URLSearchParams({ sort: JSON.stringify(sort) }), FIELDS, { maxPageSize: 500, overMax: 'refuse' }, false);
			expect({ seed, order: positions(items, selectAndOrder(items, q)) }).toEqual({ seed, order: positions(items, reference.selectAndOrder(items, q)) });
		}
	});

	it('filters random lists as the former code did (every operation, nested and/or/not/exclusiveOr), then sorts', () => {
		for (let seed = 1; seed <= 1500; seed++) {
			const r = generator(20_000 + seed);
			const items = list(r, r.pick([0, 1, 5, 20, 60]));
			const q = query(r, true);
			expect({ seed, order: positions(items, selectAndOrder(items, q)) }).toEqual({ seed, order: positions(items, reference.selectAndOrder(items, q)) });
		}
	});

	it('selects the same properties, under the same spelling and in the same order, for every item of a page', () => {
		for (let seed = 1; seed <= 1500; seed++) {
			const r = generator(30_000 + seed);
			const items = list(r, r.pick([1, 5, 30]));
			const select = Array.from({ length: 1 + r.int(5) }, () => r.pick([...PATHS, 'profile.nope', 'name.x']));
			const page = projection(select);
			expect({ seed, page: items.map((x) => text(page(x))) }).toEqual({ seed, page: items.map((x) => text(reference.project(x, select))) });
		}
	});
});

describe('the records a list is sorted on', () => {
	let c: Client;
	let admin: string;
	beforeAll(async () => {
		c = await start();
		admin = await login(c);
		const r = generator(7);
		c.vspc.seedUsers({ count: 300, companies: 12, resellers: 2 });
		const orgs = [...c.vspc.store.orgs.values()];
		// Names that sort differently by case, numbers and accents.
		for (const name of ['Zed', 'zed.2', 'ALPHA.x', 'alpha.y', 'Émile', 'émile.2', 'b', 'B1', '10', '9', 'a10', 'a9']) {
			c.vspc.addUser({ organizationUid: r.pick(orgs).uid, userName: name, role: 'PortalReadonlyOperator', ...(r.next() < 0.5 ? {} : { mfaPolicy: 'Enabled' }) });
		}
		const users = [...c.vspc.store.users.values()];
		for (let i = 0; i < 80; i++) {
			c.vspc.store.addLogin(r.pick(users), r.pick(['apiKey', 'totp'] as const), { description: r.pick(['d', 'D', 'Key 1', 'key 10', 'key 9']), scopes: ['rest'], isReadAccessOnly: r.next() < 0.5 });
		}
		for (const l of [...c.vspc.store.logins.values()].filter((x) => x.kind !== 'password' && r.next() < 0.2)) c.vspc.store.removeLogin(l);
		for (const u of users.slice(20).filter(() => r.next() < 0.05)) c.vspc.store.removeUser(u);
		for (const u of [...c.vspc.store.users.values()].slice(20).filter(() => r.next() < 0.1)) u.status = 'Disabled';
		const companies = orgs.filter((o) => o.type === 'Company' && o.uid !== VSPC_COMPANY_ALPHA_UID);
		c.vspc.setCompanyStatus(companies[0].uid, 'Disabled');
		c.vspc.setOrganizationMfa(companies[1].uid, true);
		c.vspc.store.removeOrg(companies[2].uid, false);
	});
	afterAll(async () => {
		await stop(c);
		expect(contract.violations).toEqual([]);
	});

	it('reads each field straight from a record as its view shows it', () => {
		const { store } = c.vspc;
		const users = userReader(store);
		for (const u of store.users.values()) {
			for (const [path, read] of users.fields) expect({ user: u.userName, path, value: read(u) }).toEqual({ user: u.userName, path, value: reference.valueAt(userView(u, store), path) });
			expect(store.hasTotp(u.uid)).toBe(store.loginsOf(u.uid).some((l) => l.kind === 'totp'));
		}
		const logins = loginReader(store);
		for (const l of store.logins.values()) {
			for (const [path, read] of logins.fields) expect({ login: l.id, path, value: read(l) }).toEqual({ login: l.id, path, value: reference.valueAt(loginView(l, store), path) });
		}
		expect(store.hasTotp('not-a-user')).toBe(false);
	});

	it('answers every page of /users and /users/logins as the former code did, byte for byte (random filter, sort, select, paging)', async () => {
		const { store } = c.vspc;
		for (let seed = 1; seed <= 60; seed++) {
			const r = generator(40_000 + seed);
			const logins = r.next() < 0.5;
			const fields = logins ? LOGIN_PATHS : USER_PATHS;
			const sort = Array.from({ length: r.int(3) }, () => ({ property: r.pick(fields), direction: r.pick(['ascending', 'descending']), collation: r.pick(['ordinal', 'ignorecase', 'lexicographic']) }));
			if (seed % 3 === 0) sort.splice(0, sort.length, ...(logins ? [{ property: 'id', direction: 'ascending', collation: 'ordinal' }] : [{ property: 'userName', direction: r.pick(['ascending', 'descending']), collation: 'ignorecase' }, { property: 'instanceUid', direction: 'ascending', collation: 'ordinal' }]));
			const sample: object[] = logins ? [...store.logins.values()] : [...store.users.values()];
			const some = r.pick(sample) as unknown as Json;
			const filter = r.next() < 0.5 ? [{ property: r.pick(fields), operation: r.pick(['equals', 'notEquals', 'contains', 'greaterThan']), collation: r.pick(['ordinal', 'ignorecase']), value: r.pick([String(Object.values(some)[r.int(4)]), 'a', 'Enabled', 'enabled', 'TOTP', 'seed.user000007']) }] : [];
			const select = r.next() < 0.4 ? Array.from({ length: 1 + r.int(4) }, () => ({ propertyPath: r.pick(fields) })) : [];
			const views = logins ? [...store.logins.values()].map((l) => loginView(l, store)) : [...store.users.values()].map((u) => userView(u, store));
			const parsed = parseListQuery(new URLSearchParams(q({ filter, sort })), logins ? LOGIN_FIELDS : USER_FIELDS, { maxPageSize: 500, overMax: 'refuse' }, false);
			const all = reference.selectAndOrder(views, parsed);
			const limit = r.pick([7, 100, 500]);
			for (const offset of [0, limit, r.int(all.length + 1)]) {
				const params: Record<string, unknown> = { sort, limit, offset };
				if (filter.length) params.filter = filter;
				if (select.length) params.select = select;
				const res = await c.http.get(`${logins ? '/users/logins' : '/users'}?${q(params)}`, bearer(admin));
				const page = all.slice(offset, offset + limit).map((x) => reference.project(x, select.length ? select.map((s) => s.propertyPath.toLowerCase()) : undefined));
				const expected = JSON.stringify({ meta: { pagingInfo: { total: all.length, count: page.length, offset } }, data: page });
				expect({ seed, offset, body: JSON.stringify(res.data) }).toEqual({ seed, offset, body: expected });
			}
		}
	});
});

const USER_PATHS = ['instanceUid', 'organizationUid', 'userName', 'status', 'mfaPolicyStatus', 'mfaPolicyConfigurationStatus', 'role', 'profile.email', 'profile.title', 'credentials.userName'];
const LOGIN_PATHS = ['id', 'userUid', 'userName', 'companyId', 'companyName', 'identityProviderName', 'description', 'isReadAccessOnly', 'status', 'identifierInProvider', 'creationDate'];
