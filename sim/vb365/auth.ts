/**
 * `POST /{version}/token` and the bearer check. Veeam's v8 spec (`token` operation): a form or
 * JSON body with `grant_type` password (`username`, `password`), refresh_token (`refresh_token`),
 * `urn:ietf:params:oauth:grant-type:jwt-bearer` or `operator` (`client_id`, `assertion`: Microsoft
 * 365 sign-ins, not served here), `disable_antiforgery_token`; the answer `OAuthTokenResponse`
 * `{ access_token, refresh_token, token_type, expires_in, userName, .issued, .expires }`. REST
 * help, "Authorization for Veeam Backup for Microsoft 365 Administrators"
 * (helpcenter.veeam.com/docs/vbo365/rest/authorization.html): "The given access token expires in
 * 60 minutes once issued". `POST /{version}/token/logout`: 204.
 */
import type { SimContext } from '../core/context';
import { tokenAnswer } from '../core/grants';
import { randomBytes } from 'node:crypto';

import { formBody, type SimRequest, type SimResponse } from '../core/http';
import { RawAnswer, vb365BadRequest } from './errors';

/** How a refused token request is answered (Veeam documents only `default`: RESTExceptionInfo). */
export type Vb365TokenErrors = 'oauth' | 'exception';

/**
 * The antiforgery token (REST help, "Authorization for Veeam Backup for Microsoft 365
 * Administrators"): "By default, both an access token and antiforgery tokens are required … The
 * antiforgery token is also required to obtain a new access token using the refresh token", unless
 * the token request sets `disable_antiforgery_token` to true. `enforce` (default): tokens granted
 * without it work only with the antiforgery cookie the token answer set; `off`: never asked. The
 * cookie's name and the 400 for a request without it are assumed (ASP.NET's antiforgery answers 400).
 */
export type Vb365Antiforgery = 'enforce' | 'off';
export const ANTIFORGERY_COOKIE = 'XSRF-TOKEN';
const MAX_TRACKED = 50_000;

export interface Vb365AuthSettings {
	tokenErrors: Vb365TokenErrors;
	antiforgery: Vb365Antiforgery;
}

export class Vb365Auth {
	private readonly logins = new Map<string, { name: string; password: string }>();
	/** Access and refresh tokens granted without `disable_antiforgery_token`, with their antiforgery value. */
	private readonly antiforgery = new Map<string, string>();

	constructor(
		private readonly ctx: SimContext,
		private readonly settings: () => Vb365AuthSettings,
	) {}

	clear(): void {
		this.logins.clear();
		this.antiforgery.clear();
	}

	/** Whether the request carries the antiforgery value (as its cookie, or an `X-XSRF-TOKEN` header). */
	private static carries(req: SimRequest, value: string): boolean {
		const header = req.headers['x-xsrf-token'];
		if ((Array.isArray(header) ? header[0] : header) === value) return true;
		return String(req.headers.cookie ?? '')
			.split(';')
			.some((c) => c.trim() === `${ANTIFORGERY_COOKIE}=${value}`);
	}

	private track(token: string, value: string): void {
		if (this.antiforgery.size >= MAX_TRACKED) this.antiforgery.delete(this.antiforgery.keys().next().value as string);
		this.antiforgery.set(token, value);
	}

	setLogin(name: string, password: string): void {
		this.logins.set(name.toLowerCase(), { name, password });
		this.ctx.secrets.add(password, 'password');
	}

	/** The form (or, as the spec also allows, JSON) fields of a token request. */
	private fields(req: SimRequest): URLSearchParams {
		const type = String(req.headers['content-type'] ?? '').toLowerCase();
		if (!type.includes('application/json')) return formBody(req);
		let parsed: unknown;
		try {
			parsed = JSON.parse(req.rawBody.toString('utf8'));
		} catch {
			throw vb365BadRequest('The request body is not valid JSON.');
		}
		const out = new URLSearchParams();
		if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
			for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) if (v !== null && v !== undefined) out.set(k, String(v));
		}
		return out;
	}

	/**
	 * A refused grant. `oauth` (default, assumed): `OAuthTokenResponse` with `.issued` / `.expires` is
	 * what OWIN's OAuth server answers, whose refusals are RFC 6749's 400 `{ error,
	 * error_description }`; `exception`: 400 RESTExceptionInfo, the spec's `default`.
	 */
	private refuse(error: string, description: string): SimResponse {
		if (this.settings().tokenErrors === 'exception') return { status: 400, body: { message: description, errorCode: 'ParameterValidationFailure', stackTrace: null } };
		return { status: 400, body: { error, error_description: description } };
	}

	token(req: SimRequest): SimResponse {
		const form = this.fields(req);
		const grant = (form.get('grant_type') ?? '').toLowerCase();
		const response = this.grant(grant, form, req);
		this.ctx.stats.countGrant(grant || 'none', response.status);
		return response;
	}

	private grant(grant: string, form: URLSearchParams, req: SimRequest): SimResponse {
		const optOut = /^true$/i.test(form.get('disable_antiforgery_token') ?? '') || this.settings().antiforgery === 'off';
		if (grant === 'password') {
			const username = form.get('username') ?? '';
			const password = form.get('password') ?? '';
			const login = this.logins.get(username.toLowerCase());
			if (!username || !password || !login || login.password !== password) return this.refuse('invalid_grant', 'The user name or password is incorrect.');
			return this.issue(login.name, optOut);
		}
		if (grant === 'refresh_token') {
			const token = form.get('refresh_token') ?? '';
			if (!token) return this.refuse('invalid_request', 'The refresh_token parameter is required for the refresh_token grant.');
			const needed = this.antiforgery.get(token);
			if (needed !== undefined && !optOut && !Vb365Auth.carries(req, needed)) return this.refuse('invalid_grant', 'The antiforgery token is missing or invalid.');
			this.antiforgery.delete(token);
			const check = this.ctx.tokens.useRefresh(token);
			if (!check.ok || !this.logins.has(check.subject.toLowerCase())) return this.refuse('invalid_grant', 'The refresh token is invalid or has expired.');
			return this.issue(check.subject, optOut);
		}
		if (grant === 'operator' || grant === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
			return this.refuse('invalid_grant', 'The assertion is not valid.');
		}
		return this.refuse('unsupported_grant_type', 'The grant_type must be password, refresh_token, urn:ietf:params:oauth:grant-type:jwt-bearer or operator.');
	}

	private issue(subject: string, optOut: boolean): SimResponse {
		const t = this.ctx.tokens.issue(subject);
		const body = tokenAnswer(t);
		const headers: Record<string, string> = {};
		if (!optOut) {
			const value = randomBytes(24).toString('base64url');
			this.track(t.accessToken, value);
			this.track(t.refreshToken, value);
			headers['Set-Cookie'] = `${ANTIFORGERY_COOKIE}=${value}; path=/; secure; samesite=strict`;
		}
		return {
			status: 200,
			headers,
			body: { access_token: body.access_token, token_type: body.token_type, expires_in: body.expires_in, refresh_token: body.refresh_token, userName: subject, '.issued': body['.issued'], '.expires': body['.expires'] },
		};
	}

	/** `POST /{version}/token/logout`: the access token and the subject's refresh tokens end. */
	logout(req: SimRequest): SimResponse {
		this.caller(req);
		const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
		if (bearer) this.ctx.tokens.revoke(bearer);
		return { status: 204 };
	}

	/**
	 * The signed-in account, or 401 with ASP.NET Web API's body `{ message: "Authorization has been
	 * denied for this request." }` (assumed: a RESTExceptionInfo with the message only).
	 */
	caller(req: SimRequest): string {
		const check = this.ctx.tokens.checkAccess(req.headers.authorization);
		if (check.ok && this.logins.has(check.subject.toLowerCase())) {
			const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
			const needed = this.antiforgery.get(bearer);
			if (needed !== undefined && !Vb365Auth.carries(req, needed)) throw vb365BadRequest('The antiforgery token is missing or invalid.');
			return check.subject;
		}
		throw new RawAnswer({ status: 401, headers: { 'WWW-Authenticate': 'Bearer' }, body: { message: 'Authorization has been denied for this request.' } });
	}
}
