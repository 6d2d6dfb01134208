/**
 * The product table: every Veeam product the package speaks to, with what the credentials, the
 * Veeam node and the Veeam Trigger need to know of it. Adding a product means a row here, its
 * adapter (client/adapters) and its credential; the nodes read what a product can do from
 * `capabilities` and show only that.
 */
import { completeMfa } from './login/mfa';
import type { VeeamProductAuth } from './login/login';

export type Product = 'vbr' | 'vbgc' | 'aws' | 'azure' | 'vspc' | 'vb365';

/** What a product can do beyond the common user model (the nodes show an operation or field only where it exists). */
export type Capability =
	/** Four-eyes requests and the authorization event log (VBR). */
	| 'authorizationEvents'
	/** Users log in with a password the product keeps: Onboard takes one, Change Password exists. */
	| 'passwords'
	/** Change Password wants the user's current password as well (VBGC, AWS). */
	| 'currentPasswordToChange'
	/** MFA set-up of another user over REST: enable, accept with a code, recreate, disable (VBGC, AWS, Azure). */
	| 'mfaSetup'
	/** Reset MFA: the user sets up a new authenticator at the next login (VBR). */
	| 'resetMfa'
	/** Service account mode (VBR). */
	| 'serviceAccounts'
	/** Users carry a description (VBGC, AWS, Azure). */
	| 'descriptions'
	/** The user list filters by MFA state on the server (VBGC). */
	| 'mfaFilter'
	/** The user list filters by type, role and service account mode on the server (VBR). */
	| 'serverFilters'
	/** Users may hold several roles at once (VBR, VBGC); elsewhere exactly one. */
	| 'multipleRoles'
	/** A user may be a directory account (VBR: Active Directory; Azure: Microsoft Entra ID). */
	| 'directoryUsers'
	/** The login may ask for a TOTP code (the credential has a TOTP Secret field). */
	| 'mfaLogin';

export interface ProductInfo {
	readonly id: Product;
	readonly name: string;
	/** The n8n credential type. */
	readonly credentialType: string;
	readonly auth: VeeamProductAuth;
	readonly capabilities: readonly Capability[];
	/** The role every user operation needs (the credential test names it when it is missing). */
	readonly administratorRole: string;
}

/** `x-api-version` products: Veeam's `<major>.<minor>-rev<n>`. */
const REV_VERSION = { pattern: /^\d+\.\d+-rev\d+$/, example: '1.3-rev1', format: '<major>.<minor>-rev<n>' } as const;

export const PRODUCTS: Readonly<Record<Product, ProductInfo>> = {
	vbr: {
		id: 'vbr',
		name: 'Veeam Backup & Replication',
		credentialType: 'veeamBackupReplicationApi',
		auth: {
			productName: 'Veeam Backup & Replication',
			defaultPort: 9419,
			loginPath: '/api/oauth2/token',
			version: REV_VERSION,
			// The credential's "API Version" options (credentials/*.credentials.ts), oldest first: the
			// versions this package knows, which "Automatic" chooses from (newest first).
			offeredVersions: [
				{ name: '1.3-rev1 (VBR 13.0.1)', value: '1.3-rev1' },
				{ name: '1.3-rev2 (VBR 13.1)', value: '1.3-rev2' },
			],
		},
		capabilities: ['authorizationEvents', 'resetMfa', 'serviceAccounts', 'serverFilters', 'multipleRoles', 'directoryUsers'],
		administratorRole: 'Backup Administrator',
	},
	vbgc: {
		id: 'vbgc',
		name: 'Veeam Backup for Google Cloud',
		credentialType: 'veeamBackupGoogleCloudApi',
		auth: {
			productName: 'Veeam Backup for Google Cloud',
			defaultPort: 13140,
			loginPath: '/api/v1/token',
			version: REV_VERSION,
			// 1.4-rev0 (VBGC 6.0, 7.0: Veeam's VBGC REST help, "Versioning") is the version whose user
			// calls the 7.0 reference documents (/api/v1/users). Older ones are not offered: Veeam's MFA
			// help shows 1.3-rev0 under /api/v1/accounts/users and no page gives the rest of their
			// user paths (sim/contracts/vbgc.md, "API versions"); the node refuses them if typed as Custom.
			offeredVersions: [{ name: '1.4-rev0 (VBGC 6.0, 7.0)', value: '1.4-rev0' }],
			completeMfa,
		},
		capabilities: ['passwords', 'currentPasswordToChange', 'mfaSetup', 'descriptions', 'mfaFilter', 'multipleRoles', 'mfaLogin'],
		administratorRole: 'Portal Administrator',
	},
	aws: {
		id: 'aws',
		name: 'Veeam Backup for AWS',
		credentialType: 'veeamBackupAwsApi',
		auth: {
			productName: 'Veeam Backup for AWS',
			defaultPort: 11005,
			loginPath: '/api/v1/token',
			version: REV_VERSION,
			// Each version with the release that brought it (sim/contracts/aws.md): Veeam's "Versioning"
			// (docs/vbaws/rest/versioning.html: 7.0 serves 1.5-rev0 and, updated, 1.5-rev1; 8.0 1.6-rev0),
			// the 8.1 REST help (still 1.6-rev0), the references under vbaws/9 (1.7-rev0) and vbaws/10
			// (1.8-rev0). A release also serves the three versions before its own.
			offeredVersions: [
				{ name: '1.5-rev0 (Veeam Backup for AWS 7.0)', value: '1.5-rev0' },
				{ name: '1.5-rev1 (Veeam Backup for AWS 7.0, Updated)', value: '1.5-rev1' },
				{ name: '1.6-rev0 (Veeam Backup for AWS 8.0, 8.1)', value: '1.6-rev0' },
				{ name: '1.7-rev0 (Veeam Backup for AWS 9.0)', value: '1.7-rev0' },
				{ name: '1.8-rev0 (Veeam Backup for AWS 10.0)', value: '1.8-rev0' },
			],
			completeMfa,
		},
		// Identity-provider (SSO) users, `accountType: External` (1.2-rev0 changelog; User Guide 10.0, "Account Type").
		capabilities: ['passwords', 'currentPasswordToChange', 'mfaSetup', 'descriptions', 'directoryUsers', 'mfaLogin'],
		administratorRole: 'Portal Administrator',
	},
	azure: {
		id: 'azure',
		name: 'Veeam Backup for Microsoft Azure',
		credentialType: 'veeamBackupAzureApi',
		auth: {
			productName: 'Veeam Backup for Microsoft Azure',
			defaultPort: 443,
			loginPath: '/api/oauth2/token',
			// The version is a path segment (`/api/v8.1/users`), not a header.
			version: { pattern: /^v\d+(?:\.\d+)?$/, example: 'v8.1', format: 'v<major>[.<minor>]', inPath: true },
			// Veeam's help center: the REST API version of each release is its major version (v7 for 7.0, v8 for 8.0).
			offeredVersions: [
				{ name: 'V5 (Veeam Backup for Microsoft Azure 5.x)', value: 'v5' },
				{ name: 'V6 (Veeam Backup for Microsoft Azure 6.x)', value: 'v6' },
				{ name: 'V7 (Veeam Backup for Microsoft Azure 7.x)', value: 'v7' },
				{ name: 'V8 (Veeam Backup for Microsoft Azure 8.0)', value: 'v8' },
				{ name: 'V8.1 (Veeam Backup for Microsoft Azure 8.1)', value: 'v8.1' },
			],
			// "Automatic": the token endpoint has no version, so the user list (which every served
			// version has; the credential test's request) tells a served version from an unserved one (404).
			versionProbePath: '/api/{version}/users?Limit=1',
			// The Login reference's `GrantType` and its examples (`grant_type=Password`, `grant_type=Mfa`).
			grantTypes: { password: 'Password', refresh_token: 'Refresh_token', mfa: 'Mfa' },
			completeMfa,
		},
		// MFA set-up over REST: the Overview's "Multi-Factor Authentication" (enableMfa, acceptMfa, disableMfa).
		capabilities: ['passwords', 'descriptions', 'directoryUsers', 'mfaSetup', 'mfaLogin'],
		administratorRole: 'Portal Administrator',
	},
	vspc: {
		id: 'vspc',
		name: 'Veeam Service Provider Console',
		credentialType: 'veeamServiceProviderConsoleApi',
		auth: {
			productName: 'Veeam Service Provider Console',
			defaultPort: 1280,
			loginPath: '/api/v3/token',
			// The `X-Client-Version` header (Veeam's VSPC REST "Versioning", docs/vac/rest/back_comp.html,
			// build 9.0: 3.5 and 3.5.1 = 8.1, 3.6 = 9.0; 3.4 (8.0) is "Not supported" in the 3.6.1
			// reference's Versioning table, references/vac/9.1/rest/tag/SectionOverview: not offered); the 9.1 reference's
			// header example is 3.6.1 (references/vac/9.1/rest), the 9.2 reference lives under
			// references/vac/9.2/rest/3.6.2/). Veeam sends it on every call, the token request included
			// (VeeamHub/powershell VSPC scripts). What a server answers to a version it does not know is
			// not documented; the one answer on record is ASP.NET's `UnsupportedApiVersion` (versions.ts).
			version: { pattern: /^3\.\d+(?:\.\d+)?$/, example: '3.6.1', format: '<major>.<minor>[.<patch>]', header: 'X-Client-Version' },
			offeredVersions: [
				{ name: '3.5 (Veeam Service Provider Console 8.1)', value: '3.5' },
				{ name: '3.5.1 (Veeam Service Provider Console 8.1)', value: '3.5.1' },
				{ name: '3.6 (Veeam Service Provider Console 9.0)', value: '3.6' },
				{ name: '3.6.1 (Veeam Service Provider Console 9.1)', value: '3.6.1' },
				{ name: '3.6.2 (Veeam Service Provider Console 9.2)', value: '3.6.2' },
			],
			// An API key is sent as the bearer token itself (docs/vac/rest/api_keys.html, mfa.html): no
			// token request; the key is checked (and "Automatic" finds the version) with this GET.
			loginCheckPath: '/api/v3/users/me',
			// A 202 names the async action in its Location (docs/vac/rest/async_processing.html):
			// polled at `{path}/{id}` until it is no longer running, its answer read at `{path}/{id}/result`.
			asyncActionsPath: '/api/v3/asyncActions',
			// The token endpoint's one refusal, 400 `OAuth2Error` (3.6.1 spec example: "Cannot complete login due
			// to incorrect username or password, or no sufficient rights."); and Veeam's "Multi-Factor
			// Authentication" (docs/vac/rest/mfa.html): a user with MFA "can no longer authenticate with user
			// name and password to the … REST API", an API key is its way in.
			passwordRefusalHint:
				'Check the user name (Veeam\'s example writes vspc\\administrator) and password, and that the account may use the REST API. An account with MFA on may be refused a password login over REST whatever its TOTP Secret (Veeam\'s VSPC REST help, "Multi-Factor Authentication"): give n8n an API key of that account instead ("Authentication: API Key").',
			completeMfa,
		},
		// The `mfa` grant, and Reset MFA = the user's TOTP logins deleted. No `passwords`: no Veeam text
		// shows another user's password changed over REST (audit: PATCH /credentials/password has no source).
		capabilities: ['resetMfa', 'mfaLogin'],
		administratorRole: 'Portal Administrator',
	},
	vb365: {
		id: 'vb365',
		name: 'Veeam Backup for Microsoft 365',
		credentialType: 'veeamBackupMicrosoft365Api',
		auth: {
			productName: 'Veeam Backup for Microsoft 365',
			// `https://<hostname>:<Port>/<Version>/<Resource-Name>`, port 4443 by default (references/vbo365/8/rest/tag/SectionOverview,
			// "Resource URLs"; Set-VBORestAPISettings -HTTPSPort, default 4443: docs/vbo365/powershell/set-vborestapisettings.html).
			defaultPort: 4443,
			// The token endpoint carries the version too (`POST /v8/token`, references/vbo365/8/rest/tag/Auth; the v7 guide's
			// example `POST https://abc.tech.local:4443/v7/token`, archive/vbo365/70/rest/authorization_basic_legacy.html).
			loginPath: '/{version}/token',
			// `v<major>` in every path: "Versioning" (docs/vbo365/rest/versioning.html): v8 (build 8.0.2.159), v7 (7.0.0.2911), v6;
			// v5 "deprecated in Veeam Backup for Microsoft 365 8" (docs/vbo365/rest/deprecated_resources.html).
			version: { pattern: /^v\d+$/, example: 'v8', format: 'v<major>', inPath: true },
			// v7 and v8 have the RbacRoles calls the package uses, teams included (Cenvora/veeam-365 vb365_rest_v7.json and
			// _v8.json: the same 13 operations). v6 is not offered: its role items have no Team (User, Site, Group:
			// archive/vbo365/60/rest/get_rbacroles_id_excludeditems.html).
			offeredVersions: [
				{ name: 'V7 (Veeam Backup for Microsoft 365 7.x)', value: 'v7' },
				{ name: 'V8 (Veeam Backup for Microsoft 365 8.x)', value: 'v8' },
			],
			// Mid-token version recovery (client/transport/apiVersion.ts): a 404 under a version is checked with this GET,
			// which every version has (RESTServiceInstance {installationId, version}: v6, v7, v8 specs).
			versionProbePath: '/{version}/ServiceInstance',
			// "By default, both an access token and antiforgery tokens are required … also required to obtain a new access
			// token using the refresh token … set the true value for the disable_antiforgery_token parameter"
			// (docs/vbo365/rest/authorization.html): n8n keeps no cookies, so every token request turns it off.
			tokenFormFields: { disable_antiforgery_token: 'true' },
			// A refused password is a 400 OAuth error `{ error, error_description }` (nielsengelen/vbo365-rest, login():
			// "400 … error - error_description"); Veeam's example logs in as `tech\administrator` (archive/vbo365/15/rest/
			// authorization.html); the REST service may be set to let only restore operators in
			// (VBORestAPISettings.EnableOperatorAuthenticationOnly, docs/vbo365/powershell/vborestapisettings.html).
			passwordRefusedWith400: true,
			passwordRefusalHint:
				'Use an account that administers the Veeam Backup for Microsoft 365 server (Veeam\'s example: tech\\administrator), with its password. Check also that the server\'s REST API settings do not let only restore operators log in (EnableOperatorAuthenticationOnly).',
		},
		// What is managed here is restore-operator roles (client/vb365Model.ts): an operator may be named
		// by several roles, and is a Microsoft 365 user or group (its account lives in Microsoft Entra ID).
		capabilities: ['multipleRoles', 'directoryUsers'],
		// VB365's own administrators are not managed over REST; the account in the credential must be one.
		administratorRole: 'Administrator',
	},
};

export const PRODUCT_IDS = Object.keys(PRODUCTS) as Product[];

export function isProduct(value: unknown): value is Product {
	return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PRODUCTS, value);
}

/** The products with this capability, in table order. */
export function productsWith(capability: Capability): Product[] {
	return PRODUCT_IDS.filter((p) => PRODUCTS[p].capabilities.includes(capability));
}

export function hasCapability(product: Product, capability: Capability): boolean {
	return PRODUCTS[product].capabilities.includes(capability);
}

/** Display options showing a field or option only for the products with this capability. */
export function showFor(capability: Capability, path = 'product'): { show: Record<string, Product[]> } {
	return { show: { [path]: productsWith(capability) } };
}

/** `Veeam Backup for Google Cloud, Veeam Backup for AWS`: for descriptions. */
export function productNamesWith(capability: Capability): string {
	return productsWith(capability)
		.map((p) => PRODUCTS[p].name)
		.join(', ');
}

/** Both nodes' credentials: each product's, shown when it is the chosen product. */
export function productCredentials(): Array<{ name: string; required: true; displayOptions: { show: { product: Product[] } } }> {
	return PRODUCT_IDS.map((p) => ({ name: PRODUCTS[p].credentialType, required: true, displayOptions: { show: { product: [p] } } }));
}

/** Both nodes' Product options, in table order. */
export function productOptions(): Array<{ name: string; value: Product }> {
	return PRODUCT_IDS.map((p) => ({ name: PRODUCTS[p].name, value: p }));
}

/** A value of every product, from its row. */
function byProduct<T>(pick: (info: ProductInfo) => T): Readonly<Record<Product, T>> {
	return Object.fromEntries(PRODUCT_IDS.map((p) => [p, pick(PRODUCTS[p])])) as Record<Product, T>;
}

// The names, credential types and ports by product, as the nodes and the transport use them.
export const PRODUCT_NAMES = byProduct((p) => p.name);
export const CREDENTIAL_TYPE = byProduct((p) => p.credentialType);
export const DEFAULT_PORT = byProduct((p) => p.auth.defaultPort);
