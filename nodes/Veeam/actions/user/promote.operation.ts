import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory, VeeamRole } from '../../../../client/adapters';
import { PRODUCT_NAMES, showFor } from '../../../../client/products';
import { readRoles, readUserLocator, requireUser, roleNames, sameRoles, userOutput, type UserLookup } from '../../helpers/directory';
import { inputError, readChoice } from '../../helpers/input';
import { guardLastAdministrator } from '../../helpers/lastAdministrator';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { alreadyPendingOutput, pendingRequestFor } from '../confirm';
import { itemOptions, rolesField, userLocators } from '../common.descriptions';
import type { UserTarget } from '../node.type';
import { anyUserOutput, roleChangeProblem, roleProblem, subtenantProblem, vspcAccess } from '../../helpers/vspc';

const MODES = ['replace', 'add', 'remove'] as const;
type RoleMode = (typeof MODES)[number];

const properties: INodeProperties[] = [
	...userLocators,
	{
		displayName: 'Change',
		name: 'roleMode',
		type: 'options',
		default: 'replace',
		options: [
			{ name: 'Replace Roles', value: 'replace', description: 'The user ends up with exactly the roles given' },
			{ name: 'Add Roles', value: 'add', description: 'The roles given are added to the roles the user has', displayOptions: showFor('multipleRoles') },
			{
				name: 'Remove Roles',
				value: 'remove',
				description: 'The roles given are taken away; refused if the user would be left without any role',
				displayOptions: showFor('multipleRoles'),
			},
		],
		description: 'How the roles given change the roles the user has',
	},
	rolesField('Roles to set, add or remove'),
	itemOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['promote'] } }, properties);

interface PromoteParams {
	lookup: UserLookup;
	mode: RoleMode;
	roles: VeeamRole[];
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<PromoteParams> {
	const lookup = readUserLocator(this, directory, i);
	const mode = readChoice(this, i, 'roleMode', 'Change', MODES, 'replace');
	if (directory.singleRole && mode !== 'replace') {
		throw inputError(this, i, 'Change', `"${mode}" cannot work here: ${PRODUCT_NAMES[directory.product]} gives a user exactly one role`, 'Choose "Replace Roles" with the one role the user should have.');
	}
	const roles = await readRoles(this, directory, i);
	// VSPC: an Owner or Subtenant role is refused here, before any item is sent (the fit with the user's
	// organization needs the user, and is checked when the item runs).
	const ownerRole = directory.product === 'vspc' ? (roleProblem(roles[0], undefined, '') ?? subtenantProblem(roles[0])) : undefined;
	if (ownerRole) throw inputError(this, i, 'Role Names or IDs', ownerRole, 'Nothing was sent.');
	return { lookup, mode, roles };
}

function rolesWanted(current: VeeamRole[], given: VeeamRole[], mode: RoleMode): VeeamRole[] {
	const givenIds = new Set(given.map((r) => r.id.toLowerCase()));
	if (mode === 'replace') return given;
	if (mode === 'remove') return current.filter((r) => !givenIds.has(r.id.toLowerCase()));
	const currentIds = new Set(current.map((r) => r.id.toLowerCase()));
	return [...current, ...given.filter((r) => !currentIds.has(r.id.toLowerCase()))];
}

export async function execute(this: IExecuteFunctions, p: PromoteParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const user = await requireUser(this, directory, p.lookup, i);
	const wanted = rolesWanted(user.roles, p.roles, p.mode);
	const before = roleNames(user.roles);
	if (wanted.length === 0) {
		throw inputError(
			this,
			i,
			'Role Names or IDs',
			`removing ${roleNames(p.roles).join(', ')} would leave "${user.name}" without any role, and Veeam requires at least one`,
			'To take all access away, use User → Offboard instead.',
		);
	}
	if (sameRoles(user.roles, wanted)) {
		return { action: 'unchanged', before, after: before, user: await anyUserOutput(directory, user) };
	}
	if (directory.product === 'vspc') {
		const problem = await roleChangeProblem(vspcAccess(this, directory, i), user, wanted[0]);
		if (problem) throw inputError(this, i, 'Role Names or IDs', problem, 'Nothing was sent.');
	}
	// Four-eyes: a request of this account to change the user's roles already waits: not asked again.
	const held = await pendingRequestFor(this, directory, user.name, 'roles');
	if (held) return { ...alreadyPendingOutput('updated', userOutput(user), held, { roles: roleNames(wanted) }), before };
	const updated = await guardLastAdministrator(this, directory, i, 'Role Names or IDs', user, wanted, async () => await directory.setRoles(user, wanted));
	// VSPC: the adapter answers with the user as the server then has it; it must show the role asked for.
	if (directory.product === 'vspc' && !sameRoles(updated.roles, wanted)) {
		throw inputError(this, i, 'Role Names or IDs', `the server still shows "${updated.name}" with ${roleNames(updated.roles).join(', ') || 'no role'} after the change to ${roleNames(wanted).join(', ')}`);
	}
	return { action: 'updated', before, after: roleNames(updated.roles), user: await anyUserOutput(directory, updated) };
}

/** Its changes are read back: with four-eyes on they may wait for approval (confirm.ts). */
export const confirms = true;

/** The user item `i` is about (the router runs items about the same user one after another). */
export function target(p: PromoteParams): UserTarget {
	return p.lookup;
}
