/**
 * API version "Automatic" inside one execution. The credential finds the version at its login and
 * keeps it with the token (client/login/automatic.ts); n8n logs in again only when the token
 * expires or is refused (401). A server upgraded or downgraded in between refuses the kept version
 * while the token is still good: the refused request finds the version here, is answered at it,
 * and the rest of the execution uses it (ExecutionApiVersion, one per execution, on its
 * RequestGroup; nothing module-level). The next login finds it again and keeps it.
 *
 * - `x-api-version` products (VBR, VBGC, AWS): a refusal is Veeam's `NotImplemented` about the
 *   version, or a refusal's wording under any error code (login/versions.ts, `refusalOf`); the refused request itself is sent again at the next
 *   candidate (the versions the server named first, then stepping down), so the one that is
 *   accepted is also the request's answer. A refused version did nothing on the server.
 * - Azure: the version is in the path. An unserved one is assumed to answer 404 (which a missing
 *   user answers too) or a 400 about the API version (login/versions.ts, `pathVersionVerdict`:
 *   ASP.NET API Versioning's two behaviours; Veeam documents neither). A 404 is checked once per
 *   execution with the user list at the same version (every served version has it): unserved there
 *   means the version; then the user list is tried at the candidates, and the request is sent again
 *   at the one found. An answer that proves nothing (429, 5xx) ends the search: it becomes the
 *   request's outcome, retried or reported as such.
 *
 * Only versions the package knows are ever chosen; none accepted ends in a message naming what the
 * server said it supports and what the package knows.
 */
import type { ICredentialDataDecryptedObject } from 'n8n-workflow';

import {
	API_VERSION_SEGMENT,
	automaticVersion,
	isAutomatic,
	knownVersion,
	nextCandidate,
	noVersionAcceptedMessage,
	pathRefusal,
	pathVersionVerdict,
	refusalOf,
	VERSION_OVERRIDE_HEADER,
	type VersionRefusal,
} from '../login/index';
import { PRODUCTS, type Product } from '../products';
import { parseBody, type Failure, type FullResponse } from './failure';

export type Attempt = { response: FullResponse } | { failure: Failure };

/** What one execution learned about the API version (its RequestGroup holds one). */
export class ExecutionApiVersion {
	/** The version found after the kept one was refused; every later request of the execution uses it. */
	found?: string;
	/** Azure: versions whose user list answered in this execution (a 404 under them is a real one). */
	readonly confirmed = new Set<string>();
	/** The search under way: requests refused meanwhile wait for it instead of searching again. */
	searching?: Promise<string | undefined>;
}

/**
 * The version this execution's requests go out with, for what depends on it (filters, body shapes,
 * messages): the pinned (or Custom) one as written; under "Automatic" the one this execution found,
 * else the one kept with the token, else the newest known (before the first login).
 */
export function effectiveApiVersion(credentials: ICredentialDataDecryptedObject, product: Product, memory?: ExecutionApiVersion): string {
	if (!isAutomatic(credentials)) return String(credentials.apiVersion === 'custom' ? credentials.customApiVersion : credentials.apiVersion).trim();
	return memory?.found ?? automaticVersion(credentials, PRODUCTS[product].auth);
}

/**
 * Where a request goes under "Automatic": with a version this execution found, that version (in
 * the path, or in the override header the credential's `authenticate` reads); otherwise `{version}`
 * stays in the path and the header is left to `authenticate`, which knows the version kept with the
 * token once n8n has logged in (the first execution's login runs inside the first request).
 */
export function automaticTarget(product: Product, path: string, found: string | undefined): { path: string; headers?: Record<string, string> } {
	if (!found) return { path };
	if (PRODUCTS[product].auth.version.inPath) return { path: path.split(API_VERSION_SEGMENT).join(found) };
	return { path, headers: { [VERSION_OVERRIDE_HEADER]: found } };
}

export interface RecoveryInput {
	product: Product;
	/** The version the refused request went out with. */
	sent: string;
	response: FullResponse;
	/** Whether the request had the version in its path (Azure's `{version}`). */
	versionInPath: boolean;
	memory?: ExecutionApiVersion;
	/** The refused request again at `version`. */
	resend: (version: string) => Promise<Attempt>;
	/** Azure: the user list (probe path) at `version`. */
	probe: (version: string) => Promise<Attempt>;
}

/**
 * After a request answered with an error under "Automatic": undefined when the answer is not a
 * refusal of its version; else the version found (with the request's answer at it, where sending
 * it again was the test), or the message when the server accepts none of the known versions.
 */
export async function recoverApiVersion(input: RecoveryInput): Promise<undefined | { version?: string; outcome?: Attempt } | { refused: string }> {
	const { memory, sent } = input;
	// Another request of this execution found a version after this one was sent: use it.
	if (memory?.found && memory.found.toLowerCase() !== sent.toLowerCase() && looksRefused(input)) return { version: memory.found };
	if (memory?.searching && looksRefused(input)) {
		const found = await memory.searching;
		if (found && found.toLowerCase() !== sent.toLowerCase()) return { version: found };
		return undefined;
	}
	const search = PRODUCTS[input.product].auth.version.inPath ? searchByProbe(input) : searchByResending(input);
	if (!memory) return await search;
	const found = search.then((r) => (r && 'version' in r ? r.version : undefined));
	memory.searching = found.catch(() => undefined);
	try {
		return await search;
	} finally {
		memory.searching = undefined;
	}
}

/** A cheap first look (no request): could this answer be a refusal of the version? */
function looksRefused(input: RecoveryInput): boolean {
	if (PRODUCTS[input.product].auth.version.inPath) return input.versionInPath && pathVersionVerdict(input.response.statusCode, parseBody(input.response.body)) === 'unserved';
	return refusalOf(parseBody(input.response.body), input.sent, PRODUCTS[input.product].auth) !== undefined;
}

async function searchByResending(input: RecoveryInput): Promise<undefined | { version?: string; outcome?: Attempt } | { refused: string }> {
	const auth = PRODUCTS[input.product].auth;
	const first = refusalOf(parseBody(input.response.body), input.sent, auth);
	if (!first) return undefined;
	const refusals: VersionRefusal[] = [first];
	const tried = new Set([input.sent.toLowerCase()]);
	for (let version = nextCandidate(auth, tried, refusals); version !== undefined; version = nextCandidate(auth, tried, refusals)) {
		tried.add(version.toLowerCase());
		const outcome = await input.resend(version);
		// No answer: whether this version is served is not known; the request's failure stands.
		if ('failure' in outcome) return { outcome };
		const refusal = refusalOf(parseBody(outcome.response.body), version, auth);
		if (refusal) {
			refusals.push(refusal);
			continue;
		}
		if (input.memory) input.memory.found = version;
		return { version, outcome };
	}
	return { refused: noVersionAcceptedMessage(auth, refusals) };
}

async function searchByProbe(input: RecoveryInput): Promise<undefined | { version?: string; outcome?: Attempt } | { refused: string }> {
	const auth = PRODUCTS[input.product].auth;
	const { memory, sent } = input;
	if (!input.versionInPath || !knownVersion(auth, sent)) return undefined;
	const body = parseBody(input.response.body);
	if (pathVersionVerdict(input.response.statusCode, body) !== 'unserved') return undefined;
	let refusal = pathRefusal(sent, body, auth.version);
	// A 400 about the API version is the refusal itself; a 404 may be a missing user: the user list at the same version tells.
	if (input.response.statusCode === 404) {
		if (memory?.confirmed.has(sent.toLowerCase())) return undefined;
		const check = await input.probe(sent);
		if (!('response' in check)) return { outcome: check };
		const verdict = pathVersionVerdict(check.response.statusCode, parseBody(check.response.body));
		if (verdict === 'served') {
			memory?.confirmed.add(sent.toLowerCase());
			return undefined;
		}
		if (verdict === 'unknown') return { outcome: check };
		refusal = pathRefusal(sent, parseBody(check.response.body), auth.version);
	}
	const refusals: VersionRefusal[] = [refusal];
	const tried = new Set([sent.toLowerCase()]);
	for (let version = nextCandidate(auth, tried, refusals); version !== undefined; version = nextCandidate(auth, tried, refusals)) {
		tried.add(version.toLowerCase());
		const answer = await input.probe(version);
		// No answer, or one that proves nothing (429, 5xx): it is the request's outcome, retried or reported.
		if (!('response' in answer)) return { outcome: answer };
		const verdict = pathVersionVerdict(answer.response.statusCode, parseBody(answer.response.body));
		if (verdict === 'unknown') return { outcome: answer };
		if (verdict === 'unserved') {
			refusals.push(pathRefusal(version, parseBody(answer.response.body), auth.version));
			continue;
		}
		if (memory) {
			memory.found = version;
			memory.confirmed.add(version.toLowerCase());
		}
		return { version };
	}
	return { refused: noVersionAcceptedMessage(auth, refusals) };
}
