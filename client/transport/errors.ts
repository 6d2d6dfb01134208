/**
 * The errors the transport raises: Veeam's answer as a NodeApiError the user can act on, never
 * carrying the request (it may hold secrets) nor a secret a server echoed back.
 */
import { NodeApiError, type JsonObject } from 'n8n-workflow';

import {
	describeConnectionFailure,
	serverErrorEntries,
	unsupportedVersionMessage,
	veeamErrorText,
	type ConnectionContext,
	type ServerErrorEntry,
} from '../login/index';
import { PRODUCTS, type Product } from '../products';
import { scrub } from '../secrets';
import { failureCause, type Failure, type FailureCause } from './failure';
import type { VeeamContext, VeeamRequest } from './types';

/** What the transport knows about one call, for its messages. */
export interface CallInfo {
	req: VeeamRequest;
	baseUrl: string;
	apiVersion: string;
	/** The timeout and TLS trust of the credential, for messages about a failed connection. */
	tls: ConnectionContext;
	/** Every secret of this call: the credential's and the request's own. */
	secrets: readonly string[];
	/** The product called, for the role a 403 asks for. */
	product?: Product;
}

/** How a 403's hint names each product (the VBR and VBGC wordings are the ones users know). */
const PRODUCT_LABEL: Record<Product, string> = { vbr: 'VBR', vbgc: 'VBGC', aws: 'Veeam Backup for AWS', azure: 'Veeam Backup for Microsoft Azure', vspc: 'Veeam Service Provider Console', vb365: 'Veeam Backup for Microsoft 365' };

/**
 * What a 403 asks of the user. Veeam Backup for Microsoft Azure's `ProblemDetails403` carries
 * `licenseAgreementAcceptanceRequired` ("Defines whether a license agreement is accepted.", the
 * v8.1 document): when true, the appliance refuses until its license agreement is accepted, whatever
 * the role. Otherwise the product's administrator role (client/products.ts), or both roles when the
 * product is not known.
 */
export function forbiddenHint(body: unknown, product?: Product): string {
	if (body && typeof body === 'object' && (body as Record<string, unknown>).licenseAgreementAcceptanceRequired === true) {
		return ' The appliance\'s license agreement has not been accepted yet (licenseAgreementAcceptanceRequired): sign in to its web UI and accept it first; until then it refuses requests whatever the role.';
	}
	if (!product) return ' The account in the credential needs the Backup Administrator (VBR) or Portal Administrator (VBGC, AWS, Azure) role.';
	return ` The account in the credential needs the ${PRODUCTS[product].administratorRole} (${PRODUCT_LABEL[product]}) role.`;
}

/**
 * Problem details' field `errors` (ASP.NET Core's, as Veeam Backup for Microsoft Azure and AWS
 * answer: `{ type, title, status, detail, errors: { field: [messages] }, traceId }`) as data, and
 * whether the body is problem details at all. Only strings are taken. (The message's text of them
 * is veeamErrorText's.)
 */
export function problemDetails(body: unknown): { fieldErrors?: Record<string, string[]>; isProblem: boolean } {
	if (!body || typeof body !== 'object' || Array.isArray(body)) return { isProblem: false };
	const b = body as Record<string, unknown>;
	const isProblem = typeof b.status === 'number' && (typeof b.title === 'string' || typeof b.type === 'string');
	if (!b.errors || typeof b.errors !== 'object' || Array.isArray(b.errors)) return { isProblem };
	const entries = Object.entries(b.errors as Record<string, unknown>).map(([field, messages]): [string, string[]] => [
		field,
		(Array.isArray(messages) ? messages : [messages]).filter((m): m is string => typeof m === 'string'),
	]);
	return { fieldErrors: entries.length ? Object.fromEntries(entries) : undefined, isProblem };
}

/**
 * Veeam answered with an HTTP error. `errorCode` and `resourceId` are Veeam's (VBR's `resourceId`,
 * the cloud products' `instance`), from the answer's body, so callers can tell Veeam's NotFound
 * for a resource from a 404 of a wrong route or a proxy. Problem details (Azure, AWS) carry their
 * `detail` and field `errors` into the message: `title` alone ("One or more validation errors
 * occurred.") does not say which field is wrong.
 */
export class VeeamApiError extends NodeApiError {
	readonly status: number;

	readonly errorCode?: string;

	readonly resourceId?: string;

	/** Problem details' `errors`: field → messages (scrubbed of the call's secrets). */
	readonly fieldErrors?: Record<string, string[]>;

	/** The body is RFC 7807 problem details (it has a numeric `status` and a `title` or `type`). */
	readonly isProblem: boolean;

	/**
	 * VSPC's `errors` (docs/vac/rest/errors.html: `{ message, type, code, parameterName | propertyName }`),
	 * their text scrubbed of the call's secrets: `code` may differ from the status (1001: a JSON Patch refused).
	 */
	readonly serverErrors?: ServerErrorEntry[];

	constructor(ctx: VeeamContext, info: CallInfo, failure: Failure & { status: number }) {
		// Veeam's words: VBR's `message`, AWS's `details`, or problem details' `title`, `detail` and field `errors`.
		const { errorCode, message: raw, resourceId } = veeamErrorText(failure.body);
		const problem = problemDetails(failure.body);
		const clean = (text: string) => scrub(text, info.secrets);
		const fieldErrors = problem.fieldErrors
			? Object.fromEntries(Object.entries(problem.fieldErrors).map(([f, ms]) => [clean(f), ms.map(clean)]))
			: undefined;
		const message = raw === undefined ? undefined : clean(raw);
		const entries = serverErrorEntries(failure.body && typeof failure.body === 'object' ? (failure.body as Record<string, unknown>).errors : undefined);
		const serverErrors = entries.length
			? entries.map((e) => ({ ...e, message: e.message === undefined ? undefined : clean(e.message), field: e.field === undefined ? undefined : clean(e.field) }))
			: undefined;
		// VSPC's own codes and types where they say more than the status (`1001 logical`).
		const codes = (serverErrors ?? [])
			.filter((e) => e.code !== undefined && e.code !== failure.status)
			.map((e) => `${e.code}${e.type ? ` ${e.type}` : ''}`);
		const where = `${info.req.method} ${info.req.path}`;
		const code = errorCode ?? (codes.length ? `(error ${[...new Set(codes)].join(', ')})` : undefined);
		let description = `${where} answered ${failure.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
		if (errorCode === 'NotImplemented') description = unsupportedVersionMessage(info.apiVersion, message);
		if (failure.status === 403) description += forbiddenHint(failure.body, info.product);
		super(
			ctx.getNode(),
			{ errorCode: errorCode ?? '', message: message ?? '', httpCode: String(failure.status) } as JsonObject,
			{
				message: message ? `Veeam: ${message}` : `Veeam answered ${failure.status}`,
				description,
				httpCode: String(failure.status),
				itemIndex: info.req.itemIndex,
				// n8n 2.40+: why, for its scheduler's back-off (n8n 1.x ignores the option).
				failure: failureCause(failure, errorCode),
			},
		);
		this.status = failure.status;
		this.errorCode = errorCode;
		this.resourceId = resourceId;
		this.fieldErrors = fieldErrors;
		this.isProblem = problem.isProblem;
		this.serverErrors = serverErrors;
		// To n8n (its UI, error workflows) it is the NodeApiError it extends.
		this.name = 'NodeApiError';
	}
}

/**
 * The request may or may not have been carried out (connection lost, gateway error, broken answer,
 * no answer in time). Callers that change things catch it and look before trying again.
 */
export class UnclearOutcomeError extends NodeApiError {
	constructor(
		readonly apiError: NodeApiError,
		/** VSPC: the write's `X-Request-id`; sending the write again with it within 5 minutes does it at most once. */
		readonly requestId?: string,
	) {
		super(apiError.node, { message: apiError.message } as JsonObject, {
			message: apiError.message,
			description: `${apiError.description ?? ''} The request may or may not have been carried out.`.trim(),
			httpCode: apiError.httpCode ?? undefined,
			failure: apiError.failure,
		});
		this.message = apiError.message;
	}
}

/** VSPC's error code "Specified user does not exist." (REST help, "Errors", Error Response Codes). */
export const VSPC_USER_NOT_FOUND = 1100;

/**
 * Veeam says the resource `ref` does not exist: a 404 whose body is Veeam's `NotFound` error, or
 * problem details without an `errorCode` (Azure's `ProblemDetails404 { type, title, status, detail,
 * instance, traceId }`), naming `ref` when it names a resource at all. A 404 without such a body
 * (an unknown route, a proxy in front of the server) is not an answer about the user: it stays an error.
 */
export function isNotFound(error: unknown, ref?: string): boolean {
	if (!(error instanceof VeeamApiError)) return false;
	// VSPC's code 1100 "Specified user does not exist." (docs/vac/rest/errors.html), whatever status carries it.
	if (error.serverErrors?.some((e) => e.code === VSPC_USER_NOT_FOUND)) return true;
	if (error.status !== 404) return false;
	// VSPC's `{ errors: [...] }` is the server's own answer too (an unknown route or a proxy sends none).
	const ownAnswer = error.errorCode === undefined && (error.isProblem || error.serverErrors !== undefined);
	if (error.errorCode !== 'NotFound' && !ownAnswer) return false;
	return ref === undefined || error.resourceId === undefined || namesRef(error.resourceId, ref);
}

/**
 * Whether an error's resource (VBR's `resourceId`, problem details' `instance`) is `ref`: the ID
 * itself (the v8.1 document: "System ID assigned to an instance … where the error occurred"), or a
 * request path or URL whose last segment is it (ASP.NET Core's default `instance`:
 * `/api/v8.1/users/1003`). Another path (`/api/v8.1/users`) names another resource.
 */
function namesRef(resource: string, ref: string): boolean {
	const same = (a: string) => a.toLowerCase() === ref.toLowerCase();
	if (same(resource)) return true;
	const path = resource.split(/[?#]/)[0].replace(/\/+$/, '');
	if (!path.includes('/')) return false;
	const last = path.slice(path.lastIndexOf('/') + 1);
	let decoded = last;
	try {
		decoded = decodeURIComponent(last);
	} catch {
		return false;
	}
	return same(decoded);
}

/**
 * A NodeApiError whose message is exactly `text`. NodeApiError swaps a message that mentions a
 * network code (ECONNREFUSED, ECONNABORTED, …) for n8n's generic sentence ("perhaps the server is
 * offline"), which would drop what ours says: the address, the timeout, what to change.
 */
export function connectionError(ctx: VeeamContext, text: string, req: VeeamRequest, description?: string, failure?: FailureCause): NodeApiError {
	const error = new NodeApiError(ctx.getNode(), { message: text } as JsonObject, {
		message: text,
		description: description ?? `While calling ${req.method} ${req.path}.`,
		itemIndex: req.itemIndex,
		failure,
	});
	error.message = text;
	return error;
}

/** The error for a failure the transport does not retry (any more). */
export function toApiError(ctx: VeeamContext, info: CallInfo, failure: Failure): NodeApiError {
	const { req } = info;
	const cause = failureCause(failure);
	if (failure.loginMessage) return connectionError(ctx, scrub(failure.loginMessage, info.secrets), req, undefined, cause);
	if (failure.redirectTo) {
		return connectionError(
			ctx,
			`${info.baseUrl} answered ${req.method} ${req.path} with a redirect (${failure.status}) to ${failure.redirectTo}. The node does not follow redirects from a Veeam server: a redirect could hand the token or the request to another host.`,
			req,
			'Put the Veeam server\'s own address (https://host:port, the one its certificate names) into the credential\'s "Server URL".',
			cause,
		);
	}
	if (failure.status === undefined) {
		const error = failure.error ?? (failure.code ? Object.assign(new Error(failure.code), { code: failure.code }) : undefined);
		return connectionError(ctx, scrub(describeConnectionFailure(error, info.baseUrl, info.tls), info.secrets), req, undefined, cause);
	}
	return new VeeamApiError(ctx, info, { ...failure, status: failure.status });
}
