import type { IDataObject, IExecuteFunctions, IHttpRequestMethods, ILoadOptionsFunctions, IPollFunctions } from 'n8n-workflow';

import type { RequestGroup } from './requestGroup';

/** Everything that can call the Veeam API: the action node, list search and the trigger. */
export type VeeamContext = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

/** A query parameter: arrays go out as repeated keys (`typeFilter=A&typeFilter=B`), as OpenAPI 3.0's default form. */
export type QueryValue = string | number | boolean | readonly string[];

export interface VeeamRequest {
	method: IHttpRequestMethods;
	/** Path below the server URL, e.g. `/api/v1/security/users`. */
	path: string;
	qs?: Record<string, QueryValue | undefined>;
	/** A JSON body: an object, or an array (VSPC's JSON Patch `[{ op, path, value }]`), sent as is. */
	body?: IDataObject | IDataObject[];
	/**
	 * Whether sending the request twice is harmless. Non-idempotent requests (creates) are retried
	 * only when the server said it did nothing (429, 503); after an unclear failure the caller gets
	 * an `UnclearOutcomeError` and must look before trying again.
	 */
	idempotent?: boolean;
	/** Secrets the request carries (a new user's password, an MFA code): scrubbed from every answer. */
	secrets?: readonly string[];
	itemIndex?: number;
	/** What the execution's requests share: the pause after a 429/503, one re-login (see RequestGroup). */
	group?: RequestGroup;
	/**
	 * A 202 naming an async action (VSPC) is followed to its end and its result returned (asyncAction.ts);
	 * `false` for the transport's own reads of an action, which never follow another.
	 */
	followAsync?: false;
	/**
	 * VSPC's `X-Request-id` of a write (a UUID): the transport makes one per call and sends it on every
	 * re-send; a caller that re-sends a write itself (after an unclear outcome) passes the same one.
	 */
	requestId?: string;
}

export interface RetryPolicy {
	maxRetries: number;
	baseDelayMs: number;
	maxDelayMs: number;
	/** Longest Retry-After we are willing to wait, seconds. */
	maxRetryAfterSeconds: number;
	/** How many times an async action (a 202) is read before the transport stops waiting for it. */
	asyncPolls?: number;
	/** The wait before the first read of an async action; each next wait is half again as long, up to `asyncMaxDelayMs`. */
	asyncFirstDelayMs?: number;
	asyncMaxDelayMs?: number;
}
