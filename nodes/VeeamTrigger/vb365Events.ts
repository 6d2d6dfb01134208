/**
 * The Veeam Trigger's events on Veeam Backup for Microsoft 365: the pure comparison of the roles
 * as kept (vb365State.ts) with the roles as read now (vb365Listing.ts), and the items it emits.
 *
 * - roleCreated: a role not kept before (with its operators and scope where read); each of its
 *   operators is also an operatorAdded (they may now restore what the role covers);
 * - roleDeleted: a kept role that is gone (confirmed by a look-up); each of its kept operators is
 *   also an operatorRemoved;
 * - operatorAdded / operatorRemoved: a Microsoft 365 user or group that a role names now and did
 *   not before, or the other way round (by kind and ID);
 * - roleScopeChanged: the role type, the selected items (those of a role of specific objects; an
 *   entire-organization role covers the whole organization, its selection counts as none) or the
 *   excluded items changed: what changed, with the items added and removed.
 * A list that is not known on both sides (not read, or not kept yet) gives no event.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Vb365Item, Vb365Operator, Vb365Role } from '../../client/vb365Model';
import { entityKey, type TrackedVb365Role, type Vb365Entity } from './vb365State';

export const VB365_EVENTS = ['operatorAdded', 'operatorRemoved', 'roleScopeChanged', 'roleCreated', 'roleDeleted'] as const;
export type Vb365EventType = (typeof VB365_EVENTS)[number];

export function isVb365Event(value: unknown): value is Vb365EventType {
	return typeof value === 'string' && (VB365_EVENTS as readonly string[]).includes(value);
}

type Listed = Vb365Operator | Vb365Item | Vb365Entity;

export interface ScopeChange {
	field: 'roleType' | 'selectedItems' | 'excludedItems';
	from?: string | null;
	to?: string | null;
	added?: Listed[];
	removed?: Listed[];
}

export interface Vb365Event {
	event: Vb365EventType;
	/** The role now (null when deleted). */
	role: Vb365Role | null;
	/** The role as kept (null when created). */
	previous: TrackedVb365Role | null;
	/** Operator events: who (as read now, or as kept for a removal). */
	operator?: Listed;
	changes: ScopeChange[];
}

/** A role as the state keeps it (lists as read; an entire-organization role's selection as none). */
export function trackedRole(role: Vb365Role): TrackedVb365Role {
	const entity = (e: Vb365Operator | Vb365Item | Vb365Entity): Vb365Entity => (e.id !== undefined ? { kind: e.kind, id: e.id, name: e.name } : { ...e });
	const scope = role.excluded !== undefined && (role.selected !== undefined || role.roleType === 'EntireOrganization');
	return {
		id: role.id,
		organizationId: role.organizationId,
		name: role.name,
		...(role.roleType ? { roleType: role.roleType } : {}),
		...(role.operators ? { operators: role.operators.map(entity) } : {}),
		...(scope ? { selected: role.roleType === 'EntireOrganization' ? [] : (role.selected ?? []).map(entity), excluded: (role.excluded ?? []).map(entity) } : {}),
	};
}

/** Members of `now` not in `before`, and of `before` not in `now`, by kind and ID. */
function listDiff<A extends Listed, B extends Listed>(before: readonly B[], now: readonly A[]): { added: A[]; removed: B[] } {
	const had = new Set(before.map(entityKey));
	const has = new Set(now.map(entityKey));
	const once = <T extends Listed>(list: readonly T[], skip: Set<string>) => {
		const seen = new Set<string>();
		return list.filter((e) => {
			const key = entityKey(e);
			if (skip.has(key) || seen.has(key)) return false;
			seen.add(key);
			return true;
		});
	};
	const byName = (a: Listed, b: Listed) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name) || entityKey(a).localeCompare(entityKey(b));
	return { added: once(now, had).sort(byName), removed: once(before, has).sort(byName) };
}

const roleOrder = (a: { organizationId: string; name: string; id: string }, b: { organizationId: string; name: string; id: string }) =>
	a.organizationId.localeCompare(b.organizationId) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);

/** The events between the kept roles and those read now, role by role. */
export function diffVb365(stored: ReadonlyMap<string, TrackedVb365Role>, current: ReadonlyMap<string, Vb365Role>): Vb365Event[] {
	const events: Vb365Event[] = [];
	const ids = new Set([...stored.keys(), ...current.keys()]);
	const ordered = [...ids].map((id) => ({ id, role: current.get(id), previous: stored.get(id) })).sort((a, b) => roleOrder((a.role ?? a.previous) as Vb365Role, (b.role ?? b.previous) as Vb365Role));
	for (const { role, previous } of ordered) {
		if (role && !previous) {
			events.push({ event: 'roleCreated', role, previous: null, changes: [] });
			for (const operator of listDiff([], role.operators ?? []).added) events.push({ event: 'operatorAdded', role, previous: null, operator, changes: [] });
		} else if (!role && previous) {
			for (const operator of listDiff(previous.operators ?? [], []).removed) events.push({ event: 'operatorRemoved', role: null, previous, operator, changes: [] });
			events.push({ event: 'roleDeleted', role: null, previous, changes: [] });
		} else if (role && previous) {
			if (role.operators && previous.operators) {
				const { added, removed } = listDiff(previous.operators, role.operators);
				for (const operator of added) events.push({ event: 'operatorAdded', role, previous, operator, changes: [] });
				for (const operator of removed) events.push({ event: 'operatorRemoved', role, previous, operator, changes: [] });
			}
			const now = trackedRole(role);
			if (now.selected && now.excluded && previous.selected && previous.excluded) {
				const changes: ScopeChange[] = [];
				if ((previous.roleType ?? null) !== (role.roleType ?? null)) changes.push({ field: 'roleType', from: previous.roleType ?? null, to: role.roleType ?? null });
				const selected = listDiff(previous.selected, role.roleType === 'EntireOrganization' ? [] : (role.selected ?? []));
				if (selected.added.length + selected.removed.length > 0) changes.push({ field: 'selectedItems', ...selected });
				const excluded = listDiff(previous.excluded, role.excluded ?? []);
				if (excluded.added.length + excluded.removed.length > 0) changes.push({ field: 'excludedItems', ...excluded });
				if (changes.length > 0) events.push({ event: 'roleScopeChanged', role, previous, changes });
			}
		}
	}
	return events;
}

// ---- items ---------------------------------------------------------------------------------------

const plain = (value: unknown) => JSON.parse(JSON.stringify(value ?? null)) as IDataObject;

/** An operator or item in an item: as read now, or as kept (kind, ID where kept, name). */
function listedItem(e: Listed): IDataObject {
	if ('digest' in e && e.digest !== undefined) return { kind: e.kind, name: e.name };
	return plain(e);
}

function roleNow(role: Vb365Role, full: boolean): IDataObject {
	return plain({
		id: role.id,
		name: role.name,
		description: role.description,
		roleType: role.roleType ?? null,
		...(full && role.operators ? { operators: role.operators.map(listedItem) } : {}),
		...(full && role.selected && role.roleType !== 'EntireOrganization' ? { selectedItems: role.selected.map(listedItem) } : {}),
		...(full && role.excluded ? { excludedItems: role.excluded.map(listedItem) } : {}),
	});
}

function roleKept(role: TrackedVb365Role, full: boolean): IDataObject {
	return plain({
		id: role.id,
		name: role.name,
		roleType: role.roleType ?? null,
		...(full && role.operators ? { operators: role.operators.map(listedItem) } : {}),
		...(full && role.selected && role.roleType !== 'EntireOrganization' ? { selectedItems: role.selected.map(listedItem) } : {}),
		...(full && role.excluded ? { excludedItems: role.excluded.map(listedItem) } : {}),
	});
}

/** The item of one event: event, product, organization, role, previous, operator (operator events), changes. */
export function vb365Item(e: Vb365Event, organizations: ReadonlyMap<string, string>, detectedAt: string): IDataObject {
	const orgId = (e.role ?? e.previous)?.organizationId ?? '';
	const full = e.event === 'roleCreated' || e.event === 'roleDeleted';
	return {
		event: e.event,
		product: 'vb365',
		organization: { id: orgId, name: organizations.get(orgId.toLowerCase()) ?? null },
		role: e.role ? roleNow(e.role, full || e.event === 'roleScopeChanged') : null,
		previous: e.previous ? roleKept(e.previous, full || e.event === 'roleScopeChanged') : null,
		...(e.operator ? { operator: listedItem(e.operator) } : {}),
		changes: e.changes.map((c) => plain({ ...c, ...(c.added ? { added: c.added.map(listedItem) } : {}), ...(c.removed ? { removed: c.removed.map(listedItem) } : {}) })),
		detectedAt,
	};
}
