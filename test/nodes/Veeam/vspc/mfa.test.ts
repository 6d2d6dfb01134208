/**
 * MFA on Veeam Service Provider Console, through n8n's engine against the simulator: User → Require
 * MFA / Stop Requiring MFA (the user's MFA policy, read back; an organization's requirement is
 * reported, never claimed lifted) and User → Reset MFA (the user's TOTP logins deleted, read back),
 * with the guards for the credential's own account.
 */
import type { INodeParameters, NodeParameterValueType } from 'n8n-workflow';

import { VSPC_COMPANY_ALPHA_UID, VSPC_MFA_USER, type SimServer } from '../../../../sim';
import { byId, byName, errorText } from '../fixtures';
import { useVspc, type VspcFixture } from './fixture';

describe('VSPC: MFA policy and Reset MFA', () => {
	let sim: SimServer;
	let h: VspcFixture;
	useVspc((s, f) => {
		sim = s;
		h = f;
	});

	const op = (operation: string, user: NodeParameterValueType): INodeParameters => ({ resource: 'user', operation, user });

	it('requires MFA and stops requiring it, each read back; a rerun is unchanged with nothing sent', async () => {
		const on = await h.run(op('requireMfa', byName('alpha.user')));
		expect(on.json[0]).toMatchObject({ action: 'mfaRequired', before: 'Disabled', after: 'Enabled', user: { name: 'alpha.user', mfaPolicy: 'Enabled', organization: { name: 'Alpha' } } });
		expect(h.user('alpha.user')?.mfaPolicyStatus).toBe('Enabled');
		const changes = sim.log.since().length;
		const again = await h.run(op('requireMfa', byId(String(h.user('alpha.user')?.instanceUid))));
		expect(again.json[0]).toMatchObject({ action: 'unchanged', before: 'Enabled' });
		expect(sim.log.since()).toHaveLength(changes);

		const off = await h.run(op('stopRequiringMfa', byName('alpha.user')));
		expect(off.json[0]).toMatchObject({ action: 'mfaNoLongerRequired', before: 'Enabled', after: 'Disabled' });
		expect(h.user('alpha.user')?.mfaPolicyStatus).toBe('Disabled');
		expect((await h.run(op('stopRequiringMfa', byName('alpha.user')))).json[0]).toMatchObject({ action: 'unchanged' });
	});

	it("an organization's MFA requirement: Require MFA sets the user's own policy (review M1), then is unchanged; Stop Requiring MFA fails if the server still requires it", async () => {
		h.vspc.setOrganizationMfa(VSPC_COMPANY_ALPHA_UID, true);
		expect(h.user('alpha.user')?.mfaPolicyStatus).toBe('EnabledByInheritance');
		const on = await h.run(op('requireMfa', byName('alpha.user')));
		expect(on.json[0]).toMatchObject({ action: 'mfaRequired', before: 'EnabledByInheritance', after: 'Enabled' });
		const again = await h.run(op('requireMfa', byName('alpha.user')));
		expect(again.json[0]).toMatchObject({ action: 'unchanged', before: 'Enabled' });
		// The simulator (as assumed in sim/contracts/vspc.md) keeps the organization's requirement over
		// the user's own Disabled: the item fails instead of claiming MFA is no longer required.
		const off = await h.run(op('stopRequiringMfa', byName('alpha.user')));
		expect(h.user('alpha.user')?.mfaPolicyStatus).toBe('EnabledByInheritance');
		expect(errorText(off)).toMatch(/User \(item 0\): the server still shows MFA policy "EnabledByInheritance" for "alpha.user" after no longer requiring MFA.*the user's organization requires MFA/);
	});

	it('refuses to require MFA of the credential\'s own account while it has no authenticator, with nothing sent', async () => {
		const before = sim.log.since().length;
		const run = await h.run(op('requireMfa', byName('administrator')));
		expect(errorText(run)).toMatch(/User \(item 0\): "administrator" is the account this node's credential logs in with: it has no authenticator set up/);
		expect(sim.log.since()).toHaveLength(before);
	});

	it("Reset MFA deletes the user's TOTP logins and reads them back; without one it is unchanged", async () => {
		const uid = VSPC_MFA_USER.uid;
		expect(h.logins(uid).map((l) => l.kind)).toContain('totp');
		const run = await h.run(op('resetMfa', byName(VSPC_MFA_USER.name)));
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ action: 'mfaReset', removedLogins: [{ kind: 'totp' }], user: { name: VSPC_MFA_USER.name } });
		expect(h.logins(uid).map((l) => l.kind)).not.toContain('totp');
		expect(h.logins(uid).map((l) => l.kind)).toContain('password');
		const again = await h.run(op('resetMfa', byName(VSPC_MFA_USER.name)));
		expect(again.json[0]).toMatchObject({ action: 'unchanged', removedLogins: [] });
	});

	it('Reset MFA fails loudly when the server answers the delete without doing it', async () => {
		sim.addFault({ kind: 'answer', status: 200, body: { data: true, meta: null, errors: null }, method: 'DELETE', pathIncludes: '/logins/' });
		const run = await h.run(op('resetMfa', byName(VSPC_MFA_USER.name)));
		expect(errorText(run)).toMatch(/User \(item 0\): the server still shows 1 TOTP login\(s\) of "mfa.admin" .* after deleting them/);
	});

	it("refuses to reset the MFA of the credential's own account (its TOTP secret would stop working)", async () => {
		// The credential's account sets up an authenticator after the credential logged in (its token stays).
		expect((await h.run(op('get', byName('administrator')))).error).toBeUndefined();
		const adminUid = String(h.user('administrator')?.instanceUid);
		h.vspc.addTotp(adminUid);
		const run = await h.run(op('resetMfa', byName('administrator')));
		expect(errorText(run)).toMatch(/"administrator" is the account this node's credential logs in with: resetting its authenticator/);
		expect(h.logins(adminUid).map((l) => l.kind)).toContain('totp');
	});

	it('names the item of a user that does not exist; Continue On Fail goes on with the others', async () => {
		const run = await h.run(op('requireMfa', { __rl: true, mode: 'name', value: '={{ $json.name }}' }), [{ name: 'nobody' }, { name: 'alpha.admin' }], { continueOnFail: true });
		expect(run.json.map((j) => j.action ?? j.error)).toEqual([expect.stringMatching(/User \(item 0\): no Veeam user or group with name "nobody"/), 'mfaRequired']);
	});
});
