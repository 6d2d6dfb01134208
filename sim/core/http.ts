import type { IncomingHttpHeaders } from 'node:http';

/** A parsed request as product handlers see it. */
export interface SimRequest {
	method: string;
	path: string;
	query: URLSearchParams;
	headers: IncomingHttpHeaders;
	rawBody: Buffer;
	/** Path parameters captured by the router (`:id` → `params.id`), URI-decoded. */
	params: Record<string, string>;
}

export interface SimResponse {
	status: number;
	/** Serialised as JSON unless `rawBody` is set. Absent → empty body. */
	body?: unknown;
	rawBody?: string;
	headers?: Record<string, string>;
}

/** Thrown by handlers to answer with an error; each product renders it in its own error format. */
export class SimHttpError extends Error {
	/** A 429's wait, seconds (a `status` fault's `retryAfterSeconds`): products that put it in the body read it here. */
	retryAfterSeconds?: number;
	constructor(
		readonly status: number,
		readonly errorCode: VeeamErrorCode,
		message: string,
		readonly resourceId?: string,
	) {
		super(message);
	}
}

/** The `errorCode` values Veeam's specs allow (VBR `Error`, and the cloud products' problem details). */
export type VeeamErrorCode =
	| 'AccessDenied'
	| 'ExpiredToken'
	| 'InvalidToken'
	| 'InvalidURI'
	| 'MethodNotAllowed'
	| 'NotFound'
	| 'NotImplemented'
	| 'ServiceUnavailable'
	| 'UnexpectedContent'
	| 'UnknownError';

export const badRequest = (message: string) => new SimHttpError(400, 'UnexpectedContent', message);
export const notFound = (message: string, resourceId?: string) =>
	new SimHttpError(404, 'NotFound', message, resourceId);

export function jsonBody<T = Record<string, unknown>>(req: SimRequest): T {
	const type = String(req.headers['content-type'] ?? '');
	if (!type.toLowerCase().includes('application/json')) {
		throw badRequest('The request body must be application/json.');
	}
	try {
		const parsed: unknown = JSON.parse(req.rawBody.toString('utf8'));
		if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
			throw new Error('not an object');
		}
		return parsed as T;
	} catch {
		throw badRequest('The request body is not a valid JSON object.');
	}
}

export function formBody(req: SimRequest): URLSearchParams {
	const type = String(req.headers['content-type'] ?? '');
	if (!type.toLowerCase().includes('application/x-www-form-urlencoded')) {
		throw badRequest('The request body must be application/x-www-form-urlencoded.');
	}
	return new URLSearchParams(req.rawBody.toString('utf8'));
}

export type Handler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

interface Route {
	method: string;
	segments: string[];
	handler: Handler;
	/** Name for statistics and the mutation log, e.g. `GET /api/v1/security/users/:id`. */
	name: string;
}

export type RouteMatch =
	| { kind: 'found'; handler: Handler; params: Record<string, string>; name: string }
	| { kind: 'methodNotAllowed'; allowed: string[] }
	| { kind: 'none' };

/** Minimal router: literal segments win over `:param` segments, so `/users/roles` beats `/users/:name`. */
export class Router {
	private readonly routes: Route[] = [];

	add(method: string, pattern: string, handler: Handler): this {
		this.routes.push({ method, segments: pattern.split('/').filter(Boolean), handler, name: `${method} ${pattern}` });
		// Keep routes with more literal segments first.
		this.routes.sort((a, b) => literalScore(b) - literalScore(a));
		return this;
	}

	match(method: string, path: string): RouteMatch {
		const parts = path.split('/').filter(Boolean);
		const allowed: string[] = [];
		for (const route of this.routes) {
			const params = matchSegments(route.segments, parts);
			if (!params) continue;
			if (route.method === method) return { kind: 'found', handler: route.handler, params, name: route.name };
			allowed.push(route.method);
		}
		return allowed.length ? { kind: 'methodNotAllowed', allowed } : { kind: 'none' };
	}
}

function literalScore(route: Route): number {
	return route.segments.filter((s) => !s.startsWith(':')).length;
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
	if (pattern.length !== parts.length) return undefined;
	const params: Record<string, string> = {};
	for (let i = 0; i < pattern.length; i++) {
		const p = pattern[i];
		if (p.startsWith(':')) {
			try {
				params[p.slice(1)] = decodeURIComponent(parts[i]);
			} catch {
				return undefined;
			}
		} else if (p.toLowerCase() !== parts[i].toLowerCase()) {
			return undefined;
		}
	}
	return params;
}

/** Query helpers shared by both products' list endpoints. */
export function intParam(query: URLSearchParams, name: string, fallback: number, min: number): number {
	const raw = query.get(name);
	if (raw === null || raw === '') return fallback;
	if (!/^-?\d+$/.test(raw)) throw badRequest(`The ${name} parameter must be an integer.`);
	const value = Number(raw);
	if (value < min) throw badRequest(`The ${name} parameter must be at least ${min}.`);
	return value;
}

export function boolParam(query: URLSearchParams, name: string): boolean | undefined {
	const raw = query.get(name);
	if (raw === null || raw === '') return undefined;
	if (/^true$/i.test(raw)) return true;
	if (/^false$/i.test(raw)) return false;
	throw badRequest(`The ${name} parameter must be true or false.`);
}

/** `*` and `?` wildcards, case-insensitive, whole string (Veeam's `nameFilter` pattern semantics). */
export function wildcardMatcher(pattern: string): (value: string) => boolean {
	const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
	const re = new RegExp(`^${escaped}$`, 'i');
	return (value) => re.test(value);
}
