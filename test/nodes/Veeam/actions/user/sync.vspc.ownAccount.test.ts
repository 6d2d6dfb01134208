/**
 * Sync on VSPC, the own-account guard (the credential's own account is never removed or changed) at
 * the cost the issue asks for: with a user name in the credential the company's users are compared
 * with it (.NET OrdinalIgnoreCase, and Veeam's "Company Name\User" login form) and the server is
 * asked who the credential is (`GET /users/me`) only where the names cannot say; the companies list
 * (status, reseller) is not read for a Sync.
 */
import type { IDataObject, IExecuteFunctions, INodeParameters } from 'n8n-workflow';

import type { UserDirectory, VeeamUser } from '../../../../../client/adapters';
import type { VspcOrganization } from '../../../../../client/vspcModel';
import { VSPC_COMPANY_ALPHA_INSTANCE_UID, VSPC_COMPANY_ALPHA_UID, VSPC_DEFAULT_PASSWORD, type SimServer } from '../../../../../sim';
import { credentialAccountAmong } from '../../../../../nodes/Veeam/helpers/vspc';
import { changes, useVspc, type VspcFixture } from '../../vspc/fixture';

const ME = 'GET /api/v3/users/me';
const COMPANIES = 'GET /api/v3/organizations/companies';

describe('VSPC Sync: the own-account guard from the credential\'s user name', () => {
	let sim: SimServer;
	let h: VspcFixture;
	useVspc((s, f) => {
		sim = s;
		h = f;
	});

	const params = (extra: INodeParameters = {}): INodeParameters => ({
		resource: 'user',
		operation: 'sync',
		syncOrganization: 'company',
		syncCompany: 'Alpha',
		scope: 'all',
		userName: '={{ $json.name }}',
		roles: '={{ $json.role }}',
		syncMode: 'plan',
		syncOptions: { maxRemovals: 10, maxRemovalPercent: 100 },
		...extra,
	});

	it('a credential that logs in as a user of the company (its name in another case): that user is protected, the server not asked who it is, no companies list read', async () => {
		h.vspc.addUser({ organizationUid: VSPC_COMPANY_ALPHA_UID, userName: 'alpha.sync', role: 'CompanyAdministrator', password: VSPC_DEFAULT_PASSWORD });
		h.resetCredential({ username: 'ALPHA.SYNC' });
		sim.stats.reset();
		// A list without alpha.sync: the plan would remove it, but for the guard.
		const plan = await h.run(params(), [{ name: 'alpha.admin', role: 'CompanyAdministrator' }]);
		expect(plan.error).toBeUndefined();
		const own = plan.json.find((j) => j.name === 'alpha.sync');
		expect(own).toMatchObject({ action: 'protected' });
		expect(own?.reason).toMatch(/the account this node's credential logs in with/);
		expect(plan.json.find((j) => j.name === 'alpha.user')?.action).toBe('remove');
		expect(sim.stats.byRoute[ME]).toBeUndefined();
		expect(sim.stats.byRoute[COMPANIES]).toBeUndefined();
		expect(changes(sim)).toEqual([]);
	});

	it('a provider\'s credential (no user of the company has its name): Plan reads the token, the organizations and the company\'s users only', async () => {
		sim.stats.reset();
		const plan = await h.run(params(), [{ name: 'alpha.admin', role: 'CompanyAdministrator' }]);
		expect(plan.error).toBeUndefined();
		expect(Object.keys(sim.stats.byRoute).filter((r) => (sim.stats.byRoute[r] ?? 0) > 0).sort()).toEqual(['GET /api/v3/organizations', 'GET /api/v3/users', 'POST /api/v3/token']);
	});

	it('Sync by the company\'s own UID (not its organization\'s) still finds it: the companies list is read then', async () => {
		// Alpha's Company resource UID differs from its organization's (as in Veeam's Expand example).
		expect(VSPC_COMPANY_ALPHA_INSTANCE_UID.toLowerCase()).not.toBe(VSPC_COMPANY_ALPHA_UID.toLowerCase());
		sim.stats.reset();
		const plan = await h.run(params({ syncCompany: VSPC_COMPANY_ALPHA_INSTANCE_UID }), [{ name: 'alpha.admin', role: 'CompanyAdministrator' }]);
		expect(plan.error).toBeUndefined();
		expect(plan.json[0]).toMatchObject({ organizationUid: VSPC_COMPANY_ALPHA_UID });
		expect(sim.stats.byRoute[COMPANIES]).toBeGreaterThan(0);
	});
});

describe('credentialAccountAmong (which users of an organization are the credential\'s account)', () => {
	const alpha: VspcOrganization = { uid: VSPC_COMPANY_ALPHA_UID, name: 'Alpha', type: 'Company' };
	const user = (name: string, ref = `00000000-0000-4000-8000-${String(name.length).padStart(12, '0')}`): VeeamUser => ({ ref, id: ref, name, type: 'Company', roles: [], isDirectoryAccount: false, isGroup: false });
	const users = [user('alpha.admin', '00000000-0000-4000-8000-000000000001'), user('alpha.user', '00000000-0000-4000-8000-000000000002'), user('Kelvin', '00000000-0000-4000-8000-000000000003')];

	function setup(credentials: IDataObject, me?: VeeamUser) {
		const asked = jest.fn(async () => me ?? users[0]);
		const ctx = { getCredentials: async () => credentials } as unknown as IExecuteFunctions;
		const directory = { product: 'vspc', vspc: () => ({ me: asked }) } as unknown as UserDirectory;
		return { asked, test: async () => await credentialAccountAmong(ctx, directory, users, alpha) };
	}
	const protectedNames = (is: (u: VeeamUser) => boolean) => users.filter(is).map((u) => u.name);

	it.each([
		['the user\'s name', 'alpha.admin', ['alpha.admin']],
		['the name in another case (OrdinalIgnoreCase)', 'ALPHA.Admin', ['alpha.admin']],
		['"Company Name\\User" of this company', 'alpha\\alpha.admin', ['alpha.admin']],
		['a name no user of the company has', 'administrator', []],
		['another name written with a domain', 'VSPC\\administrator', []],
		// OrdinalIgnoreCase folds no Kelvin sign (U+212A) to k.
		['the Kelvin sign for a k', '\u212Aelvin', []],
	])('from %s: decided by the names, the server not asked', async (_what, username, expected) => {
		const { asked, test } = setup({ authentication: 'password', username });
		expect(protectedNames(await test())).toEqual(expected);
		expect(asked).not.toHaveBeenCalled();
	});

	it('"Prefix\\User" whose prefix is not the company\'s name (a login alias, or another organization\'s account) with a user of that name: the server says', async () => {
		const yes = setup({ authentication: 'password', username: 'alf\\alpha.user' }, users[1]);
		expect(protectedNames(await yes.test())).toEqual(['alpha.user']);
		expect(yes.asked).toHaveBeenCalledTimes(1);
		const no = setup({ authentication: 'password', username: 'beta\\alpha.user' }, user('alpha.user', '00000000-0000-4000-8000-0000000000ff'));
		expect(protectedNames(await no.test())).toEqual([]);
		expect(no.asked).toHaveBeenCalledTimes(1);
	});

	it('an API-key credential (no name): the server says', async () => {
		const key = setup({ authentication: 'apiKey', apiKey: 'k', username: '' }, users[1]);
		expect(protectedNames(await key.test())).toEqual(['alpha.user']);
		expect(key.asked).toHaveBeenCalledTimes(1);
	});
});
