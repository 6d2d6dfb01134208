/**
 * The VSPC part of the trigger's stored state (state.ts): what a VSPC user has beyond the common
 * fields, at a few characters per user (the goal: the whole state under 40 bytes per user at
 * 50,000 users across 500 companies; measured in vspcState.test.ts).
 *
 *   vspc.orgs     organization table, sorted by UID: [uid, name, type] ('' where not known)
 *   vspc.strs     strings of the status and MFA policy values, as the server sent them
 *   vspc.kinds    login kinds: [identityProviderName, kind, '1' for a login disabled itself else '0']
 *   vspc.pv       per profile (state.ts `profiles`, same index): [status, mfaPolicy (1 + index in
 *                 strs, 0 unknown), mfaConfigured (0 unknown, 1 false, 2 true), logins (0 not
 *                 tracked, 1 IDs as numbers, 2 IDs as text), ...kind index of each login]
 *   vspc.logins   1 when the logins were read (login events chosen), else 0
 *
 * and per user, after the common fields: the organization as the difference from the previous
 * user's (users are sorted by organization, then name, so it is 0 but at a company's first user),
 * then each login's ID: a number (the API's int64, when written in plain digits below 2^53) or a
 * front-coded text. A user's logins, their kinds and how many, are in its profile: most users
 * share a handful of such profiles (a password, a password and a TOTP, …).
 */
import type { VeeamUser } from '../../client/model';
import type { TrackedLogin, TrackedUser } from './diff';
import { StateFormatError, type Reader, type Writer } from './stateCodec';

export interface StoredVspc {
	orgs: string[][];
	strs: string[];
	kinds: string[][];
	pv: number[][];
	logins: number;
}

const tri = (value: boolean | undefined) => (value === undefined ? 0 : value ? 2 : 1);
const fromTri = (value: number) => (value === 0 ? undefined : value === 2);

/** True when any user carries a VSPC field (the other products' states stay exactly as they were). */
export function hasVspcFields(users: readonly TrackedUser[]): boolean {
	return users.some((u) => u.organization !== undefined || u.status !== undefined || u.mfaPolicy !== undefined || u.logins !== undefined);
}

/** A login ID stored as a number: plain digits, no leading zero, at most 15 (below 2^53); checked once per login per poll. */
function isNumericId(id: string): boolean {
	if (id.length === 0 || id.length > 15) return false;
	if (id.length > 1 && id.charCodeAt(0) === 0x30) return false;
	for (let i = 0; i < id.length; i++) {
		const c = id.charCodeAt(i);
		if (c < 0x30 || c > 0x39) return false;
	}
	return true;
}

/** Login IDs in order: numbers by value, else as text (the stored order; a listed user's logins are put in it too: vspcListing.ts). */
export function byId(a: TrackedLogin, b: TrackedLogin): number {
	if (a.id.length !== b.id.length && isNumericId(a.id) && isNumericId(b.id)) return a.id.length - b.id.length;
	return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

const NO_KINDS: readonly number[] = [];

/** Builds the VSPC part while state.ts encodes the common one. */
export class VspcEncoder {
	private readonly orgIndex = new Map<string, number>();
	private readonly orgs: string[][];
	private readonly strs: string[] = [];
	private readonly strIndex = new Map<string, number>();
	private readonly kinds: string[][] = [];
	/** A login kind's index by provider, then kind, then [not disabled, disabled] (-1 until seen). */
	private readonly kindIndex = new Map<string, Map<string, number[]>>();
	/** Lists of two or more kind indexes (a user's logins), by their key. */
	private readonly kindLists = new Map<string, number>();
	private readonly pv: number[][] = [];
	private readonly tracksLogins: boolean;
	private prevOrg = 0;
	private prevLoginId = '';
	/** Per user in sorted order: its organization code, its logins in stored order (profileCode). */
	private codes = new Int32Array(0);
	private readonly sortedLogins: Array<TrackedLogin[] | undefined> = [];
	private keyAt = 0;
	private writeAt = 0;
	/** The users as given, and each one's organization code (0: none). */
	private readonly users: readonly TrackedUser[];
	private readonly userCodes: Int32Array;
	/** The columns of the user profileCode saw last (addProfile records them for a new profile). */
	private last = { status: 0, policy: 0, configured: 0, mode: 0, kinds: NO_KINDS };

	constructor(users: readonly TrackedUser[]) {
		this.users = users;
		// Each organization UID lower-cased once per user; the table sorted by it.
		const lower: Array<string | undefined> = users.map((u) => u.organization?.uid.toLowerCase());
		const uids = [...new Set(lower.filter((uid): uid is string => uid !== undefined))].sort();
		uids.forEach((uid, i) => this.orgIndex.set(uid, i + 1));
		this.userCodes = Int32Array.from(lower, (uid) => (uid === undefined ? 0 : (this.orgIndex.get(uid) ?? 0)));
		// Filled by sort(): each row from the organization of the last user (by name) of its organization.
		this.orgs = uids.map((uid) => [uid, '', '']);
		this.tracksLogins = users.some((u) => u.logins !== undefined);
	}

	/**
	 * Users by organization, then in `order` (state.ts: by name): a counting sort, stable, then each
	 * organization's users sorted on their own. The encoder then takes the users in this order
	 * (profileCode, then writeUser), and keeps what it worked out per user by position.
	 */
	sort(order: (a: TrackedUser, b: TrackedUser) => number): TrackedUser[] {
		const users = this.users;
		const codes = this.userCodes;
		const starts = new Int32Array(this.orgs.length + 2);
		for (const code of codes) starts[code + 1]++;
		for (let c = 1; c < starts.length; c++) starts[c] += starts[c - 1];
		const bounds = Int32Array.from(starts);
		const sorted = new Array<TrackedUser>(users.length);
		this.codes = new Int32Array(users.length);
		for (let i = 0; i < users.length; i++) {
			const at = starts[codes[i]]++;
			sorted[at] = users[i];
			this.codes[at] = codes[i];
		}
		for (let c = 0; c <= this.orgs.length; c++) {
			const from = bounds[c];
			const to = bounds[c + 1];
			if (to - from > 1) {
				const group = sorted.slice(from, to).sort(order);
				for (let i = 0; i < group.length; i++) sorted[from + i] = group[i];
			}
			// The organization's row: as its last user (by name) shows it.
			const org = c > 0 && to > from ? sorted[to - 1].organization : undefined;
			if (org) this.orgs[c - 1] = [org.uid, org.name ?? '', org.type ?? ''];
		}
		return sorted;
	}

	private str(value: string | undefined): number {
		if (value === undefined) return 0;
		let i = this.strIndex.get(value);
		if (i === undefined) {
			i = this.strs.length;
			this.strIndex.set(value, i);
			this.strs.push(value);
		}
		return i + 1;
	}

	private kind(login: TrackedLogin): number {
		const disabled = login.disabled === true ? 1 : 0;
		let byKind = this.kindIndex.get(login.provider);
		if (byKind === undefined) {
			byKind = new Map();
			this.kindIndex.set(login.provider, byKind);
		}
		let slots = byKind.get(login.kind);
		if (slots === undefined) {
			slots = [-1, -1];
			byKind.set(login.kind, slots);
		}
		let i = slots[disabled];
		if (i === -1) {
			i = this.kinds.length;
			slots[disabled] = i;
			this.kinds.push([login.provider, login.kind, disabled === 1 ? '1' : '0']);
		}
		return i;
	}

	/**
	 * The user's VSPC columns of its profile (status, MFA policy, MFA set up, how its logins are
	 * stored, their kinds) as one number, or a text where they do not fit; state.ts adds it to the
	 * profile's key. Records the user's logins in stored order.
	 */
	profileCode(user: TrackedUser): number | string {
		const status = this.str(user.status);
		const policy = this.str(user.mfaPolicy);
		const configured = tri(user.mfaConfigured);
		let mode = 0;
		let kinds = NO_KINDS;
		if (!this.tracksLogins || !user.logins) this.sortedLogins[this.keyAt++] = undefined;
		else {
			// Stored order: by kind (its index in the kinds table), then ID. Each login's kind looked up once.
			const list = user.logins;
			let logins = list;
			if (list.length > 1) {
				const kindOf = list.map((l) => this.kind(l));
				const order = list.map((_, i) => i).sort((a, b) => kindOf[a] - kindOf[b] || byId(list[a], list[b]));
				logins = order.map((i) => list[i]);
				kinds = order.map((i) => kindOf[i]);
			} else if (list.length === 1) kinds = [this.kind(list[0])];
			this.sortedLogins[this.keyAt++] = logins;
			mode = 1;
			for (const l of logins) if (!isNumericId(l.id)) mode = 2;
		}
		this.last = { status, policy, configured, mode, kinds };
		// The kinds: none 0, one kind k 1 + 2k, a list 2 + 2 × its number.
		let kindsCode = 0;
		if (kinds.length === 1) kindsCode = 1 + 2 * kinds[0];
		else if (kinds.length > 1) {
			const key = kinds.join('.');
			let id = this.kindLists.get(key);
			if (id === undefined) {
				id = this.kindLists.size;
				this.kindLists.set(key, id);
			}
			kindsCode = 2 + 2 * id;
		}
		// Mixed radix: configured and mode < 3; the string indexes and kinds code within their room.
		if (status < 4096 && policy < 4096 && kindsCode < 2 ** 20) return (((kindsCode * 3 + mode) * 3 + configured) * 4096 + policy) * 4096 + status;
		return this.columns();
	}

	/** The columns profileCode saw last, as text: `status.policy.configured.mode[.kind…]`. */
	private columns(): string {
		const { status, policy, configured, mode, kinds } = this.last;
		let key = `${status}.${policy}.${configured}.${mode}`;
		for (const k of kinds) key += `.${k}`;
		return key;
	}

	/** Records the columns of a new profile (state.ts calls it when the profile is first seen, in profile order, after its profileCode). */
	addProfile(): void {
		this.pv.push(this.columns().split('.').map(Number));
	}

	/** The user's own characters, after the common ones. */
	writeUser(out: Writer, profile: number): void {
		const at = this.writeAt++;
		// sort() worked out each user's organization code (0: none; else 1 + its index in the table).
		const org = this.codes[at];
		out.varint(org - this.prevOrg);
		this.prevOrg = org;
		const mode = this.pv[profile][3];
		const logins = this.sortedLogins[at];
		if (mode === 0 || !logins) return;
		for (const login of logins) {
			if (mode === 1) out.varint(Number(login.id));
			else {
				out.text(this.prevLoginId, login.id);
				this.prevLoginId = login.id;
			}
		}
	}

	stored(): StoredVspc {
		return { orgs: this.orgs, strs: this.strs, kinds: this.kinds, pv: this.pv, logins: this.tracksLogins ? 1 : 0 };
	}
}

const isStringRows = (v: unknown, width: number): v is string[][] =>
	Array.isArray(v) && v.every((row) => Array.isArray(row) && row.length === width && row.every((x) => typeof x === 'string'));
const isIntRow = (v: unknown): v is number[] => Array.isArray(v) && v.every((x) => Number.isInteger(x) && x >= 0);

/** Reads the VSPC part back (state.ts `openState`): throws StateFormatError when it is damaged. */
export class VspcDecoder {
	private readonly orgs: Array<NonNullable<VeeamUser['organization']>>;
	private readonly strs: string[];
	private readonly kinds: Array<{ provider: string; kind: string; disabled?: true }>;
	private readonly pv: number[][];
	private prevOrg = 0;
	private prevLoginId = '';

	constructor(part: unknown, profileCount: number) {
		const p = part as Partial<StoredVspc>;
		if (
			!p ||
			typeof p !== 'object' ||
			!isStringRows(p.orgs, 3) ||
			!Array.isArray(p.strs) ||
			!p.strs.every((x) => typeof x === 'string') ||
			!isStringRows(p.kinds, 3) ||
			!Array.isArray(p.pv) ||
			p.pv.length !== profileCount ||
			!p.pv.every((row) => isIntRow(row) && row.length >= 4)
		) {
			throw new StateFormatError('bad VSPC tables');
		}
		const strs = p.strs;
		const kinds = p.kinds;
		for (const row of p.pv) {
			if (row[0] > strs.length || row[1] > strs.length || row[2] > 2 || row[3] > 2 || row.slice(4).some((k) => k >= kinds.length)) {
				throw new StateFormatError('bad VSPC profile');
			}
		}
		// Frozen and shared by the users of an organization (nothing in the trigger changes a user it read).
		this.orgs = p.orgs.map(([uid, name, type]) => Object.freeze({ uid, ...(name ? { name } : {}), ...(type ? { type } : {}) }));
		// Plain copies: the static data n8n hands over is observed (each read of it goes through a
		// proxy), and readUser reads these tables once or more per user.
		this.strs = [...strs];
		this.kinds = kinds.map(([provider, kind, disabled]) => ({ provider, kind, ...(disabled === '1' ? { disabled: true as const } : {}) }));
		this.pv = p.pv.map((row) => [...row]);
	}

	/** Sets the VSPC fields of `user` (read with profile `profile`) from the stream. */
	readUser(r: Reader, user: TrackedUser, profile: number): void {
		const columns = this.pv[profile];
		const org = this.prevOrg + r.varint();
		if (org > this.orgs.length) throw new StateFormatError('bad organization index');
		this.prevOrg = org;
		if (org > 0) user.organization = this.orgs[org - 1];
		if (columns[0] > 0) user.status = this.strs[columns[0] - 1];
		if (columns[1] > 0) user.mfaPolicy = this.strs[columns[1] - 1];
		const configured = fromTri(columns[2]);
		if (configured !== undefined) user.mfaConfigured = configured;
		if (columns[3] === 0) return;
		const logins: TrackedLogin[] = [];
		for (let c = 4; c < columns.length; c++) {
			let id: string;
			if (columns[3] === 1) id = String(r.varint());
			else {
				id = r.text(this.prevLoginId);
				this.prevLoginId = id;
			}
			// Field by field in the order the spread gave (id, provider, kind, disabled): one object per login.
			const kind = this.kinds[columns[c]];
			const login = { id, provider: kind.provider, kind: kind.kind } as TrackedLogin;
			if (kind.disabled) login.disabled = true;
			logins.push(login);
		}
		user.logins = logins;
		// Shown in ID order, as the logins list sends them.
		if (user.logins.length > 1) user.logins.sort(byId);
	}
}
