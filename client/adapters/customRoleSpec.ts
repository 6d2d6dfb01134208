/**
 * A VBR custom role as declared by a user: Veeam's own `CustomRoleSpec` JSON (REST 1.3-rev2,
 * `POST /api/v1/security/roles`), the shape Role → Get (with details) outputs, so a role read from
 * one server can be declared back. Pure functions, no I/O: the checks a declared role passes
 * before anything is sent, and which fields of a role on the server differ from a declared one.
 *
 * Scopes (sim/contracts/vbr-access-control.md, "The scopes"; lead's decision 8): the "entire/all"
 * flags, repository, job and backup IDs are checked here; the other workload types (`VSphere`,
 * `HyperV`, `Computers`, …, whose objects come from the inventory) are passed through as given,
 * with their `type` checked against Veeam's list.
 */
import { UUID_PATTERN } from '../ids';

type Json = Record<string, unknown>;

export const ROLE_SCOPES = ['inventoryScope', 'repositoryScope', 'restorePermissionsScope', 'restoreTargetScope'] as const;
export type RoleScope = (typeof ROLE_SCOPES)[number];

/** `CustomRoleSpec`: what a custom role is declared as (and `POST /roles` takes). Scopes as Veeam's JSON. */
export interface CustomRoleSpec {
	name: string;
	description?: string;
	manageBackups: boolean;
	manageRestores: boolean;
	inventoryScope?: Json;
	repositoryScope?: Json;
	restorePermissionsScope?: Json;
	restoreTargetScope?: Json;
}

/** `CustomRoleModel`: a custom role on the server (`GET /roles/{id}/details`, the PUT's body). */
export interface CustomRole extends CustomRoleSpec {
	id: string;
}

/** A problem with a declared role: the field (a dotted path such as `repositoryScope.repositories[0].repositoryId`) and what is wrong. */
export interface RoleSpecProblem {
	field: string;
	problem: string;
}

/** `EInventoryScopeWorkloadType` (1.3-rev2). */
export const WORKLOAD_TYPES = ['Backups', 'VSphere', 'HyperV', 'Computers', 'UnstructuredData', 'ObjectStorage', 'Jobs', 'EntraIdTenant', 'Nutanix', 'Proxmox'] as const;
const BACKUP_ITEM_TYPES = ['Backup', 'Snapshot'];
const SPEC_FIELDS = new Set<string>(['name', 'description', 'manageBackups', 'manageRestores', ...ROLE_SCOPES]);
/** Fields Get (with details) outputs beside the spec: taken and ignored when a role is declared back. */
const MODEL_FIELDS = new Set(['id', 'isBuiltIn']);
/** Names the server writes beside an ID (`repositoryName`, `jobName`, `backupName`): not compared. */
const ECHO_FIELDS = new Set(['repositoryName', 'jobName', 'backupName']);
const UUID = new RegExp(UUID_PATTERN);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every problem of a declared role, each naming its field; an empty list when Veeam's rules hold
 * (`name` non-empty, the two booleans, the scopes' required fields and "Required if …" rules).
 */
export function customRoleProblems(value: unknown): RoleSpecProblem[] {
	const problems: RoleSpecProblem[] = [];
	const add = (field: string, problem: string) => problems.push({ field, problem });
	if (!isObject(value)) {
		add('role', 'must be a JSON object (Veeam\'s CustomRoleSpec: name, description, manageBackups, manageRestores and the scopes)');
		return problems;
	}
	for (const key of Object.keys(value)) {
		if (!SPEC_FIELDS.has(key) && !MODEL_FIELDS.has(key)) add(key, `is not a field of a Veeam custom role (the fields: ${[...SPEC_FIELDS].join(', ')})`);
	}
	if (value.isBuiltIn === true) add('isBuiltIn', 'a built-in role cannot be declared: only custom roles can be created or changed');
	if (typeof value.name !== 'string' || value.name.trim() === '') add('name', 'is required (a non-empty text)');
	if (value.description !== undefined && typeof value.description !== 'string') add('description', 'must be a text');
	for (const flag of ['manageBackups', 'manageRestores']) {
		if (typeof value[flag] !== 'boolean') add(flag, 'is required: true or false');
	}
	scopeProblems(value, add);
	return problems;
}

/** The problems as one sentence, for an error message: `name is required …; repositoryScope.allRepositories is required …`. */
export function describeProblems(problems: readonly RoleSpecProblem[]): string {
	return problems.map((p) => `${p.field} ${p.problem}`).join('; ');
}

/**
 * The spec of a declared role that `customRoleProblems` accepted: only the spec's fields (an `id`
 * from an exported role is dropped), scopes copied.
 */
export function toCustomRoleSpec(value: Json): CustomRoleSpec {
	const spec: CustomRoleSpec = {
		name: String(value.name).trim(),
		manageBackups: value.manageBackups === true,
		manageRestores: value.manageRestores === true,
	};
	if (typeof value.description === 'string') spec.description = value.description;
	// Copied as JSON, not with structuredClone: on n8n 1.x a Code node's output objects are Proxies,
	// which structuredClone refuses ("could not be cloned"); JSON reads through them.
	for (const scope of ROLE_SCOPES) if (isObject(value[scope])) spec[scope] = JSON.parse(JSON.stringify(value[scope])) as Json;
	return spec;
}

function scopeProblems(role: Json, add: (field: string, problem: string) => void): void {
	const scope = (name: RoleScope): Json | undefined => {
		const v = role[name];
		if (v === undefined || v === null) return undefined;
		if (!isObject(v)) {
			add(name, 'must be a JSON object');
			return undefined;
		}
		return v;
	};
	const flag = (obj: Json, path: string, name: string): boolean | undefined => {
		if (typeof obj[name] === 'boolean') return obj[name];
		add(`${path}.${name}`, 'is required: true or false');
		return undefined;
	};
	const list = (obj: Json, path: string, name: string, requiredBecause?: string): unknown[] | undefined => {
		const v = obj[name];
		if (v === undefined || v === null) {
			if (requiredBecause) add(`${path}.${name}`, `is required if ${requiredBecause} is false`);
			return undefined;
		}
		if (!Array.isArray(v)) {
			add(`${path}.${name}`, 'must be a list');
			return undefined;
		}
		return v;
	};
	const inventory = scope('inventoryScope');
	if (inventory) {
		const entire = flag(inventory, 'inventoryScope', 'entireInventory');
		workloadProblems(list(inventory, 'inventoryScope', 'workloads', entire === false ? 'entireInventory' : undefined), 'inventoryScope.workloads', add);
	}
	const repositories = scope('repositoryScope');
	if (repositories) {
		const all = flag(repositories, 'repositoryScope', 'allRepositories');
		const items = list(repositories, 'repositoryScope', 'repositories', all === false ? 'allRepositories' : undefined);
		idItemProblems(items, 'repositoryScope.repositories', 'repositoryId', add);
	}
	const restore = scope('restorePermissionsScope');
	if (restore) {
		const path = 'restorePermissionsScope';
		const backups = restore.restoreBackupScope;
		if (!isObject(backups)) add(`${path}.restoreBackupScope`, 'is required: an object with entireBackupScope');
		else {
			flag(backups, `${path}.restoreBackupScope`, 'entireBackupScope');
			workloadProblems(list(backups, `${path}.restoreBackupScope`, 'backupSources'), `${path}.restoreBackupScope.backupSources`, add);
		}
		const options = restore.restoreOptions;
		if (!isObject(options)) add(`${path}.restoreOptions`, 'is required: an object with allOptions');
		else {
			const all = flag(options, `${path}.restoreOptions`, 'allOptions');
			const items = list(options, `${path}.restoreOptions`, 'restoreOptions', all === false ? 'allOptions' : undefined);
			items?.forEach((o, i) => {
				const at = `${path}.restoreOptions.restoreOptions[${i}]`;
				if (!isObject(o)) return add(at, 'must be an object with code and name');
				if (typeof o.code !== 'number' || !Number.isInteger(o.code)) add(`${at}.code`, 'is required: an integer (see Veeam\'s restore options)');
				if (typeof o.name !== 'string' || o.name === '') add(`${at}.name`, 'is required: the restore option\'s name');
			});
		}
	}
	const target = scope('restoreTargetScope');
	if (target) {
		flag(target, 'restoreTargetScope', 'entireBackupScope');
		const targets = target.restoreTargets;
		if (targets !== undefined && targets !== null) {
			if (!isObject(targets)) add('restoreTargetScope.restoreTargets', 'must be a JSON object');
			else {
				const path = 'restoreTargetScope.restoreTargets';
				if (targets.originalLocation !== undefined && typeof targets.originalLocation !== 'boolean') add(`${path}.originalLocation`, 'must be true or false');
				workloadProblems(list(targets, path, 'workloads', targets.originalLocation === false ? 'originalLocation' : undefined), `${path}.workloads`, add);
			}
		}
	}
}

/** `ScopesWorkloadModel[]`: the type from Veeam's list; `Backups` and `Jobs` by ID; the other types as given. */
function workloadProblems(items: unknown[] | undefined, path: string, add: (field: string, problem: string) => void): void {
	items?.forEach((w, i) => {
		const at = `${path}[${i}]`;
		if (!isObject(w)) return add(at, 'must be an object with a type');
		if (typeof w.type !== 'string' || !(WORKLOAD_TYPES as readonly string[]).includes(w.type)) {
			return add(`${at}.type`, `must be one of ${WORKLOAD_TYPES.join(', ')}`);
		}
		if (w.type === 'Backups') {
			if (!Array.isArray(w.backups)) return add(`${at}.backups`, 'is required for type Backups: a list of { backupId }');
			idItemProblems(w.backups, `${at}.backups`, 'backupId', add);
			w.backups.forEach((b, j) => {
				if (isObject(b) && b.type !== undefined && !BACKUP_ITEM_TYPES.includes(String(b.type))) add(`${at}.backups[${j}].type`, 'must be Backup or Snapshot');
			});
		}
		if (w.type === 'Jobs') {
			if (w.jobs !== undefined && !Array.isArray(w.jobs)) return add(`${at}.jobs`, 'must be a list of { jobId }');
			idItemProblems(w.jobs as unknown[] | undefined, `${at}.jobs`, 'jobId', add);
		}
	});
}

function idItemProblems(items: unknown[] | undefined, path: string, idField: string, add: (field: string, problem: string) => void): void {
	items?.forEach((item, i) => {
		const id = isObject(item) ? item[idField] : undefined;
		if (typeof id !== 'string' || !UUID.test(id)) add(`${path}[${i}].${idField}`, 'is required: a Veeam ID (a UUID)');
	});
}

/**
 * The fields of `actual` (the role on the server) that differ from `declared`, as dotted paths
 * (`description`, `manageRestores`, `repositoryScope.repositories`, …); empty when it matches.
 *
 * - `name`, `manageBackups`, `manageRestores` always; `description` when declared.
 * - A scope only when declared. Inside a declared scope, a list it leaves out counts as empty (the
 *   role is sent whole); another field it leaves out is not compared (the server may fill defaults).
 * - Lists are sets: IDs compared without case, the names the server writes beside IDs
 *   (`repositoryName`, `jobName`, `backupName`) ignored, restore options by `code` only.
 */
export function roleChanges(declared: CustomRoleSpec, actual: CustomRoleSpec): string[] {
	const changes: string[] = [];
	if (declared.name !== actual.name) changes.push('name');
	if (declared.description !== undefined && declared.description !== (actual.description ?? '')) changes.push('description');
	if (declared.manageBackups !== actual.manageBackups) changes.push('manageBackups');
	if (declared.manageRestores !== actual.manageRestores) changes.push('manageRestores');
	for (const scope of ROLE_SCOPES) {
		const want = declared[scope];
		if (want === undefined) continue;
		const have = actual[scope];
		if (!isObject(have)) changes.push(scope);
		else compareObject(want, have, scope, changes);
	}
	return changes;
}

function compareObject(want: Json, have: Json, path: string, changes: string[]): void {
	for (const key of new Set([...Object.keys(want), ...Object.keys(have)])) {
		if (ECHO_FIELDS.has(key)) continue;
		const w = want[key];
		const h = have[key];
		const at = `${path}.${key}`;
		if (Array.isArray(w) || Array.isArray(h)) {
			if (w !== undefined && !Array.isArray(w)) changes.push(at);
			else if (!sameSet(w ?? [], Array.isArray(h) ? h : [], key)) changes.push(at);
			continue;
		}
		if (w === undefined) continue;
		if (isObject(w) && isObject(h)) compareObject(w, h, at, changes);
		else if (canonical(w, key) !== canonical(h, key)) changes.push(at);
	}
}

function sameSet(a: unknown[], b: unknown[], listName: string): boolean {
	const keys = (items: unknown[]) => [...new Set(items.map((item) => canonical(listName === 'restoreOptions' && isObject(item) ? { code: item.code } : item, '')))].sort();
	const ka = keys(a);
	const kb = keys(b);
	return ka.length === kb.length && ka.every((k, i) => k === kb[i]);
}

/** A value as text for comparison: IDs (`…Id`, `id`) without case, echo names dropped, keys and list items ordered. */
function canonical(value: unknown, key: string): string {
	if (typeof value === 'string') return JSON.stringify(/(^id|Id)$/.test(key) ? value.toLowerCase() : value);
	if (Array.isArray(value)) return `[${value.map((v) => canonical(v, '')).sort().join(',')}]`;
	if (isObject(value)) {
		const entries = Object.keys(value)
			.filter((k) => !ECHO_FIELDS.has(k) && value[k] !== undefined)
			.sort()
			.map((k) => `${JSON.stringify(k)}:${canonical(value[k], k)}`);
		return `{${entries.join(',')}}`;
	}
	return JSON.stringify(value) ?? 'undefined';
}
