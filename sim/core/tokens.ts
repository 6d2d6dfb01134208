import { randomBytes } from 'node:crypto';
import type { SimClock } from './clock';

export interface TokenPolicy {
	/** Access-token lifetime in seconds (Veeam: 15 min by default). */
	accessTtlSeconds: number;
	/** Refresh-token lifetime in seconds (Veeam: 14 days). */
	refreshTtlSeconds: number;
}

export interface IssuedTokens {
	accessToken: string;
	refreshToken: string;
	expiresIn: number;
	issuedAt: Date;
	expiresAt: Date;
}

export type AccessCheck =
	| { ok: true; subject: string }
	| { ok: false; reason: 'missing' | 'invalid' | 'expired' };

export type RefreshCheck = { ok: true; subject: string } | { ok: false; reason: 'invalid' | 'expired' | 'refused' };

interface Grant {
	subject: string;
	expiresAt: number;
}

/**
 * Opaque bearer tokens with real expiry and single-use refresh tokens.
 * The subject is the login name the token was issued to.
 */
export class TokenService {
	private readonly access = new Map<string, Grant>();
	private readonly refresh = new Map<string, Grant>();
	/** Refresh grants still to refuse (fault injection). */
	private refuseNextRefreshes = 0;
	private issuesSinceSweep = 0;
	issuedCount = 0;

	constructor(
		private readonly clock: SimClock,
		readonly policy: TokenPolicy,
	) {}

	/** `refreshTtlSeconds` overrides the policy, e.g. for `use_short_term_refresh`. */
	issue(subject: string, opts: { refreshTtlSeconds?: number } = {}): IssuedTokens {
		this.sweep();
		const now = this.clock.now();
		const accessToken = token('at');
		const refreshToken = token('rt');
		const accessExpires = now + this.policy.accessTtlSeconds * 1000;
		const refreshTtl = opts.refreshTtlSeconds ?? this.policy.refreshTtlSeconds;
		this.access.set(accessToken, { subject, expiresAt: accessExpires });
		this.refresh.set(refreshToken, { subject, expiresAt: now + refreshTtl * 1000 });
		this.issuedCount++;
		return {
			accessToken,
			refreshToken,
			expiresIn: this.policy.accessTtlSeconds,
			issuedAt: new Date(now),
			expiresAt: new Date(accessExpires),
		};
	}

	checkAccess(authorization: string | undefined): AccessCheck {
		const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
		if (!match) return { ok: false, reason: 'missing' };
		const grant = this.access.get(match[1]);
		if (!grant) return { ok: false, reason: 'invalid' };
		if (grant.expiresAt <= this.clock.now()) return { ok: false, reason: 'expired' };
		return { ok: true, subject: grant.subject };
	}

	/** Consumes a refresh token: it is gone after this call whatever the outcome (single use). */
	useRefresh(refreshToken: string): RefreshCheck {
		const grant = this.refresh.get(refreshToken);
		this.refresh.delete(refreshToken);
		if (!grant) return { ok: false, reason: 'invalid' };
		if (this.refuseNextRefreshes > 0) {
			this.refuseNextRefreshes--;
			return { ok: false, reason: 'refused' };
		}
		if (grant.expiresAt <= this.clock.now()) return { ok: false, reason: 'expired' };
		return { ok: true, subject: grant.subject };
	}

	/** Fault: every access token issued so far stops working now. */
	expireAllAccess(): number {
		const n = this.access.size;
		this.access.clear();
		return n;
	}

	/** Fault: refuse the next `count` refresh grants; with `revokeAll`, also forget every refresh token. */
	refuseRefresh(count: number, revokeAll = false): void {
		this.refuseNextRefreshes += count;
		if (revokeAll) this.refresh.clear();
	}

	/** Logout: the access token and every refresh token of its subject stop working. */
	revoke(accessToken: string): void {
		const grant = this.access.get(accessToken);
		this.access.delete(accessToken);
		if (!grant) return;
		for (const [t, g] of this.refresh) if (g.subject === grant.subject) this.refresh.delete(t);
	}

	revokeSubject(subject: string): void {
		for (const [t, g] of this.access) if (g.subject === subject) this.access.delete(t);
		for (const [t, g] of this.refresh) if (g.subject === subject) this.refresh.delete(t);
	}

	clear(): void {
		this.access.clear();
		this.refresh.clear();
		this.refuseNextRefreshes = 0;
		this.issuedCount = 0;
	}

	/** Bounded memory: drop expired grants (cheap, amortised over issues). */
	private sweep(): void {
		if (++this.issuesSinceSweep < 256) return;
		this.issuesSinceSweep = 0;
		const now = this.clock.now();
		for (const [t, g] of this.access) if (g.expiresAt <= now) this.access.delete(t);
		for (const [t, g] of this.refresh) if (g.expiresAt <= now) this.refresh.delete(t);
	}
}

function token(prefix: string): string {
	return `${prefix}.${randomBytes(32).toString('base64url')}`;
}
