/**
 * Restore Operator → Access Report, the pure part: from the roles (each with its operators, selected
 * and excluded items as read), per operator what they may restore, and the flags. No I/O here.
 *
 * Veeam's meaning of a role's scope (RESTRbacRole.roleType, vb365_rest_v8; docs/vbo365/rest
 * post_organizations_id_rbacroles.html): `EntireOrganization`: "all objects within the specified
 * Microsoft 365 organization" (v6's page: "except teams"), less its excluded items (Set-VBORbacRole
 * takes -ExcludedItems with -EntireOrganization); `SpecificObjects`: the selected items, less the
 * excluded ones. What is in scope of a group item depends on the group's members, which this report
 * does not read: where only a group could put an operator in their own role's scope (or take them
 * out of it), the report says it cannot tell rather than guess.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Vb365Item, Vb365Operator, Vb365Organization, Vb365Principal, Vb365Role } from '../../../../client/vb365Model';

export const REPORT_FLAGS = {
	ownDataInScope: "is in the scope of a role they hold: they can restore their own data (a group: each member their own)",
	ownDataMaybeInScope: 'may be in the scope of a role they hold through a group in its scope (or out of it through an excluded group): the report does not read group members, so it cannot tell',
	wholeOrganization: 'holds a role scoped to the entire organization: they can restore every mailbox, OneDrive and site of it',
	roleWithoutOperator: 'a role no operator holds: nobody can use it (a leftover, or a role whose operators were all removed)',
} as const;
export type ReportFlag = keyof typeof REPORT_FLAGS;

type SelfScope = 'yes' | 'no' | 'cannotTell';

const lower = (s: string) => s.toLowerCase();
const itemKey = (i: Pick<Vb365Item, 'kind' | 'id'>) => `${i.kind}:${lower(i.id)}`;

/** An item as the report shows it: what it is and what people call it (no list-entry ID, nothing else). */
export function itemOutput(item: Vb365Item): IDataObject {
	return {
		type: item.kind,
		id: item.id,
		name: item.name,
		displayName: item.displayName,
		...(item.url !== undefined ? { url: item.url } : {}),
		...(item.isPersonal !== undefined ? { isPersonal: item.isPersonal } : {}),
	};
}

/** Whether `principal` is in the scope of `role` by Veeam's rules above. */
export function selfScope(principal: Pick<Vb365Principal, 'kind' | 'id'>, role: Vb365Role): SelfScope {
	const own = itemKey(principal);
	const excluded = role.excluded ?? [];
	const selected = role.selected ?? [];
	if (excluded.some((i) => itemKey(i) === own)) return 'no';
	const excludedGroups = excluded.some((i) => i.kind === 'group');
	if (role.roleType === 'EntireOrganization' || selected.some((i) => itemKey(i) === own)) return excludedGroups ? 'cannotTell' : 'yes';
	if (role.roleType === undefined || selected.some((i) => i.kind === 'group')) return 'cannotTell';
	return 'no';
}

function scopeName(role: Vb365Role): string {
	return role.roleType === 'EntireOrganization' ? 'entireOrganization' : role.roleType === 'SpecificObjects' ? 'specificObjects' : 'unknown';
}

/** What a set of roles lets an operator restore: the entire organization (less what every such role excludes) and the items. */
export function mayRestore(roles: Vb365Role[]): IDataObject {
	const entire = roles.filter((r) => r.roleType === 'EntireOrganization');
	const items = new Map<string, Vb365Item>();
	for (const role of roles.filter((r) => r.roleType !== 'EntireOrganization')) {
		const out = new Set((role.excluded ?? []).map(itemKey));
		for (const item of role.selected ?? []) if (!out.has(itemKey(item))) items.set(itemKey(item), item);
	}
	// Left out of the entire organization: what every entire-organization role excludes and no other role gives.
	const except = entire.length
		? (entire[0].excluded ?? []).filter((i) => entire.every((r) => (r.excluded ?? []).some((x) => itemKey(x) === itemKey(i))) && !items.has(itemKey(i)))
		: [];
	const unknown = roles.filter((r) => r.roleType === undefined).map((r) => r.name);
	return {
		entireOrganization: entire.length > 0,
		items: entire.length ? [] : [...items.values()].map(itemOutput),
		except: except.map(itemOutput),
		...(unknown.length ? { rolesOfUnknownScope: unknown } : {}),
	};
}

export interface ReportData {
	organizations: Map<string, Vb365Organization>;
	/** Each with `operators`, `excluded`, and (unless entire-organization) `selected` read. */
	roles: Vb365Role[];
}

export interface Report {
	rows: IDataObject[];
	counts: Record<ReportFlag, number>;
	operators: number;
	users: number;
	groups: number;
	flagged: number;
}

/** The report's rows: one per operator (per organization: a Microsoft 365 user belongs to one), then one per role without operator. */
export function buildReport(data: ReportData, flaggedOnly: boolean): Report {
	const organizationOf = (id: string) => data.organizations.get(lower(id));
	const byOperator = new Map<string, { principal: Vb365Operator; organizationId: string; roles: Vb365Role[] }>();
	for (const role of data.roles) {
		for (const operator of role.operators ?? []) {
			const key = `${lower(role.organizationId)}|${operator.kind}:${lower(operator.id)}`;
			const entry = byOperator.get(key) ?? { principal: operator, organizationId: role.organizationId, roles: [] };
			if (!entry.roles.some((r) => r.id === role.id)) entry.roles.push(role);
			byOperator.set(key, entry);
		}
	}
	const counts = Object.fromEntries(Object.keys(REPORT_FLAGS).map((f) => [f, 0])) as Record<ReportFlag, number>;
	const rows: IDataObject[] = [];
	let flagged = 0;
	const entries = [...byOperator.values()].sort(
		(a, b) => (organizationOf(a.organizationId)?.name ?? a.organizationId).localeCompare(organizationOf(b.organizationId)?.name ?? b.organizationId) || lower(a.principal.name || a.principal.displayName).localeCompare(lower(b.principal.name || b.principal.displayName)),
	);
	for (const { principal, organizationId, roles } of entries) {
		const scopes = roles.map((r) => selfScope(principal, r));
		const flags: ReportFlag[] = [];
		if (scopes.includes('yes')) flags.push('ownDataInScope');
		else if (scopes.includes('cannotTell')) flags.push('ownDataMaybeInScope');
		const whole = roles.some((r) => r.roleType === 'EntireOrganization');
		if (whole) flags.push('wholeOrganization');
		for (const f of flags) counts[f]++;
		if (flags.length) flagged++;
		if (flaggedOnly && flags.length === 0) continue;
		rows.push({
			object: 'operator',
			operator: principal.name || principal.displayName,
			displayName: principal.displayName,
			operatorType: principal.kind,
			id: principal.id,
			...(principal.subtype !== undefined ? { subtype: principal.subtype } : {}),
			organization: organizationOf(organizationId)?.name ?? null,
			organizationId,
			roles: roles.map((r) => ({
				id: r.id,
				name: r.name,
				scope: scopeName(r),
				selected: r.roleType === 'EntireOrganization' ? [] : (r.selected ?? []).map(itemOutput),
				excluded: (r.excluded ?? []).map(itemOutput),
			})),
			mayRestore: mayRestore(roles),
			wholeOrganization: whole,
			// null: a group in scope decides, and the report does not read group members.
			ownDataInScope: scopes.includes('yes') ? true : scopes.includes('cannotTell') ? null : false,
			flagged: flags.length > 0,
			flags,
			why: flags.map((f) => REPORT_FLAGS[f]),
		});
	}
	for (const role of data.roles.filter((r) => (r.operators ?? []).length === 0)) {
		counts.roleWithoutOperator++;
		flagged++;
		rows.push({
			object: 'role',
			role: role.name,
			roleId: role.id,
			scope: scopeName(role),
			organization: organizationOf(role.organizationId)?.name ?? null,
			organizationId: role.organizationId,
			selected: role.roleType === 'EntireOrganization' ? [] : (role.selected ?? []).map(itemOutput),
			excluded: (role.excluded ?? []).map(itemOutput),
			flagged: true,
			flags: ['roleWithoutOperator'],
			why: [REPORT_FLAGS.roleWithoutOperator],
		});
	}
	const principals = [...byOperator.values()].map((e) => e.principal);
	return { rows, counts, operators: principals.length, users: principals.filter((p) => p.kind === 'user').length, groups: principals.filter((p) => p.kind === 'group').length, flagged };
}
