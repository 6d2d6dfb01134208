/**
 * The matcher of four-eyes requests to user changes (client/adapters/authorizationEvents.ts), on
 * its own: where the user's name may appear, the kind of change from the event's words, and never a
 * guess when no event names the user.
 */
import { eventKinds, matchRequests, namedIn, requestNaming, type AuthorizationEvent } from '../../../../client/adapters/authorizationEvents';

let n = 0;
const event = (name: string, description = '', creationTime = '2026-12-05T12:00:00Z'): AuthorizationEvent => ({
	id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
	name,
	description,
	state: 'Pending',
	createdBy: 'VBR01\\svc-n8n',
	creationTime,
});
const all = () => true;

describe('four-eyes matcher', () => {
	it('finds the user in the event name or description, never a longer name that starts with it', () => {
		expect(namedIn(event('Add user TECH\\jane'), 'TECH\\jane')).toBe('name');
		expect(namedIn(event('Add user', 'User TECH\\jane: added.'), 'tech\\JANE')).toBe('description');
		expect(namedIn(event('Add user TECH\\jane.doe', 'User TECH\\jane.doe: added.'), 'TECH\\jane')).toBeUndefined();
		expect(namedIn(event('Four-eyes authorization request', 'A four-eyes authorization request requires approval by a second administrator'), 'TECH\\jane')).toBeUndefined();
	});

	it('reads the kind from the name first, the description when the name says none', () => {
		expect([...eventKinds(event('Add user', 'User X: added with the roles Restore Operator.'))]).toEqual(['create']);
		expect([...eventKinds(event('Request', 'Delete user TECH\\x'))]).toEqual(['delete']);
		expect([...eventKinds(event('Change user roles'))]).toEqual(['roles']);
		expect([...eventKinds(event('Change user settings'))]).toEqual(['serviceAccount']);
		expect([...eventKinds(event('Reset user MFA'))]).toEqual(['mfa']);
		expect(eventKinds(event('Encryption password disclosure', 'A request to disclose the encryption password requires approval')).size).toBe(0);
	});

	it('a request naming the user but of another kind is not it; before sending, only a request that says the same kind counts', () => {
		const del = event('Delete user TECH\\jane');
		const vague = event('Four-eyes request', 'About TECH\\jane');
		expect(requestNaming([del], 'TECH\\jane', 'create', false)).toBeUndefined();
		expect(requestNaming([vague], 'TECH\\jane', 'create', false)).toEqual({ event: vague, matchedBy: 'description' });
		expect(requestNaming([vague], 'TECH\\jane', 'create', true)).toBeUndefined();
		expect(requestNaming([del, vague], 'TECH\\jane', 'delete', true)).toEqual({ event: del, matchedBy: 'name' });
	});

	it('naming no user: the only new request of a fitting kind, told apart by kind; several: ambiguous; one naming another user of the run is never taken', () => {
		const add = event('Add user');
		const roles = event('Change user roles');
		const changes = [
			{ name: 'TECH\\jane', kind: 'create' as const },
			{ name: 'TECH\\sheila', kind: 'roles' as const },
		];
		expect(matchRequests(changes, [add, roles], all)).toEqual(
			new Map([
				[0, { event: add, matchedBy: 'onlyPendingRequestSinceChange' }],
				[1, { event: roles, matchedBy: 'onlyPendingRequestSinceChange' }],
			]),
		);
		// Not new since the change: not this change's.
		expect(matchRequests(changes, [add, roles], (e) => e.id !== add.id).get(0)).toBeUndefined();
		// Two creates, two requests naming nobody: which is which cannot be told.
		const add2 = event('Add user');
		const two = matchRequests([changes[0], { name: 'TECH\\raj', kind: 'create' }], [add, add2], all);
		expect(two.get(0)).toEqual({ ambiguous: expect.arrayContaining([add, add2]) });
		expect(two.get(1)).toEqual({ ambiguous: expect.arrayContaining([add, add2]) });
		// A request that names raj (another user of the run, shown done) is not jane's.
		expect(matchRequests([changes[0]], [event('Add user TECH\\raj')], all, ['TECH\\jane', 'TECH\\raj']).get(0)).toBeUndefined();
		// Without an exact "new since": listed, not picked.
		expect(matchRequests([changes[0]], [add], all, undefined, false).get(0)).toEqual({ ambiguous: [add] });
	});
});
