/**
 * The VB365 credential's login, request by request: what it sends to `POST /{version}/token` and
 * what it makes of each answer, through a recording stand-in for n8n's `helpers.httpRequest` (the
 * answers are the shapes Veeam documents or that are on record, each noted where it is used). The
 * same logins against the VB365 simulator and n8n's engine: VeeamBackupMicrosoft365Api.credentials.test.ts.
 *
 * Sources: token form and OAuthTokenResponse, RESTExceptionInfo: the v8 document (Cenvora/veeam-365
 * openapi_schemas/vb365_rest_v8.json; references/vbo365/8/rest/tag/Auth); disable_antiforgery_token:
 * helpcenter.veeam.com/docs/vbo365/rest/authorization.html; a refused password is a 400 OAuth error
 * `{ error, error_description }` (nielsengelen/vbo365-rest, login()).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { VeeamBackupMicrosoft365Api } from '../../credentials/VeeamBackupMicrosoft365Api.credentials';
import { PRODUCTS } from '../../client/products';
import { N8N_MAJOR } from '../support/engine/n8nMajor';

const credentialType = new VeeamBackupMicrosoft365Api();
const HOST = 'https://vb365.example.com:4443';
const PASSWORD = 'Vb365-Admin-Pa55!';
const CA = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUB365\n-----END CERTIFICATE-----';

interface Sent {
	method?: string;
	url: string;
	form: Record<string, string>;
	headers: Record<string, unknown>;
	options: IHttpRequestOptions;
}

type Answer = { statusCode: number; body?: unknown; headers?: Record<string, unknown> };

/** The token answer of the v8 document's OAuthTokenResponse (every required field). */
function tokenAnswer(n: number, expiresIn = 3600): Answer {
	return {
		statusCode: 200,
		body: JSON.stringify({
			access_token: `vb365-at-${n}`,
			refresh_token: `vb365-rt-${n}`,
			token_type: 'bearer',
			expires_in: expiresIn,
			userName: 'TECH\\administrator',
			'.issued': '2026-12-06T00:00:00Z',
			'.expires': '2026-12-06T01:00:00Z',
		}),
	};
}

/** A stand-in server: each request is recorded and answered by `route` (the path, the parsed form). */
function fakeServer(route: (path: string, form: Record<string, string>) => Answer) {
	const sent: Sent[] = [];
	const helpers: IHttpRequestHelper = {
		helpers: {
			httpRequest: async (options: IHttpRequestOptions) => {
				const form = Object.fromEntries(new URLSearchParams(typeof options.body === 'string' ? options.body : ''));
				sent.push({ method: options.method, url: String(options.url), form, headers: { ...(options.headers ?? {}) }, options });
				const answer = route(new URL(String(options.url)).pathname, form);
				return { headers: {}, ...answer };
			},
		} as IHttpRequestHelper['helpers'],
	};
	return { sent, login: async (c: ICredentialDataDecryptedObject) => await credentialType.preAuthentication.call(helpers, c) };
}

function creds(overrides: object = {}): ICredentialDataDecryptedObject {
	return {
		url: 'https://vb365.example.com',
		username: 'TECH\\administrator',
		password: PASSWORD,
		apiVersion: 'v8',
		customApiVersion: '',
		caCertificate: '',
		skipTlsVerification: false,
		accessToken: '',
		refreshToken: '',
		tokenExpiresAt: '',
		...(overrides as ICredentialDataDecryptedObject),
	};
}

async function failure(run: Promise<unknown>, secrets: string[] = [PASSWORD]): Promise<Error> {
	const error = await run.then(
		() => undefined,
		(e: unknown) => e as Error,
	);
	if (!error) throw new Error('expected the login to fail');
	for (const secret of secrets) expect(error.message).not.toContain(secret);
	return error;
}

/** Every version answers the password grant; the refresh token `vb365-rt-used` is refused (400 invalid_grant). */
const served = (versions: string[]) => {
	let n = 0;
	return (path: string, form: Record<string, string>): Answer => {
		const version = path.split('/')[1];
		if (path !== `/${version}/token` || !versions.includes(version)) return { statusCode: 404, body: '' };
		if (form.grant_type === 'refresh_token' && form.refresh_token === 'vb365-rt-used') {
			return { statusCode: 400, body: JSON.stringify({ error: 'invalid_grant', error_description: 'The refresh token is invalid.' }) };
		}
		return tokenAnswer(++n);
	};
};

describe('the password grant', () => {
	it('POSTs the form to /v8/token on port 4443 (the default), with disable_antiforgery_token=true and no version header', async () => {
		const server = fakeServer(served(['v8']));
		const before = Date.now();
		const stored = await server.login(creds());
		expect(server.sent).toHaveLength(1);
		const [request] = server.sent;
		expect(request.method).toBe('POST');
		expect(request.url).toBe(`${HOST}/v8/token`);
		expect(request.form).toEqual({ grant_type: 'password', username: 'TECH\\administrator', password: PASSWORD, disable_antiforgery_token: 'true' });
		expect(request.headers).toEqual({ 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' });
		expect(request.options.disableFollowRedirect).toBe(true);
		// The server's expires_in (60 minutes by default: docs/vbo365/rest/authorization.html).
		expect(stored).toEqual({ accessToken: 'vb365-at-1', refreshToken: 'vb365-rt-1', tokenExpiresAt: expect.any(String) });
		const expires = Date.parse(stored.tokenExpiresAt);
		expect(expires - before).toBeGreaterThanOrEqual(3_600_000 - 1000);
		expect(expires - Date.now()).toBeLessThanOrEqual(3_600_000);
	});

	it('a pinned v7 logs in at /v7/token; a Custom v6 at /v6/token (the format allows it, though not offered)', async () => {
		const server = fakeServer(served(['v6', 'v7', 'v8']));
		await server.login(creds({ apiVersion: 'v7' }));
		await server.login(creds({ apiVersion: 'custom', customApiVersion: 'v6' }));
		expect(server.sent.map((s) => s.url)).toEqual([`${HOST}/v7/token`, `${HOST}/v6/token`]);
	});

	it.each(['8', 'v8.1', 'v8/../x', 'v8?x=1', '1.3-rev1', ''])('refuses the Custom version %j (not v<major>) before any request', async (version) => {
		const server = fakeServer(served(['v8']));
		const error = await failure(server.login(creds({ apiVersion: 'custom', customApiVersion: version })));
		expect(error.message).toBe(`Custom API Version "${version}" is not in Veeam's format v<major>, e.g. v8`);
		expect(server.sent).toHaveLength(0);
	});

	it('a refused password (400 invalid_grant) says so, with what VB365 wants of the account, and never repeats the password', async () => {
		const server = fakeServer(() => ({ statusCode: 400, body: JSON.stringify({ error: 'invalid_grant', error_description: `The user name or password is incorrect: ${PASSWORD}` }) }));
		const error = await failure(server.login(creds()));
		expect(error.message).toMatch(/^Veeam Backup for Microsoft 365 login failed: wrong user name or password, or no access to the REST API \(400 invalid_grant: The user name or password is incorrect: \[redacted\]\)\. Use an account that administers the Veeam Backup for Microsoft 365 server \(Veeam's example: tech\\administrator\)/);
		expect(error.message).toMatch(/EnableOperatorAuthenticationOnly/);
		expect(error).toMatchObject({ reason: { kind: 'credential-invalid' } });
	});

	it('a RESTExceptionInfo answer gives its message and errorCode, never its stackTrace', async () => {
		const body = {
			message: 'Access is denied.',
			errorCode: 'ResourceAccessDenied',
			stackTrace: '   at Veeam.Archiver.REST.Auth.TokenProvider.GrantResourceOwnerCredentials(OAuthGrantResourceOwnerCredentialsContext context)',
		};
		const server = fakeServer(() => ({ statusCode: 401, body: JSON.stringify(body) }));
		const error = await failure(server.login(creds()));
		expect(error.message).toMatch(/\(401 ResourceAccessDenied: Access is denied\)/);
		expect(error.message).not.toMatch(/Veeam\.Archiver|GrantResourceOwnerCredentials|\bat\b/);
		expect(JSON.stringify(error)).not.toMatch(/Veeam\.Archiver/);
	});

	it('a server error on the login is reported with its status, as temporary when it is a gateway\'s', async () => {
		const server = fakeServer(() => ({ statusCode: 502, body: 'Bad Gateway' }));
		const error = await failure(server.login(creds()));
		expect(error.message).toBe('Veeam Backup for Microsoft 365 login failed (password grant, 502).');
		expect(error).toMatchObject({ reason: { kind: 'temporarily-unavailable' } });
	});

	it('a redirect is not followed (the form holds the password)', async () => {
		const server = fakeServer(() => ({ statusCode: 302, headers: { location: 'https://elsewhere.example.com/v8/token' } }));
		const error = await failure(server.login(creds()));
		expect(error.message).toMatch(/answered with a redirect \(302\) to https:\/\/elsewhere\.example\.com\./);
		expect(server.sent).toHaveLength(1);
	});
});

describe('the refresh grant', () => {
	it('a stored refresh token is used first, at the version\'s token endpoint, with disable_antiforgery_token=true', async () => {
		const server = fakeServer(served(['v8']));
		const stored = await server.login(creds({ refreshToken: 'vb365-rt-0', accessToken: 'vb365-at-0' }));
		expect(server.sent.map((s) => s.form)).toEqual([{ grant_type: 'refresh_token', refresh_token: 'vb365-rt-0', disable_antiforgery_token: 'true' }]);
		expect(server.sent[0].url).toBe(`${HOST}/v8/token`);
		expect(stored.refreshToken).toBe('vb365-rt-1');
	});

	it('a refused refresh token (used by another execution, expired) falls back to the password once', async () => {
		const server = fakeServer(served(['v8']));
		const stored = await server.login(creds({ refreshToken: 'vb365-rt-used' }));
		expect(server.sent.map((s) => s.form.grant_type)).toEqual(['refresh_token', 'password']);
		expect(stored.accessToken).toBe('vb365-at-1');
	});

	it('the refresh token never appears in a message, even when the server quotes it', async () => {
		const server = fakeServer((path, form) =>
			form.grant_type === 'refresh_token'
				? { statusCode: 400, body: JSON.stringify({ error: 'invalid_grant', error_description: `unknown token ${form.refresh_token}` }) }
				: { statusCode: 400, body: JSON.stringify({ error: 'invalid_grant', error_description: `bad ${form.password} after ${path}` }) },
		);
		await failure(server.login(creds({ refreshToken: 'vb365-rt-secret-0042' })), [PASSWORD, 'vb365-rt-secret-0042']);
	});
});

describe('API version "Automatic" (the token endpoint carries the version: the login is the test)', () => {
	it('logs in at the newest known version and keeps it with the token: one request', async () => {
		const server = fakeServer(served(['v7', 'v8']));
		const stored = await server.login(creds({ apiVersion: 'auto' }));
		expect(stored.apiVersionFound).toBe('v8');
		expect(server.sent.map((s) => s.url)).toEqual([`${HOST}/v8/token`]);
	});

	it('a 7.x server (no /v8/token: 404) is logged in at v7, which is kept', async () => {
		const server = fakeServer(served(['v7']));
		const stored = await server.login(creds({ apiVersion: 'auto' }));
		expect(stored).toMatchObject({ accessToken: 'vb365-at-1', apiVersionFound: 'v7' });
		expect(server.sent.map((s) => `${s.url} ${s.form.grant_type}`)).toEqual([`${HOST}/v8/token password`, `${HOST}/v7/token password`]);
	});

	it('the kept version is tried first (its refresh token with it); an upgrade is found again at the next login only if the kept one goes', async () => {
		const server = fakeServer(served(['v7', 'v8']));
		const stored = await server.login(creds({ apiVersion: 'auto', apiVersionFound: 'v7', refreshToken: 'vb365-rt-0' }));
		expect(stored.apiVersionFound).toBe('v7');
		expect(server.sent.map((s) => `${s.url} ${s.form.grant_type}`)).toEqual([`${HOST}/v7/token refresh_token`]);
	});

	it('a 400 about the API version at the token path is a refusal of the version too (ASP.NET API Versioning\'s answer)', async () => {
		const server = fakeServer((path) =>
			path === '/v8/token' ? { statusCode: 400, body: JSON.stringify({ error: { code: 'UnsupportedApiVersion', message: 'The API version v8 is not supported.' } }) } : tokenAnswer(1),
		);
		expect((await server.login(creds({ apiVersion: 'auto' }))).apiVersionFound).toBe('v7');
	});

	it('a refused password at the newest version stops there: it is the account, not the version', async () => {
		const server = fakeServer(() => ({ statusCode: 400, body: JSON.stringify({ error: 'invalid_grant', error_description: 'The user name or password is incorrect.' }) }));
		const error = await failure(server.login(creds({ apiVersion: 'auto' })));
		expect(error.message).toMatch(/wrong user name or password/);
		expect(server.sent).toHaveLength(1);
	});

	it('no token endpoint at any known version: names the versions and the paths tried, and the Server URL', async () => {
		const server = fakeServer(() => ({ statusCode: 404, body: '' }));
		const error = await failure(server.login(creds({ apiVersion: 'auto' })));
		expect(error.message).toBe(
			'Veeam Backup for Microsoft 365 accepts none of the API versions this package knows (v8, v7; tried: v8, v7). It does not say which it supports. ' +
				'Update the n8n-nodes-veeam package, or choose "Custom" in the credential\'s "API Version" with a version the server supports. ' +
				'None of /v8/token, /v7/token is there: check also that "Server URL" is the address of a Veeam Backup for Microsoft 365 server (its REST API listens on port 4443 unless changed).',
		);
		expect(error).toMatchObject({ reason: { kind: 'configuration-invalid' } });
	});

	it('a pinned version without a token endpoint says both possible causes', async () => {
		const server = fakeServer(served(['v7']));
		const error = await failure(server.login(creds({ apiVersion: 'v8' })));
		expect(error.message).toBe(
			`Veeam Backup for Microsoft 365 login failed: ${HOST}/v8/token does not exist on that server (404). ` +
				'Either the server does not serve API version v8: choose another in the credential\'s "API Version" (it offers v7, or Automatic); ' +
				'or "Server URL" is not the address of a Veeam Backup for Microsoft 365 server (its REST API listens on port 4443 unless changed).',
		);
		expect(server.sent).toHaveLength(1);
	});

	it('a 5xx at the newest version proves nothing about it: the login fails with it, no other version is tried', async () => {
		const server = fakeServer(() => ({ statusCode: 503, headers: { 'retry-after': '7' }, body: '' }));
		const error = await failure(server.login(creds({ apiVersion: 'auto' })));
		expect(error).toMatchObject({ reason: { kind: 'rate-limited', retryAfterSeconds: 7 } });
		expect(server.sent).toHaveLength(1);
	});
});

describe('TLS trust', () => {
	it('a given CA certificate is trusted (n8n 2.x) before any "skip"; without one, skip applies', async () => {
		const server = fakeServer(served(['v8']));
		await server.login(creds({ caCertificate: CA, skipTlsVerification: true }));
		await server.login(creds({ skipTlsVerification: true }));
		const [withCa, skipOnly] = server.sent.map((s) => s.options);
		if (N8N_MAJOR >= 2) {
			expect(withCa.agentOptions).toEqual({ ca: CA });
			expect(withCa.skipSslCertificateValidation).toBe(false);
		} else {
			// n8n 1.x does not pass a request's CA on: there "skip" works as if none were given.
			expect(withCa.agentOptions).toBeUndefined();
			expect(withCa.skipSslCertificateValidation).toBe(true);
		}
		expect(skipOnly.agentOptions).toBeUndefined();
		expect(skipOnly.skipSslCertificateValidation).toBe(true);
	});

	it('a CA that is not PEM is refused before any request', async () => {
		const server = fakeServer(served(['v8']));
		const error = await failure(server.login(creds({ caCertificate: 'not a certificate' })));
		expect(error.message).toMatch(/^CA Certificate is not a PEM certificate/);
		expect(server.sent).toHaveLength(0);
	});
});

describe('the product row', () => {
	it('offers v7 and v8, sends the version in the path, and its token path carries it', () => {
		const { auth } = PRODUCTS.vb365;
		expect(auth.loginPath).toBe('/{version}/token');
		expect(auth.version).toMatchObject({ inPath: true, example: 'v8', format: 'v<major>' });
		expect(auth.offeredVersions?.map((v) => v.value)).toEqual(['v7', 'v8']);
		expect(auth.tokenFormFields).toEqual({ disable_antiforgery_token: 'true' });
		expect(auth.completeMfa).toBeUndefined();
	});

	it('is the credential type the row names, and package.json lists it for n8n to load', () => {
		expect(credentialType.name).toBe(PRODUCTS.vb365.credentialType);
		const pkg = JSON.parse(readFileSync(join(__dirname, '../../package.json'), 'utf8')) as { n8n: { credentials: string[] } };
		expect(pkg.n8n.credentials).toContain('dist/credentials/VeeamBackupMicrosoft365Api.credentials.js');
	});
});
