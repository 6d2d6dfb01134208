/**
 * Veeam Backup for Microsoft Azure (REST API v5 … v8.1, the version in the path). Users are
 * addressed by ID (`/api/v8.1/users/{id}`) and are either portal accounts (`Internal`, with a
 * password) or Microsoft Entra ID accounts (`IdentityProvider`, with the Entra object's ID): deleting
 * the Veeam user of an Entra ID account leaves that account in the directory, as AD accounts on VBR.
 * Veeam's help center documents the user (UserV3) and the calls; what it does not show is marked in
 * sim/README.md.
 */
import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { API_VERSION_SEGMENT } from '../transport';
import type { NewUser, VeeamUser } from '../model';
import { PortalDirectory, type PortalRole } from './portal';
import { isUuid } from '../ids';

const USERS = `/api/${API_VERSION_SEGMENT}/users`;

export const AZURE_USER_TYPES = ['Internal', 'IdentityProvider'] as const;

/** UserV3's `role` values: PortalAdmin, PortalOperator, RestoreOperator, VeeamUpdater. */
const AZURE_ROLES: readonly PortalRole[] = [
	{ id: 'PortalAdmin', name: 'Portal Administrator', description: 'Full access to the appliance, its users and settings' },
	{ id: 'PortalOperator', name: 'Portal Operator', description: 'Runs and manages backup policies and restores' },
	{ id: 'RestoreOperator', name: 'Restore Operator', description: 'Performs restores only' },
	{ id: 'VeeamUpdater', name: 'Veeam Updater', description: 'Installs product updates' },
];


/** Veeam's UserV3. */
interface AzureUserModel extends IDataObject {
	id: string;
	name: string;
	description?: string;
	mfaEnabled?: boolean;
	isDefault?: boolean;
	type?: string;
	identityProviderEntityId?: string;
	role?: string[];
}

export class AzureDirectory extends PortalDirectory<AzureUserModel> {
	readonly product = 'azure' as const;
	readonly refKind = 'id' as const;
	readonly userTypes = AZURE_USER_TYPES;
	readonly externalIdTypes = ['IdentityProvider'] as const;
	protected readonly productName = 'Veeam Backup for Microsoft Azure';
	protected readonly usersPath = USERS;
	protected readonly roles = AZURE_ROLES;

	protected readonly exactNameParam = 'NameFilter';

	/**
	 * The Azure User Guide, "Adding User Accounts": a portal account's name is at most 32 Latin
	 * letters, digits, `_` and `-`; an Entra ID account's is its user principal name (`jane@contoso.com`).
	 */
	protected newNameProblem(name: string, type = 'Internal'): string | undefined {
		if (type === 'IdentityProvider') {
			return name.includes('@') ? undefined : `"${name}" is not a Microsoft Entra ID user principal name (name@domain)`;
		}
		if (name.length > 32) return 'the name is longer than 32 characters, the most Veeam Backup for Microsoft Azure allows';
		if (!/^[A-Za-z0-9_-]+$/.test(name)) return `"${name}" is not a Veeam Backup for Microsoft Azure portal user name: only Latin letters, digits, _ and -`;
		return undefined;
	}

	/** The Azure User Guide, "Adding User Accounts": Latin letters, digits, dots, commas and spaces. */
	descriptionProblem(description: string): string | undefined {
		return /^[A-Za-z0-9., ]*$/.test(description) ? undefined : 'may hold only Latin letters, digits, dots, commas and spaces (Veeam Backup for Microsoft Azure)';
	}

	refProblem(ref: string): string | undefined {
		return isUuid(ref) ? undefined : `"${ref}" is not a Veeam Backup for Microsoft Azure user ID (a UUID)`;
	}

	builtInAccount(user: VeeamUser): string | undefined {
		return user.isDefault ? `${user.name} is the default administrator of the appliance` : undefined;
	}

	protected fromModel(u: AzureUserModel): VeeamUser {
		const roles = Array.isArray(u.role) ? u.role.flatMap((r) => this.role(r)) : [];
		const directory = u.type === 'IdentityProvider';
		return {
			ref: String(u.id ?? ''),
			id: String(u.id ?? ''),
			name: String(u.name ?? ''),
			type: String(u.type ?? 'Internal'),
			roles,
			...(typeof u.mfaEnabled === 'boolean' ? { mfaEnabled: u.mfaEnabled } : {}),
			...(typeof u.description === 'string' ? { description: u.description } : {}),
			...(u.isDefault === true ? { isDefault: true } : {}),
			...(directory && typeof u.identityProviderEntityId === 'string' ? { identityProviderEntityId: u.identityProviderEntityId } : {}),
			isDirectoryAccount: directory,
			isGroup: false,
		};
	}

	protected createBody(user: NewUser, role: PortalRole): IDataObject {
		const type = user.type ?? 'Internal';
		const base = { name: user.name, description: user.description ?? '', type, role: [role.id] };
		if (type === 'IdentityProvider') {
			if (!user.identityProviderEntityId || !isUuid(user.identityProviderEntityId)) {
				throw new NodeOperationError(this.ctx.getNode(), 'A Microsoft Entra ID user needs the Entra object ID of the account (a UUID)');
			}
			// Entra ID accounts log in through the identity provider: no password is sent.
			return { ...base, identityProviderEntityId: user.identityProviderEntityId };
		}
		if (user.password === undefined) throw new NodeOperationError(this.ctx.getNode(), 'A Veeam Backup for Microsoft Azure portal user needs a password');
		return { ...base, password: user.password };
	}

	protected roleBody(role: PortalRole): IDataObject {
		return { role: [role.id] };
	}

	/** Azure's PUT takes a new password without the current one (Veeam's "Modify User Data"). */
	async changePassword(user: VeeamUser, password: string): Promise<VeeamUser> {
		if (user.type === 'IdentityProvider') {
			throw new NodeOperationError(this.ctx.getNode(), `${user.name} is a Microsoft Entra ID account: its password is kept in Entra ID, not in Veeam`);
		}
		return await this.update(user, { password }, [password]);
	}
}
