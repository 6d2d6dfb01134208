/**
 * VBR authorization events (`GET /api/v1/authorization/events[/{id}]`, API 1.3-rev1 and later):
 * approved, rejected, expired and pending four-eyes requests, and Info events about users, roles and
 * security settings. Read-only: approving happens in the Veeam console.
 *
 * Veeam's model (`AuthorizationEventModel`) requires no field, and its states have grown between
 * revisions (1.3-rev0 had no `CockpitMessage`). So one odd event never fails a read: an event
 * without an ID (a UUID) cannot be told from others and is left out; any other field missing is
 * empty, and a state the node does not know is kept as the server wrote it.
 */
import { NodeOperationError } from 'n8n-workflow';

import type { VeeamContext, VeeamRequest } from '../transport';
import { unlessNotFound } from './common';
import { readAllPages, type Page } from './paging';
import { isUuid } from '../ids';
import { sameAccount } from './authorizationMatch';

export const AUTHORIZATION_EVENT_STATES = ['Pending', 'Approved', 'Rejected', 'Expired', 'Info', 'CockpitMessage'] as const;
export type KnownAuthorizationEventState = (typeof AUTHORIZATION_EVENT_STATES)[number];
/** A known state, or what the server wrote (a state of a later revision). */
export type AuthorizationEventState = KnownAuthorizationEventState | (string & Record<never, never>);

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

/** `*` any run of characters over a whole field; without `*`, any field containing the text (case ignored). */
function patternTest(pattern: string): (value: string) => boolean {
	if (!pattern.includes('*')) {
		const text = pattern.toLowerCase();
		return (value) => value.toLowerCase().includes(text);
	}
	const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'is');
	return (value) => re.test(value);
}

/** Get Many's *Created By*: the account (sameAccount), or, written without a domain, that name in any domain (a filter, not an identity). */
function createdByHolds(wanted: string, createdBy: string): boolean {
	if (sameAccount(wanted, createdBy)) return true;
	const name = wanted.trim().toLowerCase();
	return !/[\\@]/.test(name) && createdBy.toLowerCase().endsWith(`\\${name}`);
}

/**
 * The filter as a test of one event, on our side: a filter holds whatever the server does with it
 * (a server, or what stands in front of it, may ignore a parameter). Times compared as instants;
 * `createdBy` as an account (sameAccount: case, FQDN or NetBIOS domain); the pattern over the fields
 * Veeam's "any authorization event parameter" covers.
 */
export function eventFilterTest(filter: AuthorizationEventFilter): (event: AuthorizationEvent) => boolean {
	const after = (t: string | undefined, bound: string | undefined) => bound === undefined || (t !== undefined && Date.parse(t) > Date.parse(bound));
	const before = (t: string | undefined, bound: string | undefined) => bound === undefined || (t !== undefined && Date.parse(t) < Date.parse(bound));
	const pattern = filter.pattern ? patternTest(filter.pattern) : undefined;
	return (e) =>
		(!filter.states?.length || filter.states.includes(e.state)) &&
		(!filter.createdBy || createdByHolds(filter.createdBy, e.createdBy)) &&
		after(e.creationTime, filter.createdAfter) &&
		before(e.creationTime, filter.createdBefore) &&
		after(e.processedTime, filter.processedAfter) &&
		(!pattern || [e.id, e.name, e.description, e.state, e.createdBy, e.processedBy ?? ''].some((v) => pattern(v)));
}

export interface AuthorizationEvents {
	/** Every matching event (or the first `limit`), oldest first. */
	list(filter?: AuthorizationEventFilter, limit?: number): Promise<AuthorizationEvent[]>;
	get(id: string): Promise<AuthorizationEvent | undefined>;
	/**
	 * The Pending requests (of every account: the caller picks its own, sameAccount) as they stood
	 * before this execution changed anything: read at the first call, then the same answer for every
	 * later call of the execution (one read, however many items). `onlyIfRead`: never read, only
	 * what an earlier call read.
	 */
	pendingBefore(onlyIfRead?: boolean): Promise<PendingBefore | undefined>;
	/**
	 * For a change about `key` (a user and kind): the read before the execution's changes the first
	 * time `key` is asked; a fresh read when it was asked before in this execution (an earlier item
	 * about the same user may have filed a request since).
	 */
	pendingFor(key: string): Promise<PendingBefore | undefined>;
}

/** What `pendingBefore` read, and when (this machine's clock, before the read was sent). */
export interface PendingBefore {
	/** Undefined: they could not be read (an account without the right, a proxy refusing). */
	events?: AuthorizationEvent[];
	readAt: number;
}

const EVENTS = '/api/v1/authorization/events';
const UNUSABLE: AuthorizationEvent = { id: '', name: '', description: '', state: '', createdBy: '', creationTime: '' };

type EventModel = Partial<Record<keyof AuthorizationEvent, unknown>>;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export class VbrAuthorizationEvents implements AuthorizationEvents {
	/** The first `pendingBefore` read of this execution (the adapter lives for one execution). */
	private before?: Promise<PendingBefore>;
	/** The keys `pendingFor` was asked about in this execution. */
	private readonly asked = new Set<string>();

	constructor(
		private readonly ctx: VeeamContext,
		private readonly call: <T>(req: VeeamRequest) => Promise<T>,
	) {}

	/** The event, or undefined for one without a UUID ID (it cannot be told from others). */
	private event(model: EventModel | null | undefined): AuthorizationEvent | undefined {
		if (!model || typeof model !== 'object') return undefined;
		const id = text(model.id);
		if (!id || !isUuid(id)) return undefined;
		const event: AuthorizationEvent = {
			id: id.toLowerCase(),
			name: text(model.name) ?? '',
			description: text(model.description) ?? '',
			state: text(model.state) ?? '',
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
		const holds = eventFilterTest(filter);
		const qs: NonNullable<VeeamRequest['qs']> = { orderColumn: 'CreationTime', orderAsc: true };
		if (filter.states?.length) qs.stateFilter = filter.states;
		if (filter.createdBy) qs.createdByFilter = filter.createdBy;
		if (filter.createdAfter) qs.createdAfterFilter = filter.createdAfter;
		if (filter.createdBefore) qs.createdBeforeFilter = filter.createdBefore;
		if (filter.processedAfter) qs.processedAfterFilter = filter.processedAfter;
		if (filter.pattern) qs.nameFilter = filter.pattern;
		const fetchPage = async (skip: number, size: number): Promise<Page<AuthorizationEvent>> => {
			const res = await this.call<{ data?: EventModel[]; pagination?: { total?: number } }>({ method: 'GET', path: EVENTS, qs: { ...qs, skip, limit: size } });
			const models = Array.isArray(res.data) ? res.data : [];
			// An event without an ID keeps its place (the next page starts after it) under a key of its own.
			return { items: models.map((m, i) => this.event(m) ?? { ...UNUSABLE, id: `#${skip + i}` }), total: res.pagination?.total };
		};
		const usable = (e: AuthorizationEvent) => !e.id.startsWith('#') && holds(e);
		const events = await readAllPages(fetchPage, (e) => e.id, { node: this.ctx.getNode(), what: 'authorization events', cap: limit, counts: usable });
		const found = [...events.values()].filter(usable);
		return limit === undefined ? found : found.slice(0, limit);
	}

	/** The Pending requests now, or only when they were read (`readAt`) when they cannot be read. */
	private async readPending(): Promise<PendingBefore> {
		const readAt = Date.now();
		try {
			// Every account's: `createdByFilter` is not sent (the form and case VBR compares it in are not
			// documented); the caller picks its own account's requests (sameAccount).
			return { events: await this.list({ states: ['Pending'] }), readAt };
		} catch {
			// Not readable: the changes go ahead unchecked, and reading back after them says what the
			// server shows (confirm.ts).
			return { readAt };
		}
	}

	async pendingBefore(onlyIfRead = false): Promise<PendingBefore | undefined> {
		if (onlyIfRead && !this.before) return undefined;
		this.before ??= this.readPending();
		return await this.before;
	}

	async pendingFor(key: string): Promise<PendingBefore | undefined> {
		const again = this.asked.has(key);
		this.asked.add(key);
		const before = await this.pendingBefore();
		return again ? await this.readPending() : before;
	}

	async get(id: string): Promise<AuthorizationEvent | undefined> {
		if (!isUuid(id)) throw new NodeOperationError(this.ctx.getNode(), `"${id}" is not an authorization event ID (a UUID)`);
		const model = await unlessNotFound(this.call<EventModel>({ method: 'GET', path: `${EVENTS}/${encodeURIComponent(id)}` }), id);
		if (model === undefined) return undefined;
		const event = this.event(model);
		if (!event) throw new NodeOperationError(this.ctx.getNode(), `Veeam answered GET ${EVENTS}/${id} with an event without an ID`);
		if (event.id !== id.toLowerCase()) throw new NodeOperationError(this.ctx.getNode(), `Veeam answered GET ${EVENTS}/${id} with another event (${event.id})`);
		return event;
	}
}

export { aboutOtherObject, bareLoginNote, eventKinds, kindFit, matchRequests, mentions, namedIn, namesSomeone, requestNaming, sameAccount } from './authorizationMatch';
export type { ChangeKind, ChangeToMatch, MatchedBy, RequestMatch } from './authorizationMatch';
