/** User → Get, Promote, Offboard and Change Password on Veeam Backup for Google Cloud (users by name). */
import { startSimulator, VBGC_DEFAULT_PASSWORD, type SimServer } from '../../../../sim';
import { shutdownEngine } from '../../../support/engine';
import { VBGC_ROLE_IDS, VbgcFixture, byId, byName, errorText, fromList, mutations, routeCount, vbgcUser } from '../fixtures';

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

const roleNamesOf = (name: string) => vbgcUser(sim, name)?.roles.map((r) => r.name).sort();

describe('User → Get', () => {
	it.each([
		['by name, in any case', byName('OPERATOR')],
		['from the list (the value is the name)', fromList('operator')],
		['by an expression giving the name', '={{ "operator" }}'],
	])('finds the user %s', async (_how, user) => {
		const run = await h.run({ resource: 'user', operation: 'get', user });
		expect(run.error).toBeUndefined();
		expect(run.items).toEqual([
			{
				json: {
					name: 'operator',
					type: 'Local',
					description: 'Backup operator',
					mfaEnabled: false,
					roles: [{ id: VBGC_ROLE_IDS.portalOperator, name: 'Portal Operator', description: expect.any(String) }],
					isDirectoryAccount: false,
					isGroup: false,
				},
				pairedItem: { item: 0 },
			},
		]);
		expect(routeCount(sim, 'GET /api/v1/users/:name')).toBe(1);
	});

	it('fails clearly for a user that does not exist', async () => {
		const run = await h.run({ resource: 'user', operation: 'get', user: byName('nobody') });
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe('User (item 0): no Veeam user or group with name "nobody"');
	});

	it('refuses a name VBGC cannot hold before any request (the list/ID forms are names here)', async () => {
		for (const user of [fromList('jane doe'), byId('TECH\\jane')]) {
			const run = await h.run({ resource: 'user', operation: 'get', user });
			expect(run.error?.message).toMatch(/^User \(item 0\): not a Veeam Backup for Google Cloud user name: /);
		}
		expect(sim.stats.requests).toBe(0);
	});

	it('never reads the role list as a user called "roles"', async () => {
		const run = await h.run({ resource: 'user', operation: 'get', user: byName('roles') });
		expect(run.error?.message).toBe(
			'User (item 0): not a Veeam Backup for Google Cloud user name: "roles" cannot be a user name: the API uses /users/roles for the role list',
		);
		expect(sim.stats.requests).toBe(0);
	});
});

describe('User → Promote / Change Roles', () => {
	const promote = (roleMode: string, roles: string[], user = 'operator') => ({
		resource: 'user',
		operation: 'promote',
		user: byName(user),
		roleMode,
		roles,
	});

	it('replaces the roles with a PUT of the role IDs, keeping the description', async () => {
		const run = await h.run(promote('replace', ['Portal Administrator']));
		expect(run.json[0]).toMatchObject({ action: 'updated', before: ['Portal Operator'], after: ['Portal Administrator'] });
		expect(vbgcUser(sim, 'operator')).toMatchObject({ description: 'Backup operator', roles: [{ id: VBGC_ROLE_IDS.portalAdministrator }] });
		expect(sim.log.since()).toEqual([
			expect.objectContaining({ action: 'user.update', target: 'operator', detail: { roles: { from: ['Portal Operator'], to: ['Portal Administrator'] } } }),
		]);
	});

	it('adds roles', async () => {
		const run = await h.run(promote('add', ['Restore Operator', 'Portal Operator']));
		expect(run.json[0]).toMatchObject({ action: 'updated', before: ['Portal Operator'], after: ['Portal Operator', 'Restore Operator'] });
		expect(roleNamesOf('operator')).toEqual(['Portal Operator', 'Restore Operator']);
	});

	it('removes roles', async () => {
		await h.run(promote('add', ['Restore Operator']));
		const run = await h.run(promote('remove', ['Portal Operator']));
		expect(run.json[0]).toMatchObject({ action: 'updated', after: ['Restore Operator'] });
		expect(roleNamesOf('operator')).toEqual(['Restore Operator']);
	});

	it('is "unchanged" and sends nothing when the roles already are as asked', async () => {
		const run = await h.run(promote('add', ['Portal Operator']));
		expect(run.json[0]).toMatchObject({ action: 'unchanged', before: ['Portal Operator'], after: ['Portal Operator'] });
		expect(mutations(sim)).toEqual([]);
	});

	it('refuses to remove the last role, pointing to Offboard', async () => {
		const run = await h.run(promote('remove', ['Portal Operator']));
		expect(run.error?.message).toBe(
			'Role Names or IDs (item 0): removing Portal Operator would leave "operator" without any role, and Veeam requires at least one',
		);
		expect(errorText(run)).toContain('use User → Offboard');
		expect(mutations(sim)).toEqual([]);
	});

	it('surfaces Veeam’s refusal when the built-in administrator would lose Portal Administrator', async () => {
		const run = await h.run(promote('replace', ['Portal Operator'], 'administrator'));
		expect(run.error?.name).toBe('NodeApiError');
		expect(run.error?.message).toBe('Veeam: The default administrator administrator must keep the Portal Administrator role.');
		expect(errorText(run)).toContain('PUT /api/v1/users/{name}'.replace('{name}', 'administrator') + ' answered 400 UnexpectedContent');
	});
});

describe('User → Offboard', () => {
	it('deletes the user; no directory account stays behind', async () => {
		const run = await h.run({ resource: 'user', operation: 'offboard', user: fromList('restorer') });
		expect(run.json[0]).toMatchObject({ action: 'deleted', directoryAccountRemains: false, user: { name: 'restorer' } });
		expect(vbgcUser(sim, 'restorer')).toBeUndefined();
		expect(mutations(sim)).toEqual([['user.delete', 'restorer']]);
	});

	it('finds and deletes an existing user whose name Veeam\'s rule for new names would refuse (made otherwise, e.g. on an older appliance)', async () => {
		// Seeded through the simulator's control API, as an appliance may hold it; POST /users would refuse it.
		sim.product.setLogin('Legacy.Admin', VBGC_DEFAULT_PASSWORD);
		const got = await h.run({ resource: 'user', operation: 'get', user: byName('Legacy.Admin') });
		expect(got.json[0]).toMatchObject({ name: 'Legacy.Admin' });
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byName('Legacy.Admin') });
		expect(run.json[0]).toMatchObject({ action: 'deleted', user: { name: 'Legacy.Admin' } });
		expect(vbgcUser(sim, 'Legacy.Admin')).toBeUndefined();
		expect(mutations(sim)).toEqual([['user.delete', 'Legacy.Admin']]);
	});

	it('is "absent" for a user that does not exist, or fails if asked to', async () => {
		const absent = await h.run({ resource: 'user', operation: 'offboard', user: byName('gone') });
		expect(absent.json[0]).toEqual({ action: 'absent', name: 'gone', directoryAccountRemains: false });
		const failed = await h.run({ resource: 'user', operation: 'offboard', user: byName('gone'), ifNotFound: 'error' });
		expect(failed.error?.message).toBe('User (item 0): no Veeam user or group with name "gone"');
		expect(mutations(sim)).toEqual([]);
	});

	it('is "absent" when the user disappears between the look-up and the delete (404)', async () => {
		sim.addFault({ kind: 'status', status: 503, retryAfterSeconds: 0, method: 'DELETE', pathIncludes: '/api/v1/users/' });
		// Someone else removes the user while our delete waits for its retry.
		const other = (async () => {
			while (sim.stats.faultsInjected === 0) await new Promise((resolve) => setTimeout(resolve, 2));
			(sim.product as unknown as { users: Map<string, unknown> }).users.delete('restorer');
		})();
		const [run] = await Promise.all([h.run({ resource: 'user', operation: 'offboard', user: byName('restorer') }), other]);
		expect(run.json[0]).toMatchObject({ action: 'absent', name: 'restorer' });
	});

	it('refuses to offboard the default administrator (Veeam would refuse too), sending no delete', async () => {
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byName('administrator') });
		expect(run.error?.message).toBe('User (item 0): administrator is the default administrator of the appliance: the node does not offboard it');
		expect(mutations(sim)).toEqual([]);
		expect(vbgcUser(sim, 'administrator')).toBeDefined();
	});
});

describe('User → Change Password', () => {
	const NEW_PASSWORD = 'Brand-N3w-Secret!';
	const change = (params: Record<string, unknown> = {}) => ({
		resource: 'user',
		operation: 'changePassword',
		user: byName('operator'),
		oldPassword: VBGC_DEFAULT_PASSWORD,
		newPassword: NEW_PASSWORD,
		...params,
	});

	it('sets the new password (the user logs in with it, not the old one); no password in the output', async () => {
		const run = await h.run(change(), [{}], { secrets: [NEW_PASSWORD] });
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toEqual({ action: 'passwordChanged', user: expect.objectContaining({ name: 'operator' }) });
		expect(mutations(sim)).toEqual([['user.password', 'operator']]);

		h.addCredential('new', { username: 'operator', password: NEW_PASSWORD });
		const withNew = await h.run({ resource: 'user', operation: 'get', user: byName('operator') }, [{}], { credentialId: 'new' });
		expect(withNew.error).toBeUndefined();
		h.addCredential('old', { username: 'operator', password: VBGC_DEFAULT_PASSWORD });
		const withOld = await h.run({ resource: 'user', operation: 'get', user: byName('operator') }, [{}], { credentialId: 'old' });
		expect(withOld.error?.message).toMatch(/wrong user name or password/);
	});

	it.each([
		['a weak new password', { newPassword: 'qwertyuiop' }, 'New Password (item 0): does not meet the password policy'],
		// Empty only through an expression: n8n itself refuses to run a required field left empty.
		['an empty new password', { newPassword: '={{ "" }}' }, 'New Password (item 0): is empty'],
		['an empty current password', { oldPassword: '={{ "" }}' }, 'Current Password (item 0): is empty'],
	])('refuses %s before any request', async (_what, params, message) => {
		const run = await h.run(change(params), [{}], { secrets: ['qwertyuiop'] });
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toContain(message);
		expect(sim.stats.requests).toBe(0);
	});

	it('a wrong current password is Veeam’s error, quoting neither password', async () => {
		const run = await h.run(change({ oldPassword: 'N0t-The-Current!' }), [{}], { secrets: ['N0t-The-Current!', NEW_PASSWORD] });
		expect(run.error?.name).toBe('NodeApiError');
		expect(run.error?.message).toBe('Veeam: The current password (oldPassword) is incorrect.');
		expect((run.error as unknown as { node: { parameters: Record<string, unknown> } }).node.parameters).toMatchObject({
			oldPassword: '[redacted]',
			newPassword: '[redacted]',
		});
		expect(mutations(sim)).toEqual([]);
	});

	it('a change whose answer is lost is reported as unclear, not sent again', async () => {
		sim.addFault({ kind: 'drop', afterProcessing: true, method: 'POST', pathIncludes: '/changePassword' });
		const run = await h.run(change(), [{}], { secrets: [NEW_PASSWORD] });
		expect(run.error?.name).toBe('UnclearOutcomeError'); // a NodeApiError
		expect(errorText(run)).toContain('The request may or may not have been carried out.');
		expect(routeCount(sim, 'POST /api/v1/users/:name/changePassword')).toBe(1);
		expect(mutations(sim)).toEqual([['user.password', 'operator']]);
	});
});
