import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { VeeamBackupAwsApi } from '../../credentials/VeeamBackupAwsApi.credentials';
import { AWS_DEFAULT_ADMIN, AWS_DEFAULT_PASSWORD, AWS_MFA_USER, startSimulator, type SimServer } from '../../sim';
import { N8N_MAJOR, n8nHttpRequest, shutdownEngine, trustFields } from '../support/engine';
import { runCredentialTest } from './credentialTest';

/** n8n's own HTTP stack, as `this.helpers.httpRequest` is in a credential's preAuthentication. */
const helpers: IHttpRequestHelper = {
	helpers: {
		httpRequest: async (options: IHttpRequestOptions) => await n8nHttpRequest(options),
	} as IHttpRequestHelper['helpers'],
};

const credentialType = new VeeamBackupAwsApi();
let sim: SimServer;

function creds(overrides: object = {}): ICredentialDataDecryptedObject {
	return {
		url: sim.url,
		username: AWS_DEFAULT_ADMIN,
		password: AWS_DEFAULT_PASSWORD,
		totpSecret: '',
		apiVersion: '1.7-rev0',
		customApiVersion: '',
		...trustFields(sim.tls.caPem),
		accessToken: '',
		refreshToken: '',
		tokenExpiresAt: '',
		...(overrides as ICredentialDataDecryptedObject),
	};
}

const mfaCreds = (overrides: object = {}) => creds({ username: AWS_MFA_USER.name, password: AWS_MFA_USER.password, totpSecret: AWS_MFA_USER.secret, ...overrides });

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
	sim = await startSimulator({ product: 'aws' });
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
	it('has the fields of every Veeam credential, the TOTP Secret after the password, and AWS\'s API versions', () => {
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
		expect(byName.password.typeOptions).toEqual({ password: true });
		expect(byName.totpSecret.typeOptions).toEqual({ password: true });
		expect(byName.apiVersion.default).toBe('auto');
		expect((byName.apiVersion.options as Array<{ value: string }>).map((o) => o.value)).toEqual(['auto', '1.5-rev0', '1.5-rev1', '1.6-rev0', '1.7-rev0', '1.8-rev0', 'custom']);
		expect(byName.apiVersionFound).toMatchObject({ type: 'hidden', default: '' });
		expect(byName.apiVersion.description).toMatch(/x-api-version/);
		expect(credentialType.test.request).toMatchObject({ url: '/api/v1/users', qs: { Limit: 1 }, ignoreHttpStatusErrors: true });
	});

	it('authenticate adds the bearer token, x-api-version, the default port 11005, and turns redirects off', async () => {
		const options = await credentialType.authenticate(creds({ accessToken: 'at.x', url: 'https://vbaws.example.com' }), { url: '/api/v1/users', baseURL: 'ignored' });
		expect(options.headers).toEqual({ Authorization: 'Bearer at.x', 'x-api-version': '1.7-rev0' });
		expect(options.baseURL).toBe('https://vbaws.example.com:11005');
		expect(options.disableFollowRedirect).toBe(true);
		if (N8N_MAJOR >= 2) expect(options.agentOptions).toEqual({ ca: sim.tls.caPem.trim() });
	});

	it('a custom version goes into x-api-version as given', async () => {
		const options = await credentialType.authenticate(creds({ accessToken: 'at.x', apiVersion: 'custom', customApiVersion: '1.6-rev0' }), { url: '/api/v1/users' });
		expect(options.headers).toMatchObject({ 'x-api-version': '1.6-rev0' });
	});
});

describe('API versions and Veeam\'s releases (issue 25, point 8)', () => {
	/**
	 * Which release speaks which version, as Veeam's pages say (sim/contracts/aws.md): "Versioning"
	 * (helpcenter.veeam.com/docs/vbaws/rest/versioning.html) lists 1.5-rev1 and 1.5-rev0 under 7.0
	 * and 1.6-rev0 under 8.0; the 8.1 REST help's changelog is 1.6-rev0 (archive/vbaws/80,
	 * build 8.1.0.7); the 1.7-rev0 reference sits under release 9 (references/vbaws/9/rest/1.7-rev0),
	 * the 1.8-rev0 one under 10 (references/vbaws/10/rest/1.8-rev0); 7.0's REST help says 1.5-rev0
	 * (archive/vbaws/70/rest/rest_api_changelog.html).
	 */
	const RELEASE_OF: Record<string, RegExp> = {
		'1.5-rev0': /\(Veeam Backup for AWS 7\.0\)$/,
		'1.5-rev1': /\(Veeam Backup for AWS 7\.0, Updated\)$/,
		'1.6-rev0': /\(Veeam Backup for AWS 8\.0, 8\.1\)$/,
		'1.7-rev0': /\(Veeam Backup for AWS 9\.0\)$/,
		'1.8-rev0': /\(Veeam Backup for AWS 10\.0\)$/,
	};
	const options = () =>
		(credentialType.properties.find((p) => p.name === 'apiVersion')?.options as Array<{ name: string; value: string }>).filter((o) => o.value !== 'custom' && o.value !== 'auto');

	it('offers every version from 1.5-rev0 to 1.8-rev0, Automatic by default, each labelled with the release Veeam gives it', () => {
		expect(options().map((o) => o.value)).toEqual(Object.keys(RELEASE_OF));
		for (const o of options()) expect(o.name).toMatch(new RegExp(`^${o.value.replace('.', '\\.')} `));
		for (const o of options()) expect(o.name).toMatch(RELEASE_OF[o.value]);
		expect(credentialType.properties.find((p) => p.name === 'apiVersion')?.default).toBe('auto');
	});

	it('logs in with 1.8-rev0 on a 10.0 appliance, with 1.5-rev0 on a 9.0 one, and names the versions a 9.0 appliance serves when it refuses 1.8-rev0', async () => {
		expect((await preAuth(creds({ apiVersion: '1.8-rev0' }))).accessToken).toBeTruthy();
		const nine = await startSimulator({ product: 'aws', aws: { release: '9.0' } });
		try {
			const at9 = (overrides: object) => creds({ url: nine.url, ...trustFields(nine.tls.caPem), ...overrides });
			expect((await preAuth(at9({ apiVersion: '1.5-rev0' }))).accessToken).toBeTruthy();
			const error = await failureOf(at9({ apiVersion: '1.8-rev0' }));
			expect(error.message).toBe(
				'The server does not accept API version 1.8-rev0. It supports: 1.5-rev0, 1.5-rev1, 1.6-rev0, 1.7-rev0. Choose one of them in the credential\'s "API Version".',
			);
		} finally {
			await nine.close();
		}
	});
});

describe('preAuthentication', () => {
	it('logs in with the password grant and stores the token, the refresh token and the expiry', async () => {
		const before = Date.now();
		const stored = await preAuth(creds());
		expect(Object.keys(stored).sort()).toEqual(['accessToken', 'refreshToken', 'tokenExpiresAt']);
		expect(stored.accessToken).toMatch(/^at\./);
		expect(stored.refreshToken).toMatch(/^rt\./);
		// Veeam Backup for AWS: access tokens last an hour.
		const expires = Date.parse(stored.tokenExpiresAt);
		expect(expires - before).toBeGreaterThanOrEqual(3_600_000 - 1000);
		expect(expires - Date.now()).toBeLessThanOrEqual(3_600_000);
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
		expect(sim.stats.recent).toEqual(['POST /api/v1/token']);
	});

	it('honours the server\'s expires_in', async () => {
		sim.addFault({ kind: 'patch', set: { expires_in: 300 }, pathIncludes: '/api/v1/token' });
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
		await preAuth(creds(first)); // another execution used the refresh token
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

	it('tries the adjacent step once when the server\'s clock is already in the next step', async () => {
		jest.spyOn(Date, 'now').mockReturnValue(1_800_000_000_000 + 26_000);
		sim.clock.advance(30);
		expect((await preAuth(mfaCreds())).accessToken).toMatch(/^at\./);
		expect(sim.stats.grants).toEqual({ 'password:200': 1, 'mfa:401': 1, 'mfa:200': 1 });
	});

	it('an MFA account refreshes without a new code, and falls back to password + MFA when the refresh is refused', async () => {
		const first = await preAuth(mfaCreds());
		await preAuth(mfaCreds(first));
		const third = await preAuth(mfaCreds(first)); // first's refresh token was used already
		expect(third.accessToken).toMatch(/^at\./);
		expect(sim.stats.grants).toEqual({ 'password:200': 2, 'mfa:200': 2, 'refresh_token:200': 1, 'refresh_token:401': 1 });
	});

	it('says what to add when an MFA account has no TOTP secret in the credential', async () => {
		const error = await failureOf(mfaCreds({ totpSecret: '' }));
		expect(error.message).toBe(
			'This Veeam Backup for AWS account has multi-factor authentication on. Add its TOTP secret (the base32 key shown when MFA was set up) to the credential\'s "TOTP Secret" field, or use an account without MFA.',
		);
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
	});

	it('fails clearly with a wrong secret, after at most two codes', async () => {
		const error = await failureOf(mfaCreds({ totpSecret: 'JBSWY3DPEHPK3PXP' }));
		expect(error.message).toMatch(/^Veeam Backup for AWS refused the MFA code \(401 AccessDenied: Invalid verification code\)\. Check that "TOTP Secret" belongs to this account/);
		expect(sim.stats.grants['mfa:401']).toBe(2);
	});

	it('refuses a TOTP secret that is not base32 before sending a code', async () => {
		const error = await failureOf(mfaCreds({ totpSecret: 'abc!def' }));
		expect(error.message).toMatch(/^TOTP Secret: .*base32/);
		expect(sim.stats.grants['mfa:401']).toBeUndefined();
	});

	it('says the password is wrong, and nothing else', async () => {
		const error = await failureOf(creds({ password: 'Wrong-Secret-42' }));
		expect(error.message).toBe('Veeam Backup for AWS login failed: wrong user name or password (401 AccessDenied: Invalid user name or password).');
	});

	it('names the versions the server supports when it refuses the API version', async () => {
		const error = await failureOf(creds({ apiVersion: 'custom', customApiVersion: '1.4-rev0' }));
		expect(error.message).toBe(
			'The server does not accept API version 1.4-rev0. It supports: 1.5-rev1, 1.6-rev0, 1.7-rev0, 1.8-rev0. Choose one of them in the credential\'s "API Version".',
		);
	});

	it.each(['v8.1', '1.7', '1.7-rev0/../x'])('refuses the version %j (not <major>.<minor>-rev<n>) before any request', async (version) => {
		const error = await failureOf(creds({ apiVersion: 'custom', customApiVersion: version }));
		expect(error.message).toBe(`Custom API Version "${version}" is not in Veeam's format <major>.<minor>-rev<n>, e.g. 1.3-rev1`);
		expect(sim.stats.requests).toBe(0);
	});

	it('says which server it reached when that server has no such login (an Azure server in "Server URL")', async () => {
		const azure = await startSimulator({ product: 'azure' });
		try {
			const error = await failureOf(creds({ url: azure.url, ...trustFields(azure.tls.caPem) }));
			expect(error.message).toBe(
				`Veeam Backup for AWS login failed: ${azure.url}/api/v1/token does not exist on that server (404). ` +
					'Check that "Server URL" is the address of a Veeam Backup for AWS server (its REST API listens on port 11005 unless changed).',
			);
		} finally {
			await azure.close();
		}
	});
});

describe('the credential test (the editor\'s "Test" button)', () => {
	it('passes for the administrator', async () => {
		expect(await runCredentialTest(credentialType, creds())).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(sim.stats.recent).toEqual(['POST /api/v1/token', 'GET /api/v1/users?Limit=1']);
	});

	it('passes for an administrator with MFA (the login computes the code)', async () => {
		expect(await runCredentialTest(credentialType, mfaCreds())).toEqual({ status: 'OK', message: 'Connection successful!' });
	});

	it.each(['operator', 'restorer'])('fails for %s, an account without Portal Administrator, naming the role', async (username) => {
		const outcome = await runCredentialTest(credentialType, creds({ username }));
		expect(outcome).toEqual({
			status: 'Error',
			message:
				'The account logs in, but lacks the Portal Administrator role that the Veeam node needs to manage users. Give it that role in Veeam Backup for AWS, or use an account that has it.',
		});
	});

	it('fails with the login\'s own message for a wrong password', async () => {
		const outcome = await runCredentialTest(credentialType, creds({ password: 'Wrong-Secret-42' }));
		expect(outcome.status).toBe('Error');
		expect(outcome.message).toMatch(/wrong user name or password/);
	});

	it('fails when the server logs in but does not answer the user list as Veeam Backup for AWS does (a proxy)', async () => {
		sim.addFault({ kind: 'answer', status: 200, body: { hello: 'proxy' }, method: 'GET', pathIncludes: '/api/v1/users' });
		const outcome = await runCredentialTest(credentialType, creds());
		expect(outcome).toEqual({
			status: 'Error',
			message: 'The server logged the account in but did not answer the user list as Veeam Backup for AWS does: check the Server URL (the server itself, not a proxy or another service).',
		});
	});
});
