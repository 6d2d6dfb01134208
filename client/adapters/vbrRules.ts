/** VBR's user types, the name rules of a new user by type, and what of a name pattern goes to `nameFilter`. */
/**
 * VBR's `EUserType`. Internal*: Windows accounts and groups, local to the backup server or of Active
 * Directory (Veeam's examples: `TECH\sheila.d.cory` InternalUser, `TECH\Administrators`
 * InternalGroup). External*: accounts and groups of a SAML identity provider (VBR user guide, "SAML
 * Authentication": "adds an external user account"). The first is the default of a new user.
 */
export const VBR_USER_TYPES = ['InternalUser', 'InternalGroup', 'ExternalUser', 'ExternalGroup'] as const;
/** Characters a Windows account or group name cannot hold (and `*`/`?` are VBR's name-filter wildcards). */
const FORBIDDEN_IN_NAME = /[/:*?"<>|]/;
/** `Username@Suffix`: an identity-provider user's name (Veeam's Accounts and Roles overview). */
const IDP_USER_NAME = /^[^@\\\s]+@[^@\\\s]+$/;
/** `DOMAIN\name`: a Windows account's form (what ExternalUser/ExternalGroup wrongly meant in releases up to 0.1.0). */
const WINDOWS_QUALIFIED = /^[^\\]+\\[^\\]+$/;

/**
 * VBR's rules for the name of a new user, by type, as a clause such as `the name is empty`
 * (the server checks them too, but only after a request); undefined when the name is fine.
 * Windows accounts (Internal*): `name`, `DOMAIN\name` ("Domain is optional") or `name@domain` (VBR
 * on Linux: "the UPN format, for example, john.doe@tech.local"). Identity-provider accounts: a user
 * is `Username@Suffix`, a group a "Free-form string" (Veeam's Accounts and Roles overview). A
 * `DOMAIN\name` of type External* is refused: it is a Windows account, and this node's releases up to
 * 0.1.0 offered "Active Directory User/Group" under those values, so a saved workflow that still
 * sends them meant InternalUser/InternalGroup (the server would create an SSO account instead).
 */
export function vbrNameProblem(name: string, type = 'InternalUser'): string | undefined {
	if (!(VBR_USER_TYPES as readonly string[]).includes(type)) {
		return `unknown user type "${type}" (expected one of ${VBR_USER_TYPES.join(', ')})`;
	}
	if (name.trim() === '') return 'the name is empty';
	if (name !== name.trim()) return `"${name}" starts or ends with a space`;
	const group = type.endsWith('Group');
	if (type.startsWith('External')) {
		if (WINDOWS_QUALIFIED.test(name)) {
			return `"${name}" is a Windows account name (DOMAIN\\name), not an identity-provider (SSO) ${group ? 'group' : 'user'}: choose the type Windows ${
				group ? 'Group (InternalGroup)' : 'User (InternalUser)'
			} for a local or Active Directory account (workflows saved with an earlier release used ${type} for Active Directory)`;
		}
		if (!group && !IDP_USER_NAME.test(name)) {
			return `"${name}" is not an identity-provider (SSO) user name: write it as user@suffix, e.g. jane.doe@tech.com`;
		}
		return undefined;
	}
	if (FORBIDDEN_IN_NAME.test(name)) return `"${name}" contains a character account names cannot hold (/ : * ? " < > |)`;
	const parts = name.split('\\');
	if (parts.length > 2 || parts.some((p) => p.trim() === '')) {
		return `"${name}" is not a Windows ${group ? 'group' : 'account'} name: write it as name, DOMAIN\\name or name@domain`;
	}
	return undefined;
}

/**
 * What of a name pattern (whole name, `*` and `?` wildcards) goes to VBR's `nameFilter`. Veeam
 * documents two forms only (REST reference Overview, "nameFilter"): "specify a full string that must
 * match one of the item parameters", or a substring: "use the asterisk `*` character at the beginning
 * of the `nameFilter` value, at the end or both". A pattern of those forms is sent as it is; any other
 * (a `?`, a `*` inside) as its longest run without wildcards, a form that keeps every name the
 * pattern matches (`run*` at the pattern's start, `*run` at its end, else `*run*`); nothing when no
 * run is left. The whole pattern is applied to the answers in any case (userFilter.ts).
 */
export function vbrNameFilter(pattern: string): string | undefined {
	const inner = pattern.replace(/^\*/, '').replace(/\*$/, '');
	if (inner !== '' && !/[*?]/.test(inner)) return pattern;
	const runs = pattern.split(/[*?]/);
	let best = -1;
	for (const [i, run] of runs.entries()) if (run.length > (best < 0 ? 0 : runs[best].length)) best = i;
	if (best < 0) return undefined;
	return `${best === 0 ? '' : '*'}${runs[best]}${best === runs.length - 1 ? '' : '*'}`;
}
