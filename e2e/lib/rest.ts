/**
 * n8n's internal REST API (`/rest/…`, what the editor uses) on a started instance: owner setup,
 * the credential test, executions. It is unversioned and may change between releases; tried on
 * n8n 2.40.7, 2.41.1 and 1.123.81.
 *
 *   await n8n.start();
 *   const rest = new N8nRest(n8n);
 *   await rest.ready();            // /healthz answers before the REST API is up
 *   await rest.setupOwner();       // the first user; its session cookie is kept
 *   await rest.testCredential({ id, name, type, data });   // { status: 'OK' | 'Error', message }
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

import type { N8nInstance, RunJson } from './n8n';

/** The result of `POST /rest/credentials/test`, as the editor shows it. */
export interface CredentialTestResult {
	status: 'OK' | 'Error';
	message: string;
}

/** One row of `GET /rest/executions`. */
export interface ExecutionSummary {
	id: string;
	workflowId?: string;
	mode: string;
	status: string;
	finished?: boolean;
	startedAt?: string;
	stoppedAt?: string;
	[key: string]: unknown;
}

export class N8nRestError extends Error {
	constructor(
		message: string,
		readonly status: number,
		readonly body: string,
	) {
		super(`${message}: ${status} ${body.slice(0, 2000)}`);
		this.name = 'N8nRestError';
	}
}

export const OWNER = { email: 'owner@e2e.invalid', firstName: 'E2E', lastName: 'Owner', password: 'E2e-Owner-Passw0rd!' };

export class N8nRest {
	private cookie = '';
	/** n8n ties a session to the browser id it was issued with; every call sends the same one. */
	private readonly browserId = 'n8n-nodes-veeam-e2e';

	constructor(private readonly n8n: N8nInstance) {}

	/**
	 * Waits until the REST API answers (GET /rest/settings gives JSON). /healthz answers earlier,
	 * while n8n still replies "n8n is starting up" to everything else.
	 */
	async ready(timeoutMs = 90_000): Promise<void> {
		const started = Date.now();
		let last = '';
		while (Date.now() - started < timeoutMs) {
			try {
				const res = await fetch(`${this.n8n.baseUrl}/rest/settings`, { signal: AbortSignal.timeout(5_000) });
				last = `${res.status} ${(await res.text()).slice(0, 100)}`;
				if (res.status === 200 && last.startsWith('200 {')) return;
			} catch (error) {
				last = (error as Error).message;
			}
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		throw new Error(`n8n REST API not ready after ${timeoutMs} ms (last answer: ${last})`);
	}

	/** Creates the owner account (a fresh instance has none) and keeps its session. */
	async setupOwner(): Promise<void> {
		await this.call('POST', '/rest/owner/setup', OWNER);
		if (!this.cookie) throw new Error('n8n answered the owner setup without a session cookie');
	}

	/** GET /rest/credentials/<id>?includeData=true: what the editor loads (secrets redacted on 2.x). */
	async getCredential(id: string): Promise<{ id: string; name: string; type: string; data?: Record<string, unknown> }> {
		return (await this.call('GET', `/rest/credentials/${encodeURIComponent(id)}?includeData=true`)) as {
			id: string;
			name: string;
			type: string;
			data?: Record<string, unknown>;
		};
	}

	/**
	 * POST /rest/credentials/test, as the editor sends it when a credential is saved or retested:
	 * the stored credential's id with the data in the form (redacted values are filled in by n8n
	 * from the stored credential).
	 */
	async testCredential(credential: { id: string; name: string; type: string; data: Record<string, unknown> }): Promise<CredentialTestResult> {
		return (await this.call('POST', '/rest/credentials/test', { credentials: credential })) as CredentialTestResult;
	}

	/** The executions of a workflow, newest first. */
	async executions(workflowId: string): Promise<ExecutionSummary[]> {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const data = (await this.call('GET', `/rest/executions?filter=${filter}&limit=100`)) as { results?: ExecutionSummary[] } | ExecutionSummary[];
		return Array.isArray(data) ? data : (data.results ?? []);
	}

	/** One execution with its run data (n8n sends it "flatted"; parsed here with n8n's own flatted). */
	async execution(id: string): Promise<ExecutionSummary & { data: RunJson['data'] }> {
		const execution = (await this.call('GET', `/rest/executions/${encodeURIComponent(id)}`)) as ExecutionSummary & { data: unknown };
		const data = typeof execution.data === 'string' ? (this.flatted().parse(execution.data) as RunJson['data']) : (execution.data as RunJson['data']);
		return { ...execution, data };
	}

	/** A request with the owner's session; returns the `data` of n8n's `{ data }` envelope. */
	async call(method: string, path: string, body?: unknown): Promise<unknown> {
		const res = await fetch(`${this.n8n.baseUrl}${path}`, {
			method,
			headers: {
				'browser-id': this.browserId,
				...(this.cookie ? { cookie: this.cookie } : {}),
				...(body === undefined ? {} : { 'content-type': 'application/json' }),
			},
			body: body === undefined ? undefined : JSON.stringify(body),
			signal: AbortSignal.timeout(60_000),
		});
		const text = await res.text();
		const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]);
		const auth = cookies.find((c) => c.startsWith('n8n-auth='));
		if (auth) this.cookie = auth;
		if (!res.ok) throw new N8nRestError(`n8n ${method} ${path}`, res.status, text);
		const parsed = text ? (JSON.parse(text) as { data?: unknown }) : {};
		return parsed && typeof parsed === 'object' && 'data' in parsed ? parsed.data : parsed;
	}

	private flatted(): { parse(text: string): unknown } {
		// The same library n8n serialises with, from the n8n under test.
		const n8nRequire = createRequire(join(this.n8n.install.n8nBin, '..', '..', 'package.json'));
		return n8nRequire('flatted') as { parse(text: string): unknown };
	}
}
