/**
 * The user changes of the VBR simulator's security API (`POST /users`, `DELETE /users/{id}`,
 * `PUT /users/{id}/roles`, `changeServiceAccountMode`, `resetMFA`), each through four-eyes and the
 * authorization events (product.ts `change`). Split from product.ts, which keeps the users.
 */
import { randomUUID } from 'node:crypto';

import type { SimContext } from '../core/context';
import { badRequest, jsonBody, type SimRequest, type SimResponse } from '../core/http';
import type { ChangeNote, VbrAuthorization } from './authorization';
import { ok, VBR_USER_TYPES, ver, type VbrUser, type VbrUserType } from './model';
import { BACKUP_ADMINISTRATOR } from './roles';
import type { VbrRoleStore } from './roleStore';

export interface UserChangeDeps {
	ctx: SimContext;
	roleStore: VbrRoleStore;
	authorization: VbrAuthorization;
	users(): Iterable<VbrUser>;
	has(id: string): boolean;
	hasName(name: string): boolean;
	userById(req: SimRequest): VbrUser;
	insert(user: VbrUser): void;
	remove(user: VbrUser): void;
	change(req: SimRequest, note: ChangeNote, apply: () => void): void;
	userModel(user: VbrUser, version: string): Record<string, unknown>;
}

export class VbrUserChanges {
	constructor(private readonly deps: UserChangeDeps) {}

	createUser(req: SimRequest): SimResponse {
		const body = jsonBody(req);
		const name = typeof body.name === 'string' ? body.name.trim() : '';
		if (!name) throw badRequest('The name property is required.');
		if (!VBR_USER_TYPES.includes(body.type as VbrUserType)) {
			throw badRequest(`The type property must be one of ${VBR_USER_TYPES.join(', ')}.`);
		}
		const type = body.type as VbrUserType;
		if (typeof body.isServiceAccount !== 'boolean') throw badRequest('The isServiceAccount property is required.');
		const roleIds = this.deps.roleStore.parseRefs(body.roles);
		if (this.deps.hasName(name)) {
			throw badRequest(`The user or group ${name} has already been added.`);
		}
		const user: VbrUser = { id: randomUUID(), name, type, roleIds, isServiceAccount: body.isServiceAccount };
		const kind = type.endsWith('Group') ? 'Group' : 'User';
		this.deps.change(req, { name: `Add ${kind.toLowerCase()}`, description: `${kind} ${name}: added with the roles ${this.roleNames(user).join(', ')}.` }, () => {
			if (this.deps.hasName(name)) throw badRequest(`The user or group ${name} has already been added.`);
			this.deps.insert(user);
			this.deps.ctx.log.record('user.create', user.name, { id: user.id, roles: this.roleNames(user), type });
		});
		return { status: 201, body: this.deps.userModel(user, ver(req)) };
	}

	deleteUser(req: SimRequest): SimResponse {
		const user = this.deps.userById(req);
		this.deps.authorization.refuseDelete();
		const kind = user.type.endsWith('Group') ? 'Group' : 'User';
		this.deps.change(req, { name: `Delete ${kind.toLowerCase()}`, description: `${kind} ${user.name}: deleted.` }, () => {
			if (!this.deps.has(user.id)) return;
			this.refuseLastAdministrator(user, []);
			this.deps.remove(user);
			// A deleted account's sessions end with it.
			this.deps.ctx.tokens.revokeSubject(user.name.toLowerCase());
			this.deps.ctx.log.record('user.delete', user.name, { id: user.id });
		});
		return { status: 204 };
	}

	setUserRoles(req: SimRequest): SimResponse {
		const user = this.deps.userById(req);
		const roleIds = this.deps.roleStore.parseRefs(jsonBody(req).roles);
		const before = this.roleNames(user);
		const after = roleIds.map((id) => this.deps.roleStore.nameOf(id));
		this.deps.change(req, { name: 'Change user roles', description: `User ${user.name}: roles changed from ${before.join(', ')} to ${after.join(', ')}.` }, () => {
			this.refuseLastAdministrator(user, roleIds);
			user.roleIds = roleIds;
			this.deps.ctx.log.record('user.roles', user.name, { id: user.id, from: before, to: this.roleNames(user) });
		});
		return ok({ roles: roleIds.map((id) => this.deps.roleStore.assigned(id, ver(req))) });
	}

	changeServiceAccountMode(req: SimRequest): SimResponse {
		const user = this.deps.userById(req);
		const body = jsonBody(req);
		if (typeof body.isServiceAccountEnable !== 'boolean') {
			throw badRequest('The isServiceAccountEnable property must be a boolean.');
		}
		const enabled = body.isServiceAccountEnable;
		this.deps.change(req, { name: 'Change user settings', description: `User ${user.name}: service account mode ${enabled ? 'enabled' : 'disabled'}.` }, () => {
			user.isServiceAccount = enabled;
			this.deps.ctx.log.record('user.serviceAccount', user.name, { id: user.id, isServiceAccount: user.isServiceAccount });
		});
		return ok(this.deps.userModel({ ...user, isServiceAccount: enabled }, ver(req)));
	}

	resetMfa(req: SimRequest): SimResponse {
		const user = this.deps.userById(req);
		this.deps.change(req, { name: 'Reset user MFA', description: `User ${user.name}: multi-factor authentication reset.` }, () => {
			this.deps.ctx.log.record('user.resetMfa', user.name, { id: user.id });
		});
		return { status: 204 };
	}

	/**
	 * VBR refuses to change the role of the last administrator (PowerShell reference, Set-/Remove-
	 * VBRUserRoleAssignment). Its REST answer is not documented: we answer 400.
	 */
	private refuseLastAdministrator(user: VbrUser, rolesAfter: string[]): void {
		const admin = this.deps.roleStore.byName(BACKUP_ADMINISTRATOR).id;
		if (!user.roleIds.includes(admin) || rolesAfter.includes(admin)) return;
		const others = [...this.deps.users()].some((u) => u.id !== user.id && u.roleIds.includes(admin));
		if (!others) throw badRequest(`${user.name} is the last user or group with the ${BACKUP_ADMINISTRATOR} role.`);
	}


	private roleNames(user: VbrUser): string[] {
		return user.roleIds.map((id) => this.deps.roleStore.nameOf(id));
	}
}
