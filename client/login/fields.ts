/**
 * The credential's fields that can be checked without a request (server URL, API version, CA
 * certificate, request timeout) and TLS trust.
 */
import type { ICredentialDataDecryptedObject, IHttpRequestOptions } from 'n8n-workflow';
import { version as n8nWorkflowVersion } from 'n8n-workflow/package.json';

import { VeeamAuthError } from './failures';

/**
 * A credential field whose value cannot work, found without a request. The message starts with the
 * field's name as the form shows it; the node also gets field and problem apart, to name the item.
 */
export class CredentialFieldError extends VeeamAuthError {
	constructor(
		readonly field: string,
		readonly problem: string,
	) {
		super(`${field} ${problem}`);
	}
}

/** `https://host[:port]` with the product's default port added; anything else is refused with a reason. */
export function normalizeServerUrl(raw: unknown, defaultPort: number): string {
	const field = 'Server URL';
	const text = typeof raw === 'string' ? raw.trim() : '';
	if (!text) throw new CredentialFieldError(field, 'is empty: enter the address of the Veeam server, e.g. https://vbr.example.com:9419');
	// `user:password@host`: refused before anything else, and never quoted (it may be a password).
	if (/^(?:[a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i.test(text)) {
		throw new CredentialFieldError(field, 'must not contain a user name or password: use the credential fields');
	}
	if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
		throw new CredentialFieldError(field, `"${text}" has no scheme: write it as https://${text}`);
	}
	if (!URL.canParse(text)) throw new CredentialFieldError(field, `"${text}" is not a valid URL`);
	const url = new URL(text);
	if (url.protocol !== 'https:') {
		throw new CredentialFieldError(field, `must use https:// (Veeam's REST API is HTTPS only), not ${url.protocol}//`);
	}
	if (url.username || url.password) {
		throw new CredentialFieldError(field, 'must not contain a user name or password: use the credential fields');
	}
	if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) {
		// The path is named (e.g. a copied "/api/v1"), a query or fragment is not: it may hold a token.
		const what = url.pathname !== '/' && url.pathname !== '' ? `the path "${url.pathname}"` : 'a query or fragment';
		throw new CredentialFieldError(field, `must be only the server address, without ${what}: write https://${url.hostname}:${url.port || defaultPort}`);
	}
	// `hostname` keeps the brackets of an IPv6 address.
	return `https://${url.hostname}:${url.port || defaultPort}`;
}

/** How a product writes its API versions. */
export interface ApiVersionFormat {
	readonly pattern: RegExp;
	readonly example: string;
	/** For messages: `<major>.<minor>-rev<n>`. */
	readonly format: string;
	/** The version is a path segment (`/api/v8.1/…`) instead of a header. */
	readonly inPath?: boolean;
	/** The header the version goes in, when not in the path: `x-api-version` unless named here (VSPC: `X-Client-Version`). */
	readonly header?: string;
}

/** The version header's name for this format (`x-api-version` unless the product names another). */
export function versionHeaderName(format: ApiVersionFormat): string {
	return format.header ?? 'x-api-version';
}

/** The credential's "Authentication" value of an API-key login (VSPC: the key is the bearer token; apiKey.ts). */
export const API_KEY_AUTHENTICATION = 'apiKey';

/** Whether the credential logs in with an API key rather than a user name and password. */
export function usesApiKey(credentials: ICredentialDataDecryptedObject): boolean {
	return credentials.authentication === API_KEY_AUTHENTICATION;
}

/** The "API Version" option that lets the credential find the version (versions.ts). */
export const AUTOMATIC_API_VERSION = 'auto';

export function resolveApiVersion(credentials: ICredentialDataDecryptedObject, format: ApiVersionFormat): string {
	const chosen = String(credentials.apiVersion ?? '');
	const custom = chosen === 'custom';
	const version = custom ? String(credentials.customApiVersion ?? '').trim() : chosen;
	if (!format.pattern.test(version)) {
		throw new CredentialFieldError(custom ? 'Custom API Version' : 'API Version', `"${version}" is not in Veeam's format ${format.format}, e.g. ${format.example}`);
	}
	return version;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** The CA certificate of the credential ('' when none is given); refused when it is not PEM. */
function caCertificateOf(credentials: ICredentialDataDecryptedObject): string {
	const ca = typeof credentials.caCertificate === 'string' ? credentials.caCertificate.trim() : '';
	if (ca && !PEM_CERT.test(ca)) {
		throw new CredentialFieldError(
			'CA Certificate',
			'is not a PEM certificate: paste the text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----',
		);
	}
	return ca;
}

export const DEFAULT_TIMEOUT_SECONDS = 30;
const MAX_TIMEOUT_SECONDS = 600;

/**
 * The credential's request timeout in milliseconds. Credentials saved before the field existed
 * have none: they get the default.
 */
export function requestTimeoutMs(credentials: ICredentialDataDecryptedObject): number {
	const raw = credentials.timeoutSeconds;
	if (raw === undefined || raw === null || raw === '') return DEFAULT_TIMEOUT_SECONDS * 1000;
	const seconds = typeof raw === 'number' ? raw : Number(raw);
	if (!Number.isFinite(seconds) || seconds <= 0 || seconds > MAX_TIMEOUT_SECONDS) {
		throw new CredentialFieldError('Request Timeout (Seconds)', `must be a number of seconds from 1 to ${MAX_TIMEOUT_SECONDS}, not ${JSON.stringify(raw)}`);
	}
	return Math.round(seconds * 1000);
}

/** Checks every credential field that can be checked without a request; throws CredentialFieldError. */
export function checkCredentialFields(credentials: ICredentialDataDecryptedObject, defaultPort: number, version: ApiVersionFormat): void {
	normalizeServerUrl(credentials.url, defaultPort);
	// "Automatic" chooses only among the versions the package knows (versions.ts).
	if (credentials.apiVersion !== AUTOMATIC_API_VERSION) resolveApiVersion(credentials, version);
	caCertificateOf(credentials);
	requestTimeoutMs(credentials);
}

/**
 * Whether this n8n hands a request's `agentOptions.ca` to its HTTPS agent: n8n 2.x does, n8n 1.x
 * does not (it trusts only Node's store, which NODE_EXTRA_CA_CERTS extends). A node gets n8n's own
 * n8n-workflow, so its major is n8n's.
 */
export const N8N_USES_REQUEST_CA = Number.parseInt(n8nWorkflowVersion, 10) >= 2;

/**
 * TLS trust: a given CA / self-signed certificate is trusted and verification stays on; only when
 * no certificate is given does "skip certificate validation" apply. On n8n 1.x, which cannot use
 * a given CA, the CA field is left out and "skip" works as if none were given.
 */
export function applyTls(options: IHttpRequestOptions, credentials: ICredentialDataDecryptedObject): IHttpRequestOptions {
	const ca = caCertificateOf(credentials);
	if (ca && N8N_USES_REQUEST_CA) {
		options.agentOptions = { ...options.agentOptions, ca };
		options.skipSslCertificateValidation = false;
	} else if (credentials.skipTlsVerification === true) {
		options.skipSslCertificateValidation = true;
		// The same request through `requestWithAuthentication` (n8n's HTTP Request node with this
		// credential, what the editor offers as "Custom API Call") has the older option shape,
		// which n8n 1.x reads as `rejectUnauthorized`.
		(options as IHttpRequestOptions & { rejectUnauthorized?: boolean }).rejectUnauthorized = false;
	}
	return options;
}

/** For messages about an untrusted certificate: what this credential and this n8n do with a CA. */
export function tlsContext(credentials: ICredentialDataDecryptedObject, timeoutMs?: number) {
	const ca = typeof credentials.caCertificate === 'string' && credentials.caCertificate.trim() !== '';
	return { timeoutMs, caGiven: ca, requestCaUsed: N8N_USES_REQUEST_CA };
}
