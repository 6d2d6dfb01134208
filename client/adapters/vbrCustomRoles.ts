/**
 * VBR 13.1 (REST 1.3-rev2) custom roles (sim/contracts/vbr-access-control.md; [R2]
 * https://helpcenter.veeam.com/references/vbr/13/rest/1.3-rev2/tag/Users-and-Roles): the role list
 * with `isBuiltInFilter`, a custom role's details, create, edit (a whole model), clone, delete, the
 * users holding a role and the restore options a role may allow.
 *
 * Nothing a server sends is trusted: an answer about one role must echo its ID (a create the name
 * it was given; a clone a new ID: its name, Veeam's `{name}_Clone`, is not checked, as the copy exists
 * by then and the operation shows the name the server gives), every role must have a UUID and a
 * name, and the filters asked for (built-in or custom, name, role holders) are applied here to the
 * answers too. Secrets inside scopes (customRoleSecrets.ts) leave this client `[redacted]`.
 */
import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { VeeamApiError, type RequestGroup, type VeeamContext, type VeeamRequest } from '../transport';
import { isUuid } from '../ids';
import type { UserFilter, VeeamUser } from '../model';
import { deleteLookingFirst, unexpectedAnswer, unlessNotFound } from './common';
import { ROLE_SCOPES, type CustomRole, type CustomRoleSpec } from './customRoleSpec';
import { redactedFields, redactRoleSecrets, RoleSecrets, roleSecretValues } from './customRoleSecrets';
import { checkRev2, underRev2, type Rev2Gate } from './vbrRev2';
import { runPool, Serial } from '../pool';
import { readAllPages } from './paging';
import { namePatternTest } from './userFilter';
import { vbrNameFilter } from './vbrRules';

const ROLES = '/api/v1/security/roles';
const RESTORE_OPTIONS = '/api/v1/security/restoreOptions';
/** The first revision with custom-role changes ([CL]: "REST API 1.3-rev2 completes the role-based access control coverage"). */
export const CUSTOM_ROLES_API_VERSION = '1.3-rev2';

type Json = Record<string, unknown>;

/** A role of the list (`RoleModel`): `isBuiltIn` is 1.3-rev2's and not required, so it may be absent. */
export interface VbrRoleSummary {
	id: string;
	name: string;
	description?: string;
	isBuiltIn?: boolean;
}

/** `RestoreOptionModel`. */
export interface RestoreOption {
	code: number;
	name: string;
	group?: string;
	description?: string;
}

export interface RoleListFilter {
	/** true: built-in roles only; false: custom roles only (`isBuiltInFilter`, checked on the answers too). */
	builtIn?: boolean;
	/** A whole-name pattern with `*` and `?`, case-insensitive (part of it goes to `nameFilter`; the whole checked here). */
	namePattern?: string;
}

export interface VbrCustomRolesDeps {
	ctx: VeeamContext;
	/** The VBR adapter's request path (its RequestGroup: pauses, re-login, API version memory). */
	call<T>(req: VeeamRequest): Promise<T>;
	group: RequestGroup;
	/** The VBR adapter's user list (filters checked on the answers). */
	listUsers(filter: UserFilter): Promise<VeeamUser[]>;
}

/** The custom-role client of one VBR adapter (one execution): `VbrDirectory.customRoles()`. */
export class VbrCustomRoles {
	/** The secrets the server sent inside roles' scopes, put back into a body before it is sent. */
	private readonly secrets = new RoleSecrets();
	/** One change at a time per role name in this execution (`serially`). */
	private readonly byName = new Map<string, Serial>();

	constructor(private readonly deps: VbrCustomRolesDeps) {}

	private get node() {
		return this.deps.ctx.getNode();
	}

	/**
	 * Custom-role calls need 1.3-rev2: a pinned older version is refused before anything is sent.
	 * Under "Automatic" the version kept with the token (or found in this execution) is checked;
	 * before the credential's first login none is known, so the request goes out and its outcome is
	 * checked again against the version that login found (a 1.3-rev1-only server has no such paths:
	 * it answers 404, having done nothing; its role list ignores the built-in filter).
	 */
	private rev2<T>(send: () => Promise<T>): Promise<T> {
		return underRev2(this.gate, send, 'always');
	}

	private get gate(): Rev2Gate {
		return { ctx: this.deps.ctx, group: this.deps.group, needsRev2: (version) => this.needsRev2(version) };
	}

	/** Refused before anything is sent when the credential pins an older version; under Automatic, checks what is known now. */
	async checkVersion(): Promise<void> {
		await checkRev2(this.gate);
	}

	private needsRev2(version: string): NodeOperationError {
		return new NodeOperationError(this.node, `Custom roles need Veeam Backup & Replication 13.1 (REST API ${CUSTOM_ROLES_API_VERSION}); this server speaks ${version}`, {
			description: `Creating, changing, cloning and deleting custom roles and reading their scopes came with REST API ${CUSTOM_ROLES_API_VERSION}. Nothing was sent about them. If the server runs VBR 13.1 or later, choose "${CUSTOM_ROLES_API_VERSION}" or "Automatic" in the credential's API Version.`,
		});
	}

	/**
	 * Runs `task` after every other task of this execution for the same role name (any case), so two
	 * items naming one role (a Create of "Ops" and one of "ops") do not both find it absent and both
	 * create it: the second sees what the first did.
	 */
	async serially<T>(name: string, task: () => Promise<T>): Promise<T> {
		const key = name.trim().toLowerCase();
		let queue = this.byName.get(key);
		if (!queue) this.byName.set(key, (queue = new Serial()));
		return await queue.run(task);
	}

	private path(id: string, action = ''): string {
		if (!isUuid(id)) throw new NodeOperationError(this.node, `"${id}" is not a Veeam Backup & Replication role ID (a UUID)`);
		return `${ROLES}/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;
	}

	/**
	 * The roles matching `filter`, paged (`GET /roles`, 1.3-rev1's call; `isBuiltInFilter` is
	 * 1.3-rev2's, so a built-in/custom filter needs it). Under that filter every role returned has
	 * `isBuiltIn` set. `RoleModel.isBuiltIn` is not required (Veeam's RoleModelExample has none), and
	 * a server may ignore the filter, so a role listed without it is never taken for what the filter
	 * asked just because the server was asked: the opposite filter is listed too (1 more list, only
	 * when some role lacks `isBuiltIn`); a role only in the asked list is what both answers say; a
	 * role in both (a server ignoring the filter) is classified by its details (1 `GET
	 * /roles/{id}/details` each: a custom role's details, or NotFound, which a built-in role gets).
	 */
	async list(filter: RoleListFilter = {}, limit?: number): Promise<VbrRoleSummary[]> {
		if (filter.builtIn === undefined) return await this.read(filter.namePattern, undefined, limit);
		const builtIn = filter.builtIn;
		return await this.rev2(async () => {
			let roles = await this.read(filter.namePattern, builtIn, limit);
			if (roles.every((r) => r.isBuiltIn !== undefined)) return roles.filter((r) => r.isBuiltIn === builtIn);
			// The asked list read whole (a limit counted roles it could not yet tell), and the other one.
			if (limit !== undefined) roles = await this.read(filter.namePattern, builtIn);
			const other = new Set((await this.read(filter.namePattern, !builtIn)).map((r) => r.id.toLowerCase()));
			const unclear = roles.filter((r) => r.isBuiltIn === undefined && other.has(r.id.toLowerCase()));
			const outcomes = await runPool(unclear.length, async (i) => await this.details(unclear[i].id), { concurrency: 8, stopOnError: true });
			const custom = new Set<string>();
			for (const [i, outcome] of outcomes.entries()) {
				if (outcome && !outcome.ok) throw outcome.error;
				if (outcome?.value) custom.add(unclear[i].id.toLowerCase());
			}
			const classified = roles.map((r) => {
				if (r.isBuiltIn !== undefined) return r;
				const id = r.id.toLowerCase();
				return { ...r, isBuiltIn: other.has(id) ? !custom.has(id) : builtIn };
			});
			const matching = classified.filter((r) => r.isBuiltIn === builtIn);
			return limit === undefined ? matching : matching.slice(0, limit);
		});
	}

	/** The roles one `GET /roles` listing gives (paged, the name pattern checked here; a role without `isBuiltIn` kept under a filter). */
	private async read(namePattern: string | undefined, builtIn: boolean | undefined, limit?: number): Promise<VbrRoleSummary[]> {
		const nameFilter = namePattern ? vbrNameFilter(namePattern) : undefined;
		const matchesName = namePattern ? namePatternTest(namePattern, 'wholeName') : () => true;
		const matches = (r: VbrRoleSummary) => matchesName(r.name) && (builtIn === undefined || r.isBuiltIn === undefined || r.isBuiltIn === builtIn);
		const read = await readAllPages(
			async (skip, size) => {
				const qs: VeeamRequest['qs'] = { skip, limit: size, orderColumn: 'Name', orderAsc: true };
				if (builtIn !== undefined) qs.isBuiltInFilter = builtIn;
				if (nameFilter) qs.nameFilter = nameFilter;
				const res = await this.deps.call<{ data?: unknown; pagination?: { total?: number } }>({ method: 'GET', path: ROLES, qs });
				if (!Array.isArray(res?.data)) throw unexpectedAnswer(this.deps.ctx, `GET ${ROLES} without a list of roles`);
				return { items: res.data.map((r) => this.summary(r, `GET ${ROLES}`)), total: res.pagination?.total };
			},
			(r) => r.id.toLowerCase(),
			{ node: this.node, what: 'roles', counts: matches, cap: limit },
		);
		const roles = [...read.values()].filter(matches);
		return limit === undefined ? roles : roles.slice(0, limit);
	}

	/** One role of the list (`GET /roles/{id}`, 1.3-rev1's call); undefined when Veeam says it does not exist. */
	async get(id: string): Promise<VbrRoleSummary | undefined> {
		const path = this.path(id);
		const found = await unlessNotFound(this.deps.call<unknown>({ method: 'GET', path }), id);
		if (found === undefined) return undefined;
		return this.sameRole(this.summary(found, `GET ${path}`), id, `GET ${path}`);
	}

	/**
	 * A custom role with its scopes (`GET /roles/{id}/details`); undefined on Veeam's NotFound, which
	 * is also what a built-in role's ID gets (not documented; the simulator so).
	 */
	async details(id: string): Promise<CustomRole | undefined> {
		const path = this.path(id, 'details');
		const found = await this.rev2(async () => await unlessNotFound(this.deps.call<unknown>({ method: 'GET', path }), id));
		if (found === undefined) return undefined;
		return this.sameRole(this.customRole(found, `GET ${path}`), id, `GET ${path}`);
	}

	/** `POST /roles` (sent once: after an unclear failure the caller looks before trying again). Returns the server's answer. */
	async create(spec: CustomRoleSpec): Promise<CustomRole> {
		const call = `POST ${ROLES}`;
		const body = this.sendable(specBody(spec), spec.name, false);
		const answer = await this.rev2(async () => await this.deps.call<unknown>({ method: 'POST', path: ROLES, body, idempotent: false, secrets: roleSecretValues(body) })).catch(naming(`Creating the custom role "${spec.name.trim()}"`));
		const role = this.customRole(answer, call);
		if (role.name.toLowerCase() !== spec.name.trim().toLowerCase()) throw unexpectedAnswer(this.deps.ctx, `${call} with another role (${role.name}) than "${spec.name}"`);
		return role;
	}

	/** `PUT /roles/{id}` with the whole model (the spec replaces what the role had). */
	async update(role: CustomRole): Promise<CustomRole> {
		const path = this.path(role.id);
		const body = this.sendable({ id: role.id, ...specBody(role) }, role.name, true);
		const answer = await this.rev2(async () => await this.deps.call<unknown>({ method: 'PUT', path, body, idempotent: true, secrets: roleSecretValues(body) })).catch(
			naming(`Changing the custom role "${role.name.trim()}" (ID ${role.id})`),
		);
		return this.sameRole(this.customRole(answer, `PUT ${path}`), role.id, `PUT ${path}`);
	}

	/**
	 * `POST /roles/{id}/clone`: its answer must be a new role (a new ID). Veeam names the copy
	 * `{original_name}_Clone`; the name is not checked here (the copy exists by then: an error would
	 * hide a done clone), the caller shows the name the server gives.
	 */
	async clone(id: string): Promise<CustomRole> {
		const path = this.path(id, 'clone');
		const answer = await this.rev2(async () => await this.deps.call<unknown>({ method: 'POST', path, idempotent: false }));
		const copy = this.customRole(answer, `POST ${path}`);
		if (copy.id.toLowerCase() === id.toLowerCase()) throw unexpectedAnswer(this.deps.ctx, `POST ${path} with the original role instead of a copy`);
		return copy;
	}

	/**
	 * `DELETE /roles/{id}`: `absent` when Veeam's NotFound came first (someone deleted it meanwhile);
	 * after an unclear failure the role is looked up before the delete is sent again (once).
	 */
	async delete(id: string): Promise<'deleted' | 'absent'> {
		const path = this.path(id);
		return await this.rev2(
			async () =>
				await deleteLookingFirst(
					async () => await this.deps.call({ method: 'DELETE', path, idempotent: false }),
					async () => (await this.get(id)) !== undefined,
					id,
				),
		);
	}

	/** The users and groups holding the role (`GET /users?roleIdFilter=`, the roles checked on the answers too). */
	async holders(id: string): Promise<VeeamUser[]> {
		if (!isUuid(id)) throw new NodeOperationError(this.node, `"${id}" is not a Veeam Backup & Replication role ID (a UUID)`);
		const users = await this.deps.listUsers({ roleId: id });
		return users.filter((u) => u.roles.some((r) => String(r.id).toLowerCase() === id.toLowerCase()));
	}

	/** Every restore option a role may allow (`GET /security/restoreOptions`, paged). */
	async restoreOptions(): Promise<RestoreOption[]> {
		return await this.rev2(async () => {
			const read = await readAllPages(
				async (skip, limit) => {
					const res = await this.deps.call<{ data?: unknown; pagination?: { total?: number } }>({ method: 'GET', path: RESTORE_OPTIONS, qs: { skip, limit } });
					if (!Array.isArray(res?.data)) throw unexpectedAnswer(this.deps.ctx, `GET ${RESTORE_OPTIONS} without a list of restore options`);
					return { items: res.data.map((o) => this.restoreOption(o)), total: res.pagination?.total };
				},
				(o) => String(o.code),
				{ node: this.node, what: 'restore options' },
			);
			return [...read.values()];
		});
	}

	private summary(value: unknown, call: string): VbrRoleSummary {
		if (!isObject(value) || typeof value.id !== 'string' || !isUuid(value.id) || typeof value.name !== 'string' || value.name === '') {
			throw unexpectedAnswer(this.deps.ctx, `${call} with a role without a UUID and a name`);
		}
		return {
			id: value.id,
			name: value.name,
			...(typeof value.description === 'string' ? { description: value.description } : {}),
			...(typeof value.isBuiltIn === 'boolean' ? { isBuiltIn: value.isBuiltIn } : {}),
		};
	}

	/** `CustomRoleModel`, as Veeam's JSON: the id, name, description, the two switches and the scopes it has. */
	private customRole(value: unknown, call: string): CustomRole {
		const summary = this.summary(value, call);
		const v = value as Json;
		if (typeof v.manageBackups !== 'boolean' || typeof v.manageRestores !== 'boolean') {
			throw unexpectedAnswer(this.deps.ctx, `${call} with a role (${summary.name}) without manageBackups and manageRestores`);
		}
		// A description the server leaves out stays out (not sent back as "" by a PUT of the whole model).
		const role: CustomRole = {
			id: summary.id,
			name: summary.name,
			...(summary.description !== undefined ? { description: summary.description } : {}),
			manageBackups: v.manageBackups,
			manageRestores: v.manageRestores,
		};
		for (const scope of ROLE_SCOPES) {
			if (v[scope] === undefined || v[scope] === null) continue;
			if (!isObject(v[scope])) throw unexpectedAnswer(this.deps.ctx, `${call} with a role (${summary.name}) whose ${scope} is not an object`);
			role[scope] = v[scope];
		}
		this.secrets.remember(role);
		return redactRoleSecrets(role);
	}

	/**
	 * `body` with the secrets this client hid put back (`keepAbsent`: also an `authentication` the body
	 * leaves out, for a PUT of the whole model); refused, nothing sent, while a `[redacted]` is left.
	 */
	private sendable(body: IDataObject, name: string, keepAbsent: boolean): IDataObject {
		const restored = this.secrets.restore(body, { keepAbsent });
		const hidden = redactedFields(restored);
		if (hidden.length) {
			const message = `The custom role "${name.trim()}" holds "[redacted]" at ${hidden.join(', ')}: nothing was sent`;
			const error = new NodeOperationError(this.node, message, {
				description:
					'The node hides secrets (an Entra ID tenant\'s client secret, certificate and its password) in what it outputs; "[redacted]" stands for one this run did not read from the server. Give the real value, or leave the authentication out.',
			});
			// n8n replaces a message holding a system error code (e.g. "ePERM" in restorePermissionsScope) with its own: set it back.
			error.message = message;
			throw error;
		}
		return restored;
	}

	private sameRole<T extends VbrRoleSummary>(role: T, id: string, call: string): T {
		if (role.id.toLowerCase() !== id.toLowerCase()) throw unexpectedAnswer(this.deps.ctx, `${call} with another role (${role.name})`);
		return role;
	}

	private restoreOption(value: unknown): RestoreOption {
		if (!isObject(value) || typeof value.code !== 'number' || !Number.isInteger(value.code) || typeof value.name !== 'string') {
			throw unexpectedAnswer(this.deps.ctx, `GET ${RESTORE_OPTIONS} with a restore option without an integer code and a name`);
		}
		return {
			code: value.code,
			name: value.name,
			...(typeof value.group === 'string' ? { group: value.group } : {}),
			...(typeof value.description === 'string' ? { description: value.description } : {}),
		};
	}
}

/**
 * Puts what was being done, naming the role, before a server's refusal (Veeam's 400 example says only
 * "One or more request parameters are not valid."). The error keeps its class and status (callers
 * tell a refused create from an unclear one by them).
 */
function naming(what: string): (error: unknown) => never {
	return (error: unknown) => {
		if (error instanceof VeeamApiError) {
			const text = `${what}: ${error.message}`;
			error.message = text;
			if (error.description) error.description = `${what}: ${error.description}`;
		}
		throw error;
	};
}

function isObject(v: unknown): v is Json {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The body Veeam takes: the spec's fields only, in its order. */
function specBody(spec: CustomRoleSpec): IDataObject {
	const body: IDataObject = { name: spec.name.trim(), ...(spec.description !== undefined ? { description: spec.description } : {}), manageBackups: spec.manageBackups, manageRestores: spec.manageRestores };
	for (const scope of ROLE_SCOPES) if (spec[scope] !== undefined) body[scope] = spec[scope] as IDataObject;
	return body;
}
