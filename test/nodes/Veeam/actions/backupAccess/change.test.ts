/**
 * Backup Access → Change Owner and Set Effective Access against the VBR simulator: idempotent (a
 * state already there is `unchanged`, nothing sent), the whole delegation list merged (Veeam replaces
 * it), every change read back and reported only as the server shows it; a server holding ACL changes
 * under four-eyes (the behaviour Veeam does not state: `aclChanges: 'asUserChanges'`) gives
 * `pendingApproval`; an answer the read-back contradicts is an error.
 */
import type { INodeParameters } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../../../../sim';
import { ACL_SEED } from '../../../../../sim/vbr/acl';
import type { VbrProduct } from '../../../../../sim/vbr/product';
import { ROLE_IDS, VeeamFixture, byId, byName, errorText, routeCount, useSimulator } from '../../fixtures';

const CHANGE_OWNER = 'POST /api/v1/acl/:objectType/:objectId/changeOwner';
const CHANGE_ACCESS = 'POST /api/v1/acl/:objectType/:objectId/changeEffectiveAccess';
const seed = (kind: string, name: string) => ACL_SEED.find((o) => o.kind === kind && o.name === name)!.id;
const SQL_BACKUP = seed('backup', 'SQL Backup');
const DAILY_JOB = seed('backupJob', 'Daily VM Backup');
const SHEILA = 'TECH\\sheila.d.cory';

let sim: SimServer;
let h: VeeamFixture;

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

const access = (mode: string, role: string, rights: string[], object: INodeParameters[string] = byId(SQL_BACKUP), objectType = 'backup') => ({
	resource: 'backupAccess',
	operation: 'setEffectiveAccess',
	objectType,
	object,
	mode,
	role,
	rights,
});
const owner = (newOwner: string, object: INodeParameters[string] = byId(SQL_BACKUP), objectType = 'backup') => ({ resource: 'backupAccess', operation: 'changeOwner', objectType, object, owner: newOwner });
/** The simulator's record of the object, as an administrator reads it. */
const simRecord = (id: string) => (sim.product as VbrProduct).acl.dump().find((r) => (r.object as { id: string }).id === id) as { principal: Record<string, unknown> };

describe('Backup Access → Set Effective Access', () => {
	it('grants, grants more, revokes, sets exactly and revokes all: each read back; a role’s change leaves the other roles’ rights', async () => {
		const steps: Array<[string, string, string[], string, string[]]> = [
			['grant', 'Backup Viewer', ['restore'], 'changed', ['restore']],
			['grant', 'Restore Operator', ['restore'], 'changed', ['restore']],
			['grant', 'Restore Operator', ['restore'], 'unchanged', ['restore']],
			['grant', 'Restore Operator', ['write'], 'changed', ['restore', 'write']],
			['revoke', 'Restore Operator', ['restore'], 'changed', ['write']],
			['set', ROLE_IDS.restoreOperator, ['full'], 'changed', ['full']],
			['revoke', 'restore operator', [], 'changed', []],
			['revoke', 'Restore Operator', ['full'], 'unchanged', []],
		];
		for (const [mode, role, rights, result, after] of steps) {
			const posts = routeCount(sim, CHANGE_ACCESS);
			const run = await h.run(access(mode, role, rights));
			expect(run.error).toBeUndefined();
			expect(run.json[0]).toMatchObject({ result, rights: after, objectId: SQL_BACKUP, name: 'SQL Backup' });
			expect(routeCount(sim, CHANGE_ACCESS) - posts).toBe(result === 'changed' ? 1 : 0);
		}
		// Backup Viewer's restore right, granted first, is still there.
		expect(simRecord(SQL_BACKUP).principal.effectiveAccess).toEqual([{ principal: expect.objectContaining({ id: ROLE_IDS.backupViewer }), rights: ['restore'] }]);
	});

	it('costs, besides the login: role list, record, names, pending requests (the four-eyes snapshot), change, record read back (6 requests)', async () => {
		const run = await h.run(access('grant', 'Restore Operator', ['restore'], byName('Daily VM Backup'), 'backupJob'));
		expect(run.json[0]).toMatchObject({ result: 'changed', objectType: 'backupJob', objectId: DAILY_JOB, previousRights: [], rights: ['restore'] });
		const routes = sim.stats.byRoute;
		const total = Object.entries(routes).filter(([r]) => r !== 'POST /api/oauth2/token').reduce((a, [, n]) => a + n, 0);
		// By name: the jobs' names are read to find the ID, once (kept for the output).
		expect(routes).toMatchObject({ 'GET /api/v1/security/roles': 1, 'GET /api/v1/jobs': 1, 'GET /api/v1/authorization/events': 1, 'GET /api/v1/acl/:objectType/:objectId': 2, [CHANGE_ACCESS]: 1 });
		expect(total).toBe(6);
	});

	it('items about one object run one after another, each merging what the one before left', async () => {
		const run = await h.run(access('grant', '={{ $json.role }}', ['restore']), [{ role: 'Restore Operator' }, { role: 'Backup Viewer' }, { role: 'Backup Operator' }]);
		expect(run.json.map((j) => j.result)).toEqual(['changed', 'changed', 'changed']);
		const granted = (simRecord(SQL_BACKUP).principal.effectiveAccess as Array<{ principal: { id: string } }>).map((d) => d.principal.id).sort();
		expect(granted).toEqual([ROLE_IDS.restoreOperator, ROLE_IDS.backupViewer, ROLE_IDS.backupOperator].sort());
		// Per execution: the role list and the names once; per item: record, change, read-back.
		expect(sim.stats.byRoute).toMatchObject({ 'GET /api/v1/security/roles': 1, 'GET /api/v1/backups': 1, 'GET /api/v1/acl/:objectType/:objectId': 6, [CHANGE_ACCESS]: 3 });
	});
});

describe('Backup Access → Change Owner', () => {
	it('changes the owner, then an owner already set (by name or SID) is unchanged with nothing sent', async () => {
		const run = await h.run(owner(SHEILA));
		expect(run.error).toBeUndefined();
		expect(run.json).toEqual([expect.objectContaining({ result: 'changed', previousOwner: 'TECH\\Administrator', owner: SHEILA, objectId: SQL_BACKUP, name: 'SQL Backup' })]);
		expect(routeCount(sim, CHANGE_OWNER)).toBe(1);
		const sid = String(run.json[0].ownerIdentifier);
		for (const given of ['tech\\SHEILA.D.CORY', sid]) {
			const again = await h.run(owner(given));
			expect(again.json[0]).toMatchObject({ result: 'unchanged', owner: SHEILA });
		}
		expect(routeCount(sim, CHANGE_OWNER)).toBe(1);
	});

	it('an account the server cannot resolve: Veeam’s refusal, per item with Continue On Fail', async () => {
		const run = await h.run(owner('={{ $json.owner }}'), [{ owner: 'TECH\\nobody' }, { owner: SHEILA }], { continueOnFail: true });
		expect(run.items.map((i) => [i.json.result ?? i.json.error, i.pairedItem])).toEqual([
			['Veeam: The account TECH\\nobody cannot be resolved.', { item: 0 }],
			['changed', { item: 1 }],
		]);
	});
});

describe('Backup Access: a change the server does not show', () => {
	it('held under four-eyes (a server that holds ACL changes): pendingApproval with the request, never changed', async () => {
		const held = await startSimulator({ product: 'vbr', vbr: { accessControl: { aclChanges: 'asUserChanges' } } });
		try {
			const f = new VeeamFixture(held);
			(held.product as VbrProduct).authorization.setFourEyes(true, 'VBR01\\security', 7);
			const run = await f.run(owner(SHEILA));
			expect(run.error).toBeUndefined();
			expect(run.json[0]).toMatchObject({
				result: 'pendingApproval',
				requestedOwner: SHEILA,
				owner: 'TECH\\Administrator',
				approval: expect.objectContaining({ name: 'Change owner', createdBy: 'VBR01\\svc-n8n' }),
			});
			const grant = await f.run(access('grant', 'Restore Operator', ['restore']));
			expect(grant.json[0]).toMatchObject({ result: 'pendingApproval', requestedRights: ['restore'], rights: [] });
		} finally {
			await held.close();
		}
	});

	it('answered as done, not shown, no request waiting: an error, nothing reported as changed', async () => {
		const answered = { object: { id: SQL_BACKUP, type: 'backup' }, principal: { owner: { userIdentifier: 'S-1-5-21-1', name: SHEILA }, rights: ['full'] } };
		sim.addFault({ kind: 'answer', status: 200, body: answered, method: 'POST', pathIncludes: '/changeOwner' });
		const run = await h.run(owner(SHEILA));
		expect(run.error?.message).toBe('Veeam answered the owner change as done, but the record read back does not show it');
		expect(simRecord(SQL_BACKUP).principal.owner).toMatchObject({ name: 'TECH\\Administrator' });
	});

	it('a GET read-back that does not show the change is checked once more through the list with forceReload (Veeam: "up-to-date data")', async () => {
		// The first GET (the record before) is real; the second (the read-back) shows the old owner, as a stale cache would.
		const stale = { object: { id: SQL_BACKUP, type: 'backup' }, principal: { owner: { userIdentifier: 'S-1-5-21-1004336348-1177238915-682003330-512', name: 'TECH\\Administrator' }, rights: ['full'], effectiveAccess: [] } };
		sim.addFault({ kind: 'answer', status: 200, body: stale, method: 'GET', pathIncludes: `/api/v1/acl/backup/${SQL_BACKUP}`, after: 1 });
		const run = await h.run(owner(SHEILA));
		expect(run.json[0]).toMatchObject({ result: 'changed', owner: SHEILA });
		expect(sim.stats.recent).toContain('POST /api/v1/acl?forceReload=true');
	});

	it('a record read without its delegations: Set Effective Access refuses, nothing sent (the replace would remove the others)', async () => {
		const hidden = { object: { id: SQL_BACKUP, type: 'backup' }, principal: { owner: { userIdentifier: 'S-1-5-21-1', name: 'TECH\\Administrator' }, rights: ['full'] } };
		sim.addFault({ kind: 'answer', status: 200, body: hidden, method: 'GET', pathIncludes: `/api/v1/acl/backup/${SQL_BACKUP}` });
		const run = await h.run(access('grant', 'Restore Operator', ['restore']));
		expect(run.error?.message).toBe(`The backup ${SQL_BACKUP} was read without its delegations: nothing was sent`);
		expect(errorText(run)).toContain('"only to the owner & admin"');
		expect(routeCount(sim, CHANGE_ACCESS)).toBe(0);
	});

	it('an answer about another object: an error, not read back as this one', async () => {
		sim.addFault({ kind: 'patch', set: { object: { id: DAILY_JOB, type: 'Job' } }, method: 'POST', pathIncludes: '/changeEffectiveAccess' });
		const run = await h.run(access('grant', 'Restore Operator', ['restore']));
		expect(errorText(run)).toContain(`with the record of another object (backupJob ${DAILY_JOB})`);
	});
});

describe('Backup Access: the other roles’ delegations (sent back as read, confirmed as sent)', () => {
	const BACKUP_VIEWER = { id: ROLE_IDS.backupViewer.toUpperCase(), isBuiltIn: true };
	const recordWith = (delegations: unknown[]) => ({
		object: { id: SQL_BACKUP, type: 'backup' },
		principal: { owner: { userIdentifier: 'S-1-5-21-1004336348-1177238915-682003330-512', name: 'TECH\\Administrator' }, rights: ['full'], effectiveAccess: delegations },
	});

	it('a delegation the server listed without its role name (RoleModel requires one) is sent with the role list’s name and its isBuiltIn as read', async () => {
		sim.addFault({ kind: 'answer', status: 200, body: recordWith([{ principal: BACKUP_VIEWER, rights: ['restore'] }]), method: 'GET', pathIncludes: `/api/v1/acl/backup/${SQL_BACKUP}` });
		// The echo fault repeats the body sent.
		sim.addFault({ kind: 'echo', method: 'POST', pathIncludes: '/changeEffectiveAccess' });
		const run = await h.run(access('grant', 'Restore Operator', ['restore']));
		const sent = errorText(run);
		expect(sent).toMatch(/"principal":\{"id":"[0-9a-f-]+","name":"Backup Viewer","isBuiltIn":true\},"rights":\["restore"\]/i);
		expect(sent).not.toContain('"name":""');
	});

	it('a nameless delegation to a role the role list does not have: an error naming it, nothing sent', async () => {
		const unknown = '0f0f0f0f-1111-4222-8333-444455556666';
		sim.addFault({ kind: 'answer', status: 200, body: recordWith([{ principal: { id: unknown }, rights: ['restore'] }]), method: 'GET', pathIncludes: `/api/v1/acl/backup/${SQL_BACKUP}` });
		const run = await h.run(access('grant', 'Restore Operator', ['restore']));
		expect(run.error?.message).toBe(`The backup ${SQL_BACKUP} delegates rights to the role ${unknown}, which the record names without a name and the role list does not have: nothing was sent`);
		expect(routeCount(sim, CHANGE_ACCESS)).toBe(0);
	});

	it('a read-back showing this role’s new rights but another role’s changed (a change raced this one): an error, never changed', async () => {
		expect((await h.run(access('grant', 'Backup Viewer', ['restore']))).json[0]).toMatchObject({ result: 'changed' });
		// Someone else took Backup Viewer's right meanwhile: the GET read-back and the reloaded list both show it gone.
		const raced = recordWith([{ principal: { id: ROLE_IDS.restoreOperator, name: 'Restore Operator' }, rights: ['restore'] }]);
		sim.addFault({ kind: 'answer', status: 200, body: raced, method: 'GET', pathIncludes: `/api/v1/acl/backup/${SQL_BACKUP}`, after: 1 });
		sim.addFault({ kind: 'answer', status: 200, body: { data: [raced], pagination: { total: 1, count: 1, skip: 0, limit: 200 } }, method: 'POST', pathIncludes: '/api/v1/acl', after: 1 });
		const run = await h.run(access('grant', 'Restore Operator', ['restore']));
		expect(run.error?.message).toBe(`The backup ${SQL_BACKUP} shows the role's new rights, but not the other roles' rights as they were sent: another change raced this one`);
		expect(errorText(run)).toContain('Sent for the other roles: Backup Viewer (restore). Read back: none.');
	});
});

describe('Backup Access under four-eyes: a request already waiting, and which request a held change waits for', () => {
	let held: SimServer;
	let f: VeeamFixture;
	beforeAll(async () => {
		held = await startSimulator({ product: 'vbr', vbr: { accessControl: { aclChanges: 'asUserChanges' } } });
		f = new VeeamFixture(held);
	});
	afterAll(async () => {
		await held.close();
	});
	beforeEach(() => {
		held.reset();
		f.resetCredential();
		(held.product as VbrProduct).authorization.setFourEyes(true, 'VBR01\\security', 7);
	});

	it('a rerun while the request waits sends nothing: pendingApproval with alreadyPending (owner and effective access)', async () => {
		for (const params of [owner(SHEILA), access('grant', 'Restore Operator', ['restore'])]) {
			const first = await f.run(params);
			expect(first.json[0]).toMatchObject({ result: 'pendingApproval' });
			expect(first.json[0].alreadyPending).toBeUndefined();
			const before = routeCount(held, CHANGE_OWNER) + routeCount(held, CHANGE_ACCESS);
			const again = await f.run(params);
			expect(again.json[0]).toMatchObject({ result: 'pendingApproval', alreadyPending: true, approval: { id: (first.json[0].approval as { id: string }).id } });
			expect(routeCount(held, CHANGE_OWNER) + routeCount(held, CHANGE_ACCESS)).toBe(before);
		}
	});

	it('a waiting request about another object or the other kind of change does not stop this one', async () => {
		expect((await f.run(owner(SHEILA, byId(DAILY_JOB), 'backupJob'))).json[0]).toMatchObject({ result: 'pendingApproval' });
		expect((await f.run(owner(SHEILA))).json[0]).toMatchObject({ result: 'pendingApproval' });
		const run = await f.run(access('grant', 'Restore Operator', ['restore']));
		expect(run.json[0]).toMatchObject({ result: 'pendingApproval', approval: { name: 'Change effective access', description: expect.stringContaining('SQL Backup') } });
		expect(run.json[0].alreadyPending).toBeUndefined();
		expect(routeCount(held, CHANGE_OWNER)).toBe(2);
		expect(routeCount(held, CHANGE_ACCESS)).toBe(1);
	});

	it('three objects in one execution: each item is pendingApproval with its own request (new since its snapshot), none ambiguous', async () => {
		const backups = ACL_SEED.filter((o) => o.kind === 'backup').slice(0, 3);
		const run = await f.run(access('grant', 'Restore Operator', ['restore'], '={{ { "__rl": true, "mode": "id", "value": $json.id } }}'), backups.map((o) => ({ id: o.id })));
		expect(run.json.map((j) => [j.result, (j.approval as { description: string }).description])).toEqual(backups.map((o) => ['pendingApproval', expect.stringContaining(o.name)]));
		expect(new Set(run.json.map((j) => (j.approval as { id: string }).id)).size).toBe(3);
	});

	it('a change answered as done that files no request while an older request of this account waits: an error, not pendingApproval', async () => {
		expect((await f.run(owner(SHEILA, byId(DAILY_JOB), 'backupJob'))).json[0]).toMatchObject({ result: 'pendingApproval' });
		const answered = { object: { id: SQL_BACKUP, type: 'backup' }, principal: { owner: { userIdentifier: 'S-1-5-21-1', name: SHEILA }, rights: ['full'] } };
		held.addFault({ kind: 'answer', status: 200, body: answered, method: 'POST', pathIncludes: '/changeOwner' });
		const run = await f.run(owner(SHEILA));
		expect(run.error?.message).toBe('Veeam answered the owner change as done, but the record read back does not show it');
	});
});

