import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { readUserLocator, requireUser, type UserLookup } from '../../helpers/directory';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { itemOptions, userLocators } from '../common.descriptions';
import { enrolmentOutputProperties, enrolmentResult, mfaCalls, readEnrolmentOutput, type EnrolmentOutput } from './enrolment';
import type { UserTarget } from '../node.type';

const properties: INodeProperties[] = [...userLocators, ...enrolmentOutputProperties, itemOptions];

export const description = updateDisplayOptions({ show: { resource: ['mfa'], operation: ['recreate'] } }, properties);

interface RecreateParams {
	lookup: UserLookup;
	output: EnrolmentOutput;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<RecreateParams> {
	mfaCalls(this, directory, i);
	return { lookup: readUserLocator(this, directory, i), output: readEnrolmentOutput(this, i) };
}

/**
 * A new secret key for the user (e.g. a lost phone). The current key keeps working until MFA →
 * Accept confirms the new one; for a user without MFA this is the same as Enable.
 */
export async function execute(this: IExecuteFunctions, p: RecreateParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const user = await requireUser(this, directory, p.lookup, i);
	const enrolment = await mfaCalls(this, directory, i).mfaEnable(user, true);
	return enrolmentResult(user, enrolment, p.output);
}

/** The user item `i` is about (the router runs items about the same user one after another). */
export function target(p: RecreateParams): UserTarget {
	return p.lookup;
}
