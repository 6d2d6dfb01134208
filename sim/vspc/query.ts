/**
 * VSPC's collection query: `filter`, `sort`, `select` (JSON arrays in the query string), `limit`
 * and `offset`. REST help, "Filter Parameter" (helpcenter.veeam.com/docs/vac/rest/filter.html):
 * `filter=[{"property","operation","collation","value"}]`, a subschema's property as
 * `<subschema>.<property>`, collations ordinal (default), ignorecase, lexicographic, the operators
 * of the spec's `FilterOperation` enum. `SortExpression` `{ property, direction, collation }`,
 * `SelectExpression` `{ propertyPath }`, `limit` 1–500 (default 100), `offset` >= 0: the 3.6.1
 * spec's parameters of GET /users. What the pages leave open is marked "Assumption".
 */
import { vspcBadRequest } from './errors';

type Json = Record<string, unknown>;
type Collation = 'ordinal' | 'ignorecase' | 'lexicographic';

interface FilterExpr {
	property?: string;
	operation: string;
	collation?: Collation;
	value?: unknown;
	items?: FilterExpr[];
}

interface SortExpr {
	property: string;
	descending: boolean;
	collation: Collation;
}

export interface ListQuery {
	filter: FilterExpr[];
	sort: SortExpr[];
	select?: string[];
	limit: number;
	offset: number;
	/** Filter and sort as text: the cache key of the selected, ordered list. */
	key: string;
}

const OPERATIONS = new Set([
	'in', 'contains', 'subset', 'superset', 'equals', 'notEquals', 'lessThan', 'lessThanOrEqual',
	'greaterThan', 'greaterThanOrEqual', 'exclusiveOr', 'or', 'and', 'not',
]);
const COLLATIONS = new Set(['ordinal', 'ignorecase', 'lexicographic']);

export interface QueryLimits {
	/** Largest `limit` (the spec's maximum: 500; VSPC lets a provider configure the page size). */
	maxPageSize: number;
	/** Assumption: a `limit` above the maximum is refused (400), as the spec's `maximum` says; `clamp` serves the maximum. */
	overMax: 'refuse' | 'clamp';
}

function jsonParam(query: URLSearchParams, name: string): unknown[] | undefined {
	const raw = query.get(name);
	if (raw === null || raw.trim() === '') return undefined;
	let parsed: unknown;
	try {
		parsed = JSON.parse(raw);
	} catch {
		throw vspcBadRequest(`The ${name} parameter must be a JSON array.`, { parameterName: name });
	}
	if (!Array.isArray(parsed)) throw vspcBadRequest(`The ${name} parameter must be a JSON array.`, { parameterName: name });
	return parsed;
}

function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
	const raw = query.get(name);
	if (raw === null || raw === '') return fallback;
	if (!/^-?\d+$/.test(raw)) throw vspcBadRequest(`The ${name} parameter must be an integer.`, { parameterName: name });
	const value = Number(raw);
	if (value < min) throw vspcBadRequest(`Property value must be larger or equal to ${min}.`, { parameterName: name });
	if (value > max) throw vspcBadRequest(`Property value must be less or equal to ${max}.`, { parameterName: name });
	return value;
}

/** A property path of the collection's resource (case-insensitive: Veeam's PATCH examples write `/Description`). */
function checkPath(path: unknown, fields: ReadonlySet<string>, parameterName: string): string {
	if (typeof path !== 'string' || !fields.has(path.toLowerCase())) {
		throw vspcBadRequest(`The property path ${JSON.stringify(path)} is not valid for this resource.`, { parameterName });
	}
	return path.toLowerCase();
}

function parseFilter(raw: unknown, fields: ReadonlySet<string>): FilterExpr {
	if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw vspcBadRequest('Each filter expression must be an object.', { parameterName: 'filter' });
	const e = raw as Json;
	if (typeof e.operation !== 'string' || !OPERATIONS.has(e.operation)) {
		throw vspcBadRequest(`The filter operation ${JSON.stringify(e.operation)} is not supported.`, { parameterName: 'filter' });
	}
	const collation = (e.collation ?? 'ordinal') as Collation;
	if (!COLLATIONS.has(collation)) throw vspcBadRequest(`The collation ${JSON.stringify(e.collation)} is not supported.`, { parameterName: 'filter' });
	if (['and', 'or', 'not', 'exclusiveOr'].includes(e.operation)) {
		if (!Array.isArray(e.items) || e.items.length === 0) throw vspcBadRequest(`The ${e.operation} operation needs items.`, { parameterName: 'filter' });
		return { operation: e.operation, collation, items: e.items.map((i) => parseFilter(i, fields)) };
	}
	if (e.operation === 'in' && !Array.isArray(e.value)) throw vspcBadRequest('The in operation needs an array value.', { parameterName: 'filter' });
	return { property: checkPath(e.property, fields, 'filter'), operation: e.operation, collation, value: e.value };
}

export function parseListQuery(query: URLSearchParams, fields: ReadonlySet<string>, limits: QueryLimits, paged = true): ListQuery {
	const filter = (jsonParam(query, 'filter') ?? []).map((f) => parseFilter(f, fields));
	const sort = (jsonParam(query, 'sort') ?? []).map((raw): SortExpr => {
		const s = (raw ?? {}) as Json;
		const direction = s.direction ?? 'ascending';
		if (direction !== 'ascending' && direction !== 'descending') throw vspcBadRequest('The sort direction must be ascending or descending.', { parameterName: 'sort' });
		const collation = (s.collation ?? 'ordinal') as Collation;
		if (!COLLATIONS.has(collation)) throw vspcBadRequest(`The collation ${JSON.stringify(s.collation)} is not supported.`, { parameterName: 'sort' });
		return { property: checkPath(s.property, fields, 'sort'), descending: direction === 'descending', collation };
	});
	const selectRaw = jsonParam(query, 'select');
	const select = selectRaw?.map((s) => checkPath((s as Json | null)?.propertyPath, fields, 'select'));
	let limit = 0;
	let offset = 0;
	if (paged) {
		const max = limits.overMax === 'clamp' ? 2_147_483_647 : limits.maxPageSize;
		limit = Math.min(intParam(query, 'limit', 100, 1, max), limits.maxPageSize);
		offset = intParam(query, 'offset', 0, 0, 2_147_483_647);
	}
	return { filter, sort, select, limit, offset, key: JSON.stringify([filter, sort]) };
}

/**
 * An object's key for a lower-case path part, the one `Object.keys(node).find((k) => k.toLowerCase() === part)`
 * finds (the first in `Object.keys` order). One per call (a list, a page): the answers for one list
 * of keys serve every later object with the same keys in the same order (a collection's resources,
 * made by one view), so a resource's keys are not lower-cased again for each item and path.
 */
export class KeyFinder {
	private readonly shapes: KeyShape[] = [];

	of(node: object): KeyShape {
		const keys = Object.keys(node);
		for (const shape of this.shapes) if (shape.is(keys)) return shape;
		const shape = new KeyShape(keys);
		if (this.shapes.length < 16) this.shapes.push(shape);
		return shape;
	}
}

/** One list of keys, and the key found in it for each path part asked so far. */
class KeyShape {
	private readonly found = new Map<string, string | undefined>();

	constructor(private readonly keys: readonly string[]) {}

	/** The same keys in the same order (the same key for every part). */
	is(keys: readonly string[]): boolean {
		if (keys.length !== this.keys.length) return false;
		for (let i = 0; i < keys.length; i++) if (keys[i] !== this.keys[i]) return false;
		return true;
	}

	key(part: string): string | undefined {
		let key = this.found.get(part);
		if (key === undefined && !this.found.has(part)) {
			key = this.keys.find((k) => k.toLowerCase() === part);
			this.found.set(part, key);
		}
		return key;
	}
}

/** The value at a lower-case dotted path, matching keys without regard to case (`keys`: the call's KeyFinder). */
export function valueAt(item: Json, path: string, keys?: KeyFinder): unknown {
	return valueAtParts(item, path.split('.'), keys);
}

function valueAtParts(item: Json, parts: readonly string[], keys?: KeyFinder): unknown {
	let node: unknown = item;
	for (const part of parts) {
		if (!node || typeof node !== 'object') return undefined;
		const key = keys ? keys.of(node).key(part) : Object.keys(node).find((k) => k.toLowerCase() === part);
		node = key === undefined ? undefined : (node as Json)[key];
	}
	return node;
}

/** `lowerA`, `lowerB`: `a`, `b` lower-cased when they are strings (a sort computes them once per item). */
function compare(a: unknown, b: unknown, collation: Collation, lowerA?: string, lowerB?: string): number {
	if (a === b) return 0;
	if (a === null || a === undefined) return -1;
	if (b === null || b === undefined) return 1;
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a === true || a === 'true') - Number(b === true || b === 'true');
	const x = String(a);
	const y = String(b);
	if (collation === 'ignorecase') {
		const xl = lowerA ?? x.toLowerCase();
		const yl = lowerB ?? y.toLowerCase();
		return xl < yl ? -1 : xl > yl ? 1 : 0;
	}
	if (collation === 'lexicographic') return x.localeCompare(y, 'en', { numeric: true, sensitivity: 'base' });
	return x < y ? -1 : x > y ? 1 : 0;
}

const same = (a: unknown, b: unknown, c: Collation) => (a === null || a === undefined ? b === null || b === undefined : compare(a, b, c) === 0);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

/** `get`: the item's value at a property path. */
function matches(get: (path: string) => unknown, e: FilterExpr): boolean {
	const c = e.collation ?? 'ordinal';
	switch (e.operation) {
		case 'and':
			return (e.items ?? []).every((i) => matches(get, i));
		case 'or':
			return (e.items ?? []).some((i) => matches(get, i));
		case 'exclusiveOr':
			return (e.items ?? []).filter((i) => matches(get, i)).length === 1;
		case 'not':
			return !(e.items ?? []).every((i) => matches(get, i));
		default:
			break;
	}
	const actual = get(e.property ?? '');
	const v = e.value;
	switch (e.operation) {
		case 'equals':
			return same(actual, v, c);
		case 'notEquals':
			return !same(actual, v, c);
		case 'in':
			return asList(v).some((x) => same(actual, x, c));
		case 'contains':
			if (Array.isArray(actual)) return actual.some((x) => same(x, v, c));
			if (typeof actual !== 'string') return false;
			return c === 'ordinal' ? actual.includes(String(v)) : actual.toLowerCase().includes(String(v).toLowerCase());
		case 'subset':
			return asList(actual).every((x) => asList(v).some((y) => same(x, y, c)));
		case 'superset':
			return asList(v).every((y) => asList(actual).some((x) => same(x, y, c)));
		case 'lessThan':
			return actual !== undefined && actual !== null && compare(actual, v, c) < 0;
		case 'lessThanOrEqual':
			return actual !== undefined && actual !== null && compare(actual, v, c) <= 0;
		case 'greaterThan':
			return actual !== undefined && actual !== null && compare(actual, v, c) > 0;
		default:
			return actual !== undefined && actual !== null && compare(actual, v, c) >= 0;
	}
}

/**
 * How a list of records is read: `view` renders a record as the resource; `fields` reads some
 * lower-case property paths straight from the record, each the value `valueAt(view(record), path)`
 * gives (test/sim checks it), so a list filtered and sorted on them renders no record.
 */
export interface RecordReader<T> {
	view: (record: T) => Json;
	fields: ReadonlyMap<string, (record: T) => unknown>;
}

/**
 * Filter, then sort (stable: ties keep the collection's order). The items are resources, or records
 * read by `reader`. Each item's sort values are read once (and lower-cased once for `ignorecase`),
 * then its index is sorted with the comparisons `compare` makes of the items' values.
 */
export function selectAndOrder(items: Json[], q: ListQuery): Json[];
export function selectAndOrder<T>(items: T[], q: ListQuery, reader: RecordReader<T>): T[];
export function selectAndOrder<T>(items: T[], q: ListQuery, reader?: RecordReader<T>): T[] {
	const keys = new KeyFinder();
	const split = new Map<string, string[]>();
	const read = (item: T): ((path: string) => unknown) => {
		let view: Json | undefined;
		return (path) => {
			const field = reader?.fields.get(path);
			if (field) return field(item);
			view ??= reader ? reader.view(item) : (item as Json);
			let parts = split.get(path);
			if (!parts) split.set(path, (parts = path.split('.')));
			return valueAtParts(view, parts, keys);
		};
	};
	const list = q.filter.length
		? items.filter((i) => {
				const get = read(i);
				return q.filter.every((e) => matches(get, e));
			})
		: items;
	if (!q.sort.length) return list;
	const sorts = q.sort;
	const values = sorts.map(() => new Array<unknown>(list.length));
	const lower = sorts.map((s) => (s.collation === 'ignorecase' ? new Array<string | undefined>(list.length) : undefined));
	for (let i = 0; i < list.length; i++) {
		const get = read(list[i]);
		for (let k = 0; k < sorts.length; k++) {
			const v = get(sorts[k].property);
			values[k][i] = v;
			const low = lower[k];
			if (low) low[i] = typeof v === 'string' ? v.toLowerCase() : undefined;
		}
	}
	const order = (i: number, j: number): number => {
		for (let k = 0; k < sorts.length; k++) {
			const low = lower[k];
			const r = compare(values[k][i], values[k][j], sorts[k].collation, low?.[i], low?.[j]);
			if (r !== 0) return sorts[k].descending ? -r : r;
		}
		return 0;
	};
	// A list already in order (records kept in id order, asked by id) is not sorted again: V8's sort
	// finds it one ascending run (each item compared with the one before: not less) and leaves it.
	let inOrder = true;
	for (let i = 1; i < list.length && inOrder; i++) inOrder = !(order(i, i - 1) < 0);
	if (inOrder) return [...list];
	return (byFirstKey(values[0], lower[0], sorts[0], order) ?? Array.from(list, (_, i) => i).sort(order)).map((i) => list[i]);
}

/**
 * The sorted indexes when the first key is a text on every item, compared ordinal or ignorecase,
 * and takes few values (users by
 * organization: 500 values for 50,000 users): the items grouped by it, the groups in its order,
 * each group sorted on its own by `order` (stable: ties keep the collection's order). The same
 * order as sorting every index by `order`, with fewer comparisons. Undefined otherwise.
 */
function byFirstKey(values: unknown[], lower: Array<string | undefined> | undefined, sort: SortExpr, order: (i: number, j: number) => number): number[] | undefined {
	// Grouped by the text itself (ordinal) or lower-cased (ignorecase); `lexicographic` ties other texts.
	if (values.length < 64 || (sort.collation !== 'ordinal' && sort.collation !== 'ignorecase')) return undefined;
	const groups = new Map<string, number[]>();
	for (let i = 0; i < values.length; i++) {
		const v = values[i];
		if (typeof v !== 'string') return undefined;
		const key = lower?.[i] ?? v;
		const group = groups.get(key);
		if (group) group.push(i);
		else if (groups.size * 8 > values.length) return undefined;
		else groups.set(key, [i]);
	}
	const keys = [...groups.keys()].sort((a, b) => compare(a, b, 'ordinal'));
	if (sort.descending) keys.reverse();
	const sorted: number[] = [];
	for (const key of keys) {
		const group = groups.get(key) as number[];
		if (group.length > 1) group.sort(order);
		for (const i of group) sorted.push(i);
	}
	return sorted;
}

/** Only the properties asked for (nested paths keep their parents). */
export function project(item: Json, select: string[] | undefined): Json {
	return projection(select)(item);
}

/** `project` for every item of a page: the paths split once, the keys found by one KeyFinder. */
export function projection(select: string[] | undefined): (item: Json) => Json {
	if (!select?.length) return (item) => item;
	const paths = select.map((path) => path.split('.'));
	const keys = new KeyFinder();
	return (item) => {
		const out: Json = {};
		let top: KeyShape | undefined;
		for (const parts of paths) {
			let src: unknown = item;
			let dst = out;
			for (let i = 0; i < parts.length; i++) {
				if (!src || typeof src !== 'object') break;
				const key = (i === 0 ? (top ??= keys.of(item)) : keys.of(src)).key(parts[i]);
				if (key === undefined) break;
				const value = (src as Json)[key];
				if (i === parts.length - 1) dst[key] = value;
				else {
					dst[key] ??= {};
					dst = dst[key] as Json;
					src = value;
				}
			}
		}
		return out;
	};
}

/** The values a top-level expression requires of `property` (lower case): equals, in, or an `or` of equals. */
function requiredValues(e: FilterExpr, property: string): string[] | undefined {
	if ((e.collation ?? 'ordinal') !== 'ordinal') return undefined;
	if (e.operation === 'or') {
		const parts = (e.items ?? []).map((i) => requiredValues(i, property));
		return parts.every((p) => p !== undefined) ? parts.flat() as string[] : undefined;
	}
	if (e.property !== property) return undefined;
	if (e.operation === 'equals' && typeof e.value === 'string') return [e.value];
	if (e.operation === 'in') return asList(e.value).filter((v): v is string => typeof v === 'string');
	return undefined;
}

/**
 * The values of `property` (lower case) the filter allows, when a top-level expression names them
 * (equals, in, or Veeam's `or` of equals): the list can start from an index (users by organization,
 * logins by user) instead of every resource.
 */
export function valuesFiltered(q: ListQuery, property: string): string[] | undefined {
	for (const e of q.filter) {
		const values = requiredValues(e, property);
		if (values) return [...new Set(values)];
	}
	return undefined;
}

/**
 * The envelope of a collection (`meta.pagingInfo`), `data` projected by `select`. `render` turns
 * the list's items into resources when the list holds records: only the page is rendered.
 */
export function pageAnswer<T>(list: T[], q: ListQuery, render?: (item: T) => Json): { status: number; body: Json } {
	const select = projection(q.select);
	const page = list.slice(q.offset, q.offset + q.limit).map((i) => select(render ? render(i) : (i as Json)));
	return { status: 200, body: { meta: { pagingInfo: { total: list.length, count: page.length, offset: q.offset } }, data: page } };
}
