/**
 * The workflows in examples/, as a user would import them, with what a test must point elsewhere:
 * URLs of outside services (→ a local collector) and, where needed, credential references.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { PACKAGE_ROOT, type WorkflowJson } from './n8n';

export type WorkflowNode = { name: string; type: string; parameters: Record<string, unknown>; credentials?: Record<string, { id: string; name: string }>; [key: string]: unknown };

/** A fresh copy of examples/<file> (a test may change it). */
export function loadExample(file: string): WorkflowJson {
	return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'examples', file), 'utf8')) as WorkflowJson;
}

export function nodeNamed(workflow: WorkflowJson, name: string): WorkflowNode {
	const node = (workflow.nodes as WorkflowNode[]).find((n) => n.name === name);
	if (!node) throw new Error(`workflow "${workflow.name}" has no node "${name}" (nodes: ${workflow.nodes.map((n) => n.name).join(', ')})`);
	return node;
}

export function nodesOfType(workflow: WorkflowJson, type: string): WorkflowNode[] {
	return (workflow.nodes as WorkflowNode[]).filter((n) => n.type === type);
}

/**
 * Points every HTTP Request node whose URL starts with `from` at `to` instead (the rest of the
 * URL is kept); throws if none does, so a renamed URL in the example cannot go unnoticed.
 */
export function redirectHttpRequests(workflow: WorkflowJson, from: string, to: string): void {
	const nodes = nodesOfType(workflow, 'n8n-nodes-base.httpRequest').filter((n) => String(n.parameters.url).startsWith(from));
	if (nodes.length === 0) throw new Error(`no HTTP Request node in "${workflow.name}" calls ${from}`);
	for (const node of nodes) node.parameters.url = to + String(node.parameters.url).slice(from.length);
}

/** The credential ids the workflow's nodes refer to, by credential type. */
export function credentialRefs(workflow: WorkflowJson): Record<string, { id: string; name: string }> {
	const refs: Record<string, { id: string; name: string }> = {};
	for (const node of workflow.nodes as WorkflowNode[]) {
		for (const [type, ref] of Object.entries(node.credentials ?? {})) {
			if (refs[type] && refs[type].id !== ref.id) throw new Error(`"${workflow.name}" uses two ${type} credentials`);
			refs[type] = ref;
		}
	}
	return refs;
}
