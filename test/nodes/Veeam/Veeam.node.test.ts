import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { NodeHelpers, Workflow, type INode, type INodeProperties, type INodePropertyOptions } from 'n8n-workflow';

import { VeeamBackupAwsApi } from '../../../credentials/VeeamBackupAwsApi.credentials';
import { VeeamBackupAzureApi } from '../../../credentials/VeeamBackupAzureApi.credentials';
import { VeeamBackupGoogleCloudApi } from '../../../credentials/VeeamBackupGoogleCloudApi.credentials';
import { VeeamBackupReplicationApi } from '../../../credentials/VeeamBackupReplicationApi.credentials';
import { VeeamServiceProviderConsoleApi } from '../../../credentials/VeeamServiceProviderConsoleApi.credentials';
import { VeeamBackupMicrosoft365Api } from '../../../credentials/VeeamBackupMicrosoft365Api.credentials';
import { Veeam } from '../../../nodes/Veeam/Veeam.node';

const root = join(__dirname, '../../..');
const node = new Veeam();
const { description } = node;

function nodeWith(parameters: Record<string, unknown>): INode {
	return { id: 'x', name: 'Veeam', type: 'n8n-nodes-veeam.veeam', typeVersion: 1, position: [0, 0], parameters: parameters as INode['parameters'] };
}

function shownCredentials(parameters: Record<string, unknown>): string[] {
	const n = nodeWith(parameters);
	const resolved = NodeHelpers.getNodeParameters(description.properties, n.parameters, true, false, n, description) ?? {};
	return (description.credentials ?? []).filter((c) => NodeHelpers.displayParameter(resolved, c, n, description)).map((c) => c.name);
}

function operations(resource: string): INodePropertyOptions[] {
	const prop = description.properties.find((p) => p.name === 'operation' && p.displayOptions?.show?.resource?.includes(resource));
	return (prop?.options ?? []) as INodePropertyOptions[];
}

function allProperties(props: INodeProperties[] = description.properties): INodeProperties[] {
	return props.flatMap((p) => [p, ...allProperties(((p.options ?? []) as INodeProperties[]).filter((o) => 'type' in o))]);
}

describe('Veeam node description', () => {
	it('is an action node usable as an AI tool, with its icon and one input and output', () => {
		expect(description).toMatchObject({ name: 'veeam', displayName: 'Veeam', version: 1, usableAsTool: { replacements: expect.any(Object) }, icon: { light: 'file:veeam.svg', dark: 'file:veeam.dark.svg' } });
		for (const icon of ['veeam.svg', 'veeam.dark.svg']) expect(existsSync(join(root, 'nodes/Veeam', icon))).toBe(true);
		expect(description.inputs).toEqual(['main']);
		expect(description.outputs).toEqual(['main']);
		expect(description.polling).toBeUndefined();
	});

	it('shows the credential of the chosen product only', () => {
		expect(shownCredentials({})).toEqual(['veeamBackupReplicationApi']);
		expect(shownCredentials({ product: 'vbr' })).toEqual(['veeamBackupReplicationApi']);
		expect(shownCredentials({ product: 'vbgc' })).toEqual(['veeamBackupGoogleCloudApi']);
		expect(shownCredentials({ product: 'aws' })).toEqual(['veeamBackupAwsApi']);
		expect(shownCredentials({ product: 'azure' })).toEqual(['veeamBackupAzureApi']);
		expect(shownCredentials({ product: 'vspc' })).toEqual(['veeamServiceProviderConsoleApi']);
		expect(shownCredentials({ product: 'vb365' })).toEqual(['veeamBackupMicrosoft365Api']);
		// The six credential types exist in this package.
		expect(
			[new VeeamBackupReplicationApi(), new VeeamBackupGoogleCloudApi(), new VeeamBackupAwsApi(), new VeeamBackupAzureApi(), new VeeamServiceProviderConsoleApi(), new VeeamBackupMicrosoft365Api()].map(
				(c) => c.name,
			),
		).toEqual(
			description.credentials?.map((c) => c.name),
		);
	});

	it('offers every operation with an action and a description for AI tool use', () => {
		expect(operations('user').map((o) => o.value).sort()).toEqual(
			['accessReport', 'changePassword', 'get', 'getMany', 'offboard', 'onboard', 'promote', 'requireMfa', 'resetMfa', 'setServiceAccountMode', 'stopRequiringMfa', 'sync'].sort(),
		);
		expect(operations('role').map((o) => o.value).sort()).toEqual(['clone', 'create', 'delete', 'get', 'getMany', 'update']);
		expect(operations('mfa').map((o) => o.value).sort()).toEqual(['accept', 'disable', 'enable', 'recreate']);
		expect(operations('backupAccess').map((o) => o.value).sort()).toEqual(['changeOwner', 'get', 'getMany', 'setEffectiveAccess']);
		for (const op of [...operations('user'), ...operations('role'), ...operations('mfa'), ...operations('backupAccess')]) {
			expect(op.action).toMatch(/^[A-Z]/);
			expect(String(op.description).length).toBeGreaterThan(30);
			// What an operation outputs is in the README's table, not raw field names in a tooltip.
			expect(op.description).not.toMatch(/[a-z][A-Z][a-z]+: (true|false)|"[a-z]+[A-Z]\w*"/);
		}
	});

	/**
	 * n8n's node creator, as its editor builds the action list (n8n 2.40.7 and 1.123.81, editor-ui
	 * `workflows.store`): for each `resource` property, for each of its options, the first
	 * `operation` property whose display options name that resource; each option of it an action.
	 */
	it('gives n8n\'s node creator every action exactly once', () => {
		const props = description.properties;
		const actions: string[] = [];
		for (const resource of props.filter((p) => p.name === 'resource')) {
			for (const option of (resource.options ?? []) as INodePropertyOptions[]) {
				const operation = props.find((p) => p.name === 'operation' && (p.displayOptions?.show?.resource as unknown[] | undefined)?.includes(option.value));
				for (const op of (operation?.options ?? []) as INodePropertyOptions[]) actions.push(`${option.value}:${String(op.value)}`);
			}
		}
		expect(actions.length).toBe(new Set(actions).size);
		expect(actions.sort()).toEqual(
			[
				'authorizationEvent:get',
				'authorizationEvent:getMany',
				...['changeOwner', 'get', 'getMany', 'setEffectiveAccess'].map((o) => `backupAccess:${o}`),
				...['accept', 'disable', 'enable', 'recreate'].map((o) => `mfa:${o}`),
				...['clone', 'create', 'delete', 'get', 'getMany', 'update'].map((o) => `role:${o}`),
				...['accessReport', 'get', 'getMany', 'grant', 'offboard', 'revoke', 'sync'].map((o) => `restoreOperator:${o}`),
				...['accessReport', 'changePassword', 'get', 'getMany', 'offboard', 'onboard', 'promote', 'requireMfa', 'resetMfa', 'setServiceAccountMode', 'stopRequiringMfa', 'sync'].map((o) => `user:${o}`),
			].sort(),
		);
		expect(props.filter((p) => p.name === 'resource')).toHaveLength(1);
	});

	it('shows the action under the node on the canvas ("Get many users", not "getMany: user")', () => {
		const subtitle = (parameters: Record<string, unknown>) => {
			const n = nodeWith({ product: 'vbr', ...parameters });
			const workflow = new Workflow({ nodes: [n], connections: {}, active: false, nodeTypes: { getByName: () => node, getByNameAndVersion: () => node, getKnownTypes: () => ({}) } });
			return workflow.expression.getSimpleParameterValue(n, description.subtitle as string, 'internal', {});
		};
		expect(subtitle({ resource: 'user', operation: 'getMany' })).toBe('Get many users');
		expect(subtitle({ resource: 'mfa', operation: 'enable' })).toBe('Enable MFA for a user');
		expect(subtitle({ resource: 'role', operation: 'get' })).toBe('Get a role');
	});

	it('refers only to list-search and load-options methods the node has', () => {
		const searchMethods = allProperties()
			.flatMap((p) => p.modes ?? [])
			.map((m) => m.typeOptions?.searchListMethod)
			.filter(Boolean);
		const loadMethods = allProperties()
			.map((p) => p.typeOptions?.loadOptionsMethod)
			.filter(Boolean);
		expect(new Set(searchMethods)).toEqual(new Set(['searchUsers', 'searchRoles', 'searchVb365Organizations', 'searchVb365Roles']));
		expect(new Set(loadMethods)).toEqual(new Set(['getRoles', 'getVb365Roles']));
		for (const m of searchMethods) expect(typeof node.methods.listSearch[m as keyof typeof node.methods.listSearch]).toBe('function');
		for (const m of loadMethods) expect(typeof node.methods.loadOptions[m as keyof typeof node.methods.loadOptions]).toBe('function');
	});

	it('shows each operation its own fields only', () => {
		const shown = (parameters: Record<string, unknown>) => {
			const n = nodeWith(parameters);
			const resolved = NodeHelpers.getNodeParameters(description.properties, n.parameters, true, false, n, description) ?? {};
			return Object.keys(resolved).sort();
		};
		expect(shown({ resource: 'user', operation: 'onboard' })).toEqual(
			['ifExists', 'isServiceAccount', 'operation', 'options', 'product', 'resource', 'roles', 'userName', 'userType'].sort(),
		);
		expect(shown({ resource: 'user', operation: 'offboard' })).toEqual(['ifNotFound', 'operation', 'options', 'product', 'resource', 'user']);
		expect(shown({ resource: 'user', operation: 'getMany' })).toEqual(['filters', 'limit', 'operation', 'product', 'resource', 'returnAll']);
		expect(shown({ resource: 'user', operation: 'getMany', returnAll: true })).toEqual(['filters', 'operation', 'product', 'resource', 'returnAll']);
		// The VBR-only fields of Onboard are hidden for another product.
		expect(shown({ product: 'vbgc', resource: 'user', operation: 'onboard' })).not.toContain('userType');
	});

	it('shows each product its own form of user name on Onboard (DOMAIN\\name, or a portal account name)', () => {
		const visible = (product: string) =>
			description.properties.filter((p) => p.name === 'userName' && NodeHelpers.displayParameter({ product, resource: 'user', operation: 'onboard' }, p, nodeWith({ product }), description));
		expect(visible('vbr').map((p) => p.placeholder)).toEqual(['e.g. TECH\\jane.doe']);
		expect(visible('vbgc').map((p) => p.placeholder)).toEqual(['e.g. jane_doe']);
		// Veeam's 7.0 user guide, "Account Info" (helpcenter.veeam.com/docs/vbgc/guide/backup_admin_name.html).
		expect(visible('vbgc')[0].description).toContain('up to 32 lowercase Latin letters, digits, _ and -');
		expect(visible('vbgc')[0].description).not.toMatch(/DOMAIN/);
	});

	it('shows each product only the resources, operations and Onboard fields it has', () => {
		const shownOptions = (name: string, parameters: Record<string, unknown>) => {
			const n = nodeWith(parameters);
			const resolved = NodeHelpers.getNodeParameters(description.properties, n.parameters, true, false, n, description) ?? {};
			const prop = description.properties.find((p) => p.name === name && NodeHelpers.displayParameter(resolved, p, n, description));
			return ((prop?.options ?? []) as INodePropertyOptions[])
				.filter((o) => !o.displayOptions || NodeHelpers.displayParameter(resolved, o as unknown as INodeProperties, n, description))
				.map((o) => o.value)
				.sort();
		};
		const fields = (parameters: Record<string, unknown>) => {
			const n = nodeWith(parameters);
			return Object.keys(NodeHelpers.getNodeParameters(description.properties, n.parameters, true, false, n, description) ?? {}).sort();
		};
		expect(shownOptions('resource', { product: 'vbr' })).toEqual(['authorizationEvent', 'backupAccess', 'role', 'user']);
		expect(shownOptions('resource', { product: 'vbgc' })).toEqual(['mfa', 'role', 'user']);
		expect(shownOptions('resource', { product: 'aws' })).toEqual(['mfa', 'role', 'user']);
		expect(shownOptions('resource', { product: 'azure' })).toEqual(['mfa', 'role', 'user']);
		const common = ['accessReport', 'get', 'getMany', 'offboard', 'onboard', 'promote', 'sync'];
		expect(shownOptions('operation', { product: 'vbr', resource: 'user' })).toEqual([...common, 'resetMfa', 'setServiceAccountMode'].sort());
		for (const product of ['vbgc', 'aws', 'azure']) {
			expect(shownOptions('operation', { product, resource: 'user' })).toEqual([...common, 'changePassword'].sort());
		}
		expect(fields({ product: 'aws', resource: 'user', operation: 'onboard' })).toEqual(
			['description', 'ifExists', 'operation', 'options', 'password', 'product', 'resource', 'roles', 'userName', 'userType'].sort(),
		);
		// An AWS identity-provider (SSO) user has no password.
		expect(fields({ product: 'aws', resource: 'user', operation: 'onboard', userType: 'External' })).toEqual(
			['description', 'ifExists', 'operation', 'options', 'product', 'resource', 'roles', 'userName', 'userType'].sort(),
		);
		expect(fields({ product: 'azure', resource: 'user', operation: 'onboard' })).toEqual(
			['description', 'ifExists', 'operation', 'options', 'password', 'product', 'resource', 'roles', 'userName', 'userType'].sort(),
		);
		// An Entra ID user gets the object ID of the account instead of a password.
		expect(fields({ product: 'azure', resource: 'user', operation: 'onboard', userType: 'IdentityProvider' })).toEqual(
			['description', 'identityProviderEntityId', 'ifExists', 'operation', 'options', 'product', 'resource', 'roles', 'userName', 'userType'].sort(),
		);
		// Azure sets a new password without the current one.
		expect(fields({ product: 'azure', resource: 'user', operation: 'changePassword' })).not.toContain('oldPassword');
		expect(fields({ product: 'aws', resource: 'user', operation: 'changePassword' })).toContain('oldPassword');
	});

	it('offers the Domain scope of Sync only where the product has domain accounts', () => {
		const scopes = (product: string) => {
			const n = nodeWith({ product, resource: 'user', operation: 'sync' });
			const resolved = NodeHelpers.getNodeParameters(description.properties, n.parameters, true, false, n, description) ?? {};
			const shown = description.properties.filter((p) => p.name === 'scope' && NodeHelpers.displayParameter(resolved, p, n, description));
			expect(shown).toHaveLength(1);
			return (shown[0].options as INodePropertyOptions[]).map((o) => o.value).sort();
		};
		expect(scopes('vbr')).toEqual(['all', 'allExcept', 'domain', 'namePattern', 'roles']);
		for (const product of ['vbgc', 'aws', 'azure']) expect(scopes(product)).toEqual(['all', 'allExcept', 'namePattern', 'roles']);
	});

	it('has a codex with categories and Veeam’s REST reference, and is listed in package.json', () => {
		const codex = JSON.parse(readFileSync(join(root, 'nodes/Veeam/Veeam.node.json'), 'utf8'));
		const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
		expect(codex.node).toBe(`${pkg.name}.${description.name}`);
		expect(codex.categories).toEqual(expect.arrayContaining(['Development']));
		expect(codex.resources.primaryDocumentation[0].url).toMatch(/^https:\/\/helpcenter\.veeam\.com\/references\/vbr\//);
		expect(pkg.n8n.nodes).toContain('dist/nodes/Veeam/Veeam.node.js');
	});
});
