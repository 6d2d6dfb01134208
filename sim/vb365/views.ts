/**
 * Records as the v8 spec's schemas: `RestOrganizationComposed`, `RESTUser`, `RESTGroup`,
 * `RESTGroupMember`, `RESTSite`, `RESTTeam` (the organization's directory) and the RBAC shapes
 * `RESTRbacRole`, `RESTRbacOperator`, `RESTRbacItemComposed` with `RESTRbacUser`, `RESTRbacGroup`,
 * `RESTRbacSite`, `RESTRbacTeam`. `_links` as Veeam's "Getting Restore Operator Roles" example
 * writes them (lower-case `rbacRoles`, a `selectedItem` key); `v` is the request's path version.
 */
import type { Vb365DirectoryObject } from './store';
import type { Vb365GroupRecord, Vb365OrgRecord, Vb365Ref, Vb365RoleRecord, Vb365SiteRecord, Vb365TeamRecord, Vb365UserRecord } from './model';

type Json = Record<string, unknown>;
const href = (path: string) => ({ href: path });

/** `extended`: `extendedView=true` adds `isBackedup`, `firstBackuptime`, `lastBackuptime` (the spec's parameter text). */
export function orgView(o: Vb365OrgRecord, v: string, extended = false): Json {
	const backup = extended ? { isBackedup: true, firstBackuptime: '2026-01-05T01:00:00Z', lastBackuptime: '2026-12-05T01:00:00Z' } : {};
	return {
		isTeamsOnline: o.type !== 'OnPremises',
		isTeamsChatsOnline: false,
		exchangeOnlineSettings: null,
		sharePointOnlineSettings: null,
		isExchangeOnline: o.type !== 'OnPremises',
		isSharePointOnline: o.type !== 'OnPremises',
		type: o.type,
		region: 'Worldwide',
		id: o.id,
		name: o.name,
		officeName: o.officeName,
		description: o.description,
		msid: o.msid,
		...backup,
		_links: {
			self: href(`/${v}/organizations/${o.id}`),
			users: href(`/${v}/organizations/${o.id}/users`),
			groups: href(`/${v}/organizations/${o.id}/groups`),
			sites: href(`/${v}/organizations/${o.id}/sites`),
			teams: href(`/${v}/organizations/${o.id}/teams`),
			rbacRoles: href(`/${v}/organizations/${o.id}/rbacRoles`),
		},
	};
}

export function userView(u: Vb365UserRecord, v: string): Json {
	const out: Json = { id: u.id, eTag: 1, displayName: u.displayName, name: u.name, type: u.type, locationType: u.locationType, office: u.office, msid: u.msid };
	if (u.onPremisesSid) out.onPremisesSid = u.onPremisesSid;
	out._links = { self: href(`/${v}/organizations/${u.organizationId}/users/${u.id}`), organization: href(`/${v}/organizations/${u.organizationId}`) };
	return out;
}

export function groupView(g: Vb365GroupRecord, v: string): Json {
	return {
		id: g.id,
		eTag: 1,
		onPremisesSid: g.onPremisesSid ?? null,
		displayName: g.displayName,
		name: g.name,
		managedBy: null,
		site: null,
		type: g.type,
		locationType: g.locationType,
		msid: g.msid,
		_links: {
			self: href(`/${v}/organizations/${g.organizationId}/groups/${g.id}`),
			members: href(`/${v}/organizations/${g.organizationId}/groups/${g.id}/members`),
			organization: href(`/${v}/organizations/${g.organizationId}`),
		},
	};
}

/** `RESTGroupMember`: `groupId` is the group the account belongs to (the spec's text); no member ID. */
export function memberView(group: Vb365GroupRecord, member: Vb365DirectoryObject, v: string): Json {
	const name = member.kind === 'User' ? member.record.displayName : member.kind === 'Group' ? member.record.displayName : '';
	const login = member.kind === 'User' ? member.record.name : member.kind === 'Group' ? (member.record.name ?? '') : '';
	const isCloud = (member.kind === 'User' || member.kind === 'Group') && member.record.locationType !== 'OnPremises';
	return { groupId: group.id, name, login, type: member.kind === 'User' || member.kind === 'Group' ? member.kind : 'Unknown', isCloud, _links: { group: href(`/${v}/organizations/${group.organizationId}/groups/${group.id}`) } };
}

export function siteView(s: Vb365SiteRecord, v: string): Json {
	return {
		id: s.id,
		eTag: 1,
		url: s.url,
		parentUrl: s.parentUrl,
		name: s.name,
		isCloud: s.isCloud,
		isPersonal: s.isPersonal,
		title: s.title,
		isAvailable: true,
		_links: { self: href(`/${v}/organizations/${s.organizationId}/sites/${s.id}`) },
	};
}

export function teamView(t: Vb365TeamRecord, v: string): Json {
	return { id: t.id, eTag: 1, displayName: t.displayName, description: t.description, mail: t.mail, _links: { self: href(`/${v}/organizations/${t.organizationId}/teams/${t.id}`) } };
}

export function roleView(r: Vb365RoleRecord, v: string): Json {
	const self = `/${v}/rbacRoles/${r.id}`;
	return {
		id: r.id,
		organizationId: r.organizationId,
		name: r.name,
		description: r.description,
		roleType: r.roleType,
		_links: {
			self: href(self),
			organization: href(`/${v}/organizations/${r.organizationId}`),
			operators: href(`${self}/operators`),
			selectedItem: href(`${self}/selectedItems`),
			excludedItems: href(`${self}/excludedItems`),
		},
	};
}

/** `RESTRbacUser`: `type` User, SharedMailbox or PublicMailbox (RESTUser's Shared / Public). */
export function rbacUser(u: Vb365UserRecord): Json {
	const out: Json = { id: u.id, displayName: u.displayName, name: u.name, type: u.type === 'Shared' ? 'SharedMailbox' : u.type === 'Public' ? 'PublicMailbox' : 'User' };
	if (u.onPremisesSid) out.onPremisesSid = u.onPremisesSid;
	return out;
}

export function rbacGroup(g: Vb365GroupRecord): Json {
	return { id: g.id, onPremisesSid: g.onPremisesSid ?? null, displayName: g.displayName, name: g.name, type: g.type };
}

export function rbacSite(s: Vb365SiteRecord): Json {
	return { id: s.id, url: s.url, title: s.title, parentUrl: s.parentUrl, isCloud: s.isCloud, isPersonal: s.isPersonal };
}

/** The RBAC shape of a directory object. */
export function rbacShape(object: Vb365DirectoryObject): Json {
	if (object.kind === 'User') return rbacUser(object.record);
	if (object.kind === 'Group') return rbacGroup(object.record);
	if (object.kind === 'Site') return rbacSite(object.record);
	return rbacTeam(object.record);
}

export function rbacTeam(t: Vb365TeamRecord): Json {
	return { id: t.id, description: t.description, displayName: t.displayName, mail: t.mail };
}

/**
 * An operator or item as the role names it. An object the role names that is gone from the
 * directory (a leaver deleted in Microsoft 365) keeps the shape it had when added (assumed).
 */
export function refView(ref: Vb365Ref, object: Vb365DirectoryObject | undefined, link: string): Json {
	const field = ref.kind.toLowerCase();
	const inner = object ? rbacShape(object) : ref.shape;
	return { type: ref.kind, [field]: inner, id: ref.refId, _links: { self: href(`${link}/${ref.refId}`) } };
}
