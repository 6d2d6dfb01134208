import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { inputError, readText, type Locator } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { itemOptions, roleLocators } from '../common.descriptions';
import { customRolesOf, roleOutput } from './customRole.fields';
import { alreadyPending, alreadyPendingOutput, unshownRoleChange } from './confirmRole';
import { customRoleFor, findRole } from './find';
import { prepare as prepareLocator } from './get.operation';

const properties: INodeProperties[] = [
	...roleLocators,
	{
		displayName: 'New Name',
		name: 'newName',
		type: 'string',
		default: '',
		displayOptions: { show: { product: ['vbr'] } },
		placeholder: 'e.g. Tier-2 Restore Operators',
		description: 'Name of the copy. Empty: the name Veeam gives it, the original name followed by _Clone. Veeam always names the copy so; the node then renames it.',
	},
	itemOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['role'], operation: ['clone'] } }, properties);

interface CloneParams {
	locator: Locator;
	newName: string;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<CloneParams> {
	const roles = customRolesOf(this, directory, i, 'Role → Clone');
	const locator = await prepareLocator.call(this, i, directory);
	const newName = readText(this, i, 'newName', 'New Name', { required: false });
	await roles.checkVersion();
	return { locator, newName };
}

export async function execute(this: IExecuteFunctions, p: CloneParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const roles = customRolesOf(this, directory, i, 'Role → Clone');
	const original = await customRoleFor(this, i, roles, p.locator, 'clone');
	// "The name of the cloned role is `{original_name}_Clone`": both names must be free, checked first.
	const cloneName = `${original.name}_Clone`;
	for (const [name, field] of [[cloneName, 'Role'], ...(p.newName && p.newName.toLowerCase() !== cloneName.toLowerCase() ? [[p.newName, 'New Name']] : [])]) {
		const taken = await findRole(roles, { mode: 'name', value: name });
		if (taken) {
			throw inputError(this, i, field, `Veeam already has a role named "${taken.name}" (ID ${taken.id}), the name ${field === 'Role' ? 'Veeam gives the copy' : 'asked for'}`, field === 'Role' ? `Rename or delete "${taken.name}" first.` : 'Choose another New Name.');
		}
	}
	const held = await alreadyPending(this, directory, cloneName, 'create');
	if (held) return alreadyPendingOutput('cloned', { name: cloneName }, held);
	const copy = await roles.clone(original.id);
	const clonedFrom = { id: original.id, name: original.name };
	let now = await roles.details(copy.id);
	if (!now) return { ...(await unshownRoleChange(this, directory, i, { name: cloneName, kind: 'create', requested: 'cloned', role: roleOutput(copy) })), clonedFrom };
	if (p.newName && p.newName !== now.name) {
		await roles.update({ ...now, name: p.newName });
		const renamed = await roles.details(copy.id);
		if (!renamed || renamed.name !== p.newName) {
			return { ...(await unshownRoleChange(this, directory, i, { name: now.name, kind: 'roles', requested: 'renamed', role: roleOutput(renamed ?? now) })), clonedFrom };
		}
		now = renamed;
	}
	return { action: 'cloned', role: roleOutput(now), clonedFrom };
}
