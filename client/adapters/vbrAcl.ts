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

import type { RequestGroup, VeeamContext, VeeamRequest } from '../transport';
import { isUuid } from '../ids';
import { runPool, Serial } from '../pool';
import { unlessNotFound } from './common';
import { underRev2, type Rev2Gate } from './vbrRev2';
import { readAllPages } from './paging';
import {
	ACL_OBJECT_TYPES,
	ACL_RIGHTS,
	aclKey,
	matchesAclFilter,
	parseAclRecord,
	type AclDelegation,
	type AclFilter,
	type AclListing,
	type AclObjectName,
	type AclObjectType,
	type AclRecord,
	type ListOptions,
	type SkippedAclRecord,
} from './vbrAclRecord';

export * from './vbrAclRecord';

const ACL = '/api/v1/acl';
const BACKUPS = '/api/v1/backups';
const JOBS = '/api/v1/jobs';
/** The first revision with the ACL operations ([CL]: "REST API 1.3-rev2 completes the role-based access control coverage"). */
export const ACL_API_VERSION = '1.3-rev2';
/** Records read once more at a time for their delegations. */
const REREAD_CONCURRENCY = 4;

type Json = Record<string, unknown>;

export interface VbrAcl {
	/**
	 * Every record matching `filter` (checked here). `forceReload` resets the server's cache ("up-to-date
	 * data"); it is sent anyway once this client has sent a change.
	 */
	list(filter?: AclFilter, options?: ListOptions): Promise<AclRecord[]>;
	/** As `list`, with the records left out because they could not be read (`skipped`). */
	listing(filter?: AclFilter, options?: ListOptions): Promise<AclListing>;
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
	/**
	 * Runs `task` after every task queued before (read, merge, send, read back: one change at a time per
	 * execution, whatever the object: a four-eyes request new since a change's snapshot is then that
	 * change's, never another item's). `type` and `id` name the object the task changes.
	 */
	serially<T>(type: AclObjectType, id: string, task: () => Promise<T>): Promise<T>;
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

	/** One change at a time in this execution (`serially`). */
	private readonly changes = new Serial();
	/** A change was sent through this client: later listings reset the server's cache (`forceReload`). */
	private changed = false;

	constructor(private readonly deps: VbrAclDeps) {}

	async serially<T>(type: AclObjectType, id: string, task: () => Promise<T>): Promise<T> {
		this.path(type, id);
		return await this.changes.run(task);
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
	private rev2<T>(send: () => Promise<T>): Promise<T> {
		return underRev2(this.gate, send, 'afterFailure');
	}

	private get gate(): Rev2Gate {
		return { ctx: this.deps.ctx, group: this.deps.group, needsRev2: (version) => this.needsRev2(version) };
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

	async list(filter: AclFilter = {}, options: ListOptions = {}): Promise<AclRecord[]> {
		return (await this.listing(filter, options)).records;
	}

	async listing(filter: AclFilter = {}, options: ListOptions = {}): Promise<AclListing> {
		return await this.rev2(async () => {
			type Entry = { record: AclRecord } | { skipped: SkippedAclRecord; at: number };
			const all = await readAllPages<Entry>(
				async (skip, limit) => {
					const res = await this.deps.call<{ data?: unknown; pagination?: { total?: number } }>({
						method: 'POST',
						path: ACL,
						qs: options.forceReload || this.changed ? { forceReload: true } : undefined,
						body: { pagination: { skip, limit } },
						idempotent: true,
					});
					if (!Array.isArray(res?.data)) throw this.unexpected(`POST ${ACL} without a data list`);
					const items = res.data.map((raw, i): Entry => {
						const record = parseAclRecord(raw);
						if (typeof record !== 'string') return { record };
						const object = (raw as { object?: { id?: unknown; type?: unknown } } | undefined)?.object;
						const text = (v: unknown) => (typeof v === 'string' ? v : null);
						return { skipped: { objectId: text(object?.id), objectType: text(object?.type), problem: record }, at: skip + i };
					});
					return { items, total: res.pagination?.total };
				},
				(e) => ('record' in e ? aclKey(e.record.type, e.record.id) : `#${e.at}`),
				{ node: this.node, what: 'ACL records' },
			);
			const entries = [...all.values()];
			const skipped = entries.flatMap((e) => ('skipped' in e ? [e.skipped] : []));
			let records = entries.flatMap((e) => ('record' in e ? [e.record] : []));
			let reread = 0;
			if (options.completeDelegations || filter.roleId !== undefined) {
				const hidden = records.filter((r) => !r.delegationsShown && matchesAclFilter(r, { type: filter.type, owner: filter.owner }));
				reread = hidden.length;
				const outcomes = await runPool(hidden.length, async (i) => await this.fetch(hidden[i].type, hidden[i].id), { concurrency: REREAD_CONCURRENCY, stopOnError: true });
				const fresh = new Map<string, AclRecord | undefined>();
				for (const [i, outcome] of outcomes.entries()) {
					if (outcome && !outcome.ok) throw outcome.error;
					fresh.set(aclKey(hidden[i].type, hidden[i].id), outcome?.ok ? outcome.value : undefined);
				}
				// A record gone since the list (404) is left out: it is no longer there to grant anything.
				records = records.flatMap((r) => {
					const key = aclKey(r.type, r.id);
					if (!fresh.has(key)) return [r];
					const f = fresh.get(key);
					return f ? [f] : [];
				});
			}
			return { records: records.filter((r) => matchesAclFilter(r, filter)), skipped, reread };
		});
	}

	async record(type: AclObjectType, id: string): Promise<AclRecord | undefined> {
		return await this.rev2(async () => await this.fetch(type, id));
	}

	private async fetch(type: AclObjectType, id: string): Promise<AclRecord | undefined> {
		const path = this.path(type, id);
		const raw = await unlessNotFound(this.deps.call<unknown>({ method: 'GET', path }), id);
		return raw === undefined ? undefined : this.echoed(raw, type, id, `GET ${path}`);
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
			// `RoleModel.name` is required: never a made-up empty one (the caller fills it from the role list).
			if (d.roleName.trim() === '') throw new NodeOperationError(this.node, `The delegation to the role ${d.roleId} has no role name: nothing was sent`);
		}
		// `AclPrincipalDelegationModel`: `principal` is a RoleModel (`id` and `name` required), sent as read.
		const effectiveAccess = delegations.map((d) => ({
			principal: {
				id: d.roleId,
				name: d.roleName,
				...(d.roleDescription !== undefined ? { description: d.roleDescription } : {}),
				...(d.roleIsBuiltIn !== undefined ? { isBuiltIn: d.roleIsBuiltIn } : {}),
			},
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
