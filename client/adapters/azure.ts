/**
 * Veeam Backup for Microsoft Azure (REST API v5 … v8.1, the version in the path). Users are
 * addressed by ID (`/api/v8.1/users/{id}`, an opaque string: Veeam's examples use `1003`, `1423`)
 * and are either portal accounts (`Internal`, with a password) or Microsoft Entra ID accounts
 * (`IdentityProvider`, with the Entra object's ID): deleting the Veeam user of an Entra ID account
 * leaves that account in the directory, as AD accounts on VBR. Every call, field and value used
 * here, with the Veeam page it comes from, is in sim/contracts/azure.md.
 */
import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { API_VERSION_SEGMENT, VeeamApiError, type VeeamRequest } from '../transport';
import type { NewUser, UserFilter, VeeamUser } from '../model';
import { PortalDirectory, sameName, type PortalRole } from './portal';
import { isUuid } from '../ids';

export const AZURE_USER_TYPES = ['Internal', 'IdentityProvider'] as const;

/**
 * `RbacRole` (v8 reference, tag/User): "PortalAdmin" "PortalOperator" "RestoreOperator"
 * "VeeamUpdater" "Unknown" "IntegrationOperator" "ReadOnlyUser". `Unknown` is no role one can give:
 * a user holding it (or any value this list does not know) keeps it as its role, by its value.
 */
const AZURE_ROLES: readonly PortalRole[] = [
	{ id: 'PortalAdmin', name: 'Portal Administrator', description: 'Full access to the appliance, its users and settings' },
	{ id: 'PortalOperator', name: 'Portal Operator', description: 'Runs and manages backup policies and restores' },
	{ id: 'RestoreOperator', name: 'Restore Operator', description: 'Performs restores only' },
	{ id: 'VeeamUpdater', name: 'Veeam Updater', description: 'Installs product updates' },
	{ id: 'IntegrationOperator', name: 'Integration Operator', description: 'Used by integrations (e.g. Veeam Backup & Replication) to work with the appliance' },
	{ id: 'ReadOnlyUser', name: 'Read-Only User', description: 'Views the configuration and sessions without changing them' },
];

/**
 * How `role` travels in requests, per API version. v8 and v8.1: ONE string (`RbacRoleNullable`,
 * the v8 reference and the v8.1 document). v3: an array, as the archive 3.0 "Schemas" page prints
 * it (UserV3; not a version the package offers). No page was found for v4 … v7: ONE string,
 * assumed from the v8.1 document, whose `User`, `UserFromClient` and `UserUpdateFromClient` carry
 * `x-veeam-namespace: Veeam.Azure.REST.V3.Representation.Users` (the representation is the V3 one,
 * unchanged since; sim/contracts/azure.md weighs it against the 3.0 page). On those versions a 400
 * that names `role` is answered once with the other shape.
 */
export type AzureRoleShape = 'string' | 'array';
export function azureRoleShape(version: string): { shape: AzureRoleShape; documented: boolean } {
	const v = version.trim().toLowerCase();
	if (v === 'v8' || v === 'v8.1') return { shape: 'string', documented: true };
	if (v === 'v3') return { shape: 'array', documented: true };
	return { shape: 'string', documented: false };
}

/** Veeam's `User` (v8.1 document): `role` one string, or (older versions) an array of them. */
interface AzureUserModel extends IDataObject {
	id: string;
	name: string;
	description?: string;
	mfaEnabled?: boolean;
	isDefault?: boolean;
	type?: string;
	identityProviderEntityId?: string;
	role?: string | string[];
}

/** Whether `text` holds a control character (C0, DEL or C1): no ID of a user can (an ID is otherwise opaque). */
function hasControl(text: string): boolean {
	for (let i = 0; i < text.length; i++) {
		const c = text.charCodeAt(i);
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return true;
	}
	return false;
}

export class AzureDirectory extends PortalDirectory<AzureUserModel> {
	readonly product = 'azure' as const;
	readonly refKind = 'id' as const;
	readonly userTypes = AZURE_USER_TYPES;
	readonly externalIdTypes = ['IdentityProvider'] as const;
	/** The user list takes no `Sort`: the order is made here (client/adapters/userFilter.ts). */
	readonly listSorts = false;
	protected readonly serverSearch = false;
	protected readonly productName = 'Veeam Backup for Microsoft Azure';
	protected readonly usersPath = `/api/${API_VERSION_SEGMENT}/users`;
	protected readonly roles = AZURE_ROLES;

	protected readonly exactNameParam = 'NameFilter';
	/** The role shape this execution found the server to take (after a 400 about `role` on an assumed version). */
	private learnedShape?: AzureRoleShape;

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

	/**
	 * An ID is an opaque string (the document: `id` `type: string`; Veeam's examples `1003`,
	 * `1423`): it is encoded into the path (userPath). Refused only what cannot be one: empty,
	 * white space only, control characters, `.` and `..` (a URL collapses them), 1,000+ characters.
	 */
	refProblem(ref: string): string | undefined {
		if (ref.trim() === '') return 'the user ID is empty';
		if (hasControl(ref)) return 'the user ID holds control characters, which no Veeam Backup for Microsoft Azure user ID has';
		if (ref === '.' || ref === '..') return `"${ref}" cannot be a user ID: in a URL it means the current or parent path`;
		if (ref.length > 1000) return 'the user ID is longer than 1,000 characters';
		return undefined;
	}

	/**
	 * Plain text for a whole user locator (an expression) is an ID when it has the form of Veeam's
	 * IDs (digits: `1003`; or a UUID), else a name: any text could be an opaque ID, so the form decides.
	 */
	looksLikeRef(value: string): boolean {
		return /^\d+$/.test(value.trim()) || isUuid(value.trim());
	}

	builtInAccount(user: VeeamUser): string | undefined {
		return user.isDefault ? `${user.name} is the default administrator of the appliance` : undefined;
	}

	/**
	 * `role` as one string (v8, v8.1) or an array (older versions), read either way. A value this
	 * package does not know (`Unknown`, or a role of a later release) is kept as the user's role, by
	 * its value; a user whose answer has no readable role holds `Unknown`: never role-less.
	 */
	protected fromModel(u: AzureUserModel): VeeamUser {
		const values = (Array.isArray(u.role) ? u.role : [u.role]).filter((r): r is string => typeof r === 'string' && r.trim() !== '');
		const roles = values.length ? values.flatMap((r) => this.role(r)) : this.role('Unknown');
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

	/** The credential's API version (`v8.1`). */
	private async apiVersion(): Promise<string> {
		return await this.apiVersionInUse();
	}

	/** `role` in the shape of the credential's API version (azureRoleShape). */
	private async roleValue(role: PortalRole): Promise<string | string[]> {
		const shape = this.learnedShape ?? azureRoleShape(await this.apiVersion()).shape;
		return shape === 'array' ? [role.id] : role.id;
	}

	protected async createBody(user: NewUser, role: PortalRole): Promise<IDataObject> {
		const type = user.type ?? 'Internal';
		const base = { name: user.name, description: user.description ?? '', type, role: await this.roleValue(role) };
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

	protected async roleBody(role: PortalRole): Promise<IDataObject> {
		return { role: await this.roleValue(role) };
	}

	/**
	 * On an API version whose role shape is assumed (v5, v6, v7), a 400 whose validation errors name
	 * `role` means the server wants the other shape: the request is sent once more with it (a 400
	 * changed nothing), and the execution keeps that shape.
	 */
	protected async call<T>(req: VeeamRequest): Promise<T> {
		const outcome = await super.call<T>(req).then(
			(value) => ({ value }),
			(error: unknown) => ({ error }),
		);
		if ('value' in outcome) return outcome.value;
		const retry = await this.inOtherRoleShape(req, outcome.error);
		if (!retry) throw outcome.error;
		return await super.call<T>(retry);
	}

	/** The request again with `role` in the other shape, when `failure` is a 400 about `role` on a version whose shape is assumed. */
	private async inOtherRoleShape(req: VeeamRequest, failure: unknown): Promise<VeeamRequest | undefined> {
		const body = req.body as IDataObject | undefined;
		if (!(failure instanceof VeeamApiError) || failure.status !== 400 || body?.role === undefined || this.learnedShape) return undefined;
		if (!Object.keys(failure.fieldErrors ?? {}).some((field) => /(^|\.)role$/i.test(field))) return undefined;
		if (azureRoleShape(await this.apiVersion()).documented) return undefined;
		this.learnedShape = Array.isArray(body.role) ? 'string' : 'array';
		const role = Array.isArray(body.role) ? String(body.role[0]) : [String(body.role)];
		return { ...req, body: { ...body, role } };
	}

	/** The editor's list search: the server takes no pattern, so the matching users are read and paged here. */
	async listUsersPage(filter: UserFilter, skip: number, limit: number): Promise<{ users: VeeamUser[]; total: number; next?: number }> {
		if (!filter.namePattern) return await super.listUsersPage(filter, skip, limit);
		const matching = await this.listUsers(filter);
		return { users: matching.slice(skip, skip + limit), total: matching.length };
	}

	/** Azure's PUT takes a new password without the current one (Veeam's "Modify User Data"). */
	async changePassword(user: VeeamUser, password: string): Promise<VeeamUser> {
		if (user.type === 'IdentityProvider') {
			throw new NodeOperationError(this.ctx.getNode(), `${user.name} is a Microsoft Entra ID account: its password is kept in Entra ID, not in Veeam`);
		}
		return await this.update(user, { password }, [password]);
	}

	// ---- MFA (the v8 Overview, "Multi-Factor Authentication"; docs/vbazure/rest/mfa.html) ----------

	protected mfaSetupRefusal(user: VeeamUser): string | undefined {
		// User guide, "Configuring MFA Settings": "You cannot enable MFA for a user account whose user identity was obtained from an identity provider".
		return user.type === 'IdentityProvider' ? `${user.name} is a Microsoft Entra ID account: Veeam Backup for Microsoft Azure cannot enable MFA for it` : undefined;
	}

	/** The document says `userId` is the user's ID; the page's example shows its name: either is this user. */
	protected enrolmentOfOther(answer: IDataObject, user: VeeamUser): string | undefined {
		const id = answer.userId;
		return typeof id === 'string' && !sameName(id, user.ref) && !sameName(id, user.name) ? id : undefined;
	}
}
