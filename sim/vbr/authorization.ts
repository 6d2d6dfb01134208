import { randomUUID } from 'node:crypto';

import type { SimClock } from '../core/clock';
import { badRequest, boolParam, intParam, notFound, SimHttpError, wildcardMatcher, type SimRequest, type SimResponse } from '../core/http';
import { enumParam, ok, UUID } from './model';

/**
 * VBR 13's authorization events (`GET /api/v1/authorization/events[/{id}]`, API 1.3-rev1 and
 * rev2; `vbr-1.3-rev*.authorization-events.openapi.json`) and four-eyes authorization.
 *
 * Documented by Veeam (help center, "Four-Eyes Authorization", "Authorization Events"): events cover
 * approved and rejected requests, changed four-eyes settings, changed settings of users and groups,
 * assigned roles, added or deleted users and groups; each has a state (Pending, Approved, Rejected,
 * Expired, Info, CockpitMessage), who created and processed it and when, and an expiry. With
 * four-eyes on, adding, changing or deleting users and groups (and MFA settings) waits for a second
 * Backup or Security Administrator; the creator cannot approve; a request not processed within its
 * validity period (1–30 days, default 7) expires. Approval happens in the console, not over REST.
 *
 * Veeam's guide also says that while four-eyes is on, delete operations cannot be performed
 * through the REST API: a DELETE is refused (`refuseDelete`), unless `deletes` is `hold`.
 *
 * Our assumptions (Veeam documents none of them; see sim/contracts/vbr-authorization.md):
 * - the REST answer to a held change is the answer the change would get if done (201 with the new
 *   user, 200 with the new roles, 204): the worst case for a client that trusts the answer;
 * - the wording of the events (`wording`): `description` (the default) — `name` says what was asked
 *   ("Add user", "Delete user", "Change user roles", …) and `description` names the user
 *   (`User TECH\jane.doe: …`); `name` — the user in the event's name, as VBR's syslog words
 *   operations (`Add user TECH\jane.doe`), and a description naming nobody; `none` — nobody named;
 *   `syslog` — Veeam's published wording (event reference 42402): `name` the operation, "Other
 *   operations" (user changes have no operation of their own), `description` "Other operations event
 *   has been initiated by <requester> and requires an additional approval."; `syslogNamed` — the same
 *   template with the operation "Add user <Name>", "Delete user <Name>" or "Update user <Name>";
 * - the refusal of a DELETE: 403 `AccessDenied` with the message below;
 * - `createdBy` is the account as VBR lists it (`VBR01\svc-n8n`); `createdByDomain` writes it with
 *   another domain (`vbr01.tech.local\svc-n8n`), a form Veeam's reference neither promises nor rules out.
 */
export const EVENT_STATES = ['Pending', 'Approved', 'Rejected', 'Expired', 'Info', 'CockpitMessage'] as const;
export type EventState = (typeof EVENT_STATES)[number];
const ORDER_COLUMNS = ['Name', 'State', 'CreationTime', 'ProcessedTime', 'ExpirationTime', 'Description', 'InitiatedBy', 'ProcessedBy'] as const;

export interface AuthEvent {
	id: string;
	name: string;
	description: string;
	state: EventState;
	creationTime: number;
	createdBy: string;
	expirationTime?: number;
	processedBy?: string;
	processedTime?: number;
}

/** What a change is, for its event: the event's name and description (as the `description` wording words them). */
export interface ChangeNote {
	name: string;
	description: string;
}

/** How events word a change (our assumption, see above): where the user's name appears. */
export const EVENT_WORDINGS = ['description', 'name', 'none', 'syslog', 'syslogNamed'] as const;
export type EventWording = (typeof EVENT_WORDINGS)[number];
/** What a DELETE gets while four-eyes is on: refused (Veeam's guide), or held like other changes. */
export const DELETE_ANSWERS = ['refuse', 'hold'] as const;
export type DeleteAnswer = (typeof DELETE_ANSWERS)[number];

/** The refusal's wording (assumed; the status and errorCode from Veeam's error model). */
export const DELETE_REFUSED = 'Four-eyes authorization is enabled: delete operations cannot be performed through the REST API. Use the Veeam Backup & Replication console.';

/** A change's description in the `description` wording starts with the user: `User TECH\jane: …`. */
const SUBJECT = /^(User|Group) (.+?): /;

const DAY_MS = 24 * 60 * 60 * 1000;

export class VbrAuthorization {
	private events: AuthEvent[] = [];
	private readonly held = new Map<string, () => void>();
	fourEyes = false;
	validityDays = 7;
	wording: EventWording = 'description';
	deletes: DeleteAnswer = 'refuse';
	/** Written instead of the requester's own domain in `createdBy` (undefined: as VBR lists the account). */
	createdByDomain?: string;

	constructor(private readonly clock: SimClock) {}

	reset(): void {
		this.events = [];
		this.held.clear();
		this.fourEyes = false;
		this.validityDays = 7;
		this.wording = 'description';
		this.deletes = 'refuse';
		this.createdByDomain = undefined;
	}

	/** The simulator's choices where Veeam documents nothing: the events' wording, and what a DELETE gets under four-eyes. */
	configure(options: { wording?: unknown; deletes?: unknown }): void {
		if (options.wording !== undefined) {
			if (!EVENT_WORDINGS.includes(options.wording as EventWording)) throw new Error(`wording must be one of ${EVENT_WORDINGS.join(', ')}`);
			this.wording = options.wording as EventWording;
		}
		if (options.deletes !== undefined) {
			if (!DELETE_ANSWERS.includes(options.deletes as DeleteAnswer)) throw new Error(`deletes must be one of ${DELETE_ANSWERS.join(', ')}`);
			this.deletes = options.deletes as DeleteAnswer;
		}
	}

	/** While four-eyes is on, a DELETE over REST is refused (Veeam's guide), unless `deletes` is `hold`. */
	refuseDelete(): void {
		if (this.fourEyes && this.deletes === 'refuse') throw new SimHttpError(403, 'AccessDenied', DELETE_REFUSED);
	}

	/** Turns four-eyes on or off (as a Security Administrator would in the console): an Info event. */
	setFourEyes(enabled: boolean, by: string, validityDays = this.validityDays): void {
		if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > 30) throw new Error('validityDays must be 1 to 30');
		this.fourEyes = enabled;
		this.validityDays = validityDays;
		this.record('Four-eyes authorization settings changed', `Four-eyes authorization ${enabled ? 'enabled' : 'disabled'}; requests expire after ${validityDays} days.`, by, 'Info');
	}

	/**
	 * A change asked by `by`: with four-eyes off it is done now and an Info event records it; with
	 * four-eyes on it waits as a Pending event (and `apply` runs when it is approved).
	 */
	change(note: ChangeNote, account: string, apply: () => void): 'done' | 'held' {
		this.expireDue();
		const by = this.createdByDomain ? account.replace(/^[^\\]*\\/, `${this.createdByDomain}\\`) : account;
		const worded = this.worded(note, this.fourEyes, by);
		if (!this.fourEyes) {
			apply();
			this.record(worded.name, worded.description, by, 'Info');
			return 'done';
		}
		const event = this.record(worded.name, worded.description, by, 'Pending');
		event.expirationTime = event.creationTime + this.validityDays * DAY_MS;
		this.held.set(event.id, apply);
		return 'held';
	}

	/** A change's event in the configured wording. */
	private worded(note: ChangeNote, pending: boolean, by: string): ChangeNote {
		const subject = SUBJECT.exec(note.description)?.[2];
		if (this.wording === 'description' || !subject) return note;
		if (this.wording === 'syslog' || this.wording === 'syslogNamed') {
			// Event 42402's template; the operation of a user change is not documented (assumed).
			const verb = /^Add\b/.test(note.name) ? 'Add' : /^Delete\b/.test(note.name) ? 'Delete' : 'Update';
			const operation = this.wording === 'syslog' ? 'Other operations' : `${verb} user ${subject}`;
			return { name: operation, description: pending ? `${operation} event has been initiated by ${by} and requires an additional approval.` : `${operation} event has been initiated by ${by}.` };
		}
		// Words of Veeam's examples (the 1.3-rev2 reference, the event reference 42402), naming nobody.
		const description = pending ? 'A four-eyes authorization request requires approval by a second administrator' : 'The operation has been performed';
		return { name: this.wording === 'name' ? `${note.name} ${subject}` : note.name, description };
	}

	approve(id: string, by: string): AuthEvent {
		const event = this.pending(id);
		if (event.createdBy.toLowerCase() === by.toLowerCase()) {
			throw new Error(`${by} created the request and cannot approve it`);
		}
		this.held.get(event.id)?.();
		return this.process(event, 'Approved', by);
	}

	reject(id: string, by: string): AuthEvent {
		return this.process(this.pending(id), 'Rejected', by);
	}

	/** Pending requests past their expiry become Expired (checked whenever events are read or added). */
	expireDue(): void {
		const now = this.clock.now();
		for (const event of this.events) {
			if (event.state === 'Pending' && event.expirationTime !== undefined && event.expirationTime <= now) {
				event.state = 'Expired';
				event.processedTime = event.expirationTime;
				this.held.delete(event.id);
			}
		}
	}

	/** All events, oldest first, as the API shows them (for the state dump). */
	dump(): Array<Record<string, unknown>> {
		this.expireDue();
		return this.events.map(model);
	}

	list(req: SimRequest): SimResponse {
		this.expireDue();
		const q = req.query;
		const skip = intParam(q, 'skip', 0, 0);
		const limit = intParam(q, 'limit', 200, 1);
		const orderColumn = enumParam(q, 'orderColumn', ORDER_COLUMNS) ?? 'CreationTime';
		const orderAsc = boolParam(q, 'orderAsc') ?? true;
		const states = q.getAll('stateFilter');
		for (const s of states) if (!EVENT_STATES.includes(s as EventState)) throw badRequest(`Unknown stateFilter value ${s}.`);
		const time = (name: string): number | undefined => {
			const value = q.get(name);
			if (value === null) return undefined;
			const t = Date.parse(value);
			if (!Number.isFinite(t)) throw badRequest(`The ${name} parameter must be a date and time.`);
			return t;
		};
		const createdAfter = time('createdAfterFilter');
		const createdBefore = time('createdBeforeFilter');
		const processedAfter = time('processedAfterFilter');
		const processedBefore = time('processedBeforeFilter');
		const expireAfter = time('expireAfterFilter');
		const expireBefore = time('expireBeforeFilter');
		const nameFilter = q.get('nameFilter');
		// "The pattern can match any authorization event parameter."
		const nameMatch = nameFilter ? wildcardMatcher(nameFilter) : undefined;
		const createdBy = q.get('createdByFilter')?.toLowerCase();
		const processedBy = q.get('processedByFilter')?.toLowerCase();
		const list = this.events.filter(
			(e) =>
				(!states.length || states.includes(e.state)) &&
				(createdAfter === undefined || e.creationTime > createdAfter) &&
				(createdBefore === undefined || e.creationTime < createdBefore) &&
				(processedAfter === undefined || (e.processedTime !== undefined && e.processedTime > processedAfter)) &&
				(processedBefore === undefined || (e.processedTime !== undefined && e.processedTime < processedBefore)) &&
				(expireAfter === undefined || (e.expirationTime !== undefined && e.expirationTime > expireAfter)) &&
				(expireBefore === undefined || (e.expirationTime !== undefined && e.expirationTime < expireBefore)) &&
				(!nameMatch || [e.name, e.description, e.state, e.createdBy, e.processedBy ?? ''].some((v) => nameMatch(v))) &&
				(!createdBy || e.createdBy.toLowerCase() === createdBy) &&
				(!processedBy || (e.processedBy ?? '').toLowerCase() === processedBy),
		);
		const key: Record<(typeof ORDER_COLUMNS)[number], (e: AuthEvent) => string | number> = {
			Name: (e) => e.name,
			State: (e) => e.state,
			CreationTime: (e) => e.creationTime,
			ProcessedTime: (e) => e.processedTime ?? 0,
			ExpirationTime: (e) => e.expirationTime ?? 0,
			Description: (e) => e.description,
			InitiatedBy: (e) => e.createdBy,
			ProcessedBy: (e) => e.processedBy ?? '',
		};
		const by = key[orderColumn];
		// Stable: ties keep the order of creation (and so do pages).
		const sorted = list
			.map((e, i) => ({ e, i }))
			.sort((a, b) => {
				const x = by(a.e);
				const y = by(b.e);
				const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
				return (orderAsc ? c : -c) || a.i - b.i;
			})
			.map(({ e }) => e);
		const page = sorted.slice(skip, skip + limit);
		return ok({ data: page.map(model), pagination: { total: sorted.length, count: page.length, skip, limit } });
	}

	get(req: SimRequest): SimResponse {
		this.expireDue();
		const id = req.params.id.toLowerCase();
		const event = UUID.test(id) ? this.events.find((e) => e.id === id) : undefined;
		if (!event) throw notFound('Resource does not exist', req.params.id);
		return ok(model(event));
	}

	private record(name: string, description: string, by: string, state: EventState): AuthEvent {
		const event: AuthEvent = { id: randomUUID(), name, description, state, creationTime: this.clock.now(), createdBy: by };
		this.events.push(event);
		return event;
	}

	private pending(id: string): AuthEvent {
		this.expireDue();
		const event = this.events.find((e) => e.id === id.toLowerCase());
		if (!event) throw new SimHttpError(404, 'NotFound', `No authorization event ${id}`);
		if (event.state !== 'Pending') throw new Error(`event ${id} is ${event.state}, not Pending`);
		return event;
	}

	private process(event: AuthEvent, state: 'Approved' | 'Rejected', by: string): AuthEvent {
		event.state = state;
		event.processedBy = by;
		event.processedTime = this.clock.now();
		this.held.delete(event.id);
		return event;
	}

	/** The control endpoints of four-eyes (`/__sim/four-eyes`, `/__sim/authorization/approve`, `…/reject`). */
	control(route: string, body: Record<string, unknown>): SimResponse | undefined {
		const by = typeof body.by === 'string' ? body.by : 'VBR01\\admin';
		switch (route) {
			case 'POST /four-eyes':
				if (typeof body.enabled !== 'boolean') throw new Error('enabled must be true or false');
				this.configure(body);
				this.setFourEyes(body.enabled, by, body.validityDays === undefined ? undefined : Number(body.validityDays));
				return ok({ fourEyes: this.fourEyes, validityDays: this.validityDays, wording: this.wording, deletes: this.deletes });
			case 'POST /authorization/approve':
				return ok(this.approve(String(body.id), by));
			case 'POST /authorization/reject':
				return ok(this.reject(String(body.id), by));
			default:
				return undefined;
		}
	}
}

function iso(ms: number | undefined): string | undefined {
	return ms === undefined ? undefined : new Date(ms).toISOString();
}

function model(e: AuthEvent): Record<string, unknown> {
	const out: Record<string, unknown> = {
		id: e.id,
		name: e.name,
		description: e.description,
		state: e.state,
		creationTime: iso(e.creationTime),
		createdBy: e.createdBy,
	};
	if (e.expirationTime !== undefined) out.expirationTime = iso(e.expirationTime);
	if (e.processedBy !== undefined) out.processedBy = e.processedBy;
	if (e.processedTime !== undefined) out.processedTime = iso(e.processedTime);
	return out;
}
