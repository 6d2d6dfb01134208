/**
 * Review of Veeam Backup for Microsoft 365, more cases: a shared mailbox as operator, a role of
 * another organization given by ID, Get Many filters, Access Report flags after the last operator
 * of a role is revoked.
 */
import type { IDataObject } from 'n8n-workflow';

import { VB365_ROLE_FABRIKAM_ID, type SimServer } from '../../sim';
import { errorText } from '../nodes/Veeam/fixtures';
import { contoso, useVb365, type Vb365Fixture } from '../nodes/Veeam/vb365/fixture';

describe('VB365 review: more', () => {
	let sim: SimServer;
	let h: Vb365Fixture;
	useVb365((s, f) => {
		sim = s;
		h = f;
	});

	it('RIGHT: a shared mailbox granted: sent with the operator type Veeam\'s schema names (SharedMailbox), read back', async () => {
		const run = await h.run({ resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: 'finance.mailbox@contoso.onmicrosoft.com', restoreRoles: ['Finance Restore'] });
		expect(errorText(run)).toBe('');
		expect(run.json[0]).toMatchObject({ action: 'granted' });
		expect(h.operatorsOf('Finance Restore')).toContain('finance.mailbox@contoso.onmicrosoft.com');
	});

	it("RIGHT: Grant naming another organization's role by ID: refused, nothing sent", async () => {
		const run = await h.run({ resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: 'alice.adams@contoso.onmicrosoft.com', restoreRoles: [VB365_ROLE_FABRIKAM_ID] }, [{}], { continueOnFail: true });
		expect(String(run.json[0].error)).toMatch(/Role Names or IDs \(item 0\): no role of the organization contoso\.onmicrosoft\.com has the ID/);
		expect(h.changes()).toEqual([]);
	});

	it('RIGHT: Get Many by type and name pattern across organizations; a role name filter over both organizations', async () => {
		const run = await h.run({ resource: 'restoreOperator', operation: 'getMany', organizationScope: 'all', returnAll: true, filters: { operatorType: 'user', namePattern: 'dave' } });
		expect(run.json.map((j) => (j.operator as IDataObject).name)).toEqual(['dave.lee@contoso.onmicrosoft.com', 'dave.lee@fabrikam.onmicrosoft.com']);
		const groups = await h.run({ resource: 'restoreOperator', operation: 'getMany', organizationScope: 'one', organization: contoso(), returnAll: true, filters: { operatorType: 'group' } });
		expect(groups.json.map((j) => (j.operator as IDataObject).displayName)).toEqual(['Helpdesk']);
	});

	it('RIGHT: Access Report after the last operators of a role are revoked: the role is flagged as without operator', async () => {
		for (const who of ['bob.baker@contoso.onmicrosoft.com', 'dave.lee@contoso.onmicrosoft.com']) {
			const run = await h.run({ resource: 'restoreOperator', operation: 'revoke', organization: contoso(), operator: who, revokeFrom: 'roles', restoreRoles: ['Finance Restore'] });
			expect(run.json[0]).toMatchObject({ action: 'revoked' });
		}
		const report = await h.run({ resource: 'restoreOperator', operation: 'accessReport', organizationScope: 'one', organization: contoso(), accessReportOptions: { includeSummary: false } });
		expect(errorText(report)).toBe('');
		const lonely = report.json.filter((j) => j.object !== 'operator');
		expect(JSON.stringify(lonely)).toMatch(/Finance Restore/);
		expect(JSON.stringify(lonely)).toMatch(/roleWithoutOperator/);
		expect(sim).toBeDefined();
	});
});

describe('VB365 review: a hostile server error', () => {
	let sim: SimServer;
	let h: Vb365Fixture;
	useVb365((s, f) => {
		sim = s;
		h = f;
	});

	it("RIGHT: a 500 with a .NET stack trace and a long message: the item fails naming the call, without the trace, the message bounded", async () => {
		const trace = '   at Veeam.Archiver.REST.Controllers.RbacController.AddOperators()\r\n   at System.Web.Http.ApiControllerActionInvoker.InvokeActionAsync()';
		sim.addFault({ kind: 'answer', status: 500, body: { message: `Boom ${'x'.repeat(20_000)}`, errorCode: 'HttpError', stackTrace: trace }, method: 'POST', pathIncludes: '/operators', count: 5 });
		const run = await h.run({ resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: 'alice.adams@contoso.onmicrosoft.com', restoreRoles: ['Finance Restore'] }, [{}], { continueOnFail: true });
		const error = JSON.stringify(run.json[0].error ?? '') + JSON.stringify(run.json[0]);
		expect(error).toMatch(/Boom/);
		expect(error).not.toMatch(/ApiControllerActionInvoker|Veeam\.Archiver/);
		expect(error.length).toBeLessThan(12_000);
		expect(h.operatorsOf('Finance Restore')).not.toContain('alice.adams@contoso.onmicrosoft.com');
	});
});

describe('VB365 review: API v7', () => {
	let h: Vb365Fixture;
	useVb365((_s, f) => {
		h = f;
	});

	it('RIGHT: on v7 a group without a mail name (Restore Desk) is granted, Revoked, and a role created (POST answered 200 on v7)', async () => {
		h.resetCredential({ apiVersion: 'v7' });
		const grant = await h.run({ resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: 'Restore Desk', operatorType: 'group', restoreRoles: ['Finance Restore'] });
		expect(errorText(grant)).toBe('');
		expect(grant.json[0]).toMatchObject({ action: 'granted' });
		const created = await h.run({ resource: 'role', operation: 'create', organization: contoso(), roleName: 'V7 Role', vb365RoleType: 'EntireOrganization' });
		expect(created.json[0]).toMatchObject({ action: 'created' });
		const revoke = await h.run({ resource: 'restoreOperator', operation: 'revoke', organization: contoso(), operator: 'Restore Desk', operatorType: 'group' });
		expect(revoke.json[0]).toMatchObject({ action: 'revoked' });
		expect(h.operatorsOf('Finance Restore')).not.toContain('group:Restore Desk');
	});
});
