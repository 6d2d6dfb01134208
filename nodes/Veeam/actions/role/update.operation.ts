import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { roleChanges, ROLE_SCOPES, type CustomRole, type CustomRoleSpec } from '../../../../client/adapters/customRoleSpec';
import type { VbrCustomRoles } from '../../../../client/adapters/vbrCustomRoles';
import type { Locator } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { itemOptions, roleLocators } from '../common.descriptions';
import { customRolesOf, readDeclaredRole, roleFields, roleOutput } from './customRole.fields';
import { alreadyPending, alreadyPendingOutput, unshownRoleChange } from './confirmRole';
import { customRoleFor } from './find';
import { prepare as prepareLocator } from './get.operation';

const properties: INodeProperties[] = [...roleLocators, ...roleFields(['update']), itemOptions];

export const description = updateDisplayOptions({ show: { resource: ['role'], operation: ['update'] } }, properties);

interface UpdateParams {
	locator: Locator;
	spec: CustomRoleSpec;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<UpdateParams> {
	const roles = customRolesOf(this, directory, i, 'Role → Update');
	const locator = await prepareLocator.call(this, i, directory);
	const spec = readDeclaredRole(this, i);
	await roles.checkVersion();
	return { locator, spec };
}

/**
 * The whole model Veeam's PUT takes: the declared role over the server's (a description or scope
 * not declared is kept as the server has it).
 */
function wholeModel(current: CustomRole, spec: CustomRoleSpec): CustomRole {
	const model: CustomRole = { ...current, name: spec.name, manageBackups: spec.manageBackups, manageRestores: spec.manageRestores };
	if (spec.description !== undefined) model.description = spec.description;
	for (const scope of ROLE_SCOPES) if (spec[scope] !== undefined) model[scope] = spec[scope];
	return model;
}

/**
 * Makes `current` (a custom role as the server has it) match `spec`: nothing sent when it already
 * does (`unchanged`); else one PUT, then the role read back: `updated` with the fields that changed,
 * as the server shows them, or `pendingApproval` / an error when it does not show them.
 */
export async function applyRole(ctx: IExecuteFunctions, directory: UserDirectory, i: number, roles: VbrCustomRoles, current: CustomRole, spec: CustomRoleSpec): Promise<IDataObject> {
	const changed = roleChanges(spec, current);
	if (changed.length === 0) return { action: 'unchanged', role: roleOutput(current) };
	const held = await alreadyPending(ctx, directory, current.name, 'roles');
	if (held) return alreadyPendingOutput('updated', roleOutput(current), held);
	await roles.update(wholeModel(current, spec));
	const now = await roles.details(current.id);
	if (!now || roleChanges(spec, now).length) {
		return await unshownRoleChange(ctx, directory, i, { name: current.name, kind: 'roles', requested: 'updated', role: roleOutput(now ?? current) });
	}
	return { action: 'updated', role: roleOutput(now), changed, before: roleOutput(current) };
}

export async function execute(this: IExecuteFunctions, p: UpdateParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const roles = customRolesOf(this, directory, i, 'Role → Update');
	const current = await customRoleFor(this, i, roles, p.locator, 'change');
	return await applyRole(this, directory, i, roles, current, p.spec);
}
