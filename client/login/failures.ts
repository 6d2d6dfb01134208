/**
 * Failures of a request to a Veeam server, as sentences an n8n user can act on: no answer, TLS,
 * Veeam's error bodies, a refused API version. Nothing here ever repeats a password or a token.
 */
/**
 * The description of every login failure. n8n wraps what preAuthentication throws in a NodeApiError
 * that keeps neither the class nor (on n8n 1.x) the cause, but copies the description and keeps the
 * original message first in `messages`: this sentence is how the node recognises its own login failure.
 */
export const LOGIN_FAILED_DESCRIPTION = 'The credential could not log in to the Veeam server.';

/**
 * Why a login failed, in the words of n8n 2.40+'s `failure` causes (the transport turns it into the
 * cause of the node's error: client/transport/failure.ts). Kept on the error as data, so that no
 * one has to read it back out of the message.
 */
export interface LoginFailureReason {
	kind?: 'rate-limited' | 'temporarily-unavailable' | 'credential-invalid' | 'configuration-invalid';
	/** The login got no answer: the network or TLS code, for the transport to judge like a request's. */
	code?: string;
	/** A 429/503 login's Retry-After, in seconds. */
	retryAfterSeconds?: number;
}

export class VeeamAuthError extends Error {
	readonly description = LOGIN_FAILED_DESCRIPTION;

	constructor(
		message: string,
		readonly reason: LoginFailureReason = {},
	) {
		super(message);
		this.name = 'VeeamAuthError';
	}
}

/** A Retry-After header's wait in seconds (delta-seconds or an HTTP date), undefined when absent or unreadable. */
export function retryAfterSeconds(headers: Record<string, unknown> | undefined): number | undefined {
	const value = headerValue(headers, 'retry-after');
	if (value === undefined || value.trim() === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds;
	const at = Date.parse(value);
	return Number.isFinite(at) ? Math.max(0, (at - Date.now()) / 1000) : undefined;
}

/**
 * Why a login got no answer: our deadline (unavailable for now), or the network or TLS code, which
 * the transport judges as it judges a request's (client/transport/failure.ts, failureCause).
 */
export function connectionFailureReason(error: unknown, timedOut: boolean): LoginFailureReason {
	return timedOut ? { kind: 'temporarily-unavailable' } : { code: networkErrorCode(error) };
}

/** Certificates the credential's trust settings refuse (the transport's causes build on this list). */
export const TLS_TRUST_CODES: ReadonlySet<string> = new Set([
	'SELF_SIGNED_CERT_IN_CHAIN',
	'DEPTH_ZERO_SELF_SIGNED_CERT',
	'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
	'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
	'UNABLE_TO_GET_ISSUER_CERT',
	'CERT_UNTRUSTED',
	'CERT_SIGNATURE_FAILURE',
]);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNABORTED']);

const CODE = /^[A-Z][A-Z0-9_]+$/;

/**
 * The error code of a failed request, wherever the HTTP stack put it: `code` on the error or its
 * causes, or (n8n 1.x, whose NodeApiError keeps no cause) n8n's `httpCode` when it is a code.
 */
export function networkErrorCode(error: unknown): string | undefined {
	let e = error as { code?: unknown; httpCode?: unknown; cause?: unknown } | undefined;
	for (let depth = 0; e && depth < 5; depth++) {
		if (typeof e.code === 'string' && CODE.test(e.code)) return e.code;
		if (typeof e.httpCode === 'string' && CODE.test(e.httpCode)) return e.httpCode;
		e = e.cause as typeof e;
	}
	return undefined;
}

/** The messages of an error and its causes (and the originals n8n keeps in `messages`), joined. */
function errorMessages(error: unknown): string {
	const parts: string[] = [];
	let e = error as { message?: unknown; messages?: unknown; cause?: unknown } | undefined;
	for (let depth = 0; e && depth < 5; depth++) {
		if (typeof e.message === 'string') parts.push(e.message);
		if (Array.isArray(e.messages)) parts.push(...e.messages.filter((m): m is string => typeof m === 'string'));
		e = e.cause as typeof e;
	}
	return parts.join(' | ');
}

const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT']);

export interface ConnectionContext {
	/** The credential's Request Timeout, for a request that got no answer in time. */
	timeoutMs?: number;
	/** Whether the credential has a CA certificate (on n8n 1.x it is not used: the advice differs). */
	caGiven?: boolean;
	/** Whether this n8n passes the credential's CA to its HTTPS agent (2.x) or not (1.x). */
	requestCaUsed?: boolean;
}

/** What to do about a certificate n8n does not trust, for this n8n and this credential. */
function trustAdvice(tls: ConnectionContext): string {
	if (tls.requestCaUsed === false) {
		const ca = tls.caGiven ? 'n8n 1.x does not use the credential\'s "CA Certificate" field. ' : '';
		return `${ca}Give n8n the server's certificate (or the CA that signed it) with the NODE_EXTRA_CA_CERTS environment variable and restart n8n; only if you cannot, turn on "Skip Certificate Validation".`;
	}
	return 'Paste the server\'s certificate, or the CA that signed it, as PEM into the credential\'s "CA Certificate" field. Only if you cannot, turn on "Skip Certificate Validation".';
}

/**
 * A message for a failure before any HTTP answer: unreachable host, untrusted certificate, no
 * answer within the credential's Request Timeout, ….
 */
export function describeConnectionFailure(error: unknown, baseUrl: string, tls: ConnectionContext = {}): string {
	const { timeoutMs } = tls;
	const code = networkErrorCode(error);
	if (timeoutMs !== undefined && ((code && TIMEOUT_CODES.has(code)) || /timeout of \d+ ?ms exceeded/i.test(errorMessages(error)))) {
		return (
			`No answer from ${baseUrl} within ${timeoutMs / 1000} s (the credential's "Request Timeout (Seconds)"; ${code ?? 'timeout'}): ` +
			'the server is slow or unreachable. If it is known to be slow, raise the timeout.'
		);
	}
	// Some n8n versions keep only the message of a TLS failure.
	const untrustedByMessage = !code && /self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer certificate/i.test(errorMessages(error));
	if ((code && TLS_TRUST_CODES.has(code)) || untrustedByMessage) {
		return `The TLS certificate of ${baseUrl} is not trusted (${code ?? 'certificate not trusted'}). ${trustAdvice(tls)}`;
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

/**
 * A .NET stack frame ("   at Veeam.Archiver.X.Method(Guid id)") and all after it: a server (VB365's
 * RESTExceptionInfo, seen in a `message` too) may put its stack trace into its words; not for the user.
 */
const STACK_FRAME = /\s+at [A-Za-z_][\w.`$<>+]*\.[\w`$<>]+\s*\(/;

function withoutStackTrace(v: string): string {
	const at = v.search(STACK_FRAME);
	return (at >= 0 ? v.slice(0, at) : v).trim();
}

/**
 * Veeam error bodies: VBR `{ errorCode, message, resourceId? }`, the cloud products' problem
 * details `{ errorCode, title, details, instance? }`, VSPC's `{ errors: [{ message, type, code }] }`
 * (docs/vac/rest/errors.html), an OAuth 2.0 error `{ error, error_description }` (VSPC's token
 * endpoint: the 3.6.1 spec's `OAuth2Error`) and ASP.NET API Versioning's `{ error: { code, message } }`
 * (the one answer on record of VSPC to a version it does not serve: VeeamHub/powershell issue 173).
 * Only text fields are taken, and only so much.
 */
export function veeamErrorText(body: unknown): { errorCode?: string; message?: string; resourceId?: string } {
	if (!body || typeof body !== 'object') return {};
	const b = body as Record<string, unknown>;
	const text = (v: unknown) => (typeof v === 'string' && withoutStackTrace(v) !== '' ? withoutStackTrace(v).slice(0, MAX_SERVER_TEXT) : undefined);
	const inner = b.error && typeof b.error === 'object' && !Array.isArray(b.error) ? (b.error as Record<string, unknown>) : {};
	// VBR `message`, AWS `details`, problem details' `detail` (Azure: the why, where `title` is only the
	// status's name), and problem details' field `errors`: which field is wrong and why.
	const summary = text(b.message) ?? text(b.details) ?? text(b.detail) ?? text(b.title) ?? text(b.error_description) ?? text(inner.message);
	const detail = text(b.detail);
	const parts = [summary, detail === summary ? undefined : detail, fieldErrorsText(b.errors), serverErrorsText(b.errors)].filter((p): p is string => p !== undefined);
	const message = parts.length ? parts.join(' ').slice(0, MAX_SERVER_TEXT) : undefined;
	return { errorCode: text(b.errorCode) ?? text(b.error) ?? text(inner.code), message, resourceId: text(b.resourceId) ?? text(b.instance) };
}

/** One entry of VSPC's `errors` (docs/vac/rest/errors.html), as far as it is text or a number. */
export interface ServerErrorEntry {
	message?: string;
	/** transport, logical, retryableLogical, security or unspecified. */
	type?: string;
	/** VSPC's code: the HTTP status, or its own (1001: a JSON Patch refused). */
	code?: number;
	/** `parameterName` or `propertyName`: which input is wrong. */
	field?: string;
	/** A 429's `retryAfter` (docs/vac/rest/throttling.html), seconds. */
	retryAfterSeconds?: number;
}

/** The most entries of VSPC's `errors` a message names. */
const MAX_SERVER_ERRORS = 10;

/** VSPC's `errors` array, each entry's text and numbers only (nothing else of a server's answer is kept). */
export function serverErrorEntries(errors: unknown): ServerErrorEntry[] {
	if (!Array.isArray(errors)) return [];
	const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, MAX_SERVER_TEXT) : undefined);
	const number = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
	return errors
		.filter((e): e is Record<string, unknown> => e !== null && typeof e === 'object' && !Array.isArray(e))
		.slice(0, MAX_SERVER_ERRORS)
		.map((e) => {
			const retryAfter = number(e.retryAfter);
			const entry: ServerErrorEntry = { message: text(e.message), type: text(e.type), code: number(e.code), field: text(e.parameterName) ?? text(e.propertyName) };
			if (retryAfter !== undefined && retryAfter >= 0) entry.retryAfterSeconds = retryAfter;
			return entry;
		});
}

/** VSPC's `errors` as text: `offset: Property value must be larger or equal to 0.; …` (entries without a message say nothing). */
function serverErrorsText(errors: unknown): string | undefined {
	const parts = serverErrorEntries(errors)
		.filter((e) => e.message !== undefined)
		.map((e) => (e.field ? `${e.field.slice(0, 200)}: ${e.message}` : String(e.message)));
	return parts.length ? parts.join('; ') : undefined;
}

/** A VSPC 429's `retryAfter` (the largest of its entries), seconds; undefined when none says. */
export function bodyRetryAfterSeconds(body: unknown): number | undefined {
	if (!body || typeof body !== 'object') return undefined;
	const waits = serverErrorEntries((body as Record<string, unknown>).errors)
		.map((e) => e.retryAfterSeconds)
		.filter((w): w is number => w !== undefined);
	return waits.length ? Math.max(...waits) : undefined;
}

/** The most fields of problem details' `errors` a message names. */
const MAX_FIELD_ERRORS = 10;

/**
 * Problem details' `errors` (ASP.NET Core: `{ "Name": ["The Name field is required."] }`) as text,
 * `Name: The Name field is required.; $.role: …`; only strings are taken.
 */
function fieldErrorsText(errors: unknown): string | undefined {
	if (!errors || typeof errors !== 'object' || Array.isArray(errors)) return undefined;
	const parts = Object.entries(errors as Record<string, unknown>)
		.slice(0, MAX_FIELD_ERRORS)
		.map(([field, messages]) => {
			const list = (Array.isArray(messages) ? messages : [messages]).filter((m): m is string => typeof m === 'string' && m.trim() !== '');
			return `${field.slice(0, 200) || '(body)'}: ${list.length ? list.map((m) => m.trim()).join(' ') : 'invalid'}`;
		});
	return parts.length ? parts.join('; ') : undefined;
}

/** The most of a server's error text we repeat. */
const MAX_SERVER_TEXT = 1000;

/**
 * For `NotImplemented`: the versions the server names, in whatever words. The simulator says
 * "Supported versions: 1.3-rev1, 1.3-rev2."; real VBR says "Unsupported RESTAPI version. The
 * following versions are supported: v1.0-rev1, …". Every `<major>.<minor>-rev<n>` in the message,
 * with or without a leading `v`, except the one that was refused.
 */
export function supportedVersionsFrom(message: string | undefined, refused?: string): string[] {
	const found = (message ?? '').match(/(?<![\w.])v?\d+\.\d+-rev\d+\b/gi) ?? [];
	const versions = found.map((v) => v.replace(/^v/i, '').toLowerCase()).filter((v) => v !== refused?.toLowerCase());
	return [...new Set(versions)];
}

/**
 * For a refused API version. VBR's reference words it "The specified API version is not supported."
 * (1.3-rev2, ErrorNotImplementedExample), naming none; real servers have been reported to list them.
 * Either way the message says what the server named, else what the credential offers (`offered`).
 */
export function unsupportedVersionMessage(apiVersion: string, serverMessage: string | undefined, offered: readonly string[] = []): string {
	const versions = supportedVersionsFrom(serverMessage, apiVersion);
	if (versions.length) return `The server does not accept API version ${apiVersion}. It supports: ${versions.join(', ')}. Choose one of them in the credential's "API Version".`;
	const others = offered.filter((v) => v.toLowerCase() !== apiVersion.toLowerCase());
	return (
		`The server does not accept API version ${apiVersion} and does not say which it supports. ` +
		(others.length
			? `Choose another in the credential's "API Version": it offers ${others.join(', ')} (or Custom); take the one of the server's release (see Veeam's REST API reference for the release).`
			: 'Choose the version that matches the server release in the credential\'s "API Version" (see Veeam\'s REST API reference for the release).')
	);
}

/**
 * A password grant refused with 401. A server that completes MFA in the login (`completesMfa`: VBGC,
 * AWS, Azure answer with an MFA token) refuses only a wrong user name or password here. VBR does
 * not: its MFA is interactive ("MFA is not supported for non-interactive connections used by …
 * Veeam Backup & Replication REST API … you must disable MFA for the accounts used", VBR user guide,
 * Multi-Factor Authentication), and the only public record of its answer to an MFA account is the
 * same 401 `AccessDenied` "Authentication failed" a wrong password gets. So its advice covers both;
 * a message that names MFA narrows it.
 */
export function passwordRefusedMessage(productName: string, completesMfa: boolean, detail: string, message: string | undefined): string {
	const service = 'REST automation cannot answer an MFA prompt: log in with a service account (marked as one in Users and Roles, or with the Set Service Account Mode operation; MFA never applies to it).';
	if (/multi-factor|\bmfa\b/i.test(message ?? '')) {
		return `${productName} refused the login because this account has multi-factor authentication on (${detail}). ${service}`;
	}
	if (completesMfa) return `${productName} login failed: wrong user name or password (${detail}).`;
	return (
		`${productName} login failed (${detail}): a wrong user name or password, or an account with multi-factor authentication on ` +
		`(the server answers both alike). Check the user name and password; if they are right, ${service}`
	);
}

/** A header's value, whatever its case (the first of several). */
export function headerValue(headers: Record<string, unknown> | undefined, name: string): string | undefined {
	if (!headers) return undefined;
	const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
	const value = key === undefined ? undefined : headers[key];
	return Array.isArray(value) ? String(value[0]) : value === undefined || value === null ? undefined : String(value);
}

/**
 * Where a redirect's `Location` points (relative to the request URL), as its origin only: never
 * its path or query, which may carry anything.
 */
export function redirectOrigin(location: string | undefined, requestUrl: string): string {
	if (!location) return 'an address it did not give';
	try {
		const target = new URL(location, requestUrl);
		return `${target.protocol}//${target.host}`;
	} catch {
		return 'an address that is not a valid URL';
	}
}
