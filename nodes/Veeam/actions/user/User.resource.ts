import type { INodeProperties } from 'n8n-workflow';

import { showFor } from '../../../../client/products';

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
import { requireMfa, stopRequiringMfa } from './mfa.vspc';

export { accessReport, changePassword, get, getMany, offboard, onboard, promote, requireMfa, resetMfa, setServiceAccountMode, stopRequiringMfa, sync };


/**
 * One Operation property for users (n8n's node creator reads the first one per resource): what
 * exists for one product only (Reset MFA and Set Service Account Mode on VBR, Change Password on
 * VBGC, AWS, Azure) is hidden for the other by the option's display options.
 */
export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['user'] } },
		options: [
			{
				name: 'Access Report',
				value: 'accessReport',
				description:
					'Read-only: every user with roles, type and MFA state, flagged where it deserves a look (for example an administrator without MFA), and a summary',
				action: 'Report on user access',
			},
			{
				name: 'Change Password',
				value: 'changePassword',
				description: "Changes the user's password on the server at once (Google Cloud and AWS ask for the current one too)",
				action: 'Change the password of a user',
				displayOptions: showFor('passwords'),
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Read-only: one user with name, type, roles and MFA state',
				action: 'Get a user',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'Read-only: list users, optionally filtered; one item per user',
				action: 'Get many users',
			},
			{
				name: 'Offboard',
				value: 'offboard',
				description:
					'Deletes the user from Veeam: they lose all access at once. Irreversible: the node cannot bring the user back (onboarding again creates a new user). Says whether a directory account stays behind. On Veeam Service Provider Console it can disable the user instead; its API keys and tokens go either way.',
				action: 'Offboard a user — irreversibly removes their access',
			},
			{
				name: 'Onboard',
				value: 'onboard',
				description:
					"Gives a user access with the given roles: creates the user, or changes an existing user's roles to match (unless told to skip); never creates anyone twice",
				action: 'Onboard a user — creates them or changes their roles',
			},
			{
				name: 'Promote / Change Roles',
				value: 'promote',
				description: "Changes what a user may do in Veeam at once: replaces, adds or removes their roles",
				action: 'Change the roles of a user',
			},
			{
				name: 'Require MFA',
				value: 'requireMfa',
				description: "Changes the user's MFA policy: they must use multi-factor authentication, and set it up at their next login if they have not (Veeam Service Provider Console)",
				action: 'Require MFA for a user',
				displayOptions: { show: { product: ['vspc'] } },
			},
			{
				name: 'Reset MFA',
				value: 'resetMfa',
				description: "Changes the user's sign-in: they must set up a new authenticator at their next login",
				action: 'Reset the MFA of a user',
				displayOptions: showFor('resetMfa'),
			},
			{
				name: 'Set Service Account Mode',
				value: 'setServiceAccountMode',
				description: 'Changes the user: makes it a service account (for automation, never asked for MFA) or back',
				action: 'Set the service account mode of a user',
				displayOptions: showFor('serviceAccounts'),
			},
			{
				name: 'Stop Requiring MFA',
				value: 'stopRequiringMfa',
				description: "Changes the user's MFA policy: multi-factor authentication is no longer required of them (unless their organization requires it) (Veeam Service Provider Console)",
				action: 'Stop requiring MFA for a user',
				displayOptions: { show: { product: ['vspc'] } },
			},
			{
				name: 'Sync (Desired State)',
				value: 'sync',
				description:
					'Makes the users in a scope match a list (one item per person, e.g. from HR). Plan only reads and shows the changes; Apply makes them: creates users, changes roles and removes the access of users not in the list, with a safety limit on removals.',
				action: 'Sync users and custom roles with a list — apply mode adds and removes them',
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
	...requireMfa.description,
	...stopRequiringMfa.description,
	...setServiceAccountMode.description,
	...changePassword.description,
	...sync.description,
	...accessReport.description,
];
