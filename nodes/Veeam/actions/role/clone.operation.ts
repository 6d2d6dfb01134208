import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { roleChanges, type CustomRole } from '../../../../client/adapters/customRoleSpec';
import type { VbrCustomRoles } from '../../../../client/adapters/vbrCustomRoles';
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
		description: 'Name of the copy. Empty: the name Veeam gives it, the original name followed by _Clone. Veeam always names the copy so; the node then renames it (a copy an earlier run left under that name, the same as the original, is renamed instead of cloning again).',
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
	// "The name of the cloned role is `{original_name}_Clone`": one clone of a role at a time in this execution.
	return await roles.serially(`${original.name}_Clone`, async () => await cloneOf(this, p, directory, i, roles, original));
}

/** Whether `copy` has the original's permissions, description and scopes (all but the name). */
function sameAsOriginal(original: CustomRole, copy: CustomRole): boolean {
	return roleChanges({ ...original, name: copy.name }, copy).length === 0 && roleChanges({ ...copy, name: original.name }, original).length === 0;
}

async function cloneOf(ctx: IExecuteFunctions, p: CloneParams, directory: UserDirectory, i: number, roles: VbrCustomRoles, original: CustomRole): Promise<IDataObject> {
	// "The name of the cloned role is `{original_name}_Clone`": both names must be free, checked first,
	// but for a copy an earlier run left under `{name}_Clone` when its rename failed: that one is renamed.
	const cloneName = `${original.name}_Clone`;
	const newName = p.newName && p.newName.toLowerCase() !== cloneName.toLowerCase() ? p.newName : undefined;
	const clonedFrom = { id: original.id, name: original.name };
	if (newName) {
		const taken = await findRole(roles, { mode: 'name', value: newName });
		if (taken) throw inputError(ctx, i, 'New Name', `Veeam already has a role named "${taken.name}" (ID ${taken.id}), the name asked for`, 'Choose another New Name.');
	}
	let now: CustomRole | undefined;
	let resumed = false;
	const left = await findRole(roles, { mode: 'name', value: cloneName });
	if (left) {
		const copy = newName && left.isBuiltIn !== true ? await roles.details(left.id) : undefined;
		if (!copy || !sameAsOriginal(original, copy)) {
			throw inputError(ctx, i, 'Role', `Veeam already has a role named "${left.name}" (ID ${left.id}), the name Veeam gives the copy`, `Rename or delete "${left.name}" first.`);
		}
		now = copy;
		resumed = true;
	} else {
		const held = await alreadyPending(ctx, directory, cloneName, 'create');
		if (held) return alreadyPendingOutput('cloned', { name: cloneName }, held);
		const copy = await roles.clone(original.id);
		now = await roles.details(copy.id);
		if (!now) return { ...(await unshownRoleChange(ctx, directory, i, { name: cloneName, kind: 'create', requested: 'cloned', role: roleOutput(copy) })), clonedFrom };
	}
	if (p.newName && p.newName !== now.name) {
		await roles.update({ ...now, name: p.newName });
		const renamed = await roles.details(now.id);
		if (!renamed || renamed.name !== p.newName) {
			return { ...(await unshownRoleChange(ctx, directory, i, { name: now.name, kind: 'roles', requested: 'renamed', role: roleOutput(renamed ?? now) })), clonedFrom };
		}
		now = renamed;
	}
	return { action: 'cloned', role: roleOutput(now), clonedFrom, ...(resumed ? { resumed: true } : {}) };
}
