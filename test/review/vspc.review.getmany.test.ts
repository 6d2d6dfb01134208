/**
 * Review (issue 28, VSPC Get Many): "a filter the user asked for holds whatever the server does
 * with it", with a Limit, across companies, when the server ignores `filter` (and `sort`).
 */
import type { IDataObject } from 'n8n-workflow';

import { VSPC_COMPANY_ALPHA_UID, VSPC_COMPANY_BETA_UID, type SimServer } from '../../sim';
import { useVspc, type VspcFixture } from '../nodes/Veeam/vspc/fixture';

describe('review VSPC: Get Many filters when the server ignores them', () => {
	let sim: SimServer;
	let h: VspcFixture;
	useVspc((s, f) => {
		sim = s;
		h = f;
	});

	it.each([
		['companies', { companies: 'Beta' }, (u: IDataObject) => (u.organization as IDataObject).uid === VSPC_COMPANY_BETA_UID],
		['role', { role: 'CompanyAdministrator' }, (u: IDataObject) => ((u.roles as IDataObject[])[0].id as string) === 'CompanyAdministrator'],
		['status', { status: 'Disabled' }, (u: IDataObject) => u.status === 'Disabled'],
		['mfaPolicy required', { mfaPolicy: 'required' }, (u: IDataObject) => u.mfaEnabled === true],
		['name pattern', { namePattern: '*.admin' }, (u: IDataObject) => String(u.name).endsWith('.admin')],
	])('%s holds with Limit 2 when the server ignores filter and sort', async (_what, filters, holds) => {
		for (let n = 0; n < 4; n++) h.vspc.addUser({ organizationUid: n % 2 ? VSPC_COMPANY_ALPHA_UID : VSPC_COMPANY_BETA_UID, userName: `u${n}.admin`, role: 'CompanyAdministrator', mfaPolicy: n % 2 ? 'Enabled' : 'Disabled' });
		sim.addFault({ kind: 'ignoreQuery', params: ['filter', 'sort'], method: 'GET', pathIncludes: '/api/v3/users', count: 10_000 });
		const run = await h.run({ resource: 'user', operation: 'getMany', returnAll: false, limit: 2, filters }, [{}], { continueOnFail: true });
		expect(run.error).toBeUndefined();
		const users = run.json.filter((j) => !('error' in j));
		expect(users.every((u) => holds(u))).toBe(true);
	});
});

describe('review VSPC: Get Many at page edges', () => {
	let h: VspcFixture;
	useVspc((_s, f) => {
		h = f;
	});

	// 9 users to start with; 491 more make exactly 500 (one full page), 492 one past it, 991 two pages + 0.
	it.each([491, 492, 991])('Return All with %i seeded users returns every user once', async (count) => {
		h.vspc.seedUsers({ count });
		const run = await h.run({ resource: 'user', operation: 'getMany', returnAll: true, filters: {} });
		expect(run.error).toBeUndefined();
		const ids = run.json.map((j) => String(j.id));
		expect(new Set(ids).size).toBe(ids.length);
		expect(ids.length).toBe((h.vspc.snapshot().users as unknown[]).length);
	});
});
