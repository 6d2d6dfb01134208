/** What the node's form shows for Veeam Backup for Google Cloud, next to Veeam Backup & Replication. */
import { NodeHelpers, type INode, type INodeProperties, type INodePropertyOptions } from 'n8n-workflow';

import { Veeam } from '../../../../nodes/Veeam/Veeam.node';

const { description } = new Veeam();

function nodeWith(parameters: Record<string, unknown>): INode {
	return { id: 'x', name: 'Veeam', type: 'n8n-nodes-veeam.veeam', typeVersion: 1, position: [0, 0], parameters: parameters as INode['parameters'] };
}

/** The properties n8n shows for these parameter values (resolved as the editor and the engine do). */
function shownProperties(parameters: Record<string, unknown>): INodeProperties[] {
	const n = nodeWith(parameters);
	const resolved = NodeHelpers.getNodeParameters(description.properties, n.parameters, true, false, n, description) ?? {};
	return description.properties.filter((p) => NodeHelpers.displayParameter(resolved, p, n, description));
}

const shown = (parameters: Record<string, unknown>) => [...new Set(shownProperties(parameters).map((p) => p.name))].sort();

/** The options of the one property `name` the editor shows, without those their own display options hide (as n8n 2.x's editor filters them). */
function optionValues(parameters: Record<string, unknown>, name: string): string[] {
	const props = shownProperties(parameters).filter((p) => p.name === name);
	expect(props).toHaveLength(1);
	const n = nodeWith(parameters);
	const resolved = NodeHelpers.getNodeParameters(description.properties, n.parameters, true, false, n, description) ?? {};
	const visible = ((props[0].options ?? []) as INodePropertyOptions[]).filter(
		(o) => !o.displayOptions || NodeHelpers.displayParameter(resolved, o as unknown as INodeProperties, n, description),
	);
	return visible.map((o) => String(o.value)).sort();
}

describe('Veeam node description: product-specific parts', () => {
	it('offers the MFA resource for VBGC only, authorization events for VBR only', () => {
		expect(optionValues({ product: 'vbr' }, 'resource')).toEqual(['authorizationEvent', 'backupAccess', 'role', 'user']);
		expect(optionValues({ product: 'vbgc' }, 'resource')).toEqual(['mfa', 'role', 'user']);
	});

	it('offers each product its own user operations', () => {
		const common = ['accessReport', 'get', 'getMany', 'offboard', 'onboard', 'promote', 'sync'];
		expect(optionValues({ product: 'vbr', resource: 'user' }, 'operation')).toEqual([...common, 'resetMfa', 'setServiceAccountMode'].sort());
		expect(optionValues({ product: 'vbgc', resource: 'user' }, 'operation')).toEqual([...common, 'changePassword'].sort());
		expect(optionValues({ product: 'vbgc', resource: 'mfa' }, 'operation')).toEqual(['accept', 'disable', 'enable', 'recreate']);
		expect(optionValues({ product: 'vbgc', resource: 'role' }, 'operation')).toEqual(['get', 'getMany']);
	});

	it('every operation has an action and a description for AI tool use', () => {
		for (const product of ['vbr', 'vbgc']) {
			for (const resource of product === 'vbgc' ? ['user', 'mfa', 'role'] : ['user', 'role']) {
				const prop = shownProperties({ product, resource }).find((p) => p.name === 'operation');
				for (const op of (prop?.options ?? []) as INodePropertyOptions[]) {
					expect(op.action).toMatch(/^[A-Z]/);
					expect(String(op.description).length).toBeGreaterThan(30);
				}
			}
		}
	});

	it('Onboard asks VBGC for password and description, VBR for type and service account', () => {
		expect(shown({ product: 'vbgc', resource: 'user', operation: 'onboard' })).toEqual(
			['description', 'ifExists', 'operation', 'options', 'password', 'product', 'resource', 'roles', 'userName'].sort(),
		);
		expect(shown({ product: 'vbr', resource: 'user', operation: 'onboard' })).toEqual(
			['ifExists', 'isServiceAccount', 'operation', 'options', 'product', 'resource', 'roles', 'userName', 'userType'].sort(),
		);
	});

	it('Sync asks VBGC for a password and description for new accounts, VBR for a type; Domain scope on VBR only', () => {
		const base = { resource: 'user', operation: 'sync', scope: 'namePattern' };
		expect(shown({ product: 'vbgc', ...base })).toEqual(
			['description', 'manage', 'operation', 'password', 'product', 'resource', 'roles', 'scope', 'scopePattern', 'syncMode', 'syncNotice', 'syncOptions', 'userName'].sort(),
		);
		expect(shown({ product: 'vbr', ...base })).toEqual(
			['manage', 'operation', 'product', 'resource', 'roles', 'scope', 'scopePattern', 'syncMode', 'syncNotice', 'syncOptions', 'userName', 'userType'].sort(),
		);
		expect(shown({ product: 'vbr', ...base, scope: 'roles' })).toContain('scopeRoles');
	});

	it('Sync with custom roles (VBR 13.1): the declared roles and their scope; Custom Roles Only hides every field about people', () => {
		const base = { product: 'vbr', resource: 'user', operation: 'sync', scope: 'namePattern' };
		const roleFields = ['customRoleNamePattern', 'customRoleScope', 'customRoles'];
		expect(shown({ ...base, manage: 'usersAndCustomRoles' })).toEqual(
			[...roleFields, 'manage', 'operation', 'product', 'resource', 'roles', 'scope', 'scopePattern', 'syncMode', 'syncNotice', 'syncOptions', 'userName', 'userType'].sort(),
		);
		expect(shown({ ...base, manage: 'customRoles' })).toEqual([...roleFields, 'manage', 'operation', 'product', 'resource', 'syncMode', 'syncOptions'].sort());
		expect(shown({ ...base, manage: 'customRoles', customRoleScope: 'all' })).not.toContain('customRoleNamePattern');
	});

	it('Get Many offers VBGC its filters (name, MFA) and order/offset options', () => {
		const props = shownProperties({ product: 'vbgc', resource: 'user', operation: 'getMany' });
		const filters = props.find((p) => p.name === 'filters');
		expect(((filters?.options ?? []) as INodeProperties[]).map((o) => o.name)).toEqual(['mfaEnabled', 'namePattern']);
		const options = props.find((p) => p.name === 'options');
		expect(((options?.options ?? []) as INodeProperties[]).map((o) => o.name)).toEqual(['offset', 'sortBy', 'sortDirection']);
		expect(shown({ product: 'vbr', resource: 'user', operation: 'getMany' })).not.toContain('options');
	});

	it('MFA → Enable and Recreate output no secret key or scratch codes unless switched on', () => {
		for (const operation of ['enable', 'recreate']) {
			const props = shownProperties({ product: 'vbgc', resource: 'mfa', operation });
			expect(props.find((p) => p.name === 'includeSecrets')?.default).toBe(false);
			expect(props.find((p) => p.name === 'qrStringNotice')?.type).toBe('notice');
		}
		expect(shown({ product: 'vbgc', resource: 'mfa', operation: 'accept' })).toEqual(['code', 'operation', 'options', 'product', 'resource', 'token', 'user']);
	});

	it('every field that takes a password or token is a password field', () => {
		const all = description.properties;
		const secretNames = ['password', 'oldPassword', 'newPassword', 'token'];
		for (const name of secretNames) {
			const props = all.filter((p) => p.name === name);
			expect(props.length).toBeGreaterThan(0);
			for (const p of props) expect(p.typeOptions?.password).toBe(true);
		}
		expect([...new Set(all.filter((p) => p.typeOptions?.password).map((p) => p.name))].sort()).toEqual([...new Set(secretNames)].sort());
	});

	it('the VBGC user locator has no ID mode (VBGC users have none); VBR keeps it', () => {
		const modes = (product: string) =>
			shownProperties({ product, resource: 'user', operation: 'get' })
				.find((p) => p.name === 'user')
				?.modes?.map((m) => m.name);
		expect(modes('vbgc')).toEqual(['list', 'name']);
		expect(modes('vbr')).toEqual(['list', 'name', 'id']);
	});
});
