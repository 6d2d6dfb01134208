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
 */
import { NodeApiError } from 'n8n-workflow';

import { headerValue, LOGIN_FAILED_DESCRIPTION, networkErrorCode, redirectOrigin } from '../login/index';

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

function retryAfter(headers: Record<string, unknown> | undefined): number | undefined {
	const value = headerValue(headers, 'retry-after');
	if (value === undefined || value.trim() === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds) && seconds >= 0) return seconds;
	// The HTTP-date form.
	const at = Date.parse(value);
	return Number.isFinite(at) ? Math.max(0, (at - Date.now()) / 1000) : undefined;
}

/** A non-2xx full response as a Failure. */
export function failureFromResponse(response: FullResponse, requestUrl: string): Failure {
	const status = response.statusCode;
	const failure: Failure = { status, body: parseBody(response.body), retryAfterSeconds: retryAfter(response.headers) };
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

/** A thrown request error as a Failure. */
export function failureFromError(error: unknown): Failure {
	const loginMessage = loginMessageOf(error);
	if (loginMessage) return { loginMessage };
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
	const body = cause?.response?.data ?? (api?.context?.data as unknown);
	return { status, body: parseBody(body), retryAfterSeconds: retryAfter(cause?.response?.headers) };
}
