/**
 * Veeam Backup for Microsoft Azure's error answers, as its published v8.1 document gives them
 * (sim/spec/azure-v8.1.users.openapi.json, sim/contracts/azure.md): ASP.NET Core problem details
 * with no `errorCode`: `ProblemDetails400 { type, title, status, detail, errors, traceId }`,
 * `ProblemDetails401 { type, title, status, detail, extensions }`, `ProblemDetails403 { type,
 * title, status, licenseAgreementAcceptanceRequired }`, `ProblemDetails404 { type, title, status,
 * detail, instance, traceId }`; every one `additionalProperties: false`.
 */
import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

import { SimHttpError, type SimResponse } from '../core/http';
import { problemType } from '../portal/problem';

/**
 * A request that fails model validation: ASP.NET's `errors` (field → messages) and its title
 * "One or more validation errors occurred." (the title the issue quotes from a real appliance).
 */
export class AzureValidationError extends SimHttpError {
	constructor(readonly errors: Record<string, string[]>) {
		super(400, 'UnexpectedContent', 'One or more validation errors occurred.');
	}
}

export const invalidField = (field: string, message: string) => new AzureValidationError({ [field]: [message] });

/** A W3C trace id as ASP.NET Core writes it (`00-<32 hex>-<16 hex>-00`). */
function traceId(): string {
	return `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;
}

export function azureProblem(err: SimHttpError): SimResponse {
	const base = { type: problemType(err.status), title: STATUS_CODES[err.status] ?? 'Error', status: err.status };
	let body: Record<string, unknown>;
	if (err instanceof AzureValidationError) {
		body = { ...base, title: err.message, errors: err.errors, traceId: traceId() };
	} else if (err.status === 401) {
		body = { ...base, detail: err.message };
	} else if (err.status === 403) {
		// ProblemDetails403 has no `detail`: the title is all a client gets.
		body = { ...base, title: err.message };
	} else if (err.status === 404) {
		body = { ...base, detail: err.message, ...(err.resourceId ? { instance: err.resourceId } : {}), traceId: traceId() };
	} else {
		body = { ...base, detail: err.message, traceId: traceId() };
	}
	return { status: err.status, headers: { 'Content-Type': 'application/problem+json; charset=utf-8' }, body };
}
