import {
	NodeConnectionTypes,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';

import { PRODUCT_IDS, PRODUCT_NAMES, productCredentials, productOptions, showFor } from '../../client/products';
import { organizationLocator, organizationScopeField } from '../Veeam/actions/restoreOperator/fields';
import { searchVb365Organizations } from '../Veeam/methods/listSearch';
import { getRoles } from './loadOptions';
import { pollUsers } from './poll';

export class VeeamTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Veeam Trigger',
		name: 'veeamTrigger',
		icon: { light: 'file:veeam.svg', dark: 'file:veeam.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: `={{ ${JSON.stringify(PRODUCT_NAMES)}[$parameter["product"]] }}`,
		description:
			'Starts the workflow when users of Veeam Backup & Replication, Veeam Backup for Google Cloud, AWS or Microsoft Azure, or of every company of a Veeam Service Provider Console, are added, removed, or change roles, MFA, service-account mode, status or logins, (VBR 13.1) when custom roles or the access to backups and jobs change, and when the restore operators or restore-operator roles of Veeam Backup for Microsoft 365 change',
		defaults: {
			name: 'Veeam Trigger',
		},
		polling: true,
		inputs: [],
		// NodeConnectionTypes.Main is the string 'main' (n8n-workflow 1.x and 2.x alike). n8n's rules
		// (@n8n/community-nodes/node-connection-type-literal) want the constant; the classic plugin's
		// outputs-wrong rule, which wants the literal, is off in eslint.config.mjs as in n8n's scanner.
		outputs: [NodeConnectionTypes.Main],
		credentials: productCredentials(),
		properties: [
			{
				displayName:
					'Veeam has no webhooks: each poll reads the whole user list and compares it with the last one. The first poll records the current users as a baseline and emits nothing; "Fetch Test Event" shows the changes since the last saved poll, or a few current users shaped as events.',
				name: 'notice',
				type: 'notice',
				default: '',
				displayOptions: { hide: { product: ['vb365'] } },
			},
			{
				displayName:
					'Veeam has no webhooks: each poll reads the restore-operator roles of the organization (or of every one) and what the chosen events need of each role (its operators; for scope changes its items), and compares them with the last poll. The first poll records a baseline and emits nothing; "Fetch Test Event" shows the changes since the last saved poll, or a few current operators or roles shaped as events.',
				name: 'noticeVb365',
				type: 'notice',
				default: '',
				displayOptions: { show: { product: ['vb365'] } },
			},
			{
				displayName: 'Product',
				name: 'product',
				type: 'options',
				noDataExpression: true,
				options: productOptions(),
				default: 'vbr',
				description: 'The Veeam product whose users to watch',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				noDataExpression: true,
				required: true,
				options: [
					{
						name: 'Access to a Backup or Job Changed',
						action: 'On access to a backup or job changed',
						value: 'accessChanged',
						description:
							'VBR 13.1 (API 1.3-rev2): the owner, rights or role delegations of a backup or backup job changed, or one was added or removed: what changed, before and after. Reads the whole ACL list each poll.',
						displayOptions: { show: { product: ['vbr'] } },
					},
					{
						name: 'Custom Role Changed',
						action: 'On custom role changed',
						value: 'roleChanged',
						description:
							'VBR 13.1 (API 1.3-rev2): a custom role\'s name, description, permissions or scopes changed: the fields, before (where kept) and after. Reads each custom role\'s details each poll.',
						displayOptions: { show: { product: ['vbr'] } },
					},
					{
						name: 'Four-Eyes Request Approved',
						action: 'On four-eyes request approved',
						value: 'approvalApproved',
						description: 'A second administrator approved a request (the change now takes effect): who asked, who approved, when',
						displayOptions: showFor('authorizationEvents'),
					},
					{
						name: 'Four-Eyes Request Expired',
						action: 'On four-eyes request expired',
						value: 'approvalExpired',
						description: 'Nobody processed a request within its validity period: it was rejected',
						displayOptions: showFor('authorizationEvents'),
					},
					{
						name: 'Four-Eyes Request Pending',
						action: 'On four-eyes request pending',
						value: 'approvalPending',
						description: 'Someone asked for a change that waits for a second administrator: who asked for what, and until when',
						displayOptions: showFor('authorizationEvents'),
					},
					{
						name: 'Four-Eyes Request Rejected',
						action: 'On four-eyes request rejected',
						value: 'approvalRejected',
						description: 'A second administrator rejected a request',
						displayOptions: showFor('authorizationEvents'),
					},
					{
						name: 'Logins Changed',
						action: 'On logins changed',
						value: 'loginsChanged',
						description:
							'Service Provider Console: a login of a user was added or removed (an API key, a TOTP authenticator, an RSA key, a password): which ones. Reads every login each poll.',
						displayOptions: { show: { product: ['vspc'] } },
					},
					{
						name: 'MFA Changed',
						// What n8n's node creator lists (else it derives a lower-cased "On …" from the name).
						action: 'On MFA changed',
						value: 'mfaChanged',
						description: 'Multi-factor authentication was turned on or off for a user (Service Provider Console: the user\'s MFA policy changed, or the user set up or lost the second factor)',
						displayOptions: { hide: { product: ['vb365'] } },
					},
					{
						name: 'Operator Added',
						action: 'On restore operator added',
						value: 'operatorAdded',
						description:
							'Veeam Backup for Microsoft 365: a Microsoft 365 user or group became an operator of a restore-operator role (added to it, or named by a new role): who, which role. Reads each role\'s operators each poll.',
						displayOptions: { show: { product: ['vb365'] } },
					},
					{
						name: 'Operator Removed',
						action: 'On restore operator removed',
						value: 'operatorRemoved',
						description:
							'Veeam Backup for Microsoft 365: a user or group is no longer an operator of a role (removed from it, or its role deleted), checked by a second read before it is reported',
						displayOptions: { show: { product: ['vb365'] } },
					},
					{
						name: 'Other Fields Changed',
						action: 'On name, type or description changed',
						value: 'otherFieldsChanged',
						description: 'The name, type or description of a user changed',
						displayOptions: { hide: { product: ['vb365'] } },
					},
					{
						name: 'Role Created',
						action: 'On role created',
						value: 'roleCreated',
						description:
							'VBR 13.1 (API 1.3-rev2): a custom role was created (or cloned), with its scopes. Veeam Backup for Microsoft 365: a restore-operator role was created, with its operators and scope where read.',
						displayOptions: { show: { product: ['vbr', 'vb365'] } },
					},
					{
						name: 'Role Deleted',
						action: 'On role deleted',
						value: 'roleDeleted',
						description: 'VBR 13.1 (API 1.3-rev2): a custom role was deleted. Veeam Backup for Microsoft 365: a restore-operator role was deleted. Confirmed by a look-up either way.',
						displayOptions: { show: { product: ['vbr', 'vb365'] } },
					},
					{
						name: 'Role Scope Changed',
						action: 'On restore operator role scope changed',
						value: 'roleScopeChanged',
						description:
							'Veeam Backup for Microsoft 365: what a role\'s operators may restore changed: its type (entire organization or specific objects), its selected or its excluded users, groups, sites and teams. Reads each role\'s items each poll.',
						displayOptions: { show: { product: ['vb365'] } },
					},
					{
						name: 'Roles Changed',
						action: 'On roles changed',
						value: 'rolesChanged',
						description: 'A user was given or lost a role',
						displayOptions: { hide: { product: ['vb365'] } },
					},
					{
						name: 'Security Change',
						action: 'On security change',
						value: 'securityChange',
						description: 'Veeam recorded a change to users, roles or security settings that needed no approval (who, what, when)',
						displayOptions: showFor('authorizationEvents'),
					},
					{
						name: 'Service-Account Mode Changed',
						action: 'On service-account mode changed',
						value: 'serviceAccountModeChanged',
						description: 'A user was put into or taken out of service-account mode',
						displayOptions: showFor('serviceAccounts'),
					},
					{
						name: 'Status Changed',
						action: 'On user enabled or disabled',
						value: 'statusChanged',
						description: 'Service Provider Console: a user was enabled or disabled',
						displayOptions: { show: { product: ['vspc'] } },
					},
					{
						name: 'User Added',
						action: 'On user added',
						value: 'userAdded',
						description: 'A user or group was added',
						displayOptions: { hide: { product: ['vb365'] } },
					},
					{
						name: 'User Removed',
						action: 'On user removed',
						value: 'userRemoved',
						description: 'A user or group was removed',
						displayOptions: { hide: { product: ['vb365'] } },
					},
				],
				default: ['userAdded', 'userRemoved', 'rolesChanged', 'mfaChanged', 'serviceAccountModeChanged', 'otherFieldsChanged', 'statusChanged', 'loginsChanged', 'operatorAdded', 'operatorRemoved', 'roleScopeChanged'],
				description:
					'The changes to report: one item per user and kind of change, and (Veeam Backup & Replication) one per authorization event (four-eyes requests and security changes), custom role change or change of access to a backup or job; on Veeam Backup for Microsoft 365 one per operator added or removed, role created or deleted, or change of a role\'s scope',
			},
			{
				...organizationScopeField,
				displayOptions: { show: { product: ['vb365'] } },
				description: 'Whose restore-operator roles to watch: every backed-up organization this account sees, or one',
			},
			{
				...organizationLocator,
				displayOptions: { show: { product: ['vb365'], organizationScope: ['one'] } },
				description: 'The Microsoft 365 organization Veeam Backup for Microsoft 365 backs up, whose restore-operator roles to watch',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Name Pattern',
						name: 'namePattern',
						type: 'string',
						default: '',
						placeholder: 'e.g. TECH\\*',
						displayOptions: { show: { '/product': ['vbr'] } },
						description:
							'Report only accounts whose name matches, now or before the change, e.g. TECH\\* for one domain. * matches any characters, ? one character; case-insensitive.',
					},
					{
						displayName: 'Name Pattern',
						name: 'namePattern',
						type: 'string',
						default: '',
						placeholder: 'e.g. *.ops',
						displayOptions: { show: { '/product': PRODUCT_IDS.filter((p) => p !== 'vbr' && p !== 'vb365') } },
						description:
							'Report only users whose name matches, now or before the change. * matches any characters, ? one character; case-insensitive.',
					},
					{
						displayName: 'On First Poll',
						name: 'firstPoll',
						type: 'options',
						options: [
							{
								name: 'Record Baseline Only',
								value: 'silent',
								description:
									'Emit nothing. n8n stores the baseline with the first reported change; if n8n restarts before that, a new baseline is recorded.',
							},
							{
								name: 'Emit a Baseline Item',
								value: 'baselineItem',
								description:
									'Emit one item with event "baseline" and the number of users, so that n8n stores the baseline at once',
							},
							{
								name: 'Emit Every Existing User as Added',
								value: 'emitExisting',
								description: 'Emit one "userAdded" item per existing user (that matches the filters), once',
							},
						],
						default: 'silent',
						description:
							'What the first poll does (and a poll after the product, server URL or API version of the credential changed)',
					},
					{
						displayName: 'Only Users With Role Names or IDs',
						name: 'roles',
						type: 'multiOptions',
						displayOptions: { hide: { '/product': ['vb365'] } },
						typeOptions: {
							loadOptionsMethod: 'getRoles',
							loadOptionsDependsOn: ['product'],
						},
						default: [],
						description:
							'Report only users who have one of these roles, or had it before the change (so losing the role is reported). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					},
				],
			},
		],
	};

	methods = { loadOptions: { getRoles }, listSearch: { searchVb365Organizations } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		return await pollUsers.call(this);
	}
}
