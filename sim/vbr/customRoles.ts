/**
 * VBR 13.1 (REST 1.3-rev2) custom roles: create, edit, delete, clone, details and the restore
 * options a role may allow (sim/contracts/vbr-access-control.md, "POST /api/v1/security/roles" …
 * "GET /api/v1/security/restoreOptions", "The scopes", "Rules Veeam states").
 */
import { randomUUID } from 'node:crypto';

import { badRequest, boolParam, intParam, jsonBody, notFound, SimHttpError, type SimRequest, type SimResponse } from '../core/http';
import { documentedNameMatcher, enumParam, ok, UUID } from './model';
import type { VbrRole } from './roles';
import type { VbrRoleStore } from './roleStore';

type Json = Record<string, unknown>;

/** What a custom role holds beyond `RoleModel`: `CustomRoleSpec` without `name` and `description`. */
export interface CustomRoleDetails {
	manageBackups: boolean;
	manageRestores: boolean;
	inventoryScope?: Json;
	repositoryScope?: Json;
	restorePermissionsScope?: Json;
	restoreTargetScope?: Json;
}

export interface CustomRoleOptions {
	/**
	 * A custom role named as a built-in one: `allow` (default: Veeam's own examples create and list a
	 * custom "Restore Operator" beside the built-in) or `refuse` (400). Two custom roles of one name
	 * (any case) are refused either way (**assumed**: Veeam says nothing).
	 */
	builtInNameClash?: 'allow' | 'refuse';
	/**
	 * Deleting a role some user or group holds (Veeam says nothing; contract, "Rules" and "The
	 * simulator's choices"): `refuse` (default: 500 `ServiceUnavailable`, a status Veeam lists for
	 * `DeleteCustomRole`), `refuse400` (400 `UnexpectedContent`, outside Veeam's list: what a client
	 * must also take as a refusal) or `unassign` (the role leaves its holders).
	 */
	roleInUseDelete?: 'refuse' | 'refuse400' | 'unassign';
	/**
	 * Role create, edit, clone and delete: `untracked` (default: Veeam's four-eyes page does not list
	 * them, its authorization events do not name them; decision 2) or `asUserChanges`: an `Info`
	 * authorization event each, held as `Pending` while four-eyes is on, as user changes are.
	 */
	roleChanges?: 'untracked' | 'asUserChanges';
}

/** `RestoreOptionsResultExample`: the only options Veeam publishes (the full list is not). */
export const RESTORE_OPTIONS = [
	{ code: 0, name: 'FileLevelRestore', group: 'Restore', description: 'Allows file-level restore operations' },
	{ code: 1, name: 'VolumeRestore', group: 'Restore', description: 'Allows volume restore operations' },
] as const;

const SCOPES = ['inventoryScope', 'repositoryScope', 'restorePermissionsScope', 'restoreTargetScope'] as const;
const RESTORE_ORDER_COLUMNS = ['Code', 'Name', 'Group', 'Description'] as const;

/** The users of the server as far as custom roles need them (product.ts keeps them). */
export interface RoleHolders {
	/** Names of the users and groups holding this role. */
	holders(roleId: string): string[];
	/** Takes the role from its holders; refuses (500, as a role in use) if one would be left with none. */
	unassign(roleId: string): void;
	/** A change through four-eyes and the authorization events (product.ts `change`), for `roleChanges: 'asUserChanges'`. */
	change(req: SimRequest, note: { name: string; description: string }, apply: () => void): void;
	/** A role deleted: it leaves the ACL's delegations. */
	deleted(roleId: string): void;
}

export class VbrCustomRoles {
	private details = new Map<string, CustomRoleDetails>();

	constructor(
		private readonly store: VbrRoleStore,
		private readonly holders: RoleHolders,
		private readonly options: CustomRoleOptions = {},
	) {}

	/** Custom roles the server starts with (`VbrOptions.customRoles`) get scopes over everything (**assumed**). */
	reset(): void {
		this.details = new Map(
			this.store
				.all()
				.filter((r) => !r.isBuiltIn)
				.map((r) => [r.id, { manageBackups: r.permissions.includes('ManageJobs'), manageRestores: r.permissions.includes('StartRestore') }]),
		);
	}

	/** Whether a custom role lets its holders back up or restore ("Also available to custom roles that have backup or restore permissions"). */
	hasBackupOrRestore(roleId: string): boolean {
		const d = this.details.get(roleId);
		return d !== undefined && (d.manageBackups || d.manageRestores);
	}

	create(req: SimRequest): SimResponse {
		const spec = this.parse(jsonBody(req));
		this.refuseNameTaken(spec.name);
		const role = build(randomUUID(), spec.name, spec.description, spec.details);
		this.apply(req, 'Add role', `Role ${role.name}: added.`, () => {
			this.refuseNameTaken(spec.name);
			this.save(role, spec.details);
		});
		return { status: 201, body: this.model(role, spec.details) };
	}

	update(req: SimRequest): SimResponse {
		const role = this.custom(req, 'edited');
		const body = jsonBody(req);
		if (typeof body.id !== 'string' || body.id.toLowerCase() !== role.id) {
			throw badRequest('The id property must be the id of the role in the path.');
		}
		const spec = this.parse(body);
		this.refuseNameTaken(spec.name, role.id);
		const next = build(role.id, spec.name, spec.description, spec.details);
		this.apply(req, 'Change role', `Role ${role.name}: changed.`, () => {
			if (this.store.has(role.id)) this.save(next, spec.details);
		});
		return ok(this.model(next, spec.details));
	}

	/**
	 * `DeleteCustomRole` lists 204, 401, 403, 404, 500 only: a built-in role's id is 404 (as its
	 * `/details`), a role in use 500 by default (see `roleInUseDelete`; **assumed**, Veeam says nothing).
	 */
	remove(req: SimRequest): SimResponse {
		const role = this.store.byId(req);
		if (role.isBuiltIn) throw notFound('Resource does not exist', req.params.id);
		const inUse = (unassign: boolean) => {
			if (this.holders.holders(role.id).length === 0) return;
			const mode = this.options.roleInUseDelete ?? 'refuse';
			if (mode === 'refuse') throw roleInUse('The role is assigned to users or groups.');
			if (mode === 'refuse400') throw badRequest('The role is assigned to users or groups.');
			if (unassign) this.holders.unassign(role.id);
		};
		inUse(false);
		this.apply(req, 'Delete role', `Role ${role.name}: deleted.`, () => {
			if (!this.store.has(role.id)) return;
			inUse(true);
			this.store.remove(role.id);
			this.details.delete(role.id);
			this.holders.deleted(role.id);
		});
		return { status: 204 };
	}

	/** "The name of the cloned role is `{original_name}_Clone`." */
	clone(req: SimRequest): SimResponse {
		const role = this.custom(req, 'cloned');
		const name = `${role.name}_Clone`;
		this.refuseNameTaken(name);
		const details = structuredClone(this.detailsOf(role));
		const copy = build(randomUUID(), name, role.description, details);
		this.apply(req, 'Add role', `Role ${name}: added as a clone of ${role.name}.`, () => {
			this.refuseNameTaken(name);
			this.save(copy, details);
		});
		return { status: 201, body: this.model(copy, details) };
	}

	/** A built-in role's id: 404, the only documented refusal with a path id (**assumed**). */
	getDetails(req: SimRequest): SimResponse {
		const role = this.store.byId(req);
		if (role.isBuiltIn) throw notFound('Resource does not exist', req.params.id);
		return ok(this.model(role));
	}

	restoreOptions(req: SimRequest): SimResponse {
		const q = req.query;
		const skip = intParam(q, 'skip', 0, 0);
		const limit = intParam(q, 'limit', 200, 1);
		const column = enumParam(q, 'orderColumn', RESTORE_ORDER_COLUMNS) ?? 'Code';
		const asc = boolParam(q, 'orderAsc') ?? true;
		const filters = (['codeFilter', 'nameFilter', 'groupFilter'] as const).map((name) => {
			const value = q.get(name);
			return value ? documentedNameMatcher(value) : undefined;
		});
		let list = RESTORE_OPTIONS.filter(
			(o) => (!filters[0] || filters[0](String(o.code))) && (!filters[1] || filters[1](o.name)) && (!filters[2] || filters[2](o.group)),
		).map((o) => ({ ...o }));
		const key = (o: (typeof list)[number]) => (column === 'Code' ? String(o.code).padStart(10, '0') : String(o[column.toLowerCase() as 'name']));
		list.sort((a, b) => key(a).localeCompare(key(b)));
		if (!asc) list = list.reverse();
		const page = list.slice(skip, skip + limit);
		return ok({ data: page, pagination: { total: list.length, count: page.length, skip, limit } });
	}

	/** `CustomRoleModel`: the role, its two permissions and the scopes it was given. */
	model(role: VbrRole, d = this.detailsOf(role)): Json {
		const body: Json = { id: role.id, name: role.name, description: role.description, manageBackups: d.manageBackups, manageRestores: d.manageRestores };
		for (const scope of SCOPES) if (d[scope] !== undefined) body[scope] = structuredClone(d[scope]);
		return body;
	}

	private detailsOf(role: VbrRole): CustomRoleDetails {
		return this.details.get(role.id) ?? { manageBackups: false, manageRestores: false };
	}

	/** Edit, delete and clone are for custom roles: a built-in role's id is refused (400, **assumed**). */
	private custom(req: SimRequest, what: string): VbrRole {
		const role = this.store.byId(req);
		if (role.isBuiltIn) throw badRequest(`The built-in role ${role.name} cannot be ${what}.`);
		return role;
	}

	private refuseNameTaken(name: string, self?: string): void {
		const clash = this.store
			.all()
			.find((r) => r.id !== self && r.name.toLowerCase() === name.toLowerCase() && (!r.isBuiltIn || this.options.builtInNameClash === 'refuse'));
		if (clash) throw badRequest(`A role named ${clash.name} already exists.`);
	}

	private save(role: VbrRole, details: CustomRoleDetails): void {
		this.store.put(role);
		this.details.set(role.id, details);
	}

	/** Done now, or through four-eyes and the authorization events with `roleChanges: 'asUserChanges'`. */
	private apply(req: SimRequest, name: string, description: string, fn: () => void): void {
		if (this.options.roleChanges === 'asUserChanges') this.holders.change(req, { name, description }, fn);
		else fn();
	}

	/** `CustomRoleSpec` (also the body of an edit, `CustomRoleModel`), with the `Required if …` rules. */
	private parse(body: Json): { name: string; description: string; details: CustomRoleDetails } {
		const name = typeof body.name === 'string' ? body.name.trim() : '';
		if (!name) throw badRequest('The name property is required.');
		if (body.description !== undefined && typeof body.description !== 'string') throw badRequest('The description property must be a string.');
		for (const flag of ['manageBackups', 'manageRestores']) {
			if (typeof body[flag] !== 'boolean') throw badRequest(`The ${flag} property is required (true or false).`);
		}
		const details: CustomRoleDetails = { manageBackups: body.manageBackups as boolean, manageRestores: body.manageRestores as boolean };
		const inventory = object(body.inventoryScope, 'inventoryScope');
		if (inventory) details.inventoryScope = requiredIfNot(inventory, 'inventoryScope', 'entireInventory', 'workloads');
		const repositories = object(body.repositoryScope, 'repositoryScope');
		if (repositories) {
			details.repositoryScope = requiredIfNot(repositories, 'repositoryScope', 'allRepositories', 'repositories');
			for (const r of (repositories.repositories as Json[] | undefined) ?? []) {
				if (typeof r?.repositoryId !== 'string' || !UUID.test(r.repositoryId)) throw badRequest('Each repository must have a repositoryId (a UUID).');
			}
		}
		const restore = object(body.restorePermissionsScope, 'restorePermissionsScope');
		if (restore) {
			const backups = object(restore.restoreBackupScope, 'restorePermissionsScope.restoreBackupScope');
			const options = object(restore.restoreOptions, 'restorePermissionsScope.restoreOptions');
			if (!backups || !options) throw badRequest('The restorePermissionsScope property needs restoreBackupScope and restoreOptions.');
			if (typeof backups.entireBackupScope !== 'boolean') throw badRequest('The restoreBackupScope.entireBackupScope property is required.');
			requiredIfNot(options, 'restorePermissionsScope.restoreOptions', 'allOptions', 'restoreOptions');
			for (const o of (options.restoreOptions as Json[] | undefined) ?? []) {
				if (!RESTORE_OPTIONS.some((known) => known.code === o?.code)) throw badRequest(`The restore option ${String(o?.code)} does not exist.`);
			}
			details.restorePermissionsScope = restore;
		}
		const target = object(body.restoreTargetScope, 'restoreTargetScope');
		if (target) {
			if (typeof target.entireBackupScope !== 'boolean') throw badRequest('The restoreTargetScope.entireBackupScope property is required.');
			const targets = object(target.restoreTargets, 'restoreTargetScope.restoreTargets');
			if (targets?.originalLocation === false && !Array.isArray(targets.workloads)) {
				throw badRequest('The restoreTargets.workloads property is required if originalLocation is false.');
			}
			details.restoreTargetScope = target;
		}
		for (const scope of SCOPES) if (details[scope]) details[scope] = structuredClone(details[scope]);
		return { name, description: typeof body.description === 'string' ? body.description : '', details };
	}
}

/** A custom role; the permissions it lists (`GET /roles/{id}/permissions`) follow its two switches (**assumed**). */
function build(id: string, name: string, description: string, details: CustomRoleDetails): VbrRole {
	const permissions = [
		...(details.manageBackups ? ['ViewJobs', 'ManageJobs', 'ViewBackups'] : []),
		...(details.manageRestores ? ['ViewBackups', 'StartRestore'] : []),
	];
	return { id, name, description, isBuiltIn: false, permissions: [...new Set(permissions)] };
}

/** A role DELETE refused because of its holders: 500, the only listed status that fits (contract, "The simulator's choices"). */
export const roleInUse = (message: string) => new SimHttpError(500, 'ServiceUnavailable', message);

function object(value: unknown, field: string): Json | undefined {
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`The ${field} property must be an object.`);
	return value as Json;
}

/** `<flag>` required; "`<list>` Required if `<flag>` is `false`" (the 400 is **assumed**). */
function requiredIfNot(scope: Json, field: string, flag: string, list: string): Json {
	if (typeof scope[flag] !== 'boolean') throw badRequest(`The ${field}.${flag} property is required.`);
	if (scope[flag] === false && !Array.isArray(scope[list])) throw badRequest(`The ${field}.${list} property is required if ${flag} is false.`);
	return scope;
}
