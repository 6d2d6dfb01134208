/**
 * What the VSPC user directory (vspc.ts) and its VSPC-only calls (vspcAccess.ts) share for one
 * execution: the transport with its request group, the organization list (read once), paged
 * reading that trusts no envelope, and the user's own calls (GET, PATCH by JSON Patch).
 */
import { NodeOperationError, type IDataObject, type INode } from 'n8n-workflow';

import { RequestGroup, VeeamApiError, veeamApiRequest, type QueryValue, type VeeamContext, type VeeamRequest } from '../transport';
import type { UserFilter, UserListOptions, VeeamUser } from '../model';
import type { VspcOrganization } from '../vspcModel';
import { isUuid } from '../ids';
import { unexpectedAnswer } from './common';
import { readAllPages, type Page } from './paging';
import { ListMovedError } from './vspcPages';
import { sameName } from './userFilter';
import { filterParam, USER_PAGE_SELECT, USER_SORT_BY_ORGANIZATION, userFilterExpressions, userSortParam, type FilterExpression } from './vspcQuery';
import { badAnswer, COMPANIES, dataObject, dataPage, indexOrganizations, organizationOf, ORGANIZATIONS, USERS, userOf, VSPC_PAGE_SIZE, type OrganizationIndex } from './vspcRead';

/** One JSON Patch operation, its keys in the order of Veeam's examples (`value`, `path`, `op`). */
export interface PatchOperation {
	value: string;
	path: string;
	op: 'replace';
}

export const replace = (path: string, value: string): PatchOperation => ({ value, path, op: 'replace' });

/** A user asked for with `select` came without `userName`: its page is asked again whole (usersPage). */
class NamelessUser extends Error {}

/** How often a list whose total moved while it was read is read again from its start. */
const REREADS = 2;

export class VspcClient {
	readonly group = new RequestGroup();
	private organizationList?: Promise<VspcOrganization[]>;
	/** A company's own `instanceUid` → its organization's UID, where they differ (GET /organizations/companies?expand=Organization). */
	readonly companyToOrganization = new Map<string, string>();
	private index?: OrganizationIndex;
	/** Whether the server serves the user list at this address (asked once, only after a 404). */
	private collection?: Promise<void>;

	constructor(readonly ctx: VeeamContext) {}

	/**
	 * Read once per client (one per execution): n8n's getNode() deep-copies the node on every call,
	 * and the list readers pass it for each user and login (100,000 copies per trigger poll at
	 * 50,000 users were its largest CPU cost).
	 */
	private nodeOnce?: INode;

	get node(): INode {
		return (this.nodeOnce ??= this.ctx.getNode());
	}

	async call<T>(req: VeeamRequest): Promise<T> {
		return await veeamApiRequest.call<VeeamContext, ['vspc', VeeamRequest], Promise<T>>(this.ctx, 'vspc', { ...req, group: this.group });
	}

	/** `/api/v3/users/{uid}[/rest]`, for a UID only (the spec: `format: uuid`). */
	userPath(uid: string, rest = ''): string {
		if (!isUuid(uid)) throw new NodeOperationError(this.node, `Cannot address the user: "${uid}" is not a Veeam Service Provider Console user UID`);
		return `${USERS}/${uid.toLowerCase()}${rest}`;
	}

	/**
	 * One page of a list (`limit` at most 500, the spec's maximum). `keyOf`: an item's identity; a
	 * page that carries one item twice is refused (the offset of the next page would skip as many
	 * items as it repeats: they would be lost without a word). `ready`: what `read` needs, awaited
	 * once the answer is in (asked for meanwhile, not before the page).
	 */
	async page<T>(
		path: string,
		qs: Record<string, QueryValue | undefined>,
		offset: number,
		limit: number,
		read: (item: IDataObject, call: string) => T,
		keyOf?: (item: T) => string,
		ready?: Promise<unknown>,
	): Promise<Page<T>> {
		const call = `GET ${path}`;
		const asked = this.call<unknown>({ method: 'GET', path, qs: { ...qs, offset, limit: Math.max(1, Math.min(limit, VSPC_PAGE_SIZE)) } });
		// Both settled before either fails the page: no request of this page outlives it.
		const [answered, prepared] = await Promise.allSettled([asked, ready]);
		if (prepared.status === 'rejected') throw prepared.reason;
		if (answered.status === 'rejected') throw answered.reason;
		const answer = answered.value;
		const page = dataPage(this.node, call, answer, (item) => read(item, call));
		if (keyOf) {
			const seen = new Set<string>();
			for (const item of page.items) {
				const key = keyOf(item).toLowerCase();
				if (seen.has(key)) throw badAnswer(this.node, call, `with ${key} twice in one page (from position ${offset}): the list cannot be read reliably`);
				seen.add(key);
			}
		}
		return page;
	}

	/**
	 * A whole list read with `read` (paging.ts: readAllPages or readUserPages over `fetch`). When
	 * the announced total moved while it was read (users added or removed meanwhile: Veeam's
	 * "Pagination" says resources can then move between pages), it is read again from the start,
	 * at most twice more; then it fails clearly rather than return a list that may skip some.
	 */
	async readWhole<T, R>(what: string, fetch: (offset: number, limit: number) => Promise<Page<T>>, read: (fetch: (offset: number, limit: number) => Promise<Page<T>>) => Promise<R>): Promise<R> {
		let problem = '';
		for (let attempt = 0; ; attempt++) {
			let first: number | undefined;
			let seen = false;
			let moved = false;
			const watched = async (offset: number, limit: number) => {
				const page = await fetch(offset, limit);
				if (!seen) [seen, first] = [true, page.total];
				else if (page.total !== first) moved = true;
				return page;
			};
			// A list that broke while its total moved (users gone from under the offsets) is read again too.
			const outcome = await read(watched).then(
				(result) => ({ result }),
				(error: unknown) => {
					// A parallel read whose pages did not add up (vspcPages.ts) moved as well.
					if (error instanceof ListMovedError) [moved, problem] = [true, error.problem];
					return { error };
				},
			);
			if (!moved) {
				if ('error' in outcome) throw outcome.error;
				return outcome.result;
			}
			if (attempt >= REREADS) {
				throw new NodeOperationError(this.node, `The server's list of ${what} changed while it was read, ${REREADS + 1} times in a row${problem ? ` (${problem})` : ''}`, {
					description: 'Its total moved between pages each time, so the list read may miss some. Nothing was done with it. Try again when fewer changes are under way.',
				});
			}
		}
	}

	/**
	 * Every organization the account sees (provider, resellers, companies: `GET /organizations`), read
	 * once per execution; with `companies`, each company also with its status and reseller (the
	 * companies list, read once too). Only what needs those reads the companies list (the Access
	 * Report); an organization's UID, name and type come from the organization list alone.
	 */
	async organizations({ companies = false }: { companies?: boolean } = {}): Promise<VspcOrganization[]> {
		this.organizationList ??= this.readOrganizations().catch((error: unknown) => {
			this.organizationList = undefined;
			throw error;
		});
		const all = await this.organizationList;
		if (!companies) return all;
		const details = await this.companies();
		return all.map((org) => {
			const company = details.get(org.uid.toLowerCase());
			return company ? { ...org, ...company } : org;
		});
	}

	private async readOrganizations(): Promise<VspcOrganization[]> {
		const fetch = (offset: number, limit: number) => this.page(ORGANIZATIONS, {}, offset, limit, (m, call) => organizationOf(this.node, call, m), (o) => o.uid);
		const all = await this.readWhole('organizations', fetch, async (f) => await readAllPages(f, (o) => o.uid.toLowerCase(), { node: this.node, what: 'organizations' }));
		return [...all.values()];
	}

	private companyList?: Promise<Map<string, { status?: string; resellerUid?: string }>>;

	/** The companies list (status, reseller; a company's own UID to its organization's: companyToOrganization), read once per execution. */
	async companies(): Promise<Map<string, { status?: string; resellerUid?: string }>> {
		this.companyList ??= this.readCompanies().catch((error: unknown) => {
			this.companyList = undefined;
			throw error;
		});
		return await this.companyList;
	}

	/**
	 * The organization UID to send for `uid`: itself when it is an organization's; a company's own
	 * UID (which may differ: Veeam's Expand example) as its organization's, which only the companies
	 * list tells (read then, and only then). Undefined: neither.
	 */
	async organizationUidOf(uid: string): Promise<string | undefined> {
		const wanted = uid.trim().toLowerCase();
		if ((await this.organizations()).some((o) => o.uid.toLowerCase() === wanted)) return uid;
		await this.companies();
		return this.companyToOrganization.get(wanted);
	}

	/**
	 * Each company's `status` and `resellerUid` (on GET /organizations/companies only: the spec's
	 * Company; Organization has neither), keyed by its organization's UID: with `expand=Organization`
	 * the company carries its organization (`_embedded.organization`, the Overview's "Expand
	 * Parameter" example), whose UID may differ from the company's own. An account that may not list
	 * companies (403) or a server without the call (404) leaves the status unknown.
	 */
	private async readCompanies(): Promise<Map<string, { status?: string; resellerUid?: string }>> {
		const read = (m: IDataObject) => {
			const embedded = (m._embedded as IDataObject | undefined)?.organization as IDataObject | undefined;
			const orgUid = typeof embedded?.instanceUid === 'string' ? embedded.instanceUid : typeof m.instanceUid === 'string' ? m.instanceUid : '';
			const status = typeof m.status === 'string' ? { status: m.status } : {};
			const reseller = typeof m.resellerUid === 'string' && isUuid(m.resellerUid) ? { resellerUid: m.resellerUid } : {};
			if (typeof m.instanceUid === 'string' && orgUid && !sameName(m.instanceUid, orgUid)) this.companyToOrganization.set(m.instanceUid.toLowerCase(), orgUid.toLowerCase());
			return { key: orgUid.toLowerCase(), value: { ...status, ...reseller } };
		};
		const fetch = (offset: number, limit: number) => this.page(COMPANIES, { expand: ['Organization'] }, offset, limit, read);
		const all = await this.readWhole('companies', fetch, async (f) => await readAllPages(f, (c) => c.key, { node: this.node, what: 'companies' })).catch((error: unknown) => {
			if (error instanceof VeeamApiError && (error.status === 403 || error.status === 404)) return new Map<string, { key: string; value: object }>();
			throw error;
		});
		return new Map([...all.values()].filter((c) => c.key !== '').map((c) => [c.key, c.value]));
	}

	/** Organizations by UID (lower case). */
	async organizationIndex(): Promise<OrganizationIndex> {
		if (this.index) return this.index;
		const list = await this.organizations();
		this.index = indexOrganizations(list);
		return this.index;
	}

	/**
	 * One page of users, filtered and ordered by the server where it can (vspcQuery.ts). `profile:
	 * false`: the users without their profile (and credentials), asked with `select`
	 * (USER_PAGE_SELECT), their `profile` absent; a page with a user the answer gives no `userName`
	 * (the name then only in `credentials`, which was not asked) is asked again whole, in the same
	 * order. `byOrganization`: ordered by organization, then name (USER_SORT_BY_ORGANIZATION), not
	 * by `sort`. `organizations: false`: the page is read without waiting for the organization list,
	 * each user as if its organization were unknown (`type` `Unknown`, `organization` its UID alone):
	 * the caller attaches the organizations itself (the trigger: its pages go on while the list of
	 * organizations is still read).
	 */
	async usersPage(
		filter: UserFilter,
		offset: number,
		limit: number,
		sort?: UserListOptions['sort'],
		extra?: FilterExpression,
		{ profile = true, byOrganization = false, organizations = true }: { profile?: boolean; byOrganization?: boolean; organizations?: boolean } = {},
	): Promise<Page<VeeamUser>> {
		const order = byOrganization ? USER_SORT_BY_ORGANIZATION : userSortParam(sort);
		const qs = { filter: filterParam([...userFilterExpressions(filter), ...(extra ? [extra] : [])]), sort: order, ...(profile ? {} : { select: USER_PAGE_SELECT }) };
		// The organizations (read once per execution) are asked for with the page, not before it: a
		// poll's first pages do not wait a round trip for them. Its users are read once both are in.
		let index: OrganizationIndex = new Map();
		const indexed = organizations
			? this.organizationIndex().then((read) => {
					index = read;
				})
			: undefined;
		const read = (m: IDataObject, call: string): VeeamUser => {
			if (!profile && typeof m.userName !== 'string') throw new NamelessUser();
			return userOf(this.node, call, m, index, !profile);
		};
		const page = await this.page(USERS, qs, offset, limit, read, (u) => u.ref, indexed).catch((error: unknown) => {
			if (error instanceof NamelessUser) return undefined;
			throw error;
		});
		return page ?? (await this.usersPage(filter, offset, limit, sort, extra, { byOrganization, organizations }));
	}

	/** The user of a single-user answer (`data`). */
	async userAnswerOf(answer: unknown, call: string): Promise<VeeamUser> {
		return userOf(this.node, call, dataObject(this.node, call, answer), await this.organizationIndex());
	}

	/** A user's answer (`data`), when it is the user asked for. */
	async userAnswer(answer: unknown, uid: string, call: string): Promise<VeeamUser> {
		const user = await this.userAnswerOf(answer, call);
		if (!sameName(user.ref, uid)) throw unexpectedAnswer(this.ctx, `${call} with another user (${user.name}) than ${uid}`);
		return user;
	}

	/** The user on the server (undefined: VSPC answered 404 for it, and serves its user list here). */
	async fetchUser(uid: string): Promise<VeeamUser | undefined> {
		if (!isUuid(uid)) return undefined;
		const path = this.userPath(uid);
		const answer = await this.call<unknown>({ method: 'GET', path }).catch(async (error: unknown) => {
			if (!isNotFoundAnswer(error)) throw error;
			await this.collectionServed();
			return undefined;
		});
		return answer === undefined ? undefined : await this.userAnswer(answer, uid, `GET ${path}`);
	}

	/** A 404 for a user says nothing when the server serves no user list here at all (a wrong address or version). */
	private async collectionServed(): Promise<void> {
		this.collection ??= this.call<unknown>({ method: 'GET', path: USERS, qs: { offset: 0, limit: 1 } }).then(
			(answer) => {
				dataPage(this.node, `GET ${USERS}`, answer, () => undefined);
			},
			(error: unknown) => {
				this.collection = undefined;
				const reason = error instanceof Error ? error.message : String(error);
				throw new NodeOperationError(this.node, `Veeam Service Provider Console does not serve its user list at this address: ${reason}`, {
					description: "A user looked up there was answered 404, which then says nothing. Check the credential's Server URL and API Version.",
				});
			},
		);
		await this.collection;
	}

	/**
	 * `PATCH /users/{uid}` with JSON Patch operations (the spec's PatchUser: "Array of JSON Patch
	 * operations according to RFC 6902"); the user as the server then has it. A replace sent twice
	 * leaves the same state: idempotent (a password too, but it is a secret of the request).
	 */
	async patchUser(user: VeeamUser, ops: PatchOperation[], secrets: string[] = []): Promise<VeeamUser> {
		const path = this.userPath(user.ref);
		const answer = await this.call<unknown>({ method: 'PATCH', path, body: ops as unknown as IDataObject, idempotent: true, secrets });
		return await this.userAnswer(answer, user.ref, `PATCH ${path}`);
	}

	/** The server's answer differs from what was asked: the change is not reported as done. */
	notApplied(user: VeeamUser, what: string, shown: string | undefined): NodeOperationError {
		return new NodeOperationError(this.node, `Veeam Service Provider Console answered the change of ${user.name}'s ${what} with ${shown ?? 'none'}`, {
			description: 'The answer does not show the change, so it is not reported as done.',
		});
	}
}

/**
 * The resource is not there: a 404 (VSPC's `{errors:[…]}` names no resource; the path does), or
 * VSPC's own code 1100 "Specified user does not exist" whatever the HTTP status (the 3.6.1
 * Overview's "Error Response Codes"; audit). Callers confirm with a read where it matters.
 */
export function isNotFoundAnswer(error: unknown): boolean {
	if (!(error instanceof VeeamApiError)) return false;
	return error.status === 404 || (error.serverErrors ?? []).some((e) => e.code === 1100);
}
