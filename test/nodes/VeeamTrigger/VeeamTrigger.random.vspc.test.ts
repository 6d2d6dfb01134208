/**
 * The Veeam Trigger's randomized test on Veeam Service Provider Console: rounds of random changes
 * across organizations (users added to companies, resellers and the provider, removed, given
 * another role, enabled or disabled, their MFA policy switched, an organization requiring MFA of
 * its users, API keys added and deleted, authenticators set up), each followed by a poll through
 * n8n's engine. Some rounds break the poll (an HTTP error on a list page or a look-up, a refused
 * login), some answer 429, some send pages short of their count or a total that moves (the trigger
 * reads again or looks up, and stays right), some restart n8n.
 *
 * After every poll that succeeds, the emitted events replayed on the previous state must give
 * exactly the server's users and logins, and each event's `previous` must be the user as the last
 * good poll left it: nothing lost, nothing repeated, nothing invented. A poll that fails must
 * leave the stored state (in memory and saved) as it was. The last test checks that the run went
 * through every fault, a restart and every event kind.
 *
 * Reproduce a failure with the seed and round it names:
 *   TRIGGER_RANDOM_SEED=<seed> npx jest test/nodes/VeeamTrigger/VeeamTrigger.random.vspc
 * (TRIGGER_RANDOM_ROUNDS=<n> runs n rounds.)
 */
import type { IDataObject } from 'n8n-workflow';

import { ROLES_BY_ORG_TYPE, VSPC_DEFAULT_ADMIN, VSPC_DEFAULT_PASSWORD, startSimulator, type SimServer } from '../../../sim';
import { shutdownEngine } from '../../support/engine';
import { pick, rng } from './fixtures';
import { STATIC_KEY, activate, emitted, itemRef } from './harness';
import { VSPC_LOGINS, VSPC_USERS, VspcAdmin, vspcComparable, vspcProduct, vspcTruth } from './vspcHarness';

const ROUNDS = Number(process.env.TRIGGER_RANDOM_ROUNDS ?? 300);
const BLOCK = 25;
/** Only a hang reaches it: a block's time is bounded by its work. */
const HANG = 600_000;
const SEED = Number(process.env.TRIGGER_RANDOM_SEED ?? 20_261_205);
const PAGE = 5;
const EVENTS = ['userAdded', 'userRemoved', 'rolesChanged', 'mfaChanged', 'statusChanged', 'loginsChanged', 'otherFieldsChanged'];
const OWNER_ROLES = new Set(['CompanyOwner', 'ResellerOwner']);

type Model = Map<string, IDataObject>;

interface Stats {
	good: number;
	failed: number;
	listErrors: number;
	loginRefused: number;
	lookupErrors: number;
	recovered429: number;
	hostilePages: number;
	hostileSurvived: number;
	/** Polls after which what the trigger holds lacked a user or login the lying pages hid (reported by a later poll). */
	lagged: number;
	restarts: number;
	mutations: number;
	events: Record<string, number>;
}

class VspcRandomRun {
	readonly stats: Stats = { good: 0, failed: 0, listErrors: 0, loginRefused: 0, lookupErrors: 0, recovered429: 0, hostilePages: 0, hostileSurvived: 0, lagged: 0, restarts: 0, mutations: 0, events: {} };
	private readonly random: () => number;
	private readonly activation: ReturnType<typeof activate>;
	private model: Model = new Map();
	private everSaved = false;
	private counter = 0;
	brokenAt?: number;

	constructor(
		private readonly sim: SimServer,
		private readonly admin: VspcAdmin,
		readonly seed: number,
	) {
		this.random = rng(seed);
		this.activation = activate(sim, 'vspc', { events: EVENTS });
	}

	async baseline(): Promise<void> {
		const baseline = await this.activation.poll();
		expect(baseline.error).toBeUndefined();
		expect(baseline.response).toBeNull();
		this.model = vspcTruth(this.sim, true);
	}

	async rounds(from: number, to: number): Promise<void> {
		if (this.brokenAt !== undefined) throw new Error(`not run: round ${this.brokenAt} failed (see above)`);
		for (let round = from; round <= to; round++) {
			const where = `vspc round ${round} (seed ${this.seed})`;
			try {
				await this.round(where);
			} catch (error) {
				this.brokenAt = round;
				if (error instanceof Error && !error.message.startsWith(where)) error.message = `${where}: ${error.message}`;
				throw error;
			}
		}
	}

	/** The users an administrator may change: not the trigger's own login, not an organization's owner. */
	private changeable() {
		const store = vspcProduct(this.sim).store;
		return [...store.users.values()].filter((u) => u.userName !== VSPC_DEFAULT_ADMIN && !OWNER_ROLES.has(u.role));
	}

	private async mutate(): Promise<void> {
		const { random, sim, admin } = this;
		const store = vspcProduct(sim).store;
		const users = this.changeable();
		const orgs = [...store.orgs.values()];
		const r = random();
		const share = users.length < 12 ? 0.5 : users.length > 30 ? 0.05 : 0.2;
		if (r < share) {
			const org = pick(random, orgs);
			const roles = ROLES_BY_ORG_TYPE[org.type].filter((role) => !OWNER_ROLES.has(role));
			await admin.addUser(org.uid, `u${++this.counter}.${org.type.toLowerCase()}`, pick(random, roles), { mfaRequired: random() < 0.3 });
			return;
		}
		const user = pick(random, users);
		if (!user) return;
		const org = store.orgs.get(user.organizationUid);
		if (r < 0.3) await admin.removeUser(user.uid);
		else if (r < 0.42 && org) await admin.setRole(user.uid, pick(random, ROLES_BY_ORG_TYPE[org.type].filter((role) => !OWNER_ROLES.has(role))));
		else if (r < 0.52) await admin.setMfaRequired(user.uid, user.mfaPolicy !== 'Enabled');
		else if (r < 0.62) await admin.setStatus(user.uid, user.status === 'Disabled' ? 'Enabled' : 'Disabled');
		else if (r < 0.74) await admin.addApiKey(user.uid, `key ${this.counter++}`);
		else if (r < 0.84) {
			const removable = [...store.logins.values()].filter((l) => l.kind !== 'password' && users.some((u) => u.uid === l.userUid));
			if (removable.length > 0) {
				const login = pick(random, removable);
				await admin.deleteLogin(login.userUid, String(login.id));
			}
		} else if (r < 0.94) admin.addTotp(user.uid);
		else {
			// An organization requires MFA of its users (or stops): those without a policy of their own follow it.
			const target = pick(random, orgs);
			vspcProduct(sim).setOrganizationMfa(target.uid, !target.mfaRequired);
		}
	}

	private async round(where: string): Promise<void> {
		const { sim, random, activation, stats } = this;
		const changes = 1 + Math.floor(random() * 4);
		for (let i = 0; i < changes; i++) {
			await this.mutate();
			stats.mutations++;
		}
		const pages = Math.ceil(vspcTruth(sim, false).size / PAGE);

		// Faults, chosen after the changes so that the administrator's requests are not hit.
		const f = random();
		let fault: 'listErrors' | 'loginRefused' | 'lookupErrors' | 'hostilePages' | undefined;
		if (f < 0.06) {
			sim.addFault({ kind: 'status', status: 500, method: 'GET', pathIncludes: VSPC_USERS, after: Math.floor(random() * pages) });
			fault = 'listErrors';
		} else if (f < 0.09) {
			sim.product.setLogin(VSPC_DEFAULT_ADMIN, 'Rotated-Passw0rd!9');
			sim.tokens.expireAllAccess();
			sim.tokens.refuseRefresh(1, true);
			fault = 'loginRefused';
		} else if (f < 0.12) {
			// A look-up (a user, or a user's logins) fails: the poll fails only if it had one to make.
			sim.addFault({ kind: 'status', status: 500, method: 'GET', pathIncludes: `${VSPC_USERS}/`, after: 1 + Math.floor(random() * pages) });
			fault = 'lookupErrors';
		} else if (f < 0.15) {
			sim.addFault({ kind: 'status', status: 429, retryAfterSeconds: 0, method: 'GET', pathIncludes: VSPC_USERS });
			stats.recovered429++;
		} else if (f < 0.21) {
			// The logins list sends one page short (empty) on each of its two readings: the logins it
			// lacks must be confirmed by reading those users' logins. Requests the first fault takes
			// do not count for the second's `after`: it hits a page of the second reading, never its first.
			const loginPages = Math.ceil(vspcProduct(sim).store.logins.size / PAGE);
			if (loginPages >= 2) {
				sim.addFault({ kind: 'patch', set: { data: [] }, method: 'GET', pathIncludes: VSPC_LOGINS, after: 1 + Math.floor(random() * (loginPages - 1)), count: 1 });
				sim.addFault({ kind: 'patch', set: { data: [] }, method: 'GET', pathIncludes: VSPC_LOGINS, after: loginPages + Math.floor(random() * (loginPages - 1)), count: 1 });
				fault = 'hostilePages';
			}
		} else if (f < 0.27) {
			// Pages that lie: short of their count, or a total that moved, on one or both readings.
			const lie = random() < 0.5 ? { data: [] } : { meta: { pagingInfo: { total: pages * PAGE + 7, count: PAGE, offset: 0 } } };
			sim.addFault({ kind: 'patch', set: lie, method: 'GET', pathIncludes: VSPC_USERS, after: 1 + Math.floor(random() * pages), count: 1 + Math.floor(random() * 2) });
			if (random() < 0.5) sim.addFault({ kind: 'patch', set: lie, method: 'GET', pathIncludes: VSPC_USERS, after: pages + Math.floor(random() * pages), count: 1 });
			fault = 'hostilePages';
		}

		const before = JSON.stringify(activation.workflow.staticData[STATIC_KEY] ?? {});
		const savedBefore = JSON.stringify(activation.savedStaticData);
		const result = await activation.poll();
		const hit = sim.faults.pending().length === 0;
		sim.faults.clear();
		if (fault === 'loginRefused') sim.product.setLogin(VSPC_DEFAULT_ADMIN, VSPC_DEFAULT_PASSWORD);

		if (result.error) {
			// A poll may fail only for a fault that hit it; then it wrote nothing, in memory or saved.
			if (!fault || (fault !== 'loginRefused' && !hit)) throw new Error(`${where}: unexpected failure: ${result.error.message}`);
			stats.failed++;
			if (fault !== 'hostilePages') stats[fault]++;
			expect(result.response).toBeNull();
			if (JSON.stringify(result.workflowStaticData[STATIC_KEY] ?? {}) !== before) throw new Error(`${where}: a failed poll changed the snapshot`);
			if (JSON.stringify(activation.savedStaticData) !== savedBefore) throw new Error(`${where}: a failed poll saved static data`);
			return;
		}
		if (fault === 'loginRefused' || (fault === 'listErrors' && hit)) throw new Error(`${where}: the poll should have failed (${fault})`);
		if (fault === 'hostilePages' && hit) stats.hostileSurvived++;
		if (fault === 'hostilePages') stats.hostilePages++;
		stats.good++;
		this.replay(where, emitted(result), fault === 'hostilePages' && hit);
		if (result.saved) this.everSaved = true;
		if (this.everSaved && random() < 0.05) {
			activation.restart();
			stats.restarts++;
		}
	}

	/**
	 * Each event starts from the user as the model has it; replayed, they give the server's users.
	 * After pages that lied on both readings (`lied`), an addition they hid (a user, or a login of a
	 * user) may be missing: reported by the next poll that sees it. Never anything else: every user
	 * the trigger holds is on the server with the same fields, and each login it holds is there too.
	 */
	private replay(where: string, items: IDataObject[], lied: boolean): void {
		const seen = new Set<string>();
		const next = new Map(this.model);
		for (const item of items) {
			const user = item.user as IDataObject | null;
			const previous = item.previous as IDataObject | null;
			const ref = itemRef(user ?? previous).toLowerCase();
			const key = `${String(item.event)} ${ref}`;
			if (seen.has(key)) throw new Error(`${where}: ${key} emitted twice`);
			seen.add(key);
			this.stats.events[String(item.event)] = (this.stats.events[String(item.event)] ?? 0) + 1;
			if (item.event === 'userAdded') {
				if (this.model.has(ref)) throw new Error(`${where}: ${ref} added, but it was already there`);
			} else expect({ where, previous: vspcComparable(previous, true) }).toEqual({ where, previous: this.model.get(ref) });
			if (item.event === 'userRemoved') next.delete(ref);
			else next.set(ref, vspcComparable(user, true) as IDataObject);
		}
		const truth = vspcTruth(this.sim, true);
		// Whatever the pages did: no removal the server does not show (a user, or one of its logins).
		for (const item of items) {
			const ref = itemRef((item.user ?? item.previous) as IDataObject).toLowerCase();
			if (item.event === 'userRemoved' && truth.has(ref)) throw new Error(`${where}: ${ref} reported removed, but the server has it`);
			if (item.event !== 'loginsChanged') continue;
			const removed = ((item.changes as IDataObject[])[0].removed as Array<{ id: string }>).map((l) => l.id);
			const still = removed.filter((id) => ((truth.get(ref)?.logins ?? []) as string[]).includes(id));
			if (still.length > 0) throw new Error(`${where}: logins ${still.join(', ')} of ${ref} reported removed, but the server has them`);
		}
		const same = JSON.stringify(Object.fromEntries([...next].sort())) === JSON.stringify(Object.fromEntries([...truth].sort()));
		if (!same && lied) {
			this.stats.lagged++;
			for (const [ref, held] of next) {
				const server = truth.get(ref);
				expect({ where, ref, held: { ...held, logins: undefined } }).toEqual({ where, ref, held: server && { ...server, logins: undefined } });
				const missing = (held.logins as string[]).filter((id) => !(server?.logins as string[]).includes(id));
				expect({ where, ref, loginsNotOnTheServer: missing }).toEqual({ where, ref, loginsNotOnTheServer: [] });
			}
		} else expect({ where, users: Object.fromEntries([...next].sort()) }).toEqual({ where, users: Object.fromEntries([...truth].sort()) });
		this.model = next;
	}
}

function blocks(rounds: number): Array<[number, number]> {
	const out: Array<[number, number]> = [];
	for (let first = 1; first <= rounds; first += BLOCK) out.push([first, Math.min(rounds, first + BLOCK - 1)]);
	return out;
}

describe('vspc', () => {
	let sim: SimServer;
	let run: VspcRandomRun;

	beforeAll(async () => {
		sim = await startSimulator({ product: 'vspc', vspc: { maxPageSize: PAGE, limitOverMax: 'clamp' } });
		// A few more companies and their users: several pages of each list.
		for (const name of ['Gamma Ltd', 'Delta GmbH']) vspcProduct(sim).addCompany({ name });
		vspcProduct(sim).seedUsers({ count: 8 });
		const admin = new VspcAdmin(sim);
		await admin.login();
		run = new VspcRandomRun(sim, admin, SEED);
		console.log(`Veeam Trigger random test (vspc): seed ${SEED}, ${ROUNDS} rounds (TRIGGER_RANDOM_SEED=${SEED} to reproduce)`);
		await run.baseline();
	}, HANG);
	afterAll(async () => {
		await sim.close();
		await shutdownEngine();
	});

	it.each(blocks(ROUNDS))(`rounds %i to %i of random changes and faults: events replayed on the snapshot give the server's users and logins (seed ${SEED})`, async (first, last) => {
		await run.rounds(first, last);
	}, HANG);

	it(`${ROUNDS} rounds went through every fault, lying pages, a restart and every event kind`, () => {
		console.log(`Veeam Trigger random test (vspc): ${JSON.stringify(run.stats)}`);
		const { stats } = run;
		expect(run.brokenAt).toBeUndefined();
		expect(stats.good + stats.failed).toBe(ROUNDS);
		for (const seen of ['listErrors', 'loginRefused', 'lookupErrors', 'recovered429', 'hostileSurvived', 'restarts'] as const) {
			expect({ [seen]: stats[seen] > 0 }).toEqual({ [seen]: true });
		}
		for (const event of ['userAdded', 'userRemoved', 'rolesChanged', 'mfaChanged', 'statusChanged', 'loginsChanged']) {
			expect({ [event]: (stats.events[event] ?? 0) > 0 }).toEqual({ [event]: true });
		}
	});
});
