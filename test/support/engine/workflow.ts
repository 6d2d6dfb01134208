/** One run of a workflow through n8n-core's `WorkflowExecute`, with plain `additionalData`. */
import { ExecutionLifecycleHooks, ExternalSecretsProxy, normalizeItems } from 'n8n-core';
import { NodeConnectionTypes, UnexpectedError, UserError, Workflow } from 'n8n-workflow';
import type {
	IConnections,
	ICredentialsHelper,
	IDataObject,
	INode,
	INodeExecutionData,
	IRun,
	IRunData,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { TestCredentialsHelper } from './credentials';
import { runExecution } from './n8nMajor';
import { NodeTypes, START_NODE_NAME, START_NODE_TYPE } from './registries';
import { clone } from './util';

// ---------------------------------------------------------------------------------------------
// additionalData
// ---------------------------------------------------------------------------------------------
export interface AdditionalDataOptions {
	credentialsHelper: ICredentialsHelper;
	mode: WorkflowExecuteMode;
	workflowData: IWorkflowBase;
	executionId?: string;
	userId?: string;
}

const notAvailable = (what: string) => () => {
	throw new UnexpectedError(`${what} is not available in the engine test harness`);
};

/**
 * A plain `IWorkflowExecuteAdditionalData` (n8n's CLI builds it in
 * `WorkflowExecuteAdditionalData.getBase`), with n8n-core's `ExecutionLifecycleHooks`.
 */
export function createAdditionalData(options: AdditionalDataOptions): IWorkflowExecuteAdditionalData {
	const executionId = options.executionId ?? String(++executionCounter);
	const base = 'http://127.0.0.1:5678';
	return {
		credentialsHelper: options.credentialsHelper,
		hooks: new ExecutionLifecycleHooks(options.mode, executionId, options.workflowData),
		externalSecretsProxy: new ExternalSecretsProxy(),
		executionId,
		userId: options.userId ?? 'test-user',
		workflowId: options.workflowData.id,
		restApiUrl: `${base}/rest`,
		instanceBaseUrl: base,
		webhookBaseUrl: `${base}/webhook`,
		webhookWaitingBaseUrl: `${base}/webhook-waiting`,
		webhookTestBaseUrl: `${base}/webhook-test`,
		formBaseUrl: `${base}/form`,
		formWaitingBaseUrl: `${base}/form-waiting`,
		formTestBaseUrl: `${base}/form-test`,
		mcpBaseUrl: `${base}/mcp`,
		mcpTestBaseUrl: `${base}/mcp-test`,
		currentNodeParameters: undefined,
		currentNodeExecutionIndex: 0,
		variables: {},
		executeWorkflow: notAvailable('executeWorkflow'),
		getRunExecutionData: async () => undefined,
		getRuntimeCredential: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: notAvailable('startRunnerTask'),
	} as IWorkflowExecuteAdditionalData;
}

let executionCounter = 0;

export function workflowData(workflow: Workflow, nodes: INode[], connections: IConnections): IWorkflowBase {
	const now = new Date();
	return {
		id: workflow.id,
		name: workflow.name ?? 'Engine test',
		active: workflow.active,
		isArchived: false,
		createdAt: now,
		updatedAt: now,
		nodes,
		connections,
		settings: workflow.settings,
		activeVersionId: null,
	};
}

// ---------------------------------------------------------------------------------------------
// Nodes
// ---------------------------------------------------------------------------------------------

/** A workflow node as a test writes it: `id`, `typeVersion`, `position`, `parameters` optional. */
export type NodeInput = Omit<INode, 'id' | 'typeVersion' | 'position' | 'parameters'> &
	Partial<Pick<INode, 'id' | 'typeVersion' | 'position' | 'parameters'>>;

export function toNode(input: NodeInput, nodeTypes: NodeTypes, index: number): INode {
	return {
		...input,
		id: input.id ?? `node-${index}`,
		typeVersion: input.typeVersion ?? nodeTypes.defaultVersion(input.type),
		position: input.position ?? [200 * (index + 1), 0],
		parameters: input.parameters ?? {},
	};
}

/** Output items of a node's last run: `[outputIndex][itemIndex]` (an empty array for no data). */
function lastOutputs(runData: IRunData): Record<string, INodeExecutionData[][]> {
	const outputs: Record<string, INodeExecutionData[][]> = {};
	for (const [name, runs] of Object.entries(runData)) {
		const main = runs[runs.length - 1]?.data?.main ?? [];
		outputs[name] = main.map((items) => items ?? []);
	}
	return outputs;
}

// ---------------------------------------------------------------------------------------------
// runWorkflow
// ---------------------------------------------------------------------------------------------

export interface RunWorkflowOptions {
	/** The nodes under test; the harness adds a start node named `START_NODE_NAME` before them. */
	nodes: NodeInput[];
	/**
	 * Defaults to a chain: Start → nodes[0] → nodes[1] → … If given without a `Start` entry,
	 * Start is connected to nodes[0].
	 */
	connections?: IConnections;
	/** Items the start node emits (plain objects are wrapped as `{ json }`). Default: one `{}`. */
	input?: Array<INodeExecutionData | IDataObject>;
	credentials?: TestCredentialsHelper;
	nodeTypes: NodeTypes;
	/** The workflow's static data as stored ("the database"); not modified. */
	staticData?: IDataObject;
	settings?: IWorkflowSettings;
	mode?: WorkflowExecuteMode;
}

export interface RunWorkflowResult {
	/** Each executed node's output of its last run: `outputs[name][outputIndex][itemIndex]`. */
	outputs: Record<string, INodeExecutionData[][]>;
	/** The execution's error (a node's error, unless that node continues on fail). */
	error?: IRun['data']['resultData']['error'];
	runData: IRunData;
	run: IRun;
	/** The workflow's static data after the run (n8n does not save it after manual runs). */
	staticData: IDataObject;
}

/**
 * Runs the nodes once through n8n-core's `WorkflowExecute` (manual mode unless `mode` says
 * otherwise), started from a pass-through start node carrying `input`.
 */
export async function runWorkflow(options: RunWorkflowOptions): Promise<RunWorkflowResult> {
	const { nodeTypes } = options;
	const mode = options.mode ?? 'manual';
	const start: INode = {
		id: 'start',
		name: START_NODE_NAME,
		type: START_NODE_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const nodes = options.nodes.map((node, index) => toNode(node, nodeTypes, index));
	if (nodes.some((node) => node.name === START_NODE_NAME)) {
		throw new UserError(`"${START_NODE_NAME}" is the harness's start node; name the node differently`);
	}
	const connections: IConnections = { ...(options.connections ?? chain([start, ...nodes])) };
	if (!connections[START_NODE_NAME] && nodes.length > 0) {
		connections[START_NODE_NAME] = {
			main: [[{ node: nodes[0].name, type: NodeConnectionTypes.Main, index: 0 }]],
		};
	}

	const workflow = new Workflow({
		id: 'engine-test-workflow',
		name: 'Engine test',
		nodes: [start, ...nodes],
		connections,
		active: false,
		nodeTypes,
		staticData: clone(options.staticData ?? {}),
		settings: { executionOrder: 'v1', ...options.settings },
	});
	const additionalData = createAdditionalData({
		credentialsHelper: options.credentials ?? new TestCredentialsHelper([]),
		mode,
		workflowData: workflowData(workflow, [start, ...nodes], connections),
	});
	// n8n-core's own normalisation of node output (plain objects → `{ json }`).
	const items = normalizeItems((options.input ?? [{ json: {} }]) as INodeExecutionData[]);

	const run = await runExecution(additionalData, mode, {
		workflow,
		startNode: start,
		triggerToStartFrom: {
			name: START_NODE_NAME,
			data: {
				startTime: Date.now(),
				executionTime: 0,
				executionIndex: 0,
				source: [],
				data: { main: [items] },
			},
		},
	});
	const runData = run.data.resultData.runData;
	return {
		outputs: lastOutputs(runData),
		error: run.data.resultData.error,
		runData,
		run,
		staticData: clone(workflow.staticData),
	};
}

function chain(nodes: INode[]): IConnections {
	const connections: IConnections = {};
	for (let i = 0; i + 1 < nodes.length; i++) {
		connections[nodes[i].name] = {
			main: [[{ node: nodes[i + 1].name, type: NodeConnectionTypes.Main, index: 0 }]],
		};
	}
	return connections;
}
