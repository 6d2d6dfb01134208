/**
 * MFA of Veeam Service Provider Console users. VSPC has an MFA *policy* per user
 * (`mfaPolicyStatus`: Disabled, Enabled, or EnabledByInheritance from its organization) and the
 * user's second factor is a TOTP login (a "user identity") the user sets up themselves. So:
 *
 * - User → Require MFA / Stop Requiring MFA: the policy, changed with a JSON Patch and read back.
 * - User → Reset MFA: the user's TOTP logins deleted (they set up a new authenticator at their
 *   next login, where the policy requires one), and read back.
 *
 * Neither is done to the account this node's credential logs in with where it would stop that
 * login (requiring MFA of an account with no authenticator set up; resetting its authenticator).
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory, VeeamUser } from '../../../../client/adapters';
import type { VspcLogin } from '../../../../client/vspcModel';
import { readUserLocator, requireUser, type UserLookup } from '../../helpers/directory';
import { inputError } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { credentialAccountTest, mfaRequired, ownMfaRequired, vspcAccess, vspcUserOutput } from '../../helpers/vspc';
import { itemOptions, userLocators } from '../common.descriptions';
import type { UserTarget, VeeamOperation } from '../node.type';

async function ownAccountProblem(ctx: IExecuteFunctions, directory: UserDirectory, user: VeeamUser, what: string): Promise<string | undefined> {
	const own = (await credentialAccountTest(ctx, directory))(user);
	return own ? `"${user.name}" is the account this node's credential logs in with: ${what}` : undefined;
}

/** User → Require MFA (`required`) or Stop Requiring MFA. */
function mfaPolicyOperation(operation: 'requireMfa' | 'stopRequiringMfa'): VeeamOperation<UserLookup> {
	const required = operation === 'requireMfa';
	const description: INodeProperties[] = updateDisplayOptions({ show: { resource: ['user'], operation: [operation] } }, [...userLocators, itemOptions]);
	return {
		description,
		async prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<UserLookup> {
			vspcAccess(this, directory, i);
			return readUserLocator(this, directory, i);
		},
		async execute(this: IExecuteFunctions, lookup: UserLookup, directory: UserDirectory, i: number): Promise<IDataObject> {
			const access = vspcAccess(this, directory, i);
			const user = await requireUser(this, directory, lookup, i);
			const before = user.mfaPolicy;
			const policyOff = (user.mfaPolicy ?? '').toLowerCase() === 'disabled';
			if (required ? ownMfaRequired(user) : policyOff) return { action: 'unchanged', before, after: before, user: await vspcUserOutput(access, user) };
			if (required && !user.mfaConfigured) {
				const own = await ownAccountProblem(this, directory, user, 'it has no authenticator set up, so requiring MFA would stop its next login');
				if (own) throw inputError(this, i, 'User', own, 'Nothing was sent. Set up MFA for this account in VSPC first, and put its TOTP secret into the credential.');
			}
			const updated = await access.setMfaPolicy(user, required);
			// The answer is the user as the server then has it: it must show what was asked.
			if (mfaRequired(updated) !== required) {
				const inherited = (updated.mfaPolicy ?? '').toLowerCase() === 'enabledbyinheritance';
				throw inputError(
					this,
					i,
					'User',
					`the server still shows MFA policy "${updated.mfaPolicy ?? 'unknown'}" for "${updated.name}" after ${required ? 'requiring' : 'no longer requiring'} MFA`,
					inherited ? "EnabledByInheritance: the user's organization requires MFA of its users; change that in VSPC." : undefined,
				);
			}
			return { action: required ? 'mfaRequired' : 'mfaNoLongerRequired', before, after: updated.mfaPolicy, user: await vspcUserOutput(access, updated) };
		},
		target: (p: UserLookup): UserTarget => p,
	};
}

export const requireMfa = mfaPolicyOperation('requireMfa');
export const stopRequiringMfa = mfaPolicyOperation('stopRequiringMfa');

const totpOutput = (l: VspcLogin): IDataObject => ({ id: l.id, kind: l.kind, provider: l.provider, status: l.status });

/** User → Reset MFA on VSPC: the user's TOTP logins deleted and read back. */
export async function resetMfaVspc(ctx: IExecuteFunctions, directory: UserDirectory, user: VeeamUser, i: number): Promise<IDataObject> {
	const access = vspcAccess(ctx, directory, i);
	const totp = (await access.listLogins(user.ref)).filter((l) => l.kind === 'totp');
	if (totp.length === 0) return { action: 'unchanged', removedLogins: [], user: await vspcUserOutput(access, user), note: 'The user has no TOTP login (no authenticator set up): nothing to reset.' };
	const own = await ownAccountProblem(ctx, directory, user, "resetting its authenticator would stop the credential's next login");
	if (own) throw inputError(ctx, i, 'User', own, 'Nothing was sent. Reset it in VSPC, then put the new TOTP secret into the credential.');
	const removed: VspcLogin[] = [];
	for (const login of totp) if ((await access.deleteLogin(user, login.id)) === 'deleted') removed.push(login);
	const left = (await access.listLogins(user.ref)).filter((l) => l.kind === 'totp');
	if (left.length) {
		throw inputError(ctx, i, 'User', `the server still shows ${left.length} TOTP login(s) of "${user.name}" (IDs ${left.map((l) => l.id).join(', ')}) after deleting them`, removed.length ? `Deleted: ${removed.map((l) => l.id).join(', ')}.` : undefined);
	}
	const after = (await directory.getUser(user.ref)) ?? user;
	return { action: 'mfaReset', removedLogins: removed.map(totpOutput), user: await vspcUserOutput(access, after) };
}
