/**
 * VSPC's calls beyond the common user model (client/vspcModel.ts, VspcAccess): organizations,
 * logins ("user identities": the portal password, TOTP, API keys, RSA keys), tokens, status, MFA
 * policy and profile. One object per execution (it shares the directory's organization list).
 * The 3.6.1 spec's operations: GetOrganizations, GetLogins, DeleteUserLogin,
 * RevokeAuthenticationToken, PatchUser (sim/contracts/vspc.md gives the Veeam page of each).
 */
import { randomUUID } from 'node:crypto';

import { NodeOperationError } from 'n8n-workflow';

import { UnclearOutcomeError, VeeamApiError } from '../transport';
import type { VeeamUser } from '../model';
import type { VspcAccess, VspcLogin, VspcOrganization, VspcProfile, VspcUser, VspcUserChanges } from '../vspcModel';
import { isUuid } from '../ids';
import { runPool } from '../pool';
import { readAllPages, type Page } from './paging';
import { sameName } from './userFilter';
import { isNotFoundAnswer, replace, type PatchOperation, type VspcClient } from './vspcClient';
import { profileProblem, titleOf } from './vspcNewUser';
import { filterParam, LOGIN_PAGE_SELECT, LOGIN_SORT, LOGIN_SORT_BY_ORGANIZATION, MAX_OR_VALUES, oneOf, type FilterExpression } from './vspcQuery';
import { LOGINS, loginOf, sameUserName, USERS, VSPC_PAGE_SIZE } from './vspcRead';
import { vspcRole } from './vspcRoles';

/**
 * What a server may answer a request whose query string is too long for it with (IIS, which VSPC
 * runs under, refuses one past its `maxQueryString`, 2,048 bytes by default, with 404.15; others
 * 414, 413, 431 or 400). A group of 50 UIDs is about 7,000 characters: Veeam documents no limit.
 */
const TOO_LONG_STATUSES = new Set([400, 404, 413, 414, 431]);

/** `lookUpUsers`: requests (groups of UIDs) in flight at once, as many as one list's pages (nodes/VeeamTrigger/pages.ts PAGE_CONCURRENCY): 400 users in one round trip. */
export const LOOK_UP_CONCURRENCY = 8;

export class VspcAccessClient implements VspcAccess {
	constructor(
		private readonly client: VspcClient,
		/** The directory's snapshot follows this execution's changes. */
		private readonly changed: (user: VeeamUser) => void,
	) {}

	private get node() {
		return this.client.node;
	}

	private self?: Promise<VspcUser>;

	/** `GET /users/me` ("a currently logged in user", the 3.6.1 spec's GetCurrentUser), once per execution. */
	async me(): Promise<VspcUser> {
		this.self ??= this.client
			.call<unknown>({ method: 'GET', path: `${USERS}/me` })
			.then(async (answer) => await this.client.userAnswerOf(answer, `GET ${USERS}/me`))
			.catch((error: unknown) => {
				this.self = undefined;
				throw error;
			});
		return await this.self;
	}

	async organizations(options?: { companies?: boolean }): Promise<VspcOrganization[]> {
		return await this.client.organizations(options);
	}

	async resolveOrganization(nameOrUid: string, field: string): Promise<VspcOrganization> {
		const wanted = nameOrUid.trim();
		if (wanted === '') throw new NodeOperationError(this.node, `${field} is empty`, { description: 'Give the organization by its name or UID. Nothing was sent.' });
		const all = await this.organizations();
		if (isUuid(wanted)) {
			// An organization's UID, or a company's own UID (Veeam's Expand example shows the two differ).
			const orgUid = await this.client.organizationUidOf(wanted);
			const byUid = orgUid === undefined ? undefined : all.find((o) => sameName(o.uid, orgUid));
			if (byUid) return byUid;
		}
		const named = all.filter((o) => sameName(o.name, wanted));
		if (named.length === 1) return named[0];
		if (named.length > 1) {
			throw new NodeOperationError(this.node, `${field}: ${named.length} organizations are named "${wanted}"`, {
				description: `Give its UID instead: ${named.map((o) => `${o.uid} (${o.type})`).join(', ')}.`,
			});
		}
		throw new NodeOperationError(this.node, `${field}: no organization ${isUuid(wanted) ? 'with UID' : 'named'} "${wanted}"`, {
			description: `The account sees ${all.length} organization(s) (provider, resellers, companies); none has this ${isUuid(wanted) ? 'UID' : 'name (compared without regard to case)'}.`,
		});
	}

	/** One page of logins, in one order on every page (by ID, or `sort`), filtered by the server where given. */
	private async loginsPage(filter: FilterExpression[], offset: number, limit: number, select?: string, sort = LOGIN_SORT): Promise<Page<VspcLogin>> {
		return await this.client.page(LOGINS, { filter: filterParam(filter), sort, select }, offset, limit, (m, call) => loginOf(this.node, call, m), (l) => l.id);
	}

	/**
	 * Every login listed with `filter` (all pages, read again if the total moves), then kept only
	 * where `keep` holds: answers of other users are dropped whatever the server did with the filter.
	 */
	private async readLogins(filter: FilterExpression[], keep: (login: VspcLogin) => boolean = () => true): Promise<VspcLogin[]> {
		const all = await this.client.readWhole(
			'logins',
			(offset, limit) => this.loginsPage(filter, offset, limit),
			async (fetch) => await readAllPages(fetch, (l) => l.id, { node: this.node, what: 'logins' }),
		);
		return [...all.values()].filter(keep);
	}

	/**
	 * The logins of one user (or of everyone): `GET /users/logins` filtered by `userUid`, so that
	 * the logins of a user deleted meanwhile still show (its own `/users/{uid}/logins` answers 404
	 * then). An empty list means the server lists no login of that user.
	 */
	async listLogins(userUid?: string): Promise<VspcLogin[]> {
		if (userUid === undefined) return await this.readLogins([]);
		return await this.listLoginsOf([userUid]);
	}

	/** `GET /users/{uid}` now: never the directory's prefetched list (read-backs). */
	async readUser(uid: string): Promise<VspcUser | undefined> {
		return await this.client.fetchUser(uid);
	}

	/** Which of these users the server has now: `GET /users` filtered by `instanceUid` (or of equals), in groups. */
	async usersPresent(uids: string[]): Promise<Set<string>> {
		const wanted = [...new Set(uids.map((u) => u.toLowerCase()))];
		const bad = wanted.find((u) => !isUuid(u));
		if (bad) throw new NodeOperationError(this.node, `"${bad}" is not a Veeam Service Provider Console user UID`, { description: 'Nothing was sent.' });
		const present = new Set<string>();
		for (let i = 0; i < wanted.length; i += MAX_OR_VALUES) {
			const group = wanted.slice(i, i + MAX_OR_VALUES);
			const fetch = async (offset: number, limit: number) => await this.client.usersPage({}, offset, limit, undefined, oneOf('instanceUid', group));
			const users = await this.client.readWhole('users', fetch, async (f) => await readAllPages(f, (u) => u.ref.toLowerCase(), { node: this.node, what: 'users' }));
			for (const key of users.keys()) if (group.includes(key)) present.add(key);
		}
		return present;
	}

	/**
	 * Each UID (as given) to the user the server has now, or undefined: one `GET /users` per group of
	 * MAX_OR_VALUES UIDs (`instanceUid` equals one of them, compared as sent: the UIDs come from the
	 * server's own list), LOOK_UP_CONCURRENCY groups at once. A group's answer is trusted only when it
	 * is whole in one page and holds nothing but users of the group (each once): a server that
	 * ignored or misread the filter gets the group asked one user at a time (`GET /users/{uid}`,
	 * a 404 = gone), so a user is never taken for gone on a list that did not look for it. A group
	 * refused as if its request were too long (TOO_LONG_STATUSES) is asked again in halves, down to
	 * one user at a time: a server with a short query string limit costs requests, not the poll.
	 */
	async lookUpUsers(uids: readonly string[]): Promise<Map<string, VspcUser | undefined>> {
		const result = new Map<string, VspcUser | undefined>();
		const wanted = [...new Set(uids)].filter((u) => isUuid(u));
		// Not a UID: no such user can be asked for (GET /users/{uid} would not be sent either).
		for (const uid of uids) if (!isUuid(uid)) result.set(uid, undefined);
		const groups: string[][] = [];
		for (let i = 0; i < wanted.length; i += MAX_OR_VALUES) groups.push(wanted.slice(i, i + MAX_OR_VALUES));
		const one = async (uid: string) => {
			const user = await this.client.fetchUser(uid);
			// An answer under another UID is another user (as the trigger's other look-ups).
			result.set(uid, user?.ref === uid ? user : undefined);
		};
		const ask = async (group: string[]): Promise<void> => {
			const page = await this.client.usersPage({}, 0, VSPC_PAGE_SIZE, undefined, oneOf('instanceUid', group)).catch((error: unknown) => {
				if (error instanceof VeeamApiError && TOO_LONG_STATUSES.has(error.status)) return undefined;
				throw error;
			});
			if (!page) {
				if (group.length === 1) return await one(group[0]);
				const half = Math.ceil(group.length / 2);
				await ask(group.slice(0, half));
				return await ask(group.slice(half));
			}
			const asked = new Set(group);
			const whole = page.total !== undefined && page.total === page.items.length && page.items.length <= group.length && page.items.every((u) => asked.has(u.ref));
			if (!whole) {
				for (const uid of group) await one(uid);
				return;
			}
			for (const uid of group) result.set(uid, undefined);
			for (const user of page.items) result.set(user.ref, user);
		};
		const outcomes = await runPool(groups.length, async (g) => await ask(groups[g]), { concurrency: LOOK_UP_CONCURRENCY, stopOnError: true });
		for (const outcome of outcomes) if (outcome && !outcome.ok) throw outcome.error;
		return result;
	}

	/** The logins of this user name (`userName equals`, ignorecase), checked here whatever the server filtered. */
	async listLoginsNamed(userName: string): Promise<VspcLogin[]> {
		if (userName.trim() === '') return [];
		// As .NET's OrdinalIgnoreCase (sameUserName): the Kelvin sign is no k (review N3).
		return await this.readLogins([{ property: 'userName', operation: 'equals', collation: 'ignorecase', value: userName }], (l) => l.userName !== undefined && sameUserName(l.userName, userName));
	}

	async listLoginsOf(userUids: string[]): Promise<VspcLogin[]> {
		const uids = userUids.filter((u) => u.trim() !== '');
		if (uids.length === 0) return [];
		const bad = uids.find((u) => !isUuid(u));
		if (bad) throw new NodeOperationError(this.node, `"${bad}" is not a Veeam Service Provider Console user UID`, { description: 'Nothing was sent.' });
		// In groups the server can take in one `or` (MAX_OR_VALUES); each group's answers kept only for its users.
		const found = new Map<string, VspcLogin>();
		for (let i = 0; i < uids.length; i += MAX_OR_VALUES) {
			const group = uids.slice(i, i + MAX_OR_VALUES);
			const logins = await this.readLogins([oneOf('userUid', group) as FilterExpression], (l) => group.some((u) => sameName(u, l.userUid)));
			for (const login of logins) found.set(login.id, login);
		}
		return [...found.values()];
	}

	/** ONE page of every user's logins, ordered by organization, user name and ID (the trigger's order); `total` as sent (undefined when absent). */
	async listLoginsPage(offset: number, limit: number): Promise<{ logins: VspcLogin[]; total?: number }> {
		const page = await this.loginsPage([], offset, limit, LOGIN_PAGE_SELECT, LOGIN_SORT_BY_ORGANIZATION);
		return { logins: page.items, total: page.total };
	}

	async usersPage(offset: number, limit: number, options: { profile?: boolean; byOrganization?: boolean; organizations?: boolean } = {}): Promise<{ users: VspcUser[]; total?: number }> {
		const page = await this.client.usersPage({}, offset, limit, undefined, undefined, options);
		return { users: page.items, total: page.total };
	}

	/**
	 * `DELETE /users/{uid}/logins/{id}` (answers `{"data": true}`). A 404 the first time: gone
	 * already (`absent`). After an unclear failure, the logins are read: gone means this delete did it.
	 */
	async deleteLogin(user: VeeamUser, loginId: string): Promise<'deleted' | 'absent'> {
		if (!/^\d{1,19}$/.test(loginId)) throw new NodeOperationError(this.node, `"${loginId}" is not a login ID (a whole number)`, { description: 'Nothing was sent.' });
		const path = this.client.userPath(user.ref, `/logins/${loginId}`);
		const stillThere = async () => (await this.listLogins(user.ref)).some((l) => l.id === loginId);
		// One X-Request-id for this delete and its re-send (Veeam: idempotent within 5 minutes).
		const requestId = randomUUID();
		for (let attempt = 0; ; attempt++) {
			const outcome = await this.client.call({ method: 'DELETE', path, idempotent: false, requestId }).then(
				() => undefined,
				(error: unknown) => error,
			);
			if (outcome === undefined) return 'deleted';
			if (isNotFoundAnswer(outcome) && !(await stillThere())) return attempt === 0 ? 'absent' : 'deleted';
			if (!(outcome instanceof UnclearOutcomeError)) throw outcome;
			if (!(await stillThere())) return 'deleted';
			if (attempt >= 1) throw outcome.apiError;
		}
	}

	/** `DELETE /users/{uid}/tokens` without `userLoginId`: every token of the user (sending it twice is harmless). */
	async revokeTokens(user: VeeamUser): Promise<void> {
		await this.client.call({ method: 'DELETE', path: this.client.userPath(user.ref, '/tokens'), idempotent: true });
	}

	private async patch(user: VeeamUser, ops: PatchOperation[]): Promise<VspcUser> {
		const updated = await this.client.patchUser(user, ops);
		this.changed(updated);
		return updated;
	}

	/** `[{"value": "Disabled", "path": "/status", "op": "replace"}]`; the answer must show the status. */
	async setStatus(user: VeeamUser, status: 'Enabled' | 'Disabled'): Promise<VspcUser> {
		const updated = await this.patch(user, [replace('/status', status)]);
		if (!updated.status || !sameName(updated.status, status)) throw this.client.notApplied(user, 'status', updated.status);
		return updated;
	}

	/**
	 * `/mfaPolicyStatus` Enabled | Disabled (UserMfaPolicyStatusInput). Stopping the requirement may
	 * leave `EnabledByInheritance` (the organization requires MFA): the user is returned as it is.
	 */
	async setMfaPolicy(user: VeeamUser, required: boolean): Promise<VspcUser> {
		return await this.updateUser(user, { mfaRequired: required });
	}

	async updateProfile(user: VeeamUser, profile: VspcProfile): Promise<VspcUser> {
		return await this.updateUser(user, { profile });
	}

	/**
	 * Every change in ONE JSON Patch (`/role`, `/mfaPolicyStatus`, `/profile/<field>`), as Veeam's
	 * PatchUser example writes its operations. Nothing to change: the user is read, nothing patched.
	 */
	async updateUser(user: VeeamUser, changes: VspcUserChanges): Promise<VspcUser> {
		const ops: PatchOperation[] = [];
		const role = changes.role ? (vspcRole(changes.role.id) ?? vspcRole(changes.role.name)) : undefined;
		if (changes.role && !role) throw new NodeOperationError(this.node, `Veeam Service Provider Console has no role "${changes.role.name || changes.role.id}"`, { description: 'Nothing was sent.' });
		if (role) ops.push(replace('/role', role.id));
		if (changes.mfaRequired !== undefined) ops.push(replace('/mfaPolicyStatus', changes.mfaRequired ? 'Enabled' : 'Disabled'));
		if (changes.profile) {
			const problem = profileProblem(changes.profile);
			if (problem) throw new NodeOperationError(this.node, `Cannot change ${user.name}'s profile: ${problem}`, { description: 'Nothing was sent.' });
			for (const [field, value] of Object.entries(changes.profile)) {
				if (typeof value === 'string') ops.push(replace(`/profile/${field}`, field === 'title' ? titleOf(value) : value));
			}
		}
		if (ops.length === 0) return (await this.client.fetchUser(user.ref)) ?? user;
		const updated = await this.patch(user, ops);
		if (role && updated.roles[0]?.id !== role.id) throw this.client.notApplied(user, 'role', updated.roles[0]?.id);
		if (changes.mfaRequired === true && updated.mfaEnabled !== true) throw this.client.notApplied(user, 'MFA policy', updated.mfaPolicy);
		return updated;
	}

	/**
	 * Reset MFA: every TOTP login of the user deleted, then the logins read back: a TOTP login still
	 * listed fails the operation (the user would keep the old authenticator).
	 */
	async resetTotp(user: VeeamUser): Promise<void> {
		const totp = (await this.listLogins(user.ref)).filter((l) => l.kind === 'totp');
		for (const login of totp) await this.deleteLogin(user, login.id);
		if (totp.length === 0) return;
		const left = (await this.listLogins(user.ref)).filter((l) => l.kind === 'totp');
		if (left.length) {
			throw new NodeOperationError(this.node, `${user.name}'s TOTP login ${left.map((l) => l.id).join(', ')} is still listed after its delete`, {
				description: 'Veeam Service Provider Console answered the delete but still lists the login: MFA was not reset.',
			});
		}
	}
}
