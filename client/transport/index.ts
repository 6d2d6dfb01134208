/**
 * One Veeam API call through n8n's authenticated HTTP helper: n8n logs in (the credential's
 * preAuthentication), stores the token and, on a 401, logs in again once and re-sends. Around it:
 * bounded retries for 429/5xx and dropped connections (honouring Retry-After), a deadline, no
 * redirects, and errors that never carry a secret. The same on n8n 1.x and 2.x (see failure.ts).
 */
import { randomUUID } from 'node:crypto';

import { NodeApiError, sleep, type IExecuteFunctions, type IHttpRequestOptions, type JsonObject } from 'n8n-workflow';

import { API_VERSION_SEGMENT, credentialSecrets, isAutomatic, normalizeServerUrl, requestTimeoutMs, tlsContext } from '../login/index';
import { scrub } from '../secrets';
import { CREDENTIAL_TYPE, DEFAULT_PORT, PRODUCTS, type Product } from '../products';
import { connectionError, toApiError, UnclearOutcomeError, type CallInfo } from './errors';
import { failureFromError, failureFromResponse, parseBody, serverSaysTryAgain, type Failure, type FullResponse } from './failure';
import type { QueryValue, RetryPolicy, VeeamContext, VeeamRequest } from './types';
import { automaticTarget, effectiveApiVersion, recoverApiVersion, type Attempt } from './apiVersion';
import { followAsyncAction, REQUEST_ID_HEADER } from './asyncAction';
import { secretsNow, shareSecrets } from './secretsNow';

export { isNotFound, UnclearOutcomeError, VeeamApiError } from './errors';
export { RequestGroup } from './requestGroup';
export { effectiveApiVersion } from './apiVersion';
export type { QueryValue, RetryPolicy, VeeamContext, VeeamRequest } from './types';

export { CREDENTIAL_TYPE, DEFAULT_PORT } from '../products';

/** In a request path, replaced by the credential's API version (Azure's `/api/{version}/users`). */
export { API_VERSION_SEGMENT };

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
	maxRetries: 4,
	baseDelayMs: 500,
	maxDelayMs: 8_000,
	maxRetryAfterSeconds: 60,
};

/** Statuses that mean "not processed, come back later". */
const REFUSED_STATUSES = new Set([429, 503]);
/** The connection was never made (e.g. the server is restarting): nothing can have happened. */
const REFUSED_NETWORK_CODES = new Set(['ECONNREFUSED']);
/** Statuses after which a request may or may not have happened. */
const UNCLEAR_STATUSES = new Set([502, 504]);
const UNCLEAR_NETWORK_CODES = new Set(['ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ERR_BAD_RESPONSE', 'ESOCKETTIMEDOUT']);

function backoffMs(attempt: number, failure: Failure, policy: RetryPolicy): number {
	if (failure.retryAfterSeconds !== undefined) {
		return Math.min(failure.retryAfterSeconds, policy.maxRetryAfterSeconds) * 1000;
	}
	const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
	// Full jitter keeps parallel executions from retrying in lockstep.
	return Math.round(exp / 2 + (Math.random() * exp) / 2);
}

/**
 * The query string, built here rather than by n8n (whose default array form differs between
 * majors): arrays as repeated keys, OpenAPI 3.0's default (`form`, `explode: true`), which is what
 * Veeam's published specs declare and generated clients send. Spaces as `%20`.
 */
export function queryString(qs: VeeamRequest['qs']): string {
	const params = new URLSearchParams();
	for (const [key, value] of Object.entries(qs ?? {}) as Array<[string, QueryValue | undefined]>) {
		if (value === undefined) continue;
		if (Array.isArray(value)) for (const v of value) params.append(key, String(v));
		else params.append(key, String(value));
	}
	const text = params.toString().replace(/\+/g, '%20');
	return text ? `?${text}` : '';
}

/**
 * One send. n8n is asked for the full response and every status, 401 included: a 401 comes back
 * to us, so that one request of the execution at a time lets n8n log in again (RequestGroup) and
 * n8n 1.x, which knows only "ignore all", behaves the same. `letN8nHandle401` sends it the plain
 * way instead, where n8n answers a 401 with its login (the credential's refresh) and a re-send.
 *
 * The credential's Request Timeout is a deadline for the whole exchange: n8n's `timeout` is an idle
 * timer that a server trickling a byte now and then never trips. n8n hands the request the
 * execution's cancel signal; the context we give it answers with that signal and the deadline.
 */
async function send(
	ctx: VeeamContext,
	product: Product,
	url: string,
	req: VeeamRequest,
	timeoutMs: number,
	letN8nHandle401: boolean,
	headers?: Record<string, string>,
): Promise<Attempt> {
	const deadline = AbortSignal.timeout(timeoutMs);
	const execution = 'getExecutionCancelSignal' in ctx ? (ctx as IExecuteFunctions).getExecutionCancelSignal() : undefined;
	const signal = execution ? AbortSignal.any([execution, deadline]) : deadline;
	const callCtx = Object.create(ctx, { getExecutionCancelSignal: { value: () => signal } }) as VeeamContext;
	const options: IHttpRequestOptions = {
		method: req.method,
		url,
		// A copy: the credential's authenticate takes the version override off the request's headers.
		...(headers ? { headers: { ...headers } } : {}),
		body: req.body,
		json: true,
		returnFullResponse: true,
		// A redirect would take the bearer token (or the request) to wherever the server says.
		disableFollowRedirect: true,
		ignoreHttpStatusErrors: !letN8nHandle401,
		timeout: timeoutMs,
		abortSignal: signal,
	};
	try {
		const response = (await ctx.helpers.httpRequestWithAuthentication.call(callCtx, CREDENTIAL_TYPE[product], options)) as FullResponse;
		return { response };
	} catch (error) {
		// The execution was cancelled: n8n's own error (NodeApiError hands back one it is given).
		if (execution?.aborted) throw new NodeApiError(ctx.getNode(), error as JsonObject);
		const failure = failureFromError(error);
		// The login (n8n runs it inside this call, with its own deadline) says what failed, even late.
		if (failure.loginMessage || !deadline.aborted) return { failure };
		return { failure: { code: 'ETIMEDOUT', error: Object.assign(new Error('deadline'), { code: 'ETIMEDOUT' }) } };
	}
}

function isRetryable(failure: Failure, idempotent: boolean): { retry: boolean; unclear: boolean; refused: boolean } {
	const refused =
		(failure.status !== undefined && REFUSED_STATUSES.has(failure.status)) ||
		(failure.code !== undefined && REFUSED_NETWORK_CODES.has(failure.code));
	// VSPC: errors "fixed by sending the request again" (types transport, retryableLogical), and its
	// server errors that time out (520 with code 504 or 1051): a read is sent again, a write is unclear.
	const tryAgain = failure.status !== undefined && failure.status !== 401 && !refused && serverSaysTryAgain(failure.body);
	const unclear =
		(failure.status !== undefined && UNCLEAR_STATUSES.has(failure.status)) ||
		(failure.code !== undefined && UNCLEAR_NETWORK_CODES.has(failure.code)) ||
		tryAgain;
	return { retry: refused || (unclear && idempotent), unclear, refused };
}

export async function veeamApiRequest<T = Record<string, unknown>>(
	this: VeeamContext,
	product: Product,
	req: VeeamRequest,
	policy: RetryPolicy = DEFAULT_RETRY_POLICY,
): Promise<T> {
	const credentials = await this.getCredentials(CREDENTIAL_TYPE[product], req.itemIndex ?? 0);
	const secrets = [...credentialSecrets(credentials), ...(req.secrets ?? [])];
	shareSecrets(req, secrets);
	let baseUrl: string;
	try {
		baseUrl = normalizeServerUrl(credentials.url, DEFAULT_PORT[product]);
	} catch (error) {
		throw connectionError(this, scrub((error as Error).message, secrets), req, undefined, { cause: 'configuration-invalid' });
	}
	const automatic = isAutomatic(credentials);
	let apiVersion = effectiveApiVersion(credentials, product, req.group?.apiVersion);
	const timeoutMs = requestTimeoutMs(credentials);
	let path = req.path;
	// "Automatic": the version is the credential's to add (apiVersion.ts), unless this execution found one.
	let target = automatic ? automaticTarget(product, path, req.group?.apiVersion.found) : undefined;
	if (target) path = target.path;
	else if (path.includes(API_VERSION_SEGMENT)) {
		// Only a version in the product's own format goes into the path (never `..` or a `/`).
		if (!PRODUCTS[product].auth.version.pattern.test(apiVersion)) {
			throw connectionError(this, `API Version "${scrub(apiVersion, secrets)}" is not in Veeam's format ${PRODUCTS[product].auth.version.format}`, req, undefined, {
				cause: 'configuration-invalid',
			});
		}
		path = path.split(API_VERSION_SEGMENT).join(apiVersion);
	}
	const shown = (p: string, v: string) => p.split(API_VERSION_SEGMENT).join(v);
	const info: CallInfo = { req: { ...req, path: shown(path, apiVersion) }, baseUrl, apiVersion, tls: tlsContext(credentials, timeoutMs), secrets, product };
	const idempotent = req.idempotent ?? req.method !== 'POST';
	// A product with async actions (VSPC) takes an `X-Request-id` on a write: "for idempotence and async
	// action progress tracking … idempotent only during 5 minute time interval" (the 3.6.1 spec). One
	// UUID per call, the same on every re-send of it; a caller may pass its own across its own retries.
	const requestId = PRODUCTS[product].auth.asyncActionsPath && req.method !== 'GET' ? (req.requestId ?? randomUUID()) : undefined;
	const headersFor = (headers?: Record<string, string>) => (requestId ? { ...headers, [REQUEST_ID_HEADER]: requestId } : headers);
	let url = `${baseUrl}${path}${queryString(req.qs)}`;
	let versionChecked = !automatic;

	const cancelled = 'getExecutionCancelSignal' in this ? (this as IExecuteFunctions).getExecutionCancelSignal() : undefined;
	const token = String(credentials.accessToken ?? '');
	/**
	 * "Automatic" (once per request): an answer refusing the request's version finds the version the
	 * server accepts (apiVersion.ts). `again`: send the request again at it; else `outcome` is the
	 * request's answer (where sending it again was the test, the answer at the version found).
	 */
	// The credential's `authenticate` puts the version kept with the token into this request (`{version}` left in its path).
	const versionLeftToLogin = () => target !== undefined && !target.headers && target.path === req.path;
	const keptVersion = async () => effectiveApiVersion(await this.getCredentials(CREDENTIAL_TYPE[product], req.itemIndex ?? 0), product, req.group?.apiVersion);
	const recover = async (outcome: Attempt, sentAt?: string): Promise<{ outcome: Attempt; again: boolean }> => {
		// An answer n8n turned into an error (a send that let n8n log in) is looked at the same way.
		const response: FullResponse | undefined =
			'response' in outcome ? outcome.response : outcome.failure.status !== undefined ? { statusCode: outcome.failure.status, body: outcome.failure.body } : undefined;
		if (versionChecked || !response || response.statusCode < 400 || response.statusCode === 401) return { outcome, again: false };
		versionChecked = true;
		const at = (v: string) => automaticTarget(product, req.path, v);
		// The version this request went out with: the login inside it may have just found one.
		if (sentAt) apiVersion = sentAt;
		else if (versionLeftToLogin()) apiVersion = await keptVersion();
		const recovery = await recoverApiVersion({
			product,
			sent: apiVersion,
			response,
			versionInPath: req.path.includes(API_VERSION_SEGMENT),
			memory: req.group?.apiVersion,
			resend: async (v) => await send(this, product, `${baseUrl}${at(v).path}${queryString(req.qs)}`, req, timeoutMs, false, headersFor(at(v).headers)),
			probe: async (v) => {
				const probePath = shown(String(PRODUCTS[product].auth.versionProbePath), v);
				return await send(this, product, `${baseUrl}${probePath}`, { method: 'GET', path: probePath }, timeoutMs, false);
			},
		});
		if (recovery && 'refused' in recovery) throw connectionError(this, recovery.refused, req, undefined, { cause: 'configuration-invalid' });
		if (!recovery?.version) {
			// The search met an answer that proves nothing (no answer, 429, 5xx): a retry of the request looks again.
			if (recovery?.outcome) versionChecked = false;
			return { outcome: recovery?.outcome ?? outcome, again: false };
		}
		apiVersion = recovery.version;
		target = at(recovery.version);
		path = target.path;
		url = `${baseUrl}${path}${queryString(req.qs)}`;
		info.apiVersion = apiVersion;
		info.req = { ...req, path: shown(path, apiVersion) };
		return recovery.outcome ? { outcome: recovery.outcome, again: false } : { outcome, again: true };
	};

	for (let attempt = 0; ; attempt++) {
		// Another request of this execution was told to wait: so is this one.
		await req.group?.ready(cancelled);
		const plain = async () => await send(this, product, url, req, timeoutMs, false, headersFor(target?.headers));
		// No token yet: the execution's first request logs in alone (RequestGroup.whileLoggingIn).
		let outcome = !token && req.group ? await req.group.whileLoggingIn(plain) : await plain();
		let found = await recover(outcome);
		if (found.again) {
			attempt--;
			continue;
		}
		outcome = found.outcome;
		// The token expired: sent again with n8n's login, one request of the execution at a time.
		if ('response' in outcome && outcome.response.statusCode === 401) {
			// n8n's login after this 401 cannot change the version already in the path (its first
			// `authenticate` filled `{version}`), so the version sent is the one kept before it.
			let sentAt: string | undefined;
			const withLogin = async () => {
				if (versionLeftToLogin() && PRODUCTS[product].auth.version.inPath) sentAt = await keptVersion();
				return await send(this, product, url, req, timeoutMs, true, headersFor(target?.headers));
			};
			outcome = req.group ? await req.group.afterUnauthorized(token, withLogin) : await withLogin();
			found = await recover(outcome, sentAt);
			if (found.again) {
				attempt--;
				continue;
			}
			outcome = found.outcome;
		}

		let failure: Failure;
		if ('failure' in outcome) failure = outcome.failure;
		else if (outcome.response.statusCode >= 200 && outcome.response.statusCode < 300) {
			// VSPC: a 202 is an async action, followed to its end (its result is the answer).
			if (outcome.response.statusCode === 202 && PRODUCTS[product].auth.asyncActionsPath && req.followAsync !== false) {
				return await followAsyncAction<T>(this, product, { ...req, requestId }, outcome.response, info, idempotent, policy, async (r) => await veeamApiRequest.call(this, product, r, policy));
			}
			const body = parseBody(outcome.response.body);
			// A body that is not JSON (e.g. cut off) is not an answer we can trust.
			if (typeof body !== 'string' || body.trim() === '') return (body ?? {}) as T;
			const apiError = connectionError(this, `Veeam answered ${req.method} ${req.path} with a body that is not valid JSON`, req, undefined, {
				cause: 'temporarily-unavailable',
			});
			if (!idempotent) throw new UnclearOutcomeError(apiError, requestId);
			if (attempt < policy.maxRetries) {
				await sleep(backoffMs(attempt, {}, policy));
				continue;
			}
			throw apiError;
		} else failure = failureFromResponse(outcome.response, url);

		const { retry, unclear, refused } = isRetryable(failure, idempotent);
		if (retry && attempt < policy.maxRetries) {
			const delay = backoffMs(attempt, failure, policy);
			// "Not now" from the server holds back the whole execution; other retries are this request's own.
			if (refused && req.group) req.group.pause(delay);
			else await sleep(delay);
			continue;
		}
		// A token n8n stored while this request waited for another's login is a secret too (secretsNow.ts).
		info.secrets = await secretsNow(this, product, req, info.secrets);
		const apiError = toApiError(this, info, failure);
		if (unclear && !idempotent) throw new UnclearOutcomeError(apiError, requestId);
		throw apiError;
	}
}
