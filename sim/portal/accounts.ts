/**
 * The accounts of Veeam Backup for AWS and for Microsoft Azure as the simulator keeps them: one
 * role per user, a default administrator, MFA secrets, names matched without regard to case.
 */
import { randomBytes } from 'node:crypto';

import { SimHttpError } from '../core/http';
import { newTotpSecret } from '../core/totp';
import { compareText, newScratchCodes, type MfaSecret } from '../vbgc/model';

export { satisfiesPasswordPolicy, VBGC_PASSWORD_POLICY as PASSWORD_POLICY, type MfaSecret } from '../vbgc/model';

export interface PortalAccount {
	/** The token subject and lookup key: the lower-case name (AWS) or the id (Azure). */
	key: string;
	name: string;
	description: string;
	/** The API's role value (`PortalAdministrator`, `PortalAdmin`, …). */
	role: string;
	/** The built-in administrator (`isDefault`). */
	isDefault: boolean;
	/** A simulator: plain text in memory, never logged, never in `snapshot()`. Absent: no password login. */
	password?: string;
	/** Active MFA. */
	mfa?: MfaSecret;
	/** A secret handed out by enableMfa, active only once acceptMfa confirms it. */
	pendingMfa?: MfaSecret & { token: string };
}

/**
 * Accounts by lower-case name and by key, with a by-name sorted view rebuilt lazily after a
 * create or delete (100k-user lists stay cheap).
 */
export class AccountStore<T extends PortalAccount> {
	private readonly byName = new Map<string, T>();
	private readonly byKey = new Map<string, T>();
	private sorted?: T[];

	get size(): number {
		return this.byName.size;
	}

	named(name: string): T | undefined {
		return this.byName.get(name.toLowerCase());
	}

	keyed(key: string): T | undefined {
		return this.byKey.get(key);
	}

	insert(user: T): void {
		this.byName.set(user.name.toLowerCase(), user);
		this.byKey.set(user.key, user);
		this.sorted = undefined;
	}

	remove(user: T): void {
		this.byName.delete(user.name.toLowerCase());
		this.byKey.delete(user.key);
		this.sorted = undefined;
	}

	clear(): void {
		this.byName.clear();
		this.byKey.clear();
		this.sorted = undefined;
	}

	/** Every account, by name (case-insensitive, then by code point). */
	all(): T[] {
		this.sorted ??= [...this.byName.values()].sort((a, b) => compareText(a.name, b.name));
		return this.sorted;
	}

	count(test: (user: T) => boolean): number {
		let n = 0;
		for (const u of this.byName.values()) if (test(u)) n++;
		return n;
	}
}

/**
 * A role value as the API writes it, from any spelling: `Portal Operator`, `portaloperator`, and
 * `Portal Administrator` for Azure's `PortalAdmin` (and the other way round).
 */
export function findRole(roles: readonly string[], value: string): string | undefined {
	const wanted = value.replace(/[\s_-]/g, '').toLowerCase();
	const short = (role: string) => role.toLowerCase().replace(/administrator$/, 'admin');
	return roles.find((r) => r.toLowerCase() === wanted) ?? roles.find((r) => short(r) === short(wanted));
}

export const conflict = (message: string) => new SimHttpError(400, 'UnexpectedContent', message);

/**
 * The rules both products apply to the built-in and the last administrator (400): the default
 * administrator is never removed and keeps the administrator role; the last administrator is
 * neither removed nor demoted. `remaining` is how many administrators there are besides `user`.
 */
export function checkAdministratorKept(
	user: PortalAccount,
	adminRole: string,
	change: { removed: true } | { role: string },
	remaining: number,
): void {
	const removing = 'removed' in change;
	if (removing && user.isDefault) throw conflict(`The default administrator ${user.name} cannot be removed.`);
	const losesAdmin = user.role === adminRole && (removing || change.role !== adminRole);
	if (!losesAdmin) return;
	if (user.isDefault) throw conflict(`The default administrator ${user.name} must keep the ${adminRole} role.`);
	if (remaining === 0) {
		throw conflict(`${user.name} is the last user with the ${adminRole} role: it cannot be ${removing ? 'removed' : 'given another role'}.`);
	}
}

/** A pending MFA setup: a fresh secret, five scratch codes and the set-up token acceptMfa wants back. */
export function newPendingMfa(): MfaSecret & { token: string } {
	return { secret: newTotpSecret(), scratchCodes: newScratchCodes(), token: randomBytes(32).toString('base64') };
}

export function optionalString(body: Record<string, unknown>, field: string): string | undefined {
	const value = body[field];
	if (value === undefined || value === null) return undefined;
	if (typeof value !== 'string') throw new SimHttpError(400, 'UnexpectedContent', `The ${field} property must be a string.`);
	return value;
}

export function requiredString(body: Record<string, unknown>, field: string): string {
	const value = optionalString(body, field);
	if (value === undefined) throw new SimHttpError(400, 'UnexpectedContent', `The ${field} property is required.`);
	return value;
}

/** The address the client used (`https://host:port`), for `_links` and the otpauth label. */
export function baseUrl(headers: { host?: string }): string {
	return `https://${headers.host ?? '127.0.0.1'}`;
}

export type LinkMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export function link(rel: string, method: LinkMethod, href: string): { rel: string; href: string; method: LinkMethod } {
	return { rel, href, method };
}
