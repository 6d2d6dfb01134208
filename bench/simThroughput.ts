/**
 * The simulator's own throughput, so nobody mistakes it for the bottleneck of a node benchmark.
 * A plain HTTPS client (axios, keep-alive, N concurrent workers) against a simulator in a child
 * process: list pages of a 10,000-user server, single-user reads, and token (password) grants.
 *
 *   npm run bench:sim [-- --seconds 5 --concurrency 8]
 */
import axios, { type AxiosInstance } from 'axios';
import { fork, type ChildProcess } from 'node:child_process';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface Started {
	child: ChildProcess;
	url: string;
	caPem: string;
}

async function startSimProcess(product: string, seed: number): Promise<Started> {
	const child = fork(join(__dirname, 'simProcess.ts'), [product, String(seed)], {
		execArgv: ['-r', 'ts-node/register/transpile-only'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	const info = await new Promise<{ url: string; caPem: string }>((resolve, reject) => {
		child.once('message', (m) => resolve(m as { url: string; caPem: string }));
		child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
	});
	return { child, ...info };
}

interface Result {
	scenario: string;
	requests: number;
	seconds: number;
	perSecond: number;
	p50ms: number;
	p99ms: number;
	extra?: string;
}

async function drive(name: string, seconds: number, concurrency: number, once: (i: number) => Promise<void>): Promise<Result> {
	const latencies: number[] = [];
	const deadline = Date.now() + seconds * 1000;
	let counter = 0;
	const started = Date.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (Date.now() < deadline) {
				const t0 = performance.now();
				await once(counter++);
				latencies.push(performance.now() - t0);
			}
		}),
	);
	const elapsed = (Date.now() - started) / 1000;
	latencies.sort((a, b) => a - b);
	const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
	return {
		scenario: name,
		requests: latencies.length,
		seconds: elapsed,
		perSecond: latencies.length / elapsed,
		p50ms: q(0.5),
		p99ms: q(0.99),
	};
}

function client(s: Started, headers: Record<string, string>): AxiosInstance {
	return axios.create({
		baseURL: s.url,
		httpsAgent: new Agent({ ca: s.caPem, keepAlive: true, maxSockets: 64 }),
		headers,
	});
}

async function main(): Promise<void> {
	const { values } = parseArgs({
		options: { seconds: { type: 'string', default: '5' }, concurrency: { type: 'string', default: '8' } },
	});
	const seconds = Number(values.seconds);
	const concurrency = Number(values.concurrency);
	const results: Result[] = [];

	const vbr = await startSimProcess('vbr', 10_000 - 6);
	try {
		const api = client(vbr, { 'x-api-version': '1.3-rev2' });
		const login = async () =>
			(
				await api.post(
					'/api/oauth2/token',
					new URLSearchParams({ grant_type: 'password', username: 'VBR01\\svc-n8n', password: 'Sim-Passw0rd!' }),
				)
			).data as { access_token: string };
		const token = (await login()).access_token;
		const authed = client(vbr, { 'x-api-version': '1.3-rev2', Authorization: `Bearer ${token}` });
		const first = await authed.get('/api/v1/security/users', { params: { limit: 500 } });
		const total = first.data.pagination.total as number;
		const pages = Math.ceil(total / 500);
		const ids = (first.data.data as Array<{ id: string }>).map((u) => u.id);

		const list = await drive('VBR list page (500 of 10,000 users)', seconds, concurrency, async (i) => {
			await authed.get('/api/v1/security/users', { params: { skip: (i % pages) * 500, limit: 500 } });
		});
		list.extra = `${Math.round(list.perSecond * 500).toLocaleString('en')} users/s`;
		results.push(list);
		results.push(
			await drive('VBR get user by id', seconds, concurrency, async (i) => {
				await authed.get(`/api/v1/security/users/${ids[i % ids.length]}`);
			}),
		);
		results.push(await drive('VBR token (password grant)', seconds, concurrency, async () => void (await login())));
		const stats = (await api.get('/__sim/stats')).data as { rssBytes: number };
		results.push({
			scenario: 'VBR simulator RSS after the runs (10,000 users)',
			requests: 0,
			seconds: 0,
			perSecond: 0,
			p50ms: 0,
			p99ms: 0,
			extra: `${Math.round(stats.rssBytes / 2 ** 20)} MiB`,
		});
	} finally {
		vbr.child.disconnect();
	}

	const vbgc = await startSimProcess('vbgc', 10_000 - 4);
	try {
		const api = client(vbgc, { 'x-api-version': '1.4-rev0' });
		const login = async () =>
			(
				await api.post(
					'/api/v1/token',
					new URLSearchParams({ grant_type: 'password', username: 'administrator', password: 'Sim-Passw0rd!1' }),
				)
			).data as { access_token: string };
		const authed = client(vbgc, { 'x-api-version': '1.4-rev0', Authorization: `Bearer ${(await login()).access_token}` });
		const first = await authed.get('/api/v1/users', { params: { limit: 500 } });
		const pages = Math.ceil((first.data.pagination.totalCount as number) / 500);
		const list = await drive('VBGC list page (500 of 10,000 users)', seconds, concurrency, async (i) => {
			await authed.get('/api/v1/users', { params: { offset: (i % pages) * 500, limit: 500 } });
		});
		list.extra = `${Math.round(list.perSecond * 500).toLocaleString('en')} users/s`;
		results.push(list);
		results.push(await drive('VBGC token (password grant)', seconds, concurrency, async () => void (await login())));
	} finally {
		vbgc.child.disconnect();
	}

	const big = await startSimProcess('vbr', 100_000);
	try {
		const api = client(big, { 'x-api-version': '1.3-rev2' });
		const stats = (await api.get('/__sim/stats')).data as { rssBytes: number };
		results.push({
			scenario: 'VBR simulator RSS with 100,000 users seeded',
			requests: 0,
			seconds: 0,
			perSecond: 0,
			p50ms: 0,
			p99ms: 0,
			extra: `${Math.round(stats.rssBytes / 2 ** 20)} MiB`,
		});
	} finally {
		big.child.disconnect();
	}

	console.log(`Simulator throughput (${concurrency} concurrent keep-alive clients, ${seconds} s each, server in its own process)`);
	console.log('scenario'.padEnd(52), 'req/s'.padStart(8), 'p50 ms'.padStart(8), 'p99 ms'.padStart(8), '  note');
	for (const r of results) {
		console.log(
			r.scenario.padEnd(52),
			(r.requests ? r.perSecond.toFixed(0) : '').padStart(8),
			(r.requests ? r.p50ms.toFixed(1) : '').padStart(8),
			(r.requests ? r.p99ms.toFixed(1) : '').padStart(8),
			' ',
			r.extra ?? '',
		);
	}
}

main().catch((err: unknown) => {
	console.error(err);
	process.exit(1);
});
