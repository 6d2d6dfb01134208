/**
 * The Veeam Trigger on Veeam Service Provider Console, through n8n's engine against the VSPC
 * simulator over HTTPS: the users of every organization (provider, resellers, companies), their
 * role, status, MFA policy and logins; users and logins read with their pages in parallel; never a
 * removal the server does not show, whatever its pages do.
 */
import type { IDataObject } from 'n8n-workflow';

import { VSPC_COMPANY_ALPHA_UID, VSPC_COMPANY_BETA_UID, VSPC_MFA_USER, startSimulator, type SimServer } from '../../../sim';
import { shutdownEngine } from '../../support/engine';
import { STATIC_KEY, activate, emitted, snapshotUsers, summary } from './harness';
import { vspcProduct } from './vspcHarness';
import { VSPC_LOGINS, VSPC_USERS, VspcAdmin, vspcComparable, vspcTruth } from './vspcHarness';

const EVENTS = ['userAdded', 'userRemoved', 'rolesChanged', 'mfaChanged', 'statusChanged', 'loginsChanged', 'otherFieldsChanged'];
const ALPHA_USER = 'c37dac86-f273-4133-9bcd-000000000008';
const ALPHA_ADMIN = 'c37dac86-f273-4133-9bcd-000000000007';

describe('vspc', () => {
	let sim: SimServer;
	let admin: VspcAdmin;

	beforeAll(async () => {
		// Pages of 5: the dozen users and their logins take several pages, read in parallel.
		sim = await startSimulator({ product: 'vspc', vspc: { maxPageSize: 5, limitOverMax: 'clamp' } });
		admin = new VspcAdmin(sim);
	});
	afterAll(async () => {
		await sim.close();
		await shutdownEngine();
	});
	beforeEach(async () => {
		sim.reset();
		sim.faults.clear();
		await admin.login();
	});

	async function baselined(events = EVENTS) {
		const activation = activate(sim, 'vspc', { events });
		const first = await activation.poll();
		expect(first.error).toBeUndefined();
		expect(first.response).toBeNull();
		return activation;
	}

	/** The snapshot the trigger holds now equals the server (with logins when they are watched). */
	function expectSnapshotIsTheTruth(staticData: IDataObject, logins = true) {
		const snapshot = snapshotUsers(sim, 'vspc', staticData);
		const held = new Map([...(snapshot ?? new Map()).values()].map((u) => [u.ref.toLowerCase(), vspcComparable(u as unknown as IDataObject, logins)]));
		expect(Object.fromEntries([...held].sort())).toEqual(Object.fromEntries([...vspcTruth(sim, logins)].sort()));
	}

	it('records a baseline of every user of every organization, with organization, status, MFA policy and logins, and emits nothing', async () => {
		const activation = activate(sim, 'vspc', { events: EVENTS });
		const first = await activation.poll();
		expect(first.error).toBeUndefined();
		expect(first.response).toBeNull();
		expectSnapshotIsTheTruth(first.workflowStaticData);
		const snapshot = snapshotUsers(sim, 'vspc', first.workflowStaticData);
		expect(snapshot?.get(VSPC_MFA_USER.uid)).toMatchObject({ type: 'Provider', organization: { type: 'Provider' }, mfaConfigured: true, logins: [{ kind: 'password' }, { kind: 'totp', provider: 'TOTP' }] });
		expect(snapshot?.get(ALPHA_ADMIN)).toMatchObject({ type: 'Company', roles: [{ id: 'CompanyAdministrator', name: 'Company Administrator' }], organization: { uid: VSPC_COMPANY_ALPHA_UID }, status: 'Enabled', mfaPolicy: 'Disabled' });
		// Both lists were read page by page after their first page (pages of 5).
		const stats = sim.stats;
		expect(stats.byRoute[`GET ${VSPC_USERS}`]).toBe(Math.ceil(vspcTruth(sim, false).size / 5));
		expect(stats.byRoute[`GET ${VSPC_LOGINS}`]).toBeGreaterThan(1);
	});

	it('reads the logins list with only the fields it keeps (select); a server that ignores select is read the same', async () => {
		const activation = await baselined();
		const key = await admin.addApiKey(ALPHA_ADMIN, 'billing export');
		sim.stats.reset();
		const selected = await activation.poll();
		expect(summary(selected)).toEqual([['loginsChanged', 'alpha.admin']]);
		const pages = sim.stats.recent.filter((r) => r.startsWith(`GET ${VSPC_LOGINS}?`));
		expect(pages.length).toBeGreaterThan(1);
		for (const page of pages) {
			const select = JSON.parse(new URLSearchParams(page.slice(page.indexOf('?') + 1)).get('select') ?? '[]') as Array<{ propertyPath: string }>;
			expect(select.map((s) => s.propertyPath).sort()).toEqual(['description', 'id', 'identityProviderName', 'isReadAccessOnly', 'scopes', 'status', 'userUid']);
		}
		const [login] = (emitted(selected)[0].changes as Array<{ added: IDataObject[] }>)[0].added;
		expect(login).toMatchObject({ kind: 'apiKey', description: 'billing export', status: 'enabled' });
		// The same change seen by a server that sends whole logins: no event (the snapshot is the same).
		await admin.deleteLogin(ALPHA_ADMIN, key);
		sim.addFault({ kind: 'ignoreQuery', params: ['select'], method: 'GET', pathIncludes: VSPC_LOGINS, count: 100 });
		expect(summary(await activation.poll())).toEqual([['loginsChanged', 'alpha.admin']]);
		expect(summary(await activation.poll())).toEqual([]);
		expectSnapshotIsTheTruth(activation.workflow.staticData);
	});

	it('reports each kind of change once, across companies, with the user now and as it was', async () => {
		const activation = await baselined();
		const added = await admin.addUser(VSPC_COMPANY_BETA_UID, 'beta.ops', 'CompanyAdministrator', { mfaRequired: true });
		await admin.setRole(ALPHA_USER, 'CompanyLocationAdministrator');
		await admin.setMfaRequired(ALPHA_ADMIN, true);
		await admin.setStatus('c37dac86-f273-4133-9bcd-000000000003', 'Disabled');
		const key = await admin.addApiKey(ALPHA_ADMIN, 'billing export');
		await admin.removeUser('c37dac86-f273-4133-9bcd-000000000004');
		const result = await activation.poll();
		expect(result.error).toBeUndefined();
		expect(summary(result)).toEqual([
			['mfaChanged', 'alpha.admin'],
			['loginsChanged', 'alpha.admin'],
			['rolesChanged', 'alpha.user'],
			['userAdded', 'beta.ops'],
			['statusChanged', 'operator'],
			['userRemoved', 'readonly'],
		]);
		const items = emitted(result);
		const by = (event: string, name: string) => items.find((i) => i.event === event && ((i.user ?? i.previous) as IDataObject).name === name) as IDataObject;
		expect(by('userAdded', 'beta.ops')).toMatchObject({
			product: 'vspc',
			user: { id: added, name: 'beta.ops', type: 'Company', organization: { uid: VSPC_COMPANY_BETA_UID, type: 'Company' }, roles: [{ id: 'CompanyAdministrator', name: 'Company Administrator' }], status: 'Enabled', mfaPolicy: 'Enabled', mfaEnabled: true, mfaConfigured: false, logins: [{ kind: 'password', provider: 'VSPC', status: 'enabled' }] },
			previous: null,
		});
		// The role as the adapter names it (client/adapters/vspcRoles.ts), the API's value as its ID.
		const role = { name: expect.any(String), description: expect.any(String) };
		expect(by('rolesChanged', 'alpha.user').changes).toEqual([{ field: 'roles', from: [{ id: 'CompanyLocationUser', ...role }], to: [{ id: 'CompanyLocationAdministrator', ...role }] }]);
		expect(by('mfaChanged', 'alpha.admin').changes).toEqual([
			{ field: 'mfaPolicy', from: 'Disabled', to: 'Enabled' },
			{ field: 'mfaEnabled', from: false, to: true },
		]);
		expect(by('statusChanged', 'operator')).toMatchObject({ changes: [{ field: 'status', from: 'Enabled', to: 'Disabled' }], user: { status: 'Disabled' }, previous: { status: 'Enabled' } });
		const logins = (by('loginsChanged', 'alpha.admin').changes as IDataObject[])[0];
		expect(logins).toMatchObject({ field: 'logins', removed: [], added: [{ id: key, kind: 'apiKey', provider: 'AK', description: 'billing export', scopes: ['rest'], status: 'enabled' }] });
		expect((logins.from as IDataObject[]).map((l) => l.kind)).toEqual(['password']);
		expect((logins.to as IDataObject[]).map((l) => l.kind)).toEqual(['password', 'apiKey']);
		expect(by('userRemoved', 'readonly')).toMatchObject({ user: null, previous: { name: 'readonly', roles: [{ id: 'PortalReadonlyOperator' }], organization: { type: 'Provider' }, logins: [{ kind: 'password' }] } });
		// No secret in any item: an API key's value is shown once, at its creation, and never listed.
		expect(JSON.stringify(items)).not.toMatch(/parameters|identifierInProvider/);
		expectSnapshotIsTheTruth(result.workflowStaticData);

		// Nothing changed: nothing emitted. Then the API key goes, the user sets up an authenticator.
		expect((await activation.poll()).response).toBeNull();
		await admin.deleteLogin(ALPHA_ADMIN, key);
		const totp = admin.addTotp(ALPHA_USER);
		const next = await activation.poll();
		expect(summary(next)).toEqual([
			['loginsChanged', 'alpha.admin'],
			['mfaChanged', 'alpha.user'],
			['loginsChanged', 'alpha.user'],
		]);
		const [gone, configured, totpAdded] = emitted(next);
		expect((gone.changes as IDataObject[])[0]).toMatchObject({ added: [], removed: [{ id: key, kind: 'apiKey', provider: 'AK' }] });
		expect(configured.changes).toEqual([{ field: 'mfaConfigured', from: false, to: true }]);
		expect((totpAdded.changes as IDataObject[])[0]).toMatchObject({ added: [{ id: totp, kind: 'totp', provider: 'TOTP' }], removed: [] });
		expectSnapshotIsTheTruth(next.workflowStaticData);
	});

	it('without "Logins Changed" the logins are neither read nor kept; choosing it later starts with them unknown, never a flood', async () => {
		const activation = await baselined(['userAdded', 'statusChanged']);
		expect(sim.stats.byRoute[`GET ${VSPC_LOGINS}`]).toBeUndefined();
		expect([...(snapshotUsers(sim, 'vspc', activation.workflow.staticData) ?? new Map()).values()].every((u) => u.logins === undefined)).toBe(true);
		await admin.addApiKey(ALPHA_ADMIN);
		await admin.setStatus(ALPHA_USER, 'Disabled');
		expect(summary(await activation.poll())).toEqual([['statusChanged', 'alpha.user']]);
		// Now with logins: the first poll learns them (nothing to compare with), the next reports changes.
		const withLogins = activate(sim, 'vspc', { events: EVENTS, staticData: activation.workflow.staticData });
		expect((await withLogins.poll()).response).toBeNull();
		expectSnapshotIsTheTruth(withLogins.workflow.staticData);
		await admin.addApiKey(ALPHA_USER);
		expect(summary(await withLogins.poll())).toEqual([['loginsChanged', 'alpha.user']]);
	});

	it('"Fetch Test Event" without a real change: current users shaped as the chosen events, marked as samples', async () => {
		const activation = activate(sim, 'vspc', { events: ['statusChanged', 'loginsChanged', 'mfaChanged'] });
		const manual = await activation.pollManually();
		expect(manual.error).toBeUndefined();
		const items = emitted(manual);
		expect(items.map((i) => [i.event, i.sample])).toEqual([
			['mfaChanged', true],
			['statusChanged', true],
			['loginsChanged', true],
			['mfaChanged', true],
			['statusChanged', true],
		]);
		for (const item of items) {
			const [change] = item.changes as Array<{ from: unknown; to: unknown }>;
			expect(change.from).not.toEqual(change.to);
		}
		expect(items[1]).toMatchObject({ changes: [{ field: 'status' }], user: { status: expect.any(String) } });
		expect((items[2].changes as IDataObject[])[0]).toMatchObject({ field: 'logins', added: [{ kind: expect.any(String) }], removed: [] });
	});

	describe('a partial or shifting read never reports a change the server does not show', () => {
		const USERS_ONLY = ['userAdded', 'userRemoved', 'rolesChanged', 'mfaChanged', 'statusChanged', 'otherFieldsChanged'];
		/**
		 * Requests to the user list (pages), to the list filtered by UID (look-ups of several users at
		 * once) and to single users (`GET /users/{uid}`), from the simulator's recent requests (not the
		 * adapter's one-user probe that a 404 look-up sends: `limit=1`).
		 */
		const userRequests = () => {
			const recent = sim.stats.recent.filter((r) => r.startsWith(`GET ${VSPC_USERS}`));
			const listed = recent.filter((r) => r.startsWith(`GET ${VSPC_USERS}?`) && !/[?&]limit=1(&|$)/.test(r));
			const byUid = (r: string) => (new URLSearchParams(r.slice(r.indexOf('?') + 1)).get('filter') ?? '').includes('"instanceUid"');
			return {
				pages: listed.filter((r) => !byUid(r)).length,
				batches: listed.filter(byUid).length,
				lookups: recent.filter((r) => /\/users\/[0-9a-f-]{36}(\?|$)/.test(r)).length,
			};
		};

		beforeEach(() => {
			// 9 + 11 users: four pages of 5.
			vspcProduct(sim).seedUsers({ count: 11, organizationUid: VSPC_COMPANY_ALPHA_UID });
		});

		it('a page short of its count on every reading: its users are looked up, none is called removed; a real removal still is, once', async () => {
			const activation = await baselined(USERS_ONLY);
			await admin.removeUser(ALPHA_USER);
			sim.stats.reset();
			// After the first page, one page of each reading comes back empty (`count` 2: both readings).
			sim.addFault({ kind: 'patch', set: { data: [] }, method: 'GET', pathIncludes: VSPC_USERS, after: 1, count: 1 });
			sim.addFault({ kind: 'patch', set: { data: [] }, method: 'GET', pathIncludes: VSPC_USERS, after: 5, count: 1 });
			const result = await activation.poll();
			expect(result.error).toBeUndefined();
			expect(summary(result)).toEqual([['userRemoved', 'alpha.user']]);
			expect(sim.faults.pending()).toEqual([]);
			// Two readings of 4 pages; the 5 users of the empty page looked up (the removed one among them, or
			// on its own): in one request, the list filtered by their UIDs, none one by one.
			expect(userRequests()).toEqual({ pages: 8, batches: 1, lookups: 0 });
			expectSnapshotIsTheTruth(result.workflowStaticData, false);
		});

		it('a server that ignores the look-up\'s filter: those users are looked up one by one, none is called removed for missing from its answer', async () => {
			const activation = await baselined(USERS_ONLY);
			await admin.removeUser(ALPHA_USER);
			sim.stats.reset();
			sim.addFault({ kind: 'patch', set: { data: [] }, method: 'GET', pathIncludes: VSPC_USERS, after: 1, count: 1 });
			sim.addFault({ kind: 'patch', set: { data: [] }, method: 'GET', pathIncludes: VSPC_USERS, after: 5, count: 1 });
			// After the two readings (8 pages), the list no longer applies `filter`: the look-up gets the
			// first page of everyone, where the 5 users of the empty page are not (they are on another page).
			sim.addFault({ kind: 'ignoreQuery', params: ['filter'], method: 'GET', pathIncludes: VSPC_USERS, after: 6, count: 20 });
			const result = await activation.poll();
			expect(result.error).toBeUndefined();
			expect(summary(result)).toEqual([['userRemoved', 'alpha.user']]);
			const requests = userRequests();
			expect(requests).toMatchObject({ pages: 8, batches: 1 });
			expect(requests.lookups).toBeGreaterThanOrEqual(5);
			expectSnapshotIsTheTruth(result.workflowStaticData, false);
		});

		it('a total that moves while the list is read: read again; moving on every reading, what is missing is looked up', async () => {
			const activation = await baselined(USERS_ONLY);
			const total = vspcTruth(sim, false).size;
			sim.stats.reset();
			sim.addFault({ kind: 'patch', set: { meta: { pagingInfo: { total: total + 3, count: 5, offset: 5 } } }, method: 'GET', pathIncludes: VSPC_USERS, after: 1, count: 1 });
			const once = await activation.poll();
			expect(once.error).toBeUndefined();
			expect(once.response).toBeNull();
			expect(userRequests()).toEqual({ pages: 8, batches: 0, lookups: 0 });
			// Every page but the first of every reading announces another total, and brings nothing.
			sim.stats.reset();
			sim.addFault({ kind: 'patch', set: { meta: { pagingInfo: { total: total - 2, count: 0, offset: 5 } }, data: [] }, method: 'GET', pathIncludes: VSPC_USERS, after: 1, count: 3 });
			sim.addFault({ kind: 'patch', set: { meta: { pagingInfo: { total: total - 2, count: 0, offset: 5 } }, data: [] }, method: 'GET', pathIncludes: VSPC_USERS, after: 2, count: 3 });
			const moving = await activation.poll();
			expect(moving.error).toBeUndefined();
			expect(moving.response).toBeNull();
			expect(userRequests().lookups).toBe(total - 5);
			expectSnapshotIsTheTruth(moving.workflowStaticData, false);
		});

		it('users sent twice (another page repeated in place of its own): kept once, the missing looked up, no event', async () => {
			const activation = await baselined(USERS_ONLY);
			const firstPage = (await admin.page(VSPC_USERS, 0, 5)).data;
			sim.addFault({ kind: 'patch', set: { data: firstPage }, method: 'GET', pathIncludes: VSPC_USERS, after: 1, count: 2 });
			sim.addFault({ kind: 'patch', set: { data: firstPage }, method: 'GET', pathIncludes: VSPC_USERS, after: 5, count: 1 });
			const result = await activation.poll();
			expect(result.error).toBeUndefined();
			expect(result.response).toBeNull();
			expectSnapshotIsTheTruth(result.workflowStaticData, false);
		});

		it('a failed page fails the poll: nothing emitted, nothing stored; the next poll reports the changes once', async () => {
			const activation = await baselined();
			await admin.removeUser(ALPHA_USER);
			await admin.setStatus(ALPHA_ADMIN, 'Disabled');
			const before = JSON.stringify(activation.workflow.staticData[STATIC_KEY]);
			sim.addFault({ kind: 'status', status: 500, method: 'GET', pathIncludes: VSPC_LOGINS, after: 1 });
			const failed = await activation.poll();
			expect(failed.error).toBeDefined();
			expect(failed.response).toBeNull();
			expect(JSON.stringify(failed.workflowStaticData[STATIC_KEY])).toBe(before);
			const next = await activation.poll();
			expect(summary(next)).toEqual([
				['statusChanged', 'alpha.admin'],
				['userRemoved', 'alpha.user'],
			]);
		});

		it('a logins page short of its count: those users\' logins are read directly, no login is called removed', async () => {
			const activation = await baselined();
			const key = await admin.addApiKey(ALPHA_ADMIN, 'kept');
			expect(summary(await activation.poll())).toEqual([['loginsChanged', 'alpha.admin']]);
			sim.stats.reset();
			// One page of the logins list (every reading) comes back empty.
			sim.addFault({ kind: 'patch', set: { data: [] }, method: 'GET', pathIncludes: VSPC_LOGINS, after: 1, count: 1 });
			sim.addFault({ kind: 'patch', set: { data: [] }, method: 'GET', pathIncludes: VSPC_LOGINS, after: 6, count: 1 });
			const result = await activation.poll();
			expect(result.error).toBeUndefined();
			expect(result.response).toBeNull();
			expect(sim.stats.recent.filter((r) => r.startsWith(`GET ${VSPC_LOGINS}?filter`)).length).toBeGreaterThan(0);
			expectSnapshotIsTheTruth(result.workflowStaticData);
			// And a real removal is still seen.
			await admin.deleteLogin(ALPHA_ADMIN, key);
			expect(summary(await activation.poll())).toEqual([['loginsChanged', 'alpha.admin']]);
		});
	});
});

