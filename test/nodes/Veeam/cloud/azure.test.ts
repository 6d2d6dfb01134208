/**
 * Veeam Backup for Microsoft Azure as Veeam's references give it (issue 25, points 1 to 7), through
 * n8n's engine against the simulator (which follows sim/contracts/azure.md): opaque user IDs,
 * `role` in the shape of each API version, a name pattern and order that hold although the list
 * takes neither, every RbacRole value (and any other) kept as a role, MFA over REST, problem
 * details' `errors` and `detail` in the message, and the grant types as the Login reference writes them.
 */
import { AZURE_IDP_USER, startSimulator, type SimServer } from '../../../../sim';
import { AZURE_USER_ID_PATTERN } from '../../../../client/ids';
import { userLocators } from '../../../../nodes/Veeam/actions/common.descriptions';
import { shutdownEngine } from '../../../support/engine';
import { byId, byName, errorText, mutations } from '../fixtures';
import { CloudFixture, cloudUser } from './fixture';

const PASSWORD = 'N3w-Hire-Passw0rd!';

let sim: SimServer;
let h: CloudFixture;

beforeAll(async () => {
	sim = await startSimulator({ product: 'azure', azure: { roleShapes: { v7: 'array' } } });
	h = new CloudFixture(sim, 'azure');
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});
beforeEach(() => {
	sim.reset();
	h.resetCredential();
});

const onboard = (name: string, roles = ['Restore Operator']) => ({ resource: 'user', operation: 'onboard', userName: name, password: PASSWORD, roles });
const idOf = (name: string) => String(cloudUser(sim, name)?.id);
const status = (code: number) => sim.stats.byStatus[code] ?? 0;

describe('1. user IDs are opaque strings (Veeam\'s examples: 1003, 1423)', () => {
	it('gets, promotes, changes the password of and offboards a user by its numeric ID', async () => {
		expect((await h.run(onboard('by_id'))).error).toBeUndefined();
		const id = idOf('by_id');
		expect(id).toMatch(/^\d+$/);
		const got = await h.run({ resource: 'user', operation: 'get', user: byId(id) });
		expect(got.error).toBeUndefined();
		expect(got.json[0]).toMatchObject({ name: 'by_id', id });
		const promoted = await h.run({ resource: 'user', operation: 'promote', user: byId(id), roles: ['Portal Operator'] });
		expect(promoted.error).toBeUndefined();
		expect(cloudUser(sim, 'by_id')?.role).toBe('PortalOperator');
		const changed = await h.run({ resource: 'user', operation: 'changePassword', user: byId(id), newPassword: 'An0ther-Passw0rd!' });
		expect(changed.error).toBeUndefined();
		const gone = await h.run({ resource: 'user', operation: 'offboard', user: byId(id), confirm: true });
		expect(gone.error).toBeUndefined();
		expect(gone.json[0]).toMatchObject({ action: 'deleted' });
		expect(cloudUser(sim, 'by_id')).toBeUndefined();
	});

	it('refuses only what cannot be an ID (blank, control characters), naming the field, with nothing sent', async () => {
		// Through an expression (the editor's own check refuses them as typed: the next test).
		const run = await h.run({ resource: 'user', operation: 'get', user: byId('={{ $json.id }}') }, [{ id: '   ' }, { id: 'a\u0000b' }, { id: '12\n3' }], { continueOnFail: true });
		expect(run.json.map((j) => String(j.error))).toEqual([
			expect.stringMatching(/User.*empty/),
			expect.stringMatching(/User.*control characters/),
			expect.stringMatching(/User.*control characters/),
		]);
		expect(sim.stats.byRoute['GET /api/:version/users/:id'] ?? 0).toBe(0);
		// An ID that names nobody is an absent user, not a malformed one.
		const absent = await h.run({ resource: 'user', operation: 'get', user: byId('9999') });
		expect(errorText(absent)).toMatch(/no Veeam user or group with ID 9999/);
	});

	it('an expression over the whole locator reads digits as an ID and anything else as a name', async () => {
		const run = await h.run({ resource: 'user', operation: 'get', user: '={{ $json.who }}' }, [{ who: '1003' }, { who: 'operator' }, { who: AZURE_IDP_USER.name }]);
		expect(run.error).toBeUndefined();
		expect(run.json.map((u) => u.name)).toEqual(['restorer', 'operator', AZURE_IDP_USER.name]);
	});

	it('the editor takes a numeric ID in the By ID field of the Azure user locator', () => {
		const azure = userLocators.find((p) => p.displayOptions?.show?.product?.includes('azure'));
		const idMode = azure?.modes?.find((m) => m.name === 'id');
		const regex = (idMode?.validation?.[0] as { properties: { regex: string } } | undefined)?.properties.regex;
		expect(regex).toBe(AZURE_USER_ID_PATTERN);
		const re = new RegExp(String(regex));
		for (const ok of ['1003', '1423', '543', '5ff0e0eb-45cf-48cc-9677-7613fc79bc11', 'opaque-id_7']) expect(`${ok}:${re.test(ok)}`).toBe(`${ok}:true`);
		for (const bad of ['', '   ', 'a\u0001b', '12\n3', '.', '..']) expect(`${JSON.stringify(bad)}:${re.test(bad)}`).toBe(`${JSON.stringify(bad)}:false`);
	});
});

describe('2. role in the shape of the API version', () => {
	it('sends ONE string to v8.1 and v8 (RbacRoleNullable): the create and the promotion succeed without a 400', async () => {
		for (const apiVersion of ['v8.1', 'v8']) {
			h.resetCredential({ apiVersion });
			const name = `shape_${apiVersion.replace('.', '')}`;
			const run = await h.run(onboard(name));
			expect(run.error).toBeUndefined();
			expect((await h.run({ resource: 'user', operation: 'promote', user: byName(name), roles: ['Read-Only User'] })).error).toBeUndefined();
			expect(cloudUser(sim, name)?.role).toBe('ReadOnlyUser');
		}
		expect(status(400)).toBe(0);
	});

	it('sends ONE string to v5 (assumed from the v8.1 document\'s V3 namespace, see the contract): created with no 400', async () => {
		h.resetCredential({ apiVersion: 'v5' });
		const run = await h.run(onboard('shape_v5'));
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ action: 'created', user: { roles: [{ id: 'RestoreOperator', name: 'Restore Operator' }] } });
		expect(status(400)).toBe(0);
	});

	it('a v5 server that wants the 3.0 page\'s array after all gets it on the one retry, and its answers\' arrays are read', async () => {
		const arrays = await startSimulator({ product: 'azure', azure: { roleShapes: { v5: 'array' } } });
		try {
			const h5 = new CloudFixture(arrays, 'azure');
			h5.resetCredential({ apiVersion: 'v5' });
			const run = await h5.run(onboard('shape_v5a'));
			expect(run.error).toBeUndefined();
			expect(run.json[0]).toMatchObject({ action: 'created', user: { roles: [{ id: 'RestoreOperator', name: 'Restore Operator' }] } });
			expect(arrays.stats.byStatus[400]).toBe(1);
		} finally {
			await arrays.close();
		}
	});

	it('on an assumed version whose server wants the other shape (v7 here), answers its 400 about role once with the other shape', async () => {
		h.resetCredential({ apiVersion: 'v7' });
		const run = await h.run([onboard('shape_v7')].map((p) => p)[0], [{}]);
		expect(run.error).toBeUndefined();
		expect(cloudUser(sim, 'shape_v7')?.role).toBe('RestoreOperator');
		expect(status(400)).toBe(1);
		expect(mutations(sim).filter(([a]) => a === 'user.create')).toEqual([['user.create', 'shape_v7']]);
	});
});

describe('3. a name pattern and an order hold although the list takes neither', () => {
	it('Get Many "ops_*" returns only the ops_ users (the server ignores SearchPattern), sorted as asked', async () => {
		sim.seed({ count: 30, prefix: 'dev_', roles: ['Restore Operator'] });
		sim.seed({ count: 3, prefix: 'ops_', roles: ['Restore Operator'] });
		const run = await h.run({ resource: 'user', operation: 'getMany', returnAll: true, filters: { namePattern: 'ops_*' }, options: { sortBy: 'name', sortDirection: 'DESC' } });
		expect(run.error).toBeUndefined();
		expect(run.json.map((u) => u.name)).toEqual(['ops_000033', 'ops_000032', 'ops_000031']);
	});

	it('orders by name although the server lists in its own order (by ID): a later user named "aaa" comes first', async () => {
		expect((await h.run(onboard('aaa_late'))).error).toBeUndefined();
		const run = await h.run({ resource: 'user', operation: 'getMany', returnAll: false, limit: 2 });
		expect(run.error).toBeUndefined();
		expect(run.json.map((u) => u.name)).toEqual(['aaa_late', 'Administrator']);
	});
});

describe('4. every RbacRole value, and any other, is a role', () => {
	it('holders of Integration Operator, Read-Only User, Veeam Updater and Unknown are listed with their role, none role-less', async () => {
		sim.seed({ count: 1, prefix: 'int_', roles: ['IntegrationOperator'] });
		sim.seed({ count: 1, prefix: 'ro_', roles: ['ReadOnlyUser'] });
		sim.seed({ count: 1, prefix: 'upd_', roles: ['VeeamUpdater'] });
		sim.seed({ count: 1, prefix: 'unk_', roles: ['Unknown'] });
		const run = await h.run({ resource: 'user', operation: 'getMany', returnAll: true });
		expect(run.error).toBeUndefined();
		const roleOf = (name: string) => (run.json.find((u) => u.name === name)?.roles as Array<{ id: string }> | undefined)?.map((r) => r.id);
		expect([roleOf('int_000001'), roleOf('ro_000002'), roleOf('upd_000003'), roleOf('unk_000004')]).toEqual([['IntegrationOperator'], ['ReadOnlyUser'], ['VeeamUpdater'], ['Unknown']]);
		expect(run.json.filter((u) => !(u.roles as unknown[]).length).map((u) => u.name)).toEqual([]);
		const report = await h.run({ resource: 'user', operation: 'accessReport' });
		expect(report.error).toBeUndefined();
		expect(JSON.stringify(report.json)).toContain('Read-Only User');
	});

	it('a role of a later release is kept by its value; an answer without a readable role holds Unknown', async () => {
		sim.addFault({ kind: 'patch', set: { role: 'FutureRole2030' }, method: 'GET', pathIncludes: '/users/1003' });
		const future = await h.run({ resource: 'user', operation: 'get', user: byId('1003') });
		expect(future.json[0]).toMatchObject({ roles: [{ id: 'FutureRole2030', name: 'FutureRole2030' }] });
		sim.addFault({ kind: 'patch', set: { role: null }, method: 'GET', pathIncludes: '/users/1003' });
		const none = await h.run({ resource: 'user', operation: 'get', user: byId('1003') });
		expect(none.json[0]).toMatchObject({ roles: [{ id: 'Unknown', name: 'Unknown' }] });
	});
});

describe('5. MFA over REST', () => {
	it('offers Enable, Accept and Disable on Azure (POST /users/{id}/enableMfa, acceptMfa, disableMfa)', async () => {
		const enabled = await h.run({ resource: 'mfa', operation: 'enable', user: byId('1002') }, [{}], { allowPendingMfa: true });
		expect(enabled.error).toBeUndefined();
		expect(sim.stats.byRoute['POST /api/:version/users/:id/enableMfa']).toBe(1);
		const disabled = await h.run({ resource: 'mfa', operation: 'disable', user: byId('1004') });
		expect(disabled.error).toBeUndefined();
		expect(cloudUser(sim, 'mfa_admin')?.mfaEnabled).toBe(false);
	});

	it('refuses Enable for a Microsoft Entra ID user before sending anything (the user guide: not for identity-provider users)', async () => {
		const run = await h.run({ resource: 'mfa', operation: 'enable', user: byId('1005') });
		expect(errorText(run)).toMatch(/Microsoft Entra ID account/);
		expect(sim.stats.byRoute['POST /api/:version/users/:id/enableMfa'] ?? 0).toBe(0);
	});
});

describe('6. problem details: which field and why', () => {
	it('a refused create names the field and the server\'s reason from errors, not only the title', async () => {
		sim.addFault({
			kind: 'answer',
			status: 400,
			headers: { 'Content-Type': 'application/problem+json' },
			body: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1', title: 'One or more validation errors occurred.', status: 400, errors: { Description: ['The description contains characters that are not allowed.'] }, traceId: '00-1-2-00' },
			method: 'POST',
			pathIncludes: '/users',
		});
		const run = await h.run(onboard('problem_user'));
		expect(errorText(run)).toMatch(/One or more validation errors occurred\..*Description: The description contains characters that are not allowed\./);
	});
});

describe('7. grant types as the Login reference writes them', () => {
	it('logs in with Password, refreshes with Refresh_token, finishes MFA with Mfa (the simulator takes only those spellings)', async () => {
		expect((await h.run({ resource: 'user', operation: 'getMany', returnAll: true })).error).toBeUndefined();
		expect(sim.stats.grants['password:200']).toBe(1);
		h.addCredential('mfa', { username: h.facts.mfaUser.name, password: h.facts.mfaUser.password, totpSecret: h.facts.mfaUser.secret });
		expect((await h.run({ resource: 'user', operation: 'getMany', returnAll: true }, [{}], { credentialId: 'mfa' })).error).toBeUndefined();
		expect(sim.stats.grants['mfa:200']).toBe(1);
		sim.tokens.expireAllAccess();
		expect((await h.run({ resource: 'user', operation: 'getMany', returnAll: true })).error).toBeUndefined();
		expect(sim.stats.grants['refresh_token:200']).toBe(1);
		expect(Object.keys(sim.stats.grants).filter((g) => g.endsWith(':400'))).toEqual([]);
	});
});

describe('6. problem details at login', () => {
	it('a login refused with validation errors names the field', async () => {
		sim.addFault({
			kind: 'answer',
			status: 400,
			headers: { 'Content-Type': 'application/problem+json' },
			body: { type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1', title: 'One or more validation errors occurred.', status: 400, errors: { grant_type: ["The value 'x' is not valid."] } },
			method: 'POST',
			pathIncludes: '/oauth2/token',
		});
		const run = await h.run({ resource: 'user', operation: 'getMany', returnAll: true });
		expect(errorText(run)).toMatch(/One or more validation errors occurred\. grant_type: The value 'x' is not valid/);
	});
});
