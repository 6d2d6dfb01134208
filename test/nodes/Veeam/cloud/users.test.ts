/**
 * Every user operation on Veeam Backup for AWS and for Microsoft Azure, through n8n's engine against
 * the simulators: Onboard, Get, Get Many, Promote, Offboard, Change Password, Role → Get Many, the
 * Access Report, continue-on-fail per item, and the one-role rule.
 */
import { startSimulator, type SimServer } from '../../../../sim';
import { shutdownEngine } from '../../../support/engine';
import { Veeam } from '../../../../nodes/Veeam/Veeam.node';
import { byId, byName, errorText, fromList, mutations } from '../fixtures';
import { CloudFixture, cloudUser, type CloudProduct } from './fixture';

const PASSWORD = 'N3w-Hire-Passw0rd!';

describe.each<CloudProduct>(['aws', 'azure'])('User operations on %s', (product) => {
	let sim: SimServer;
	let h: CloudFixture;

	beforeAll(async () => {
		sim = await startSimulator({ product });
		h = new CloudFixture(sim, product);
	});
	afterAll(async () => {
		await sim.close();
		await shutdownEngine();
	});
	beforeEach(() => {
		sim.reset();
		h.resetCredential();
	});

	const onboard = (params: Record<string, unknown> = {}) => ({
		resource: 'user',
		operation: 'onboard',
		userName: '={{ $json.name }}',
		password: PASSWORD,
		roles: ['Restore Operator'],
		...params,
	});
	const roleOf = (name: string) => {
		const role = cloudUser(sim, name)?.role;
		return Array.isArray(role) ? role.join() : role;
	};
	/** The locator of the user named `name` in the product's way (AWS: the name; Azure: its ID). */
	const locator = (name: string) => (h.facts.refKind === 'name' ? byName(name) : byId(String(cloudUser(sim, name)?.id)));

	it('onboards a hire with password, role and description, outputs no password, and the hire can log in', async () => {
		const run = await h.run(onboard({ description: 'Jane Doe, service desk' }), [{ name: 'jane_doe' }]);
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({
			action: 'created',
			user: { name: 'jane_doe', description: 'Jane Doe, service desk', roles: [{ id: h.facts.roleIds['Restore Operator'], name: 'Restore Operator' }], isDirectoryAccount: false },
		});
		expect(mutations(sim).filter(([a]) => a === 'user.create')).toEqual([['user.create', 'jane_doe']]);
		expect(roleOf('jane_doe')).toBe(h.facts.roleIds['Restore Operator']);
		expect(JSON.stringify(run.json)).not.toContain(PASSWORD);

		// The password was set: the hire logs in with it (a Restore Operator may not list users: the call
		// is refused for the role, after a successful login).
		h.addCredential('jane', { username: 'jane_doe', password: PASSWORD });
		const logins = sim.stats.grants['password:200'] ?? 0;
		const own = await h.run({ resource: 'user', operation: 'getMany', returnAll: true }, [{}], { credentialId: 'jane' });
		expect(sim.stats.grants['password:200']).toBe(logins + 1);
		expect(errorText(own)).not.toMatch(/wrong user name or password/);
	});

	it('onboards idempotently: the same hire again is unchanged, a new role makes it match, "Error" fails the item', async () => {
		await h.run(onboard(), [{ name: 'raj' }]);
		const again = await h.run(onboard(), [{ name: 'raj' }]);
		expect(again.json[0]).toMatchObject({ action: 'unchanged' });
		const promoted = await h.run(onboard({ roles: ['Portal Operator'] }), [{ name: 'raj' }]);
		expect(promoted.json[0]).toMatchObject({ action: 'updated', before: ['Restore Operator'], user: { roles: [{ name: 'Portal Operator' }] } });
		expect(roleOf('raj')).toBe(h.facts.roleIds['Portal Operator']);
		const strict = await h.run(onboard({ ifExists: 'error' }), [{ name: 'raj' }]);
		expect(errorText(strict)).toMatch(/already has a user or group named "raj"/);
		expect(mutations(sim).filter(([a]) => a === 'user.create')).toHaveLength(1);
	});

	it('refuses two roles (these products give a user one), an empty password and a bad name, per item, before sending anything', async () => {
		const before = sim.stats.requests;
		const two = await h.run(onboard({ roles: ['Restore Operator', 'Portal Operator'] }), [{ name: 'two' }]);
		expect(errorText(two)).toMatch(/Role Names or IDs.*exactly one role/s);
		const empty = await h.run(onboard({ password: '={{ $json.pw }}' }), [{ name: 'empty', pw: '' }]);
		expect(errorText(empty)).toMatch(/Password/);
		const bad = await h.run(onboard(), [{ name: '..' }]);
		expect(errorText(bad)).toMatch(/User Name.*(parent path|cannot)/s);
		expect(mutations(sim)).toEqual([]);
		// At most the login and nothing that changes anything.
		expect(sim.stats.requests - before).toBeLessThanOrEqual(3);
	});

	it('leaves a password to the appliance: no published policy, so a weak one is sent, and the appliance\'s refusal is what the user reads', async () => {
		// The simulator's policy (8+ characters, upper, lower, digit, special) is assumed (see the contracts).
		const weak = await h.run(onboard({ password: 'short' }), [{ name: 'weak_one' }]);
		expect(sim.stats.byRoute[`POST ${h.facts.usersRoute}`]).toBe(1);
		// Azure: the 400's errors.Password; AWS: the 400 explained by validatePassword's messages.
		expect(errorText(weak)).toMatch(product === 'aws' ? /refuses the password: it does not meet the appliance's password policy/ : /400.*Password/s);
		expect(errorText(weak)).not.toContain('short');
		expect(cloudUser(sim, 'weak_one')).toBeUndefined();
	});

	it('costs one create per new user when nothing is wrong; a create the server refuses is explained, and nothing is created', async () => {
		const run = await h.run(onboard(), [{ name: 'cost_one' }]);
		expect(run.json[0]).toMatchObject({ action: 'created' });
		const validations = () => Object.entries(sim.stats.byRoute).filter(([route]) => /validate/i.test(route)).reduce((n, [, c]) => n + c, 0);
		expect(validations()).toBe(0);
		expect(sim.stats.byRoute[`POST ${h.facts.usersRoute}`]).toBe(1);
		// A description the user guide's rule refuses (AWS: over 255 characters; Azure: a character
		// other than letters, digits, dots, commas, spaces) is refused before anything is sent.
		const requests = sim.stats.requests;
		const refused = await h.run(onboard({ description: product === 'aws' ? 'x'.repeat(300) : 'Ops - EU' }), [{ name: 'bad_desc' }]);
		expect(errorText(refused)).toMatch(/Description \(item 0\)/);
		expect(sim.stats.requests).toBe(requests);
		// A create the server refuses although our checks let it through (here an injected 400): on AWS
		// the appliance's validate calls are asked why, then the refusal is reported; nothing is created.
		sim.addFault({ kind: 'answer', status: 400, method: 'POST', pathIncludes: '/users', body: { status: 400, errorCode: 'InvalidOperation', title: 'Bad Request', details: 'Refused' } });
		const refusedByServer = await h.run(onboard(), [{ name: 'refused_one' }]);
		expect(errorText(refusedByServer)).toMatch(/Refused|400/);
		expect(cloudUser(sim, 'refused_one')).toBeUndefined();
		expect(validations()).toBe(product === 'aws' ? 2 : 0);
	});

	it('continues on fail per item: the good hires are created, the bad one is an error item', async () => {
		const run = await h.run(onboard({ password: '={{ $json.password }}' }), [
			{ name: 'a_one', password: PASSWORD },
			{ name: 'b_two', password: 'weak' },
			{ name: 'c_three', password: PASSWORD },
		], { continueOnFail: true });
		expect(run.error).toBeUndefined();
		expect(run.json.map((j) => j.action ?? 'error')).toEqual(['created', 'error', 'created']);
		expect(String(run.json[1].error)).toMatch(/password/i);
		expect(run.items.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(cloudUser(sim, 'b_two')).toBeUndefined();
	});

	it('gets a user, lists users by name pattern with a limit, and lists roles', async () => {
		for (const name of ['ops_ann', 'ops_bob', 'dev_cid']) await h.run(onboard(), [{ name }]);
		const got = await h.run({ resource: 'user', operation: 'get', user: locator('ops_bob') });
		expect(got.json[0]).toMatchObject({ name: 'ops_bob', roles: [{ name: 'Restore Operator' }] });
		const listed = await h.run({ resource: 'user', operation: 'getMany', returnAll: true, filters: { namePattern: 'ops_*' } });
		expect(listed.json.map((u) => u.name)).toEqual(['ops_ann', 'ops_bob']);
		const skipped = await h.run({ resource: 'user', operation: 'getMany', returnAll: true, filters: { namePattern: 'ops_*' }, options: { offset: 1 } });
		expect(skipped.json.map((u) => u.name)).toEqual(['ops_bob']);
		const byType = await h.run({ resource: 'user', operation: 'getMany', returnAll: true, options: { sortBy: 'type' } });
		expect(errorText(byType)).toMatch(/Sort By \(item 0\): "type" is not one of name, description, mfaEnabled/);
		const one = await h.run({ resource: 'user', operation: 'getMany', returnAll: false, limit: 1, options: { sortBy: 'name', sortDirection: 'DESC' } });
		expect(one.json).toHaveLength(1);
		const all = await h.run({ resource: 'user', operation: 'getMany', returnAll: true });
		expect(one.json[0].name).toBe([...all.json.map((u) => String(u.name))].sort((a, b) => b.toLowerCase().localeCompare(a.toLowerCase()))[0]);
		const roles = await h.run({ resource: 'role', operation: 'getMany', returnAll: true });
		expect(roles.json.map((r) => r.name)).toEqual(expect.arrayContaining(['Portal Administrator', 'Portal Operator', 'Restore Operator']));
		const missing = await h.run({ resource: 'user', operation: 'get', user: byName('nobody.here') });
		expect(errorText(missing)).toMatch(/no Veeam user or group with name "nobody.here"/);
	});

	it('serves the editor: the user list (searchable, paged), the role list and Role → Get by list, name or ID', async () => {
		const node = new Veeam();
		for (const name of ['find_me', 'find_you', 'other_one']) await h.run(onboard(), [{ name }]);
		const found = await node.methods!.listSearch!.searchUsers.call(h.loadOptionsContext({ resource: 'user', operation: 'get' }), 'find');
		expect(found.results.map((r) => r.name).sort()).toEqual(['find_me', 'find_you']);
		// The list's value is what the product addresses the user by: its name (AWS) or its ID (Azure).
		const picked = found.results.find((r) => r.name === 'find_me');
		expect(picked?.value).toBe(h.facts.refKind === 'name' ? 'find_me' : cloudUser(sim, 'find_me')?.id);
		const got = await h.run({ resource: 'user', operation: 'get', user: fromList(String(picked?.value)) });
		expect(got.json[0]).toMatchObject({ name: 'find_me' });

		const roles = await node.methods!.listSearch!.searchRoles.call(h.loadOptionsContext({ resource: 'role', operation: 'get' }), 'operator');
		expect(roles.results.map((r) => r.name).sort()).toEqual(product === 'azure' ? ['Integration Operator', 'Portal Operator', 'Restore Operator'] : ['Portal Operator', 'Restore Operator']);
		const options = await node.methods!.loadOptions!.getRoles.call(h.loadOptionsContext({ resource: 'user', operation: 'onboard' }));
		expect(options.map((o) => o.name)).toEqual(expect.arrayContaining(['Portal Administrator', 'Portal Operator', 'Restore Operator']));
		for (const role of [fromList(h.facts.roleIds['Portal Operator']), byName('Portal Operator'), byId(h.facts.roleIds['Portal Operator'])]) {
			const one = await h.run({ resource: 'role', operation: 'get', role });
			expect(one.error).toBeUndefined();
			expect(one.json[0]).toMatchObject({ id: h.facts.roleIds['Portal Operator'], name: 'Portal Operator' });
		}
		const unknown = await h.run({ resource: 'role', operation: 'get', role: byId('BackupViewer') });
		expect(errorText(unknown)).toMatch(/Role \(item 0\).*not a role of/s);
	});

	it('promotes (replace), refuses adding a second role, and sends nothing for that', async () => {
		await h.run(onboard(), [{ name: 'pat' }]);
		const replaced = await h.run({ resource: 'user', operation: 'promote', user: locator('pat'), roleMode: 'replace', roles: ['Portal Operator'] });
		expect(replaced.json[0]).toMatchObject({ action: 'updated', before: ['Restore Operator'], after: ['Portal Operator'] });
		expect(roleOf('pat')).toBe(h.facts.roleIds['Portal Operator']);
		const log = mutations(sim).length;
		const added = await h.run({ resource: 'user', operation: 'promote', user: locator('pat'), roleMode: 'add', roles: ['Restore Operator'] });
		expect(errorText(added)).toMatch(/exactly one role/);
		expect(mutations(sim)).toHaveLength(log);
	});

	it('offboards a leaver (deleted, then absent), and never the default administrator or the last Portal Administrator', async () => {
		await h.run(onboard(), [{ name: 'leaver' }]);
		const ref = locator('leaver');
		const gone = await h.run({ resource: 'user', operation: 'offboard', user: ref, ifNotFound: 'absent' });
		expect(gone.json[0]).toMatchObject({ action: 'deleted', directoryAccountRemains: false });
		expect(cloudUser(sim, 'leaver')).toBeUndefined();
		const again = await h.run({ resource: 'user', operation: 'offboard', user: product === 'aws' ? byName('leaver') : ref, ifNotFound: 'absent' });
		expect(again.json[0]).toMatchObject({ action: 'absent' });
		const admin = await h.run({ resource: 'user', operation: 'offboard', user: locator(h.facts.admin), ifNotFound: 'absent' });
		expect(errorText(admin)).toMatch(/default administrator/);
		expect(cloudUser(sim, h.facts.admin)).toBeDefined();
	});

	it('changes a password (AWS asks for the current one, Azure does not); the new one logs in, neither is in the output', async () => {
		await h.run(onboard(), [{ name: 'pwd_user' }]);
		const next = 'An0ther-Passw0rd!';
		const run = await h.run({ resource: 'user', operation: 'changePassword', user: locator('pwd_user'), oldPassword: PASSWORD, newPassword: next });
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ action: 'passwordChanged', user: { name: 'pwd_user' } });
		expect(JSON.stringify(run.json)).not.toContain(next);
		h.addCredential('pwd', { username: 'pwd_user', password: next });
		const logins = sim.stats.grants['password:200'] ?? 0;
		const own = await h.run({ resource: 'user', operation: 'getMany', returnAll: true }, [{}], { credentialId: 'pwd' });
		expect(sim.stats.grants['password:200']).toBe(logins + 1);
		expect(errorText(own)).not.toMatch(/wrong user name or password/);
		h.addCredential('old', { username: 'pwd_user', password: PASSWORD });
		expect(errorText(await h.run({ resource: 'user', operation: 'getMany', returnAll: true }, [{}], { credentialId: 'old' }))).toMatch(/wrong user name or password/);
		if (product === 'aws') {
			const wrong = await h.run({ resource: 'user', operation: 'changePassword', user: locator('pwd_user'), oldPassword: 'Wr0ng-Passw0rd!', newPassword: 'Th1rd-Passw0rd!' });
			expect(errorText(wrong)).not.toBe('');
		}
	});

	it('reports access: administrators without MFA are flagged, the summary counts every user', async () => {
		const run = await h.run({ resource: 'user', operation: 'accessReport' });
		expect(run.error).toBeUndefined();
		const rows = run.json.filter((r) => !r.summary);
		const summary = run.json.find((r) => r.summary);
		expect(rows.length).toBe((sim.product.snapshot().users as unknown[]).length);
		expect(rows.find((r) => r.name === h.facts.admin)?.flags).toEqual(expect.arrayContaining(['adminWithoutMfa']));
		expect(rows.find((r) => r.name === h.facts.mfaUser.name)?.flags ?? []).not.toContain('adminWithoutMfa');
		expect(summary).toBeDefined();
	});

	it('logs in with the MFA account through the TOTP secret (the mfa grant)', async () => {
		h.resetCredential({ username: h.facts.mfaUser.name, password: h.facts.mfaUser.password, totpSecret: h.facts.mfaUser.secret });
		const run = await h.run({ resource: 'user', operation: 'getMany', returnAll: true });
		expect(run.error).toBeUndefined();
		expect(sim.stats.grants).toMatchObject({ 'mfa:200': 1 });
		h.resetCredential({ username: h.facts.mfaUser.name, password: h.facts.mfaUser.password, totpSecret: '' });
		const without = await h.run({ resource: 'user', operation: 'getMany', returnAll: true });
		expect(errorText(without)).toMatch(/TOTP Secret/);
	});
});
