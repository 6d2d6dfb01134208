/**
 * The records of VBR 13.1's access control lists (REST 1.3-rev2, sim/contracts/vbr-access-control.md):
 * their model as the package reads it, and how an answer becomes one (vbrAcl.ts is the client).
 */
import { isUuid } from '../ids';

/** `EAclObjectKind`: the path's values. */
export const ACL_OBJECT_TYPES = ['backupJob', 'backup'] as const;
export type AclObjectType = (typeof ACL_OBJECT_TYPES)[number];
/** `EAclRights`. What each allows is not documented beyond the names. */
export const ACL_RIGHTS = ['full', 'write', 'restore'] as const;
export type AclRight = (typeof ACL_RIGHTS)[number];

export interface AclOwner {
	/** "Identifier of the user." (a SID in Veeam's example). */
	userIdentifier: string;
	name: string;
}

export interface AclDelegation {
	roleId: string;
	/** `RoleModel.name` (required in Veeam's model); '' when the server left it out: such a delegation is not sent back as is. */
	roleName: string;
	/** `RoleModel.description`, sent back as read (optional in Veeam's model). */
	roleDescription?: string;
	/** `RoleModel.isBuiltIn`, sent back as read (optional in Veeam's model). */
	roleIsBuiltIn?: boolean;
	rights: AclRight[];
}

export interface AclRecord {
	type: AclObjectType;
	/** Lower case. */
	id: string;
	owner: AclOwner;
	/** "ACL rights assigned to the object owner." */
	rights: AclRight[];
	/**
	 * The roles the object is delegated to. Veeam: "Visible only to the owner & admin.", so an empty
	 * list means none *or* none this account may see (`delegationsShown` false when the answer had none).
	 */
	effectiveAccess: AclDelegation[];
	/** Whether the answer carried `effectiveAccess` at all. */
	delegationsShown: boolean;
}

export interface AclFilter {
	type?: AclObjectType;
	/** Records delegating any right to this role (ID, any case). */
	roleId?: string;
	/** Records owned by this account (name or SID, any case). */
	owner?: string;
}

export interface ListOptions {
	/** Reset the server's cache for this listing ("up-to-date data"); sent anyway after a change of this client. */
	forceReload?: boolean;
	/**
	 * Read each record the list shows without delegations once more (`GET /acl/{type}/{id}`): Veeam's
	 * list example carries no `effectiveAccess` for a job its single-record example shows delegated.
	 * Always done for a role filter.
	 */
	completeDelegations?: boolean;
}

/** A record the list carried that the node cannot use (an unknown object type, an ID that is no UUID, …). */
export interface SkippedAclRecord {
	objectId: string | null;
	objectType: string | null;
	problem: string;
}

export interface AclListing {
	records: AclRecord[];
	/** Left out, never silently: an unknown kind of object cannot be addressed (`EAclObjectKind` has two values). */
	skipped: SkippedAclRecord[];
	/** How many records were read once more for their delegations. */
	reread: number;
}

export interface AclObjectName {
	type: AclObjectType;
	id: string;
	name: string;
}

/** `Job`/`backupJob`/`Backup`/`backup` in any case (Veeam's example writes `Job`, the path's enum `backupJob`). */
export function aclObjectTypeOf(value: unknown): AclObjectType | undefined {
	if (typeof value !== 'string') return undefined;
	const v = value.trim().toLowerCase();
	if (v === 'backupjob' || v === 'job') return 'backupJob';
	if (v === 'backup') return 'backup';
	return undefined;
}

export const aclKey = (type: AclObjectType, id: string) => `${type}:${id.toLowerCase()}`;

/** Whether `version` (`<major>.<minor>-rev<n>`) is 1.3-rev2 or later. */
export function servesAcl(version: string): boolean {
	const m = /^(\d+)\.(\d+)-rev(\d+)$/.exec(version.trim());
	if (!m) return false;
	const [major, minor, rev] = m.slice(1).map(Number);
	return major !== 1 ? major > 1 : minor !== 3 ? minor > 3 : rev >= 2;
}

type Json = Record<string, unknown>;

/**
 * An `AclRecordModel` as the common record, or why it cannot be one. `object.type` leniently; rights
 * outside `EAclRights` and delegations without a role ID are refused (a record read wrongly could grant
 * or hide access).
 */
export function parseAclRecord(raw: unknown): AclRecord | string {
	const r = raw as Json | undefined;
	const object = r?.object as Json | undefined;
	const principal = r?.principal as Json | undefined;
	if (!object || !principal) return 'a record without object or principal';
	const id = object.id;
	if (typeof id !== 'string' || !isUuid(id)) return `a record whose object.id is not a UUID (${JSON.stringify(id)})`;
	const type = aclObjectTypeOf(object.type);
	if (!type) return `the record of ${id} has the object type ${JSON.stringify(object.type)} (known: Job, backupJob, Backup, backup)`;
	const owner = principal.owner as Json | undefined;
	if (!owner || typeof owner.name !== 'string' || typeof owner.userIdentifier !== 'string') return `the record of ${id} has no owner name and identifier`;
	const rights = rightsOf(principal.rights);
	if (typeof rights === 'string') return `the record of ${id}: owner ${rights}`;
	const delegations: AclDelegation[] = [];
	const shown = principal.effectiveAccess !== undefined && principal.effectiveAccess !== null;
	if (shown && !Array.isArray(principal.effectiveAccess)) return `the record of ${id} has an effectiveAccess that is not a list`;
	for (const entry of (shown ? principal.effectiveAccess : []) as Json[]) {
		const role = entry?.principal as Json | undefined;
		if (!role || typeof role.id !== 'string' || !isUuid(role.id)) return `the record of ${id} delegates to a role without a UUID`;
		const delegated = rightsOf(entry.rights);
		if (typeof delegated === 'string') return `the record of ${id}: role ${role.id} ${delegated}`;
		delegations.push({
			roleId: role.id.toLowerCase(),
			roleName: typeof role.name === 'string' ? role.name : '',
			...(typeof role.description === 'string' ? { roleDescription: role.description } : {}),
			...(typeof role.isBuiltIn === 'boolean' ? { roleIsBuiltIn: role.isBuiltIn } : {}),
			rights: delegated,
		});
	}
	return {
		type,
		id: id.toLowerCase(),
		owner: { userIdentifier: owner.userIdentifier, name: owner.name },
		rights,
		effectiveAccess: delegations,
		delegationsShown: shown,
	};
}

function rightsOf(value: unknown): AclRight[] | string {
	if (!Array.isArray(value)) return 'rights are not a list';
	const rights: AclRight[] = [];
	for (const v of value) {
		const right = typeof v === 'string' ? ACL_RIGHTS.find((k) => k === v.toLowerCase()) : undefined;
		if (!right) return `rights include ${JSON.stringify(v)} (known: ${ACL_RIGHTS.join(', ')})`;
		if (!rights.includes(right)) rights.push(right);
	}
	return rights;
}

/** Whether `record` passes `filter` (owner by name or SID, role by ID, any case). */
export function matchesAclFilter(record: AclRecord, filter: AclFilter = {}): boolean {
	if (filter.type && record.type !== filter.type) return false;
	if (filter.owner !== undefined) {
		const o = filter.owner.trim().toLowerCase();
		if (record.owner.name.toLowerCase() !== o && record.owner.userIdentifier.toLowerCase() !== o) return false;
	}
	if (filter.roleId !== undefined) {
		const roleId = filter.roleId.toLowerCase();
		if (!record.effectiveAccess.some((d) => d.roleId === roleId && d.rights.length > 0)) return false;
	}
	return true;
}
