/**
 * Restore-operator roles (v8 spec, tag RbacRole): `GET /{v}/RbacRoles`, `GET|POST
 * /{v}/Organizations/{organizationId}/RbacRoles` (201 + `RESTRbacRole`), `GET|PUT|DELETE
 * /{v}/RbacRoles/{roleId}` (PUT and DELETE 204), and per role `operators`, `selectedItems`,
 * `excludedItems`: GET (a plain array), POST (an array of `RESTRbacOperator` /
 * `RESTRbacItemComposed`, 204), DELETE `?ids=a,b` (comma-separated, 204), GET `…/{id}`. Role
 * types: EntireOrganization, SpecificObjects ("you must specify a collection of objects to
 * manage": helpcenter.veeam.com/docs/vbo365/rest/post_organizations_id_rbacroles.html).
 * What Veeam does not document (duplicates, unknown IDs, PUT without a property) is an option,
 * its default marked "assumed" in sim/contracts/vb365.md.
 */
import type { SimContext } from '../core/context';
import type { SimRequest, SimResponse } from '../core/http';
import { vb365BadRequest, vb365NotFound } from './errors';
import { enumValue, newUid, refIdFor, type Vb365ItemKind, type Vb365Ref, type Vb365RoleRecord, type Vb365RoleType } from './model';
import type { Vb365Store } from './store';
import { versionOf } from './directory';
import { rbacShape, refView, roleView } from './views';

type Json = Record<string, unknown>;
type RefList = 'operators' | 'selected' | 'excluded';

export interface Vb365RbacOptions {
	/** Adding an operator or item a role already has: `ignore` (default, assumed: 204, nothing changes) or `refuse` (400). */
	duplicates?: 'ignore' | 'refuse';
	/** Removing IDs a role does not have: `refuse` (default, assumed: 404 naming one, nothing removed) or `ignore` (204). */
	unknownRemoval?: 'refuse' | 'ignore';
	/** A PUT without `operators`, `selectedItems` or `excludedItems`: `keep` (default, assumed; as Set-VBORbacRole keeps omitted settings) or `clear`. */
	putOmitted?: 'keep' | 'clear';
	/**
	 * An operator or item body without a property its schema requires (`RESTRbacUser`: id, displayName,
	 * name, type; `RESTRbacGroup` the same; `RESTRbacSite`: id, url, title, isCloud, isPersonal;
	 * `RESTRbacTeam`: id, displayName, mail): refused (default, 400: the spec's `required`; what the
	 * server does is not documented) unless `lenient` (only the id is read).
	 */
	bodies?: 'strict' | 'lenient';
	/** Two roles of one organization with the same name (case-insensitive): accepted (default, assumed: no rule found) unless true (400). */
	uniqueRoleNames?: boolean;
}

const ROLE_TYPES: readonly Vb365RoleType[] = ['EntireOrganization', 'SpecificObjects'];
const OPERATOR_KINDS: readonly Vb365ItemKind[] = ['User', 'Group'];
const ITEM_KINDS: readonly Vb365ItemKind[] = ['User', 'Group', 'Site', 'Team'];
const LIST_PATH: Record<RefList, string> = { operators: 'operators', selected: 'selectedItems', excluded: 'excludedItems' };
const REQUIRED: Record<Vb365ItemKind, readonly string[]> = {
	User: ['id', 'displayName', 'name', 'type'],
	Group: ['id', 'displayName', 'name', 'type'],
	Site: ['id', 'url', 'title', 'isCloud', 'isPersonal'],
	Team: ['id', 'displayName', 'mail'],
};
const LIST_NOUN: Record<RefList, string> = { operators: 'Restore operator', selected: 'Object to manage', excluded: 'Excluded object' };

export class Vb365Rbac {
	constructor(
		private readonly ctx: SimContext,
		private readonly store: Vb365Store,
		private readonly options: () => Vb365RbacOptions,
	) {}

	private roleOf(req: SimRequest): Vb365RoleRecord {
		const role = this.store.role(req.params.roleId ?? '');
		if (!role) throw vb365NotFound(`Restore operator role with ID ${req.params.roleId} was not found.`);
		return role;
	}

	private body(req: SimRequest): unknown {
		if (!String(req.headers['content-type'] ?? '').toLowerCase().includes('application/json')) throw vb365BadRequest('The request body must be application/json.');
		try {
			return JSON.parse(req.rawBody.toString('utf8'));
		} catch {
			throw vb365BadRequest('The request body is not valid JSON.');
		}
	}

	/**
	 * One operator or item of a request body, looked up in the role's organization; one the role
	 * already names (`known`) stays even if it left the directory since (assumed: a PUT of the role as
	 * read must not fail for a leaver deleted from Microsoft 365).
	 */
	private ref(el: unknown, kinds: readonly Vb365ItemKind[], orgId: string, what: string, known?: Map<string, Vb365Ref>): Vb365Ref {
		const o = (el && typeof el === 'object' && !Array.isArray(el) ? el : {}) as Json;
		const kind = enumValue(o.type, kinds);
		if (!kind) throw vb365BadRequest(`The type of ${what} must be one of ${kinds.join(', ')}.`);
		const inner = o[kind.toLowerCase()] as Json | undefined;
		const id = inner && typeof inner === 'object' ? inner.id : undefined;
		if (typeof id !== 'string' || id === '') throw vb365BadRequest(`The ${kind.toLowerCase()} property of ${what} must have an id.`);
		const missing = this.options().bodies === 'lenient' ? undefined : REQUIRED[kind].find((k) => !(k in (inner as Json)));
		if (missing) throw vb365BadRequest(`The ${kind.toLowerCase()} property of ${what} must have ${missing}.`);
		const object = this.store.object(orgId, kind, id);
		const kept = known?.get(id.toLowerCase());
		if (!object && kept?.kind === kind) return kept;
		// Assumed: an object that is not the role's organization's is a bad body (400), not a missing resource.
		if (!object) throw vb365BadRequest(`${kind} with ID ${id} is not an object of organization ${orgId}.`);
		return { refId: refIdFor(object.record.id), kind, id: object.record.id, shape: rbacShape(object) };
	}

	private refs(value: unknown, kinds: readonly Vb365ItemKind[], orgId: string, what: string, known?: Map<string, Vb365Ref>): Vb365Ref[] {
		if (!Array.isArray(value)) throw vb365BadRequest(`${what} must be an array.`);
		return value.map((el) => this.ref(el, kinds, orgId, what, known));
	}

	private static toMap(refs: Vb365Ref[]): Map<string, Vb365Ref> {
		return new Map(refs.map((r) => [r.id.toLowerCase(), r]));
	}

	/** SpecificObjects needs objects to manage (Veeam's text; the 400 is assumed). Selected items on EntireOrganization are kept (assumed). */
	private checkScope(roleType: Vb365RoleType, selected: number): void {
		if (roleType === 'SpecificObjects' && selected === 0) throw vb365BadRequest('A restore operator role of the SpecificObjects type must have objects to manage (selectedItems).');
	}

	private checkName(orgId: string, name: string, self?: string): void {
		if (this.options().uniqueRoleNames !== true) return;
		const clash = this.store.rolesOf(orgId).find((r) => r.id !== self && r.name.toLowerCase() === name.toLowerCase());
		if (clash) throw vb365BadRequest(`A restore operator role with the name ${name} already exists.`);
	}

	// ---- roles ------------------------------------------------------------------------------

	all(req: SimRequest): SimResponse {
		const v = versionOf(req);
		return { status: 200, body: [...this.store.roles.values()].map((r) => roleView(r, v)) };
	}

	ofOrganization(req: SimRequest): SimResponse {
		const org = this.store.org(req.params.organizationId ?? '');
		if (!org) throw vb365NotFound(`Organization with ID ${req.params.organizationId} was not found.`);
		const v = versionOf(req);
		return { status: 200, body: this.store.rolesOf(org.id).map((r) => roleView(r, v)) };
	}

	get(req: SimRequest): SimResponse {
		return { status: 200, body: roleView(this.roleOf(req), versionOf(req)) };
	}

	create(req: SimRequest): SimResponse {
		const org = this.store.org(req.params.organizationId ?? '');
		if (!org) throw vb365NotFound(`Organization with ID ${req.params.organizationId} was not found.`);
		const b = this.body(req) as Json;
		if (!b || typeof b !== 'object' || Array.isArray(b)) throw vb365BadRequest('The request body must be a restore operator role.');
		if (typeof b.organizationId === 'string' && b.organizationId.toLowerCase() !== org.id) throw vb365BadRequest('The organizationId of the role does not match the organization in the path.');
		const name = typeof b.name === 'string' ? b.name.trim() : '';
		if (!name) throw vb365BadRequest('The name of the restore operator role is required.');
		const roleType = enumValue(b.roleType, ROLE_TYPES);
		if (!roleType) throw vb365BadRequest('The roleType must be EntireOrganization or SpecificObjects.');
		const description = typeof b.description === 'string' ? b.description : '';
		const operators = b.operators == null ? [] : this.refs(b.operators, OPERATOR_KINDS, org.id, 'operators');
		const selected = b.selectedItems == null ? [] : this.refs(b.selectedItems, ITEM_KINDS, org.id, 'selectedItems');
		const excluded = b.excludedItems == null ? [] : this.refs(b.excludedItems, ITEM_KINDS, org.id, 'excludedItems');
		this.checkScope(roleType, selected.length);
		this.checkName(org.id, name);
		const role = this.store.addRole({
			id: newUid(),
			organizationId: org.id,
			name,
			description,
			roleType,
			operators: Vb365Rbac.toMap(operators),
			selected: Vb365Rbac.toMap(selected),
			excluded: Vb365Rbac.toMap(excluded),
		});
		this.ctx.log.record('createRole', role.id, { organizationId: org.id, name, roleType, operators: operators.length, selected: selected.length, excluded: excluded.length });
		// v8 answers 201, v7 200 (the two specs; v8's "Breaking Changes" unified the codes).
		return { status: versionOf(req) === 'v8' ? 201 : 200, body: roleView(role, versionOf(req)) };
	}

	update(req: SimRequest): SimResponse {
		const role = this.roleOf(req);
		const b = this.body(req) as Json;
		if (!b || typeof b !== 'object' || Array.isArray(b)) throw vb365BadRequest('The request body must be a restore operator role.');
		const clear = this.options().putOmitted === 'clear';
		const name = b.name === undefined || b.name === null ? role.name : typeof b.name === 'string' ? b.name.trim() : '';
		if (!name) throw vb365BadRequest('The name of the restore operator role is required.');
		const roleType = b.roleType === undefined || b.roleType === null ? role.roleType : enumValue(b.roleType, ROLE_TYPES);
		if (!roleType) throw vb365BadRequest('The roleType must be EntireOrganization or SpecificObjects.');
		// A list that is present replaces the role's; an object it already had keeps its operator / item ID (assumed).
		const list = (value: unknown, kinds: readonly Vb365ItemKind[], current: Map<string, Vb365Ref>, what: string) =>
			value === undefined || value === null
				? clear
					? new Map<string, Vb365Ref>()
					: current
				: Vb365Rbac.toMap(this.refs(value, kinds, role.organizationId, what, current).map((r) => current.get(r.id.toLowerCase()) ?? r));
		const operators = list(b.operators, OPERATOR_KINDS, role.operators, 'operators');
		const selected = list(b.selectedItems, ITEM_KINDS, role.selected, 'selectedItems');
		const excluded = list(b.excludedItems, ITEM_KINDS, role.excluded, 'excludedItems');
		// Assumed: the rule is checked against the change. A SpecificObjects role left without objects
		// (its last one removed with DELETE …/selectedItems) can still be renamed with its lists as read.
		if (role.roleType !== 'SpecificObjects' || role.selected.size > 0) this.checkScope(roleType, selected.size);
		this.checkName(role.organizationId, name, role.id);
		role.name = name;
		if (typeof b.description === 'string' || clear) role.description = typeof b.description === 'string' ? b.description : '';
		role.roleType = roleType;
		role.operators = operators;
		role.selected = selected;
		role.excluded = excluded;
		this.store.touch();
		this.ctx.log.record('updateRole', role.id, { name, roleType, operators: operators.size, selected: selected.size, excluded: excluded.size });
		return { status: 204 };
	}

	remove(req: SimRequest): SimResponse {
		const role = this.roleOf(req);
		this.store.removeRole(role.id);
		this.ctx.log.record('deleteRole', role.id, { organizationId: role.organizationId, name: role.name });
		return { status: 204 };
	}

	// ---- operators and items ----------------------------------------------------------------

	private link(req: SimRequest, role: Vb365RoleRecord, list: RefList): string {
		return `/${versionOf(req)}/rbacRoles/${role.id}/${LIST_PATH[list]}`;
	}

	private view(req: SimRequest, role: Vb365RoleRecord, list: RefList, ref: Vb365Ref): Json {
		return refView(ref, this.store.object(role.organizationId, ref.kind, ref.id), this.link(req, role, list));
	}

	listRefs(req: SimRequest, list: RefList): SimResponse {
		const role = this.roleOf(req);
		return { status: 200, body: [...this.mapOf(role, list).values()].map((ref) => this.view(req, role, list, ref)) };
	}

	getRef(req: SimRequest, list: RefList): SimResponse {
		const role = this.roleOf(req);
		const id = req.params.operatorId ?? req.params.itemId ?? '';
		const ref = this.byRefId(role, list, id);
		if (!ref) throw vb365NotFound(`${LIST_NOUN[list]} with ID ${id} was not found in restore operator role ${role.id}.`);
		return { status: 200, body: this.view(req, role, list, ref) };
	}

	addRefs(req: SimRequest, list: RefList): SimResponse {
		const role = this.roleOf(req);
		const body = this.body(req);
		const refs = this.refs(body, list === 'operators' ? OPERATOR_KINDS : ITEM_KINDS, role.organizationId, LIST_PATH[list]);
		if (refs.length === 0) throw vb365BadRequest(`The request must name at least one item of ${LIST_PATH[list]}.`);
		const map = this.mapOf(role, list);
		const fresh = refs.filter((r) => !map.has(r.id.toLowerCase()));
		if (fresh.length < refs.length && this.options().duplicates === 'refuse') {
			const dup = refs.find((r) => map.has(r.id.toLowerCase()));
			throw vb365BadRequest(`${dup?.kind} with ID ${dup?.id} is already added to restore operator role ${role.name}.`);
		}
		for (const r of fresh) map.set(r.id.toLowerCase(), r);
		if (fresh.length) this.store.touch();
		this.ctx.log.record(`add:${LIST_PATH[list]}`, role.id, { ids: fresh.map((r) => r.id) });
		return { status: 204 };
	}

	removeRefs(req: SimRequest, list: RefList): SimResponse {
		const role = this.roleOf(req);
		const raw = req.query.get('ids');
		const ids = (raw ?? '').split(',').map((s) => s.trim()).filter(Boolean);
		if (!ids.length) throw vb365BadRequest('The ids parameter is required.');
		const map = this.mapOf(role, list);
		const unknown = ids.find((id) => !this.byRefId(role, list, id));
		if (unknown && this.options().unknownRemoval !== 'ignore') throw vb365NotFound(`${LIST_NOUN[list]} with ID ${unknown} was not found in restore operator role ${role.id}.`);
		// Assumed allowed: removing a SpecificObjects role's last object to manage (its operators then restore nothing).
		const gone: string[] = [];
		for (const id of ids) {
			const ref = this.byRefId(role, list, id);
			if (ref && map.delete(ref.id.toLowerCase())) gone.push(ref.refId);
		}
		if (gone.length) this.store.touch();
		this.ctx.log.record(`remove:${LIST_PATH[list]}`, role.id, { ids: gone });
		return { status: 204 };
	}

	/** An operator or item by its own ID (case-insensitive). */
	private byRefId(role: Vb365RoleRecord, list: RefList, refId: string): Vb365Ref | undefined {
		const wanted = refId.toLowerCase();
		for (const ref of this.mapOf(role, list).values()) if (ref.refId.toLowerCase() === wanted) return ref;
		return undefined;
	}

	private mapOf(role: Vb365RoleRecord, list: RefList): Map<string, Vb365Ref> {
		return list === 'operators' ? role.operators : list === 'selected' ? role.selected : role.excluded;
	}
}
