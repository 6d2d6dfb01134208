/**
 * examples/veeam-ai-agent-human-review.json in a real n8n 2.x (the first 2.x of N8N_E2E_VERSIONS),
 * through n8n's internal REST API as the editor saves and publishes a workflow:
 *
 * - n8n knows every node type of the example at its version, among them the ones it generates:
 *   `n8n-nodes-veeam.veeamTool` (our node as a tool, with the description of its `usableAsTool`
 *   replacements) and `@n8n/n8n-nodes-langchain.chatHitlTool` (Human review in the chat);
 * - the workflow saves, and its wiring as n8n stored it passes the check of test/support/toolWiring.ts:
 *   Onboard, Promote, Offboard and Sync → Apply reach the agent only through Human review, the
 *   read tools straight;
 * - it publishes (activates): n8n's activation check (workflow-validation.service.js,
 *   validateForActivation) finds no unknown node type, no missing credential and no parameter
 *   issue. Copies with an unknown node type, a Veeam tool without credential or Offboard without
 *   its User are refused, so it is a real check;
 * - what a model is told about each Veeam tool, computed by the n8n under test's own
 *   NodeHelpers.getToolDescriptionForNode from the tool type n8n generated.
 *
 * No model is called (the OpenAI credential is a stand-in): the point is that every changing tool
 * is gated, which the wiring shows. n8n 1.x has no Human review (it came with n8n 2.6): skipped
 * there, with the reason in the test name.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

import { startSimulator, type SimServer } from '../sim';
import { checkToolWiring, GATED_IN_EXAMPLE, VEEAM_TOOL_TYPE, type WorkflowLike } from '../test/support/toolWiring';
import { credentialRefs, loadExample } from './lib/examples';
import { vbrCredential } from './lib/fixtures';
import { e2eVersions, N8nInstance, type ExportedNodeType, type WorkflowJson } from './lib/n8n';
import { N8nRest, N8nRestError } from './lib/rest';

const EXAMPLE = 'veeam-ai-agent-human-review.json';
const versions = e2eVersions();
const first2x = versions.find((v) => Number(v.split('.')[0]) >= 2);

type SavedNode = { name: string; type: string; typeVersion: number; parameters: Record<string, unknown>; credentials?: Record<string, { id: string; name: string }> };
type SavedWorkflow = { id: string; versionId: string; active: boolean; nodes: SavedNode[]; connections: WorkflowLike['connections'] };

for (const version of versions.filter((v) => v !== first2x)) {
	const reason = Number(version.split('.')[0]) < 2 ? 'Human review of tool calls needs n8n 2.6 or later' : `runs on the first 2.x listed (${first2x})`;
	describe.skip(`n8n ${version}: the AI agent example (skipped: ${reason})`, () => {
		it('loads', () => undefined);
	});
}

(first2x ? describe : describe.skip)(`n8n ${first2x ?? '2.x'}: examples/${EXAMPLE}`, () => {
	let sim: SimServer;
	let n8n: N8nInstance;
	let rest: N8nRest;
	let example: WorkflowJson;
	let saved: SavedWorkflow;
	let types: ExportedNodeType[];

	/** POST /rest/workflows as the editor does for an imported workflow (n8n gives it its id). */
	async function save(workflow: WorkflowJson, name = workflow.name): Promise<SavedWorkflow> {
		const body: Record<string, unknown> = { ...workflow, name, active: false };
		delete body.id;
		return (await rest.call('POST', '/rest/workflows', body)) as SavedWorkflow;
	}

	async function publish(workflow: SavedWorkflow): Promise<{ active: boolean }> {
		return (await rest.call('POST', `/rest/workflows/${workflow.id}/activate`, { versionId: workflow.versionId })) as { active: boolean };
	}

	/** A copy with its own Chat Trigger webhook (two published workflows cannot share one). */
	function copyOf(change: (wf: WorkflowJson) => void): WorkflowJson {
		const copy = loadExample(EXAMPLE);
		const trigger = copy.nodes.find((n) => n.type === '@n8n/n8n-nodes-langchain.chatTrigger') as { webhookId: string };
		trigger.webhookId = trigger.webhookId.replace(/.{4}$/, 'c0de');
		change(copy);
		return copy;
	}

	beforeAll(async () => {
		example = loadExample(EXAMPLE);
		const refs = credentialRefs(example);
		sim = await startSimulator({ product: 'vbr' });
		n8n = await N8nInstance.create({ version: first2x });
		await n8n.importCredentials([
			vbrCredential(n8n, sim, refs.veeamBackupReplicationApi),
			// The chat model's credential: publishing asks for one, nothing calls the model.
			{ ...refs.openAiApi, type: 'openAiApi', data: { apiKey: 'e2e-no-model-is-called' } },
		]);
		await n8n.start();
		rest = new N8nRest(n8n);
		await rest.ready();
		await rest.setupOwner();
		types = (await n8n.frontendTypes()).nodes;
		saved = await save(example);
	});

	afterAll(async () => {
		await n8n?.dispose();
		await sim?.close();
	});

	const typeOf = (name: string, version: number) =>
		types.find((t) => t.name === name && (Array.isArray(t.version) ? t.version.includes(version) : t.version === version));

	it('n8n knows every node type of the example at its version, including the Veeam tool and the Chat Human review it generates', () => {
		const unknown = example.nodes.filter((n) => !typeOf(String(n.type), Number(n.typeVersion))).map((n) => `${String(n.name)}: ${String(n.type)} v${Number(n.typeVersion)}`);
		expect(unknown).toEqual([]);

		const veeamTool = typeOf(VEEAM_TOOL_TYPE, 1) as ExportedNodeType & { description: string; outputs: unknown; properties: Array<{ name: string }> };
		expect(veeamTool.description).toMatch(/^Manages the user accounts of a Veeam backup server.*Offboard deletes the user \(irreversible/);
		expect(veeamTool.outputs).toEqual(['ai_tool']);
		expect(veeamTool.properties.map((p) => p.name)).toEqual(expect.arrayContaining(['descriptionType', 'toolDescription', 'product', 'resource', 'operation']));

		const review = typeOf('@n8n/n8n-nodes-langchain.chatHitlTool', 1.3) as ExportedNodeType & { inputs: unknown; outputs: unknown };
		expect(review.inputs).toEqual([expect.objectContaining({ type: 'ai_tool', required: true })]);
		expect(review.outputs).toEqual([expect.objectContaining({ displayName: 'Human review', type: 'ai_tool' })]);
		// The Human review nodes this n8n offers, one per node with a "send and wait" operation (2.40.7
		// also Discord, Gmail, Google Chat, Outlook, Telegram, WhatsApp): the ones docs/ai-agents.md names.
		expect(types.map((t) => t.name).filter((name) => name.endsWith('HitlTool'))).toEqual(
			expect.arrayContaining(['@n8n/n8n-nodes-langchain.chatHitlTool', 'n8n-nodes-base.slackHitlTool', 'n8n-nodes-base.microsoftTeamsHitlTool', 'n8n-nodes-base.emailSendHitlTool']),
		);
	});

	it('saves the workflow with its wiring: the changing Veeam tools reach the agent only through Human review, the read tools straight', () => {
		expect(saved.nodes.map((n) => [n.name, n.type, n.typeVersion])).toEqual(example.nodes.map((n) => [n.name, n.type, n.typeVersion]));
		expect(saved.connections).toEqual(example.connections);
		const report = checkToolWiring(saved, GATED_IN_EXAMPLE);
		expect(report.problems).toEqual([]);
		expect(report.tools.filter((t) => t.changes).map((t) => `${t.operation} via ${t.reviewedBy.join(', ')}`)).toEqual([
			'user:onboard via Review onboarding',
			'user:promote via Review role change',
			'user:offboard via Review offboarding',
			'user:sync (apply) via Review role sync',
		]);
		expect(report.tools.filter((t) => !t.changes).map((t) => t.operation)).toEqual(['user:getMany', 'user:get', 'user:accessReport', 'role:getMany', 'user:sync (plan)']);
	});

	it("tells the model, through n8n's own description code, what each Veeam tool changes (the action texts, or the example's own text)", () => {
		// The n8n-workflow of the n8n under test, not the one this repository builds against.
		const n8nRequire = createRequire(join(n8n.install.n8nBin, '..', '..', 'package.json'));
		const { NodeHelpers } = n8nRequire('n8n-workflow') as typeof import('n8n-workflow');
		const toolType = { description: typeOf(VEEAM_TOOL_TYPE, 1) } as unknown as import('n8n-workflow').INodeType;
		const told = Object.fromEntries(
			saved.nodes
				.filter((n) => n.type === VEEAM_TOOL_TYPE)
				.map((n) => [n.name, NodeHelpers.getToolDescriptionForNode({ ...n, id: n.name, position: [0, 0] } as never, toolType)]),
		);
		expect(told).toEqual({
			'List users': 'Get many users in Veeam',
			'Get user': 'Get a user in Veeam',
			'Access report': 'Report on user access in Veeam',
			'List roles': 'Get many roles in Veeam',
			'Preview role sync': expect.stringMatching(/^Read-only preview in Veeam: .* Changes nothing\./),
			'Onboard user': 'Onboard a user — creates them or changes their roles in Veeam',
			'Change roles': 'Change the roles of a user in Veeam',
			'Offboard user': 'Offboard a user — irreversibly removes their access in Veeam',
			'Apply role sync': expect.stringMatching(/^Changes Veeam: makes one user the only holder of one role/),
		});
	});

	it("publishes (activates): n8n's activation check finds no unknown node, missing credential or parameter issue", async () => {
		expect(await publish(saved)).toMatchObject({ active: true });
	});

	it('refuses to publish a copy with an unknown node type, a Veeam tool without its credential, or Offboard without its user (the check is real)', async () => {
		const unknownType = await save(
			copyOf((wf) => {
				(wf.nodes.find((n) => n.name === 'Review offboarding') as { type: string }).type = '@n8n/n8n-nodes-langchain.chatHitlToolMisspelt';
			}),
			'e2e: unknown node type',
		);
		await expect(publish(unknownType)).rejects.toThrow(N8nRestError);
		await expect(publish(unknownType)).rejects.toThrow(/400 .*Unrecognized node type: @n8n\/n8n-nodes-langchain\.chatHitlToolMisspelt/);

		const noCredential = await save(
			copyOf((wf) => {
				delete (wf.nodes.find((n) => n.name === 'Offboard user') as { credentials?: unknown }).credentials;
			}),
			'e2e: tool without credential',
		);
		await expect(publish(noCredential)).rejects.toThrow(/Offboard user[\s\S]*Missing required credential/);

		const noUser = await save(
			copyOf((wf) => {
				delete (wf.nodes.find((n) => n.name === 'Offboard user') as { parameters: Record<string, unknown> }).parameters.user;
			}),
			'e2e: offboard without a user',
		);
		await expect(publish(noUser)).rejects.toThrow(/Offboard user[\s\S]*Missing or invalid required parameters: user/);
	});
});
