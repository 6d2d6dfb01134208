/**
 * Role changes held by four-eyes authorization (the simulator's `accessControl.roleChanges:
 * 'asUserChanges'`, the behaviour Veeam's pages do not state: decision 2) are `pendingApproval`,
 * never reported as done, and not filed again while they wait; custom roles on a server that speaks
 * only 1.3-rev1 (pinned, or found by Automatic) and on other products are refused clearly.
 */
import type { IDataObject, INodePropertyOptions } from 'n8n-workflow';

import { Veeam } from '../../../../../nodes/Veeam/Veeam.node';

import { startSimulator, type SimServer } from '../../../../../sim';
import type { VbrProduct } from '../../../../../sim/vbr/product';
import { ROLES, VbgcFixture, VeeamFixture, mutations, routeCount, useSimulator } from '../../fixtures';

let sim: SimServer;
let h: VeeamFixture;
const product = () => sim.product as unknown as VbrProduct;
const create = (extra: IDataObject = {}) => ({ resource: 'role', operation: 'create', roleName: 'Auditors', manageRestores: true, ...extra });
const roleByName = (name: string) => ({ __rl: true, mode: 'name', value: name });
const pending = () => (product().authorization.dump() as Array<{ id: string; name: string; state: string }>).filter((e) => e.state === 'Pending');
const approveAll = () => {
	for (const e of pending()) product().authorization.approve(e.id, 'VBR01\\admin');
};

useSimulator({ product: 'vbr', vbr: { accessControl: { roleChanges: 'asUserChanges' } } }, (server, fixture) => {
	sim = server;
	h = fixture;
});

describe('role changes held by four-eyes', () => {
	it('Create: pendingApproval with the request, not sent again while it waits; created once approved', async () => {
		product().authorization.setFourEyes(true, 'VBR01\\security');
		const run = await h.run(create());
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ action: 'pendingApproval', requested: 'created', approval: { name: 'Add role', matchedBy: 'description' } });
		expect(routeCount(sim, `POST ${ROLES}`)).toBe(1);

		const again = await h.run(create());
		expect(again.json[0]).toMatchObject({ action: 'pendingApproval', alreadyPending: true });
		expect(routeCount(sim, `POST ${ROLES}`)).toBe(1);

		approveAll();
		expect((await h.run(create())).json[0]).toMatchObject({ action: 'unchanged', role: { name: 'Auditors' } });
	});

	it('Update and Delete: pendingApproval, the server unchanged until approved', async () => {
		await h.run(create());
		product().authorization.setFourEyes(true, 'VBR01\\security');
		product().authorization.configure({ deletes: 'hold' });
		const update = await h.run(create({ manageBackups: true }));
		expect(update.json[0]).toMatchObject({ action: 'pendingApproval', requested: 'updated', role: { manageBackups: false }, approval: { name: 'Change role' } });
		const remove = await h.run({ resource: 'role', operation: 'delete', role: roleByName('Auditors') });
		expect(remove.json[0]).toMatchObject({ action: 'pendingApproval', requested: 'deleted', approval: { name: 'Delete role' } });
		expect(product().snapshot().roles).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Auditors' })]));
		approveAll();
		const gone = await h.run({ resource: 'role', operation: 'delete', role: roleByName('Auditors') });
		expect(gone.json[0]).toMatchObject({ action: 'absent' });
	});
});

describe('Delete with Remove From Holders First under four-eyes', () => {
	it('the holders\' role changes are held: pendingApproval naming them, the role not deleted', async () => {
		const role = (await h.run(create())).json[0].role as IDataObject;
		const other = (await h.run(create({ roleName: 'Other' }))).json[0].role as IDataObject;
		// A custom and a built-in role are never mixed on one user: two custom roles.
		expect((await h.run({ resource: 'user', operation: 'onboard', userName: 'TECH\\bob', roles: [String(role.id), String(other.id)] })).json[0]).toMatchObject({ action: 'created' });
		product().authorization.setFourEyes(true, 'VBR01\\security');
		const run = await h.run({ resource: 'role', operation: 'delete', role: roleByName('Auditors'), removeFromHolders: true });
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ action: 'pendingApproval', requested: 'deleted', holders: ['TECH\\bob'] });
		expect(routeCount(sim, `DELETE ${ROLES}/:id`)).toBe(0);
		expect(product().snapshot().roles).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'Auditors' })]));
		// Run again while it waits: the holder's change is not filed twice.
		const puts = routeCount(sim, 'PUT /api/v1/security/users/:id/roles');
		expect((await h.run({ resource: 'role', operation: 'delete', role: roleByName('Auditors'), removeFromHolders: true })).json[0]).toMatchObject({ action: 'pendingApproval' });
		expect(routeCount(sim, 'PUT /api/v1/security/users/:id/roles')).toBe(puts);
		// Approved: the holder is free, and the role's own DELETE meets four-eyes' refusal of REST deletes.
		approveAll();
		const last = await h.run({ resource: 'role', operation: 'delete', role: roleByName('Auditors'), removeFromHolders: true });
		expect(last.error?.message).toMatch(/^Four-eyes authorization is on, and Veeam refused to delete "Auditors"/);
		expect(routeCount(sim, 'PUT /api/v1/security/users/:id/roles')).toBe(puts);
	});
});

describe('custom roles need VBR 13.1 (REST 1.3-rev2)', () => {
	const message = 'Custom roles need Veeam Backup & Replication 13.1 (REST API 1.3-rev2); this server speaks 1.3-rev1';

	it('pinned 1.3-rev1: a clear error before any request', async () => {
		h.resetCredential({ apiVersion: '1.3-rev1' });
		for (const params of [create(), { resource: 'role', operation: 'getMany', returnAll: true, roleKind: 'custom' }, { resource: 'role', operation: 'delete', role: roleByName('x') }]) {
			const run = await h.run(params);
			expect(run.error?.message).toBe(message);
		}
		expect(sim.stats.byRoute).toEqual({});
	});

	it('Automatic on a server that serves only 1.3-rev1: the same error once the version is known, nothing changed', async () => {
		sim.serveVersions(['1.3-rev1']);
		try {
			h.resetCredential({ apiVersion: 'auto' });
			const run = await h.run(create());
			expect(run.error?.message).toBe(message);
			expect(mutations(sim)).toEqual([]);
			// Once the version is kept with the token: refused before any request.
			const before = routeCount(sim, `GET ${ROLES}`);
			expect((await h.run(create())).error?.message).toBe(message);
			expect(routeCount(sim, `GET ${ROLES}`)).toBe(before);
		} finally {
			sim.serveVersions(['1.3-rev1', '1.3-rev2']);
		}
	});

	it('another product: the error names it, nothing sent (the operations are hidden there in the editor)', async () => {
		const vbgc = await startSimulator({ product: 'vbgc' });
		try {
			const g = new VbgcFixture(vbgc);
			for (const operation of ['create', 'update', 'clone', 'delete']) {
				const run = await g.run({ ...create(), operation, role: roleByName('Auditors') }, [{}], { continueOnFail: true });
				expect(run.json[0].error).toBe(`Operation (item 0): Role → ${operation[0].toUpperCase()}${operation.slice(1)} is for custom roles of Veeam Backup & Replication 13.1; Veeam Backup for Google Cloud has none`);
			}
			expect(mutations(vbgc)).toEqual([]);
		} finally {
			await vbgc.close();
		}
	});
});

describe('the editor shows the custom-role operations for Veeam Backup & Replication only', () => {
	it('Create, Update, Clone and Delete are hidden for the other products', () => {
		const { description } = new Veeam();
		const operation = description.properties.find((p) => p.name === 'operation' && (p.displayOptions?.show?.resource as unknown[] | undefined)?.includes('role'));
		const shownFor = (product: string) =>
			((operation?.options ?? []) as INodePropertyOptions[])
				.filter((o) => !o.displayOptions || (o.displayOptions.show?.product as unknown[]).includes(product))
				.map((o) => String(o.value))
				.sort();
		expect(shownFor('vbr')).toEqual(['clone', 'create', 'delete', 'get', 'getMany', 'update']);
		for (const product of ['vbgc', 'aws', 'azure']) expect(shownFor(product)).toEqual(['get', 'getMany']);
	});
});
