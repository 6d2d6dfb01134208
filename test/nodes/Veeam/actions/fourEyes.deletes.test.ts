/**
 * Deletes under VBR four-eyes authorization. Veeam's guide: while four-eyes authorization is on,
 * delete operations cannot be performed through the REST API. What VBR answers is not documented,
 * so Offboard and Sync → Apply say it plainly whatever the answer: the simulator's refusal (403
 * AccessDenied, wording assumed), other statuses and messages, or a pending request (held deletes:
 * fourEyes.test.ts). Never `absent`, never a bare 4xx. Four-eyes is named as the cause only when it
 * is known to be on (the answer says so, a pending request was seen, the events say it was turned
 * on); otherwise Veeam's refusal as it is (403: lack of privileges, Veeam's reference), four-eyes a hint.
 */
import type { SimServer } from '../../../../sim';
import { DELETE_REFUSED } from '../../../../sim/vbr/authorization';
import type { VbrProduct } from '../../../../sim/vbr/product';
import { USERS, VeeamFixture, byName, mutations, routeCount, simUser, useSimulator } from '../fixtures';

let sim: SimServer;
let h: VeeamFixture;
const authorization = () => (sim.product as unknown as VbrProduct).authorization;
const SHEILA = 'TECH\\sheila.d.cory';
const offboard = { resource: 'user', operation: 'offboard', user: byName(SHEILA) };
const NEXT_STEP = /^Delete "TECH\\sheila\.d\.cory" in the Veeam console \(Users and Roles\): with four-eyes authorization on, another Backup or Security Administrator then approves the request there/;

useSimulator({ product: 'vbr' }, (server, fixture) => {
	sim = server;
	h = fixture;
});

describe('Offboard under four-eyes: a refused delete says four-eyes and what to do next', () => {
	it('the simulator refuses (as Veeam\'s guide says): the item fails naming four-eyes, with the console as the next step; the user stays', async () => {
		authorization().setFourEyes(true, 'VBR01\\security');
		const run = await h.run(offboard);
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe(`Four-eyes authorization is on, and Veeam refused to delete "${SHEILA}" through the REST API (Veeam answered 403: "${DELETE_REFUSED}")`);
		expect(String((run.error as { description?: string }).description)).toMatch(NEXT_STEP);
		expect(simUser(sim, SHEILA)).toBeDefined();
		expect(routeCount(sim, `DELETE ${USERS}/:id`)).toBe(1); // refused once, not retried

		const lenient = await h.run(offboard, [{}], { continueOnFail: true });
		expect(lenient.json).toEqual([{ error: expect.stringMatching(/^Four-eyes authorization is on, and Veeam refused to delete "TECH\\sheila\.d\.cory"/) }]);
	});

	it.each([
		[400, { errorCode: 'UnexpectedContent', message: 'The operation cannot be performed.' }, /^Veeam refused to delete "TECH\\sheila\.d\.cory" \(Veeam answered 400: "The operation cannot be performed\."\)$/],
		[500, { errorCode: 'UnknownError', message: 'Operation requires four-eyes authorization approval.' }, /^Four-eyes authorization is on, and Veeam refused to delete "TECH\\sheila\.d\.cory" through the REST API \(Veeam answered 500: /],
		[500, { errorCode: 'UnknownError', message: '' }, /^Veeam refused to delete "TECH\\sheila\.d\.cory" \(Veeam answered 500\)$/],
		[403, { errorCode: 'AccessDenied', message: 'Forbidden' }, /^Veeam refused to delete "TECH\\sheila\.d\.cory" \(Veeam answered 403: "Forbidden"\) \(in Veeam's reference: the account lacks the privileges\)$/],
	])('four-eyes off, whatever VBR answers (%s %j): Veeam\'s refusal as it is (four-eyes only when the answer names it), never absent', async (status, body, message) => {
		sim.addFault({ kind: 'answer', status, method: 'DELETE', pathIncludes: USERS, body });
		const run = await h.run(offboard, [{}], { continueOnFail: true });
		expect(run.json).toEqual([{ error: expect.stringMatching(message) }]);
		expect(simUser(sim, SHEILA)).toBeDefined();
	});

	it('four-eyes off, a bare 403: the description gives four-eyes as a possibility, never as the cause; a 5xx never says "nothing was deleted"', async () => {
		sim.addFault({ kind: 'answer', status: 403, method: 'DELETE', pathIncludes: USERS, body: { errorCode: 'AccessDenied', message: 'Forbidden' } });
		const run = await h.run(offboard);
		const description = String((run.error as { description?: string }).description);
		expect(description).toMatch(/^Check the account's role .* If four-eyes authorization is on on this server, Veeam does not allow deletions through the REST API: Delete "TECH\\sheila\.d\.cory" in the Veeam console/);
		expect(description).toMatch(/Nothing was deleted\.$/);
		sim.reset();
		h.resetCredential();
		sim.addFault({ kind: 'answer', status: 500, method: 'DELETE', pathIncludes: USERS, body: { errorCode: 'UnknownError', message: '' } });
		const five = await h.run(offboard);
		expect(String((five.error as { description?: string }).description)).not.toMatch(/Nothing was deleted/);
	});

	it.each([
		['a pending request (of another account) was seen before the delete', () => {
			authorization().setFourEyes(true, 'VBR01\\security');
			authorization().change({ name: 'Add user', description: 'User TECH\\x: added.' }, 'VBR01\\admin', () => undefined);
			authorization().fourEyes = false;
		}],
		['the events say four-eyes was turned on (and no later event turned it off)', () => {
			authorization().setFourEyes(true, 'VBR01\\security');
			authorization().fourEyes = false;
		}],
	])('a bare 403 while four-eyes is known on (%s): four-eyes named as the cause', async (_why, arrange) => {
		arrange();
		sim.addFault({ kind: 'answer', status: 403, method: 'DELETE', pathIncludes: USERS, body: { errorCode: 'AccessDenied', message: 'Forbidden' } });
		const run = await h.run(offboard, [{}], { continueOnFail: true });
		expect(run.json).toEqual([{ error: expect.stringMatching(/^Four-eyes authorization is on, and Veeam refused to delete "TECH\\sheila\.d\.cory" through the REST API \(Veeam answered 403: "Forbidden"\)$/) }]);
	});

	it('the events say four-eyes was turned off last: a bare 403 is Veeam\'s refusal, not four-eyes\'', async () => {
		authorization().setFourEyes(true, 'VBR01\\security');
		authorization().setFourEyes(false, 'VBR01\\security');
		sim.addFault({ kind: 'answer', status: 403, method: 'DELETE', pathIncludes: USERS, body: { errorCode: 'AccessDenied', message: 'Forbidden' } });
		const run = await h.run(offboard, [{}], { continueOnFail: true });
		expect(run.json).toEqual([{ error: expect.stringMatching(/^Veeam refused to delete "TECH\\sheila\.d\.cory" \(Veeam answered 403/) }]);
	});

	it('a 404 is still "the user is gone" (absent), and a delete Veeam accepts is still deleted', async () => {
		const run = await h.run(offboard, [{}, {}]);
		expect(run.json.map((j) => j.action)).toEqual(['deleted', 'absent']);
	});
});

describe('Sync → Apply under four-eyes: a refused remove says four-eyes (known on: the answer names it)', () => {
	const sync = {
		resource: 'user',
		operation: 'sync',
		syncMode: 'apply',
		userName: '={{ $json.account }}',
		roles: '={{ $json.roles }}',
		scope: 'namePattern',
		scopePattern: 'TECH\\*',
		syncOptions: { maxRemovalPercent: 100 },
	};
	const list = [
		{ account: SHEILA, roles: ['Restore Operator'] },
		{ account: 'TECH\\jane.doe', roles: ['Backup Viewer'] },
	];

	it('the remove step fails naming four-eyes (with Continue On Fail in its output; without, the sync stops saying so)', async () => {
		authorization().configure({ deletes: 'refuse' });
		authorization().setFourEyes(true, 'VBR01\\security');
		const lenient = await h.run(sync, list, { continueOnFail: true });
		const remove = lenient.json.find((j) => j.action === 'remove');
		expect(remove).toMatchObject({ name: 'TECH\\Backup Operators', result: 'failed', error: expect.stringMatching(/^Four-eyes authorization is on, and Veeam refused to delete "TECH\\Backup Operators" through the REST API \(Veeam answered 403/) });
		expect(lenient.json.map((j) => j.result)).not.toContain('alreadyAbsent');

		const strict = await h.run(sync, list);
		expect(strict.error?.message).toMatch(/^Sync stopped at step \d+ of \d+ \(remove "TECH\\Backup Operators"\): Four-eyes authorization is on, and Veeam refused to delete "TECH\\Backup Operators" through the REST API/);
		expect(mutations(sim)).toEqual([]);
	});
});
