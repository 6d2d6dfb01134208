import type { INodeProperties } from 'n8n-workflow';

import * as clone from './clone.operation';
import * as create from './create.operation';
import * as delete_ from './delete.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as update from './update.operation';

export { clone, create, delete_ as delete, get, getMany, update };

const VBR_ONLY = { show: { product: ['vbr'] } };

/** Create, Update, Clone and Delete are custom roles of Veeam Backup & Replication 13.1 (REST 1.3-rev2): shown for VBR only. */
export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['role'] } },
		options: [
			{
				name: 'Clone',
				value: 'clone',
				description: 'Changes the server: adds a copy of a custom role with its permissions and scopes, optionally renamed (VBR 13.1)',
				action: 'Clone a custom role — creates a copy',
				displayOptions: VBR_ONLY,
			},
			{
				name: 'Create',
				value: 'create',
				description:
					'Changes the server: adds a custom role with its permissions and scopes, or makes an existing one of that name match (unless told to skip); never adds one twice (VBR 13.1)',
				action: 'Create a custom role — creates it or changes it to match',
				displayOptions: VBR_ONLY,
			},
			{
				name: 'Delete',
				value: 'delete',
				description:
					'Deletes a custom role: its holders lose what it grants at once. Irreversible. Refused while users hold it, unless told to take it from them first (VBR 13.1).',
				action: 'Delete a custom role — irreversibly removes it',
				displayOptions: VBR_ONLY,
			},
			{
				name: 'Get',
				value: 'get',
				description:
					'Read-only: one Veeam role with its description and (Veeam Backup & Replication) the list of permissions it grants, or a custom role with its scopes',
				action: 'Get a role',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'Read-only: list the Veeam roles (ID, name, description) that users can be given, optionally built-in or custom only; one item per role',
				action: 'Get many roles',
			},
			{
				name: 'Update',
				value: 'update',
				description: "Changes a custom role at once: name, description, permissions and scopes; its holders' access changes with it (VBR 13.1)",
				action: 'Update a custom role — changes what its holders may do',
				displayOptions: VBR_ONLY,
			},
		],
		default: 'getMany',
	},
	...create.description,
	...update.description,
	...clone.description,
	...delete_.description,
	...get.description,
	...getMany.description,
];
