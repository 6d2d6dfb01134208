/**
 * Restore Operator → Grant (Veeam Backup for Microsoft 365): a Microsoft 365 user or group of the
 * organization becomes an operator of one or more of its restore operator roles; a role named but
 * missing is created from the scope template when asked. A role that already names the operator is
 * `unchanged` (nothing sent); every change is read back, and a change the server does not show fails
 * the item, saying what was done before.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import type { Vb365Access, Vb365Item, Vb365Organization, Vb365Principal, Vb365Role, Vb365RoleType } from '../../../../client/vb365Model';
import { inputError, readChoice, readText } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import {
	incomplete,
	isOperator,
	organizationOutput,
	principalOutput,
	readItemEntries,
	readNamedRoles,
	readOperatorText,
	readOrganization,
	readPrincipalKind,
	requirePrincipal,
	resolveItems,
	rolesHint,
	ROLE_TYPES,
	vb365Access,
} from '../../helpers/vb365';
import { itemOptions } from '../common.descriptions';
import { itemsField, operatorField, operatorTypeField, organizationLocator, restoreRolesField, ROLE_TYPE_OPTIONS } from './fields';

const IF_MISSING = ['error', 'create'] as const;

const properties: INodeProperties[] = [
	organizationLocator,
	operatorTypeField,
	operatorField('The user or group to make a restore operator: e-mail address (UPN) or group name, display name, or ID, as the organization lists it'),
	restoreRolesField('The restore operator roles of the organization to add the operator to'),
	{
		displayName: 'If a Role Does Not Exist',
		name: 'ifRoleMissing',
		type: 'options',
		default: 'error',
		options: [
			{ name: 'Error', value: 'error', description: 'Fail this item (nothing is changed)' },
			{ name: 'Create It', value: 'create', description: 'Create the role with the scope below, the operator in it' },
		],
		description: 'What to do when the organization has no role of a name given',
	},
	{
		displayName: 'New Role Scope',
		name: 'newRoleType',
		type: 'options',
		default: 'EntireOrganization',
		options: ROLE_TYPE_OPTIONS,
		displayOptions: { show: { ifRoleMissing: ['create'] } },
		description: 'What operators of a role created here may restore',
	},
	{
		...itemsField('newRoleItems', 'New Role Items', 'The objects a role created here lets its operators restore (at least one)'),
		displayOptions: { show: { ifRoleMissing: ['create'], newRoleType: ['SpecificObjects'] } },
	},
	{
		displayName: 'New Role Description',
		name: 'newRoleDescription',
		type: 'string',
		default: '',
		displayOptions: { show: { ifRoleMissing: ['create'] } },
		description: 'Description of a role created here',
	},
	itemOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['restoreOperator'], operation: ['grant'] } }, properties);

interface Template {
	roleType: Vb365RoleType;
	selected: Vb365Item[];
	description: string;
}

interface GrantParams {
	org: Vb365Organization;
	principal: Vb365Principal;
	roles: Vb365Role[];
	/** Names of roles the organization did not have (created from `template`). */
	missing: string[];
	template?: Template;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<GrantParams> {
	const access = vb365Access(this, directory, i);
	const kind = readPrincipalKind(this, i);
	const text = readOperatorText(this, i);
	const ifMissing = readChoice(this, i, 'ifRoleMissing', 'If a Role Does Not Exist', IF_MISSING, 'error');
	let roleType: Vb365RoleType = 'EntireOrganization';
	let entries: ReturnType<typeof readItemEntries> = [];
	let roleDescription = '';
	if (ifMissing === 'create') {
		roleType = readChoice(this, i, 'newRoleType', 'New Role Scope', ROLE_TYPES, 'EntireOrganization');
		if (roleType === 'SpecificObjects') {
			entries = readItemEntries(this, i, 'newRoleItems', 'New Role Items');
			if (entries.length === 0) throw inputError(this, i, 'New Role Items', 'is empty: a role of Specific Objects must name at least one object', 'Add the users, groups, sites or teams its operators may restore, or choose Entire Organization.');
		}
		roleDescription = readText(this, i, 'newRoleDescription', 'New Role Description', { required: false });
	}
	const org = await readOrganization(this, i, access);
	const principal = await requirePrincipal(this, i, access, org, text, kind);
	const named = await readNamedRoles(this, i, access, org);
	if (named.missing.length && ifMissing === 'error') {
		const list = named.missing.map((m) => `"${m}"`).join(', ');
		throw inputError(this, i, 'Role Names or IDs', `the organization ${org.name} has no role named ${list}`, `${rolesHint(await access.roles(org.id))} Or set "If a Role Does Not Exist" to Create It.`);
	}
	const template = named.missing.length ? { roleType, description: roleDescription, selected: await resolveItems(this, i, access, org, entries, 'New Role Items') } : undefined;
	return { org, principal, roles: named.found, missing: named.missing, template };
}

/**
 * Items creating roles in one organization run one after another (the second finds what the first
 * created); other items about the same operator of the same organization too.
 */
export function serialKey(p: GrantParams): string {
	return p.missing.length ? `org:${p.org.id}` : `org:${p.org.id}|${p.principal.kind}:${p.principal.id.toLowerCase()}`;
}

type RoleResult = IDataObject & { result: 'added' | 'unchanged' | 'created' };

/** Adds the principal to `role` unless it names it already; read back. */
async function addTo(access: Vb365Access, role: Vb365Role, principal: Vb365Principal): Promise<RoleResult> {
	const before = await access.operators(role.id);
	if (before.some((o) => isOperator(o, principal, false))) return { id: role.id, name: role.name, result: 'unchanged' };
	const after = await access.addOperators(role.id, [principal], before);
	if (!after.some((o) => isOperator(o, principal, false))) throw new Error(`the server does not show the operator in the role "${role.name}" after adding it`);
	return { id: role.id, name: role.name, result: 'added' };
}

export async function execute(this: IExecuteFunctions, p: GrantParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const access = vb365Access(this, directory, i);
	const what = `granting the ${p.principal.kind} "${p.principal.name || p.principal.displayName}" its roles`;
	const done: string[] = [];
	const results: RoleResult[] = [];
	const step = async (roleName: string, call: () => Promise<RoleResult>) => {
		try {
			const result = await call();
			results.push(result);
			if (result.result !== 'unchanged') done.push(`${result.result === 'created' ? 'created the role' : 'added to the role'} "${roleName}"`);
		} catch (error) {
			throw incomplete(this, i, 'Operator', what, `the role "${roleName}" failed`, done, error);
		}
	};
	for (const role of p.roles) await step(role.name, async () => await addTo(access, role, p.principal));
	for (const name of p.missing) {
		await step(name, async () => {
			// Made meanwhile (an earlier item of this run, or someone else): the operator is added to it.
			const now = (await access.roles(p.org.id)).filter((r) => r.name.toLowerCase() === name.toLowerCase());
			if (now.length > 1) throw new Error(`the organization now has ${now.length} roles named so (IDs ${now.map((r) => r.id).join(', ')})`);
			if (now.length === 1) return await addTo(access, now[0], p.principal);
			const template = p.template as Template;
			const created = await access.createRole({
				organizationId: p.org.id,
				name,
				description: template.description,
				roleType: template.roleType,
				operators: [p.principal],
				...(template.roleType === 'SpecificObjects' ? { selected: template.selected } : {}),
			});
			const shown = (created.operators ?? (await access.operators(created.id))).some((o) => isOperator(o, p.principal, false));
			if (!shown) throw new Error(`the server shows the role "${name}" (ID ${created.id}) without the operator after creating it`);
			return { id: created.id, name: created.name, result: 'created', roleType: created.roleType ?? null };
		});
	}
	return {
		action: results.every((r) => r.result === 'unchanged') ? 'unchanged' : 'granted',
		operator: principalOutput(p.principal),
		organization: organizationOutput(p.org),
		roles: results,
	};
}
