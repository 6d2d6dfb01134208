import { NodeOperationError, type INode } from 'n8n-workflow';

import type { UserDirectory, VeeamUser } from '../../../client/model';
import { UserInterner, confirmRemovals, readAllUsers } from '../../../nodes/VeeamTrigger/listing';

const node: INode = { id: 't', name: 'Veeam Trigger', type: 'n8n-nodes-veeam.veeamTrigger', typeVersion: 1, position: [0, 0], parameters: {} };
const user = (n: number): VeeamUser => ({
	ref: `u${n}`,
	name: `user ${n}`,
	type: 'Local',
	roles: [{ id: 'r', name: 'Role', description: 'A role' }],
	isDirectoryAccount: false,
	isGroup: false,
});

/** A directory whose pages come from a function of (skip, limit), recording the calls. */
function directory(page: (skip: number, limit: number) => { users: VeeamUser[]; total: number }, getUser?: (ref: string) => Promise<VeeamUser | undefined>) {
	const calls: Array<[number, number]> = [];
	const lookups: string[] = [];
	let inFlight = 0;
	let maxInFlight = 0;
	const dir = {
		product: 'vbgc',
		listUsersPage: async (_filter: unknown, skip: number, limit: number) => {
			calls.push([skip, limit]);
			return page(skip, limit);
		},
		getUser: async (ref: string) => {
			lookups.push(ref);
			inFlight++;
			maxInFlight = Math.max(maxInFlight, inFlight);
			await new Promise((resolve) => setImmediate(resolve));
			inFlight--;
			return getUser ? await getUser(ref) : undefined;
		},
	} as unknown as UserDirectory;
	return { dir, calls, lookups, maxInFlight: () => maxInFlight };
}

describe('readAllUsers', () => {
	// The paging itself (totals, repeats, broken lists) is the adapters' readAllPages: paging.test.ts.
	it('keys the whole list by ref and shares role lists and types between users (memory at 100,000 users)', async () => {
		const dir = { listUsers: async () => [user(1), user(2)] } as unknown as UserDirectory;
		const users = await readAllUsers(dir);
		expect([...users.keys()]).toEqual(['u1', 'u2']);
		const [a, b] = [...users.values()];
		expect(a.roles).toBe(b.roles);
		expect(Object.isFrozen(a.roles)).toBe(true);
		expect(a.roles).toEqual([{ id: 'r', name: 'Role', description: 'A role' }]);
		const interner = new UserInterner();
		const other = interner.intern({ ...user(3), roles: [{ id: 'r', name: 'Renamed' }] });
		expect(other.roles).toEqual([{ id: 'r', name: 'Renamed' }]);
	});
});

describe('confirmRemovals', () => {
	it('looks every apparently removed user up; those found rejoin the list, the rest are gone', async () => {
		const current = new Map<string, VeeamUser>();
		const { dir, lookups } = directory(
			() => ({ users: [], total: 0 }),
			async (ref) => (ref === 'u2' ? user(2) : undefined),
		);
		const gone = await confirmRemovals(dir, ['u1', 'u2', 'u3'], current);
		expect(lookups.sort()).toEqual(['u1', 'u2', 'u3']);
		expect(gone.sort()).toEqual(['u1', 'u3']);
		expect([...current.keys()]).toEqual(['u2']);
	});

	it('an answer under another ref is another user: the one looked up is gone', async () => {
		const current = new Map<string, VeeamUser>();
		const { dir } = directory(() => ({ users: [], total: 0 }), async () => user(9));
		expect(await confirmRemovals(dir, ['u1'], current)).toEqual(['u1']);
		expect(current.size).toBe(0);
	});

	it('at most 8 look-ups at once; a failing look-up fails the whole check', async () => {
		const { dir, maxInFlight } = directory(() => ({ users: [], total: 0 }));
		await confirmRemovals(dir, Array.from({ length: 50 }, (_, i) => `u${i}`), new Map());
		expect(maxInFlight()).toBe(8);

		const failing = directory(
			() => ({ users: [], total: 0 }),
			async (ref) => {
				if (ref === 'u3') throw new NodeOperationError(node, 'boom');
				return undefined;
			},
		);
		await expect(confirmRemovals(failing.dir, ['u1', 'u2', 'u3', 'u4'], new Map())).rejects.toThrow('boom');
	});
});
