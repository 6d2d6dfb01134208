import { NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import { PRODUCT_NAMES, type UserDirectory } from '../../../../client/adapters';
import type { AuthorizationEvents } from '../../../../client/adapters/authorizationEvents';

/** The product's authorization events, or a clear error on a product that has none. */
export function authorizationEvents(ctx: IExecuteFunctions, directory: UserDirectory): AuthorizationEvents {
	if (!directory.authorizationEvents) {
		throw new NodeOperationError(ctx.getNode(), `${PRODUCT_NAMES[directory.product]} has no authorization events`, {
			description: 'Authorization events (four-eyes requests and who changed users and roles) are a Veeam Backup & Replication 13 feature.',
		});
	}
	return directory.authorizationEvents;
}
