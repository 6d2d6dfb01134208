/**
 * Restore Operator → Grant on Veeam Backup for Microsoft 365, through n8n's engine against the
 * simulator: the operator added to each role named (read back), a role already naming it unchanged
 * with nothing sent, a missing role created from the template when asked, bad input refused naming
 * the field and the item with nothing sent, a change the server does not show never reported done,
 * Continue On Fail per item.
 */
import type { INodeParameters } from 'n8n-workflow';

import { VB365_ORG_CONTOSO_ID, type SimServer } from '../../../../sim';
import { errorText } from '../fixtures';
import { byName, contoso, fromList, useVb365, type Vb365Fixture } from './fixture';

const ERIN = 'erin.ford@fabrikam.onmicrosoft.com';
const ALICE = 'alice.adams@contoso.onmicrosoft.com';
const CAROL = 'carol.chen@contoso.onmicrosoft.com';

describe('VB365: Restore Operator → Grant', () => {
	let sim: SimServer;
	let h: Vb365Fixture;
	useVb365((s, f) => {
		sim = s;
		h = f;
	});

	const grant = (operator: string, roles: string[] | string, extra: INodeParameters = {}): INodeParameters => ({
		resource: 'restoreOperator',
		operation: 'grant',
		organization: contoso(),
		operator,
		restoreRoles: roles,
		...extra,
	});

	it('adds a user to two roles, read back; the same grant again is unchanged and sends nothing', async () => {
		const run = await h.run(grant(ALICE, ['Helpdesk Restore', 'finance restore']));
		expect(errorText(run)).toBe('');
		expect(run.json[0]).toMatchObject({
			action: 'granted',
			operator: { kind: 'user', name: ALICE, displayName: 'Alice Adams' },
			organization: { id: VB365_ORG_CONTOSO_ID, name: 'contoso.onmicrosoft.com' },
			roles: [
				{ name: 'Helpdesk Restore', result: 'added' },
				{ name: 'Finance Restore', result: 'added' },
			],
		});
		expect(h.operatorsOf('Helpdesk Restore')).toContain(ALICE);
		expect(h.operatorsOf('Finance Restore')).toContain(ALICE);
		const changes = h.changes().length;
		const again = await h.run(grant('Alice Adams', ['Helpdesk Restore', 'Finance Restore']));
		expect(again.json[0]).toMatchObject({ action: 'unchanged', roles: [{ result: 'unchanged' }, { result: 'unchanged' }] });
		expect(h.changes()).toHaveLength(changes);
		expect(h.role('Helpdesk Restore')?.operators.filter((o) => o.user?.name === ALICE)).toHaveLength(1);
	});

	it('takes the operator by ID and a role by ID, and a group as a group', async () => {
		const finance = h.role('Finance Restore')?.id as string;
		const run = await h.run(grant(h.idOf(CAROL), [finance]));
		expect(run.json[0]).toMatchObject({ action: 'granted', operator: { name: CAROL }, roles: [{ id: finance, result: 'added' }] });
		const group = await h.run(grant('IT Admins', 'Finance Restore', { operatorType: 'group' }));
		expect(group.json[0]).toMatchObject({ action: 'granted', operator: { kind: 'group', displayName: 'IT Admins' } });
		expect(h.operatorsOf('Finance Restore')).toContain('group:IT Admins');
	});

	it('creates a missing role from the template (entire organization), the operator in it; a second item finds it', async () => {
		const params = grant(ALICE, ['Legal Hold Restores'], { ifRoleMissing: 'create', newRoleDescription: 'Made by n8n' });
		const run = await h.run(params, [{}, {}]);
		expect(errorText(run)).toBe('');
		expect(run.json[0]).toMatchObject({ action: 'granted', roles: [{ name: 'Legal Hold Restores', result: 'created', roleType: 'EntireOrganization' }] });
		expect(run.json[1]).toMatchObject({ action: 'unchanged', roles: [{ name: 'Legal Hold Restores', result: 'unchanged' }] });
		expect(h.roles().filter((r) => r.name === 'Legal Hold Restores')).toHaveLength(1);
		expect(h.role('Legal Hold Restores')).toMatchObject({ description: 'Made by n8n', roleType: 'EntireOrganization' });
		expect(h.operatorsOf('Legal Hold Restores')).toEqual([ALICE]);
	});

	it('creates a missing role of specific objects with the items given, each found in the organization', async () => {
		const run = await h.run(
			grant(ALICE, 'HR Restores', {
				ifRoleMissing: 'create',
				newRoleType: 'SpecificObjects',
				newRoleItems: { item: [{ kind: 'site', value: 'https://contoso.sharepoint.com/sites/HR' }, { kind: 'user', value: 'Bob Baker' }, { kind: 'team', value: 'Project X' }] },
			}),
		);
		expect(errorText(run)).toBe('');
		const role = h.role('HR Restores');
		expect(role?.roleType).toBe('SpecificObjects');
		expect(role?.selectedItems.map((i) => i.type).sort()).toEqual(['Site', 'Team', 'User']);
		expect(h.operatorsOf('HR Restores')).toEqual([ALICE]);
	});

	it.each([
		[{ operator: '={{ "  " }}' }, /Operator \(item 0\): is empty/],
		[{ operator: 'nobody@contoso.onmicrosoft.com' }, /Operator \(item 0\): no Microsoft 365 user "nobody@contoso.onmicrosoft.com" in the organization contoso\.onmicrosoft\.com/],
		[{ operator: ERIN }, /Operator \(item 0\): no Microsoft 365 user/],
		[{ operator: 'Sam Taylor' }, /Operator \(item 0\): "Sam Taylor" names 2 .*ID 6c6d2495.*ID 6c6d2495/],
		[{ operator: 'Helpdesk' }, /Operator \(item 0\): no Microsoft 365 user "Helpdesk"/],
		[{ operator: 'Alice Adams', operatorType: 'group' }, /Operator \(item 0\): no Microsoft 365 group "Alice Adams"/],
		[{ operator: '={{ "alice\\nbob" }}' }, /Operator \(item 0\): contains a line break/],
		[{ restoreRoles: ['Nope'] }, /Role Names or IDs \(item 0\): the organization contoso\.onmicrosoft\.com has no role named "Nope".*Create It/s],
		[{ restoreRoles: '={{ [] }}' }, /Role Names or IDs \(item 0\): no role given/],
		[{ restoreRoles: ['00000000-0000-4000-8000-000000000000'] }, /Role Names or IDs \(item 0\): no role of the organization contoso\.onmicrosoft\.com has the ID/],
		[{ organization: byName('nowhere.onmicrosoft.com') }, /Organization \(item 0\)/],
		[{ organization: fromList('not-a-uuid') }, /Organization \(item 0\): "not-a-uuid" is not an organization ID/],
		[{ ifRoleMissing: 'create', newRoleType: 'SpecificObjects', restoreRoles: ['New'] }, /New Role Items \(item 0\): is empty/],
		[{ ifRoleMissing: 'create', newRoleType: 'SpecificObjects', restoreRoles: ['New'], newRoleItems: { item: [{ kind: 'site', value: 'https://nowhere/' }] } }, /New Role Items 1 \(item 0\): no site "https:\/\/nowhere\/"/],
	])('refuses %j naming the field and the item, with nothing sent', async (bad, message) => {
		const run = await h.run(grant(ALICE, ['Helpdesk Restore'], bad as INodeParameters));
		expect(errorText(run)).toMatch(message);
		expect(h.changes()).toEqual([]);
	});

	it('a bad second item stops the run before the first is carried out (nothing sent)', async () => {
		const run = await h.run(grant('={{ $json.who }}', ['Helpdesk Restore']), [{ who: ALICE }, { who: 'nobody' }]);
		expect(errorText(run)).toMatch(/Operator \(item 1\): no Microsoft 365 user "nobody"/);
		expect(h.changes()).toEqual([]);
	});

	it('with Continue On Fail a bad item is an error item paired with its input, the others are carried out', async () => {
		const run = await h.run(grant('={{ $json.who }}', ['Helpdesk Restore']), [{ who: 'nobody' }, { who: ALICE }], { continueOnFail: true });
		expect(run.items).toHaveLength(2);
		expect(run.items[0]).toMatchObject({ json: { error: expect.stringMatching(/Operator \(item 0\)/) }, pairedItem: { item: 0 } });
		expect(run.items[1]).toMatchObject({ json: { action: 'granted' }, pairedItem: { item: 1 } });
		expect(h.operatorsOf('Helpdesk Restore')).toContain(ALICE);
	});

	it('an expression may give several roles in one text with commas; a role whose own name has a comma is that role', async () => {
		await h.run({ resource: 'role', operation: 'create', organization: contoso(), roleName: 'Legal, Compliance' });
		const run = await h.run(grant(ALICE, '={{ "Helpdesk Restore, Finance Restore" }}'));
		expect(run.json[0]).toMatchObject({ roles: [{ name: 'Helpdesk Restore' }, { name: 'Finance Restore' }] });
		const comma = await h.run(grant(ALICE, '={{ "legal, compliance" }}'));
		expect(comma.json[0]).toMatchObject({ roles: [{ name: 'Legal, Compliance', result: 'added' }] });
	});

	it('with Continue On Fail an item whose change fails is an error item; the next item is still carried out', async () => {
		const finance = String(h.role('Finance Restore')?.id);
		sim.addFault({ kind: 'answer', status: 204, method: 'POST', pathIncludes: `${finance}/operators`, count: 10 });
		const run = await h.run(grant('={{ $json.who }}', '={{ $json.roles }}'), [{ who: ALICE, roles: ['Finance Restore'] }, { who: CAROL, roles: ['Helpdesk Restore'] }], { continueOnFail: true });
		expect(run.items[0]).toMatchObject({ json: { error: expect.stringMatching(/Operator \(item 0\): granting .* is not complete/) }, pairedItem: { item: 0 } });
		expect(run.items[1]).toMatchObject({ json: { action: 'granted' }, pairedItem: { item: 1 } });
		expect(h.operatorsOf('Helpdesk Restore')).toContain(CAROL);
	});

	it('an add the server answers but does not carry out fails the item, saying what was done before', async () => {
		// The first role's add works; the server answers 204 to the second without adding anyone.
		const finance = String(h.role('Finance Restore')?.id);
		sim.addFault({ kind: 'answer', status: 204, method: 'POST', pathIncludes: `${finance}/operators`, count: 10 });
		const run = await h.run(grant(ALICE, ['Helpdesk Restore', 'Finance Restore']));
		expect(errorText(run)).toMatch(/Operator \(item 0\): granting the user "alice\.adams@contoso\.onmicrosoft\.com" its roles is not complete: the role "Finance Restore" failed/);
		expect(errorText(run)).toMatch(/Done before: added to the role "Helpdesk Restore"/);
		expect(h.operatorsOf('Finance Restore')).not.toContain(ALICE);
		expect(run.json).toEqual([]);
	});
});
