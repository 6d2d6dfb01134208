import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory, VeeamRole } from '../../../../client/adapters';
import { inputError, readBoolean, readLocator, type Locator } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { itemOptions, roleLocators } from '../common.descriptions';
import { isUuid } from '../../../../client/ids';
import { roleOutput } from './customRole.fields';

const properties: INodeProperties[] = [
	...roleLocators,
	{
		displayName: 'With Details',
		name: 'withDetails',
		type: 'boolean',
		default: false,
		displayOptions: { show: { product: ['vbr'] } },
		description:
			"Whether to output a custom role as Veeam's JSON with its permissions and scopes (Veeam Backup & Replication 13.1): the form Role → Create and Update take back. A built-in role is output as without details, with isBuiltIn.",
	},
	itemOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['role'], operation: ['get'] } }, properties);

/** Role IDs are UUIDs on VBR and VBGC (VBGC users have no ID, but its roles do); AWS and Azure name theirs. */

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<Locator & { withDetails?: boolean }> {
	const locator = readLocator(this, i, 'role', 'Role');
	const idProblem = (id: string) => (directory.roleIdProblem ? directory.roleIdProblem(id) : isUuid(id) ? undefined : `"${id}" is not a role ID`);
	if (locator.mode === 'auto') locator.mode = idProblem(locator.value) === undefined ? 'id' : 'name';
	const problem = locator.mode === 'list' || locator.mode === 'id' ? idProblem(locator.value) : undefined;
	if (problem) throw inputError(this, i, 'Role', problem, 'Pick the role from the list, or choose "By Name".');
	const withDetails = directory.customRoles ? readBoolean(this, i, 'withDetails', 'With Details', false) : false;
	if (withDetails) await directory.customRoles?.().checkVersion();
	return withDetails ? { ...locator, withDetails } : locator;
}

async function findRole(directory: UserDirectory, locator: Locator): Promise<VeeamRole | undefined> {
	const key = locator.value.toLowerCase();
	if (locator.mode === 'name') return (await directory.listRoles()).find((r) => r.name.toLowerCase() === key);
	if (directory.getRole) return await directory.getRole(locator.value);
	return (await directory.listRoles()).find((r) => r.id.toLowerCase() === key);
}

export async function execute(this: IExecuteFunctions, locator: Locator & { withDetails?: boolean }, directory: UserDirectory, i: number): Promise<IDataObject> {
	const role = await findRole(directory, locator);
	if (!role) {
		const names = (await directory.listRoles()).map((r) => r.name).join(', ');
		throw inputError(this, i, 'Role', `no role with ${locator.mode === 'name' ? 'name' : 'ID'} "${locator.value}"`, `Roles on this server: ${names}.`);
	}
	if (locator.withDetails && directory.customRoles) {
		// A custom role's details, exactly as Veeam's JSON (declarable back); none for a built-in role.
		const roles = directory.customRoles();
		const details = await roles.details(role.id);
		if (details) return roleOutput(details);
		const summary = await roles.get(role.id);
		return { ...role, isBuiltIn: summary?.isBuiltIn ?? true, permissions: await directory.getRolePermissions?.(role.id) };
	}
	// VBGC publishes no permission list for its roles: the role is output without one.
	if (!directory.getRolePermissions) return { ...role };
	return { ...role, permissions: await directory.getRolePermissions(role.id) };
}
