/**
 * The fields of User → Sync (Desired State): what the editor shows per product. The reading and
 * the run are in sync.operation.ts, the plan in sync.plan.ts, the apply in sync.apply.ts.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { showFor, type Product } from '../../../../client/products';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { azureUserTypeOptions, concurrencyField, rolesField, vbrUserTypeOptions } from '../common.descriptions';
import type { SafetyLimit } from './sync.plan';

/** The defaults of the Max Removals options (the descriptions repeat them: n8n wants literals there). */
export const DEFAULT_LIMIT: SafetyLimit = { maxRemovals: 10, maxRemovalPercent: 50 };

const COMMON_SCOPE_OPTIONS: INodePropertyOptions[] = [
	{ name: 'All Users', value: 'all', description: 'Every user of the server' },
	{ name: 'All Users Except Some', value: 'allExcept', description: 'Every user but those named (names or patterns)' },
	{
		name: 'Holders of Some Roles',
		value: 'roles',
		description: 'Only these roles are managed: users keep their other roles, and lose access only when they hold none',
	},
	{ name: 'Users Matching a Name Pattern', value: 'namePattern', description: 'A whole-name pattern with * and ?, for example TECH\\* or *.ops' },
];

const DOMAIN_SCOPE_OPTION: INodePropertyOptions = {
	name: 'Users of a Domain',
	value: 'domain',
	description: 'Active Directory accounts and groups named DOMAIN\\…',
};

/** VSPC: the same scopes, inside the organization the sync is about. */
const VSPC_SCOPE_OPTIONS: INodePropertyOptions[] = COMMON_SCOPE_OPTIONS.map((o) =>
	o.value === 'all' ? { ...o, description: 'Every user of the company (or of the provider\'s own staff)' } : o.value === 'namePattern' ? { ...o, description: 'A whole-name pattern with * and ?, for example ops-*' } : o,
);

/** VSPC: which organization's users the sync manages, and what a row says beyond name and role. */
const VSPC_FIELDS: INodeProperties[] = [
	{
		displayName: 'Sync Users Of',
		name: 'syncOrganization',
		type: 'options',
		default: 'company',
		displayOptions: { show: { product: ['vspc'] } },
		options: [
			{ name: 'A Company', value: 'company', description: 'The users of one company (or reseller): users of every other organization are never touched' },
			{ name: "The Provider's Own Staff", value: 'provider', description: "The users of the service provider's own organization" },
		],
		description: 'Whose users this sync manages. New users are created there.',
	},
	{
		displayName: 'Company',
		name: 'syncCompany',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Alpha Ltd or 0a093973-274b-4df8-83e2-2316dee0c9a9',
		displayOptions: { show: { product: ['vspc'], syncOrganization: ['company'] } },
		description: 'The company by its name (exact, any case) or UID',
	},
	{
		displayName: 'Email',
		name: 'profileEmail',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.email }}',
		displayOptions: { show: { product: ['vspc'] } },
		description: "The user's email address (VSPC profile). Empty: left as the server has it.",
	},
	{
		displayName: 'First Name',
		name: 'profileFirstName',
		type: 'string',
		default: '',
		displayOptions: { show: { product: ['vspc'] } },
		description: 'VSPC profile. Empty: left as the server has it.',
	},
	{
		displayName: 'Last Name',
		name: 'profileLastName',
		type: 'string',
		default: '',
		displayOptions: { show: { product: ['vspc'] } },
		description: 'VSPC profile. Empty: left as the server has it.',
	},
	{
		displayName: 'Require MFA',
		name: 'syncMfa',
		type: 'options',
		default: 'keep',
		displayOptions: { show: { product: ['vspc'] } },
		options: [
			{ name: 'Leave As Is', value: 'keep', description: "Existing users keep their MFA policy; new users get the server's default" },
			{ name: 'Required', value: 'required', description: 'The user must set up MFA at the next login' },
			{ name: 'Not Required', value: 'notRequired', description: "Not required of the user (a company's or reseller's policy still requires it)" },
		],
		description: "Whether VSPC requires multi-factor authentication of the user (the user's MFA policy)",
	},
];

function scopeField(products: Product[], options: INodePropertyOptions[]): INodeProperties {
	return {
		displayName: 'Scope',
		name: 'scope',
		type: 'options',
		default: 'namePattern',
		displayOptions: { show: { product: products } },
		options,
		description:
			'Which users of the server this sync manages. The built-in administrator and the account of the credential are never removed or demoted.',
	};
}

/** A field about the people of the sync: hidden when it manages custom roles only. */
function usersField(property: INodeProperties): INodeProperties {
	const displayOptions = property.displayOptions ?? {};
	return { ...property, displayOptions: { ...displayOptions, hide: { ...(displayOptions.hide ?? {}), manage: ['customRoles'] } } };
}

const MANAGE_FIELD: INodeProperties = {
	displayName: 'Manage',
	name: 'manage',
	type: 'options',
	default: 'users',
	options: [
		{ name: 'Users', value: 'users', description: 'Each input item is one person who should have access' },
		{
			name: 'Users and Custom Roles',
			value: 'usersAndCustomRoles',
			description: 'Veeam Backup & Replication 13.1 (REST API 1.3-rev2) only. The people (input items) and the custom roles declared in Custom Roles.',
		},
		{
			name: 'Custom Roles Only',
			value: 'customRoles',
			description: 'Veeam Backup & Replication 13.1 (REST API 1.3-rev2) only. Only the custom roles declared in Custom Roles; the input items are not people.',
		},
	],
	description: 'What this sync makes match: the users, and with VBR 13.1 also its custom roles',
};

const ROLE_FIELDS: INodeProperties[] = [
	{
		displayName: 'Custom Roles',
		name: 'customRoles',
		type: 'json',
		default: '[]',
		required: true,
		displayOptions: { show: { manage: ['usersAndCustomRoles', 'customRoles'] } },
		placeholder: "e.g. {{ $('Read roles.json').first().json.roles }}",
		description:
			'The custom roles the server should have: a JSON list of Veeam custom roles (CustomRoleSpec: name, description, manageBackups, manageRestores, and optionally inventoryScope, repositoryScope, restorePermissionsScope, restoreTargetScope), as Role → Get with details outputs them. A scope left out is left as the server has it.',
	},
	{
		displayName: 'Custom Role Scope',
		name: 'customRoleScope',
		type: 'options',
		default: 'namePattern',
		displayOptions: { show: { manage: ['usersAndCustomRoles', 'customRoles'] } },
		options: [
			{ name: 'All Custom Roles', value: 'all', description: 'Every custom role of the server: one not declared is deleted' },
			{ name: 'Custom Roles Matching a Name Pattern', value: 'namePattern', description: 'Only custom roles whose name matches the pattern' },
		],
		description: 'Which custom roles of the server this sync manages. Built-in roles are never changed or deleted.',
	},
	{
		displayName: 'Custom Role Name Pattern',
		name: 'customRoleNamePattern',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Ops-*',
		displayOptions: { show: { manage: ['usersAndCustomRoles', 'customRoles'], customRoleScope: ['namePattern'] } },
		description: 'Whole-name pattern, case-insensitive: * matches any run of characters, ? one character',
	},
];

const properties: INodeProperties[] = [
	usersField({
		displayName:
			'Each input item is one person who should have access (e.g. a row of an HR export). Users inside the scope who are not in the input lose access; users outside the scope are never touched.',
		name: 'syncNotice',
		type: 'notice',
		default: '',
	}),
	{
		displayName: 'Mode',
		name: 'syncMode',
		type: 'options',
		default: 'plan',
		options: [
			{
				name: 'Plan',
				value: 'plan',
				description: 'Output what would be done, one item per user (create, changeRoles, update on Service Provider Console, remove, unchanged, protected) and per custom role (create, update, delete, unchanged); change nothing',
			},
			{
				name: 'Apply',
				value: 'apply',
				description: 'Do it: custom roles created and updated first, then grants, then removals, then custom roles deleted; one item per step with its result',
			},
		],
		description: 'Whether to only show the changes or to make them',
	},
	MANAGE_FIELD,
	...ROLE_FIELDS,
	usersField({
		displayName: 'User Name',
		name: 'userName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.account }}',
		description:
			'The person of this item, as Veeam names users. Veeam Backup & Replication: DOMAIN\\name for Windows (Active Directory or local) accounts and groups, user@suffix for identity-provider (SSO) users. Google Cloud, AWS: the account name. Azure: the account name, or the user principal name of an Entra ID user. Service Provider Console: the login name (unique across the console).',
	}),
	...VSPC_FIELDS.slice(0, 2).map(usersField),
	usersField(rolesField('Roles the user should have')),
	...VSPC_FIELDS.slice(2).map(usersField),
	usersField({
		displayName: 'Type',
		name: 'userType',
		type: 'options',
		default: 'InternalUser',
		displayOptions: { show: { product: ['vbr'] } },
		options: vbrUserTypeOptions,
		description: 'What kind of account a user created by the sync is (existing users keep theirs)',
	}),
	usersField({
		displayName: 'Type',
		name: 'userType',
		type: 'options',
		default: 'Internal',
		displayOptions: { show: { product: ['azure'] } },
		options: azureUserTypeOptions,
		description: 'What kind of account a user created by the sync is (existing users keep theirs)',
	}),
	usersField({
		displayName: 'Entra Object ID',
		name: 'identityProviderEntityId',
		type: 'string',
		default: '',
		displayOptions: { show: { product: ['azure'], userType: ['IdentityProvider'] } },
		placeholder: 'e.g. {{ $json.entraObjectId }}',
		description: 'For a Microsoft Entra ID user the sync creates: the object ID of the account (a UUID)',
	}),
	usersField({
		displayName: 'Password',
		name: 'password',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		displayOptions: { show: { product: ['vbgc', 'aws', 'azure', 'vspc'] } },
		description:
			'Password for a user the sync creates (required only for those; existing users keep theirs). Never part of the output.',
	}),
	usersField({
		displayName: 'Description',
		name: 'description',
		type: 'string',
		default: '',
		displayOptions: showFor('descriptions'),
		description: 'Description of a user the sync creates',
	}),
	// One Scope list per product (as with Resource): VBGC has no domain accounts.
	usersField(scopeField(['vbr'], [...COMMON_SCOPE_OPTIONS, DOMAIN_SCOPE_OPTION])),
	usersField(scopeField(['vbgc', 'aws', 'azure'], COMMON_SCOPE_OPTIONS)),
	usersField(scopeField(['vspc'], VSPC_SCOPE_OPTIONS)),
	usersField({
		displayName: 'Name Pattern',
		name: 'scopePattern',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. TECH\\*',
		displayOptions: { show: { scope: ['namePattern'] } },
		description: 'Whole-name pattern, case-insensitive: * matches any run of characters, ? one character',
	}),
	usersField({
		displayName: 'Domain',
		name: 'scopeDomain',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. TECH',
		displayOptions: { show: { scope: ['domain'] } },
		description: 'The NetBIOS domain name, as in DOMAIN\\name',
	}),
	usersField({
		displayName: 'Managed Role Names or IDs',
		name: 'scopeRoles',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getRoles', loadOptionsDependsOn: ['product'] },
		default: [],
		required: true,
		displayOptions: { show: { scope: ['roles'] } },
		description:
			'The roles this sync hands out and takes away. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	}),
	usersField({
		displayName: 'Except These Users',
		name: 'scopeExcept',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. VBR01\\admin, TECH\\Backup Operators, *\\svc-*',
		displayOptions: { show: { scope: ['allExcept'] } },
		description: 'Names or patterns of users the sync leaves alone, separated by commas or new lines',
	}),
	{
		displayName: 'Options',
		name: 'syncOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Approved Plan ID',
				name: 'approvedPlanId',
				type: 'string',
				default: '',
				placeholder: 'e.g. {{ $(\'Sync (Plan)\').first().json.planId }}',
				description:
					'Apply only: the planId of the plan someone approved. If the server or the list changed since, the plan differs and nothing is done.',
			},
			{
				...concurrencyField,
				description:
					'Apply only: how many changes are sent to the server at the same time (1 to 16). Each is about another user. When Veeam asks to slow down, all wait.',
			},
			{
				displayName: 'Max Removals',
				name: 'maxRemovals',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 10,
				description:
					'Apply refuses, changing nothing, a plan that takes access from more managed users than this (a safety net against a broken HR export)',
			},
			{
				displayName: 'Max Removals (%)',
				name: 'maxRemovalPercent',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 100 },
				default: 50,
				description: 'Apply refuses, changing nothing, a plan that takes access from a larger share of the managed users than this',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['sync'] } }, properties);

