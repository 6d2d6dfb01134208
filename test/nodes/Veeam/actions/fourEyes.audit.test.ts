/**
 * Four-eyes (VBR) under the server behaviours an independent audit found the node reporting falsely
 * (/tmp/team/audit-vbr-authorization.md, B1–B18; its probes were the start of these tests): Veeam's
 * published event wording (event 42402, `syslog` / `syslogNamed`), `createdBy` in another form, two
 * items about one user in one run, Get Many's filters on a server that ignores them, an odd event
 * in a list, a rerun with other roles. The rule: never report a change the server does not show.
 */
import type { IDataObject } from 'n8n-workflow';

import type { SimServer } from '../../../../sim';
import type { VbrProduct } from '../../../../sim/vbr/product';
import { USERS, VeeamFixture, byName, routeCount, simUser, useSimulator } from '../fixtures';

let sim: SimServer;
let h: VeeamFixture;
const authorization = () => (sim.product as unknown as VbrProduct).authorization;
const pending = () => (authorization().dump() as Array<{ state: string; name: string; description: string; createdBy: string }>).filter((e) => e.state === 'Pending');
const EVENTS = '/api/v1/authorization/events';
const SHEILA = 'TECH\\sheila.d.cory'; // Restore Operator
const OWN = 'VBR01\\svc-n8n';
const resetMfa = { resource: 'user', operation: 'resetMfa', user: byName(SHEILA) };
const onboard = { resource: 'user', operation: 'onboard', userName: '={{ $json.name }}', roles: ['Restore Operator'] };
const approval = (j: IDataObject) => j.approval as IDataObject | undefined;

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

const fourEyes = (wording: 'description' | 'name' | 'none' | 'syslog' | 'syslogNamed' = 'description') => {
	authorization().configure({ wording, deletes: 'hold' });
	authorization().setFourEyes(true, 'VBR01\\security');
};

describe('Reset MFA (nothing on the user shows it) is never "done" only because no request matched', () => {
	it("held, events worded as Veeam's event reference words them (\"Other operations event has been initiated by … and requires an additional approval\"): pendingApproval", async () => {
		fourEyes('syslog');
		const run = await h.run(resetMfa);
		expect(run.json).toEqual([expect.objectContaining({ action: 'pendingApproval', requested: 'mfaReset', approval: expect.objectContaining({ name: 'Other operations', matchedBy: 'onlyPendingRequestSinceChange' }) })]);
	});

	it('held, and VBR writes the requester with its FQDN domain (vbr01.tech.local\\svc-n8n): still this account\'s request', async () => {
		fourEyes();
		authorization().createdByDomain = 'vbr01.tech.local';
		const run = await h.run(resetMfa);
		expect(run.json).toEqual([expect.objectContaining({ action: 'pendingApproval', approval: expect.objectContaining({ createdBy: 'vbr01.tech.local\\svc-n8n', matchedBy: 'description' }) })]);
	});

	it('held, and no request of this account can be recognised: mfaResetSent, confirmed false, with a note (never mfaReset)', async () => {
		fourEyes();
		authorization().createdByDomain = 'OTHER';
		const run = await h.run(resetMfa);
		expect(run.json).toEqual([expect.objectContaining({ action: 'mfaResetSent', confirmed: false, note: expect.stringMatching(/whether it is done or waits for approval cannot be seen/) })]);
		expect(pending()).toHaveLength(1);
	});

	it('four-eyes off: done when the server records it (an event of this account naming the user); sent, unconfirmed, when its events name nobody', async () => {
		expect((await h.run(resetMfa)).json).toEqual([expect.objectContaining({ action: 'mfaReset' })]);
		sim.reset();
		h.resetCredential();
		authorization().configure({ wording: 'syslog' });
		expect((await h.run(resetMfa)).json).toEqual([expect.objectContaining({ action: 'mfaResetSent', confirmed: false })]);
	});
});

describe("Veeam's wording and the credential's own account", () => {
	it('a role change held as "Update user <Name>" (event 42402 template) is matched by the name, not failed', async () => {
		fourEyes('syslogNamed');
		const run = await h.run({ resource: 'user', operation: 'promote', user: byName(SHEILA), roleMode: 'replace', roles: ['Backup Operator'] });
		expect(run.error).toBeUndefined();
		expect(run.json).toEqual([expect.objectContaining({ action: 'pendingApproval', approval: expect.objectContaining({ name: `Update user ${SHEILA}`, matchedBy: 'name' }) })]);
	});

	it("a change to the credential's own account does not take an unrelated request of the account (its name is the requester's in the description)", async () => {
		fourEyes('syslog');
		const settings = 'Update Veeam Backup & Replication security settings';
		authorization().change({ name: settings, description: `${settings} event has been initiated by ${OWN} and requires an additional approval.` }, OWN, () => undefined);
		const run = await h.run({ resource: 'user', operation: 'setServiceAccountMode', user: byName(OWN), isServiceAccount: false });
		expect(run.json[0]).not.toMatchObject({ alreadyPending: true });
		expect(routeCount(sim, `POST ${USERS}/:id/changeServiceAccountMode`)).toBe(1);
		expect(approval(run.json[0])?.name).not.toBe(settings);
	});
});

describe('two items about one user in one run: every change read back, never an as-if-done answer taken as the server', () => {
	it('Promote twice (add two roles), both held: neither says updated', async () => {
		fourEyes();
		const run = await h.run({ resource: 'user', operation: 'promote', user: byName(SHEILA), roleMode: 'add', roles: '={{ $json.r }}' }, [{ r: ['Backup Operator'] }, { r: ['Tape Operator'] }]);
		expect(run.error).toBeUndefined();
		expect(run.json.map((j) => j.action)).toEqual(['pendingApproval', 'pendingApproval']);
		expect(simUser(sim, SHEILA)?.roles.map((r) => r.name)).toEqual(['Restore Operator']);
	});

	it('Promote twice without four-eyes: both updated (the second started from the first, as read from the server)', async () => {
		const run = await h.run({ resource: 'user', operation: 'promote', user: byName(SHEILA), roleMode: 'add', roles: '={{ $json.r }}' }, [{ r: ['Backup Operator'] }, { r: ['Tape Operator'] }]);
		expect(run.error).toBeUndefined();
		expect(run.json.map((j) => [j.action, j.after])).toEqual([
			['updated', ['Restore Operator', 'Backup Operator']],
			['updated', ['Restore Operator', 'Backup Operator', 'Tape Operator']],
		]);
	});

	it('Onboard of one new user twice, held: never "unchanged" with a user the server does not have', async () => {
		fourEyes();
		const run = await h.run(onboard, [{ name: 'TECH\\jane' }, { name: 'TECH\\jane' }]);
		expect(run.error).toBeUndefined();
		expect(simUser(sim, 'TECH\\jane')).toBeUndefined();
		expect(run.json.map((j) => j.action)).toEqual(['pendingApproval', 'pendingApproval']);
		// The second found the first's request (read again, not the read from before the first).
		expect(run.json[1]).toMatchObject({ alreadyPending: true });
		expect(pending()).toHaveLength(1);
	});

	it('Offboard of a held user twice: never "absent" while the user is on the server', async () => {
		fourEyes();
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byName(SHEILA) }, [{}, {}]);
		expect(run.error).toBeUndefined();
		expect(simUser(sim, SHEILA)).toBeDefined();
		expect(run.json.map((j) => j.action)).toEqual(['pendingApproval', 'pendingApproval']);
		expect(run.json[1]).toMatchObject({ alreadyPending: true });
	});

	it('Offboard twice without four-eyes: deleted, then absent', async () => {
		const run = await h.run({ resource: 'user', operation: 'offboard', user: byName(SHEILA) }, [{}, {}]);
		expect(run.json.map((j) => j.action)).toEqual(['deleted', 'absent']);
	});
});

describe('Authorization Event → Get Many: its filters hold whatever the server does', () => {
	it('a server that ignores stateFilter, createdByFilter, createdAfterFilter and nameFilter: only what was asked for', async () => {
		fourEyes();
		await h.run(onboard, [{ name: 'TECH\\jane' }]);
		sim.addFault({ kind: 'ignoreQuery', params: ['stateFilter', 'createdByFilter', 'nameFilter'], method: 'GET', pathIncludes: EVENTS, count: 5 });
		const run = await h.run({ resource: 'authorizationEvent', operation: 'getMany', returnAll: true, eventFilters: { states: ['Pending'], createdBy: 'vbr01\\SVC-N8N', pattern: '*jane*' } });
		expect(run.error).toBeUndefined();
		expect(run.json.map((e) => [e.state, e.createdBy])).toEqual([['Pending', OWN]]);
		sim.addFault({ kind: 'ignoreQuery', params: ['createdAfterFilter'], method: 'GET', pathIncludes: EVENTS, count: 5 });
		const later = await h.run({ resource: 'authorizationEvent', operation: 'getMany', returnAll: true, eventFilters: { createdAfter: '2999-01-01T00:00:00Z' } });
		expect(later.json).toEqual([]);
	});

	it('Created By without a domain is a filter on the name in any domain (a server that applies it so keeps its answer)', async () => {
		fourEyes();
		await h.run(onboard, [{ name: 'TECH\\jane' }]);
		sim.addFault({ kind: 'ignoreQuery', params: ['createdByFilter'], method: 'GET', pathIncludes: EVENTS, count: 5 });
		const run = await h.run({ resource: 'authorizationEvent', operation: 'getMany', returnAll: true, eventFilters: { createdBy: 'svc-n8n' } });
		expect(run.json.map((e) => e.createdBy)).toEqual([OWN]);
	});
});

describe('one odd event never fails the run', () => {
	const good = { id: '9a3f1c52-7b80-4e6a-bf21-1d4e8c0a5f33', name: 'Add user', description: 'User TECH\\jane: added.', state: 'Pending', creationTime: '2026-12-05T12:00:00Z', createdBy: OWN };
	const odd = [{ name: 'no id', state: 'Pending' }, { id: 'c7e21f08-3a44-4d19-8b6c-2f905ea1b7d4', state: 'Escalated' }, null];

	it('Get Many: an event without an ID is left out, an unknown state kept as the server wrote it, a missing field empty', async () => {
		sim.addFault({ kind: 'answer', status: 200, method: 'GET', pathIncludes: EVENTS, body: { data: [good, ...odd], pagination: { total: 4, count: 4, skip: 0, limit: 200 } } });
		const run = await h.run({ resource: 'authorizationEvent', operation: 'getMany', returnAll: true });
		expect(run.error).toBeUndefined();
		expect(run.json.map((e) => [e.id, e.state, e.name])).toEqual([
			[good.id, 'Pending', 'Add user'],
			['c7e21f08-3a44-4d19-8b6c-2f905ea1b7d4', 'Escalated', ''],
		]);
	});

	it('an Onboard held while the read-back list holds odd events: still pendingApproval, not a failed run', async () => {
		fourEyes();
		const real = (authorization() as unknown as { list: (req: unknown) => { body: { data: unknown[] } } }).list.bind(authorization());
		(authorization() as unknown as { list: unknown }).list = (req: unknown) => {
			const answer = real(req);
			answer.body.data.push(...odd);
			return answer;
		};
		try {
			const run = await h.run(onboard, [{ name: 'TECH\\jane' }]);
			expect(run.error).toBeUndefined();
			expect(run.json).toEqual([expect.objectContaining({ action: 'pendingApproval', approval: expect.objectContaining({ matchedBy: 'description' }) })]);
		} finally {
			(authorization() as unknown as { list: unknown }).list = real;
		}
	});
});

describe('a rerun with other roles while a roles request waits', () => {
	it('says the waiting request may bring other roles: what is wanted, never `after`', async () => {
		fourEyes();
		await h.run({ resource: 'user', operation: 'promote', user: byName(SHEILA), roleMode: 'replace', roles: ['Backup Operator'] });
		const again = await h.run({ resource: 'user', operation: 'promote', user: byName(SHEILA), roleMode: 'replace', roles: ['Backup Viewer'] });
		expect(again.json[0]).toMatchObject({ action: 'pendingApproval', alreadyPending: true, wanted: { roles: ['Backup Viewer'] }, note: expect.stringMatching(/may differ from what this item asks/) });
		expect(again.json[0]).not.toHaveProperty('after');
	});
});
