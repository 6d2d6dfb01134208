import type {
	IAuthenticateRuleResponseSuccessBody,
	ICredentialDataDecryptedObject,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { authenticateRequest, obtainToken, type StoredToken } from '../client/login';
import { PRODUCTS } from '../client/products';
import { connectionProperties, withTotpSecret } from './common/properties';
import { userListTest } from './common/connectionTest';

const { auth } = PRODUCTS.azure;

/**
 * Veeam Backup for Microsoft Azure REST API: users and their role. The API version is part of
 * every path (`/api/v8.1/users`); the token endpoint (`/api/oauth2/token`) has none. An account
 * with MFA on finishes its login with the `mfa` grant and the TOTP code from the TOTP Secret.
 */
export class VeeamBackupAzureApi implements ICredentialType {
	name = 'veeamBackupAzureApi';

	displayName = 'Veeam Backup for Microsoft Azure API';

	documentationUrl = 'https://helpcenter.veeam.com/docs/vbazure/rest/authorization_security.html';

	icon = { light: 'file:veeam.svg', dark: 'file:veeam.dark.svg' } as const;

	properties: INodeProperties[] = withTotpSecret(
		connectionProperties({
			urlPlaceholder: 'https://vbazure.example.com',
			usernamePlaceholder: 'administrator',
			versions: auth.offeredVersions ?? [],
			// The v8.1 Overview, "Versioning" (helpcenter.veeam.com/references/vbazure/8.1/rest/main/tag/SectionOverview),
			// and the 7.0 REST help's versioning.html: each release serves its own version and two or three before it (8.1: three).
			versionDescription:
				'Put into the path of every request (/api/v8.1/…). Each release serves only these versions (Veeam\'s "Versioning"): 8.1: v8.1, v8, v7, v6; 8.0: v8, v7, v6; 7.0: v7, v6, v5; 6.0: v6, v5, v4. So 8.x appliances do not serve v5.',
			customVersionPlaceholder: 'v8.1',
		}),
	);

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<StoredToken> {
		return await obtainToken(this.helpers, credentials, auth);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => authenticateRequest(credentials, requestOptions, auth);

	test: ICredentialTestRequest = azureUserListTest();
}

/**
 * The user-list test, read as Azure answers: its errors are problem details without an
 * `errorCode` (the v8.1 document's ProblemDetails403 and ProblemDetails404), so the refused role
 * (403) and the unserved API version (404) are told by the answer's `status`.
 */
function azureUserListTest(): ICredentialTestRequest {
	const lacksRole = `The account logs in, but lacks the ${PRODUCTS.azure.administratorRole} role that the Veeam node needs to manage users. Give it that role in ${auth.productName}, or use an account that has it.`;
	// Every path of an API version the appliance does not serve answers NotFound (the login has no version).
	const noList = 'The server logged the account in but has no user list at this API version: choose your appliance\'s version in "API Version" (Veeam Backup for Microsoft Azure 8.1 speaks v8.1, 8.0 v8, …).';
	const base = userListTest(
		// `{version}`: the credential's authenticate puts the version in (the pinned one, or under
		// "Automatic" the one preAuthentication just found), checked against Veeam's format.
		'/api/{version}/users',
		auth.productName,
		PRODUCTS.azure.administratorRole,
		'totalCount',
		{ Limit: 1 },
		noList,
	);
	// userListTest's rules are all responseSuccessBody rules (n8n takes one kind per list).
	const rules: IAuthenticateRuleResponseSuccessBody[] = [
		{ type: 'responseSuccessBody', properties: { key: 'status', value: 403, message: lacksRole } },
		{ type: 'responseSuccessBody', properties: { key: 'status', value: 404, message: noList } },
		...((base.rules ?? []) as IAuthenticateRuleResponseSuccessBody[]),
	];
	return { ...base, rules };
}
