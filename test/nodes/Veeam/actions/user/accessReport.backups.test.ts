/**
 * User → Access Report with "Include Backup Access" (VBR 1.3-rev2), through n8n's engine against the
 * simulator: per user the backups and jobs reachable through their roles' delegations and what they
 * own; the restore-only roles that reach every backup flagged (built-in Restore Operator, a custom
 * role's entire backup scope, restore delegated on every backup), groups not expanded; the request
 * cost with and without the option; off by default.
 */
import type { AxiosInstance } from 'axios';

import { startSimulator, VBR_DEFAULT_PASSWORD, type SimServer } from '../../../../../sim';
import { ACL_SEED } from '../../../../../sim/vbr/acl';
import { simClient } from '../../../../support/simClient';
import { VeeamFixture, useSimulator } from '../../fixtures';

const ROLES = '/api/v1/security/roles';
const USERS = '/api/v1/security/users';
const BACKUPS = ACL_SEED.filter((o) => o.kind === 'backup');
const SQL_BACKUP = BACKUPS.find((o) => o.name === 'SQL Backup')!.id;
const FILE_BACKUP = BACKUPS.find((o) => o.name === 'File Server Backup')!.id;

let sim: SimServer;
let h: VeeamFixture;

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

async function admin(): Promise<AxiosInstance> {
	const login = await simClient(sim, { apiVersion: '1.3-rev2' }).post('/api/oauth2/token', new URLSearchParams({ grant_type: 'password', username: 'VBR01\\admin', password: VBR_DEFAULT_PASSWORD }));
	return simClient(sim, { apiVersion: '1.3-rev2', token: (login.data as { access_token: string }).access_token });
}

/** A restore-only custom role (manageRestores only), its restore scope the entire backup scope or not. */
async function restoreRole(c: AxiosInstance, name: string, entireBackupScope: boolean, extra: Record<string, unknown> = {}): Promise<string> {
	const res = await c.post(ROLES, {
		...extra,
		name,
		description: 'test',
		manageBackups: false,
		manageRestores: true,
		restorePermissionsScope: { restoreBackupScope: { entireBackupScope, ...(entireBackupScope ? {} : { backupSources: [] }) }, restoreOptions: { allOptions: true } },
	});
	expect(res.status).toBe(201);
	return (res.data as { id: string }).id;
}

async function user(c: AxiosInstance, name: string, type: string, roleId: string): Promise<void> {
	expect((await c.post(USERS, { name, type, roles: [{ id: roleId, name: 'x' }], isServiceAccount: false })).status).toBe(201);
}

async function delegate(c: AxiosInstance, backupId: string, roles: Array<{ id: string; rights: string[] }>): Promise<void> {
	const body = { effectiveAccess: roles.map((r) => ({ principal: { id: r.id, name: 'x' }, rights: r.rights })) };
	expect((await c.post(`/api/v1/acl/backup/${backupId}/changeEffectiveAccess`, body)).status).toBe(200);
}

const report = (includeBackupAccess?: boolean) => ({ resource: 'user', operation: 'accessReport', reportOptions: includeBackupAccess === undefined ? {} : { includeBackupAccess } });
const requestsBesidesLogin = () => Object.entries(sim.stats.byRoute).filter(([r]) => r !== 'POST /api/oauth2/token').reduce((a, [, n]) => a + n, 0);

describe('User → Access Report with Include Backup Access', () => {
	it('per user: what their roles and ownership reach; restore-only roles reaching every backup flagged; groups not expanded', async () => {
		const c = await admin();
		const scoped = await restoreRole(c, 'Scoped Restore', false);
		const wide = await restoreRole(c, 'Wide Restore', true);
		const everywhere = await restoreRole(c, 'Everywhere Restore', false);
		// Decision 6 as amended (audit D11): an entire inventory is what a role may back up, not restore.
		const inventory = await restoreRole(c, 'Inventory Restore', false, { inventoryScope: { entireInventory: true } });
		await user(c, 'TECH\\inventory', 'InternalUser', inventory);
		await user(c, 'TECH\\scoped', 'InternalUser', scoped);
		await user(c, 'TECH\\Restorers', 'InternalGroup', scoped);
		await user(c, 'TECH\\wide', 'InternalUser', wide);
		await user(c, 'TECH\\everywhere', 'InternalUser', everywhere);
		for (const b of BACKUPS) await delegate(c, b.id, [{ id: everywhere, rights: ['restore'] }, ...(b.id === SQL_BACKUP ? [{ id: scoped, rights: ['restore'] }] : [])]);
		expect((await c.post(`/api/v1/acl/backup/${FILE_BACKUP}/changeOwner`, { owner: 'TECH\\scoped' })).status).toBe(200);

		const run = await h.run(report(true));
		expect(run.error).toBeUndefined();
		const row = (name: string) => run.json.find((j) => j.name === name)!;
		expect(row('TECH\\scoped')).toMatchObject({
			flags: [],
			restoresEveryBackup: false,
			canRestoreCount: 2,
			canManageCount: 1,
			backupAccess: [
				{ objectType: 'backup', objectId: SQL_BACKUP, name: 'SQL Backup', rights: ['restore'], via: ['Scoped Restore'], canRestore: true, canManage: false },
				{ objectType: 'backup', objectId: FILE_BACKUP, name: 'File Server Backup', rights: ['full'], via: ['owner'], canRestore: true, canManage: true },
			].sort((a, b) => BACKUPS.findIndex((o) => o.id === a.objectId) - BACKUPS.findIndex((o) => o.id === b.objectId)),
		});
		expect(row('TECH\\scoped')).not.toHaveProperty('membersNotExpanded');
		expect(row('TECH\\Restorers')).toMatchObject({ membersNotExpanded: true, canRestoreCount: 1, restoresEveryBackup: false });
		expect(row('TECH\\wide')).toMatchObject({ flags: ['restoreEveryBackup'], restoresEveryBackup: true, everyBackupBecause: ['Wide Restore: its restore scope is the entire backup scope'], backupAccess: [] });
		expect(row('TECH\\everywhere')).toMatchObject({ flags: ['restoreEveryBackup'], everyBackupBecause: ['Everywhere Restore: every backup delegates restore or full rights to it'], canRestoreCount: 3 });
		expect(row('TECH\\inventory')).toMatchObject({ flags: [], restoresEveryBackup: false });
		expect(row('TECH\\sheila.d.cory')).toMatchObject({ flags: ['restoreEveryBackup'], everyBackupBecause: ['Restore Operator: the built-in Restore Operator restores from any backup'] });
		// An administrator's reach is not through the ACL: no flag of this kind.
		expect(row('VBR01\\admin')).toMatchObject({ restoresEveryBackup: false, backupAccess: [] });
		const summary = run.json[run.json.length - 1];
		expect(summary).toMatchObject({ restoreEveryBackup: 3, aclRecords: ACL_SEED.length, aclBackups: 3, aclJobs: 2, backupAccessComplete: true, recordsWithoutDelegations: 0, skippedRecords: [] });
		expect(String(summary.text)).toContain('Backup access: 3 backups and 2 jobs in the access control list; 3 users hold a restore-only role that reaches every backup (groups not expanded).');
	});

	it('roles with a server-wide reach count every backup and job they reach (reachesAllBackups / reachesAllJobs), not 0', async () => {
		const c = await admin();
		// A custom role that may restore, its restore scope the entire backup scope.
		const wide = await restoreRole(c, 'Wide Restorer', true);
		await user(c, 'TECH\\wideRestorer', 'InternalUser', wide);
		const run = await h.run(report(true));
		expect(run.error).toBeUndefined();
		const row = (name: string) => run.json.find((j) => j.name === name)!;
		const jobs = ACL_SEED.length - BACKUPS.length;
		expect(row('VBR01\\admin')).toMatchObject({
			reachesAllBackups: true,
			reachesAllJobs: true,
			canRestoreCount: BACKUPS.length,
			canManageCount: BACKUPS.length + jobs,
			serverWideReach: ['Backup Administrator: the built-in Backup Administrator performs all administrative activities'],
			restoresEveryBackup: false,
		});
		expect(row('TECH\\sheila.d.cory')).toMatchObject({ reachesAllBackups: true, reachesAllJobs: false, canRestoreCount: BACKUPS.length, canManageCount: 0, restoresEveryBackup: true });
		expect(row('TECH\\wideRestorer')).toMatchObject({ reachesAllBackups: true, reachesAllJobs: false, canRestoreCount: BACKUPS.length, flags: ['restoreEveryBackup'], serverWideReach: ['Wide Restorer: its restore scope is the entire backup scope'] });
		// No server-wide reach: only what the ACL gives.
		expect(row('VBR01\\viewer')).toMatchObject({ reachesAllBackups: false, reachesAllJobs: false, canRestoreCount: 0, canManageCount: 0 });
		expect(row('VBR01\\viewer')).not.toHaveProperty('serverWideReach');
	});

	it('costs, besides the login and the report’s own requests: ACL, backup and job names, custom roles, one details request per custom role held', async () => {
		const c = await admin();
		const scoped = await restoreRole(c, 'Scoped Restore', false);
		await user(c, 'TECH\\scoped', 'InternalUser', scoped);
		sim.stats.reset();
		const plain = await h.run(report());
		const without = requestsBesidesLogin();
		expect(plain.json[0]).not.toHaveProperty('backupAccess');
		expect(plain.json[plain.json.length - 1]).not.toHaveProperty('restoreEveryBackup');
		sim.stats.reset();
		await h.run(report(true));
		// The list shows no delegations for records that have none: each is read once more (5 records).
		expect(sim.stats.byRoute).toMatchObject({ 'POST /api/v1/acl': 1, 'GET /api/v1/acl/:objectType/:objectId': 5, 'GET /api/v1/backups': 1, 'GET /api/v1/jobs': 1, [`GET ${ROLES}`]: 1, [`GET ${ROLES}/:id/details`]: 1 });
		expect(requestsBesidesLogin() - without).toBe(10);
	});

	it('on API 1.3-rev1 the option is a clear error (the ACL came with 1.3-rev2); without it the report runs as before', async () => {
		h.resetCredential({ apiVersion: '1.3-rev1' });
		const run = await h.run(report(true));
		expect(run.error?.message).toMatch(/needs Veeam Backup & Replication .*1\.3-rev2/);
		h.resetCredential({ apiVersion: '1.3-rev1' });
		expect((await h.run(report(false))).error).toBeUndefined();
	});

	it('a list without delegations (as Veeam’s list example): each record read once more, the access still found', async () => {
		const omitting = await startSimulator({ product: 'vbr', vbr: { accessControl: { aclListOmitsDelegations: true } } });
		try {
			const login = await simClient(omitting, { apiVersion: '1.3-rev2' }).post('/api/oauth2/token', new URLSearchParams({ grant_type: 'password', username: 'VBR01\\admin', password: VBR_DEFAULT_PASSWORD }));
			const c = simClient(omitting, { apiVersion: '1.3-rev2', token: (login.data as { access_token: string }).access_token });
			const scoped = await restoreRole(c, 'Scoped Restore', false);
			await user(c, 'TECH\\scoped', 'InternalUser', scoped);
			await delegate(c, SQL_BACKUP, [{ id: scoped, rights: ['restore'] }]);
			const run = await new VeeamFixture(omitting).run(report(true));
			expect(run.json.find((j) => j.name === 'TECH\\scoped')).toMatchObject({ canRestoreCount: 1, backupAccess: [expect.objectContaining({ objectId: SQL_BACKUP, via: ['Scoped Restore'] })] });
			expect(run.json[run.json.length - 1]).toMatchObject({ backupAccessComplete: true, recordsWithoutDelegations: 0 });
			expect(omitting.stats.byRoute['GET /api/v1/acl/:objectType/:objectId']).toBe(ACL_SEED.length);
		} finally {
			await omitting.close();
		}
	});

	it('a record the node cannot read or one without delegations makes the report say it is incomplete', async () => {
		const hidden = { object: { id: SQL_BACKUP, type: 'Backup' }, principal: { owner: { userIdentifier: 'S-1-5-21-1', name: 'TECH\\Administrator' }, rights: ['full'] } };
		const odd = { object: { id: 'x', type: 'Replica' }, principal: hidden.principal };
		sim.addFault({ kind: 'answer', status: 200, body: { data: [hidden, odd], pagination: { total: 2, count: 2, skip: 0, limit: 1000 } }, method: 'POST', pathIncludes: '/api/v1/acl' });
		sim.addFault({ kind: 'answer', status: 200, body: hidden, method: 'GET', pathIncludes: '/api/v1/acl/' });
		const run = await h.run(report(true));
		expect(run.error).toBeUndefined();
		const summary = run.json[run.json.length - 1];
		expect(summary).toMatchObject({ backupAccessComplete: false, recordsWithoutDelegations: 1, skippedRecords: [{ objectId: 'x', objectType: 'Replica', problem: expect.any(String) }] });
		expect(String(summary.text)).toContain('Incomplete: 1 record read without delegations');
		expect(String(summary.text)).toContain('1 record the node cannot read left out');
	});
});
