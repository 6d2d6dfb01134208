import { badRequest, boolParam, intParam, notFound, type SimRequest, type SimResponse } from '../core/http';
import { documentedNameMatcher, enumParam, ok, UUID, ver } from './model';
import { BUILT_IN_ROLES, type VbrRole } from './roles';

const ROLE_ORDER_COLUMNS = ['Name', 'Description'] as const;

/** VBR's roles as the security API serves them (`/api/v1/security/roles[/{id}]`), for one simulator. */
export class VbrRoleStore {
	private roles = new Map<string, VbrRole>();

	constructor(
		private readonly maxPageSize: number,
		/** Name the roles on 1.3-rev1 as its reference does (`VbrOptions.rev1RoleNames`). */
		private readonly rev1Names = false,
		/** 1.3-rev2's custom roles the server starts with (`VbrOptions.customRoles`). */
		private readonly customRoles: readonly VbrRole[] = [],
	) {
		this.reset();
	}

	/** A role's name as the API of `version` shows it. */
	shownName(role: VbrRole, version: string): string {
		return this.rev1Names && version === '1.3-rev1' && role.isBuiltIn ? `Veeam ${role.name}` : role.name;
	}

	/** The shown name of the role with this id (the id itself for an unknown one). */
	shownNameOf(id: string, version: string): string {
		const role = this.roles.get(id);
		return role ? this.shownName(role, version) : id;
	}

	reset(): void {
		this.roles = new Map([...BUILT_IN_ROLES, ...this.customRoles].map((r) => [r.id, { ...r }]));
	}

	has(id: string): boolean {
		return this.roles.has(id);
	}

	all(): VbrRole[] {
		return [...this.roles.values()];
	}

	nameOf(id: string): string {
		return this.roles.get(id)?.name ?? id;
	}

	list(req: SimRequest): SimResponse {
		const q = req.query;
		const skip = intParam(q, 'skip', 0, 0);
		const limit = Math.min(intParam(q, 'limit', 200, 1), this.maxPageSize);
		const orderColumn = enumParam(q, 'orderColumn', ROLE_ORDER_COLUMNS) ?? 'Name';
		const orderAsc = boolParam(q, 'orderAsc') ?? true;
		const nameFilter = q.get('nameFilter');
		const version = ver(req);
		const isBuiltInFilter = version === '1.3-rev1' ? undefined : boolParam(q, 'isBuiltInFilter');
		const nameMatch = nameFilter ? documentedNameMatcher(nameFilter) : undefined;
		let list = [...this.roles.values()].filter(
			(r) => (!nameMatch || nameMatch(this.shownName(r, version))) && (isBuiltInFilter === undefined || r.isBuiltIn === isBuiltInFilter),
		);
		const key = orderColumn === 'Description' ? (r: VbrRole) => r.description : (r: VbrRole) => this.shownName(r, version);
		list.sort((a, b) => key(a).localeCompare(key(b)));
		if (!orderAsc) list = list.reverse();
		const page = list.slice(skip, skip + limit);
		return ok({
			data: page.map((r) => this.model(r, version)),
			pagination: { total: list.length, count: page.length, skip, limit },
		});
	}

	byId(req: SimRequest): VbrRole {
		const role = this.roles.get(req.params.id.toLowerCase());
		if (!role) throw notFound('Resource does not exist', req.params.id);
		return role;
	}

	/** A custom role created, or one changed in place (customRoles.ts). */
	put(role: VbrRole): void {
		this.roles.set(role.id, role);
	}

	remove(id: string): void {
		this.roles.delete(id);
	}

	get(id: string): VbrRole | undefined {
		return this.roles.get(id.toLowerCase());
	}

	byName(name: string): VbrRole {
		// A custom role may carry a built-in's name (1.3-rev2's examples show a custom "Restore Operator"): the built-in first.
		const named = [...this.roles.values()].filter((r) => r.name.toLowerCase() === name.toLowerCase());
		const role = named.find((r) => r.isBuiltIn) ?? named[0];
		if (!role) throw new Error(`unknown VBR role ${name}`);
		return role;
	}

	/** A role as it appears inside a user (`RoleModel` without `isBuiltIn`, as Veeam's examples show). */
	ref(id: string, version: string): Record<string, unknown> {
		const role = this.roles.get(id);
		return role ? { id: role.id, name: this.shownName(role, version), description: role.description } : { id, name: id };
	}

	/**
	 * A role in the answer of `/users/{id}/roles` (`RolesModel`): with `isBuiltIn` from 1.3-rev2, as
	 * its `RolesModelExample` shows (the user's own `roles`, in `UserModel`, are shown without it).
	 */
	assigned(id: string, version: string): Record<string, unknown> {
		const role = this.roles.get(id);
		return role ? this.model(role, version) : { id, name: id };
	}

	model(role: VbrRole, version: string): Record<string, unknown> {
		const model: Record<string, unknown> = { id: role.id, name: this.shownName(role, version), description: role.description };
		if (version !== '1.3-rev1') model.isBuiltIn = role.isBuiltIn;
		return model;
	}

	/** Role references of a request body (`RoleModel[]`, matched by `id`), as lower-case ids. */
	parseRefs(input: unknown): string[] {
		if (!Array.isArray(input) || input.length === 0) throw badRequest('The roles property must list at least one role.');
		const ids: string[] = [];
		for (const item of input) {
			const id = item && typeof item === 'object' ? (item as Record<string, unknown>).id : undefined;
			if (typeof id !== 'string' || !UUID.test(id)) throw badRequest('Each role must have an id (a UUID).');
			if (!this.has(id.toLowerCase())) throw badRequest(`The role ${id} does not exist.`);
			if (!ids.includes(id.toLowerCase())) ids.push(id.toLowerCase());
		}
		// "You cannot assign a custom role and a built-in role to the same user or user group." (400: assumed)
		const builtIn = ids.map((id) => this.get(id)?.isBuiltIn === true);
		if (builtIn.includes(true) && builtIn.includes(false)) {
			throw badRequest('A custom role and a built-in role cannot be assigned to the same user or group.');
		}
		return ids;
	}
}
