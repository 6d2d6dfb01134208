/**
 * API version "Automatic": which versions a product's server is tried with, in which order, how a
 * refusal of a version is recognised, and what is said when none is accepted. Used by the login
 * (preAuthentication finds the version and keeps it with the token) and by the transport (a request
 * refused for its version mid-token, client/transport/apiVersion.ts). Only versions the package
 * knows are ever chosen: a server's list of versions orders the tries, it never adds one.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import { AUTOMATIC_API_VERSION, resolveApiVersion, type ApiVersionFormat } from './fields';
import { veeamErrorText } from './failures';

/** The hidden credential field the found version is kept in, beside the token. */
export const FOUND_API_VERSION_FIELD = 'apiVersionFound';

/** What the login and the transport need of a product for Automatic. */
export interface VersionedProduct {
	productName: string;
	version: ApiVersionFormat;
	offeredVersions?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

export function isAutomatic(credentials: ICredentialDataDecryptedObject): boolean {
	return credentials.apiVersion === AUTOMATIC_API_VERSION;
}

/** `1.3-rev2` → [1, 3, 2]; `v8.1` → [8, 1]; `v8` → [8, 0]. */
function versionNumbers(version: string): number[] {
	const numbers = (version.match(/\d+/g) ?? []).map(Number);
	while (numbers.length < 3) numbers.push(0);
	return numbers;
}

/** Newest first. */
export function compareNewestFirst(a: string, b: string): number {
	const x = versionNumbers(a);
	const y = versionNumbers(b);
	for (let i = 0; i < Math.max(x.length, y.length); i++) {
		const d = (y[i] ?? 0) - (x[i] ?? 0);
		if (d !== 0) return d;
	}
	return 0;
}

/** The versions the package knows for this product (the credential's options), newest first. */
export function knownVersions(product: VersionedProduct): string[] {
	return (product.offeredVersions ?? []).map((v) => v.value).sort(compareNewestFirst);
}

/** `value` as the product's own spelling of one of its known versions, or undefined. */
export function knownVersion(product: VersionedProduct, value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const wanted = value.trim().toLowerCase();
	return knownVersions(product).find((v) => v.toLowerCase() === wanted);
}

/** Automatic's version for a request: the one kept with the token, else the newest known. */
export function automaticVersion(credentials: ICredentialDataDecryptedObject, product: VersionedProduct): string {
	const kept = knownVersion(product, credentials[FOUND_API_VERSION_FIELD]);
	const newest = knownVersions(product)[0];
	if (!kept && !newest) throw new Error(`${product.productName} has no known API versions`);
	return kept ?? newest;
}

/** The version a request goes out with: the pinned (or Custom) one as before, or Automatic's. */
export function requestApiVersion(credentials: ICredentialDataDecryptedObject, product: VersionedProduct): string {
	return isAutomatic(credentials) ? automaticVersion(credentials, product) : resolveApiVersion(credentials, product.version);
}

/**
 * The versions a server's refusal says it supports, in the product's spelling (`v1.3-rev1` →
 * `1.3-rev1` for `x-api-version` products; `v8.1` for Azure): those after its last "support…"
 * (VBR forum: "The following versions are supported: v1.0-rev1, …"; the simulators: "Supported
 * versions: …"). A list that names the version sent means that version is served (something else
 * was refused). Only an ordering hint: nothing outside the known versions is ever chosen.
 */
export function versionsNamedIn(text: string | undefined, format: ApiVersionFormat): string[] {
	if (!text) return [];
	// The list follows the last "supported"/"supports" that has versions after it: "The API version
	// v9 is not supported. Supported versions: v8.1, v8." names v8.1 and v8, not the refused v9.
	const parts = text.split(/support/i).slice(1);
	for (let i = parts.length - 1; i >= 0; i--) {
		const named = versionsIn(parts[i], format);
		if (named.length) return named;
	}
	return [];
}

function versionsIn(text: string, format: ApiVersionFormat): string[] {
	const found = format.inPath ? (text.match(/(?<![\w.])v\d+(?:\.\d+)?(?![\w-]|\.\d)/gi) ?? []) : (text.match(/(?<![\w.])v?\d+\.\d+-rev\d+\b/gi) ?? []);
	const versions = found.map((v) => (format.inPath ? v.toLowerCase() : v.replace(/^v/i, '').toLowerCase()));
	return [...new Set(versions)];
}

/** One version the server refused, with what it said it supports (as named, unfiltered). */
export interface VersionRefusal {
	version: string;
	named: string[];
}

/**
 * VBR's refusal as real servers word it, whatever its `errorCode` (VeeamHub/grafana issue 27: "Unsupported
 * RESTAPI version. The following versions are supported: v1.0-rev1."; a third-party mock of a real
 * server answers it with `BadRequest`), and the reference example's "The specified API version is not supported."
 */
const VERSION_REFUSAL_TEXT = /unsupported\s+(?:rest\s*)?api\s+version|api\s+version\s+is\s+not\s+supported/i;

/**
 * Whether Veeam's error text refuses the API version: `NotImplemented` about a version (or saying
 * nothing), ASP.NET API Versioning's `UnsupportedApiVersion` / `InvalidApiVersion` (VSPC, whose
 * `X-Client-Version` ASP.NET reads: the one refusal on record, VeeamHub/powershell issue 173), or a
 * refusal's wording.
 */
export function refusesVersion(errorCode: string | undefined, message: string | undefined): boolean {
	if (errorCode === 'NotImplemented') return !message || /version/i.test(message);
	if (errorCode !== undefined && /^(?:Unsupported|Invalid)ApiVersion$/i.test(errorCode)) return true;
	return message !== undefined && VERSION_REFUSAL_TEXT.test(message);
}

/**
 * Whether an answer refuses the version it was sent with (`x-api-version` products): Veeam's
 * `NotImplemented` about the version (VBR 1.3-rev2 reference, ErrorNotImplementedExample, "The
 * specified API version is not supported."), or a refusal's wording under any `errorCode` (the
 * wording reported from real VBR servers, "Unsupported RESTAPI version. The following versions are
 * supported: …"; VBGC and AWS: sim/contracts). Not when its text is about something else, nor when
 * it lists the sent version among the supported ones (then the endpoint, not the version, is missing).
 */
export function refusalOf(body: unknown, sent: string, product: VersionedProduct): VersionRefusal | undefined {
	const { errorCode, message } = veeamErrorText(body);
	if (!refusesVersion(errorCode, message)) return undefined;
	const named = versionsNamedIn(message, product.version);
	if (named.includes(sent.toLowerCase())) return undefined;
	return { version: sent, named };
}

/**
 * What an answer under a path version says of that version (Azure, whose login has no version).
 * Veeam documents nothing; the appliance's `api-version` query parameter (`DELETE /api/oauth2/token`)
 * is the default of ASP.NET API Versioning, whose unserved URL-segment version answers 404 (Asp.Versioning
 * 6+, no body: github.com/dotnet/aspnet-api-versioning/issues/876) or 400 `UnsupportedApiVersion`
 * (Microsoft.AspNetCore.Mvc.Versioning 5 and older: its wiki's "Error Responses"). So: `served` only
 * when the route answered (2xx, or 401/403: it was matched and asked for rights); `unserved` for a
 * 404 or a 400 about the API version; anything else (429, 5xx, another 400 …) proves nothing.
 */
export type PathVersionVerdict = 'served' | 'unserved' | 'unknown';

export function pathVersionVerdict(statusCode: number, body: unknown): PathVersionVerdict {
	if ((statusCode >= 200 && statusCode < 300) || statusCode === 401 || statusCode === 403) return 'served';
	if (statusCode === 404) return 'unserved';
	if (statusCode === 400 && refusesPathVersion(body)) return 'unserved';
	return 'unknown';
}

/** A path version found unserved, with the versions its answer names (never the refused one itself, which a 400 quotes). */
export function pathRefusal(version: string, body: unknown, format: ApiVersionFormat): VersionRefusal {
	return { version, named: versionsNamedIn(veeamErrorText(body).message, format).filter((v) => v !== version.toLowerCase()) };
}

/** ASP.NET API Versioning's 400: `code` (problem details) or `error.code` (older format) `UnsupportedApiVersion`, or text about the API version. */
function refusesPathVersion(body: unknown): boolean {
	if (!body || typeof body !== 'object') return false;
	const b = body as Record<string, unknown>;
	const inner = (b.error && typeof b.error === 'object' ? b.error : {}) as Record<string, unknown>;
	if ([b.code, b.errorCode, inner.code].some((c) => typeof c === 'string' && /^(?:Unsupported|Invalid)ApiVersion$/i.test(c.trim()))) return true;
	return [inner.message, veeamErrorText(body).message].some((t) => typeof t === 'string' && /\bapi[\s-]?version\b/i.test(t));
}

/**
 * The next version to try: the known ones the server named (newest first), then the other known
 * ones newest first (stepping down), never one already tried; none when the server named its
 * versions and none of them is known (a 12.x VBR server, a 4.0 Azure appliance).
 */
export function nextCandidate(product: VersionedProduct, tried: ReadonlySet<string>, refusals: readonly VersionRefusal[]): string | undefined {
	const all = knownVersions(product);
	const named = new Set(refusals.flatMap((r) => r.named));
	// The server named what it supports and none of it is known: no other known version can be accepted.
	if (named.size && !all.some((v) => named.has(v.toLowerCase()))) return undefined;
	const known = all.filter((v) => !tried.has(v.toLowerCase()));
	return known.find((v) => named.has(v.toLowerCase())) ?? known[0];
}

/** None of the known versions was accepted: what the server said it supports and what the package knows. */
export function noVersionAcceptedMessage(product: VersionedProduct, refusals: readonly VersionRefusal[]): string {
	const named = [...new Set(refusals.flatMap((r) => r.named))].sort(compareNewestFirst);
	const server = named.length ? `It says it supports: ${named.join(', ')}.` : 'It does not say which it supports.';
	return (
		`${product.productName} accepts none of the API versions this package knows (${knownVersions(product).join(', ')}; tried: ${refusals.map((r) => r.version).join(', ')}). ` +
		`${server} Update the n8n-nodes-veeam package, or choose "Custom" in the credential's "API Version" with a version the server supports.`
	);
}
