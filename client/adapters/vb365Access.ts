/**
 * Vb365Access (client/vb365Model.ts) over the VB365 client: role CRUD, operators and items added
 * and removed, look-ups (vb365Lookup.ts) and the whole picture of roles with their operators.
 * Every change is preceded by a read (a change the server already shows is not sent: idempotent)
 * and followed by one (the read-back is what is returned; a change it does not show is an error).
 * After an unclear outcome (the answer was lost) the server is read before anything is sent again,
 * and it is sent again once at most.
 */
import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { runPool } from '../pool';
import { UnclearOutcomeError, VeeamApiError } from '../transport';
import type {
	Vb365Access,
	Vb365GroupMember,
	Vb365Item,
	Vb365ItemKind,
	Vb365ItemList,
	Vb365NewRole,
	Vb365Operator,
	Vb365Organization,
	Vb365Principal,
	Vb365PrincipalKind,
	Vb365Role,
	Vb365RoleChanges,
} from '../vb365Model';
import { afterChange, isNotFoundAnswer, ITEM_LIST_PATH, PRODUCT_NAME, type Vb365Client } from './vb365Client';
import { findItem, findOrganization, findPrincipal, idSegment } from './vb365Lookup';
import { isSamePrincipal, listableId } from './vb365Match';
import { groupMemberOf, itemBody, objectAnswer, operatorBody, roleOf, sameId } from './vb365Read';
import { roleBody, roleNameProblem, roleProblem, roleTypeProblem, sameText } from './vb365Roles';

/** Operator or item IDs per DELETE (`?ids=a,b`): keeps the URL short. */
const IDS_PER_DELETE = 20;
/** Operator reads in flight for the whole picture (the issue: "several at once, e.g. 8"). */
export const DEFAULT_CONCURRENCY = 8;

/**
 * Sends `send(todo)` for what `pending()` says is not done yet (`first`: what a read the caller just
 * made says, instead of reading again). After an unclear outcome the server is read (`readAfterSend`:
 * its failure is a Vb365ReadBackError) and what is still pending is sent once more; any other failure
 * is thrown as it is.
 */
async function sendUntilShown<T>(pending: () => Promise<T[]>, send: (todo: T[]) => Promise<unknown>, first: T[] | undefined, readAfterSend: (read: () => Promise<T[]>) => Promise<T[]>): Promise<void> {
	for (let attempt = 0; ; attempt++) {
		const todo = attempt === 0 ? (first ?? (await pending())) : await readAfterSend(pending);
		if (todo.length === 0) return;
		const error = await send(todo).then(
			() => undefined,
			(e: unknown) => e,
		);
		if (error === undefined) return;
		if (!(error instanceof UnclearOutcomeError)) throw error;
		if (attempt >= 1) throw error.apiError;
	}
}

function chunks<T>(list: T[], size: number): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}

const sameItem = (a: Pick<Vb365Item, 'kind' | 'id'>, b: Pick<Vb365Item, 'kind' | 'id'>) => a.kind === b.kind && sameId(a.id, b.id);

export class Vb365AccessClient implements Vb365Access {
	constructor(private readonly client: Vb365Client) {}

	private get node() {
		return this.client.node;
	}

	async organizations(): Promise<Vb365Organization[]> {
		return await this.client.organizations();
	}

	async findOrganization(nameOrId: string, field: string): Promise<Vb365Organization> {
		return await findOrganization(this.client, nameOrId, field);
	}

	async roles(organizationId?: string): Promise<Vb365Role[]> {
		return await this.client.roles(organizationId);
	}

	async role(roleId: string): Promise<Vb365Role | undefined> {
		return await this.client.role(roleId);
	}

	async operators(roleId: string): Promise<Vb365Operator[]> {
		return await this.client.operators(roleId);
	}

	async items(roleId: string, list: Vb365ItemList): Promise<Vb365Item[]> {
		return await this.client.items(roleId, list);
	}

	async findPrincipal(organizationId: string, text: string, kind: Vb365PrincipalKind | undefined, field: string): Promise<Vb365Principal | undefined> {
		return await findPrincipal(this.client, organizationId, text, kind, field);
	}

	async findItem(organizationId: string, text: string, kind: Vb365ItemKind, field: string): Promise<Vb365Item | undefined> {
		return await findItem(this.client, organizationId, text, kind, field);
	}

	/** A role by ID, read with operators and items now; a NodeOperationError when the server has none. */
	private async existingRole(roleId: string): Promise<Vb365Role & Required<Pick<Vb365Role, 'operators' | 'selected' | 'excluded'>>> {
		const role = await this.client.fullRole(roleId);
		if (!role?.operators || !role.selected || !role.excluded) throw new NodeOperationError(this.node, `${PRODUCT_NAME} has no restore operator role with the ID ${roleId}`);
		return role as Vb365Role & Required<Pick<Vb365Role, 'operators' | 'selected' | 'excluded'>>;
	}

	async createRole(spec: Vb365NewRole): Promise<Vb365Role> {
		const unknown = [...(spec.selected ?? []), ...(spec.excluded ?? [])].find((i) => i.kind === 'unknown');
		const problem = roleProblem(spec) ?? (unknown ? `its item "${unknown.name || unknown.id}" is of type ${unknown.sentType ?? 'unknown'}, not a user, group, site or team` : undefined);
		if (problem) throw new NodeOperationError(this.node, `Cannot create the restore operator role "${spec.name}": ${problem}`, { description: 'Nothing was sent.' });
		const path = this.client.organizationPath(spec.organizationId, '/RbacRoles');
		const named = async () => (await this.client.roles(spec.organizationId)).filter((r) => sameText(r.name, spec.name));
		const before = await named();
		if (before.length) {
			throw new NodeOperationError(this.node, `The organization has a restore operator role named "${spec.name}" already (ID ${before[0].id})`, { description: 'Nothing was sent.' });
		}
		// Operators and items read from another role keep no id of that role in the new one.
		const body = roleBody(
			{
				...spec,
				operators: spec.operators?.map((o) => ({ ...o, operatorId: undefined })),
				selected: spec.selected?.map((i) => ({ ...i, itemId: undefined })),
				excluded: spec.excluded?.map((i) => ({ ...i, itemId: undefined })),
			},
			await this.client.bodyOptions(),
		);
		let id: string | undefined;
		for (let attempt = 0; id === undefined; attempt++) {
			const answer = await this.client.call<unknown>({ method: 'POST', path, body }).catch(async (error: unknown) => {
				if (error instanceof UnclearOutcomeError && attempt === 0) return undefined;
				if (error instanceof VeeamApiError) await this.createRefusalHint(error, spec.organizationId);
				throw error instanceof UnclearOutcomeError ? error.apiError : error;
			});
			if (answer !== undefined) {
				// The answer's role, when it is the one sent (201 RESTRbacRole); else looked up by name.
				const call = `POST ${path}`;
				const role = roleOf(this.node, call, objectAnswer(this.node, call, answer), spec.organizationId);
				if (!sameText(role.name, spec.name) || !sameId(role.organizationId, spec.organizationId)) throw this.client.notApplied(`the role "${spec.name}" as created`, `it answered with the role "${role.name}" (${role.id})`);
				id = role.id;
				break;
			}
			const found = await named();
			if (found.length === 1) id = found[0].id;
			else if (found.length > 1) throw this.client.notApplied(`one role "${spec.name}"`, `it has ${found.length} of that name after an unclear answer`);
		}
		const created = id;
		const role = await afterChange(this.node, `The new role "${spec.name}" (ID ${created})`, async () => await this.existingRole(created));
		const missing = [
			...(spec.operators ?? []).filter((p) => !role.operators.some((o) => isSamePrincipal(o, p))).map((p) => `operator ${p.name || p.id}`),
			...(spec.selected ?? []).filter((i) => !role.selected.some((s) => sameItem(s, i))).map((i) => `item ${i.name || i.id}`),
			...(spec.excluded ?? []).filter((i) => !role.excluded.some((s) => sameItem(s, i))).map((i) => `excluded item ${i.name || i.id}`),
		];
		if (!sameText(role.name, spec.name) || (role.roleType !== undefined && role.roleType !== spec.roleType) || missing.length) {
			throw this.client.notApplied(`the role "${spec.name}" as sent`, `it reads "${role.name}", ${role.roleType ?? 'no role type'}${missing.length ? `, without ${missing.join(', ')}` : ''}`);
		}
		return role;
	}

	/**
	 * A create the server refused (a 4xx other than 401, 403, 429) may be refused for the organization:
	 * Veeam's Add-VBORbacRole says "The organization must be a Microsoft 365 organization with modern
	 * app-only authentication or hybrid organization" (the REST reference says nothing). Said as a
	 * possibility, with the organization's type where known; the server's own words stay first.
	 */
	private async createRefusalHint(error: VeeamApiError, organizationId: string): Promise<void> {
		if (error.status < 400 || error.status >= 500 || [401, 403, 429].includes(error.status)) return;
		const org = (await this.client.organizations().catch(() => [])).find((o) => sameId(o.id, organizationId));
		const type = org?.type ? ` (this one is of type ${org.type})` : '';
		error.description = `${error.description ?? ''} It may be the organization${type}: Veeam adds restore operator roles only to Microsoft 365 organizations with modern app-only authentication and to hybrid organizations (PowerShell reference, Add-VBORbacRole).`.trim();
	}

	async updateRole(roleId: string, changes: Vb365RoleChanges): Promise<Vb365Role> {
		const role = await this.existingRole(roleId);
		const wanted = { name: changes.name ?? role.name, description: changes.description ?? role.description, roleType: changes.roleType ?? role.roleType };
		const asked = changes.name !== undefined || changes.description !== undefined || changes.roleType !== undefined;
		if (!asked || (wanted.name === role.name && wanted.description === role.description && wanted.roleType === role.roleType)) return role;
		if (!wanted.roleType) throw new NodeOperationError(this.node, `The role "${role.name}" has no role type the node knows; give one`, { description: 'Nothing was sent.' });
		const spec = { ...role, ...wanted, roleType: wanted.roleType };
		// Only what changes is judged: a role the server already has as it is keeps being editable.
		const problem = (changes.name !== undefined ? roleNameProblem(wanted.name) : undefined) ?? (wanted.roleType !== role.roleType ? roleTypeProblem(wanted.roleType, role.selected) : undefined);
		if (problem) throw new NodeOperationError(this.node, `Cannot change the restore operator role "${role.name}": ${problem}`, { description: 'Nothing was sent.' });
		if (!sameText(wanted.name, role.name) && (await this.client.roles(role.organizationId)).some((r) => !sameId(r.id, roleId) && sameText(r.name, wanted.name))) {
			throw new NodeOperationError(this.node, `The organization has another restore operator role named "${wanted.name}"`, { description: 'Nothing was sent.' });
		}
		// The whole model, with the operators and items as just read (a PUT that replaces loses nothing).
		await this.client.call({ method: 'PUT', path: this.client.rolePath(roleId), body: { id: role.id, organizationId: role.organizationId, ...roleBody(spec, await this.client.bodyOptions()) }, idempotent: true });
		const after = await afterChange(this.node, `The change of the role "${role.name}"`, async () => await this.existingRole(roleId));
		if (after.name !== wanted.name || after.description !== wanted.description || (after.roleType !== undefined && after.roleType !== wanted.roleType)) {
			throw this.client.notApplied(`the change of the role "${role.name}"`, `it reads "${after.name}", "${after.description}", ${after.roleType ?? 'no role type'}`);
		}
		// The PUT carried the operators and items as read: one the read-back lacks was lost by it (selected
		// items may go with a switch to EntireOrganization). Said, never passed over.
		const lost = [
			...role.operators.filter((o) => !after.operators.some((a) => isSamePrincipal(a, o))).map((o) => `operator ${o.name || o.displayName || o.id}`),
			...role.excluded.filter((i) => !after.excluded.some((a) => sameItem(a, i))).map((i) => `excluded item ${i.name || i.id}`),
			...(wanted.roleType === 'SpecificObjects' ? role.selected.filter((i) => !after.selected.some((a) => sameItem(a, i))).map((i) => `item ${i.name || i.id}`) : []),
		];
		if (lost.length) {
			throw new NodeOperationError(this.node, `${PRODUCT_NAME} changed the role "${role.name}" but its read-back lacks ${lost.join(', ')}`, {
				description: 'The edit (PUT) sent them as they were read. Check the role: they are no longer in it.',
			});
		}
		return after;
	}

	async deleteRole(roleId: string): Promise<'deleted' | 'absent'> {
		const path = this.client.rolePath(roleId);
		if (!(await this.client.role(roleId))) return 'absent';
		for (let attempt = 0; ; attempt++) {
			const error = await this.client.call({ method: 'DELETE', path }).then(
				() => undefined,
				(e: unknown) => e,
			);
			if (error !== undefined && !isNotFoundAnswer(error) && !(error instanceof UnclearOutcomeError)) throw error;
			const still = await afterChange(this.node, `The removal of the role ${roleId}`, async () => await this.client.role(roleId));
			if (!still) return 'deleted';
			if (error === undefined || attempt >= 1) throw this.client.notApplied(`the role ${roleId} deleted`, 'it still lists it');
		}
	}

	async addOperators(roleId: string, principals: Vb365Principal[], current?: Vb365Operator[]): Promise<Vb365Operator[]> {
		const path = this.client.rolePath(roleId, '/operators');
		const unique = principals.filter((p, i) => principals.findIndex((q) => isSamePrincipal(p, q)) === i);
		const todo = (operators: Vb365Operator[]) => unique.filter((p) => !operators.some((o) => isSamePrincipal(o, p)));
		const first = todo(current ?? (await this.client.operators(roleId)));
		if (first.length === 0) return current ?? (await this.client.operators(roleId));
		const what = `Adding ${first.map((p) => p.name || p.displayName || p.id).join(', ')} as operator(s) of the role ${roleId}`;
		await sendUntilShown(
			async () => todo(await this.client.operators(roleId)),
			// An operator read from another role carries that role's operator id: never sent (the POST takes none).
			async (list) => {
				const options = await this.client.bodyOptions();
				return await this.client.call({ method: 'POST', path, body: list.map((p) => operatorBody({ ...p, operatorId: undefined }, options)) });
			},
			first,
			async (read) => await afterChange(this.node, what, read),
		);
		const after = await afterChange(this.node, what, async () => await this.client.operators(roleId));
		const missing = todo(after);
		if (missing.length) throw this.client.notApplied(`${missing.map((p) => p.name || p.id).join(', ')} as operator(s) of the role ${roleId}`, 'its operators read back lack them');
		return after;
	}

	async removeOperators(roleId: string, operatorIds: string[], current?: Vb365Operator[]): Promise<Vb365Operator[]> {
		const bad = operatorIds.find((id) => !listableId(id));
		if (bad !== undefined) throw new NodeOperationError(this.node, `Cannot remove the operator "${bad}": not an operator ID`, { description: 'Nothing was sent.' });
		const path = this.client.rolePath(roleId, '/operators');
		const named = (operators: Vb365Operator[]) => operators.filter((o) => operatorIds.some((id) => sameId(id, o.operatorId)));
		const first = named(current ?? (await this.client.operators(roleId)));
		if (first.length === 0) return current ?? (await this.client.operators(roleId));
		const what = `Removing ${first.map((o) => o.name || o.displayName || o.operatorId).join(', ')} from the role ${roleId}`;
		await sendUntilShown(
			async () => named(await this.client.operators(roleId)),
			async (todo) => await this.deleteIds(path, todo.map((o) => o.operatorId)),
			first,
			async (read) => await afterChange(this.node, what, read),
		);
		const after = await afterChange(this.node, what, async () => await this.client.operators(roleId));
		const left = named(after);
		if (left.length) throw this.client.notApplied(`${left.map((o) => o.name || o.operatorId).join(', ')} removed from the role ${roleId}`, 'its operators read back still name them');
		return after;
	}

	/** DELETE `path?ids=a,b` (comma-separated, as Veeam's reference says), 20 IDs a request; a 404 is judged by the read-back. */
	private async deleteIds(path: string, ids: string[]): Promise<void> {
		for (const some of chunks(ids, IDS_PER_DELETE)) {
			await this.client.call({ method: 'DELETE', path, qs: { ids: some.join(',') } }).catch((error: unknown) => {
				if (!isNotFoundAnswer(error)) throw error;
			});
		}
	}

	async addItems(roleId: string, list: Vb365ItemList, items: Vb365Item[]): Promise<Vb365Item[]> {
		const unknown = items.find((i) => i.kind === 'unknown');
		if (unknown) throw new NodeOperationError(this.node, `Cannot add the item "${unknown.name || unknown.id}" of type ${unknown.sentType ?? 'unknown'}: not a user, group, site or team`, { description: 'Nothing was sent.' });
		const path = this.client.rolePath(roleId, `/${ITEM_LIST_PATH[list]}`);
		const unique = items.filter((it, i) => items.findIndex((o) => sameItem(o, it)) === i);
		const todo = (current: Vb365Item[]) => unique.filter((it) => !current.some((c) => sameItem(c, it)));
		const before = await this.client.items(roleId, list);
		const first = todo(before);
		if (first.length === 0) return before;
		const what = `Adding ${first.map((i) => i.name || i.displayName || i.id).join(', ')} to the ${list} items of the role ${roleId}`;
		await sendUntilShown(
			async () => todo(await this.client.items(roleId, list)),
			async (pendingItems) => {
				const options = await this.client.bodyOptions();
				return await this.client.call({ method: 'POST', path, body: pendingItems.map((it) => itemBody({ ...it, itemId: undefined }, options)) });
			},
			first,
			async (read) => await afterChange(this.node, what, read),
		);
		const after = await afterChange(this.node, what, async () => await this.client.items(roleId, list));
		const missing = todo(after);
		if (missing.length) throw this.client.notApplied(`${missing.map((i) => i.name || i.id).join(', ')} in the ${list} items of the role ${roleId}`, 'its items read back lack them');
		return after;
	}

	async removeItems(roleId: string, list: Vb365ItemList, itemIds: string[]): Promise<Vb365Item[]> {
		const bad = itemIds.find((id) => !listableId(id));
		if (bad !== undefined) throw new NodeOperationError(this.node, `Cannot remove the item "${bad}": not an item ID`, { description: 'Nothing was sent.' });
		const path = this.client.rolePath(roleId, `/${ITEM_LIST_PATH[list]}`);
		const named = (current: Vb365Item[]) => current.filter((i) => itemIds.some((id) => sameId(id, i.itemId ?? i.id)));
		const before = await this.client.items(roleId, list);
		const first = named(before);
		if (first.length === 0) return before;
		const what = `Removing ${first.map((i) => i.name || i.displayName || i.id).join(', ')} from the ${list} items of the role ${roleId}`;
		await sendUntilShown(
			async () => named(await this.client.items(roleId, list)),
			async (todo) => await this.deleteIds(path, todo.map((i) => i.itemId ?? i.id)),
			first,
			async (read) => await afterChange(this.node, what, read),
		);
		const after = await afterChange(this.node, what, async () => await this.client.items(roleId, list));
		const left = named(after);
		if (left.length) throw this.client.notApplied(`${left.map((i) => i.name || i.id).join(', ')} removed from the ${list} items of the role ${roleId}`, 'its items read back still list them');
		return after;
	}

	async rolesWithOperators(organizationId?: string, concurrency = DEFAULT_CONCURRENCY): Promise<Vb365Role[]> {
		const roles = await this.client.roles(organizationId);
		const outcomes = await runPool(
			roles.length,
			async (i) =>
				await this.client.operators(roles[i].id).catch(async (error: unknown) => {
					// A role deleted since the list was read: dropped once the server confirms it is gone.
					if (isNotFoundAnswer(error) && !(await this.client.role(roles[i].id))) return undefined;
					throw error;
				}),
			{ concurrency: Math.max(1, Math.floor(concurrency) || DEFAULT_CONCURRENCY), stopOnError: true },
		);
		const failed = outcomes.find((o) => o && !o.ok);
		if (failed && !failed.ok) throw failed.error;
		const out: Vb365Role[] = [];
		roles.forEach((role, i) => {
			const o = outcomes[i];
			if (!o?.ok) throw new NodeOperationError(this.node, `The operators of the role "${role.name}" were not read`);
			if (o.value) out.push({ ...role, operators: o.value });
		});
		return out;
	}

	async groupMembers(organizationId: string, groupId: string): Promise<Vb365GroupMember[]> {
		const path = this.client.organizationPath(organizationId, `/Groups/${idSegment(this.client, groupId, 'group')}/Members`);
		return await this.client.list(path, {}, 'group members', (m: IDataObject) => groupMemberOf(m), (m) => `${m.type ?? ''}\u0000${m.login}\u0000${m.name}`, false);
	}
}
