/**
 * `npm run bench:cloud`, or `ts-node bench/cloud.ts [--onboard 500 --server-users 5000 --latency 20 --pairs 2]`
 *
 * Onboarding N new users on a Veeam Backup for AWS and a Veeam Backup for Microsoft Azure simulator
 * that already have M, at a realistic per-request latency, in one run: our node (built, through
 * n8n's engine, default concurrency) against a hand-written sequential script with a keep-alive
 * client doing the same job (token, then per user a look-up by name and the create: 2N + 1
 * requests). Prints the times, the requests per user and the ratio ours / script; writes
 * bench/cloud.json; exits 1 when ours is not faster than the script.
 */
import axios, { type AxiosInstance } from 'axios';
import { fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import type { ICredentialType, IDataObject, INodeType } from 'n8n-workflow';

import { AWS_DEFAULT_ADMIN, AWS_DEFAULT_PASSWORD, AZURE_DEFAULT_ADMIN, AZURE_DEFAULT_PASSWORD } from '../sim';
import { NodeTypes, TestCredentialsHelper, runWorkflow, shutdownEngine } from '../test/support/engine';
import { median, type SimStats } from './lib';

const DIST = join(__dirname, '..', 'dist');
const NODE_TYPE = 'n8n-nodes-veeam.veeam';
const { Veeam } = require(join(DIST, 'nodes/Veeam/Veeam.node.js')) as { Veeam: new () => INodeType };
const { VeeamBackupAwsApi } = require(join(DIST, 'credentials/VeeamBackupAwsApi.credentials.js')) as { VeeamBackupAwsApi: new () => ICredentialType };
const { VeeamBackupAzureApi } = require(join(DIST, 'credentials/VeeamBackupAzureApi.credentials.js')) as { VeeamBackupAzureApi: new () => ICredentialType };

type Cloud = 'aws' | 'azure';
const PRODUCT: Record<Cloud, { credentialType: string; username: string; password: string; apiVersion: string; users: string; credential: () => ICredentialType }> = {
	aws: { credentialType: 'veeamBackupAwsApi', username: AWS_DEFAULT_ADMIN, password: AWS_DEFAULT_PASSWORD, apiVersion: '1.7-rev0', users: '/api/v1/users', credential: () => new VeeamBackupAwsApi() },
	azure: { credentialType: 'veeamBackupAzureApi', username: AZURE_DEFAULT_ADMIN, password: AZURE_DEFAULT_PASSWORD, apiVersion: 'v8.1', users: '/api/v8.1/users', credential: () => new VeeamBackupAzureApi() },
};
const PASSWORD = 'B3nch-Hire-Passw0rd!';

interface Sim {
	url: string;
	caPem: string;
	control: AxiosInstance;
	stop: () => void;
}

async function startSim(product: Cloud): Promise<Sim> {
	// expiresIn 3600: a token outlives the run, as in a real onboarding of a few minutes.
	const child = fork(join(__dirname, 'simProcess.ts'), [product, '0', '3600'], { execArgv: ['-r', 'ts-node/register/transpile-only'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const { url, caPem } = await new Promise<{ url: string; caPem: string }>((resolve, reject) => {
		child.once('message', (m) => resolve(m as { url: string; caPem: string }));
		child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
	});
	return { url, caPem, control: axios.create({ baseURL: `${url}/__sim/`, httpsAgent: new Agent({ ca: caPem }) }), stop: () => child.disconnect() };
}

async function reset(sim: Sim, serverUsers: number, latencyMs: number): Promise<void> {
	await sim.control.post('reset');
	if (serverUsers > 0) await sim.control.post('seed', { count: serverUsers });
	await sim.control.post('latency', { ms: latencyMs });
	await sim.control.post('stats/reset');
}

const hires = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `hire_${String(i).padStart(6, '0')}` }));

async function ours(product: Cloud, sim: Sim, input: IDataObject[]): Promise<number> {
	const p = PRODUCT[product];
	const credentials = new TestCredentialsHelper([p.credential()], {
		[product]: { type: p.credentialType, data: { url: sim.url, username: p.username, password: p.password, apiVersion: p.apiVersion, caCertificate: sim.caPem, skipTlsVerification: false } },
	});
	const started = performance.now();
	const result = await runWorkflow({
		nodes: [
			{
				name: 'Veeam',
				type: NODE_TYPE,
				parameters: { product, resource: 'user', operation: 'onboard', userName: '={{ $json.name }}', password: PASSWORD, roles: ['Restore Operator'] },
				credentials: credentials.ref(product),
			},
		],
		input,
		credentials,
		nodeTypes: new NodeTypes({ [NODE_TYPE]: new Veeam() }),
	});
	const ms = performance.now() - started;
	if (result.error) throw new Error(`node run failed: ${result.error.message}`);
	const created = (result.outputs.Veeam?.[0] ?? []).filter((i) => i.json.action === 'created').length;
	if (created !== input.length) throw new Error(`created ${created} of ${input.length}`);
	return ms;
}

/** The hand-written script: token, then per user a look-up by name and the create. */
async function script(product: Cloud, sim: Sim, input: Array<{ name: string }>): Promise<number> {
	const p = PRODUCT[product];
	const api = axios.create({ baseURL: sim.url, httpsAgent: new Agent({ ca: sim.caPem, keepAlive: true }), headers: product === 'aws' ? { 'x-api-version': p.apiVersion } : {}, validateStatus: () => true });
	const started = performance.now();
	const tokenPath = product === 'aws' ? '/api/v1/token' : '/api/oauth2/token';
	const t = await api.post(tokenPath, new URLSearchParams({ grant_type: 'password', username: p.username, password: p.password }));
	api.defaults.headers.common.Authorization = `Bearer ${t.data.access_token as string}`;
	for (const { name } of input) {
		const found =
			product === 'aws'
				? (await api.get(`${p.users}/${name}`)).status === 200
				: ((await api.get(p.users, { params: { NameFilter: name } })).data.totalCount as number) > 0;
		if (!found) {
			const role = product === 'aws' ? 'RestoreOperator' : ['RestoreOperator'];
			const res = await api.post(p.users, { name, description: '', password: PASSWORD, role, ...(product === 'azure' ? { type: 'Internal' } : {}) });
			if (res.status !== 201) throw new Error(`script create ${res.status}: ${JSON.stringify(res.data)}`);
		}
	}
	return performance.now() - started;
}

async function main(): Promise<number> {
	const { values } = parseArgs({ options: { onboard: { type: 'string', default: '500' }, 'server-users': { type: 'string', default: '5000' }, latency: { type: 'string', default: '20' }, pairs: { type: 'string', default: '2' } } });
	const n = Number(values.onboard);
	const m = Number(values['server-users']);
	const latency = Number(values.latency);
	const pairs = Number(values.pairs);
	const figures: IDataObject[] = [];
	let ok = true;
	for (const product of ['aws', 'azure'] as const) {
		const sim = await startSim(product);
		try {
			const input = hires(n);
			const oursMs: number[] = [];
			const scriptMs: number[] = [];
			let oursRequests = 0;
			let scriptRequests = 0;
			for (let pair = 0; pair < pairs; pair++) {
				await reset(sim, m, latency);
				oursMs.push(await ours(product, sim, input));
				oursRequests = ((await sim.control.get('stats')).data as SimStats).requests;
				await reset(sim, m, latency);
				scriptMs.push(await script(product, sim, input));
				scriptRequests = ((await sim.control.get('stats')).data as SimStats).requests;
			}
			const figure = {
				product,
				newUsers: n,
				serverUsers: m,
				latencyMs: latency,
				oursMs: Math.round(median(oursMs)),
				scriptMs: Math.round(median(scriptMs)),
				ratio: Number((median(oursMs) / median(scriptMs)).toFixed(2)),
				oursRequestsPerUser: Number((oursRequests / n).toFixed(3)),
				scriptRequestsPerUser: Number((scriptRequests / n).toFixed(3)),
			};
			figures.push(figure);
			console.log(
				`${product.padEnd(6)} onboard ${n} on ${m} users at ${latency} ms: ours ${(figure.oursMs / 1000).toFixed(1)} s (${figure.oursRequestsPerUser} requests/user), keep-alive script ${(figure.scriptMs / 1000).toFixed(1)} s (${figure.scriptRequestsPerUser}/user), ours / script ${figure.ratio}`,
			);
			if (figure.ratio >= 1) ok = false;
		} finally {
			sim.stop();
		}
	}
	writeFileSync(join(__dirname, 'cloud.json'), `${JSON.stringify({ measuredAt: new Date().toISOString(), figures }, null, 2)}\n`);
	await shutdownEngine();
	return ok ? 0 : 1;
}

main().then(
	(code) => process.exit(code),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);
