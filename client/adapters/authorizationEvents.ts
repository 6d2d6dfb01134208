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
}

const EVENTS = '/api/v1/authorization/events';

type EventModel = Partial<Record<keyof AuthorizationEvent, unknown>>;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export class VbrAuthorizationEvents implements AuthorizationEvents {
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
