/**
 * The Veeam tools of examples/veeam-ai-agent-human-review.json do what their names and reviews
 * say, run against the VBR simulator with their parameters exactly as the example has them. A tool
 * call brings one input item whose JSON holds the model's $fromAI values (n8n-core
 * `makeHandleToolInvocation`: `addInputData(ai_tool, [[{ json: toolArgs }]])`); outside an agent
 * n8n resolves $fromAI from the input item the same way, so each tool runs here as a plain Veeam
 * node with that item. The conversation itself (model, Human review) is not part of this.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INodeParameters } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../sim';
import { shutdownEngine } from '../support/engine';
import { VeeamFixture, mutations, simUser } from '../nodes/Veeam/fixtures';

type ExampleNode = { name: string; type: string; parameters: INodeParameters };
const example = JSON.parse(readFileSync(join(__dirname, '../../examples/veeam-ai-agent-human-review.json'), 'utf8')) as { nodes: ExampleNode[] };

let sim: SimServer;
let h: VeeamFixture;

/** Runs the example's tool `name` as a tool call with these $fromAI values. */
async function call(name: string, args: Record<string, string> = {}) {
	const tool = example.nodes.find((n) => n.name === name && n.type === 'n8n-nodes-veeam.veeamTool');
	if (!tool) throw new Error(`no Veeam tool "${name}" in the example`);
	const run = await h.run(tool.parameters, [args]);
	if (run.error) throw new Error(`${name}: ${run.error.message}`);
	return run.json;
}
const rolesOf = (name: string) => simUser(sim, name)?.roles.map((r) => r.name).sort();

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbr' });
	h = new VeeamFixture(sim);
});
afterAll(async () => {
	await sim.close();
	await shutdownEngine();
});

describe('the example’s Veeam tools against the VBR simulator', () => {
	it('reads: List users (name pattern), Get user, Access report, List roles change nothing', async () => {
		expect((await call('List users', { namePattern: 'TECH*' })).map((u) => u.name).sort()).toEqual(['TECH\\Backup Operators', 'TECH\\sheila.d.cory']);
		expect(await call('Get user', { userName: 'TECH\\sheila.d.cory' })).toEqual([expect.objectContaining({ name: 'TECH\\sheila.d.cory' })]);
		expect((await call('Access report')).length).toBeGreaterThan(1);
		expect((await call('List roles')).map((r) => r.name)).toEqual(expect.arrayContaining(['Restore Operator', 'Security Administrator']));
		expect(mutations(sim)).toEqual([]);
	});

	it('Onboard user → Preview role sync (changes nothing) → Apply role sync with its planId → Change roles → Offboard user', async () => {
		expect(await call('Onboard user', { userName: 'TECH\\jane.doe', roles: 'Restore Operator, Backup Viewer' })).toEqual([expect.objectContaining({ action: 'created' })]);
		expect(rolesOf('TECH\\jane.doe')).toEqual(['Backup Viewer', 'Restore Operator']);

		// Jane the only Restore Operator: Sheila, who holds only that role, would lose her access.
		const before = mutations(sim).length;
		const preview = await call('Preview role sync', { userName: 'TECH\\jane.doe', role: 'Restore Operator' });
		expect(preview.map((s) => [s.action, s.name, s.mode])).toEqual(
			expect.arrayContaining([
				['unchanged', 'TECH\\jane.doe', 'plan'],
				['remove', 'TECH\\sheila.d.cory', 'plan'],
			]),
		);
		expect(mutations(sim).length).toBe(before);
		expect(simUser(sim, 'TECH\\sheila.d.cory')).toBeDefined();

		const planId = String(preview[0].planId);
		// A planId that is not the current plan's: refused, nothing changed.
		await expect(call('Apply role sync', { userName: 'TECH\\jane.doe', role: 'Restore Operator', planId: 'not-the-plan' })).rejects.toThrow(/Approved Plan ID/);
		expect(mutations(sim).length).toBe(before);
		await call('Apply role sync', { userName: 'TECH\\jane.doe', role: 'Restore Operator', planId });
		expect(simUser(sim, 'TECH\\sheila.d.cory')).toBeUndefined();
		expect(mutations(sim).slice(before)).toEqual([['user.delete', 'TECH\\sheila.d.cory']]);

		await call('Change roles', { userName: 'TECH\\jane.doe', roles: 'Backup Viewer' });
		expect(rolesOf('TECH\\jane.doe')).toEqual(['Backup Viewer']);

		expect(await call('Offboard user', { userName: 'TECH\\jane.doe' })).toEqual([expect.objectContaining({ action: 'deleted' })]);
		expect(simUser(sim, 'TECH\\jane.doe')).toBeUndefined();
	});
});
