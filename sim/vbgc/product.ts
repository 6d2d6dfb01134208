import { randomBytes, randomInt } from 'node:crypto';
import { STATUS_CODES } from 'node:http';

import type { SeedOptions, SimContext, SimProduct } from '../core/context';
import { consumeRefreshToken, tokenEndpoint } from '../core/grants';
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
import { PORTAL_ADMINISTRATOR, PORTAL_OPERATOR, RESTORE_OPERATOR, ROLE_PRIORITY, VBGC_ROLES, type VbgcRole } from './roles';

/**
 * Veeam Backup for Google Cloud 7.0 REST API (x-api-version 1.4-rev0, port 13140): the token
 * endpoint with its MFA grant, and user accounts with their MFA and password calls.
 *
 * Veeam publishes no OpenAPI file for VBGC. The contract is the 7.0 REST reference (seed
 * `001_*.txt`) and its overview pages; where they are silent, this file follows Veeam Backup for
 * AWS (same team, `aws.users.openapi.json`) and says so. Every such assumption is marked
 * "Assumption" below.
 */

/**
 * The users collection. The 7.0 reference uses `/api/v1/users`; one help page shows the MFA calls
 * under `/api/v1/accounts/users` for API 1.3-rev0. Kept in this one place should that be needed.
 */
export const VBGC_USERS_PATH = '/api/v1/users';
export const VBGC_TOKEN_PATH = '/api/v1/token';

export const VBGC_USER_TYPES = ['DefaultAdmin', 'Local'] as const;
/**
 * Assumption: the reference names one user type, `DefaultAdmin` (the built-in administrator).
 * Every other account the API creates is a local portal account; the simulator calls it `Local`.
 */
export type VbgcUserType = (typeof VBGC_USER_TYPES)[number];

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

/** The built-in administrator's login name. */
export const VBGC_DEFAULT_ADMIN = 'administrator';
/** The password of every initial user (and of seeded users). Satisfies the password policy below. */
export const VBGC_DEFAULT_PASSWORD = 'Sim-Passw0rd!1';
/**
 * A seeded Portal Administrator with MFA on: its base32 secret and scratch codes are fixed so that
 * tests can compute codes (`totpAt(secret, sim.clock.now())`). `reset()` restores used scratch codes.
 */
export const VBGC_MFA_USER: {
	readonly name: string;
	readonly password: string;
	/** Base32, as an authenticator app takes it. */
	readonly secret: string;
	/** Its five 8-digit scratch codes (each works once until the next reset). */
	readonly scratchCodes: readonly string[];
} = {
	name: 'mfa.admin',
	password: 'Sim-Mfa-Passw0rd!2',
	secret: 'MCC6AFPJZL6V7JSFAZSB2C7FEISPHAQX',
	scratchCodes: ['68816260', '92980759', '97350948', '07920794', '95882096'],
};

const DEFAULT_VERSIONS = ['1.1-rev0', '1.2-rev0', '1.3-rev0', '1.4-rev0'];
const DEFAULT_PAGE_SIZE = 100;
const SCRATCH_CODE_COUNT = 5;
const MAX_NAME_LENGTH = 64;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Memory bound: expired short-lived grants (mfa tokens, short-term refresh expiries) are swept this often. */
const SWEEP_EVERY = 256;

/**
 * Assumption (Veeam documents no rule for VBGC portal accounts): at least 8 characters with an
 * upper-case letter, a lower-case letter, a digit and a character that is neither letter nor digit.
 */
export const VBGC_PASSWORD_POLICY =
	'The password must be at least 8 characters long and contain an upper-case letter, a lower-case letter, a digit and a special character.';

export function satisfiesPasswordPolicy(password: string): boolean {
	return (
		password.length >= 8 &&
		/\p{Lu}/u.test(password) &&
		/\p{Ll}/u.test(password) &&
		/\p{Nd}/u.test(password) &&
		/[^\p{L}\p{Nd}]/u.test(password)
	);
}

interface MfaSecret {
	secret: string;
	scratchCodes: string[];
}

interface VbgcUser {
	name: string;
	description: string;
	type: VbgcUserType;
	roleIds: string[];
	/** A simulator: plain text in memory, never logged, never in `snapshot()`. */
	password: string;
	/** Active MFA. */
	mfa?: MfaSecret;
	/** A secret handed out by `mfaEnable`, active only once `mfaAccepted` confirms it. */
	pendingMfa?: MfaSecret & { token: string };
}

interface MfaLogin {
	/** Lower-case user name. */
	subject: string;
	expiresAt: number;
	failures: number;
}

const USER_PROPERTIES = ['name', 'description', 'mfaEnabled', 'type'] as const;
type UserProperty = (typeof USER_PROPERTIES)[number];
const FILTER_OPERATORS = ['equals', 'notEquals', 'contains', 'in', 'like'] as const;
type FilterOperator = (typeof FILTER_OPERATORS)[number];

interface FilterClause {
	property: UserProperty;
	operator: FilterOperator;
	ignoreCase: boolean;
	values: string[];
}

interface OrderClause {
	property: UserProperty;
	descending: boolean;
}

export class VbgcProduct implements SimProduct {
	readonly name = 'vbgc' as const;
	readonly router = new Router();
	private readonly supportedVersions: string[];
	private readonly maxPageSize: number;
	private readonly totpWindow: number;
	private readonly mfaTokenTtlMs: number;
	private readonly mfaMaxFailures: number;
	private readonly shortTermRefreshMs: number;
	/** Keyed by lower-case name: names match case-insensitively and keep their case. */
	private users = new Map<string, VbgcUser>();
	/** Users sorted by name, rebuilt lazily after a create or delete (100k-user lists stay cheap). */
	private sortedByName?: VbgcUser[];
	private readonly roles = new Map<string, VbgcRole>(VBGC_ROLES.map((r) => [r.id, r]));
	private mfaLogins = new Map<string, MfaLogin>();
	/**
	 * Expiry of refresh tokens issued with `use_short_term_refresh`. The core TokenService applies
	 * VBR's rule to short-term refresh tokens; VBGC's is 60 min, so the product keeps its own
	 * expiry next to the core's (the earlier of the two wins).
	 */
	private grantsSinceSweep = 0;
	private seedCounter = 0;

	constructor(
		private readonly ctx: SimContext,
		private readonly options: VbgcOptions = {},
	) {
		this.supportedVersions = options.supportedVersions ?? DEFAULT_VERSIONS;
		this.maxPageSize = options.maxPageSize ?? 500;
		this.totpWindow = options.totpWindow ?? 0;
		this.mfaTokenTtlMs = (options.mfaTokenTtlSeconds ?? 300) * 1000;
		this.mfaMaxFailures = options.mfaMaxFailures ?? 5;
		this.shortTermRefreshMs = (options.shortTermRefreshSeconds ?? 3600) * 1000;
		this.reset();
		this.routes();
	}

	reset(): void {
		this.users.clear();
		this.sortedByName = undefined;
		this.mfaLogins.clear();
		this.grantsSinceSweep = 0;
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
		validateName(name);
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
		validateName(`${prefix}000000`);
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
		r.add('POST', VBGC_TOKEN_PATH, (req) => this.token(req));

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

	private token(req: SimRequest): SimResponse {
		return tokenEndpoint(this.ctx, req, (grant, form) => this.tokenGrant(grant, form));
	}

	private tokenGrant(grant: string, form: URLSearchParams): SimResponse {
		const now = this.ctx.clock.now();
		let user: VbgcUser | undefined;
		if (grant === 'password') {
			const username = form.get('username') ?? '';
			const password = form.get('password') ?? '';
			if (!username || !password) {
				throw badRequest('The username and password parameters are required for the password grant.');
			}
			user = this.users.get(username.toLowerCase());
			if (!user || user.password !== password) {
				throw new SimHttpError(401, 'AccessDenied', 'Invalid user name or password.');
			}
			if (user.mfa) {
				// The second step: `grant_type=mfa` with this token and a code from the authenticator.
				const mfaToken = randomBytes(32).toString('base64url');
				this.sweep();
				this.mfaLogins.set(mfaToken, { subject: user.name.toLowerCase(), expiresAt: now + this.mfaTokenTtlMs, failures: 0 });
				return { status: 202, body: { mfa_token: mfaToken, mfa_enabled: true, username: user.name } };
			}
		} else if (grant === 'refresh_token') {
			user = this.users.get(consumeRefreshToken(this.ctx, form));
			if (!user) throw new SimHttpError(401, 'InvalidToken', 'The refresh token is invalid or has already been used.');
		} else if (grant === 'mfa') {
			user = this.mfaGrant(form, now);
		} else if (grant === 'authorization_code') {
			throw badRequest('The authorization_code grant needs a code this server has not issued.');
		} else {
			throw badRequest('The grant_type parameter must be password, refresh_token, mfa or authorization_code.');
		}
		return ok(this.issue(user, form));
	}

	private mfaGrant(form: URLSearchParams, now: number): VbgcUser {
		const mfaToken = form.get('mfa_token') ?? '';
		const code = (form.get('mfa_code') ?? '').trim();
		if (!mfaToken || !code) throw badRequest('The mfa_token and mfa_code parameters are required for the mfa grant.');
		const login = this.mfaLogins.get(mfaToken);
		if (!login) throw new SimHttpError(401, 'InvalidToken', 'The MFA token is invalid or has already been used.');
		if (login.expiresAt <= now) {
			this.mfaLogins.delete(mfaToken);
			throw new SimHttpError(401, 'ExpiredToken', 'The MFA token has expired. Log in again.');
		}
		const user = this.users.get(login.subject);
		if (!user?.mfa) {
			// The account was removed or its MFA turned off since the password step.
			this.mfaLogins.delete(mfaToken);
			throw new SimHttpError(401, 'InvalidToken', 'The MFA token is invalid or has already been used.');
		}
		if (!this.acceptMfaCode(user, code, now)) {
			login.failures++;
			if (login.failures >= this.mfaMaxFailures) {
				this.mfaLogins.delete(mfaToken);
				throw new SimHttpError(401, 'AccessDenied', 'Invalid verification code. Too many attempts: log in again.');
			}
			throw new SimHttpError(401, 'AccessDenied', 'Invalid verification code.');
		}
		this.mfaLogins.delete(mfaToken);
		return user;
	}

	/** The current TOTP (within `totpWindow` steps), or an unused 8-digit scratch code, which is then spent. */
	private acceptMfaCode(user: VbgcUser, code: string, now: number): boolean {
		const mfa = user.mfa;
		if (!mfa) return false;
		if (/^\d{6}$/.test(code)) return verifyTotp(mfa.secret, code, now, this.totpWindow);
		if (/^\d{8}$/.test(code)) {
			const index = mfa.scratchCodes.indexOf(code);
			if (index < 0) return false;
			mfa.scratchCodes.splice(index, 1);
			this.ctx.log.record('user.mfaScratchCode', user.name, { remaining: mfa.scratchCodes.length });
			return true;
		}
		return false;
	}

	/** Veeam Backup for AWS's `RESTLogin` shape, which VBGC shares. */
	private issue(user: VbgcUser, form: URLSearchParams): Record<string, unknown> {
		// `use_short_term_refresh`: VBGC's refresh token then lives 60 minutes.
		const shortTerm = /^true$/i.test(form.get('use_short_term_refresh') ?? '');
		const t = this.ctx.tokens.issue(user.name.toLowerCase(), {
			refreshTtlSeconds: shortTerm ? this.shortTermRefreshMs / 1000 : undefined,
		});
		return {
			access_token: t.accessToken,
			token_type: 'bearer',
			refresh_token: t.refreshToken,
			expires_in: t.expiresIn,
			'.issued': t.issuedAt.toISOString(),
			'.expires': t.expiresAt.toISOString(),
			username: user.name,
			roleName: this.primaryRoleName(user),
			mfa_enabled: Boolean(user.mfa),
		};
	}

	/**
	 * Assumption: `RESTLogin.roleName` is a single name while a VBGC user may hold several roles;
	 * the simulator reports the most privileged one.
	 */
	private primaryRoleName(user: VbgcUser): string {
		const names = user.roleIds.map((id) => this.roles.get(id)?.name ?? id);
		return ROLE_PRIORITY.find((n) => names.includes(n)) ?? names[0] ?? '';
	}

	/** Bounded memory: drop expired MFA logins and short-term refresh expiries now and then. */
	private sweep(): void {
		if (++this.grantsSinceSweep < SWEEP_EVERY) return;
		this.grantsSinceSweep = 0;
		const now = this.ctx.clock.now();
		for (const [t, l] of this.mfaLogins) if (l.expiresAt <= now) this.mfaLogins.delete(t);
	}

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
			pagination: { total: list.length, count: page.length, offset, limit },
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
		this.dropMfaLogins(key);
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
		this.dropMfaLogins(user.name.toLowerCase());
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

	private dropMfaLogins(subject: string): void {
		for (const [t, l] of this.mfaLogins) if (l.subject === subject) this.mfaLogins.delete(t);
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
		return ok({ data, pagination: { total: data.length, count: data.length, offset: 0, limit: DEFAULT_PAGE_SIZE } });
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

/**
 * Assumption (no documented rule): 1 to 64 characters, no white space, no `/` or `\`. `roles` is
 * refused too: `GET /users/roles` lists roles, so such a user could not be read back.
 */
function validateName(name: string): void {
	if (name === '') throw badRequest('The name property is required.');
	if (name.length > MAX_NAME_LENGTH) throw badRequest(`The user name must be at most ${MAX_NAME_LENGTH} characters long.`);
	if (/[\s/\\]/.test(name)) throw badRequest('The user name must not contain white space, / or \\.');
	if (name.toLowerCase() === 'roles') throw badRequest('The user name roles is reserved.');
}

function optionalDescription(input: unknown): string | undefined {
	if (input === undefined || input === null) return undefined;
	if (typeof input !== 'string') throw badRequest('The description property must be a string.');
	return input;
}

function newScratchCodes(): string[] {
	const codes = new Set<string>();
	while (codes.size < SCRATCH_CODE_COUNT) codes.add(String(randomInt(0, 100_000_000)).padStart(8, '0'));
	return [...codes];
}

/** The host the client addressed (without port), for the otpauth label and issuer. */
function hostName(req: SimRequest): string {
	const host = String(req.headers.host ?? '').replace(/:\d+$/, '');
	return host || 'vbgc.simulator';
}

/** Case-insensitive, then by code point, so the order is total and stable across runs. */
function compareText(a: string, b: string): number {
	const la = a.toLowerCase();
	const lb = b.toLowerCase();
	if (la !== lb) return la < lb ? -1 : 1;
	return a < b ? -1 : a > b ? 1 : 0;
}

function propertyValue(user: VbgcUser, property: UserProperty): string {
	switch (property) {
		case 'name':
			return user.name;
		case 'description':
			return user.description;
		case 'mfaEnabled':
			return String(Boolean(user.mfa));
		case 'type':
			return user.type;
	}
}

function findProperty(raw: unknown, what: string): UserProperty {
	const found = USER_PROPERTIES.find((p) => typeof raw === 'string' && p.toLowerCase() === raw.toLowerCase());
	if (!found) throw badRequest(`The ${what} property must be one of ${USER_PROPERTIES.join(', ')}.`);
	return found;
}

/**
 * Veeam's filter syntax: a JSON array of `{ property, operator, ignorecase, value }`, every
 * entry must hold. The simulator implements the operators a user list needs (equals, notEquals,
 * contains, in with an array value, like with `*` and `?` wildcards); the others VBGC lists
 * (greaterThan…, and/or…) answer 400 here. Assumption: `ignorecase` left out means false
 * (case-sensitive); `mfaEnabled` is a boolean and compares without case either way.
 */
function parseFilter(raw: string | null): FilterClause[] {
	if (raw === null || raw.trim() === '') return [];
	let parsed: unknown;
	try {
		parsed = JSON.parse(raw);
	} catch {
		throw badRequest('The filter parameter must be a JSON array of {property, operator, ignorecase, value} objects.');
	}
	if (!Array.isArray(parsed)) {
		throw badRequest('The filter parameter must be a JSON array of {property, operator, ignorecase, value} objects.');
	}
	return parsed.map((entry: unknown) => {
		if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
			throw badRequest('Each filter entry must be an object with property, operator, ignorecase and value.');
		}
		const e = entry as Record<string, unknown>;
		const property = findProperty(e.property, 'filter');
		const operator = FILTER_OPERATORS.find((o) => typeof e.operator === 'string' && o.toLowerCase() === e.operator.toLowerCase());
		if (!operator) throw badRequest(`The filter operator must be one of ${FILTER_OPERATORS.join(', ')}.`);
		let ignoreCase = false;
		if (e.ignorecase !== undefined) {
			if (e.ignorecase === true || /^true$/i.test(String(e.ignorecase))) ignoreCase = true;
			else if (!(e.ignorecase === false || /^false$/i.test(String(e.ignorecase)))) {
				throw badRequest('The filter ignorecase value must be true or false.');
			}
		}
		const rawValues = operator === 'in' ? e.value : [e.value];
		if (!Array.isArray(rawValues) || (operator === 'in' && rawValues.length === 0)) {
			throw badRequest('The in operator takes an array of values.');
		}
		const values = rawValues.map((v: unknown) => {
			if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
				throw badRequest(`The filter value for ${property} must be a string${operator === 'in' ? ' array' : ''}.`);
			}
			return String(v);
		});
		if (property === 'mfaEnabled') {
			if (!values.every((v) => /^(true|false)$/i.test(v))) throw badRequest('The mfaEnabled filter value must be true or false.');
			// A boolean is not text: its case never matters.
			return { property, operator, ignoreCase: true, values };
		}
		return { property, operator, ignoreCase, values };
	});
}

function clauseTest(clause: FilterClause): (user: VbgcUser) => boolean {
	const fold = (s: string) => (clause.ignoreCase ? s.toLowerCase() : s);
	const values = clause.values.map(fold);
	const get = (u: VbgcUser) => fold(propertyValue(u, clause.property));
	switch (clause.operator) {
		case 'equals':
			return (u) => get(u) === values[0];
		case 'notEquals':
			return (u) => get(u) !== values[0];
		case 'contains':
			return (u) => get(u).includes(values[0]);
		case 'in':
			return (u) => values.includes(get(u));
		case 'like': {
			const pattern = clause.values[0].replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
			const re = new RegExp(`^${pattern}$`, clause.ignoreCase ? 'is' : 's');
			return (u) => re.test(propertyValue(u, clause.property));
		}
	}
}

/** `orderby=[{"property":"name","direction":"ASC"}]`; several entries sort by each in turn. */
function parseOrderBy(raw: string | null): OrderClause[] {
	if (raw === null || raw.trim() === '') return [];
	let parsed: unknown;
	try {
		parsed = JSON.parse(raw);
	} catch {
		throw badRequest('The orderby parameter must be a JSON array of {property, direction} objects.');
	}
	if (!Array.isArray(parsed)) throw badRequest('The orderby parameter must be a JSON array of {property, direction} objects.');
	return parsed.map((entry: unknown) => {
		if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
			throw badRequest('Each orderby entry must be an object with property and direction.');
		}
		const e = entry as Record<string, unknown>;
		const property = findProperty(e.property, 'orderby');
		const direction = e.direction === undefined ? 'ASC' : String(e.direction).toUpperCase();
		if (direction !== 'ASC' && direction !== 'DESC') throw badRequest('The orderby direction must be ASC or DESC.');
		return { property, descending: direction === 'DESC' };
	});
}

/** `list` is sorted by name already; ties keep that order (Array#sort is stable). */
function sortUsers(list: VbgcUser[], order: OrderClause[]): VbgcUser[] {
	if (order.length === 0 || (order.length === 1 && order[0].property === 'name' && !order[0].descending)) return list;
	if (order.length === 1 && order[0].property === 'name') return [...list].reverse();
	return [...list].sort((a, b) => {
		for (const o of order) {
			const c = compareText(propertyValue(a, o.property), propertyValue(b, o.property));
			if (c !== 0) return o.descending ? -c : c;
		}
		return 0;
	});
}
