/**
 * The Veeam Trigger's parts on Veeam Backup for Microsoft 365, without a server (vb365Fake.ts):
 * the state round-trips and stays small, the comparison gives exactly the changes, the reads cost
 * what the issue allows (the role list, one operators read per role, items only for scope changes:
 * excluded for every role, selected for roles of specific objects), and a read that fails or looks
 * partial never yields a removal or a deletion.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Vb365Role } from '../../../client/vb365Model';
import { configFingerprint } from '../../../nodes/VeeamTrigger/state';
import { VeeamTrigger } from '../../../nodes/VeeamTrigger/VeeamTrigger.node';
import { diffVb365, trackedRole, vb365Item } from '../../../nodes/VeeamTrigger/vb365Events';
import { readVb365 } from '../../../nodes/VeeamTrigger/vb365Listing';
import { PART_OPERATORS, PART_SCOPE, VB365_STATE_KEY, encodeVb365, entityKey, openVb365, type TrackedVb365Role, type Vb365Entity } from '../../../nodes/VeeamTrigger/vb365State';
import { FakeVb365, ORG_A, ORG_B, item, operator, roleId } from './vb365Fake';

const CFG = configFingerprint(['vb365', 'https://vb365.example.com:4443', 'v8', '*']);
const BOTH = PART_OPERATORS | PART_SCOPE;
const ALL = { operators: true, scope: true };

function stateOf(roles: Iterable<Vb365Role>, parts = BOTH): Map<string, TrackedVb365Role> {
	const stored = JSON.parse(JSON.stringify(encodeVb365([...roles].map(trackedRole), CFG, parts, new Map()))) as IDataObject;
	const opened = openVb365({ [VB365_STATE_KEY]: stored }, CFG);
	if (!opened.ok) throw new Error(opened.reason);
	return opened.roles;
}

async function poll(fake: FakeVb365, stored: Map<string, TrackedVb365Role>, options = ALL) {
	fake.calls.length = 0;
	const read = await readVb365(fake.access(), stored, options);
	return { read, events: diffVb365(stored, read.current).map((e) => [e.event, e.role?.name ?? e.previous?.name, (e.operator?.name ?? e.changes.map((c) => c.field).join(',')) || '']) };
}

describe('VB365 events in the node', () => {
	const properties = new VeeamTrigger().description.properties;
	const events = properties.find((p) => p.name === 'events');
	const options = (events?.options ?? []) as Array<{ value: string; name: string; displayOptions?: { show?: { product?: string[] }; hide?: { product?: string[] } } }>;
	const shownFor = (o: (typeof options)[number], product: string) => (o.displayOptions?.show?.product?.includes(product) ?? true) && !(o.displayOptions?.hide?.product?.includes(product) ?? false);

	it('offers on VB365 exactly its five events, and none of them elsewhere but Role Created / Role Deleted on VBR', () => {
		expect(options.filter((o) => shownFor(o, 'vb365')).map((o) => o.value)).toEqual(['operatorAdded', 'operatorRemoved', 'roleCreated', 'roleDeleted', 'roleScopeChanged']);
		for (const product of ['vbgc', 'aws', 'azure', 'vspc']) expect(options.filter((o) => shownFor(o, product) && ['operatorAdded', 'operatorRemoved', 'roleScopeChanged', 'roleCreated', 'roleDeleted'].includes(o.value))).toEqual([]);
		expect(options.filter((o) => shownFor(o, 'vbr') && ['operatorAdded', 'operatorRemoved', 'roleScopeChanged'].includes(o.value))).toEqual([]);
		// n8n's node creator lists them in this order: the options sorted by name.
		expect(options.map((o) => o.name)).toEqual([...options.map((o) => o.name)].sort((a, b) => a.localeCompare(b)));
	});

	it('asks for the organization on VB365 only, and selects the operator and scope events by default', () => {
		expect(properties.find((p) => p.name === 'organizationScope')).toMatchObject({ type: 'options', default: 'all', displayOptions: { show: { product: ['vb365'] } } });
		expect(properties.find((p) => p.name === 'organization')).toMatchObject({ type: 'resourceLocator', displayOptions: { show: { product: ['vb365'], organizationScope: ['one'] } } });
		expect(new VeeamTrigger().methods.listSearch.searchVb365Organizations).toBeDefined();
		expect(events?.default).toEqual(expect.arrayContaining(['operatorAdded', 'operatorRemoved', 'roleScopeChanged']));
		expect(events?.default).not.toEqual(expect.arrayContaining(['roleCreated']));
	});
});

describe('VB365 trigger state', () => {
	it('round-trips roles, operators, selected and excluded items (72-character IDs, sites, teams) and unknown lists', () => {
		const fake = new FakeVb365();
		fake.addRole(1, ORG_A, 'SpecificObjects', { operators: [operator(1), operator(2, 'group')], selected: [item(10), item(11, 'site'), item(12, 'team')], excluded: [item(13, 'group')] });
		fake.addRole(2, ORG_B, 'EntireOrganization', { operators: [operator(1)], excluded: [] });
		fake.addRole(3, ORG_A, undefined, { operators: [{ ...operator(3), id: 'Not-A-Uuid/ID' }] });
		const roles = [...fake.roles.values()];
		const unknownLists: TrackedVb365Role = { id: roleId(4), organizationId: ORG_B, name: 'no lists kept' };
		const tracked = [...roles.map(trackedRole), unknownLists];
		const stored = JSON.parse(JSON.stringify(encodeVb365(tracked, CFG, BOTH, new Map([[ORG_A, 'contoso']])))) as IDataObject;
		const opened = openVb365({ [VB365_STATE_KEY]: stored }, CFG);
		if (!opened.ok) throw new Error(opened.reason);
		// Lists compared by kind, ID (digest) and name, in key order; operators keep their IDs, items a digest (unless also an operator).
		const key = (list?: Vb365Entity[]) => list?.map((e) => ({ key: entityKey(e), kind: e.kind, name: e.name })).sort((a, b) => a.key.localeCompare(b.key));
		const comparable = (r: TrackedVb365Role) => JSON.parse(JSON.stringify({ ...r, operators: key(r.operators), selected: key(r.selected), excluded: key(r.excluded) })) as IDataObject;
		const decoded = [...opened.roles.values()];
		expect(decoded.map(comparable).sort((a, b) => String(a.id).localeCompare(String(b.id)))).toEqual(tracked.map(comparable));
		expect(decoded.flatMap((r) => r.operators ?? []).map((e) => e.id)).toEqual(expect.arrayContaining([operator(1).id, operator(2).id, 'Not-A-Uuid/ID']));
		expect(decoded.flatMap((r) => [...(r.selected ?? []), ...(r.excluded ?? [])]).every((e) => e.id === undefined && /^[0-9a-f]{16}$/.test(e.digest ?? ''))).toBe(true);
		expect(opened.orgNames.get(ORG_A)).toBe('contoso');
		// No change seen against what was kept.
		opened.roles.delete(roleId(4));
		expect(diffVb365(opened.roles, fake.roles)).toEqual([]);
	});

	it('is small: 100 roles naming 5 of 300 operators and 20 of 500 items each fit in under 48 kB (an operator ~60 characters, an item ~33), a 72-character ID kept in 40 characters', () => {
		const fake = new FakeVb365();
		for (let n = 0; n < 100; n++) {
			fake.addRole(n, n % 2 ? ORG_A : ORG_B, 'SpecificObjects', {
				operators: Array.from({ length: 5 }, (_, k) => operator((n * 7 + k * 13) % 300)),
				selected: Array.from({ length: 20 }, (_, k) => item(1000 + ((n * 11 + k) % 500))),
				excluded: [item(2000 + n)],
			});
		}
		const size = JSON.stringify(encodeVb365([...fake.roles.values()].map(trackedRole), CFG, BOTH, new Map())).length;
		expect(size).toBeLessThan(48_000);
		// One role (no name) naming one user: the role ID in 20 characters, the user's two-UUID ID in 40, its e-mail (17), a few counts.
		const one = encodeVb365([{ id: roleId(1), organizationId: ORG_A, name: '', operators: [operator(1)] }], CFG, BOTH, new Map()).s;
		expect(one.length).toBeLessThanOrEqual(20 + 40 + 17 + 16);
		expect(one).not.toContain(operator(1).id.slice(0, 8));
	});

	it('a state of another server or organization, another format, or damaged is a baseline with its reason', () => {
		const stored = encodeVb365([], CFG, BOTH, new Map());
		expect(openVb365({}, CFG)).toEqual({ ok: false, reason: 'no baseline yet' });
		expect(openVb365({ [VB365_STATE_KEY]: stored }, 'other')).toMatchObject({ ok: false, reason: expect.stringContaining('organization changed') });
		expect(openVb365({ [VB365_STATE_KEY]: { ...stored, v: 99 } }, CFG)).toMatchObject({ ok: false, reason: expect.stringContaining('another format') });
		expect(openVb365({ [VB365_STATE_KEY]: { ...stored, s: '5\u00ff' } }, CFG)).toMatchObject({ ok: false, reason: expect.stringContaining('malformed') });
		expect(openVb365({ [VB365_STATE_KEY]: { ...stored, s: `${stored.s}!` } }, CFG)).toMatchObject({ ok: false, reason: expect.stringContaining('malformed') });
	});
});

describe('VB365 trigger comparison and reads', () => {
	function seeded(): FakeVb365 {
		const fake = new FakeVb365();
		fake.addRole(1, ORG_A, 'SpecificObjects', { operators: [operator(1), operator(2, 'group')], selected: [item(10), item(11, 'site')], excluded: [item(12)] });
		fake.addRole(2, ORG_A, 'EntireOrganization', { operators: [operator(3)], excluded: [item(13, 'team')] });
		fake.addRole(3, ORG_B, 'SpecificObjects', { operators: [], selected: [item(14, 'group')] });
		return fake;
	}

	it('reads the role list, one operators read per role, excluded items per role and selected items only for roles of specific objects', async () => {
		const fake = seeded();
		const stored = stateOf(fake.roles.values());
		const full = await poll(fake, stored);
		expect(full.events).toEqual([]);
		expect(fake.calls.filter((c) => c.startsWith('roles'))).toEqual(['roles *']);
		expect(fake.calls.filter((c) => c.startsWith('operators'))).toHaveLength(3);
		expect(fake.calls.filter((c) => c.startsWith('excluded'))).toHaveLength(3);
		expect(fake.calls.filter((c) => c.startsWith('selected')).sort()).toEqual([`selected ${roleId(1)}`, `selected ${roleId(3)}`]);
		expect(full.read.requests).toBe(1 + 3 + 3 + 2);
		// Without scope changes chosen no item is read; with operator events only, operators only.
		await poll(fake, stored, { operators: true, scope: false });
		expect(fake.calls.filter((c) => !c.startsWith('operators') && !c.startsWith('roles'))).toEqual([]);
		await poll(fake, stored, { operators: false, scope: false });
		expect(fake.calls).toEqual(['roles *']);
		// One organization: its role list only.
		fake.calls.length = 0;
		const one = await readVb365(fake.access(), stateOf([fake.roles.get(roleId(3)) as Vb365Role]), { organizationId: ORG_B, operators: true, scope: false });
		expect([...one.current.keys()]).toEqual([roleId(3)]);
		expect(fake.calls).toEqual([`roles ${ORG_B}`, `operators ${roleId(3)}`]);
	});

	it('reports operators added and removed, roles created and deleted (with their operators) and scope changes, exactly', async () => {
		const fake = seeded();
		const stored = stateOf(fake.roles.values());
		const r1 = fake.roles.get(roleId(1)) as Vb365Role;
		r1.operators = [operator(2, 'group'), operator(4)];
		r1.excluded = [];
		r1.selected = [item(10), item(11, 'site'), item(15, 'team')];
		const r2 = fake.roles.get(roleId(2)) as Vb365Role;
		r2.roleType = 'SpecificObjects';
		r2.selected = [item(16)];
		fake.roles.delete(roleId(3));
		fake.addRole(5, ORG_B, 'EntireOrganization', { operators: [operator(5), operator(6, 'group')] });
		const { events } = await poll(fake, stored);
		expect(events).toEqual([
			['operatorAdded', 'Role 1', 'user4@contoso.com'],
			['operatorRemoved', 'Role 1', 'user1@contoso.com'],
			['roleScopeChanged', 'Role 1', 'selectedItems,excludedItems'],
			['roleScopeChanged', 'Role 2', 'roleType,selectedItems'],
			['roleDeleted', 'Role 3', ''],
			['roleCreated', 'Role 5', ''],
			['operatorAdded', 'Role 5', 'group6'],
			['operatorAdded', 'Role 5', 'user5@contoso.com'],
		]);
		const scope = diffVb365(stored, (await readVb365(fake.access(), stored, ALL)).current).find((e) => e.event === 'roleScopeChanged' && e.role?.id === roleId(1));
		const shown = vb365Item(scope as NonNullable<typeof scope>, new Map([[ORG_A, 'contoso.onmicrosoft.com']]), 'now');
		expect(shown).toMatchObject({ event: 'roleScopeChanged', product: 'vb365', organization: { id: ORG_A, name: 'contoso.onmicrosoft.com' } });
		expect(shown.changes).toEqual([
			{ field: 'selectedItems', added: [expect.objectContaining({ kind: 'team', id: item(15, 'team').id })], removed: [] },
			{ field: 'excludedItems', added: [], removed: [{ kind: 'user', name: item(12).name }] },
		]);
	});

	it('a role the list lacks is looked up: still there, no deletion; gone, deleted', async () => {
		const fake = seeded();
		const stored = stateOf(fake.roles.values());
		fake.hideOnce = new Set([roleId(1)]);
		const hidden = await poll(fake, stored);
		expect(hidden.events).toEqual([]);
		expect(fake.calls).toContain(`role ${roleId(1)}`);
		expect(hidden.read.foundByLookUp).toBe(1);
		fake.roles.delete(roleId(1));
		expect((await poll(fake, stored)).events).toEqual([
			['operatorRemoved', 'Role 1', 'group2'],
			['operatorRemoved', 'Role 1', 'user1@contoso.com'],
			['roleDeleted', 'Role 1', ''],
		]);
	});

	it('an operators or items read that answers short once is read again: only what both reads lack is removed', async () => {
		const fake = seeded();
		const stored = stateOf(fake.roles.values());
		fake.faults.set(`${roleId(1)}/operators`, []);
		fake.faults.set(`${roleId(1)}/selected`, [item(10)]);
		expect((await poll(fake, stored)).events).toEqual([]);
		expect(fake.calls.filter((c) => c === `operators ${roleId(1)}`)).toHaveLength(2);
		// A real removal next to a short answer: reported once, the rest kept.
		(fake.roles.get(roleId(1)) as Vb365Role).operators = [operator(2, 'group')];
		fake.faults.set(`${roleId(1)}/operators`, []);
		expect((await poll(fake, stored)).events).toEqual([['operatorRemoved', 'Role 1', 'user1@contoso.com']]);
	});

	it('a read that fails fails the poll while the role is there; a role deleted meanwhile is reported deleted', async () => {
		const fake = seeded();
		const stored = stateOf(fake.roles.values());
		fake.faults.set(`${roleId(2)}/operators`, new Error('HTTP 500'));
		await expect(poll(fake, stored)).rejects.toThrow('HTTP 500');
		fake.faults.set(`${roleId(2)}/excluded`, new Error('gone'));
		fake.roles.delete(roleId(2));
		// The list still named it (read before the delete): its look-up says it is gone.
		const listed = fake.access();
		const roles = listed.roles.bind(listed);
		const deleted = (await readVb365({ ...listed, roles: async (org?: string) => [...(await roles(org)), { id: roleId(2), organizationId: ORG_A, name: 'Role 2', description: '', roleType: 'EntireOrganization' }] }, stored, ALL)).current;
		expect(diffVb365(stored, deleted).map((e) => e.event)).toEqual(['operatorRemoved', 'roleDeleted']);
	});

	it('lists not kept (a part chosen since the last poll) give no events for that part', async () => {
		const fake = seeded();
		const stored = stateOf(fake.roles.values(), 0);
		for (const role of stored.values()) {
			delete role.operators;
			delete role.selected;
			delete role.excluded;
		}
		(fake.roles.get(roleId(1)) as Vb365Role).operators = [];
		expect((await poll(fake, stored)).events).toEqual([]);
	});
});
