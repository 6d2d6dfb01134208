/**
 * The trigger's diff: what changed between two complete user lists. Pure functions over the
 * common user model (both products), no I/O, so they are tested on their own.
 */
import type { VeeamRole, VeeamUser } from '../../client/model';

/** The events a user can pick, in the order items of one user are emitted. */
export const USER_EVENTS = [
	'userRemoved',
	'userAdded',
	'rolesChanged',
	'mfaChanged',
	'statusChanged',
	'loginsChanged',
	'serviceAccountModeChanged',
	'otherFieldsChanged',
] as const;
export type UserEventType = (typeof USER_EVENTS)[number];

const EVENT_ORDER = new Map<string, number>(USER_EVENTS.map((e, i) => [e, i]));

export function isUserEvent(value: unknown): value is UserEventType {
	return typeof value === 'string' && EVENT_ORDER.has(value);
}

/** Fields reported by `otherFieldsChanged`, in this order. */
export const OTHER_FIELDS = ['name', 'type', 'organization', 'description'] as const;

/**
 * A VSPC login ("user identity") as the trigger tracks it: its ID and kind. Read from the logins
 * list, a login also carries what that list says of it (never a secret: VSPC shows none there).
 */
export interface TrackedLogin {
	id: string;
	/** password | totp | apiKey | rsaKey | other (client/vspcModel.ts VspcLoginKind). */
	kind: string;
	/** `identityProviderName` as sent. */
	provider: string;
	description?: string;
	status?: string;
	scopes?: string[];
	isReadAccessOnly?: boolean;
	/**
	 * The login itself is disabled (its own status `disabled`: an API key "temporarily restricted");
	 * not a status it takes from its user or company (`disabledDueToUser`, …). Absent: not disabled.
	 */
	disabled?: boolean;
}

/**
 * A user as the stored snapshot remembers it. When a description was too long to keep, the
 * snapshot holds only its digest: `description` is then absent and `descriptionDigest` set.
 * `logins` (VSPC, when login events are chosen): the user's logins; undefined where not read.
 */
export interface TrackedUser extends VeeamUser {
	descriptionDigest?: string;
	logins?: TrackedLogin[];
}

export interface FieldChange {
	field: string;
	/** null: the value was unknown or none (a description the server did not give, or only its digest was kept). */
	from: unknown;
	to: unknown;
	/** `logins`: the logins that came and went, and those (as now) disabled or enabled again. */
	added?: TrackedLogin[];
	removed?: TrackedLogin[];
	changed?: TrackedLogin[];
}

export interface UserEvent {
	event: UserEventType;
	ref: string;
	/** The user now; null for a removal. */
	user: VeeamUser | null;
	/** The user as last seen; null for an addition. */
	previous: TrackedUser | null;
	changes: FieldChange[];
}

/**
 * A digest of a text, for descriptions too long to store: 64 bits (two FNV-1a 32-bit hashes with
 * different offsets) written as 16 hex digits. Not a security measure, a change detector.
 */
export function textDigest(text: string): string {
	let a = 0x811c9dc5;
	let b = 0x01000193 ^ 0x5bd1e995;
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		a = Math.imul(a ^ c, 0x01000193);
		b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 13);
	}
	return (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0');
}

/** Role ids of a user as a canonical key: a set (order, case and a role listed twice do not matter). */
export function roleKey(roles: readonly VeeamRole[]): string {
	return [...new Set(roles.map((r) => r.id.toLowerCase()))].sort().join('\n');
}

/** Same set of role ids (fast when both list the same ids in the same order, as they usually do). */
export function sameRoles(a: readonly VeeamRole[], b: readonly VeeamRole[]): boolean {
	if (a === b) return true;
	if (a.length === b.length) {
		let i = 0;
		while (i < a.length && a[i].id === b[i].id) i++;
		if (i === a.length) return true;
	}
	return roleKey(a) === roleKey(b);
}

const orNull = (value: unknown) => (value === undefined ? null : value);
const orgNull = (user: VeeamUser) => user.organization ?? null;

/**
 * A flag the server may leave out (`mfaEnabled`: VBR before API 1.3-rev2; `isServiceAccount`: VBR
 * only) changed only when both sides report it. Undefined on either side is unknown, never a change:
 * the snapshot may be of another API version (Automatic found a newer one, which reports MFA) or
 * the server may stop reporting it; a change the server does not show is never reported. The next
 * snapshot keeps the value as now reported, so a later real change is seen.
 */
function knownChange<T extends boolean | string>(before: T | undefined, now: T | undefined): boolean {
	return before !== undefined && now !== undefined && before !== now;
}

const loginDisabled = (login: TrackedLogin) => login.disabled === true;

/**
 * The logins one list has and the other lacks, by ID, and those whose own disabled state changed
 * (both read: logins not read are unknown, never a change).
 */
export function loginChanges(
	before: readonly TrackedLogin[] | undefined,
	now: readonly TrackedLogin[] | undefined,
): { added: TrackedLogin[]; removed: TrackedLogin[]; changed: TrackedLogin[] } | undefined {
	if (!before || !now) return undefined;
	// Fast path: both lists in the same (ID) order, as the list and the stored state give them.
	if (before.length === now.length) {
		let i = 0;
		while (i < before.length && before[i].id === now[i].id && loginDisabled(before[i]) === loginDisabled(now[i])) i++;
		if (i === before.length) return undefined;
	}
	const had = new Map(before.map((l) => [l.id, l]));
	const has = new Set(now.map((l) => l.id));
	const added = now.filter((l) => !had.has(l.id));
	const removed = before.filter((l) => !has.has(l.id));
	const changed = now.filter((l) => {
		const was = had.get(l.id);
		return was !== undefined && loginDisabled(was) !== loginDisabled(l);
	});
	return added.length > 0 || removed.length > 0 || changed.length > 0 ? { added, removed, changed } : undefined;
}

/** VSPC: the MFA fields that changed (the policy, whether MFA applies, whether the user set it up), each only when both sides report it. */
function mfaFieldChanges(previous: TrackedUser, current: TrackedUser): FieldChange[] {
	const changes: FieldChange[] = [];
	if (knownChange(previous.mfaPolicy, current.mfaPolicy)) changes.push({ field: 'mfaPolicy', from: previous.mfaPolicy, to: current.mfaPolicy });
	if (knownChange(previous.mfaEnabled, current.mfaEnabled)) changes.push({ field: 'mfaEnabled', from: previous.mfaEnabled, to: current.mfaEnabled });
	if (knownChange(previous.mfaConfigured, current.mfaConfigured)) changes.push({ field: 'mfaConfigured', from: previous.mfaConfigured, to: current.mfaConfigured });
	return changes;
}

/** The organization changed: both sides name one, and their UIDs differ beyond case (one unknown is no change). */
function organizationChanged(previous: VeeamUser, current: VeeamUser): boolean {
	const before = previous.organization?.uid;
	const now = current.organization?.uid;
	// Most users: the same UID as text, compared without a lower-cased copy of each.
	if (before === now || before === undefined || now === undefined) return false;
	return before.toLowerCase() !== now.toLowerCase();
}

function descriptionChange(previous: TrackedUser, current: VeeamUser): FieldChange | undefined {
	if (previous.descriptionDigest !== undefined) {
		const same = current.description !== undefined && textDigest(current.description) === previous.descriptionDigest;
		return same ? undefined : { field: 'description', from: null, to: orNull(current.description) };
	}
	return previous.description === current.description
		? undefined
		: { field: 'description', from: orNull(previous.description), to: orNull(current.description) };
}

/** The change events of one user present in both lists, in `USER_EVENTS` order. */
export function diffUser(previous: TrackedUser, current: TrackedUser): UserEvent[] {
	if (
		sameRoles(previous.roles, current.roles) &&
		!knownChange(previous.mfaEnabled, current.mfaEnabled) &&
		!knownChange(previous.mfaPolicy, current.mfaPolicy) &&
		!knownChange(previous.mfaConfigured, current.mfaConfigured) &&
		!knownChange(previous.status, current.status) &&
		!loginChanges(previous.logins, current.logins) &&
		!organizationChanged(previous, current) &&
		!knownChange(previous.isServiceAccount, current.isServiceAccount) &&
		previous.name === current.name &&
		previous.type === current.type &&
		previous.description === current.description &&
		previous.descriptionDigest === undefined
	) {
		return [];
	}
	const events: UserEvent[] = [];
	const push = (event: UserEventType, changes: FieldChange[]) =>
		events.push({ event, ref: current.ref, user: current, previous, changes });

	if (!sameRoles(previous.roles, current.roles)) {
		push('rolesChanged', [{ field: 'roles', from: previous.roles, to: current.roles }]);
	}
	const mfa = mfaFieldChanges(previous, current);
	if (mfa.length > 0) push('mfaChanged', mfa);
	if (knownChange(previous.status, current.status)) push('statusChanged', [{ field: 'status', from: previous.status, to: current.status }]);
	const logins = loginChanges(previous.logins, current.logins);
	if (logins) push('loginsChanged', [{ field: 'logins', from: previous.logins, to: current.logins, ...logins }]);
	if (knownChange(previous.isServiceAccount, current.isServiceAccount)) {
		push('serviceAccountModeChanged', [{ field: 'isServiceAccount', from: previous.isServiceAccount, to: current.isServiceAccount }]);
	}
	const other: FieldChange[] = [];
	if (previous.name !== current.name) other.push({ field: 'name', from: previous.name, to: current.name });
	if (previous.type !== current.type) other.push({ field: 'type', from: previous.type, to: current.type });
	if (organizationChanged(previous, current)) other.push({ field: 'organization', from: orgNull(previous), to: orgNull(current) });
	const description = descriptionChange(previous, current);
	if (description) other.push(description);
	if (other.length > 0) push('otherFieldsChanged', other);
	return events;
}

/** Emission order: by user name (case-insensitive), then event (removal before addition), then ref. */
export function compareEvents(a: UserEvent, b: UserEvent): number {
	const an = (a.user ?? a.previous)?.name.toLowerCase() ?? '';
	const bn = (b.user ?? b.previous)?.name.toLowerCase() ?? '';
	if (an !== bn) return an < bn ? -1 : 1;
	const ae = EVENT_ORDER.get(a.event) ?? 0;
	const be = EVENT_ORDER.get(b.event) ?? 0;
	if (ae !== be) return ae - be;
	return a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0;
}

/**
 * The first half of a diff, streaming over the stored users (see `openState`): changes of users
 * present in both lists, and the stored users the current list lacks. Those may be real removals
 * or users the list missed while it shifted; the caller checks them and then calls
 * `finishComparison`.
 */
export interface Comparison {
	events: UserEvent[];
	/** Stored users absent from the current list. */
	missing: TrackedUser[];
	/** Refs of stored users found in the current list. */
	matched: Set<string>;
}

export function compareWithSnapshot(previous: Iterable<TrackedUser>, current: ReadonlyMap<string, TrackedUser>): Comparison {
	const comparison: Comparison = { events: [], missing: [], matched: new Set() };
	for (const before of previous) {
		const user = current.get(before.ref);
		if (user === undefined) {
			comparison.missing.push(before);
			continue;
		}
		comparison.matched.add(before.ref);
		const changed = diffUser(before, user);
		for (let i = 0; i < changed.length; i++) comparison.events.push(changed[i]);
	}
	return comparison;
}

/**
 * The events the first comparison lets expect, before what seems removed is looked up: its
 * changes and a `userAdded` for each current user it did not match (unsorted; `comparison` is left
 * as it is). What the poll emits is `finishComparison`'s.
 */
export function expectedEvents(comparison: Comparison, current: ReadonlyMap<string, TrackedUser>): UserEvent[] {
	const events = [...comparison.events];
	for (const [ref, user] of current) if (!comparison.matched.has(ref)) events.push({ event: 'userAdded', ref, user, previous: null, changes: [] });
	return events;
}

/** The users of these events as they are now (a removal has none). */
export const usersOf = <U>(events: ReadonlyArray<{ user: U | null }>): U[] => events.map((e) => e.user).filter((u): u is U => u !== null);

/**
 * The second half: `current` now also holds the missing users that turned out to be there.
 * Missing users still absent are removals; current users that were never stored are additions.
 * Returns every event in a stable order (`compareEvents`).
 */
export function finishComparison(comparison: Comparison, current: ReadonlyMap<string, TrackedUser>): UserEvent[] {
	const events = comparison.events;
	const wasMissing = new Set<string>();
	for (const before of comparison.missing) {
		wasMissing.add(before.ref);
		const user = current.get(before.ref);
		if (user === undefined) events.push({ event: 'userRemoved', ref: before.ref, user: null, previous: before, changes: [] });
		else for (const e of diffUser(before, user)) events.push(e);
	}
	for (const [ref, user] of current) {
		if (!comparison.matched.has(ref) && !wasMissing.has(ref)) {
			events.push({ event: 'userAdded', ref, user, previous: null, changes: [] });
		}
	}
	return events.sort(compareEvents);
}

/**
 * Every change between two complete lists keyed by `ref`, one event per kind of change per user,
 * in a stable order (`compareEvents`). Roles are compared as sets of ids; a role renamed on the
 * server is not a change of its users.
 */
export function diffUsers(
	previous: ReadonlyMap<string, TrackedUser>,
	current: ReadonlyMap<string, VeeamUser>,
): UserEvent[] {
	return finishComparison(compareWithSnapshot(previous.values(), current), current);
}

export interface EventFilter {
	/** Event kinds to keep (all when undefined). */
	events?: ReadonlySet<string>;
	/** Keep events of users who have, or had, one of these roles (ids or names, case-insensitive). */
	roles?: readonly string[];
	/** Keep events of users whose name (now or before) matches: `*` and `?` wildcards, case-insensitive. */
	namePattern?: string;
}

/** Veeam's name pattern (`*`, `?`, case-insensitive, whole name) as a test. */
export function wildcardTest(pattern: string): (value: string) => boolean {
	const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
	const re = new RegExp(`^${escaped}$`, 'is');
	return (value) => re.test(value);
}

/** A test for "this user matches the trigger's filters" (role and name), on one user. */
export function userMatcher(filter: EventFilter): (user: VeeamUser | null) => boolean {
	const wanted = (filter.roles ?? []).map((r) => r.trim().toLowerCase()).filter((r) => r !== '');
	const nameTest = filter.namePattern?.trim() ? wildcardTest(filter.namePattern.trim()) : undefined;
	return (user) => {
		if (!user) return false;
		if (nameTest && !nameTest(user.name)) return false;
		if (wanted.length > 0 && !user.roles.some((r) => wanted.includes(r.id.toLowerCase()) || wanted.includes(r.name.toLowerCase()))) {
			return false;
		}
		return true;
	};
}

/**
 * The events the trigger emits: of the chosen kinds, about users who match the filters now or
 * matched them before the change (so losing the watched role is reported too).
 */
export function filterEvents(events: readonly UserEvent[], filter: EventFilter): UserEvent[] {
	const matches = userMatcher(filter);
	return events.filter(
		(e) => (filter.events === undefined || filter.events.has(e.event)) && (matches(e.user) || matches(e.previous)),
	);
}
