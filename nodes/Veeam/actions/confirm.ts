/**
 * A change is reported as done only when the server shows it done. With VBR's four-eyes
 * authorization on, a change waits for a second administrator, and Veeam does not document what
 * the REST call answers meanwhile: it may well answer as if the change were made. So:
 *
 * - Before the first change of an execution, the Pending requests are read once (every account's;
 *   the credential's own picked by sameAccount; AuthorizationEvents.pendingBefore: one read per
 *   execution, not per item; a second item about the same user and kind reads them again). A
 *   change whose request is already pending (it names the user, and its words say the same kind of
 *   change) is not sent again: `pendingApproval` with that request (`pendingRequestFor`).
 * - After the execution's changes the node reads the changed users back (one GET each, or the list
 *   when that is cheaper). A change that did not take effect is `pendingApproval` with the request
 *   it waits for, matched (authorizationEvents.ts, matchRequests) by the user's name in the event's
 *   `name` or `description`, or as the only request of this account new since the change; with
 *   several such requests and none naming the user the output lists them (`ambiguous`) rather than
 *   pick one. With no request at all the item fails: the answer said done, the server says not.
 * - A change nothing on the user shows (VBR's MFA reset) is done only when the server records it (an
 *   Info event of this account naming the user, since the change); waiting when a request matches;
 *   otherwise `mfaResetSent` with a note: sent, and neither done nor waiting can be seen.
 * - A delete Veeam refuses fails with Veeam's answer and what to do in the console, naming four-eyes
 *   as the cause only when it is known to be on (`deletionRefusedError`), never as `absent`.
 *
 * Every change is checked: the last one per user against the server; an earlier one against the
 * state the next item about that user started from (read from the server after the earlier change:
 * the adapter never answers from an as-if-done answer).
 * Products without authorization events (VBGC, AWS, Azure) have no four-eyes: nothing is read.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { UserDirectory, VeeamUser } from '../../../client/adapters';
import { bareLoginNote, kindFit, matchRequests, namedIn, requestNaming, sameAccount, type AuthorizationEvent, type ChangeKind, type RequestMatch } from '../../../client/adapters/authorizationEvents';
import { CREDENTIAL_TYPE, UnclearOutcomeError, VeeamApiError } from '../../../client/transport';
import { failureFromError } from '../../../client/transport/failure';

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
	/** Role IDs the user should now have (when present; a change of roles or a create). */
	roleIds?: string[];
	/** The service account mode it should now have (a change of that mode). */
	isServiceAccount?: boolean;
	/** The server's state the item started from, as its output says (to check an earlier change on the same user). */
	startedFrom?: { present: boolean; roleNames?: string[]; isServiceAccount?: boolean };
	/** Role names it should now have (as roleIds). */
	roleNames?: string[];
	/** False for a change nothing on the user shows (VBR's MFA reset): only a pending request of its kind says it waits. */
	observable?: boolean;
}

export type Confirmation = { shown: true } | { shown: false; pending?: RequestMatch; note?: string; unconfirmed?: boolean };

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

/** The credential's account: which events' `createdBy` is it (sameAccount), and a note when a login without a domain left some out. */
async function ownAccount(ctx: IExecuteFunctions, directory: UserDirectory): Promise<{ login: string; isOwn: (createdBy: string) => boolean }> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE[directory.product]);
	const login = typeof credentials.username === 'string' ? credentials.username.trim() : '';
	return { login, isOwn: (createdBy) => sameAccount(login, createdBy) };
}

/**
 * The request of this account already pending for `name` and a change of `kind` (before this
 * execution changed anything), if any: then the change is not sent again. Only a request that
 * names the user and whose words say that kind counts: anything less could be another change.
 */
export async function pendingRequestFor(ctx: IExecuteFunctions, directory: UserDirectory, name: string, kind: ChangeKind): Promise<RequestMatch | undefined> {
	if (!directory.authorizationEvents) return undefined;
	const account = await ownAccount(ctx, directory);
	const before = await directory.authorizationEvents.pendingFor(`${kind}:${name.toLowerCase()}`);
	if (!before?.events) return undefined;
	return requestNaming(before.events.filter((e) => e.state === 'Pending' && account.isOwn(e.createdBy)), name, kind, true);
}

/**
 * The output for a change not sent because its request is already pending. Its words say the kind
 * of change, not (readably) its details: a request for other roles than those wanted now is not told
 * apart (`note`).
 */
export function alreadyPendingOutput(requested: string, user: IDataObject, match: RequestMatch, wanted?: IDataObject): IDataObject {
	return {
		action: 'pendingApproval',
		requested,
		user,
		approval: approvalOf(match),
		alreadyPending: true,
		...(wanted ? { wanted } : {}),
		note: 'A request of this account for this kind of change to this user already waits, so nothing was sent. What it changes (e.g. which roles) may differ from what this item asks: see the request in the Veeam console; once it is approved or rejected, run the workflow again.',
	};
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
	const claim = claimOfUser(index, action, user, action !== 'deleted', kind);
	if (!claim) return undefined;
	// Where it started from: a create from no user; a delete from the user as found; an update from `before`.
	const roleNamesOf = (u: IDataObject) => (Array.isArray(u.roles) ? (u.roles as IDataObject[]).map((r) => String(r.name)) : undefined);
	const startedFrom: Claim['startedFrom'] =
		kind === 'create'
			? { present: false }
			: kind === 'delete'
				? { present: true, roleNames: roleNamesOf(user), ...(typeof user.isServiceAccount === 'boolean' ? { isServiceAccount: user.isServiceAccount } : {}) }
				: kind === 'serviceAccount'
					? { present: true, isServiceAccount: output.before as boolean }
					: { present: true, ...(Array.isArray(output.before) ? { roleNames: (output.before as unknown[]).map(String) } : {}) };
	return { ...claim, startedFrom };
}

/** A claim about `user` (an output's user object: id or name, roles, isServiceAccount). */
export function claimOfUser(index: number, said: string, user: IDataObject, present: boolean, kind?: ChangeKind): Claim | undefined {
	const ref = typeof user.id === 'string' ? user.id : typeof user.name === 'string' ? user.name : undefined;
	if (!ref) return undefined;
	const roles = Array.isArray(user.roles) ? (user.roles as IDataObject[]) : undefined;
	// Only what this kind of change sets (a later change of another kind may set the rest).
	const withRoles = present && roles && kind !== 'serviceAccount' && kind !== 'mfa';
	const withMode = present && typeof user.isServiceAccount === 'boolean' && (kind === undefined || kind === 'serviceAccount');
	return {
		index,
		ref,
		name: String(user.name),
		said,
		present,
		...(kind ? { kind } : {}),
		...(withRoles ? { roleIds: roles.map((r) => String(r.id).toLowerCase()), roleNames: roles.map((r) => String(r.name)) } : {}),
		...(withMode ? { isServiceAccount: user.isServiceAccount as boolean } : {}),
	};
}

const sameNames = (a: string[], b: string[]) => {
	const x = new Set(a.map((n) => n.toLowerCase()));
	const y = new Set(b.map((n) => n.toLowerCase()));
	return x.size === y.size && [...x].every((n) => y.has(n));
};

/** Whether the state a later item about the same user started from shows `claim` (it was read from the server after the claim's change). */
function startShows(claim: Claim, start: NonNullable<Claim['startedFrom']>): boolean {
	if (start.present !== claim.present) return false;
	if (!claim.present) return true;
	if (claim.roleNames && start.roleNames && !sameNames(claim.roleNames, start.roleNames)) return false;
	if (claim.isServiceAccount !== undefined && start.isServiceAccount !== undefined && claim.isServiceAccount !== start.isServiceAccount) return false;
	return true;
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
	const observable = claims.filter((c) => c.observable !== false);
	// The next observable claim about the same user (claims are in item order).
	const next = new Map<Claim, Claim>();
	const latest = new Map<string, Claim>();
	for (const claim of [...observable].reverse()) {
		const key = claim.name.toLowerCase();
		const after = latest.get(key);
		if (after) next.set(claim, after);
		latest.set(key, claim);
	}
	const last = observable.filter((c) => !next.has(c));
	const unobservable = claims.filter((c) => c.observable === false);
	const now = last.length ? await directory.readBack(last.map((c) => c.ref)) : new Map<string, VeeamUser | undefined>();
	const missing = observable.filter((c) => {
		const later = next.get(c);
		return later ? !(later.startedFrom && startShows(c, later.startedFrom)) : !shows(c, now.get(c.ref));
	});
	for (const c of observable) if (!missing.includes(c)) result.set(c.index, { shown: true });
	if (missing.length === 0 && unobservable.length === 0) return result;

	const account = await ownAccount(ctx, directory);
	// The read before the changes, when an operation made it (pendingRequestFor): which requests are
	// new since is then exact; otherwise by the server's creation time, allowing for clock skew.
	const before = await events.pendingBefore(true);
	const all = (await events.list({ states: ['Pending'] })).filter((e) => e.state === 'Pending');
	const pending = all.filter((e) => account.isOwn(e.createdBy));
	const loginNote = bareLoginNote(account.login, all.map((e) => e.createdBy));
	const known = before?.events && new Set(before.events.map((e) => e.id));
	const since = before === undefined ? undefined : before.readAt - CLOCK_SKEW_MS;
	const isNew = (e: AuthorizationEvent): boolean => {
		if (known) return !known.has(e.id);
		const created = Date.parse(e.creationTime);
		return since !== undefined && Number.isFinite(created) && created >= since;
	};
	const open = [...missing, ...unobservable];
	const matches = matchRequests(open, pending, isNew, known !== undefined);
	// An unobservable change the server records as done: an Info event of this account naming the user, of its kind.
	const recorded = unobservable.some((c) => !matches.has(open.indexOf(c))) ? await doneRecords(events, account.isOwn, since) : [];
	for (const [i, claim] of open.entries()) {
		const match = matches.get(i);
		if (match) {
			result.set(claim.index, { shown: false, pending: match });
		} else if (claim.observable !== false) {
			result.set(claim.index, { shown: false, ...(loginNote ? { note: loginNote } : {}) });
		} else if (recorded.some((e) => namedIn(e, claim.name) && kindFit(e, claim.kind) === 'yes')) {
			result.set(claim.index, { shown: true });
		} else {
			result.set(claim.index, { shown: false, unconfirmed: true, note: unconfirmedNote(loginNote) });
		}
	}
	return result;
}

/** Info events of this account since `since` (undefined: no time known, none taken). */
async function doneRecords(events: NonNullable<UserDirectory['authorizationEvents']>, isOwn: (createdBy: string) => boolean, since: number | undefined): Promise<AuthorizationEvent[]> {
	if (since === undefined) return [];
	try {
		const info = await events.list({ states: ['Info'], createdAfter: new Date(since).toISOString() });
		return info.filter((e) => e.state === 'Info' && isOwn(e.createdBy));
	} catch {
		return [];
	}
}

function unconfirmedNote(loginNote: string | undefined): string {
	return [
		'Veeam accepted the request. Nothing on the user shows an MFA reset, the server records none of this account for the user since the change, and no pending four-eyes request of this account could be matched to it: whether it is done or waits for approval cannot be seen. Check Pending Approvals in the Veeam console.',
		loginNote,
	]
		.filter(Boolean)
		.join(' ');
}

/** The output (or error) for a claim the server does not show: `pendingApproval`, `…Sent` (unconfirmed), or the error. */
export function unshownOutcome(ctx: IExecuteFunctions, claim: Claim, confirmation: Confirmation & { shown: false }, output: IDataObject): { ok: true; value: IDataObject } | { ok: false; error: NodeOperationError } {
	if (confirmation.pending) return { ok: true, value: pendingOutput(output, confirmation.pending) };
	if (confirmation.unconfirmed) return { ok: true, value: { ...output, action: `${String(output.action)}Sent`, confirmed: false, note: confirmation.note } };
	return { ok: false, error: notShownError(ctx, claim, claim.index, confirmation.note) };
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
export function notShownError(ctx: IExecuteFunctions, claim: Claim, itemIndex?: number, note?: string): NodeOperationError {
	return new NodeOperationError(
		ctx.getNode(),
		`Veeam answered that "${claim.name}" was ${DONE[claim.said] ?? claim.said}, but the server does not show it, and no pending four-eyes request of this account names the user`,
		{
			...(itemIndex !== undefined ? { itemIndex } : {}),
			description:
				`Check the user in the Veeam console (another administrator may have changed it at the same time). Running the workflow again is safe: each operation does only what is still missing.${note ? ` ${note}` : ''}`,
		},
	);
}

const FOUR_EYES_WORDS = /four[- ]?eyes|4[- ]?eyes|approv/i;
/** An event that turns four-eyes on or off (its words; Veeam's event reference: "Four-eyes authorization has been enabled"). */
const FOUR_EYES_SETTING = /four[- ]?eyes[^.]*?\b(enabled|disabled|turned on|turned off)\b/i;

/**
 * Whether four-eyes authorization is known to be on: Veeam's answer names it, a pending request (of
 * any account) was seen, or the newest event that turns it on or off says on. No REST call tells the
 * setting itself (Veeam's security settings hold MFA only).
 */
async function fourEyesKnownOn(directory: UserDirectory, said: string | undefined): Promise<boolean> {
	if (said !== undefined && FOUR_EYES_WORDS.test(said)) return true;
	const events = directory.authorizationEvents;
	if (!events) return false;
	const before = await events.pendingBefore(true);
	if (before?.events?.some((e) => e.state === 'Pending')) return true;
	try {
		const settings = (await events.list({ pattern: '*four*eyes*' })).filter((e) => FOUR_EYES_SETTING.test(`${e.name} ${e.description}`));
		// The newest (the server lists them oldest first: the later of two at the same time wins).
		const newest = settings.reduce<AuthorizationEvent | undefined>((found, e) => (!found || !(Date.parse(e.creationTime) < Date.parse(found.creationTime)) ? e : found), undefined);
		return newest !== undefined && /\b(enabled|turned on)\b/i.test(FOUR_EYES_SETTING.exec(`${newest.name} ${newest.description}`)?.[0] ?? '');
	} catch {
		return false;
	}
}

/**
 * A refused DELETE of `name` on a product with four-eyes authorization (VBR), as the error that
 * says what Veeam answered and what to do; undefined for any other error (the caller rethrows it).
 * Veeam's guide: while four-eyes authorization is on, delete operations cannot be performed through
 * the REST API; what VBR answers then is not documented, and its reference gives 403 as "does not
 * have adequate privileges". So four-eyes is named as the cause only when it is known to be on
 * (fourEyesKnownOn); otherwise the refusal is said as Veeam's, with four-eyes as a possibility. Never
 * `absent`; "nothing was deleted" only for a 4xx (a 5xx does not say what happened).
 */
export async function deletionRefusedError(ctx: IExecuteFunctions, directory: UserDirectory, name: string, error: unknown, itemIndex?: number): Promise<NodeOperationError | undefined> {
	if (!directory.authorizationEvents) return undefined;
	const api = error instanceof UnclearOutcomeError ? error.apiError : error;
	const status = api instanceof VeeamApiError ? api.status : failureFromError(api).status;
	if (status === undefined || status < 400 || status === 401 || status === 404 || status === 429) return undefined;
	// The transport's message is Veeam's own words (`Veeam: …`), secrets scrubbed.
	const own = api instanceof Error && api.message.startsWith('Veeam: ') ? api.message.slice('Veeam: '.length).trim() : '';
	const said = own ? own.slice(0, 300) : undefined;
	const answer = `Veeam answered ${status}${said ? `: "${said}"` : ''}`;
	const inConsole = `Delete "${name}" in the Veeam console (Users and Roles): with four-eyes authorization on, another Backup or Security Administrator then approves the request there (Pending Approvals).`;
	const outcome = status < 500 ? ' Nothing was deleted.' : ' Whether anything was deleted is not known: check the user (a run again reads it first).';
	if (await fourEyesKnownOn(directory, said)) {
		return new NodeOperationError(ctx.getNode(), `Four-eyes authorization is on, and Veeam refused to delete "${name}" through the REST API (${answer})`, {
			...(itemIndex !== undefined ? { itemIndex } : {}),
			description: `${inConsole} Or have four-eyes authorization turned off.${outcome}`,
		});
	}
	const meaning = status === 403 ? ' (in Veeam\'s reference: the account lacks the privileges)' : '';
	return new NodeOperationError(ctx.getNode(), `Veeam refused to delete "${name}" (${answer})${meaning}`, {
		...(itemIndex !== undefined ? { itemIndex } : {}),
		description: `Check the account's role (Veeam Backup Administrator deletes users). If four-eyes authorization is on on this server, Veeam does not allow deletions through the REST API: ${inConsole}${outcome}`,
	});
}
