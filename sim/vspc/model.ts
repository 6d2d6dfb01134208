/**
 * Veeam Service Provider Console (REST v3) as the simulator keeps it: organizations (the provider,
 * resellers, companies), users with one role each, and their logins ("user identities": the
 * portal password, TOTP second factors, API keys). Shapes: the 3.6.1 spec (`User`, `UserInput`,
 * `UserLogin`, `Organization`, `Company`, `UserRole`); what no Veeam page says is marked
 * "Assumption" here and in sim/contracts/vspc.md.
 */
import { randomUUID } from 'node:crypto';

export const VSPC_API = '/api/v3';
export const VSPC_TOKEN_PATH = `${VSPC_API}/token`;

/** `UserRole` without `Unknown` (the 3.6.1 spec's enum). */
export const VSPC_ROLES = [
	'PortalAdministrator',
	'PortalOperator',
	'PortalReadonlyOperator',
	'SiteAdministrator',
	'CompanyLocationAdministrator',
	'CompanyLocationUser',
	'CompanyOwner',
	'CompanyAdministrator',
	'CompanyInvoiceAuditor',
	'CompanySubtenant',
	'ResellerOwner',
	'ResellerOperator',
	'ResellerUser',
	'ResellerInvoiceAuditor',
	'ResellerAdministrator',
	'CompanyTenant',
] as const;
export type VspcRole = (typeof VSPC_ROLES)[number];

export type VspcOrgType = 'Provider' | 'Reseller' | 'Company';

/**
 * Which roles a user of each organization type may hold. The role names say it (Portal… and Site
 * Administrator: the service provider; Reseller…: a reseller; Company…: a company), as the VSPC
 * guides group them (provider_admin, reseller and end-user guides, "Managing User Accounts").
 */
export const ROLES_BY_ORG_TYPE: Readonly<Record<VspcOrgType, readonly VspcRole[]>> = {
	Provider: ['PortalAdministrator', 'PortalOperator', 'PortalReadonlyOperator', 'SiteAdministrator'],
	Reseller: ['ResellerOwner', 'ResellerAdministrator', 'ResellerOperator', 'ResellerUser', 'ResellerInvoiceAuditor'],
	Company: [
		'CompanyOwner',
		'CompanyAdministrator',
		'CompanyLocationAdministrator',
		'CompanyLocationUser',
		'CompanyInvoiceAuditor',
		'CompanySubtenant',
		'CompanyTenant',
	],
};

/** The owner of an organization is made with it (`Company.ownerCredentials`). Assumption: one per organization. */
export const OWNER_ROLES: readonly VspcRole[] = ['CompanyOwner', 'ResellerOwner'];

/**
 * `x-veeam-vspc-admitted-roles` of the 3.6.1 spec write the roles by their older names; the
 * simulator reads them as these `UserRole` values.
 */
export const ADMITTED_ROLE_NAMES: Readonly<Record<string, VspcRole>> = {
	PortalAdministrator: 'PortalAdministrator',
	PortalOperator: 'PortalOperator',
	ReadOnlyUser: 'PortalReadonlyOperator',
	SiteAdministrator: 'SiteAdministrator',
	LocationAdministrator: 'CompanyLocationAdministrator',
	LocationUser: 'CompanyLocationUser',
	CompanyOwner: 'CompanyOwner',
	CompanyAdministrator: 'CompanyAdministrator',
	CompanyInvoiceAuditor: 'CompanyInvoiceAuditor',
	Subtenant: 'CompanySubtenant',
	CompanyTenant: 'CompanyTenant',
	ServiceProviderGlobalAdministrator: 'ResellerOwner',
	ServiceProviderAdministrator: 'ResellerAdministrator',
	ServiceProviderOperator: 'ResellerOperator',
	ServiceProviderUser: 'ResellerUser',
	ServiceProviderInvoiceAuditor: 'ResellerInvoiceAuditor',
};

/** The roles the spec admits to GET /users and GET /users/{userUid}: all but these five. */
const NOT_READING_USERS: readonly VspcRole[] = ['CompanyInvoiceAuditor', 'CompanyLocationUser', 'ResellerInvoiceAuditor', 'ResellerUser', 'CompanySubtenant'];
/** … and to POST /users, PATCH and DELETE /users/{userUid}: those and the read-only operator. */
export const READS_USERS: readonly VspcRole[] = VSPC_ROLES.filter((r) => !NOT_READING_USERS.includes(r));
export const MANAGES_USERS: readonly VspcRole[] = READS_USERS.filter((r) => r !== 'PortalReadonlyOperator');

export interface VspcOrg {
	uid: string;
	name: string;
	alias: string;
	type: VspcOrgType;
	/** Companies: `Company.status`. */
	status: string;
	/** Companies: the Company resource's `instanceUid`, unlike the organization's `uid` (Veeam's Expand example). */
	companyUid?: string;
	/** Companies managed by a reseller. */
	resellerUid?: string;
	/** Companies: `isRestAccessEnabled` (assumed true for the seeded ones). */
	restAccess: boolean;
	/**
	 * The organization's MFA policy (`GET /organizations/{uid}/configuration/policy`: `mfaPolicyStatus`
	 * Enabled) and whether it applies to child organizations (`enforceMfaPolicy`). Its users without
	 * a policy of their own read `EnabledByInheritance` (assumed: the enum names the case).
	 */
	mfaRequired: boolean;
	enforceMfaPolicy?: boolean;
	ownerUid?: string;
	/** Insertion order, for the default order of lists. */
	seq: number;
}

export interface VspcProfileRecord {
	firstName: string | null;
	lastName: string | null;
	title: string;
	email: string | null;
	address: string | null;
	phone: string | null;
}

export interface VspcUserRecord {
	uid: string;
	organizationUid: string;
	userName: string;
	status: 'Enabled' | 'Disabled';
	/** The user's own policy; the answer says `EnabledByInheritance` when only the organization requires it. */
	mfaPolicy: 'Disabled' | 'Enabled';
	role: VspcRole;
	profile: VspcProfileRecord;
	/** A simulator: plain text in memory, never logged, never in `snapshot()`. */
	password: string;
	seq: number;
}

export type VspcLoginKind = 'password' | 'totp' | 'apiKey';

export interface VspcLoginRecord {
	id: number;
	userUid: string;
	kind: VspcLoginKind;
	identityProviderName: string;
	description: string;
	scopes: string[];
	isReadAccessOnly: boolean;
	status: 'enabled' | 'disabled';
	identifierInProvider: string;
	creationDate: string;
	/** TOTP: the base32 secret; API key: the key. Never in an answer after the create. */
	secret?: string;
}

export const VSPC_DEFAULT_PASSWORD = 'Sim-Passw0rd!';

/** Fixed UIDs of the initial state, so tests can name them. */
export const VSPC_PROVIDER_UID = '5f6e5f1c-03f3-4ac2-98cb-000000000001';
export const VSPC_RESELLER_UID = '4e66bccf-9c1e-4138-84ff-000000000002';
export const VSPC_COMPANY_ALPHA_UID = '0a093973-274b-4df8-83e2-000000000003';
export const VSPC_COMPANY_BETA_UID = '0a093973-274b-4df8-83e2-000000000004';
/** The Company resources' own UIDs (GET /organizations/companies/{companyUid}) of Alpha and Beta. */
export const VSPC_COMPANY_ALPHA_INSTANCE_UID = 'eb866e8f-a0f5-41f4-9dd9-000000000003';
export const VSPC_COMPANY_BETA_INSTANCE_UID = 'eb866e8f-a0f5-41f4-9dd9-000000000004';

export const VSPC_DEFAULT_ADMIN = 'administrator';
export const VSPC_DEFAULT_ADMIN_UID = 'c37dac86-f273-4133-9bcd-000000000001';
/** A Portal Administrator with a TOTP login (fixed secret). */
export const VSPC_MFA_USER = {
	name: 'mfa.admin',
	uid: 'c37dac86-f273-4133-9bcd-000000000002',
	password: 'Sim-Mfa-Passw0rd!',
	secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
} as const;

export interface InitialUser {
	uid: string;
	org: string;
	userName: string;
	role: VspcRole;
	password?: string;
	firstName?: string;
	lastName?: string;
	email?: string;
}

export const VSPC_INITIAL_ORGS: ReadonlyArray<Omit<VspcOrg, 'seq' | 'ownerUid'>> = [
	{ uid: VSPC_PROVIDER_UID, name: 'Service Provider', alias: 'provider', type: 'Provider', status: 'Active', restAccess: true, mfaRequired: false },
	{ uid: VSPC_RESELLER_UID, name: 'Reseller One', alias: 'reseller1', type: 'Reseller', status: 'Active', restAccess: true, mfaRequired: false },
	{ uid: VSPC_COMPANY_ALPHA_UID, companyUid: VSPC_COMPANY_ALPHA_INSTANCE_UID, name: 'Alpha', alias: 'alpha', type: 'Company', status: 'Active', restAccess: true, mfaRequired: false },
	{
		uid: VSPC_COMPANY_BETA_UID,
		companyUid: VSPC_COMPANY_BETA_INSTANCE_UID,
		name: 'Beta',
		alias: 'beta',
		type: 'Company',
		status: 'Active',
		resellerUid: VSPC_RESELLER_UID,
		restAccess: true,
		mfaRequired: false,
	},
];

export const VSPC_INITIAL_USERS: readonly InitialUser[] = [
	{ uid: VSPC_DEFAULT_ADMIN_UID, org: VSPC_PROVIDER_UID, userName: VSPC_DEFAULT_ADMIN, role: 'PortalAdministrator', firstName: 'Stan', lastName: 'Smith', email: 's.smith@provider.com' },
	{ uid: VSPC_MFA_USER.uid, org: VSPC_PROVIDER_UID, userName: VSPC_MFA_USER.name, role: 'PortalAdministrator', password: VSPC_MFA_USER.password },
	{ uid: 'c37dac86-f273-4133-9bcd-000000000003', org: VSPC_PROVIDER_UID, userName: 'operator', role: 'PortalOperator' },
	{ uid: 'c37dac86-f273-4133-9bcd-000000000004', org: VSPC_PROVIDER_UID, userName: 'readonly', role: 'PortalReadonlyOperator' },
	{ uid: 'c37dac86-f273-4133-9bcd-000000000005', org: VSPC_RESELLER_UID, userName: 'reseller1.owner', role: 'ResellerOwner' },
	{ uid: 'c37dac86-f273-4133-9bcd-000000000006', org: VSPC_COMPANY_ALPHA_UID, userName: 'alpha.owner', role: 'CompanyOwner', email: 'owner@alpha.com' },
	{ uid: 'c37dac86-f273-4133-9bcd-000000000007', org: VSPC_COMPANY_ALPHA_UID, userName: 'alpha.admin', role: 'CompanyAdministrator', firstName: 'John', lastName: 'Smith', email: 'j.smith@alpha.com' },
	{ uid: 'c37dac86-f273-4133-9bcd-000000000008', org: VSPC_COMPANY_ALPHA_UID, userName: 'alpha.user', role: 'CompanyLocationUser' },
	{ uid: 'c37dac86-f273-4133-9bcd-000000000009', org: VSPC_COMPANY_BETA_UID, userName: 'beta.owner', role: 'CompanyOwner' },
];

export function newUid(): string {
	return randomUUID();
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function emptyProfile(): VspcProfileRecord {
	return { firstName: null, lastName: null, title: 'Unknown', email: null, address: null, phone: null };
}

/**
 * An enum value as the API writes it, from any letter case (Veeam's own MFA example patches
 * `mfaPolicyStatus` to `enabled`; .NET reads enum names without regard to case).
 */
export function enumValue<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
	return typeof value === 'string' ? allowed.find((a) => a.toLowerCase() === value.toLowerCase()) : undefined;
}

/** `UserRole` from any spelling (`Company Owner`, `companyowner`); undefined if none. */
export function findVspcRole(value: string): VspcRole | undefined {
	const wanted = value.replace(/[\s_-]/g, '').toLowerCase();
	return VSPC_ROLES.find((r) => r.toLowerCase() === wanted);
}

/**
 * Assumption (VSPC publishes no password policy for portal users; sim/contracts/vspc.md): 1 to 128
 * characters, the token form's `password` length.
 */
export function passwordProblem(password: string): string | undefined {
	if (password.length < 1 || password.length > 128) return 'The password must be 1 to 128 characters long.';
	return undefined;
}
