/**
 * examples/veeam-roles-as-code.json in a real n8n (each version in N8N_E2E_VERSIONS; `--pinned`:
 * 2.41.1 and 1.123.81), imported as a user imports it: only the git host's raw URL and the approval
 * service point at the local collector, which serves roles.json per commit and records the approval
 * messages. The VBR simulator runs REST 1.3-rev2 with one custom role the file does not declare.
 *
 * - a push plans creating the declared roles and deleting the undeclared one; nothing changes until
 *   the approver answers; the approval applies exactly the plan (the roles and their details);
 * - a push to another branch reads nothing; a push with the file unchanged plans nothing and asks
 *   nothing;
 * - a changed file plans just the change, applied after approval;
 * - a rejected plan changes nothing.
 */
import type { SimServer } from '../sim';
import { startSimulator } from '../sim';
import type { VbrProduct } from '../sim/vbr/product';
import type { VbrRole } from '../sim/vbr/roles';
import { Collector } from './lib/collector';
import { credentialRefs, loadExample, redirectHttpRequests } from './lib/examples';
import { tlsLabel, vbrCredential } from './lib/fixtures';
import { e2eVersions, findInstall, N8nInstance, nodeOutput, type WorkflowJson } from './lib/n8n';
import { N8nRest, type ExecutionSummary } from './lib/rest';

/** Where the example reads roles.json and sends approvals; rewritten to the collector before import. */
const RAW_HOST = '=https://raw.githubusercontent.com';
const APPROVAL_API = 'http://127.0.0.1:8766';
const REPO = '/your-org/veeam-roles';
const ROLES = '/api/v1/security/roles';

/** A custom role on the server before the first run, not in roles.json: the first plan deletes it. */
const LEGACY: VbrRole = {
	id: '0b5e7a10-2c3d-4e5f-8a9b-c0d1e2f3a4b5',
	name: 'Legacy Tape Operator',
	description: 'Made in the console in 2024',
	isBuiltIn: false,
	permissions: ['ViewBackups', 'StartRestore'],
};

/** Roles as Veeam's CreateCustomRole takes them (CustomRoleSpec). */
const FILE_RESTORE = {
	name: 'File Restore Operator',
	description: 'File-level restores from every backup',
	manageBackups: false,
	manageRestores: true,
	restorePermissionsScope: {
		restoreBackupScope: { entireBackupScope: true },
		restoreOptions: { allOptions: false, restoreOptions: [{ code: 0, name: 'FileLevelRestore' }] },
	},
};
const SQL_BACKUP = {
	name: 'SQL Backup Operator',
	description: 'Backup jobs to the main repository',
	manageBackups: true,
	manageRestores: false,
	repositoryScope: { allRepositories: false, repositories: [{ repositoryId: '3f2a8c14-9e7b-4d52-a1c6-0b9d4e8f1a23', repositoryName: 'Main Backup Repository' }] },
};

type Approval = { title: string; plan: string; planId: string; commit: string; warnings: string[]; approveUrl: string };

/** A 40-hex commit id, distinct per n. */
const sha = (n: number) => n.toString(16).padStart(40, 'a');

describe.each(e2eVersions())('n8n %s', (version) => {
	const major = findInstall(version).major;
	let n8n: N8nInstance;
	let rest: N8nRest;
	let collector: Collector;
	let sim: SimServer;
	let example: WorkflowJson;
	/** The repository: roles.json at each commit. */
	const commits = new Map<string, string>();

	const customRoles = () => (sim.product.snapshot() as { roles: Array<VbrRole & { isBuiltIn: boolean }> }).roles.filter((r) => !r.isBuiltIn);
	/** Each custom role with its details (GET /roles/{id}/details as the simulator answers it), by name. */
	const customRoleDetails = () =>
		Object.fromEntries(customRoles().map((r) => [r.name, (sim.product as unknown as VbrProduct).customRoles.model(r)]));
	/** Requests that change roles or users, as `METHOD /path`, sorted, since the simulator had answered `from` requests. */
	const writesSince = (from: number) => {
		const count = sim.stats.requests - from;
		// The simulator keeps the newest 200 requests: far more than these runs make.
		if (count > sim.stats.recent.length) throw new Error(`${count} requests since the mark, more than the simulator's log keeps`);
		return sim.stats.recent
			.slice(sim.stats.recent.length - count)
			.filter((r) => !r.startsWith('GET ') && /\/api\/v1\/security\/(roles|users)/.test(r))
			.sort();
	};

	/**
	 * A push event as GitHub sends it (the fields the example reads: ref, after). n8n registers the
	 * webhooks of active workflows after its REST API is up (seen on 2.41.1: 404 for some seconds
	 * after start); a 404 starts nothing, so it is sent again, as a git host redelivers.
	 */
	async function push(commit: string, ref = 'refs/heads/main'): Promise<void> {
		for (const started = Date.now(); ; ) {
			const res = await fetch(`${n8n.baseUrl}/webhook/veeam-roles-push`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'x-github-event': 'push' },
				body: JSON.stringify({ ref, before: sha(0), after: commit, repository: { full_name: 'your-org/veeam-roles' }, pusher: { name: 'jane.admin' }, commits: [] }),
				signal: AbortSignal.timeout(60_000),
			});
			const text = await res.text();
			if (res.status === 404 && Date.now() - started < 60_000) {
				await new Promise((resolve) => setTimeout(resolve, 500));
				continue;
			}
			expect({ status: res.status, text }).toEqual({ status: 200, text: expect.any(String) });
			return;
		}
	}

	async function answer(approveUrl: string, approved: boolean): Promise<void> {
		// The approval request leaves before the Wait node has put the execution to sleep: until then
		// n8n answers the resume URL 409 (2.x) or 500 (1.x), as in workflows.e2e.ts.
		for (const started = Date.now(); ; ) {
			const res = await fetch(approveUrl, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ approved, approver: 'sam.security' }),
				signal: AbortSignal.timeout(60_000),
			});
			const text = await res.text();
			if ((res.status === 409 || res.status === 500) && Date.now() - started < 15_000) {
				await new Promise((resolve) => setTimeout(resolve, 250));
				continue;
			}
			expect({ status: res.status, text }).toEqual({ status: 200, text: expect.any(String) });
			return;
		}
	}

	/** Waits until the workflow has `count` executions, none of them running, waiting or new; the newest first. */
	async function settled(count: number, timeoutMs = 120_000): Promise<ExecutionSummary[]> {
		const started = Date.now();
		let last: ExecutionSummary[] = [];
		while (Date.now() - started < timeoutMs) {
			last = await rest.executions(example.id);
			if (last.length >= count && last.every((e) => !['new', 'running', 'waiting'].includes(e.status))) return last;
			await new Promise((resolve) => setTimeout(resolve, 500));
		}
		throw new Error(`expected ${count} finished executions within ${timeoutMs} ms; have ${JSON.stringify(last.map((e) => [e.id, e.status]))}`);
	}

	/** The newest execution's run data; fails naming the nodes that failed if it did not succeed. */
	async function newestRun(count: number) {
		const [newest] = await settled(count);
		const run = await rest.execution(newest.id);
		const failed = Object.entries(run.data?.resultData?.runData ?? {}).flatMap(([name, tasks]) =>
			tasks.filter((t) => t.error).map((t) => `${name}: ${String(t.error?.message)} ${JSON.stringify(t.error).slice(0, 1500)}`),
		);
		expect({ status: run.status, error: run.data?.resultData?.error?.message, failed }).toEqual({ status: 'success', error: undefined, failed: [] });
		return run;
	}

	beforeAll(async () => {
		sim = await startSimulator({ product: 'vbr', vbr: { customRoles: [LEGACY] } });
		collector = await Collector.start();
		collector.serve(({ method, path }) => {
			const match = method === 'GET' ? new RegExp(`^${REPO}/([^/]+)/roles\\.json$`).exec(path) : null;
			if (!match) return undefined;
			const file = commits.get(match[1]);
			// raw.githubusercontent.com serves files as text/plain.
			return file === undefined ? { status: 404, body: '404: Not Found', contentType: 'text/plain' } : { status: 200, body: file, contentType: 'text/plain; charset=utf-8' };
		});
		n8n = await N8nInstance.create({ version });

		example = loadExample('veeam-roles-as-code.json');
		redirectHttpRequests(example, RAW_HOST, `=http://127.0.0.1:${collector.port}`);
		redirectHttpRequests(example, APPROVAL_API, `http://127.0.0.1:${collector.port}`);
		const credential = vbrCredential(n8n, sim, credentialRefs(example).veeamBackupReplicationApi);
		// Custom roles need REST 1.3-rev2 (VBR 13.1).
		await n8n.importCredentials([{ ...credential, data: { ...credential.data, apiVersion: '1.3-rev2' } }]);
		await n8n.importWorkflow(example);
		await n8n.activate(example.id);
		await n8n.start();
		rest = new N8nRest(n8n);
		await rest.ready();
		await rest.setupOwner();
	});

	afterAll(async () => {
		await n8n?.dispose();
		await collector?.close();
		await sim?.close();
	});

	it(`a push plans creating the declared roles and deleting the undeclared one; nothing changes before the approval; the approval applies exactly the plan (${tlsLabel(major)})`, async () => {
		commits.set(sha(1), JSON.stringify({ roles: [FILE_RESTORE, SQL_BACKUP] }, null, 2));
		const mark = sim.stats.requests;
		const before = customRoleDetails();
		expect(Object.keys(before)).toEqual([LEGACY.name]);

		await push(sha(1));
		const [request] = await collector.waitFor((r) => r.path === '/approvals');
		const approval = request.json as Approval;
		// The file was read at the pushed commit, once.
		expect(collector.to(`${REPO}/${sha(1)}/roles.json`)).toHaveLength(1);
		expect(approval).toMatchObject({ title: `Veeam custom roles from roles.json (${sha(1)}): 3 to approve`, commit: sha(1), planId: expect.stringMatching(/^[0-9a-f]{64}$/), warnings: [] });
		expect(approval.plan.split('\n')).toEqual(['create File Restore Operator', 'create SQL Backup Operator', `delete ${LEGACY.name}`]);
		// Planned, not done: the workflow waits for the approver.
		expect(writesSince(mark)).toEqual([]);
		expect(customRoleDetails()).toEqual(before);

		await answer(approval.approveUrl, true);
		await newestRun(1);
		const [result] = await collector.waitFor((r) => r.path === '/approvals/result');
		expect(result.json).toMatchObject({ planId: approval.planId, commit: sha(1), done: 3, pendingApproval: 0, failed: 0 });

		// Exactly the plan: two creates, one delete, and the roles as declared.
		expect(writesSince(mark)).toEqual([`DELETE ${ROLES}/${LEGACY.id}`, `POST ${ROLES}`, `POST ${ROLES}`]);
		const after = customRoleDetails();
		expect(Object.keys(after).sort()).toEqual([FILE_RESTORE.name, SQL_BACKUP.name]);
		expect(after[FILE_RESTORE.name]).toEqual({ id: expect.any(String), ...FILE_RESTORE });
		expect(after[SQL_BACKUP.name]).toEqual({ id: expect.any(String), ...SQL_BACKUP });
	});

	it('a push to another branch reads nothing; a push with roles.json unchanged plans nothing and asks nothing', async () => {
		const mark = sim.stats.requests;
		const before = customRoleDetails();
		const fetched = collector.requests.filter((r) => r.path.startsWith(REPO)).length;

		await push(sha(2), 'refs/heads/feature/new-role');
		await newestRun(2);
		expect(collector.requests.filter((r) => r.path.startsWith(REPO)).length).toBe(fetched);

		// A commit that changed another file: roles.json as before.
		commits.set(sha(3), commits.get(sha(1)) ?? '');
		await push(sha(3));
		const run = await newestRun(3);
		expect(collector.to(`${REPO}/${sha(3)}/roles.json`)).toHaveLength(1);
		expect(nodeOutput(run, 'Sync roles (Plan)').map((s) => [s.object, s.action, s.name])).toEqual([
			['customRole', 'unchanged', FILE_RESTORE.name],
			['customRole', 'unchanged', SQL_BACKUP.name],
		]);
		expect(nodeOutput(run, 'Plan summary')).toEqual([expect.objectContaining({ changes: 0, text: 'No changes.' })]);
		expect(Object.keys(run.data?.resultData?.runData ?? {})).not.toContain('Ask for approval');
		expect(collector.to('/approvals')).toHaveLength(1);
		expect(writesSince(mark)).toEqual([]);
		expect(customRoleDetails()).toEqual(before);
	});

	it('a changed roles.json plans just the change, applied after approval', async () => {
		const changed = { ...SQL_BACKUP, description: 'Backup jobs to the main repository, and their restores', manageRestores: true };
		commits.set(sha(4), JSON.stringify({ roles: [FILE_RESTORE, changed] }, null, 2));
		const mark = sim.stats.requests;
		const before = customRoleDetails();

		await push(sha(4));
		const approval = (await collector.waitFor((r) => r.path === '/approvals', { count: 2 }))[1].json as Approval;
		expect(approval.plan).toBe('update SQL Backup Operator: description, manageRestores');
		expect(writesSince(mark)).toEqual([]);

		await answer(approval.approveUrl, true);
		await newestRun(4);
		const result = (await collector.waitFor((r) => r.path === '/approvals/result', { count: 2 }))[1];
		expect(result.json).toMatchObject({ planId: approval.planId, commit: sha(4), done: 1, pendingApproval: 0, failed: 0 });

		const id = before[SQL_BACKUP.name].id;
		expect(writesSince(mark)).toEqual([`PUT ${ROLES}/${String(id)}`]);
		expect(customRoleDetails()).toEqual({ ...before, [SQL_BACKUP.name]: { id, ...changed } });
	});

	it('a rejected plan changes nothing', async () => {
		commits.set(sha(5), JSON.stringify({ roles: [FILE_RESTORE] }, null, 2));
		const mark = sim.stats.requests;
		const before = customRoleDetails();

		await push(sha(5));
		const approval = (await collector.waitFor((r) => r.path === '/approvals', { count: 3 }))[2].json as Approval;
		expect(approval.plan).toBe('delete SQL Backup Operator');

		await answer(approval.approveUrl, false);
		const run = await newestRun(5);
		// The run ends at "Approved?" (its false branch leads nowhere).
		expect(Object.keys(run.data?.resultData?.runData ?? {})).not.toContain('Sync roles (Apply)');
		expect(writesSince(mark)).toEqual([]);
		expect(customRoleDetails()).toEqual(before);
		expect(collector.to('/approvals/result')).toHaveLength(2);
	});
});
