/**
 * Backup Access → Get and Get Many against the VBR simulator (1.3-rev2 ACL, sim/vbr/acl.ts): one
 * backup or job with its name, owner, rights and delegations; the list filtered by type, role and
 * owner whatever the server does; both spellings of `object.type` (the enum's `backupJob`, Veeam's
 * example's `Job`); what each costs; API 1.3-rev1 refused before anything is sent.
 */
import type { INodeParameters } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../../../../sim';
import { ACL_SEED } from '../../../../../sim/vbr/acl';
import { ROLE_IDS, VeeamFixture, byId, byName, errorText, routeCount, useSimulator } from '../../fixtures';

const ACL = '/api/v1/acl';
const seed = (kind: string, name: string) => ACL_SEED.find((o) => o.kind === kind && o.name === name)!.id;
const SQL_BACKUP = seed('backup', 'SQL Backup');
const SQL_JOB = seed('backupJob', 'SQL Backup');
const OWNER = { owner: 'TECH\\Administrator', ownerIdentifier: 'S-1-5-21-1004336348-1177238915-682003330-512', ownerRights: ['full'] };

let sim: SimServer;
let h: VeeamFixture;

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

const get = (objectType: string, object: INodeParameters[string]) => ({ resource: 'backupAccess', operation: 'get', objectType, object });
const requests = () => Object.values(sim.stats.byRoute).reduce((a, b) => a + b, 0);

/** Gives `roleId` these rights on the SQL backup, as an administrator would in the console. */
async function delegate(roleId: string, rights: string[]) {
	const run = await h.run({ resource: 'backupAccess', operation: 'setEffectiveAccess', objectType: 'backup', object: byId(SQL_BACKUP), mode: 'set', role: roleId, rights });
	expect(run.error).toBeUndefined();
}

describe('Backup Access → Get', () => {
	it('gets a backup by ID and a job by name: name, owner, rights and delegations; one record GET and one name list each', async () => {
		const before = requests();
		const run = await h.run(get('backup', byId(SQL_BACKUP)));
		expect(run.error).toBeUndefined();
		expect(run.json).toEqual([{ objectType: 'backup', objectId: SQL_BACKUP, name: 'SQL Backup', ...OWNER, effectiveAccess: [], delegationsShown: true }]);
		// The backups' names are read, the jobs' are not (a backup is asked for).
		expect(routeCount(sim, `GET ${ACL}/:objectType/:objectId`)).toBe(1);
		expect(routeCount(sim, 'GET /api/v1/backups')).toBe(1);
		expect(routeCount(sim, 'GET /api/v1/jobs')).toBe(0);
		// Besides the login: the record and one page of names.
		expect(requests() - before - routeCount(sim, 'POST /api/oauth2/token')).toBe(2);

		await delegate(ROLE_IDS.restoreOperator, ['restore']);
		const job = await h.run(get('backupJob', byName('sql backup')));
		expect(job.json).toEqual([{ objectType: 'backupJob', objectId: SQL_JOB, name: 'SQL Backup', ...OWNER, effectiveAccess: [], delegationsShown: true }]);
		const backup = await h.run(get('backup', '={{ "' + SQL_BACKUP.toUpperCase() + '" }}'));
		expect(backup.json[0]).toMatchObject({ objectId: SQL_BACKUP, effectiveAccess: [{ roleId: ROLE_IDS.restoreOperator, roleName: 'Restore Operator', rights: ['restore'] }], delegationsShown: true });
	});

	it('an unknown ID or name is an error naming the field and the item; a malformed ID is refused before any request', async () => {
		const unknown = '00000000-0000-4000-8000-000000000000';
		const run = await h.run(get('backup', byId(unknown)));
		expect(run.error?.message).toBe(`Backup or Job (item 0): no backup with ID ${unknown} has an access control list on this server`);
		const named = await h.run(get('backupJob', byName('Nightly')));
		expect(run.error).toBeDefined();
		expect(named.error?.message).toBe('Backup or Job (item 0): no backup job named "Nightly"');
		sim.reset();
		// An expression gets past the editor's check of the field: the node's own check refuses it.
		const bad = await h.run(get('backup', byId('={{ "not-a-uuid" }}')));
		expect(bad.error?.message).toBe('Backup or Job (item 0): "not-a-uuid" is not a backup or job ID (a UUID)');
		expect(routeCount(sim, `GET ${ACL}/:objectType/:objectId`)).toBe(0);
	});

	it('an answer about another object is not used', async () => {
		sim.addFault({ kind: 'patch', set: { object: { id: SQL_JOB, type: 'backupJob' } }, method: 'GET', pathIncludes: '/api/v1/acl/' });
		const run = await h.run(get('backup', byId(SQL_BACKUP)));
		expect(errorText(run)).toContain(`Veeam answered GET ${ACL}/backup/${SQL_BACKUP} with the record of another object (backupJob ${SQL_JOB})`);
	});
});

describe('Backup Access → Get Many', () => {
	const getMany = (filters: INodeParameters = {}, extra: INodeParameters = {}) => ({ resource: 'backupAccess', operation: 'getMany', returnAll: true, filters, ...extra });

	it('lists every record with its name; filters by type, role and owner; Limit', async () => {
		const all = await h.run(getMany());
		expect(all.json.map((r) => `${String(r.objectType)} ${String(r.name)}`).sort()).toEqual(ACL_SEED.map((o) => `${o.kind} ${o.name}`).sort());
		const jobs = await h.run(getMany({ objectType: 'backupJob' }));
		expect(jobs.json.map((r) => r.objectType)).toEqual(['backupJob', 'backupJob']);
		await delegate(ROLE_IDS.restoreOperator, ['restore']);
		const byRole = await h.run(getMany({ role: 'restore operator' }));
		expect(byRole.json.map((r) => r.objectId)).toEqual([SQL_BACKUP]);
		const byRoleId = await h.run(getMany({ role: ROLE_IDS.restoreOperator, objectType: 'backupJob' }));
		expect(byRoleId.json).toEqual([]);
		const byOwner = await h.run(getMany({ owner: 'S-1-5-21-1004336348-1177238915-682003330-512' }));
		expect(byOwner.json).toHaveLength(ACL_SEED.length);
		expect((await h.run(getMany({ owner: 'TECH\\nobody' }))).json).toEqual([]);
		const limited = await h.run(getMany({}, { returnAll: false, limit: 2 }));
		expect(limited.json).toHaveLength(2);
		expect(sim.stats.recent.filter((r) => r.startsWith('POST /api/v1/acl')).every((r) => !r.includes('forceReload'))).toBe(true);
		await h.run(getMany({}, { options: { forceReload: true } }));
		expect(sim.stats.recent.filter((r) => r.startsWith('POST /api/v1/acl')).pop()).toBe('POST /api/v1/acl?forceReload=true');
	});

	it('a filter holds whatever the server does: a server ignoring the body’s filter (none is sent) or sending more', async () => {
		// The server's answer to the whole list; the role filter is applied here.
		await delegate(ROLE_IDS.backupViewer, ['restore']);
		const run = await h.run(getMany({ role: 'Backup Viewer', objectType: 'backup' }));
		expect(run.json.map((r) => r.objectId)).toEqual([SQL_BACKUP]);
	});

	it('pages the list through the body’s pagination (server page of 2: 3 ACL requests for 5 records)', async () => {
		const small = await startSimulator({ product: 'vbr', vbr: { maxPageSize: 2 } });
		try {
			const f = new VeeamFixture(small);
			const run = await f.run(getMany({ objectType: 'backup' }));
			expect(run.json).toHaveLength(3);
			expect(small.stats.byRoute[`POST ${ACL}`]).toBe(3);
			expect(small.stats.byRoute['GET /api/v1/backups']).toBe(2);
			expect(small.stats.byRoute['GET /api/v1/jobs']).toBeUndefined();
		} finally {
			await small.close();
		}
	});

	it('an unknown role filter is an error listing the roles, before the list is read', async () => {
		const run = await h.run(getMany({ role: 'Chief Wizard' }));
		expect(run.error?.message).toBe('Filters → Role Name or ID (item 0): no role with the name or ID "Chief Wizard"');
		expect(routeCount(sim, `POST ${ACL}`)).toBe(0);
	});
});

describe('Backup Access: object.type as Veeam’s example writes it ("Job", "Backup")', () => {
	it('reads both spellings the same', async () => {
		const example = await startSimulator({ product: 'vbr', vbr: { accessControl: { aclObjectTypeAsExample: true } } });
		try {
			const f = new VeeamFixture(example);
			const one = await f.run(get('backupJob', byId(SQL_JOB)));
			expect(one.json).toEqual([{ objectType: 'backupJob', objectId: SQL_JOB, name: 'SQL Backup', ...OWNER, effectiveAccess: [], delegationsShown: true }]);
			const many = await f.run({ resource: 'backupAccess', operation: 'getMany', returnAll: true, filters: { objectType: 'backupJob' } });
			expect(many.json.map((r) => r.objectType)).toEqual(['backupJob', 'backupJob']);
		} finally {
			await example.close();
		}
	});
});

describe('Backup Access needs REST API 1.3-rev2', () => {
	it('pinned 1.3-rev1: a clear error, nothing about the ACL sent', async () => {
		h.resetCredential({ apiVersion: '1.3-rev1' });
		const run = await h.run(get('backup', byId(SQL_BACKUP)));
		expect(run.error?.message).toBe('Backup access needs Veeam Backup & Replication REST API 1.3-rev2 (VBR 13.1); this server speaks 1.3-rev1');
		expect(routeCount(sim, `GET ${ACL}/:objectType/:objectId`) + routeCount(sim, 'GET /api/v1/backups')).toBe(0);
	});

	it('Automatic on a server that serves only 1.3-rev1: the same error', async () => {
		sim.serveVersions(['1.3-rev1']);
		try {
			h.resetCredential({ apiVersion: 'auto' });
			const first = await h.run({ resource: 'backupAccess', operation: 'getMany', returnAll: true });
			expect(first.error?.message).toBe('Backup access needs Veeam Backup & Replication REST API 1.3-rev2 (VBR 13.1); this server speaks 1.3-rev1');
			// The version is now kept with the token: refused before sending.
			const second = await h.run(get('backup', byId(SQL_BACKUP)));
			expect(second.error?.message).toBe(first.error?.message);
		} finally {
			sim.serveVersions(['1.3-rev1', '1.3-rev2']);
		}
	});
});

describe('Backup Access → Get Many: records the list shows without delegations, records it cannot read', () => {
	it('a role filter reads each record the list shows without delegations (Veeam’s list example has none)', async () => {
		const omitting = await startSimulator({ product: 'vbr', vbr: { accessControl: { aclListOmitsDelegations: true } } });
		try {
			const f = new VeeamFixture(omitting);
			const set = await f.run({ resource: 'backupAccess', operation: 'setEffectiveAccess', objectType: 'backup', object: byId(SQL_BACKUP), mode: 'grant', role: 'Restore Operator', rights: ['restore'] });
			expect(set.json[0]).toMatchObject({ result: 'changed' });
			omitting.stats.reset();
			const run = await f.run({ resource: 'backupAccess', operation: 'getMany', returnAll: true, filters: { role: 'Restore Operator' } });
			expect(run.json).toEqual([expect.objectContaining({ objectId: SQL_BACKUP, delegationsShown: true, effectiveAccess: [expect.objectContaining({ roleName: 'Restore Operator' })] })]);
			// One GET per listed record (none shows its delegations in the list).
			expect(omitting.stats.byRoute[`GET ${ACL}/:objectType/:objectId`]).toBe(ACL_SEED.length);
			// Without a role filter the list is output as it is: delegationsShown false says what is unknown.
			const plain = await f.run({ resource: 'backupAccess', operation: 'getMany', returnAll: true, filters: { objectType: 'backup' } });
			expect(plain.json.every((r) => r.delegationsShown === false)).toBe(true);
		} finally {
			await omitting.close();
		}
	});

	it('a record of an unknown object type or with an ID that is no UUID is one item saying so; the others are listed', async () => {
		const good = { object: { id: SQL_BACKUP, type: 'Backup' }, principal: { owner: { userIdentifier: 'S-1-5-21-1', name: 'TECH\\Administrator' }, rights: ['full'] } };
		const odd = { object: { id: '5ff0e0eb-45cf-48cc-9677-7613fc79bc99', type: 'BackupCopyJob' }, principal: good.principal };
		const noId = { object: { id: 'job-7', type: 'Job' }, principal: good.principal };
		sim.addFault({ kind: 'answer', status: 200, body: { data: [good, odd, noId], pagination: { total: 3, count: 3, skip: 0, limit: 1000 } }, method: 'POST', pathIncludes: '/api/v1/acl' });
		const run = await h.run({ resource: 'backupAccess', operation: 'getMany', returnAll: true });
		expect(run.error).toBeUndefined();
		expect(run.json).toEqual([
			expect.objectContaining({ objectType: 'backup', objectId: SQL_BACKUP, name: 'SQL Backup' }),
			{ skipped: true, objectId: odd.object.id, objectType: 'BackupCopyJob', problem: expect.stringContaining('has the object type "BackupCopyJob"') },
			{ skipped: true, objectId: 'job-7', objectType: 'Job', problem: expect.stringContaining('object.id is not a UUID') },
		]);
	});
});
