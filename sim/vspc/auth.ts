/**
 * Who is calling: `POST /api/v3/token` (the 3.6.1 spec's OAuth2IssueToken: grants password,
 * refresh_token and mfa with `mfa_token` + `mfa_code`; a refusal is 400 `OAuth2Error`), bearer
 * access tokens (1 hour by default: REST help, "Authorization and Security",
 * helpcenter.veeam.com/docs/vac/rest/authorization_v3.html) and API keys ("API Key-Based
 * Authorization", …/rest/api_keys.html: "active until the associated user identity is disabled or
 * deleted"). A token's subject is `<userUid>#<loginId>[#ro]`, so tokens can be revoked per login.
 */
import { randomBytes } from 'node:crypto';

import type { SimContext } from '../core/context';
import { tokenEndpoint } from '../core/grants';
import type { SimRequest, SimResponse } from '../core/http';
import { verifyTotp } from '../core/totp';
import { LOGIN_REFUSED, oauthError, vspcForbidden, vspcUnauthorized } from './errors';
import type { VspcLoginRecord, VspcOrg, VspcUserRecord } from './model';
import type { VspcStore } from './store';
import { mfaPolicyStatus } from './views';

export interface VspcCaller {
	user: VspcUserRecord;
	org: VspcOrg | undefined;
	login: VspcLoginRecord;
	/** A read-only token or API key: GET only. */
	readOnly: boolean;
	/** Signed in with an API key rather than an access token. */
	apiKey: boolean;
}

export interface VspcAuthSettings {
	/** TOTP steps accepted either side of the current 30-s window (default 0). */
	totpWindow: number;
	mfaTokenTtlMs: number;
	mfaMaxFailures: number;
	/** What a password grant answers for a user with a TOTP login: a refusal or an `mfa_token`. */
	mfaPasswordGrant: 'challenge' | 'refuse';
	/** A user whose MFA policy is Enabled (or inherited) is refused the password grant. */
	mfaPolicyBlocksPasswordGrant: boolean;
}

interface MfaLogin {
	subject: string;
	expiresAt: number;
	failures: number;
}

export class VspcAuth {
	private readonly mfaLogins = new Map<string, MfaLogin>();

	constructor(
		private readonly ctx: SimContext,
		private readonly store: VspcStore,
		private readonly settings: VspcAuthSettings,
	) {}

	reset(): void {
		this.mfaLogins.clear();
	}

	/** Why this user and login cannot sign in now, or undefined. */
	private refusal(user: VspcUserRecord | undefined, login: VspcLoginRecord | undefined): string | undefined {
		if (!user || !login || login.userUid !== user.uid) return 'unknown';
		if (user.status !== 'Enabled' || login.status !== 'enabled') return 'disabled';
		const org = this.store.orgs.get(user.organizationUid);
		// Assumption: users of a company that is disabled or no longer exists cannot sign in (their
		// logins read `disabledDueToCompany`).
		if (!org || (org.type === 'Company' && org.status !== 'Active')) return 'organization';
		return undefined;
	}

	/** `POST /api/v3/token`. */
	token(req: SimRequest): SimResponse {
		return tokenEndpoint(this.ctx, req, (grant, form) => this.grant(grant, form));
	}

	private issue(user: VspcUserRecord, login: VspcLoginRecord, readOnly: boolean): SimResponse {
		const t = this.ctx.tokens.issue(`${user.uid}#${login.id}${readOnly ? '#ro' : ''}`);
		// The fields and order of Veeam's example answer (SectionOverview of the 3.6.1 reference).
		return {
			status: 200,
			body: { access_token: t.accessToken, token_type: 'bearer', refresh_token: t.refreshToken, mfa_token: null, encrypted_code: null, expires_in: t.expiresIn },
		};
	}

	private grant(grant: string, form: URLSearchParams): SimResponse {
		const readOnly = /^true$/i.test(form.get('readOnly') ?? '');
		if (grant === 'password') {
			const username = form.get('username') ?? '';
			const password = form.get('password') ?? '';
			if (!username || !password) return oauthError('invalid_request', 'The username and password parameters are required for the password grant.');
			const user = this.store.userNamed(username);
			const login = user && this.store.passwordLogin(user.uid);
			if (!user || !login || user.password !== password || this.refusal(user, login)) return oauthError('invalid_request', LOGIN_REFUSED);
			if (this.settings.mfaPolicyBlocksPasswordGrant && mfaPolicyStatus(user, this.store) !== 'Disabled') return oauthError('invalid_request', LOGIN_REFUSED);
			if (this.store.loginsOf(user.uid).some((l) => l.kind === 'totp' && l.status === 'enabled')) {
				// The 3.6.1 reference, "Multi-Factor Authentication": a user with a second factor "can no
				// longer authenticate with user name and password to the REST API" (`refuse`, default).
				if (this.settings.mfaPasswordGrant === 'refuse') return oauthError('invalid_request', LOGIN_REFUSED);
				// `challenge` (inferred from OAuth2Result.mfa_token and the mfa grant's fields): the
				// second factor is asked, an `mfa_token` and no access token.
				const mfaToken = randomBytes(32).toString('base64url');
				this.mfaLogins.set(mfaToken, { subject: `${user.uid}#${login.id}${readOnly ? '#ro' : ''}`, expiresAt: this.ctx.clock.now() + this.settings.mfaTokenTtlMs, failures: 0 });
				this.sweep();
				return { status: 200, body: { access_token: null, token_type: null, refresh_token: null, mfa_token: mfaToken, encrypted_code: null } };
			}
			return this.issue(user, login, readOnly);
		}
		if (grant === 'refresh_token') {
			const token = form.get('refresh_token') ?? '';
			if (!token) return oauthError('invalid_request', 'The refresh_token parameter is required for the refresh_token grant.');
			const check = this.ctx.tokens.useRefresh(token);
			if (!check.ok) return oauthError('invalid_grant', check.reason === 'expired' ? 'The refresh token has expired.' : 'The refresh token is invalid or has already been used.');
			const found = this.bySubject(check.subject);
			if (!found || this.refusal(found.user, found.login)) return oauthError('invalid_grant', 'The refresh token is invalid or has already been used.');
			return this.issue(found.user, found.login, found.readOnly);
		}
		if (grant === 'mfa') return this.mfa(form);
		if (['authorization_code', 'public_key', 'as'].includes(grant)) {
			return oauthError('invalid_grant', `The ${grant} grant needs a code or key this server has not issued.`);
		}
		return oauthError('unsupported_grant_type', 'The grant_type must be one of password, refresh_token, authorization_code, public_key, mfa, as.');
	}

	private mfa(form: URLSearchParams): SimResponse {
		const mfaToken = form.get('mfa_token') ?? '';
		const code = (form.get('mfa_code') ?? '').trim();
		if (!mfaToken || !code) return oauthError('invalid_request', 'The mfa_token and mfa_code parameters are required for the mfa grant.');
		const pending = this.mfaLogins.get(mfaToken);
		const now = this.ctx.clock.now();
		if (!pending || pending.expiresAt <= now) {
			this.mfaLogins.delete(mfaToken);
			return oauthError('invalid_grant', 'The MFA token is invalid or has expired. Log in again.');
		}
		const found = this.bySubject(pending.subject);
		if (!found || this.refusal(found.user, found.login)) {
			this.mfaLogins.delete(mfaToken);
			return oauthError('invalid_grant', 'The MFA token is invalid or has expired. Log in again.');
		}
		const secrets = this.store.loginsOf(found.user.uid).filter((l) => l.kind === 'totp' && l.status === 'enabled' && l.secret);
		if (!secrets.some((l) => verifyTotp(l.secret ?? '', code, now, this.settings.totpWindow))) {
			pending.failures++;
			if (pending.failures >= this.settings.mfaMaxFailures) this.mfaLogins.delete(mfaToken);
			return oauthError('invalid_grant', 'Invalid verification code.');
		}
		this.mfaLogins.delete(mfaToken);
		return this.issue(found.user, found.login, found.readOnly);
	}

	private bySubject(subject: string): { user: VspcUserRecord; login: VspcLoginRecord; readOnly: boolean } | undefined {
		const [uid, loginId, ro] = subject.split('#');
		const user = this.store.users.get(uid);
		const login = this.store.logins.get(Number(loginId));
		if (!user || !login) return undefined;
		return { user, login, readOnly: ro === 'ro' };
	}

	/** The signed-in caller, or 401 (no, expired or revoked token; a disabled user or login). */
	caller(req: SimRequest): VspcCaller {
		const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
		if (!bearer) throw vspcUnauthorized('Authorization has been denied for this request: no bearer token.');
		const check = this.ctx.tokens.checkAccess(req.headers.authorization);
		let caller: VspcCaller | undefined;
		if (check.ok) {
			const found = this.bySubject(check.subject);
			if (found && !this.refusal(found.user, found.login)) {
				caller = { ...found, org: this.store.orgs.get(found.user.organizationUid), apiKey: false };
			}
		} else {
			const login = this.store.loginByKey(bearer);
			const user = login && this.store.users.get(login.userUid);
			// Assumption: an API key works for REST calls when its scopes include `rest`.
			if (login && user && login.scopes.includes('rest') && !this.refusal(user, login)) {
				caller = { user, login, org: this.store.orgs.get(user.organizationUid), readOnly: login.isReadAccessOnly, apiKey: true };
			}
			if (!caller && check.reason === 'expired') throw vspcUnauthorized('The access token has expired.');
		}
		if (!caller) throw vspcUnauthorized('Authorization has been denied for this request.');
		if (caller.readOnly && req.method !== 'GET') throw vspcForbidden('The access token grants read-only access.');
		return caller;
	}

	/** A user's tokens end: every login's, or one login's (`DELETE /users/{userUid}/tokens?userLoginId=`). */
	revoke(user: VspcUserRecord, loginId?: number): void {
		const logins = loginId === undefined ? this.store.loginsOf(user.uid) : this.store.loginsOf(user.uid).filter((l) => l.id === loginId);
		for (const l of logins) {
			this.ctx.tokens.revokeSubject(`${user.uid}#${l.id}`);
			this.ctx.tokens.revokeSubject(`${user.uid}#${l.id}#ro`);
		}
		for (const [t, m] of this.mfaLogins) if (m.subject.startsWith(`${user.uid}#`)) this.mfaLogins.delete(t);
	}

	private sweep(): void {
		if (this.mfaLogins.size < 1024) return;
		const now = this.ctx.clock.now();
		for (const [t, m] of this.mfaLogins) if (m.expiresAt <= now) this.mfaLogins.delete(t);
	}
}
