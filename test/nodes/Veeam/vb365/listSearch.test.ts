/**
 * The editor's lists on Veeam Backup for Microsoft 365, through n8n's own load-options context and
 * the VB365 credential against the simulator: organizations, the roles of the organization chosen
 * (by list, name or ID), role names for the multi-select; a real error surfaces.
 */
import type { INodeParameters } from 'n8n-workflow';

import { listSearch, loadOptions } from '../../../../nodes/Veeam/methods';
import { VB365_ORG_CONTOSO_ID, VB365_ORG_FABRIKAM_ID } from '../../../../sim';
import { loadOptionsContextFor } from '../fixtures';
import { byId, byName, CONTOSO, FABRIKAM, fromList, useVb365, type Vb365Fixture } from './fixture';

describe('VB365 lists (organizations, roles)', () => {
	let h: Vb365Fixture;
	useVb365((_s, f) => {
		h = f;
	});

	const ctx = (parameters: INodeParameters = {}) => loadOptionsContextFor(h.nodeTypes, h.credentials, h.node({ resource: 'restoreOperator', operation: 'grant', ...parameters }));

	it('lists the organizations by name with their IDs, filtered by the search text', async () => {
		const all = await listSearch.searchVb365Organizations.call(ctx());
		expect(all.results.map((r) => r.name)).toEqual([CONTOSO, FABRIKAM, 'tailspintoys.com']);
		expect(all.results[0]).toMatchObject({ value: VB365_ORG_CONTOSO_ID, description: 'Office365' });
		expect((await listSearch.searchVb365Organizations.call(ctx(), 'FABRI')).results.map((r) => r.value)).toEqual([VB365_ORG_FABRIKAM_ID]);
	});

	it("lists the roles of the organization chosen (from the list, by name or by ID), or every organization's before one is", async () => {
		for (const organization of [fromList(VB365_ORG_CONTOSO_ID), byName(CONTOSO), byId(VB365_ORG_CONTOSO_ID)]) {
			const found = await listSearch.searchVb365Roles.call(ctx({ organization }));
			expect(found.results.map((r) => r.name)).toEqual(['Finance Restore', 'Helpdesk Restore']);
		}
		expect((await listSearch.searchVb365Roles.call(ctx({ organization: byName(FABRIKAM) }), 'fab')).results.map((r) => r.name)).toEqual(['Fabrikam Restore']);
		expect((await listSearch.searchVb365Roles.call(ctx())).results).toHaveLength(3);
	});

	it('offers the role names of the organization chosen for Role Names or IDs; none before one is chosen', async () => {
		expect((await loadOptions.getVb365Roles.call(ctx({ organization: byName(CONTOSO) }))).map((o) => o.value)).toEqual(['Finance Restore', 'Helpdesk Restore']);
		expect(await loadOptions.getVb365Roles.call(ctx({ organization: fromList('') }))).toEqual([]);
	});

	it('lets a real error surface (a wrong password), never as an empty list, and never with the password', async () => {
		h.resetCredential({ password: 'not-the-Passw0rd!' });
		const error = await listSearch.searchVb365Organizations.call(ctx()).then(
			() => undefined,
			(e: unknown) => e as Error & { description?: string },
		);
		expect(error).toBeInstanceOf(Error);
		expect(JSON.stringify([error?.message, error?.description])).not.toContain('not-the-Passw0rd!');
	});

	it('an unknown organization in the Organization field is an error naming it', async () => {
		await expect(listSearch.searchVb365Roles.call(ctx({ organization: byName('nowhere.example') }))).rejects.toThrow(/nowhere\.example/);
	});
});
