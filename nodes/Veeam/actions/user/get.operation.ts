import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { readUserLocator, requireUser, type UserLookup } from '../../helpers/directory';
import { anyUserOutput } from '../../helpers/vspc';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { itemOptions, userLocators } from '../common.descriptions';
import type { UserTarget } from '../node.type';

const properties: INodeProperties[] = [...userLocators, itemOptions];

export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['get'] } }, properties);

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<UserLookup> {
	return readUserLocator(this, directory, i);
}

export async function execute(this: IExecuteFunctions, lookup: UserLookup, directory: UserDirectory, i: number): Promise<IDataObject> {
	return await anyUserOutput(directory, await requireUser(this, directory, lookup, i));
}

/** The user item `i` is about (the router runs items about the same user one after another). */
export function target(p: UserLookup): UserTarget {
	return p;
}
