import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory, VeeamUser } from '../../../../client/adapters';
import { directoryAccountFlags, findUser, readUserLocator, userOutput, type UserLookup } from '../../helpers/directory';
import { inputError, readChoice } from '../../helpers/input';
import { guardLastAdministrator } from '../../helpers/lastAdministrator';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { alreadyPendingOutput, deletionRefusedError, pendingRequestFor } from '../confirm';
import { itemOptions, userLocators } from '../common.descriptions';
import type { UserTarget } from '../node.type';
import { credentialAccountTest, ownerProblem } from '../../helpers/vspc';
import { OFFBOARD_MODES, offboardAbsentVspc, offboardModeProperty, offboardVspc, type OffboardMode } from './offboard.vspc';

const IF_NOT_FOUND = ['absent', 'error'] as const;
type IfNotFound = (typeof IF_NOT_FOUND)[number];

const properties: INodeProperties[] = [
	...userLocators,
	{
		displayName: 'If the User Does Not Exist',
		name: 'ifNotFound',
		type: 'options',
		default: 'absent',
		options: [
			{
				name: 'Succeed as Absent',
				value: 'absent',
				description: 'Output action "absent": the goal (no access) is already reached',
			},
			{ name: 'Error', value: 'error', description: 'Fail this item' },
		],
		description: 'What to do when Veeam has no such user',
	},
	offboardModeProperty,
	itemOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['offboard'] } }, properties);

interface OffboardParams {
	lookup: UserLookup;
	ifNotFound: IfNotFound;
	/** VSPC only. */
	mode?: OffboardMode;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<OffboardParams> {
	return {
		lookup: readUserLocator(this, directory, i),
		ifNotFound: readChoice(this, i, 'ifNotFound', 'If the User Does Not Exist', IF_NOT_FOUND, 'absent'),
		...(directory.product === 'vspc' ? { mode: readChoice(this, i, 'offboardMode', 'Offboard Mode', OFFBOARD_MODES, 'delete') } : {}),
	};
}

export async function execute(this: IExecuteFunctions, p: OffboardParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const user = await findUser(directory, p.lookup);
	// Removing the built-in administrator or the node's own login locks people (or this workflow) out.
	const protection =
		user &&
		(directory.builtInAccount(user) ??
			((await credentialAccountTest(this, directory))(user) ? `${user.name} is the account this node's credential logs in with` : undefined) ??
			(directory.product === 'vspc' ? ownerProblem(user) : undefined));
	if (protection) {
		throw inputError(this, i, 'User', `${protection}: the node does not offboard it`, 'Remove it in the Veeam console if you really mean to.');
	}
	// Four-eyes: a request of this account to delete the user already waits: not asked again.
	const held = user && (await pendingRequestFor(this, directory, user.name, 'delete'));
	if (user && held) return { ...alreadyPendingOutput('deleted', userOutput(user), held), ...directoryAccountFlags(user) };
	if (user && p.mode) return await guardLastAdministrator(this, directory, i, 'User', user, undefined, async () => await offboardVspc(this, directory, user, p.mode as OffboardMode, i));
	const remove = async (gone: VeeamUser) =>
		await directory.deleteUser(gone).catch(async (error: unknown) => {
			throw (await deletionRefusedError(this, directory, gone.name, error, i)) ?? error;
		});
	const outcome = user ? await guardLastAdministrator(this, directory, i, 'User', user, undefined, async () => await remove(user)) : 'absent';
	if (outcome === 'absent') {
		// VSPC lists a user's logins apart from the user: what an absent user left is removed first.
		const leftovers = !user && p.mode ? await offboardAbsentVspc(this, directory, p.lookup, i) : undefined;
		if (leftovers && p.ifNotFound !== 'error') return leftovers;
		if (p.ifNotFound === 'error') throw inputError(this, i, 'User', `no Veeam user or group with ${p.lookup.label}`);
		// Seen a moment ago and gone now (removed by someone else): its directory account is still there.
		const flags = user ? directoryAccountFlags(user) : { directoryAccountRemains: false };
		return { action: 'absent', [p.lookup.mode === 'name' ? 'name' : 'id']: p.lookup.value, ...flags };
	}
	const deleted = user as VeeamUser;
	return { action: 'deleted', user: userOutput(deleted), ...directoryAccountFlags(deleted) };
}

/** Its changes are read back: with four-eyes on they may wait for approval (confirm.ts). */
export const confirms = true;

/** The user item `i` is about (the router runs items about the same user one after another). */
export function target(p: OffboardParams): UserTarget {
	return p.lookup;
}
