/**
 * What the Veeam Backup for AWS and Veeam Backup for Microsoft Azure simulators share: accounts by
 * name with one fixed role each, bearer tokens from the portal token endpoint (login.ts), the
 * Portal Administrator check, the `{ totalCount, results }` list query (paging.ts), the default
 * and last administrator rules, seeding, and problem-details errors (problem.ts).
 */
import type { ProductName, SeedOptions, SimContext, SimProduct } from '../core/context';
import { notFound, Router, SimHttpError, type SimRequest, type SimResponse } from '../core/http';
import { AccountStore, checkAdministratorKept, findRole, type PortalAccount } from './accounts';
import { PortalLogins } from './login';
import { pageOf, pageRequest, parseSort, searchFilter, sortAccounts, type PageRequest, type SortColumns } from './paging';

export interface PortalOptions {
	/** TOTP steps accepted either side of the current 30-s window (default 0: the current window only). */
	totpWindow?: number;
	/** Lifetime of the `mfa_token` a password grant answers with when MFA is on (default 300 s). */
	mfaTokenTtlSeconds?: number;
	/** Wrong codes an `mfa_token` takes; the one that reaches this number burns it (default 5). */
	mfaMaxFailures?: number;
	/** Largest page the user list returns, `Limit=-1` included; unset (default): no clamp. */
	maxPageSize?: number;
	/**
	 * Start without the built-in administrator (as if removed from the appliance's database), so
	 * that the last-administrator rule can be reached: the MFA administrator is then the only one.
	 */
	withoutDefaultAdmin?: boolean;
	/**
	 * Accept any user name of 1 to 64 characters without white space, `/` or `\`, and any
	 * description, instead of the rules Veeam's user guides state (see sim/README.md).
	 */
	lenientValidation?: boolean;
}

export interface ListAnswer<T> {
	results: T[];
	totalCount: number;
	page: PageRequest;
}

export abstract class PortalProduct<T extends PortalAccount> implements SimProduct {
	abstract readonly name: ProductName;
	readonly router = new Router();
	protected readonly users = new AccountStore<T>();
	protected readonly logins: PortalLogins<T>;
	protected seedCounter = 0;

	/** The administrator role's API value. */
	protected abstract readonly adminRole: string;
	/** Every role, as the API writes them. */
	protected abstract readonly roleValues: readonly string[];
	/** The role seeded users get unless told otherwise. */
	protected abstract readonly leastRole: string;
	/** The password of the initial and seeded accounts. */
	protected abstract readonly defaultPassword: string;
	/** The list's page size when `Limit` is absent (-1: all). */
	protected abstract readonly defaultPageSize: number;

	constructor(
		protected readonly ctx: SimContext,
		protected readonly portalOptions: PortalOptions,
		otherGrants: readonly string[],
	) {
		this.logins = new PortalLogins<T>(
			ctx,
			{
				totpWindow: portalOptions.totpWindow ?? 0,
				mfaTokenTtlMs: (portalOptions.mfaTokenTtlSeconds ?? 300) * 1000,
				mfaMaxFailures: portalOptions.mfaMaxFailures ?? 5,
				otherGrants,
			},
			{
				byName: (name) => this.users.named(name),
				byKey: (key) => this.users.keyed(key),
				tokenFields: (user) => this.tokenFields(user),
				challenge: (user, token) => this.challenge(user, token),
				refreshTtlSeconds: (form) => this.refreshTtlSeconds?.(form),
			},
		);
	}

	abstract checkApiVersion(req: SimRequest): void;
	abstract serveVersions(versions: string[]): void;
	abstract errorResponse(err: SimHttpError): SimResponse;
	abstract snapshot(): Record<string, unknown>;
	/** The initial accounts (reset() inserts them). */
	protected abstract initialUsers(): T[];
	/** A new account: a local one with a password, or (Azure, `identityProvider`) a directory one. */
	protected abstract newAccount(name: string, role: string, password: string, extra?: { description?: string; identityProvider?: boolean }): T;
	/** Why this name cannot be a new user's, or undefined. */
	protected abstract nameProblem(name: string, identityProvider?: boolean): string | undefined;
	protected abstract tokenFields(user: T): Record<string, unknown>;
	protected abstract challenge(user: T, mfaToken: string): Record<string, unknown>;
	/** A refresh-token lifetime other than the policy's for this token request, if any. */
	protected refreshTtlSeconds?(form: URLSearchParams): number | undefined;

	reset(): void {
		this.users.clear();
		this.logins.reset();
		this.seedCounter = 0;
		for (const user of this.initialUsers()) {
			if (user.isDefault && this.portalOptions.withoutDefaultAdmin) continue;
			this.insert(user);
		}
	}

	/** Sets the password of an existing user, or adds a Portal Administrator with that password. */
	setLogin(name: string, password: string): void {
		const user = this.users.named(name);
		if (user) {
			if (user.password === undefined) throw new Error(`${user.name} signs in through the identity provider: it has no password`);
			user.password = password;
			this.ctx.secrets.add(password, 'password');
			return;
		}
		const problem = this.nameProblem(name);
		if (problem) throw new Error(problem);
		this.insert(this.newAccount(name, this.adminRole, password));
	}

	/** Adds `<prefix><n>` users (n zero-padded to 6 digits), fast: one sort on the next list. */
	seedUsers(opts: SeedOptions & { type?: string }): number {
		const roles = (opts.roles ?? [this.leastRole]).map((r) => {
			const found = findRole(this.roleValues, r);
			if (!found) throw new Error(`unknown ${this.name} role ${r}; roles are ${this.roleValues.join(', ')}`);
			return found;
		});
		if (roles.length !== 1) throw new Error(`a ${this.name} user holds exactly one role, not ${roles.length}`);
		const identityProvider = opts.type === 'IdentityProvider';
		const prefix = opts.prefix ?? (identityProvider ? 'seed.user' : 'seed_user');
		const problem = this.nameProblem(`${prefix}000000${identityProvider ? '@example.com' : ''}`, identityProvider);
		if (problem) throw new Error(`seeded names ${prefix}…: ${problem}`);
		let added = 0;
		while (added < opts.count) {
			const n = ++this.seedCounter;
			const name = `${prefix}${String(n).padStart(6, '0')}${identityProvider ? '@example.com' : ''}`;
			if (this.users.named(name)) continue;
			this.insert(this.newAccount(name, roles[0], this.defaultPassword, { description: `Seeded user ${n}`, identityProvider }));
			added++;
		}
		this.ctx.log.record('seed', prefix, { count: added });
		return added;
	}

	// ---- authentication -----------------------------------------------------------------------

	protected caller(req: SimRequest, tokenPath: string): T {
		const auth = this.ctx.tokens.checkAccess(req.headers.authorization);
		if (!auth.ok) {
			if (auth.reason === 'expired') throw new SimHttpError(401, 'ExpiredToken', 'The access token has expired.');
			if (auth.reason === 'invalid') throw new SimHttpError(401, 'InvalidToken', 'The access token is invalid.');
			throw new SimHttpError(401, 'AccessDenied', `Unauthorized. Get a bearer token at ${tokenPath}.`);
		}
		const user = this.users.keyed(auth.subject);
		if (!user) throw new SimHttpError(401, 'InvalidToken', 'The access token is invalid.');
		return user;
	}

	protected forbidden(): SimHttpError {
		return new SimHttpError(403, 'AccessDenied', `Forbidden. This operation requires the ${this.adminRole} role.`);
	}

	// ---- users --------------------------------------------------------------------------------

	protected insert(user: T): void {
		this.users.insert(user);
		if (user.password !== undefined) this.ctx.secrets.add(user.password, 'password');
		if (user.mfa) {
			this.ctx.secrets.add(user.mfa.secret, 'mfaSecret');
			for (const code of user.mfa.scratchCodes) this.ctx.secrets.add(code, 'scratchCode');
		}
	}

	protected mustFind(user: T | undefined, ref: string): T {
		if (!user) throw notFound(`The user ${ref} does not exist.`);
		return user;
	}

	/** The users the list query selects, sorted, and the page asked for. */
	protected listUsers(req: SimRequest, columns: SortColumns<T>, filter?: (user: T) => boolean): ListAnswer<T> {
		const page = pageRequest(req.query, this.defaultPageSize, this.portalOptions.maxPageSize);
		const keys = parseSort(req.query, columns);
		const search = searchFilter(req.query);
		let list = this.users.all();
		if (search || filter) list = list.filter((u) => (!search || search(u.name)) && (!filter || filter(u)));
		list = sortAccounts(list, keys);
		return { results: pageOf(list, page), totalCount: list.length, page };
	}

	/** A role from a request body, as the API writes it; 400 for any other value. */
	protected parseRole(value: unknown): string {
		const found = typeof value === 'string' ? this.roleValues.find((r) => r === value) : undefined;
		if (!found) throw new SimHttpError(400, 'UnexpectedContent', `The role must be one of ${this.roleValues.join(', ')}.`);
		return found;
	}

	/** Gives `user` another role, keeping the default and the last administrator (400 otherwise). */
	protected changeRole(user: T, role: string, detail: Record<string, unknown>): void {
		if (role === user.role) return;
		checkAdministratorKept(user, this.adminRole, { role }, this.administratorsBesides(user));
		detail.role = { from: user.role, to: role };
		user.role = role;
	}

	/** Removes `user` and ends its sessions and half-done MFA logins (204). */
	protected removeUser(user: T): SimResponse {
		checkAdministratorKept(user, this.adminRole, { removed: true }, this.administratorsBesides(user));
		this.users.remove(user);
		this.ctx.tokens.revokeSubject(user.key);
		this.logins.dropFor(user.key);
		this.ctx.log.record('user.delete', user.name);
		return { status: 204 };
	}

	private administratorsBesides(user: T): number {
		return this.users.count((u) => u !== user && u.role === this.adminRole);
	}
}
