import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { inputError, readText } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { authorizationEvents } from './common';
import { isUuid } from '../../../../client/ids';

const properties: INodeProperties[] = [
	{
		displayName: 'Event ID',
		name: 'eventId',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. 6f1c2d3e-4b5a-4c7d-9e8f-0a1b2c3d4e5f',
		description: 'The ID of the authorization event (from the approval of a pendingApproval item, or from Get Many)',
	},
];

export const description = updateDisplayOptions({ show: { resource: ['authorizationEvent'], operation: ['get'] } }, properties);


export async function prepare(this: IExecuteFunctions, i: number): Promise<string> {
	const id = readText(this, i, 'eventId', 'Event ID');
	if (!isUuid(id)) throw inputError(this, i, 'Event ID', `"${id}" is not an event ID (a UUID)`);
	return id;
}

export async function execute(this: IExecuteFunctions, id: string, directory: UserDirectory, i: number): Promise<IDataObject> {
	const event = await authorizationEvents(this, directory).get(id);
	if (!event) throw inputError(this, i, 'Event ID', `no authorization event with ID ${id} on this server`);
	return { ...event };
}
