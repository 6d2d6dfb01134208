import type { SimContext } from './context';
import type { IssuedTokens } from './tokens';
import { badRequest, formBody, SimHttpError, type SimRequest, type SimResponse } from './http';

/**
 * The token endpoint's shared part: the form body, grant types in any case (VBR's spec writes
 * `Password`, `Refresh_token`…; its text and real servers use lower case), and counting each
 * grant with its outcome in the statistics.
 */
export function tokenEndpoint(
	ctx: SimContext,
	req: SimRequest,
	grantFn: (grant: string, form: URLSearchParams) => SimResponse,
): SimResponse {
	const form = formBody(req);
	const grant = (form.get('grant_type') ?? '').toLowerCase();
	try {
		const response = grantFn(grant, form);
		ctx.stats.countGrant(grant, response.status);
		return response;
	} catch (err) {
		if (err instanceof SimHttpError) ctx.stats.countGrant(grant || 'none', err.status);
		throw err;
	}
}

/** The refresh_token grant: consumes the single-use refresh token and returns its subject. */
export function consumeRefreshToken(ctx: SimContext, form: URLSearchParams): string {
	const token = form.get('refresh_token') ?? '';
	if (!token) throw badRequest('The refresh_token parameter is required for the refresh_token grant.');
	const check = ctx.tokens.useRefresh(token);
	if (!check.ok) {
		throw new SimHttpError(
			401,
			check.reason === 'expired' ? 'ExpiredToken' : 'InvalidToken',
			check.reason === 'expired' ? 'The refresh token has expired.' : 'The refresh token is invalid or has already been used.',
		);
	}
	return check.subject;
}

/** The fields both products' token answers share (VBR's `TokenModel`; VBGC adds its own). */
export function tokenAnswer(t: IssuedTokens): Record<string, unknown> {
	return {
		access_token: t.accessToken,
		token_type: 'bearer',
		refresh_token: t.refreshToken,
		expires_in: t.expiresIn,
		'.issued': t.issuedAt.toISOString(),
		'.expires': t.expiresAt.toISOString(),
	};
}
