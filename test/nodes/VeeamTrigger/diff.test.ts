import type { VeeamUser } from '../../../client/model';
import {
	USER_EVENTS,
	diffUser,
	diffUsers,
	filterEvents,
	roleKey,
	sameRoles,
	textDigest,
	wildcardTest,
	type TrackedUser,
	type UserEvent,
} from '../../../nodes/VeeamTrigger/diff';

const ADMIN = { id: '5ff0e0eb-45cf-48cc-9677-7613fc79bc11', name: 'Backup Administrator' };
const VIEWER = { id: '0d3f6c2e-8a41-4c7b-b2e5-91f4a7d6c305', name: 'Backup Viewer' };
const RESTORE = { id: 'b167c3af-2262-4b6c-9861-0606fc0cb6b1', name: 'Restore Operator' };

function vbrUser(n: number, name: string, patch: Partial<VeeamUser> = {}): VeeamUser {
	const id = `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
	return {
		ref: id,
		id,
		name,
		type: 'ExternalUser',
		roles: [VIEWER],
		isServiceAccount: false,
		mfaEnabled: false,
		isDirectoryAccount: true,
		isGroup: false,
		...patch,
	};
}

const byRef = (...users: VeeamUser[]) => new Map(users.map((u) => [u.ref, u]));
const summary = (events: UserEvent[]) => events.map((e) => [e.event, (e.user ?? e.previous)?.name]);

describe('diffUsers', () => {
	const a = vbrUser(1, 'TECH\\alice');
	const b = vbrUser(2, 'TECH\\bob');
	const c = vbrUser(3, 'TECH\\carol');

	it('finds nothing between equal lists, whatever the objects', () => {
		expect(diffUsers(byRef(a, b), byRef({ ...a }, { ...b, roles: [{ ...VIEWER, description: 'x' }] }))).toEqual([]);
		expect(diffUsers(new Map(), new Map())).toEqual([]);
	});

	it('reports additions and removals with the user now and the user before', () => {
		const events = diffUsers(byRef(a, b), byRef(b, c));
		expect(events).toEqual([
			{ event: 'userRemoved', ref: a.ref, user: null, previous: a, changes: [] },
			{ event: 'userAdded', ref: c.ref, user: c, previous: null, changes: [] },
		]);
	});

	it('reports each kind of change as its own event, with from and to', () => {
		const now = { ...a, roles: [VIEWER, ADMIN], mfaEnabled: true, isServiceAccount: true, type: 'InternalUser', name: 'TECH\\Alice' };
		expect(diffUser(a, now)).toEqual([
			{ event: 'rolesChanged', ref: a.ref, user: now, previous: a, changes: [{ field: 'roles', from: [VIEWER], to: [VIEWER, ADMIN] }] },
			{ event: 'mfaChanged', ref: a.ref, user: now, previous: a, changes: [{ field: 'mfaEnabled', from: false, to: true }] },
			{
				event: 'serviceAccountModeChanged',
				ref: a.ref,
				user: now,
				previous: a,
				changes: [{ field: 'isServiceAccount', from: false, to: true }],
			},
			{
				event: 'otherFieldsChanged',
				ref: a.ref,
				user: now,
				previous: a,
				changes: [
					{ field: 'name', from: 'TECH\\alice', to: 'TECH\\Alice' },
					{ field: 'type', from: 'ExternalUser', to: 'InternalUser' },
				],
			},
		]);
	});

	it('reports a description change (VBGC), and null for a description the server did not give', () => {
		const before: VeeamUser = { ref: 'ops', name: 'ops', type: 'Local', roles: [RESTORE], mfaEnabled: false, description: 'Ops', isDirectoryAccount: false, isGroup: false };
		expect(diffUser(before, { ...before, description: 'Night ops' })[0].changes).toEqual([{ field: 'description', from: 'Ops', to: 'Night ops' }]);
		expect(diffUser(before, { ...before, description: undefined })[0].changes).toEqual([{ field: 'description', from: 'Ops', to: null }]);
	});

	it('takes an MFA state or service-account mode one side does not report as unknown, never as a change', () => {
		// VBR before API 1.3-rev2 reports no MFA state: a snapshot of then, a listing of now (and back).
		const rev1: VeeamUser = { ref: 'u1', id: 'u1', name: 'TECH\\ann', type: 'InternalUser', roles: [VIEWER], isServiceAccount: false, isDirectoryAccount: true, isGroup: false };
		const rev2 = { ...rev1, mfaEnabled: true };
		expect(diffUser(rev1, rev2)).toEqual([]);
		expect(diffUser(rev2, rev1)).toEqual([]);
		expect(diffUser({ ...rev1, isServiceAccount: undefined }, { ...rev1, isServiceAccount: true })).toEqual([]);
		expect(diffUsers(byRef(rev1), byRef(rev2))).toEqual([]);
		// Known on both sides: a change, as before.
		expect(diffUser(rev2, { ...rev2, mfaEnabled: false })).toEqual([
			expect.objectContaining({ event: 'mfaChanged', changes: [{ field: 'mfaEnabled', from: true, to: false }] }),
		]);
		expect(diffUser(rev2, { ...rev2, isServiceAccount: true })).toEqual([
			expect.objectContaining({ event: 'serviceAccountModeChanged', changes: [{ field: 'isServiceAccount', from: false, to: true }] }),
		]);
		// An unknown flag does not hide another change of the same user.
		expect(diffUser(rev1, { ...rev2, roles: [ADMIN] }).map((e) => e.event)).toEqual(['rolesChanged']);
	});

	it('compares a long description through its digest when only the digest was kept', () => {
		const long = 'x'.repeat(200);
		const kept: TrackedUser = { ref: 'ops', name: 'ops', type: 'Local', roles: [], descriptionDigest: textDigest(long), isDirectoryAccount: false, isGroup: false };
		const now: VeeamUser = { ref: 'ops', name: 'ops', type: 'Local', roles: [], isDirectoryAccount: false, isGroup: false };
		expect(diffUser(kept, { ...now, description: long })).toEqual([]);
		expect(diffUser(kept, { ...now, description: `${long}!` })[0].changes).toEqual([
			{ field: 'description', from: null, to: `${long}!` },
		]);
	});

	it('compares roles as sets of ids: order, case and renamed roles are not changes', () => {
		expect(sameRoles([VIEWER, ADMIN], [ADMIN, VIEWER])).toBe(true);
		expect(sameRoles([VIEWER], [{ id: VIEWER.id.toUpperCase(), name: 'Viewers (renamed)' }])).toBe(true);
		expect(sameRoles([VIEWER], [VIEWER, ADMIN])).toBe(false);
		expect(sameRoles([VIEWER, RESTORE], [VIEWER, ADMIN])).toBe(false);
		expect(roleKey([ADMIN, VIEWER])).toBe(roleKey([VIEWER, ADMIN]));
	});

	it('a role listed twice is one role: no rolesChanged for it, poll after poll (issue 15, point 15)', () => {
		expect(sameRoles([VIEWER, VIEWER], [VIEWER])).toBe(true);
		expect(sameRoles([VIEWER], [VIEWER, { ...VIEWER, id: VIEWER.id.toUpperCase() }])).toBe(true);
		expect(sameRoles([VIEWER, VIEWER], [VIEWER, ADMIN])).toBe(false);
		expect(roleKey([VIEWER, VIEWER, ADMIN])).toBe(roleKey([ADMIN, VIEWER]));
		const before = { ...a, roles: [VIEWER] };
		expect(diffUser(before, { ...a, roles: [VIEWER, VIEWER] })).toEqual([]);
		expect(diffUser({ ...a, roles: [VIEWER, VIEWER] }, { ...a, roles: [VIEWER, VIEWER] })).toEqual([]);
	});

	it('emits in a stable order: by name, then removal before addition and changes, then ref', () => {
		// VBR: a user deleted and added again under the same name has a new id.
		const again = vbrUser(9, a.name, { roles: [ADMIN] });
		const events = diffUsers(byRef(c, a, b), byRef({ ...b, mfaEnabled: true, roles: [ADMIN] }, again, c));
		expect(summary(events)).toEqual([
			['userRemoved', 'TECH\\alice'],
			['userAdded', 'TECH\\alice'],
			['rolesChanged', 'TECH\\bob'],
			['mfaChanged', 'TECH\\bob'],
		]);
		// The same result whatever order the maps were filled in.
		expect(diffUsers(byRef(b, a, c), byRef(c, again, { ...b, mfaEnabled: true, roles: [ADMIN] }))).toEqual(events);
	});

	it('lists the event kinds in emission order', () => {
		expect(USER_EVENTS).toEqual(['userRemoved', 'userAdded', 'rolesChanged', 'mfaChanged', 'statusChanged', 'loginsChanged', 'serviceAccountModeChanged', 'otherFieldsChanged']);
	});
});

describe('filterEvents', () => {
	const admin = vbrUser(1, 'TECH\\admin.one', { roles: [ADMIN] });
	const viewer = vbrUser(2, 'LAB\\viewer.two');
	const demoted = vbrUser(3, 'TECH\\demoted', { roles: [ADMIN] });
	const events = diffUsers(byRef(viewer, demoted), byRef(admin, { ...viewer, mfaEnabled: true }, { ...demoted, roles: [VIEWER] }));

	it('keeps the chosen kinds', () => {
		expect(summary(filterEvents(events, { events: new Set(['mfaChanged']) }))).toEqual([['mfaChanged', 'LAB\\viewer.two']]);
		expect(filterEvents(events, { events: new Set() })).toEqual([]);
		expect(filterEvents(events, {})).toEqual(events);
	});

	it('keeps users who have the role now or had it before (by id or name, any case)', () => {
		const expected = [
			['userAdded', 'TECH\\admin.one'],
			['rolesChanged', 'TECH\\demoted'],
		];
		expect(summary(filterEvents(events, { roles: [ADMIN.id] }))).toEqual(expected);
		expect(summary(filterEvents(events, { roles: ['backup administrator'] }))).toEqual(expected);
		expect(summary(filterEvents(events, { roles: [RESTORE.id] }))).toEqual([]);
	});

	it('keeps users whose name matches the pattern', () => {
		expect(summary(filterEvents(events, { namePattern: 'lab\\*' }))).toEqual([['mfaChanged', 'LAB\\viewer.two']]);
		expect(summary(filterEvents(events, { namePattern: 'TECH\\???????' }))).toEqual([['rolesChanged', 'TECH\\demoted']]);
		expect(summary(filterEvents(events, { namePattern: '  ' }))).toHaveLength(3);
	});

	it('combines filters', () => {
		expect(summary(filterEvents(events, { events: new Set(['userAdded']), roles: [ADMIN.name], namePattern: 'TECH\\*' }))).toEqual([
			['userAdded', 'TECH\\admin.one'],
		]);
	});
});

describe('wildcardTest', () => {
	it('matches the whole name, case-insensitively, with * and ? only', () => {
		expect(wildcardTest('TECH\\j*')('tech\\jane.doe')).toBe(true);
		expect(wildcardTest('TECH\\j*')('XTECH\\jane')).toBe(false);
		expect(wildcardTest('a.b')('axb')).toBe(false);
		expect(wildcardTest('(x)+')('(x)+')).toBe(true);
		expect(wildcardTest('us?r')('user')).toBe(true);
	});
});

describe('VSPC fields', () => {
	const org = { uid: 'c37dac86-f273-4133-9bcd-0000000000a1', name: 'Alpha', type: 'Company' };
	const base = (patch: Partial<TrackedUser> = {}): TrackedUser => ({
		ref: 'c37dac86-f273-4133-9bcd-000000000007',
		id: 'c37dac86-f273-4133-9bcd-000000000007',
		name: 'alpha.admin',
		type: 'Company',
		roles: [{ id: 'CompanyAdministrator', name: 'Company Administrator' }],
		organization: org,
		status: 'Enabled',
		mfaPolicy: 'Disabled',
		mfaEnabled: false,
		mfaConfigured: false,
		logins: [{ id: '7', kind: 'password', provider: 'VSPC' }],
		isDirectoryAccount: false,
		isGroup: false,
		...patch,
	});

	it('status, MFA policy and set-up, logins and organization: one event per kind, with what changed', () => {
		const now = base({
			status: 'Disabled',
			mfaPolicy: 'EnabledByInheritance',
			mfaEnabled: true,
			mfaConfigured: true,
			logins: [{ id: '7', kind: 'password', provider: 'VSPC' }, { id: '12', kind: 'totp', provider: 'TOTP' }],
			organization: { uid: 'c37dac86-f273-4133-9bcd-0000000000b2' },
		});
		const events = diffUser(base(), now);
		expect(events.map((e) => e.event)).toEqual(['mfaChanged', 'statusChanged', 'loginsChanged', 'otherFieldsChanged']);
		expect(events[0].changes).toEqual([
			{ field: 'mfaPolicy', from: 'Disabled', to: 'EnabledByInheritance' },
			{ field: 'mfaEnabled', from: false, to: true },
			{ field: 'mfaConfigured', from: false, to: true },
		]);
		expect(events[2].changes[0]).toMatchObject({ field: 'logins', added: [{ id: '12', kind: 'totp' }], removed: [] });
		expect(events[3].changes).toEqual([{ field: 'organization', from: org, to: { uid: 'c37dac86-f273-4133-9bcd-0000000000b2' } }]);
		// Enabled → EnabledByInheritance: the policy changed, MFA applies either way.
		expect(diffUser(base({ mfaPolicy: 'Enabled', mfaEnabled: true }), base({ mfaPolicy: 'EnabledByInheritance', mfaEnabled: true }))[0].changes).toEqual([{ field: 'mfaPolicy', from: 'Enabled', to: 'EnabledByInheritance' }]);
	});

	it('a field one side does not report (logins not read, policy or status unknown) is never a change', () => {
		const unknown = base({ logins: undefined, status: undefined, mfaPolicy: undefined, mfaConfigured: undefined, mfaEnabled: undefined, organization: undefined });
		expect(diffUser(unknown, base({ status: 'Disabled', mfaPolicy: 'Enabled', logins: [] }))).toEqual([]);
		expect(diffUser(base({ status: 'Disabled', logins: [{ id: '9', kind: 'apiKey', provider: 'AK' }] }), unknown)).toEqual([]);
		// An API key disabled by itself, then enabled again: a logins change (`changed`), both ways.
		const key = { id: '9', kind: 'apiKey', provider: 'AK' };
		const off = diffUser(base({ logins: [key] }), base({ logins: [{ ...key, disabled: true }] }));
		expect(off.map((e) => e.event)).toEqual(['loginsChanged']);
		expect(off[0].changes[0]).toMatchObject({ added: [], removed: [], changed: [{ id: '9', disabled: true }] });
		expect(diffUser(base({ logins: [{ ...key, disabled: true }] }), base({ logins: [key] }))[0].changes[0]).toMatchObject({ changed: [{ id: '9' }] });
		// Same logins listed in another order: no change.
		const two = [{ id: '7', kind: 'password', provider: 'VSPC' }, { id: '12', kind: 'totp', provider: 'TOTP' }];
		expect(diffUser(base({ logins: two }), base({ logins: [...two].reverse() }))).toEqual([]);
	});
});
