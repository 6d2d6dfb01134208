/**
 * The routes of VBR 13.1's access control (REST 1.3-rev2): custom roles (customRoles.ts) and the ACL
 * of backups and jobs (acl.ts), with who may call each ("Available to", sim/contracts/vbr-access-control.md).
 * On 1.3-rev1 none of them exists: a bare 404, as for any path no route serves (**assumed**: what a
 * 13.1 server answers an older revision here is not documented).
 */
import { type Router, type SimRequest, type SimResponse } from '../core/http';
import { ACL_EXAMPLE_OWNER, type AclOptions, sidOf, VbrAcl } from './acl';
import { type CustomRoleOptions, roleInUse, VbrCustomRoles } from './customRoles';
import { ver, type VbrUser } from './model';
import type { VbrRoleStore } from './roleStore';
import { BACKUP_ADMINISTRATOR, SECURITY_ADMINISTRATOR } from './roles';

/** In a list of readers: custom roles "that have backup or restore permissions". */
export const CUSTOM_WITH_PERMISSIONS = '*custom roles with backup or restore permissions*';

/** `POST /acl`, `GET /acl/{type}/{id}`: "Backup Administrator, Backup Operator, Restore Operator, Backup Viewer, Security Administrator. Also available to custom roles …" */
export const ACL_READERS = [BACKUP_ADMINISTRATOR, 'Backup Operator', 'Restore Operator', 'Backup Viewer', SECURITY_ADMINISTRATOR, CUSTOM_WITH_PERMISSIONS];

export interface AccessRouteDeps {
	roles: VbrCustomRoles;
	acl: VbrAcl;
	/** product.ts's check: bearer token and the caller's roles (Backup Administrator unless `readers`). */
	authorized(req: SimRequest, handler: () => SimResponse, readers?: string[]): SimResponse;
	/** Four-eyes: a delete refused (403) while it is on and deletes are refused (authorization.ts). */
	refuseDelete(): void;
}

export function accessRoutes(r: Router, deps: AccessRouteDeps): void {
	const rev2 =
		(handler: (req: SimRequest) => SimResponse, readers?: string[]) =>
		(req: SimRequest): SimResponse =>
			ver(req) === '1.3-rev1' ? { status: 404 } : deps.authorized(req, () => handler(req), readers);

	const roles = '/api/v1/security/roles';
	r.add('POST', roles, rev2((req) => deps.roles.create(req)));
	r.add('PUT', `${roles}/:id`, rev2((req) => deps.roles.update(req)));
	r.add(
		'DELETE',
		`${roles}/:id`,
		rev2((req) => {
			// Decision 4: a role DELETE under four-eyes is refused as a user DELETE is; with `deletes: 'hold'`
			// it is done (or held with `roleChanges: 'asUserChanges'`).
			deps.refuseDelete();
			return deps.roles.remove(req);
		}),
	);
	r.add('GET', `${roles}/:id/details`, rev2((req) => deps.roles.getDetails(req)));
	r.add('POST', `${roles}/:id/clone`, rev2((req) => deps.roles.clone(req)));
	r.add('GET', '/api/v1/security/restoreOptions', rev2((req) => deps.roles.restoreOptions(req)));

	const acl = '/api/v1/acl';
	r.add('POST', acl, rev2((req) => deps.acl.list(req), ACL_READERS));
	r.add('GET', `${acl}/:objectType/:objectId`, rev2((req) => deps.acl.get(req), ACL_READERS));
	r.add('POST', `${acl}/:objectType/:objectId/changeOwner`, rev2((req) => deps.acl.changeOwner(req)));
	r.add('POST', `${acl}/:objectType/:objectId/changeEffectiveAccess`, rev2((req) => deps.acl.changeEffectiveAccess(req)));
	// Names of what the ACL lists (GetAllBackups, GetAllJobs: the same readers as the ACL). On 1.3-rev1 a bare
	// 404 as every route here: a simulator limit (these endpoints predate 1.3 on real servers; the package
	// reads them only with the ACL, on 1.3-rev2).
	r.add('GET', '/api/v1/backups', rev2((req) => deps.acl.backups(req), ACL_READERS));
	r.add('GET', '/api/v1/jobs', rev2((req) => deps.acl.jobs(req), ACL_READERS));
}

export interface AccessControlDeps {
	roleStore: VbrRoleStore;
	/** The server's users and groups (product.ts). */
	users(): Iterable<VbrUser>;
	/** The roles a request's account holds, its own and its groups'. */
	callerRoleIds(req: SimRequest): string[];
	/** The account a request comes from, as VBR lists it. */
	accountName(req: SimRequest): string;
	maxPageSize: number;
	options?: CustomRoleOptions & AclOptions;
	/** product.ts's `change`: four-eyes and the authorization events. */
	change(req: SimRequest, note: { name: string; description: string }, apply: () => void): void;
}

/** The custom roles and the ACL of one VBR simulator, over its users and roles. */
export function accessControl(deps: AccessControlDeps): { roles: VbrCustomRoles; acl: VbrAcl } {
	const { roleStore } = deps;
	const holdersOf = (roleId: string) => [...deps.users()].filter((u) => u.roleIds.includes(roleId));
	const acl = new VbrAcl(
		{
			role: (id) => (roleStore.has(id) ? roleStore.ref(id, '1.3-rev2') : undefined),
			// An owner given by name or SID: one of the listed users, or the examples' `TECH\Administrator`.
			account: (nameOrSid) => {
				const key = nameOrSid.toLowerCase();
				const accounts = [ACL_EXAMPLE_OWNER, ...[...deps.users()].map((u) => ({ userIdentifier: sidOf(u.name), name: u.name }))];
				return accounts.find((a) => a.name.toLowerCase() === key || a.userIdentifier.toLowerCase() === key);
			},
			// Administrators and the built-in readers see every record (**assumed**).
			caller: (req) => {
				const roleIds = deps.callerRoleIds(req);
				const admin = roleIds.includes(roleStore.byName(BACKUP_ADMINISTRATOR).id);
				return { name: deps.accountName(req), admin, roleIds, allRecords: roleIds.some((id) => roleStore.get(id)?.isBuiltIn === true) };
			},
			maxPageSize: deps.maxPageSize,
			change: (req, note, apply) => deps.change(req, note, apply),
		},
		deps.options,
	);
	const roles = new VbrCustomRoles(
		roleStore,
		{
			change: (req, note, apply) => deps.change(req, note, apply),
			deleted: (id) => acl.forgetRole(id),
			holders: (id) => holdersOf(id).map((u) => u.name),
			// `roleInUseDelete: 'unassign'`: the role leaves its holders; none may be left without a role (`minItems: 1`).
			unassign: (id) => {
				const alone = holdersOf(id).filter((u) => u.roleIds.length === 1);
				if (alone.length) throw roleInUse(`The role is the only role of ${alone.map((u) => u.name).join(', ')}.`);
				for (const u of holdersOf(id)) u.roleIds = u.roleIds.filter((r) => r !== id);
			},
		},
		deps.options,
	);
	return { roles, acl };
}
