import {
	NodeApiError,
	NodeOperationError,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
} from 'n8n-workflow';

import { createDirectory } from '../../../client/adapters';
import { checkCredential } from '../helpers/credential';
import { ItemErrors } from '../helpers/input';
import { runItemOperation } from './runItems';
import type { OperationMap, VeeamBatchOperation, VeeamOperation, VeeamResource, VeeamType } from './node.type';
import * as authorizationEvent from './authorizationEvent/AuthorizationEvent.resource';
import * as backupAccess from './backupAccess/BackupAccess.resource';
import * as mfa from './mfa/Mfa.resource';
import * as restoreOperator from './restoreOperator/RestoreOperator.resource';
import * as role from './role/Role.resource';
import * as user from './user/User.resource';
import { properties } from './properties';

const resources: { [R in VeeamResource]: OperationMap<R> } = {
	user: {
		onboard: user.onboard,
		promote: user.promote,
		offboard: user.offboard,
		get: user.get,
		getMany: user.getMany,
		resetMfa: user.resetMfa,
		requireMfa: user.requireMfa,
		stopRequiringMfa: user.stopRequiringMfa,
		setServiceAccountMode: user.setServiceAccountMode,
		changePassword: user.changePassword,
		sync: user.sync,
		accessReport: user.accessReport,
	},
	mfa: {
		enable: mfa.enable,
		accept: mfa.accept,
		disable: mfa.disable,
		recreate: mfa.recreate,
	},
	role: {
		create: role.create,
		update: role.update,
		clone: role.clone,
		delete: role.delete,
		get: role.get,
		getMany: role.getMany,
	},
	authorizationEvent: {
		get: authorizationEvent.get,
		getMany: authorizationEvent.getMany,
	},
	backupAccess: {
		get: backupAccess.get,
		getMany: backupAccess.getMany,
		changeOwner: backupAccess.changeOwner,
		setEffectiveAccess: backupAccess.setEffectiveAccess,
	},
	restoreOperator: {
		grant: restoreOperator.grant,
		revoke: restoreOperator.revoke,
		offboard: restoreOperator.offboard,
		get: restoreOperator.get,
		getMany: restoreOperator.getMany,
		sync: restoreOperator.sync,
		accessReport: restoreOperator.accessReport,
	},
};

/**
 * Veeam Backup for Microsoft 365 has its own resources: Restore Operator (there only), and Role with
 * its own operations (restore operator roles: role.vb365); its REST manages no users of its own.
 */
const VB365_RESOURCES: Partial<Record<VeeamResource, Record<string, VeeamOperation | VeeamBatchOperation>>> = {
	restoreOperator: resources.restoreOperator,
	role: role.vb365,
};

/**
 * n8n adds a "Custom API Call" option to Resource and Operation of every node whose credential
 * authenticates requests, and its editor then points to the HTTP Request node; the node itself has
 * no such action.
 */
const CUSTOM_API_CALL = '__CUSTOM_API_CALL__';

function lookupOperation(ctx: IExecuteFunctions, resource: string, operation: string, product: unknown): VeeamOperation | VeeamBatchOperation {
	if (resource === CUSTOM_API_CALL || operation === CUSTOM_API_CALL) {
		throw new NodeOperationError(ctx.getNode(), 'Custom API Call is made with an HTTP Request node, not with this node', {
			description:
				'Add an HTTP Request node, set Authentication to "Predefined Credential Type" and choose this Veeam credential: it logs in and adds the token and x-api-version to the request.',
		});
	}
	const vb365 = product === 'vb365';
	if (vb365 && !Object.prototype.hasOwnProperty.call(VB365_RESOURCES, resource) && Object.prototype.hasOwnProperty.call(resources, resource)) {
		throw new NodeOperationError(ctx.getNode(), `The resource "${resource}" is not available on Veeam Backup for Microsoft 365`, {
			description: 'Its REST API manages restore operator roles: choose Resource "Restore Operator" or "Role".',
		});
	}
	if (!vb365 && resource === 'restoreOperator') {
		throw new NodeOperationError(ctx.getNode(), 'The resource "restoreOperator" is available on Veeam Backup for Microsoft 365 only', {
			description: 'Set Product to Veeam Backup for Microsoft 365, or choose another resource.',
		});
	}
	const table = vb365 ? VB365_RESOURCES : resources;
	const operations = Object.prototype.hasOwnProperty.call(table, resource) ? (table[resource as VeeamResource] as Record<string, VeeamOperation | VeeamBatchOperation>) : undefined;
	if (!operations) throw new NodeOperationError(ctx.getNode(), `The resource "${resource}" is not supported`);
	if (!Object.prototype.hasOwnProperty.call(operations, operation)) {
		throw new NodeOperationError(ctx.getNode(), `The operation "${operation}" is not supported for resource "${resource}"`);
	}
	return operations[operation];
}

/** Parameters that may hold a secret typed into the node (passwords, MFA setup token). */
const SECRET_PARAMETERS = new Set(properties.filter((p) => p.typeOptions?.password).map((p) => p.name));

/**
 * n8n stores a node error with the node it names, parameters included, in the execution data
 * (and hands it to error workflows). A password typed into the node must not travel with it.
 */
function redacted<E extends NodeApiError | NodeOperationError>(error: E): E {
	const node = error.node as INode | undefined;
	if (!node?.parameters || !Object.keys(node.parameters).some((name) => SECRET_PARAMETERS.has(name))) return error;
	const parameters = Object.fromEntries(
		Object.entries(node.parameters).map(([name, value]) => [name, SECRET_PARAMETERS.has(name) ? '[redacted]' : value]),
	);
	(error as { node: INode }).node = { ...node, parameters };
	return error;
}

/** The error, with the item it belongs to (n8n shows it, and continue-on-fail pairs it). */
function forItem(ctx: IExecuteFunctions, error: unknown, i?: number): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (i !== undefined) error.context.itemIndex ??= i;
		return redacted(error);
	}
	const message = error instanceof Error ? error.message : String(error);
	return redacted(new NodeOperationError(ctx.getNode(), message, i === undefined ? {} : { itemIndex: i }));
}

/**
 * Runs one operation over all input items with one user directory (one login, one role lookup).
 * First every item's parameters are read and checked; a bad item fails before anything is
 * changed on the server. Then each item is carried out. With "Continue On Fail" a failing item
 * becomes an error item paired with its input and the others go on.
 */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	try {
		return await runItems.call(this);
	} catch (error) {
		throw forItem(this, error);
	}
}

async function runItems(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	// With Resource "Custom API Call" there is no Operation parameter.
	const operation = resource === CUSTOM_API_CALL ? CUSTOM_API_CALL : (this.getNodeParameter('operation', 0) as string);
	const veeamNodeData = { resource, operation } as VeeamType;
	const product = this.getNodeParameter('product', 0);
	const op = lookupOperation(this, veeamNodeData.resource, veeamNodeData.operation, product);
	const directory = createDirectory(this, product);
	await checkCredential(this, directory.product);
	const continueOnFail = this.continueOnFail();
	if ('batch' in op) return [await runBatch.call(this, op, directory, items.length, continueOnFail)];

	return [await runItemOperation.call(this, op, directory, items.length, continueOnFail, (error, i) => forItem(this, error, i))];
}

/**
 * An operation over the whole input. Bad items (found while reading the parameters, or while
 * planning before any change) fail it as a whole: a sync without some of its items would remove
 * those users. With "Continue On Fail" each bad item becomes an error item and nothing else runs;
 * any other failure becomes one error item paired with every input item.
 */
async function runBatch(
	this: IExecuteFunctions,
	op: VeeamBatchOperation,
	directory: ReturnType<typeof createDirectory>,
	itemCount: number,
	continueOnFail: boolean,
): Promise<INodeExecutionData[]> {
	try {
		const params = await op.prepare.call(this, itemCount, directory);
		return await op.execute.call(this, params, directory, itemCount);
	} catch (error) {
		if (error instanceof ItemErrors) {
			const failures = error.errors.map(({ item, error: e }) => ({ item, failure: forItem(this, e, item) }));
			if (continueOnFail) return failures.map(({ item, failure }) => ({ json: { error: failure.message }, pairedItem: { item } }));
			const [first, ...others] = failures;
			if (others.length) {
				const more = `${others.length} more item${others.length > 1 ? 's have' : ' has'} problems: ${others.map((o) => o.failure.message).join('; ')}`;
				first.failure.description = first.failure.description ? `${first.failure.description} ${more}` : more;
			}
			throw first.failure;
		}
		const failure = forItem(this, error);
		if (!continueOnFail) throw failure;
		return [{ json: { error: failure.message }, pairedItem: Array.from({ length: itemCount }, (_, item) => ({ item })) }];
	}
}
