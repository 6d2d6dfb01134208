/**
 * Review of Restore Operator input on Veeam Backup for Microsoft 365 as an AI agent's tool call or an
 * expression gives it: fields missing (undefined), empty, of the wrong type, a role list as one text.
 * Each is refused naming the field and the item with nothing sent, or understood.
 */
import type { IDataObject } from 'n8n-workflow';

import type { SimServer } from '../../sim';
import { errorText } from '../nodes/Veeam/fixtures';
import { contoso, useVb365, type Vb365Fixture } from '../nodes/Veeam/vb365/fixture';

const DAVE = 'dave.lee@contoso.onmicrosoft.com';

describe('VB365 review: tool-call and expression input', () => {
	let sim: SimServer;
	let h: Vb365Fixture;
	useVb365((s, f) => {
		sim = s;
		h = f;
	});

	const failed = async (parameters: IDataObject, input: IDataObject = {}) => {
		const run = await h.run({ resource: 'restoreOperator', ...parameters }, [input], { continueOnFail: true });
		return errorText(run) || String(run.json[0]?.error ?? '');
	};

	it.each([
		['Grant, operator missing', { operation: 'grant', organization: contoso(), operator: '={{ $json.who }}', restoreRoles: ['Helpdesk Restore'] }, /Operator/],
		['Grant, roles missing', { operation: 'grant', organization: contoso(), operator: DAVE, restoreRoles: '={{ $json.roles }}' }, /Role/],
		['Grant, roles an empty list', { operation: 'grant', organization: contoso(), operator: DAVE, restoreRoles: '={{ [] }}' }, /Role/],
		['Revoke, operator missing', { operation: 'revoke', organization: contoso(), operator: '={{ $json.who }}' }, /Operator/],
		['Revoke, operator type unknown', { operation: 'revoke', organization: contoso(), operator: DAVE, operatorType: 'mailbox' }, /Operator Type/],
		['Revoke, organization missing', { operation: 'revoke', organization: '={{ $json.org }}', operator: DAVE }, /Organization/],
		['Revoke from the roles named, none named', { operation: 'revoke', organization: contoso(), operator: DAVE, revokeFrom: 'roles', restoreRoles: '={{ $json.roles }}' }, /Role/],
		['Offboard, person missing', { operation: 'offboard', operator: '={{ $json.who }}', organizationScope: 'all' }, /Person/],
		['Offboard, one organization, none given', { operation: 'offboard', operator: DAVE, organizationScope: 'one', organization: '={{ $json.org }}' }, /Organization/],
		['Grant, operator a list of two', { operation: 'grant', organization: contoso(), operator: '={{ ["alice.adams@contoso.onmicrosoft.com", "carol.chen@contoso.onmicrosoft.com"] }}', restoreRoles: ['Helpdesk Restore'] }, /Operator/],
		['Grant, two e-mails in one text', { operation: 'grant', organization: contoso(), operator: 'alice.adams@contoso.onmicrosoft.com, carol.chen@contoso.onmicrosoft.com', restoreRoles: ['Helpdesk Restore'] }, /Operator/],
		['Grant, create a missing role of Specific Objects without items', { operation: 'grant', organization: contoso(), operator: DAVE, restoreRoles: ['New Role'], ifRoleMissing: 'create', newRoleType: 'SpecificObjects' }, /New Role Items/],
		['Get, operator an object', { operation: 'get', organization: contoso(), operator: '={{ { a: 1 } }}' }, /Operator/],
	])('%s: refused naming the field and the item, nothing sent', async (_label, parameters, field) => {
		const text = await failed(parameters as IDataObject);
		expect(text).toMatch(field);
		expect(text).toMatch(/item 0/);
		expect(h.changes()).toEqual([]);
		expect(h.operatorsOf('Helpdesk Restore')).toContain(DAVE);
	});

	it('RIGHT: an operator given as a number names nobody: absent, nothing sent', async () => {
		const run = await h.run({ resource: 'restoreOperator', operation: 'revoke', organization: contoso(), operator: '={{ 42 }}' });
		expect(run.json[0]).toMatchObject({ action: 'absent', foundInOrganization: false });
		expect(h.changes()).toEqual([]);
	});

	it('RIGHT: roles as one text with commas from a tool call (not a list): both roles', async () => {
		const run = await h.run({ resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: 'alice.adams@contoso.onmicrosoft.com', restoreRoles: '={{ "Helpdesk Restore, Finance Restore" }}' });
		expect(errorText(run)).toBe('');
		expect(run.json[0]).toMatchObject({ action: 'granted', roles: [{ name: 'Helpdesk Restore' }, { name: 'Finance Restore' }] });
	});

	it('RIGHT: organization given as a plain text from a tool call: taken by name', async () => {
		const run = await h.run({ resource: 'restoreOperator', operation: 'get', organization: '={{ "contoso.onmicrosoft.com" }}', operator: DAVE });
		expect(errorText(run)).toBe('');
		expect(run.json[0]).toMatchObject({ isOperator: true, organization: { name: 'contoso.onmicrosoft.com' } });
		expect(sim).toBeDefined();
	});
});
