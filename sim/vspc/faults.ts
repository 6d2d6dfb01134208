/**
 * VSPC's own failure answers, beyond the core faults (sim/core/faults.ts): REST help, "Errors"
 * (helpcenter.veeam.com/docs/vac/rest/errors.html): "All server errors (≥500) are returned with the
 * 520 HTTP status code", the body's `code` telling which (the 3.6.1 reference lists 500, 504, 1000
 * "operation not possible now", 1050 canceled, 1051 "took too long"…) and `type` whether to retry
 * (`transport`, `retryableLogical`). A fault hits the next `count` matching API requests, before
 * the server acts, or (`afterProcessing`) after it has: the "did my write happen?" case.
 */
import { VspcError, type VspcErrorType } from './errors';

export interface VspcFaultSpec {
	/** HTTP status (default 520). */
	status?: number;
	/** The body's `code`, e.g. 504 or 1051 (default: 500). */
	code?: number;
	/** The body's `type` (default `transport`). */
	type?: VspcErrorType;
	message?: string;
	/** Act first, then answer the error (default false: nothing is done). */
	afterProcessing?: boolean;
	method?: string;
	/** Only requests whose path contains this (case-insensitive). */
	pathIncludes?: string;
	/** How many matching requests it hits (default 1). */
	count?: number;
}

const TYPES: readonly VspcErrorType[] = ['logical', 'retryableLogical', 'security', 'transport', 'unspecified'];

export class VspcFaults {
	private queue: Array<{ spec: VspcFaultSpec; left: number }> = [];

	add(spec: VspcFaultSpec): void {
		if (spec.status !== undefined && !(Number.isInteger(spec.status) && spec.status >= 400 && spec.status <= 599)) throw new Error('status must be an HTTP error status');
		if (spec.code !== undefined && !Number.isInteger(spec.code)) throw new Error('code must be an integer');
		if (spec.type !== undefined && !TYPES.includes(spec.type)) throw new Error(`type must be one of ${TYPES.join(', ')}`);
		const count = spec.count ?? 1;
		if (!Number.isInteger(count) || count < 1) throw new Error('count must be a positive integer');
		this.queue.push({ spec, left: count });
	}

	clear(): void {
		this.queue = [];
	}

	pending(): number {
		return this.queue.length;
	}

	/** The fault that hits this request, if any (one use of it). */
	take(method: string, path: string): VspcFaultSpec | undefined {
		const i = this.queue.findIndex(
			(q) => (!q.spec.method || q.spec.method.toUpperCase() === method) && (!q.spec.pathIncludes || path.toLowerCase().includes(q.spec.pathIncludes.toLowerCase())),
		);
		if (i < 0) return undefined;
		const q = this.queue[i];
		if (--q.left <= 0) this.queue.splice(i, 1);
		return q.spec;
	}
}

export function faultError(spec: VspcFaultSpec): VspcError {
	const code = spec.code ?? 500;
	const message = spec.message ?? (code === 1051 ? 'The operation took too long.' : code === 504 ? 'The operation timed out.' : 'The server could not process the request.');
	// vspcErrorResponse sends a 500 as 520; any other status as given.
	return new VspcError(spec.status ?? 520, message, { code, type: spec.type ?? 'transport' });
}
