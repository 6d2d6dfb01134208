import type { INodeProperties } from 'n8n-workflow';

import * as accept from './accept.operation';
import * as disable from './disable.operation';
import * as enable from './enable.operation';
import * as recreate from './recreate.operation';

export { accept, disable, enable, recreate };

/**
 * MFA set-up through the API: the products with the `mfaSetup` capability (client/products.ts:
 * Veeam Backup for Google Cloud, AWS and Microsoft Azure). VBR has none; it has User → Reset MFA.
 */
export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['mfa'] } },
		options: [
			{
				name: 'Accept',
				value: 'accept',
				description: "Changes the user's sign-in: finishes an MFA set-up with a code from their authenticator app; MFA is on from then",
				action: 'Accept the MFA setup of a user',
			},
			{
				name: 'Disable',
				value: 'disable',
				description: "Changes the user's sign-in: turns multi-factor authentication off, and cancels a set-up not yet accepted",
				action: 'Disable MFA for a user',
			},
			{
				name: 'Enable',
				value: 'enable',
				description: 'Changes the user: starts an MFA set-up for a user without MFA, with a QR code for their authenticator app',
				action: 'Enable MFA for a user',
			},
			{
				name: 'Recreate',
				value: 'recreate',
				description: 'Changes the user: starts a set-up with a new secret for a user whose MFA is on (a lost phone, for example)',
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
