/**
 * User → Access Report on Veeam Backup & Replication, through n8n's engine against the simulator:
 * one item per user with its flags and a summary, on API 1.3-rev2 (MFA state known) and 1.3-rev1
 * (not given), with the server's MFA setting off and on; one listing whatever the input.
 */
import type { INodeParameters } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../../../../sim';
import { shutdownEngine } from '../../../../support/engine';
import { mutations, routeCount, USERS, VeeamFixture } from '../../fixtures';

const INITIAL = [
	{ name: 'BUILTIN\\Administrators', type: 'InternalGroup' as const, roles: ['Backup Administrator'] },
	{ name: 'VBR01\\svc-n8n', type: 'InternalUser' as const, roles: ['Backup Administrator'], isServiceAccount: true },
	{ name: 'VBR01\\admin', type: 'InternalUser' as const, roles: ['Backup Administrator'] },
	// Active Directory accounts are InternalUser / InternalGroup (Veeam's examples); ann is an identity-provider (SSO) user.
	{ name: 'TECH\\sec.officer', type: 'InternalUser' as const, roles: ['Security Administrator'] },
	{ name: 'TECH\\Backup Admins', type: 'InternalGroup' as const, roles: ['Backup Administrator'] },
	{ name: 'ann@tech.com', type: 'ExternalUser' as const, roles: ['Restore Operator'] },
];

const report = (options: INodeParameters = {}) => ({ resource: 'user', operation: 'accessReport', reportOptions: options });

describe.each([false, true])('User → Access Report (server MFA setting on: %s)', (mfaOn) => {
	let sim: SimServer;
	let h: VeeamFixture;
	beforeAll(async () => {
		sim = await startSimulator({ product: 'vbr', vbr: { initialUsers: INITIAL, mfaEnabled: mfaOn } });
		h = new VeeamFixture(sim);
	});
	afterAll(async () => {
		await sim.close();
		await shutdownEngine();
	});
	beforeEach(() => {
		sim.reset();
		h.resetCredential();
	});

	it('flags administrators without MFA, groups granting admin roles and service accounts (no "local account" flag: a local and a domain Windows account share one type); ends with a summary', async () => {
		const run = await h.run(report());
		expect(run.error).toBeUndefined();
		const rows = Object.fromEntries(run.json.filter((j) => !j.summary).map((j) => [j.name, j.flags]));
		expect(rows).toEqual({
			'BUILTIN\\Administrators': ['groupGrantsAdmin'],
			'TECH\\Backup Admins': ['groupGrantsAdmin'],
			'ann@tech.com': [],
			'TECH\\sec.officer': mfaOn ? [] : ['adminWithoutMfa'],
			'VBR01\\admin': mfaOn ? [] : ['adminWithoutMfa'],
			// MFA never applies to a service account: not "without MFA", but an administrator that a
			// password alone opens, whatever the setting.
			'VBR01\\svc-n8n': ['adminServiceAccount'],
		});
		expect(run.json.find((j) => j.name === 'ann@tech.com')).toMatchObject({ type: 'ExternalUser', isDirectoryAccount: true, directoryKind: 'identityProvider' });
		expect(run.json.find((j) => j.name === 'TECH\\sec.officer')).toMatchObject({ type: 'InternalUser', isDirectoryAccount: true, directoryKind: 'windows' });
		const admin = run.json.find((j) => j.name === 'VBR01\\admin')!;
		expect(admin).toMatchObject({ type: 'InternalUser', roles: ['Backup Administrator'], isAdmin: true, isGroup: false, isServiceAccount: false, mfaEnabled: mfaOn });
		expect(admin.why).toEqual((admin.flags as string[]).map(() => expect.stringMatching(/^holds an administrator role and has no multi-factor/)));
		const summary = run.json[run.json.length - 1];
		expect(summary).toMatchObject({
			summary: true,
			users: 6,
			administrators: 5,
			flagged: mfaOn ? 3 : 5,
			groupGrantsAdmin: 2,
			adminServiceAccount: 1,
			serviceAccount: 0,
			adminWithoutMfa: mfaOn ? 0 : 2,
		});
		expect(summary).not.toHaveProperty('internalAccount');
		// Users counted once, flags per kind: the line says which is which.
		expect(summary.text).toBe(
			mfaOn
				? '6 users, 5 with an administrator role; 3 users flagged. Flags, per kind (a user can have several): adminServiceAccount 1, groupGrantsAdmin 2. Four-eyes authorization: no request pending (the API does not say whether it is on).'
				: '6 users, 5 with an administrator role; 5 users flagged. Flags, per kind (a user can have several): adminWithoutMfa 2, adminServiceAccount 1, groupGrantsAdmin 2. Four-eyes authorization: no request pending (the API does not say whether it is on).',
		);
		// No API version reports the four-eyes setting: unknown without a pending request.
		expect(summary).toMatchObject({ fourEyes: null, pendingRequests: [] });
		expect(mutations(sim)).toEqual([]);
	});

	it('runs once for many input items (one listing), pairing every row with all of them', async () => {
		const run = await h.run(report(), [{}, {}, {}]);
		expect(run.json.filter((j) => !j.summary)).toHaveLength(6);
		expect(routeCount(sim, `GET ${USERS}`)).toBe(1);
		expect(run.items[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('outputs only flagged users, and no summary, when told to', async () => {
		const run = await h.run(report({ flaggedOnly: true, includeSummary: false }));
		expect(run.json.map((j) => j.name)).not.toContain('ann@tech.com');
		expect(run.json.every((j) => j.flagged === true && !j.summary)).toBe(true);
	});
});

describe('User → Access Report on API 1.3-rev1 (users carry no MFA state)', () => {
	let sim: SimServer;
	let h: VeeamFixture;
	beforeAll(async () => {
		sim = await startSimulator({ product: 'vbr', vbr: { initialUsers: INITIAL } });
		h = new VeeamFixture(sim);
		h.resetCredential({ apiVersion: '1.3-rev1' });
	});
	afterAll(async () => {
		await sim.close();
		await shutdownEngine();
	});

	it('says the MFA state of administrators is unknown instead of guessing', async () => {
		const run = await h.run(report());
		const admin = run.json.find((j) => j.name === 'VBR01\\admin')!;
		expect(admin).toMatchObject({ mfaEnabled: null, flags: ['adminMfaUnknown'] });
		expect(run.json.find((j) => j.name === 'TECH\\Backup Admins')!.flags).toEqual(['groupGrantsAdmin']);
	});

	it('refuses an options value that is not a boolean, naming the field', async () => {
		const run = await h.run(report({ flaggedOnly: '={{ "sometimes" }}' }));
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe('Flagged Users Only (item 0): must be true or false, but the value is a string "sometimes"');
	});
});
