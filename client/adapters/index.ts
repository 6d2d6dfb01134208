import { NodeOperationError } from 'n8n-workflow';

import type { VeeamContext } from '../transport';
import type { UserDirectory } from '../model';
export type { Product } from '../products';
import { isProduct, PRODUCT_IDS, type Product } from '../products';
import { AwsDirectory } from './aws';
import { AzureDirectory } from './azure';
import { VbgcDirectory } from './vbgc';
import { VbrDirectory } from './vbr';
import { VspcDirectory } from './vspc';
import { Vb365Directory } from './vb365';

export type {
	MfaEnrolment,
	NewUser,
	UserDirectory,
	UserFilter,
	UserListOptions,
	UserSortProperty,
	VeeamRole,
	VeeamUser,
} from '../model';

export { isProduct, PRODUCT_NAMES } from '../products';

/** Each product's adapter: the one place besides the product table (client/products.ts) that names them all. */
const ADAPTERS: Readonly<Record<Product, new (ctx: VeeamContext) => UserDirectory>> = {
	vbr: VbrDirectory,
	vbgc: VbgcDirectory,
	aws: AwsDirectory,
	azure: AzureDirectory,
	vspc: VspcDirectory,
	vb365: Vb365Directory,
};

/**
 * The user directory of one product, for one execution (or one list-search call). It caches
 * what may be cached within a run (the role list), so it must never outlive the execution:
 * nothing here is kept in module scope.
 */
export function createDirectory(ctx: VeeamContext, product: unknown): UserDirectory {
	if (!isProduct(product)) {
		throw new NodeOperationError(ctx.getNode(), `Unknown product "${String(product)}"`, {
			description: `Product must be one of: ${PRODUCT_IDS.join(', ')}.`,
		});
	}
	return new ADAPTERS[product](ctx);
}
