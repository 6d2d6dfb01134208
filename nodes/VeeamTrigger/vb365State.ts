/**
 * The Veeam Trigger's state on Veeam Backup for Microsoft 365 (vb365Poll.ts): the restore-operator
 * roles as the last emitting poll saw them, small enough for the workflow's static data.
 *
 * Under `staticData.vb365` (reassigned whole on every write, never edited in place):
 *
 *   v      format version
 *   cfg    config fingerprint (server, API version, the organization watched): another value is
 *          another set of roles, so the state is discarded and a baseline taken
 *   parts  what was read and kept: 1 operators, 2 scope (selected and excluded items)
 *   orgs   the organizations of the kept roles: [id, name]
 *   s      one string (stateCodec.ts alphabet): the table of operators and items, then the roles
 *
 * Table: each Microsoft 365 user, group, site or team a kept role names (as operator, selected or
 * excluded item) once, sorted by kind and name: kind; an operator's ID (an ID made of canonical
 * UUIDs, as Veeam's `<office id><on-premises id>` user IDs are, packed at 20 characters per UUID),
 * an item's only as a 64-bit digest (10 characters: enough to compare, and an item removed from a
 * scope is shown by its name); and its name (a user's e-mail, a group's name, a site's URL, a team's
 * e-mail, front-coded against the name before): what a removal event shows. No display names,
 * descriptions or operator/item list IDs.
 * Roles, sorted by ID: ID, organization (1 + index in `orgs`), name, role type, which lists are
 * known, then each known list as ascending table indexes (differences from the previous one).
 */
import type { IDataObject } from 'n8n-workflow';

import type { Vb365Item, Vb365RoleType } from '../../client/vb365Model';
import { textDigest } from './diff';
import { Reader, StateFormatError, UUID, Writer } from './stateCodec';

export const VB365_STATE_KEY = 'vb365';
export const VB365_STATE_VERSION = 1;
export const PART_OPERATORS = 1;
export const PART_SCOPE = 2;

/** An operator or an item as the state keeps it: an item's ID only as a digest. */
export interface Vb365Entity {
	/** `unknown`: an item of a type the REST schema does not have (client/vb365Model.ts). */
	kind: Vb365Item['kind'];
	/** Absent for an item kept as a digest. */
	id?: string;
	/** `textDigest` of the lower-case ID, where the ID is not kept. */
	digest?: string;
	name: string;
}

/** A role as the trigger compares it; a list is undefined when it is not known (not read, or not kept). */
export interface TrackedVb365Role {
	id: string;
	organizationId: string;
	name: string;
	roleType?: Vb365RoleType;
	operators?: Vb365Entity[];
	/** An entire-organization role's selection does not count: kept as empty. */
	selected?: Vb365Entity[];
	excluded?: Vb365Entity[];
}

export interface StoredVb365 extends IDataObject {
	v: number;
	cfg: string;
	parts: number;
	orgs: string[][];
	s: string;
}

// By position in the stored state: a new kind goes at the end ('unknown' items, kept since the audit's G2).
const KINDS: ReadonlyArray<Vb365Item['kind']> = ['user', 'group', 'site', 'team', 'unknown'];
const ROLE_TYPES: ReadonlyArray<Vb365RoleType | undefined> = [undefined, 'EntireOrganization', 'SpecificObjects'];
const LISTS = ['operators', 'selected', 'excluded'] as const;
const MAX_UUIDS = 8;

/** The identity of an operator or item: kind and a digest of its ID (IDs compared without regard to case). */
export const entityKey = (e: { kind: string; id?: string; digest?: string }) => `${e.kind}:${e.digest ?? textDigest((e.id ?? '').toLowerCase())}`;

function writeId(out: Writer, id: string): void {
	const n = id.length / 36;
	if (Number.isInteger(n) && n >= 1 && n <= MAX_UUIDS) {
		const parts = Array.from({ length: n }, (_, i) => id.slice(i * 36, i * 36 + 36));
		if (parts.every((p) => UUID.test(p))) {
			out.varint(n);
			for (const p of parts) out.uuid(p);
			return;
		}
	}
	out.varint(0);
	out.text('', id);
}

function readId(r: Reader): string {
	const n = r.varint();
	if (n === 0) return r.text('');
	if (n > MAX_UUIDS) throw new StateFormatError('bad ID');
	let id = '';
	for (let i = 0; i < n; i++) id += r.uuid();
	return id;
}

const byKey = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The state of these roles (each list as known), for `cfg`. */
export function encodeVb365(roles: Iterable<TrackedVb365Role>, cfg: string, parts: number, orgNames: ReadonlyMap<string, string>): StoredVb365 {
	const list = [...roles].sort((a, b) => byKey(a.id.toLowerCase(), b.id.toLowerCase()));
	// Operators first: an entity that is an operator anywhere keeps its ID.
	const entities = new Map<string, Vb365Entity>();
	const keepsId = new Set<string>();
	for (const role of list) for (const e of role.operators ?? []) if (e.id !== undefined) keepsId.add(entityKey(e));
	for (const role of list) for (const name of LISTS) for (const e of role[name] ?? []) if (!entities.has(entityKey(e)) || (e.id !== undefined && entities.get(entityKey(e))?.id === undefined)) entities.set(entityKey(e), e);
	// By kind, then name: a name is written as what it adds to the one before (front coding).
	const keys = [...entities.keys()].sort((a, b) => {
		const x = entities.get(a) as Vb365Entity;
		const y = entities.get(b) as Vb365Entity;
		return KINDS.indexOf(x.kind) - KINDS.indexOf(y.kind) || byKey(x.name, y.name) || byKey(a, b);
	});
	const index = new Map(keys.map((k, i) => [k, i]));
	const orgIds = [...new Set(list.map((r) => r.organizationId.toLowerCase()))].sort(byKey);
	const orgIndex = new Map(orgIds.map((id, i) => [id, i + 1]));
	const out = new Writer(64 * (keys.length + list.length));
	out.varint(keys.length);
	let previousName = '';
	for (const key of keys) {
		const e = entities.get(key) as Vb365Entity;
		const withId = keepsId.has(key) && e.id !== undefined;
		out.varint(KINDS.indexOf(e.kind) * 2 + (withId ? 1 : 0));
		if (withId) writeId(out, e.id as string);
		else {
			const digest = key.slice(key.indexOf(':') + 1);
			out.word(parseInt(digest.slice(0, 8), 16));
			out.word(parseInt(digest.slice(8), 16));
		}
		out.text(previousName, e.name);
		previousName = e.name;
	}
	out.varint(list.length);
	for (const role of list) {
		writeId(out, role.id);
		out.varint(orgIndex.get(role.organizationId.toLowerCase()) ?? 0);
		out.text('', role.name);
		out.varint(Math.max(0, ROLE_TYPES.indexOf(role.roleType)));
		let known = 0;
		LISTS.forEach((name, bit) => {
			if (role[name]) known |= 1 << bit;
		});
		out.varint(known);
		for (const name of LISTS) {
			const members = role[name];
			if (!members) continue;
			const indexes = [...new Set(members.map((e) => index.get(entityKey(e)) as number))].sort((a, b) => a - b);
			out.varint(indexes.length);
			let previous = 0;
			for (const i of indexes) {
				out.varint(i - previous);
				previous = i;
			}
		}
	}
	return { v: VB365_STATE_VERSION, cfg, parts, orgs: orgIds.map((id) => [id, orgNames.get(id) ?? '']), s: out.toString() };
}

export type OpenedVb365 =
	| { ok: true; roles: Map<string, TrackedVb365Role>; parts: number; orgNames: Map<string, string> }
	| { ok: false; reason: string };

/** The stored roles, by lower-case ID; a baseline reason when there are none for `cfg` or they are damaged. */
export function openVb365(staticData: IDataObject, cfg: string): OpenedVb365 {
	const stored = staticData[VB365_STATE_KEY] as Partial<StoredVb365> | undefined;
	if (stored === undefined) return { ok: false, reason: 'no baseline yet' };
	if (!stored || typeof stored !== 'object' || stored.v !== VB365_STATE_VERSION) return { ok: false, reason: 'the stored state has another format' };
	if (stored.cfg !== cfg) return { ok: false, reason: 'the server, API version or organization changed' };
	try {
		return { ok: true, ...decodeVb365(stored) };
	} catch (error) {
		// Only damaged static data gets here (the decoder checks what it reads): start again from a baseline.
		return { ok: false, reason: `the stored state is malformed (${error instanceof Error ? error.message : String(error)})` };
	}
}

function decodeVb365(stored: Partial<StoredVb365>): { roles: Map<string, TrackedVb365Role>; parts: number; orgNames: Map<string, string> } {
	const { parts, orgs, s } = stored;
	if (!Number.isInteger(parts) || typeof s !== 'string' || !Array.isArray(orgs) || !orgs.every((o) => Array.isArray(o) && o.length === 2 && o.every((x) => typeof x === 'string'))) {
		throw new StateFormatError('bad VB365 tables');
	}
	const r = new Reader(s);
	const count = r.varint();
	if (count > s.length) throw new StateFormatError('bad table size');
	const table: Vb365Entity[] = [];
	let previousName = '';
	for (let i = 0; i < count; i++) {
		const code = r.varint();
		const kind = KINDS[code >> 1];
		if (!kind) throw new StateFormatError('bad kind');
		const entity: Vb365Entity = code & 1 ? { kind, id: readId(r), name: '' } : { kind, digest: r.digest(), name: '' };
		entity.name = previousName = r.text(previousName);
		table.push(entity);
	}
	const roles = new Map<string, TrackedVb365Role>();
	const roleCount = r.varint();
	if (roleCount > s.length) throw new StateFormatError('bad role count');
	for (let i = 0; i < roleCount; i++) {
		const id = readId(r);
		const org = r.varint();
		if (org < 1 || org > orgs.length) throw new StateFormatError('bad organization index');
		const name = r.text('');
		const type = r.varint();
		if (type >= ROLE_TYPES.length) throw new StateFormatError('bad role type');
		const role: TrackedVb365Role = { id, organizationId: orgs[org - 1][0], name, ...(ROLE_TYPES[type] ? { roleType: ROLE_TYPES[type] } : {}) };
		const known = r.varint();
		LISTS.forEach((list, bit) => {
			if (!(known & (1 << bit))) return;
			const n = r.varint();
			if (n > table.length) throw new StateFormatError('bad list size');
			const members: Vb365Entity[] = [];
			let at = 0;
			for (let k = 0; k < n; k++) {
				at += r.varint();
				if (at >= table.length) throw new StateFormatError('bad table index');
				members.push(table[at]);
			}
			role[list] = members;
		});
		roles.set(id.toLowerCase(), role);
	}
	if (!r.done) throw new StateFormatError('trailing characters');
	return { roles, parts: parts as number, orgNames: new Map(orgs.map(([id, name]) => [id, name])) };
}

/** Writes the state (a new object: n8n notices only assignments). */
export function writeVb365(staticData: IDataObject, state: StoredVb365): void {
	staticData[VB365_STATE_KEY] = state;
}
