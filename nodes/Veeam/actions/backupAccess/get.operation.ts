import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { inputError } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { itemOptions } from '../common.descriptions';
import { aclOf, both, OBJECT_TYPE_LABEL, objectFields, readObjectTarget, recordOutput, resolveTarget, type ObjectTarget } from './common';

const properties: INodeProperties[] = [...objectFields, itemOptions];

export const description = updateDisplayOptions({ show: { resource: ['backupAccess'], operation: ['get'] } }, properties);

export async function prepare(this: IExecuteFunctions, i: number): Promise<ObjectTarget> {
	return readObjectTarget(this, i);
}

/** `GET /acl/{type}/{id}` and the names of that type (Get All Backups or Get All Jobs, read once per execution). */
export async function execute(this: IExecuteFunctions, target: ObjectTarget, directory: UserDirectory, i: number): Promise<IDataObject> {
	const acl = aclOf(this, directory);
	const { id } = await resolveTarget(this, acl, target, i);
	const [record, names] = await both(acl.record(target.type, id), acl.names(target.type));
	if (!record) throw inputError(this, i, 'Backup or Job', `no ${OBJECT_TYPE_LABEL[target.type]} with ID ${id} has an access control list on this server`);
	return recordOutput(record, names);
}
