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
 * Runs `change` (which takes the administrator role from `user`, or removes it: `rolesAfter`
 * undefined) only when another user or group holds the role on the server; otherwise throws the
 * item's error for `field`. Changes that keep the role run at once.
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
	if (!takesAdministrator(directory, user, rolesAfter)) return await change();
	const role = directory.lastAdministratorRole;
	return await directory.administratorChanges.run(async () => {
		const others = (await directory.usersWithRole(role)).filter((u) => u.ref.toLowerCase() !== user.ref.toLowerCase());
		if (others.length === 0) {
			throw inputError(
				ctx,
				i,
				field,
				`"${user.name}" is the last user or group with the ${role} role: ${rolesAfter === undefined ? 'removing it' : 'taking the role from it'} would leave nobody who can administer the server`,
				`Nothing was sent. Give the ${role} role to another user or group first.`,
			);
		}
		return await change();
	});
}

/** For Sync: the users a plan takes the role from, when after it nobody would hold it (else none). */
export function lastAdministratorLoss(
	directory: UserDirectory,
	server: readonly VeeamUser[],
	after: (user: VeeamUser) => readonly VeeamRole[] | undefined,
	added: ReadonlyArray<readonly VeeamRole[]>,
): VeeamUser[] {
	const role = directory.lastAdministratorRole;
	const holders = server.filter((u) => holds(u.roles, role));
	if (holders.length === 0) return [];
	const losing = holders.filter((u) => takesAdministrator(directory, u, after(u)));
	const gaining = added.some((roles) => holds(roles, role));
	return losing.length === holders.length && !gaining ? losing : [];
}
