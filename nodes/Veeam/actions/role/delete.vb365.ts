/**
 * Role → Delete on Veeam Backup for Microsoft 365: the restore operator role goes, and its operators
 * lose what it let them restore at once (the output lists them). Irreversible. Read back: the role
 * is gone. A role the organization does not have is `absent`, or an error when asked.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import type { Vb365Organization, Vb365Role } from '../../../../client/vb365Model';
import { inputError, readChoice, readLocator } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { incomplete, organizationMap, organizationOutput, readOrganization, roleOutput, vb365Access } from '../../helpers/vb365';
import { organizationLocator } from '../restoreOperator/fields';
import { findVb365Role, readWhole, VB365, vb365RoleLocator } from './fields.vb365';

const IF_NOT_FOUND = ['absent', 'error'] as const;

// Options (Concurrency) comes from the VBR operation's fields, shown for every product: not declared twice.
const properties: INodeProperties[] = [
	organizationLocator,
	vb365RoleLocator,
	{
		displayName: 'If the Role Does Not Exist',
		name: 'ifNotFound',
		type: 'options',
		default: 'absent',
		options: [
			{ name: 'Succeed as Absent', value: 'absent', description: 'Output action "absent": the goal (no such role) is already reached' },
			{ name: 'Error', value: 'error', description: 'Fail this item' },
		],
		description: 'What to do when the organization has no such role',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['role'], operation: ['delete'], ...VB365 } }, properties);

interface DeleteParams {
	org: Vb365Organization;
	role?: Vb365Role;
	given: string;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<DeleteParams> {
	const access = vb365Access(this, directory, i);
	const ifNotFound = readChoice(this, i, 'ifNotFound', 'If the Role Does Not Exist', IF_NOT_FOUND, 'absent');
	const given = readLocator(this, i, 'role', 'Role').value;
	const org = await readOrganization(this, i, access);
	const role = await findVb365Role(this, i, access, org);
	if (!role && ifNotFound === 'error') throw inputError(this, i, 'Role', `the organization ${org.name} has no role "${given}"`);
	return { org, role, given };
}

export function serialKey(p: DeleteParams): string {
	return p.role ? `role:${p.role.id}` : `org:${p.org.id}`;
}

export async function execute(this: IExecuteFunctions, p: DeleteParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const access = vb365Access(this, directory, i);
	const before = p.role ? await readWhole(access, p.role.id) : undefined;
	if (!before) return { action: 'absent', role: p.role?.name ?? p.given, organization: organizationOutput(p.org) };
	let outcome: 'deleted' | 'absent';
	try {
		outcome = await access.deleteRole(before.id);
	} catch (error) {
		throw incomplete(this, i, 'Role', `deleting the role "${before.name}"`, 'the delete failed', [], error);
	}
	const still = await access.role(before.id).catch((error: unknown) => {
		throw incomplete(this, i, 'Role', `deleting the role "${before.name}"`, 'reading it back failed', [`the server answered the delete of the role (ID ${before.id})`], error);
	});
	if (still) throw incomplete(this, i, 'Role', `deleting the role "${before.name}"`, `the server still shows the role (ID ${before.id}) after deleting it`, []);
	return { action: outcome, role: roleOutput(before, organizationMap([p.org])) };
}
