import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { UserDirectory, VeeamRole, VeeamUser } from '../../../client/adapters';
import { CREDENTIAL_TYPE } from '../../../client/transport';
import { inputError, readLocator, readSecret, readText, readTextList, type Locator } from './input';
import { isUuid } from '../../../client/ids';

/**
 * Node-side helpers over a UserDirectory: resolving the user and role parameters of one item,
 * and shaping what operations output. Product-neutral: product rules live in the adapters.
 */

export interface UserLookup extends Locator {
	/** For messages: `name "TECH\jane"` or `ID 5ff0…`. */
	label: string;
}

/** Reads the user locator of item `i` and checks its form (no request). */
export function readUserLocator(ctx: IExecuteFunctions, directory: UserDirectory, i: number, name = 'user', field = 'User'): UserLookup {
	const locator = readLocator(ctx, i, name, field);
	let mode = locator.mode;
	if (directory.refKind === 'name') {
		// The product addresses users by name (a path segment): every mode is a name, in the
		// product's name form, and one it could not address (`..`) is refused here.
		const problem = directory.refProblem(locator.value);
		if (problem) throw inputError(ctx, i, field, problem, 'Pick the user from the list, or check the name.');
		mode = 'name';
	}
	// An expression over the whole locator gives plain text: an ID if it looks like one, else a name.
	if (mode === 'auto') mode = (directory.looksLikeRef?.(locator.value) ?? directory.refProblem(locator.value) === undefined) ? 'id' : 'name';
	if (mode === 'list' || mode === 'id') {
		const problem = directory.refProblem(locator.value);
		if (problem) throw inputError(ctx, i, field, problem, 'Pick the user from the list, or choose "By Name".');
		return { mode, value: locator.value, label: `ID ${locator.value}` };
	}
	if (mode !== 'name') throw inputError(ctx, i, field, `unknown way to find the user: "${mode}"`);
	const problem = directory.lookupNameProblem?.(locator.value);
	if (problem) throw inputError(ctx, i, field, `no user can be named so: ${problem}`, 'Check the name, or pick the user from the list.');
	return { mode, value: locator.value, label: `name "${locator.value}"` };
}

/** The user a locator points at, or undefined when there is none. */
export async function findUser(directory: UserDirectory, lookup: UserLookup): Promise<VeeamUser | undefined> {
	return lookup.mode === 'name' ? await directory.findUserByName(lookup.value) : await directory.getUser(lookup.value);
}

export async function requireUser(ctx: IExecuteFunctions, directory: UserDirectory, lookup: UserLookup, i: number, field = 'User'): Promise<VeeamUser> {
	const user = await findUser(directory, lookup);
	if (!user) {
		throw inputError(ctx, i, field, `no Veeam user or group with ${lookup.label}`, 'Check the name or ID, or list the users with User → Get Many.');
	}
	return user;
}


/** What a new user logs in with: a password the product keeps, or (Azure Entra ID) the directory account's object ID. */
export interface NewUserLogin {
	password?: string;
	identityProviderEntityId?: string;
}

/**
 * Item `i`'s login for a new user of `type`: an identity provider's account (Entra Object ID, a
 * UUID) for the types that have one, else the password where the product keeps passwords, checked
 * against its policy. `passwordRequired` false (Sync): an empty password is none.
 */
export function readNewUserLogin(ctx: IExecuteFunctions, directory: UserDirectory, i: number, type: string | undefined, passwordRequired: boolean): NewUserLogin {
	if (type !== undefined && directory.externalIdTypes?.includes(type)) {
		const id = readText(ctx, i, 'identityProviderEntityId', 'Entra Object ID');
		if (!isUuid(id)) throw inputError(ctx, i, 'Entra Object ID', `"${id}" is not an object ID (a UUID)`, 'Copy the Object ID of the user from Microsoft Entra ID.');
		return { identityProviderEntityId: id };
	}
	if (type !== undefined && directory.passwordlessTypes?.includes(type)) return {};
	if (!directory.passwordProblem) return {};
	const password = readSecret(ctx, i, 'password', 'Password', passwordRequired);
	if (password === '') return {};
	const weakness = directory.passwordProblem(password);
	if (weakness) throw inputError(ctx, i, 'Password', weakness);
	return { password };
}

/**
 * The roles named by item `i`'s multi-select: role names or IDs (an expression may also give one
 * comma-separated text). Looked up in the directory's role list, which is fetched once per execution.
 */
export async function readRoles(
	ctx: IExecuteFunctions,
	directory: UserDirectory,
	i: number,
	name = 'roles',
	field = 'Role Names or IDs',
): Promise<VeeamRole[]> {
	const entries = readTextList(ctx, i, name, field);
	if (entries.length === 0) {
		throw inputError(ctx, i, field, 'no role given: a Veeam user needs at least one role', 'Choose one or more roles, e.g. Restore Operator.');
	}
	const known = await directory.listRoles();
	const byKey = new Map<string, VeeamRole>();
	for (const role of known) {
		byKey.set(role.name.toLowerCase(), role);
		byKey.set(role.id.toLowerCase(), role);
	}
	const wanted = entries.flatMap((entry) =>
		byKey.has(entry.toLowerCase()) || !entry.includes(',')
			? [entry]
			: entry
					.split(',')
					.map((part) => part.trim())
					.filter((part) => part !== ''),
	);
	const unknown = wanted.filter((entry) => !byKey.has(entry.toLowerCase()));
	if (unknown.length) {
		const what = unknown.map((u) => `"${u}"`).join(', ');
		throw inputError(
			ctx,
			i,
			field,
			`unknown role${unknown.length > 1 ? 's' : ''} ${what}${unknown.some((u) => isUuid(u)) ? ' (no role has this ID)' : ''}`,
			`Roles on this server: ${known.map((r) => r.name).join(', ')}.`,
		);
	}
	// Two roles of one name (VBR 1.3-rev2's custom roles: its RolesResultExample has a custom "Restore
	// Operator"): a name cannot say which; never take one silently.
	for (const entry of wanted) {
		if (isUuid(entry)) continue;
		const named = known.filter((r) => r.name.toLowerCase() === entry.toLowerCase());
		if (named.length > 1) {
			throw inputError(
				ctx,
				i,
				field,
				`"${entry}" names ${named.length} roles on this server (IDs ${named.map((r) => r.id).join(', ')})`,
				'Give the role by its ID instead (the list shows it; or Role → Get Many).',
			);
		}
	}
	const roles = new Map<string, VeeamRole>();
	for (const entry of wanted) {
		const role = byKey.get(entry.toLowerCase()) as VeeamRole;
		roles.set(role.id, role);
	}
	if (directory.singleRole && roles.size > 1) {
		throw inputError(
			ctx,
			i,
			field,
			`${[...roles.values()].map((r) => r.name).join(', ')}: this product gives a user exactly one role`,
			`Choose one of: ${known.map((r) => r.name).join(', ')}.`,
		);
	}
	return [...roles.values()];
}

export function roleNames(roles: VeeamRole[]): string[] {
	return roles.map((r) => r.name);
}

export function sameRoles(a: VeeamRole[], b: VeeamRole[]): boolean {
	const key = (roles: VeeamRole[]) => [...new Set(roles.map((r) => r.id.toLowerCase()))].sort().join(',');
	return key(a) === key(b);
}

/**
 * A user as the node outputs it: the common model without `ref`, the adapters' handle, which is
 * only the VBR `id` or the VBGC `name` again; never anything secret.
 */
export function userOutput(user: VeeamUser): IDataObject {
	const shown: IDataObject = { ...user, roles: user.roles.map((r) => ({ ...r })) } as unknown as IDataObject;
	delete shown.ref;
	return shown;
}

/**
 * Removing a user from Veeam never touches the directory: a Windows or Active Directory account or
 * group, an identity provider's or Entra ID's, stays with whatever else it grants. Outputs say so,
 * and where it lives (`directoryAccountKind`: `windows` or `identityProvider`), for a ticketing
 * step to follow up.
 */
export function directoryAccountFlags(user: VeeamUser): IDataObject {
	if (!user.isDirectoryAccount) return { directoryAccountRemains: false };
	const kind = directoryKindOf(user);
	return { directoryAccountRemains: true, directoryAccount: user.name, ...(kind ? { directoryAccountKind: kind } : {}) };
}

/**
 * Where an account that lives outside Veeam is, by its type: `windows` (VBR InternalUser /
 * InternalGroup: a Windows account of the backup server or of Active Directory) or `identityProvider`
 * (VBR ExternalUser / ExternalGroup: SAML; AWS External: SSO; Azure IdentityProvider: Entra ID).
 */
export function directoryKindOf(user: Pick<VeeamUser, 'type' | 'isDirectoryAccount'>): 'windows' | 'identityProvider' | undefined {
	if (!user.isDirectoryAccount) return undefined;
	if (user.type === 'InternalUser' || user.type === 'InternalGroup') return 'windows';
	if (['ExternalUser', 'ExternalGroup', 'External', 'IdentityProvider'].includes(user.type)) return 'identityProvider';
	return undefined;
}

/**
 * Whether `user` is the account the node's credential logs in with. A credential name without a
 * domain (`svc-n8n`) matches that account in any domain (`VBR01\svc-n8n`), as Windows logins do.
 */
export async function credentialAccountMatcher(ctx: IExecuteFunctions, directory: UserDirectory): Promise<(user: VeeamUser) => boolean> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE[directory.product]);
	const login = typeof credentials.username === 'string' ? credentials.username.trim().toLowerCase() : '';
	if (login === '') return () => false;
	return (user) => {
		const name = user.name.toLowerCase();
		return name === login || (!login.includes('\\') && name.endsWith(`\\${login}`));
	};
}
