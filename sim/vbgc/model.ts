/**
 * Veeam Backup for Google Cloud's accounts as the simulator keeps them, and the rules on their
 * names and passwords. Where Veeam documents no rule, the simulator's choice is marked "Assumption".
 */
import { randomInt } from 'node:crypto';

import { badRequest } from '../core/http';

/**
 * The users collection, as the 7.0 reference gives it for API 1.4-rev0
 * (https://helpcenter.veeam.com/references/vbgc/7/rest/tag/Users). The MFA help page
 * (https://helpcenter.veeam.com/docs/vbgc/rest/mfa.html) shows API 1.3-rev0's mfaEnable under
 * `/api/v1/accounts/users`; the package sends only 1.4-rev0 and later (sim/contracts/vbgc.md).
 */
export const VBGC_USERS_PATH = '/api/v1/users';
export const VBGC_TOKEN_PATH = '/api/v1/token';

export const VBGC_USER_TYPES = ['DefaultAdmin', 'Local'] as const;
/**
 * Assumption: the reference names one user type, `DefaultAdmin` (the built-in administrator).
 * Every other account the API creates is a local portal account; the simulator calls it `Local`.
 */
export type VbgcUserType = (typeof VBGC_USER_TYPES)[number];

/** The built-in administrator's login name. */
export const VBGC_DEFAULT_ADMIN = 'administrator';
/** The password of every initial user (and of seeded users). Satisfies the password policy below. */
export const VBGC_DEFAULT_PASSWORD = 'Sim-Passw0rd!1';
/**
 * A seeded Portal Administrator with MFA on: its base32 secret and scratch codes are fixed so that
 * tests can compute codes (`totpAt(secret, sim.clock.now())`). `reset()` restores used scratch codes.
 */
export const VBGC_MFA_USER: {
	readonly name: string;
	readonly password: string;
	/** Base32, as an authenticator app takes it. */
	readonly secret: string;
	/** Its five 8-digit scratch codes (each works once until the next reset). */
	readonly scratchCodes: readonly string[];
} = {
	name: 'mfa-admin',
	password: 'Sim-Mfa-Passw0rd!2',
	secret: 'MCC6AFPJZL6V7JSFAZSB2C7FEISPHAQX',
	scratchCodes: ['68816260', '92980759', '97350948', '07920794', '95882096'],
};

/** Veeam's 7.0 user guide, "Account Info": "The maximum length of the account name is 32 characters." */
export const MAX_NAME_LENGTH = 32;
/** Users the simulator is told to hold (seeded, not created over the API) may have older names, up to this. */
export const MAX_STORED_NAME_LENGTH = 64;
const SCRATCH_CODE_COUNT = 5;

/**
 * Assumption (Veeam documents no rule for VBGC portal accounts): at least 8 characters with an
 * upper-case letter, a lower-case letter, a digit and a character that is neither letter nor digit.
 */
export const VBGC_PASSWORD_POLICY =
	'The password must be at least 8 characters long and contain an upper-case letter, a lower-case letter, a digit and a special character.';

export function satisfiesPasswordPolicy(password: string): boolean {
	return (
		password.length >= 8 &&
		/\p{Lu}/u.test(password) &&
		/\p{Ll}/u.test(password) &&
		/\p{Nd}/u.test(password) &&
		/[^\p{L}\p{Nd}]/u.test(password)
	);
}

export interface MfaSecret {
	secret: string;
	scratchCodes: string[];
}

export interface VbgcUser {
	name: string;
	description: string;
	type: VbgcUserType;
	roleIds: string[];
	/** A simulator: plain text in memory, never logged, never in `snapshot()`. */
	password: string;
	/** Active MFA. */
	mfa?: MfaSecret;
	/** A secret handed out by `mfaEnable`, active only once `mfaAccepted` confirms it. */
	pendingMfa?: MfaSecret & { token: string };
}


/**
 * A new user's name (`POST /users`), as Veeam's 7.0 user guide gives the rule
 * (https://helpcenter.veeam.com/docs/vbgc/guide/backup_admin_name.html, "Account Info"): "The maximum
 * length of the account name is 32 characters. The following characters are supported: lowercase
 * Latin letters, numeric characters, underscores and dashes. The following characters are not
 * supported: \ / " ' [ ] : | < > + = ; , ? * @ & $." The wording of the refusal is assumed (no page
 * shows one). Refused too, since the name is a path segment: `roles` (`GET /users/roles` lists roles).
 */
export function validateName(name: string): void {
	if (name === '') throw badRequest('The name property is required.');
	if (name.length > MAX_NAME_LENGTH) throw badRequest(`The maximum length of the account name is ${MAX_NAME_LENGTH} characters.`);
	if (!/^[a-z0-9_-]+$/.test(name)) {
		throw badRequest('The account name can contain only lowercase Latin letters, numeric characters, underscores and dashes.');
	}
	if (name === 'roles') throw badRequest('The user name roles is reserved.');
}

/**
 * A user the simulator is told to hold (seeded through its control API, as an appliance may hold
 * users made before the rule above): 1 to 64 characters, no white space, `/` or `\`; not `roles`,
 * `.`, `..` (a URL collapses them into another path). Assumption: no page gives older rules.
 */
export function validateStoredName(name: string): void {
	if (name === '') throw badRequest('The name property is required.');
	if (name.length > MAX_STORED_NAME_LENGTH) throw badRequest(`The user name must be at most ${MAX_STORED_NAME_LENGTH} characters long.`);
	if (/[\s/\\]/.test(name)) throw badRequest('The user name must not contain white space, / or \\.');
	if (name.toLowerCase() === 'roles') throw badRequest('The user name roles is reserved.');
	if (name === '.' || name === '..') throw badRequest(`The user name ${name} is reserved.`);
}

export function optionalDescription(input: unknown): string | undefined {
	if (input === undefined || input === null) return undefined;
	if (typeof input !== 'string') throw badRequest('The description property must be a string.');
	return input;
}

export function newScratchCodes(): string[] {
	const codes = new Set<string>();
	while (codes.size < SCRATCH_CODE_COUNT) codes.add(String(randomInt(0, 100_000_000)).padStart(8, '0'));
	return [...codes];
}

/** Case-insensitive, then by code point, so the order is total and stable across runs. */
export function compareText(a: string, b: string): number {
	const la = a.toLowerCase();
	const lb = b.toLowerCase();
	if (la !== lb) return la < lb ? -1 : 1;
	return a < b ? -1 : a > b ? 1 : 0;
}

