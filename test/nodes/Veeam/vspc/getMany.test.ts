/**
 * User → Get and Get Many on Veeam Service Provider Console, through n8n's engine against the
 * simulator: across every organization by default; filters by companies (names or UIDs), role,
 * status, MFA policy and name pattern, holding also when the server ignores the filter; outputs
 * name the organization; bad filters refused naming the field and the item.
 */
import type { INodeParameters } from 'n8n-workflow';

import { VSPC_COMPANY_ALPHA_INSTANCE_UID, VSPC_COMPANY_ALPHA_UID, VSPC_COMPANY_BETA_UID, type SimServer } from '../../../../sim';
import { byId, byName, errorText } from '../fixtures';
import { useVspc, type VspcFixture } from './fixture';

describe('VSPC: Get and Get Many', () => {
	let sim: SimServer;
	let h: VspcFixture;
	useVspc((s, f) => {
		sim = s;
		h = f;
	});

	const getMany = (filters: INodeParameters = {}, extra: INodeParameters = {}): INodeParameters => ({ resource: 'user', operation: 'getMany', returnAll: true, filters, ...extra });
	const names = (json: Array<Record<string, unknown>>) => json.map((j) => String(j.name)).sort();

	it('gets one user by name or UID with its organization, status, MFA policy and profile', async () => {
		const byNameRun = await h.run({ resource: 'user', operation: 'get', user: byName('ALPHA.ADMIN') });
		expect(byNameRun.json[0]).toMatchObject({
			name: 'alpha.admin',
			roles: [{ id: 'CompanyAdministrator', name: 'Company Administrator' }],
			organization: { uid: VSPC_COMPANY_ALPHA_UID, name: 'Alpha', type: 'Company' },
			status: 'Enabled',
			mfaPolicy: 'Disabled',
			profile: { firstName: 'John', lastName: 'Smith', email: h.user('alpha.admin')?.profile.email },
		});
		expect(byNameRun.json[0]).not.toHaveProperty('ref');
		const uid = String(h.user('alpha.admin')?.instanceUid);
		const byUid = await h.run({ resource: 'user', operation: 'get', user: byId(uid) });
		expect(byUid.json[0]).toMatchObject({ id: uid, name: 'alpha.admin' });
	});

	it('lists the users of every organization by default, each with its organization named', async () => {
		const run = await h.run(getMany());
		// (The route the bad-filter tests count: a good listing reads it.)
		expect(sim.stats.byRoute['GET /api/v3/users']).toBeGreaterThan(0);
		expect(names(run.json)).toEqual(names((h.vspc.snapshot().users as Array<{ userName: string }>).map((u) => ({ name: u.userName }))));
		expect(run.json.every((j) => typeof (j.organization as { name?: string })?.name === 'string')).toBe(true);
		expect(new Set(run.json.map((j) => (j.organization as { type: string }).type))).toEqual(new Set(['Provider', 'Reseller', 'Company']));
	});

	it('filters by companies (names or UIDs, one list or an expression list), role, status, MFA policy and name pattern', async () => {
		expect(names((await h.run(getMany({ companies: 'alpha, Beta' }))).json)).toEqual(['alpha.admin', 'alpha.owner', 'alpha.user', 'beta.owner']);
		expect(names((await h.run(getMany({ companies: `={{ ["${VSPC_COMPANY_BETA_UID}"] }}` }))).json)).toEqual(['beta.owner']);
		expect(names((await h.run(getMany({ companies: 'Reseller One' }))).json)).toEqual(['reseller1.owner']);
		// A company's own UID (GET /organizations/companies) stands for its organization.
		expect(names((await h.run(getMany({ companies: VSPC_COMPANY_ALPHA_INSTANCE_UID }))).json)).toEqual(['alpha.admin', 'alpha.owner', 'alpha.user']);
		expect(names((await h.run(getMany({ role: 'CompanyOwner' }))).json)).toEqual(['alpha.owner', 'beta.owner']);
		expect(names((await h.run(getMany({ role: 'Portal Administrator' }))).json)).toEqual(['administrator', 'mfa.admin']);
		expect(names((await h.run(getMany({ namePattern: 'alpha.*' }))).json)).toEqual(['alpha.admin', 'alpha.owner', 'alpha.user']);

		await h.run({ resource: 'user', operation: 'offboard', user: byName('alpha.user'), offboardMode: 'disable' });
		await h.run({ resource: 'user', operation: 'requireMfa', user: byName('alpha.admin') });
		expect(names((await h.run(getMany({ status: 'Disabled' }))).json)).toEqual(['alpha.user']);
		expect(names((await h.run(getMany({ companies: 'Alpha', status: 'Enabled', mfaPolicy: 'required' }))).json)).toEqual(['alpha.admin']);
		expect(names((await h.run(getMany({ companies: 'Alpha', mfaPolicy: 'notRequired' }))).json)).toEqual(['alpha.owner', 'alpha.user']);
	});

	it('the filters hold when the server ignores them (every user sent back)', async () => {
		sim.addFault({ kind: 'ignoreQuery', params: ['filter'], count: 100, method: 'GET', pathIncludes: '/users' });
		expect(names((await h.run(getMany({ companies: 'Beta' }))).json)).toEqual(['beta.owner']);
		expect(names((await h.run(getMany({ role: 'CompanyLocationUser', namePattern: 'alpha' }))).json)).toEqual(['alpha.user']);
	});

	it('Limit returns that many users', async () => {
		const run = await h.run(getMany({}, { returnAll: false, limit: 3 }));
		expect(run.json).toHaveLength(3);
	});

	it.each([
		[{ companies: 'Nowhere' }, /Companies \(item 0\): no company, reseller or provider named "Nowhere" or with this UID/],
		[{ companies: '={{ " , " }}' }, /Companies \(item 0\): is empty/],
		[{ role: '={{ "Boss" }}' }, /Role \(item 0\): "Boss" is not a Veeam Service Provider Console role/],
		[{ status: '={{ "Sleeping" }}' }, /Status \(item 0\): "Sleeping" is not one of Enabled, Disabled/],
		[{ mfaPolicy: '={{ "sometimes" }}' }, /MFA Policy \(item 0\): "sometimes" is not one of required, notRequired/],
		[{ namePattern: '={{ {"a": 1} }}' }, /Name Pattern \(item 0\): must be text, but the value is an object/],
	])('refuses the bad filter %j naming the field and the item, before listing', async (filters, message) => {
		const before = sim.stats.byRoute['GET /api/v3/users'] ?? 0;
		const run = await h.run(getMany(filters));
		expect(errorText(run)).toMatch(message);
		expect(sim.stats.byRoute['GET /api/v3/users'] ?? 0).toBe(before);
	});
});
