/**
 * The VBR simulator's authorization events and four-eyes authorization (sim/vbr/authorization.ts),
 * over real HTTPS, every events answer checked against Veeam's published 1.3-rev1 / rev2 spec subsets.
 */
import type { INode } from 'n8n-workflow';

import { matchRequests, VbrAuthorizationEvents, type AuthorizationEvent } from '../../client/adapters/authorizationEvents';
import type { VeeamContext } from '../../client/transport';
import { startSimulator, VBR_DEFAULT_PASSWORD, type SimServer } from '../../sim';
import { DELETE_REFUSED } from '../../sim/vbr/authorization';
import type { VbrProduct } from '../../sim/vbr/product';
import { OpenApiContract } from '../support/contract';
import { simClient } from '../support/simClient';
import { loadExamples, shapeProblems } from '../support/veeamExamples';

const EVENTS = '/api/v1/authorization/events';
const USERS = '/api/v1/security/users';
const RESTORE_OPERATOR = { id: 'b167c3af-2262-4b6c-9861-0606fc0cb6b1', name: 'Restore Operator' };
const BACKUP_ADMIN = { id: '5ff0e0eb-45cf-48cc-9677-7613fc79bc11', name: 'Backup Administrator' };

const contracts = {
	'1.3-rev1': new OpenApiContract('vbr-1.3-rev1.authorization-events.openapi.json'),
	'1.3-rev2': new OpenApiContract('vbr-1.3-rev2.authorization-events.openapi.json'),
};

let sim: SimServer;
const product = () => sim.product as unknown as VbrProduct;

async function session(username = 'VBR01\\svc-n8n', apiVersion: '1.3-rev1' | '1.3-rev2' = '1.3-rev2') {
	const res = await simClient(sim, { apiVersion }).post('/api/oauth2/token', new URLSearchParams({ grant_type: 'password', username, password: VBR_DEFAULT_PASSWORD }));
	expect(res.status).toBe(200);
	const token = (res.data as { access_token: string }).access_token;
	return {
		events: simClient(sim, { apiVersion, token, contracts }),
		api: simClient(sim, { apiVersion, token }),
	};
}

const userNames = () => (sim.product.snapshot().users as Array<{ name: string }>).map((u) => u.name);

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbr' });
});
afterAll(async () => {
	await sim.close();
	expect([...contracts['1.3-rev1'].violations, ...contracts['1.3-rev2'].violations]).toEqual([]);
	for (const c of Object.values(contracts)) expect([...c.served].sort()).toEqual([`GET ${EVENTS}`, `GET ${EVENTS}/{id}`]);
});
beforeEach(() => sim.reset());

describe('authorization events', () => {
	it('records an Info event for each user, role and settings change, by the account that made it', async () => {
		const { api, events } = await session();
		// The auditors' sessions first: with MFA on (the last change), VBR01\admin could not log in.
		const auditors = { '1.3-rev1': await session('VBR01\\admin', '1.3-rev1'), '1.3-rev2': await session('VBR01\\admin', '1.3-rev2') };
		const created = await api.post(USERS, { name: 'TECH\\jane', type: 'ExternalUser', roles: [RESTORE_OPERATOR], isServiceAccount: false });
		expect(created.status).toBe(201);
		const id = (created.data as { id: string }).id;
		expect((await api.put(`${USERS}/${id}/roles`, { roles: [BACKUP_ADMIN] })).status).toBe(200);
		expect((await api.delete(`${USERS}/${id}`)).status).toBe(204);
		expect((await api.put('/api/v1/security/settings', { mfaEnabled: true })).status).toBe(200);

		for (const version of ['1.3-rev1', '1.3-rev2'] as const) {
			const list = await auditors[version].events.get(EVENTS);
			expect(list.status).toBe(200);
			const data = (list.data as { data: Array<Record<string, unknown>>; pagination: { total: number } }).data;
			expect(data.map((e) => [e.state, e.name, e.description, e.createdBy])).toEqual([
				['Info', 'Add user', 'User TECH\\jane: added with the roles Restore Operator.', 'VBR01\\svc-n8n'],
				['Info', 'Change user roles', 'User TECH\\jane: roles changed from Restore Operator to Backup Administrator.', 'VBR01\\svc-n8n'],
				['Info', 'Delete user', 'User TECH\\jane: deleted.', 'VBR01\\svc-n8n'],
				['Info', 'Change security settings', 'Multi-factor authentication enabled for users.', 'VBR01\\svc-n8n'],
			]);
			const one = await auditors[version].events.get(`${EVENTS}/${String(data[0].id)}`);
			expect(one.data).toEqual(data[0]);
		}
		expect((await events.get(`${EVENTS}/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
	});

	it('filters by state (repeated keys), creator, time and pattern, and pages in a stable order', async () => {
		product().authorization.setFourEyes(true, 'VBR01\\security');
		const { api, events } = await session();
		for (const name of ['TECH\\a', 'TECH\\b', 'TECH\\c']) {
			await api.post(USERS, { name, type: 'ExternalUser', roles: [RESTORE_OPERATOR], isServiceAccount: false });
		}
		const get = async (query: string) => ((await events.get(`${EVENTS}?${query}`)).data as { data: Array<Record<string, unknown>>; pagination: { total: number; count: number } });
		expect((await get('stateFilter=Pending')).pagination.total).toBe(3);
		expect((await get('stateFilter=Pending&stateFilter=Info')).pagination.total).toBe(4);
		expect((await get('createdByFilter=VBR01%5Csecurity')).data.map((e) => e.state)).toEqual(['Info']);
		expect((await get('nameFilter=*TECH%5Cb*')).data.map((e) => e.description)).toEqual(['User TECH\\b: added with the roles Restore Operator.']);
		const future = new Date(Date.now() + 60_000).toISOString();
		expect((await get(`createdAfterFilter=${encodeURIComponent(future)}`)).pagination.total).toBe(0);
		const page1 = await get('skip=0&limit=2&orderColumn=CreationTime&orderAsc=false');
		const page2 = await get('skip=2&limit=2&orderColumn=CreationTime&orderAsc=false');
		expect(page1.pagination).toMatchObject({ total: 4, count: 2 });
		expect([...page1.data, ...page2.data].map((e) => e.id)).toEqual((await get('orderAsc=false')).data.map((e) => e.id));
		expect((await events.get(`${EVENTS}?stateFilter=Pending,Info`)).status).toBe(400);
	});

	it('is for Backup and Security Administrators only', async () => {
		const viewer = await session('VBR01\\viewer');
		expect((await viewer.api.get(EVENTS)).status).toBe(403);
	});
});

describe('four-eyes authorization', () => {
	it('holds a change as Pending (answered as if done), applies it when another administrator approves', async () => {
		product().authorization.setFourEyes(true, 'VBR01\\security', 3);
		const { api, events } = await session();
		const created = await api.post(USERS, { name: 'TECH\\held', type: 'ExternalUser', roles: [RESTORE_OPERATOR], isServiceAccount: false });
		expect(created.status).toBe(201); // our assumption: the answer a done create gets
		expect(userNames()).not.toContain('TECH\\held');
		const pending = ((await events.get(`${EVENTS}?stateFilter=Pending`)).data as { data: Array<Record<string, string>> }).data;
		expect(pending).toHaveLength(1);
		expect(pending[0]).toMatchObject({ name: 'Add user', createdBy: 'VBR01\\svc-n8n', state: 'Pending' });
		expect(Date.parse(pending[0].expirationTime) - Date.parse(pending[0].creationTime)).toBe(3 * 24 * 3600 * 1000);

		expect(() => product().authorization.approve(pending[0].id, 'vbr01\\SVC-N8N')).toThrow(/cannot approve it/);
		product().authorization.approve(pending[0].id, 'VBR01\\admin');
		expect(userNames()).toContain('TECH\\held');
		const approved = (await events.get(`${EVENTS}/${pending[0].id}`)).data as Record<string, string>;
		expect(approved).toMatchObject({ state: 'Approved', processedBy: 'VBR01\\admin' });
		// The id the create answered is the user's id once approved.
		expect((await api.get(`${USERS}/${(created.data as { id: string }).id}`)).status).toBe(200);
	});

	it('a rejected or expired request never takes effect', async () => {
		product().authorization.configure({ deletes: 'hold' });
		product().authorization.setFourEyes(true, 'VBR01\\security', 1);
		const { api, events } = await session();
		const sheila = (sim.product.snapshot().users as Array<{ id: string; name: string }>).find((u) => u.name === 'TECH\\sheila.d.cory') as { id: string };
		await api.delete(`${USERS}/${sheila.id}`);
		await api.put(`${USERS}/${sheila.id}/roles`, { roles: [BACKUP_ADMIN] });
		const [del, roles] = ((await events.get(`${EVENTS}?stateFilter=Pending`)).data as { data: Array<{ id: string }> }).data;
		product().authorization.reject(del.id, 'VBR01\\admin');
		sim.clock.advance(24 * 3600 + 1);
		const later = await session('VBR01\\admin'); // the earlier session's token has expired by now
		const all = ((await later.events.get(`${EVENTS}?stateFilter=Rejected&stateFilter=Expired`)).data as { data: Array<Record<string, string>> }).data;
		expect(all.map((e) => [e.id, e.state])).toEqual([
			[del.id, 'Rejected'],
			[roles.id, 'Expired'],
		]);
		expect(() => product().authorization.approve(roles.id, 'VBR01\\admin')).toThrow(/Expired, not Pending/);
		expect(userNames()).toContain('TECH\\sheila.d.cory');
		expect((await later.api.get(`${USERS}/${sheila.id}/roles`)).data).toEqual({ roles: [expect.objectContaining({ name: 'Restore Operator' })] });
	});

	it('refuses to take the role from the last Backup Administrator (answered 400)', async () => {
		const { api } = await session('VBR01\\admin');
		const users = sim.product.snapshot().users as Array<{ id: string; name: string }>;
		const id = (name: string) => (users.find((u) => u.name === name) as { id: string }).id;
		expect((await api.delete(`${USERS}/${id('BUILTIN\\Administrators')}`)).status).toBe(204);
		expect((await api.put(`${USERS}/${id('VBR01\\svc-n8n')}/roles`, { roles: [RESTORE_OPERATOR] })).status).toBe(200);
		const refused = await api.put(`${USERS}/${id('VBR01\\admin')}/roles`, { roles: [RESTORE_OPERATOR] });
		expect(refused.status).toBe(400);
		expect((refused.data as { message: string }).message).toBe('VBR01\\admin is the last user or group with the Backup Administrator role.');
	});
});

describe('four-eyes: the wording of events and the answer to a DELETE (the simulator\'s choices, sim/contracts/vbr-authorization.md)', () => {
	const addJane = async (api: Awaited<ReturnType<typeof session>>['api']) =>
		await api.post(USERS, { name: 'TECH\\jane', type: 'ExternalUser', roles: [RESTORE_OPERATOR], isServiceAccount: false });
	const pendingEvents = async (events: Awaited<ReturnType<typeof session>>['events']) =>
		((await events.get(`${EVENTS}?stateFilter=Pending`)).data as { data: Array<Record<string, string>> }).data;

	it.each([
		['description', 'Add user', 'User TECH\\jane: added with the roles Restore Operator.'],
		['name', 'Add user TECH\\jane', 'A four-eyes authorization request requires approval by a second administrator'],
		['none', 'Add user', 'A four-eyes authorization request requires approval by a second administrator'],
	])('wording "%s": the event is named %j, described %j', async (wording, name, description) => {
		const control = await simClient(sim).post('/__sim/four-eyes', { enabled: true, wording });
		expect(control.data).toMatchObject({ fourEyes: true, wording, deletes: 'refuse' });
		const { api, events } = await session();
		expect((await addJane(api)).status).toBe(201);
		expect((await pendingEvents(events)).map((e) => [e.name, e.description])).toEqual([[name, description]]);
	});

	it('refuses a DELETE while four-eyes is on (403 AccessDenied, Veeam\'s error model; wording assumed); holds it as a Pending request when told to', async () => {
		const { api, events } = await session();
		const sheila = (sim.product.snapshot().users as Array<{ id: string; name: string }>).find((u) => u.name === 'TECH\\sheila.d.cory') as { id: string };
		product().authorization.setFourEyes(true, 'VBR01\\security');
		const refused = await api.delete(`${USERS}/${sheila.id}`);
		expect([refused.status, refused.data]).toEqual([403, { errorCode: 'AccessDenied', message: DELETE_REFUSED }]);
		expect(await pendingEvents(events)).toEqual([]);
		expect(userNames()).toContain('TECH\\sheila.d.cory');

		product().authorization.configure({ deletes: 'hold' });
		expect((await api.delete(`${USERS}/${sheila.id}`)).status).toBe(204);
		expect((await pendingEvents(events)).map((e) => e.name)).toEqual(['Delete user']);
		expect(userNames()).toContain('TECH\\sheila.d.cory');
		expect(() => product().authorization.configure({ wording: 'bogus' })).toThrow(/wording must be one of description, name, none, syslog, syslogNamed/);
	});

	it("words events as Veeam's event reference does when told (42402: \"<Operation> event has been initiated by <User> and requires an additional approval\"), and writes the requester with another domain when told", async () => {
		product().authorization.setFourEyes(true, 'VBR01\\security');
		product().authorization.configure({ wording: 'syslog' });
		product().authorization.createdByDomain = 'vbr01.tech.local';
		const { api, events } = await session();
		await api.post(USERS, { name: 'TECH\\jane', type: 'ExternalUser', roles: [RESTORE_OPERATOR], isServiceAccount: false });
		product().authorization.configure({ wording: 'syslogNamed' });
		await api.post(USERS, { name: 'TECH\\raj', type: 'ExternalUser', roles: [RESTORE_OPERATOR], isServiceAccount: false });
		expect((await pendingEvents(events)).map((e) => [e.name, e.description, e.createdBy])).toEqual([
			['Other operations', 'Other operations event has been initiated by vbr01.tech.local\\svc-n8n and requires an additional approval.', 'vbr01.tech.local\\svc-n8n'],
			['Add user TECH\\raj', 'Add user TECH\\raj event has been initiated by vbr01.tech.local\\svc-n8n and requires an additional approval.', 'vbr01.tech.local\\svc-n8n'],
		]);
	});
});

describe("Veeam's example payloads (test/fixtures/veeam/vbr-authorization)", () => {
	const examples = loadExamples('vbr-authorization');
	const node = { id: 'n', name: 'Veeam', type: 'n8n-nodes-veeam.veeam', typeVersion: 1, position: [0, 0], parameters: {} } as INode;
	const adapter = (answer: unknown) => new VbrAuthorizationEvents({ getNode: () => node } as unknown as VeeamContext, async <T>() => answer as T);

	it('are there: the list, one event, and the errors', () => {
		expect(examples.map((e) => e.file)).toEqual(['get-all-authorization-events.200.json', 'get-all-authorization-events.403.json', 'get-authorization-event.200.json', 'get-authorization-event.404.json']);
	});

	it('the adapter reads every event of the examples, field for field', async () => {
		const list = examples.find((e) => e.file === 'get-all-authorization-events.200.json')!;
		const read = await adapter(list.body).list();
		expect(read).toEqual((list.body as { data: AuthorizationEvent[] }).data);
		// A filter holds whatever the server answers: the example's Approved event is not Pending.
		expect(await adapter(list.body).list({ states: ['Pending'] })).toEqual((list.body as { data: AuthorizationEvent[] }).data.filter((e) => e.state === 'Pending'));
		const one = examples.find((e) => e.file === 'get-authorization-event.200.json')!;
		expect(await adapter(one.body).get('9a3f1c52-7b80-4e6a-bf21-1d4e8c0a5f33')).toEqual(one.body);
	});

	it("the matcher never takes Veeam's example events (they name no user) for a user's request unless new since the change", () => {
		const list = (examples.find((e) => e.file === 'get-all-authorization-events.200.json')!.body as { data: AuthorizationEvent[] }).data;
		const pending = list.filter((e) => e.state === 'Pending');
		expect(matchRequests([{ name: 'TECH\\jane', kind: 'create' }], pending, () => false)).toEqual(new Map());
	});

	it("the simulator answers each example's endpoint in the example's shape", async () => {
		product().authorization.setFourEyes(true, 'VBR01\\security');
		const { api } = await session();
		const auditor = await session('VBR01\\admin');
		await api.post(USERS, { name: 'TECH\\jane', type: 'ExternalUser', roles: [RESTORE_OPERATOR], isServiceAccount: false });
		const [held] = ((await auditor.events.get(`${EVENTS}?stateFilter=Pending`)).data as { data: Array<{ id: string }> }).data;
		product().authorization.approve(held.id, 'VBR01\\admin');
		const viewer = await session('VBR01\\viewer');
		const answers: Record<string, { status: number; data: unknown }> = {
			'get-all-authorization-events.200.json': await auditor.events.get(`${EVENTS}?stateFilter=Approved`),
			'get-all-authorization-events.403.json': await viewer.api.get(EVENTS),
			'get-authorization-event.200.json': await auditor.events.get(`${EVENTS}/${held.id}`),
			'get-authorization-event.404.json': await auditor.events.get(`${EVENTS}/a1b2c3d4-e5f6-7890-abcd-ef1234567890`),
		};
		for (const example of examples) {
			const answer = answers[example.file];
			expect([example.file, answer.status, shapeProblems(example.body, answer.data)]).toEqual([example.file, example.status, []]);
		}
	});
});
