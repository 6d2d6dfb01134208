/**
 * User → Get Many on Veeam Service Provider Console: the users of every organization this account
 * sees (the provider, its resellers, their companies), or of the companies named, filtered by role,
 * status, MFA policy and name. The adapter sends what the server can filter by and checks the
 * answers; the node checks every user it outputs against the filter once more, so a filter the user
 * asked for holds whatever the server does with it.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory, UserFilter, VeeamUser } from '../../../../client/adapters';
import { namePatternTest } from '../../../../client/adapters/userFilter';
import { checkText, inputError } from '../../helpers/input';
import { findVspcRole, mfaRequired, resolveOrganizations, splitList, VSPC_ROLES, vspcAccess, vspcRoleOptions, vspcUserOutput } from '../../helpers/vspc';

export const vspcFilters: INodeProperties = {
	displayName: 'Filters',
	name: 'filters',
	type: 'collection',
	placeholder: 'Add Filter',
	default: {},
	displayOptions: { show: { product: ['vspc'] } },
	options: [
		{
			displayName: 'Companies',
			name: 'companies',
			type: 'string',
			default: '',
			placeholder: 'e.g. Delta Logistics, Northwind Partners',
			description:
				'Only users of these organizations: companies, resellers or the provider, each by its name as VSPC shows it (any case) or its UID, separated by commas. Without it: every organization this account sees.',
		},
		{
			displayName: 'MFA Policy',
			name: 'mfaPolicy',
			type: 'options',
			default: 'required',
			options: [
				{ name: 'Required', value: 'required', description: 'MFA required of the user, set on it or by its organization (Enabled, EnabledByInheritance)' },
				{ name: 'Not Required', value: 'notRequired', description: 'MFA not required of the user' },
			],
		},
		{
			displayName: 'Name Pattern',
			name: 'namePattern',
			type: 'string',
			default: '',
			placeholder: 'e.g. jane or *.ops',
			description:
				'Text the user name contains, case-insensitive. With * (any text) or ? (one character) it matches the whole name instead: *.ops is every name ending in .ops.',
		},
		{
			displayName: 'Role',
			name: 'role',
			type: 'options',
			default: 'CompanyAdministrator',
			options: vspcRoleOptions(),
			description: 'Only users holding this role',
		},
		{
			displayName: 'Status',
			name: 'status',
			type: 'options',
			default: 'Enabled',
			options: [
				{ name: 'Enabled', value: 'Enabled' },
				{ name: 'Disabled', value: 'Disabled' },
			],
			description: 'Only enabled or only disabled users',
		},
	],
};

const STATUSES = ['Enabled', 'Disabled'];

/** The filter of item `i` (the organizations named are looked up: one read per execution). */
export async function readVspcFilter(ctx: IExecuteFunctions, i: number, directory: UserDirectory): Promise<UserFilter> {
	const raw = ctx.getNodeParameter('filters', i, {}) as IDataObject;
	const filter: UserFilter = {};
	const namePattern = checkText(ctx, i, 'Name Pattern', raw.namePattern, false);
	if (namePattern) filter.namePattern = namePattern;
	const role = checkText(ctx, i, 'Role', raw.role, false);
	if (role) {
		const known = findVspcRole(role);
		if (!known) throw inputError(ctx, i, 'Role', `"${role}" is not a Veeam Service Provider Console role`, `Roles: ${VSPC_ROLES.map((r) => r.name).join(', ')}.`);
		filter.roleId = known.id;
	}
	const status = checkText(ctx, i, 'Status', raw.status, false);
	if (status) {
		const known = STATUSES.find((s) => s.toLowerCase() === status.toLowerCase());
		if (!known) throw inputError(ctx, i, 'Status', `"${status}" is not one of ${STATUSES.join(', ')}`);
		filter.status = known;
	}
	const mfa = checkText(ctx, i, 'MFA Policy', raw.mfaPolicy, false);
	if (mfa) {
		if (!['required', 'notrequired'].includes(mfa.toLowerCase())) throw inputError(ctx, i, 'MFA Policy', `"${mfa}" is not one of required, notRequired`);
		filter.mfaEnabled = mfa.toLowerCase() === 'required';
	}
	const companies = splitList(ctx, i, 'Companies', raw.companies);
	if (raw.companies !== undefined && companies.length === 0) throw inputError(ctx, i, 'Companies', 'is empty', 'Give one or more names or UIDs, or remove the filter to list every organization.');
	if (companies.length) {
		const orgs = await resolveOrganizations(ctx, i, vspcAccess(ctx, directory, i), companies, 'Companies');
		filter.organizationUids = orgs.map((o) => o.uid);
	}
	return filter;
}

/** The filter as a test of one user, with the meaning the node documents. */
export function vspcFilterTest(directory: UserDirectory, filter: UserFilter): (user: VeeamUser) => boolean {
	const name = filter.namePattern ? namePatternTest(filter.namePattern, directory.namePatternKind) : undefined;
	const orgs = filter.organizationUids ? new Set(filter.organizationUids.map((u) => u.toLowerCase())) : undefined;
	return (u) =>
		(!name || name(u.name)) &&
		(!filter.roleId || u.roles.some((r) => r.id.toLowerCase() === filter.roleId?.toLowerCase())) &&
		(!filter.status || (u.status ?? '').toLowerCase() === filter.status.toLowerCase()) &&
		(filter.mfaEnabled === undefined || (u.mfaPolicy !== undefined && mfaRequired(u) === filter.mfaEnabled)) &&
		(!orgs || (u.organization !== undefined && orgs.has(u.organization.uid.toLowerCase())));
}

export async function listVspcUsers(ctx: IExecuteFunctions, directory: UserDirectory, filter: UserFilter, limit: number | undefined, i: number): Promise<IDataObject[]> {
	const access = vspcAccess(ctx, directory, i);
	const users = (await directory.listUsers(filter, limit)).filter(vspcFilterTest(directory, filter));
	const outputs: IDataObject[] = [];
	for (const user of users) outputs.push(await vspcUserOutput(access, user));
	return outputs;
}
