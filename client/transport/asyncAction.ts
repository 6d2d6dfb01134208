/**
 * VSPC's asynchronous answers (helpcenter.veeam.com/docs/vac/rest/async_processing.html): "When a
 * request initiates an async action, a user receives a response with the 202 Accepted code. The
 * Location header of the response contains a link to the /asyncAction/{asyncActionId} resource".
 * The transport follows it so that callers see only the final answer: `GET {asyncActionsPath}/{id}`
 * (the 3.6.1 spec's Get Async Action: `data.status` running | succeed | failed | canceled) until the
 * action is no longer running, then `GET {asyncActionsPath}/{id}/result` (Get Async Action Result:
 * the operation's own answer), which is returned as the request's answer.
 *
 * Trust nothing: only the action's ID is taken from the Location, and the action is read at the
 * credential's own server (a Location naming another host never gets the token); the reads are
 * bounded by a number of attempts, not by a clock; an action still running after them, a 202
 * without an action, a status we do not know or a result that cannot be read leave a change's
 * outcome unclear (UnclearOutcomeError: the caller looks before trying again).
 */
import { NodeApiError, sleep } from 'n8n-workflow';

import { headerValue } from '../login/index';
import { PRODUCTS, type Product } from '../products';
import { connectionError, toApiError, UnclearOutcomeError, type CallInfo } from './errors';
import type { FullResponse } from './failure';
import { secretsNow } from './secretsNow';
import type { RetryPolicy, VeeamContext, VeeamRequest } from './types';

/**
 * The reads of an action: 0.25 s, then half again as long each time up to 15 s; 28 reads span about
 * 5 minutes. Veeam's "Async Action Settings": the server checks actions every `TimerResolution` (1 minute
 * by default) and keeps a result `ResultExpirationTime` (5 minutes by default), so an action may read
 * `running` for a minute and more, and a result is gone after five.
 */
export const DEFAULT_ASYNC_POLLS = 28;
export const DEFAULT_ASYNC_FIRST_DELAY_MS = 250;
export const DEFAULT_ASYNC_MAX_DELAY_MS = 15_000;

/** The write's UID (the 3.6.1 spec's `X-Request-id`): its idempotence key, and its async action's UID. */
export const REQUEST_ID_HEADER = 'X-Request-id';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The action's UID from a 202's Location (`…/asyncActions/{uuid}`, or Veeam's prose's `/asyncAction/{uuid}`); only a UUID. */
export function asyncActionId(location: string | undefined): string | undefined {
	if (!location) return undefined;
	let path: string;
	try {
		path = new URL(location, 'https://server.invalid').pathname;
	} catch {
		return undefined;
	}
	const match = /\/asyncActions?\/([^/]+)\/?$/i.exec(path);
	return match && UUID.test(match[1]) ? match[1].toLowerCase() : undefined;
}

/** The read of an action, or of its result: the transport's own GET, which never follows another 202. */
export type ActionCall = (req: VeeamRequest) => Promise<unknown>;

const RUNNING = new Set(['running', 'queued', 'pending', 'inprogress']);
const SUCCEEDED = new Set(['succeed', 'succeeded', 'success']);
const FAILED = new Set(['failed', 'error']);
const CANCELED = new Set(['canceled', 'cancelled']);

/** `data.status` of an action's answer, lower case ('' when there is none). */
function statusOf(answer: unknown): string {
	const data = answer && typeof answer === 'object' ? (answer as Record<string, unknown>).data : undefined;
	const status = data && typeof data === 'object' ? (data as Record<string, unknown>).status : undefined;
	return typeof status === 'string' ? status.trim().toLowerCase() : '';
}

/**
 * After a 202 to `req` (a product with `asyncActionsPath`): the action followed to its end; its
 * result is the answer. `idempotent`: whether the request may be sent again (else an outcome we
 * cannot tell is an UnclearOutcomeError).
 */
export async function followAsyncAction<T>(
	ctx: VeeamContext,
	product: Product,
	req: VeeamRequest,
	response: FullResponse,
	info: CallInfo,
	idempotent: boolean,
	policy: RetryPolicy,
	call: ActionCall,
): Promise<T> {
	const where = `${req.method} ${info.req.path}`;
	const unclear = (text: string): Error => {
		const error = connectionError(ctx, text, req, `While calling ${where}.`, { cause: 'temporarily-unavailable' });
		return idempotent ? error : new UnclearOutcomeError(error, req.requestId);
	};
	const base = PRODUCTS[product].auth.asyncActionsPath;
	// The Location's action, else the UID the write was sent with ("If you want to assign a specific UID to
	// an async action, add the x-request-id header with this UID": docs/vac/rest/async_processing.html).
	const id = asyncActionId(headerValue(response.headers, 'location')) ?? (req.requestId && UUID.test(req.requestId) ? req.requestId.toLowerCase() : undefined);
	if (!base || !id) throw unclear(`${PRODUCTS[product].name} accepted ${where} for later (202) but named no async action to follow (no /asyncActions/{uid} Location, no X-Request-id).`);
	const read = (path: string) => call({ method: 'GET', path, itemIndex: req.itemIndex, group: req.group, secrets: req.secrets, idempotent: true, followAsync: false });
	const polls = Math.max(1, policy.asyncPolls ?? DEFAULT_ASYNC_POLLS);
	const maxDelay = policy.asyncMaxDelayMs ?? DEFAULT_ASYNC_MAX_DELAY_MS;
	let delay = policy.asyncFirstDelayMs ?? DEFAULT_ASYNC_FIRST_DELAY_MS;
	let status = '';
	for (let poll = 0; poll < polls; poll++) {
		await sleep(delay);
		delay = Math.min(maxDelay, Math.round(delay * 1.5));
		status = statusOf(await read(`${base}/${id}`));
		if (!RUNNING.has(status)) break;
	}
	if (RUNNING.has(status)) {
		throw unclear(`${where}: the server's async action ${id} was still running after ${polls} checks. It may yet complete: look at the result before trying again.`);
	}
	if (CANCELED.has(status)) throw unclear(`${where}: the server's async action ${id} was canceled.`);
	if (!SUCCEEDED.has(status) && !FAILED.has(status)) {
		throw unclear(`${where}: the server's async action ${id} reports a status this package does not know (${JSON.stringify(status.slice(0, 40))}).`);
	}
	// A failed action's result is its errors; a read that fails says why itself (e.g. 404 NotFound of the
	// user). A done change whose result cannot be read: the caller looks before anything is sent again.
	const outcome = await read(`${base}/${id}/result`).then(
		(result) => ({ result }),
		(error: unknown) => ({ error }),
	);
	if ('error' in outcome) {
		const unreadable = !FAILED.has(status) && !idempotent && outcome.error instanceof NodeApiError && !(outcome.error instanceof UnclearOutcomeError);
		throw unreadable ? new UnclearOutcomeError(outcome.error as NodeApiError, req.requestId) : outcome.error;
	}
	const { result } = outcome;
	if (FAILED.has(status)) {
		// Its errors are the server's text: scrubbed of the secrets as they are now (secretsNow.ts).
		info.secrets = await secretsNow(ctx, product, req, info.secrets);
		throw failedActionError(ctx, info, result);
	}
	return (result ?? {}) as T;
}

/** A failed action whose result was read: its errors as the request's own error (status from their code, else VSPC's 520). */
function failedActionError(ctx: VeeamContext, info: CallInfo, result: unknown): Error {
	const errors = result && typeof result === 'object' ? (result as Record<string, unknown>).errors : undefined;
	const codes = Array.isArray(errors) ? errors.map((e) => (e && typeof e === 'object' ? (e as Record<string, unknown>).code : undefined)) : [];
	const status = codes.find((c): c is number => typeof c === 'number' && c >= 400 && c < 600) ?? 520;
	return toApiError(ctx, info, { status, body: result });
}
