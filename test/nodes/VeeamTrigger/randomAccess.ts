/**
 * The randomized test of the trigger's custom-role and access events (VeeamTrigger.random.test.ts
 * runs it): rounds of random role and ACL changes on the VBR simulator (roles created, edited,
 * cloned, deleted; owners and delegations changed; backups and jobs appearing and going), some
 * rounds breaking the poll (HTTP errors on an ACL page, a role's details, a record's read) or
 * answering 429, some restarting n8n. After every good poll the emitted role and access events,
 * replayed on what the earlier events said, must give exactly the server's custom roles and ACL
 * records, and each event's `previous` must be what the last good poll left: nothing lost, nothing
 * repeated, nothing invented. The last test checks the run went through every fault and event kind.
 */
import type { IDataObject } from 'n8n-workflow';

import { canonicalJson, ROLE_SCOPES } from '../../../nodes/VeeamTrigger/accessModel';
import { startSimulator, type SimServer } from '../../../sim';
import { pick, rng } from './fixtures';
import { ACCESS_EVENT_KINDS, AccessAdmin, RESTORE_OPERATOR, ROLE_EVENT_KINDS, addAclObject, comparableAcl, removeAclObject, serverAcl, serverCustomRoles } from './accessHarness';
import { STATIC_KEY, activate, emitted, serverUsers } from './harness';

const PAGE = 3;
const REPOSITORY = '88788f9e-d8f5-4eb4-bc4f-9b3f5403bcec';

type Model = Map<string, IDataObject | null>;

/** A custom role reduced to what the trigger compares (an item's `role`, or the server's details). */
function comparableRole(role: IDataObject): IDataObject {
	const scopes: IDataObject = {};
	for (const s of ROLE_SCOPES) scopes[s] = role[s] === undefined || role[s] === null ? null : canonicalJson(role[s]);
	return { name: role.name, description: role.description ?? null, manageBackups: role.manageBackups, manageRestores: role.manageRestores, ...scopes };
}
const previousOf = (role: IDataObject | null | undefined) =>
	role ? { name: role.name, description: role.description ?? null, manageBackups: role.manageBackups, manageRestores: role.manageRestores } : null;

interface Stats {
	good: number;
	failed: number;
	aclErrors: number;
	detailErrors: number;
	lookupErrors: number;
	recovered429: number;
	restarts: number;
	events: Record<string, number>;
}

class AccessRun {
	readonly stats: Stats = { good: 0, failed: 0, aclErrors: 0, detailErrors: 0, lookupErrors: 0, recovered429: 0, restarts: 0, events: {} };
	private readonly random: () => number;
	private readonly activation;
	private roles: Model = new Map();
	private acl: Model = new Map();
	private counter = 0;
	private everSaved = false;
	brokenAt?: number;

	constructor(
		private readonly sim: SimServer,
		private readonly admin: AccessAdmin,
		readonly seed: number,
		private readonly listOmitsDelegations: boolean,
	) {
		this.random = rng(seed);
		this.activation = activate(sim, 'vbr', { events: [...ROLE_EVENT_KINDS, ...ACCESS_EVENT_KINDS] });
	}

	private serverRoles(): Model {
		return new Map([...serverCustomRoles(this.sim)].map(([id, r]) => [id, comparableRole(r)]));
	}

	private serverAcl(): Model {
		return new Map([...serverAcl(this.sim)].map(([key, r]) => [key, comparableAcl(r)]));
	}

	async baseline(): Promise<void> {
		for (let i = 0; i < 3; i++) await this.mutateRole(0.1);
		const first = await this.activation.poll();
		expect(first.error).toBeUndefined();
		expect(first.response).toBeNull();
		this.roles = this.serverRoles();
		this.acl = this.serverAcl();
	}

	private scope(): IDataObject {
		const r = this.random();
		if (r < 0.3) return { repositoryScope: { allRepositories: true } };
		if (r < 0.6) return { repositoryScope: { allRepositories: false, repositories: [{ repositoryId: REPOSITORY, repositoryName: `Repo ${this.counter}` }] } };
		if (r < 0.8) return { restorePermissionsScope: { restoreBackupScope: { entireBackupScope: this.random() < 0.5 }, restoreOptions: { allOptions: true } } };
		return { inventoryScope: { entireInventory: true } };
	}

	/** One random change of a custom role; `r` forces the kind (below 0.25: a create). */
	private async mutateRole(r = this.random()): Promise<void> {
		const ids = [...serverCustomRoles(this.sim).keys()];
		if (r < 0.25 || ids.length < 2) {
			if (ids.length < 8) await this.admin.createRole({ name: `R${++this.counter}`, description: this.random() < 0.5 ? '' : `Team ${this.counter}`, manageBackups: this.random() < 0.5, manageRestores: this.random() < 0.5, ...this.scope() });
		} else if (r < 0.65) {
			const id = pick(this.random, ids);
			const k = this.random();
			if (k < 0.3) await this.admin.updateRole(id, { description: this.random() < 0.15 ? 'd'.repeat(70 + (this.counter++ % 5)) : `Note ${++this.counter}` });
			else if (k < 0.5) await this.admin.updateRole(id, { manageBackups: this.random() < 0.5, manageRestores: this.random() < 0.5 });
			else if (k < 0.6) await this.admin.updateRole(id, { name: `R${++this.counter}` });
			else await this.admin.updateRole(id, this.scope());
		} else if (r < 0.85) {
			await this.admin.deleteRole(pick(this.random, ids));
		} else {
			const id = pick(this.random, ids);
			const name = String(serverCustomRoles(this.sim).get(id)?.name);
			const taken = [...serverCustomRoles(this.sim).values()].some((x) => String(x.name).toLowerCase() === `${name}_clone`.toLowerCase());
			if (!taken && ids.length < 8) await this.admin.cloneRole(id);
		}
	}

	private async mutateAcl(): Promise<void> {
		const records = [...serverAcl(this.sim).values()].map((r) => r.object as IDataObject);
		const r = this.random();
		if (r < 0.3) {
			const o = pick(this.random, records);
			const users = [...serverUsers(this.sim).values()].filter((u) => !u.isGroup);
			await this.admin.changeOwner(String(o.type), String(o.id), pick(this.random, users).name);
		} else if (r < 0.7) {
			const o = pick(this.random, records);
			const roles = [RESTORE_OPERATOR, ...serverCustomRoles(this.sim).keys()];
			const n = Math.floor(this.random() * 3);
			const delegations = Array.from({ length: n }, () => ({ roleId: pick(this.random, roles), rights: [...new Set([pick(this.random, ['full', 'write', 'restore']), pick(this.random, ['restore', 'write'])])] }));
			await this.admin.changeEffectiveAccess(String(o.type), String(o.id), delegations);
		} else if (r < 0.85 && records.length < 10) {
			addAclObject(this.sim, this.random() < 0.5 ? 'backup' : 'backupJob', `Object ${++this.counter}`);
		} else if (records.length > 4) {
			removeAclObject(this.sim, String(pick(this.random, records).id));
		}
	}

	async rounds(from: number, to: number): Promise<void> {
		if (this.brokenAt !== undefined) throw new Error(`not run: round ${this.brokenAt} failed (see above)`);
		for (let round = from; round <= to; round++) {
			const where = `vbr roles/access round ${round} (seed ${this.seed})`;
			try {
				await this.round(where);
			} catch (error) {
				this.brokenAt = round;
				if (error instanceof Error && !error.message.startsWith(where)) error.message = `${where}: ${error.message}`;
				throw error;
			}
		}
	}

	private async round(where: string): Promise<void> {
		const { sim, random, activation, stats } = this;
		const changes = 1 + Math.floor(random() * 3);
		for (let i = 0; i < changes; i++) {
			if (random() < 0.5) await this.mutateRole();
			else await this.mutateAcl();
		}
		const f = random();
		let failure: 'aclErrors' | 'detailErrors' | 'lookupErrors' | undefined;
		if (f < 0.06) {
			sim.addFault({ kind: 'status', status: 500, method: 'POST', pathIncludes: '/api/v1/acl', after: Math.floor(random() * Math.ceil(serverAcl(sim).size / PAGE)) });
			failure = 'aclErrors';
		} else if (f < 0.1 && serverCustomRoles(sim).size > 0) {
			sim.addFault({ kind: 'status', status: 500, method: 'GET', pathIncludes: '/details' });
			failure = 'detailErrors';
		} else if (f < 0.14) {
			// A record's read fails: a failure if one is read, i.e. the list shows a record without
			// delegations (read once more) or a record went since the last good poll (looked up).
			sim.addFault({ kind: 'status', status: 500, method: 'GET', pathIncludes: '/api/v1/acl/' });
			const server = serverAcl(sim);
			const reread = [...server.values()].some((r) => this.listOmitsDelegations || !((r.principal as IDataObject).effectiveAccess as unknown[] | undefined)?.length);
			if (reread || [...this.acl.keys()].some((k) => !server.has(k))) failure = 'lookupErrors';
		} else if (f < 0.17) {
			sim.addFault({ kind: 'status', status: 429, retryAfterSeconds: 0, method: 'POST', pathIncludes: '/api/v1/acl' });
			stats.recovered429++;
		}

		const before = JSON.stringify(activation.workflow.staticData[STATIC_KEY] ?? {});
		const result = await activation.poll();
		sim.faults.clear();
		if (failure) {
			if (result.error === undefined) throw new Error(`${where}: the poll should have failed (${failure})`);
			stats.failed++;
			stats[failure]++;
			if (JSON.stringify(result.workflowStaticData[STATIC_KEY] ?? {}) !== before) throw new Error(`${where}: a failed poll changed the state`);
			return;
		}
		if (result.error) throw new Error(`${where}: unexpected failure: ${result.error.message}`);
		stats.good++;
		const seen = new Set<string>();
		for (const item of emitted(result)) {
			const event = String(item.event);
			const kind = event === 'accessChanged' ? `accessChanged:${String(item.change)}` : event;
			stats.events[kind] = (stats.events[kind] ?? 0) + 1;
			if (event === 'accessChanged') {
				const o = item.object as IDataObject;
				const key = `${String(o.type).toLowerCase()}:${String(o.id).toLowerCase()}`;
				if (seen.has(key)) throw new Error(`${where}: ${key} reported twice`);
				seen.add(key);
				if (item.change === 'added') expect({ where, had: this.acl.has(key) }).toEqual({ where, had: false });
				else expect({ where, previous: comparableAcl(item.previous as IDataObject) }).toEqual({ where, previous: this.acl.get(key) });
				if (item.change === 'removed') this.acl.delete(key);
				else this.acl.set(key, comparableAcl(item.access as IDataObject));
			} else {
				const role = (item.role ?? item.previous) as IDataObject;
				const id = String(role.id).toLowerCase();
				if (seen.has(id)) throw new Error(`${where}: role ${id} reported twice`);
				seen.add(id);
				if (event === 'roleCreated') expect({ where, had: this.roles.has(id) }).toEqual({ where, had: false });
				else {
					const expected = previousOf(this.roles.get(id));
					// A description longer than the state keeps is known by its digest only.
					if (expected && typeof expected.description === 'string' && expected.description.length > 64) expected.description = null;
					expect({ where, previous: previousOf(item.previous as IDataObject) }).toEqual({ where, previous: expected });
				}
				if (event === 'roleDeleted') this.roles.delete(id);
				else this.roles.set(id, comparableRole(item.role as IDataObject));
			}
		}
		expect({ where, roles: Object.fromEntries([...this.roles].sort()) }).toEqual({ where, roles: Object.fromEntries([...this.serverRoles()].sort()) });
		expect({ where, acl: Object.fromEntries([...this.acl].sort()) }).toEqual({ where, acl: Object.fromEntries([...this.serverAcl()].sort()) });
		if (result.saved) this.everSaved = true;
		if (this.everSaved && random() < 0.05) {
			activation.restart();
			stats.restarts++;
		}
	}
}

/**
 * The describe block of the random test for roles and access (`blocks`: [first, last] rounds of each
 * jest test). `listOmitsDelegations`: the server's ACL list leaves delegations out, as Veeam's list
 * example does (the trigger reads each record once more).
 */
export function describeRandomAccess(rounds: number, seed: number, blocks: Array<[number, number]>, hang: number, listOmitsDelegations = false): void {
	describe(`vbr custom roles and access${listOmitsDelegations ? ', ACL list without delegations' : ''}`, () => {
		let sim: SimServer;
		let run: AccessRun;
		beforeAll(async () => {
			sim = await startSimulator({ product: 'vbr', vbr: { maxPageSize: PAGE, accessControl: { aclListOmitsDelegations: listOmitsDelegations } } });
			const admin = new AccessAdmin(sim);
			await admin.login();
			run = new AccessRun(sim, admin, seed, listOmitsDelegations);
			await run.baseline();
		}, hang);
		afterAll(async () => {
			await sim.close();
		});

		it.each(blocks)(`rounds %i to %i of random role and ACL changes and faults: events replayed give the server's roles and records (seed ${seed})`, async (first, last) => {
			await run.rounds(first, last);
		}, hang);

		it(`${rounds} rounds went through every fault, a restart and every role and access event`, () => {
			console.log(`Veeam Trigger random test (vbr roles and access${listOmitsDelegations ? ', list without delegations' : ''}): ${JSON.stringify(run.stats)}`);
			const { stats } = run;
			expect(run.brokenAt).toBeUndefined();
			expect(stats.good + stats.failed).toBe(rounds);
			for (const seen of ['aclErrors', 'detailErrors', 'lookupErrors', 'recovered429', 'restarts'] as const) expect({ [seen]: stats[seen] > 0 }).toEqual({ [seen]: true });
			for (const event of ['roleCreated', 'roleChanged', 'roleDeleted', 'accessChanged:added', 'accessChanged:removed', 'accessChanged:changed']) {
				expect({ [event]: (stats.events[event] ?? 0) > 0 }).toEqual({ [event]: true });
			}
		});
	});
}
