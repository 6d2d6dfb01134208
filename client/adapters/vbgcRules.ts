/**
 * Veeam Backup for Google Cloud's rules the package checks before sending: the API versions whose
 * user paths Veeam documents, user names (new ones by Veeam's user guide, existing ones leniently)
 * and the password policy. Sources and decisions: sim/contracts/vbgc.md.
 */
/** The first API version whose user paths Veeam's reference documents (VBGC 6.0, 7.0). */
export const VBGC_MIN_USERS_VERSION = { major: 1, minor: 4 } as const;

/**
 * Why the package will not call the user API with `version`, or undefined. Versions before
 * 1.4-rev0 are refused: their user paths are not confirmed (one help page shows 1.3-rev0's MFA
 * call under `/api/v1/accounts/users`, the reference `/api/v1/users` for 1.4-rev0).
 */
export function vbgcVersionProblem(version: string): string | undefined {
	const m = /^(\d+)\.(\d+)-rev\d+$/.exec(version);
	if (!m) return undefined; // the transport refuses what is not in Veeam's format
	const [major, minor] = [Number(m[1]), Number(m[2])];
	const { major: minMajor, minor: minMinor } = VBGC_MIN_USERS_VERSION;
	if (major > minMajor || (major === minMajor && minor >= minMinor)) return undefined;
	return (
		`API version ${version} is not supported for user management: Veeam documents the user calls of API 1.4-rev0 ` +
		'(Veeam Backup for Google Cloud 6.0 and 7.0) under /api/v1/users, while its help shows API 1.3-rev0 using /api/v1/accounts/users ' +
		'and no page gives the paths of the older versions'
	);
}

/** Lookups: what an existing user may be named (lenient: a user made otherwise must still be found). */
const MAX_EXISTING_NAME_LENGTH = 64;
/**
 * New names, as Veeam's 7.0 user guide states them
 * (https://helpcenter.veeam.com/docs/vbgc/guide/backup_admin_name.html, "Account Info"): "The
 * maximum length of the account name is 32 characters. The following characters are supported:
 * lowercase Latin letters, numeric characters, underscores and dashes."
 */
export const VBGC_NEW_NAME_MAX_LENGTH = 32;
export const VBGC_NEW_NAME_RULE = 'at most 32 characters: lowercase Latin letters, digits, underscores (_) and dashes (-)';

/**
 * Whether the API can address a user of this name (lookups, existing users): 1 to 64 characters,
 * no white space, no `/` or `\`. Refused too, because the name is a path segment: `roles`
 * (`GET /users/roles` lists the roles, so a user of that name could never be read) and `.` / `..`
 * (URLs collapse them: `/users/..` is `/`, so a call for such a user would act on another
 * resource). Undefined when the name is fine. New names have Veeam's stricter rule (vbgcNewNameProblem).
 */
export function vbgcNameProblem(name: string): string | undefined {
	if (name === '') return 'the name is empty';
	if (name === '.' || name === '..') return `"${name}" cannot be a user name: in a URL it means the current or parent path`;
	if (name.length > MAX_EXISTING_NAME_LENGTH) {
		return `the name is longer than ${MAX_EXISTING_NAME_LENGTH} characters, the most Veeam Backup for Google Cloud allows`;
	}
	if (/\s/.test(name)) return `"${name}" contains white space, which Veeam Backup for Google Cloud user names cannot hold`;
	if (/[/\\]/.test(name)) {
		return `"${name}" contains / or \\, which Veeam Backup for Google Cloud user names cannot hold (they are local portal accounts, not DOMAIN\\name)`;
	}
	if (name.toLowerCase() === 'roles') return '"roles" cannot be a user name: the API uses /users/roles for the role list';
	return undefined;
}

/** A new user's name: Veeam's rule (backup_admin_name.html), and addressable. Undefined when fine. */
export function vbgcNewNameProblem(name: string): string | undefined {
	const problem = vbgcNameProblem(name);
	if (problem) return problem;
	if (name.length > VBGC_NEW_NAME_MAX_LENGTH || !/^[a-z0-9_-]+$/.test(name)) {
		return `"${name}" is not a valid new Veeam Backup for Google Cloud user name: ${VBGC_NEW_NAME_RULE} (Veeam's user guide, "Account Info")`;
	}
	return undefined;
}

/**
 * The password policy of VBGC portal accounts. Veeam documents no rule; this is the one the
 * simulator enforces (and a real appliance's complexity check is at least as strict): at least 8
 * characters with an upper-case letter, a lower-case letter, a digit and a special character.
 * The answer never quotes the password, nor its length.
 */
export const VBGC_PASSWORD_POLICY =
	'at least 8 characters with an upper-case letter, a lower-case letter, a digit and a special character';

export function vbgcPasswordProblem(password: string): string | undefined {
	if (password === '') return 'is empty';
	const missing: string[] = [];
	if (password.length < 8) missing.push('at least 8 characters');
	if (!/\p{Lu}/u.test(password)) missing.push('an upper-case letter');
	if (!/\p{Ll}/u.test(password)) missing.push('a lower-case letter');
	if (!/\p{Nd}/u.test(password)) missing.push('a digit');
	if (!/[^\p{L}\p{Nd}]/u.test(password)) missing.push('a special character');
	if (missing.length === 0) return undefined;
	return `does not meet the password policy of Veeam Backup for Google Cloud: it lacks ${missing.join(', ')} (the policy: ${VBGC_PASSWORD_POLICY})`;
}
