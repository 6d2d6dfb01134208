/**
 * Role → Create, Update, Clone, Delete, Get with details and Get Many's kind filter (VBR 13.1,
 * REST 1.3-rev2), driven through the engine against the spec-validated simulator: idempotency,
 * built-in roles refused before sending, holders checked, the read-back rule, four-eyes.
 */
import type { IDataObject } from 'n8n-workflow';

import type { SimServer } from '../../../../../sim';
import type { VbrProduct } from '../../../../../sim/vbr/product';
import { ROLE_IDS, ROLES, USERS, VeeamFixture, byName, errorText, mutations, routeCount, simUser, useSimulator } from '../../fixtures';

let sim: SimServer;
let h: VeeamFixture;
const product = () => sim.product as unknown as VbrProduct;

const REPO = '3f2a8c14-9e7b-4d52-a1c6-0b9d4e8f1a23';
const SCOPES = { repositoryScope: { allRepositories: false, repositories: [{ repositoryId: REPO }] } };
const create = (extra: IDataObject = {}) => ({ resource: 'role', operation: 'create', roleName: 'Auditors', manageRestores: true, ...extra });
const roleByName = (name: string) => ({ __rl: true, mode: 'name', value: name });
const changes = () => mutations(sim).filter(([route]) => route.includes('/security/roles'));

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

describe('Role → Create', () => {
	it('creates a role with scopes, outputs what the server shows; again: unchanged, nothing sent; then made to match', async () => {
		const first = await h.run(create({ roleDescription: 'Read-only restores', scopes: JSON.stringify(SCOPES) }));
		expect(first.error).toBeUndefined();
		const role = first.json[0].role as IDataObject;
		expect(first.json[0]).toMatchObject({ action: 'created', role: { name: 'Auditors', description: 'Read-only restores', manageBackups: false, manageRestores: true, ...SCOPES, isBuiltIn: false } });
		expect(routeCount(sim, `POST ${ROLES}`)).toBe(1);

		const again = await h.run(create({ scopes: JSON.stringify(SCOPES) }));
		expect(again.json[0]).toMatchObject({ action: 'unchanged', role: { id: role.id } });
		expect(routeCount(sim, `POST ${ROLES}`)).toBe(1);
		expect(routeCount(sim, `PUT ${ROLES}/:id`)).toBe(0);

		const match = await h.run(create({ manageBackups: true }));
		expect(match.json[0]).toMatchObject({ action: 'updated', changed: ['manageBackups'], role: { id: role.id, manageBackups: true, ...SCOPES } });
		const skip = await h.run(create({ ifExists: 'skip' }));
		expect(skip.json[0]).toMatchObject({ action: 'unchanged', role: { manageBackups: true } });
		const error = await h.run(create({ ifExists: 'error' }));
		expect(error.error?.message).toBe(`Name (item 0): Veeam already has a custom role named "Auditors" (ID ${String(role.id)})`);
	});

	it('takes the whole role as JSON: the output of Get with details declares back unchanged', async () => {
		const made = await h.run(create({ scopes: JSON.stringify(SCOPES) }));
		const id = (made.json[0].role as IDataObject).id as string;
		const got = await h.run({ resource: 'role', operation: 'get', role: { __rl: true, mode: 'id', value: id }, withDetails: true });
		expect(got.json[0]).toEqual({ id, name: 'Auditors', description: '', manageBackups: false, manageRestores: true, ...SCOPES, isBuiltIn: false });
		const back = await h.run({ resource: 'role', operation: 'create', defineWith: 'json', roleJson: JSON.stringify(got.json[0]) });
		expect(back.json[0]).toMatchObject({ action: 'unchanged' });
		expect(routeCount(sim, `PUT ${ROLES}/:id`)).toBe(0);
	});
});

describe('Role → Update, Clone', () => {
	it('updates a custom role (a scope not given is kept); a built-in role is refused before sending', async () => {
		await h.run(create({ scopes: JSON.stringify(SCOPES) }));
		const run = await h.run({ resource: 'role', operation: 'update', role: roleByName('Auditors'), roleName: 'Auditors 2', roleDescription: 'x', manageRestores: true });
		expect(run.json[0]).toMatchObject({ action: 'updated', changed: ['name', 'description'], role: { name: 'Auditors 2', description: 'x', ...SCOPES }, before: { name: 'Auditors' } });
		const before = changes().length;
		const builtIn = await h.run({ resource: 'role', operation: 'update', role: roleByName('Restore Operator'), roleName: 'Restore Operator', manageRestores: true });
		expect(builtIn.error?.message).toBe('Role (item 0): "Restore Operator" is a built-in role: Veeam lets no one change it');
		expect(changes().length).toBe(before);
	});

	it('clones as <name>_Clone, then renames when a new name is given; a taken name is refused before sending', async () => {
		await h.run(create({ scopes: JSON.stringify(SCOPES) }));
		const plain = await h.run({ resource: 'role', operation: 'clone', role: roleByName('Auditors') });
		expect(plain.json[0]).toMatchObject({ action: 'cloned', role: { name: 'Auditors_Clone', ...SCOPES }, clonedFrom: { name: 'Auditors' } });
		const again = await h.run({ resource: 'role', operation: 'clone', role: roleByName('Auditors') });
		expect(again.error?.message).toMatch(/^Role \(item 0\): Veeam already has a role named "Auditors_Clone"/);
		await h.run({ resource: 'role', operation: 'delete', role: roleByName('Auditors_Clone') });
		const renamed = await h.run({ resource: 'role', operation: 'clone', role: roleByName('Auditors'), newName: 'Auditors EU' });
		expect(renamed.json[0]).toMatchObject({ action: 'cloned', role: { name: 'Auditors EU', manageRestores: true, ...SCOPES } });
		expect(routeCount(sim, `POST ${ROLES}/:id/clone`)).toBe(2);
	});
});

describe('Role → Delete', () => {
	it('deletes an unused role (read back 404); absent afterwards; a built-in role is refused before sending', async () => {
		await h.run(create());
		const run = await h.run({ resource: 'role', operation: 'delete', role: roleByName('Auditors') });
		expect(run.json[0]).toMatchObject({ action: 'deleted', role: { name: 'Auditors' } });
		expect((await h.run({ resource: 'role', operation: 'delete', role: roleByName('Auditors') })).json[0]).toMatchObject({ action: 'absent' });
		const builtIn = await h.run({ resource: 'role', operation: 'delete', role: { __rl: true, mode: 'id', value: ROLE_IDS.restoreOperator } });
		expect(builtIn.error?.message).toBe('Role (item 0): "Restore Operator" is a built-in role: Veeam lets no one delete it');
		expect(routeCount(sim, `DELETE ${ROLES}/:id`)).toBe(1);
	});

	it('a held role is refused naming its holders, nothing sent; with Remove From Holders First it leaves them, never leaving one without a role', async () => {
		const role = (await h.run(create())).json[0].role as IDataObject;
		await h.run({ resource: 'user', operation: 'onboard', userName: 'TECH\\jane', roles: [String(role.id)] });
		const other = (await h.run(create({ roleName: 'Other' }))).json[0].role as IDataObject;
		await h.run({ resource: 'user', operation: 'onboard', userName: 'TECH\\bob', roles: [String(role.id), String(other.id)] });
		const refused = await h.run({ resource: 'role', operation: 'delete', role: roleByName('Auditors') });
		expect(refused.error?.message).toBe('Role (item 0): "Auditors" is still held by TECH\\bob, TECH\\jane: it is not deleted while someone holds it');
		expect(errorText(refused)).toContain('Remove From Holders First');
		const alone = await h.run({ resource: 'role', operation: 'delete', role: roleByName('Auditors'), removeFromHolders: true });
		expect(alone.error?.message).toBe('Remove From Holders First (item 0): TECH\\jane holds no other role than "Auditors": taking it would leave them without a role, which Veeam does not allow');
		expect(routeCount(sim, `DELETE ${ROLES}/:id`) + routeCount(sim, `PUT ${USERS}/:id/roles`)).toBe(0);

		await h.run({ resource: 'user', operation: 'offboard', user: byName('TECH\\jane') });
		const done = await h.run({ resource: 'role', operation: 'delete', role: roleByName('Auditors'), removeFromHolders: true });
		expect(done.json[0]).toMatchObject({ action: 'deleted' });
		expect(simUser(sim, 'TECH\\bob')?.roles.map((r) => r.name)).toEqual(['Other']);
	});

	it('under four-eyes a refused DELETE (403) names four-eyes and the console step; the role stays', async () => {
		await h.run(create());
		product().authorization.setFourEyes(true, 'VBR01\\security');
		const run = await h.run({ resource: 'role', operation: 'delete', role: roleByName('Auditors') });
		expect(run.error?.message).toMatch(/^Four-eyes authorization is on, and Veeam refused to delete "Auditors" through the REST API \(Veeam answered 403/);
		expect(errorText(run)).toContain('Delete "Auditors" in the Veeam console (Users and Roles)');
		expect(product().snapshot().roles).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Auditors' })]));
	});
});

describe('Role → Get Many: Built-In / Custom', () => {
	it('lists only the kind asked for (isBuiltInFilter, checked on the answer)', async () => {
		await h.run(create());
		const custom = await h.run({ resource: 'role', operation: 'getMany', returnAll: true, roleKind: 'custom' });
		expect(custom.json).toEqual([expect.objectContaining({ name: 'Auditors', isBuiltIn: false })]);
		const builtIn = await h.run({ resource: 'role', operation: 'getMany', returnAll: true, roleKind: 'builtIn' });
		expect(builtIn.json.length).toBe(7);
		expect(builtIn.json.every((r) => r.isBuiltIn === true)).toBe(true);
	});
});
