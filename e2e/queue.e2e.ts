/**
 * The nodes in n8n's queue mode, as shops run n8n at scale: Debian's PostgreSQL and Redis (started
 * here on loopback, e2e/lib/services.ts), one main (`n8n start`, EXECUTIONS_MODE=queue) and two
 * `n8n worker` processes sharing the encryption key and the installed package, and the simulator.
 * The first 2.x version tested only (the target unless --n8n / N8N_E2E_VERSIONS names another; queue
 * mode is the same feature on 1.x; one major keeps CI in its budget).
 *
 * - 20 webhook executions (15 hires, 5 leavers) in two waves, the simulator's tokens living 3 s so
 *   that they expire between the waves: every user ends as intended, none twice, no execution
 *   fails; the token grants are counted (the numbers are printed).
 * - A worker killed with kill -9 while an execution of 50 onboardings is under way: n8n marks that
 *   execution failed; running it again converges, with no duplicate and no error.
 * - The Veeam Trigger, active, polls on the main only: each change is emitted once in all.
 */
import { startSimulator, type SimServer } from '../sim';
import { Collector } from './lib/collector';
import { chain, duplicateNames, node, roleNamesOf, userNamed, vbrCredential } from './lib/fixtures';
import { e2eVersions, N8nInstance, type WorkflowJson } from './lib/n8n';
import { Postgres, Redis } from './lib/services';
import { VbrConsole } from './lib/veeamConsole';
import { N8nWorker } from './lib/worker';

const VERSION = e2eVersions().find((version) => Number(version.split('.')[0]) >= 2);
const CREDENTIAL = { id: 'veeamQueueVbr01', name: 'Veeam Backup & Replication (queue)' };
const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));
/**
 * Only a hang reaches it. The tests wait for work (executions started, users created, polls), each
 * wait with its own generous limit, so a busy machine makes them slower, never failed.
 */
const HANG_MS = 600_000;

/** Waits until `done()` holds, checking every `everyMs`; false when `limitMs` passed first (a hang). */
async function until(done: () => boolean, limitMs: number, everyMs = 100): Promise<boolean> {
	const started = Date.now();
	while (!done()) {
		if (Date.now() - started > limitMs) return false;
		await sleep(everyMs);
	}
	return true;
}

const veeam = (name: string, parameters: Record<string, unknown>) =>
	node(name, 'n8n-nodes-veeam.veeam', 1, { product: 'vbr', ...parameters }, { credentials: { veeamBackupReplicationApi: CREDENTIAL } });

/** Webhook (POST /hr-event, answers with the last node's items) → hire? → Onboard / Offboard. */
function hrWorkflow(): WorkflowJson {
	const nodes = [
		node('HR event', 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path: 'hr-event', responseMode: 'lastNode', responseData: 'allEntries', options: {} }, { webhookId: '3b0f6a1e-2c4d-4e8f-9a1b-5c6d7e8f9a01' }),
		node('Hire?', 'n8n-nodes-base.if', 2.2, {
			conditions: {
				options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
				conditions: [{ id: 'c1', leftValue: '={{ $json.body.event }}', rightValue: 'hire', operator: { type: 'string', operation: 'equals' } }],
				combinator: 'and',
			},
			options: {},
		}),
		veeam('Onboard', { resource: 'user', operation: 'onboard', userName: '={{ $json.body.account }}', userType: 'InternalUser', roles: ['Restore Operator'], ifExists: 'makeRolesMatch' }),
		veeam('Offboard', { resource: 'user', operation: 'offboard', user: { __rl: true, mode: 'name', value: '={{ $json.body.account }}' } }),
	];
	return {
		id: 'veeamQueueHr01',
		name: 'Queue: HR event → Veeam',
		nodes,
		connections: {
			'HR event': { main: [[{ node: 'Hire?', type: 'main', index: 0 }]] },
			'Hire?': { main: [[{ node: 'Onboard', type: 'main', index: 0 }], [{ node: 'Offboard', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	} as unknown as WorkflowJson;
}

/** Webhook (POST /hires, answered at once) → one item per account → Onboard, one at a time. */
function bulkWorkflow(): WorkflowJson {
	const nodes = [
		node('Hires', 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path: 'hires', responseMode: 'onReceived', options: {} }, { webhookId: '3b0f6a1e-2c4d-4e8f-9a1b-5c6d7e8f9a02' }),
		node('One item per hire', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'body.accounts', options: {} }),
		veeam('Onboard all', { resource: 'user', operation: 'onboard', userName: '={{ $json["body.accounts"] }}', userType: 'InternalUser', roles: ['Restore Operator'], options: { concurrency: 1 } }),
	];
	return { id: 'veeamQueueBulk01', name: 'Queue: 50 hires', nodes, connections: chain('Hires', 'One item per hire', 'Onboard all'), settings: { executionOrder: 'v1' } } as unknown as WorkflowJson;
}

/** Veeam Trigger (every minute, rolesChanged) → HTTP Request to the collector. */
function triggerWorkflow(collectorPort: number): WorkflowJson {
	const nodes = [
		node('Veeam Trigger', 'n8n-nodes-veeam.veeamTrigger', 1, { pollTimes: { item: [{ mode: 'everyMinute' }] }, product: 'vbr', events: ['rolesChanged'], options: {} }, { credentials: { veeamBackupReplicationApi: CREDENTIAL } }),
		node('Notify', 'n8n-nodes-base.httpRequest', 4.2, {
			method: 'POST',
			url: `http://127.0.0.1:${collectorPort}/changed`,
			sendBody: true,
			specifyBody: 'json',
			jsonBody: '={{ JSON.stringify({ user: $json.user.name, event: $json.event }) }}',
			options: {},
		}),
	];
	return { id: 'veeamQueueTrig01', name: 'Queue: Veeam Trigger', nodes, connections: chain('Veeam Trigger', 'Notify'), settings: { executionOrder: 'v1' } } as unknown as WorkflowJson;
}

const run = VERSION ? describe : describe.skip;

run(`n8n ${VERSION ?? '2.x'} in queue mode (PostgreSQL, Redis, a main and two workers)`, () => {
	let pg: Postgres;
	let redis: Redis;
	let sim: SimServer;
	let collector: Collector;
	let n8n: N8nInstance;
	const workers: N8nWorker[] = [];
	const started = Date.now();
	const at = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;

	const post = async (path: string, body: unknown) => {
		const res = await fetch(`${n8n.baseUrl}/webhook/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
		return { status: res.status, body: (await res.text()).trim() };
	};
	const executionsOf = (workflowId: string) =>
		pg.query(`SELECT id, status, finished FROM execution_entity WHERE "workflowId" = '${workflowId}' ORDER BY id`).map(([id, status, finished]) => ({ id, status, finished }));
	/** The executions a worker logged as started (n8n logs "Worker started execution <id>"). */
	const startedBy = (worker: N8nWorker) => [...worker.log.matchAll(/started execution (\d+)/gi)].map((m) => m[1]);

	beforeAll(async () => {
		[pg, redis] = await Promise.all([Postgres.start(), Redis.start()]);
		// Tokens live 3 s: they expire between the waves below, and across processes.
		sim = await startSimulator({ product: 'vbr', expiresIn: 3 });
		sim.seed({ count: 5, prefix: 'leaver', roles: ['Restore Operator'] });
		collector = await Collector.start();
		n8n = await N8nInstance.create({
			version: VERSION as string,
			env: {
				EXECUTIONS_MODE: 'queue',
				...pg.env(),
				...redis.env(),
				N8N_LOG_LEVEL: 'info',
				// A killed worker's job is seen stalled within seconds (its lock lapses; live workers renew
				// theirs every 2 s), and n8n's queue recovery, every minute instead of every 3 hours, then
				// marks its execution crashed.
				QUEUE_WORKER_LOCK_DURATION: '6000',
				QUEUE_WORKER_LOCK_RENEW_TIME: '2000',
				QUEUE_WORKER_STALLED_INTERVAL: '5000',
				N8N_EXECUTIONS_QUEUE_RECOVERY_INTERVAL: '1',
			},
		});
		await n8n.importCredentials([vbrCredential(n8n, sim, CREDENTIAL)]);
		await n8n.importWorkflows([hrWorkflow(), bulkWorkflow(), triggerWorkflow(collector.port)]);
		for (const id of ['veeamQueueHr01', 'veeamQueueBulk01', 'veeamQueueTrig01']) await n8n.activate(id);
		await n8n.start();
		workers.push(await N8nWorker.start(n8n, 'worker-1'), await N8nWorker.start(n8n, 'worker-2'));
		process.stderr.write(`[e2e queue] postgres :${pg.port}, redis :${redis.port}, main + 2 workers healthy at ${at()}\n`);
	}, HANG_MS);

	afterAll(async () => {
		for (const w of workers) await w.stop().catch(() => undefined);
		await n8n?.dispose();
		await collector?.close();
		await sim?.close();
		await redis?.stop();
		await pg?.stop();
	});

	it('20 webhook executions across both workers, one credential, tokens expiring mid-way: every user as intended, none twice, none failed', async () => {
		sim.stats.reset();
		const hires = Array.from({ length: 15 }, (_, i) => `TECH\\q.hire${String(i).padStart(2, '0')}`);
		const leavers = (sim.product.snapshot().users as Array<{ name: string }>).map((u) => u.name).filter((n) => n.startsWith('SEED\\leaver'));
		expect(leavers).toHaveLength(5);
		const events = [...hires.map((account) => ({ event: 'hire', account })), ...leavers.map((account) => ({ event: 'leave', account }))];
		const first = events.filter((_, i) => i % 2 === 0);
		const second = events.filter((_, i) => i % 2 === 1);

		const answers = await Promise.all(first.map(async (e) => await post('hr-event', e)));
		await sleep(4_000); // past the token lifetime
		answers.push(...(await Promise.all(second.map(async (e) => await post('hr-event', e)))));
		for (const a of answers) expect(a).toMatchObject({ status: 200 });

		for (const name of hires) expect(roleNamesOf(userNamed(sim, name))).toEqual(['Restore Operator']);
		for (const name of leavers) expect(userNamed(sim, name)).toBeUndefined();
		expect(duplicateNames(sim)).toEqual([]);
		const runs = executionsOf('veeamQueueHr01');
		expect(runs).toHaveLength(20);
		expect(runs.filter((r) => r.status !== 'success')).toEqual([]);
		const perWorker = workers.map((w) => startedBy(w).length);
		process.stderr.write(`[e2e queue] 20 executions: per worker ${JSON.stringify(perWorker)}; token grants ${JSON.stringify(sim.stats.grants)}; 401s ${sim.stats.byStatus['401'] ?? 0}\n`);
		expect(perWorker.every((n) => n > 0)).toBe(true);
		// Refresh tokens are single-use: parallel refreshes collide, the losers log in with the password.
		const grants = sim.stats.grants;
		expect(Object.keys(grants).every((k) => /^(password:200|refresh_token:(200|401))$/.test(k))).toBe(true);
		expect((grants['refresh_token:200'] ?? 0) + (grants['password:200'] ?? 0)).toBeGreaterThanOrEqual(2);

		// The stored credential ends valid: one more execution works without a new password login.
		const before = sim.stats.grants['password:200'] ?? 0;
		expect(await post('hr-event', { event: 'hire', account: hires[0] })).toMatchObject({ status: 200 });
		expect(sim.stats.grants['password:200'] ?? 0).toBeLessThanOrEqual(before + 1);
	}, HANG_MS);

	let killedRun: string | undefined;

	it('a worker killed with kill -9 during 50 onboardings: running it again converges, no duplicate, no error', async () => {
		sim.latencyMs = 60; // 50 creates one at a time: about 6 s, long enough to kill the worker in the middle
		const accounts = Array.from({ length: 50 }, (_, i) => `TECH\\bulk${String(i).padStart(2, '0')}`);
		const seen = workers.map((w) => startedBy(w).length);
		expect((await post('hires', { accounts })).status).toBe(200);
		// Which worker took it, and kill it once some users exist.
		const victim = () => workers.find((w, k) => startedBy(w).length > seen[k]);
		if (!(await until(() => victim() !== undefined, 120_000, 50))) throw new Error('no worker started the execution of 50 onboardings within 120 s');
		const created = () => accounts.filter((a) => userNamed(sim, a)).length;
		// Some users created, not all: the latency makes the 50 take seconds, so this is mid-run.
		await until(() => created() >= 10, 120_000, 50);
		await (victim() as N8nWorker).kill9();
		const createdAtKill = created();
		process.stderr.write(`[e2e queue] killed ${victim()?.name} with ${createdAtKill} of 50 created\n`);
		expect(createdAtKill).toBeLessThan(50);

		// Run it again (what an operator, or n8n's retry, does): the other worker converges.
		sim.latencyMs = 0;
		expect((await post('hires', { accounts })).status).toBe(200);
		await until(() => created() >= 50, 300_000);
		await sleep(2_000);
		expect(created()).toBe(50);
		expect(duplicateNames(sim)).toEqual([]);
		const runs = executionsOf('veeamQueueBulk01');
		process.stderr.write(`[e2e queue] bulk executions: ${JSON.stringify(runs)}\n`);
		expect(runs).toHaveLength(2);
		expect(runs[1].status).toBe('success');
		// The killed run is never reported a success (n8n marks it failed: the last test).
		expect(runs[0].status).not.toBe('success');
		killedRun = runs[0].id;
	}, HANG_MS);

	it('the Veeam Trigger polls on the main only: a change made between polls is emitted once in all', async () => {
		const eventsBefore = collector.to('/changed').length;
		const veeamConsole = new VbrConsole(sim);
		await veeamConsole.setRoles('TECH\\sheila.d.cory', ['Backup Operator']);
		// A poll is due within a minute; its execution then runs on a worker.
		await collector.waitFor((r) => r.path === '/changed', { timeoutMs: 180_000 });
		const pollsAt = sim.stats.byRoute['GET /api/v1/security/users'] ?? 0;
		// One more poll at least: it must not repeat the change.
		await until(() => (sim.stats.byRoute['GET /api/v1/security/users'] ?? 0) >= pollsAt + 1, 180_000);
		await sleep(3_000);
		expect(collector.to('/changed').length - eventsBefore).toBe(1);
		expect(collector.to('/changed').at(-1)?.json).toEqual({ user: 'TECH\\sheila.d.cory', event: 'rolesChanged' });
		// The executions ran on workers; the polls themselves on the main (no worker logs a poll).
		expect(executionsOf('veeamQueueTrig01').filter((r) => r.status === 'success')).toHaveLength(1);
	}, HANG_MS);

	it('n8n marks the killed execution failed (its stalled job, or its queue recovery: every minute here)', async () => {
		expect(killedRun).toBeDefined();
		const status = () => executionsOf('veeamQueueBulk01').find((r) => r.id === killedRun)?.status;
		const waiting = Date.now();
		await until(() => !['running', 'new'].includes(String(status())), 300_000, 500);
		process.stderr.write(`[e2e queue] killed execution ${killedRun}: ${status()} ${((Date.now() - waiting) / 1000).toFixed(0)} s after the previous test\n`);
		// 2.40.7 and 2.41.1 record it as `error` (the job stalled and failed); the queue recovery says `crashed`.
		expect(['error', 'crashed']).toContain(status());
	}, HANG_MS);
});
