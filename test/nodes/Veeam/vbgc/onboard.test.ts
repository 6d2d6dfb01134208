import { startSimulator, VBGC_DEFAULT_PASSWORD, type SimServer } from '../../../../sim';
import { shutdownEngine } from '../../../support/engine';
import { VBGC_ROLE_IDS, VBGC_USERS, VbgcFixture, byName, errorText, mutations, routeCount, vbgcUser } from '../fixtures';

let sim: SimServer;
let h: VbgcFixture;

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbgc' });
	h = new VbgcFixture(sim);
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});
beforeEach(() => {
	sim.reset();
	h.resetCredential();
});

const PASSWORD = 'N3w-Hire-Passw0rd!';

const onboard = (params: Record<string, unknown> = {}) => ({
	resource: 'user',
	operation: 'onboard',
	userName: '={{ $json.name }}',
	password: PASSWORD,
	roles: ['Restore Operator'],
	...params,
});

const roleNamesOf = (name: string) => vbgcUser(sim, name)?.roles.map((r) => r.name).sort();

describe('User → Onboard (Veeam Backup for Google Cloud)', () => {
	it('creates the account with password, roles and description, and outputs the user without the password', async () => {
		const run = await h.run(onboard({ description: 'Jane Doe, service desk' }), [{ name: 'jane-doe' }]);
		expect(run.error).toBeUndefined();
		expect(run.items).toEqual([
			{
				json: {
					action: 'created',
					user: {
						name: 'jane-doe',
						type: 'Local',
						description: 'Jane Doe, service desk',
						roles: [{ id: VBGC_ROLE_IDS.restoreOperator, name: 'Restore Operator', description: expect.any(String) }],
						mfaEnabled: false,
						isDirectoryAccount: false,
						isGroup: false,
					},
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(mutations(sim)).toEqual([['user.create', 'jane-doe']]);
		expect(JSON.stringify(run.json)).not.toContain(PASSWORD);

		// The password was set: the new user can log in with it.
		h.addCredential('jane', { username: 'jane-doe', password: PASSWORD });
		const own = await h.run({ resource: 'user', operation: 'get', user: byName('jane-doe') }, [{}], { credentialId: 'jane' });
		expect(own.json[0]).toMatchObject({ name: 'jane-doe' });
	});

	it('onboards several items with one login and one role lookup', async () => {
		const names = ['a-one', 'b-two', 'c-three'];
		const run = await h.run(onboard({ roles: ['Restore Operator', 'Portal Operator'] }), names.map((name) => ({ name })));
		expect(run.json.map((j) => j.action)).toEqual(['created', 'created', 'created']);
		expect(run.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(sim.stats.grants).toEqual({ 'password:200': 1 });
		expect(routeCount(sim, 'GET /api/v1/users/roles')).toBe(1);
		expect(routeCount(sim, `POST ${VBGC_USERS}`)).toBe(3);
		for (const name of names) expect(roleNamesOf(name)).toEqual(['Portal Operator', 'Restore Operator']);
	});

	it('accepts role IDs, names in any case, and one comma-separated text from an expression', async () => {
		const run = await h.run(onboard({ roles: '={{ $json.roles }}' }), [
			{ name: 'ids', roles: [VBGC_ROLE_IDS.portalOperator, 'restore operator'] },
			{ name: 'csv', roles: 'Portal Operator, Portal Administrator' },
		]);
		expect(run.error).toBeUndefined();
		expect(roleNamesOf('ids')).toEqual(['Portal Operator', 'Restore Operator']);
		expect(roleNamesOf('csv')).toEqual(['Portal Administrator', 'Portal Operator']);
	});

	it('takes the password from an expression and never outputs it', async () => {
		const secrets = ['Fr0m-Expr-Pass#1', 'Fr0m-Expr-Pass#2'];
		const run = await h.run(onboard({ password: '={{ $json.password }}' }), [
			{ name: 'expr-one', password: secrets[0] },
			{ name: 'expr-two', password: secrets[1] },
		], { secrets });
		expect(run.json.map((j) => j.action)).toEqual(['created', 'created']);
	});

	describe('when the user already exists', () => {
		it('makes roles and description match by default ("updated", with what was before); the password stays', async () => {
			const run = await h.run(onboard({ userName: 'operator', roles: ['Restore Operator'], description: 'Now restores only' }));
			expect(run.json[0]).toMatchObject({
				action: 'updated',
				before: ['Portal Operator'],
				descriptionBefore: 'Backup operator',
				user: { name: 'operator', description: 'Now restores only', roles: [{ name: 'Restore Operator' }] },
			});
			expect(vbgcUser(sim, 'operator')).toMatchObject({ description: 'Now restores only', roles: [{ name: 'Restore Operator' }] });
			expect(mutations(sim)).toEqual([
				['user.update', 'operator'],
				['user.update', 'operator'],
			]);
			expect(routeCount(sim, `POST ${VBGC_USERS}`)).toBe(0);
			// Onboard never changes an existing user's password.
			h.addCredential('operator', { username: 'operator', password: VBGC_DEFAULT_PASSWORD });
			const own = await h.run({ resource: 'user', operation: 'get', user: byName('operator') }, [{}], { credentialId: 'operator' });
			expect(own.error).toBeUndefined();
		});

		it('changes only the roles when no description is given', async () => {
			const run = await h.run(onboard({ userName: 'operator', roles: ['Portal Operator', 'Restore Operator'] }));
			expect(run.json[0]).toMatchObject({ action: 'updated', before: ['Portal Operator'], user: { description: 'Backup operator' } });
			expect(run.json[0]).not.toHaveProperty('descriptionBefore');
			expect(mutations(sim)).toEqual([['user.update', 'operator']]);
		});

		it('is "unchanged" and sends nothing when roles and description already match', async () => {
			const run = await h.run(onboard({ userName: 'operator', roles: ['Portal Operator'], description: 'Backup operator' }));
			expect(run.json[0]).toMatchObject({ action: 'unchanged', before: ['Portal Operator'] });
			expect(mutations(sim)).toEqual([]);
			expect(routeCount(sim, 'PUT /api/v1/users/:name')).toBe(0);
		});

		it('leaves the user as it is with "skip"', async () => {
			const run = await h.run(onboard({ userName: 'operator', roles: ['Portal Administrator'], ifExists: 'skip' }));
			expect(run.json[0]).toMatchObject({ action: 'unchanged', before: ['Portal Operator'] });
			expect(roleNamesOf('operator')).toEqual(['Portal Operator']);
			expect(mutations(sim)).toEqual([]);
		});

		it('fails the item with "error", naming the field and the item', async () => {
			const run = await h.run(onboard({ ifExists: 'error' }), [{ name: 'fresh' }, { name: 'operator' }]);
			expect(run.error?.name).toBe('NodeOperationError');
			expect(run.error?.message).toBe('User Name (item 1): Veeam already has a user or group named "operator"');
			expect(mutations(sim)).toEqual([['user.create', 'fresh']]);
		});

		it('onboarding the same name twice in one run creates it once', async () => {
			const run = await h.run(onboard(), [{ name: 'twice' }, { name: 'twice' }]);
			expect(run.json.map((j) => j.action)).toEqual(['created', 'unchanged']);
			expect(mutations(sim)).toEqual([['user.create', 'twice']]);
		});
	});

	describe('bad input is refused before any request', () => {
		it.each([
			['an empty name', { name: '  ' }, 'User Name (item 0): is empty'],
			['a name with a space', { name: 'jane doe' }, 'User Name (item 0): "jane doe" contains white space'],
			['a DOMAIN\\name', { name: 'TECH\\jane' }, 'User Name (item 0): "TECH\\jane" contains / or \\'],
			['a name with /', { name: 'a/b' }, 'contains / or \\'],
			['a name of 65 characters', { name: 'x'.repeat(65) }, 'User Name (item 0): the name is longer than 64 characters'],
			['the reserved name roles', { name: 'Roles' }, '"roles" cannot be a user name'],
			// Veeam's 7.0 user guide, "Account Info": at most 32 characters, lowercase Latin letters, digits, _ and -.
			['a name of 33 characters', { name: 'x'.repeat(33) }, `User Name (item 0): "${'x'.repeat(33)}" is not a valid new Veeam Backup for Google Cloud user name: at most 32 characters`],
			['a name with a dot', { name: 'jane.doe' }, 'User Name (item 0): "jane.doe" is not a valid new Veeam Backup for Google Cloud user name: at most 32 characters: lowercase Latin letters, digits, underscores (_) and dashes (-)'],
			['a name with capitals', { name: 'Jane' }, '"Jane" is not a valid new Veeam Backup for Google Cloud user name'],
			['a name with @', { name: 'jane@corp' }, '"jane@corp" is not a valid new Veeam Backup for Google Cloud user name'],
			['a name with a non-Latin letter', { name: 'jané' }, '"jané" is not a valid new Veeam Backup for Google Cloud user name'],
			['a name that is an object', { name: { first: 'jane' } }, 'User Name (item 0): must be text, but the value is an object'],
		])('%s', async (_what, input, message) => {
			const run = await h.run(onboard(), [input]);
			expect(run.error?.name).toBe('NodeOperationError');
			expect(run.error?.message).toContain(message);
			expect(sim.stats.requests).toBe(0);
		});

		it.each([
			['empty', '', 'Password (item 0): is empty'],
			['too short', 'Ab1!xyz', 'it lacks at least 8 characters'],
			['without upper case', 'weak-passw0rd!', 'it lacks an upper-case letter'],
			['without lower case', 'WEAK-PASSW0RD!', 'it lacks a lower-case letter'],
			['without a digit', 'Weak-Password!', 'it lacks a digit'],
			['without a special character', 'WeakPassw0rd', 'it lacks a special character'],
			['with several gaps', 'abc', 'it lacks at least 8 characters, an upper-case letter, a digit, a special character'],
		])('a password that is %s, without quoting it', async (_what, password, message) => {
			const run = await h.run(onboard({ password: '={{ $json.password }}' }), [{ name: 'weak', password }], { secrets: [password] });
			expect(run.error?.name).toBe('NodeOperationError');
			expect(run.error?.message).toContain(message);
			expect(sim.stats.requests).toBe(0);
		});

		it('a password that is not text', async () => {
			const run = await h.run(onboard({ password: '={{ $json.password }}' }), [{ name: 'x', password: { value: 'Str0ng-Pass!' } }]);
			expect(run.error?.message).toBe('Password (item 0): must be text, but the value is an object');
			expect(sim.stats.requests).toBe(0);
		});

		it('a password typed into the node is not kept in the stored error', async () => {
			const run = await h.run(onboard({ roles: ['Chief Backup Wizard'] }), [{ name: 'x' }], { secrets: [PASSWORD] });
			expect(run.error?.message).toBe('Role Names or IDs (item 0): unknown role "Chief Backup Wizard"');
			expect(errorText(run)).toContain('Roles on this server: Portal Administrator, Portal Operator, Restore Operator.');
			// n8n stores the node (with its parameters) in the error; the password is blanked there.
			expect((run.error as unknown as { node: { parameters: Record<string, unknown> } }).node.parameters.password).toBe('[redacted]');
			expect(mutations(sim)).toEqual([]);
		});

		it('a bad item stops the run before any item is carried out', async () => {
			const run = await h.run(onboard(), [{ name: 'ok-one' }, { name: 'ok-two' }, { name: 'not ok' }]);
			expect(run.error?.message).toContain('User Name (item 2)');
			expect((run.error as { context?: { itemIndex?: number } }).context?.itemIndex).toBe(2);
			expect(mutations(sim)).toEqual([]);
		});
	});

	describe('unclear failures never create a duplicate', () => {
		it('a create dropped after the server did it is found, not repeated, and reported "created"', async () => {
			sim.addFault({ kind: 'drop', afterProcessing: true, method: 'POST', pathIncludes: VBGC_USERS });
			const run = await h.run(onboard(), [{ name: 'dropped' }]);
			expect(run.error).toBeUndefined();
			expect(run.json[0]).toMatchObject({ action: 'created', user: { name: 'dropped' } });
			expect(mutations(sim)).toEqual([['user.create', 'dropped']]);
			expect(routeCount(sim, `POST ${VBGC_USERS}`)).toBe(1);
			expect(sim.stats.faultsInjected).toBe(1);
		});

		it('a create that got 502 (not carried out) is looked for, then sent once more', async () => {
			sim.addFault({ kind: 'status', status: 502, method: 'POST', pathIncludes: VBGC_USERS });
			const run = await h.run(onboard(), [{ name: 'gateway' }]);
			expect(run.json[0]).toMatchObject({ action: 'created' });
			expect(mutations(sim)).toEqual([['user.create', 'gateway']]);
			// before the create, after the unclear answer: two look-ups by name
			expect(routeCount(sim, 'GET /api/v1/users/:name')).toBe(2);
			expect(sim.stats.byStatus).toMatchObject({ '502': 1, '404': 2, '200': expect.any(Number) });
		});

		it('a create whose answer is cut off (malformed JSON after processing) is not repeated', async () => {
			sim.addFault({ kind: 'malformed', method: 'POST', pathIncludes: VBGC_USERS });
			const run = await h.run(onboard(), [{ name: 'cutoff' }]);
			expect(run.json[0]).toMatchObject({ action: 'created', user: { name: 'cutoff' } });
			expect(mutations(sim)).toEqual([['user.create', 'cutoff']]);
		});
	});

	it('a 429 on the create is retried after Retry-After (the server did nothing)', async () => {
		sim.addFault({ kind: 'status', status: 429, retryAfterSeconds: 1, method: 'POST', pathIncludes: VBGC_USERS });
		const started = Date.now();
		const run = await h.run(onboard(), [{ name: 'patient' }]);
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(run.json[0]).toMatchObject({ action: 'created' });
		expect(sim.stats.byStatus['429']).toBe(1);
		expect(mutations(sim)).toEqual([['user.create', 'patient']]);
	});

	it('a 500 on the create is reported with Veeam’s problem details and not sent again', async () => {
		sim.addFault({ kind: 'status', status: 500, method: 'POST', pathIncludes: VBGC_USERS });
		const run = await h.run(onboard(), [{ name: 'refused' }]);
		expect(run.error?.name).toBe('NodeApiError');
		expect(errorText(run)).toContain('POST /api/v1/users answered 500');
		expect(routeCount(sim, `POST ${VBGC_USERS}`)).toBe(0);
		expect(sim.stats.byStatus['500']).toBe(1);
		expect(mutations(sim)).toEqual([]);
	});
});
