/**
 * examples/veeam-ai-agent-human-review.json, without n8n: every Veeam tool that changes something
 * reaches the AI Agent only through a Human review node, every read tool is connected straight,
 * and Onboard, Promote, Offboard and Sync → Apply are all there (issue 26, point 6). The same
 * check runs in e2e/aiAgent.e2e.ts on the workflow as a real n8n 2.x saved it. The mutated copies
 * show the check fails when the wiring is wrong.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { checkToolWiring, GATED_IN_EXAMPLE, VEEAM_TOOL_TYPE, type WorkflowLike } from '../support/toolWiring';

type Connection = { node: string; type: string; index: number };
type Workflow = {
	nodes: Array<WorkflowLike['nodes'][number] & { credentials?: Record<string, { id: string; name: string }> }>;
	connections: WorkflowLike['connections'];
};

const FILE = join(__dirname, '../../examples/veeam-ai-agent-human-review.json');
const load = (): Workflow => JSON.parse(readFileSync(FILE, 'utf8')) as Workflow;
const node = (wf: Workflow, name: string) => {
	const found = wf.nodes.find((n) => n.name === name);
	if (!found) throw new Error(`no node "${name}"`);
	return found;
};
/** Replaces the `ai_tool` connections of `from` with one to `to`. */
const rewire = (wf: Workflow, from: string, to: string) => {
	wf.connections[from] = { ai_tool: [[{ node: to, type: 'ai_tool', index: 0 } as Connection]] };
};

describe('examples/veeam-ai-agent-human-review.json', () => {
	it('gates every changing Veeam tool behind Human review and connects the read tools straight to the agent', () => {
		const report = checkToolWiring(load(), GATED_IN_EXAMPLE);
		expect(report.problems).toEqual([]);
		expect(report.tools.map((t) => [t.name, t.operation, t.changes, t.reviewedBy])).toEqual([
			['List users', 'user:getMany', false, []],
			['Get user', 'user:get', false, []],
			['Access report', 'user:accessReport', false, []],
			['List roles', 'role:getMany', false, []],
			['Preview role sync', 'user:sync (plan)', false, []],
			['Onboard user', 'user:onboard', true, ['Review onboarding']],
			['Change roles', 'user:promote', true, ['Review role change']],
			['Offboard user', 'user:offboard', true, ['Review offboarding']],
			['Apply role sync', 'user:sync (apply)', true, ['Review role sync']],
		]);
	});

	it('is a chat workflow n8n can run: Chat Trigger answering through response nodes, an agent with a model, Chat-based review nodes', () => {
		const wf = load();
		expect(node(wf, 'When chat message received')).toMatchObject({ type: '@n8n/n8n-nodes-langchain.chatTrigger', parameters: { options: { responseMode: 'responseNodes' } } });
		expect(wf.connections['OpenAI Chat Model']).toEqual({ ai_languageModel: [[{ node: 'AI Agent', type: 'ai_languageModel', index: 0 }]] });
		expect(wf.connections['AI Agent']).toEqual({ main: [[{ node: 'Respond to chat', type: 'main', index: 0 }]] });
		const reviews = wf.nodes.filter((n) => n.type === '@n8n/n8n-nodes-langchain.chatHitlTool');
		expect(reviews.map((n) => n.name).sort()).toEqual(['Review offboarding', 'Review onboarding', 'Review role change', 'Review role sync']);
		// Approve and Decline in the chat; the message names what the call would change.
		for (const review of reviews) {
			expect(review.parameters).toMatchObject({ approvalOptions: { values: { approvalType: 'double' } } });
			expect(String(review.parameters?.message)).toMatch(/\{\{ \$tool\.name \}\}[\s\S]*\{\{ \$tool\.parameters \}\}/);
		}
		expect(String(node(wf, 'Review offboarding').parameters?.message)).toMatch(/DELETES[\s\S]*cannot undo/);
		// The other examples' simulator credential, the same for every Veeam tool.
		for (const tool of wf.nodes.filter((n) => n.type === VEEAM_TOOL_TYPE)) {
			expect(tool.credentials).toEqual({ veeamBackupReplicationApi: { id: 'veeamVbrSim01', name: 'Veeam Backup & Replication' } });
		}
	});

	it('fails when Offboard is connected straight to the agent', () => {
		const wf = load();
		rewire(wf, 'Offboard user', 'AI Agent');
		expect(checkToolWiring(wf, GATED_IN_EXAMPLE).problems).toEqual(['"Offboard user" (user:offboard) changes Veeam but reaches "AI Agent" without Human review']);
	});

	it('fails when a changing tool is connected both through review and straight to the agent', () => {
		const wf = load();
		wf.connections['Onboard user'].ai_tool?.[0]?.push({ node: 'AI Agent', type: 'ai_tool', index: 0 });
		expect(checkToolWiring(wf, GATED_IN_EXAMPLE).problems).toEqual(['"Onboard user" (user:onboard) changes Veeam but reaches "AI Agent" without Human review']);
	});

	it('fails when the preview tool is switched to Apply, or a tool left without an operation (Onboard is the default)', () => {
		const wf = load();
		node(wf, 'Preview role sync').parameters = { ...node(wf, 'Preview role sync').parameters, syncMode: 'apply' };
		delete node(wf, 'List roles').parameters?.resource;
		delete node(wf, 'List roles').parameters?.operation;
		expect(checkToolWiring(wf, GATED_IN_EXAMPLE).problems).toEqual([
			'"List roles" (user:onboard) changes Veeam but reaches "AI Agent" without Human review',
			'"Preview role sync" (user:sync (apply)) changes Veeam but reaches "AI Agent" without Human review',
		]);
	});

	it('fails when the Sync mode is an expression (the model or the data could pick Apply)', () => {
		const wf = load();
		node(wf, 'Preview role sync').parameters = { ...node(wf, 'Preview role sync').parameters, syncMode: "={{ $fromAI('mode') }}" };
		expect(checkToolWiring(wf).problems).toEqual([
			'"Preview role sync" (user:sync (={{ $fromAI(\'mode\') }})) changes Veeam but reaches "AI Agent" without Human review',
		]);
	});

	it('fails when a gated operation is missing, its review node is disabled or leads nowhere, or a read tool goes through review', () => {
		const missing = load();
		missing.nodes = missing.nodes.filter((n) => n.name !== 'Offboard user');
		expect(checkToolWiring(missing, GATED_IN_EXAMPLE).problems).toEqual(['no Veeam tool does user:offboard']);

		const disabled = load();
		node(disabled, 'Review role sync').disabled = true;
		expect(checkToolWiring(disabled, GATED_IN_EXAMPLE).problems).toEqual(['"Apply role sync" (user:sync (apply)) goes through "Review role sync", which is disabled']);

		const nowhere = load();
		delete nowhere.connections['Review role change'];
		expect(checkToolWiring(nowhere, GATED_IN_EXAMPLE).problems).toEqual(['Human review "Review role change" of "Change roles" must connect to the agent (it goes to: nothing)']);

		const reviewedRead = load();
		rewire(reviewedRead, 'List users', 'Review onboarding');
		expect(checkToolWiring(reviewedRead, GATED_IN_EXAMPLE).problems).toEqual(['"List users" (user:getMany) only reads but is connected to "Review onboarding", not straight to the agent']);
	});
});
