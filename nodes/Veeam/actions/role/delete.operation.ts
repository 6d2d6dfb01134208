import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import type { CustomRole } from '../../../../client/adapters/customRoleSpec';
import type { VbrCustomRoles } from '../../../../client/adapters/vbrCustomRoles';
import { inputError, readBoolean, readChoice, type Locator } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { deletionRefusedError, pendingRequestFor } from '../confirm';
import { itemOptions, roleLocators } from '../common.descriptions';
import { customRolesOf, roleOutput } from './customRole.fields';
import { alreadyPending, alreadyPendingOutput, unshownRoleChange } from './confirmRole';
import { customRoleFor, findRole } from './find';
import { prepare as prepareLocator } from './get.operation';

const IF_NOT_FOUND = ['absent', 'error'] as const;
const REMOVE_FIRST = 'Remove From Holders First';

const properties: INodeProperties[] = [
	...roleLocators,
	{
		displayName: REMOVE_FIRST,
		name: 'removeFromHolders',
		type: 'boolean',
		default: false,
		displayOptions: { show: { product: ['vbr'] } },
		description:
			'Whether to take the role from the users and groups that hold it before deleting it. Off: a role someone holds is not deleted, and the item fails naming them. A holder with no other role is never left without one: the item fails instead.',
	},
	{
		displayName: 'If the Role Does Not Exist',
		name: 'ifNotFound',
		type: 'options',
		default: 'absent',
		displayOptions: { show: { product: ['vbr'] } },
		options: [
			{ name: 'Succeed as Absent', value: 'absent', description: 'Output action "absent": the goal (no such role) is already reached' },
			{ name: 'Error', value: 'error', description: 'Fail this item' },
		],
		description: 'What to do when Veeam has no such role',
	},
	itemOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['role'], operation: ['delete'] } }, properties);

interface DeleteParams {
	locator: Locator;
	removeFromHolders: boolean;
	ifNotFound: (typeof IF_NOT_FOUND)[number];
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<DeleteParams> {
	const roles = customRolesOf(this, directory, i, 'Role → Delete');
	const locator = await prepareLocator.call(this, i, directory);
	const removeFromHolders = readBoolean(this, i, 'removeFromHolders', REMOVE_FIRST, false);
	const ifNotFound = readChoice(this, i, 'ifNotFound', 'If the Role Does Not Exist', IF_NOT_FOUND, 'absent');
	await roles.checkVersion();
	return { locator, removeFromHolders, ifNotFound };
}

/**
 * The role's holders, refused before anything is sent unless the user chose to remove the role from
 * them first (and none would be left without a role); then taken from them, read back. Returns the
 * holders that still hold it (four-eyes may hold the changes of their roles).
 */
async function clearHolders(ctx: IExecuteFunctions, directory: UserDirectory, i: number, roles: VbrCustomRoles, role: CustomRole, removeFirst: boolean): Promise<string[]> {
	const holders = await roles.holders(role.id);
	if (holders.length === 0) return [];
	const names = holders.map((u) => u.name).join(', ');
	if (!removeFirst) {
		throw inputError(ctx, i, 'Role', `"${role.name}" is still held by ${names}: it is not deleted while someone holds it`, `Turn on "${REMOVE_FIRST}" to take it from them first, or change their roles (User → Promote / Change Roles).`);
	}
	const alone = holders.filter((u) => u.roles.length <= 1);
	if (alone.length) {
		throw inputError(ctx, i, REMOVE_FIRST, `${alone.map((u) => u.name).join(', ')} ${alone.length === 1 ? 'holds' : 'hold'} no other role than "${role.name}": taking it would leave them without a role, which Veeam does not allow`, 'Give them another role first (User → Promote / Change Roles), or offboard them.');
	}
	const key = role.id.toLowerCase();
	for (const holder of holders) {
		// Four-eyes: a request of this account to change the holder's roles already waits: not filed again.
		if (await pendingRequestFor(ctx, directory, holder.name, 'roles')) continue;
		await directory.setRoles(holder, holder.roles.filter((r) => r.id.toLowerCase() !== key));
	}
	return (await roles.holders(role.id)).map((u) => u.name);
}

export async function execute(this: IExecuteFunctions, p: DeleteParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const roles = customRolesOf(this, directory, i, 'Role → Delete');
	const absent = () => {
		if (p.ifNotFound === 'error') throw inputError(this, i, 'Role', `no role with ${p.locator.mode === 'name' ? 'name' : 'ID'} "${p.locator.value}"`);
		return { action: 'absent', role: { [p.locator.mode === 'name' ? 'name' : 'id']: p.locator.value } };
	};
	if (!(await findRole(roles, p.locator))) return absent();
	const role = await customRoleFor(this, i, roles, p.locator, 'delete');
	const held = await alreadyPending(this, directory, role.name, 'delete');
	if (held) return alreadyPendingOutput('deleted', roleOutput(role), held);
	const stillHeld = await clearHolders(this, directory, i, roles, role, p.removeFromHolders);
	if (stillHeld.length) {
		return {
			action: 'pendingApproval',
			requested: 'deleted',
			role: roleOutput(role),
			holders: stillHeld,
			note: `The role was taken from its holders, but the server still shows ${stillHeld.join(', ')} holding it (four-eyes authorization may hold those changes): the role was not deleted. Once the changes are approved, run the workflow again.`,
		};
	}
	const outcome = await roles.delete(role.id).catch(async (error: unknown) => {
		throw (await deletionRefusedError(this, directory, role.name, error, i)) ?? error;
	});
	// Read back: deleted only when the server no longer has it.
	if ((await roles.get(role.id)) !== undefined) {
		return await unshownRoleChange(this, directory, i, { name: role.name, kind: 'delete', requested: 'deleted', role: roleOutput(role) });
	}
	return { action: outcome, role: roleOutput(role) };
}
