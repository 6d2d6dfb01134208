/**
 * Role → Update on Veeam Backup for Microsoft 365: a restore operator role's name, description,
 * type and (when asked) its selected and excluded objects, made as given; what is not given is left
 * as the server has it. Nothing differs: `unchanged`, nothing sent. Read back.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import type { Vb365Organization, Vb365Role } from '../../../../client/vb365Model';
import { checkText, inputError, readChoice } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { incomplete, organizationMap, readOrganization, roleOutput, ROLE_TYPES, vb365Access } from '../../helpers/vb365';
import { organizationLocator, ROLE_TYPE_OPTIONS } from '../restoreOperator/fields';
import { applySpec, checkRoleName, excludedItemsField, readScope, readWhole, requireVb365Role, selectedItemsField, VB365, vb365RoleLocator, type RoleSpec } from './fields.vb365';

// Options (Concurrency) comes from the VBR operation's fields, shown for every product: not declared twice.
const properties: INodeProperties[] = [
	organizationLocator,
	vb365RoleLocator,
	{
		displayName: 'Update Fields',
		name: 'roleUpdates',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		options: [
			{ displayName: 'Description', name: 'description', type: 'string', default: '' },
			{ displayName: 'Name', name: 'name', type: 'string', default: '', description: 'The new name of the role' },
			{ displayName: 'Role Type', name: 'roleType', type: 'options', default: 'EntireOrganization', options: ROLE_TYPE_OPTIONS },
		],
	},
	{
		displayName: 'Scope Items',
		name: 'scopeItems',
		type: 'options',
		default: 'keep',
		options: [
			{ name: 'Keep', value: 'keep', description: "Leave the role's selected and excluded objects as they are" },
			{ name: 'Replace', value: 'replace', description: 'The role names exactly the objects below (empty lists: none)' },
		],
		description: "Whether to change the role's selected and excluded objects",
	},
	{ ...selectedItemsField, displayOptions: { show: { scopeItems: ['replace'] } } },
	{ ...excludedItemsField, displayOptions: { show: { scopeItems: ['replace'] } } },
];

export const description = updateDisplayOptions({ show: { resource: ['role'], operation: ['update'], ...VB365 } }, properties);

interface UpdateParams {
	org: Vb365Organization;
	role: Vb365Role;
	spec: RoleSpec;
	replaceItems: boolean;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<UpdateParams> {
	const access = vb365Access(this, directory, i);
	const raw = this.getNodeParameter('roleUpdates', i, {}) as IDataObject;
	const spec: RoleSpec = {};
	if (raw.name !== undefined) spec.name = checkRoleName(this, i, 'Name', checkText(this, i, 'Name', raw.name));
	if (raw.description !== undefined) spec.description = checkText(this, i, 'Description', raw.description, false);
	if (raw.roleType !== undefined) {
		const type = checkText(this, i, 'Role Type', raw.roleType);
		const known = ROLE_TYPES.find((t) => t.toLowerCase() === type.toLowerCase());
		if (!known) throw inputError(this, i, 'Role Type', `"${type}" is not one of ${ROLE_TYPES.join(', ')}`);
		spec.roleType = known;
	}
	const replaceItems = readChoice(this, i, 'scopeItems', 'Scope Items', ['keep', 'replace'] as const, 'keep') === 'replace';
	const org = await readOrganization(this, i, access);
	const role = await requireVb365Role(this, i, access, org);
	if (replaceItems) Object.assign(spec, await readScope(this, i, access, org, spec.roleType ?? role.roleType));
	return { org, role, spec, replaceItems };
}

/** A rename runs after the organization's other renames and creates (each finds the names the one before made); other updates per role. */
export function serialKey(p: UpdateParams): string {
	return p.spec.name !== undefined && p.spec.name.toLowerCase() !== p.role.name.toLowerCase() ? `org:${p.org.id}` : `role:${p.role.id}`;
}

export async function execute(this: IExecuteFunctions, p: UpdateParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const access = vb365Access(this, directory, i);
	const current = await readWhole(access, p.role.id);
	if (!current) throw inputError(this, i, 'Role', `the role "${p.role.name}" (ID ${p.role.id}) is gone: deleted just now?`);
	// A role of Specific Objects must name objects: checked against what the server has, before any change,
	// when this update makes the role so (a switch, or its objects replaced); one VB365 already has without
	// objects can still get a new name or description.
	const type = p.spec.roleType ?? current.roleType;
	const makesIt = p.spec.selected !== undefined || (p.spec.roleType === 'SpecificObjects' && current.roleType !== 'SpecificObjects');
	if (type === 'SpecificObjects' && makesIt && (p.spec.selected ?? current.selected ?? []).length === 0) {
		throw inputError(this, i, 'Selected Items', `the role would be of Specific Objects with no object selected`, 'Set Scope Items to Replace and add the objects its operators may restore.');
	}
	// A new name another role of the organization has: refused before anything changes (the items too).
	const newName = p.spec.name;
	if (newName !== undefined && newName.toLowerCase() !== current.name.toLowerCase()) {
		const clash = (await access.roles(p.org.id)).find((r) => r.id.toLowerCase() !== current.id.toLowerCase() && r.name.toLowerCase() === newName.toLowerCase());
		if (clash) throw inputError(this, i, 'Name', `the organization ${p.org.name} has another role named "${clash.name}" (ID ${clash.id})`, 'Nothing was changed. Choose another name, or rename or delete that role first.');
	}
	const done: string[] = [];
	try {
		const { changed, role } = await applySpec(access, current, p.spec, done);
		return { action: changed.length ? 'updated' : 'unchanged', changed, role: roleOutput(role, organizationMap([p.org])) };
	} catch (error) {
		throw incomplete(this, i, 'Role', `updating the role "${current.name}"`, 'a change failed', done, error);
	}
}
