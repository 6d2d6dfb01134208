/**
 * The Veeam Trigger's authorization events (VBR, `GET /api/v1/authorization/events`): four-eyes
 * requests as they are made, approved, rejected or expire, and Info events about users, roles and
 * security settings. And, for the user diff, who made a change when one event plainly says so.
 *
 * Exactly once, with the user diff's rules (poll.ts): the node stores the state of every event of
 * the last WINDOW_DAYS days (a request lives at most 30 days) beside the user snapshot, and saves
 * it only with it. An event is emitted when it first appears in a state, compared with that stored
 * state: a new Pending request, then its approval, each once. Without stored state (the first
 * poll, another server) the poll records a baseline and emits nothing for events.
 */
import type { IDataObject } from 'n8n-workflow';

import { eventKinds, namedIn, type AuthorizationEvent, type AuthorizationEventState, type ChangeKind, type KnownAuthorizationEventState } from '../../client/adapters/authorizationEvents';
import type { UserDirectory } from '../../client/model';
import type { UserEvent } from './diff';
import { APPROVALS_STATE_KEY } from './state';

export const APPROVAL_EVENTS = ['approvalPending', 'approvalApproved', 'approvalRejected', 'approvalExpired', 'securityChange'] as const;
export type ApprovalEventType = (typeof APPROVAL_EVENTS)[number];

export function isApprovalEvent(value: unknown): value is ApprovalEventType {
	return typeof value === 'string' && (APPROVAL_EVENTS as readonly string[]).includes(value);
}

const KIND: Partial<Record<KnownAuthorizationEventState, ApprovalEventType>> = {
	Pending: 'approvalPending',
	Approved: 'approvalApproved',
	Rejected: 'approvalRejected',
	Expired: 'approvalExpired',
	Info: 'securityChange',
};
/** One letter per state, to keep the stored state small. */
const CODE: Record<KnownAuthorizationEventState, string> = { Pending: 'P', Approved: 'A', Rejected: 'R', Expired: 'E', Info: 'I', CockpitMessage: 'C' };
/** Events younger than this are tracked (a four-eyes request is valid for at most 30 days). */
export const WINDOW_DAYS = 32;

interface StoredApprovals {
	cfg: string;
	/** When the events were read last (ISO). */
	readAt: string;
	/** id → state code (only while approval kinds are chosen: `tracked`). */
	seen: Record<string, string>;
	/** The states were recorded (a baseline for approval events exists). */
	tracked?: boolean;
}

export interface ApprovalPoll {
	/** The state to store with the user snapshot. */
	next: StoredApprovals;
	/** Undefined: no stored state (a baseline). */
	changed?: Array<{ kind: ApprovalEventType; event: AuthorizationEvent }>;
	/** When the previous poll read them (the window in which a change happened). */
	since?: string;
	events: AuthorizationEvent[];
}

function stored(staticData: IDataObject, cfg: string): StoredApprovals | undefined {
	const value = staticData[APPROVALS_STATE_KEY] as StoredApprovals | undefined;
	if (!value || typeof value !== 'object' || value.cfg !== cfg || typeof value.seen !== 'object' || value.seen === null) return undefined;
	return value;
}

/**
 * Reads the authorization events for this poll (nothing is written). `track`: the approval kinds
 * are chosen: every event of the window, compared with the stored states. Otherwise, when `annotate`
 * (the user diff found changes), only those that took effect since the last poll (created, or
 * approved, since then: two small requests), to say who made the changes; else none are read.
 */
export async function pollApprovals(
	directory: UserDirectory,
	staticData: IDataObject,
	cfg: string,
	now: Date,
	{ track, annotate }: { track: boolean; annotate: boolean },
): Promise<ApprovalPoll | undefined> {
	const events = directory.authorizationEvents;
	if (!events) return undefined;
	const previous = stored(staticData, cfg);
	const readAt = now.toISOString();
	if (!track) {
		const next: StoredApprovals = { cfg, readAt, seen: {} };
		if (!annotate || !previous) return { next, since: previous?.readAt, events: [] };
		// A minute of slack for the server's clock; the window itself is checked on each event.
		const from = new Date(Date.parse(previous.readAt) - 60_000).toISOString();
		const [created, approved] = await Promise.all([events.list({ createdAfter: from }), events.list({ states: ['Approved'], processedAfter: from })]);
		const byId = new Map([...created, ...approved].map((e) => [e.id, e]));
		return { next, since: previous.readAt, events: [...byId.values()] };
	}
	const from = new Date(now.getTime() - WINDOW_DAYS * 86_400_000).toISOString();
	const list = await events.list({ createdAfter: from });
	const seen: Record<string, string> = {};
	// A state the node does not know is stored as the server wrote it (compared as it is).
	const code = (state: AuthorizationEventState) => CODE[state as KnownAuthorizationEventState] ?? state;
	for (const e of list) seen[e.id] = code(e.state);
	const next: StoredApprovals = { cfg, readAt, seen };
	if (!previous || !previous.tracked) return { next: { ...next, tracked: true }, events: list };
	const changed: ApprovalPoll['changed'] = [];
	for (const event of list) {
		const kind = KIND[event.state as KnownAuthorizationEventState];
		if (kind && previous.seen[event.id] !== code(event.state)) changed.push({ kind, event });
	}
	return { next: { ...next, tracked: true }, changed, since: previous.readAt, events: list };
}

export function writeApprovals(staticData: IDataObject, next: StoredApprovals): void {
	staticData[APPROVALS_STATE_KEY] = next as unknown as IDataObject;
}

/** An emitted item for an authorization event. */
export function approvalItem(kind: ApprovalEventType, event: AuthorizationEvent, detectedAt: string): IDataObject {
	return { event: kind, product: 'vbr', authorizationEvent: { ...event }, detectedAt };
}

/**
 * The kinds of change (authorizationEvents.ts, eventKinds: the words of the event's name, else its
 * description) that can stand behind each user event; "settings" words count for the settings.
 */
const KINDS: Record<string, ChangeKind[]> = {
	userAdded: ['create'],
	userRemoved: ['delete'],
	rolesChanged: ['roles'],
	serviceAccountModeChanged: ['serviceAccount'],
	mfaChanged: ['mfa', 'serviceAccount'],
	otherFieldsChanged: ['serviceAccount'],
};

/**
 * Who made a change the user diff found: the one authorization event about that user and that kind
 * of change which took effect in the poll window (created then, or approved then). The user is
 * matched wherever the event names it, its `name` or its `description` (`authorizationEventMatchedBy`
 * says which): Veeam documents no wording. Several, or none (an event naming nobody included):
 * nothing is said (never a guess).
 */
export function changedBy(change: Pick<UserEvent, 'event' | 'user' | 'previous'>, events: AuthorizationEvent[], since: string, until: string): IDataObject | undefined {
	const name = (change.user ?? change.previous)?.name;
	const kinds = KINDS[change.event];
	if (!name || !kinds) return undefined;
	const from = Date.parse(since);
	const to = Date.parse(until);
	const inWindow = (t: string | undefined) => t !== undefined && Date.parse(t) > from && Date.parse(t) <= to;
	const matches = events.flatMap((e) => {
		if (!(e.state === 'Info' ? inWindow(e.creationTime) : e.state === 'Approved' && inWindow(e.processedTime))) return [];
		const said = eventKinds(e);
		const where = kinds.some((k) => said.has(k)) ? namedIn(e, name) : undefined;
		return where ? [{ e, where }] : [];
	});
	if (matches.length !== 1) return undefined;
	const [{ e, where }] = matches;
	return {
		changedBy: e.createdBy,
		changedAt: e.state === 'Approved' ? e.processedTime : e.creationTime,
		...(e.state === 'Approved' ? { approvedBy: e.processedBy } : {}),
		authorizationEventId: e.id,
		authorizationEventMatchedBy: where,
	};
}
