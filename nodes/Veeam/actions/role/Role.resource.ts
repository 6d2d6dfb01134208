import type { INodeProperties } from 'n8n-workflow';

import * as get from './get.operation';
import * as getMany from './getMany.operation';

export { get, getMany };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['role'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				description:
					'Read-only: one Veeam role with its description and (Veeam Backup & Replication) the list of permissions it grants',
				action: 'Get a role',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'Read-only: list the Veeam roles (ID, name, description) that users can be given; one item per role',
				action: 'Get many roles',
			},
		],
		default: 'getMany',
	},
	...get.description,
	...getMany.description,
];
