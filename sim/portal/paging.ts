/**
 * The list query of Veeam Backup for AWS and for Microsoft Azure: `Offset`, `Limit`,
 * `SearchPattern` and `Sort` (repeated keys, `nameAsc` …). AWS REST help, "Offset Parameter" and
 * "Limit Parameter" (helpcenter.veeam.com/docs/vbaws/rest/offset.html, limit.html): search and sort
 * apply first, then Offset, then Limit. The rest is marked "Assumption".
 */
import { badRequest, wildcardMatcher } from '../core/http';
import { compareText } from '../vbgc/model';
import type { PortalAccount } from './accounts';

/**
 * Assumption: query names bind without regard to case, as ASP.NET Core's model binding does
 * (`offset=` is `Offset=`). All values of `name`, in order.
 */
export function queryValues(query: URLSearchParams, name: string): string[] {
	const wanted = name.toLowerCase();
	return [...query].filter(([k]) => k.toLowerCase() === wanted).map(([, v]) => v);
}

function queryValue(query: URLSearchParams, name: string): string | undefined {
	return queryValues(query, name)[0];
}

function integer(query: URLSearchParams, name: string, fallback: number, min: number): number {
	const raw = queryValue(query, name);
	if (raw === undefined || raw === '') return fallback;
	if (!/^-?\d+$/.test(raw)) throw badRequest(`The ${name} parameter must be an integer.`);
	const value = Number(raw);
	if (value < min) throw badRequest(`The ${name} parameter must be at least ${min}.`);
	if (value > 2_147_483_647) throw badRequest(`The ${name} parameter must be a 32-bit integer.`);
	return value;
}

export interface PageRequest {
	offset: number;
	/** -1: every item (the specs' `minimum: -1`). */
	limit: number;
}

/**
 * `Offset` (>= 0) and `Limit` (>= -1; -1 = all). `defaultLimit` when Limit is absent;
 * `maxPageSize`, when set, clamps the page (Limit -1 included).
 */
export function pageRequest(query: URLSearchParams, defaultLimit: number, maxPageSize?: number): PageRequest {
	const offset = integer(query, 'Offset', 0, 0);
	let limit = integer(query, 'Limit', defaultLimit, -1);
	if (maxPageSize !== undefined && (limit === -1 || limit > maxPageSize)) limit = maxPageSize;
	return { offset, limit };
}

export function pageOf<T>(list: readonly T[], page: PageRequest): T[] {
	return page.limit === -1 ? list.slice(page.offset) : list.slice(page.offset, page.offset + page.limit);
}

/**
 * `SearchPattern` on the name, case-insensitive. With `*` or `?`: a whole-name wildcard pattern;
 * without: names containing it. Assumption (Veeam documents "names match the specified search
 * pattern" only): the VBGC sim's reading, a plain word as "contains".
 */
export function searchFilter(query: URLSearchParams): ((name: string) => boolean) | undefined {
	const pattern = queryValue(query, 'SearchPattern');
	if (pattern === undefined || pattern === '') return undefined;
	if (/[*?]/.test(pattern)) return wildcardMatcher(pattern);
	const needle = pattern.toLowerCase();
	return (name) => name.toLowerCase().includes(needle);
}

/** A sort column: how to read it from an account. Booleans sort false first when ascending. */
export type SortColumns<T> = Record<string, (user: T) => string | boolean>;

interface SortKey<T> {
	read: (user: T) => string | boolean;
	descending: boolean;
}

/**
 * `Sort` as repeated keys (`Sort=roleAsc&Sort=nameDesc`), the first the primary order. A value
 * that is not `<column>Asc` / `<column>Desc` gets 400, a comma-joined one too (ASP.NET binds an
 * array from repeated keys; `a,b` is no enum value). Values match without regard to case.
 */
export function parseSort<T>(query: URLSearchParams, columns: SortColumns<T>): SortKey<T>[] {
	return queryValues(query, 'Sort')
		.filter((v) => v !== '')
		.map((value) => {
			const match = /^(.+?)(asc|desc)$/i.exec(value);
			const column = match && Object.keys(columns).find((c) => c.toLowerCase() === match[1].toLowerCase());
			if (!match || !column) {
				const allowed = Object.keys(columns).flatMap((c) => [`${c}Asc`, `${c}Desc`]);
				throw badRequest(`The Sort value "${value}" is not valid. Valid values: ${allowed.join(', ')}.`);
			}
			return { read: columns[column], descending: match[2].toLowerCase() === 'desc' };
		});
}

function compareValues(a: string | boolean, b: string | boolean): number {
	if (typeof a === 'boolean' || typeof b === 'boolean') return Number(a) - Number(b);
	return compareText(a, b);
}

/** `list` is sorted by name already; ties keep that order (Array#sort is stable). */
export function sortAccounts<T extends PortalAccount>(list: T[], keys: SortKey<T>[]): T[] {
	if (keys.length === 0) return list;
	return [...list].sort((x, y) => {
		for (const k of keys) {
			const c = compareValues(k.read(x), k.read(y));
			if (c !== 0) return k.descending ? -c : c;
		}
		return 0;
	});
}
