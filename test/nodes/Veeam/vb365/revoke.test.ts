/**
 * Restore Operator → Revoke on Veeam Backup for Microsoft 365, through n8n's engine against the
 * simulator: from every role of the organization or the roles named, read back; nothing to remove is
 * `unchanged` with nothing sent; a leaver gone from Microsoft 365 is still matched among the
 * operators; the cost (the role list, one operators read per role, one change per role that
 * names the person, here plus its read-back).
 */
import { VB365_ORG_CONTOSO_ID, VB365_ORG_FABRIKAM_ID, type SimServer } from '../../../../sim';
import { errorText } from '../fixtures';
import { byName, contoso, useVb365, type Vb365Fixture } from './fixture';

const DAVE = 'dave.lee@contoso.onmicrosoft.com';

describe('VB365: Restore Operator → Revoke', () => {
	let sim: SimServer;
	let h: Vb365Fixture;
	useVb365((s, f) => {
		sim = s;
		h = f;
	});

	const revoke = (operator: string, extra: Record<string, unknown> = {}) => ({ resource: 'restoreOperator', operation: 'revoke', organization: contoso(), operator, ...extra });
	/** Requests of `method` whose route matches `path`. */
	const count = (method: string, path: RegExp) =>
		Object.entries(sim.stats.byRoute)
			.filter(([route]) => route.startsWith(`${method} `) && path.test(route))
			.reduce((sum, [, n]) => sum + n, 0);

	it('removes a user from every role of the organization that names it, read back; again: unchanged, nothing sent', async () => {
		const run = await h.run(revoke('Dave Lee'));
		expect(errorText(run)).toBe('');
		expect(run.json[0]).toMatchObject({
			action: 'revoked',
			operator: { name: DAVE, kind: 'user' },
			foundInOrganization: true,
			roles: [
				{ name: 'Helpdesk Restore', result: 'removed' },
				{ name: 'Finance Restore', result: 'removed' },
			],
		});
		expect(h.operatorsOf('Helpdesk Restore')).not.toContain(DAVE);
		expect(h.operatorsOf('Finance Restore')).not.toContain(DAVE);
		// Fabrikam's Dave Lee is another person.
		expect(h.operatorsOf('Fabrikam Restore', VB365_ORG_FABRIKAM_ID)).toContain('dave.lee@fabrikam.onmicrosoft.com');
		const changes = h.changes().length;
		const again = await h.run(revoke(DAVE));
		expect(again.json[0]).toMatchObject({ action: 'unchanged', roles: [] });
		expect(h.changes()).toHaveLength(changes);
	});

	it('removes it from the roles named only, saying which named role did not name it', async () => {
		const run = await h.run(revoke(DAVE, { revokeFrom: 'roles', restoreRoles: ['Finance Restore'] }));
		expect(run.json[0]).toMatchObject({ action: 'revoked', roles: [{ name: 'Finance Restore', result: 'removed' }] });
		expect(h.operatorsOf('Helpdesk Restore')).toContain(DAVE);
		const other = await h.run(revoke('bob.baker@contoso.onmicrosoft.com', { revokeFrom: 'roles', restoreRoles: ['Helpdesk Restore'] }));
		expect(other.json[0]).toMatchObject({ action: 'unchanged', roles: [{ name: 'Helpdesk Restore', result: 'notOperator' }] });
	});

	it('removes a group operator as a group', async () => {
		const run = await h.run(revoke('Helpdesk', { operatorType: 'group' }));
		expect(run.json[0]).toMatchObject({ action: 'revoked', operator: { kind: 'group', displayName: 'Helpdesk' }, roles: [{ name: 'Helpdesk Restore', result: 'removed' }] });
		expect(h.operatorsOf('Helpdesk Restore')).toEqual([DAVE]);
	});

	it('a leaver whose account is gone from Microsoft 365 is still removed, matched among the operators by e-mail', async () => {
		expect(h.vb365.removeObject(VB365_ORG_CONTOSO_ID, 'User', h.idOf(DAVE))).toBe(true);
		const run = await h.run(revoke(DAVE));
		expect(run.json[0]).toMatchObject({ action: 'revoked', foundInOrganization: false, operator: { name: DAVE } });
		expect(h.operatorsOf('Helpdesk Restore')).not.toContain(DAVE);
		expect(h.operatorsOf('Finance Restore')).not.toContain(DAVE);
	});

	it("an account re-made with a leaver's address: Grant adds the new account (the old entry is not it), Revoke removes both entries", async () => {
		const alice = 'alice.adams@contoso.onmicrosoft.com';
		await h.run({ resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: alice, restoreRoles: ['Helpdesk Restore'] });
		h.vb365.removeObject(VB365_ORG_CONTOSO_ID, 'User', h.idOf(alice));
		const newId = '11111111-2222-4333-8444-55555555555500000000-0000-0000-0000-000000000000';
		h.vb365.addPrincipal(VB365_ORG_CONTOSO_ID, { kind: 'User', id: newId, name: alice, displayName: 'Alice Adams' });
		const grant = await h.run({ resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: alice, restoreRoles: ['Helpdesk Restore'] });
		expect(grant.json[0]).toMatchObject({ action: 'granted', operator: { id: newId }, roles: [{ result: 'added' }] });
		expect(h.operatorsOf('Helpdesk Restore').filter((n) => n === alice)).toHaveLength(2);
		const run = await h.run(revoke(alice));
		expect(run.json[0]).toMatchObject({ action: 'revoked', roles: [{ name: 'Helpdesk Restore', result: 'removed' }] });
		expect(h.operatorsOf('Helpdesk Restore')).not.toContain(alice);
	});

	it('a display name two gone operators share is refused naming their IDs, nothing sent', async () => {
		await h.run({ resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: '={{ $json.who }}', restoreRoles: ['Helpdesk Restore'] }, [
			{ who: 'sam.taylor@contoso.onmicrosoft.com' },
			{ who: 'sam.taylor2@contoso.onmicrosoft.com' },
		]);
		const ids = ['sam.taylor@contoso.onmicrosoft.com', 'sam.taylor2@contoso.onmicrosoft.com'].map((n) => h.idOf(n));
		for (const id of ids) h.vb365.removeObject(VB365_ORG_CONTOSO_ID, 'User', id);
		const changes = h.changes().length;
		const run = await h.run(revoke('Sam Taylor'));
		expect(errorText(run)).toMatch(/Operator \(item 0\): "Sam Taylor" is the display name of 2 different operators/);
		for (const id of ids) expect(errorText(run)).toContain(id.toLowerCase());
		expect(h.changes()).toHaveLength(changes);
	});

	it('VB365 asking to slow down (429) while the operators are read: waited out, the revoke complete and read back', async () => {
		sim.addFault({ kind: 'status', status: 429, retryAfterSeconds: 1, method: 'GET', pathIncludes: '/operators', count: 2 });
		const run = await h.run(revoke(DAVE));
		expect(errorText(run)).toBe('');
		expect(run.json[0]).toMatchObject({ action: 'revoked', roles: [{ result: 'removed' }, { result: 'removed' }] });
		expect(h.operatorsOf('Helpdesk Restore')).not.toContain(DAVE);
		expect(h.operatorsOf('Finance Restore')).not.toContain(DAVE);
	});

	it('a read of the operators that keeps failing fails the item with nothing removed (never a partial picture)', async () => {
		const finance = String(h.role('Finance Restore')?.id);
		sim.addFault({ kind: 'answer', status: 403, body: { message: 'Access denied.', errorCode: 'ResourceAccessDenied' }, method: 'GET', pathIncludes: `${finance}/operators`, count: 100 });
		const run = await h.run(revoke(DAVE));
		expect(errorText(run)).toMatch(/denied|403/i);
		expect(h.changes()).toEqual([]);
		expect(h.operatorsOf('Helpdesk Restore')).toContain(DAVE);
	});

	it('someone neither in the organization nor an operator is absent, nothing sent', async () => {
		const run = await h.run(revoke('nobody@contoso.onmicrosoft.com'));
		expect(run.json[0]).toMatchObject({ action: 'absent', foundInOrganization: false, roles: [] });
		expect(h.changes()).toEqual([]);
	});

	it.each([
		[{ revokeFrom: 'roles', restoreRoles: ['Nope'] }, /Role Names or IDs \(item 0\): the organization contoso\.onmicrosoft\.com has no role named "Nope"/],
		[{ organization: byName('nowhere.example') }, /Organization \(item 0\)/],
		[{ operatorType: 'robot' }, /Operator Type \(item 0\): "robot" is not one of user, group/],
	])('refuses %j naming the field and the item, nothing sent', async (bad, message) => {
		const run = await h.run(revoke(DAVE, bad));
		expect(errorText(run)).toMatch(message);
		expect(h.changes()).toEqual([]);
	});

	it("costs the role list, one operators read per role, and per role naming the leaver one removal and its read-back (issue 29's goal)", async () => {
		h.vb365.seedUsers({ count: 40, organizationName: 'bench.onmicrosoft.com', roleCount: 100, leaver: 'leaver@bench.onmicrosoft.com', leaverRoles: 30 });
		const before = { ...sim.stats.byRoute };
		const delta = (method: string, path: RegExp) => count(method, path) - Object.entries(before).filter(([route]) => route.startsWith(`${method} `) && path.test(route)).reduce((s, [, n]) => s + n, 0);
		const run = await h.run(revoke('leaver@bench.onmicrosoft.com', { organization: byName('bench.onmicrosoft.com') }));
		expect(errorText(run)).toBe('');
		expect((run.json[0].roles as unknown[]).length).toBe(30);
		expect(delta('GET', /Organizations\/:organizationId\/RbacRoles$/)).toBe(1);
		expect(delta('GET', /RbacRoles\/:roleId\/operators$/)).toBe(100 + 30);
		expect(delta('DELETE', /RbacRoles\/:roleId\/operators$/)).toBe(30);
		expect(delta('POST', /./)).toBe(1); // the login
		expect(h.roles().filter((r) => r.operators.some((o) => o.user?.name === 'leaver@bench.onmicrosoft.com'))).toEqual([]);
	});

	it('changes the roles naming the leaver several at once (each read back), not one role after another', async () => {
		h.vb365.seedUsers({ count: 20, organizationName: 'bench.onmicrosoft.com', roleCount: 12, leaver: 'leaver@bench.onmicrosoft.com' });
		// Each removal answered after 200 ms: one role after another, the next DELETE would only follow the previous role's read-back.
		sim.addFault({ kind: 'delay', ms: 200, method: 'DELETE', pathIncludes: '/operators', count: 100 });
		sim.stats.reset();
		const run = await h.run(revoke('leaver@bench.onmicrosoft.com', { organization: byName('bench.onmicrosoft.com') }));
		expect(errorText(run)).toBe('');
		expect((run.json[0].roles as Array<{ result: string }>).map((r) => r.result)).toEqual(new Array(12).fill('removed'));
		// In arrival order: the 12 operators reads, then the DELETEs sent before the first read-back.
		const calls = sim.stats.recent.filter((r) => /\/operators(\?|$)/.test(r));
		const firstDelete = calls.findIndex((r) => r.startsWith('DELETE '));
		expect(calls.slice(0, firstDelete).every((r) => r.startsWith('GET '))).toBe(true);
		const firstReadBack = calls.findIndex((r, k) => k > firstDelete && r.startsWith('GET '));
		const together = calls.slice(firstDelete, firstReadBack).filter((r) => r.startsWith('DELETE ')).length;
		expect(together).toBeGreaterThan(1);
		expect(together).toBeLessThanOrEqual(8);
		expect(calls.filter((r) => r.startsWith('DELETE '))).toHaveLength(12);
		expect(h.roles().filter((r) => r.operators.some((o) => o.user?.name === 'leaver@bench.onmicrosoft.com'))).toEqual([]);
	});
});
