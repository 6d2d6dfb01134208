/**
 * The half-done MFA logins of a token endpoint (VBGC, AWS, Azure): the password grant of an account
 * with MFA on hands out an `mfa_token`; the `mfa` grant redeems it with the current TOTP or an
 * unused 8-digit scratch code. A token is single-use, expires, and burns at `mfaMaxFailures` wrong
 * codes. One instance per simulated server, never in module scope.
 */
import { randomBytes } from 'node:crypto';

import type { SimContext } from './context';
import { badRequest, SimHttpError } from './http';
import { verifyTotp } from './totp';

export interface MfaAccount {
	name: string;
	mfa?: { secret: string; scratchCodes: string[] };
}

export interface MfaLoginSettings {
	/** TOTP steps accepted either side of the current 30-s window. */
	totpWindow: number;
	mfaTokenTtlMs: number;
	/** Wrong codes an `mfa_token` takes; the one that reaches this number burns it. */
	mfaMaxFailures: number;
}

interface MfaLogin {
	/** The account's key (`byKey` finds it again). */
	subject: string;
	expiresAt: number;
	failures: number;
}

/** Memory bound: expired MFA logins are swept this often. */
const SWEEP_EVERY = 256;

export class MfaLogins<T extends MfaAccount> {
	private readonly logins = new Map<string, MfaLogin>();
	private opened = 0;

	constructor(
		private readonly ctx: SimContext,
		private readonly settings: MfaLoginSettings,
		private readonly byKey: (key: string) => T | undefined,
	) {}

	reset(): void {
		this.logins.clear();
		this.opened = 0;
	}

	/** A new `mfa_token` for the account with this key (the password was right, MFA is on). */
	open(subject: string): string {
		const mfaToken = randomBytes(32).toString('base64url');
		this.sweep();
		this.logins.set(mfaToken, { subject, expiresAt: this.ctx.clock.now() + this.settings.mfaTokenTtlMs, failures: 0 });
		return mfaToken;
	}

	/** A removed account's (or one whose MFA was turned off) half-done MFA logins end with it. */
	dropFor(subject: string): void {
		for (const [t, l] of this.logins) if (l.subject === subject) this.logins.delete(t);
	}

	/** The `mfa` grant: the account whose token and code these are, or the error the server answers. */
	redeem(form: URLSearchParams): T {
		const now = this.ctx.clock.now();
		const mfaToken = form.get('mfa_token') ?? '';
		const code = (form.get('mfa_code') ?? '').trim();
		if (!mfaToken || !code) throw badRequest('The mfa_token and mfa_code parameters are required for the mfa grant.');
		const login = this.logins.get(mfaToken);
		if (!login) throw new SimHttpError(401, 'InvalidToken', 'The MFA token is invalid or has already been used.');
		if (login.expiresAt <= now) {
			this.logins.delete(mfaToken);
			throw new SimHttpError(401, 'ExpiredToken', 'The MFA token has expired. Log in again.');
		}
		const user = this.byKey(login.subject);
		if (!user?.mfa) {
			// The account was removed or its MFA turned off since the password step.
			this.logins.delete(mfaToken);
			throw new SimHttpError(401, 'InvalidToken', 'The MFA token is invalid or has already been used.');
		}
		if (!this.acceptCode(user, code, now)) {
			login.failures++;
			if (login.failures >= this.settings.mfaMaxFailures) {
				this.logins.delete(mfaToken);
				throw new SimHttpError(401, 'AccessDenied', 'Invalid verification code. Too many attempts: log in again.');
			}
			throw new SimHttpError(401, 'AccessDenied', 'Invalid verification code.');
		}
		this.logins.delete(mfaToken);
		return user;
	}

	/** The current TOTP (within `totpWindow` steps), or an unused 8-digit scratch code, which is then spent. */
	private acceptCode(user: T, code: string, now: number): boolean {
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
		if (++this.opened < SWEEP_EVERY) return;
		this.opened = 0;
		const now = this.ctx.clock.now();
		for (const [t, l] of this.logins) if (l.expiresAt <= now) this.logins.delete(t);
	}
}
