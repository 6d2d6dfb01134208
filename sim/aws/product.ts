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
	AWS_ROLES,
	AWS_SUPPORTED_VERSIONS,
	AWS_TOKEN_PATH,
	AWS_USERS_PATH,
	awsDescriptionProblem,
	awsNameProblem,
	awsPasswordProblem,
	versionHasRoles,
	type AwsRole,
	type AwsUser,
} from './model';

export { AWS_DEFAULT_ADMIN, AWS_DEFAULT_PASSWORD, AWS_MFA_USER, AWS_ROLES, AWS_SUPPORTED_VERSIONS, AWS_TOKEN_PATH, AWS_USERS_PATH } from './model';

/**
 * Veeam Backup for AWS REST API (x-api-version 1.5-rev1 … 1.7-rev0, port 11005): the token
 * endpoint with its MFA grant (portal/login.ts), user accounts addressed by name, their validate
 * calls and MFA set-up. The contract is Veeam's published 1.0-rev0 spec brought to 1.7-rev0
 * (sim/spec/aws-1.7-rev0.users.openapi.json); what 1.0-rev0 does not show is marked there
 * `x-inferred` and here "Assumption".
 */
export interface AwsOptions extends PortalOptions {
	/** `x-api-version` values the server accepts (default 1.5-rev1, 1.6-rev0, 1.7-rev0). */
	supportedVersions?: string[];
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
	private readonly supportedVersions: string[];

	constructor(
		ctx: SimContext,
		private readonly options: AwsOptions = {},
	) {
		super(ctx, options, ['authorization_code']);
		this.supportedVersions = options.supportedVersions ?? [...AWS_SUPPORTED_VERSIONS];
		this.reset();
		this.routes();
	}

	protected initialUsers(): AwsUser[] {
		const user = (name: string, role: AwsRole, description: string, password = AWS_DEFAULT_PASSWORD): AwsUser => ({
			key: name.toLowerCase(),
			name,
			description,
			role,
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

	protected newAccount(name: string, role: string, password: string, extra: { description?: string } = {}): AwsUser {
		return { key: name.toLowerCase(), name, description: extra.description ?? '', role: role as AwsRole, isDefault: false, password };
	}

	protected nameProblem(name: string, identityProvider?: boolean): string | undefined {
		if (identityProvider) return 'Veeam Backup for AWS has no identity-provider users.';
		return awsNameProblem(name, this.portalOptions.lenientValidation);
	}

	snapshot(): Record<string, unknown> {
		return { product: 'aws', users: this.users.all().map((u) => this.model(u, '', true)), roles: [...AWS_ROLES] };
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

	/** The published `User`, with `role` from 1.5-rev1 on, and `_links` as the help's sample shows them. */
	private model(user: AwsUser, version: string, bare = false): Record<string, unknown> {
		const out: Record<string, unknown> = {
			name: user.name,
			description: user.description,
			mfaEnabled: Boolean(user.mfa),
			isDefault: user.isDefault,
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

	/** `{ totalCount, results, _links }`: Sort, SearchPattern, then Offset and Limit (portal/paging.ts). */
	private list(req: SimRequest): SimResponse {
		const { results, totalCount } = this.listUsers(req, {
			name: (u) => u.name,
			description: (u) => u.description,
			isDefault: (u) => u.isDefault,
			mfaEnabled: (u) => Boolean(u.mfa),
			role: (u) => u.role,
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
	private newUserProblem(name: string): string | undefined {
		if (this.users.named(name)) return `A user with the name ${name} already exists.`;
		return this.nameProblem(name);
	}

	/** 201 with the `User`. Assumption: refusals are 400 `UnexpectedContent` (the spec's Error enum has no closer value). */
	private create(req: SimRequest): SimResponse {
		const body = jsonBody(req);
		const name = requiredString(body, 'name');
		const problem = this.newUserProblem(name);
		if (problem) throw badRequest(problem);
		const description = requiredString(body, 'description');
		const descriptionProblem = awsDescriptionProblem(description, this.portalOptions.lenientValidation);
		if (descriptionProblem) throw badRequest(descriptionProblem);
		const password = requiredString(body, 'password');
		const passwordProblem = awsPasswordProblem(password);
		if (passwordProblem) throw badRequest(passwordProblem);
		const version = this.version(req);
		// Before 1.5-rev1 there are no roles: every user administers the appliance.
		const role = versionHasRoles(version) ? this.parseRole(body.role) : AWS_ADMIN_ROLE;
		const user = this.newAccount(name, role, password, { description });
		this.insert(user);
		this.ctx.log.record('user.create', user.name, { role: user.role, description: user.description });
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
		if (password !== undefined) {
			const old = optionalString(body, 'oldPassword');
			if (!old) throw badRequest('The oldPassword property is required to change the password.');
			if (old !== user.password) throw badRequest('The current password (oldPassword) is incorrect.');
			const passwordProblem = awsPasswordProblem(password);
			if (passwordProblem) throw badRequest(passwordProblem);
		}
		const version = this.version(req);
		const role = body.role === undefined || body.role === null || !versionHasRoles(version) ? undefined : this.parseRole(body.role);
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
