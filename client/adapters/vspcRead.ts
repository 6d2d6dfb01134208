/**
 * Reading VSPC's answers (REST 3.6.1; sim/contracts/vspc.md): every answer is an envelope
 * `{ meta: { pagingInfo: { total, count, offset } }, data, errors }`, a list's `data` an array.
 * Nothing a server sends is trusted: an answer without `data` of the right shape, a user without
 * its UID, a login without its ID, is an error naming the call, never an empty or partial list.
 */
import { NodeApiError, type IDataObject, type INode, type JsonObject } from 'n8n-workflow';

import type { VeeamUser } from '../model';
import type { VspcLogin, VspcLoginKind, VspcOrganization, VspcProfile } from '../vspcModel';
import { isUuid } from '../ids';
import type { Page } from './paging';
import { commonRole } from './vspcRoles';

/**
 * One user name, without regard to case, as .NET's OrdinalIgnoreCase compares (upper-case, char
 * by char): never two distinct characters taken for one (JavaScript's toLowerCase folds the Kelvin
 * sign U+212A into "k": "\u212Aate" is not "kate"; review N2). Both cases must agree.
 */
export const sameUserName = (a: string, b: string): boolean => a.toUpperCase() === b.toUpperCase() && a.toLowerCase() === b.toLowerCase();

export const API = '/api/v3';
export const USERS = `${API}/users`;
export const LOGINS = `${API}/users/logins`;
export const ORGANIZATIONS = `${API}/organizations`;
export const COMPANIES = `${API}/organizations/companies`;
/** `limit`: "maximum": 500 on every list of the 3.6.1 spec (GetUsers, GetLogins …). */
export const VSPC_PAGE_SIZE = 500;

/** An answer the package cannot use: named, with nothing more sent. */
export function badAnswer(node: INode, call: string, problem: string): NodeApiError {
	const message = `Veeam Service Provider Console answered ${call} ${problem}`;
	const error = new NodeApiError(node, { message } as JsonObject, {
		message,
		description: 'The node does not use an answer of this shape. Nothing more was sent for this item.',
	});
	error.message = message;
	return error;
}

const isObject = (value: unknown): value is IDataObject => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** `data` of a single-resource answer, which must be an object. */
export function dataObject(node: INode, call: string, answer: unknown): IDataObject {
	const data = isObject(answer) ? answer.data : undefined;
	if (!isObject(data)) throw badAnswer(node, call, 'without the resource in `data`');
	return data;
}

/**
 * One page of a list: `data` must be an array of objects; `total` is `meta.pagingInfo.total` when
 * it is a whole number ≥ 0 (else undefined: the caller decides what a list without one means).
 */
export function dataPage<T>(node: INode, call: string, answer: unknown, read: (item: IDataObject) => T): Page<T> {
	const data = isObject(answer) ? answer.data : undefined;
	if (!Array.isArray(data)) throw badAnswer(node, call, 'without its list in `data`');
	const items = data.map((item, i) => {
		if (!isObject(item)) throw badAnswer(node, call, `with item ${i + 1} of its list not an object`);
		return read(item);
	});
	const meta = isObject(answer) ? answer.meta : undefined;
	const paging = isObject(meta) ? meta.pagingInfo : undefined;
	const total = isObject(paging) ? paging.total : undefined;
	return { items, total: typeof total === 'number' && Number.isInteger(total) && total >= 0 ? total : undefined };
}

const PROFILE_FIELDS = ['firstName', 'lastName', 'title', 'email', 'address', 'phone'] as const;

/** `UserProfile`: the fields that are strings (`null` means not set). */
export function profileOf(value: unknown): VspcProfile {
	const profile: VspcProfile = {};
	if (!isObject(value)) return profile;
	for (const field of PROFILE_FIELDS) {
		const v = text(value[field]);
		if (v !== undefined) profile[field] = v;
	}
	return profile;
}

/** The organization a user belongs to, as this execution's organization list knows it. */
export type OrganizationIndex = ReadonlyMap<string, VspcOrganization>;

/** Organizations by UID (lower case), as userOf looks a user's up. */
export const indexOrganizations = (list: readonly VspcOrganization[]): OrganizationIndex => new Map(list.map((o) => [o.uid.toLowerCase(), o]));

/** A user's `organization`: `{ uid, name, type }` where the list has it (the UID as the user carries it), else its UID alone. */
export const userOrganization = (orgUid: string, org: VspcOrganization | undefined): NonNullable<VeeamUser['organization']> =>
	org ? { uid: orgUid, name: org.name, type: org.type } : { uid: orgUid };

/**
 * A `User` in the common model. `type` is the user's organization type (Provider, Reseller,
 * Company; `Unknown` when the organization list does not have it: a company since removed).
 * Throws when the answer has no user UID or name (such a user could not be addressed).
 * `selected`: the user was asked for without its profile (USER_PAGE_SELECT): its `profile` is
 * absent (undefined, never an empty one it does not know to be empty) unless the answer carries
 * one (a server that ignored `select`).
 */
export function userOf(node: INode, call: string, m: IDataObject, organizations: OrganizationIndex, selected = false): VeeamUser {
	const uid = text(m.instanceUid);
	if (!uid || !isUuid(uid)) throw badAnswer(node, call, 'with a user whose instanceUid is not a UID');
	const credentials = isObject(m.credentials) ? m.credentials : {};
	const name = text(m.userName) ?? text(credentials.userName);
	if (!name) throw badAnswer(node, call, `with user ${uid} without a userName`);
	const orgUid = text(m.organizationUid);
	const org = orgUid ? organizations.get(orgUid.toLowerCase()) : undefined;
	const policy = text(m.mfaPolicyStatus);
	const configured = text(m.mfaPolicyConfigurationStatus);
	const status = text(m.status);
	// Built field by field in this order (no spread of small objects: 50,000 users per poll).
	const user = { ref: uid, id: uid, name, type: org?.type ?? 'Unknown', roles: [commonRole(m.role)] } as VeeamUser;
	if (orgUid) user.organization = userOrganization(orgUid, org);
	if (status) user.status = status;
	if (policy) {
		user.mfaPolicy = policy;
		const { mfaEnabled } = mfaEnabledOf(policy);
		if (mfaEnabled !== undefined) user.mfaEnabled = mfaEnabled;
	}
	if (configured) user.mfaConfigured = configured.toLowerCase() === 'configured';
	if (!selected || isObject(m.profile)) user.profile = profileOf(m.profile);
	user.isDirectoryAccount = false;
	user.isGroup = false;
	return user;
}

/** `mfaEnabled`: the policy requires MFA (Enabled, EnabledByInheritance), or does not (Disabled); else unknown. */
function mfaEnabledOf(policy: string): { mfaEnabled?: boolean } {
	const p = policy.toLowerCase();
	if (p === 'enabled' || p === 'enabledbyinheritance') return { mfaEnabled: true };
	if (p === 'disabled') return { mfaEnabled: false };
	return {};
}

/**
 * What kind of login `identityProviderName` names (the 3.6.1 spec's examples and Overview: `VSPC`
 * the portal password, `AK` an API key, `AA` an asymmetric (RSA) key, `TOTP` a TOTP second factor
 * (AddTotpLogin's example), `WIN` a Windows account, `VBR`); any other value is `other`, kept as sent.
 */
export function loginKind(provider: string): VspcLoginKind {
	const p = provider.trim().toLowerCase();
	if (p === 'vspc') return 'password';
	if (p === 'ak' || p === 'apikey' || p === 'api key') return 'apiKey';
	if (p === 'aa' || p === 'rsa') return 'rsaKey';
	if (p === 'totp') return 'totp';
	return 'other';
}

/** A `UserLogin`. Its int64 `id` is kept as a string; one that is not a whole number ≥ 0 is refused. */
export function loginOf(node: INode, call: string, m: IDataObject): VspcLogin {
	const id = typeof m.id === 'number' && Number.isInteger(m.id) && m.id >= 0 ? String(m.id) : typeof m.id === 'string' && /^\d{1,19}$/.test(m.id) ? m.id : undefined;
	if (id === undefined) throw badAnswer(node, call, 'with a login whose id is not a whole number');
	const userUid = text(m.userUid);
	if (!userUid) throw badAnswer(node, call, `with login ${id} without its userUid`);
	const provider = text(m.identityProviderName) ?? '';
	// Built field by field in this order (no spread of small objects: 55,000 logins per poll).
	const login = { id, userUid } as VspcLogin;
	if (typeof m.userName === 'string') login.userName = m.userName;
	const companyUid = m.companyId ?? m.companyUid;
	if (typeof companyUid === 'string') login.companyUid = companyUid;
	if (typeof m.companyName === 'string') login.companyName = m.companyName;
	login.kind = loginKind(provider);
	login.provider = provider;
	if (typeof m.description === 'string') login.description = m.description;
	login.status = text(m.status) ?? 'Unknown';
	login.scopes = Array.isArray(m.scopes) ? m.scopes.filter((s): s is string => typeof s === 'string') : [];
	if (typeof m.isReadAccessOnly === 'boolean') login.isReadAccessOnly = m.isReadAccessOnly;
	return login;
}

/**
 * An `Organization` (GET /organizations): refused without a UID or a name. The UID is compared as
 * text, never required to be a UUID: Veeam's own example prints one of 35 characters
 * (companies-by-reseller, sim/contracts/vspc.md); only empty or control characters are refused.
 */
export function organizationOf(node: INode, call: string, m: IDataObject): VspcOrganization {
	const uid = text(m.instanceUid)?.trim();
	if (!uid || [...uid].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) throw badAnswer(node, call, 'with an organization without an instanceUid');
	const name = text(m.name);
	if (!name) throw badAnswer(node, call, `with organization ${uid} without a name`);
	const status = text(m.status);
	const reseller = text(m.resellerUid);
	return { uid, name, type: text(m.type) ?? 'Unknown', ...(status ? { status } : {}), ...(reseller ? { resellerUid: reseller } : {}) };
}
