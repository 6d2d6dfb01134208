/**
 * Veeam Backup & Replication's users and logins as the simulator keeps them, and the helpers its
 * routes share.
 */
import { badRequest, type SimRequest, type SimResponse } from '../core/http';
import type { AclOptions } from './acl';
import type { CustomRoleOptions } from './customRoles';
import { BACKUP_ADMINISTRATOR, type VbrRole } from './roles';

export const VBR_USER_TYPES = ['InternalUser', 'InternalGroup', 'ExternalUser', 'ExternalGroup'] as const;
export type VbrUserType = (typeof VBR_USER_TYPES)[number];

export interface VbrUser {
	id: string;
	name: string;
	type: VbrUserType;
	roleIds: string[];
	isServiceAccount: boolean;
}

export interface VbrLogin {
	name: string;
	password: string;
	/** Active Directory groups the account is a member of: a group in the user list gives it its roles. */
	memberOf?: string[];
}

export interface VbrOptions {
	/** `x-api-version` values the server accepts. */
	supportedVersions?: string[];
	/**
	 * An unsupported version gets, by default, the 1.3-rev2 reference's ErrorNotImplementedExample
	 * ("The specified API version is not supported.", no versions named); when true, the forum-reported
	 * wording that lists them ("Unsupported RESTAPI version. The following versions are supported: …").
	 */
	announceVersions?: boolean;
	/** Largest `limit` the list endpoints honour; larger requests are clamped (and `pagination.limit` says so). */
	maxPageSize?: number;
	/** Login accounts (name + password); each must match a user in the user list to be allowed anything. */
	logins?: VbrLogin[];
	/** The users the server starts with (default: a small realistic set). */
	initialUsers?: Array<{ name: string; type: VbrUserType; roles: string[]; isServiceAccount?: boolean }>;
	/** Global MFA setting at start (`/security/settings`). */
	mfaEnabled?: boolean;
	/**
	 * On API 1.3-rev1, name the built-in roles as 1.3-rev1's reference does: "Veeam Backup
	 * Administrator", "Veeam Security Administrator", "Veeam Restore Operator" (its examples and its
	 * "Available to: Veeam Backup Administrator"), and the other four the same way (assumed). Default
	 * false: 1.3-rev2's names on both versions (what the rest of the tests expect; see sim/contracts/vbr.md).
	 */
	rev1RoleNames?: boolean;
	/**
	 * Custom roles (1.3-rev2: `RoleModel.isBuiltIn` false) the server starts with, e.g. the custom
	 * "Restore Operator" of 1.3-rev2's RolesResultExample, which shares a built-in role's name.
	 */
	customRoles?: VbrRole[];
	/** 1.3-rev2's custom roles and backup ACL where Veeam is silent (sim/contracts/vbr-access-control.md). */
	accessControl?: CustomRoleOptions & AclOptions;
}

export const VBR_DEFAULT_PASSWORD = 'Sim-Passw0rd!';
export const VBR_DEFAULT_LOGINS: VbrLogin[] = [
	{ name: 'VBR01\\svc-n8n', password: VBR_DEFAULT_PASSWORD },
	{ name: 'VBR01\\admin', password: VBR_DEFAULT_PASSWORD },
	{ name: 'VBR01\\viewer', password: VBR_DEFAULT_PASSWORD },
];

export const DEFAULT_USERS: NonNullable<VbrOptions['initialUsers']> = [
	{ name: 'BUILTIN\\Administrators', type: 'InternalGroup', roles: [BACKUP_ADMINISTRATOR] },
	{ name: 'VBR01\\svc-n8n', type: 'InternalUser', roles: [BACKUP_ADMINISTRATOR], isServiceAccount: true },
	{ name: 'VBR01\\admin', type: 'InternalUser', roles: [BACKUP_ADMINISTRATOR] },
	{ name: 'VBR01\\viewer', type: 'InternalUser', roles: ['Backup Viewer'] },
	// Active Directory accounts are InternalUser / InternalGroup, as in Veeam's examples (UserModelExample:
	// "TECH\\sheila.d.cory", "InternalUser"; UserSpecGroupExample: "TECH\\Administrators", "InternalGroup").
	{ name: 'TECH\\sheila.d.cory', type: 'InternalUser', roles: ['Restore Operator'] },
	{ name: 'TECH\\Backup Operators', type: 'InternalGroup', roles: ['Backup Operator'] },
];

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function ok(body: unknown): SimResponse {
	return { status: 200, body };
}

export function ver(req: SimRequest): string {
	return String(req.headers['x-api-version']).trim();
}

export function compareNames(a: string, b: string): number {
	const la = a.toLowerCase();
	const lb = b.toLowerCase();
	return la < lb ? -1 : la > lb ? 1 : 0;
}

export function enumParam<T extends string>(q: URLSearchParams, name: string, values: readonly T[]): T | undefined {
	const raw = q.get(name);
	if (raw === null || raw === '') return undefined;
	const found = values.find((v) => v.toLowerCase() === raw.toLowerCase());
	if (!found) throw badRequest(`The ${name} parameter must be one of ${values.join(', ')}.`);
	return found;
}

/**
 * `nameFilter` as Veeam documents it (REST reference Overview, "nameFilter"): "a full string that
 * must match", or a substring "use the asterisk `*` character at the beginning of the `nameFilter`
 * value, at the end or both". Anything else (a `?`, a `*` inside) is read literally: **assumed**, no
 * other meaning is promised. Case ignored: **assumed** (Windows names).
 */
export function documentedNameMatcher(filter: string): (name: string) => boolean {
	const starts = filter.startsWith('*');
	const ends = filter.length > 1 && filter.endsWith('*');
	const text = filter.slice(starts ? 1 : 0, ends ? -1 : undefined).toLowerCase();
	return (name) => {
		const n = name.toLowerCase();
		if (starts && ends) return n.includes(text);
		if (starts) return n.endsWith(text);
		if (ends) return n.startsWith(text);
		return n === text;
	};
}
