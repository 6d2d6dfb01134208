/**
 * User → Sync with custom roles (VBR 13.1, REST 1.3-rev2), the pure part: the declared roles as the
 * node reads them, and the role steps of a plan. No I/O here.
 *
 * Model. A declared role is Veeam's own `CustomRoleSpec` JSON (what Role → Get with details outputs).
 * The role scope says which custom roles on the server the sync manages: all of them, or those whose
 * name matches a pattern. Built-in roles are never managed. A declared role is matched to a server
 * role by name (case-insensitive):
 * - none: `create`;
 * - one whose details differ (client/adapters/customRoleSpec.ts `roleChanges`: name, the two
 *   permissions, the description and each scope when declared): `update`, sent whole: what the
 *   declaration leaves out (description, scopes) is sent as the server has it, so it stays;
 * - otherwise `unchanged`.
 * A managed custom role that is not declared is deleted, unless users still hold it after the user
 * steps of the same run (`heldBy`: Apply then refuses the whole plan).
 */
import { createHash } from 'node:crypto';

import { ROLE_SCOPES, roleChanges, type CustomRole, type CustomRoleSpec } from '../../../../client/adapters/customRoleSpec';
import { wildcardMatcher } from './sync.plan';

export type RoleScopeKind = 'all' | 'namePattern';

export interface RoleSyncScope {
	kind: RoleScopeKind;
	/** `namePattern`: a whole-name pattern with `*` and `?`, case-insensitive. */
	pattern?: string;
}

/** A declared role and where it is in the list (for messages: `[2] "Auditors"`). */
export interface DeclaredRole {
	index: number;
	spec: CustomRoleSpec;
}

/** A custom role as the role list shows it (`RoleModel`: no permissions, no scopes). */
export interface ListedRole {
	id: string;
	name: string;
	description?: string;
}

export type RoleAction = 'create' | 'update' | 'delete' | 'unchanged';
const ORDER: Record<RoleAction, number> = { create: 0, update: 1, delete: 2, unchanged: 3 };

export interface RoleStep {
	action: RoleAction;
	name: string;
	/** Position in the declared list (undefined for a role the list does not name: a delete). */
	index?: number;
	declared?: CustomRoleSpec;
	/** The server's role (update, delete, unchanged). */
	listed?: ListedRole;
	/** The server's role with its details (update, unchanged). */
	actual?: CustomRole;
	/** What is sent: the whole role (create, update). */
	send?: CustomRoleSpec;
	/** The fields that differ (update), every declared field (create), none otherwise. */
	changes: string[];
	reason: string;
	/** Delete: users and groups who would still hold the role after the user steps (Apply refuses then). */
	heldBy?: string[];
}

const key = (name: string) => name.toLowerCase();

/** Whether the role scope manages a custom role of this name. */
export function roleScopeSelector(scope: RoleSyncScope): (name: string) => boolean {
	if (scope.kind === 'all') return () => true;
	return wildcardMatcher(scope.pattern ?? '');
}

/** The fields a declared role sets, for a create's `changes`. */
function declaredFields(spec: CustomRoleSpec): string[] {
	return ['name', ...(spec.description !== undefined ? ['description'] : []), 'manageBackups', 'manageRestores', ...ROLE_SCOPES.filter((s) => spec[s] !== undefined)];
}

/**
 * The body of an update (Veeam's PUT takes the whole model): the server's role with the declared
 * fields put in. A scope left out is sent as the server has it; inside a declared scope, a field the
 * declaration leaves out keeps the server's value (what Veeam added or this package does not know,
 * e.g. a workload type, travels back unchanged), except a list, which counts as empty (as
 * `roleChanges` compares it).
 */
export function updateBody(declared: CustomRoleSpec, actual: CustomRole): CustomRoleSpec {
	const body: CustomRoleSpec = {
		name: declared.name,
		manageBackups: declared.manageBackups,
		manageRestores: declared.manageRestores,
	};
	const description = declared.description ?? actual.description;
	if (description !== undefined) body.description = description;
	for (const scope of ROLE_SCOPES) {
		const want = declared[scope];
		const have = actual[scope];
		const value = want === undefined ? have : have === undefined ? want : mergeScope(want, have);
		if (value !== undefined) body[scope] = jsonCopy(value);
	}
	return body;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A copy of JSON data (structuredClone refuses the proxies n8n 1.x's Code node hands out). */
const jsonCopy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

function mergeScope(want: Json, have: Json): Json {
	const merged: Json = {};
	for (const field of new Set([...Object.keys(have), ...Object.keys(want)])) {
		const w = want[field];
		const h = have[field];
		if (w !== undefined) merged[field] = isObject(w) && isObject(h) ? mergeScope(w, h) : w;
		else if (!Array.isArray(h)) merged[field] = h;
	}
	return merged;
}

/**
 * The declared roles that need the server's details to be compared: each that has a custom role of
 * its name on the server. (The role list carries neither the permissions nor the scopes.)
 */
export function rolesToRead(listed: ListedRole[], declared: DeclaredRole[]): ListedRole[] {
	const byName = new Map(listed.map((r) => [key(r.name), r]));
	return declared.map((d) => byName.get(key(d.spec.name))).filter((r): r is ListedRole => r !== undefined);
}

/**
 * The role steps. `listed` holds the server's custom roles only; `details` the details of those
 * `rolesToRead` named; `declared` holds each name once and only names the scope selects.
 */
export function planRoles(listed: ListedRole[], details: ReadonlyMap<string, CustomRole>, declared: DeclaredRole[], scope: RoleSyncScope): RoleStep[] {
	const selects = roleScopeSelector(scope);
	const byName = new Map(listed.map((r) => [key(r.name), r]));
	const declaredNames = new Set(declared.map((d) => key(d.spec.name)));
	const steps: RoleStep[] = [];
	for (const { index, spec } of declared) {
		const server = byName.get(key(spec.name));
		if (!server) {
			steps.push({ action: 'create', name: spec.name, index, declared: spec, send: spec, changes: declaredFields(spec), reason: 'declared, not on the server' });
			continue;
		}
		const actual = details.get(key(server.id));
		if (!actual) throw new Error(`the details of the custom role ${server.name} were not read`);
		const changes = roleChanges(spec, actual);
		const base = { name: spec.name, index, declared: spec, listed: server, actual };
		if (changes.length === 0) steps.push({ ...base, action: 'unchanged', changes, reason: 'already as declared' });
		else steps.push({ ...base, action: 'update', send: updateBody(spec, actual), changes, reason: `differs in ${changes.join(', ')}` });
	}
	for (const server of listed) {
		if (!selects(server.name) || declaredNames.has(key(server.name))) continue;
		steps.push({ action: 'delete', name: server.name, listed: server, changes: [], reason: 'in the role scope, not declared' });
	}
	return steps.sort((a, b) => ORDER[a.action] - ORDER[b.action] || key(a.name).localeCompare(key(b.name)));
}

/**
 * Marks each delete whose role someone would still hold after the user steps (`holdersAfter`: the
 * names of the users and groups holding the role with this ID once they are done).
 */
export function markHeldDeletes(steps: RoleStep[], holdersAfter: (roleId: string) => string[]): void {
	for (const step of steps) {
		if (step.action !== 'delete' || !step.listed) continue;
		const holders = holdersAfter(step.listed.id);
		if (holders.length) step.heldBy = holders;
	}
}

/** The sentence for a delete that users would still hold: names the field, the role and the users. */
export function heldDeleteProblem(step: RoleStep): string {
	const users = step.heldBy ?? [];
	return `the custom role "${step.name}" is not declared, so the sync would delete it, but ${users.join(', ')} ${users.length > 1 ? 'hold' : 'holds'} it and ${users.length > 1 ? 'are' : 'is'} not moved off it by this sync`;
}

/** A value as canonical JSON (keys sorted), so equal roles give equal text. */
function canonical(value: unknown): string {
	if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
	if (value !== null && typeof value === 'object') {
		const obj = value as Record<string, unknown>;
		return `{${Object.keys(obj)
			.filter((k) => obj[k] !== undefined)
			.sort()
			.map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
			.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'null';
}

/**
 * What the plan id covers of the role steps, one text each: the action, the role's name, the
 * server's id of an existing role, the whole body sent and the fields that differ. A changed role
 * definition (any field, scopes included) changes the body and so the plan id.
 */
export function roleFingerprintParts(steps: RoleStep[]): string[] {
	return steps
		.filter((s) => s.action !== 'unchanged')
		.map((s) => canonical(['role', s.action, key(s.name), s.listed ? key(s.listed.id) : null, s.send ?? null, [...s.changes].sort()]))
		.sort();
}

/** SHA-256 of the users' and the roles' parts of a plan. */
export function combinedPlanId(userParts: string[], roleParts: string[]): string {
	return createHash('sha256').update(JSON.stringify([userParts, roleParts])).digest('hex');
}

/** Apply order: role creates and updates first (users may be given them), deletes after the user steps. */
export function rolePhase(step: RoleStep): 'before' | 'after' | 'none' {
	if (step.action === 'create' || step.action === 'update') return 'before';
	return step.action === 'delete' ? 'after' : 'none';
}
