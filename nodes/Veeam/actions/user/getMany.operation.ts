import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory, UserFilter, UserListOptions, UserSortProperty } from '../../../../client/adapters';
import { userOutput } from '../../helpers/directory';
import { checkBoolean, checkText, inputError, readLimit } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { returnAllAndLimit, vbrUserTypeOptions } from '../common.descriptions';
import { isUuid } from '../../../../client/ids';
import { listVspcUsers, readVspcFilter, vspcFilters } from './getMany.vspc';

const properties: INodeProperties[] = [
	...returnAllAndLimit,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show: { product: ['vbr'] } },
		options: [
			{
				displayName: 'MFA Enabled',
				name: 'mfaEnabled',
				type: 'boolean',
				default: true,
				description:
					'Whether to return only users with multi-factor authentication on (on) or only users without it (off). Needs API 1.3-rev2 (VBR 13.1).',
			},
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
				options: vbrUserTypeOptions,
				description: 'Only users of these kinds',
			},
		],
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show: { product: ['vbgc'] } },
		options: [
			{
				displayName: 'MFA Enabled',
				name: 'mfaEnabled',
				type: 'boolean',
				default: true,
				description: 'Whether to return only users with multi-factor authentication on (on) or only users without it (off)',
			},
			{
				displayName: 'Name Pattern',
				name: 'namePattern',
				type: 'string',
				default: '',
				placeholder: 'e.g. jane or *.ops',
				description:
					'Text the user name contains, case-insensitive. With * (any text) or ? (one character) it matches the whole name instead: *.ops is every name ending in .ops.',
			},
		],
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: { show: { product: ['aws', 'azure'] } },
		options: [
			{
				displayName: 'Name Pattern',
				name: 'namePattern',
				type: 'string',
				default: '',
				placeholder: 'e.g. jane or *.ops',
				description:
					'Text the user name contains, case-insensitive. With * (any text) or ? (one character) it matches the whole name instead: *.ops is every name ending in .ops.',
			},
		],
	},
	vspcFilters,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { product: ['vbgc', 'aws', 'azure'] } },
		options: [
			{
				displayName: 'Offset',
				name: 'offset',
				type: 'number',
				default: 0,
				typeOptions: { minValue: 0 },
				description: 'Number of matching users to leave out before the first one returned (in the chosen order)',
			},
			{
				displayName: 'Sort By',
				name: 'sortBy',
				type: 'options',
				default: 'name',
				options: [
					{ name: 'Description', value: 'description' },
					{ name: 'MFA Enabled', value: 'mfaEnabled' },
					{ name: 'Name', value: 'name' },
					{ name: 'Type', value: 'type' },
				],
				description: 'The property the users are ordered by',
			},
			{
				displayName: 'Sort Direction',
				name: 'sortDirection',
				type: 'options',
				default: 'ASC',
				options: [
					{ name: 'Ascending', value: 'ASC' },
					{ name: 'Descending', value: 'DESC' },
				],
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['getMany'] } }, properties);

interface GetManyParams {
	limit?: number;
	filter: UserFilter;
	options: UserListOptions;
}


export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<GetManyParams> {
	const limit = readLimit(this, i);
	if (directory.product === 'vspc') return { limit, filter: await readVspcFilter(this, i, directory), options: {} };
	const raw = this.getNodeParameter('filters', i, {}) as IDataObject;
	const filter: UserFilter = {};
	const namePattern = checkText(this, i, 'Name Pattern', raw.namePattern, false);
	if (namePattern) filter.namePattern = namePattern;
	const role = checkText(this, i, 'Role Name or ID', raw.role, false);
	if (role) {
		if (isUuid(role)) filter.roleId = role;
		else filter.roleName = role;
	}
	if (raw.isServiceAccount !== undefined) filter.isServiceAccount = checkBoolean(this, i, 'Service Account', raw.isServiceAccount, true);
	if (raw.types !== undefined) {
		const known = directory.userTypes ?? [];
		const types = (Array.isArray(raw.types) ? raw.types : [raw.types]).map((t) => checkText(this, i, 'Types', t, false)).filter(Boolean);
		const unknown = types.filter((t) => !known.includes(t));
		if (unknown.length) throw inputError(this, i, 'Types', `unknown type ${unknown.join(', ')} (expected ${known.join(', ') || 'none: this product has one kind of user'})`);
		if (types.length) filter.types = types;
	}
	if (raw.mfaEnabled !== undefined) filter.mfaEnabled = checkBoolean(this, i, 'MFA Enabled', raw.mfaEnabled, true);
	return { limit, filter, options: readListOptions(this, i, directory) };
}

const SORT_DIRECTIONS = ['ASC', 'DESC'];

/** Order and offset (shown for the products that offer them). */
function readListOptions(ctx: IExecuteFunctions, i: number, directory: UserDirectory): UserListOptions {
	const raw = ctx.getNodeParameter('options', i, {}) as IDataObject;
	const options: UserListOptions = {};
	if (raw.offset !== undefined) {
		const offset = Number(raw.offset);
		if (!Number.isInteger(offset) || offset < 0) throw inputError(ctx, i, 'Offset', `must be a whole number of at least 0, not ${String(raw.offset)}`);
		if (offset > 0) options.offset = offset;
	}
	if (raw.sortBy !== undefined || raw.sortDirection !== undefined) {
		const property = checkText(ctx, i, 'Sort By', raw.sortBy ?? 'name');
		if (!(directory.sortProperties as readonly string[]).includes(property)) {
			throw inputError(ctx, i, 'Sort By', `"${property}" is not one of ${directory.sortProperties.join(', ')}`);
		}
		const direction = checkText(ctx, i, 'Sort Direction', raw.sortDirection ?? 'ASC').toUpperCase();
		if (!SORT_DIRECTIONS.includes(direction)) throw inputError(ctx, i, 'Sort Direction', `"${direction}" is not one of ASC, DESC`);
		options.sort = { property: property as UserSortProperty, descending: direction === 'DESC' };
	}
	return options;
}

export async function execute(this: IExecuteFunctions, p: GetManyParams, directory: UserDirectory, i: number): Promise<IDataObject[]> {
	if (directory.product === 'vspc') return await listVspcUsers(this, directory, p.filter, p.limit, i);
	// The adapter pages with the largest page the server accepts and follows its total.
	const users = await directory.listUsers(p.filter, p.limit, p.options);
	return users.map(userOutput);
}
