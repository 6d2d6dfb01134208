/**
 * Every workflow in examples/, as a user imports it, without n8n: it parses, its connections join
 * nodes it has, and each node of this package (Veeam, its AI tool, Veeam Trigger) uses only fields
 * its node shows for the choices made (n8n's own NodeHelpers.getNodeParameters decides what is
 * shown), with a credential the node offers. A new example is checked by being there. The mutated
 * copies show each check fails.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { NodeHelpers, type INode, type INodeParameters, type INodeProperties, type INodeTypeDescription } from 'n8n-workflow';

import { Veeam } from '../../nodes/Veeam/Veeam.node';
import { VeeamTrigger } from '../../nodes/VeeamTrigger/VeeamTrigger.node';

type ExampleNode = { id: string; name: string; type: string; typeVersion: number; parameters: INodeParameters; credentials?: Record<string, { id: string; name: string }>; disabled?: boolean };
type Connection = { node: string; type: string; index: number };
type Example = { id: string; name: string; nodes: ExampleNode[]; connections: Record<string, Record<string, Array<Connection[] | null>>> };

const DIR = join(__dirname, '../../examples');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
const load = (file: string): Example => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Example;

const DESCRIPTIONS: Record<string, INodeTypeDescription> = {
	'n8n-nodes-veeam.veeam': new Veeam().description,
	// n8n makes the tool from the action node's description (usableAsTool).
	'n8n-nodes-veeam.veeamTool': new Veeam().description,
	'n8n-nodes-veeam.veeamTrigger': new VeeamTrigger().description,
};

/**
 * Fields n8n adds to a node type when it loads it: a polling trigger's Poll Times (n8n-core's
 * nodes-loader, applySpecialNodeParameters: commonPollingParameters), a tool's description fields
 * (n8n's tool conversion; NodeHelpers reads descriptionType and toolDescription).
 */
const ADDED_BY_N8N: Record<string, string[]> = {
	'n8n-nodes-veeam.veeamTool': ['descriptionType', 'toolDescription'],
	'n8n-nodes-veeam.veeamTrigger': ['pollTimes'],
};

/** The fields of `node` its node type does not show for the node's own choices, and unknown options of its collections. */
function unknownFields(node: ExampleNode): string[] {
	const description = DESCRIPTIONS[node.type];
	if (!description) return [];
	const asNode = { ...node, position: [0, 0] } as unknown as INode;
	const shown = NodeHelpers.getNodeParameters(description.properties, node.parameters, true, false, asNode, description) ?? {};
	const problems: string[] = [];
	for (const [name, value] of Object.entries(node.parameters)) {
		if (ADDED_BY_N8N[node.type]?.includes(name)) continue;
		if (!(name in shown)) {
			problems.push(`"${node.name}": ${name} is not a field shown for these choices`);
			continue;
		}
		const property = description.properties.find((p) => p.name === name && NodeHelpers.displayParameter(shown, p, asNode, description));
		if (property?.type === 'collection' && value && typeof value === 'object' && !Array.isArray(value)) {
			const options = ((property.options ?? []) as INodeProperties[]).map((o) => o.name);
			for (const key of Object.keys(value)) if (!options.includes(key)) problems.push(`"${node.name}": ${name}.${key} is not an option of ${property.displayName}`);
		}
	}
	return problems;
}

/** The credential types `node` refers to that its node type does not offer for the node's choices. */
function unofferedCredentials(node: ExampleNode): string[] {
	const description = DESCRIPTIONS[node.type];
	if (!description) return [];
	const asNode = { ...node, position: [0, 0] } as unknown as INode;
	const shown = NodeHelpers.getNodeParameters(description.properties, node.parameters, true, false, asNode, description) ?? {};
	const offered = (description.credentials ?? []).filter((c) => NodeHelpers.displayParameter(shown, c, asNode, description)).map((c) => c.name);
	return Object.keys(node.credentials ?? {})
		.filter((type) => !offered.includes(type))
		.map((type) => `"${node.name}": credential ${type} (offered: ${offered.join(', ') || 'none'})`);
}

function brokenConnections(example: Example): string[] {
	const names = new Set(example.nodes.map((n) => n.name));
	const problems: string[] = [];
	for (const [from, outputs] of Object.entries(example.connections)) {
		if (!names.has(from)) problems.push(`a connection from "${from}", which is not a node`);
		for (const list of Object.values(outputs).flat()) {
			for (const c of list ?? []) if (!names.has(c.node)) problems.push(`"${from}" connects to "${c.node}", which is not a node`);
		}
	}
	return problems;
}

describe.each(FILES)('examples/%s', (file) => {
	it('parses as an n8n workflow: an id n8n can store, unique node names and ids, connections between its nodes', () => {
		const example = load(file);
		// n8n's workflow id column holds 16 characters.
		expect(example.id).toMatch(/^[A-Za-z0-9]{1,16}$/);
		expect(example.name).toEqual(expect.any(String));
		expect(new Set(example.nodes.map((n) => n.name)).size).toBe(example.nodes.length);
		expect(new Set(example.nodes.map((n) => n.id)).size).toBe(example.nodes.length);
		expect(brokenConnections(example)).toEqual([]);
	});

	it('uses only fields and credentials the package’s nodes show for its choices', () => {
		const example = load(file);
		expect(example.nodes.flatMap((n) => [...unknownFields(n), ...unofferedCredentials(n)])).toEqual([]);
	});
});

describe('the checks fail on broken examples', () => {
	const withVeeamNode = () => {
		const file = FILES.find((f) => load(f).nodes.some((n) => n.type === 'n8n-nodes-veeam.veeam'));
		if (!file) throw new Error('no example with a Veeam node');
		const example = load(file);
		const node = example.nodes.find((n) => n.type === 'n8n-nodes-veeam.veeam') as ExampleNode;
		return { example, node };
	};

	it('a field the node does not have, or does not show for the choices made, is named', () => {
		const { node } = withVeeamNode();
		expect(unknownFields({ ...node, parameters: { ...node.parameters, userNmae: 'x' } })).toEqual([`"${node.name}": userNmae is not a field shown for these choices`]);
		// Sync's Approved Plan ID is an option of Sync only.
		expect(unknownFields({ ...node, parameters: { product: 'vbr', resource: 'user', operation: 'getMany', syncMode: 'apply' } })).toEqual([
			`"${node.name}": syncMode is not a field shown for these choices`,
		]);
		expect(unknownFields({ ...node, parameters: { product: 'vbr', resource: 'user', operation: 'sync', syncOptions: { approvedPlanID: 'x' } } })).toEqual([
			`"${node.name}": syncOptions.approvedPlanID is not an option of Options`,
		]);
	});

	it('a credential the node does not offer for the product, or a connection to a missing node, is named', () => {
		const { example, node } = withVeeamNode();
		expect(unofferedCredentials({ ...node, parameters: { ...node.parameters, product: 'vbgc' } })).toEqual([
			`"${node.name}": credential veeamBackupReplicationApi (offered: veeamBackupGoogleCloudApi)`,
		]);
		example.connections[node.name] = { main: [[{ node: 'Nowhere', type: 'main', index: 0 }]] };
		expect(brokenConnections(example)).toEqual([`"${node.name}" connects to "Nowhere", which is not a node`]);
	});
});
