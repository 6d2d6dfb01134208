/**
 * The transport against the VSPC simulator (sim/contracts/vspc.md), through the credential's own
 * preAuthentication and authenticate and n8n's HTTP helper, on both majors: a 202 followed to its
 * async action's result (the action done, or failed with the user's NotFound), the simulator's 429
 * with `retryAfter` waited out, and its error body in the message.
 */
import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions, INode } from 'n8n-workflow';

import { VeeamServiceProviderConsoleApi } from '../../../../credentials/VeeamServiceProviderConsoleApi.credentials';
import { isNotFound, RequestGroup, veeamApiRequest, VeeamApiError, type VeeamContext, type VeeamRequest } from '../../../../client/transport';
import { startSimulator, VSPC_COMPANY_ALPHA_UID, VSPC_DEFAULT_ADMIN, VSPC_DEFAULT_PASSWORD, VSPC_SUPPORTED_VERSIONS, type SimServer } from '../../../../sim';
import type { VspcProduct } from '../../../../sim/vspc/product';
import { n8nHttpRequest, shutdownEngine, trustFields } from '../../../support/engine';

const credentialType = new VeeamServiceProviderConsoleApi();
const NODE: INode = { id: 'n', name: 'Veeam', type: 'n8n-nodes-veeam.veeam', typeVersion: 1, position: [0, 0], parameters: {} };
const helpers = { helpers: { httpRequest: async (o: IHttpRequestOptions) => await n8nHttpRequest(o) } } as IHttpRequestHelper;

let sim: SimServer;
let vspc: VspcProduct;

/** As n8n does it: preAuthentication when the token field is empty, then the credential's authenticate on each request. */
function context(apiVersion = '3.6.1'): VeeamContext {
	let stored: ICredentialDataDecryptedObject = { url: sim.url, authentication: 'password', username: VSPC_DEFAULT_ADMIN, password: VSPC_DEFAULT_PASSWORD, apiVersion, ...trustFields(sim.tls.caPem), accessToken: '' };
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

async function call(req: VeeamRequest, ctx = context(), maxRetryAfterSeconds = 60): Promise<unknown> {
	return await veeamApiRequest.call(ctx, 'vspc', req, { maxRetries: 4, baseDelayMs: 1, maxDelayMs: 2, maxRetryAfterSeconds, asyncFirstDelayMs: 1, asyncMaxDelayMs: 5 });
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
	vspc.options.asyncOperations = [];
	vspc.options.asyncPolls = 1;
	vspc.options.throttle = undefined;
	vspc.serveVersions([...VSPC_SUPPORTED_VERSIONS]);
});

describe('X-Client-Version under "Automatic"', () => {
	it('a server downgraded mid-token refuses the kept version: the execution finds the one it serves and goes on', async () => {
		const execution = context('auto');
		const group = new RequestGroup();
		await call({ method: 'GET', path: '/api/v3/users', qs: { limit: 1 }, group }, execution);
		vspc.serveVersions(['3.5.1', '3.6']);
		await expect(call({ method: 'GET', path: '/api/v3/users', qs: { limit: 1 }, group }, execution)).resolves.toMatchObject({ data: expect.any(Array) });
		expect(group.apiVersion.found).toBe('3.6');
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
	});
});

describe('202: the async action is followed to its result', () => {
	it('a delete the server runs later: the caller gets its answer once the action is done', async () => {
		vspc.options.asyncOperations = ['DELETE /users/{userUid}'];
		vspc.options.asyncPolls = 3;
		const user = vspc.addUser({ organizationUid: VSPC_COMPANY_ALPHA_UID, userName: 'alpha\\leaver', role: 'CompanyAdministrator' });
		const answer = await call({ method: 'DELETE', path: `/api/v3/users/${user.uid}` });
		// DELETE's own answer (200 EmptyResponse), read from the action's result.
		expect(answer).toEqual({ data: {}, errors: [] });
		expect(vspc.userNamed('alpha\\leaver')).toBeUndefined();
		expect(sim.stats.byStatus['202']).toBe(1);
	});

	it('a failed action is the request\'s own error: deleting a user who is not there is NotFound', async () => {
		vspc.options.asyncOperations = ['DELETE /users/{userUid}'];
		const missing = '0a093973-274b-4df8-83e2-00000000abcd';
		const error = await call({ method: 'DELETE', path: `/api/v3/users/${missing}` }).then(
			() => undefined,
			(e: unknown) => e as Error,
		);
		expect(error).toBeInstanceOf(VeeamApiError);
		expect(isNotFound(error, missing)).toBe(true);
	});
});

describe('errors and throttling', () => {
	it('VSPC\'s error body reaches the message (a limit above 500)', async () => {
		const error = (await call({ method: 'GET', path: '/api/v3/users', qs: { limit: 501 } }).then(
			() => undefined,
			(e: unknown) => e as VeeamApiError,
		)) as VeeamApiError;
		expect(error.status).toBe(400);
		expect(error.message).toMatch(/^Veeam: limit: /);
	});

	it('429 with retryAfter: waited out (within the policy\'s bound), and every call of the execution succeeds', async () => {
		// Two calls per 10 minutes: the third is refused with the seconds to the next window, waited out only up to
		// the bound (0.3 s), by which time the server's window has turned (its clock moved on at the 429).
		vspc.options.throttle = { maxRequests: 2, windowSeconds: 600 };
		// Start one second into a window, so that only the clock's move below turns it.
		sim.clock.advance((600_000 - (sim.clock.now() % 600_000) + 1_000) / 1000);
		const execution = context();
		const turn = (async () => {
			while (!sim.stats.byStatus['429']) await new Promise((resolve) => setTimeout(resolve, 5));
			sim.clock.advance(600);
		})();
		const answers = [];
		for (let i = 0; i < 3; i++) answers.push(await call({ method: 'GET', path: '/api/v3/users', qs: { limit: 1 } }, execution, 0.3));
		await turn;
		expect(answers).toHaveLength(3);
		expect(sim.stats.byStatus['429']).toBe(1);
	});
});
