import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { UserDirectory, VeeamUser } from '../../adapters';
import { roleNames } from '../../helpers/directory';
import { checkBoolean } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';

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
	adminWithoutMfa: 'holds an administrator role and has no multi-factor authentication',
	adminMfaUnknown: 'holds an administrator role; the server does not say whether MFA is on (API 1.3-rev2 or later does)',
	groupGrantsAdmin: 'a group: every member gets its administrator role',
	serviceAccount: 'a service account: exempt from multi-factor authentication, meant for automation',
	internalAccount: 'a local account of the backup server, not managed in the directory',
} as const;
export type Flag = keyof typeof FLAGS;

/**
 * The flags of one user. Internal accounts are flagged only on products that also have directory
 * accounts (VBR); on Veeam Backup for Google Cloud every account is local, so the flag would say nothing.
 */
export function flagsOf(user: VeeamUser, directory: Pick<UserDirectory, 'adminRoleNames' | 'userTypes'>): Flag[] {
	const admin = user.roles.some((r) => directory.adminRoleNames.some((a) => a.toLowerCase() === r.name.toLowerCase()));
	const hasDirectory = directory.userTypes?.includes('ExternalUser') ?? false;
	const flags: Flag[] = [];
	if (admin && !user.isGroup && user.mfaEnabled === false) flags.push('adminWithoutMfa');
	if (admin && !user.isGroup && user.mfaEnabled === undefined) flags.push('adminMfaUnknown');
	if (admin && user.isGroup) flags.push('groupGrantsAdmin');
	if (user.isServiceAccount) flags.push('serviceAccount');
	if (hasDirectory && !user.isDirectoryAccount) flags.push('internalAccount');
	return flags;
}

export async function prepare(this: IExecuteFunctions): Promise<{ flaggedOnly: boolean; includeSummary: boolean }> {
	const options = this.getNodeParameter('reportOptions', 0, {}) as IDataObject;
	return {
		flaggedOnly: checkBoolean(this, 0, 'Flagged Users Only', options.flaggedOnly, false),
		includeSummary: checkBoolean(this, 0, 'Include Summary Item', options.includeSummary, true),
	};
}

export async function execute(
	this: IExecuteFunctions,
	p: { flaggedOnly: boolean; includeSummary: boolean },
	directory: UserDirectory,
	itemCount: number,
): Promise<INodeExecutionData[]> {
	const users = await directory.listUsers();
	const counts: Record<Flag, number> = { adminWithoutMfa: 0, adminMfaUnknown: 0, groupGrantsAdmin: 0, serviceAccount: 0, internalAccount: 0 };
	const rows: IDataObject[] = [];
	let administrators = 0;
	let flagged = 0;
	for (const user of users) {
		const flags = flagsOf(user, directory);
		const isAdmin = user.roles.some((r) => directory.adminRoleNames.some((a) => a.toLowerCase() === r.name.toLowerCase()));
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
			isServiceAccount: user.isServiceAccount ?? false,
			// null: the server does not say (VBR API 1.3-rev1).
			mfaEnabled: user.mfaEnabled ?? null,
			flagged: flags.length > 0,
			flags,
			why: flags.map((f) => FLAGS[f]),
		});
	}
	if (p.includeSummary) {
		rows.push({
			summary: true,
			users: users.length,
			administrators,
			flagged,
			...counts,
			text: `${users.length} user${users.length === 1 ? '' : 's'}, ${administrators} with an administrator role; ${flagged} flagged${
				flagged
					? `: ${(Object.keys(counts) as Flag[])
							.filter((f) => counts[f] > 0)
							.map((f) => `${counts[f]} ${f}`)
							.join(', ')}`
					: ''
			}.`,
		});
	}
	// One report for the whole input: every row comes from all input items.
	const pairedItem = Array.from({ length: itemCount }, (_, item) => ({ item }));
	return rows.map((json) => ({ json, pairedItem }));
}
