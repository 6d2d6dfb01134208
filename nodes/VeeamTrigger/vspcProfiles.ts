/**
 * The profiles of the users the trigger emits (VSPC). The poll's listing reads every user without
 * its profile (`select`: client/adapters/vspcQuery.ts USER_PAGE_SELECT), which the trigger never
 * compares: 40 % less JSON per poll to fetch and parse. The items still show each user as the
 * other products' do, profile included: once the events to emit are known, their users listed
 * without a profile are looked up (`GET /users` filtered by `instanceUid`, 50 UIDs a request,
 * several at once: VspcAccess.lookUpUsers), and only the profile is taken from the answer (the
 * listed user's other fields stand: the event was computed from them).
 *
 * - A user gone by then keeps no profile (absent) and is emitted as listed.
 * - A look-up that fails fails the poll (poll.ts calls this before anything is written).
 * - Nothing to look up (no event, removals only, a user found by a look-up already, another
 *   product): no request.
 * - The poll asks for them ahead, beside the look-ups that confirm its listing, for the events its
 *   first comparison found (lookUpProfilesAhead); a user emitted that those did not include is
 *   looked up at the end.
 */
import type { UserDirectory, VeeamUser } from '../../client/model';
import { usersOf, type TrackedUser } from './diff';
import { lookUpUsers } from './vspcListing';

/**
 * The listed user with the looked-up user's profile, its fields in the order of the looked-up
 * user (where the adapter puts `profile`), then the listed user's others (`logins`).
 */
function withProfileOf(listed: VeeamUser, found: VeeamUser): VeeamUser {
	const from = listed as unknown as Record<string, unknown>;
	const copy: Record<string, unknown> = {};
	for (const key of Object.keys(found)) {
		if (key === 'profile') copy.profile = found.profile;
		else if (Object.prototype.hasOwnProperty.call(from, key)) copy[key] = from[key];
	}
	for (const key of Object.keys(from)) if (!Object.prototype.hasOwnProperty.call(copy, key)) copy[key] = from[key];
	return copy as unknown as VeeamUser;
}

/** Each of these users (refs) as the server has it now, absent when gone: the listing's look-up (vspcListing.ts). */
async function lookUp(directory: UserDirectory, refs: string[]): Promise<Map<string, TrackedUser>> {
	const found = new Map<string, TrackedUser>();
	await lookUpUsers(directory, refs, found);
	return found;
}

/** The refs of the users listed without a profile (each once). */
const withoutProfile = (users: readonly VeeamUser[]): string[] => [...new Set(users.filter((u) => u.profile === undefined).map((u) => u.ref))];

/**
 * Profiles looked up ahead, while the poll still confirms its listing (poll.ts: the users of the
 * events it expects to emit, so that the look-up is not one more round trip at its end): the refs
 * asked and the users found, or the error (never a rejection; `usersWithProfiles` then looks up
 * what it emits as if nothing had been asked ahead, so that a poll with nothing to emit does not
 * fail on it).
 */
export type ProfilesAhead = Promise<{ asked: ReadonlySet<string>; found: Map<string, TrackedUser> } | { error: unknown }>;

export function lookUpProfilesAhead(directory: UserDirectory, users: readonly VeeamUser[]): ProfilesAhead | undefined {
	if (!directory.vspc) return undefined;
	const refs = withoutProfile(users);
	if (refs.length === 0) return undefined;
	return lookUp(directory, refs).then(
		(found) => ({ asked: new Set(refs), found }),
		(error: unknown) => ({ error }),
	);
}

/**
 * These users, each listed without a profile given the one the server has now (a new object; the
 * listed one, shared with the snapshot, is left as it is). Users with a profile, and every user of
 * a product without VSPC's calls, are returned as they are, without a request. `ahead`: profiles
 * already asked for (lookUpProfilesAhead); only the users it did not ask about are looked up now.
 */
export async function usersWithProfiles(directory: UserDirectory, users: readonly VeeamUser[], ahead?: ProfilesAhead): Promise<VeeamUser[]> {
	if (!directory.vspc) return [...users];
	// A look-up ahead that failed counts as none: what is emitted is looked up now (and fails the poll if that fails).
	const settled = ahead ? await ahead : undefined;
	const early = settled && !('error' in settled) ? settled : undefined;
	const refs = withoutProfile(users).filter((ref) => !early?.asked.has(ref));
	if (refs.length === 0 && !early) return [...users];
	// Those found ahead, and the others looked up now (none of them asked ahead).
	const found = new Map(early?.found);
	if (refs.length > 0) await lookUpUsers(directory, refs, found);
	const made = new Map<VeeamUser, VeeamUser>();
	return users.map((user) => {
		const now = user.profile === undefined ? found.get(user.ref) : undefined;
		if (now?.profile === undefined) return user;
		let copy = made.get(user);
		if (!copy) made.set(user, (copy = withProfileOf(user, now)));
		return copy;
	});
}

/** The events with their users given their profiles (usersWithProfiles); a removal (`user: null`) as it is. */
export async function eventsWithProfiles<E extends { user: VeeamUser | null }>(directory: UserDirectory, events: readonly E[], ahead?: ProfilesAhead): Promise<E[]> {
	const users = usersOf(events);
	const given = await usersWithProfiles(directory, users, ahead);
	const byListed = new Map(users.map((u, i) => [u, given[i]]));
	return events.map((e) => {
		const user = e.user && byListed.get(e.user);
		return user && user !== e.user ? { ...e, user } : e;
	});
}
