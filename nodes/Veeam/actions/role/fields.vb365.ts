/**
 * Role on Veeam Backup for Microsoft 365: a restore operator role of one backed-up organization,
 * with its name, description, type (the entire organization, or specific objects) and its selected
 * and excluded objects. What Create, Update, Delete, Get and Get Many share: the role locator, the
 * declared role read and checked before anything is sent, and making a role match it (read back).
 */
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { UUID_PATTERN, isUuid } from '../../../../client/ids';
import type { Vb365Access, Vb365Item, Vb365ItemList, Vb365Organization, Vb365Role, Vb365RoleType } from '../../../../client/vb365Model';
import { inputError, readLocator } from '../../helpers/input';
import { nameProblem, readItemEntries, resolveItems, rolesHint, sameItem } from '../../helpers/vb365';
import { itemsField } from '../restoreOperator/fields';

export const VB365 = { product: ['vb365'] };

/** The role (of the organization chosen): from the list, by name or by ID. */
export const vb365RoleLocator: INodeProperties = {
	displayName: 'Role',
	name: 'role',
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description: 'The restore operator role of the organization',
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a role...',
			typeOptions: { searchListMethod: 'searchVb365Roles', searchable: true },
		},
		{ displayName: 'By Name', name: 'name', type: 'string', placeholder: 'e.g. Helpdesk Restores' },
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 0f9a5d3e-6b2c-4f7d-9a1e-3c5b7d9f1a2b',
			validation: [{ type: 'regex', properties: { regex: UUID_PATTERN, errorMessage: 'Not a valid role ID (a UUID)' } }],
		},
	],
};

export const selectedItemsField = itemsField('selectedItems', 'Selected Items', 'The objects whose backed-up data operators of the role may explore and restore (Specific Objects)');
export const excludedItemsField = itemsField('excludedItems', 'Excluded Items', 'Objects taken out of the role: operators may not restore their data');

/** The role item `i` names in `org`, or undefined when the organization has none so. */
export async function findVb365Role(ctx: IExecuteFunctions, i: number, access: Vb365Access, org: Vb365Organization): Promise<Vb365Role | undefined> {
	const locator = readLocator(ctx, i, 'role', 'Role');
	const byId = locator.mode === 'list' || locator.mode === 'id' || (locator.mode === 'auto' && isUuid(locator.value));
	const roles = await access.roles(org.id);
	if (byId) {
		if (!isUuid(locator.value)) throw inputError(ctx, i, 'Role', `"${locator.value}" is not a role ID (a UUID)`, 'Pick the role from the list, or choose "By Name".');
		const found = roles.find((r) => r.id.toLowerCase() === locator.value.toLowerCase());
		if (!found && (await access.role(locator.value))) throw inputError(ctx, i, 'Role', `the role with ID ${locator.value} belongs to another organization than ${org.name}`);
		return found;
	}
	const named = roles.filter((r) => r.name.toLowerCase() === locator.value.toLowerCase());
	if (named.length > 1) throw inputError(ctx, i, 'Role', `"${locator.value}" names ${named.length} roles of ${org.name} (IDs ${named.map((r) => r.id).join(', ')})`, 'Give the role by its ID instead.');
	return named[0];
}

export async function requireVb365Role(ctx: IExecuteFunctions, i: number, access: Vb365Access, org: Vb365Organization): Promise<Vb365Role> {
	const role = await findVb365Role(ctx, i, access, org);
	if (!role) {
		const locator = readLocator(ctx, i, 'role', 'Role');
		throw inputError(ctx, i, 'Role', `the organization ${org.name} has no role ${isUuid(locator.value) ? 'with ID' : 'named'} "${locator.value}"`, rolesHint(await access.roles(org.id)));
	}
	return role;
}

/** A role as declared in the node: what is undefined is left as the server has it. */
export interface RoleSpec {
	name?: string;
	description?: string;
	roleType?: Vb365RoleType;
	selected?: Vb365Item[];
	excluded?: Vb365Item[];
}

export function checkRoleName(ctx: IExecuteFunctions, i: number, field: string, name: string): string {
	const problem = nameProblem(name);
	if (problem) throw inputError(ctx, i, field, problem);
	return name;
}

/** The items of the two scope fields, looked up in `org` (read-only); Selected Items only for Specific Objects. */
export async function readScope(ctx: IExecuteFunctions, i: number, access: Vb365Access, org: Vb365Organization, roleType: Vb365RoleType | undefined): Promise<Pick<RoleSpec, 'selected' | 'excluded'>> {
	const selectedEntries = roleType === 'EntireOrganization' ? [] : readItemEntries(ctx, i, 'selectedItems', 'Selected Items');
	const excludedEntries = readItemEntries(ctx, i, 'excludedItems', 'Excluded Items');
	if (roleType === 'SpecificObjects' && selectedEntries.length === 0) {
		throw inputError(ctx, i, 'Selected Items', 'is empty: a role of Specific Objects must name at least one object', 'Add the users, groups, sites or teams its operators may restore, or choose Entire Organization.');
	}
	const selected = await resolveItems(ctx, i, access, org, selectedEntries, 'Selected Items');
	const excluded = await resolveItems(ctx, i, access, org, excludedEntries, 'Excluded Items');
	const both = selected.find((s) => excluded.some((e) => sameItem(s, e)));
	if (both) throw inputError(ctx, i, 'Excluded Items', `"${both.name || both.displayName}" is both selected and excluded`);
	return { selected: roleType === 'EntireOrganization' ? [] : selected, excluded };
}

const sameSet = (a: Vb365Item[], b: Vb365Item[]) => a.length === b.length && a.every((x) => b.some((y) => sameItem(x, y)));

/** What differs between `role` (items read) and `spec`: the names of the fields to change. */
export function differences(role: Vb365Role, spec: RoleSpec): string[] {
	const changed: string[] = [];
	if (spec.name !== undefined && spec.name !== role.name) changed.push('name');
	if (spec.description !== undefined && spec.description !== role.description) changed.push('description');
	if (spec.roleType !== undefined && spec.roleType !== role.roleType) changed.push('roleType');
	if (spec.selected !== undefined && !sameSet(spec.selected, role.selected ?? [])) changed.push('selectedItems');
	if (spec.excluded !== undefined && !sameSet(spec.excluded, role.excluded ?? [])) changed.push('excludedItems');
	return changed;
}

/** The role as the server has it now, operators and both item lists read. */
export async function readWhole(access: Vb365Access, roleId: string): Promise<Vb365Role | undefined> {
	const role = await access.role(roleId);
	if (!role) return undefined;
	const [operators, selected, excluded] = await Promise.all([access.operators(roleId), access.items(roleId, 'selected'), access.items(roleId, 'excluded')]);
	return { ...role, operators, selected, excluded };
}

async function syncList(access: Vb365Access, roleId: string, list: Vb365ItemList, current: Vb365Item[], wanted: Vb365Item[], done: string[]): Promise<void> {
	const add = wanted.filter((w) => !current.some((c) => sameItem(c, w)));
	const remove = current.filter((c) => !wanted.some((w) => sameItem(c, w)));
	if (remove.some((r) => !r.itemId)) throw new Error(`the server lists a ${list} item of the role without its own ID: it cannot be removed`);
	if (add.length) {
		await access.addItems(roleId, list, add);
		done.push(`${add.length} ${list} item(s) added`);
	}
	if (remove.length) {
		await access.removeItems(
			roleId,
			list,
			remove.map((r) => r.itemId as string),
		);
		done.push(`${remove.length} ${list} item(s) removed`);
	}
}

/**
 * Makes `role` (read whole) match `spec`, then reads it back: the fields changed, or an error naming
 * what the server does not show. A switch to Specific Objects adds the selected objects first (a role
 * of that type must name some); one to Entire Organization changes the type first.
 */
export async function applySpec(access: Vb365Access, role: Vb365Role, spec: RoleSpec, done: string[]): Promise<{ changed: string[]; role: Vb365Role }> {
	const changed = differences(role, spec);
	if (changed.length === 0) return { changed, role };
	const fields = changed.some((c) => c === 'name' || c === 'description' || c === 'roleType');
	const update = async () => {
		if (!fields) return;
		await access.updateRole(role.id, { name: spec.name, description: spec.description, roleType: spec.roleType });
		done.push(`${changed.filter((c) => c === 'name' || c === 'description' || c === 'roleType').join(', ')} changed`);
	};
	const items = async () => {
		if (spec.selected !== undefined) await syncList(access, role.id, 'selected', role.selected ?? [], spec.selected, done);
		if (spec.excluded !== undefined) await syncList(access, role.id, 'excluded', role.excluded ?? [], spec.excluded, done);
	};
	if (spec.roleType === 'SpecificObjects') {
		await items();
		await update();
	} else {
		await update();
		await items();
	}
	const after = await readWhole(access, role.id);
	if (!after) throw new Error(`the role "${role.name}" (ID ${role.id}) is gone after changing it`);
	const left = differences(after, spec);
	if (left.length) throw new Error(`the server does not show the change of ${left.join(', ')} of the role "${role.name}" (ID ${role.id})`);
	return { changed, role: after };
}
