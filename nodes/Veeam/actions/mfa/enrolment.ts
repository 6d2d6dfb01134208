import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { PRODUCT_NAMES, type MfaEnrolment, type UserDirectory, type VeeamUser } from '../../../../client/adapters';
import { userOutput } from '../../helpers/directory';
import { readBoolean } from '../../helpers/input';

/**
 * What MFA → Enable and MFA → Recreate put in their output. VBGC answers an MFA setup with the
 * otpauth URI (`qrString`), the base32 secret key, five scratch codes and a token. The key and the
 * scratch codes let whoever reads them pass the user's MFA, and n8n keeps node outputs in the
 * execution log, so they are output only when the user switches on "Include Secrets in Output".
 *
 * Without them the output holds the QR code string and the token. The QR code string contains the
 * secret key too (`otpauth://…?secret=…`), but it is the one thing a workflow must hand the user for
 * their authenticator app, and the token (not a secret by itself: it cannot produce codes) is what
 * MFA → Accept needs later with a code from that app: the least that lets a workflow finish the
 * set-up. (An option to output nothing was dropped: a set-up nobody can accept has no use.)
 */
export const enrolmentOutputProperties: INodeProperties[] = [
	{
		displayName: 'Include Secrets in Output',
		name: 'includeSecrets',
		type: 'boolean',
		default: false,
		description:
			"Whether the output holds the secret key and the five scratch codes, besides the QR code string (for the user's authenticator app) and the token (for MFA → Accept). Anyone who can read this execution's data can then generate the user's codes or bypass MFA with a scratch code: switch on only when the next step needs them and execution data is protected.",
	},
	{
		displayName:
			'The output holds the QR code string, which contains the secret key: send it to the user only, and do not store it.',
		name: 'qrStringNotice',
		type: 'notice',
		default: '',
	},
];

export type EnrolmentOutput = 'all' | 'qrString';

export function readEnrolmentOutput(ctx: IExecuteFunctions, i: number): EnrolmentOutput {
	return readBoolean(ctx, i, 'includeSecrets', 'Include Secrets in Output', false) ? 'all' : 'qrString';
}

/** The product's MFA calls, or a clear error for a product that has none (VBR: use User → Reset MFA). */
export function mfaCalls(ctx: IExecuteFunctions, directory: UserDirectory, i: number): Required<Pick<UserDirectory, 'mfaEnable' | 'mfaAccept' | 'mfaDisable'>> {
	const { mfaEnable, mfaAccept, mfaDisable } = directory;
	if (!mfaEnable || !mfaAccept || !mfaDisable) {
		throw new NodeOperationError(ctx.getNode(), `${PRODUCT_NAMES[directory.product]} has no MFA setup through its API`, {
			itemIndex: i,
			description: 'On Veeam Backup & Replication, use User → Reset MFA: the user sets up a new authenticator at the next login.',
		});
	}
	return { mfaEnable: mfaEnable.bind(directory), mfaAccept: mfaAccept.bind(directory), mfaDisable: mfaDisable.bind(directory) };
}

/** The output of a started setup: the secrets only as chosen; never the user's password (it is not known here). */
export function enrolmentResult(user: VeeamUser, enrolment: MfaEnrolment, output: EnrolmentOutput): IDataObject {
	const result: IDataObject = {
		action: 'mfaSetupStarted',
		user: userOutput(user),
		qrString: enrolment.qrString,
		token: enrolment.token,
		secretsIncluded: output === 'all',
	};
	if (output === 'all') {
		result.secretKey = enrolment.secretKey;
		result.scratchCodes = [...enrolment.scratchCodes];
	}
	return result;
}
