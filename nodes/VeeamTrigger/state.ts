/**
 * The trigger's state in the workflow's static data: a compact record per user of exactly the
 * fields the diff looks at, so a change can say what a field was (`from`) and a removal can say
 * who was removed, at about 25–35 bytes per user once serialised.
 *
 * Layout (all top-level properties are reassigned on every write, never edited in place: n8n
 * only notices assignments to its tracked static-data object):
 *
 *   v         format version
 *   cfg       config fingerprint (product, server, API version): another value means another
 *             user list, so the snapshot is discarded and a new baseline is taken
 *   api       under API version "Automatic", the version the listing was read at, where known
 *             (absent otherwise): another known version is another user list, as above
 *   n         number of users in `users`
 *   roles     role table, once per state: [id, name, description?]
 *   types     type table: [type, isDirectoryAccount 0|1, isGroup 0|1]
 *   profiles  profile table: [typeIndex, mfa, serviceAccount, descriptionMode, refKind, ...roleIndexes]
 *             (mfa/serviceAccount: 0 unknown, 1 false, 2 true); most users share a handful
 *   users     one string: per user, sorted by name, a profile index and the text fields
 *   vspc      VSPC only (vspcState.ts): organizations, status, MFA policy, logins; its users are
 *             sorted by organization, then name, and carry a few more characters each
 *
 * Text fields are front-coded against the same field of the previous user (users are sorted by
 * name, so `TECH\jane.doe` after `TECH\jane.dean` costs 3 characters) and length-prefixed, so no
 * character needs escaping. Numbers are written in a 92-character alphabet (printable ASCII
 * without `"` and `\`, which JSON would escape). A canonical UUID ref (VBR) is packed into 20
 * characters instead of 36.
 */
import type { IDataObject } from 'n8n-workflow';

import type { VeeamRole, VeeamUser } from '../../client/model';
import { textDigest, type TrackedUser } from './diff';
import { isCanonicalUuid, Reader, StateFormatError, Writer } from './stateCodec';
import { VspcDecoder, VspcEncoder, hasVspcFields, type StoredVspc } from './vspcState';

export const STATE_VERSION = 1;
/** Descriptions longer than this are kept as a 64-bit digest (a change is still detected, its `from` is null). */
export const MAX_KEPT_DESCRIPTION = 64;

export interface StoredState extends IDataObject {
	v: number;
	cfg: string;
	api?: string;
	n: number;
	roles: string[][];
	types: Array<Array<string | number>>;
	profiles: number[][];
	users: string;
	/** VSPC only: organizations, status, MFA policy, logins (vspcState.ts). */
	vspc?: StoredVspc;
}

// ---- records ------------------------------------------------------------------------------------

const enum RefKind {
	/** VBGC: the ref is the name, no id. */
	Name = 0,
	/** VBR: id = ref, a canonical UUID (packed). */
	Uuid = 1,
	/** id = ref, any text. */
	IdText = 2,
	/** No id, ref is a text other than the name. */
	RefText = 3,
	/** id and ref both present and different. */
	Both = 4,
}

const enum DescriptionMode {
	None = 0,
	Kept = 1,
	Digest = 2,
}

const triState = (value: boolean | undefined) => (value === undefined ? 0 : value ? 2 : 1);
const fromTriState = (value: number) => (value === 0 ? undefined : value === 2);

function refKind(user: VeeamUser): RefKind {
	if (user.id === undefined) return user.ref === user.name ? RefKind.Name : RefKind.RefText;
	if (user.id !== user.ref) return RefKind.Both;
	return isCanonicalUuid(user.ref) ? RefKind.Uuid : RefKind.IdText;
}

function descriptionMode(user: TrackedUser, maxKept: number): DescriptionMode {
	if (user.description === undefined) return user.descriptionDigest === undefined ? DescriptionMode.None : DescriptionMode.Digest;
	return user.description.length > maxKept ? DescriptionMode.Digest : DescriptionMode.Kept;
}

const byName = (a: VeeamUser, b: VeeamUser) =>
	a.name < b.name ? -1 : a.name > b.name ? 1 : a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0;

/**
 * The stored form of a complete user list. `keepDescriptions`: every description whole, never a
 * digest (a listing in progress, whose users are compared later as if just read: progress.ts).
 * `apiVersion`: the version in use under "Automatic" when known (see `openState`).
 */
export function encodeState(
	users: Iterable<TrackedUser>,
	cfg: string,
	{ keepDescriptions = false, apiVersion }: { keepDescriptions?: boolean; apiVersion?: string } = {},
): StoredState {
	const maxKept = keepDescriptions ? Infinity : MAX_KEPT_DESCRIPTION;
	const roles: string[][] = [];
	const roleIndex = new Map<string, number>();
	const types: Array<Array<string | number>> = [];
	// Per type: its index in `types` for each (isDirectoryAccount, isGroup), -1 until seen.
	const typeIndex = new Map<string, number[]>();
	const profiles: number[][] = [];
	// A profile by its columns as numbers (a text only where they do not fit): no string per user.
	const profileIndex = new Map<number | string, Map<number | string, number>>();
	// Role lists: each distinct list of role indexes (its key) gets a number; a role array, its list's.
	const roleListKeys: string[] = [];
	const roleListIds = new Map<string, number>();
	const roleListOf = new Map<readonly VeeamRole[], number>();
	// Sorted first, so that the tables (and so the whole state) do not depend on the list's order.
	// VSPC: by organization, then name (vspcState.ts), each organization's users sorted on their own.
	const all = [...users];
	const vspc = hasVspcFields(all) ? new VspcEncoder(all) : undefined;
	const sorted = vspc ? vspc.sort(byName) : all.sort(byName);
	// Per user, a profile index only (no object per user: this runs over 100,000 users).
	const profileOf = new Int32Array(sorted.length);
	let lastRoles: readonly VeeamRole[] | undefined;
	let listId = 0;
	for (let u = 0; u < sorted.length; u++) {
		const user = sorted[u];
		// Users read by the trigger share their role arrays: work out the indexes once per array.
		if (user.roles !== lastRoles) {
			const known = roleListOf.get(user.roles);
			if (known !== undefined) listId = known;
			else {
				const roleIdx: number[] = [];
				for (const role of user.roles) {
					let idx = roleIndex.get(role.id);
					if (idx === undefined) {
						idx = roles.length;
						roleIndex.set(role.id, idx);
						roles.push(role.description !== undefined ? [role.id, role.name, role.description] : [role.id, role.name]);
					}
					if (!roleIdx.includes(idx)) roleIdx.push(idx);
				}
				if (roleIdx.length > 1) roleIdx.sort((a, b) => a - b);
				const roleKey = roleIdx.join(',');
				let id = roleListIds.get(roleKey);
				if (id === undefined) {
					id = roleListKeys.length;
					roleListIds.set(roleKey, id);
					roleListKeys.push(roleKey);
				}
				roleListOf.set(user.roles, id);
				listId = id;
			}
			lastRoles = user.roles;
		}
		const dir = user.isDirectoryAccount ? 1 : 0;
		const group = user.isGroup ? 1 : 0;
		let typeSlots = typeIndex.get(user.type);
		if (typeSlots === undefined) {
			typeSlots = [-1, -1, -1, -1];
			typeIndex.set(user.type, typeSlots);
		}
		let t = typeSlots[dir * 2 + group];
		if (t === -1) {
			t = types.length;
			typeSlots[dir * 2 + group] = t;
			types.push([user.type, dir, group]);
		}
		const mfa = triState(user.mfaEnabled);
		const serviceAccount = triState(user.isServiceAccount);
		const description = descriptionMode(user, maxKept);
		const kind = refKind(user);
		// Mixed radix: mfa, serviceAccount and description < 3, kind < 5.
		const columns = (((t * 3 + mfa) * 3 + serviceAccount) * 3 + description) * 5 + kind;
		const common = columns < 2 ** 24 && listId < 2 ** 28 ? listId * 2 ** 24 + columns : `${listId}:${columns}`;
		const extra = vspc ? vspc.profileCode(user) : 0;
		let byExtra = profileIndex.get(common);
		if (byExtra === undefined) {
			byExtra = new Map();
			profileIndex.set(common, byExtra);
		}
		let p = byExtra.get(extra);
		if (p === undefined) {
			p = profiles.length;
			byExtra.set(extra, p);
			profiles.push(`${t},${mfa},${serviceAccount},${description},${kind},${roleListKeys[listId]}`.split(',').filter((x) => x !== '').map(Number));
			vspc?.addProfile();
		}
		profileOf[u] = p;
	}

	// About 25 characters per user (VBR, seeded), so 32 rarely grows.
	const out = new Writer(sorted.length * 32);
	let prevRef = '';
	let prevId = '';
	let prevName = '';
	let prevDescription = '';
	for (let u = 0; u < sorted.length; u++) {
		const user = sorted[u];
		const profile = profileOf[u];
		out.varint(profile);
		const kind = profiles[profile][4] as RefKind;
		if (kind === RefKind.Uuid) out.uuid(user.ref);
		else if (kind !== RefKind.Name) out.text(prevRef, user.ref);
		if (kind === RefKind.Both) {
			out.text(prevId, user.id ?? '');
			prevId = user.id ?? '';
		}
		prevRef = user.ref;
		out.text(prevName, user.name);
		prevName = user.name;
		const mode = profiles[profile][3] as DescriptionMode;
		if (mode === DescriptionMode.Kept) {
			const text = user.description ?? '';
			out.text(prevDescription, text);
			prevDescription = text;
		} else if (mode === DescriptionMode.Digest) {
			const digest = user.description === undefined ? (user.descriptionDigest ?? '') : textDigest(user.description);
			out.word(parseInt(digest.slice(0, 8), 16));
			out.word(parseInt(digest.slice(8, 16), 16));
		}
		vspc?.writeUser(out, profile);
	}
	return {
		v: STATE_VERSION,
		cfg,
		...(apiVersion ? { api: apiVersion } : {}),
		n: sorted.length,
		roles,
		types,
		profiles,
		users: out.toString(),
		...(vspc ? { vspc: vspc.stored() } : {}),
	};
}

export type DecodeResult =
	| { ok: true; users: Map<string, TrackedUser> }
	| { ok: false; reason: string };

/**
 * A stored snapshot opened for reading: `users()` decodes one user at a time, so a poll can
 * compare 100,000 stored users with the server's list without holding them all as objects
 * (they die young instead of filling the old generation). It throws `StateFormatError` when
 * the records are damaged, and checks at the end that it read `count` distinct users.
 */
export type OpenedState =
	| { ok: true; count: number; users: () => Generator<TrackedUser, void, undefined> }
	| { ok: false; reason: string };

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isIntArray = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0);

/**
 * The stored snapshot if it is one for this config, or why there is none (nothing stored, another
 * config, another format). `apiVersion`: under "Automatic", the version the current listing was
 * read at, where known. A snapshot of another known version is another user list (a version
 * reports other fields, or the same ones otherwise); where either side's version is unknown (a
 * snapshot stored before it was recorded, a poll before any login) the snapshot is used: a reset
 * there would take the changes since the last poll into a new baseline unreported. Fields one side
 * does not report are unknown, never a change (diff.ts), so such a comparison reports nothing false.
 */
export function openState(data: IDataObject, cfg: string, apiVersion?: string): OpenedState {
	if (data.v === undefined && data.users === undefined) return { ok: false, reason: 'no baseline yet' };
	if (data.v !== STATE_VERSION) return { ok: false, reason: `state format ${String(data.v)} is not ${STATE_VERSION}` };
	if (data.cfg !== cfg) return { ok: false, reason: 'the product, server or API version changed' };
	if (apiVersion && typeof data.api === 'string' && data.api.toLowerCase() !== apiVersion.toLowerCase()) {
		return { ok: false, reason: `the API version in use changed (${data.api} to ${apiVersion})` };
	}
	const { n, users } = data;
	const roleRows = data.roles;
	const typeRows = data.types;
	const profileRows = data.profiles;
	if (
		typeof users !== 'string' ||
		typeof n !== 'number' ||
		!Number.isInteger(n) ||
		!Array.isArray(roleRows) ||
		!roleRows.every((r) => isStringArray(r) && (r.length === 2 || r.length === 3)) ||
		!Array.isArray(typeRows) ||
		!typeRows.every((t) => Array.isArray(t) && t.length === 3 && typeof t[0] === 'string') ||
		!Array.isArray(profileRows) ||
		!profileRows.every((p) => isIntArray(p) && p.length >= 5)
	) {
		return { ok: false, reason: 'the stored state is malformed' };
	}
	const roles: VeeamRole[] = (roleRows as string[][]).map((r) =>
		r.length === 3 ? { id: r[0], name: r[1], description: r[2] } : { id: r[0], name: r[1] },
	);
	const types = (typeRows as Array<[string, number, number]>).map(([type, dir, group]) => ({
		type,
		isDirectoryAccount: dir === 1,
		isGroup: group === 1,
	}));
	const profiles: Array<{
		type: string;
		isDirectoryAccount: boolean;
		isGroup: boolean;
		roles: VeeamRole[];
		mfaEnabled?: boolean;
		isServiceAccount?: boolean;
		descriptionMode: DescriptionMode;
		refKind: RefKind;
	}> = [];
	for (const p of profileRows as number[][]) {
		const type = types[p[0]];
		const roleList = p.slice(5).map((i) => roles[i]);
		if (!type || roleList.some((r) => r === undefined) || p[1] > 2 || p[2] > 2 || p[3] > 2 || p[4] > 4) {
			return { ok: false, reason: 'the stored state is malformed (bad profile)' };
		}
		// Frozen: every user of a profile shares this role list.
		profiles.push({
			...type,
			roles: Object.freeze(roleList) as VeeamRole[],
			mfaEnabled: fromTriState(p[1]),
			isServiceAccount: fromTriState(p[2]),
			descriptionMode: p[3] as DescriptionMode,
			refKind: p[4] as RefKind,
		});
	}

	let vspc: VspcDecoder | undefined;
	if (data.vspc !== undefined) {
		try {
			vspc = new VspcDecoder(data.vspc, profiles.length);
		} catch (error) {
			return { ok: false, reason: `the stored state is malformed (${(error as Error).message})` };
		}
	}

	function* read(): Generator<TrackedUser, void, undefined> {
		const r = new Reader(users as string);
		let prevRef = '';
		let prevId = '';
		let prevName = '';
		let prevDescription = '';
		let count = 0;
		while (!r.done) {
			const profileIndex = r.varint();
			const profile = profiles[profileIndex];
			if (!profile) throw new StateFormatError('bad profile index');
			let ref = '';
			let id: string | undefined;
			if (profile.refKind === RefKind.Uuid) ref = r.uuid();
			else if (profile.refKind !== RefKind.Name) ref = r.text(prevRef);
			if (profile.refKind === RefKind.Both) {
				id = r.text(prevId);
				prevId = id;
			}
			const name = r.text(prevName);
			prevName = name;
			if (profile.refKind === RefKind.Name) ref = name;
			if (profile.refKind === RefKind.Uuid || profile.refKind === RefKind.IdText) id = ref;
			prevRef = ref;
			let description: string | undefined;
			let digest: string | undefined;
			if (profile.descriptionMode === DescriptionMode.Kept) {
				description = r.text(prevDescription);
				prevDescription = description;
			} else if (profile.descriptionMode === DescriptionMode.Digest) {
				digest = r.digest();
			}
			count++;
			const user: TrackedUser = {
				ref,
				id,
				name,
				type: profile.type,
				roles: profile.roles,
				isServiceAccount: profile.isServiceAccount,
				mfaEnabled: profile.mfaEnabled,
				description,
				descriptionDigest: digest,
				isDirectoryAccount: profile.isDirectoryAccount,
				isGroup: profile.isGroup,
			};
			vspc?.readUser(r, user, profileIndex);
			yield user;
		}
		if (count !== n) throw new StateFormatError(`it holds ${count} users, not ${String(n)}`);
	}
	return { ok: true, count: n, users: read };
}

export function isStateFormatError(error: unknown): error is Error {
	return error instanceof StateFormatError;
}

/** The stored user list as a map, or why there is none (see `openState`). */
export function decodeState(data: IDataObject, cfg: string): DecodeResult {
	const opened = openState(data, cfg);
	if (!opened.ok) return opened;
	const result = new Map<string, TrackedUser>();
	try {
		for (const user of opened.users()) {
			if (result.has(user.ref)) throw new StateFormatError(`duplicate user ${user.ref}`);
			result.set(user.ref, user);
		}
	} catch (error) {
		return { ok: false, reason: `the stored state is malformed (${error instanceof StateFormatError ? error.message : String(error)})` };
	}
	return { ok: true, users: result };
}

/**
 * Writes the state into the node's static data by assigning each property anew. n8n marks static
 * data as changed only through assignments on its tracked object, and saves it after a poll that
 * emits; an object assigned earlier and then edited in place would not be saved.
 */
/** Where approvals.ts keeps the authorization events' state, beside the snapshot (writeState keeps it). */
export const APPROVALS_STATE_KEY = 'authorizationEvents';
/** Where accessState.ts keeps the role and access events' state (writeState keeps it too). */
export const ACCESS_STATE_KEY = 'access';
const OTHER_STATE_KEYS = new Set([APPROVALS_STATE_KEY, ACCESS_STATE_KEY]);

export function writeState(staticData: IDataObject, state: StoredState): void {
	for (const key of Object.keys(staticData)) {
		if (!(key in state) && !OTHER_STATE_KEYS.has(key)) delete staticData[key];
	}
	for (const [key, value] of Object.entries(state)) staticData[key] = value;
}

/** The config fingerprint: a digest of what decides which user list the snapshot describes. */
export function configFingerprint(parts: readonly string[]): string {
	return textDigest([`v${STATE_VERSION}`, ...parts].join('\n'));
}
