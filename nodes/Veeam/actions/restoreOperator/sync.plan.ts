/**
 * Restore Operator → Sync, the pure part: the operators of the roles in scope and the list, as the
 * common plan (user/sync.plan.ts `planSync`: role scope, safety limit, plan id) sees users; then the
 * plan's steps turned into one batch of adds and one of removals per role that changes (VB365 adds
 * and removes several operators of a role in one call each). No I/O here.
 *
 * Each principal (a user or group, by kind and ID) is one "user" of the common plan, holding the
 * roles in scope that name it; the list's operators are the desired users, each with the union of
 * their rows' roles. A principal no role in scope names yet is the plan's `create` (here: `add`).
 */
import type { VeeamRole, VeeamUser } from '../../../../client/adapters';
import type { Vb365Operator, Vb365Organization, Vb365Principal, Vb365Role } from '../../../../client/vb365Model';
import { planSync, type DesiredUser, type SafetyLimit, type SyncPlan, type SyncStep } from '../user/sync.plan';
import { principalKey } from './sync.read';

/** The operators of the roles in scope, as read: role ID → operators. */
export type OperatorsByRole = Map<string, Vb365Operator[]>;

/** What the list asks for one principal: its rows (items) and the roles they name. */
export interface WantedOperator {
	principal: Vb365Principal;
	items: number[];
	roles: Vb365Role[];
}

/** One role's changes: principals to add, operator IDs to remove, and the plan steps they come from. */
export interface RoleChange {
	role: Vb365Role;
	add: Vb365Principal[];
	remove: string[];
	/** The role's operators as read for the plan (the client then needs no read before its change). */
	current: Vb365Operator[];
	/** Indexes into the plan's steps. */
	steps: number[];
}

export interface OperatorPlan {
	plan: SyncPlan;
	/** Per step: the principal it is about. */
	principals: Vb365Principal[];
	/** Per step: the input items that name it (none for an operator the list leaves out). */
	items: number[][];
	changes: RoleChange[];
}

const asRole = (r: Vb365Role): VeeamRole => ({ id: r.id, name: r.name });

/** The principals the roles in scope name, each with those roles and, per role, its operator IDs there. */
export function presentOperators(inScope: Vb365Role[], operators: OperatorsByRole): Map<string, { principal: Vb365Principal; roles: Vb365Role[]; operatorIds: Map<string, string[]> }> {
	const present = new Map<string, { principal: Vb365Principal; roles: Vb365Role[]; operatorIds: Map<string, string[]> }>();
	for (const role of inScope) {
		for (const operator of operators.get(role.id) ?? []) {
			const key = principalKey(operator);
			const entry = present.get(key) ?? { principal: principalOf(operator), roles: [], operatorIds: new Map<string, string[]>() };
			if (!entry.operatorIds.has(role.id)) entry.roles.push(role);
			// A role naming a principal twice: both entries go when it is removed.
			entry.operatorIds.set(role.id, [...(entry.operatorIds.get(role.id) ?? []), operator.operatorId]);
			present.set(key, entry);
		}
	}
	return present;
}

function principalOf(o: Vb365Principal): Vb365Principal {
	return {
		id: o.id,
		kind: o.kind,
		name: o.name,
		displayName: o.displayName,
		...(o.subtype !== undefined ? { subtype: o.subtype } : {}),
		...(o.onPremisesSid !== undefined ? { onPremisesSid: o.onPremisesSid } : {}),
	};
}

/** The rows merged per principal: the same operator in several rows holds the union of their roles. */
export function wantedOperators(rows: Array<{ item: number; roles: Vb365Role[] }>, resolved: Map<number, Vb365Principal>): WantedOperator[] {
	const wanted = new Map<string, WantedOperator>();
	for (const row of rows) {
		const principal = resolved.get(row.item);
		if (!principal) continue;
		const key = principalKey(principal);
		const entry = wanted.get(key) ?? { principal: principalOf(principal), items: [], roles: [] };
		entry.items.push(row.item);
		for (const role of row.roles) if (!entry.roles.some((r) => r.id === role.id)) entry.roles.push(role);
		wanted.set(key, entry);
	}
	return [...wanted.values()];
}

/** The plan: the common one over principals, then its steps as batches per role. */
export function planOperators(organization: Vb365Organization, inScope: Vb365Role[], operators: OperatorsByRole, wanted: WantedOperator[], limit: SafetyLimit): OperatorPlan {
	const present = presentOperators(inScope, operators);
	const users: VeeamUser[] = [...present.entries()].map(([key, entry]) => ({
		ref: key,
		name: key,
		type: entry.principal.kind,
		roles: entry.roles.map(asRole),
		isDirectoryAccount: true,
		isGroup: entry.principal.kind === 'group',
		// The common plan leaves out users of any other organization (and puts the organization in the plan id).
		organization: { uid: organization.id },
	}));
	const desired: DesiredUser[] = wanted.map((w) => ({ item: w.items[0], name: principalKey(w.principal), roles: w.roles.map(asRole) }));
	// No operator is protected: VB365's own administrators are not restore operators.
	const plan = planSync(users, desired, { kind: 'roles', roles: inScope.map(asRole) }, () => undefined, limit, { organizationUid: organization.id });
	const byKey = new Map(wanted.map((w) => [principalKey(w.principal), w]));
	const principals = plan.steps.map((s) => byKey.get(s.name)?.principal ?? (present.get(s.name)?.principal as Vb365Principal));
	const items = plan.steps.map((s) => byKey.get(s.name)?.items ?? []);
	const rolesById = new Map(inScope.map((r) => [r.id, r]));
	const changes = new Map<string, RoleChange>();
	const changeOf = (roleId: string): RoleChange => {
		const change = changes.get(roleId) ?? { role: rolesById.get(roleId) as Vb365Role, add: [], remove: [], current: operators.get(roleId) ?? [], steps: [] };
		changes.set(roleId, change);
		return change;
	};
	for (const [index, step] of plan.steps.entries()) {
		const { added, removed } = roleDelta(step);
		for (const roleId of added) {
			const change = changeOf(roleId);
			change.add.push(principals[index]);
			change.steps.push(index);
		}
		for (const roleId of removed) {
			const change = changeOf(roleId);
			change.remove.push(...(present.get(step.name)?.operatorIds.get(roleId) ?? []));
			change.steps.push(index);
		}
	}
	// In the order of the organization's roles, so that runs are alike.
	const ordered = inScope.flatMap((r) => (changes.has(r.id) ? [changes.get(r.id) as RoleChange] : []));
	return { plan, principals, items, changes: ordered };
}

/** The role IDs a step adds its principal to and removes it from. */
export function roleDelta(step: Pick<SyncStep, 'rolesBefore' | 'rolesAfter'>): { added: string[]; removed: string[] } {
	const before = new Set(step.rolesBefore.map((r) => r.id));
	const after = new Set(step.rolesAfter.map((r) => r.id));
	return { added: [...after].filter((id) => !before.has(id)), removed: [...before].filter((id) => !after.has(id)) };
}
