/**
 * User → Onboard on Veeam Service Provider Console: a user of a company, a reseller or the provider
 * itself, with one role that organization's users may hold, a password, a profile and "Require MFA".
 * Idempotent as on the other products: a user of that name already in that organization is made to
 * match (role, the profile fields given, MFA required when asked, enabled again when disabled); one
 * in another organization fails the item (VSPC cannot move a user: `User.organizationUid` is
 * read-only in the REST 3.6.1 spec).
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory, VeeamRole, VeeamUser } from '../../../../client/adapters';
import { UserExistsError } from '../../../../client/adapters/common';
import type { VspcOrganization, VspcProfile } from '../../../../client/vspcModel';
import { readRoles, roleNames, sameRoles } from '../../helpers/directory';
import { inputError, readBoolean, readChoice, readSecret, readText } from '../../helpers/input';
import { guardLastAdministrator } from '../../helpers/lastAdministrator';
import {
	kindOfChoice,
	mfaRequired,
	ORGANIZATION_KINDS,
	ownerProblem,
	ownMfaRequired,
	profileChanges,
	readProfile,
	resolveOrganization,
	roleProblem,
	subtenantProblem,
	VSPC_TITLES,
	vspcAccess,
	vspcRoleOptions,
	vspcUserOutput,
} from '../../helpers/vspc';

const VSPC = { product: ['vspc'] };

/** Roles Onboard does not give: the Owners (made with their organization) and Subtenant (needs a backup resource, see NOT_ONBOARDED). */
const NOT_OFFERED = new Set(['CompanyOwner', 'ResellerOwner', 'CompanySubtenant']);

function roleField(kind: 'company' | 'reseller', fallback: string): INodeProperties {
	return {
		displayName: 'Role',
		name: 'roles',
		type: 'options',
		default: fallback,
		required: true,
		displayOptions: { show: { ...VSPC, organizationType: [kind] } },
		options: vspcRoleOptions(kindOfChoice(kind)).filter((o) => !NOT_OFFERED.has(String(o.value))),
		description:
			'The one role the user gets (VSPC gives a user exactly one). Not offered: the Owner of a company or reseller (VSPC creates it with the organization) and Subtenant (it needs a cloud backup resource: create it in VSPC).',
	};
}

/** Onboard's fields on VSPC (shown for product `vspc` only). */
export const vspcOnboardProperties: INodeProperties[] = [
	{
		displayName: 'User Name',
		name: 'userName',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: VSPC },
		placeholder: 'e.g. jane.doe',
		description: 'The login name of the new VSPC user',
	},
	{
		displayName: 'Organization Type',
		name: 'organizationType',
		type: 'options',
		default: 'company',
		displayOptions: { show: VSPC },
		options: [
			{ name: 'Company', value: 'company', description: 'A user of a client company (Client Portal)' },
			{ name: 'Reseller', value: 'reseller', description: 'A user of a reseller (Reseller Portal)' },
		],
		description:
			"Which kind of organization the user belongs to. The provider's own staff are Windows accounts or groups that VSPC gives a role (local user rules), not users made over REST: add them in VSPC.",
	},
	{
		displayName: 'Company',
		name: 'company',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { ...VSPC, organizationType: ['company'] } },
		placeholder: 'e.g. Delta Logistics',
		description: 'The company the user belongs to: its name as VSPC shows it (any case) or its UID',
	},
	{
		displayName: 'Reseller',
		name: 'reseller',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { ...VSPC, organizationType: ['reseller'] } },
		placeholder: 'e.g. Northwind Partners',
		description: 'The reseller the user belongs to: its name as VSPC shows it (any case) or its UID',
	},
	roleField('company', 'CompanyLocationUser'),
	roleField('reseller', 'ResellerUser'),
	{
		displayName: 'Password',
		name: 'password',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		displayOptions: { show: VSPC },
		description: 'Password of the new user. Used only when the user is created (an existing user keeps its password). Never part of the output.',
	},
	{
		displayName: 'First Name',
		name: 'firstName',
		type: 'string',
		default: '',
		displayOptions: { show: VSPC },
	},
	{
		displayName: 'Last Name',
		name: 'lastName',
		type: 'string',
		default: '',
		displayOptions: { show: VSPC },
	},
	{
		displayName: 'Email',
		name: 'email',
		type: 'string',
		placeholder: 'name@email.com',
		default: '',
		displayOptions: { show: VSPC },
		description: 'Where VSPC sends the user notifications such as password resets',
	},
	{
		displayName: 'Additional Profile Fields',
		name: 'profileFields',
		type: 'collection',
		placeholder: 'Add Field',
		default: {},
		displayOptions: { show: VSPC },
		options: [
			{ displayName: 'Address', name: 'address', type: 'string', default: '' },
			{ displayName: 'Phone', name: 'phone', type: 'string', default: '', placeholder: 'e.g. 301 329 9338' },
			{
				displayName: 'Title',
				name: 'title',
				type: 'options',
				default: 'Unknown',
				options: VSPC_TITLES.map((t) => ({ name: t === 'Unknown' ? 'None' : t, value: t })),
			},
		],
	},
	{
		displayName: 'Require MFA',
		name: 'mfaRequired',
		type: 'boolean',
		default: false,
		displayOptions: { show: VSPC },
		description:
			"Whether the user must set up multi-factor authentication at the next login (VSPC's MFA policy). Off leaves an existing user's policy as it is: use User → Stop Requiring MFA to lift it.",
	},
];

export interface VspcOnboardParams {
	name: string;
	organization: VspcOrganization;
	role: VeeamRole;
	/** A secret: never output. */
	password: string;
	profile: VspcProfile;
	mfaRequired: boolean;
	ifExists: 'makeRolesMatch' | 'skip' | 'error';
}

const IF_EXISTS = ['makeRolesMatch', 'skip', 'error'] as const;

/** Reads and checks item `i` (the organization is looked up: one read of the organizations per execution). */
export async function prepareVspc(ctx: IExecuteFunctions, i: number, directory: UserDirectory): Promise<VspcOnboardParams> {
	const access = vspcAccess(ctx, directory, i);
	const name = readText(ctx, i, 'userName', 'User Name');
	const nameProblem = directory.nameProblem(name);
	if (nameProblem) throw inputError(ctx, i, 'User Name', nameProblem);
	const choice = readChoice(ctx, i, 'organizationType', 'Organization Type', ORGANIZATION_KINDS, 'company');
	if (choice === 'provider') {
		throw inputError(
			ctx,
			i,
			'Organization Type',
			"the provider's own staff cannot be created over REST: VSPC gives the Administrator Portal roles to Windows accounts or groups (local user rules)",
			'Add the Windows account in VSPC (Configuration → Roles & Users → Windows Users). Promote, Offboard and MFA work on it once it exists.',
		);
	}
	const kind = kindOfChoice(choice);
	const field = choice === 'company' ? 'Company' : 'Reseller';
	const value = readText(ctx, i, choice, field);
	const password = readSecret(ctx, i, 'password', 'Password');
	const weakness = directory.passwordProblem?.(password);
	if (weakness) throw inputError(ctx, i, 'Password', weakness);
	const profile = readProfile(ctx, i);
	const mfa = readBoolean(ctx, i, 'mfaRequired', 'Require MFA', false);
	const ifExists = readChoice(ctx, i, 'ifExists', 'If the User Already Exists', IF_EXISTS, 'makeRolesMatch');
	const [role] = await readRoles(ctx, directory, i, 'roles', 'Role');
	const problem = roleProblem(role, kind, `${field} "${value}"`) ?? subtenantProblem(role);
	if (problem) throw inputError(ctx, i, 'Role', problem, 'Choose a role of the organization type, or another organization type.');
	const organization = await resolveOrganization(ctx, i, access, kind, value, field);
	return { name, organization, role, password, profile, mfaRequired: mfa, ifExists };
}

function describe(org: VspcOrganization): string {
	return org.type === 'Provider' ? `the provider "${org.name}"` : `${String(org.type).toLowerCase()} "${org.name}"`;
}

/** Makes an existing user of the organization match: role, profile fields given, MFA when asked, enabled. */
async function makeMatch(ctx: IExecuteFunctions, p: VspcOnboardParams, directory: UserDirectory, existing: VeeamUser, i: number): Promise<IDataObject> {
	const access = vspcAccess(ctx, directory, i);
	const before = roleNames(existing.roles);
	const roleChange = !sameRoles(existing.roles, [p.role]);
	const profile = profileChanges(existing, p.profile);
	const changeProfile = Object.keys(profile).length > 0;
	// The user's own policy: an inherited requirement goes when the organization's is lifted (review M1).
	const requireMfa = p.mfaRequired && !ownMfaRequired(existing);
	const enable = (existing.status ?? '').toLowerCase() === 'disabled';
	if (p.ifExists === 'skip' || !(roleChange || changeProfile || requireMfa || enable)) {
		return { action: 'unchanged', user: await vspcUserOutput(access, existing), before };
	}
	if (roleChange) {
		const owner = ownerProblem(existing);
		if (owner) throw inputError(ctx, i, 'Role', owner, 'Nothing was sent.');
	}
	const apply = async (): Promise<VeeamUser> => {
		let user = existing;
		if (access.updateUser && (roleChange || changeProfile || requireMfa)) {
			user = await access.updateUser(user, { ...(roleChange ? { role: p.role } : {}), ...(changeProfile ? { profile } : {}), ...(requireMfa ? { mfaRequired: true } : {}) });
		} else {
			if (roleChange) user = await directory.setRoles(user, [p.role]);
			if (changeProfile) user = await access.updateProfile(user, profile);
			if (requireMfa) user = await access.setMfaPolicy(user, true);
		}
		if (enable) user = await access.setStatus(user, 'Enabled');
		return user;
	};
	const updated = roleChange ? await guardLastAdministrator(ctx, directory, i, 'Role', existing, [p.role], apply) : await apply();
	const changed = [...(roleChange ? ['role'] : []), ...Object.keys(profile).map((k) => `profile.${k}`), ...(requireMfa ? ['mfaPolicy'] : []), ...(enable ? ['status'] : [])];
	const shown = await vspcUserOutput(access, updated);
	// Whatever the answers said, the server's user must show what was asked.
	if (roleChange && !sameRoles(updated.roles, [p.role])) throw inputError(ctx, i, 'Role', `the server still shows "${updated.name}" with ${roleNames(updated.roles).join(', ') || 'no role'} after the change to ${p.role.name}`);
	if (requireMfa && !mfaRequired(updated)) throw inputError(ctx, i, 'Require MFA', `the server still shows MFA policy "${updated.mfaPolicy ?? 'unknown'}" for "${updated.name}" after requiring MFA`);
	if (enable && (updated.status ?? '').toLowerCase() !== 'enabled') throw inputError(ctx, i, 'User Name', `the server still shows "${updated.name}" as ${updated.status ?? 'not enabled'} after enabling it`);
	// Re-enabled, the user logs in with its OLD password: the item's Password is only sent at creation (review C2).
	const reEnabled = enable
		? {
				statusBefore: existing.status,
				passwordSet: false,
				note: `"${updated.name}" was disabled and is enabled again with its old password: the Password of this item was not set (the node sets a password only when it creates a user). Reset the password in VSPC if the account is not to keep it.`,
			}
		: {};
	return { action: 'updated', user: shown, before, changed, ...reEnabled };
}

export async function executeVspc(ctx: IExecuteFunctions, p: VspcOnboardParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const access = vspcAccess(ctx, directory, i);
	let existing = await directory.findUserByName(p.name);
	if (!existing) {
		// The adapter never repeats a create blindly: after an unclear failure it looks first.
		const outcome = await directory
			.createUser({ name: p.name, roles: [p.role], password: p.password, organizationUid: p.organization.uid, profile: p.profile, mfaRequired: p.mfaRequired })
			.then(
				(user) => ({ user }),
				(error: unknown) => {
					if (error instanceof UserExistsError) return { existing: error.existing };
					throw error;
				},
			);
		if ('user' in outcome) return { action: 'created', user: await vspcUserOutput(access, outcome.user) };
		existing = outcome.existing;
	}
	const home = existing.organization?.uid;
	if (!home || home.toLowerCase() !== p.organization.uid.toLowerCase()) {
		const where = home ? (await access.organizations()).find((o) => o.uid.toLowerCase() === home.toLowerCase()) : undefined;
		const there = where ? describe(where) : home ? `the organization with UID ${home}` : 'an organization the server does not name';
		throw inputError(
			ctx,
			i,
			'User Name',
			`VSPC already has a user named "${existing.name}" (UID ${existing.ref}) in ${there}, not in ${describe(p.organization)}`,
			'Nothing was sent. VSPC cannot move a user to another organization: choose another user name, or offboard the existing user first.',
		);
	}
	if (p.ifExists === 'error') {
		throw inputError(ctx, i, 'User Name', `VSPC already has a user named "${existing.name}" (UID ${existing.ref}) in ${describe(p.organization)}`, 'Choose "Make Roles Match" or "Skip" under "If the User Already Exists" to onboard idempotently.');
	}
	return await makeMatch(ctx, p, directory, existing, i);
}
