import type { INodeProperties } from 'n8n-workflow';

import * as accessReport from './accessReport.operation';
import * as changePassword from './changePassword.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as offboard from './offboard.operation';
import * as onboard from './onboard.operation';
import * as promote from './promote.operation';
import * as resetMfa from './resetMfa.operation';
import * as setServiceAccountMode from './setServiceAccountMode.operation';
import * as sync from './sync.operation';

export { accessReport, changePassword, get, getMany, offboard, onboard, promote, resetMfa, setServiceAccountMode, sync };

/**
 * The operations of each product: those that exist for one product only (Reset MFA and Set Service
 * Account Mode on VBR, Change Password on VBGC) are offered for that product only.
 */
export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { product: ['vbr'], resource: ['user'] } },
		options: [
			{
				name: 'Access Report',
				value: 'accessReport',
				description:
					'Every user and group with roles, type, MFA and service-account state, flagged where it deserves a look (administrators without MFA, groups granting admin roles, local and service accounts); one item per user and a summary',
				action: 'Report on user access',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get one Veeam user or group: name, type, roles, service account and MFA state',
				action: 'Get a user',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description:
					'List Veeam users and groups, optionally filtered by name pattern, type, role or service account; one item per user',
				action: 'Get many users',
			},
			{
				name: 'Offboard',
				value: 'offboard',
				description:
					'Remove a user or group from Veeam. Outputs action "deleted" or "absent", and directoryAccountRemains: true with directoryAccount (DOMAIN\\name) when an Active Directory account keeps existing.',
				action: 'Offboard a user',
			},
			{
				name: 'Onboard',
				value: 'onboard',
				description:
					'Give an account access to Veeam with the given roles, idempotently. Outputs action "created", "updated" (roles changed to match) or "unchanged", and the user.',
				action: 'Onboard a user',
			},
			{
				name: 'Promote / Change Roles',
				value: 'promote',
				description:
					"Replace, add or remove a user's roles. Outputs action \"updated\" or \"unchanged\", the role names before and after, and the user.",
				action: 'Change the roles of a user',
			},
			{
				name: 'Reset MFA',
				value: 'resetMfa',
				description:
					'Reset the multi-factor authentication of a user: they set up a new authenticator at their next login (Veeam Backup & Replication)',
				action: 'Reset the MFA of a user',
			},
			{
				name: 'Set Service Account Mode',
				value: 'setServiceAccountMode',
				description:
					'Turn a user into a service account (exempt from MFA, for automation) or back into an ordinary account (Veeam Backup & Replication)',
				action: 'Set the service account mode of a user',
			},
			{
				name: 'Sync (Desired State)',
				value: 'sync',
				description:
					'Make the users in a scope match the input (one item per person, e.g. an HR list): create, change roles, remove. Plan shows the steps, Apply does them, with a safety limit on removals.',
				action: 'Sync users with a list',
			},
		],
		default: 'onboard',
	},
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { product: ['vbgc'], resource: ['user'] } },
		options: [
			{
				name: 'Access Report',
				value: 'accessReport',
				description:
					'Every user with roles, type and MFA state, flagged where it deserves a look (administrators without MFA); one item per user and a summary',
				action: 'Report on user access',
			},
			{
				name: 'Change Password',
				value: 'changePassword',
				description: "Set a new password for a user account; Veeam asks for the current one too. Outputs action \"passwordChanged\" and the user, never a password.",
				action: 'Change the password of a user',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get one user account: name, description, type, roles and MFA state',
				action: 'Get a user',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'List user accounts, optionally filtered by name or MFA state, in the order chosen; one item per user',
				action: 'Get many users',
			},
			{
				name: 'Offboard',
				value: 'offboard',
				description: 'Remove a user account (its sessions end with it). Outputs action "deleted" or "absent".',
				action: 'Offboard a user',
			},
			{
				name: 'Onboard',
				value: 'onboard',
				description:
					'Create a user account with a password, roles and a description, idempotently. Outputs action "created", "updated" (roles or description changed to match) or "unchanged", and the user.',
				action: 'Onboard a user',
			},
			{
				name: 'Promote / Change Roles',
				value: 'promote',
				description:
					"Replace, add or remove a user's roles. Outputs action \"updated\" or \"unchanged\", the role names before and after, and the user.",
				action: 'Change the roles of a user',
			},
			{
				name: 'Sync (Desired State)',
				value: 'sync',
				description:
					'Make the users in a scope match the input (one item per person, e.g. an HR list): create, change roles, remove. Plan shows the steps, Apply does them, with a safety limit on removals.',
				action: 'Sync users with a list',
			},
		],
		default: 'onboard',
	},
	...onboard.description,
	...promote.description,
	...offboard.description,
	...get.description,
	...getMany.description,
	...resetMfa.description,
	...setServiceAccountMode.description,
	...changePassword.description,
	...sync.description,
	...accessReport.description,
];
