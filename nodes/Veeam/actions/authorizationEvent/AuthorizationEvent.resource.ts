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
		displayOptions: { show: { resource: ['authorizationEvent'] } },
		options: [
			{
				name: 'Get',
				value: 'get',
				description: 'Read-only: one authorization event, what was asked or changed, by whom, when, and whether it was approved',
				action: 'Get an authorization event',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description:
					'Read-only: list authorization events: four-eyes requests (pending, approved, rejected, expired) and changes to users, roles and security settings',
				action: 'Get many authorization events',
			},
		],
		default: 'getMany',
	},
	...get.description,
	...getMany.description,
];
