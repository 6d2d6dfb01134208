/**
 * How a text given for an operator or an item names one object of a VB365 organization: its ID,
 * else its e-mail / UPN or name, else its display name (sites: URL or title; teams: e-mail or
 * display name), exactly, without regard to case (Microsoft 365 addresses and names are
 * case-insensitive). One rule for the organization's lists (Vb365Access.findPrincipal / findItem)
 * and for the operators a role names (a leaver already deleted from Microsoft Entra ID is still
 * named by the roles and found there only). A text that names several objects is refused, naming
 * their IDs; a group is never taken for a user or back.
 */
import { NodeOperationError, type INode } from 'n8n-workflow';

import type { Vb365Item, Vb365ItemKind, Vb365Principal } from '../vb365Model';
import { sameId } from './vb365Read';

/** The parts of an object a text is compared with. */
export type Matchable = Pick<Vb365Item, 'id' | 'kind' | 'name' | 'displayName' | 'url' | 'mail'>;

/** Whether `text` holds a control character (C0 or DEL). */
export function hasControl(text: string): boolean {
	return [...text].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);
}

/** Why `value` cannot name an object, checked before anything is sent; undefined when it can. */
export function lookupTextProblem(value: string): string | undefined {
	if (value.trim() === '') return 'is empty';
	if (value !== value.trim()) return 'has white space at its start or end';
	if (hasControl(value)) return 'contains control characters';
	if (value.length > 1024) return 'is longer than 1,024 characters';
	return undefined;
}

/** A site URL compared without its trailing slash. */
const url = (value: string) => value.replace(/\/+$/, '').toLowerCase();

/** How strongly `o` matches `text`: 3 its ID, 2 its name (e-mail, UPN, group name, site URL, team e-mail), 1 its display name or title, 0 not at all. */
export function matchStrength(o: Matchable, text: string): number {
	const t = text.toLowerCase();
	if (sameId(o.id, text)) return 3;
	const names = [o.name, o.mail ?? ''].filter((n) => n !== '');
	if (names.some((n) => n.toLowerCase() === t)) return 2;
	if (o.kind === 'site' && o.url && url(o.url) === url(text)) return 2;
	if (o.displayName !== '' && o.displayName.toLowerCase() === t) return 1;
	return 0;
}

/**
 * The one object among `candidates` the text names. An ID match is unique and wins; otherwise every
 * object whose name or display name is the text counts, and more than one is refused (a
 * NodeOperationError naming `field`, the text and the candidates' kinds and IDs). Duplicates (the
 * same kind and ID twice) count once. Undefined when none matches.
 */
export function pickOne<T extends Matchable>(node: INode, candidates: readonly T[], text: string, field: string, kind?: Vb365ItemKind, itemIndex?: number): T | undefined {
	const eligible = kind ? candidates.filter((c) => c.kind === kind) : candidates;
	const unique = new Map<string, { c: T; s: number }>();
	for (const c of eligible) {
		const s = matchStrength(c, text);
		if (s === 0) continue;
		const key = `${c.kind}:${c.id.toLowerCase()}`;
		if (!unique.has(key) || unique.get(key)!.s < s) unique.set(key, { c, s });
	}
	const found = [...unique.values()];
	const byId = found.filter((f) => f.s === 3);
	if (byId.length === 1) return byId[0].c;
	if (found.length <= 1) return found[0]?.c;
	const list = found.map((f) => `${f.c.kind} ${f.c.name || f.c.displayName} (ID ${f.c.id})`).join(', ');
	throw new NodeOperationError(node, `${field} "${text}" names ${found.length} objects of the organization`, {
		description: `Candidates: ${list}. Give the ID of the one meant.`,
		itemIndex,
	});
}

/** The operators among `operators` that are this principal: the same kind and ID. */
export function isSamePrincipal(a: Pick<Vb365Principal, 'kind' | 'id'>, b: Pick<Vb365Principal, 'kind' | 'id'>): boolean {
	return a.kind === b.kind && sameId(a.id, b.id);
}

/** Whether an ID can go into `?ids=a,b` (Veeam's "To specify multiple items, use comma"): no comma in it. */
export function listableId(id: string): boolean {
	return id.trim() !== '' && !id.includes(',');
}
