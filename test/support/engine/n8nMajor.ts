/**
 * The few places where n8n 1.x and 2.x differ for the harness. The same test files run on both in
 * one `npm test`: the jest project "n8n 2.x" on n8n-core 2.40 / n8n-workflow 2.40, "n8n 1.x" on
 * n8n-core 1.122 / n8n-workflow 1.120 (jest.projects.js maps every import of them to that tree).
 * Everything else in the harness is the same code on both.
 *
 * - `WorkflowExecute.run` takes one options object on 2.x, positional arguments on 1.x.
 * - A scheduled poll: 2.x's `PollTriggerExecutor`, 1.x's `TriggersAndPollers.runPoll` wrapped as
 *   1.x's `ActiveWorkflows.activatePolling` wraps it (emit a non-null answer, report a throw).
 * - The credential's own domain allowlist (`getCredentialOwnRequestAllowedDomains`) exists on 2.x only.
 */
import { Container } from '@n8n/di';
import * as core from 'n8n-core';
import * as workflowModule from 'n8n-workflow';
import type {
	ICredentialDataDecryptedObject,
	IHttpRequestOptions,
	INode,
	IPollFunctions,
	IRun,
	Workflow,
	WorkflowExecuteMode,
} from 'n8n-workflow';

const workflowPackage = require('n8n-workflow/package.json') as { version: string };

/** The major version of the n8n-workflow the tests run on (1 or 2). */
export const N8N_MAJOR = Number(workflowPackage.version.split('.')[0]);
export const N8N_WORKFLOW_VERSION = workflowPackage.version;

export interface ExecutionStart {
	workflow: Workflow;
	startNode?: INode;
	triggerToStartFrom?: { name: string; data?: unknown };
}

/** `new WorkflowExecute(additionalData, mode).run(…)` in the form this major takes. */
export async function runExecution(
	additionalData: ConstructorParameters<typeof core.WorkflowExecute>[0],
	mode: WorkflowExecuteMode,
	start: ExecutionStart,
): Promise<IRun> {
	const execute = new core.WorkflowExecute(additionalData, mode) as unknown as {
		run: (...args: unknown[]) => Promise<IRun>;
	};
	if (N8N_MAJOR >= 2) return await execute.run(start);
	return await execute.run(start.workflow, start.startNode, undefined, undefined, start.triggerToStartFrom);
}

/** One scheduled (not testing) poll, as n8n's poll scheduler runs it. */
export async function runScheduledPoll(workflow: Workflow, node: INode, context: IPollFunctions): Promise<void> {
	if (N8N_MAJOR >= 2) {
		const executor = Container.get(core.PollTriggerExecutor);
		await executor.create(workflow, node, context, () => true)(false);
		return;
	}
	const { TriggersAndPollers } = require('n8n-core/dist/execution-engine/triggers-and-pollers') as {
		TriggersAndPollers: new () => { runPoll: (w: Workflow, n: INode, f: IPollFunctions) => Promise<unknown> };
	};
	const pollers = Container.get(TriggersAndPollers);
	try {
		const response = await pollers.runPoll(workflow, node, context);
		if (response !== null) context.__emit(response as Parameters<IPollFunctions['__emit']>[0]);
	} catch (error) {
		context.__emitError(error as Error);
	}
}

/** The domains a credential restricts its own requests to (2.x), or undefined. */
export function credentialOwnAllowedDomains(credentials: ICredentialDataDecryptedObject): string | undefined {
	const fn = (workflowModule as { getCredentialOwnRequestAllowedDomains?: (c: ICredentialDataDecryptedObject) => string | undefined })
		.getCredentialOwnRequestAllowedDomains;
	return fn?.(credentials);
}

/** n8n's plain HTTP helper (what a credential's preAuthentication gets as `this.helpers.httpRequest`). */
export async function n8nHttpRequest(options: IHttpRequestOptions): Promise<unknown> {
	if (N8N_MAJOR >= 2) {
		const { OutboundHttp } = require('@n8n/backend-network') as typeof import('@n8n/backend-network');
		return await Container.get(OutboundHttp).requests().request(options);
	}
	const helpers = require('n8n-core/dist/execution-engine/node-execution-context/utils/request-helper-functions') as {
		httpRequest: (o: IHttpRequestOptions) => Promise<unknown>;
	};
	return await helpers.httpRequest(options);
}

/**
 * Credential fields that make n8n trust a server's certificate (`caPem`, the simulator's CA): the
 * CA itself on n8n 2.x; on 1.x, which has no per-request CA, Skip Certificate Validation (what the
 * README tells n8n 1.x users, beside NODE_EXTRA_CA_CERTS).
 */
export function trustFields(caPem: string): { caCertificate: string; skipTlsVerification: boolean } {
	return N8N_MAJOR >= 2 ? { caCertificate: caPem, skipTlsVerification: false } : { caCertificate: '', skipTlsVerification: true };
}
