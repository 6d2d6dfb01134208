/**
 * Veeam's own example payloads, kept as fixtures: `test/fixtures/veeam/<product>/*.json`, one
 * example request or answer each, copied from a Veeam reference page (values are Veeam's, taken as
 * data), with where it comes from:
 *
 *   { "source": "https://helpcenter.veeam.com/…", "apiVersion": "v8", "endpoint": "GET /api/v8/users",
 *     "kind": "response", "status": 200, "body": { … } }
 *
 * The product's tests feed every answer through its adapter (the adapter must read it) and compare
 * each simulator answer for the same endpoint with the example's shape (`shapeProblems`): a
 * simulator that answers in another shape than Veeam's example is wrong, whatever our code expects.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const EXAMPLES_DIR = join(__dirname, '..', 'fixtures', 'veeam');

export interface VeeamExample {
	/** The file's name, for test titles. */
	file: string;
	/** The Veeam page the example was copied from. */
	source: string;
	apiVersion?: string;
	/** `METHOD /path` as the page shows it. */
	endpoint: string;
	kind: 'request' | 'response';
	status?: number;
	body: unknown;
}

/** Every example of `product` (the folder's name), sorted by file name. */
export function loadExamples(product: string): VeeamExample[] {
	const dir = join(EXAMPLES_DIR, product);
	return readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((file) => {
			const example = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Omit<VeeamExample, 'file'>;
			if (typeof example.source !== 'string' || !/^https:\/\//.test(example.source)) throw new Error(`${product}/${file}: no source URL`);
			if (typeof example.endpoint !== 'string' || !/^(GET|POST|PUT|PATCH|DELETE) \//.test(example.endpoint)) throw new Error(`${product}/${file}: no endpoint`);
			if (example.kind !== 'request' && example.kind !== 'response') throw new Error(`${product}/${file}: kind is request or response`);
			return { ...example, file };
		});
}

const kindOf = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Where `actual` (a simulator's answer) differs in shape from Veeam's `example`: a property the
 * example has that the answer lacks, or holds with another JSON type (null in either is taken as
 * "may be null"). Arrays compare their first elements. Properties the answer has beyond the example
 * are not problems (an example need not show every optional field); `extraAllowed: false` makes them so.
 */
export function shapeProblems(example: unknown, actual: unknown, path = '$', extraAllowed = true): string[] {
	if (example === null || actual === null) return [];
	const [ke, ka] = [kindOf(example), kindOf(actual)];
	if (ke !== ka) return [`${path}: Veeam's example has ${ke}, the answer ${ka}`];
	if (ke === 'array') {
		const [e, a] = [example as unknown[], actual as unknown[]];
		return e.length && a.length ? shapeProblems(e[0], a[0], `${path}[0]`, extraAllowed) : [];
	}
	if (ke !== 'object') return [];
	const [e, a] = [example as Record<string, unknown>, actual as Record<string, unknown>];
	const problems: string[] = [];
	for (const key of Object.keys(e)) {
		if (!(key in a)) problems.push(`${path}.${key}: in Veeam's example, missing from the answer`);
		else problems.push(...shapeProblems(e[key], a[key], `${path}.${key}`, extraAllowed));
	}
	if (!extraAllowed) for (const key of Object.keys(a)) if (!(key in e)) problems.push(`${path}.${key}: not in Veeam's example`);
	return problems;
}
