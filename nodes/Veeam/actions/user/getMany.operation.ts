import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory, UserFilter } from '../../adapters';
import { VBR_USER_TYPES } from '../../adapters/vbr';
import { userOutput } from '../../helpers/directory';
import { checkText, inputError, readBoolean } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';

const properties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		default: 50,
		typeOptions: { minValue: 1 },
		displayOptions: { show: { returnAll: [false] } },
		description: 'Max number of results to return',
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Name Pattern',
				name: 'namePattern',
				type: 'string',
				default: '',
				placeholder: 'e.g. TECH\\*',
				description: 'Account name to match; * matches any text and ? one character, case-insensitive (e.g. TECH\\j*)',
			},
			{
				displayName: 'Role Name or ID',
				name: 'role',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getRoles', loadOptionsDependsOn: ['product'] },
				default: '',
				description:
					'Only users holding this role. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Service Account',
				name: 'isServiceAccount',
				type: 'boolean',
				default: true,
				description: 'Whether to return only service accounts (on) or only accounts that are not (off)',
			},
			{
				displayName: 'Types',
				name: 'types',
				type: 'multiOptions',
				default: [],
				options: [
					{ name: 'Active Directory Group', value: 'ExternalGroup' },
					{ name: 'Active Directory User', value: 'ExternalUser' },
					{ name: 'Local Group', value: 'InternalGroup' },
					{ name: 'Local User', value: 'InternalUser' },
				],
				description: 'Only users of these kinds',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['getMany'] } }, properties);

interface GetManyParams {
	limit?: number;
	filter: UserFilter;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function prepare(this: IExecuteFunctions, i: number): Promise<GetManyParams> {
	const returnAll = readBoolean(this, i, 'returnAll', 'Return All', false);
	let limit: number | undefined;
	if (!returnAll) {
		limit = Number(this.getNodeParameter('limit', i, 50));
		if (!Number.isInteger(limit) || limit < 1) throw inputError(this, i, 'Limit', `must be a whole number of at least 1, not ${String(limit)}`);
	}
	const raw = this.getNodeParameter('filters', i, {}) as IDataObject;
	const filter: UserFilter = {};
	const namePattern = checkText(this, i, 'Name Pattern', raw.namePattern, false);
	if (namePattern) filter.namePattern = namePattern;
	const role = checkText(this, i, 'Role Name or ID', raw.role, false);
	if (role) {
		if (UUID.test(role)) filter.roleId = role;
		else filter.roleName = role;
	}
	if (raw.isServiceAccount !== undefined) {
		if (typeof raw.isServiceAccount !== 'boolean') throw inputError(this, i, 'Service Account', 'must be true or false');
		filter.isServiceAccount = raw.isServiceAccount;
	}
	if (raw.types !== undefined) {
		const types = (Array.isArray(raw.types) ? raw.types : [raw.types]).map((t) => checkText(this, i, 'Types', t, false)).filter(Boolean);
		const unknown = types.filter((t) => !(VBR_USER_TYPES as readonly string[]).includes(t));
		if (unknown.length) throw inputError(this, i, 'Types', `unknown type ${unknown.join(', ')} (expected ${VBR_USER_TYPES.join(', ')})`);
		if (types.length) filter.types = types;
	}
	return { limit, filter };
}

export async function execute(this: IExecuteFunctions, p: GetManyParams, directory: UserDirectory): Promise<IDataObject[]> {
	// The adapter pages with the largest page the server accepts and follows its total.
	const users = await directory.listUsers(p.filter, p.limit);
	return users.map(userOutput);
}
