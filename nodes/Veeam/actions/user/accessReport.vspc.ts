/**
 * The Access Report on Veeam Service Provider Console (VSPC): per user, its organization (name,
 * type, company status), its MFA policy and whether the second factor is set up, and its API keys
 * (a count from the logins list: never a key); flags for administrators without MFA and for users of
 * companies that no longer exist.
 *
 * MFA (Veeam: docs/vac/provider_admin/mfa_users.html, docs/vac/reseller/mfa_tenant_users.html,
 * docs/vac/provider_admin/mfa_policies.html, docs/vac/rest/mfa.html): a user's MFA *policy*
 * (`mfaPolicyStatus`) says whether MFA is required — by the user's own policy (`Enabled`) or by its
 * company's, reseller's or the provider's (`EnabledByInheritance`); "On the next authorization
 * session, each user will be prompted to configure MFA". Whether the user has set it up is
 * `mfaPolicyConfigurationStatus` (`Configured` | `NotConfigured`). "Disable enforcement" allows users
 * to turn MFA off. So, for a holder of an administrator role:
 * - `adminWithoutMfa`: not required and not set up: the password alone logs in.
 * - `adminMfaNotConfigured`: required but not set up yet: until that next login, whoever holds the
 *   password is asked to set up a second factor, and sets up their own.
 * - `adminMfaNotRequired`: set up but not required: the user may turn it off.
 * - `adminMfaUnknown`: the server says neither.
 * - `adminApiKey`: an enabled API key: "an API key is active until the associated user identity is
 *   disabled or deleted" and is how an account with MFA reaches the REST API
 *   (docs/vac/rest/api_keys.html, docs/vac/rest/mfa.html): it logs in without a second factor.
 *
 * Gone companies: a user whose `organizationUid` is none of the organizations the server lists, or
 * whose company's status is one of the `REMOVED_…` values (`Company.status`, vspc_rest_3_6_1).
 *
 * Requests on top of the user list: the organizations (paged, once) and every login (`GET
 * /users/logins`, paged, once).
 */
import type { IDataObject } from 'n8n-workflow';

import type { UserDirectory, VeeamUser } from '../../../../client/adapters';
import type { VspcLogin, VspcOrganization } from '../../../../client/vspcModel';

export const VSPC_FLAGS = {
	adminWithoutMfa: 'holds an administrator role, MFA is not required of it and it has set up none: its password alone logs in',
	adminMfaNotConfigured:
		'holds an administrator role and MFA is required of it but not set up yet: until its next login, whoever has the password is asked to set up a second factor, and sets up their own',
	adminMfaNotRequired: 'holds an administrator role and has set up MFA, but MFA is not required of it: it may turn MFA off',
	adminMfaUnknown: 'holds an administrator role; the server does not say whether MFA is required or set up',
	adminApiKey: 'holds an administrator role and has an enabled API key or RSA key: the key logs in to the REST API without a second factor',
	companyGone: 'belongs to an organization the server no longer lists: the account should go',
} as const;
export type VspcFlag = keyof typeof VSPC_FLAGS;

export interface VspcReportData {
	organizations: Map<string, VspcOrganization>;
	/** Logins by user UID (lower case). */
	logins: Map<string, VspcLogin[]>;
}

const lower = (s: string) => s.toLowerCase();

/** The organizations and every login, read once for the report. */
export async function readVspcReportData(directory: UserDirectory): Promise<VspcReportData | undefined> {
	const access = directory.vspc?.();
	if (!access) return undefined;
	// With the companies list: the report shows each user's company status.
	const [organizations, logins] = await Promise.all([access.organizations({ companies: true }), access.listLogins()]);
	const byUser = new Map<string, VspcLogin[]>();
	for (const login of logins) {
		const key = lower(login.userUid);
		byUser.set(key, [...(byUser.get(key) ?? []), login]);
	}
	return { organizations: new Map(organizations.map((o) => [lower(o.uid), o])), logins: byUser };
}

const REQUIRED = new Set(['enabled', 'enabledbyinheritance']);

/** Whether MFA is required of the user: its policy as sent (undefined: the server does not say). */
function required(user: VeeamUser): boolean | undefined {
	const policy = user.mfaPolicy === undefined ? undefined : lower(user.mfaPolicy);
	if (policy === 'disabled') return false;
	return policy !== undefined && REQUIRED.has(policy) ? true : undefined;
}

/** One user's VSPC flags and columns. */
export function vspcRowOf(user: VeeamUser, isAdmin: boolean, data: VspcReportData): { flags: VspcFlag[]; columns: IDataObject } {
	const uid = user.organization?.uid;
	const organization = uid ? data.organizations.get(lower(uid)) : undefined;
	const logins = data.logins.get(lower(user.ref)) ?? [];
	const apiKeys = logins.filter((l) => l.kind === 'apiKey');
	const enabledKeys = apiKeys.filter((l) => lower(l.status) === 'enabled');
	// An RSA key ("AA", asymmetric authentication) logs in without a second factor as an API key does (review R1).
	const enabledRsaKeys = logins.filter((l) => l.kind === 'rsaKey' && lower(l.status) === 'enabled');
	const flags: VspcFlag[] = [];
	if (isAdmin) {
		const mfaRequired = required(user);
		const configured = user.mfaConfigured;
		if (mfaRequired === undefined || configured === undefined) flags.push('adminMfaUnknown');
		else if (!mfaRequired && !configured) flags.push('adminWithoutMfa');
		else if (mfaRequired && !configured) flags.push('adminMfaNotConfigured');
		else if (!mfaRequired && configured) flags.push('adminMfaNotRequired');
		if (enabledKeys.length + enabledRsaKeys.length > 0) flags.push('adminApiKey');
	}
	// Trust no server: a user without an organization UID is not called orphaned (nothing shows it).
	// Only an organization no longer listed is gone: `REMOVED_…` statuses are enum values Veeam marks
	// removed from the API (REMOVED_Creating…), not removed companies; shown as sent (review R2).
	const gone = uid !== undefined && organization === undefined;
	if (gone) flags.push('companyGone');
	return {
		flags,
		columns: {
			organization: organization?.name ?? user.organization?.name ?? null,
			organizationUid: uid ?? null,
			organizationType: organization?.type ?? user.organization?.type ?? null,
			// Companies only (resellers and the provider have none); null: not listed any more.
			companyStatus: organization ? (organization.status ?? null) : null,
			organizationExists: uid === undefined ? null : organization !== undefined,
			status: user.status ?? null,
			mfaPolicy: user.mfaPolicy ?? null,
			mfaConfigured: user.mfaConfigured ?? null,
			apiKeys: apiKeys.length,
			apiKeysEnabled: enabledKeys.length,
			rsaKeysEnabled: enabledRsaKeys.length,
			logins: logins.length,
		},
	};
}

/**
 * The summary's VSPC part: organizations, the listed users' API keys, and the API and RSA keys the
 * server lists for users the report does not list (a user record gone while its key still works:
 * review R1), each by login ID.
 */
export function vspcSummary(users: VeeamUser[], data: VspcReportData): { fields: IDataObject; text: string } {
	const userRefs = new Set(users.map((u) => lower(u.ref)));
	let apiKeys = 0;
	let usersWithKeys = 0;
	const unlisted: IDataObject[] = [];
	for (const [uid, logins] of data.logins) {
		const keys = logins.filter((l) => l.kind === 'apiKey').length;
		if (!userRefs.has(uid)) {
			for (const l of logins.filter((x) => x.kind === 'apiKey' || x.kind === 'rsaKey')) {
				unlisted.push({ id: l.id, kind: l.kind, status: l.status, userUid: l.userUid, userName: l.userName || null });
			}
			continue;
		}
		apiKeys += keys;
		if (keys) usersWithKeys++;
	}
	const working = unlisted.filter((l) => lower(String(l.status)) === 'enabled').length;
	const orphans = unlisted.length ? ` ${unlisted.length} key login${unlisted.length === 1 ? '' : 's'} (${working} enabled) of users not listed: ${unlisted.map((l) => l.id).join(', ')}.` : '';
	return {
		fields: { organizations: data.organizations.size, apiKeys, usersWithApiKeys: usersWithKeys, keysOfUnlistedUsers: unlisted },
		text: `${data.organizations.size} organizations; ${apiKeys} API key${apiKeys === 1 ? '' : 's'} held by ${usersWithKeys} user${usersWithKeys === 1 ? '' : 's'}.${orphans}`,
	};
}
