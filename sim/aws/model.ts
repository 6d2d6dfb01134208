/**
 * Veeam Backup for AWS accounts as the simulator keeps them, its fixed roles, and its rules on
 * names, descriptions and passwords. Where Veeam documents no rule, the choice is marked "Assumption".
 */
import { PASSWORD_POLICY, satisfiesPasswordPolicy, type PortalAccount } from '../portal/accounts';

export const AWS_TOKEN_PATH = '/api/v1/token';
export const AWS_USERS_PATH = '/api/v1/users';

/**
 * The versions each Veeam Backup for AWS release serves (`x-api-version`). Veeam's "Versioning"
 * (helpcenter.veeam.com/docs/vbaws/rest/versioning.html): "Veeam Backup for AWS 8.0: … (1.6-rev0)
 * (1.5-rev1) (1.5-rev0) (1.4-rev0); Veeam Backup for AWS 7.0: … (1.5-rev1) (1.5-rev0) (1.4-rev0)
 * (1.3-rev0)". 8.1: its REST help still says 1.6-rev0 ("REST API Changelog", archive/vbaws/80,
 * build 8.1.0.7). 9.0 and 10.0 (assumed): their own version (1.7-rev0: references/vbaws/9/rest/
 * 1.7-rev0, 1.8-rev0: references/vbaws/10/rest/1.8-rev0) and the three before it, as the table
 * shows for 7.0 and 8.0. See sim/contracts/aws.md.
 */
export const AWS_RELEASES = {
	'7.0': ['1.3-rev0', '1.4-rev0', '1.5-rev0', '1.5-rev1'],
	'8.0': ['1.4-rev0', '1.5-rev0', '1.5-rev1', '1.6-rev0'],
	'8.1': ['1.4-rev0', '1.5-rev0', '1.5-rev1', '1.6-rev0'],
	'9.0': ['1.5-rev0', '1.5-rev1', '1.6-rev0', '1.7-rev0'],
	'10.0': ['1.5-rev1', '1.6-rev0', '1.7-rev0', '1.8-rev0'],
} as const satisfies Record<string, readonly string[]>;
export type AwsRelease = keyof typeof AWS_RELEASES;
/** The release the simulator is by default: the newest. */
export const AWS_DEFAULT_RELEASE: AwsRelease = '10.0';
/** The version the simulator's spec describes (sim/spec/aws-1.8-rev0.users.openapi.json). */
export const AWS_TARGET_VERSION = '1.8-rev0';
export const AWS_SUPPORTED_VERSIONS: readonly string[] = AWS_RELEASES[AWS_DEFAULT_RELEASE];

/**
 * The API values of the roles (one per user). The names people read are the user guide's
 * ("Managing User Accounts", helpcenter.veeam.com/docs/vbaws/guide/accounts_vba_users.html, 10.0:
 * "There are 4 user roles … Portal Administrator … Portal Operator … Restore Operator … Read-Only
 * User"). The API values are assumed (no published spec after 1.0-rev0 shows the enum): the
 * names without spaces, `ReadOnlyUser` written as Veeam Backup for Azure's RbacRole writes it.
 */
export const AWS_ROLES = ['PortalAdministrator', 'PortalOperator', 'RestoreOperator', 'ReadOnlyUser'] as const;
export type AwsRole = (typeof AWS_ROLES)[number];
export const AWS_ADMIN_ROLE: AwsRole = 'PortalAdministrator';

/** The roles a version takes: Read-Only User first in the 10.0 guide, so from 1.8-rev0 (assumed). */
export function rolesOf(version: string): readonly AwsRole[] {
	return versionAtLeast(version, 1, 8, 0) ? AWS_ROLES : AWS_ROLES.filter((r) => r !== 'ReadOnlyUser');
}

/**
 * `accountType` of an identity-provider (SSO) user. Veeam's 1.2-rev0 changelog ("Resource Changes",
 * helpcenter.veeam.com/archive/vbaws/40/rest/changelog_resource_changes.html): "The password request
 * body parameter of the UserCreateSpec schema is not required if you specify the External value in
 * the accountType parameter. This means that, if the user identity is received from the Identity
 * Provider, you do not need to specify a password". The local value, `Internal`, is assumed.
 */
export const AWS_ACCOUNT_TYPES = ['Internal', 'External'] as const;
export type AwsAccountType = (typeof AWS_ACCOUNT_TYPES)[number];

/** The built-in administrator (AWS REST help, "Users": the collection sample shows `administrator`, "Default Admin"). */
export const AWS_DEFAULT_ADMIN = 'administrator';
/** The password of every initial user (and of seeded users). Satisfies the password policy. */
export const AWS_DEFAULT_PASSWORD = 'Sim-Aws-Passw0rd!1';

/**
 * A seeded Portal Administrator with MFA on: its base32 secret and scratch codes are fixed so that
 * tests can compute codes (`totpAt(AWS_MFA_USER.secret, sim.clock.now())`). `reset()` restores
 * used scratch codes.
 */
export const AWS_MFA_USER: {
	readonly name: string;
	readonly password: string;
	/** Base32, as an authenticator app takes it. */
	readonly secret: string;
	/** Its five 8-digit scratch codes (each works once until the next reset). */
	readonly scratchCodes: readonly string[];
} = {
	name: 'mfa_admin',
	password: 'Sim-Aws-Mfa-Passw0rd!2',
	secret: 'LZCCOQHBZHSNPOPYA3242YHRNFQUIUZG',
	scratchCodes: ['22974965', '22775880', '19644711', '04034464', '94774115'],
};

export type AwsUser = PortalAccount & { role: AwsRole; accountType: AwsAccountType };

export const MAX_DESCRIPTION_LENGTH = 255;
/**
 * Veeam Backup for AWS User Guide, "Adding User Accounts" (helpcenter.veeam.com/docs/vbaws/guide/
 * accounts_vba_users_create.html): "An account name can contain only lowercase Latin letters, numeric
 * characters, underscores and dashes. You can use the dollar sign ($) as the last character of the
 * user name. The maximum length of the name is 32 characters"; its 5a version: "An account name
 * cannot be admin". Assumption: identity-provider users' names at most 125 characters (no page read
 * gives a number for them: sim/contracts/aws.md); the client leaves that check to the server.
 */
export const MAX_NAME_LENGTH = 32;
export const MAX_SSO_NAME_LENGTH = 125;

/**
 * With `lenient` (any name a test may want), and for identity-provider users (assumed: their name is
 * the identity provider's UserName attribute, often an e-mail address; the guide's character rule
 * is read as the local accounts'): no white space, `/` or `\\` only.
 */
export function awsNameProblem(name: string, lenient = false, identityProvider = false): string | undefined {
	if (name === '') return 'The user name must not be empty.';
	const max = identityProvider ? MAX_SSO_NAME_LENGTH : MAX_NAME_LENGTH;
	if (name.length > (lenient ? MAX_SSO_NAME_LENGTH : max)) return `The maximum length of the name is ${max} characters.`;
	if (name.toLowerCase() === 'admin') return 'You cannot use admin as the account name.';
	if (lenient || identityProvider) {
		return /[\s/\\]/.test(name) || name === '.' || name === '..' ? 'The user name must not contain white space, / or \\.' : undefined;
	}
	if (!/^[a-z0-9_-]+\$?$/.test(name)) {
		return 'The user name can contain only lowercase Latin letters, numeric characters, underscores and dashes; a dollar sign ($) only as the last character.';
	}
	return undefined;
}

/** The same guide: "A description … must not exceed 255 characters." */
export function awsDescriptionProblem(description: string, lenient = false): string | undefined {
	if (!lenient && description.length > MAX_DESCRIPTION_LENGTH) return `The description must not exceed ${MAX_DESCRIPTION_LENGTH} characters.`;
	return undefined;
}

/** Assumption (decisions file): the VBGC simulator's policy, 8+ characters, upper, lower, digit, special. */
export function awsPasswordProblem(password: string): string | undefined {
	return satisfiesPasswordPolicy(password) ? undefined : PASSWORD_POLICY;
}

/** `<major>.<minor>-rev<n>` at least the given one (an unparsable version counts as the newest). */
export function versionAtLeast(version: string, major: number, minor: number, rev: number): boolean {
	const match = /^(\d+)\.(\d+)-rev(\d+)$/.exec(version);
	if (!match) return true;
	const [a, b, c] = match.slice(1).map(Number);
	return a !== major ? a > major : b !== minor ? b > minor : c >= rev;
}

/** `role` is part of the user from 1.5-rev1 on (inferred); older versions answer without it. */
export function versionHasRoles(version: string): boolean {
	return versionAtLeast(version, 1, 5, 1);
}
