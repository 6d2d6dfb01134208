/**
 * VBGC's token endpoint (`POST /api/v1/token`): the password grant (202 + `mfa_token` for an account
 * with MFA on), the `mfa` grant with a TOTP or scratch code, and the refresh grant. The token
 * answer is Veeam Backup for AWS's `RESTLogin` shape, which VBGC shares (assumption, see the spec).
 */
import type { SimContext } from '../core/context';
import { consumeRefreshToken, tokenAnswer, tokenEndpoint } from '../core/grants';
import { MfaLogins, type MfaLoginSettings } from '../core/mfaLogins';
import { badRequest, SimHttpError, type SimRequest, type SimResponse } from '../core/http';
import type { VbgcUser } from './model';
import { ROLE_PRIORITY } from './roles';

export interface LoginSettings extends MfaLoginSettings {
	/** Refresh-token lifetime with `use_short_term_refresh=true`. */
	shortTermRefreshMs: number;
}

export class VbgcLogins {

	private readonly mfaLogins: MfaLogins<VbgcUser>;

	constructor(
		private readonly ctx: SimContext,
		private readonly settings: LoginSettings,
		/** A user by lower-case name. */
		private readonly userByKey: (key: string) => VbgcUser | undefined,
		private readonly roleName: (id: string) => string,
	) {
		this.mfaLogins = new MfaLogins(ctx, settings, userByKey);
	}

	reset(): void {
		this.mfaLogins.reset();
	}

	token(req: SimRequest): SimResponse {
		return tokenEndpoint(this.ctx, req, (grant, form) => this.grant(grant, form));
	}

	/** A removed account's (or one whose MFA was turned off) half-done MFA logins end with it. */
	dropFor(subject: string): void {
		this.mfaLogins.dropFor(subject);
	}

	private grant(grant: string, form: URLSearchParams): SimResponse {
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
				const mfaToken = this.mfaLogins.open(user.name.toLowerCase());
				return { status: 202, body: { mfa_token: mfaToken, mfa_enabled: true, username: user.name } };
			}
		} else if (grant === 'refresh_token') {
			user = this.userByKey(consumeRefreshToken(this.ctx, form));
			if (!user) throw new SimHttpError(401, 'InvalidToken', 'The refresh token is invalid or has already been used.');
		} else if (grant === 'mfa') {
			user = this.mfaLogins.redeem(form);
		} else if (grant === 'authorization_code') {
			throw badRequest('The authorization_code grant needs a code this server has not issued.');
		} else {
			throw badRequest('The grant_type parameter must be password, refresh_token, mfa or authorization_code.');
		}
		return { status: 200, body: this.issue(user, form) };
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
}
