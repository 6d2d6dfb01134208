/**
 * User identities ("logins"): `GET /users/logins`, `GET /users/{userUid}/logins`,
 * `GET|PATCH|DELETE /users/{userUid}/logins/{userLoginId}`, `POST …/logins/apikey` (the key once,
 * in `parameters`: REST help, "API Key-Based Authorization",
 * helpcenter.veeam.com/docs/vac/rest/api_keys.html), `POST …/logins/totp` (a second factor from a
 * `secretUrl` and a code for it) and `GET /authentication/keys/totp-secret` (`TotpSecret`). The
 * 3.6.1 spec's GetLogins, GetUserLogins, GetUserLogin, UpdateUserLogin, DeleteUserLogin,
 * AddApiKeyLogin, AddTotpLogin, GenerateTotpSecret.
 */
import type { SimContext } from '../core/context';
import type { SimRequest, SimResponse } from '../core/http';
import { newTotpSecret, verifyTotp } from '../core/totp';
import type { VspcAuth, VspcCaller } from './auth';
import { vspcBadRequest, vspcNotFound } from './errors';
import { enumValue, MANAGES_USERS, type VspcLoginRecord, type VspcUserRecord } from './model';
import { invalidValue, patchBody, refused } from './patch';
import { pageAnswer, parseListQuery, project, selectAndOrder, valuesFiltered, type QueryLimits } from './query';
import type { VspcStore } from './store';
import type { VspcUsers } from './users';
import { LOGIN_FIELDS, loginReader, loginView } from './views';

type Json = Record<string, unknown>;

const SCOPES = ['unknown', 'integration', 'rest', 'ui'];

/**
 * `scopes` as the help's example sends it (`scopes=["integration","rest"]`, a JSON array) or as
 * OpenAPI's default form writes an array (`scopes=integration&scopes=rest`).
 */
function scopesParam(query: URLSearchParams): string[] {
	const values = query.getAll('scopes').filter((v) => v !== '');
	// Required by the spec (AddApiKeyLogin, AddTotpLogin).
	if (values.length === 0) throw vspcBadRequest('The scopes parameter is required.', { parameterName: 'scopes' });
	const scopes = values.flatMap((v) => {
		if (!v.trim().startsWith('[')) return [v];
		try {
			const parsed = JSON.parse(v) as unknown;
			if (Array.isArray(parsed)) return parsed.map(String);
		} catch {
			// refused below
		}
		throw vspcBadRequest('The scopes parameter must be an array of unknown, integration, rest, ui.', { parameterName: 'scopes' });
	});
	for (const s of scopes) if (!SCOPES.includes(s)) throw vspcBadRequest(`The scope ${s} is not one of ${SCOPES.join(', ')}.`, { parameterName: 'scopes' });
	return [...new Set(scopes)];
}

/** The spec's `description` parameter: required, 1–128 characters without `<`, `>`, `=`. */
function descriptionParam(query: URLSearchParams): string {
	const value = query.get('description');
	if (value === null || value === '') throw vspcBadRequest('The description parameter is required.', { parameterName: 'description' });
	if (value.length > 128 || /[<>=]/.test(value)) throw vspcBadRequest('The description must be 1 to 128 characters without <, > or =.', { parameterName: 'description' });
	return value;
}

export class VspcLogins {
	constructor(
		private readonly ctx: SimContext,
		private readonly store: VspcStore,
		private readonly auth: VspcAuth,
		private readonly users: VspcUsers,
		private readonly limits: () => QueryLimits,
		private readonly totpWindow: () => number,
	) {}

	/**
	 * Assumption: roles that manage no users see their own identities only. `userUids`: only these
	 * users' (a filter on `userUid`, read from the index), in id order.
	 */
	private visibleLogins(caller: VspcCaller, userUids?: string[]): VspcLoginRecord[] {
		if (!MANAGES_USERS.includes(caller.user.role) && caller.user.role !== 'PortalReadonlyOperator') return this.store.loginsOf(caller.user.uid);
		// The provider sees every login (a login whose user record is gone too: below): no check per login.
		if (!userUids && caller.org?.type === 'Provider') return [...this.store.logins.values()];
		const inScope = this.store.orgScope(caller.org);
		const out: VspcLoginRecord[] = [];
		const candidates = userUids ? userUids.flatMap((u) => this.store.loginsOf(u)).sort((a, b) => a.id - b.id) : this.store.logins.values();
		for (const l of candidates) {
			const u = this.store.users.get(l.userUid);
			// Assumed: a login whose user record is gone (a state only a test makes) is the provider's to see.
			if (u ? inScope(u.organizationUid) : caller.org?.type === 'Provider') out.push(l);
		}
		return out;
	}

	listAll(req: SimRequest, caller: VspcCaller): SimResponse {
		const q = parseListQuery(req.query, LOGIN_FIELDS, this.limits());
		const own = !MANAGES_USERS.includes(caller.user.role) && caller.user.role !== 'PortalReadonlyOperator';
		const key = `logins|${own ? caller.user.uid : (caller.org?.uid ?? '')}|${q.key}`;
		// The list holds records (in id order, filtered and sorted on what a record holds): only the page is rendered.
		const users = valuesFiltered(q, 'useruid');
		const reader = loginReader(this.store);
		return pageAnswer(this.store.cached(key, () => selectAndOrder(this.visibleLogins(caller, users), q, reader)), q, reader.view);
	}

	/** GetUserLogins takes `select` only: every identity of the user, in one answer. */
	listOfUser(req: SimRequest, caller: VspcCaller): SimResponse {
		const user = this.users.userForLogins(caller, req.params.userUid, req.method);
		const q = parseListQuery(req.query, LOGIN_FIELDS, this.limits(), false);
		const data = this.store.loginsOf(user.uid).map((l) => project(loginView(l, this.store), q.select));
		return { status: 200, body: { meta: { pagingInfo: { total: data.length, count: data.length, offset: 0 } }, data } };
	}

	private loginOf(user: VspcUserRecord, raw: string): VspcLoginRecord {
		if (!/^\d{1,18}$/.test(raw)) throw vspcBadRequest('The userLoginId parameter must be an integer.', { parameterName: 'userLoginId' });
		const login = this.store.logins.get(Number(raw));
		if (!login || login.userUid !== user.uid) throw vspcNotFound(`The user identity ${raw} does not exist.`);
		return login;
	}

	private answer(req: SimRequest, login: VspcLoginRecord, parameters = ''): SimResponse {
		const q = parseListQuery(req.query, LOGIN_FIELDS, this.limits(), false);
		return { status: 200, body: { data: project(loginView(login, this.store, parameters), q.select) } };
	}

	get(req: SimRequest, caller: VspcCaller): SimResponse {
		const user = this.users.userForLogins(caller, req.params.userUid, req.method);
		return this.answer(req, this.loginOf(user, req.params.userLoginId));
	}

	/** `/description` and `/status` (`enabled` | `disabled`, the spec's note) change; every other path is refused (1001). */
	patch(req: SimRequest, caller: VspcCaller): SimResponse {
		const user = this.users.userForLogins(caller, req.params.userUid, req.method);
		const login = this.loginOf(user, req.params.userLoginId);
		const ops = patchBody(req);
		let description = login.description;
		let status = login.status;
		for (const op of ops) {
			if (op.op === 'test' || op.op === 'remove') throw refused(op.raw);
			if (op.path === 'description') {
				if (typeof op.value !== 'string' || op.value.length > 128 || /[<>=]/.test(op.value)) throw invalidValue(op.raw, '1 to 128 characters without <, > or =.');
				description = op.value;
			} else if (op.path === 'status') {
				const value = enumValue(op.value, ['enabled', 'disabled'] as const);
				if (!value) throw invalidValue(op.raw, 'enabled or disabled.');
				status = value;
			} else {
				throw refused(op.raw);
			}
		}
		const detail: Json = { id: login.id, kind: login.kind };
		if (status !== login.status) detail.status = { from: login.status, to: status };
		if (description !== login.description) detail.description = true;
		login.description = description;
		login.status = status;
		if (status === 'disabled') this.auth.revoke(user, login.id);
		this.store.touch();
		this.ctx.log.record('login.patch', user.userName, detail);
		return this.answer(req, login);
	}

	/**
	 * 200 `{ data: true }`. Assumption: the portal password identity (the user's first) is not
	 * deleted this way (delete the user); a deleted identity's tokens end with it.
	 */
	remove(req: SimRequest, caller: VspcCaller): SimResponse {
		const user = this.users.userForLogins(caller, req.params.userUid, req.method);
		const login = this.loginOf(user, req.params.userLoginId);
		if (login.kind === 'password') throw vspcBadRequest(`The identity ${login.id} is the user's portal login: delete the user instead.`);
		this.auth.revoke(user, login.id);
		this.store.removeLogin(login);
		this.ctx.log.record('login.delete', user.userName, { id: login.id, kind: login.kind });
		return { status: 200, body: { data: true } };
	}

	/** `POST /users/{userUid}/logins/apikey?description=&scopes=&isReadAccessOnly=`: the key once, in `parameters`. */
	addApiKey(req: SimRequest, caller: VspcCaller): SimResponse {
		const user = this.users.userForLogins(caller, req.params.userUid, req.method);
		const description = descriptionParam(req.query);
		const scopes = scopesParam(req.query);
		const ro = req.query.get('isReadAccessOnly');
		if (ro !== null && ro !== '' && !/^(true|false)$/i.test(ro)) throw vspcBadRequest('The isReadAccessOnly parameter must be true or false.', { parameterName: 'isReadAccessOnly' });
		const login = this.store.addLogin(user, 'apiKey', { description, scopes, isReadAccessOnly: /^true$/i.test(ro ?? '') });
		this.ctx.secrets.add(login.secret, 'accessToken');
		this.ctx.log.record('login.create', user.userName, { id: login.id, kind: 'apiKey', scopes, isReadAccessOnly: login.isReadAccessOnly });
		return this.answer(req, login, login.secret);
	}

	/** `POST /users/{userUid}/logins/totp?secretUrl=&code=&description=&scopes=`: the code must be the secret's current TOTP. */
	addTotp(req: SimRequest, caller: VspcCaller): SimResponse {
		const user = this.users.userForLogins(caller, req.params.userUid, req.method);
		const secretUrl = req.query.get('secretUrl') ?? '';
		let secret: string | undefined;
		try {
			secret = new URL(secretUrl).searchParams.get('secret') ?? undefined;
		} catch {
			secret = undefined;
		}
		if (!secret || !/^[A-Z2-7]+=*$/i.test(secret)) throw vspcBadRequest('The secretUrl parameter must be an otpauth URL with a base32 secret.', { parameterName: 'secretUrl' });
		this.ctx.secrets.add(secret, 'mfaSecret');
		const code = (req.query.get('code') ?? '').trim();
		if (!verifyTotp(secret.toUpperCase(), code, this.ctx.clock.now(), this.totpWindow())) {
			// The 3.6.1 reference's error codes: "1207 … TOTP code invalid".
			throw vspcBadRequest('The verification code is not valid for this secret.', { parameterName: 'code', code: 1207 });
		}
		const description = descriptionParam(req.query);
		const scopes = scopesParam(req.query);
		const login = this.store.addLogin(user, 'totp', { description, scopes, secret: secret.toUpperCase() });
		this.ctx.log.record('login.create', user.userName, { id: login.id, kind: 'totp' });
		return this.answer(req, login);
	}

	/** `GET /authentication/keys/totp-secret`: a new secret and its otpauth URL (label and issuer assumed). */
	totpSecret(caller: VspcCaller): SimResponse {
		const secret = newTotpSecret();
		this.ctx.secrets.add(secret, 'mfaSecret');
		const label = encodeURIComponent(`Veeam Service Provider Console:${caller.user.userName}`);
		return { status: 200, body: { data: { secret, secretUrl: `otpauth://totp/${label}?secret=${secret}&issuer=Veeam%20Service%20Provider%20Console` } } };
	}
}
