import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../adapters';
import { readUserLocator, requireUser, userOutput, type UserLookup } from '../../helpers/directory';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { userLocators } from '../common.descriptions';

const properties: INodeProperties[] = [...userLocators];

export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['get'] } }, properties);

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<UserLookup> {
	return readUserLocator(this, directory, i);
}

export async function execute(this: IExecuteFunctions, lookup: UserLookup, directory: UserDirectory, i: number): Promise<IDataObject> {
	return userOutput(await requireUser(this, directory, lookup, i));
}
