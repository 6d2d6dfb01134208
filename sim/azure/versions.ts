/**
 * What the Azure simulator answers a path version it does not serve (sim/contracts/azure.md,
 * "Versions"). Veeam documents nothing. The appliance takes an `api-version` query parameter
 * (`DELETE /api/oauth2/token` in the v8.1 document), the default name of ASP.NET API Versioning's
 * query reader, so it very likely routes versions with that library, whose answer to an unserved
 * URL-segment version depends on its release:
 * - `bare-404`: Asp.Versioning 6 and later, a 404 with no body and no `api-supported-versions`
 *   header (https://github.com/dotnet/aspnet-api-versioning/issues/876,
 *   https://github.com/dotnet/aspnet-api-versioning/discussions/1049);
 * - `unsupported-400`: Microsoft.AspNetCore.Mvc.Versioning 5 and older, 400 with
 *   `{"error":{"code":"UnsupportedApiVersion","message":"The HTTP resource that matches the request
 *   URI '…' does not support the API version '…'."}}` (https://github.com/dotnet/aspnet-api-versioning/issues/744,
 *   /issues/219; the codes: https://github.com/Microsoft/aspnet-api-versioning/wiki/Error-Responses);
 * - `problem-404` (default, assumed): Veeam's 404 problem details, `detail` naming the served
 *   versions unless `announceVersions` is false.
 */
import { SimHttpError, type SimRequest, type SimResponse } from '../core/http';

export type AzureUnservedVersion = 'problem-404' | 'bare-404' | 'unsupported-400';

/** The Azure simulator's options about versions. */
export interface AzureVersionOptions {
	/** Version path segments the server accepts (default v5, v6, v7, v8, v8.1). */
	supportedVersions?: string[];
	/** When false, an unsupported version gets a bare message without the list of versions (`problem-404`). */
	announceVersions?: boolean;
	/** The answer to an unserved path version: Veeam-style 404 problem details (default), ASP.NET's bare 404, or its 400 `UnsupportedApiVersion`. */
	unservedVersion?: AzureUnservedVersion;
	/** Check the bearer token before the path's version (an expired token with an unserved version: 401, not the version's answer). Assumed either way. */
	tokenBeforeVersion?: boolean;
}

/** An answer given exactly as it is (not in the product's error format). */
export class RawAnswer extends SimHttpError {
	constructor(readonly response: SimResponse) {
		super(response.status, 'NotFound', 'raw answer');
	}
}

/** The error for `version`, which the server does not serve. */
export function unservedVersionError(req: SimRequest, version: string, served: readonly string[], mode: AzureUnservedVersion, announce: boolean): SimHttpError {
	if (mode === 'bare-404') return new RawAnswer({ status: 404 });
	if (mode === 'unsupported-400') {
		const uri = `https://${String(req.headers.host ?? 'localhost')}${req.path}`;
		const apiVersion = version.replace(/^v/i, '');
		return new RawAnswer({
			status: 400,
			headers: { 'Content-Type': 'application/json; charset=utf-8' },
			body: { error: { code: 'UnsupportedApiVersion', message: `The HTTP resource that matches the request URI '${uri}' does not support the API version '${apiVersion}'.`, innerError: null } },
		});
	}
	const hint = announce ? ` Supported versions: ${served.join(', ')}.` : '';
	return new SimHttpError(404, 'NotFound', `The API version ${version} is not supported.${hint}`);
}
