/**
 * A new VSPC user: the spec's `UserInput` (3.6.1, CreateUser): `organizationUid`, `role`,
 * `mfaPolicyStatus` (Disabled | Enabled), `profile` (UserProfile), `credentials` {userName,
 * password}, in the order of Veeam's example. Checked before anything is sent.
 */
import type { IDataObject } from 'n8n-workflow';

import type { NewUser } from '../model';
import type { VspcProfile } from '../vspcModel';
import { isUuid } from '../ids';
import type { VspcRole } from './vspcRoles';

/** `UserProfile.title` (the spec's UserTitle). */
export const VSPC_TITLES = ['Unknown', 'Mr', 'Miss', 'Mrs', 'Ms'] as const;

/** `UserProfile.email`'s `pattern`, exactly as the 3.6.1 spec writes it (audit #5). */
export const VSPC_EMAIL = new RegExp('^(")?(?:[^\\."])(?:(?:[\\.])?(?:[\\w\\-!#$%&\'*+\\/=?\\^_`{|}~]))*\\1@(\\w[\\-\\w]*\\.){1,5}([A-Za-z]){2,6}$');

/** `UserProfile`'s maxLength per field (the 3.6.1 spec). */
const PROFILE_MAX: Readonly<Record<Exclude<keyof VspcProfile, 'title'>, number>> = {
	firstName: 2048,
	lastName: 2048,
	email: 2048,
	address: 2048,
	phone: 512,
};

/** Why `profile` cannot be a user's profile (title not one of the spec's, a field too long, an email without `@`). */
export function profileProblem(profile: VspcProfile): string | undefined {
	if (profile.title !== undefined && !VSPC_TITLES.some((t) => t.toLowerCase() === String(profile.title).toLowerCase())) {
		return `title "${profile.title}" is not one of ${VSPC_TITLES.join(', ')}`;
	}
	for (const [field, max] of Object.entries(PROFILE_MAX) as Array<[keyof typeof PROFILE_MAX, number]>) {
		const value = profile[field];
		if (value !== undefined && typeof value !== 'string') return `${field} is not text`;
		if (value !== undefined && value.length > max) return `${field} is longer than ${max} characters`;
	}
	if (profile.email !== undefined && profile.email !== '' && !VSPC_EMAIL.test(profile.email)) {
		return `email "${profile.email}" is not an email address as Veeam Service Provider Console takes it (UserProfile.email's pattern)`;
	}
	return undefined;
}

/** The title in the spec's spelling (`mr` → `Mr`). */
export function titleOf(title: string): string {
	return VSPC_TITLES.find((t) => t.toLowerCase() === title.toLowerCase()) ?? title;
}

/** Why `user` cannot be created as given (its name is checked by nameProblem). */
export function newUserProblem(user: NewUser): string | undefined {
	if (!user.organizationUid) return 'a Veeam Service Provider Console user needs its organization (organizationUid)';
	if (!isUuid(user.organizationUid)) return `organizationUid "${user.organizationUid}" is not a UID`;
	if (user.password === undefined || user.password === '') return 'a Veeam Service Provider Console user needs a password';
	return user.profile ? profileProblem(user.profile) : undefined;
}

/** The `UserInput` for `user` with its one role (newUserProblem has accepted it). */
export function createBody(user: NewUser, role: VspcRole): IDataObject {
	const profile: IDataObject = {};
	for (const [key, value] of Object.entries(user.profile ?? {})) {
		if (typeof value === 'string') profile[key] = key === 'title' ? titleOf(value) : value;
	}
	return {
		organizationUid: String(user.organizationUid),
		role: role.id,
		mfaPolicyStatus: user.mfaRequired ? 'Enabled' : 'Disabled',
		profile,
		credentials: { userName: user.name, password: String(user.password) },
	};
}
