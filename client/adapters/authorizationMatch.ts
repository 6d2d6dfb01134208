/**
 * Matching authorization events to user changes. Veeam documents the events' fields and states
 * (the REST reference), not their wording for user changes. The one wording it publishes is the
 * event reference's (event 42402, "Four-Eyes Authorization Request Created"): "`<Operation>` event
 * has been initiated by `<UserName>` and requires an additional approval", with operations such as
 * "Delete backup `<Name>`" or "Other operations". So a request is matched by what is documented
 * (Pending, created by this account, new since the change) and by the user's name wherever it
 * appears (never the requester's own name in that template); the output says which (`matchedBy`).
 */
import type { AuthorizationEvent } from './authorizationEvents';

/** The kinds of user change four-eyes holds (Veeam's guide: add, update, delete users; reset MFA). */
export type ChangeKind = 'create' | 'delete' | 'roles' | 'serviceAccount' | 'mfa';

/** Characters a user or group name may go on with: a name ends only where none of these follows. */
const NAME_CHAR = "[\\p{L}\\p{N}\\p{M}_.$'+@\\\\ -]";
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether `text` names `name` itself, not a longer name that starts with it (TECH\\jane, not
 * TECH\\jane.doe, TECH\\jane doe, TECH\\josé for TECH\\jos, TECH\\svc$ for TECH\\svc): the name must
 * end where no name character (letters of any script, digits, `_ . $ ' + @ \\ -` and space) follows
 * (a period only when more text follows it: "User TECH\\jane." names TECH\\jane).
 */
export function mentions(text: string, name: string): boolean {
	if (name === '') return false;
	// A period ends a sentence, not a name, when nothing follows it (Windows names never end in one).
	const after = `(?!${NAME_CHAR.replace('.', '')})(?!\\.\\S)`;
	return new RegExp(`(?<!${NAME_CHAR.replace(' -]', '-]')})${escape(name)}${after}`, 'iu').test(text);
}

/** The 4240x template's tail ("… event has been initiated by X and requires an additional approval"): about the requester, not the change. */
const TEMPLATE_TAIL = /\s*\bevent\s+(?:has\s+been\s+)?initiated\s+by\b[\s\S]*$/i;

/** An event's text without the template's tail and without the requester's own name. */
function ownWords(text: string, createdBy: string): string {
	const stripped = text.replace(TEMPLATE_TAIL, '');
	return createdBy ? stripped.replace(new RegExp(escape(createdBy), 'giu'), ' ') : stripped;
}

const KIND_WORDS: Record<ChangeKind, RegExp> = {
	create: /\b(add|adds|added|adding|create|creates|created|creating|creation)\b/i,
	delete: /\b(delete|deletes|deleted|deleting|deletion|remove|removes|removed|removing|removal)\b/i,
	roles: /\broles?\b/i,
	serviceAccount: /\b(service[ -]?accounts?|user settings?)\b/i,
	mfa: /\b(mfa|multi-factor|multifactor)\b/i,
};
/** A change to a user without saying which (Veeam's guide: "Add, update and delete users"). */
const UPDATE_WORDS = /\b(update|updates|updated|updating|edit|edited|modify|modified|change|changes|changed)\b/i;
/**
 * Words of requests about something else than a user, as Veeam's operations word them ("Delete
 * backup `<Name>`", "Update repository `<Name>`", "Update Veeam Backup & Replication security
 * settings", "Encryption password disclosure"): an object right after the verb, or a subject no
 * user change has. (Not a bare "backup": role names say "Backup Operator".)
 */
const OTHER_OBJECTS = [
	/\b(encryption|security settings|repositor(y|ies)|malware|immutab\w*|logoff|for all users|four[- ]?eyes authorization (settings|has been (enabled|disabled)))\b/i,
	/\b(add|create|delete|remove|update|change|modify|edit|disclos)\w*\s+(the\s+)?(backups?|storages?|jobs?|tapes?|restore points?|credentials?|objects?|vms?|files?|passwords?)\b/i,
];
/** A principal written `DOMAIN\name` or `name@domain`. */
const PRINCIPAL = /[\p{L}\p{N}_.-]+\\[\p{L}\p{N}_.$'-]+|[\p{L}\p{N}_.'+-]+@[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)+/u;

function kindsIn(text: string): Set<ChangeKind> {
	return new Set((Object.keys(KIND_WORDS) as ChangeKind[]).filter((k) => KIND_WORDS[k].test(text)));
}

type Words = Pick<AuthorizationEvent, 'name' | 'description'> & Partial<Pick<AuthorizationEvent, 'createdBy'>>;

/** The kinds of change an event's words say (its name first; its description when the name says none). Empty: not discernible. */
export function eventKinds(event: Words): Set<ChangeKind> {
	const byName = kindsIn(ownWords(event.name, event.createdBy ?? ''));
	return byName.size ? byName : kindsIn(ownWords(event.description, event.createdBy ?? ''));
}

/** Whether the event's words say it is about something else than a user (a backup, encryption, settings). */
export function aboutOtherObject(event: Words): boolean {
	// Principals left out first (a group may be called "TECH\\Backup Operators").
	const texts = [event.name, event.description].map((t) => ownWords(t, event.createdBy ?? '').replace(new RegExp(PRINCIPAL.source, 'gu'), ' '));
	return texts.some((t) => OTHER_OBJECTS.some((re) => re.test(t)));
}

/**
 * How an event's words fit a change of `kind`: `yes` when they say that kind; `maybe` when they say
 * no kind (or only "update", for a change of roles, service account mode or MFA); `no` when they
 * say another kind, or another object than a user.
 */
export function kindFit(event: Words, kind: ChangeKind | undefined): 'yes' | 'maybe' | 'no' {
	if (aboutOtherObject(event)) return 'no';
	const kinds = eventKinds(event);
	if (kinds.size) return kind && kinds.has(kind) ? 'yes' : 'no';
	const text = `${ownWords(event.name, event.createdBy ?? '')} ${ownWords(event.description, event.createdBy ?? '')}`;
	if (UPDATE_WORDS.test(text)) return kind === 'create' || kind === 'delete' ? 'no' : 'maybe';
	return 'maybe';
}

/** Where an event names the user (never counting the requester's own name in it): its `name`, its `description`, or nowhere. */
export function namedIn(event: Words, user: string): 'name' | 'description' | undefined {
	if (mentions(ownWords(event.name, event.createdBy ?? ''), user)) return 'name';
	if (mentions(ownWords(event.description, event.createdBy ?? ''), user)) return 'description';
	return undefined;
}

/** Whether an event names a principal (`DOMAIN\\name`, `name@domain`) other than the requester: a request about someone. */
export function namesSomeone(event: Words): boolean {
	return PRINCIPAL.test(ownWords(event.name, event.createdBy ?? '')) || PRINCIPAL.test(ownWords(event.description, event.createdBy ?? ''));
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
 * The request that names `name` for a change of `kind` (newest first; `skip`: events already taken
 * by other changes). `strictKind`: the event's words must say that kind (a request held before this
 * execution: only then is it the same change); otherwise words that say no kind may be it too.
 */
export function requestNaming(
	events: AuthorizationEvent[],
	name: string,
	kind: ChangeKind | undefined,
	strictKind: boolean,
	skip: ReadonlySet<string> = new Set(),
): { event: AuthorizationEvent; matchedBy: 'name' | 'description' } | undefined {
	for (const e of [...events].sort(newestFirst)) {
		if (skip.has(e.id)) continue;
		const fit = kindFit(e, kind);
		if (fit === 'no' || (strictKind && fit !== 'yes')) continue;
		const where = namedIn(e, name);
		if (where) return { event: e, matchedBy: where };
	}
	return undefined;
}

/**
 * The request each change waits for, by index of `changes` (absent: none). First the events that
 * name the user (in `name` or `description`; two changes of one user take two requests when there
 * are two); then, for a change no event names, the events that are new since the change (`isNew`),
 * name nobody, are about a user and do not say another kind: when exactly one such event could be
 * this change and it could be no other unmatched change, it is `onlyPendingRequestSinceChange`;
 * several: `ambiguous` (never a guess). `ambiguous` too when some new request of this account is
 * explained by none of the changes (another execution with the same account is filing requests),
 * and when `exact` is false (`isNew` is a window of creation times, not the read before the change).
 */
export function matchRequests(changes: ChangeToMatch[], events: AuthorizationEvent[], isNew: (event: AuthorizationEvent) => boolean, exact = true): Map<number, RequestMatch> {
	const result = new Map<number, RequestMatch>();
	const taken = new Set<string>();
	for (const [i, change] of changes.entries()) {
		const named = requestNaming(events, change.name, change.kind, false, taken) ?? requestNaming(events, change.name, change.kind, false);
		if (named) {
			result.set(i, named);
			taken.add(named.event.id);
		}
	}
	const fresh = events.filter((e) => !taken.has(e.id) && isNew(e));
	const free = fresh.filter((e) => !namesSomeone(e) && !aboutOtherObject(e));
	const fits = (e: AuthorizationEvent, change: ChangeToMatch) => kindFit(e, change.kind) !== 'no';
	const open = changes.map((c, i) => ({ c, i })).filter(({ i }) => !result.has(i));
	// A new request no change of this execution can be: someone else files requests with this account.
	const stranger = fresh.some((e) => !open.some(({ c }) => free.includes(e) && fits(e, c)));
	for (const { c, i } of open) {
		const candidates = free.filter((e) => fits(e, c));
		if (candidates.length === 0) continue;
		const rivals = open.filter((o) => o.i !== i && candidates.some((e) => fits(e, o.c)));
		const sure = exact && !stranger && candidates.length === 1 && rivals.length === 0;
		result.set(i, sure ? { event: candidates[0], matchedBy: 'onlyPendingRequestSinceChange' } : { ambiguous: candidates.sort(newestFirst) });
	}
	return result;
}

const firstLabel = (domain: string) => domain.split('.')[0];

/**
 * Whether `createdBy` (an event's requester, "User that initiated the event") is the credential's
 * `login`. VBR writes accounts `DOMAIN\\name` (Veeam's examples: `TECH\\Administrator`); a login
 * may be `DOMAIN\\name`, `name@dns.domain` or a bare name. Same name, and a domain that is the same
 * or the same first label (`VBR01` and `vbr01.tech.local`, `TECH` and `tech.local`), case ignored.
 * A bare login is strict: only a bare `createdBy` equal to it (any `X\\name` may be another
 * domain's account of that name; `bareLoginNote` says so).
 */
export function sameAccount(login: string, createdBy: string): boolean {
	const parse = (s: string): { name: string; domain?: string } => {
		const v = s.trim().toLowerCase();
		const slash = v.lastIndexOf('\\');
		if (slash >= 0) return { domain: v.slice(0, slash), name: v.slice(slash + 1) };
		const at = v.lastIndexOf('@');
		if (at > 0) return { name: v.slice(0, at), domain: v.slice(at + 1) };
		return { name: v };
	};
	const a = parse(login);
	const b = parse(createdBy);
	if (a.name === '' || a.name !== b.name) return false;
	if (a.domain === undefined || b.domain === undefined) return a.domain === b.domain;
	return a.domain === b.domain || firstLabel(a.domain) === firstLabel(b.domain);
}

/** For a login without a domain whose name some requester carries with one: why such requests are not taken as this account's. */
export function bareLoginNote(login: string, requesters: string[]): string | undefined {
	const name = login.trim().toLowerCase();
	if (name === '' || /[\\@]/.test(name)) return undefined;
	const others = [...new Set(requesters.filter((r) => r.toLowerCase().endsWith(`\\${name}`)))];
	if (others.length === 0) return undefined;
	return `The credential's user name "${login.trim()}" has no domain, so requests of ${others.map((o) => `"${o}"`).join(', ')} are not taken as this account's (another domain may have an account of that name): write the user name as DOMAIN\\name to have them recognised.`;
}
