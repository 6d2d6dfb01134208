/**
 * Veeam Backup for Microsoft 365 (REST v8, version in the path, port 4443): the common user model
 * over restore operators, so that shared plumbing (credential test, list search, the Veeam node's
 * product-neutral code) works. What the package manages on VB365 is restore-operator roles
 * (client/vb365Model.ts, reached with `vb365()`); VB365's own administrators have no REST call.
 *
 * Here a "user" is a Microsoft 365 user or group that some role names as operator, addressed by its
 * organization object ID (`refKind` 'id'); its roles are the roles naming it (of any organization).
 * createUser / setRoles / deleteUser grant and revoke: they add the principal as operator of roles
 * and remove it from them. What does not apply: passwords, MFA, descriptions, service accounts
 * (none exist for operators); built-in accounts (none); the last-administrator guard (a restore
 * operator role administers nothing: `lastAdministratorRole` names no role); prefetching.
 */
import { NodeOperationError } from 'n8n-workflow';

import { Serial } from '../pool';
import type { VeeamContext } from '../transport';
import type { NewUser, UserDirectory, UserFilter, UserListOptions, UserSortProperty, VeeamRole, VeeamUser } from '../model';
import type { Vb365Access, Vb365Principal, Vb365PrincipalKind, Vb365Role } from '../vb365Model';
import { Vb365AccessClient } from './vb365Access';
import { PRODUCT_NAME, Vb365Client } from './vb365Client';
import { isSamePrincipal, listableId, lookupTextProblem } from './vb365Match';
import { sameId } from './vb365Read';
import { userComparator, userFilterTest } from './userFilter';

const KIND_OF_TYPE: Readonly<Record<string, Vb365PrincipalKind>> = { user: 'user', group: 'group' };

/** The principal as a user of the common model, with the roles naming it. */
function operatorUser(p: Vb365Principal, roles: Vb365Role[]): VeeamUser {
	return {
		ref: p.id,
		id: p.id,
		name: p.name || p.displayName,
		type: p.kind === 'group' ? 'Group' : 'User',
		roles: roles.map((r) => ({ id: r.id, name: r.name, ...(r.description ? { description: r.description } : {}) })),
		isDirectoryAccount: true,
		isGroup: p.kind === 'group',
	};
}

interface Holder {
	principal: Vb365Principal;
	roles: Vb365Role[];
}

export class Vb365Directory implements UserDirectory {
	readonly product = 'vb365' as const;
	readonly refKind = 'id' as const;
	readonly userTypes: readonly string[] = ['User', 'Group'];
	readonly sortProperties: readonly UserSortProperty[] = ['name', 'type'];
	readonly namePatternKind = 'containsUnlessWildcard' as const;
	/** The whole list is read and ordered here (roles and operators are plain arrays). */
	readonly listSorts = false;
	readonly adminRoleNames: readonly string[] = [];
	/** No restore operator role administers VB365: the guard has no role to protect. */
	readonly lastAdministratorRole = '';
	readonly administratorChanges = new Serial();

	private readonly client: Vb365Client;
	private access?: Vb365AccessClient;
	/** Every role with its operators, for the list calls of this execution; dropped after each change made here. */
	private picture?: Promise<Holder[]>;

	constructor(ctx: VeeamContext) {
		this.client = new Vb365Client(ctx);
	}

	get apiVersionFoundNow(): string | undefined {
		return this.client.group.apiVersion.found;
	}

	vb365(): Vb365Access {
		this.access ??= new Vb365AccessClient(this.client);
		return this.access;
	}

	private get node() {
		return this.client.node;
	}

	/** Every principal some role names, with those roles (rolesWithOperators of every organization). */
	private async holders(): Promise<Holder[]> {
		this.picture ??= this.vb365()
			.rolesWithOperators()
			.then((roles) => {
				const byKey = new Map<string, Holder>();
				for (const role of roles) {
					for (const o of role.operators ?? []) {
						const key = `${o.kind}:${o.id.toLowerCase()}`;
						const holder = byKey.get(key) ?? { principal: { id: o.id, kind: o.kind, name: o.name, displayName: o.displayName, ...(o.subtype ? { subtype: o.subtype } : {}), ...(o.onPremisesSid ? { onPremisesSid: o.onPremisesSid } : {}) }, roles: [] };
						if (!holder.roles.some((r) => sameId(r.id, role.id))) holder.roles.push({ id: role.id, organizationId: role.organizationId, name: role.name, description: role.description, ...(role.roleType ? { roleType: role.roleType } : {}) });
						byKey.set(key, holder);
					}
				}
				return [...byKey.values()];
			})
			.catch((error: unknown) => {
				this.picture = undefined;
				throw error;
			});
		return await this.picture;
	}

	private async users(): Promise<VeeamUser[]> {
		return (await this.holders()).map((h) => operatorUser(h.principal, h.roles));
	}

	builtInAccount(): string | undefined {
		return undefined;
	}

	nameProblem(name: string): string | undefined {
		const problem = lookupTextProblem(name);
		return problem ? `the name ${problem}` : undefined;
	}

	lookupNameProblem(name: string): string | undefined {
		return this.nameProblem(name);
	}

	refProblem(ref: string): string | undefined {
		const problem = lookupTextProblem(ref);
		if (problem) return `the ID ${problem}`;
		return listableId(ref) ? undefined : 'a Microsoft 365 object ID has no comma';
	}

	roleIdProblem(id: string): string | undefined {
		return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id) ? undefined : 'a restore operator role ID is a UUID';
	}

	async usersWithRole(roleName: string): Promise<VeeamUser[]> {
		return (await this.users()).filter((u) => u.roles.some((r) => r.name.toLowerCase() === roleName.toLowerCase()));
	}

	private async matching(filter?: UserFilter, sort?: UserListOptions['sort']): Promise<VeeamUser[]> {
		const test = userFilterTest(filter, this.namePatternKind);
		const users = await this.users();
		return (test ? users.filter(test) : users).sort(userComparator(sort));
	}

	async listUsers(filter?: UserFilter, limit?: number, options: UserListOptions = {}): Promise<VeeamUser[]> {
		const start = options.offset ?? 0;
		return (await this.matching(filter, options.sort)).slice(start, limit === undefined ? undefined : start + limit);
	}

	async listUsersPage(filter: UserFilter, skip: number, limit: number): Promise<{ users: VeeamUser[]; total: number; next?: number }> {
		const all = await this.matching(filter);
		const users = all.slice(skip, skip + limit);
		return { users, total: all.length, next: skip + users.length };
	}

	async getUser(ref: string): Promise<VeeamUser | undefined> {
		if (this.refProblem(ref)) return undefined;
		return (await this.users()).find((u) => sameId(u.ref, ref));
	}

	/** The operator with this e-mail / UPN or group name; several (one person in two organizations) are refused. */
	async findUserByName(name: string): Promise<VeeamUser | undefined> {
		const found = (await this.users()).filter((u) => u.name.toLowerCase() === name.toLowerCase());
		if (found.length > 1) {
			throw new NodeOperationError(this.node, `"${name}" names ${found.length} restore operators of ${PRODUCT_NAME}`, {
				description: `IDs: ${found.map((u) => u.ref).join(', ')}. Give the ID of the one meant.`,
			});
		}
		return found[0];
	}

	async prefetchUsers(): Promise<boolean> {
		return false;
	}

	prefetchedRef(): string | undefined {
		return undefined;
	}

	/** The roles asked for, read now (their organizations); unknown ones refused with nothing sent. */
	private async rolesNamed(roles: VeeamRole[]): Promise<Vb365Role[]> {
		const all = await this.vb365().roles();
		return roles.map((asked) => {
			const role = all.find((r) => sameId(r.id, asked.id));
			if (!role) throw new NodeOperationError(this.node, `${PRODUCT_NAME} has no restore operator role with the ID ${asked.id}`, { description: 'Nothing was sent.' });
			return role;
		});
	}

	/** Grants: the user or group named `user.name` (looked up in each role's organization) becomes operator of the roles. */
	async createUser(user: NewUser): Promise<VeeamUser> {
		const kind = user.type === undefined ? undefined : KIND_OF_TYPE[user.type.toLowerCase()];
		if (user.type !== undefined && !kind) throw new NodeOperationError(this.node, `Type "${user.type}" is neither User nor Group`, { description: 'Nothing was sent.' });
		if (!user.roles.length) throw new NodeOperationError(this.node, `A restore operator needs at least one role to be granted`, { description: 'Nothing was sent.' });
		const roles = await this.rolesNamed(user.roles);
		let principal: Vb365Principal | undefined;
		for (const role of roles) {
			const found = await this.vb365().findPrincipal(role.organizationId, user.name, kind, 'Name');
			if (!found) throw new NodeOperationError(this.node, `The organization of the role "${role.name}" has no ${kind ?? 'user or group'} "${user.name}"`, { description: 'Nothing more was sent.' });
			await this.vb365().addOperators(role.id, [found]);
			principal ??= found;
		}
		this.picture = undefined;
		return (await this.getUser(principal!.id)) ?? operatorUser(principal!, []);
	}

	/** The roles naming the user become exactly `roles`: it is added to the missing ones, removed from the others. */
	async setRoles(user: VeeamUser, roles: VeeamRole[]): Promise<VeeamUser> {
		this.picture = undefined;
		const holder = (await this.holders()).find((h) => sameId(h.principal.id, user.ref) && h.principal.kind === (user.isGroup ? 'group' : 'user'));
		const wanted = await this.rolesNamed(roles);
		const organizations = new Set((holder?.roles ?? []).map((r) => r.organizationId));
		const principal = holder?.principal;
		for (const role of wanted) {
			if (holder?.roles.some((r) => sameId(r.id, role.id))) continue;
			if (!principal || (organizations.size && !organizations.has(role.organizationId))) {
				throw new NodeOperationError(this.node, `Cannot grant ${user.name} the role "${role.name}" by ID: the ID is one of another organization, or no role names it yet`, {
					description: 'A Microsoft 365 object ID belongs to one organization. Use Restore Operator → Grant with the organization and the e-mail instead.',
				});
			}
			await this.vb365().addOperators(role.id, [principal]);
		}
		for (const role of holder?.roles ?? []) {
			if (wanted.some((w) => sameId(w.id, role.id))) continue;
			const operators = await this.vb365().operators(role.id);
			const ids = operators.filter((o) => principal && isSamePrincipal(o, principal)).map((o) => o.operatorId);
			if (ids.length) await this.vb365().removeOperators(role.id, ids, operators);
		}
		this.picture = undefined;
		return (await this.getUser(user.ref)) ?? { ...user, roles: [] };
	}

	/** Revokes: no role names the user or group any more (`absent` when none did). */
	async deleteUser(user: VeeamUser): Promise<'deleted' | 'absent'> {
		this.picture = undefined;
		const kind: Vb365PrincipalKind = user.isGroup ? 'group' : 'user';
		const roles = await this.vb365().rolesWithOperators();
		let removed = 0;
		for (const role of roles) {
			const ids = (role.operators ?? []).filter((o) => o.kind === kind && sameId(o.id, user.ref)).map((o) => o.operatorId);
			if (!ids.length) continue;
			await this.vb365().removeOperators(role.id, ids, role.operators);
			removed++;
		}
		return removed ? 'deleted' : 'absent';
	}

	/** Every restore operator role of every organization. */
	async listRoles(): Promise<VeeamRole[]> {
		return (await this.vb365().roles()).map((r) => ({ id: r.id, name: r.name, ...(r.description ? { description: r.description } : {}) }));
	}
}
