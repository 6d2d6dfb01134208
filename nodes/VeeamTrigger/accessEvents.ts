/**
 * The Veeam Trigger's role and access events (VBR 13.1, REST 1.3-rev2): `roleCreated`,
 * `roleChanged`, `roleDeleted` (custom roles) and `accessChanged` (the owner, rights or delegations
 * of a backup's or a job's ACL record; a record added or removed). Opt-in: none is in the default
 * selection, so a trigger that does not choose them costs what it cost before.
 *
 * Once only, with the user snapshot's rules (poll.ts): the state (accessState.ts) is written only
 * after complete lists were read and compared, in the poll that emits their events, and n8n saves it
 * with those items; a poll that fails writes nothing, so the next good poll reports everything since
 * the last good one. The first poll (or the first after a part was chosen, or after a change of
 * server or version) records a baseline and reports nothing of that part. Two polls of one activation
 * that overlap (a slow server, a short interval) read the same stored state: only the first to finish
 * commits and emits; the other, finding a state written meanwhile (`seq`), reports nothing of these
 * events (the next poll compares with what the first stored).
 */
import { NodeOperationError, type IDataObject, type INode } from 'n8n-workflow';

import type { Product, UserDirectory } from '../../client/model';
import { PRODUCT_NAMES } from '../../client/products';
import { ACCESS_EVENTS, ROLE_EVENTS, isAccessEvent, isRoleEvent, type AccessEvent, type AclEntry, type CurrentRole, type RoleEvent, type RoleEventType, type TrackedRole } from './accessModel';
import { accessClients, pollAcl, pollRoles } from './accessPoll';
import { ACCESS_STATE_KEY, currentSeq, encodeAccess, openAccess } from './accessState';
import type { PollBudget } from './progress';

export { ACCESS_EVENTS, ROLE_EVENTS };

export interface AccessConfig {
	roles: ReadonlySet<RoleEventType>;
	access: boolean;
}

/** The role and access events chosen; on another product than VBR, a clear error (the editor does not offer them there). */
export function readAccessConfig(node: INode, product: Product, events: unknown): AccessConfig {
	const list = Array.isArray(events) ? events : [];
	const roles = new Set(list.filter(isRoleEvent));
	const access = list.some(isAccessEvent);
	if ((roles.size > 0 || access) && product !== 'vbr') {
		throw new NodeOperationError(node, `Role and access events are not offered for ${PRODUCT_NAMES[product]}`, {
			description: 'Custom roles and the access to backups and jobs are Veeam Backup & Replication 13.1 (REST API 1.3-rev2) features: choose other events, or the product Veeam Backup & Replication.',
		});
	}
	return { roles, access };
}

export const wantsAccess = (c: AccessConfig) => c.roles.size > 0 || c.access;

export interface AccessOutcome {
	/** The items of this poll's role and access events (compared with the stored state). */
	items: IDataObject[];
	/**
	 * Writes the new state, if the stored state is still the one this poll started from, and
	 * returns the items to emit; else writes nothing and returns none (an overlapping poll won).
	 * Synchronous: nothing runs between the check and the write.
	 */
	commit(): IDataObject[];
	/** Parts that recorded a baseline, and why (for the log). */
	baselines: string[];
	/** What n8n's log should say (records that could not be read). */
	warnings: string[];
	/** For "Fetch Test Event" when there is no real change: a few current roles and records shaped as events, marked as samples. */
	samples: IDataObject[];
}

const SAMPLE_NOTE = 'A sample built from a current role or ACL record for mapping fields: not a change that happened.';
const SAMPLES = 5;

/** A role in an item: the list's fields, and the details where read in this poll. */
function roleItem(role: CurrentRole | null): IDataObject | null {
	if (!role) return null;
	const d = role.details;
	return JSON.parse(
		JSON.stringify({
			id: role.id,
			name: role.name,
			description: role.description ?? null,
			...(d ? { manageBackups: d.manageBackups ?? null, manageRestores: d.manageRestores ?? null, ...d.scopes } : {}),
		}),
	) as IDataObject;
}

/** A role as the state kept it (scopes only as digests: not shown). */
function trackedItem(role: TrackedRole | null): IDataObject | null {
	if (!role) return null;
	return { id: role.id, name: role.name, description: role.description ?? null, manageBackups: role.manageBackups ?? null, manageRestores: role.manageRestores ?? null };
}

function accessItem(entry: AclEntry | null): IDataObject | null {
	if (!entry) return null;
	return JSON.parse(JSON.stringify({ owner: entry.owner, rights: entry.rights, effectiveAccess: entry.effectiveAccess, delegationsShown: entry.delegationsShown })) as IDataObject;
}

export function roleEventItem(e: RoleEvent, detectedAt: string): IDataObject {
	return { event: e.event, product: 'vbr', role: roleItem(e.role), previous: trackedItem(e.previous), changes: JSON.parse(JSON.stringify(e.changes)) as IDataObject[], detectedAt };
}

export function accessEventItem(e: AccessEvent, detectedAt: string): IDataObject {
	const object = e.access ?? e.previous;
	return {
		event: e.event,
		product: 'vbr',
		change: e.change,
		object: { type: object?.type, id: object?.id },
		access: accessItem(e.access),
		previous: accessItem(e.previous),
		changes: JSON.parse(JSON.stringify(e.changes)) as IDataObject[],
		detectedAt,
	};
}

/**
 * Reads and compares the chosen parts (nothing is written: see `commit`). `budget`: where n8n gives
 * one, a part whose list would start without room left waits for the next poll.
 */
export async function pollAccess(
	node: INode,
	directory: UserDirectory,
	staticData: IDataObject,
	cfg: string,
	apiVersion: string | undefined,
	config: AccessConfig,
	budget: PollBudget | undefined,
	detectedAt: string,
): Promise<AccessOutcome> {
	const clients = accessClients(directory, node, { roles: config.roles.size > 0, acl: config.access });
	const opened = openAccess(staticData, cfg, apiVersion);
	const baselines: string[] = [];
	const warnings: string[] = [];
	const room = () => !budget || budget.roomForPage();
	let roles: Awaited<ReturnType<typeof pollRoles>> | undefined;
	let acl: Awaited<ReturnType<typeof pollAcl>> | undefined;
	if (clients.roles && room()) {
		roles = await pollRoles(clients.roles, opened.roles, opened.cursor, budget);
		if (!roles.events) baselines.push(`custom roles: ${roles.next.length} (${opened.reason.roles ?? 'no baseline yet'})`);
	}
	if (clients.acl && room()) {
		acl = await pollAcl(clients.acl, opened.acl);
		if (!acl.events) baselines.push(`ACL records: ${acl.next.length} (${opened.reason.acl ?? 'no baseline yet'})`);
		if (acl.skipped > 0) warnings.push(`${acl.skipped} ACL records could not be read (unknown object type or ID) and are not watched`);
	}
	const items = [
		...(roles?.events ?? []).filter((e) => config.roles.has(e.event)).map((e) => roleEventItem(e, detectedAt)),
		...(acl?.events ?? []).map((e) => accessEventItem(e, detectedAt)),
	];
	const commit = (): IDataObject[] => {
		if (currentSeq(staticData) !== opened.seq) return [];
		// A part this poll did not read (the budget) keeps what was stored; a part not chosen is dropped.
		const keptRoles = roles ? { roles: roles.next, cursor: roles.cursor } : clients.roles && opened.roles ? { roles: opened.roles.values(), cursor: opened.cursor } : undefined;
		const keptAcl = acl ? acl.next : clients.acl && opened.acl ? opened.acl.values() : undefined;
		staticData[ACCESS_STATE_KEY] = encodeAccess(cfg, opened.seq + 1, { roles: keptRoles, acl: keptAcl, apiVersion });
		return items;
	};
	const sample = { sample: true, sampleNote: SAMPLE_NOTE };
	const samples = [
		...(roles?.next ?? []).slice(0, SAMPLES).map((r) => ({ ...roleEventItem({ event: 'roleCreated', id: r.id, role: { id: r.id, name: r.name, description: r.description }, previous: null, changes: [] }, detectedAt), ...sample })),
		...(config.access ? (acl?.next ?? []).slice(0, SAMPLES) : []).map((e) => ({ ...accessEventItem({ event: 'accessChanged', change: 'added', key: '', access: e, previous: null, changes: [] }, detectedAt), ...sample })),
	];
	return { items, commit, baselines, warnings, samples };
}

/** Without role or access events chosen: their state is dropped (choosing them again starts a baseline). */
export function dropAccessState(staticData: IDataObject): void {
	if (staticData[ACCESS_STATE_KEY] !== undefined) delete staticData[ACCESS_STATE_KEY];
}
