/**
 * Veeam Backup for AWS accounts as the simulator keeps them, its fixed roles, and its rules on
 * names, descriptions and passwords. Where Veeam documents no rule, the choice is marked "Assumption".
 */
import { PASSWORD_POLICY, satisfiesPasswordPolicy, type PortalAccount } from '../portal/accounts';

export const AWS_TOKEN_PATH = '/api/v1/token';
export const AWS_USERS_PATH = '/api/v1/users';

/** The version the simulator's spec describes (sim/spec/aws-1.7-rev0.users.openapi.json). */
export const AWS_TARGET_VERSION = '1.7-rev0';
export const AWS_SUPPORTED_VERSIONS: readonly string[] = ['1.5-rev1', '1.6-rev0', '1.7-rev0'];

/** Inferred from 1.5-rev1 on (Veeam's user guide names the roles; the 1.0-rev0 spec has none). */
export const AWS_ROLES = ['PortalAdministrator', 'PortalOperator', 'RestoreOperator'] as const;
export type AwsRole = (typeof AWS_ROLES)[number];
export const AWS_ADMIN_ROLE: AwsRole = 'PortalAdministrator';

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

export type AwsUser = PortalAccount & { role: AwsRole };

export const MAX_DESCRIPTION_LENGTH = 255;
/** Assumption: Veeam states no length limit for names; 64 as the VBGC simulator. */
export const MAX_NAME_LENGTH = 64;

/**
 * Veeam Backup for AWS User Guide, "Creating Users" (helpcenter.veeam.com/docs/vbaws/guide/
 * accounts_vba_users_create.html): "only lowercase Latin letters, numeric characters, underscores
 * and dashes. You can use the dollar sign ($) as the last character". With `lenient`: 1–64
 * characters without white space, `/` or `\` (the VBGC simulator's rule).
 */
export function awsNameProblem(name: string, lenient = false): string | undefined {
	if (name === '') return 'The user name must not be empty.';
	if (name.length > MAX_NAME_LENGTH) return `The user name must be at most ${MAX_NAME_LENGTH} characters long.`;
	if (lenient) return /[\s/\\]/.test(name) || name === '.' || name === '..' ? 'The user name must not contain white space, / or \\.' : undefined;
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

/** `role` is part of the user from 1.5-rev1 on (inferred); older versions answer without it. */
export function versionHasRoles(version: string): boolean {
	const match = /^(\d+)\.(\d+)-rev(\d+)$/.exec(version);
	if (!match) return true;
	const [major, minor, rev] = match.slice(1).map(Number);
	return major > 1 || minor > 5 || (minor === 5 && rev >= 1);
}
