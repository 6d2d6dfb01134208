/**
 * Rounds of random changes on the simulator, each followed by a poll of the trigger through
 * n8n's engine: 300 on each product. Some rounds break the poll (HTTP errors on a list page or on
 * a look-up, a refused login), some answer 429 and recover within the poll, some restart n8n.
 * After every good poll, the emitted events replayed on the previous snapshot must give exactly
 * the server's user set, and each event's `previous` must be the user as the last good poll left
 * it: nothing lost, nothing repeated, nothing invented. A last test per product checks that the
 * run went through every fault, a restart and every event kind.
 *
 * The budget is work, not time: the rounds are cut into jest tests of 25 rounds each (1-2 s
 * alone), whose time limit only catches a hang, so a busy machine makes the file slower, never
 * failed. 300 rounds: with the default seed every fault and event kind has happened by round 115,
 * and bugs planted in the trigger failed it by round 114 at the latest (first failing round on
 * VBR / VBGC / AWS / Azure): role sets compared by their size 15/1/9/4; MFA switched off not
 * reported 5/15/17/1; a service-account change missed 1 (VBR); a long description's change
 * missed -/65/78/74; 429 not retried 16/11/99/95; the snapshot written before the removals were
 * checked 35/61/114/67; the adapter dropping isServiceAccount: the closing check.
 *
 * Reproduce a failure with the seed and round it names:
 *   TRIGGER_RANDOM_SEED=<seed> npx jest test/nodes/VeeamTrigger/VeeamTrigger.random
 * (TRIGGER_RANDOM_ROUNDS=<n> runs n rounds on each product.)
 */
import type { IDataObject } from 'n8n-workflow';

import type { Product } from '../../../client/model';
import {
	AWS_DEFAULT_ADMIN,
	AWS_DEFAULT_PASSWORD,
	AZURE_DEFAULT_ADMIN,
	AZURE_DEFAULT_PASSWORD,
	VBGC_DEFAULT_ADMIN,
	VBGC_DEFAULT_PASSWORD,
	VBR_DEFAULT_PASSWORD,
	startSimulator,
	type SimServer,
} from '../../../sim';
import { shutdownEngine } from '../../support/engine';
import { pick, rng, VBR_ROLES } from './fixtures';
import { describeRandomAccess } from './randomAccess';
import {
	PORTAL_ROLES,
	STATIC_KEY,
	USERS_PATH,
	AwsAdmin,
	AzureAdmin,
	VbgcAdmin,
	VbrAdmin,
	activate,
	adminFor,
	comparable,
	emitted,
	itemRef,
	serverUsers,
	type Admin,
} from './harness';

const ROUNDS = Number(process.env.TRIGGER_RANDOM_ROUNDS ?? 300);
/** Rounds per jest test: a block's time is bounded by its work, whatever the total. */
const BLOCK = 25;
/** Only a hang reaches it: a block takes 1-2 s alone on two cores, up to 15 s at load 14. */
const HANG = 600_000;
const SEED = Number(process.env.TRIGGER_RANDOM_SEED ?? 20_261_123);
const PAGE = 10;
const VBGC_ROLES = ['3aa715c3-17b3-45b8-9e0b-c61743bf84d1', '0adb5f78-6593-4189-9383-95fe820a2647', 'c082aeb7-6c99-4fcc-afaf-360573eff45c'];

interface Scenario {
	product: Product;
	usersPath: string;
	login: { name: string; password: string };
	/** Never removed, demoted or otherwise changed: the trigger's login (and VBGC's undeletable admin). */
	protected: Set<string>;
	/** One random change through the REST API (or, for what the API cannot change, inside the simulator). */
	mutate(sim: SimServer, random: () => number, counter: () => number): Promise<void>;
}

const someOf = (random: () => number, ids: string[]) => [...new Set([pick(random, ids), ...(random() < 0.25 ? [pick(random, ids)] : [])])];

/** Adds and removals balance around ~25 users (3 pages of 10), so that each poll pages. */
const addShare = (count: number) => (count < 15 ? 0.45 : count > 35 ? 0.1 : 0.28);

function vbrScenario(admin: VbrAdmin): Scenario {
	const vbrRoleIds = VBR_ROLES.map((r) => r.id);
	const protectedNames = new Set(['VBR01\\svc-n8n']);
	return {
		product: 'vbr',
		usersPath: '/api/v1/security/users',
		login: { name: 'VBR01\\svc-n8n', password: VBR_DEFAULT_PASSWORD },
		protected: protectedNames,
		async mutate(sim, random, counter) {
			const users = [...serverUsers(sim).values()].filter((u) => !protectedNames.has(u.name));
			const r = random();
			if (r < addShare(users.length)) {
				await admin.addUser(`${pick(random, ['CORP', 'LAB', 'TECH'])}\\u${counter()}`, someOf(random, vbrRoleIds), {
					isServiceAccount: random() < 0.2,
					...(random() < 0.2 ? { type: 'ExternalGroup' } : {}),
				});
			} else if (r < 0.55 || users.length > 35) {
				await admin.removeUser(pick(random, users).ref);
			} else if (r < 0.8) {
				await admin.setRoles(pick(random, users).ref, someOf(random, vbrRoleIds));
			} else if (r < 0.9) {
				const user = pick(random, users);
				await admin.setServiceAccount(user.ref, !user.isServiceAccount);
			} else if (r < 0.97) {
				// VBR's MFA is server-wide: every user it applies to changes at once.
				await admin.setMfa(!(sim.product.snapshot() as { mfaEnabled: boolean }).mfaEnabled);
			} else {
				const user = pick(random, users);
				admin.setTypeBehindTheApi(user.ref, user.type === 'ExternalUser' ? 'InternalUser' : 'ExternalUser');
			}
		},
	};
}

function vbgcScenario(admin: VbgcAdmin): Scenario {
	const protectedNames = new Set([VBGC_DEFAULT_ADMIN]);
	return {
		product: 'vbgc',
		usersPath: '/api/v1/users',
		login: { name: VBGC_DEFAULT_ADMIN, password: VBGC_DEFAULT_PASSWORD },
		protected: protectedNames,
		async mutate(sim, random, counter) {
			const users = [...serverUsers(sim).values()].filter((u) => !protectedNames.has(u.name));
			const r = random();
			if (r < addShare(users.length)) {
				await admin.addUser(`u${counter()}-${pick(random, ['ops', 'dev', 'fin'])}`, someOf(random, VBGC_ROLES), {
					description: random() < 0.5 ? '' : `Team ${pick(random, ['A', 'B', 'C'])}`,
				});
			} else if (r < 0.55 || users.length > 35) {
				await admin.removeUser(pick(random, users).ref);
			} else if (r < 0.75) {
				await admin.setRoles(pick(random, users).ref, someOf(random, VBGC_ROLES));
			} else if (r < 0.9) {
				const user = pick(random, users);
				await admin.setMfa(!user.mfaEnabled, user.ref);
			} else {
				await admin.setDescription(pick(random, users).ref, random() < 0.1 ? 'd'.repeat(80 + Math.floor(random() * 5)) : `Note ${counter()}`);
			}
		},
	};
}

/**
 * AWS: users by name (lower-case letters, digits, `_`, `-`), one role each, MFA set up over REST.
 * Azure: users by ID, portal or Microsoft Entra ID accounts, one of four roles, MFA changed inside
 * the simulator (its REST API has no such call). The default administrator (the trigger's login)
 * is never touched, so the other administrators may be demoted or removed.
 */
function portalScenario(product: 'aws' | 'azure', admin: AwsAdmin | AzureAdmin): Scenario {
	const login = product === 'aws' ? { name: AWS_DEFAULT_ADMIN, password: AWS_DEFAULT_PASSWORD } : { name: AZURE_DEFAULT_ADMIN, password: AZURE_DEFAULT_PASSWORD };
	const protectedNames = new Set([login.name]);
	const roles = PORTAL_ROLES[product].map((r) => r.id);
	return {
		product,
		usersPath: USERS_PATH[product],
		login,
		protected: protectedNames,
		async mutate(sim, random, counter) {
			const users = [...serverUsers(sim).values()].filter((u) => !protectedNames.has(u.name));
			const r = random();
			if (r < addShare(users.length)) {
				const team = pick(random, ['ops', 'dev', 'fin']);
				const description = random() < 0.5 ? '' : `Team ${pick(random, ['A', 'B', 'C'])}`;
				if (admin instanceof AzureAdmin && random() < 0.2) {
					await admin.addUser(`u${counter()}.${team}@contoso.example`, [pick(random, roles)], { description, identityProvider: true });
				} else {
					await admin.addUser(`u${counter()}_${team}`, [pick(random, roles)], { description });
				}
			} else if (r < 0.55 || users.length > 35) {
				await admin.removeUser(pick(random, users).ref);
			} else if (r < 0.75) {
				await admin.setRoles(pick(random, users).ref, [pick(random, roles)]);
			} else if (r < 0.9) {
				const user = pick(random, users);
				await admin.setMfa(!user.mfaEnabled, user.ref);
			} else {
				await admin.setDescription(pick(random, users).ref, random() < 0.1 ? 'd'.repeat(80 + Math.floor(random() * 5)) : `Note ${counter()}`);
			}
		},
	};
}

type Model = Map<string, IDataObject>;
const modelOf = (users: ReturnType<typeof serverUsers>): Model => new Map([...users].map(([ref, u]) => [ref, comparable(u) as IDataObject]));

/** What a run went through, checked at its end: every fault, every event kind. */
interface Stats {
	good: number;
	failed: number;
	/** Faults that failed the poll, by kind. */
	listErrors: number;
	loginRefused: number;
	lookupErrors: number;
	recovered429: number;
	restarts: number;
	mutations: number;
	events: Record<string, number>;
}

/**
 * One product's run, a round at a time: the trigger's activation, the model of what its events
 * said so far, and the random stream, carried from one block of rounds to the next.
 */
class RandomRun {
	readonly stats: Stats = { good: 0, failed: 0, listErrors: 0, loginRefused: 0, lookupErrors: 0, recovered429: 0, restarts: 0, mutations: 0, events: {} };
	private readonly random: () => number;
	private readonly activation: ReturnType<typeof activate>;
	private model: Model = new Map();
	private everSaved = false;
	private counter = 0;
	/** Set when a round failed: the rounds after it are not run (their model would be wrong). */
	brokenAt?: number;

	constructor(
		private readonly sim: SimServer,
		private readonly scenario: Scenario,
		readonly seed: number,
	) {
		this.random = rng(seed);
		this.activation = activate(sim, scenario.product);
	}

	async baseline(): Promise<void> {
		const baseline = await this.activation.poll();
		expect(baseline.error).toBeUndefined();
		expect(baseline.response).toBeNull();
		this.model = modelOf(serverUsers(this.sim));
	}

	/** Rounds `from` to `to`; a failure names its round and the seed that reproduces it. */
	async rounds(from: number, to: number): Promise<void> {
		if (this.brokenAt !== undefined) throw new Error(`not run: round ${this.brokenAt} failed (see above)`);
		for (let round = from; round <= to; round++) {
			const where = `${this.scenario.product} round ${round} (seed ${this.seed})`;
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
		const { sim, scenario, random, activation, stats } = this;
		const changes = 1 + Math.floor(random() * 4);
		for (let i = 0; i < changes; i++) {
			await scenario.mutate(sim, random, () => ++this.counter);
			stats.mutations++;
		}

		// Faults: chosen after the changes, so the administrator's own requests are not hit.
		const f = random();
		let failure: 'listErrors' | 'loginRefused' | 'lookupErrors' | undefined;
		if (f < 0.06) {
			const pages = Math.ceil(serverUsers(sim).size / PAGE);
			sim.addFault({ kind: 'status', status: 500, method: 'GET', pathIncludes: scenario.usersPath, after: Math.floor(random() * pages) });
			failure = 'listErrors';
		} else if (f < 0.09) {
			// The login is refused: the password was changed and every token is gone.
			sim.product.setLogin(scenario.login.name, 'Rotated-Passw0rd!9');
			sim.tokens.expireAllAccess();
			sim.tokens.refuseRefresh(1, true);
			failure = 'loginRefused';
		} else if (f < 0.12) {
			// A look-up of an apparently removed user fails (a failure only if this round removed someone).
			const server = serverUsers(sim);
			sim.addFault({ kind: 'status', status: 500, method: 'GET', pathIncludes: `${scenario.usersPath}/` });
			if ([...this.model.keys()].some((ref) => !server.has(ref))) failure = 'lookupErrors';
		} else if (f < 0.15) {
			// Too many requests, retry at once: the poll recovers by itself.
			sim.addFault({ kind: 'status', status: 429, retryAfterSeconds: 0, method: 'GET', pathIncludes: scenario.usersPath });
			stats.recovered429++;
		}

		const before = JSON.stringify(activation.workflow.staticData[STATIC_KEY] ?? {});
		const savedBefore = JSON.stringify(activation.savedStaticData);
		const result = await activation.poll();
		sim.faults.clear();
		if (failure === 'loginRefused') sim.product.setLogin(scenario.login.name, scenario.login.password);

		if (failure) {
			if (result.error === undefined) throw new Error(`${where}: the poll should have failed (${failure})`);
			stats.failed++;
			stats[failure]++;
			expect(result.response).toBeNull();
			// Nothing written, in memory or saved.
			if (JSON.stringify(result.workflowStaticData[STATIC_KEY] ?? {}) !== before) throw new Error(`${where}: a failed poll changed the snapshot`);
			if (JSON.stringify(activation.savedStaticData) !== savedBefore) throw new Error(`${where}: a failed poll saved static data`);
			return;
		}
		if (result.error) throw new Error(`${where}: unexpected failure: ${result.error.message}`);
		stats.good++;

		// Replay: each event must start from the user as the model has it.
		const items = emitted(result);
		const seen = new Set<string>();
		for (const item of items) {
			const user = item.user as IDataObject | null;
			const previous = item.previous as IDataObject | null;
			const ref = itemRef(user ?? previous);
			const key = `${String(item.event)} ${ref}`;
			if (seen.has(key)) throw new Error(`${where}: ${key} emitted twice`);
			seen.add(key);
			stats.events[String(item.event)] = (stats.events[String(item.event)] ?? 0) + 1;
			if (item.event === 'userAdded') {
				if (this.model.has(ref)) throw new Error(`${where}: ${ref} added, but it was already there`);
			} else {
				const expected = { ...this.model.get(ref) };
				// A description longer than the state keeps is known by its digest only.
				if (previous && previous.description === undefined && typeof expected.description === 'string' && expected.description.length > 64) {
					expected.description = null;
				}
				expect({ where, previous: comparable(previous) }).toEqual({ where, previous: expected });
			}
		}
		const replayed = new Map(this.model);
		for (const item of items) {
			const user = item.user as IDataObject | null;
			if (item.event === 'userRemoved') replayed.delete(itemRef(item.previous as IDataObject));
			else if (user) replayed.set(itemRef(user), comparable(user) as IDataObject);
		}
		const server = modelOf(serverUsers(sim));
		expect({ where, users: Object.fromEntries([...replayed].sort()) }).toEqual({ where, users: Object.fromEntries([...server].sort()) });
		this.model = replayed;
		if (result.saved) this.everSaved = true;

		// Sometimes n8n restarts: the activation continues from what was saved.
		if (this.everSaved && random() < 0.05) {
			activation.restart();
			stats.restarts++;
		}
	}
}

function scenarioFor(admin: Admin): Scenario {
	if (admin instanceof VbrAdmin) return vbrScenario(admin);
	if (admin instanceof VbgcAdmin) return vbgcScenario(admin);
	if (admin instanceof AwsAdmin || admin instanceof AzureAdmin) return portalScenario(admin.product, admin);
	throw new Error(`no scenario for ${admin.product}`);
}

/** The blocks of rounds a product's run is cut into: [first, last] each. */
function blocks(rounds: number): Array<[number, number]> {
	const out: Array<[number, number]> = [];
	for (let first = 1; first <= rounds; first += BLOCK) out.push([first, Math.min(rounds, first + BLOCK - 1)]);
	return out;
}

describe.each([
	['vbr' as const, ROUNDS],
	['vbgc' as const, ROUNDS],
	['aws' as const, ROUNDS],
	['azure' as const, ROUNDS],
])('%s', (product, rounds) => {
	let sim: SimServer;
	let run: RandomRun;

	beforeAll(async () => {
		const pages = { maxPageSize: PAGE };
		sim = await startSimulator({ product, vbr: pages, vbgc: pages, aws: pages, azure: pages });
		const admin = adminFor(sim);
		await admin.login();
		run = new RandomRun(sim, scenarioFor(admin), SEED);
		console.log(`Veeam Trigger random test (${product}): seed ${SEED}, ${rounds} rounds (TRIGGER_RANDOM_SEED=${SEED} to reproduce)`);
		await run.baseline();
	}, HANG);
	afterAll(async () => {
		await sim.close();
	});

	it.each(blocks(rounds))(`rounds %i to %i of random changes and faults: events replayed on the snapshot give the server's users (seed ${SEED})`, async (first, last) => {
		await run.rounds(first, last);
	}, HANG);

	it(`${rounds} rounds went through every fault, a restart and every event kind`, () => {
		console.log(`Veeam Trigger random test (${product}): ${JSON.stringify(run.stats)}`);
		const { stats } = run;
		expect(run.brokenAt).toBeUndefined();
		expect(stats.good + stats.failed).toBe(rounds);
		expect(stats.failed).toBe(stats.listErrors + stats.loginRefused + stats.lookupErrors);
		for (const seen of ['listErrors', 'loginRefused', 'lookupErrors', 'recovered429', 'restarts'] as const) {
			expect({ [seen]: stats[seen] > 0 }).toEqual({ [seen]: true });
		}
		const kinds = ['userAdded', 'userRemoved', 'rolesChanged', 'mfaChanged', 'otherFieldsChanged'];
		if (product === 'vbr') kinds.push('serviceAccountModeChanged');
		for (const event of kinds) expect({ [event]: (stats.events[event] ?? 0) > 0 }).toEqual({ [event]: true });
	});
});

// Custom roles and the access to backups and jobs (VBR 1.3-rev2): randomAccess.ts.
describeRandomAccess(ROUNDS, SEED, blocks(ROUNDS), HANG);
describeRandomAccess(ROUNDS, SEED + 1, blocks(ROUNDS), HANG, true);

afterAll(async () => {
	await shutdownEngine();
});
