/**
 * The Veeam Trigger on a big VSPC server at a given latency, through n8n's engine (PollActivation:
 * n8n-core's PollContext, static data kept across polls as n8n keeps it): the baseline poll, then
 * (after `changes` console changes across companies: a third deleted, a third with another role,
 * a third new) the measured poll. Per poll: wall time and requests; the stored static data in bytes
 * (JSON.stringify, as n8n stores it) per user. Goals: a poll under 2 s at 20 ms, < 40 bytes/user.
 *
 * `runs` times from a fresh server each (one poll's time on this 2-core machine moves by a few
 * hundred milliseconds with where a major garbage collection falls, in the client or the simulator
 * beside it): every run is reported, and the median run of each poll is the figure.
 */
import { resetVspc, timed, vspcStats, vspcTriggerActivation, type VspcSeed, type VspcSim } from './vspcLib';
import { VspcConsole, type ConsoleUser } from './vspcConsole';

export interface VspcTriggerSetup {
	seed: VspcSeed;
	changes: number;
	latencyMs: number;
	/** Scenarios run, each from a fresh server (1 by default). */
	runs?: number;
}

export interface VspcPoll {
	ms: number;
	/** CPU time of this process (n8n's engine and the trigger) during the poll. */
	cpuMs: number;
	requests: number;
	items: number;
	maxInFlight: number;
}

export interface VspcTriggerFigure {
	scenario: string;
	latencyMs: number;
	users: number;
	/** Each poll's median over the runs (by wall time; of an even count the slower middle one): the two may come from different runs. */
	baseline: VspcPoll;
	measured: VspcPoll;
	/** Every run's polls, in the order run. */
	runs: Array<{ baseline: VspcPoll; measured: VspcPoll }>;
	changes: number;
	staticDataBytes: number;
	bytesPerUser: number;
}

/** Every event the trigger offers for VSPC (nodes/VeeamTrigger: users and their logins are read). */
export const VSPC_EVENTS = ['userAdded', 'userRemoved', 'rolesChanged', 'mfaChanged', 'statusChanged', 'loginsChanged', 'otherFieldsChanged'];

/** The median of the polls by wall time (of an even count, the slower of the two middle ones). */
export function medianPoll(polls: readonly VspcPoll[]): VspcPoll {
	const sorted = [...polls].sort((a, b) => a.ms - b.ms);
	return sorted[Math.floor(sorted.length / 2)];
}

export async function benchVspcTrigger(sim: VspcSim, setup: VspcTriggerSetup): Promise<VspcTriggerFigure> {
	const runs: Array<Omit<VspcTriggerFigure, 'runs' | 'baseline' | 'measured'> & { baseline: VspcPoll; measured: VspcPoll }> = [];
	for (let run = 0; run < Math.max(1, setup.runs ?? 1); run++) runs.push(await triggerRun(sim, setup));
	const last = runs[runs.length - 1];
	return {
		...last,
		baseline: medianPoll(runs.map((r) => r.baseline)),
		measured: medianPoll(runs.map((r) => r.measured)),
		runs: runs.map((r) => ({ baseline: r.baseline, measured: r.measured })),
	};
}

/** One scenario from a fresh server: the baseline poll, the console's changes, the measured poll. */
async function triggerRun(sim: VspcSim, setup: VspcTriggerSetup): Promise<Omit<VspcTriggerFigure, 'runs'>> {
	await resetVspc(sim, setup.seed, setup.latencyMs);
	const activation = vspcTriggerActivation(sim, { events: VSPC_EVENTS, options: {} });
	const poll = async (): Promise<VspcPoll> => {
		await sim.control.post('stats/reset');
		const { value: result, ms, cpuMs } = await timed(async () => await activation.poll());
		if (result.error) throw result.error;
		const s = await vspcStats(sim);
		return { ms, cpuMs, requests: s.requests, items: result.response?.[0]?.length ?? 0, maxInFlight: s.maxInFlight };
	};
	const baseline = await poll();

	// The console's changes, at 0 ms (set-up, not measured): spread over the companies.
	await sim.control.post('latency', { ms: 0 });
	const admin = await VspcConsole.open(sim.target);
	const third = Math.floor(setup.changes / 3);
	const some: ConsoleUser[] = [];
	for (let offset = 1000; some.length < 2 * third; offset += 500) {
		const res = await admin.api.get('/users', { params: { limit: 500, offset } });
		const page = (res.data.data ?? []) as ConsoleUser[];
		if (page.length === 0) throw new Error(`only ${some.length} users to change, ${2 * third} needed`);
		// Every 7th user of a page: spread over many companies.
		some.push(...page.filter((u, i) => i % 7 === 0 && u.role !== 'CompanyOwner'));
	}
	const companies = await admin.companies();
	await VspcConsole.parallel([
		...some.slice(0, third).map((u) => async () => await admin.remove(u)),
		...some.slice(third, 2 * third).map((u) => async () => await admin.setRole(u, u.role === 'CompanyInvoiceAuditor' ? 'CompanyAdministrator' : 'CompanyInvoiceAuditor')),
		...Array.from({ length: setup.changes - 2 * third }, (_, i) => async () => await admin.create(companies[i % companies.length].instanceUid, `trigger.new${String(i).padStart(5, '0')}`, 'CompanyAdministrator')),
	]);
	await sim.control.post('latency', { ms: setup.latencyMs });

	// The next poll as n8n runs it: the workflow loaded again with the static data it saved.
	activation.restart();
	const measured = await poll();
	// The users the server lists now (the seed's, the companies' owners if the simulator makes them, the changes).
	const users = Number((await admin.api.get('/users', { params: { limit: 1, offset: 0 } })).data.meta?.pagingInfo?.total);
	if (!Number.isFinite(users) || users <= 0) throw new Error('the server did not say how many users it has');
	const staticDataBytes = JSON.stringify(activation.savedStaticData).length;
	return {
		scenario: `Trigger poll, ${setup.seed.companies} companies, ${users.toLocaleString('en')} users, ${setup.changes} changes, ${setup.latencyMs} ms latency`,
		latencyMs: setup.latencyMs,
		users,
		baseline,
		measured,
		changes: setup.changes,
		staticDataBytes,
		bytesPerUser: staticDataBytes / users,
	};
}
