/**
 * Review of Restore Operator → Sync and Access Report on Veeam Backup for Microsoft 365: an account
 * re-made with a leaver's address, duplicate rows, an empty input, a role outside the scope; Access
 * Report's "in the scope of their own role" with exclusions and selected groups.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { VB365_ORG_CONTOSO_ID, type SimServer } from '../../sim';
import { errorText } from '../nodes/Veeam/fixtures';
import { CONTOSO, contoso, useVb365, type Vb365Fixture } from '../nodes/Veeam/vb365/fixture';

const HELPDESK = 'Helpdesk Restore';
const FINANCE = 'Finance Restore';
const mail = (local: string) => `${local}@${CONTOSO}`;

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

const seeded = (): IDataObject[] => [
	{ operator: 'helpdesk@contoso.onmicrosoft.com', type: 'group', roles: HELPDESK },
	{ operator: mail('dave.lee'), roles: [HELPDESK, FINANCE] },
	{ operator: mail('bob.baker'), roles: FINANCE },
];

describe('VB365 review: Sync and Access Report', () => {
	let sim: SimServer;
	let h: Vb365Fixture;
	useVb365((s, f) => {
		sim = s;
		h = f;
	});

	it("R-S1 an account re-made with a leaver's address: Sync gives the NEW account the role (the old entry is not it)", async () => {
		const alice = mail('alice.adams');
		await h.run({ resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: alice, restoreRoles: [HELPDESK] });
		expect(h.vb365.removeObject(VB365_ORG_CONTOSO_ID, 'User', h.idOf(alice))).toBe(true);
		const newId = '11111111-2222-4333-8444-55555555555500000000-0000-0000-0000-000000000000';
		h.vb365.addPrincipal(VB365_ORG_CONTOSO_ID, { kind: 'User', id: newId, name: alice, displayName: 'Alice Adams' });
		const run = await h.run(params('apply', { syncOptions: { maxRemovals: 10, maxRemovalPercent: 100 } }), [...seeded(), { operator: alice, roles: HELPDESK }]);
		expect(errorText(run)).toBe('');
		const ids = (h.role(HELPDESK)?.operators ?? []).map((o) => o.user?.id ?? o.group?.id);
		// The stale entry names a deleted account: only the new account lets Alice restore.
		expect(ids).toContain(newId);
	});

	it('RIGHT: the same operator in two rows (e-mail and display name, one role twice): one operator, added once', async () => {
		const run = await h.run(params('apply'), [...seeded(), { operator: mail('carol.chen'), roles: FINANCE }, { operator: 'Carol Chen', roles: [FINANCE, FINANCE] }]);
		expect(errorText(run)).toBe('');
		const carol = run.json.filter((j) => (j.operator as IDataObject).name === mail("carol.chen"));
		expect(carol).toHaveLength(1);
		expect(carol[0]).toMatchObject({ action: 'add', rolesAdded: [FINANCE] });
		expect(h.operatorsOf(FINANCE)).toEqual([mail('bob.baker'), mail('carol.chen'), mail('dave.lee')]);
		expect(h.changes()).toHaveLength(1);
	});

	it('RIGHT: no input item at all: nothing read that removes, nobody removed', async () => {
		const run = await h.run(params('apply'), []);
		expect(run.json).toEqual([]);
		expect(h.changes()).toEqual([]);
		expect(h.operatorsOf(HELPDESK)).toHaveLength(2);
	});

	it('RIGHT: one row left of the list (a truncated export): Apply refused by the safety limit, nothing sent', async () => {
		const run = await h.run(params('apply'), [{ operator: mail('bob.baker'), roles: FINANCE }], { continueOnFail: true });
		expect(errorText(run) + JSON.stringify(run.json)).toMatch(/safety limit/);
		expect(h.changes()).toEqual([]);
	});

	it('RIGHT: a row naming a role outside Managed Roles: refused naming the role, nothing sent', async () => {
		const run = await h.run(params('apply', { operatorSyncScope: 'roles', operatorSyncScopeRoles: FINANCE }), [
			{ operator: mail('bob.baker'), roles: FINANCE },
			{ operator: mail('dave.lee'), roles: [FINANCE, HELPDESK] },
		], { continueOnFail: true });
		expect(errorText(run) + JSON.stringify(run.json)).toMatch(/Helpdesk Restore.*does not manage/);
		expect(h.changes()).toEqual([]);
	});

	const report = async () => {
		const run = await h.run({ resource: 'restoreOperator', operation: 'accessReport', organizationScope: 'one', organization: contoso(), accessReportOptions: { includeSummary: false } });
		expect(errorText(run)).toBe('');
		return new Map(run.json.filter((j) => j.object === 'operator').map((j) => [String((j.operator as IDataObject).name), j]));
	};

	it('RIGHT: Access Report: an operator excluded from their entire-organization role is not in its scope; one selected through a group is', async () => {
		await h.run({ resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: mail('carol.chen'), restoreRoles: [HELPDESK] });
		const rows = await report();
		// Carol is the Helpdesk role's excluded item.
		expect(rows.get(mail('carol.chen'))).toMatchObject({ wholeOrganization: true, ownDataInScope: false, roles: [{ name: HELPDESK, ownDataInScope: false }] });
		// Bob is a member of the group Finance that Finance Restore selects.
		expect(rows.get(mail('bob.baker'))).toMatchObject({ ownDataInScope: true, roles: [{ name: FINANCE, ownDataInScope: true, inScopeThrough: [{ kind: 'group', displayName: 'Finance' }] }] });
		// Dave: entire organization (Helpdesk), not excluded.
		expect(rows.get(mail('dave.lee'))).toMatchObject({ wholeOrganization: true, ownDataInScope: true });
	});

	it('RIGHT: Access Report: an entire-organization role excluding a group the operator is in: not in scope', async () => {
		await h.run({
			resource: 'role',
			operation: 'update',
			organization: contoso(),
			role: { __rl: true, mode: 'name', value: HELPDESK },
			scopeItems: 'replace',
			excludedItems: { item: [{ kind: 'group', value: 'Helpdesk' }] },
		});
		const rows = await report();
		expect(rows.get(mail('dave.lee'))).toMatchObject({ wholeOrganization: true, ownDataInScope: false });
		expect(sim).toBeDefined();
	});
});

describe('VB365 review: Access Report and a personal site', () => {
	let h: Vb365Fixture;
	useVb365((_s, f) => {
		h = f;
	});

	it("R-S2 an operator whose role selects their own OneDrive (their personal site): not reported as out of their own role's scope", async () => {
		const alice = mail('alice.adams');
		const created = await h.run({
			resource: 'role',
			operation: 'create',
			organization: contoso(),
			roleName: 'Alice OneDrive',
			vb365RoleType: 'SpecificObjects',
			selectedItems: { item: [{ kind: 'site', value: 'https://contoso-my.sharepoint.com/personal/alice_adams_contoso_onmicrosoft_com' }] },
		});
		expect(errorText(created)).toBe('');
		await h.run({ resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: alice, restoreRoles: ['Alice OneDrive'] });
		const run = await h.run({ resource: 'restoreOperator', operation: 'accessReport', organizationScope: 'one', organization: contoso(), accessReportOptions: { includeSummary: false } });
		const row = run.json.find((j) => j.object === 'operator' && (j.operator as IDataObject).name === alice) as IDataObject;
		// Her OneDrive is her own data: "yes", or at least "cannot tell" (null), never a plain "no".
		expect(row.ownDataInScope).not.toBe(false);
	});
});

describe('VB365 review: Sync with a bad row and continueOnFail', () => {
	let h: Vb365Fixture;
	useVb365((_s, f) => {
		h = f;
	});

	it('RIGHT: a row that cannot be read (a typo) with continueOnFail: its current operator is not removed as "not on the list"', async () => {
		const list = [
			{ operator: 'helpdesk@contoso.onmicrosoft.com', type: 'group', roles: HELPDESK },
			{ operator: mail('dave.lee'), roles: [HELPDESK, FINANCE] },
			{ operator: 'Bob Bakerr', roles: FINANCE },
		];
		const run = await h.run(params('apply', { syncOptions: { maxRemovals: 10, maxRemovalPercent: 100 } }), list, { continueOnFail: true });
		expect(h.operatorsOf(FINANCE)).toContain(mail('bob.baker'));
		expect(JSON.stringify(run.json) + errorText(run)).toMatch(/Bob Bakerr/);
	});
});
