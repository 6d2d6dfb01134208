/**
 * Fault injection. A fault waits in a queue and hits the next matching requests:
 * - `status`: answer 429/500/502/503/504 (with `Retry-After` if given) without doing anything;
 * - `drop`: destroy the connection, before the request is processed or (`afterProcessing`) after
 *   the server has already acted on it: the "did my create happen?" case;
 * - `delay`: wait before processing (a slow server, or one slower than the client's timeout);
 * - `malformed`: process the request, then answer 200 with a truncated JSON body.
 *
 * And answers no Veeam server should give, for the client's distrust to be tested against:
 * - `answer`: answer exactly `status`, `headers` and `body` (JSON) or `rawBody` without doing
 *   anything: a redirect to another host, a proxy's bare 404, another user than the one asked for;
 * - `patch`: process the request, then set top-level fields of its JSON answer (`expires_in: 1e300`);
 * - `echo`: answer 400 with the product's error body whose message repeats the request's body
 *   (passwords included), as careless servers and proxies do;
 * - `trickle`: process the request, then send the answer one byte every `ms` milliseconds.
 *
 * And a server that does less than asked:
 * - `ignoreQuery`: process the request as if these query parameters (names without regard to
 *   case) had not been sent, as a server does with parameters it does not know (Azure v8's user
 *   list and `SearchPattern`): a filter the client asked for is not applied, nor a sort or offset.
 */
export type FaultSpec =
	| ({ kind: 'status'; status: 429 | 500 | 502 | 503 | 504; retryAfterSeconds?: number } & FaultScope)
	| ({ kind: 'drop'; afterProcessing?: boolean } & FaultScope)
	| ({ kind: 'delay'; ms: number } & FaultScope)
	| ({ kind: 'malformed' } & FaultScope)
	| ({ kind: 'answer'; status: number; headers?: Record<string, string>; body?: unknown; rawBody?: string } & FaultScope)
	| ({ kind: 'patch'; set: Record<string, unknown> } & FaultScope)
	| ({ kind: 'echo' } & FaultScope)
	| ({ kind: 'trickle'; ms: number } & FaultScope)
	| ({ kind: 'ignoreQuery'; params: string[] } & FaultScope);

export interface FaultScope {
	/** How many matching requests it hits (default 1). */
	count?: number;
	/** Let this many matching requests through first (default 0): e.g. break paging on page 3. */
	after?: number;
	/** Only requests with this method. */
	method?: string;
	/** Only requests whose path contains this string (case-insensitive). */
	pathIncludes?: string;
}

interface QueuedFault {
	spec: FaultSpec;
	remaining: number;
	skip: number;
}

export const FAULT_KINDS = ['status', 'drop', 'delay', 'malformed', 'answer', 'patch', 'echo', 'trickle', 'ignoreQuery'] as const;

/** The query without the parameters an `ignoreQuery` fault names. */
export function withoutParams(query: URLSearchParams, params: readonly string[]): URLSearchParams {
	const ignored = new Set(params.map((p) => p.toLowerCase()));
	return new URLSearchParams([...query].filter(([name]) => !ignored.has(name.toLowerCase())));
}

export function validateFault(input: unknown): FaultSpec {
	if (!input || typeof input !== 'object') throw new Error('fault must be an object');
	const f = input as Record<string, unknown>;
	if (!FAULT_KINDS.includes(f.kind as (typeof FAULT_KINDS)[number])) {
		throw new Error(`fault.kind must be one of ${FAULT_KINDS.join(', ')}`);
	}
	if (f.kind === 'status' && ![429, 500, 502, 503, 504].includes(f.status as number)) {
		throw new Error('fault.status must be 429, 500, 502, 503 or 504');
	}
	if ((f.kind === 'delay' || f.kind === 'trickle') && !(typeof f.ms === 'number' && f.ms >= 0 && f.ms <= 600_000)) {
		throw new Error('fault.ms must be a number from 0 to 600000');
	}
	if (f.kind === 'answer' && !(Number.isInteger(f.status) && (f.status as number) >= 100 && (f.status as number) <= 599)) {
		throw new Error('fault.status of an answer must be an HTTP status');
	}
	if (f.kind === 'patch' && (!f.set || typeof f.set !== 'object' || Array.isArray(f.set))) {
		throw new Error('fault.set must be an object of fields to set');
	}
	if (f.kind === 'ignoreQuery' && !(Array.isArray(f.params) && f.params.length > 0 && f.params.every((p) => typeof p === 'string' && p !== ''))) {
		throw new Error('fault.params must be a non-empty array of query parameter names');
	}
	for (const k of ['count', 'after', 'retryAfterSeconds'] as const) {
		if (f[k] !== undefined && !(Number.isInteger(f[k]) && (f[k] as number) >= 0)) {
			throw new Error(`fault.${k} must be a non-negative integer`);
		}
	}
	return f as unknown as FaultSpec;
}

export class FaultInjector {
	private queue: QueuedFault[] = [];
	hits = 0;

	add(spec: FaultSpec): void {
		this.queue.push({ spec, remaining: spec.count ?? 1, skip: spec.after ?? 0 });
	}

	clear(): void {
		this.queue = [];
	}

	pending(): FaultSpec[] {
		return this.queue.map((q) => q.spec);
	}

	/** The fault that hits this request, if any; consumes one use of it. First queued wins. */
	take(method: string, path: string): FaultSpec | undefined {
		for (const q of this.queue) {
			const s = q.spec;
			if (s.method && s.method.toUpperCase() !== method) continue;
			if (s.pathIncludes && !path.toLowerCase().includes(s.pathIncludes.toLowerCase())) continue;
			if (q.skip > 0) {
				q.skip--;
				continue;
			}
			q.remaining--;
			if (q.remaining <= 0) this.queue.splice(this.queue.indexOf(q), 1);
			this.hits++;
			return s;
		}
		return undefined;
	}
}
