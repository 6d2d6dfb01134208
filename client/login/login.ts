/**
 * The OAuth2 token grants of every credential (password → refresh → back to password) and the
 * header every request gets. Nothing here ever puts a password or token into a message.
 */
import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { applyTls, normalizeServerUrl, requestTimeoutMs, tlsContext, usesApiKey, versionHeaderName, type ApiVersionFormat } from './fields';
import {
	bodyRetryAfterSeconds,
	connectionFailureReason,
	describeConnectionFailure,
	headerValue,
	passwordRefusedMessage,
	redirectOrigin,
	retryAfterSeconds,
	unsupportedVersionMessage,
	VeeamAuthError,
	veeamErrorText,
	type LoginFailureReason,
} from './failures';
import { scrub, secretValues } from '../secrets';
import { isAutomatic, knownVersion, pathVersionVerdict, refusesVersion, requestApiVersion } from './versions';

/** Every secret a credential holds (password, tokens, TOTP secret, API key): scrubbed from whatever a server says. */
export function credentialSecrets(credentials: ICredentialDataDecryptedObject, ...more: unknown[]): string[] {
	return secretValues(credentials.password, credentials.refreshToken, credentials.accessToken, credentials.totpSecret, credentials.apiKey, ...more);
}

export interface VeeamProductAuth {
	/** e.g. 'Veeam Backup & Replication' */
	productName: string;
	defaultPort: number;
	/** The token endpoint; `{version}` in it is replaced by the API version (VB365: `/{version}/token`, login.ts `loginPathAt`). */
	loginPath: string;
	/** The API version's format, and whether it goes into the path (Azure: `/api/v8.1/…`) rather than `x-api-version`. */
	version: ApiVersionFormat;
	/**
	 * The `grant_type` values as the product's reference writes them, where they differ from OAuth's
	 * lower-case `password`, `refresh_token`, `mfa` (Azure's `GrantType`: `Password`, `Refresh_token`, `Mfa`).
	 */
	grantTypes?: GrantTypes;
	/**
	 * The API versions the credential's "API Version" lists, with their labels: the credential's
	 * options are these, and a server that refuses one without naming its own gets the others named.
	 */
	offeredVersions?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
	/**
	 * For a product whose token endpoint carries no version (Azure): a cheap GET under the version
	 * (`{version}` in it) that every served version answers, so that "Automatic" can tell a served
	 * version from an unserved one right after the login (versions.ts, `pathVersionVerdict`).
	 */
	versionProbePath?: string;
	/**
	 * The header the API version goes in is `version.header` (fields.ts). For a product that takes an
	 * API key as its bearer token (VSPC): a cheap GET every account may call, with which the key is
	 * checked at the login (and "Automatic" finds the version) instead of a token request (apiKey.ts).
	 */
	loginCheckPath?: string;
	/** For a product whose calls may answer 202 with an async action (VSPC): where the actions are (client/transport/asyncAction.ts). */
	asyncActionsPath?: string;
	/**
	 * What a refused password login may also mean on this product, where its answer does not tell
	 * (VSPC's one refusal covers a wrong password, no rights and, per Veeam, an account with MFA).
	 */
	passwordRefusalHint?: string;
	/**
	 * A 400 to the password grant refuses the account whatever its body, not only an OAuth error's
	 * (VB365: its token errors are documented only as the `default` RESTExceptionInfo; the answer on
	 * record is OAuth's 400 `invalid_grant`). Our form is well formed, so a 400 can only be about it.
	 */
	passwordRefusedWith400?: boolean;
	/**
	 * Fields every token request carries besides its grant's own (VB365: `disable_antiforgery_token=true`,
	 * without which the server also wants an antiforgery cookie on later requests and on the refresh).
	 */
	tokenFormFields?: Readonly<Record<string, string>>;
	/** What to do when the password grant answers with an `mfa_token` (VBGC: 202; AWS, Azure: 200 without an access token). */
	completeMfa?: (
		helpers: IHttpRequestHelper['helpers'],
		ctx: TokenRequestContext,
		challenge: IDataObject,
	) => Promise<IDataObject>;
}

export interface GrantTypes {
	password: string;
	refresh_token: string;
	mfa: string;
}

/** The grant's `grant_type` value for this product (OAuth's lower-case name unless the product writes it otherwise). */
export function grantType(auth: VeeamProductAuth, grant: keyof GrantTypes): string {
	return auth.grantTypes?.[grant] ?? grant;
}

export interface TokenRequestContext {
	baseUrl: string;
	apiVersion: string;
	credentials: ICredentialDataDecryptedObject;
	auth: VeeamProductAuth;
	/**
	 * Every secret of this login (the credential's, and each form's values as they are sent): a
	 * server's answer is scrubbed of them before any of it reaches a message.
	 */
	secrets: string[];
}

/** The fields preAuthentication stores in the credential (the access token is the expirable one). */
export interface StoredToken extends IDataObject {
	accessToken: string;
	refreshToken: string;
	/** ISO time the access token expires, from the server's `expires_in`. */
	tokenExpiresAt: string;
	/** API version "Automatic": the version found at this login, kept with the token (versions.ts). */
	apiVersionFound?: string;
}

/**
 * The server refused the login's API version (Veeam's `NotImplemented`, or a refusal's wording: versions.ts). The message is the one a
 * pinned version has always got; "Automatic" catches it and tries another version.
 */
export class VersionRefusedError extends VeeamAuthError {
	constructor(
		message: string,
		readonly refusedVersion: string,
		readonly serverMessage: string | undefined,
	) {
		super(message, { kind: 'configuration-invalid' });
	}
}

function versionRefused(ctx: TokenRequestContext, message: string | undefined): VersionRefusedError {
	return new VersionRefusedError(unsupportedVersionMessage(ctx.apiVersion, message, ctx.auth.offeredVersions?.map((v) => v.value)), ctx.apiVersion, message);
}

interface FullResponse {
	statusCode: number;
	headers?: Record<string, unknown>;
	body: unknown;
}

/** Form fields whose values are secrets (`username` and `grant_type` are not). */
const SECRET_FORM_FIELDS = ['password', 'refresh_token', 'mfa_token', 'mfa_code'];

/** Veeam's error text of a token answer, scrubbed of this login's secrets. */
export function loginErrorText(ctx: TokenRequestContext, body: unknown): { errorCode?: string; message?: string } {
	const { errorCode, message } = veeamErrorText(body);
	return { errorCode: errorCode && scrub(errorCode, ctx.secrets), message: message && scrub(message, ctx.secrets) };
}

/** Whether the token endpoint's path carries the API version (VB365's `/v8/token`): each version then has its own login. */
export function loginPathHasVersion(auth: VeeamProductAuth): boolean {
	return auth.loginPath.includes(API_VERSION_SEGMENT);
}

/** The token endpoint's path at this API version (`/v8/token`; the path as it is for a product whose login has no version). */
export function loginPathAt(auth: VeeamProductAuth, apiVersion: string): string {
	return auth.loginPath.split(API_VERSION_SEGMENT).join(apiVersion);
}

/** One form-encoded POST to the token endpoint; never throws an error carrying the form (it holds secrets). */
export async function postTokenForm(
	helpers: IHttpRequestHelper['helpers'],
	ctx: TokenRequestContext,
	form: Record<string, string>,
): Promise<FullResponse> {
	for (const field of SECRET_FORM_FIELDS) if (form[field]) ctx.secrets.push(form[field]);
	const url = `${ctx.baseUrl}${loginPathAt(ctx.auth, ctx.apiVersion)}`;
	const fields = new URLSearchParams(form);
	for (const [name, value] of Object.entries(ctx.auth.tokenFormFields ?? {})) if (!fields.has(name)) fields.append(name, value);
	const timeoutMs = requestTimeoutMs(ctx.credentials);
	const options: IHttpRequestOptions = applyTls(
		{
			method: 'POST',
			url,
			headers: {
				...(ctx.auth.version.inPath ? {} : { [versionHeaderName(ctx.auth.version)]: ctx.apiVersion }),
				'Content-Type': 'application/x-www-form-urlencoded',
				Accept: 'application/json',
			},
			body: fields.toString(),
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			json: false,
			// The password must never follow a redirect to another host; a 3xx is refused below.
			disableFollowRedirect: true,
			// `timeout` is an idle timer (a server trickling bytes keeps it from firing); the signal is the deadline.
			timeout: timeoutMs,
			abortSignal: AbortSignal.timeout(timeoutMs),
		},
		ctx.credentials,
	);
	// preAuthentication runs without a node, so NodeApiError is not available here: the failure is
	// turned into our own message (never the request, which holds the password) and n8n wraps it.
	const response = await helpers.httpRequest(options).then(
		(r) => r as FullResponse,
		(error: unknown) =>
			new VeeamAuthError(
				scrub(`${ctx.auth.productName} login failed. ${describeConnectionFailure(timedOut(error, options), ctx.baseUrl, tlsContext(ctx.credentials, timeoutMs))}`, ctx.secrets),
				connectionFailureReason(error, options.abortSignal?.aborted === true),
			),
	);
	if (response instanceof VeeamAuthError) throw response;
	if (response.statusCode >= 300 && response.statusCode < 400) {
		throw new VeeamAuthError(
			`${ctx.auth.productName} login failed: ${url} answered with a redirect (${response.statusCode}) to ${redirectOrigin(headerValue(response.headers, 'location'), url)}. ` +
				'The login is never sent on to another address (it holds the password): put the server\'s own address into "Server URL".',
			{ kind: 'configuration-invalid' },
		);
	}
	let body = response.body;
	if (typeof body === 'string' && body.trim() !== '') {
		try {
			body = JSON.parse(body);
		} catch {
			// A non-JSON answer: the status decides below.
		}
	} else if (Buffer.isBuffer(body)) {
		try {
			body = JSON.parse(body.toString('utf8'));
		} catch {
			body = undefined;
		}
	}
	return { statusCode: response.statusCode, headers: response.headers, body };
}

/** A request our deadline aborted, as a timeout (the HTTP stack reports it as a cancellation). */
function timedOut(error: unknown, options: IHttpRequestOptions): unknown {
	return options.abortSignal?.aborted ? Object.assign(new Error('deadline'), { code: 'ETIMEDOUT', cause: error }) : error;
}

/** `401 AccessDenied: Invalid user name or password`, for inside parentheses (no closing period of its own). */
export function statusDetail(status: number | undefined, errorCode?: string, message?: string): string {
	const text = message?.replace(/[.\s]+$/, '');
	return `${status ?? '?'}${errorCode ? ` ${errorCode}` : ''}${text ? `: ${text}` : ''}`;
}

/** A refused login's status, in n8n's causes: "come back later" (with its Retry-After) or a struggling gateway. */
export function statusReason(response: { statusCode: number; headers?: Record<string, unknown>; body?: unknown }): LoginFailureReason {
	if (response.statusCode === 429 || response.statusCode === 503) {
		// The Retry-After header, else VSPC's `retryAfter` in its error body (docs/vac/rest/throttling.html).
		return { kind: 'rate-limited', retryAfterSeconds: retryAfterSeconds(response.headers) ?? bodyRetryAfterSeconds(response.body) };
	}
	if (response.statusCode === 502 || response.statusCode === 504) return { kind: 'temporarily-unavailable' };
	return {};
}

function loginFailure(ctx: TokenRequestContext, grant: string, response: FullResponse): VeeamAuthError {
	const { errorCode, message } = loginErrorText(ctx, response.body);
	if (refusesVersion(errorCode, message)) return versionRefused(ctx, message);
	const detail = statusDetail(response.statusCode, errorCode, message);
	if (loginPathHasVersion(ctx.auth) && pathVersionVerdict(response.statusCode, response.body) === 'unserved') return tokenPathMissing(ctx, detail, message);
	if (grant === 'password' && ctx.auth.passwordRefusalHint && (response.statusCode === 401 || (response.statusCode === 400 && (ctx.auth.passwordRefusedWith400 || isOAuthRefusal(response.body))))) {
		return new VeeamAuthError(`${ctx.auth.productName} login failed: wrong user name or password, or no access to the REST API (${detail}). ${ctx.auth.passwordRefusalHint}`, {
			kind: 'credential-invalid',
		});
	}
	if (grant === 'password' && response.statusCode === 401) {
		return new VeeamAuthError(passwordRefusedMessage(ctx.auth.productName, ctx.auth.completeMfa !== undefined, detail, message), { kind: 'credential-invalid' });
	}
	if (response.statusCode === 404 || response.statusCode === 405) {
		// Another product's server (or a web server) at that address: it has no such token endpoint.
		return new VeeamAuthError(
			`${ctx.auth.productName} login failed: ${ctx.baseUrl}${loginPathAt(ctx.auth, ctx.apiVersion)} does not exist on that server (${detail}). ` +
				`Check that "Server URL" is the address of a ${ctx.auth.productName} server (its REST API listens on port ${ctx.auth.defaultPort} unless changed).`,
			{ kind: 'configuration-invalid' },
		);
	}
	return new VeeamAuthError(`${ctx.auth.productName} login failed (${grant} grant, ${detail}).`, statusReason(response));
}

/**
 * The token endpoint at this version is not there (VB365: 404, or a 400 about the API version, at
 * `/v8/token`): the server does not serve that version, or it is not this product's server. A
 * version refusal, so that "Automatic" tries the next version (automatic.ts).
 */
function tokenPathMissing(ctx: TokenRequestContext, detail: string, serverMessage: string | undefined): VersionRefusedError {
	const others = (ctx.auth.offeredVersions ?? []).map((v) => v.value).filter((v) => v.toLowerCase() !== ctx.apiVersion.toLowerCase());
	const choose = others.length ? `choose another in the credential's "API Version" (it offers ${others.join(', ')}, or Automatic)` : 'choose the server\'s version in the credential\'s "API Version"';
	return new VersionRefusedError(
		`${ctx.auth.productName} login failed: ${ctx.baseUrl}${loginPathAt(ctx.auth, ctx.apiVersion)} does not exist on that server (${detail}). ` +
			`Either the server does not serve API version ${ctx.apiVersion}: ${choose}; or "Server URL" is not the address of a ${ctx.auth.productName} server (its REST API listens on port ${ctx.auth.defaultPort} unless changed).`,
		ctx.apiVersion,
		serverMessage,
	);
}

/** An OAuth 2.0 refusal of the grant itself (RFC 6749 5.2; VSPC's `OAuth2Error`), not of the request's form or grant type. */
function isOAuthRefusal(body: unknown): boolean {
	const error = body && typeof body === 'object' ? (body as Record<string, unknown>).error : undefined;
	return typeof error === 'string' && ['invalid_request', 'invalid_grant', 'invalid_client', 'unauthorized_client'].includes(error);
}

const DEFAULT_TOKEN_LIFETIME_SECONDS = 900;
const MAX_TOKEN_LIFETIME_SECONDS = 86_400;

function toStoredToken(ctx: TokenRequestContext, body: unknown): StoredToken {
	const b = (body ?? {}) as Record<string, unknown>;
	if (typeof b.access_token !== 'string' || !b.access_token) {
		throw new VeeamAuthError(`${ctx.auth.productName} answered the login without an access token.`);
	}
	// Honour the server's lifetime (Veeam documents 15 or 60 minutes, servers are configurable), within
	// reason: a lifetime that is no number, not positive or beyond a day is taken as 15 minutes or a day.
	const expiresIn = Number(b.expires_in);
	const lifetime = Number.isFinite(expiresIn) && expiresIn > 0 ? Math.min(expiresIn, MAX_TOKEN_LIFETIME_SECONDS) : DEFAULT_TOKEN_LIFETIME_SECONDS;
	return {
		accessToken: b.access_token,
		refreshToken: typeof b.refresh_token === 'string' ? b.refresh_token : '',
		tokenExpiresAt: new Date(Date.now() + lifetime * 1000).toISOString(),
	};
}

/** A token answer that is the first half of an MFA login: an `mfa_token`, no access token. */
function isMfaChallenge(body: unknown): boolean {
	const b = (body ?? {}) as Record<string, unknown>;
	return typeof b.mfa_token === 'string' && b.mfa_token !== '' && !(typeof b.access_token === 'string' && b.access_token !== '');
}

/**
 * A login at one API version (the credential's preAuthentication is `obtainToken`, automatic.ts):
 * refresh grant when a refresh token is stored, password grant otherwise or when the refresh is
 * refused (refresh tokens are single-use, and a parallel execution may have used ours already).
 */
export async function obtainTokenAt(
	helpers: IHttpRequestHelper['helpers'],
	credentials: ICredentialDataDecryptedObject,
	auth: VeeamProductAuth,
	apiVersion: string,
): Promise<StoredToken> {
	const ctx: TokenRequestContext = {
		baseUrl: normalizeServerUrl(credentials.url, auth.defaultPort),
		apiVersion,
		credentials,
		auth,
		secrets: credentialSecrets(credentials),
	};
	const refreshToken = typeof credentials.refreshToken === 'string' ? credentials.refreshToken : '';
	if (refreshToken) {
		const refreshed = await postTokenForm(helpers, ctx, { grant_type: grantType(auth, 'refresh_token'), refresh_token: refreshToken });
		if (refreshed.statusCode === 200) return toStoredToken(ctx, refreshed.body);
		const { errorCode, message } = loginErrorText(ctx, refreshed.body);
		if (refusesVersion(errorCode, message)) throw versionRefused(ctx, message);
		// 400/401: refused, used or expired; anything else is not a reason to give up on the password.
	}
	const username = typeof credentials.username === 'string' ? credentials.username.trim() : '';
	const password = typeof credentials.password === 'string' ? credentials.password : '';
	if (!username || !password) throw new VeeamAuthError('Username and Password are required in the credential.', { kind: 'credential-invalid' });
	const response = await postTokenForm(helpers, ctx, { grant_type: grantType(auth, 'password'), username, password });
	if (response.statusCode === 200 && !isMfaChallenge(response.body)) return toStoredToken(ctx, response.body);
	if ((response.statusCode === 202 || response.statusCode === 200) && auth.completeMfa) {
		return toStoredToken(ctx, await auth.completeMfa(helpers, ctx, (response.body ?? {}) as IDataObject));
	}
	throw loginFailure(ctx, 'password', response);
}

/** In a request path, replaced by the API version (Azure's `/api/{version}/users`). */
export const API_VERSION_SEGMENT = '{version}';

/**
 * A request header the Veeam transport sets (never sent on: `authenticate` takes it off) when, under
 * "Automatic", this execution found another version than the one kept with the token
 * (client/transport/apiVersion.ts). Only a version the package knows is taken from it.
 */
export const VERSION_OVERRIDE_HEADER = 'x-n8n-veeam-api-version';

/** The override header's value (any case of its name), taken off the headers. */
function takeOverride(headers: IHttpRequestOptions['headers']): string | undefined {
	if (!headers) return undefined;
	let value: string | undefined;
	for (const key of Object.keys(headers)) {
		if (key.toLowerCase() !== VERSION_OVERRIDE_HEADER) continue;
		value = String(headers[key]);
		delete headers[key];
	}
	return value;
}

/**
 * Adds the bearer token, the API version (`x-api-version`, or Azure's path segment in place of
 * `{version}`) and TLS trust to a request (the credential's `authenticate`). The version is the
 * pinned one, or under "Automatic" the one kept with the token (preAuthentication has run by now,
 * the credential test's included). A request given relative to `baseURL` (the credential test)
 * gets the normalised server URL.
 */
export function authenticateRequest(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
	auth: VeeamProductAuth,
): IHttpRequestOptions {
	if (requestOptions.baseURL !== undefined) requestOptions.baseURL = normalizeServerUrl(credentials.url, auth.defaultPort);
	const override = takeOverride(requestOptions.headers);
	const automatic = isAutomatic(credentials);
	const version = (automatic && knownVersion(auth, override)) || requestApiVersion(credentials, auth);
	if (auth.version.inPath && typeof requestOptions.url === 'string' && requestOptions.url.includes(API_VERSION_SEGMENT)) {
		requestOptions.url = requestOptions.url.split(API_VERSION_SEGMENT).join(version);
	}
	requestOptions.headers = {
		...requestOptions.headers,
		// An API key is the bearer token itself (VSPC); the stored "token" is then only its fingerprint (apiKey.ts).
		Authorization: `Bearer ${usesApiKey(credentials) ? String(credentials.apiKey ?? '').trim() : String(credentials.accessToken ?? '')}`,
		...(auth.version.inPath ? {} : { [versionHeaderName(auth.version)]: version }),
	};
	// The bearer token never follows a redirect (the credential test's request included).
	requestOptions.disableFollowRedirect = true;
	return applyTls(requestOptions, credentials);
}
