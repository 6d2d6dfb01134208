/**
 * VBR 13.1 (REST 1.3-rev2) access control lists of backups and backup jobs: `POST /api/v1/acl`,
 * `GET /api/v1/acl/{objectType}/{objectId}`, `…/changeOwner`, `…/changeEffectiveAccess`
 * (sim/contracts/vbr-access-control.md). Access is delegated to roles (`effectiveAccess`), the owner
 * is one account.
 */
import { badRequest, boolParam, jsonBody, notFound, SimHttpError, type SimRequest, type SimResponse } from '../core/http';
import { listBackups, listJobs } from './backupsJobs';
import { ok, UUID } from './model';

type Json = Record<string, unknown>;
export type AclKind = 'backupJob' | 'backup';
export type AclRight = 'full' | 'write' | 'restore';

const KINDS: readonly AclKind[] = ['backupJob', 'backup'];
const LABEL: Record<AclKind, string> = { backupJob: 'Job', backup: 'Backup' };
const RIGHTS: readonly AclRight[] = ['full', 'write', 'restore'];
const OPERATIONS = ['In', 'Contains', 'Equals', 'NotEquals', 'LessThan', 'LessThanOrEqual', 'GreaterThan', 'GreaterThanOrEqual', 'StartsWith', 'EndsWith'];

export interface AclObject {
	id: string;
	kind: AclKind;
	/** Not in an ACL record (`AclObjectModel` is id and type); kept for the reader of the seed. */
	name: string;
	owner: { userIdentifier: string; name: string };
	rights: AclRight[];
	effectiveAccess: Array<{ roleId: string; rights: AclRight[] }>;
}

/** The owner of Veeam's ACL examples (`AclRecordModelExample`). */
const EXAMPLE_OWNER = { userIdentifier: 'S-1-5-21-1004336348-1177238915-682003330-512', name: 'TECH\\Administrator' };

/** The backups and jobs the server starts with (ids fixed here so tests can name them). */
export const ACL_SEED: readonly AclObject[] = [
	{ id: '6f1c2b3a-4d5e-4f60-8a71-92b3c4d5e601', kind: 'backupJob', name: 'Daily VM Backup', owner: EXAMPLE_OWNER, rights: ['full'], effectiveAccess: [] },
	{ id: '6f1c2b3a-4d5e-4f60-8a71-92b3c4d5e602', kind: 'backupJob', name: 'SQL Backup', owner: EXAMPLE_OWNER, rights: ['full'], effectiveAccess: [] },
	{ id: '7e2d3c4b-5a6f-4071-9b82-a3c4d5e6f701', kind: 'backup', name: 'Daily VM Backup', owner: EXAMPLE_OWNER, rights: ['full'], effectiveAccess: [] },
	{ id: '7e2d3c4b-5a6f-4071-9b82-a3c4d5e6f702', kind: 'backup', name: 'SQL Backup', owner: EXAMPLE_OWNER, rights: ['full'], effectiveAccess: [] },
	{ id: '7e2d3c4b-5a6f-4071-9b82-a3c4d5e6f703', kind: 'backup', name: 'File Server Backup', owner: EXAMPLE_OWNER, rights: ['full'], effectiveAccess: [] },
];

export interface AclOptions {
	/** Write `object.type` as Veeam's example does (`Job`, `Backup`) instead of the path enum's `backupJob`, `backup`. */
	aclObjectTypeAsExample?: boolean;
	/**
	 * `untracked` (default, decision 2: Veeam's four-eyes page does not list ACL changes): done at once,
	 * no authorization event. `asUserChanges` plays the other behaviour: each change an `Info` event
	 * ("Change owner", "Change effective access", wording **assumed**), held as `Pending` under four-eyes
	 * and answered as if done.
	 */
	aclChanges?: 'untracked' | 'asUserChanges';
	/**
	 * Leave `effectiveAccess` out of every record of the list (`POST /acl`), as Veeam's list example
	 * (`AclBrowserResultExample`) does for the job its single-record example (`AclRecordModelExample`)
	 * shows delegated to Restore Operator. Default: the list shows them as the record does (**assumed**).
	 */
	aclListOmitsDelegations?: boolean;
}

/** What the ACL needs of the rest of the server (product.ts). */
export interface AclDeps {
	/** `RoleModel` of a role as a delegation names it, or undefined for an unknown role. */
	role(id: string): Json | undefined;
	/** An account the server can resolve by name or SID: its `ObjectOwnerModel`, or undefined. */
	account(nameOrSid: string): { userIdentifier: string; name: string } | undefined;
	/** The caller: its account name, whether it is a Backup Administrator, and its role ids. */
	caller(req: SimRequest): { name: string; admin: boolean; roleIds: string[]; allRecords: boolean };
	maxPageSize: number;
	/** product.ts's `change` (four-eyes and the authorization events), for `aclChanges: 'asUserChanges'`. */
	change?(req: SimRequest, note: { name: string; description: string }, apply: () => void): void;
}

/** A SID for an account the simulator has none for: stable, derived from the name (**assumed** shape). */
export function sidOf(name: string): string {
	let h = 0;
	for (const c of name.toLowerCase()) h = (h * 31 + c.charCodeAt(0)) >>> 0;
	return `S-1-5-21-1004336348-1177238915-682003330-${1100 + (h % 100000)}`;
}

export const ACL_EXAMPLE_OWNER = EXAMPLE_OWNER;

export class VbrAcl {
	private objects = new Map<string, AclObject>();

	constructor(
		private readonly deps: AclDeps,
		private readonly options: AclOptions = {},
	) {
		this.reset();
	}

	reset(): void {
		this.objects = new Map(ACL_SEED.map((o) => [o.id, structuredClone(o)]));
	}

	/** A backup or job appearing behind the API (a job created, a backup imported in the console): for tests. */
	addObject(o: AclObject): void {
		this.objects.set(o.id.toLowerCase(), structuredClone({ ...o, id: o.id.toLowerCase() }));
	}

	/** A backup or job going (deleted in the console): for tests. True when it was there. */
	removeObject(id: string): boolean {
		return this.objects.delete(id.toLowerCase());
	}

	/** A role deleted: it leaves every record's delegations. */
	forgetRole(roleId: string): void {
		for (const o of this.objects.values()) o.effectiveAccess = o.effectiveAccess.filter((e) => e.roleId !== roleId);
	}

	dump(): Json[] {
		return [...this.objects.values()].map((o) => this.record(o, true));
	}

	/** `POST /api/v1/acl` with `AclBrowserFilters` (all optional). */
	list(req: SimRequest): SimResponse {
		boolParam(req.query, 'forceReload'); // no cache here: every answer is up to date
		const body = req.rawBody.length ? jsonBody(req) : {};
		const paging = (body.pagination ?? {}) as Json;
		const skip = paging.skip === undefined ? 0 : integer(paging.skip, 'pagination.skip', 0);
		const limit = Math.min(paging.limit === undefined ? 200 : integer(paging.limit, 'pagination.limit', 1), this.deps.maxPageSize);
		const caller = this.deps.caller(req);
		const listed = (o: AclObject) => this.options.aclListOmitsDelegations !== true && this.seesDelegations(o, caller);
		let records = [...this.objects.values()].filter((o) => this.visible(o, caller)).map((o) => this.record(o, listed(o)));
		if (body.filter !== undefined) {
			const match = predicate(body.filter);
			records = records.filter((r) => match(r));
		}
		if (body.sorting !== undefined) {
			const sorting = body.sorting as Json;
			if (typeof sorting?.property !== 'string') throw badRequest('The sorting.property property is required.');
			const desc = sorting.direction === 'Descending';
			if (sorting.direction !== undefined && !desc && sorting.direction !== 'Ascending') throw badRequest('The sorting.direction property must be Ascending or Descending.');
			const property = sorting.property;
			records.sort((a, b) => String(valueAt(a, property) ?? '').localeCompare(String(valueAt(b, property) ?? '')) * (desc ? -1 : 1));
		}
		const page = records.slice(skip, skip + limit);
		return ok({ data: page, pagination: { total: records.length, count: page.length, skip, limit } });
	}

	/** `GET /api/v1/backups`, read-only, over the seeded backups (backupsJobs.ts). */
	backups(req: SimRequest): SimResponse {
		return listBackups(req, [...this.objects.values()], this.deps.maxPageSize);
	}

	/** `GET /api/v1/jobs`, read-only, over the seeded jobs (backupsJobs.ts). */
	jobs(req: SimRequest): SimResponse {
		return listJobs(req, [...this.objects.values()], this.deps.maxPageSize);
	}

	get(req: SimRequest): SimResponse {
		const o = this.find(req);
		const caller = this.deps.caller(req);
		if (!this.visible(o, caller)) throw new SimHttpError(403, 'AccessDenied', 'Forbidden');
		// One record shows its delegations, an empty list included, to whoever may see them
		// (AclRecordModelExample has the field; an empty one written as [] is **assumed**).
		return ok(this.record(o, this.seesDelegations(o, caller), true));
	}

	/** "Username or SID of the new object owner." An account the server does not know: 400 (**assumed**). */
	changeOwner(req: SimRequest): SimResponse {
		const o = this.find(req);
		const owner = jsonBody(req).owner;
		if (typeof owner !== 'string' || owner.trim() === '') throw badRequest('The owner property is required.');
		const account = this.deps.account(owner.trim());
		if (!account) throw badRequest(`The account ${owner} cannot be resolved.`);
		this.track(req, { name: 'Change owner', description: `${LABEL[o.kind]} ${o.name}: owner changed to ${account.name}.` }, () => {
			o.owner = account;
		});
		return ok(this.record({ ...o, owner: account }, true));
	}

	/** The array given replaces the record's delegations (**assumed**); an unknown role is 400, an entry without rights dropped. */
	changeEffectiveAccess(req: SimRequest): SimResponse {
		const o = this.find(req);
		const list = jsonBody(req).effectiveAccess;
		if (!Array.isArray(list)) throw badRequest('The effectiveAccess property is required.');
		const next: AclObject['effectiveAccess'] = [];
		for (const entry of list as Json[]) {
			const id = (entry?.principal as Json | undefined)?.id;
			if (typeof id !== 'string' || !UUID.test(id)) throw badRequest('Each effectiveAccess entry needs principal.id (a UUID).');
			if (!this.deps.role(id.toLowerCase())) throw badRequest(`The role ${id} does not exist.`);
			const rights = entry.rights;
			if (!Array.isArray(rights) || rights.some((r) => !RIGHTS.includes(r as AclRight))) throw badRequest(`The rights property must list ${RIGHTS.join(', ')}.`);
			if (rights.length === 0) continue;
			const existing = next.find((e) => e.roleId === id.toLowerCase());
			if (existing) existing.rights = [...new Set([...existing.rights, ...(rights as AclRight[])])];
			else next.push({ roleId: id.toLowerCase(), rights: [...new Set(rights as AclRight[])] });
		}
		this.track(req, { name: 'Change effective access', description: `${LABEL[o.kind]} ${o.name}: effective access changed.` }, () => {
			o.effectiveAccess = next;
		});
		return ok(this.record({ ...o, effectiveAccess: next }, true));
	}

	/** Done now, or through four-eyes and the authorization events with `aclChanges: 'asUserChanges'` (answered as if done). */
	private track(req: SimRequest, note: { name: string; description: string }, apply: () => void): void {
		if (this.options.aclChanges === 'asUserChanges' && this.deps.change) this.deps.change(req, note, apply);
		else apply();
	}

	/** The path's `objectType` (`EAclObjectKind`, any case) and `objectId`; outside the enum: 400 `InvalidURI` (**assumed**). */
	private find(req: SimRequest): AclObject {
		const kind = KINDS.find((k) => k.toLowerCase() === req.params.objectType.toLowerCase());
		if (!kind) throw new SimHttpError(400, 'InvalidURI', 'The request URI is invalid.');
		const o = this.objects.get(req.params.objectId.toLowerCase());
		if (!o || o.kind !== kind) throw notFound('Resource does not exist', req.params.objectId);
		return o;
	}

	/** Administrators and the built-in readers see every record; a custom role the records delegated to it or owned (**assumed**). */
	private visible(o: AclObject, caller: ReturnType<AclDeps['caller']>): boolean {
		return caller.allRecords || this.seesDelegations(o, caller) || o.effectiveAccess.some((e) => caller.roleIds.includes(e.roleId));
	}

	/** "Visible only to the owner & admin." */
	private seesDelegations(o: AclObject, caller: ReturnType<AclDeps['caller']>): boolean {
		return caller.admin || o.owner.name.toLowerCase() === caller.name.toLowerCase();
	}

	private record(o: AclObject, delegations: boolean, evenEmpty = false): Json {
		const type = this.options.aclObjectTypeAsExample === true ? (o.kind === 'backupJob' ? 'Job' : 'Backup') : o.kind;
		const principal: Json = { owner: { ...o.owner }, rights: [...o.rights] };
		if (delegations && (evenEmpty || o.effectiveAccess.length > 0)) {
			principal.effectiveAccess = o.effectiveAccess.map((e) => ({ principal: this.deps.role(e.roleId) ?? { id: e.roleId, name: e.roleId }, rights: [...e.rights] }));
		}
		return { object: { id: o.id, type }, principal };
	}
}

function integer(value: unknown, field: string, min: number): number {
	if (typeof value !== 'number' || !Number.isInteger(value) || value < min) throw badRequest(`The ${field} property must be an integer of at least ${min}.`);
	return value;
}

/** A dotted property of a record (`object.type`, `principal.owner.name`); a short name is looked up under `object` and `principal.owner`. */
function valueAt(record: Json, property: string): unknown {
	const walk = (path: string) => path.split('.').reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Json)[key] : undefined), record);
	return walk(property) ?? walk(`object.${property}`) ?? walk(`principal.owner.${property}`);
}

/**
 * `FilterExpressionModel`: which properties of a record can be filtered is not documented (the spec's
 * text names the inventory's); here any dotted property of the record. Text compared without case.
 */
function predicate(filter: unknown): (record: Json) => boolean {
	const f = filter as Json;
	if (!f || typeof f !== 'object') throw badRequest('The filter property must be an object.');
	if (f.type === 'GroupExpression') {
		if (!Array.isArray(f.items)) throw badRequest('A GroupExpression needs items.');
		const items = (f.items as unknown[]).map(predicate);
		if (f.operation === 'And') return (r) => items.every((m) => m(r));
		if (f.operation === 'Or') return (r) => items.some((m) => m(r));
		if (f.operation === 'Not') return (r) => !items.every((m) => m(r));
		throw badRequest('A GroupExpression operation must be Not, Or or And.');
	}
	if (f.type !== 'PredicateExpression') throw badRequest('The filter type must be PredicateExpression or GroupExpression.');
	if (typeof f.property !== 'string' || !OPERATIONS.includes(String(f.operation))) throw badRequest('A PredicateExpression needs property, operation and value.');
	const property = f.property;
	const wanted = String(f.value ?? '').toLowerCase();
	const test: Record<string, (v: string) => boolean> = {
		In: (v) => wanted.split(',').map((s) => s.trim()).includes(v),
		Contains: (v) => v.includes(wanted),
		Equals: (v) => v === wanted,
		NotEquals: (v) => v !== wanted,
		LessThan: (v) => v < wanted,
		LessThanOrEqual: (v) => v <= wanted,
		GreaterThan: (v) => v > wanted,
		GreaterThanOrEqual: (v) => v >= wanted,
		StartsWith: (v) => v.startsWith(wanted),
		EndsWith: (v) => v.endsWith(wanted),
	};
	const check = test[String(f.operation)];
	return (r) => {
		const v = valueAt(r, property);
		const values = Array.isArray(v) ? v.map((x) => String(x).toLowerCase()) : [String(v ?? '').toLowerCase()];
		return values.some(check);
	};
}
