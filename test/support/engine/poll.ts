/** Polling triggers through n8n-core: scheduled polls (trigger mode) and "Fetch test event" (manual). */
import { PollContext } from 'n8n-core';
import { Workflow } from 'n8n-workflow';
import type { IDataObject, INode, INodeExecutionData, IWorkflowExecuteAdditionalData, WorkflowActivateMode, WorkflowExecuteMode } from 'n8n-workflow';

import { TestCredentialsHelper } from './credentials';
import { runExecution, runScheduledPoll } from './n8nMajor';
import { NodeTypes, type AnyNodeType } from './registries';
import { clone } from './util';
import { createAdditionalData, toNode, workflowData, type NodeInput } from './workflow';

/**
 * When static data is written back to "the database" after a trigger-mode poll:
 * - `onEmit` (n8n): the CLI's `__emit` saves it, and only if it changed (`__dataChanged`);
 *   a poll returning `null` saves nothing, a poll that throws saves nothing.
 * - `always`: after every poll, changed or not.
 * - `never`: not at all.
 * Manual polls never save (n8n does not save static data after manual executions).
 */
export type SaveStaticData = 'onEmit' | 'always' | 'never';

export interface PollOptions {
	/** The polling trigger node (its `credentials` via `TestCredentialsHelper.ref(id)`). */
	node: NodeInput;
	/** The node class instance; registered under `node.type`. Or pass `nodeTypes`. */
	nodeType?: AnyNodeType;
	nodeTypes?: NodeTypes;
	credentials?: TestCredentialsHelper;
	/** The workflow's stored static data, e.g. `{ 'node:My Trigger': {...} }`; not modified. */
	staticData?: IDataObject;
	/** How the workflow was activated (what `getActivationMode()` returns). Default `activate`. */
	activation?: WorkflowActivateMode;
	saveStaticData?: SaveStaticData;
	/**
	 * Each poll's result carries copies of the static data, made as the poll ends (default), for
	 * tests to read. `false` (a benchmark times a poll as n8n runs it, which makes none): made when
	 * read, `staticData` from what this poll saved, `workflowStaticData` and `nodeStaticData` from
	 * the workflow's static data as it is then (a later poll's, if one ran since).
	 */
	resultCopies?: boolean;
}

export interface PollResult {
	/** What `poll()` returned (`null`: nothing new), or null when it threw. */
	response: INodeExecutionData[][] | null;
	/** What `poll()` threw (trigger mode: what n8n passes to `__emitError`). */
	error?: Error;
	/** The stored static data after this poll: pass it to the next `runPoll`. */
	staticData: IDataObject;
	/** Whether this poll wrote static data back. */
	saved: boolean;
	/** The workflow's static data in memory after the poll, saved or not. */
	workflowStaticData: IDataObject;
	/** This node's part of `workflowStaticData` (`getWorkflowStaticData('node')`). */
	nodeStaticData: IDataObject;
}

/**
 * One activated workflow with a polling trigger, as n8n keeps it: the `Workflow` object (and
 * its in-memory static data) lives across polls; what is saved survives `restart()`.
 */
export class PollActivation {
	readonly node: INode;
	readonly nodeTypes: NodeTypes;
	readonly credentials: TestCredentialsHelper;
	/** The static data as stored in "the database": its JSON text, as n8n writes it (one `JSON.stringify`). */
	private savedText: string;
	workflow: Workflow;
	private readonly activation: WorkflowActivateMode;
	private readonly saveMode: SaveStaticData;
	private readonly resultCopies: boolean;

	/** The static data as stored in "the database" (a copy at each read). */
	get savedStaticData(): IDataObject {
		return JSON.parse(this.savedText) as IDataObject;
	}

	constructor(options: PollOptions) {
		this.nodeTypes = options.nodeTypes ?? new NodeTypes();
		if (options.nodeType) this.nodeTypes.register(options.node.type, options.nodeType);
		this.node = toNode(options.node, this.nodeTypes, 0);
		this.credentials = options.credentials ?? new TestCredentialsHelper([]);
		this.savedText = JSON.stringify(options.staticData ?? {});
		this.activation = options.activation ?? 'activate';
		this.saveMode = options.saveStaticData ?? 'onEmit';
		this.resultCopies = options.resultCopies ?? true;
		this.workflow = this.loadWorkflow();
	}

	/** Re-activation or restart: a new `Workflow` from the saved static data (unsaved changes are lost). */
	restart(): void {
		this.workflow = this.loadWorkflow();
	}

	/** One scheduled poll, as a cron tick runs it (n8n-core's poll executor for this major). */
	async poll(): Promise<PollResult> {
		const { workflow, node } = this;
		const additionalData = this.additionalData('trigger', workflow);
		let response: INodeExecutionData[][] | null = null;
		let error: Error | undefined;
		let saved = false;
		const context = new PollContext(
			workflow,
			node,
			additionalData,
			'trigger',
			this.activation,
			(data) => {
				// The CLI's __emit: save static data, then start an execution with `data`.
				response = data;
				if (this.saveMode === 'onEmit') saved = this.save(false);
			},
			(emitted) => {
				error = emitted;
			},
		);
		await runScheduledPoll(workflow, node, context);
		if (this.saveMode === 'always') saved = this.save(true);
		return this.result(workflow, response, error, saved);
	}

	/**
	 * A manual run ("Fetch test event"): n8n-core's `WorkflowExecute` runs the trigger in manual
	 * mode on a workflow loaded from the saved static data; nothing is saved.
	 */
	async pollManually(): Promise<PollResult> {
		const workflow = this.loadWorkflow();
		const additionalData = this.additionalData('manual', workflow);
		const run = await runExecution(additionalData, 'manual', {
			workflow,
			startNode: workflow.getNode(this.node.name) ?? undefined,
		});
		const main = run.data.resultData.runData[this.node.name]?.[0]?.data?.main;
		const response = main && main.length > 0 ? main.map((items) => items ?? []) : null;
		return this.result(workflow, response, run.data.resultData.error, false);
	}

	private save(force: boolean): boolean {
		const { staticData } = this.workflow;
		if (!force && staticData.__dataChanged !== true) return false;
		this.savedText = JSON.stringify(staticData);
		staticData.__dataChanged = false;
		return true;
	}

	private result(
		workflow: Workflow,
		response: INodeExecutionData[][] | null,
		error: Error | undefined,
		saved: boolean,
	): PollResult {
		const nodeKey = `node:${this.node.name}`;
		if (!this.resultCopies) {
			const text = this.savedText;
			return {
				response,
				error,
				saved,
				get staticData() {
					return JSON.parse(text) as IDataObject;
				},
				get workflowStaticData() {
					return clone(workflow.staticData);
				},
				get nodeStaticData() {
					return (clone(workflow.staticData)[nodeKey] as IDataObject) ?? {};
				},
			} as PollResult;
		}
		const workflowStaticData = clone(workflow.staticData);
		return {
			response,
			error,
			staticData: this.savedStaticData,
			saved,
			workflowStaticData,
			nodeStaticData: (workflowStaticData[nodeKey] as IDataObject) ?? {},
		};
	}

	private loadWorkflow(): Workflow {
		return new Workflow({
			id: 'engine-test-workflow',
			name: 'Engine poll test',
			nodes: [this.node],
			connections: {},
			active: true,
			nodeTypes: this.nodeTypes,
			staticData: this.savedStaticData,
			settings: { executionOrder: 'v1' },
		});
	}

	private additionalData(mode: WorkflowExecuteMode, workflow: Workflow): IWorkflowExecuteAdditionalData {
		return createAdditionalData({
			credentialsHelper: this.credentials,
			mode,
			workflowData: workflowData(workflow, [this.node], {}),
		});
	}
}

/**
 * One poll of a polling trigger with the given stored static data. Trigger mode runs a
 * scheduled poll (saving per `saveStaticData`, default n8n's `onEmit`); manual mode runs the
 * node as "Fetch test event" does and saves nothing. For several polls of one live activation
 * (in-memory static data surviving `null` polls) use `PollActivation`.
 */
export async function runPoll(options: PollOptions & { mode?: 'trigger' | 'manual' }): Promise<PollResult> {
	const activation = new PollActivation(options);
	return options.mode === 'manual' ? await activation.pollManually() : await activation.poll();
}
