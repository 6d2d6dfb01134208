import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { readUserLocator, requireUser, userOutput, type UserLookup } from '../../helpers/directory';
import { checkText, inputError, readSecret } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { itemOptions, userLocators } from '../common.descriptions';
import { mfaCalls } from './enrolment';
import type { UserTarget } from '../node.type';

const properties: INodeProperties[] = [
	...userLocators,
	{
		displayName: 'Verification Code',
		name: 'code',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 123456',
		description:
			"The 6-digit code the user's authenticator app shows for the new secret (it changes every 30 seconds). Give it as text: a number loses its leading zeros.",
	},
	{
		displayName: 'Token',
		name: 'token',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		description: 'The token output by MFA → Enable or MFA → Recreate for this setup',
	},
	itemOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['mfa'], operation: ['accept'] } }, properties);

interface AcceptParams {
	lookup: UserLookup;
	code: string;
	token: string;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<AcceptParams> {
	mfaCalls(this, directory, i);
	const lookup = readUserLocator(this, directory, i);
	const code = checkText(this, i, 'Verification Code', this.getNodeParameter('code', i, '') as unknown);
	if (!/^\d{6}$/.test(code)) {
		// The code itself is not repeated: it is short-lived, but still a login factor.
		throw inputError(this, i, 'Verification Code', 'must be the 6 digits the authenticator app shows', 'A number from an expression loses leading zeros: give the code as text, e.g. "012345".');
	}
	const token = readSecret(this, i, 'token', 'Token');
	return { lookup, code, token };
}

export async function execute(this: IExecuteFunctions, p: AcceptParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const user = await requireUser(this, directory, p.lookup, i);
	await mfaCalls(this, directory, i).mfaAccept(user, p.code, p.token);
	return { action: user.mfaEnabled ? 'mfaSecretReplaced' : 'mfaEnabled', user: userOutput({ ...user, mfaEnabled: true }) };
}

/** The user item `i` is about (the router runs items about the same user one after another). */
export function target(p: AcceptParams): UserTarget {
	return p.lookup;
}
