import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { sameAccount } from '../../../../client/adapters/authorizationMatch';
import { aclKey, type AclOwner } from '../../../../client/adapters/vbrAcl';
import { inputError, readText } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { itemOptions } from '../common.descriptions';
import { aclOf, OBJECT_TYPE_LABEL, objectFields, readObjectTarget, recordOutput, resolveTarget, shownAfter, type ObjectTarget } from './common';
import { alreadyPendingOutput, alreadyWaiting, notShown, pendingSnapshot, type AclChangeTarget } from './pending';

const properties: INodeProperties[] = [
	...objectFields,
	{
		displayName: 'New Owner',
		name: 'owner',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. TECH\\sheila.d.cory',
		description: 'The account that is to own the backup or job: its user name (DOMAIN\\name) or its SID, as Veeam resolves it',
	},
	itemOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['backupAccess'], operation: ['changeOwner'] } }, properties);

interface Params {
	target: ObjectTarget;
	owner: string;
}

export async function prepare(this: IExecuteFunctions, i: number): Promise<Params> {
	const target = readObjectTarget(this, i);
	const owner = readText(this, i, 'owner', 'New Owner');
	if (owner.includes('\n')) throw inputError(this, i, 'New Owner', 'spans several lines: give one account name or SID');
	return { target, owner };
}

/** Whether `owner` is the account given (its SID, or its name in any of Windows' forms). */
function isOwner(owner: AclOwner, given: string): boolean {
	return owner.userIdentifier.toLowerCase() === given.toLowerCase() || sameAccount(given, owner.name) || owner.name.toLowerCase() === given.toLowerCase();
}

/**
 * Reads the record; an owner already set is `unchanged` (nothing sent). Otherwise `changeOwner`, then
 * the record read back: `changed` only when it shows another owner than before, as the server names
 * it (the account Veeam resolved the given name or SID to).
 */
export async function execute(this: IExecuteFunctions, p: Params, directory: UserDirectory, i: number): Promise<IDataObject> {
	const acl = aclOf(this, directory);
	const { id } = await resolveTarget(this, acl, p.target, i);
	return await acl.serially(p.target.type, id, async () => {
		const before = await acl.record(p.target.type, id);
		if (!before) throw inputError(this, i, 'Backup or Job', `no ${OBJECT_TYPE_LABEL[p.target.type]} with ID ${id} has an access control list on this server`);
		const names = await acl.names(p.target.type);
		if (isOwner(before.owner, p.owner)) return { result: 'unchanged', ...recordOutput(before, names) };
		const target: AclChangeTarget = { id, name: names.get(aclKey(p.target.type, id))?.name, kind: 'owner' };
		const snapshot = await pendingSnapshot(this, directory);
		const waiting = alreadyWaiting(snapshot, target);
		if (waiting) return alreadyPendingOutput({ requestedOwner: p.owner, previousOwner: before.owner.name, ...recordOutput(before, names) }, waiting);
		const sentAt = Date.now();
		const answered = await acl.changeOwner(p.target.type, id, p.owner);
		const moved = (o: AclOwner) => !isOwner(o, before.owner.userIdentifier) && !isOwner(o, before.owner.name) && (isOwner(o, p.owner) || isOwner(o, answered.owner.userIdentifier));
		const after = await shownAfter(acl, p.target.type, id, (r) => moved(r.owner));
		const output = { previousOwner: before.owner.name, ...recordOutput(after ?? before, names) };
		const shown = after !== undefined && moved(after.owner);
		if (shown) return { result: 'changed', ...output };
		return await notShown(this, directory, i, { snapshot, sentAt, target, what: 'owner change' }, { requestedOwner: p.owner, ...output });
	});
}
