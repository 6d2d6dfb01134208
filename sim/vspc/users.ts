/**
 * `/api/v3/users…`: list (filter, sort, select, paging), create, get, JSON Patch, delete, `me`,
 * an organization's users, and token revocation. The 3.6.1 spec's GetUsers, CreateUser, GetUser,
 * PatchUser, DeleteUser, GetCurrentUser, RevokeAuthenticationToken; who may call each: its
 * `x-veeam-vspc-admitted-roles` (model.ts). What no page says is marked "Assumption".
 */
import type { SimContext } from '../core/context';
import { jsonBody, type SimRequest, type SimResponse } from '../core/http';
import type { VspcAuth, VspcCaller } from './auth';
import { VspcError, vspcBadRequest, vspcForbidden, vspcNotFound } from './errors';
import {
	enumValue,
	MANAGES_USERS,
	OWNER_ROLES,
	passwordProblem,
	READS_USERS,
	ROLES_BY_ORG_TYPE,
	UUID_RE,
	VSPC_ROLES,
	type VspcProfileRecord,
	type VspcRole,
	type VspcUserRecord,
} from './model';
import { invalidValue, patchBody, refused } from './patch';
import { pageAnswer, parseListQuery, project, selectAndOrder, valueAt, valuesFiltered, type ListQuery, type QueryLimits } from './query';
import type { VspcStore } from './store';
import { USER_FIELDS, userReader, userView } from './views';

type Json = Record<string, unknown>;

const TITLES = ['Unknown', 'Mr', 'Miss', 'Mrs', 'Ms'];
const PROFILE_KEYS: Record<string, keyof VspcProfileRecord> = {
	firstname: 'firstName', lastname: 'lastName', title: 'title', email: 'email', address: 'address', phone: 'phone',
};
const PROFILE_MAX: Record<keyof VspcProfileRecord, number> = { firstName: 2048, lastName: 2048, title: 16, email: 2048, address: 2048, phone: 512 };
/** The spec's `UserProfile.email` pattern. */
const EMAIL_RE = /^(")?(?:[^."])(?:(?:[.])?(?:[\w\-!#$%&'*+/=?^_`{|}~]))*\1@(\w[-\w]*\.){1,5}([A-Za-z]){2,6}$/;

export class VspcUsers {
	constructor(
		private readonly ctx: SimContext,
		private readonly store: VspcStore,
		private readonly auth: VspcAuth,
		private readonly limits: () => QueryLimits,
	) {}

	// ---- access -----------------------------------------------------------------------------

	/** The caller may read (or, `manage`, change) users at all: the operation's admitted roles. */
	private admit(caller: VspcCaller, manage: boolean): void {
		if (!(manage ? MANAGES_USERS : READS_USERS).includes(caller.user.role)) throw vspcForbidden();
	}

	/**
	 * The user with this UID as the caller may see it: its own organization's (a reseller also its
	 * companies'; the provider every one). Assumption: another's user is answered 404, as absent.
	 */
	visibleUser(caller: VspcCaller, uid: string): VspcUserRecord {
		if (!UUID_RE.test(uid)) throw vspcBadRequest(`The user UID ${uid} is not a valid UUID.`, { parameterName: 'userUid' });
		const user = this.store.users.get(uid.toLowerCase()) ?? this.store.users.get(uid);
		// The 3.6.1 reference's error codes: "1100 … Specified user does not exist" (its status 404: assumed).
		if (!user || !this.store.orgScope(caller.org)(user.organizationUid)) throw new VspcError(404, `The user ${uid} does not exist.`, { code: 1100 });
		return user;
	}

	/**
	 * The caller itself, or a user it may read (`GET`) or manage (logins, tokens). The spec admits
	 * every role to these operations; assumed: on their own account, and on others' as for the users.
	 */
	userForLogins(caller: VspcCaller, uid: string, method = 'GET'): VspcUserRecord {
		const user = this.visibleUser(caller, uid);
		if (user !== caller.user && !(method === 'GET' ? READS_USERS : MANAGES_USERS).includes(caller.user.role)) throw vspcForbidden();
		return user;
	}

	// ---- reading ----------------------------------------------------------------------------

	/**
	 * The page asked for, from the list selected and ordered once per (state version, scope, query):
	 * paging a big list is cheap. The list holds records (filtered and sorted on the fields a record
	 * holds without rendering it): only the page's users are rendered.
	 */
	private page(caller: VspcCaller, q: ListQuery, orgUid?: string): SimResponse {
		const key = `users|${caller.org?.uid ?? ''}|${orgUid ?? ''}|${q.key}`;
		const reader = userReader(this.store);
		return pageAnswer(this.store.cached(key, () => selectAndOrder(this.records(caller, q, orgUid), q, reader)), q, reader.view);
	}

	/** The users in the caller's scope (and the organization asked for), in the console's order. */
	private records(caller: VspcCaller, q: ListQuery, orgUid?: string): VspcUserRecord[] {
		const inScope = this.store.orgScope(caller.org);
		const orgs = orgUid ? [orgUid] : valuesFiltered(q, 'organizationuid');
		// Users named by UID (the trigger's look-ups, Sync's read-backs: an `or` of equals on instanceUid)
		// start from the user index too; the whole filter is still applied (selectAndOrder).
		const uids = orgs ? undefined : valuesFiltered(q, 'instanceuid');
		let records: VspcUserRecord[];
		if (orgs) records = orgs.flatMap((o) => this.store.usersOf(o)).sort((a, b) => a.seq - b.seq);
		else if (uids) records = uids.flatMap((u) => this.store.users.get(u) ?? []).sort((a, b) => a.seq - b.seq);
		else records = [...this.store.users.values()];
		return records.filter((u) => inScope(u.organizationUid));
	}

	list(req: SimRequest, caller: VspcCaller): SimResponse {
		this.admit(caller, false);
		const q = parseListQuery(req.query, USER_FIELDS, this.limits());
		return this.page(caller, q);
	}

	/** `GET /organizations/{organizationUid}/users`. */
	listOfOrganization(req: SimRequest, caller: VspcCaller): SimResponse {
		this.admit(caller, false);
		const uid = req.params.organizationUid;
		if (!this.store.orgs.has(uid) || !this.store.orgScope(caller.org)(uid)) throw vspcNotFound(`The organization ${uid} does not exist.`);
		const q = parseListQuery(req.query, USER_FIELDS, this.limits());
		return this.page(caller, q, uid);
	}

	private one(req: SimRequest, user: VspcUserRecord): SimResponse {
		const q = parseListQuery(req.query, USER_FIELDS, this.limits(), false);
		return { status: 200, body: { data: project(userView(user, this.store), q.select) } };
	}

	get(req: SimRequest, caller: VspcCaller): SimResponse {
		this.admit(caller, false);
		return this.one(req, this.visibleUser(caller, req.params.userUid));
	}

	me(req: SimRequest, caller: VspcCaller): SimResponse {
		return this.one(req, caller.user);
	}

	// ---- changing ---------------------------------------------------------------------------

	private roleFor(value: unknown, orgType: keyof typeof ROLES_BY_ORG_TYPE, propertyName = 'role'): VspcRole {
		const role = enumValue(value, VSPC_ROLES);
		if (!role) throw vspcBadRequest(`The role ${JSON.stringify(value)} is not a user role.`, { propertyName });
		if (!ROLES_BY_ORG_TYPE[orgType].includes(role)) {
			throw vspcBadRequest(`The ${role} role cannot be given to a user of a ${orgType.toLowerCase()} organization.`, { propertyName });
		}
		// Assumption: an owner is made with its organization (Company.ownerCredentials), never given later.
		if (OWNER_ROLES.includes(role)) throw vspcBadRequest(`The ${role} role belongs to the account made with the organization.`, { propertyName });
		return role;
	}

	private profileValue(field: keyof VspcProfileRecord, value: unknown): string | null {
		if (value === null || value === undefined) {
			if (field === 'title') return 'Unknown';
			return null;
		}
		if (typeof value !== 'string') throw vspcBadRequest(`The profile.${field} property must be a string.`, { propertyName: `profile.${field}` });
		if (value.length > PROFILE_MAX[field]) throw vspcBadRequest(`The profile.${field} property is too long.`, { propertyName: `profile.${field}` });
		if (field === 'title' && !TITLES.includes(value)) throw vspcBadRequest(`The title must be one of ${TITLES.join(', ')}.`, { propertyName: 'profile.title' });
		if (field === 'email' && !EMAIL_RE.test(value)) throw vspcBadRequest(`The email ${value} is not a valid email address.`, { propertyName: 'profile.email' });
		return value;
	}

	/**
	 * Assumption (sim/contracts/vspc.md): 1–256 characters without `\ / : * ? " < > |` (nor spaces at
	 * either end); unique in the console, any case.
	 */
	private checkUserName(name: unknown): string {
		if (typeof name !== 'string' || name.trim() === '' || name !== name.trim() || name.length > 256 || /[\\/:*?"<>|]/.test(name)) {
			throw vspcBadRequest('The user name must be 1 to 256 characters without \\ / : * ? " < > | and without spaces at either end.', { propertyName: 'credentials.userName' });
		}
		// The 3.6.1 reference's error codes: "409 … conflict with an existing resource".
		if (this.store.userNamed(name)) throw new VspcError(409, `A user with the name ${name} already exists.`, { propertyName: 'credentials.userName' });
		return name;
	}

	create(req: SimRequest, caller: VspcCaller): SimResponse {
		this.admit(caller, true);
		const body = jsonBody<Json>(req);
		const orgUid = body.organizationUid;
		if (typeof orgUid !== 'string' || !UUID_RE.test(orgUid)) throw vspcBadRequest('The organizationUid property must be a UUID.', { propertyName: 'organizationUid' });
		const org = this.store.orgs.get(orgUid);
		if (!org || !this.store.orgScope(caller.org)(org.uid)) throw vspcBadRequest(`The organization ${orgUid} does not exist.`, { propertyName: 'organizationUid' });
		const role = this.roleFor(body.role, org.type);
		const credentials = (body.credentials ?? null) as Json | null;
		if (!credentials || typeof credentials !== 'object') throw vspcBadRequest('The credentials property is required.', { propertyName: 'credentials' });
		const userName = this.checkUserName(credentials.userName);
		const password = credentials.password;
		if (typeof password !== 'string') throw vspcBadRequest('The credentials.password property is required.', { propertyName: 'credentials.password' });
		const problem = passwordProblem(password);
		if (problem) throw vspcBadRequest(problem, { propertyName: 'credentials.password' });
		const profileIn = body.profile;
		if (!profileIn || typeof profileIn !== 'object' || Array.isArray(profileIn)) throw vspcBadRequest('The profile property is required.', { propertyName: 'profile' });
		const profile: Partial<VspcProfileRecord> = {};
		for (const [key, value] of Object.entries(profileIn as Json)) {
			const field = PROFILE_KEYS[key.toLowerCase()];
			if (field) profile[field] = this.profileValue(field, value) as never;
		}
		const mfa = body.mfaPolicyStatus === undefined || body.mfaPolicyStatus === null ? 'Disabled' : enumValue(body.mfaPolicyStatus, ['Disabled', 'Enabled'] as const);
		if (!mfa) throw vspcBadRequest('The mfaPolicyStatus must be Disabled or Enabled.', { propertyName: 'mfaPolicyStatus' });
		const user = this.store.addUser({ organizationUid: org.uid, userName, role, password, mfaPolicy: mfa, profile });
		this.ctx.secrets.add(password, 'password');
		this.ctx.log.record('user.create', user.userName, { uid: user.uid, organizationUid: org.uid, role, mfaPolicy: mfa });
		return this.one(req, user);
	}

	private portalAdminsBesides(user: VspcUserRecord): number {
		let n = 0;
		for (const u of this.store.usersOf(user.organizationUid)) if (u !== user && u.role === 'PortalAdministrator' && u.status === 'Enabled') n++;
		return n;
	}

	/**
	 * An owner (Company Owner, Reseller Owner) keeps its role and is removed by a Portal Administrator
	 * only: VSPC guides, "Removing Users" (helpcenter.veeam.com/docs/vac/provider_user/delete_users.html:
	 * "You cannot remove the Company Owner user. This user can be removed by the Portal Administrator
	 * only."; reseller/delete_portal_users.html for the Service Provider Global Administrator).
	 * Assumption: the last enabled Portal Administrator keeps that role, stays enabled and is not deleted.
	 */
	private checkKept(user: VspcUserRecord, change: 'delete' | 'demote' | 'disable', caller: VspcCaller): void {
		const portalAdminDeletes = change === 'delete' && caller.user.role === 'PortalAdministrator';
		// Code 1000, "Requested operation cannot be performed at the moment" (the reference's codes; assumed for these).
		if (OWNER_ROLES.includes(user.role) && change !== 'disable' && !portalAdminDeletes) {
			throw vspcBadRequest(`${user.userName} owns its organization: it cannot be ${change === 'delete' ? 'deleted' : 'given another role'}.`, { code: 1000 });
		}
		if (user.role === 'PortalAdministrator' && user.status === 'Enabled' && this.portalAdminsBesides(user) === 0) {
			throw vspcBadRequest(`${user.userName} is the last enabled Portal Administrator: it cannot be ${change === 'delete' ? 'deleted' : change === 'disable' ? 'disabled' : 'given another role'}.`, { code: 1000 });
		}
	}

	patch(req: SimRequest, caller: VspcCaller): SimResponse {
		this.admit(caller, true);
		const user = this.visibleUser(caller, req.params.userUid);
		const ops = patchBody(req);
		const next = { ...user, profile: { ...user.profile } };
		const detail: Json = {};
		for (const op of ops) {
			if (op.op === 'test') {
				const current = valueAt(userView(next, this.store), op.path);
				if (JSON.stringify(current) !== JSON.stringify(op.value)) throw vspcBadRequest(`The test at path '${op.path}' failed.`, { code: 1001, failedJsonPatch: op.raw });
				continue;
			}
			const remove = op.op === 'remove';
			if (op.path === 'status' && !remove) {
				const status = enumValue(op.value, ['Enabled', 'Disabled'] as const);
				if (!status) throw invalidValue(op.raw, 'Enabled or Disabled.');
				next.status = status;
			} else if (op.path === 'mfapolicystatus' && !remove) {
				const policy = enumValue(op.value, ['Enabled', 'Disabled'] as const);
				if (!policy) throw invalidValue(op.raw, 'Enabled or Disabled.');
				next.mfaPolicy = policy;
			} else if (op.path === 'role' && !remove) {
				const org = this.store.orgs.get(user.organizationUid);
				if (!org) throw refused(op.raw);
				const role = enumValue(op.value, VSPC_ROLES);
				if (role !== next.role) next.role = this.roleFor(role ?? op.value, org.type, 'role');
			} else if (op.path === 'profile' && !remove && op.value && typeof op.value === 'object') {
				for (const [key, value] of Object.entries(op.value as Json)) {
					const field = PROFILE_KEYS[key.toLowerCase()];
					if (!field) throw refused(op.raw);
					next.profile[field] = this.profileValue(field, value) as never;
				}
			} else if (op.path.startsWith('profile.') && PROFILE_KEYS[op.path.slice(8)]) {
				const field = PROFILE_KEYS[op.path.slice(8)];
				next.profile[field] = this.profileValue(field, remove ? null : op.value) as never;
			} else if (op.path === 'credentials.password' && !remove) {
				// Assumption: no Veeam example patches a password (Veeam documents a reset-password
				// request flow, /users/resetpassword); accepted here, marked so in the contract.
				if (typeof op.value !== 'string') throw invalidValue(op.raw, 'a string.');
				const problem = passwordProblem(op.value);
				if (problem) throw invalidValue(op.raw, problem);
				next.password = op.value;
			} else {
				throw refused(op.raw);
			}
		}
		if (next.role !== user.role) this.checkKept(user, 'demote', caller);
		if (next.status === 'Disabled' && user.status === 'Enabled') {
			if (user === caller.user) throw vspcBadRequest('You cannot disable your own account.', { code: 1000 });
			this.checkKept(user, 'disable', caller);
		}
		for (const k of ['status', 'mfaPolicy', 'role'] as const) if (next[k] !== user[k]) detail[k] = { from: user[k], to: next[k] };
		if (JSON.stringify(next.profile) !== JSON.stringify(user.profile)) detail.profile = true;
		if (next.password !== user.password) {
			detail.password = true;
			this.ctx.secrets.add(next.password, 'password');
		}
		Object.assign(user, next);
		this.store.touch();
		this.ctx.log.record('user.patch', user.userName, { uid: user.uid, ...detail });
		return this.one(req, user);
	}

	remove(req: SimRequest, caller: VspcCaller): SimResponse {
		this.admit(caller, true);
		const user = this.visibleUser(caller, req.params.userUid);
		// Assumption: an account does not delete itself.
		if (user === caller.user) throw vspcBadRequest('You cannot delete your own account.', { code: 1000 });
		this.checkKept(user, 'delete', caller);
		this.auth.revoke(user);
		this.store.removeUser(user);
		const org = this.store.orgs.get(user.organizationUid);
		if (org?.ownerUid === user.uid) org.ownerUid = undefined;
		this.ctx.log.record('user.delete', user.userName, { uid: user.uid });
		return { status: 200, body: { data: {}, errors: [] } };
	}

	/** `DELETE /users/{userUid}/tokens[?userLoginId=]`: that user's (or that login's) tokens end. */
	revokeTokens(req: SimRequest, caller: VspcCaller): SimResponse {
		const user = this.userForLogins(caller, req.params.userUid, req.method);
		const raw = req.query.get('userLoginId');
		let loginId: number | undefined;
		if (raw !== null && raw !== '') {
			if (!/^\d+$/.test(raw)) throw vspcBadRequest('The userLoginId parameter must be an integer.', { parameterName: 'userLoginId' });
			loginId = Number(raw);
			if (!this.store.loginsOf(user.uid).some((l) => l.id === loginId)) throw vspcNotFound(`The user identity ${raw} does not exist.`);
		}
		this.auth.revoke(user, loginId);
		this.ctx.log.record('user.revokeTokens', user.userName, { uid: user.uid, loginId });
		return { status: 200, body: { data: true } };
	}
}
