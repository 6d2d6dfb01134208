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
import { isSecretField, REDACTED } from './customRoleSecrets';

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
/**
 * What the server writes beside an item's identity, never compared: the names it echoes beside IDs,
 * and the inventory's own data (`aclInfo`, "the owner of the object and the effective access
 * permissions", added in 1.3-rev2 [CL]; `urn`, `metadata`, `powerState`, `size` of `VmwareObjectModel`).
 */
const SERVER_FIELDS = new Set(['repositoryName', 'jobName', 'backupName', 'serverName', 'aclInfo', 'urn', 'metadata', 'powerState', 'size']);
/** Lists of workloads (`ScopesWorkloadModel`): an item is a type with its content lists. */
const WORKLOAD_LISTS = new Set(['workloads', 'backupSources']);
/** Lists of inventory objects (`InventoryObjectModel`, `AgentObjectModel`, `EntraIDTenantModel`): compared by identity only. */
const INVENTORY_LISTS = new Set(['inventoryObjects', 'computers']);
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
 * Fields the server adds never make a change (be right whatever a server echoes).
 *
 * - `name`, `manageBackups`, `manageRestores` always; `description` when declared.
 * - A scope only when declared. Inside a declared scope (and a declared workload), a list it leaves
 *   out counts as empty (the role is sent whole); another field it leaves out is not compared.
 * - Lists are sets. An item of a list (a repository, backup, job, file share, restore option, …)
 *   matches a server item when each field the declaration gives is equal (IDs without case); the
 *   server's other fields, the names it echoes beside IDs (`repositoryName`, …), `aclInfo`, `urn`,
 *   … and secrets (`[redacted]` or not) are not compared. Restore options by `code`; inventory
 *   objects by identity: `id` (agent objects, Entra ID tenants), else `platform`, `type`,
 *   `hostName` and `objectId` (the `name` when there is no `objectId`: vCenter servers, hosts).
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

/** A scope (or an object in it, or a workload): declared fields compared; a list left out is empty. */
function compareObject(want: Json, have: Json, path: string, changes: string[]): void {
	for (const key of new Set([...Object.keys(want), ...Object.keys(have)])) {
		if (SERVER_FIELDS.has(key)) continue;
		const w = want[key];
		const h = have[key];
		const at = `${path}.${key}`;
		if (Array.isArray(w) || Array.isArray(h)) {
			if (w !== undefined && !Array.isArray(w)) changes.push(at);
			else if (!sameItems(w ?? [], Array.isArray(h) ? h : [], key)) changes.push(at);
			continue;
		}
		if (w === undefined || isSecretField(key, w) || w === REDACTED) continue;
		if (isObject(w) && isObject(h)) compareObject(w, h, at, changes);
		else if (!sameValue(w, h, key)) changes.push(at);
	}
}

/** Two lists as sets: each declared item matches a server item and each server item a declared one. */
function sameItems(want: unknown[], have: unknown[], list: string): boolean {
	const matches = (w: unknown, h: unknown) => itemMatches(w, h, list);
	return want.every((w) => have.some((h) => matches(w, h))) && have.every((h) => want.some((w) => matches(w, h)));
}

function itemMatches(want: unknown, have: unknown, list: string): boolean {
	if (!isObject(want) || !isObject(have)) return sameValue(want, have, '');
	if (list === 'restoreOptions') return sameValue(want.code, have.code, 'code');
	if (WORKLOAD_LISTS.has(list)) {
		const changes: string[] = [];
		compareObject(want, have, list, changes);
		return changes.length === 0;
	}
	return identityFields(want, list).every((key) => fieldMatches(want[key], have[key], key));
}

/** The fields of a declared list item that are compared. */
function identityFields(item: Json, list: string): string[] {
	const given = (keys: string[]) => keys.filter((k) => item[k] !== undefined);
	if (INVENTORY_LISTS.has(list)) {
		if (item.id !== undefined) return ['id'];
		return given(['platform', 'type', 'hostName', item.objectId !== undefined ? 'objectId' : 'name']);
	}
	return given(Object.keys(item)).filter((k) => !SERVER_FIELDS.has(k));
}

/** A declared field inside a list item (objects: the declared fields; lists: as sets). */
function fieldMatches(want: unknown, have: unknown, key: string): boolean {
	if (want === undefined || isSecretField(key, want) || want === REDACTED) return true;
	if (Array.isArray(want)) return sameItems(want, Array.isArray(have) ? have : [], key);
	if (isObject(want)) return isObject(have) && Object.keys(want).filter((k) => !SERVER_FIELDS.has(k)).every((k) => fieldMatches(want[k], have[k], k));
	return sameValue(want, have, key);
}

/** Equal values; IDs (`id`, `…Id`) and host names without case. */
function sameValue(want: unknown, have: unknown, key: string): boolean {
	if (typeof want === 'string' && typeof have === 'string' && /(^id|Id|^hostName)$/.test(key)) return want.toLowerCase() === have.toLowerCase();
	if (isObject(want) || Array.isArray(want)) return JSON.stringify(want) === JSON.stringify(have);
	return want === have;
}
