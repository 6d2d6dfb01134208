/**
 * Which Veeam operations change something, and the check that an AI Agent workflow gates those
 * behind Human review: used by the example's unit test (test/examples/aiAgentExample.test.ts) and
 * by the e2e on the workflow as a real n8n saved it (e2e/aiAgent.e2e.ts).
 *
 * The wiring n8n 2.6+ runs (n8n-core `get-input-connection-data.js`, `createHitlToolkit`): a tool
 * connected by `ai_tool` to a Human review node (a type ending in "HitlTool", e.g.
 * `@n8n/n8n-nodes-langchain.chatHitlTool`), that node connected by `ai_tool` to the agent. The
 * agent sees the tool under its own name; calling it sends the review, and the tool runs only
 * when the reviewer approves. A tool connected straight to the agent runs when the model says so.
 */
import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import { Veeam } from '../../nodes/Veeam/Veeam.node';

export const VEEAM_TOOL_TYPE = 'n8n-nodes-veeam.veeamTool';
const AGENT_TYPES = new Set(['@n8n/n8n-nodes-langchain.agent', '@n8n/n8n-nodes-langchain.agentTool']);

export function isHumanReviewType(type: string): boolean {
	return type.endsWith('HitlTool');
}

/**
 * Every operation of the node, `resource:operation`: what it does to the server. `sync` depends on
 * its Mode (Plan reads, Apply changes). A test checks that this covers every operation the node
 * offers, so a new operation cannot be left out.
 */
export const OPERATION_EFFECTS: Record<string, 'reads' | 'changes' | 'sync'> = {
	'user:accessReport': 'reads',
	'user:changePassword': 'changes',
	'user:get': 'reads',
	'user:getMany': 'reads',
	'user:offboard': 'changes',
	'user:onboard': 'changes',
	'user:promote': 'changes',
	'user:requireMfa': 'changes',
	'user:resetMfa': 'changes',
	'user:stopRequiringMfa': 'changes',
	'user:setServiceAccountMode': 'changes',
	'user:sync': 'sync',
	'mfa:accept': 'changes',
	'mfa:disable': 'changes',
	'mfa:enable': 'changes',
	'mfa:recreate': 'changes',
	'role:get': 'reads',
	'role:getMany': 'reads',
	'role:create': 'changes',
	'role:update': 'changes',
	'role:clone': 'changes',
	'role:delete': 'changes',
	'authorizationEvent:get': 'reads',
	'authorizationEvent:getMany': 'reads',
	'backupAccess:get': 'reads',
	'backupAccess:getMany': 'reads',
	'backupAccess:changeOwner': 'changes',
	'backupAccess:setEffectiveAccess': 'changes',
	'restoreOperator:grant': 'changes',
	'restoreOperator:revoke': 'changes',
	'restoreOperator:offboard': 'changes',
	'restoreOperator:get': 'reads',
	'restoreOperator:getMany': 'reads',
	'restoreOperator:sync': 'sync',
	'restoreOperator:accessReport': 'reads',
};

const properties: INodeProperties[] = new Veeam().description.properties;

function defaultOf(name: string, resource?: string): unknown {
	return properties.find((p) => p.name === name && (resource === undefined || (p.displayOptions?.show?.resource as unknown[] | undefined)?.includes(resource)))?.default;
}

/** The resource:operation pairs the node offers (one Operation property per resource). */
export function offeredOperations(): string[] {
	return properties
		.filter((p) => p.name === 'operation')
		.flatMap((p) =>
			((p.displayOptions?.show?.resource ?? []) as string[]).flatMap((r) => ((p.options ?? []) as INodePropertyOptions[]).map((o) => `${r}:${String(o.value)}`)),
		);
}

/** A tool node's operation, with the node's defaults for what its parameters leave out. */
export function operationOf(parameters: Record<string, unknown>): { key: string; mode?: string } {
	const resource = String(parameters.resource ?? defaultOf('resource'));
	const operation = String(parameters.operation ?? defaultOf('operation', resource));
	const key = `${resource}:${operation}`;
	return OPERATION_EFFECTS[key] === 'sync' ? { key, mode: String(parameters.syncMode ?? defaultOf('syncMode')) } : { key };
}

/**
 * Whether a tool node with these parameters may change the server: an operation not in the table,
 * an expression where the operation or the Sync mode is chosen, or a mode other than Plan count as
 * changing (nothing unknown passes as read-only).
 */
export function changesVeeam(parameters: Record<string, unknown>): boolean {
	const { key, mode } = operationOf(parameters);
	const effect = OPERATION_EFFECTS[key];
	if (effect === 'reads') return false;
	if (effect === 'sync') return mode !== 'plan';
	return true;
}

/** The label a report uses: `user:offboard`, `user:sync (apply)`. */
export function operationLabel(parameters: Record<string, unknown>): string {
	const { key, mode } = operationOf(parameters);
	return mode === undefined ? key : `${key} (${mode})`;
}

export interface WorkflowLike {
	nodes: Array<{ name: string; type: string; parameters?: Record<string, unknown>; disabled?: boolean }>;
	connections: Record<string, Record<string, Array<Array<{ node: string; type: string; index: number }> | null> | undefined>>;
}

export interface ToolWiring {
	name: string;
	operation: string;
	changes: boolean;
	/** The Human review nodes between the tool and an agent ([] when connected straight). */
	reviewedBy: string[];
}

export interface WiringReport {
	tools: ToolWiring[];
	problems: string[];
}

/** The nodes `from` connects to by `ai_tool`. */
function aiToolTargets(workflow: WorkflowLike, from: string): string[] {
	return (workflow.connections[from]?.ai_tool ?? []).flatMap((out) => out ?? []).map((c) => c.node);
}

/**
 * Checks every enabled Veeam tool of the workflow: one that changes something reaches an agent
 * only through an enabled Human review node (each of its `ai_tool` connections goes to one, and
 * that one goes to an agent); one that only reads is connected straight to an agent. `required`
 * lists operations (as operationLabel gives them) that must be there, gated.
 */
export function checkToolWiring(workflow: WorkflowLike, required: string[] = []): WiringReport {
	const byName = new Map(workflow.nodes.map((n) => [n.name, n]));
	const isAgent = (name: string) => AGENT_TYPES.has(byName.get(name)?.type ?? '');
	const problems: string[] = [];
	const tools: ToolWiring[] = [];
	for (const node of workflow.nodes) {
		if (node.type !== VEEAM_TOOL_TYPE || node.disabled) continue;
		const parameters = node.parameters ?? {};
		const changes = changesVeeam(parameters);
		const operation = operationLabel(parameters);
		const targets = aiToolTargets(workflow, node.name);
		if (targets.length === 0) problems.push(`"${node.name}" (${operation}) is connected to no agent`);
		const reviewedBy: string[] = [];
		for (const target of targets) {
			const targetNode = byName.get(target);
			if (!targetNode) {
				problems.push(`"${node.name}" is connected to "${target}", which is not in the workflow`);
			} else if (changes && !isHumanReviewType(targetNode.type)) {
				problems.push(`"${node.name}" (${operation}) changes Veeam but reaches "${target}" without Human review`);
			} else if (changes) {
				reviewedBy.push(target);
				if (targetNode.disabled) problems.push(`"${node.name}" (${operation}) goes through "${target}", which is disabled`);
				const onward = aiToolTargets(workflow, target);
				if (onward.length === 0 || !onward.every(isAgent)) {
					problems.push(`Human review "${target}" of "${node.name}" must connect to the agent (it goes to: ${onward.join(', ') || 'nothing'})`);
				}
			} else if (!isAgent(target)) {
				problems.push(`"${node.name}" (${operation}) only reads but is connected to "${target}", not straight to the agent`);
			}
		}
		tools.push({ name: node.name, operation, changes, reviewedBy });
	}
	for (const operation of required) {
		if (!tools.some((t) => t.operation === operation && t.changes)) problems.push(`no Veeam tool does ${operation}`);
	}
	return { tools, problems };
}

/** The changing operations the example must gate (issue 26, point 6). */
export const GATED_IN_EXAMPLE = ['user:onboard', 'user:promote', 'user:offboard', 'user:sync (apply)'];
