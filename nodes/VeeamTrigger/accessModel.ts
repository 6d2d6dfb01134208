/**
 * What the trigger's role and access events (VBR 13.1, REST 1.3-rev2) compare: custom roles and the
 * ACL records of backups and jobs, as the trigger tracks them, and the pure diff between two complete
 * sets. No I/O (accessPoll.ts reads the server; accessState.ts stores these between polls).
 *
 * Roles: the list carries name and description only; the scopes come from `GET /roles/{id}/details`,
 * and are kept as a 64-bit digest per scope (a change is detected and its new value reported, the
 * old one is not kept: `from: null`, as a user's long description). Access: an ACL record's owner,
 * rights and delegations are kept whole (through tables, a few bytes each), so every `from` is real.
 */
import { textDigest } from './diff';

/** The scopes of a custom role (`CustomRoleModel`), each stored as a digest. */
export const ROLE_SCOPES = ['inventoryScope', 'repositoryScope', 'restorePermissionsScope', 'restoreTargetScope'] as const;
export type RoleScope = (typeof ROLE_SCOPES)[number];

export const ROLE_EVENTS = ['roleCreated', 'roleChanged', 'roleDeleted'] as const;
export const ACCESS_EVENTS = ['accessChanged'] as const;
export type RoleEventType = (typeof ROLE_EVENTS)[number];
export type AccessEventType = (typeof ACCESS_EVENTS)[number];

export function isRoleEvent(value: unknown): value is RoleEventType {
	return typeof value === 'string' && (ROLE_EVENTS as readonly string[]).includes(value);
}
export function isAccessEvent(value: unknown): value is AccessEventType {
	return typeof value === 'string' && (ACCESS_EVENTS as readonly string[]).includes(value);
}

/** A custom role as read now: its list entry, and its details where they were read in this poll. */
export interface CurrentRole {
	id: string;
	name: string;
	description?: string;
	/** Undefined: details not read in this poll (the budget), the stored digests stand. */
	details?: RoleDetails;
}

export interface RoleDetails {
	manageBackups?: boolean;
	manageRestores?: boolean;
	scopes: Partial<Record<RoleScope, unknown>>;
}

/** A custom role as the state keeps it. */
export interface TrackedRole {
	id: string;
	name: string;
	description?: string;
	/** Set instead of `description` when it was too long to keep. */
	descriptionDigest?: string;
	manageBackups?: boolean;
	manageRestores?: boolean;
	/** Digest of each scope the details had (a scope absent from the details is absent here). */
	scopes: Partial<Record<RoleScope, string>>;
	/** True when no details were ever read (a baseline cut short by the budget): scopes are unknown, never a change. */
	detailsUnknown?: boolean;
}

/** An ACL record (`AclRecordModel`) as the trigger compares it. */
export interface AclEntry {
	/** `backupJob` or `backup` (Veeam's example's `Job`/`Backup` read as these); another value as sent. */
	type: string;
	id: string;
	owner: { userIdentifier: string; name: string };
	/** Sorted, no repeats. */
	rights: string[];
	/** Sorted by role id; rights sorted. */
	effectiveAccess: Array<{ roleId: string; roleName: string; rights: string[] }>;
	/**
	 * False when the answer had no `effectiveAccess` at all: none, or none this account may see
	 * ("Visible only to the owner & admin."). Taken as none, except beside an owner change (below).
	 */
	delegationsShown: boolean;
}

/** The identity of a record: type and id, case-insensitive. */
export const aclKey = (e: Pick<AclEntry, 'type' | 'id'>) => `${e.type.toLowerCase()}:${e.id.toLowerCase()}`;

/** A record's `object.type` as the path enum says it (decision 5: `Job` is `backupJob`). */
export function aclType(type: string): string {
	const t = type.trim().toLowerCase();
	if (t === 'job' || t === 'backupjob') return 'backupJob';
	if (t === 'backup') return 'backup';
	return type.trim();
}

/**
 * Names the server writes beside an ID in a scope (`repositoryName`, `jobName`, `backupName`): a
 * repository renamed is not a change of the roles naming it (as Sync compares them).
 */
const ECHO_FIELDS = new Set(['repositoryName', 'jobName', 'backupName']);

/** JSON with object keys sorted, arrays as sets (sorted by their members' JSON: a scope's order means nothing), echoed names left out. */
export function canonicalJson(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonicalJson).sort().join(',')}]`;
	if (value && typeof value === 'object') {
		const entries = Object.entries(value as Record<string, unknown>).filter(([k, v]) => v !== undefined && !ECHO_FIELDS.has(k));
		return `{${entries
			.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
			.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`)
			.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

export function scopeDigests(details: RoleDetails): Partial<Record<RoleScope, string>> {
	const out: Partial<Record<RoleScope, string>> = {};
	for (const scope of ROLE_SCOPES) {
		const value = details.scopes[scope];
		if (value !== undefined && value !== null) out[scope] = textDigest(canonicalJson(value));
	}
	return out;
}

export interface FieldChange {
	field: string;
	/** null: none, or not kept (a scope's earlier value, a long description). */
	from: unknown;
	to: unknown;
}

export interface RoleEvent {
	event: RoleEventType;
	id: string;
	/** The role now (details where read); null for a deletion. */
	role: CurrentRole | null;
	previous: TrackedRole | null;
	changes: FieldChange[];
}

export interface AccessEvent {
	event: 'accessChanged';
	/** `added`: a backup or job the last poll did not list; `removed`: gone (confirmed by a look-up); `changed`. */
	change: 'added' | 'removed' | 'changed';
	key: string;
	access: AclEntry | null;
	previous: AclEntry | null;
	changes: FieldChange[];
}

const orNull = (v: unknown) => (v === undefined ? null : v);
const known = (a: boolean | undefined, b: boolean | undefined) => a !== undefined && b !== undefined && a !== b;

/** The tracked form of a role read now; `before` supplies what this poll did not read (details). */
export function trackRole(role: CurrentRole, before: TrackedRole | undefined): TrackedRole {
	const details = role.details;
	const unknown = !details && (before === undefined || before.detailsUnknown === true);
	return {
		id: role.id,
		name: role.name,
		...(role.description !== undefined ? { description: role.description } : before?.description !== undefined ? { description: before.description } : {}),
		...(role.description === undefined && before?.descriptionDigest !== undefined ? { descriptionDigest: before.descriptionDigest } : {}),
		manageBackups: details ? details.manageBackups : before?.manageBackups,
		manageRestores: details ? details.manageRestores : before?.manageRestores,
		scopes: details ? scopeDigests(details) : { ...(before?.scopes ?? {}) },
		...(unknown ? { detailsUnknown: true } : {}),
	};
}

/** What changed in a role present before and now. A field one side does not know is never a change. */
export function roleChanges(before: TrackedRole, now: CurrentRole): FieldChange[] {
	const changes: FieldChange[] = [];
	if (before.name !== now.name) changes.push({ field: 'name', from: before.name, to: now.name });
	if (before.descriptionDigest !== undefined) {
		if (now.description === undefined || textDigest(now.description) !== before.descriptionDigest) {
			changes.push({ field: 'description', from: null, to: orNull(now.description) });
		}
	} else if (before.description !== undefined && now.description !== undefined && before.description !== now.description) {
		changes.push({ field: 'description', from: orNull(before.description), to: now.description });
	}
	const details = now.details;
	if (!details || before.detailsUnknown) return changes;
	if (known(before.manageBackups, details.manageBackups)) changes.push({ field: 'manageBackups', from: before.manageBackups, to: details.manageBackups });
	if (known(before.manageRestores, details.manageRestores)) changes.push({ field: 'manageRestores', from: before.manageRestores, to: details.manageRestores });
	const digests = scopeDigests(details);
	for (const scope of ROLE_SCOPES) {
		if (before.scopes[scope] !== digests[scope]) changes.push({ field: scope, from: null, to: orNull(details.scopes[scope]) });
	}
	return changes;
}

/**
 * Role events between the stored roles and the roles now (both keyed by lower-case id). `now`: every
 * custom role the server has (list, plus those a look-up found); `gone`: ids a look-up answered 404
 * for. A stored role neither in `now` nor in `gone` is left as it was (never reported deleted without
 * the server saying so). A role new since the last poll whose details were not read yet is not
 * reported (nor kept): it is reported, with its scopes, by the poll that reads them. `baseline`: no
 * stored roles, nothing is reported and every role is kept (its scopes unknown where not read).
 */
export function diffRoles(
	before: ReadonlyMap<string, TrackedRole>,
	now: ReadonlyMap<string, CurrentRole>,
	gone: ReadonlySet<string>,
	baseline = false,
): { events: RoleEvent[]; next: TrackedRole[] } {
	const events: RoleEvent[] = [];
	const next: TrackedRole[] = [];
	for (const [id, role] of now) {
		const previous = before.get(id);
		if (baseline) {
			next.push(trackRole(role, undefined));
			continue;
		}
		if (!previous) {
			if (!role.details) continue;
			events.push({ event: 'roleCreated', id, role, previous: null, changes: [] });
		} else {
			const changes = roleChanges(previous, role);
			if (changes.length > 0) events.push({ event: 'roleChanged', id, role, previous, changes });
		}
		next.push(trackRole(role, previous));
	}
	for (const [id, previous] of before) {
		if (now.has(id)) continue;
		if (gone.has(id)) events.push({ event: 'roleDeleted', id, role: null, previous, changes: [] });
		else next.push(previous);
	}
	const name = (e: RoleEvent) => (e.role ?? e.previous)?.name.toLowerCase() ?? '';
	events.sort((a, b) => (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
	return { events, next };
}

const sameOwner = (a: AclEntry['owner'], b: AclEntry['owner']) =>
	a.userIdentifier && b.userIdentifier ? a.userIdentifier.toLowerCase() === b.userIdentifier.toLowerCase() : a.name.toLowerCase() === b.name.toLowerCase();
const rightsKey = (rights: readonly string[]) => [...new Set(rights.map((r) => r.toLowerCase()))].sort().join(',');
const delegationKey = (e: AclEntry['effectiveAccess']) =>
	e
		.map((d) => `${d.roleId.toLowerCase()}=${rightsKey(d.rights)}`)
		.sort()
		.join(';');

/** What changed in a record present before and now: owner (by SID where both have one), rights, delegations (by role id). */
export function aclChanges(before: AclEntry, now: AclEntry): FieldChange[] {
	const changes: FieldChange[] = [];
	if (!sameOwner(before.owner, now.owner)) changes.push({ field: 'owner', from: before.owner, to: now.owner });
	if (rightsKey(before.rights) !== rightsKey(now.rights)) changes.push({ field: 'rights', from: before.rights, to: now.rights });
	// An owner change may change what this account is shown (an account that is not an administrator
	// sees the delegations of what it owns only): a delegation list one side did not show is then unknown.
	const hidden = changes.length > 0 && changes[0].field === 'owner' && (!before.delegationsShown || !now.delegationsShown);
	if (!hidden && delegationKey(before.effectiveAccess) !== delegationKey(now.effectiveAccess)) {
		changes.push({ field: 'effectiveAccess', from: before.effectiveAccess, to: now.effectiveAccess });
	}
	return changes;
}

/**
 * Access events between the stored records and the records now (`now`: a complete listing plus what
 * look-ups found; `gone`: keys a look-up answered 404 for). A stored record neither now nor gone is
 * kept as it was.
 */
export function diffAcl(before: ReadonlyMap<string, AclEntry>, now: ReadonlyMap<string, AclEntry>, gone: ReadonlySet<string>): { events: AccessEvent[]; next: AclEntry[] } {
	const events: AccessEvent[] = [];
	const next: AclEntry[] = [];
	for (const [key, entry] of now) {
		const previous = before.get(key);
		next.push(entry);
		if (!previous) events.push({ event: 'accessChanged', change: 'added', key, access: entry, previous: null, changes: [] });
		else {
			const changes = aclChanges(previous, entry);
			if (changes.length > 0) events.push({ event: 'accessChanged', change: 'changed', key, access: entry, previous, changes });
		}
	}
	for (const [key, previous] of before) {
		if (now.has(key)) continue;
		if (gone.has(key)) events.push({ event: 'accessChanged', change: 'removed', key, access: null, previous, changes: [] });
		else next.push(previous);
	}
	events.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
	return { events, next };
}

/** A record from the server's answer in the compared form (sorted, no repeats); a malformed record is refused by the caller. */
export function normalizeAcl(entry: AclEntry): AclEntry {
	const rights = (list: readonly string[]) => [...new Set(list)].sort();
	const byRole = new Map<string, AclEntry['effectiveAccess'][number]>();
	for (const d of entry.effectiveAccess) {
		const id = d.roleId.toLowerCase();
		const had = byRole.get(id);
		byRole.set(id, { roleId: d.roleId, roleName: d.roleName, rights: rights([...(had?.rights ?? []), ...d.rights]) });
	}
	return {
		type: aclType(entry.type),
		id: entry.id,
		owner: { userIdentifier: entry.owner.userIdentifier, name: entry.owner.name },
		rights: rights(entry.rights),
		effectiveAccess: [...byRole.values()].sort((a, b) => (a.roleId.toLowerCase() < b.roleId.toLowerCase() ? -1 : 1)),
		delegationsShown: entry.delegationsShown,
	};
}
