import type { SimServer } from '../../../../../sim';
import { ROLES, VeeamFixture, routeCount, useSimulator } from '../../fixtures';

let sim: SimServer;
let h: VeeamFixture;

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

describe('Role → Get Many', () => {
	it('lists all seven built-in roles, one item each', async () => {
		const run = await h.run({ resource: 'role', operation: 'getMany', returnAll: true });
		expect(run.json.map((r) => r.name)).toEqual([
			'Backup Administrator',
			'Backup Operator',
			'Backup Viewer',
			'Incident API Operator',
			'Restore Operator',
			'Security Administrator',
			'Tape Operator',
		]);
		expect(Object.keys(run.json[0]).sort()).toEqual(['description', 'id', 'name']);
		expect(routeCount(sim, `GET ${ROLES}`)).toBe(1);
	});

	it('returns up to the limit, and looks the roles up once for many items', async () => {
		const run = await h.run({ resource: 'role', operation: 'getMany', limit: 2 }, [{}, {}, {}]);
		expect(run.items.map((i) => [i.json.name, i.pairedItem])).toEqual([
			['Backup Administrator', { item: 0 }],
			['Backup Operator', { item: 0 }],
			['Backup Administrator', { item: 1 }],
			['Backup Operator', { item: 1 }],
			['Backup Administrator', { item: 2 }],
			['Backup Operator', { item: 2 }],
		]);
		expect(routeCount(sim, `GET ${ROLES}`)).toBe(1);
	});
});
