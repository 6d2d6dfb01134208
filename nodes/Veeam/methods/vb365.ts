/** What the lists of Veeam Backup for Microsoft 365 share (not a list method itself: not exported by ./index.ts). */
import { NodeOperationError, type ILoadOptionsFunctions } from 'n8n-workflow';

import { createDirectory } from '../../../client/adapters';
import type { Vb365Access } from '../../../client/vb365Model';

/** Veeam Backup for Microsoft 365's calls for a list, or an error naming the product. */
export function vb365Of(ctx: ILoadOptionsFunctions): Vb365Access {
	const access = createDirectory(ctx, ctx.getCurrentNodeParameter('product') ?? 'vbr').vb365?.();
	if (!access) throw new NodeOperationError(ctx.getNode(), 'This list is for Veeam Backup for Microsoft 365 only');
	return access;
}

/** The organization chosen in the Organization field (by list, name or ID); undefined when none is. */
export async function chosenOrganization(ctx: ILoadOptionsFunctions): Promise<string | undefined> {
	const chosen = ctx.getCurrentNodeParameter('organization', { extractValue: true }) as unknown;
	if (typeof chosen !== 'string' || chosen.trim() === '') return undefined;
	return (await vb365Of(ctx).findOrganization(chosen.trim(), 'Organization')).id;
}

