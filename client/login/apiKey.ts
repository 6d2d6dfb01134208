/**
 * An API-key login (VSPC): "Using an API key allows a user to receive a permanent authorization
 * grant … an API key is active until the associated user identity is disabled or deleted"
 * (helpcenter.veeam.com/docs/vac/rest/api_keys.html), and the key is sent where an access token
 * would be, `Authorization: Bearer <API-Key>` (…/docs/vac/rest/mfa.html). There is no token request:
 * the login checks the key with one cheap GET (the product's `loginCheckPath`), at the API version
 * the credential sends, so a wrong or revoked key fails here with its own message, and "Automatic"
 * finds the version as a password login does (automatic.ts). The credential then stores no token,
 * only the key's fingerprint in the expirable field (n8n logs in again on a 401); every request
 * carries the key from the credential itself (login.ts, `authenticateRequest`), so a key changed in
 * the credential is used at once.
 */
import { createHash } from 'node:crypto';

import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { connectionFailureReason, describeConnectionFailure, headerValue, redirectOrigin, unsupportedVersionMessage, VeeamAuthError } from './failures';
import { applyTls, normalizeServerUrl, requestTimeoutMs, tlsContext, versionHeaderName } from './fields';
import { credentialSecrets, loginErrorText, statusDetail, statusReason, VersionRefusedError, type StoredToken, type TokenRequestContext, type VeeamProductAuth } from './login';
import { refusesVersion } from './versions';
import { scrub } from '../secrets';

/** What the expirable "Access Token" field holds for an API-key login: the key's fingerprint, never the key. */
export function apiKeyFingerprint(key: string): string {
	return `apikey:${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

/** The key in the credential's "API Key" field; refused when empty. */
export function apiKeyOf(credentials: ICredentialDataDecryptedObject, productName: string): string {
	const key = typeof credentials.apiKey === 'string' ? credentials.apiKey.trim() : '';
	if (!key) throw new VeeamAuthError(`${productName}: "API Key" is empty. Paste the key (a simple key with the REST scope), or choose "Authentication: User Name and Password".`, { kind: 'credential-invalid' });
	return key;
}

/** The API key checked at one API version: its fingerprint as the stored "token", or why not. */
export async function checkApiKeyAt(
	helpers: IHttpRequestHelper['helpers'],
	credentials: ICredentialDataDecryptedObject,
	auth: VeeamProductAuth,
	apiVersion: string,
): Promise<StoredToken> {
	const key = apiKeyOf(credentials, auth.productName);
	if (!auth.loginCheckPath) throw new VeeamAuthError(`${auth.productName} does not take an API key in this package.`, { kind: 'configuration-invalid' });
	const baseUrl = normalizeServerUrl(credentials.url, auth.defaultPort);
	const ctx: TokenRequestContext = { baseUrl, apiVersion, credentials, auth, secrets: credentialSecrets(credentials, key) };
	const timeoutMs = requestTimeoutMs(credentials);
	const path = auth.loginCheckPath;
	const options: IHttpRequestOptions = applyTls(
		{
			method: 'GET',
			url: `${baseUrl}${path}`,
			headers: { Authorization: `Bearer ${key}`, [versionHeaderName(auth.version)]: apiVersion, Accept: 'application/json' },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			json: true,
			// The key never follows a redirect to another host; a 3xx is refused below.
			disableFollowRedirect: true,
			timeout: timeoutMs,
			abortSignal: AbortSignal.timeout(timeoutMs),
		},
		credentials,
	);
	const response = await helpers.httpRequest(options).then(
		(r) => r as { statusCode: number; headers?: Record<string, unknown>; body: unknown },
		(error: unknown) =>
			new VeeamAuthError(
				scrub(`${auth.productName} login failed. ${describeConnectionFailure(error, baseUrl, tlsContext(credentials, timeoutMs))}`, ctx.secrets),
				connectionFailureReason(error, options.abortSignal?.aborted === true),
			),
	);
	if (response instanceof VeeamAuthError) throw response;
	const status = response.statusCode;
	if (status >= 200 && status < 300) return { accessToken: apiKeyFingerprint(key), refreshToken: '', tokenExpiresAt: '' };
	if (status >= 300 && status < 400) {
		throw new VeeamAuthError(
			`${auth.productName} login failed: ${baseUrl}${path} answered with a redirect (${status}) to ${redirectOrigin(headerValue(response.headers, 'location'), `${baseUrl}${path}`)}. ` +
				'The API key is never sent on to another address: put the server\'s own address into "Server URL".',
			{ kind: 'configuration-invalid' },
		);
	}
	const { errorCode, message } = loginErrorText(ctx, response.body);
	if (refusesVersion(errorCode, message)) {
		throw new VersionRefusedError(unsupportedVersionMessage(apiVersion, message, auth.offeredVersions?.map((v) => v.value)), apiVersion, message);
	}
	const detail = statusDetail(status, errorCode, message);
	if (status === 401) {
		throw new VeeamAuthError(
			`${auth.productName} refused the API key (${detail}). Check "API Key": a key works until its login, or its user, is disabled or deleted, and it needs the REST scope; create a new one if it was revoked.`,
			{ kind: 'credential-invalid' },
		);
	}
	if (status === 403) {
		throw new VeeamAuthError(
			`${auth.productName} knows the API key but refused GET ${path} with it (${detail}): the key may lack the REST scope, or REST access of its company may be off. Create a simple key with the REST scope.`,
			{ kind: 'credential-invalid' },
		);
	}
	if (status === 404 || status === 405) {
		throw new VeeamAuthError(
			`${auth.productName} login failed: ${baseUrl}${path} does not exist on that server (${detail}). ` +
				`Check that "Server URL" is the address of a ${auth.productName} server (its REST API listens on port ${auth.defaultPort} unless changed).`,
			{ kind: 'configuration-invalid' },
		);
	}
	throw new VeeamAuthError(`${auth.productName} login failed (API key, ${detail}).`, statusReason(response));
}
