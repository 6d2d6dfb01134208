import type { INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../../../nodes/Veeam/helpers/updateDisplayOptions';

const limit: INodeProperties = {
	displayName: 'Limit',
	name: 'limit',
	type: 'number',
	default: 50,
	displayOptions: { show: { returnAll: [false] }, hide: { product: ['vbgc'] } },
};
const plain: INodeProperties = { displayName: 'Name', name: 'name', type: 'string', default: '' };

describe('updateDisplayOptions', () => {
	it('adds the conditions to each property and keeps the property’s own', () => {
		const [a, b] = updateDisplayOptions({ show: { resource: ['user'], operation: ['getMany'] } }, [limit, plain]);
		expect(a.displayOptions).toEqual({
			show: { resource: ['user'], operation: ['getMany'], returnAll: [false] },
			hide: { product: ['vbgc'] },
		});
		expect(b.displayOptions).toEqual({ show: { resource: ['user'], operation: ['getMany'] } });
	});

	it('lets the property’s own value win where both set the same condition, and changes no input', () => {
		const own: INodeProperties = { ...plain, displayOptions: { show: { operation: ['get'] } } };
		const given = { show: { resource: ['user'], operation: ['get', 'getMany'] } };
		const [merged] = updateDisplayOptions(given, [own]);
		expect(merged.displayOptions).toEqual({ show: { resource: ['user'], operation: ['get'] } });
		expect(own.displayOptions).toEqual({ show: { operation: ['get'] } });
		expect(given).toEqual({ show: { resource: ['user'], operation: ['get', 'getMany'] } });
	});
});
