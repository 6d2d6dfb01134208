/**
 * The fields the Restore Operator operations and Role on Veeam Backup for Microsoft 365 share: the
 * backed-up organization, the operator (a Microsoft 365 user or group of it), the roles of the
 * organization, and a role's scope items. Read with nodes/Veeam/helpers/vb365.ts.
 */
import type { INodeProperties } from 'n8n-workflow';

import { UUID_PATTERN } from '../../../../client/ids';

/** The backed-up Microsoft 365 organization: from the list, by name or by ID. */
export const organizationLocator: INodeProperties = {
	displayName: 'Organization',
	name: 'organization',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The Microsoft 365 organization Veeam Backup for Microsoft 365 backs up, whose restore operator roles to act on',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select an organization...',
			typeOptions: { searchListMethod: 'searchVb365Organizations', searchable: true },
		},
		{ displayName: 'By Name', name: 'name', type: 'string', placeholder: 'e.g. contoso.onmicrosoft.com' },
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 92460656-7a85-4a04-b1af-1ea903c0bc2e',
			validation: [{ type: 'regex', properties: { regex: UUID_PATTERN, errorMessage: 'Not a valid organization ID (a UUID)' } }],
		},
	],
};

/** Every organization, or one (then the Organization field shows). */
export const organizationScopeField: INodeProperties = {
	displayName: 'Organizations',
	name: 'organizationScope',
	type: 'options',
	default: 'all',
	options: [
		{ name: 'All Organizations', value: 'all', description: 'Every organization this account sees' },
		{ name: 'One Organization', value: 'one' },
	],
	description: 'Which backed-up organizations to look at',
};

/** The organization field shown when Organizations is "One Organization". */
export const scopedOrganizationLocator: INodeProperties = { ...organizationLocator, displayOptions: { show: { organizationScope: ['one'] } } };

export const operatorTypeField: INodeProperties = {
	displayName: 'Operator Type',
	name: 'operatorType',
	type: 'options',
	default: 'user',
	options: [
		{ name: 'User', value: 'user', description: 'A Microsoft 365 user of the organization' },
		{ name: 'Group', value: 'group', description: 'A Microsoft 365 group of the organization: its members are the operators' },
	],
	description: 'Whether the operator is a user or a group (a group is never taken for a user, or back)',
};

export function operatorField(description: string): INodeProperties {
	return {
		displayName: 'Operator',
		name: 'operator',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. jane.doe@contoso.com',
		description,
	};
}

/** Roles of the chosen organization, by name (IDs through an expression). */
export function restoreRolesField(description: string): INodeProperties {
	return {
		displayName: 'Role Names or IDs',
		name: 'restoreRoles',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getVb365Roles', loadOptionsDependsOn: ['organization.value'] },
		default: [],
		required: true,
		description: `${description}. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
	};
}

/** A role's scope items (users, groups, sites, teams), each found in the organization. */
export function itemsField(name: string, displayName: string, description: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'fixedCollection',
		typeOptions: { multipleValues: true },
		placeholder: 'Add Item',
		default: {},
		description,
		options: [
			{
				displayName: 'Item',
				name: 'item',
				values: [
					{
						displayName: 'Kind',
						name: 'kind',
						type: 'options',
						default: 'user',
						options: [
							{ name: 'User', value: 'user' },
							{ name: 'Group', value: 'group' },
							{ name: 'Site', value: 'site' },
							{ name: 'Team', value: 'team' },
						],
					},
					{
						displayName: 'Item',
						name: 'value',
						type: 'string',
						default: '',
						placeholder: 'e.g. jane.doe@contoso.com',
						description: 'User: e-mail address (UPN), display name or ID. Group: name, display name or ID. Site: URL, title or ID. Team: e-mail address, display name or ID.',
					},
				],
			},
		],
	};
}

export const ROLE_TYPE_OPTIONS = [
	{ name: 'Entire Organization', value: 'EntireOrganization', description: 'Operators may explore and restore the data of every object of the organization' },
	{ name: 'Specific Objects', value: 'SpecificObjects', description: 'Operators may explore and restore the data of the selected objects only' },
];
