import type { INodeProperties } from 'n8n-workflow';

import * as accept from './accept.operation';
import * as disable from './disable.operation';
import * as enable from './enable.operation';
import * as recreate from './recreate.operation';

export { accept, disable, enable, recreate };

/** MFA set-up through the API: Veeam Backup for Google Cloud only (VBR has User → Reset MFA). */
export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { product: ['vbgc'], resource: ['mfa'] } },
		options: [
			{
				name: 'Accept',
				value: 'accept',
				description:
					"Finish an MFA setup with a 6-digit code from the user's authenticator app and the token from Enable or Recreate: MFA is on from then. Outputs action \"mfaEnabled\" (or \"mfaSecretReplaced\") and the user.",
				action: 'Accept the MFA setup of a user',
			},
			{
				name: 'Disable',
				value: 'disable',
				description: 'Turn multi-factor authentication off for a user, and cancel a setup not yet accepted. Outputs action "mfaDisabled" or "unchanged".',
				action: 'Disable MFA for a user',
			},
			{
				name: 'Enable',
				value: 'enable',
				description:
					'Start an MFA setup for a user without MFA. Outputs the QR code string and the token for Accept by default; the secret key and scratch codes only with "Include Secrets in Output".',
				action: 'Enable MFA for a user',
			},
			{
				name: 'Recreate',
				value: 'recreate',
				description:
					'Start a setup with a new secret key for a user whose MFA is on (e.g. a lost phone); the old key works until Accept. Same output as Enable.',
				action: 'Recreate the MFA secret of a user',
			},
		],
		default: 'enable',
	},
	...enable.description,
	...accept.description,
	...disable.description,
	...recreate.description,
];
