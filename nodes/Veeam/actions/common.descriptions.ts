import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { VBR_ID_PATTERN } from '../adapters/vbr';

/** A VBR user (or group): picked from a searchable list, by name or by ID. */
const vbrUserRLC: INodeProperties = {
	displayName: 'User',
	name: 'user',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	displayOptions: { show: { product: ['vbr'] } },
	description:
		'The Veeam user or group to act on. By name: the account exactly as Veeam shows it, e.g. TECH\\jane.doe. By ID: the UUID Veeam gave the user.',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a user...',
			typeOptions: {
				searchListMethod: 'searchUsers',
				searchable: true,
			},
		},
		{
			displayName: 'By Name',
			name: 'name',
			type: 'string',
			placeholder: 'e.g. TECH\\jane.doe',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '^\\s*\\S.*$',
						errorMessage: 'Enter the account name, e.g. TECH\\jane.doe',
					},
				},
			],
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 5ff0e0eb-45cf-48cc-9677-7613fc79bc11',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: VBR_ID_PATTERN,
						errorMessage: 'Not a valid Veeam user ID (a UUID)',
					},
				},
			],
		},
	],
};

/** A VBGC user: picked from a searchable list or by name (VBGC users have no ID; the name is the reference). */
const vbgcUserRLC: INodeProperties = {
	displayName: 'User',
	name: 'user',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	displayOptions: { show: { product: ['vbgc'] } },
	description: 'The Veeam Backup for Google Cloud user account to act on, by its name (e.g. jane.doe)',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a user...',
			typeOptions: {
				searchListMethod: 'searchUsers',
				searchable: true,
			},
		},
		{
			displayName: 'By Name',
			name: 'name',
			type: 'string',
			placeholder: 'e.g. jane.doe',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '^[^\\s/\\\\]{1,64}$',
						errorMessage: 'Enter the user name: 1 to 64 characters without spaces, / or \\',
					},
				},
			],
		},
	],
};

/**
 * The user an operation acts on, one locator per product: VBR users have an ID, VBGC users only a
 * name. n8n shows the one whose product is chosen; both are read as the parameter `user`.
 */
export const userLocators: INodeProperties[] = [vbrUserRLC, vbgcUserRLC];

/** A role: picked from a searchable list, by name or by ID. */
export const roleRLC: INodeProperties = {
	displayName: 'Role',
	name: 'role',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The Veeam role, e.g. Restore Operator',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a role...',
			typeOptions: {
				searchListMethod: 'searchRoles',
				searchable: true,
			},
		},
		{
			displayName: 'By Name',
			name: 'name',
			type: 'string',
			placeholder: 'e.g. Restore Operator',
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. b167c3af-2262-4b6c-9861-0606fc0cb6b1',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: VBR_ID_PATTERN,
						errorMessage: 'Not a valid Veeam role ID (a UUID)',
					},
				},
			],
		},
	],
};

/** Role names offered by the server; role IDs are accepted too (through an expression). */
export function rolesField(description: string): INodeProperties {
	return {
		displayName: 'Role Names or IDs',
		name: 'roles',
		type: 'multiOptions',
		typeOptions: {
			loadOptionsMethod: 'getRoles',
			loadOptionsDependsOn: ['product'],
		},
		default: [],
		required: true,
		description: `${description}. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
	};
}

/** The kinds of VBR account, as Veeam's `type` names them (VBGC has one kind: portal accounts). */
export const vbrUserTypeOptions: INodePropertyOptions[] = [
	{ name: 'Active Directory User', value: 'ExternalUser', description: 'A domain user account (DOMAIN\\name)' },
	{ name: 'Active Directory Group', value: 'ExternalGroup', description: 'A domain group (DOMAIN\\name); its members get the roles' },
	{ name: 'Local User', value: 'InternalUser', description: 'A local account of the backup server' },
	{ name: 'Local Group', value: 'InternalGroup', description: 'A local group of the backup server' },
];

/** Return All, and the Limit shown while it is off; read with `readLimit`. */
export const returnAllAndLimit: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		displayOptions: { show: { returnAll: [false] } },
		description: 'Max number of results to return',
	},
];

/** How many items run at once by default (measured: see the README's cost table and `npm run bench`). */
export const DEFAULT_CONCURRENCY = 4;
export const MAX_CONCURRENCY = 16;

/** The Concurrency field, for an operation's Options (`options.concurrency`). */
export const concurrencyField: INodeProperties = {
	displayName: 'Concurrency',
	name: 'concurrency',
	type: 'number',
	typeOptions: { minValue: 1, maxValue: 16, numberPrecision: 0 },
	default: 4,
	description:
		'How many items are carried out at the same time (1 to 16). Items about the same user still run one after another; the output keeps the input order. When Veeam asks to slow down, every item waits. Read from the first item.',
};

/** Options of an operation carried out item by item: only Concurrency. */
export const itemOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [concurrencyField],
};
