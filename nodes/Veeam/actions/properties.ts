import type { INodeProperties } from 'n8n-workflow';

import { productOptions, showFor } from '../../../client/products';
import * as authorizationEvent from './authorizationEvent/AuthorizationEvent.resource';
import * as backupAccess from './backupAccess/BackupAccess.resource';
import * as mfa from './mfa/Mfa.resource';
import * as restoreOperator from './restoreOperator/RestoreOperator.resource';
import * as role from './role/Role.resource';
import * as user from './user/User.resource';

/**
 * The Veeam node's parameters (its description's `properties`). The rest of the description is
 * in Veeam.node.ts: n8n's lint rules read a node's description from the class in the file named
 * after the node. The router reads this list too (which parameters hold secrets).
 */
export const properties: INodeProperties[] = [
	{
		displayName: 'Product',
		name: 'product',
		type: 'options',
		noDataExpression: true,
		options: productOptions(),
		default: 'vbr',
		description: 'The Veeam product whose users to manage',
	},
	// One Resource property, and one Operation property per resource: n8n's node creator builds its
	// action list from them (a second Resource or Operation lists actions twice or misses some).
	// What one product lacks is hidden by the option's display options.
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Authorization Event',
				value: 'authorizationEvent',
				description: 'Four-eyes requests and who changed users, roles and security settings (Veeam Backup & Replication)',
				displayOptions: showFor('authorizationEvents'),
			},
			{
				name: 'Backup Access',
				value: 'backupAccess',
				description: 'Who owns each backup and backup job and which roles may restore or manage it (Veeam Backup & Replication 13.1)',
				displayOptions: { show: { product: ['vbr'] } },
			},
			{
				name: 'MFA',
				value: 'mfa',
				description: 'Multi-factor authentication set-up of portal users (Veeam Backup for Google Cloud, Veeam Backup for AWS)',
				displayOptions: showFor('mfaSetup'),
			},
			{
				name: 'Restore Operator',
				value: 'restoreOperator',
				description: 'Who may restore which mailboxes, OneDrives, sites and teams: the operators of restore operator roles (Veeam Backup for Microsoft 365)',
				displayOptions: { show: { product: ['vb365'] } },
			},
			{ name: 'Role', value: 'role' },
			// Veeam Backup for Microsoft 365's REST manages restore operators, not its own users.
			{ name: 'User', value: 'user', displayOptions: { hide: { product: ['vb365'] } } },
		],
		default: 'user',
	},
	...user.description,
	...mfa.description,
	...role.description,
	...authorizationEvent.description,
	...backupAccess.description,
	...restoreOperator.description,
];
