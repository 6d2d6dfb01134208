/**
 * Reading the whole user list for the trigger: every page or a failure, never a partial list
 * taken for the truth, and no removal reported for a user who only slipped between two pages.
 */
import type { UserDirectory, VeeamRole, VeeamUser } from '../../client/model';
import { runPool } from '../../client/pool';

/** Direct look-ups of apparently removed users in flight at once. */
export const VERIFY_CONCURRENCY = 8;

/**
 * Shares what most users have in common (their role list, their type) between them: at 100,000
 * users, one role object per user is tens of megabytes. The shared arrays are frozen; nothing in
 * the trigger changes a user it read.
 */
export class UserInterner {
	private readonly roleLists = new Map<string, readonly VeeamRole[]>();
	private readonly types = new Map<string, string>();

	/** The last list made for a user of one role, by the role's id (most users: looked up without a key). */
	private readonly single = new Map<string, readonly VeeamRole[]>();

	intern(user: VeeamUser): VeeamUser {
		const only = user.roles.length === 1 ? user.roles[0] : undefined;
		const hit = only && this.single.get(only.id);
		if (hit && hit[0].name === only.name && hit[0].description === only.description) user.roles = hit as VeeamRole[];
		else this.internRoles(user, only);
		let type = this.types.get(user.type);
		if (type === undefined) {
			type = user.type;
			this.types.set(type, type);
		}
		user.type = type;
		return user;
	}

	private internRoles(user: VeeamUser, only: VeeamRole | undefined): void {
		let key = '';
		for (const r of user.roles) key += `${r.id}\u0000${r.name}\u0000${r.description ?? '\u0001'}\u0000`;
		let roles = this.roleLists.get(key);
		if (roles === undefined) {
			roles = Object.freeze(user.roles.map((r) => Object.freeze({ ...r })));
			this.roleLists.set(key, roles);
		}
		user.roles = roles as VeeamRole[];
		if (only) this.single.set(only.id, roles);
	}
}

/**
 * Every user, keyed by ref, in the server's name order: the adapter reads every page, following the
 * server's total, and fails (nothing emitted, snapshot unchanged) when the list is broken: a page
 * empty before the total, a page of users already sent, no end. A user read twice (the list
 * shifted while being paged) is kept once, with the later answer.
 */
export async function readAllUsers(directory: UserDirectory): Promise<Map<string, VeeamUser>> {
	const users = new Map<string, VeeamUser>();
	const interner = new UserInterner();
	for (const user of await directory.listUsers()) users.set(user.ref, interner.intern(user));
	return users;
}

/**
 * Paging by position is not a snapshot: when a user earlier in the list is removed between two
 * page requests, the next page starts one user later and the user at the boundary is never read.
 * So every user that the list seems to have lost is looked up directly (by UUID on VBR, by name on
 * VBGC). Those still there are added to `current` (with their current fields); the refs returned
 * are the users that are really gone. A failing look-up fails the poll.
 */
export async function confirmRemovals(
	directory: UserDirectory,
	missing: readonly string[],
	current: Map<string, VeeamUser>,
): Promise<string[]> {
	return await refreshUsers(directory, missing, current);
}

/**
 * Looks each of `refs` up directly and brings `current` up to date with the answers: a user still
 * there is set with its fields as of now, a user gone is deleted from it (returned). Used for the
 * apparently removed users of every listing, and for every user with a change in a listing read
 * over several polls (progress.ts), whose pages are of different moments.
 */
export async function refreshUsers(
	directory: UserDirectory,
	refs: readonly string[],
	current: Map<string, VeeamUser>,
): Promise<string[]> {
	// The directory's requests share one pause and one re-login (RequestGroup); after a failure no
	// further look-up starts.
	const outcomes = await runPool(refs.length, async (i) => await directory.getUser(refs[i]), {
		concurrency: VERIFY_CONCURRENCY,
		stopOnError: true,
	});
	const gone: string[] = [];
	for (const [i, outcome] of outcomes.entries()) {
		if (!outcome) continue;
		if (!outcome.ok) throw outcome.error;
		const ref = refs[i];
		// Identity is the ref: an answer under another ref (never seen on either product) is another user.
		if (outcome.value?.ref === ref) current.set(ref, outcome.value);
		else {
			current.delete(ref);
			gone.push(ref);
		}
	}
	return gone;
}
