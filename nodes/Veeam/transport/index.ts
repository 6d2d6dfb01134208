import {
	NodeApiError,
	sleep,
	type IDataObject,
	type IExecuteFunctions,
	type IHttpRequestMethods,
	type IHttpRequestOptions,
	type ILoadOptionsFunctions,
	type IPollFunctions,
	type JsonObject,
} from 'n8n-workflow';

import {
	describeConnectionFailure,
	networkErrorCode,
	normalizeServerUrl,
	requestTimeoutMs,
	unsupportedVersionMessage,
	veeamErrorText,
} from '../../../credentials/common/connection';
import type { Product } from '../adapters/types';

/** Everything that can call the Veeam API: the action node, list search and the trigger. */
export type VeeamContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

export const CREDENTIAL_TYPE: Record<Product, string> = {
	vbr: 'veeamBackupReplicationApi',
	vbgc: 'veeamBackupGoogleCloudApi',
};
export const DEFAULT_PORT: Record<Product, number> = { vbr: 9419, vbgc: 13140 };

export interface VeeamRequest {
	method: IHttpRequestMethods;
	/** Path below the server URL, e.g. `/api/v1/security/users`. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	/**
	 * Whether sending the request twice is harmless. Non-idempotent requests (creates) are retried
	 * only when the server said it did nothing (429, 503); after an unclear failure the caller gets
	 * an `UnclearOutcomeError` and must look before trying again.
	 */
	idempotent?: boolean;
	itemIndex?: number;
}

export interface RetryPolicy {
	maxRetries: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** Longest Retry-After we are willing to wait, seconds. */
	maxRetryAfterSeconds: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxRetries: 4,
	baseDelayMs: 500,
	maxDelayMs: 8_000,
	maxRetryAfterSeconds: 60,
};

/**
 * The request may or may not have been carried out (connection lost, gateway error, broken answer).
 * Callers that create things catch it and look before trying again.
 */
export class UnclearOutcomeError extends NodeApiError {
	constructor(readonly apiError: NodeApiError) {
		super(apiError.node, { message: apiError.message } as JsonObject, {
			message: apiError.message,
			description: `${apiError.description ?? ''} The request may or may not have been carried out.`.trim(),
			httpCode: apiError.httpCode ?? undefined,
		});
	}
}

/** The server says the resource does not exist (404). */
export function isNotFound(error: unknown): boolean {
	return error instanceof NodeApiError && String(error.httpCode) === '404';
}

/** Statuses that mean "not processed, come back later". */
const REFUSED_STATUSES = new Set([429, 503]);
/** The connection was never made (e.g. the server is restarting): nothing can have happened. */
const REFUSED_NETWORK_CODES = new Set(['ECONNREFUSED']);
/** Statuses after which a request may or may not have happened. */
const UNCLEAR_STATUSES = new Set([502, 504]);
const UNCLEAR_NETWORK_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_BAD_RESPONSE', 'ESOCKETTIMEDOUT']);

interface Failure {
	status?: number;
	retryAfterSeconds?: number;
	body?: unknown;
	code?: string;
}

function inspectFailure(error: unknown): Failure {
	const cause = (error instanceof NodeApiError ? error.cause : error) as
		| { response?: { status?: number; headers?: Record<string, unknown>; data?: unknown } }
		| undefined;
	const response = cause?.response;
	const httpCode = error instanceof NodeApiError && error.httpCode ? Number(error.httpCode) : undefined;
	const status = response?.status ?? (Number.isFinite(httpCode) ? httpCode : undefined);
	const retryAfter = Number(response?.headers?.['retry-after']);
	let body = response?.data;
	if (typeof body === 'string') {
		try {
			body = JSON.parse(body);
		} catch {
			// keep the text
		}
	}
	return {
		status,
		retryAfterSeconds: Number.isFinite(retryAfter) && retryAfter >= 0 ? retryAfter : undefined,
		body,
		code: status === undefined ? networkErrorCode(cause) : undefined,
	};
}

function backoffMs(attempt: number, failure: Failure, policy: RetryPolicy): number {
	if (failure.retryAfterSeconds !== undefined) {
		return Math.min(failure.retryAfterSeconds, policy.maxRetryAfterSeconds) * 1000;
	}
	const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
	// Full jitter keeps parallel executions from retrying in lockstep.
	return Math.round(exp / 2 + (Math.random() * exp) / 2);
}

/** A NodeApiError with Veeam's errorCode and message, and nothing from the request (it may hold secrets). */
/**
 * A NodeApiError whose message is exactly `text`. NodeApiError swaps a message that mentions a
 * network code (ECONNREFUSED, ECONNABORTED, …) for n8n's generic sentence ("perhaps the server is
 * offline"), which would drop what ours says: the address, the timeout, what to change.
 */
function connectionError(ctx: VeeamContext, text: string, req: VeeamRequest): NodeApiError {
	const error = new NodeApiError(ctx.getNode(), { message: text } as JsonObject, {
		message: text,
		description: `While calling ${req.method} ${req.path}.`,
		itemIndex: req.itemIndex,
	});
	error.message = text;
	return error;
}

function toApiError(
	ctx: VeeamContext,
	failure: Failure,
	req: VeeamRequest,
	original: unknown,
	baseUrl: string,
	apiVersion: string,
	timeoutMs?: number,
): NodeApiError {
	const where = `${req.method} ${req.path}`;
	// Login failures (from the credential's preAuthentication) already carry a message for the user.
	const authMessage = findAuthMessage(original);
	if (authMessage) return connectionError(ctx, authMessage, req);
	if (failure.status === undefined) return connectionError(ctx, describeConnectionFailure(original, baseUrl, timeoutMs), req);
	const { errorCode, message } = veeamErrorText(failure.body);
	let description = `${where} answered ${failure.status}${errorCode ? ` ${errorCode}` : ''}${message ? `: ${message}` : ''}`;
	if (errorCode === 'NotImplemented') description = unsupportedVersionMessage(apiVersion, message);
	if (failure.status === 403) description += ' The account in the credential needs the Backup Administrator (VBR) or Portal Administrator (VBGC) role.';
	return new NodeApiError(
		ctx.getNode(),
		{ errorCode: errorCode ?? '', message: message ?? '', httpCode: String(failure.status) } as JsonObject,
		{
			message: message ? `Veeam: ${message}` : `Veeam answered ${failure.status}`,
			description,
			httpCode: String(failure.status),
			itemIndex: req.itemIndex,
		},
	);
}

/** preAuthentication errors reach us wrapped by n8n; find our own message inside. */
function findAuthMessage(error: unknown): string | undefined {
	let e = error as { cause?: unknown; message?: unknown } | undefined;
	for (let depth = 0; e && depth < 5; depth++) {
		// By name too: n8n may re-create errors across module boundaries.
		if (e instanceof Error && e.name === 'VeeamAuthError') return e.message;
		e = e.cause as typeof e;
	}
	return undefined;
}

/**
 * One Veeam API call through n8n's authenticated HTTP helper (so n8n logs in, stores the token in
 * the credential, and on a 401 refreshes once and retries), with bounded retries for 429/5xx and
 * dropped connections, honouring Retry-After.
 */
export async function veeamApiRequest<T = IDataObject>(
	this: VeeamContext,
	product: Product,
	req: VeeamRequest,
	policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<T> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE[product], req.itemIndex ?? 0);
	let baseUrl: string;
	try {
		baseUrl = normalizeServerUrl(credentials.url, DEFAULT_PORT[product]);
	} catch (error) {
		throw toApiError(this, {}, req, error, String(credentials.url), '');
	}
	const apiVersion = String(credentials.apiVersion === 'custom' ? credentials.customApiVersion : credentials.apiVersion);
	const idempotent = req.idempotent ?? req.method !== 'POST';
	const timeoutMs = requestTimeoutMs(credentials);
	const options: IHttpRequestOptions = {
		method: req.method,
		url: `${baseUrl}${req.path}`,
		qs: req.qs,
		body: req.body,
		json: true,
		// The credential's Request Timeout: a late answer is an unclear outcome (see UNCLEAR_NETWORK_CODES).
		timeout: timeoutMs,
	};

	for (let attempt = 0; ; attempt++) {
		const result = await this.helpers.httpRequestWithAuthentication
			.call(this, CREDENTIAL_TYPE[product], { ...options })
			.then(
				(response: unknown) => ({ response }),
				(error: unknown) => ({ error }),
			);
		if ('error' in result) {
			const failure = inspectFailure(result.error);
			const apiError = toApiError(this, failure, req, result.error, baseUrl, apiVersion, timeoutMs);
			const refused =
				(failure.status !== undefined && REFUSED_STATUSES.has(failure.status)) ||
				(failure.code !== undefined && REFUSED_NETWORK_CODES.has(failure.code));
			const unclear =
				(failure.status !== undefined && UNCLEAR_STATUSES.has(failure.status)) ||
				(failure.code !== undefined && UNCLEAR_NETWORK_CODES.has(failure.code));
			const retryable = refused || (unclear && idempotent);
			if (retryable && attempt < policy.maxRetries) {
				await sleep(backoffMs(attempt, failure, policy));
				continue;
			}
			if (unclear && !idempotent) throw new UnclearOutcomeError(apiError);
			throw apiError;
		}
		const { response } = result;
		// A body that is not JSON (e.g. cut off) is not an answer we can trust.
		if (typeof response === 'string' && response.trim() !== '') {
			const failure: Failure = { status: 200 };
			const apiError = new NodeApiError(this.getNode(), { message: 'unparseable response' } as JsonObject, {
				message: `Veeam answered ${req.method} ${req.path} with a body that is not valid JSON`,
				itemIndex: req.itemIndex,
			});
			if (!idempotent) throw new UnclearOutcomeError(apiError);
			if (attempt < policy.maxRetries) {
				await sleep(backoffMs(attempt, failure, policy));
				continue;
			}
			throw apiError;
		}
		return (response ?? {}) as T;
	}
}
