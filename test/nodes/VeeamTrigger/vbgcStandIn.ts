/**
 * A stand-in for the VBGC adapter (nodes/Veeam/adapters/vbgc.ts does not exist yet), with just
 * what the trigger calls: the user list by pages, one user by name, the roles. It speaks the VBGC
 * 7.0 API through the package's transport, so the trigger runs against the VBGC simulator the
 * way it will with the real adapter. Test code only; `createDirectory` uses the real adapter as
 * soon as it exists (see VeeamTrigger.vbgc.test.ts).
 */
import type { IDataObject } from 'n8n-workflow';

import type * as Adapters from '../../../nodes/Veeam/adapters';
import type { UserDirectory, UserFilter, VeeamRole, VeeamUser } from '../../../nodes/Veeam/adapters/types';
import { isNotFound, veeamApiRequest, type VeeamContext, type VeeamRequest } from '../../../nodes/Veeam/transport';
import { fromVbgcUser } from './harness';

const USERS = '/api/v1/users';

/** The part of `UserDirectory` the trigger uses (the interface may grow; the trigger does not need more). */
export type TriggerDirectory = Pick<UserDirectory, 'product' | 'listUsersPage' | 'getUser' | 'listRoles'>;

export class VbgcStandInDirectory implements TriggerDirectory {
	readonly product = 'vbgc' as const;

	constructor(private readonly ctx: VeeamContext) {}

	private async call<T>(req: VeeamRequest): Promise<T> {
		return await veeamApiRequest.call<VeeamContext, ['vbgc', VeeamRequest], Promise<T>>(this.ctx, 'vbgc', req);
	}

	async listUsersPage(_filter: UserFilter, skip: number, limit: number): Promise<{ users: VeeamUser[]; total: number }> {
		const res = await this.call<{ data?: IDataObject[]; pagination?: { total?: number } }>({
			method: 'GET',
			path: USERS,
			qs: { offset: skip, limit },
		});
		const users = (res.data ?? []).map(fromVbgcUser);
		return { users, total: res.pagination?.total ?? users.length };
	}

	async getUser(ref: string): Promise<VeeamUser | undefined> {
		return await this.call<IDataObject>({ method: 'GET', path: `${USERS}/${encodeURIComponent(ref)}` }).then(
			(u) => fromVbgcUser(u),
			(error: unknown) => {
				if (isNotFound(error)) return undefined;
				return Promise.reject(error);
			},
		);
	}

	async listRoles(): Promise<VeeamRole[]> {
		const res = await this.call<{ data?: VeeamRole[] }>({ method: 'GET', path: `${USERS}/roles` });
		return (res.data ?? []).map((r) => ({ id: r.id, name: r.name, ...(r.description ? { description: r.description } : {}) }));
	}
}

/** Whether the last `createDirectory` for VBGC fell back to the stand-in. */
export const standIn = { used: false };

/**
 * For `jest.mock('…/nodes/Veeam/adapters', …)`: the real module, whose `createDirectory` falls
 * back to the stand-in for VBGC while the real one refuses it.
 */
export function adaptersWithVbgcStandIn(actual: typeof Adapters): typeof Adapters {
	return {
		...actual,
		createDirectory: (ctx, product) => {
			if (product !== 'vbgc') return actual.createDirectory(ctx, product);
			try {
				return actual.createDirectory(ctx, product);
			} catch {
				standIn.used = true;
				return new VbgcStandInDirectory(ctx) as unknown as UserDirectory;
			}
		},
	};
}
