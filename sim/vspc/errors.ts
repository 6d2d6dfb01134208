/**
 * VSPC's error answers. REST help, "Errors" (helpcenter.veeam.com/docs/vac/rest/errors.html):
 * `{ errors: [{ message, type, code, parameterName | propertyName }] }`; client errors keep their
 * status, every server error (>= 500) is sent as 520; `type` is transport, logical,
 * retryableLogical, security or unspecified; `code` may differ from the HTTP status. "Throttling"
 * (…/rest/throttling.html): 429 with `{ type: "transport", code: 429, retryAfter }`. The token
 * endpoint answers 400 with an OAuth 2.0 error (`OAuth2Error` of the 3.6.1 spec).
 */
import { SimHttpError, type SimResponse, type VeeamErrorCode } from '../core/http';

export type VspcErrorType = 'logical' | 'retryableLogical' | 'security' | 'transport' | 'unspecified';

export interface VspcErrorExtra {
	/** The VSPC error code when it is not the HTTP status (e.g. 1001 for a JSON Patch refused). */
	code?: number;
	type?: VspcErrorType;
	parameterName?: string;
	propertyName?: string;
	failedJsonPatch?: Record<string, unknown>;
	/** An answer in another shape than `{ errors }` (ASP.NET's refusal of an API version). */
	body?: unknown;
}

export class VspcError extends SimHttpError {
	constructor(
		status: number,
		message: string,
		readonly extra: VspcErrorExtra = {},
		errorCode: VeeamErrorCode = status === 404 ? 'NotFound' : status === 401 ? 'InvalidToken' : status === 403 ? 'AccessDenied' : 'UnexpectedContent',
	) {
		super(status, errorCode, message);
	}
}

export const vspcBadRequest = (message: string, extra: VspcErrorExtra = {}) => new VspcError(400, message, extra);
export const vspcNotFound = (message: string) => new VspcError(404, message);
export const vspcForbidden = (message = 'Access denied: the account has no rights to perform this operation.') =>
	new VspcError(403, message, { type: 'security' });
export const vspcUnauthorized = (message: string) => new VspcError(401, message, { type: 'security' });

/** The type Veeam's page gives each kind of error (assumed where a status is not named there). */
function typeFor(status: number): VspcErrorType {
	if (status === 401 || status === 403) return 'security';
	if (status === 429 || status === 502 || status === 503 || status === 504) return 'transport';
	if (status >= 500) return 'unspecified';
	return 'logical';
}

/**
 * Any SimHttpError as VSPC's error body. A server error of the simulator itself (500) goes out as
 * 520, as the errors page says; 502/503/504 are kept (a gateway's, or a fault's, status).
 */
export function vspcErrorResponse(err: SimHttpError): SimResponse {
	const status = err.status === 500 ? 520 : err.status;
	const extra = err instanceof VspcError ? err.extra : {};
	if (extra.body !== undefined) return { status, body: extra.body };
	const entry: Record<string, unknown> = { message: err.message, type: extra.type ?? typeFor(status), code: extra.code ?? status };
	if (extra.parameterName) entry.parameterName = extra.parameterName;
	if (extra.propertyName) entry.propertyName = extra.propertyName;
	if (extra.failedJsonPatch) entry.failedJsonPatch = extra.failedJsonPatch;
	if (status === 429 && err.retryAfterSeconds !== undefined) entry.retryAfter = err.retryAfterSeconds;
	const headers: Record<string, string> = {};
	return { status, headers, body: { errors: [entry] } };
}

export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';

/** A refused token request: 400 `OAuth2Error` (the 3.6.1 spec's only error answer of POST /token). */
export function oauthError(error: OAuthErrorCode, description: string): SimResponse {
	return { status: 400, body: { error, error_description: description, error_uri: null } };
}

/** The 3.6.1 spec's example wording for a refused password login. */
export const LOGIN_REFUSED = 'Cannot complete login due to incorrect username or password, or no sufficient rights.';
