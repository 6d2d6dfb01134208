import { randomUUID } from 'node:crypto';

import type { SeedOptions, SimContext, SimProduct } from '../core/context';
import {
	badRequest,
	jsonBody,
	notFound,
	Router,
	SimHttpError,
	type SimRequest,
	type SimResponse,
} from '../core/http';
import { VbrAuthorization, type ChangeNote } from './authorization';
import { VbrLogins } from './login';
import {
	compareNames,
	DEFAULT_USERS,
	ok,
	UUID,
	VBR_DEFAULT_LOGINS,
	ver,
	type VbrOptions,
	type VbrUser,
} from './model';
import { VbrRoleStore } from './roleStore';
import type { VbrAcl } from './acl';
import { accessControl, accessRoutes, CUSTOM_WITH_PERMISSIONS } from './accessRoutes';
import type { VbrCustomRoles } from './customRoles';
import { listUsers } from './userList';
import { VbrUserChanges } from './userChanges';
import { BACKUP_ADMINISTRATOR, SECURITY_ADMINISTRATOR } from './roles';

export { VBR_DEFAULT_LOGINS, VBR_DEFAULT_PASSWORD, VBR_USER_TYPES, type VbrLogin, type VbrOptions, type VbrUserType } from './model';

/**
 * Veeam Backup & Replication 13 security API (`/api/oauth2/token`, `/api/v1/security/*`),
 * as the published 1.3-rev1 and 1.3-rev2 specs describe it. Logins and tokens: login.ts.
 */

/** The roles that may read roles on 1.3-rev2 (`GET /roles`, `/roles/{id}`: "Available to"); rev1: Backup Administrator only. */
const ROLE_READERS_REV2 = [BACKUP_ADMINISTRATOR, 'Backup Operator', 'Restore Operator', CUSTOM_WITH_PERMISSIONS];

export class VbrProduct implements SimProduct {
	readonly name = 'vbr' as const;
	readonly router = new Router();
	private supportedVersions: string[];
	private readonly maxPageSize: number;
	private users = new Map<string, VbrUser>();
	private usersByName = new Map<string, string>();
	/** Users sorted by name, rebuilt lazily after a create or delete (100k-user lists stay cheap). */
	private sortedByName?: VbrUser[];
	private readonly roleStore: VbrRoleStore;
	private readonly logins: VbrLogins;
	/** Groups each login (lower case) is a member of, lower case. */
	private memberships = new Map<string, string[]>();
	private mfaEnabled = false;
	private seedCounter = 0;
	/** Authorization events and four-eyes authorization (authorization.ts). */
	readonly authorization: VbrAuthorization;
	/** 1.3-rev2's custom roles (customRoles.ts) and the ACL of backups and jobs (acl.ts). */
	readonly customRoles: VbrCustomRoles;
	readonly acl: VbrAcl;
	/** Creates, deletes and role, mode and MFA changes of users (userChanges.ts). */
	private readonly userChanges: VbrUserChanges;

	constructor(
		private readonly ctx: SimContext,
		private readonly options: VbrOptions = {},
	) {
		this.supportedVersions = options.supportedVersions ?? ['1.3-rev1', '1.3-rev2'];
		this.maxPageSize = options.maxPageSize ?? 500;
		this.roleStore = new VbrRoleStore(this.maxPageSize, options.rev1RoleNames === true, options.customRoles);
		this.logins = new VbrLogins(ctx, (login) => this.loginRefusal(login));
		this.authorization = new VbrAuthorization(ctx.clock);
		({ roles: this.customRoles, acl: this.acl } = accessControl({
			roleStore: this.roleStore,
			users: () => this.users.values(),
			callerRoleIds: (req) => this.recordsOf(this.logins.subject(req)).flatMap((u) => u.roleIds),
			accountName: (req) => this.accountName(req),
			maxPageSize: this.maxPageSize,
			options: options.accessControl,
			change: (req, note, apply) => this.change(req, note, apply),
		}));
		this.userChanges = new VbrUserChanges({
			ctx,
			roleStore: this.roleStore,
			authorization: this.authorization,
			users: () => this.users.values(),
			has: (id) => this.users.has(id),
			hasName: (name) => this.usersByName.has(name.toLowerCase()),
			userById: (req) => this.userById(req),
			insert: (user) => this.insert(user),
			remove: (user) => {
				this.users.delete(user.id);
				this.usersByName.delete(user.name.toLowerCase());
				this.sortedByName = undefined;
			},
			change: (req, note, apply) => this.change(req, note, apply),
			userModel: (user, version) => this.userModel(user, version),
		});
		this.reset();
		this.routes();
	}

	reset(): void {
		this.users.clear();
		this.usersByName.clear();
		this.sortedByName = undefined;
		this.roleStore.reset();
		this.logins.reset(this.options.logins ?? VBR_DEFAULT_LOGINS);
		this.memberships = new Map((this.options.logins ?? VBR_DEFAULT_LOGINS).map((l) => [l.name.toLowerCase(), (l.memberOf ?? []).map((g) => g.toLowerCase())]));
		this.mfaEnabled = this.options.mfaEnabled ?? false;
		this.seedCounter = 0;
		this.authorization.reset();
		this.customRoles.reset();
		this.acl.reset();
		for (const u of this.options.initialUsers ?? DEFAULT_USERS) {
			this.insert({
				id: randomUUID(),
				name: u.name,
				type: u.type,
				roleIds: u.roles.map((n) => this.roleStore.byName(n).id),
				isServiceAccount: u.isServiceAccount ?? false,
			});
		}
	}

	setLogin(name: string, password: string): void {
		this.logins.set(name, password);
	}

	/** Why a login with the right password gets no token (401), or undefined. */
	private loginRefusal(login: string): string | undefined {
		const id = this.usersByName.get(login);
		const user = id ? this.users.get(id) : undefined;
		if (this.recordsOf(login).length === 0) return 'The account has no role on this backup server.';
		// Veeam documents no wording; the only public record of a real VBR (12) answer to an MFA
		// account's password grant is 401 AccessDenied "Authentication failed" (benyoung.blog, a REST
		// log), the words a wrong password gets: assumed the same here (sim/contracts/vbr.md).
		if (user && this.effectiveMfa(user)) return 'Authentication failed';
		return undefined;
	}

	seedUsers(opts: SeedOptions): number {
		const roleIds = (opts.roles ?? ['Backup Viewer']).map((n) => this.roleStore.byName(n).id);
		const prefix = opts.prefix ?? 'seed.user';
		let added = 0;
		while (added < opts.count) {
			const name = `SEED\\${prefix}${String(++this.seedCounter).padStart(6, '0')}`;
			if (this.usersByName.has(name.toLowerCase())) continue;
			this.insert({ id: randomUUID(), name, type: 'InternalUser', roleIds: [...roleIds], isServiceAccount: false });
			added++;
		}
		this.ctx.log.record('seed', prefix, { count: added });
		return added;
	}

	snapshot(): Record<string, unknown> {
		return {
			product: 'vbr',
			mfaEnabled: this.mfaEnabled,
			fourEyes: this.authorization.fourEyes,
			authorizationEvents: this.authorization.dump(),
			users: [...this.users.values()].map((u) => this.userModel(u, '1.3-rev2')),
			roles: this.roleStore.all().map((r) => this.roleStore.model(r, '1.3-rev2')),
			acl: this.acl.dump(),
		};
	}

	/** Serves these versions from now on: the server upgraded or downgraded, its users and tokens kept (sim/contracts). */
	serveVersions(versions: string[]): void {
		this.supportedVersions = [...versions];
	}

	checkApiVersion(req: SimRequest): void {
		const version = req.headers['x-api-version'];
		if (typeof version !== 'string' || version.trim() === '') {
			throw new SimHttpError(400, 'NotImplemented', this.versionMessage('The x-api-version header is required.'));
		}
		if (!this.supportedVersions.includes(version.trim())) {
			throw new SimHttpError(400, 'NotImplemented', this.versionMessage('The specified API version is not supported.'));
		}
	}

	errorResponse(err: SimHttpError): SimResponse {
		const body: Record<string, string> = { errorCode: err.errorCode, message: err.message };
		if (err.resourceId) body.resourceId = err.resourceId;
		return { status: err.status, body };
	}

	/**
	 * By default the 1.3-rev2 reference's ErrorNotImplementedExample: "The specified API version is
	 * not supported." With `announceVersions`, the wording users report from real servers on Veeam's
	 * forums: "Unsupported RESTAPI version. The following versions are supported: v1.0-rev1, …".
	 */
	private versionMessage(prefix: string): string {
		if (this.options.announceVersions !== true) return prefix;
		return `Unsupported RESTAPI version. The following versions are supported: ${this.supportedVersions.map((v) => `v${v}`).join(', ')}.`;
	}

	// ---- routes -------------------------------------------------------------------------------

	private routes(): void {
		const r = this.router;
		r.add('POST', '/api/oauth2/token', (req) => this.logins.token(req));
		r.add('POST', '/api/oauth2/logout', (req) => this.logins.logout(req));

		const users = '/api/v1/security/users';
		r.add('GET', users, (req) => this.authorized(req, () => this.listUsers(req)));
		r.add('POST', users, (req) => this.authorized(req, () => this.userChanges.createUser(req)));
		r.add('GET', `${users}/:id`, (req) => this.authorized(req, () => ok(this.userModel(this.userById(req), ver(req)))));
		r.add('DELETE', `${users}/:id`, (req) => this.authorized(req, () => this.userChanges.deleteUser(req)));
		r.add('GET', `${users}/:id/roles`, (req) =>
			this.authorized(req, () => ok({ roles: this.userById(req).roleIds.map((id) => this.roleStore.assigned(id, ver(req))) })),
		);
		r.add('PUT', `${users}/:id/roles`, (req) => this.authorized(req, () => this.userChanges.setUserRoles(req)));
		r.add('POST', `${users}/:id/changeServiceAccountMode`, (req) =>
			this.authorized(req, () => this.userChanges.changeServiceAccountMode(req)),
		);
		r.add('POST', `${users}/:id/resetMFA`, (req) => this.authorized(req, () => this.userChanges.resetMfa(req)));

		// "Available to: Veeam Backup Administrator, Veeam Security Administrator."
		const events = '/api/v1/authorization/events';
		const auditors = [BACKUP_ADMINISTRATOR, SECURITY_ADMINISTRATOR];
		r.add('GET', events, (req) => this.authorized(req, () => this.authorization.list(req), auditors, true));
		r.add('GET', `${events}/:id`, (req) => this.authorized(req, () => this.authorization.get(req), auditors, true));

		const roles = '/api/v1/security/roles';
		r.add('GET', roles, (req) => this.authorized(req, () => this.roleStore.list(req), ROLE_READERS_REV2));
		r.add('GET', `${roles}/:id`, (req) =>
			this.authorized(req, () => ok(this.roleStore.model(this.roleStore.byId(req), ver(req))), ROLE_READERS_REV2),
		);
		r.add('GET', `${roles}/:id/permissions`, (req) =>
			this.authorized(req, () => {
				const role = this.roleStore.byId(req);
				return ok({ roleId: role.id, permissions: role.permissions });
			}),
		);

		accessRoutes(r, {
			roles: this.customRoles,
			acl: this.acl,
			authorized: (req, handler, readers) => this.authorized(req, handler, readers),
			refuseDelete: () => this.authorization.refuseDelete(),
		});

		r.add('GET', '/api/v1/security/settings', (req) => this.authorized(req, () => ok({ mfaEnabled: this.mfaEnabled })));
		r.add('PUT', '/api/v1/security/settings', (req) =>
			this.authorized(req, () => {
				const body = jsonBody(req);
				if (typeof body.mfaEnabled !== 'boolean') throw badRequest('mfaEnabled must be a boolean.');
				const enabled = body.mfaEnabled;
				this.change(req, { name: 'Change security settings', description: `Multi-factor authentication ${enabled ? 'enabled' : 'disabled'} for users.` }, () => {
					this.mfaEnabled = enabled;
					this.ctx.log.record('settings.update', 'security', { mfaEnabled: this.mfaEnabled });
				});
				return ok({ mfaEnabled: enabled });
			}),
		);
	}

	// ---- authorization ------------------------------------------------------------------------

	/**
	 * Bearer token required (login.ts); the security API is available to Backup Administrators only
	 * (each operation's "Available to"), except what 1.3-rev2 opens to `rev2Readers` as well.
	 */
	private authorized(req: SimRequest, handler: () => SimResponse, rev2Readers?: string[], allVersions = false): SimResponse {
		const records = this.recordsOf(this.logins.subject(req));
		const allowed = rev2Readers && (allVersions || ver(req) !== '1.3-rev1') ? rev2Readers : [BACKUP_ADMINISTRATOR];
		const allowedIds = allowed.flatMap((name) =>
			name === CUSTOM_WITH_PERMISSIONS
				? this.roleStore.all().filter((role) => this.customRoles.hasBackupOrRestore(role.id)).map((role) => role.id)
				: [this.roleStore.byName(name).id],
		);
		if (!records.some((u) => u.roleIds.some((r) => allowedIds.includes(r)))) {
			throw new SimHttpError(403, 'AccessDenied', 'Forbidden');
		}
		return handler();
	}

	// ---- users --------------------------------------------------------------------------------

	private listUsers(req: SimRequest): SimResponse {
		return listUsers(req, {
			sorted: this.usersSortedByName(),
			maxPageSize: this.maxPageSize,
			roleName: (id, version) => this.roleStore.shownNameOf(id, version),
			mfa: (u) => this.effectiveMfa(u),
			model: (u, version) => this.userModel(u, version),
		});
	}

	/**
	 * A user, role or settings change asked over REST: done now (and an Info event), or held as a
	 * Pending request while four-eyes authorization is on (authorization.ts). Either way the answer
	 * is the one the change would get when done (our assumption: Veeam does not document it).
	 */
	private change(req: SimRequest, note: ChangeNote, apply: () => void): void {
		this.authorization.change(note, this.accountName(req), apply);
	}

	/** The user-list records that give a login its roles: its own, and those of its groups. */
	private recordsOf(login: string): VbrUser[] {
		const names = [login, ...(this.memberships.get(login) ?? [])];
		return names.flatMap((name) => {
			const id = this.usersByName.get(name);
			const user = id ? this.users.get(id) : undefined;
			return user ? [user] : [];
		});
	}

	/** The account a request comes from, as VBR lists it (`VBR01\svc-n8n`). */
	private accountName(req: SimRequest): string {
		const id = this.usersByName.get(this.logins.subject(req));
		return (id ? this.users.get(id)?.name : undefined) ?? this.logins.subject(req);
	}

	/** Control endpoints of this product (`/__sim/…`): four-eyes, approving and rejecting requests. */
	control(route: string, body: Record<string, unknown>): SimResponse | undefined {
		return this.authorization.control(route, body);
	}

	private userById(req: SimRequest): VbrUser {
		const id = req.params.id.toLowerCase();
		const user = UUID.test(id) ? this.users.get(id) : undefined;
		if (!user) throw notFound('Resource does not exist', req.params.id);
		return user;
	}

	private insert(user: VbrUser): void {
		this.users.set(user.id, user);
		this.usersByName.set(user.name.toLowerCase(), user.id);
		this.sortedByName = undefined;
	}

	private usersSortedByName(): VbrUser[] {
		this.sortedByName ??= [...this.users.values()].sort((a, b) => compareNames(a.name, b.name));
		return this.sortedByName;
	}

	/** VBR MFA is a server-wide setting; groups and service accounts never get an MFA prompt. */
	private effectiveMfa(user: VbrUser): boolean {
		return this.mfaEnabled && !user.isServiceAccount && (user.type === 'InternalUser' || user.type === 'ExternalUser');
	}

	private userModel(user: VbrUser, version: string): Record<string, unknown> {
		const model: Record<string, unknown> = {
			id: user.id,
			name: user.name,
			type: user.type,
			roles: user.roleIds.map((id) => this.roleStore.ref(id, version)),
			isServiceAccount: user.isServiceAccount,
		};
		// `mfaEnabled` on users arrived with 1.3-rev2 (VBR 13.1).
		if (version !== '1.3-rev1') model.mfaEnabled = this.effectiveMfa(user);
		return model;
	}
}
