import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Deep merge of display conditions. Objects merge key by key; where both sides set the same
 * condition (an array or a scalar), the property's own value wins: it is the more specific one
 * (e.g. a field of Get Many that shows only when Return All is off keeps `returnAll: [false]`).
 */
function mergeConditions(own: Plain, added: Plain): Plain {
	const result: Plain = { ...added };
	for (const [key, value] of Object.entries(own)) {
		const other = result[key];
		result[key] = isPlainObject(value) && isPlainObject(other) ? mergeConditions(value, other) : value;
	}
	return result;
}

/**
 * Adds display conditions to every property of an operation, keeping the property's own
 * conditions (n8n's nodes-base helper of the same name does this with lodash `merge`; this
 * package has no runtime dependencies). Returns new objects; the inputs are not changed.
 */
export function updateDisplayOptions(displayOptions: IDisplayOptions, properties: INodeProperties[]): INodeProperties[] {
	return properties.map((property) => ({
		...property,
		displayOptions: mergeConditions(
			(property.displayOptions ?? {}) as Plain,
			displayOptions as unknown as Plain,
		) as IDisplayOptions,
	}));
}
