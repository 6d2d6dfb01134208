/**
 * "Custom API Call": n8n adds it to the Veeam node's Resource and Operation (the credentials
 * authenticate requests), and its editor then says "Use the HTTP Request node to make a custom API
 * call. We'll take care of the Veeam auth for you." This is that promise, kept in a real n8n: an
 * HTTP Request node with Authentication "Predefined Credential Type" and each Veeam credential
 * lists users of the simulated server (n8n logs in through the credential, which adds the token,
 * x-api-version and its TLS trust: on 2.x the CA, on 1.x "skip", which 1.x's older request
 * options spell differently).
 */
import { startSimulator, type SimServer } from '../sim';
import { chain, node, tlsLabel, vbgcCredential, vbrCredential } from './lib/fixtures';
import { e2eVersions, findInstall, N8nInstance, nodeOutput, type WorkflowJson } from './lib/n8n';

const VBR = { id: 'e2eCustomCallVbr', name: 'VBR (HTTP Request)' };
const VBGC = { id: 'e2eCustomCallGc1', name: 'VBGC (HTTP Request)' };

function httpRequestWorkflow(id: string, url: string, credentialType: string, ref: { id: string; name: string }): WorkflowJson {
	return {
		id,
		name: `e2e: HTTP Request with ${credentialType}`,
		nodes: [
			node('Start', 'n8n-nodes-base.manualTrigger', 1, {}),
			node(
				'List users',
				'n8n-nodes-base.httpRequest',
				4.2,
				{ url, authentication: 'predefinedCredentialType', nodeCredentialType: credentialType, options: {} },
				{ credentials: { [credentialType]: ref } },
			),
		],
		connections: chain('Start', 'List users'),
	};
}

describe.each(e2eVersions())('n8n %s', (version) => {
	const major = findInstall(version).major;
	let vbr: SimServer;
	let vbgc: SimServer;
	let n8n: N8nInstance;

	beforeAll(async () => {
		vbr = await startSimulator({ product: 'vbr' });
		vbgc = await startSimulator({ product: 'vbgc' });
		n8n = await N8nInstance.create({ version });
		await n8n.importCredentials([vbrCredential(n8n, vbr, VBR), vbgcCredential(n8n, vbgc, VBGC)]);
		await n8n.importWorkflow(httpRequestWorkflow('e2eCustomCallW01', `${vbr.url}/api/v1/security/users`, 'veeamBackupReplicationApi', VBR));
		await n8n.importWorkflow(httpRequestWorkflow('e2eCustomCallW02', `${vbgc.url}/api/v1/users`, 'veeamBackupGoogleCloudApi', VBGC));
	});

	afterAll(async () => {
		await n8n?.dispose();
		await vbr?.close();
		await vbgc?.close();
	});

	it(`an HTTP Request node with the Veeam Backup & Replication credential lists its users (${tlsLabel(major)})`, async () => {
		const [answer] = nodeOutput(await n8n.execute('e2eCustomCallW01'), 'List users') as Array<{ data: Array<{ name: string }> }>;
		expect(answer.data.map((user) => user.name)).toContain('VBR01\\svc-n8n');
		// n8n logged in through the credential (password grant), then sent the request with its token.
		expect(vbr.stats.grants).toEqual({ 'password:200': 1 });
		expect(vbr.stats.recent).toEqual(['POST /api/oauth2/token', 'GET /api/v1/security/users']);
	});

	it(`an HTTP Request node with the Veeam Backup for Google Cloud credential lists its users (${tlsLabel(major)})`, async () => {
		const [answer] = nodeOutput(await n8n.execute('e2eCustomCallW02'), 'List users') as Array<{ data: Array<{ name: string }> }>;
		expect(answer.data.map((user) => user.name)).toContain('administrator');
		expect(vbgc.stats.recent).toEqual(['POST /api/v1/token', 'GET /api/v1/users']);
	});
});
