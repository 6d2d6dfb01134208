/**
 * The VSPC simulator's tests share this: a simulator over real HTTPS (the client trusts its CA
 * only), every answer under /api/v3 checked against sim/spec/vspc-3.6.1.users.openapi.json and
 * every JSON request body against the operation's schema, Veeam's example payloads
 * (test/fixtures/veeam/vspc), and small request helpers.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';

import axios, { type AxiosInstance, type AxiosResponse } from 'axios';

import { OpenApiContract } from '../support/contract';

import {
	startSimulator,
	totpAt,
	VSPC_DEFAULT_ADMIN,
	VSPC_DEFAULT_PASSWORD,
	VspcProduct,
	type SimServer,
	type SimulatorOptions,
} from '../../sim';

export const API = '/api/v3';
export const VERSION = '3.6.1';
export const contract = new OpenApiContract('vspc-3.6.1.users.openapi.json');

export interface Client {
	sim: SimServer;
	vspc: VspcProduct;
	http: AxiosInstance;
	agent: https.Agent;
}

/** Paths of the spec are relative to its server URL (`https://server:1280/api/v3`). */
function specPath(url: string, base: string): string | undefined {
	const path = new URL(url, base).pathname;
	return path.startsWith(`${API}/`) ? path.slice(API.length) : undefined;
}

/** Request bodies of JSON operations, by operation. */
const REQUEST_SCHEMAS: Record<string, string> = { 'POST /users': 'UserInput', 'PATCH /users': 'JsonPatches' };

export async function start(options: Partial<SimulatorOptions> = {}, validate = true): Promise<Client> {
	const sim = await startSimulator({ product: 'vspc', ...options });
	const agent = new https.Agent({ ca: sim.tls.caPem });
	const http = axios.create({ baseURL: `${sim.url}${API}`, httpsAgent: agent, validateStatus: () => true, headers: { 'X-Client-Version': VERSION } });
	if (validate) {
		http.interceptors.response.use((res) => {
			const path = specPath(`${res.config.baseURL ?? ''}${res.config.url ?? ''}`, sim.url);
			// `select` answers only the properties asked for, which the schemas' required lists do not
			// allow for: such answers are not validated.
			if (path !== undefined && !new URL(res.config.url ?? '', sim.url).searchParams.has('select')) {
				const method = String(res.config.method).toUpperCase();
				const raw = typeof res.data === 'string' ? res.data : JSON.stringify(res.data);
				contract.check(method, path, res.status, res.data, raw);
				const schema = REQUEST_SCHEMAS[`${method} ${path.replace(/\/[0-9a-f-]{36}$/, '')}`];
				if (schema && typeof res.config.data === 'string' && res.status < 300) {
					contract.violations.push(...contract.checkSchema(schema, JSON.parse(res.config.data)).map((v) => `request ${method} ${path}: ${v}`));
				}
			}
			return res;
		});
	}
	return { sim, vspc: sim.product as VspcProduct, http, agent };
}

export async function stop(c: Client): Promise<void> {
	c.agent.destroy();
	await c.sim.close();
}

const form = { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } };

export function token(c: Client, fields: Record<string, string>): Promise<AxiosResponse> {
	return c.http.post('/token', new URLSearchParams(fields).toString(), form);
}

export const bearer = (t: string) => ({ headers: { Authorization: `Bearer ${t}` } });

export async function login(c: Client, username = VSPC_DEFAULT_ADMIN, password = VSPC_DEFAULT_PASSWORD): Promise<string> {
	const res = await token(c, { grant_type: 'password', username, password });
	expect(res.status).toBe(200);
	return res.data.access_token as string;
}

/** A TOTP for the simulator's clock, moved past a window edge first (the server takes the current window only). */
export function code(c: Client, secret: string): string {
	const left = 30_000 - (c.sim.clock.now() % 30_000);
	if (left < 3_000) c.sim.clock.advance(Math.ceil(left / 1000));
	return totpAt(secret, c.sim.clock.now());
}

/** VSPC's error body: `{ errors: [{ message, type, code }] }`. */
export function expectErrors(res: AxiosResponse, status: number, type: string, code = status): void {
	expect({ status: res.status, type: res.data?.errors?.[0]?.type, code: res.data?.errors?.[0]?.code }).toEqual({ status, type, code });
	expect(res.data.errors[0].message).toEqual(expect.any(String));
}

/** A Veeam example payload (test/fixtures/veeam/vspc/<name>.json) with its query, if any. */
export function fixtureRecord<T = unknown>(name: string): { body: T; query?: Record<string, string> } {
	const file = join(__dirname, '..', 'fixtures', 'veeam', 'vspc', `${name}.json`);
	return JSON.parse(readFileSync(file, 'utf8')) as { body: T; query?: Record<string, string> };
}

/** A Veeam example payload's `body`. */
export function fixture<T = unknown>(name: string): T {
	return fixtureRecord<T>(name).body;
}

export const q = (params: Record<string, unknown>): string =>
	new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();

export const userNames = (res: AxiosResponse): string[] => (res.data.data as Array<{ userName: string }>).map((u) => u.userName);
