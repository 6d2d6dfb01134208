/**
 * The simulator's records as VSPC answers them: `User`, `UserLogin`, `Organization`, `Company`
 * (3.6.1 spec). Each collection's property paths (lower case) are what `filter`, `sort` and
 * `select` accept.
 */
import type { VspcLoginRecord, VspcOrg, VspcUserRecord } from './model';
import type { RecordReader } from './query';
import type { VspcStore } from './store';

type Json = Record<string, unknown>;

const PROFILE_FIELDS = ['firstName', 'lastName', 'title', 'email', 'address', 'phone'];

export const USER_FIELDS: ReadonlySet<string> = new Set(
	[
		'instanceUid', 'organizationUid', 'userName', 'status', 'mfaPolicyStatus', 'mfaPolicyConfigurationStatus', 'role',
		'profile', ...PROFILE_FIELDS.map((f) => `profile.${f}`), 'credentials', 'credentials.userName', 'credentials.password',
	].map((f) => f.toLowerCase()),
);

export const LOGIN_FIELDS: ReadonlySet<string> = new Set(
	[
		'id', 'userUid', 'userName', 'companyId', 'companyName', 'identityProviderName', 'description', 'isReadAccessOnly',
		'scopes', 'status', 'parameters', 'identifierInProvider', 'creationDate',
	].map((f) => f.toLowerCase()),
);

export const ORG_FIELDS: ReadonlySet<string> = new Set(['instanceUid', 'name', 'alias', 'type', 'email', 'phone', 'notes', 'companyId'].map((f) => f.toLowerCase()));

export const COMPANY_FIELDS: ReadonlySet<string> = new Set(
	['instanceUid', 'name', 'status', 'resellerUid', 'subscriptionPlanUid', 'isRestAccessEnabled', 'isAlarmDetectEnabled', 'loginUrl', 'ownerCredentials', 'ownerCredentials.userName'].map((f) => f.toLowerCase()),
);

/**
 * `mfaPolicyStatus`: the user's own policy, or `EnabledByInheritance` when only its organization
 * requires MFA (assumption: the enum names the case, no page says where it is set over REST).
 */
export function mfaPolicyStatus(user: VspcUserRecord, store: VspcStore): string {
	if (user.mfaPolicy === 'Enabled') return 'Enabled';
	const org = store.orgs.get(user.organizationUid);
	return org && orgMfaPolicy(org, store) !== 'Disabled' ? 'EnabledByInheritance' : 'Disabled';
}

/** An organization's `PolicySettings.mfaPolicyStatus`: its own, or inherited from a reseller or the provider that enforces it. */
export function orgMfaPolicy(org: VspcOrg, store: VspcStore): 'Enabled' | 'EnabledByInheritance' | 'Disabled' {
	if (org.mfaRequired) return 'Enabled';
	const parents: Array<VspcOrg | undefined> = [];
	if (org.type === 'Company' && org.resellerUid) parents.push(store.orgs.get(org.resellerUid));
	if (org.type !== 'Provider') parents.push(store.provider());
	return parents.some((p) => p?.mfaRequired && p.enforceMfaPolicy) ? 'EnabledByInheritance' : 'Disabled';
}

/** `mfaPolicyConfigurationStatus`: `Configured` once the user has a TOTP login (assumed). */
export function mfaConfigured(user: VspcUserRecord, store: VspcStore): boolean {
	return store.hasTotp(user.uid);
}

export function userView(user: VspcUserRecord, store: VspcStore): Json {
	return {
		instanceUid: user.uid,
		organizationUid: user.organizationUid,
		userName: user.userName,
		status: user.status,
		mfaPolicyStatus: mfaPolicyStatus(user, store),
		mfaPolicyConfigurationStatus: mfaConfigured(user, store) ? 'Configured' : 'NotConfigured',
		role: user.role,
		profile: { ...user.profile },
		// Veeam's examples: the user name, and a null password.
		credentials: { userName: user.userName, password: null },
	};
}

/** The user paths `userView` copies from the record: lists filtered and sorted on them render no user. */
const USER_RECORD_FIELDS: ReadonlyMap<string, (user: VspcUserRecord) => unknown> = new Map<string, (user: VspcUserRecord) => unknown>([
	['instanceuid', (u) => u.uid],
	['organizationuid', (u) => u.organizationUid],
	['username', (u) => u.userName],
	['status', (u) => u.status],
	['role', (u) => u.role],
	['credentials.username', (u) => u.userName],
]);

export function userReader(store: VspcStore): RecordReader<VspcUserRecord> {
	return { view: (u) => userView(u, store), fields: USER_RECORD_FIELDS };
}

/**
 * `UserLogin.status` as the server reports it: `disabledDueToUser` while the user is disabled,
 * `disabledDueToCompany` while its company is disabled or gone (assumed from the enum's values).
 */
export function loginStatus(login: VspcLoginRecord, store: VspcStore, user = store.users.get(login.userUid)): string {
	if (login.status === 'disabled') return 'disabled';
	if (user?.status === 'Disabled') return 'disabledDueToUser';
	const org = user && store.orgs.get(user.organizationUid);
	if (!org || (org.type === 'Company' && org.status !== 'Active')) return 'disabledDueToCompany';
	return 'enabled';
}

/** `parameters` holds an API key once, in the answer to its create (the help's example); "" after. */
export function loginView(login: VspcLoginRecord, store: VspcStore, parameters = ''): Json {
	const user = store.users.get(login.userUid);
	const org = user && store.orgs.get(user.organizationUid);
	const out: Json = {
		id: login.id,
		userUid: login.userUid,
		userName: user?.userName ?? '',
		identityProviderName: login.identityProviderName,
		description: login.description,
		isReadAccessOnly: login.isReadAccessOnly,
		scopes: [...login.scopes],
		status: loginStatus(login, store, user),
		parameters,
		identifierInProvider: login.identifierInProvider,
		creationDate: login.creationDate,
	};
	// Veeam's examples name the user's organization here (`companyId`, `companyName`), the provider's too.
	if (org) {
		out.companyId = org.uid;
		out.companyName = org.name;
	}
	return out;
}

/** The login paths `loginView` copies from the record: lists filtered and sorted on them (by `id`, by `userUid`) render no login. */
const LOGIN_RECORD_FIELDS: ReadonlyMap<string, (login: VspcLoginRecord) => unknown> = new Map<string, (login: VspcLoginRecord) => unknown>([
	['id', (l) => l.id],
	['useruid', (l) => l.userUid],
	['identityprovidername', (l) => l.identityProviderName],
	['description', (l) => l.description],
	['isreadaccessonly', (l) => l.isReadAccessOnly],
	['identifierinprovider', (l) => l.identifierInProvider],
	['creationdate', (l) => l.creationDate],
]);

export function loginReader(store: VspcStore): RecordReader<VspcLoginRecord> {
	// The paths loginView reads from the user and its organization too (the trigger sorts every login
	// by `companyId`, then `userName`): 55,000 logins sorted without one view each.
	// A sort reads several of them per login in a row: its user is looked up once for them.
	let lastLogin: VspcLoginRecord | undefined;
	let lastUser: VspcUserRecord | undefined;
	const userOf = (l: VspcLoginRecord) => {
		if (l !== lastLogin) {
			lastLogin = l;
			lastUser = store.users.get(l.userUid);
		}
		return lastUser;
	};
	const orgOf = (l: VspcLoginRecord) => {
		const user = userOf(l);
		return user && store.orgs.get(user.organizationUid);
	};
	const fields = new Map(LOGIN_RECORD_FIELDS);
	fields.set('username', (l) => userOf(l)?.userName ?? '');
	fields.set('companyid', (l) => orgOf(l)?.uid);
	fields.set('companyname', (l) => orgOf(l)?.name);
	return { view: (l) => loginView(l, store), fields };
}

export function orgView(org: VspcOrg): Json {
	return { instanceUid: org.uid, name: org.name, alias: org.alias, type: org.type };
}

export function companyView(org: VspcOrg, store: VspcStore, expand = false): Json {
	const owner = org.ownerUid ? store.users.get(org.ownerUid) : undefined;
	const out: Json = {
		instanceUid: org.companyUid ?? org.uid,
		name: org.name,
		status: org.status,
		resellerUid: org.resellerUid ?? null,
		subscriptionPlanUid: null,
		isRestAccessEnabled: org.restAccess,
		isAlarmDetectEnabled: false,
		loginUrl: null,
		ownerCredentials: { userName: owner?.userName ?? `${org.alias}.owner`, password: null },
	};
	if (expand) out._embedded = { organization: orgView(org) };
	return out;
}
