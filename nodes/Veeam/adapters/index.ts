import { NodeOperationError } from 'n8n-workflow';

import type { VeeamContext } from '../transport';
import type { Product, UserDirectory } from './types';
import { VbgcDirectory } from './vbgc';
import { VbrDirectory } from './vbr';

export type {
	MfaEnrolment,
	NewUser,
	Product,
	UserDirectory,
	UserFilter,
	UserListOptions,
	UserSortProperty,
	VeeamRole,
	VeeamUser,
} from './types';

export const PRODUCT_NAMES: Record<Product, string> = {
	vbr: 'Veeam Backup & Replication',
	vbgc: 'Veeam Backup for Google Cloud',
};

export function isProduct(value: unknown): value is Product {
	return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PRODUCT_NAMES, value);
}

/**
 * The user directory of one product, for one execution (or one list-search call). It caches
 * what may be cached within a run (the role list), so it must never outlive the execution:
 * nothing here is kept in module scope.
 */
export function createDirectory(ctx: VeeamContext, product: unknown): UserDirectory {
	if (!isProduct(product)) {
		throw new NodeOperationError(ctx.getNode(), `Unknown product "${String(product)}"`, {
			description: `Product must be one of: ${Object.keys(PRODUCT_NAMES).join(', ')}.`,
		});
	}
	switch (product) {
		case 'vbr':
			return new VbrDirectory(ctx);
		case 'vbgc':
			return new VbgcDirectory(ctx);
	}
}
