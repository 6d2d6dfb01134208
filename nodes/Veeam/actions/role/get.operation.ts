import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import { PRODUCT_NAMES, type UserDirectory, type VeeamRole } from '../../adapters';
import { inputError, readLocator, type Locator } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { roleRLC } from '../common.descriptions';

const properties: INodeProperties[] = [roleRLC];

export const description = updateDisplayOptions({ show: { resource: ['role'], operation: ['get'] } }, properties);

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<Locator> {
	const locator = readLocator(this, i, 'role', 'Role');
	if (locator.mode === 'auto') locator.mode = directory.refProblem(locator.value) === undefined ? 'id' : 'name';
	if ((locator.mode === 'list' || locator.mode === 'id') && directory.refProblem(locator.value)) {
		throw inputError(this, i, 'Role', `"${locator.value}" is not a role ID`, 'Pick the role from the list, or choose "By Name".');
	}
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
	if (!directory.getRolePermissions) {
		throw new NodeOperationError(this.getNode(), `${PRODUCT_NAMES[directory.product]} does not list role permissions`, { itemIndex: i });
	}
	return { ...role, permissions: await directory.getRolePermissions(role.id) };
}
