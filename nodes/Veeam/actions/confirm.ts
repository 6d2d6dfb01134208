/**
 * A change is reported as done only when the server shows it done. With VBR's four-eyes
 * authorization on, a change waits for a second administrator, and Veeam does not document what
 * the REST call answers meanwhile: it may well answer as if the change were made. So after an
 * execution's changes the node reads the changed users back (one GET each, or the list when that is
 * cheaper). A change that did not take effect is:
 * - `pendingApproval`, with the request's ID, name and expiry, when a Pending authorization event
 *   of the credential's account names the user (the newest such request);
 * - otherwise an error for that item: the answer said done, the server says not.
 * Only the last change per user is checked: an earlier one on the same user was followed by it.
 * Products without authorization events (VBGC) have no four-eyes: nothing is read back there.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { UserDirectory, VeeamUser } from '../../../client/adapters';
import { mentions, type AuthorizationEvent } from '../../../client/adapters/authorizationEvents';
import { credentialAccountMatcher } from '../helpers/directory';

/** What an output says the server now holds for one user. */
export interface Claim {
	/** Which output (item or step) it comes from. */
	index: number;
	ref: string;
	name: string;
	/** The output's `action` / `result`, e.g. `created`. */
	said: string;
	present: boolean;
	/** Role IDs the user should now have (when present). */
	roleIds?: string[];
	isServiceAccount?: boolean;
	/**
	 * False for a change nothing on the user shows (VBR's MFA reset): only a pending request of its
	 * kind (`pendingKind`, matched in the request's name) says it waits.
	 */
	observable?: boolean;
	pendingKind?: RegExp;
}

export type Confirmation = { shown: true } | { shown: false; pending?: AuthorizationEvent };

const CHANGED = new Set(['created', 'updated', 'deleted']);

/** The claim an item output makes (`action` created / updated / deleted / mfaReset with the user), if any. */
export function claimOfOutput(index: number, output: IDataObject): Claim | undefined {
	const action = String(output.action ?? '');
	const user = output.user as IDataObject | undefined;
	if (!user || typeof user.name !== 'string') return undefined;
	if (action === 'mfaReset') {
		const claim = claimOfUser(index, action, user, true);
		return claim && { ...claim, observable: false, pendingKind: /\b(mfa|multi-factor)/i };
	}
	if (!CHANGED.has(action)) return undefined;
	return claimOfUser(index, action, user, action !== 'deleted');
}

/** A claim about `user` (an output's user object: id or name, roles, isServiceAccount). */
export function claimOfUser(index: number, said: string, user: IDataObject, present: boolean): Claim | undefined {
	const ref = typeof user.id === 'string' ? user.id : typeof user.name === 'string' ? user.name : undefined;
	if (!ref) return undefined;
	const roles = Array.isArray(user.roles) ? (user.roles as IDataObject[]).map((r) => String(r.id).toLowerCase()) : undefined;
	return {
		index,
		ref,
		name: String(user.name),
		said,
		present,
		...(present && roles ? { roleIds: roles } : {}),
		...(present && typeof user.isServiceAccount === 'boolean' ? { isServiceAccount: user.isServiceAccount } : {}),
	};
}

function shows(claim: Claim, user: VeeamUser | undefined): boolean {
	if (!claim.present) return user === undefined;
	if (!user) return false;
	if (claim.roleIds) {
		const now = new Set(user.roles.map((r) => r.id.toLowerCase()));
		if (now.size !== new Set(claim.roleIds).size || claim.roleIds.some((id) => !now.has(id))) return false;
	}
	return claim.isServiceAccount === undefined || user.isServiceAccount === claim.isServiceAccount;
}

/** Whether each claim holds on the server, by claim index; claims not checked are absent from the map. */
export async function confirmClaims(ctx: IExecuteFunctions, directory: UserDirectory, claims: Claim[]): Promise<Map<number, Confirmation>> {
	const result = new Map<number, Confirmation>();
	if (!directory.readBack || !directory.authorizationEvents || claims.length === 0) return result;
	const last = new Map<string, Claim>();
	for (const claim of claims) if (claim.observable !== false) last.set(claim.ref.toLowerCase(), claim);
	const checked = [...last.values()];
	const unobservable = claims.filter((c) => c.observable === false);
	const now = checked.length ? await directory.readBack(checked.map((c) => c.ref)) : new Map<string, VeeamUser | undefined>();
	const missing = checked.filter((c) => !shows(c, now.get(c.ref)));
	for (const c of checked) if (!missing.includes(c)) result.set(c.index, { shown: true });
	if (missing.length === 0 && unobservable.length === 0) return result;

	const isOwn = await credentialAccountMatcher(ctx, directory);
	const pending = (await directory.authorizationEvents.list({ states: ['Pending'] })).filter((e) => isOwn({ name: e.createdBy } as VeeamUser));
	const newestAbout = (claim: Claim) =>
		pending
			.filter((e) => mentions(e.description, claim.name) && (!claim.pendingKind || claim.pendingKind.test(e.name)))
			.sort((a, b) => Date.parse(b.creationTime) - Date.parse(a.creationTime))[0];
	for (const claim of missing) {
		const newest = newestAbout(claim);
		result.set(claim.index, newest ? { shown: false, pending: newest } : { shown: false });
	}
	// Nothing to read back: waiting when a request of its kind names the user, else done.
	for (const claim of unobservable) {
		const newest = newestAbout(claim);
		result.set(claim.index, newest ? { shown: false, pending: newest } : { shown: true });
	}
	return result;
}

/** The approval a pendingApproval output carries. */
export function approvalOf(event: AuthorizationEvent): IDataObject {
	return {
		id: event.id,
		name: event.name,
		description: event.description,
		createdBy: event.createdBy,
		creationTime: event.creationTime,
		...(event.expirationTime ? { expirationTime: event.expirationTime } : {}),
	};
}

/** The item output for a change waiting for four-eyes approval. */
export function pendingOutput(output: IDataObject, event: AuthorizationEvent): IDataObject {
	return { action: 'pendingApproval', requested: output.action, user: output.user, approval: approvalOf(event) };
}

const DONE: Record<string, string> = { created: 'created', updated: 'changed', deleted: 'deleted', rolesChanged: 'given its new roles', removed: 'removed' };

/** The error for a change the server answered as done but does not show. */
export function notShownError(ctx: IExecuteFunctions, claim: Claim, itemIndex?: number): NodeOperationError {
	return new NodeOperationError(
		ctx.getNode(),
		`Veeam answered that "${claim.name}" was ${DONE[claim.said] ?? claim.said}, but the server does not show it, and no pending four-eyes request of this account names the user`,
		{
			...(itemIndex !== undefined ? { itemIndex } : {}),
			description:
				'Check the user in the Veeam console (another administrator may have changed it at the same time). Running the workflow again is safe: each operation does only what is still missing.',
		},
	);
}
