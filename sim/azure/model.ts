/**
 * Veeam Backup for Microsoft Azure accounts as the simulator keeps them (UserV3), its fixed roles,
 * and its rules on names and descriptions. Where Veeam documents no rule, the choice is marked
 * "Assumption".
 */
import { PASSWORD_POLICY, satisfiesPasswordPolicy, type PortalAccount } from '../portal/accounts';

export const AZURE_TOKEN_PATH = '/api/oauth2/token';
/** The version the simulator's spec describes (sim/spec/azure-v8.1.users.openapi.json). */
export const AZURE_TARGET_VERSION = 'v8.1';
export const AZURE_SUPPORTED_VERSIONS: readonly string[] = ['v5', 'v6', 'v7', 'v8', 'v8.1'];

/**
 * `RbacRole` (v8 reference, helpcenter.veeam.com/references/vbazure/8/rest/main/tag/User; v8.1
 * document): "PortalAdmin" "PortalOperator" "RestoreOperator" "VeeamUpdater" "Unknown"
 * "IntegrationOperator" "ReadOnlyUser".
 */
export const AZURE_ROLES = ['PortalAdmin', 'PortalOperator', 'RestoreOperator', 'VeeamUpdater', 'Unknown', 'IntegrationOperator', 'ReadOnlyUser'] as const;
export type AzureRole = (typeof AZURE_ROLES)[number];

/**
 * The shape of `role` in requests and answers per API version. v8 and v8.1: one string
 * (`RbacRoleNullable` / `RbacRole`, the v8 reference and the v8.1 document). v3: an array
 * (`array[string]`, UserV3, helpcenter.veeam.com/archive/vbazure/30/rest/schemas_users.html; not
 * served). Assumed (no page found for v5, v6, v7): one string, as the v8.1 document's
 * `Veeam.Azure.REST.V3.Representation.Users` namespace suggests. See sim/contracts/azure.md.
 */
export type RoleShape = 'string' | 'array';
export function azureRoleShape(version: string): RoleShape {
	return /^v3(\.|$)/i.test(version) ? 'array' : 'string';
}
export const AZURE_ADMIN_ROLE: AzureRole = 'PortalAdmin';

export const AZURE_USER_TYPES = ['Internal', 'IdentityProvider'] as const;
export type AzureUserType = (typeof AZURE_USER_TYPES)[number];

/** The built-in administrator (the help's token example logs in as `Administrator`). */
export const AZURE_DEFAULT_ADMIN = 'Administrator';
/**
 * User IDs are numeric strings in every Veeam example ("id": 1001 in the v1 help; 1003 in Modify
 * User Data; 1423 in Multi-Factor Authentication; "543" for a resource in the v8 Overview): the
 * simulator numbers its users from 1001 on, in the order they are made.
 */
export const AZURE_DEFAULT_ADMIN_ID = '1001';
export const AZURE_FIRST_NEW_ID = 1006;
/** The password of every initial Internal user (and of seeded users). Satisfies the password policy. */
export const AZURE_DEFAULT_PASSWORD = 'Sim-Azure-Passw0rd!1';

/**
 * A seeded PortalAdmin with MFA on: its base32 secret and scratch codes are fixed so that tests can
 * compute codes (`totpAt(AZURE_MFA_USER.secret, sim.clock.now())`). `reset()` restores used
 * scratch codes.
 */
export const AZURE_MFA_USER: {
	readonly id: string;
	readonly name: string;
	readonly password: string;
	/** Base32, as an authenticator app takes it. */
	readonly secret: string;
	/** Its five 8-digit scratch codes (each works once until the next reset). */
	readonly scratchCodes: readonly string[];
} = {
	id: '1004',
	name: 'mfa_admin',
	password: 'Sim-Azure-Mfa-Passw0rd!2',
	secret: 'SPD3JMN7OZYV2TGMHP5GRLGPWRRKIWMT',
	scratchCodes: ['73482448', '83376315', '93291814', '07961997', '18222130'],
};

/** A seeded Microsoft Entra ID user (type IdentityProvider): no password, no password login. */
export const AZURE_IDP_USER: { readonly id: string; readonly name: string; readonly identityProviderEntityId: string } = {
	id: '1005',
	name: 'jane.doe@contoso.example',
	identityProviderEntityId: '019c92e0-63bb-4c4d-9d22-498c9d990a81',
};

/** The fixed ids of the other initial users. */
export const AZURE_OPERATOR_ID = '1002';
export const AZURE_RESTORER_ID = '1003';

export type AzureUser = PortalAccount & {
	/** The user's ID, a numeric string (also the token subject). */
	key: string;
	role: AzureRole;
	type: AzureUserType;
	/** The Microsoft Entra ID object id of an IdentityProvider user. */
	identityProviderEntityId?: string;
};

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const MAX_NAME_LENGTH = 32;
/** Assumption: no documented limit for an identity provider's names; 256 (a UPN's). */
export const MAX_IDP_NAME_LENGTH = 256;

/**
 * Veeam Backup for Microsoft Azure User Guide, "Adding User Accounts" (helpcenter.veeam.com/docs/
 * vbazure/guide/add_user_account.html): "The maximum length of the name is 32 characters. An
 * account name can contain only lowercase and uppercase Latin letters, numeric characters,
 * underscores and dashes"; an Identity Provider account uses "the account format that is accepted
 * by the Identity Provider (for example: username@suffix)" (assumption: no white space, `/` or `\`,
 * at most 256 characters). With `lenient`: 1–64 characters without white space, `/` or `\`.
 */
export function azureNameProblem(name: string, type: AzureUserType, lenient = false): string | undefined {
	if (name === '') return 'The user name must not be empty.';
	if (lenient || type === 'IdentityProvider') {
		const max = lenient ? 64 : MAX_IDP_NAME_LENGTH;
		if (name.length > max) return `The user name must be at most ${max} characters long.`;
		return /[\s/\\]/.test(name) || name === '.' || name === '..' ? 'The user name must not contain white space, / or \\.' : undefined;
	}
	if (name.length > MAX_NAME_LENGTH) return `The maximum length of the name is ${MAX_NAME_LENGTH} characters.`;
	if (!/^[A-Za-z0-9_-]+$/.test(name)) {
		return 'An account name can contain only lowercase and uppercase Latin letters, numeric characters, underscores and dashes.';
	}
	return undefined;
}

/** The same page: "A description can contain only lowercase and uppercase Latin letters, numeric characters, dots, commas and spaces." */
export function azureDescriptionProblem(description: string, lenient = false): string | undefined {
	if (lenient || /^[A-Za-z0-9., ]*$/.test(description)) return undefined;
	return 'A description can contain only lowercase and uppercase Latin letters, numeric characters, dots, commas and spaces.';
}

/**
 * Assumption: Veeam documents no password policy for Azure; the VBGC simulator's (8+ characters,
 * upper, lower, digit, special). The package does not check it: the appliance judges (contract).
 */
export function azurePasswordProblem(password: string): string | undefined {
	return satisfiesPasswordPolicy(password) ? undefined : PASSWORD_POLICY;
}
