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
import { connectionProperties } from './common/properties';

const { auth } = PRODUCTS.vb365;

/**
 * Veeam Backup for Microsoft 365 REST API (port 4443): its restore-operator roles. The API version
 * is part of every path, the token endpoint's included (`POST /v8/token`, password and refresh
 * grants; helpcenter.veeam.com/docs/vbo365/rest/authorization.html). Access tokens last 60 minutes
 * unless the server is set otherwise (same page; Set-VBORestAPISettings -AuthTokenLifeTime): n8n
 * keeps the server's `expires_in`. No MFA over REST for administrators: no TOTP Secret field.
 */
export class VeeamBackupMicrosoft365Api implements ICredentialType {
	name = 'veeamBackupMicrosoft365Api';

	displayName = 'Veeam Backup for Microsoft 365 API';

	documentationUrl = 'https://helpcenter.veeam.com/docs/vbo365/rest/authorization.html';

	icon = { light: 'file:veeam.svg', dark: 'file:veeam.dark.svg' } as const;

	properties: INodeProperties[] = connectionProperties({
		urlPlaceholder: 'https://vb365.example.com:4443',
		usernamePlaceholder: 'DOMAIN\\administrator',
		versions: auth.offeredVersions ?? [],
		// helpcenter.veeam.com/docs/vbo365/rest/versioning.html: v8 came with build 8.0.2.159, v7 with 7.0.0.2911;
		// "Veeam Backup for Microsoft 365 REST API is backward-compatible" (an 8.x server serves v7 as well).
		versionDescription:
			'Put into the path of every request, the login\'s too (/v8/token, /v8/RbacRoles). Veeam Backup for Microsoft 365 8.x speaks v8 (and v7), 7.x v7. V6 is not offered: its restore-operator roles cannot scope teams.',
		customVersionPlaceholder: 'v8',
	});

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<StoredToken> {
		return await obtainToken(this.helpers, credentials, auth);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => authenticateRequest(credentials, requestOptions, auth);

	test: ICredentialTestRequest = vb365Test();
}

/**
 * The credential test: `GET /{version}/ServiceInstance` (the server's build, RESTServiceInstance
 * `{ installationId, version }` in every version's document). Not a list: the role and (v7)
 * organization lists are plain arrays, and n8n's credential tester reads the first item of the
 * answer, which an empty list does not have. The login before it has already proved the account
 * and the version (the token endpoint carries the version). Errors are RESTExceptionInfo
 * `{ message, errorCode, stackTrace }` (v8 document): the rules read `errorCode` only.
 */
function vb365Test(): ICredentialTestRequest {
	const rules: IAuthenticateRuleResponseSuccessBody[] = [
		{
			type: 'responseSuccessBody',
			properties: {
				key: 'errorCode',
				value: 'ResourceAccessDenied',
				message: `The account logs in, but ${auth.productName} refused it access (ResourceAccessDenied): use an account that administers the ${auth.productName} server.`,
			},
		},
		{
			type: 'responseSuccessBody',
			properties: {
				key: 'version',
				value: undefined,
				message: `The server logged the account in but did not answer as ${auth.productName} does (GET /ServiceInstance names its build): check the Server URL (the server itself, not a proxy or another service).`,
			},
		},
	];
	return {
		request: {
			baseURL: '={{$credentials.url}}',
			// `{version}`: the credential's authenticate puts the version in (the pinned one, or the one the login found).
			url: '/{version}/ServiceInstance',
			ignoreHttpStatusErrors: true,
		},
		rules,
	};
}
