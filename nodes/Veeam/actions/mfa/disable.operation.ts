import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { readUserLocator, requireUser, userOutput, type UserLookup } from '../../helpers/directory';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { itemOptions, userLocators } from '../common.descriptions';
import { mfaCalls } from './enrolment';
import type { UserTarget } from '../node.type';

const properties: INodeProperties[] = [...userLocators, itemOptions];

export const description = updateDisplayOptions({ show: { resource: ['mfa'], operation: ['disable'] } }, properties);

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<UserLookup> {
	mfaCalls(this, directory, i);
	return readUserLocator(this, directory, i);
}

/**
 * Sent also when MFA is off already: it cancels a setup that was started and never accepted
 * (whoever holds its secret and token could otherwise still switch MFA on).
 */
export async function execute(this: IExecuteFunctions, lookup: UserLookup, directory: UserDirectory, i: number): Promise<IDataObject> {
	const user = await requireUser(this, directory, lookup, i);
	await mfaCalls(this, directory, i).mfaDisable(user);
	return { action: user.mfaEnabled ? 'mfaDisabled' : 'unchanged', user: userOutput({ ...user, mfaEnabled: false }) };
}

/** The user item `i` is about (the router runs items about the same user one after another). */
export function target(p: UserLookup): UserTarget {
	return p;
}
