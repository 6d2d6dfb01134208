/**
 * The role and access events' state (accessState.ts) and diff (accessModel.ts) on their own: round
 * trips through JSON as n8n stores static data, its size for 50 custom roles and 500 ACL records,
 * damaged state, and the rules that keep a report true (scopes never read, delegations hidden by an
 * owner change, details read over several polls within the budget).
 */
import type { IDataObject } from 'n8n-workflow';

import { diffAcl, diffRoles, aclChanges, aclKey, scopeDigests, type AclEntry, type CurrentRole, type TrackedRole } from '../../../nodes/VeeamTrigger/accessModel';
import { pollRoles } from '../../../nodes/VeeamTrigger/accessPoll';
import { ACCESS_STATE_KEY, decodeAcl, decodeRoles, encodeAccess, encodeAcl, encodeRoles, openAccess } from '../../../nodes/VeeamTrigger/accessState';
import { PollBudget } from '../../../nodes/VeeamTrigger/progress';
import { configFingerprint } from '../../../nodes/VeeamTrigger/state';
import { pick, rng, uuidFrom } from './fixtures';

const CFG = configFingerprint(['vbr', 'https://vbr.example.com:9419', '1.3-rev2']);

function roleWithScopes(random: () => number, i: number): { current: CurrentRole; tracked: TrackedRole } {
	const id = uuidFrom(random);
	const scopes = {
		inventoryScope: { entireInventory: false, workloads: [{ type: 'Backups', backups: [{ backupId: uuidFrom(random), backupName: `B${i}`, type: 'Backup' }] }] },
		repositoryScope: { allRepositories: false, repositories: [{ repositoryId: uuidFrom(random), repositoryName: `Repo ${i}` }] },
		restorePermissionsScope: { restoreBackupScope: { entireBackupScope: i % 2 === 0 }, restoreOptions: { allOptions: true } },
		restoreTargetScope: { entireBackupScope: true },
	};
	const current: CurrentRole = {
		id,
		name: `Custom Role ${String(i).padStart(2, '0')}`,
		description: i % 5 === 0 ? `Created by TECH\\admin at 05.12.2026 17:${String(i).padStart(2, '0')}. ${'x'.repeat(60)}` : `Team ${i}`,
		details: { manageBackups: i % 2 === 0, manageRestores: true, scopes },
	};
	const tracked: TrackedRole = {
		id,
		name: current.name,
		description: current.description,
		manageBackups: current.details?.manageBackups,
		manageRestores: true,
		scopes: scopeDigests(current.details ?? { scopes: {} }),
	};
	return { current, tracked };
}

function records(random: () => number, count: number, roleIds: string[]): AclEntry[] {
	const owners = Array.from({ length: 20 }, (_, i) => ({ userIdentifier: `S-1-5-21-1004336348-1177238915-682003330-${1100 + i}`, name: `TECH\\owner${i}` }));
	return Array.from({ length: count }, (_, i) => ({
		type: i % 3 === 0 ? 'backupJob' : 'backup',
		id: uuidFrom(random),
		owner: pick(random, owners),
		rights: pick(random, [['full'], ['full'], ['restore', 'write']]),
		effectiveAccess: Array.from({ length: i % 4 }, () => ({ roleId: pick(random, roleIds), roleName: 'Custom Role', rights: pick(random, [['restore'], ['full'], ['restore', 'write']]) }))
			.filter((d, k, all) => all.findIndex((x) => x.roleId === d.roleId) === k)
			.sort((a, b) => (a.roleId < b.roleId ? -1 : 1)),
		delegationsShown: i % 4 !== 0,
	}));
}

const viaJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('the stored state', () => {
	it('50 custom roles and 500 ACL records round-trip, and are small (measured)', () => {
		const random = rng(27);
		const roles = Array.from({ length: 50 }, (_, i) => roleWithScopes(random, i));
		const acl = records(random, 500, roles.map((r) => r.current.id));
		const stored = viaJson({ [ACCESS_STATE_KEY]: encodeAccess(CFG, 1, { roles: { roles: roles.map((r) => r.tracked) }, acl }) });
		const rolesOnly = JSON.stringify(encodeAccess(CFG, 1, { roles: { roles: roles.map((r) => r.tracked) } })).length;
		const aclOnly = JSON.stringify(encodeAccess(CFG, 1, { acl })).length;
		const total = JSON.stringify(stored).length;
		console.log(`access state: 50 roles ${rolesOnly} bytes, 500 ACL records ${aclOnly} bytes, both ${total} bytes`);
		// Per role about 70 characters (a 20-character UUID, front-coded name and description or a digest, four 10-character
		// digests); per record about 35 (a 20-character UUID, owner, rights, 1.5 delegations on average).
		expect(rolesOnly).toBeLessThan(4_500);
		expect(aclOnly).toBeLessThan(20_000);

		const opened = openAccess(stored, CFG);
		expect(opened.reason).toEqual({});
		expect(opened.seq).toBe(1);
		// Nothing changed: the diffs say so.
		const nowRoles = new Map(roles.map((r) => [r.current.id, r.current]));
		expect(diffRoles(opened.roles ?? new Map(), nowRoles, new Set()).events).toEqual([]);
		const nowAcl = new Map(acl.map((e) => [aclKey(e), e]));
		expect(diffAcl(opened.acl ?? new Map(), nowAcl, new Set()).events).toEqual([]);
		expect([...(opened.acl?.values() ?? [])].sort((a, b) => (aclKey(a) < aclKey(b) ? -1 : 1))).toEqual([...acl].sort((a, b) => (aclKey(a) < aclKey(b) ? -1 : 1)));
		// A long description is kept as its digest: a change of it is still seen.
		const long = roles[0];
		const changed = diffRoles(opened.roles ?? new Map(), new Map([[long.current.id, { ...long.current, description: 'short now' }]]), new Set());
		expect(changed.events[0].changes).toEqual([{ field: 'description', from: null, to: 'short now' }]);
	});

	it('ids that are not canonical UUIDs and unknown types are kept as text', () => {
		const role: TrackedRole = { id: 'ROLE-1', name: 'x', scopes: {}, detailsUnknown: true };
		expect([...decodeRoles(encodeRoles([role]), 1).values()]).toEqual([role]);
		const entry: AclEntry = { type: 'Replica', id: 'ABC', owner: { userIdentifier: '', name: 'n' }, rights: [], effectiveAccess: [], delegationsShown: false };
		expect([...decodeAcl(viaJson(encodeAcl([entry]))).values()]).toEqual([entry]);
	});

	it('a damaged or foreign state is a new baseline, with the reason', () => {
		const good = encodeAccess(CFG, 3, { roles: { roles: [] }, acl: [] });
		expect(openAccess({}, CFG).reason).toEqual({ roles: 'no baseline yet', acl: 'no baseline yet' });
		expect(openAccess({ [ACCESS_STATE_KEY]: good }, 'other').reason.roles).toMatch(/server or API version changed/);
		expect(openAccess({ [ACCESS_STATE_KEY]: { ...good, api: '1.3-rev2' } }, CFG, '1.4-rev0').reason.acl).toMatch(/API version in use changed/);
		const damaged = { ...good, roles: { n: 2, rows: '!!' }, acl: { ...(good.acl as IDataObject), records: '"' } };
		const opened = openAccess({ [ACCESS_STATE_KEY]: damaged }, CFG);
		expect(opened.roles).toBeUndefined();
		expect(opened.acl).toBeUndefined();
		expect(opened.reason.roles).toMatch(/malformed/);
		expect(opened.reason.acl).toMatch(/malformed/);
	});
});

describe('what is reported', () => {
	it('scopes never read (a baseline cut short) are never a change; later reads record them silently', () => {
		const random = rng(1);
		const { current } = roleWithScopes(random, 1);
		const baseline = diffRoles(new Map(), new Map([[current.id, { ...current, details: undefined }]]), new Set(), true);
		expect(baseline.events).toEqual([]);
		expect(baseline.next[0].detailsUnknown).toBe(true);
		const stored = new Map(baseline.next.map((r) => [r.id, r]));
		const later = diffRoles(stored, new Map([[current.id, current]]), new Set());
		expect(later.events).toEqual([]);
		expect(later.next[0].detailsUnknown).toBeUndefined();
		expect(later.next[0].scopes.repositoryScope).toBeDefined();
	});

	it('a role new since the last poll is reported only once its details are read; a role gone only when a look-up says so', () => {
		const random = rng(2);
		const a = roleWithScopes(random, 1);
		const b = roleWithScopes(random, 2);
		const stored = new Map([[a.tracked.id, a.tracked]]);
		const unread = diffRoles(stored, new Map([[b.current.id, { ...b.current, details: undefined }]]), new Set());
		expect(unread.events).toEqual([]);
		expect(unread.next.map((r) => r.id)).toEqual([a.tracked.id]);
		const gone = diffRoles(stored, new Map(), new Set([a.tracked.id]));
		expect(gone.events.map((e) => e.event)).toEqual(['roleDeleted']);
	});

	it('a repository renamed is not a change of the roles naming it (echoed names are not compared)', () => {
		const random = rng(3);
		const { current, tracked } = roleWithScopes(random, 3);
		const scopes = viaJson(current.details?.scopes ?? {}) as IDataObject;
		((scopes.repositoryScope as IDataObject).repositories as IDataObject[])[0].repositoryName = 'Renamed';
		expect(diffRoles(new Map([[tracked.id, tracked]]), new Map([[current.id, { ...current, details: { ...current.details, scopes } }]]), new Set()).events).toEqual([]);
	});

	it('beside an owner change, delegations one side did not show are unknown, not a change', () => {
		const base: AclEntry = { type: 'backup', id: 'x', owner: { userIdentifier: 'S-1', name: 'A' }, rights: ['full'], effectiveAccess: [{ roleId: 'r', roleName: 'R', rights: ['restore'] }], delegationsShown: true };
		const now: AclEntry = { ...base, owner: { userIdentifier: 'S-2', name: 'B' }, effectiveAccess: [], delegationsShown: false };
		expect(aclChanges(base, now).map((c) => c.field)).toEqual(['owner']);
		// Without an owner change, no delegations shown means none: the last delegation removed is reported.
		expect(aclChanges(base, { ...base, effectiveAccess: [], delegationsShown: false }).map((c) => c.field)).toEqual(['effectiveAccess']);
		// An account renamed (same SID) is not an owner change.
		expect(aclChanges(base, { ...base, owner: { userIdentifier: 's-1', name: 'A renamed' } })).toEqual([]);
	});
});

describe('details within the poll budget', () => {
	/** A client whose details take `ms` on a fake clock. */
	function fakeRoles(roles: CurrentRole[], clock: { t: number }, ms: number) {
		return {
			list: async () => roles.map((r) => ({ id: r.id, name: r.name, description: r.description, isBuiltIn: false })),
			details: async (id: string) => {
				clock.t += ms;
				const r = roles.find((x) => x.id === id);
				return r ? { id: r.id, name: r.name, description: r.description ?? '', manageBackups: r.details?.manageBackups ?? false, manageRestores: r.details?.manageRestores ?? false, ...r.details?.scopes } : undefined;
			},
		};
	}

	it('reads them in rounds while the budget holds one, goes on where it stopped, and reports a scope change when its role is read', async () => {
		const random = rng(4);
		const roles = Array.from({ length: 20 }, (_, i) => roleWithScopes(random, i).current);
		const clock = { t: 0 };
		const client = fakeRoles(roles, clock, 100) as unknown as Parameters<typeof pollRoles>[0];
		// 8 at once take 800 ms on this clock; a budget of 1,000 ms holds one round only.
		const budget = () => new PollBudget(1_000, () => clock.t);
		const first = await pollRoles(client, undefined, undefined, budget());
		expect(first.events).toBeUndefined();
		expect(first.detailsRead).toBe(8);
		// A baseline: every role kept, scopes unknown where not read; the next poll goes on after the 8th.
		const byId = [...roles].map((r) => r.id).sort();
		expect(first.cursor).toBe(byId[7]);
		let stored = new Map(first.next.map((r) => [r.id.toLowerCase(), r]));
		expect([...stored.values()].filter((r) => r.detailsUnknown)).toHaveLength(12);
		// A scope of the last role (by id) changes; polls go round until it is read.
		const last = [...roles].sort((a, b) => (a.id < b.id ? -1 : 1))[19];
		last.details = { ...last.details, scopes: { ...last.details?.scopes, restoreTargetScope: { entireBackupScope: false } } };
		let cursor: string | undefined;
		const seen: string[] = [];
		for (let poll = 0; poll < 4; poll++) {
			const next = await pollRoles(client, stored, cursor, budget());
			seen.push(...(next.events ?? []).map((e) => `${e.event} ${e.id}`));
			stored = new Map(next.next.map((r) => [r.id.toLowerCase(), r]));
			cursor = next.cursor;
		}
		// The first time last's details were read it had no known scopes (the baseline did not reach it): recorded, not reported.
		expect(seen).toEqual([]);
		last.details = { ...last.details, scopes: { ...last.details?.scopes, restoreTargetScope: { entireBackupScope: true } } };
		for (let poll = 0; poll < 3; poll++) {
			const next = await pollRoles(client, stored, cursor, budget());
			seen.push(...(next.events ?? []).map((e) => `${e.event} ${e.id}`));
			stored = new Map(next.next.map((r) => [r.id.toLowerCase(), r]));
			cursor = next.cursor;
		}
		expect(seen).toEqual([`roleChanged ${last.id.toLowerCase()}`]);
	});
});
