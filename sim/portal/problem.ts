/**
 * RFC 7807 problem details as Veeam Backup for AWS and Veeam Backup for Microsoft Azure answer
 * errors. Both are ASP.NET Core services (their specs carry ASP.NET's content types and
 * `x-external-type: Veeam.Azure.REST…`); the AWS spec's `Error` schema requires `type`, which no
 * Veeam page lists values for. Assumption: the URIs ASP.NET Core puts there by default for each
 * status (RFC 9110 sections), `title` the reason phrase.
 */
import { STATUS_CODES } from 'node:http';

import type { SimHttpError, SimResponse } from '../core/http';

const RFC9110 = 'https://tools.ietf.org/html/rfc9110#section-';

/** ASP.NET Core's default `type` per status (ProblemDetailsDefaults). */
const PROBLEM_TYPES = new Map<number, string>([
	[400, `${RFC9110}15.5.1`],
	[401, `${RFC9110}15.5.2`],
	[403, `${RFC9110}15.5.4`],
	[404, `${RFC9110}15.5.5`],
	[405, `${RFC9110}15.5.6`],
	[406, `${RFC9110}15.5.7`],
	[408, `${RFC9110}15.5.9`],
	[409, `${RFC9110}15.5.10`],
	[412, `${RFC9110}15.5.13`],
	[415, `${RFC9110}15.5.16`],
	[422, `${RFC9110}15.5.21`],
	[426, `${RFC9110}15.5.22`],
	[429, 'https://tools.ietf.org/html/rfc6585#section-4'],
	[500, `${RFC9110}15.6.1`],
	[502, `${RFC9110}15.6.3`],
	[503, `${RFC9110}15.6.4`],
	[504, `${RFC9110}15.6.5`],
]);

export function problemType(status: number): string {
	return PROBLEM_TYPES.get(status) ?? (status >= 500 ? `${RFC9110}15.6.1` : `${RFC9110}15.5.1`);
}

/**
 * `{ type, title, status, errorCode, <messageField> }`. AWS's spec names the human text `details`;
 * for Azure the decisions file names it `message` (inferred: Veeam shows no Azure error body).
 */
export function problemResponse(err: SimHttpError, messageField: 'details' | 'message'): SimResponse {
	return {
		status: err.status,
		headers: { 'Content-Type': 'application/problem+json; charset=utf-8' },
		body: {
			type: problemType(err.status),
			title: STATUS_CODES[err.status] ?? 'Error',
			status: err.status,
			errorCode: err.errorCode,
			[messageField]: err.message,
		},
	};
}
