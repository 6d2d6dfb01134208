/**
 * The Veeam Trigger's randomized test on Veeam Backup for Microsoft 365: rounds of random changes to
 * the restore-operator roles of three organizations, made by an administrator over VB365's REST API
 * (roles created with operators and scope, deleted; operators added and removed; selected and
 * excluded users, groups, sites and teams added and removed; role types switched; an operator
 * leaving Microsoft 365, whom the roles keep naming), each followed by
 * a poll through n8n's engine. Some rounds break the poll (an HTTP error on the role list or on a
 * role's operators or items, a refused login), some answer 429, some lie: a role list that lacks
 * roles, an operators or items list that comes back empty once (the trigger looks up or reads again
 * and stays right), some restart n8n.
 *
 * After every poll that succeeds, the emitted items replayed on the roles the last good poll left
 * must give exactly the server's roles (organization, name, type, operators, selection, exclusions):
 * nothing lost, nothing repeated, nothing invented, each removal shown with the name it was kept
 * with. After a lie the trigger may not have seen an addition it hid (the next poll reports it), but
 * it never holds anything the server does not have. A poll that fails leaves the stored state (in
 * memory and saved) as it was. The last test checks that the run went through every fault, a
 * restart and every event kind.
 *
 * Reproduce a failure with the seed and round it names:
 *   TRIGGER_RANDOM_SEED=<seed> npx jest test/nodes/VeeamTrigger/VeeamTrigger.random.vb365
 * (TRIGGER_RANDOM_ROUNDS=<n> runs n rounds.)
 */
import type { IDataObject } from 'n8n-workflow';

import { VB365_DEFAULT_ADMIN, VB365_DEFAULT_PASSWORD, VB365_ORG_CONTOSO_ID, VB365_ORG_FABRIKAM_ID, VB365_ORG_TAILSPIN_ID, startSimulator, type SimServer } from '../../../sim';
import { shutdownEngine } from '../../support/engine';
import { pick, rng } from './fixtures';
import { STATIC_KEY, activate, emitted } from './harness';
import { Vb365Admin, comparable, directoryObjects, modelOf, replayVb365, vb365Product, vb365Truth, type ModelRole, type RefListName } from './vb365Harness';

const ROUNDS = Number(process.env.TRIGGER_RANDOM_ROUNDS ?? 200);
const BLOCK = 25;
/** Only a hang reaches it: a block's time is bounded by its work. */
const HANG = 600_000;
const SEED = Number(process.env.TRIGGER_RANDOM_SEED ?? 20_261_206);
const EVENTS = ['operatorAdded', 'operatorRemoved', 'roleScopeChanged', 'roleCreated', 'roleDeleted'];
const ORGS = [VB365_ORG_CONTOSO_ID, VB365_ORG_FABRIKAM_ID, VB365_ORG_TAILSPIN_ID];

type Fault = 'listErrors' | 'readErrors' | 'loginRefused' | 'lies';

interface Stats {
	good: number;
	failed: number;
	listErrors: number;
	readErrors: number;
	loginRefused: number;
	recovered429: number;
	lies: number;
	liesSurvived: number;
	/** Polls after which the trigger lacked an addition a lie hid (reported by a later poll). */
	lagged: number;
	restarts: number;
	mutations: number;
	/** Operators who left Microsoft 365 (still named by their roles). */
	leavers: number;
	events: Record<string, number>;
}

class Vb365RandomRun {
	readonly stats: Stats = { good: 0, failed: 0, listErrors: 0, readErrors: 0, loginRefused: 0, recovered429: 0, lies: 0, liesSurvived: 0, lagged: 0, restarts: 0, mutations: 0, leavers: 0, events: {} };
	private readonly random: () => number;
	private readonly activation: ReturnType<typeof activate>;
	private model = new Map<string, ModelRole>();
	private everSaved = false;
	private counter = 0;
	brokenAt?: number;

	constructor(
		private readonly sim: SimServer,
		private readonly admin: Vb365Admin,
		readonly seed: number,
	) {
		this.random = rng(seed);
		this.activation = activate(sim, 'vb365', { events: EVENTS });
	}

	async baseline(): Promise<void> {
		const baseline = await this.activation.poll();
		expect(baseline.error).toBeUndefined();
		expect(baseline.response).toBeNull();
		this.model = modelOf(this.sim);
	}

	async rounds(from: number, to: number): Promise<void> {
		if (this.brokenAt !== undefined) throw new Error(`not run: round ${this.brokenAt} failed (see above)`);
		for (let round = from; round <= to; round++) {
			const where = `vb365 round ${round} (seed ${this.seed})`;
			try {
				await this.round(where);
			} catch (error) {
				this.brokenAt = round;
				if (error instanceof Error && !error.message.startsWith(where)) error.message = `${where}: ${error.message}`;
				throw error;
			}
		}
	}

	private async mutate(): Promise<void> {
		const { random, sim, admin } = this;
		const store = vb365Product(sim).store;
		const roles = [...store.roles.values()];
		const r = random();
		const share = roles.length < 3 ? 0.5 : roles.length > 8 ? 0.03 : 0.1;
		if (r < share || roles.length === 0) {
			const org = pick(random, ORGS);
			const objects = directoryObjects(sim, org);
			const principals = objects.filter((o) => o.kind === 'User' || o.kind === 'Group');
			const specific = random() < 0.5;
			const operators = [...new Set(Array.from({ length: Math.floor(random() * 3) }, () => pick(random, principals)))];
			const selected = specific ? [pick(random, objects)] : [];
			const excluded = random() < 0.3 ? [pick(random, objects)].filter((o) => !selected.includes(o)) : [];
			await admin.createRole(org, `Random Role ${++this.counter}`, specific ? 'SpecificObjects' : 'EntireOrganization', { operators, selected, excluded });
			return;
		}
		const role = pick(random, roles);
		const objects = directoryObjects(sim, role.organizationId);
		const principals = objects.filter((o) => o.kind === 'User' || o.kind === 'Group');
		const absent = (list: RefListName, among = objects) => among.filter((o) => !role[list].has(o.id.toLowerCase()));
		const present = (list: RefListName) => [...role[list].values()].map((ref) => ref.id);
		if (r < 0.2 && roles.length > 2) await admin.deleteRole(role.id);
		else if (r < 0.23) {
			// Someone leaves Microsoft 365: the roles that name them keep them (the simulator keeps what the role showed); no event.
			const leaver = pick(random, principals.filter((p) => role.operators.has(p.id.toLowerCase())));
			if (leaver && principals.length > 3 && vb365Product(sim).removeObject(role.organizationId, leaver.kind, leaver.id)) this.stats.leavers++;
		}
		else if (r < 0.42) {
			const candidates = absent('operators', principals);
			if (candidates.length > 0) await admin.add(role.id, 'operators', [pick(random, candidates)]);
		} else if (r < 0.6) {
			const ids = present('operators');
			if (ids.length > 0) await admin.remove(role.id, 'operators', [pick(random, ids)]);
		} else if (r < 0.68 && role.roleType === 'SpecificObjects') {
			const candidates = absent('selected');
			if (candidates.length > 0) await admin.add(role.id, 'selected', [pick(random, candidates)]);
		} else if (r < 0.76 && role.roleType === 'SpecificObjects') {
			// A role of specific objects keeps at least one (the simulator refuses none: sim/contracts/vb365.md).
			const ids = present('selected');
			if (ids.length > 1) await admin.remove(role.id, 'selected', [pick(random, ids)]);
		} else if (r < 0.84) {
			const candidates = absent('excluded');
			if (candidates.length > 0) await admin.add(role.id, 'excluded', [pick(random, candidates)]);
		} else if (r < 0.92) {
			const ids = present('excluded');
			if (ids.length > 0) await admin.remove(role.id, 'excluded', [pick(random, ids)]);
		} else if (role.roleType === 'SpecificObjects') await admin.setRoleType(role.id, 'EntireOrganization');
		else await admin.setRoleType(role.id, 'SpecificObjects', [pick(random, objects)]);
	}

	private roleListBody(): IDataObject[] {
		return [...vb365Product(this.sim).store.roles.values()].map((r) => ({ id: r.id, organizationId: r.organizationId, name: r.name, description: r.description, roleType: r.roleType }));
	}

	private async round(where: string): Promise<void> {
		const { sim, random, activation, stats } = this;
		const changes = 1 + Math.floor(random() * 4);
		for (let i = 0; i < changes; i++) {
			await this.mutate();
			stats.mutations++;
		}
		const roles = [...vb365Product(sim).store.roles.values()];

		// Faults, chosen after the changes so that the administrator's requests are not hit.
		const f = random();
		let fault: Fault | undefined;
		if (f < 0.06) {
			sim.addFault({ kind: 'status', status: 500, method: 'GET', pathIncludes: '/v8/RbacRoles', after: 0 });
			fault = 'listErrors';
		} else if (f < 0.1) {
			vb365Product(sim).setLogin(VB365_DEFAULT_ADMIN, 'Rotated-Passw0rd!9');
			sim.tokens.expireAllAccess();
			sim.tokens.refuseRefresh(1, true);
			fault = 'loginRefused';
		} else if (f < 0.16) {
			// A read of some role's operators or items fails (every role is still there): the poll fails if it is hit.
			const list = pick(random, ['/operators', '/excludedItems', '/selectedItems']);
			sim.addFault({ kind: 'status', status: 500, method: 'GET', pathIncludes: list, after: Math.floor(random() * roles.length) });
			fault = 'readErrors';
		} else if (f < 0.19) {
			sim.addFault({ kind: 'status', status: 429, retryAfterSeconds: 0, method: 'GET', pathIncludes: '/v8/RbacRoles' });
			stats.recovered429++;
		} else if (f < 0.3 && roles.length > 0) {
			// Lies: the role list lacks some roles, or a role's operators or items come back empty once.
			if (random() < 0.5) {
				const kept = this.roleListBody().filter(() => random() < 0.6);
				sim.addFault({ kind: 'answer', status: 200, body: kept, method: 'GET', pathIncludes: '/v8/RbacRoles', after: 0, count: 1 });
			} else {
				const role = pick(random, roles);
				const list = pick(random, ['operators', 'excludedItems', ...(role.roleType === 'SpecificObjects' ? ['selectedItems'] : [])]);
				sim.addFault({ kind: 'answer', status: 200, body: [], method: 'GET', pathIncludes: `/RbacRoles/${role.id}/${list}`, count: 1 });
			}
			fault = 'lies';
		}

		const before = JSON.stringify(activation.workflow.staticData[STATIC_KEY] ?? {});
		const savedBefore = JSON.stringify(activation.savedStaticData);
		const result = await activation.poll();
		const hit = sim.faults.pending().length === 0;
		sim.faults.clear();
		if (fault === 'loginRefused') vb365Product(sim).setLogin(VB365_DEFAULT_ADMIN, VB365_DEFAULT_PASSWORD);

		if (result.error) {
			// A poll may fail only for a fault that hit it; then it wrote nothing, in memory or saved.
			if (!fault || fault === 'lies' || (fault !== 'loginRefused' && !hit)) throw new Error(`${where}: unexpected failure: ${result.error.message}`);
			stats.failed++;
			stats[fault]++;
			expect(result.response).toBeNull();
			if (JSON.stringify(result.workflowStaticData[STATIC_KEY] ?? {}) !== before) throw new Error(`${where}: a failed poll changed the state`);
			if (JSON.stringify(activation.savedStaticData) !== savedBefore) throw new Error(`${where}: a failed poll saved static data`);
			return;
		}
		if (fault === 'loginRefused' || ((fault === 'listErrors' || fault === 'readErrors') && hit)) throw new Error(`${where}: the poll should have failed (${fault})`);
		if (fault === 'lies') {
			stats.lies++;
			if (hit) stats.liesSurvived++;
		}
		stats.good++;
		const items = emitted(result);
		for (const item of items) this.stats.events[String(item.event)] = (this.stats.events[String(item.event)] ?? 0) + 1;
		const next = replayVb365(this.model, items, where);
		this.check(where, next, fault === 'lies' && hit);
		this.model = next;
		if (result.saved) this.everSaved = true;
		if (this.everSaved && random() < 0.05) {
			activation.restart();
			stats.restarts++;
		}
	}

	/**
	 * The replayed roles are the server's; after a lie they may lack an addition it hid, but never
	 * hold what the server lacks, nor miss what they held before and the server still has.
	 */
	private check(where: string, next: Map<string, ModelRole>, lied: boolean): void {
		const truth = vb365Truth(this.sim);
		const held = comparable(next);
		const server = comparable(truth);
		if (!lied || JSON.stringify(held) === JSON.stringify(server)) {
			expect({ where, roles: held }).toEqual({ where, roles: server });
			return;
		}
		this.stats.lagged++;
		// No removal the server does not show: what the last good poll held and the server still has stays.
		const before = comparable(this.model);
		for (const [id, was] of Object.entries(before)) {
			const now = server[id];
			if (!now) continue;
			expect({ where, id, reportedDeleted: held[id] === undefined }).toEqual({ where, id, reportedDeleted: false });
			for (const list of ['operators', 'selected', 'excluded'] as const) {
				if (list === 'selected' && was.roleType !== now.roleType) continue;
				const lost = was[list].filter((k) => now[list].includes(k) && !held[id][list].includes(k));
				expect({ where, id, list, reportedRemoved: lost }).toEqual({ where, id, list, reportedRemoved: [] });
			}
		}
		for (const [id, role] of Object.entries(held)) {
			const now = server[id];
			expect({ where, id, exists: now !== undefined }).toEqual({ where, id, exists: true });
			expect({ where, id, name: role.name, type: role.roleType }).toEqual({ where, id, name: now.name, type: now.roleType });
			for (const list of ['operators', 'selected', 'excluded'] as const) {
				const extra = role[list].filter((k) => !now[list].includes(k));
				expect({ where, id, list, notOnTheServer: extra }).toEqual({ where, id, list, notOnTheServer: [] });
			}
		}
	}
}

function blocks(rounds: number): Array<[number, number]> {
	const out: Array<[number, number]> = [];
	for (let first = 1; first <= rounds; first += BLOCK) out.push([first, Math.min(rounds, first + BLOCK - 1)]);
	return out;
}

describe('vb365', () => {
	let sim: SimServer;
	let run: Vb365RandomRun;

	beforeAll(async () => {
		sim = await startSimulator({ product: 'vb365' });
		// More people and groups to name: several operators and items per role.
		vb365Product(sim).seedUsers({ count: 10, groups: 2 });
		const admin = new Vb365Admin(sim);
		await admin.login();
		run = new Vb365RandomRun(sim, admin, SEED);
		console.log(`Veeam Trigger random test (vb365): seed ${SEED}, ${ROUNDS} rounds (TRIGGER_RANDOM_SEED=${SEED} to reproduce)`);
		await run.baseline();
	}, HANG);
	afterAll(async () => {
		await sim.close();
		await shutdownEngine();
	});

	it.each(blocks(ROUNDS))(`rounds %i to %i of random changes and faults: items replayed on the kept roles give the server's roles (seed ${SEED})`, async (first, last) => {
		await run.rounds(first, last);
	}, HANG);

	it(`${ROUNDS} rounds went through every fault, lies, a restart and every event kind`, () => {
		console.log(`Veeam Trigger random test (vb365): ${JSON.stringify(run.stats)}`);
		const { stats } = run;
		expect(run.brokenAt).toBeUndefined();
		expect(stats.good + stats.failed).toBe(ROUNDS);
		for (const seen of ['listErrors', 'readErrors', 'loginRefused', 'recovered429', 'liesSurvived', 'restarts', 'leavers'] as const) {
			expect({ [seen]: stats[seen] > 0 }).toEqual({ [seen]: true });
		}
		for (const event of EVENTS) expect({ [event]: (stats.events[event] ?? 0) > 0 }).toEqual({ [event]: true });
	});
});

