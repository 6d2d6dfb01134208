import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { isNotFound, UnclearOutcomeError, veeamApiRequest, type VeeamContext, type VeeamRequest } from '../transport';
import { readAllPages, type Page } from './paging';
import type { NewUser, UserDirectory, UserFilter, UserListOptions, UserSortProperty, VeeamRole, VeeamUser } from './types';

/** Veeam Backup & Replication 13: `/api/v1/security/*` (API 1.3-rev1 and later). */
const USERS = '/api/v1/security/users';
const ROLES = '/api/v1/security/roles';

export const VBR_USER_TYPES = ['ExternalUser', 'ExternalGroup', 'InternalUser', 'InternalGroup'] as const;
/** Characters a Windows account or group name cannot hold (and `*`/`?` are VBR's name-filter wildcards). */
const FORBIDDEN_IN_NAME = /[/:*?"<>|]/;
export const VBR_ID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';
const VBR_ID = new RegExp(VBR_ID_PATTERN);
/** `orderColumn` values for the common sort properties (VBR cannot sort by description). */
const ORDER_COLUMNS: Partial<Record<UserSortProperty, string>> = { name: 'Name', type: 'Type' };

/**
 * VBR's rules for the name of a new user, by type, as a clause such as `the name is empty`
 * (the server checks them too, but only after a request); undefined when the name is fine.
 */
export function vbrNameProblem(name: string, type = 'ExternalUser'): string | undefined {
	if (!(VBR_USER_TYPES as readonly string[]).includes(type)) {
		return `unknown user type "${type}" (expected one of ${VBR_USER_TYPES.join(', ')})`;
	}
	if (name.trim() === '') return 'the name is empty';
	if (name !== name.trim()) return `"${name}" starts or ends with a space`;
	if (FORBIDDEN_IN_NAME.test(name)) return `"${name}" contains a character account names cannot hold (/ : * ? " < > |)`;
	const parts = name.split('\\');
	const external = type === 'ExternalUser' || type === 'ExternalGroup';
	if (external && (parts.length !== 2 || parts.some((p) => p.trim() === ''))) {
		const kind = type === 'ExternalGroup' ? 'group' : 'user';
		return `"${name}" is not an Active Directory ${kind} name: write it as DOMAIN\\name, e.g. ${
			kind === 'group' ? 'TECH\\Backup Operators' : 'TECH\\jane.doe'
		}`;
	}
	if (!external && (parts.length > 2 || parts.some((p) => p.trim() === ''))) {
		return `"${name}" is not a local account or group name: write it as name or SERVER\\name`;
	}
	return undefined;
}

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
		roles: (u.roles ?? []).map((r) => ({ id: r.id, name: r.name, ...(r.description ? { description: r.description } : {}) })),
		isServiceAccount: u.isServiceAccount ?? false,
		...(typeof u.mfaEnabled === 'boolean' ? { mfaEnabled: u.mfaEnabled } : {}),
		isDirectoryAccount: u.type === 'ExternalUser' || u.type === 'ExternalGroup',
		isGroup: u.type === 'InternalGroup' || u.type === 'ExternalGroup',
	};
}

/**
 * The call's result, or undefined when Veeam answers 404. Any other failure passes through as the
 * transport raised it (a NodeApiError with Veeam's errorCode and message).
 */
async function unlessNotFound<T>(call: Promise<T>): Promise<T | undefined> {
	return await call.then(
		(value): T | undefined => value,
		(error: unknown) => {
			if (isNotFound(error)) return undefined;
			throw error;
		},
	);
}

function roleModel(r: VeeamRole): IDataObject {
	return { id: r.id, name: r.name, ...(r.description ? { description: r.description } : {}) };
}

export class VbrDirectory implements UserDirectory {
	readonly product = 'vbr' as const;
	readonly refKind = 'id' as const;
	readonly userTypes = VBR_USER_TYPES;
	readonly sortProperties: readonly UserSortProperty[] = ['name', 'type'];
	readonly adminRoleNames = ['Backup Administrator', 'Security Administrator'] as const;

	/** `BUILTIN\Administrators` and its kind: the server's local groups VBR grants access by default. */
	builtInAccount(user: VeeamUser): string | undefined {
		return /^builtin\\/i.test(user.name) ? `${user.name} is a built-in group of the backup server` : undefined;
	}
	private roles?: Promise<VeeamRole[]>;

	constructor(private readonly ctx: VeeamContext) {}

	nameProblem(name: string, type?: string): string | undefined {
		return vbrNameProblem(name, type);
	}

	refProblem(ref: string): string | undefined {
		return VBR_ID.test(ref) ? undefined : `"${ref}" is not a Veeam Backup & Replication ID (a UUID such as 5ff0e0eb-45cf-48cc-9677-7613fc79bc11)`;
	}

	private async call<T>(req: VeeamRequest): Promise<T> {
		return await veeamApiRequest.call<VeeamContext, ['vbr', VeeamRequest], Promise<T>>(this.ctx, 'vbr', req);
	}

	private filterQuery(filter: UserFilter = {}): IDataObject {
		if (filter.mfaEnabled !== undefined) {
			throw new NodeOperationError(this.ctx.getNode(), 'Veeam Backup & Replication cannot filter users by MFA state');
		}
		const qs: IDataObject = {};
		if (filter.namePattern) qs.nameFilter = filter.namePattern;
		if (filter.types?.length) qs.typeFilter = filter.types.join(',');
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
			qs: { ...this.filterQuery(filter), skip, limit, orderColumn, orderAsc: !sort?.descending },
		});
		const items = (res.data ?? []).map(fromVbrUser);
		return { items, total: res.pagination?.total ?? items.length };
	}

	async listUsers(filter: UserFilter = {}, limit?: number, options: UserListOptions = {}): Promise<VeeamUser[]> {
		return await readAllPages((skip, size) => this.page(filter, skip, size, options.sort), (u) => u.ref, limit, options.offset);
	}

	async listUsersPage(filter: UserFilter, skip: number, limit: number) {
		const page = await this.page(filter, skip, limit);
		return { users: page.items, total: page.total };
	}

	async getUser(ref: string): Promise<VeeamUser | undefined> {
		const found = await unlessNotFound(this.call<VbrUserModel>({ method: 'GET', path: `${USERS}/${encodeURIComponent(ref)}` }));
		return found && fromVbrUser(found);
	}

	async findUserByName(name: string): Promise<VeeamUser | undefined> {
		// nameFilter is a pattern on the server; compare exactly (case-insensitively, as Windows names are) here.
		const candidates = await this.listUsers({ namePattern: name });
		return candidates.find((u) => u.name.toLowerCase() === name.toLowerCase());
	}

	async createUser(user: NewUser): Promise<VeeamUser> {
		const body: IDataObject = {
			name: user.name,
			type: user.type ?? 'ExternalUser',
			roles: user.roles.map(roleModel),
			isServiceAccount: user.isServiceAccount ?? false,
		};
		for (let attempt = 0; ; attempt++) {
			const outcome = await this.call<VbrUserModel>({ method: 'POST', path: USERS, body, idempotent: false }).then(
				(created) => ({ created }),
				(error: unknown) => ({ error }),
			);
			if ('created' in outcome) return fromVbrUser(outcome.created);
			if (!(outcome.error instanceof UnclearOutcomeError)) throw outcome.error;
			// The create may have happened: look before sending it again, and send it again once only.
			const existing = await this.findUserByName(user.name);
			if (existing) return existing;
			if (attempt >= 1) throw outcome.error.apiError;
		}
	}

	async setRoles(user: VeeamUser, roles: VeeamRole[]): Promise<VeeamUser> {
		const res = await this.call<{ roles?: VeeamRole[] }>({
			method: 'PUT',
			path: `${USERS}/${encodeURIComponent(user.ref)}/roles`,
			body: { roles: roles.map(roleModel) },
		});
		return { ...user, roles: (res.roles ?? roles).map((r) => ({ id: r.id, name: r.name, ...(r.description ? { description: r.description } : {}) })) };
	}

	async deleteUser(user: VeeamUser): Promise<'deleted' | 'absent'> {
		const done = await unlessNotFound(
			this.call({ method: 'DELETE', path: `${USERS}/${encodeURIComponent(user.ref)}` }).then(() => true),
		);
		return done ? 'deleted' : 'absent';
	}

	async listRoles(): Promise<VeeamRole[]> {
		this.roles ??= readAllPages(
			async (skip, limit) => {
				const res = await this.call<VbrList<VeeamRole>>({ method: 'GET', path: ROLES, qs: { skip, limit } });
				const items = (res.data ?? []).map((r) => ({ id: r.id, name: r.name, ...(r.description ? { description: r.description } : {}) }));
				return { items, total: res.pagination?.total ?? items.length };
			},
			(r) => r.id,
		);
		// A failed lookup is not cached: the next call asks again.
		this.roles.catch(() => {
			this.roles = undefined;
		});
		return await this.roles;
	}

	async getRole(id: string): Promise<VeeamRole | undefined> {
		const r = await unlessNotFound(this.call<VeeamRole>({ method: 'GET', path: `${ROLES}/${encodeURIComponent(id)}` }));
		return r && { id: r.id, name: r.name, ...(r.description ? { description: r.description } : {}) };
	}

	async getRolePermissions(id: string): Promise<string[]> {
		const res = await this.call<{ permissions?: string[] }>({ method: 'GET', path: `${ROLES}/${encodeURIComponent(id)}/permissions` });
		return res.permissions ?? [];
	}

	async resetMfa(user: VeeamUser): Promise<void> {
		await this.call({ method: 'POST', path: `${USERS}/${encodeURIComponent(user.ref)}/resetMFA`, idempotent: true });
	}

	async setServiceAccountMode(user: VeeamUser, enabled: boolean): Promise<VeeamUser> {
		const res = await this.call<VbrUserModel>({
			method: 'POST',
			path: `${USERS}/${encodeURIComponent(user.ref)}/changeServiceAccountMode`,
			body: { isServiceAccountEnable: enabled },
			idempotent: true,
		});
		return fromVbrUser(res);
	}
}
