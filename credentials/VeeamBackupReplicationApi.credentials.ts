import type {
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
import { userListTest } from './common/connectionTest';

const { auth } = PRODUCTS.vbr;

/**
 * Veeam Backup & Replication 13 REST API (user and role management needs API 1.3-rev1 or later).
 * Logs in with OAuth2 password grant, keeps the access token in n8n's expirable field, refreshes
 * with the single-use refresh token, and falls back to the password when a refresh is refused.
 */
export class VeeamBackupReplicationApi implements ICredentialType {
	name = 'veeamBackupReplicationApi';

	displayName = 'Veeam Backup & Replication API';

	documentationUrl = 'https://helpcenter.veeam.com/docs/vbr/rest/authorization_security.html';

	icon = { light: 'file:veeam.svg', dark: 'file:veeam.dark.svg' } as const;

	properties: INodeProperties[] = connectionProperties({
		urlPlaceholder: 'https://vbr.example.com:9419',
		usernamePlaceholder: 'DOMAIN\\svc-n8n',
		versions: auth.offeredVersions ?? [],
	});

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<StoredToken> {
		return await obtainToken(this.helpers, credentials, auth);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => authenticateRequest(credentials, requestOptions, auth);

	test: ICredentialTestRequest = userListTest('/api/v1/security/users', auth.productName, PRODUCTS.vbr.administratorRole, 'pagination', { limit: 1 }, undefined, {
		unauthorized: 'Unauthorized. Get bearer JWT token at /api/login',
		forbidden: 'Forbidden',
	});
}
