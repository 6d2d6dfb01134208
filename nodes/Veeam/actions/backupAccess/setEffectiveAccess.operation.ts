import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import type { UserDirectory, VeeamRole } from '../../../../client/adapters';
import { aclKey, ACL_RIGHTS, type AclDelegation, type AclRecord, type AclRight } from '../../../../client/adapters/vbrAcl';
import { checkText, inputError, readChoice, readText } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { itemOptions } from '../common.descriptions';
import { aclOf, OBJECT_TYPE_LABEL, objectFields, readObjectTarget, readRole, recordOutput, resolveTarget, shownAfter, type ObjectTarget } from './common';
import { alreadyPendingOutput, alreadyWaiting, notShown, pendingSnapshot, type AclChangeTarget } from './pending';

export const MODES = ['grant', 'revoke', 'set'] as const;
export type Mode = (typeof MODES)[number];

const properties: INodeProperties[] = [
	...objectFields,
	{
		displayName: 'Change',
		name: 'mode',
		type: 'options',
		options: [
			{ name: 'Grant', value: 'grant', description: 'Add these rights to what the role already has on the backup or job' },
			{ name: 'Revoke', value: 'revoke', description: 'Take these rights from the role (none chosen: every right it has here)' },
			{ name: 'Set Exactly', value: 'set', description: 'The role has exactly these rights here afterwards' },
		],
		default: 'grant',
		description: "How the role's rights on this backup or job change; other roles' rights stay as they are",
	},
	{
		displayName: 'Role Name or ID',
		name: 'role',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getRoles', loadOptionsDependsOn: ['product'] },
		default: '',
		required: true,
		description: 'The role whose access changes (Veeam delegates access to roles, not to users). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Rights',
		name: 'rights',
		type: 'multiOptions',
		options: [
			{ name: 'Full', value: 'full' },
			{ name: 'Restore', value: 'restore' },
			{ name: 'Write', value: 'write' },
		],
		default: ['restore'],
		description: 'Veeam\'s access rights (EAclRights); what each allows beyond its name Veeam does not document',
	},
	itemOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['backupAccess'], operation: ['setEffectiveAccess'] } }, properties);

interface Params {
	target: ObjectTarget;
	mode: Mode;
	role: VeeamRole;
	rights: AclRight[];
}

/** Rights from the multi-select or an expression (a list, or one text, comma-separated allowed). */
function readRights(ctx: IExecuteFunctions, i: number): AclRight[] {
	const raw = ctx.getNodeParameter('rights', i, []) as unknown;
	const values = Array.isArray(raw) ? raw : raw === undefined || raw === null || raw === '' ? [] : String(raw).split(',');
	const rights: AclRight[] = [];
	for (const v of values) {
		const text = checkText(ctx, i, 'Rights', v, false).toLowerCase();
		if (text === '') continue;
		const right = ACL_RIGHTS.find((r) => r === text);
		if (!right) throw inputError(ctx, i, 'Rights', `"${text}" is not one of ${ACL_RIGHTS.join(', ')}`);
		if (!rights.includes(right)) rights.push(right);
	}
	return rights;
}

/** Checks every field; the role is resolved on the server's role list (read-only). */
export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<Params> {
	const target = readObjectTarget(this, i);
	const mode = readChoice(this, i, 'mode', 'Change', MODES, 'grant');
	const rights = readRights(this, i);
	if (rights.length === 0 && mode !== 'revoke') {
		throw inputError(this, i, 'Rights', `is empty: choose at least one right to ${mode === 'grant' ? 'grant' : 'set'}`, 'To take every right from the role, choose "Revoke" with no rights.');
	}
	aclOf(this, directory);
	const role = await readRole(this, directory, i, 'Role Name or ID', readText(this, i, 'role', 'Role Name or ID'));
	return { target, mode, role, rights };
}

const sameRights = (a: readonly AclRight[], b: readonly AclRight[]) => a.length === b.length && a.every((r) => b.includes(r));

/** The role's rights after the change. */
function rightsAfter(mode: Mode, current: readonly AclRight[], given: readonly AclRight[]): AclRight[] {
	if (mode === 'set') return [...given];
	if (mode === 'grant') return [...current, ...given.filter((r) => !current.includes(r))];
	return given.length === 0 ? [] : current.filter((r) => !given.includes(r));
}

/** The rights `record` shows for `roleId` (none: []). */
const rightsIn = (record: AclRecord, roleId: string) => record.effectiveAccess.find((d) => d.roleId === roleId)?.rights ?? [];

/**
 * The other roles' delegations as read, to be sent back: `RoleModel.name` is required, so one the
 * server listed without a name takes the name from the role list; a role the list does not have
 * either is refused (nothing sent), never sent with a made-up name.
 */
async function othersToSend(ctx: IExecuteFunctions, directory: UserDirectory, i: number, others: AclDelegation[], what: string): Promise<AclDelegation[]> {
	if (others.every((d) => d.roleName.trim() !== '')) return others;
	const roles = await directory.listRoles();
	return others.map((d) => {
		if (d.roleName.trim() !== '') return d;
		const listed = roles.find((r) => r.id.toLowerCase() === d.roleId);
		if (!listed) {
			throw new NodeOperationError(ctx.getNode(), `The ${what} delegates rights to the role ${d.roleId}, which the record names without a name and the role list does not have: nothing was sent`, {
				itemIndex: i,
				description: 'Veeam replaces the whole delegation list and requires each role\'s name in it; the node does not make one up. Check the role in the Veeam console.',
			});
		}
		return { ...d, roleName: listed.name };
	});
}

/**
 * Veeam replaces the whole delegation list (`changeEffectiveAccess`), so: read the record, change this
 * role's entry only, send the list (the other roles' entries as read), read the record back. A change
 * that leaves the role's rights as they are is `unchanged` (nothing sent); a change whose four-eyes
 * request already waits is not sent again (pending.ts). The read-back must show this role's rights as
 * wanted and the other roles' as sent (else another change raced this one: an error). Changes run one
 * after another in an execution.
 */
export async function execute(this: IExecuteFunctions, p: Params, directory: UserDirectory, i: number): Promise<IDataObject> {
	const acl = aclOf(this, directory);
	const { id } = await resolveTarget(this, acl, p.target, i);
	const roleId = p.role.id.toLowerCase();
	const label = OBJECT_TYPE_LABEL[p.target.type];
	return await acl.serially(p.target.type, id, async () => {
		const before = await acl.record(p.target.type, id);
		if (!before) throw inputError(this, i, 'Backup or Job', `no ${label} with ID ${id} has an access control list on this server`);
		if (!before.delegationsShown) {
			// Veeam replaces the whole list: without the other roles' entries, sending one would remove them.
			throw new NodeOperationError(this.getNode(), `The ${label} ${id} was read without its delegations: nothing was sent`, {
				itemIndex: i,
				description:
					'Veeam shows a record\'s delegations "only to the owner & admin", and a change replaces all of them, so changing one role now could remove the others. Use a credential with the Backup Administrator role.',
			});
		}
		const names = await acl.names(p.target.type);
		const current = rightsIn(before, roleId);
		const wanted = rightsAfter(p.mode, current, p.rights);
		const summary = { role: p.role.name, roleId, previousRights: [...current], rights: wanted };
		if (sameRights(current, wanted)) return { result: 'unchanged', ...summary, ...recordOutput(before, names) };
		const others = await othersToSend(this, directory, i, before.effectiveAccess.filter((d) => d.roleId !== roleId), `${label} ${id}`);
		const next: AclDelegation[] = wanted.length ? [...others, { roleId, roleName: p.role.name, ...(p.role.description ? { roleDescription: p.role.description } : {}), rights: wanted }] : others;
		const target: AclChangeTarget = { id, name: names.get(aclKey(p.target.type, id))?.name, kind: 'access' };
		const snapshot = await pendingSnapshot(this, directory);
		const waiting = alreadyWaiting(snapshot, target);
		if (waiting) return alreadyPendingOutput({ ...summary, rights: [...current], requestedRights: wanted, ...recordOutput(before, names) }, waiting);
		const sentAt = Date.now();
		await acl.changeEffectiveAccess(p.target.type, id, next);
		const ours = (r: AclRecord) => r.delegationsShown && sameRights(rightsIn(r, roleId), wanted);
		// The others as sent: each with its rights, and no other role with any.
		const othersAsSent = (r: AclRecord) =>
			others.every((o) => sameRights(rightsIn(r, o.roleId), o.rights)) && r.effectiveAccess.every((d) => d.roleId === roleId || d.rights.length === 0 || others.some((o) => o.roleId === d.roleId));
		const after = await shownAfter(acl, p.target.type, id, (r) => ours(r) && othersAsSent(r));
		const output = { ...recordOutput(after ?? before, names) };
		if (after && ours(after)) {
			if (othersAsSent(after)) return { result: 'changed', ...summary, ...output };
			throw new NodeOperationError(this.getNode(), `The ${label} ${id} shows the role's new rights, but not the other roles' rights as they were sent: another change raced this one`, {
				itemIndex: i,
				description: `Sent for the other roles: ${describe(others)}. Read back: ${describe(after.effectiveAccess.filter((d) => d.roleId !== roleId))}. Check the ${label}'s access in the Veeam console before running again.`,
			});
		}
		return await notShown(this, directory, i, { snapshot, sentAt, target, what: 'change of effective access' }, { ...summary, rights: rightsIn(after ?? before, roleId), requestedRights: wanted, ...output });
	});
}

const describe = (delegations: readonly AclDelegation[]) =>
	delegations.length ? delegations.map((d) => `${d.roleName || d.roleId} (${d.rights.join(', ') || 'no rights'})`).join('; ') : 'none';
