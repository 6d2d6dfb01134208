import { ObservableObject, type IDataObject } from 'n8n-workflow';

import type { VeeamUser } from '../../../client/model';
import { diffUsers, textDigest, type TrackedUser } from '../../../nodes/VeeamTrigger/diff';
import {
	MAX_KEPT_DESCRIPTION,
	STATE_VERSION,
	configFingerprint,
	decodeState,
	encodeState,
	openState,
	writeState,
	type StoredState,
} from '../../../nodes/VeeamTrigger/state';
import { realisticVbrUsers, rng, uuidFrom, vbgcSeededUsers, vbrSeededUsers, VBR_ROLES } from './fixtures';

const CFG = configFingerprint(['vbr', 'https://vbr.example.com:9419', '1.3-rev2']);

/** Through JSON, as n8n stores static data. */
function roundTrip(users: TrackedUser[], cfg = CFG): Map<string, TrackedUser> {
	const stored = JSON.parse(JSON.stringify(encodeState(users, cfg))) as IDataObject;
	const decoded = decodeState(stored, cfg);
	if (!decoded.ok) throw new Error(decoded.reason);
	return decoded.users;
}

/** What a user looks like after a round trip: undefined fields dropped, as in an item. */
const plain = (u: TrackedUser) => JSON.parse(JSON.stringify(u)) as IDataObject;

function expectSameUsers(users: TrackedUser[], decoded: Map<string, TrackedUser>): void {
	expect(decoded.size).toBe(users.length);
	for (const u of users) {
		const back = decoded.get(u.ref);
		expect(back && plain({ ...back, roles: [...back.roles].sort((a, b) => a.id.localeCompare(b.id)) })).toEqual(
			plain({ ...u, roles: [...u.roles].sort((a, b) => a.id.localeCompare(b.id)) }),
		);
	}
	// And the diff sees no change at all.
	expect(diffUsers(decoded, new Map(users.map((u) => [u.ref, u])))).toEqual([]);
}

describe('encodeState / decodeState', () => {
	it('round-trips VBR users (UUID refs) and VBGC users (name refs, descriptions)', () => {
		const vbr = realisticVbrUsers(500);
		expectSameUsers(vbr, roundTrip(vbr));
		const vbgc = vbgcSeededUsers(300).map((u, i) => ({ ...u, mfaEnabled: i % 3 === 0, description: i % 5 === 0 ? '' : u.description }));
		expectSameUsers(vbgc, roundTrip(vbgc));
	});

	it('round-trips the unusual: other ref shapes, unknown flags, several roles, odd text', () => {
		const random = rng(3);
		const id = uuidFrom(random);
		const users: TrackedUser[] = [
			// Upper-case UUID and a non-UUID id are kept as text.
			{ ref: id.toUpperCase(), id: id.toUpperCase(), name: 'A\\upper', type: 'InternalUser', roles: [], isDirectoryAccount: false, isGroup: false },
			{ ref: 'user-42', id: 'user-42', name: 'B\\text-id', type: 'X', roles: [VBR_ROLES[0]], isDirectoryAccount: true, isGroup: true },
			// A ref that is neither the id nor the name.
			{ ref: 'ref-1', name: 'C', type: 'Local', roles: [], isDirectoryAccount: false, isGroup: false },
			{ ref: 'ref-2', id: 'other-id', name: 'D', type: 'Local', roles: [], isDirectoryAccount: false, isGroup: false },
			// Unknown MFA / service-account mode, two roles listed in either order.
			{ ref: uuidFrom(random), name: 'E', type: 'ExternalGroup', roles: [VBR_ROLES[2], VBR_ROLES[1]], isDirectoryAccount: true, isGroup: true },
			// Surrogate pairs at the front-coding boundary, quotes and backslashes, a very long name.
			{ ref: 'F😀a', name: 'F😀a', type: 'Local', roles: [], description: 'he said "hi" \\o/', isDirectoryAccount: false, isGroup: false },
			{ ref: 'F😁b', name: 'F😁b', type: 'Local', roles: [], description: 'he said "ho"', isDirectoryAccount: false, isGroup: false },
			{ ref: 'G'.repeat(300), name: 'G'.repeat(300), type: 'Local', roles: [], description: '', isDirectoryAccount: false, isGroup: false },
			// A role without a description.
			{ ref: 'H', name: 'H', type: 'Local', roles: [{ id: 'r-1', name: 'Custom' }], mfaEnabled: true, isDirectoryAccount: false, isGroup: false },
		];
		users[4].id = users[4].ref;
		expectSameUsers(users, roundTrip(users));
	});

	it(`keeps descriptions up to ${MAX_KEPT_DESCRIPTION} characters, longer ones as a digest`, () => {
		const short = 'd'.repeat(MAX_KEPT_DESCRIPTION);
		const long = 'd'.repeat(MAX_KEPT_DESCRIPTION + 1);
		const base = { type: 'Local', roles: [], isDirectoryAccount: false, isGroup: false };
		const decoded = roundTrip([
			{ ...base, ref: 'short', name: 'short', description: short },
			{ ...base, ref: 'long', name: 'long', description: long },
		]);
		expect(decoded.get('short')?.description).toBe(short);
		expect(decoded.get('long')?.description).toBeUndefined();
		expect(decoded.get('long')?.descriptionDigest).toBe(textDigest(long));
		// A decoded digest is encoded again as the same digest.
		expect(roundTrip([...decoded.values()]).get('long')?.descriptionDigest).toBe(textDigest(long));
	});

	it('keeps the role table once, and a user record small', () => {
		const state = encodeState(realisticVbrUsers(2000), CFG);
		expect(state.roles).toHaveLength(VBR_ROLES.length);
		expect(state.roles[0]).toEqual([expect.any(String), expect.any(String), expect.any(String)]);
		expect(state.profiles.length).toBeLessThan(100);
		expect(state).toMatchObject({ v: STATE_VERSION, cfg: CFG, n: 2000 });
	});

	it('is deterministic: the same list in another order gives the same state', () => {
		const users = realisticVbrUsers(300);
		const shuffled = [...users].reverse();
		// Compared as a boolean: a failure must not print two 10,000-character strings.
		expect(JSON.stringify(encodeState(shuffled, CFG)) === JSON.stringify(encodeState(users, CFG))).toBe(true);
	});

	it('refuses a state for another config, another format version, or a broken one, and says why', () => {
		const state = JSON.parse(JSON.stringify(encodeState(vbrSeededUsers(20), CFG))) as StoredState;
		expect(decodeState({}, CFG)).toEqual({ ok: false, reason: 'no baseline yet' });
		expect(decodeState(state, configFingerprint(['vbr', 'https://other:9419', '1.3-rev2']))).toEqual({
			ok: false,
			reason: 'the product, server or API version changed',
		});
		expect(decodeState({ ...state, v: 0 }, CFG)).toMatchObject({ ok: false, reason: expect.stringMatching(/format/) });
		expect(decodeState({ ...state, users: `${state.users}"` }, CFG)).toMatchObject({ ok: false, reason: expect.stringMatching(/malformed/) });
		expect(decodeState({ ...state, users: state.users.slice(0, -3) }, CFG)).toMatchObject({ ok: false });
		expect(decodeState({ ...state, n: 19 }, CFG)).toMatchObject({ ok: false, reason: expect.stringMatching(/20 users, not 19/) });
		expect(decodeState({ ...state, profiles: [[9, 0, 0, 0, 0]] }, CFG)).toMatchObject({ ok: false });
		expect(decodeState({ ...state, roles: 'x' }, CFG)).toMatchObject({ ok: false });
		expect(decodeState({ ...state, users: state.users + state.users }, CFG)).toMatchObject({ ok: false, reason: expect.stringMatching(/duplicate/) });
	});

	it('under Automatic: refuses a snapshot of another known API version, uses one where either version is unknown', () => {
		const users = vbrSeededUsers(5);
		const rev1 = JSON.parse(JSON.stringify(encodeState(users, CFG, { apiVersion: '1.3-rev1' }))) as StoredState;
		expect(rev1.api).toBe('1.3-rev1');
		expect(openState(rev1, CFG, '1.3-rev2')).toEqual({ ok: false, reason: 'the API version in use changed (1.3-rev1 to 1.3-rev2)' });
		expect(openState(rev1, CFG, '1.3-REV1')).toMatchObject({ ok: true, count: 5 });
		// Unknown now (no login yet), or unknown then (stored before versions were recorded): the same list.
		expect(openState(rev1, CFG)).toMatchObject({ ok: true });
		const unrecorded = JSON.parse(JSON.stringify(encodeState(users, CFG))) as StoredState;
		expect('api' in unrecorded).toBe(false);
		expect(openState(unrecorded, CFG, '1.3-rev2')).toMatchObject({ ok: true });
	});

	it('reads a state that n8n loaded into its observable static data', () => {
		const users = vbrSeededUsers(50);
		const loaded = ObservableObject.create({ 'node:Veeam Trigger': JSON.parse(JSON.stringify(encodeState(users, CFG))) as IDataObject });
		expectSameUsers(users, (decodeState(loaded['node:Veeam Trigger'] as IDataObject, CFG) as { users: Map<string, TrackedUser> }).users);
	});
});

describe('writeState', () => {
	it('assigns every property anew (n8n sees the change) and drops unknown ones', () => {
		const workflowStaticData = ObservableObject.create({ 'node:T': { old: 1, v: 1 } as IDataObject });
		const node = workflowStaticData['node:T'] as IDataObject;
		workflowStaticData.__dataChanged = false;
		writeState(node, encodeState(vbrSeededUsers(3), CFG));
		expect(workflowStaticData.__dataChanged).toBe(true);
		expect(Object.keys(node).sort()).toEqual(['cfg', 'n', 'profiles', 'roles', 'types', 'users', 'v']);
	});
});

describe('size at 100,000 users (JSON.stringify of the node static data / users)', () => {
	const bytesPerUser = (users: VeeamUser[]) => JSON.stringify({ 'node:Veeam Trigger': encodeState(users, CFG) }).length / users.length;
	const report: Record<string, number> = {};
	afterAll(() => console.log(`State size, bytes per user at 100,000 users: ${JSON.stringify(report)}`));

	it('VBR, as the simulator seeds it: at most 40 bytes per user', () => {
		report.vbrSeeded = bytesPerUser(vbrSeededUsers(100_000));
		expect(report.vbrSeeded).toBeLessThanOrEqual(40);
	});

	it('VBR, random Active Directory names (DOMAIN\\first.last, groups, several roles): at most 40 bytes per user', () => {
		report.vbrRealistic = bytesPerUser(realisticVbrUsers(100_000));
		expect(report.vbrRealistic).toBeLessThanOrEqual(40);
	});

	it('VBGC, as the simulator seeds it (names as refs, descriptions): at most 40 bytes per user', () => {
		report.vbgcSeeded = bytesPerUser(vbgcSeededUsers(100_000));
		expect(report.vbgcSeeded).toBeLessThanOrEqual(40);
	});
});
