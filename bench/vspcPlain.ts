/**
 * The plain script the VSPC onboarding benchmark compares our node with: what a provider's engineer
 * writes in an afternoon against VSPC's REST API v3: one keep-alive HTTPS client, `POST /api/v3/token`
 * (password grant), then per hire the company looked up by name (`GET /api/v3/organizations`
 * with `filter=[{"property":"name","operation":"equals","collation":"ignorecase","value":…}]`,
 * helpcenter.veeam.com/docs/vac/rest/filter.html) and the user created (`POST /api/v3/users` with a
 * UserInput, helpcenter.veeam.com/archive/vac/40/rest/create_user.html),
 * one after another (2N + 1 requests). It needs only the simulator.
 *
 * `cacheCompanies` is the script a little wiser: each company looked up once (N + companies + 1
 * requests). Neither checks whether the user exists first, so neither is idempotent (our node is).
 */
import axios, { type AxiosInstance } from 'axios';
import { Agent } from 'node:https';

export interface VspcHire {
	userName: string;
	company: string;
	firstName: string;
	lastName: string;
	email: string;
}

export interface VspcTarget {
	url: string;
	caPem: string;
	username: string;
	password: string;
	clientVersion: string;
}

export const BENCH_ROLE = 'CompanyAdministrator';
export const BENCH_PASSWORD = 'B3nch-Hire-Passw0rd!';

/** `count` hires spread evenly over `companies` (hire i → company i mod companies). */
export function hiresFor(count: number, companies: string[]): VspcHire[] {
	return Array.from({ length: count }, (_, i) => {
		const n = String(i).padStart(6, '0');
		return { userName: `bench.hire${n}`, company: companies[i % companies.length], firstName: 'Bench', lastName: `Hire ${n}`, email: `bench.hire${n}@example.com` };
	});
}

export function vspcClient(target: VspcTarget): AxiosInstance {
	return axios.create({
		baseURL: `${target.url}/api/v3`,
		httpsAgent: new Agent({ ca: target.caPem, keepAlive: true }),
		headers: { 'X-Client-Version': target.clientVersion },
		validateStatus: () => true,
	});
}

export async function vspcLogin(api: AxiosInstance, target: VspcTarget): Promise<void> {
	const res = await api.post('/token', new URLSearchParams({ grant_type: 'password', username: target.username, password: target.password }));
	if (res.status !== 200) throw new Error(`plain script: token ${res.status} ${JSON.stringify(res.data)}`);
	api.defaults.headers.common.Authorization = `Bearer ${res.data.access_token as string}`;
}

/**
 * The organization UID of the company named exactly (VSPC's filter, `equals`, ignoring case), or an
 * error. `UserInput.organizationUid` is the organization's UID, which a company's own `instanceUid`
 * (GET /organizations/companies) need not be: the script asks GET /organizations.
 */
export async function companyUid(api: AxiosInstance, name: string): Promise<string> {
	const filter = JSON.stringify([
		{ property: 'name', operation: 'equals', collation: 'ignorecase', value: name },
		{ property: 'type', operation: 'equals', value: 'Company' },
	]);
	const res = await api.get('/organizations', { params: { filter, limit: 2, offset: 0 } });
	const found = (res.data?.data ?? []) as Array<{ instanceUid: string; name: string }>;
	if (res.status !== 200 || found.length !== 1) throw new Error(`plain script: company "${name}": ${res.status} ${JSON.stringify(res.data).slice(0, 300)}`);
	return found[0].instanceUid;
}

/** Runs the script; returns its time in ms. */
export async function plainVspcOnboarding(target: VspcTarget, hires: VspcHire[], cacheCompanies = false): Promise<number> {
	const api = vspcClient(target);
	const started = performance.now();
	await vspcLogin(api, target);
	const companies = new Map<string, string>();
	for (const hire of hires) {
		let organizationUid = cacheCompanies ? companies.get(hire.company) : undefined;
		if (organizationUid === undefined) {
			organizationUid = await companyUid(api, hire.company);
			companies.set(hire.company, organizationUid);
		}
		const res = await api.post('/users', {
			organizationUid,
			role: BENCH_ROLE,
			mfaPolicyStatus: 'Enabled',
			profile: { firstName: hire.firstName, lastName: hire.lastName, email: hire.email },
			credentials: { userName: hire.userName, password: BENCH_PASSWORD },
		});
		if (res.status !== 200 && res.status !== 201) throw new Error(`plain script: create ${hire.userName}: ${res.status} ${JSON.stringify(res.data).slice(0, 300)}`);
	}
	return performance.now() - started;
}

/** The names of the first `count` companies the server lists (set-up, not timed). */
export async function companyNames(target: VspcTarget, count: number): Promise<string[]> {
	const api = vspcClient(target);
	await vspcLogin(api, target);
	const names: string[] = [];
	for (let offset = 0; names.length < count; ) {
		const res = await api.get('/organizations', { params: { limit: 500, offset, filter: JSON.stringify([{ property: 'type', operation: 'equals', value: 'Company' }]) } });
		const page = (res.data?.data ?? []) as Array<{ name: string }>;
		if (res.status !== 200 || page.length === 0) throw new Error(`only ${names.length} companies on the server, ${count} needed (${res.status})`);
		names.push(...page.map((c) => c.name));
		offset += page.length;
	}
	return names.slice(0, count);
}
