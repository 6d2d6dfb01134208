import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../adapters';
import { inputError, readBoolean } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';

const properties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		displayOptions: { show: { returnAll: [false] } },
		description: 'Max number of results to return',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['role'], operation: ['getMany'] } }, properties);

export async function prepare(this: IExecuteFunctions, i: number): Promise<number | undefined> {
	if (readBoolean(this, i, 'returnAll', 'Return All', false)) return undefined;
	const limit = Number(this.getNodeParameter('limit', i, 50));
	if (!Number.isInteger(limit) || limit < 1) throw inputError(this, i, 'Limit', `must be a whole number of at least 1, not ${String(limit)}`);
	return limit;
}

export async function execute(this: IExecuteFunctions, limit: number | undefined, directory: UserDirectory): Promise<IDataObject[]> {
	const roles = await directory.listRoles();
	return (limit === undefined ? roles : roles.slice(0, limit)).map((r) => ({ ...r }));
}
