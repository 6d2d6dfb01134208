/**
 * The second step of a login to an account with MFA on (VBGC, AWS, Azure): the password grant
 * answered with an `mfa_token` (VBGC: 202; AWS and Azure: 200 without an access token), and the
 * login finishes with the `mfa` grant and the current TOTP code, computed here from the secret.
 */
import type { IDataObject, IHttpRequestHelper } from 'n8n-workflow';

import { VeeamAuthError } from './failures';
import { grantType, loginErrorText, postTokenForm, statusDetail, type TokenRequestContext } from './login';
import { totpCandidates } from './totp';

export async function completeMfa(
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
			{ kind: 'credential-invalid' },
		);
	}
	const codes = totpCodes(secret);
	if (codes instanceof Error) throw new VeeamAuthError(`TOTP Secret: ${codes.message}.`, { kind: 'credential-invalid' });
	let last: { statusCode: number; body: unknown } | undefined;
	// The current step's code, then once the adjacent step's (clock skew at a step boundary).
	for (const code of codes) {
		last = await postTokenForm(helpers, ctx, { grant_type: grantType(ctx.auth, 'mfa'), mfa_token: mfaToken, mfa_code: code });
		if (last.statusCode === 200) return (last.body ?? {}) as IDataObject;
		const { errorCode } = loginErrorText(ctx, last.body);
		if (errorCode === 'ExpiredToken' || errorCode === 'InvalidToken') break;
	}
	const { errorCode, message } = loginErrorText(ctx, last?.body);
	throw new VeeamAuthError(
		`${ctx.auth.productName} refused the MFA code (${statusDetail(last?.statusCode, errorCode, message)}). ` +
			'Check that "TOTP Secret" belongs to this account and that the n8n server\'s clock is right.',
		{ kind: 'credential-invalid' },
	);
}


/** The current and the adjacent step's codes, or why the secret cannot make any. */
function totpCodes(secret: string): [string, string] | Error {
	try {
		return totpCandidates(secret, Date.now());
	} catch (error) {
		return error as Error;
	}
}
