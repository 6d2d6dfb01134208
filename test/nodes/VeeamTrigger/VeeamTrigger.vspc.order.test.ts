/**
 * The VSPC poll asks for its two lists in the order the trigger's state keeps users: by
 * organization, then user name (users by `organizationUid`, logins by `companyId`, each then by
 * `userName` and by a unique key). Each user and login is then made where the next one of its
 * organization was made, and the comparison with the stored state and the writing of the new one
 * walk memory in order: at 50,000 users across 500 companies that took a third off their time
 * (bench/vspc.ts). The order is a request, never relied on: a server that sends another order gives
 * the same events and the same stored state.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSimulator, VSPC_COMPANY_ALPHA_UID, VSPC_COMPANY_BETA_UID, type SimServer } from '../../../sim';
import { shutdownEngine } from '../../support/engine';
import { aroundRoutes } from '../../support/simRoutes';
import { activate, emitted, STATIC_KEY } from './harness';
import { VSPC_LOGINS, VSPC_USERS, VspcAdmin, vspcProduct } from './vspcHarness';

const ALL = ['userAdded', 'userRemoved', 'rolesChanged', 'mfaChanged', 'statusChanged', 'loginsChanged', 'otherFieldsChanged'];

/** The `sort` of each page read of a list (requests with an offset), as sent. */
function sortsOf(recent: readonly string[], path: string): unknown[] {
	return recent
		.filter((r) => r.startsWith(`GET ${path}?`))
		.map((r) => new URLSearchParams(r.slice(r.indexOf('?') + 1)))
		.filter((q) => q.has('offset') && !q.has('filter'))
		.map((q) => JSON.parse(q.get('sort') ?? 'null') as unknown);
}

/** Items without the poll's time, to compare two polls' items. */
const timeless = (items: IDataObject[]) => items.map((item) => ({ ...item, detectedAt: undefined }));

describe('VSPC poll: the lists asked by organization, then name', () => {
	let sim: SimServer;
	/** When set, the simulator's user and login lists come in another order than asked (below). */
	let reversed = false;
	/** When set, the user and login lists name users by UIDs in upper case (a server may: a UID compares without case). */
	let upper = false;
	beforeAll(async () => {
		sim = await startSimulator({ product: 'vspc', vspc: { maxPageSize: 7, limitOverMax: 'clamp' } });
		aroundRoutes(
			sim,
			(method, path) => method === 'GET' && (path === VSPC_USERS || path === VSPC_LOGINS),
			async (req, handler, path) => {
				if (reversed && req.query.has('offset') && !req.query.has('filter')) {
					req.query.set('sort', JSON.stringify([{ property: path === VSPC_USERS ? 'instanceUid' : 'id', direction: 'descending' }]));
				}
				const answer = await handler(req);
				const data = (answer.body as { data?: IDataObject[] } | undefined)?.data;
				if (upper && Array.isArray(data)) {
					for (const item of data) for (const key of ['instanceUid', 'userUid']) if (typeof item[key] === 'string') item[key] = (item[key] as string).toUpperCase();
				}
				return answer;
			},
		);
	});
	afterAll(async () => {
		await sim.close();
		await shutdownEngine();
	});
	beforeEach(() => {
		sim.reset();
		sim.faults.clear();
		reversed = false;
		upper = false;
		vspcProduct(sim).seedUsers({ count: 30, organizationUid: VSPC_COMPANY_ALPHA_UID });
		vspcProduct(sim).seedUsers({ count: 25, organizationUid: VSPC_COMPANY_BETA_UID, prefix: 'beta.user' });
	});

	it('asks for users by organization, user name and UID, and for logins by company, user name and ID', async () => {
		sim.stats.reset();
		const result = await activate(sim, 'vspc', { events: ALL }).poll();
		expect(result.error).toBeUndefined();
		const users = sortsOf(sim.stats.recent, VSPC_USERS);
		const logins = sortsOf(sim.stats.recent, VSPC_LOGINS);
		// Every page of both lists (several pages each at 7 a page), all in the same order.
		expect(users.length).toBeGreaterThan(3);
		expect(logins.length).toBeGreaterThan(3);
		expect(new Set(users.map((s) => JSON.stringify(s))).size).toBe(1);
		expect(new Set(logins.map((s) => JSON.stringify(s))).size).toBe(1);
		expect(users[0]).toEqual([
			{ property: 'organizationUid', direction: 'ascending' },
			{ property: 'userName', direction: 'ascending', collation: 'ignorecase' },
			{ property: 'instanceUid', direction: 'ascending' },
		]);
		expect(logins[0]).toEqual([
			{ property: 'companyId', direction: 'ascending' },
			{ property: 'userName', direction: 'ascending', collation: 'ignorecase' },
			{ property: 'id', direction: 'ascending' },
		]);
	});

	it('gives the same events and stores the same state when the server sends its lists in another order', async () => {
		const asked = activate(sim, 'vspc', { events: ALL });
		const other = activate(sim, 'vspc', { events: ALL });
		expect((await asked.poll()).error).toBeUndefined();
		reversed = true;
		expect((await other.poll()).error).toBeUndefined();
		reversed = false;
		const state = (a: typeof asked) => (a.savedStaticData as IDataObject)[STATIC_KEY];
		expect(state(other)).toEqual(state(asked));

		// Changes in both companies: a user added, one removed, a role, a status, an API key.
		const admin = new VspcAdmin(sim);
		await admin.login();
		const everyone: IDataObject[] = [];
		for (let offset = 0; ; offset += 7) {
			const page = (await admin.page(VSPC_USERS, offset, 7)).data;
			everyone.push(...page);
			if (page.length < 7) break;
		}
		const alpha = everyone.filter((u) => u.organizationUid === VSPC_COMPANY_ALPHA_UID && u.role === 'CompanyLocationUser');
		const beta = everyone.filter((u) => u.organizationUid === VSPC_COMPANY_BETA_UID && u.role === 'CompanyLocationUser');
		await admin.addUser(VSPC_COMPANY_BETA_UID, 'aaa.new.user', 'CompanyAdministrator');
		await admin.removeUser(String(alpha[3].instanceUid));
		await admin.setRole(String(beta[5].instanceUid), 'CompanyAdministrator');
		await admin.setStatus(String(alpha[10].instanceUid), 'Disabled');
		await admin.addApiKey(String(beta[0].instanceUid));

		const first = await asked.poll();
		reversed = true;
		const second = await other.poll();
		reversed = false;
		expect(first.error).toBeUndefined();
		expect(second.error).toBeUndefined();
		const events = emitted(first);
		expect(events.map((e) => e.event).sort()).toEqual(['loginsChanged', 'rolesChanged', 'statusChanged', 'userAdded', 'userRemoved']);
		expect(timeless(emitted(second))).toEqual(timeless(events));
		expect(state(other)).toEqual(state(asked));
	});

	it('pairs users and their logins when the server names users by UIDs in upper case', async () => {
		upper = true;
		const activation = activate(sim, 'vspc', { events: ALL });
		expect((await activation.poll()).error).toBeUndefined();
		const quiet = await activation.poll();
		expect(quiet.error).toBeUndefined();
		expect(emitted(quiet)).toEqual([]);
		const admin = new VspcAdmin(sim);
		await admin.login();
		const some = (await admin.page(VSPC_USERS, 7, 7)).data.filter((u) => u.role === 'CompanyLocationUser');
		await admin.setRole(String(some[0].instanceUid), 'CompanyAdministrator');
		await admin.addApiKey(String(some[1].instanceUid));
		const changed = await activation.poll();
		expect(changed.error).toBeUndefined();
		const events = emitted(changed);
		expect(events.map((e) => [e.event, (e.user as IDataObject).id])).toEqual(
			expect.arrayContaining([
				['rolesChanged', String(some[0].instanceUid).toUpperCase()],
				['loginsChanged', String(some[1].instanceUid).toUpperCase()],
			]),
		);
		expect(events).toHaveLength(2);
		const logins = (events.find((e) => e.event === 'loginsChanged')?.user as IDataObject).logins as IDataObject[];
		expect(logins.map((l) => l.kind).sort()).toEqual(['apiKey', 'password']);
	});
});
