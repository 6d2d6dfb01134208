import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { PRODUCT_NAMES, type UserDirectory } from '../../../../client/adapters';
import { readUserLocator, requireUser, userOutput, type UserLookup } from '../../helpers/directory';
import { readBoolean } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { alreadyPendingOutput, pendingRequestFor } from '../confirm';
import { itemOptions, userLocators } from '../common.descriptions';
import type { UserTarget } from '../node.type';

const properties: INodeProperties[] = [
	...userLocators,
	{
		displayName: 'Service Account',
		name: 'isServiceAccount',
		type: 'boolean',
		default: true,
		description:
			'Whether the user becomes a service account (on: exempt from multi-factor authentication, for scripts and integrations) or an ordinary account (off)',
	},
	itemOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['setServiceAccountMode'] } }, properties);

interface ServiceAccountParams {
	lookup: UserLookup;
	enabled: boolean;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<ServiceAccountParams> {
	if (!directory.setServiceAccountMode) {
		throw new NodeOperationError(this.getNode(), `${PRODUCT_NAMES[directory.product]} has no service accounts`, { itemIndex: i });
	}
	return { lookup: readUserLocator(this, directory, i), enabled: readBoolean(this, i, 'isServiceAccount', 'Service Account', true) };
}

export async function execute(this: IExecuteFunctions, p: ServiceAccountParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const user = await requireUser(this, directory, p.lookup, i);
	const before = user.isServiceAccount === true;
	if (before === p.enabled) return { action: 'unchanged', before, after: before, user: userOutput(user) };
	// Four-eyes: a request of this account to change the user's settings already waits: not asked again.
	const held = await pendingRequestFor(this, directory, user.name, 'serviceAccount');
	if (held) return { ...alreadyPendingOutput('updated', userOutput(user), held, { isServiceAccount: p.enabled }), before };
	const updated = await directory.setServiceAccountMode!(user, p.enabled);
	return { action: 'updated', before, after: updated.isServiceAccount === true, user: userOutput(updated) };
}

/** Its changes are read back: with four-eyes on they may wait for approval (confirm.ts). */
export const confirms = true;

/** The user item `i` is about (the router runs items about the same user one after another). */
export function target(p: ServiceAccountParams): UserTarget {
	return p.lookup;
}
