import { NodeOperationError, type INode } from 'n8n-workflow';

import type { UserDirectory, VeeamUser } from '../../../nodes/Veeam/adapters/types';
import { LIST_PAGE_SIZE, UserInterner, confirmRemovals, readAllUsers } from '../../../nodes/VeeamTrigger/listing';

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
	it('follows the page size the server honours until its total', async () => {
		const all = Array.from({ length: 1234 }, (_, i) => user(i));
		const { dir, calls } = directory((skip) => ({ users: all.slice(skip, skip + 500), total: all.length }));
		const users = await readAllUsers(node, dir);
		expect(users.size).toBe(1234);
		expect(calls).toEqual([
			[0, LIST_PAGE_SIZE],
			[500, LIST_PAGE_SIZE],
			[1000, LIST_PAGE_SIZE],
		]);
	});

	it('keeps a user read twice once, with the later answer', async () => {
		const { dir } = directory((skip) =>
			skip === 0 ? { users: [user(1), user(2)], total: 4 } : { users: [{ ...user(2), name: 'later' }, user(3)], total: 4 },
		);
		const users = await readAllUsers(node, dir);
		expect([...users.keys()]).toEqual(['u1', 'u2', 'u3']);
		expect(users.get('u2')?.name).toBe('later');
	});

	it('fails when a page comes back empty before the announced total (no partial list)', async () => {
		const { dir } = directory((skip) => (skip === 0 ? { users: [user(1), user(2)], total: 5 } : { users: [], total: 5 }));
		const error = await readAllUsers(node, dir).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error).toMatchObject({ message: 'The user list ended early' });
		expect((error as NodeOperationError).description).toMatch(/announced 5 users but sent none from position 2/);
	});

	it('an empty server is an empty list', async () => {
		const { dir, calls } = directory(() => ({ users: [], total: 0 }));
		expect((await readAllUsers(node, dir)).size).toBe(0);
		expect(calls).toHaveLength(1);
	});

	it('shares role lists and types between users (memory at 100,000 users)', async () => {
		const { dir } = directory(() => ({ users: [user(1), user(2)], total: 2 }));
		const users = [...(await readAllUsers(node, dir)).values()];
		expect(users[0].roles).toBe(users[1].roles);
		expect(Object.isFrozen(users[0].roles)).toBe(true);
		expect(users[0].roles).toEqual([{ id: 'r', name: 'Role', description: 'A role' }]);
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
