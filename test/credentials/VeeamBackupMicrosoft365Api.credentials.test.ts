/**
 * The VB365 credential against the VB365 simulator (sim/vb365, contract sim/contracts/vb365.md)
 * over HTTPS with n8n's own HTTP stack: the login (password and refresh grants at
 * `/{version}/token`), API version "Automatic", TLS trust, and the editor's "Test" button through
 * n8n's engine. What is sent, request by request, and the answers only on record (not in the
 * simulator's contract) are in VeeamBackupMicrosoft365Api.login.test.ts.
 */
import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions } from 'n8n-workflow';

import { obtainToken } from '../../client/login';
import { PRODUCTS } from '../../client/products';
import { VeeamBackupMicrosoft365Api } from '../../credentials/VeeamBackupMicrosoft365Api.credentials';
import { startSimulator, VB365_DEFAULT_ADMIN, VB365_DEFAULT_PASSWORD, VB365_SUPPORTED_VERSIONS, type SimServer, type Vb365Product } from '../../sim';
import { N8N_MAJOR, n8nHttpRequest, shutdownEngine, trustFields } from '../support/engine';
import { runCredentialTest } from './credentialTest';

/** n8n's own HTTP stack, as `this.helpers.httpRequest` is in a credential's preAuthentication. */
const helpers: IHttpRequestHelper = {
	helpers: {
		httpRequest: async (options: IHttpRequestOptions) => await n8nHttpRequest(options),
	} as IHttpRequestHelper['helpers'],
};

const credentialType = new VeeamBackupMicrosoft365Api();
let sim: SimServer;
let vb365: Vb365Product;

function creds(overrides: object = {}): ICredentialDataDecryptedObject {
	return {
		url: sim.url,
		username: VB365_DEFAULT_ADMIN,
		password: VB365_DEFAULT_PASSWORD,
		apiVersion: 'v8',
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
	for (const secret of [c.password, c.refreshToken]) {
		if (secret) expect(error.message).not.toContain(String(secret));
	}
	return error;
}

beforeAll(async () => {
	sim = await startSimulator({ product: 'vb365' });
	vb365 = sim.product as Vb365Product;
});

afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});

beforeEach(() => {
	sim.reset();
	vb365.serveVersions([...VB365_SUPPORTED_VERSIONS]);
	vb365.options.tokenErrors = undefined;
	vb365.options.unservedVersion = undefined;
	jest.restoreAllMocks();
});

describe('credential description', () => {
	it('has the fields of every Veeam credential (no TOTP Secret: no MFA over VB365\'s REST login) and VB365\'s versions, v7 and v8', () => {
		const byName = Object.fromEntries(credentialType.properties.map((p) => [p.name, p]));
		expect(credentialType.properties.map((p) => p.name)).toEqual([
			'url',
			'username',
			'password',
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
		expect(credentialType.name).toBe('veeamBackupMicrosoft365Api');
		expect(byName.accessToken).toMatchObject({ type: 'hidden', typeOptions: { expirable: true, password: true } });
		expect(byName.refreshToken).toMatchObject({ type: 'hidden', typeOptions: { password: true } });
		expect(byName.password.typeOptions).toEqual({ password: true });
		expect(byName.apiVersion.default).toBe('auto');
		expect((byName.apiVersion.options as Array<{ value: string }>).map((o) => o.value)).toEqual(['auto', 'v7', 'v8', 'custom']);
		expect(byName.apiVersion.description).toMatch(/path of every request, the login's too \(\/v8\/token, \/v8\/RbacRoles\)/);
		expect(byName.customApiVersion.placeholder).toBe('v8');
		expect(byName.apiVersionFound).toMatchObject({ type: 'hidden', default: '' });
		expect(credentialType.test.request).toMatchObject({ url: '/{version}/ServiceInstance', ignoreHttpStatusErrors: true });
	});

	it('authenticate adds the bearer token, the default port 4443 and the version in the path; no version header; no redirects', async () => {
		const options = await credentialType.authenticate(creds({ accessToken: 'at.x', url: 'https://vb365.example.com' }), { url: '/{version}/RbacRoles', baseURL: 'ignored' });
		expect(options.url).toBe('/v8/RbacRoles');
		expect(options.headers).toEqual({ Authorization: 'Bearer at.x' });
		expect(options.baseURL).toBe('https://vb365.example.com:4443');
		expect(options.disableFollowRedirect).toBe(true);
		if (N8N_MAJOR >= 2) expect(options.agentOptions).toEqual({ ca: sim.tls.caPem.trim() });
	});

	it('Automatic: the version kept with the token goes into the path', async () => {
		const options = await credentialType.authenticate(creds({ accessToken: 'at.x', apiVersion: 'auto', apiVersionFound: 'v7' }), { url: '/{version}/Organizations/o-1/RbacRoles' });
		expect(options.url).toBe('/v7/Organizations/o-1/RbacRoles');
	});
});

describe('preAuthentication', () => {
	it('logs in with the password grant at /v8/token and stores token, refresh token and expiry (60 minutes)', async () => {
		const before = Date.now();
		const stored = await preAuth(creds());
		expect(Object.keys(stored).sort()).toEqual(['accessToken', 'refreshToken', 'tokenExpiresAt']);
		const expires = Date.parse(stored.tokenExpiresAt);
		expect(expires - before).toBeGreaterThanOrEqual(3_600_000 - 1000);
		expect(expires - Date.now()).toBeLessThanOrEqual(3_600_000);
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
		expect(sim.stats.recent).toEqual(['POST /v8/token']);
	});

	it('uses the stored refresh token rather than the password, and falls back to the password once when it is refused', async () => {
		const first = await preAuth(creds());
		const second = await preAuth(creds(first));
		expect(second.accessToken).not.toBe(first.accessToken);
		// The first refresh token is used up: the next refresh with it is refused.
		const third = await preAuth(creds(first));
		expect(third.accessToken).toBeTruthy();
		expect(sim.stats.grants).toEqual({ 'password:200': 2, 'refresh_token:200': 1, 'refresh_token:400': 1 });
	});

	it('its tokens work without VB365\'s antiforgery cookie (n8n keeps none) because the login turns it off; a login that does not is refused', async () => {
		const { auth } = PRODUCTS.vb365;
		const list = async (token: string) =>
			(await n8nHttpRequest(
				await credentialType.authenticate(creds({ accessToken: token }), { url: `${sim.url}/{version}/RbacRoles`, returnFullResponse: true, ignoreHttpStatusErrors: true, json: true }),
			)) as { statusCode: number; body: { message?: string } };
		const ours = await preAuth(creds());
		expect((await list(ours.accessToken)).statusCode).toBe(200);
		// The same login without `disable_antiforgery_token=true`: its token needs the antiforgery cookie.
		const without = await obtainToken(helpers.helpers, creds(), { ...auth, tokenFormFields: undefined });
		const refused = await list(without.accessToken);
		expect(refused.statusCode).toBe(400);
		expect(refused.body.message).toMatch(/antiforgery/i);
	});

	it('says the password is wrong, with what VB365 wants of the account', async () => {
		const error = await failureOf(creds({ password: 'Wrong-Secret-42' }));
		expect(error.message).toMatch(/^Veeam Backup for Microsoft 365 login failed: wrong user name or password, or no access to the REST API \(400 invalid_grant: .+\)\. Use an account that administers/);
	});

	it('a refusal in RESTExceptionInfo form (the spec\'s only documented error body) is a refused account too, with its message; never a stackTrace', async () => {
		vb365.options.tokenErrors = 'exception';
		const error = await failureOf(creds({ password: 'Wrong-Secret-42' }));
		expect(error.message).toMatch(
			/^Veeam Backup for Microsoft 365 login failed: wrong user name or password, or no access to the REST API \(400 ParameterValidationFailure: The user name or password is incorrect\)\. Use an account that administers/,
		);
		expect(error).toMatchObject({ reason: { kind: 'credential-invalid' } });
		expect(error.message).not.toMatch(/stackTrace|\bat [A-Z]\w+\./);
	});

	it('Automatic on a 7.x server (no /v8/token) logs in at v7 and keeps it; the credential test then reads under v7', async () => {
		vb365.serveVersions(['v6', 'v7']);
		const stored = await preAuth(creds({ apiVersion: 'auto' }));
		expect(stored.apiVersionFound).toBe('v7');
		expect(sim.stats.recent).toEqual(['POST /v8/token', 'POST /v7/token']);
		sim.stats.reset();
		expect(await runCredentialTest(credentialType, creds({ apiVersion: 'auto' }))).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(sim.stats.recent).toEqual(['POST /v8/token', 'POST /v7/token', 'GET /v7/ServiceInstance']);
	});

	it('Automatic, when the unserved version is answered with RESTExceptionInfo naming the served ones: v7 is next', async () => {
		vb365.options.unservedVersion = 'exception-404';
		vb365.serveVersions(['v7']);
		expect((await preAuth(creds({ apiVersion: 'auto' }))).apiVersionFound).toBe('v7');
		expect(sim.stats.recent).toEqual(['POST /v8/token', 'POST /v7/token']);
	});

	it('a pinned version the server does not serve fails naming the version and the Server URL, after one request', async () => {
		vb365.serveVersions(['v7']);
		const error = await failureOf(creds({ apiVersion: 'v8' }));
		expect(error.message).toBe(
			`Veeam Backup for Microsoft 365 login failed: ${sim.url}/v8/token does not exist on that server (404). ` +
				'Either the server does not serve API version v8: choose another in the credential\'s "API Version" (it offers v7, or Automatic); ' +
				'or "Server URL" is not the address of a Veeam Backup for Microsoft 365 server (its REST API listens on port 4443 unless changed).',
		);
		expect(sim.stats.recent).toEqual(['POST /v8/token']);
	});

	it('another product\'s server at the address (a VBR server): no token endpoint under any version, said so', async () => {
		const vbr = await startSimulator({ product: 'vbr' });
		try {
			const error = await failureOf(creds({ url: vbr.url, ...trustFields(vbr.tls.caPem), apiVersion: 'auto' }));
			expect(error.message).toMatch(/^Veeam Backup for Microsoft 365 accepts none of the API versions this package knows \(v8, v7; tried: v8, v7\)\./);
			expect(error.message).toMatch(/None of \/v8\/token, \/v7\/token is there: check also that "Server URL" is the address of a Veeam Backup for Microsoft 365 server/);
		} finally {
			await vbr.close();
		}
	});

	it('an untrusted certificate is named, with what to do on this n8n', async () => {
		const error = await failureOf(creds({ caCertificate: '', skipTlsVerification: false }));
		expect(error.message).toMatch(/The TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not trusted/);
	});
});

describe('the credential test (the editor\'s "Test" button)', () => {
	it('passes for the administrator: the login, then the server\'s build under the chosen version', async () => {
		expect(await runCredentialTest(credentialType, creds())).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(sim.stats.recent).toEqual(['POST /v8/token', 'GET /v8/ServiceInstance']);
	});

	it('puts a custom version into both paths', async () => {
		expect(await runCredentialTest(credentialType, creds({ apiVersion: 'custom', customApiVersion: 'v6' }))).toEqual({ status: 'OK', message: 'Connection successful!' });
		expect(sim.stats.recent).toEqual(['POST /v6/token', 'GET /v6/ServiceInstance']);
	});

	it('fails with the login\'s own message for a wrong password, and sends nothing more', async () => {
		const outcome = await runCredentialTest(credentialType, creds({ password: 'Wrong-Secret-42' }));
		expect(outcome.status).toBe('Error');
		expect(outcome.message).toMatch(/wrong user name or password/);
		expect(sim.stats.recent).toEqual(['POST /v8/token']);
	});

	it('an account the server refuses (403 ResourceAccessDenied, RESTExceptionInfo) is told so, not the stackTrace', async () => {
		sim.addFault({
			kind: 'answer',
			status: 403,
			body: { message: 'Access denied.', errorCode: 'ResourceAccessDenied', stackTrace: '   at Veeam.Archiver.REST.Controllers.ServiceInstanceController.Get()' },
			pathIncludes: '/ServiceInstance',
		});
		expect(await runCredentialTest(credentialType, creds())).toEqual({
			status: 'Error',
			message: 'The account logs in, but Veeam Backup for Microsoft 365 refused it access (ResourceAccessDenied): use an account that administers the Veeam Backup for Microsoft 365 server.',
		});
	});

	it('an answer that is not VB365\'s (a proxy\'s page, another service\'s JSON) fails the test, pointing at the Server URL', async () => {
		sim.addFault({ kind: 'answer', status: 200, body: { status: 'ok' }, pathIncludes: '/ServiceInstance' });
		const outcome = await runCredentialTest(credentialType, creds());
		expect(outcome).toEqual({
			status: 'Error',
			message:
				'The server logged the account in but did not answer as Veeam Backup for Microsoft 365 does (GET /ServiceInstance names its build): check the Server URL (the server itself, not a proxy or another service).',
		});
	});

	it('a version that is a path is refused before any request', async () => {
		const outcome = await runCredentialTest(credentialType, creds({ apiVersion: 'custom', customApiVersion: 'v8/../../x' }));
		expect(outcome.status).toBe('Error');
		expect(outcome.message).toMatch(/Custom API Version "v8\/\.\.\/\.\.\/x" is not in Veeam's format v<major>/);
		expect(sim.stats.requests).toBe(0);
	});
});
