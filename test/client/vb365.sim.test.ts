/**
 * The VB365 adapter (client/adapters/vb365*.ts) against the VB365 simulator (sim/vb365, contract
 * sim/contracts/vb365.md), through the real credential and transport as n8n runs them: look-ups in
 * its organizations, the whole picture, a leaver revoked from every role at the cost, roles
 * created / changed / deleted with their scope, group members, v7, faults.
 */
import type { ICredentialDataDecryptedObject, IHttpRequestHelper, IHttpRequestOptions, INode } from 'n8n-workflow';

import { VeeamBackupMicrosoft365Api } from '../../credentials/VeeamBackupMicrosoft365Api.credentials';
import { Vb365Directory } from '../../client/adapters/vb365';
import { pickOne } from '../../client/adapters/vb365Match';
import type { VeeamContext } from '../../client/transport';
import type { Vb365Access } from '../../client/vb365Model';
import { startSimulator, VB365_DEFAULT_ADMIN, VB365_DEFAULT_PASSWORD, VB365_ORG_CONTOSO_ID, VB365_ORG_FABRIKAM_ID, VB365_ROLE_FINANCE_ID, VB365_ROLE_HELPDESK_ID, type SimServer, type Vb365Product } from '../../sim';
import { n8nHttpRequest, shutdownEngine, trustFields } from '../support/engine';

const credentialType = new VeeamBackupMicrosoft365Api();
const NODE: INode = { id: 'n', name: 'Veeam', type: 'n8n-nodes-veeam.veeam', typeVersion: 1, position: [0, 0], parameters: {} };
const helpers = { helpers: { httpRequest: async (o: IHttpRequestOptions) => await n8nHttpRequest(o) } } as IHttpRequestHelper;
const CONTOSO = VB365_ORG_CONTOSO_ID;
const DAVE = 'dave.lee@contoso.onmicrosoft.com';

let sim: SimServer;
let vb365: Vb365Product;

function context(apiVersion = 'v8', server = sim): VeeamContext {
	let stored: ICredentialDataDecryptedObject = { url: server.url, username: VB365_DEFAULT_ADMIN, password: VB365_DEFAULT_PASSWORD, apiVersion, ...trustFields(server.tls.caPem), accessToken: '' };
	return {
		getNode: () => NODE,
		getCredentials: async () => stored,
		helpers: {
			httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) => {
				if (!stored.accessToken) stored = { ...stored, ...(await credentialType.preAuthentication.call(helpers, stored)) } as ICredentialDataDecryptedObject;
				return await n8nHttpRequest(await credentialType.authenticate(stored, options));
			},
		},
	} as unknown as VeeamContext;
}
const directory = (apiVersion?: string) => new Vb365Directory(context(apiVersion));
const access = (apiVersion?: string): Vb365Access => directory(apiVersion).vb365();
/** What the adapter sent after its login, without the login. */
const sent = () => sim.stats.recent.filter((r) => !r.includes('/token'));

beforeAll(async () => {
	sim = await startSimulator({ product: 'vb365' });
	vb365 = sim.product as Vb365Product;
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});
beforeEach(() => {
	sim.reset();
});

describe('look-ups in an organization', () => {
	it('organizations by name or ID; a user by e-mail, a group by name; "Sam Taylor" (two users) refused naming both IDs', async () => {
		const a = access();
		expect((await a.organizations()).map((o) => o.name).sort()).toEqual(['contoso.onmicrosoft.com', 'fabrikam.onmicrosoft.com', 'tailspintoys.com']);
		expect((await a.findOrganization('Contoso.onmicrosoft.com', 'Organization')).id).toBe(CONTOSO);
		expect(await a.findPrincipal(CONTOSO, DAVE, 'user', 'Operator')).toMatchObject({ kind: 'user', name: DAVE, displayName: 'Dave Lee', subtype: 'User' });
		expect(await a.findPrincipal(CONTOSO, 'helpdesk@contoso.onmicrosoft.com', undefined, 'Operator')).toMatchObject({ kind: 'group', displayName: 'Helpdesk' });
		const sam = [vb365.principalNamed(CONTOSO, 'sam.taylor@contoso.onmicrosoft.com'), vb365.principalNamed(CONTOSO, 'sam.taylor2@contoso.onmicrosoft.com')].map((p) => (p?.record as { id: string }).id);
		const refused = await a.findPrincipal(CONTOSO, 'Sam Taylor', 'user', 'Operator').catch((e: Error & { description?: string }) => e);
		expect(refused).toMatchObject({ message: 'Operator "Sam Taylor" names 2 objects of the organization' });
		for (const id of sam) expect((refused as { description: string }).description).toContain(id);
	});

	it('"Restore Desk" names a user and a group: refused without a kind, each found with its kind; a shared mailbox keeps the RBAC spelling', async () => {
		const a = access();
		await expect(a.findPrincipal(CONTOSO, 'Restore Desk', undefined, 'Operator')).rejects.toThrow('names 2 objects');
		expect((await a.findPrincipal(CONTOSO, 'Restore Desk', 'group', 'Operator'))?.kind).toBe('group');
		expect((await a.findPrincipal(CONTOSO, 'Restore Desk', 'user', 'Operator'))?.name).toBe('restore.desk@contoso.onmicrosoft.com');
		expect((await a.findPrincipal(CONTOSO, 'finance.mailbox@contoso.onmicrosoft.com', 'user', 'Operator'))?.subtype).toBe('SharedMailbox');
	});

	it('items: a site by URL, a team by e-mail, a user by display name; none found is undefined', async () => {
		const a = access();
		expect(await a.findItem(CONTOSO, 'https://contoso.sharepoint.com/sites/HR', 'site', 'Item')).toMatchObject({ kind: 'site', displayName: 'HR' });
		expect(await a.findItem(CONTOSO, 'project.x@contoso.onmicrosoft.com', 'team', 'Item')).toMatchObject({ kind: 'team', displayName: 'Project X' });
		expect(await a.findItem(CONTOSO, 'Alice Adams', 'user', 'Item')).toMatchObject({ kind: 'user', name: 'alice.adams@contoso.onmicrosoft.com' });
		expect(await a.findItem(CONTOSO, 'nobody@contoso.onmicrosoft.com', 'user', 'Item')).toBeUndefined();
	});

	it.each(['v8', 'v7'])('%s: a group without a name (Restore Desk) and a shared mailbox become operators: the bodies carry what the schemas require', async (version) => {
		const a = access(version);
		const desk = await a.findPrincipal(CONTOSO, 'Restore Desk', 'group', 'Operator');
		const mailbox = await a.findPrincipal(CONTOSO, 'finance.mailbox@contoso.onmicrosoft.com', 'user', 'Operator');
		expect(desk).toMatchObject({ name: '', displayName: 'Restore Desk' });
		const after = await a.addOperators(VB365_ROLE_HELPDESK_ID, [desk!, mailbox!]);
		expect(after.filter((o) => o.displayName === 'Restore Desk' || o.subtype === 'SharedMailbox').map((o) => o.kind).sort()).toEqual(['group', 'user']);
	});

	it('group members (Offboard: which groups still grant it), every page', async () => {
		const a = access();
		const helpdesk = await a.findPrincipal(CONTOSO, 'Helpdesk', 'group', 'Group');
		expect((await a.groupMembers(CONTOSO, helpdesk!.id)).map((m) => m.login).sort()).toEqual(['alice.adams@contoso.onmicrosoft.com', 'bob.baker@contoso.onmicrosoft.com', DAVE]);
	});
});

describe('the whole picture and the leaver', () => {
	it('revokes a leaver from every role of an organization at the issue cost: role list, one operators read per role, one DELETE and its read-back per role naming them', async () => {
		vb365.seedUsers({ count: 200, roleCount: 40, operatorsPerRole: 3, leaver: DAVE, leaverRoles: 10 });
		const a = access();
		await a.organizations();
		sim.stats.reset();
		const roles = await a.rolesWithOperators(CONTOSO);
		expect(sent()).toHaveLength(1 + roles.length);
		expect(sim.stats.maxInFlight).toBeLessThanOrEqual(8);
		sim.stats.reset();
		const naming = roles.filter((r) => r.operators?.some((o) => o.kind === 'user' && o.name === DAVE));
		expect(naming.length).toBeGreaterThanOrEqual(10);
		for (const role of naming) {
			const ids = role.operators!.filter((o) => o.name === DAVE).map((o) => o.operatorId);
			expect((await a.removeOperators(role.id, ids, role.operators)).some((o) => o.name === DAVE)).toBe(false);
		}
		expect(sent()).toHaveLength(naming.length * 2);
		expect(sent().filter((r) => r.startsWith('DELETE'))).toHaveLength(naming.length);
		expect((await a.rolesWithOperators(CONTOSO)).some((r) => r.operators?.some((o) => o.name === DAVE))).toBe(false);
	});

	it('a leaver already deleted from Microsoft Entra ID: not found in the organization, still named by the roles, matched there', async () => {
		const a = access();
		const dave = await a.findPrincipal(CONTOSO, DAVE, 'user', 'Operator');
		vb365.removeObject(CONTOSO, 'User', dave!.id);
		expect(await access().findPrincipal(CONTOSO, DAVE, 'user', 'Operator')).toBeUndefined();
		const operators = await a.operators(VB365_ROLE_HELPDESK_ID);
		expect(pickOne(NODE, operators, DAVE, 'Operator', 'user')?.id).toBe(dave!.id);
	});

	it('the directory: each operator once with its roles (groups too), across organizations', async () => {
		const users = await directory().listUsers();
		const daves = users.filter((u) => u.name.startsWith('dave.lee@'));
		expect(daves.map((u) => [u.name, u.roles.map((r) => r.name).sort()])).toEqual([
			[DAVE, ['Finance Restore', 'Helpdesk Restore']],
			['dave.lee@fabrikam.onmicrosoft.com', ['Fabrikam Restore']],
		]);
		expect(users.find((u) => u.name === 'helpdesk@contoso.onmicrosoft.com')).toMatchObject({ isGroup: true, type: 'Group' });
	});

	it('8 reads in flight fit a server that answers 8 at once (no 429)', async () => {
		const busy = await startSimulator({ product: 'vb365', vb365: { maxParallel: 8 } });
		try {
			(busy.product as Vb365Product).seedUsers({ count: 50, roleCount: 60, operatorsPerRole: 2 });
			expect((await new Vb365Directory(context('v8', busy)).vb365().rolesWithOperators()).length).toBeGreaterThanOrEqual(60);
			expect(busy.stats.byStatus['429']).toBeUndefined();
		} finally {
			await busy.close();
		}
	});
});

describe('roles created, changed, deleted (v8 and v7)', () => {
	it.each(['v8', 'v7'])('%s: a SpecificObjects role with a site, a team and an excluded user, an operator; renamed; deleted', async (version) => {
		const a = access(version);
		const [site, team, carol, bob] = await Promise.all([
			a.findItem(CONTOSO, 'https://contoso.sharepoint.com/sites/HR', 'site', 'Item'),
			a.findItem(CONTOSO, 'Project X', 'team', 'Item'),
			a.findItem(CONTOSO, 'carol.chen@contoso.onmicrosoft.com', 'user', 'Item'),
			a.findPrincipal(CONTOSO, 'bob.baker@contoso.onmicrosoft.com', 'user', 'Operator'),
		]);
		const role = await a.createRole({ organizationId: CONTOSO, name: 'HR Restore', roleType: 'SpecificObjects', operators: [bob!], selected: [site!, team!], excluded: [carol!] });
		expect(role).toMatchObject({ name: 'HR Restore', roleType: 'SpecificObjects', operators: [{ name: 'bob.baker@contoso.onmicrosoft.com' }], excluded: [{ name: 'carol.chen@contoso.onmicrosoft.com' }] });
		expect(role.selected?.map((i) => i.kind).sort()).toEqual(['site', 'team']);
		const renamed = await a.updateRole(role.id, { name: 'HR and Payroll Restore', description: 'HR' });
		expect(renamed).toMatchObject({ name: 'HR and Payroll Restore', description: 'HR', operators: role.operators, selected: role.selected, excluded: role.excluded });
		expect(await a.deleteRole(role.id)).toBe('deleted');
		expect(await a.role(role.id)).toBeUndefined();
		expect(await a.deleteRole(role.id)).toBe('absent');
	});

	it('items added and removed on a role of the seed; the same again changes nothing', async () => {
		const a = access();
		const hr = await a.findItem(CONTOSO, 'https://contoso.sharepoint.com/sites/HR', 'site', 'Item');
		const after = await a.addItems(VB365_ROLE_FINANCE_ID, 'selected', [hr!]);
		expect(after.map((i) => i.displayName)).toContain('HR');
		sim.stats.reset();
		await a.addItems(VB365_ROLE_FINANCE_ID, 'selected', [hr!]);
		expect(sent().filter((r) => !r.startsWith('GET'))).toEqual([]);
		const item = after.find((i) => i.displayName === 'HR')!;
		expect((await a.removeItems(VB365_ROLE_FINANCE_ID, 'selected', [item.itemId!])).some((i) => i.displayName === 'HR')).toBe(false);
		expect((await a.roles(VB365_ORG_FABRIKAM_ID)).map((r) => r.name)).toEqual(['Fabrikam Restore']);
	});
});

describe('faults (the simulator\'s)', () => {
	const count = (prefix: string) => sent().filter((r) => r.startsWith(prefix)).length;

	it('an add whose answer is lost (the server did it): read first, not sent again', async () => {
		const a = access();
		const erin = await a.findPrincipal(CONTOSO, 'alice.adams@contoso.onmicrosoft.com', 'user', 'Operator');
		sim.addFault({ kind: 'drop', afterProcessing: true, method: 'POST', pathIncludes: '/operators' });
		sim.stats.reset();
		expect((await a.addOperators(VB365_ROLE_FINANCE_ID, [erin!])).map((o) => o.name)).toContain('alice.adams@contoso.onmicrosoft.com');
		expect(count('POST')).toBe(1);
	});

	it('a removal whose answer is lost: the re-sent DELETE finds nothing (404) and the read-back decides', async () => {
		const a = access();
		const operators = await a.operators(VB365_ROLE_FINANCE_ID);
		const bob = operators.find((o) => o.name === 'bob.baker@contoso.onmicrosoft.com')!;
		sim.addFault({ kind: 'drop', afterProcessing: true, method: 'DELETE', pathIncludes: '/operators' });
		expect((await a.removeOperators(VB365_ROLE_FINANCE_ID, [bob.operatorId], operators)).map((o) => o.name)).not.toContain(bob.name);
	});

	it('a create whose answer is lost: the role is found by its name, created once', async () => {
		const a = access();
		sim.addFault({ kind: 'drop', afterProcessing: true, method: 'POST', pathIncludes: '/RbacRoles' });
		sim.stats.reset();
		expect((await a.createRole({ organizationId: CONTOSO, name: 'Lost Answer', roleType: 'EntireOrganization' })).name).toBe('Lost Answer');
		expect(count('POST')).toBe(1);
		expect((await a.roles(CONTOSO)).filter((r) => r.name === 'Lost Answer')).toHaveLength(1);
	});

	it('a server that ignores the userName and displayName filters: the look-up is exact all the same', async () => {
		sim.addFault({ kind: 'ignoreQuery', params: ['userName', 'displayName'], pathIncludes: '/Users', count: 10 });
		expect((await access().findPrincipal(CONTOSO, 'carol.chen@contoso.onmicrosoft.com', 'user', 'Operator'))?.displayName).toBe('Carol Chen');
	});

	it('429 and 503 on operator reads are waited out; the picture is whole', async () => {
		sim.addFault({ kind: 'status', status: 429, retryAfterSeconds: 0, pathIncludes: '/operators', count: 2 });
		sim.addFault({ kind: 'status', status: 503, pathIncludes: '/operators', count: 1 });
		const roles = await access().rolesWithOperators(CONTOSO);
		expect(roles.map((r) => [r.name, r.operators?.length])).toEqual([
			['Helpdesk Restore', 2],
			['Finance Restore', 2],
		]);
	});
});

