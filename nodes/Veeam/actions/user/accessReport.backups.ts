/**
 * The Access Report's backup columns (VBR 13.1, REST API 1.3-rev2; option "Include Backup Access"):
 * per user, the backups and jobs they can restore or manage, derived as the lead's decision 6 says
 * (sim/contracts/vbr-access-control.md): user → roles → the ACL records' delegations
 * (`effectiveAccess`), plus the records the user owns. Groups are not expanded (REST gives no
 * members): a group's row says `membersNotExpanded: true`.
 *
 * The "every backup" flag (`restoreEveryBackup`): a restore-only role the user holds reaches every
 * backup: the built-in Restore Operator ("Built-in role for performing restore operations from any
 * backups and replicas"), a custom role that may restore but not manage backups whose details say
 * `restoreBackupScope.entireBackupScope` ("the role can restore from all available backups regardless
 * of ownership"), or one delegated restore or full rights on every backup the ACL lists (the lead's
 * decision 6 as amended after the client audit, D11: not `inventoryScope.entireInventory`, which is
 * about what a role may back up).
 *
 * Requests, on top of the report's own: the ACL (`POST /acl`, paged; `forceReload` when asked), one
 * `GET /acl/{type}/{id}` per record the list shows without delegations (Veeam's list example has none,
 * audit D1), the names (`GET /backups`, `GET /jobs`, paged), the custom roles
 * (`GET /roles?isBuiltInFilter=false`, paged) and one `GET /roles/{id}/details` per custom role a listed
 * user holds. A record still without delegations makes the report say it is incomplete; a record the
 * node cannot read is counted, never silently dropped.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { UserDirectory, VeeamRole, VeeamUser } from '../../../../client/adapters';
import { sameAccount } from '../../../../client/adapters/authorizationMatch';
import type { CustomRole } from '../../../../client/adapters/customRoleSpec';
import { aclKey, type AclObjectName, type AclRecord, type AclRight, type SkippedAclRecord } from '../../../../client/adapters/vbrAcl';
import { runPool } from '../../../../client/pool';

/** The built-in Restore Operator's ID in Veeam's 1.3-rev1 and 1.3-rev2 examples. */
const RESTORE_OPERATOR_ID = 'b167c3af-2262-4b6c-9861-0606fc0cb6b1';
/** Role details read at once. */
const DETAILS_CONCURRENCY = 4;

export const BACKUP_FLAG = 'a restore-only role that reaches every backup: whoever holds it can restore any backup on the server';

/** A role's reach over the whole server, not through the ACL (https://helpcenter.veeam.com/docs/vbr/userguide/configure_roles.html). */
interface ServerWideReach {
	/** Every backup: restore from it, and (`manage`) manage it too. */
	backups: 'restore' | 'manage';
	/** Every backup job, managed. */
	jobs: boolean;
	because: string;
}

interface RoleFacts {
	name: string;
	restoreOnly: boolean;
	/** Why the role reaches every backup, or undefined. */
	everyBackup?: string;
	reach?: ServerWideReach;
}

export interface BackupAccessData {
	records: AclRecord[];
	skipped: SkippedAclRecord[];
	names: Map<string, AclObjectName>;
	roles: Map<string, RoleFacts>;
}

const builtInName = (name: string) => name.trim().toLowerCase().replace(/^veeam /, '');
const isBuiltInRestoreOperator = (r: VeeamRole) => r.id.toLowerCase() === RESTORE_OPERATOR_ID || builtInName(r.name) === 'restore operator';
const isBuiltInBackupAdministrator = (r: VeeamRole) => builtInName(r.name) === 'backup administrator';

/**
 * The reach of a role over the whole server: the built-in Backup Administrator ("Can perform all
 * administrative activities"), the built-in Restore Operator ("can restore data from any backups"),
 * a custom role that may restore with `restoreBackupScope.entireBackupScope` ("can restore from all
 * available backups regardless of ownership"). No other role is given one: what Backup Operator's
 * "start and stop existing jobs" means in ACL rights Veeam does not say.
 */
function reachOf(role: VeeamRole, custom: boolean, details: CustomRole | undefined): ServerWideReach | undefined {
	if (!custom && isBuiltInBackupAdministrator(role)) return { backups: 'manage', jobs: true, because: 'the built-in Backup Administrator performs all administrative activities' };
	if (!custom && isBuiltInRestoreOperator(role)) return { backups: 'restore', jobs: false, because: 'the built-in Restore Operator restores from any backup' };
	const scope = (details?.restorePermissionsScope as { restoreBackupScope?: { entireBackupScope?: unknown } } | undefined)?.restoreBackupScope;
	if (details?.manageRestores && scope?.entireBackupScope === true) return { backups: 'restore', jobs: false, because: 'its restore scope is the entire backup scope' };
	return undefined;
}

/** The ACL, the names and the facts of every role the users hold. Throws when the server cannot tell (not VBR 1.3-rev2). */
export async function readBackupAccess(ctx: IExecuteFunctions, directory: UserDirectory, users: readonly VeeamUser[], forceReload = false): Promise<BackupAccessData> {
	if (!directory.acl || !directory.customRoles) {
		throw new NodeOperationError(ctx.getNode(), 'Include Backup Access is available for Veeam Backup & Replication 13.1 only', {
			description: 'Turn the option off for this product.',
		});
	}
	const acl = directory.acl();
	const customRoles = directory.customRoles();
	const [listing, names, custom] = await settled(acl.listing({}, { completeDelegations: true, forceReload }), acl.names(), customRoles.list({ builtIn: false }));
	const { records, skipped } = listing;
	const customIds = new Set(custom.map((r) => r.id.toLowerCase()));
	const held = new Map<string, VeeamRole>();
	for (const u of users) for (const r of u.roles) held.set(r.id.toLowerCase(), r);
	const toRead = [...held.values()].filter((r) => customIds.has(r.id.toLowerCase()));
	const outcomes = await runPool(toRead.length, async (i) => await customRoles.details(toRead[i].id), { concurrency: DETAILS_CONCURRENCY, stopOnError: true });
	const details = new Map<string, CustomRole | undefined>();
	for (const [i, outcome] of outcomes.entries()) {
		if (outcome && !outcome.ok) throw outcome.error;
		details.set(toRead[i].id.toLowerCase(), outcome?.ok ? outcome.value : undefined);
	}
	const backups = records.filter((r) => r.type === 'backup');
	const roles = new Map<string, RoleFacts>();
	for (const [id, role] of held) {
		const d = details.get(id);
		const restoreOnly = d ? d.manageRestores && !d.manageBackups : !customIds.has(id) && isBuiltInRestoreOperator(role);
		let everyBackup: string | undefined;
		if (restoreOnly) {
			const scope = (d?.restorePermissionsScope as { restoreBackupScope?: { entireBackupScope?: unknown } } | undefined)?.restoreBackupScope;
			const onEvery = backups.length > 0 && backups.every((b) => b.effectiveAccess.some((e) => e.roleId === id && (e.rights.includes('restore') || e.rights.includes('full'))));
			if (!d) everyBackup = 'the built-in Restore Operator restores from any backup';
			else if (scope?.entireBackupScope === true) everyBackup = 'its restore scope is the entire backup scope';
			else if (onEvery) everyBackup = 'every backup delegates restore or full rights to it';
		}
		roles.set(id, { name: role.name, restoreOnly, everyBackup, reach: reachOf(role, customIds.has(id), d) });
	}
	return { records, skipped, names, roles };
}

/** Three reads at once; a failure reported only once all three are done (no request outlives the report). */
async function settled<A, B, C>(a: Promise<A>, b: Promise<B>, c: Promise<C>): Promise<[A, B, C]> {
	const results = await Promise.allSettled([a, b, c]);
	const failed = results.find((r) => r.status === 'rejected');
	if (failed) throw failed.reason;
	return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as [A, B, C];
}

/** The user's backup columns and whether the flag holds. */
export function backupColumnsOf(user: VeeamUser, data: BackupAccessData): { columns: IDataObject; flagged: boolean } {
	const roleIds = new Set(user.roles.map((r) => r.id.toLowerCase()));
	const reaches = user.roles.flatMap((r) => {
		const reach = data.roles.get(r.id.toLowerCase())?.reach;
		return reach ? [{ role: r.name, ...reach }] : [];
	});
	const allBackups = reaches.length > 0;
	const manageAllBackups = reaches.some((r) => r.backups === 'manage');
	const allJobs = reaches.some((r) => r.jobs);
	const access: IDataObject[] = [];
	let restore = 0;
	let manage = 0;
	for (const record of data.records) {
		const rights = new Set<AclRight>();
		const via: string[] = [];
		if (sameAccount(user.name, record.owner.name) || user.name.toLowerCase() === record.owner.name.toLowerCase()) {
			for (const r of record.rights) rights.add(r);
			via.push('owner');
		}
		for (const d of record.effectiveAccess) {
			if (!roleIds.has(d.roleId) || d.rights.length === 0) continue;
			for (const r of d.rights) rights.add(r);
			via.push(data.roles.get(d.roleId)?.name ?? d.roleName);
		}
		// A server-wide reach counts every backup (and job) it covers; the list names only the ACL's entries.
		const isBackup = record.type === 'backup';
		const reachRestore = isBackup && allBackups;
		const reachManage = isBackup ? manageAllBackups : allJobs;
		const canRestore = rights.has('restore') || rights.has('full');
		const canManage = rights.has('full') || rights.has('write');
		if (canRestore || reachRestore) restore++;
		if (canManage || reachManage) manage++;
		if (rights.size === 0) continue;
		access.push({
			objectType: record.type,
			objectId: record.id,
			name: data.names.get(aclKey(record.type, record.id))?.name ?? null,
			rights: [...rights],
			via,
			canRestore,
			canManage,
		});
	}
	const every = user.roles.flatMap((r) => {
		const facts = data.roles.get(r.id.toLowerCase());
		return facts?.restoreOnly && facts.everyBackup ? [`${r.name}: ${facts.everyBackup}`] : [];
	});
	return {
		columns: {
			backupAccess: access,
			canRestoreCount: restore,
			canManageCount: manage,
			reachesAllBackups: allBackups,
			reachesAllJobs: allJobs,
			...(reaches.length ? { serverWideReach: reaches.map((r) => `${r.role}: ${r.because}`) } : {}),
			restoresEveryBackup: every.length > 0,
			...(every.length ? { everyBackupBecause: every } : {}),
			...(user.isGroup ? { membersNotExpanded: true } : {}),
		},
		flagged: every.length > 0,
	};
}

/** The summary's backup part. */
export function backupSummary(data: BackupAccessData, flaggedUsers: number): { fields: IDataObject; text: string } {
	const backups = data.records.filter((r) => r.type === 'backup').length;
	const jobs = data.records.length - backups;
	const hidden = data.records.filter((r) => !r.delegationsShown).length;
	const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
	const gaps = [
		hidden ? `${plural(hidden, 'record')} read without delegations (Veeam shows them only to the owner and administrators): access through roles may be missing there` : '',
		data.skipped.length ? `${plural(data.skipped.length, 'record')} the node cannot read left out (see skippedRecords)` : '',
	].filter(Boolean);
	return {
		fields: {
			aclRecords: data.records.length,
			aclBackups: backups,
			aclJobs: jobs,
			backupAccessComplete: gaps.length === 0,
			recordsWithoutDelegations: hidden,
			skippedRecords: data.skipped.map((s) => ({ ...s })),
		},
		text:
			`Backup access: ${plural(backups, 'backup')} and ${plural(jobs, 'job')} in the access control list; ${flaggedUsers} user${flaggedUsers === 1 ? '' : 's'} hold${flaggedUsers === 1 ? 's' : ''} a restore-only role that reaches every backup (groups not expanded).` +
			(gaps.length ? ` Incomplete: ${gaps.join('; ')}.` : ''),
	};
}
