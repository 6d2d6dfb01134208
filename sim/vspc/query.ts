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

/** The value at a lower-case dotted path, matching keys without regard to case. */
export function valueAt(item: Json, path: string): unknown {
	let node: unknown = item;
	for (const part of path.split('.')) {
		if (!node || typeof node !== 'object') return undefined;
		const key = Object.keys(node).find((k) => k.toLowerCase() === part);
		node = key === undefined ? undefined : (node as Json)[key];
	}
	return node;
}

function compare(a: unknown, b: unknown, collation: Collation): number {
	if (a === b) return 0;
	if (a === null || a === undefined) return -1;
	if (b === null || b === undefined) return 1;
	if (typeof a === 'number' && typeof b === 'number') return a - b;
	if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a === true || a === 'true') - Number(b === true || b === 'true');
	const x = String(a);
	const y = String(b);
	if (collation === 'ignorecase') return x.toLowerCase() < y.toLowerCase() ? -1 : x.toLowerCase() > y.toLowerCase() ? 1 : 0;
	if (collation === 'lexicographic') return x.localeCompare(y, 'en', { numeric: true, sensitivity: 'base' });
	return x < y ? -1 : x > y ? 1 : 0;
}

const same = (a: unknown, b: unknown, c: Collation) => (a === null || a === undefined ? b === null || b === undefined : compare(a, b, c) === 0);
const asList = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);

function matches(item: Json, e: FilterExpr): boolean {
	const c = e.collation ?? 'ordinal';
	switch (e.operation) {
		case 'and':
			return (e.items ?? []).every((i) => matches(item, i));
		case 'or':
			return (e.items ?? []).some((i) => matches(item, i));
		case 'exclusiveOr':
			return (e.items ?? []).filter((i) => matches(item, i)).length === 1;
		case 'not':
			return !(e.items ?? []).every((i) => matches(item, i));
		default:
			break;
	}
	const actual = valueAt(item, e.property ?? '');
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

/** Filter, then sort (stable: ties keep the collection's order). */
export function selectAndOrder(items: Json[], q: ListQuery): Json[] {
	let list = q.filter.length ? items.filter((i) => q.filter.every((e) => matches(i, e))) : items;
	if (q.sort.length) {
		list = [...list].sort((x, y) => {
			for (const s of q.sort) {
				const r = compare(valueAt(x, s.property), valueAt(y, s.property), s.collation);
				if (r !== 0) return s.descending ? -r : r;
			}
			return 0;
		});
	}
	return list;
}

/** Only the properties asked for (nested paths keep their parents). */
export function project(item: Json, select: string[] | undefined): Json {
	if (!select?.length) return item;
	const out: Json = {};
	for (const path of select) {
		const parts = path.split('.');
		let src: unknown = item;
		let dst = out;
		for (let i = 0; i < parts.length; i++) {
			if (!src || typeof src !== 'object') break;
			const key = Object.keys(src).find((k) => k.toLowerCase() === parts[i]);
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
 * the list's items into resources, when the list holds records (no filter or sort needed them):
 * only the page is rendered.
 */
export function pageAnswer<T>(list: T[], q: ListQuery, render?: (item: T) => Json): { status: number; body: Json } {
	const page = list.slice(q.offset, q.offset + q.limit).map((i) => project(render ? render(i) : (i as Json), q.select));
	return { status: 200, body: { meta: { pagingInfo: { total: list.length, count: page.length, offset: q.offset } }, data: page } };
}
