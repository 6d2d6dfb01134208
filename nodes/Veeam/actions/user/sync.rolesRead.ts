/**
 * User → Sync with custom roles: reading what the node is given (Manage, Custom Roles, Custom Role
 * Scope) and what the server has (the role list, and the details of the declared roles it has).
 * Bad input is a NodeOperationError naming the field and the role, before anything is sent.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import { PRODUCT_NAMES, type UserDirectory, type VeeamRole } from '../../../../client/adapters';
import { customRoleProblems, describeProblems, toCustomRoleSpec, type CustomRole } from '../../../../client/adapters/customRoleSpec';
import type { VbrCustomRoles } from '../../../../client/adapters/vbrCustomRoles';
import { runPool } from '../../../../client/pool';
import { inputError, readChoice, readText } from '../../helpers/input';
import { roleScopeSelector, rolesToRead, type DeclaredRole, type ListedRole, type RoleSyncScope } from './sync.roles';

export const MANAGE = ['users', 'usersAndCustomRoles', 'customRoles'] as const;
export type Manage = (typeof MANAGE)[number];

export interface RoleSyncParams {
	declared: DeclaredRole[];
	scope: RoleSyncScope;
}

/** Details read at once (read-only requests). */
const DETAIL_READS = 8;
const FIELD = 'Custom Roles';

const isObject = (v: unknown): v is IDataObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the sync manages; custom roles only on VBR (its 1.3-rev2 is checked when the roles are read). */
export function readManage(ctx: IExecuteFunctions, directory: UserDirectory): Manage {
	const manage = readChoice(ctx, 0, 'manage', 'Manage', MANAGE, 'users');
	if (manage !== 'users' && !directory.customRoles) {
		throw inputError(
			ctx,
			0,
			'Manage',
			`custom roles exist only on Veeam Backup & Replication 13.1 (REST API 1.3-rev2), not on ${PRODUCT_NAMES[directory.product]}`,
			'Choose Manage: Users.',
		);
	}
	return manage;
}

/** The declared list as given: a JSON list (text or value), one role object, or `{ data: [...] }`. */
function declaredValues(ctx: IExecuteFunctions): unknown[] {
	let value = ctx.getNodeParameter('customRoles', 0, '[]') as unknown;
	// Nothing at all (an expression reading a file without the key) is not "no roles": that would delete them all.
	if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
		throw inputError(ctx, 0, FIELD, 'is empty', 'Give a JSON list of custom roles; [] (an explicit empty list) declares none, and the sync then deletes every custom role in its scope.');
	}
	if (typeof value === 'string') {
		const text = value.trim();
		try {
			value = JSON.parse(text) as unknown;
		} catch (error) {
			throw inputError(ctx, 0, FIELD, `is not valid JSON (${(error as Error).message})`, 'Give a JSON list of custom roles, e.g. [{"name": "Ops Restore", "manageBackups": false, "manageRestores": true}].');
		}
	}
	// Plain JSON data from here on: n8n 1.x's Code node hands out its items as proxies, which
	// structuredClone (used on scopes further on) refuses ("could not be cloned").
	try {
		value = JSON.parse(JSON.stringify(value)) as unknown;
	} catch (error) {
		throw inputError(ctx, 0, FIELD, `is not JSON data (${(error as Error).message})`);
	}
	if (isObject(value) && Array.isArray(value.data)) value = value.data;
	if (isObject(value)) value = [value];
	if (!Array.isArray(value)) {
		throw inputError(ctx, 0, FIELD, `must be a JSON list of custom roles, but it is ${value === null ? 'null' : `a ${typeof value}`}`);
	}
	return value as unknown[];
}

/** `[2] "Auditors"`: a declared role as messages name it. */
export function declaredLabel(index: number, value: unknown): string {
	const name = isObject(value) && typeof value.name === 'string' && value.name.trim() ? ` "${value.name.trim()}"` : '';
	return `[${index}]${name}`;
}

/** The role part of the sync's parameters, every declared role checked. */
export function readRoleParams(ctx: IExecuteFunctions): RoleSyncParams {
	const kind = readChoice(ctx, 0, 'customRoleScope', 'Custom Role Scope', ['namePattern', 'all'] as const, 'namePattern');
	const scope: RoleSyncScope = kind === 'all' ? { kind } : { kind, pattern: readText(ctx, 0, 'customRoleNamePattern', 'Custom Role Name Pattern') };
	const selects = roleScopeSelector(scope);
	const problems: string[] = [];
	const declared: DeclaredRole[] = [];
	const seen = new Map<string, number>();
	for (const [index, value] of declaredValues(ctx).entries()) {
		const label = declaredLabel(index, value);
		const found = customRoleProblems(value);
		if (found.length) {
			problems.push(`${label}: ${describeProblems(found)}`);
			continue;
		}
		const spec = toCustomRoleSpec(value as IDataObject);
		const earlier = seen.get(spec.name.toLowerCase());
		if (earlier !== undefined) problems.push(`${label}: name is also the name of [${earlier}] (each role once)`);
		else if (!selects(spec.name)) problems.push(`${label}: name does not match the Custom Role Name Pattern "${scope.pattern}" (the sync could not manage it)`);
		seen.set(spec.name.toLowerCase(), earlier ?? index);
		declared.push({ index, spec });
	}
	if (problems.length) {
		throw inputError(ctx, 0, FIELD, problems.join('; '), 'Nothing was sent. Each role is Veeam\'s CustomRoleSpec JSON (name, description, manageBackups, manageRestores and optional scopes).');
	}
	return { declared, scope };
}

export interface ServerRoles {
	/** Every built-in role (never managed). */
	builtIn: ListedRole[];
	custom: ListedRole[];
	/** Details of the declared roles the server has, by lower-case ID. */
	details: Map<string, CustomRole>;
}

/**
 * The server's roles: one list (paged; `isBuiltIn` tells custom from built-in; where a server leaves
 * it out, a second list with `isBuiltInFilter=false` does), then the details of each declared role
 * the server has, in parallel (the list carries neither permissions nor scopes). A declared role
 * named like a built-in one is refused here, before anything is changed.
 */
export async function readServerRoles(ctx: IExecuteFunctions, client: VbrCustomRoles, declared: DeclaredRole[]): Promise<ServerRoles> {
	await client.checkVersion();
	const all = await client.list();
	let customIds: Set<string>;
	if (all.every((r) => typeof r.isBuiltIn === 'boolean')) customIds = new Set(all.filter((r) => r.isBuiltIn === false).map((r) => r.id.toLowerCase()));
	else customIds = new Set((await client.list({ builtIn: false })).map((r) => r.id.toLowerCase()));
	const plain = (r: ListedRole): ListedRole => ({ id: r.id, name: r.name, ...(r.description !== undefined ? { description: r.description } : {}) });
	const custom = all.filter((r) => customIds.has(r.id.toLowerCase())).map(plain);
	const builtIn = all.filter((r) => !customIds.has(r.id.toLowerCase())).map(plain);

	// 1.3-rev1's pages name them "Veeam Backup Administrator" …, 1.3-rev2's "Backup Administrator" …: either is a built-in's name.
	const bare = (name: string) => name.toLowerCase().replace(/^veeam\s+/, '');
	const builtInNames = new Map(builtIn.map((r) => [bare(r.name), r.name]));
	const clashes = declared.filter((d) => builtInNames.has(bare(d.spec.name)));
	if (clashes.length) {
		const list = clashes.map((d) => `${declaredLabel(d.index, d.spec)}: name is the name of the built-in role "${builtInNames.get(bare(d.spec.name))}"`).join('; ');
		throw inputError(ctx, 0, FIELD, list, 'Built-in roles are never changed by a sync, and users are given roles by name: a custom role named like a built-in one would make that name mean two roles. Give the custom role another name. Nothing was sent.');
	}

	const toRead = rolesToRead(custom, declared);
	const outcomes = await runPool(toRead.length, async (i) => await client.details(toRead[i].id), { concurrency: DETAIL_READS, stopOnError: true });
	const details = new Map<string, CustomRole>();
	for (const [i, outcome] of outcomes.entries()) {
		if (outcome && !outcome.ok) throw outcome.error;
		const role = outcome?.value;
		if (!role) {
			throw new NodeOperationError(ctx.getNode(), `The custom role "${toRead[i].name}" was deleted on the server while the sync read it`, {
				description: 'Nothing was changed. Run the sync again: it plans from what the server has then.',
			});
		}
		details.set(toRead[i].id.toLowerCase(), role);
	}
	return { builtIn, custom, details };
}

/** The placeholder a user may be given for a declared role the server does not have yet (replaced once it is created). */
export function placeholderRole(name: string): VeeamRole {
	return { id: `declared:${name.toLowerCase()}`, name };
}

export function isPlaceholder(role: VeeamRole): boolean {
	return role.id.startsWith('declared:');
}

/**
 * The directory as the users' part of the sync sees it: its role list holds the declared roles the
 * server does not have yet, so that users can be given a role created in the same run.
 */
export function withDeclaredRoles(directory: UserDirectory, declared: DeclaredRole[]): UserDirectory {
	const view = Object.create(directory) as UserDirectory;
	view.listRoles = async () => {
		const known = await directory.listRoles();
		const names = new Set(known.map((r) => r.name.toLowerCase()));
		return [...known, ...declared.filter((d) => !names.has(d.spec.name.toLowerCase())).map((d) => placeholderRole(d.spec.name))];
	};
	return view;
}
