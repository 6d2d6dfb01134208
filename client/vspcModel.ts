/**
 * Veeam Service Provider Console (VSPC, REST v3): what it has beyond the common user model
 * (client/model.ts). VSPC's users belong to an organization (the provider, a reseller or a
 * company), hold exactly one of its roles, may be disabled instead of deleted, have an MFA
 * *policy* (required or not) rather than an MFA switch, and log in through "user identities"
 * (logins: the portal password, a TOTP second factor, API keys, RSA keys), each of which can be
 * removed and whose tokens can be revoked. The contract, with Veeam's page for each point:
 * sim/contracts/vspc.md.
 */
import type { VeeamRole, VeeamUser } from './model';

/** `Organization.type` (Provider, Reseller, Company; extensible: any other is kept as sent). */
export type VspcOrganizationType = 'Provider' | 'Reseller' | 'Company' | (string & {});

export interface VspcOrganization {
	/** `instanceUid`. */
	uid: string;
	name: string;
	type: VspcOrganizationType;
	/** Companies: `Company.status` (Active, Disabled, REMOVED_…); absent where the server does not say. */
	status?: string;
	/** Companies: the reseller that manages it, if any. */
	resellerUid?: string;
}

/** `UserProfile`. */
export interface VspcProfile {
	firstName?: string;
	lastName?: string;
	/** Unknown | Mr | Miss | Mrs | Ms */
	title?: string;
	email?: string;
	address?: string;
	phone?: string;
}

/** What kind of login a user identity is, read from its `identityProviderName` (kept as sent in `provider`). */
export type VspcLoginKind = 'password' | 'totp' | 'apiKey' | 'rsaKey' | 'other';

/** `UserLogin` (a "user identity"): never carries a secret (an API key's value is shown once, at creation). */
export interface VspcLogin {
	/** int64 in the API: kept as a string here (a JavaScript number loses precision past 2^53). */
	id: string;
	userUid: string;
	userName?: string;
	companyUid?: string;
	companyName?: string;
	kind: VspcLoginKind;
	/** `identityProviderName` as sent. */
	provider: string;
	description?: string;
	/** `status` as sent (enabled, disabled, disabledDueToUser, …). */
	status: string;
	scopes: string[];
	isReadAccessOnly?: boolean;
}

/** VSPC's extra fields on a user (VeeamUser is extended with these for product `vspc`). */
export interface VspcUserFields {
	/** The organization the user belongs to. */
	organization?: { uid: string; name?: string; type?: VspcOrganizationType };
	/** `status`: Enabled | Disabled (Unknown and others as sent). */
	status?: string;
	/** `mfaPolicyStatus` as sent: Disabled | Enabled | EnabledByInheritance | Unknown. */
	mfaPolicy?: string;
	/** `mfaPolicyConfigurationStatus === 'Configured'`: the user has set up the second factor. */
	mfaConfigured?: boolean;
	/** `UserProfile` (`{}`: the server has none). Absent where the user was read without it (the trigger's listing: VspcAccess.usersPage). */
	profile?: VspcProfile;
}

export type VspcUser = VeeamUser & VspcUserFields;

/** A VSPC user to create: the common fields plus where and who. */
export interface VspcNewUserFields {
	/** The organization's UID (resolved from a name by `VspcAccess.resolveOrganization`). */
	organizationUid: string;
	profile?: VspcProfile;
	/** Require MFA (the `mfaPolicyStatus` of the create). */
	mfaRequired?: boolean;
}

/**
 * The VSPC-only calls, reached through `UserDirectory.vspc?.()` (one object per execution: it
 * caches the organization list for the run).
 */
export interface VspcAccess {
	/**
	 * Every organization the account can see (provider, resellers, companies), read once per
	 * execution; `companies`: each company also with its `status` and `resellerUid` (the companies
	 * list, read only then; without it those two are absent).
	 */
	organizations(options?: { companies?: boolean }): Promise<VspcOrganization[]>;
	/**
	 * The organization named (case-insensitively, exactly) or with this UID. Throws a clear error
	 * naming the field when none matches or when a name matches several.
	 */
	resolveOrganization(nameOrUid: string, field: string): Promise<VspcOrganization>;
	/** The logins of one user, or of every user when `userUid` is absent (all pages). */
	listLogins(userUid?: string): Promise<VspcLogin[]>;
	/**
	 * Optional: the user as the server has it NOW (`GET /users/{uid}`), never from a list read
	 * earlier in the execution: for read-backs after a change. Undefined when the server has no such user.
	 */
	readUser?(uid: string): Promise<VspcUser | undefined>;
	/**
	 * Optional: which of these users the server has NOW (`GET /users` filtered by `instanceUid`, 50
	 * UIDs a request; answers of other users dropped): lower-cased UIDs. Read-backs of several users.
	 */
	usersPresent?(uids: string[]): Promise<Set<string>>;
	/**
	 * Optional: each of these users as the server has it NOW, undefined for a user it does not have:
	 * `GET /users` filtered by `instanceUid` (or of equals, 50 UIDs a request, several requests at
	 * once); a group whose answer is not exactly a subset of it (a server that ignored the filter)
	 * is looked up one by one (`GET /users/{uid}`). For the trigger's apparently removed users.
	 */
	lookUpUsers?(uids: readonly string[]): Promise<Map<string, VspcUser | undefined>>;
	/**
	 * Optional: the logins whose `userName` is this name (without regard to case; `GET /users/logins`
	 * filtered by `userName`, answers of other names dropped): the logins a user gone from the user
	 * list may have left.
	 */
	listLoginsNamed?(userName: string): Promise<VspcLogin[]>;
	/**
	 * ONE page of every user's logins (`GET /users/logins?offset&limit`, no filter, the same order on
	 * every page: by organization, user name and ID, as the trigger keeps users): for the trigger, which reads the pages in parallel and checks them itself. `total`
	 * is `meta.pagingInfo.total` as the server sent it (undefined when absent), never fixed up.
	 */
	listLoginsPage?(offset: number, limit: number): Promise<{ logins: VspcLogin[]; total?: number }>;
	/**
	 * ONE page of every user (`GET /users?offset&limit`, limit ≤ 500, ordered by name then UID on
	 * every page), `total` as the server sent it (undefined when absent): for the trigger's parallel reading.
	 * `profile: false`: the users without their profile (asked with `select` for the other fields):
	 * `profile` absent (undefined, not `{}`) unless the server sent it all the same. `byOrganization`:
	 * ordered by organization, then name, then UID instead (the order the trigger keeps users in).
	 * `organizations: false`: read without waiting for the organization list, each user's `type`
	 * `Unknown` and its `organization` its UID alone (the caller attaches them: `organizations()`).
	 */
	usersPage?(offset: number, limit: number, options?: { profile?: boolean; byOrganization?: boolean; organizations?: boolean }): Promise<{ users: VspcUser[]; total?: number }>;
	/**
	 * Optional: the logins of these users only (`GET /users/logins` filtered by `userUid` in the
	 * list, all pages; answers of other users dropped whatever the server does). Sync reads its
	 * removals back with it in one go; without it, `listLogins(uid)` per user.
	 */
	listLoginsOf?(userUids: string[]): Promise<VspcLogin[]>;
	/** Removes one login; `absent` when it was already gone. */
	deleteLogin(user: VeeamUser, loginId: string): Promise<'deleted' | 'absent'>;
	/** Revokes every access token of the user (`DELETE /users/{userUid}/tokens`). */
	revokeTokens(user: VeeamUser): Promise<void>;
	/** Enables or disables the user (JSON Patch of `/status`), returns the user as the server then has it. */
	setStatus(user: VeeamUser, status: 'Enabled' | 'Disabled'): Promise<VspcUser>;
	/** Requires MFA or not (JSON Patch of `/mfaPolicyStatus`). */
	setMfaPolicy(user: VeeamUser, required: boolean): Promise<VspcUser>;
	/** Changes the given profile fields (JSON Patch of `/profile/...`), leaves the others. */
	updateProfile(user: VeeamUser, profile: VspcProfile): Promise<VspcUser>;
	/**
	 * Optional: every given change of one user in ONE JSON Patch (`/role`, `/profile/...`,
	 * `/mfaPolicyStatus`), returning the user as the server then has it. Sync uses it (one request
	 * per changed user); without it, it calls setRoles / updateProfile / setMfaPolicy in turn.
	 */
	updateUser?(user: VeeamUser, changes: VspcUserChanges): Promise<VspcUser>;
	/**
	 * Optional: the user the credential is logged in as (`GET /users/me`), read once per execution.
	 * The node's guards use it to recognise the credential's own account when it logs in with an API
	 * key (no user name to compare).
	 */
	me?(): Promise<VspcUser>;
}

/** What `VspcAccess.updateUser` changes: only the fields given. */
export interface VspcUserChanges {
	role?: VeeamRole;
	profile?: VspcProfile;
	mfaRequired?: boolean;
}
