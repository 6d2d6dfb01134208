import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { VeeamBackupAzureApi } from '../../credentials/VeeamBackupAzureApi.credentials';
import { AZURE_DEFAULT_ADMIN, AZURE_DEFAULT_PASSWORD, AZURE_IDP_USER, AZURE_MFA_USER, startSimulator, type SimServer } from '../../sim';
import { N8N_MAJOR, n8nHttpRequest, shutdownEngine, trustFields } from '../support/engine';
import { runCredentialTest } from './credentialTest';

/** n8n's own HTTP stack, as `this.helpers.httpRequest` is in a credential's preAuthentication. */
const helpers: IHttpRequestHelper = {
	helpers: {
		httpRequest: async (options: IHttpRequestOptions) => await n8nHttpRequest(options),
	} as IHttpRequestHelper['helpers'],
};

const credentialType = new VeeamBackupAzureApi();
let sim: SimServer;

function creds(overrides: object = {}): ICredentialDataDecryptedObject {
	return {
		url: sim.url,
		username: AZURE_DEFAULT_ADMIN,
		password: AZURE_DEFAULT_PASSWORD,
		totpSecret: '',
		apiVersion: 'v8.1',
		customApiVersion: '',
		...trustFields(sim.tls.caPem),
		accessToken: '',
		refreshToken: '',
		tokenExpiresAt: '',
		...(overrides as ICredentialDataDecryptedObject),
	};
}

const mfaCreds = (overrides: object = {}) => creds({ username: AZURE_MFA_USER.name, password: AZURE_MFA_USER.password, totpSecret: AZURE_MFA_USER.secret, ...overrides });

async function preAuth(c: ICredentialDataDecryptedObject) {
	return await credentialType.preAuthentication.call(helpers, c);
}

async function failureOf(c: ICredentialDataDecryptedObject): Promise<Error> {
	const error = await preAuth(c).then(
		() => undefined,
		(e: unknown) => e as Error,
	);
	if (!error) throw new Error('expected the login to fail');
	// Whatever went wrong, the message never carries the secrets it was given.
	for (const secret of [c.password, c.totpSecret, c.refreshToken]) {
		if (secret) expect(error.message).not.toContain(String(secret));
	}
	return error;
}

beforeAll(async () => {
	sim = await startSimulator({ product: 'azure' });
});

afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});

beforeEach(() => {
	sim.reset();
	jest.restoreAllMocks();
});

describe('credential description', () => {
	it('has the fields of every Veeam credential, the TOTP Secret after the password, and Azure\'s API versions (in the path)', () => {
		const byName = Object.fromEntries(credentialType.properties.map((p) => [p.name, p]));
		expect(credentialType.properties.map((p) => p.name)).toEqual([
			'url',
			'username',
			'password',
			'totpSecret',
			'apiVersion',
			'customApiVersion',
			'caCertificate',
			'skipTlsVerification',
			'timeoutSeconds',
			'accessToken',
			'refreshToken',
			'tokenExpiresAt',
			'apiVersionFound',
		]);
		expect(byName.accessToken).toMatchObject({ type: 'hidden', typeOptions: { expirable: true, password: true } });
		expect(byName.refreshToken).toMatchObject({ type: 'hidden', typeOptions: { password: true } });
		expect(byName.totpSecret.typeOptions).toEqual({ password: true });
		expect(byName.apiVersion.default).toBe('auto');
		expect((byName.apiVersion.options as Array<{ value: string }>).map((o) => o.value)).toEqual(['auto', 'v5', 'v6', 'v7', 'v8', 'v8.1', 'custom']);
		expect(byName.apiVersionFound).toMatchObject({ type: 'hidden', default: '' });
		expect(byName.apiVersion.description).toMatch(/path of every request \(\/api\/v8\.1\/…\)/);
		expect(byName.customApiVersion.placeholder).toBe('v8.1');
		expect(credentialType.test.request).toMatchObject({ qs: { Limit: 1 }, ignoreHttpStatusErrors: true });
	});

	it('authenticate adds the bearer token and the default port 443, no x-api-version header (the version is in the path), and turns redirects off', async () => {
		const options = await credentialType.authenticate(creds({ accessToken: 'at.x', url: 'https://vbazure.example.com' }), { url: '/api/v8.1/users', baseURL: 'ignored' });
		expect(options.headers).toEqual({ Authorization: 'Bearer at.x' });
		expect(options.baseURL).toBe('https://vbazure.example.com:443');
		expect(options.disableFollowRedirect).toBe(true);
		if (N8N_MAJOR >= 2) expect(options.agentOptions).toEqual({ ca: sim.tls.caPem.trim() });
	});
});

describe('preAuthentication', () => {
	it('logs in with the password grant at /api/oauth2/token (no version in that path) and stores token, refresh token and expiry', async () => {
		const before = Date.now();
		const stored = await preAuth(creds());
		expect(Object.keys(stored).sort()).toEqual(['accessToken', 'refreshToken', 'tokenExpiresAt']);
		expect(stored.accessToken).toMatch(/^at\./);
		expect(stored.refreshToken).toMatch(/^rt\./);
		// Veeam Backup for Microsoft Azure: access tokens last 60 minutes.
		const expires = Date.parse(stored.tokenExpiresAt);
		expect(expires - before).toBeGreaterThanOrEqual(3_600_000 - 1000);
		expect(expires - Date.now()).toBeLessThanOrEqual(3_600_000);
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
		expect(sim.stats.recent).toEqual(['POST /api/oauth2/token']);
	});

	it('honours the server\'s expires_in', async () => {
		sim.addFault({ kind: 'patch', set: { expires_in: 300 }, pathIncludes: '/oauth2/token' });
		const before = Date.now();
		const stored = await preAuth(creds());
		const expires = Date.parse(stored.tokenExpiresAt);
		expect(expires - before).toBeGreaterThanOrEqual(300_000 - 1000);
		expect(expires - Date.now()).toBeLessThanOrEqual(300_000);
	});

	it('uses the stored refresh token rather than the password', async () => {
		const first = await preAuth(creds());
		const second = await preAuth(creds(first));
		expect(second.accessToken).not.toBe(first.accessToken);
		expect(second.refreshToken).not.toBe(first.refreshToken);
		expect(sim.stats.grants).toEqual({ 'password:200': 1, 'refresh_token:200': 1 });
	});

	it('falls back to the password grant once when the refresh token is refused (single-use, used elsewhere)', async () => {
		const first = await preAuth(creds());
		await preAuth(creds(first));
		const third = await preAuth(creds(first));
		expect(third.accessToken).toMatch(/^at\./);
		expect(sim.stats.grants).toEqual({ 'password:200': 2, 'refresh_token:200': 1, 'refresh_token:401': 1 });
	});

	it('falls back when the server refuses refresh tokens outright', async () => {
		const first = await preAuth(creds());
		sim.tokens.refuseRefresh(1);
		expect((await preAuth(creds(first))).accessToken).toMatch(/^at\./);
		expect(sim.stats.grants['refresh_token:401']).toBe(1);
	});

	it('finishes an MFA login (200 with an mfa_token and no access token) with the code computed from the TOTP secret', async () => {
		const stored = await preAuth(mfaCreds());
		expect(stored.accessToken).toMatch(/^at\./);
		expect(sim.stats.grants).toEqual({ 'password:200': 1, 'mfa:200': 1 });
	});

	it('tries the previous step once when the server\'s clock is behind', async () => {
		jest.spyOn(Date, 'now').mockReturnValue(1_800_000_000_000 + 3_000);
		sim.clock.advance(-30);
		expect((await preAuth(mfaCreds())).accessToken).toMatch(/^at\./);
		expect(sim.stats.grants).toEqual({ 'password:200': 1, 'mfa:401': 1, 'mfa:200': 1 });
	});

	it('an MFA account refreshes without a new code, and falls back to password + MFA when the refresh is refused', async () => {
		const first = await preAuth(mfaCreds());
		await preAuth(mfaCreds(first));
		const third = await preAuth(mfaCreds(first));
		expect(third.accessToken).toMatch(/^at\./);
		expect(sim.stats.grants).toEqual({ 'password:200': 2, 'mfa:200': 2, 'refresh_token:200': 1, 'refresh_token:401': 1 });
	});

	it('says what to add when an MFA account has no TOTP secret in the credential', async () => {
		const error = await failureOf(mfaCreds({ totpSecret: '' }));
		expect(error.message).toBe(
			'This Veeam Backup for Microsoft Azure account has multi-factor authentication on. Add its TOTP secret (the base32 key shown when MFA was set up) to the credential\'s "TOTP Secret" field, or use an account without MFA.',
		);
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
	});

	it('fails clearly with a wrong secret, after at most two codes', async () => {
		const error = await failureOf(mfaCreds({ totpSecret: 'JBSWY3DPEHPK3PXP' }));
		expect(error.message).toMatch(/^Veeam Backup for Microsoft Azure refused the MFA code \(401: Invalid verification code\)\. Check that "TOTP Secret" belongs to this account/);
		expect(sim.stats.grants['mfa:401']).toBe(2);
	});

	it('says the password is wrong, and nothing else', async () => {
		const error = await failureOf(creds({ password: 'Wrong-Secret-42' }));
		expect(error.message).toBe('Veeam Backup for Microsoft Azure login failed: wrong user name or password (401: Invalid user name or password).');
	});

	it('a Microsoft Entra ID account has no password to log in with: the same message', async () => {
		const error = await failureOf(creds({ username: AZURE_IDP_USER.name, password: 'Any-Passw0rd!1' }));
		expect(error.message).toMatch(/^Veeam Backup for Microsoft Azure login failed: wrong user name or password/);
	});

	it.each(['1.7-rev0', '8.1', 'v8-1', 'v8.1/../x', 'v8.1?x=1', ''])('refuses the version %j (not v<major>[.<minor>]) before any request', async (version) => {
		const error = await failureOf(creds({ apiVersion: 'custom', customApiVersion: version }));
		expect(error.message).toBe(`Custom API Version "${version}" is not in Veeam's format v<major>[.<minor>], e.g. v8.1`);
		expect(sim.stats.requests).toBe(0);
	});

	it('a chosen version in the wrong format (an imported credential) is refused the same way', async () => {
		const error = await failureOf(creds({ apiVersion: '1.7-rev0' }));
		expect(error.message).toBe('API Version "1.7-rev0" is not in Veeam\'s format v<major>[.<minor>], e.g. v8.1');
		expect(sim.stats.requests).toBe(0);
	});

	it('says which server it reached when that server has no such login (an AWS server in "Server URL")', async () => {
		const aws = await startSimulator({ product: 'aws' });
		try {
			const error = await failureOf(creds({ url: aws.url, ...trustFields(aws.tls.caPem) }));
			expect(error.message).toBe(
				`Veeam Backup for Microsoft Azure login failed: ${aws.url}/api/oauth2/token does not exist on that server (404). ` +
					'Check that "Server URL" is the address of a Veeam Backup for Microsoft Azure server (its REST API listens on port 443 unless changed).',
			);
		} finally {
			await aws.close();
		}
	});
});

describe('the credential test (the editor\'s "Test" button)', () => {
	it('passes for the administrator, listing users under the chosen version', async () => {
		expect(await runCredentialTest(credentialType, creds())).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(sim.stats.recent).toEqual(['POST /api/oauth2/token', 'GET /api/v8.1/users?Limit=1']);
	});

	it('puts a custom version into the path', async () => {
		expect(await runCredentialTest(credentialType, creds({ apiVersion: 'custom', customApiVersion: 'v7' }))).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(sim.stats.recent).toEqual(['POST /api/oauth2/token', 'GET /api/v7/users?Limit=1']);
	});

	it('passes for an administrator with MFA (the login computes the code)', async () => {
		expect(await runCredentialTest(credentialType, mfaCreds())).toEqual({ status: 'OK', message: 'Connection successful!' });
	});

	it.each(['operator', 'restorer'])('fails for %s, an account without Portal Administrator, naming the role', async (username) => {
		expect(await runCredentialTest(credentialType, creds({ username }))).toEqual({
			status: 'Error',
			message:
				'The account logs in, but lacks the Portal Administrator role that the Veeam node needs to manage users. Give it that role in Veeam Backup for Microsoft Azure, or use an account that has it.',
		});
	});

	it('fails with the login\'s own message for a wrong password, and sends no list request', async () => {
		const outcome = await runCredentialTest(credentialType, creds({ password: 'Wrong-Secret-42' }));
		expect(outcome.status).toBe('Error');
		expect(outcome.message).toMatch(/wrong user name or password/);
		expect(sim.stats.recent).toEqual(['POST /api/oauth2/token']);
	});

	it('a version that is a path is refused before any request, the list included', async () => {
		const outcome = await runCredentialTest(credentialType, creds({ apiVersion: 'custom', customApiVersion: 'v8.1/../../x' }));
		expect(outcome.status).toBe('Error');
		expect(outcome.message).toMatch(/Custom API Version "v8\.1\/\.\.\/\.\.\/x" is not in Veeam's format/);
		expect(sim.stats.requests).toBe(0);
	});

	// The token endpoint has no version, so the login cannot tell an unaccepted version: the list
	// request is the first to use it, and the server answers 404 NotFound for every path of it. The
	// test must then send the user to "API Version", not to "Server URL".
	it('an API version the server does not accept fails naming the API version, not the Server URL', async () => {
		const outcome = await runCredentialTest(credentialType, creds({ apiVersion: 'custom', customApiVersion: 'v4' }));
		expect(outcome.status).toBe('Error');
		expect(outcome.message).toMatch(/API version/i);
		expect(outcome.message).not.toMatch(/check the Server URL/);
	});

	it('… and it is the list request that finds out (the login went through)', async () => {
		const outcome = await runCredentialTest(credentialType, creds({ apiVersion: 'custom', customApiVersion: 'v4' }));
		expect(outcome.status).toBe('Error');
		expect(sim.stats.recent).toEqual(['POST /api/oauth2/token', 'GET /api/v4/users?Limit=1']);
	});
});
