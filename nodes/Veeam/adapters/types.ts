/**
 * The common user model. Both Veeam products are adapters behind `UserDirectory`, so onboard,
 * promote, offboard, MFA and the trigger's diff are written once against these types.
 */
export type Product = 'vbr' | 'vbgc';

export interface VeeamRole {
	id: string;
	name: string;
	description?: string;
}

export interface VeeamUser {
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
	/** VBGC only. */
	description?: string;
	/** True for Active Directory accounts and groups: deleting the Veeam user leaves the directory account. */
	isDirectoryAccount: boolean;
	isGroup: boolean;
}

export interface UserFilter {
	/** Veeam's name pattern: `*` and `?` wildcards, case-insensitive. */
	namePattern?: string;
	types?: string[];
	roleId?: string;
	roleName?: string;
	isServiceAccount?: boolean;
}

export interface NewUser {
	name: string;
	/** VBR user type; VBGC has one kind of user. */
	type?: string;
	roles: VeeamRole[];
	isServiceAccount?: boolean;
	/** VBGC only (a secret: never echoed in outputs). */
	password?: string;
	description?: string;
}

export interface UserDirectory {
	readonly product: Product;
	/**
	 * Why `name` cannot be a new user of `type` on this product, checked without a request
	 * (e.g. VBR wants `DOMAIN\name` for Active Directory accounts); undefined when it can.
	 */
	nameProblem(name: string, type?: string): string | undefined;
	/** Why `ref` cannot be a user reference on this product (VBR: not a UUID); undefined when it can. */
	refProblem(ref: string): string | undefined;
	/** Largest page the server accepts, learnt from its answers. */
	listUsers(filter?: UserFilter, limit?: number): Promise<VeeamUser[]>;
	/** One page, for list search: `skip` is the paging token. */
	listUsersPage(filter: UserFilter, skip: number, limit: number): Promise<{ users: VeeamUser[]; total: number }>;
	getUser(ref: string): Promise<VeeamUser | undefined>;
	findUserByName(name: string): Promise<VeeamUser | undefined>;
	createUser(user: NewUser): Promise<VeeamUser>;
	setRoles(user: VeeamUser, roles: VeeamRole[]): Promise<VeeamUser>;
	/** `absent` when the user was already gone. */
	deleteUser(user: VeeamUser): Promise<'deleted' | 'absent'>;
	/** All roles, fetched once per adapter (one adapter per execution). */
	listRoles(): Promise<VeeamRole[]>;

	// Product-specific capabilities: absent when the product has no such call.
	getRole?(id: string): Promise<VeeamRole | undefined>;
	getRolePermissions?(id: string): Promise<string[]>;
	resetMfa?(user: VeeamUser): Promise<void>;
	setServiceAccountMode?(user: VeeamUser, enabled: boolean): Promise<VeeamUser>;
}
