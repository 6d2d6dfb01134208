/**
 * Review (issue 28, VSPC): a user given BY NAME must never be confused with a same-named user of
 * another company. Without a prefetched list the adapter refuses an ambiguous name
 * (client/adapters/vspc.ts fetchUserByName); with one (several items: runItems.ts prefetchUsers →
 * client/adapters/snapshot.ts) `UserSnapshot.byName` keeps ONE user per lower-cased name, so the
 * other one is silently picked.
 */
import type { INodeParameters } from 'n8n-workflow';

import { VSPC_COMPANY_ALPHA_UID, VSPC_COMPANY_BETA_UID, type SimServer } from '../../sim';
import { byName } from '../nodes/Veeam/fixtures';
import { useVspc, type VspcFixture } from '../nodes/Veeam/vspc/fixture';

describe('review VSPC: names across companies', () => {
	let sim: SimServer;
	let h: VspcFixture;
	useVspc((s, f) => {
		sim = s;
		h = f;
	});

	const twins = () => {
		const a = h.vspc.addUser({ organizationUid: VSPC_COMPANY_ALPHA_UID, userName: 'jsmith', role: 'CompanyAdministrator' });
		const b = h.vspc.addUser({ organizationUid: VSPC_COMPANY_BETA_UID, userName: 'JSmith', role: 'CompanyAdministrator' });
		return [a.uid, b.uid];
	};
	const offboard = (name: string): INodeParameters => ({ resource: 'user', operation: 'offboard', user: byName(name) });

	it('one item: an ambiguous name is refused (control: the adapter look-up path)', async () => {
		twins();
		const run = await h.run(offboard('jsmith'), [{}], { continueOnFail: true });
		expect(String(run.json[0].error)).toMatch(/2 Veeam Service Provider Console users are named "jsmith"/);
		expect(h.vspc.snapshot().users as unknown[]).toEqual(expect.arrayContaining([expect.objectContaining({ userName: 'jsmith' }), expect.objectContaining({ userName: 'JSmith' })]));
	});

	// FINDING N1 (bug, H-adapter): with several items the prefetched snapshot keys users by
	// lower-cased name only; "jsmith" of Alpha and "JSmith" of Beta collapse into one entry and
	// Offboard deletes whichever came last, with no ambiguity error.
	it('several items: Offboard "jsmith" must not delete either same-named user silently', async () => {
		const [alpha, beta] = twins();
		const many = await h.run(
			{ resource: 'user', operation: 'offboard', user: { __rl: true, mode: 'name', value: '={{ $json.name }}' } },
			[{ name: 'jsmith' }, { name: 'alpha.user' }],
			{ continueOnFail: true },
		);
		const users = (sim.product as unknown as { snapshot(): { users: Array<{ instanceUid: string }> } }).snapshot().users.map((u) => u.instanceUid);
		// Both twins must still exist, and item 0 must be an error asking for the UID.
		expect(users).toEqual(expect.arrayContaining([alpha, beta]));
		expect(String(many.json[0].error)).toMatch(/named "jsmith"/);
	});
});

describe('review VSPC: look-alike names', () => {
	let h: VspcFixture;
	useVspc((_s, f) => {
		h = f;
	});

	// FINDING N2 (bug, H-adapter): names are compared with JavaScript's toLowerCase()
	// (userFilter.ts sameName, snapshot.ts byName), which folds the KELVIN SIGN U+212A to "k":
	// an item naming "\u212Aate" (a look-alike a CRM field can carry) offboards the user "kate".
	// VSPC (.NET, OrdinalIgnoreCase = upper-invariant) does not take them for one name. A name
	// must match the server's user by a comparison that never joins distinct characters
	// (e.g. toUpperCase() both, or exact after NFC).
	it('several items: Offboard "\\u212Aate" (Kelvin sign) does not offboard "kate"', async () => {
		const kate = h.vspc.addUser({ organizationUid: VSPC_COMPANY_ALPHA_UID, userName: 'kate', role: 'CompanyLocationUser' });
		const run = await h.run(
			{ resource: 'user', operation: 'offboard', user: { __rl: true, mode: 'name', value: '={{ $json.name }}' } },
			[{ name: '\u212Aate' }, { name: 'alpha.user' }],
			{ continueOnFail: true },
		);
		const uids = (h.vspc.snapshot().users as Array<{ instanceUid: string }>).map((u) => u.instanceUid);
		expect(uids).toContain(kate.uid);
		void run;
	});

	it('one item: Offboard "\\u212Aate" (Kelvin sign) does not offboard "kate"', async () => {
		const kate = h.vspc.addUser({ organizationUid: VSPC_COMPANY_ALPHA_UID, userName: 'kate', role: 'CompanyLocationUser' });
		await h.run({ resource: 'user', operation: 'offboard', user: { __rl: true, mode: 'name', value: '\u212Aate' } }, [{}], { continueOnFail: true });
		const uids = (h.vspc.snapshot().users as Array<{ instanceUid: string }>).map((u) => u.instanceUid);
		expect(uids).toContain(kate.uid);
	});
});

describe('review VSPC: Offboard of an absent name and another user\'s logins', () => {
	let h: VspcFixture;
	useVspc((_s, f) => {
		h = f;
	});

	// FINDING N3 (bug, H-ops/H-fix 02e88c3): when no user has the name, Offboard now deletes the
	// logins GET /users/logins lists under that userName (offboard.vspc.ts offboardAbsentVspc →
	// VspcAccess.listLoginsNamed, kept with toLowerCase sameName) and revokes their user's tokens,
	// without checking that their user UID is really gone. "\u212Aate" is no user (N2's strict
	// compare), but the name filter and sameName fold it into "kate": kate's API key is deleted
	// and her tokens revoked. Any login whose userName differs from its user's would do the same.
	it('Offboard "\\u212Aate" (no such user) leaves kate\'s API key alone', async () => {
		const kate = h.vspc.addUser({ organizationUid: VSPC_COMPANY_ALPHA_UID, userName: 'kate', role: 'CompanyLocationUser' });
		const { key, login } = h.vspc.addApiKey(kate.uid, { description: 'kate script' });
		await h.run({ resource: 'user', operation: 'offboard', user: { __rl: true, mode: 'name', value: '\u212Aate' } }, [{}], { continueOnFail: true, secrets: [key] });
		const logins = (h.vspc.snapshot().logins as Array<{ id: number | string; userUid: string }>).filter((l) => l.userUid === kate.uid).map((l) => String(l.id));
		expect(logins).toContain(String(login.id));
	});
});
