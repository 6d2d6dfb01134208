/**
 * The reference for test/sim/vspcQuery*.test.ts: sim/vspc/query.ts's `valueAt`, `compare`,
 * `matches`, `selectAndOrder` and `project` as they were before issue 28 made them cheaper
 * (commit b3e4af7), copied unchanged but for the `export`s and types. The simulator's answers must stay
 * these functions' answers, item for item and in the same order.
 */
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

export interface ReferenceQuery {
	filter: FilterExpr[];
	sort: SortExpr[];
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

export function compare(a: unknown, b: unknown, collation: Collation): number {
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
export function selectAndOrder(items: Json[], q: ReferenceQuery): Json[] {
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
