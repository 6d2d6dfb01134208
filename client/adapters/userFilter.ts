/**
 * A filter the user asked for holds whatever the server does with it. Each product's list takes
 * its filters as query parameters, and a server ignores parameters it does not know (Azure v8's
 * user list takes only `NameFilter`, `Offset`, `Limit`: a `SearchPattern` brings every user).
 * So every answer is filtered here too, with the meaning the node documents for the product, and
 * ordered here where the server cannot order (see paging.ts, readUserPages).
 */
import type { NamePatternKind, UserDirectory, UserFilter, UserListOptions, VeeamUser } from '../model';
import type { Page, UserListCheck } from './paging';

/** `*` any run of characters, `?` one, over the whole name, ignoring case. */
function wildcardTest(pattern: string): (name: string) => boolean {
	const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
	const re = new RegExp(`^${source}$`, 'is');
	return (name) => re.test(name);
}

/**
 * The name pattern as a test of a name. `wholeName` (VBR): the whole name, `*` and `?` wildcards.
 * `containsUnlessWildcard` (VBGC, AWS, Azure): with `*` or `?` the same, without them any name
 * containing the text. Both ignore case.
 */
export function namePatternTest(pattern: string, kind: NamePatternKind = 'containsUnlessWildcard'): (name: string) => boolean {
	if (kind === 'wholeName' || /[*?]/.test(pattern)) return wildcardTest(pattern);
	const text = pattern.toLowerCase();
	return (name) => name.toLowerCase().includes(text);
}

/** Veeam's names and IDs compare without regard to case. */
export const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** The filter as a test of one user; undefined when it filters nothing. */
export function userFilterTest(filter: UserFilter = {}, kind?: NamePatternKind): ((user: VeeamUser) => boolean) | undefined {
	const tests: ((u: VeeamUser) => boolean)[] = [];
	if (filter.namePattern) {
		const name = namePatternTest(filter.namePattern, kind);
		tests.push((u) => name(u.name));
	}
	const types = filter.types;
	if (types?.length) tests.push((u) => types.some((t) => sameName(t, u.type)));
	const { roleId, roleName, isServiceAccount, mfaEnabled } = filter;
	if (roleId) tests.push((u) => u.roles.some((r) => sameName(r.id, roleId)));
	if (roleName) tests.push((u) => u.roles.some((r) => sameName(r.name, roleName)));
	if (isServiceAccount !== undefined) tests.push((u) => (u.isServiceAccount ?? false) === isServiceAccount);
	// A user whose MFA state the server does not say matches neither answer.
	if (mfaEnabled !== undefined) tests.push((u) => u.mfaEnabled === mfaEnabled);
	// VSPC: the user's organization and status (a user whose answer lacks them matches neither).
	const { organizationUids, status } = filter;
	if (organizationUids?.length) tests.push((u) => u.organization !== undefined && organizationUids.some((o) => sameName(o, u.organization?.uid ?? '')));
	if (status) tests.push((u) => u.status !== undefined && sameName(u.status, status));
	if (tests.length === 0) return undefined;
	return (u) => tests.every((t) => t(u));
}

/** Names by letters first, then exactly (so the order is total). */
function compareText(a: string, b: string): number {
	const la = a.toLowerCase();
	const lb = b.toLowerCase();
	if (la !== lb) return la < lb ? -1 : 1;
	return a < b ? -1 : a > b ? 1 : 0;
}

/** The order asked for (default: by name, ascending), ties by name. */
export function userComparator(sort: UserListOptions['sort']): (a: VeeamUser, b: VeeamUser) => number {
	const property = sort?.property ?? 'name';
	const value = (u: VeeamUser): string => {
		switch (property) {
			case 'name':
				return u.name;
			case 'type':
				return u.type;
			case 'description':
				return u.description ?? '';
			case 'mfaEnabled':
				return u.mfaEnabled === undefined ? '' : String(u.mfaEnabled);
		}
	};
	const sign = sort?.descending ? -1 : 1;
	return (a, b) => sign * (compareText(value(a), value(b)) || compareText(a.name, b.name));
}

/** What readUserPages checks a directory's answers against: its filter, and its order where the server cannot order. */
export function userListCheck(
	directory: Pick<UserDirectory, 'product' | 'namePatternKind' | 'listSorts'>,
	filter: UserFilter = {},
	sort?: UserListOptions['sort'],
): UserListCheck {
	return { matches: userFilterTest(filter, directory.namePatternKind), compare: userComparator(sort), serverSorts: directory.listSorts !== false };
}

/** One page for list search, its users checked against the filter; `next` counts every user the server sent. */
export function matchingPage(
	directory: Pick<UserDirectory, 'product' | 'namePatternKind'>,
	filter: UserFilter,
	skip: number,
	page: Page<VeeamUser>,
): { users: VeeamUser[]; total: number; next: number } {
	const matches = userFilterTest(filter, directory.namePatternKind);
	return {
		users: matches ? page.items.filter(matches) : page.items,
		total: page.total ?? skip + page.items.length,
		next: skip + page.items.length,
	};
}
