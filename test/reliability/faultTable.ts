/**
 * The fault suite's shared parts: the faults (what the simulator does wrong, and when), the
 * outcome rule, and the printed table. Each product / node has its own file with its operations:
 * faults.vbr.test.ts, faults.vbgc.test.ts, faults.cloud.test.ts (AWS and Azure), faults.trigger.test.ts (every product),
 * faults.vspc.test.ts and faults.trigger.vspc.test.ts (Veeam Service Provider Console, with its own faults).
 *
 * Rule: for each fault × operation the run either completes with the server in the intended state,
 * or fails with a clear error while the server is in the state the succeeded items say — never a
 * duplicate user, never an item silently skipped, never an event lost.
 */
import type { IDataObject } from 'n8n-workflow';

import type { FaultSpec, SimServer } from '../../sim';

export type Outcome = 'completed' | 'failed clearly';

export interface Fault {
	name: string;
	/** Credential fields this fault needs (e.g. a short Request Timeout). */
	credential?: IDataObject;
	/** What the fault does around `run`; resolves with the run's result when it is over. */
	during: <R>(sim: SimServer, run: () => Promise<R>) => Promise<R>;
	/** Outcomes accepted for this fault (a fault the nodes are built to survive must complete). */
	accept: Outcome[];
}

/** Injects `spec` once the run has started (after its login), so the login itself is not the target. */
function injected(spec: FaultSpec): Fault['during'] {
	return async (sim, run) => {
		sim.addFault(spec);
		return await run();
	};
}

async function waitForFault(sim: SimServer): Promise<void> {
	const seen = sim.stats.faultsInjected;
	while (sim.stats.faultsInjected === seen) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** Expires every access token while a request is held by a delay fault, i.e. in the middle of the run. */
async function expireWhileHeld(sim: SimServer): Promise<void> {
	await waitForFault(sim);
	sim.tokens.expireAllAccess();
}

/** The Request Timeout the timeout faults set in the credential, and the delay that exceeds it. */
export const SHORT_TIMEOUT_SECONDS = 1;
const PAST_TIMEOUT_MS = 1_400;

/**
 * The faults, each hitting requests whose path contains `apiPath` (the product's user API), so the
 * login is not the target (it has its own tests).
 */
export function standardFaults(apiPath: string): Fault[] {
	return [
		{ name: 'none', during: async (_sim, run) => await run(), accept: ['completed'] },
		{
			name: '429 ×2, Retry-After 1',
			during: injected({ kind: 'status', status: 429, retryAfterSeconds: 1, count: 2, pathIncludes: apiPath }),
			accept: ['completed'],
		},
		{ name: '503 ×3', during: injected({ kind: 'status', status: 503, count: 3, pathIncludes: apiPath }), accept: ['completed'] },
		{ name: '502 ×2', during: injected({ kind: 'status', status: 502, count: 2, pathIncludes: apiPath }), accept: ['completed'] },
		// A 500 is Veeam's UnknownError: not retried (it may not be transient), so a clear failure is right.
		{ name: '500 ×2', during: injected({ kind: 'status', status: 500, count: 2, pathIncludes: apiPath }), accept: ['failed clearly'] },
		{ name: 'connection dropped', during: injected({ kind: 'drop', count: 2, pathIncludes: apiPath }), accept: ['completed'] },
		{
			name: 'dropped after the server acted',
			during: injected({ kind: 'drop', afterProcessing: true, count: 2, pathIncludes: apiPath }),
			accept: ['completed'],
		},
		{ name: 'malformed JSON', during: injected({ kind: 'malformed', count: 1, pathIncludes: apiPath }), accept: ['completed'] },
		{ name: 'slow (delay 300 ms)', during: injected({ kind: 'delay', ms: 300, count: 3 }), accept: ['completed'] },
		{
			name: `past the ${SHORT_TIMEOUT_SECONDS}-s timeout ×2`,
			credential: { timeoutSeconds: SHORT_TIMEOUT_SECONDS },
			during: injected({ kind: 'delay', ms: PAST_TIMEOUT_MS, count: 2, pathIncludes: apiPath }),
			accept: ['completed'],
		},
		{
			name: `past the ${SHORT_TIMEOUT_SECONDS}-s timeout, always`,
			credential: { timeoutSeconds: SHORT_TIMEOUT_SECONDS },
			during: injected({ kind: 'delay', ms: PAST_TIMEOUT_MS, count: 1_000, pathIncludes: apiPath }),
			accept: ['failed clearly'],
		},
		{
			name: 'all tokens expire mid-run',
			during: async (sim, run) => {
				sim.addFault({ kind: 'delay', ms: 200, pathIncludes: apiPath, count: 1 });
				const [result] = await Promise.all([run(), expireWhileHeld(sim)]);
				return result;
			},
			accept: ['completed'],
		},
		{
			name: 'refresh token refused',
			during: async (sim, run) => {
				sim.tokens.refuseRefresh(1);
				sim.addFault({ kind: 'delay', ms: 200, pathIncludes: apiPath, count: 1 });
				const [result] = await Promise.all([run(), expireWhileHeld(sim)]);
				return result;
			},
			accept: ['completed'],
		},
		{
			name: 'server restarts (300 ms down)',
			during: async (sim, run) => {
				sim.addFault({ kind: 'delay', ms: 100, pathIncludes: apiPath, count: 1 });
				const [result] = await Promise.all([
					run(),
					(async () => {
						await waitForFault(sim);
						await sim.restart(300);
					})(),
				]);
				return result;
			},
			accept: ['completed'],
		},
	];
}

export interface TableRow {
	fault: string;
	operation: string;
	outcome: string;
	ok: boolean;
}

/** Collects outcomes and prints `fault × operation → outcome` with the closing `N passed, N failed`. */
export class FaultTable {
	readonly rows: TableRow[] = [];

	constructor(
		private readonly title: string,
		private readonly faults: Fault[],
		private readonly operations: string[],
	) {}

	/**
	 * The outcome of one cell: `completed` when the run ended without error in the intended state,
	 * `failed clearly` when it failed with a readable error and a consistent server, else `WRONG STATE`.
	 */
	record(fault: Fault, operation: string, result: { error?: string; intended: boolean; consistent: boolean }): TableRow {
		const outcome = !result.error
			? result.intended
				? 'completed'
				: 'WRONG STATE'
			: result.error.trim().length > 10 && result.consistent
				? 'failed clearly'
				: 'WRONG STATE';
		const row = { fault: fault.name, operation, outcome, ok: (fault.accept as string[]).includes(outcome) };
		this.rows.push(row);
		return row;
	}

	print(): void {
		const width = Math.max(...this.faults.map((f) => f.name.length)) + 2;
		const column = Math.max(16, ...this.operations.map((o) => o.length + 2));
		const lines = [
			'',
			`${this.title}: fault × operation → outcome`,
			'fault'.padEnd(width) + this.operations.map((o) => o.padEnd(column)).join(''),
			...this.faults.map(
				(f) =>
					f.name.padEnd(width) +
					this.operations
						.map((o) => {
							const row = this.rows.find((t) => t.fault === f.name && t.operation === o);
							return (row ? `${row.ok ? '' : '✘ '}${row.outcome}` : 'not run').padEnd(column);
						})
						.join(''),
			),
			`faults: ${this.rows.filter((t) => t.ok).length} passed, ${this.rows.filter((t) => !t.ok).length} failed`,
			'',
		];
		process.stdout.write(lines.join('\n'));
	}
}
