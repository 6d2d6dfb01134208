/**
 * The VSPC simulator's state with the indexes a provider's scale needs (500 companies, 50,000
 * users): users by UID, by lower-case name and by organization; logins by id, by user and by API
 * key. `version` moves on every change, so list answers can be cached between changes.
 */
import { createHash, randomBytes } from 'node:crypto';

import type { SimClock } from '../core/clock';
import {
	emptyProfile,
	newUid,
	type VspcLoginKind,
	type VspcLoginRecord,
	type VspcOrg,
	type VspcProfileRecord,
	type VspcRole,
	type VspcUserRecord,
} from './model';

export class VspcStore {
	readonly orgs = new Map<string, VspcOrg>();
	readonly users = new Map<string, VspcUserRecord>();
	readonly logins = new Map<number, VspcLoginRecord>();
	private readonly usersByName = new Map<string, VspcUserRecord>();
	private readonly usersByOrg = new Map<string, Set<string>>();
	private readonly loginsByUser = new Map<string, Set<number>>();
	private readonly loginsByKey = new Map<string, number>();
	private seq = 0;
	private loginSeq = 0;
	/** Moves on every change (list caches key on it). */
	version = 0;
	private providerUid?: string;
	private readonly lists = new Map<string, unknown[]>();
	private listsVersion = -1;
	private totpUsers?: { version: number; uids: Set<string> };

	constructor(private readonly clock: SimClock) {}

	clear(): void {
		this.orgs.clear();
		this.users.clear();
		this.logins.clear();
		this.usersByName.clear();
		this.usersByOrg.clear();
		this.loginsByUser.clear();
		this.loginsByKey.clear();
		this.seq = 0;
		this.loginSeq = 0;
		this.providerUid = undefined;
		this.version++;
	}

	touch(): void {
		this.version++;
	}

	/**
	 * A selected, ordered list kept until the next change: the pages of one big list (50,000 users
	 * read 500 at a time, in parallel) cost one selection, not one each.
	 */
	cached<T>(key: string, build: () => T[]): T[] {
		if (this.listsVersion !== this.version) {
			this.lists.clear();
			this.listsVersion = this.version;
		}
		const hit = this.lists.get(key);
		if (hit) return hit as T[];
		const list = build();
		if (this.lists.size >= 64) this.lists.clear();
		this.lists.set(key, list);
		return list;
	}

	/** A company by its Company `instanceUid` (or by its organization UID when they are the same). */
	companyByUid(uid: string): VspcOrg | undefined {
		const wanted = uid.toLowerCase();
		for (const o of this.orgs.values()) if (o.type === 'Company' && (o.companyUid ?? o.uid).toLowerCase() === wanted) return o;
		return undefined;
	}

	/** The service provider's organization. */
	provider(): VspcOrg | undefined {
		return this.providerUid ? this.orgs.get(this.providerUid) : undefined;
	}

	// ---- organizations ----------------------------------------------------------------------

	addOrg(org: Omit<VspcOrg, 'seq'>): VspcOrg {
		const record: VspcOrg = { ...org, seq: ++this.seq };
		this.orgs.set(record.uid, record);
		if (record.type === 'Provider') this.providerUid = record.uid;
		this.version++;
		return record;
	}

	/** The organization is gone; its users stay unless told (a company that no longer exists). */
	removeOrg(uid: string, withUsers: boolean): boolean {
		const org = this.orgs.get(uid);
		if (!org) return false;
		if (withUsers) for (const u of this.usersOf(uid)) this.removeUser(u);
		this.orgs.delete(uid);
		this.version++;
		return true;
	}

	// ---- users ------------------------------------------------------------------------------

	userNamed(name: string): VspcUserRecord | undefined {
		return this.usersByName.get(name.toLowerCase());
	}

	usersOf(orgUid: string): VspcUserRecord[] {
		const ids = this.usersByOrg.get(orgUid);
		if (!ids) return [];
		const out: VspcUserRecord[] = [];
		for (const id of ids) {
			const u = this.users.get(id);
			if (u) out.push(u);
		}
		return out;
	}

	addUser(fields: { uid?: string; organizationUid: string; userName: string; role: VspcRole; password: string; mfaPolicy?: 'Disabled' | 'Enabled'; profile?: Partial<VspcProfileRecord> }): VspcUserRecord {
		const user: VspcUserRecord = {
			uid: fields.uid ?? newUid(),
			organizationUid: fields.organizationUid,
			userName: fields.userName,
			status: 'Enabled',
			mfaPolicy: fields.mfaPolicy ?? 'Disabled',
			role: fields.role,
			profile: { ...emptyProfile(), ...fields.profile },
			password: fields.password,
			seq: ++this.seq,
		};
		this.users.set(user.uid, user);
		this.usersByName.set(user.userName.toLowerCase(), user);
		let set = this.usersByOrg.get(user.organizationUid);
		if (!set) this.usersByOrg.set(user.organizationUid, (set = new Set()));
		set.add(user.uid);
		// Every portal user signs in with its name and password: its first login (user identity).
		this.addLogin(user, 'password', { description: 'Created with the user.', scopes: ['integration', 'rest', 'ui'] });
		this.version++;
		return user;
	}

	/** The user and every login of it are gone (assumed: VSPC removes a deleted user's identities). */
	removeUser(user: VspcUserRecord): void {
		for (const login of this.loginsOf(user.uid)) this.removeLogin(login);
		this.users.delete(user.uid);
		this.usersByName.delete(user.userName.toLowerCase());
		this.usersByOrg.get(user.organizationUid)?.delete(user.uid);
		this.loginsByUser.delete(user.uid);
		this.version++;
	}

	// ---- logins -----------------------------------------------------------------------------

	loginsOf(userUid: string): VspcLoginRecord[] {
		const ids = this.loginsByUser.get(userUid);
		if (!ids) return [];
		const out: VspcLoginRecord[] = [];
		for (const id of ids) {
			const l = this.logins.get(id);
			if (l) out.push(l);
		}
		return out;
	}

	/**
	 * The user has a TOTP login (`loginsOf(userUid).some(…)`): every user's view asks it, so the
	 * users that have one are found once per state version (a login's kind never changes; adding
	 * or removing one moves the version).
	 */
	hasTotp(userUid: string): boolean {
		if (this.totpUsers?.version !== this.version) {
			const uids = new Set<string>();
			for (const l of this.logins.values()) if (l.kind === 'totp' && this.loginsByUser.get(l.userUid)?.has(l.id)) uids.add(l.userUid);
			this.totpUsers = { version: this.version, uids };
		}
		return this.totpUsers.uids.has(userUid);
	}

	passwordLogin(userUid: string): VspcLoginRecord | undefined {
		return this.loginsOf(userUid).find((l) => l.kind === 'password');
	}

	loginByKey(key: string): VspcLoginRecord | undefined {
		const id = this.loginsByKey.get(key);
		return id === undefined ? undefined : this.logins.get(id);
	}

	addLogin(
		user: VspcUserRecord,
		kind: VspcLoginKind,
		opts: { description: string; scopes: string[]; isReadAccessOnly?: boolean; secret?: string },
	): VspcLoginRecord {
		const id = ++this.loginSeq;
		const secret = kind === 'apiKey' ? `${randomBytes(8).toString('hex')}${randomBytes(48).toString('base64url')}` : opts.secret;
		const login: VspcLoginRecord = {
			id,
			userUid: user.uid,
			kind,
			// Veeam's examples: "TOTP" for a second factor, "AK" for an API key ("API Key-Based
			// Authorization"), "WIN" for a Windows account. Assumption: "VSPC" for a portal password.
			identityProviderName: kind === 'totp' ? 'TOTP' : kind === 'apiKey' ? 'AK' : user.userName.includes('\\') ? 'WIN' : 'VSPC',
			description: opts.description,
			scopes: [...opts.scopes],
			isReadAccessOnly: opts.isReadAccessOnly ?? false,
			status: 'enabled',
			// The TOTP example's identifier is a 128-hex-digit hash; assumed the same for API keys.
			identifierInProvider: kind === 'password' ? user.userName : createHash('sha512').update(`${id}:${secret ?? ''}`).digest('hex'),
			creationDate: new Date(this.clock.now()).toISOString(),
			secret,
		};
		this.logins.set(id, login);
		let set = this.loginsByUser.get(user.uid);
		if (!set) this.loginsByUser.set(user.uid, (set = new Set()));
		set.add(id);
		if (kind === 'apiKey' && secret) this.loginsByKey.set(secret, id);
		this.version++;
		return login;
	}

	removeLogin(login: VspcLoginRecord): void {
		this.logins.delete(login.id);
		this.loginsByUser.get(login.userUid)?.delete(login.id);
		if (login.kind === 'apiKey' && login.secret) this.loginsByKey.delete(login.secret);
		this.version++;
	}

	/** The organizations whose users `org`'s users may see (provider: all; reseller: itself and its companies). */
	orgScope(org: VspcOrg | undefined): (orgUid: string) => boolean {
		if (!org) return () => false;
		if (org.type === 'Provider') return () => true;
		if (org.type === 'Reseller') return (uid) => uid === org.uid || this.orgs.get(uid)?.resellerUid === org.uid;
		return (uid) => uid === org.uid;
	}
}
