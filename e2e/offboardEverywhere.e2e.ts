/**
 * examples/veeam-offboard-everywhere.json in a real n8n (each version in N8N_E2E_VERSIONS, default
 * the target in e2e/versions.json), run from n8n's CLI against five simulators at once: Veeam Backup & Replication, Veeam
 * Backup for Google Cloud, Veeam Backup for AWS, Veeam Backup for Microsoft Azure and Veeam Backup
 * for Microsoft 365. The example is imported as a user imports it (only the ticket URL points at a
 * local collector), with its five credentials under the example's own credential ids.
 *
 * The leaver, Sheila Cory, on each server before the run: the Active Directory user
 * TECH\sheila.d.cory on VBR (in the simulator's default state), the local portal account
 * sheila_cory on VBGC and AWS, and the Microsoft Entra ID user sheila.cory@contoso.com
 * (IdentityProvider) on Azure, the last three added over the simulators' REST API as their
 * administrator would. On Veeam Backup for Microsoft 365 she is the Microsoft 365 user
 * sheila.cory@contoso.com of the Contoso organization, a restore operator of its two roles and a
 * member of the Helpdesk group, itself an operator of "Helpdesk Restore" (set up in the simulator as
 * an administrator would in the console and in Microsoft 365). The run removes her everywhere, opens a
 * ticket for each directory account Veeam leaves behind (AD and Entra ID: two) and one for the
 * Microsoft 365 group that still lets her restore (the node does not change groups); once the
 * directory's administrator has taken her out of the group, run again: every node reports "absent"
 * (VB365: "unchanged", nothing to remove, no group left) and no ticket is opened.
 */
import { randomUUID } from 'node:crypto';


import { startSimulator, VB365_DEFAULT_ADMIN, VB365_DEFAULT_PASSWORD, VB365_ORG_CONTOSO_ID, VB365_ROLE_FINANCE_ID, VB365_ROLE_HELPDESK_ID, type SimServer } from '../sim';
import type { Vb365Product } from '../sim/vb365/product';
import { Collector } from './lib/collector';
import { credentialRefs, loadExample, nodesOfType, redirectHttpRequests } from './lib/examples';
import { snapshotUsers, tlsLabel, tlsTrust, userNamed, vbgcCredential, vbrCredential } from './lib/fixtures';
import { e2eVersions, findInstall, N8nInstance, nodeOutput, type CredentialImport, type RunJson, type WorkflowJson } from './lib/n8n';
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

/** Veeam Backup for Microsoft 365: its node, the leaver there, the credential, the groups IF and ticket. */
const VB365 = {
	node: 'Offboard from Microsoft 365 backup',
	leaver: 'sheila.cory@contoso.com',
	credentialType: 'veeamBackupMicrosoft365Api',
	credentialId: 'veeamVb365Leaver1',
	ifNode: 'Groups still let them restore?',
	ticketNode: 'Open ticket for the groups',
	organization: 'contoso.onmicrosoft.com',
} as const;

function vb365Credential(n8n: N8nInstance, sim: SimServer, ref: { id: string; name: string }): CredentialImport {
	return { ...ref, type: VB365.credentialType, data: { url: sim.url, username: VB365_DEFAULT_ADMIN, password: VB365_DEFAULT_PASSWORD, apiVersion: 'v8', ...tlsTrust(n8n, sim) } };
}

/** The e-mail addresses (users) and `group:<display name>` (groups) naming the operators of a VB365 simulator role. */
function operatorsOf(sim: SimServer, roleId: string): string[] {
	const roles = (sim.product as unknown as Vb365Product).snapshot().roles as Array<{ id: string; operators: Array<{ type: string; user?: { name: string }; group?: { displayName: string } }> }>;
	const role = roles.find((r) => r.id === roleId);
	if (!role) throw new Error(`no role ${roleId}`);
	return role.operators.map((o) => (o.type === 'User' ? String(o.user?.name) : `group:${o.group?.displayName}`)).sort();
}

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
	let vb365: SimServer;
	/** The Helpdesk group of Contoso, and its members before the leaver was added (what the directory puts back). */
	let helpdesk: { id: string; members: string[] };
	let example: WorkflowJson;
	/** The change-log length and login grants of each simulator once the leaver is in place. */
	const logAfterSetup = {} as Record<Product, number>;
	const grantsAfterSetup = {} as Record<Product, Record<string, number>>;
	let vb365LogAfterSetup = 0;
	let vb365GrantsAfterSetup: Record<string, number> = {};

	beforeAll(async () => {
		const started = await Promise.all(PRODUCTS.map(async (product) => await startSimulator({ product })));
		PRODUCTS.forEach((product, i) => (sims[product] = started[i]));
		vb365 = await startSimulator({ product: 'vb365' });

		// The leaver on each server: VBR has TECH\sheila.d.cory (an AD user) in its default state.
		expect(userNamed(sims.vbr, LEAVER.vbr)).toMatchObject({ type: 'InternalUser' });
		await new PortalConsole(sims.vbgc, 'vbgc').addVbgcUser(LEAVER.vbgc, 'Restore Operator');
		await new PortalConsole(sims.aws, 'aws').addAwsUser(LEAVER.aws, 'RestoreOperator');
		await new PortalConsole(sims.azure, 'azure').addAzureEntraUser(LEAVER.azure, 'RestoreOperator');
		// On VB365: the Microsoft 365 user, an operator of both Contoso roles (console) and a member of the Helpdesk group (Microsoft 365).
		const console365 = vb365.product as unknown as Vb365Product;
		const leaverId = `${randomUUID()}00000000-0000-0000-0000-000000000000`;
		console365.addPrincipal(VB365_ORG_CONTOSO_ID, { kind: 'User', id: leaverId, name: VB365.leaver, displayName: 'Sheila Cory' });
		console365.consoleChange(VB365_ROLE_HELPDESK_ID, 'operators', 'add', 'User', leaverId);
		console365.consoleChange(VB365_ROLE_FINANCE_ID, 'operators', 'add', 'User', leaverId);
		const group = console365.principalNamed(VB365_ORG_CONTOSO_ID, `helpdesk@${VB365.organization}`) as { record: { id: string; members: string[] } };
		helpdesk = { id: group.record.id, members: [...group.record.members] };
		console365.setGroupMembers(VB365_ORG_CONTOSO_ID, helpdesk.id, [...helpdesk.members, leaverId]);

		for (const product of PRODUCTS) {
			logAfterSetup[product] = sims[product].log.since().length;
			grantsAfterSetup[product] = { ...sims[product].stats.grants };
		}
		vb365LogAfterSetup = vb365.log.since().length;
		vb365GrantsAfterSetup = { ...vb365.stats.grants };

		collector = await Collector.start();
		n8n = await N8nInstance.create({ version });

		example = loadExample(EXAMPLE);
		redirectHttpRequests(example, TICKET_API, `http://127.0.0.1:${collector.port}`);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await collector?.close();
		await Promise.all(PRODUCTS.map(async (product) => await sims[product]?.close()));
		await vb365?.close();
	});

	it('the leaver is on every server before the run; the example refers to five credentials, one per product', () => {
		expect(userNamed(sims.vbr, LEAVER.vbr)).toBeDefined();
		expect(userNamed(sims.vbgc, LEAVER.vbgc)).toBeDefined();
		expect(userNamed(sims.aws, LEAVER.aws)).toMatchObject({ role: 'RestoreOperator' });
		expect(userNamed(sims.azure, LEAVER.azure)).toMatchObject({ type: 'IdentityProvider', identityProviderEntityId: expect.any(String) });
		expect(operatorsOf(vb365, VB365_ROLE_HELPDESK_ID)).toEqual(expect.arrayContaining([VB365.leaver, 'group:Helpdesk']));
		expect(operatorsOf(vb365, VB365_ROLE_FINANCE_ID)).toContain(VB365.leaver);

		const refs = credentialRefs(example);
		expect(Object.fromEntries(Object.entries(refs).map(([type, ref]) => [type, ref.id]))).toEqual({
			...Object.fromEntries(PRODUCTS.map((p) => [CREDENTIAL_TYPES[p], CREDENTIAL_IDS[p]])),
			[VB365.credentialType]: VB365.credentialId,
		});
		// Five Veeam nodes, each continuing on error.
		const veeamNodes = nodesOfType(example, 'n8n-nodes-veeam.veeam');
		expect(veeamNodes.map((n) => [n.name, n.parameters.product, n.onError]).sort()).toEqual(
			[...PRODUCTS.map((p) => [NODES[p], p, 'continueRegularOutput']), [VB365.node, 'vb365', 'continueRegularOutput']].sort(),
		);
	});

	it(`imports the example and its five credentials (VBR, VBGC, AWS, Azure, VB365: ${tlsLabel(major)})`, async () => {
		const refs = credentialRefs(example);
		await n8n.importCredentials([
			vbrCredential(n8n, sims.vbr, refs.veeamBackupReplicationApi),
			vbgcCredential(n8n, sims.vbgc, refs.veeamBackupGoogleCloudApi),
			awsCredential(n8n, sims.aws, refs.veeamBackupAwsApi),
			azureCredential(n8n, sims.azure, refs.veeamBackupAzureApi),
			vb365Credential(n8n, vb365, refs[VB365.credentialType]),
		]);
		await n8n.importWorkflow(example);
	});

	it('runs it: the leaver is removed from all five servers, two tickets for the AD and the Entra ID account, one for the Microsoft 365 group that still grants', async () => {
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

		// VB365: out of both Contoso roles (read back), in no other organization; the Helpdesk group still grants.
		const [m365] = nodeOutput(run, VB365.node);
		expect(m365).toMatchObject({ action: 'revoked', person: VB365.leaver, groupCheck: 'complete', groupsCannotTell: [] });
		expect((m365.removedFrom as Array<{ organization: { name: string }; role: { name: string } }>).map((r) => `${r.organization.name}: ${r.role.name}`).sort()).toEqual([
			`${VB365.organization}: Finance Restore`,
			`${VB365.organization}: Helpdesk Restore`,
		]);
		expect((m365.groupsStillGranting as Array<{ group: { displayName: string }; roles: Array<{ name: string }> }>).map((g) => [g.group.displayName, g.roles.map((r) => r.name)])).toEqual([['Helpdesk', ['Helpdesk Restore']]]);
		expect(operatorsOf(vb365, VB365_ROLE_HELPDESK_ID)).not.toContain(VB365.leaver);
		expect(operatorsOf(vb365, VB365_ROLE_HELPDESK_ID)).toContain('group:Helpdesk');
		expect(operatorsOf(vb365, VB365_ROLE_FINANCE_ID)).not.toContain(VB365.leaver);
		expect(allRuns(run, VB365.ifNode, 0).flat()).toHaveLength(1);
		expect(allRuns(run, VB365.ticketNode).flat()).toHaveLength(1);

		// The ticketing system got exactly three tickets: one per directory account, one for the group.
		const tickets = collector.to('/tickets');
		expect(tickets.map((t) => t.method)).toEqual(['POST', 'POST', 'POST']);
		const title = (t: unknown) => String((t as { title: string }).title);
		expect(tickets.map((t) => t.json).sort((a, b) => title(a).localeCompare(title(b)))).toEqual(
			[
				{ title: `Remove the directory account ${LEAVER.azure} (left Veeam)`, account: LEAVER.azure },
				{ title: `Remove the directory account ${LEAVER.vbr} (left Veeam)`, account: LEAVER.vbr },
				{
					title: `Remove ${VB365.leaver} from the Microsoft 365 groups that still make them a restore operator (left Veeam)`,
					account: VB365.leaver,
					groups: [{ group: 'Helpdesk', organization: VB365.organization, roles: ['Helpdesk Restore'] }],
					cannotTell: [],
					tasks: [`Remove ${VB365.leaver} from the group "Helpdesk" of ${VB365.organization}: it makes them a restore operator of "Helpdesk Restore".`],
				},
			].sort((a, b) => title(a).localeCompare(title(b))),
		);

		// Each server: exactly the one delete, the leaver gone, one login by n8n.
		for (const product of PRODUCTS) {
			const sim = sims[product];
			expect({ product, changes: changes(sim, logAfterSetup[product]) }).toEqual({ product, changes: [`user.delete ${LEAVER[product]}`] });
			expect({ product, leaver: userNamed(sim, LEAVER[product]) }).toEqual({ product, leaver: undefined });
			expect({ product, leaver: snapshotUsers(sim).filter((u) => /sheila/i.test(u.name)) }).toEqual({ product, leaver: [] });
			expect({ product, grants: sim.stats.grants }).toEqual({ product, grants: { ...grantsAfterSetup[product], 'password:200': (grantsAfterSetup[product]['password:200'] ?? 0) + 1 } });
		}
		// VB365: one removal per role naming her, one login.
		expect(changes(vb365, vb365LogAfterSetup).sort()).toEqual([`remove:operators ${VB365_ROLE_FINANCE_ID}`, `remove:operators ${VB365_ROLE_HELPDESK_ID}`].sort());
		expect(vb365.stats.grants).toEqual({ ...vb365GrantsAfterSetup, 'password:200': (vb365GrantsAfterSetup['password:200'] ?? 0) + 1 });
	});

	it('the AWS, Azure and VB365 credential types loaded in n8n: each logged in through its preAuthentication and stored its token', async () => {
		const stored = await n8n.exportCredentials();
		for (const [product, id, type] of [
			['aws', CREDENTIAL_IDS.aws, CREDENTIAL_TYPES.aws],
			['azure', CREDENTIAL_IDS.azure, CREDENTIAL_TYPES.azure],
			['vb365', VB365.credentialId, VB365.credentialType],
		] as const) {
			const credential = stored.find((c) => c.id === id);
			expect({ product, type: credential?.type }).toEqual({ product, type });
			expect({ product, token: credential?.data.accessToken }).toEqual({ product, token: expect.stringMatching(/\S{16,}/) });
		}
	});

	it('the directory takes her out of the group; run again: "absent" everywhere (VB365: "unchanged", no group left), nothing changes on any server, no new ticket', async () => {
		// What the group ticket asked, done in Microsoft 365 (the simulator's directory), not through Veeam.
		(vb365.product as unknown as Vb365Product).setGroupMembers(VB365_ORG_CONTOSO_ID, helpdesk.id, helpdesk.members);
		const usersBefore = Object.fromEntries(PRODUCTS.map((p) => [p, snapshotUsers(sims[p])]));
		const logBefore = Object.fromEntries(PRODUCTS.map((p) => [p, sims[p].log.since().length]));
		const grantsBefore = Object.fromEntries(PRODUCTS.map((p) => [p, { ...sims[p].stats.grants }]));
		const vb365Before = { log: vb365.log.since().length, grants: { ...vb365.stats.grants }, helpdesk: operatorsOf(vb365, VB365_ROLE_HELPDESK_ID), finance: operatorsOf(vb365, VB365_ROLE_FINANCE_ID) };

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
		// VB365: she is still a Microsoft 365 user of Contoso (so "unchanged", not "absent"), in no role and no granting group.
		expect(nodeOutput(run, VB365.node)).toEqual([
			expect.objectContaining({ action: 'unchanged', removedFrom: [], groupsStillGranting: [], groupsCannotTell: [], groupCheck: 'complete', directoryFollowUp: [] }),
		]);
		expect(allRuns(run, VB365.ifNode, 0).flat()).toEqual([]);
		expect(ranNodes(run)).not.toContain(VB365.ticketNode);
		expect(collector.to('/tickets')).toHaveLength(3);
		expect({ log: vb365.log.since().length, grants: vb365.stats.grants, helpdesk: operatorsOf(vb365, VB365_ROLE_HELPDESK_ID), finance: operatorsOf(vb365, VB365_ROLE_FINANCE_ID) }).toEqual(vb365Before);

		for (const product of PRODUCTS) {
			const sim = sims[product];
			expect({ product, log: sim.log.since().length }).toEqual({ product, log: logBefore[product] });
			expect({ product, users: snapshotUsers(sim) }).toEqual({ product, users: usersBefore[product] });
			// The tokens stored by the first run were used: no new login.
			expect({ product, grants: sim.stats.grants }).toEqual({ product, grants: grantsBefore[product] });
		}
	});
});
