/**
 * The Veeam Trigger's tests on Veeam Backup for Microsoft 365: the truth read from the simulator's
 * store (each role's organization, name, type, operators and scope, by kind and ID), an
 * administrator who changes roles through VB365's REST API (v8) as a person would, and the replay
 * of emitted items on the roles the last good poll left.
 */
import type { AxiosInstance } from 'axios';
import type { IDataObject } from 'n8n-workflow';

import { VB365_DEFAULT_ADMIN, VB365_DEFAULT_PASSWORD, type SimServer, type Vb365Product } from '../../../sim';
import { simClient } from '../../support/simClient';

export const vb365Product = (sim: SimServer) => sim.product as Vb365Product;

type Kind = 'User' | 'Group' | 'Site' | 'Team';
const LIST_PATH = { operators: 'operators', selected: 'selectedItems', excluded: 'excludedItems' } as const;
export type RefListName = keyof typeof LIST_PATH;

/** A role as the tests compare it: keys are `kind:id` (lower case), sorted. */
export interface RoleTruth {
	organizationId: string;
	name: string;
	roleType: string;
	operators: string[];
	/** An entire-organization role's selection counts as none. */
	selected: string[];
	excluded: string[];
}

export const refKey = (kind: string, id: string) => `${kind.toLowerCase()}:${id.toLowerCase()}`;

/** The simulator's roles right now, by lower-case ID. */
export function vb365Truth(sim: SimServer): Map<string, RoleTruth> {
	const truth = new Map<string, RoleTruth>();
	for (const role of vb365Product(sim).store.roles.values()) {
		const keys = (m: Map<string, { kind: string; id: string }>) => [...m.values()].map((r) => refKey(r.kind, r.id)).sort();
		truth.set(role.id.toLowerCase(), {
			organizationId: role.organizationId.toLowerCase(),
			name: role.name,
			roleType: role.roleType,
			operators: keys(role.operators),
			selected: role.roleType === 'EntireOrganization' ? [] : keys(role.selected),
			excluded: keys(role.excluded),
		});
	}
	return truth;
}

/** A directory object of an organization, for the admin's requests: `{ type, user | group | site | team }`. */
export interface DirectoryObject {
	kind: Kind;
	id: string;
	body: IDataObject;
}

/** The organization's users, groups, sites and teams as RBAC bodies. */
export function directoryObjects(sim: SimServer, organizationId: string): DirectoryObject[] {
	const dir = vb365Product(sim).store.directory(organizationId);
	const out: DirectoryObject[] = [];
	for (const u of dir.users.values()) out.push({ kind: 'User', id: u.id, body: { type: 'User', user: { id: u.id, displayName: u.displayName, name: u.name, type: 'User' } } });
	for (const g of dir.groups.values()) out.push({ kind: 'Group', id: g.id, body: { type: 'Group', group: { id: g.id, displayName: g.displayName, name: g.name, type: g.type } } });
	for (const s of dir.sites.values()) out.push({ kind: 'Site', id: s.id, body: { type: 'Site', site: { id: s.id, url: s.url, title: s.title, isCloud: s.isCloud, isPersonal: s.isPersonal } } });
	for (const t of dir.teams.values()) out.push({ kind: 'Team', id: t.id, body: { type: 'Team', team: { id: t.id, displayName: t.displayName, description: t.description, mail: t.mail } } });
	return out;
}

function expectOk(status: number, what: string, body: unknown): void {
	if (status < 200 || status >= 300) throw new Error(`${what} answered ${status}: ${JSON.stringify(body)}`);
}

/** A VB365 administrator at the REST API (v8). */
export class Vb365Admin {
	private http: AxiosInstance;

	constructor(private readonly sim: SimServer) {
		this.http = simClient(sim);
	}

	async login(): Promise<void> {
		const form = new URLSearchParams({ grant_type: 'password', username: VB365_DEFAULT_ADMIN, password: VB365_DEFAULT_PASSWORD, disable_antiforgery_token: 'true' });
		const res = await this.http.post('/v8/token', form.toString(), { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
		expectOk(res.status, 'login', res.data);
		this.http = simClient(this.sim, { token: (res.data as IDataObject).access_token as string });
	}

	private async call(method: 'get' | 'post' | 'put' | 'delete', path: string, body?: unknown, params?: IDataObject): Promise<unknown> {
		const request = async () => await this.http.request({ method, url: `/v8${path}`, data: body === undefined ? undefined : JSON.stringify(body), params, headers: body === undefined ? {} : { 'Content-Type': 'application/json' } });
		let res = await request();
		if (res.status === 401) {
			await this.login();
			res = await request();
		}
		expectOk(res.status, `${method.toUpperCase()} ${path}`, res.data);
		return res.data;
	}

	/** Returns the new role's ID. */
	async createRole(organizationId: string, name: string, roleType: 'EntireOrganization' | 'SpecificObjects', lists: { operators?: DirectoryObject[]; selected?: DirectoryObject[]; excluded?: DirectoryObject[] } = {}): Promise<string> {
		const created = (await this.call('post', `/Organizations/${organizationId}/RbacRoles`, {
			name,
			description: `${name} (test)`,
			roleType,
			operators: (lists.operators ?? []).map((o) => o.body),
			selectedItems: (lists.selected ?? []).map((o) => o.body),
			excludedItems: (lists.excluded ?? []).map((o) => o.body),
		})) as IDataObject;
		return String(created.id);
	}

	async deleteRole(roleId: string): Promise<void> {
		await this.call('delete', `/RbacRoles/${roleId}`);
	}

	async add(roleId: string, list: RefListName, objects: DirectoryObject[]): Promise<void> {
		await this.call('post', `/RbacRoles/${roleId}/${LIST_PATH[list]}`, objects.map((o) => o.body));
	}

	/** Removes objects (by their directory IDs) from a role's list: the list's own IDs are read first. */
	async remove(roleId: string, list: RefListName, objectIds: string[]): Promise<void> {
		const listed = (await this.call('get', `/RbacRoles/${roleId}/${LIST_PATH[list]}`)) as IDataObject[];
		const wanted = new Set(objectIds.map((id) => id.toLowerCase()));
		const ids = listed.filter((el) => {
			const inner = (el.user ?? el.group ?? el.site ?? el.team) as IDataObject | undefined;
			return inner && wanted.has(String(inner.id).toLowerCase());
		});
		if (ids.length !== wanted.size) throw new Error(`not every object is in ${list} of ${roleId}`);
		await this.call('delete', `/RbacRoles/${roleId}/${LIST_PATH[list]}`, undefined, { ids: ids.map((el) => String(el.id)).join(',') });
	}

	/** Changes the role type with PUT (the whole model: name, description, type and the selection it needs). */
	async setRoleType(roleId: string, roleType: 'EntireOrganization' | 'SpecificObjects', selected?: DirectoryObject[]): Promise<void> {
		const role = (await this.call('get', `/RbacRoles/${roleId}`)) as IDataObject;
		await this.call('put', `/RbacRoles/${roleId}`, { name: role.name, description: role.description, roleType, ...(selected ? { selectedItems: selected.map((o) => o.body) } : {}) });
	}
}

/** A role as the replay holds it: as RoleTruth, plus each member's name (what a removal shows). */
export interface ModelRole extends RoleTruth {
	names: Map<string, string>;
}

const keysOf = (list: unknown) => ((list ?? []) as IDataObject[]).map((e) => refKey(String(e.kind), String(e.id)));

/**
 * Replays one poll's items on `model` (a copy is returned): each event must start from what the
 * model holds (no operator added twice, none removed that was not there, no role created that
 * existed, every operator of a deleted role reported removed before it), nothing emitted twice.
 */
export function replayVb365(model: Map<string, ModelRole>, items: IDataObject[], where: string): Map<string, ModelRole> {
	const next = new Map([...model].map(([id, r]) => [id, { ...r, operators: [...r.operators], selected: [...r.selected], excluded: [...r.excluded], names: new Map(r.names) }]));
	const seen = new Set<string>();
	for (const item of items) {
		const role = item.role as IDataObject | null;
		const previous = item.previous as IDataObject | null;
		const id = String((role ?? previous)?.id).toLowerCase();
		const operator = item.operator as IDataObject | undefined;
		const key = `${String(item.event)} ${id} ${operator ? refKey(String(operator.kind), String(operator.id ?? operator.name)) : ''}`;
		if (seen.has(key)) throw new Error(`${where}: ${key} emitted twice`);
		seen.add(key);
		if (item.product !== 'vb365') throw new Error(`${where}: product ${String(item.product)}`);
		const held = next.get(id);
		switch (item.event) {
			case 'roleCreated': {
				if (held) throw new Error(`${where}: role ${id} created, but it was there`);
				const r = role as IDataObject;
				const names = new Map<string, string>();
				for (const e of [...((r.selectedItems ?? []) as IDataObject[]), ...((r.excludedItems ?? []) as IDataObject[])]) names.set(refKey(String(e.kind), String(e.id)), String(e.name));
				next.set(id, { organizationId: String((item.organization as IDataObject).id).toLowerCase(), name: String(r.name), roleType: String(r.roleType), operators: [], selected: keysOf(r.selectedItems).sort(), excluded: keysOf(r.excludedItems).sort(), names });
				break;
			}
			case 'roleDeleted':
				if (!held) throw new Error(`${where}: role ${id} deleted, but it was not there`);
				if (held.operators.length > 0) throw new Error(`${where}: role ${id} deleted with operators not reported removed: ${held.operators.join(', ')}`);
				next.delete(id);
				break;
			case 'operatorAdded': {
				if (!held) throw new Error(`${where}: operator added to ${id}, a role not there`);
				const k = refKey(String(operator?.kind), String(operator?.id));
				if (held.operators.includes(k)) throw new Error(`${where}: ${k} added to ${id}, but it was there`);
				held.operators = [...held.operators, k].sort();
				held.names.set(k, String(operator?.name));
				break;
			}
			case 'operatorRemoved': {
				if (!held) throw new Error(`${where}: operator removed from ${id}, a role not there`);
				const k = refKey(String(operator?.kind), String(operator?.id));
				if (!held.operators.includes(k)) throw new Error(`${where}: ${k} removed from ${id}, but it was not there`);
				if (held.names.get(k) !== operator?.name) throw new Error(`${where}: ${k} removed from ${id} shown as ${String(operator?.name)}, kept as ${String(held.names.get(k))}`);
				held.operators = held.operators.filter((x) => x !== k);
				break;
			}
			case 'roleScopeChanged': {
				if (!held || !role) throw new Error(`${where}: scope of ${id} changed, a role not there`);
				const changes = item.changes as IDataObject[];
				const type = changes.find((c) => c.field === 'roleType');
				if (type && type.from !== held.roleType) throw new Error(`${where}: ${id} roleType from ${String(type.from)}, held ${held.roleType}`);
				const now = { selected: role.roleType === 'EntireOrganization' ? [] : keysOf(role.selectedItems).sort(), excluded: keysOf(role.excludedItems).sort() };
				for (const [list, field] of [['selected', 'selectedItems'], ['excluded', 'excludedItems']] as const) {
					const change = changes.find((c) => c.field === field);
					const before = held[list];
					const added = now[list].filter((k) => !before.includes(k));
					const removed = before.filter((k) => !now[list].includes(k));
					const shownAdded = keysOf(change?.added).sort();
					const shownRemoved = ((change?.removed ?? []) as IDataObject[]).map((e) => `${String(e.kind)} ${String(e.name)}`).sort();
					const heldRemoved = removed.map((k) => `${k.split(':')[0]} ${held.names.get(k) ?? '?'}`).sort();
					if (JSON.stringify(shownAdded) !== JSON.stringify(added.sort()) || JSON.stringify(shownRemoved) !== JSON.stringify(heldRemoved)) {
						throw new Error(`${where}: ${id} ${field} shown +${JSON.stringify(shownAdded)} -${JSON.stringify(shownRemoved)}, held ${JSON.stringify(before)} now ${JSON.stringify(now[list])}`);
					}
				}
				for (const e of [...((role.selectedItems ?? []) as IDataObject[]), ...((role.excludedItems ?? []) as IDataObject[])]) held.names.set(refKey(String(e.kind), String(e.id)), String(e.name));
				held.roleType = String(role.roleType);
				held.selected = now.selected;
				held.excluded = now.excluded;
				break;
			}
			default:
				throw new Error(`${where}: unexpected event ${String(item.event)}`);
		}
	}
	return next;
}

/** The model without names, as the truth has it. */
export function comparable(model: Map<string, ModelRole | RoleTruth>): Record<string, RoleTruth> {
	return Object.fromEntries(
		[...model]
			.sort(([a], [b]) => a.localeCompare(b))
			.map(([id, r]) => [id, { organizationId: r.organizationId, name: r.name, roleType: r.roleType, operators: r.operators, selected: r.selected, excluded: r.excluded }]),
	);
}

/** The truth as a model (names from the store), for the baseline. */
export function modelOf(sim: SimServer): Map<string, ModelRole> {
	const store = vb365Product(sim).store;
	const model = new Map<string, ModelRole>();
	for (const [id, truth] of vb365Truth(sim)) {
		const role = store.role(id);
		const names = new Map<string, string>();
		for (const m of role ? [role.operators, role.selected, role.excluded] : []) {
			for (const ref of m.values()) {
				const object = store.object(role?.organizationId ?? '', ref.kind, ref.id);
				const rec = object?.record as { name?: string | null; url?: string; mail?: string; displayName?: string } | undefined;
				names.set(refKey(ref.kind, ref.id), String(ref.kind === 'Site' ? rec?.url : ref.kind === 'Team' ? rec?.mail : (rec?.name ?? '')));
			}
		}
		model.set(id, { ...truth, names });
	}
	return model;
}
