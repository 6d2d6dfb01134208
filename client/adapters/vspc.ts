/**
 * Veeam Service Provider Console (REST v3, port 1280). FIRST STEP: the adapter's skeleton, so that
 * the product table and the nodes know the product; every call refuses clearly until the adapter
 * lands (issue 28). The contract: sim/contracts/vspc.md.
 */
import { NodeOperationError } from 'n8n-workflow';

import { Serial } from '../pool';
import type { VeeamContext } from '../transport';
import type { UserDirectory, UserSortProperty, VeeamRole, VeeamUser } from '../model';

export class VspcDirectory implements UserDirectory {
	readonly product = 'vspc' as const;
	readonly refKind = 'id' as const;
	readonly singleRole = true;
	readonly sortProperties: readonly UserSortProperty[] = ['name'];
	readonly adminRoleNames: readonly string[] = ['Portal Administrator'];
	readonly lastAdministratorRole = 'Portal Administrator';
	readonly administratorChanges = new Serial();

	constructor(protected readonly ctx: VeeamContext) {}

	private notYet(): never {
		throw new NodeOperationError(this.ctx.getNode(), 'Veeam Service Provider Console users are not supported yet');
	}

	async usersWithRole(): Promise<VeeamUser[]> {
		return this.notYet();
	}
	builtInAccount(): string | undefined {
		return undefined;
	}
	nameProblem(): string | undefined {
		return undefined;
	}
	refProblem(): string | undefined {
		return undefined;
	}
	async listUsers(): Promise<VeeamUser[]> {
		return this.notYet();
	}
	async listUsersPage(): Promise<{ users: VeeamUser[]; total: number; next?: number }> {
		return this.notYet();
	}
	async getUser(): Promise<VeeamUser | undefined> {
		return this.notYet();
	}
	async findUserByName(): Promise<VeeamUser | undefined> {
		return this.notYet();
	}
	async prefetchUsers(): Promise<boolean> {
		return false;
	}
	prefetchedRef(): string | undefined {
		return undefined;
	}
	async createUser(): Promise<VeeamUser> {
		return this.notYet();
	}
	async setRoles(): Promise<VeeamUser> {
		return this.notYet();
	}
	async deleteUser(): Promise<'deleted' | 'absent'> {
		return this.notYet();
	}
	async listRoles(): Promise<VeeamRole[]> {
		return this.notYet();
	}
}
