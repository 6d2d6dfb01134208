import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { Agent } from 'node:https';

import type { SimServer } from '../../sim';
import type { OpenApiContract } from './contract';

export interface SimClientOptions {
	apiVersion?: string;
	/** Contract(s) to check every response against, chosen by the request's x-api-version. */
	contracts?: Record<string, OpenApiContract>;
	token?: string;
}

/**
 * A plain HTTP client for the simulator over real HTTPS, trusting the simulator's CA (never
 * skipping verification). Never throws on HTTP status; checks each response against the contract.
 */
export function simClient(sim: SimServer, opts: SimClientOptions = {}): AxiosInstance {
	const client = axios.create({
		baseURL: sim.url,
		httpsAgent: new Agent({ ca: sim.tls.caPem, keepAlive: true }),
		validateStatus: () => true,
		transformResponse: (data: string) => data, // keep the raw text; parse below
		headers: {
			...(opts.apiVersion ? { 'x-api-version': opts.apiVersion } : {}),
			...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
		},
	});
	client.interceptors.response.use((res: AxiosResponse) => {
		const raw = typeof res.data === 'string' ? res.data : '';
		let body: unknown = raw;
		let parsed = true;
		if (raw !== '' && String(res.headers['content-type'] ?? '').includes('json')) {
			try {
				body = JSON.parse(raw);
			} catch {
				parsed = false; // a `malformed` fault: the caller asserts on the raw text
			}
		}
		res.data = body;
		const path = new URL(res.config.url ?? '', sim.url).pathname;
		const version = String(res.config.headers?.['x-api-version'] ?? opts.apiVersion ?? '');
		const contract = opts.contracts?.[version];
		if (contract && parsed && !path.startsWith('/__sim/')) {
			contract.check(String(res.config.method).toUpperCase(), path, res.status, body, raw);
		}
		return res;
	});
	return client;
}
