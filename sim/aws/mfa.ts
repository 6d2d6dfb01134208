/**
 * Veeam Backup for AWS's MFA set-up of a user (published 1.0-rev0 spec): `enableMfa { recreate }`
 * → 200 `UserMfaData { userName, qrString, secretKey, scratchCodes, token }`; `acceptMfa
 * { code, token }` → 201 (MFA is on only then); `disableMfa` → 200. Neither answer of the last two
 * has a body in the spec.
 */
import type { SimContext } from '../core/context';
import { jsonBody, SimHttpError, badRequest, type SimRequest, type SimResponse } from '../core/http';
import { verifyTotp } from '../core/totp';
import { newPendingMfa } from '../portal/accounts';
import type { AwsUser } from './model';

/** The host the client addressed (without port), for the otpauth label and issuer. */
function hostName(req: SimRequest): string {
	const host = String(req.headers.host ?? '').replace(/:\d+$/, '');
	return host || 'vbaws.simulator';
}

/**
 * `recreate` is optional in the spec (`UserMfaSetup`, a boolean): absent means false. Veeam's REST
 * help ("Multi-Factor Authentication", helpcenter.veeam.com/docs/vbaws/rest/mfa.html) prints the
 * request as `{ "recreate": "false" }`, a string: `"true"` and `"false"` are taken as the booleans,
 * so that the page's own request works (fixture mfa-enable.request.json); any other value is a 400.
 * Assumption (as VBGC documents): a user with MFA on needs `recreate: true` for a new secret (400
 * otherwise); the active secret keeps working until the new one is accepted.
 */
export function enableMfa(ctx: SimContext, req: SimRequest, user: AwsUser): SimResponse {
	const body = req.rawBody.length ? jsonBody(req) : {};
	const raw = body.recreate;
	if (raw !== undefined && typeof raw !== 'boolean' && raw !== 'true' && raw !== 'false') throw badRequest('The recreate property must be true or false.');
	const recreate = raw === true || raw === 'true';
	if (user.accountType === 'External') {
		// User Guide, "Enabling Multi-Factor Authentication": "You cannot enable MFA for a user account whose user identity was obtained from an identity provider."
		throw new SimHttpError(400, 'UnexpectedContent', `${user.name} signs in through the identity provider: MFA cannot be enabled for it.`);
	}
	if (user.mfa && !recreate) {
		throw new SimHttpError(400, 'UnexpectedContent', `MFA is already enabled for ${user.name}. Set recreate to true to generate a new secret key.`);
	}
	const pending = newPendingMfa();
	user.pendingMfa = pending;
	ctx.log.record('user.mfaEnable', user.name, { recreate, mfaEnabled: Boolean(user.mfa) });
	const host = hostName(req);
	return {
		status: 200,
		body: {
			userName: user.name,
			qrString: `otpauth://totp/${encodeURIComponent(user.name)}@${host}?secret=${pending.secret}&issuer=${encodeURIComponent(host)}`,
			secretKey: pending.secret,
			scratchCodes: [...pending.scratchCodes],
			token: pending.token,
		},
	};
}

export function acceptMfa(ctx: SimContext, req: SimRequest, user: AwsUser, totpWindow: number): SimResponse {
	const body = jsonBody(req);
	if (typeof body.code !== 'string' || body.code === '') throw badRequest('The code property is required.');
	if (typeof body.token !== 'string' || body.token === '') throw badRequest('The token property is required.');
	const pending = user.pendingMfa;
	if (!pending) throw new SimHttpError(400, 'UnexpectedContent', `No MFA setup is pending for ${user.name}. Call enableMfa first.`);
	if (body.token !== pending.token) throw new SimHttpError(400, 'UnexpectedContent', 'The token does not match the one enableMfa returned.');
	if (!verifyTotp(pending.secret, body.code.trim(), ctx.clock.now(), totpWindow)) {
		throw new SimHttpError(400, 'UnexpectedContent', 'The verification code is not valid.');
	}
	user.mfa = { secret: pending.secret, scratchCodes: pending.scratchCodes };
	user.pendingMfa = undefined;
	ctx.log.record('user.mfaAccepted', user.name);
	return { status: 201 };
}

/** Assumption: turning off MFA that is off is no error (200). Half-done MFA logins end. */
export function disableMfa(ctx: SimContext, user: AwsUser, dropLogins: (key: string) => void): SimResponse {
	const wasEnabled = Boolean(user.mfa);
	user.mfa = undefined;
	user.pendingMfa = undefined;
	dropLogins(user.key);
	ctx.log.record('user.mfaDisable', user.name, { wasEnabled });
	return { status: 200 };
}
