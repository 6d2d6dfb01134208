/**
 * Restore Operator → Sync on Veeam Backup for Microsoft 365, through n8n's engine against the
 * simulator (sim/vb365, seeded Contoso: "Helpdesk Restore" entire organization, operators group
 * Helpdesk and dave.lee; "Finance Restore" specific objects, operators bob.baker and dave.lee).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import type { SimServer } from '../../../../sim';
import { CONTOSO, contoso, useVb365, type Vb365Fixture } from './fixture';

let sim: SimServer;
let h: Vb365Fixture;
useVb365((s, fixture) => {
	sim = s;
	h = fixture;
});

const HELPDESK = 'Helpdesk Restore';
const FINANCE = 'Finance Restore';
const mail = (local: string) => `${local}@${CONTOSO}`;

interface Row extends IDataObject {
	operator: string;
	roles: string | string[];
	type?: string;
}

const params = (mode: string, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'restoreOperator',
	operation: 'sync',
	organization: contoso(),
	operator: '={{ $json.operator }}',
	operatorType: '={{ $json.type ?? "user" }}',
	restoreRoles: '={{ $json.roles }}',
	syncMode: mode,
	...extra,
});

/** The seeded state as rows: every operator of both roles. */
const seeded = (): Row[] => [
	{ operator: 'helpdesk@contoso.onmicrosoft.com', type: 'group', roles: HELPDESK },
	{ operator: mail('dave.lee'), roles: [HELPDESK, FINANCE] },
	{ operator: mail('bob.baker'), roles: FINANCE },
];

const byOperator = (json: IDataObject[]) => new Map(json.map((j) => [String((j.operator as IDataObject).name), j]));

test('the seeded state as the list: every operator unchanged, nothing sent', async () => {
	const run = await h.run(params('apply'), seeded());
	expect(run.error).toBeUndefined();
	expect(run.json.map((j) => j.action)).toEqual(['unchanged', 'unchanged', 'unchanged']);
	expect(run.json.map((j) => j.result)).toEqual(['nothingToDo', 'nothingToDo', 'nothingToDo']);
	expect(h.changes()).toEqual([]);
});

test('Plan shows adds, role changes and removals and changes nothing; Apply with the approved plan id makes them and reads them back', async () => {
	const list: Row[] = [
		{ operator: 'helpdesk@contoso.onmicrosoft.com', type: 'group', roles: HELPDESK },
		// dave loses Finance; carol (by display name) is new in Finance; the same operator in two rows adds up.
		{ operator: mail('dave.lee'), roles: HELPDESK },
		{ operator: 'Carol Chen', roles: FINANCE },
		{ operator: mail('carol.chen'), roles: HELPDESK },
		// bob: not listed: removed from Finance.
	];
	const plan = await h.run(params('plan'), list);
	expect(plan.error).toBeUndefined();
	expect(h.changes()).toEqual([]);
	const steps = byOperator(plan.json);
	expect(steps.get(mail('carol.chen'))).toMatchObject({ action: 'add', rolesBefore: [] });
	expect((steps.get(mail('carol.chen'))?.rolesAdded as string[]).sort()).toEqual([FINANCE, HELPDESK]);
	expect(steps.get(mail('dave.lee'))).toMatchObject({ action: 'changeRoles', rolesRemoved: [FINANCE], rolesAdded: [] });
	expect(steps.get(mail('bob.baker'))).toMatchObject({ action: 'remove', rolesRemoved: [FINANCE] });
	expect(steps.get('helpdesk@contoso.onmicrosoft.com')).toMatchObject({ action: 'unchanged' });
	expect(steps.get(mail('carol.chen'))?.organization).toMatchObject({ name: CONTOSO });
	const planId = String(plan.json[0].planId);
	expect(plan.json.every((j) => j.planId === planId)).toBe(true);
	// carol's two rows pair with both items; bob, whom the list does not name, with every item.
	const carol = plan.items.find((i) => (i.json.operator as IDataObject).name === mail('carol.chen'));
	expect(carol?.pairedItem).toEqual([{ item: 2 }, { item: 3 }]);

	const apply = await h.run(params('apply', { syncOptions: { approvedPlanId: planId } }), list);
	expect(apply.error).toBeUndefined();
	const results = byOperator(apply.json);
	expect(results.get(mail('carol.chen'))?.result).toBe('added');
	expect(results.get(mail('dave.lee'))?.result).toBe('rolesChanged');
	expect(results.get(mail('bob.baker'))?.result).toBe('removed');
	expect(h.operatorsOf(FINANCE)).toEqual([mail('carol.chen')]);
	expect(h.operatorsOf(HELPDESK)).toEqual([mail('carol.chen'), mail('dave.lee'), 'group:Helpdesk'].sort());
	// One add per role (Helpdesk: carol; Finance: carol) and one removal (Finance: bob and dave together).
	const writes = h.changes();
	expect(writes.filter((w) => /add|post/i.test(w))).toHaveLength(2);
	expect(writes.filter((w) => /remove|delete/i.test(w))).toHaveLength(1);

	// Run again: nothing left to do.
	const again = await h.run(params('plan'), list);
	expect(again.json.every((j) => j.action === 'unchanged')).toBe(true);
});

test('Apply refuses a plan that is not the approved one, and one beyond the safety limit, changing nothing', async () => {
	const list: Row[] = [{ operator: mail('dave.lee'), roles: [HELPDESK, FINANCE] }];
	const other = await h.run(params('apply', { syncOptions: { approvedPlanId: 'f'.repeat(64), maxRemovals: 10, maxRemovalPercent: 100 } }), list);
	expect(other.error?.message).toMatch(/Approved Plan ID \(item 0\): the plan is now [0-9a-f]{64}, not the approved f+/);
	// helpdesk and bob removed: 2 of 3 operators (67 %): over the default 50 %.
	const plan = await h.run(params('plan'), list);
	expect(plan.json.filter((j) => j.warning).map((j) => (j.operator as IDataObject).name).sort()).toEqual([mail('bob.baker'), 'helpdesk@contoso.onmicrosoft.com']);
	expect(String(plan.json.find((j) => j.warning)?.warning)).toMatch(/removes 2 of 3 operators from every role in scope \(67 %\), more than the safety limit allows \(at most 10 operators and 50 %\)/);
	const refused = await h.run(params('apply'), list);
	expect(refused.error?.message).toMatch(/^Sync refused: the plan removes 2 of 3 operators/);
	expect(h.changes()).toEqual([]);
	const allowed = await h.run(params('apply', { syncOptions: { maxRemovalPercent: 70 } }), list);
	expect(allowed.error).toBeUndefined();
	expect(h.operatorsOf(HELPDESK)).toEqual([mail('dave.lee')]);
});

test('Some Roles in scope: other roles are neither read nor changed', async () => {
	sim.stats.reset();
	const run = await h.run(params('apply', { operatorSyncScope: 'roles', operatorSyncScopeRoles: [FINANCE], syncOptions: { maxRemovalPercent: 100 } }), [{ operator: mail('alice.adams'), roles: FINANCE }]);
	expect(run.error).toBeUndefined();
	expect(h.operatorsOf(FINANCE)).toEqual([mail('alice.adams')]);
	expect(h.operatorsOf(HELPDESK)).toEqual([mail('dave.lee'), 'group:Helpdesk'].sort());
	// Finance's operators: read once for the plan, then once after the add and once after the removal; Helpdesk's never.
	const routes = sim.stats.byRoute;
	expect(routes['GET /:version/RbacRoles/:roleId/operators']).toBe(3);
	expect(routes['POST /:version/RbacRoles/:roleId/operators']).toBe(1);
	expect(routes['DELETE /:version/RbacRoles/:roleId/operators']).toBe(1);
	expect(routes['GET /:version/Organizations/:organizationId/RbacRoles']).toBe(1);
});

test('bad items fail before anything is sent, naming field and item; with Continue On Fail each becomes an error item', async () => {
	const list: Row[] = [
		{ operator: mail('dave.lee'), roles: [HELPDESK, FINANCE] },
		{ operator: 'nobody@contoso.onmicrosoft.com', roles: HELPDESK },
		{ operator: mail('bob.baker'), roles: 'No Such Role' },
		{ operator: 'helpdesk@contoso.onmicrosoft.com', roles: HELPDESK },
		{ operator: 'Sam Taylor', roles: HELPDESK },
	];
	const run = await h.run(params('apply'), list);
	expect(run.error?.message).toMatch(/^Role Names or IDs \(item 2\): "No Such Role" is no restore operator role/);
	expect(h.changes()).toEqual([]);
	const fixed = list.filter((_, i) => i !== 2);
	const lookups = await h.run(params('apply'), fixed, { continueOnFail: true });
	expect(lookups.error).toBeUndefined();
	expect(lookups.items.map((i) => [i.pairedItem, String(i.json.error)])).toEqual([
		[{ item: 1 }, expect.stringMatching(/^Operator \(item 1\): no Microsoft 365 user "nobody@contoso.onmicrosoft.com"/)],
		// A group's name given as a user: never taken for the group.
		[{ item: 2 }, expect.stringMatching(/^Operator \(item 2\): (no Microsoft 365 user "helpdesk@|"helpdesk@contoso.onmicrosoft.com" is a Microsoft 365 group)/)],
		// Two users of that display name: refused naming their IDs.
		[{ item: 3 }, expect.stringMatching(/^Operator \(item 3\): .*Sam Taylor/)],
	]);
	expect(h.changes()).toEqual([]);
});

test('an organization other than item 0\'s is refused; a role out of scope is refused', async () => {
	const run = await h.run(params('plan', { organization: '={{ $json.org }}' }), [
		{ operator: mail('dave.lee'), roles: HELPDESK, org: CONTOSO },
		{ operator: mail('bob.baker'), roles: FINANCE, org: 'fabrikam.onmicrosoft.com' },
	]);
	expect(run.error?.message).toMatch(/^Organization \(item 1\): is "fabrikam.onmicrosoft.com", but a sync is about one organization/);
	const scoped = await h.run(params('plan', { operatorSyncScope: 'roles', operatorSyncScopeRoles: [FINANCE] }), [{ operator: mail('dave.lee'), roles: [HELPDESK, FINANCE] }]);
	expect(scoped.error?.message).toMatch(/^Role Names or IDs \(item 0\): "Helpdesk Restore" is a role this sync does not manage/);
});

test('on API v7 (organizations as a plain array, operators typed as items) the same sync plans and applies alike', async () => {
	h.resetCredential({ apiVersion: 'v7' });
	// Only v7 served: a request on any other version would fail.
	h.vb365.serveVersions(['v7']);
	try {
		await syncOnV7();
	} finally {
		h.vb365.serveVersions(['v6', 'v7', 'v8']);
	}
});

async function syncOnV7(): Promise<void> {
	const list: Row[] = [...seeded().filter((r) => r.operator !== mail('bob.baker')), { operator: mail('alice.adams'), roles: FINANCE }];
	const run = await h.run(params('apply'), list);
	expect(run.error).toBeUndefined();
	const results = byOperator(run.json);
	expect(results.get(mail('bob.baker'))?.result).toBe('removed');
	expect(results.get(mail('alice.adams'))?.result).toBe('added');
	expect(h.operatorsOf(FINANCE)).toEqual([mail('alice.adams'), mail('dave.lee')]);
}

test('a change the server answers but does not make is never reported done: the read-back fails it, naming the operator and the role', async () => {
	const finance = String(h.role(FINANCE)?.id);
	// The server says 204 to the add without adding anyone (each retry too).
	sim.addFault({ kind: 'answer', status: 204, method: 'POST', pathIncludes: `${finance}/operators`, count: 10 });
	const list: Row[] = [...seeded(), { operator: mail('alice.adams'), roles: FINANCE }, { operator: mail('carol.chen'), roles: HELPDESK }];
	// With Continue On Fail: alice failed, carol added to Helpdesk all the same.
	const more = await h.run(params('apply'), list, { continueOnFail: true });
	expect(more.error).toBeUndefined();
	const results = byOperator(more.json);
	expect(results.get(mail('alice.adams'))).toMatchObject({ result: 'failed', error: expect.stringMatching(/Finance Restore/) });
	expect(results.get(mail('carol.chen'))?.result).toBe('added');
	expect(h.operatorsOf(HELPDESK)).toContain(mail('carol.chen'));
	// Without it: the run stops, naming the operator and the role; alice is still no operator.
	const run = await h.run(params('apply'), list);
	expect(run.error?.message).toMatch(/^Sync stopped at operator alice.adams@contoso.onmicrosoft.com: adding to Finance Restore: /);
	expect(h.operatorsOf(FINANCE)).toEqual([mail('bob.baker'), mail('dave.lee')]);
});

test("a refused removal fails its operators with the server's message (never its stack trace); the adds before it stand", async () => {
	const helpdesk = String(h.role(HELPDESK)?.id);
	sim.addFault({ kind: 'answer', status: 403, body: { message: 'Access denied.', errorCode: 'ResourceAccessDenied', stackTrace: '   at Veeam.Archiver.REST.Rbac.RemoveOperators()' }, method: 'DELETE', pathIncludes: `${helpdesk}/operators`, count: 10 });
	const list: Row[] = [
		{ operator: mail('dave.lee'), roles: [HELPDESK, FINANCE] },
		{ operator: mail('bob.baker'), roles: FINANCE },
		{ operator: mail('alice.adams'), roles: FINANCE },
	];
	const run = await h.run(params('apply'), list);
	expect(run.error?.message).toMatch(/^Sync stopped at operator helpdesk@contoso.onmicrosoft.com: removing from Helpdesk Restore: /);
	expect(String((run.error as { description?: string }).description)).toMatch(/^Done before: added to Finance Restore\. Role changes not started: 0\./);
	expect(h.operatorsOf(FINANCE)).toEqual([mail('alice.adams'), mail('bob.baker'), mail('dave.lee')]);
	expect(h.operatorsOf(HELPDESK)).toContain('group:Helpdesk');
});
