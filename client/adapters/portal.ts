/**
 * What Veeam Backup for AWS and Veeam Backup for Microsoft Azure share (one REST framework, see
 * sim/README.md): lists as `{ totalCount, results }` paged with `Offset` / `Limit`, filtered with
 * `SearchPattern` and ordered with `Sort` (`nameAsc` …); a fixed set of roles with one role per
 * user; portal accounts with passwords (each appliance judges its own policy); problem-details errors. The products' own
 * adapters (aws.ts, azure.ts) say how a user is addressed and what its answer looks like.
 */
import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { Serial } from '../pool';
import { PRODUCTS, type Product } from '../products';
import { API_VERSION_SEGMENT, effectiveApiVersion, RequestGroup, veeamApiRequest, type VeeamContext, type VeeamRequest } from '../transport';
import { acceptMfaLookingFirst, createLookingFirst, deleteLookingFirst, sameUserOrFail, unlessNotFound, UserExistsError } from './common';
import { readUserPages, REQUESTED_PAGE_SIZE, type Page } from './paging';
import { readSnapshotIfCheaper, type UserSnapshot } from './snapshot';
import { matchingPage, sameName, userListCheck } from './userFilter';
import type { MfaEnrolment, NewUser, UserDirectory, UserFilter, UserListOptions, UserSortProperty, VeeamRole, VeeamUser } from '../model';

/** A role as the API names it (`PortalAdministrator`) and as people read it (`Portal Administrator`). */
export interface PortalRole {
	readonly id: string;
	readonly name: string;
	readonly description: string;
	/**
	 * Other spellings a server may answer for this role (AWS: `PortalAdmin` for Portal Administrator),
	 * read as it; requests always send `id`. Only spellings that can mean this role and no other.
	 */
	readonly aliases?: readonly string[];
}

/** A role's spelling without case, spaces, `-` or `_`: `Read-Only User`, `ReadOnlyUser` and `read_only_user` are one. */
const roleKey = (text: string) => text.toLowerCase().replace(/[\s_-]+/g, '');

/** Veeam's list answer on these products. */
export interface PortalList<T> {
	totalCount?: number;
	results?: T[];
}

const SORT_PROPERTIES: readonly UserSortProperty[] = ['name', 'description', 'mfaEnabled'];

/** Azure's Entra ID names (user principal names) are the longest: 256. */
const MAX_NAME_LENGTH = 256;

export { sameName };

export abstract class PortalDirectory<Model extends IDataObject> implements UserDirectory {
	abstract readonly product: Product;
	abstract readonly refKind: 'id' | 'name';
	readonly sortProperties = SORT_PROPERTIES;
	readonly adminRoleNames = ['Portal Administrator'] as const;
	readonly lastAdministratorRole = 'Portal Administrator';
	readonly administratorChanges = new Serial();
	readonly singleRole = true;
	protected snapshot?: UserSnapshot;
	/** What this execution's requests share: a pause after 429/503, one re-login. */
	private readonly group = new RequestGroup();

	get apiVersionFoundNow(): string | undefined {
		return this.group.apiVersion.found;
	}

	constructor(protected readonly ctx: VeeamContext) {}

	/** The product's name, for messages. */
	protected abstract readonly productName: string;
	/** The user collection, e.g. `/api/v1/users`. */
	protected abstract readonly usersPath: string;
	/** The list's query parameter for one exact name, where the product has one. */
	protected readonly exactNameParam?: string;
	/** The product's roles, fixed (neither product lists them over REST). */
	protected abstract readonly roles: readonly PortalRole[];
	/** The common model of one of the product's user answers. */
	protected abstract fromModel(model: Model): VeeamUser;
	/** The create request's body for `user` with its one role (Azure: in the shape of the credential's API version). */
	protected abstract createBody(user: NewUser, role: PortalRole): IDataObject | Promise<IDataObject>;
	/** The update's body that gives the user `role` (and leaves the rest). */
	protected abstract roleBody(role: PortalRole): IDataObject | Promise<IDataObject>;
	/**
	 * False where the user list takes no `SearchPattern` and no `Sort` (Azure: `NameFilter`, `Offset`,
	 * `Limit` only): neither is sent, and the pattern and order are applied here (listUsers).
	 */
	protected readonly serverSearch: boolean = true;

	builtInAccount(user: VeeamUser): string | undefined {
		return user.type === 'DefaultAdmin' ? `${user.name} is the default administrator of the appliance` : undefined;
	}

	readonly userTypes?: readonly string[];

	/** The product's rule for the name of a new user of `type` (its user guide's), after lookupProblem. */
	protected abstract newNameProblem(name: string, type?: string): string | undefined;

	/**
	 * Why no user can have this name, whatever the product's rules for new names: empty, `.` or `..`
	 * (collapsed in a URL), white space, `/` or `\\`, `*` or `?` (the list's wildcards, so such a user
	 * could not be found by name), or longer than any name the products take.
	 */
	protected lookupProblem(name: string): string | undefined {
		if (name === '') return 'the name is empty';
		if (name === '.' || name === '..') return `"${name}" cannot be a user name: in a URL it means the current or parent path`;
		if (name.length > MAX_NAME_LENGTH) return `the name is longer than ${MAX_NAME_LENGTH} characters, the most ${this.productName} allows`;
		if (/\s/.test(name)) return `"${name}" contains white space, which ${this.productName} user names cannot hold`;
		if (/[/\\]/.test(name)) return `"${name}" contains / or \\, which ${this.productName} user names cannot hold`;
		if (/[*?]/.test(name)) return `"${name}" contains * or ?, which ${this.productName} user names cannot hold`;
		return undefined;
	}

	lookupNameProblem(name: string): string | undefined {
		return this.lookupProblem(name);
	}

	nameProblem(name: string, type?: string): string | undefined {
		if (type !== undefined && !(this.userTypes ?? []).includes(type)) {
			return `unknown user type "${type}"${this.userTypes ? ` (expected one of ${this.userTypes.join(', ')})` : ''}`;
		}
		return this.lookupProblem(name) ?? this.newNameProblem(name, type);
	}

	abstract refProblem(ref: string): string | undefined;

	/**
	 * Only what cannot be a password (empty): neither product publishes its current policy (Azure: no
	 * page; AWS: only the 2.0 archive's validate_password.html, another rule than VBGC's), so the
	 * appliance judges, and its 400 (with `errors` / validatePassword's messages) is what the user reads.
	 */
	passwordProblem(password: string): string | undefined {
		return password === '' ? 'the password is empty' : undefined;
	}

	protected async call<T>(req: VeeamRequest): Promise<T> {
		return await veeamApiRequest.call<VeeamContext, [Product, VeeamRequest], Promise<T>>(this.ctx, this.product, { ...req, group: this.group });
	}

	/** `{usersPath}/{ref}[/action]`, for a ref the product can hold only. */
	protected userPath(user: VeeamUser | string, action = ''): string {
		const ref = typeof user === 'string' ? user : user.ref;
		const problem = this.refProblem(ref);
		if (problem) throw new NodeOperationError(this.ctx.getNode(), `Cannot address the user: ${problem}`);
		return `${this.usersPath}/${encodeURIComponent(ref)}${action ? `/${action}` : ''}`;
	}

	/** The user an answer carries, when it is the one with `ref` (`call`: the request, for the message). */
	protected async asked(model: Model, ref: string, call: string): Promise<VeeamUser> {
		const user = this.fromModel(model);
		if (sameName(user.ref, ref)) return user;
		return sameUserOrFail(this.ctx, user, `"${ref}"`, () => false, await this.sent(call));
	}

	/** `GET /api/{version}/users/…` as it was sent (the credential's version in the path), for messages. */
	protected async sent(call: string): Promise<string> {
		if (!call.includes(API_VERSION_SEGMENT)) return call;
		return call.split(API_VERSION_SEGMENT).join(await this.apiVersionInUse());
	}

	/** The pinned API version, or under "Automatic" the one this execution speaks. */
	protected async apiVersionInUse(): Promise<string> {
		return effectiveApiVersion(await this.ctx.getCredentials(PRODUCTS[this.product].credentialType, 0), this.product, this.group.apiVersion);
	}

	/** The role with this API value or name, as the common model holds it. */
	protected role(value: unknown): VeeamRole[] {
		const text = typeof value === 'string' ? value : '';
		const key = roleKey(text);
		const known = key ? this.roles.find((r) => [r.id, r.name, ...(r.aliases ?? [])].some((spelling) => roleKey(spelling) === key)) : undefined;
		if (known) return [{ id: known.id, name: known.name, description: known.description }];
		// Any other value stays the user's role, by its value (never role-less): helpers/lastAdministrator.ts
		// counts such a role as one that may be the administrator's (roleIdProblem), the safe side.
		return text ? [{ id: text, name: text }] : [];
	}

	/** The one role these products give a user; more than one is refused before anything is sent. */
	protected oneRole(roles: VeeamRole[]): PortalRole {
		const found = roles.map((r) => this.roles.find((k) => sameName(k.id, r.id) || sameName(k.name, r.name)));
		if (roles.length !== 1 || !found[0]) {
			throw new NodeOperationError(
				this.ctx.getNode(),
				roles.length > 1
					? `${this.productName} gives a user exactly one role, not ${roles.length} (${roles.map((r) => r.name).join(', ')})`
					: `${this.productName} has no role "${roles[0]?.name ?? ''}"`,
				{ description: `Choose one of: ${this.roles.map((r) => r.name).join(', ')}. Nothing was sent.` },
			);
		}
		return found[0];
	}

	/** `exactName`: only the user of that name, with the product's exact-name parameter (exactNameParam). */
	private page(filter: UserFilter, offset: number, limit: number, sort?: UserListOptions['sort'], exactName?: string): Promise<Page<VeeamUser>> {
		const unsupported = (['types', 'roleId', 'roleName', 'isServiceAccount', 'mfaEnabled'] as const).filter((k) => filter[k] !== undefined);
		if (unsupported.length) {
			throw new NodeOperationError(this.ctx.getNode(), `${this.productName} cannot filter users by ${unsupported.join(', ')}`, {
				description: 'Its user list filters by name only.',
			});
		}
		const property = sort?.property ?? 'name';
		if (!SORT_PROPERTIES.includes(property)) {
			throw new NodeOperationError(this.ctx.getNode(), `${this.productName} cannot sort users by ${property}`);
		}
		return this.call<PortalList<Model>>({
			method: 'GET',
			path: this.usersPath,
			qs: {
				...(filter.namePattern && this.serverSearch ? { SearchPattern: filter.namePattern } : {}),
				...(exactName !== undefined && this.exactNameParam ? { [this.exactNameParam]: exactName } : {}),
				// Always an explicit order where the server takes one, so that pages neither overlap nor skip users.
				...(this.serverSearch ? { Sort: [`${property}${sort?.descending ? 'Desc' : 'Asc'}`] } : {}),
				Offset: offset,
				Limit: limit,
			},
		}).then((res) => ({
			items: (Array.isArray(res.results) ? res.results : []).map((m) => this.fromModel(m)),
			total: res.totalCount,
		}));
	}

	async listUsers(filter: UserFilter = {}, limit?: number, options: UserListOptions = {}): Promise<VeeamUser[]> {
		// The filter (and, where the server cannot order, the order) holds whatever the server does: userFilter.ts.
		const check = userListCheck(this, filter, options.sort);
		return await readUserPages(this.ctx.getNode(), (offset, size) => this.page(filter, offset, size, options.sort), limit, options, check);
	}

	async listUsersPage(filter: UserFilter, skip: number, limit: number): Promise<{ users: VeeamUser[]; total: number; next?: number }> {
		return matchingPage(this, filter, skip, await this.page(filter, skip, limit));
	}

	async usersWithRole(roleName: string): Promise<VeeamUser[]> {
		// The list cannot filter by role: the whole list, filtered here.
		return (await this.listUsers()).filter((u) => u.roles.some((r) => sameName(r.name, roleName)));
	}

	async prefetchUsers(lookups: number): Promise<boolean> {
		this.snapshot ??= await readSnapshotIfCheaper(this.ctx.getNode(), (offset, size) => this.page({}, offset, size), lookups);
		return this.snapshot !== undefined;
	}

	prefetchedRef(name: string): string | undefined {
		return this.snapshot?.named(name)?.ref;
	}

	async getUser(ref: string): Promise<VeeamUser | undefined> {
		if (this.refProblem(ref)) return undefined;
		if (this.snapshot) return this.snapshot.get(ref);
		return await this.fetchUser(ref);
	}

	/** On the server, whatever the snapshot says. */
	protected async fetchUser(ref: string): Promise<VeeamUser | undefined> {
		if (this.refProblem(ref)) return undefined;
		const path = this.userPath(ref);
		const found = await unlessNotFound(this.call<Model>({ method: 'GET', path }), ref);
		if (!found) {
			// These products' NotFound names no resource: a user list that is not there either (Azure
			// at an API version it does not serve answers every path with NotFound) is not "absent".
			await this.collectionServed();
			return undefined;
		}
		return await this.asked(found, ref, `GET ${path}`);
	}

	private collection?: Promise<void>;

	/** Whether the server serves the user list at all (asked once per execution, only after a NotFound). */
	private async collectionServed(): Promise<void> {
		this.collection ??= this.call<PortalList<Model>>({ method: 'GET', path: this.usersPath, qs: { Offset: 0, Limit: 1 } }).then(
			() => undefined,
			(error: unknown) => {
				this.collection = undefined;
				const reason = error instanceof Error ? error.message : String(error);
				throw new NodeOperationError(this.ctx.getNode(), `${this.productName} does not serve its user list at this address and API version: ${reason}`, {
					description: "A user looked up there was answered NotFound, which then says nothing. Check the credential's API Version (the versions of your appliance's release) and Server URL.",
				});
			},
		);
		await this.collection;
	}

	async findUserByName(name: string): Promise<VeeamUser | undefined> {
		if (this.snapshot) return this.snapshot.named(name);
		return await this.fetchUserByName(name);
	}

	/** The user with exactly this name on the server (names are matched without regard to case). */
	protected async fetchUserByName(name: string): Promise<VeeamUser | undefined> {
		if (this.lookupProblem(name)) return undefined;
		if (this.refKind === 'name') return await this.fetchUser(name);
		// The exact-name filter where the product has one (Azure's NameFilter), else the pattern (which
		// without wildcards matches names containing it); the exact name is picked here either way.
		const first = this.exactNameParam
			? await this.page({}, 0, REQUESTED_PAGE_SIZE, undefined, name)
			: await this.page({ namePattern: name }, 0, REQUESTED_PAGE_SIZE);
		const exact = first.items.find((u) => sameName(u.name, name));
		if (exact || this.exactNameParam || (first.total ?? 0) <= first.items.length) return exact;
		// More matches than one page: the whole matching list.
		return (await this.listUsers({ namePattern: name })).find((u) => sameName(u.name, name));
	}

	async createUser(user: NewUser): Promise<VeeamUser> {
		const role = this.oneRole(user.roles);
		const problem = this.nameProblem(user.name, user.type);
		if (problem) throw new NodeOperationError(this.ctx.getNode(), `Cannot create the user: ${problem}`);
		const created = await createLookingFirst(
			async () => {
				const answer = await this.call<Model>({
					method: 'POST',
					path: this.usersPath,
					body: await this.createBody(user, role),
					idempotent: false,
					secrets: user.password === undefined ? [] : [user.password],
				});
				const made = this.fromModel(answer);
				if (sameName(made.name, user.name)) return made;
				return sameUserOrFail(this.ctx, made, `"${user.name}"`, () => false, await this.sent(`POST ${this.usersPath}`));
			},
			async () => await this.fetchUserByName(user.name),
		).catch((error: unknown) => {
			if (error instanceof UserExistsError) this.snapshot?.put(error.existing);
			throw error;
		});
		this.snapshot?.put(created);
		return created;
	}

	protected async update(user: VeeamUser, body: IDataObject, secrets: string[] = []): Promise<VeeamUser> {
		const path = this.userPath(user);
		const res = await this.call<Model>({ method: 'PUT', path, body, secrets, idempotent: secrets.length === 0 });
		const updated = await this.asked(res, user.ref, `PUT ${path}`);
		this.snapshot?.put(updated);
		return updated;
	}

	async setRoles(user: VeeamUser, roles: VeeamRole[]): Promise<VeeamUser> {
		return await this.update(user, await this.roleBody(this.oneRole(roles)));
	}

	async updateDescription(user: VeeamUser, description: string): Promise<VeeamUser> {
		return await this.update(user, { description });
	}

	async deleteUser(user: VeeamUser): Promise<'deleted' | 'absent'> {
		const path = this.userPath(user);
		const outcome = await deleteLookingFirst(
			async () => await this.call({ method: 'DELETE', path, idempotent: false }),
			async () => (await this.fetchUser(user.ref)) !== undefined,
			user.ref,
		);
		this.snapshot?.remove(user);
		return outcome;
	}

	roleIdProblem(id: string): string | undefined {
		return this.roles.some((r) => sameName(r.id, id)) ? undefined : `"${id}" is not a role of ${this.productName} (${this.roles.map((r) => r.id).join(', ')})`;
	}

	async listRoles(): Promise<VeeamRole[]> {
		return this.roles.map((r) => ({ id: r.id, name: r.name, description: r.description }));
	}

	// ---- MFA set-up of another user: `POST {usersPath}/{ref}/enableMfa | acceptMfa | disableMfa` ----

	/** Why the product cannot set up MFA for `user` (an identity-provider account), if it cannot. */
	protected abstract mfaSetupRefusal(user: VeeamUser): string | undefined;
	/** The user an enableMfa answer names, when it names one that is not `user`. */
	protected abstract enrolmentOfOther(answer: IDataObject, user: VeeamUser): string | undefined;

	/** `enableMfa { recreate }` → `{ qrString, secretKey, scratchCodes, token }` and the user it is for. */
	async mfaEnable(user: VeeamUser, recreate: boolean): Promise<MfaEnrolment> {
		const refusal = this.mfaSetupRefusal(user);
		if (refusal) throw new NodeOperationError(this.ctx.getNode(), refusal, { description: 'Its sign-in (and MFA) is managed by the identity provider. Nothing was sent.' });
		// Sending it twice is harmless: each answer replaces the pending secret; the last one counts.
		const r = await this.call<IDataObject>({ method: 'POST', path: this.userPath(user, 'enableMfa'), body: { recreate }, idempotent: true });
		if (typeof r.token !== 'string' || typeof r.secretKey !== 'string' || typeof r.qrString !== 'string') {
			throw new NodeOperationError(this.ctx.getNode(), `${this.productName} answered ${user.name}'s MFA setup without its secret key or token`);
		}
		const other = this.enrolmentOfOther(r, user);
		if (other !== undefined) {
			throw new NodeOperationError(this.ctx.getNode(), `${this.productName} answered the MFA setup of ${user.name} with another user's (${other})`);
		}
		return { qrString: r.qrString, secretKey: r.secretKey, scratchCodes: Array.isArray(r.scratchCodes) ? r.scratchCodes.map(String) : [], token: r.token };
	}

	/** `acceptMfa { code, token }` → 204. */
	async mfaAccept(user: VeeamUser, code: string, token: string): Promise<void> {
		const now = await acceptMfaLookingFirst(
			user,
			async () => await this.call({ method: 'POST', path: this.userPath(user, 'acceptMfa'), body: { code, token }, idempotent: false, secrets: [code, token] }),
			async () => await this.fetchUser(user.ref),
		);
		this.snapshot?.put(now);
	}

	/** `disableMfa` → 204. */
	async mfaDisable(user: VeeamUser): Promise<void> {
		await this.call({ method: 'POST', path: this.userPath(user, 'disableMfa'), idempotent: true });
		this.snapshot?.put({ ...user, mfaEnabled: false });
	}
}
