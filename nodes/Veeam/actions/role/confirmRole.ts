/**
 * The read-back rule for custom roles: a change is reported only as the server shows it. Veeam's
 * four-eyes page does not list role changes among those it holds (sim/contracts/vbr-access-control.md,
 * decision 2), but the package is right either way: after a change the role is read back
 * (`GET /roles/{id}/details`, or `GET /roles/{id}` for a delete); a change the server does not show
 * is `pendingApproval` when a four-eyes request of this account waits for it, and an error otherwise.
 * A request already waiting for the same change is not filed again (`alreadyPending`).
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { requestNaming, sameAccount, type AuthorizationEvent } from '../../../../client/adapters/authorizationEvents';
import type { ChangeKind } from '../../../../client/adapters/authorizationMatch';
import { CREDENTIAL_TYPE } from '../../../../client/transport';
import { approvalOf } from '../confirm';

/** How a role change reads in a request's words: added / deleted, or a change of a role ("Change role"). */
export type RoleChangeKind = Extract<ChangeKind, 'create' | 'delete' | 'roles'>;

async function ownAccount(ctx: IExecuteFunctions, directory: UserDirectory): Promise<(createdBy: string) => boolean> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE[directory.product]);
	const login = typeof credentials.username === 'string' ? credentials.username.trim() : '';
	return (createdBy) => sameAccount(login, createdBy);
}

/**
 * The request of this account that already waits for this change of the role named `name` (read
 * before this execution's first change), if any: then nothing is sent again.
 */
export async function alreadyPending(ctx: IExecuteFunctions, directory: UserDirectory, name: string, kind: RoleChangeKind): Promise<AuthorizationEvent | undefined> {
	const events = directory.authorizationEvents;
	if (!events) return undefined;
	const isOwn = await ownAccount(ctx, directory);
	const before = await events.pendingFor(`role-${kind}:${name.toLowerCase()}`);
	if (!before?.events) return undefined;
	return requestNaming(before.events.filter((e) => e.state === 'Pending' && isOwn(e.createdBy)), name, kind, true)?.event;
}

/** The output of a change not sent because its request already waits. */
export function alreadyPendingOutput(requested: string, role: IDataObject, event: AuthorizationEvent): IDataObject {
	return {
		action: 'pendingApproval',
		requested,
		role,
		approval: approvalOf(event),
		alreadyPending: true,
		note: 'A four-eyes request of this account for this change to this role already waits, so nothing was sent. Once it is approved or rejected in the Veeam console, run the workflow again.',
	};
}

/**
 * For a change the read-back does not show: the `pendingApproval` output when a request of this
 * account, new since the change, waits for it (naming the role, or the only new one); else the
 * error that says the server does not show it.
 */
export async function unshownRoleChange(
	ctx: IExecuteFunctions,
	directory: UserDirectory,
	i: number,
	change: { name: string; kind: RoleChangeKind; requested: string; role: IDataObject },
): Promise<IDataObject> {
	const events = directory.authorizationEvents;
	if (events) {
		const isOwn = await ownAccount(ctx, directory);
		const before = await events.pendingBefore(true);
		const known = new Set((before?.events ?? []).map((e) => e.id));
		const fresh = (await events.list({ states: ['Pending'] })).filter((e) => e.state === 'Pending' && isOwn(e.createdBy) && !known.has(e.id));
		const named = requestNaming(fresh, change.name, change.kind, false);
		const match = named ?? (fresh.length === 1 && before?.events ? { event: fresh[0], matchedBy: 'onlyPendingRequestSinceChange' as const } : undefined);
		if (match) return { action: 'pendingApproval', requested: change.requested, role: change.role, approval: approvalOf(match) };
	}
	throw new NodeOperationError(ctx.getNode(), `Veeam answered that the role "${change.name}" was ${change.requested}, but the server does not show it, and no pending four-eyes request of this account names it`, {
		itemIndex: i,
		description: 'Check the role in the Veeam console (Users and Roles; another administrator may have changed it at the same time). Running the workflow again is safe: it does only what is still missing.',
	});
}
