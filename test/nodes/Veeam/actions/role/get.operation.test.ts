import { ROLE_IDS, VeeamFixture, errorText, useSimulator } from '../../fixtures';

let h: VeeamFixture;

useSimulator({ product: 'vbr' }, (_server, fixture) => {
	h = fixture;
});

describe('Role → Get', () => {
	it('gets a role with its permissions, by list, ID, name and plain text', async () => {
		const run = await h.run({ resource: 'role', operation: 'get', role: '={{ $json.role }}' }, [
			{ role: { __rl: true, mode: 'list', value: ROLE_IDS.restoreOperator } },
			{ role: { __rl: true, mode: 'id', value: ROLE_IDS.restoreOperator } },
			{ role: { __rl: true, mode: 'name', value: 'restore operator' } },
			{ role: 'Restore Operator' },
			{ role: ROLE_IDS.restoreOperator },
		]);
		expect(run.error).toBeUndefined();
		const expected = {
			id: ROLE_IDS.restoreOperator,
			name: 'Restore Operator',
			description: 'Built-in role for performing restore operations from any backups and replicas',
			permissions: ['ViewBackups', 'StartRestore'],
		};
		expect(run.json).toEqual([expected, expected, expected, expected, expected]);
	});

	it('fails for an unknown role, listing the roles there are', async () => {
		const run = await h.run({ resource: 'role', operation: 'get', role: { __rl: true, mode: 'name', value: 'Wizard' } });
		expect(run.error?.message).toBe('Role (item 0): no role with name "Wizard"');
		expect(errorText(run)).toContain('Roles on this server: Backup Administrator, Backup Operator, Backup Viewer,');
		const byId = await h.run({ resource: 'role', operation: 'get', role: { __rl: true, mode: 'id', value: '00000000-0000-4000-8000-000000000000' } });
		expect(byId.error?.message).toBe('Role (item 0): no role with ID "00000000-0000-4000-8000-000000000000"');
	});
});
