/** Role → Get on Veeam Backup for Microsoft 365, read-only: one restore operator role with its operators and scope. */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import type { Vb365Organization, Vb365Role } from '../../../../client/vb365Model';
import { inputError } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { organizationMap, readOrganization, roleOutput, vb365Access } from '../../helpers/vb365';
import { organizationLocator } from '../restoreOperator/fields';
import { readWhole, requireVb365Role, VB365, vb365RoleLocator } from './fields.vb365';

// Options (Concurrency) comes from the VBR operation's fields, shown for every product: not declared twice.
const properties: INodeProperties[] = [organizationLocator, vb365RoleLocator];

export const description = updateDisplayOptions({ show: { resource: ['role'], operation: ['get'], ...VB365 } }, properties);

interface GetParams {
	org: Vb365Organization;
	role: Vb365Role;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<GetParams> {
	const access = vb365Access(this, directory, i);
	const org = await readOrganization(this, i, access);
	return { org, role: await requireVb365Role(this, i, access, org) };
}

export async function execute(this: IExecuteFunctions, p: GetParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const whole = await readWhole(vb365Access(this, directory, i), p.role.id);
	if (!whole) throw inputError(this, i, 'Role', `the role "${p.role.name}" (ID ${p.role.id}) is gone: deleted just now?`);
	return roleOutput(whole, organizationMap([p.org]));
}
