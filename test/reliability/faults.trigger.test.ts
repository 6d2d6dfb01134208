/**
 * Fault suite (Veeam Trigger, every product: VBR, VBGC, AWS, Azure): after a baseline, users are added, changed and
 * removed in the console; then a poll runs while the simulator misbehaves, and another one after.
 * A poll either emits exactly the changes (and the next one nothing: no duplicate), or fails
 * clearly and emits nothing, and the next poll emits exactly the changes (no event lost). Same
 * faults and rule as the node suites (faultTable.ts); prints the table and `N passed, N failed`.
 */
import type { Product, SimServer } from '../../sim';
import { startSimulator } from '../../sim';
import { shutdownEngine, type PollResult } from '../support/engine';
import { activate, adminFor, credentialsFor, serverUsers, summary, type Admin } from '../nodes/VeeamTrigger/harness';
import { FaultTable, standardFaults } from './faultTable';

/** The products this suite covers (VSPC has its own file: faults.trigger.vspc.test.ts). */
type Covered = Exclude<Product, 'vspc' | 'vb365'>;

const ROLES: Record<Covered, { low: string; high: string }> = {
	vbr: { low: 'b167c3af-2262-4b6c-9861-0606fc0cb6b1', high: '5ff0e0eb-45cf-48cc-9677-7613fc79bc11' },
	vbgc: { low: 'c082aeb7-6c99-4fcc-afaf-360573eff45c', high: '3aa715c3-17b3-45b8-9e0b-c61743bf84d1' },
	aws: { low: 'RestoreOperator', high: 'PortalAdministrator' },
	azure: { low: 'RestoreOperator', high: 'PortalAdmin' },
};
const CHANGES: Record<Covered, { add: string; promote: string; remove: string }> = {
	vbr: { add: 'TECH\\new.hire', promote: 'TECH\\sheila.d.cory', remove: 'VBR01\\viewer' },
	// Names VBGC and AWS accept (their user guides): lower-case letters, digits, `_` and `-`.
	vbgc: { add: 'new_hire', promote: 'restorer', remove: 'operator' },
	aws: { add: 'new_hire', promote: 'restorer', remove: 'operator' },
	azure: { add: 'new_hire', promote: 'restorer', remove: 'operator' },
};
const API_PATH: Record<Covered, string> = { vbr: '/security/', vbgc: '/api/v1/users', aws: '/api/v1/users', azure: '/api/v8.1/users' };
const PRODUCTS: Covered[] = ['vbr', 'vbgc', 'aws', 'azure'];
const OPERATION = (product: Product) => `${product} poll`;

const describeEvents = (result: PollResult) => summary(result).map(([event, name]) => `${event} ${name}`).sort();

const sims = new Map<Product, SimServer>();
const admins = new Map<Product, Admin>();
const tables = PRODUCTS.map((product) => {
	const faults = standardFaults(API_PATH[product]);
	return { product, faults, table: new FaultTable(`Veeam Trigger fault suite (${product})`, faults, [OPERATION(product)]) };
});

beforeAll(async () => {
	for (const product of PRODUCTS) {
		// Small pages: a poll lists users in several requests, so a fault can hit its middle.
		const pages = { maxPageSize: 2 };
		const sim = await startSimulator({ product, vbr: pages, vbgc: pages, aws: pages, azure: pages });
		sims.set(product, sim);
		admins.set(product, adminFor(sim));
	}
});

afterAll(async () => {
	await Promise.all([...sims.values()].map((sim) => sim.close()));
	await shutdownEngine();
	for (const { table } of tables) table.print();
});

describe.each(tables)('$product', ({ product, faults, table }) => {
	it.each(faults)('$name', async (fault) => {
		const sim = sims.get(product)!;
		const admin = admins.get(product)!;
		sim.reset();
		sim.faults.clear();
		await admin.login();
		const activation = activate(sim, product, { credentials: credentialsFor(sim, product, fault.credential ?? {}) });
		const baseline = await activation.poll();
		expect(baseline.error).toBeUndefined();

		// The console changes the poll must report.
		const change = CHANGES[product];
		const ref = (name: string) => [...serverUsers(sim).values()].find((u) => u.name === name)?.ref ?? name;
		await admin.addUser(change.add, [ROLES[product].low]);
		await admin.setRoles(ref(change.promote), [ROLES[product].high]);
		await admin.removeUser(ref(change.remove));
		const expected = [`rolesChanged ${change.promote}`, `userAdded ${change.add}`, `userRemoved ${change.remove}`].sort();

		const underFault = await fault.during(sim, () => activation.poll());
		sim.faults.clear();
		const next = await activation.poll();
		expect(next.error).toBeUndefined();

		const error = underFault.error ? `${underFault.error.message} ${(underFault.error as { description?: string }).description ?? ''}` : undefined;
		const row = table.record(fault, OPERATION(product), {
			error,
			// Completed: exactly the changes, and nothing twice.
			intended: describeEvents(underFault).join() === expected.join() && describeEvents(next).length === 0,
			// Failed: nothing emitted, and the next poll has every change.
			consistent: underFault.response === null && describeEvents(next).join() === expected.join(),
		});
		expect({ outcome: row.outcome, error, events: describeEvents(underFault), next: describeEvents(next) }).toMatchObject({
			outcome: expect.stringMatching(new RegExp(fault.accept.join('|'))),
		});
		expect(row.ok).toBe(true);
	});
});
