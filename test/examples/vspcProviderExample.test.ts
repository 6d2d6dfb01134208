/**
 * examples/vspc-provider-onboarding.json without n8n's server: its Veeam nodes run against the VSPC
 * simulator with their parameters exactly as the example has them (expressions resolved by n8n's
 * engine from the webhook's body, as n8n passes it on), and its Code nodes' JavaScript runs as n8n
 * runs it. The whole workflow in a real n8n (both majors): e2e/vspc.e2e.ts.
 *
 * - a new customer's admin: Company Administrator of the company named by the CRM, MFA required,
 *   the profile from the CRM; the CRM sending the event again changes nothing;
 * - a leaver: every account of the person (the user name in any case, or the profile's email), in
 *   every company, deleted with its API keys; a look-alike name is left alone; the CRM's note.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { VSPC_COMPANY_ALPHA_UID, VSPC_COMPANY_BETA_UID, type SimServer } from '../../sim';
import { useVspc, type VspcFixture } from '../nodes/Veeam/vspc/fixture';

type Json = IDataObject;
type ExampleNode = { name: string; type: string; parameters: INodeParameters; onError?: string };
const example = JSON.parse(readFileSync(join(__dirname, '../../examples/vspc-provider-onboarding.json'), 'utf8')) as {
	nodes: ExampleNode[];
	connections: Record<string, { main: Array<Array<{ node: string }>> }>;
};
const node = (name: string): ExampleNode => {
	const found = example.nodes.find((n) => n.name === name);
	if (!found) throw new Error(`no node "${name}" in the example`);
	return found;
};
/** The node's parameters without `product` (the fixture sets it) . */
const parametersOf = (name: string): INodeParameters => {
	const { product, ...rest } = node(name).parameters;
	expect(product).toBe('vspc');
	return rest;
};

/** Runs a Code node's JavaScript ("Run Once for All Items") as n8n does: `$input` its input, `$('Node')` another node's output. */
function runCode(name: string, input: Json[], outputs: Record<string, Json[]> = {}): Json[] {
	const items = (list: Json[]) => list.map((json) => ({ json }));
	const $input = { all: () => items(input), first: () => items(input)[0] };
	const $ = (other: string) => {
		if (!outputs[other]) throw new Error(`${name} reads "${other}", not given`);
		return { all: () => items(outputs[other]), first: () => items(outputs[other])[0] };
	};
	const run = new Function('$input', '$', String(node(name).parameters.jsCode)) as (i: typeof $input, d: typeof $) => Array<{ json: Json }>;
	return run($input, $).map((item) => item.json);
}

const CUSTOMER = { company: 'beta', admin: { userName: 'j.brown', firstName: 'John', lastName: 'Brown', email: 'j.brown@beta.example.com' } };
/** What the Crypto node adds (32 letters and digits). */
const INITIAL = 'q7Vd0Zk3rT9mWb2Yx5Hc8Ln1Pf4Sg6Ja';

describe('examples/vspc-provider-onboarding.json', () => {
	let sim: SimServer;
	let h: VspcFixture;
	useVspc((s, f) => {
		sim = s;
		h = f;
	});

	async function veeam(name: string, input: IDataObject[]): Promise<Json[]> {
		const run = await h.run(parametersOf(name), input, { continueOnFail: node(name).onError === 'continueRegularOutput', secrets: [INITIAL] });
		if (run.error) throw new Error(`${name}: ${run.error.message}`);
		return run.json as Json[];
	}

	it('joins the nodes as described: CRM → password → invite → (new) welcome mail; CRM → find → exactly the leaver → offboard → note → CRM', () => {
		const next = (from: string) => example.connections[from].main[0].map((c) => c.node);
		expect(next('CRM: new customer')).toEqual(['Password nobody knows']);
		expect(next('Password nobody knows')).toEqual(["Invite the company's admin"]);
		expect(next("Invite the company's admin")).toEqual(['Newly invited?']);
		expect(next('Newly invited?')).toEqual(['Welcome mail']);
		expect(example.connections['Newly invited?'].main[1] ?? []).toEqual([]);
		expect(next('CRM: contact left')).toEqual(['Find the leaver in every company']);
		expect(next('Find the leaver in every company')).toEqual(["Exactly the leaver's accounts"]);
		expect(next("Exactly the leaver's accounts")).toEqual(['Offboard each account']);
		expect(next('Offboard each account')).toEqual(['Note for the CRM']);
		expect(next('Note for the CRM')).toEqual(['Post the note on the contact']);
		// The welcome mail never carries the password.
		expect(String(node('Welcome mail').parameters.jsonBody)).not.toMatch(/initialPassword|json\.password/i);
	});

	it("invites the new customer's admin: Company Administrator of the company the CRM names, MFA required, profile from the CRM; again: unchanged", async () => {
		const item = { body: CUSTOMER, initialPassword: INITIAL };
		const [invited] = await veeam("Invite the company's admin", [item]);
		expect(invited).toMatchObject({
			action: 'created',
			user: { name: 'j.brown', roles: [{ id: 'CompanyAdministrator' }], organization: { uid: VSPC_COMPANY_BETA_UID, type: 'Company' }, mfaPolicy: 'Enabled' },
		});
		expect(h.user('j.brown')).toMatchObject({
			organizationUid: VSPC_COMPANY_BETA_UID,
			role: 'CompanyAdministrator',
			mfaPolicyStatus: 'Enabled',
			status: 'Enabled',
			profile: { firstName: 'John', lastName: 'Brown', email: 'j.brown@beta.example.com' },
		});
		// The CRM sends the event again: nothing changes, so no second welcome mail.
		const writes = sim.log.since().length;
		const [again] = await veeam("Invite the company's admin", [{ ...item, initialPassword: 'another0random0password0of0the0crypto' }]);
		expect(again).toMatchObject({ action: 'unchanged' });
		expect(sim.log.since()).toHaveLength(writes);
	});

	it("the invite's cost is its work, not the server's size: the same requests, one create, on a server with 5,000 more users", async () => {
		const invite = async (userName: string) => {
			const before = { ...sim.stats.byRoute };
			const requests = sim.stats.requests;
			h.resetCredential();
			const [out] = await veeam("Invite the company's admin", [{ body: { ...CUSTOMER, admin: { ...CUSTOMER.admin, userName } }, initialPassword: INITIAL }]);
			expect(out).toMatchObject({ action: 'created' });
			const byRoute = Object.fromEntries(Object.entries(sim.stats.byRoute).map(([route, n]) => [route, n - (before[route] ?? 0)]).filter(([, n]) => Number(n) > 0));
			return { requests: sim.stats.requests - requests, byRoute };
		};
		const small = await invite('first.admin');
		sim.seed({ count: 5000 });
		const big = await invite('second.admin');
		expect(big).toEqual(small);
		expect(big.byRoute['POST /api/v3/users']).toBe(1);
		// A token, the organizations, one look-up of the name, the create: a handful, whatever the size.
		expect(big.requests).toBeLessThanOrEqual(6);
	});

	it('removes the leaver from every company (user name in any case, or the email), leaves a look-alike, and notes it for the CRM', async () => {
		const leaver = { userName: 'sheila.cory', email: 'sheila.cory@msp.example.com' };
		const onboard = (company: string, roles: string, email: string) => ({
			resource: 'user',
			operation: 'onboard',
			userName: '={{ $json.name }}',
			organizationType: 'company',
			company,
			roles,
			password: 'Le4ver-Passw0rd!',
			email,
		});
		for (const [name, company, email] of [
			['sheila.cory', VSPC_COMPANY_ALPHA_UID, leaver.email],
			['beta.sheila.cory', VSPC_COMPANY_BETA_UID, leaver.email],
			['sheila.cory2', VSPC_COMPANY_ALPHA_UID, 'sheila.cory2@alpha.example.com'],
		]) {
			const run = await h.run(onboard(company, 'CompanyLocationUser', email), [{ name }]);
			expect(run.error).toBeUndefined();
		}
		// The Beta account has an API key (a script of the leaver's): it must not survive.
		const betaUid = String(h.user('beta.sheila.cory')?.instanceUid);
		h.vspc.addApiKey(betaUid, { description: 'backup report script' });
		const body = { body: leaver };

		const found = await veeam('Find the leaver in every company', [body]);
		expect(found.map((u) => u.name).sort()).toEqual(['beta.sheila.cory', 'sheila.cory', 'sheila.cory2']);
		const accounts = runCode("Exactly the leaver's accounts", found, { 'CRM: contact left': [body] });
		expect(accounts.map((u) => u.name).sort()).toEqual(['beta.sheila.cory', 'sheila.cory']);

		const offboarded = await veeam('Offboard each account', accounts);
		expect(offboarded.map((o) => [o.action, (o.user as Json).name]).sort()).toEqual([
			['deleted', 'beta.sheila.cory'],
			['deleted', 'sheila.cory'],
		]);
		expect(h.user('sheila.cory')).toBeUndefined();
		expect(h.user('beta.sheila.cory')).toBeUndefined();
		expect(h.user('sheila.cory2')).toMatchObject({ status: 'Enabled' });
		expect(h.logins(betaUid)).toEqual([]);
		expect(offboarded.find((o) => (o.user as Json).name === 'beta.sheila.cory')).toMatchObject({ removedLogins: [{ kind: 'apiKey', description: 'backup report script' }] });

		const [note] = runCode('Note for the CRM', offboarded, { 'CRM: contact left': [body] });
		expect(note).toEqual({ userName: 'sheila.cory', removed: 2, failed: 0, text: expect.stringMatching(/^(Alpha|Beta): \S+ deleted\n(Alpha|Beta): \S+ deleted$/) });

		// The CRM sends the leaver again: nothing left to find.
		const again = await veeam('Find the leaver in every company', [body]);
		expect(runCode("Exactly the leaver's accounts", again, { 'CRM: contact left': [body] })).toEqual([]);
	});

	it('the leaver filter keeps nothing without a user name from the CRM, and the note names a failed account', () => {
		expect(() => runCode("Exactly the leaver's accounts", [{ name: 'x' }], { 'CRM: contact left': [{ body: { email: 'x@y.example.com' } }] })).toThrow('no userName');
		const [note] = runCode('Note for the CRM', [{ error: 'the server still shows 1 working (enabled) API or RSA key login(s) of the user' }], {
			'CRM: contact left': [{ body: { userName: 'sheila.cory' } }],
		});
		expect(note).toMatchObject({ removed: 0, failed: 1, text: 'FAILED: the server still shows 1 working (enabled) API or RSA key login(s) of the user' });
	});
});
