/**
 * The VSPC poll reads every user without its profile (`select`: client/adapters/vspcQuery.ts
 * USER_PAGE_SELECT), which the trigger never compares; the users it emits get their profile by a
 * look-up once the events are known (nodes/VeeamTrigger/vspcProfiles.ts): the items are as a whole
 * read would make them, no event costs nothing, a user gone meanwhile is emitted as listed, and a
 * failed look-up fails the poll with the state unchanged.
 */
import type { IDataObject } from 'n8n-workflow';

import { VSPC_COMPANY_BETA_UID, startSimulator, type SimServer } from '../../../sim';
import type { SimRequest, SimResponse } from '../../../sim/core/http';
import { shutdownEngine } from '../../support/engine';
import { aroundRoutes } from '../../support/simRoutes';
import { STATIC_KEY, activate, emitted, snapshotUsers, summary } from './harness';
import { VSPC_USERS, VspcAdmin, vspcComparable, vspcProduct, vspcTruth } from './vspcHarness';

const EVENTS = ['userAdded', 'userRemoved', 'rolesChanged', 'mfaChanged', 'statusChanged', 'loginsChanged', 'otherFieldsChanged'];
const USERS_ONLY = EVENTS.filter((e) => e !== 'loginsChanged');
const ALPHA_USER = 'c37dac86-f273-4133-9bcd-000000000008';
const READONLY = 'c37dac86-f273-4133-9bcd-000000000004';
/** What the listing asks for (vspcQuery.ts USER_PAGE_SELECT), and all a page's users then carry. */
const SELECTED = ['instanceUid', 'mfaPolicyConfigurationStatus', 'mfaPolicyStatus', 'organizationUid', 'role', 'status', 'userName'];

type Next = (req: SimRequest) => Promise<SimResponse>;

/** A `GET /users` filtered by UID (a look-up of several users), not a page of the listing. */
const byUid = (query: string | URLSearchParams) => (new URLSearchParams(query).get('filter') ?? '').includes('"instanceUid"');
const queryOf = (line: string) => line.slice(line.indexOf('?') + 1);
const selectOf = (line: string) => (JSON.parse(new URLSearchParams(queryOf(line)).get('select') ?? '[]') as Array<{ propertyPath: string }>).map((s) => s.propertyPath).sort();
/** The UIDs a look-up asks for (`instanceUid` equals, alone or in an `or`). */
function uidsOf(line: string): string[] {
	type Expression = { property?: string; value?: string; items?: Expression[] };
	const values = (e: Expression): string[] => (e.property === 'instanceUid' && e.value ? [e.value] : (e.items ?? []).flatMap(values));
	return (JSON.parse(new URLSearchParams(queryOf(line)).get('filter') ?? '[]') as Expression[]).flatMap(values).sort();
}
const withoutTime = (items: IDataObject[]) =>
	items.map((item) => {
		const rest = { ...item };
		delete rest.detectedAt;
		return rest;
	});

describe('VSPC poll: users listed without their profile', () => {
	let sim: SimServer;
	let admin: VspcAdmin;
	let undo: Array<() => void> = [];

	beforeAll(async () => {
		// Pages of 5: the dozen users take several pages.
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
	afterEach(() => {
		for (const u of undo) u();
		undo = [];
	});

	/** Every `GET /users` (exactly that path) goes through `fn`, which may answer itself or call `next`. */
	function intercept(fn: (req: SimRequest, next: Next) => Promise<SimResponse>): void {
		undo.push(aroundRoutes(sim, (m, p) => m === 'GET' && p === VSPC_USERS, async (req, next) => await fn(req, next)));
	}

	/** The user requests since the last reset: listing pages, look-ups by UID, single users. */
	function userRequests() {
		const recent = sim.stats.recent.filter((r) => r.startsWith(`GET ${VSPC_USERS}`));
		const listed = recent.filter((r) => r.startsWith(`GET ${VSPC_USERS}?`) && !/[?&]limit=1(&|$)/.test(r));
		return {
			pages: listed.filter((r) => !byUid(queryOf(r))),
			lookUps: listed.filter((r) => byUid(queryOf(r))),
			single: recent.filter((r) => /\/users\/[0-9a-f-]{36}(\?|$)/.test(r)),
		};
	}

	/** The profile the server has for a user, as the adapter reads it (text fields; `null` is none). */
	function serverProfile(uid: string): IDataObject {
		const user = vspcProduct(sim).store.users.get(uid);
		if (!user) throw new Error(`no VSPC user ${uid}`);
		return Object.fromEntries(Object.entries(user.profile).filter(([, v]) => typeof v === 'string'));
	}

	function expectSnapshotIsTheTruth(staticData: IDataObject, logins: boolean) {
		const snapshot = snapshotUsers(sim, 'vspc', staticData);
		const held = new Map([...(snapshot ?? new Map()).values()].map((u) => [u.ref.toLowerCase(), vspcComparable(u as unknown as IDataObject, logins)]));
		expect(Object.fromEntries([...held].sort())).toEqual(Object.fromEntries([...vspcTruth(sim, logins)].sort()));
	}

	async function baselined(events: string[]) {
		const activation = activate(sim, 'vspc', { events });
		const first = await activation.poll();
		expect(first.error).toBeUndefined();
		expect(first.response).toBeNull();
		return activation;
	}

	it('asks every page of the listing with select: the answers carry the seven fields compared, no profile, no credentials', async () => {
		const answers: IDataObject[] = [];
		intercept(async (req, next) => {
			const res = await next(req);
			if (!byUid(req.query)) answers.push(...(res.body as { data: IDataObject[] }).data);
			return res;
		});
		sim.stats.reset();
		const activation = activate(sim, 'vspc', { events: EVENTS });
		const first = await activation.poll();
		expect(first.error).toBeUndefined();
		const { pages, lookUps } = userRequests();
		const total = vspcTruth(sim, false).size;
		expect(pages).toHaveLength(Math.ceil(total / 5));
		for (const page of pages) expect(selectOf(page)).toEqual(SELECTED);
		expect(lookUps).toEqual([]);
		expect(answers).toHaveLength(total);
		for (const user of answers) expect(Object.keys(user).sort()).toEqual(SELECTED);
		expectSnapshotIsTheTruth(first.workflowStaticData, true);
	});

	it('emitted users carry the profile the server has, as a whole read shows them (one look-up for both, none on a server that ignores select)', async () => {
		const activation = await baselined(EVENTS);
		await admin.setProfile(ALPHA_USER, { firstName: 'Grace', email: 'grace@alpha.com' });
		await admin.setRole(ALPHA_USER, 'CompanyLocationAdministrator');
		const added = await admin.addUser(VSPC_COMPANY_BETA_UID, 'beta.ops', 'CompanyAdministrator');
		const saved = JSON.parse(JSON.stringify(activation.workflow.staticData)) as IDataObject;
		sim.stats.reset();
		const result = await activation.poll();
		expect(result.error).toBeUndefined();
		expect(summary(result)).toEqual([
			['rolesChanged', 'alpha.user'],
			['userAdded', 'beta.ops'],
		]);
		const [roles, addition] = emitted(result);
		expect((roles.user as IDataObject).profile).toEqual(serverProfile(ALPHA_USER));
		expect(serverProfile(ALPHA_USER)).toMatchObject({ firstName: 'Grace', email: 'grace@alpha.com' });
		expect((addition.user as IDataObject).profile).toEqual(serverProfile(added));
		expect(serverProfile(added)).toMatchObject({ firstName: 'New', lastName: 'User', email: 'beta.ops@example.com' });
		// `previous` is the stored user: no profile, as before.
		expect(roles.previous).not.toHaveProperty('profile');
		// Both users in one request (`GET /users` filtered by their UIDs), none one by one.
		const { lookUps, single } = userRequests();
		expect(lookUps.map(uidsOf)).toEqual([[ALPHA_USER, added].sort()]);
		expect(single).toEqual([]);
		expect(selectOf(lookUps[0])).toEqual([]);

		// The same poll on a server that ignores `select`: whole users listed, nothing looked up, the same items.
		sim.stats.reset();
		sim.addFault({ kind: 'ignoreQuery', params: ['select'], method: 'GET', pathIncludes: VSPC_USERS, count: 100 });
		const whole = await activate(sim, 'vspc', { events: EVENTS, staticData: saved }).poll();
		expect(whole.error).toBeUndefined();
		expect(userRequests().lookUps).toEqual([]);
		expect(JSON.stringify(withoutTime(emitted(whole)))).toBe(JSON.stringify(withoutTime(emitted(result))));
		expectSnapshotIsTheTruth(result.workflowStaticData, true);
	});

	it('"Fetch Test Event" samples carry their users\' profiles', async () => {
		const manual = await activate(sim, 'vspc', { events: ['statusChanged'] }).pollManually();
		expect(manual.error).toBeUndefined();
		const items = emitted(manual);
		expect(items.length).toBeGreaterThan(0);
		for (const item of items) {
			const user = item.user as IDataObject;
			expect(user.profile).toEqual(serverProfile(String(user.id)));
		}
	});

	it('"On First Poll: Emit Existing Users": every user emitted with its profile, 50 users a look-up', async () => {
		vspcProduct(sim).seedUsers({ count: 45, organizationUid: VSPC_COMPANY_BETA_UID });
		sim.stats.reset();
		const first = await activate(sim, 'vspc', { events: ['userAdded'], options: { firstPoll: 'emitExisting' } }).poll();
		expect(first.error).toBeUndefined();
		const items = emitted(first);
		const total = vspcTruth(sim, false).size;
		expect(total).toBeGreaterThan(50);
		expect(items).toHaveLength(total);
		for (const item of items) expect((item.user as IDataObject).profile).toEqual(serverProfile(String((item.user as IDataObject).id)));
		expect(userRequests().lookUps.map((r) => uidsOf(r).length).sort((a, b) => b - a)).toEqual([50, total - 50]);
	});

	it('a poll with no event to emit sends no look-up: nothing changed, a removal only, or changes of kinds not chosen', async () => {
		const activation = await baselined(USERS_ONLY);
		sim.stats.reset();
		expect((await activation.poll()).response).toBeNull();
		expect(userRequests().lookUps).toEqual([]);
		await admin.removeUser(READONLY);
		sim.stats.reset();
		const removal = await activation.poll();
		expect(summary(removal)).toEqual([['userRemoved', 'readonly']]);
		expect(emitted(removal)[0].user).toBeNull();
		// The one look-up is the listing's, of the user it lacks, before it is called removed (vspcListing.ts).
		expect(userRequests().lookUps.map(uidsOf)).toEqual([[READONLY]]);
		expect(userRequests().single).toEqual([]);
		// A role changed, but only additions and removals are chosen: nothing emitted, nothing looked up.
		const narrow = await baselined(['userAdded', 'userRemoved']);
		await admin.setRole(ALPHA_USER, 'CompanyLocationAdministrator');
		sim.stats.reset();
		const quiet = await narrow.poll();
		expect(quiet.error).toBeUndefined();
		expect(quiet.response).toBeNull();
		expect(userRequests()).toMatchObject({ lookUps: [], single: [] });
	});

	it('the profiles are asked for beside the look-up that confirms a removal, not after it', async () => {
		const activation = await baselined(USERS_ONLY);
		await admin.removeUser(READONLY);
		await admin.setRole(ALPHA_USER, 'CompanyLocationAdministrator');
		const added = await admin.addUser(VSPC_COMPANY_BETA_UID, 'beta.ops', 'CompanyAdministrator');
		// Each look-up is answered only once two are in flight (or, should the second never come
		// while the first waits, after a while: then the test fails on the count, it does not hang).
		let inFlight = 0;
		let together = 0;
		let second!: () => void;
		const both = new Promise<void>((resolve) => (second = resolve));
		intercept(async (req, next) => {
			if (!byUid(req.query)) return await next(req);
			inFlight++;
			together = Math.max(together, inFlight);
			if (inFlight >= 2) second();
			await Promise.race([both, new Promise((resolve) => setTimeout(resolve, 20_000).unref())]);
			inFlight--;
			return await next(req);
		});
		sim.stats.reset();
		const result = await activation.poll();
		expect(result.error).toBeUndefined();
		expect(together).toBe(2);
		expect(summary(result)).toEqual([
			['rolesChanged', 'alpha.user'],
			['userAdded', 'beta.ops'],
			['userRemoved', 'readonly'],
		]);
		const byName = new Map(emitted(result).map((e) => [String(((e.user ?? e.previous) as IDataObject).name), e]));
		expect((byName.get('alpha.user')?.user as IDataObject).profile).toEqual(serverProfile(ALPHA_USER));
		expect((byName.get('beta.ops')?.user as IDataObject).profile).toEqual(serverProfile(added));
		// The listing's look-up of the user it lacks, and one of the two users emitted with a change.
		expect(userRequests().lookUps.map(uidsOf).sort()).toEqual([[ALPHA_USER, added].sort(), [READONLY]].sort());
		expectSnapshotIsTheTruth(result.workflowStaticData, false);
	}, 60_000);

	it('a refused look-up ahead is asked again at the end: the poll emits the users with their profiles', async () => {
		const activation = await baselined(USERS_ONLY);
		await admin.setRole(ALPHA_USER, 'CompanyLocationAdministrator');
		let refused = 0;
		intercept(async (req, next) => {
			if (byUid(req.query) && refused === 0) {
				refused++;
				return { status: 403, body: { errors: [{ message: 'refused once', type: 'security', code: 403 }] } };
			}
			return await next(req);
		});
		sim.stats.reset();
		const result = await activation.poll();
		expect(result.error).toBeUndefined();
		expect(refused).toBe(1);
		expect(summary(result)).toEqual([['rolesChanged', 'alpha.user']]);
		expect((emitted(result)[0].user as IDataObject).profile).toEqual(serverProfile(ALPHA_USER));
		expect(userRequests().lookUps.map(uidsOf)).toEqual([[ALPHA_USER], [ALPHA_USER]]);
	});

	it('a refused confirming look-up fails the poll only once the look-up ahead is answered: no request outlives the poll', async () => {
		const activation = await baselined(USERS_ONLY);
		await admin.removeUser(READONLY);
		await admin.setRole(ALPHA_USER, 'CompanyLocationAdministrator');
		const before = JSON.stringify(activation.workflow.staticData[STATIC_KEY]);
		// The look-up ahead (of alpha.user) is held until the poll returns (or, should the poll wait
		// for it, a while: then it is answered first and the test passes, only later).
		let returned = false;
		let release!: () => void;
		const released = new Promise<void>((resolve) => (release = resolve));
		let aheadAnswered: boolean | undefined;
		intercept(async (req, next) => {
			if (!byUid(req.query)) return await next(req);
			const uids = uidsOf(`?${new URLSearchParams(req.query).toString()}`);
			if (uids.includes(READONLY)) return { status: 403, body: { errors: [{ message: 'confirming look-up refused', type: 'security', code: 403 }] } };
			await Promise.race([released, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
			aheadAnswered = !returned;
			return await next(req);
		});
		const failed = await activation.poll();
		returned = true;
		release();
		expect(failed.error?.message).toMatch(/confirming look-up refused/);
		expect(failed.response).toBeNull();
		expect(JSON.stringify(failed.workflowStaticData[STATIC_KEY])).toBe(before);
		// Answered while the poll still waited for it (false: the poll had returned with it in flight).
		expect(aheadAnswered).toBe(true);
	}, 60_000);

	it('a user removed between the listing and the look-up is emitted as listed, without a profile; nothing fails', async () => {
		const activation = await baselined(USERS_ONLY);
		const soon = await admin.addUser(VSPC_COMPANY_BETA_UID, 'gone.soon', 'CompanyAdministrator');
		await admin.setRole(ALPHA_USER, 'CompanyLocationAdministrator');
		let removed = false;
		intercept(async (req, next) => {
			if (byUid(req.query) && !removed) {
				removed = true;
				await admin.removeUser(soon);
			}
			return await next(req);
		});
		const result = await activation.poll();
		expect(result.error).toBeUndefined();
		expect(removed).toBe(true);
		expect(summary(result)).toEqual([
			['rolesChanged', 'alpha.user'],
			['userAdded', 'gone.soon'],
		]);
		const [roles, addition] = emitted(result);
		expect((roles.user as IDataObject).profile).toEqual(serverProfile(ALPHA_USER));
		expect(addition.user).toMatchObject({ id: soon, name: 'gone.soon', roles: [{ id: 'CompanyAdministrator' }], organization: { uid: VSPC_COMPANY_BETA_UID } });
		expect(addition.user).not.toHaveProperty('profile');
		// Its removal is the next poll's event.
		expect(summary(await activation.poll())).toEqual([['userRemoved', 'gone.soon']]);
	});

	it('a failed look-up fails the poll: nothing emitted, the state unchanged; the next poll reports the change', async () => {
		const activation = await baselined(USERS_ONLY);
		await admin.setRole(ALPHA_USER, 'CompanyLocationAdministrator');
		const before = JSON.stringify(activation.workflow.staticData[STATIC_KEY]);
		// Every look-up of this poll refused: the one ahead and the one at the end.
		let refused = 0;
		let refusing = true;
		intercept(async (req, next) => {
			if (byUid(req.query) && refusing) {
				refused++;
				return { status: 403, body: { errors: [{ message: 'profile look-up refused', type: 'security', code: 403 }] } };
			}
			return await next(req);
		});
		const failed = await activation.poll();
		refusing = false;
		expect(refused).toBe(2);
		expect(failed.error?.message).toMatch(/profile look-up refused/);
		expect(failed.response).toBeNull();
		expect(JSON.stringify(failed.workflowStaticData[STATIC_KEY])).toBe(before);
		const next = await activation.poll();
		expect(next.error).toBeUndefined();
		expect(summary(next)).toEqual([['rolesChanged', 'alpha.user']]);
		expect((emitted(next)[0].user as IDataObject).profile).toEqual(serverProfile(ALPHA_USER));
	});

	it('a page whose users come without userName to select is asked again whole (the name may be in credentials only)', async () => {
		intercept(async (req, next) => {
			const res = await next(req);
			if (!req.query.has('select') || byUid(req.query)) return res;
			const body = res.body as { data: IDataObject[] };
			const nameless = body.data.map((user) => {
				const rest = { ...user };
				delete rest.userName;
				return rest;
			});
			return { ...res, body: { ...body, data: nameless } };
		});
		sim.stats.reset();
		const first = await activate(sim, 'vspc', { events: USERS_ONLY }).poll();
		expect(first.error).toBeUndefined();
		const { pages } = userRequests();
		const selected = pages.filter((p) => selectOf(p).length > 0);
		expect(selected).toHaveLength(Math.ceil(vspcTruth(sim, false).size / 5));
		expect(pages).toHaveLength(2 * selected.length);
		expectSnapshotIsTheTruth(first.workflowStaticData, false);
	});
});
