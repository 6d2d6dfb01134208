/**
 * Veeam Service Provider Console REST API v3 (port 1280, base `/api/v3`), as release 9.1 serves it
 * (REST 3.6.1; the versions it also accepts in `X-Client-Version`). The contract is
 * sim/contracts/vspc.md; the spec subset answers are validated against is
 * sim/spec/vspc-3.6.1.users.openapi.json. Organizations (provider, resellers, companies), users,
 * logins, tokens, async actions (202), throttling (429 with `retryAfter`).
 */
import type { SimContext, SimProduct } from '../core/context';
import { Router, type SimHttpError, type SimRequest, type SimResponse } from '../core/http';
import { VspcAsync } from './async';
import { VspcAuth, type VspcCaller } from './auth';
import { VspcError, vspcBadRequest, vspcErrorResponse } from './errors';
import { faultError, VspcFaults, type VspcFaultSpec } from './faults';
import { VspcLogins } from './logins';
import { VspcOrganizations } from './orgs';
import { VSPC_API, VSPC_PROVIDER_UID, type VspcLoginRecord, type VspcOrg, type VspcProfileRecord, type VspcRole, type VspcUserRecord } from './model';
import type { QueryLimits } from './query';
import { addOrganization, loadInitialState, VspcSeeder, type VspcSeedOptions } from './seed';
import { VspcStore } from './store';
import { VspcUsers } from './users';
import { orgView, userView } from './views';

export * from './model';
export type { VspcSeedOptions } from './seed';
export type { VspcFaultSpec } from './faults';

/**
 * The 3.6.1 reference's version table (SectionOverview): 3.6.1 (VSPC 9.1), 3.6 (9.0), 3.5.1 and
 * 3.5 (8.1) supported, 3.4 and older not (REST help "Versioning", back_comp.html, for 9.0 still
 * called 3.4 deprecated); VSPC 9.2 serves 3.6.2 (its reference lives under
 * references/vac/9.2/rest/3.6.2/). The simulator answers as a 9.2 server: the shapes it uses are
 * the same in 3.6.1 and 3.6.2.
 */
export const VSPC_SUPPORTED_VERSIONS = ['3.5', '3.5.1', '3.6', '3.6.1', '3.6.2'] as const;

export interface VspcOptions {
	/** `X-Client-Version` values served (default VSPC_SUPPORTED_VERSIONS). */
	supportedVersions?: string[];
	/** Assumption: a request without `X-Client-Version` is served (the spec marks it optional); true: 400. */
	requireClientVersion?: boolean;
	/** Largest `limit` (default 500, the spec's maximum). */
	maxPageSize?: number;
	/** A `limit` above the maximum: `refuse` (default, 400) or `clamp`. */
	limitOverMax?: 'refuse' | 'clamp';
	/** Operations answered 202 + an async action, as the spec writes them: `POST /users`, `DELETE /users/{userUid}`, … */
	asyncOperations?: string[];
	/** Polls of `GET /asyncActions/{id}` that find an action running; the last one runs it (default 1). */
	asyncPolls?: number;
	/**
	 * Throttling ("Throttling", …/rest/throttling.html): at most `maxRequests` per caller per
	 * `windowSeconds`, then 429 + `retryAfter` (the seconds to the next period); at most
	 * `maxParallel` requests being answered at once (all callers), then 429 without `retryAfter`
	 * (Veeam: the body "may" carry it, for the time-period limit).
	 */
	throttle?: { maxRequests?: number; windowSeconds?: number; maxParallel?: number };
	/** TOTP steps accepted either side of the current window (default 0). */
	totpWindow?: number;
	/** Lifetime of a password grant's `mfa_token` (default 300 s: assumed). */
	mfaTokenTtlSeconds?: number;
	/** Wrong codes an `mfa_token` takes before it burns (default 5: assumed). */
	mfaMaxFailures?: number;
	/**
	 * The password grant of a user with a TOTP login: `refuse` (default, 400: the 3.6.1 reference,
	 * "Multi-Factor Authentication": such a user "can no longer authenticate with user name and
	 * password to the … REST API") or `challenge` (inferred from the spec's fields only: 200 with
	 * `mfa_token`, then the mfa grant with `mfa_token` + `mfa_code`).
	 */
	mfaPasswordGrant?: 'challenge' | 'refuse';
	/**
	 * A user whose `mfaPolicyStatus` is Enabled or EnabledByInheritance is refused the password grant
	 * (the guides: "If you configure MFA for an account that is used for integration with third party
	 * applications, that integration will stop working", provider_user/mfa_users.html). Default false:
	 * the reference's "Enabling MFA for Other Users": "Authentication to … REST API remains intact."
	 */
	mfaPolicyBlocksPasswordGrant?: boolean;
	/**
	 * A company's `instanceUid` (GET /organizations/companies) is the UID of its organization (users'
	 * `organizationUid`). Default false: they differ, as in Veeam's "Expand Parameter" example
	 * (company eb866e8f-… with `_embedded.organization.instanceUid` ece6d725-…).
	 */
	companyUidIsOrganizationUid?: boolean;
	/**
	 * The answer to an `X-Client-Version` the server does not serve: `unsupportedApiVersion` (default;
	 * the one answer users have reported, VeeamHub/powershell issue 173: ASP.NET's
	 * `{ error: { code: "UnsupportedApiVersion", message, innerError } }`, status 400 assumed) or
	 * `errors` (VSPC's own `{ errors: [...] }`, 400).
	 */
	versionRefusal?: 'unsupportedApiVersion' | 'errors';
}

type Handler = (req: SimRequest, caller: VspcCaller) => SimResponse | Promise<SimResponse>;


export class VspcProduct implements SimProduct {
	readonly name = 'vspc' as const;
	readonly router = new Router();
	readonly store: VspcStore;
	readonly auth: VspcAuth;
	readonly async: VspcAsync;
	private readonly users: VspcUsers;
	private readonly logins: VspcLogins;
	private readonly seeder: VspcSeeder;
	private versions: string[];
	private readonly throttled = new Map<string, { window: number; count: number }>();
	/** VSPC's own failure answers: a 520 with `code` 504 or 1051, `retryableLogical` errors (faults.ts). */
	readonly faults = new VspcFaults();

	constructor(
		private readonly ctx: SimContext,
		readonly options: VspcOptions = {},
	) {
		this.versions = [...(options.supportedVersions ?? VSPC_SUPPORTED_VERSIONS)];
		this.store = new VspcStore(ctx.clock);
		this.auth = new VspcAuth(ctx, this.store, {
			totpWindow: options.totpWindow ?? 0,
			mfaTokenTtlMs: (options.mfaTokenTtlSeconds ?? 300) * 1000,
			mfaMaxFailures: options.mfaMaxFailures ?? 5,
			mfaPasswordGrant: options.mfaPasswordGrant ?? 'refuse',
			mfaPolicyBlocksPasswordGrant: options.mfaPolicyBlocksPasswordGrant ?? false,
		});
		this.async = new VspcAsync(ctx, () => ({ operations: this.options.asyncOperations ?? [], polls: this.options.asyncPolls ?? 1 }));
		const limits = (): QueryLimits => ({ maxPageSize: this.options.maxPageSize ?? 500, overMax: this.options.limitOverMax ?? 'refuse' });
		this.users = new VspcUsers(ctx, this.store, this.auth, limits);
		this.logins = new VspcLogins(ctx, this.store, this.auth, this.users, limits, () => this.options.totpWindow ?? 0);
		this.seeder = new VspcSeeder(this.store, ctx, options.companyUidIsOrganizationUid === true);
		this.reset();
		this.routes(limits);
	}

	// ---- SimProduct -------------------------------------------------------------------------

	reset(): void {
		this.store.clear();
		this.auth.reset();
		this.async.reset();
		this.seeder.reset();
		this.throttled.clear();
		this.faults.clear();
		loadInitialState(this.store, this.ctx, this.options.companyUidIsOrganizationUid === true);
	}

	serveVersions(versions: string[]): void {
		this.versions = [...versions];
	}

	/**
	 * Throttling first (every API request counts), then `X-Client-Version`: a version the server
	 * does not serve is 400 naming the ones it does (assumed: Veeam documents no wording).
	 */
	checkApiVersion(req: SimRequest): void {
		this.throttle(req);
		const raw = req.headers['x-client-version'];
		const version = (Array.isArray(raw) ? raw[0] : raw)?.trim();
		if (!version) {
			if (this.options.requireClientVersion) throw vspcBadRequest(`The X-Client-Version header is required. Supported versions: ${this.versions.join(', ')}.`, { parameterName: 'X-Client-Version' });
			return;
		}
		if (!this.versions.includes(version)) {
			const message = `The client version ${version} is not supported. Supported versions: ${this.versions.join(', ')}.`;
			if (this.options.versionRefusal === 'errors') throw vspcBadRequest(message, { parameterName: 'X-Client-Version' });
			const uri = `https://${req.headers.host ?? '127.0.0.1'}${req.path}`;
			throw vspcBadRequest(message, { body: { error: { code: 'UnsupportedApiVersion', message: `The HTTP resource that matches the request URI '${uri}' is not supported.`, innerError: null } } });
		}
	}

	errorResponse(err: SimHttpError): SimResponse {
		return vspcErrorResponse(err);
	}

	seedUsers(opts: VspcSeedOptions): number {
		return this.seeder.seed(opts);
	}

	snapshot(): Record<string, unknown> {
		return {
			product: 'vspc',
			organizations: [...this.store.orgs.values()].map((o) => ({ ...orgView(o), status: o.status, resellerUid: o.resellerUid ?? null, mfaRequired: o.mfaRequired })),
			users: [...this.store.users.values()].map((u) => userView(u, this.store)),
			logins: [...this.store.logins.values()].map((l) => ({ id: l.id, userUid: l.userUid, kind: l.kind, identityProviderName: l.identityProviderName, status: l.status, scopes: l.scopes })),
			asyncActionsRunning: this.async.pending(),
		};
	}

	/** Sets an existing user's password, or adds a Portal Administrator of the provider with it. */
	setLogin(name: string, password: string): void {
		const user = this.store.userNamed(name);
		if (user) user.password = password;
		else this.store.addUser({ organizationUid: VSPC_PROVIDER_UID, userName: name, role: 'PortalAdministrator', password });
		this.ctx.secrets.add(password, 'password');
	}

	control(route: string, body: Record<string, unknown>): SimResponse | undefined {
		switch (route) {
			case 'POST /companies': {
				const org = this.addCompany({ name: String(body.name ?? ''), resellerUid: body.resellerUid as string | undefined });
				return { status: 201, body: { instanceUid: org.uid, ownerUid: org.ownerUid } };
			}
			case 'POST /companies/remove':
				return { status: this.removeCompany(String(body.uid), { withUsers: body.withUsers === true }) ? 204 : 404 };
			case 'POST /vspc/faults':
				this.failNext(body as VspcFaultSpec);
				return { status: 201, body: { pending: this.faults.pending() } };
			case 'POST /organizations/mfa':
				this.setOrganizationMfa(String(body.uid), body.required === true, body.enforce === true);
				return { status: 204 };
			default:
				return undefined;
		}
	}

	// ---- helpers for tests ------------------------------------------------------------------

	/** The next matching request(s) fail as VSPC's server errors do (a 520 with `code` 504, 1051…); see faults.ts. */
	failNext(spec: VspcFaultSpec): void {
		this.faults.add(spec);
	}

	addCompany(fields: { name: string; resellerUid?: string; alias?: string; ownerName?: string; status?: string; uid?: string }): VspcOrg {
		if (!fields.name) throw new Error('a company needs a name');
		if (fields.resellerUid && this.store.orgs.get(fields.resellerUid)?.type !== 'Reseller') throw new Error(`no reseller ${fields.resellerUid}`);
		return addOrganization(this.store, this.ctx, { ...fields, type: 'Company', sameCompanyUid: this.options.companyUidIsOrganizationUid === true });
	}

	addReseller(fields: { name: string; alias?: string; ownerName?: string; uid?: string }): VspcOrg {
		return addOrganization(this.store, this.ctx, { ...fields, type: 'Reseller' });
	}

	/** The company no longer exists. Its users stay (orphaned: "users of companies that no longer exist") unless `withUsers`. */
	removeCompany(uid: string, opts: { withUsers?: boolean } = {}): boolean {
		return this.store.removeOrg(uid, opts.withUsers === true);
	}

	/** `Company.status`: Active, Disabled, or one of the REMOVED_… values. */
	setCompanyStatus(uid: string, status: string): void {
		const org = this.store.orgs.get(uid);
		if (org?.type !== 'Company') throw new Error(`no company ${uid}`);
		org.status = status;
		this.store.touch();
	}

	/** The organization's MFA policy (and, `enforce`, its child organizations'): users without a policy of their own read `EnabledByInheritance`. */
	setOrganizationMfa(uid: string, required: boolean, enforce = false): void {
		const org = this.store.orgs.get(uid);
		if (!org) throw new Error(`no organization ${uid}`);
		org.mfaRequired = required;
		org.enforceMfaPolicy = enforce;
		this.store.touch();
	}

	addUser(fields: { organizationUid: string; userName: string; role: VspcRole; password?: string; mfaPolicy?: 'Disabled' | 'Enabled'; profile?: Partial<VspcProfileRecord>; uid?: string }): VspcUserRecord {
		if (!this.store.orgs.has(fields.organizationUid)) throw new Error(`no organization ${fields.organizationUid}`);
		const user = this.store.addUser({ ...fields, password: fields.password ?? 'Sim-Passw0rd!' });
		this.ctx.secrets.add(user.password, 'password');
		return user;
	}

	userNamed(name: string): VspcUserRecord | undefined {
		return this.store.userNamed(name);
	}

	/** A TOTP login for the user (a second factor set up in the portal); returns it with its secret. */
	addTotp(userUid: string, secret = 'KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU'): { login: VspcLoginRecord; secret: string } {
		const user = this.store.users.get(userUid);
		if (!user) throw new Error(`no user ${userUid}`);
		this.ctx.secrets.add(secret, 'mfaSecret');
		return { login: this.store.addLogin(user, 'totp', { description: 'totp', scopes: ['ui'], secret }), secret };
	}

	/** An API key for the user (as if made in the portal); returns it with the key. */
	addApiKey(userUid: string, opts: { description?: string; scopes?: string[]; isReadAccessOnly?: boolean } = {}): { login: VspcLoginRecord; key: string } {
		const user = this.store.users.get(userUid);
		if (!user) throw new Error(`no user ${userUid}`);
		const login = this.store.addLogin(user, 'apiKey', { description: opts.description ?? 'API key', scopes: opts.scopes ?? ['rest'], isReadAccessOnly: opts.isReadAccessOnly });
		this.ctx.secrets.add(login.secret, 'accessToken');
		return { login, key: login.secret ?? '' };
	}

	// ---- routes -----------------------------------------------------------------------------

	/** VSPC's own failure answers (faults.ts): before the server acts, or after. */
	private async withFaults(req: SimRequest, run: () => SimResponse | Promise<SimResponse>): Promise<SimResponse> {
		const fault = this.faults.take(req.method, req.path);
		if (!fault) return run();
		this.ctx.stats.faultsInjected++;
		if (fault.afterProcessing) await run();
		throw faultError(fault);
	}

	/** Throttling per caller (the bearer token or key, else the client address) and time window. */
	private throttle(req: SimRequest): void {
		const t = this.options.throttle;
		if (!t) return;
		// The server counts this request in flight already.
		if (t.maxParallel !== undefined && this.ctx.stats.inFlight > t.maxParallel) {
			throw new VspcError(429, 'Too many requests are being processed at the same time.', { type: 'transport' });
		}
		if (t.maxRequests === undefined) return;
		const who = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? String(req.headers['x-forwarded-for'] ?? 'anonymous');
		const windowMs = (t.windowSeconds ?? 60) * 1000;
		const now = this.ctx.clock.now();
		const window = Math.floor(now / windowMs);
		const entry = this.throttled.get(who);
		if (!entry || entry.window !== window) {
			this.throttled.set(who, { window, count: 1 });
			return;
		}
		if (++entry.count <= t.maxRequests) return;
		const err = new VspcError(429, 'The request limit has been exceeded.', { type: 'transport' });
		err.retryAfterSeconds = Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000));
		throw err;
	}

	private routes(limits: () => QueryLimits): void {
		const r = this.router;
		/** `template` as the spec writes it; `async`: the operation may answer 202 (not POST /token). */
		const add = (method: string, template: string, handler: Handler, canBeAsync = true) => {
			const pattern = VSPC_API + template.replace(/\{(\w+)\}/g, ':$1');
			const operation = `${method} ${template}`;
			r.add(method, pattern, (req) =>
				this.withFaults(req, () => {
					const caller = this.auth.caller(req);
					return canBeAsync ? this.async.handle(operation, req, caller, () => handler(req, caller)) : handler(req, caller);
				}),
			);
		};
		r.add('POST', `${VSPC_API}/token`, (req) => this.withFaults(req, () => this.auth.token(req)));
		add('GET', '/users', (q, c) => this.users.list(q, c));
		add('POST', '/users', (q, c) => this.users.create(q, c));
		add('GET', '/users/me', (q, c) => this.users.me(q, c));
		add('GET', '/users/logins', (q, c) => this.logins.listAll(q, c));
		add('GET', '/users/{userUid}', (q, c) => this.users.get(q, c));
		add('PATCH', '/users/{userUid}', (q, c) => this.users.patch(q, c));
		add('DELETE', '/users/{userUid}', (q, c) => this.users.remove(q, c));
		add('DELETE', '/users/{userUid}/tokens', (q, c) => this.users.revokeTokens(q, c));
		add('GET', '/users/{userUid}/logins', (q, c) => this.logins.listOfUser(q, c));
		add('POST', '/users/{userUid}/logins/apikey', (q, c) => this.logins.addApiKey(q, c));
		add('POST', '/users/{userUid}/logins/totp', (q, c) => this.logins.addTotp(q, c));
		add('GET', '/users/{userUid}/logins/{userLoginId}', (q, c) => this.logins.get(q, c));
		add('PATCH', '/users/{userUid}/logins/{userLoginId}', (q, c) => this.logins.patch(q, c));
		add('DELETE', '/users/{userUid}/logins/{userLoginId}', (q, c) => this.logins.remove(q, c));
		add('GET', '/authentication/keys/totp-secret', (_q, c) => this.logins.totpSecret(c));
		const orgs = new VspcOrganizations(this.store, limits);
		add('GET', '/organizations', (q, c) => orgs.organizations(q, c));
		add('GET', '/organizations/companies', (q, c) => orgs.companies(q, c));
		add('GET', '/organizations/companies/{companyUid}', (q, c) => orgs.company(q, c));
		add('GET', '/organizations/resellers/{resellerUid}/companies', (q, c) => orgs.companies(q, c, q.params.resellerUid));
		add('GET', '/organizations/{organizationUid}/configuration/policy', (q, c) => orgs.policy(q, c));
		add('GET', '/organizations/{organizationUid}/users', (q, c) => this.users.listOfOrganization(q, c));
		add('GET', '/asyncActions/{actionId}', (q, c) => this.async.get(q, c), false);
		add('GET', '/asyncActions/{actionId}/result', (q, c) => this.async.result(q, c), false);
		add('DELETE', '/asyncActions/{actionId}', (q, c) => this.async.cancel(q, c), false);
	}

}
