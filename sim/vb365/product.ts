/**
 * Veeam Backup for Microsoft 365 REST API (port 4443, the version in the path: `/v8/...`; v6 and
 * v7 have the same RbacRoles calls). The contract is sim/contracts/vb365.md; answers are
 * validated against the spec subset sim/spec/vb365-v8.rbac.openapi.json (test/sim/vb365.test.ts).
 * Organizations with their Microsoft 365 users, groups (with members), sites and teams;
 * restore-operator roles with operators and scope; tokens; RESTExceptionInfo errors. Faults,
 * latency, statistics and the control endpoint are the core's (sim/core/server.ts).
 */
import type { SimContext, SimProduct } from '../core/context';
import { Router, SimHttpError, type SimRequest, type SimResponse } from '../core/http';
import { Vb365Auth, type Vb365Antiforgery, type Vb365TokenErrors } from './auth';
import { Vb365DirectoryRoutes, versionOf } from './directory';
import { asV7, RawAnswer, Vb365Error, vb365ErrorResponse, type Vb365StackTraces } from './errors';
import { newUid, VB365_SUPPORTED_VERSIONS, type Vb365ItemKind, type Vb365RoleRecord, type Vb365RoleType } from './model';
import { Vb365Rbac, type Vb365RbacOptions } from './rbac';
import { loadInitialState, refOf, Vb365Seeder, type Vb365SeedOptions } from './seed';
import { Vb365Store } from './store';
import { refView, roleView } from './views';

export * from './model';
export type { Vb365SeedOptions } from './seed';
export type { Vb365RbacOptions } from './rbac';

export interface Vb365Options extends Vb365RbacOptions {
	/** Path versions served (default v6, v7, v8). */
	supportedVersions?: string[];
	/**
	 * The answer to a path version the server does not serve: `bare-404` (default, assumed: no route
	 * matches, as ASP.NET answers an unknown path) or `exception-404` (RESTExceptionInfo, ResourceNotFound).
	 */
	unservedVersion?: 'bare-404' | 'exception-404';
	/** A refused token request: OWIN's `{ error, error_description }` (default, assumed) or RESTExceptionInfo. */
	tokenErrors?: Vb365TokenErrors;
	/** The antiforgery token: required unless the grant sets `disable_antiforgery_token` (default `enforce`, Veeam's default) or never (`off`). */
	antiforgery?: Vb365Antiforgery;
	/**
	 * At most this many API requests answered at once, then 429 RESTExceptionInfo (assumed: Veeam
	 * documents no throttling of its REST API; a way to test a client's parallel reads). Default: none.
	 */
	maxParallel?: number;
	/** Which error answers carry a .NET `stackTrace` (default: server errors). */
	stackTraces?: Vb365StackTraces;
	/** Largest `limit` of the directory lists (default 10,000, the spec's). */
	maxPageSize?: number;
	/** A `limit` above the maximum: `refuse` (default, assumed: 400) or `clamp`. */
	limitOverMax?: 'refuse' | 'clamp';
}

export class Vb365Product implements SimProduct {
	readonly name = 'vb365' as const;
	readonly router = new Router();
	readonly store = new Vb365Store();
	readonly auth: Vb365Auth;
	private readonly directory: Vb365DirectoryRoutes;
	private readonly rbac: Vb365Rbac;
	private readonly seeder: Vb365Seeder;
	private versions: string[];
	/** `RESTServiceInstance.installationId`. */
	readonly installationId = newUid();

	constructor(
		private readonly ctx: SimContext,
		readonly options: Vb365Options = {},
	) {
		this.versions = (options.supportedVersions ?? [...VB365_SUPPORTED_VERSIONS]).map((v) => v.toLowerCase());
		this.auth = new Vb365Auth(ctx, () => ({ tokenErrors: this.options.tokenErrors ?? 'oauth', antiforgery: this.options.antiforgery ?? 'enforce' }));
		this.directory = new Vb365DirectoryRoutes(this.store, () => ({ maxPageSize: this.options.maxPageSize ?? 10_000, overMax: this.options.limitOverMax ?? 'refuse' }));
		this.rbac = new Vb365Rbac(ctx, this.store, () => this.options);
		this.seeder = new Vb365Seeder(this.store, ctx);
		this.reset();
		this.routes();
	}

	// ---- SimProduct -------------------------------------------------------------------------

	reset(): void {
		this.store.clear();
		this.auth.clear();
		this.directory.reset();
		this.seeder.reset();
		loadInitialState(this.store, this.auth);
	}

	serveVersions(versions: string[]): void {
		this.versions = versions.map((v) => v.toLowerCase());
	}

	/** The path's first segment is the version (`/v8/RbacRoles`); `maxParallel` first (the server counts this request in flight). */
	checkApiVersion(req: SimRequest): void {
		const max = this.options.maxParallel;
		if (max !== undefined && this.ctx.stats.inFlight > max) throw new Vb365Error(429, 'Too many requests are being processed at the same time.', null, 'ServiceUnavailable');
		const version = (/^\/([^/]+)/.exec(req.path)?.[1] ?? '').toLowerCase();
		if (this.versions.includes(version)) return;
		if (this.options.unservedVersion === 'exception-404') throw new Vb365Error(404, `The API version ${version} is not supported. Supported versions: ${this.versions.join(', ')}.`, 'ResourceNotFound');
		throw new RawAnswer({ status: 404 });
	}

	errorResponse(err: SimHttpError): SimResponse {
		return vb365ErrorResponse(err, this.options.stackTraces ?? 'serverErrors');
	}

	seedUsers(opts: Vb365SeedOptions): number {
		return this.seeder.seed(opts);
	}

	snapshot(): Record<string, unknown> {
		return {
			product: 'vb365',
			organizations: [...this.store.orgs.values()].map((o) => {
				const dir = this.store.directory(o.id);
				return { id: o.id, name: o.name, type: o.type, users: dir.users.size, groups: dir.groups.size, sites: dir.sites.size, teams: dir.teams.size };
			}),
			roles: [...this.store.roles.values()].map((r) => ({
				...roleView(r, 'v8'),
				operators: [...r.operators.values()].map((ref) => refView(ref, this.store.object(r.organizationId, ref.kind, ref.id), `/v8/rbacRoles/${r.id}/operators`)),
				selectedItems: [...r.selected.values()].map((ref) => ({ type: ref.kind, id: ref.id })),
				excludedItems: [...r.excluded.values()].map((ref) => ({ type: ref.kind, id: ref.id })),
			})),
		};
	}

	setLogin(name: string, password: string): void {
		this.auth.setLogin(name, password);
	}

	/** `POST /__sim/vb365/remove-object` `{ organizationId, kind, id }`: the object left Microsoft 365 (roles still name it). */
	control(route: string, body: Record<string, unknown>): SimResponse | undefined {
		switch (route) {
			case 'POST /vb365/remove-object':
				return { status: this.removeObject(String(body.organizationId), String(body.kind) as Vb365ItemKind, String(body.id)) ? 204 : 404 };
			case 'POST /vb365/group-members':
				this.setGroupMembers(String(body.organizationId), String(body.groupId), (body.members as string[]) ?? []);
				return { status: 204 };
			default:
				return undefined;
		}
	}

	// ---- helpers for tests ------------------------------------------------------------------

	/** A user or group of the organization by e-mail / UPN. */
	principalNamed(organizationId: string, name: string) {
		return this.store.principalNamed(organizationId, name);
	}

	/** A Microsoft 365 user or group of the organization with the given ID (e.g. the ones in Veeam's examples). */
	addPrincipal(organizationId: string, p: { kind: 'User' | 'Group'; id: string; name: string; displayName: string; groupType?: 'Office365' | 'Security' | 'Distribution' | 'DynamicDistribution'; members?: string[] }) {
		const org = this.store.org(organizationId);
		if (!org) throw new Error(`no organization ${organizationId}`);
		const msid = p.id.slice(0, 36);
		if (p.kind === 'Group') return this.store.addGroup({ id: p.id, organizationId: org.id, msid, name: p.name, displayName: p.displayName, type: p.groupType ?? 'Security', locationType: 'Cloud', members: p.members ?? [] });
		return this.store.addUser({ id: p.id, organizationId: org.id, msid, name: p.name, displayName: p.displayName, type: 'User', locationType: 'Cloud', office: '' });
	}

	removeObject(organizationId: string, kind: Vb365ItemKind, id: string): boolean {
		return this.store.removeObject(organizationId, kind, id);
	}

	// Changes made in the console (another administrator), not over REST: logged as `console:…`.

	/** A role made in the console; lists name directory objects of the organization by kind and ID. */
	consoleCreateRole(fields: { organizationId: string; name: string; roleType: Vb365RoleType; description?: string; operators?: Array<[Vb365ItemKind, string]>; selected?: Array<[Vb365ItemKind, string]>; excluded?: Array<[Vb365ItemKind, string]> }): Vb365RoleRecord {
		const org = this.store.org(fields.organizationId);
		if (!org) throw new Error(`no organization ${fields.organizationId}`);
		const map = (refs: Array<[Vb365ItemKind, string]> = []) => new Map(refs.map(([kind, id]) => refOf(this.store, org.id, kind, id)).map((r) => [r.id.toLowerCase(), r]));
		const role = this.store.addRole({ id: newUid(), organizationId: org.id, name: fields.name, description: fields.description ?? '', roleType: fields.roleType, operators: map(fields.operators), selected: map(fields.selected), excluded: map(fields.excluded) });
		this.ctx.log.record('console:createRole', role.id, { name: role.name });
		return role;
	}

	/** Adds (`add`) or removes an operator, selected or excluded object of a role, as the console would. */
	consoleChange(roleId: string, list: 'operators' | 'selected' | 'excluded', change: 'add' | 'remove', kind: Vb365ItemKind, id: string): void {
		const role = this.store.role(roleId);
		if (!role) throw new Error(`no role ${roleId}`);
		const map = list === 'operators' ? role.operators : list === 'selected' ? role.selected : role.excluded;
		if (change === 'add') map.set(id.toLowerCase(), refOf(this.store, role.organizationId, kind, id));
		else map.delete(id.toLowerCase());
		this.store.touch();
		this.ctx.log.record(`console:${change}:${list}`, role.id, { kind, id });
	}

	/** Renames, retypes or deletes (`delete: true`) a role, as the console would. */
	consoleEditRole(roleId: string, fields: { name?: string; description?: string; roleType?: Vb365RoleType; delete?: boolean }): void {
		const role = this.store.role(roleId);
		if (!role) throw new Error(`no role ${roleId}`);
		if (fields.delete) this.store.removeRole(role.id);
		else Object.assign(role, { name: fields.name ?? role.name, description: fields.description ?? role.description, roleType: fields.roleType ?? role.roleType });
		this.store.touch();
		this.ctx.log.record(fields.delete ? 'console:deleteRole' : 'console:editRole', role.id, { ...fields });
	}

	setGroupMembers(organizationId: string, groupId: string, members: string[]): void {
		const group = this.store.object(organizationId, 'Group', groupId);
		if (group?.kind !== 'Group') throw new Error(`no group ${groupId} in ${organizationId}`);
		group.record.members = [...members];
		this.store.touch();
	}

	// ---- routes -----------------------------------------------------------------------------

	private routes(): void {
		const r = this.router;
		const route = (method: string, template: string, handler: (req: SimRequest) => SimResponse) => {
			r.add(method, `/:version${template.replace(/\{(\w+)\}/g, ':$1')}`, (req) => {
				try {
					return handler(req);
				} catch (err) {
					throw err instanceof SimHttpError && versionOf(req) === 'v7' ? asV7(err) : err;
				}
			});
		};
		const api = (method: string, template: string, handler: (req: SimRequest) => SimResponse) =>
			route(method, template, (req) => {
				this.auth.caller(req);
				return handler(req);
			});
		route('POST', '/token', (req) => this.auth.token(req));
		route('POST', '/token/logout', (req) => this.auth.logout(req));
		api('GET', '/ServiceInstance', () => ({ status: 200, body: { installationId: this.installationId, version: '8.3.0.2201' } }));
		const d = this.directory;
		api('GET', '/Organizations', (q) => d.organizations(q));
		api('GET', '/Organizations/{organizationId}', (q) => d.organization(q));
		api('GET', '/Organizations/{organizationId}/Users', (q) => d.users(q));
		api('GET', '/Organizations/{organizationId}/Users/{userId}', (q) => d.user(q));
		api('GET', '/Organizations/{organizationId}/Groups', (q) => d.groups(q));
		api('GET', '/Organizations/{organizationId}/Groups/{groupId}', (q) => d.group(q));
		api('GET', '/Organizations/{organizationId}/Groups/{groupId}/Members', (q) => d.members(q));
		api('GET', '/Organizations/{organizationId}/Sites', (q) => d.sites(q));
		api('GET', '/Organizations/{organizationId}/Sites/{siteId}', (q) => d.site(q));
		api('GET', '/Organizations/{organizationId}/Teams', (q) => d.teams(q));
		api('GET', '/Organizations/{organizationId}/Teams/{teamId}', (q) => d.team(q));
		const b = this.rbac;
		api('GET', '/RbacRoles', (q) => b.all(q));
		api('GET', '/Organizations/{organizationId}/RbacRoles', (q) => b.ofOrganization(q));
		api('POST', '/Organizations/{organizationId}/RbacRoles', (q) => b.create(q));
		api('GET', '/RbacRoles/{roleId}', (q) => b.get(q));
		api('PUT', '/RbacRoles/{roleId}', (q) => b.update(q));
		api('DELETE', '/RbacRoles/{roleId}', (q) => b.remove(q));
		api('GET', '/RbacRoles/{roleId}/operators', (q) => b.listRefs(q, 'operators'));
		api('POST', '/RbacRoles/{roleId}/operators', (q) => b.addRefs(q, 'operators'));
		api('DELETE', '/RbacRoles/{roleId}/operators', (q) => b.removeRefs(q, 'operators'));
		api('GET', '/RbacRoles/{roleId}/operators/{operatorId}', (q) => b.getRef(q, 'operators'));
		for (const [path, list] of [['selectedItems', 'selected'], ['excludedItems', 'excluded']] as const) {
			api('GET', `/RbacRoles/{roleId}/${path}`, (q) => b.listRefs(q, list));
			api('POST', `/RbacRoles/{roleId}/${path}`, (q) => b.addRefs(q, list));
			api('DELETE', `/RbacRoles/{roleId}/${path}`, (q) => b.removeRefs(q, list));
			api('GET', `/RbacRoles/{roleId}/${path}/{itemId}`, (q) => b.getRef(q, list));
		}
	}
}
