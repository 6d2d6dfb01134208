import type { INodeProperties } from 'n8n-workflow';

import * as accessReport from './accessReport.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as grant from './grant.operation';
import * as offboard from './offboard.operation';
import * as revoke from './revoke.operation';
import * as sync from './sync.operation';

export { accessReport, get, getMany, grant, offboard, revoke, sync };

/**
 * Who may restore whose mail, files, sites and teams on Veeam Backup for Microsoft 365: the
 * restore operator roles of each backed-up organization, and their operators (Microsoft 365 users
 * or groups). docs/vb365.md.
 */
export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['restoreOperator'] } },
		options: [
			{
				name: 'Access Report',
				value: 'accessReport',
				description:
					'Read-only: per operator of every organization or one, what they may restore (the entire organization, or the selected items less the excluded ones), flagged where it deserves a look (an operator who can restore their own data, one scoped to the whole organization, a role nobody holds), and a summary',
				action: 'Report on restore operator access',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Read-only: one user or group with each role that names it and what that role lets it restore',
				action: 'Get a restore operator',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'Read-only: the operators of the roles of every organization or one, with the roles naming each; one item per operator and organization',
				action: 'Get many restore operators',
			},
			{
				name: 'Grant',
				value: 'grant',
				description:
					'Changes the server: makes a Microsoft 365 user or group an operator of roles of its organization (a role already naming it is left as it is), optionally creating a role that is missing',
				action: 'Grant restore operator roles — lets a user or group restore data',
			},
			{
				name: 'Offboard',
				value: 'offboard',
				description:
					'Changes the server: no restore operator role names the person any more, in every organization or one; lists the groups that still make them an operator, for whoever manages the directory',
				action: 'Offboard a restore operator — removes them from every role',
			},
			{
				name: 'Revoke',
				value: 'revoke',
				description: 'Changes the server: a user or group is an operator of the roles named, or of any role of the organization, no more',
				action: 'Revoke restore operator roles — removes a user or group from roles',
			},
			{
				name: 'Sync (Desired State)',
				value: 'sync',
				description:
					'Makes the operators of the roles of an organization match a list (one item per operator and roles, e.g. from HR or a group export). Plan only reads and shows the changes; Apply adds operators to roles and removes those not in the list, with a safety limit on removals.',
				action: 'Sync restore operators with a list — apply mode adds and removes them',
			},
		],
		default: 'grant',
	},
	...grant.description,
	...revoke.description,
	...offboard.description,
	...get.description,
	...getMany.description,
	...sync.description,
	...accessReport.description,
];
