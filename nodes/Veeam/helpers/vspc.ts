/**
 * Veeam Service Provider Console (product `vspc`): what the node checks and reads beyond the common
 * user model, without sending anything that changes the server. Organizations (the provider, its
 * resellers, their companies), which roles an organization's users may hold, the Owner roles the
 * node leaves alone, a user's profile as typed into the node, and the organization names shown in
 * outputs. The adapter's calls are reached through `UserDirectory.vspc()` (client/vspcModel.ts).
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodePropertyOptions } from 'n8n-workflow';

import type { UserDirectory, VeeamRole, VeeamUser } from '../../../client/adapters';
import type { VspcAccess, VspcOrganization, VspcProfile } from '../../../client/vspcModel';
import { VSPC_ROLES as ADAPTER_ROLES, vspcRole } from '../../../client/adapters/vspcRoles';
import { isUuid } from '../../../client/ids';
import { usesApiKey } from '../../../client/login';
import { sameUserName } from '../../../client/adapters/vspcRead';
import { CREDENTIAL_TYPE } from '../../../client/transport';
import { checkText, inputError, readText } from './input';
import { credentialAccountMatcher, userOutput } from './directory';

export type VspcOrganizationKind = 'Company' | 'Reseller' | 'Provider';

/**
 * The names Veeam's guides give VSPC's roles where they differ from the API value's words. Provider:
 * "Managing Administrator Portal Users" (helpcenter.veeam.com/docs/vac/provider_admin/manage_admin_portal_users.html);
 * Reseller: "User Roles and Permissions" (docs/vac/reseller/portal_user_roles_permissions.html, the
 * Service Provider … roles); Company: "Company User Roles and Permissions" (docs/vac/reseller/user_roles_permissions.html).
 */
const GUIDE_NAMES: Readonly<Record<string, string>> = {
	PortalReadonlyOperator: 'Read-only User',
	ResellerOwner: 'Service Provider Global Administrator',
	ResellerAdministrator: 'Service Provider Administrator',
	ResellerOperator: 'Service Provider Operator',
	ResellerUser: 'Service Provider User',
	ResellerInvoiceAuditor: 'Service Provider Invoice Auditor',
	CompanyLocationAdministrator: 'Location Administrator',
	CompanyLocationUser: 'Location User',
	CompanySubtenant: 'Subtenant',
};

/**
 * VSPC's 16 roles (the adapter's list, client/adapters/vspcRoles.ts: `UserRole` of REST 3.6.1), each
 * with the organization type whose users hold it and the name Veeam's guides give it.
 * `CompanyTenant` (the company's Veeam Cloud Connect tenant account) has no guide page: assumed a
 * company's, as its prefix says.
 */
export const VSPC_ROLES: ReadonlyArray<{ id: string; name: string; kind: VspcOrganizationKind; guideName: string; owner: boolean }> = ADAPTER_ROLES.map((r) => ({
	id: r.id,
	name: r.name,
	kind: r.organizationType,
	guideName: GUIDE_NAMES[r.id] ?? r.name,
	owner: r.owner === true,
}));

/**
 * The primary user of a reseller or a company: created with it, exactly one per organization
 * ("For each company, there can be only one Company Owner"; the same for a reseller's Service
 * Provider Global Administrator). The node neither gives nor takes these roles, nor offboards
 * their holders: that is done with the organization, in VSPC.
 */
export const VSPC_OWNER_ROLES: readonly string[] = VSPC_ROLES.filter((r) => r.owner).map((r) => r.id);

/** The role with this API value or name, in any case and spacing (`Company Owner`, `CompanyOwner`). */
export function findVspcRole(value: string) {
	const role = vspcRole(value);
	return role ? VSPC_ROLES.find((r) => r.id === role.id) : undefined;
}

/** Options of a role field: every role, or those of one organization type. */
export function vspcRoleOptions(kind?: VspcOrganizationKind): INodePropertyOptions[] {
	const holders = (k: VspcOrganizationKind) => (k === 'Provider' ? "the provider's own staff" : `a ${k.toLowerCase()}'s users`);
	return VSPC_ROLES.filter((r) => !kind || r.kind === kind)
		.map((r) => {
			const notes = [...(r.guideName === r.name ? [] : [`"${r.guideName}" in Veeam's guides`]), ...(kind ? [] : [`a role of ${holders(r.kind)}`])];
			const option: INodePropertyOptions = { name: r.name, value: r.id };
			return notes.length ? { ...option, description: notes.join('; ').replace(/^./, (c) => c.toUpperCase()) } : option;
		})
		.sort((a, b) => a.name.localeCompare(b.name));
}

function roleInfo(role: VeeamRole) {
	return findVspcRole(role.id) ?? findVspcRole(role.name);
}

/** The organization type a type as the server sends it stands for (any case), if one of the three. */
export function organizationKind(type: string | undefined): VspcOrganizationKind | undefined {
	const t = (type ?? '').toLowerCase();
	return t === 'company' ? 'Company' : t === 'reseller' ? 'Reseller' : t === 'provider' ? 'Provider' : undefined;
}

/** The VSPC calls, or an error: the adapter of every other product has none. */
export function vspcAccess(ctx: IExecuteFunctions, directory: UserDirectory, i: number): VspcAccess {
	const access = directory.vspc?.();
	if (!access) throw inputError(ctx, i, 'Product', 'this operation works on Veeam Service Provider Console only');
	return access;
}

/**
 * Why `role` cannot be given to a user of an organization of type `kind` by the node (undefined:
 * it can). Owner roles never; a role of another organization type never (VSPC's roles belong to
 * one: a company's user cannot be a Portal Administrator).
 */
export function roleProblem(role: VeeamRole, kind: VspcOrganizationKind | undefined, organization: string): string | undefined {
	const info = roleInfo(role);
	if (!info) return `"${role.name}" is not a role the node knows on Veeam Service Provider Console`;
	if (info.owner) {
		return `${role.name} is given by VSPC to one user per ${info.kind.toLowerCase()}, when the ${info.kind.toLowerCase()} is created: the node does not give it`;
	}
	if (kind && info.kind !== kind) {
		return `${role.name} is a role of ${info.kind === 'Provider' ? "the provider's own staff" : `a ${info.kind.toLowerCase()}'s users`}, and ${organization} is ${kind === 'Provider' ? 'the provider' : `a ${kind.toLowerCase()}`}`;
	}
	return undefined;
}

/**
 * Why the node does not give `role` (Subtenant): a subtenant is "a user who has cloud repository
 * resources allocated" (Veeam's company roles page), created with a `backupResource`
 * (`UserInput.backupResource`, REST 3.6.1) the node does not take. Undefined for the other roles.
 */
export function subtenantProblem(role: VeeamRole): string | undefined {
	return findVspcRole(role.id)?.id === 'CompanySubtenant' || findVspcRole(role.name)?.id === 'CompanySubtenant'
		? `${role.name} needs a cloud backup resource allocated with it, which the node does not set: create subtenants in VSPC`
		: undefined;
}

/** The organization `user` belongs to, from the user record or else the organization list; undefined when neither says. */
export async function organizationOf(access: VspcAccess, user: VeeamUser): Promise<{ uid?: string; name?: string; kind?: VspcOrganizationKind }> {
	const org = user.organization;
	if (!org) return {};
	if (org.name && organizationKind(org.type)) return { uid: org.uid, name: org.name, kind: organizationKind(org.type) };
	const known = (await access.organizations()).find((o) => o.uid.toLowerCase() === org.uid.toLowerCase());
	return { uid: org.uid, name: org.name ?? known?.name, kind: organizationKind(org.type ?? known?.type) };
}

/**
 * Why the node does not give `role` to the existing `user` (an Owner's role is not changed; the
 * role must fit the user's organization), else undefined. The organization type unknown: only
 * the Owner rules hold (the server decides the rest).
 */
export async function roleChangeProblem(access: VspcAccess, user: VeeamUser, role: VeeamRole): Promise<string | undefined> {
	const owner = ownerProblem(user);
	if (owner) return owner;
	const org = await organizationOf(access, user);
	const where = org.kind === 'Provider' ? `the provider${org.name ? ` "${org.name}"` : ''}` : `${org.kind ? org.kind.toLowerCase() : 'organization'} "${org.name ?? org.uid ?? 'unknown'}"`;
	const problem = roleProblem(role, org.kind, `"${user.name}"'s organization, ${where},`);
	return problem;
}

/** Why the node does not change or remove `user` because of its role (an Owner), else undefined. */
export function ownerProblem(user: VeeamUser): string | undefined {
	const owner = user.roles.find((r) => VSPC_OWNER_ROLES.some((id) => id.toLowerCase() === r.id.toLowerCase()));
	if (!owner) return undefined;
	const of = user.organization?.name ? ` of "${user.organization.name}"` : '';
	return `"${user.name}" is the ${owner.name}${of}: VSPC creates this user with the organization and keeps exactly one; the node does not change or remove it`;
}

/** The kind of organization a user of item `i` belongs to, as typed into Onboard (Company, Reseller, Provider). */
export const ORGANIZATION_KINDS = ['company', 'reseller', 'provider'] as const;
export type OrganizationChoice = (typeof ORGANIZATION_KINDS)[number];

const KIND_OF_CHOICE: Record<OrganizationChoice, VspcOrganizationKind> = { company: 'Company', reseller: 'Reseller', provider: 'Provider' };

export function kindOfChoice(choice: OrganizationChoice): VspcOrganizationKind {
	return KIND_OF_CHOICE[choice];
}

/**
 * The organization a company's own UID (`GET /organizations/companies`' `instanceUid`, which may
 * differ from its organization's: Veeam's Expand example) stands for, through the adapter's
 * resolution; undefined when it knows none. Only "not found" is undefined: a failed request fails.
 */
async function byCompanyUid(access: VspcAccess, value: string): Promise<VspcOrganization | undefined> {
	if (!isUuid(value)) return undefined;
	return await access.resolveOrganization(value, 'UID').then(
		(org) => org,
		(error: unknown) => {
			if (error instanceof NodeOperationError) return undefined;
			throw error;
		},
	);
}

/**
 * The organization of `kind` named `value` (exactly, ignoring case) or with that UID. The provider
 * needs no value: there is one. Looked up among the organizations this account sees (read once per
 * execution); names are compared within the kind, so a company and a reseller of one name are no
 * ambiguity. Two of one kind with the name: the UID must be given.
 */
export async function resolveOrganization(
	ctx: IExecuteFunctions,
	i: number,
	access: VspcAccess,
	kind: VspcOrganizationKind,
	value: string,
	field: string,
): Promise<VspcOrganization> {
	const all = (await access.organizations()).filter((o) => organizationKind(o.type) === kind);
	if (kind === 'Provider' && value === '') {
		if (all.length === 1) return all[0];
		throw inputError(ctx, i, field, all.length === 0 ? 'this account sees no provider organization' : `this account sees ${all.length} provider organizations`);
	}
	const wanted = value.toLowerCase();
	const byUid = all.filter((o) => o.uid.toLowerCase() === wanted);
	if (byUid.length === 1) return byUid[0];
	const byName = all.filter((o) => o.name.toLowerCase() === wanted);
	if (byName.length === 1) return byName[0];
	const viaCompany = byName.length === 0 ? await byCompanyUid(access, value) : undefined;
	if (viaCompany && organizationKind(viaCompany.type) === kind) return viaCompany;
	const what = kind === 'Provider' ? 'provider' : kind.toLowerCase();
	if (byName.length > 1) {
		const plural = what === 'company' ? 'companies' : `${what}s`;
		throw inputError(ctx, i, field, `${byName.length} ${plural} are named "${value}" (UIDs ${byName.map((o) => o.uid).join(', ')})`, 'Give the UID instead.');
	}
	const other = (await access.organizations()).find((o) => o.uid.toLowerCase() === wanted || o.name.toLowerCase() === wanted);
	const hint = other ? ` ("${other.name}" is a ${String(other.type).toLowerCase()})` : '';
	throw inputError(ctx, i, field, `no ${what} named "${value}" or with this UID${hint}`, `Check the name in VSPC, or give the ${what}'s UID.`);
}

/**
 * Several organizations of any kind, each by name (exactly, ignoring case) or UID: the Companies
 * filter of Get Many. A name two organizations share is refused (give the UID).
 */
export async function resolveOrganizations(ctx: IExecuteFunctions, i: number, access: VspcAccess, values: string[], field: string): Promise<VspcOrganization[]> {
	const all = await access.organizations();
	const found = new Map<string, VspcOrganization>();
	for (const value of values) {
		const wanted = value.toLowerCase();
		const byUid = all.filter((o) => o.uid.toLowerCase() === wanted);
		let matches = byUid.length ? byUid : all.filter((o) => o.name.toLowerCase() === wanted);
		if (matches.length === 0) {
			const viaCompany = await byCompanyUid(access, value);
			if (viaCompany) matches = [viaCompany];
		}
		if (matches.length === 0) throw inputError(ctx, i, field, `no company, reseller or provider named "${value}" or with this UID`, 'Check the name in VSPC, or give the UID.');
		if (matches.length > 1) {
			throw inputError(ctx, i, field, `"${value}" names ${matches.length} organizations (${matches.map((o) => `${o.type} ${o.uid}`).join(', ')})`, 'Give the UID instead.');
		}
		found.set(matches[0].uid.toLowerCase(), matches[0]);
	}
	return [...found.values()];
}

/** A comma-separated text or a list (from an expression) as a list of non-empty texts. */
export function splitList(ctx: IExecuteFunctions, i: number, field: string, raw: unknown): string[] {
	const values = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
	return values
		.flatMap((v) => checkText(ctx, i, field, v, false).split(','))
		.map((v) => v.trim())
		.filter((v) => v !== '');
}

/** `UserProfile` (REST 3.6.1): lengths and the e-mail pattern as the spec gives them. */
const PROFILE_LIMITS: Record<'firstName' | 'lastName' | 'address' | 'phone' | 'email', number> = {
	firstName: 2048,
	lastName: 2048,
	address: 2048,
	phone: 512,
	email: 2048,
};
export const VSPC_TITLES = ['Unknown', 'Mr', 'Miss', 'Mrs', 'Ms'] as const;
// The spec's `UserProfile.email` pattern, as written there.
const EMAIL = /^(")?(?:[^."])(?:(?:[.])?(?:[\w\-!#$%&'*+/=?^_`{|}~]))*\1@(\w[-\w]*\.){1,5}([A-Za-z]){2,6}$/;

const PROFILE_FIELDS: ReadonlyArray<{ key: keyof typeof PROFILE_LIMITS; name: string; field: string }> = [
	{ key: 'firstName', name: 'firstName', field: 'First Name' },
	{ key: 'lastName', name: 'lastName', field: 'Last Name' },
	{ key: 'email', name: 'email', field: 'Email' },
	{ key: 'phone', name: 'profileFields.phone', field: 'Phone' },
	{ key: 'address', name: 'profileFields.address', field: 'Address' },
];

/** The profile typed into item `i` (only the fields given), checked as the spec says. */
export function readProfile(ctx: IExecuteFunctions, i: number): VspcProfile {
	const profile: VspcProfile = {};
	for (const { key, name, field } of PROFILE_FIELDS) {
		const value = readText(ctx, i, name, field, { required: false });
		if (value === '') continue;
		if (value.length > PROFILE_LIMITS[key]) throw inputError(ctx, i, field, `is ${value.length} characters long; VSPC takes at most ${PROFILE_LIMITS[key]}`);
		if (key === 'email' && !EMAIL.test(value)) throw inputError(ctx, i, field, `"${value}" does not match VSPC's e-mail pattern (the REST 3.6.1 UserProfile.email: name@domain, a top-level domain of 2 to 6 letters)`, 'For example jane.doe@contoso.com.');
		profile[key] = value;
	}
	const title = readText(ctx, i, 'profileFields.title', 'Title', { required: false });
	if (title !== '') {
		const known = VSPC_TITLES.find((t) => t.toLowerCase() === title.toLowerCase());
		if (!known) throw inputError(ctx, i, 'Title', `"${title}" is not one of ${VSPC_TITLES.join(', ')}`);
		profile.title = known;
	}
	return profile;
}

/** The profile fields of `wanted` that `user` does not have as given (compared as typed, ignoring surrounding space). */
export function profileChanges(user: VeeamUser, wanted: VspcProfile): VspcProfile {
	const changes: VspcProfile = {};
	for (const [key, value] of Object.entries(wanted) as Array<[keyof VspcProfile, string | undefined]>) {
		if (value === undefined) continue;
		if ((user.profile?.[key] ?? '').trim() !== value) changes[key] = value;
	}
	return changes;
}

/** Whether the user's MFA policy requires MFA (set on the user, or inherited from its organization). */
export function mfaRequired(user: VeeamUser): boolean {
	const policy = (user.mfaPolicy ?? '').toLowerCase();
	return policy === 'enabled' || policy === 'enabledbyinheritance';
}

/**
 * Whether the user's OWN policy requires MFA (`Enabled`). `EnabledByInheritance` is the
 * organization's requirement: lifted there, it is gone, so Require MFA still sets the user's own (review M1).
 */
export function ownMfaRequired(user: VeeamUser): boolean {
	return (user.mfaPolicy ?? '').toLowerCase() === 'enabled';
}

/**
 * A VSPC user as the node outputs it: the common output, with the organization's name and type
 * where the user record leaves them out (from the organization list, read once per execution).
 */
export async function vspcUserOutput(access: VspcAccess | undefined, user: VeeamUser): Promise<IDataObject> {
	const output = userOutput(user);
	const org = user.organization;
	if (!access || !org || (org.name && org.type)) return output;
	const known = (await access.organizations()).find((o) => o.uid.toLowerCase() === org.uid.toLowerCase());
	if (!known) return output;
	return { ...output, organization: { uid: org.uid, name: org.name ?? known.name, type: org.type ?? known.type } };
}

/** The output of a user of any product: VSPC's with its organization named. */
export async function anyUserOutput(directory: UserDirectory, user: VeeamUser): Promise<IDataObject> {
	return directory.product === 'vspc' ? await vspcUserOutput(directory.vspc?.(), user) : userOutput(user);
}

/**
 * Whether a user is the account this node's credential logs in with: by the credential's user name
 * (every product), and on VSPC also by the server's own answer (`GET /users/me`, when the adapter
 * offers it): an API-key credential has no user name, and a password one may write the name
 * otherwise than the server does (`vspc\administrator` for `administrator`).
 */
export async function credentialAccountTest(ctx: IExecuteFunctions, directory: UserDirectory): Promise<(user: VeeamUser) => boolean> {
	const byName = await credentialAccountMatcher(ctx, directory);
	const access = directory.product === 'vspc' ? directory.vspc?.() : undefined;
	const self = access?.me ? await access.me() : undefined;
	return (user) => byName(user) || (self !== undefined && self.ref.toLowerCase() === user.ref.toLowerCase());
}

/**
 * The own-account guard of a Sync over `users`, the users of one `organization`: with a user name
 * in the credential, decided from the names where they decide (no request), and from the server's
 * answer (`GET /users/me`, credentialAccountTest) only where they cannot. A user is the account
 * when its name is the credential's user name (.NET OrdinalIgnoreCase: sameUserName), or the
 * credential's `Company Name\User` names this organization and this user (Veeam: a company user
 * logs in as "Company Name\User", or as `alias\User` with the company's login alias:
 * https://helpcenter.veeam.com/docs/vac/provider_user/access_vac.html), or a bare name is the
 * user's `DOMAIN\name` (the common rule, credentialAccountMatcher). Where the credential writes
 * `prefix\name` and the organization has a user of that name but the prefix is not its name (an
 * alias, or another organization's account of the same name), only the server can say: it is
 * asked. An API-key credential has no name: asked too.
 */
export async function credentialAccountAmong(ctx: IExecuteFunctions, directory: UserDirectory, users: readonly VeeamUser[], organization: VspcOrganization): Promise<(user: VeeamUser) => boolean> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE.vspc);
	const login = usesApiKey(credentials) || typeof credentials.username !== 'string' ? '' : credentials.username.trim();
	if (login === '') return await credentialAccountTest(ctx, directory);
	const cut = login.lastIndexOf('\\');
	const prefix = cut >= 0 ? login.slice(0, cut) : undefined;
	const tail = login.slice(cut + 1);
	const after = (name: string) => name.slice(name.lastIndexOf('\\') + 1);
	const named = (user: VeeamUser) =>
		sameUserName(user.name, login) ||
		// The common rule (credentialAccountMatcher): a bare name is also the `DOMAIN\name` account.
		(prefix === undefined && user.name.includes('\\') && sameUserName(after(user.name), login)) ||
		(prefix !== undefined && sameUserName(prefix, organization.name) && sameUserName(user.name, tail));
	const unsure = prefix !== undefined && users.some((u) => !named(u) && sameUserName(u.name, tail));
	if (!unsure) return named;
	const asked = await credentialAccountTest(ctx, directory);
	return (user) => named(user) || asked(user);
}
