/**
 * The common user model. Both Veeam products are adapters behind `UserDirectory`, so onboard,
 * promote, offboard, MFA and the trigger's diff are written once against these types.
 */
import type { Serial } from './pool';
import type { AuthorizationEvents } from './adapters/authorizationEvents';
import type { VbrCustomRoles } from './adapters/vbrCustomRoles';
import type { VbrAcl } from './adapters/vbrAcl';
import type { VspcAccess, VspcNewUserFields, VspcUserFields } from './vspcModel';
import type { Vb365Access } from './vb365Model';

export type { Product } from './products';
import type { Product } from './products';

export interface VeeamRole {
	id: string;
	name: string;
	description?: string;
}

/** VSPC's fields (organization, status, MFA policy, profile: client/vspcModel.ts) are absent on the other products. */
export interface VeeamUser extends VspcUserFields {
	/** What the API addresses the user by: the UUID on VBR, the name on VBGC. */
	ref: string;
	/** VBR only: the user's UUID. */
	id?: string;
	name: string;
	/** VBR: InternalUser | InternalGroup | ExternalUser | ExternalGroup; VBGC: DefaultAdmin | Local … */
	type: string;
	roles: VeeamRole[];
	/** VBR only. */
	isServiceAccount?: boolean;
	/** VBR from API 1.3-rev2, VBGC always; undefined when the server does not say. */
	mfaEnabled?: boolean;
	/** VBGC, AWS, Azure. */
	description?: string;
	/** AWS, Azure: the appliance's default administrator (set up with it; cannot be removed). */
	isDefault?: boolean;
	/** Azure: the Microsoft Entra ID object of an `IdentityProvider` user. */
	identityProviderEntityId?: string;
	/**
	 * True when the account lives outside Veeam, so deleting the Veeam user leaves it: every VBR account
	 * (Windows or identity provider), Microsoft Entra ID and SSO accounts.
	 */
	isDirectoryAccount: boolean;
	isGroup: boolean;
}

/**
 * How a product's name pattern reads (UserDirectory.namePatternKind): `wholeName` (VBR): the whole
 * name with `*` and `?` wildcards; `containsUnlessWildcard` (VBGC, AWS, Azure): with `*` or `?` the
 * same, without them any name containing the text. Both ignore case.
 */
export type NamePatternKind = 'wholeName' | 'containsUnlessWildcard';

/**
 * What the user asked for. Every adapter sends what its server can filter by and applies the whole
 * filter to the answers as well (client/adapters/userFilter.ts): it holds whatever the server does.
 */
export interface UserFilter {
	/**
	 * Veeam's name pattern, case-insensitive. VBR: a whole-name pattern with `*` and `?`. VBGC: with
	 * `*` or `?` a whole-name pattern too (its `like` operator), without them any name containing it.
	 */
	namePattern?: string;
	/** VBR only. */
	types?: string[];
	/** VBR only. */
	roleId?: string;
	/** VBR only. */
	roleName?: string;
	/** VBR only. */
	isServiceAccount?: boolean;
	/** VBGC only. */
	mfaEnabled?: boolean;
	/** VSPC only: the users of these organizations (UIDs; resolved from names by VspcAccess). */
	organizationUids?: string[];
	/** VSPC only: Enabled | Disabled. */
	status?: string;
}

/** A property users can be listed in the order of (each adapter says which it supports). */
export type UserSortProperty = 'name' | 'type' | 'description' | 'mfaEnabled';

export interface UserListOptions {
	/** Matching users to leave out at the start of the list. Default 0. */
	offset?: number;
	/** Default: by name, ascending. */
	sort?: { property: UserSortProperty; descending: boolean };
}

/** VSPC also takes its organization, profile and MFA requirement (client/vspcModel.ts). */
export interface NewUser extends Partial<VspcNewUserFields> {
	name: string;
	/** VBR user type; VBGC has one kind of user. */
	type?: string;
	roles: VeeamRole[];
	isServiceAccount?: boolean;
	/** VBGC, AWS, Azure `Internal` (a secret: never echoed in outputs or messages). */
	password?: string;
	description?: string;
	/** Azure `IdentityProvider`: the Microsoft Entra ID object ID of the account. */
	identityProviderEntityId?: string;
}

/**
 * What VBGC's `mfaEnable` hands out to set up an authenticator. Everything but `token` is a
 * secret that lets its holder produce codes or bypass MFA: operations decide what reaches the output.
 */
export interface MfaEnrolment {
	/** `otpauth://totp/…?secret=…`: the QR code an authenticator app scans. Contains the secret key. */
	qrString: string;
	/** The base32 secret key. */
	secretKey: string;
	/** One-time backup codes (VBGC: five, 8 digits each). */
	scratchCodes: string[];
	/** Binds the later `mfaAccept` to this setup. */
	token: string;
}

export interface UserDirectory {
	readonly product: Product;
	/** What `VeeamUser.ref` is: an ID (VBR, a UUID) or the user's name (VBGC, whose users have no ID). */
	readonly refKind: 'id' | 'name';
	/** The kinds of user a new user can be, first the default; undefined when the product has one kind. */
	readonly userTypes?: readonly string[];
	/**
	 * Kinds of user whose account lives in an identity provider (Azure: `IdentityProvider`, a
	 * Microsoft Entra ID account): created with that account's object ID, never with a password.
	 */
	readonly externalIdTypes?: readonly string[];
	/**
	 * Kinds of user that sign in through an identity provider and are created with neither a password
	 * nor an ID (AWS: `External`, an SSO user named by the provider's UserName attribute).
	 */
	readonly passwordlessTypes?: readonly string[];
	/** True when a user holds exactly one role (AWS, Azure). */
	readonly singleRole?: boolean;
	/** The properties `listUsers` can sort by. */
	readonly sortProperties: readonly UserSortProperty[];
	/** How `UserFilter.namePattern` reads on this product; default `containsUnlessWildcard`. */
	readonly namePatternKind?: NamePatternKind;
	/**
	 * False when the server's user list cannot order as asked (Azure v8 has no sort parameter):
	 * `listUsers` then reads the whole matching list and orders it itself before applying the
	 * offset and limit. Default true (the server orders; the filter is checked here either way).
	 */
	readonly listSorts?: boolean;
	/** Roles that administer the product (the access report flags their holders). */
	readonly adminRoleNames: readonly string[];
	/**
	 * API version "Automatic": the version this directory's requests found after the version kept
	 * with the token was refused (the server was upgraded or downgraded), if any; the credential
	 * keeps the new one only at its next login. Undefined when none was found in this execution.
	 */
	readonly apiVersionFoundNow?: string;
	/**
	 * The role the server must never be left without a holder of (VBR: Backup Administrator, VBGC:
	 * Portal Administrator): nobody could administer it any more. See helpers/lastAdministrator.ts.
	 */
	readonly lastAdministratorRole: string;
	/** Changes that may take that role from its last holder run one at a time, each checked on the server first. */
	readonly administratorChanges: Serial;
	/** The users (and groups) holding the role with this name, read from the server. */
	usersWithRole(roleName: string): Promise<VeeamUser[]>;
	/**
	 * Why `user` is an account the product itself set up and depends on (VBR: `BUILTIN\…` groups,
	 * VBGC: the default administrator), as a sentence; undefined for ordinary users.
	 */
	builtInAccount(user: VeeamUser): string | undefined;
	/**
	 * Why `name` cannot be a new user of `type` on this product, checked without a request
	 * (e.g. VBR wants `DOMAIN\name` for Active Directory accounts); undefined when it can.
	 */
	nameProblem(name: string, type?: string): string | undefined;
	/**
	 * Why no user of this product can have `name`, so a look-up by it need not be sent (AWS, Azure:
	 * `..`, `/`, wildcards); undefined when a user may. New users' names have stricter rules (nameProblem).
	 */
	lookupNameProblem?(name: string): string | undefined;
	/** Why `ref` cannot be a user reference on this product (VBR: not a UUID); undefined when it can. */
	refProblem(ref: string): string | undefined;
	/**
	 * Where user IDs are opaque (Azure), whether plain text given for a whole user locator reads as
	 * an ID rather than a name (Azure: digits, as every Veeam example's ID, or a UUID); absent: it is
	 * an ID when refProblem accepts it.
	 */
	looksLikeRef?(value: string): boolean;
	/**
	 * Every matching user (or the first `limit`), paging with the largest page the server accepts.
	 * The filter, order, offset and limit hold whether the server applied the filter or not.
	 */
	listUsers(filter?: UserFilter, limit?: number, options?: UserListOptions): Promise<VeeamUser[]>;
	/**
	 * One page, for list search: `skip` is the paging token. `users` are the page's users that match
	 * the filter (checked here too); `next`, when given, is the next page's `skip` (the users the
	 * server sent, matching or not), else `skip + users.length`.
	 */
	listUsersPage(filter: UserFilter, skip: number, limit: number): Promise<{ users: VeeamUser[]; total: number; next?: number }>;
	getUser(ref: string): Promise<VeeamUser | undefined>;
	findUserByName(name: string): Promise<VeeamUser | undefined>;
	/**
	 * For an execution about to look up `lookups` users: reads the server's whole user list once
	 * instead, when that takes fewer requests (see UserSnapshot); getUser and findUserByName then
	 * answer from it, and this execution's own changes keep it current. True when it did.
	 */
	prefetchUsers(lookups: number): Promise<boolean>;
	/** The ref of the user with this name in the prefetched list; undefined without one, or when it has none. */
	prefetchedRef(name: string): string | undefined;
	/**
	 * Never sends the create twice blindly: after an unclear failure it looks for the user first.
	 * A create refused because the user exists (by now) throws UserExistsError with that user.
	 */
	createUser(user: NewUser): Promise<VeeamUser>;
	setRoles(user: VeeamUser, roles: VeeamRole[]): Promise<VeeamUser>;
	/** `absent` when the user was already gone. */
	deleteUser(user: VeeamUser): Promise<'deleted' | 'absent'>;
	/**
	 * Why `id` cannot be a role ID on this product, without a request; absent: role IDs are UUIDs
	 * (VBR, VBGC). AWS and Azure name their fixed roles (`PortalAdministrator`, `PortalAdmin`).
	 */
	roleIdProblem?(id: string): string | undefined;
	/** All roles, fetched once per adapter (one adapter per execution). */
	listRoles(): Promise<VeeamRole[]>;

	// Product-specific capabilities: absent when the product has no such call.
	/** VBR: who asked for and who approved changes (four-eyes requests, Info events). */
	readonly authorizationEvents?: AuthorizationEvents;
	/**
	 * VBR: the users with these refs as the server has them now (undefined: absent), whatever this
	 * execution read before: to see whether its changes took effect (four-eyes may hold them).
	 * One GET per user, or the whole list when that is cheaper.
	 */
	readBack?(refs: string[]): Promise<Map<string, VeeamUser | undefined>>;
	/** VBR 13.1 (REST 1.3-rev2): custom roles (create, edit, clone, delete, details, holders). */
	customRoles?(): VbrCustomRoles;
	getRole?(id: string): Promise<VeeamRole | undefined>;
	getRolePermissions?(id: string): Promise<string[]>;
	/** VBR 1.3-rev2: who has which access to backups and jobs (their ACL records). */
	acl?(): VbrAcl;
	/** VSPC: organizations, logins (API keys, TOTP), tokens, status, MFA policy, profile. */
	vspc?(): VspcAccess;
	/** VB365: organizations, restore-operator roles, their operators and scope (client/vb365Model.ts). */
	vb365?(): Vb365Access;
	/** VBR: the user sets up a new authenticator at the next login. */
	resetMfa?(user: VeeamUser): Promise<void>;
	setServiceAccountMode?(user: VeeamUser, enabled: boolean): Promise<VeeamUser>;
	/**
	 * Present when users log in with a password kept by the product (VBGC): why `password` does
	 * not meet the product's password policy, as a sentence that never quotes the password.
	 */
	passwordProblem?(password: string): string | undefined;
	/** VBGC: sets a user's password; the product wants the current one too. */
	changePassword?(user: VeeamUser, password: string, oldPassword: string): Promise<VeeamUser>;
	/** Why `description` cannot be a user's description on this product (AWS: too long; Azure: characters), checked without a request. */
	descriptionProblem?(description: string): string | undefined;
	/** VBGC: users have a description. */
	updateDescription?(user: VeeamUser, description: string): Promise<VeeamUser>;
	/**
	 * VBGC: starts an authenticator setup (`recreate`: replace the secret of a user whose MFA is on).
	 * MFA is on only once `mfaAccept` confirms a code; until then an active secret keeps working.
	 */
	mfaEnable?(user: VeeamUser, recreate: boolean): Promise<MfaEnrolment>;
	/** VBGC: confirms a setup with a 6-digit code from the authenticator and the setup's token. */
	mfaAccept?(user: VeeamUser, code: string, token: string): Promise<void>;
	/** VBGC: turns MFA off (and drops a pending setup). */
	mfaDisable?(user: VeeamUser): Promise<void>;
}
