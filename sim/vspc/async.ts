/**
 * Asynchronous answers and idempotent requests. REST help, "Asynchronous Processing"
 * (helpcenter.veeam.com/docs/vac/rest/async_processing.html): a request the server handles
 * asynchronously answers 202 Accepted with a `Location` header linking to
 * `/asyncActions/{asyncActionId}`, which the user who started it can track ("Get Async Action");
 * an `x-request-id` header gives the action its UID; operations marked
 * `x-veeam-vspc-deny-async-action-registration` (POST /token) never answer so. The spec's 202
 * header: "Example: https://vspc:1280/api/v3/asyncActions/97431954-…". `AsyncActionInfo`
 * `{ id, initiatorUid, actionName, status (running | succeed | canceled | failed), queryParameters,
 * requestBody }` (the 3.6.1 generated client's model); `GET /asyncActions/{id}/result` holds the
 * operation's answer. `X-Request-id`: "an operation is idempotent only during 5 minute time interval".
 *
 * Which operations answer 202 is the simulator's option (`asyncOperations`): Veeam says any may.
 * An action runs when its `asyncPolls`-th poll arrives (assumed: deterministic for tests).
 */
import type { SimContext } from '../core/context';
import { SimHttpError, type SimRequest, type SimResponse } from '../core/http';
import type { VspcCaller } from './auth';
import { vspcBadRequest, vspcErrorResponse, vspcNotFound } from './errors';
import { newUid, UUID_RE, VSPC_API } from './model';

interface Action {
	id: string;
	initiatorUid: string;
	actionName: string;
	status: 'running' | 'succeed' | 'canceled' | 'failed';
	queryParameters: Record<string, string[]>;
	requestBody: string | null;
	pollsLeft: number;
	run: () => SimResponse | Promise<SimResponse>;
	result?: SimResponse;
	/** When the finished action's result is dropped (clock ms). */
	expiresAt?: number;
}

/** "ResultExpirationTime … 5 minutes", "FailureExpirationTime … 1 hour" (REST help, async_config.html). */
const KEEP_SUCCESS_MS = 5 * 60_000;
const KEEP_FAILURE_MS = 60 * 60_000;

const IDEMPOTENCY_MS = 5 * 60_000;

export class VspcAsync {
	private readonly actions = new Map<string, Action>();
	private readonly replies = new Map<string, { at: number; response: SimResponse }>();

	constructor(
		private readonly ctx: SimContext,
		private readonly settings: () => { operations: readonly string[]; polls: number },
	) {}

	reset(): void {
		this.actions.clear();
		this.replies.clear();
	}

	/**
	 * Runs `handler` for `operation` (`POST /users`), or queues it as an async action (202) when the
	 * options say this operation answers so. A repeated `X-Request-id` within 5 minutes gets the
	 * first answer again without running anything (assumed: the spec says only "idempotent").
	 */
	async handle(operation: string, req: SimRequest, caller: VspcCaller, handler: () => SimResponse | Promise<SimResponse>): Promise<SimResponse> {
		const requestId = requestIdOf(req);
		const now = this.ctx.clock.now();
		const key = requestId && req.method !== 'GET' ? `${caller.user.uid}|${requestId}` : undefined;
		if (key) {
			const seen = this.replies.get(key);
			if (seen && now - seen.at < IDEMPOTENCY_MS) return seen.response;
		}
		let response: SimResponse;
		if (this.settings().operations.includes(operation)) {
			const id = requestId ?? newUid();
			if (this.actions.has(id)) throw vspcBadRequest(`An async action with the UID ${id} already exists.`);
			this.actions.set(id, {
				id,
				initiatorUid: caller.user.uid,
				actionName: operation,
				status: 'running',
				queryParameters: queryMap(req.query),
				requestBody: req.rawBody.length ? req.rawBody.toString('utf8') : null,
				pollsLeft: Math.max(1, this.settings().polls),
				run: handler,
			});
			this.ctx.log.record('async.queued', operation, { id });
			response = { status: 202, headers: { Location: `https://${req.headers.host ?? '127.0.0.1'}${VSPC_API}/asyncActions/${id}` } };
		} else {
			response = await handler();
		}
		if (key && response.status < 400) {
			this.replies.set(key, { at: now, response });
			if (this.replies.size > 4096) for (const [k, v] of this.replies) if (now - v.at >= IDEMPOTENCY_MS) this.replies.delete(k);
		}
		return response;
	}

	private mine(req: SimRequest, caller: VspcCaller): Action {
		const id = req.params.actionId;
		if (!UUID_RE.test(id)) throw vspcBadRequest(`The action UID ${id} is not a valid UUID.`, { parameterName: 'actionId' });
		const action = this.actions.get(id);
		if (action?.expiresAt !== undefined && action.expiresAt <= this.ctx.clock.now()) this.actions.delete(id);
		// Only the user who started an action tracks it (the help's "Asynchronous Processing").
		if (!this.actions.has(id) || !action || action.initiatorUid !== caller.user.uid) throw vspcNotFound(`The async action ${id} does not exist.`);
		return action;
	}

	private info(a: Action): Record<string, unknown> {
		return { id: a.id, initiatorUid: a.initiatorUid, actionName: a.actionName, status: a.status, queryParameters: a.queryParameters, requestBody: a.requestBody };
	}

	/** `GET /asyncActions/{actionId}`: each poll brings a running action closer; the last runs it. */
	async get(req: SimRequest, caller: VspcCaller): Promise<SimResponse> {
		const action = this.mine(req, caller);
		if (action.status === 'running' && --action.pollsLeft <= 0) {
			try {
				action.result = await action.run();
				action.status = action.result.status < 400 ? 'succeed' : 'failed';
			} catch (err) {
				action.result = vspcErrorResponse(err instanceof SimHttpError ? err : new SimHttpError(500, 'UnknownError', 'The action failed.'));
				action.status = 'failed';
			}
			action.expiresAt = this.ctx.clock.now() + (action.status === 'succeed' ? KEEP_SUCCESS_MS : KEEP_FAILURE_MS);
			this.ctx.log.record('async.done', action.actionName, { id: action.id, status: action.status });
		}
		// A failed action's errors beside it (Veeam's sample reports a failed action's errors[].message).
		const errors = action.status === 'failed' ? (action.result?.body as { errors?: unknown[] } | undefined)?.errors : undefined;
		return { status: 200, body: errors ? { data: this.info(action), errors } : { data: this.info(action) } };
	}

	/** `GET /asyncActions/{actionId}/result`: the operation's answer once done (assumed: 400 while running). */
	result(req: SimRequest, caller: VspcCaller): SimResponse {
		const action = this.mine(req, caller);
		if (action.status === 'running') throw vspcBadRequest(`The async action ${action.id} is still running.`, { type: 'retryableLogical' });
		if (action.status === 'canceled' || !action.result) throw vspcBadRequest(`The async action ${action.id} was canceled.`);
		return action.result;
	}

	/** `DELETE /asyncActions/{actionId}` (Cancel Async Action, 200 `EmptyResponse`): a running action never runs. */
	cancel(req: SimRequest, caller: VspcCaller): SimResponse {
		const action = this.mine(req, caller);
		if (action.status === 'running') {
			action.status = 'canceled';
			action.expiresAt = this.ctx.clock.now() + KEEP_FAILURE_MS;
		}
		return { status: 200, body: { data: {}, errors: [] } };
	}

	pending(): number {
		let n = 0;
		for (const a of this.actions.values()) if (a.status === 'running') n++;
		return n;
	}
}

/** `queryParameters`: each name with all its values (the spec's map of string arrays). */
function queryMap(query: URLSearchParams): Record<string, string[]> {
	const out: Record<string, string[]> = {};
	for (const [k, v] of query) (out[k] ??= []).push(v);
	return out;
}

function requestIdOf(req: SimRequest): string | undefined {
	const raw = req.headers['x-request-id'];
	const value = Array.isArray(raw) ? raw[0] : raw;
	if (value === undefined || value === '') return undefined;
	if (!UUID_RE.test(value)) throw vspcBadRequest('The X-Request-id header must be a UUID.', { parameterName: 'X-Request-id' });
	return value.toLowerCase();
}
