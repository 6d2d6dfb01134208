/**
 * The Veeam Trigger for Veeam Backup for Google Cloud, through n8n's engine against the VBGC
 * simulator (users addressed by name, descriptions, MFA per user), through the VBGC adapter.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../../sim';
import { shutdownEngine } from '../../support/engine';
import { holdRequest } from '../../support/holdRequest';
import { VbgcAdmin, activate, comparable, emitted, serverUsers, snapshotUsers, summary } from './harness';
import { VeeamTrigger } from '../../../nodes/VeeamTrigger/VeeamTrigger.node';

const ROLE = {
	admin: '3aa715c3-17b3-45b8-9e0b-c61743bf84d1',
	operator: '0adb5f78-6593-4189-9383-95fe820a2647',
	restore: 'c082aeb7-6c99-4fcc-afaf-360573eff45c',
};
const USERS = '/api/v1/users';

let sim: SimServer;
let admin: VbgcAdmin;

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbgc', vbgc: { maxPageSize: 3 } });
	admin = new VbgcAdmin(sim);
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});
beforeEach(async () => {
	sim.reset();
	await admin.login();
});

async function baselined(opts: Parameters<typeof activate>[2] = {}) {
	const activation = activate(sim, 'vbgc', opts);
	const first = await activation.poll();
	expect(first.error).toBeUndefined();
	expect(first.response).toBeNull();
	return activation;
}

it('records a baseline of every user, keyed by name, and emits nothing', async () => {
	const activation = activate(sim, 'vbgc');
	const first = await activation.poll();
	expect(first.error).toBeUndefined();
	expect(first.response).toBeNull();
	const snapshot = snapshotUsers(sim, 'vbgc', first.workflowStaticData);
	expect([...(snapshot?.keys() ?? [])]).toEqual(['administrator', 'mfa-admin', 'operator', 'restorer']);
	expect(comparable(snapshot?.get('mfa-admin'))).toEqual(comparable(serverUsers(sim).get('mfa-admin')));
});

it('user added and removed: by name; previous is the user as last seen, description included', async () => {
	const activation = await baselined();
	await admin.addUser('jane-doe', [ROLE.restore], { description: 'Restores for the finance team' });
	const added = await activation.poll();
	expect(emitted(added)).toEqual([
		{
			event: 'userAdded',
			product: 'vbgc',
			user: {
				name: 'jane-doe',
				type: 'Local',
				roles: [{ id: ROLE.restore, name: 'Restore Operator', description: expect.any(String) }],
				mfaEnabled: false,
				description: 'Restores for the finance team',
				isDirectoryAccount: false,
				isGroup: false,
			},
			previous: null,
			changes: [],
			detectedAt: expect.any(String),
		},
	]);
	await admin.removeUser('jane-doe');
	const removed = await activation.poll();
	expect(emitted(removed)).toEqual([
		{ event: 'userRemoved', product: 'vbgc', user: null, previous: emitted(added)[0].user, changes: [], detectedAt: expect.any(String) },
	]);
});

it('roles changed', async () => {
	const activation = await baselined();
	await admin.setRoles('operator', [ROLE.operator, ROLE.restore]);
	const [item] = emitted(await activation.poll());
	expect(item).toMatchObject({
		event: 'rolesChanged',
		user: { name: 'operator' },
		changes: [{ field: 'roles', from: [{ id: ROLE.operator }], to: [{ id: ROLE.operator }, { id: ROLE.restore }] }],
	});
});

it('MFA changed: turned on for one user, off for another', async () => {
	const activation = await baselined();
	await admin.setMfa(true, 'operator');
	await admin.setMfa(false, 'mfa-admin');
	const result = await activation.poll();
	expect(summary(result)).toEqual([
		['mfaChanged', 'mfa-admin'],
		['mfaChanged', 'operator'],
	]);
	expect(emitted(result).map((i) => i.changes)).toEqual([
		[{ field: 'mfaEnabled', from: true, to: false }],
		[{ field: 'mfaEnabled', from: false, to: true }],
	]);
});

it('other fields changed: the description, with from and to', async () => {
	const activation = await baselined();
	await admin.setDescription('restorer', 'Night shift restores');
	const [item] = emitted(await activation.poll());
	expect(item).toMatchObject({
		event: 'otherFieldsChanged',
		user: { name: 'restorer', description: 'Night shift restores' },
		previous: { name: 'restorer', description: 'Restore operator' },
		changes: [{ field: 'description', from: 'Restore operator', to: 'Night shift restores' }],
	});
});

it('a long description is kept as a digest: the change is seen, its old value is null', async () => {
	const long = `Break-glass account. ${'x'.repeat(100)}`;
	await admin.setDescription('restorer', long);
	const activation = await baselined();
	await admin.setDescription('restorer', `${long}!`);
	const [item] = emitted(await activation.poll());
	expect(item.changes).toEqual([{ field: 'description', from: null, to: `${long}!` }]);
	expect((item.previous as IDataObject).description).toBeUndefined();
});

it('a removal before the page boundary while paging: the shifted user is looked up by name, no phantom', async () => {
	const activation = await baselined();
	// By name: administrator, mfa-admin, operator | restorer (pages of 3). Removing mfa-admin moves restorer to page 1.
	// The second page is held on the server until the removal is done (a gate, not a delay a loaded machine may overrun).
	let users = 0;
	const { held, release, restore } = holdRequest(sim, (req) => req.method === 'GET' && req.path.toLowerCase().includes(USERS.toLowerCase()) && ++users === 2);
	const poll = activation.poll();
	try {
		await held;
		await admin.removeUser('mfa-admin');
	} finally {
		release();
	}
	const result = await poll;
	restore();
	expect(result.error).toBeUndefined();
	expect(summary(result)).toEqual([]);
	expect(sim.stats.byRoute[`GET ${USERS}/:name`]).toBe(1);
	expect(summary(await activation.poll())).toEqual([['userRemoved', 'mfa-admin']]);
});

it('a failed poll emits nothing and keeps the snapshot; the next one reports everything', async () => {
	const activation = await baselined();
	await admin.addUser('a-one', [ROLE.restore]);
	const good = await activation.poll();
	await admin.addUser('b-two', [ROLE.restore]);
	await admin.setDescription('a-one', 'changed');
	sim.addFault({ kind: 'status', status: 500, method: 'GET', pathIncludes: USERS, after: 1 });
	const failed = await activation.poll();
	expect(failed.error).toMatchObject({ httpCode: '500' });
	expect(failed.workflowStaticData).toEqual(good.workflowStaticData);
	expect(summary(await activation.poll())).toEqual([
		['otherFieldsChanged', 'a-one'],
		['userAdded', 'b-two'],
	]);
});

describe('VBGC: product-specific events', () => {
	it('offers no service-account event (VBGC has no service accounts), and its samples never show one', async () => {
		const events = new VeeamTrigger().description.properties.find((p) => p.name === 'events');
		const option = (events?.options as Array<{ value: string; displayOptions?: unknown }>).find((o) => o.value === 'serviceAccountModeChanged');
		expect(option?.displayOptions).toEqual({ show: { product: ['vbr'] } });
		const result = await activate(sim, 'vbgc', { events: ['serviceAccountModeChanged', 'rolesChanged'] }).pollManually();
		expect(emitted(result).map((i) => i.event).every((e) => e === 'rolesChanged')).toBe(true);
	});
});
