/**
 * Reading a Veeam Service Provider Console for the trigger: every user of every organization
 * (`GET /users`) and, when login events are chosen, every login (`GET /users/logins`), both lists
 * at once and each with its pages in parallel once its first page gave the total (pages.ts).
 *
 * Nothing read is taken for more than it shows (issue 28: "never report a change the server does
 * not show; a partial read must not emit removals"):
 * - a user the listing lacks is looked up before it is called removed, as on every product
 *   (listing.ts), 50 to a request (`GET /users` filtered by `instanceUid`; one by one with
 *   `GET /users/{uid}` where the server's answer is not exactly that), and, when found, its logins
 *   are read directly too;
 * - a login the listing lacks is confirmed by reading that user's logins directly
 *   (`GET /users/{uid}/logins`) before it is called removed; a user gone by then keeps its last
 *   known logins (its removal is the next poll's event, after its own look-up);
 * - when the logins listing failed a check (a total that moved, a short page, a login twice), the
 *   logins of the users new in this poll are read directly as well: a login skipped while the list
 *   shifted would otherwise be reported later as added;
 * - a page that fails fails the poll: nothing emitted, the snapshot unchanged.
 */
import type { INode } from 'n8n-workflow';

import type { UserDirectory, VeeamUser } from '../../client/model';
import type { VspcAccess, VspcLogin, VspcOrganization } from '../../client/vspcModel';
import { indexOrganizations, userOrganization } from '../../client/adapters/vspcRead';
import { runPool } from '../../client/pool';
import { diffUser, loginChanges, type Comparison, type TrackedLogin, type TrackedUser } from './diff';
import { refreshUsers, UserInterner, VERIFY_CONCURRENCY } from './listing';
import { readPagesInParallel, type ParallelOptions } from './pages';
import { byId } from './vspcState';

export interface VspcRead {
	users: Map<string, TrackedUser>;
	/** The logins were read (login events chosen). */
	logins: boolean;
	usersConsistent: boolean;
	loginsConsistent: boolean;
	/** What a listing that failed its checks showed, for the log. */
	problems: string[];
	/** Page requests (both lists, every attempt). */
	pageRequests: number;
}

/** A login of the list as read: its ID, its user's UID (lower case) and what the trigger keeps of it. */
interface ListedLogin {
	id: string;
	userKey: string;
	login: TrackedLogin;
}

/**
 * The texts and scope lists a poll's users and logins repeat ("Enabled", "VSPC", "Created with the
 * user.", ["integration", "rest", "ui"] …), one of each kept: each page's own copies die young
 * instead of being carried by 50,000 users and 55,000 logins through every garbage collection of
 * the poll. Per poll (no module state); scope lists frozen, as they are shared.
 */
export class SharedValues {
	private readonly texts = new Map<string, string>();
	private readonly lists = new Map<string, readonly string[]>();

	text<T extends string | undefined>(value: T): T {
		if (value === undefined) return value;
		const kept = this.texts.get(value);
		if (kept !== undefined) return kept as T;
		this.texts.set(value, value);
		return value;
	}

	scopes(list: string[]): string[] {
		// JSON: one key per list whatever its texts hold (a join could take ['a\nb'] for ['a', 'b']).
		const key = JSON.stringify(list);
		let kept = this.lists.get(key);
		if (kept === undefined) this.lists.set(key, (kept = Object.freeze(list)));
		return kept as string[];
	}
}

/** Values kept as read: each login its own texts and its own scope list (the adapter made it for this login). */
const AS_READ: Pick<SharedValues, 'text' | 'scopes'> = { text: (value) => value, scopes: (list) => list };

/** A login as the trigger tracks and shows it (what the list says; VSPC's list carries no secret). */
export function trackedLogin(login: VspcLogin, shared: Pick<SharedValues, 'text' | 'scopes'> = AS_READ): TrackedLogin {
	// Built field by field in this order (no spread of small objects: 55,000 logins per poll).
	const tracked = { id: login.id, kind: login.kind, provider: shared.text(login.provider) } as TrackedLogin;
	if (login.description !== undefined) tracked.description = shared.text(login.description);
	tracked.status = shared.text(login.status);
	tracked.scopes = shared.scopes(login.scopes);
	if (login.isReadAccessOnly !== undefined) tracked.isReadAccessOnly = login.isReadAccessOnly;
	if (login.status === 'disabled') tracked.disabled = true;
	return tracked;
}

function vspcAccess(directory: UserDirectory): VspcAccess {
	const access = directory.vspc?.();
	if (!access) throw new Error('the VSPC directory offers no VSPC calls');
	return access;
}

/** Every user (and, with `logins`, each user's logins), both lists read at once. */
export async function readVspcUsers(directory: UserDirectory, node: INode, { logins }: { logins: boolean }, options: Partial<ParallelOptions> = {}): Promise<VspcRead> {
	const access = logins ? vspcAccess(directory) : undefined;
	// The first pages of both lists and the organizations are asked for at once (the users' pages
	// need the organizations: vspcClient.ts). Without a token yet, the execution's first request
	// logs in alone and the others follow it (RequestGroup.whileLoggingIn).
	// Each page's users and logins are made what the trigger keeps as the page arrives (role lists
	// and organizations shared, logins as tracked), so that what a page brought and the trigger does
	// not keep dies young: 50,000 users and 55,000 logins are read in one poll.
	const interner = new UserInterner();
	const shared = new SharedValues();
	const organizations = new Map<string, NonNullable<VeeamUser['organization']>>();
	const keep = (user: VeeamUser): VeeamUser => {
		interner.intern(user);
		if (user.status !== undefined) user.status = shared.text(user.status);
		if (user.mfaPolicy !== undefined) user.mfaPolicy = shared.text(user.mfaPolicy);
		const org = user.organization;
		if (org) {
			// One object per organization as sent (UID, name and type alike): users never change it.
			const seen = organizations.get(org.uid);
			if (seen === undefined) organizations.set(org.uid, org);
			else if (seen.name === org.name && seen.type === org.type) user.organization = seen;
		}
		return user;
	};
	// Once a page of either list fails, the poll fails: neither list asks for another page (those in
	// flight are awaited), so a refused read costs no more than the requests already under way.
	let failed: { error: unknown } | undefined;
	const guarded =
		<P>(fetch: (offset: number, limit: number) => Promise<P>) =>
		async (offset: number, limit: number): Promise<P> => {
			if (failed) return await Promise.reject(failed.error as Error);
			return await fetch(offset, limit).catch(async (error: unknown) => {
				failed ??= { error };
				return await Promise.reject(error as Error);
			});
		};
	// The VSPC page read gives the total as sent (absent when the server sends none: then pages.ts
	// reads page after page); listUsersPage, the fallback, fills a missing total in.
	const raw = directory.vspc?.();
	// The organizations are read beside the pages, which do not wait for them (the users' pages go
	// on from the first one's total while the organization list, 2 pages at 501, is still read):
	// attached to the users once both are in. A failed read stops the pages as a failed page does.
	const organizationsRead = raw?.usersPage
		? raw.organizations().then(
				(list) => ({ list }),
				(error: unknown) => {
					failed ??= { error };
					return { error };
				},
			)
		: undefined;
	const readUsers = readPagesInParallel(
		guarded(async (offset, limit) => {
			if (raw?.usersPage) {
				// In the order the state keeps users (vspcQuery.ts USER_SORT_BY_ORGANIZATION): made in memory in that order.
				const page = await raw.usersPage(offset, limit, { profile: false, byOrganization: true, organizations: false });
				return { items: (page.users as VeeamUser[]).map(keep), total: page.total };
			}
			const page = await directory.listUsersPage({}, offset, limit);
			return { items: page.users.map(keep), total: page.total };
		}),
		(u: VeeamUser) => u.ref.toLowerCase(),
		{ ...options, node, what: 'users' },
	);
	const listedLogin = (login: VspcLogin): ListedLogin => ({ id: login.id, userKey: login.userUid.toLowerCase(), login: trackedLogin(login, shared) });
	const readLogins = access
		? access.listLoginsPage
			? readPagesInParallel(
					guarded(async (offset, limit) => {
						const page = await (access.listLoginsPage as NonNullable<VspcAccess['listLoginsPage']>)(offset, limit);
						return { items: page.logins.map(listedLogin), total: page.total };
					}),
					(l: ListedLogin) => l.id,
					{ ...options, node, what: 'logins' },
				)
			: // Without a page read the adapter pages itself: nothing to check, so never called consistent.
				access.listLogins().then((list) => ({ items: new Map(list.map((l) => [l.id, listedLogin(l)])), consistent: false, problem: 'read by the adapter', requests: 0, attempts: 1 }))
		: undefined;
	// Both in flight at once; a failure of either fails the poll (the other is awaited, so that no request outlives it).
	const [usersRead, loginsRead, organizationsOutcome] = await Promise.allSettled([readUsers, readLogins ?? Promise.resolve(undefined), organizationsRead]);
	const organizationList = organizationsOutcome.status === 'fulfilled' ? organizationsOutcome.value : undefined;
	if (organizationList && 'error' in organizationList) throw organizationList.error;
	if (usersRead.status === 'rejected') throw usersRead.reason;
	if (loginsRead.status === 'rejected') throw loginsRead.reason;
	const listed = usersRead.value;
	if (organizationList) attachOrganizations(listed.items.values(), organizationList.list);
	// By UID as sent: the reading's own map (keyed by lower-cased UID) where every key is its user's
	// UID already, as VSPC sends them; else a map made anew.
	let users: Map<string, TrackedUser> = listed.items;
	for (const [key, user] of listed.items) {
		if (key === user.ref) continue;
		users = new Map();
		for (const u of listed.items.values()) users.set(u.ref, u);
		break;
	}
	const problems = listed.problem ? [`users: ${listed.problem}`] : [];
	const loginList = loginsRead.value;
	if (loginList) {
		if (loginList.problem) problems.push(`logins: ${loginList.problem}`);
		const byUser = new Map<string, TrackedLogin[]>();
		for (const { userKey, login } of loginList.items.values()) {
			const list = byUser.get(userKey);
			if (list) list.push(login);
			else byUser.set(userKey, [login]);
		}
		// Each user's logins in the stored order (by ID), whatever order the server sent them in.
		for (const list of byUser.values()) if (list.length > 1) list.sort(byId);
		for (const [key, user] of listed.items) (user as TrackedUser).logins = byUser.get(key) ?? [];
	}
	return {
		users,
		logins: loginList !== undefined,
		usersConsistent: listed.consistent,
		loginsConsistent: loginList?.consistent ?? true,
		problems,
		pageRequests: listed.requests + (loginList?.requests ?? 0),
	};
}

/**
 * The organizations of users read without them (VspcAccess.usersPage `organizations: false`), as
 * userOf gives them with the organization list: a user whose organization the list has gets its
 * type and `{ uid, name, type }` (one object per organization UID as the users carry it); one the
 * list lacks (a company since removed) stays `Unknown`, its organization its UID alone.
 */
export function attachOrganizations(users: Iterable<VeeamUser>, list: readonly VspcOrganization[]): void {
	const index = indexOrganizations(list);
	const byUid = new Map<string, { organization: NonNullable<VeeamUser['organization']>; type: string } | null>();
	for (const user of users) {
		const uid = user.organization?.uid;
		if (uid === undefined) continue;
		let found = byUid.get(uid);
		if (found === undefined) {
			const org = index.get(uid.toLowerCase());
			found = org ? { organization: userOrganization(uid, org), type: org.type } : null;
			byUid.set(uid, found);
		}
		if (found === null) continue;
		user.type = found.type;
		user.organization = found.organization;
	}
}

/** Each user's logins read directly (`GET /users/{uid}/logins`): undefined for a user the server no longer has. */
async function readLoginsOf(directory: UserDirectory, refs: readonly string[]): Promise<Map<string, TrackedLogin[] | undefined>> {
	const access = vspcAccess(directory);
	const outcomes = await runPool(
		refs.length,
		async (i) => {
			const logins = await access.listLogins(refs[i]);
			// A user deleted meanwhile may answer an empty list: ask for the user before believing it.
			if (logins.length === 0 && !(await directory.getUser(refs[i]))) return undefined;
			return logins
				.filter((l) => l.userUid.toLowerCase() === refs[i].toLowerCase())
				.map((login) => trackedLogin(login))
				.sort(byId);
		},
		{ concurrency: VERIFY_CONCURRENCY, stopOnError: true },
	);
	const result = new Map<string, TrackedLogin[] | undefined>();
	for (const [i, outcome] of outcomes.entries()) {
		if (!outcome) continue;
		if (!outcome.ok) throw outcome.error;
		result.set(refs[i], outcome.value);
	}
	return result;
}

/**
 * The users the listing seems to have lost, looked up as `refreshUsers` does (a user still there is
 * set in `current` as it is now, one gone is deleted from it), 50 to a request where the adapter
 * can (`lookUpUsers`: `GET /users` filtered by UID) instead of one `GET /users/{uid}` each.
 */
export async function lookUpUsers(directory: UserDirectory, refs: readonly string[], current: Map<string, TrackedUser>): Promise<void> {
	const access = directory.vspc?.();
	if (!access?.lookUpUsers) {
		await refreshUsers(directory, refs, current);
		return;
	}
	if (refs.length === 0) return;
	const found = await access.lookUpUsers(refs);
	for (const ref of refs) {
		const user = found.get(ref);
		if (user) current.set(ref, user);
		else current.delete(ref);
	}
}

/**
 * After the first comparison: looks up what the listings seem to have lost (see the top of this
 * file) and brings `current` and `comparison.events` up to date, so that `finishComparison` gives
 * only what the server shows. Returns the look-ups made (users, users' logins).
 */
export async function confirmVspc(directory: UserDirectory, comparison: Comparison, current: Map<string, TrackedUser>, read: VspcRead): Promise<{ users: number; logins: number }> {
	const missing = comparison.missing.map((u) => u.ref);
	await lookUpUsers(directory, missing, current);
	if (!read.logins) return { users: missing.length, logins: 0 };
	const previous = new Map<string, TrackedUser>();
	// Users whose listed logins lack one they had: read directly before a removal is believed.
	for (const e of comparison.events) {
		if (e.event === 'loginsChanged' && e.previous && loginChanges(e.previous.logins, (e.user as TrackedUser | null)?.logins)?.removed.length) previous.set(e.ref, e.previous);
	}
	const refs = [...previous.keys()];
	// Users found by their look-up: getUser says nothing of logins.
	for (const ref of missing) if (current.has(ref)) refs.push(ref);
	// The logins listing failed a check: the new users' logins may lack one it skipped.
	if (!read.loginsConsistent) {
		const known = new Set(missing);
		for (const ref of current.keys()) if (!comparison.matched.has(ref) && !known.has(ref)) refs.push(ref);
	}
	const stored = new Map(comparison.missing.map((u) => [u.ref, u]));
	const logins = await readLoginsOf(directory, refs);
	for (const [ref, list] of logins) {
		const user = current.get(ref);
		if (!user) continue;
		const before = previous.get(ref) ?? stored.get(ref);
		// Gone since the listing: its last known logins stay (no login event); the next poll looks the user up.
		const now = list ?? before?.logins;
		current.set(ref, { ...user, logins: now });
	}
	if (previous.size > 0) {
		comparison.events = comparison.events.filter((e) => !previous.has(e.ref));
		for (const [ref, before] of previous) {
			const user = current.get(ref);
			if (user) comparison.events.push(...diffUser(before, user));
		}
	}
	return { users: missing.length, logins: refs.length };
}
