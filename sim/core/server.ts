import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

import { SimClock } from './clock';
import { MutationLog, SimStats, type SeedOptions, type SimContext, type SimProduct } from './context';
import { FaultInjector, validateFault, withoutParams, type FaultSpec } from './faults';
import { SecretLedger } from './secrets';
import { SimHttpError, type SimRequest, type SimResponse } from './http';
import { generateTlsMaterial, type SimTlsMaterial, type TlsMode } from './tls';
import { TokenService, type TokenPolicy } from './tokens';

const MAX_BODY_BYTES = 1024 * 1024;
export const CONTROL_PREFIX = '/__sim/';

export interface ServerOptions {
	/** 0 picks a free port. */
	port?: number;
	/** Always loopback unless told otherwise; the simulator is a test server. */
	host?: string;
	tls?: SimTlsMaterial;
	tlsMode?: TlsMode;
	tokenPolicy: TokenPolicy;
	/**
	 * Added to every API answer, ms: what a real server's network round trip and processing cost
	 * (a VBR behind a WAN link: tens of ms). 0 (default): loopback speed. Control calls are not delayed.
	 */
	latencyMs?: number;
}

/**
 * The HTTPS server shared by the products: TLS, body parsing, fault injection,
 * statistics and the `/__sim/` control endpoint. The product supplies routes and state.
 */
export class SimServer {
	readonly clock: SimClock;
	readonly tokens: TokenService;
	readonly log: MutationLog;
	readonly stats = new SimStats();
	readonly faults = new FaultInjector();
	/** Every secret seen in a request or an answer (for leak scans in tests). */
	readonly secrets = new SecretLedger();
	readonly tls: SimTlsMaterial;
	readonly product: SimProduct;
	/** Per-request latency, ms (see ServerOptions.latencyMs); `POST /__sim/latency` changes it. */
	latencyMs = 0;
	private server?: Server;
	private readonly sockets = new Set<Socket>();
	private boundPort = 0;

	constructor(
		makeProduct: (ctx: SimContext) => SimProduct,
		private readonly options: ServerOptions,
		clock = new SimClock(),
	) {
		this.clock = clock;
		this.tokens = new TokenService(this.clock, options.tokenPolicy);
		this.log = new MutationLog(this.clock);
		this.tls = options.tls ?? generateTlsMaterial(options.tlsMode ?? 'ca');
		this.latencyMs = options.latencyMs ?? 0;
		this.product = makeProduct({ clock: this.clock, tokens: this.tokens, log: this.log, stats: this.stats, secrets: this.secrets });
	}

	get port(): number {
		return this.boundPort;
	}

	get url(): string {
		return `https://127.0.0.1:${this.boundPort}`;
	}

	async listen(): Promise<void> {
		const server = createServer({ key: this.tls.keyPem, cert: this.tls.certPem }, (req, res) => {
			this.handle(req, res).catch((err: unknown) => {
				// Last resort: never leave a client hanging on a bug in the simulator.
				if (!res.headersSent) this.send(res, { status: 500, body: { error: String(err) } });
				else res.destroy();
			});
		});
		server.keepAliveTimeout = 5_000;
		server.on('connection', (s: Socket) => {
			this.sockets.add(s);
			s.on('close', () => this.sockets.delete(s));
		});
		// Clients that give up (timeouts, dropped connections) cause socket errors: not ours to report.
		server.on('clientError', (_err, socket) => socket.destroy());
		server.listen(this.boundPort || this.options.port || 0, this.options.host ?? '127.0.0.1');
		await once(server, 'listening');
		this.server = server;
		this.boundPort = (server.address() as AddressInfo).port;
	}

	async close(): Promise<void> {
		const server = this.server;
		this.server = undefined;
		if (!server) return;
		const closed = once(server, 'close');
		server.close();
		for (const s of this.sockets) s.destroy();
		await closed;
	}

	/** A restart: connections drop, the port is unreachable for `downMs`, state (users, tokens) is kept. */
	async restart(downMs = 0): Promise<void> {
		await this.close();
		if (downMs > 0) await sleep(downMs);
		await this.listen();
	}

	reset(): void {
		this.product.reset();
		this.tokens.clear();
		this.faults.clear();
		this.log.clear();
		this.stats.reset();
		this.clock.reset();
	}

	addFault(spec: FaultSpec): void {
		this.faults.add(validateFault(spec));
	}

	/**
	 * The server upgraded or downgraded: it serves these API versions from now on, answering the
	 * others as its contract says; users and tokens are kept (with `restart()`, as a real upgrade).
	 */
	serveVersions(versions: string[]): void {
		if (!Array.isArray(versions) || versions.length === 0 || !versions.every((v) => typeof v === 'string' && v.trim() !== '')) {
			throw new Error('versions must be a non-empty list of version strings');
		}
		this.product.serveVersions(versions.map((v) => v.trim()));
	}

	seed(opts: SeedOptions): number {
		return this.product.seedUsers(opts);
	}

	private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const rawBody = await readBody(req);
		if (rawBody === undefined) {
			this.send(res, this.product.errorResponse(new SimHttpError(400, 'UnexpectedContent', 'The request body is too large.')));
			return;
		}
		const url = new URL(req.url ?? '/', 'https://simulator.invalid');
		const simReq: SimRequest = {
			method: (req.method ?? 'GET').toUpperCase(),
			path: url.pathname,
			query: url.searchParams,
			headers: req.headers,
			rawBody,
			params: {},
		};

		if (simReq.path.startsWith(CONTROL_PREFIX)) {
			this.send(res, await this.control(simReq));
			return;
		}

		this.stats.countRequest(simReq.method, req.url ?? '/');
		this.stats.inFlight++;
		this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.stats.inFlight);
		try {
			if (this.latencyMs > 0) await sleep(this.latencyMs);
			await this.answer(simReq, req, res);
		} finally {
			this.stats.inFlight--;
		}
	}

	private async answer(simReq: SimRequest, req: IncomingMessage, res: ServerResponse): Promise<void> {
		this.secrets.fromRequest(simReq);
		const fault = this.faults.take(simReq.method, simReq.path);
		if (fault) this.stats.faultsInjected++;
		if (fault?.kind === 'status') {
			const code = fault.status === 500 ? 'UnknownError' : 'ServiceUnavailable';
			const error = new SimHttpError(fault.status, code, fault.status === 429 ? 'Too many requests.' : 'The service is temporarily unavailable.');
			error.retryAfterSeconds = fault.retryAfterSeconds;
			const response = this.product.errorResponse(error);
			if (fault.retryAfterSeconds !== undefined) {
				response.headers = { ...response.headers, 'Retry-After': String(fault.retryAfterSeconds) };
			}
			this.stats.countStatus(fault.status);
			this.send(res, response);
			return;
		}
		if (fault?.kind === 'drop' && !fault.afterProcessing) {
			req.socket.destroy();
			return;
		}
		if (fault?.kind === 'answer') {
			this.stats.countStatus(fault.status);
			this.send(res, { status: fault.status, headers: fault.headers, body: fault.body, rawBody: fault.rawBody });
			return;
		}
		if (fault?.kind === 'echo') {
			this.stats.countStatus(400);
			const text = `The request could not be processed: ${simReq.rawBody.toString('utf8')}`;
			this.send(res, this.product.errorResponse(new SimHttpError(400, 'UnexpectedContent', text)));
			return;
		}
		if (fault?.kind === 'delay') await sleep(fault.ms);
		if (fault?.kind === 'ignoreQuery') simReq.query = withoutParams(simReq.query, fault.params);

		const response = await this.dispatch(simReq);
		this.secrets.fromResponse(response.body);
		this.stats.countStatus(response.status);

		if (fault?.kind === 'drop') {
			req.socket.destroy();
			return;
		}
		if (fault?.kind === 'malformed') {
			const text = JSON.stringify(response.body ?? { data: [] });
			response.status = 200;
			response.rawBody = text.slice(0, Math.max(1, Math.floor(text.length / 2)));
		}
		if (fault?.kind === 'patch' && response.body && typeof response.body === 'object') {
			response.body = { ...(response.body as Record<string, unknown>), ...fault.set };
		}
		if (fault?.kind === 'trickle') {
			await this.trickle(res, response, fault.ms);
			return;
		}
		if (!res.destroyed) this.send(res, response);
	}

	private async dispatch(req: SimRequest): Promise<SimResponse> {
		try {
			const match = this.product.router.match(req.method, req.path);
			// Assumption (not documented): a path no route serves gets the web server's bare 404,
			// without Veeam's NotFound body, which is for a resource the API looked up and did not
			// find. A wrong path prefix or a proxy answers that way too.
			if (match.kind === 'none') return { status: 404 };
			if (match.kind === 'methodNotAllowed') {
				throw new SimHttpError(405, 'MethodNotAllowed', `The ${req.method} method is not allowed for ${req.path}.`);
			}
			this.stats.countRoute(match.name);
			this.product.checkApiVersion(req);
			req.params = match.params;
			return await match.handler(req);
		} catch (err) {
			if (err instanceof SimHttpError) return this.product.errorResponse(err);
			return this.product.errorResponse(new SimHttpError(500, 'UnknownError', 'The request could not be processed.'));
		}
	}

	private encode(response: SimResponse): { headers: Record<string, string>; body: string } {
		const headers: Record<string, string> = { ...response.headers };
		let body = '';
		if (response.rawBody !== undefined) {
			body = response.rawBody;
			headers['Content-Type'] ??= 'application/json; charset=utf-8';
		} else if (response.body !== undefined) {
			body = JSON.stringify(response.body);
			headers['Content-Type'] ??= 'application/json; charset=utf-8';
		}
		headers['Content-Length'] = String(Buffer.byteLength(body));
		return { headers, body };
	}

	private send(res: ServerResponse, response: SimResponse): void {
		const { headers, body } = this.encode(response);
		res.writeHead(response.status, headers);
		res.end(body);
	}

	/** The answer one byte at a time, `ms` apart, until done or the client hangs up. */
	private async trickle(res: ServerResponse, response: SimResponse, ms: number): Promise<void> {
		const { headers, body } = this.encode(response);
		res.writeHead(response.status, headers);
		res.flushHeaders();
		const bytes = Buffer.from(body);
		for (let i = 0; i < bytes.length && !res.destroyed; i++) {
			res.write(bytes.subarray(i, i + 1));
			await sleep(ms);
		}
		if (!res.destroyed) res.end();
	}

	/** The control endpoint: what tests and the demo use to steer the simulator over HTTP. */
	private async control(req: SimRequest): Promise<SimResponse> {
		const route = `${req.method} ${req.path.slice(CONTROL_PREFIX.length - 1)}`;
		let body: Record<string, unknown> = {};
		if (req.rawBody.length) {
			try {
				body = JSON.parse(req.rawBody.toString('utf8')) as Record<string, unknown>;
			} catch {
				return { status: 400, body: { error: 'control requests take a JSON body' } };
			}
		}
		try {
			switch (route) {
				case 'GET /health':
					return { status: 200, body: { ok: true, product: this.product.name } };
				case 'GET /ca':
					return { status: 200, rawBody: this.tls.caPem, headers: { 'Content-Type': 'application/x-pem-file' } };
				case 'GET /state':
					return { status: 200, body: this.product.snapshot() };
				case 'GET /stats':
					return {
						status: 200,
						body: {
							...this.stats,
							tokensIssued: this.tokens.issuedCount,
							pendingFaults: this.faults.pending(),
							rssBytes: process.memoryUsage().rss,
						},
					};
				case 'POST /latency': {
					const ms = Number(body.ms);
					if (!Number.isFinite(ms) || ms < 0 || ms > 60_000) return { status: 400, body: { error: 'ms must be a number from 0 to 60000' } };
					this.latencyMs = ms;
					return { status: 200, body: { latencyMs: ms } };
				}
				case 'POST /stats/reset':
					this.stats.reset();
					this.tokens.issuedCount = 0;
					return { status: 204 };
				case 'GET /log':
					return { status: 200, body: { entries: this.log.since(Number(req.query.get('since') ?? 0)) } };
				case 'POST /faults': {
					const specs = Array.isArray(body) ? body : [body];
					for (const s of specs) this.addFault(s as FaultSpec);
					return { status: 201, body: { queued: this.faults.pending().length } };
				}
				case 'DELETE /faults':
					this.faults.clear();
					return { status: 204 };
				case 'POST /tokens/expire':
					return { status: 200, body: { expired: this.tokens.expireAllAccess() } };
				case 'POST /tokens/refuse-refresh':
					this.tokens.refuseRefresh(Number(body.count ?? 1), body.revokeAll === true);
					return { status: 204 };
				case 'POST /clock/advance':
					this.clock.advance(Number(body.seconds ?? 0));
					return { status: 200, body: { now: new Date(this.clock.now()).toISOString() } };
				case 'POST /seed':
					return { status: 201, body: { added: this.seed(body as unknown as SeedOptions) } };
				case 'POST /logins':
					this.product.setLogin(String(body.name), String(body.password));
					return { status: 204 };
				case 'POST /reset':
					this.reset();
					return { status: 204 };
				case 'POST /versions':
					this.serveVersions(body.versions as string[]);
					return { status: 204 };
				case 'POST /restart': {
					// Answer first, then go down: the caller learns the restart was accepted.
					const downMs = Number(body.downMs ?? 0);
					setTimeout(() => void this.restart(downMs), 50);
					return { status: 202, body: { restarting: true, downMs } };
				}
				default:
					return this.product.control?.(route, body) ?? { status: 404, body: { error: `unknown control route ${route}` } };
			}
		} catch (err) {
			return { status: 400, body: { error: err instanceof Error ? err.message : String(err) } };
		}
	}
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
	const chunks: Buffer[] = [];
	let size = 0;
	for await (const chunk of req) {
		size += (chunk as Buffer).length;
		if (size > MAX_BODY_BYTES) return undefined;
		chunks.push(chunk as Buffer);
	}
	return Buffer.concat(chunks);
}
