import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Validates HTTP responses against an OpenAPI 3.0 document: the operation must exist, the status
 * must be documented (undocumented error statuses must still carry the spec's `Error` body), and
 * the body must match the documented schema. Records which operations were served successfully,
 * so a test can assert that every operation the nodes use is covered.
 */
export const SPEC_DIR = join(__dirname, '..', '..', 'sim', 'spec');

type Json = Record<string, unknown>;

interface Operation {
	method: string;
	template: string;
	matcher: RegExp;
	responses: Json;
}

export class OpenApiContract {
	readonly violations: string[] = [];
	/** `METHOD /template` of every operation answered with a documented 2xx. */
	readonly served = new Set<string>();
	private readonly doc: Json;
	private readonly ajv: Ajv;
	private readonly operations: Operation[] = [];
	private readonly validators = new Map<string, ValidateFunction>();

	constructor(readonly file: string) {
		this.doc = JSON.parse(readFileSync(join(SPEC_DIR, file), 'utf8')) as Json;
		breakCycles(this.doc);
		// References kept, not inlined (the lead's decision 7, sim/contracts/vbr-access-control.md).
		this.ajv = new Ajv({ strict: false, allErrors: true, inlineRefs: false });
		addFormats(this.ajv);
		// OpenAPI formats that are not JSON Schema formats: type-only.
		for (const f of ['int32', 'int64', 'password', 'double', 'float', 'binary', 'byte']) this.ajv.addFormat(f, true);
		this.ajv.addSchema(this.doc, 'spec');
		for (const [template, ops] of Object.entries(this.doc.paths as Json)) {
			for (const [method, op] of Object.entries(ops as Json)) {
				if (!['get', 'post', 'put', 'delete', 'patch'].includes(method)) continue;
				const pattern = template.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\{[^}]+\\\}/g, '[^/]+');
				this.operations.push({
					method: method.toUpperCase(),
					template,
					matcher: new RegExp(`^${pattern}$`, 'i'),
					responses: (op as Json).responses as Json,
				});
			}
		}
		// Literal paths before templated ones (`/users/roles` before `/users/{name}`).
		this.operations.sort((a, b) => countParams(a.template) - countParams(b.template));
	}

	operationsInSpec(): string[] {
		return this.operations.map((o) => `${o.method} ${o.template}`);
	}

	/** Returns the violations for this response (also kept in `violations`). */
	check(method: string, path: string, status: number, body: unknown, rawBody = ''): string[] {
		const where = `${method} ${path} → ${status}`;
		const problems: string[] = [];
		const op = this.operations.find((o) => o.method === method && o.matcher.test(path));
		if (!op && status === 404 && rawBody.trim() === '') {
			// A path no route serves: the web server's bare 404 (sim/README.md), no Veeam body.
		} else if (!op && status >= 400) {
			// A route the spec does not have (e.g. 405 for a wrong method): still Veeam's Error body.
			const validate = this.validator('spec#/components/schemas/Error');
			if (!validate(body)) problems.push(`${where}: ${this.ajv.errorsText(validate.errors)}`);
		} else if (!op) {
			problems.push(`${where}: no such operation in ${this.file}`);
		} else {
			let response = op.responses[String(status)] as Json | undefined;
			if (response?.$ref) response = this.resolve(response.$ref as string);
			let schemaRef: string | undefined;
			if (response) {
				const content = response.content as Json | undefined;
				const media = (content?.['application/json'] ?? (content ? Object.values(content)[0] : undefined)) as Json | undefined;
				schemaRef = media?.schema ? this.schemaPointer(op, status, media.schema as Json) : undefined;
				if (!schemaRef && rawBody.trim() !== '') {
					// Documented without a body (e.g. 204): any body is a violation.
					problems.push(`${where}: documented without a body, got ${rawBody.slice(0, 80)}`);
				}
				if (status >= 200 && status < 300) this.served.add(`${op.method} ${op.template}`);
			} else if (status >= 400) {
				// Undocumented error status (e.g. 429 from a fault, 405): Veeam still sends its Error body.
				schemaRef = 'spec#/components/schemas/Error';
			} else {
				problems.push(`${where}: status not documented`);
			}
			if (schemaRef) {
				const validate = this.validator(schemaRef);
				if (!validate(body)) {
					problems.push(`${where}: ${this.ajv.errorsText(validate.errors)} in ${JSON.stringify(body).slice(0, 300)}`);
				}
			}
		}
		this.violations.push(...problems);
		return problems;
	}

	/** Problems of `body` against the component schema `name` (e.g. a request body: `CustomRoleSpec`). */
	checkSchema(name: string, body: unknown): string[] {
		const validate = this.validator(`spec#/components/schemas/${name}`);
		return validate(body) ? [] : [`${name}: ${this.ajv.errorsText(validate.errors)}`];
	}

	private schemaPointer(op: Operation, status: number, schema: Json): string {
		if (typeof schema.$ref === 'string') return `spec${schema.$ref}`;
		// Inline schema: point at it inside the document.
		const path = ['paths', op.template, op.method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema'];
		return `spec#/${path.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
	}

	private resolve(ref: string): Json {
		return ref
			.replace(/^#\//, '')
			.split('/')
			.reduce<Json>((node, key) => node[key.replace(/~1/g, '/').replace(/~0/g, '~')] as Json, this.doc);
	}

	private validator(ref: string): ValidateFunction {
		let v = this.validators.get(ref);
		if (!v) {
			v = this.ajv.compile({ $ref: ref });
			this.validators.set(ref, v);
		}
		return v;
	}
}

/**
 * Veeam's specs (1.3-rev2: `ScopesWorkloadModel`, `InventoryObjectModel`, `FilterExpressionModel`)
 * write a polymorphic schema as a `oneOf` of models that are each `allOf` the parent itself: read as
 * JSON Schema, validating the parent validates a member, which validates the parent again, for ever
 * (a stack overflow). The cycle is broken here, in a copy of the document held by the validator: a
 * member's `allOf` reference to its parent points at `<Parent>__base`, the parent without its
 * `oneOf` / `anyOf` (its own properties and `required`). What the spec says is kept: the parent is
 * one of its members, and each member has the parent's properties.
 */
export function breakCycles(doc: Json): void {
	const schemas = ((doc.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
	for (const [name, schema] of Object.entries(schemas)) {
		const members = (schema.oneOf ?? schema.anyOf) as Json[] | undefined;
		if (!members) continue;
		const self = `#/components/schemas/${name}`;
		const baseName = `${name}__base`;
		let cyclic = false;
		for (const member of members) {
			const target = typeof member.$ref === 'string' ? schemas[member.$ref.replace('#/components/schemas/', '')] : member;
			const allOf = target?.allOf as Json[] | undefined;
			if (!allOf) continue;
			for (const part of allOf) {
				if (part.$ref === self) {
					part.$ref = `#/components/schemas/${baseName}`;
					cyclic = true;
				}
			}
		}
		if (cyclic) {
			const base: Json = { ...schema };
			delete base.oneOf;
			delete base.anyOf;
			delete base.discriminator;
			schemas[baseName] = base;
		}
		bindDiscriminator(schema);
	}
}

/**
 * OpenAPI's `discriminator`: the member is the one the property's value maps to. Plain JSON Schema
 * ignores it and asks that exactly one member match, which members of the same shape (VSphere,
 * HyperV, Nutanix and Proxmox scopes) never do; so a mapped `oneOf` becomes "the property's value is
 * one of the mapping's keys, and the object is the member it names".
 */
function bindDiscriminator(schema: Json): void {
	const discriminator = schema.discriminator as { propertyName?: string; mapping?: Record<string, string> } | undefined;
	if (!schema.oneOf || !discriminator?.propertyName || !discriminator.mapping) return;
	const property = discriminator.propertyName;
	const mapping = discriminator.mapping;
	delete schema.oneOf;
	schema.required = [...new Set([...((schema.required as string[] | undefined) ?? []), property])];
	schema.allOf = [
		...((schema.allOf as Json[] | undefined) ?? []),
		{ properties: { [property]: { enum: Object.keys(mapping) } } },
		...Object.entries(mapping).map(([value, ref]) => ({
			if: { properties: { [property]: { const: value } }, required: [property] },
			then: { $ref: ref },
		})),
	];
}

function countParams(template: string): number {
	return (template.match(/\{/g) ?? []).length;
}
