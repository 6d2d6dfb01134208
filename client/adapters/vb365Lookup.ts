/**
 * Finding what a text names in a VB365 organization: the organization itself, a user or group (an
 * operator to grant, or an item to scope a role with), a site or a team. The server's filters are
 * sent where the spec has them (GET …/Users?userName= / ?displayName=, …/Groups?groupName= /
 * ?displayName=, …/Sites?filter=, …/Teams?displayName=) and every answer is matched again here
 * (vb365Match.ts): what the server does with a filter changes what is read, never what is found.
 */
import { NodeOperationError } from 'n8n-workflow';

import type { QueryValue } from '../transport';
import type { Vb365Item, Vb365ItemKind, Vb365Organization, Vb365Principal, Vb365PrincipalKind } from '../vb365Model';
import { isNotFoundAnswer, PRODUCT_NAME, type Vb365Client } from './vb365Client';
import { lookupTextProblem, matchStrength, pickOne } from './vb365Match';
import { badAnswer, objectAnswer, principalItem, principalOf, sameId, siteOf, teamOf } from './vb365Read';

/** A text that may be an object's ID: hex digits and dashes, 32 or more (UUIDs; Veeam's user IDs join two). */
export const looksLikeId = (text: string) => /^[0-9a-f-]{32,}$/i.test(text);

/** An ID as one path segment: encoded, never `.` or `..`. */
export function idSegment(client: Vb365Client, id: string, what: string): string {
	const problem = lookupTextProblem(id);
	if (problem || id === '.' || id === '..') throw new NodeOperationError(client.node, `Cannot address the ${what}: its ID ${problem ?? 'is not an ID'}`);
	return encodeURIComponent(id);
}

function refuseText(client: Vb365Client, field: string, text: string): void {
	const problem = lookupTextProblem(text);
	if (problem) throw new NodeOperationError(client.node, `${field} ${problem}`, { description: 'Nothing was sent.' });
}

/** The organization with this ID, or whose `name` or `officeName` is the text; refused when none or several. */
export async function findOrganization(client: Vb365Client, nameOrId: string, field: string): Promise<Vb365Organization> {
	refuseText(client, field, nameOrId);
	const all = await client.organizations();
	const byId = all.filter((o) => sameId(o.id, nameOrId));
	const t = nameOrId.toLowerCase();
	const found = byId.length ? byId : all.filter((o) => o.name.toLowerCase() === t || (o.officeName ?? '').toLowerCase() === t);
	if (found.length === 1) return found[0];
	if (found.length > 1) {
		throw new NodeOperationError(client.node, `${field} "${nameOrId}" names ${found.length} organizations`, {
			description: `Candidates: ${found.map((o) => `${o.name} (ID ${o.id})`).join(', ')}. Give the ID of the one meant.`,
		});
	}
	const known = all.slice(0, 10).map((o) => o.name);
	throw new NodeOperationError(client.node, `${field}: ${PRODUCT_NAME} has no organization "${nameOrId}"`, {
		description: all.length ? `Organizations: ${known.join(', ')}${all.length > known.length ? ', …' : ''}.` : 'The server lists no organization.',
	});
}

/** One object by ID (GET …/{list}/{id}); undefined on a 404 (the searches then confirm the list is served). */
async function byId<T extends { id: string }>(client: Vb365Client, organizationId: string, list: string, id: string, read: (m: unknown, call: string) => T): Promise<T | undefined> {
	const path = client.organizationPath(organizationId, `/${list}/${idSegment(client, id, 'object')}`);
	const call = `GET ${path}`;
	const answer = await client.call<unknown>({ method: 'GET', path }).catch((error: unknown) => {
		if (isNotFoundAnswer(error)) return undefined;
		throw error;
	});
	if (answer === undefined) return undefined;
	const found = read(objectAnswer(client.node, call, answer), call);
	if (!sameId(found.id, id)) throw badAnswer(client.node, call, `with another object (${found.id})`);
	return found;
}

/** Every entry of one filtered list of the organization (all pages). */
async function search<T extends { id: string }>(client: Vb365Client, organizationId: string, list: string, qs: Record<string, QueryValue>, read: (m: unknown, call: string) => T): Promise<T[]> {
	return await client.list(client.organizationPath(organizationId, `/${list}`), qs, list.toLowerCase(), (m, call) => read(m, call), (o) => o.id);
}

const PRINCIPAL_LIST: Readonly<Record<Vb365PrincipalKind, { list: string; nameParam: string }>> = {
	user: { list: 'Users', nameParam: 'userName' },
	group: { list: 'Groups', nameParam: 'groupName' },
};

/**
 * `locationFilter=Any` for an organization of type Hybrid (the spec: "Use this parameter for
 * organizations of the Hybrid type"; without it an on-premises account may be left out), nothing
 * for the others. The organization list is read once per execution.
 */
async function locationQuery(client: Vb365Client, organizationId: string): Promise<Record<string, QueryValue>> {
	const org = (await client.organizations()).find((o) => sameId(o.id, organizationId));
	return org?.type?.toLowerCase() === 'hybrid' ? { locationFilter: 'Any' } : {};
}

/**
 * The users or groups the text may name: by ID (when it looks like one), else by name and by display
 * name. A user's `userName` is "an email address" (the spec): asked only for a text with an @.
 */
async function principalCandidates(client: Vb365Client, organizationId: string, kind: Vb365PrincipalKind, text: string): Promise<Vb365Principal[]> {
	const { list, nameParam } = PRINCIPAL_LIST[kind];
	const read = (m: unknown, call: string) => principalOf(client.node, call, kind, m);
	if (looksLikeId(text)) {
		const one = await byId(client, organizationId, list, text, read);
		if (one) return [one];
	}
	const location = await locationQuery(client, organizationId);
	const byName = kind === 'group' || text.includes('@');
	const found = await Promise.all([
		search(client, organizationId, list, { ...location, displayName: text }, read),
		...(byName ? [search(client, organizationId, list, { ...location, [nameParam]: text }, read)] : []),
	]);
	return found.flat();
}

/** See Vb365Access.findPrincipal. */
export async function findPrincipal(
	client: Vb365Client,
	organizationId: string,
	text: string,
	kind: Vb365PrincipalKind | undefined,
	field: string,
): Promise<Vb365Principal | undefined> {
	refuseText(client, field, text);
	const kinds: Vb365PrincipalKind[] = kind ? [kind] : ['user', 'group'];
	const candidates = (await Promise.all(kinds.map((k) => principalCandidates(client, organizationId, k, text)))).flat();
	return pickOne(client.node, candidates, text, field, kind);
}

/** Sites or teams by ID, then the server's filter; when that finds nothing, the whole list (the filter's matching is not documented). */
async function siteOrTeamCandidates(client: Vb365Client, organizationId: string, kind: 'site' | 'team', text: string): Promise<Vb365Item[]> {
	const list = kind === 'site' ? 'Sites' : 'Teams';
	const read = (m: unknown, call: string) => (kind === 'site' ? siteOf(client.node, call, m) : teamOf(client.node, call, m));
	if (looksLikeId(text)) {
		const one = await byId(client, organizationId, list, text, read);
		if (one) return [one];
	}
	const extra: Record<string, QueryValue> = kind === 'site' ? { includePersonalSites: true, ...(await locationQuery(client, organizationId)) } : {};
	const filtered = await search(client, organizationId, list, { ...extra, ...(kind === 'site' ? { filter: text } : { displayName: text }) }, read);
	if (filtered.some((f) => matchStrength(f, text) > 0)) return filtered;
	return await search(client, organizationId, list, extra, read);
}

/** See Vb365Access.findItem. */
export async function findItem(client: Vb365Client, organizationId: string, text: string, kind: Vb365ItemKind, field: string): Promise<Vb365Item | undefined> {
	refuseText(client, field, text);
	if (kind === 'user' || kind === 'group') {
		const principal = await findPrincipal(client, organizationId, text, kind, field);
		return principal ? principalItem(principal) : undefined;
	}
	return pickOne(client.node, await siteOrTeamCandidates(client, organizationId, kind, text), text, field, kind);
}
