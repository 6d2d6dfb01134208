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
import { connectionProperties, withTotpSecret } from './common/properties';
import { userListTest } from './common/connectionTest';

const { auth } = PRODUCTS.vbgc;

/** Veeam Backup for Google Cloud REST API: users, roles and MFA (7.0 = API 1.4-rev0). */
export class VeeamBackupGoogleCloudApi implements ICredentialType {
	name = 'veeamBackupGoogleCloudApi';

	displayName = 'Veeam Backup for Google Cloud API';

	documentationUrl = 'https://helpcenter.veeam.com/docs/vbgc/rest/authorization_security.html';

	icon = { light: 'file:veeam.svg', dark: 'file:veeam.dark.svg' } as const;

	properties: INodeProperties[] = withTotpSecret(
		connectionProperties({
			urlPlaceholder: 'https://vbgc.example.com:13140',
			usernamePlaceholder: 'administrator',
			versions: auth.offeredVersions ?? [],
			versionDescription:
				'Sent as x-api-version on every request. User management needs 1.4-rev0 or later (Veeam Backup for Google Cloud 6.0 and later): older versions are refused.',
			customVersionPlaceholder: '1.4-rev0',
		}),
	);

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<StoredToken> {
		return await obtainToken(this.helpers, credentials, auth);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => authenticateRequest(credentials, requestOptions, auth);

	test: ICredentialTestRequest = userListTest('/api/v1/users', auth.productName, PRODUCTS.vbgc.administratorRole);
}
