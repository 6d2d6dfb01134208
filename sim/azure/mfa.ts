/**
 * The MFA set-up of a Veeam Backup for Microsoft Azure user over REST, as the v8 Overview's
 * "Multi-Factor Authentication" (helpcenter.veeam.com/docs/vbazure/rest/mfa.html) and the v8.1
 * document give it: `POST /users/{id}/enableMfa { recreate }` → 200 `UserMfaData { userId,
 * qrString, secretKey, scratchCodes, token }`; `POST /users/{id}/acceptMfa { code, token }` → 204
 * (MFA is on only then); `POST /users/{id}/disableMfa` → 204.
 */
import type { SimContext } from '../core/context';
import { badRequest, jsonBody, type SimRequest, type SimResponse } from '../core/http';
import { verifyTotp } from '../core/totp';
import { newPendingMfa } from '../portal/accounts';
import type { AzureUser } from './model';
import { invalidField } from './problem';

function hostName(req: SimRequest): string {
	return String(req.headers.host ?? '').replace(/:\d+$/, '') || 'vbazure.simulator';
}

/**
 * `recreate`: the document's `boolean`; the page's example sends the string `"false"`, taken as
 * false (so the page's own request works). The User Guide ("Enabling Multi-Factor
 * Authentication"): "You cannot enable MFA for a user account whose user identity was obtained
 * from an identity provider" (400). Assumption (as VBGC documents): a user with MFA on needs
 * `recreate: true` for a new secret; the active secret keeps working until the new one is accepted.
 */
export function enableMfa(ctx: SimContext, req: SimRequest, user: AzureUser): SimResponse {
	const body = req.rawBody.length ? jsonBody(req) : {};
	const raw = body.recreate;
	if (raw !== undefined && raw !== null && typeof raw !== 'boolean' && raw !== 'true' && raw !== 'false') {
		throw invalidField('$.recreate', 'The JSON value could not be converted to System.Boolean. Path: $.recreate');
	}
	const recreate = raw === true || raw === 'true';
	if (user.type === 'IdentityProvider') throw badRequest(`MFA cannot be enabled for ${user.name}: its identity is obtained from an identity provider.`);
	if (user.mfa && !recreate) throw badRequest(`MFA is already enabled for ${user.name}. Set recreate to true to generate a new secret key.`);
	const pending = newPendingMfa();
	user.pendingMfa = pending;
	ctx.log.record('user.mfaEnable', user.name, { recreate, mfaEnabled: Boolean(user.mfa) });
	const host = hostName(req);
	return {
		status: 200,
		body: {
			// The document: "System ID assigned … to the user" (the page's example shows a name there).
			userId: user.key,
			qrString: `otpauth://totp/${encodeURIComponent(`${user.name}@${host}`)}?secret=${pending.secret}&issuer=${encodeURIComponent(host)}`,
			secretKey: pending.secret,
			scratchCodes: [...pending.scratchCodes],
			token: pending.token,
		},
	};
}

/** `UserMfaAccept`: `code` and `token` required (`minLength: 1`); 204. */
export function acceptMfa(ctx: SimContext, req: SimRequest, user: AzureUser, totpWindow: number): SimResponse {
	const body = jsonBody(req);
	const errors: Record<string, string[]> = {};
	if (typeof body.code !== 'string' || body.code === '') errors.Code = ['The Code field is required.'];
	if (typeof body.token !== 'string' || body.token === '') errors.Token = ['The Token field is required.'];
	const [field] = Object.keys(errors);
	if (field) throw invalidField(field, errors[field][0]);
	const pending = user.pendingMfa;
	if (!pending) throw badRequest(`No MFA setup is pending for ${user.name}. Call enableMfa first.`);
	if (body.token !== pending.token) throw badRequest('The token does not match the one enableMfa returned.');
	if (!verifyTotp(pending.secret, String(body.code).trim(), ctx.clock.now(), totpWindow)) throw badRequest('The verification code is not valid.');
	user.mfa = { secret: pending.secret, scratchCodes: pending.scratchCodes };
	user.pendingMfa = undefined;
	ctx.log.record('user.mfaAccepted', user.name);
	return { status: 204 };
}

/** 204. Assumption: turning off MFA that is off is no error. Half-done MFA logins end. */
export function disableMfa(ctx: SimContext, user: AzureUser, dropLogins: (key: string) => void): SimResponse {
	const wasEnabled = Boolean(user.mfa);
	user.mfa = undefined;
	user.pendingMfa = undefined;
	dropLogins(user.key);
	ctx.log.record('user.mfaDisable', user.name, { wasEnabled });
	return { status: 204 };
}
