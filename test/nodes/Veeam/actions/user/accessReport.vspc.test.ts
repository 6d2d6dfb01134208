/**
 * The Access Report's VSPC rows, pure: which administrators are flagged for MFA (policy off and not
 * set up; required but not set up; set up but not required; not said), an admin's enabled API key,
 * users of companies that no longer exist, and the API key count (from the logins, never a key).
 */
import type { VeeamUser } from '../../../../../client/adapters';
import type { VspcLogin, VspcOrganization } from '../../../../../client/vspcModel';
import { vspcRowOf, vspcSummary, type VspcReportData } from '../../../../../nodes/Veeam/actions/user/accessReport.vspc';

const ALPHA: VspcOrganization = { uid: 'a1', name: 'Alpha', type: 'Company', status: 'Active' };
const GONE: VspcOrganization = { uid: 'g1', name: 'Gone Ltd', type: 'Company', status: 'REMOVED_Deleted' };
const SP: VspcOrganization = { uid: 'p1', name: 'Provider', type: 'Provider' };

function user(ref: string, org: string, extra: Partial<VeeamUser> = {}): VeeamUser {
	return { ref, name: ref, type: 'Company', roles: [{ id: 'CompanyAdministrator', name: 'Company Administrator' }], isDirectoryAccount: false, isGroup: false, organization: { uid: org }, ...extra };
}
function login(userUid: string, kind: VspcLogin['kind'], status = 'enabled', id = `${userUid}-${kind}-${status}`): VspcLogin {
	return { id, userUid, kind, provider: kind === 'apiKey' ? 'AK' : 'VSPC', status, scopes: ['rest'] };
}
function data(logins: VspcLogin[]): VspcReportData {
	const byUser = new Map<string, VspcLogin[]>();
	for (const l of logins) byUser.set(l.userUid.toLowerCase(), [...(byUser.get(l.userUid.toLowerCase()) ?? []), l]);
	return { organizations: new Map([ALPHA, GONE, SP].map((o) => [o.uid, o])), logins: byUser };
}

describe('Access Report rows on VSPC', () => {
	it.each([
		['Disabled', false, ['adminWithoutMfa']],
		['Disabled', true, ['adminMfaNotRequired']],
		['Enabled', false, ['adminMfaNotConfigured']],
		['EnabledByInheritance', false, ['adminMfaNotConfigured']],
		['Enabled', true, []],
		['EnabledByInheritance', true, []],
		['Unknown', true, ['adminMfaUnknown']],
		[undefined, false, ['adminMfaUnknown']],
		['Enabled', undefined, ['adminMfaUnknown']],
	])('an administrator with MFA policy %s, configured %s: %j', (mfaPolicy, mfaConfigured, flags) => {
		const u = user('u', 'a1', { mfaPolicy, mfaConfigured });
		expect(vspcRowOf(u, true, data([])).flags).toEqual(flags);
		// Not an administrator: no MFA flag at all.
		expect(vspcRowOf(u, false, data([])).flags).toEqual([]);
	});

	it('counts API keys from the logins (never a key) and flags an administrator with an enabled one', () => {
		const d = data([login('u', 'apiKey'), login('u', 'apiKey', 'disabled'), login('u', 'password'), login('u', 'totp'), login('v', 'apiKey')]);
		const row = vspcRowOf(user('u', 'a1', { mfaPolicy: 'Enabled', mfaConfigured: true }), true, d);
		expect(row.flags).toEqual(['adminApiKey']);
		expect(row.columns).toMatchObject({ apiKeys: 2, apiKeysEnabled: 1, logins: 4, organization: 'Alpha', companyStatus: 'Active', organizationExists: true });
		expect(JSON.stringify(row.columns)).not.toMatch(/parameters|secret/i);
		// Only disabled keys: no flag.
		expect(vspcRowOf(user('w', 'a1', { mfaPolicy: 'Enabled', mfaConfigured: true }), true, data([login('w', 'apiKey', 'disabledDueToUser')])).flags).toEqual([]);
	});

	it('flags users of an organization not listed (not one in a REMOVED_… status: review R2); not a user whose organization the server does not name', () => {
		expect(vspcRowOf(user('x', 'zz'), false, data([])).flags).toEqual(['companyGone']);
		expect(vspcRowOf(user('x', 'zz'), false, data([])).columns).toMatchObject({ organizationExists: false, companyStatus: null, organizationUid: 'zz' });
		expect(vspcRowOf(user('y', 'g1'), false, data([])).flags).toEqual([]);
		expect(vspcRowOf(user('y', 'g1'), false, data([])).columns).toMatchObject({ organization: 'Gone Ltd', companyStatus: 'REMOVED_Deleted' });
		expect(vspcRowOf(user('z', 'a1'), false, data([])).flags).toEqual([]);
		expect(vspcRowOf(user('p', 'p1'), false, data([])).flags).toEqual([]);
		expect(vspcRowOf({ ...user('n', 'a1'), organization: undefined }, false, data([])).flags).toEqual([]);
	});

	it("summary: organizations, API keys of the listed users, and the keys of users not listed by login ID (review R1)", () => {
		const d = data([login('u', 'apiKey'), login('u', 'apiKey', 'disabled'), login('v', 'apiKey'), login('ghost', 'apiKey')]);
		const summary = vspcSummary([user('u', 'a1'), user('v', 'a1')], d);
		expect(summary.fields).toMatchObject({ organizations: 3, apiKeys: 3, usersWithApiKeys: 2, keysOfUnlistedUsers: [{ kind: 'apiKey', status: 'enabled', userUid: 'ghost' }] });
		expect(summary.text).toMatch(/1 key login \(1 enabled\) of users not listed/);
	});
});
