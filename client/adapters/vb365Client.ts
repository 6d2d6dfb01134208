/**
 * What the VB365 directory (vb365.ts) and its calls (vb365Access.ts) share for one execution: the
 * transport with its request group, the organization list (read once), paged reading that trusts
 * no paging answer, and the reads of roles, operators and items. Every read is of the server as it
 * is now (nothing but the organization list is cached: read-backs must see the change).
 */
import { NodeApiError, NodeOperationError, type IDataObject, type INode, type JsonObject } from 'n8n-workflow';

import { CREDENTIAL_TYPE, effectiveApiVersion, RequestGroup, VeeamApiError, veeamApiRequest, type QueryValue, type VeeamContext, type VeeamRequest } from '../transport';
import type { Vb365Item, Vb365ItemList, Vb365Operator, Vb365Organization, Vb365Role } from '../vb365Model';
import { isUuid } from '../ids';
import { readAllPages } from './paging';
import { arrayAnswer, badAnswer, itemOf, objectAnswer, operatorOf, organizationOf, ORGANIZATIONS, pageAnswer, RBAC_ROLES, roleOf, sameId, VB365_PAGE_SIZE, type BodyOptions } from './vb365Read';

export const PRODUCT_NAME = 'Veeam Backup for Microsoft 365';

/** Pages of one list read at most: 1,000 pages of 1,000 = a million entries (users of the largest organizations). */
export const VB365_MAX_PAGES = 1000;

/** The path segment of each item list (`/RbacRoles/{id}/selectedItems`). */
export const ITEM_LIST_PATH: Readonly<Record<Vb365ItemList, string>> = { selected: 'selectedItems', excluded: 'excludedItems' };

/**
 * A change was sent and the server answered it as done (or its answer was lost), then reading the
 * server back failed: whether the change took effect is not known. Not a refusal (no HTTP status of
 * its own, whatever the failed read answered): callers say it may or may not have been carried out.
 */
export class Vb365ReadBackError extends NodeApiError {
	/** Always true: the change itself was sent. */
	readonly changeSent = true;

	constructor(
		node: INode,
		what: string,
		readonly readError: unknown,
	) {
		const reason = readError instanceof Error ? readError.message : String(readError);
		const message = `${what} was sent, but reading ${PRODUCT_NAME} back failed: ${reason}`;
		super(node, { message } as JsonObject, {
			message,
			description: 'Whether the change took effect is not known: check it. Running the item again is safe: what is done already is not sent again.',
		});
		this.message = message;
	}
}

/** The read-back after a change, its failure a Vb365ReadBackError (see there). */
export async function afterChange<T>(node: INode, what: string, read: () => Promise<T>): Promise<T> {
	return await read().catch((error: unknown) => {
		throw new Vb365ReadBackError(node, what, error);
	});
}

/** The server says it has no such resource: a 404 (callers confirm it with a list where it matters). */
export function isNotFoundAnswer(error: unknown): boolean {
	return error instanceof VeeamApiError && error.status === 404;
}

export class Vb365Client {
	readonly group = new RequestGroup();
	private organizationList?: Promise<Vb365Organization[]>;
	private nodeOnce?: INode;

	constructor(readonly ctx: VeeamContext) {}

	/** Read once (n8n's getNode() copies the node on every call). */
	get node(): INode {
		return (this.nodeOnce ??= this.ctx.getNode());
	}

	async call<T>(req: VeeamRequest): Promise<T> {
		return await veeamApiRequest.call<VeeamContext, ['vb365', VeeamRequest], Promise<T>>(this.ctx, 'vb365', { ...req, group: this.group });
	}

	/** A role's or organization's path, for a UUID only (the spec: `format: uuid`); nothing sent otherwise. */
	uuidPath(base: string, id: string, what: string, rest = ''): string {
		if (!isUuid(id)) throw new NodeOperationError(this.node, `Cannot address the ${what}: "${id}" is not a ${PRODUCT_NAME} ${what} ID (a UUID)`);
		return `${base}/${id.toLowerCase()}${rest}`;
	}

	rolePath(roleId: string, rest = ''): string {
		return this.uuidPath(RBAC_ROLES, roleId, 'restore operator role', rest);
	}

	organizationPath(organizationId: string, rest = ''): string {
		return this.uuidPath(ORGANIZATIONS, organizationId, 'organization', rest);
	}

	/**
	 * Every entry of a paged list (`offset`, `limit`, and the `setId` the first page names, Veeam's
	 * cache of the request), read until a page comes back empty: a v8 page carries no total, and
	 * neither its echoed `limit` nor a short page is taken to mean the end (a server that sends
	 * fewer than asked may still have more). A page repeating what was read fails (paging.ts).
	 */
	async list<T>(
		path: string,
		qs: Record<string, QueryValue | undefined>,
		what: string,
		read: (item: IDataObject, call: string) => T,
		keyOf: (item: T) => string,
		/** False where two entries may share a key (group members carry no ID). */
		uniqueKeys = true,
	): Promise<T[]> {
		const call = `GET ${path}`;
		let setId: string | undefined;
		let pages = 0;
		const fetch = async (offset: number, limit: number) => {
			// A list that never ends (new entries on every page) is stopped long before paging.ts's general limit.
			if (++pages > VB365_MAX_PAGES) throw badAnswer(this.node, call, `with more than ${VB365_MAX_PAGES} pages (${VB365_MAX_PAGES * VB365_PAGE_SIZE} entries): the list does not end, nothing was done with it`);
			const answer = await this.call<unknown>({ method: 'GET', path, qs: { ...qs, offset, limit: Math.max(1, Math.min(limit, VB365_PAGE_SIZE)), ...(setId ? { setId } : {}) } });
			const page = pageAnswer(this.node, call, answer, (m) => read(m, call));
			setId ??= page.setId;
			const seen = new Set<string>();
			for (const item of uniqueKeys ? page.items : []) {
				const key = keyOf(item).toLowerCase();
				if (seen.has(key)) throw badAnswer(this.node, call, `with ${key} twice in one page (from position ${offset}): the list cannot be read reliably`);
				seen.add(key);
			}
			// A plain array (v7's organization list) is the whole list.
			return page.whole ? { items: page.items, total: offset + page.items.length } : { items: page.items };
		};
		const all = await readAllPages(fetch, (item) => keyOf(item).toLowerCase(), { node: this.node, what });
		return [...all.values()];
	}

	/** A plain array answer (roles, operators, items), refused when it names one ID twice. */
	async array<T>(path: string, what: string, read: (item: IDataObject, call: string) => T, keyOf: (item: T) => string): Promise<T[]> {
		const call = `GET ${path}`;
		const answer = await this.call<unknown>({ method: 'GET', path });
		const items = arrayAnswer(this.node, call, answer, (m) => read(m, call));
		const seen = new Set<string>();
		for (const item of items) {
			const key = keyOf(item).toLowerCase();
			if (seen.has(key)) throw badAnswer(this.node, call, `with ${what} ${key} twice: the list cannot be read reliably`);
			seen.add(key);
		}
		return items;
	}

	/** GET /v8/Organizations (all pages), once per execution. */
	async organizations(): Promise<Vb365Organization[]> {
		this.organizationList ??= this.list(ORGANIZATIONS, {}, 'organizations', (m, call) => organizationOf(this.node, call, m), (o) => o.id).catch((error: unknown) => {
			this.organizationList = undefined;
			throw error;
		});
		return await this.organizationList;
	}

	/**
	 * The roles of one organization (GET /v8/Organizations/{id}/RbacRoles) or every organization
	 * (GET /v8/RbacRoles). Entries of another organization than the one asked for are dropped.
	 */
	async roles(organizationId?: string): Promise<Vb365Role[]> {
		const path = organizationId === undefined ? RBAC_ROLES : this.organizationPath(organizationId, '/RbacRoles');
		const roles = await this.array(path, 'role', (m, call) => roleOf(this.node, call, m, organizationId), (r) => r.id);
		return organizationId === undefined ? roles : roles.filter((r) => sameId(r.organizationId, organizationId));
	}

	/**
	 * GET /v8/RbacRoles/{roleId}. A 404 is taken for "no such role" only once the role list (which
	 * must read) does not show it either; an answer about another role is refused.
	 */
	async role(roleId: string): Promise<Vb365Role | undefined> {
		const path = this.rolePath(roleId);
		const call = `GET ${path}`;
		const answer = await this.call<unknown>({ method: 'GET', path }).catch(async (error: unknown) => {
			if (!isNotFoundAnswer(error)) throw error;
			if ((await this.roles()).some((r) => sameId(r.id, roleId))) throw error;
			return undefined;
		});
		if (answer === undefined) return undefined;
		const role = roleOf(this.node, call, objectAnswer(this.node, call, answer));
		if (!sameId(role.id, roleId)) throw badAnswer(this.node, call, `with another role (${role.id})`);
		return role;
	}

	/** GET /v8/RbacRoles/{roleId}/operators. */
	async operators(roleId: string): Promise<Vb365Operator[]> {
		return await this.array(this.rolePath(roleId, '/operators'), 'operator', (m, call) => operatorOf(this.node, call, m), (o) => o.operatorId);
	}

	/** GET /v8/RbacRoles/{roleId}/selectedItems | excludedItems. */
	async items(roleId: string, list: Vb365ItemList): Promise<Vb365Item[]> {
		return await this.array(this.rolePath(roleId, `/${ITEM_LIST_PATH[list]}`), 'item', (m, call) => itemOf(this.node, call, m), (i) => i.itemId ?? i.id);
	}

	/** The role with its operators and items, read now (four reads at once); undefined when the role is gone. */
	async fullRole(roleId: string): Promise<Vb365Role | undefined> {
		const role = await this.role(roleId);
		if (!role) return undefined;
		const [operators, selected, excluded] = await Promise.all([this.operators(roleId), this.items(roleId, 'selected'), this.items(roleId, 'excluded')]);
		return { ...role, operators, selected, excluded };
	}

	/**
	 * How bodies are written for the API version this execution uses (the pinned one, or Automatic's:
	 * found now, else kept with the token, else the newest offered): v8 and later allow a group's name
	 * to be null, v7 does not (its `RESTRbacGroup.name` is a required string); an unknown version is
	 * taken as the stricter.
	 */
	async bodyOptions(): Promise<BodyOptions> {
		const credentials = await this.ctx.getCredentials(CREDENTIAL_TYPE.vb365, 0);
		const major = /^v(\d+)$/.exec(effectiveApiVersion(credentials, 'vb365', this.group.apiVersion));
		return { nullableGroupName: major !== null && Number(major[1]) >= 8 };
	}

	/** The server's answer does not show the change: it is not reported as done. */
	notApplied(what: string, shown: string): NodeOperationError {
		return new NodeOperationError(this.node, `${PRODUCT_NAME} does not show ${what}: ${shown}`, {
			description: 'The server was read back after the change and does not show it, so it is not reported as done.',
		});
	}
}
