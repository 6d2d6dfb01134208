/**
 * What the VSPC benchmarks share: the VSPC simulator in its own process (bench/simProcess.ts), seeded
 * through its control endpoint with companies and users, its counters, the plain client's target,
 * and a run of our built node (or trigger) through n8n's engine with a VSPC credential.
 */
import axios, { type AxiosInstance } from 'axios';
import { fork, type ChildProcess } from 'node:child_process';
import { Agent } from 'node:https';
import { join } from 'node:path';

import type { ICredentialType, IDataObject, INodeType } from 'n8n-workflow';

import { VSPC_DEFAULT_ADMIN, VSPC_DEFAULT_PASSWORD } from '../sim';
import { NodeTypes, PollActivation, TestCredentialsHelper, runWorkflow } from '../test/support/engine';
import type { SimStats } from './lib';
import type { VspcTarget } from './vspcPlain';

const DIST = join(__dirname, '..', 'dist');
const NODE_TYPE = 'n8n-nodes-veeam.veeam';
const TRIGGER_TYPE = 'n8n-nodes-veeam.veeamTrigger';
export const CREDENTIAL_TYPE = 'veeamServiceProviderConsoleApi';

/** The simulator's portal administrator and the API version requests carry (sim/vspc). */
export const VSPC_LOGIN = { username: VSPC_DEFAULT_ADMIN, password: VSPC_DEFAULT_PASSWORD };
export const VSPC_CLIENT_VERSION = '3.6.1';

export interface VspcSim {
	child: ChildProcess;
	url: string;
	caPem: string;
	control: AxiosInstance;
	target: VspcTarget;
}

export interface VspcSeed {
	companies: number;
	users: number;
}

export async function startVspcSim(): Promise<VspcSim> {
	// expiresIn 3600: a token outlives a run of several minutes.
	const child = fork(join(__dirname, 'simProcess.ts'), ['vspc', '0', '3600'], {
		execArgv: ['-r', 'ts-node/register/transpile-only'],
		stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
	});
	const { url, caPem } = await new Promise<{ url: string; caPem: string }>((resolve, reject) => {
		child.once('message', (m) => resolve(m as { url: string; caPem: string }));
		child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
	});
	const control = axios.create({ baseURL: `${url}/__sim/`, httpsAgent: new Agent({ ca: caPem }) });
	return { child, url, caPem, control, target: { url, caPem, ...VSPC_LOGIN, clientVersion: VSPC_CLIENT_VERSION } };
}

/** A fresh server with `seed` companies and users, answering every API request after `latencyMs`; counters zeroed. */
export async function resetVspc(sim: VspcSim, seed: VspcSeed, latencyMs = 0): Promise<void> {
	await sim.control.post('reset');
	await sim.control.post('seed', { count: seed.users, companies: seed.companies });
	await sim.control.post('latency', { ms: latencyMs });
	await sim.control.post('stats/reset');
}

export async function vspcStats(sim: VspcSim): Promise<SimStats> {
	return (await sim.control.get('stats')).data as SimStats;
}

/** Runs `work`; returns its result, its wall time and the CPU time this process spent meanwhile (n8n's engine, our node, the plain client), ms. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number; cpuMs: number }> {
	const cpu = process.cpuUsage();
	const started = performance.now();
	const value = await work();
	const ms = performance.now() - started;
	const used = process.cpuUsage(cpu);
	return { value, ms, cpuMs: (used.user + used.system) / 1000 };
}

/** Requests by route whose name contains `part` (e.g. 'POST /api/v3/users'), summed. */
export function countRoutes(s: SimStats, test: (route: string) => boolean): number {
	return Object.entries(s.byRoute)
		.filter(([route]) => test(route))
		.reduce((sum, [, n]) => sum + n, 0);
}

function credentialsFor(sim: VspcSim): TestCredentialsHelper {
	const { VeeamServiceProviderConsoleApi } = require(join(DIST, 'credentials/VeeamServiceProviderConsoleApi.credentials.js')) as {
		VeeamServiceProviderConsoleApi: new () => ICredentialType;
	};
	return new TestCredentialsHelper([new VeeamServiceProviderConsoleApi()], {
		vspc: {
			type: CREDENTIAL_TYPE,
			data: { url: sim.url, ...VSPC_LOGIN, apiVersion: VSPC_CLIENT_VERSION, caCertificate: sim.caPem, skipTlsVerification: false },
		},
	});
}

/** The node's run with a fresh credential (it logs in once, like a first execution). */
export async function vspcNodeRun(sim: VspcSim, parameters: Record<string, unknown>, input: IDataObject[]): Promise<{ ms: number; json: IDataObject[] }> {
	const { Veeam } = require(join(DIST, 'nodes/Veeam/Veeam.node.js')) as { Veeam: new () => INodeType };
	const credentials = credentialsFor(sim);
	const started = performance.now();
	const result = await runWorkflow({
		nodes: [{ name: 'Veeam', type: NODE_TYPE, parameters: { product: 'vspc', ...parameters }, credentials: credentials.ref('vspc') }],
		input,
		credentials,
		nodeTypes: new NodeTypes({ [NODE_TYPE]: new Veeam() }),
	});
	const ms = performance.now() - started;
	if (result.error) throw new Error(`node run failed: ${result.error.message}`);
	return { ms, json: (result.outputs.Veeam?.[0] ?? []).map((item) => item.json) };
}

/** One activated Veeam Trigger on VSPC (its static data kept across polls, as n8n keeps it). */
export function vspcTriggerActivation(sim: VspcSim, parameters: Record<string, unknown>): PollActivation {
	const { VeeamTrigger } = require(join(DIST, 'nodes/VeeamTrigger/VeeamTrigger.node.js')) as { VeeamTrigger: new () => INodeType };
	const credentials = credentialsFor(sim);
	return new PollActivation({
		node: { name: 'Veeam Trigger', type: TRIGGER_TYPE, parameters: { product: 'vspc', ...parameters }, credentials: credentials.ref('vspc') },
		nodeType: new VeeamTrigger(),
		credentials,
		saveStaticData: 'always',
		// A poll timed as n8n runs it: no copies of the static data for a test to read.
		resultCopies: false,
	});
}
