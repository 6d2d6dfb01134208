import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { AZURE_USER_ID_PATTERN } from '../../../client/ids';
import { VBR_ID_PATTERN } from '../../../client/adapters/vbr';
import { PRODUCT_IDS, PRODUCTS, type Product } from '../../../client/products';

/** A user picked from a searchable list, by name or by ID (products whose users have an ID: VBR, Azure). */
function idUserLocator(
	products: Product[],
	description: string,
	namePlaceholder: string,
	id: { pattern: string; error: string; placeholder: string } = { pattern: VBR_ID_PATTERN, error: 'Not a valid Veeam user ID (a UUID)', placeholder: '5ff0e0eb-45cf-48cc-9677-7613fc79bc11' },
): INodeProperties {
	return {
		displayName: 'User',
		name: 'user',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		displayOptions: { show: { product: products } },
		description,
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
				placeholder: `e.g. ${namePlaceholder}`,
				validation: [
					{
						type: 'regex',
						properties: {
							regex: '^\\s*\\S.*$',
							errorMessage: `Enter the account name, e.g. ${namePlaceholder}`,
						},
					},
				],
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: `e.g. ${id.placeholder}`,
				validation: [
					{
						type: 'regex',
						properties: {
							regex: id.pattern,
							errorMessage: id.error,
						},
					},
				],
			},
		],
	};
}

/** A user of a product that addresses users by name (VBGC, AWS: no ID, the name is the reference). */
const namedUserRLC: INodeProperties = {
	displayName: 'User',
	name: 'user',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	displayOptions: { show: { product: PRODUCT_IDS.filter((p) => p === 'vbgc' || p === 'aws') } },
	description: 'The portal user account to act on, by its name (e.g. jane.doe)',
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
 * The user an operation acts on, one locator per way of addressing users: VBR and Azure users
 * have an ID, VBGC and AWS users only a name. n8n shows the one whose product is chosen; all are
 * read as the parameter `user`.
 */
export const userLocators: INodeProperties[] = [
	idUserLocator(
		['vbr'],
		'The Veeam user or group to act on. By name: the account exactly as Veeam shows it, e.g. TECH\\jane.doe. By ID: the UUID Veeam gave the user.',
		'TECH\\jane.doe',
	),
	namedUserRLC,
	idUserLocator(
		['azure'],
		`The ${PRODUCTS.azure.name} user to act on. By name: the portal account, or the Microsoft Entra ID user principal name (e.g. jane@contoso.com). By ID: the ID Veeam gave the user (e.g. 1003).`,
		'jane@contoso.com',
		// Azure's user IDs are opaque strings (Veeam's examples: 1003, 1423): anything but blank or control characters.
		{ pattern: AZURE_USER_ID_PATTERN, error: 'Enter the user ID Veeam gave the user, e.g. 1003', placeholder: '1003' },
	),
	idUserLocator(
		['vspc'],
		`The ${PRODUCTS.vspc.name} user to act on, in any company, reseller or the provider. By name: the user's login name (e.g. jane.doe). By ID: the user's UID.`,
		'jane.doe',
		{ pattern: VBR_ID_PATTERN, error: 'Not a valid user UID (a UUID)', placeholder: '5ff0e0eb-45cf-48cc-9677-7613fc79bc11' },
	),
];

/** A role: picked from a searchable list, by name or by ID (a UUID, or on AWS and Azure the API's name of the role). */
function roleLocator(products: Product[], idPlaceholder: string, idPattern: string, idError: string): INodeProperties {
	return {
		displayName: 'Role',
		name: 'role',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		displayOptions: { show: { product: products } },
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
				placeholder: `e.g. ${idPlaceholder}`,
				validation: [{ type: 'regex', properties: { regex: idPattern, errorMessage: idError } }],
			},
		],
	};
}

/** The role locators, one per form of role ID (n8n shows the one of the chosen product; both are read as `role`). */
export const roleLocators: INodeProperties[] = [
	roleLocator(['vbr', 'vbgc'], 'b167c3af-2262-4b6c-9861-0606fc0cb6b1', VBR_ID_PATTERN, 'Not a valid Veeam role ID (a UUID)'),
	roleLocator(['aws', 'azure', 'vspc'], 'RestoreOperator', '^[A-Za-z]+$', 'Not a role ID of this product: the role as the API names it, e.g. RestoreOperator'),
];

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

/** The kinds of Azure and VBR account, as Veeam's `type` names them (VBGC has one kind: portal accounts). */
export const azureUserTypeOptions: INodePropertyOptions[] = [
	{ name: 'Portal User', value: 'Internal', description: 'An account of the appliance, with a password' },
	{ name: 'Microsoft Entra ID User', value: 'IdentityProvider', description: 'An Entra ID account that logs in through single sign-on' },
];

export const vbrUserTypeOptions: INodePropertyOptions[] = [
	{
		name: 'Windows User',
		value: 'InternalUser',
		description: 'A Windows account: Active Directory (DOMAIN\\name) or local to the backup server (SERVER\\name)',
	},
	{
		name: 'Windows Group',
		value: 'InternalGroup',
		description: 'A Windows group: Active Directory (DOMAIN\\name) or local to the backup server; its members get the roles',
	},
	{ name: 'Identity Provider (SSO) User', value: 'ExternalUser', description: 'A user of the SAML identity provider, user@suffix; logs in through single sign-on' },
	{ name: 'Identity Provider (SSO) Group', value: 'ExternalGroup', description: 'A group of the SAML identity provider, named as it sends it; its members get the roles' },
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

/** How many items run at once by default (measured: see docs/figures.md, "Cost" and `npm run bench`). */
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
