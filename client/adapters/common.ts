/**
 * What both adapters do the same way around the transport: telling Veeam's "no such user" from
 * other 404s, never creating or deleting blindly after an answer was lost, and never taking an
 * answer about another user for the one asked for.
 */
import { NodeApiError, type JsonObject } from 'n8n-workflow';

import { isNotFound, UnclearOutcomeError, VeeamApiError, type VeeamContext } from '../transport';
import type { VeeamRole, VeeamUser } from '../model';

/** The call's result, or undefined when Veeam says `ref` does not exist (its NotFound, not any 404). */
export async function unlessNotFound<T>(call: Promise<T>, ref: string): Promise<T | undefined> {
	return await call.then(
		(value): T | undefined => value,
		(error: unknown) => {
			if (isNotFound(error, ref)) return undefined;
			throw error;
		},
	);
}

/** A role as the common model holds it (only id, name, description). */
export function plainRole(r: VeeamRole): VeeamRole {
	return { id: r.id, name: r.name, ...(r.description ? { description: r.description } : {}) };
}

/** A user's roles as a set: a role a server lists twice is one role. */
export function uniqueRoles(roles: readonly VeeamRole[] | undefined): VeeamRole[] {
	const seen = new Map<string, VeeamRole>();
	for (const r of roles ?? []) {
		const key = String(r.id).toLowerCase();
		if (!seen.has(key)) seen.set(key, plainRole(r));
	}
	return [...seen.values()];
}

/** An answer that is not about what was asked: a NodeApiError, and the answer is not used. */
export function unexpectedAnswer(ctx: VeeamContext, what: string, itemIndex?: number): NodeApiError {
	const message = `Veeam answered ${what}`;
	const error = new NodeApiError(ctx.getNode(), { message } as JsonObject, {
		message,
		description: 'The answer is not about the user asked for, so the node does not use it. Nothing more was sent.',
		itemIndex,
	});
	error.message = message;
	return error;
}

/** The user an answer describes, when it is the one asked for (`same` compares the identities). */
export function sameUserOrFail(ctx: VeeamContext, user: VeeamUser, asked: string, same: (user: VeeamUser) => boolean, call: string): VeeamUser {
	if (!same(user)) throw unexpectedAnswer(ctx, `${call} with another user (${user.name || user.ref}) than ${asked}`);
	return user;
}

/**
 * The server refused a create and already has a user of that name: someone added it after this
 * execution looked (or read its snapshot). Onboard then treats it as the existing user it is.
 */
export class UserExistsError extends Error {
	constructor(
		readonly existing: VeeamUser,
		readonly refusal: unknown,
	) {
		super(`A user named "${existing.name}" exists already`);
		this.name = 'UserExistsError';
	}
}

/** Statuses with which a server may refuse a create because the name is taken (Veeam does not document which). */
const CONFLICT_STATUSES = new Set([400, 409, 422]);

/**
 * A create that is never sent twice blindly: after an unclear failure (the server may have done
 * it), look for the user first, and send it again once only. A create refused as a conflict is
 * looked up too: if the user exists now, `UserExistsError` says so.
 */
export async function createLookingFirst(send: () => Promise<VeeamUser>, find: () => Promise<VeeamUser | undefined>): Promise<VeeamUser> {
	for (let attempt = 0; ; attempt++) {
		const outcome = await send().then(
			(created) => ({ created }),
			(error: unknown) => ({ error }),
		);
		if ('created' in outcome) return outcome.created;
		if (outcome.error instanceof VeeamApiError && CONFLICT_STATUSES.has(outcome.error.status)) {
			const existing = await find();
			if (existing) throw new UserExistsError(existing, outcome.error);
			throw outcome.error;
		}
		if (!(outcome.error instanceof UnclearOutcomeError)) throw outcome.error;
		const existing = await find();
		if (existing) return existing;
		if (attempt >= 1) throw outcome.error.apiError;
	}
}

/**
 * A delete of a user the caller has just seen. Veeam's NotFound on the first try means someone
 * else removed it meanwhile (`absent`). After an unclear failure (the connection dropped, perhaps
 * after the server deleted it) the user is looked up: gone means our delete did it (`deleted`);
 * still there, the delete is sent again, once. Blind retries would read our own lost success as
 * "absent" and drop what a ticketing step needs.
 */
export async function deleteLookingFirst(
	send: () => Promise<unknown>,
	stillThere: () => Promise<boolean>,
	ref: string,
): Promise<'deleted' | 'absent'> {
	for (let attempt = 0; ; attempt++) {
		const outcome = await send().then(
			() => ({ done: true as const }),
			(error: unknown) => ({ error }),
		);
		if ('done' in outcome) return 'deleted';
		if (isNotFound(outcome.error, ref)) return attempt === 0 ? 'absent' : 'deleted';
		if (!(outcome.error instanceof UnclearOutcomeError)) throw outcome.error;
		if (!(await stillThere())) return 'deleted';
		if (attempt >= 1) throw outcome.error.apiError;
	}
}

/**
 * The acceptance of a user's MFA set-up (a code from the new secret): not idempotent, since the
 * set-up's token is spent once accepted. After an unclear failure, a user whose MFA was off tells:
 * on now means it was accepted (`found` is then the user as the server shows it); still off, it is
 * sent again, once. With MFA on already (as after Recreate) nothing tells: the failure is reported
 * as unclear. Returns the user as it is now.
 */
export async function acceptMfaLookingFirst(
	user: VeeamUser,
	send: () => Promise<unknown>,
	lookUp: () => Promise<VeeamUser | undefined>,
): Promise<VeeamUser> {
	for (let attempt = 0; ; attempt++) {
		const outcome = await send().then(
			() => undefined,
			(error: unknown) => error,
		);
		if (outcome === undefined) return { ...user, mfaEnabled: true };
		if (!(outcome instanceof UnclearOutcomeError) || user.mfaEnabled !== false) throw outcome;
		const now = await lookUp();
		if (now?.mfaEnabled) return now;
		if (attempt >= 1) throw outcome.apiError;
	}
}
