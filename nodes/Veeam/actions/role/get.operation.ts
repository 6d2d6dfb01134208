import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory, VeeamRole } from '../../../../client/adapters';
import { inputError, readLocator, type Locator } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { itemOptions, roleLocators } from '../common.descriptions';
import { isUuid } from '../../../../client/ids';

const properties: INodeProperties[] = [...roleLocators, itemOptions];

export const description = updateDisplayOptions({ show: { resource: ['role'], operation: ['get'] } }, properties);

/** Role IDs are UUIDs on VBR and VBGC (VBGC users have no ID, but its roles do); AWS and Azure name theirs. */

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<Locator> {
	const locator = readLocator(this, i, 'role', 'Role');
	const idProblem = (id: string) => (directory.roleIdProblem ? directory.roleIdProblem(id) : isUuid(id) ? undefined : `"${id}" is not a role ID`);
	if (locator.mode === 'auto') locator.mode = idProblem(locator.value) === undefined ? 'id' : 'name';
	const problem = locator.mode === 'list' || locator.mode === 'id' ? idProblem(locator.value) : undefined;
	if (problem) throw inputError(this, i, 'Role', problem, 'Pick the role from the list, or choose "By Name".');
	return locator;
}

async function findRole(directory: UserDirectory, locator: Locator): Promise<VeeamRole | undefined> {
	const key = locator.value.toLowerCase();
	if (locator.mode === 'name') return (await directory.listRoles()).find((r) => r.name.toLowerCase() === key);
	if (directory.getRole) return await directory.getRole(locator.value);
	return (await directory.listRoles()).find((r) => r.id.toLowerCase() === key);
}

export async function execute(this: IExecuteFunctions, locator: Locator, directory: UserDirectory, i: number): Promise<IDataObject> {
	const role = await findRole(directory, locator);
	if (!role) {
		const names = (await directory.listRoles()).map((r) => r.name).join(', ');
		throw inputError(this, i, 'Role', `no role with ${locator.mode === 'name' ? 'name' : 'ID'} "${locator.value}"`, `Roles on this server: ${names}.`);
	}
	// VBGC publishes no permission list for its roles: the role is output without one.
	if (!directory.getRolePermissions) return { ...role };
	return { ...role, permissions: await directory.getRolePermissions(role.id) };
}
