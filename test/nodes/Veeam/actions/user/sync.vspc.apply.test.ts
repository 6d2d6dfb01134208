/**
 * Sync's removals on VSPC where the server misbehaves (a fake client, no simulator: the simulator
 * deletes a user's logins with it, as the contract assumes): a login that outlives its deleted user is
 * deleted, read again, and fails the step loudly if it stays; logins of other users are ignored; a
 * token revoke refused for a user already gone is no failure, refused for a present one stops the
 * removal before the delete.
 */
import type { UserDirectory, VeeamUser } from '../../../../../client/adapters';
import type { VspcAccess, VspcLogin } from '../../../../../client/vspcModel';
import { removeVspcUser, verifyRemovedLogins } from '../../../../../nodes/Veeam/actions/user/sync.vspc';

const user = (ref: string): VeeamUser => ({ ref, id: ref, name: `name-${ref}`, type: 'Company', roles: [], isDirectoryAccount: false, isGroup: false });
const login = (userUid: string, id: string, kind: VspcLogin['kind'] = 'apiKey'): VspcLogin => ({ id, userUid, kind, provider: 'AK', status: 'enabled', scopes: ['rest'] });

/** A fake directory whose logins list and deletes are scripted; records what was asked. */
function fake(options: { logins: VspcLogin[]; deleteWorks: boolean; withLoginsOf?: boolean; users?: VeeamUser[]; revokeFails?: boolean }) {
	const calls: string[] = [];
	let logins = [...options.logins];
	const access: Partial<VspcAccess> = {
		listLogins: async (uid?: string) => {
			calls.push(`listLogins ${uid}`);
			return logins.filter((l) => uid === undefined || l.userUid === uid);
		},
		deleteLogin: async (_u: VeeamUser, id: string) => {
			calls.push(`deleteLogin ${id}`);
			if (options.deleteWorks) logins = logins.filter((l) => l.id !== id);
			return 'deleted';
		},
		revokeTokens: async (u: VeeamUser) => {
			calls.push(`revokeTokens ${u.ref}`);
			if (options.revokeFails) throw new Error('Veeam: The user does not exist.');
		},
	};
	if (options.withLoginsOf !== false) {
		access.listLoginsOf = async (uids: string[]) => {
			calls.push(`listLoginsOf ${uids.join(',')}`);
			// A server that ignores the filter: every login comes back.
			return logins;
		};
	}
	const directory = {
		vspc: () => access as VspcAccess,
		getUser: async (ref: string) => {
			calls.push(`getUser ${ref}`);
			return (options.users ?? []).find((u) => u.ref === ref);
		},
		deleteUser: async (u: VeeamUser) => {
			calls.push(`deleteUser ${u.ref}`);
			return 'deleted' as const;
		},
	} as unknown as UserDirectory;
	return { directory, calls };
}

describe('Sync removals on VSPC: no login outlives its user', () => {
	it('nothing left: one filtered read for all removals, nothing else', async () => {
		const { directory, calls } = fake({ logins: [login('other', '9')], deleteWorks: true });
		expect(await verifyRemovedLogins(directory, [user('a'), user('b')])).toEqual(new Map());
		expect(calls).toEqual(['listLoginsOf a,b']);
	});

	it('a leftover API key is deleted and read again: done when it is gone (other users\' logins untouched)', async () => {
		const { directory, calls } = fake({ logins: [login('a', '1'), login('other', '9')], deleteWorks: true });
		expect(await verifyRemovedLogins(directory, [user('a'), user('b')])).toEqual(new Map());
		expect(calls).toEqual(['listLoginsOf a,b', 'deleteLogin 1', 'listLoginsOf a']);
	});

	it('a leftover that stays fails that user\'s step, naming the login and what to do', async () => {
		const { directory } = fake({ logins: [login('a', '1'), login('b', '2', 'totp')], deleteWorks: false });
		const failures = await verifyRemovedLogins(directory, [user('a'), user('b')]);
		expect(failures.get('a')).toMatch(/"name-a" was deleted, but an API key of it \(login 1, AK, enabled\) is still on the server/);
		expect(failures.get('b')).toMatch(/a totp login of it \(login 2/);
	});

	it('without the filtered read: one read per removed user', async () => {
		const { directory, calls } = fake({ logins: [], deleteWorks: true, withLoginsOf: false });
		await verifyRemovedLogins(directory, [user('a'), user('b')]);
		expect(calls).toEqual(['listLogins a', 'listLogins b']);
	});

	it('a token revoke refused: for a user already gone the delete says so; for a present user nothing is deleted', async () => {
		const gone = fake({ logins: [], deleteWorks: true, revokeFails: true });
		await removeVspcUser(gone.directory, user('a'));
		expect(gone.calls).toEqual(['revokeTokens a', 'getUser a', 'deleteUser a']);
		const present = fake({ logins: [], deleteWorks: true, revokeFails: true, users: [user('a')] });
		await expect(removeVspcUser(present.directory, user('a'))).rejects.toThrow(/does not exist/);
		expect(present.calls).toEqual(['revokeTokens a', 'getUser a']);
	});
});
