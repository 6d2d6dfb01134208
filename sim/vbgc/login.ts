/**
 * VBGC's token endpoint (`POST /api/v1/token`): the password grant (202 + `mfa_token` for an account
 * with MFA on), the `mfa` grant with a TOTP or scratch code, and the refresh grant. The token
 * answer is Veeam Backup for AWS's `RESTLogin` shape, which VBGC shares (assumption, see the spec).
 */
import { randomBytes } from 'node:crypto';

import type { SimContext } from '../core/context';
import { consumeRefreshToken, tokenAnswer, tokenEndpoint } from '../core/grants';
import { badRequest, SimHttpError, type SimRequest, type SimResponse } from '../core/http';
import { verifyTotp } from '../core/totp';
import type { VbgcUser } from './model';
import { ROLE_PRIORITY } from './roles';

interface MfaLogin {
	/** Lower-case user name. */
	subject: string;
	expiresAt: number;
	failures: number;
}

export interface LoginSettings {
	/** TOTP steps accepted either side of the current 30-s window. */
	totpWindow: number;
	mfaTokenTtlMs: number;
	/** Wrong codes an `mfa_token` takes; the one that reaches this number burns it. */
	mfaMaxFailures: number;
	/** Refresh-token lifetime with `use_short_term_refresh=true`. */
	shortTermRefreshMs: number;
}

/** Memory bound: expired MFA logins are swept this often. */
const SWEEP_EVERY = 256;

export class VbgcLogins {
	private readonly mfaLogins = new Map<string, MfaLogin>();
	private grantsSinceSweep = 0;

	constructor(
		private readonly ctx: SimContext,
		private readonly settings: LoginSettings,
		/** A user by lower-case name. */
		private readonly userByKey: (key: string) => VbgcUser | undefined,
		private readonly roleName: (id: string) => string,
	) {}

	reset(): void {
		this.mfaLogins.clear();
		this.grantsSinceSweep = 0;
	}

	token(req: SimRequest): SimResponse {
		return tokenEndpoint(this.ctx, req, (grant, form) => this.grant(grant, form));
	}

	/** A removed account's (or one whose MFA was turned off) half-done MFA logins end with it. */
	dropFor(subject: string): void {
		for (const [t, l] of this.mfaLogins) if (l.subject === subject) this.mfaLogins.delete(t);
	}

	private grant(grant: string, form: URLSearchParams): SimResponse {
		const now = this.ctx.clock.now();
		let user: VbgcUser | undefined;
		if (grant === 'password') {
			const username = form.get('username') ?? '';
			const password = form.get('password') ?? '';
			if (!username || !password) {
				throw badRequest('The username and password parameters are required for the password grant.');
			}
			user = this.userByKey(username.toLowerCase());
			if (!user || user.password !== password) {
				throw new SimHttpError(401, 'AccessDenied', 'Invalid user name or password.');
			}
			if (user.mfa) {
				// The second step: `grant_type=mfa` with this token and a code from the authenticator.
				const mfaToken = randomBytes(32).toString('base64url');
				this.sweep();
				this.mfaLogins.set(mfaToken, { subject: user.name.toLowerCase(), expiresAt: now + this.settings.mfaTokenTtlMs, failures: 0 });
				return { status: 202, body: { mfa_token: mfaToken, mfa_enabled: true, username: user.name } };
			}
		} else if (grant === 'refresh_token') {
			user = this.userByKey(consumeRefreshToken(this.ctx, form));
			if (!user) throw new SimHttpError(401, 'InvalidToken', 'The refresh token is invalid or has already been used.');
		} else if (grant === 'mfa') {
			user = this.mfaGrant(form, now);
		} else if (grant === 'authorization_code') {
			throw badRequest('The authorization_code grant needs a code this server has not issued.');
		} else {
			throw badRequest('The grant_type parameter must be password, refresh_token, mfa or authorization_code.');
		}
		return { status: 200, body: this.issue(user, form) };
	}

	private mfaGrant(form: URLSearchParams, now: number): VbgcUser {
		const mfaToken = form.get('mfa_token') ?? '';
		const code = (form.get('mfa_code') ?? '').trim();
		if (!mfaToken || !code) throw badRequest('The mfa_token and mfa_code parameters are required for the mfa grant.');
		const login = this.mfaLogins.get(mfaToken);
		if (!login) throw new SimHttpError(401, 'InvalidToken', 'The MFA token is invalid or has already been used.');
		if (login.expiresAt <= now) {
			this.mfaLogins.delete(mfaToken);
			throw new SimHttpError(401, 'ExpiredToken', 'The MFA token has expired. Log in again.');
		}
		const user = this.userByKey(login.subject);
		if (!user?.mfa) {
			// The account was removed or its MFA turned off since the password step.
			this.mfaLogins.delete(mfaToken);
			throw new SimHttpError(401, 'InvalidToken', 'The MFA token is invalid or has already been used.');
		}
		if (!this.acceptMfaCode(user, code, now)) {
			login.failures++;
			if (login.failures >= this.settings.mfaMaxFailures) {
				this.mfaLogins.delete(mfaToken);
				throw new SimHttpError(401, 'AccessDenied', 'Invalid verification code. Too many attempts: log in again.');
			}
			throw new SimHttpError(401, 'AccessDenied', 'Invalid verification code.');
		}
		this.mfaLogins.delete(mfaToken);
		return user;
	}

	/** The current TOTP (within `totpWindow` steps), or an unused 8-digit scratch code, which is then spent. */
	private acceptMfaCode(user: VbgcUser, code: string, now: number): boolean {
		const mfa = user.mfa;
		if (!mfa) return false;
		if (/^\d{6}$/.test(code)) return verifyTotp(mfa.secret, code, now, this.settings.totpWindow);
		if (/^\d{8}$/.test(code)) {
			const index = mfa.scratchCodes.indexOf(code);
			if (index < 0) return false;
			mfa.scratchCodes.splice(index, 1);
			this.ctx.log.record('user.mfaScratchCode', user.name, { remaining: mfa.scratchCodes.length });
			return true;
		}
		return false;
	}

	/** Veeam Backup for AWS's `RESTLogin` shape, which VBGC shares. */
	private issue(user: VbgcUser, form: URLSearchParams): Record<string, unknown> {
		// `use_short_term_refresh`: VBGC's refresh token then lives 60 minutes.
		const shortTerm = /^true$/i.test(form.get('use_short_term_refresh') ?? '');
		const t = this.ctx.tokens.issue(user.name.toLowerCase(), {
			refreshTtlSeconds: shortTerm ? this.settings.shortTermRefreshMs / 1000 : undefined,
		});
		return {
			...tokenAnswer(t),
			username: user.name,
			roleName: this.primaryRoleName(user),
			mfa_enabled: Boolean(user.mfa),
		};
	}

	/**
	 * Assumption: `RESTLogin.roleName` is a single name while a VBGC user may hold several roles;
	 * the simulator reports the most privileged one.
	 */
	private primaryRoleName(user: VbgcUser): string {
		const names = user.roleIds.map((id) => this.roleName(id));
		return ROLE_PRIORITY.find((n) => names.includes(n)) ?? names[0] ?? '';
	}

	/** Bounded memory: drop expired MFA logins now and then. */
	private sweep(): void {
		if (++this.grantsSinceSweep < SWEEP_EVERY) return;
		this.grantsSinceSweep = 0;
		const now = this.ctx.clock.now();
		for (const [t, l] of this.mfaLogins) if (l.expiresAt <= now) this.mfaLogins.delete(t);
	}
}
