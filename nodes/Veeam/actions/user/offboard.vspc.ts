/**
 * User → Offboard on Veeam Service Provider Console: the user's access really ends, or the item
 * fails saying what was done and what is left.
 *
 * - Offboard Mode "Delete" (default): the user is disabled (no new login from here on), its API-key
 *   and RSA-key logins deleted, every token revoked (`DELETE /users/{userUid}/tokens` without
 *   `userLoginId`: all of the user's tokens), then the user deleted. Read back: the user is gone
 *   and no login of it is left.
 * - "Disable": disabled, API and RSA keys deleted, tokens revoked. Read back: the user is Disabled
 *   and has no API or RSA key left (its password and TOTP logins stay, disabled with the user).
 *
 * An API key works without the password or MFA, so it is deleted either way; a key the read-back
 * still shows fails the item, named as working when its status is `enabled`. Any step failing fails
 * the item with the steps already done (each leaves the user with less access, never more).
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import type { UserDirectory, VeeamUser } from '../../../../client/adapters';
import type { VspcAccess, VspcLogin } from '../../../../client/vspcModel';
import { directoryAccountFlags } from '../../helpers/directory';
import { vspcAccess, vspcUserOutput } from '../../helpers/vspc';

export const OFFBOARD_MODES = ['delete', 'disable'] as const;
export type OffboardMode = (typeof OFFBOARD_MODES)[number];

export const offboardModeProperty: INodeProperties = {
	displayName: 'Offboard Mode',
	name: 'offboardMode',
	type: 'options',
	default: 'delete',
	displayOptions: { show: { product: ['vspc'] } },
	options: [
		{
			name: 'Delete',
			value: 'delete',
			description: 'Deletes the user with its logins, API keys and tokens. Irreversible.',
		},
		{
			name: 'Disable',
			value: 'disable',
			description: 'Disables the user, deletes its API keys and revokes its tokens; the user can be enabled again (Onboard does), with new API keys to be made',
		},
	],
	description: 'Whether the user is deleted or kept disabled. Either way its API keys are deleted and its tokens revoked.',
};

/** Logins that let a program in without the user's password or MFA. */
const KEY_KINDS = new Set(['apiKey', 'rsaKey']);

function loginOutput(login: VspcLogin): IDataObject {
	return {
		id: login.id,
		kind: login.kind,
		provider: login.provider,
		status: login.status,
		...(login.description ? { description: login.description } : {}),
	};
}

const isDisabled = (user: VeeamUser) => (user.status ?? '').toLowerCase() === 'disabled';

/** What failed, with what was done before it: never a half-done offboarding reported as nothing. */
function failure(ctx: IExecuteFunctions, i: number, user: VeeamUser, problem: string, done: string[], cause?: unknown): NodeOperationError {
	const reason = cause instanceof Error ? `: ${cause.message}` : '';
	const message = `User (item ${i}): offboarding "${user.name}" is not complete: ${problem}${reason}`;
	// Veeam: "You cannot disable a Subtenant if credentials of this user are specified in a Veeam backup agent job settings."
	const subtenant = cause && user.roles.some((r) => r.id === 'CompanySubtenant') ? ' VSPC refuses to disable or remove a Subtenant whose credentials a Veeam backup agent job uses: change the job first.' : '';
	const error = new NodeOperationError(ctx.getNode(), message, {
		itemIndex: i,
		description: `${done.length ? `Done before: ${done.join('; ')}.` : 'Nothing was changed.'} Run the item again (each step is skipped once done), or finish in VSPC.${subtenant}`,
	});
	error.message = message;
	return error;
}

/** The read-back: what is left of the user's access, as a sentence; undefined when nothing is. */
async function leftOver(access: VspcAccess, directory: UserDirectory, user: VeeamUser, mode: OffboardMode): Promise<{ problem?: string; after?: VeeamUser; logins: VspcLogin[] }> {
	const after = await directory.getUser(user.ref);
	const logins = await access.listLogins(user.ref);
	const keys = logins.filter((l) => KEY_KINDS.has(l.kind));
	const working = keys.filter((l) => l.status.toLowerCase() === 'enabled');
	if (working.length) return { after, logins, problem: `the server still shows ${working.length} working (enabled) API or RSA key login(s) of the user (IDs ${working.map((l) => l.id).join(', ')})` };
	if (keys.length) return { after, logins, problem: `the server still shows ${keys.length} API or RSA key login(s) of the user (IDs ${keys.map((l) => l.id).join(', ')}, ${keys.map((l) => l.status).join(', ')})` };
	if (mode === 'delete') {
		if (after) return { after, logins, problem: `the server still shows the user (UID ${user.ref}) after deleting it` };
		if (logins.length) return { after, logins, problem: `the server still shows ${logins.length} login(s) of the deleted user (IDs ${logins.map((l) => l.id).join(', ')})` };
		return { after, logins };
	}
	if (!after) return { after, logins, problem: 'the user is gone (deleted by someone else?) while it was being disabled' };
	if (!isDisabled(after)) return { after, logins, problem: `the server shows the user ${after.status ?? 'without a status'} after disabling it` };
	// A disabled user's logins read `disabledDueToUser` (the spec's UserLoginStatus); one the server
	// still shows `enabled` (a Windows or VBR identity, say) is not known to stop: never reported done.
	const open = logins.filter((l) => l.status.toLowerCase() === 'enabled');
	if (open.length) return { after, logins, problem: `the server still shows ${open.length} login(s) of the disabled user as enabled (${open.map((l) => `${l.provider} ${l.id}`).join(', ')})` };
	return { after, logins };
}

/** Offboards `user` (found, and past the guards) as `mode` says. */
export async function offboardVspc(ctx: IExecuteFunctions, directory: UserDirectory, user: VeeamUser, mode: OffboardMode, i: number): Promise<IDataObject> {
	const access = vspcAccess(ctx, directory, i);
	const shownBefore = await vspcUserOutput(access, user);
	const done: string[] = [];
	const step = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
		try {
			return await call();
		} catch (error) {
			throw failure(ctx, i, user, `${what} failed`, done, error);
		}
	};
	let current = user;
	const wasDisabled = isDisabled(user);
	if (!wasDisabled) {
		current = await step('disabling the user', async () => await access.setStatus(user, 'Disabled'));
		done.push('the user was disabled');
	}
	const logins = await step("reading the user's logins", async () => await access.listLogins(user.ref));
	const removed: VspcLogin[] = [];
	for (const login of logins.filter((l) => KEY_KINDS.has(l.kind))) {
		const outcome = await step(`deleting the ${login.kind === 'apiKey' ? 'API key' : 'RSA key'} login ${login.id}`, async () => await access.deleteLogin(current, login.id));
		if (outcome === 'deleted') {
			removed.push(login);
			done.push(`${login.kind === 'apiKey' ? 'API key' : 'RSA key'} login ${login.id} deleted`);
		}
	}
	await step("revoking the user's tokens", async () => await access.revokeTokens(current));
	done.push("the user's tokens were revoked");
	let deleted: 'deleted' | 'absent' | undefined;
	if (mode === 'delete') {
		deleted = await step('deleting the user', async () => await directory.deleteUser(current));
		done.push(deleted === 'deleted' ? 'the user was deleted' : 'the user was already gone');
	}
	const check = await step('reading the user and its logins back', async () => await leftOver(access, directory, user, mode));
	if (check.problem) throw failure(ctx, i, user, check.problem, done);

	const common = {
		offboardMode: mode,
		removedLogins: removed.map(loginOutput),
		tokensRevoked: true,
		...directoryAccountFlags(user),
	};
	if (mode === 'delete') return { action: 'deleted', user: shownBefore, ...common };
	const after = check.after as VeeamUser;
	return {
		action: wasDisabled && removed.length === 0 ? 'unchanged' : 'disabled',
		user: await vspcUserOutput(access, after),
		...common,
		// What stays: the password and TOTP logins, disabled with the user.
		loginsLeft: check.logins.map(loginOutput),
	};
}
