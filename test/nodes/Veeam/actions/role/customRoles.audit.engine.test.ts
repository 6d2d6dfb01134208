/**
 * The custom-role audit's points through n8n's engine against the simulator
 * (sim/contracts/audits/2026-12-05-vbr-roles-acl-client.md): D2 a server that adds fields inside
 * scope items (aclInfo, urn, …, names echoed) does not turn a done create into "not shown" nor make
 * Sync plan an update every run; D3 an Entra ID tenant's secrets in a role's scopes appear in no
 * output (Role Create, Get with details, Sync's plan) and a Sync update sends the server's values
 * back; D7 the existence checks hold on a server whose `nameFilter` minds case.
 */
import type { IDataObject } from 'n8n-workflow';

import type { SimServer } from '../../../../../sim';
import type { VbrProduct } from '../../../../../sim/vbr/product';
import { recordSecret } from '../../../../support/secretScan';
import { loadExamples } from '../../../../support/veeamExamples';
import { ROLES, VeeamFixture, routeCount, useSimulator } from '../../fixtures';

type Json = Record<string, unknown>;
let sim: SimServer;
let h: VeeamFixture;
const product = () => sim.product as unknown as VbrProduct;

/** Veeam's CustomRoleModelExample as a declaration (no id). */
const EXAMPLE = (() => {
	const found = loadExamples('vbr').find((e) => e.file === 'get-custom-role-details.200.json');
	const spec = JSON.parse(JSON.stringify(found!.body)) as IDataObject;
	delete spec.id;
	return spec;
})();
const scopesOf = (role: IDataObject) => JSON.stringify({ inventoryScope: role.inventoryScope, repositoryScope: role.repositoryScope, restorePermissionsScope: role.restorePermissionsScope, restoreTargetScope: role.restoreTargetScope });
const createExample = (extra: IDataObject = {}) => ({
	resource: 'role',
	operation: 'create',
	roleName: EXAMPLE.name as string,
	roleDescription: EXAMPLE.description as string,
	manageBackups: EXAMPLE.manageBackups as boolean,
	manageRestores: EXAMPLE.manageRestores as boolean,
	scopes: scopesOf(EXAMPLE),
	...extra,
});
const rolesOnly = (declared: unknown, params: IDataObject = {}) => ({
	resource: 'user',
	operation: 'sync',
	manage: 'customRoles',
	customRoles: JSON.stringify(declared),
	customRoleScope: 'all',
	...params,
});

/** What a server may add inside scope items: the inventory's own data, names echoed beside IDs. */
function addServerFields(model: Json): Json {
	const walk = (v: unknown, key: string): void => {
		if (Array.isArray(v)) {
			for (const item of v as Json[]) {
				if (key === 'inventoryObjects' && item && typeof item === 'object') Object.assign(item, { aclInfo: { isAllowed: true }, urn: `urn:${String(item.objectId ?? item.id)}`, size: '48 GB' });
				if (key === 'repositories' && item && typeof item === 'object') item.repositoryName = 'Repository as the server names it now';
				walk(item, '');
			}
		} else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v as Json)) walk(x, k);
	};
	walk(model, '');
	return model;
}

let restoreSim: (() => void) | undefined;
/** Makes the simulator's custom-role answers carry the server fields (its `model`, used by every answer). */
function serverAddsFields(): void {
	const roles = product().customRoles as unknown as { model: (...args: unknown[]) => Json };
	const original = roles.model;
	roles.model = (...args: unknown[]) => addServerFields(original.apply(roles, args));
	restoreSim = () => {
		roles.model = original;
	};
}
/** Makes the simulator's role list apply `nameFilter` minding case (Veeam does not say which). */
function nameFilterMindsCase(): void {
	const store = (product() as unknown as { roleStore: { list: (req: { query: URLSearchParams }) => { status: number; body: { data: Json[]; pagination: Json } } } }).roleStore;
	const original = store.list;
	store.list = (req) => {
		const res = original.call(store, req);
		const filter = req.query.get('nameFilter');
		if (!filter) return res;
		const part = filter.replace(/\*/g, '');
		const data = res.body.data.filter((r) => String(r.name).includes(part));
		return { ...res, body: { data, pagination: { ...res.body.pagination, total: data.length, count: data.length } } };
	};
	restoreSim = () => {
		store.list = original;
	};
}

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});
afterEach(() => {
	restoreSim?.();
	restoreSim = undefined;
});

describe('D2: a server adding fields inside scope items', () => {
	it("Role → Create of Veeam's example: created (the read-back shows it), again: unchanged, nothing sent", async () => {
		serverAddsFields();
		const first = await h.run(createExample());
		expect(first.error).toBeUndefined();
		expect(first.json[0]).toMatchObject({ action: 'created' });
		expect(JSON.stringify(first.json[0].role)).toContain('aclInfo');
		const again = await h.run(createExample());
		expect(again.json[0]).toMatchObject({ action: 'unchanged' });
		expect(routeCount(sim, `POST ${ROLES}`)).toBe(1);
		expect(routeCount(sim, `PUT ${ROLES}/:id`)).toBe(0);
	});

	it("Sync: Veeam's example declared against the server's copy with the added fields plans it unchanged", async () => {
		serverAddsFields();
		expect((await h.run(createExample())).json[0]).toMatchObject({ action: 'created' });
		const plan = await h.run(rolesOnly([EXAMPLE]), [{}]);
		expect(plan.error).toBeUndefined();
		expect(plan.json.map((j) => [j.object, j.action, j.name])).toEqual([['customRole', 'unchanged', EXAMPLE.name]]);
	});
});

describe("D3: an Entra ID tenant's secrets in a role's scopes", () => {
	const SECRET = 'tenant-client-secret-Zq81';
	const PFX_PASSWORD = 'tenant-pfx-password-55';
	const TENANT = '6a9d3c1e-2b4f-4e8a-9c7d-1f2e3a4b5c6d';
	const scope = {
		inventoryScope: {
			entireInventory: false,
			workloads: [
				{
					type: 'EntraIdTenant',
					inventoryObjects: [
						{ id: TENANT, cacheRepositoryId: '3f2a8c14-9e7b-4d52-a1c6-0b9d4e8f1a23', authentication: { applicationId: 'app-1', secret: SECRET, certificate: { certificate: 'UEZYLWNvbnRlbnQtYmFzZTY0LTAx', formatType: 'Pfx', password: PFX_PASSWORD } } },
					],
				},
			],
		},
	};
	const leaks = (value: unknown) => [SECRET, PFX_PASSWORD, 'UEZYLWNvbnRlbnQtYmFzZTY0LTAx'].filter((s) => JSON.stringify(value).includes(s));
	const storedAuth = () => {
		const role = product().customRoles as unknown as { details: Map<string, { inventoryScope?: { workloads: Array<{ inventoryObjects: Json[] }> } }> };
		return [...role.details.values()].map((d) => d.inventoryScope?.workloads[0]?.inventoryObjects[0]?.authentication).find(Boolean);
	};

	beforeEach(() => {
		recordSecret(SECRET, 'entraSecret');
		recordSecret(PFX_PASSWORD, 'entraCertificatePassword');
	});

	it('appear in no output (Create, Get with details, Sync plan); Sync Apply sends the server\'s values back', async () => {
		const created = await h.run({ resource: 'role', operation: 'create', roleName: 'Tenant Restores', manageRestores: true, scopes: JSON.stringify(scope) });
		expect(created.error).toBeUndefined();
		expect(created.json[0]).toMatchObject({ action: 'created' });
		expect(leaks(created.json)).toEqual([]);
		expect(storedAuth()).toMatchObject({ secret: SECRET });

		const got = await h.run({ resource: 'role', operation: 'get', role: { __rl: true, mode: 'name', value: 'Tenant Restores' }, withDetails: true });
		expect(leaks(got.json)).toEqual([]);
		expect(JSON.stringify(got.json)).toContain('[redacted]');

		// The exported role declared back with another description: Plan shows no secret, Apply keeps the server's.
		const exported = { ...(got.json[0] as Json), description: 'changed' };
		const plan = await h.run(rolesOnly([exported]), [{}]);
		expect(plan.error).toBeUndefined();
		expect(plan.json[0]).toMatchObject({ object: 'customRole', action: 'update', changes: ['description'] });
		expect(leaks(plan.json)).toEqual([]);
		const applied = await h.run(rolesOnly([exported], { syncMode: 'apply', syncOptions: { approvedPlanId: plan.json[0].planId } }), [{}]);
		expect(applied.error).toBeUndefined();
		expect(applied.json[0]).toMatchObject({ result: 'updated' });
		expect(leaks(applied.json)).toEqual([]);
		expect(storedAuth()).toMatchObject({ secret: SECRET, certificate: { password: PFX_PASSWORD } });
	});
});

describe('D7: existence checks on a server whose nameFilter minds case', () => {
	it('Role → Create finds "Auditors" when asked for "AUDITORS" (no second role); Clone finds its copy\'s name taken', async () => {
		nameFilterMindsCase();
		const made = await h.run({ resource: 'role', operation: 'create', roleName: 'Auditors', manageRestores: true });
		expect(made.json[0]).toMatchObject({ action: 'created' });
		const again = await h.run({ resource: 'role', operation: 'create', roleName: 'AUDITORS', manageRestores: true, ifExists: 'error' });
		expect(again.error?.message).toContain('Veeam already has a custom role named "Auditors"');
		expect(routeCount(sim, `POST ${ROLES}`)).toBe(1);

		expect((await h.run({ resource: 'role', operation: 'create', roleName: 'auditors_clone', manageRestores: true })).json[0]).toMatchObject({ action: 'created' });
		const clone = await h.run({ resource: 'role', operation: 'clone', role: { __rl: true, mode: 'name', value: 'AUDITORS' } });
		expect(clone.error?.message).toContain('Veeam already has a role named "auditors_clone"');
		expect(routeCount(sim, `POST ${ROLES}/:id/clone`)).toBe(0);
	});
});

describe('review #4, #5: one execution, one role; a clone left half done', () => {
	it('two items naming one role (any case) in one Create execution: one POST, the second made to match', async () => {
		const run = await h.run({ resource: 'role', operation: 'create', roleName: '={{ $json.n }}', manageRestores: '={{ $json.r }}' }, [
			{ n: 'Dup', r: true },
			{ n: 'dup', r: false },
		]);
		expect(run.error).toBeUndefined();
		expect(routeCount(sim, `POST ${ROLES}`)).toBe(1);
		expect(run.json.map((j) => j.action)).toEqual(['created', 'updated']);
		expect(run.json[1]).toMatchObject({ changed: ['name', 'manageRestores'], role: { name: 'dup', manageRestores: false } });
	});

	it('Clone with New Name whose rename failed: a rerun renames the copy left as <name>_Clone (no second clone)', async () => {
		await h.run({ resource: 'role', operation: 'create', roleName: 'Base', manageRestores: true, scopes: JSON.stringify({ repositoryScope: { allRepositories: true } }) });
		sim.addFault({ kind: 'status', status: 500, method: 'PUT', pathIncludes: '/security/roles', count: 10 } as never);
		const failed = await h.run({ resource: 'role', operation: 'clone', role: { __rl: true, mode: 'name', value: 'Base' }, newName: 'Tier2' });
		expect(failed.error).toBeDefined();
		sim.faults.clear();
		const rerun = await h.run({ resource: 'role', operation: 'clone', role: { __rl: true, mode: 'name', value: 'Base' }, newName: 'Tier2' });
		expect(rerun.error).toBeUndefined();
		expect(rerun.json[0]).toMatchObject({ action: 'cloned', resumed: true, role: { name: 'Tier2' }, clonedFrom: { name: 'Base' } });
		expect(routeCount(sim, `POST ${ROLES}/:id/clone`)).toBe(1);
		// A role under that name that differs from the original is not taken for a copy.
		await h.run({ resource: 'role', operation: 'create', roleName: 'Base_Clone', manageBackups: true });
		const other = await h.run({ resource: 'role', operation: 'clone', role: { __rl: true, mode: 'name', value: 'Base' }, newName: 'Tier3' });
		expect(other.error?.message).toContain('Veeam already has a role named "Base_Clone"');
	});
});
