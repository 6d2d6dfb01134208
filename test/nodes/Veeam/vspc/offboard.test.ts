/**
 * User → Offboard on Veeam Service Provider Console, through n8n's engine against the simulator:
 * Delete (default) and Disable both end the user's access (API keys deleted, tokens revoked, read
 * back); a server that answers a delete without doing it fails the item loudly, saying what was
 * done; the guards (Owner, the credential's own account, the last Portal Administrator) hold.
 */
import type { INodeParameters } from 'n8n-workflow';

import { VSPC_COMPANY_ALPHA_UID, type SimServer } from '../../../../sim';
import { byId, byName, errorText } from '../fixtures';
import { changes, useVspc, type VspcFixture } from './fixture';

describe('VSPC: Offboard', () => {
	let sim: SimServer;
	let h: VspcFixture;
	useVspc((s, f) => {
		sim = s;
		h = f;
	});

	const offboard = (params: INodeParameters = {}): INodeParameters => ({ resource: 'user', operation: 'offboard', user: byName('alpha.admin'), ...params });
	const uid = (name: string) => String(h.user(name)?.instanceUid);
	/** A credential that logs in with the API key, and whether a read with it works. */
	const keyWorks = async (key: string) => {
		h.addCredential('key', { authentication: 'apiKey', apiKey: key, username: '', password: '' });
		const run = await h.run({ resource: 'user', operation: 'get', user: byName('alpha.user') }, [{}], { credentialId: 'key', secrets: [key] });
		return run.error === undefined;
	};

	it('Delete (default): API key deleted, tokens revoked, user deleted, read back; the key no longer works', async () => {
		const { key, login } = h.vspc.addApiKey(uid('alpha.admin'), { description: 'backup script' });
		h.vspc.addTotp(uid('alpha.admin'));
		expect(await keyWorks(key)).toBe(true);

		const run = await h.run(offboard(), [{}], { secrets: [key] });
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({
			action: 'deleted',
			offboardMode: 'delete',
			user: { name: 'alpha.admin', organization: { name: 'Alpha' } },
			removedLogins: [{ id: String(login.id), kind: 'apiKey', description: 'backup script' }],
			tokensRevoked: true,
			directoryAccountRemains: false,
		});
		expect(h.user('alpha.admin')).toBeUndefined();
		expect(h.logins(uid('alpha.admin'))).toEqual([]);
		expect(changes(sim).map(([a]) => a)).toEqual(expect.arrayContaining(['user.delete']));
		expect(await keyWorks(key)).toBe(false);

		const again = await h.run(offboard());
		expect(again.json[0]).toMatchObject({ action: 'absent', name: 'alpha.admin' });
	});

	it('Disable: user disabled, API key deleted, tokens revoked; the password login stays, disabled with the user; a rerun is unchanged', async () => {
		const userUid = uid('alpha.admin');
		const { key } = h.vspc.addApiKey(userUid);
		const run = await h.run(offboard({ user: byId(userUid), offboardMode: 'disable' }), [{}], { secrets: [key] });
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ action: 'disabled', offboardMode: 'disable', user: { status: 'Disabled' }, removedLogins: [{ kind: 'apiKey' }], tokensRevoked: true });
		expect((run.json[0].loginsLeft as Array<{ kind: string }>).map((l) => l.kind)).toEqual(['password']);
		expect(h.user('alpha.admin')?.status).toBe('Disabled');
		expect(h.logins(userUid).map((l) => l.kind)).toEqual(['password']);
		expect(await keyWorks(key)).toBe(false);

		const again = await h.run(offboard({ offboardMode: 'disable' }));
		expect(again.json[0]).toMatchObject({ action: 'unchanged', removedLogins: [], tokensRevoked: true });
	});

	it('fails loudly when the server answers the key delete without deleting it (Disable), naming what was done', async () => {
		h.vspc.addApiKey(uid('alpha.admin'));
		sim.addFault({ kind: 'answer', status: 200, body: { data: true, meta: null, errors: null }, method: 'DELETE', pathIncludes: '/logins/' });
		const run = await h.run(offboard({ offboardMode: 'disable' }));
		expect(errorText(run)).toMatch(/User \(item 0\): offboarding "alpha.admin" is not complete: the server still shows 1 API or RSA key login\(s\) of the user/);
		expect(errorText(run)).toMatch(/Done before: the user was disabled; API key login \d+ deleted; the user's tokens were revoked/);
	});

	it('Disable fails loudly when the server still shows a login of the disabled user as enabled', async () => {
		const userUid = uid('alpha.admin');
		const win = { id: 9001, userUid, userName: 'alpha.admin', companyId: VSPC_COMPANY_ALPHA_UID, companyName: 'Alpha', identityProviderName: 'WIN', identifierInProvider: 'S-1-5-21-1-2-3-1001', description: 'Windows account', usage: 'Unknown', isReadAccessOnly: false, scopes: ['ui', 'rest'], status: 'enabled' };
		// The read-back (the second logins read) shows a Windows identity still enabled.
		sim.addFault({ kind: 'answer', status: 200, body: { data: [win], meta: { pagingInfo: { total: 1, count: 1, offset: 0 } }, errors: null }, method: 'GET', pathIncludes: '/users/logins', after: 1 });
		const run = await h.run(offboard({ offboardMode: 'disable' }));
		expect(errorText(run)).toMatch(/offboarding "alpha.admin" is not complete: the server still shows 1 login\(s\) of the disabled user as enabled \(WIN 9001\)/);
		expect(h.user('alpha.admin')?.status).toBe('Disabled');
	});

	it('fails loudly when the server answers the user delete without deleting it (Delete)', async () => {
		// The first DELETE of that path is the token revocation, the second the user's.
		sim.addFault({ kind: 'answer', status: 200, body: { data: null, meta: null, errors: null }, method: 'DELETE', pathIncludes: `/users/${uid('alpha.user')}`, after: 1 });
		const run = await h.run(offboard({ user: byName('alpha.user') }));
		expect(errorText(run)).toMatch(/offboarding "alpha.user" is not complete: the server still shows the user \(UID [0-9a-f-]+\) after deleting it/);
		// Not a silent half: the user is at least disabled and has no token.
		expect(h.user('alpha.user')?.status).toBe('Disabled');
	});

	it('an absent user whose logins the server still lists is not "absent": its logins are deleted, or the item fails naming them (review O1)', async () => {
		const userUid = uid('alpha.admin');
		const { key, login } = h.vspc.addApiKey(userUid, { description: 'backup script' });
		// The user record gone, its logins left (what a delete answered but half done would leave).
		const store = h.vspc.store as unknown as { users: Map<string, unknown>; usersByName: Map<string, unknown>; usersByOrg: Map<string, Set<string>>; touch(): void };
		store.users.delete(userUid);
		store.usersByName.delete('alpha.admin');
		store.usersByOrg.get(VSPC_COMPANY_ALPHA_UID)?.delete(userUid);
		store.touch();
		const run = await h.run(offboard({ user: byId(userUid) }), [{}], { secrets: [key] });
		// The simulator refuses a login delete of a user it no longer has (404): the item fails, naming the key.
		expect(errorText(run)).toMatch(new RegExp(`offboarding .* is not complete: no user with UID ${userUid} is listed, but the server still shows 2 login\\(s\\) of it \\(.*${login.id} AK`));
		expect(run.json).toHaveLength(0);
		// A plain absent user (no login listed) is still "absent", with nothing written.
		const before = changes(sim).length;
		const gone = await h.run(offboard({ user: byId('00000000-0000-4000-8000-00000000abcd') }));
		expect(gone.json[0]).toMatchObject({ action: 'absent', id: '00000000-0000-4000-8000-00000000abcd' });
		expect(changes(sim)).toHaveLength(before);
	});

	it('refuses the Owner, the credential\'s own account and the last Portal Administrator, with nothing sent', async () => {
		const before = sim.log.since().length;
		expect(errorText(await h.run(offboard({ user: byName('alpha.owner') })))).toMatch(/User \(item 0\): alpha.owner is the Company Owner of Alpha/);
		expect(errorText(await h.run(offboard({ user: byName('administrator'), offboardMode: 'disable' })))).toMatch(/administrator is the account this node's credential logs in with/);
		expect(sim.log.since()).toHaveLength(before);

		// A Portal Operator's credential; mfa.admin no longer an administrator: "administrator" is the last one.
		(h.vspc.userNamed('mfa.admin') as { role: string }).role = 'PortalOperator';
		h.resetCredential({ username: 'operator' });
		const last = await h.run(offboard({ user: byName('administrator') }));
		expect(errorText(last)).toMatch(/"administrator" is the last user or group with the Portal Administrator role/);
		expect(h.user('administrator')?.status).toBe('Enabled');
	});

	it("refuses the credential's own account when it logs in with an API key (the server says who it is), with nothing changed", async () => {
		const { key } = h.vspc.addApiKey(uid('alpha.admin'));
		h.addCredential('key', { authentication: 'apiKey', apiKey: key, username: '', password: '' });
		const before = sim.log.since().length;
		for (const offboardMode of ['delete', 'disable']) {
			const run = await h.run(offboard({ offboardMode }), [{}], { credentialId: 'key', secrets: [key] });
			expect(errorText(run)).toMatch(/User \(item 0\): alpha.admin is the account this node's credential logs in with: the node does not offboard it/);
		}
		expect(sim.log.since()).toHaveLength(before);
		expect(await keyWorks(key)).toBe(true);
	});

	it('refuses bad input per item; with Continue On Fail the other items are offboarded', async () => {
		expect(errorText(await h.run(offboard({ offboardMode: 'shred' })))).toMatch(/Offboard Mode \(item 0\): "shred" is not one of delete, disable/);
		expect(errorText(await h.run(offboard({ user: { __rl: true, mode: 'id', value: '={{ "not-a-uid" }}' } })))).toMatch(/User \(item 0\): "not-a-uid" is not a Veeam Service Provider Console user UID/);
		const run = await h.run(offboard({ user: { __rl: true, mode: 'name', value: '={{ $json.name }}' } }), [{ name: 'alpha.owner' }, { name: 'alpha.user' }], { continueOnFail: true });
		expect(run.json.map((j) => j.action ?? j.error)).toEqual([expect.stringMatching(/User \(item 0\): alpha.owner is the Company Owner/), 'deleted']);
		expect(h.user('alpha.user')).toBeUndefined();
		expect(h.user('alpha.owner')).toBeDefined();
	});
});
