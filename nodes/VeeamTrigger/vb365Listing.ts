/**
 * Reading Veeam Backup for Microsoft 365 for the trigger: the restore-operator roles of one
 * organization (`GET /v8/Organizations/{id}/RbacRoles`) or of every one (`GET /v8/RbacRoles`), then,
 * several at once, what the chosen events need of each role: its operators (`GET …/operators`) for
 * operator events; for scope changes its excluded items and, for a role of specific objects, its
 * selected items (`GET …/excludedItems`, `…/selectedItems`; an entire-organization role's scope is
 * the whole organization: its selection is not read). Nothing more: no item is read unless scope
 * changes are chosen.
 *
 * Veeam's role, operator and item lists are plain arrays, with no count to check them by; nothing
 * read is taken for more than it shows (issue 29: "a read that fails or looks partial never emits a
 * removal or a deletion"):
 * - a kept role the role list lacks is looked up (`GET /v8/RbacRoles/{id}`) before it is called
 *   deleted; found, it is read as if listed;
 * - a read of a role's operators or items that fails: the role is looked up; gone, it was deleted
 *   meanwhile (reported as deleted if it was kept, else nothing: created and deleted between two
 *   polls); still there, the error fails the poll (nothing emitted, the state unchanged);
 * - a role whose operators or items seem to have lost some is read once more (after the first
 *   reads), and only what both reads lack is taken as removed; what the second read shows again
 *   stays. What the second read adds is left for the next poll.
 */
import { runPool } from '../../client/pool';
import type { Vb365Access, Vb365Item, Vb365ItemList, Vb365Operator, Vb365Role } from '../../client/vb365Model';
import { entityKey, type TrackedVb365Role } from './vb365State';

/** Reads in flight at once (the issue: "several at once"). */
export const VB365_CONCURRENCY = 8;

export interface Vb365ReadOptions {
	/** One organization (its ID), or every one. */
	organizationId?: string;
	/** Read each role's operators (operator events chosen). */
	operators: boolean;
	/** Read each role's excluded and (specific objects) selected items (scope changes chosen). */
	scope: boolean;
	concurrency?: number;
}

export interface Vb365Read {
	/** The roles as they are now, by lower-case ID, each with the lists read. */
	current: Map<string, Vb365Role>;
	/** Requests made (for the tests' cost checks). */
	requests: number;
	/** Roles the listing lacked but their look-up found. */
	foundByLookUp: number;
}

type ListName = 'operators' | Vb365ItemList;
type Members = Vb365Operator[] | Vb365Item[];

/** Which lists of this role to read. */
function listsOf(role: Vb365Role, options: Vb365ReadOptions): ListName[] {
	const lists: ListName[] = [];
	if (options.operators) lists.push('operators');
	if (options.scope) {
		if (role.roleType !== 'EntireOrganization') lists.push('selected');
		lists.push('excluded');
	}
	return lists;
}

function setList(role: Vb365Role, list: ListName, members: Members): void {
	if (list === 'operators') role.operators = members as Vb365Operator[];
	else if (list === 'selected') role.selected = members as Vb365Item[];
	else role.excluded = members as Vb365Item[];
}

function getList(role: Vb365Role | TrackedVb365Role, list: ListName): Array<{ kind: string; id?: string; digest?: string }> | undefined {
	return list === 'operators' ? role.operators : list === 'selected' ? role.selected : role.excluded;
}

export async function readVb365(access: Vb365Access, stored: ReadonlyMap<string, TrackedVb365Role>, options: Vb365ReadOptions): Promise<Vb365Read> {
	const concurrency = options.concurrency ?? VB365_CONCURRENCY;
	let requests = 1;
	const current = new Map<string, Vb365Role>();
	for (const role of await access.roles(options.organizationId)) {
		if (options.organizationId && role.organizationId !== options.organizationId.toLowerCase()) continue;
		current.set(role.id.toLowerCase(), { ...role });
	}
	// Kept roles the list lacks: looked up before any is called deleted.
	const missing = [...stored.keys()].filter((id) => !current.has(id));
	let foundByLookUp = 0;
	const lookUp = async (ids: string[]) => {
		const outcomes = await runPool(ids.length, async (i) => await access.role(ids[i]), { concurrency, stopOnError: true });
		requests += ids.length;
		return outcomes.map((o) => {
			if (!o) throw new Error('a role look-up was not made');
			if (!o.ok) throw o.error;
			return o.value;
		});
	};
	for (const [i, role] of (await lookUp(missing)).entries()) {
		// Found (whatever organization it names: a role never moves, and it is not to be called deleted).
		if (!role) continue;
		current.set(missing[i], { ...role });
		foundByLookUp++;
	}

	// Each role's lists, several at once; a failed read is set aside until its role is looked up.
	const read = async (tasks: Array<{ id: string; list: ListName }>): Promise<Map<string, Map<ListName, Members>>> => {
		const outcomes = await runPool(
			tasks.length,
			async (i) => {
				const { id, list } = tasks[i];
				return list === 'operators' ? await access.operators(id) : await access.items(id, list);
			},
			{ concurrency, stopOnError: false },
		);
		requests += tasks.length;
		const got = new Map<string, Map<ListName, Members>>();
		const failed = new Map<string, unknown>();
		outcomes.forEach((o, i) => {
			const { id, list } = tasks[i];
			if (!o || !o.ok) {
				if (!failed.has(id)) failed.set(id, o ? o.error : new Error('a read was not made'));
				return;
			}
			const lists = got.get(id) ?? new Map<ListName, Members>();
			lists.set(list, o.value);
			got.set(id, lists);
		});
		const ids = [...failed.keys()];
		for (const [i, role] of (await lookUp(ids)).entries()) {
			// Still there: the error stands (the poll fails). Gone: deleted meanwhile.
			if (role) throw failed.get(ids[i]);
			current.delete(ids[i]);
			got.delete(ids[i]);
		}
		return got;
	};
	const tasks = [...current.entries()].flatMap(([id, role]) => listsOf(role, options).map((list) => ({ id, list })));
	for (const [id, lists] of await read(tasks)) {
		const role = current.get(id);
		if (role) for (const [list, members] of lists) setList(role, list, members);
	}

	// Lists that seem to have lost members the state keeps: read again; removed is what both lack.
	const again: Array<{ id: string; list: ListName }> = [];
	for (const [id, role] of current) {
		const before = stored.get(id);
		if (!before) continue;
		for (const list of listsOf(role, options)) {
			const now = getList(role, list);
			const kept = getList(before, list);
			if (!now || !kept) continue;
			const seen = new Set(now.map((e) => entityKey(e)));
			if (kept.some((e) => !seen.has(entityKey(e)))) again.push({ id, list });
		}
	}
	if (again.length > 0) {
		for (const [id, lists] of await read(again)) {
			const role = current.get(id);
			const before = stored.get(id);
			if (!role || !before) continue;
			for (const [list, second] of lists) {
				const first = (getList(role, list) ?? []) as Array<Vb365Operator | Vb365Item>;
				const seen = new Set(first.map(entityKey));
				const kept = new Set((getList(before, list) ?? []).map((e) => entityKey(e)));
				const back = (second as Array<Vb365Operator | Vb365Item>).filter((e) => kept.has(entityKey(e)) && !seen.has(entityKey(e)));
				if (back.length > 0) setList(role, list, [...first, ...back] as Members);
			}
		}
	}
	return { current, requests, foundByLookUp };
}
