/**
 * The Veeam node's form on Veeam Backup for Microsoft 365 (n8n's own display logic): Restore
 * Operator and Role only; each operation its own fields, none twice, the VBR custom-role fields
 * hidden; Restore Operator hidden on the other products.
 */
import { NodeHelpers, type INode, type INodeProperties, type INodePropertyOptions } from 'n8n-workflow';

import { Veeam } from '../../../../nodes/Veeam/Veeam.node';

const { description } = new Veeam();

function nodeWith(parameters: Record<string, unknown>): INode {
	return { id: 'x', name: 'Veeam', type: 'n8n-nodes-veeam.veeam', typeVersion: 1, position: [0, 0], parameters: parameters as INode['parameters'] };
}

function resolved(parameters: Record<string, unknown>) {
	const n = nodeWith(parameters);
	return { n, values: NodeHelpers.getNodeParameters(description.properties, n.parameters, true, false, n, description) ?? {} };
}

/** The fields shown, by name, each as often as n8n shows it. */
function fields(parameters: Record<string, unknown>): string[] {
	const { n, values } = resolved(parameters);
	return description.properties.filter((p) => NodeHelpers.displayParameter(values, p, n, description)).map((p) => p.name).sort();
}

function shownOptions(name: string, parameters: Record<string, unknown>): string[] {
	const { n, values } = resolved(parameters);
	const prop = description.properties.find((p) => p.name === name && NodeHelpers.displayParameter(values, p, n, description));
	return ((prop?.options ?? []) as INodePropertyOptions[])
		.filter((o) => !o.displayOptions || NodeHelpers.displayParameter(values, o as unknown as INodeProperties, n, description))
		.map((o) => String(o.value))
		.sort();
}

const base = ['operation', 'product', 'resource'];

describe('Veeam node form on Veeam Backup for Microsoft 365', () => {
	it('offers Restore Operator and Role only; Restore Operator nowhere else', () => {
		expect(shownOptions('resource', { product: 'vb365' })).toEqual(['restoreOperator', 'role']);
		for (const product of ['vbr', 'vbgc', 'aws', 'azure', 'vspc']) expect(shownOptions('resource', { product })).not.toContain('restoreOperator');
		expect(shownOptions('operation', { product: 'vb365', resource: 'restoreOperator' })).toEqual(expect.arrayContaining(['get', 'getMany', 'grant', 'offboard', 'revoke']));
		expect(shownOptions('operation', { product: 'vb365', resource: 'role' })).toEqual(['create', 'delete', 'get', 'getMany', 'update']);
		expect(shownOptions('operation', { product: 'vbr', resource: 'role' })).toEqual(['clone', 'create', 'delete', 'get', 'getMany', 'update']);
		expect(shownOptions('operation', { product: 'vbgc', resource: 'role' })).toEqual(['get', 'getMany']);
	});

	it.each([
		[{ resource: 'restoreOperator', operation: 'grant' }, ['ifRoleMissing', 'operator', 'operatorType', 'options', 'organization', 'restoreRoles']],
		[{ resource: 'restoreOperator', operation: 'grant', ifRoleMissing: 'create', newRoleType: 'SpecificObjects' }, ['ifRoleMissing', 'newRoleDescription', 'newRoleItems', 'newRoleType', 'operator', 'operatorType', 'options', 'organization', 'restoreRoles']],
		[{ resource: 'restoreOperator', operation: 'revoke' }, ['operator', 'operatorType', 'options', 'organization', 'revokeFrom']],
		[{ resource: 'restoreOperator', operation: 'revoke', revokeFrom: 'roles' }, ['operator', 'operatorType', 'options', 'organization', 'restoreRoles', 'revokeFrom']],
		[{ resource: 'restoreOperator', operation: 'offboard' }, ['operator', 'options', 'organizationScope']],
		[{ resource: 'restoreOperator', operation: 'offboard', organizationScope: 'one' }, ['operator', 'options', 'organization', 'organizationScope']],
		[{ resource: 'restoreOperator', operation: 'get' }, ['operator', 'operatorType', 'options', 'organization']],
		[{ resource: 'restoreOperator', operation: 'getMany' }, ['filters', 'limit', 'organizationScope', 'returnAll']],
		[{ resource: 'role', operation: 'create' }, ['excludedItems', 'ifExists', 'options', 'organization', 'roleDescription', 'roleName', 'vb365RoleType']],
		[{ resource: 'role', operation: 'create', vb365RoleType: 'SpecificObjects' }, ['excludedItems', 'ifExists', 'options', 'organization', 'roleDescription', 'roleName', 'selectedItems', 'vb365RoleType']],
		[{ resource: 'role', operation: 'update' }, ['options', 'organization', 'role', 'roleUpdates', 'scopeItems']],
		[{ resource: 'role', operation: 'update', scopeItems: 'replace' }, ['excludedItems', 'options', 'organization', 'role', 'roleUpdates', 'scopeItems', 'selectedItems']],
		[{ resource: 'role', operation: 'delete' }, ['ifNotFound', 'options', 'organization', 'role']],
		[{ resource: 'role', operation: 'get' }, ['options', 'organization', 'role']],
		[{ resource: 'role', operation: 'getMany' }, ['limit', 'organizationScope', 'returnAll', 'withOperators']],
	])('%j shows its own fields, each once', (parameters, own) => {
		expect(fields({ product: 'vb365', ...parameters })).toEqual([...base, ...own].sort());
	});

	it('the Restore Operator fields never show for another product', () => {
		for (const operation of ['create', 'update', 'delete', 'get', 'getMany']) {
			const shown = fields({ product: 'vbr', resource: 'role', operation });
			for (const name of ['organization', 'organizationScope', 'vb365RoleType', 'selectedItems', 'excludedItems', 'roleUpdates', 'scopeItems', 'withOperators']) expect(shown).not.toContain(name);
		}
	});
});
