/**
 * Which four-eyes request a Backup Access change waits for (pending.ts), whatever the server's
 * wording: exactly one request of this account new since the snapshot is that one; several: the one
 * naming the object; otherwise `ambiguous`, listing them; none: no match (the change is an error).
 * A request already waiting must name the object and say this kind of change.
 */
import type { AuthorizationEvent } from '../../../../../client/adapters/authorizationEvents';
import { alreadyWaiting, requestAfter, type AclChangeTarget } from '../../../../../nodes/Veeam/actions/backupAccess/pending';

const T0 = Date.parse('2026-12-05T18:00:00Z');
let n = 0;
const event = (name: string, description: string, minutes = 0): AuthorizationEvent => ({
	id: `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
	name,
	description,
	state: 'Pending',
	createdBy: 'VBR01\\svc-n8n',
	creationTime: new Date(T0 + minutes * 60_000).toISOString(),
});
const SQL: AclChangeTarget = { id: '7e2d3c4b-5a6f-4071-9b82-a3c4d5e6f702', name: 'SQL Backup', kind: 'access' };
const older = event('Change effective access', 'Backup Daily: effective access changed.', -1);
const snapshot = { events: [older], readAt: T0 };

describe('requestAfter: the request a change the read-back does not show waits for', () => {
	it('exactly one new request since the snapshot is that one, whatever its words', () => {
		const only = event('Other operations', 'Something happened', 1);
		expect(requestAfter(snapshot, [older, only], SQL, T0)).toEqual({ event: only, matchedBy: 'onlyPendingRequestSinceChange' });
	});

	it('several new: the one naming the object (not saying the other kind)', () => {
		const mine = event('Change effective access', 'Backup SQL Backup: effective access changed.', 1);
		const other = event('Change effective access', 'Backup SQL Backup Copy: effective access changed.', 1);
		const owner = event('Change owner', 'Backup SQL Backup: owner changed to TECH\\jane.', 1);
		expect(requestAfter(snapshot, [older, other, mine, owner], SQL, T0)).toEqual({ event: mine, matchedBy: 'description' });
	});

	it('several new, none or two naming the object: ambiguous, listing them (never a guess)', () => {
		const a = event('Other operations', 'x', 1);
		const b = event('Other operations', 'y', 2);
		expect(requestAfter(snapshot, [older, a, b], SQL, T0)).toEqual({ ambiguous: [b, a] });
		const c = event('Change effective access', 'Backup "SQL Backup" changed', 1);
		const d = event('Change access', 'SQL Backup: rights', 2);
		expect(requestAfter(snapshot, [older, a, c, d], SQL, T0)).toEqual({ ambiguous: [d, c] });
	});

	it('none new (only requests older than the snapshot): no match', () => {
		expect(requestAfter(snapshot, [older], SQL, T0)).toBeUndefined();
	});

	it('without a snapshot: only requests naming the object, since the change within the clocks’ tolerance, and only as ambiguous', () => {
		const naming = event('Change effective access', 'Backup SQL Backup: effective access changed.', 1);
		const unrelated = event('Change effective access', 'Backup Daily: effective access changed.', 1);
		expect(requestAfter({ readAt: T0 }, [unrelated, naming], SQL, T0)).toEqual({ ambiguous: [naming] });
		expect(requestAfter({ readAt: T0 }, [unrelated], SQL, T0)).toBeUndefined();
	});
});

describe('alreadyWaiting: a request of this account already waiting for the same change', () => {
	it('names the object and says this kind; another object, the other kind or no kind does not count', () => {
		const events = [
			event('Change owner', 'Backup SQL Backup: owner changed to TECH\\jane.'),
			event('Change effective access', 'Backup SQL Backup Copy: effective access changed.'),
			event('Other operations', 'Backup SQL Backup'),
		];
		expect(alreadyWaiting({ events, readAt: T0 }, SQL)).toBeUndefined();
		const waiting = event('Change effective access', 'Backup SQL Backup: effective access changed.');
		expect(alreadyWaiting({ events: [...events, waiting], readAt: T0 }, SQL)).toBe(waiting);
		expect(alreadyWaiting({ events, readAt: T0 }, { ...SQL, kind: 'owner' })).toBe(events[0]);
		// By ID when the name is not known.
		const byId = event('Change effective access', `Object ${SQL.id}: access changed`);
		expect(alreadyWaiting({ events: [byId], readAt: T0 }, { id: SQL.id, kind: 'access' })).toBe(byId);
	});
});
