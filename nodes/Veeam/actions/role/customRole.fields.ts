/**
 * What Role → Create and Update share: the declared role's fields (Name, Description, Manage
 * Backups, Manage Restores and optional Scopes as JSON, or the whole role as JSON: Veeam's own
 * `CustomRoleSpec`, what Get with details outputs), read and checked before anything is sent; and
 * the custom-role client of the item's product (VBR 13.1 only).
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { redactRoleSecrets } from '../../../../client/adapters/customRoleSecrets';
import { customRoleProblems, describeProblems, ROLE_SCOPES, toCustomRoleSpec, type CustomRoleSpec } from '../../../../client/adapters/customRoleSpec';
import type { VbrCustomRoles } from '../../../../client/adapters/vbrCustomRoles';
import { PRODUCTS } from '../../../../client/products';
import { checkBoolean, inputError, readChoice, readText } from '../../helpers/input';

export const VBR_ONLY = { show: { product: ['vbr'] } } as const;
const DEFINE_WITH = ['fields', 'json'] as const;

export const SCOPES_EXAMPLE = '{ "repositoryScope": { "allRepositories": false, "repositories": [{ "repositoryId": "3f2a8c14-9e7b-4d52-a1c6-0b9d4e8f1a23" }] } }';

/** The declared role's fields (`operations`: where they show). */
export function roleFields(operations: string[]): INodeProperties[] {
	const show = (extra: IDataObject = {}) => ({ show: { resource: ['role'], operation: operations, product: ['vbr'], ...extra } });
	return [
		{
			displayName: 'Define With',
			name: 'defineWith',
			type: 'options',
			default: 'fields',
			displayOptions: show(),
			options: [
				{ name: 'Fields', value: 'fields', description: 'Name, description, the two permissions and, optionally, scopes as JSON' },
				{ name: 'Role JSON', value: 'json', description: "The whole role as Veeam's JSON, e.g. the output of Role → Get with details" },
			],
			description: 'How the custom role is given',
		},
		{
			displayName: 'Name',
			name: 'roleName',
			type: 'string',
			default: '',
			required: true,
			displayOptions: show({ defineWith: ['fields'] }),
			placeholder: 'e.g. Tier-1 Restore Operators',
			description: 'Name of the custom role',
		},
		{
			displayName: 'Description',
			name: 'roleDescription',
			type: 'string',
			default: '',
			displayOptions: show({ defineWith: ['fields'] }),
			description: "Description of the role. Empty: left as the server has it (a new role gets Veeam's default).",
		},
		{
			displayName: 'Manage Backups',
			name: 'manageBackups',
			type: 'boolean',
			default: false,
			displayOptions: show({ defineWith: ['fields'] }),
			description: 'Whether the role can create and manage backup jobs',
		},
		{
			displayName: 'Manage Restores',
			name: 'manageRestores',
			type: 'boolean',
			default: false,
			displayOptions: show({ defineWith: ['fields'] }),
			description: 'Whether the role can restore from existing backups',
		},
		{
			displayName: 'Scopes (JSON)',
			name: 'scopes',
			type: 'json',
			default: '{}',
			displayOptions: show({ defineWith: ['fields'] }),
			description: `Optional. Any of inventoryScope, repositoryScope, restorePermissionsScope, restoreTargetScope, as Veeam's JSON, e.g. ${SCOPES_EXAMPLE}. A scope left out is left as the server has it.`,
		},
		{
			displayName: 'Role (JSON)',
			name: 'roleJson',
			type: 'json',
			default: '{\n  "name": "",\n  "manageBackups": false,\n  "manageRestores": true\n}',
			required: true,
			displayOptions: show({ defineWith: ['json'] }),
			description:
				"Veeam's custom role JSON: name, description, manageBackups, manageRestores and optionally the scopes (an ID from an exported role is ignored). A field left out (description, a scope) is left as the server has it.",
		},
	];
}

/** The custom-role client, or an error naming the product when it has none (only VBR 13.1 has custom roles). */
export function customRolesOf(ctx: IExecuteFunctions, directory: UserDirectory, i: number, operation: string): VbrCustomRoles {
	if (!directory.customRoles) {
		throw inputError(ctx, i, 'Operation', `${operation} is for custom roles of Veeam Backup & Replication 13.1; ${PRODUCTS[directory.product].name} has none`, 'Choose Veeam Backup & Replication as the product.');
	}
	return directory.customRoles();
}

function parseJson(ctx: IExecuteFunctions, i: number, field: string, raw: unknown): unknown {
	if (typeof raw !== 'string') return raw;
	if (raw.trim() === '') return undefined;
	try {
		return JSON.parse(raw) as unknown;
	} catch (error) {
		throw inputError(ctx, i, field, `is not valid JSON (${(error as Error).message})`);
	}
}

/**
 * The declared role of item `i`, checked by Veeam's rules: a NodeOperationError naming the field
 * (and, for JSON, the path inside it) when one breaks. `description` absent: not declared.
 */
export function readDeclaredRole(ctx: IExecuteFunctions, i: number): CustomRoleSpec {
	const mode = readChoice(ctx, i, 'defineWith', 'Define With', DEFINE_WITH, 'fields');
	if (mode === 'json') {
		const value = parseJson(ctx, i, 'Role (JSON)', ctx.getNodeParameter('roleJson', i, ''));
		const problems = customRoleProblems(value);
		if (problems.length) throw inputError(ctx, i, 'Role (JSON)', describeProblems(problems), 'Give the role as Veeam\'s JSON, e.g. the output of Role → Get with "With Details" on.');
		return toCustomRoleSpec(value as IDataObject);
	}
	const name = readText(ctx, i, 'roleName', 'Name');
	const description = readText(ctx, i, 'roleDescription', 'Description', { required: false });
	const manageBackups = checkBoolean(ctx, i, 'Manage Backups', ctx.getNodeParameter('manageBackups', i, false), false);
	const manageRestores = checkBoolean(ctx, i, 'Manage Restores', ctx.getNodeParameter('manageRestores', i, false), false);
	const scopes = parseJson(ctx, i, 'Scopes (JSON)', ctx.getNodeParameter('scopes', i, '{}')) ?? {};
	if (typeof scopes !== 'object' || scopes === null || Array.isArray(scopes)) throw inputError(ctx, i, 'Scopes (JSON)', 'must be a JSON object with any of ' + ROLE_SCOPES.join(', '));
	const unknown = Object.keys(scopes).filter((k) => !(ROLE_SCOPES as readonly string[]).includes(k));
	if (unknown.length) throw inputError(ctx, i, 'Scopes (JSON)', `${unknown.join(', ')}: not a scope (the scopes: ${ROLE_SCOPES.join(', ')})`);
	const role = { name, ...(description ? { description } : {}), manageBackups, manageRestores, ...scopes };
	const problems = customRoleProblems(role);
	if (problems.length) throw inputError(ctx, i, 'Scopes (JSON)', describeProblems(problems));
	return toCustomRoleSpec(role);
}

/**
 * The role as an output shows it: what the server holds (Veeam's JSON, declarable back), and that it
 * is custom (not said of a role only `declared`, not read from the server). Secrets in its scopes
 * (an Entra ID tenant's client secret, certificate) `[redacted]`.
 */
export function roleOutput(role: object, options: { declared?: boolean } = {}): IDataObject {
	return { ...redactRoleSecrets(role as IDataObject), ...(options.declared ? {} : { isBuiltIn: false }) };
}
