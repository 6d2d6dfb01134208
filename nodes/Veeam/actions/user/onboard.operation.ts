import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory, VeeamRole } from '../../adapters';
import { VBR_USER_TYPES } from '../../adapters/vbr';
import { readRoles, roleNames, sameRoles, userOutput } from '../../helpers/directory';
import { inputError, readBoolean, readChoice, readText } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { rolesField } from '../common.descriptions';

const IF_EXISTS = ['makeRolesMatch', 'skip', 'error'] as const;
type IfExists = (typeof IF_EXISTS)[number];

const properties: INodeProperties[] = [
	{
		displayName: 'User Name',
		name: 'userName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. TECH\\jane.doe',
		description:
			'Account to give access to Veeam. Active Directory users and groups are written DOMAIN\\name (e.g. TECH\\jane.doe, TECH\\Backup Operators); the account must already exist in the directory.',
	},
	{
		displayName: 'Type',
		name: 'userType',
		type: 'options',
		default: 'ExternalUser',
		displayOptions: { show: { product: ['vbr'] } },
		options: [
			{ name: 'Active Directory User', value: 'ExternalUser', description: 'A domain user account (DOMAIN\\name)' },
			{ name: 'Active Directory Group', value: 'ExternalGroup', description: 'A domain group (DOMAIN\\name); its members get the roles' },
			{ name: 'Local User', value: 'InternalUser', description: 'A local account of the backup server' },
			{ name: 'Local Group', value: 'InternalGroup', description: 'A local group of the backup server' },
		],
		description: 'What kind of account the user name is',
	},
	rolesField('Veeam roles the user gets, e.g. Restore Operator'),
	{
		displayName: 'Service Account',
		name: 'isServiceAccount',
		type: 'boolean',
		default: false,
		displayOptions: { show: { product: ['vbr'] } },
		description:
			'Whether the account is a service account: used by scripts and integrations, exempt from multi-factor authentication',
	},
	{
		displayName: 'If the User Already Exists',
		name: 'ifExists',
		type: 'options',
		default: 'makeRolesMatch',
		options: [
			{
				name: 'Make Roles Match',
				value: 'makeRolesMatch',
				description: "Set the existing user's roles to exactly the roles given (no change if they already match)",
			},
			{ name: 'Skip', value: 'skip', description: 'Leave the existing user as it is' },
			{ name: 'Error', value: 'error', description: 'Fail this item' },
		],
		description: 'What to do when Veeam already has a user or group with this name',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['onboard'] } }, properties);

interface OnboardParams {
	name: string;
	type: string;
	roles: VeeamRole[];
	isServiceAccount: boolean;
	ifExists: IfExists;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<OnboardParams> {
	const name = readText(this, i, 'userName', 'User Name');
	const type = readChoice(this, i, 'userType', 'Type', VBR_USER_TYPES, 'ExternalUser');
	const problem = directory.nameProblem(name, type);
	if (problem) throw inputError(this, i, 'User Name', problem);
	const isServiceAccount = readBoolean(this, i, 'isServiceAccount', 'Service Account', false);
	const ifExists = readChoice(this, i, 'ifExists', 'If the User Already Exists', IF_EXISTS, 'makeRolesMatch');
	const roles = await readRoles(this, directory, i);
	return { name, type, roles, isServiceAccount, ifExists };
}

export async function execute(this: IExecuteFunctions, p: OnboardParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const existing = await directory.findUserByName(p.name);
	if (!existing) {
		// The adapter never repeats a create blindly: after an unclear failure it looks first.
		const user = await directory.createUser({ name: p.name, type: p.type, roles: p.roles, isServiceAccount: p.isServiceAccount });
		return { action: 'created', user: userOutput(user) };
	}
	const before = roleNames(existing.roles);
	if (p.ifExists === 'error') {
		throw inputError(this, i, 'User Name', `Veeam already has a user or group named "${existing.name}" (ID ${existing.ref})`, 'Choose "Make Roles Match" or "Skip" under "If the User Already Exists" to onboard idempotently.');
	}
	if (p.ifExists === 'skip' || sameRoles(existing.roles, p.roles)) {
		return { action: 'unchanged', user: userOutput(existing), before };
	}
	const updated = await directory.setRoles(existing, p.roles);
	return { action: 'updated', user: userOutput(updated), before };
}
