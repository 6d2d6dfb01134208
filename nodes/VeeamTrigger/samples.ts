/**
 * "Fetch Test Event" with no real change to show (poll.ts): current users shaped as the chosen
 * events, each marked as a sample. Moved out of poll.ts.
 */
import type { VeeamUser } from '../../client/model';
import type { TrackedUser, UserEvent, UserEventType } from './diff';

/** Users shaped as events in a manual run when there is no real change to show. */
export const SAMPLE_SIZE = 5;

/** What an item is made of: a change, or a sample shaped as one (manual runs). */
export type EmittedEvent = Pick<UserEvent, 'event' | 'user' | 'previous' | 'changes'> & { sample?: true; sampleNote?: string };

/**
 * Current users shaped as the chosen events, for mapping fields in the editor ("Fetch Test
 * Event" with no real change to show). Each is a consistent change (`from` differs from `to`) and
 * says it is a sample, so nobody takes it for something that happened.
 */
export function sampleEvents(users: VeeamUser[], events: UserEventType[]): Array<EmittedEvent> {
	return users.slice(0, SAMPLE_SIZE).map((user, i) => {
		const event = events[i % events.length];
		const was = (change: Partial<VeeamUser>) => ({ ...user, ...change });
		const base = { event, user, sample: true as const, sampleNote: SAMPLE_NOTE };
		switch (event) {
			case 'userAdded':
				return { ...base, previous: null, changes: [] };
			case 'userRemoved':
				return { ...base, user: null, previous: user, changes: [] };
			case 'rolesChanged': {
				// It lost its last role, or had none of its roles before (a user always has one).
				const before = user.roles.length > 1 ? user.roles.slice(0, -1) : [];
				return { ...base, previous: was({ roles: before }), changes: [{ field: 'roles', from: before, to: user.roles }] };
			}
			case 'mfaChanged': {
				if (user.mfaPolicy !== undefined) {
					const before = user.mfaPolicy === 'Disabled' ? 'Enabled' : 'Disabled';
					return { ...base, previous: was({ mfaPolicy: before }), changes: [{ field: 'mfaPolicy', from: before, to: user.mfaPolicy }] };
				}
				const now = user.mfaEnabled ?? true;
				return { ...base, user: { ...user, mfaEnabled: now }, previous: was({ mfaEnabled: !now }), changes: [{ field: 'mfaEnabled', from: !now, to: now }] };
			}
			case 'statusChanged': {
				const now = user.status ?? 'Enabled';
				const before = now === 'Disabled' ? 'Enabled' : 'Disabled';
				return { ...base, user: { ...user, status: now }, previous: was({ status: before }), changes: [{ field: 'status', from: before, to: now }] };
			}
			case 'loginsChanged': {
				// As if the user's last login had just been added.
				const now = (user as TrackedUser).logins ?? [];
				const before = now.slice(0, -1);
				return { ...base, previous: was({ logins: before } as Partial<VeeamUser>), changes: [{ field: 'logins', from: before, to: now, added: now.slice(-1), removed: [], changed: [] }] };
			}
			case 'serviceAccountModeChanged': {
				const now = user.isServiceAccount ?? false;
				return { ...base, previous: was({ isServiceAccount: !now }), changes: [{ field: 'isServiceAccount', from: !now, to: now }] };
			}
			case 'otherFieldsChanged': {
				const before = `${user.name}.old`;
				return { ...base, previous: was({ name: before }), changes: [{ field: 'name', from: before, to: user.name }] };
			}
		}
	});
}

const SAMPLE_NOTE = 'A sample built from a current user for mapping fields: not a change that happened.';
