/**
 * VSPC's `filter` and `sort` query parameters: JSON arrays in the query string, as Veeam's "Filter
 * Parameter" page writes them (https://helpcenter.veeam.com/docs/vac/rest/filter.html:
 * `?filter=[{"property":"<property>","operation":"<operation>","collation":"<collation>","value":"<value>"}]`,
 * collation ordinal (default) | ignorecase | lexicographic; operations contains, equals, or …; the
 * spec's FilterExpression and SortExpression `{property, direction: ascending|descending, collation}`).
 *
 * The server filters what it can; the whole filter is applied to its answers as well
 * (userFilter.ts), so a server that ignores or misreads a part changes only the cost.
 */
import type { UserFilter, UserListOptions } from '../model';
import { vspcRole } from './vspcRoles';

export interface FilterExpression {
	property?: string;
	operation: 'or' | 'contains' | 'equals';
	collation?: 'ignorecase';
	value?: string;
	items?: FilterExpression[];
}

/**
 * At most this many values go to the server in one `or` (a longer list is filtered here only):
 * the query string stays a few kilobytes.
 */
export const MAX_OR_VALUES = 50;

/**
 * `property` equal to one of `values`: `equals` for one, else `or` of `equals` items, as Veeam's
 * own example for "one of several roles" writes it (the 3.6.1 Overview, "Filter Parameter":
 * `[{"operation":"or","items":[{"property":"role","operation":"equals","value":"PortalAdministrator"},…]}]`;
 * no Veeam text shows `in`'s value form: audit #15). Undefined past MAX_OR_VALUES.
 */
export function oneOf(property: string, values: readonly string[]): FilterExpression | undefined {
	if (values.length === 0 || values.length > MAX_OR_VALUES) return undefined;
	const items = values.map((value): FilterExpression => ({ property, operation: 'equals', value }));
	return items.length === 1 ? items[0] : { operation: 'or', items };
}

/**
 * The longest run of a name pattern without `*` or `?`: with wildcards the server is asked for the
 * names containing it (VSPC has no wildcard operator) and the pattern itself is checked here.
 */
function literalPart(pattern: string): string {
	return pattern.split(/[*?]+/).reduce((longest, part) => (part.length > longest.length ? part : longest), '');
}

/** The expressions the server can apply for `filter` (all must hold: Veeam's top-level array). */
export function userFilterExpressions(filter: UserFilter): FilterExpression[] {
	const expressions: FilterExpression[] = [];
	if (filter.namePattern) {
		const literal = literalPart(filter.namePattern);
		if (literal) expressions.push({ property: 'userName', operation: 'contains', collation: 'ignorecase', value: literal });
	}
	const orgs = filter.organizationUids?.filter((u) => u.trim() !== '');
	const inOrgs = orgs ? oneOf('organizationUid', orgs) : undefined;
	if (inOrgs) expressions.push(inOrgs);
	if (filter.status) expressions.push({ property: 'status', operation: 'equals', collation: 'ignorecase', value: filter.status });
	// A role asked for by its API value or its name; one this package does not know is checked here only.
	const role = (filter.roleId ? vspcRole(filter.roleId) : undefined) ?? (filter.roleName ? vspcRole(filter.roleName) : undefined);
	if (role) expressions.push({ property: 'role', operation: 'equals', value: role.id });
	if (filter.mfaEnabled !== undefined) {
		expressions.push(oneOf('mfaPolicyStatus', filter.mfaEnabled ? ['Enabled', 'EnabledByInheritance'] : ['Disabled']) as FilterExpression);
	}
	return expressions;
}

/** The `filter` query value, or undefined when nothing is filtered. */
export function filterParam(expressions: readonly FilterExpression[]): string | undefined {
	return expressions.length ? JSON.stringify(expressions) : undefined;
}

/**
 * The users' order: by name (ignoring case), then by UID so that every page of a list has one
 * order even among equal names (pages neither overlap nor skip users).
 */
export function userSortParam(sort?: UserListOptions['sort']): string {
	const direction = sort?.descending ? 'descending' : 'ascending';
	return JSON.stringify([
		{ property: 'userName', direction, collation: 'ignorecase' },
		{ property: 'instanceUid', direction },
	]);
}

/** Logins in one order on every page: by their ID. */
export const LOGIN_SORT = JSON.stringify([{ property: 'id', direction: 'ascending' }]);

/**
 * The trigger's lists in the order its stored state keeps users (nodes/VeeamTrigger/vspcState.ts:
 * by organization, then name): users by `organizationUid`, logins by `companyId` (the UserLogin's
 * organization, the 3.6.1 spec), each then by user name and by a unique key, so that every page
 * has one order. Each user (and login) is then made in memory next to the previous one of its
 * organization, and the poll's comparison with the stored state and the writing of the new state
 * walk memory in order: at 50,000 users across 500 companies that took about a third off their
 * time (bench/vspc.ts). The order is asked for, never relied on: the trigger sorts for itself.
 */
export const USER_SORT_BY_ORGANIZATION = JSON.stringify([
	{ property: 'organizationUid', direction: 'ascending' },
	{ property: 'userName', direction: 'ascending', collation: 'ignorecase' },
	{ property: 'instanceUid', direction: 'ascending' },
]);
export const LOGIN_SORT_BY_ORGANIZATION = JSON.stringify([
	{ property: 'companyId', direction: 'ascending' },
	{ property: 'userName', direction: 'ascending', collation: 'ignorecase' },
	{ property: 'id', direction: 'ascending' },
]);

/** `select`'s value: Veeam's array of `{"propertyPath": …}` (the spec's SelectExpression). */
function selectParam(paths: readonly string[]): string {
	return JSON.stringify(paths.map((propertyPath) => ({ propertyPath })));
}

/**
 * The login fields a page of every login needs (VspcAccess.listLoginsPage: the trigger keeps a
 * login's ID, user, kind, description, status, scopes and read-only flag), asked with `select`
 * (Veeam's "Select Parameter": `select=[{"propertyPath":"instanceUid"},…]`; GetLogins takes it, the
 * 3.6.1 spec's SelectExpression): half the bytes of a login as listed (its userName, company,
 * parameters, identifierInProvider and creationDate stay on the server). A server that ignores
 * `select` sends whole logins, read the same way.
 */
export const LOGIN_PAGE_SELECT = selectParam(['id', 'userUid', 'identityProviderName', 'description', 'status', 'scopes', 'isReadAccessOnly']);

/**
 * The user fields a page of every user needs for the trigger (VspcAccess.usersPage with `profile:
 * false`): what userOf reads, without the profile and the credentials, asked with `select` as the
 * logins' pages are (Veeam's "Select Parameter", https://helpcenter.veeam.com/docs/vac/rest/select.html;
 * GetUsers takes it, the 3.6.1 spec): 40 % fewer bytes than a user as listed. The trigger compares
 * none of the profile; the users it emits get theirs by a look-up (nodes/VeeamTrigger/vspcProfiles.ts).
 * `credentials.userName` (userOf's fallback for a missing `userName`, which no Veeam example lacks)
 * is not asked: a page with a user without `userName` is asked again whole (vspcClient.ts). A
 * server that ignores `select` sends whole users, read the same way.
 */
export const USER_PAGE_SELECT = selectParam(['instanceUid', 'organizationUid', 'userName', 'status', 'mfaPolicyStatus', 'mfaPolicyConfigurationStatus', 'role']);
