import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as offboard from './offboard.operation';
import * as onboard from './onboard.operation';
import * as promote from './promote.operation';
import * as resetMfa from './resetMfa.operation';
import * as setServiceAccountMode from './setServiceAccountMode.operation';

export { get, getMany, offboard, onboard, promote, resetMfa, setServiceAccountMode };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['user'] } },
		options: [
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
];
