/**
 * Veeam Backup for Microsoft 365 (issue 29): revoking one leaver from every restore operator role of
 * an organization with `--roles` roles (`--leaver-roles` of them naming the leaver; `--users` users,
 * `--groups` groups in it) at `--latency` ms per request, against the VB365 simulator in its own
 * process, two ways, each on a freshly seeded server, `--pairs` alternating pairs, medians:
 *
 * - `ours`: our built node through n8n's engine: Restore Operator → Revoke, the organization by
 *   name, the leaver by e-mail, Revoke From "Every Role of the Organization";
 * - `plain`: the plain sequential script (bench/vb365Plain.ts).
 *
 * The cost: the role list + one operators read per role (several at once) + one change per
 * role that names the leaver. Printed: requests by route, wall and CPU ms (this process: n8n's engine
 * and the node, or the script), ours / plain, and what ours sends beyond the formula and why.
 *
 * `npm run bench` runs it after the VSPC figures (bench/index.ts, `--vb365-roles`…, `--skip-vb365`);
 * alone (after `npm run build`): `npx ts-node --transpile-only bench/vb365.ts [--roles 100 --leaver-roles 100 --users 5000 --latency 20 --pairs 3]`.
 * Writes bench/vb365.json; exits 1 when a cost check fails (the wall times have no goal: they need a
 * quiet machine, and the load average is printed with them).
 */
import axios, { type AxiosInstance } from 'axios';
import { fork, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import type { ICredentialType, IDataObject, INodeType } from 'n8n-workflow';

import { VB365_DEFAULT_ADMIN, VB365_DEFAULT_PASSWORD } from '../sim';
import { NodeTypes, runWorkflow, shutdownEngine, TestCredentialsHelper } from '../test/support/engine';
import { median, type SimStats } from './lib';
import { plainVb365Revoke, type Vb365Target } from './vb365Plain';
import { timed } from './vspcLib';

const DIST = join(__dirname, '..', 'dist');
const NODE_TYPE = 'n8n-nodes-veeam.veeam';
/** The organization the bench seeds (a new one: exactly `--roles` roles, none of the simulator's own). */
export const ORGANIZATION = 'bench.onmicrosoft.com';
export const LEAVER = `leaver@${ORGANIZATION}`;

export const VB365_DEFAULTS = { roles: '100', 'leaver-roles': '100', users: '5000', groups: '10', latency: '20', pairs: '3' };

export interface Vb365BenchOptions {
	roles: number;
	leaverRoles: number;
	users: number;
	groups: number;
	latencyMs: number;
	pairs: number;
}

/** The options from parsed arguments named `<prefix><option>` (bench/index.ts: `--vb365-roles`…; alone: `--roles`…). */
export function vb365Options(values: Record<string, unknown>, prefix = ''): Vb365BenchOptions {
	const n = (name: keyof typeof VB365_DEFAULTS) => Number(values[`${prefix}${name}`] ?? VB365_DEFAULTS[name]);
	const o = { roles: n('roles'), leaverRoles: n('leaver-roles'), users: n('users'), groups: n('groups'), latencyMs: n('latency'), pairs: n('pairs') };
	if (o.leaverRoles > o.roles) throw new Error(`--${prefix}leaver-roles (${o.leaverRoles}) is more than --${prefix}roles (${o.roles})`);
	return o;
}

/** Requests by kind: the formula (roleList, operatorReads, changes) and the rest. */
export interface CostBreakdown {
	token: number;
	organizations: number;
	/** GET …/Users, …/Groups: the leaver looked up in the organization. */
	lookups: number;
	roleList: number;
	/** GET /RbacRoles/{id}/operators: one per role, plus (ours) the read-back after each change. */
	operatorReads: number;
	/** DELETE /RbacRoles/{id}/operators?ids=… */
	changes: number;
	other: number;
}

export interface Vb365Run {
	ms: number;
	cpuMs: number;
	requests: number;
	byRoute: Record<string, number>;
	cost: CostBreakdown;
	maxInFlight: number;
	removedFrom: number;
}

export interface Vb365Check {
	what: string;
	value: number;
	expected: number;
	met: boolean;
}

export interface Vb365BenchResult {
	scenario: string;
	options: Vb365BenchOptions;
	/** os.loadavg() before and after, and the cores: the wall times mean little on a busy machine. */
	load: { before: number[]; after: number[]; cores: number };
	/** The run whose wall time is the median of its variant. */
	ours: Vb365Run;
	plain: Vb365Run;
	runs: { ours: Vb365Run[]; plain: Vb365Run[] };
	/** Medians of the per-pair ratios ours / plain. */
	ratios: { wall: number; cpu: number };
	formula: { text: string; requests: number };
	beyond: Array<{ what: string; requests: number; why: string }>;
	checks: Vb365Check[];
}

interface Vb365Sim {
	child: ChildProcess;
	url: string;
	caPem: string;
	control: AxiosInstance;
	target: Vb365Target;
}

async function startVb365Sim(): Promise<Vb365Sim> {
	// expiresIn 3600: a token outlives a run.
	const child = fork(join(__dirname, 'simProcess.ts'), ['vb365', '0', '3600'], { execArgv: ['-r', 'ts-node/register/transpile-only'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const { url, caPem } = await new Promise<{ url: string; caPem: string }>((resolve, reject) => {
		child.once('message', (m) => resolve(m as { url: string; caPem: string }));
		child.once('exit', (code) => reject(new Error(`simulator exited with ${code}`)));
	});
	const control = axios.create({ baseURL: `${url}/__sim/`, httpsAgent: new Agent({ ca: caPem }) });
	return { child, url, caPem, control, target: { url, caPem, username: VB365_DEFAULT_ADMIN, password: VB365_DEFAULT_PASSWORD } };
}

/** A fresh server: the seeded organization's users, groups and roles (the leaver in `leaverRoles` of them), then the latency; counters zeroed. */
async function reseed(sim: Vb365Sim, o: Pick<Vb365BenchOptions, 'users' | 'groups' | 'roles' | 'leaverRoles'>, latencyMs: number): Promise<void> {
	await sim.control.post('reset');
	await sim.control.post('latency', { ms: 0 });
	await sim.control.post('seed', { organizationName: ORGANIZATION, count: o.users, groups: o.groups, roleCount: o.roles, leaver: LEAVER, leaverRoles: o.leaverRoles });
	await sim.control.post('latency', { ms: latencyMs });
	await sim.control.post('stats/reset');
}

/** How many of the server's roles still name the leaver (read through the control endpoint: not counted, not timed). */
async function rolesNamingLeaver(sim: Vb365Sim): Promise<number> {
	const snapshot = (await sim.control.get('state')).data as { roles: Array<{ operators: Array<{ user?: { name?: string } }> }> };
	return snapshot.roles.filter((r) => r.operators.some((op) => (op.user?.name ?? '').toLowerCase() === LEAVER)).length;
}

function breakdown(byRoute: Record<string, number>): CostBreakdown {
	const cost: CostBreakdown = { token: 0, organizations: 0, lookups: 0, roleList: 0, operatorReads: 0, changes: 0, other: 0 };
	for (const [route, n] of Object.entries(byRoute)) {
		const [method, path] = route.split(' ');
		const key: keyof CostBreakdown = /\/token$/i.test(path)
			? 'token'
			: method === 'GET' && /\/Organizations(\/[^/]+)?$/i.test(path)
				? 'organizations'
				: method === 'GET' && /\/(Users|Groups)(\/[^/]+)?$/i.test(path)
					? 'lookups'
					: method === 'GET' && /\/RbacRoles$/i.test(path)
						? 'roleList'
						: method === 'GET' && /\/operators$/i.test(path)
							? 'operatorReads'
							: method === 'DELETE' && /\/operators$/i.test(path)
								? 'changes'
								: 'other';
		cost[key] += n;
	}
	return cost;
}

function credentials(sim: Vb365Sim): TestCredentialsHelper {
	const { VeeamBackupMicrosoft365Api } = require(join(DIST, 'credentials/VeeamBackupMicrosoft365Api.credentials.js')) as { VeeamBackupMicrosoft365Api: new () => ICredentialType };
	return new TestCredentialsHelper([new VeeamBackupMicrosoft365Api()], {
		vb365: {
			type: 'veeamBackupMicrosoft365Api',
			data: { url: sim.url, username: VB365_DEFAULT_ADMIN, password: VB365_DEFAULT_PASSWORD, apiVersion: 'v8', caCertificate: sim.caPem, skipTlsVerification: false },
		},
	});
}

/** Our node's Revoke: the leaver out of every role of the organization; returns the roles it was removed from. */
async function oursRevoke(sim: Vb365Sim): Promise<number> {
	const { Veeam } = require(join(DIST, 'nodes/Veeam/Veeam.node.js')) as { Veeam: new () => INodeType };
	const creds = credentials(sim);
	const parameters = {
		product: 'vb365',
		resource: 'restoreOperator',
		operation: 'revoke',
		organization: { __rl: true, mode: 'name', value: ORGANIZATION },
		operatorType: 'user',
		operator: LEAVER,
		revokeFrom: 'allRoles',
	};
	const result = await runWorkflow({
		nodes: [{ name: 'Veeam', type: NODE_TYPE, parameters, credentials: creds.ref('vb365') }],
		input: [{}],
		credentials: creds,
		nodeTypes: new NodeTypes({ [NODE_TYPE]: new Veeam() }),
	});
	if (result.error) throw new Error(`our node failed: ${result.error.message}`);
	const [out] = (result.outputs.Veeam?.[0] ?? []).map((item) => item.json as IDataObject);
	if (out?.action !== 'revoked') throw new Error(`our node: ${JSON.stringify(out).slice(0, 300)}`);
	return (out.roles as Array<{ result: string }>).filter((r) => r.result === 'removed').length;
}

type Variant = 'ours' | 'plain';

async function measure(sim: Vb365Sim, variant: Variant, o: Vb365BenchOptions): Promise<Vb365Run> {
	await reseed(sim, o, o.latencyMs);
	const work = variant === 'ours' ? async () => await oursRevoke(sim) : async () => (await plainVb365Revoke(sim.target, ORGANIZATION, LEAVER)).removedFrom;
	const { value: removedFrom, ms, cpuMs } = await timed(work);
	const s = (await sim.control.get('stats')).data as SimStats;
	const left = await rolesNamingLeaver(sim);
	if (left !== 0 || removedFrom !== o.leaverRoles) throw new Error(`${variant}: removed from ${removedFrom} roles, ${left} still name the leaver (expected ${o.leaverRoles}, 0)`);
	return { ms, cpuMs, requests: s.requests, byRoute: s.byRoute, cost: breakdown(s.byRoute), maxInFlight: s.maxInFlight, removedFrom };
}

function checksOf(o: Vb365BenchOptions, ours: Vb365Run, plain: Vb365Run): Vb365Check[] {
	const c = (what: string, value: number, expected: number): Vb365Check => ({ what, value, expected, met: value === expected });
	return [
		c('ours: role list reads', ours.cost.roleList, 1),
		c('ours: operators reads = one per role + one read-back per change', ours.cost.operatorReads, o.roles + o.leaverRoles),
		c('ours: changes = one per role naming the leaver', ours.cost.changes, o.leaverRoles),
		c('ours: token grants', ours.cost.token, 1),
		// With latency only: at 0 ms an answer can come back before the next read is sent.
		...(o.latencyMs > 0 && o.roles > 1 ? [c('ours: operators read several at once (max in flight > 1)', ours.maxInFlight > 1 ? 1 : 0, 1)] : []),
		c('plain: requests = token + organizations + role list + one operators read per role + one change per role naming the leaver', plain.requests, 3 + o.roles + o.leaverRoles),
	];
}

export async function runVb365Bench(o: Vb365BenchOptions): Promise<Vb365BenchResult> {
	const before = loadavg();
	const sim = await startVb365Sim();
	try {
		// Warm-up (JIT, n8n's engine, TLS): a small server, no latency, not counted.
		const small = { ...o, roles: 5, leaverRoles: 5, users: 50, groups: 2, latencyMs: 0 };
		for (const variant of ['ours', 'plain'] as const) await measure(sim, variant, small);
		const runs: Record<Variant, Vb365Run[]> = { ours: [], plain: [] };
		for (let pair = 0; pair < o.pairs; pair++) {
			// Alternating order, so that a drift in the machine's load hits both.
			const order: Variant[] = pair % 2 === 0 ? ['ours', 'plain'] : ['plain', 'ours'];
			for (const variant of order) runs[variant].push(await measure(sim, variant, o));
		}
		const pick = (v: Variant) => {
			const ms = median(runs[v].map((r) => r.ms));
			return runs[v].find((r) => r.ms === ms) ?? runs[v][0];
		};
		const ours = pick('ours');
		const plain = pick('plain');
		const formula = 1 + o.roles + o.leaverRoles;
		const c = ours.cost;
		return {
			scenario: `Revoke one leaver from every role of an organization with ${o.roles} roles (${o.leaverRoles} naming the leaver; ${o.users.toLocaleString('en')} users, ${o.groups} groups), ${o.latencyMs} ms latency`,
			options: o,
			load: { before, after: loadavg(), cores: cpus().length },
			ours,
			plain,
			runs,
			ratios: { wall: median(runs.ours.map((r, i) => r.ms / runs.plain[i].ms)), cpu: median(runs.ours.map((r, i) => r.cpuMs / runs.plain[i].cpuMs)) },
			formula: { text: `role list (1) + one operators read per role (${o.roles}, several at once) + one change per role naming the leaver (${o.leaverRoles})`, requests: formula },
			beyond: [
				{ what: 'token', requests: c.token, why: 'the login (the plain script has it too)' },
				{ what: 'organization list', requests: c.organizations, why: 'the Organization field names the organization; lists are read to an empty page (v8 pages carry no total; a short page is not trusted as the end)' },
				{ what: 'leaver look-up', requests: c.lookups, why: 'the user found by e-mail and display name, so that an ambiguous name is refused and a group is never taken for the user' },
				{ what: 'read-backs', requests: c.operatorReads - o.roles, why: "each role's operators read again after its change: a removal the server does not show is never reported" },
				...(c.other ? [{ what: 'other', requests: c.other, why: 'see byRoute' }] : []),
			],
			checks: checksOf(o, ours, plain),
		};
	} finally {
		sim.child.disconnect();
	}
}

export function printVb365(r: Vb365BenchResult): void {
	const line = (label: string, x: Vb365Run) =>
		console.log(`  ${label.padEnd(28)}${x.ms.toFixed(0).padStart(7)} ms wall ${x.cpuMs.toFixed(0).padStart(6)} ms CPU ${String(x.requests).padStart(5)} requests (max ${x.maxInFlight} in flight)`);
	console.log(
		`\nVeeam Backup for Microsoft 365 (${r.options.pairs} alternating pairs, medians; the simulator in its own process; load average ${r.load.before.map((l) => l.toFixed(1)).join(' ')} before, ${r.load.after.map((l) => l.toFixed(1)).join(' ')} after, ${r.load.cores} cores: wall times need a quiet machine)`,
	);
	console.log(`\n${r.scenario}`);
	line('ours (node, n8n engine)', r.ours);
	line('plain sequential script', r.plain);
	console.log(`  ours / plain: wall ×${r.ratios.wall.toFixed(2)}, CPU ×${r.ratios.cpu.toFixed(2)} (per pair, wall: ${r.runs.ours.map((o, i) => (o.ms / r.runs.plain[i].ms).toFixed(2)).join(', ')})`);
	console.log(`  the issue's cost: ${r.formula.text} = ${r.formula.requests} requests`);
	console.log(`  ours by kind:  ${JSON.stringify(r.ours.cost)}`);
	console.log(`  plain by kind: ${JSON.stringify(r.plain.cost)}`);
	console.log(`  ours by route: ${JSON.stringify(r.ours.byRoute)}`);
	console.log(`  plain by route: ${JSON.stringify(r.plain.byRoute)}`);
	console.log('  ours beyond the formula:');
	for (const b of r.beyond) console.log(`    ${String(b.requests).padStart(4)} ${b.what}: ${b.why}`);
	console.log('\nVB365 cost checks');
	for (const c of r.checks) console.log(`  ${c.met ? 'met   ' : 'MISSED'} ${c.what}: ${c.value} (= ${c.expected})`);
}

export function writeVb365(r: Vb365BenchResult): void {
	writeFileSync(join(__dirname, 'vb365.json'), JSON.stringify({ at: new Date().toISOString(), ...r }, null, 2) + '\n');
	console.log('\nwritten: bench/vb365.json');
}

async function main(): Promise<void> {
	const { values } = parseArgs({ options: Object.fromEntries(Object.entries(VB365_DEFAULTS).map(([k, v]) => [k, { type: 'string', default: v }])) as never });
	try {
		const result = await runVb365Bench(vb365Options(values as Record<string, unknown>));
		printVb365(result);
		writeVb365(result);
		if (result.checks.some((c) => !c.met)) process.exitCode = 1;
	} finally {
		await shutdownEngine();
	}
}

if (require.main === module) {
	main().catch((error: unknown) => {
		console.error(error);
		process.exit(1);
	});
}
