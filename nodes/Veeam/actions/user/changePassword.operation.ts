import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { PRODUCT_NAMES, type UserDirectory } from '../../../../client/adapters';
import { hasCapability, productNamesWith, showFor } from '../../../../client/products';
import { readUserLocator, requireUser, userOutput, type UserLookup } from '../../helpers/directory';
import { inputError, readSecret } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { itemOptions, userLocators } from '../common.descriptions';
import type { UserTarget } from '../node.type';

const properties: INodeProperties[] = [
	...userLocators,
	{
		displayName: 'Current Password',
		name: 'oldPassword',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		displayOptions: showFor('currentPasswordToChange'),
		description: `The user's current password: ${productNamesWith('currentPasswordToChange').replace(/, ([^,]*)$/, ' and $1')} ask for it, even from an administrator`,
	},
	{
		displayName: 'New Password',
		name: 'newPassword',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		description:
			'At least 8 characters with an upper-case letter, a lower-case letter, a digit and a special character. Neither password is ever part of the output.',
	},
	itemOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['changePassword'] } }, properties);

interface ChangePasswordParams {
	lookup: UserLookup;
	oldPassword: string;
	newPassword: string;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<ChangePasswordParams> {
	if (!directory.changePassword || !directory.passwordProblem) {
		throw new NodeOperationError(this.getNode(), `${PRODUCT_NAMES[directory.product]} keeps no passwords for its users`, {
			itemIndex: i,
			description: 'Its accounts are Windows or Active Directory accounts: change the password there.',
		});
	}
	const lookup = readUserLocator(this, directory, i);
	// Only where the product asks for it (Azure sets a new password without the current one).
	const oldPassword = hasCapability(directory.product, 'currentPasswordToChange') ? readSecret(this, i, 'oldPassword', 'Current Password') : '';
	const newPassword = readSecret(this, i, 'newPassword', 'New Password');
	const weakness = directory.passwordProblem(newPassword);
	if (weakness) throw inputError(this, i, 'New Password', weakness);
	return { lookup, oldPassword, newPassword };
}

export async function execute(this: IExecuteFunctions, p: ChangePasswordParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const user = await requireUser(this, directory, p.lookup, i);
	const updated = await directory.changePassword!(user, p.newPassword, p.oldPassword);
	return { action: 'passwordChanged', user: userOutput(updated) };
}

/** The user item `i` is about (the router runs items about the same user one after another). */
export function target(p: ChangePasswordParams): UserTarget {
	return p.lookup;
}
