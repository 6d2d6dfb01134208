/**
 * A change is reported as done only when the server shows it done. With VBR's four-eyes
 * authorization on, a change waits for a second administrator, and Veeam does not document what
 * the REST call answers meanwhile: it may well answer as if the change were made. So:
 *
 * - Before the first change of an execution, the Pending requests of the credential's account are
 *   read once (AuthorizationEvents.pendingBefore: one read per execution, not per item). A change
 *   whose request is already pending (it names the user, and its words say the same kind of
 *   change) is not sent again: `pendingApproval` with that request (`pendingRequestFor`).
 * - After the execution's changes the node reads the changed users back (one GET each, or the list
 *   when that is cheaper). A change that did not take effect is `pendingApproval` with the request
 *   it waits for, matched (authorizationEvents.ts, matchRequests) by the user's name in the event's
 *   `name` or `description`, or as the only request of this account new since the change; with
 *   several such requests and none naming the user the output lists them (`ambiguous`) rather than
 *   pick one. With no request at all the item fails: the answer said done, the server says not.
 * - A delete Veeam refuses (while four-eyes is on, deletions cannot be performed through the REST
 *   API) fails with what to do in the console (`deletionRefusedError`), never as `absent`.
 *
 * Only the last change per user is checked: an earlier one on the same user was followed by it.
 * Products without authorization events (VBGC, AWS, Azure) have no four-eyes: nothing is read.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { UserDirectory, VeeamUser } from '../../../client/adapters';
import { matchRequests, requestNaming, type AuthorizationEvent, type ChangeKind, type RequestMatch } from '../../../client/adapters/authorizationEvents';
import { CREDENTIAL_TYPE, UnclearOutcomeError, VeeamApiError } from '../../../client/transport';
import { failureFromError } from '../../../client/transport/failure';
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
	/** The kind of change, to tell its request from others about the same user. */
	kind?: ChangeKind;
	/** Role IDs the user should now have (when present). */
	roleIds?: string[];
	isServiceAccount?: boolean;
	/** False for a change nothing on the user shows (VBR's MFA reset): only a pending request of its kind says it waits. */
	observable?: boolean;
}

export type Confirmation = { shown: true } | { shown: false; pending?: RequestMatch };

/**
 * Without the read before the changes (it failed), an event counts as new since them when the
 * server created it at most this long before the execution's first change: the clocks of n8n and
 * the server may differ. Five minutes is what Kerberos tolerates by default, which a VBR server
 * joined to a domain and its domain clients keep to. Such a window cannot tell an older request
 * made within it from the change's own, so its candidates are only ever `ambiguous`. (With that
 * read, which events are new is exact.)
 */
export const CLOCK_SKEW_MS = 5 * 60 * 1000;

const CHANGED = new Set(['created', 'updated', 'deleted']);

/** The credential's account: the server-side filter (DOMAIN\\name, as VBR lists accounts) and the check on each event. */
async function ownAccount(ctx: IExecuteFunctions, directory: UserDirectory): Promise<{ createdBy?: string; isOwn: (createdBy: string) => boolean }> {
	const matcher = await credentialAccountMatcher(ctx, directory);
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE[directory.product]);
	const login = typeof credentials.username === 'string' ? credentials.username.trim() : '';
	return { createdBy: login.includes('\\') ? login : undefined, isOwn: (createdBy) => matcher({ name: createdBy } as VeeamUser) };
}

/**
 * The request of this account already pending for `name` and a change of `kind` (before this
 * execution changed anything), if any: then the change is not sent again. Only a request that
 * names the user and whose words say that kind counts: anything less could be another change.
 */
export async function pendingRequestFor(ctx: IExecuteFunctions, directory: UserDirectory, name: string, kind: ChangeKind): Promise<RequestMatch | undefined> {
	if (!directory.authorizationEvents) return undefined;
	const account = await ownAccount(ctx, directory);
	const before = await directory.authorizationEvents.pendingBefore(account.createdBy);
	if (!before?.events) return undefined;
	return requestNaming(before.events.filter((e) => e.state === 'Pending' && account.isOwn(e.createdBy)), name, kind, true);
}

/** The output for a change not sent because its request is already pending. */
export function alreadyPendingOutput(requested: string, user: IDataObject, match: RequestMatch): IDataObject {
	return { action: 'pendingApproval', requested, user, approval: approvalOf(match), alreadyPending: true };
}

/** The claim an item output makes (`action` created / updated / deleted / mfaReset with the user), if any. */
export function claimOfOutput(index: number, output: IDataObject): Claim | undefined {
	const action = String(output.action ?? '');
	const user = output.user as IDataObject | undefined;
	if (!user || typeof user.name !== 'string') return undefined;
	if (action === 'mfaReset') {
		const claim = claimOfUser(index, action, user, true, 'mfa');
		return claim && { ...claim, observable: false };
	}
	if (!CHANGED.has(action)) return undefined;
	// Set Service Account Mode says before/after as booleans; Promote and Onboard as role names.
	const kind: ChangeKind = action === 'created' ? 'create' : action === 'deleted' ? 'delete' : typeof output.before === 'boolean' ? 'serviceAccount' : 'roles';
	return claimOfUser(index, action, user, action !== 'deleted', kind);
}

/** A claim about `user` (an output's user object: id or name, roles, isServiceAccount). */
export function claimOfUser(index: number, said: string, user: IDataObject, present: boolean, kind?: ChangeKind): Claim | undefined {
	const ref = typeof user.id === 'string' ? user.id : typeof user.name === 'string' ? user.name : undefined;
	if (!ref) return undefined;
	const roles = Array.isArray(user.roles) ? (user.roles as IDataObject[]).map((r) => String(r.id).toLowerCase()) : undefined;
	return {
		index,
		ref,
		name: String(user.name),
		said,
		present,
		...(kind ? { kind } : {}),
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
	const events = directory.authorizationEvents;
	if (!directory.readBack || !events || claims.length === 0) return result;
	const last = new Map<string, Claim>();
	for (const claim of claims) if (claim.observable !== false) last.set(claim.ref.toLowerCase(), claim);
	const checked = [...last.values()];
	const unobservable = claims.filter((c) => c.observable === false);
	const now = checked.length ? await directory.readBack(checked.map((c) => c.ref)) : new Map<string, VeeamUser | undefined>();
	const missing = checked.filter((c) => !shows(c, now.get(c.ref)));
	for (const c of checked) if (!missing.includes(c)) result.set(c.index, { shown: true });
	if (missing.length === 0 && unobservable.length === 0) return result;

	const account = await ownAccount(ctx, directory);
	// The read before the changes, when an operation made it (pendingRequestFor): which requests are
	// new since is then exact; otherwise by the server's creation time, allowing for clock skew.
	const before = await events.pendingBefore(account.createdBy, true);
	const pending = (await events.list({ states: ['Pending'], createdBy: account.createdBy })).filter((e) => e.state === 'Pending' && account.isOwn(e.createdBy));
	const known = before?.events && new Set(before.events.map((e) => e.id));
	const isNew = (e: AuthorizationEvent): boolean => {
		if (known) return !known.has(e.id);
		const created = Date.parse(e.creationTime);
		return before !== undefined && Number.isFinite(created) && created >= before.readAt - CLOCK_SKEW_MS;
	};
	const open = [...missing, ...unobservable];
	const matches = matchRequests(open, pending, isNew, claims.map((c) => c.name), known !== undefined);
	for (const [i, claim] of open.entries()) {
		const match = matches.get(i);
		if (claim.observable === false) {
			// Nothing to read back: waiting when a request of its kind is pending for it, else done.
			result.set(claim.index, match ? { shown: false, pending: match } : { shown: true });
		} else {
			result.set(claim.index, match ? { shown: false, pending: match } : { shown: false });
		}
	}
	return result;
}

/** One request as an output shows it. */
function requestOutput(event: AuthorizationEvent): IDataObject {
	return {
		id: event.id,
		name: event.name,
		description: event.description,
		createdBy: event.createdBy,
		creationTime: event.creationTime,
		...(event.expirationTime ? { expirationTime: event.expirationTime } : {}),
	};
}

/** The approval a pendingApproval output carries: the request and how it was matched, or the requests it may be. */
export function approvalOf(match: RequestMatch | AuthorizationEvent): IDataObject {
	if ('ambiguous' in match) {
		return {
			matchedBy: 'ambiguous',
			candidates: match.ambiguous.map(requestOutput),
			note: `${match.ambiguous.length === 1 ? '1 pending request' : `${match.ambiguous.length} pending requests`} of this account, new since the change, could be this one, and none names the user: find it in the Veeam console.`,
		};
	}
	if ('matchedBy' in match) return { ...requestOutput(match.event), matchedBy: match.matchedBy };
	return requestOutput(match);
}

/** The item output for a change waiting for four-eyes approval. */
export function pendingOutput(output: IDataObject, match: RequestMatch): IDataObject {
	return { action: 'pendingApproval', requested: output.action, user: output.user, approval: approvalOf(match) };
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

const FOUR_EYES_WORDS = /four[- ]?eyes|4[- ]?eyes|approv/i;

/**
 * A refused DELETE of `name` on a product with four-eyes authorization (VBR), as the error that
 * says so and what to do; undefined for any other error (the caller rethrows it). Veeam's guide:
 * while four-eyes authorization is on, delete operations cannot be performed through the REST API.
 * What VBR answers then is not documented, so any refusal counts (not a 404, which is "absent", nor
 * a 401): said as four-eyes' when the answer is a 403 (the account read the users a moment ago with
 * the same rights) or names four-eyes or an approval, and as probably four-eyes' otherwise.
 */
export function deletionRefusedError(ctx: IExecuteFunctions, directory: UserDirectory, name: string, error: unknown, itemIndex?: number): NodeOperationError | undefined {
	if (!directory.authorizationEvents) return undefined;
	const api = error instanceof UnclearOutcomeError ? error.apiError : error;
	const status = api instanceof VeeamApiError ? api.status : failureFromError(api).status;
	if (status === undefined || status < 400 || status === 401 || status === 404 || status === 429) return undefined;
	// The transport's message is Veeam's own words (`Veeam: …`), secrets scrubbed.
	const own = api instanceof Error && api.message.startsWith('Veeam: ') ? api.message.slice('Veeam: '.length).trim() : '';
	const said = own ? own.slice(0, 300) : undefined;
	const answer = `Veeam answered ${status}${said ? `: "${said}"` : ''}`;
	const sure = status === 403 || (said !== undefined && FOUR_EYES_WORDS.test(said));
	const message = sure
		? `Four-eyes authorization forbids deleting "${name}" through the REST API (${answer})`
		: `Veeam refused to delete "${name}" (${answer}); while four-eyes authorization is on, Veeam does not allow deletions through the REST API`;
	return new NodeOperationError(ctx.getNode(), message, {
		...(itemIndex !== undefined ? { itemIndex } : {}),
		description: `Delete "${name}" in the Veeam console (Users and Roles): with four-eyes authorization on, another Backup or Security Administrator then approves the request there (Pending Approvals). Or have four-eyes authorization turned off. Nothing was deleted.`,
	});
}
