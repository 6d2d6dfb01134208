/**
 * n8n's credential test for the Veeam Backup for AWS and Veeam Backup for Microsoft Azure
 * credentials in a real n8n (each version in N8N_E2E_VERSIONS, default the target in e2e/versions.json), through n8n's
 * internal REST API as the editor calls it (`POST /rest/credentials/test`, lib/rest.ts), the way
 * workflows.e2e.ts tests the VBR credential:
 *
 * - a good credential (the simulator's built-in administrator) → OK;
 * - a wrong password → the login's "wrong user name or password" message, without the password;
 * - an account that logs in but is no Portal Administrator (the simulators' `operator`, a Portal
 *   Operator) → the role message of credentials/common/connectionTest.ts;
 * - Azure only: API Version "Custom" with `v8` → OK. Azure's version is a path segment, and the
 *   credential's test request has an expression URL
 *   (`=/api/{{$credentials.apiVersion === "custom" ? … }}/users`): what the simulator received
 *   (`stats.recent`, the request line as sent) proves n8n resolved it, to /api/v8.1/users by default
 *   and /api/v8/users for the custom version.
 *
 * One n8n per version, started once (credentials imported before, one CLI call); one simulator per
 * product. TLS: 2.x trusts the simulators' CA from the credential; 1.x skips verification
 * (lib/fixtures.ts tlsTrust).
 */
import { AWS_DEFAULT_PASSWORD, AZURE_DEFAULT_PASSWORD, startSimulator, type SimServer } from '../sim';
import { tlsLabel } from './lib/fixtures';
import { e2eVersions, findInstall, N8nInstance } from './lib/n8n';
import { awsCredential, azureCredential } from './lib/portal';
import { N8nRest, type CredentialTestResult } from './lib/rest';

const AWS = { id: 'e2eAwsCredTest01', name: 'AWS (credential test)', type: 'veeamBackupAwsApi' };
const AZURE = { id: 'e2eAzureCredTst1', name: 'Azure (credential test)', type: 'veeamBackupAzureApi' };

const OK: CredentialTestResult = { status: 'OK', message: 'Connection successful!' };
const WRONG_PASSWORD = 'Wr0ng-Passw0rd!';

/** The role message of credentials/common/connectionTest.ts for a product. */
const roleMessage = (productName: string) =>
	`The account logs in, but lacks the Portal Administrator role that the Veeam node needs to manage users. Give it that role in ${productName}, or use an account that has it.`;

describe.each(e2eVersions())('n8n %s', (version) => {
	const major = findInstall(version).major;
	let n8n: N8nInstance;
	let rest: N8nRest;
	let aws: SimServer;
	let azure: SimServer;

	beforeAll(async () => {
		[aws, azure] = await Promise.all([startSimulator({ product: 'aws' }), startSimulator({ product: 'azure' })]);
		n8n = await N8nInstance.create({ version });
		await n8n.importCredentials([awsCredential(n8n, aws, AWS), azureCredential(n8n, azure, AZURE)]);
		await n8n.start();
		rest = new N8nRest(n8n);
		await rest.ready();
		await rest.setupOwner();
	});

	afterAll(async () => {
		await n8n?.dispose();
		await Promise.all([aws, azure].map((sim) => sim?.close()));
	});

	/** Tests the stored credential with the form's data changed by `change`; `sim` counts from zero for each call. */
	async function tester(credential: { id: string; name: string; type: string }, password: string) {
		const form = await rest.getCredential(credential.id);
		// The editor gets the credential without the password.
		expect(JSON.stringify(form)).not.toContain(password);
		const data = form.data ?? {};
		return async (sim: SimServer, change: Record<string, unknown> = {}) => {
			sim.stats.reset();
			const result = await rest.testCredential({ ...credential, data: { ...data, ...change } });
			return { result, sent: [...sim.stats.recent], grants: { ...sim.stats.grants } };
		};
	}

	it(`Veeam Backup for AWS: good → OK, wrong password → the login message, a Portal Operator → the role message (${tlsLabel(major)})`, async () => {
		const test = await tester(AWS, AWS_DEFAULT_PASSWORD);

		const good = await test(aws);
		expect(good.result).toEqual(OK);
		// The login, then one user (x-api-version 1.7-rev0 from the credential; a wrong version would be refused).
		expect(good.sent).toEqual(['POST /api/v1/token', 'GET /api/v1/users?Limit=1']);
		expect(good.grants).toEqual({ 'password:200': 1 });

		const wrong = await test(aws, { password: WRONG_PASSWORD });
		expect(wrong.result.status).toBe('Error');
		expect(wrong.result.message).toMatch(/^Veeam Backup for AWS login failed: wrong user name or password \(401\b/);
		expect(wrong.result.message).not.toContain(WRONG_PASSWORD);
		expect(wrong.sent).toEqual(['POST /api/v1/token']);
		expect(wrong.grants).toEqual({ 'password:401': 1 });

		const operator = await test(aws, { username: 'operator' });
		expect(operator.result).toEqual({ status: 'Error', message: roleMessage('Veeam Backup for AWS') });
		expect(operator.sent).toEqual(['POST /api/v1/token', 'GET /api/v1/users?Limit=1']);
		expect(operator.grants).toEqual({ 'password:200': 1 });
		expect(aws.stats.byStatus).toEqual({ '200': 1, '403': 1 });
	});

	it(`Veeam Backup for Microsoft Azure: good → OK, wrong password → the login message, a Portal Operator → the role message, Custom API Version v8 → OK (n8n resolves the expression URL), padded → trimmed, v9 → the version message (${tlsLabel(major)})`, async () => {
		const test = await tester(AZURE, AZURE_DEFAULT_PASSWORD);

		const good = await test(azure);
		expect(good.result).toEqual(OK);
		// The token endpoint has no version; the user list has the default one in its path.
		expect(good.sent).toEqual(['POST /api/oauth2/token', 'GET /api/v8.1/users?Limit=1']);
		expect(good.grants).toEqual({ 'password:200': 1 });

		const wrong = await test(azure, { password: WRONG_PASSWORD });
		expect(wrong.result.status).toBe('Error');
		expect(wrong.result.message).toMatch(/^Veeam Backup for Microsoft Azure login failed: wrong user name or password \(401\b/);
		expect(wrong.result.message).not.toContain(WRONG_PASSWORD);
		expect(wrong.sent).toEqual(['POST /api/oauth2/token']);
		expect(wrong.grants).toEqual({ 'password:401': 1 });

		const operator = await test(azure, { username: 'operator' });
		expect(operator.result).toEqual({ status: 'Error', message: roleMessage('Veeam Backup for Microsoft Azure') });
		expect(operator.sent).toEqual(['POST /api/oauth2/token', 'GET /api/v8.1/users?Limit=1']);
		expect(azure.stats.byStatus).toEqual({ '200': 1, '403': 1 });

		// The custom version reaches the path: n8n evaluated the URL's expression with $credentials.
		const custom = await test(azure, { apiVersion: 'custom', customApiVersion: 'v8' });
		expect(custom.result).toEqual(OK);
		expect(custom.sent).toEqual(['POST /api/oauth2/token', 'GET /api/v8/users?Limit=1']);
		expect(azure.stats.byRoute).toEqual({ 'POST /api/oauth2/token': 1, 'GET /api/:version/users': 1 });

		// Padded, it is trimmed as the login trims it; a version the appliance does not serve is named.
		const padded = await test(azure, { apiVersion: 'custom', customApiVersion: ' v8 ' });
		expect(padded.result).toEqual(OK);
		expect(padded.sent).toEqual(['POST /api/oauth2/token', 'GET /api/v8/users?Limit=1']);
		const unserved = await test(azure, { apiVersion: 'custom', customApiVersion: 'v9' });
		expect(unserved.result.status).toBe('Error');
		expect(unserved.result.message).toMatch(/no user list at this API version/);
	});
});
