/**
 * Veeam Backup for AWS (API 1.5-rev0 … 1.8-rev0, port 11005). Users have no ID: the API addresses
 * them by name (`/api/v1/users/{name}`), as VBGC does. Local accounts have a password; identity-
 * provider (SSO) users (`accountType: External`) sign in through the identity provider and stay
 * there when the Veeam user is deleted. The contract, with Veeam's page for each point and what is
 * assumed (the roles' API values, `role` itself): sim/contracts/aws.md.
 */
import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { VeeamApiError } from '../transport';
import type { NewUser, VeeamRole, VeeamUser } from '../model';
import { PortalDirectory, sameName, type PortalRole } from './portal';

const USERS = '/api/v1/users';

/**
 * The four roles of the User Guide 10.0 ("Managing User Accounts": Portal Administrator, Portal
 * Operator, Restore Operator, Read-Only User). Their API values are assumed (sim/contracts/aws.md):
 * requests send `id`; answers are read in any of the spellings a server may use, the guide's names
 * and the API values with or without spaces, `-` and `_`, in any case (portal.ts, role()), and the
 * aliases: `PortalAdmin` as Veeam Backup for Microsoft Azure's RbacRole writes the administrator,
 * `ReadOnly` and `PortalReadOnlyUser`. Any other value is kept as a role of its own, which the
 * last-administrator guard counts as one that may be the administrator's.
 */
const AWS_ROLES: readonly PortalRole[] = [
	{ id: 'PortalAdministrator', name: 'Portal Administrator', description: 'Full access to the appliance, its users and settings', aliases: ['PortalAdmin'] },
	{ id: 'PortalOperator', name: 'Portal Operator', description: 'Runs and manages backup policies and restores' },
	{ id: 'RestoreOperator', name: 'Restore Operator', description: 'Performs restores only' },
	{ id: 'ReadOnlyUser', name: 'Read-Only User', description: 'Views backup policies, protected data and sessions only', aliases: ['ReadOnly', 'PortalReadOnlyUser'] },
];

/** `accountType` of an identity-provider user (Veeam's 1.2-rev0 changelog: "the External value in the accountType parameter"). */
export const AWS_SSO_TYPE = 'External';
/** The user types a new AWS user can be: a local account (default) or an identity-provider user. */
export const AWS_USER_TYPES = ['Internal', AWS_SSO_TYPE] as const;

/**
 * A local account's name: at most 32 characters (User Guide, "Adding User Accounts",
 * accounts_vba_users_create.html: "The maximum length of the name is 32 characters"). An
 * identity-provider user's name has no published limit the package could find (the 125 once cited
 * is not on any page read: sim/contracts/aws.md, assumed): the appliance judges it.
 */
const MAX_LOCAL_NAME = 32;

/** The spec's `User` (1.0-rev0) with `role` (1.5-rev1 on, assumed) and `accountType` (assumed in answers). */
interface AwsUserModel extends IDataObject {
	name: string;
	description?: string;
	mfaEnabled?: boolean;
	isDefault?: boolean;
	role?: string;
	accountType?: string;
}

/** Whether a user type (ours or the API's `accountType`) is the identity provider's, in any case. */
const isSsoType = (type: unknown) => typeof type === 'string' && sameName(type, AWS_SSO_TYPE);
const isSso = (user: Pick<VeeamUser, 'type'>) => isSsoType(user.type);

/** The spec's `ValidationMessage`: the validate calls answer a list of them. */
interface ValidationMessage {
	severity?: string;
	message?: string;
}

export class AwsDirectory extends PortalDirectory<AwsUserModel> {
	readonly product = 'aws' as const;
	readonly refKind = 'name' as const;
	protected readonly productName = 'Veeam Backup for AWS';
	protected readonly usersPath = USERS;
	protected readonly roles = AWS_ROLES;
	/** A portal account (`Internal`, the default) or an identity-provider user (`External`, no password). */
	readonly userTypes = AWS_USER_TYPES;
	readonly passwordlessTypes = [AWS_SSO_TYPE] as const;

	/**
	 * The AWS User Guide, "Adding User Accounts" (accounts_vba_users_create.html): "An account name can
	 * contain only lowercase Latin letters, numeric characters, underscores and dashes. You can use the
	 * dollar sign ($) as the last character of the user name. The maximum length of the name is 32
	 * characters"; its 5a version: "An account name cannot be admin". An identity-provider user's name
	 * is "in the same format as the user name specified in the Identity Provider": only `admin` is
	 * checked here, besides what no name can hold (lookupProblem); the appliance judges the rest.
	 */
	protected newNameProblem(name: string, type?: string): string | undefined {
		if (name.toLowerCase() === 'admin') return '"admin" cannot be a Veeam Backup for AWS account name (Veeam reserves it)';
		if (isSsoType(type)) return undefined;
		if (name.length > MAX_LOCAL_NAME) return `the name is longer than ${MAX_LOCAL_NAME} characters, the most Veeam Backup for AWS allows for a local account`;
		if (!/^[a-z0-9_-]+\$?$/.test(name)) {
			return `"${name}" is not a Veeam Backup for AWS user name: only lowercase Latin letters, digits, _ and - (and $ as the last character)`;
		}
		return undefined;
	}

	/** A new user is a local account (`Internal`, the default) or an identity-provider user (`External`). */
	nameProblem(name: string, type?: string): string | undefined {
		if (type !== undefined && !AWS_USER_TYPES.some((t) => sameName(t, type))) {
			return `unknown user type "${type}" (expected one of ${AWS_USER_TYPES.join(', ')})`;
		}
		return this.lookupProblem(name) ?? this.newNameProblem(name, type);
	}

	/** The AWS User Guide, "Creating Users": at most 255 characters. */
	descriptionProblem(description: string): string | undefined {
		return description.length > 255 ? 'is longer than 255 characters, the most Veeam Backup for AWS allows' : undefined;
	}

	/** The names of the calls under `/users` (`/users/validateName` …): a user so named could never be addressed. */
	private reservedProblem(name: string): string | undefined {
		if (!/^(validateName|validateDescription|validatePassword|isFirstLogin|checkInstanceId|createDefaultUser|export)$/i.test(name)) return undefined;
		return `"${name}" cannot be a user name: the API uses /users/${name} for another call`;
	}

	protected lookupProblem(name: string): string | undefined {
		return super.lookupProblem(name) ?? this.reservedProblem(name);
	}

	refProblem(ref: string): string | undefined {
		const problem = super.lookupProblem(ref);
		return problem ? `not a Veeam Backup for AWS user name: ${problem}` : this.reservedProblem(ref);
	}

	protected fromModel(u: AwsUserModel): VeeamUser {
		// An identity-provider (SSO) user lives in the identity provider: deleting the Veeam user leaves it
		// there, as Active Directory accounts on VBR and Entra ID accounts on Azure. Portal accounts live
		// in the appliance's own database: nothing stays behind.
		const sso = isSsoType(u.accountType);
		return {
			ref: String(u.name ?? ''),
			name: String(u.name ?? ''),
			type: sso ? AWS_SSO_TYPE : u.isDefault === true ? 'DefaultAdmin' : 'Local',
			roles: this.role(u.role),
			...(typeof u.mfaEnabled === 'boolean' ? { mfaEnabled: u.mfaEnabled } : {}),
			...(typeof u.description === 'string' ? { description: u.description } : {}),
			isDirectoryAccount: sso,
			isGroup: false,
		};
	}

	protected createBody(user: NewUser, role: PortalRole): IDataObject {
		// The spec requires description: an empty one when none is given.
		const base = { name: user.name, description: user.description ?? '', role: role.id };
		if (isSsoType(user.type)) {
			// The 1.2-rev0 changelog: with accountType External, "you do not need to specify a password".
			return { ...base, accountType: AWS_SSO_TYPE };
		}
		if (user.password === undefined) throw new NodeOperationError(this.ctx.getNode(), 'A Veeam Backup for AWS user needs a password');
		return { ...base, password: user.password };
	}

	protected roleBody(role: PortalRole): IDataObject {
		return { role: role.id };
	}

	/**
	 * A create the appliance refuses (400) is explained with its own checks, `validateName` (unique
	 * and well-formed) and `validatePassword` (the policy), asked only then: the usual onboarding
	 * costs no more than the create. Nothing was created either way.
	 */
	async createUser(user: NewUser): Promise<VeeamUser> {
		const outcome = await super.createUser(user).then(
			(created) => ({ created }),
			(error: unknown) => ({ error }),
		);
		if ('created' in outcome) return outcome.created;
		if (outcome.error instanceof VeeamApiError && outcome.error.status === 400) await this.explainRefusal(user);
		throw outcome.error;
	}

	private async explainRefusal(user: NewUser): Promise<void> {
		const refusals = (messages: unknown) =>
			(Array.isArray(messages) ? (messages as ValidationMessage[]) : []).filter((m) => String(m?.severity).toLowerCase() === 'error').map((m) => String(m.message ?? ''));
		const ask = async (path: string, body: IDataObject, secrets: string[] = []) =>
			await this.call<unknown>({ method: 'POST', path: `${USERS}/${path}`, body, idempotent: true, secrets }).then(refusals, () => [] as string[]);
		const [name, password] = await Promise.all([
			ask('validateName', { name: user.name }),
			user.password === undefined ? Promise.resolve([]) : ask('validatePassword', { password: user.password }, [user.password]),
		]);
		if (name.length) {
			throw new NodeOperationError(this.ctx.getNode(), `Veeam Backup for AWS refuses the user name "${user.name}": ${name.join('; ')}`, {
				description: 'Nothing was created.',
			});
		}
		if (password.length) {
			// The server's words may quote the password: they are not shown.
			throw new NodeOperationError(this.ctx.getNode(), "Veeam Backup for AWS refuses the password: it does not meet the appliance's password policy", {
				description: 'Nothing was created. Choose a longer or more varied password.',
			});
		}
	}

	async changePassword(user: VeeamUser, password: string, oldPassword: string): Promise<VeeamUser> {
		if (isSso(user)) {
			// User Guide, "Changing User Passwords": "You cannot change the password for a user account whose user identity was obtained from an identity provider."
			throw new NodeOperationError(this.ctx.getNode(), `${user.name} is an identity-provider (SSO) user: its password is kept by the identity provider, not by Veeam Backup for AWS`);
		}
		// Not idempotent: once done, the old password no longer matches (UnclearOutcomeError if lost).
		return await this.update(user, { password, oldPassword }, [password, oldPassword]);
	}

	/**
	 * Promote and description changes send no `oldPassword`: the published 1.0-rev0 spec requires none
	 * (UserUpdateSpec), and the package never knows another user's password. Veeam's 2.0 guide marks
	 * it Required on every PUT; a server that asks for it gets a clear error saying what to do.
	 */
	async setRoles(user: VeeamUser, roles: VeeamRole[]): Promise<VeeamUser> {
		return await this.withoutOldPassword(user, 'role', super.setRoles(user, roles));
	}

	async updateDescription(user: VeeamUser, description: string): Promise<VeeamUser> {
		return await this.withoutOldPassword(user, 'description', super.updateDescription(user, description));
	}

	private async withoutOldPassword(user: VeeamUser, what: string, change: Promise<VeeamUser>): Promise<VeeamUser> {
		return await change.catch((error: unknown) => {
			if (!(error instanceof VeeamApiError) || error.status !== 400 || !asksOldPassword(error)) throw error;
			throw new NodeOperationError(
				this.ctx.getNode(),
				`Veeam Backup for AWS wants ${user.name}'s current password (oldPassword) to change the ${what}, and the node does not know it`,
				{
					description:
						`Nothing was changed: this appliance asks for the user's current password on every change to a user. Change the ${what} in the Veeam Backup for AWS console ` +
						`(Configuration > Accounts > Portal Users > Edit). The server said: ${error.description ?? error.message}`,
				},
			);
		});
	}

	protected mfaSetupRefusal(user: VeeamUser): string | undefined {
		// User Guide, "Enabling Multi-Factor Authentication": "You cannot enable MFA for a user account whose user identity was obtained from an identity provider."
		return isSso(user) ? `${user.name} is an identity-provider (SSO) user: Veeam Backup for AWS cannot enable MFA for it (the identity provider handles its sign-in)` : undefined;
	}

	protected enrolmentOfOther(answer: IDataObject, user: VeeamUser): string | undefined {
		const name = answer.userName;
		return typeof name === 'string' && !sameName(name, user.name) ? name : undefined;
	}
}

/** A 400 about the missing or wrong current password: in Veeam's words or its problem details' fields. */
function asksOldPassword(error: VeeamApiError): boolean {
	const fields = Object.keys(error.fieldErrors ?? {}).some((f) => /^\$?\.?old_?password$/i.test(f));
	return fields || /old\s*_?password|current password/i.test(`${error.message} ${error.description ?? ''}`);
}
