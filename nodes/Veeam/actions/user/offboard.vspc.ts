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
import { sameUserName } from '../../../../client/adapters/vspcRead';
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
	// The server's answer now: the directory may answer getUser from a list it read before the delete (review O2).
	const after = access.readUser ? await access.readUser(user.ref) : await directory.getUser(user.ref);
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

/**
 * The user is not (or no longer) listed: the logins the server still lists for its UID (or, given by
 * name, for its user name) are what is left of its access, e.g. after a delete the server answered
 * without removing the logins (review O1). Each is deleted (API and RSA keys first), the user's tokens
 * revoked, and the logins read back: any left fails the item, naming it and what failed. Nothing
 * listed: `undefined` (the user is simply absent).
 */
export async function offboardAbsentVspc(ctx: IExecuteFunctions, directory: UserDirectory, lookup: { mode: string; value: string }, i: number): Promise<IDataObject | undefined> {
	const access = vspcAccess(ctx, directory, i);
	const byName = lookup.mode === 'name';
	const read = async (): Promise<VspcLogin[]> => {
		if (!byName) return await access.listLogins(lookup.value);
		if (access.listLoginsNamed) return await access.listLoginsNamed(lookup.value);
		return (await access.listLogins()).filter((l) => sameUserName(l.userName ?? '', lookup.value));
	};
	const listed = await read();
	if (listed.length === 0) return undefined;
	const label = byName ? `named "${lookup.value}"` : `with UID ${lookup.value}`;
	// Only the logins of a user the server itself no longer has are leftovers: a login listed under the
	// name whose user is there (renamed, or a look-alike name) is another user's, never touched (review N3).
	const goneUids: string[] = [];
	for (const uid of new Set(listed.map((l) => l.userUid.toLowerCase()))) {
		const owner = access.readUser ? await access.readUser(uid) : await directory.getUser(uid);
		if (!owner) goneUids.push(uid);
		else if (!byName || sameUserName(owner.name, lookup.value)) {
			throw new NodeOperationError(ctx.getNode(), `User (item ${i}): the server lists the user ${label} again (UID ${owner.ref}, "${owner.name}")`, { itemIndex: i, description: 'Nothing was changed. Run the item again.' });
		}
	}
	const logins = listed.filter((l) => goneUids.includes(l.userUid.toLowerCase()));
	if (logins.length === 0) return undefined;
	// The node never had the user itself: a stand-in with what the logins say, for the calls and messages.
	const gone = { ref: logins[0].userUid, name: logins[0].userName || lookup.value, roles: [] } as unknown as VeeamUser;
	if (goneUids.length > 1) {
		throw failure(ctx, i, gone, `no user ${label} is listed, but logins of ${goneUids.length} different user UIDs are (${goneUids.join(', ')}): give the user by its UID`, []);
	}
	const done: string[] = [];
	const failed: string[] = [];
	const attempt = async (what: string, call: () => Promise<unknown>): Promise<unknown> =>
		await call().catch((error: unknown) => {
			failed.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
			return undefined;
		});
	// Keys first: they let a program in without the password or MFA.
	const ordered = [...logins.filter((l) => KEY_KINDS.has(l.kind)), ...logins.filter((l) => !KEY_KINDS.has(l.kind))];
	const removed: VspcLogin[] = [];
	for (const login of ordered) {
		const outcome = await attempt(`deleting login ${login.id}`, async () => await access.deleteLogin(gone, login.id));
		if (outcome === 'deleted') {
			removed.push(login);
			done.push(`login ${login.id} (${login.provider}) deleted`);
		}
	}
	const failedBefore = failed.length;
	await attempt("revoking the user's tokens", async () => await access.revokeTokens(gone));
	if (failed.length === failedBefore) done.push("the user's tokens were revoked");
	const left = await access.listLogins(gone.ref).catch((error: unknown) => {
		throw failure(ctx, i, gone, `no user ${label} is listed, but ${logins.length} login(s) of it were; reading them back failed`, done, error);
	});
	if (left.length || failed.length) {
		const working = left.filter((l) => KEY_KINDS.has(l.kind) && l.status.toLowerCase() === 'enabled');
		const shown = left.length ? `the server still shows ${left.length} login(s) of it (${left.map((l) => `${l.id} ${l.provider} ${l.status}`).join(', ')})${working.length ? `, ${working.length} of them a working API or RSA key` : ''}` : 'its logins are gone';
		throw failure(ctx, i, gone, `no user ${label} is listed, but ${shown}${failed.length ? `; ${failed.join('; ')}` : ''}`, done);
	}
	return { action: 'absent', [byName ? 'name' : 'id']: lookup.value, userUid: gone.ref, removedLogins: removed.map(loginOutput), tokensRevoked: true, directoryAccountRemains: false };
}
