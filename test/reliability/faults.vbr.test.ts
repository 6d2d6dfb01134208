/**
 * Fault suite (VBR): the onboard / promote / offboard steps and Get Many run while the simulator
 * misbehaves. For each fault × operation the run must either complete with the server in the
 * intended state, or fail with a clear error while the server is in the state the succeeded items
 * say — never a duplicate user, never an item silently skipped. Prints the table and a closing
 * `N passed, N failed` line.
 */
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator, type FaultSpec, type SimServer } from '../../sim';
import { shutdownEngine } from '../support/engine';
import { VeeamFixture, byName, errorText, simUser, type VeeamRun } from '../nodes/Veeam/fixtures';

type Outcome = 'completed' | 'failed clearly';

interface Fault {
	name: string;
	/** What the fault does to the run; resolves when the run is over. */
	during: (run: () => Promise<VeeamRun>) => Promise<VeeamRun>;
	/** Outcomes accepted for this fault (a fault the node is built to survive must complete). */
	accept: Outcome[];
}

interface Operation {
	name: string;
	parameters: INodeParameters;
	input: IDataObject[];
	/** True when the server is in the state this operation intends. */
	intended: (sim: SimServer, run: VeeamRun) => boolean;
	/** True when the server state matches what the run's outputs say happened (for failed runs). */
	consistent: (sim: SimServer, run: VeeamRun) => boolean;
}

const HIRES = ['TECH\\f.one', 'TECH\\f.two', 'TECH\\f.three'];

function usersNamed(sim: SimServer, name: string) {
	const users = sim.product.snapshot().users as Array<{ name: string; roles: Array<{ name: string }> }>;
	return users.filter((u) => u.name.toLowerCase() === name.toLowerCase());
}

const operations: Operation[] = [
	{
		name: 'onboard ×3',
		parameters: { resource: 'user', operation: 'onboard', userName: '={{ $json.name }}', roles: ['Restore Operator'] },
		input: HIRES.map((name) => ({ name })),
		intended: (sim, run) =>
			run.json.length === 3 &&
			HIRES.every((n) => usersNamed(sim, n).length === 1 && usersNamed(sim, n)[0].roles.map((r) => r.name).join() === 'Restore Operator'),
		consistent: (sim, run) =>
			HIRES.every((n) => usersNamed(sim, n).length <= 1) &&
			run.json.every((j) => j.action !== 'created' || usersNamed(sim, String((j.user as IDataObject).name)).length === 1),
	},
	{
		name: 'promote',
		parameters: {
			resource: 'user',
			operation: 'promote',
			user: byName('TECH\\sheila.d.cory'),
			roleMode: 'replace',
			roles: ['Backup Administrator'],
		},
		input: [{}],
		intended: (sim, run) =>
			run.json.length === 1 && simUser(sim, 'TECH\\sheila.d.cory')?.roles.map((r) => r.name).join() === 'Backup Administrator',
		consistent: (sim) => (simUser(sim, 'TECH\\sheila.d.cory')?.roles.length ?? 0) === 1,
	},
	{
		name: 'offboard',
		parameters: { resource: 'user', operation: 'offboard', user: byName('TECH\\sheila.d.cory') },
		input: [{}],
		intended: (sim, run) => run.json.length === 1 && simUser(sim, 'TECH\\sheila.d.cory') === undefined,
		consistent: (sim, run) => run.json.every((j) => j.action !== 'deleted' || simUser(sim, 'TECH\\sheila.d.cory') === undefined),
	},
	{
		name: 'get many',
		parameters: { resource: 'user', operation: 'getMany', returnAll: true },
		input: [{}],
		intended: (sim, run) => run.json.length === (sim.product.snapshot().users as unknown[]).length,
		consistent: () => true,
	},
];

let sim: SimServer;
let fixture: VeeamFixture;

/** Injects `spec` once the run has started (after its login), so the login itself is not the target. */
function injected(spec: FaultSpec): Fault['during'] {
	return async (run) => {
		sim.addFault(spec);
		return await run();
	};
}

const faults: Fault[] = [
	{ name: 'none', during: async (run) => await run(), accept: ['completed'] },
	{
		name: '429 ×2, Retry-After 1',
		during: injected({ kind: 'status', status: 429, retryAfterSeconds: 1, count: 2, pathIncludes: '/security/' }),
		accept: ['completed'],
	},
	{ name: '503 ×3', during: injected({ kind: 'status', status: 503, count: 3, pathIncludes: '/security/' }), accept: ['completed'] },
	{ name: '502 ×2', during: injected({ kind: 'status', status: 502, count: 2, pathIncludes: '/security/' }), accept: ['completed'] },
	// A 500 is Veeam's UnknownError: not retried (it may not be transient), so a clear failure is right.
	{
		name: '500 ×2',
		during: injected({ kind: 'status', status: 500, count: 2, pathIncludes: '/security/' }),
		accept: ['failed clearly'],
	},
	{ name: 'connection dropped', during: injected({ kind: 'drop', count: 2, pathIncludes: '/security/' }), accept: ['completed'] },
	{
		name: 'dropped after the server acted',
		during: injected({ kind: 'drop', afterProcessing: true, count: 2, pathIncludes: '/security/' }),
		accept: ['completed'],
	},
	{ name: 'malformed JSON', during: injected({ kind: 'malformed', count: 1, pathIncludes: '/security/' }), accept: ['completed'] },
	{ name: 'slow (delay 300 ms)', during: injected({ kind: 'delay', ms: 300, count: 3 }), accept: ['completed'] },
	{
		name: 'all tokens expire mid-run',
		during: async (run) => {
			sim.addFault({ kind: 'delay', ms: 200, pathIncludes: '/security/', count: 1 });
			const [result] = await Promise.all([run(), expireWhileHeld()]);
			return result;
		},
		accept: ['completed'],
	},
	{
		name: 'refresh token refused',
		during: async (run) => {
			sim.tokens.refuseRefresh(1);
			sim.addFault({ kind: 'delay', ms: 200, pathIncludes: '/security/', count: 1 });
			const [result] = await Promise.all([run(), expireWhileHeld()]);
			return result;
		},
		accept: ['completed'],
	},
	{
		name: 'server restarts (300 ms down)',
		during: async (run) => {
			sim.addFault({ kind: 'delay', ms: 100, pathIncludes: '/security/', count: 1 });
			const [result] = await Promise.all([
				run(),
				(async () => {
					await waitForFault();
					await sim.restart(300);
				})(),
			]);
			return result;
		},
		accept: ['completed'],
	},
];

async function waitForFault(): Promise<void> {
	const seen = sim.stats.faultsInjected;
	while (sim.stats.faultsInjected === seen) await new Promise((resolve) => setTimeout(resolve, 5));
}

async function expireWhileHeld(): Promise<void> {
	await waitForFault();
	sim.tokens.expireAllAccess();
}

const table: Array<{ fault: string; operation: string; outcome: string; ok: boolean }> = [];

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbr' });
	fixture = new VeeamFixture(sim);
});

afterAll(async () => {
	await sim.close();
	await shutdownEngine();
	const width = Math.max(...faults.map((f) => f.name.length)) + 2;
	const lines = [
		'',
		'VBR fault suite: fault × operation → outcome',
		'fault'.padEnd(width) + operations.map((o) => o.name.padEnd(16)).join(''),
		...faults.map(
			(f) =>
				f.name.padEnd(width) +
				operations
					.map((o) => {
						const row = table.find((t) => t.fault === f.name && t.operation === o.name);
						return (row ? `${row.ok ? '' : '✘ '}${row.outcome}` : 'not run').padEnd(16);
					})
					.join(''),
		),
		`faults: ${table.filter((t) => t.ok).length} passed, ${table.filter((t) => !t.ok).length} failed`,
		'',
	];
	process.stdout.write(lines.join('\n'));
});

beforeEach(async () => {
	sim.reset();
	fixture.resetCredential();
	// Log in first (a Get), so faults hit the operation rather than the first login.
	const warm = await fixture.run({ resource: 'role', operation: 'getMany', returnAll: true });
	expect(warm.error).toBeUndefined();
	sim.stats.reset();
});

describe.each(faults)('$name', (fault) => {
	it.each(operations)('$name', async (operation) => {
		const run = await fault.during(() => fixture.run(operation.parameters, operation.input));
		let outcome: string;
		let ok: boolean;
		if (!run.error) {
			outcome = operation.intended(sim, run) ? 'completed' : 'WRONG STATE';
			ok = outcome === 'completed' && fault.accept.includes('completed');
		} else {
			const clear = errorText(run).trim().length > 10;
			outcome = clear && operation.consistent(sim, run) ? 'failed clearly' : 'WRONG STATE';
			ok = outcome === 'failed clearly' && fault.accept.includes('failed clearly');
		}
		table.push({ fault: fault.name, operation: operation.name, outcome, ok });
		expect({ outcome, error: errorText(run) }).toMatchObject({ outcome: expect.stringMatching(new RegExp(fault.accept.join('|'))) });
		expect(ok).toBe(true);
	});
});
