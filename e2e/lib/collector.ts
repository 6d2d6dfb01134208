/**
 * A local HTTP endpoint that records what n8n sends it: the stand-in for a ticketing system, a chat
 * webhook (Slack / Teams) or a mail service in the end-to-end workflows. Listens on 127.0.0.1 at a
 * port the OS picks; answers every request 201 with a small JSON body (`{ id: "IT-1001" }`, …).
 *
 *   const collector = await Collector.start();
 *   workflow's HTTP Request URL → collector.url('/tickets')
 *   const [ticket] = await collector.waitFor((r) => r.path === '/tickets');
 *   await collector.close();
 *
 * `serve(handler)` makes it a file host too: a request the handler answers gets that answer (e.g.
 * a roles file at a git host's raw URL); every other request the usual 201. All are recorded.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CollectedRequest {
	/** Date.now() when the request was complete. */
	at: number;
	method: string;
	/** Path and query, e.g. `/tickets`. */
	path: string;
	headers: IncomingHttpHeaders;
	text: string;
	/** The body parsed as JSON, when it is JSON. */
	json?: unknown;
	/** What the collector answered (its `id`). */
	id: string;
}

/** An answer of `serve`: a status, a body as sent, its content type (default application/json). */
export type ServedAnswer = { status: number; body: string; contentType?: string };

export class Collector {
	readonly requests: CollectedRequest[] = [];
	private waiters: Array<() => void> = [];
	private handler: (request: { method: string; path: string }) => ServedAnswer | undefined = () => undefined;

	private constructor(
		private readonly server: Server,
		readonly port: number,
	) {}

	static async start(): Promise<Collector> {
		// The handler needs the collector, the collector needs the listening server.
		const self: { collector?: Collector } = {};
		const server = createServer((req, res) => {
			let text = '';
			req.setEncoding('utf8');
			req.on('data', (chunk: string) => (text += chunk));
			req.on('end', () => {
				let json: unknown;
				try {
					json = text ? JSON.parse(text) : undefined;
				} catch {
					json = undefined;
				}
				const id = `IT-${1001 + (self.collector?.requests.length ?? 0)}`;
				const method = req.method ?? 'GET';
				const path = req.url ?? '/';
				self.collector?.record({ at: Date.now(), method, path, headers: req.headers, text, json, id });
				const served = self.collector?.handler({ method, path });
				res.writeHead(served?.status ?? 201, { 'Content-Type': served?.contentType ?? 'application/json' });
				res.end(served ? served.body : JSON.stringify({ id, received: true }));
			});
		});
		server.listen(0, '127.0.0.1');
		await once(server, 'listening');
		self.collector = new Collector(server, (server.address() as AddressInfo).port);
		return self.collector;
	}

	/** Answers the requests `handler` returns an answer for (the others get the usual 201). */
	serve(handler: (request: { method: string; path: string }) => ServedAnswer | undefined): void {
		this.handler = handler;
	}

	url(path: string): string {
		return `http://127.0.0.1:${this.port}${path.startsWith('/') ? path : `/${path}`}`;
	}

	/** The requests to a path (exact, query excluded). */
	to(path: string): CollectedRequest[] {
		return this.requests.filter((r) => r.path.split('?')[0] === path);
	}

	/**
	 * Resolves with the requests matching `match` once there are at least `count` of them; rejects
	 * after `timeoutMs` saying what did arrive.
	 */
	async waitFor(match: (r: CollectedRequest) => boolean, { count = 1, timeoutMs = 30_000 } = {}): Promise<CollectedRequest[]> {
		const started = Date.now();
		for (;;) {
			const found = this.requests.filter(match);
			if (found.length >= count) return found;
			const left = timeoutMs - (Date.now() - started);
			if (left <= 0) {
				throw new Error(
					`collector: ${found.length} of ${count} expected request(s) within ${timeoutMs} ms; received: ` +
						(this.requests.map((r) => `${r.method} ${r.path} ${r.text.slice(0, 200)}`).join('; ') || 'nothing'),
				);
			}
			await new Promise<void>((resolve) => {
				const timer = setTimeout(resolve, left);
				this.waiters.push(() => {
					clearTimeout(timer);
					resolve();
				});
			});
		}
	}

	async close(): Promise<void> {
		this.server.closeAllConnections();
		this.server.close();
		await once(this.server, 'close').catch(() => undefined);
	}

	private record(request: CollectedRequest): void {
		this.requests.push(request);
		const waiters = this.waiters;
		this.waiters = [];
		for (const wake of waiters) wake();
	}
}
