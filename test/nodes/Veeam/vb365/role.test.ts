/**
 * Role on Veeam Backup for Microsoft 365 (restore operator roles), through n8n's engine against the
 * simulator: Create (never a second role of one name), Update (only what is given; items replaced
 * when asked), Delete (its operators listed), Get, Get Many; each change read back; bad input refused
 * naming the field and the item with nothing sent. And the resources per product.
 */
import { VB365_ORG_CONTOSO_ID, VB365_ORG_FABRIKAM_ID, type SimServer } from '../../../../sim';
import { errorText } from '../fixtures';
import { byId, byName, CONTOSO, contoso, FABRIKAM, useVb365, type Vb365Fixture } from './fixture';

describe('VB365: Role', () => {
	let sim: SimServer;
	let h: Vb365Fixture;
	useVb365((s, f) => {
		sim = s;
		h = f;
	});

	const role = (operation: string, extra: Record<string, unknown> = {}) => ({ resource: 'role', operation, organization: contoso(), ...extra });
	const items = (...list: Array<[string, string]>) => ({ item: list.map(([kind, value]) => ({ kind, value })) });
	const kinds = (list: Array<{ type: string }> | undefined) => (list ?? []).map((i) => i.type).sort();

	it('Create: a role of specific objects with excluded items, read back; again: unchanged, nothing sent', async () => {
		const params = role('create', {
			roleName: 'Legal Restores',
			roleDescription: 'Legal department',
			vb365RoleType: 'SpecificObjects',
			selectedItems: items(['site', 'https://contoso.sharepoint.com/sites/HR'], ['group', 'Finance'], ['team', 'finance.team@contoso.onmicrosoft.com']),
			excludedItems: items(['user', 'Bob Baker']),
		});
		const run = await h.run(params);
		expect(errorText(run)).toBe('');
		expect(run.json[0]).toMatchObject({ action: 'created', role: { name: 'Legal Restores', description: 'Legal department', roleType: 'SpecificObjects', organization: { name: CONTOSO }, operators: [] } });
		const made = h.role('Legal Restores');
		expect(kinds(made?.selectedItems)).toEqual(['Group', 'Site', 'Team']);
		expect(kinds(made?.excludedItems)).toEqual(['User']);
		const changes = h.changes().length;
		const again = await h.run(params);
		expect(again.json[0]).toMatchObject({ action: 'unchanged', changed: [] });
		expect(h.changes()).toHaveLength(changes);
		// The same name in another case is that role, renamed to the case given: never a second role.
		const recased = await h.run({ ...params, roleName: 'legal restores' });
		expect(recased.json[0]).toMatchObject({ action: 'updated', changed: ['name'], role: { name: 'legal restores' } });
		expect(h.roles().filter((r) => r.name.toLowerCase() === 'legal restores')).toHaveLength(1);
	});

	it('Create over an existing role: Make It Match changes it (read back), Skip leaves it, Error refuses', async () => {
		const match = await h.run(role('create', { roleName: 'Finance Restore', roleDescription: 'Finance only', vb365RoleType: 'SpecificObjects', selectedItems: items(['site', 'Finance']) }));
		expect(match.json[0]).toMatchObject({ action: 'updated', changed: ['description', 'selectedItems'] });
		expect(h.role('Finance Restore')).toMatchObject({ description: 'Finance only', selectedItems: [{ type: 'Site' }] });
		// Its operators stay.
		expect(h.operatorsOf('Finance Restore')).toEqual([`bob.baker@${CONTOSO}`, `dave.lee@${CONTOSO}`]);
		const skip = await h.run(role('create', { roleName: 'Helpdesk Restore', roleDescription: 'x', ifExists: 'skip' }));
		expect(skip.json[0]).toMatchObject({ action: 'unchanged', role: { description: '' } });
		const error = await h.run(role('create', { roleName: 'Helpdesk Restore', ifExists: 'error' }));
		expect(errorText(error)).toMatch(/Name \(item 0\): the organization contoso\.onmicrosoft\.com already has a role named "Helpdesk Restore"/);
	});

	it('Update: name and description only, the scope kept; switching to specific objects with items; nothing to change sends nothing', async () => {
		const run = await h.run(role('update', { role: byName('Helpdesk Restore'), roleUpdates: { name: 'Helpdesk Restores', description: 'Tier 1' } }));
		expect(run.json[0]).toMatchObject({ action: 'updated', changed: ['name', 'description'], role: { name: 'Helpdesk Restores', roleType: 'EntireOrganization' } });
		expect(h.role('Helpdesk Restores')).toMatchObject({ description: 'Tier 1', excludedItems: [{ type: 'User' }] });
		const id = String(h.role('Helpdesk Restores')?.id);
		const specific = await h.run(role('update', { role: byId(id), roleUpdates: { roleType: 'SpecificObjects' }, scopeItems: 'replace', selectedItems: items(['user', 'Alice Adams']) }));
		expect(specific.json[0]).toMatchObject({ action: 'updated', changed: ['roleType', 'selectedItems', 'excludedItems'] });
		expect(h.role('Helpdesk Restores')).toMatchObject({ roleType: 'SpecificObjects', selectedItems: [{ type: 'User' }], excludedItems: [] });
		const changes = h.changes().length;
		const same = await h.run(role('update', { role: byId(id), roleUpdates: { description: 'Tier 1' } }));
		expect(same.json[0]).toMatchObject({ action: 'unchanged' });
		expect(h.changes()).toHaveLength(changes);
	});

	it('Update: a change the server answers but does not show fails the item, naming what is not shown', async () => {
		const id = String(h.role('Helpdesk Restore')?.id);
		sim.addFault({ kind: 'answer', status: 204, method: 'PUT', pathIncludes: `/RbacRoles/${id}`, count: 10 });
		const run = await h.run(role('update', { role: byId(id), roleUpdates: { description: 'Tier 1' } }));
		expect(errorText(run)).toMatch(/Role \(item 0\): updating the role "Helpdesk Restore" is not complete: a change failed: .*does not show the change/);
		expect(h.role('Helpdesk Restore')?.description).toBe('');
		expect(run.json).toEqual([]);
	});

	it('Update refuses a role of specific objects that would name nothing, before any change', async () => {
		const run = await h.run(role('update', { role: byName('Helpdesk Restore'), roleUpdates: { roleType: 'SpecificObjects', name: 'Renamed' } }));
		expect(errorText(run)).toMatch(/Selected Items \(item 0\): the role would be of Specific Objects with no object selected/);
		expect(h.changes()).toEqual([]);
	});

	it('Delete: the role goes (read back) and its operators are listed; again: absent; or an error when asked', async () => {
		const run = await h.run(role('delete', { role: byName('Finance Restore') }));
		expect(run.json[0]).toMatchObject({ action: 'deleted', role: { name: 'Finance Restore', operators: [{ name: `bob.baker@${CONTOSO}` }, { name: `dave.lee@${CONTOSO}` }] } });
		expect(h.role('Finance Restore')).toBeUndefined();
		expect((await h.run(role('delete', { role: byName('Finance Restore') }))).json[0]).toMatchObject({ action: 'absent' });
		expect(errorText(await h.run(role('delete', { role: byName('Finance Restore'), ifNotFound: 'error' })))).toMatch(/Role \(item 0\): the organization contoso\.onmicrosoft\.com has no role "Finance Restore"/);
	});

	it("Get: one role with its operators and items; a role of another organization is refused", async () => {
		const run = await h.run(role('get', { role: byName('finance restore') }));
		expect(run.json[0]).toMatchObject({ name: 'Finance Restore', roleType: 'SpecificObjects', organization: { id: VB365_ORG_CONTOSO_ID, name: CONTOSO } });
		expect((run.json[0].operators as unknown[]).length).toBe(2);
		expect((run.json[0].selectedItems as Array<{ kind: string }>).map((i) => i.kind).sort()).toEqual(['group', 'site', 'team']);
		const fabrikamRole = String(h.role('Fabrikam Restore', VB365_ORG_FABRIKAM_ID)?.id);
		expect(errorText(await h.run(role('get', { role: byId(fabrikamRole) })))).toMatch(/Role \(item 0\): the role with ID .* belongs to another organization than contoso\.onmicrosoft\.com/);
		expect(h.changes()).toEqual([]);
	});

	it('Get Many: the roles of every organization or one, with operators when asked', async () => {
		const all = await h.run({ resource: 'role', operation: 'getMany', returnAll: true });
		expect(all.json.map((r) => `${(r.organization as { name: string }).name}: ${String(r.name)}`)).toEqual([`${CONTOSO}: Finance Restore`, `${CONTOSO}: Helpdesk Restore`, `${FABRIKAM}: Fabrikam Restore`]);
		expect(all.json[0]).not.toHaveProperty('operators');
		const one = await h.run({ resource: 'role', operation: 'getMany', returnAll: true, organizationScope: 'one', organization: byName(FABRIKAM), withOperators: true });
		expect(one.json).toHaveLength(1);
		expect((one.json[0].operators as unknown[]).length).toBe(2);
	});

	it.each([
		['create', { roleName: 'X', vb365RoleType: 'SpecificObjects' }, /Selected Items \(item 0\): is empty/],
		['create', { roleName: 'X', vb365RoleType: 'SpecificObjects', selectedItems: items(['site', 'Nowhere']) }, /Selected Items 1 \(item 0\): no site "Nowhere"/],
		['create', { roleName: 'X', vb365RoleType: 'SpecificObjects', selectedItems: items(['user', 'Bob Baker']), excludedItems: items(['user', 'bob.baker@contoso.onmicrosoft.com']) }, /Excluded Items \(item 0\): "bob\.baker@contoso\.onmicrosoft\.com" is both selected and excluded/],
		['create', { roleName: 'X', excludedItems: items(['user', 'Sam Taylor']) }, /Excluded Items 1 \(item 0\): .*Sam Taylor.* names 2/],
		['create', { roleName: 'X', excludedItems: { item: [{ kind: 'printer', value: 'x' }] } }, /Excluded Items 1: Kind \(item 0\): "printer" is not one of user, group, site, team/],
		['create', { roleName: '={{ "a\\nb" }}' }, /Name \(item 0\): contains a line break/],
		['update', { role: byName('Nope') }, /Role \(item 0\): the organization contoso\.onmicrosoft\.com has no role named "Nope"/],
		['update', { role: byName('Helpdesk Restore'), roleUpdates: { roleType: '={{ "Everything" }}' } }, /Role Type \(item 0\): "Everything" is not one of EntireOrganization, SpecificObjects/],
		['get', { organization: byName('nowhere.example'), role: byName('x') }, /Organization \(item 0\)/],
	])('%s refuses %j naming the field and the item, nothing sent', async (operation, bad, message) => {
		const run = await h.run(role(operation, bad));
		expect(errorText(run)).toMatch(message);
		expect(h.changes()).toEqual([]);
	});

	it('on this product: User and the other resources are refused, Clone too; Restore Operator elsewhere is refused', async () => {
		expect(errorText(await h.run({ resource: 'user', operation: 'getMany' }))).toMatch(/The resource "user" is not available on Veeam Backup for Microsoft 365/);
		expect(errorText(await h.run({ resource: 'role', operation: 'clone' }))).toMatch(/The operation "clone" is not supported for resource "role"/);
		expect(errorText(await h.run({ resource: 'restoreOperator', operation: 'getMany', product: 'vbr' }))).toMatch(/available on Veeam Backup for Microsoft 365 only/);
		expect(sim.stats.byRoute).toEqual({});
	});
});
