import type { SimContext } from '../core/context';
import { badRequest, jsonBody, SimHttpError, type SimRequest, type SimResponse } from '../core/http';
import { baseUrl, link, optionalString, requiredString } from '../portal/accounts';
import { problemResponse } from '../portal/problem';
import { PortalProduct, type PortalOptions } from '../portal/product';
import { acceptMfa, disableMfa, enableMfa } from './mfa';
import {
	AWS_ADMIN_ROLE,
	AWS_DEFAULT_ADMIN,
	AWS_DEFAULT_PASSWORD,
	AWS_MFA_USER,
	AWS_DEFAULT_RELEASE,
	AWS_RELEASES,
	AWS_ROLES,
	AWS_TOKEN_PATH,
	AWS_USERS_PATH,
	awsDescriptionProblem,
	awsNameProblem,
	awsPasswordProblem,
	rolesOf,
	versionHasRoles,
	type AwsRelease,
	type AwsRole,
	type AwsUser,
} from './model';

export {
	AWS_DEFAULT_ADMIN,
	AWS_DEFAULT_PASSWORD,
	AWS_DEFAULT_RELEASE,
	AWS_MFA_USER,
	AWS_RELEASES,
	AWS_ROLES,
	AWS_SUPPORTED_VERSIONS,
	AWS_TOKEN_PATH,
	AWS_USERS_PATH,
	type AwsRelease,
} from './model';

/**
 * Veeam Backup for AWS REST API (port 11005), as a given release serves it (default 10.0: x-api-version
 * 1.5-rev1 … 1.8-rev0): the token endpoint with its MFA grant (portal/login.ts), user accounts
 * addressed by name (local, or identity-provider users with `accountType: External`), their validate
 * calls and MFA set-up. The contract is sim/contracts/aws.md: Veeam's published 1.0-rev0 spec
 * brought to 1.8-rev0 (sim/spec/aws-1.8-rev0.users.openapi.json); what no Veeam page shows is
 * marked there `x-inferred` and here "Assumption".
 */
export interface AwsOptions extends PortalOptions {
	/** The release whose versions the server accepts (AWS_RELEASES; default 10.0). */
	release?: AwsRelease;
	/** `x-api-version` values the server accepts, instead of the release's. */
	supportedVersions?: string[];
	/**
	 * What `PUT /users/{name}` wants as `oldPassword`. Veeam's 2.0 guide ("Modify User Data",
	 * archive/vbaws/20/rest/modify_user.html) marks it Required on every PUT; the published 1.0-rev0
	 * spec (UserUpdateSpec) requires nothing; no page says for 1.7-rev0 / 1.8-rev0. `password`
	 * (default): only with a new password. `always`: on every PUT, the user's current password.
	 */
	oldPasswordOnUpdate?: 'password' | 'always';
	/**
	 * `filters` (default): `SearchPattern` selects names (contains, or `*` / `?` wildcards: assumed).
	 * `ignored`: the server ignores it and lists every user (a filter the client must hold itself).
	 */
	searchPattern?: 'filters' | 'ignored';
	/** When false, an unsupported version gets a bare message without the list of versions. */
	announceVersions?: boolean;
	/**
	 * The spec restricts no MFA call to Portal Administrators (the others carry
	 * `x-veeam-authorize: Portal Administrator`): any signed-in user may set up and turn off their
	 * own MFA. False: Portal Administrator for those too. Default true.
	 */
	selfServiceMfa?: boolean;
}

const USERS = AWS_USERS_PATH;

export class AwsProduct extends PortalProduct<AwsUser> {
	readonly name = 'aws' as const;
	protected readonly adminRole = AWS_ADMIN_ROLE;
	protected readonly roleValues = AWS_ROLES;
	protected readonly leastRole = 'RestoreOperator';
	protected readonly defaultPassword = AWS_DEFAULT_PASSWORD;
	/** Assumption: without `Limit`, every item (Veeam documents no default). */
	protected readonly defaultPageSize = -1;
	private supportedVersions: string[];

	constructor(
		ctx: SimContext,
		private readonly options: AwsOptions = {},
	) {
		super(ctx, options, ['authorization_code']);
		this.supportedVersions = options.supportedVersions ?? [...AWS_RELEASES[options.release ?? AWS_DEFAULT_RELEASE]];
		this.reset();
		this.routes();
	}

	protected initialUsers(): AwsUser[] {
		const user = (name: string, role: AwsRole, description: string, password = AWS_DEFAULT_PASSWORD): AwsUser => ({
			key: name.toLowerCase(),
			name,
			description,
			role,
			accountType: 'Internal',
			isDefault: false,
			password,
		});
		return [
			{ ...user(AWS_DEFAULT_ADMIN, 'PortalAdministrator', 'Default Admin'), isDefault: true },
			user('operator', 'PortalOperator', 'Backup operator'),
			user('restorer', 'RestoreOperator', 'Restore operator'),
			{
				...user(AWS_MFA_USER.name, 'PortalAdministrator', 'Administrator with MFA', AWS_MFA_USER.password),
				mfa: { secret: AWS_MFA_USER.secret, scratchCodes: [...AWS_MFA_USER.scratchCodes] },
			},
		];
	}

	/** `identityProvider`: an SSO user (`accountType: External`), who has no password. */
	protected newAccount(name: string, role: string, password: string, extra: { description?: string; identityProvider?: boolean } = {}): AwsUser {
		const base = { key: name.toLowerCase(), name, description: extra.description ?? '', role: role as AwsRole, isDefault: false };
		return extra.identityProvider ? { ...base, accountType: 'External' } : { ...base, accountType: 'Internal', password };
	}

	protected nameProblem(name: string, identityProvider?: boolean): string | undefined {
		return awsNameProblem(name, this.portalOptions.lenientValidation, identityProvider);
	}

	snapshot(): Record<string, unknown> {
		return { product: 'aws', users: this.users.all().map((u) => this.model(u, '', true)), roles: [...AWS_ROLES] };
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
		// Assumption: Veeam documents no wording for an unsupported version (sim/contracts/aws.md).
		if (!this.supportedVersions.includes(version.trim())) {
			throw new SimHttpError(400, 'NotImplemented', `The specified API version is not supported.${this.versionHint()}`);
		}
	}

	/** The published `Error` schema: `{ type, title, status, errorCode, details }` (problem.ts). */
	errorResponse(err: SimHttpError): SimResponse {
		return problemResponse(err, 'details');
	}

	private versionHint(): string {
		return this.options.announceVersions === false ? '' : ` Supported versions: ${this.supportedVersions.join(', ')}.`;
	}

	// ---- routes -------------------------------------------------------------------------------

	private routes(): void {
		const r = this.router;
		r.add('POST', AWS_TOKEN_PATH, (req) => this.logins.token(req));
		r.add('DELETE', AWS_TOKEN_PATH, (req) => this.signOut(req));
		r.add('GET', USERS, (req) => this.asAdmin(req, () => this.list(req)));
		r.add('POST', USERS, (req) => this.asAdmin(req, () => this.create(req)));
		// Literal segments beat `:name` in the router, so these are never read as a user's name.
		r.add('POST', `${USERS}/validateName`, (req) => this.asAdmin(req, () => this.validateName(req)));
		r.add('POST', `${USERS}/validateDescription`, (req) => this.asAdmin(req, () => this.validateDescription(req)));
		r.add('POST', `${USERS}/validatePassword`, (req) => this.asAdmin(req, () => this.validatePassword(req)));
		r.add('GET', `${USERS}/:name`, (req) => this.asAdmin(req, () => this.answer(this.byName(req), req)));
		r.add('PUT', `${USERS}/:name`, (req) => this.asAdmin(req, () => this.update(req)));
		r.add('DELETE', `${USERS}/:name`, (req) => this.asAdmin(req, () => this.removeUser(this.byName(req))));
		r.add('POST', `${USERS}/:name/enableMfa`, (req) => this.asAdminOrSelf(req, (u) => enableMfa(this.ctx, req, u)));
		r.add('POST', `${USERS}/:name/acceptMfa`, (req) =>
			this.asAdminOrSelf(req, (u) => acceptMfa(this.ctx, req, u, this.portalOptions.totpWindow ?? 0)),
		);
		r.add('POST', `${USERS}/:name/disableMfa`, (req) =>
			this.asAdminOrSelf(req, (u) => disableMfa(this.ctx, u, (key) => this.logins.dropFor(key))),
		);
	}

	// ---- authentication -----------------------------------------------------------------------

	protected tokenFields(user: AwsUser): Record<string, unknown> {
		// Assumption: `roleName` carries the role value (`PortalAdministrator`).
		return { username: user.name, roleName: user.role, mfa_enabled: Boolean(user.mfa) };
	}

	protected challenge(user: AwsUser, mfaToken: string): Record<string, unknown> {
		return { mfa_enabled: true, mfa_token: mfaToken, username: user.name };
	}

	/** `DELETE /api/v1/token` (SignOut): the access token and the user's refresh tokens end. */
	private signOut(req: SimRequest): SimResponse {
		const caller = this.caller(req, AWS_TOKEN_PATH);
		const token = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
		this.ctx.tokens.revoke(token);
		this.ctx.log.record('token.signOut', caller.name);
		return { status: 204 };
	}

	private asAdmin(req: SimRequest, handler: () => SimResponse): SimResponse {
		if (this.caller(req, AWS_TOKEN_PATH).role !== AWS_ADMIN_ROLE) throw this.forbidden();
		return handler();
	}

	private asAdminOrSelf(req: SimRequest, handler: (user: AwsUser) => SimResponse): SimResponse {
		const caller = this.caller(req, AWS_TOKEN_PATH);
		const self = this.options.selfServiceMfa !== false && req.params.name.toLowerCase() === caller.key;
		if (!self && caller.role !== AWS_ADMIN_ROLE) throw this.forbidden();
		return handler(this.byName(req));
	}

	// ---- users --------------------------------------------------------------------------------

	private version(req: SimRequest): string {
		return String(req.headers['x-api-version'] ?? '').trim();
	}

	private byName(req: SimRequest): AwsUser {
		return this.mustFind(this.users.named(req.params.name), req.params.name);
	}

	/**
	 * The published `User`, with `role` from 1.5-rev1 on (assumed), `accountType` (assumed in answers:
	 * the 1.2-rev0 changelog names it for UserCreateSpec), and `_links` as the help's sample shows them.
	 */
	private model(user: AwsUser, version: string, bare = false): Record<string, unknown> {
		const out: Record<string, unknown> = {
			name: user.name,
			description: user.description,
			mfaEnabled: Boolean(user.mfa),
			isDefault: user.isDefault,
			accountType: user.accountType,
		};
		if (bare || versionHasRoles(version)) out.role = user.role;
		return out;
	}

	private answer(user: AwsUser, req: SimRequest, status = 200): SimResponse {
		return { status, body: this.withLinks(this.model(user, this.version(req)), req) };
	}

	private withLinks(model: Record<string, unknown>, req: SimRequest): Record<string, unknown> {
		const href = `${baseUrl(req.headers)}${USERS}/${encodeURIComponent(String(model.name))}`;
		return {
			...model,
			_links: [link('self', 'GET', href), link('update', 'PUT', href), link('delete', 'DELETE', href), link('EnableMfa', 'POST', `${href}/enableMfa`)],
		};
	}

	/**
	 * `{ totalCount, results, _links }`: Sort (the eight values of the 1.7-rev0 reference: no role),
	 * SearchPattern (unless the server ignores it), then Offset and Limit (portal/paging.ts).
	 */
	private list(req: SimRequest): SimResponse {
		const query = new URLSearchParams(req.query);
		if (this.options.searchPattern === 'ignored') query.delete('SearchPattern');
		const { results, totalCount } = this.listUsers({ ...req, query }, {
			name: (u) => u.name,
			description: (u) => u.description,
			isDefault: (u) => u.isDefault,
			mfaEnabled: (u) => Boolean(u.mfa),
		});
		const version = this.version(req);
		return {
			status: 200,
			body: {
				totalCount,
				results: results.map((u) => this.withLinks(this.model(u, version), req)),
				_links: [link('self', 'GET', `${baseUrl(req.headers)}${USERS}`)],
			},
		};
	}

	/** Every problem of a new user's fields, as validateName and the create see them. */
	private newUserProblem(name: string, identityProvider = false): string | undefined {
		if (this.users.named(name)) return `A user with the name ${name} already exists.`;
		return this.nameProblem(name, identityProvider);
	}

	/** The role a request gives, among the version's roles (Read-Only User from 1.8-rev0: assumed); 400 otherwise. */
	private roleFor(value: unknown, version: string): AwsRole {
		const roles = rolesOf(version);
		const found = typeof value === 'string' ? roles.find((r) => r === value) : undefined;
		if (!found) throw new SimHttpError(400, 'UnexpectedContent', `The role must be one of ${roles.join(', ')}.`);
		return found;
	}

	/** 201 with the `User`. Assumption: refusals are 400 `UnexpectedContent` (the spec's Error enum has no closer value). */
	private create(req: SimRequest): SimResponse {
		const body = jsonBody(req);
		const accountType = optionalString(body, 'accountType') ?? 'Internal';
		if (accountType !== 'Internal' && accountType !== 'External') throw badRequest('The accountType must be Internal or External.');
		const identityProvider = accountType === 'External';
		const name = requiredString(body, 'name');
		const problem = this.newUserProblem(name, identityProvider);
		if (problem) throw badRequest(problem);
		const description = requiredString(body, 'description');
		const descriptionProblem = awsDescriptionProblem(description, this.portalOptions.lenientValidation);
		if (descriptionProblem) throw badRequest(descriptionProblem);
		// An External user signs in through the identity provider: no password (1.2-rev0 changelog);
		// one sent anyway is refused (assumed).
		const password = identityProvider ? undefined : requiredString(body, 'password');
		if (identityProvider && body.password !== undefined && body.password !== null) throw badRequest('An External user signs in through the identity provider: send no password.');
		const passwordProblem = password === undefined ? undefined : awsPasswordProblem(password);
		if (passwordProblem) throw badRequest(passwordProblem);
		const version = this.version(req);
		// Before 1.5-rev1 there are no roles: every user administers the appliance.
		const role = versionHasRoles(version) ? this.roleFor(body.role, version) : AWS_ADMIN_ROLE;
		const user = this.newAccount(name, role, password ?? '', { description, identityProvider });
		this.insert(user);
		this.ctx.log.record('user.create', user.name, { role: user.role, description: user.description, accountType: user.accountType });
		return this.answer(user, req, 201);
	}

	/** Description, role, and password (with the current one as `oldPassword`); sessions stay valid. */
	private update(req: SimRequest): SimResponse {
		const user = this.byName(req);
		const body = jsonBody(req);
		const description = optionalString(body, 'description');
		const descriptionProblem = description === undefined ? undefined : awsDescriptionProblem(description, this.portalOptions.lenientValidation);
		if (descriptionProblem) throw badRequest(descriptionProblem);
		const password = optionalString(body, 'password');
		const old = optionalString(body, 'oldPassword');
		if (password !== undefined && user.password === undefined) {
			// User Guide, "Changing User Passwords": "You cannot change the password for a user account whose user identity was obtained from an identity provider."
			throw badRequest(`${user.name} signs in through the identity provider: its password cannot be changed.`);
		}
		const oldWanted = password !== undefined || (this.options.oldPasswordOnUpdate === 'always' && user.password !== undefined);
		if (oldWanted) {
			if (!old) throw badRequest(`The oldPassword property is required${password === undefined ? '' : ' to change the password'}.`);
			if (old !== user.password) throw badRequest('The current password (oldPassword) is incorrect.');
		}
		if (password !== undefined) {
			const passwordProblem = awsPasswordProblem(password);
			if (passwordProblem) throw badRequest(passwordProblem);
		}
		const version = this.version(req);
		const role = body.role === undefined || body.role === null || !versionHasRoles(version) ? undefined : this.roleFor(body.role, version);
		const detail: Record<string, unknown> = {};
		if (role) this.changeRole(user, role, detail);
		if (description !== undefined && description !== user.description) {
			detail.description = { from: user.description, to: description };
			user.description = description;
		}
		if (password !== undefined) {
			user.password = password;
			detail.password = 'changed';
		}
		this.ctx.log.record('user.update', user.name, detail);
		return this.answer(user, req);
	}

	// ---- validate calls: 200 with ValidationMessage[] ([] = fine) -----------------------------

	private validateName(req: SimRequest): SimResponse {
		const name = requiredString(jsonBody(req), 'name');
		return validation(this.newUserProblem(name));
	}

	private validateDescription(req: SimRequest): SimResponse {
		const description = requiredString(jsonBody(req), 'description');
		return validation(awsDescriptionProblem(description, this.portalOptions.lenientValidation));
	}

	private validatePassword(req: SimRequest): SimResponse {
		const password = requiredString(jsonBody(req), 'password');
		return validation(awsPasswordProblem(password));
	}

}

/** Assumption: a refusal is one `Error` message; a warning is never given. */
function validation(problem: string | undefined): SimResponse {
	return { status: 200, body: problem ? [{ severity: 'Error', message: problem }] : [] };
}
