/**
 * The last administrator. Veeam refuses to change the role of the last Backup Administrator (VBR
 * PowerShell reference, Set-/Remove-VBRUserRoleAssignment); a server left without one has nobody
 * who can administer it, this workflow's credential included. The nodes refuse earlier, naming the
 * item, with nothing sent: before a change takes the role (directory.lastAdministratorRole) from a
 * user or group, the server is asked who else holds it. Such changes run one at a time within an
 * execution (directory.administratorChanges), so two items in parallel cannot each count on the
 * other to stay an administrator.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { UserDirectory, VeeamRole, VeeamUser } from '../../../client/adapters';
import { inputError } from './input';

const holds = (roles: readonly VeeamRole[], role: string) => roles.some((r) => r.name.toLowerCase() === role.toLowerCase());

/** Whether the change leaves `user` without the role it holds: `rolesAfter` undefined means removed. */
export function takesAdministrator(directory: UserDirectory, user: VeeamUser, rolesAfter: readonly VeeamRole[] | undefined): boolean {
	const role = directory.lastAdministratorRole;
	return holds(user.roles, role) && (rolesAfter === undefined || !holds(rolesAfter, role));
}

/**
 * The roles of `user` that the product does not know, where its roles are a fixed set (AWS, Azure:
 * `roleIdProblem`): a server's own spelling of a role (no published spec gives AWS's values) or a
 * later release's role. Any of them may be the administrator role under another name, so the guard
 * never counts on such a role being or not being the administrator's.
 */
function unknownRoles(directory: UserDirectory, roles: readonly VeeamRole[]): VeeamRole[] {
	const problem = directory.roleIdProblem?.bind(directory);
	return problem ? roles.filter((r) => problem(r.id) !== undefined) : [];
}

/** The roles the product does not know that the change takes from `user` (all of them when it is removed). */
function takesUnknownRoles(directory: UserDirectory, user: VeeamUser, rolesAfter: readonly VeeamRole[] | undefined): VeeamRole[] {
	return unknownRoles(directory, user.roles).filter((r) => rolesAfter === undefined || !rolesAfter.some((a) => a.id.toLowerCase() === r.id.toLowerCase()));
}

/**
 * Runs `change` (which takes the administrator role from `user`, or removes it: `rolesAfter`
 * undefined) only when another user or group holds the role on the server; otherwise throws the
 * item's error for `field`. Changes that keep the role run at once.
 *
 * Fail safe where a role's spelling is unknown (unknownRoles): a change that takes such a role from
 * `user` is checked as if it took the administrator role, and only another user the node recognises
 * as an administrator lets a change go ahead; users holding unknown roles never count as one.
 */
export async function guardLastAdministrator<T>(
	ctx: IExecuteFunctions,
	directory: UserDirectory,
	i: number,
	field: string,
	user: VeeamUser,
	rolesAfter: readonly VeeamRole[] | undefined,
	change: () => Promise<T>,
): Promise<T> {
	const known = takesAdministrator(directory, user, rolesAfter);
	const unknown = known ? [] : takesUnknownRoles(directory, user, rolesAfter);
	if (!known && unknown.length === 0) return await change();
	const role = directory.lastAdministratorRole;
	return await directory.administratorChanges.run(async () => {
		const others = (await directory.usersWithRole(role)).filter((u) => u.ref.toLowerCase() !== user.ref.toLowerCase());
		if (others.length > 0) return await change();
		const what = rolesAfter === undefined ? 'removing it' : 'taking the role from it';
		if (known) {
			throw inputError(
				ctx,
				i,
				field,
				`"${user.name}" is the last user or group with the ${role} role: ${what} would leave nobody who can administer the server`,
				`Nothing was sent. Give the ${role} role to another user or group first.`,
			);
		}
		const names = unknown.map((r) => `"${r.name}"`).join(', ');
		throw inputError(
			ctx,
			i,
			field,
			`"${user.name}" holds the role ${names}, which the node does not recognise and which may be the ${role} role under another name, and no other user or group recognisably holds ${role}: ${what} could leave nobody who can administer the server`,
			`Nothing was sent. The node cannot be sure, so it refuses. Give the ${role} role (as the node names it) to another user or group first, or make this change in the product's console.`,
		);
	});
}

/**
 * For Sync: the users a plan takes the role from, when after it nobody would recognisably hold it
 * (else none). As the guard above, fail safe: a user losing a role the product does not know
 * (unknownRoles) counts as one that may lose the administrator role, and only users recognised as
 * administrators count as keeping it.
 */
export function lastAdministratorLoss(
	directory: UserDirectory,
	server: readonly VeeamUser[],
	after: (user: VeeamUser) => readonly VeeamRole[] | undefined,
	added: ReadonlyArray<readonly VeeamRole[]>,
): VeeamUser[] {
	const role = directory.lastAdministratorRole;
	const holders = server.filter((u) => holds(u.roles, role));
	const losing = holders.filter((u) => takesAdministrator(directory, u, after(u)));
	const mayLose = server.filter((u) => !holds(u.roles, role) && takesUnknownRoles(directory, u, after(u)).length > 0);
	if (losing.length + mayLose.length === 0) return [];
	const keeping = holders.length > losing.length;
	const gaining = added.some((roles) => holds(roles, role));
	if (keeping || gaining) return [];
	return losing.length ? losing : mayLose;
}
