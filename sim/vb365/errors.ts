/**
 * VB365's error answers: `RESTExceptionInfo` `{ message, errorCode, stackTrace }`, every
 * operation's `default` response in Veeam's v8 spec. `errorCode` is one of the spec's enum
 * values or null. Which status and code each refusal gets is not documented: the simulator's
 * choices are marked "assumed" in sim/contracts/vb365.md.
 */
import { SimHttpError, type SimResponse, type VeeamErrorCode } from '../core/http';

/** `RESTExceptionInfo.errorCode` of the v8 spec. */
export type Vb365ErrorCode =
	| 'ProxyOffline'
	| 'OutdatedChangeToken'
	| 'ResourceAccessDenied'
	| 'ResourceNotFound'
	| 'ParameterValidationFailure'
	| 'OrganizationTransfer'
	| 'RepositoryOwnerChangeTooManyLinks'
	| 'Timeout'
	| 'OperationConflict'
	| 'HttpError';

/** Which errors carry a `stackTrace` (the server's .NET trace): none, server errors (default), or all. */
export type Vb365StackTraces = 'none' | 'serverErrors' | 'all';

export class Vb365Error extends SimHttpError {
	/** Answered on a v7 path: v7's `RESTExceptionInfo` is `{ message, errorCode }` (errorCode enum: ProxyOffline only). */
	v7 = false;
	constructor(
		status: number,
		message: string,
		readonly code: Vb365ErrorCode | null,
		errorCode: VeeamErrorCode = status === 404 ? 'NotFound' : status === 401 ? 'InvalidToken' : status === 403 ? 'AccessDenied' : 'UnexpectedContent',
	) {
		super(status, errorCode, message);
	}
}

/** An answer given exactly as it is (a bare 404 for a version the server does not serve). */
export class RawAnswer extends SimHttpError {
	constructor(readonly response: SimResponse) {
		super(response.status, 'NotFound', 'raw answer');
	}
}

export const vb365BadRequest = (message: string) => new Vb365Error(400, message, 'ParameterValidationFailure');
export const vb365NotFound = (message: string) => new Vb365Error(404, message, 'ResourceNotFound');
export const vb365Conflict = (message: string) => new Vb365Error(409, message, 'OperationConflict');
export const vb365Unauthorized = (message = 'Authorization has been denied for this request.') => new Vb365Error(401, message, null);

/** The core's generic codes (faults, 405, body too large) as VB365's. */
function codeFor(err: SimHttpError): Vb365ErrorCode | null {
	if (err instanceof Vb365Error) return err.code;
	switch (err.errorCode) {
		case 'NotFound':
			return 'ResourceNotFound';
		case 'AccessDenied':
			return 'ResourceAccessDenied';
		case 'UnexpectedContent':
			return 'ParameterValidationFailure';
		default:
			return null;
	}
}

/** A .NET stack trace as VB365 would put in `stackTrace` (the text is ours; its presence is the point: never shown to users). */
function stackTrace(status: number): string {
	return [
		`   at Veeam.Archiver.REST.Infrastructure.ExceptionFilter.Throw(Int32 status) in C:\\Sources\\Archiver\\REST\\ExceptionFilter.cs:line ${status}`,
		'   at Veeam.Archiver.REST.Controllers.RbacRoleController.Invoke(HttpRequestMessage request)',
		'   at System.Web.Http.Controllers.ApiControllerActionInvoker.InvokeActionAsyncCore(HttpActionContext actionContext, CancellationToken cancellationToken)',
	].join('\r\n');
}

/** The error as a v7 path answers it. */
export function asV7(err: SimHttpError): SimHttpError {
	if (err instanceof RawAnswer) return err;
	const out = new Vb365Error(err.status, err.message, null, err.errorCode);
	out.v7 = true;
	out.retryAfterSeconds = err.retryAfterSeconds;
	return out;
}

export function vb365ErrorResponse(err: SimHttpError, stackTraces: Vb365StackTraces): SimResponse {
	if (err instanceof RawAnswer) return err.response;
	// `errorCode` is left out when there is none: the spec's enum (nullable, but without null among its
	// values) admits no null under OpenAPI 3.0.3's reading of `nullable` with `enum`.
	const code = err instanceof Vb365Error && err.v7 ? null : codeFor(err);
	const body: Record<string, unknown> = { message: err.message };
	if (code) body.errorCode = code;
	if (err instanceof Vb365Error && err.v7) return { status: err.status, body };
	const withTrace = stackTraces === 'all' || (stackTraces === 'serverErrors' && err.status >= 500);
	body.stackTrace = withTrace ? stackTrace(err.status) : null;
	return { status: err.status, body };
}
