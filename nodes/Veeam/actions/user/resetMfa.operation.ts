import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { PRODUCT_NAMES, type UserDirectory } from '../../../../client/adapters';
import { readUserLocator, requireUser, userOutput, type UserLookup } from '../../helpers/directory';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { itemOptions, userLocators } from '../common.descriptions';
import { alreadyPendingOutput, pendingRequestFor } from '../confirm';
import type { UserTarget } from '../node.type';
import { resetMfaVspc } from './mfa.vspc';

const properties: INodeProperties[] = [...userLocators, itemOptions];

export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['resetMfa'] } }, properties);

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<UserLookup> {
	if (!directory.resetMfa && directory.product !== 'vspc') {
		throw new NodeOperationError(this.getNode(), `${PRODUCT_NAMES[directory.product]} has no MFA reset`, { itemIndex: i });
	}
	return readUserLocator(this, directory, i);
}

export async function execute(this: IExecuteFunctions, lookup: UserLookup, directory: UserDirectory, i: number): Promise<IDataObject> {
	const user = await requireUser(this, directory, lookup, i);
	// VSPC: the user's TOTP logins are deleted (mfa.vspc.ts).
	if (directory.product === 'vspc') return await resetMfaVspc(this, directory, user, i);
	// Four-eyes: a reset of this account already waits: not asked again (and the read before the
	// change tells which request is new since it, whatever its wording: confirm.ts).
	const held = await pendingRequestFor(this, directory, user.name, 'mfa');
	if (held) return alreadyPendingOutput('mfaReset', userOutput(user), held);
	await directory.resetMfa!(user);
	return { action: 'mfaReset', user: userOutput(user) };
}

/** Its reset is checked against pending four-eyes requests (confirm.ts). */
export const confirms = true;

/** The user item `i` is about (the router runs items about the same user one after another). */
export function target(p: UserLookup): UserTarget {
	return p;
}
