/**
 * User → Sync on Veeam Service Provider Console (VSPC): one organization at a time (a company by
 * name or UID, or the provider's own staff). What a list row says beyond name and role (the VSPC
 * profile: email, first and last name; Require MFA), how it is compared, and how VSPC's steps are
 * carried out. The plan / approve / apply flow and the safety limit are the common ones (sync.plan.ts).
 *
 * Veeam's pages behind the rules here:
 * - One Company Owner per company, created with the company
 *   (https://helpcenter.veeam.com/docs/vac/reseller/user_roles_permissions.html); likewise the
 *   Reseller Owner: a sync never gives, takes or removes an owner role.
 * - Each organization type has its own roles (UserRole: Portal…/Site… for the provider, Reseller…,
 *   Company…; vspc_rest_3_6_1 `UserInput.role`).
 * - MFA policy: "Enforce" makes the user configure MFA at the next login; a company's or reseller's
 *   policy cannot be lifted per user (docs/vac/reseller/mfa_tenant_users.html): `EnabledByInheritance`.
 * - User names are VSPC logins; a create that finds the name taken in another organization fails,
 *   naming it, and that user is not touched.
 *
 * What a Sync reads, and why each read is needed (issue 28: requests within 10 % of the writes the
 * changes need plus the pages; bench/vspcSync.ts counts them):
 * - the token (the login);
 * - the organization list (`GET /organizations`, its pages): the company given by name or UID is
 *   found there, among companies only, and each user's organization is named from it. Not the
 *   companies list (a company's status and reseller are the Access Report's), unless the Company is
 *   given by the Company resource's own UID, which only that list maps to its organization;
 * - the company's users (`GET /users` filtered by its organization, its pages): what the plan compares;
 * - not who the credential is (`GET /users/me`) when the credential has a user name that decides the
 *   own-account guard (helpers/vspc.ts credentialAccountAmong); with an API key, or a `prefix\name`
 *   the names cannot settle, the server is asked, once;
 * - after removals only: the removed users read back (`GET /users` by UID, 50 a request), since a
 *   removal is reported only when the server no longer shows the user, and then their logins
 *   (`GET /users/logins` by user, 50 a request), since an API key can outlive its user
 *   (verifyRemovedLogins). A removal is two writes: the user's tokens revoked (an access token
 *   otherwise works for its hour: https://helpcenter.veeam.com/docs/vac/rest/oauth.html, "Token
 *   Invalidation"), then the user deleted (removeVspcUser).
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { UserDirectory, VeeamRole, VeeamUser } from '../../../../client/adapters';
import { UserExistsError } from '../../../../client/adapters/common';
import { roleFits, vspcRole, VSPC_ROLES } from '../../../../client/adapters/vspcRoles';
import type { VspcAccess, VspcLogin, VspcOrganization, VspcProfile } from '../../../../client/vspcModel';
import { inputError, readChoice, readSecret, readText } from '../../helpers/input';
import { resolveOrganization } from '../../helpers/vspc';
import type { DesiredUser, PlanOptions, SyncStep, VspcDesired } from './sync.plan';

/** Roles of which an organization has exactly one, made with it. */
export const OWNER_ROLE_IDS: readonly string[] = VSPC_ROLES.filter((r) => r.owner).map((r) => r.id);

const TARGETS = ['company', 'provider'] as const;
const MFA_CHOICES = ['keep', 'required', 'notRequired'] as const;
/** `UserProfile` limits (vspc_rest_3_6_1): names and email up to 2,048 characters. */
const PROFILE_MAX = 2048;
/** The REST 3.6.1 spec's `UserProfile.email` pattern, as written there (a top-level domain of 2 to 6 letters). */
const EMAIL = /^(")?(?:[^."])(?:(?:[.])?(?:[\w\-!#$%&'*+/=?^_`{|}~]))*\1@(\w[-\w]*\.){1,5}([A-Za-z]){2,6}$/;

const lower = (s: string) => s.toLowerCase();

export function vspcAccessOf(ctx: IExecuteFunctions, directory: UserDirectory): VspcAccess {
	const access = directory.vspc?.();
	if (!access) throw new NodeOperationError(ctx.getNode(), 'This Veeam Service Provider Console client has no organization calls');
	return access;
}

/** The organization the sync is about: item 0's Sync Users Of / Company. */
export async function readVspcTarget(ctx: IExecuteFunctions, directory: UserDirectory): Promise<VspcOrganization> {
	const access = vspcAccessOf(ctx, directory);
	const target = readChoice(ctx, 0, 'syncOrganization', 'Sync Users Of', TARGETS, 'company');
	if (target === 'provider') {
		const providers = (await access.organizations()).filter((o) => o.type === 'Provider');
		if (providers.length !== 1) {
			throw inputError(ctx, 0, 'Sync Users Of', `the server shows ${providers.length} provider organizations, not one`, 'Give the organization by its UID under Company instead.');
		}
		return providers[0];
	}
	const text = readText(ctx, 0, 'syncCompany', 'Company');
	// Among companies only: a reseller's (or the provider's) name is refused, never synced as a company (review S2).
	const organization = await resolveOrganization(ctx, 0, access, 'Company', text, 'Company');
	// A `REMOVED_…` status is not read as a removed company (enum values Veeam removed from the API: review R2).
	return organization;
}

/**
 * Why `role` cannot be held by a user of `organization` (its type's roles only); undefined when it
 * can. An owner role is refused too unless `ownerListed`: a row may list the owner as it is (the plan
 * then refuses only a step that would give the role: vspcPlanProblems).
 */
export function vspcRoleProblem(role: VeeamRole, organization: Pick<VspcOrganization, 'type' | 'name'>, ownerListed = false): string | undefined {
	const known = vspcRole(role.id);
	if (!known) return `${role.name} is not a role a sync can give (VSPC's roles: ${VSPC_ROLES.map((r) => r.name).join(', ')})`;
	if (known.owner && !ownerListed) return `${role.name} is made with its organization (one per organization): a sync never gives it`;
	return roleFits(known, organization.type) ? undefined : `${role.name} is not a role of a ${organization.type} (${organization.name})`;
}

/** Item `i`'s VSPC fields: profile (a field left empty is left as the server has it), Require MFA, password. */
export function readVspcDesired(ctx: IExecuteFunctions, i: number): { vspc: VspcDesired; password?: string } {
	const profile: VspcDesired['profile'] = {};
	const email = readText(ctx, i, 'profileEmail', 'Email', { required: false });
	if (email) {
		if (email.length > PROFILE_MAX || !EMAIL.test(email)) {
			throw inputError(ctx, i, 'Email', `"${email}" does not match VSPC's e-mail pattern (REST 3.6.1 UserProfile.email: name@domain, a top-level domain of 2 to 6 letters)`, 'For example jane.doe@contoso.com.');
		}
		profile.email = email;
	}
	for (const [name, field, key] of [
		['profileFirstName', 'First Name', 'firstName'],
		['profileLastName', 'Last Name', 'lastName'],
	] as const) {
		const value = readText(ctx, i, name, field, { required: false });
		if (value.length > PROFILE_MAX) throw inputError(ctx, i, field, `is longer than ${PROFILE_MAX} characters`);
		if (value) profile[key] = value;
	}
	const mfa = readChoice(ctx, i, 'syncMfa', 'Require MFA', MFA_CHOICES, 'keep');
	const password = readSecret(ctx, i, 'password', 'Password', false);
	return {
		vspc: { profile, ...(mfa === 'keep' ? {} : { mfaRequired: mfa === 'required' }) },
		...(password ? { password } : {}),
	};
}

/** Whether VSPC requires MFA of the user now: its own policy or its organization's. Undefined: the server does not say. */
export function mfaRequiredNow(user: VeeamUser): boolean | undefined {
	if (user.mfaPolicy === 'Enabled' || user.mfaPolicy === 'EnabledByInheritance') return true;
	if (user.mfaPolicy === 'Disabled') return false;
	return user.mfaEnabled;
}

/** The fields (besides the role) in which the server's user differs from the row. */
export function vspcFieldChanges(user: VeeamUser, desired: DesiredUser): string[] {
	const want = desired.vspc;
	if (!want) return [];
	const changes: string[] = [];
	const have = user.profile ?? {};
	if (want.profile.email !== undefined && lower(have.email ?? '') !== lower(want.profile.email)) changes.push('email');
	if (want.profile.firstName !== undefined && (have.firstName ?? '') !== want.profile.firstName) changes.push('firstName');
	if (want.profile.lastName !== undefined && (have.lastName ?? '') !== want.profile.lastName) changes.push('lastName');
	if (want.mfaRequired !== undefined) {
		const now = mfaRequiredNow(user);
		// Required by the company's or reseller's policy: not lifted per user (see mfaNote).
		const inherited = user.mfaPolicy === 'EnabledByInheritance' && want.mfaRequired === false;
		if (now !== want.mfaRequired && !inherited) changes.push('mfaRequired');
	}
	return changes;
}

/** The value the row sets for a field (the plan id covers it). */
export function vspcFieldValue(desired: DesiredUser, field: string): unknown {
	if (field === 'mfaRequired') return desired.vspc?.mfaRequired;
	return desired.vspc?.profile[field as keyof VspcDesired['profile']];
}

export const vspcPlanOptions = (organization: VspcOrganization): PlanOptions => ({
	organizationUid: organization.uid,
	fieldChanges: vspcFieldChanges,
	fieldValue: vspcFieldValue,
	singleRole: true,
});

/** An owner (Company Owner, Reseller Owner): never removed or demoted by a sync. */
export function vspcProtection(user: VeeamUser): string | undefined {
	const owner = user.roles.find((r) => OWNER_ROLE_IDS.includes(r.id));
	return owner ? `${user.name} is the ${owner.name} (made with its organization, one per organization)` : undefined;
}

/**
 * Plan problems no row can fix by itself (each names its item): an owner role a step would give, and
 * a person to create among the provider's own staff, whom VSPC gives the Administrator Portal roles as
 * Windows accounts or groups (local user rules), not as users made over REST (as Onboard refuses it).
 */
export function vspcPlanProblems(ctx: IExecuteFunctions, steps: SyncStep[], organization: Pick<VspcOrganization, 'type'>): NodeOperationError[] {
	const owners = steps
		.filter((s) => (s.action === 'create' || s.action === 'changeRoles') && s.item !== undefined && s.rolesAfter.some((r) => OWNER_ROLE_IDS.includes(r.id)))
		.map((s) => {
			const role = s.rolesAfter.find((r) => OWNER_ROLE_IDS.includes(r.id)) as VeeamRole;
			return inputError(ctx, s.item as number, 'Role Names or IDs', `"${s.name}" is not the ${role.name}, and a sync never makes one (one per organization, made with it)`, 'Give the person another role.');
		});
	if (organization.type !== 'Provider') return owners;
	const staff = steps
		.filter((s) => s.action === 'create' && s.item !== undefined)
		.map((s) =>
			inputError(
				ctx,
				s.item as number,
				'User Name',
				`"${s.name}" is not among the provider's staff, and a sync does not create them: VSPC gives the Administrator Portal roles to Windows accounts or groups (local user rules), not to users made over REST`,
				'Add the Windows account or group in VSPC, then run the sync again; or remove the row.',
			),
		);
	return [...owners, ...staff];
}

/** The extra columns of a VSPC step: the profile and MFA policy before and after, and why an MFA policy stays. */
export function vspcStepColumns(step: SyncStep, organization: VspcOrganization): IDataObject {
	const user = step.user;
	const want = step.desired?.vspc;
	const out: IDataObject = { organization: organization.name, organizationUid: organization.uid, organizationType: organization.type };
	if (step.changes?.length) out.changes = step.changes;
	if (user) {
		out.profileBefore = { email: user.profile?.email ?? null, firstName: user.profile?.firstName ?? null, lastName: user.profile?.lastName ?? null };
		out.mfaPolicyBefore = user.mfaPolicy ?? null;
	}
	if (want) {
		out.profileAfter = { ...((out.profileBefore as IDataObject | undefined) ?? {}), ...want.profile };
		if (want.mfaRequired !== undefined) out.mfaRequired = want.mfaRequired;
		if (user?.mfaPolicy === 'EnabledByInheritance' && want.mfaRequired === false) {
			out.mfaNote = "MFA is required of this user by its company's or reseller's policy (EnabledByInheritance): it cannot be lifted per user, so the sync leaves it.";
		}
	}
	return out;
}

/** Creates a listed user in the organization; a name taken elsewhere fails, naming where (that user is not touched). */
export async function createVspcUser(
	ctx: IExecuteFunctions,
	directory: UserDirectory,
	step: SyncStep,
	organization: VspcOrganization,
	password: string | undefined,
): Promise<VeeamUser> {
	const d = step.desired as DesiredUser;
	const profile: VspcProfile = { ...d.vspc?.profile };
	const created = await directory
		.createUser({
			name: d.name,
			roles: step.rolesAfter,
			password,
			organizationUid: organization.uid,
			profile,
			...(d.vspc?.mfaRequired !== undefined ? { mfaRequired: d.vspc.mfaRequired } : {}),
		})
		.catch(async (error: unknown) => (error instanceof UserExistsError ? error : await Promise.reject(error)));
	if (!(created instanceof UserExistsError)) return created;
	const where = created.existing.organization;
	const itemIndex = step.item as number;
	if (where && lower(where.uid) !== lower(organization.uid)) {
		throw new NodeOperationError(
			ctx.getNode(),
			`a user named "${created.existing.name}" already exists in another organization (${where.name ?? where.uid}): user names are logins across the whole console, so it was not created, and that user was not touched`,
			{ itemIndex },
		);
	}
	throw new NodeOperationError(ctx.getNode(), `a user named "${created.existing.name}" exists in ${organization.name} by now (made since the plan): run the sync again`, { itemIndex });
}

/** A listed user's changes: one JSON Patch where the client has it, else role, profile, MFA policy in turn. */
export async function updateVspcUser(directory: UserDirectory, step: SyncStep): Promise<VeeamUser> {
	const access = directory.vspc?.() as VspcAccess;
	const user = step.user as VeeamUser;
	const d = step.desired as DesiredUser;
	const changes = new Set(step.changes ?? []);
	const roleChanged = step.action === 'changeRoles';
	const profile: VspcProfile = {};
	for (const f of ['email', 'firstName', 'lastName'] as const) if (changes.has(f)) profile[f] = d.vspc?.profile[f];
	const hasProfile = Object.keys(profile).length > 0;
	const mfa = changes.has('mfaRequired') ? d.vspc?.mfaRequired : undefined;
	if (access.updateUser) {
		return await access.updateUser(user, {
			...(roleChanged ? { role: step.rolesAfter[0] } : {}),
			...(hasProfile ? { profile } : {}),
			...(mfa !== undefined ? { mfaRequired: mfa } : {}),
		});
	}
	let now: VeeamUser = user;
	if (roleChanged) now = await directory.setRoles(now, step.rolesAfter);
	if (hasProfile) now = await access.updateProfile(now, profile);
	if (mfa !== undefined) now = await access.setMfaPolicy(now, mfa);
	return now;
}

/** A removal: the user's tokens revoked, then the user deleted (its logins are read back after: verifyRemovedLogins). */
export async function removeVspcUser(directory: UserDirectory, user: VeeamUser): Promise<'deleted' | 'absent'> {
	const access = directory.vspc?.() as VspcAccess;
	const refused = await access.revokeTokens(user).then(
		() => undefined,
		(error: unknown) => ({ error }),
	);
	// Already gone: nothing to revoke; the delete says `absent`. Otherwise the refusal stands, nothing deleted.
	if (refused && !(await directory.getUser(user.ref).then((u) => u === undefined, () => false))) return await Promise.reject(refused.error);
	return await directory.deleteUser(user);
}

/**
 * After the removals: the removed users read back (`VspcAccess.usersPresent`: one request per 50),
 * then the removed users' logins as the server has them now (one filtered read, or
 * one per user). A login still there (an API key outliving its user) is deleted, and read again;
 * one that stays fails its step. Returns the error per removed user ref.
 */
export async function verifyRemovedLogins(directory: UserDirectory, removed: VeeamUser[]): Promise<Map<string, string>> {
	const failures = new Map<string, string>();
	if (removed.length === 0) return failures;
	const access = directory.vspc?.() as VspcAccess;
	const read = async (users: VeeamUser[]): Promise<VspcLogin[]> => {
		const uids = new Set(users.map((u) => lower(u.ref)));
		const logins = access.listLoginsOf ? await access.listLoginsOf(users.map((u) => u.ref)) : (await Promise.all(users.map((u) => access.listLogins(u.ref)))).flat();
		return logins.filter((l) => uids.has(lower(l.userUid)));
	};
	// First the users themselves, read from the server (not a list read before): a DELETE answered but
	// not done leaves the user; its step fails and its logins are left alone (review S1).
	const kept = access.usersPresent ? await access.usersPresent(removed.map((u) => u.ref)) : new Set<string>();
	for (const user of removed) {
		if (kept.has(lower(user.ref))) failures.set(user.ref, `"${user.name}" was deleted, but the server still shows the user (UID ${user.ref}): remove it in the console, or run the sync again`);
	}
	const gone = removed.filter((u) => !kept.has(lower(u.ref)));
	if (gone.length === 0) return failures;
	const left = await read(gone);
	if (left.length === 0) return failures;
	const byRef = new Map(gone.map((u) => [lower(u.ref), u]));
	for (const login of left) await access.deleteLogin(byRef.get(lower(login.userUid)) as VeeamUser, login.id);
	const still = await read([...new Set(left.map((l) => byRef.get(lower(l.userUid)) as VeeamUser))]);
	for (const login of still) {
		const user = byRef.get(lower(login.userUid)) as VeeamUser;
		const what = login.kind === 'apiKey' ? 'an API key' : `a ${login.kind} login`;
		failures.set(user.ref, `"${user.name}" was deleted, but ${what} of it (login ${login.id}, ${login.provider}, ${login.status}) is still on the server after it was deleted again: remove it in the console (Configuration → Security)`);
	}
	return failures;
}
