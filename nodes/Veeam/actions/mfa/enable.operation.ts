import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { readUserLocator, requireUser, type UserLookup } from '../../helpers/directory';
import { inputError } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { itemOptions, userLocators } from '../common.descriptions';
import { enrolmentOutputProperties, enrolmentResult, mfaCalls, readEnrolmentOutput, type EnrolmentOutput } from './enrolment';
import type { UserTarget } from '../node.type';

const properties: INodeProperties[] = [...userLocators, ...enrolmentOutputProperties, itemOptions];

export const description = updateDisplayOptions({ show: { resource: ['mfa'], operation: ['enable'] } }, properties);

interface EnableParams {
	lookup: UserLookup;
	output: EnrolmentOutput;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<EnableParams> {
	mfaCalls(this, directory, i);
	return { lookup: readUserLocator(this, directory, i), output: readEnrolmentOutput(this, i) };
}

export async function execute(this: IExecuteFunctions, p: EnableParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const user = await requireUser(this, directory, p.lookup, i);
	if (user.mfaEnabled) {
		throw inputError(this, i, 'User', `multi-factor authentication is already on for "${user.name}"`, 'Use MFA → Recreate to issue a new secret key, or MFA → Disable first.');
	}
	const enrolment = await mfaCalls(this, directory, i).mfaEnable(user, false);
	return enrolmentResult(user, enrolment, p.output);
}

/** The user item `i` is about (the router runs items about the same user one after another). */
export function target(p: EnableParams): UserTarget {
	return p.lookup;
}
