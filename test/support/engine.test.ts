import { existsSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INodeExecutionData, INodeParameters } from 'n8n-workflow';

import {
	NodeTypes,
	PollActivation,
	START_NODE_NAME,
	TestCredentialsHelper,
	runPoll,
	runWorkflow,
	shutdownEngine,
} from './engine';
import {
	HarnessItemsNode,
	HarnessPollNode,
	HarnessTestApi,
	HarnessTestFnApi,
	startTokenServer,
	type TokenServer,
} from './fixtures/engine-fixtures';

let server: TokenServer;

beforeAll(async () => {
	server = await startTokenServer();
});

afterAll(async () => {
	await server.close();
	await shutdownEngine();
});

beforeEach(() => server.reset());

const credentialTypes = () => [new HarnessTestApi(), new HarnessTestFnApi()];

function credentialsWith(data: IDataObject = {}, type = 'harnessTestApi') {
	return new TestCredentialsHelper(credentialTypes(), {
		api: { type, name: 'Test API', data: { url: server.url, username: 'alice', password: 'secret', ...data } },
	});
}

const ids = (count: number) => Array.from({ length: count }, (_, i) => ({ id: i + 1 }));
const json = (items: INodeExecutionData[]) => items.map((item) => item.json);

function itemsWorkflow(credentials: TestCredentialsHelper, count: number, extra: IDataObject = {}) {
	return {
		nodes: [{ name: 'Items', type: 'harnessItems', credentials: credentials.ref('api'), ...extra }],
		input: ids(count),
		credentials,
		nodeTypes: new NodeTypes([new HarnessItemsNode()]),
	};
}

describe('runWorkflow: credentials through n8n-core httpRequestWithAuthentication', () => {
	it('logs in once for 50 items and stores the token in the credential', async () => {
		const credentials = credentialsWith();

		const { outputs, error } = await runWorkflow(itemsWorkflow(credentials, 50));

		expect(error).toBeUndefined();
		expect(outputs.Items[0]).toHaveLength(50);
		expect(json(outputs.Items[0])[49]).toEqual({ id: '50', token: 'tok-1' });
		expect(outputs.Items[0].map((item) => item.pairedItem)).toEqual(ids(50).map((_, i) => ({ item: i })));
		expect(credentials.preAuthenticationCount('api')).toBe(1);
		expect(credentials.preAuthenticationLog).toEqual([{ credentialId: 'api', type: 'harnessTestApi', expired: false }]);
		expect(server.logins).toBe(1);
		expect(server.unauthorized).toBe(0);
		// The generic authenticate's `={{$credentials.accessToken}}` was resolved for every request.
		expect(new Set(server.authHeaders)).toEqual(new Set(['Bearer tok-1']));
		// Persisted as the CLI saves it to the database.
		expect(credentials.data('api').accessToken).toBe('tok-1');
	});

	it('reuses the stored token in the next execution (no login)', async () => {
		const credentials = credentialsWith();
		await runWorkflow(itemsWorkflow(credentials, 2));
		credentials.resetCounters();

		const { error } = await runWorkflow(itemsWorkflow(credentials, 3));

		expect(error).toBeUndefined();
		expect(credentials.preAuthenticationCount('api')).toBe(0);
		expect(server.logins).toBe(1);
	});

	it('logs in exactly once more when the token expires mid-run, and no item fails', async () => {
		const credentials = credentialsWith();
		server.expireAfter(20);

		const { outputs, error } = await runWorkflow(itemsWorkflow(credentials, 50));

		expect(error).toBeUndefined();
		expect(outputs.Items[0]).toHaveLength(50);
		expect(outputs.Items[0].every((item) => item.json.error === undefined)).toBe(true);
		expect(credentials.preAuthenticationCount('api')).toBe(2);
		expect(credentials.preAuthenticationLog.map((run) => run.expired)).toEqual([false, true]);
		expect(server.unauthorized).toBe(1);
		expect(json(outputs.Items[0]).map((item) => item.token)).toEqual([
			...Array<string>(20).fill('tok-1'),
			...Array<string>(30).fill('tok-2'),
		]);
		// Later items read the refreshed token from the store, so they did not 401 again.
		expect(credentials.data('api').accessToken).toBe('tok-2');
	});

	it('replaces a stale stored token after the first 401', async () => {
		const credentials = credentialsWith({ accessToken: 'stale' });

		const { outputs, error } = await runWorkflow(itemsWorkflow(credentials, 5));

		expect(error).toBeUndefined();
		expect(outputs.Items[0]).toHaveLength(5);
		expect(credentials.preAuthenticationLog).toEqual([{ credentialId: 'api', type: 'harnessTestApi', expired: true }]);
		expect(server.authHeaders).toEqual(['Bearer stale', ...Array<string>(5).fill('Bearer tok-1')]);
	});

	it('retries only once: a second 401 fails the node with a NodeApiError', async () => {
		const credentials = credentialsWith({ accessToken: 'stale' });
		server.rejectAllTokens = true;

		const { error, outputs } = await runWorkflow(itemsWorkflow(credentials, 3));

		// n8n stores the error as a plain copy of the NodeApiError's fields.
		expect(error).toMatchObject({ name: 'NodeApiError', httpCode: '401' });
		expect(outputs.Items).toEqual([]);
		expect(server.authHeaders).toEqual(['Bearer stale', 'Bearer tok-1']);
		expect(credentials.preAuthenticationCount('api')).toBe(1);
	});

	it('supports authenticate as a function', async () => {
		const credentials = credentialsWith({}, 'harnessTestFnApi');

		const { outputs, error } = await runWorkflow(
			itemsWorkflow(credentials, 2, { parameters: { authentication: 'function' } }),
		);

		expect(error).toBeUndefined();
		expect(json(outputs.Items[0])).toEqual([
			{ id: '1', token: 'tok-1' },
			{ id: '2', token: 'tok-1' },
		]);
		expect(server.authHeaders).toEqual(['Bearer tok-1', 'Bearer tok-1']);
	});
});

describe('runWorkflow: errors', () => {
	it('with continueOnFail, each failing item becomes an error item paired to its input', async () => {
		const credentials = credentialsWith();
		server.failingIds.add('3').add('7');

		const { outputs, error } = await runWorkflow(
			itemsWorkflow(credentials, 10, { onError: 'continueRegularOutput' }),
		);

		expect(error).toBeUndefined();
		const out = outputs.Items[0];
		expect(out).toHaveLength(10);
		const failed = out.filter((item) => item.json.error !== undefined);
		expect(failed.map((item) => item.pairedItem)).toEqual([{ item: 2 }, { item: 6 }]);
		expect(String(failed[0].json.error)).toMatch(/resource you are requesting could not be found/i);
		// A 404 is not an auth failure: no second login.
		expect(credentials.preAuthenticationCount('api')).toBe(1);
	});

	it('without continueOnFail, the first failing item stops the node', async () => {
		const credentials = credentialsWith();
		server.failingIds.add('3');

		const { error, outputs, runData } = await runWorkflow(itemsWorkflow(credentials, 10));

		expect(error).toMatchObject({ name: 'NodeApiError', httpCode: '404' });
		expect(runData.Items[0].error).toBeDefined();
		expect(outputs[START_NODE_NAME][0]).toHaveLength(10);
		expect(server.served).toBe(2);
	});
});

describe('runPoll: static data through n8n-core PollContext', () => {
	const pollNode = (parameters: INodeParameters = {}) => ({
		node: { name: 'Poll', type: 'harnessPoll', parameters },
		nodeType: new HarnessPollNode(),
	});

	it('keeps node static data across polls that emit', async () => {
		const first = await runPoll({ ...pollNode(), mode: 'trigger' });
		expect(first.response).toEqual([[{ json: { counter: 1, mode: 'trigger', activation: 'activate' } }]]);
		expect(first.saved).toBe(true);
		expect(first.staticData).toEqual({ 'node:Poll': { counter: 1 } });

		const second = await runPoll({ ...pollNode(), staticData: first.staticData });
		const third = await runPoll({ ...pollNode(), staticData: second.staticData });

		expect(third.response?.[0][0].json.counter).toBe(3);
		expect(third.staticData).toEqual({ 'node:Poll': { counter: 3 } });
		expect(first.staticData).toEqual({ 'node:Poll': { counter: 1 } }); // inputs are not mutated
	});

	it('saves nothing after a poll that returns null (n8n saves on emit), unless told to', async () => {
		const stored = { 'node:Poll': { counter: 5 } };

		const quiet = await runPoll({ ...pollNode({ emit: false }), staticData: stored });
		expect(quiet.response).toBeNull();
		expect(quiet.nodeStaticData).toEqual({ counter: 6 }); // written in memory…
		expect(quiet.saved).toBe(false);
		expect(quiet.staticData).toEqual(stored); // …but not saved

		const always = await runPoll({ ...pollNode({ emit: false }), staticData: stored, saveStaticData: 'always' });
		expect(always.saved).toBe(true);
		expect(always.staticData).toEqual({ 'node:Poll': { counter: 6 } });

		const never = await runPoll({ ...pollNode(), staticData: stored, saveStaticData: 'never' });
		expect(never.response).not.toBeNull();
		expect(never.staticData).toEqual(stored);
	});

	it('reports a failing poll as n8n does (__emitError) and saves nothing', async () => {
		const stored = { 'node:Poll': { counter: 1 } };

		const result = await runPoll({ ...pollNode({ fail: true }), staticData: stored });

		expect(result.error?.message).toBe('poll 2 failed');
		expect(result.response).toBeNull();
		expect(result.saved).toBe(false);
		expect(result.staticData).toEqual(stored);
	});

	it('manual mode runs the trigger through WorkflowExecute and never saves', async () => {
		const stored = { 'node:Poll': { counter: 4 } };

		const result = await runPoll({ ...pollNode(), staticData: stored, mode: 'manual' });

		expect(result.error).toBeUndefined();
		expect(json(result.response?.[0] ?? [])).toEqual([
			// pollTimes is there because the harness adds it as n8n's loader does.
			{ sample: true, counter: 5, pollTimes: { item: [{ mode: 'everyMinute' }] } },
		]);
		expect(result.saved).toBe(false);
		expect(result.staticData).toEqual(stored);
	});

	it('polls with credentials: preAuthentication once, token stored', async () => {
		const credentials = credentialsWith();
		const activation = new PollActivation({
			...pollNode({ fetch: true }),
			node: { name: 'Poll', type: 'harnessPoll', parameters: { fetch: true }, credentials: credentials.ref('api') },
			credentials,
		});

		const first = await activation.poll();
		const second = await activation.poll();

		expect(first.error).toBeUndefined();
		expect(second.response?.[0][0].json.fetched).toEqual({ id: 'poll', token: 'tok-1' });
		expect(credentials.preAuthenticationCount('api')).toBe(1);
		expect(credentials.data('api').accessToken).toBe('tok-1');
	});

	it('a live activation keeps unsaved static data in memory until it is saved or restarted', async () => {
		const activation = new PollActivation({ ...pollNode({ emit: false }) });

		await activation.poll(); // counter 1, not saved
		const second = await activation.poll(); // counter 2 in memory
		expect(second.nodeStaticData).toEqual({ counter: 2 });
		expect(activation.savedStaticData).toEqual({});

		activation.restart(); // unsaved changes are lost, as when n8n restarts
		const third = await activation.poll();
		expect(third.nodeStaticData).toEqual({ counter: 1 });
	});

	it("reproduces n8n's ObservableObject: in-place writes to a nested object added earlier in the activation are not saved", async () => {
		const activation = new PollActivation({ ...pollNode({ nested: true }) });

		const first = await activation.poll(); // `seen = {}` assigned: a tracked change
		expect(first.saved).toBe(true);
		const second = await activation.poll(); // `seen.poll2 = true` on a plain object: not tracked
		expect(second.nodeStaticData).toEqual({ seen: { poll1: true, poll2: true } });
		expect(second.saved).toBe(false);
		expect(activation.savedStaticData).toEqual({ 'node:Poll': { seen: { poll1: true } } });

		activation.restart(); // loaded from storage, nested objects are observable again
		const third = await activation.poll();
		expect(third.saved).toBe(true);
		expect(third.staticData).toEqual({ 'node:Poll': { seen: { poll1: true, poll2: true } } });
	});
});

describe('engine environment', () => {
	it('keeps n8n-core instance settings in a temporary user folder', () => {
		const folder = process.env.N8N_USER_FOLDER ?? '';
		expect(folder).toMatch(/n8n-engine-test-/);
		expect(existsSync(join(folder, '.n8n', 'config'))).toBe(true);
	});
});
