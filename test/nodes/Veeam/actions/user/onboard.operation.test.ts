import { startSimulator, type SimServer } from '../../../../../sim';
import { ROLE_IDS, USERS, ROLES, VeeamFixture, errorText, mutations, routeCount, simUser, useSimulator } from '../../fixtures';
import { directoryKindOf } from '../../../../../nodes/Veeam/helpers/directory';

let sim: SimServer;
let h: VeeamFixture;

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

const onboard = (params: Record<string, unknown> = {}) => ({
	resource: 'user',
	operation: 'onboard',
	userName: '={{ $json.name }}',
	roles: ['Restore Operator'],
	...params,
});

describe('User → Onboard', () => {
	it('creates an Active Directory user as a Windows user (InternalUser, the default, as Veeam\'s examples have TECH\\sheila.d.cory), with roles given by name, and says "created"', async () => {
		const run = await h.run(onboard(), [{ name: 'TECH\\new.hire' }]);
		expect(run.error).toBeUndefined();
		expect(run.items).toHaveLength(1);
		expect(run.items[0].pairedItem).toEqual({ item: 0 });
		expect(run.json[0]).toEqual({
			action: 'created',
			user: {
				id: expect.any(String),
				name: 'TECH\\new.hire',
				type: 'InternalUser',
				roles: [{ id: ROLE_IDS.restoreOperator, name: 'Restore Operator', description: expect.any(String) }],
				isServiceAccount: false,
				mfaEnabled: false,
				isDirectoryAccount: true,
				isGroup: false,
			},
		});
		expect(simUser(sim, 'TECH\\new.hire')).toMatchObject({ type: 'InternalUser', isServiceAccount: false });
		expect(mutations(sim)).toEqual([['user.create', 'TECH\\new.hire']]);
	});

	it('onboards several items with one login and one role lookup', async () => {
		const names = ['TECH\\a.one', 'TECH\\b.two', 'TECH\\c.three', 'TECH\\d.four'];
		const run = await h.run(onboard({ roles: ['Restore Operator', 'Backup Viewer'] }), names.map((name) => ({ name })));
		expect(run.json.map((j) => j.action)).toEqual(['created', 'created', 'created', 'created']);
		expect(run.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
		expect(routeCount(sim, 'POST /api/oauth2/token')).toBe(1);
		expect(routeCount(sim, `GET ${ROLES}`)).toBe(1);
		expect(routeCount(sim, `POST ${USERS}`)).toBe(4);
		for (const name of names) {
			expect(simUser(sim, name)?.roles.map((r) => r.name).sort()).toEqual(['Backup Viewer', 'Restore Operator']);
		}
		// The token is stored in the credential: a second execution logs in no more.
		await h.run(onboard(), [{ name: 'TECH\\e.five' }]);
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
	});

	it('accepts role IDs, names in any case, and one comma-separated text from an expression', async () => {
		const run = await h.run(onboard({ roles: '={{ $json.roles }}' }), [
			{ name: 'TECH\\ids', roles: [ROLE_IDS.backupViewer, 'restore operator'] },
			{ name: 'TECH\\csv', roles: 'Backup Viewer, Tape Operator' },
			{ name: 'TECH\\one', roles: ROLE_IDS.backupOperator },
		]);
		expect(run.error).toBeUndefined();
		expect(simUser(sim, 'TECH\\ids')?.roles.map((r) => r.name).sort()).toEqual(['Backup Viewer', 'Restore Operator']);
		expect(simUser(sim, 'TECH\\csv')?.roles.map((r) => r.name).sort()).toEqual(['Backup Viewer', 'Tape Operator']);
		expect(simUser(sim, 'TECH\\one')?.roles.map((r) => r.name)).toEqual(['Backup Operator']);
	});

	it.each([
		['InternalGroup', 'TECH\\Helpdesk Tier 2', 'windows', true],
		['InternalUser', 'VBR01\\operator', 'windows', false],
		['InternalUser', 'localop', 'windows', false],
		['InternalUser', 'john.doe@tech.local', 'windows', false],
		['InternalGroup', 'VBR01\\Backup Team', 'windows', true],
		['ExternalUser', 'jane.doe@tech.com', 'identityProvider', false],
		['ExternalGroup', 'Backup Operators', 'identityProvider', true],
	])('creates a %s (%s) with its flags', async (userType, name, directoryKind, isGroup) => {
		const run = await h.run(onboard({ userType, userName: name, isServiceAccount: true }));
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ action: 'created', user: { name, type: userType, isServiceAccount: true, isDirectoryAccount: true, isGroup } });
		expect(directoryKindOf(run.json[0].user as never)).toBe(directoryKind);
		expect(simUser(sim, name)).toMatchObject({ type: userType, isServiceAccount: true });
	});

	describe('when the user already exists', () => {
		it('makes the roles match by default ("updated", with the roles before)', async () => {
			const run = await h.run(onboard({ userName: 'tech\\SHEILA.D.CORY', roles: ['Backup Operator', 'Restore Operator'] }));
			expect(run.json[0]).toMatchObject({
				action: 'updated',
				before: ['Restore Operator'],
				user: { name: 'TECH\\sheila.d.cory' },
			});
			expect((run.json[0].user as { roles: Array<{ name: string }> }).roles.map((r) => r.name).sort()).toEqual([
				'Backup Operator',
				'Restore Operator',
			]);
			expect(mutations(sim)).toEqual([['user.roles', 'TECH\\sheila.d.cory']]);
			expect(routeCount(sim, `POST ${USERS}`)).toBe(0);
		});

		it('is "unchanged" and sends nothing when the roles already match', async () => {
			const run = await h.run(onboard({ userName: 'TECH\\sheila.d.cory', roles: ['Restore Operator'] }));
			expect(run.json[0]).toMatchObject({ action: 'unchanged', before: ['Restore Operator'] });
			expect(mutations(sim)).toEqual([]);
			expect(routeCount(sim, `PUT ${USERS}/:id/roles`)).toBe(0);
		});

		it('leaves the user as it is with "skip"', async () => {
			const run = await h.run(onboard({ userName: 'TECH\\sheila.d.cory', roles: ['Backup Administrator'], ifExists: 'skip' }));
			expect(run.json[0]).toMatchObject({ action: 'unchanged', before: ['Restore Operator'] });
			expect(simUser(sim, 'TECH\\sheila.d.cory')?.roles.map((r) => r.name)).toEqual(['Restore Operator']);
			expect(mutations(sim)).toEqual([]);
		});

		it('fails the item with "error", naming the field and the item', async () => {
			const run = await h.run(onboard({ ifExists: 'error' }), [{ name: 'TECH\\fresh' }, { name: 'TECH\\sheila.d.cory' }]);
			expect(run.error?.name).toBe('NodeOperationError');
			expect(run.error?.message).toBe('User Name (item 1): Veeam already has a user or group named "TECH\\sheila.d.cory" (ID ' + simUser(sim, 'TECH\\sheila.d.cory')?.id + ')');
			expect(mutations(sim)).toEqual([['user.create', 'TECH\\fresh']]);
		});

		it('onboarding the same name twice in one run creates it once', async () => {
			const run = await h.run(onboard(), [{ name: 'TECH\\twice' }, { name: 'TECH\\TWICE' }]);
			expect(run.json.map((j) => j.action)).toEqual(['created', 'unchanged']);
			expect(mutations(sim)).toEqual([['user.create', 'TECH\\twice']]);
		});
	});

	describe('bad input is refused before any request', () => {
		it.each([
			['an empty name', { name: '  ' }, {}, 'User Name (item 0): is empty'],
			['a name with two backslashes', { name: 'TECH\\a\\b' }, {}, 'User Name (item 0): "TECH\\a\\b" is not a Windows account name: write it as name, DOMAIN\\name or name@domain'],
			['an empty domain', { name: '\\jane' }, {}, 'is not a Windows account name'],
			['an empty account part', { name: 'TECH\\' }, { userType: 'InternalGroup' }, 'is not a Windows group name'],
			['a wildcard in the name', { name: 'TECH\\j*' }, {}, 'contains a character account names cannot hold'],
			[
				'a Windows name as an identity-provider user (the meaning of ExternalUser in workflows saved before)',
				{ name: 'TECH\\jane.doe' },
				{ userType: 'ExternalUser' },
				'User Name (item 0): "TECH\\jane.doe" is a Windows account name (DOMAIN\\name), not an identity-provider (SSO) user: choose the type Windows User (InternalUser)',
			],
			['a Windows name as an identity-provider group', { name: 'TECH\\Backup Operators' }, { userType: 'ExternalGroup' }, 'choose the type Windows Group (InternalGroup)'],
			['an identity-provider user name without @suffix', { name: 'jane.doe' }, { userType: 'ExternalUser' }, 'is not an identity-provider (SSO) user name: write it as user@suffix'],
			['a name that is an object', { name: { first: 'jane' } }, {}, 'User Name (item 0): must be text, but the value is an object'],
			['a name that is a list', { name: ['TECH\\a'] }, {}, 'User Name (item 0): must be text, but the value is a list'],
		])('%s', async (_what, input, params, message) => {
			const run = await h.run(onboard(params), [input]);
			expect(run.error?.name).toBe('NodeOperationError');
			expect(run.error?.message).toContain(message);
			expect(sim.stats.requests).toBe(0);
		});

		it.each([
			['no role', [], 'Role Names or IDs (item 0): no role given: a Veeam user needs at least one role'],
			['an empty text', '', 'Role Names or IDs (item 0): no role given'],
			['an unknown role name', ['Restore Operator', 'Chief Backup Wizard'], 'Role Names or IDs (item 0): unknown role "Chief Backup Wizard"'],
			['an unknown role ID', ['00000000-0000-4000-8000-000000000000'], 'unknown role "00000000-0000-4000-8000-000000000000" (no role has this ID)'],
			['a role that is an object', [{ name: 'Restore Operator' }], 'Role Names or IDs (item 0): must be text, but the value is an object'],
		])('%s', async (_what, roles, message) => {
			const run = await h.run(onboard({ roles: '={{ $json.roles }}' }), [{ name: 'TECH\\x', roles }]);
			expect(run.error?.name).toBe('NodeOperationError');
			expect(run.error?.message).toContain(message);
			if (message.includes('unknown role')) expect(errorText(run)).toContain('Roles on this server: Backup Administrator,');
			// At most the read-only role lookup (and its login) happened; nothing was changed.
			expect(Object.keys(sim.stats.byRoute).filter((r) => !['POST /api/oauth2/token', `GET ${ROLES}`].includes(r))).toEqual([]);
			expect(mutations(sim)).toEqual([]);
		});

		it('a bad item stops the run before any item is carried out', async () => {
			const run = await h.run(onboard(), [{ name: 'TECH\\ok.one' }, { name: 'TECH\\ok.two' }, { name: 'TECH\\a\\b' }]);
			expect(run.error?.message).toContain('User Name (item 2)');
			expect((run.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(2);
			expect(mutations(sim)).toEqual([]);
			expect(routeCount(sim, `POST ${USERS}`)).toBe(0);
		});
	});

	describe('a role name two roles share (1.3-rev2: a custom "Restore Operator", as in Veeam\'s RolesResultExample)', () => {
		const CUSTOM = { id: 'a1b2c3d4-e5f6-7890-abcd-ef1234567890', name: 'Restore Operator', description: 'Custom role limited to restore operations', isBuiltIn: false, permissions: [] };
		let custom: SimServer;
		let hc: VeeamFixture;
		beforeAll(async () => {
			custom = await startSimulator({ product: 'vbr', vbr: { customRoles: [CUSTOM] } });
			hc = new VeeamFixture(custom);
		});
		afterAll(async () => {
			await custom.close();
		});

		it('is refused before any change, naming both IDs; the role by ID is taken', async () => {
			const run = await hc.run(onboard(), [{ name: 'TECH\\new.hire' }]);
			expect(run.error?.message).toBe(
				`Role Names or IDs (item 0): "Restore Operator" names 2 roles on this server (IDs ${ROLE_IDS.restoreOperator}, ${CUSTOM.id})`,
			);
			expect(mutations(custom)).toEqual([]);
			const byId = await hc.run(onboard({ roles: [CUSTOM.id] }), [{ name: 'TECH\\new.hire' }]);
			expect(byId.error).toBeUndefined();
			expect(byId.json[0]).toMatchObject({ action: 'created', user: { roles: [{ id: CUSTOM.id, name: 'Restore Operator' }] } });
		});
	});

	describe('unclear failures never create a duplicate', () => {
		it('a create dropped after the server did it is found, not repeated, and reported "created"', async () => {
			sim.addFault({ kind: 'drop', afterProcessing: true, method: 'POST', pathIncludes: '/security/users' });
			const run = await h.run(onboard(), [{ name: 'TECH\\dropped' }]);
			expect(run.error).toBeUndefined();
			expect(run.json[0]).toMatchObject({ action: 'created', user: { name: 'TECH\\dropped' } });
			expect(mutations(sim)).toEqual([['user.create', 'TECH\\dropped']]);
			expect(routeCount(sim, `POST ${USERS}`)).toBe(1);
			expect(sim.stats.faultsInjected).toBe(1);
		});

		it('a create that got 502 (not carried out) is looked for, then sent once more', async () => {
			sim.addFault({ kind: 'status', status: 502, method: 'POST', pathIncludes: '/security/users' });
			const run = await h.run(onboard(), [{ name: 'TECH\\gateway' }]);
			expect(run.json[0]).toMatchObject({ action: 'created' });
			expect(mutations(sim)).toEqual([['user.create', 'TECH\\gateway']]);
			// before the create, after the unclear answer: two name look-ups
			expect(routeCount(sim, `GET ${USERS}`)).toBe(2);
			expect(sim.stats.byStatus).toMatchObject({ '502': 1, '201': 1 });
		});

		it('a create whose answer is cut off (malformed JSON after processing) is not repeated', async () => {
			sim.addFault({ kind: 'malformed', method: 'POST', pathIncludes: '/security/users' });
			const run = await h.run(onboard(), [{ name: 'TECH\\cutoff' }]);
			expect(run.json[0]).toMatchObject({ action: 'created', user: { name: 'TECH\\cutoff' } });
			expect(mutations(sim)).toEqual([['user.create', 'TECH\\cutoff']]);
		});
	});

	it('a 429 on the create is retried after Retry-After (the server did nothing)', async () => {
		sim.addFault({ kind: 'status', status: 429, retryAfterSeconds: 1, method: 'POST', pathIncludes: '/security/users' });
		const started = Date.now();
		const run = await h.run(onboard(), [{ name: 'TECH\\patient' }]);
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(run.json[0]).toMatchObject({ action: 'created' });
		expect(sim.stats.byStatus).toMatchObject({ '429': 1, '201': 1 });
		expect(mutations(sim)).toEqual([['user.create', 'TECH\\patient']]);
	});
});
