import type { INodeProperties } from 'n8n-workflow';

import * as changeOwner from './changeOwner.operation';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as setEffectiveAccess from './setEffectiveAccess.operation';

export { changeOwner, get, getMany, setEffectiveAccess };

/**
 * Who may do what with a backup or a backup job: its access control list (VBR 13.1, REST API
 * 1.3-rev2): the owner, the owner's rights, and the rights delegated to roles. docs/backup-access.md.
 */
export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['backupAccess'] } },
		options: [
			{
				name: 'Change Owner',
				value: 'changeOwner',
				description: 'Changes who owns a backup or backup job on the server at once (an owner already set is left as it is)',
				action: 'Change the owner of a backup or job — changes who owns it',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Read-only: one backup or backup job with its name, owner, owner rights and the rights delegated to roles',
				action: 'Get the access to a backup or job',
			},
			{
				name: 'Get Many',
				value: 'getMany',
				description: 'Read-only: the access control lists of backups and jobs, filtered by type, role or owner; one item per backup or job',
				action: 'Get the access to many backups and jobs',
			},
			{
				name: 'Set Effective Access',
				value: 'setEffectiveAccess',
				description: "Changes which roles may restore or manage a backup or backup job on the server at once: grants or revokes a role's full, write or restore rights",
				action: 'Set the access of a role to a backup or job — changes who may restore or manage it',
			},
		],
		default: 'get',
	},
	...get.description,
	...getMany.description,
	...changeOwner.description,
	...setEffectiveAccess.description,
];
