/**
 * VBR 13.1 (REST 1.3-rev2) access control lists of backups and backup jobs (sim/contracts/
 * vbr-access-control.md, [A2] https://helpcenter.veeam.com/references/vbr/13/rest/1.3-rev2/tag/ACL):
 * `POST /api/v1/acl` (the list, paged by the body's `pagination`), `GET /api/v1/acl/{objectType}/{objectId}`,
 * `POST …/changeOwner`, `POST …/changeEffectiveAccess`; and the names of backups and jobs, which an ACL
 * record does not carry (`GET /api/v1/backups`, `GET /api/v1/jobs`).
 *
 * Access is delegated to roles (`effectiveAccess`), the owner is one account. Nothing a server sends is
 * trusted: every record names a UUID and a known object type, an answer about one object must echo the
 * path's ID, and a filter is applied here whatever the server did with one (none is sent: which
 * properties of a record the server filters on is not documented).
 */
import { NodeOperationError } from 'n8n-workflow';

import { CREDENTIAL_TYPE, effectiveApiVersion, type RequestGroup, type VeeamContext, type VeeamRequest } from '../transport';
import { isAutomatic } from '../login/versions';
import { isUuid } from '../ids';
import { Serial } from '../pool';
import { unlessNotFound } from './common';
import { readAllPages } from './paging';

const ACL = '/api/v1/acl';
const BACKUPS = '/api/v1/backups';
const JOBS = '/api/v1/jobs';
/** The first revision with the ACL operations ([CL]: "REST API 1.3-rev2 completes the role-based access control coverage"). */
export const ACL_API_VERSION = '1.3-rev2';

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
	roleName: string;
	/** `RoleModel.description`, sent back as read (optional in Veeam's model). */
	roleDescription?: string;
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

export interface AclObjectName {
	type: AclObjectType;
	id: string;
	name: string;
}

export interface VbrAcl {
	/**
	 * Every record matching `filter` (checked here). `forceReload` resets the server's cache ("up-to-date
	 * data"); it is sent anyway once this client has sent a change.
	 */
	list(filter?: AclFilter, options?: { forceReload?: boolean }): Promise<AclRecord[]>;
	/** One record; undefined when the server answers 404 `NotFound` for it. */
	record(type: AclObjectType, id: string): Promise<AclRecord | undefined>;
	/** The record as the server answers the change. */
	changeOwner(type: AclObjectType, id: string, owner: string): Promise<AclRecord>;
	/** Sends `delegations` as the whole list (the server replaces it); the record as the server answers. */
	changeEffectiveAccess(type: AclObjectType, id: string, delegations: readonly AclDelegation[]): Promise<AclRecord>;
	/**
	 * Names of backups and jobs by `aclKey(type, id)`: `GET /backups` and/or `GET /jobs` (only the one of
	 * `type` when given), each paged, read once per adapter.
	 */
	names(type?: AclObjectType): Promise<Map<string, AclObjectName>>;
	/** Runs `task` after every task queued before for the same object (read, merge, send, read back: one at a time per object). */
	serially<T>(type: AclObjectType, id: string, task: () => Promise<T>): Promise<T>;
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

export interface VbrAclDeps {
	ctx: VeeamContext;
	/** The VBR adapter's request path (its RequestGroup: pauses, re-login, API version memory). */
	call<T>(req: VeeamRequest): Promise<T>;
	group: RequestGroup;
}

/** The ACL client of one VBR adapter (one execution). */
export class VbrAclClient implements VbrAcl {
	private readonly namesRead = new Map<AclObjectType, Promise<Map<string, AclObjectName>>>();

	private readonly queues = new Map<string, Serial>();
	/** A change was sent through this client: later listings reset the server's cache (`forceReload`). */
	private changed = false;

	constructor(private readonly deps: VbrAclDeps) {}

	async serially<T>(type: AclObjectType, id: string, task: () => Promise<T>): Promise<T> {
		const key = aclKey(type, id);
		let queue = this.queues.get(key);
		if (!queue) {
			queue = new Serial();
			this.queues.set(key, queue);
		}
		return await queue.run(task);
	}

	private get node() {
		return this.deps.ctx.getNode();
	}

	/**
	 * The ACL needs 1.3-rev2: a pinned older version is refused before anything is sent. Under
	 * "Automatic" the version kept with the token (or found in this execution) is checked; before the
	 * credential's first login none is known, so `send` goes out and a failure is checked again
	 * against the version that login found (a 1.3-rev1-only server answers these paths 404).
	 */
	private async rev2<T>(send: () => Promise<T>): Promise<T> {
		const before = await this.version();
		if (!servesAcl(before.version)) throw this.needsRev2(before.version);
		return await send().catch(async (error: unknown) => {
			if (before.automatic) {
				const after = await this.version();
				if (!servesAcl(after.version)) throw this.needsRev2(after.version);
			}
			throw error;
		});
	}

	private async version(): Promise<{ version: string; automatic: boolean }> {
		const credentials = await this.deps.ctx.getCredentials(CREDENTIAL_TYPE.vbr);
		return { version: effectiveApiVersion(credentials, 'vbr', this.deps.group.apiVersion), automatic: isAutomatic(credentials) };
	}

	private needsRev2(version: string): NodeOperationError {
		return new NodeOperationError(this.node, `Backup access needs Veeam Backup & Replication REST API ${ACL_API_VERSION} (VBR 13.1); this server speaks ${version}`, {
			description: `Access control lists of backups and jobs came with REST API ${ACL_API_VERSION}. Nothing was sent about them. If the server runs VBR 13.1 or later, choose "${ACL_API_VERSION}" or "Automatic" in the credential's API Version.`,
		});
	}

	private path(type: AclObjectType, id: string, action = ''): string {
		if (!ACL_OBJECT_TYPES.includes(type)) throw new NodeOperationError(this.node, `"${String(type)}" is not an ACL object type (backupJob or backup)`);
		if (!isUuid(id)) throw new NodeOperationError(this.node, `"${id}" is not a backup or job ID (a UUID)`);
		return `${ACL}/${type}/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;
	}

	/** An answer the node does not use: nothing more is sent. */
	private unexpected(what: string): NodeOperationError {
		const message = `Veeam answered ${what}`;
		const error = new NodeOperationError(this.node, message, {
			description: 'The answer is not one the node can rely on about backup access, so it is not used. Nothing more was sent.',
		});
		// n8n replaces a message containing a Node.js error code with that code's text, and
		// "changeEffectiveAccess" contains EACCES: the message is set again as written.
		error.message = message;
		return error;
	}

	private parsed(raw: unknown, call: string): AclRecord {
		const record = parseAclRecord(raw);
		if (typeof record === 'string') throw this.unexpected(`${call} with ${record}`);
		return record;
	}

	/** A record about the object the path named, or an error (never another object's record). */
	private echoed(raw: unknown, type: AclObjectType, id: string, call: string): AclRecord {
		const record = this.parsed(raw, call);
		if (record.id !== id.toLowerCase() || record.type !== type) throw this.unexpected(`${call} with the record of another object (${record.type} ${record.id})`);
		return record;
	}

	async list(filter: AclFilter = {}, options: { forceReload?: boolean } = {}): Promise<AclRecord[]> {
		return await this.rev2(async () => {
			const all = await readAllPages(
				async (skip, limit) => {
					const res = await this.deps.call<{ data?: unknown; pagination?: { total?: number } }>({
						method: 'POST',
						path: ACL,
						qs: options.forceReload || this.changed ? { forceReload: true } : undefined,
						body: { pagination: { skip, limit } },
						idempotent: true,
					});
					if (!Array.isArray(res?.data)) throw this.unexpected(`POST ${ACL} without a data list`);
					return { items: res.data.map((r) => this.parsed(r, `POST ${ACL}`)), total: res.pagination?.total };
				},
				(r) => aclKey(r.type, r.id),
				{ node: this.node, what: 'ACL records' },
			);
			return [...all.values()].filter((r) => matchesAclFilter(r, filter));
		});
	}

	async record(type: AclObjectType, id: string): Promise<AclRecord | undefined> {
		const path = this.path(type, id);
		return await this.rev2(async () => {
			const raw = await unlessNotFound(this.deps.call<unknown>({ method: 'GET', path }), id);
			return raw === undefined ? undefined : this.echoed(raw, type, id, `GET ${path}`);
		});
	}

	async changeOwner(type: AclObjectType, id: string, owner: string): Promise<AclRecord> {
		const path = this.path(type, id, 'changeOwner');
		if (owner.trim() === '') throw new NodeOperationError(this.node, 'The new owner is empty');
		return await this.rev2(async () => {
			this.changed = true;
			const raw = await this.deps.call<unknown>({ method: 'POST', path, body: { owner: owner.trim() }, idempotent: true });
			return this.echoed(raw, type, id, `POST ${path}`);
		});
	}

	async changeEffectiveAccess(type: AclObjectType, id: string, delegations: readonly AclDelegation[]): Promise<AclRecord> {
		const path = this.path(type, id, 'changeEffectiveAccess');
		for (const d of delegations) {
			if (!isUuid(d.roleId)) throw new NodeOperationError(this.node, `"${d.roleId}" is not a role ID (a UUID)`);
			if (d.rights.some((r) => !ACL_RIGHTS.includes(r))) throw new NodeOperationError(this.node, `Rights must be among ${ACL_RIGHTS.join(', ')}`);
		}
		// `AclPrincipalDelegationModel`: `principal` is a RoleModel (`id` and `name` required).
		const effectiveAccess = delegations.map((d) => ({
			principal: { id: d.roleId, name: d.roleName, ...(d.roleDescription ? { description: d.roleDescription } : {}) },
			rights: [...d.rights],
		}));
		return await this.rev2(async () => {
			this.changed = true;
			const raw = await this.deps.call<unknown>({ method: 'POST', path, body: { effectiveAccess }, idempotent: true });
			return this.echoed(raw, type, id, `POST ${path}`);
		});
	}

	async names(type?: AclObjectType): Promise<Map<string, AclObjectName>> {
		const kinds = type ? [type] : ACL_OBJECT_TYPES;
		// Both lists read to the end before a failure is reported: no request outlives the call.
		const settled = await Promise.allSettled(kinds.map(async (kind) => await this.namesOfKind(kind)));
		const failed = settled.find((r) => r.status === 'rejected');
		if (failed) throw failed.reason;
		return new Map(settled.flatMap((r) => (r.status === 'fulfilled' ? [...r.value] : [])));
	}

	/** One kind's names, read once per adapter; a failed read is not kept (the next call asks again). */
	private async namesOfKind(type: AclObjectType): Promise<Map<string, AclObjectName>> {
		let read = this.namesRead.get(type);
		if (!read) {
			read = this.rev2(async () => await (type === 'backup' ? this.namesOf(BACKUPS, 'backup', 'backups') : this.namesOf(JOBS, 'backupJob', 'jobs')));
			this.namesRead.set(type, read);
			read.catch(() => this.namesRead.delete(type));
		}
		return await read;
	}

	/** `BackupModel` / `JobModel`: `id` and `name` required; an entry without them names nothing and is left out. */
	private async namesOf(path: string, type: AclObjectType, what: string): Promise<Map<string, AclObjectName>> {
		const all = await readAllPages(
			async (skip, limit) => {
				const res = await this.deps.call<{ data?: unknown; pagination?: { total?: number } }>({ method: 'GET', path, qs: { skip, limit } });
				if (!Array.isArray(res?.data)) throw this.unexpected(`GET ${path} without a data list`);
				const items = (res.data as Json[]).map((o, i) => ({ o, at: skip + i }));
				return { items, total: res.pagination?.total };
			},
			({ o, at }) => (typeof o?.id === 'string' ? `${o.id.toLowerCase()}` : `#${at}`),
			{ node: this.node, what },
		);
		const names = new Map<string, AclObjectName>();
		for (const { o } of all.values()) {
			if (typeof o?.id !== 'string' || !isUuid(o.id) || typeof o.name !== 'string') continue;
			names.set(aclKey(type, o.id), { type, id: o.id.toLowerCase(), name: o.name });
		}
		return names;
	}
}
