import type { SimClock } from './clock';
import type { SimHttpError, SimRequest, SimResponse, Router } from './http';
import type { SecretLedger } from './secrets';
import type { TokenService } from './tokens';

/** One state-changing request the simulator carried out (the mutation log). */
export interface MutationEntry {
	seq: number;
	at: string;
	action: string;
	target: string;
	detail?: Record<string, unknown>;
}

export class MutationLog {
	private entries: MutationEntry[] = [];
	private seq = 0;
	/** Bounded memory: keep the newest entries only. */
	constructor(
		private readonly clock: SimClock,
		private readonly capacity = 100_000,
	) {}

	record(action: string, target: string, detail?: Record<string, unknown>): void {
		this.entries.push({ seq: ++this.seq, at: new Date(this.clock.now()).toISOString(), action, target, detail });
		if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
	}

	since(seq = 0): MutationEntry[] {
		return this.entries.filter((e) => e.seq > seq);
	}

	clear(): void {
		this.entries = [];
	}
}

const RECENT_REQUESTS = 200;

/** Request counters, so tests and benchmarks can say how many requests and logins a run cost. */
export class SimStats {
	requests = 0;
	byRoute: Record<string, number> = {};
	byStatus: Record<string, number> = {};
	/** Token requests by grant type and outcome, e.g. `password:200`, `refresh_token:401`. */
	grants: Record<string, number> = {};
	faultsInjected = 0;
	/**
	 * The newest API requests as `METHOD /path?query` (the query as sent, e.g. repeated keys), for
	 * tests that check what a client put on the wire. Never a body, so never a secret.
	 */
	recent: string[] = [];
	/** API requests being answered right now, and the most at once since the last reset. */
	inFlight = 0;
	maxInFlight = 0;
	/**
	 * When each of the newest API requests arrived (ms since the epoch, the real clock), in the order of
	 * `recent`: tests read from it whether clients paused.
	 */
	arrivals: number[] = [];

	countRequest(method: string, pathAndQuery: string): void {
		this.requests++;
		this.arrivals.push(Date.now());
		if (this.arrivals.length > RECENT_REQUESTS) this.arrivals.splice(0, this.arrivals.length - RECENT_REQUESTS);
		this.recent.push(`${method} ${pathAndQuery}`);
		if (this.recent.length > RECENT_REQUESTS) this.recent.splice(0, this.recent.length - RECENT_REQUESTS);
	}

	countRoute(name: string): void {
		this.byRoute[name] = (this.byRoute[name] ?? 0) + 1;
	}

	countStatus(status: number): void {
		this.byStatus[status] = (this.byStatus[status] ?? 0) + 1;
	}

	countGrant(grant: string, status: number): void {
		const key = `${grant}:${status}`;
		this.grants[key] = (this.grants[key] ?? 0) + 1;
	}

	reset(): void {
		this.requests = 0;
		this.byRoute = {};
		this.byStatus = {};
		this.grants = {};
		this.faultsInjected = 0;
		this.recent = [];
		this.arrivals = [];
		this.maxInFlight = this.inFlight;
	}
}

export interface SimContext {
	clock: SimClock;
	tokens: TokenService;
	log: MutationLog;
	stats: SimStats;
	/**
	 * The server's secret ledger: a product adds the secrets its accounts hold before any request
	 * (seeded passwords, MFA secrets, scratch codes), so that leak scans know them too.
	 */
	secrets: SecretLedger;
}

/** The simulated products. */
export type ProductName = 'vbr' | 'vbgc' | 'aws' | 'azure' | 'vspc' | 'vb365';

export interface SeedOptions {
	count: number;
	/** Name prefix; users are `<prefix><n>` (VBR adds a domain). */
	prefix?: string;
	/** Role names given to seeded users (default: the product's least privileged role). */
	roles?: string[];
}

/** What the server core needs from a product (VBR, VBGC, AWS or Azure). */
export interface SimProduct {
	readonly name: ProductName;
	readonly router: Router;
	/** Throws a SimHttpError when the request's `x-api-version` is missing or unsupported. */
	checkApiVersion(req: SimRequest): void;
	/** Serves these API versions from now on (an upgrade or downgrade; state and tokens kept). */
	serveVersions(versions: string[]): void;
	/** Renders an error in the product's own error format. */
	errorResponse(err: SimHttpError): SimResponse;
	/** Back to the initial state (users, roles, settings). Tokens are reset by the server. */
	reset(): void;
	seedUsers(opts: SeedOptions): number;
	/** A JSON dump of the state, secrets excluded, for test assertions. */
	snapshot(): Record<string, unknown>;
	/** Adds or replaces a login account (name + password) in the product's state. */
	setLogin(name: string, password: string): void;
	/** The product's own control routes (`POST /four-eyes`, …); undefined: not one of them. */
	control?(route: string, body: Record<string, unknown>): SimResponse | undefined;
}
