/**
 * The credential's preAuthentication, `obtainToken`: a pinned (or Custom) API version logs in as it
 * always has; "Automatic" finds the newest version the server accepts among those the package knows
 * and returns it with the token (`apiVersionFound`), which n8n stores with it. The version kept from
 * the last login is tried first, so a steady server costs nothing more; a server upgraded or
 * downgraded since is found again here, at the next login.
 *
 * - `x-api-version` products (VBR, VBGC, AWS): the token request carries the version and the server
 *   refuses an unserved one (versions.ts, `refusesVersion`), so the login itself is the test: no
 *   extra request while the version is served, one more per refused version.
 * - VB365: the version is in every path, the token endpoint's too (`/v8/token`), so the login at a
 *   version is its test as well: a version whose token endpoint is not there (404, or a 400 about
 *   the API version) is refused like a header version (login.ts, `tokenPathMissing`).
 * - Azure: the token endpoint has no version, so after the login one GET under the version
 *   (`versionProbePath`) tells a served version (2xx, 401, 403) from an unserved one (404, or a 400
 *   about the API version); any other answer proves nothing, and the login fails saying so rather
 *   than keep a version it did not test (versions.ts, `pathVersionVerdict`).
 */
import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { connectionFailureReason, describeConnectionFailure, VeeamAuthError, veeamErrorText } from './failures';
import { checkApiKeyAt } from './apiKey';
import { applyTls, normalizeServerUrl, requestTimeoutMs, resolveApiVersion, tlsContext, usesApiKey } from './fields';
import {
	API_VERSION_SEGMENT,
	credentialSecrets,
	loginPathAt,
	loginPathHasVersion,
	obtainTokenAt,
	statusDetail,
	statusReason,
	VersionRefusedError,
	type StoredToken,
	type VeeamProductAuth,
} from './login';
import {
	FOUND_API_VERSION_FIELD,
	isAutomatic,
	knownVersion,
	knownVersions,
	nextCandidate,
	noVersionAcceptedMessage,
	pathRefusal,
	pathVersionVerdict,
	versionsNamedIn,
	type VersionRefusal,
} from './versions';
import { scrub } from '../secrets';

export async function obtainToken(
	helpers: IHttpRequestHelper['helpers'],
	credentials: ICredentialDataDecryptedObject,
	auth: VeeamProductAuth,
): Promise<StoredToken> {
	// An API key is checked instead of a token request (apiKey.ts); the versions are found the same way.
	const loginAt = usesApiKey(credentials) ? checkApiKeyAt : obtainTokenAt;
	if (!isAutomatic(credentials)) return await loginAt(helpers, credentials, auth, resolveApiVersion(credentials, auth.version));
	const kept = knownVersion(auth, credentials[FOUND_API_VERSION_FIELD]);
	const first = kept ?? knownVersions(auth)[0];
	if (!first) throw new VeeamAuthError(`${auth.productName}: this package knows no API version to try.`, { kind: 'configuration-invalid' });
	if (auth.version.inPath && !loginPathHasVersion(auth)) return await loginThenProbe(helpers, credentials, auth, first);
	const tried = new Set<string>();
	const refusals: VersionRefusal[] = [];
	for (let version: string | undefined = first; version !== undefined; version = nextCandidate(auth, tried, refusals)) {
		tried.add(version.toLowerCase());
		// A refused version is answered by the next one; any other failure is the login's.
		const outcome = await loginAt(helpers, credentials, auth, version).then(
			(token) => ({ token }),
			(error: unknown) => ({ error }),
		);
		if ('token' in outcome) return { ...outcome.token, [FOUND_API_VERSION_FIELD]: version };
		if (!(outcome.error instanceof VersionRefusedError)) throw outcome.error;
		refusals.push({ version, named: versionsNamedIn(outcome.error.serverMessage, auth.version) });
	}
	// VB365: no token endpoint at any version may as well mean another server at that address.
	const elsewhere = loginPathHasVersion(auth)
		? ` None of ${refusals.map((r) => loginPathAt(auth, r.version)).join(', ')} is there: check also that "Server URL" is the address of a ${auth.productName} server (its REST API listens on port ${auth.defaultPort} unless changed).`
		: '';
	throw new VeeamAuthError(noVersionAcceptedMessage(auth, refusals) + elsewhere, { kind: 'configuration-invalid' });
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
	const secrets = credentialSecrets(credentials, token.accessToken, token.refreshToken);
	for (let version: string | undefined = first; version !== undefined; version = nextCandidate(auth, tried, refusals)) {
		tried.add(version.toLowerCase());
		const path = String(auth.versionProbePath).split(API_VERSION_SEGMENT).join(version);
		const answer = await probe(helpers, credentials, auth, path, token.accessToken, secrets);
		const verdict = pathVersionVerdict(answer.statusCode, answer.body);
		if (verdict === 'served') return { ...token, [FOUND_API_VERSION_FIELD]: version };
		if (verdict === 'unknown') {
			// A 429 or a 5xx says nothing about the version: no version is kept from it (n8n logs in again later).
			const { errorCode, message } = veeamErrorText(answer.body);
			throw new VeeamAuthError(
				scrub(
					`${auth.productName} login failed while finding the API version: GET ${path} answered (${statusDetail(answer.statusCode, errorCode, message)}), which does not tell whether ${version} is served.`,
					secrets,
				),
				statusReason(answer),
			);
		}
		refusals.push(pathRefusal(version, answer.body, auth.version));
	}
	throw new VeeamAuthError(noVersionAcceptedMessage(auth, refusals), { kind: 'configuration-invalid' });
}

/** One GET of the probe path (its version filled in) with the new token; every status is an answer. */
async function probe(
	helpers: IHttpRequestHelper['helpers'],
	credentials: ICredentialDataDecryptedObject,
	auth: VeeamProductAuth,
	path: string,
	accessToken: string,
	secrets: string[],
): Promise<{ statusCode: number; headers?: Record<string, unknown>; body: unknown }> {
	const baseUrl = normalizeServerUrl(credentials.url, auth.defaultPort);
	const timeoutMs = requestTimeoutMs(credentials);
	const options: IHttpRequestOptions = applyTls(
		{
			method: 'GET',
			url: `${baseUrl}${path}`,
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
		(r) => r as { statusCode: number; headers?: Record<string, unknown>; body: unknown },
		(error: unknown) =>
			new VeeamAuthError(
				scrub(`${auth.productName} login failed while finding the API version. ${describeConnectionFailure(error, baseUrl, tlsContext(credentials, timeoutMs))}`, secrets),
				connectionFailureReason(error, options.abortSignal?.aborted === true),
			),
	);
	if (response instanceof VeeamAuthError) throw response;
	return { statusCode: response.statusCode, headers: response.headers, body: response.body };
}
