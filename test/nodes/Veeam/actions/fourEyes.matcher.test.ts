/**
 * The matcher of four-eyes requests to user changes (client/adapters/authorizationEvents.ts), on
 * its own: where the user's name may appear, the kind of change from the event's words, and never a
 * guess when no event names the user.
 */
import { bareLoginNote, eventKinds, kindFit, matchRequests, namedIn, requestNaming, sameAccount, type AuthorizationEvent } from '../../../../client/adapters/authorizationEvents';

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
		expect(eventKinds(event('Change security settings')).size).toBe(0);
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
		// A request that names raj (another user, of the run or not) is not jane's.
		expect(matchRequests([changes[0]], [event('Add user TECH\\raj')], all).get(0)).toBeUndefined();
		// Without an exact "new since": listed, not picked.
		expect(matchRequests([changes[0]], [add], all, false).get(0)).toEqual({ ambiguous: [add] });
	});

	// Veeam's published wording (event reference 42402): "<Operation> event has been initiated by <UserName> and requires an additional approval."
	const syslog = (operation: string, by = 'VBR01\\svc-n8n') => ({ ...event(operation, `${operation} event has been initiated by ${by} and requires an additional approval.`), createdBy: by });

	it('kind words are whole words: "additional" (Veeam\'s template) is not "add"; "Update" is a user change of roles, mode or MFA, not a create or delete', () => {
		expect(eventKinds(syslog('Other operations')).size).toBe(0);
		expect(kindFit(syslog('Other operations'), 'mfa')).toBe('maybe');
		expect(kindFit(syslog('Other operations'), 'create')).toBe('maybe');
		expect(kindFit(syslog('Update user TECH\\sheila'), 'roles')).toBe('maybe');
		expect(kindFit(syslog('Update user TECH\\sheila'), 'create')).toBe('no');
		expect(kindFit(syslog('Update user TECH\\sheila'), 'delete')).toBe('no');
		expect(kindFit(syslog('Add user TECH\\jane'), 'create')).toBe('yes');
		expect(kindFit(event('Addition of something'), 'create')).toBe('maybe');
		// Requests about other objects than users, as Veeam's operations word them.
		for (const other of ['Delete backup VM01', 'Update Veeam Backup & Replication security settings', 'Encryption password disclosure', 'Update repository Repo1', 'Change security settings']) {
			expect([other, kindFit(syslog(other), 'delete'), kindFit(syslog(other), 'serviceAccount'), kindFit(syslog(other), 'mfa')]).toEqual([other, 'no', 'no', 'no']);
		}
		// A role name is not a backup.
		expect(kindFit(event('Change user roles', 'User TECH\\x: roles changed from Backup Viewer to Backup Operator.'), 'roles')).toBe('yes');
	});

	it('a held role change worded as Veeam words events is matched by name; the rerun (strict kind) does not take a vague "Update" request', () => {
		const e = syslog('Update user TECH\\sheila');
		expect(matchRequests([{ name: 'TECH\\sheila', kind: 'roles' }], [e], all).get(0)).toEqual({ event: e, matchedBy: 'name' });
		expect(requestNaming([e], 'TECH\\sheila', 'roles', true)).toBeUndefined();
	});

	it('the requester named in the description is not the user: a change to the credential\'s own account does not take its other requests', () => {
		const other = syslog('Other operations');
		expect(namedIn(other, 'VBR01\\svc-n8n')).toBeUndefined();
		expect(requestNaming([syslog('Update Veeam Backup & Replication security settings')], 'VBR01\\svc-n8n', 'serviceAccount', true)).toBeUndefined();
		expect(requestNaming([other], 'VBR01\\svc-n8n', 'mfa', false)).toBeUndefined();
		// Its name in its own request is never taken as the subject: such a request is matched only as
		// the one new request since the change (or ambiguous), never before sending.
		const own = event('Reset user MFA', 'User VBR01\\svc-n8n: multi-factor authentication reset.');
		expect(requestNaming([own], 'VBR01\\svc-n8n', 'mfa', true)).toBeUndefined();
		expect(matchRequests([{ name: 'VBR01\\svc-n8n', kind: 'mfa' }], [own], all).get(0)).toEqual({ event: own, matchedBy: 'onlyPendingRequestSinceChange' });
	});

	it('"the only new request" is never one naming another user, nor one about another object; an unexplained new request makes it ambiguous', () => {
		const jane = [{ name: 'TECH\\jane', kind: 'create' as const }];
		expect(matchRequests(jane, [syslog('Add user TECH\\bob')], all).get(0)).toBeUndefined();
		expect(matchRequests(jane, [event('Add user', 'User bob@tech.local: added.')], all).get(0)).toBeUndefined();
		expect(matchRequests([{ name: 'TECH\\jane', kind: 'delete' }], [syslog('Delete backup VM01')], all).get(0)).toBeUndefined();
		expect(matchRequests([{ name: 'TECH\\jane', kind: 'roles' }], [syslog('Encryption password disclosure')], all).get(0)).toBeUndefined();
		expect(matchRequests([{ name: 'TECH\\jane', kind: 'serviceAccount' }], [event('Change security settings', 'Multi-factor authentication disabled for users.')], all).get(0)).toBeUndefined();
		expect(matchRequests([{ name: 'TECH\\jane', kind: 'mfa' }], [syslog('Disable MFA for all users')], all).get(0)).toBeUndefined();
		// One unnamed request of a fitting kind, and another new request nobody here explains
		// (another execution with this account): could be either's: ambiguous.
		const add = syslog('Other operations');
		expect(matchRequests(jane, [add], all).get(0)).toEqual({ event: add, matchedBy: 'onlyPendingRequestSinceChange' });
		expect(matchRequests(jane, [add, syslog('Delete user TECH\\bob')], all).get(0)).toEqual({ ambiguous: [add] });
	});

	it('two changes of one user: two requests naming it are taken one each', () => {
		const a = event('Change user roles', 'User TECH\\jane: roles changed.', '2026-12-05T12:00:00Z');
		const b = event('Change user roles', 'User TECH\\jane: roles changed.', '2026-12-05T12:00:01Z');
		const m = matchRequests([{ name: 'TECH\\jane', kind: 'roles' }, { name: 'TECH\\jane', kind: 'roles' }], [a, b], all);
		expect(new Set([m.get(0), m.get(1)].map((x) => (x && 'event' in x ? x.event.id : undefined)))).toEqual(new Set([a.id, b.id]));
	});

	it('the requester compared as an account: case, NetBIOS or FQDN domain, a UPN login; a login without a domain takes no DOMAIN\\name', () => {
		expect(sameAccount('VBR01\\svc-n8n', 'vbr01\\SVC-N8N')).toBe(true);
		expect(sameAccount('VBR01\\svc-n8n', 'vbr01.tech.local\\svc-n8n')).toBe(true);
		expect(sameAccount('svc-n8n@tech.local', 'TECH\\svc-n8n')).toBe(true);
		expect(sameAccount('svc-n8n@tech.local', 'svc-n8n@TECH.local')).toBe(true);
		expect(sameAccount('VBR01\\svc-n8n', 'TECH\\svc-n8n')).toBe(false);
		expect(sameAccount('VBR01\\svc-n8n', 'VBR01\\svc-n8n2')).toBe(false);
		expect(sameAccount('svc-n8n', 'TECH\\svc-n8n')).toBe(false);
		expect(sameAccount('svc-n8n', 'svc-n8n')).toBe(true);
		expect(bareLoginNote('svc-n8n', ['TECH\\svc-n8n', 'VBR01\\admin'])).toMatch(/has no domain, so requests of "TECH\\svc-n8n" are not taken as this account's/);
		expect(bareLoginNote('VBR01\\svc-n8n', ['TECH\\svc-n8n'])).toBeUndefined();
	});
});
