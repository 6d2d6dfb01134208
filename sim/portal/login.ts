/**
 * The token endpoint of Veeam Backup for AWS (`POST /api/v1/token`) and for Microsoft Azure
 * (`POST /api/oauth2/token`): the password grant, which for an account with MFA on answers **200**
 * with an `mfa_token` and no access token (AWS: `RESTLogin` holds both in one 200 schema; Azure
 * help, "Requesting Authorization": "returns the 200 response code … an mfa token"), the `mfa`
 * grant with a TOTP or scratch code, and the single-use refresh grant.
 */
import { randomBytes } from 'node:crypto';

import type { SimContext } from '../core/context';
import { consumeRefreshToken, tokenAnswer, tokenEndpoint } from '../core/grants';
import { badRequest, SimHttpError, type SimRequest, type SimResponse } from '../core/http';
import { verifyTotp } from '../core/totp';
import type { PortalAccount } from './accounts';

interface MfaLogin {
	/** The account's key. */
	subject: string;
	expiresAt: number;
	failures: number;
}

export interface PortalLoginSettings {
	/** TOTP steps accepted either side of the current 30-s window. */
	totpWindow: number;
	mfaTokenTtlMs: number;
	/** Wrong codes an `mfa_token` takes; the one that reaches this number burns it. */
	mfaMaxFailures: number;
	/** Grant types the product documents that the simulator does not implement (answered 400). */
	otherGrants: readonly string[];
}

export interface PortalLoginHooks<T extends PortalAccount> {
	byName(name: string): T | undefined;
	byKey(key: string): T | undefined;
	/** What the token answer holds besides `access_token` … `.expires` (`username`, `roleName`, …). */
	tokenFields(user: T): Record<string, unknown>;
	/** The 200 answer to a password grant when MFA is on: an `mfa_token`, no access token. */
	challenge(user: T, mfaToken: string): Record<string, unknown>;
	/** A refresh-token lifetime other than the policy's for this request (Azure's `short_lived_refresh_token`). */
	refreshTtlSeconds?(form: URLSearchParams): number | undefined;
}

/** Memory bound: expired MFA logins are swept this often. */
const SWEEP_EVERY = 256;

export class PortalLogins<T extends PortalAccount> {
	private readonly mfaLogins = new Map<string, MfaLogin>();
	private grantsSinceSweep = 0;

	constructor(
		private readonly ctx: SimContext,
		private readonly settings: PortalLoginSettings,
		private readonly hooks: PortalLoginHooks<T>,
	) {}

	reset(): void {
		this.mfaLogins.clear();
		this.grantsSinceSweep = 0;
	}

	/**
	 * Assumption: form field names bind without regard to case (ASP.NET Core; Azure's old help
	 * writes `Username` and `Password`), grant names too (Azure's spec writes `Password`, `Mfa`).
	 */
	token(req: SimRequest): SimResponse {
		const type = String(req.headers['content-type'] ?? '');
		const normalised = type.toLowerCase().includes('application/x-www-form-urlencoded')
			? { ...req, rawBody: Buffer.from(lowerCaseKeys(new URLSearchParams(req.rawBody.toString('utf8'))).toString()) }
			: req;
		return tokenEndpoint(this.ctx, normalised, (grant, form) => this.grant(grant, form));
	}

	/** A removed account's (or one whose MFA was turned off) half-done MFA logins end with it. */
	dropFor(subject: string): void {
		for (const [t, l] of this.mfaLogins) if (l.subject === subject) this.mfaLogins.delete(t);
	}

	private grant(grant: string, form: URLSearchParams): SimResponse {
		const now = this.ctx.clock.now();
		let user: T | undefined;
		if (grant === 'password') {
			const username = form.get('username') ?? '';
			const password = form.get('password') ?? '';
			if (!username || !password) throw badRequest('The username and password parameters are required for the password grant.');
			user = this.hooks.byName(username);
			// An account without a password (Azure: an identity-provider user) signs in through SSO only.
			if (!user || user.password === undefined || user.password !== password) {
				throw new SimHttpError(401, 'AccessDenied', 'Invalid user name or password.');
			}
			if (user.mfa) {
				const mfaToken = randomBytes(32).toString('base64url');
				this.sweep();
				this.mfaLogins.set(mfaToken, { subject: user.key, expiresAt: now + this.settings.mfaTokenTtlMs, failures: 0 });
				return { status: 200, body: this.hooks.challenge(user, mfaToken) };
			}
		} else if (grant === 'refresh_token') {
			user = this.hooks.byKey(consumeRefreshToken(this.ctx, form));
			if (!user) throw new SimHttpError(401, 'InvalidToken', 'The refresh token is invalid or has already been used.');
		} else if (grant === 'mfa') {
			user = this.mfaGrant(form, now);
		} else if (this.settings.otherGrants.includes(grant)) {
			throw badRequest(`The ${grant} grant needs a code or token this server has not issued.`);
		} else {
			throw badRequest(`The grant_type parameter must be one of password, refresh_token, mfa, ${this.settings.otherGrants.join(', ')}.`);
		}
		const t = this.ctx.tokens.issue(user.key, { refreshTtlSeconds: this.hooks.refreshTtlSeconds?.(form) });
		return { status: 200, body: { ...tokenAnswer(t), ...this.hooks.tokenFields(user) } };
	}

	private mfaGrant(form: URLSearchParams, now: number): T {
		const mfaToken = form.get('mfa_token') ?? '';
		const code = (form.get('mfa_code') ?? '').trim();
		if (!mfaToken || !code) throw badRequest('The mfa_token and mfa_code parameters are required for the mfa grant.');
		const login = this.mfaLogins.get(mfaToken);
		if (!login) throw new SimHttpError(401, 'InvalidToken', 'The MFA token is invalid or has already been used.');
		if (login.expiresAt <= now) {
			this.mfaLogins.delete(mfaToken);
			throw new SimHttpError(401, 'ExpiredToken', 'The MFA token has expired. Log in again.');
		}
		const user = this.hooks.byKey(login.subject);
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
	private acceptMfaCode(user: T, code: string, now: number): boolean {
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

	/** Bounded memory: drop expired MFA logins now and then. */
	private sweep(): void {
		if (++this.grantsSinceSweep < SWEEP_EVERY) return;
		this.grantsSinceSweep = 0;
		const now = this.ctx.clock.now();
		for (const [t, l] of this.mfaLogins) if (l.expiresAt <= now) this.mfaLogins.delete(t);
	}
}

function lowerCaseKeys(form: URLSearchParams): URLSearchParams {
	return new URLSearchParams([...form].map(([k, v]): [string, string] => [k.toLowerCase(), v]));
}
