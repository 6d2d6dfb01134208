/**
 * Answers no Veeam Backup for Microsoft 365 should give (as hostile.vspc.test.ts for VSPC), through
 * n8n's engine: a role list holding roles of another organization (with their own organization ID,
 * or lying with this one's), an answer naming another role than the one created or asked for, roles
 * and operators sent twice, organization and user pages that ignore `offset` (the same page again), and
 * RESTExceptionInfo errors carrying a .NET stackTrace (the spec's field) or the account's password.
 *
 * The rule: no crash; nothing output that the server does not show (a run gives the truth or fails
 * clearly, and changes nothing it does not report); no other organization's role touched; no
 * secret and no stackTrace in any output or error (Vb365Fixture.run checks every secret the
 * simulator saw, every one the credential holds, and Veeam's stack frames, on every run).
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator, VB365_DEFAULT_PASSWORD, VB365_ORG_CONTOSO_ID, VB365_ORG_FABRIKAM_ID, VB365_ROLE_FABRIKAM_ID, VB365_ROLE_FINANCE_ID, VB365_ROLE_HELPDESK_ID, type SimServer } from '../../sim';
import type { SimRequest, SimResponse } from '../../sim/core/http';
import { shutdownEngine } from '../support/engine';
import { errorText, type VeeamRun } from '../nodes/Veeam/fixtures';
import { byId, byName, contoso, Vb365Fixture } from '../nodes/Veeam/vb365/fixture';
import { mutatingRequests } from './badInput.shared';

const CONTOSO = 'contoso.onmicrosoft.com';
const FABRIKAM = 'fabrikam.onmicrosoft.com';
const ALICE = `alice.adams@${CONTOSO}`;
const DAVE = `dave.lee@${CONTOSO}`;
const F_DAVE = `dave.lee@${FABRIKAM}`;
const STACK = '   at Veeam.Archiver.REST.Controllers.RbacRolesController.Post(Guid organizationId)\n   at System.Web.Http.ApiControllerActionInvoker.InvokeActionAsyncCore()';
const CONTOSO_ROLES = `/v8/Organizations/${VB365_ORG_CONTOSO_ID}/RbacRoles`;

let sim: SimServer;
let h: Vb365Fixture;
let undo: Array<() => void> = [];

beforeAll(async () => {
	sim = await startSimulator({ product: 'vb365' });
	h = new Vb365Fixture(sim);
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});
beforeEach(() => {
	sim.reset();
	h.resetCredential();
});
afterEach(() => {
	for (const u of undo) u();
	undo = [];
	sim.faults.clear();
});

type Rewrite = (response: SimResponse, req: SimRequest, n: number) => SimResponse;

/** The simulator's answers to `method` on a path matching `path` (case-insensitive) rewritten by `fn` (its n-th matching request, from 0). */
function rewrite(method: string, path: RegExp, fn: Rewrite): void {
	const router = sim.product.router as { match: (m: string, p: string) => ReturnType<SimServer['product']['router']['match']> };
	const original = router.match.bind(router);
	let n = 0;
	router.match = (m, p) => {
		const found = original(m, p);
		if (found.kind !== 'found' || m !== method || !path.test(p)) return found;
		return { ...found, handler: async (req) => fn(await found.handler(req), req, n++) };
	};
	undo.push(() => {
		router.match = original;
	});
}

const fabrikamRole = (organizationId = VB365_ORG_FABRIKAM_ID): IDataObject => ({ id: VB365_ROLE_FABRIKAM_ID, organizationId, name: 'Fabrikam Restore', description: '', roleType: 'EntireOrganization' });
const fabrikamOperators = () => h.operatorsOf('Fabrikam Restore', VB365_ORG_FABRIKAM_ID);
const SEEDED_FABRIKAM = ['dave.lee@fabrikam.onmicrosoft.com', 'group:Service Desk'];

/** The run failed clearly (a readable error, nothing output) and changed nothing. */
function clearFailureNothingChanged(run: VeeamRun): void {
	expect(run.error).toBeDefined();
	expect(errorText(run).length).toBeGreaterThan(20);
	expect(run.json).toEqual([]);
	expect(mutatingRequests(sim)).toBe(0);
}

describe('roles of another organization in this organization`s role list', () => {
	beforeEach(() => {
		rewrite('GET', new RegExp(`^${CONTOSO_ROLES}$`, 'i'), (r) => ({ ...r, body: [...(r.body as IDataObject[]), fabrikamRole()] }));
	});

	it('Revoke (every role of Contoso) never touches the Fabrikam role, and outputs only what the server shows', async () => {
		sim.stats.reset();
		const run = await h.run({ resource: 'restoreOperator', operation: 'revoke', organization: contoso(), operator: DAVE });
		expect(fabrikamOperators()).toEqual(SEEDED_FABRIKAM);
		if (!run.error) {
			const roles = (run.json[0].roles as Array<{ name: string; result: string }>).map((x) => `${x.name}:${x.result}`).sort();
			expect(roles).toEqual(['Finance Restore:removed', 'Helpdesk Restore:removed']);
			expect(h.operatorsOf('Helpdesk Restore')).not.toContain(DAVE);
			expect(h.operatorsOf('Finance Restore')).not.toContain(DAVE);
		} else expect(errorText(run)).toMatch(/Fabrikam|organization|another/i);
	});

	it('Grant to the Fabrikam role named in Contoso: refused or sent nowhere; the Fabrikam role unchanged', async () => {
		const run = await h.run({ resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: ALICE, restoreRoles: ['Fabrikam Restore'] });
		expect(run.error).toBeDefined();
		expect(fabrikamOperators()).toEqual(SEEDED_FABRIKAM);
		expect(h.roles().filter((r) => r.operators.some((o) => o.user?.name === ALICE))).toEqual([]);
	});

	it('Role → Get Many of Contoso lists Contoso`s roles only (or fails clearly)', async () => {
		const run = await h.run({ resource: 'role', operation: 'getMany', returnAll: true, organizationScope: 'one', organization: contoso() });
		if (run.error) clearFailureNothingChanged(run);
		else expect(run.json.map((j) => String(j.name)).sort()).toEqual(['Finance Restore', 'Helpdesk Restore']);
	});
});

describe('a role of another organization that claims to be of this one', () => {
	it('Grant of a Contoso user to it: the Fabrikam role never gets a Contoso user, and no success is reported the server does not show', async () => {
		rewrite('GET', new RegExp(`^${CONTOSO_ROLES}$`, 'i'), (r) => ({ ...r, body: [...(r.body as IDataObject[]), fabrikamRole(VB365_ORG_CONTOSO_ID)] }));
		const run = await h.run({ resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: ALICE, restoreRoles: ['Fabrikam Restore'] });
		expect(fabrikamOperators()).toEqual(SEEDED_FABRIKAM);
		if (!run.error) expect(run.json[0].action).not.toBe('granted');
	});

	it('Offboard of Contoso`s Dave leaves Fabrikam`s Dave (another person) where he is', async () => {
		rewrite('GET', new RegExp(`^${CONTOSO_ROLES}$`, 'i'), (r) => ({ ...r, body: [...(r.body as IDataObject[]), fabrikamRole(VB365_ORG_CONTOSO_ID)] }));
		const run = await h.run({ resource: 'restoreOperator', operation: 'offboard', organizationScope: 'one', organization: contoso(), operator: DAVE });
		expect(fabrikamOperators()).toContain(F_DAVE);
		if (!run.error) {
			expect(h.operatorsOf('Helpdesk Restore')).not.toContain(DAVE);
			const removed = (run.json[0].removedFrom as Array<{ role: { name: string } }>).map((x) => x.role.name).sort();
			expect(removed).toEqual(['Finance Restore', 'Helpdesk Restore']);
		}
	});
});

describe('answers naming another role than asked', () => {
	it('Role Create answered with another role`s ID: never reported created as that role', async () => {
		rewrite('POST', new RegExp(`^${CONTOSO_ROLES}$`, 'i'), (r) => ({ ...r, body: { ...(r.body as IDataObject), id: VB365_ROLE_HELPDESK_ID } }));
		const run = await h.run({ resource: 'role', operation: 'create', organization: contoso(), roleName: 'Legal Restores', vb365RoleType: 'EntireOrganization' });
		if (!run.error) {
			expect(run.json[0].action).toBe('created');
			expect((run.json[0].role as { id: string }).id).not.toBe(VB365_ROLE_HELPDESK_ID);
			expect(h.role('Legal Restores')?.id).toBe((run.json[0].role as { id: string }).id);
		} else expect(errorText(run)).toMatch(/Legal Restores/);
		// The Helpdesk role is as seeded.
		expect(h.role('Helpdesk Restore')?.operators).toHaveLength(2);
	});

	it('Role Get by ID answered with the Fabrikam role: not output as the role asked for', async () => {
		rewrite('GET', new RegExp(`^/v8/RbacRoles/${VB365_ROLE_FINANCE_ID}$`, 'i'), (r) => ({ ...r, body: fabrikamRole() }));
		const run = await h.run({ resource: 'role', operation: 'get', organization: contoso(), role: byId(VB365_ROLE_FINANCE_ID) });
		if (!run.error) {
			expect(run.json[0]).toMatchObject({ id: VB365_ROLE_FINANCE_ID, name: 'Finance Restore' });
		} else expect(run.json).toEqual([]);
	});
});

describe('entries sent twice', () => {
	it('every role twice in the role list: Revoke removes once per role or fails clearly, nothing doubled', async () => {
		rewrite('GET', new RegExp(`^${CONTOSO_ROLES}$`, 'i'), (r) => ({ ...r, body: [...(r.body as IDataObject[]), ...(r.body as IDataObject[])] }));
		sim.stats.reset();
		const run = await h.run({ resource: 'restoreOperator', operation: 'revoke', organization: contoso(), operator: DAVE });
		if (run.error) clearFailureNothingChanged(run);
		else expect((run.json[0].roles as unknown[]).length).toBe(2);
	});

	it('every operator twice in a role`s operators: Get Many gives each operator once or fails clearly', async () => {
		rewrite('GET', /^\/v8\/RbacRoles\/[^/]+\/operators$/i, (r) => ({ ...r, body: [...(r.body as IDataObject[]), ...(r.body as IDataObject[])] }));
		const run = await h.run({ resource: 'restoreOperator', operation: 'getMany', returnAll: true });
		if (run.error) clearFailureNothingChanged(run);
		else {
			const ids = run.json.map((j) => `${(j.organization as { id: string }).id}/${(j.operator as { id: string }).id}`);
			expect(new Set(ids).size).toBe(ids.length);
		}
	});
});

describe('pages that ignore offset', () => {
	it('the organization list ignores offset (the same page again and again): ends, with the truth or a clear failure', async () => {
		sim.addFault({ kind: 'ignoreQuery', params: ['offset', 'setId'], count: 10_000, pathIncludes: '/v8/Organizations' });
		const run = await h.run({ resource: 'role', operation: 'getMany', returnAll: true });
		if (run.error) clearFailureNothingChanged(run);
		else expect(run.json.map((j) => String(j.name)).sort()).toEqual(['Fabrikam Restore', 'Finance Restore', 'Helpdesk Restore']);
	});

	it('the user search ignores offset: Grant ends, adds Alice once or fails clearly with nothing sent', async () => {
		sim.addFault({ kind: 'ignoreQuery', params: ['offset', 'setId'], count: 10_000, pathIncludes: '/Users' });
		sim.stats.reset();
		const run = await h.run({ resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: ALICE, restoreRoles: ['Helpdesk Restore'] });
		if (run.error) clearFailureNothingChanged(run);
		else expect(h.operatorsOf('Helpdesk Restore').filter((n) => n === ALICE)).toHaveLength(1);
	});
});

describe('errors that carry a stackTrace or a secret', () => {
	const grant: INodeParameters = { resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: ALICE, restoreRoles: ['Helpdesk Restore'] };

	it.each([
		['400 with a stackTrace', 400, { message: 'The user property of operators must have displayName.', errorCode: 'ParameterValidationFailure', stackTrace: STACK }],
		['500 with a stackTrace', 500, { message: 'Object reference not set to an instance of an object.', errorCode: null, stackTrace: STACK }],
		['500 whose message is a stack trace', 500, { message: `System.NullReferenceException: Object reference not set.\n${STACK}`, errorCode: null, stackTrace: null }],
		['400 whose message repeats the password', 400, { message: `Cannot connect: Password=${VB365_DEFAULT_PASSWORD};User=admin`, errorCode: 'ParameterValidationFailure', stackTrace: STACK }],
		['403 whose message repeats the password', 403, { message: `Access denied for VB365\\Administrator with password ${VB365_DEFAULT_PASSWORD}`, errorCode: 'ResourceAccessDenied', stackTrace: null }],
	])('%s on the operators POST: a readable error naming the item, no stackTrace, no password (the fixture checks)', async (_what, status, body) => {
		sim.addFault({ kind: 'answer', status, body, count: 1, method: 'POST', pathIncludes: '/operators' });
		const run = await h.run(grant);
		expect(run.error).toBeDefined();
		expect(errorText(run)).toMatch(/\(item 0\)/);
		expect(errorText(run)).not.toContain(VB365_DEFAULT_PASSWORD);
		expect(errorText(run)).not.toMatch(/at Veeam\.|stackTrace/);
		// Nothing reported granted the server does not show.
		expect(h.operatorsOf('Helpdesk Restore')).not.toContain(ALICE);
	});

	it('a failed read carrying the password, with continue-on-fail: the item`s error has no password, no stackTrace', async () => {
		sim.addFault({ kind: 'answer', status: 500, body: { message: `password=${VB365_DEFAULT_PASSWORD}`, errorCode: null, stackTrace: STACK }, count: 1, method: 'GET', pathIncludes: '/RbacRoles' });
		const run = await h.run({ resource: 'role', operation: 'get', organization: contoso(), role: byName('Helpdesk Restore') }, [{}], { continueOnFail: true });
		const text = JSON.stringify(run.json);
		expect(text).not.toContain(VB365_DEFAULT_PASSWORD);
		expect(text).not.toMatch(/at Veeam\.|stackTrace/);
	});
});
