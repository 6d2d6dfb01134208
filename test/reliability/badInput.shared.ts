/**
 * The bad-input table's shared parts (badInput.vbr/vbgc/cloud.test.ts): the parameters and good
 * items the cases use, and the rule every case is held to. Every bad value reaches the node through
 * an expression on item 1 while item 0 is good. Each must give a NodeOperationError naming the field
 * and the item, change nothing on the server (the node checks every item before carrying any out),
 * and with continue-on-fail leave item 0 unaffected. Credential cases: refused naming the field and
 * item 0 before any request.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../sim';
import { shutdownEngine } from '../support/engine';
import { VbgcFixture, VeeamFixture, byName, errorText, type VeeamRun } from '../nodes/Veeam/fixtures';
import { CloudFixture } from './cloudFixture';

export type TableProduct = 'vbr' | 'vbgc' | 'aws' | 'azure';

export interface BadInput {
	product: TableProduct;
	what: string;
	parameters: INodeParameters;
	/** Field name the error must name. */
	field: string;
	/** The good item 0 (a function when it needs the server's state, e.g. a user's ID). */
	good: IDataObject | ((sim: SimServer) => IDataObject);
	bad: IDataObject;
}

/** Credential fields: the same for every item, checked before the node sends anything at all. */
export interface BadCredential {
	product: TableProduct;
	what: string;
	/** Credential fields to change (a function of the simulator for its URL). */
	change: (sim: SimServer) => IDataObject;
	field: string;
}

export const VBR_ONBOARD = { resource: 'user', operation: 'onboard', userName: '={{ $json.name }}', userType: 'InternalUser', roles: '={{ $json.roles }}' };
export const VBGC_ONBOARD = {
	resource: 'user',
	operation: 'onboard',
	userName: '={{ $json.name }}',
	password: '={{ $json.password }}',
	roles: '={{ $json.roles }}',
	description: '={{ $json.description }}',
};
export const GOOD_VBR = { name: 'TECH\\good.one', roles: ['Restore Operator'] };
export const GOOD_VBGC = { name: 'good-one', password: 'G00d-Passw0rd!', roles: ['Restore Operator'], description: 'ok' };
// AWS and Azure: the VBGC fields; Azure's portal users are Type "Internal", its Entra ID users
// "IdentityProvider" with the Entra object ID instead of a password.
export const AWS_ONBOARD = VBGC_ONBOARD;
export const AZURE_ONBOARD = { ...VBGC_ONBOARD, userType: 'Internal' };
export const AZURE_ENTRA_ONBOARD = {
	resource: 'user',
	operation: 'onboard',
	userType: 'IdentityProvider',
	userName: '={{ $json.name }}',
	identityProviderEntityId: '={{ $json.entra }}',
	roles: '={{ $json.roles }}',
	description: '={{ $json.description }}',
};
// Names both products take (AWS: lower-case letters, digits, `_`, `-`; Azure: at most 32, no dot).
export const GOOD_CLOUD = { name: 'good_one', password: 'G00d-Passw0rd!', roles: ['Restore Operator'], description: 'ok' };
export const GOOD_ENTRA = { name: 'good.one@contoso.example', entra: '0c5a6f1e-2b8d-4e2f-9a51-1d6f3c7e8b90', roles: ['Portal Operator'], description: 'ok' };
/** Azure's user IDs are opaque strings (Veeam's examples: 1003, 1423); the simulator's operator is 1002. */
export const AZURE_OPERATOR_ID = '1002';
/** Backup Access (VBR 13.1): Set Effective Access, Change Owner and Get Many on the seeded SQL backup. */
export const SQL_BACKUP_ID = '7e2d3c4b-5a6f-4071-9b82-a3c4d5e6f702';
export const BACKUP_ACCESS = {
	resource: 'backupAccess',
	operation: 'setEffectiveAccess',
	objectType: '={{ $json.type }}',
	object: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
	mode: '={{ $json.mode }}',
	role: '={{ $json.role }}',
	rights: '={{ $json.rights }}',
};
export const GOOD_ACCESS = { type: 'backup', id: SQL_BACKUP_ID, mode: 'grant', role: 'Restore Operator', rights: ['restore'] };
export const CHANGE_OWNER = { resource: 'backupAccess', operation: 'changeOwner', objectType: 'backup', object: { __rl: true, mode: 'id', value: SQL_BACKUP_ID }, owner: '={{ $json.owner }}' };
export const GOOD_OWNER = { owner: 'TECH\\sheila.d.cory' };
export const ACCESS_LIST = { resource: 'backupAccess', operation: 'getMany', returnAll: true, filters: { owner: '={{ $json.owner }}', role: '={{ $json.role }}' } };
export const GOOD_LIST = { owner: 'TECH\\Administrator', role: '' };
export const promoteByName = { resource: 'user', operation: 'promote', user: byName('={{ $json.name }}'), roleMode: 'replace', roles: ['Restore Operator'] };
export const promoteById = { resource: 'user', operation: 'promote', user: { __rl: true, mode: 'id', value: '={{ $json.id }}' }, roleMode: 'replace', roles: ['Restore Operator'] };
export const offboardByName = { resource: 'user', operation: 'offboard', user: byName('={{ $json.name }}') };
export const offboardById = { resource: 'user', operation: 'offboard', user: { __rl: true, mode: 'id', value: '={{ $json.id }}' } };

export const ROLE_CREATE = { resource: 'role', operation: 'create', roleName: '={{ $json.name }}', manageRestores: true, scopes: '={{ $json.scopes }}' };
export const ROLE_JSON = { resource: 'role', operation: 'create', defineWith: 'json', roleJson: '={{ $json.role }}' };
export const GOOD_ROLE = { name: 'Good Role', scopes: '{}' };
export const GOOD_ROLE_JSON = { role: JSON.stringify({ name: 'Good Role', manageBackups: false, manageRestores: true }) };
export const roleById = (operation: string, extra: IDataObject = {}) => ({ resource: 'role', operation, role: { __rl: true, mode: 'id', value: '={{ $json.id }}' }, ...extra });
export const GOOD_ROLE_ID = { id: 'a1b2c3d4-e5f6-4890-abcd-ef1234567890' };

type AnyFixture = VeeamFixture | VbgcFixture | CloudFixture;

export interface BadInputSuite {
	sims: Partial<Record<TableProduct, SimServer>>;
	/** Lines of the table printed after the file's tests. */
	table: string[];
	setup(c: { product: TableProduct; parameters: INodeParameters; good: BadInput['good'] }): {
		sim: SimServer;
		good: IDataObject;
		run: (input: IDataObject[], continueOnFail: boolean) => Promise<VeeamRun>;
	};
	/** The rule of the table: a NodeOperationError naming the field and item 1, nothing changed, nothing but reads sent. */
	expectRefusedBeforeAnyChange(c: BadInput): Promise<VeeamRun>;
	/** Each case: refused naming field and item before any change; with continue-on-fail only that item fails. */
	describeCases(cases: BadInput[]): void;
	/** Each credential case: refused naming the field and item 0, before any request. */
	describeCredentialCases(cases: BadCredential[]): void;
}

/** Requests that could change something (anything but GET and the login). */
export function mutatingRequests(sim: SimServer): number {
	return Object.entries(sim.stats.byRoute)
		.filter(([route]) => !route.startsWith('GET ') && !route.includes('/token'))
		.reduce((n, [, count]) => n + count, 0);
}

const FIXTURE: Record<TableProduct, (sim: SimServer) => AnyFixture> = {
	vbr: (sim) => new VeeamFixture(sim),
	vbgc: (sim) => new VbgcFixture(sim),
	aws: (sim) => new CloudFixture(sim, 'aws'),
	azure: (sim) => new CloudFixture(sim, 'azure'),
};
const ONBOARD: Record<TableProduct, [INodeParameters, IDataObject]> = {
	vbr: [VBR_ONBOARD, GOOD_VBR],
	vbgc: [VBGC_ONBOARD, GOOD_VBGC],
	aws: [AWS_ONBOARD, GOOD_CLOUD],
	azure: [AZURE_ONBOARD, GOOD_CLOUD],
};

/** A table file's simulators (one per product it covers, started in beforeAll) and its helpers. */
export function badInputSuite(products: readonly TableProduct[]): BadInputSuite {
	const sims: Partial<Record<TableProduct, SimServer>> = {};
	const fixtures: Partial<Record<TableProduct, AnyFixture>> = {};
	const table: string[] = [];
	const simOf = (product: TableProduct): SimServer => {
		const sim = sims[product];
		if (!sim) throw new Error(`no ${product} simulator in this table file`);
		return sim;
	};
	const fixtureOf = (product: TableProduct): AnyFixture => {
		const fixture = fixtures[product];
		if (!fixture) throw new Error(`no ${product} fixture in this table file`);
		return fixture;
	};

	beforeAll(async () => {
		const started = await Promise.all(products.map(async (product) => await startSimulator({ product })));
		for (const [i, product] of products.entries()) {
			sims[product] = started[i];
			fixtures[product] = FIXTURE[product](started[i]);
		}
	});
	afterAll(async () => {
		await Promise.all(Object.values(sims).map(async (sim) => await sim.close()));
		await shutdownEngine();
		process.stdout.write(`\nBad-input table, ${products.join(', ')} (${table.length} cases):\n${table.join('\n')}\n`);
	});

	const setup: BadInputSuite['setup'] = (c) => {
		const sim = simOf(c.product);
		sim.reset();
		const good = typeof c.good === 'function' ? c.good(sim) : c.good;
		const fixture = fixtureOf(c.product);
		fixture.resetCredential();
		return { sim, good, run: async (input, continueOnFail) => await fixture.run(c.parameters, input, { continueOnFail }) };
	};

	const expectRefusedBeforeAnyChange = async (c: BadInput): Promise<VeeamRun> => {
		const { sim, good, run } = setup(c);
		const result = await run([good, c.bad], false);
		expect(result.error).toMatchObject({ name: 'NodeOperationError' });
		expect(errorText(result)).toContain(`${c.field} (item 1)`);
		expect(mutatingRequests(sim)).toBe(0);
		expect(sim.log.since()).toEqual([]);
		return result;
	};

	const describeCases = (cases: BadInput[]): void => {
		describe.each(cases)('$product: $what', (c) => {
			it('is refused with a NodeOperationError naming the field and item, before any change', async () => {
				const result = await expectRefusedBeforeAnyChange(c);
				table.push(`  ${c.product.padEnd(5)} ${c.what.padEnd(34)} → ${String(result.error?.message).slice(0, 110)}`);
			});

			it('with continue-on-fail, fails only that item', async () => {
				const { good, run } = setup(c);
				const result = await run([good, c.bad], true);
				expect(result.error).toBeUndefined();
				const byItem = new Map(result.items.map((item) => [(item.pairedItem as { item: number }).item, item.json]));
				expect(String(byItem.get(1)?.error)).toContain(`${c.field} (item 1)`);
				// Item 0 went its own way: carried out, or failed for its own reasons (e.g. an MFA token
				// that does not exist), never with item 1's error.
				expect(String(byItem.get(0)?.error ?? '')).not.toContain('(item 1)');
				expect(byItem.has(0)).toBe(true);
			});
		});
	};

	const describeCredentialCases = (cases: BadCredential[]): void => {
		describe.each(cases)('credential, $product: $what', (c) => {
			it('is refused with a NodeOperationError naming the field and item 0, before any request', async () => {
				const sim = simOf(c.product);
				sim.reset();
				const fixture = fixtureOf(c.product);
				fixture.resetCredential(c.change(sim));
				const [parameters, good] = ONBOARD[c.product];
				const result = await fixture.run(parameters, [good, good], { continueOnFail: false });
				expect(result.error).toMatchObject({ name: 'NodeOperationError' });
				expect(result.error?.message).toMatch(new RegExp(`^${c.field.replace(/[()]/g, '\\$&')} \\(credential, item 0\\): `));
				expect(errorText(result)).toContain('Nothing was sent to the server.');
				expect(sim.stats.requests).toBe(0);
				// A password in the URL is never repeated (issue 15, point 10).
				expect(JSON.stringify(result.error)).not.toContain('Url-Pa55word');
				table.push(`  ${c.product.padEnd(5)} ${`credential: ${c.what}`.padEnd(48)} → ${String(result.error?.message).slice(0, 110)}`);
			});
		});
	};

	return { sims, table, setup, expectRefusedBeforeAnyChange, describeCases, describeCredentialCases };
}
