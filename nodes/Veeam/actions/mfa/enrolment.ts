import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { PRODUCT_NAMES, type MfaEnrolment, type UserDirectory, type VeeamUser } from '../../adapters';
import { userOutput } from '../../helpers/directory';
import { readBoolean, readChoice } from '../../helpers/input';

/**
 * What MFA → Enable and MFA → Recreate put in their output. VBGC answers an MFA setup with the
 * otpauth URI (`qrString`), the base32 secret key, five scratch codes and a token. The key and the
 * scratch codes let whoever reads them pass the user's MFA, and n8n keeps node outputs in the
 * execution log, so they are output only when the user switches on "Include Secrets in Output".
 *
 * Without secrets the choice is the QR code string with the token (the default), or nothing. The
 * QR code string contains the secret key too (`otpauth://…?secret=…`): it is the one thing a
 * workflow must hand the user for their authenticator app, and the token (not a secret by itself:
 * it cannot produce codes) is what MFA → Accept needs later with a code from that app. So the
 * default is the least that still lets a workflow finish the setup; "Nothing" discards everything.
 */
export const enrolmentOutputProperties: INodeProperties[] = [
	{
		displayName: 'Include Secrets in Output',
		name: 'includeSecrets',
		type: 'boolean',
		default: false,
		description:
			"Whether the output holds the secret key and the five scratch codes (besides the QR code string and the token). Anyone who can read this execution's data can then generate the user's codes or bypass MFA with a scratch code: switch on only when the next step needs them and execution data is protected.",
	},
	{
		displayName: 'Output Without Secrets',
		name: 'outputWithoutSecrets',
		type: 'options',
		default: 'qrString',
		displayOptions: { show: { includeSecrets: [false] } },
		options: [
			{
				name: 'QR Code String and Token',
				value: 'qrString',
				description:
					'Output qrString (otpauth://…) for the authenticator app, and token for MFA → Accept. The QR code string contains the secret key: send it to the user only, do not store it.',
			},
			{
				name: 'Nothing',
				value: 'nothing',
				description: 'Discard the setup: it cannot be accepted from this output, and the user\'s MFA state does not change',
			},
		],
		description: 'What the output holds when secrets are not included',
	},
];

export type EnrolmentOutput = 'all' | 'qrString' | 'nothing';

export function readEnrolmentOutput(ctx: IExecuteFunctions, i: number): EnrolmentOutput {
	if (readBoolean(ctx, i, 'includeSecrets', 'Include Secrets in Output', false)) return 'all';
	return readChoice(ctx, i, 'outputWithoutSecrets', 'Output Without Secrets', ['qrString', 'nothing'] as const, 'qrString');
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
export function enrolmentResult(user: VeeamUser, enrolment: MfaEnrolment, output: EnrolmentOutput, recreate: boolean): IDataObject {
	const result: IDataObject = { action: 'mfaSetupStarted', recreate, user: userOutput(user), secretsIncluded: output === 'all' };
	if (output === 'qrString' || output === 'all') {
		result.qrString = enrolment.qrString;
		result.token = enrolment.token;
	}
	if (output === 'all') {
		result.secretKey = enrolment.secretKey;
		result.scratchCodes = [...enrolment.scratchCodes];
	}
	return result;
}
