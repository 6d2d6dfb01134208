/**
 * A VB365 server in a function, for the adapter's own tests (the shapes of sim/contracts/vb365.md):
 * the real transport runs (as in vspcFake.ts; the credential on v8), and this small in-memory
 * server answers the organization lists, roles, operators and items, so that changes can be read
 * back. `route` answers first (a hostile answer, a fault); undefined falls through to the server.
 * Operator and item ids are "GUID + object id" as in Veeam's examples.
 */
import { randomUUID } from 'node:crypto';

import type { ICredentialDataDecryptedObject, IDataObject, IHttpRequestOptions, INode } from 'n8n-workflow';

import type { VeeamContext } from '../../client/transport';

export interface FakeRequest {
	method: string;
	/** The path without the query, e.g. `/v8/RbacRoles`. */
	path: string;
	query: URLSearchParams;
	body: unknown;
	headers: Record<string, string>;
}

export interface FakeAnswer {
	status?: number;
	body?: unknown;
	headers?: Record<string, string>;
}

const NODE: INode = { id: 'n1', name: 'Veeam', type: 'n8n-nodes-veeam.veeam', typeVersion: 1, position: [0, 0], parameters: {} };

export const ORG_A = 'ae19d952-59dc-49f4-b12f-7d6bf465f521';
export const ORG_B = 'bb19d952-59dc-49f4-b12f-7d6bf465f522';
/** A Microsoft 365 object id as Veeam writes them: the cloud GUID, then the on-premises one (zeros). */
export const objectId = (n: number) => `${String(n).padStart(8, '0')}-ca27-4b4a-8c93-956bacb8b4b400000000-0000-0000-0000-000000000000`;

export interface FakeVb365State {
	organizations: IDataObject[];
	/** By organization id: RESTUser, RESTGroup, RESTSite, RESTTeam. */
	users: Record<string, IDataObject[]>;
	groups: Record<string, IDataObject[]>;
	sites: Record<string, IDataObject[]>;
	teams: Record<string, IDataObject[]>;
	members: Record<string, IDataObject[]>;
	roles: IDataObject[];
	/** By role id: RESTRbacOperator / RESTRbacItemComposed entries. */
	operators: Record<string, IDataObject[]>;
	selected: Record<string, IDataObject[]>;
	excluded: Record<string, IDataObject[]>;
}

export function emptyState(): FakeVb365State {
	return {
		organizations: [
			{ id: ORG_A, name: 'abc.onmicrosoft.com', officeName: 'abc', type: 'Office365' },
			{ id: ORG_B, name: 'fabrikam.onmicrosoft.com', officeName: 'fabrikam', type: 'Office365' },
		],
		users: {},
		groups: {},
		sites: {},
		teams: {},
		members: {},
		roles: [],
		operators: {},
		selected: {},
		excluded: {},
	};
}

/** A page as VB365 v8 answers: `{ offset, limit, setId, results }`, `limit` default 30. */
export function v8Page(all: unknown[], req: FakeRequest): FakeAnswer {
	const offset = Number(req.query.get('offset') ?? 0);
	const limit = Number(req.query.get('limit') ?? 30);
	return { body: { offset, limit, setId: '0b0c0d0e-0000-4000-8000-000000000001', results: all.slice(offset, offset + limit) } };
}

const notFound = (what: string): FakeAnswer => ({ status: 404, body: { message: `${what} not found`, errorCode: 'ResourceNotFound', stackTrace: null } });

/** The object of an operator or item entry (`user`, `group`, `site`, `team`). */
export const objectOf = (entry: IDataObject) => entry[String(entry.type).toLowerCase()] as IDataObject;
const sameObject = (a: IDataObject, b: IDataObject) => a.type === b.type && String(objectOf(a).id).toLowerCase() === String(objectOf(b).id).toLowerCase();
/** An entry as the server stores it: its own id (GUID + object id) first. */
export const stored = (entry: IDataObject): IDataObject => ({ id: `${randomUUID()}${String(objectOf(entry).id)}`, ...entry });

function matches(value: unknown, filter: string | null): boolean {
	if (filter === null) return true;
	const re = new RegExp(`^${filter.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
	return typeof value === 'string' && re.test(value);
}

/** The in-memory server's answer to one request; undefined for a route it does not know. */
export function serve(state: FakeVb365State, req: FakeRequest): FakeAnswer | undefined {
	const p = req.path.replace(/^\/v\d+/, '');
	const m = (re: RegExp) => re.exec(p);
	let hit: RegExpExecArray | null;
	if (req.method === 'GET' && p === '/Organizations') return v8Page(state.organizations, req);
	if (req.method === 'GET' && p === '/RbacRoles') return { body: state.roles };
	if ((hit = m(/^\/Organizations\/([^/]+)\/RbacRoles$/))) {
		const org = hit[1];
		if (req.method === 'GET') return { body: state.roles.filter((r) => r.organizationId === org) };
		const body = req.body as IDataObject;
		const role = { id: randomUUID(), organizationId: org, name: body.name, description: body.description ?? '', roleType: body.roleType };
		state.roles.push(role);
		state.operators[role.id] = ((body.operators as IDataObject[]) ?? []).map(stored);
		state.selected[role.id] = ((body.selectedItems as IDataObject[]) ?? []).map(stored);
		state.excluded[role.id] = ((body.excludedItems as IDataObject[]) ?? []).map(stored);
		return { status: 201, body: role };
	}
	if ((hit = m(/^\/RbacRoles\/([^/]+)$/))) {
		const role = state.roles.find((r) => r.id === hit![1]);
		if (!role) return notFound('Role');
		if (req.method === 'GET') return { body: role };
		if (req.method === 'DELETE') {
			state.roles = state.roles.filter((r) => r !== role);
			return { status: 204 };
		}
		const body = req.body as IDataObject;
		Object.assign(role, { name: body.name, description: body.description, roleType: body.roleType });
		for (const [key, list] of [['operators', state.operators], ['selectedItems', state.selected], ['excludedItems', state.excluded]] as const) {
			if (Array.isArray(body[key])) list[String(role.id)] = (body[key] as IDataObject[]).map((e) => (e.id ? e : stored(e)));
		}
		return { status: 204 };
	}
	if ((hit = m(/^\/RbacRoles\/([^/]+)\/(operators|selectedItems|excludedItems)$/))) {
		const [, roleId, which] = hit;
		if (!state.roles.some((r) => r.id === roleId)) return notFound('Role');
		const lists = { operators: state.operators, selectedItems: state.selected, excludedItems: state.excluded };
		const list = (lists[which as keyof typeof lists][roleId] ??= []);
		if (req.method === 'GET') return { body: list };
		if (req.method === 'POST') {
			for (const entry of req.body as IDataObject[]) if (!list.some((e) => sameObject(e, entry))) list.push(stored(entry));
			return { status: 204 };
		}
		const ids = String(req.query.get('ids') ?? '').split(',');
		if (ids.some((id) => !list.some((e) => e.id === id))) return notFound('Operator');
		lists[which as keyof typeof lists][roleId] = list.filter((e) => !ids.includes(String(e.id)));
		return { status: 204 };
	}
	if ((hit = m(/^\/Organizations\/([^/]+)\/(Users|Groups|Sites|Teams)(?:\/([^/]+))?(\/Members)?$/)) && req.method === 'GET') {
		const [, org, kind, id, members] = hit;
		const lists: Record<string, Record<string, IDataObject[]>> = { Users: state.users, Groups: state.groups, Sites: state.sites, Teams: state.teams };
		const all = lists[kind]?.[org] ?? [];
		if (members) return v8Page(state.members[decodeURIComponent(id)] ?? [], req);
		if (id) {
			const one = all.find((o) => String(o.id).toLowerCase() === decodeURIComponent(id).toLowerCase());
			return one ? { body: one } : notFound('Object');
		}
		const q = (k: string) => req.query.get(k);
		const found = all.filter(
			(o) =>
				matches(o.displayName, q('displayName')) &&
				(q('userName') === null || String(o.name).toLowerCase() === q('userName')!.toLowerCase()) &&
				(q('groupName') === null || String(o.name).toLowerCase() === q('groupName')!.toLowerCase()) &&
				(q('filter') === null || `${String(o.title)} ${String(o.url)}`.toLowerCase().includes(q('filter')!.toLowerCase())),
		);
		return v8Page(found, req);
	}
	return undefined;
}

/** The fake: the transport on a v8 credential (token already held), `route` first, then the in-memory server. */
export function fakeVb365(state: FakeVb365State = emptyState(), route: (req: FakeRequest) => FakeAnswer | undefined = () => undefined, credentials: IDataObject = {}) {
	const requests: FakeRequest[] = [];
	const creds: ICredentialDataDecryptedObject = {
		url: 'https://vb365.example.test:4443',
		username: 'tech\\administrator',
		password: 'fake-Passw0rd',
		apiVersion: 'v8',
		customApiVersion: '',
		accessToken: 'fake-access-token',
		refreshToken: 'fake-refresh-token',
		tokenExpiresAt: new Date(Date.now() + 3_600_000).toISOString(),
		requestTimeout: 5,
		...credentials,
	};
	const ctx = {
		getNode: () => NODE,
		getCredentials: async () => creds,
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) => {
				const url = new URL(String(options.url));
				const req: FakeRequest = { method: String(options.method ?? 'GET'), path: url.pathname, query: url.searchParams, body: options.body, headers: (options.headers ?? {}) as Record<string, string> };
				requests.push(req);
				const a = route(req) ?? serve(state, req) ?? { status: 404, body: { message: 'No route', errorCode: null } };
				return { statusCode: a.status ?? 200, body: a.body === undefined ? '' : JSON.stringify(a.body), headers: a.headers ?? {} };
			},
		},
	} as unknown as VeeamContext;
	return { ctx, requests, state };
}
