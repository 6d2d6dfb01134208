/**
 * VBR's token endpoint (`POST /api/oauth2/token`: password and refresh grants, grant names in any
 * case, `use_short_term_refresh`) and logout, and the bearer-token check of every other route.
 */
import type { SimContext } from '../core/context';
import { consumeRefreshToken, tokenAnswer, tokenEndpoint } from '../core/grants';
import { badRequest, SimHttpError, type SimRequest, type SimResponse } from '../core/http';
import { ok, type VbrLogin } from './model';

export class VbrLogins {
	/** Password by lower-case login name. */
	private logins = new Map<string, string>();

	constructor(
		private readonly ctx: SimContext,
		/** Whether the user a login name names may get a token: undefined when yes, else why not (a 401). */
		private readonly refusal: (login: string) => string | undefined,
	) {}

	reset(logins: VbrLogin[]): void {
		this.logins = new Map(logins.map((l) => [l.name.toLowerCase(), l.password]));
	}

	set(name: string, password: string): void {
		this.logins.set(name.toLowerCase(), password);
	}

	token(req: SimRequest): SimResponse {
		return tokenEndpoint(this.ctx, req, (grant, form) => this.grant(grant, form));
	}

	logout(req: SimRequest): SimResponse {
		const auth = this.ctx.tokens.checkAccess(req.headers.authorization);
		if (!auth.ok) throw unauthorized(auth.reason);
		this.ctx.tokens.revoke(String(req.headers.authorization).replace(/^Bearer\s+/i, ''));
		return ok({});
	}

	/** The lower-case login name a request's bearer token belongs to; a 401 otherwise. */
	subject(req: SimRequest): string {
		const auth = this.ctx.tokens.checkAccess(req.headers.authorization);
		if (!auth.ok) throw unauthorized(auth.reason);
		return auth.subject;
	}

	private grant(grant: string, form: URLSearchParams): SimResponse {
		let subject: string;
		if (grant === 'password') {
			const username = form.get('username') ?? '';
			const password = form.get('password') ?? '';
			if (!username || !password) throw badRequest('The username and password parameters are required for the password grant.');
			const login = this.find(username);
			if (!login || this.logins.get(login) !== password) {
				throw new SimHttpError(401, 'AccessDenied', 'Invalid user name or password.');
			}
			const refused = this.refusal(login);
			if (refused) throw new SimHttpError(401, 'AccessDenied', refused);
			subject = login;
		} else if (grant === 'refresh_token') {
			subject = consumeRefreshToken(this.ctx, form);
		} else if (grant === 'authorization_code' || grant === 'vbr_token') {
			throw badRequest(`The ${grant} grant is not available for this account.`);
		} else {
			throw badRequest('The grant_type parameter must be password, refresh_token, authorization_code or vbr_token.');
		}
		// `use_short_term_refresh`: the refresh token lives as long as the access token plus 15 min.
		const shortTerm = /^true$/i.test(form.get('use_short_term_refresh') ?? '');
		const t = this.ctx.tokens.issue(subject, {
			refreshTtlSeconds: shortTerm ? this.ctx.tokens.policy.accessTtlSeconds + 900 : undefined,
		});
		return ok(tokenAnswer(t));
	}

	/** Login names match whole (`VBR01\admin`) or by the part after the backslash when that is unambiguous. */
	private find(username: string): string | undefined {
		const lower = username.toLowerCase();
		if (this.logins.has(lower)) return lower;
		const matches = [...this.logins.keys()].filter((k) => k.split('\\').pop() === lower);
		return matches.length === 1 ? matches[0] : undefined;
	}
}

function unauthorized(reason: 'missing' | 'invalid' | 'expired'): SimHttpError {
	if (reason === 'expired') return new SimHttpError(401, 'ExpiredToken', 'The access token has expired.');
	if (reason === 'invalid') return new SimHttpError(401, 'InvalidToken', 'The access token is invalid.');
	// The words of Veeam's ErrorAccessDeniedUnauthorizedExample (1.3-rev2 spec), as published.
	return new SimHttpError(401, 'AccessDenied', 'Unauthorized. Get bearer JWT token at /api/login');
}
