import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { readChoice, readLimit } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { returnAllAndLimit } from '../common.descriptions';

const KINDS = ['all', 'builtIn', 'custom'] as const;

const properties: INodeProperties[] = [
	...returnAllAndLimit,
	{
		displayName: 'Kind',
		name: 'roleKind',
		type: 'options',
		default: 'all',
		displayOptions: { show: { product: ['vbr'] } },
		options: [
			{ name: 'All', value: 'all' },
			{ name: 'Built-In', value: 'builtIn', description: "Veeam's own roles, e.g. Backup Administrator (needs Veeam Backup & Replication 13.1)" },
			{ name: 'Custom', value: 'custom', description: 'The roles made on this server (needs Veeam Backup & Replication 13.1)' },
		],
		description: 'Which roles to list; Built-In and Custom output isBuiltIn too',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['role'], operation: ['getMany'] } }, properties);

interface GetManyParams {
	limit?: number;
	kind: (typeof KINDS)[number];
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<GetManyParams> {
	const limit = readLimit(this, i);
	const kind = directory.customRoles ? readChoice(this, i, 'roleKind', 'Kind', KINDS, 'all') : 'all';
	if (kind !== 'all') await directory.customRoles?.().checkVersion();
	return { limit, kind };
}

export async function execute(this: IExecuteFunctions, p: GetManyParams, directory: UserDirectory): Promise<IDataObject[]> {
	if (p.kind !== 'all' && directory.customRoles) {
		// isBuiltInFilter on the server, and checked on its answer too.
		const roles = await directory.customRoles().list({ builtIn: p.kind === 'builtIn' }, p.limit);
		return roles.map((r) => ({ ...r }));
	}
	const roles = await directory.listRoles();
	return (p.limit === undefined ? roles : roles.slice(0, p.limit)).map((r) => ({ ...r }));
}
