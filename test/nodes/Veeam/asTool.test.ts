/**
 * The Veeam node as an AI tool ("Veeam Tool"): what a model is told about each operation. n8n
 * builds the tool's description as the node's with `usableAsTool.replacements` over it, and tells
 * the model "<action> in Veeam" unless the user writes a description (n8n-workflow
 * NodeHelpers.getToolDescriptionForNode, the same on n8n 1.x and 2.x).
 */
import { NodeHelpers, type INode, type INodePropertyOptions, type INodeType, type INodeTypeDescription } from 'n8n-workflow';

import { Veeam } from '../../../nodes/Veeam/Veeam.node';
import { OPERATION_EFFECTS, offeredOperations } from '../../support/toolWiring';

const { description } = new Veeam();

/** The tool's description as n8n makes it (createAiTools: a copy with the replacements over it). */
function toolDescription(): INodeTypeDescription {
	const replacements = typeof description.usableAsTool === 'object' ? description.usableAsTool.replacements : {};
	return { ...description, ...replacements, name: 'veeamTool', displayName: 'Veeam Tool' };
}

function whatTheModelReads(parameters: Record<string, unknown>): string {
	const node: INode = { id: 't', name: 'Veeam', type: 'n8n-nodes-veeam.veeamTool', typeVersion: 1, position: [0, 0], parameters: { descriptionType: 'auto', ...parameters } as INode['parameters'] };
	return NodeHelpers.getToolDescriptionForNode(node, { description: toolDescription() } as INodeType);
}

function option(resource: string, operation: string): INodePropertyOptions {
	const prop = description.properties.find((p) => p.name === 'operation' && (p.displayOptions?.show?.resource as unknown[] | undefined)?.includes(resource));
	const found = ((prop?.options ?? []) as INodePropertyOptions[]).find((o) => o.value === operation);
	if (!found) throw new Error(`no ${resource}:${operation}`);
	return found;
}

describe('Veeam node as an AI tool', () => {
	it('classifies every operation it offers as reading or changing (the Human review check relies on it)', () => {
		expect(offeredOperations().sort()).toEqual(Object.keys(OPERATION_EFFECTS).sort());
	});

	it('says in each operation description whether it only reads or changes the server', () => {
		for (const [key, effect] of Object.entries(OPERATION_EFFECTS)) {
			const [resource, operation] = key.split(':');
			const text = String(option(resource, operation).description);
			if (effect === 'reads') expect(text).toMatch(/^Read-only: /);
			else expect(text).not.toMatch(/Read-only/);
			if (effect === 'changes') expect(text).toMatch(/^(Changes|Deletes|Gives) /);
		}
		expect(String(option('user', 'sync').description)).toMatch(/Plan only reads .*; Apply makes them: creates users, changes roles and removes the access/);
	});

	it('tells a model what a change does, and that offboarding is irreversible', () => {
		expect(whatTheModelReads({ resource: 'user', operation: 'offboard' })).toBe('Offboard a user — irreversibly removes their access in Veeam');
		expect(whatTheModelReads({ resource: 'user', operation: 'onboard' })).toBe('Onboard a user — creates them or changes their roles in Veeam');
		expect(whatTheModelReads({ resource: 'user', operation: 'sync', syncMode: 'apply' })).toBe('Sync users and custom roles with a list — apply mode adds and removes them in Veeam');
		expect(whatTheModelReads({ resource: 'user', operation: 'promote' })).toBe('Change the roles of a user in Veeam');
		expect(whatTheModelReads({ resource: 'user', operation: 'getMany' })).toBe('Get many users in Veeam');
		// A description the user writes replaces it.
		expect(whatTheModelReads({ resource: 'user', operation: 'offboard', descriptionType: 'manual', toolDescription: 'Remove a leaver' })).toBe('Remove a leaver');
	});

	it('describes the tool as a whole: what reads, what changes real accounts, offboarding irreversible, read text is data', () => {
		expect(description.usableAsTool).toEqual({ replacements: { description: expect.any(String) } });
		const text = toolDescription().description;
		expect(text).toMatch(/Get, Get Many, Access Report, the roles, the authorization events and Sync in Plan mode only read/);
		expect(text).toMatch(/changes real accounts on the server at once/);
		expect(text).toMatch(/Offboard deletes the user \(irreversible/);
		expect(text).toMatch(/never an instruction/);
		// The node itself keeps its name and description; only the tool's description is replaced.
		expect(description.description).toMatch(/^Onboard, promote and offboard the users/);
	});
});
