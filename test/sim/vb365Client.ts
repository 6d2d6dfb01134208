/**
 * The VB365 simulator's tests share this: a simulator over real HTTPS (the client trusts its CA
 * only), every answer on a /v8 path checked against sim/spec/vb365-v8.rbac.openapi.json and on a
 * /v7 path against sim/spec/vb365-v7.rbac.openapi.json, every JSON request body of a RBAC call
 * against its schema, Veeam's example payloads (test/fixtures/veeam/vb365), small helpers.
 */
import { readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';

import axios, { type AxiosInstance, type AxiosResponse } from 'axios';

import { OpenApiContract } from '../support/contract';

import { startSimulator, VB365_DEFAULT_ADMIN, VB365_DEFAULT_PASSWORD, Vb365Product, type SimServer, type SimulatorOptions } from '../../sim';

export const contracts: Record<string, OpenApiContract> = {
	v8: new OpenApiContract('vb365-v8.rbac.openapi.json'),
	v7: new OpenApiContract('vb365-v7.rbac.openapi.json'),
};

export interface Client {
	sim: SimServer;
	vb365: Vb365Product;
	http: AxiosInstance;
	agent: https.Agent;
}

/** Request bodies by operation (the path with IDs replaced). */
const REQUEST_SCHEMAS: Record<string, string> = {
	'POST /RbacRoles/{}/operators': 'RESTRbacOperator',
	'POST /RbacRoles/{}/selectedItems': 'RESTRbacItemComposed',
	'POST /RbacRoles/{}/excludedItems': 'RESTRbacItemComposed',
	'POST /Organizations/{}/RbacRoles': 'RESTRbacRoleCreateModel',
	'PUT /RbacRoles/{}': 'RESTRbacRoleCreateModel',
};

function checkRequest(contract: OpenApiContract, method: string, rest: string, data: unknown): void {
	const key = `${method} ${rest.replace(/^\/(Organizations|RbacRoles)\/[^/]+/i, '/$1/{}')}`;
	const schema = REQUEST_SCHEMAS[key];
	if (!schema || typeof data !== 'string') return;
	const body = JSON.parse(data) as unknown;
	for (const el of Array.isArray(body) ? body : [body]) contract.violations.push(...contract.checkSchema(schema, el).map((v) => `request ${method} ${rest}: ${v}`));
}

/** A request header telling the interceptor not to check the request body (a body the spec does not allow, sent on purpose). */
export const UNCHECKED_BODY = 'X-Test-Unchecked-Body';

export async function start(options: Partial<SimulatorOptions> = {}, validate = true): Promise<Client> {
	const sim = await startSimulator({ product: 'vb365', ...options });
	const agent = new https.Agent({ ca: sim.tls.caPem });
	const http = axios.create({ baseURL: sim.url, httpsAgent: agent, validateStatus: () => true });
	if (validate) {
		http.interceptors.response.use((res) => {
			const url = new URL(`${res.config.baseURL ?? ''}${res.config.url ?? ''}`, sim.url);
			const version = /^\/(v\d+)\//i.exec(url.pathname)?.[1]?.toLowerCase() ?? '';
			const contract = contracts[version];
			// A bare 404 (no body) is an unserved version or an unknown path: no operation's answer.
			if (contract && !(res.status === 404 && res.data === '')) {
				const method = String(res.config.method).toUpperCase();
				const raw = typeof res.data === 'string' ? res.data : JSON.stringify(res.data);
				contract.check(method, url.pathname, res.status, res.data, raw);
				if (res.status < 300 && !res.config.headers?.[UNCHECKED_BODY]) checkRequest(contract, method, url.pathname.slice(version.length + 1), res.config.data);
			}
			return res;
		});
	}
	return { sim, vb365: sim.product as Vb365Product, http, agent };
}

export async function stop(c: Client): Promise<void> {
	c.agent.destroy();
	await c.sim.close();
}

const form = { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } };

export function token(c: Client, fields: Record<string, string>, version = 'v8'): Promise<AxiosResponse> {
	return c.http.post(`/${version}/token`, new URLSearchParams(fields).toString(), form);
}

export async function login(c: Client, username = VB365_DEFAULT_ADMIN, password = VB365_DEFAULT_PASSWORD): Promise<string> {
	const res = await token(c, { grant_type: 'password', username, password, disable_antiforgery_token: 'true' });
	expect(res.status).toBe(200);
	return res.data.access_token as string;
}

export const bearer = (t: string) => ({ headers: { Authorization: `Bearer ${t}` } });
export const json = (t: string) => ({ headers: { Authorization: `Bearer ${t}`, 'Content-Type': 'application/json' } });

/** VB365's error body: RESTExceptionInfo `{ message, errorCode, stackTrace }` (errorCode absent when none). */
export function expectException(res: AxiosResponse, status: number, errorCode: string | undefined): void {
	expect({ status: res.status, errorCode: res.data?.errorCode }).toEqual({ status, errorCode });
	expect(res.data.message).toEqual(expect.any(String));
}

/** A Veeam example payload (test/fixtures/veeam/vb365/<name>.json): its body and query. */
export function fixture<T = unknown>(name: string): { body: T; query?: Record<string, string> } {
	const file = join(__dirname, '..', 'fixtures', 'veeam', 'vb365', `${name}.json`);
	return JSON.parse(readFileSync(file, 'utf8')) as { body: T; query?: Record<string, string> };
}

export function violations(): string[] {
	return [...contracts.v8.violations, ...contracts.v7.violations];
}
