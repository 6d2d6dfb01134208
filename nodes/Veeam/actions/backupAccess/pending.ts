/**
 * Four-eyes and the Backup Access changes. Veeam does not say that it holds ACL changes, nor how a
 * request for one is worded (the simulator's "Change owner" / "Change effective access" are assumed),
 * so the node is right whatever the wording:
 *
 * - Before each change the Pending requests are read (a snapshot; one `GET /authorization/events`).
 *   A request of this account that names the backup or job (its name or ID, as authorizationMatch's
 *   `namedIn` reads names) and whose words say this kind of change (owner / access) already waits:
 *   nothing is sent again (`pendingApproval`, `alreadyPending: true`).
 * - After a change the read-back does not show, the requests of this account new since the snapshot:
 *   exactly one is that one; several: the one naming the object (two or more naming it, or none:
 *   `ambiguous`, listing them); none: the change is an error. Changes of one execution run one at a
 *   time (VbrAcl.serially), so another item's request is never "new" here; another execution of the
 *   same account filing requests meanwhile cannot be told apart (as for users).
 * - When the snapshot cannot be read, nothing is known to be new: a request naming the object, made
 *   since the change (within the clocks' tolerance), is listed as `ambiguous`; none: an error.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { namedIn, sameAccount, type AuthorizationEvent, type RequestMatch } from '../../../../client/adapters/authorizationEvents';
import { CREDENTIAL_TYPE } from '../../../../client/transport';
import { approvalOf, CLOCK_SKEW_MS } from '../confirm';

export type AclChangeKind = 'owner' | 'access';

/** Words that say which ACL change a request is about (assumed; a request saying neither or both says no kind). */
const KIND_WORDS: Record<AclChangeKind, RegExp> = {
	owner: /\bowner(s|ship)?\b/i,
	access: /\b(access|rights?|permissions?|delegat\w*)\b/i,
};

/** The kind a request's words say (its name first, then its description), or undefined. */
function kindOf(event: AuthorizationEvent): AclChangeKind | undefined {
	for (const text of [event.name, event.description]) {
		const kinds = (Object.keys(KIND_WORDS) as AclChangeKind[]).filter((k) => KIND_WORDS[k].test(text));
		if (kinds.length === 1) return kinds[0];
	}
	return undefined;
}

/** The object an ACL change is about: its ID and, when known, its name. */
export interface AclChangeTarget {
	id: string;
	name?: string;
	kind: AclChangeKind;
}

/** Where an event names the object (its name, else its ID), never counting the requester's own name. */
function namesObject(event: AuthorizationEvent, target: AclChangeTarget): 'name' | 'description' | undefined {
	return (target.name ? namedIn(event, target.name) : undefined) ?? namedIn(event, target.id);
}

/** The Pending requests of this account before a change; `events` undefined when they cannot be read. */
export interface PendingSnapshot {
	events?: AuthorizationEvent[];
	readAt: number;
}

async function ownAccount(ctx: IExecuteFunctions, directory: UserDirectory): Promise<(createdBy: string) => boolean> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE[directory.product]);
	const login = typeof credentials.username === 'string' ? credentials.username.trim() : '';
	return (createdBy) => sameAccount(login, createdBy);
}

async function ownPending(ctx: IExecuteFunctions, directory: UserDirectory): Promise<AuthorizationEvent[] | undefined> {
	if (!directory.authorizationEvents) return undefined;
	const isOwn = await ownAccount(ctx, directory);
	try {
		return (await directory.authorizationEvents.list({ states: ['Pending'] })).filter((e) => e.state === 'Pending' && isOwn(e.createdBy));
	} catch {
		// Not readable (an account without the right): the change goes ahead, the read-back decides.
		return undefined;
	}
}

/** The snapshot before a change (undefined for products without four-eyes). */
export async function pendingSnapshot(ctx: IExecuteFunctions, directory: UserDirectory): Promise<PendingSnapshot | undefined> {
	if (!directory.authorizationEvents) return undefined;
	const readAt = Date.now();
	return { events: await ownPending(ctx, directory), readAt };
}

const newestFirst = (a: AuthorizationEvent, b: AuthorizationEvent) => Date.parse(b.creationTime) - Date.parse(a.creationTime);

/** The request in the snapshot already waiting for this change (it names the object and says this kind), if any. */
export function alreadyWaiting(snapshot: PendingSnapshot | undefined, target: AclChangeTarget): AuthorizationEvent | undefined {
	return [...(snapshot?.events ?? [])].sort(newestFirst).find((e) => kindOf(e) === target.kind && namesObject(e, target) !== undefined);
}

/** The output of a change not sent because its request already waits. */
export function alreadyPendingOutput(output: IDataObject, event: AuthorizationEvent): IDataObject {
	return {
		...output,
		result: 'pendingApproval',
		approval: approvalOf(event),
		alreadyPending: true,
		note: 'A four-eyes request of this account for this kind of change to this backup or job already waits, so nothing was sent. What it changes may differ from what this item asks: see it in the Veeam console; once it is approved or rejected, run the workflow again.',
	};
}

/** The request a change the read-back does not show waits for, as the file's comment says; undefined: none. */
export function requestAfter(snapshot: PendingSnapshot | undefined, now: AuthorizationEvent[], target: AclChangeTarget, sentAt: number): RequestMatch | undefined {
	if (!snapshot?.events) {
		const since = now.filter((e) => Date.parse(e.creationTime) >= sentAt - CLOCK_SKEW_MS && namesObject(e, target) !== undefined);
		return since.length ? { ambiguous: since.sort(newestFirst) } : undefined;
	}
	const known = new Set(snapshot.events.map((e) => e.id));
	const fresh = now.filter((e) => !known.has(e.id)).sort(newestFirst);
	if (fresh.length === 0) return undefined;
	if (fresh.length === 1) return { event: fresh[0], matchedBy: 'onlyPendingRequestSinceChange' };
	const naming = fresh.flatMap((e) => {
		const where = namesObject(e, target);
		return where && kindOf(e) !== otherKind(target.kind) ? [{ event: e, matchedBy: where }] : [];
	});
	if (naming.length === 1) return naming[0];
	return { ambiguous: naming.length > 1 ? naming.map((n) => n.event) : fresh };
}

const otherKind = (kind: AclChangeKind): AclChangeKind => (kind === 'owner' ? 'access' : 'owner');

/**
 * A change the server answered but does not show when read back: `pendingApproval` when a request
 * of this account waits for it (`requestAfter`), otherwise an error: the node never reports a change
 * the server does not show.
 */
export async function notShown(
	ctx: IExecuteFunctions,
	directory: UserDirectory,
	i: number,
	change: { snapshot?: PendingSnapshot; sentAt: number; target: AclChangeTarget; what: string },
	output: IDataObject,
): Promise<IDataObject> {
	const now = await ownPending(ctx, directory);
	const match = now && requestAfter(change.snapshot, now, change.target, change.sentAt);
	if (match) {
		const approval = approvalOf(match);
		if ('ambiguous' in match) {
			approval.note = `${match.ambiguous.length === 1 ? '1 pending request' : `${match.ambiguous.length} pending requests`} of this account could be this one, and none can be told to be it by its words: find it in the Veeam console.`;
		}
		return { ...output, result: 'pendingApproval', approval };
	}
	throw new NodeOperationError(ctx.getNode(), `Veeam answered the ${change.what} as done, but the record read back does not show it`, {
		itemIndex: i,
		description: 'No four-eyes request of this account new since the change waits for it either. Nothing is reported as changed; check the backup or job in the Veeam console before trying again.',
	});
}
