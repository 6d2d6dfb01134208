/**
 * Restore Operator → Access Report, the pure part: from the roles (each with its operators, selected
 * and excluded items as read), per operator what they may restore, and the flags. No I/O here.
 *
 * Veeam's meaning of a role's scope (RESTRbacRole.roleType, vb365_rest_v8; docs/vbo365/rest
 * post_organizations_id_rbacroles.html): `EntireOrganization`: "all objects within the specified
 * Microsoft 365 organization" (v6's page: "except teams"), less its excluded items (Set-VBORbacRole
 * takes -ExcludedItems with -EntireOrganization); `SpecificObjects`: the selected items, less the
 * excluded ones. A group item stands for its members ("users, groups (group members only), sites,
 * teams, or the entire Microsoft 365 organization": docs/vbo365/guide/ssp_adding_operator_roles.html):
 * the report reads the direct members of the groups that decide (sim/contracts/vb365.md, "a person
 * in scope"), and where a nested group (nesting is not documented) or an unread group could decide,
 * it says it cannot tell rather than guess.
 */
import type { IDataObject } from 'n8n-workflow';

import { itemOutput, organizationOutput, principalOutput, roleOutput } from '../../helpers/vb365';
import type { Vb365GroupMember, Vb365Item, Vb365Operator, Vb365Organization, Vb365Principal, Vb365Role } from '../../../../client/vb365Model';

export const REPORT_FLAGS = {
	ownDataInScope: "is in the scope of a role they hold: they can restore their own data (a group: each member their own)",
	ownDataMaybeInScope:
		'may be in the scope of a role they hold through a group in its scope (or out of it through an excluded group): the group members were not read, or a group has nested groups, so the report cannot tell',
	wholeOrganization: 'holds a role scoped to the entire organization: they can restore every mailbox, OneDrive and site of it',
	roleWithoutOperator: 'a role no operator holds: nobody can use it (a leftover, or a role whose operators were all removed)',
} as const;
export type ReportFlag = keyof typeof REPORT_FLAGS;

/**
 * Where group members come from: `GET …/Groups/{groupId}/Members` with Veeam's default `dataSource`
 * (PreferLocal: "from either the organization cache database if organization objects are already
 * synchronized", vb365_rest_v8): what VB365 last synchronized, not necessarily Microsoft 365 now.
 */
export const GROUP_MEMBERSHIP = 'as Veeam Backup for Microsoft 365 last synchronized the organization (its cache), not necessarily Microsoft 365 now';

export type SelfScope = 'yes' | 'no' | 'cannotTell';

const lower = (s: string) => s.toLowerCase();
const itemKey = (i: Pick<Vb365Item, 'kind' | 'id'>) => `${i.kind}:${lower(i.id)}`;
/** The item types of Veeam's REST schema (`RESTRbacItemType`); any other is shown as sent and decides nothing for sure. */
const KNOWN_KINDS: ReadonlySet<string> = new Set(['user', 'group', 'site', 'team']);

/**
 * Whether a principal is a member of a group (`Vb365Access.groupMembers`, no member ID in Veeam's
 * schema: matched by `login` against the user's e-mail / UPN or the group's name). `cannotTell`
 * when the members were not read, or the group has nested groups (or members of an unknown type)
 * the principal is not directly among, or a member of the principal's display name whose login
 * differs (a UPN other than the e-mail address).
 */
export interface Membership {
	(principal: Who, organizationId: string, groupId: string): SelfScope;
	/** The members of a group as read (undefined: not read). */
	lists?: MemberLists;
}
export type MemberLists = (organizationId: string, groupId: string) => Vb365GroupMember[] | undefined;
type Who = Pick<Vb365Principal, 'kind' | 'id' | 'name' | 'displayName'>;

/** Membership from the members as read. */
export function membershipOf(members: MemberLists): Membership {
	const memberOf = (principal: Who, organizationId: string, groupId: string): SelfScope => {
		const list = members(organizationId, groupId);
		if (!list || principal.name === '') return 'cannotTell';
		const type = (m: Vb365GroupMember) => lower(m.type ?? 'unknown');
		const fits = (m: Vb365GroupMember) => type(m) === 'unknown' || type(m) === principal.kind;
		if (list.some((m) => fits(m) && lower(m.login) === lower(principal.name))) return 'yes';
		// The login may be a UPN other than the e-mail the role shows: a member of the same display name may be them.
		const sameName = principal.displayName !== '' && list.some((m) => fits(m) && lower(m.name) === lower(principal.displayName));
		return sameName || list.some((m) => type(m) !== 'user') ? 'cannotTell' : 'no';
	};
	return Object.assign(memberOf, { lists: members });
}

const NOT_READ: Membership = () => 'cannotTell';

/** `yes` if any is yes, else `cannotTell` if any is, else `no`. */
function any(values: SelfScope[]): SelfScope {
	return values.includes('yes') ? 'yes' : values.includes('cannotTell') ? 'cannotTell' : 'no';
}

/**
 * Whether `principal` is in the scope of `role` by Veeam's rules above, and the groups that put it
 * there: excluded directly or through an excluded group it is in: no; else the entire organization,
 * selected directly or through a selected group it is in: yes; a group that may decide: cannotTell.
 */
function ownScope(principal: Who, role: Vb365Role, memberOf: Membership): { scope: SelfScope; through: Vb365Item[] } {
	const own = itemKey(principal);
	const excluded = role.excluded ?? [];
	const selected = role.selected ?? [];
	const groupsIn = (items: Vb365Item[]) => items.filter((i) => i.kind === 'group' && itemKey(i) !== own).map((g) => ({ g, m: memberOf(principal, role.organizationId, g.id) }));
	// An item of a type Veeam's REST schema does not name (e.g. made in PowerShell): it may cover anyone.
	const unknown = (items: Vb365Item[]): SelfScope[] => (items.some((i) => !KNOWN_KINDS.has(i.kind)) ? ['cannotTell'] : []);
	if (excluded.some((i) => itemKey(i) === own)) return { scope: 'no', through: [] };
	const out = any([...groupsIn(excluded).map((x) => x.m), ...unknown(excluded)]);
	if (out === 'yes') return { scope: 'no', through: [] };
	let inScope: SelfScope;
	let through: Vb365Item[] = [];
	if (role.roleType === 'EntireOrganization' || selected.some((i) => itemKey(i) === own)) inScope = 'yes';
	else {
		const viaGroups = groupsIn(selected);
		through = viaGroups.filter((x) => x.m === 'yes').map((x) => x.g);
		inScope = role.roleType === undefined && through.length === 0 ? 'cannotTell' : any([...viaGroups.map((x) => x.m), ...unknown(selected)]);
	}
	if (inScope === 'no') return { scope: 'no', through: [] };
	return { scope: inScope === 'yes' && out === 'no' ? 'yes' : 'cannotTell', through };
}

/**
 * As ownScope; for a group operator also its members, who are operators too ("Such users or groups
 * become restore operators": a member in the scope can restore their own data). `members`: the
 * selected users, or selected groups sharing members with the operator, that put one there.
 */
export function selfScope(principal: Who, role: Vb365Role, memberOf: Membership = NOT_READ): { scope: SelfScope; through: Vb365Item[]; members: Vb365Item[] } {
	const base = ownScope(principal, role, memberOf);
	if (base.scope === 'yes' || role.roleType === 'EntireOrganization') return { ...base, members: [] };
	// Their own OneDrive selected: their own data too (review R-S2), whatever the user item says.
	const site = personalSiteScope(principal, role);
	const through = [...base.through, ...site.through];
	if (principal.kind !== 'group') return { scope: any([base.scope, site.scope]), through, members: [] };
	const viaMembers = memberScopes(principal, role, memberOf);
	return { scope: any([base.scope, site.scope, ...viaMembers.map((x) => x.m)]), through, members: viaMembers.filter((x) => x.m === 'yes').map((x) => x.item) };
}

/**
 * Whether a role selects the operator's own OneDrive: a personal site (`isPersonal`, or a URL with
 * `/personal/` where the server does not say) whose URL ends in Microsoft's form of the user's UPN
 * (`/personal/<upn with "@" and "." as "_">`): yes; one titled with their display name (a UPN other
 * than the e-mail shown), or any for a group operator (a member's): cannot tell.
 */
function personalSiteScope(principal: Who, role: Vb365Role): { scope: SelfScope; through: Vb365Item[] } {
	const out = new Set((role.excluded ?? []).map(itemKey));
	const personal = (role.selected ?? []).filter((i) => i.kind === 'site' && !out.has(itemKey(i)) && (i.isPersonal === true || (i.isPersonal === undefined && lower(i.url ?? i.name).includes('/personal/'))));
	if (personal.length === 0) return { scope: 'no', through: [] };
	if (principal.kind === 'group' || principal.name === '') return { scope: 'cannotTell', through: [] };
	const segments = [lower(principal.name).replace(/[@.]/g, '_'), lower(principal.name).replace(/[^a-z0-9]/g, '_')].map((x) => `/personal/${x}`);
	const path = (i: Vb365Item) => lower(i.url ?? i.name).replace(/\/+$/, '');
	const own = personal.filter((i) => segments.some((seg) => path(i).endsWith(seg)));
	if (own.length) return { scope: 'yes', through: own };
	const titled = principal.displayName !== '' && personal.some((i) => lower(i.displayName) === lower(principal.displayName));
	return { scope: titled ? 'cannotTell' : 'no', through: [] };
}

/** For a group operator: each selected user or group of the role that may put one of its members in scope. */
function memberScopes(group: Who, role: Vb365Role, memberOf: Membership): Array<{ item: Vb365Item; m: SelfScope }> {
	const own = itemKey(group);
	const org = role.organizationId;
	const selected = (role.selected ?? []).filter((i) => itemKey(i) !== own);
	const users = selected.filter((i) => i.kind === 'user').map((item) => {
		// The user in the scope (not excluded, directly or through a group) and a member of the operator group.
		const user = item as Who;
		const inScope = ownScope(user, role, memberOf).scope;
		const inGroup = memberOf(user, org, group.id);
		const m: SelfScope = inScope === 'no' || inGroup === 'no' ? 'no' : inScope === 'yes' && inGroup === 'yes' ? 'yes' : 'cannotTell';
		return { item, m };
	});
	const ours = memberOf.lists?.(org, group.id);
	const groups = selected.filter((i) => i.kind === 'group').map((item): { item: Vb365Item; m: SelfScope } => {
		const theirs = memberOf.lists?.(org, item.id);
		if (!ours || !theirs) return { item, m: 'cannotTell' };
		const logins = new Set(theirs.filter((x) => lower(x.type ?? '') === 'user').map((x) => lower(x.login)));
		const shared = ours.filter((x) => lower(x.type ?? '') === 'user' && x.login !== '' && logins.has(lower(x.login)));
		// A shared member excluded directly is out; any excluded group could take one out: cannot tell.
		const excludedNames = new Set((role.excluded ?? []).filter((i) => i.kind === 'user').map((i) => lower(i.name)));
		const left = shared.filter((x) => !excludedNames.has(lower(x.login)));
		const excludedGroups = (role.excluded ?? []).some((i) => i.kind === 'group');
		if (left.length) return { item, m: excludedGroups ? 'cannotTell' : 'yes' };
		const nested = [...ours, ...theirs].some((x) => lower(x.type ?? 'unknown') !== 'user');
		return { item, m: nested ? 'cannotTell' : 'no' };
	});
	return [...users, ...groups];
}

/** The groups whose members decide `selfScope` of an operator in a role (read them to tell). */
export function groupsToRead(principal: Who, role: Vb365Role): Vb365Item[] {
	if (selfScope(principal, role).scope !== 'cannotTell') return [];
	const own = itemKey(principal);
	const groups = (items: Vb365Item[] | undefined) => (items ?? []).filter((i) => i.kind === 'group' && itemKey(i) !== own);
	// In scope directly: only an excluded group can take them out of it.
	const direct = role.roleType === 'EntireOrganization' || (role.selected ?? []).some((i) => itemKey(i) === own);
	const decide = direct ? groups(role.excluded) : [...groups(role.selected), ...groups(role.excluded)];
	// A group operator: its own members, against the users and groups the role selects.
	const selectsPeople = (role.selected ?? []).some((i) => (i.kind === 'user' || i.kind === 'group') && itemKey(i) !== own);
	if (principal.kind === 'group' && !direct && selectsPeople) decide.unshift({ kind: 'group', id: principal.id, name: principal.name, displayName: principal.displayName });
	return decide;
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
	/** Group members as read (absent: none read). */
	memberOf?: Membership;
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
		(a, b) =>
			(organizationOf(a.organizationId)?.name ?? a.organizationId).localeCompare(organizationOf(b.organizationId)?.name ?? b.organizationId) ||
			lower(a.principal.name || a.principal.displayName).localeCompare(lower(b.principal.name || b.principal.displayName)),
	);
	for (const { principal, organizationId, roles } of entries) {
		const selves = roles.map((r) => selfScope(principal, r, data.memberOf));
		const scopes = selves.map((x) => x.scope);
		const flags: ReportFlag[] = [];
		if (scopes.includes('yes')) flags.push('ownDataInScope');
		else if (scopes.includes('cannotTell')) flags.push('ownDataMaybeInScope');
		const whole = roles.some((r) => r.roleType === 'EntireOrganization');
		if (whole) flags.push('wholeOrganization');
		for (const f of flags) counts[f]++;
		if (flags.length) flagged++;
		if (flaggedOnly && flags.length === 0) continue;
		const organization = organizationOf(organizationId);
		rows.push({
			object: 'operator',
			operator: principalOutput(principal),
			organization: organization ? organizationOutput(organization) : { id: organizationId },
			roles: roles.map((r, n) => ({
				id: r.id,
				name: r.name,
				scope: scopeName(r),
				ownDataInScope: scopes[n] === 'yes' ? true : scopes[n] === 'cannotTell' ? null : false,
				...(selves[n].through.length ? { inScopeThrough: selves[n].through.map(itemOutput) } : {}),
				...(selves[n].members.length ? { membersInScopeThrough: selves[n].members.map(itemOutput) } : {}),
				...(data.memberOf && groupsToRead(principal, r).length ? { groupMembership: GROUP_MEMBERSHIP } : {}),
				selectedItems: r.roleType === 'EntireOrganization' ? [] : (r.selected ?? []).map(itemOutput),
				excludedItems: (r.excluded ?? []).map(itemOutput),
			})),
			mayRestore: mayRestore(roles),
			wholeOrganization: whole,
			// null: a group decides that the report cannot read to the end (nested, or not read).
			ownDataInScope: scopes.includes('yes') ? true : scopes.includes('cannotTell') ? null : false,
			flagged: flags.length > 0,
			flags,
			why: flags.map((f) => REPORT_FLAGS[f]),
		});
	}
	for (const role of data.roles.filter((r) => (r.operators ?? []).length === 0)) {
		counts.roleWithoutOperator++;
		flagged++;
		const shown = roleOutput(role, data.organizations);
		delete shown.operators;
		rows.push({ object: 'role', ...shown, scope: scopeName(role), flagged: true, flags: ['roleWithoutOperator'], why: [REPORT_FLAGS.roleWithoutOperator] });
	}
	const principals = [...byOperator.values()].map((e) => e.principal);
	return { rows, counts, operators: principals.length, users: principals.filter((p) => p.kind === 'user').length, groups: principals.filter((p) => p.kind === 'group').length, flagged };
}
