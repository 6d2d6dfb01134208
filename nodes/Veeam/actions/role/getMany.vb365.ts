/**
 * Role → Get Many on Veeam Backup for Microsoft 365, read-only: the restore operator roles of every
 * organization or one, one item per role; with operators when asked (one more read per role, 8 at once).
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import type { Vb365Organization } from '../../../../client/vb365Model';
import { readBoolean, readLimit } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { organizationMap, readOrganizationScope, roleOutput, vb365Access } from '../../helpers/vb365';
import { organizationScopeField, scopedOrganizationLocator } from '../restoreOperator/fields';
import { VB365 } from './fields.vb365';

// Return All and Limit come from the VBR operation's fields, shown for every product: not declared twice.
const properties: INodeProperties[] = [
	organizationScopeField,
	scopedOrganizationLocator,
	{
		displayName: 'With Operators',
		name: 'withOperators',
		type: 'boolean',
		default: false,
		description: "Whether to output each role's operators too (one more request per role)",
	},
];

export const description = updateDisplayOptions({ show: { resource: ['role'], operation: ['getMany'], ...VB365 } }, properties);

interface GetManyParams {
	org?: Vb365Organization;
	limit?: number;
	withOperators: boolean;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<GetManyParams> {
	const limit = readLimit(this, i);
	const withOperators = readBoolean(this, i, 'withOperators', 'With Operators', false);
	return { org: await readOrganizationScope(this, i, vb365Access(this, directory, i)), limit, withOperators };
}

export async function execute(this: IExecuteFunctions, p: GetManyParams, directory: UserDirectory, i: number): Promise<IDataObject[]> {
	const access = vb365Access(this, directory, i);
	const orgs = organizationMap(p.org ? [p.org] : await access.organizations());
	const roles = p.withOperators ? await access.rolesWithOperators(p.org?.id, 8) : await access.roles(p.org?.id);
	const sorted = roles
		.filter((r) => !p.org || r.organizationId.toLowerCase() === p.org.id.toLowerCase())
		.sort((a, b) => (orgs.get(a.organizationId.toLowerCase())?.name ?? '').localeCompare(orgs.get(b.organizationId.toLowerCase())?.name ?? '') || a.name.localeCompare(b.name));
	return (p.limit === undefined ? sorted : sorted.slice(0, p.limit)).map((r) => roleOutput(r, orgs));
}
