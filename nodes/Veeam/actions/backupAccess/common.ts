/**
 * What the Backup Access operations share: the object an item is about (a backup or a backup job,
 * by ID or by name), the output of an ACL record, roles by name or ID, and the read-back after a
 * change (four-eyes: pending.ts).
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';

import type { UserDirectory, VeeamRole } from '../../../../client/adapters';
import { aclKey, type AclObjectName, type AclObjectType, type AclRecord, type VbrAcl } from '../../../../client/adapters/vbrAcl';
import { isUuid } from '../../../../client/ids';
import { inputError, readChoice, readLocator } from '../../helpers/input';

export const OBJECT_TYPE_LABEL: Record<AclObjectType, string> = { backup: 'backup', backupJob: 'backup job' };

/** Object Type and Backup or Job (by ID or name), for Get, Change Owner and Set Effective Access. */
export const objectFields: INodeProperties[] = [
	{
		displayName: 'Object Type',
		name: 'objectType',
		type: 'options',
		options: [
			{ name: 'Backup', value: 'backup', description: 'A backup (its restore points), as Get All Backups lists it' },
			{ name: 'Backup Job', value: 'backupJob', description: 'A backup job, as Get All Jobs lists it' },
		],
		default: 'backup',
		description: 'What the access control list is about',
	},
	{
		displayName: 'Backup or Job',
		name: 'object',
		type: 'resourceLocator',
		default: { mode: 'id', value: '' },
		required: true,
		description: 'The backup or backup job, by its ID or its name as Veeam lists it (a name two of them share is refused: use the ID)',
		modes: [
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: '7e2d3c4b-5a6f-4071-9b82-a3c4d5e6f701',
				validation: [{ type: 'regex', properties: { regex: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$', errorMessage: 'Not a backup or job ID (a UUID)' } }],
			},
			{ displayName: 'By Name', name: 'name', type: 'string', placeholder: 'e.g. SQL Backup' },
		],
	},
];

export interface ObjectTarget {
	type: AclObjectType;
	/** `id` (a UUID, checked) or `name`. */
	mode: 'id' | 'name';
	value: string;
}

/** Object Type and Backup or Job of item `i`, checked without a request. */
export function readObjectTarget(ctx: IExecuteFunctions, i: number): ObjectTarget {
	const type = readChoice(ctx, i, 'objectType', 'Object Type', ['backup', 'backupJob'] as const, 'backup');
	const locator = readLocator(ctx, i, 'object', 'Backup or Job');
	const mode = locator.mode === 'name' ? 'name' : locator.mode === 'auto' ? (isUuid(locator.value) ? 'id' : 'name') : 'id';
	if (mode === 'id' && !isUuid(locator.value)) {
		throw inputError(ctx, i, 'Backup or Job', `"${locator.value}" is not a backup or job ID (a UUID)`, 'Give the ID, or choose "By Name".');
	}
	return { type, mode, value: locator.value };
}

/** The ACL of a VBR 1.3-rev2 server, or an error naming what the operation needs. */
export function aclOf(ctx: IExecuteFunctions, directory: UserDirectory): VbrAcl {
	if (!directory.acl) {
		throw new NodeOperationError(ctx.getNode(), 'Backup Access is available for Veeam Backup & Replication only', {
			description: 'Access control lists of backups and jobs are a Veeam Backup & Replication 13.1 feature (REST API 1.3-rev2).',
		});
	}
	return directory.acl();
}

/** Two reads at once; the first failure only once both are done (no request left running after the item ends). */
export async function both<A, B>(a: Promise<A>, b: Promise<B>): Promise<[A, B]> {
	const [ra, rb] = await Promise.allSettled([a, b]);
	if (ra.status === 'rejected') throw ra.reason;
	if (rb.status === 'rejected') throw rb.reason;
	return [ra.value, rb.value];
}

/** The ID of the target: as given, or the one object of that type and name (a name shared or unknown is an input error). */
export async function resolveTarget(ctx: IExecuteFunctions, acl: VbrAcl, target: ObjectTarget, i: number): Promise<{ id: string; name?: string }> {
	if (target.mode === 'id') return { id: target.value.toLowerCase() };
	const named = [...(await acl.names(target.type)).values()].filter((o) => o.type === target.type && o.name.toLowerCase() === target.value.toLowerCase());
	const label = OBJECT_TYPE_LABEL[target.type];
	if (named.length === 0) throw inputError(ctx, i, 'Backup or Job', `no ${label} named "${target.value}"`, `Check the name as Veeam lists it, or give the ${label}'s ID.`);
	if (named.length > 1) {
		throw inputError(ctx, i, 'Backup or Job', `${named.length} ${label}s are named "${target.value}" (${named.map((o) => o.id).join(', ')})`, 'Give the ID of the one you mean.');
	}
	return { id: named[0].id, name: named[0].name };
}

/** An ACL record as an output item: the object (with its name when known), its owner, the owner's rights and the delegations to roles. */
export function recordOutput(record: AclRecord, names?: Map<string, AclObjectName>): IDataObject {
	const name = names?.get(aclKey(record.type, record.id))?.name;
	return {
		objectType: record.type,
		objectId: record.id,
		// null: the object is not in Get All Backups / Get All Jobs (or its name was not read).
		name: name ?? null,
		owner: record.owner.name,
		ownerIdentifier: record.owner.userIdentifier,
		ownerRights: [...record.rights],
		effectiveAccess: record.effectiveAccess.map((d) => ({ roleId: d.roleId, roleName: d.roleName, rights: [...d.rights] })),
		// Veeam: the delegations are "Visible only to the owner & admin": false when the answer had none to show.
		delegationsShown: record.delegationsShown,
	};
}

/** A role given by name or ID (any case), among the server's roles; undefined when none matches. */
export function findRole(roles: readonly VeeamRole[], given: string): VeeamRole | undefined {
	const key = given.trim().toLowerCase();
	return roles.find((r) => r.id.toLowerCase() === key) ?? roles.find((r) => r.name.toLowerCase() === key);
}

/** The role of item `i` named by `field`, or an input error listing the server's roles. */
export async function readRole(ctx: IExecuteFunctions, directory: UserDirectory, i: number, field: string, given: string): Promise<VeeamRole> {
	const roles = await directory.listRoles();
	const role = findRole(roles, given);
	if (!role) throw inputError(ctx, i, field, `no role with the name or ID "${given}"`, `Roles on this server: ${roles.map((r) => r.name).join(', ')}.`);
	return role;
}

/**
 * The record after a change: `GET` (no cache parameter); when that does not show the change, once more
 * through the list with `forceReload=true` ("allows you to get up-to-date data"; the record read again
 * if the list leaves its delegations out) before the change is called not shown.
 */
export async function shownAfter(acl: VbrAcl, type: AclObjectType, id: string, shows: (r: AclRecord) => boolean): Promise<AclRecord | undefined> {
	const first = await acl.record(type, id);
	if (first && shows(first)) return first;
	const listed = (await acl.list({ type }, { forceReload: true })).find((r) => r.id === id.toLowerCase());
	const again = listed && !listed.delegationsShown ? await acl.record(type, id) : listed;
	return again ?? first;
}
