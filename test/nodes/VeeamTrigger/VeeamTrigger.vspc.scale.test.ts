/**
 * The Veeam Trigger on a provider's scale (issue 28, point 4): a VSPC simulator with 500
 * companies and 50,000 users (plus their owners and the initial ones), every answer 20 ms late,
 * polled through n8n's engine. What is asserted is work, never time (a busy machine makes this
 * slower, not failed): the state n8n stores stays under 40 bytes per user; each list is read in
 * pages of 500 (one request per page, nothing read twice); after 1 % of the
 * users changed, the events replayed on the baseline give exactly the server's users and logins.
 * The poll's time is printed for the record; `npm run bench` measures it (bench/vspc*.ts).
 */
import type { IDataObject } from 'n8n-workflow';

import { ROLES_BY_ORG_TYPE, startSimulator, type SimServer } from '../../../sim';
import { shutdownEngine } from '../../support/engine';
import { pick, rng } from './fixtures';
import { STATIC_KEY, activate, emitted, itemRef } from './harness';
import { VSPC_LOGINS, VSPC_USERS, vspcComparable, vspcProduct, vspcTruth } from './vspcHarness';

const COMPANIES = 500;
const USERS = 50_000;
const EVENTS = ['userAdded', 'userRemoved', 'rolesChanged', 'mfaChanged', 'statusChanged', 'loginsChanged', 'otherFieldsChanged'];
/** Only a hang reaches it. */
const HANG = 900_000;

describe(`vspc at ${COMPANIES} companies and ${USERS} users, 20 ms per answer`, () => {
	let sim: SimServer;

	beforeAll(async () => {
		sim = await startSimulator({ product: 'vspc', latencyMs: 20 });
		const vspc = vspcProduct(sim);
		vspc.seedUsers({ count: USERS, companies: COMPANIES });
		// One user in ten has a second login: an authenticator or an API key.
		const random = rng(5);
		for (const user of [...vspc.store.users.values()]) {
			const r = random();
			if (r < 0.05) vspc.addTotp(user.uid);
			else if (r < 0.1) vspc.addApiKey(user.uid, { scopes: ['rest'] });
		}
	}, HANG);
	afterAll(async () => {
		await sim.close();
		await shutdownEngine();
	});

	it('baseline under 40 bytes per user, pages of 500 read in parallel; 1 % changed: exactly those events', async () => {
		const activation = activate(sim, 'vspc', { events: EVENTS });
		const users = vspcProduct(sim).store.users.size;
		const logins = vspcProduct(sim).store.logins.size;
		sim.stats.reset();
		let started = performance.now();
		const baseline = await activation.poll();
		const baselineMs = performance.now() - started;
		expect(baseline.error).toBeUndefined();
		expect(baseline.response).toBeNull();
		const bytes = Buffer.byteLength(JSON.stringify(baseline.workflowStaticData[STATIC_KEY]));
		expect(bytes / users).toBeLessThan(40);
		// One request per page of 500 (the users' first page asks for the limit too), nothing read twice.
		expect(sim.stats.byRoute[`GET ${VSPC_USERS}`]).toBe(Math.ceil(users / 500));
		expect(sim.stats.byRoute[`GET ${VSPC_LOGINS}`]).toBe(Math.ceil(logins / 500));
		// How many were in flight at once depends on the machine (the client's work per page): printed,
		// not asserted; pages.test.ts checks that the reader sends 8 at once.
		const baselineInFlight = sim.stats.maxInFlight;

		// 1 % of the users change: removed, added, another role, disabled, MFA required, a new API key.
		const before = vspcTruth(sim, true);
		const vspc = vspcProduct(sim);
		const random = rng(9);
		const all = [...vspc.store.users.values()].filter((u) => u.role === 'CompanyLocationUser');
		const companies = [...vspc.store.orgs.values()].filter((o) => o.type === 'Company');
		for (let i = 0; i < USERS / 100; i++) {
			const user = all[Math.floor(random() * all.length)];
			const r = random();
			if (!vspc.store.users.has(user.uid)) continue;
			if (r < 0.2) vspc.store.removeUser(user);
			else if (r < 0.4) vspc.addUser({ organizationUid: pick(random, companies).uid, userName: `hire${i}`, role: 'CompanyAdministrator' });
			else if (r < 0.55) user.role = pick(random, ROLES_BY_ORG_TYPE.Company.filter((role) => role !== 'CompanyOwner'));
			else if (r < 0.7) user.status = user.status === 'Enabled' ? 'Disabled' : 'Enabled';
			else if (r < 0.85) user.mfaPolicy = user.mfaPolicy === 'Enabled' ? 'Disabled' : 'Enabled';
			else vspc.addApiKey(user.uid, { scopes: ['rest'] });
			vspc.store.touch();
		}
		sim.stats.reset();
		started = performance.now();
		const cpu = process.cpuUsage();
		const next = await activation.poll();
		const pollMs = performance.now() - started;
		// CPU of this process (the simulator's share included): on a busy machine, closer to what the poll costs than its wall time.
		const { user, system } = process.cpuUsage(cpu);
		expect(next.error).toBeUndefined();
		const items = emitted(next);
		const replayed = new Map(before);
		for (const item of items) {
			const user = item.user as IDataObject | null;
			const ref = itemRef(user ?? (item.previous as IDataObject)).toLowerCase();
			if (item.event === 'userRemoved') replayed.delete(ref);
			else replayed.set(ref, vspcComparable(user, true) as IDataObject);
		}
		const truth = vspcTruth(sim, true);
		const differing = [...new Set([...replayed.keys(), ...truth.keys()])].filter((ref) => JSON.stringify(replayed.get(ref)) !== JSON.stringify(truth.get(ref)));
		expect(differing).toEqual([]);
		const nextBytes = Buffer.byteLength(JSON.stringify(next.workflowStaticData[STATIC_KEY]));
		console.log(
			`VSPC trigger at ${users} users, ${logins} logins, 20 ms per answer: baseline ${Math.round(baselineMs)} ms (${baselineInFlight} requests in flight at most), poll after 1 % changed ${Math.round(pollMs)} ms, CPU ${Math.round((user + system) / 1000)} ms with the simulator's ` +
				`(${items.length} items; requests ${JSON.stringify(sim.stats.byRoute)}; max in flight ${sim.stats.maxInFlight}); state ${(nextBytes / truth.size).toFixed(2)} bytes per user`,
		);
	}, HANG);
});
