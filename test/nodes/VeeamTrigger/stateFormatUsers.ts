/**
 * The user lists whose stored states are kept in state-v1/ (stateFormat.test.ts): VSPC users at a
 * small provider's scale with the unusual cases (several logins of several kinds, disabled logins,
 * text and huge login IDs, no organization, logins not read), VBR users (UUID refs, several roles)
 * and VBGC users (name refs, descriptions short and long). Deterministic (seeded generators).
 */
import type { TrackedUser } from '../../../nodes/VeeamTrigger/diff';
import { realisticVbrUsers, rng, vbgcSeededUsers, vspcSeededUsers } from './fixtures';

export function vspcFormatUsers(): TrackedUser[] {
	const random = rng(29);
	const users: TrackedUser[] = vspcSeededUsers(1_500, 60, { extra: 0.4, random: rng(13) });
	for (const u of users) {
		// Some logins disabled by themselves (their own kind-table entry), some users with a third login.
		for (const l of u.logins ?? []) if (random() < 0.05) (l as { disabled?: boolean }).disabled = true;
		if (random() < 0.05) u.logins = [...(u.logins ?? []), { id: String(900_000 + Math.floor(random() * 1000)), kind: 'rsaKey', provider: 'AA' }];
		if (random() < 0.03) u.status = 'Disabled';
		if (random() < 0.03) u.mfaConfigured = random() < 0.5;
	}
	users.push(
		{ ref: 'c37dac86-f273-4133-9bcd-00000000aaaa', id: 'c37dac86-f273-4133-9bcd-00000000aaaa', name: 'orphan', type: 'Unknown', roles: [], isDirectoryAccount: false, isGroup: false, logins: [] },
		{ ref: 'c37dac86-f273-4133-9bcd-00000000bbbb', id: 'c37dac86-f273-4133-9bcd-00000000bbbb', name: 'no.logins.read', type: 'Company', roles: [{ id: 'CompanyTenant', name: 'Company Tenant' }], status: 'Unknown', isDirectoryAccount: false, isGroup: false },
		{
			ref: 'c37dac86-f273-4133-9bcd-00000000cccc',
			id: 'c37dac86-f273-4133-9bcd-00000000cccc',
			name: 'odd.ids',
			type: 'Provider',
			roles: [{ id: 'PortalOperator', name: 'Portal Operator' }],
			organization: { uid: 'C37DAC86-F273-4133-9BCD-0000000000F0' },
			mfaPolicy: 'EnabledByInheritance',
			mfaEnabled: true,
			isDirectoryAccount: false,
			isGroup: false,
			logins: [
				{ id: '999999999999999', kind: 'apiKey', provider: 'AK' },
				{ id: '0042', kind: 'rsaKey', provider: 'AA', disabled: true },
				{ id: '9007199254740993', kind: 'password', provider: 'VSPC' },
				{ id: 'text-id', kind: 'other', provider: 'WIN' },
			],
		},
	);
	return users;
}

export function vbrFormatUsers(): TrackedUser[] {
	const users: TrackedUser[] = realisticVbrUsers(600);
	users.push(
		{ ref: 'user-42', id: 'user-42', name: 'B\\text-id', type: 'X', roles: [], isDirectoryAccount: true, isGroup: true },
		{ ref: 'ref-1', name: 'C', type: 'Local', roles: [], isDirectoryAccount: false, isGroup: false },
		{ ref: 'ref-2', id: 'other-id', name: 'D', type: 'Local', roles: [], mfaEnabled: false, isServiceAccount: true, isDirectoryAccount: false, isGroup: false },
	);
	return users;
}

export function vbgcFormatUsers(): TrackedUser[] {
	return vbgcSeededUsers(300).map((u, i) => ({ ...u, mfaEnabled: i % 3 === 0 ? true : undefined, description: i % 7 === 0 ? 'd'.repeat(80 + i) : i % 5 === 0 ? '' : u.description }));
}
