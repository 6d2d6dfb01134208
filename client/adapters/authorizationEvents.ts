/**
 * VBR authorization events (`GET /api/v1/authorization/events[/{id}]`, API 1.3-rev1 and later):
 * approved, rejected, expired and pending four-eyes requests, and Info events about users, roles and
 * security settings. Read-only: approving happens in the Veeam console.
 *
 * An event is taken from the server only with an ID (a UUID) and a known state; anything else is
 * an answer the node does not use.
 */
import { NodeOperationError } from 'n8n-workflow';

import type { VeeamContext, VeeamRequest } from '../transport';
import { unlessNotFound } from './common';
import { readAllPages, type Page } from './paging';
import { isUuid } from '../ids';

export const AUTHORIZATION_EVENT_STATES = ['Pending', 'Approved', 'Rejected', 'Expired', 'Info', 'CockpitMessage'] as const;
export type AuthorizationEventState = (typeof AUTHORIZATION_EVENT_STATES)[number];

export interface AuthorizationEvent {
	id: string;
	name: string;
	description: string;
	state: AuthorizationEventState;
	createdBy: string;
	creationTime: string;
	expirationTime?: string;
	processedBy?: string;
	processedTime?: string;
}

export interface AuthorizationEventFilter {
	states?: AuthorizationEventState[];
	createdBy?: string;
	/** ISO date-times. */
	createdAfter?: string;
	createdBefore?: string;
	processedAfter?: string;
	/** VBR's `nameFilter`: `*` wildcards, matched against every field of the event. */
	pattern?: string;
}

export interface AuthorizationEvents {
	/** Every matching event (or the first `limit`), oldest first. */
	list(filter?: AuthorizationEventFilter, limit?: number): Promise<AuthorizationEvent[]>;
	get(id: string): Promise<AuthorizationEvent | undefined>;
	/**
	 * The Pending requests (of `createdBy`, when given) as they stood before this execution changed
	 * anything: read at the first call, then the same answer for every later call of the execution
	 * (one read, however many items). `onlyIfRead`: never read, only what an earlier call read.
	 */
	pendingBefore(createdBy?: string, onlyIfRead?: boolean): Promise<PendingBefore | undefined>;
}

/** What `pendingBefore` read, and when (this machine's clock, before the read was sent). */
export interface PendingBefore {
	/** Undefined: they could not be read (an account without the right, a proxy refusing). */
	events?: AuthorizationEvent[];
	readAt: number;
}

const EVENTS = '/api/v1/authorization/events';

type EventModel = Partial<Record<keyof AuthorizationEvent, unknown>>;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export class VbrAuthorizationEvents implements AuthorizationEvents {
	/** The first `pendingBefore` read of this execution (the adapter lives for one execution). */
	private before?: Promise<PendingBefore>;

	constructor(
		private readonly ctx: VeeamContext,
		private readonly call: <T>(req: VeeamRequest) => Promise<T>,
	) {}

	private event(model: EventModel, where: string): AuthorizationEvent {
		const id = text(model.id);
		const state = text(model.state) as AuthorizationEventState | undefined;
		if (!id || !isUuid(id) || !state || !AUTHORIZATION_EVENT_STATES.includes(state)) {
			throw new NodeOperationError(this.ctx.getNode(), `Veeam answered ${where} with an authorization event without a valid ID and state`, {
				description: 'The node does not use such an answer. Check the Veeam server (or what stands in front of it).',
			});
		}
		const event: AuthorizationEvent = {
			id: id.toLowerCase(),
			name: text(model.name) ?? '',
			description: text(model.description) ?? '',
			state,
			createdBy: text(model.createdBy) ?? '',
			creationTime: text(model.creationTime) ?? '',
		};
		for (const field of ['expirationTime', 'processedBy', 'processedTime'] as const) {
			const value = text(model[field]);
			if (value) event[field] = value;
		}
		return event;
	}

	async list(filter: AuthorizationEventFilter = {}, limit?: number): Promise<AuthorizationEvent[]> {
		const qs: NonNullable<VeeamRequest['qs']> = { orderColumn: 'CreationTime', orderAsc: true };
		if (filter.states?.length) qs.stateFilter = filter.states;
		if (filter.createdBy) qs.createdByFilter = filter.createdBy;
		if (filter.createdAfter) qs.createdAfterFilter = filter.createdAfter;
		if (filter.createdBefore) qs.createdBeforeFilter = filter.createdBefore;
		if (filter.processedAfter) qs.processedAfterFilter = filter.processedAfter;
		if (filter.pattern) qs.nameFilter = filter.pattern;
		const fetchPage = async (skip: number, size: number): Promise<Page<AuthorizationEvent>> => {
			const res = await this.call<{ data?: EventModel[]; pagination?: { total?: number } }>({ method: 'GET', path: EVENTS, qs: { ...qs, skip, limit: size } });
			return { items: (res.data ?? []).map((m) => this.event(m, `GET ${EVENTS}`)), total: res.pagination?.total };
		};
		const events = await readAllPages(fetchPage, (e) => e.id, { node: this.ctx.getNode(), what: 'authorization events', cap: limit });
		return [...events.values()];
	}

	async pendingBefore(createdBy?: string, onlyIfRead = false): Promise<PendingBefore | undefined> {
		if (onlyIfRead && !this.before) return undefined;
		this.before ??= (async () => {
			const readAt = Date.now();
			try {
				return { events: await this.list({ states: ['Pending'], createdBy }), readAt };
			} catch {
				// Not readable: the changes go ahead unchecked, and reading back after them says what the
				// server shows (confirm.ts).
				return { readAt };
			}
		})();
		return await this.before;
	}

	async get(id: string): Promise<AuthorizationEvent | undefined> {
		if (!isUuid(id)) throw new NodeOperationError(this.ctx.getNode(), `"${id}" is not an authorization event ID (a UUID)`);
		const model = await unlessNotFound(this.call<EventModel>({ method: 'GET', path: `${EVENTS}/${encodeURIComponent(id)}` }), id);
		if (model === undefined) return undefined;
		const event = this.event(model, `GET ${EVENTS}/{id}`);
		if (event.id !== id.toLowerCase()) throw new NodeOperationError(this.ctx.getNode(), `Veeam answered GET ${EVENTS}/${id} with another event (${event.id})`);
		return event;
	}
}

/** Whether `text` names `name` itself, not a longer name that starts with it (TECH\\jane, not TECH\\jane.doe): how an event's free text is matched to a user. */
export function mentions(text: string, name: string): boolean {
	const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	return new RegExp(`(^|[^\\w.\\\\-])${escaped}(?![\\w.-])`, 'i').test(text);
}

/**
 * Matching authorization events to user changes. Veeam documents the events' fields and states
 * (the REST reference), not their wording: a server may name the user in the event's `name` (as
 * its syslog words operations: `Delete backup <Name>`), in its `description`, or nowhere. So a
 * request is matched by what is documented (Pending, created by this account, new since the
 * change) and by the user's name wherever it appears; the output says which (`matchedBy`).
 */

/** The kinds of user change four-eyes holds (Veeam's guide: add, update, delete users; reset MFA). */
export type ChangeKind = 'create' | 'delete' | 'roles' | 'serviceAccount' | 'mfa';

const KIND_WORDS: Record<ChangeKind, RegExp> = {
	create: /\b(add|creat)/i,
	delete: /\b(delet|remov)/i,
	roles: /\brole/i,
	serviceAccount: /\b(service[ -]account|setting)/i,
	mfa: /\b(mfa|multi-factor)/i,
};

function kindsIn(text: string): Set<ChangeKind> {
	return new Set((Object.keys(KIND_WORDS) as ChangeKind[]).filter((k) => KIND_WORDS[k].test(text)));
}

/** The kinds of change an event's words say (its name first; its description when the name says none). Empty: not discernible. */
export function eventKinds(event: Pick<AuthorizationEvent, 'name' | 'description'>): Set<ChangeKind> {
	const byName = kindsIn(event.name);
	return byName.size ? byName : kindsIn(event.description);
}

/** Where an event names the user: its `name`, its `description`, or nowhere. */
export function namedIn(event: Pick<AuthorizationEvent, 'name' | 'description'>, user: string): 'name' | 'description' | undefined {
	if (mentions(event.name, user)) return 'name';
	if (mentions(event.description, user)) return 'description';
	return undefined;
}

export type MatchedBy = 'name' | 'description' | 'onlyPendingRequestSinceChange';

export type RequestMatch = { event: AuthorizationEvent; matchedBy: MatchedBy } | { ambiguous: AuthorizationEvent[] };

export interface ChangeToMatch {
	/** The user's name as the server lists it. */
	name: string;
	kind?: ChangeKind;
}

const newestFirst = (a: AuthorizationEvent, b: AuthorizationEvent) => Date.parse(b.creationTime) - Date.parse(a.creationTime);

/**
 * The request that names `name` for a change of `kind` (newest first). `strictKind`: the event's
 * words must say that kind (a request held before this execution: only then is it the same change);
 * otherwise an event whose kind is not discernible may be it too.
 */
export function requestNaming(events: AuthorizationEvent[], name: string, kind: ChangeKind | undefined, strictKind: boolean): { event: AuthorizationEvent; matchedBy: 'name' | 'description' } | undefined {
	const fits = (e: AuthorizationEvent) => {
		const kinds = eventKinds(e);
		if (!kind) return !strictKind;
		return kinds.has(kind) || (!strictKind && kinds.size === 0);
	};
	for (const e of [...events].sort(newestFirst)) {
		const where = namedIn(e, name);
		if (where && fits(e)) return { event: e, matchedBy: where };
	}
	return undefined;
}

/**
 * The request each change waits for, by index of `changes` (absent: none). First the events that
 * name the user (in `name` or `description`); then, for a change no event names, the events that
 * are new since the change (`isNew`), name none of this execution's users (`knownNames`) and do not
 * say another kind: when exactly one such event could be this change and it could be no other
 * unmatched change, it is `onlyPendingRequestSinceChange`; several: `ambiguous` (never a guess).
 * `exact`: `isNew` knows which events are new (the read before the change); without it (a window
 * of creation times) a single candidate is only "could be": `ambiguous` too.
 */
export function matchRequests(
	changes: ChangeToMatch[],
	events: AuthorizationEvent[],
	isNew: (event: AuthorizationEvent) => boolean,
	knownNames: string[] = changes.map((c) => c.name),
	exact = true,
): Map<number, RequestMatch> {
	const result = new Map<number, RequestMatch>();
	const taken = new Set<string>();
	for (const [i, change] of changes.entries()) {
		const named = requestNaming(events, change.name, change.kind, false);
		if (named) {
			result.set(i, named);
			taken.add(named.event.id);
		}
	}
	const namesAnyone = (e: AuthorizationEvent) => knownNames.some((n) => namedIn(e, n) !== undefined);
	const free = events.filter((e) => !taken.has(e.id) && isNew(e) && !namesAnyone(e));
	const fits = (e: AuthorizationEvent, change: ChangeToMatch) => {
		const kinds = eventKinds(e);
		return kinds.size === 0 || (change.kind !== undefined && kinds.has(change.kind));
	};
	const open = changes.map((c, i) => ({ c, i })).filter(({ i }) => !result.has(i));
	for (const { c, i } of open) {
		const candidates = free.filter((e) => fits(e, c));
		if (candidates.length === 0) continue;
		const rivals = open.filter((o) => o.i !== i && candidates.some((e) => fits(e, o.c)));
		result.set(i, exact && candidates.length === 1 && rivals.length === 0 ? { event: candidates[0], matchedBy: 'onlyPendingRequestSinceChange' } : { ambiguous: candidates.sort(newestFirst) });
	}
	return result;
}
