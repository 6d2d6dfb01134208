/**
 * VBGC's `filter` and `orderby` query parameters over the simulator's users: Veeam's JSON syntax
 * (REST reference, "Filter Parameter", "Orderby Parameter"), with the operators a user list needs.
 */
import { badRequest } from '../core/http';
import { compareText, type VbgcUser } from './model';

export const USER_PROPERTIES = ['name', 'description', 'mfaEnabled', 'type'] as const;
export type UserProperty = (typeof USER_PROPERTIES)[number];
const FILTER_OPERATORS = ['equals', 'notEquals', 'contains', 'in', 'like'] as const;
type FilterOperator = (typeof FILTER_OPERATORS)[number];

export interface FilterClause {
	property: UserProperty;
	operator: FilterOperator;
	ignoreCase: boolean;
	values: string[];
}

export interface OrderClause {
	property: UserProperty;
	descending: boolean;
}

function propertyValue(user: VbgcUser, property: UserProperty): string {
	switch (property) {
		case 'name':
			return user.name;
		case 'description':
			return user.description;
		case 'mfaEnabled':
			return String(Boolean(user.mfa));
		case 'type':
			return user.type;
	}
}

function findProperty(raw: unknown, what: string): UserProperty {
	const found = USER_PROPERTIES.find((p) => typeof raw === 'string' && p.toLowerCase() === raw.toLowerCase());
	if (!found) throw badRequest(`The ${what} property must be one of ${USER_PROPERTIES.join(', ')}.`);
	return found;
}

/**
 * Veeam's filter syntax: a JSON array of `{ property, operator, ignorecase, value }`, every
 * entry must hold. The simulator implements the operators a user list needs (equals, notEquals,
 * contains, in with an array value, like with `*` and `?` wildcards); the others VBGC lists
 * (greaterThan…, and/or…) answer 400 here. Assumption: `ignorecase` left out means false
 * (case-sensitive); `mfaEnabled` is a boolean and compares without case either way.
 */
export function parseFilter(raw: string | null): FilterClause[] {
	if (raw === null || raw.trim() === '') return [];
	let parsed: unknown;
	try {
		parsed = JSON.parse(raw);
	} catch {
		throw badRequest('The filter parameter must be a JSON array of {property, operator, ignorecase, value} objects.');
	}
	if (!Array.isArray(parsed)) {
		throw badRequest('The filter parameter must be a JSON array of {property, operator, ignorecase, value} objects.');
	}
	return parsed.map((entry: unknown) => {
		if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
			throw badRequest('Each filter entry must be an object with property, operator, ignorecase and value.');
		}
		const e = entry as Record<string, unknown>;
		const property = findProperty(e.property, 'filter');
		const operator = FILTER_OPERATORS.find((o) => typeof e.operator === 'string' && o.toLowerCase() === e.operator.toLowerCase());
		if (!operator) throw badRequest(`The filter operator must be one of ${FILTER_OPERATORS.join(', ')}.`);
		let ignoreCase = false;
		if (e.ignorecase !== undefined) {
			if (e.ignorecase === true || /^true$/i.test(String(e.ignorecase))) ignoreCase = true;
			else if (!(e.ignorecase === false || /^false$/i.test(String(e.ignorecase)))) {
				throw badRequest('The filter ignorecase value must be true or false.');
			}
		}
		const rawValues = operator === 'in' ? e.value : [e.value];
		if (!Array.isArray(rawValues) || (operator === 'in' && rawValues.length === 0)) {
			throw badRequest('The in operator takes an array of values.');
		}
		const values = rawValues.map((v: unknown) => {
			if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
				throw badRequest(`The filter value for ${property} must be a string${operator === 'in' ? ' array' : ''}.`);
			}
			return String(v);
		});
		if (property === 'mfaEnabled') {
			if (!values.every((v) => /^(true|false)$/i.test(v))) throw badRequest('The mfaEnabled filter value must be true or false.');
			// A boolean is not text: its case never matters.
			return { property, operator, ignoreCase: true, values };
		}
		return { property, operator, ignoreCase, values };
	});
}

export function clauseTest(clause: FilterClause): (user: VbgcUser) => boolean {
	const fold = (s: string) => (clause.ignoreCase ? s.toLowerCase() : s);
	const values = clause.values.map(fold);
	const get = (u: VbgcUser) => fold(propertyValue(u, clause.property));
	switch (clause.operator) {
		case 'equals':
			return (u) => get(u) === values[0];
		case 'notEquals':
			return (u) => get(u) !== values[0];
		case 'contains':
			return (u) => get(u).includes(values[0]);
		case 'in':
			return (u) => values.includes(get(u));
		case 'like': {
			const pattern = clause.values[0].replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
			const re = new RegExp(`^${pattern}$`, clause.ignoreCase ? 'is' : 's');
			return (u) => re.test(propertyValue(u, clause.property));
		}
	}
}

/** `orderby=[{"property":"name","direction":"ASC"}]`; several entries sort by each in turn. */
export function parseOrderBy(raw: string | null): OrderClause[] {
	if (raw === null || raw.trim() === '') return [];
	let parsed: unknown;
	try {
		parsed = JSON.parse(raw);
	} catch {
		throw badRequest('The orderby parameter must be a JSON array of {property, direction} objects.');
	}
	if (!Array.isArray(parsed)) throw badRequest('The orderby parameter must be a JSON array of {property, direction} objects.');
	return parsed.map((entry: unknown) => {
		if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
			throw badRequest('Each orderby entry must be an object with property and direction.');
		}
		const e = entry as Record<string, unknown>;
		const property = findProperty(e.property, 'orderby');
		const direction = e.direction === undefined ? 'ASC' : String(e.direction).toUpperCase();
		if (direction !== 'ASC' && direction !== 'DESC') throw badRequest('The orderby direction must be ASC or DESC.');
		return { property, descending: direction === 'DESC' };
	});
}

/** `list` is sorted by name already; ties keep that order (Array#sort is stable). */
export function sortUsers(list: VbgcUser[], order: OrderClause[]): VbgcUser[] {
	if (order.length === 0 || (order.length === 1 && order[0].property === 'name' && !order[0].descending)) return list;
	if (order.length === 1 && order[0].property === 'name') return [...list].reverse();
	return [...list].sort((a, b) => {
		for (const o of order) {
			const c = compareText(propertyValue(a, o.property), propertyValue(b, o.property));
			if (c !== 0) return o.descending ? -c : c;
		}
		return 0;
	});
}
