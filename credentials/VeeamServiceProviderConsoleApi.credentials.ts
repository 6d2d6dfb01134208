import type {
	IAuthenticateRuleResponseSuccessBody,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { API_KEY_AUTHENTICATION, authenticateRequest, obtainToken, type StoredToken } from '../client/login';
import { PRODUCTS } from '../client/products';
import { connectionProperties, withTotpSecret } from './common/properties';
import { userListTest } from './common/connectionTest';

const { auth } = PRODUCTS.vspc;

const PASSWORD = 'password';

/**
 * Veeam Service Provider Console REST API v3 (port 1280): the provider's, its resellers' and every
 * company's users. Logs in with `POST /api/v3/token` (password grant; refresh; an account with MFA
 * finishes with the `mfa` grant and the TOTP code), or with an API key sent as the bearer token
 * (docs/vac/rest/api_keys.html: "an API key is active until the associated user identity is
 * disabled or deleted"; Veeam's way for an account with MFA, docs/vac/rest/mfa.html). The API
 * version goes in the X-Client-Version header.
 */
export class VeeamServiceProviderConsoleApi implements ICredentialType {
	name = 'veeamServiceProviderConsoleApi';

	displayName = 'Veeam Service Provider Console API';

	documentationUrl = 'https://helpcenter.veeam.com/docs/vac/rest/authorization_v3.html';

	icon = { light: 'file:veeam.svg', dark: 'file:veeam.dark.svg' } as const;

	properties: INodeProperties[] = vspcProperties();

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<StoredToken> {
		return await obtainToken(this.helpers, credentials, auth);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => authenticateRequest(credentials, requestOptions, auth);

	test: ICredentialTestRequest = vspcUserListTest();
}

/** The shared fields, with "Authentication" first: user name, password and TOTP Secret for a password login, the key for an API key. */
function vspcProperties(): INodeProperties[] {
	const showFor = (value: string) => ({ show: { authentication: [value] } });
	const shared = withTotpSecret(
		connectionProperties({
			urlPlaceholder: 'https://vspc.example.com:1280',
			usernamePlaceholder: 'vspc\\administrator',
			versions: auth.offeredVersions ?? [],
			versionDescription:
				'Sent as X-Client-Version on every request (Veeam\'s VSPC REST "Versioning"): 3.6.2 for VSPC 9.2, 3.6.1 for 9.1, 3.6 for 9.0, 3.5.1 or 3.5 for 8.1 (3.4 and older are no longer supported). It also decides which values of newer enums the server sends as "Unknown".',
			customVersionPlaceholder: '3.6.1',
		}),
	).map((p) => (['username', 'password', 'totpSecret'].includes(p.name) ? { ...p, displayOptions: showFor(PASSWORD) } : p));
	const authentication: INodeProperties = {
		displayName: 'Authentication',
		name: 'authentication',
		type: 'options',
		options: [
			{ name: 'User Name and Password', value: PASSWORD, description: 'The token endpoint\'s password grant (and the mfa grant for an account with MFA on)' },
			{ name: 'API Key', value: API_KEY_AUTHENTICATION, description: 'A simple API key with the REST scope, sent as the bearer token' },
		],
		default: PASSWORD,
	};
	const apiKey: INodeProperties = {
		displayName: 'API Key',
		name: 'apiKey',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		displayOptions: showFor(API_KEY_AUTHENTICATION),
		description:
			'A simple key of the account n8n works as (POST /users/{userUid}/logins/apikey with the "rest" scope, or the portal\'s API keys page). It works until its login or its user is disabled or deleted.',
	};
	const at = shared.findIndex((p) => p.name === 'url') + 1;
	return [...shared.slice(0, at), authentication, apiKey, ...shared.slice(at)];
}

/**
 * The user list (`GET /api/v3/users?limit=1`), read as VSPC answers: its errors are
 * `{ errors: [{ message, type, code }] }` (docs/vac/rest/errors.html), a missing right is of type
 * `security`, and every list has `data` (required since 9.0, docs/vac/rest/global_changes.html).
 */
function vspcUserListTest(): ICredentialTestRequest {
	// The body alone is read (see userListTest): VSPC's 403 (no rights) and 401 (token not taken) are both `security`.
	const lacksRole =
		`${auth.productName} refused the user list with a security error: the account lacks a role that manages users ` +
		`(${PRODUCTS.vspc.administratorRole}, or a reseller's or company's administrator for their own users), or the server did not accept the token the login got. ` +
		'Use an account with such a role; if it has one, check that "Server URL" reaches one server.';
	const base = userListTest('/api/v3/users', auth.productName, PRODUCTS.vspc.administratorRole, 'data', { limit: 1 });
	const rules: IAuthenticateRuleResponseSuccessBody[] = [
		{ type: 'responseSuccessBody', properties: { key: 'errors.0.type', value: 'security', message: lacksRole } },
		...((base.rules ?? []) as IAuthenticateRuleResponseSuccessBody[]),
	];
	return { ...base, rules };
}
