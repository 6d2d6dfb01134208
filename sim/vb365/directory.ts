/**
 * The Microsoft 365 side as VB365 reads it (v8 spec): `GET /{v}/Organizations` (`extendedView`,
 * `msid`, `limit`, `offset`), `/Organizations/{id}`, and per organization `Users` (`userName`,
 * `displayName` with `*` and `?`, `locationFilter`, `dataSource`), `Groups` (`displayName`,
 * `groupName`, `locationFilter`), `Groups/{id}/Members`, `Sites` (`includePersonalSites`,
 * `parentId`, `filter`), `Teams` (`displayName`), each with `limit` (default 30, at most 10,000),
 * `offset` and `setId` ("ID of a request sent earlier and stored in cache"); pages are
 * `{ offset, limit, setId, results, _links }` (`PageOf…`) without a total.
 */
import { wildcardMatcher, type SimRequest, type SimResponse } from '../core/http';
import { enumValue, newUid, type Vb365GroupRecord, type Vb365OrgRecord, type Vb365UserRecord } from './model';
import { vb365BadRequest, vb365NotFound } from './errors';
import type { Vb365DirectoryObject, Vb365Store } from './store';
import { groupView, memberView, orgView, siteView, teamView, userView } from './views';

const LOCATION_FILTERS = ['Cloud', 'OnPremises', 'Hybrid', 'CloudOrHybrid', 'OnPremisesOrHybrid', 'Any'] as const;
const DATA_SOURCES = ['PreferLocal', 'Production', 'PreferLocalResynced'] as const;
const MAX_CACHED_SETS = 256;

export interface Vb365PageLimits {
	/** Largest `limit` (the spec: "The maximum supported number of items per page is 10,000"). */
	maxPageSize: number;
	/** Assumed: a `limit` above the maximum is refused (400); `clamp` serves the maximum. */
	overMax: 'refuse' | 'clamp';
}

/** The request's path version (`v8`). */
export const versionOf = (req: SimRequest): string => (/^\/(v\d+)\//i.exec(req.path)?.[1] ?? 'v8').toLowerCase();

export class Vb365DirectoryRoutes {
	/** Result sets by `setId`: the IDs of a query's answer, served again for the same `setId` (as a cache, not re-read). */
	private readonly sets = new Map<string, unknown[]>();

	constructor(
		private readonly store: Vb365Store,
		private readonly limits: () => Vb365PageLimits,
	) {}

	reset(): void {
		this.sets.clear();
	}

	private intParam(req: SimRequest, name: string, fallback: number, min: number): number {
		const raw = req.query.get(name);
		if (raw === null || raw === '') return fallback;
		if (!/^-?\d+$/.test(raw)) throw vb365BadRequest(`The value '${raw}' is not valid for ${name}.`);
		const value = Number(raw);
		if (value < min) throw vb365BadRequest(`The ${name} parameter must be at least ${min}.`);
		return value;
	}

	private boolParam(req: SimRequest, name: string): boolean | undefined {
		const raw = req.query.get(name);
		if (raw === null || raw === '') return undefined;
		if (/^true$/i.test(raw)) return true;
		if (/^false$/i.test(raw)) return false;
		throw vb365BadRequest(`The value '${raw}' is not valid for ${name}.`);
	}

	private enumParam<T extends string>(req: SimRequest, name: string, allowed: readonly T[]): T | undefined {
		const raw = req.query.get(name);
		if (raw === null || raw === '') return undefined;
		const value = enumValue(raw, allowed);
		if (!value) throw vb365BadRequest(`The value '${raw}' is not valid for ${name}.`);
		return value;
	}

	/** One page of `select()`'s answer, or of the set `setId` names. */
	private page<T>(req: SimRequest, select: () => T[], view: (item: T) => unknown): SimResponse {
		const { maxPageSize, overMax } = this.limits();
		let limit = this.intParam(req, 'limit', 30, 1);
		if (limit > maxPageSize) {
			if (overMax === 'refuse') throw vb365BadRequest(`The limit parameter must not exceed ${maxPageSize}.`);
			limit = maxPageSize;
		}
		const offset = this.intParam(req, 'offset', 0, 0);
		const asked = req.query.get('setId');
		// Assumption: an unknown (expired) setId starts a new set rather than failing.
		let setId = asked?.toLowerCase() ?? '';
		let items = setId ? (this.sets.get(setId) as T[] | undefined) : undefined;
		if (!items) {
			items = select();
			setId = newUid();
			if (this.sets.size >= MAX_CACHED_SETS) this.sets.delete(this.sets.keys().next().value as string);
			this.sets.set(setId, items);
		}
		const results = items.slice(offset, offset + limit).map(view);
		// v7 pages also carry `totalCount` (the v7 spec's PageOf… schemas); v8's do not.
		const total = versionOf(req) === 'v7' ? { totalCount: items.length } : {};
		// REST help, "Pagination" (helpcenter.veeam.com/docs/vbo365/rest/pagination.html): "If it is possible
		// to navigate to other pages, the server will also return the links to the first, previous, and
		// next pages", its example in this order, hrefs with offset and limit only.
		const at = (n: number) => ({ href: `${req.path}?offset=${n}&limit=${limit}` });
		const links: Record<string, { href: string }> = {};
		if (offset > 0) Object.assign(links, { first: at(0), prev: at(Math.max(0, offset - limit)) });
		links.self = at(offset);
		if (offset + limit < items.length) links.next = at(offset + limit);
		return { status: 200, body: { offset, limit, setId, results, ...total, _links: links } };
	}

	private orgOf(req: SimRequest): Vb365OrgRecord {
		const org = this.store.org(req.params.organizationId ?? '');
		if (!org) throw vb365NotFound(`Organization with ID ${req.params.organizationId} was not found.`);
		return org;
	}

	private location(req: SimRequest): (l: string) => boolean {
		const f = this.enumParam(req, 'locationFilter', LOCATION_FILTERS) ?? 'Any';
		this.enumParam(req, 'dataSource', DATA_SOURCES);
		if (f === 'Any') return () => true;
		if (f === 'CloudOrHybrid') return (l) => l === 'Cloud' || l === 'Hybrid';
		if (f === 'OnPremisesOrHybrid') return (l) => l === 'OnPremises' || l === 'Hybrid';
		return (l) => l === f;
	}

	/** v8: a page; v7: a plain array, `extendedView` its only parameter (the v7 spec). */
	organizations(req: SimRequest): SimResponse {
		const extended = this.boolParam(req, 'extendedView') === true;
		const v = versionOf(req);
		if (v === 'v7') return { status: 200, body: [...this.store.orgs.values()].map((o) => orgView(o, v, extended)) };
		const msid = req.query.get('msid')?.toLowerCase();
		return this.page(req, () => [...this.store.orgs.values()].filter((o) => !msid || o.msid === msid), (o) => orgView(o, v, extended));
	}

	organization(req: SimRequest): SimResponse {
		const extended = this.boolParam(req, 'extendedView') === true;
		return { status: 200, body: orgView(this.orgOf(req), versionOf(req), extended) };
	}

	users(req: SimRequest): SimResponse {
		const org = this.orgOf(req);
		const location = this.location(req);
		const userName = req.query.get('userName')?.toLowerCase();
		const display = req.query.get('displayName');
		const matches = display ? wildcardMatcher(display) : () => true;
		const v = versionOf(req);
		const select = () => [...this.store.directory(org.id).users.values()].filter((u) => location(u.locationType) && (!userName || u.name.toLowerCase() === userName) && matches(u.displayName));
		return this.page(req, select, (u: Vb365UserRecord) => userView(u, v));
	}

	user(req: SimRequest): SimResponse {
		const org = this.orgOf(req);
		this.enumParam(req, 'dataSource', DATA_SOURCES);
		const found = this.store.object(org.id, 'User', req.params.userId ?? '');
		if (found?.kind !== 'User') throw vb365NotFound(`User with ID ${req.params.userId} was not found.`);
		return { status: 200, body: userView(found.record, versionOf(req)) };
	}

	groups(req: SimRequest): SimResponse {
		const org = this.orgOf(req);
		const location = this.location(req);
		const groupName = req.query.get('groupName')?.toLowerCase();
		const display = req.query.get('displayName');
		const matches = display ? wildcardMatcher(display) : () => true;
		const v = versionOf(req);
		const select = () => [...this.store.directory(org.id).groups.values()].filter((g) => location(g.locationType) && (!groupName || g.name?.toLowerCase() === groupName) && matches(g.displayName));
		return this.page(req, select, (g: Vb365GroupRecord) => groupView(g, v));
	}

	private groupOf(req: SimRequest): Vb365GroupRecord {
		const org = this.orgOf(req);
		this.enumParam(req, 'dataSource', DATA_SOURCES);
		const found = this.store.object(org.id, 'Group', req.params.groupId ?? '');
		if (found?.kind !== 'Group') throw vb365NotFound(`Group with ID ${req.params.groupId} was not found.`);
		return found.record;
	}

	group(req: SimRequest): SimResponse {
		return { status: 200, body: groupView(this.groupOf(req), versionOf(req)) };
	}

	/** Direct members only (a nested group is listed as a `Group` member; assumed, as Get-VBOOrganizationGroupMember's member type says). */
	members(req: SimRequest): SimResponse {
		const group = this.groupOf(req);
		const v = versionOf(req);
		const select = () =>
			group.members
				.map((id) => this.store.object(group.organizationId, 'User', id) ?? this.store.object(group.organizationId, 'Group', id))
				.filter((m): m is Vb365DirectoryObject => m !== undefined);
		return this.page(req, select, (m) => memberView(group, m, v));
	}

	sites(req: SimRequest): SimResponse {
		const org = this.orgOf(req);
		this.enumParam(req, 'locationFilter', ['Cloud', 'OnPremises', 'Any'] as const);
		this.enumParam(req, 'dataSource', DATA_SOURCES);
		this.boolParam(req, 'includeSearchSites');
		// Assumed: personal (OneDrive) sites only when asked for.
		const personal = this.boolParam(req, 'includePersonalSites') ?? false;
		const parentId = req.query.get('parentId')?.toLowerCase();
		const parent = parentId && parentId !== 'root' ? this.store.object(org.id, 'Site', parentId) : undefined;
		if (parentId && parentId !== 'root' && !parent) throw vb365NotFound(`Site with ID ${parentId} was not found.`);
		const keyword = req.query.get('filter')?.toLowerCase();
		const v = versionOf(req);
		const select = () =>
			[...this.store.directory(org.id).sites.values()].filter(
				(s) =>
					(personal || !s.isPersonal) &&
					(!parent || (parent.kind === 'Site' && s.parentUrl === parent.record.url)) &&
					(parentId !== 'root' || s.parentUrl === '') &&
					(!keyword || `${s.title}\n${s.name}\n${s.url}`.toLowerCase().includes(keyword)),
			);
		return this.page(req, select, (s) => siteView(s, v));
	}

	site(req: SimRequest): SimResponse {
		const org = this.orgOf(req);
		const found = this.store.object(org.id, 'Site', req.params.siteId ?? '');
		if (found?.kind !== 'Site') throw vb365NotFound(`Site with ID ${req.params.siteId} was not found.`);
		return { status: 200, body: siteView(found.record, versionOf(req)) };
	}

	teams(req: SimRequest): SimResponse {
		const org = this.orgOf(req);
		this.enumParam(req, 'dataSource', DATA_SOURCES);
		const display = req.query.get('displayName');
		const matches = display ? wildcardMatcher(display) : () => true;
		const v = versionOf(req);
		return this.page(req, () => [...this.store.directory(org.id).teams.values()].filter((t) => matches(t.displayName)), (t) => teamView(t, v));
	}

	team(req: SimRequest): SimResponse {
		const org = this.orgOf(req);
		const found = this.store.object(org.id, 'Team', req.params.teamId ?? '');
		if (found?.kind !== 'Team') throw vb365NotFound(`Team with ID ${req.params.teamId} was not found.`);
		return { status: 200, body: teamView(found.record, versionOf(req)) };
	}
}
