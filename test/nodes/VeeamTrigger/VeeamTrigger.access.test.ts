/**
 * The Veeam Trigger's custom-role and access events (VBR 13.1, REST 1.3-rev2) through n8n's engine
 * against the VBR simulator: the baseline, each event, once only (an emitting poll, a failed poll,
 * a restart, two overlapping polls), a listing that shifts while it is paged, the cost, and the
 * clear errors on 1.3-rev1 and on other products. The simulator pages by 2, so every list is several requests.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../../sim';
import { shutdownEngine } from '../../support/engine';
import { holdRequest } from '../../support/holdRequest';
import { ACCESS_EVENT_KINDS, AccessAdmin, RESTORE_OPERATOR, ROLE_EVENT_KINDS, addAclObject, removeAclObject } from './accessHarness';
import { STATIC_KEY, activate, credentialsFor, emitted } from './harness';

const PAGE = 2;
const ACL = 'POST /api/v1/acl';
const DETAILS = 'GET /api/v1/security/roles/:id/details';
const RECORD = 'GET /api/v1/acl/:objectType/:objectId';
const EVENTS = [...ROLE_EVENT_KINDS, ...ACCESS_EVENT_KINDS];
const SQL_JOB = '6f1c2b3a-4d5e-4f60-8a71-92b3c4d5e602';
/** The simulator's ACL seed (sim/vbr/acl.ts ACL_SEED), in its list order. */
const SEED: Array<[string, string]> = [
	['backupJob', '6f1c2b3a-4d5e-4f60-8a71-92b3c4d5e601'],
	['backupJob', SQL_JOB],
	['backup', '7e2d3c4b-5a6f-4071-9b82-a3c4d5e6f701'],
	['backup', '7e2d3c4b-5a6f-4071-9b82-a3c4d5e6f702'],
	['backup', '7e2d3c4b-5a6f-4071-9b82-a3c4d5e6f703'],
];
const FILE_BACKUP = '7e2d3c4b-5a6f-4071-9b82-a3c4d5e6f703';

let sim: SimServer;
let admin: AccessAdmin;

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbr', vbr: { maxPageSize: PAGE } });
	admin = new AccessAdmin(sim);
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});
beforeEach(async () => {
	sim.reset();
	sim.faults.clear();
	await admin.login();
});

const count = (route: string) => sim.stats.byRoute[route] ?? 0;
const events = (items: IDataObject[]) => items.map((i) => `${String(i.event)}${i.change ? `:${String(i.change)}` : ''} ${String(((i.role ?? i.previous) as IDataObject | null)?.name ?? (i.object as IDataObject | undefined)?.id)}`);

async function baselined(events: string[] = EVENTS) {
	const activation = activate(sim, 'vbr', { events });
	const first = await activation.poll();
	expect(first.error).toBeUndefined();
	expect(first.response).toBeNull();
	return activation;
}

describe('custom role events', () => {
	it('the first poll records a baseline (every custom role with its details) and emits nothing', async () => {
		await admin.createRole({ name: 'Audit', description: 'read only' });
		await admin.createRole({ name: 'Ops', manageBackups: true, repositoryScope: { allRepositories: true } });
		const detailsBefore = count(DETAILS);
		const activation = await baselined();
		expect(count(DETAILS) - detailsBefore).toBe(2);
		const state = (activation.workflow.staticData[STATIC_KEY] as IDataObject).access as IDataObject;
		expect((state.roles as IDataObject).n).toBe(2);
		expect((state.acl as IDataObject).n).toBe(5);
		expect((await activation.poll()).response).toBeNull();
	});

	it('reports a role created, changed (the fields, before where kept and after) and deleted, each once', async () => {
		const audit = await admin.createRole({ name: 'Audit', description: 'read only' });
		const ops = await admin.createRole({ name: 'Ops', manageBackups: true, repositoryScope: { allRepositories: true } });
		const activation = await baselined();

		const created = await admin.createRole({ name: 'Restorers', manageRestores: true, restorePermissionsScope: { restoreBackupScope: { entireBackupScope: true }, restoreOptions: { allOptions: true } } });
		await admin.updateRole(audit, { description: 'read only, 2027' });
		await admin.updateRole(ops, { repositoryScope: { allRepositories: false, repositories: [{ repositoryId: '88788f9e-d8f5-4eb4-bc4f-9b3f5403bcec' }] }, manageRestores: true });
		await admin.deleteRole(ops);
		const poll = await activation.poll();
		expect(poll.error).toBeUndefined();
		const items = emitted(poll);
		expect(events(items)).toEqual(['roleChanged Audit', 'roleDeleted Ops', 'roleCreated Restorers']);
		const [changed, deleted, made] = items;
		expect(changed.changes).toEqual([{ field: 'description', from: 'read only', to: 'read only, 2027' }]);
		expect(changed.previous).toMatchObject({ id: audit, name: 'Audit', description: 'read only' });
		expect(deleted.role).toBeNull();
		expect(deleted.previous).toMatchObject({ id: ops, name: 'Ops', manageBackups: true });
		expect(made.role).toMatchObject({ id: created, name: 'Restorers', manageRestores: true, restorePermissionsScope: { restoreBackupScope: { entireBackupScope: true } } });
		expect(poll.saved).toBe(true);
		// Once: the next poll has nothing to say.
		expect((await activation.poll()).response).toBeNull();
	});

	it('a scope change is reported with its new value (the old one is kept only as a digest)', async () => {
		const ops = await admin.createRole({ name: 'Ops', manageBackups: true, repositoryScope: { allRepositories: true } });
		const activation = await baselined(['roleChanged']);
		const scope = { allRepositories: false, repositories: [{ repositoryId: '88788f9e-d8f5-4eb4-bc4f-9b3f5403bcec' }] };
		await admin.updateRole(ops, { repositoryScope: scope });
		const items = emitted(await activation.poll());
		expect(items).toHaveLength(1);
		expect(items[0].changes).toEqual([{ field: 'repositoryScope', from: null, to: scope }]);
	});

	it('only the chosen kinds are emitted; a clone is a role created', async () => {
		const ops = await admin.createRole({ name: 'Ops', manageBackups: true });
		const activation = await baselined(['roleCreated']);
		await admin.updateRole(ops, { description: 'x' });
		await admin.cloneRole(ops);
		expect(events(emitted(await activation.poll()))).toEqual(['roleCreated Ops_Clone']);
	});

	it('a role missing from a list that shifted while paged is looked up, not reported deleted', async () => {
		const ids: string[] = [];
		for (const name of ['A1', 'B2', 'C3', 'D4', 'E5']) ids.push(await admin.createRole({ name }));
		const activation = await baselined(['roleDeleted']);
		// The second page of custom roles waits until A1 is deleted: C3 slides onto page 1, which was read already.
		let pages = 0;
		const hold = holdRequest(sim, (req) => req.method === 'GET' && req.path === '/api/v1/security/roles' && ++pages === 2);
		try {
			const poll = activation.poll();
			await hold.held;
			await admin.deleteRole(ids[0]);
			hold.release();
			const items = emitted(await poll);
			expect(events(items)).toEqual(['roleDeleted A1']);
		} finally {
			hold.release();
			hold.restore();
		}
	});
});

describe('access events', () => {
	it('reports an owner change, delegations changed (before and after), a backup added and one removed, each once', async () => {
		const activation = await baselined(['accessChanged']);
		await admin.changeOwner('backupJob', SQL_JOB, 'VBR01\\svc-n8n');
		await admin.changeEffectiveAccess('backup', FILE_BACKUP, [{ roleId: RESTORE_OPERATOR, rights: ['restore'] }]);
		const added = addAclObject(sim, 'backup', 'New Backup');
		removeAclObject(sim, '7e2d3c4b-5a6f-4071-9b82-a3c4d5e6f701');
		const poll = await activation.poll();
		expect(poll.error).toBeUndefined();
		const items = emitted(poll);
		const byObject = new Map(items.map((i) => [String((i.object as IDataObject).id), i]));
		expect(items).toHaveLength(4);
		expect(byObject.get(SQL_JOB)).toMatchObject({ change: 'changed', object: { type: 'backupJob', id: SQL_JOB } });
		expect((byObject.get(SQL_JOB)?.changes as IDataObject[]).map((c) => c.field)).toEqual(['owner']);
		expect(byObject.get(SQL_JOB)?.changes).toEqual([
			{ field: 'owner', from: { userIdentifier: 'S-1-5-21-1004336348-1177238915-682003330-512', name: 'TECH\\Administrator' }, to: expect.objectContaining({ name: 'VBR01\\svc-n8n' }) },
		]);
		expect(byObject.get(FILE_BACKUP)?.changes).toEqual([
			{ field: 'effectiveAccess', from: [], to: [{ roleId: RESTORE_OPERATOR, roleName: expect.any(String), rights: ['restore'] }] },
		]);
		expect(byObject.get(added)).toMatchObject({ change: 'added', previous: null, access: { rights: ['full'] } });
		expect(byObject.get('7e2d3c4b-5a6f-4071-9b82-a3c4d5e6f701')).toMatchObject({ change: 'removed', access: null });
		expect((await activation.poll()).response).toBeNull();
	});

	it('a record missing from a listing that shifted while paged is looked up, not reported removed; the real removal comes next poll', async () => {
		// Every record delegated, so the list shows each one whole (none is read once more for its delegations).
		for (const [type, id] of SEED) await admin.changeEffectiveAccess(type, id, [{ roleId: RESTORE_OPERATOR, rights: ['restore'] }]);
		const activation = await baselined(['accessChanged']);
		const lookupsBefore = count(RECORD);
		// The second ACL page waits until the first record (read on page 1) is removed: the third
		// record slides onto page 1, read already, and is in no page of this listing.
		let pages = 0;
		const hold = holdRequest(sim, (req) => req.method === 'POST' && req.path === '/api/v1/acl' && ++pages === 2);
		try {
			const poll = activation.poll();
			await hold.held;
			removeAclObject(sim, '6f1c2b3a-4d5e-4f60-8a71-92b3c4d5e601');
			hold.release();
			const result = await poll;
			expect(result.error).toBeUndefined();
			// The listing read the removed record before it went; the one it skipped is looked up and still there.
			expect(emitted(result)).toEqual([]);
			expect(count(RECORD) - lookupsBefore).toBe(1);
		} finally {
			hold.release();
			hold.restore();
		}
		const next = emitted(await activation.poll());
		expect(next.map((i) => `${String(i.change)} ${String((i.object as IDataObject).id)}`)).toEqual(['removed 6f1c2b3a-4d5e-4f60-8a71-92b3c4d5e601']);
	});

	it('a server whose list leaves delegations out (as Veeam\'s list example does): read per record, changes reported, none invented', async () => {
		const omits = await startSimulator({ product: 'vbr', vbr: { maxPageSize: PAGE, accessControl: { aclListOmitsDelegations: true } } });
		try {
			const other = new AccessAdmin(omits);
			await other.login();
			await other.changeEffectiveAccess('backup', FILE_BACKUP, [{ roleId: RESTORE_OPERATOR, rights: ['restore'] }]);
			const activation = activate(omits, 'vbr', { events: ['accessChanged'] });
			expect((await activation.poll()).response).toBeNull();
			expect((await activation.poll()).response).toBeNull();
			await other.changeEffectiveAccess('backup', FILE_BACKUP, [{ roleId: RESTORE_OPERATOR, rights: ['restore', 'write'] }]);
			await other.changeEffectiveAccess('backupJob', SQL_JOB, [{ roleId: RESTORE_OPERATOR, rights: ['restore'] }]);
			const items = emitted(await activation.poll());
			expect(items.map((i) => [(i.object as IDataObject).id, (i.changes as IDataObject[]).map((c) => c.field)])).toEqual([
				[FILE_BACKUP, ['effectiveAccess']],
				[SQL_JOB, ['effectiveAccess']],
			]);
			expect((items[0].changes as IDataObject[])[0]).toMatchObject({ from: [{ roleId: RESTORE_OPERATOR, rights: ['restore'] }], to: [{ roleId: RESTORE_OPERATOR, rights: ['restore', 'write'] }] });
			await other.changeEffectiveAccess('backup', FILE_BACKUP, []);
			expect(emitted(await activation.poll()).map((i) => (i.changes as IDataObject[])[0])).toEqual([
				{ field: 'effectiveAccess', from: [{ roleId: RESTORE_OPERATOR, roleName: expect.any(String), rights: ['restore', 'write'] }], to: [] },
			]);
			expect((await activation.poll()).response).toBeNull();
		} finally {
			await omits.close();
		}
	});

	it('a failed poll emits and writes nothing; the next good poll reports the change once', async () => {
		const activation = await baselined(['accessChanged']);
		await admin.changeOwner('backupJob', SQL_JOB, 'VBR01\\svc-n8n');
		const before = JSON.stringify(activation.workflow.staticData[STATIC_KEY]);
		sim.addFault({ kind: 'status', status: 500, method: 'POST', pathIncludes: '/api/v1/acl', after: 1 });
		const failed = await activation.poll();
		sim.faults.clear();
		expect(failed.error).toBeDefined();
		expect(failed.response).toBeNull();
		expect(JSON.stringify(failed.workflowStaticData[STATIC_KEY])).toBe(before);
		expect(emitted(await activation.poll()).map((i) => (i.object as IDataObject).id)).toEqual([SQL_JOB]);
		expect((await activation.poll()).response).toBeNull();
	});

	it('after a restart the saved state is used: a change emitted before is not emitted again', async () => {
		const activation = await baselined(['accessChanged', 'userAdded']);
		await admin.changeOwner('backupJob', SQL_JOB, 'VBR01\\svc-n8n');
		expect(emitted(await activation.poll())).toHaveLength(1);
		activation.restart();
		expect((await activation.poll()).response).toBeNull();
	});

	it('of two overlapping polls only the first to finish reports a change', async () => {
		const activation = await baselined(['accessChanged']);
		await admin.changeOwner('backupJob', SQL_JOB, 'VBR01\\svc-n8n');
		const hold = holdRequest(sim, (req) => req.method === 'POST' && req.path === '/api/v1/acl');
		try {
			const slow = activation.poll();
			await hold.held;
			const fast = await activation.poll();
			expect(emitted(fast).map((i) => (i.object as IDataObject).id)).toEqual([SQL_JOB]);
			hold.release();
			expect((await slow).response).toBeNull();
		} finally {
			hold.release();
			hold.restore();
		}
		expect((await activation.poll()).response).toBeNull();
	});
});

describe('"Fetch Test Event" (manual)', () => {
	it('shows the changes since the saved state, and never writes it', async () => {
		const activation = await baselined(['accessChanged']);
		// The baseline is saved by n8n with the first emitting poll.
		await admin.changeOwner('backupJob', SQL_JOB, 'VBR01\\svc-n8n');
		expect(emitted(await activation.poll())).toHaveLength(1);
		await admin.changeEffectiveAccess('backup', FILE_BACKUP, [{ roleId: RESTORE_OPERATOR, rights: ['restore'] }]);
		const before = JSON.stringify(activation.savedStaticData);
		const manual = await activation.pollManually();
		expect(emitted(manual).map((i) => (i.object as IDataObject).id)).toEqual([FILE_BACKUP]);
		expect(JSON.stringify(activation.savedStaticData)).toBe(before);
		// The scheduled poll still reports it (the manual run wrote nothing).
		expect(emitted(await activation.poll()).map((i) => (i.object as IDataObject).id)).toEqual([FILE_BACKUP]);
	});

	it('with only role or access events and nothing to show: current roles and records shaped as events, marked as samples', async () => {
		await admin.createRole({ name: 'Audit' });
		const manual = await activate(sim, 'vbr', { events: EVENTS }).pollManually();
		const items = emitted(manual);
		expect(items.length).toBeGreaterThan(1);
		expect(items.every((i) => i.sample === true)).toBe(true);
		expect(items[0]).toMatchObject({ event: 'roleCreated', role: { name: 'Audit' } });
		expect(items.some((i) => i.event === 'accessChanged')).toBe(true);
	});
});

describe('cost and availability', () => {
	it('without role or access events no role details and no ACL are read (the cost stays what it was)', async () => {
		await admin.createRole({ name: 'Audit' });
		const [acl, details] = [count(ACL), count(DETAILS)];
		const activation = activate(sim, 'vbr');
		await activation.poll();
		await activation.poll();
		expect([count(ACL) - acl, count(DETAILS) - details]).toEqual([0, 0]);
	});

	it('per poll: the role list, one details request per custom role, the ACL pages, each record listed without delegations once more', async () => {
		for (const name of ['A1', 'B2', 'C3']) await admin.createRole({ name });
		await admin.changeEffectiveAccess('backup', FILE_BACKUP, [{ roleId: RESTORE_OPERATOR, rights: ['restore'] }]);
		const activation = await baselined();
		const [acl, details, roles, records] = [count(ACL), count(DETAILS), count('GET /api/v1/security/roles'), count(RECORD)];
		await activation.poll();
		// 5 records at 2 a page: 3 pages, 4 of them without delegations; 3 roles at 2 a page: 2 pages.
		expect([count(ACL) - acl, count(RECORD) - records, count(DETAILS) - details, count('GET /api/v1/security/roles') - roles]).toEqual([3, 4, 3, 2]);
	});

	it('on API 1.3-rev1 the poll fails with an error naming 1.3-rev2', async () => {
		const activation = activate(sim, 'vbr', { events: ['roleCreated', 'userAdded'], credentials: credentialsFor(sim, 'vbr', { apiVersion: '1.3-rev1' }) });
		const poll = await activation.poll();
		expect(poll.error?.message).toMatch(/1\.3-rev2/);
		expect(poll.response).toBeNull();
	});

	it('on another product the role and access events are refused by name', async () => {
		const vbgc = await startSimulator({ product: 'vbgc' });
		try {
			const poll = await activate(vbgc, 'vbgc', { events: ['accessChanged'] }).poll();
			expect(poll.error?.message).toMatch(/Role and access events are not offered for Veeam Backup for Google Cloud/);
		} finally {
			await vbgc.close();
		}
	});
});
