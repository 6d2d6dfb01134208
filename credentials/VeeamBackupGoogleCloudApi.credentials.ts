import type {
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import {
	authenticateRequest,
	obtainToken,
	postTokenForm,
	statusDetail,
	loginErrorText,
	VeeamAuthError,
	type StoredToken,
	type TokenRequestContext,
	type VeeamProductAuth,
} from './common/connection';
import { connectionProperties } from './common/properties';
import { userListTest } from './common/connectionTest';
import { totpCandidates } from './common/totp';

/**
 * VBGC answers the password grant of an account with MFA on with 202 and an `mfa_token`; the
 * login finishes with the `mfa` grant and the current TOTP code, computed here from the secret.
 */
async function completeMfa(
	helpers: IHttpRequestHelper['helpers'],
	ctx: TokenRequestContext,
	challenge: IDataObject,
): Promise<IDataObject> {
	const mfaToken = typeof challenge.mfa_token === 'string' ? challenge.mfa_token : '';
	if (!mfaToken) throw new VeeamAuthError(`${ctx.auth.productName} asked for MFA but sent no mfa_token.`);
	const secret = typeof ctx.credentials.totpSecret === 'string' ? ctx.credentials.totpSecret.trim() : '';
	if (!secret) {
		throw new VeeamAuthError(
			`This ${ctx.auth.productName} account has multi-factor authentication on. Add its TOTP secret ` +
				'(the base32 key shown when MFA was set up) to the credential\'s "TOTP Secret" field, or use an account without MFA.',
		);
	}
	let codes: [string, string];
	try {
		codes = totpCandidates(secret, Date.now());
	} catch (error) {
		throw new VeeamAuthError(`TOTP Secret: ${(error as Error).message}.`);
	}
	let last: { statusCode: number; body: unknown } | undefined;
	// The current step's code, then once the adjacent step's (clock skew at a step boundary).
	for (const code of codes) {
		last = await postTokenForm(helpers, ctx, { grant_type: 'mfa', mfa_token: mfaToken, mfa_code: code });
		if (last.statusCode === 200) return (last.body ?? {}) as IDataObject;
		const { errorCode } = loginErrorText(ctx, last.body);
		if (errorCode === 'ExpiredToken' || errorCode === 'InvalidToken') break;
	}
	const { errorCode, message } = loginErrorText(ctx, last?.body);
	throw new VeeamAuthError(
		`${ctx.auth.productName} refused the MFA code (${statusDetail(last?.statusCode, errorCode, message)}). ` +
			'Check that "TOTP Secret" belongs to this account and that the n8n server\'s clock is right.',
	);
}

export const VBGC_AUTH: VeeamProductAuth = {
	productName: 'Veeam Backup for Google Cloud',
	defaultPort: 13140,
	loginPath: '/api/v1/token',
	completeMfa,
};

/** Veeam Backup for Google Cloud REST API: users, roles and MFA (7.0 = API 1.4-rev0). */
export class VeeamBackupGoogleCloudApi implements ICredentialType {
	name = 'veeamBackupGoogleCloudApi';

	displayName = 'Veeam Backup for Google Cloud API';

	documentationUrl = 'https://helpcenter.veeam.com/docs/vbgc/rest/authorization_security.html';

	icon = { light: 'file:veeam.svg', dark: 'file:veeam.dark.svg' } as const;

	properties: INodeProperties[] = (() => {
		const props = connectionProperties({
			urlPlaceholder: 'https://vbgc.example.com:13140',
			usernamePlaceholder: 'administrator',
			// Veeam's VBGC REST help, "Versioning": the release that brought each version.
			versions: [
				{ name: '1.1-rev0 (VBGC 2.0, 3.0)', value: '1.1-rev0' },
				{ name: '1.2-rev0 (VBGC 4.0)', value: '1.2-rev0' },
				{ name: '1.3-rev0 (VBGC 5.0)', value: '1.3-rev0' },
				{ name: '1.4-rev0 (VBGC 6.0, 7.0)', value: '1.4-rev0' },
			],
			defaultVersion: '1.4-rev0',
		});
		const totp: INodeProperties = {
			displayName: 'TOTP Secret',
			name: 'totpSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Only for an account with multi-factor authentication on: the base32 secret key shown when MFA was set up. n8n computes the 6-digit code at each login.',
		};
		// After the password, before the API version.
		props.splice(props.findIndex((p) => p.name === 'password') + 1, 0, totp);
		return props;
	})();

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<StoredToken> {
		return await obtainToken(this.helpers, credentials, VBGC_AUTH);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => authenticateRequest(credentials, requestOptions, VBGC_AUTH);

	test: ICredentialTestRequest = userListTest('/api/v1/users', VBGC_AUTH.productName, 'Portal Administrator');
}
