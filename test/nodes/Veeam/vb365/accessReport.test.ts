/**
 * Restore Operator → Access Report on Veeam Backup for Microsoft 365, through n8n's engine against
 * the simulator's seed: Contoso's "Helpdesk Restore" (entire organization, carol excluded; operators
 * group Helpdesk {alice, bob, dave} and dave) and "Finance Restore" (Finance site and team, group
 * Finance {bob, finance.mailbox}; operators bob and dave); Fabrikam's "Fabrikam Restore" (entire
 * organization; operators dave.lee@fabrikam and group Service Desk).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { VB365_ORG_CONTOSO_ID, type SimServer } from '../../../../sim';
import { CONTOSO, FABRIKAM, contoso, useVb365, type Vb365Fixture } from './fixture';

let sim: SimServer;
let h: Vb365Fixture;
useVb365((s, fixture) => {
	sim = s;
	h = fixture;
});

const params = (extra: INodeParameters = {}): INodeParameters => ({ resource: 'restoreOperator', operation: 'accessReport', ...extra });
const rowsOf = (json: IDataObject[]) => json.filter((j) => j.object === 'operator');
const key = (j: IDataObject) => `${String((j.organization as IDataObject).name)}|${String((j.operator as IDataObject).name)}`;

test('every organization: one item per operator and organization, what they may restore, the flags, and a summary', async () => {
	sim.stats.reset();
	const run = await h.run(params());
	expect(run.error).toBeUndefined();
	const rows = new Map(rowsOf(run.json).map((j) => [key(j), j]));
	expect([...rows.keys()].sort()).toEqual(
		[`${CONTOSO}|bob.baker@${CONTOSO}`, `${CONTOSO}|dave.lee@${CONTOSO}`, `${CONTOSO}|helpdesk@${CONTOSO}`, `${FABRIKAM}|dave.lee@${FABRIKAM}`, `${FABRIKAM}|service.desk@${FABRIKAM}`].sort(),
	);
	// dave (Contoso): entire organization (Helpdesk) and Finance: their own mailbox is in scope.
	const dave = rows.get(`${CONTOSO}|dave.lee@${CONTOSO}`) as IDataObject;
	expect(dave.flags).toEqual(['ownDataInScope', 'wholeOrganization']);
	expect(dave.mayRestore).toMatchObject({ entireOrganization: true, items: [], except: [{ kind: 'user', name: `carol.chen@${CONTOSO}` }] });
	// bob: Finance only: the Finance group (he is a member, read from its members) puts him in scope.
	const bob = rows.get(`${CONTOSO}|bob.baker@${CONTOSO}`) as IDataObject;
	expect(bob.flags).toEqual(['ownDataInScope']);
	const finance = (bob.roles as IDataObject[])[0];
	expect(finance).toMatchObject({ name: 'Finance Restore', scope: 'specificObjects', ownDataInScope: true, inScopeThrough: [{ kind: 'group', name: `finance@${CONTOSO}` }] });
	expect(((bob.mayRestore as IDataObject).items as IDataObject[]).map((i) => i.kind).sort()).toEqual(['group', 'site', 'team']);
	// The Helpdesk group: entire organization (its members, each their own data).
	expect(rows.get(`${CONTOSO}|helpdesk@${CONTOSO}`)?.flags).toEqual(['ownDataInScope', 'wholeOrganization']);
	const summary = run.json[run.json.length - 1];
	expect(summary).toMatchObject({ summary: true, roles: 3, operators: 5, users: 3, groups: 2, roleWithoutOperator: 0, wholeOrganization: 4 });
	expect(String(summary.text)).toMatch(/^5 operators \(3 users, 2 groups\) in 3 roles/);
	// Group members come from VB365's cache (Veeam's default dataSource): said in the summary.
	expect(summary.groupMembersRead).toBe(1);
	expect(summary.groupMembership).toMatch(/last synchronized the organization/);
	// Read-only: nothing changed. Reads: the role list once, per role its operators and excluded items, its selected items if specific.
	expect(h.changes()).toEqual([]);
	expect(sim.stats.byRoute['GET /:version/RbacRoles']).toBe(1);
	expect(sim.stats.byRoute['GET /:version/RbacRoles/:roleId/operators']).toBe(3);
	expect(sim.stats.byRoute['GET /:version/RbacRoles/:roleId/excludedItems']).toBe(3);
	expect(sim.stats.byRoute['GET /:version/RbacRoles/:roleId/selectedItems']).toBe(1);
});

test('one organization; a role nobody holds is its own flagged item; Flagged Only and no summary', async () => {
	// A role with no operator (the simulator's seed: Seed Role 001, entire organization).
	h.vb365.seedUsers({ count: 0, roleCount: 1, operatorsPerRole: 0 });
	const run = await h.run(params({ organizationScope: 'one', organization: contoso(), accessReportOptions: { flaggedOnly: true, includeSummary: false } }));
	expect(run.error).toBeUndefined();
	expect(run.json.every((j) => j.flagged === true)).toBe(true);
	expect(run.json.every((j) => (j.organization as IDataObject).id === VB365_ORG_CONTOSO_ID)).toBe(true);
	expect(run.json.some((j) => j.summary)).toBe(false);
	expect(run.json.filter((j) => j.object === 'role')).toEqual([expect.objectContaining({ name: 'Seed Role 001', scope: 'entireOrganization', flags: ['roleWithoutOperator'] })]);
	// Flagged only: dave, bob and the Helpdesk group are flagged; Fabrikam's operators are another organization's.
	expect(rowsOf(run.json).map((j) => (j.operator as IDataObject).name).sort()).toEqual([`bob.baker@${CONTOSO}`, `dave.lee@${CONTOSO}`, `helpdesk@${CONTOSO}`]);
});

test('Read Group Members off: a group that decides is "cannot tell", and no members are read', async () => {
	sim.stats.reset();
	const run = await h.run(params({ accessReportOptions: { readGroupMembers: false } }));
	expect(run.error).toBeUndefined();
	const bob = rowsOf(run.json).find((j) => key(j) === `${CONTOSO}|bob.baker@${CONTOSO}`);
	expect(bob?.flags).toEqual(['ownDataMaybeInScope']);
	expect(bob?.ownDataInScope).toBeNull();
	const summary = run.json[run.json.length - 1];
	expect(summary.groupMembersRead).toBe(0);
	expect(summary.groupMembership).toBeUndefined();
	expect(Object.keys(sim.stats.byRoute).filter((r) => r.includes('Members') && sim.stats.byRoute[r] > 0)).toEqual([]);
});

test('an unknown organization is refused naming the field and the item, nothing read beyond the organizations', async () => {
	const run = await h.run(params({ organizationScope: 'one', organization: { __rl: true, mode: 'name', value: 'nowhere.example' } }));
	expect(run.error?.message).toMatch(/^Organization \(item 0\): /);
});

test('cost: one role list, per role its operators and excluded items (and selected ones if specific), one members read per deciding group', async () => {
	h.vb365.seedUsers({ count: 500, organizationName: 'bench.onmicrosoft.com', roleCount: 100, groups: 10, operatorsPerRole: 3 });
	sim.stats.reset();
	const run = await h.run(params({ organizationScope: 'one', organization: { __rl: true, mode: 'name', value: 'bench.onmicrosoft.com' }, accessReportOptions: { concurrency: 8 } }));
	expect(run.error).toBeUndefined();
	const routes = sim.stats.byRoute;
	expect(routes['GET /:version/Organizations/:organizationId/RbacRoles']).toBe(1);
	expect(routes['GET /:version/RbacRoles/:roleId/operators']).toBe(100);
	expect(routes['GET /:version/RbacRoles/:roleId/excludedItems']).toBe(100);
	// Every other seeded role is specific (a user and a group selected).
	expect(routes['GET /:version/RbacRoles/:roleId/selectedItems']).toBe(50);
	// Each of the 10 groups decides for some operator: read once each, however many roles select it.
	expect(routes['GET /:version/Organizations/:organizationId/Groups/:groupId/Members']).toBe(10);
	expect(h.changes().filter((c) => !c.startsWith('seed '))).toEqual([]);
	const summary = run.json[run.json.length - 1];
	expect(summary).toMatchObject({ summary: true, roles: 100 });
});
