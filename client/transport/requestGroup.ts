import { sleep } from 'n8n-workflow';

import { ExecutionApiVersion } from './apiVersion';

/**
 * What the requests of one execution share (one per directory, i.e. per execution; never
 * module-level), so that items running in parallel behave towards the server like one careful
 * client:
 *
 * - **One pause.** When Veeam refuses a request with 429 or 503 (with or without Retry-After), every
 *   request of the execution holds back until then, not only the refused one: the others would
 *   otherwise keep hammering a server that is already struggling.
 * - **One re-login.** When the access token expires, several requests in flight get 401 at once.
 *   The first has n8n log in again (the credential refreshes the token); the others wait for it and
 *   are then sent with the new token. Without this each would refresh, and Veeam's refresh tokens
 *   are single-use: all but one would fall back to a password login.
 */
export class RequestGroup {
	private until = 0;
	private relogin?: Promise<unknown>;
	/** Access tokens this execution has already seen replaced. */
	private readonly replaced = new Set<string>();
	/** Every secret this execution's requests read from the credential: scrubbed from each of their errors (secretsNow.ts). */
	readonly secrets = new Set<string>();
	/** API version "Automatic": the version this execution found when the kept one was refused (apiVersion.ts). */
	readonly apiVersion = new ExecutionApiVersion();
	/** The execution's first request while the credential held no token (n8n logs in inside it). */
	private firstLogin?: Promise<unknown>;
	private loggedIn = false;

	/** Holds every request back for `ms` from now (a later pause wins over an earlier one). */
	pause(ms: number): void {
		this.until = Math.max(this.until, Date.now() + ms);
	}

	/** Resolves when no pause is in force; `signal` ends the wait early (the execution was cancelled). */
	async ready(signal?: AbortSignal): Promise<void> {
		for (let wait = this.until - Date.now(); wait > 0 && !signal?.aborted; wait = this.until - Date.now()) {
			await sleep(Math.min(wait, 1_000));
		}
	}

	/** Milliseconds of pause left (0 when none). */
	remainingMs(): number {
		return Math.max(0, this.until - Date.now());
	}

	/**
	 * **One first login.** Requests of an execution that start while the credential holds no token yet
	 * would each have n8n log in (each runs preAuthentication): the first goes alone, the others are
	 * sent once it has its answer (then with the token it stored).
	 */
	async whileLoggingIn<T>(send: () => Promise<T>): Promise<T> {
		if (this.loggedIn) return await send();
		while (this.firstLogin) await this.firstLogin.catch(() => undefined);
		if (this.loggedIn) return await send();
		const first = send();
		this.firstLogin = first;
		try {
			return await first;
		} finally {
			this.loggedIn = true;
			this.firstLogin = undefined;
		}
	}

	/**
	 * After a 401 to a request sent with `token`: `withLogin` sends it again letting n8n log in
	 * first. Only one request at a time does that, and none for a token already replaced; the
	 * others wait for that login and are then sent again the same way (n8n reads the stored,
	 * refreshed token; should it still be refused, n8n logs in for that request itself).
	 */
	async afterUnauthorized<T>(token: string, withLogin: () => Promise<T>): Promise<T> {
		while (this.relogin) await this.relogin.catch(() => undefined);
		if (this.replaced.has(token)) return await withLogin();
		this.replaced.add(token);
		const leader = withLogin();
		this.relogin = leader;
		try {
			return await leader;
		} finally {
			this.relogin = undefined;
		}
	}
}
