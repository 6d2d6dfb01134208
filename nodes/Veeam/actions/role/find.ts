/**
 * The role an item names (Role locator: from the list, by ID or by name), for the operations that
 * change one: found on the server, and refused before anything is sent when it is a built-in role
 * (Veeam's operations edit, clone and delete custom roles only).
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { CustomRole } from '../../../../client/adapters/customRoleSpec';
import type { VbrCustomRoles, VbrRoleSummary } from '../../../../client/adapters/vbrCustomRoles';
import { inputError, type Locator } from '../../helpers/input';

/**
 * The role named by `locator` (a custom one first when a custom and a built-in role share the name);
 * undefined when none. By name: the whole role list (paged, 1000 a page asked: normally one request), compared
 * here without case, as Veeam does not say whether `nameFilter` ignores case (also Clone's "is the
 * name free").
 */
export async function findRole(roles: VbrCustomRoles, locator: Locator): Promise<VbrRoleSummary | undefined> {
	if (locator.mode !== 'name') return await roles.get(locator.value);
	const named = (await roles.list()).filter((r) => r.name.toLowerCase() === locator.value.trim().toLowerCase());
	return named.find((r) => r.isBuiltIn === false) ?? named.find((r) => r.isBuiltIn === undefined) ?? named[0];
}

/**
 * The custom role with its details; an error naming the field when the role is built-in (`isBuiltIn`,
 * or a role that exists without custom-role details) or does not exist.
 */
export async function customRoleFor(ctx: IExecuteFunctions, i: number, roles: VbrCustomRoles, locator: Locator, what: string): Promise<CustomRole> {
	const role = await findRole(roles, locator);
	if (!role) throw inputError(ctx, i, 'Role', `no role with ${locator.mode === 'name' ? 'name' : 'ID'} "${locator.value}"`);
	const builtIn = () => inputError(ctx, i, 'Role', `"${role.name}" is a built-in role: Veeam lets no one ${what} it`, 'Only custom roles can be changed, cloned or deleted. Clone a custom role, or create one.');
	if (role.isBuiltIn === true) throw builtIn();
	const details = await roles.details(role.id);
	// A role that exists but has no custom-role details is a built-in one (the simulator answers so; Veeam does not document it).
	if (!details) {
		if (await roles.get(role.id)) throw builtIn();
		throw inputError(ctx, i, 'Role', `no role with ID "${role.id}" (deleted just now)`);
	}
	return details;
}
