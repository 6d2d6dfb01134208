/**
 * The state of the role and access events (accessModel.ts) in the node's static data, under
 * `ACCESS_STATE_KEY`, beside the user snapshot and written only with it (poll.ts), with the
 * conventions of state.ts / stateCodec.ts: packed UUIDs, front-coded texts, numbers in a
 * 92-character alphabet, tables for what repeats.
 *
 *   v      format version
 *   cfg    the user snapshot's config fingerprint (product, server, API version): another is another server
 *   api    under "Automatic", the API version the roles and records were read at, where known
 *   seq    a write counter: a poll commits only over the state it started from (two overlapping polls
 *          never both report one change; the one that finds another state written meanwhile reports nothing)
 *   roles  (role events chosen) n; rows: per custom role, sorted by id: a head (id kind, description
 *          mode, the two permissions, which scopes, details never read), id, name, description or its digest, a 64-bit
 *          digest per scope; cursor: the last role whose details were read (the next poll goes on after it)
 *   acl    (access events chosen) n; tables owners [sid, name], rights [right…], roles [id, name],
 *          types [type]; records: per record, sorted by type and id: a head (type, delegations shown, id kind), id,
 *          owner, rights, then its delegations (role, rights)
 *
 * Measured (test/nodes/VeeamTrigger/accessState.test.ts, JSON as n8n stores it): 50 custom roles with
 * all four scopes 3,615 bytes (about 70 a role); 500 records with 0-3 delegations each (20 owners)
 * 17,746 bytes (about 35 a record); both 21,332 bytes.
 */
import type { IDataObject } from 'n8n-workflow';

import { textDigest } from './diff';
import { ACCESS_STATE_KEY, MAX_KEPT_DESCRIPTION } from './state';
import { ROLE_SCOPES, aclKey, type AclEntry, type TrackedRole } from './accessModel';
import { Reader, StateFormatError, UUID, Writer } from './stateCodec';

export { ACCESS_STATE_KEY };
export const ACCESS_STATE_VERSION = 1;

export interface StoredAccess extends IDataObject {
	v: number;
	cfg: string;
	api?: string;
	seq: number;
	roles?: { n: number; rows: string; cursor?: string };
	acl?: { n: number; owners: string[][]; rights: string[][]; roles: string[][]; types: string[]; records: string };
}

const tri = (v: boolean | undefined) => (v === undefined ? 0 : v ? 2 : 1);
const fromTri = (v: number) => (v === 0 ? undefined : v === 2);
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

// ---- roles ---------------------------------------------------------------------------------------

export function encodeRoles(roles: Iterable<TrackedRole>): string {
	const sorted = [...roles].sort(byId);
	const out = new Writer(sorted.length * 120);
	let prevId = '';
	let prevName = '';
	let prevDescription = '';
	for (const role of sorted) {
		const uuid = UUID.test(role.id);
		const long = role.description !== undefined && role.description.length > MAX_KEPT_DESCRIPTION;
		const mode = role.description === undefined ? (role.descriptionDigest === undefined ? 0 : 2) : long ? 2 : 1;
		let mask = role.detailsUnknown ? 16 : 0;
		ROLE_SCOPES.forEach((s, i) => {
			if (role.scopes[s] !== undefined) mask |= 1 << i;
		});
		out.varint((uuid ? 1 : 0) + 2 * mode + 6 * tri(role.manageBackups) + 18 * tri(role.manageRestores) + 54 * mask);
		if (uuid) out.uuid(role.id);
		else out.text(prevId, role.id);
		prevId = role.id;
		out.text(prevName, role.name);
		prevName = role.name;
		if (mode === 1) {
			out.text(prevDescription, role.description ?? '');
			prevDescription = role.description ?? '';
		} else if (mode === 2) digestWords(out, role.description === undefined ? (role.descriptionDigest ?? '') : textDigest(role.description));
		for (const s of ROLE_SCOPES) if (role.scopes[s] !== undefined) digestWords(out, role.scopes[s] ?? '');
	}
	return out.toString();
}

function digestWords(out: Writer, digest: string): void {
	if (!/^[0-9a-f]{16}$/.test(digest)) throw new StateFormatError(`bad digest ${digest}`);
	out.word(parseInt(digest.slice(0, 8), 16));
	out.word(parseInt(digest.slice(8, 16), 16));
}

export function decodeRoles(rows: string, n: number): Map<string, TrackedRole> {
	const r = new Reader(rows);
	const roles = new Map<string, TrackedRole>();
	let prevId = '';
	let prevName = '';
	let prevDescription = '';
	while (!r.done) {
		const head = r.varint();
		const mask = Math.floor(head / 54);
		if (mask > 31) throw new StateFormatError('bad role head');
		const mode = Math.floor(head / 2) % 3;
		const id = head % 2 === 1 ? r.uuid() : r.text(prevId);
		prevId = id;
		const name = r.text(prevName);
		prevName = name;
		const role: TrackedRole = { id, name, scopes: {} };
		if (mode === 1) {
			role.description = r.text(prevDescription);
			prevDescription = role.description;
		} else if (mode === 2) role.descriptionDigest = r.digest();
		role.manageBackups = fromTri(Math.floor(head / 6) % 3);
		role.manageRestores = fromTri(Math.floor(head / 18) % 3);
		ROLE_SCOPES.forEach((s, i) => {
			if (mask & (1 << i)) role.scopes[s] = r.digest();
		});
		if (mask & 16) role.detailsUnknown = true;
		if (roles.has(id.toLowerCase())) throw new StateFormatError(`duplicate role ${id}`);
		roles.set(id.toLowerCase(), role);
	}
	if (roles.size !== n) throw new StateFormatError(`it holds ${roles.size} roles, not ${n}`);
	return roles;
}

// ---- ACL records ---------------------------------------------------------------------------------

/** A table of distinct rows, by a key. */
class Table<T> {
	readonly rows: T[] = [];
	private readonly index = new Map<string, number>();
	of(key: string, row: () => T): number {
		let i = this.index.get(key);
		if (i === undefined) {
			i = this.rows.length;
			this.index.set(key, i);
			this.rows.push(row());
		}
		return i;
	}
}

export function encodeAcl(entries: Iterable<AclEntry>): NonNullable<StoredAccess['acl']> {
	const sorted = [...entries].sort((a, b) => (aclKey(a) < aclKey(b) ? -1 : aclKey(a) > aclKey(b) ? 1 : 0));
	const owners = new Table<string[]>();
	const rights = new Table<string[]>();
	const roles = new Table<string[]>();
	const types = new Table<string>();
	const out = new Writer(sorted.length * 32);
	let prevId = '';
	const rightsIdx = (list: string[]) => rights.of(list.join('\u0000'), () => [...list]);
	for (const e of sorted) {
		const uuid = UUID.test(e.id);
		out.varint(types.of(e.type, () => e.type) * 4 + (e.delegationsShown ? 2 : 0) + (uuid ? 1 : 0));
		if (uuid) out.uuid(e.id);
		else out.text(prevId, e.id);
		prevId = e.id;
		out.varint(owners.of(`${e.owner.userIdentifier}\u0000${e.owner.name}`, () => [e.owner.userIdentifier, e.owner.name]));
		out.varint(rightsIdx(e.rights));
		out.varint(e.effectiveAccess.length);
		for (const d of e.effectiveAccess) {
			out.varint(roles.of(`${d.roleId}\u0000${d.roleName}`, () => [d.roleId, d.roleName]));
			out.varint(rightsIdx(d.rights));
		}
	}
	return { n: sorted.length, owners: owners.rows, rights: rights.rows, roles: roles.rows, types: types.rows, records: out.toString() };
}

const isStringRows = (v: unknown, width?: number): v is string[][] =>
	Array.isArray(v) && v.every((row) => Array.isArray(row) && (width === undefined || row.length === width) && row.every((x) => typeof x === 'string'));

export function decodeAcl(acl: unknown): Map<string, AclEntry> {
	const a = acl as Partial<NonNullable<StoredAccess['acl']>>;
	if (
		!a ||
		typeof a !== 'object' ||
		typeof a.records !== 'string' ||
		typeof a.n !== 'number' ||
		!isStringRows(a.owners, 2) ||
		!isStringRows(a.rights) ||
		!isStringRows(a.roles, 2) ||
		!Array.isArray(a.types) ||
		!a.types.every((t) => typeof t === 'string')
	) {
		throw new StateFormatError('bad ACL tables');
	}
	const at = <T>(table: T[], i: number): T => {
		if (i >= table.length) throw new StateFormatError('bad table index');
		return table[i];
	};
	const r = new Reader(a.records);
	const out = new Map<string, AclEntry>();
	let prevId = '';
	while (!r.done) {
		const head = r.varint();
		const type = at(a.types, Math.floor(head / 4));
		const delegationsShown = (head & 2) !== 0;
		const id = head % 2 === 1 ? r.uuid() : r.text(prevId);
		prevId = id;
		const [userIdentifier, name] = at(a.owners, r.varint());
		const rights = [...at(a.rights, r.varint())];
		const count = r.varint();
		const effectiveAccess: AclEntry['effectiveAccess'] = [];
		for (let i = 0; i < count; i++) {
			const [roleId, roleName] = at(a.roles, r.varint());
			effectiveAccess.push({ roleId, roleName, rights: [...at(a.rights, r.varint())] });
		}
		const entry: AclEntry = { type, id, owner: { userIdentifier, name }, rights, effectiveAccess, delegationsShown };
		const key = aclKey(entry);
		if (out.has(key)) throw new StateFormatError(`duplicate record ${key}`);
		out.set(key, entry);
	}
	if (out.size !== a.n) throw new StateFormatError(`it holds ${out.size} records, not ${String(a.n)}`);
	return out;
}

// ---- the whole part ------------------------------------------------------------------------------

export interface OpenedAccess {
	/** The write counter of the state opened (0: none). */
	seq: number;
	/** Undefined: no baseline for roles (none stored, another server or version, or malformed) and why. */
	roles?: Map<string, TrackedRole>;
	cursor?: string;
	acl?: Map<string, AclEntry>;
	reason: { roles?: string; acl?: string };
}

/** The stored role and ACL state for this config, each part decoded or, if unusable, why. */
export function openAccess(staticData: IDataObject, cfg: string, apiVersion?: string): OpenedAccess {
	const s = staticData[ACCESS_STATE_KEY] as Partial<StoredAccess> | undefined;
	const seq = s && typeof s === 'object' && typeof s.seq === 'number' ? s.seq : 0;
	const none = (why: string): OpenedAccess => ({ seq, reason: { roles: why, acl: why } });
	if (!s || typeof s !== 'object') return none('no baseline yet');
	if (s.v !== ACCESS_STATE_VERSION) return none(`state format ${String(s.v)} is not ${ACCESS_STATE_VERSION}`);
	if (s.cfg !== cfg) return none('the product, server or API version changed');
	if (apiVersion && typeof s.api === 'string' && s.api.toLowerCase() !== apiVersion.toLowerCase()) return none(`the API version in use changed (${s.api} to ${apiVersion})`);
	const opened: OpenedAccess = { seq, reason: {} };
	try {
		if (s.roles && typeof s.roles === 'object' && typeof s.roles.rows === 'string' && typeof s.roles.n === 'number') {
			opened.roles = decodeRoles(s.roles.rows, s.roles.n);
			if (typeof s.roles.cursor === 'string') opened.cursor = s.roles.cursor;
		} else opened.reason.roles = 'no baseline yet';
	} catch (error) {
		opened.reason.roles = `the stored state is malformed (${(error as Error).message})`;
	}
	try {
		if (s.acl !== undefined) opened.acl = decodeAcl(s.acl);
		else opened.reason.acl = 'no baseline yet';
	} catch (error) {
		opened.reason.acl = `the stored state is malformed (${(error as Error).message})`;
	}
	return opened;
}

/** The part to store: only what is tracked (a part not chosen any more is dropped, so choosing it again starts a baseline). */
export function encodeAccess(
	cfg: string,
	seq: number,
	parts: { roles?: { roles: Iterable<TrackedRole>; cursor?: string }; acl?: Iterable<AclEntry>; apiVersion?: string },
): StoredAccess {
	const rows = parts.roles ? [...parts.roles.roles] : undefined;
	return {
		v: ACCESS_STATE_VERSION,
		cfg,
		...(parts.apiVersion ? { api: parts.apiVersion } : {}),
		seq,
		...(rows ? { roles: { n: rows.length, rows: encodeRoles(rows), ...(parts.roles?.cursor ? { cursor: parts.roles.cursor } : {}) } } : {}),
		...(parts.acl ? { acl: encodeAcl(parts.acl) } : {}),
	};
}

export function currentSeq(staticData: IDataObject): number {
	const s = staticData[ACCESS_STATE_KEY] as Partial<StoredAccess> | undefined;
	return s && typeof s === 'object' && typeof s.seq === 'number' ? s.seq : 0;
}
