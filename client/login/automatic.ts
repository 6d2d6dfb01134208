/**
 * The credential's preAuthentication, `obtainToken`: a pinned (or Custom) API version logs in as it
 * always has; "Automatic" finds the newest version the server accepts among those the package knows
 * and returns it with the token (`apiVersionFound`), which n8n stores with it. The version kept from
 * the last login is tried first, so a steady server costs nothing more; a server upgraded or
 * downgraded since is found again here, at the next login.
 *
 * - `x-api-version` products (VBR, VBGC, AWS): the token request carries the version and the server
 *   refuses an unserved one (`NotImplemented`), so the login itself is the test: no extra request
 *   while the version is served, one more per refused version.
 * - Azure: the token endpoint has no version, so after the login one GET under the version
 *   (`versionProbePath`) tells a served version (any answer but 404) from an unserved one (404).
 */
import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { connectionFailureReason, describeConnectionFailure, VeeamAuthError, veeamErrorText } from './failures';
import { applyTls, normalizeServerUrl, requestTimeoutMs, resolveApiVersion, tlsContext } from './fields';
import { API_VERSION_SEGMENT, obtainTokenAt, VersionRefusedError, type StoredToken, type VeeamProductAuth } from './login';
import {
	FOUND_API_VERSION_FIELD,
	isAutomatic,
	knownVersion,
	knownVersions,
	nextCandidate,
	noVersionAcceptedMessage,
	versionsNamedIn,
	type VersionRefusal,
} from './versions';
import { scrub, secretValues } from '../secrets';

export async function obtainToken(
	helpers: IHttpRequestHelper['helpers'],
	credentials: ICredentialDataDecryptedObject,
	auth: VeeamProductAuth,
): Promise<StoredToken> {
	if (!isAutomatic(credentials)) return await obtainTokenAt(helpers, credentials, auth, resolveApiVersion(credentials, auth.version));
	const kept = knownVersion(auth, credentials[FOUND_API_VERSION_FIELD]);
	const first = kept ?? knownVersions(auth)[0];
	if (!first) throw new VeeamAuthError(`${auth.productName}: this package knows no API version to try.`, { kind: 'configuration-invalid' });
	if (auth.version.inPath) return await loginThenProbe(helpers, credentials, auth, first);
	const tried = new Set<string>();
	const refusals: VersionRefusal[] = [];
	for (let version: string | undefined = first; version !== undefined; version = nextCandidate(auth, tried, refusals)) {
		tried.add(version.toLowerCase());
		// A refused version is answered by the next one; any other failure is the login's.
		const outcome = await obtainTokenAt(helpers, credentials, auth, version).then(
			(token) => ({ token }),
			(error: unknown) => ({ error }),
		);
		if ('token' in outcome) return { ...outcome.token, [FOUND_API_VERSION_FIELD]: version };
		if (!(outcome.error instanceof VersionRefusedError)) throw outcome.error;
		refusals.push({ version, named: versionsNamedIn(outcome.error.serverMessage, auth.version) });
	}
	throw new VeeamAuthError(noVersionAcceptedMessage(auth, refusals), { kind: 'configuration-invalid' });
}

/** Azure: the login (no version), then the versions in turn under `versionProbePath`. */
async function loginThenProbe(
	helpers: IHttpRequestHelper['helpers'],
	credentials: ICredentialDataDecryptedObject,
	auth: VeeamProductAuth,
	first: string,
): Promise<StoredToken> {
	const token = await obtainTokenAt(helpers, credentials, auth, first);
	if (!auth.versionProbePath) return { ...token, [FOUND_API_VERSION_FIELD]: first };
	const tried = new Set<string>();
	const refusals: VersionRefusal[] = [];
	for (let version: string | undefined = first; version !== undefined; version = nextCandidate(auth, tried, refusals)) {
		tried.add(version.toLowerCase());
		const answer = await probe(helpers, credentials, auth, version, token.accessToken);
		if (answer.statusCode !== 404) return { ...token, [FOUND_API_VERSION_FIELD]: version };
		refusals.push({ version, named: versionsNamedIn(veeamErrorText(answer.body).message, auth.version) });
	}
	throw new VeeamAuthError(noVersionAcceptedMessage(auth, refusals), { kind: 'configuration-invalid' });
}

/** One GET of the probe path at `version` with the new token; every status is an answer. */
async function probe(
	helpers: IHttpRequestHelper['helpers'],
	credentials: ICredentialDataDecryptedObject,
	auth: VeeamProductAuth,
	version: string,
	accessToken: string,
): Promise<{ statusCode: number; body: unknown }> {
	const baseUrl = normalizeServerUrl(credentials.url, auth.defaultPort);
	const timeoutMs = requestTimeoutMs(credentials);
	const secrets = secretValues(credentials.password, credentials.refreshToken, credentials.accessToken, credentials.totpSecret, accessToken);
	const options: IHttpRequestOptions = applyTls(
		{
			method: 'GET',
			url: `${baseUrl}${String(auth.versionProbePath).split(API_VERSION_SEGMENT).join(version)}`,
			headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' },
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			json: true,
			disableFollowRedirect: true,
			timeout: timeoutMs,
			abortSignal: AbortSignal.timeout(timeoutMs),
		},
		credentials,
	);
	const response = await helpers.httpRequest(options).then(
		(r) => r as { statusCode: number; body: unknown },
		(error: unknown) =>
			new VeeamAuthError(
				scrub(`${auth.productName} login failed while finding the API version. ${describeConnectionFailure(error, baseUrl, tlsContext(credentials, timeoutMs))}`, secrets),
				connectionFailureReason(error, options.abortSignal?.aborted === true),
			),
	);
	if (response instanceof VeeamAuthError) throw response;
	return { statusCode: response.statusCode, body: response.body };
}
