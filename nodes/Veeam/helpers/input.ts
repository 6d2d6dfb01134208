import {
	NodeApiError,
	NodeOperationError,
	type IExecuteFunctions,
	type INodeParameterResourceLocator,
} from 'n8n-workflow';

/**
 * Reading and checking parameters of one item. Every problem becomes a NodeOperationError that
 * names the field and the item (n8n's 0-based item index), raised before any request that
 * changes anything.
 */

export function inputError(ctx: IExecuteFunctions, i: number, field: string, problem: string, description?: string) {
	const message = `${field} (item ${i}): ${problem}`;
	const error = new NodeOperationError(ctx.getNode(), message, { itemIndex: i, description });
	// n8n swaps a message containing a system error code, in any case, for its own sentence (e.g. any
	// text with "restorePermissionsScope" in it for EPERM's "Operation not permitted…"): ours is kept.
	error.message = message;
	return error;
}

function kindOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'a list';
	return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** Text from a parameter, trimmed. An expression that yields an object or a list is refused. */
export function readText(
	ctx: IExecuteFunctions,
	i: number,
	name: string,
	field: string,
	{ required = true, fallback = '' }: { required?: boolean; fallback?: string } = {},
): string {
	return checkText(ctx, i, field, ctx.getNodeParameter(name, i, fallback) as unknown, required);
}

export function checkText(ctx: IExecuteFunctions, i: number, field: string, raw: unknown, required = true): string {
	let text: string;
	if (raw === undefined || raw === null) text = '';
	else if (typeof raw === 'string') text = raw.trim();
	else if (typeof raw === 'number' || typeof raw === 'boolean') text = String(raw);
	else throw inputError(ctx, i, field, `must be text, but the value is ${kindOf(raw)}`, 'Check the expression: it should produce a single text value, e.g. {{ $json.name }}, not {{ $json }}.');
	if (required && text === '') throw inputError(ctx, i, field, 'is empty');
	return text;
}

/** A boolean; expressions may give `true`/`false` as text. */
export function readBoolean(ctx: IExecuteFunctions, i: number, name: string, field: string, fallback: boolean): boolean {
	return checkBoolean(ctx, i, field, ctx.getNodeParameter(name, i, fallback) as unknown, fallback);
}

/** A boolean value already read (e.g. from an options collection); undefined gives the fallback. */
export function checkBoolean(ctx: IExecuteFunctions, i: number, field: string, raw: unknown, fallback: boolean): boolean {
	if (raw === undefined) return fallback;
	if (typeof raw === 'boolean') return raw;
	if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim())) return raw.trim().toLowerCase() === 'true';
	throw inputError(ctx, i, field, `must be true or false, but the value is ${kindOf(raw)}${typeof raw === 'string' ? ` "${raw}"` : ''}`);
}

/** Return All and Limit (see `returnAllAndLimit`): undefined when all are wanted. */
export function readLimit(ctx: IExecuteFunctions, i: number): number | undefined {
	if (readBoolean(ctx, i, 'returnAll', 'Return All', false)) return undefined;
	const limit = Number(ctx.getNodeParameter('limit', i, 50));
	if (!Number.isInteger(limit) || limit < 1) throw inputError(ctx, i, 'Limit', `must be a whole number of at least 1, not ${String(limit)}`);
	return limit;
}

/** One of a fixed set of values. */
export function readChoice<T extends string>(
	ctx: IExecuteFunctions,
	i: number,
	name: string,
	field: string,
	allowed: readonly T[],
	fallback: T,
): T {
	const value = checkText(ctx, i, field, ctx.getNodeParameter(name, i, fallback) as unknown);
	const found = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
	if (!found) throw inputError(ctx, i, field, `"${value}" is not one of ${allowed.join(', ')}`);
	return found;
}

/** A list of texts from a multi-select, or from an expression giving a list or one text. */
export function readTextList(ctx: IExecuteFunctions, i: number, name: string, field: string): string[] {
	const raw = ctx.getNodeParameter(name, i, []) as unknown;
	const values = Array.isArray(raw) ? raw : raw === undefined || raw === null || raw === '' ? [] : [raw];
	return values.map((v) => checkText(ctx, i, field, v, false)).filter((v) => v !== '');
}

export interface Locator {
	/** `list`, `id`, `name`, or `auto` for plain text from an expression over the whole locator. */
	mode: string;
	value: string;
}

/** A resource locator's mode and value (the value checked to be text). */
export function readLocator(ctx: IExecuteFunctions, i: number, name: string, field: string): Locator {
	const raw = ctx.getNodeParameter(name, i) as unknown;
	if (raw && typeof raw === 'object' && !Array.isArray(raw) && 'mode' in raw) {
		const rlc = raw as INodeParameterResourceLocator;
		return { mode: String(rlc.mode), value: checkText(ctx, i, field, rlc.value) };
	}
	// An expression over the whole parameter gives plain text: the caller decides (ID or name).
	return { mode: 'auto', value: checkText(ctx, i, field, raw) };
}

/**
 * A secret (a password, a token) exactly as given: not trimmed, and never quoted in a message.
 * Empty is refused when `required`.
 */
export function readSecret(ctx: IExecuteFunctions, i: number, name: string, field: string, required = true): string {
	const raw = ctx.getNodeParameter(name, i, '') as unknown;
	let secret: string;
	if (raw === undefined || raw === null) secret = '';
	else if (typeof raw === 'string') secret = raw;
	else if (typeof raw === 'number') secret = String(raw);
	else throw inputError(ctx, i, field, `must be text, but the value is ${kindOf(raw)}`);
	if (required && secret === '') throw inputError(ctx, i, field, 'is empty');
	return secret;
}

/**
 * Every bad item of an operation over the whole input (Sync), found in one pass: the user sees all
 * problems at once, and with "Continue On Fail" each bad item becomes its own error item.
 */
export class ItemErrors extends Error {
	constructor(readonly errors: Array<{ item: number; error: NodeOperationError }>) {
		super(errors.map((e) => e.error.message).join('; '));
		this.name = 'ItemErrors';
	}
}

/** Runs `read` for each item; collects the NodeOperationErrors of all bad items into one ItemErrors. */
export async function readEachItem<T>(ctx: IExecuteFunctions, itemCount: number, read: (i: number) => Promise<T> | T): Promise<T[]> {
	const results: T[] = [];
	const errors: Array<{ item: number; error: NodeOperationError }> = [];
	for (let i = 0; i < itemCount; i++) {
		try {
			results.push(await read(i));
		} catch (error) {
			// Only a problem of the item is collected; a failed request (NodeApiError) ends the reading.
			const failure = error instanceof NodeApiError || error instanceof NodeOperationError ? error : new NodeOperationError(ctx.getNode(), error as Error, { itemIndex: i });
			if (failure instanceof NodeApiError) throw failure;
			errors.push({ item: i, error: failure });
		}
	}
	if (errors.length) throw new ItemErrors(errors);
	return results;
}
