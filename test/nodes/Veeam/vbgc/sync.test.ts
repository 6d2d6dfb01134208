/**
 * User → Sync and User → Access Report on Veeam Backup for Google Cloud, through the same common
 * user model as on VBR: passwords for the accounts a sync creates, the default administrator and
 * the credential's own account protected, MFA state in the report.
 */
import type { IDataObject } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../../../sim';
import { shutdownEngine } from '../../../support/engine';
import { simClient } from '../../../support/simClient';
import { MFA_ADMIN_LOGIN, VbgcFixture, mutations, vbgcUser } from '../fixtures';

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
const LIST = [
	{ name: 'operator', roles: ['Portal Operator'] },
	{ name: 'jane-doe', roles: ['Restore Operator'], password: PASSWORD, description: 'Jane Doe, service desk' },
];

const sync = (params: IDataObject = {}) => ({
	resource: 'user',
	operation: 'sync',
	userName: '={{ $json.name }}',
	roles: '={{ $json.roles }}',
	password: '={{ $json.password }}',
	description: '={{ $json.description }}',
	scope: 'all',
	syncOptions: { maxRemovalPercent: 100 },
	...params,
});
const brief = (json: IDataObject[]) => json.map((j) => `${j.action} ${j.name}${j.result ? ` → ${j.result}` : ''}`);

describe('User → Sync (Veeam Backup for Google Cloud)', () => {
	it('creates with the item\'s password, removes the unlisted, never removes the default administrator; no password in the output', async () => {
		const run = await h.run(sync({ syncMode: 'apply' }), LIST, { secrets: [PASSWORD] });
		expect(run.error).toBeUndefined();
		expect(brief(run.json)).toEqual([
			'create jane-doe → created',
			'remove mfa-admin → removed',
			'remove restorer → removed',
			'protected administrator → nothingToDo',
			'unchanged operator → nothingToDo',
		]);
		expect(String(run.json[3].reason)).toMatch(/^administrator is the default administrator of the appliance: never removed/);
		expect(vbgcUser(sim, 'jane-doe')).toMatchObject({ description: 'Jane Doe, service desk', roles: [{ name: 'Restore Operator' }] });
		expect(vbgcUser(sim, 'administrator')).toBeDefined();
		// The new account logs in with the password its item gave.
		const login = await simClient(sim).post('/api/v1/token', new URLSearchParams({ grant_type: 'password', username: 'jane-doe', password: PASSWORD }).toString(), {
			headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-version': '1.4-rev0' },
		});
		expect(login.status).toBe(200);

		sim.log.clear();
		const again = await h.run(sync({ syncMode: 'apply' }), LIST, { secrets: [PASSWORD] });
		expect(brief(again.json)).toEqual(['protected administrator → nothingToDo', 'unchanged jane-doe → nothingToDo', 'unchanged operator → nothingToDo']);
		expect(mutations(sim)).toEqual([]);
	});

	it('needs a password only for accounts it creates: a missing one fails the sync, naming the field and the item, before any change', async () => {
		const run = await h.run(sync({ syncMode: 'apply' }), [LIST[0], { name: 'jane-doe', roles: ['Restore Operator'] }]);
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe('Password (item 1): is empty, but "jane-doe" does not exist yet and a new account needs a password');
		expect(mutations(sim)).toEqual([]);
	});

	it('refuses a weak password without quoting it, and a domain scope (VBGC has no domains)', async () => {
		const weak = await h.run(sync(), [{ name: 'jane-doe', roles: ['Restore Operator'], password: 'short' }], { secrets: ['short'] });
		expect(weak.error?.message).toMatch(/^Password \(item 0\): /);
		expect(weak.error?.message).not.toContain('short');
		const domain = await h.run(sync({ scope: 'domain', scopeDomain: 'TECH' }), LIST, { secrets: [PASSWORD] });
		expect(domain.error?.message).toBe('Scope (item 0): this product has no domain accounts');
		expect(mutations(sim)).toEqual([]);
	});

	it("never demotes or removes the credential's own account", async () => {
		h.addCredential('mfaAdmin', MFA_ADMIN_LOGIN);
		const demote = await h.run(sync({ syncMode: 'apply', scope: 'namePattern', scopePattern: 'mfa-*' }), [{ name: 'mfa-admin', roles: ['Restore Operator'] }], { credentialId: 'mfaAdmin' });
		expect(demote.error).toBeUndefined();
		expect(brief(demote.json)).toEqual(['protected mfa-admin → nothingToDo']);
		expect(String(demote.json[0].reason)).toBe(
			"mfa-admin is the account this node's credential logs in with: never demoted by a sync (the plan would have changed its roles to Restore Operator)",
		);
		const remove = await h.run(sync({ syncMode: 'apply', scope: 'allExcept', scopeExcept: 'administrator' }), LIST, { credentialId: 'mfaAdmin', secrets: [PASSWORD] });
		expect(brief(remove.json)).toContain('protected mfa-admin → nothingToDo');
		expect(vbgcUser(sim, 'mfa-admin')?.roles.map((r) => r.name)).toEqual(['Portal Administrator']);
	});

	it.each(['usersAndCustomRoles', 'customRoles'])('refuses Manage "%s" naming the product: custom roles are VBR 13.1\'s, nothing sent', async (manage) => {
		const run = await h.run(sync({ syncMode: 'apply', manage, customRoles: '[]', customRoleScope: 'all' }), LIST, { secrets: [PASSWORD] });
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe('Manage (item 0): custom roles exist only on Veeam Backup & Replication 13.1 (REST API 1.3-rev2), not on Veeam Backup for Google Cloud');
		expect(mutations(sim)).toEqual([]);
		expect(sim.stats.requests).toBe(0);
	});
});

describe('User → Access Report (Veeam Backup for Google Cloud)', () => {
	it('flags Portal Administrators without MFA; no local-account flag, since every VBGC account is local', async () => {
		const run = await h.run({ resource: 'user', operation: 'accessReport' });
		expect(run.error).toBeUndefined();
		const rows = Object.fromEntries(run.json.filter((j) => !j.summary).map((j) => [j.name, j.flags]));
		expect(rows).toEqual({ administrator: ['adminWithoutMfa'], 'mfa-admin': [], operator: [], restorer: [] });
		expect(run.json.find((j) => j.name === 'mfa-admin')).toMatchObject({ mfaEnabled: true, isAdmin: true, isDirectoryAccount: false });
		const summary = run.json[run.json.length - 1];
		expect(summary).toMatchObject({ summary: true, users: 4, administrators: 2, flagged: 1, adminWithoutMfa: 1 });
		expect(summary).not.toHaveProperty('internalAccount');
	});
});
