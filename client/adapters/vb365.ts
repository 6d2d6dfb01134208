/**
 * Veeam Backup for Microsoft 365 (REST v8, port 4443): the common user model over restore
 * operators. STUB (H-adapter replaces it): every call says it is not implemented yet.
 */
import { NodeOperationError } from 'n8n-workflow';

import { Serial } from '../pool';
import type { VeeamContext } from '../transport';
import type { UserDirectory, UserSortProperty, VeeamRole, VeeamUser } from '../model';
import type { Vb365Access } from '../vb365Model';

export class Vb365Directory implements UserDirectory {
	readonly product = 'vb365' as const;
	readonly refKind = 'id' as const;
	readonly sortProperties: readonly UserSortProperty[] = ['name'];
	readonly adminRoleNames: readonly string[] = [];
	readonly lastAdministratorRole = '';
	readonly administratorChanges = new Serial();

	constructor(private readonly ctx: VeeamContext) {}

	private notYet(): never {
		throw new NodeOperationError(this.ctx.getNode(), 'Veeam Backup for Microsoft 365 is not implemented yet');
	}

	vb365(): Vb365Access {
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

	async usersWithRole(): Promise<VeeamUser[]> {
		return this.notYet();
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
