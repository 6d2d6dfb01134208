/**
 * examples/vspc-provider-onboarding.json in a real n8n (each version in N8N_E2E_VERSIONS; `--pinned`:
 * 2.41.1 and 1.123.81), imported as a user imports it, active in `n8n start`: only the mail service
 * and the CRM's API point at the local collector. The VSPC simulator (sim/vspc) has its provider,
 * a reseller and the companies Alpha and Beta.
 *
 * - the CRM's "new customer" webhook: the admin becomes Company Administrator of the company named,
 *   MFA required, with the CRM's profile; one welcome mail, without a password; the same event again
 *   changes nothing and sends no mail;
 * - the CRM's "contact left" webhook: the leaver's accounts in two companies (one with an API key)
 *   are deleted with their logins, a look-alike is left alone, the CRM gets one note; sent again,
 *   nothing is found and nothing changes.
 */
import type { SimServer } from '../sim';
import { startSimulator, VSPC_COMPANY_ALPHA_UID, VSPC_COMPANY_BETA_UID, VSPC_DEFAULT_ADMIN, VSPC_DEFAULT_PASSWORD } from '../sim';
import type { VspcProduct } from '../sim/vspc/product';
import { Collector } from './lib/collector';
import { credentialRefs, loadExample, redirectHttpRequests } from './lib/examples';
import { tlsLabel, tlsTrust } from './lib/fixtures';
import { e2eVersions, findInstall, N8nInstance, nodeOutput, type WorkflowJson } from './lib/n8n';
import { N8nRest, type ExecutionSummary } from './lib/rest';

/** Where the example sends its mail and CRM notes; rewritten to the collector before import. */
const MAIL_API = 'https://mail.example.com';
const CRM_API = 'https://crm.example.com';

const CUSTOMER = { company: 'Beta', admin: { userName: 'j.brown', firstName: 'John', lastName: 'Brown', email: 'j.brown@beta.example.com' } };
const LEAVER = { userName: 'sheila.cory', email: 'sheila.cory@msp.example.com' };

type SimUser = { instanceUid: string; userName: string; organizationUid: string; role: string; status: string; mfaPolicyStatus: string; profile: Record<string, unknown> };
type SimLogin = { id: string | number; userUid: string; kind: string };

describe.each(e2eVersions())('n8n %s', (version) => {
	const major = findInstall(version).major;
	let n8n: N8nInstance;
	let rest: N8nRest;
	let collector: Collector;
	let sim: SimServer;
	let example: WorkflowJson;

	const vspc = () => sim.product as unknown as VspcProduct;
	const users = () => vspc().snapshot().users as SimUser[];
	const userNamed = (name: string) => users().find((u) => u.userName.toLowerCase() === name.toLowerCase());
	const logins = () => vspc().snapshot().logins as SimLogin[];
	/** Where the simulator's change log is now; `changesSince(mark)`: its entries since, as `action target`. */
	const logMark = () => sim.log.since().at(-1)?.seq ?? 0;
	const changesSince = (mark: number) => sim.log.since(mark).map((e) => `${e.action} ${e.target}`);

	/**
	 * Posts to one of the example's webhooks. n8n registers the webhooks of active workflows after
	 * its REST API is up (404 for some seconds after start); a 404 starts nothing, so it is sent
	 * again, as a CRM redelivers.
	 */
	async function post(path: string, body: unknown): Promise<void> {
		for (const started = Date.now(); ; ) {
			const res = await fetch(`${n8n.baseUrl}/webhook/${path}`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify(body),
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

	/** Waits until the workflow has `count` executions, none running or new; the newest first. */
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
		sim = await startSimulator({ product: 'vspc' });
		collector = await Collector.start();
		n8n = await N8nInstance.create({ version });

		example = loadExample('vspc-provider-onboarding.json');
		redirectHttpRequests(example, MAIL_API, `http://127.0.0.1:${collector.port}`);
		redirectHttpRequests(example, CRM_API, `http://127.0.0.1:${collector.port}`);
		const ref = credentialRefs(example).veeamServiceProviderConsoleApi;
		await n8n.importCredentials([
			{
				...ref,
				type: 'veeamServiceProviderConsoleApi',
				data: { url: sim.url, authentication: 'password', username: VSPC_DEFAULT_ADMIN, password: VSPC_DEFAULT_PASSWORD, totpSecret: '', apiKey: '', apiVersion: '3.6.1', ...tlsTrust(n8n, sim) },
			},
		]);
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

	it(`the CRM's new customer: its admin is Company Administrator of the company, MFA required, one welcome mail without a password; the event again changes nothing (${tlsLabel(major)})`, async () => {
		const mark = logMark();
		await post('vspc-new-customer', CUSTOMER);
		const run = await newestRun(1);
		const [mail] = await collector.waitFor((r) => r.path === '/v1/send');

		expect(userNamed('j.brown')).toMatchObject({
			organizationUid: VSPC_COMPANY_BETA_UID,
			role: 'CompanyAdministrator',
			mfaPolicyStatus: 'Enabled',
			status: 'Enabled',
			profile: { firstName: 'John', lastName: 'Brown', email: 'j.brown@beta.example.com' },
		});
		expect(changesSince(mark)).toEqual(['user.create j.brown']);
		const sent = mail.json as { to: string; subject: string; text: string };
		expect(sent).toMatchObject({ to: 'j.brown@beta.example.com', subject: expect.stringContaining('Beta') });
		expect(sent.text).toContain('User name: j.brown');
		expect(sent.text).toContain('Forgot password?');
		// The password the workflow made never leaves it.
		const [generated] = nodeOutput(run, 'Password nobody knows');
		expect(String(generated.initialPassword)).toMatch(/^[A-Za-z0-9]{20,32}$/);
		expect(mail.text).not.toContain(String(generated.initialPassword));
		expect(JSON.stringify(nodeOutput(run, "Invite the company's admin"))).not.toContain(String(generated.initialPassword));

		// The CRM sends the same event again: the user is as asked, so nothing is sent to VSPC or mailed.
		const again = logMark();
		await post('vspc-new-customer', CUSTOMER);
		const rerun = await newestRun(2);
		expect(nodeOutput(rerun, "Invite the company's admin")).toEqual([expect.objectContaining({ action: 'unchanged' })]);
		expect(Object.keys(rerun.data?.resultData?.runData ?? {})).not.toContain('Welcome mail');
		expect(changesSince(again)).toEqual([]);
		expect(collector.to('/v1/send')).toHaveLength(1);
	});

	it("the CRM's leaver: each account in every company (one with an API key) deleted with its logins, a look-alike left alone, one note to the CRM; again: nothing", async () => {
		const own = vspc().addUser({ organizationUid: VSPC_COMPANY_ALPHA_UID, userName: 'sheila.cory', role: 'CompanyAdministrator', profile: { email: LEAVER.email } });
		const other = vspc().addUser({ organizationUid: VSPC_COMPANY_BETA_UID, userName: 'beta.sheila.cory', role: 'CompanyLocationUser', profile: { email: LEAVER.email } });
		vspc().addApiKey(other.uid, { description: 'backup report script' });
		vspc().addUser({ organizationUid: VSPC_COMPANY_ALPHA_UID, userName: 'sheila.cory2', role: 'CompanyLocationUser', profile: { email: 'sheila.cory2@alpha.example.com' } });
		expect(logins().filter((l) => l.userUid === other.uid).map((l) => l.kind).sort()).toEqual(['apiKey', 'password']);

		await post('vspc-leaver', LEAVER);
		const run = await newestRun(3);
		const [note] = await collector.waitFor((r) => r.path === '/api/v1/notes');

		expect(nodeOutput(run, 'Offboard each account').map((o) => [o.action, (o.user as { name: string }).name]).sort()).toEqual([
			['deleted', 'beta.sheila.cory'],
			['deleted', 'sheila.cory'],
		]);
		expect(userNamed('sheila.cory')).toBeUndefined();
		expect(userNamed('beta.sheila.cory')).toBeUndefined();
		expect(logins().filter((l) => l.userUid === own.uid || l.userUid === other.uid)).toEqual([]);
		expect(userNamed('sheila.cory2')).toMatchObject({ status: 'Enabled' });
		expect(note.json).toMatchObject({ contact: 'sheila.cory', title: 'Backup portal access removed', removed: 2, failed: 0 });
		expect(String((note.json as { body: string }).body).split('\n').sort()).toEqual(['Alpha: sheila.cory deleted', 'Beta: beta.sheila.cory deleted']);

		// The CRM sends the leaver again: nothing left to find, nothing sent to VSPC, no second note.
		const again = logMark();
		await post('vspc-leaver', LEAVER);
		const rerun = await newestRun(4);
		expect(nodeOutput(rerun, "Exactly the leaver's accounts")).toEqual([]);
		expect(changesSince(again)).toEqual([]);
		expect(collector.to('/api/v1/notes')).toHaveLength(1);
	});
});
