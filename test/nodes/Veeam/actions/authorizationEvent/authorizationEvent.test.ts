import type { INodeParameters } from 'n8n-workflow';

import type { SimServer } from '../../../../../sim';
import type { VbrProduct } from '../../../../../sim/vbr/product';
import { VeeamFixture, routeCount, useSimulator } from '../../fixtures';

let sim: SimServer;
let h: VeeamFixture;
const authorization = () => (sim.product as unknown as VbrProduct).authorization;

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

const EVENTS = '/api/v1/authorization/events';
const getMany = (eventFilters: INodeParameters = {}, extra: INodeParameters = {}): INodeParameters => ({
	resource: 'authorizationEvent',
	operation: 'getMany',
	returnAll: true,
	eventFilters,
	...extra,
});
const onboard = { resource: 'user', operation: 'onboard', userName: '={{ $json.name }}', roles: ['Restore Operator'] };

describe('Authorization Event → Get Many / Get (VBR)', () => {
	it('lists who changed what: the node’s own onboarding appears as Info events by its account', async () => {
		expect((await h.run(onboard, [{ name: 'TECH\\jane' }, { name: 'TECH\\raj' }])).error).toBeUndefined();
		const run = await h.run(getMany());
		expect(run.error).toBeUndefined();
		expect(run.json.map((e) => [e.state, e.name, e.createdBy]).sort()).toEqual([
			['Info', 'Add user', 'VBR01\\svc-n8n'],
			['Info', 'Add user', 'VBR01\\svc-n8n'],
		]);
		expect(run.json[0]).toEqual({
			id: expect.stringMatching(/^[0-9a-f-]{36}$/),
			name: 'Add user',
			description: expect.stringMatching(/^User TECH\\(jane|raj): added with the roles Restore Operator\.$/),
			state: 'Info',
			createdBy: 'VBR01\\svc-n8n',
			creationTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
		});
		const one = await h.run({ resource: 'authorizationEvent', operation: 'get', eventId: String(run.json[1].id) });
		expect(one.json).toEqual([run.json[1]]);
	});

	it('filters by state, creator, time and text on the server, and honours Limit', async () => {
		authorization().setFourEyes(true, 'VBR01\\security');
		await h.run(onboard, [{ name: 'TECH\\a' }, { name: 'TECH\\b' }, { name: 'TECH\\c' }], { continueOnFail: true });
		const pending = await h.run(getMany({ states: ['Pending'], createdBy: 'VBR01\\svc-n8n' }));
		expect(pending.json).toHaveLength(3);
		expect(sim.stats.recent.filter((r) => r.startsWith(`GET ${EVENTS}?`)).at(-1)).toMatch(/stateFilter=Pending&createdByFilter=VBR01%5Csvc-n8n/);
		expect((await h.run(getMany({ states: ['Info', 'Pending'] }))).json).toHaveLength(4);
		expect((await h.run(getMany({ pattern: '*TECH\\b*' }))).json.map((e) => e.description)).toEqual(['User TECH\\b: added with the roles Restore Operator.']);
		expect((await h.run(getMany({ createdAfter: new Date(Date.now() + 60_000).toISOString() }))).json).toEqual([]);
		expect((await h.run(getMany({}, { returnAll: false, limit: 2 }))).json).toHaveLength(2);
	});

	it('refuses bad input naming the field and the item, before any request', async () => {
		const cases: Array<[INodeParameters, RegExp]> = [
			[{ resource: 'authorizationEvent', operation: 'get', eventId: 'not-a-uuid' }, /^Event ID \(item 0\): "not-a-uuid" is not an event ID/],
			[getMany({ createdAfter: 'yesterday-ish' }), /^Created After \(item 0\): "yesterday-ish" is not a date and time/],
			[getMany({ states: ['Waiting'] }), /^States \(item 0\): must be a list of Pending, Approved/],
		];
		for (const [parameters, message] of cases) {
			sim.stats.reset();
			const run = await h.run(parameters);
			expect(run.error?.name).toBe('NodeOperationError');
			expect(run.error?.message).toMatch(message);
			expect(routeCount(sim, `GET ${EVENTS}`)).toBe(0);
		}
		const missing = await h.run({ resource: 'authorizationEvent', operation: 'get', eventId: '00000000-0000-4000-8000-000000000000' });
		expect(missing.error?.message).toBe('Event ID (item 0): no authorization event with ID 00000000-0000-4000-8000-000000000000 on this server');
	});
});
