import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { CREDENTIAL_TYPE, effectiveApiVersion, RequestGroup, veeamApiRequest, type VeeamContext, type VeeamRequest } from '../transport';
import { runPool, Serial } from '../pool';
import { VbrAuthorizationEvents } from './authorizationEvents';
import { VbrCustomRoles } from './vbrCustomRoles';
import { VbrAclClient, type VbrAcl } from './vbrAcl';
import { createLookingFirst, deleteLookingFirst, plainRole, sameUserOrFail, unexpectedAnswer, uniqueRoles, unlessNotFound, UserExistsError } from './common';
import { readAllPages, readUserPages, type Page } from './paging';
import { readSnapshotIfCheaper, type UserSnapshot } from './snapshot';
import { matchingPage, userListCheck } from './userFilter';
import type { NewUser, UserDirectory, UserFilter, UserListOptions, UserSortProperty, VeeamRole, VeeamUser } from '../model';
import { UUID_PATTERN } from '../ids';
import { VBR_USER_TYPES, vbrNameFilter, vbrNameProblem } from './vbrRules';

export { VBR_USER_TYPES, vbrNameFilter, vbrNameProblem } from './vbrRules';

/** Veeam Backup & Replication 13: `/api/v1/security/*` (API 1.3-rev1 and later). */
const USERS = '/api/v1/security/users';
const ROLES = '/api/v1/security/roles';

export const VBR_ID_PATTERN = UUID_PATTERN;
const VBR_ID = new RegExp(VBR_ID_PATTERN);
/** `orderColumn` values for the common sort properties (VBR cannot sort by description). */
const ORDER_COLUMNS: Partial<Record<UserSortProperty, string>> = { name: 'Name', type: 'Type' };
/** API versions before 1.3-rev2 (VBR 13.1) report no MFA state on users and cannot filter by it. */
const NO_USER_MFA = new Set(['1.3-rev0', '1.3-rev1']);
/** Backup Administrator's ID in Veeam's 1.3-rev1 and 1.3-rev2 examples (RoleModelExample, UsersResultExample). */
const BACKUP_ADMINISTRATOR_ID = '5ff0e0eb-45cf-48cc-9677-7613fc79bc11';
/** Users read back at once after the changes of an execution (see readBack). */
const READ_BACK_CONCURRENCY = 4;

interface VbrUserModel {
	id: string;
	name: string;
	type: string;
	roles?: VeeamRole[];
	isServiceAccount?: boolean;
	mfaEnabled?: boolean;
}

interface VbrList<T> {
	data?: T[];
	pagination?: { total?: number; count?: number; skip?: number; limit?: number };
}

export function fromVbrUser(u: VbrUserModel): VeeamUser {
	return {
		ref: u.id,
		id: u.id,
		name: u.name,
		type: u.type,
		roles: uniqueRoles(u.roles),
		isServiceAccount: u.isServiceAccount ?? false,
		...(typeof u.mfaEnabled === 'boolean' ? { mfaEnabled: u.mfaEnabled } : {}),
		// Every VBR account lives outside Veeam: a Windows account (of the backup server or of Active
		// Directory) or an identity provider's; removing the Veeam user leaves it (directoryKindOf says where).
		isDirectoryAccount: true,
		isGroup: u.type === 'InternalGroup' || u.type === 'ExternalGroup',
	};
}

function roleModel(r: VeeamRole): IDataObject {
	return { ...plainRole(r) };
}

const sameId = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export class VbrDirectory implements UserDirectory {
	readonly product = 'vbr' as const;
	readonly refKind = 'id' as const;
	readonly userTypes = VBR_USER_TYPES;
	readonly sortProperties: readonly UserSortProperty[] = ['name', 'type'];
	readonly namePatternKind = 'wholeName' as const;
	/** 1.3-rev1's reference names the built-in roles "Veeam Backup Administrator" …, 1.3-rev2's "Backup Administrator" …: both. */
	readonly adminRoleNames = ['Backup Administrator', 'Security Administrator', 'Veeam Backup Administrator', 'Veeam Security Administrator'] as const;
	/**
	 * The Backup Administrator role as this server names it: "Backup Administrator" (1.3-rev2's
	 * reference), "Veeam Backup Administrator" (1.3-rev1's examples and "Available to" texts). Learned
	 * from the role with Veeam's built-in ID in any answer read (the same ID in both references).
	 */
	get lastAdministratorRole(): string {
		return this.backupAdministratorName;
	}
	private backupAdministratorName = 'Backup Administrator';

	/** The common user of an answer, learning the Backup Administrator's name on the way. */
	private fromModel(u: VbrUserModel): VeeamUser {
		this.learnRoles(u.roles);
		return fromVbrUser(u);
	}

	private learnRoles(roles: readonly VeeamRole[] | undefined): void {
		const admin = Array.isArray(roles) ? roles.find((r) => typeof r?.name === 'string' && sameId(String(r.id), BACKUP_ADMINISTRATOR_ID)) : undefined;
		if (admin) this.backupAdministratorName = admin.name;
	}
	readonly administratorChanges = new Serial();

	/** `BUILTIN\Administrators` and its kind: the server's local groups VBR grants access by default. */
	builtInAccount(user: VeeamUser): string | undefined {
		return /^builtin\\/i.test(user.name) ? `${user.name} is a built-in group of the backup server` : undefined;
	}
	private roles?: Promise<VeeamRole[]>;
	private snapshot?: UserSnapshot;
	/**
	 * Refs and names (lower case) of users this execution changed: looked up on the server from then
	 * on, never in the snapshot. With four-eyes on, Veeam may answer a held change as if done; that
	 * answer is not the server's state (a later item about the user must not say `unchanged` or
	 * `absent` from it).
	 */
	private readonly changed = new Set<string>();
	/** Requests the last read of the whole user list took, in this execution. */
	private wholeListPages?: number;
	/** What this execution's requests share: a pause after 429/503, one re-login. */
	private readonly group = new RequestGroup();

	get apiVersionFoundNow(): string | undefined {
		return this.group.apiVersion.found;
	}

	readonly authorizationEvents: VbrAuthorizationEvents;

	constructor(private readonly ctx: VeeamContext) {
		this.authorizationEvents = new VbrAuthorizationEvents(ctx, async (req) => await this.call(req));
	}

	nameProblem(name: string, type?: string): string | undefined {
		return vbrNameProblem(name, type);
	}

	refProblem(ref: string): string | undefined {
		return VBR_ID.test(ref) ? undefined : `"${ref}" is not a Veeam Backup & Replication ID (a UUID such as 5ff0e0eb-45cf-48cc-9677-7613fc79bc11)`;
	}

	private aclClient?: VbrAcl;

	/** VBR 13.1 (1.3-rev2): access control lists of backups and jobs, on this adapter's request path. */
	acl(): VbrAcl {
		this.aclClient ??= new VbrAclClient({ ctx: this.ctx, call: async (req) => await this.call(req), group: this.group });
		return this.aclClient;
	}

	private async call<T>(req: VeeamRequest): Promise<T> {
		return await veeamApiRequest.call<VeeamContext, ['vbr', VeeamRequest], Promise<T>>(this.ctx, 'vbr', { ...req, group: this.group });
	}

	/** `/users/{id}[/action]`, for a UUID only: an ID from a server is not trusted to be one. */
	private userPath(ref: string, action = ''): string {
		const problem = this.refProblem(ref);
		if (problem) throw new NodeOperationError(this.ctx.getNode(), `Cannot address the user: ${problem}`);
		return `${USERS}/${encodeURIComponent(ref)}${action ? `/${action}` : ''}`;
	}

	private async apiVersion(): Promise<string> {
		// The pinned version, or under "Automatic" the one this execution speaks.
		return effectiveApiVersion(await this.ctx.getCredentials(CREDENTIAL_TYPE.vbr), 'vbr', this.group.apiVersion);
	}

	private async filterQuery(filter: UserFilter = {}): Promise<VeeamRequest['qs']> {
		const qs: NonNullable<VeeamRequest['qs']> = {};
		if (filter.mfaEnabled !== undefined) {
			const version = await this.apiVersion();
			if (NO_USER_MFA.has(version)) {
				throw new NodeOperationError(this.ctx.getNode(), `Veeam Backup & Replication API ${version} cannot filter users by MFA state`, {
					description: 'The MFA filter needs API 1.3-rev2 (VBR 13.1): choose it in the credential\'s "API Version" if the server runs 13.1.',
				});
			}
			qs.mfaEnabledFilter = filter.mfaEnabled;
		}
		const nameFilter = filter.namePattern ? vbrNameFilter(filter.namePattern) : undefined;
		if (nameFilter) qs.nameFilter = nameFilter;
		if (filter.types?.length) qs.typeFilter = filter.types;
		if (filter.roleId) qs.roleIdFilter = filter.roleId;
		if (filter.roleName) qs.roleNameFilter = filter.roleName;
		if (filter.isServiceAccount !== undefined) qs.isServiceAccountFilter = filter.isServiceAccount;
		return qs;
	}

	private async page(filter: UserFilter, skip: number, limit: number, sort?: UserListOptions['sort']): Promise<Page<VeeamUser>> {
		const orderColumn = ORDER_COLUMNS[sort?.property ?? 'name'];
		if (!orderColumn) throw new NodeOperationError(this.ctx.getNode(), `Veeam Backup & Replication cannot sort users by ${sort?.property}`);
		const res = await this.call<VbrList<VbrUserModel>>({
			method: 'GET',
			path: USERS,
			qs: { ...(await this.filterQuery(filter)), skip, limit, orderColumn, orderAsc: !sort?.descending },
		});
		return { items: (res.data ?? []).map((u) => this.fromModel(u)), total: res.pagination?.total };
	}

	async listUsers(filter: UserFilter = {}, limit?: number, options: UserListOptions = {}): Promise<VeeamUser[]> {
		let pages = 0;
		// Every filter is checked on the answers too: a server that ignored one (1.3-rev2's spec lists
		// mfaEnabledFilter in UserFilters but not among the call's parameters) lets no other user through.
		const users = await readUserPages(
			this.ctx.getNode(),
			async (skip, size) => {
				pages++;
				return await this.page(filter, skip, size, options.sort);
			},
			limit,
			options,
			userListCheck(this, filter, options.sort),
		);
		// What reading the whole list costs (readBack compares it with one GET per user).
		const whole = Object.values(filter).every((v) => v === undefined) && limit === undefined && !options.offset;
		if (whole) this.wholeListPages = pages;
		return users;
	}

	async usersWithRole(roleName: string): Promise<VeeamUser[]> {
		// roleNameFilter on the server; the roles checked here too (an answer is not trusted to be filtered).
		const users = await this.listUsers({ roleName });
		return users.filter((u) => u.roles.some((r) => r.name.toLowerCase() === roleName.toLowerCase()));
	}

	async listUsersPage(filter: UserFilter, skip: number, limit: number) {
		return matchingPage(this, filter, skip, await this.page(filter, skip, limit));
	}

	async prefetchUsers(lookups: number): Promise<boolean> {
		this.snapshot ??= await readSnapshotIfCheaper(this.ctx.getNode(), (skip, size) => this.page({}, skip, size), lookups);
		return this.snapshot !== undefined;
	}

	prefetchedRef(name: string): string | undefined {
		return this.snapshot?.named(name)?.ref;
	}

	async readBack(refs: string[]): Promise<Map<string, VeeamUser | undefined>> {
		const found = new Map<string, VeeamUser | undefined>();
		// The whole list when this execution read it once already (a snapshot, or Sync's listing) and
		// reading it again takes fewer requests than one GET per user.
		const pages = this.snapshot?.pages ?? this.wholeListPages;
		if (pages !== undefined && pages < refs.length) {
			const byRef = new Map((await this.listUsers()).map((u) => [u.ref.toLowerCase(), u]));
			for (const ref of refs) found.set(ref, byRef.get(ref.toLowerCase()));
			return found;
		}
		const outcomes = await runPool(refs.length, async (i) => await this.fetchUser(refs[i]), { concurrency: READ_BACK_CONCURRENCY, stopOnError: true });
		for (const [i, outcome] of outcomes.entries()) {
			if (outcome && !outcome.ok) throw outcome.error;
			found.set(refs[i], outcome?.ok ? outcome.value : undefined);
		}
		return found;
	}

	/** After a change was sent about `user`: later look-ups of it ask the server. */
	private sentChange(user: VeeamUser): void {
		this.changed.add(user.ref.toLowerCase());
		this.changed.add(user.name.toLowerCase());
	}

	async getUser(ref: string): Promise<VeeamUser | undefined> {
		if (this.snapshot && !this.changed.has(ref.toLowerCase())) return this.snapshot.get(ref);
		return await this.fetchUser(ref);
	}

	private async fetchUser(ref: string): Promise<VeeamUser | undefined> {
		const call = `GET ${USERS}/${ref}`;
		const found = await unlessNotFound(this.call<VbrUserModel>({ method: 'GET', path: this.userPath(ref) }), ref);
		return found && sameUserOrFail(this.ctx, this.fromModel(found), `ID ${ref}`, (u) => sameId(u.ref, ref), call);
	}

	async findUserByName(name: string): Promise<VeeamUser | undefined> {
		if (this.snapshot && !this.changed.has(name.toLowerCase())) return this.snapshot.named(name);
		return await this.lookUpName(name);
	}

	/** On the server, whatever the snapshot says. */
	private async lookUpName(name: string): Promise<VeeamUser | undefined> {
		// nameFilter is a pattern on the server; compare exactly (case-insensitively, as Windows names are) here.
		const candidates = await this.listUsers({ namePattern: name });
		return candidates.find((u) => u.name.toLowerCase() === name.toLowerCase());
	}

	async createUser(user: NewUser): Promise<VeeamUser> {
		const body: IDataObject = {
			name: user.name,
			type: user.type ?? VBR_USER_TYPES[0],
			roles: user.roles.map(roleModel),
			isServiceAccount: user.isServiceAccount ?? false,
		};
		const sameName = (u: VeeamUser) => u.name.toLowerCase() === user.name.toLowerCase();
		const created = await createLookingFirst(
			async () => {
				const answer = await this.call<VbrUserModel>({ method: 'POST', path: USERS, body, idempotent: false });
				return sameUserOrFail(this.ctx, this.fromModel(answer), `"${user.name}"`, sameName, `POST ${USERS}`);
			},
			async () => await this.lookUpName(user.name),
		).catch((error: unknown) => {
			if (error instanceof UserExistsError) this.snapshot?.put(error.existing);
			throw error;
		});
		this.sentChange(created);
		return created;
	}

	async setRoles(user: VeeamUser, roles: VeeamRole[]): Promise<VeeamUser> {
		const res = await this.call<{ roles?: VeeamRole[] }>({
			method: 'PUT',
			path: this.userPath(user.ref, 'roles'),
			body: { roles: roles.map(roleModel) },
		});
		const updated = { ...user, roles: uniqueRoles(res.roles ?? roles) };
		this.sentChange(updated);
		return updated;
	}

	async deleteUser(user: VeeamUser): Promise<'deleted' | 'absent'> {
		const path = this.userPath(user.ref);
		const outcome = await deleteLookingFirst(
			async () => await this.call({ method: 'DELETE', path, idempotent: false }),
			async () => (await this.fetchUser(user.ref)) !== undefined,
			user.ref,
		);
		this.sentChange(user);
		return outcome;
	}

	async listRoles(): Promise<VeeamRole[]> {
		this.roles ??= readAllPages(
			async (skip, limit) => {
				const res = await this.call<VbrList<VeeamRole>>({ method: 'GET', path: ROLES, qs: { skip, limit } });
				this.learnRoles(res.data);
				return { items: (res.data ?? []).map(plainRole), total: res.pagination?.total };
			},
			(r) => r.id.toLowerCase(),
			{ node: this.ctx.getNode(), what: 'roles' },
		).then((roles) => [...roles.values()]);
		// A failed lookup is not cached: the next call asks again.
		this.roles.catch(() => {
			this.roles = undefined;
		});
		return await this.roles;
	}

	private customRoleClient?: VbrCustomRoles;

	/** VBR 13.1 (REST 1.3-rev2) custom roles, over this adapter's requests (one client per adapter). */
	customRoles(): VbrCustomRoles {
		this.customRoleClient ??= new VbrCustomRoles({
			ctx: this.ctx,
			call: async (req) => await this.call(req),
			group: this.group,
			listUsers: async (filter) => await this.listUsers(filter),
		});
		return this.customRoleClient;
	}

	/** `/roles/{id}[/action]`, for a UUID only. */
	private rolePath(id: string, action = ''): string {
		if (!VBR_ID.test(id)) throw new NodeOperationError(this.ctx.getNode(), `"${id}" is not a Veeam Backup & Replication role ID (a UUID)`);
		return `${ROLES}/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;
	}

	async getRole(id: string): Promise<VeeamRole | undefined> {
		const r = await unlessNotFound(this.call<VeeamRole>({ method: 'GET', path: this.rolePath(id) }), id);
		if (r && !sameId(String(r.id), id)) throw unexpectedRole(this.ctx, id, r);
		return r && plainRole(r);
	}

	async getRolePermissions(id: string): Promise<string[]> {
		const res = await this.call<{ permissions?: string[] }>({ method: 'GET', path: this.rolePath(id, 'permissions') });
		return res.permissions ?? [];
	}

	/**
	 * MFA and service-account mode are a user's: "User groups are not supported. You can enable MFA
	 * only for user accounts." (VBR user guide, Multi-Factor Authentication); 1.3-rev2's
	 * changeServiceAccountMode addresses a "User ID." (1.3-rev1: "User or group ID."). Refused before
	 * any request: what a server does with a group is not documented.
	 */
	private refuseGroup(user: VeeamUser, what: string): void {
		if (!user.isGroup) return;
		throw new NodeOperationError(this.ctx.getNode(), `Cannot ${what} ${user.name}: it is a group (${user.type}), and this applies to user accounts only`, {
			description: 'Veeam Backup & Replication: "User groups are not supported. You can enable MFA only for user accounts." Choose a member\'s own user account instead.',
		});
	}

	async resetMfa(user: VeeamUser): Promise<void> {
		this.refuseGroup(user, 'reset multi-factor authentication of');
		await this.call({ method: 'POST', path: this.userPath(user.ref, 'resetMFA'), idempotent: true });
	}

	async setServiceAccountMode(user: VeeamUser, enabled: boolean): Promise<VeeamUser> {
		this.refuseGroup(user, `turn service-account mode ${enabled ? 'on' : 'off'} for`);
		const path = this.userPath(user.ref, 'changeServiceAccountMode');
		const res = await this.call<VbrUserModel>({ method: 'POST', path, body: { isServiceAccountEnable: enabled }, idempotent: true });
		const updated = sameUserOrFail(this.ctx, this.fromModel(res), `ID ${user.ref}`, (u) => sameId(u.ref, user.ref), `POST ${path}`);
		this.sentChange(updated);
		return updated;
	}
}

function unexpectedRole(ctx: VeeamContext, id: string, r: VeeamRole) {
	return unexpectedAnswer(ctx, `GET ${ROLES}/${id} with another role (${String(r.name)})`);
}
