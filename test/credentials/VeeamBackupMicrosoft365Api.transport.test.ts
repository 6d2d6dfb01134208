/**
 * The transport with the VB365 credential against the VB365 simulator (sim/contracts/vb365.md), as
 * n8n runs it (preAuthentication when the token field is empty, then the credential's authenticate
 * on each request), on both majors: `{version}` in the path, a server downgraded mid-token under
 * "Automatic" (found with `/{version}/ServiceInstance`), and VB365's RESTExceptionInfo errors read
 * for their `message` and `errorCode`, never their `stackTrace`.
 */
import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions, INode } from 'n8n-workflow';

import { VeeamBackupMicrosoft365Api } from '../../credentials/VeeamBackupMicrosoft365Api.credentials';
import { RequestGroup, veeamApiRequest, VeeamApiError, type VeeamContext, type VeeamRequest } from '../../client/transport';
import { startSimulator, VB365_DEFAULT_ADMIN, VB365_DEFAULT_PASSWORD, VB365_SUPPORTED_VERSIONS, type SimServer, type Vb365Product } from '../../sim';
import { n8nHttpRequest, shutdownEngine, trustFields } from '../support/engine';

const credentialType = new VeeamBackupMicrosoft365Api();
const NODE: INode = { id: 'n', name: 'Veeam', type: 'n8n-nodes-veeam.veeam', typeVersion: 1, position: [0, 0], parameters: {} };
const helpers = { helpers: { httpRequest: async (o: IHttpRequestOptions) => await n8nHttpRequest(o) } } as IHttpRequestHelper;
const STACK = '   at Veeam.Archiver.REST.Controllers.RbacRolesController.Get(Guid roleId)';

let sim: SimServer;
let vb365: Vb365Product;

function context(apiVersion = 'v8'): VeeamContext {
	let stored: ICredentialDataDecryptedObject = { url: sim.url, username: VB365_DEFAULT_ADMIN, password: VB365_DEFAULT_PASSWORD, apiVersion, ...trustFields(sim.tls.caPem), accessToken: '' };
	return {
		getNode: () => NODE,
		getCredentials: async () => stored,
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) => {
				if (!stored.accessToken) stored = { ...stored, ...(await credentialType.preAuthentication.call(helpers, stored)) } as ICredentialDataDecryptedObject;
				return await n8nHttpRequest(await credentialType.authenticate(stored, options));
			},
		},
	} as unknown as VeeamContext;
}

async function call(req: VeeamRequest, ctx = context()): Promise<unknown> {
	return await veeamApiRequest.call(ctx, 'vb365', req, { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterSeconds: 1 });
}

async function failureOf(req: VeeamRequest, ctx = context()): Promise<VeeamApiError> {
	const error = await call(req, ctx).then(
		() => undefined,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(VeeamApiError);
	return error as VeeamApiError;
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
});

describe('the version in the path', () => {
	it('`{version}` becomes the pinned version, the login\'s path included', async () => {
		await expect(call({ method: 'GET', path: '/{version}/RbacRoles' }, context('v7'))).resolves.toEqual(expect.any(Array));
		expect(sim.stats.recent).toEqual(['POST /v7/token', 'GET /v7/RbacRoles']);
	});

	it('Automatic: a server downgraded mid-token (v8 gone) is found at v7 with /ServiceInstance, and the request answered there', async () => {
		const execution = context('auto');
		const group = new RequestGroup();
		await call({ method: 'GET', path: '/{version}/RbacRoles', group }, execution);
		vb365.serveVersions(['v6', 'v7']);
		sim.stats.reset();
		await expect(call({ method: 'GET', path: '/{version}/RbacRoles', group }, execution)).resolves.toEqual(expect.any(Array));
		expect(group.apiVersion.found).toBe('v7');
		expect(sim.stats.recent).toEqual(['GET /v8/RbacRoles', 'GET /v8/ServiceInstance', 'GET /v7/ServiceInstance', 'GET /v7/RbacRoles']);
		expect(sim.stats.grants).toEqual({});
	});

	it('Automatic: a 404 for a role that does not exist is that (the version is checked once, and served)', async () => {
		const execution = context('auto');
		const error = await failureOf({ method: 'GET', path: '/{version}/RbacRoles/5b7b13ba-a04e-4e05-8eab-00000000dead' }, execution);
		expect(error.status).toBe(404);
		expect(error.errorCode).toBe('ResourceNotFound');
		expect(sim.stats.recent).toEqual(['POST /v8/token', 'GET /v8/RbacRoles/5b7b13ba-a04e-4e05-8eab-00000000dead', 'GET /v8/ServiceInstance']);
	});
});

describe('RESTExceptionInfo', () => {
	it('message and errorCode make the error; the stackTrace is nowhere in it', async () => {
		sim.addFault({ kind: 'answer', status: 409, body: { message: 'The role is being changed by another operation.', errorCode: 'OperationConflict', stackTrace: STACK }, pathIncludes: '/RbacRoles' });
		const error = await failureOf({ method: 'DELETE', path: '/{version}/RbacRoles/5b7b13ba-a04e-4e05-8eab-000000000001' });
		expect(error.message).toBe('Veeam: The role is being changed by another operation.');
		expect(error.description).toBe('DELETE /v8/RbacRoles/5b7b13ba-a04e-4e05-8eab-000000000001 answered 409 OperationConflict: The role is being changed by another operation.');
		expect(error.errorCode).toBe('OperationConflict');
		expect(JSON.stringify({ ...error, message: error.message, description: error.description, stack: undefined })).not.toMatch(/Veeam\.Archiver|RbacRolesController/);
	});

	it('a server error\'s .NET trace is not shown either, after the retries', async () => {
		sim.addFault({ kind: 'answer', status: 500, body: { message: 'Unexpected error.', errorCode: null, stackTrace: STACK }, pathIncludes: '/RbacRoles', count: 5 });
		const error = await failureOf({ method: 'GET', path: '/{version}/RbacRoles' });
		expect(error.status).toBe(500);
		expect(error.message).toBe('Veeam: Unexpected error.');
		expect(`${error.message} ${error.description} ${JSON.stringify(error)}`).not.toMatch(/Veeam\.Archiver|RbacRolesController/);
	});
});
