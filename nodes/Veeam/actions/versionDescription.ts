/* eslint-disable n8n-nodes-base/node-filename-against-convention */
import type { INodeTypeDescription } from 'n8n-workflow';

import { productCredentials, productOptions, showFor } from '../../../client/products';
import * as authorizationEvent from './authorizationEvent/AuthorizationEvent.resource';
import * as mfa from './mfa/Mfa.resource';
import * as role from './role/Role.resource';
import * as user from './user/User.resource';

/** Everything but icon, subtitle and usableAsTool, which Veeam.node.ts adds. */
export const versionDescription: INodeTypeDescription = {
	displayName: 'Veeam',
	name: 'veeam',
	group: ['transform'],
	version: 1,
	description:
		'Onboard, promote and offboard the users of Veeam Backup & Replication, Veeam Backup for Google Cloud, AWS and Microsoft Azure, sync them with a list, report on their access, manage their MFA, and read users and roles',
	defaults: {
		name: 'Veeam',
	},
	// The literal, not NodeConnectionTypes.Main: eslint-plugin-n8n-nodes-base checks for it.
	inputs: ['main'],
	outputs: ['main'],
	// One credential per product, shown for its product.
	credentials: productCredentials(),
	properties: [
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
					name: 'MFA',
					value: 'mfa',
					description: 'Multi-factor authentication set-up of portal users (Veeam Backup for Google Cloud, Veeam Backup for AWS)',
					displayOptions: showFor('mfaSetup'),
				},
				{ name: 'Role', value: 'role' },
				{ name: 'User', value: 'user' },
			],
			default: 'user',
		},
		...user.description,
		...mfa.description,
		...role.description,
		...authorizationEvent.description,
	],
};
