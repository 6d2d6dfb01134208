import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory, VeeamRole, VeeamUser } from '../../../../client/adapters';
import { UserExistsError } from '../../../../client/adapters/common';
import { readNewUserLogin, readRoles, roleNames, sameRoles, userOutput } from '../../helpers/directory';
import { inputError, readBoolean, readChoice, readText } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { showFor } from '../../../../client/products';
import { azureUserTypeOptions, itemOptions, rolesField, vbrUserTypeOptions } from '../common.descriptions';
import { alreadyPendingOutput, pendingRequestFor } from '../confirm';
import type { UserTarget } from '../node.type';
import { executeVspc, prepareVspc, vspcOnboardProperties, type VspcOnboardParams } from './onboard.vspc';

const IF_EXISTS = ['makeRolesMatch', 'skip', 'error'] as const;
type IfExists = (typeof IF_EXISTS)[number];

const properties: INodeProperties[] = [
	// One field per product: the two name forms differ (and so do placeholder and hint).
	{
		displayName: 'User Name',
		name: 'userName',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { product: ['vbr'] } },
		placeholder: 'e.g. TECH\\jane.doe',
		description:
			'The account to give access to Veeam. Windows user or group: DOMAIN\\name, an Active Directory one (e.g. TECH\\jane.doe, TECH\\Backup Operators) or a local one of the backup server (e.g. VBR01\\jane); it must already exist. Identity-provider (SSO) user: user@suffix; group: its name at the identity provider.',
	},
	{
		displayName: 'User Name',
		name: 'userName',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { product: ['vbgc'] } },
		placeholder: 'e.g. jane_doe',
		description: 'The name of the new portal account: up to 32 lowercase Latin letters, digits, _ and -',
	},
	{
		displayName: 'User Name',
		name: 'userName',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { product: ['aws'] } },
		placeholder: 'e.g. jane_doe',
		description:
			'The name of the new portal account: up to 32 lowercase Latin letters, digits, _ and - (a $ only at the end; not admin). For an identity-provider (SSO) user: the UserName the identity provider sends, up to 125 characters.',
	},
	{
		displayName: 'User Name',
		name: 'userName',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { product: ['azure'] } },
		placeholder: 'e.g. jane_doe',
		description:
			'The name of the new portal account (up to 32 Latin letters, digits, _ and -), or for a Microsoft Entra ID user the user principal name, e.g. jane@contoso.com',
	},
	{
		displayName: 'Type',
		name: 'userType',
		type: 'options',
		default: 'InternalUser',
		displayOptions: { show: { product: ['vbr'] } },
		options: vbrUserTypeOptions,
		description: 'What kind of account the user name is: a Windows account (local or Active Directory), or an identity-provider (SAML single sign-on) account',
	},
	{
		displayName: 'Type',
		name: 'userType',
		type: 'options',
		default: 'Internal',
		displayOptions: { show: { product: ['azure'] } },
		options: azureUserTypeOptions,
		description: 'A portal account with a password, or a Microsoft Entra ID account (single sign-on)',
	},
	{
		displayName: 'Type',
		name: 'userType',
		type: 'options',
		default: 'Internal',
		displayOptions: { show: { product: ['aws'] } },
		options: [
			{ name: 'Portal User', value: 'Internal', description: 'An account of the appliance, with a password' },
			{
				name: 'Identity Provider (SSO) User',
				value: 'External',
				description: 'A user identity from the identity provider that logs in through single sign-on, without a password',
			},
		],
		description: 'A portal account with a password, or a user of the identity provider configured for single sign-on',
	},
	{
		displayName: 'Entra Object ID',
		name: 'identityProviderEntityId',
		type: 'string',
		default: '',
		required: true,
		displayOptions: { show: { product: ['azure'], userType: ['IdentityProvider'] } },
		placeholder: 'e.g. 0c5a6f1e-2b8d-4e2f-9a51-1d6f3c7e8b90',
		description: 'The object ID of the account in Microsoft Entra ID (a UUID)',
	},
	{
		displayName: 'Password',
		name: 'password',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		displayOptions: { show: { product: ['vbgc'] } },
		description:
			'Password of the new account: at least 8 characters with an upper-case letter, a lower-case letter, a digit and a special character. Used only when the user is created (an existing user keeps its password: use User → Change Password). Never part of the output.',
	},
	{
		displayName: 'Password',
		name: 'password',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		displayOptions: { show: { product: ['aws'], userType: ['Internal'] } },
		description:
			'Password of the new account: at least 8 characters with an upper-case letter, a lower-case letter, a digit and a special character. Used only when the user is created (an existing user keeps its password: use User → Change Password). Never part of the output.',
	},
	{
		displayName: 'Password',
		name: 'password',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		required: true,
		displayOptions: { show: { product: ['azure'], userType: ['Internal'] } },
		description:
			'Password of the new portal account: at least 8 characters with an upper-case letter, a lower-case letter, a digit and a special character. Used only when the user is created. Never part of the output.',
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		default: '',
		displayOptions: showFor('descriptions'),
		placeholder: 'e.g. Jane Doe, service desk',
		description: 'Description of the account, e.g. who it belongs to',
	},
	...vspcOnboardProperties,
	// VSPC has its own Role field per organization type (onboard.vspc.ts).
	{ ...rolesField('Veeam roles the user gets, e.g. Restore Operator'), displayOptions: { hide: { product: ['vspc'] } } },
	{
		displayName: 'Service Account',
		name: 'isServiceAccount',
		type: 'boolean',
		default: false,
		displayOptions: { show: { product: ['vbr'] } },
		description:
			'Whether the account is a service account: used by scripts and integrations, exempt from multi-factor authentication',
	},
	{
		displayName: 'If the User Already Exists',
		name: 'ifExists',
		type: 'options',
		default: 'makeRolesMatch',
		options: [
			{
				name: 'Make Roles Match',
				value: 'makeRolesMatch',
				description:
					"Set the existing user's roles to exactly the roles given (no change if they already match), and its description to the one given, if any. On VSPC also the profile fields given, MFA required when asked, and a disabled user enabled again.",
			},
			{ name: 'Skip', value: 'skip', description: 'Leave the existing user as it is' },
			{ name: 'Error', value: 'error', description: 'Fail this item' },
		],
		description: 'What to do when Veeam already has a user or group with this name',
	},
	itemOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['onboard'] } }, properties);

interface OnboardParams {
	name: string;
	/** Products with several kinds of user (VBR). */
	type?: string;
	roles: VeeamRole[];
	/** Products with service accounts (VBR). */
	isServiceAccount?: boolean;
	/** Products whose users have a password (VBGC, AWS, Azure portal users). A secret: never output. */
	password?: string;
	/** Azure Entra ID users: the account's object ID. */
	identityProviderEntityId?: string;
	/** Products whose users have a description (VBGC); empty: none given. */
	description?: string;
	ifExists: IfExists;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<OnboardParams | VspcOnboardParams> {
	if (directory.product === 'vspc') return await prepareVspc(this, i, directory);
	const name = readText(this, i, 'userName', 'User Name');
	const type = directory.userTypes ? readChoice(this, i, 'userType', 'Type', directory.userTypes, directory.userTypes[0]) : undefined;
	const problem = directory.nameProblem(name, type);
	if (problem) throw inputError(this, i, 'User Name', problem);
	const { password, identityProviderEntityId } = readNewUserLogin(this, directory, i, type, true);
	const description = directory.updateDescription ? readText(this, i, 'description', 'Description', { required: false }) : undefined;
	const descriptionProblem = description ? directory.descriptionProblem?.(description) : undefined;
	if (descriptionProblem) throw inputError(this, i, 'Description', descriptionProblem);
	const isServiceAccount = directory.setServiceAccountMode ? readBoolean(this, i, 'isServiceAccount', 'Service Account', false) : undefined;
	const ifExists = readChoice(this, i, 'ifExists', 'If the User Already Exists', IF_EXISTS, 'makeRolesMatch');
	const roles = await readRoles(this, directory, i);
	return { name, type, roles, isServiceAccount, password, identityProviderEntityId, description, ifExists };
}

/** Makes an existing user's roles (and description, when one is given) match; "unchanged" sends nothing. */
async function makeMatch(ctx: IExecuteFunctions, p: OnboardParams, directory: UserDirectory, existing: VeeamUser): Promise<IDataObject> {
	const before = roleNames(existing.roles);
	const rolesMatch = sameRoles(existing.roles, p.roles);
	const newDescription = p.description && p.description !== (existing.description ?? '') ? p.description : undefined;
	if (p.ifExists === 'skip' || (rolesMatch && newDescription === undefined)) {
		return { action: 'unchanged', user: userOutput(existing), before };
	}
	// Four-eyes: a request of this account to change the user's roles already waits: not asked again.
	const held = rolesMatch ? undefined : await pendingRequestFor(ctx, directory, existing.name, 'roles');
	if (held) return { ...alreadyPendingOutput('updated', userOutput(existing), held), before };
	let updated = existing;
	if (!rolesMatch) updated = await directory.setRoles(updated, p.roles);
	if (newDescription !== undefined && directory.updateDescription) updated = await directory.updateDescription(updated, newDescription);
	return {
		action: 'updated',
		user: userOutput(updated),
		before,
		...(newDescription !== undefined ? { descriptionBefore: existing.description ?? '' } : {}),
	};
}

export async function execute(this: IExecuteFunctions, params: OnboardParams | VspcOnboardParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	if ('organization' in params) return await executeVspc(this, params, directory, i);
	const p = params;
	let existing = await directory.findUserByName(p.name);
	// Four-eyes: a request of this account to add the user already waits: not asked again.
	const held = existing ? undefined : await pendingRequestFor(this, directory, p.name, 'create');
	if (held) return alreadyPendingOutput('created', { name: p.name, ...(p.type ? { type: p.type } : {}), roles: p.roles.map((r) => ({ id: r.id, name: r.name })) }, held);
	if (!existing) {
		// The adapter never repeats a create blindly: after an unclear failure it looks first.
		const outcome = await directory
			.createUser({
				name: p.name,
				type: p.type,
				roles: p.roles,
				isServiceAccount: p.isServiceAccount,
				password: p.password,
				identityProviderEntityId: p.identityProviderEntityId,
				description: p.description,
			})
			.then(
				(user) => ({ user }),
				(error: unknown) => {
					// Added since this execution looked: onboarded as the existing user it is.
					if (error instanceof UserExistsError) return { existing: error.existing };
					throw error;
				},
			);
		if ('user' in outcome) return { action: 'created', user: userOutput(outcome.user) };
		existing = outcome.existing;
	}
	if (p.ifExists === 'error') {
		const id = directory.refKind === 'id' ? ` (ID ${existing.ref})` : '';
		throw inputError(this, i, 'User Name', `Veeam already has a user or group named "${existing.name}"${id}`, 'Choose "Make Roles Match" or "Skip" under "If the User Already Exists" to onboard idempotently.');
	}
	return await makeMatch(this, p, directory, existing);
}

/** Its changes are read back: with four-eyes on they may wait for approval (confirm.ts). */
export const confirms = true;

/** The user item `i` is about (the router runs items about the same user one after another). */
export function target(p: OnboardParams | VspcOnboardParams): UserTarget {
	return ({ mode: 'name', value: p.name });
}
