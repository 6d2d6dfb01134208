import axios from 'axios';
import { Agent } from 'node:https';
import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { VeeamBackupReplicationApi } from '../../credentials/VeeamBackupReplicationApi.credentials';
import { describeConnectionFailure, normalizeServerUrl } from '../../client/login';
import { startSimulator, VBR_DEFAULT_PASSWORD, type SimServer } from '../../sim';
import { N8N_MAJOR, n8nHttpRequest, trustFields } from '../support/engine';

/** n8n's own HTTP stack, as `this.helpers.httpRequest` is in a credential's preAuthentication. */
const helpers: IHttpRequestHelper = {
	helpers: {
		httpRequest: async (options: IHttpRequestOptions) => await n8nHttpRequest(options),
	} as IHttpRequestHelper['helpers'],
};

const credentialType = new VeeamBackupReplicationApi();
let sim: SimServer;

function creds(overrides: object = {}): ICredentialDataDecryptedObject {
	return {
		url: sim.url,
		username: 'VBR01\\svc-n8n',
		password: VBR_DEFAULT_PASSWORD,
		apiVersion: '1.3-rev2',
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

async function failureOf(c: ICredentialDataDecryptedObject): Promise<Error> {
	const error = await preAuth(c).then(
		() => undefined,
		(e: unknown) => e as Error,
	);
	if (!error) throw new Error('expected the login to fail');
	// Whatever went wrong, the message never carries the secrets it was given.
	expect(error.message).not.toContain(String(c.password));
	if (c.refreshToken) expect(error.message).not.toContain(String(c.refreshToken));
	return error;
}

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbr', expiresIn: 600 });
});

afterAll(async () => {
	await sim.close();
});

beforeEach(() => {
	sim.reset();
});

describe('credential description', () => {
	it('keeps the access token in a hidden expirable field and every secret as a password field', () => {
		const byName = Object.fromEntries(credentialType.properties.map((p) => [p.name, p]));
		expect(byName.accessToken).toMatchObject({ type: 'hidden', typeOptions: { expirable: true, password: true } });
		expect(byName.refreshToken).toMatchObject({ type: 'hidden', typeOptions: { password: true } });
		expect(byName.password.typeOptions).toEqual({ password: true });
		// n8n finds the expirable field as the first hidden+expirable property.
		const expirable = credentialType.properties.filter((p) => p.type === 'hidden' && p.typeOptions?.expirable);
		expect(expirable.map((p) => p.name)).toEqual(['accessToken']);
		expect(credentialType.test.request).toMatchObject({ url: '/api/v1/security/users', qs: { limit: 1 }, ignoreHttpStatusErrors: true });
		// What the rules read (n8n's credential tester: lodash get on the answer's body) in the simulator's answers.
		const [unauthorized, forbidden, denied, notAList] = credentialType.test.rules as Array<{ properties: { key: string; value: unknown; message: string } }>;
		expect(unauthorized.properties).toMatchObject({ key: 'message', value: 'Unauthorized. Get bearer JWT token at /api/login', message: expect.stringContaining('not a role problem') });
		expect(forbidden.properties).toMatchObject({ key: 'message', value: 'Forbidden', message: expect.stringContaining('lacks the Backup Administrator role') });
		expect(denied.properties).toMatchObject({ key: 'errorCode', value: 'AccessDenied', message: expect.stringContaining('(a 401)') });
		expect(notAList.properties).toMatchObject({ key: 'pagination', value: undefined });
	});

	/** What n8n's credential tester says for an answer's body: the first rule whose key holds its value (lodash get), else nothing. */
	function testVerdict(body: unknown): string | undefined {
		const rules = credentialType.test.rules as Array<{ properties: { key: string; value: unknown; message: string } }>;
		return rules.find((r) => (body as Record<string, unknown>)[r.properties.key] === r.properties.value)?.properties.message;
	}

	it('the test tells a 401 AccessDenied (token not taken) from a 403 AccessDenied (missing role): only the 403 is a missing role', async () => {
		const tls = { httpsAgent: new Agent({ ca: sim.tls.caPem }), validateStatus: () => true, headers: { 'x-api-version': '1.3-rev2' } };
		const noToken = await axios.get(`${sim.url}/api/v1/security/users?limit=1`, tls);
		expect(noToken.status).toBe(401);
		expect(testVerdict(noToken.data)).toMatch(/did not accept the token.*not a role problem/);
		const viewer = await preAuth(creds({ username: 'VBR01\\viewer' }));
		const asViewer = await axios.get(`${sim.url}/api/v1/security/users?limit=1`, { ...tls, headers: { ...tls.headers, Authorization: `Bearer ${viewer.accessToken}` } });
		expect(asViewer.status).toBe(403);
		expect(testVerdict(asViewer.data)).toMatch(/^The account logs in, but lacks the Backup Administrator role/);
		// Other words with AccessDenied: both causes named, not a missing role alone.
		expect(testVerdict({ errorCode: 'AccessDenied', message: 'Access is denied.' })).toMatch(/\(a 403\), or the server did not accept the login's token \(a 401\)/);
		expect(testVerdict({ data: [], pagination: { total: 0 } })).toBeUndefined();
	});

	it('authenticate adds the bearer token, x-api-version, the server URL and TLS trust, and turns redirects off', async () => {
		const options = await credentialType.authenticate(
			creds({ accessToken: 'at.x', url: 'https://vbr.example.com', caCertificate: sim.tls.caPem, skipTlsVerification: true }),
			{ url: '/api/v1/security/users', baseURL: 'ignored' },
		);
		expect(options.headers).toEqual({ Authorization: 'Bearer at.x', 'x-api-version': '1.3-rev2' });
		expect(options.baseURL).toBe('https://vbr.example.com:9419');
		expect(options.disableFollowRedirect).toBe(true);
		if (N8N_MAJOR >= 2) {
			// The CA is trusted, and "skip" does not apply beside it.
			expect(options.agentOptions).toEqual({ ca: sim.tls.caPem.trim() });
			expect(options.skipSslCertificateValidation).toBe(false);
		} else {
			// n8n 1.x cannot use the CA: it is not passed, and "skip" works.
			expect(options.agentOptions).toBeUndefined();
			expect(options.skipSslCertificateValidation).toBe(true);
			expect(options).toMatchObject({ rejectUnauthorized: false });
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
		const expires = Date.parse(stored.tokenExpiresAt);
		expect(expires - before).toBeGreaterThanOrEqual(600_000 - 1000);
		expect(expires - Date.now()).toBeLessThanOrEqual(600_000);
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
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

	it('says the password is wrong or the account has MFA on (VBR answers both alike), and nothing else', async () => {
		const error = await failureOf(creds({ password: 'Wrong-Secret-42' }));
		expect(error.message).toBe(
			'Veeam Backup & Replication login failed (401 AccessDenied: Invalid user name or password): a wrong user name or password, or an account with multi-factor authentication on (the server answers both alike). ' +
				'Check the user name and password; if they are right, REST automation cannot answer an MFA prompt: log in with a service account (marked as one in Users and Roles, or with the Set Service Account Mode operation; MFA never applies to it).',
		);
		expect(error.message).not.toContain('Wrong-Secret-42');
	});

	it('tells a user whose account has MFA on to use a service account', async () => {
		// VBR's MFA is the server-wide setting; VBR01\admin is not a service account.
		const stored = await preAuth(creds());
		await axios.put(
			`${sim.url}/api/v1/security/settings`,
			{ mfaEnabled: true },
			{
				headers: { Authorization: `Bearer ${stored.accessToken}`, 'x-api-version': '1.3-rev2' },
				httpsAgent: new Agent({ ca: sim.tls.caPem }),
			},
		);
		// The simulator answers as the only public record of a real server does: 401 AccessDenied
		// "Authentication failed", no word of MFA (assumed; sim/contracts/vbr.md).
		const error = await failureOf(creds({ username: 'VBR01\\admin' }));
		expect(error.message).toMatch(/^Veeam Backup & Replication login failed \(401 AccessDenied: Authentication failed\): a wrong user name or password, or an account with multi-factor authentication on/);
		expect(error.message).toMatch(/log in with a service account/);
	});

	it('refused an API version in Veeam\'s words (no version named), names the versions the credential offers', async () => {
		const error = await failureOf(creds({ apiVersion: 'custom', customApiVersion: '1.2-rev1' }));
		expect(error.message).toBe(
			'The server does not accept API version 1.2-rev1 and does not say which it supports. Choose another in the credential\'s "API Version": it offers 1.3-rev1, 1.3-rev2 (or Custom); take the one of the server\'s release (see Veeam\'s REST API reference for the release).',
		);
	});

	it('names the versions the server lists, in the wording reported from real servers', async () => {
		const loud = await startSimulator({ product: 'vbr', vbr: { announceVersions: true } });
		try {
			const error = await failureOf(creds({ url: loud.url, ...trustFields(loud.tls.caPem), apiVersion: 'custom', customApiVersion: '1.2-rev1' }));
			expect(error.message).toBe('The server does not accept API version 1.2-rev1. It supports: 1.3-rev1, 1.3-rev2. Choose one of them in the credential\'s "API Version".');
		} finally {
			await loud.close();
		}
	});

	it('refuses a malformed custom API version before any request', async () => {
		const error = await failureOf(creds({ apiVersion: 'custom', customApiVersion: 'v13' }));
		expect(error.message).toMatch(/API Version "v13" is not in Veeam's format/);
		expect(sim.stats.requests).toBe(0);
	});

	it.each([
		['vbr.example.com:9419', /has no scheme: write it as https:\/\/vbr\.example\.com:9419/],
		['http://127.0.0.1:9419', /must use https:\/\//],
		['https://127.0.0.1:9419/api/v1', /without the path "\/api\/v1": write https:\/\/127\.0\.0\.1:9419$/],
		['https://user:pw@127.0.0.1:9419', /must not contain a user name or password/],
		['', /Server URL is empty/],
		['https://exa mple.com', /not a valid URL/],
	])('refuses the server URL %j before any request', async (url, message) => {
		const error = await failureOf(creds({ url }));
		expect(error.message).toMatch(message);
		expect(sim.stats.requests).toBe(0);
	});

	it('adds the default port 9419 and drops a trailing slash', () => {
		expect(normalizeServerUrl('https://vbr.example.com/', 9419)).toBe('https://vbr.example.com:9419');
		expect(normalizeServerUrl(' https://VBR.example.com:9500 ', 9419)).toBe('https://vbr.example.com:9500');
		expect(normalizeServerUrl('https://[::1]', 9419)).toBe('https://[::1]:9419');
	});

	describe('TLS', () => {
		const noTrust = { caCertificate: '', skipTlsVerification: false };

		it('fails clearly when verification is on and the certificate is not trusted, saying what to do on this n8n', async () => {
			const error = await failureOf(creds(noTrust));
			expect(error.message).toMatch(/TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)\)/);
			expect(error.message).toMatch(N8N_MAJOR >= 2 ? /into the credential's "CA Certificate" field/ : /NODE_EXTRA_CA_CERTS/);
			expect(sim.stats.requests).toBe(0);
		});

		it('skips verification only when told to and no CA is given', async () => {
			expect((await preAuth(creds({ caCertificate: '', skipTlsVerification: true }))).accessToken).toMatch(/^at\./);
		});

		it('refuses a CA field that is not a PEM certificate, on either major', async () => {
			const error = await failureOf(creds({ caCertificate: 'MIIBIjANBgkqh' }));
			expect(error.message).toMatch(/CA Certificate is not a PEM certificate/);
			expect(sim.stats.requests).toBe(0);
		});

		if (N8N_MAJOR >= 2) {
			it('trusts a self-signed server certificate given as the CA (n8n 2.x)', async () => {
				const selfSigned = await startSimulator({ product: 'vbr', tlsMode: 'self-signed' });
				try {
					const stored = await preAuth(creds({ url: selfSigned.url, caCertificate: selfSigned.tls.certPem, skipTlsVerification: false }));
					expect(stored.accessToken).toMatch(/^at\./);
					const untrusted = await failureOf(creds({ url: selfSigned.url, ...noTrust }));
					expect(untrusted.message).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT/);
				} finally {
					await selfSigned.close();
				}
			});

			it('keeps verifying against the given CA even when "skip" is also on (n8n 2.x)', async () => {
				const other = await startSimulator({ product: 'vbr' }); // a different test CA
				try {
					const error = await failureOf(creds({ url: other.url, caCertificate: sim.tls.caPem, skipTlsVerification: true }));
					expect(error.message).toMatch(/not trusted/);
				} finally {
					await other.close();
				}
			});
		} else {
			it('says plainly that n8n 1.x does not use the CA field, and points to NODE_EXTRA_CA_CERTS or Skip (n8n 1.x)', async () => {
				const error = await failureOf(creds({ caCertificate: sim.tls.caPem, skipTlsVerification: false }));
				expect(error.message).toMatch(/not trusted .*n8n 1\.x does not use the credential's "CA Certificate" field\. Give n8n .* NODE_EXTRA_CA_CERTS .*"Skip Certificate Validation"/);
			});

			it('lets Skip Certificate Validation work with a CA given, since n8n 1.x cannot use the CA (n8n 1.x)', async () => {
				expect((await preAuth(creds({ caCertificate: sim.tls.caPem, skipTlsVerification: true }))).accessToken).toMatch(/^at\./);
			});
		}

		it('recognises an untrusted certificate from the message alone (some n8n versions keep no code)', () => {
			const wrapped = new Error('The request failed', { cause: new Error('self-signed certificate in certificate chain') });
			expect(describeConnectionFailure(wrapped, 'https://vbr:9419', { requestCaUsed: false })).toMatch(
				/TLS certificate of https:\/\/vbr:9419 is not trusted.*NODE_EXTRA_CA_CERTS/,
			);
			expect(describeConnectionFailure(wrapped, 'https://vbr:9419', { requestCaUsed: true })).toMatch(/into the credential's "CA Certificate" field/);
			expect(describeConnectionFailure(new Error('socket closed'), 'https://vbr:9419')).toBe('The request to https://vbr:9419 failed.');
		});
	});

	it('says the host cannot be reached when nothing listens', async () => {
		const gone = await startSimulator({ product: 'vbr' });
		const url = gone.url;
		await gone.close();
		const error = await failureOf(creds({ url }));
		expect(error.message).toMatch(/Cannot reach https:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
	});
});
