/**
 * The VSPC part of the trigger's state (nodes/VeeamTrigger/vspcState.ts): organizations, status,
 * MFA policy and logins round-trip, and the whole state stays under 40 bytes per user at a
 * provider's scale (issue 28: 500 companies, 50,000 users), measured as n8n stores it.
 */
import type { IDataObject } from 'n8n-workflow';

import { diffUsers, type TrackedUser } from '../../../nodes/VeeamTrigger/diff';
import { configFingerprint, decodeState, encodeState } from '../../../nodes/VeeamTrigger/state';
import { vspcSeededUsers } from './fixtures';

const CFG = configFingerprint(['vspc', 'https://vspc.example.com:1280', '3.6']);

function roundTrip(users: TrackedUser[]): Map<string, TrackedUser> {
	const decoded = decodeState(JSON.parse(JSON.stringify(encodeState(users, CFG))) as IDataObject, CFG);
	if (!decoded.ok) throw new Error(decoded.reason);
	return decoded.users;
}

/** A user as an item shows it: undefined fields dropped, logins in ID order. */
const plain = (u: TrackedUser) => JSON.parse(JSON.stringify({ ...u, logins: u.logins && [...u.logins].sort((a, b) => Number(a.id) - Number(b.id)) })) as IDataObject;

describe('VSPC state', () => {
	it('round-trips organizations, status, MFA policy, MFA set up and logins, and sees no change', () => {
		const users: TrackedUser[] = vspcSeededUsers(2_000, 40, { extra: 0.3 });
		// The unusual: no organization, unknown status and policy, logins not read, no login, text login IDs, a huge ID.
		users.push(
			{ ref: 'c37dac86-f273-4133-9bcd-00000000aaaa', id: 'c37dac86-f273-4133-9bcd-00000000aaaa', name: 'orphan', type: 'Unknown', roles: [], isDirectoryAccount: false, isGroup: false, logins: [] },
			{ ref: 'c37dac86-f273-4133-9bcd-00000000bbbb', id: 'c37dac86-f273-4133-9bcd-00000000bbbb', name: 'no.logins.read', type: 'Company', roles: [{ id: 'CompanyTenant', name: 'Company Tenant' }], status: 'Unknown', isDirectoryAccount: false, isGroup: false },
			{
				ref: 'c37dac86-f273-4133-9bcd-00000000cccc',
				id: 'c37dac86-f273-4133-9bcd-00000000cccc',
				name: 'odd.ids',
				type: 'Provider',
				roles: [{ id: 'PortalOperator', name: 'Portal Operator' }],
				organization: { uid: 'c37dac86-f273-4133-9bcd-0000000000f0' },
				mfaPolicy: 'EnabledByInheritance',
				mfaEnabled: true,
				isDirectoryAccount: false,
				isGroup: false,
				logins: [
					{ id: '999999999999999', kind: 'apiKey', provider: 'AK' },
					{ id: '0042', kind: 'rsaKey', provider: 'AA' },
					{ id: '9007199254740993', kind: 'password', provider: 'VSPC' },
				],
			},
		);
		const decoded = roundTrip(users);
		expect(decoded.size).toBe(users.length);
		for (const u of users) {
			const back = decoded.get(u.ref);
			expect(back && plain(back)).toEqual(plain(u));
		}
		expect(diffUsers(decoded, new Map(users.map((u) => [u.ref, u])))).toEqual([]);
	});

	it('is under 40 bytes per user at 500 companies and 50,000 users (as n8n stores it)', () => {
		const users = vspcSeededUsers(50_000, 500);
		const bytes = Buffer.byteLength(JSON.stringify(encodeState(users, CFG)));
		const perUser = bytes / users.length;
		console.log(`VSPC state: ${bytes} bytes for ${users.length} users (${perUser.toFixed(2)} bytes per user)`);
		expect(perUser).toBeLessThan(40);
		// And it is the whole truth: decoded, nothing differs.
		expect(diffUsers(roundTrip(users), new Map(users.map((u) => [u.ref, u])))).toEqual([]);
	});

	it('a damaged VSPC part is a malformed state (a new baseline), never a wrong diff', () => {
		const stored = JSON.parse(JSON.stringify(encodeState(vspcSeededUsers(20, 3), CFG))) as IDataObject & { vspc: { pv: number[][]; orgs: string[][] } };
		const broken = { ...stored, vspc: { ...stored.vspc, pv: stored.vspc.pv.slice(1) } };
		expect(decodeState(broken, CFG)).toMatchObject({ ok: false, reason: expect.stringContaining('malformed') });
		const fewerOrgs = { ...stored, vspc: { ...stored.vspc, orgs: stored.vspc.orgs.slice(0, 1) } };
		expect(decodeState(fewerOrgs, CFG)).toMatchObject({ ok: false, reason: expect.stringContaining('bad organization index') });
	});
});
