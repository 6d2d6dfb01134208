/**
 * What went wrong with one request, read the same way on n8n 1.x and 2.x.
 *
 * The transport asks n8n for the full response and to leave HTTP statuses to us, so status,
 * headers (Retry-After, Location) and body come from the response itself. Only failures without
 * a usable response reach us as errors: the connection (no answer, TLS, the deadline), the login
 * (the credential's preAuthentication), and the one request n8n re-sends itself after a 401.
 * n8n-workflow 1.x keeps no `cause` on its NodeApiError (a class field resets it); what it keeps
 * is `httpCode` (a status, or a network code such as ECONNRESET), `context.data` (the body) and
 * `messages` (the original message). So an error is read from those, and from `cause` where 2.x
 * has it; never from anything only one major has.
 *
 * Going the other way, the error that finally escapes tells n8n 2.40+ why it failed (`failureCause`):
 * n8n's poll scheduler backs off by it (a Retry-After as the least wait, an actionable cause for
 * 30 minutes). n8n 1.x's error classes ignore the option, so nothing else changes there.
 */
import { NodeApiError } from 'n8n-workflow';

import { bodyRetryAfterSeconds, headerValue, LOGIN_FAILED_DESCRIPTION, serverErrorEntries, networkErrorCode, redirectOrigin, retryAfterSeconds, TLS_TRUST_CODES, type LoginFailureReason } from '../login/index';

export interface Failure {
	status?: number;
	retryAfterSeconds?: number;
	body?: unknown;
	/** A network or TLS error code (ECONNRESET, ERR_CANCELED, SELF_SIGNED_CERT_IN_CHAIN …). */
	code?: string;
	/** A 3xx: where the server wanted to send us (origin only). */
	redirectTo?: string;
	/** Our login failed: the credential's message. */
	loginMessage?: string;
	/** Why, where the credential's error itself reached us (n8n 2.x keeps it as the cause; 1.x keeps only the message). */
	loginReason?: LoginFailureReason;
	/** The error a failure without an answer came from (its messages say more: a timeout, TLS). */
	error?: unknown;
}

export interface FullResponse {
	statusCode: number;
	headers?: Record<string, unknown>;
	body?: unknown;
}

/** A response whose body is text that should have been JSON is parsed here (n8n leaves it as text). */
export function parseBody(body: unknown): unknown {
	if (typeof body !== 'string') return body;
	try {
		return JSON.parse(body);
	} catch {
		return body;
	}
}

/**
 * Why a request failed, as n8n 2.40+ reads it (n8n-workflow's `Failure`, kept here as plain data:
 * n8n 1.x has no such type, and n8n reads the field without `instanceof`).
 */
export type FailureCause =
	| { cause: 'rate-limited' | 'temporarily-unavailable'; retryAfterMs?: number }
	| { cause: 'credential-invalid' | 'configuration-invalid' };

/** n8n's poll scheduler waits at most an hour whatever a server asks (its RETRY_AFTER_MAX_MS). */
export const MAX_RETRY_AFTER_MS = 3_600_000;

/** Retry-After (seconds) as n8n's wait hint: none for 0 or nonsense, at most an hour. */
export function retryAfterMs(seconds: number | undefined): number | undefined {
	if (seconds === undefined || !Number.isFinite(seconds) || seconds <= 0) return undefined;
	return Math.min(MAX_RETRY_AFTER_MS, Math.ceil(seconds * 1000));
}

/** "Come back later": the server said so. */
const RATE_LIMITED_STATUSES = new Set([429, 503]);
/** A gateway between us and the server, or the server itself, is struggling. */
const UNAVAILABLE_STATUSES = new Set([502, 504]);
/** No answer: the server is down, restarting, overloaded or unreachable for now. */
const UNAVAILABLE_CODES = new Set([
	'ECONNREFUSED',
	'ECONNRESET',
	'EPIPE',
	'ETIMEDOUT',
	'ECONNABORTED',
	'ESOCKETTIMEDOUT',
	'ERR_BAD_RESPONSE',
	'EHOSTUNREACH',
	'ENETUNREACH',
	'EAI_AGAIN',
]);
/** A certificate the credential's trust settings refuse: someone has to change the credential or the server. */
const TLS_CODES = new Set([...TLS_TRUST_CODES, 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']);

/**
 * The cause of a failure the transport gives up on; undefined where none applies (a 400, a 404
 * about a user, a 500: n8n then judges by the status itself).
 */
export function failureCause(failure: Failure, apiErrorCode?: string): FailureCause | undefined {
	if (failure.loginReason) return reasonCause(failure.loginReason) ?? (failure.loginMessage !== undefined ? loginFailureCause(failure.loginMessage) : undefined);
	if (failure.loginMessage !== undefined) return loginFailureCause(failure.loginMessage);
	// A redirect: "Server URL" is not the server's own address.
	if (failure.redirectTo !== undefined) return { cause: 'configuration-invalid' };
	const { status, code } = failure;
	if (status === undefined) {
		if (code && UNAVAILABLE_CODES.has(code)) return { cause: 'temporarily-unavailable' };
		if (code && TLS_CODES.has(code)) return { cause: 'configuration-invalid' };
		return undefined;
	}
	if (RATE_LIMITED_STATUSES.has(status)) {
		const wait = retryAfterMs(failure.retryAfterSeconds);
		return wait === undefined ? { cause: 'rate-limited' } : { cause: 'rate-limited', retryAfterMs: wait };
	}
	if (UNAVAILABLE_STATUSES.has(status)) return { cause: 'temporarily-unavailable' };
	if (status !== 401 && status !== 403 && serverSaysTryAgain(failure.body)) return { cause: 'temporarily-unavailable' };
	// A fresh login's token refused again: the account cannot use the API.
	if (status === 401) return { cause: 'credential-invalid' };
	// The server does not accept the credential's API version.
	if (apiErrorCode === 'NotImplemented') return { cause: 'configuration-invalid' };
	return undefined;
}

/** The cause a login failure's reason names; a bare network code is judged like a request's. */
function reasonCause(reason: LoginFailureReason): FailureCause | undefined {
	if (reason.kind === 'rate-limited') {
		const wait = retryAfterMs(reason.retryAfterSeconds);
		return wait === undefined ? { cause: 'rate-limited' } : { cause: 'rate-limited', retryAfterMs: wait };
	}
	if (reason.kind) return { cause: reason.kind };
	return reason.code !== undefined ? failureCause({ code: reason.code }) : undefined;
}

/**
 * The cause of a failed login, from the credential's message, where the error itself was lost (n8n
 * 1.x keeps only the message; its error classes ignore the cause anyway) (client/login: preAuthentication can
 * only throw a message, which n8n wraps; its sentences are the contract). A refused password (also
 * after a refused refresh), a missing one → the credential; an API version the server refuses, no
 * token endpoint at the address, a redirect, an untrusted certificate → its configuration; no answer
 * → the server is unavailable; 429/503 → rate-limited (the login's Retry-After is not kept).
 */
export function loginFailureCause(message: string): FailureCause | undefined {
	if (
		/login failed: wrong user name or password|refused the login because this account has multi-factor|: a wrong user name or password, or an account with multi-factor|Username and Password are required|refused the API key|knows the API key but refused|"API Key" is empty/.test(
			message,
		)
	) {
		return { cause: 'credential-invalid' };
	}
	if (/does not accept API version|does not exist on that server|answered with a redirect|TLS certificate of /.test(message)) {
		return { cause: 'configuration-invalid' };
	}
	// No answer to the login (client/login/failures.ts, describeConnectionFailure): a timeout or a network code.
	if (/ login failed\. /.test(message)) {
		const code = /\(([A-Z][A-Z0-9_]+)\)/.exec(message)?.[1];
		if (/ login failed\. No answer from /.test(message) || (code && UNAVAILABLE_CODES.has(code))) return { cause: 'temporarily-unavailable' };
		return undefined;
	}
	const status = /login failed \([^,]+ grant, (\d{3})\b/.exec(message)?.[1];
	if (status && RATE_LIMITED_STATUSES.has(Number(status))) return { cause: 'rate-limited' };
	if (status && UNAVAILABLE_STATUSES.has(Number(status))) return { cause: 'temporarily-unavailable' };
	return undefined;
}

/** VSPC's error types "fixed by sending the request again" (docs/vac/rest/errors.html, "Error Types"). */
const TRY_AGAIN_TYPES = new Set(['transport', 'retryablelogical']);
/** VSPC's codes of a server error that did not finish: 504 "REST API failed to access Veeam Service Provider Console server", 1051 "Requested task took too long to execute". */
const TRY_AGAIN_CODES = new Set([504, 1051]);

/**
 * Whether VSPC's error body says the request may succeed when sent again: every entry of `errors`
 * is of type transport or retryableLogical, or one carries code 504 or 1051 (which arrive as HTTP
 * 520, VSPC's status for every server error). Other bodies say nothing of the kind.
 */
export function serverSaysTryAgain(body: unknown): boolean {
	const entries = body && typeof body === 'object' ? serverErrorEntries((body as Record<string, unknown>).errors) : [];
	if (!entries.length) return false;
	if (entries.some((e) => e.code !== undefined && TRY_AGAIN_CODES.has(e.code))) return true;
	return entries.every((e) => e.type !== undefined && TRY_AGAIN_TYPES.has(e.type.toLowerCase()));
}

/** A non-2xx full response as a Failure. */
export function failureFromResponse(response: FullResponse, requestUrl: string): Failure {
	const status = response.statusCode;
	const body = parseBody(response.body);
	// The Retry-After header, else VSPC's `retryAfter` in the body (docs/vac/rest/throttling.html).
	const failure: Failure = { status, body, retryAfterSeconds: retryAfterSeconds(response.headers) ?? bodyRetryAfterSeconds(body) };
	if (status >= 300 && status < 400) failure.redirectTo = redirectOrigin(headerValue(response.headers, 'location'), requestUrl);
	return failure;
}

/** The login failure's message, when `error` is (or wraps) one of the credential's. */
export function loginMessageOf(error: unknown): string | undefined {
	let e = error as { name?: unknown; message?: unknown; description?: unknown; messages?: unknown; cause?: unknown } | undefined;
	for (let depth = 0; e && depth < 5; depth++) {
		if (e.name === 'VeeamAuthError' && typeof e.message === 'string') return e.message;
		// n8n's wrapping copies the description and keeps the original message first in `messages`.
		if (e.description === LOGIN_FAILED_DESCRIPTION) {
			const first = Array.isArray(e.messages) ? e.messages.find((m): m is string => typeof m === 'string') : undefined;
			return first ?? (typeof e.message === 'string' ? e.message : undefined);
		}
		e = e.cause as typeof e;
	}
	return undefined;
}

/** The credential's own reason, where its error survives in the chain (n8n 2.x). */
function loginReasonOf(error: unknown): LoginFailureReason | undefined {
	let e = error as { name?: unknown; reason?: unknown; cause?: unknown } | undefined;
	for (let depth = 0; e && depth < 5; depth++) {
		if (e.name === 'VeeamAuthError') return typeof e.reason === 'object' && e.reason !== null ? (e.reason as LoginFailureReason) : undefined;
		e = e.cause as typeof e;
	}
	return undefined;
}

/** A thrown request error as a Failure. */
export function failureFromError(error: unknown): Failure {
	const loginMessage = loginMessageOf(error);
	if (loginMessage) return { loginMessage, loginReason: loginReasonOf(error) };
	const api = error instanceof NodeApiError ? error : undefined;
	// 2.x keeps the HTTP stack's error as `cause`; 1.x keeps nothing there.
	const cause = (api ? api.cause : error) as
		| { response?: { status?: number; headers?: Record<string, unknown>; data?: unknown } }
		| undefined;
	const httpCode = api?.httpCode ?? undefined;
	const numeric = httpCode !== undefined && /^\d{3}$/.test(httpCode) ? Number(httpCode) : undefined;
	const status = cause?.response?.status ?? numeric;
	if (status === undefined) {
		// 2.x: the code on the cause chain; 1.x: n8n's httpCode holds it.
		return { code: networkErrorCode(error), error };
	}
	const body = parseBody(cause?.response?.data ?? (api?.context?.data as unknown));
	return { status, body, retryAfterSeconds: retryAfterSeconds(cause?.response?.headers) ?? bodyRetryAfterSeconds(body) };
}
