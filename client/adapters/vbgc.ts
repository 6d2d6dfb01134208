import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { Serial } from '../pool';
import { CREDENTIAL_TYPE, effectiveApiVersion, RequestGroup, veeamApiRequest, type VeeamContext, type VeeamRequest } from '../transport';
import { acceptMfaLookingFirst, createLookingFirst, deleteLookingFirst, plainRole, sameUserOrFail, uniqueRoles, unlessNotFound, UserExistsError } from './common';
import { readUserPages, type Page } from './paging';
import { readSnapshotIfCheaper, type UserSnapshot } from './snapshot';
import { matchingPage, userListCheck } from './userFilter';
import { vbgcNameProblem, vbgcNewNameProblem, vbgcPasswordProblem, vbgcVersionProblem } from './vbgcRules';
import type {
	MfaEnrolment,
	NewUser,
	UserDirectory,
	UserFilter,
	UserListOptions,
	UserSortProperty,
	VeeamRole,
	VeeamUser,
} from '../model';

/**
 * Veeam Backup for Google Cloud 6.0 and 7.0 (API 1.4-rev0). Users have no ID: the API addresses
 * them by name. The 7.0 reference (https://helpcenter.veeam.com/references/vbgc/7/rest/tag/Users,
 * default x-api-version 1.4-rev0) puts every user call under `/api/v1/users`. The help page
 * https://helpcenter.veeam.com/docs/vbgc/rest/mfa.html shows the MFA call of API 1.3-rev0 under
 * `/api/v1/accounts/users/{name}/mfaEnable`, and no page shows the other user calls of 1.1-rev0 …
 * 1.3-rev0: those versions are refused before anything is sent (sim/contracts/vbgc.md, "API versions").
 */
export { vbgcNameProblem, vbgcNewNameProblem, vbgcPasswordProblem, vbgcVersionProblem, VBGC_PASSWORD_POLICY } from './vbgcRules';

const USERS = '/api/v1/users';
const ROLES = `${USERS}/roles`;

interface VbgcUserModel {
	name: string;
	description?: string;
	mfaEnabled?: boolean;
	type?: string;
	roles?: VeeamRole[];
}

/** Veeam's VBGC REST help, "Pagination": `offset`, `limit` and `totalCount`. */
interface VbgcList<T> {
	data?: T[];
	pagination?: { totalCount?: number; offset?: number; limit?: number };
}

export function fromVbgcUser(u: VbgcUserModel): VeeamUser {
	return {
		ref: u.name,
		name: u.name,
		type: String(u.type ?? ''),
		roles: uniqueRoles(u.roles),
		...(typeof u.mfaEnabled === 'boolean' ? { mfaEnabled: u.mfaEnabled } : {}),
		...(typeof u.description === 'string' ? { description: u.description } : {}),
		// Portal accounts live in the appliance's own database: no directory account stays behind.
		isDirectoryAccount: false,
		isGroup: false,
	};
}

const sameName = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * Whether an answer's `user` is one (a name at least). Veeam's samples for the create, PUT and
 * changePassword answers print `{ "user": { }, "issues": [ ] }`: an answer without the user's name
 * is read as no user (read back, or kept as sent), never taken for another user's.
 */
function hasUser(u: VbgcUserModel | undefined): u is VbgcUserModel {
	return typeof u === 'object' && u !== null && typeof u.name === 'string';
}

const SORT_PROPERTIES: readonly UserSortProperty[] = ['name', 'description', 'type', 'mfaEnabled'];

export class VbgcDirectory implements UserDirectory {
	readonly product = 'vbgc' as const;
	readonly refKind = 'name' as const;
	readonly sortProperties = SORT_PROPERTIES;
	readonly namePatternKind = 'containsUnlessWildcard' as const;
	readonly adminRoleNames = ['Portal Administrator'] as const;
	readonly lastAdministratorRole = 'Portal Administrator';
	readonly administratorChanges = new Serial();

	builtInAccount(user: VeeamUser): string | undefined {
		return user.type === 'DefaultAdmin' ? `${user.name} is the default administrator of the appliance` : undefined;
	}
	private roles?: Promise<VeeamRole[]>;
	private snapshot?: UserSnapshot;
	/** What this execution's requests share: a pause after 429/503, one re-login. */
	private readonly group = new RequestGroup();

	get apiVersionFoundNow(): string | undefined {
		return this.group.apiVersion.found;
	}

	constructor(private readonly ctx: VeeamContext) {}

	nameProblem(name: string): string | undefined {
		return vbgcNewNameProblem(name);
	}

	refProblem(ref: string): string | undefined {
		const problem = vbgcNameProblem(ref);
		return problem && `not a Veeam Backup for Google Cloud user name: ${problem}`;
	}

	passwordProblem(password: string): string | undefined {
		return vbgcPasswordProblem(password);
	}

	/** The credential's API version, checked once per execution before the first request. */
	private versionChecked?: Promise<void>;

	private async checkVersion(): Promise<void> {
		// The pinned version, or under "Automatic" the one this execution speaks.
		const version = effectiveApiVersion(await this.ctx.getCredentials(CREDENTIAL_TYPE.vbgc), 'vbgc', this.group.apiVersion);
		const problem = vbgcVersionProblem(version);
		if (problem) {
			throw new NodeOperationError(this.ctx.getNode(), problem, {
				description: 'Choose API version 1.4-rev0 in the credential\'s "API Version" (the server must run Veeam Backup for Google Cloud 6.0 or later).',
			});
		}
	}

	private async call<T>(req: VeeamRequest): Promise<T> {
		this.versionChecked ??= this.checkVersion();
		await this.versionChecked;
		return await veeamApiRequest.call<VeeamContext, ['vbgc', VeeamRequest], Promise<T>>(this.ctx, 'vbgc', { ...req, group: this.group });
	}

	/** `/users/{name}[/action]`, for a name VBGC can hold only (never `.`, `..`, `roles`, a `/`). */
	private userPath(user: VeeamUser | string, action = ''): string {
		const name = typeof user === 'string' ? user : user.ref;
		const problem = this.refProblem(name);
		if (problem) throw new NodeOperationError(this.ctx.getNode(), `Cannot address the user: ${problem}`);
		return `${USERS}/${encodeURIComponent(name)}${action ? `/${action}` : ''}`;
	}

	/** The user an answer carries, when it is `name`. */
	private asked(u: VbgcUserModel, name: string, call: string): VeeamUser {
		return sameUserOrFail(this.ctx, fromVbgcUser(u), `"${name}"`, (user) => sameName(user.name, name), call);
	}

	/**
	 * VBGC's filter parameter: a JSON array of `{ property, operator, ignorecase, value }`, all of
	 * which must hold. A name pattern with `*` or `?` is a whole-name pattern (`like`), other text
	 * matches anywhere in the name (`contains`); both ignore case.
	 */
	private filterParam(filter: UserFilter): string | undefined {
		const unsupported = (['types', 'roleId', 'roleName', 'isServiceAccount'] as const).filter((k) => filter[k] !== undefined);
		if (unsupported.length) {
			throw new NodeOperationError(
				this.ctx.getNode(),
				`Veeam Backup for Google Cloud cannot filter users by ${unsupported.join(', ')}`,
				{ description: 'Its user list filters by name and MFA state only.' },
			);
		}
		const clauses: IDataObject[] = [];
		if (filter.namePattern) {
			const wildcard = /[*?]/.test(filter.namePattern);
			clauses.push({ property: 'name', operator: wildcard ? 'like' : 'contains', ignorecase: 'true', value: filter.namePattern });
		}
		if (filter.mfaEnabled !== undefined) {
			clauses.push({ property: 'mfaEnabled', operator: 'equals', value: String(filter.mfaEnabled) });
		}
		return clauses.length ? JSON.stringify(clauses) : undefined;
	}

	private async page(filter: UserFilter, offset: number, limit: number, sort?: UserListOptions['sort']): Promise<Page<VeeamUser>> {
		const property = sort?.property ?? 'name';
		if (!SORT_PROPERTIES.includes(property)) {
			throw new NodeOperationError(this.ctx.getNode(), `Veeam Backup for Google Cloud cannot sort users by ${property}`);
		}
		const filterParam = this.filterParam(filter);
		const res = await this.call<VbgcList<VbgcUserModel>>({
			method: 'GET',
			path: USERS,
			qs: {
				...(filterParam ? { filter: filterParam } : {}),
				// Always an explicit order, so that pages do not overlap or skip users.
				orderby: JSON.stringify([{ property, direction: sort?.descending ? 'DESC' : 'ASC' }]),
				offset,
				limit,
			},
		});
		return { items: (res.data ?? []).map(fromVbgcUser), total: res.pagination?.totalCount };
	}

	async listUsers(filter: UserFilter = {}, limit?: number, options: UserListOptions = {}): Promise<VeeamUser[]> {
		const check = userListCheck(this, filter, options.sort);
		return await readUserPages(this.ctx.getNode(), (offset, size) => this.page(filter, offset, size, options.sort), limit, options, check);
	}

	async usersWithRole(roleName: string): Promise<VeeamUser[]> {
		// VBGC's list cannot filter by role: the whole list, filtered here.
		return (await this.listUsers()).filter((u) => u.roles.some((r) => r.name.toLowerCase() === roleName.toLowerCase()));
	}

	async listUsersPage(filter: UserFilter, skip: number, limit: number) {
		return matchingPage(this, filter, skip, await this.page(filter, skip, limit));
	}

	async prefetchUsers(lookups: number): Promise<boolean> {
		this.snapshot ??= await readSnapshotIfCheaper(this.ctx.getNode(), (offset, size) => this.page({}, offset, size), lookups);
		return this.snapshot !== undefined;
	}

	prefetchedRef(name: string): string | undefined {
		return this.snapshot?.named(name)?.ref;
	}

	async getUser(ref: string): Promise<VeeamUser | undefined> {
		if (this.snapshot) return vbgcNameProblem(ref) ? undefined : this.snapshot.get(ref);
		return await this.fetchUser(ref);
	}

	/** On the server, whatever the snapshot says. */
	private async fetchUser(ref: string): Promise<VeeamUser | undefined> {
		// A name VBGC cannot hold names no user (and `roles` would read the role list, `..` the root).
		if (vbgcNameProblem(ref)) return undefined;
		const path = this.userPath(ref);
		const found = await unlessNotFound(this.call<VbgcUserModel>({ method: 'GET', path }), ref);
		return found && this.asked(found, ref, `GET ${path}`);
	}

	async findUserByName(name: string): Promise<VeeamUser | undefined> {
		// The name is the reference; VBGC matches it without regard to case.
		return await this.getUser(name);
	}

	async createUser(user: NewUser): Promise<VeeamUser> {
		if (user.password === undefined) {
			throw new NodeOperationError(this.ctx.getNode(), 'A Veeam Backup for Google Cloud user needs a password');
		}
		const body: IDataObject = {
			name: user.name,
			password: user.password,
			roleIds: user.roles.map((r) => r.id),
			...(user.description ? { description: user.description } : {}),
		};
		// Veeam's rule for new names; and one the API can address afterwards (never `.`, `..`, `roles`).
		const nameProblem = vbgcNewNameProblem(user.name);
		if (nameProblem) throw new NodeOperationError(this.ctx.getNode(), `Cannot create the user: ${nameProblem}`);
		this.userPath(user.name);
		const created = await createLookingFirst(
			async () => {
				const answer = await this.call<{ user?: VbgcUserModel }>({
					method: 'POST',
					path: USERS,
					body,
					idempotent: false,
					secrets: [user.password as string],
				});
				if (hasUser(answer.user)) return this.asked(answer.user, user.name, `POST ${USERS}`);
				return (await this.fetchUser(user.name)) ?? fromVbgcUser({ name: user.name, description: user.description ?? '', roles: user.roles });
			},
			async () => await this.fetchUser(user.name),
		).catch((error: unknown) => {
			if (error instanceof UserExistsError) this.snapshot?.put(error.existing);
			throw error;
		});
		this.snapshot?.put(created);
		return created;
	}

	private async update(user: VeeamUser, body: IDataObject, fallback: Partial<VeeamUser>): Promise<VeeamUser> {
		const path = this.userPath(user);
		const res = await this.call<{ user?: VbgcUserModel }>({ method: 'PUT', path, body });
		const updated = hasUser(res.user) ? this.asked(res.user, user.ref, `PUT ${path}`) : { ...user, ...fallback };
		this.snapshot?.put(updated);
		return updated;
	}

	async setRoles(user: VeeamUser, roles: VeeamRole[]): Promise<VeeamUser> {
		// Both fields of the PUT are optional: sending only roleIds leaves the description as it is.
		return await this.update(user, { roleIds: roles.map((r) => r.id) }, { roles: uniqueRoles(roles) });
	}

	async updateDescription(user: VeeamUser, description: string): Promise<VeeamUser> {
		return await this.update(user, { description }, { description });
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

	async listRoles(): Promise<VeeamRole[]> {
		// The reference lists no query parameters for roles: one request gives them all.
		this.roles ??= this.call<VbgcList<VeeamRole>>({ method: 'GET', path: ROLES }).then((res) => (res.data ?? []).map(plainRole));
		// A failed lookup is not cached: the next call asks again.
		this.roles.catch(() => {
			this.roles = undefined;
		});
		return await this.roles;
	}

	async changePassword(user: VeeamUser, password: string, oldPassword: string): Promise<VeeamUser> {
		// Not idempotent: once done, the old password no longer matches. An unclear outcome is reported
		// as such (UnclearOutcomeError) rather than guessed.
		const path = this.userPath(user, 'changePassword');
		const res = await this.call<{ user?: VbgcUserModel }>({
			method: 'POST',
			path,
			body: { password, oldPassword },
			idempotent: false,
			secrets: [password, oldPassword],
		});
		const updated = hasUser(res.user) ? this.asked(res.user, user.ref, `POST ${path}`) : user;
		this.snapshot?.put(updated);
		return updated;
	}

	async mfaEnable(user: VeeamUser, recreate: boolean): Promise<MfaEnrolment> {
		// Sending it twice is harmless: each answer replaces the pending secret; the last one counts.
		const res = await this.call<{ response?: IDataObject }>({
			method: 'POST',
			path: this.userPath(user, 'mfaEnable'),
			body: { recreate },
			idempotent: true,
		});
		const r = res.response ?? {};
		if (typeof r.token !== 'string' || typeof r.secretKey !== 'string' || typeof r.qrString !== 'string') {
			throw new NodeOperationError(this.ctx.getNode(), `Veeam Backup for Google Cloud answered ${user.name}'s MFA setup without its secret key or token`);
		}
		return {
			qrString: r.qrString,
			secretKey: r.secretKey,
			scratchCodes: Array.isArray(r.scratchCodes) ? r.scratchCodes.map(String) : [],
			token: r.token,
		};
	}

	async mfaAccept(user: VeeamUser, code: string, token: string): Promise<void> {
		const now = await acceptMfaLookingFirst(
			user,
			async () => await this.call({ method: 'POST', path: this.userPath(user, 'mfaAccepted'), body: { code, token }, idempotent: false, secrets: [code, token] }),
			async () => await this.fetchUser(user.ref),
		);
		this.snapshot?.put(now);
	}

	async mfaDisable(user: VeeamUser): Promise<void> {
		await this.call({ method: 'POST', path: this.userPath(user, 'mfaDisable'), idempotent: true });
		this.snapshot?.put({ ...user, mfaEnabled: false });
	}
}
