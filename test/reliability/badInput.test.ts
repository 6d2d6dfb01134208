/**
 * Bad-input table, both products: every bad value reaches the node through an expression on
 * item 1 while item 0 is good. Each must give a NodeOperationError naming the field and the item,
 * change nothing on the server (the node checks every item before carrying any out), and with
 * continue-on-fail leave item 0 unaffected.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../sim';
import { shutdownEngine } from '../support/engine';
import { VbgcFixture, VeeamFixture, byName, errorText, type VeeamRun } from '../nodes/Veeam/fixtures';

interface BadInput {
	product: 'vbr' | 'vbgc';
	what: string;
	parameters: INodeParameters;
	/** Field name the error must name. */
	field: string;
	/** The good item 0 (a function when it needs the server's state, e.g. a user's ID). */
	good: IDataObject | ((sim: SimServer) => IDataObject);
	bad: IDataObject;
}

const VBR_ONBOARD = { resource: 'user', operation: 'onboard', userName: '={{ $json.name }}', userType: 'ExternalUser', roles: '={{ $json.roles }}' };
const VBGC_ONBOARD = {
	resource: 'user',
	operation: 'onboard',
	userName: '={{ $json.name }}',
	password: '={{ $json.password }}',
	roles: '={{ $json.roles }}',
	description: '={{ $json.description }}',
};
const GOOD_VBR = { name: 'TECH\\good.one', roles: ['Restore Operator'] };
const GOOD_VBGC = { name: 'good.one', password: 'G00d-Passw0rd!', roles: ['Restore Operator'], description: 'ok' };

const cases: BadInput[] = [
	{ product: 'vbr', what: 'empty name', parameters: VBR_ONBOARD, field: 'User Name', good: GOOD_VBR, bad: { ...GOOD_VBR, name: '' } },
	{ product: 'vbr', what: 'blank name', parameters: VBR_ONBOARD, field: 'User Name', good: GOOD_VBR, bad: { ...GOOD_VBR, name: '   ' } },
	{ product: 'vbr', what: 'AD name without DOMAIN\\', parameters: VBR_ONBOARD, field: 'User Name', good: GOOD_VBR, bad: { ...GOOD_VBR, name: 'jane.doe' } },
	{ product: 'vbr', what: 'AD name with two backslashes', parameters: VBR_ONBOARD, field: 'User Name', good: GOOD_VBR, bad: { ...GOOD_VBR, name: 'TECH\\a\\b' } },
	{ product: 'vbr', what: 'AD name with a forbidden character', parameters: VBR_ONBOARD, field: 'User Name', good: GOOD_VBR, bad: { ...GOOD_VBR, name: 'TECH\\a*b' } },
	{ product: 'vbr', what: 'name is an object', parameters: VBR_ONBOARD, field: 'User Name', good: GOOD_VBR, bad: { ...GOOD_VBR, name: { first: 'Jane' } } },
	{ product: 'vbr', what: 'name is a list', parameters: VBR_ONBOARD, field: 'User Name', good: GOOD_VBR, bad: { ...GOOD_VBR, name: ['TECH\\a'] } },
	{ product: 'vbr', what: 'empty role list', parameters: VBR_ONBOARD, field: 'Role Names or IDs', good: GOOD_VBR, bad: { ...GOOD_VBR, roles: [] } },
	{ product: 'vbr', what: 'unknown role name', parameters: VBR_ONBOARD, field: 'Role Names or IDs', good: GOOD_VBR, bad: { ...GOOD_VBR, roles: ['Chief Wizard'] } },
	{
		product: 'vbr',
		what: 'unknown role id',
		parameters: VBR_ONBOARD,
		field: 'Role Names or IDs',
		good: GOOD_VBR,
		bad: { ...GOOD_VBR, roles: ['00000000-0000-4000-8000-000000000000'] },
	},
	{
		product: 'vbr',
		what: 'user id that is not a UUID',
		parameters: { resource: 'user', operation: 'promote', user: { __rl: true, mode: 'id', value: '={{ $json.id }}' }, roleMode: 'replace', roles: ['Backup Viewer'] },
		field: 'User',
		good: (sim) => ({ id: (sim.product.snapshot().users as Array<{ id: string; name: string }>).find((u) => u.name === 'TECH\\sheila.d.cory')?.id }),
		bad: { id: 'not-a-uuid' },
	},
	{
		product: 'vbr',
		what: 'promote to an empty role list',
		parameters: { resource: 'user', operation: 'promote', user: byName('={{ $json.name }}'), roleMode: 'replace', roles: '={{ $json.roles }}' },
		field: 'Role Names or IDs',
		good: { name: 'TECH\\sheila.d.cory', roles: ['Backup Viewer'] },
		bad: { name: 'TECH\\sheila.d.cory', roles: [] },
	},
	{
		product: 'vbr',
		what: 'offboard with an empty name',
		parameters: { resource: 'user', operation: 'offboard', user: byName('={{ $json.name }}') },
		field: 'User',
		good: { name: 'TECH\\sheila.d.cory' },
		bad: { name: '' },
	},
	{ product: 'vbgc', what: 'empty name', parameters: VBGC_ONBOARD, field: 'User Name', good: GOOD_VBGC, bad: { ...GOOD_VBGC, name: '' } },
	{ product: 'vbgc', what: 'name with a space', parameters: VBGC_ONBOARD, field: 'User Name', good: GOOD_VBGC, bad: { ...GOOD_VBGC, name: 'jane doe' } },
	{ product: 'vbgc', what: 'name with a slash', parameters: VBGC_ONBOARD, field: 'User Name', good: GOOD_VBGC, bad: { ...GOOD_VBGC, name: 'a/b' } },
	{ product: 'vbgc', what: 'name "." (a path segment)', parameters: VBGC_ONBOARD, field: 'User Name', good: GOOD_VBGC, bad: { ...GOOD_VBGC, name: '.' } },
	{
		product: 'vbgc',
		what: 'promote ".." (a path segment)',
		parameters: { resource: 'user', operation: 'promote', user: byName('={{ $json.name }}'), roleMode: 'replace', roles: ['Restore Operator'] },
		field: 'User',
		good: { name: 'operator' },
		bad: { name: '..' },
	},
	{ product: 'vbgc', what: 'over-long name (65)', parameters: VBGC_ONBOARD, field: 'User Name', good: GOOD_VBGC, bad: { ...GOOD_VBGC, name: 'x'.repeat(65) } },
	{ product: 'vbgc', what: 'empty password', parameters: VBGC_ONBOARD, field: 'Password', good: GOOD_VBGC, bad: { ...GOOD_VBGC, password: '' } },
	{ product: 'vbgc', what: 'weak password (short)', parameters: VBGC_ONBOARD, field: 'Password', good: GOOD_VBGC, bad: { ...GOOD_VBGC, password: 'Ab1!' } },
	{ product: 'vbgc', what: 'weak password (no upper case)', parameters: VBGC_ONBOARD, field: 'Password', good: GOOD_VBGC, bad: { ...GOOD_VBGC, password: 'weak-passw0rd!' } },
	{ product: 'vbgc', what: 'weak password (no symbol)', parameters: VBGC_ONBOARD, field: 'Password', good: GOOD_VBGC, bad: { ...GOOD_VBGC, password: 'WeakPassw0rd' } },
	{ product: 'vbgc', what: 'unknown role', parameters: VBGC_ONBOARD, field: 'Role Names or IDs', good: GOOD_VBGC, bad: { ...GOOD_VBGC, roles: ['Backup Administrator'] } },
	{ product: 'vbgc', what: 'empty role list', parameters: VBGC_ONBOARD, field: 'Role Names or IDs', good: GOOD_VBGC, bad: { ...GOOD_VBGC, roles: [] } },
	{ product: 'vbgc', what: 'description is an object', parameters: VBGC_ONBOARD, field: 'Description', good: GOOD_VBGC, bad: { ...GOOD_VBGC, description: { a: 1 } } },
	...(['12345', '1234567', 'abcdef', '12 345'] as const).map(
		(code): BadInput => ({
			product: 'vbgc',
			what: `MFA code "${code}"`,
			parameters: { resource: 'mfa', operation: 'accept', user: byName('operator'), code: '={{ $json.code }}', token: '={{ $json.token }}' },
			field: 'Verification Code',
			good: { code: '000000', token: 'x' },
			bad: { code, token: 'x' },
		}),
	),
	{
		product: 'vbgc',
		what: 'weak new password',
		parameters: { resource: 'user', operation: 'changePassword', user: byName('operator'), oldPassword: 'Sim-Passw0rd!1', newPassword: '={{ $json.pw }}' },
		field: 'New Password',
		good: { pw: 'N3w-Passw0rd!x' },
		bad: { pw: 'password' },
	},
];

let vbr: SimServer;
let vbgc: SimServer;
let vbrFixture: VeeamFixture;
let vbgcFixture: VbgcFixture;
const table: string[] = [];

beforeAll(async () => {
	[vbr, vbgc] = await Promise.all([startSimulator({ product: 'vbr' }), startSimulator({ product: 'vbgc' })]);
	vbrFixture = new VeeamFixture(vbr);
	vbgcFixture = new VbgcFixture(vbgc);
});

afterAll(async () => {
	await Promise.all([vbr.close(), vbgc.close()]);
	await shutdownEngine();
	process.stdout.write(`\nBad-input table (${table.length} cases):\n${table.join('\n')}\n`);
});

function setup(c: BadInput): { sim: SimServer; good: IDataObject; run: (input: IDataObject[], continueOnFail: boolean) => Promise<VeeamRun> } {
	const sim = c.product === 'vbr' ? vbr : vbgc;
	sim.reset();
	const good = typeof c.good === 'function' ? c.good(sim) : c.good;
	const fixture = c.product === 'vbr' ? vbrFixture : vbgcFixture;
	fixture.resetCredential();
	return { sim, good, run: async (input, continueOnFail) => await fixture.run(c.parameters, input, { continueOnFail }) };
}

/** Requests that could change something (anything but GET and the login). */
function mutatingRequests(sim: SimServer): number {
	return Object.entries(sim.stats.byRoute)
		.filter(([route]) => !route.startsWith('GET ') && !route.includes('/token'))
		.reduce((n, [, count]) => n + count, 0);
}

it('has at least 25 bad inputs across both products', () => {
	expect(cases.length).toBeGreaterThanOrEqual(25);
	expect(new Set(cases.map((c) => c.product))).toEqual(new Set(['vbr', 'vbgc']));
});

describe.each(cases)('$product: $what', (c) => {
	it('is refused with a NodeOperationError naming the field and item, before any change', async () => {
		const { sim, good, run } = setup(c);
		const result = await run([good, c.bad], false);
		expect(result.error).toMatchObject({ name: 'NodeOperationError' });
		expect(errorText(result)).toContain(`${c.field} (item 1)`);
		expect(mutatingRequests(sim)).toBe(0);
		expect(sim.log.since()).toEqual([]);
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

/** Credential fields: the same for every item, checked before the node sends anything at all. */
interface BadCredential {
	product: 'vbr' | 'vbgc';
	what: string;
	/** Credential fields to change (a function of the simulator for its URL). */
	change: (sim: SimServer) => IDataObject;
	field: string;
}

const credentialCases: BadCredential[] = [
	{ product: 'vbr', what: 'URL without scheme', change: (sim) => ({ url: sim.url.replace('https://', '') }), field: 'Server URL' },
	{ product: 'vbr', what: 'URL with a path', change: (sim) => ({ url: `${sim.url}/api/v1` }), field: 'Server URL' },
	{ product: 'vbr', what: 'http:// URL', change: (sim) => ({ url: sim.url.replace('https://', 'http://') }), field: 'Server URL' },
	{ product: 'vbgc', what: 'empty URL', change: () => ({ url: '' }), field: 'Server URL' },
	{ product: 'vbgc', what: 'URL with user info', change: (sim) => ({ url: sim.url.replace('https://', 'https://admin:Url-Pa55word@') }), field: 'Server URL' },
	{ product: 'vbr', what: 'URL with user info, no scheme', change: (sim) => ({ url: sim.url.replace('https://', 'svc:Url-Pa55word@') }), field: 'Server URL' },
	{ product: 'vbr', what: 'custom API version not in Veeam form', change: () => ({ apiVersion: 'custom', customApiVersion: 'v13' }), field: 'Custom API Version' },
	{ product: 'vbgc', what: 'API version not in Veeam form', change: () => ({ apiVersion: '1.4' }), field: 'API Version' },
	{ product: 'vbr', what: 'CA certificate that is not PEM', change: () => ({ caCertificate: 'MIIB…not a certificate' }), field: 'CA Certificate' },
	{ product: 'vbgc', what: 'CA certificate that is not PEM', change: () => ({ caCertificate: '-----BEGIN CERTIFICATE-----' }), field: 'CA Certificate' },
];

describe.each(credentialCases)('credential, $product: $what', (c) => {
	it('is refused with a NodeOperationError naming the field and item 0, before any request', async () => {
		const sim = c.product === 'vbr' ? vbr : vbgc;
		sim.reset();
		const fixture = c.product === 'vbr' ? vbrFixture : vbgcFixture;
		fixture.resetCredential(c.change(sim));
		const parameters = c.product === 'vbr' ? VBR_ONBOARD : VBGC_ONBOARD;
		const good = c.product === 'vbr' ? GOOD_VBR : GOOD_VBGC;
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
