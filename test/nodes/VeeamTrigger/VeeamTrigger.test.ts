/**
 * The Veeam Trigger through n8n's engine (n8n-core PollContext, ObservableObject static data,
 * n8n's save-only-after-an-emitting-poll rule) against the VBR simulator over HTTPS. The
 * simulator pages by 5 here, so every listing is several requests.
 */
import type { IDataObject } from 'n8n-workflow';

import { VeeamTrigger } from '../../../nodes/VeeamTrigger/VeeamTrigger.node';
import { SAMPLE_SIZE } from '../../../nodes/VeeamTrigger/poll';
import { VBR_DEFAULT_PASSWORD, startSimulator, type SimServer } from '../../../sim';
import { runPoll, shutdownEngine, type PollResult } from '../../support/engine';
import { holdRequest } from '../../support/holdRequest';
import {
	ALL_EVENTS,
	NODE_NAME,
	NODE_TYPE,
	STATIC_KEY,
	VbrAdmin,
	activate,
	comparable,
	credentialsFor,
	emitted,
	serverUsers,
	snapshotUsers,
	summary,
} from './harness';

const ROLE = {
	admin: '5ff0e0eb-45cf-48cc-9677-7613fc79bc11',
	restore: 'b167c3af-2262-4b6c-9861-0606fc0cb6b1',
	operator: 'a4e7c0a3-5b0f-4a5e-9f7a-2c6f0f3e8b21',
	viewer: '0d3f6c2e-8a41-4c7b-b2e5-91f4a7d6c305',
};
const USERS = '/api/v1/security/users';
const PAGE = 5;

let sim: SimServer;
let admin: VbrAdmin;

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbr', vbr: { maxPageSize: PAGE } });
	admin = new VbrAdmin(sim);
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});
beforeEach(async () => {
	sim.reset();
	await admin.login();
});

const refOf = (name: string) => [...serverUsers(sim).values()].find((u) => u.name === name)?.ref ?? '';
const listRequests = () => sim.stats.byRoute[`GET ${USERS}`] ?? 0;
const lookups = () => sim.stats.byRoute[`GET ${USERS}/:id`] ?? 0;

/** The in-memory snapshot equals what the server holds now. */
function expectSnapshotOfServer(staticData: IDataObject): void {
	const snapshot = snapshotUsers(sim, 'vbr', staticData);
	expect(snapshot).toBeDefined();
	const server = serverUsers(sim);
	expect([...(snapshot?.keys() ?? [])].sort()).toEqual([...server.keys()].sort());
	for (const [ref, user] of server) expect(comparable(snapshot?.get(ref))).toEqual(comparable(user));
}

/** An activation whose first poll recorded the baseline. */
async function baselined(opts: Parameters<typeof activate>[2] = {}) {
	const activation = activate(sim, 'vbr', opts);
	const first = await activation.poll();
	expect(first.error).toBeUndefined();
	return activation;
}

function expectFailedWithoutChange(result: PollResult, before: IDataObject, savedBefore: IDataObject): void {
	expect(result.error).toBeDefined();
	expect(result.response).toBeNull();
	expect(result.saved).toBe(false);
	expect(result.workflowStaticData[STATIC_KEY]).toEqual(before);
	expect(result.staticData).toEqual(savedBefore);
	expect(String((result.error as Error & { description?: string }).description)).toMatch(/stored user snapshot is unchanged/);
}

describe('node description', () => {
	const { description } = new VeeamTrigger();

	it('is a polling trigger without inputs, not a tool', () => {
		expect(description).toMatchObject({ name: 'veeamTrigger', polling: true, inputs: [], outputs: ['main'], group: ['trigger'], icon: { light: 'file:veeam.svg', dark: 'file:veeam.dark.svg' } });
		expect(description.usableAsTool).toBeUndefined();
	});

	it('asks for the credential of the chosen product', () => {
		expect(description.credentials).toEqual([
			{ name: 'veeamBackupReplicationApi', required: true, displayOptions: { show: { product: ['vbr'] } } },
			{ name: 'veeamBackupGoogleCloudApi', required: true, displayOptions: { show: { product: ['vbgc'] } } },
			{ name: 'veeamBackupAwsApi', required: true, displayOptions: { show: { product: ['aws'] } } },
			{ name: 'veeamBackupAzureApi', required: true, displayOptions: { show: { product: ['azure'] } } },
			{ name: 'veeamServiceProviderConsoleApi', required: true, displayOptions: { show: { product: ['vspc'] } } },
			{ name: 'veeamBackupMicrosoft365Api', required: true, displayOptions: { show: { product: ['vb365'] } } },
		]);
	});

	it('reports every event by default', () => {
		const events = description.properties.find((p) => p.name === 'events');
		expect([...(events?.default as string[])].sort()).toEqual([...ALL_EVENTS].sort());
	});
});

describe('baseline', () => {
	it('the first poll records every user, emits nothing, and n8n saves nothing', async () => {
		const activation = activate(sim, 'vbr');
		const first = await activation.poll();
		expect(first.error).toBeUndefined();
		expect(first.response).toBeNull();
		expect(first.saved).toBe(false);
		expect(first.staticData).toEqual({});
		expectSnapshotOfServer(first.workflowStaticData);
		// The whole list, page by page (6 users, pages of 5).
		expect(listRequests()).toBe(2);
	});

	it('the first poll that emits saves the complete snapshot, although the baseline itself was never saved', async () => {
		const activation = await baselined();
		await admin.addUser('TECH\\new.hire', [ROLE.viewer]);
		const second = await activation.poll();
		expect(summary(second)).toEqual([['userAdded', 'TECH\\new.hire']]);
		expect(second.saved).toBe(true);
		expectSnapshotOfServer(second.staticData);

		// Later emitting polls keep saving (the properties are reassigned, never edited in place).
		await admin.removeUser(refOf('TECH\\new.hire'));
		const third = await activation.poll();
		expect(summary(third)).toEqual([['userRemoved', 'TECH\\new.hire']]);
		expect(third.saved).toBe(true);
		expectSnapshotOfServer(third.staticData);

		activation.restart();
		expect(summary(await activation.poll())).toEqual([]);
	});

	it('quiet polls keep the in-memory baseline; after a restart without a saved one, a new baseline (no flood)', async () => {
		const activation = await baselined();
		const quiet = await activation.poll();
		expect(quiet.response).toBeNull();

		activation.restart(); // n8n restarts: nothing was saved
		const again = await activation.poll();
		expect(again.error).toBeUndefined();
		expect(again.response).toBeNull(); // a new baseline, not one "added" per user
		expectSnapshotOfServer(again.workflowStaticData);

		await admin.setRoles(refOf('VBR01\\viewer'), [ROLE.operator]);
		expect(summary(await activation.poll())).toEqual([['rolesChanged', 'VBR01\\viewer']]);
	});

	it('no repeat after a restart: the saved snapshot is the one the last emitting poll reported against', async () => {
		const activation = await baselined();
		await admin.addUser('TECH\\a.one', [ROLE.viewer]);
		expect(summary(await activation.poll())).toEqual([['userAdded', 'TECH\\a.one']]);
		activation.restart();
		expect((await activation.poll()).response).toBeNull();
		await admin.addUser('TECH\\b.two', [ROLE.viewer]);
		activation.restart();
		expect(summary(await activation.poll())).toEqual([['userAdded', 'TECH\\b.two']]);
	});

	it('the window n8n leaves open, and the option that closes it: a change between the unsaved baseline and a restart', async () => {
		// Default: the baseline was never saved, so after the restart the change is part of a new baseline.
		const silent = await baselined();
		await admin.addUser('TECH\\in.the.window', [ROLE.viewer]);
		silent.restart();
		expect((await silent.poll()).response).toBeNull();

		// "Emit a Baseline Item": the baseline poll emits one item, so n8n saves the baseline at once.
		sim.reset();
		await admin.login();
		const announced = activate(sim, 'vbr', { options: { firstPoll: 'baselineItem' } });
		const first = await announced.poll();
		expect(emitted(first)).toEqual([
			{ event: 'baseline', product: 'vbr', user: null, previous: null, changes: [], userCount: 6, detectedAt: expect.any(String) },
		]);
		expect(first.saved).toBe(true);
		await admin.addUser('TECH\\in.the.window', [ROLE.viewer]);
		announced.restart();
		expect(summary(await announced.poll())).toEqual([['userAdded', 'TECH\\in.the.window']]);
	});

	it('"Emit Every Existing User as Added": one item per existing user (filters apply), once', async () => {
		const activation = activate(sim, 'vbr', { options: { firstPoll: 'emitExisting', namePattern: 'VBR01\\*' } });
		const first = await activation.poll();
		expect(summary(first)).toEqual([
			['userAdded', 'VBR01\\admin'],
			['userAdded', 'VBR01\\svc-n8n'],
			['userAdded', 'VBR01\\viewer'],
		]);
		expect(first.saved).toBe(true);
		expectSnapshotOfServer(first.staticData); // the snapshot holds every user, not only the filtered ones
		activation.restart();
		expect((await activation.poll()).response).toBeNull();
	});

	it('a change of server or API version starts a new baseline instead of reporting differences', async () => {
		const activation = await baselined();
		await admin.addUser('TECH\\x', [ROLE.viewer]);
		const saved = (await activation.poll()).staticData;
		await admin.addUser('TECH\\y', [ROLE.viewer]);
		// Same workflow, credential now on API 1.3-rev1 (no mfaEnabled): another config.
		const rev1 = activate(sim, 'vbr', { staticData: saved, credentials: credentialsFor(sim, 'vbr', { apiVersion: '1.3-rev1' }) });
		const first = await rev1.poll();
		expect(first.error).toBeUndefined();
		expect(first.response).toBeNull();
		// The events and filters are not part of it: they only choose what to emit from the diff.
		await admin.addUser('TECH\\z', [ROLE.viewer]);
		const narrower = activate(sim, 'vbr', { staticData: saved, events: ['userAdded'], options: { namePattern: '*\\z' } });
		expect(summary(await narrower.poll())).toEqual([['userAdded', 'TECH\\z']]);
	});
});

describe('events (VBR)', () => {
	it('user added: the user as the server returns it', async () => {
		const activation = await baselined();
		await admin.addUser('TECH\\jane.doe', [ROLE.restore]);
		const result = await activation.poll();
		expect(emitted(result)).toEqual([
			{
				event: 'userAdded',
				product: 'vbr',
				user: {
					id: refOf('TECH\\jane.doe'),
					name: 'TECH\\jane.doe',
					type: 'ExternalUser',
					roles: [{ id: ROLE.restore, name: 'Restore Operator', description: expect.any(String) }],
					isServiceAccount: false,
					mfaEnabled: false,
					isDirectoryAccount: true,
					isGroup: false,
				},
				previous: null,
				changes: [],
				detectedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
				// The one authorization event about it (VBR): who added the user, and when.
				changedBy: 'VBR01\\svc-n8n',
				changedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
				authorizationEventId: expect.stringMatching(/^[0-9a-f-]{36}$/),
				authorizationEventMatchedBy: 'description', // the simulator's default wording names the user there
			},
		]);
	});

	it('user removed: previous is the user as last seen, complete, from the snapshot', async () => {
		const activation = await baselined();
		await admin.addUser('TECH\\leaver', [ROLE.operator, ROLE.restore]);
		const added = emitted(await activation.poll())[0].user as IDataObject;
		await admin.removeUser(refOf('TECH\\leaver'));
		const result = await activation.poll();
		expect(emitted(result)).toEqual([
			{
				event: 'userRemoved',
				product: 'vbr',
				user: null,
				previous: expect.any(Object),
				changes: [],
				detectedAt: expect.any(String),
				changedBy: 'VBR01\\svc-n8n',
				changedAt: expect.any(String),
				authorizationEventId: expect.any(String),
				authorizationEventMatchedBy: 'description',
			},
		]);
		const previous = emitted(result)[0].previous as IDataObject;
		expect({ ...previous, roles: new Set(previous.roles as IDataObject[]) }).toEqual({ ...added, roles: new Set(added.roles as IDataObject[]) });
	});

	it('roles changed: from and to as role lists', async () => {
		const activation = await baselined();
		const ref = refOf('VBR01\\viewer');
		await admin.setRoles(ref, [ROLE.viewer, ROLE.restore]);
		const [item] = emitted(await activation.poll());
		expect(item).toMatchObject({
			event: 'rolesChanged',
			user: { id: ref, name: 'VBR01\\viewer' },
			previous: { id: ref, name: 'VBR01\\viewer', roles: [{ id: ROLE.viewer, name: 'Backup Viewer' }] },
			changes: [
				{
					field: 'roles',
					from: [{ id: ROLE.viewer, name: 'Backup Viewer' }],
					to: [
						{ id: ROLE.viewer, name: 'Backup Viewer' },
						{ id: ROLE.restore, name: 'Restore Operator' },
					],
				},
			],
		});
	});

	it('MFA changed: VBR turns MFA on server-wide, every user it applies to reports it (not groups, not service accounts)', async () => {
		const activation = await baselined();
		await admin.setMfa(true);
		const result = await activation.poll();
		expect(summary(result)).toEqual([
			['mfaChanged', 'TECH\\sheila.d.cory'],
			['mfaChanged', 'VBR01\\admin'],
			['mfaChanged', 'VBR01\\viewer'],
		]);
		expect(emitted(result)[0].changes).toEqual([{ field: 'mfaEnabled', from: false, to: true }]);
	});

	it('service-account mode changed (and, with MFA on, the MFA that follows from it)', async () => {
		await admin.setMfa(true);
		const activation = await baselined();
		await admin.setServiceAccount(refOf('VBR01\\admin'), true);
		const result = await activation.poll();
		expect(summary(result)).toEqual([
			['mfaChanged', 'VBR01\\admin'],
			['serviceAccountModeChanged', 'VBR01\\admin'],
		]);
		expect(emitted(result)[1].changes).toEqual([{ field: 'isServiceAccount', from: false, to: true }]);
	});

	it('other fields changed: a type VBR reports differently for the same id', async () => {
		const activation = await baselined();
		admin.setTypeBehindTheApi(refOf('TECH\\Backup Operators'), 'ExternalGroup');
		const [item] = emitted(await activation.poll());
		expect(item).toMatchObject({
			event: 'otherFieldsChanged',
			user: { name: 'TECH\\Backup Operators', type: 'ExternalGroup', isDirectoryAccount: true },
			previous: { type: 'InternalGroup', isDirectoryAccount: true },
			changes: [{ field: 'type', from: 'InternalGroup', to: 'ExternalGroup' }],
		});
	});

	it('several changes in one poll: one item per change, by user name, removal before addition', async () => {
		const activation = await baselined();
		const viewer = refOf('VBR01\\viewer');
		await admin.removeUser(refOf('TECH\\sheila.d.cory'));
		await admin.addUser('TECH\\sheila.d.cory', [ROLE.admin]); // same name, new id
		await admin.setRoles(viewer, [ROLE.operator]);
		await admin.setServiceAccount(viewer, true);
		await admin.addUser('LAB\\a', [ROLE.viewer]);
		expect(summary(await activation.poll())).toEqual([
			['userAdded', 'LAB\\a'],
			['userRemoved', 'TECH\\sheila.d.cory'],
			['userAdded', 'TECH\\sheila.d.cory'],
			['rolesChanged', 'VBR01\\viewer'],
			['serviceAccountModeChanged', 'VBR01\\viewer'],
		]);
	});
});

describe('filters', () => {
	it('events: only the chosen kinds', async () => {
		const activation = await baselined({ events: ['userRemoved', 'mfaChanged'] });
		await admin.addUser('TECH\\x', [ROLE.viewer]);
		await admin.removeUser(refOf('VBR01\\viewer'));
		expect(summary(await activation.poll())).toEqual([['userRemoved', 'VBR01\\viewer']]);
	});

	it('role: users who have it now or had it before the change', async () => {
		const activation = await baselined({ options: { roles: [ROLE.admin] } });
		await admin.setRoles(refOf('VBR01\\admin'), [ROLE.viewer]); // loses it
		await admin.setRoles(refOf('VBR01\\viewer'), [ROLE.admin]); // gets it
		await admin.setRoles(refOf('TECH\\sheila.d.cory'), [ROLE.operator]); // never had it
		expect(summary(await activation.poll())).toEqual([
			['rolesChanged', 'VBR01\\admin'],
			['rolesChanged', 'VBR01\\viewer'],
		]);
	});

	it('name pattern, with events that only other users had', async () => {
		const activation = await baselined({ options: { namePattern: 'TECH\\*' } });
		await admin.addUser('TECH\\in', [ROLE.viewer]);
		await admin.addUser('LAB\\out', [ROLE.viewer]);
		const result = await activation.poll();
		expect(summary(result)).toEqual([['userAdded', 'TECH\\in']]);
		// Only LAB changes: nothing emitted, the snapshot still moves on in memory.
		await admin.removeUser(refOf('LAB\\out'));
		expect((await activation.poll()).response).toBeNull();
		await admin.addUser('LAB\\out', [ROLE.viewer]);
		expect((await activation.poll()).response).toBeNull();
	});
});

describe('manual mode ("Fetch Test Event")', () => {
	it('without a saved snapshot: real users shaped as the chosen events; nothing stored', async () => {
		const credentials = credentialsFor(sim, 'vbr');
		const result = await runPoll({
			node: { name: NODE_NAME, type: NODE_TYPE, parameters: { product: 'vbr', events: ALL_EVENTS, options: {} }, credentials: credentials.ref('vbr') },
			nodeType: new VeeamTrigger(),
			credentials,
			mode: 'manual',
		});
		expect(result.error).toBeUndefined();
		const items = emitted(result);
		expect(items).toHaveLength(SAMPLE_SIZE);
		expect(items.map((i) => i.event)).toEqual(['userRemoved', 'userAdded', 'rolesChanged', 'mfaChanged', 'serviceAccountModeChanged']);
		expect(items[0]).toMatchObject({ user: null, previous: { name: 'BUILTIN\\Administrators' } });
		expect(items[1]).toMatchObject({ user: { name: 'TECH\\Backup Operators' }, previous: null });
		expect(items[2]).toMatchObject({ user: { name: 'TECH\\sheila.d.cory' }, previous: { name: 'TECH\\sheila.d.cory' } });
		// Each says it is a sample, and each is a consistent change: from differs from to, and
		// previous and user differ in exactly the changed field.
		for (const item of items) {
			expect(item).toMatchObject({ sample: true, sampleNote: expect.stringMatching(/not a change that happened/) });
			for (const change of item.changes as Array<{ field: string; from: unknown; to: unknown }>) {
				expect(change.from).not.toEqual(change.to);
				expect((item.previous as Record<string, unknown>)[change.field]).toEqual(change.from);
				expect((item.user as Record<string, unknown>)[change.field]).toEqual(change.to);
			}
		}
		expect(items[2].changes).toEqual([{ field: 'roles', from: [], to: (items[2].user as { roles: unknown[] }).roles }]);
		expect(items[4]).toMatchObject({ user: { name: 'VBR01\\svc-n8n' }, changes: [{ field: 'isServiceAccount', from: false, to: true }] });
		expect(result.saved).toBe(false);
		expect(result.staticData).toEqual({});
		expect(result.workflowStaticData[STATIC_KEY] ?? {}).toEqual({});
	});

	it('with a saved snapshot: the real changes since, without consuming them', async () => {
		const activation = await baselined();
		await admin.addUser('TECH\\first', [ROLE.viewer]);
		const saved = (await activation.poll()).staticData;
		await admin.setRoles(refOf('TECH\\first'), [ROLE.admin]);

		const manual = await activation.pollManually();
		expect(manual.error).toBeUndefined();
		expect(summary(manual)).toEqual([['rolesChanged', 'TECH\\first']]);
		expect(manual.staticData).toEqual(saved);
		expect(manual.workflowStaticData).toEqual(saved);

		// The active trigger still reports it.
		expect(summary(await activation.poll())).toEqual([['rolesChanged', 'TECH\\first']]);
	});

	it('with a saved snapshot and no change: the sample, restricted to the filters', async () => {
		const activation = await baselined({ events: ['rolesChanged'], options: { namePattern: 'VBR01\\*' } });
		await admin.addUser('VBR01\\x', [ROLE.viewer]);
		await activation.poll();
		const manual = await activation.pollManually();
		expect(summary(manual)).toEqual([
			['rolesChanged', 'VBR01\\admin'],
			['rolesChanged', 'VBR01\\svc-n8n'],
			['rolesChanged', 'VBR01\\viewer'],
			['rolesChanged', 'VBR01\\x'],
		]);
	});

	it('a failure is shown, not swallowed', async () => {
		const activation = activate(sim, 'vbr');
		sim.addFault({ kind: 'status', status: 500, method: 'GET', pathIncludes: USERS });
		const manual = await activation.pollManually();
		expect(manual.error).toMatchObject({ name: 'NodeApiError', httpCode: '500' });
	});
});

describe('failures: nothing emitted, snapshot untouched, the next good poll reports everything', () => {
	it('paging that breaks mid-list (HTTP 500 on the second page)', async () => {
		const activation = await baselined();
		await admin.addUser('TECH\\x', [ROLE.viewer]);
		const good = await activation.poll();
		await admin.addUser('TECH\\y', [ROLE.viewer]);
		await admin.removeUser(refOf('TECH\\x'));
		const before = good.workflowStaticData[STATIC_KEY] as IDataObject;

		sim.addFault({ kind: 'status', status: 500, method: 'GET', pathIncludes: USERS, after: 1 });
		const failed = await activation.poll();
		expectFailedWithoutChange(failed, before, good.staticData);
		expect(failed.error).toMatchObject({ httpCode: '500' });

		await admin.setRoles(refOf('TECH\\y'), [ROLE.admin]);
		expect(summary(await activation.poll())).toEqual([
			['userRemoved', 'TECH\\x'],
			['userAdded', 'TECH\\y'],
		]);
	});

	it('the token refused (password changed on the server)', async () => {
		const activation = await baselined();
		await admin.addUser('TECH\\x', [ROLE.viewer]);
		const good = await activation.poll();
		await admin.addUser('TECH\\y', [ROLE.viewer]);
		const before = good.workflowStaticData[STATIC_KEY] as IDataObject;

		sim.product.setLogin('VBR01\\svc-n8n', 'Rotated-Passw0rd!');
		sim.tokens.expireAllAccess();
		sim.tokens.refuseRefresh(1, true);
		const failed = await activation.poll();
		expectFailedWithoutChange(failed, before, good.staticData);
		expect(failed.error?.message).toMatch(/password|credential|401|denied/i);

		sim.product.setLogin('VBR01\\svc-n8n', VBR_DEFAULT_PASSWORD);
		expect(summary(await activation.poll())).toEqual([['userAdded', 'TECH\\y']]);
	});

	it('a failing look-up of an apparently removed user', async () => {
		const activation = await baselined();
		await admin.addUser('TECH\\x', [ROLE.viewer]);
		const good = await activation.poll();
		await admin.removeUser(refOf('TECH\\x'));
		const before = good.workflowStaticData[STATIC_KEY] as IDataObject;

		sim.addFault({ kind: 'status', status: 500, method: 'GET', pathIncludes: `${USERS}/` });
		expectFailedWithoutChange(await activation.poll(), before, good.staticData);
		expect(summary(await activation.poll())).toEqual([['userRemoved', 'TECH\\x']]);
	});

	it('a failing baseline stores nothing', async () => {
		const activation = activate(sim, 'vbr');
		sim.addFault({ kind: 'status', status: 500, method: 'GET', pathIncludes: USERS, after: 1 });
		const failed = await activation.poll();
		expect(failed.error).toBeDefined();
		expect(failed.workflowStaticData[STATIC_KEY] ?? {}).toEqual({});
		const next = await activation.poll();
		expect(next.error).toBeUndefined();
		expect(next.response).toBeNull();
		expectSnapshotOfServer(next.workflowStaticData);
	});
});

describe('configuration and damaged state', () => {
	it('refuses to run without an event chosen', async () => {
		const result = await activate(sim, 'vbr', { events: [] }).poll();
		expect(result.error?.message).toBe('No event chosen');
	});

	it('damaged static data: a new baseline, not a crash loop and not a flood', async () => {
		const activation = await baselined();
		await admin.addUser('TECH\\x', [ROLE.viewer]);
		const saved = (await activation.poll()).staticData;
		const node = saved[STATIC_KEY] as IDataObject;
		const damaged = { ...saved, [STATIC_KEY]: { ...node, users: `${String(node.users).slice(0, -7)}"` } };
		const restarted = activate(sim, 'vbr', { staticData: damaged });
		const first = await restarted.poll();
		expect(first.error).toBeUndefined();
		expect(first.response).toBeNull();
		expectSnapshotOfServer(first.workflowStaticData);
		await admin.removeUser(refOf('TECH\\x'));
		expect(summary(await restarted.poll())).toEqual([['userRemoved', 'TECH\\x']]);
	});
});

describe('a list that changes while it is paged', () => {
	/** Runs a poll whose second page is held back until `between` has run. */
	async function pollWithChangeBetweenPages(activation: ReturnType<typeof activate>, between: () => Promise<void>) {
		// Held on the server until `between` is done: a gate, not a delay a loaded machine may overrun.
		let users = 0;
		const { held, release, restore } = holdRequest(sim, (req) => req.method === 'GET' && req.path.toLowerCase().includes(USERS.toLowerCase()) && ++users === 2);
		const poll = activation.poll();
		try {
			await held;
			await between();
		} finally {
			release();
		}
		const result = await poll;
		restore();
		return result;
	}

	it('a removal before the page boundary shifts a user onto the page already read: no phantom removal', async () => {
		const activation = await baselined();
		// 6 users by name: BUILTIN\Administrators, TECH\Backup Operators, TECH\sheila.d.cory,
		// VBR01\admin, VBR01\svc-n8n | VBR01\viewer. Removing the first moves VBR01\viewer to page 1.
		const removed = refOf('BUILTIN\\Administrators');
		const lookupsBefore = lookups();
		const result = await pollWithChangeBetweenPages(activation, async () => await admin.removeUser(removed));
		expect(result.error).toBeUndefined();
		// VBR01\viewer was never read, looked up directly, and found: no event about it.
		expect(summary(result)).toEqual([]);
		expect(lookups() - lookupsBefore).toBe(1);
		// The removal itself was read before it happened; the next poll reports it, once.
		expect(summary(await activation.poll())).toEqual([['userRemoved', 'BUILTIN\\Administrators']]);
		expect((await activation.poll()).response).toBeNull();
	});

	it('an addition before the page boundary reads a user twice: kept once, no phantom pair', async () => {
		const activation = await baselined();
		const result = await pollWithChangeBetweenPages(activation, async () => {
			await admin.addUser('AAA\\early', [ROLE.viewer]);
		});
		expect(result.error).toBeUndefined();
		// The new user sits on page 1, already read: it is reported by the next poll.
		expect(summary(result)).toEqual([]);
		expect(summary(await activation.poll())).toEqual([['userAdded', 'AAA\\early']]);
		expect((await activation.poll()).response).toBeNull();
	});
});
