/**
 * Veeam Backup for Microsoft 365 (VB365, REST v8, version in the path): what the package manages
 * there is restore-operator roles, not VB365's own administrators (no REST call manages those).
 * A role belongs to one backed-up organization; it names its operators (Microsoft 365 users or
 * groups of that organization) and its scope: the entire organization, or selected items (users,
 * groups, sites, teams) less excluded ones. The calls, with their source (Cenvora/veeam-365
 * `openapi_schemas/vb365_rest_v8.json`, subset /work/shared/reference/vb365-v8.rbac.openapi.json;
 * Veeam's pages in sim/contracts/vb365.md), are listed on `Vb365Access`.
 *
 * Reached through `UserDirectory.vb365?.()` (client/model.ts): one object per execution, which
 * caches the organization list for the run and nothing else (roles and operators are always read
 * when asked: read-backs must see the server as it is now).
 */

export type Vb365PrincipalKind = 'user' | 'group';
export type Vb365ItemKind = 'user' | 'group' | 'site' | 'team';
/** `RESTRbacRole.roleType` (nullable in the spec: absent when the server sends none or another value). */
export type Vb365RoleType = 'EntireOrganization' | 'SpecificObjects';
/** Which item list of a role: `selectedItems` (the scope) or `excludedItems` (taken out of it). */
export type Vb365ItemList = 'selected' | 'excluded';

/** `RestOrganizationComposed` (GET /v8/Organizations, paged `offset`/`limit`, `PageOfRestOrganizationComposed`). */
export interface Vb365Organization {
	/** `id` (UUID), lower-cased. */
	id: string;
	/** `name` (e.g. `contoso.onmicrosoft.com`). */
	name: string;
	/** `type`: Office365 | OnPremises | Hybrid, as sent. */
	type?: string;
	/** `officeName`, where sent. */
	officeName?: string;
}

/**
 * A Microsoft 365 user or group of an organization: who can be an operator (`RESTRbacUser` /
 * `RESTRbacGroup`; looked up in `GET /v8/Organizations/{id}/Users|Groups`, `RESTUser` / `RESTGroup`).
 */
export interface Vb365Principal {
	/** The organization user's or group's `id`, as sent (not a UUID in the spec: compared case-insensitively). */
	id: string;
	kind: Vb365PrincipalKind;
	/** User: `name`, the e-mail address / UPN. Group: `name` (nullable in the spec: '' when none). */
	name: string;
	/** `displayName` ('' when none). */
	displayName: string;
	/**
	 * `type` as the RBAC schemas spell it: user User | SharedMailbox | PublicMailbox, group Office365 |
	 * Security | Distribution | DynamicDistribution | Unknown. (The organization user list spells
	 * User | Shared | Public: the adapter translates.) Absent when the server sends none.
	 */
	subtype?: string;
	/** `onPremisesSid` (hybrid and on-premises organizations). */
	onPremisesSid?: string;
}

/** An operator of a role (`RESTRbacOperator`: `{ id, type, user | group }`). */
export interface Vb365Operator extends Vb365Principal {
	/**
	 * The operator's own `id` ("ID of the restore operator"): what `DELETE …/operators?ids=` takes.
	 * The spec does not say it equals the principal's `id`; the adapter never assumes it does.
	 */
	operatorId: string;
}

/**
 * An object a role's scope names or excludes (`RESTRbacItemComposed`: `{ id, type, user | group |
 * site | team }`), or one found in the organization to add (then `itemId` is absent).
 */
export interface Vb365Item {
	/** The item's own `id` in the role's list: what `DELETE …/selectedItems|excludedItems?ids=` takes. */
	itemId?: string;
	/**
	 * `unknown`: an item a role's list carries with a type the REST schema does not have (PowerShell's
	 * role items include personal sites and whole organizations, VBORbacPersonalSites /
	 * VBORbacOrganizationRoleItem): kept, with its `type` in `sentType`; never added by the package
	 * (a role's PUT sends it back as read); its scope cannot be told.
	 */
	kind: Vb365ItemKind | 'unknown';
	/** `unknown` items: the `type` as the server sent it. */
	sentType?: string;
	/** `unknown` items: the entry as the server sent it (without `_links`), which a role's PUT sends back as it is. */
	raw?: Readonly<Record<string, unknown>>;
	/** The object's ID (`user.id`, `group.id`, `site.id`, `team.id`). */
	id: string;
	/** What a person calls it: user e-mail, group name, site URL (else title), team e-mail (else display name). */
	name: string;
	/** User / group / team `displayName`, site `title` ('' when none). */
	displayName: string;
	/** Users and groups: as `Vb365Principal.subtype`. */
	subtype?: string;
	onPremisesSid?: string;
	/** Sites: `url`, `parentUrl`, `isCloud`, `isPersonal`. */
	url?: string;
	parentUrl?: string;
	isCloud?: boolean;
	isPersonal?: boolean;
	/** Teams: `mail`, `description`. */
	mail?: string;
	description?: string;
}

/** `RESTRbacRole`, with what was read of its operators and items (absent: not read). */
export interface Vb365Role {
	/** `id` (UUID), lower-cased. */
	id: string;
	/** `organizationId` (UUID), lower-cased. */
	organizationId: string;
	name: string;
	description: string;
	roleType?: Vb365RoleType;
	operators?: Vb365Operator[];
	selected?: Vb365Item[];
	excluded?: Vb365Item[];
}

/** A role to create (`RESTRbacRoleCreateModel`, POST /v8/Organizations/{organizationId}/RbacRoles). */
export interface Vb365NewRole {
	organizationId: string;
	name: string;
	description?: string;
	roleType: Vb365RoleType;
	operators?: Vb365Principal[];
	/** SpecificObjects: the spec says a role of that type must name objects to manage. */
	selected?: Vb365Item[];
	excluded?: Vb365Item[];
}

/** What `updateRole` changes: only the fields given; operators and items keep what the server has. */
export interface Vb365RoleChanges {
	name?: string;
	description?: string;
	roleType?: Vb365RoleType;
}

/** `RESTGroupMember` (GET /v8/Organizations/{id}/Groups/{groupId}/Members): no member ID in the spec. */
export interface Vb365GroupMember {
	/** `name` (a display name). */
	name: string;
	/** `login` (the account's login, an e-mail / UPN for cloud accounts). */
	login: string;
	/** `type`: Unknown | User | Group, as sent. */
	type?: string;
	isCloud?: boolean;
}

/**
 * The VB365 calls. Every list is read whole and checked here (an answer that is not an array, an
 * entry without its ID, an entry of another organization or role is refused or dropped as each
 * call says); every change is read back and the read-back returned; a change the server does not
 * show is an error, never reported done. IDs are compared case-insensitively. Errors that name a
 * node field take it as `field` (e.g. 'Organization', 'Operator').
 */
export interface Vb365Access {
	/** GET /v8/Organizations?offset&limit (all pages; read once per execution). */
	organizations(): Promise<Vb365Organization[]>;
	/**
	 * The organization with this ID, or named so (`name` or `officeName`, without regard to case).
	 * Throws a NodeOperationError naming `field` when none matches or several do (with their IDs).
	 */
	findOrganization(nameOrId: string, field: string): Promise<Vb365Organization>;
	/**
	 * The roles of one organization (GET /v8/Organizations/{id}/RbacRoles) or of all
	 * (GET /v8/RbacRoles), a plain array; entries of another organization are dropped whatever the
	 * server sends. Operators and items not read.
	 */
	roles(organizationId?: string): Promise<Vb365Role[]>;
	/** GET /v8/RbacRoles/{roleId}; undefined when the server says it has no such role (404). */
	role(roleId: string): Promise<Vb365Role | undefined>;
	/**
	 * POST /v8/Organizations/{organizationId}/RbacRoles (201), then the role read back with its
	 * operators and items. After an unclear answer it looks for a role of that name first and never
	 * sends the create twice blindly. Refused with nothing sent: a name the organization already has
	 * (without regard to case), a SpecificObjects role without selected items, an empty name.
	 * Operators and items read from another role are sent without that role's own ids.
	 */
	createRole(role: Vb365NewRole): Promise<Vb365Role>;
	/**
	 * PUT /v8/RbacRoles/{roleId} with the whole `RESTRbacRoleCreateModel` (the role's current
	 * operators and items as just read, so a server that takes an absent list for an empty one loses
	 * nothing), then read back with operators and items. Only what changes is judged before sending;
	 * nothing is sent when nothing changes; an operator or item the PUT carried but the read-back
	 * lacks is an error naming it (selected items may go with a switch to EntireOrganization).
	 */
	updateRole(roleId: string, changes: Vb365RoleChanges): Promise<Vb365Role>;
	/** DELETE /v8/RbacRoles/{roleId}, read back (gone); `absent` when it was already gone. */
	deleteRole(roleId: string): Promise<'deleted' | 'absent'>;
	/** GET /v8/RbacRoles/{roleId}/operators (a plain array). */
	operators(roleId: string): Promise<Vb365Operator[]>;
	/**
	 * POST /v8/RbacRoles/{roleId}/operators with `[{ type, user | group }]` for the principals the
	 * role does not name yet (none: nothing sent), then the operators read back; each given
	 * principal must be among them. `current`: the role's operators as the caller has just read
	 * them (saves the read before; the read-back is made either way).
	 */
	addOperators(roleId: string, principals: Vb365Principal[], current?: Vb365Operator[]): Promise<Vb365Operator[]>;
	/**
	 * DELETE /v8/RbacRoles/{roleId}/operators?ids=a,b (operator IDs, comma-separated) for those the
	 * role still names (none: nothing sent), then read back; none of them may remain. `current` as
	 * for addOperators: revoking a leaver from every role costs the role list, one operators read
	 * per role (rolesWithOperators) and, per role naming them, the DELETE and its read-back.
	 */
	removeOperators(roleId: string, operatorIds: string[], current?: Vb365Operator[]): Promise<Vb365Operator[]>;
	/** GET /v8/RbacRoles/{roleId}/selectedItems | excludedItems (plain arrays). */
	items(roleId: string, list: Vb365ItemList): Promise<Vb365Item[]>;
	/** POST …/selectedItems | excludedItems with `[{ type, user | group | site | team }]` for the new ones, read back. */
	addItems(roleId: string, list: Vb365ItemList, items: Vb365Item[]): Promise<Vb365Item[]>;
	/** DELETE …/selectedItems | excludedItems?ids=a,b (item IDs) for those still listed, read back. */
	removeItems(roleId: string, list: Vb365ItemList, itemIds: string[]): Promise<Vb365Item[]>;
	/**
	 * The user or group of the organization this text names: its ID (GET …/Users/{id} or
	 * …/Groups/{id}), else its e-mail / UPN or name, else its display name (GET …/Users?userName= /
	 * ?displayName=, …/Groups?groupName= / ?displayName=; every answer matched again here, exactly,
	 * without regard to case). `kind` limits the search (a group is never taken for a user or back).
	 * Undefined when none; several → NodeOperationError naming `field` and the candidates' IDs.
	 */
	findPrincipal(organizationId: string, text: string, kind: Vb365PrincipalKind | undefined, field: string): Promise<Vb365Principal | undefined>;
	/**
	 * As findPrincipal for an item to scope a role with; sites (…/Sites?filter=, matched by URL,
	 * title or ID) and teams (…/Teams?displayName=, by e-mail, display name or ID) too.
	 */
	findItem(organizationId: string, text: string, kind: Vb365ItemKind, field: string): Promise<Vb365Item | undefined>;
	/**
	 * The whole picture: the roles of one or every organization, each with `operators` read
	 * (`concurrency` reads in flight, default 8). Any failed read fails the whole call: never a
	 * partial picture taken for the whole.
	 */
	rolesWithOperators(organizationId?: string, concurrency?: number): Promise<Vb365Role[]>;
	/**
	 * GET /v8/Organizations/{id}/Groups/{groupId}/Members (all pages): who a group operator
	 * grants restore rights to (Offboard's "groups that still grant it").
	 */
	groupMembers(organizationId: string, groupId: string): Promise<Vb365GroupMember[]>;
}
