/**
 * `n8n worker` processes beside an N8nInstance in queue mode: same install, user folder (the
 * community package) and environment, each with its own health-check and runner ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';

import { freePort, httpStatus, tail, type N8nInstance } from './n8n';

const delay = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

export class N8nWorker {
	private logText = '';
	private exitCode: number | null | undefined;

	private constructor(
		readonly name: string,
		private readonly child: ChildProcess,
		readonly healthPort: number,
	) {
		const append = (chunk: string) => {
			this.logText += chunk;
			if (this.logText.length > 2_000_000) this.logText = this.logText.slice(-1_000_000);
		};
		child.stdout?.setEncoding('utf8').on('data', append);
		child.stderr?.setEncoding('utf8').on('data', append);
		child.once('exit', (code, signal) => (this.exitCode = code ?? (signal ? -1 : null)));
	}

	/** Starts `n8n worker` and waits until its /healthz answers 200. */
	static async start(n8n: N8nInstance, name: string, concurrency = 10, timeoutMs = 120_000): Promise<N8nWorker> {
		const healthPort = await freePort();
		const brokerPort = await freePort();
		const child = spawn(n8n.install.node, [n8n.install.n8nBin, 'worker', `--concurrency=${concurrency}`], {
			cwd: n8n.userFolder,
			env: {
				...n8n.env,
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(healthPort),
				N8N_RUNNERS_BROKER_PORT: String(brokerPort),
				N8N_LOG_LEVEL: 'info',
			},
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		const worker = new N8nWorker(name, child, healthPort);
		const started = Date.now();
		while (Date.now() - started < timeoutMs) {
			if (worker.exitCode !== undefined) throw new Error(`n8n worker ${name} exited with ${worker.exitCode}\n${tail(worker.logText)}`);
			if ((await httpStatus(`http://127.0.0.1:${healthPort}/healthz`)) === 200) return worker;
			await delay(250);
		}
		child.kill('SIGKILL');
		throw new Error(`n8n worker ${name} not healthy within ${timeoutMs} ms\n${tail(worker.logText)}`);
	}

	get log(): string {
		return this.logText;
	}

	get pid(): number | undefined {
		return this.child.pid;
	}

	get running(): boolean {
		return this.exitCode === undefined;
	}

	/** kill -9: the worker dies mid-run, as a crashed or OOM-killed process would. */
	async kill9(): Promise<void> {
		if (!this.running) return;
		const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
		this.child.kill('SIGKILL');
		await exited;
	}

	async stop(graceMs = 20_000): Promise<void> {
		if (!this.running) return;
		const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
		this.child.kill('SIGTERM');
		const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
		await exited;
		clearTimeout(timer);
	}
}
