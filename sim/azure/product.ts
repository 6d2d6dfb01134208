import { randomUUID } from 'node:crypto';

import type { SimContext } from '../core/context';
import { badRequest, jsonBody, SimHttpError, type SimRequest, type SimResponse } from '../core/http';
import { baseUrl, link, optionalString, requiredString } from '../portal/accounts';
import { queryValues } from '../portal/paging';
import { problemResponse } from '../portal/problem';
import { PortalProduct, type PortalOptions } from '../portal/product';
import {
	AZURE_ADMIN_ROLE,
	AZURE_DEFAULT_ADMIN,
	AZURE_DEFAULT_ADMIN_ID,
	AZURE_DEFAULT_PASSWORD,
	AZURE_IDP_USER,
	AZURE_MFA_USER,
	AZURE_OPERATOR_ID,
	AZURE_RESTORER_ID,
	AZURE_ROLES,
	AZURE_SUPPORTED_VERSIONS,
	AZURE_TOKEN_PATH,
	AZURE_USER_TYPES,
	azureDescriptionProblem,
	azureNameProblem,
	azurePasswordProblem,
	UUID,
	type AzureRole,
	type AzureUser,
	type AzureUserType,
} from './model';

export {
	AZURE_DEFAULT_ADMIN,
	AZURE_DEFAULT_ADMIN_ID,
	AZURE_DEFAULT_PASSWORD,
	AZURE_IDP_USER,
	AZURE_MFA_USER,
	AZURE_ROLES,
	AZURE_SUPPORTED_VERSIONS,
	AZURE_TOKEN_PATH,
} from './model';

/**
 * Veeam Backup for Microsoft Azure REST API (the version in the path: `/api/v5` … `/api/v8.1`;
 * port 443): the token endpoint (`/api/oauth2/token`, no version) with its MFA grant
 * (portal/login.ts), and user accounts by id, Internal (a password) or IdentityProvider (a
 * Microsoft Entra ID object id, no password). Veeam publishes no OpenAPI file for it: the contract
 * is sim/spec/azure-v8.1.users.openapi.json, rebuilt from the help center; what the help does not
 * show is marked there `x-inferred` and here "Assumption". No REST call turns a user's MFA on or
 * off (none is documented): AZURE_MFA_USER is seeded with MFA on.
 */
export interface AzureOptions extends PortalOptions {
	/** Version path segments the server accepts (default v5, v6, v7, v8, v8.1). */
	supportedVersions?: string[];
	/** When false, an unsupported version gets a bare message without the list of versions. */
	announceVersions?: boolean;
	/**
	 * Refresh-token lifetime with `short_lived_refresh_token=true` (default 900 s: the help,
	 * "Authorization and Security": "to change the expiration period to 15 minutes").
	 */
	shortLivedRefreshSeconds?: number;
}

export class AzureProduct extends PortalProduct<AzureUser> {
	readonly name = 'azure' as const;
	protected readonly adminRole = AZURE_ADMIN_ROLE;
	protected readonly roleValues = AZURE_ROLES;
	protected readonly leastRole = 'RestoreOperator';
	protected readonly defaultPassword = AZURE_DEFAULT_PASSWORD;
	/** Azure REST help, "Pagination": "The default value is 100". */
	protected readonly defaultPageSize = 100;
	private readonly supportedVersions: string[];

	constructor(
		ctx: SimContext,
		private readonly options: AzureOptions = {},
	) {
		super(ctx, options, ['updater_token', 'saml', 'ssotoken', 'authentication_code', 'authorization_code']);
		this.supportedVersions = (options.supportedVersions ?? [...AZURE_SUPPORTED_VERSIONS]).map((v) => v.toLowerCase());
		this.reset();
		this.routes();
	}

	protected initialUsers(): AzureUser[] {
		const user = (id: string, name: string, role: AzureRole, description: string, password = AZURE_DEFAULT_PASSWORD): AzureUser => ({
			key: id,
			name,
			description,
			role,
			isDefault: false,
			type: 'Internal',
			password,
		});
		return [
			{ ...user(AZURE_DEFAULT_ADMIN_ID, AZURE_DEFAULT_ADMIN, 'PortalAdmin', 'Default administrator'), isDefault: true },
			user(AZURE_OPERATOR_ID, 'operator', 'PortalOperator', 'Backup operator'),
			user(AZURE_RESTORER_ID, 'restorer', 'RestoreOperator', 'Restore operator'),
			{
				...user(AZURE_MFA_USER.id, AZURE_MFA_USER.name, 'PortalAdmin', 'Administrator with MFA', AZURE_MFA_USER.password),
				mfa: { secret: AZURE_MFA_USER.secret, scratchCodes: [...AZURE_MFA_USER.scratchCodes] },
			},
			{
				key: AZURE_IDP_USER.id,
				name: AZURE_IDP_USER.name,
				description: 'Microsoft Entra ID user',
				role: 'PortalOperator',
				isDefault: false,
				type: 'IdentityProvider',
				identityProviderEntityId: AZURE_IDP_USER.identityProviderEntityId,
			},
		];
	}

	protected newAccount(name: string, role: string, password: string, extra: { description?: string; identityProvider?: boolean } = {}): AzureUser {
		const base = { key: randomUUID(), name, description: extra.description ?? '', role: role as AzureRole, isDefault: false };
		if (extra.identityProvider) return { ...base, type: 'IdentityProvider', identityProviderEntityId: randomUUID() };
		return { ...base, type: 'Internal', password };
	}

	protected nameProblem(name: string, identityProvider?: boolean): string | undefined {
		return azureNameProblem(name, identityProvider ? 'IdentityProvider' : 'Internal', this.portalOptions.lenientValidation);
	}

	snapshot(): Record<string, unknown> {
		return { product: 'azure', users: this.users.all().map((u) => this.model(u)), roles: [...AZURE_ROLES] };
	}

	/** The token endpoint has no version; every other path has one: 404 problem details for an unaccepted one. */
	checkApiVersion(req: SimRequest): void {
		if (req.path.toLowerCase() === AZURE_TOKEN_PATH) return;
		const version = /^\/api\/([^/]+)\//i.exec(req.path)?.[1] ?? '';
		if (!this.supportedVersions.includes(version.toLowerCase())) {
			const hint = this.options.announceVersions === false ? '' : ` Supported versions: ${this.supportedVersions.join(', ')}.`;
			throw new SimHttpError(404, 'NotFound', `The API version ${version} is not supported.${hint}`);
		}
	}

	/** Assumption: `{ type, title, status, errorCode, message }` (decisions file; Veeam shows no Azure error body). */
	errorResponse(err: SimHttpError): SimResponse {
		return problemResponse(err, 'message');
	}

	// ---- routes -------------------------------------------------------------------------------

	private routes(): void {
		const r = this.router;
		r.add('POST', AZURE_TOKEN_PATH, (req) => this.logins.token(req));
		r.add('GET', '/api/:version/users', (req) => this.asAdmin(req, () => this.list(req)));
		r.add('POST', '/api/:version/users', (req) => this.asAdmin(req, () => this.create(req)));
		r.add('GET', '/api/:version/users/:id', (req) => this.asAdmin(req, () => this.answer(this.byId(req), req)));
		r.add('PUT', '/api/:version/users/:id', (req) => this.asAdmin(req, () => this.update(req)));
		r.add('DELETE', '/api/:version/users/:id', (req) => this.asAdmin(req, () => this.removeUser(this.byId(req))));
	}

	// ---- authentication -----------------------------------------------------------------------

	protected tokenFields(user: AzureUser): Record<string, unknown> {
		// Assumption (as AWS's RESTLogin): the user's name, role value and MFA state.
		return { username: user.name, roleName: user.role, mfa_enabled: Boolean(user.mfa) };
	}

	protected challenge(_user: AzureUser, mfaToken: string): Record<string, unknown> {
		return { mfa_token: mfaToken, mfa_enabled: true };
	}

	protected refreshTtlSeconds(form: URLSearchParams): number | undefined {
		return /^true$/i.test(form.get('short_lived_refresh_token') ?? '') ? (this.options.shortLivedRefreshSeconds ?? 900) : undefined;
	}

	/** User Guide, "Managing Permissions": portal users are managed by the Portal Administrator only. */
	private asAdmin(req: SimRequest, handler: () => SimResponse): SimResponse {
		if (this.caller(req, AZURE_TOKEN_PATH).role !== AZURE_ADMIN_ROLE) throw this.forbidden();
		return handler();
	}

	// ---- users --------------------------------------------------------------------------------

	/** Assumption: an id that is no UUID is a malformed request (400), not an absent user. */
	private byId(req: SimRequest): AzureUser {
		const id = req.params.id;
		if (!UUID.test(id)) throw badRequest(`The user id ${id} is not a UUID.`);
		return this.mustFind(this.users.keyed(id.toLowerCase()), id);
	}

	/** UserV3. `role` is an array (one role per user); `identityProviderEntityId` only for IdentityProvider users. */
	private model(user: AzureUser): Record<string, unknown> {
		return {
			id: user.key,
			name: user.name,
			description: user.description,
			mfaEnabled: Boolean(user.mfa),
			isDefault: user.isDefault,
			type: user.type,
			...(user.identityProviderEntityId ? { identityProviderEntityId: user.identityProviderEntityId } : {}),
			role: [user.role],
		};
	}

	private usersUrl(req: SimRequest): string {
		return `${baseUrl(req.headers)}/api/${req.params.version}/users`;
	}

	private answer(user: AzureUser, req: SimRequest, status = 200): SimResponse {
		const href = `${this.usersUrl(req)}/${user.key}`;
		return { status, body: { ...this.model(user), _links: [link('self', 'GET', href), link('update', 'PUT', href), link('delete', 'DELETE', href)] } };
	}

	/**
	 * `{ offset, limit, totalCount, results, _links }`. `NameFilter` (v8 reference: "Returns only a
	 * user with the specified name"; assumption: without regard to case); `SearchPattern` and
	 * `Sort` inferred from AWS (portal/paging.ts). `limit` is the page size honoured (-1: all).
	 */
	private list(req: SimRequest): SimResponse {
		const nameFilter = queryValues(req.query, 'NameFilter')[0];
		const exact = nameFilter ? nameFilter.toLowerCase() : undefined;
		const { results, totalCount, page } = this.listUsers(
			req,
			{
				name: (u) => u.name,
				description: (u) => u.description,
				isDefault: (u) => u.isDefault,
				mfaEnabled: (u) => Boolean(u.mfa),
				type: (u) => u.type,
				role: (u) => u.role,
			},
			exact === undefined ? undefined : (u) => u.name.toLowerCase() === exact,
		);
		return {
			status: 200,
			body: {
				offset: page.offset,
				limit: page.limit,
				totalCount,
				results: results.map((u) => this.answer(u, req).body),
				_links: [link('self', 'GET', this.usersUrl(req))],
			},
		};
	}

	/** UserV3's `role` in a body: an array of one role (decisions file), or one role as a string (the v8 reference's `RbacRoleNullable`). */
	private bodyRole(value: unknown): string {
		if (Array.isArray(value)) {
			if (value.length !== 1) throw badRequest('The role property must hold exactly one role: a user has one role.');
			return this.parseRole(value[0]);
		}
		return this.parseRole(value);
	}

	/** 201 with UserV3. Internal: a password; IdentityProvider: an Entra object id, no password. */
	private create(req: SimRequest): SimResponse {
		const body = jsonBody(req);
		const typeValue = body.type ?? 'Internal';
		if (!AZURE_USER_TYPES.includes(typeValue as AzureUserType)) throw badRequest(`The type must be one of ${AZURE_USER_TYPES.join(', ')}.`);
		const type = typeValue as AzureUserType;
		const name = requiredString(body, 'name');
		if (this.users.named(name)) throw badRequest(`A user with the name ${name} already exists.`);
		const nameProblem = azureNameProblem(name, type, this.portalOptions.lenientValidation);
		if (nameProblem) throw badRequest(nameProblem);
		const description = requiredString(body, 'description');
		const descriptionProblem = azureDescriptionProblem(description, this.portalOptions.lenientValidation);
		if (descriptionProblem) throw badRequest(descriptionProblem);
		if (body.role === undefined || body.role === null) throw badRequest('The role property is required.');
		const role = this.bodyRole(body.role) as AzureRole;
		const password = optionalString(body, 'password');
		const entityId = optionalString(body, 'identityProviderEntityId');
		let user: AzureUser;
		if (type === 'IdentityProvider') {
			if (password !== undefined) throw badRequest('An IdentityProvider user has no password: it signs in through the identity provider.');
			if (!entityId || !UUID.test(entityId)) throw badRequest('The identityProviderEntityId property (the Microsoft Entra ID object id, a UUID) is required for an IdentityProvider user.');
			const taken = this.users.all().find((u) => u.identityProviderEntityId?.toLowerCase() === entityId.toLowerCase());
			if (taken) throw badRequest(`The identity provider entity ${entityId} is already the user ${taken.name}.`);
			user = { key: randomUUID(), name, description, role, isDefault: false, type, identityProviderEntityId: entityId.toLowerCase() };
		} else {
			if (entityId !== undefined) throw badRequest('The identityProviderEntityId property is for IdentityProvider users only.');
			if (password === undefined || password === '') throw badRequest('The password property is required for an Internal user.');
			const passwordProblem = azurePasswordProblem(password);
			if (passwordProblem) throw badRequest(passwordProblem);
			user = { key: randomUUID(), name, description, role, isDefault: false, type, password };
		}
		this.insert(user);
		this.ctx.log.record('user.create', user.name, { id: user.key, type: user.type, role: user.role, description: user.description });
		return this.answer(user, req, 201);
	}

	/** Description, password (no current one: "Modify User Data"), role; sessions stay valid. */
	private update(req: SimRequest): SimResponse {
		const user = this.byId(req);
		const body = jsonBody(req);
		const description = optionalString(body, 'description');
		const descriptionProblem = description === undefined ? undefined : azureDescriptionProblem(description, this.portalOptions.lenientValidation);
		if (descriptionProblem) throw badRequest(descriptionProblem);
		const password = optionalString(body, 'password');
		if (password !== undefined) {
			if (user.type === 'IdentityProvider') throw badRequest(`${user.name} is an IdentityProvider user: its password is kept by the identity provider.`);
			const passwordProblem = azurePasswordProblem(password);
			if (passwordProblem) throw badRequest(passwordProblem);
		}
		const role = body.role === undefined || body.role === null ? undefined : this.bodyRole(body.role);
		const detail: Record<string, unknown> = { id: user.key };
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
}
