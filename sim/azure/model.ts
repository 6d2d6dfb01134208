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

/** UserV3 `role` (help center, archive 30, "Schemas", users): PortalAdmin, PortalOperator, RestoreOperator, VeeamUpdater. */
export const AZURE_ROLES = ['PortalAdmin', 'PortalOperator', 'RestoreOperator', 'VeeamUpdater'] as const;
export type AzureRole = (typeof AZURE_ROLES)[number];
export const AZURE_ADMIN_ROLE: AzureRole = 'PortalAdmin';

export const AZURE_USER_TYPES = ['Internal', 'IdentityProvider'] as const;
export type AzureUserType = (typeof AZURE_USER_TYPES)[number];

/** The built-in administrator (the help's token example logs in as `Administrator`). */
export const AZURE_DEFAULT_ADMIN = 'Administrator';
export const AZURE_DEFAULT_ADMIN_ID = '2f79ed2b-b5c7-4e59-a35b-10a6ae35d516';
/** The password of every initial Internal user (and of seeded users). Satisfies the password policy. */
export const AZURE_DEFAULT_PASSWORD = 'Sim-Azure-Passw0rd!1';

/**
 * A seeded PortalAdmin with MFA on: its base32 secret and scratch codes are fixed so that tests can
 * compute codes (`totpAt(AZURE_MFA_USER.secret, sim.clock.now())`). `reset()` restores used
 * scratch codes. No REST call turns MFA on or off on Azure: this user is how a test gets one.
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
	id: '3192dd1a-28aa-486e-a6f8-dab5d80018e2',
	name: 'mfa_admin',
	password: 'Sim-Azure-Mfa-Passw0rd!2',
	secret: 'SPD3JMN7OZYV2TGMHP5GRLGPWRRKIWMT',
	scratchCodes: ['73482448', '83376315', '93291814', '07961997', '18222130'],
};

/** A seeded Microsoft Entra ID user (type IdentityProvider): no password, no password login. */
export const AZURE_IDP_USER: { readonly id: string; readonly name: string; readonly identityProviderEntityId: string } = {
	id: 'f0bdbd86-17f3-4c92-9fca-f31fe12f6403',
	name: 'jane.doe@contoso.example',
	identityProviderEntityId: '019c92e0-63bb-4c4d-9d22-498c9d990a81',
};

/** The fixed ids of the other initial users. */
export const AZURE_OPERATOR_ID = '1cef8d58-92a1-4505-9f3a-6b8e49bec81a';
export const AZURE_RESTORER_ID = 'c71cf1ef-912b-4c27-82d1-f23b17377438';

export type AzureUser = PortalAccount & {
	/** The UUID (also the token subject). */
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

/** Assumption: Veeam documents no policy for Azure; the VBGC simulator's (8+ characters, upper, lower, digit, special). */
export function azurePasswordProblem(password: string): string | undefined {
	return satisfiesPasswordPolicy(password) ? undefined : PASSWORD_POLICY;
}
