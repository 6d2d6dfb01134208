import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { AUTHORIZATION_EVENT_STATES, type AuthorizationEventFilter, type AuthorizationEventState, type KnownAuthorizationEventState } from '../../../../client/adapters/authorizationEvents';
import { checkText, inputError, readLimit } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { returnAllAndLimit } from '../common.descriptions';
import { authorizationEvents } from './common';

const properties: INodeProperties[] = [
	...returnAllAndLimit,
	{
		displayName: 'Filters',
		name: 'eventFilters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Created After',
				name: 'createdAfter',
				type: 'dateTime',
				default: '',
				description: 'Only events created after this time',
			},
			{
				displayName: 'Created Before',
				name: 'createdBefore',
				type: 'dateTime',
				default: '',
				description: 'Only events created before this time',
			},
			{
				displayName: 'Created By',
				name: 'createdBy',
				type: 'string',
				default: '',
				placeholder: 'e.g. TECH\\jane.doe',
				description: 'Only events of requests or changes made by this account, as Veeam lists it',
			},
			{
				displayName: 'Search',
				name: 'pattern',
				type: 'string',
				default: '',
				placeholder: 'e.g. *TECH\\jane.doe*',
				description: 'Text that any field of the event matches; * stands for any text (e.g. *jane.doe* for events about that user)',
			},
			{
				displayName: 'States',
				name: 'states',
				type: 'multiOptions',
				options: [
					{ name: 'Approved', value: 'Approved', description: 'A four-eyes request a second administrator approved' },
					{ name: 'Cockpit Message', value: 'CockpitMessage' },
					{ name: 'Expired', value: 'Expired', description: 'A four-eyes request nobody processed in time (rejected)' },
					{ name: 'Info', value: 'Info', description: 'A change that needed no approval: a user, role or setting changed' },
					{ name: 'Pending', value: 'Pending', description: 'A four-eyes request waiting for a second administrator' },
					{ name: 'Rejected', value: 'Rejected', description: 'A four-eyes request a second administrator rejected' },
				],
				default: [],
				description: 'Only events in these states (none chosen: all)',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['authorizationEvent'], operation: ['getMany'] } }, properties);

interface Params {
	filter: AuthorizationEventFilter;
	limit?: number;
}

function readTime(ctx: IExecuteFunctions, i: number, field: string, raw: unknown): string | undefined {
	const value = checkText(ctx, i, field, raw, false);
	if (value === '') return undefined;
	const ms = Date.parse(value);
	if (!Number.isFinite(ms)) throw inputError(ctx, i, field, `"${value}" is not a date and time`, 'Use e.g. 2026-12-01T09:00:00Z, or pick it in the field.');
	return new Date(ms).toISOString();
}

export async function prepare(this: IExecuteFunctions, i: number): Promise<Params> {
	const limit = readLimit(this, i);
	const raw = this.getNodeParameter('eventFilters', i, {}) as IDataObject;
	const states = raw.states ?? [];
	if (!Array.isArray(states) || states.some((s) => !AUTHORIZATION_EVENT_STATES.includes(s as KnownAuthorizationEventState))) {
		throw inputError(this, i, 'States', `must be a list of ${AUTHORIZATION_EVENT_STATES.join(', ')}`);
	}
	const filter: AuthorizationEventFilter = {
		states: states as AuthorizationEventState[],
		createdBy: checkText(this, i, 'Created By', raw.createdBy, false) || undefined,
		createdAfter: readTime(this, i, 'Created After', raw.createdAfter),
		createdBefore: readTime(this, i, 'Created Before', raw.createdBefore),
		pattern: checkText(this, i, 'Search', raw.pattern, false) || undefined,
	};
	return { filter, limit };
}

export async function execute(this: IExecuteFunctions, p: Params, directory: UserDirectory): Promise<IDataObject[]> {
	const events = await authorizationEvents(this, directory).list(p.filter, p.limit);
	return events.map((e) => ({ ...e }));
}
