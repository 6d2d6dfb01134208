import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import type { AclFilter, AclObjectType } from '../../../../client/adapters/vbrAcl';
import { checkBoolean, checkText, inputError, readLimit } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { returnAllAndLimit } from '../common.descriptions';
import { aclOf, both, readRole, recordOutput } from './common';

const properties: INodeProperties[] = [
	...returnAllAndLimit,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Object Type',
				name: 'objectType',
				type: 'options',
				options: [
					{ name: 'Backup', value: 'backup' },
					{ name: 'Backup Job', value: 'backupJob' },
				],
				default: 'backup',
				description: 'Only the access control lists of backups, or of backup jobs',
			},
			{
				displayName: 'Role Name or ID',
				name: 'role',
				type: 'string',
				default: '',
				placeholder: 'e.g. Restore Operator',
				description: 'Only records that delegate some right to this role (its name or ID, any case)',
			},
			{
				displayName: 'Owner',
				name: 'owner',
				type: 'string',
				default: '',
				placeholder: 'e.g. TECH\\sheila.d.cory',
				description: 'Only records this account owns: its name as Veeam shows it, or its SID',
			},
		],
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Reload Server Cache',
				name: 'forceReload',
				type: 'boolean',
				default: false,
				description:
					'Whether to ask Veeam to reset its cache for this listing (forceReload), e.g. right after another workflow changed access: up-to-date data, but a slower request, as Veeam says',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['backupAccess'], operation: ['getMany'] } }, properties);

interface Params {
	limit?: number;
	filter: AclFilter;
	forceReload: boolean;
}

/** Checks the filters; a role name is resolved to its ID here (a role list read, nothing changed). */
export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<Params> {
	const limit = readLimit(this, i);
	const raw = this.getNodeParameter('filters', i, {}) as IDataObject;
	const filter: AclFilter = {};
	if (raw.objectType !== undefined) {
		const type = checkText(this, i, 'Filters → Object Type', raw.objectType);
		const known = (['backup', 'backupJob'] as AclObjectType[]).find((t) => t.toLowerCase() === type.toLowerCase());
		if (!known) throw inputError(this, i, 'Filters → Object Type', `"${type}" is not one of backup, backupJob`);
		filter.type = known;
	}
	const owner = raw.owner === undefined ? '' : checkText(this, i, 'Filters → Owner', raw.owner, false);
	if (owner) filter.owner = owner;
	const role = raw.role === undefined ? '' : checkText(this, i, 'Filters → Role Name or ID', raw.role, false);
	if (role) {
		aclOf(this, directory);
		filter.roleId = (await readRole(this, directory, i, 'Filters → Role Name or ID', role)).id;
	}
	const options = this.getNodeParameter('options', i, {}) as IDataObject;
	const forceReload = checkBoolean(this, i, 'Options → Reload Server Cache', options.forceReload, false);
	return { limit, filter, forceReload };
}

/**
 * One `POST /acl` listing (paged), filtered here, and the names of the kinds listed. With a role filter,
 * a record the list shows without delegations is read once more (the filter needs them). A record the
 * node cannot read (an unknown object type, an ID that is no UUID) is one item saying so, after the others.
 */
export async function execute(this: IExecuteFunctions, p: Params, directory: UserDirectory): Promise<IDataObject[]> {
	const acl = aclOf(this, directory);
	const [listing, names] = await both(acl.listing(p.filter, { forceReload: p.forceReload }), acl.names(p.filter.type));
	const records = p.limit === undefined ? listing.records : listing.records.slice(0, p.limit);
	return [...records.map((r) => recordOutput(r, names)), ...listing.skipped.map((s) => ({ skipped: true, ...s }))];
}
