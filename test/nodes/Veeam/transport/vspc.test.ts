/**
 * The transport on VSPC's answers, with the HTTP helper stubbed (the answers are Veeam's documented
 * shapes): the error body `{ errors: [{ message, type, code }] }` (docs/vac/rest/errors.html) read
 * into the message and scrubbed of secrets; 429 with `retryAfter` in the body
 * (docs/vac/rest/throttling.html) waited out, bounded, by attempts; 202 with an async action
 * (docs/vac/rest/async_processing.html) followed to its result, so callers see the final answer.
 */
import type { ICredentialDataDecryptedObject, IHttpRequestOptions, INode } from 'n8n-workflow';

import { DEFAULT_RETRY_POLICY, isNotFound, RequestGroup, UnclearOutcomeError, VeeamApiError, veeamApiRequest, type RetryPolicy, type VeeamContext, type VeeamRequest } from '../../../../client/transport';
import { asyncActionId, DEFAULT_ASYNC_FIRST_DELAY_MS, DEFAULT_ASYNC_MAX_DELAY_MS, DEFAULT_ASYNC_POLLS } from '../../../../client/transport/asyncAction';
import { failureFromResponse, loginFailureCause } from '../../../../client/transport/failure';
import { statusReason } from '../../../../client/login';
import type { Product } from '../../../../client/products';

const SERVER = 'https://vspc.test:1280';
const PASSWORD = 'S3cret-Pa55word!';
const ACTION = '97431954-0dd7-472a-8cb7-d0cb0fbccaf7';

interface Answer {
	statusCode: number;
	headers?: Record<string, string>;
	body?: unknown;
}

const NODE: INode = { id: 'n', name: 'Veeam', type: 'n8n-nodes-veeam.veeam', typeVersion: 1, position: [0, 0], parameters: {} };

/** A context whose authenticated requests are answered by `answer`, in order of the calls; `calls` records them. */
function stub(answer: (options: IHttpRequestOptions, n: number) => Answer, credentials: ICredentialDataDecryptedObject = {}) {
	const calls: Array<{ method: string; url: string; at: number; requestId?: string }> = [];
	const ctx = {
		getNode: () => NODE,
		getCredentials: async () => ({ url: SERVER, authentication: 'password', username: 'vspc\\admin', password: PASSWORD, apiVersion: '3.6.1', accessToken: 'at.token-value-1', ...credentials }),
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) => {
				const requestId = (options.headers as Record<string, string> | undefined)?.['X-Request-id'];
				calls.push({ method: String(options.method), url: String(options.url), at: Date.now(), ...(requestId ? { requestId } : {}) });
				return answer(options, calls.length);
			},
		},
	} as unknown as VeeamContext;
	return { ctx, calls };
}

const FAST: RetryPolicy = { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterSeconds: 60, asyncPolls: 3, asyncFirstDelayMs: 1, asyncMaxDelayMs: 2 };

async function call(ctx: VeeamContext, req: VeeamRequest, product: Product = 'vspc', policy: RetryPolicy = FAST): Promise<unknown> {
	return await veeamApiRequest.call(ctx, product, req, policy);
}

async function failure(promise: Promise<unknown>): Promise<Error> {
	const error = await promise.then(
		() => undefined,
		(e: unknown) => e as Error,
	);
	if (!error) throw new Error('expected the call to fail');
	return error;
}

describe('VSPC error bodies', () => {
	it('the errors array reaches the message with its field, scrubbed of the secrets sent', async () => {
		const { ctx } = stub(() => ({
			statusCode: 400,
			body: { errors: [{ message: `Property value must be larger or equal to 0. Got ${PASSWORD}`, type: 'logical', code: 400, parameterName: 'offset' }] },
		}));
		const error = await failure(call(ctx, { method: 'GET', path: '/api/v3/users', qs: { offset: -1 } }));
		expect(error).toBeInstanceOf(VeeamApiError);
		expect(error.message).toBe('Veeam: offset: Property value must be larger or equal to 0. Got [redacted]');
		expect((error as VeeamApiError).description).toBe('GET /api/v3/users answered 400: offset: Property value must be larger or equal to 0. Got [redacted]');
		expect((error as VeeamApiError).serverErrors).toEqual([{ message: 'Property value must be larger or equal to 0. Got [redacted]', type: 'logical', code: 400, field: 'offset' }]);
		expect(JSON.stringify(error)).not.toContain(PASSWORD);
	});

	it('VSPC\'s own code, where it is not the status, is named (the spec\'s refused JSON Patch, 1001)', async () => {
		const body = { errors: [{ message: "The property at path 'mfaPolicyConfigurationStatus' could not be updated.", type: 'logical', code: 1001, failedJsonPatch: { value: 'NotConfigured', path: 'mfaPolicyConfigurationStatus', op: 'replace' } }] };
		const { ctx } = stub(() => ({ statusCode: 400, body }));
		const error = (await failure(call(ctx, { method: 'PATCH', path: '/api/v3/users/u1' }))) as VeeamApiError;
		expect(error.description).toBe("PATCH /api/v3/users/u1 answered 400 (error 1001 logical): The property at path 'mfaPolicyConfigurationStatus' could not be updated.");
	});

	it('VSPC\'s code 1100 "Specified user does not exist." is NotFound whatever the status', async () => {
		const { ctx } = stub(() => ({ statusCode: 400, body: { errors: [{ message: 'Specified user does not exist.', type: 'logical', code: 1100 }] } }));
		expect(isNotFound(await failure(call(ctx, { method: 'GET', path: '/api/v3/users/u1' })), 'u1')).toBe(true);
		const other = stub(() => ({ statusCode: 400, body: { errors: [{ message: 'Bad.', type: 'logical', code: 1001 }] } }));
		expect(isNotFound(await failure(call(other.ctx, { method: 'GET', path: '/api/v3/users/u1' })), 'u1')).toBe(false);
	});

	it('a 404 with VSPC\'s errors is the server saying the user does not exist; a bare 404 (a wrong route, a proxy) is not', async () => {
		const notFound = stub(() => ({ statusCode: 404, body: { errors: [{ message: 'User was not found.', type: 'logical', code: 404 }] } }));
		expect(isNotFound(await failure(call(notFound.ctx, { method: 'GET', path: '/api/v3/users/u1' })), 'u1')).toBe(true);
		const bare = stub(() => ({ statusCode: 404, body: '' }));
		expect(isNotFound(await failure(call(bare.ctx, { method: 'GET', path: '/api/v3/users/u1' })), 'u1')).toBe(false);
	});
});

describe('login failures read back from their message (n8n 1.x keeps only that)', () => {
	it.each([
		['Veeam Service Provider Console login failed: wrong user name or password, or no access to the REST API (400 invalid_request: Cannot complete login).', 'credential-invalid'],
		['Veeam Service Provider Console refused the API key (401: Authorization has been denied for this request). Check "API Key".', 'credential-invalid'],
		['Veeam Service Provider Console knows the API key but refused GET /api/v3/users/me with it (403).', 'credential-invalid'],
		['Veeam Service Provider Console: "API Key" is empty. Paste the key.', 'credential-invalid'],
	])('%s → %s', (message, cause) => {
		expect(loginFailureCause(message)).toEqual({ cause });
	});
});

describe('429 (VSPC throttling)', () => {
	const throttled = (retryAfter?: number): Answer => ({ statusCode: 429, body: { errors: [{ type: 'transport', code: 429, ...(retryAfter === undefined ? {} : { retryAfter }) }] } });

	it('reads retryAfter from the body (no Retry-After header)', () => {
		expect(failureFromResponse({ statusCode: 429, body: throttled(25).body }, SERVER).retryAfterSeconds).toBe(25);
		// The header, where there is one, comes first.
		expect(failureFromResponse({ statusCode: 429, headers: { 'retry-after': '3' }, body: throttled(25).body }, SERVER).retryAfterSeconds).toBe(3);
		expect(failureFromResponse({ statusCode: 429, body: { errors: [{ type: 'transport', code: 429, retryAfter: 'soon' }] } }, SERVER).retryAfterSeconds).toBeUndefined();
	});

	it('a throttled login carries retryAfter as its wait too (the cause n8n\'s scheduler backs off by)', () => {
		expect(statusReason({ statusCode: 429, body: throttled(25).body })).toEqual({ kind: 'rate-limited', retryAfterSeconds: 25 });
	});

	it('waits as retryAfter says, then sends the call again', async () => {
		const { ctx, calls } = stub((_o, n) => (n === 1 ? throttled(0.3) : { statusCode: 200, body: { data: [] } }));
		await expect(call(ctx, { method: 'GET', path: '/api/v3/users' })).resolves.toEqual({ data: [] });
		expect(calls).toHaveLength(2);
		// The back-off alone would be about 1 ms here.
		expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(290);
	});

	it('a retryAfter beyond the policy\'s bound waits only the bound', async () => {
		const { ctx, calls } = stub((_o, n) => (n === 1 ? throttled(3600) : { statusCode: 200, body: { data: [] } }));
		await expect(call(ctx, { method: 'GET', path: '/api/v3/users' }, 'vspc', { ...FAST, maxRetryAfterSeconds: 0.2 })).resolves.toEqual({ data: [] });
		expect(calls[1].at - calls[0].at).toBeGreaterThanOrEqual(190);
	});

	it('gives up after the policy\'s attempts (not a time), saying it was throttled', async () => {
		const { ctx, calls } = stub(() => throttled(0));
		const error = await failure(call(ctx, { method: 'GET', path: '/api/v3/users' }));
		expect(calls).toHaveLength(FAST.maxRetries + 1);
		expect((error as VeeamApiError).status).toBe(429);
	});

	it('a refused create is sent again too (a throttled request was not processed), and the whole execution holds back', async () => {
		const group = new RequestGroup();
		const { ctx, calls } = stub((_o, n) => (n === 1 ? throttled(0.3) : { statusCode: 200, body: { data: { instanceUid: 'u1' } } }));
		const pending = call(ctx, { method: 'POST', path: '/api/v3/users', body: { userName: 'a' }, group });
		await new Promise((resolve) => setTimeout(resolve, 50));
		expect(group.remainingMs()).toBeGreaterThan(0);
		await expect(pending).resolves.toEqual({ data: { instanceUid: 'u1' } });
		expect(calls.map((c) => c.method)).toEqual(['POST', 'POST']);
	});
});

describe('the first requests of an execution before any token', () => {
	it('one goes first (n8n logs in inside it), the others follow its answer; with a token stored, all go at once', async () => {
		const events: string[] = [];
		const answer = async (options: IHttpRequestOptions) => {
			events.push(`start ${String(options.url).split('/').pop()}`);
			await new Promise((resolve) => setTimeout(resolve, 30));
			events.push(`end ${String(options.url).split('/').pop()}`);
			return { statusCode: 200, body: { data: [] } };
		};
		const fresh = stub(answer as unknown as (o: IHttpRequestOptions) => Answer, { accessToken: '' });
		const group = new RequestGroup();
		await Promise.all(['a', 'b', 'c'].map(async (p) => await call(fresh.ctx, { method: 'GET', path: `/api/v3/${p}`, group })));
		expect(events.slice(0, 2)).toEqual(['start a', 'end a']);
		events.length = 0;
		const stored = stub(answer as unknown as (o: IHttpRequestOptions) => Answer);
		await Promise.all(['a', 'b', 'c'].map(async (p) => await call(stored.ctx, { method: 'GET', path: `/api/v3/${p}`, group: new RequestGroup() })));
		expect(events.slice(0, 3)).toEqual(['start a', 'start b', 'start c']);
	});
});

describe('errors VSPC says to send again (Error Types: transport, retryableLogical; 520 with code 504 or 1051)', () => {
	const again = (type: string, code = 400, status = 400): Answer => ({ statusCode: status, body: { errors: [{ message: 'Try again.', type, code }] } });

	it('a read is sent again, bounded by the attempts', async () => {
		const retryable = stub((_o, n) => (n === 1 ? again('retryableLogical') : { statusCode: 200, body: { data: [] } }));
		await expect(call(retryable.ctx, { method: 'GET', path: '/api/v3/users' })).resolves.toEqual({ data: [] });
		expect(retryable.calls).toHaveLength(2);
		const timedOut = stub((_o, n) => (n === 1 ? again('unspecified', 1051, 520) : { statusCode: 200, body: { data: [] } }));
		await expect(call(timedOut.ctx, { method: 'GET', path: '/api/v3/users' })).resolves.toEqual({ data: [] });
		const always = stub(() => again('transport', 504, 520));
		expect(((await failure(call(always.ctx, { method: 'GET', path: '/api/v3/users' }))) as VeeamApiError).status).toBe(520);
		expect(always.calls).toHaveLength(FAST.maxRetries + 1);
	});

	it('a write is not sent again: its outcome is unclear (with the X-Request-id to send it again with)', async () => {
		const { ctx, calls } = stub(() => again('unspecified', 1051, 520));
		const error = await failure(call(ctx, { method: 'POST', path: '/api/v3/users', body: { userName: 'a' } }));
		expect(error).toBeInstanceOf(UnclearOutcomeError);
		expect(calls).toHaveLength(1);
		expect((error as UnclearOutcomeError).requestId).toBe(calls[0].requestId);
	});

	it('any other error is final, as before (a logical 400, a plain 520)', async () => {
		const logical = stub(() => again('logical'));
		await failure(call(logical.ctx, { method: 'GET', path: '/api/v3/users' }));
		expect(logical.calls).toHaveLength(1);
		const plain = stub(() => again('unspecified', 500, 520));
		expect(await failure(call(plain.ctx, { method: 'POST', path: '/api/v3/users' }))).not.toBeInstanceOf(UnclearOutcomeError);
		expect(plain.calls).toHaveLength(1);
	});
});

describe('X-Request-id on writes (the 3.6.1 spec: "for idempotence and async action progress tracking")', () => {
	const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

	it('one UUID per write, the same on its re-send after a 429; none on a read, none for the other products', async () => {
		const { ctx, calls } = stub((_o, n) => (n === 1 || n === 3 ? { statusCode: 429, body: { errors: [{ type: 'transport', code: 429, retryAfter: 0 }] } } : { statusCode: 200, body: { data: {} } }));
		await call(ctx, { method: 'POST', path: '/api/v3/users', body: { userName: 'a' } });
		await call(ctx, { method: 'DELETE', path: '/api/v3/users/u1' });
		expect(calls.map((c) => c.method)).toEqual(['POST', 'POST', 'DELETE', 'DELETE']);
		expect(calls[0].requestId).toMatch(UUID);
		expect(calls[1].requestId).toBe(calls[0].requestId);
		expect(calls[3].requestId).toBe(calls[2].requestId);
		expect(calls[2].requestId).not.toBe(calls[0].requestId);
		const read = stub(() => ({ statusCode: 200, body: { data: [] } }));
		await call(read.ctx, { method: 'GET', path: '/api/v3/users' });
		expect(read.calls[0].requestId).toBeUndefined();
		const vbgc = stub(() => ({ statusCode: 200, body: {} }));
		await call(vbgc.ctx, { method: 'POST', path: '/api/v1/users' }, 'vbgc', FAST);
		expect(vbgc.calls[0].requestId).toBeUndefined();
	});

	it('a caller\'s own X-Request-id is sent as given', async () => {
		const mine = '3f1c7a52-7a1e-4d2b-9c55-0b6f3b8f2e11';
		const { ctx, calls } = stub(() => ({ statusCode: 200, body: { data: {} } }));
		await call(ctx, { method: 'POST', path: '/api/v3/users', requestId: mine });
		expect(calls[0].requestId).toBe(mine);
	});
});

describe('202 and async actions', () => {
	const accepted = (location?: string): Answer => ({ statusCode: 202, headers: location === undefined ? {} : { location }, body: '' });
	const action = (status: string): Answer => ({ statusCode: 200, body: { data: { id: ACTION, initiatorUid: 'x', actionName: 'CreateUser', status, queryParameters: {} } } });

	it('takes only the action\'s UID from the Location', () => {
		expect(asyncActionId(`https://vspc:1280/api/v3/asyncActions/${ACTION}`)).toBe(ACTION);
		expect(asyncActionId(`/api/v3/asyncAction/${ACTION.toUpperCase()}`)).toBe(ACTION);
		expect(asyncActionId('https://vspc:1280/api/v3/asyncActions/..%2F..%2Fusers')).toBeUndefined();
		expect(asyncActionId(`https://vspc:1280/api/v3/users/${ACTION}`)).toBeUndefined();
		expect(asyncActionId(undefined)).toBeUndefined();
	});

	it('follows the action at the credential\'s own server until it is done, and returns its result', async () => {
		const created = { data: { instanceUid: 'u1', userName: 'a' } };
		const { ctx, calls } = stub((options, n) => {
			if (n === 1) return accepted(`https://elsewhere.example:1280/api/v3/asyncActions/${ACTION}`);
			if (String(options.url).endsWith('/result')) return { statusCode: 200, body: created };
			return action(n < 4 ? 'running' : 'succeed');
		});
		await expect(call(ctx, { method: 'POST', path: '/api/v3/users', body: { userName: 'a' } })).resolves.toEqual(created);
		expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
			`POST ${SERVER}/api/v3/users`,
			`GET ${SERVER}/api/v3/asyncActions/${ACTION}`,
			`GET ${SERVER}/api/v3/asyncActions/${ACTION}`,
			`GET ${SERVER}/api/v3/asyncActions/${ACTION}`,
			`GET ${SERVER}/api/v3/asyncActions/${ACTION}/result`,
		]);
	});

	it('a failed action is the request\'s error, with the result\'s words and status', async () => {
		const { ctx } = stub((options, n) => {
			if (n === 1) return accepted(`/api/v3/asyncActions/${ACTION}`);
			if (String(options.url).endsWith('/result')) return { statusCode: 200, body: { errors: [{ message: 'User was not found.', type: 'logical', code: 404 }] } };
			return action('failed');
		});
		const error = await failure(call(ctx, { method: 'DELETE', path: '/api/v3/users/u1' }));
		expect(error).toBeInstanceOf(VeeamApiError);
		expect(error.message).toBe('Veeam: User was not found.');
		expect(isNotFound(error, 'u1')).toBe(true);
	});

	it('an action still running after the polls leaves a change unclear (bounded by attempts)', async () => {
		const { ctx, calls } = stub((_o, n) => (n === 1 ? accepted(`/api/v3/asyncActions/${ACTION}`) : action('running')));
		const error = await failure(call(ctx, { method: 'POST', path: '/api/v3/users', body: { userName: 'a' } }));
		expect(error).toBeInstanceOf(UnclearOutcomeError);
		expect(error.message).toBe(`POST /api/v3/users: the server's async action ${ACTION} was still running after 3 checks. It may yet complete: look at the result before trying again.`);
		expect(calls).toHaveLength(1 + 3);
	});

	it('a 202 without a Location: the action is the one the write\'s X-Request-id named', async () => {
		const { ctx, calls } = stub((options, n) => {
			if (n === 1) return accepted();
			if (String(options.url).endsWith('/result')) return { statusCode: 200, body: { data: { instanceUid: 'u1' } } };
			return action('succeed');
		});
		await expect(call(ctx, { method: 'POST', path: '/api/v3/users' })).resolves.toEqual({ data: { instanceUid: 'u1' } });
		expect(calls[1].url).toBe(`${SERVER}/api/v3/asyncActions/${calls[0].requestId}`);
	});

	it('polls for about five minutes by default (Veeam\'s server checks actions each minute and keeps a result five), bounded by a count', () => {
		let total = 0;
		for (let i = 0, delay = DEFAULT_ASYNC_FIRST_DELAY_MS; i < DEFAULT_ASYNC_POLLS; i++, delay = Math.min(DEFAULT_ASYNC_MAX_DELAY_MS, Math.round(delay * 1.5))) total += delay;
		expect(total).toBeGreaterThan(4 * 60_000);
		expect(total).toBeLessThanOrEqual(5 * 60_000);
	});

	it('a 202 without an action to follow, a canceled action or a status we do not know: the change is unclear', async () => {
		const none = stub(() => accepted());
		expect(await failure(call(none.ctx, { method: 'POST', path: '/api/v3/users' }))).toBeInstanceOf(UnclearOutcomeError);
		const canceled = stub((_o, n) => (n === 1 ? accepted(`/api/v3/asyncActions/${ACTION}`) : action('canceled')));
		expect((await failure(call(canceled.ctx, { method: 'POST', path: '/api/v3/users' }))).message).toMatch(/was canceled/);
		// The action's own read answering 202 again is not followed (it would never end).
		const hostile = stub((_o, n) => (n === 1 ? accepted(`/api/v3/asyncActions/${ACTION}`) : accepted(`/api/v3/asyncActions/${ACTION}`)));
		expect((await failure(call(hostile.ctx, { method: 'POST', path: '/api/v3/users' }))).message).toMatch(/status this package does not know/);
		expect(hostile.calls).toHaveLength(2);
	});

	it('a 202 of a product without async actions is an answer as before', async () => {
		const { ctx, calls } = stub(() => ({ statusCode: 202, headers: { location: `/api/v3/asyncActions/${ACTION}` }, body: { id: 'x' } }));
		await expect(call(ctx, { method: 'POST', path: '/api/v1/users' }, 'vbgc', DEFAULT_RETRY_POLICY)).resolves.toEqual({ id: 'x' });
		expect(calls).toHaveLength(1);
	});
});
