import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

/**
 * What the two Veeam credentials share: the server URL rules, the API version setting, TLS trust,
 * the OAuth2 token grants (password → refresh → back to password) and turning failures into
 * messages an n8n user can act on. Nothing here ever puts a password or token into a message.
 */

export interface VeeamProductAuth {
	/** e.g. 'Veeam Backup & Replication' */
	productName: string;
	defaultPort: number;
	loginPath: string;
	/** What to do when the password grant answers 202 (VBGC's MFA challenge). */
	completeMfa?: (
		helpers: IHttpRequestHelper['helpers'],
		ctx: TokenRequestContext,
		challenge: IDataObject,
	) => Promise<IDataObject>;
}

export interface TokenRequestContext {
	baseUrl: string;
	apiVersion: string;
	credentials: ICredentialDataDecryptedObject;
	auth: VeeamProductAuth;
}

/** The fields preAuthentication stores in the credential (the access token is the expirable one). */
export interface StoredToken extends IDataObject {
	accessToken: string;
	refreshToken: string;
	/** ISO time the access token expires, from the server's `expires_in`. */
	tokenExpiresAt: string;
}

export class VeeamAuthError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'VeeamAuthError';
	}
}

/**
 * A credential field whose value cannot work, found without a request. The message starts with the
 * field's name as the form shows it; the node also gets field and problem apart, to name the item.
 */
export class CredentialFieldError extends VeeamAuthError {
	constructor(
		readonly field: string,
		readonly problem: string,
	) {
		super(`${field} ${problem}`);
	}
}

/** `https://host[:port]` with the product's default port added; anything else is refused with a reason. */
export function normalizeServerUrl(raw: unknown, defaultPort: number): string {
	const field = 'Server URL';
	const text = typeof raw === 'string' ? raw.trim() : '';
	if (!text) throw new CredentialFieldError(field, 'is empty: enter the address of the Veeam server, e.g. https://vbr.example.com:9419');
	if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
		throw new CredentialFieldError(field, `"${text}" has no scheme: write it as https://${text}`);
	}
	if (!URL.canParse(text)) throw new CredentialFieldError(field, `"${text}" is not a valid URL`);
	const url = new URL(text);
	if (url.protocol !== 'https:') {
		throw new CredentialFieldError(field, `must use https:// (Veeam's REST API is HTTPS only), not ${url.protocol}//`);
	}
	if (url.username || url.password) {
		throw new CredentialFieldError(field, 'must not contain a user name or password: use the credential fields');
	}
	if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
		throw new CredentialFieldError(
			field,
			`must be only the server address (https://host:port), without a path such as "${url.pathname}${url.search}"`,
		);
	}
	// `hostname` keeps the brackets of an IPv6 address.
	return `https://${url.hostname}:${url.port || defaultPort}`;
}

export function resolveApiVersion(credentials: ICredentialDataDecryptedObject): string {
	const chosen = String(credentials.apiVersion ?? '');
	const custom = chosen === 'custom';
	const version = custom ? String(credentials.customApiVersion ?? '').trim() : chosen;
	if (!/^\d+\.\d+-rev\d+$/.test(version)) {
		throw new CredentialFieldError(custom ? 'Custom API Version' : 'API Version', `"${version}" is not in Veeam's format <major>.<minor>-rev<n>, e.g. 1.3-rev1`);
	}
	return version;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** The CA certificate of the credential ('' when none is given); refused when it is not PEM. */
function caCertificateOf(credentials: ICredentialDataDecryptedObject): string {
	const ca = typeof credentials.caCertificate === 'string' ? credentials.caCertificate.trim() : '';
	if (ca && !PEM_CERT.test(ca)) {
		throw new CredentialFieldError(
			'CA Certificate',
			'is not a PEM certificate: paste the text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----',
		);
	}
	return ca;
}

export const DEFAULT_TIMEOUT_SECONDS = 30;
const MAX_TIMEOUT_SECONDS = 600;

/**
 * The credential's request timeout in milliseconds. Credentials saved before the field existed
 * have none: they get the default.
 */
export function requestTimeoutMs(credentials: ICredentialDataDecryptedObject): number {
	const raw = credentials.timeoutSeconds;
	if (raw === undefined || raw === null || raw === '') return DEFAULT_TIMEOUT_SECONDS * 1000;
	const seconds = typeof raw === 'number' ? raw : Number(raw);
	if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMEOUT_SECONDS) {
		throw new CredentialFieldError('Request Timeout (Seconds)', `must be a number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}, not ${JSON.stringify(raw)}`);
	}
	return Math.round(seconds * 1000);
}

/** Checks every credential field that can be checked without a request; throws CredentialFieldError. */
export function checkCredentialFields(credentials: ICredentialDataDecryptedObject, defaultPort: number): void {
	normalizeServerUrl(credentials.url, defaultPort);
	resolveApiVersion(credentials);
	caCertificateOf(credentials);
	requestTimeoutMs(credentials);
}

/**
 * TLS trust: a given CA / self-signed certificate is trusted and verification stays on; only when
 * no certificate is given does "skip certificate validation" apply.
 */
export function applyTls(options: IHttpRequestOptions, credentials: ICredentialDataDecryptedObject): IHttpRequestOptions {
	const ca = caCertificateOf(credentials);
	if (ca) {
		options.agentOptions = { ...options.agentOptions, ca };
		options.skipSslCertificateValidation = false;
	} else if (credentials.skipTlsVerification === true) {
		options.skipSslCertificateValidation = true;
	}
	return options;
}

const TLS_TRUST_CODES = new Set([
	'SELF_SIGNED_CERT_IN_CHAIN',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'UNABLE_TO_GET_ISSUER_CERT',
	'CERT_UNTRUSTED',
	'CERT_SIGNATURE_FAILURE',
]);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNABORTED']);

/** The error code of a failed request, wherever the HTTP stack put it. */
export function networkErrorCode(error: unknown): string | undefined {
	let e = error as { code?: unknown; cause?: unknown } | undefined;
	for (let depth = 0; e && depth < 5; depth++) {
		if (typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code)) return e.code;
		e = e.cause as typeof e;
	}
	return undefined;
}

/** The messages of an error and its causes, joined. */
function errorMessages(error: unknown): string {
	const parts: string[] = [];
	let e = error as { message?: unknown; cause?: unknown } | undefined;
	for (let depth = 0; e && depth < 5; depth++) {
		if (typeof e.message === 'string') parts.push(e.message);
		e = e.cause as typeof e;
	}
	return parts.join(' | ');
}

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/**
 * A message for a failure before any HTTP answer: unreachable host, untrusted certificate, no
 * answer within `timeoutMs` (the credential's Request Timeout), ….
 */
export function describeConnectionFailure(error: unknown, baseUrl: string, timeoutMs?: number): string {
	const code = networkErrorCode(error);
	if (timeoutMs !== undefined && ((code && TIMEOUT_CODES.has(code)) || /timeout of \d+ ?ms exceeded/i.test(errorMessages(error)))) {
		return (
			`No answer from ${baseUrl} within ${timeoutMs / 1000} s (the credential's "Request Timeout (Seconds)"; ${code ?? 'timeout'}): ` +
			'the server is slow or unreachable. If it is known to be slow, raise the timeout.'
		);
	}
	// Some n8n versions keep only the message of a TLS failure (n8n 1.x ignores a per-request CA).
	const untrustedByMessage = !code && /self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer certificate/i.test(errorMessages(error));
	if ((code && TLS_TRUST_CODES.has(code)) || untrustedByMessage) {
		return (
			`The TLS certificate of ${baseUrl} is not trusted (${code ?? 'certificate not trusted'}). Paste the server's certificate, or the CA that signed it, ` +
			`as PEM into the credential's "CA Certificate" field (n8n 2.x; on n8n 1.x give n8n the CA with NODE_EXTRA_CA_CERTS). ` +
			`Only if you cannot, turn on "Skip Certificate Validation".`
		);
	}
	if (code === 'CERT_HAS_EXPIRED') return `The TLS certificate of ${baseUrl} has expired (${code}): renew it on the Veeam server.`;
	if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
		return `The TLS certificate of ${baseUrl} is not issued for this host name (${code}): use the name the certificate was issued for.`;
	}
	if (code && UNREACHABLE_CODES.has(code)) {
		return `Cannot reach ${baseUrl} (${code}): check the address and port, and that n8n can connect to the Veeam server.`;
	}
	return `The request to ${baseUrl} failed${code ? ` (${code})` : ''}.`;
}

/** Veeam error bodies: VBR `{ errorCode, message }`, the cloud products' problem details `{ errorCode, title, details }`. */
export function veeamErrorText(body: unknown): { errorCode?: string; message?: string } {
	if (!body || typeof body !== 'object') return {};
	const b = body as Record<string, unknown>;
	const message = [b.message, b.details, b.title].find((v) => typeof v === 'string' && v.trim() !== '') as string | undefined;
	return { errorCode: typeof b.errorCode === 'string' ? b.errorCode : undefined, message };
}

/** For `NotImplemented`: the versions the server names, when it names them. */
export function supportedVersionsFrom(message: string | undefined): string[] {
	const match = /supported versions?:?\s*([0-9a-z.,\s-]+)/i.exec(message ?? '');
	return match ? (match[1].match(/\d+\.\d+-rev\d+/g) ?? []) : [];
}

export function unsupportedVersionMessage(apiVersion: string, serverMessage: string | undefined): string {
	const versions = supportedVersionsFrom(serverMessage);
	return (
		`The server does not accept API version ${apiVersion}. ` +
		(versions.length
			? `It supports: ${versions.join(', ')}. Choose one of them in the credential's "API Version".`
			: 'Choose the version that matches the server release in the credential\'s "API Version" (see Veeam\'s REST API reference for the release).')
	);
}

interface FullResponse {
	statusCode: number;
	body: unknown;
}

/** One form-encoded POST to the token endpoint; never throws an error carrying the form (it holds secrets). */
export async function postTokenForm(
	helpers: IHttpRequestHelper['helpers'],
	ctx: TokenRequestContext,
	form: Record<string, string>,
): Promise<FullResponse> {
	const options: IHttpRequestOptions = applyTls(
		{
			method: 'POST',
			url: `${ctx.baseUrl}${ctx.auth.loginPath}`,
			headers: {
				'x-api-version': ctx.apiVersion,
				'Content-Type': 'application/x-www-form-urlencoded',
				Accept: 'application/json',
			},
			body: new URLSearchParams(form).toString(),
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			json: false,
			timeout: requestTimeoutMs(ctx.credentials),
		},
		ctx.credentials,
	);
	// preAuthentication runs without a node, so NodeApiError is not available here: the failure is
	// turned into our own message (never the request, which holds the password) and n8n wraps it.
	const response = await helpers.httpRequest(options).then(
		(r) => r as { statusCode: number; body: unknown },
		(error: unknown) =>
			new VeeamAuthError(`${ctx.auth.productName} login failed. ${describeConnectionFailure(error, ctx.baseUrl, requestTimeoutMs(ctx.credentials))}`),
	);
	if (response instanceof VeeamAuthError) throw response;
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
	return { statusCode: response.statusCode, body };
}

function loginFailure(ctx: TokenRequestContext, grant: string, response: FullResponse): VeeamAuthError {
	const { errorCode, message } = veeamErrorText(response.body);
	if (errorCode === 'NotImplemented') return new VeeamAuthError(unsupportedVersionMessage(ctx.apiVersion, message));
	const detail = `${response.statusCode}${errorCode ? ` ${errorCode}` : ''}${message ? `: ${message}` : ''}`;
	if (grant === 'password' && response.statusCode === 401) {
		if (/multi-factor|\bmfa\b/i.test(message ?? '')) {
			return new VeeamAuthError(
				`${ctx.auth.productName} refused the login because this account has multi-factor authentication on (${detail}). ` +
					'REST automation cannot answer an MFA prompt: use a service account (MFA off) for n8n.',
			);
		}
		return new VeeamAuthError(`${ctx.auth.productName} login failed: wrong user name or password (${detail}).`);
	}
	return new VeeamAuthError(`${ctx.auth.productName} login failed (${grant} grant, ${detail}).`);
}

function toStoredToken(ctx: TokenRequestContext, body: unknown): StoredToken {
	const b = (body ?? {}) as Record<string, unknown>;
	if (typeof b.access_token !== 'string' || !b.access_token) {
		throw new VeeamAuthError(`${ctx.auth.productName} answered the login without an access token.`);
	}
	// Honour the server's lifetime; Veeam documents 15 or 60 minutes but servers are configurable.
	const expiresIn = Number(b.expires_in);
	const lifetime = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 900;
	return {
		accessToken: b.access_token,
		refreshToken: typeof b.refresh_token === 'string' ? b.refresh_token : '',
		tokenExpiresAt: new Date(Date.now() + lifetime * 1000).toISOString(),
	};
}

/**
 * The credential's preAuthentication: refresh grant when a refresh token is stored, password grant
 * otherwise or when the refresh is refused (refresh tokens are single-use, and a parallel execution
 * may have used ours already).
 */
export async function obtainToken(
	helpers: IHttpRequestHelper['helpers'],
	credentials: ICredentialDataDecryptedObject,
	auth: VeeamProductAuth,
): Promise<StoredToken> {
	const ctx: TokenRequestContext = {
		baseUrl: normalizeServerUrl(credentials.url, auth.defaultPort),
		apiVersion: resolveApiVersion(credentials),
		credentials,
		auth,
	};
	const refreshToken = typeof credentials.refreshToken === 'string' ? credentials.refreshToken : '';
	if (refreshToken) {
		const refreshed = await postTokenForm(helpers, ctx, { grant_type: 'refresh_token', refresh_token: refreshToken });
		if (refreshed.statusCode === 200) return toStoredToken(ctx, refreshed.body);
		const { errorCode, message } = veeamErrorText(refreshed.body);
		if (errorCode === 'NotImplemented') throw new VeeamAuthError(unsupportedVersionMessage(ctx.apiVersion, message));
		// 400/401: refused, used or expired; anything else is not a reason to give up on the password.
	}
	const username = typeof credentials.username === 'string' ? credentials.username.trim() : '';
	const password = typeof credentials.password === 'string' ? credentials.password : '';
	if (!username || !password) throw new VeeamAuthError('Username and Password are required in the credential.');
	const response = await postTokenForm(helpers, ctx, { grant_type: 'password', username, password });
	if (response.statusCode === 200) return toStoredToken(ctx, response.body);
	if (response.statusCode === 202 && auth.completeMfa) {
		return toStoredToken(ctx, await auth.completeMfa(helpers, ctx, (response.body ?? {}) as IDataObject));
	}
	throw loginFailure(ctx, 'password', response);
}

/**
 * Adds the bearer token, `x-api-version` and TLS trust to a request (the credential's `authenticate`).
 * A request given relative to `baseURL` (the credential test) gets the normalised server URL.
 */
export function authenticateRequest(
	credentials: ICredentialDataDecryptedObject,
	requestOptions: IHttpRequestOptions,
	auth: VeeamProductAuth,
): IHttpRequestOptions {
	if (requestOptions.baseURL !== undefined) requestOptions.baseURL = normalizeServerUrl(credentials.url, auth.defaultPort);
	requestOptions.headers = {
		...requestOptions.headers,
		Authorization: `Bearer ${String(credentials.accessToken ?? '')}`,
		'x-api-version': resolveApiVersion(credentials),
	};
	return applyTls(requestOptions, credentials);
}
