import type { INodeProperties } from 'n8n-workflow';

import * as clone from './clone.operation';
import * as create from './create.operation';
import * as delete_ from './delete.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as update from './update.operation';
import * as createVb365 from './create.vb365';
import * as deleteVb365 from './delete.vb365';
import * as getVb365 from './get.vb365';
import * as getManyVb365 from './getMany.vb365';
import * as updateVb365 from './update.vb365';

export { clone, create, delete_ as delete, get, getMany, update };

/** Role on Veeam Backup for Microsoft 365: its restore operator roles (the router picks these for product vb365). */
export const vb365 = { create: createVb365, update: updateVb365, delete: deleteVb365, get: getVb365, getMany: getManyVb365 };

const VBR_ONLY = { show: { product: ['vbr'] } };
const VBR_AND_VB365 = { show: { product: ['vbr', 'vb365'] } };

/**
 * Create, Update, Clone and Delete are custom roles of Veeam Backup & Replication 13.1 (REST 1.3-rev2),
 * and (but Clone) the restore operator roles of Veeam Backup for Microsoft 365: shown for those two.
 */
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
					'Changes the server: adds a custom role with its permissions and scopes (VBR 13.1), or a restore operator role with its scope (Veeam Backup for Microsoft 365), or makes an existing one of that name match (unless told to skip); never adds one twice',
				action: 'Create a custom role — creates it or changes it to match',
				displayOptions: VBR_AND_VB365,
			},
			{
				name: 'Delete',
				value: 'delete',
				description:
					'Deletes a custom role: its holders lose what it grants at once. Irreversible. VBR 13.1: refused while users hold it, unless told to take it from them first. Veeam Backup for Microsoft 365: its restore operators lose it (listed in the output).',
				action: 'Delete a custom role — irreversibly removes it',
				displayOptions: VBR_AND_VB365,
			},
			{
				name: 'Get',
				value: 'get',
				description:
					'Read-only: one Veeam role with its description and (Veeam Backup & Replication) the list of permissions it grants, or a custom role with its scopes; on Veeam Backup for Microsoft 365 a restore operator role with its operators and objects',
				action: 'Get a role',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'Read-only: list the Veeam roles (ID, name, description) that users can be given, optionally built-in or custom only (on Veeam Backup for Microsoft 365: the restore operator roles of every organization or one); one item per role',
				action: 'Get many roles',
			},
			{
				name: 'Update',
				value: 'update',
				description:
					"Changes a custom role at once: name, description, permissions and scopes (VBR 13.1), or a restore operator role's name, description, type and objects (Veeam Backup for Microsoft 365); its holders' access changes with it",
				action: 'Update a custom role — changes what its holders may do',
				displayOptions: VBR_AND_VB365,
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
	...createVb365.description,
	...updateVb365.description,
	...deleteVb365.description,
	...getVb365.description,
	...getManyVb365.description,
];
