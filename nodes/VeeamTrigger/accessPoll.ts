/**
 * One poll's reading of custom roles and of the ACL of backups and jobs (VBR 13.1, REST 1.3-rev2),
 * for the role and access events. Veeam writes no authorization event for a role created, edited or
 * deleted, nor for an ACL change (sim/contracts/vbr-access-control.md, decision 2), so the trigger
 * compares complete lists between polls, as it does for users.
 *
 * Cost per poll, only for the parts chosen:
 * - role events: the custom-role list (`GET /roles?isBuiltInFilter=false`, one request per 200 roles)
 *   and each custom role's details (`GET /roles/{id}/details`: the list has no scopes), 8 at once;
 *   a role missing from the list is looked up (its details) before it is reported deleted.
 * - access events: the ACL list (`POST /acl`, paged: one request per page the server gives), each
 *   record it shows without delegations read once more (`GET /acl/{type}/{id}`: Veeam's list example
 *   omits delegations its record example has), and a look-up of each record missing from the list
 *   before it is reported removed.
 *
 * Within n8n's poll budget (progress.ts), the details are read in rounds while the budget holds
 * another round (the first round always), roles new since the last poll first, then the others from
 * where the last poll stopped (the state keeps that role: `cursor`). A role whose details were not
 * read keeps its stored scopes until a later poll reads them; a new role is reported when its details
 * are read. The lists themselves are read whole; when the budget has no room left for them after the
 * user listing, the role or access part waits for the next poll (nothing is compared, nothing lost).
 */
import { NodeOperationError, type INode } from 'n8n-workflow';

import type { VbrAcl } from '../../client/adapters/vbrAcl';
import { aclObjectTypeOf } from '../../client/adapters/vbrAclRecord';
import type { VbrCustomRoles } from '../../client/adapters/vbrCustomRoles';
import type { UserDirectory } from '../../client/model';
import { PRODUCT_NAMES } from '../../client/products';
import { runPool } from '../../client/pool';
import { aclKey, diffAcl, diffRoles, normalizeAcl, ROLE_SCOPES, type AccessEvent, type AclEntry, type CurrentRole, type RoleDetails, type RoleEvent, type TrackedRole } from './accessModel';
import type { PollBudget } from './progress';

/** Details and record look-ups in flight at once. */
export const ACCESS_CONCURRENCY = 8;

export interface RolePoll {
	/** Undefined: no stored roles (a baseline). */
	events?: RoleEvent[];
	next: TrackedRole[];
	cursor?: string;
	/** Details requests this poll. */
	detailsRead: number;
}

export interface AclPoll {
	events?: AccessEvent[];
	next: AclEntry[];
	/** Records the list carried that could not be read (kept as stored, never reported). */
	skipped: number;
	/** Records read once more for their delegations. */
	reread: number;
}

/** The role and access parts a directory offers, or a clear error naming the product. */
export function accessClients(directory: UserDirectory, node: INode, want: { roles: boolean; acl: boolean }): { roles?: VbrCustomRoles; acl?: VbrAcl } {
	const roles = want.roles ? directory.customRoles?.() : undefined;
	const acl = want.acl ? directory.acl?.() : undefined;
	if ((want.roles && !roles) || (want.acl && !acl)) {
		throw new NodeOperationError(node, 'Role and access events are for Veeam Backup & Replication 13.1 (REST API 1.3-rev2) only', {
			description: `This trigger watches ${PRODUCT_NAMES[directory.product]}: choose other events, or the product Veeam Backup & Replication.`,
		});
	}
	return { roles, acl };
}

function currentFrom(details: Awaited<ReturnType<VbrCustomRoles['details']>> & object, listed?: CurrentRole): CurrentRole {
	const scopes: RoleDetails['scopes'] = {};
	for (const s of ROLE_SCOPES) if (details[s] !== undefined) scopes[s] = details[s];
	return {
		id: listed?.id ?? details.id,
		name: listed?.name ?? details.name,
		description: listed ? listed.description : details.description,
		details: { manageBackups: details.manageBackups, manageRestores: details.manageRestores, scopes },
	};
}

/** The order details are read in: new roles, then the others after `cursor` (by id), wrapping round. */
function detailOrder(ids: string[], stored: ReadonlyMap<string, TrackedRole> | undefined, cursor: string | undefined): string[] {
	const fresh = ids.filter((id) => !stored?.has(id)).sort();
	const known = ids.filter((id) => stored?.has(id)).sort();
	const from = cursor === undefined ? 0 : known.findIndex((id) => id > cursor);
	const start = from < 0 ? 0 : from;
	return [...fresh, ...known.slice(start), ...known.slice(0, start)];
}

export async function pollRoles(
	client: VbrCustomRoles,
	stored: ReadonlyMap<string, TrackedRole> | undefined,
	cursor: string | undefined,
	budget: PollBudget | undefined,
): Promise<RolePoll> {
	const now = new Map<string, CurrentRole>();
	for (const r of await client.list({ builtIn: false })) {
		if (r.isBuiltIn === true) continue;
		now.set(r.id.toLowerCase(), { id: r.id, name: r.name, ...(r.description !== undefined ? { description: r.description } : {}) });
	}
	const gone = new Set<string>();
	const lookUp = async (ids: string[]) => {
		const outcomes = await runPool(ids.length, async (i) => await client.details(ids[i]), { concurrency: ACCESS_CONCURRENCY, stopOnError: true });
		for (const [i, outcome] of outcomes.entries()) {
			if (!outcome) continue;
			if (!outcome.ok) throw outcome.error;
			const id = ids[i];
			const details = outcome.value;
			// Identity is the id (the adapter checks the answer echoes it); NotFound: the role is gone.
			if (details) now.set(id, currentFrom(details, now.get(id)));
			else {
				now.delete(id);
				gone.add(id);
			}
		}
	};
	// A role the list lacks may have slipped between two pages: looked up (its details) before it is called deleted.
	const missing = [...(stored?.keys() ?? [])].filter((id) => !now.has(id));
	await lookUp(missing);
	const order = detailOrder([...now.keys()].filter((id) => !now.get(id)?.details), stored, cursor);
	let done = 0;
	while (done < order.length && (!budget || done === 0 || budget.roomForPage())) {
		const round = order.slice(done, done + ACCESS_CONCURRENCY);
		const started = budget?.now() ?? 0;
		await lookUp(round);
		budget?.pageTook(budget.now() - started);
		done += round.length;
	}
	// Where the next poll goes on: after the last stored role read now (in a baseline, the last role
	// read); when only new roles were read, where the last poll said. Undefined: every role was read.
	const readNow = order.slice(0, done).filter((id) => !stored || stored.has(id));
	const next = done >= order.length ? undefined : readNow.length > 0 ? readNow[readNow.length - 1] : cursor;
	const diff = diffRoles(stored ?? new Map(), now, gone, !stored);
	if (!stored) return { next: diff.next, detailsRead: missing.length + done, ...(next ? { cursor: next } : {}) };
	return { events: diff.events, next: diff.next, detailsRead: missing.length + done, ...(next ? { cursor: next } : {}) };
}

export async function pollAcl(client: VbrAcl, stored: ReadonlyMap<string, AclEntry> | undefined): Promise<AclPoll> {
	const now = new Map<string, AclEntry>();
	// Veeam's list example carries no `effectiveAccess` for a job its record example shows delegated:
	// each record the list shows without delegations is read once more (the adapter's completeDelegations),
	// or a delegation the list hides would never be seen, or be seen to come and go.
	const listing = await client.listing({}, { completeDelegations: true });
	for (const record of listing.records) {
		const entry = normalizeAcl(record);
		now.set(aclKey(entry), entry);
	}
	// A record the list carried but the adapter could not read (an unknown object type, an ID that is
	// no UUID) is neither compared nor removed: its stored entry stays as it was.
	const unreadable = new Set(
		listing.skipped.flatMap((k) => {
			const type = aclObjectTypeOf(k.objectType);
			return type && k.objectId ? [aclKey({ type, id: k.objectId })] : [];
		}),
	);
	// A record missing from a complete listing (the adapter reads every page or fails) is looked up
	// before it is called removed: paging by position can skip one when the list shifts.
	const missing = [...(stored?.values() ?? [])].filter((e) => !now.has(aclKey(e)) && !unreadable.has(aclKey(e)));
	const gone = new Set<string>();
	const outcomes = await runPool(
		missing.length,
		async (i) => {
			const type = missing[i].type;
			if (type !== 'backupJob' && type !== 'backup') throw new Error(`stored ACL record of unknown type ${type}`);
			return await client.record(type, missing[i].id);
		},
		{ concurrency: ACCESS_CONCURRENCY, stopOnError: true },
	);
	for (const [i, outcome] of outcomes.entries()) {
		if (!outcome) continue;
		if (!outcome.ok) throw outcome.error;
		const key = aclKey(missing[i]);
		if (outcome.value) {
			const entry = normalizeAcl(outcome.value);
			now.set(aclKey(entry), entry);
		} else gone.add(key);
	}
	const diff = diffAcl(stored ?? new Map(), now, gone);
	return { ...(stored ? { events: diff.events } : {}), next: diff.next, skipped: listing.skipped.length, reread: listing.reread };
}
