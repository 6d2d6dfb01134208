/**
 * Restore Operator → Access Report (Veeam Backup for Microsoft 365): per operator of every
 * organization (or one), what they may restore, with flags (accessReport.scope.ts); one item per
 * role no operator holds; a summary. Read-only. docs/sync.md.
 *
 * Requests: the organizations (once), the role list (one for all organizations, or the
 * organization's), and per role its operators and excluded items, and its selected items unless it
 * is scoped to the entire organization, then the direct members of each group that decides whether
 * an operator is in their own role's scope (Read Group Members; Concurrency at once). Any failed read fails the report:
 * never a partial picture taken for the whole.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { runPool } from '../../../../client/pool';
import type { Vb365Access, Vb365GroupMember, Vb365Organization, Vb365Role } from '../../../../client/vb365Model';
import { checkBoolean } from '../../helpers/input';
import { organizationOutput, readOrganizationScope } from '../../helpers/vb365';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { concurrencyField } from '../common.descriptions';
import { readConcurrency } from '../runItems';
import { buildReport, GROUP_MEMBERSHIP, groupsToRead, membershipOf, REPORT_FLAGS, type Membership, type Report } from './accessReport.scope';
import { organizationScopeField, scopedOrganizationLocator } from './fields';
import { vb365AccessOf } from './sync.read';

const properties: INodeProperties[] = [
	organizationScopeField,
	scopedOrganizationLocator,
	{
		displayName: 'Options',
		name: 'accessReportOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				...concurrencyField,
				description: 'How many reads are sent to the server at the same time (1 to 16). When Veeam asks to slow down, all wait.',
			},
			{
				displayName: 'Flagged Only',
				name: 'flaggedOnly',
				type: 'boolean',
				default: false,
				description: 'Whether to output only operators and roles with at least one flag (the summary still counts everyone)',
			},
			{
				displayName: 'Read Group Members',
				name: 'readGroupMembers',
				type: 'boolean',
				default: true,
				description:
					"Whether to read the members of the groups that decide whether an operator is in their own role's scope (one read per such group). Off: such operators are flagged as cannot tell.",
			},
			{
				displayName: 'Include Summary Item',
				name: 'includeSummary',
				type: 'boolean',
				default: true,
				description: 'Whether to end the output with one item that counts operators, roles and flags, e.g. for a chat message',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['restoreOperator'], operation: ['accessReport'] } }, properties);

export const batch = true;

interface ReportParams {
	/** Undefined: every organization. */
	organization?: Vb365Organization;
	flaggedOnly: boolean;
	includeSummary: boolean;
	readGroupMembers: boolean;
	concurrency: number;
}

export async function prepare(this: IExecuteFunctions, _itemCount: number, directory: UserDirectory): Promise<ReportParams> {
	const access = vb365AccessOf(this, directory);
	const options = this.getNodeParameter('accessReportOptions', 0, {}) as IDataObject;
	return {
		organization: await readOrganizationScope(this, 0, access),
		flaggedOnly: checkBoolean(this, 0, 'Flagged Only', options.flaggedOnly, false),
		includeSummary: checkBoolean(this, 0, 'Include Summary Item', options.includeSummary, true),
		readGroupMembers: checkBoolean(this, 0, 'Read Group Members', options.readGroupMembers, true),
		concurrency: readConcurrency(this, 'accessReportOptions.concurrency'),
	};
}

/** Each role with its operators, excluded and (unless entire-organization) selected items; `concurrency` reads at once, all or nothing. */
export async function readRoleDetails(access: Vb365Access, roles: Vb365Role[], concurrency: number): Promise<Vb365Role[]> {
	type Read = { role: number; what: 'operators' | 'selected' | 'excluded' };
	const reads: Read[] = roles.flatMap((role, n): Read[] => [
		{ role: n, what: 'operators' },
		...(role.roleType === 'EntireOrganization' ? [] : [{ role: n, what: 'selected' as const }]),
		{ role: n, what: 'excluded' },
	]);
	const detailed = roles.map((r) => ({ ...r }));
	const outcomes = await runPool(
		reads.length,
		async (k) => {
			const { role, what } = reads[k];
			const id = roles[role].id;
			if (what === 'operators') detailed[role].operators = await access.operators(id);
			else detailed[role][what] = await access.items(id, what);
		},
		{ concurrency, stopOnError: true },
	);
	const failed = outcomes.find((o) => o?.ok === false);
	if (failed && !failed.ok) throw failed.error;
	return detailed;
}

/** The direct members of each group that decides whether an operator is in their own role's scope: one read per group, `concurrency` at once. */
export async function readDecidingGroups(access: Vb365Access, roles: Vb365Role[], concurrency: number): Promise<{ memberOf: Membership; read: number }> {
	const groups = new Map<string, { organizationId: string; groupId: string }>();
	for (const role of roles) {
		for (const operator of role.operators ?? []) {
			for (const group of groupsToRead(operator, role)) groups.set(`${role.organizationId}|${group.id.toLowerCase()}`, { organizationId: role.organizationId, groupId: group.id });
		}
	}
	const keys = [...groups.keys()];
	const read = new Map<string, Vb365GroupMember[]>();
	const outcomes = await runPool(
		keys.length,
		async (n) => {
			const { organizationId, groupId } = groups.get(keys[n]) as { organizationId: string; groupId: string };
			read.set(keys[n], await access.groupMembers(organizationId, groupId));
		},
		{ concurrency, stopOnError: true },
	);
	const failed = outcomes.find((o) => o?.ok === false);
	if (failed && !failed.ok) throw failed.error;
	return { memberOf: membershipOf((organizationId, groupId) => read.get(`${organizationId}|${groupId.toLowerCase()}`)), read: read.size };
}

export async function execute(this: IExecuteFunctions, p: ReportParams, directory: UserDirectory, itemCount: number): Promise<INodeExecutionData[]> {
	const access = vb365AccessOf(this, directory);
	const organizations = p.organization ? [p.organization] : await access.organizations();
	const listed = await access.roles(p.organization?.id);
	// Whatever the server sends: one organization's report holds that organization's roles only.
	const roles = p.organization ? listed.filter((r) => r.organizationId.toLowerCase() === p.organization?.id.toLowerCase()) : listed;
	const detailed = await readRoleDetails(access, roles, p.concurrency);
	const members = p.readGroupMembers ? await readDecidingGroups(access, detailed, p.concurrency) : undefined;
	const memberOf = members?.memberOf;
	const report = buildReport({ organizations: new Map(organizations.map((o) => [o.id.toLowerCase(), o])), roles: detailed, memberOf }, p.flaggedOnly);
	const rows = [...report.rows];
	if (p.includeSummary) {
		const reported = new Set(roles.map((r) => r.organizationId.toLowerCase()));
		rows.push({
			summary: true,
			organizations: p.organization ? 1 : new Set([...organizations.map((o) => o.id.toLowerCase()), ...reported]).size,
			...(p.organization ? { organization: organizationOutput(p.organization) } : {}),
			roles: roles.length,
			operators: report.operators,
			users: report.users,
			groups: report.groups,
			flagged: report.flagged,
			...report.counts,
			groupMembersRead: members?.read ?? 0,
			...(members?.read ? { groupMembership: GROUP_MEMBERSHIP } : {}),
			text: summaryText(roles.length, report) + (members?.read ? ` Group members ${GROUP_MEMBERSHIP}.` : ''),
		});
	}
	// One report for the whole input: every row comes from all input items.
	const pairedItem = Array.from({ length: itemCount }, (_, item) => ({ item }));
	return rows.map((json) => ({ json, pairedItem }));
}

function summaryText(roles: number, r: Report): string {
	const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
	const head = `${plural(r.operators, 'operator')} (${plural(r.users, 'user')}, ${plural(r.groups, 'group')}) in ${plural(roles, 'role')}; ${r.flagged} flagged`;
	const kinds = (Object.keys(REPORT_FLAGS) as Array<keyof typeof REPORT_FLAGS>).filter((f) => r.counts[f] > 0).map((f) => `${f} ${r.counts[f]}`);
	return kinds.length ? `${head}. Flags, per kind: ${kinds.join(', ')}.` : `${head}.`;
}
