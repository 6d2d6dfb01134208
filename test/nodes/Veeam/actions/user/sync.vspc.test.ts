/**
 * User → Sync on Veeam Service Provider Console, through n8n's engine against the simulator: one
 * company (by name or UID) or the provider's own staff; rows with role, profile and Require MFA;
 * users of other organizations never touched; the owner protected; plan / approve / apply and the
 * safety limit as on every product; bad rows named by field and item with nothing sent.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { VSPC_COMPANY_ALPHA_UID, VSPC_COMPANY_BETA_UID, VSPC_DEFAULT_PASSWORD, VSPC_PROVIDER_UID, type SimServer } from '../../../../../sim';
import { VSPC_ROLE_NAMES } from '../../../../../client/adapters/vspcRoles';
import { changes, useVspc, type VspcFixture } from '../../vspc/fixture';

const PASSWORD = 'Sync-Passw0rd!42';

describe('VSPC: Sync of one company', () => {
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
		profileEmail: '={{ $json.email ?? "" }}',
		profileFirstName: '={{ $json.first ?? "" }}',
		syncMfa: '={{ $json.mfa ?? "keep" }}',
		password: PASSWORD,
		syncMode: 'plan',
		syncOptions: { maxRemovals: 10, maxRemovalPercent: 100 },
		...extra,
	});
	/** Alpha's CRM list: the admin with a new email, a new location user with MFA; alpha.user is not on it. */
	const LIST = [
		{ name: 'alpha.admin', role: 'CompanyAdministrator', email: 'john.smith@alpha.com' },
		{ name: 'alpha.new', role: 'CompanyLocationUser', email: 'new@alpha.com', first: 'Nina', mfa: 'required' },
	];
	const steps = (json: IDataObject[]) => json.map((j) => `${String(j.action)} ${String(j.name)}${j.result ? ` → ${String(j.result)}` : ''}`);
	const betaState = () => h.vspc.snapshot().users as IDataObject[];

	it('Plan: creates, updates the profile, removes who is not listed, keeps the owner; names the company; changes nothing', async () => {
		const before = JSON.stringify(betaState());
		const plan = await h.run(params(), LIST);
		expect(plan.error).toBeUndefined();
		expect(steps(plan.json)).toEqual(['create alpha.new', 'update alpha.admin', 'remove alpha.user', 'protected alpha.owner']);
		expect(plan.json.find((j) => j.name === 'alpha.admin')).toMatchObject({
			changes: ['email'],
			organization: 'Alpha',
			organizationUid: VSPC_COMPANY_ALPHA_UID,
			profileBefore: { email: 'j.smith@alpha.com' },
			profileAfter: { email: 'john.smith@alpha.com', firstName: 'John' },
		});
		expect(plan.json.find((j) => j.name === 'alpha.new')).toMatchObject({ mfaRequired: true, rolesAfter: [VSPC_ROLE_NAMES.CompanyLocationUser] });
		expect(plan.json.find((j) => j.name === 'alpha.owner')?.reason).toMatch(/Company Owner/);
		expect(JSON.stringify(betaState())).toBe(before);
		expect(changes(sim)).toEqual([]);
	});

	it('Apply with the approved plan: created in the company with profile and MFA, profile patched, removed user and its API key gone; Beta untouched; a rerun changes nothing', async () => {
		const victim = String(h.user('alpha.user')?.instanceUid);
		const { key } = h.vspc.addApiKey(victim, { description: 'old script' });
		const betaOwner = h.user('beta.owner');
		const plan = await h.run(params(), LIST);
		const apply = await h.run(params({ syncMode: 'apply', syncOptions: { approvedPlanId: String(plan.json[0].planId) } }), LIST, { secrets: [key] });
		expect(apply.error).toBeUndefined();
		expect(steps(apply.json)).toEqual(['create alpha.new → created', 'update alpha.admin → updated', 'remove alpha.user → removed', 'protected alpha.owner → nothingToDo']);
		expect(h.user('alpha.new')).toMatchObject({
			organizationUid: VSPC_COMPANY_ALPHA_UID,
			role: 'CompanyLocationUser',
			mfaPolicyStatus: 'Enabled',
			profile: expect.objectContaining({ email: 'new@alpha.com', firstName: 'Nina' }),
		});
		expect(h.user('alpha.admin')?.profile).toMatchObject({ email: 'john.smith@alpha.com', firstName: 'John', lastName: 'Smith' });
		expect(h.user('alpha.user')).toBeUndefined();
		expect(h.logins(victim)).toEqual([]);
		expect(h.user('beta.owner')).toEqual(betaOwner);
		const again = await h.run(params(), LIST);
		expect(steps(again.json)).toEqual(['protected alpha.owner', 'unchanged alpha.admin', 'unchanged alpha.new']);
	});

	it('the company by UID gives the same plan (and plan id) as by name; another company gives another id', async () => {
		const byName = await h.run(params(), LIST);
		const byUid = await h.run(params({ syncCompany: VSPC_COMPANY_ALPHA_UID.toUpperCase() }), LIST);
		expect(byUid.json.map((j) => [j.action, j.name])).toEqual(byName.json.map((j) => [j.action, j.name]));
		expect(byUid.json[0].planId).toBe(byName.json[0].planId);
		const newOnly = [{ name: 'someone.new', role: 'CompanyLocationUser' }];
		const alpha = await h.run(params({ syncOptions: { maxRemovals: 100, maxRemovalPercent: 100 } }), newOnly);
		const beta = await h.run(params({ syncCompany: 'Beta', syncOptions: { maxRemovals: 100, maxRemovalPercent: 100 } }), newOnly);
		expect(beta.json.find((j) => j.name === 'someone.new')?.planId).not.toBe(alpha.json.find((j) => j.name === 'someone.new')?.planId);
	});

	it('Apply refuses a plan that changed since it was approved, changing nothing', async () => {
		const plan = await h.run(params(), LIST);
		h.vspc.addUser({ organizationUid: VSPC_COMPANY_ALPHA_UID, userName: 'alpha.late', role: 'CompanyLocationUser' });
		const apply = await h.run(params({ syncMode: 'apply', syncOptions: { approvedPlanId: String(plan.json[0].planId) } }), LIST);
		expect(apply.error?.message).toMatch(/Approved Plan ID/);
		expect(changes(sim)).toEqual([]);
	});

	it('the safety limit counts the company\'s users only', async () => {
		for (let i = 0; i < 3; i++) h.vspc.addUser({ organizationUid: VSPC_COMPANY_BETA_UID, userName: `beta.u${i}`, role: 'CompanyLocationUser' });
		// Alpha: admin and user (owner protected); an empty list would take both: 100 % of Alpha.
		const apply = await h.run(params({ syncMode: 'apply', syncOptions: { maxRemovals: 10, maxRemovalPercent: 60 } }), [{ name: 'alpha.new', role: 'CompanyLocationUser' }]);
		expect(apply.error?.message).toMatch(/2 of 2 managed users \(100 %\)/);
		expect(changes(sim)).toEqual([]);
	});

	it("a listed name taken in another company: that user is not touched, the create fails naming where", async () => {
		const beta = h.user('beta.owner');
		const apply = await h.run(params({ syncMode: 'apply' }), [...LIST, { name: 'alpha.user', role: 'CompanyLocationUser' }, { name: 'beta.owner', role: 'CompanyLocationUser' }]);
		expect(apply.error?.message).toMatch(/beta\.owner/);
		expect(apply.error?.message).toMatch(/another organization \(Beta\)/);
		expect(h.user('beta.owner')).toEqual(beta);
	});

	it("the provider's own staff: Portal roles; company and reseller users never touched; the credential's account protected", async () => {
		const list = [
			{ name: 'administrator', role: 'PortalAdministrator' },
			{ name: 'operator', role: 'PortalOperator' },
		];
		const plan = await h.run(params({ syncOrganization: 'provider', syncMode: 'apply' }), list);
		expect(plan.error).toBeUndefined();
		expect(steps(plan.json)).toEqual(['remove mfa.admin → removed', 'remove readonly → removed', 'unchanged administrator → nothingToDo', 'unchanged operator → nothingToDo']);
		expect(plan.json.every((j) => j.organizationType === 'Provider')).toBe(true);
		for (const name of ['alpha.admin', 'alpha.user', 'alpha.owner', 'beta.owner', 'reseller1.owner']) expect(h.user(name)).toBeDefined();
	});

	it("the provider's own staff: a listed person who is not among them is refused (local user rules, not REST), in Plan and Apply, nothing changed", async () => {
		const list = [
			{ name: 'administrator', role: 'PortalAdministrator' },
			{ name: 'operator', role: 'PortalOperator' },
			{ name: 'staff.new', role: 'PortalReadonlyOperator' },
		];
		for (const syncMode of ['plan', 'apply']) {
			const run = await h.run(params({ syncOrganization: 'provider', syncMode }), list);
			expect(run.error?.message).toMatch(/"staff\.new" is not among the provider's staff.*local user rules/);
		}
		expect(changes(sim)).toEqual([]);
		expect(h.user('staff.new')).toBeUndefined();
		expect(h.user('readonly')).toBeDefined();
	});

	it("the provider's own staff: Apply refuses a plan that leaves no Portal Administrator, changing nothing; Plan warns", async () => {
		// The credential: a Site Administrator (not a Portal Administrator itself).
		h.vspc.addUser({ organizationUid: VSPC_PROVIDER_UID, userName: 'site.admin', role: 'SiteAdministrator', password: VSPC_DEFAULT_PASSWORD });
		h.resetCredential({ username: 'site.admin' });
		const list = [
			{ name: 'site.admin', role: 'SiteAdministrator' },
			{ name: 'operator', role: 'PortalOperator' },
			{ name: 'readonly', role: 'PortalReadonlyOperator' },
		];
		const plan = await h.run(params({ syncOrganization: 'provider' }), list);
		expect(plan.json.filter((j) => j.warning).map((j) => j.name)).toEqual(['administrator', 'mfa.admin']);
		const apply = await h.run(params({ syncOrganization: 'provider', syncMode: 'apply' }), list);
		expect(apply.error?.message).toMatch(/no user or group with the Portal Administrator role/);
		expect(changes(sim)).toEqual([]);
		expect(h.user('administrator')).toBeDefined();
	});

	it("an API-key credential: the key's own user is protected (the server says who it is), not removed", async () => {
		const operatorUid = String(h.user('operator')?.instanceUid);
		const { key } = h.vspc.addApiKey(operatorUid, { description: 'n8n' });
		h.addCredential('key', { authentication: 'apiKey', apiKey: key, username: '', password: '' });
		const list = [
			{ name: 'administrator', role: 'PortalAdministrator' },
			{ name: 'mfa.admin', role: 'PortalAdministrator' },
		];
		const run = await h.run(params({ syncOrganization: 'provider' }), list, { credentialId: 'key', secrets: [key] });
		expect(run.error).toBeUndefined();
		const operator = run.json.find((j) => j.name === 'operator');
		expect(operator).toMatchObject({ action: 'protected' });
		expect(operator?.reason).toMatch(/the account this node's credential logs in with/);
		expect(run.json.find((j) => j.name === 'readonly')?.action).toBe('remove');
	});

	it.each([
		['a role of another organization type', { name: 'x', role: 'PortalAdministrator' }, /Role Names or IDs \(item 1\): Portal Administrator is not a role of a Company \(Alpha\)/],
		['the owner role for someone new', { name: 'x', role: 'CompanyOwner' }, /Role Names or IDs \(item 1\): "x" is not the Company Owner, and a sync never makes one/],
		['the owner role for another user', { name: 'alpha.user', role: 'CompanyOwner' }, /Role Names or IDs \(item 1\): "alpha.user" is not the Company Owner/],
		['two roles', { name: 'x', role: 'CompanyLocationUser, CompanyAdministrator' }, /Role Names or IDs \(item 1\).*exactly one role/],
		['a bad email', { name: 'x', role: 'CompanyLocationUser', email: 'not-an-address' }, /Email \(item 1\): "not-an-address" does not match VSPC's e-mail pattern/],
		['an email VSPC refuses (a 7-letter top-level domain)', { name: 'x', role: 'CompanyLocationUser', email: 'x@alpha.example' }, /Email \(item 1\): "x@alpha.example" does not match/],
		['a bad Require MFA', { name: 'x', role: 'CompanyLocationUser', mfa: 'sometimes' }, /Require MFA \(item 1\)/],
	])('bad row (%s): fails naming the field and the item, nothing sent', async (_what, row, message) => {
		const run = await h.run(params({ syncMode: 'apply' }), [LIST[0], row]);
		expect(run.error?.message).toMatch(message);
		expect(changes(sim)).toEqual([]);
	});

	it('a company status REMOVED_… is not read as a removed company (enum values removed from the API: review R2): planned as any company', async () => {
		h.vspc.setCompanyStatus(VSPC_COMPANY_BETA_UID, 'REMOVED_Deleting');
		const run = await h.run(params({ syncCompany: 'Beta', syncMode: 'plan' }), LIST);
		expect(run.error?.message ?? '').not.toMatch(/removed/);
		expect(changes(sim)).toEqual([]);
	});

	it('the owner may be listed as it is (its profile kept up to date); another role for it is not given', async () => {
		const list = [...LIST, { name: 'alpha.user', role: 'CompanyLocationUser' }, { name: 'alpha.owner', role: 'CompanyOwner', email: 'boss@alpha.com' }];
		const plan = await h.run(params({ syncMode: 'apply' }), list);
		expect(plan.error).toBeUndefined();
		expect(plan.json.find((j) => j.name === 'alpha.owner')).toMatchObject({ action: 'update', changes: ['email'], result: 'updated' });
		expect(h.user('alpha.owner')).toMatchObject({ role: 'CompanyOwner', profile: expect.objectContaining({ email: 'boss@alpha.com' }) });
		const demote = await h.run(params({ syncMode: 'apply' }), [...LIST, { name: 'alpha.user', role: 'CompanyLocationUser' }, { name: 'alpha.owner', role: 'CompanyAdministrator' }]);
		expect(demote.json.find((j) => j.name === 'alpha.owner')).toMatchObject({ action: 'protected', result: 'nothingToDo' });
		expect(h.user('alpha.owner')?.role).toBe('CompanyOwner');
	});

	it('an unknown company, or a new user without a password: clear error, nothing sent', async () => {
		expect((await h.run(params({ syncCompany: 'Nope Ltd', syncMode: 'apply' }), LIST)).error?.message).toMatch(/Company/);
		const noPassword = await h.run(params({ syncMode: 'apply', password: '' }), LIST);
		expect(noPassword.error?.message).toMatch(/Password \(item 1\): is empty, but "alpha.new" does not exist yet/);
		expect(changes(sim)).toEqual([]);
	});

	it("Require MFA: Not Required where the company's policy requires it is left, and said", async () => {
		h.vspc.setOrganizationMfa(VSPC_COMPANY_ALPHA_UID, true);
		const plan = await h.run(params(), [{ name: 'alpha.admin', role: 'CompanyAdministrator', mfa: 'notRequired' }, { name: 'alpha.user', role: 'CompanyLocationUser' }]);
		const admin = plan.json.find((j) => j.name === 'alpha.admin');
		expect(admin).toMatchObject({ action: 'unchanged', mfaPolicyBefore: 'EnabledByInheritance' });
		expect(admin?.mfaNote).toMatch(/cannot be lifted per user/);
	});
});
