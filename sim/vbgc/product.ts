import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

import type { SeedOptions, SimContext, SimProduct } from '../core/context';
import {
	badRequest,
	intParam,
	jsonBody,
	notFound,
	Router,
	SimHttpError,
	type SimRequest,
	type SimResponse,
} from '../core/http';
import { newTotpSecret, verifyTotp } from '../core/totp';
import { VbgcLogins } from './login';
import {
	newScratchCodes,
	optionalDescription,
	satisfiesPasswordPolicy,
	validateName,
	validateStoredName,
	VBGC_DEFAULT_ADMIN,
	VBGC_DEFAULT_PASSWORD,
	VBGC_MFA_USER,
	VBGC_PASSWORD_POLICY,
	VBGC_TOKEN_PATH,
	VBGC_USERS_PATH,
	compareText,
	type VbgcUser,
} from './model';
import { clauseTest, parseFilter, parseOrderBy, sortUsers } from './query';
import { PORTAL_ADMINISTRATOR, PORTAL_OPERATOR, RESTORE_OPERATOR, VBGC_ROLES, type VbgcRole } from './roles';

export {
	VBGC_DEFAULT_ADMIN,
	VBGC_DEFAULT_PASSWORD,
	VBGC_MFA_USER,
	VBGC_PASSWORD_POLICY,
	VBGC_TOKEN_PATH,
	VBGC_USER_TYPES,
	VBGC_USERS_PATH,
	satisfiesPasswordPolicy,
	type VbgcUserType,
} from './model';

/**
 * Veeam Backup for Google Cloud 7.0 REST API (x-api-version 1.4-rev0, port 13140): the token
 * endpoint with its MFA grant (login.ts), and user accounts with their MFA and password calls.
 *
 * Veeam publishes no OpenAPI file for VBGC. The contract is the 7.0 REST reference (seed
 * `001_*.txt`) and its overview pages; where they are silent, this file follows Veeam Backup for
 * AWS (same team, `aws.users.openapi.json`) and says so. Every such assumption is marked
 * "Assumption" below.
 */

export interface VbgcOptions {
	/** `x-api-version` values the server accepts (default 1.1-rev0 … 1.4-rev0). */
	supportedVersions?: string[];
	/** When false, an unsupported version gets a bare message without the list of versions. */
	announceVersions?: boolean;
	/** Largest `limit` the user list honours; larger requests are clamped (and `pagination.limit` says so). Default 500. */
	maxPageSize?: number;
	/** TOTP steps accepted either side of the current 30-s window (default 0: the current window only). */
	totpWindow?: number;
	/** Lifetime of the `mfa_token` a password grant answers with when MFA is on (default 300 s). */
	mfaTokenTtlSeconds?: number;
	/** Wrong codes an `mfa_token` takes; the one that reaches this number burns it (default 5). */
	mfaMaxFailures?: number;
	/** Refresh-token lifetime with `use_short_term_refresh=true` (default 3600 s: 60 min in VBGC). */
	shortTermRefreshSeconds?: number;
	/**
	 * Assumption: any signed-in user may read their own account, change their own password and set
	 * up their own MFA (the "my account" actions of the VBGC web UI); everything else needs Portal
	 * Administrator. Set false to require Portal Administrator for those too. Default true.
	 */
	selfService?: boolean;
}

const DEFAULT_VERSIONS = ['1.1-rev0', '1.2-rev0', '1.3-rev0', '1.4-rev0'];
/** VBGC REST help, "Pagination": the default page size is 100. */
const DEFAULT_PAGE_SIZE = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class VbgcProduct implements SimProduct {
	readonly name = 'vbgc' as const;
	readonly router = new Router();
	private supportedVersions: string[];
	private readonly maxPageSize: number;
	private readonly totpWindow: number;
	private readonly logins: VbgcLogins;
	/** Keyed by lower-case name: names match case-insensitively and keep their case. */
	private users = new Map<string, VbgcUser>();
	/** Users sorted by name, rebuilt lazily after a create or delete (100k-user lists stay cheap). */
	private sortedByName?: VbgcUser[];
	private readonly roles = new Map<string, VbgcRole>(VBGC_ROLES.map((r) => [r.id, r]));
	private seedCounter = 0;

	constructor(
		private readonly ctx: SimContext,
		private readonly options: VbgcOptions = {},
	) {
		this.supportedVersions = options.supportedVersions ?? DEFAULT_VERSIONS;
		this.maxPageSize = options.maxPageSize ?? 500;
		this.totpWindow = options.totpWindow ?? 0;
		this.logins = new VbgcLogins(
			ctx,
			{
				totpWindow: this.totpWindow,
				mfaTokenTtlMs: (options.mfaTokenTtlSeconds ?? 300) * 1000,
				mfaMaxFailures: options.mfaMaxFailures ?? 5,
				shortTermRefreshMs: (options.shortTermRefreshSeconds ?? 3600) * 1000,
			},
			(key) => this.users.get(key),
			(id) => this.roles.get(id)?.name ?? id,
		);
		this.reset();
		this.routes();
	}

	reset(): void {
		this.users.clear();
		this.sortedByName = undefined;
		this.logins.reset();
		this.seedCounter = 0;
		const admin = this.roleByName(PORTAL_ADMINISTRATOR).id;
		this.insert({
			name: VBGC_DEFAULT_ADMIN,
			description: 'Default administrator',
			type: 'DefaultAdmin',
			roleIds: [admin],
			password: VBGC_DEFAULT_PASSWORD,
		});
		this.insert({
			name: 'operator',
			description: 'Backup operator',
			type: 'Local',
			roleIds: [this.roleByName(PORTAL_OPERATOR).id],
			password: VBGC_DEFAULT_PASSWORD,
		});
		this.insert({
			name: 'restorer',
			description: 'Restore operator',
			type: 'Local',
			roleIds: [this.roleByName(RESTORE_OPERATOR).id],
			password: VBGC_DEFAULT_PASSWORD,
		});
		this.insert({
			name: VBGC_MFA_USER.name,
			description: 'Administrator with MFA',
			type: 'Local',
			roleIds: [admin],
			password: VBGC_MFA_USER.password,
			mfa: { secret: VBGC_MFA_USER.secret, scratchCodes: [...VBGC_MFA_USER.scratchCodes] },
		});
	}

	/** Sets the password of an existing user, or adds a Portal Administrator with that password. */
	setLogin(name: string, password: string): void {
		const user = this.users.get(name.toLowerCase());
		if (user) {
			user.password = password;
			return;
		}
		validateStoredName(name);
		this.insert({
			name,
			description: '',
			type: 'Local',
			roleIds: [this.roleByName(PORTAL_ADMINISTRATOR).id],
			password,
		});
	}

	/** Adds `<prefix><n>` users (n zero-padded to 6 digits), fast: no hashing, one sort on next list. */
	seedUsers(opts: SeedOptions): number {
		const roleIds = (opts.roles ?? [RESTORE_OPERATOR]).map((n) => this.roleByName(n).id);
		const prefix = opts.prefix ?? 'seed.user';
		validateStoredName(`${prefix}000000`);
		let added = 0;
		while (added < opts.count) {
			const n = ++this.seedCounter;
			const name = `${prefix}${String(n).padStart(6, '0')}`;
			if (this.users.has(name.toLowerCase())) continue;
			this.insert({
				name,
				description: `Seeded user ${n}`,
				type: 'Local',
				roleIds: [...roleIds],
				password: VBGC_DEFAULT_PASSWORD,
			});
			added++;
		}
		this.ctx.log.record('seed', prefix, { count: added });
		return added;
	}

	snapshot(): Record<string, unknown> {
		return {
			product: 'vbgc',
			users: this.usersSortedByName().map((u) => this.userModel(u)),
			roles: [...this.roles.values()].map((r) => ({ ...r })),
		};
	}

	/** Serves these versions from now on: the server upgraded or downgraded, its users and tokens kept (sim/contracts). */
	serveVersions(versions: string[]): void {
		this.supportedVersions = [...versions];
	}

	checkApiVersion(req: SimRequest): void {
		const version = req.headers['x-api-version'];
		if (typeof version !== 'string' || version.trim() === '') {
			throw new SimHttpError(400, 'NotImplemented', `The x-api-version header is required.${this.versionHint()}`);
		}
		if (!this.supportedVersions.includes(version.trim())) {
			throw new SimHttpError(400, 'NotImplemented', `The specified API version is not supported.${this.versionHint()}`);
		}
	}

	/**
	 * RFC 7807 problem details as Veeam Backup for AWS renders them (its `Error` schema), which
	 * VBGC shares: `title` (the reason phrase), `status`, `errorCode`, `details`, and `instance`
	 * when one resource (a user name) is involved. AWS's schema marks `type` (a problem-type URI)
	 * required, but Veeam documents no such URIs; the simulator leaves it out, so a client that
	 * depends on it fails here first.
	 */
	errorResponse(err: SimHttpError): SimResponse {
		const body: Record<string, unknown> = {
			title: STATUS_CODES[err.status] ?? 'Error',
			status: err.status,
			errorCode: err.errorCode,
			details: err.message,
		};
		if (err.resourceId) body.instance = err.resourceId;
		return { status: err.status, body };
	}

	private versionHint(): string {
		return this.options.announceVersions === false ? '' : ` Supported versions: ${this.supportedVersions.join(', ')}.`;
	}

	// ---- routes -------------------------------------------------------------------------------

	private routes(): void {
		const r = this.router;
		const users = VBGC_USERS_PATH;
		r.add('POST', VBGC_TOKEN_PATH, (req) => this.logins.token(req));

		r.add('GET', users, (req) => this.asAdmin(req, () => this.listUsers(req)));
		r.add('POST', users, (req) => this.asAdmin(req, () => this.createUser(req)));
		// A literal segment beats `:name` in the router, so this is never read as a user called "roles".
		r.add('GET', `${users}/roles`, (req) => this.asAdmin(req, () => this.listRoles()));
		r.add('GET', `${users}/:name`, (req) => this.asAdminOrSelf(req, (user) => ok(this.userModel(user))));
		r.add('PUT', `${users}/:name`, (req) => this.asAdmin(req, () => this.updateUser(req)));
		r.add('DELETE', `${users}/:name`, (req) => this.asAdmin(req, () => this.deleteUser(req)));
		r.add('POST', `${users}/:name/mfaEnable`, (req) => this.asAdminOrSelf(req, (user) => this.mfaEnable(req, user)));
		r.add('POST', `${users}/:name/mfaAccepted`, (req) =>
			this.asAdminOrSelf(req, (user) => this.mfaAccepted(req, user)),
		);
		r.add('POST', `${users}/:name/mfaDisable`, (req) => this.asAdmin(req, () => this.mfaDisable(req)));
		r.add('POST', `${users}/:name/changePassword`, (req) =>
			this.asAdminOrSelf(req, (user) => this.changePassword(req, user)),
		);
	}

	// ---- authentication -----------------------------------------------------------------------

	private caller(req: SimRequest): VbgcUser {
		const auth = this.ctx.tokens.checkAccess(req.headers.authorization);
		if (!auth.ok) {
			if (auth.reason === 'expired') throw new SimHttpError(401, 'ExpiredToken', 'The access token has expired.');
			if (auth.reason === 'invalid') throw new SimHttpError(401, 'InvalidToken', 'The access token is invalid.');
			throw new SimHttpError(401, 'AccessDenied', `Unauthorized. Get a bearer token at ${VBGC_TOKEN_PATH}.`);
		}
		const user = this.users.get(auth.subject);
		if (!user) throw new SimHttpError(401, 'InvalidToken', 'The access token is invalid.');
		return user;
	}

	private isAdmin(user: VbgcUser): boolean {
		return user.roleIds.includes(this.roleByName(PORTAL_ADMINISTRATOR).id);
	}

	/** Bearer token required; user management is for Portal Administrators. */
	private asAdmin(req: SimRequest, handler: () => SimResponse): SimResponse {
		const caller = this.caller(req);
		if (!this.isAdmin(caller)) throw forbidden();
		return handler();
	}

	/** A Portal Administrator on any account, or (with `selfService`) anyone on their own account. */
	private asAdminOrSelf(req: SimRequest, handler: (user: VbgcUser) => SimResponse): SimResponse {
		const caller = this.caller(req);
		const self = this.options.selfService !== false && req.params.name.toLowerCase() === caller.name.toLowerCase();
		if (!self && !this.isAdmin(caller)) throw forbidden();
		return handler(this.userByName(req));
	}

	// ---- users --------------------------------------------------------------------------------

	private listUsers(req: SimRequest): SimResponse {
		const q = req.query;
		const offset = intParam(q, 'offset', 0, 0);
		const limit = Math.min(intParam(q, 'limit', DEFAULT_PAGE_SIZE, 1), this.maxPageSize);
		const filter = parseFilter(q.get('filter'));
		const order = parseOrderBy(q.get('orderby'));

		let list = this.usersSortedByName();
		if (filter.length) {
			const tests = filter.map(clauseTest);
			list = list.filter((u) => tests.every((t) => t(u)));
		}
		list = sortUsers(list, order);
		const page = list.slice(offset, offset + limit);
		return ok({
			data: page.map((u) => this.userModel(u)),
			// VBGC REST help, "Pagination": offset (skipped), limit (the page size), totalCount (all matches).
			pagination: { offset, limit, totalCount: list.length },
		});
	}

	private createUser(req: SimRequest): SimResponse {
		const body = jsonBody(req);
		const name = body.name;
		if (typeof name !== 'string') throw badRequest('The name property is required.');
		validateName(name);
		if (this.users.has(name.toLowerCase())) {
			throw new SimHttpError(400, 'UnexpectedContent', `A user with the name ${name} already exists.`, name);
		}
		const description = optionalDescription(body.description);
		if (typeof body.password !== 'string' || body.password === '') throw badRequest('The password property is required.');
		if (!satisfiesPasswordPolicy(body.password)) throw badRequest(VBGC_PASSWORD_POLICY);
		const roleIds = this.parseRoleIds(body.roleIds);
		const user: VbgcUser = { name, description: description ?? '', type: 'Local', roleIds, password: body.password };
		this.insert(user);
		this.ctx.log.record('user.create', user.name, { roles: this.roleNames(user), description: user.description });
		return ok({ user: this.userModel(user), issues: [] });
	}

	private updateUser(req: SimRequest): SimResponse {
		const user = this.userByName(req);
		const body = jsonBody(req);
		const description = optionalDescription(body.description);
		const roleIds = body.roleIds === undefined ? undefined : this.parseRoleIds(body.roleIds);
		if (roleIds && user.type === 'DefaultAdmin' && !roleIds.includes(this.roleByName(PORTAL_ADMINISTRATOR).id)) {
			throw new SimHttpError(
				400,
				'UnexpectedContent',
				`The default administrator ${user.name} must keep the ${PORTAL_ADMINISTRATOR} role.`,
				user.name,
			);
		}
		const detail: Record<string, unknown> = {};
		if (description !== undefined && description !== user.description) {
			detail.description = { from: user.description, to: description };
			user.description = description;
		}
		if (roleIds) {
			const before = this.roleNames(user);
			user.roleIds = roleIds;
			const after = this.roleNames(user);
			if (before.join('\n') !== after.join('\n')) detail.roles = { from: before, to: after };
		}
		this.ctx.log.record('user.update', user.name, detail);
		return ok({ user: this.userModel(user), issues: [] });
	}

	private deleteUser(req: SimRequest): SimResponse {
		const user = this.userByName(req);
		if (user.type === 'DefaultAdmin') {
			throw new SimHttpError(400, 'UnexpectedContent', `The default administrator ${user.name} cannot be removed.`, user.name);
		}
		const key = user.name.toLowerCase();
		this.users.delete(key);
		this.sortedByName = undefined;
		// A removed account's sessions, and its half-done MFA logins, end with it.
		this.ctx.tokens.revokeSubject(key);
		this.logins.dropFor(key);
		this.ctx.log.record('user.delete', user.name);
		return { status: 204 };
	}

	private mfaEnable(req: SimRequest, user: VbgcUser): SimResponse {
		const body = jsonBody(req);
		if (typeof body.recreate !== 'boolean') throw badRequest('The recreate property is required (true or false).');
		if (user.mfa && !body.recreate) {
			throw new SimHttpError(
				400,
				'UnexpectedContent',
				`MFA is already enabled for ${user.name}. Set recreate to true to generate a new secret key.`,
				user.name,
			);
		}
		// Pending until mfaAccepted confirms it; an active secret keeps working until then.
		const pending = { secret: newTotpSecret(), scratchCodes: newScratchCodes(), token: randomBytes(32).toString('base64') };
		user.pendingMfa = pending;
		this.ctx.log.record('user.mfaEnable', user.name, { recreate: body.recreate, mfaEnabled: Boolean(user.mfa) });
		const host = hostName(req);
		return ok({
			response: {
				qrString: `otpauth://totp/${encodeURIComponent(user.name)}@${host}?secret=${pending.secret}&issuer=${encodeURIComponent(host)}`,
				secretKey: pending.secret,
				scratchCodes: [...pending.scratchCodes],
				token: pending.token,
			},
			issues: [],
		});
	}

	private mfaAccepted(req: SimRequest, user: VbgcUser): SimResponse {
		const body = jsonBody(req);
		if (typeof body.code !== 'string' || body.code === '') throw badRequest('The code property is required.');
		if (typeof body.token !== 'string' || body.token === '') throw badRequest('The token property is required.');
		const pending = user.pendingMfa;
		if (!pending) {
			throw new SimHttpError(400, 'UnexpectedContent', `No MFA setup is pending for ${user.name}. Call mfaEnable first.`, user.name);
		}
		if (body.token !== pending.token) {
			throw new SimHttpError(400, 'UnexpectedContent', 'The token does not match the one mfaEnable returned.', user.name);
		}
		if (!verifyTotp(pending.secret, body.code.trim(), this.ctx.clock.now(), this.totpWindow)) {
			throw new SimHttpError(400, 'UnexpectedContent', 'The verification code is not valid.', user.name);
		}
		user.mfa = { secret: pending.secret, scratchCodes: pending.scratchCodes };
		user.pendingMfa = undefined;
		this.ctx.log.record('user.mfaAccepted', user.name);
		return { status: 201, body: { success: true, issues: [] } };
	}

	private mfaDisable(req: SimRequest): SimResponse {
		const user = this.userByName(req);
		const wasEnabled = Boolean(user.mfa);
		user.mfa = undefined;
		user.pendingMfa = undefined;
		this.logins.dropFor(user.name.toLowerCase());
		this.ctx.log.record('user.mfaDisable', user.name, { wasEnabled });
		return ok({ success: true, issues: [] });
	}

	/** The current password is required, even from an administrator; sessions stay valid. */
	private changePassword(req: SimRequest, user: VbgcUser): SimResponse {
		const body = jsonBody(req);
		if (typeof body.password !== 'string' || body.password === '') throw badRequest('The password property is required.');
		if (typeof body.oldPassword !== 'string' || body.oldPassword === '') {
			throw badRequest('The oldPassword property is required.');
		}
		if (body.oldPassword !== user.password) {
			throw new SimHttpError(400, 'UnexpectedContent', 'The current password (oldPassword) is incorrect.', user.name);
		}
		if (!satisfiesPasswordPolicy(body.password)) throw badRequest(VBGC_PASSWORD_POLICY);
		user.password = body.password;
		this.ctx.log.record('user.password', user.name);
		return { status: 201, body: { user: this.userModel(user), issues: [] } };
	}

	private userByName(req: SimRequest): VbgcUser {
		const user = this.users.get(req.params.name.toLowerCase());
		if (!user) throw notFound(`The user ${req.params.name} does not exist.`, req.params.name);
		return user;
	}

	private insert(user: VbgcUser): void {
		this.users.set(user.name.toLowerCase(), user);
		this.sortedByName = undefined;
	}

	private usersSortedByName(): VbgcUser[] {
		this.sortedByName ??= [...this.users.values()].sort((a, b) => compareText(a.name, b.name));
		return this.sortedByName;
	}

	private userModel(user: VbgcUser): Record<string, unknown> {
		return {
			name: user.name,
			description: user.description,
			mfaEnabled: Boolean(user.mfa),
			type: user.type,
			roles: user.roleIds.map((id) => this.roleRef(id)),
		};
	}

	private roleNames(user: VbgcUser): string[] {
		return user.roleIds.map((id) => this.roles.get(id)?.name ?? id);
	}

	private parseRoleIds(input: unknown): string[] {
		if (!Array.isArray(input) || input.length === 0) throw badRequest('The roleIds property must list at least one role id.');
		const ids: string[] = [];
		for (const item of input) {
			if (typeof item !== 'string' || !UUID.test(item)) throw badRequest('Each item of roleIds must be a role id (a UUID).');
			const id = item.toLowerCase();
			if (!this.roles.has(id)) throw badRequest(`The role ${item} does not exist.`);
			if (!ids.includes(id)) ids.push(id);
		}
		return ids;
	}

	// ---- roles --------------------------------------------------------------------------------

	/** Assumption: the reference lists no query parameters for roles; the three come in one page. */
	private listRoles(): SimResponse {
		const data = [...this.roles.values()].map((r) => ({ ...r }));
		return ok({ data, pagination: { offset: 0, limit: DEFAULT_PAGE_SIZE, totalCount: data.length } });
	}

	private roleByName(name: string): VbgcRole {
		const role = [...this.roles.values()].find((r) => r.name.toLowerCase() === name.toLowerCase());
		if (!role) throw new Error(`unknown VBGC role ${name}; roles are ${VBGC_ROLES.map((r) => r.name).join(', ')}`);
		return role;
	}

	private roleRef(id: string): Record<string, unknown> {
		const role = this.roles.get(id);
		return role ? { ...role } : { id, name: id, description: '' };
	}
}
// ---- helpers ------------------------------------------------------------------------------------

function ok(body: unknown): SimResponse {
	return { status: 200, body };
}

function forbidden(): SimHttpError {
	return new SimHttpError(403, 'AccessDenied', `Forbidden. This operation requires the ${PORTAL_ADMINISTRATOR} role.`);
}


/** The host the client addressed (without port), for the otpauth label and issuer. */
function hostName(req: SimRequest): string {
	const host = String(req.headers.host ?? '').replace(/:\d+$/, '');
	return host || 'vbgc.simulator';
}

