import { randomUUID } from 'node:crypto';

import type { SimContext } from '../core/context';
import { badRequest, formBody, jsonBody, notFound, SimHttpError, type SimRequest, type SimResponse } from '../core/http';
import { baseUrl } from '../portal/accounts';
import { PortalProduct, type PortalOptions } from '../portal/product';
import { acceptMfa, disableMfa, enableMfa } from './mfa';
import { bodyRole, bodyText, queryInteger } from './body';
import { AzureValidationError, azureProblem, invalidField } from './problem';
import { RawAnswer, unservedVersionError, type AzureVersionOptions } from './versions';
import {
	AZURE_ADMIN_ROLE,
	AZURE_DEFAULT_ADMIN,
	AZURE_DEFAULT_ADMIN_ID,
	AZURE_DEFAULT_PASSWORD,
	AZURE_FIRST_NEW_ID,
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
	azureRoleShape,
	UUID,
	type RoleShape,
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
	azureRoleShape,
} from './model';

/**
 * Veeam Backup for Microsoft Azure REST API (the version in the path: `/api/v5` … `/api/v8.1`;
 * port 443): the token endpoint (`/api/oauth2/token`, no version) with its MFA grant
 * (portal/login.ts), user accounts by ID (numeric strings, as in every Veeam example), Internal (a
 * password) or IdentityProvider (a Microsoft Entra ID object ID, no password), and their MFA set-up
 * (`enableMfa`, `acceptMfa`, `disableMfa`). The contract is sim/contracts/azure.md: Veeam's published
 * v8.1 document (its users and token subset, sim/spec/azure-v8.1.users.openapi.json, unchanged)
 * and the help center's pages; what none of them shows is marked there and here "Assumption".
 */
export interface AzureOptions extends PortalOptions, AzureVersionOptions {
	/** Refresh-token lifetime with `short_lived_refresh_token=true` (default 900 s: "to change the expiration period to 15 minutes"). */
	shortLivedRefreshSeconds?: number;
	/** `role`'s shape per version segment, for a server other than the contract's (azureRoleShape: one string; v5 … v7 assumed). */
	roleShapes?: Record<string, RoleShape>;
	/** A missing user's 404 `instance`: the ID (default), the request path (ASP.NET Core's default), or none. Assumed either way. */
	notFoundInstance?: 'id' | 'path' | 'none';
}

/** `GrantType` (v8.1 document; the Login reference): the values exactly as Veeam writes them. */
export const AZURE_GRANT_TYPES = ['Password', 'Refresh_token', 'Mfa', 'Updater_token', 'Saml', 'SsoToken', 'Authentication_code', 'Unknown'] as const;

/**
 * The token answer's `userId` (the Login schema: `format: uuid`; the Overview's examples show UUIDs
 * there, while users' `id` is numeric): assumed a UUID of its own per user, made from the ID.
 */
function loginUserId(key: string): string {
	const digits = key.replace(/\D/g, '').slice(-12).padStart(12, '0');
	return `00000000-0000-4000-8000-${digits}`;
}

export class AzureProduct extends PortalProduct<AzureUser> {
	readonly name = 'azure' as const;
	protected readonly adminRole = AZURE_ADMIN_ROLE;
	protected readonly roleValues = AZURE_ROLES;
	protected readonly leastRole = 'RestoreOperator';
	protected readonly defaultPassword = AZURE_DEFAULT_PASSWORD;
	/** Azure REST help, "Pagination": "The default value is 100". */
	protected readonly defaultPageSize = 100;
	private supportedVersions: string[];
	private nextId = AZURE_FIRST_NEW_ID;
	/** The users in ID order (the list's order), rebuilt after a create or delete. */
	private ordered?: AzureUser[];

	constructor(
		ctx: SimContext,
		private readonly options: AzureOptions = {},
	) {
		super(ctx, options, ['updater_token', 'saml', 'ssotoken', 'authentication_code', 'unknown']);
		this.supportedVersions = (options.supportedVersions ?? [...AZURE_SUPPORTED_VERSIONS]).map((v) => v.toLowerCase());
		this.reset();
		this.routes();
	}

	reset(): void {
		this.nextId = AZURE_FIRST_NEW_ID;
		this.ordered = undefined;
		super.reset();
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

	/** The next numeric ID. */
	private newId(): string {
		return String(this.nextId++);
	}

	protected newAccount(name: string, role: string, password: string, extra: { description?: string; identityProvider?: boolean } = {}): AzureUser {
		const base = { key: this.newId(), name, description: extra.description ?? '', role: role as AzureRole, isDefault: false };
		if (extra.identityProvider) return { ...base, type: 'IdentityProvider', identityProviderEntityId: randomUUID() };
		return { ...base, type: 'Internal', password };
	}

	protected insert(user: AzureUser): void {
		super.insert(user);
		this.ordered = undefined;
	}

	protected nameProblem(name: string, identityProvider?: boolean): string | undefined {
		return azureNameProblem(name, identityProvider ? 'IdentityProvider' : 'Internal', this.portalOptions.lenientValidation);
	}

	snapshot(): Record<string, unknown> {
		return { product: 'azure', users: this.users.all().map((u) => this.model(u, 'v8.1')), roles: [...AZURE_ROLES] };
	}

	/** Serves these versions from now on: the server upgraded or downgraded, its users and tokens kept (sim/contracts). */
	serveVersions(versions: string[]): void {
		this.supportedVersions = versions.map((v) => v.toLowerCase());
	}

	/** The token endpoint has no version; every other path has one: an unaccepted one is answered as `unservedVersion` says. */
	checkApiVersion(req: SimRequest): void {
		if (req.path.toLowerCase() === AZURE_TOKEN_PATH) return;
		const version = /^\/api\/([^/]+)\//i.exec(req.path)?.[1] ?? '';
		if (!this.supportedVersions.includes(version.toLowerCase())) {
			if (this.options.tokenBeforeVersion) this.caller(req, AZURE_TOKEN_PATH);
			throw unservedVersionError(req, version, this.supportedVersions, this.options.unservedVersion ?? 'problem-404', this.options.announceVersions !== false);
		}
	}

	/** The v8.1 document's problem details (problem.ts): no `errorCode`, the text in `detail`, `errors` for validation. */
	errorResponse(err: SimHttpError): SimResponse {
		if (err instanceof RawAnswer) return err.response;
		return azureProblem(err);
	}

	// ---- routes -------------------------------------------------------------------------------

	private routes(): void {
		const r = this.router;
		r.add('POST', AZURE_TOKEN_PATH, (req) => this.token(req));
		r.add('GET', '/api/:version/users', (req) => this.asAdmin(req, () => this.list(req)));
		r.add('POST', '/api/:version/users', (req) => this.asAdmin(req, () => this.create(req)));
		r.add('GET', '/api/:version/users/:id', (req) => this.asAdmin(req, () => this.answer(this.byId(req), req)));
		r.add('PUT', '/api/:version/users/:id', (req) => this.asAdmin(req, () => this.update(req)));
		r.add('DELETE', '/api/:version/users/:id', (req) => this.asAdmin(req, () => this.remove(this.byId(req))));
		r.add('POST', '/api/:version/users/:id/enableMfa', (req) => this.asAdmin(req, () => enableMfa(this.ctx, req, this.byId(req))));
		r.add('POST', '/api/:version/users/:id/acceptMfa', (req) =>
			this.asAdmin(req, () => acceptMfa(this.ctx, req, this.byId(req), this.portalOptions.totpWindow ?? 0)),
		);
		r.add('POST', '/api/:version/users/:id/disableMfa', (req) =>
			this.asAdmin(req, () => disableMfa(this.ctx, this.byId(req), (key) => this.logins.dropFor(key))),
		);
	}

	// ---- authentication -----------------------------------------------------------------------

	/**
	 * `grant_type` is a `GrantType` value as the reference writes it (`Password`, `Refresh_token`,
	 * `Mfa`, …). Assumption: the server binds it as written (the reference's enum, and "All query
	 * parameters are case-sensitive"): another spelling is a validation error (400).
	 */
	private token(req: SimRequest): SimResponse {
		const grant = formBody(req).get('grant_type') ?? '';
		if (!(AZURE_GRANT_TYPES as readonly string[]).includes(grant)) {
			this.ctx.stats.countGrant(grant.toLowerCase() || 'none', 400);
			throw invalidField('grant_type', `The value '${grant}' is not valid. Valid values: ${AZURE_GRANT_TYPES.join(', ')}.`);
		}
		return this.logins.token(req);
	}

	/** The Login schema and the Overview's examples: the user, its role, type and MFA state. */
	private loginFields(user: AzureUser): Record<string, unknown> {
		return { userId: loginUserId(user.key), username: user.name, roleName: user.role, userType: user.type, latestNewsShown: true };
	}

	protected tokenFields(user: AzureUser): Record<string, unknown> {
		return { ...this.loginFields(user), mfa_enabled: Boolean(user.mfa), shortLived: false };
	}

	protected challenge(user: AzureUser, mfaToken: string): Record<string, unknown> {
		// The Overview's "Example [MFA]": 200, no access token, `expires_in` 0, zero dates, the mfa_token.
		const zero = '0001-01-01T00:00:00Z';
		return { token_type: 'bearer', expires_in: 0, '.issued': zero, '.expires': zero, ...this.loginFields(user), mfa_enabled: true, mfa_token: mfaToken, shortLived: false };
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

	/** The `id` path parameter is a string (the document: `type: string`); any other ID is an absent user (404, `instance` per notFoundInstance). */
	private byId(req: SimRequest): AzureUser {
		const id = req.params.id;
		const user = this.users.keyed(id);
		const instance = { id, path: req.path, none: undefined }[this.options.notFoundInstance ?? 'id'];
		if (!user) throw notFound(`The user ${id} does not exist.`, instance);
		return user;
	}

	private remove(user: AzureUser): SimResponse {
		const answer = this.removeUser(user);
		this.ordered = undefined;
		return answer;
	}

	private roleShape(version: string): RoleShape {
		return this.options.roleShapes?.[version.toLowerCase()] ?? azureRoleShape(version);
	}

	/** `User`: `role` one string on every version served (azureRoleShape; an array of one only on v3); `identityProviderEntityId` for IdentityProvider users. */
	private model(user: AzureUser, version: string): Record<string, unknown> {
		return {
			id: user.key,
			name: user.name,
			description: user.description,
			mfaEnabled: Boolean(user.mfa),
			isDefault: user.isDefault,
			type: user.type,
			identityProviderEntityId: user.identityProviderEntityId ?? null,
			role: this.roleShape(version) === 'array' ? [user.role] : user.role,
		};
	}

	private usersUrl(req: SimRequest): string {
		return `${baseUrl(req.headers)}/api/${req.params.version}/users`;
	}

	/** `_links` is a `LinksDictionary` (`{ self: { href } }`, the v1 help's example). */
	private answer(user: AzureUser, req: SimRequest, status = 200): SimResponse {
		return { status, body: { ...this.model(user, req.params.version), _links: { self: { href: `${this.usersUrl(req)}/${user.key}` } } } };
	}

	/**
	 * `GET /users`: `NameFilter` ("Returns only a user with the specified name"; assumption: without
	 * regard to case, as names are unique so), `Offset` (>= 0), `Limit` (>= -1, -1 all; default 100,
	 * "Pagination"). Nothing else: the reference lists no SearchPattern or Sort for users, and a
	 * parameter the server does not know is ignored. "All query parameters are case-sensitive":
	 * `offset=` is not `Offset=`. The order is the server's own ("returns resources in the default
	 * order based on its own semantics"); assumption: by ID, the order users were made in.
	 */
	private list(req: SimRequest): SimResponse {
		const param = (name: string) => req.query.getAll(name)[0];
		const offset = queryInteger(param('Offset'), 'Offset', 0, 0);
		let limit = queryInteger(param('Limit'), 'Limit', this.defaultPageSize, -1);
		const max = this.portalOptions.maxPageSize;
		if (max !== undefined && (limit === -1 || limit > max)) limit = max;
		const nameFilter = param('NameFilter');
		this.ordered ??= [...this.users.all()].sort((a, b) => Number(a.key) - Number(b.key) || a.key.localeCompare(b.key));
		const exact = nameFilter ? nameFilter.toLowerCase() : undefined;
		const matching = exact === undefined ? this.ordered : this.ordered.filter((u) => u.name.toLowerCase() === exact);
		const page = limit === -1 ? matching.slice(offset) : matching.slice(offset, offset + limit);
		return {
			status: 200,
			body: {
				offset,
				limit,
				totalCount: matching.length,
				_links: { self: { href: this.usersUrl(req) } },
				results: page.map((u) => this.answer(u, req).body),
			},
		};
	}

	/** `role` in a body, in the shape of the path's version (body.ts). */
	private bodyRole(value: unknown, version: string): AzureRole {
		return bodyRole(value, this.roleShape(version));
	}

	private text(body: Record<string, unknown>, field: string): string | undefined {
		return bodyText(body, field);
	}

	/** 201 with `User`. `UserFromClient`: name and description required; Internal: a password; IdentityProvider: an Entra object ID, no password. */
	private create(req: SimRequest): SimResponse {
		const body = jsonBody(req);
		const unknownField = Object.keys(body).find((k) => !['name', 'description', 'role', 'type', 'identityProviderEntityId', 'password'].includes(k));
		if (unknownField) throw invalidField(`$.${unknownField}`, `The JSON property '${unknownField}' could not be mapped to any .NET member.`);
		const typeValue = this.text(body, 'type') ?? 'Internal';
		if (!AZURE_USER_TYPES.includes(typeValue as AzureUserType)) {
			throw invalidField('$.type', 'The JSON value could not be converted to Veeam.Azure.REST.Latest.UserType. Path: $.type');
		}
		const type = typeValue as AzureUserType;
		const name = this.text(body, 'name');
		const description = this.text(body, 'description');
		const missing: Record<string, string[]> = {};
		if (name === undefined) missing.Name = ['The Name field is required.'];
		if (description === undefined) missing.Description = ['The Description field is required.'];
		if (Object.keys(missing).length) throw new AzureValidationError(missing);
		if (this.users.named(name as string)) throw badRequest(`A user with the name ${name} already exists.`);
		const nameProblem = azureNameProblem(name as string, type, this.portalOptions.lenientValidation);
		if (nameProblem) throw invalidField('Name', nameProblem);
		const descriptionProblem = azureDescriptionProblem(description as string, this.portalOptions.lenientValidation);
		if (descriptionProblem) throw invalidField('Description', descriptionProblem);
		// Assumption: the document makes `role` nullable, but a user has a role: none is refused.
		if (body.role === undefined || body.role === null) throw invalidField('Role', 'The Role field is required.');
		const role = this.bodyRole(body.role, req.params.version);
		const password = this.text(body, 'password');
		const entityId = this.text(body, 'identityProviderEntityId');
		const base = { key: '', name: name as string, description: description as string, role, isDefault: false };
		let user: AzureUser;
		if (type === 'IdentityProvider') {
			if (password !== undefined) throw badRequest('An IdentityProvider user has no password: it signs in through the identity provider.');
			if (!entityId || !UUID.test(entityId)) throw invalidField('IdentityProviderEntityId', 'The Microsoft Entra ID object ID (a UUID) of an IdentityProvider user is required.');
			const taken = this.users.all().find((u) => u.identityProviderEntityId?.toLowerCase() === entityId.toLowerCase());
			if (taken) throw badRequest(`The identity provider entity ${entityId} is already the user ${taken.name}.`);
			user = { ...base, key: this.newId(), type, identityProviderEntityId: entityId.toLowerCase() };
		} else {
			if (entityId !== undefined) throw badRequest('The identityProviderEntityId property is for IdentityProvider users only.');
			if (password === undefined || password === '') throw invalidField('Password', 'The password of an Internal user is required.');
			const passwordProblem = azurePasswordProblem(password);
			if (passwordProblem) throw invalidField('Password', passwordProblem);
			user = { ...base, key: this.newId(), type, password };
		}
		this.insert(user);
		this.ctx.log.record('user.create', user.name, { id: user.key, type: user.type, role: user.role, description: user.description });
		return this.answer(user, req, 201);
	}

	/** `UserUpdateFromClient`: role, name, description, password (no current one: "Modify User Data"); sessions stay valid. */
	private update(req: SimRequest): SimResponse {
		const user = this.byId(req);
		const body = jsonBody(req);
		const unknownField = Object.keys(body).find((k) => !['name', 'description', 'role', 'password'].includes(k));
		if (unknownField) throw invalidField(`$.${unknownField}`, `The JSON property '${unknownField}' could not be mapped to any .NET member.`);
		const name = this.text(body, 'name');
		// Assumption: renaming is not simulated (the package never renames); another name is refused.
		if (name !== undefined && name.toLowerCase() !== user.name.toLowerCase()) throw badRequest('The simulator does not rename users.');
		const description = this.text(body, 'description');
		const descriptionProblem = description === undefined ? undefined : azureDescriptionProblem(description, this.portalOptions.lenientValidation);
		if (descriptionProblem) throw invalidField('Description', descriptionProblem);
		const password = this.text(body, 'password');
		if (password !== undefined) {
			if (user.type === 'IdentityProvider') throw badRequest(`${user.name} is an IdentityProvider user: its password is kept by the identity provider.`);
			const passwordProblem = azurePasswordProblem(password);
			if (passwordProblem) throw invalidField('Password', passwordProblem);
		}
		const role = body.role === undefined || body.role === null ? undefined : this.bodyRole(body.role, req.params.version);
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
