/**
 * Role → Create on Veeam Backup for Microsoft 365: a restore operator role of the organization with
 * its name, description, type and scope; one of that name (without regard to case) is made to
 * match, skipped or refused, as asked: never a second role of one name. Read back.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import type { Vb365Organization } from '../../../../client/vb365Model';
import { inputError, readChoice, readText } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { incomplete, readOrganization, roleOutput, ROLE_TYPES, vb365Access, organizationMap } from '../../helpers/vb365';
import { organizationLocator, ROLE_TYPE_OPTIONS } from '../restoreOperator/fields';
import { applySpec, checkRoleName, differences, excludedItemsField, readScope, readWhole, selectedItemsField, VB365, type RoleSpec } from './fields.vb365';

const IF_EXISTS = ['makeMatch', 'skip', 'error'] as const;

// Options (Concurrency) comes from the VBR operation's fields, shown for every product: not declared twice.
const properties: INodeProperties[] = [
	organizationLocator,
	{ displayName: 'Name', name: 'roleName', type: 'string', default: '', required: true, placeholder: 'e.g. Helpdesk Restores', description: 'Name of the restore operator role' },
	{ displayName: 'Description', name: 'roleDescription', type: 'string', default: '', description: 'Description of the role. Empty: none for a new role; an existing role keeps its own.' },
	{ displayName: 'Role Type', name: 'vb365RoleType', type: 'options', default: 'EntireOrganization', options: ROLE_TYPE_OPTIONS, description: 'What operators of the role may restore' },
	{ ...selectedItemsField, displayOptions: { show: { vb365RoleType: ['SpecificObjects'] } } },
	excludedItemsField,
	{
		displayName: 'If the Role Already Exists',
		name: 'ifExists',
		type: 'options',
		default: 'makeMatch',
		options: [
			{ name: 'Make It Match', value: 'makeMatch', description: 'Change the existing role to the one given (nothing sent if it matches already)' },
			{ name: 'Skip', value: 'skip', description: 'Leave the existing role as it is' },
			{ name: 'Error', value: 'error', description: 'Fail this item' },
		],
		description: 'What to do when the organization already has a role of this name',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['role'], operation: ['create'], ...VB365 } }, properties);

interface CreateParams {
	org: Vb365Organization;
	name: string;
	description: string;
	spec: RoleSpec & { roleType: (typeof ROLE_TYPES)[number] };
	ifExists: (typeof IF_EXISTS)[number];
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<CreateParams> {
	const access = vb365Access(this, directory, i);
	const name = checkRoleName(this, i, 'Name', readText(this, i, 'roleName', 'Name'));
	const roleDescription = readText(this, i, 'roleDescription', 'Description', { required: false });
	const roleType = readChoice(this, i, 'vb365RoleType', 'Role Type', ROLE_TYPES, 'EntireOrganization');
	const ifExists = readChoice(this, i, 'ifExists', 'If the Role Already Exists', IF_EXISTS, 'makeMatch');
	const org = await readOrganization(this, i, access);
	const scope = await readScope(this, i, access, org, roleType);
	return { org, name, description: roleDescription, ifExists, spec: { name, roleType, ...scope, ...(roleDescription ? { description: roleDescription } : {}) } };
}

/** Items about one organization's roles run one after another: the second finds what the first created. */
export function serialKey(p: CreateParams): string {
	return `org:${p.org.id}`;
}

export async function execute(this: IExecuteFunctions, p: CreateParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const access = vb365Access(this, directory, i);
	const orgs = organizationMap([p.org]);
	const existing = (await access.roles(p.org.id)).filter((r) => r.name.toLowerCase() === p.name.toLowerCase());
	if (existing.length > 1) throw inputError(this, i, 'Name', `the organization ${p.org.name} has ${existing.length} roles named "${p.name}" (IDs ${existing.map((r) => r.id).join(', ')})`, 'Update or delete them by ID.');
	if (existing.length === 0) {
		let created;
		try {
			created = await access.createRole({ organizationId: p.org.id, name: p.name, description: p.description, roleType: p.spec.roleType, selected: p.spec.selected, excluded: p.spec.excluded });
		} catch (error) {
			throw incomplete(this, i, 'Name', `creating the role "${p.name}"`, 'the create failed', [], error);
		}
		let now;
		try {
			now = await readWhole(access, created.id);
		} catch (error) {
			throw incomplete(this, i, 'Name', `creating the role "${p.name}"`, 'reading it back failed', [`created the role (ID ${created.id})`], error);
		}
		const left = now ? differences(now, { ...p.spec, description: p.description }) : ['the role'];
		if (!now || left.length) {
			throw incomplete(this, i, 'Name', `creating the role "${p.name}"`, `the server does not show ${left.join(', ')} as given after creating it (ID ${created.id})`, [`created the role (ID ${created.id})`]);
		}
		return { action: 'created', role: roleOutput(now, orgs) };
	}
	if (p.ifExists === 'error') {
		throw inputError(this, i, 'Name', `the organization ${p.org.name} already has a role named "${existing[0].name}" (ID ${existing[0].id})`, 'Choose "Make It Match" or "Skip" under "If the Role Already Exists" to create roles idempotently.');
	}
	const current = await readWhole(access, existing[0].id);
	if (!current) throw inputError(this, i, 'Name', `the role "${existing[0].name}" (ID ${existing[0].id}) is gone: deleted just now?`);
	if (p.ifExists === 'skip') return { action: 'unchanged', role: roleOutput(current, orgs) };
	const done: string[] = [];
	try {
		const { changed, role } = await applySpec(access, current, p.spec, done);
		return { action: changed.length ? 'updated' : 'unchanged', changed, role: roleOutput(role, orgs) };
	} catch (error) {
		throw incomplete(this, i, 'Name', `making the role "${current.name}" match`, 'a change failed', done, error);
	}
}
