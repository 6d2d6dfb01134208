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

const { auth } = PRODUCTS.aws;

/**
 * Veeam Backup for AWS REST API: users, their role and MFA (port 11005). The password grant of an
 * account with MFA on answers with an `mfa_token`; the login then sends the `mfa` grant with the
 * TOTP code computed from the TOTP Secret. Access tokens last 1 h, refresh tokens 2 h.
 */
export class VeeamBackupAwsApi implements ICredentialType {
	name = 'veeamBackupAwsApi';

	displayName = 'Veeam Backup for AWS API';

	documentationUrl = 'https://helpcenter.veeam.com/docs/vbaws/rest/authorization_security.html';

	icon = { light: 'file:veeam.svg', dark: 'file:veeam.dark.svg' } as const;

	properties: INodeProperties[] = withTotpSecret(
		connectionProperties({
			urlPlaceholder: 'https://vbaws.example.com:11005',
			usernamePlaceholder: 'administrator',
			versions: auth.offeredVersions ?? [],
			customVersionPlaceholder: '1.8-rev0',
		}),
	);

	async preAuthentication(this: IHttpRequestHelper, credentials: ICredentialDataDecryptedObject): Promise<StoredToken> {
		return await obtainToken(this.helpers, credentials, auth);
	}

	authenticate = async (
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> => authenticateRequest(credentials, requestOptions, auth);

	test: ICredentialTestRequest = userListTest('/api/v1/users', auth.productName, PRODUCTS.aws.administratorRole, 'totalCount', { Limit: 1 });
}
