/**
 * Veeam Backup for AWS (API 1.5-rev1 … 1.7-rev0, port 11005). Users have no ID: the API addresses
 * them by name (`/api/v1/users/{name}`), as VBGC does. The published 1.0-rev0 spec gives the calls
 * and shapes; the `role` of a user (one of three, from 1.5) is inferred: see sim/README.md.
 */
import { NodeOperationError, type IDataObject } from 'n8n-workflow';

import { UnclearOutcomeError, VeeamApiError } from '../transport';
import type { MfaEnrolment, NewUser, VeeamUser } from '../model';
import { PortalDirectory, type PortalRole } from './portal';

const USERS = '/api/v1/users';

/** Veeam's Portal Administrator, Portal Operator and (newer versions) Restore Operator. */
const AWS_ROLES: readonly PortalRole[] = [
	{ id: 'PortalAdministrator', name: 'Portal Administrator', description: 'Full access to the appliance, its users and settings' },
	{ id: 'PortalOperator', name: 'Portal Operator', description: 'Runs and manages backup policies and restores' },
	{ id: 'RestoreOperator', name: 'Restore Operator', description: 'Performs restores only' },
];

/** The spec's `User` (1.0-rev0) with `role` (1.5-rev1 on, inferred). */
interface AwsUserModel extends IDataObject {
	name: string;
	description?: string;
	mfaEnabled?: boolean;
	isDefault?: boolean;
	role?: string;
}

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

	/** The AWS User Guide, "Creating Users": lowercase Latin letters, digits, `_` and `-`, a `$` only last; at most 64. */
	protected newNameProblem(name: string): string | undefined {
		if (name.length > 64) return 'the name is longer than 64 characters, the most Veeam Backup for AWS allows';
		if (!/^[a-z0-9_-]+\$?$/.test(name)) {
			return `"${name}" is not a Veeam Backup for AWS user name: only lowercase Latin letters, digits, _ and - (and $ as the last character)`;
		}
		return undefined;
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
		return {
			ref: String(u.name ?? ''),
			name: String(u.name ?? ''),
			type: u.isDefault === true ? 'DefaultAdmin' : 'Local',
			roles: this.role(u.role),
			...(typeof u.mfaEnabled === 'boolean' ? { mfaEnabled: u.mfaEnabled } : {}),
			...(typeof u.description === 'string' ? { description: u.description } : {}),
			// Portal accounts live in the appliance's own database: no directory account stays behind.
			isDirectoryAccount: false,
			isGroup: false,
		};
	}

	protected createBody(user: NewUser, role: PortalRole): IDataObject {
		if (user.password === undefined) throw new NodeOperationError(this.ctx.getNode(), 'A Veeam Backup for AWS user needs a password');
		// The spec requires description: an empty one when none is given.
		return { name: user.name, description: user.description ?? '', password: user.password, role: role.id };
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
		// Not idempotent: once done, the old password no longer matches (UnclearOutcomeError if lost).
		return await this.update(user, { password, oldPassword }, [password, oldPassword]);
	}

	async mfaEnable(user: VeeamUser, recreate: boolean): Promise<MfaEnrolment> {
		// Sending it twice is harmless: each answer replaces the pending secret; the last one counts.
		const r = await this.call<IDataObject>({ method: 'POST', path: this.userPath(user, 'enableMfa'), body: { recreate }, idempotent: true });
		if (typeof r.token !== 'string' || typeof r.secretKey !== 'string' || typeof r.qrString !== 'string') {
			throw new NodeOperationError(this.ctx.getNode(), `Veeam Backup for AWS answered ${user.name}'s MFA setup without its secret key or token`);
		}
		if (typeof r.userName === 'string' && r.userName.toLowerCase() !== user.name.toLowerCase()) {
			throw new NodeOperationError(this.ctx.getNode(), `Veeam Backup for AWS answered the MFA setup of ${user.name} with another user's (${r.userName})`);
		}
		return {
			qrString: r.qrString,
			secretKey: r.secretKey,
			scratchCodes: Array.isArray(r.scratchCodes) ? r.scratchCodes.map(String) : [],
			token: r.token,
		};
	}

	async mfaAccept(user: VeeamUser, code: string, token: string): Promise<void> {
		for (let attempt = 0; ; attempt++) {
			const outcome = await this.call({ method: 'POST', path: this.userPath(user, 'acceptMfa'), body: { code, token }, idempotent: false, secrets: [code, token] }).then(
				() => undefined,
				(error: unknown) => error,
			);
			if (outcome === undefined) {
				this.snapshot?.put({ ...user, mfaEnabled: true });
				return;
			}
			// After an unclear failure, a user whose MFA was off tells: on now means it was accepted.
			if (!(outcome instanceof UnclearOutcomeError) || user.mfaEnabled !== false) throw outcome;
			const now = await this.fetchUser(user.ref);
			if (now?.mfaEnabled) {
				this.snapshot?.put(now);
				return;
			}
			if (attempt >= 1) throw outcome.apiError;
		}
	}

	async mfaDisable(user: VeeamUser): Promise<void> {
		await this.call({ method: 'POST', path: this.userPath(user, 'disableMfa'), idempotent: true });
		this.snapshot?.put({ ...user, mfaEnabled: false });
	}
}
