/**
 * The token endpoint of Veeam Backup for AWS (`POST /api/v1/token`) and for Microsoft Azure
 * (`POST /api/oauth2/token`): the password grant, which for an account with MFA on answers **200**
 * with an `mfa_token` and no access token (AWS: `RESTLogin` holds both in one 200 schema; Azure
 * help, "Requesting Authorization": "returns the 200 response code … an mfa token"), the `mfa`
 * grant with a TOTP or scratch code, and the single-use refresh grant.
 */
import type { SimContext } from '../core/context';
import { consumeRefreshToken, tokenAnswer, tokenEndpoint } from '../core/grants';
import { MfaLogins, type MfaLoginSettings } from '../core/mfaLogins';
import { badRequest, SimHttpError, type SimRequest, type SimResponse } from '../core/http';
import type { PortalAccount } from './accounts';

export interface PortalLoginSettings extends MfaLoginSettings {
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

export class PortalLogins<T extends PortalAccount> {

	private readonly mfaLogins: MfaLogins<T>;

	constructor(
		private readonly ctx: SimContext,
		private readonly settings: PortalLoginSettings,
		private readonly hooks: PortalLoginHooks<T>,
	) {
		this.mfaLogins = new MfaLogins(ctx, settings, (key) => hooks.byKey(key));
	}

	reset(): void {
		this.mfaLogins.reset();
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
		this.mfaLogins.dropFor(subject);
	}

	private grant(grant: string, form: URLSearchParams): SimResponse {
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
				const mfaToken = this.mfaLogins.open(user.key);
				return { status: 200, body: this.hooks.challenge(user, mfaToken) };
			}
		} else if (grant === 'refresh_token') {
			user = this.hooks.byKey(consumeRefreshToken(this.ctx, form));
			if (!user) throw new SimHttpError(401, 'InvalidToken', 'The refresh token is invalid or has already been used.');
		} else if (grant === 'mfa') {
			user = this.mfaLogins.redeem(form);
		} else if (this.settings.otherGrants.includes(grant)) {
			throw badRequest(`The ${grant} grant needs a code or token this server has not issued.`);
		} else {
			throw badRequest(`The grant_type parameter must be one of password, refresh_token, mfa, ${this.settings.otherGrants.join(', ')}.`);
		}
		const t = this.ctx.tokens.issue(user.key, { refreshTtlSeconds: this.hooks.refreshTtlSeconds?.(form) });
		return { status: 200, body: { ...tokenAnswer(t), ...this.hooks.tokenFields(user) } };
	}
}

function lowerCaseKeys(form: URLSearchParams): URLSearchParams {
	return new URLSearchParams([...form].map(([k, v]): [string, string] => [k.toLowerCase(), v]));
}
