/**
 * User → Onboard and Promote on Veeam Service Provider Console, through n8n's engine against the
 * simulator: into a company (by name or UID), a reseller or the provider; idempotent; an existing
 * user of another organization, a role the organization type does not have, an Owner role and bad
 * profile fields refused per item with nothing sent; continue-on-fail per item.
 */
import type { INodeParameters, NodeParameterValueType } from 'n8n-workflow';

import { VSPC_COMPANY_ALPHA_INSTANCE_UID, VSPC_COMPANY_ALPHA_UID, VSPC_COMPANY_BETA_UID, VSPC_RESELLER_UID, type SimServer } from '../../../../sim';
import { VSPC_ROLE_NAMES } from '../../../../client/adapters/vspcRoles';
import { byId, byName, errorText } from '../fixtures';
import { changes, useVspc, type VspcFixture } from './fixture';

const PASSWORD = 'N3w-Hire-Passw0rd!';

describe('VSPC: Onboard and Promote', () => {
	let sim: SimServer;
	let h: VspcFixture;
	useVspc((s, f) => {
		sim = s;
		h = f;
	});

	const onboard = (params: INodeParameters = {}): INodeParameters => ({
		resource: 'user',
		operation: 'onboard',
		userName: '={{ $json.name }}',
		organizationType: 'company',
		company: 'Alpha',
		roles: 'CompanyAdministrator',
		password: PASSWORD,
		...params,
	});

	it('onboards a company admin by company name with profile and MFA required, and outputs no password', async () => {
		const run = await h.run(
			onboard({ firstName: 'Jane', lastName: 'Doe', email: 'jane.doe@alpha.com', profileFields: { title: 'Ms', phone: '301 329 9338' }, mfaRequired: true }),
			[{ name: 'jane.doe' }],
			{ secrets: [PASSWORD] },
		);
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({
			action: 'created',
			user: {
				name: 'jane.doe',
				roles: [{ id: 'CompanyAdministrator', name: 'Company Administrator' }],
				organization: { uid: VSPC_COMPANY_ALPHA_UID, name: 'Alpha', type: 'Company' },
				status: 'Enabled',
				mfaPolicy: 'Enabled',
				profile: { firstName: 'Jane', lastName: 'Doe', email: 'jane.doe@alpha.com', title: 'Ms', phone: '301 329 9338' },
			},
		});
		expect(h.user('jane.doe')).toMatchObject({ organizationUid: VSPC_COMPANY_ALPHA_UID, role: 'CompanyAdministrator', mfaPolicyStatus: 'Enabled' });
		expect(changes(sim)).toEqual([['user.create', 'jane.doe']]);
	});

	it('onboards into a company by UID and into a reseller, each with a role of its kind', async () => {
		const run = await h.run(onboard({ company: VSPC_COMPANY_BETA_UID, roles: 'CompanyLocationUser' }), [{ name: 'beta.hire' }]);
		expect(run.json[0]).toMatchObject({ action: 'created', user: { organization: { uid: VSPC_COMPANY_BETA_UID, name: 'Beta' } } });
		// The company's own UID (GET /organizations/companies), which differs from its organization's, works too.
		const byCompanyUid = await h.run(onboard({ company: VSPC_COMPANY_ALPHA_INSTANCE_UID, roles: 'CompanyLocationUser' }), [{ name: 'alpha.hire' }]);
		expect(byCompanyUid.json[0]).toMatchObject({ action: 'created', user: { organization: { uid: VSPC_COMPANY_ALPHA_UID, name: 'Alpha' } } });
		expect(h.user('alpha.hire')?.organizationUid).toBe(VSPC_COMPANY_ALPHA_UID);
		const reseller = await h.run(onboard({ organizationType: 'reseller', reseller: 'reseller one', roles: 'ResellerOperator' }), [{ name: 'res.op' }]);
		expect(reseller.json[0]).toMatchObject({ action: 'created', user: { roles: [{ id: 'ResellerOperator' }], organization: { uid: VSPC_RESELLER_UID, type: 'Reseller' } } });
	});

	it('is idempotent: the same hire again is unchanged (nothing sent); a new role, profile field or MFA makes it match; "Error" fails', async () => {
		await h.run(onboard({ email: 'raj@alpha.com' }), [{ name: 'raj' }]);
		const before = sim.log.since().length;
		const again = await h.run(onboard({ email: 'raj@alpha.com' }), [{ name: 'raj' }]);
		expect(again.json[0]).toMatchObject({ action: 'unchanged', before: ['Company Administrator'] });
		expect(sim.log.since()).toHaveLength(before);

		const changed = await h.run(onboard({ roles: 'CompanyLocationAdministrator', email: 'raj.patel@alpha.com', mfaRequired: true }), [{ name: 'raj' }]);
		expect(changed.json[0]).toMatchObject({
			action: 'updated',
			before: ['Company Administrator'],
			changed: ['role', 'profile.email', 'mfaPolicy'],
			user: { roles: [{ id: 'CompanyLocationAdministrator' }], mfaPolicy: 'Enabled', profile: { email: 'raj.patel@alpha.com' } },
		});
		expect(h.user('raj')).toMatchObject({ role: 'CompanyLocationAdministrator', mfaPolicyStatus: 'Enabled', profile: { email: 'raj.patel@alpha.com' } });

		const strict = await h.run(onboard({ ifExists: 'error' }), [{ name: 'raj' }]);
		expect(errorText(strict)).toMatch(/User Name \(item 0\): VSPC already has a user named "raj" .* in company "Alpha"/);
		expect(changes(sim).filter(([a]) => a === 'user.create')).toHaveLength(1);
	});

	it("Require MFA of an existing user whose policy is only inherited sets the user's own, which stays when the company's is lifted (review M1)", async () => {
		await h.run(onboard(), [{ name: 'inherits' }]);
		h.vspc.setOrganizationMfa(VSPC_COMPANY_ALPHA_UID, true);
		expect(h.user('inherits')?.mfaPolicyStatus).toBe('EnabledByInheritance');
		const run = await h.run(onboard({ mfaRequired: true }), [{ name: 'inherits' }]);
		expect(run.json[0]).toMatchObject({ action: 'updated', changed: ['mfaPolicy'] });
		h.vspc.setOrganizationMfa(VSPC_COMPANY_ALPHA_UID, false);
		expect(h.user('inherits')?.mfaPolicyStatus).toBe('Enabled');
		// Its own policy set: the same hire again is unchanged.
		const again = await h.run(onboard({ mfaRequired: true }), [{ name: 'inherits' }]);
		expect(again.json[0]).toMatchObject({ action: 'unchanged' });
	});

	it('enables a disabled user again when onboarding it (Offboard Mode Disable undone)', async () => {
		await h.run(onboard(), [{ name: 'back.again' }]);
		await h.run({ resource: 'user', operation: 'offboard', user: byName('back.again'), offboardMode: 'disable' });
		expect(h.user('back.again')?.status).toBe('Disabled');
		const run = await h.run(onboard(), [{ name: 'back.again' }]);
		expect(run.json[0]).toMatchObject({ action: 'updated', changed: ['status'], statusBefore: 'Disabled', user: { status: 'Enabled' } });
		expect(h.user('back.again')?.status).toBe('Enabled');
	});

	it('fails an existing user of another organization (VSPC cannot move users), whatever If the User Already Exists says, with nothing sent', async () => {
		for (const ifExists of ['makeRolesMatch', 'skip']) {
			const before = sim.stats.requests;
			const beforeChanges = sim.log.since().length;
			const run = await h.run(onboard({ company: 'Beta', roles: 'CompanyAdministrator', ifExists }), [{ name: 'alpha.admin' }]);
			expect(errorText(run)).toMatch(/User Name \(item 0\): VSPC already has a user named "alpha.admin" .* in company "Alpha", not in company "Beta"/);
			expect(sim.log.since()).toHaveLength(beforeChanges);
			expect(sim.stats.requests).toBeGreaterThan(before);
		}
		expect(h.user('alpha.admin')).toMatchObject({ organizationUid: VSPC_COMPANY_ALPHA_UID, role: 'CompanyAdministrator' });
	});

	it.each([
		[{ roles: 'PortalAdministrator' }, /Role \(item 0\): Portal Administrator is a role of the provider's own staff, and Company "Alpha" is a company/],
		[{ organizationType: 'reseller', reseller: 'Reseller One', roles: 'CompanyAdministrator' }, /Role \(item 0\): Company Administrator is a role of a company's users/],
		[{ roles: 'CompanyOwner' }, /Role \(item 0\): Company Owner is given by VSPC to one user per company/],
		[{ roles: 'Boss' }, /Role \(item 0\): unknown role "Boss"/],
		[{ company: 'Gamma' }, /Company \(item 0\): no company named "Gamma" or with this UID/],
		[{ company: 'Reseller One' }, /Company \(item 0\): no company named "Reseller One" .*"Reseller One" is a reseller/],
		[{ company: '={{ "" }}' }, /Company \(item 0\): is empty/],
		[{ password: '={{ "" }}' }, /Password \(item 0\): is empty/],
		[{ email: 'not-an-address' }, /Email \(item 0\): "not-an-address" does not match VSPC's e-mail pattern/],
		[{ profileFields: { title: 'Dr' } }, /Title \(item 0\): "Dr" is not one of Unknown, Mr, Miss, Mrs, Ms/],
		[{ profileFields: { phone: 'x'.repeat(513) } }, /Phone \(item 0\): is 513 characters long; VSPC takes at most 512/],
		[{ userName: 'bad\u0007name' }, /User Name \(item 0\): the name holds control characters/],
		[{ organizationType: 'galaxy' }, /Organization Type \(item 0\): "galaxy" is not one of company, reseller, provider/],
		// The provider's staff are Windows accounts (local user rules), not REST-created users.
		[{ organizationType: '={{ "provider" }}', reseller: 'n/a', roles: '={{ "PortalOperator" }}' }, /Organization Type \(item 0\): the provider's own staff cannot be created over REST/],
		// A subtenant needs a cloud backup resource the node does not set.
		[{ roles: '={{ "CompanySubtenant" }}' }, /Role \(item 0\): Subtenant needs a cloud backup resource/],
	])('refuses bad input %j naming the field and the item, with nothing changed', async (params, message) => {
		const before = sim.log.since().length;
		const run = await h.run(onboard(params), [{ name: 'new.user' }]);
		expect(errorText(run)).toMatch(message);
		expect(sim.log.since()).toHaveLength(before);
		expect(h.user('new.user')).toBeUndefined();
	});

	it('with Continue On Fail, a bad item becomes an error item and the others are onboarded', async () => {
		const run = await h.run(onboard({ company: '={{ $json.company }}' }), [{ name: 'ok.one', company: 'Alpha' }, { name: 'bad.one', company: 'Nowhere' }, { name: 'ok.two', company: 'Beta' }], { continueOnFail: true });
		expect(run.json.map((j) => j.action ?? j.error)).toEqual(['created', expect.stringMatching(/Company \(item 1\): no company named "Nowhere"/), 'created']);
		expect(run.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(h.user('bad.one')).toBeUndefined();
	});

	it('Promote refuses an Owner role in any item before any item is sent', async () => {
		const before = sim.log.since().length;
		const run = await h.run({ resource: 'user', operation: 'promote', user: { __rl: true, mode: 'name', value: '={{ $json.name }}' }, roles: ['={{ $json.role }}'] }, [
			{ name: 'alpha.user', role: 'CompanyAdministrator' },
			{ name: 'alpha.admin', role: 'CompanyOwner' },
		]);
		expect(errorText(run)).toMatch(/Role Names or IDs \(item 1\): Company Owner is given by VSPC to one user per company/);
		expect(sim.log.since()).toHaveLength(before);
		expect(h.user('alpha.user')?.role).toBe('CompanyLocationUser');
	});

	it('promotes within the organization type, by name or ID; refuses another type\'s role, an Owner, and the last Portal Administrator', async () => {
		const promote = async (user: NodeParameterValueType, roles: string) => await h.run({ resource: 'user', operation: 'promote', user, roles: [roles] });
		const up = await promote(byName('alpha.user'), 'CompanyAdministrator');
		expect(up.json[0]).toMatchObject({ action: 'updated', before: [VSPC_ROLE_NAMES.CompanyLocationUser], after: [VSPC_ROLE_NAMES.CompanyAdministrator], user: { organization: { name: 'Alpha' } } });
		expect(h.user('alpha.user')?.role).toBe('CompanyAdministrator');
		const same = await promote(byId(String(h.user('alpha.user')?.instanceUid)), 'Company Administrator');
		expect(same.json[0]).toMatchObject({ action: 'unchanged' });

		const before = sim.log.since().length;
		expect(errorText(await promote(byName('alpha.user'), 'PortalAdministrator'))).toMatch(/Role Names or IDs \(item 0\): Portal Administrator is a role of the provider's own staff/);
		expect(errorText(await promote(byName('alpha.admin'), 'CompanyOwner'))).toMatch(/Company Owner is given by VSPC to one user per company/);
		expect(errorText(await promote(byName('alpha.admin'), 'CompanySubtenant'))).toMatch(/Role Names or IDs \(item 0\): Subtenant needs a cloud backup resource/);
		expect(errorText(await promote(byName('alpha.owner'), 'CompanyAdministrator'))).toMatch(/"alpha.owner" is the Company Owner of "Alpha"/);
		expect(sim.log.since()).toHaveLength(before);

		// The provider has two Portal Administrators: demoting one is fine, the last one is refused.
		const mfaAdmin = await promote(byName('mfa.admin'), 'PortalOperator');
		expect(mfaAdmin.json[0]).toMatchObject({ action: 'updated' });
		const last = await promote(byName('administrator'), 'PortalOperator');
		expect(errorText(last)).toMatch(/"administrator" is the last user or group with the Portal Administrator role/);
		expect(h.user('administrator')?.role).toBe('PortalAdministrator');
	});
});
