/**
 * Review of Role on Veeam Backup for Microsoft 365: renaming to a name the organization has, two
 * renames to one name in one run, roles of one name in two organizations.
 */
import { VB365_ORG_FABRIKAM_ID, VB365_ROLE_FINANCE_ID, VB365_ROLE_HELPDESK_ID, type SimServer } from '../../sim';
import { errorText } from '../nodes/Veeam/fixtures';
import { byId, byName, contoso, FABRIKAM, useVb365, type Vb365Fixture } from '../nodes/Veeam/vb365/fixture';
import { Vb365Admin } from '../nodes/VeeamTrigger/vb365Harness';

describe('VB365 review: Role', () => {
	let sim: SimServer;
	let h: Vb365Fixture;
	useVb365((s, f) => {
		sim = s;
		h = f;
	});

	const items = (...list: Array<[string, string]>) => ({ item: list.map(([kind, value]) => ({ kind, value })) });

	it('R-R1 Update renaming to the name of another role, with Role Type and Scope Items given: refused with nothing changed (the items too)', async () => {
		const before = h.role('Finance Restore');
		const changes = h.changes().length;
		const run = await h.run(
			{
				resource: 'role',
				operation: 'update',
				organization: contoso(),
				role: byName('Finance Restore'),
				roleUpdates: { name: 'Helpdesk Restore', roleType: 'SpecificObjects' },
				scopeItems: 'replace',
				selectedItems: items(['site', 'HR']),
			},
			[{}],
			{ continueOnFail: true },
		);
		expect(JSON.stringify(run.json[0]?.error ?? errorText(run))).toMatch(/Helpdesk Restore/);
		expect(h.role('Finance Restore')?.selectedItems).toEqual(before?.selectedItems);
		expect(h.changes()).toHaveLength(changes);
	});

	it('R-R2 two items renaming two roles to one new name in one run: one role of that name, the other item refused', async () => {
		sim.latencyMs = 15;
		try {
			const run = await h.run(
				{ resource: 'role', operation: 'update', organization: contoso(), role: '={{ { "__rl": true, "mode": "id", "value": $json.id } }}', roleUpdates: { name: 'Restores' } },
				[{ id: VB365_ROLE_HELPDESK_ID }, { id: VB365_ROLE_FINANCE_ID }],
				{ continueOnFail: true },
			);
			expect(h.roles().filter((r) => r.name === 'Restores')).toHaveLength(1);
			expect(run.json.filter((j) => j.action === 'updated')).toHaveLength(1);
			expect(run.json.filter((j) => j.error !== undefined)).toHaveLength(1);
		} finally {
			sim.latencyMs = 0;
		}
	});

	it('RIGHT: Update renaming to the name of another role (name only): refused, nothing sent', async () => {
		const changes = h.changes().length;
		const run = await h.run({ resource: 'role', operation: 'update', organization: contoso(), role: byName('Finance Restore'), roleUpdates: { name: 'HELPDESK restore' } }, [{}], { continueOnFail: true });
		expect(JSON.stringify(run.json[0].error)).toMatch(/Name.*another role named .*Helpdesk Restore/);
		expect(h.changes()).toHaveLength(changes);
	});

	it('RIGHT: Update changing only the case of its own name is a rename, not a clash', async () => {
		const run = await h.run({ resource: 'role', operation: 'update', organization: contoso(), role: byName('Finance Restore'), roleUpdates: { name: 'FINANCE Restore' } });
		expect(run.json[0]).toMatchObject({ action: 'updated', changed: ['name'], role: { name: 'FINANCE Restore' } });
	});

	it('RIGHT: Create with a scope item two users share the display name of (Sam Taylor), or an item both selected and excluded: refused, nothing sent', async () => {
		const base = { resource: 'role', operation: 'create', organization: contoso(), roleName: 'Sam Restore', vb365RoleType: 'SpecificObjects' };
		const ambiguous = await h.run({ ...base, selectedItems: items(['user', 'Sam Taylor']) }, [{}], { continueOnFail: true });
		expect(String(ambiguous.json[0].error)).toMatch(/Selected Items 1 \(item 0\).*Sam Taylor.*names 2 objects/);
		const both = await h.run({ ...base, selectedItems: items(['site', 'HR']), excludedItems: items(['site', 'https://contoso.sharepoint.com/sites/HR']) }, [{}], { continueOnFail: true });
		expect(String(both.json[0].error)).toMatch(/Excluded Items.*both selected and excluded/);
		expect(h.changes()).toEqual([]);
	});

	it('R-R3 Update of only the description of a role of Specific Objects whose objects were all removed (in VB365): done, not refused for the items it was not asked to change', async () => {
		const admin = new Vb365Admin(sim);
		await admin.login();
		const finance = h.role('Finance Restore');
		await admin.remove(VB365_ROLE_FINANCE_ID, 'selected', (finance?.selectedItems ?? []).map((i) => i.id));
		expect(h.role('Finance Restore')?.selectedItems).toEqual([]);
		const run = await h.run({ resource: 'role', operation: 'update', organization: contoso(), role: byName('Finance Restore'), roleUpdates: { description: 'Emptied; to be rescoped' } }, [{}], { continueOnFail: true });
		expect(run.json[0]).toMatchObject({ action: 'updated', changed: ['description'] });
		expect(h.role('Finance Restore')?.description).toBe('Emptied; to be rescoped');
	});

	it('RIGHT: a role name two organizations share: each organization acts on its own role', async () => {
		const created = await h.run({ resource: 'role', operation: 'create', organization: byName(FABRIKAM), roleName: 'Helpdesk Restore', vb365RoleType: 'EntireOrganization' });
		expect(created.json[0]).toMatchObject({ action: 'created', role: { organization: { id: VB365_ORG_FABRIKAM_ID } } });
		const got = await h.run({ resource: 'role', operation: 'get', organization: contoso(), role: byName('Helpdesk Restore') });
		expect(got.json[0]).toMatchObject({ id: VB365_ROLE_HELPDESK_ID });
		const grant = await h.run({ resource: 'restoreOperator', operation: 'grant', organization: byName(FABRIKAM), operator: 'erin.ford@fabrikam.onmicrosoft.com', restoreRoles: ['Helpdesk Restore'] });
		expect(grant.json[0]).toMatchObject({ action: 'granted', roles: [{ result: 'added' }] });
		expect(h.operatorsOf('Helpdesk Restore', VB365_ORG_FABRIKAM_ID)).toEqual(['erin.ford@fabrikam.onmicrosoft.com']);
		expect(h.operatorsOf('Helpdesk Restore')).not.toContain('erin.ford@fabrikam.onmicrosoft.com');
		// A Contoso role's ID given with Fabrikam: refused, not acted on.
		const wrong = await h.run({ resource: 'role', operation: 'delete', organization: byName(FABRIKAM), role: byId(VB365_ROLE_FINANCE_ID) }, [{}], { continueOnFail: true });
		expect(JSON.stringify(wrong.json[0].error)).toMatch(/another organization/);
		expect(h.role('Finance Restore')).toBeDefined();
	});
});
