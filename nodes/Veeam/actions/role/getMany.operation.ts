import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { readLimit } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { returnAllAndLimit } from '../common.descriptions';

const properties: INodeProperties[] = [...returnAllAndLimit];

export const description = updateDisplayOptions({ show: { resource: ['role'], operation: ['getMany'] } }, properties);

export async function prepare(this: IExecuteFunctions, i: number): Promise<number | undefined> {
	return readLimit(this, i);
}

export async function execute(this: IExecuteFunctions, limit: number | undefined, directory: UserDirectory): Promise<IDataObject[]> {
	const roles = await directory.listRoles();
	return (limit === undefined ? roles : roles.slice(0, limit)).map((r) => ({ ...r }));
}
