import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { UserDirectory, VeeamUser } from '../../../../client/adapters';
import type { AuthorizationEvent } from '../../../../client/adapters/authorizationEvents';
import { directoryKindOf, roleNames } from '../../helpers/directory';
import { checkBoolean } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { approvalOf } from '../confirm';
import { BACKUP_FLAG, backupColumnsOf, backupSummary, readBackupAccess, type BackupAccessData } from './accessReport.backups';
import { readVspcReportData, VSPC_FLAGS, vspcRowOf, vspcSummary, type VspcFlag } from './accessReport.vspc';

const properties: INodeProperties[] = [
	{
		displayName: 'Options',
		name: 'reportOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Flagged Users Only',
				name: 'flaggedOnly',
				type: 'boolean',
				default: false,
				description: 'Whether to output only the users with at least one flag (the summary still counts everyone)',
			},
			{
				displayName: 'Include Backup Access',
				name: 'includeBackupAccess',
				type: 'boolean',
				default: false,
				displayOptions: { show: { '/product': ['vbr'] } },
				description:
					'Whether to add, per user, the backups and jobs they can restore or manage (through their roles and what they own) and flag restore-only roles that reach every backup. Veeam Backup & Replication 13.1 (REST API 1.3-rev2). Costs a few more requests: the access control list, the backup and job names, the custom roles and one details request per custom role held.',
			},
			{
				displayName: 'Reload Server Cache',
				name: 'forceReload',
				type: 'boolean',
				default: false,
				displayOptions: { show: { '/product': ['vbr'] } },
				description:
					'Whether to ask Veeam to reset its access-control cache for this report (forceReload; with Include Backup Access): up-to-date data, but a slower request, as Veeam says',
			},
			{
				displayName: 'Include Summary Item',
				name: 'includeSummary',
				type: 'boolean',
				default: true,
				description: 'Whether to end the output with one item that counts users and flags, e.g. for a chat message',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['accessReport'] } }, properties);

export const batch = true;

/** What deserves a look, in the order the report lists flags. */
export const FLAGS = {
	restoreEveryBackup: BACKUP_FLAG,
	adminWithoutMfa: 'holds an administrator role and has no multi-factor authentication',
	adminMfaUnknown: 'holds an administrator role; the server does not say whether MFA is on (API 1.3-rev2 or later does)',
	adminServiceAccount:
		'an administrator service account: MFA never applies to it, so its password alone gives administrator access; keep it to automation and its password in a vault',
	groupGrantsAdmin: 'a group: every member gets its administrator role',
	serviceAccount: 'a service account: exempt from multi-factor authentication, meant for automation',
} as const;
export type Flag = keyof typeof FLAGS;

/**
 * The flags of one user. (No flag for a local account: on VBR a Windows account of the backup server
 * and an Active Directory one have the same type, InternalUser, and the same DOMAIN\name form.)
 * A service account never gets an MFA prompt (that is what it is for), so "without MFA" says nothing
 * new about it; an administrator service account is flagged as such instead: a password-only admin.
 */
export function flagsOf(user: VeeamUser, directory: Pick<UserDirectory, 'adminRoleNames'>): Flag[] {
	const admin = user.roles.some((r) => directory.adminRoleNames.some((a) => a.toLowerCase() === r.name.toLowerCase()));
	const flags: Flag[] = [];
	const service = user.isServiceAccount === true;
	if (admin && !user.isGroup && !service && user.mfaEnabled === false) flags.push('adminWithoutMfa');
	if (admin && !user.isGroup && !service && user.mfaEnabled === undefined) flags.push('adminMfaUnknown');
	if (admin && service) flags.push('adminServiceAccount');
	if (admin && user.isGroup) flags.push('groupGrantsAdmin');
	if (service && !admin) flags.push('serviceAccount');
	return flags;
}

interface ReportParams {
	flaggedOnly: boolean;
	includeSummary: boolean;
	includeBackupAccess: boolean;
	forceReload: boolean;
}

export async function prepare(this: IExecuteFunctions): Promise<ReportParams> {
	const options = this.getNodeParameter('reportOptions', 0, {}) as IDataObject;
	return {
		flaggedOnly: checkBoolean(this, 0, 'Flagged Users Only', options.flaggedOnly, false),
		includeSummary: checkBoolean(this, 0, 'Include Summary Item', options.includeSummary, true),
		includeBackupAccess: checkBoolean(this, 0, 'Include Backup Access', options.includeBackupAccess, false),
		forceReload: checkBoolean(this, 0, 'Reload Server Cache', options.forceReload, false),
	};
}

export async function execute(
	this: IExecuteFunctions,
	p: ReportParams,
	directory: UserDirectory,
	itemCount: number,
): Promise<INodeExecutionData[]> {
	// VSPC: the organizations first (the user list reads them too): one login, not one per first request sent at once.
	await directory.vspc?.().organizations();
	const [users, pending, vspc] = await Promise.all([
		directory.listUsers(),
		directory.authorizationEvents ? directory.authorizationEvents.list({ states: ['Pending'] }) : Promise.resolve(undefined),
		// VSPC: the organizations and the logins (API keys), once.
		readVspcReportData(directory),
	]);
	// The backup flag is counted only when asked for: a report without it keeps its summary as before.
	const backups: BackupAccessData | undefined = p.includeBackupAccess ? await readBackupAccess(this, directory, users, p.forceReload) : undefined;
	const kinds: Array<Flag | VspcFlag> = vspc
		? (Object.keys(VSPC_FLAGS) as VspcFlag[])
		: (Object.keys(FLAGS) as Flag[]).filter((f) => backups !== undefined || f !== 'restoreEveryBackup');
	const counts: Record<string, number> = Object.fromEntries(kinds.map((f) => [f, 0]));
	const rows: IDataObject[] = [];
	let administrators = 0;
	let flagged = 0;
	for (const user of users) {
		const isAdmin = user.roles.some((r) => directory.adminRoleNames.some((a) => a.toLowerCase() === r.name.toLowerCase()));
		const vspcRow = vspc ? vspcRowOf(user, isAdmin, vspc) : undefined;
		const flags: Array<Flag | VspcFlag> = vspcRow ? vspcRow.flags : flagsOf(user, directory);
		const backupColumns = backups ? backupColumnsOf(user, backups) : undefined;
		if (backupColumns?.flagged) flags.unshift('restoreEveryBackup');
		if (isAdmin) administrators++;
		for (const f of flags) counts[f]++;
		if (flags.length) flagged++;
		if (p.flaggedOnly && flags.length === 0) continue;
		rows.push({
			name: user.name,
			type: user.type,
			roles: roleNames(user.roles),
			isAdmin,
			isGroup: user.isGroup,
			isDirectoryAccount: user.isDirectoryAccount,
			...(directoryKindOf(user) ? { directoryKind: directoryKindOf(user) } : {}),
			isServiceAccount: user.isServiceAccount ?? false,
			// null: the server does not say (VBR API 1.3-rev1).
			mfaEnabled: user.mfaEnabled ?? null,
			flagged: flags.length > 0,
			flags,
			why: flags.map((f) => (f in VSPC_FLAGS && vspc ? VSPC_FLAGS[f as VspcFlag] : FLAGS[f as Flag])),
			...backupColumns?.columns,
			...vspcRow?.columns,
		});
	}
	if (p.includeSummary) {
		rows.push({
			summary: true,
			users: users.length,
			administrators,
			flagged,
			...counts,
			...(pending ? fourEyesOf(pending) : {}),
			...(backups ? backupSummary(backups, counts.restoreEveryBackup).fields : {}),
			...(vspc ? vspcSummary(users, vspc).fields : {}),
			text:
				summaryText(users.length, administrators, flagged, counts) +
				(pending ? ` ${fourEyesText(pending)}` : '') +
				(backups ? ` ${backupSummary(backups, counts.restoreEveryBackup).text}` : '') +
				(vspc ? ` ${vspcSummary(users, vspc).text}` : ''),
		});
	}
	// One report for the whole input: every row comes from all input items.
	const pairedItem = Array.from({ length: itemCount }, (_, item) => ({ item }));
	return rows.map((json) => ({ json, pairedItem }));
}

/** The summary line: users counted once; flags counted per kind (a user can have several). */
function summaryText(users: number, administrators: number, flagged: number, counts: Record<string, number>): string {
	const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
	const head = `${plural(users, 'user')}, ${administrators} with an administrator role; ${plural(flagged, 'user')} flagged`;
	if (flagged === 0) return `${head}.`;
	const kinds = Object.keys(counts)
		.filter((f) => counts[f] > 0)
		.map((f) => `${f} ${counts[f]}`);
	return `${head}. Flags, per kind (a user can have several): ${kinds.join(', ')}.`;
}

/**
 * Four-eyes authorization (VBR): no API version reports the setting itself (`/security/settings`
 * has only `mfaEnabled` in 1.3-rev1 and rev2), so the report says what the server shows: a pending
 * request proves it on; without one it is unknown.
 */
function fourEyesOf(pending: AuthorizationEvent[]): IDataObject {
	return {
		fourEyes: pending.length > 0 ? true : null,
		pendingRequests: pending.map((e) => approvalOf(e)),
	};
}

function fourEyesText(pending: AuthorizationEvent[]): string {
	if (pending.length === 0) return 'Four-eyes authorization: no request pending (the API does not say whether it is on).';
	return `Four-eyes authorization is on: ${pending.length} request${pending.length === 1 ? '' : 's'} pending approval.`;
}
