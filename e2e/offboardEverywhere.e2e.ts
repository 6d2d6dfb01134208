/**
 * examples/veeam-offboard-everywhere.json in a real n8n (each version in N8N_E2E_VERSIONS, default
 * the target in e2e/versions.json), run from n8n's CLI against four simulators at once: Veeam Backup & Replication, Veeam
 * Backup for Google Cloud, Veeam Backup for AWS and Veeam Backup for Microsoft Azure. The example
 * is imported as a user imports it (only the ticket URL points at a local collector), with its four
 * credentials under the example's own credential ids.
 *
 * The leaver, Sheila Cory, on each server before the run: the Active Directory user
 * TECH\sheila.d.cory on VBR (in the simulator's default state), the local portal account
 * sheila_cory on VBGC and AWS, and the Microsoft Entra ID user sheila.cory@contoso.com
 * (IdentityProvider) on Azure, the last three added over the simulators' REST API as their
 * administrator would. The run removes her everywhere and opens a ticket for each directory
 * account Veeam leaves behind (AD and Entra ID: two); run again, every node reports "absent" and
 * no ticket is opened.
 */
import { startSimulator, type SimServer } from '../sim';
import { Collector } from './lib/collector';
import { credentialRefs, loadExample, nodesOfType, redirectHttpRequests } from './lib/examples';
import { snapshotUsers, tlsLabel, userNamed, vbgcCredential, vbrCredential } from './lib/fixtures';
import { e2eVersions, findInstall, N8nInstance, nodeOutput, type RunJson, type WorkflowJson } from './lib/n8n';
import { awsCredential, azureCredential, PortalConsole } from './lib/portal';

const EXAMPLE = 'veeam-offboard-everywhere.json';
/** Where the example sends tickets; rewritten to the collector before import. */
const TICKET_API = 'http://127.0.0.1:8765';

const PRODUCTS = ['vbr', 'vbgc', 'aws', 'azure'] as const;
type Product = (typeof PRODUCTS)[number];

/** The offboard node of each product in the example, and the account it removes. */
const NODES: Record<Product, string> = {
	vbr: 'Offboard from Backup & Replication',
	vbgc: 'Offboard from Google Cloud',
	aws: 'Offboard from AWS',
	azure: 'Offboard from Azure',
};
const LEAVER: Record<Product, string> = {
	vbr: 'TECH\\sheila.d.cory',
	vbgc: 'sheila_cory',
	aws: 'sheila_cory',
	azure: 'sheila.cory@contoso.com',
};
const CREDENTIAL_TYPES: Record<Product, string> = {
	vbr: 'veeamBackupReplicationApi',
	vbgc: 'veeamBackupGoogleCloudApi',
	aws: 'veeamBackupAwsApi',
	azure: 'veeamBackupAzureApi',
};
/** The example's credential references (they must not drift: the import gives the credentials these ids). */
const CREDENTIAL_IDS: Record<Product, string> = {
	vbr: 'veeamVbrLeaver01',
	vbgc: 'veeamVbgcLeaver1',
	aws: 'veeamAwsLeaver01',
	azure: 'veeamAzureLeaver1',
};

const IF_NODE = 'Directory account left behind?';
const TICKET_NODE = 'Open ticket';

/** Every run of a node: its items (output `output`) per run. */
function allRuns(run: RunJson, nodeName: string, output = 0): Array<Array<Record<string, unknown>>> {
	const tasks = run.data?.resultData?.runData?.[nodeName] ?? [];
	return tasks.map((_, runIndex) => nodeOutput(run, nodeName, output, runIndex));
}

function ranNodes(run: RunJson): string[] {
	return Object.keys(run.data?.resultData?.runData ?? {});
}

function changes(sim: SimServer, since: number): string[] {
	return sim.log.since().slice(since).map((e) => `${e.action} ${e.target}`);
}

describe.each(e2eVersions())('n8n %s', (version) => {
	const major = findInstall(version).major;
	let n8n: N8nInstance;
	let collector: Collector;
	const sims = {} as Record<Product, SimServer>;
	let example: WorkflowJson;
	/** The change-log length and login grants of each simulator once the leaver is in place. */
	const logAfterSetup = {} as Record<Product, number>;
	const grantsAfterSetup = {} as Record<Product, Record<string, number>>;

	beforeAll(async () => {
		const started = await Promise.all(PRODUCTS.map(async (product) => await startSimulator({ product })));
		PRODUCTS.forEach((product, i) => (sims[product] = started[i]));

		// The leaver on each server: VBR has TECH\sheila.d.cory (an AD user) in its default state.
		expect(userNamed(sims.vbr, LEAVER.vbr)).toMatchObject({ type: 'InternalUser' });
		await new PortalConsole(sims.vbgc, 'vbgc').addVbgcUser(LEAVER.vbgc, 'Restore Operator');
		await new PortalConsole(sims.aws, 'aws').addAwsUser(LEAVER.aws, 'RestoreOperator');
		await new PortalConsole(sims.azure, 'azure').addAzureEntraUser(LEAVER.azure, 'RestoreOperator');
		for (const product of PRODUCTS) {
			logAfterSetup[product] = sims[product].log.since().length;
			grantsAfterSetup[product] = { ...sims[product].stats.grants };
		}

		collector = await Collector.start();
		n8n = await N8nInstance.create({ version });

		example = loadExample(EXAMPLE);
		redirectHttpRequests(example, TICKET_API, `http://127.0.0.1:${collector.port}`);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await collector?.close();
		await Promise.all(PRODUCTS.map(async (product) => await sims[product]?.close()));
	});

	it('the leaver is on every server before the run; the example refers to four credentials, one per product', () => {
		expect(userNamed(sims.vbr, LEAVER.vbr)).toBeDefined();
		expect(userNamed(sims.vbgc, LEAVER.vbgc)).toBeDefined();
		expect(userNamed(sims.aws, LEAVER.aws)).toMatchObject({ role: 'RestoreOperator' });
		expect(userNamed(sims.azure, LEAVER.azure)).toMatchObject({ type: 'IdentityProvider', identityProviderEntityId: expect.any(String) });

		const refs = credentialRefs(example);
		expect(Object.fromEntries(Object.entries(refs).map(([type, ref]) => [type, ref.id]))).toEqual(
			Object.fromEntries(PRODUCTS.map((p) => [CREDENTIAL_TYPES[p], CREDENTIAL_IDS[p]])),
		);
		// Four Veeam nodes, each continuing on error.
		const veeamNodes = nodesOfType(example, 'n8n-nodes-veeam.veeam');
		expect(veeamNodes.map((n) => [n.name, n.parameters.product, n.onError]).sort()).toEqual(
			PRODUCTS.map((p) => [NODES[p], p, 'continueRegularOutput']).sort(),
		);
	});

	it(`imports the example and its four credentials (VBR, VBGC, AWS, Azure: ${tlsLabel(major)})`, async () => {
		const refs = credentialRefs(example);
		await n8n.importCredentials([
			vbrCredential(n8n, sims.vbr, refs.veeamBackupReplicationApi),
			vbgcCredential(n8n, sims.vbgc, refs.veeamBackupGoogleCloudApi),
			awsCredential(n8n, sims.aws, refs.veeamBackupAwsApi),
			azureCredential(n8n, sims.azure, refs.veeamBackupAzureApi),
		]);
		await n8n.importWorkflow(example);
	});

	it('runs it: the leaver is removed from all four servers, two tickets (the AD and the Entra ID account), none for VBGC and AWS', async () => {
		const run = await n8n.execute(example.id);
		expect(run.status).toBe('success');
		expect(run.data?.resultData?.error).toBeUndefined();

		// Each node deleted the leaver (no error item: continue-on-error had nothing to catch).
		for (const product of PRODUCTS) {
			const items = nodeOutput(run, NODES[product]);
			expect({ product, items }).toEqual({ product, items: [expect.objectContaining({ action: 'deleted', user: expect.objectContaining({ name: LEAVER[product] }) })] });
		}
		expect(nodeOutput(run, NODES.vbr)[0]).toMatchObject({ directoryAccountRemains: true, directoryAccount: LEAVER.vbr });
		expect(nodeOutput(run, NODES.azure)[0]).toMatchObject({ directoryAccountRemains: true, directoryAccount: LEAVER.azure });
		for (const product of ['vbgc', 'aws'] as const) {
			const [item] = nodeOutput(run, NODES[product]);
			expect({ product, remains: item.directoryAccountRemains, account: item.directoryAccount }).toEqual({ product, remains: false, account: undefined });
		}

		// The IF runs once per offboard node; its true branch got the two directory accounts.
		const ifRuns = allRuns(run, IF_NODE, 0);
		expect(ifRuns).toHaveLength(4);
		expect(
			ifRuns
				.flat()
				.map((item) => item.directoryAccount)
				.sort(),
		).toEqual([LEAVER.azure, LEAVER.vbr].sort());
		expect(allRuns(run, IF_NODE, 1).flat()).toHaveLength(2);
		expect(allRuns(run, TICKET_NODE).flat()).toHaveLength(2);

		// The ticketing system got exactly two tickets, each naming its account.
		const tickets = collector.to('/tickets');
		expect(tickets.map((t) => t.method)).toEqual(['POST', 'POST']);
		expect(tickets.map((t) => t.json).sort((a, b) => String((a as { account: string }).account).localeCompare(String((b as { account: string }).account)))).toEqual(
			[
				{ title: `Remove the directory account ${LEAVER.azure} (left Veeam)`, account: LEAVER.azure },
				{ title: `Remove the directory account ${LEAVER.vbr} (left Veeam)`, account: LEAVER.vbr },
			].sort((a, b) => a.account.localeCompare(b.account)),
		);

		// Each server: exactly the one delete, the leaver gone, one login by n8n.
		for (const product of PRODUCTS) {
			const sim = sims[product];
			expect({ product, changes: changes(sim, logAfterSetup[product]) }).toEqual({ product, changes: [`user.delete ${LEAVER[product]}`] });
			expect({ product, leaver: userNamed(sim, LEAVER[product]) }).toEqual({ product, leaver: undefined });
			expect({ product, leaver: snapshotUsers(sim).filter((u) => /sheila/i.test(u.name)) }).toEqual({ product, leaver: [] });
			expect({ product, grants: sim.stats.grants }).toEqual({ product, grants: { ...grantsAfterSetup[product], 'password:200': (grantsAfterSetup[product]['password:200'] ?? 0) + 1 } });
		}
	});

	it('the AWS and Azure credential types loaded in n8n: each logged in through its preAuthentication and stored its token', async () => {
		const stored = await n8n.exportCredentials();
		for (const product of ['aws', 'azure'] as const) {
			const credential = stored.find((c) => c.id === CREDENTIAL_IDS[product]);
			expect({ product, type: credential?.type }).toEqual({ product, type: CREDENTIAL_TYPES[product] });
			expect({ product, token: credential?.data.accessToken }).toEqual({ product, token: expect.stringMatching(/\S{16,}/) });
		}
	});

	it('runs it again: every node reports "absent", nothing changes on any server, no new ticket', async () => {
		const usersBefore = Object.fromEntries(PRODUCTS.map((p) => [p, snapshotUsers(sims[p])]));
		const logBefore = Object.fromEntries(PRODUCTS.map((p) => [p, sims[p].log.since().length]));
		const grantsBefore = Object.fromEntries(PRODUCTS.map((p) => [p, { ...sims[p].stats.grants }]));

		const run = await n8n.execute(example.id);
		expect(run.data?.resultData?.error).toBeUndefined();
		for (const product of PRODUCTS) {
			expect({ product, items: nodeOutput(run, NODES[product]) }).toEqual({
				product,
				items: [{ action: 'absent', name: LEAVER[product], directoryAccountRemains: false }],
			});
		}
		expect(allRuns(run, IF_NODE, 0).flat()).toEqual([]);
		expect(ranNodes(run)).not.toContain(TICKET_NODE);
		expect(collector.to('/tickets')).toHaveLength(2);

		for (const product of PRODUCTS) {
			const sim = sims[product];
			expect({ product, log: sim.log.since().length }).toEqual({ product, log: logBefore[product] });
			expect({ product, users: snapshotUsers(sim) }).toEqual({ product, users: usersBefore[product] });
			// The tokens stored by the first run were used: no new login.
			expect({ product, grants: sim.stats.grants }).toEqual({ product, grants: grantsBefore[product] });
		}
	});
});
