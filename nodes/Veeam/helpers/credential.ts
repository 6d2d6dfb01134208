import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import { checkCredentialFields, CredentialFieldError } from '../../../client/login';
import { PRODUCTS, type Product } from '../../../client/products';

/**
 * Checks the credential's fields (URL, API version, CA certificate) before the node sends anything,
 * so a bad value is a NodeOperationError naming the field and the item, like a bad parameter,
 * rather than a failed login. The credential is read for item 0: its fields are the same for all
 * items unless an expression in it says otherwise, and the first item is where the run would fail.
 */
export async function checkCredential(ctx: IExecuteFunctions, product: Product): Promise<void> {
	const { credentialType: type, auth } = PRODUCTS[product];
	const credentials = await ctx.getCredentials(type, 0);
	try {
		checkCredentialFields(credentials, auth.defaultPort, auth.version);
	} catch (error) {
		if (!(error instanceof CredentialFieldError)) throw new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: 0 });
		const name = ctx.getNode().credentials?.[type]?.name;
		throw new NodeOperationError(ctx.getNode(), `${error.field} (credential, item 0): ${error.problem}`, {
			itemIndex: 0,
			description: `Fix the field in the credential${name ? ` "${name}"` : ''}. Nothing was sent to the server.`,
		});
	}
}
