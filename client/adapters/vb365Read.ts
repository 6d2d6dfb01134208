/**
 * Reading Veeam Backup for Microsoft 365's answers (REST v8; the schemas of Cenvora/veeam-365
 * `openapi_schemas/vb365_rest_v8.json`, sim/contracts/vb365.md) into client/vb365Model.ts, and the
 * bodies sent back. Nothing the server sends is taken on trust: a list must be a list of objects,
 * every entry needs its IDs, an operator's or item's `type` must agree with the object it carries;
 * otherwise the answer is refused (a NodeApiError naming the call) and nothing more is sent.
 */
import { NodeApiError, type IDataObject, type INode, type JsonObject } from 'n8n-workflow';

import type { Vb365GroupMember, Vb365Item, Vb365ItemKind, Vb365Operator, Vb365Organization, Vb365Principal, Vb365Role, Vb365RoleType } from '../vb365Model';
import type { Page } from './paging';

/** Every path starts with the version (`/v8/RbacRoles`); the transport puts the credential's in. */
export const V = '/{version}';
export const ORGANIZATIONS = `${V}/Organizations`;
export const RBAC_ROLES = `${V}/RbacRoles`;
/** `limit`: "The maximum supported number of items per page is *10,000*" (every v8 page). */
export const VB365_PAGE_SIZE = 1000;

const PRODUCT = 'Veeam Backup for Microsoft 365';

/** An answer the package cannot use: named, with nothing more sent. */
export function badAnswer(node: INode, call: string, problem: string): NodeApiError {
	const message = `${PRODUCT} answered ${call} ${problem}`;
	const error = new NodeApiError(node, { message } as JsonObject, {
		message,
		description: 'The node does not use an answer of this shape. Nothing more was sent for this item.',
	});
	error.message = message;
	return error;
}

export const isObject = (value: unknown): value is IDataObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const flag = (value: unknown): boolean | undefined => (typeof value === 'boolean' ? value : undefined);
/** A non-empty string ID (organization users', groups', operators' and items' IDs are strings, not UUIDs). */
const idOf = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

/** An object answer (a single resource). */
export function objectAnswer(node: INode, call: string, answer: unknown): IDataObject {
	if (!isObject(answer)) throw badAnswer(node, call, 'without the resource as an object');
	return answer;
}

/** A plain array answer (roles, operators, items): every entry an object, read with `read`. */
export function arrayAnswer<T>(node: INode, call: string, answer: unknown, read: (item: IDataObject) => T): T[] {
	if (!Array.isArray(answer)) throw badAnswer(node, call, 'without its list (an array)');
	return answer.map((item, i) => {
		if (!isObject(item)) throw badAnswer(node, call, `with entry ${i + 1} of its list not an object`);
		return read(item);
	});
}

/**
 * One page (`{ offset, limit, setId, results }`). A plain array is taken as the whole list (v7's
 * GET /Organizations answers one). No total: v8's pages carry none (v7's `totalCount` is not relied on).
 */
export function pageAnswer<T>(node: INode, call: string, answer: unknown, read: (item: IDataObject) => T): Page<T> & { setId?: string; whole: boolean } {
	if (Array.isArray(answer)) return { items: arrayAnswer(node, call, answer, read), whole: true };
	if (!isObject(answer) || !Array.isArray(answer.results)) throw badAnswer(node, call, 'without its list in `results`');
	const items = arrayAnswer(node, call, answer.results, read);
	const setId = typeof answer.setId === 'string' && /^[0-9a-f-]{36}$/i.test(answer.setId) ? answer.setId : undefined;
	return { items, whole: false, ...(setId ? { setId } : {}) };
}

/** `RestOrganizationComposed`. */
export function organizationOf(node: INode, call: string, m: IDataObject): Vb365Organization {
	const id = idOf(m.id);
	const name = text(m.name);
	if (!id || name === undefined) throw badAnswer(node, call, 'with an organization without its id or name');
	return { id: id.toLowerCase(), name, ...(text(m.type) ? { type: text(m.type) } : {}), ...(text(m.officeName) ? { officeName: text(m.officeName) } : {}) };
}

/** The organization user list's `type` (User | Shared | Public) as the RBAC schemas spell it. */
const RBAC_USER_TYPE: Readonly<Record<string, string>> = { user: 'User', shared: 'SharedMailbox', public: 'PublicMailbox', sharedmailbox: 'SharedMailbox', publicmailbox: 'PublicMailbox' };

/** A user or group object (`RESTRbacUser` / `RESTRbacGroup`, or the organization lists' `RESTUser` / `RESTGroup`). */
export function principalOf(node: INode, call: string, kind: 'user' | 'group', m: unknown): Vb365Principal {
	if (!isObject(m)) throw badAnswer(node, call, `with a ${kind} entry without its ${kind} object`);
	const id = idOf(m.id);
	if (!id) throw badAnswer(node, call, `with a ${kind} without its id`);
	const rawType = text(m.type);
	const subtype = rawType === undefined ? undefined : kind === 'user' ? (RBAC_USER_TYPE[rawType.toLowerCase()] ?? rawType) : rawType;
	const sid = text(m.onPremisesSid);
	return {
		id,
		kind,
		name: text(m.name) ?? '',
		displayName: text(m.displayName) ?? '',
		...(subtype ? { subtype } : {}),
		...(sid ? { onPremisesSid: sid } : {}),
	};
}

const KINDS: Readonly<Record<string, Vb365ItemKind>> = { user: 'user', group: 'group', site: 'site', team: 'team' };

/** `RESTRbacOperator`: `{ id, type: User | Group, user | group }`. */
export function operatorOf(node: INode, call: string, m: IDataObject): Vb365Operator {
	const kind = KINDS[String(m.type ?? '').toLowerCase()];
	if (kind !== 'user' && kind !== 'group') throw badAnswer(node, call, `with an operator of type ${JSON.stringify(m.type ?? null)} (User or Group expected)`);
	const operatorId = idOf(m.id);
	if (!operatorId) throw badAnswer(node, call, 'with an operator without its id');
	return { ...principalOf(node, call, kind, m[kind]), operatorId };
}

/** A site object (`RESTRbacSite` / `RESTSite`). */
export function siteOf(node: INode, call: string, m: unknown): Vb365Item {
	if (!isObject(m)) throw badAnswer(node, call, 'with a site entry without its site object');
	const id = idOf(m.id);
	if (!id) throw badAnswer(node, call, 'with a site without its id');
	const url = text(m.url);
	const title = text(m.title) ?? '';
	const parentUrl = text(m.parentUrl);
	const isCloud = flag(m.isCloud);
	const isPersonal = flag(m.isPersonal);
	return {
		kind: 'site',
		id,
		name: url ?? title,
		displayName: title,
		...(url !== undefined ? { url } : {}),
		...(parentUrl !== undefined ? { parentUrl } : {}),
		...(isCloud !== undefined ? { isCloud } : {}),
		...(isPersonal !== undefined ? { isPersonal } : {}),
	};
}

/** A team object (`RESTRbacTeam` / `RESTTeam`). */
export function teamOf(node: INode, call: string, m: unknown): Vb365Item {
	if (!isObject(m)) throw badAnswer(node, call, 'with a team entry without its team object');
	const id = idOf(m.id);
	if (!id) throw badAnswer(node, call, 'with a team without its id');
	const displayName = text(m.displayName) ?? '';
	const mail = text(m.mail);
	const description = text(m.description);
	return { kind: 'team', id, name: mail || displayName, displayName, ...(mail !== undefined ? { mail } : {}), ...(description !== undefined ? { description } : {}) };
}

/** A principal as an item (to scope a role with). */
export function principalItem(p: Vb365Principal): Vb365Item {
	const { id, kind, name, displayName, subtype, onPremisesSid } = p;
	return { kind, id, name, displayName, ...(subtype ? { subtype } : {}), ...(onPremisesSid ? { onPremisesSid } : {}) };
}

/**
 * `RESTRbacItemComposed`: `{ id, type: User | Group | Site | Team, user | group | site | team }`. An
 * entry of another type (PowerShell's role items include personal sites and whole organizations,
 * which the REST schema has no type for) is kept as an `unknown` item rather than failing the list:
 * its id, the type as sent, a name if its object has one, the entry itself for a PUT.
 */
export function itemOf(node: INode, call: string, m: IDataObject): Vb365Item {
	const kind = KINDS[String(m.type ?? '').toLowerCase()];
	const itemId = idOf(m.id);
	if (!itemId) throw badAnswer(node, call, 'with an item without its id');
	if (!kind) return unknownItem(itemId, m);
	const object = kind === 'site' ? siteOf(node, call, m.site) : kind === 'team' ? teamOf(node, call, m.team) : principalItem(principalOf(node, call, kind, m[kind]));
	return { itemId, ...object };
}

/** An item of a type the schema does not have (see itemOf). */
function unknownItem(itemId: string, m: IDataObject): Vb365Item {
	const raw = Object.fromEntries(Object.entries(m).filter(([key]) => key !== '_links'));
	const object = Object.values(raw).find(isObject);
	const label = (key: string) => (object && typeof object[key] === 'string' ? (object[key] as string) : undefined);
	return {
		itemId,
		kind: 'unknown',
		id: itemId,
		name: label('name') ?? label('url') ?? label('mail') ?? '',
		displayName: label('displayName') ?? label('title') ?? '',
		sentType: typeof m.type === 'string' ? m.type : JSON.stringify(m.type ?? null),
		raw,
	};
}

const ROLE_TYPES: readonly Vb365RoleType[] = ['EntireOrganization', 'SpecificObjects'];

/** `RESTRbacRole`. `organizationId`: the organization the list was read for, where the entry names none. */
export function roleOf(node: INode, call: string, m: IDataObject, organizationId?: string): Vb365Role {
	const id = idOf(m.id);
	const org = idOf(m.organizationId) ?? organizationId;
	if (!id || !org) throw badAnswer(node, call, 'with a role without its id or organizationId');
	const roleType = ROLE_TYPES.find((t) => t.toLowerCase() === String(m.roleType ?? '').toLowerCase());
	return { id: id.toLowerCase(), organizationId: org.toLowerCase(), name: text(m.name) ?? '', description: text(m.description) ?? '', ...(roleType ? { roleType } : {}) };
}

/** `RESTGroupMember` (no member ID in the spec). */
export function groupMemberOf(m: IDataObject): Vb365GroupMember {
	const type = text(m.type);
	const isCloud = flag(m.isCloud);
	return { name: text(m.name) ?? '', login: text(m.login) ?? '', ...(type !== undefined ? { type } : {}), ...(isCloud !== undefined ? { isCloud } : {}) };
}

/** How bodies are written for the API version in use (Vb365Client.bodyOptions). */
export interface BodyOptions {
	/**
	 * v8's `RESTRbacGroup.name` is nullable; v7's is a required, non-nullable string. A group whose
	 * name was not read is sent with `name: null` where allowed, else with its display name (assumed:
	 * the server identifies the group by its id).
	 */
	nullableGroupName: boolean;
}

const V8_BODIES: BodyOptions = { nullableGroupName: true };

/**
 * The user or group object sent (`RESTRbacUser` / `RESTRbacGroup`: id, displayName, name, type, the
 * four the schemas require, in the order of Veeam's examples; onPremisesSid where known). A group's
 * `type` is nullable: null when none was read; its name: see BodyOptions; a user's type is User unless read.
 */
function principalBody(p: Pick<Vb365Principal, 'id' | 'kind' | 'name' | 'displayName' | 'subtype' | 'onPremisesSid'>, options: BodyOptions): IDataObject {
	const group = p.kind === 'group';
	return {
		id: p.id,
		displayName: p.displayName,
		name: group && p.name === '' ? (options.nullableGroupName ? null : p.displayName) : p.name,
		type: p.subtype ?? (group ? null : 'User'),
		...(p.onPremisesSid ? { onPremisesSid: p.onPremisesSid } : {}),
	};
}

const TYPE_NAME: Readonly<Record<Vb365ItemKind, string>> = { user: 'User', group: 'Group', site: 'Site', team: 'Team' };

/**
 * An operator to add: `{ type, user | group }` (the Add Restore Operators example's shape); an
 * operator read from the role (a role's PUT) keeps its own `id` as read.
 */
export function operatorBody(p: Vb365Principal & { operatorId?: string }, options: BodyOptions = V8_BODIES): IDataObject {
	return { ...(p.operatorId ? { id: p.operatorId } : {}), type: TYPE_NAME[p.kind], [p.kind]: principalBody(p, options) };
}

/** An item to add: `{ type, user | group | site | team }` (`RESTRbacItemComposed`); one read from the role keeps its `id`. */
export function itemBody(item: Vb365Item, options: BodyOptions = V8_BODIES): IDataObject {
	// An item of a type the package does not know goes back exactly as it was read (a role's PUT).
	if (item.kind === 'unknown') return { ...(item.raw ?? { id: item.itemId ?? item.id, type: item.sentType }) } as IDataObject;
	return { ...(item.itemId ? { id: item.itemId } : {}), ...itemObjectBody({ ...item, kind: item.kind }, options) };
}

function itemObjectBody(item: Vb365Item & { kind: Vb365ItemKind }, options: BodyOptions): IDataObject {
	const type = TYPE_NAME[item.kind];
	if (item.kind === 'user' || item.kind === 'group') return { type, [item.kind]: principalBody({ ...item, kind: item.kind }, options) };
	if (item.kind === 'site') {
		// RESTRbacSite requires id, url, title, isCloud, isPersonal (the last two nullable: null when not read).
		const site: IDataObject = { id: item.id, url: item.url ?? item.name, title: item.displayName };
		if (item.parentUrl !== undefined) site.parentUrl = item.parentUrl;
		site.isCloud = item.isCloud ?? null;
		site.isPersonal = item.isPersonal ?? null;
		return { type, site };
	}
	return { type, team: { id: item.id, displayName: item.displayName, description: item.description ?? '', mail: item.mail ?? '' } };
}

/** Two IDs name the same object (IDs compare without regard to case). */
export const sameId = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
