/**
 * Veeam Backup for Microsoft 365 (product `vb365`): what the Restore Operator and Role operations
 * read and check before anything is sent (the organization, an operator or an item of it, the roles
 * named), and what they output. The adapter's calls are reached through `UserDirectory.vb365()`
 * (client/vb365Model.ts). Product-neutral checks are in ./input.ts.
 */
import { NodeApiError, NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { UserDirectory } from '../../../client/adapters';
import type { Vb365Access, Vb365Item, Vb365ItemKind, Vb365Operator, Vb365Organization, Vb365Principal, Vb365PrincipalKind, Vb365Role } from '../../../client/vb365Model';
import { isUuid } from '../../../client/ids';
import { runPool } from '../../../client/pool';
import { checkText, inputError, readChoice, readLocator, readText, readTextList } from './input';

export const PRODUCT_NAME = 'Veeam Backup for Microsoft 365';
export const PRINCIPAL_KINDS = ['user', 'group'] as const;
export const ITEM_KINDS = ['user', 'group', 'site', 'team'] as const;
export const ROLE_TYPES = ['EntireOrganization', 'SpecificObjects'] as const;

const KIND_LABEL: Readonly<Record<Vb365ItemKind, string>> = { user: 'user', group: 'group', site: 'site', team: 'team' };

/** The VB365 calls, or an error: the adapter of every other product has none. */
export function vb365Access(ctx: IExecuteFunctions, directory: UserDirectory, i: number): Vb365Access {
	const access = directory.vb365?.();
	if (!access) throw inputError(ctx, i, 'Product', `this operation works on ${PRODUCT_NAME} only`);
	return access;
}

/**
 * A problem the adapter found with what item `i` names (no such organization, several of one name),
 * as the item's error: the field and the item named once, whatever the adapter's wording. Failed
 * requests (NodeApiError) and other errors pass unchanged.
 */
export function forField(ctx: IExecuteFunctions, i: number, field: string, error: unknown): unknown {
	if (error instanceof NodeApiError || !(error instanceof NodeOperationError)) return error;
	const escaped = field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
	const problem = error.message.replace(new RegExp(`^${escaped}(\\s*\\(item \\d+\\))?(:\\s*|\\s+(?="))`), '');
	return inputError(ctx, i, field, problem, error.description ?? undefined);
}

async function asField<T>(ctx: IExecuteFunctions, i: number, field: string, call: () => Promise<T>): Promise<T> {
	try {
		return await call();
	} catch (error) {
		throw forField(ctx, i, field, error);
	}
}

/** The organization of item `i` (its locator: from the list, by name or by ID), looked up on the server. */
export async function readOrganization(ctx: IExecuteFunctions, i: number, access: Vb365Access, name = 'organization', field = 'Organization'): Promise<Vb365Organization> {
	const locator = readLocator(ctx, i, name, field);
	if ((locator.mode === 'list' || locator.mode === 'id') && !isUuid(locator.value)) {
		throw inputError(ctx, i, field, `"${locator.value}" is not an organization ID (a UUID)`, 'Pick the organization from the list, or choose "By Name".');
	}
	return await asField(ctx, i, field, async () => await access.findOrganization(locator.value, field));
}

/** Organization Scope "all" or "one" (then the organization, looked up): undefined for every organization. */
export async function readOrganizationScope(ctx: IExecuteFunctions, i: number, access: Vb365Access): Promise<Vb365Organization | undefined> {
	const scope = readChoice(ctx, i, 'organizationScope', 'Organizations', ['all', 'one'] as const, 'all');
	return scope === 'one' ? await readOrganization(ctx, i, access) : undefined;
}

/** Operator Type of item `i`. */
export function readPrincipalKind(ctx: IExecuteFunctions, i: number, name = 'operatorType', field = 'Operator Type'): Vb365PrincipalKind {
	return readChoice(ctx, i, name, field, PRINCIPAL_KINDS, 'user');
}

/** Why `text` cannot name anyone (several lines, control characters); undefined when it can. */
export function nameProblem(text: string): string | undefined {
	if ([...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return 'contains a line break or a control character: give one e-mail address, name or ID';
	if (text.length > 1024) return `is ${text.length} characters long: no Microsoft 365 name or ID is that long`;
	return undefined;
}

/** The text naming the operator of item `i` (e-mail / UPN, display name or ID), checked (no request). */
export function readOperatorText(ctx: IExecuteFunctions, i: number, name = 'operator', field = 'Operator'): string {
	const text = readText(ctx, i, name, field);
	const problem = nameProblem(text);
	if (problem) throw inputError(ctx, i, field, problem);
	return text;
}

/** The user or group `text` names in `org`; undefined when there is none (several: refused naming their IDs). */
export async function findPrincipal(ctx: IExecuteFunctions, i: number, access: Vb365Access, org: Vb365Organization, text: string, kind: Vb365PrincipalKind, field = 'Operator'): Promise<Vb365Principal | undefined> {
	const found = await asField(ctx, i, field, async () => await access.findPrincipal(org.id, text, kind, field));
	if (found && found.kind !== kind) {
		// The adapter was asked for one kind: a group is never taken for a user, or back.
		throw inputError(ctx, i, field, `"${text}" is a Microsoft 365 ${found.kind} of ${org.name}, not a ${kind}`, `Set Operator Type to ${found.kind === 'group' ? 'Group' : 'User'} if you mean it.`);
	}
	return found;
}

export async function requirePrincipal(ctx: IExecuteFunctions, i: number, access: Vb365Access, org: Vb365Organization, text: string, kind: Vb365PrincipalKind, field = 'Operator'): Promise<Vb365Principal> {
	const found = await findPrincipal(ctx, i, access, org, text, kind, field);
	if (!found) {
		throw inputError(ctx, i, field, `no Microsoft 365 ${kind} "${text}" in the organization ${org.name}`, `Give the ${kind === 'user' ? "user's e-mail address (UPN)" : "group's name"}, display name or ID, as ${PRODUCT_NAME} lists it for this organization.`);
	}
	return found;
}

const same = (a: string | undefined, b: string | undefined) => a !== undefined && b !== undefined && a !== '' && a.toLowerCase() === b.toLowerCase();

/**
 * Whether `operator` is `principal`: the same kind and ID; with `byAddress` (taking access away)
 * also a user entry with the same e-mail / UPN (an address names one mailbox at a time: an operator
 * entry left from an earlier account of that address is the same person's access). Giving access
 * never counts such an entry: it names the earlier account, not the one found now.
 */
export function isOperator(operator: Vb365Principal, principal: Vb365Principal, byAddress = true): boolean {
	if (operator.kind !== principal.kind) return false;
	return same(operator.id, principal.id) || (byAddress && principal.kind === 'user' && same(operator.name, principal.name));
}

/**
 * The operators of `roles` that `text` names when the organization no longer lists anyone so (a
 * leaver's account gone from Microsoft 365): by ID, e-mail / UPN or name, else by display name. A
 * display name shared by several operators (different IDs) is refused, naming the IDs.
 */
export function operatorsNamed(ctx: IExecuteFunctions, i: number, roles: Vb365Role[], text: string, kind: Vb365PrincipalKind, field = 'Operator'): Vb365Operator[] {
	const all = roles.flatMap((r) => r.operators ?? []).filter((o) => o.kind === kind);
	const exact = all.filter((o) => same(o.id, text) || same(o.name, text));
	if (exact.length) return exact;
	const byDisplay = all.filter((o) => same(o.displayName, text));
	const ids = [...new Set(byDisplay.map((o) => o.id.toLowerCase()))];
	if (ids.length > 1) throw inputError(ctx, i, field, `"${text}" is the display name of ${ids.length} different operators (IDs ${ids.join(', ')})`, 'Give the e-mail address (UPN) or the ID instead.');
	return byDisplay;
}

/**
 * A principal found by its display name only (not its ID or e-mail / name) while the roles also name
 * another operator of that display name (a leaver gone from Microsoft 365 whose namesake is still
 * there): which one is meant cannot be told, so it is refused, naming their IDs.
 */
export function refuseDisplayNameClash(ctx: IExecuteFunctions, i: number, roles: Vb365Role[], principal: Vb365Principal, text: string, field = 'Operator'): void {
	if (same(principal.id, text) || same(principal.name, text)) return;
	const others = roles.flatMap((r) => r.operators ?? []).filter((o) => o.kind === principal.kind && same(o.displayName, text) && !isOperator(o, principal));
	const ids = [...new Set([principal.id, ...others.map((o) => o.id)].map((id) => id.toLowerCase()))];
	if (ids.length > 1) {
		throw inputError(ctx, i, field, `"${text}" is the display name of ${ids.length} different ${principal.kind}s (IDs ${ids.join(', ')}): the organization lists one, the roles name another`, 'Give the e-mail address (UPN) or the ID instead.');
	}
}

/** What item `i`'s roles field names: roles of `org` found by name or ID, and names of roles it does not have. */
export interface NamedRoles {
	found: Vb365Role[];
	missing: string[];
}

/**
 * The roles of `org` item `i` names (names without regard to case, or IDs). A name two roles of the
 * organization share is refused naming their IDs; an ID of another organization's role is refused.
 */
export async function readNamedRoles(ctx: IExecuteFunctions, i: number, access: Vb365Access, org: Vb365Organization, name = 'restoreRoles', field = 'Role Names or IDs'): Promise<NamedRoles> {
	const given = readTextList(ctx, i, name, field);
	if (given.length === 0) throw inputError(ctx, i, field, 'no role given', 'Choose one or more restore operator roles of the organization.');
	for (const entry of given) {
		const problem = nameProblem(entry);
		if (problem) throw inputError(ctx, i, field, `"${entry.slice(0, 60)}" ${problem}`);
	}
	const roles = await access.roles(org.id);
	// One text with commas (from an expression) names several roles, unless it is a role's own name.
	const entries = given.flatMap((entry) => (entry.includes(',') && !roles.some((r) => same(r.name, entry)) ? splitEntries([entry]) : [entry]));
	if (entries.length === 0) throw inputError(ctx, i, field, 'no role given', 'Choose one or more restore operator roles of the organization.');
	const found = new Map<string, Vb365Role>();
	const missing: string[] = [];
	for (const entry of entries) {
		const byId = roles.find((r) => same(r.id, entry));
		if (byId) {
			found.set(byId.id, byId);
			continue;
		}
		const named = roles.filter((r) => same(r.name, entry));
		if (named.length > 1) throw inputError(ctx, i, field, `"${entry}" names ${named.length} roles of ${org.name} (IDs ${named.map((r) => r.id).join(', ')})`, 'Give the role by its ID instead.');
		if (named.length === 1) found.set(named[0].id, named[0]);
		else if (isUuid(entry)) throw inputError(ctx, i, field, `no role of the organization ${org.name} has the ID ${entry}`, rolesHint(roles));
		else if (!missing.some((m) => same(m, entry))) missing.push(entry);
	}
	return { found: [...found.values()], missing };
}

export function rolesHint(roles: Vb365Role[]): string {
	return roles.length ? `Roles of this organization: ${roles.map((r) => r.name).join(', ')}.` : 'This organization has no restore operator role yet.';
}

/** Entries of a multi-select; an expression may give one comma-separated text instead. */
function splitEntries(entries: string[]): string[] {
	return entries.flatMap((entry) =>
		entry
			.split(',')
			.map((part) => part.trim())
			.filter((part) => part !== ''),
	);
}

/** One entry of a scope items field (Kind, Item): as typed, checked (no request). */
export interface ItemEntry {
	kind: Vb365ItemKind;
	text: string;
}

/** The entries of the fixed collection `name` ({ item: [{ kind, value }] }) of item `i`. */
export function readItemEntries(ctx: IExecuteFunctions, i: number, name: string, field: string): ItemEntry[] {
	const raw = ctx.getNodeParameter(name, i, {}) as unknown;
	if (raw === undefined || raw === null || raw === '') return [];
	if (typeof raw !== 'object' || Array.isArray(raw)) throw inputError(ctx, i, field, 'must be a list of items (Kind and Item)');
	const list = (raw as IDataObject).item ?? [];
	if (!Array.isArray(list)) throw inputError(ctx, i, field, 'must be a list of items (Kind and Item)');
	return list.map((entry, n) => {
		const where = `${field} ${n + 1}`;
		const value = (entry ?? {}) as IDataObject;
		const kindText = checkText(ctx, i, `${where}: Kind`, value.kind ?? 'user');
		const kind = ITEM_KINDS.find((k) => k === kindText.toLowerCase());
		if (!kind) throw inputError(ctx, i, `${where}: Kind`, `"${kindText}" is not one of ${ITEM_KINDS.join(', ')}`);
		const text = checkText(ctx, i, `${where}: Item`, value.value);
		const problem = nameProblem(text);
		if (problem) throw inputError(ctx, i, `${where}: Item`, problem);
		return { kind, text };
	});
}

/** The objects `entries` name in `org`, looked up (read-only); one the organization does not have is refused. */
export async function resolveItems(ctx: IExecuteFunctions, i: number, access: Vb365Access, org: Vb365Organization, entries: ItemEntry[], field: string): Promise<Vb365Item[]> {
	const items: Vb365Item[] = [];
	for (const [n, entry] of entries.entries()) {
		const where = `${field} ${n + 1}`;
		const item = await asField(ctx, i, where, async () => await access.findItem(org.id, entry.text, entry.kind, where));
		if (!item) throw inputError(ctx, i, where, `no ${KIND_LABEL[entry.kind]} "${entry.text}" in the organization ${org.name}`, itemHint(entry.kind));
		if (item.kind !== entry.kind) throw inputError(ctx, i, where, `"${entry.text}" is a ${item.kind} of ${org.name}, not a ${entry.kind}`);
		if (!items.some((known) => sameItem(known, item))) items.push(item);
	}
	return items;
}

function itemHint(kind: Vb365ItemKind): string {
	if (kind === 'site') return 'Give the site URL, its title or its ID.';
	if (kind === 'team') return "Give the team's e-mail address, display name or ID.";
	return kind === 'user' ? "Give the user's e-mail address (UPN), display name or ID." : "Give the group's name, display name or ID.";
}

/** Whether two items are the same object (kind and object ID). */
export function sameItem(a: Vb365Item, b: Vb365Item): boolean {
	return a.kind === b.kind && same(a.id, b.id);
}

// ---- Outputs: what the server showed, never a secret (VB365 roles and operators carry none).

export function organizationOutput(org: Pick<Vb365Organization, 'id' | 'name'>): IDataObject {
	return { id: org.id, name: org.name };
}

export function principalOutput(p: Vb365Principal): IDataObject {
	return {
		id: p.id,
		kind: p.kind,
		name: p.name,
		displayName: p.displayName,
		...(p.subtype ? { type: p.subtype } : {}),
		...(p.onPremisesSid ? { onPremisesSid: p.onPremisesSid } : {}),
	};
}

export function itemOutput(item: Vb365Item): IDataObject {
	const shown: IDataObject = { kind: item.kind, id: item.id, name: item.name, displayName: item.displayName };
	if (item.subtype) shown.type = item.subtype;
	if (item.kind === 'site') Object.assign(shown, { url: item.url, isCloud: item.isCloud, isPersonal: item.isPersonal });
	if (item.kind === 'team' && item.mail) shown.mail = item.mail;
	return shown;
}

/** A role as output: its fields, its organization, and the operators and items read (absent: not read). */
export function roleOutput(role: Vb365Role, orgs?: Map<string, Vb365Organization>): IDataObject {
	const org = orgs?.get(role.organizationId.toLowerCase());
	return {
		id: role.id,
		name: role.name,
		description: role.description,
		roleType: role.roleType ?? null,
		organization: org ? organizationOutput(org) : { id: role.organizationId },
		...(role.operators ? { operators: role.operators.map(principalOutput) } : {}),
		...(role.selected ? { selectedItems: role.selected.map(itemOutput) } : {}),
		...(role.excluded ? { excludedItems: role.excluded.map(itemOutput) } : {}),
	};
}

/** The organizations by ID (lower case), for outputs. */
export function organizationMap(orgs: Vb365Organization[]): Map<string, Vb365Organization> {
	return new Map(orgs.map((o) => [o.id.toLowerCase(), o]));
}

/**
 * An item that stopped part-way: what failed, with what was done before it (each step done stands:
 * running the item again skips it).
 */
export function incomplete(ctx: IExecuteFunctions, i: number, field: string, what: string, problem: string, done: string[], cause?: unknown): NodeOperationError {
	const reason = cause instanceof Error ? `: ${cause.message}` : '';
	const before = done.length ? `Done before: ${done.join('; ')}.` : uncertain(cause) ? 'Nothing was changed before it.' : 'Nothing was changed.';
	const failed = uncertain(cause) ? ' The failed change itself may or may not have been carried out (the server failed or its answer was lost, maybe after acting, maybe while reading it back): check it.' : '';
	return inputError(ctx, i, field, `${what} is not complete: ${problem}${reason}`, `${before}${failed} Run the item again (what is done is left as it is), or finish in ${PRODUCT_NAME}.`);
}

/**
 * A failure after which the failed change itself may have been made: a server error (5xx), a lost
 * or broken answer, or a failed read-back after a write the server answered. Not: a refusal (4xx)
 * or the node's own check (NodeOperationError: nothing sent, or a read-back that lacks the change).
 */
function uncertain(cause: unknown): boolean {
	if (!(cause instanceof Error)) return false;
	if (cause instanceof NodeApiError) {
		const status = Number((cause as { status?: unknown }).status ?? cause.httpCode);
		return !(status >= 400 && status < 500);
	}
	return !(cause instanceof NodeOperationError);
}

/** `roles` each with its operators read (`concurrency` reads at once); any failed read fails the whole. */
export async function withOperators(access: Vb365Access, roles: Vb365Role[], concurrency = 8): Promise<Vb365Role[]> {
	const outcomes = await runPool(roles.length, async (n) => ({ ...roles[n], operators: await access.operators(roles[n].id) }), { concurrency, stopOnError: true });
	const failed = outcomes.find((outcome) => outcome && !outcome.ok);
	if (failed && !failed.ok) throw failed.error;
	return outcomes.map((outcome) => {
		if (!outcome?.ok) throw new Error('reading the operators of a role did not finish');
		return outcome.value;
	});
}
