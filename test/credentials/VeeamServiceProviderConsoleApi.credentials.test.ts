/**
 * The VSPC credential against the VSPC simulator (sim/contracts/vspc.md): the password grant with
 * refresh and fallback, the mfa grant, the API key as the bearer token, X-Client-Version (pinned, and
 * "Automatic" stepping down from a version the server refuses) and the credential test through
 * n8n's engine, on both majors.
 */
import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { VeeamServiceProviderConsoleApi } from '../../credentials/VeeamServiceProviderConsoleApi.credentials';
import { apiKeyFingerprint } from '../../client/login';
import { PRODUCTS } from '../../client/products';
import { startSimulator, VSPC_COMPANY_ALPHA_UID, VSPC_DEFAULT_ADMIN, VSPC_DEFAULT_ADMIN_UID, VSPC_DEFAULT_PASSWORD, VSPC_MFA_USER, VSPC_SUPPORTED_VERSIONS, type SimServer } from '../../sim';
import type { VspcProduct } from '../../sim/vspc/product';
import { n8nHttpRequest, shutdownEngine, trustFields } from '../support/engine';
import { runCredentialTest } from './credentialTest';

const helpers: IHttpRequestHelper = {
	helpers: {
		httpRequest: async (options: IHttpRequestOptions) => await n8nHttpRequest(options),
	} as IHttpRequestHelper['helpers'],
};

const credentialType = new VeeamServiceProviderConsoleApi();
let sim: SimServer;
let vspc: VspcProduct;

function creds(overrides: object = {}): ICredentialDataDecryptedObject {
	return {
		url: sim.url,
		authentication: 'password',
		username: VSPC_DEFAULT_ADMIN,
		password: VSPC_DEFAULT_PASSWORD,
		totpSecret: '',
		apiKey: '',
		apiVersion: '3.6.1',
		customApiVersion: '',
		...trustFields(sim.tls.caPem),
		accessToken: '',
		refreshToken: '',
		tokenExpiresAt: '',
		...(overrides as ICredentialDataDecryptedObject),
	};
}

async function preAuth(c: ICredentialDataDecryptedObject) {
	return await credentialType.preAuthentication.call(helpers, c);
}

/** The login's failure, checked to name none of the credential's secrets. */
async function failureOf(c: ICredentialDataDecryptedObject): Promise<Error> {
	const error = await preAuth(c).then(
		() => undefined,
		(e: unknown) => e as Error,
	);
	if (!error) throw new Error('expected the login to fail');
	for (const secret of [c.password, c.totpSecret, c.refreshToken, c.apiKey]) {
		if (secret) expect(error.message).not.toContain(String(secret));
	}
	return error;
}

beforeAll(async () => {
	sim = await startSimulator({ product: 'vspc' });
	vspc = sim.product as VspcProduct;
});

afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});

beforeEach(() => {
	sim.reset();
	vspc.serveVersions([...VSPC_SUPPORTED_VERSIONS]);
});

describe('fields', () => {
	it('asks for user name, password and TOTP Secret, or for an API key, as "Authentication" says', () => {
		const byName = Object.fromEntries(credentialType.properties.map((p) => [p.name, p]));
		expect(byName.authentication.default).toBe('password');
		for (const name of ['username', 'password', 'totpSecret']) expect(byName[name].displayOptions).toEqual({ show: { authentication: ['password'] } });
		expect(byName.apiKey.displayOptions).toEqual({ show: { authentication: ['apiKey'] } });
		expect(byName.apiKey.typeOptions).toEqual({ password: true });
		expect(byName.apiVersion.default).toBe('auto');
		// The product row's versions, oldest first, between Automatic and Custom; 3.6.1 (VSPC 9.1) among them.
		const offered = (PRODUCTS.vspc.auth.offeredVersions ?? []).map((v) => v.value);
		expect((byName.apiVersion.options as Array<{ value: string }>).map((o) => o.value)).toEqual(['auto', ...offered, 'custom']);
		expect(offered).toEqual(expect.arrayContaining(['3.6', '3.6.1']));
		expect(byName.url.placeholder).toBe('https://vspc.example.com:1280');
	});
});

describe('password login', () => {
	it('logs in with the password grant, the version in X-Client-Version', async () => {
		const stored = await preAuth(creds());
		expect(Object.keys(stored).sort()).toEqual(['accessToken', 'refreshToken', 'tokenExpiresAt']);
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
		// VSPC's access token lasts an hour (REST help, "Authorization and Security").
		expect(Date.parse(stored.tokenExpiresAt) - Date.now()).toBeGreaterThan(3_500_000);
	});

	it('a wrong password: the server\'s words, the causes it covers and the way in for an MFA account, without the password', async () => {
		const error = await failureOf(creds({ password: 'Wr0ng-Secret-Value!' }));
		expect(error.message).toMatch(
			/^Veeam Service Provider Console login failed: wrong user name or password, or no access to the REST API \(400 invalid_request: Cannot complete login due to incorrect username or password, or no sufficient rights\)\. .*"Authentication: API Key"/,
		);
	});

	it('refreshes with the stored refresh token, and falls back to the password when the refresh is refused', async () => {
		const first = await preAuth(creds());
		const refreshed = await preAuth(creds({ refreshToken: first.refreshToken }));
		expect(refreshed.accessToken).not.toBe(first.accessToken);
		// The refresh token was single-use: the old one is refused, and the password logs in.
		const again = await preAuth(creds({ refreshToken: first.refreshToken }));
		expect(again.accessToken).toBeTruthy();
		expect(sim.stats.grants).toEqual({ 'password:200': 2, 'refresh_token:200': 1, 'refresh_token:400': 1 });
	});

	it('an account with MFA refused a password login (Veeam: it "can no longer authenticate with user name and password"): the message leads to the API key', async () => {
		const error = await failureOf(creds({ username: VSPC_MFA_USER.name, password: VSPC_MFA_USER.password, totpSecret: VSPC_MFA_USER.secret }));
		expect(error.message).toMatch(/An account with MFA on may be refused a password login over REST whatever its TOTP Secret .*"Authentication: API Key"/);
	});
});

describe('a server that asks an MFA account for its code (the mfa grant: assumed from the spec\'s fields)', () => {
	let challenging: SimServer;
	beforeAll(async () => {
		challenging = await startSimulator({ product: 'vspc', vspc: { mfaPasswordGrant: 'challenge' } });
	});
	afterAll(async () => {
		await challenging.close();
	});
	const mfaCreds = (overrides: object = {}) =>
		creds({ url: challenging.url, ...trustFields(challenging.tls.caPem), username: VSPC_MFA_USER.name, password: VSPC_MFA_USER.password, ...overrides });

	it('finishes with the mfa grant and the code from the TOTP Secret', async () => {
		const stored = await preAuth(mfaCreds({ totpSecret: VSPC_MFA_USER.secret }));
		expect(stored.accessToken).toBeTruthy();
		expect(challenging.stats.grants).toEqual({ 'password:200': 1, 'mfa:200': 1 });
	});

	it('without a TOTP Secret says what to add', async () => {
		const error = await failureOf(mfaCreds());
		expect(error.message).toMatch(/has multi-factor authentication on\. Add its TOTP secret/);
	});
});

describe('API key', () => {
	it('is checked with one GET and never stored: the "token" is its fingerprint, and every request carries the key', async () => {
		const { key } = vspc.addApiKey(VSPC_DEFAULT_ADMIN_UID);
		const c = creds({ authentication: 'apiKey', apiKey: key, username: '', password: '' });
		const stored = await preAuth(c);
		expect(stored).toEqual({ accessToken: apiKeyFingerprint(key), refreshToken: '', tokenExpiresAt: '' });
		expect(JSON.stringify(stored)).not.toContain(key);
		expect(sim.stats.grants).toEqual({});
		const request = await credentialType.authenticate({ ...c, ...stored } as ICredentialDataDecryptedObject, { url: `${sim.url}/api/v3/users`, headers: {} });
		expect(request.headers).toMatchObject({ Authorization: `Bearer ${key}`, 'X-Client-Version': '3.6.1' });
	});

	it('a key the server does not know, or one without the REST scope, is refused with advice and without the key', async () => {
		const unknown = await failureOf(creds({ authentication: 'apiKey', apiKey: 'not-a-key-of-this-server-0123456789' }));
		expect(unknown.message).toMatch(/^Veeam Service Provider Console refused the API key \(401: .*\)\. Check "API Key"/);
		const { key } = vspc.addApiKey(VSPC_DEFAULT_ADMIN_UID, { scopes: ['ui'] });
		const uiOnly = await failureOf(creds({ authentication: 'apiKey', apiKey: key }));
		expect(uiOnly.message).toMatch(/REST scope/);
	});

	it('an empty key is refused before any request', async () => {
		const error = await failureOf(creds({ authentication: 'apiKey', apiKey: '  ' }));
		expect(error.message).toMatch(/"API Key" is empty/);
		expect(sim.stats.requests).toBe(0);
	});
});

describe('API version', () => {
	it('"Automatic" steps down from a version the server refuses (ASP.NET\'s UnsupportedApiVersion) and keeps the one it accepts', async () => {
		vspc.serveVersions(['3.5.1', '3.6']);
		const stored = await preAuth(creds({ apiVersion: 'auto' }));
		expect(stored.apiVersionFound).toBe('3.6');
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
		const request = await credentialType.authenticate({ ...creds({ apiVersion: 'auto' }), ...stored } as ICredentialDataDecryptedObject, { url: `${sim.url}/api/v3/users`, headers: {} });
		expect(request.headers).toMatchObject({ 'X-Client-Version': '3.6' });
		expect(request.headers).not.toHaveProperty('x-api-version');
	});

	it('"Automatic" with an API key finds the version the same way', async () => {
		vspc.serveVersions(['3.6']);
		const { key } = vspc.addApiKey(VSPC_DEFAULT_ADMIN_UID);
		const stored = await preAuth(creds({ authentication: 'apiKey', apiKey: key, apiVersion: 'auto' }));
		expect(stored.apiVersionFound).toBe('3.6');
	});

	it('a pinned version the server refuses says so, and which the credential offers', async () => {
		const error = await failureOf(creds({ apiVersion: '3.4' }));
		expect(error.message).toMatch(/^The server does not accept API version 3\.4 .*it offers 3\.5, 3\.5\.1, 3\.6, 3\.6\.1, 3\.6\.2/);
	});
});

describe('the credential test (n8n\'s engine)', () => {
	it('passes for a Portal Administrator, with a password or an API key', async () => {
		expect(await runCredentialTest(credentialType, creds({ apiVersion: 'auto' }))).toEqual({ status: 'OK', message: 'Connection successful!' });
		const { key } = vspc.addApiKey(VSPC_DEFAULT_ADMIN_UID);
		expect(await runCredentialTest(credentialType, creds({ authentication: 'apiKey', apiKey: key }))).toEqual({ status: 'OK', message: 'Connection successful!' });
	});

	it('an account whose role may not read users is told so', async () => {
		vspc.addUser({ organizationUid: VSPC_COMPANY_ALPHA_UID, userName: 'alpha\\location.user', role: 'CompanyLocationUser', password: 'Loc-Passw0rd!' });
		const outcome = await runCredentialTest(credentialType, creds({ username: 'alpha\\location.user', password: 'Loc-Passw0rd!' }));
		expect(outcome.status).toBe('Error');
		expect(outcome.message).toMatch(/refused the user list with a security error: the account lacks a role that manages users/);
	});

	it('a wrong password fails the test with the login\'s message', async () => {
		const outcome = await runCredentialTest(credentialType, creds({ password: 'Wr0ng-Secret-Value!' }));
		expect(outcome.status).toBe('Error');
		expect(outcome.message).toMatch(/wrong user name or password, or no access to the REST API/);
		expect(outcome.message).not.toContain('Wr0ng-Secret-Value!');
	});
});
