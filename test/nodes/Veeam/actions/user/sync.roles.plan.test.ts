/**
 * The pure part of Sync with custom roles (sync.roles.ts): the role steps, what an update sends
 * (Veeam's PUT takes the whole role: what a declaration leaves out travels back as the server has
 * it), and what the plan id covers.
 */
import type { IExecuteFunctions } from 'n8n-workflow';

import type { CustomRole, CustomRoleSpec } from '../../../../../client/adapters/customRoleSpec';
import { readRoleParams } from '../../../../../nodes/Veeam/actions/user/sync.rolesRead';
import { markHeldDeletes, planRoles, roleFingerprintParts, updateBody, type DeclaredRole, type ListedRole } from '../../../../../nodes/Veeam/actions/user/sync.roles';

const listed = (n: number, name: string): ListedRole => ({ id: `00000000-0000-4000-8000-00000000000${n}`, name, description: '' });
const spec = (name: string, extra: Partial<CustomRoleSpec> = {}): CustomRoleSpec => ({ name, manageBackups: false, manageRestores: true, ...extra });
const details = (role: ListedRole, extra: Partial<CustomRole> = {}): CustomRole => ({ id: role.id, name: role.name, description: '', manageBackups: false, manageRestores: true, ...extra });
const declare = (...specs: CustomRoleSpec[]): DeclaredRole[] => specs.map((s, index) => ({ index, spec: s }));

describe('planRoles', () => {
	const a = listed(1, 'Ops-A');
	const b = listed(2, 'Ops-B');
	const other = listed(3, 'Sales-C');

	it('creates, updates (differing fields), deletes within the scope only, in apply order', () => {
		const steps = planRoles(
			[a, b, other],
			new Map([[a.id, details(a, { manageRestores: false })]]),
			declare(spec('ops-a'), spec('Ops-New')),
			{ kind: 'namePattern', pattern: 'Ops-*' },
		);
		expect(steps.map((s) => [s.action, s.name, s.changes])).toEqual([
			['create', 'Ops-New', ['name', 'manageBackups', 'manageRestores']],
			['update', 'ops-a', ['name', 'manageRestores']],
			['delete', 'Ops-B', []],
		]);
	});

	it('needs the details of every declared role the server has (the list carries no permissions)', () => {
		expect(() => planRoles([a], new Map(), declare(spec('Ops-A')), { kind: 'all' })).toThrow(/details of the custom role Ops-A were not read/);
	});

	it('marks a delete whose role someone still holds', () => {
		const steps = planRoles([a, b], new Map([[a.id, details(a)]]), declare(spec('Ops-A')), { kind: 'all' });
		markHeldDeletes(steps, (id) => (id === b.id ? ['TECH\\bob'] : []));
		expect(steps.find((s) => s.action === 'delete')?.heldBy).toEqual(['TECH\\bob']);
		expect(steps.find((s) => s.action === 'unchanged')?.heldBy).toBeUndefined();
	});
});

describe('updateBody', () => {
	const role = listed(1, 'Ops-A');
	const actual = details(role, {
		description: 'from the console',
		inventoryScope: { entireInventory: false, workloads: [{ type: 'Proxmox', inventoryObjects: [{ platform: 'Proxmox', objectId: 'vm-1' }] }] },
		repositoryScope: { allRepositories: false, repositories: [{ repositoryId: '88788f9e-d8f5-4eb4-bc4f-9b3f5403bcec' }], futureFlag: 'kept' },
	});

	it('keeps a scope and the description the declaration leaves out, exactly as the server has them', () => {
		const body = updateBody(spec('Ops-A', { manageBackups: true }), actual);
		expect(body).toEqual({ name: 'Ops-A', description: 'from the console', manageBackups: true, manageRestores: true, inventoryScope: actual.inventoryScope, repositoryScope: actual.repositoryScope });
	});

	it('inside a declared scope: declared fields replace, unknown fields stay, a list left out counts as empty', () => {
		const body = updateBody(spec('Ops-A', { repositoryScope: { allRepositories: true } }), actual);
		expect(body.repositoryScope).toEqual({ allRepositories: true, futureFlag: 'kept' });
	});
});

describe('roleFingerprintParts', () => {
	const a = listed(1, 'Ops-A');
	const parts = (declared: CustomRoleSpec) => roleFingerprintParts(planRoles([a], new Map([[a.id, details(a)]]), declare(declared), { kind: 'all' }));

	it('covers the whole role definition: another scope, another id; unchanged roles add nothing', () => {
		expect(parts(spec('Ops-A'))).toEqual([]);
		const one = parts(spec('Ops-A', { repositoryScope: { allRepositories: true } }));
		const other = parts(spec('Ops-A', { repositoryScope: { allRepositories: false, repositories: [{ repositoryId: '88788f9e-d8f5-4eb4-bc4f-9b3f5403bcec' }] } }));
		expect(one).toHaveLength(1);
		expect(other).not.toEqual(one);
		// Key order in the declaration does not matter.
		expect(parts({ repositoryScope: { allRepositories: true }, manageRestores: true, manageBackups: false, name: 'Ops-A' })).toEqual(one);
	});
});

describe('declared roles from n8n 1.x\'s Code node (its items are proxies, which structuredClone refuses)', () => {
	const proxied = <T extends object>(value: T): T => new Proxy(value, {});

	it('updateBody copies proxied scopes', () => {
		const role = listed(1, 'Ops-A');
		const body = updateBody(spec('Ops-A', { repositoryScope: proxied({ allRepositories: true }) }), details(role, { inventoryScope: proxied({ entireInventory: true }) }));
		expect(body).toMatchObject({ repositoryScope: { allRepositories: true }, inventoryScope: { entireInventory: true } });
	});

	it('readRoleParams reads a proxied list as plain data', () => {
		const value = proxied([proxied({ name: 'Ops-A', manageBackups: false, manageRestores: true, repositoryScope: proxied({ allRepositories: true }) })]);
		const parameters: Record<string, unknown> = { customRoles: value, customRoleScope: 'all' };
		const ctx = { getNodeParameter: (name: string, _i: number, fallback: unknown) => parameters[name] ?? fallback, getNode: () => ({ name: 'Veeam' }) };
		const { declared } = readRoleParams(ctx as unknown as IExecuteFunctions);
		expect(() => structuredClone(declared)).not.toThrow();
		expect(declared[0].spec).toEqual({ name: 'Ops-A', manageBackups: false, manageRestores: true, repositoryScope: { allRepositories: true } });
	});
});
