import { createHash } from 'node:crypto';

import type { VeeamRole, VeeamUser } from '../../../../client/adapters';

/**
 * Desired-state sync, the pure part: from the server's users, the desired users and the scope,
 * the list of steps that makes the managed users equal the desired ones. No I/O here, so the
 * rules (scope, protected accounts, safety limit) are tested exhaustively without a server.
 *
 * Model. The scope says which server users the sync manages, and which of their roles:
 * - `all`, `namePattern`, `domain`, `allExcept`: users the rule selects; all their roles.
 * - `roles`: users holding one of the scope's roles; only those roles. Other roles a user holds
 *   are kept, and a user who keeps some is changed, not removed.
 * A managed user who is desired gets `(roles outside the managed set) ∪ desired roles`; one who
 * is not desired loses the managed roles (and is removed when none are left). A desired user
 * who does not exist is created. Users outside the scope are never touched.
 *
 * VSPC (PlanOptions): a sync is about one organization (a company, or the provider's own staff):
 * server users of any other organization are left out of the plan whatever the server sent; a user
 * holds one role; and a listed user is also compared on the fields the list gives (profile, MFA
 * policy): a difference there alone is an `update`.
 */

export type ScopeKind = 'all' | 'namePattern' | 'domain' | 'roles' | 'allExcept';

export interface SyncScope {
	kind: ScopeKind;
	/** `namePattern`: a whole-name pattern with `*` and `?`, case-insensitive. */
	pattern?: string;
	/** `domain`: users named `DOMAIN\…`. */
	domain?: string;
	/** `roles`: the roles the sync manages. */
	roles?: VeeamRole[];
	/** `allExcept`: names or patterns of users the sync leaves alone. */
	except?: string[];
}

export interface DesiredUser {
	/** The input item the user came from. */
	item: number;
	name: string;
	roles: VeeamRole[];
	/** Used when the user is created. */
	type?: string;
	description?: string;
	/** True when the item gave a password (a secret: the plan only knows whether there is one). */
	hasPassword?: boolean;
	/** Azure Entra ID users: the account's object ID. */
	identityProviderEntityId?: string;
	/** VSPC: the profile fields and MFA policy the list gives (a field not given is left as the server has it). */
	vspc?: VspcDesired;
}

/** What a VSPC list row says of a user beyond name and role. */
export interface VspcDesired {
	profile: { email?: string; firstName?: string; lastName?: string };
	/** Require MFA (true), not (false); undefined: leave the user's MFA policy as it is. */
	mfaRequired?: boolean;
}

/** Options of products beyond the common model (VSPC). */
export interface PlanOptions {
	/** The organization the sync is about: server users of any other one are left out (whatever the server sent). */
	organizationUid?: string;
	/** The fields besides roles in which `user` differs from the list's row, by name (e.g. `email`, `mfaRequired`). */
	fieldChanges?: (user: VeeamUser, desired: DesiredUser) => string[];
	/** A user holds exactly one role: a listed user's role is replaced, not added to. */
	singleRole?: boolean;
	/** The value a field change sets (for the plan id), by field name. */
	fieldValue?: (desired: DesiredUser, field: string) => unknown;
}

export interface SafetyLimit {
	/** The most managed users one run may take access from. */
	maxRemovals: number;
	/** The largest share of the managed users one run may take access from, in percent. */
	maxRemovalPercent: number;
}

export type SyncAction = 'create' | 'changeRoles' | 'update' | 'remove' | 'unchanged' | 'protected';

export interface SyncStep {
	action: SyncAction;
	name: string;
	/** The input item that asked for this user; undefined for users the list does not name. */
	item?: number;
	/** The server's user (undefined for a create). */
	user?: VeeamUser;
	/** The desired user (undefined for a user the list does not name). */
	desired?: DesiredUser;
	rolesBefore: VeeamRole[];
	/** What the user will hold afterwards ([] for a remove; `rolesBefore` for unchanged / protected). */
	rolesAfter: VeeamRole[];
	/** True when the step takes a managed user's access away (counts against the safety limit). */
	revokes: boolean;
	/** `changeRoles` / `update` (VSPC): the fields besides roles it changes (`email`, `firstName`, `lastName`, `mfaRequired`). */
	changes?: string[];
	/** Why, in a sentence. */
	reason: string;
}

export interface SyncPlan {
	steps: SyncStep[];
	/** Server users the scope selects (protected accounts included). */
	managed: number;
	/** Server users the scope selects that are not protected (what the safety limit's percentage is of). */
	unprotected: number;
	/** Steps that take access away from a user. */
	revocations: number;
	/** Set when applying this plan would go beyond the safety limit: the sentence says how. */
	limitExceeded?: string;
	/** Identifies the changes (not the unchanged users): equal ids, equal changes. */
	id: string;
}

/** The accounts a sync never removes or demotes (the built-in administrator, its own login). */
export type IsProtected = (user: VeeamUser) => string | undefined;

const key = (name: string) => name.toLowerCase();

/** Veeam's name pattern: `*` any run, `?` one character, whole name, case-insensitive. */
export function wildcardMatcher(pattern: string): (name: string) => boolean {
	const source = pattern
		.split('')
		.map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
		.join('');
	const re = new RegExp(`^${source}$`, 'is');
	return (name) => re.test(name);
}

/** Whether the scope selects a server user (by name and, for a role scope, by the roles held). */
export function scopeSelector(scope: SyncScope): (user: Pick<VeeamUser, 'name' | 'roles'>) => boolean {
	switch (scope.kind) {
		case 'all':
			return () => true;
		case 'namePattern': {
			const match = wildcardMatcher(scope.pattern ?? '');
			return (u) => match(u.name);
		}
		case 'domain': {
			const prefix = `${key(scope.domain ?? '')}\\`;
			return (u) => key(u.name).startsWith(prefix);
		}
		case 'roles': {
			const ids = new Set((scope.roles ?? []).map((r) => key(r.id)));
			return (u) => u.roles.some((r) => ids.has(key(r.id)));
		}
		case 'allExcept': {
			const matchers = (scope.except ?? []).map(wildcardMatcher);
			return (u) => !matchers.some((m) => m(u.name));
		}
	}
}

/**
 * Why a desired user lies outside the scope (the sync could not manage it afterwards), or
 * undefined. For a role scope that means asking for a role the sync does not manage.
 */
export function outOfScope(scope: SyncScope, desired: Pick<DesiredUser, 'name' | 'roles'>): { field: 'name' | 'roles'; problem: string } | undefined {
	if (scope.kind === 'roles') {
		const managed = new Set((scope.roles ?? []).map((r) => key(r.id)));
		const outside = desired.roles.filter((r) => !managed.has(key(r.id)));
		if (outside.length === 0) return undefined;
		return {
			field: 'roles',
			problem: `${outside.map((r) => `"${r.name}"`).join(', ')} ${outside.length > 1 ? 'are roles' : 'is a role'} this sync does not manage (its scope: ${(scope.roles ?? []).map((r) => r.name).join(', ')})`,
		};
	}
	if (scopeSelector(scope)({ name: desired.name, roles: desired.roles })) return undefined;
	const what =
		scope.kind === 'namePattern'
			? `does not match the scope's name pattern "${scope.pattern}"`
			: scope.kind === 'domain'
				? `is not in the scope's domain ${scope.domain}`
				: 'is one of the users this sync leaves alone (Except These Users)';
	return { field: 'name', problem: `"${desired.name}" ${what}` };
}

function roleSet(roles: VeeamRole[]): Set<string> {
	return new Set(roles.map((r) => key(r.id)));
}

function sameRoleSet(a: VeeamRole[], b: VeeamRole[]): boolean {
	const sa = roleSet(a);
	const sb = roleSet(b);
	return sa.size === sb.size && [...sa].every((id) => sb.has(id));
}

/** `roles` without duplicates, in the order given. */
function unique(roles: VeeamRole[]): VeeamRole[] {
	const seen = new Map<string, VeeamRole>();
	for (const r of roles) if (!seen.has(key(r.id))) seen.set(key(r.id), r);
	return [...seen.values()];
}

const names = (roles: VeeamRole[]) => roles.map((r) => r.name).join(', ') || 'none';

/**
 * The plan's id: SHA-256 over everything the plan would change, step by step: the action, the
 * account (its name, and the server's id of an existing one), the roles it ends with, and for a
 * create the type, description and whether a password is given. An approved id is only as good
 * as this: any other change, however small, gives another id, and no crafted list can make a
 * different plan match it. Unchanged and protected users are left out: they change nothing.
 */
export function userFingerprintParts(steps: SyncStep[], fieldValue?: PlanOptions['fieldValue']): string[] {
	return steps
		.filter((s) => s.action === 'create' || s.action === 'changeRoles' || s.action === 'update' || s.action === 'remove')
		.map((s) =>
			JSON.stringify([
				s.action,
				key(s.name),
				s.user ? key(s.user.ref) : null,
				[...roleSet(s.rolesAfter)].sort(),
				s.action === 'create' ? [s.desired?.type ?? null, s.desired?.description ?? null, s.desired?.hasPassword === true, s.desired?.identityProviderEntityId ?? null] : null,
				// VSPC: what a create sets beyond roles, and each other field a change sets (absent elsewhere: ids unchanged).
				...(s.action === 'create' && s.desired?.vspc ? [s.desired.vspc] : []),
				...(s.changes?.length && s.desired ? [[...s.changes].sort().map((f) => [f, fieldValue?.(s.desired as DesiredUser, f) ?? null])] : []),
			]),
		)
		.sort();
}

function fingerprint(steps: SyncStep[], options: PlanOptions): string {
	const parts = userFingerprintParts(steps, options.fieldValue);
	// VSPC: the same creates in another company are another plan.
	return createHash('sha256')
		.update(JSON.stringify(options.organizationUid ? [`organization:${key(options.organizationUid)}`, ...parts] : parts))
		.digest('hex');
}

/** What the safety limit counts: users whose access a plan takes, and (with custom roles) roles it deletes. */
export interface Removals {
	users: { revoked: number; managed: number };
	roles?: { deleted: number; managed: number };
}

/** Why the removals go beyond the safety limit, as a sentence; undefined when they do not. */
export function safetyLimitProblem({ users, roles }: Removals, limit: SafetyLimit): string | undefined {
	const removed = users.revoked + (roles?.deleted ?? 0);
	const managed = users.managed + (roles?.managed ?? 0);
	const percent = managed === 0 ? 0 : (removed / managed) * 100;
	// Role deletions on their own too: among many users, a truncated role list deleting every role is a small share.
	const rolePercent = !roles || roles.managed === 0 ? 0 : (roles.deleted / roles.managed) * 100;
	if (removed <= limit.maxRemovals && percent <= limit.maxRemovalPercent && rolePercent <= limit.maxRemovalPercent) return undefined;
	if (roles && rolePercent > limit.maxRemovalPercent && (users.managed > 0 || users.revoked > 0) && removed <= limit.maxRemovals && percent <= limit.maxRemovalPercent) {
		return `the plan deletes ${roles.deleted} of ${roles.managed} managed custom role${roles.managed === 1 ? '' : 's'} (${Math.round(rolePercent)} % of the custom roles), more than the safety limit allows (at most ${limit.maxRemovalPercent} %, counted for the custom roles on their own too)`;
	}
	const usersPart = `${users.revoked} of ${users.managed} managed user${users.managed === 1 ? '' : 's'}`;
	if (!roles) {
		return `the plan takes access from ${usersPart} (${Math.round(percent)} %), more than the safety limit allows (at most ${limit.maxRemovals} users and ${limit.maxRemovalPercent} %)`;
	}
	const rolesPart = `deletes ${roles.deleted} of ${roles.managed} managed custom role${roles.managed === 1 ? '' : 's'}`;
	if (users.managed === 0 && users.revoked === 0) {
		return `the plan ${rolesPart} (${Math.round(percent)} %), more than the safety limit allows (at most ${limit.maxRemovals} removals and ${limit.maxRemovalPercent} %)`;
	}
	return `the plan takes access from ${usersPart} and ${rolesPart} (${removed} of ${managed}, ${Math.round(percent)} %), more than the safety limit allows (at most ${limit.maxRemovals} removals and ${limit.maxRemovalPercent} %)`;
}

/** Grants first, removals last: a run that stops half-way has not taken access before giving it. */
const ORDER: Record<SyncAction, number> = { create: 0, changeRoles: 1, update: 1, remove: 2, protected: 3, unchanged: 4 };

/**
 * The plan. `desired` must hold each user once (the caller merges or refuses duplicates) and only
 * users inside the scope (see `outOfScope`).
 */
export function planSync(
	allUsers: VeeamUser[],
	desired: DesiredUser[],
	scope: SyncScope,
	isProtected: IsProtected,
	limit: SafetyLimit,
	options: PlanOptions = {},
): SyncPlan {
	const organization = options.organizationUid === undefined ? undefined : key(options.organizationUid);
	// Users of another organization are never part of the plan, whatever the server sent.
	const server = organization === undefined ? allUsers : allUsers.filter((u) => u.organization !== undefined && key(u.organization.uid) === organization);
	const selects = scopeSelector(scope);
	const managedRoles = scope.kind === 'roles' ? roleSet(scope.roles ?? []) : undefined;
	const isManagedRole = (r: VeeamRole) => managedRoles === undefined || managedRoles.has(key(r.id));
	const serverByName = new Map(server.map((u) => [key(u.name), u]));
	const desiredNames = new Set(desired.map((d) => key(d.name)));
	const steps: SyncStep[] = [];

	/** A change to `user`: kept as planned, or held back when it would demote a protected account. */
	const change = (user: VeeamUser, rolesAfter: VeeamRole[], d: DesiredUser | undefined, reason: string, changes: string[] = []): SyncStep => {
		const removesRole = user.roles.some((r) => !roleSet(rolesAfter).has(key(r.id)));
		const protection = removesRole ? isProtected(user) : undefined;
		const revokes = d === undefined;
		const base = { name: user.name, item: d?.item, user, desired: d, rolesBefore: user.roles };
		if (protection) {
			return {
				...base,
				action: 'protected',
				rolesAfter: user.roles,
				revokes: false,
				reason: `${protection}: never ${rolesAfter.length === 0 ? 'removed' : 'demoted'} by a sync (the plan would have ${
					rolesAfter.length === 0 ? 'removed it' : `changed its roles to ${names(rolesAfter)}`
				})`,
			};
		}
		if (rolesAfter.length === 0) return { ...base, action: 'remove', rolesAfter: [], revokes, reason };
		return { ...base, action: 'changeRoles', rolesAfter, revokes, reason, ...(changes.length ? { changes } : {}) };
	};

	for (const d of desired) {
		const user = serverByName.get(key(d.name));
		if (!user) {
			steps.push({
				action: 'create',
				name: d.name,
				item: d.item,
				desired: d,
				rolesBefore: [],
				rolesAfter: unique(d.roles),
				revokes: false,
				reason: 'on the list, not on the server',
			});
			continue;
		}
		const kept = user.roles.filter((r) => !isManagedRole(r));
		const rolesAfter = options.singleRole ? unique(d.roles) : unique([...kept, ...d.roles]);
		const changes = options.fieldChanges?.(user, d) ?? [];
		const same = sameRoleSet(user.roles, rolesAfter);
		const base = { name: user.name, item: d.item, user, desired: d, rolesBefore: user.roles, revokes: false };
		if (options.singleRole && kept.length > 0 && !same) {
			// One role per user: giving the listed role would take one this sync does not manage.
			steps.push({
				...base,
				action: 'protected',
				rolesAfter: user.roles,
				reason: `holds ${names(kept)}, a role outside this sync's scope; a user holds one role here, so giving ${names(d.roles)} would take it: change it in the console, or widen the scope`,
			});
		} else if (same && changes.length === 0) {
			steps.push({ ...base, action: 'unchanged', rolesAfter: user.roles, reason: 'roles already as listed' });
		} else if (same) {
			steps.push({ ...base, action: 'update', rolesAfter: user.roles, changes, reason: `on the list; differs in ${changes.join(', ')}` });
		} else {
			const also = changes.length ? `; also differs in ${changes.join(', ')}` : '';
			steps.push(change(user, rolesAfter, d, `on the list with roles ${names(d.roles)}${also}`, changes));
		}
	}

	let managed = 0;
	for (const user of server) {
		if (!selects(user)) continue;
		managed++;
		if (desiredNames.has(key(user.name))) continue;
		const rolesAfter = user.roles.filter((r) => !isManagedRole(r));
		const reason =
			rolesAfter.length === 0
				? 'in the scope, not on the list'
				: `in the scope, not on the list: loses ${names(user.roles.filter(isManagedRole))}, keeps roles outside the scope`;
		steps.push(change(user, rolesAfter, undefined, reason));
	}

	steps.sort((a, b) => ORDER[a.action] - ORDER[b.action] || key(a.name).localeCompare(key(b.name)));
	const revocations = steps.filter((s) => s.revokes).length;
	const unprotected = server.filter((u) => selects(u) && !isProtected(u)).length;
	const limitExceeded = safetyLimitProblem({ users: { revoked: revocations, managed: unprotected } }, limit);
	return { steps, managed, unprotected, revocations, limitExceeded, id: fingerprint(steps, options) };
}
