/**
 * What the benchmarks share: the simulator in its own process (so client and server do not share
 * an event loop), its counters, a plain HTTP client (axios) for the hand-written comparison, and a
 * run of our node through n8n's engine, as n8n loads the built package.
 */
import axios, { type AxiosInstance } from 'axios';
import { fork, type ChildProcess } from 'node:child_process';
import { Agent } from 'node:https';
import { join } from 'node:path';

import type { ICredentialType, IDataObject, INodeType } from 'n8n-workflow';

import { NodeTypes, TestCredentialsHelper, runWorkflow } from '../test/support/engine';

const NODE_TYPE = 'n8n-nodes-veeam.veeam';
// The built package (npm run build), as n8n loads it. (From source, ts-node would resolve
// `Veeam.node` to the codex `Veeam.node.json` before `Veeam.node.ts`.)
const DIST = join(__dirname, '..', 'dist');
const { Veeam } = require(join(DIST, 'nodes/Veeam/Veeam.node.js')) as { Veeam: new () => INodeType };
const { VeeamBackupReplicationApi } = require(join(DIST, 'credentials/VeeamBackupReplicationApi.credentials.js')) as {
	VeeamBackupReplicationApi: new () => ICredentialType;
};
export const LOGIN = { username: 'VBR01\\svc-n8n', password: 'Sim-Passw0rd!' };
export const API_VERSION = '1.3-rev2';
/** Users the VBR simulator starts with (the service account and the console's own). */
export const SIM_BASE_USERS = 6;

export interface SimProcess {
	child: ChildProcess;
	url: string;
	caPem: string;
	control: AxiosInstance;
}

export async function startSim(seed = 0): Promise<SimProcess> {
	const child = fork(join(__dirname, 'simProcess.ts'), ['vbr', String(seed)], {
		execArgv: ['-r', 'ts-node/register/transpile-only'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	const { url, caPem } = await new Promise<{ url: string; caPem: string }>((resolve, reject) => {
		child.once('message', (m) => resolve(m as { url: string; caPem: string }));
		child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
	});
	const control = axios.create({ baseURL: `${url}/__sim/`, httpsAgent: new Agent({ ca: caPem }) });
	return { child, url, caPem, control };
}

export interface SimStats {
	requests: number;
	byRoute: Record<string, number>;
	grants: Record<string, number>;
	maxInFlight: number;
}

export async function stats(sim: SimProcess): Promise<SimStats> {
	return (await sim.control.get('stats')).data as SimStats;
}

/** A fresh server with `users` users in all, answering every API request after `latencyMs`; counters zeroed. */
export async function resetSim(sim: SimProcess, users = SIM_BASE_USERS, latencyMs = 0): Promise<void> {
	await sim.control.post('reset');
	if (users > SIM_BASE_USERS) await sim.control.post('seed', { count: users - SIM_BASE_USERS });
	await sim.control.post('latency', { ms: latencyMs });
	await sim.control.post('stats/reset');
}

/**
 * `keepAlive: false` opens a new TLS connection per request, as n8n's HTTP helper does (it builds a
 * new agent for each request): that variant separates n8n's connection cost from our node's own.
 */
export function plainClient(sim: SimProcess, keepAlive = true): AxiosInstance {
	return axios.create({
		baseURL: sim.url,
		httpsAgent: new Agent({ ca: sim.caPem, keepAlive }),
		headers: { 'x-api-version': API_VERSION },
	});
}

export async function plainLogin(api: AxiosInstance): Promise<void> {
	const t = await api.post('/api/oauth2/token', new URLSearchParams({ grant_type: 'password', ...LOGIN }));
	api.defaults.headers.common.Authorization = `Bearer ${t.data.access_token as string}`;
}

/** The node's run, with a fresh credential (so it logs in once, like a first execution). */
export async function nodeRun(sim: SimProcess, parameters: Record<string, unknown>, input: IDataObject[]) {
	const credentials = new TestCredentialsHelper([new VeeamBackupReplicationApi()], {
		vbr: {
			type: 'veeamBackupReplicationApi',
			data: { url: sim.url, ...LOGIN, apiVersion: API_VERSION, caCertificate: sim.caPem, skipTlsVerification: false },
		},
	});
	const started = performance.now();
	const result = await runWorkflow({
		nodes: [{ name: 'Veeam', type: NODE_TYPE, parameters: { product: 'vbr', ...parameters }, credentials: credentials.ref('vbr') }],
		input,
		credentials,
		nodeTypes: new NodeTypes({ [NODE_TYPE]: new Veeam() }),
	});
	const ms = performance.now() - started;
	if (result.error) throw new Error(`node run failed: ${result.error.message}`);
	return { ms, json: (result.outputs.Veeam?.[0] ?? []).map((item) => item.json) };
}

export function median(values: number[]): number {
	const s = [...values].sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)];
}
