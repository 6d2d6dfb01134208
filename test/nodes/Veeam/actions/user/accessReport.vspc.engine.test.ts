/**
 * User → Access Report on Veeam Service Provider Console, through n8n's engine against the
 * simulator: administrators flagged by MFA policy and set-up, API keys counted per user (never a
 * key in the output), users of a company that no longer exists, organization columns, the summary;
 * what it reads (token, organizations, users, logins) and that it changes nothing.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { VSPC_COMPANY_ALPHA_UID, VSPC_COMPANY_BETA_UID, type SimServer } from '../../../../../sim';
import { changes, useVspc, type VspcFixture } from '../../vspc/fixture';

describe('VSPC: Access Report', () => {
	let sim: SimServer;
	let h: VspcFixture;
	useVspc((s, f) => {
		sim = s;
		h = f;
	});

	const report = (options: INodeParameters = {}): INodeParameters => ({ resource: 'user', operation: 'accessReport', reportOptions: options });
	const uid = (name: string) => String(h.user(name)?.instanceUid);
	const rowOf = (json: IDataObject[], name: string) => json.find((j) => j.name === name);

	it('flags admins by MFA policy and set-up, counts API keys, names the organization; reads once, changes nothing', async () => {
		// alpha.admin: Company Administrator, MFA not required, none set up.
		h.vspc.addUser({ organizationUid: VSPC_COMPANY_ALPHA_UID, userName: 'alpha.required', role: 'CompanyAdministrator', mfaPolicy: 'Enabled' });
		h.vspc.addUser({ organizationUid: VSPC_COMPANY_ALPHA_UID, userName: 'alpha.safe', role: 'CompanyAdministrator', mfaPolicy: 'Enabled' });
		h.vspc.addTotp(uid('alpha.safe'));
		h.vspc.addUser({ organizationUid: VSPC_COMPANY_ALPHA_UID, userName: 'alpha.optional', role: 'CompanyAdministrator', mfaPolicy: 'Disabled' });
		h.vspc.addTotp(uid('alpha.optional'));
		const keys = [h.vspc.addApiKey(uid('alpha.safe'), { description: 'backup script' }), h.vspc.addApiKey(uid('alpha.user')), h.vspc.addApiKey(uid('alpha.user'))];
		sim.stats.reset();

		const run = await h.run(report(), [{}], { secrets: keys.map((k) => k.key) });
		expect(run.error).toBeUndefined();
		expect(rowOf(run.json, 'alpha.admin')).toMatchObject({ isAdmin: true, flags: ['adminWithoutMfa'], organization: 'Alpha', organizationType: 'Company', mfaPolicy: 'Disabled', mfaConfigured: false, apiKeys: 0 });
		expect(rowOf(run.json, 'alpha.required')?.flags).toEqual(['adminMfaNotConfigured']);
		expect(rowOf(run.json, 'alpha.optional')?.flags).toEqual(['adminMfaNotRequired']);
		expect(rowOf(run.json, 'alpha.safe')).toMatchObject({ flags: ['adminApiKey'], apiKeys: 1, apiKeysEnabled: 1, mfaConfigured: true });
		expect(rowOf(run.json, 'alpha.user')).toMatchObject({ isAdmin: false, flags: [], apiKeys: 2 });
		expect((rowOf(run.json, 'alpha.admin')?.why as string[])[0]).toMatch(/password alone logs in/);
		const summary = run.json[run.json.length - 1];
		expect(summary).toMatchObject({ summary: true, apiKeys: 3, usersWithApiKeys: 2, keysOfUnlistedUsers: [], companyGone: 0 });
		expect(summary.text).toMatch(/3 API keys held by 2 users/);
		// The rows carry counts only: no login's parameters, no key.
		expect(JSON.stringify(run.json)).not.toMatch(/identifierInProvider|parameters/);
		// One page each: the token, the organizations (and the companies, for their status), the users, the logins.
		const routes = Object.entries(sim.stats.byRoute).filter(([, n]) => n > 0);
		expect(routes.map(([r]) => r).sort()).toEqual(expect.arrayContaining(['GET /api/v3/organizations', 'GET /api/v3/users', 'GET /api/v3/users/logins', 'POST /api/v3/token']));
		expect(routes.every(([r, n]) => n === 1 && (r === 'POST /api/v3/token' || r === 'GET /api/v3/users' || r === 'GET /api/v3/users/logins' || r.startsWith('GET /api/v3/organizations')))).toBe(true);
		expect(changes(sim)).toEqual([]);
	});

	it('flags the users of a company that no longer exists', async () => {
		h.vspc.removeCompany(VSPC_COMPANY_BETA_UID);
		const run = await h.run(report({ flaggedOnly: true }));
		expect(rowOf(run.json, 'beta.owner')).toMatchObject({ flags: expect.arrayContaining(['companyGone']), organizationUid: VSPC_COMPANY_BETA_UID, organizationExists: false, companyStatus: null });
		expect(rowOf(run.json, 'alpha.user')).toBeUndefined();
	});

	it('does not flag the users of a company in a REMOVED_… status as gone (enum values removed from the API: review R2); the status is shown as sent', async () => {
		h.vspc.setCompanyStatus(VSPC_COMPANY_BETA_UID, 'REMOVED_Deleting');
		const run = await h.run(report());
		expect(rowOf(run.json, 'beta.owner')).toMatchObject({ companyStatus: 'REMOVED_Deleting', organizationExists: true });
		expect(rowOf(run.json, 'beta.owner')?.flags).not.toContain('companyGone');
	});
});
