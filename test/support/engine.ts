/**
 * Runs our nodes through n8n's real engine in tests.
 *
 * - Action nodes run in an n8n-workflow `Workflow` through n8n-core's `WorkflowExecute`, so
 *   `this.helpers.httpRequestWithAuthentication` is n8n-core's own (preAuthentication when the
 *   expirable field is empty → authenticate → request; on a 401: preAuthentication again, retry
 *   once), and `continueOnFail`, `pairedItem` handling and error wrapping are the engine's.
 * - Polling triggers run through n8n-core's `PollContext` and `PollTriggerExecutor` (trigger mode,
 *   as a scheduled poll) or through `WorkflowExecute` (manual mode, as "Fetch test event"), with
 *   the workflow's real `ObservableObject` static data.
 *
 * What n8n's CLI would supply is rebuilt here, small and in memory: a credentials helper that
 * follows `packages/cli/src/credentials-helper.ts` (store = a Map instead of the database), a
 * node/credential type registry that adds `pollTimes` to polling nodes as n8n's loader does,
 * plain `additionalData`, and the CLI's rule for saving static data after a poll.
 *
 * Usage (see engine.test.ts for more):
 *
 *   const credentials = new TestCredentialsHelper([new VeeamBackupReplicationApi()], {
 *     vbr: { type: 'veeamBackupReplicationApi', data: { url, username, password } },
 *   });
 *   const { outputs, error } = await runWorkflow({
 *     nodes: [{ name: 'Veeam', type: 'veeam', parameters: {...}, credentials: credentials.ref('vbr') }],
 *     input: [{ userName: 'a' }, { userName: 'b' }],
 *     credentials,
 *     nodeTypes: new NodeTypes([new Veeam()]),
 *   });
 *   credentials.preAuthenticationCount('vbr'); // logins that really ran
 *
 *   const first = await runPoll({ node: { name: 'T', type: 'veeamTrigger', parameters }, nodeType: new VeeamTrigger(), credentials });
 *   const next = await runPoll({ ..., staticData: first.staticData }); // what n8n saved
 *
 * `error` is what n8n stores: a plain copy of the error's own fields plus message and stack,
 * not the error instance (match it with `toMatchObject({ httpCode: '401' })`).
 *
 * Call `shutdownEngine()` in `afterAll`.
 */
import './engine-env';

import { rmSync } from 'node:fs';

import { Container } from '@n8n/di';
import {
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	PollContext,
	PollTriggerExecutor,
	WorkflowExecute,
	getAdditionalKeys,
	normalizeItems,
} from 'n8n-core';
import { SSHClientsManager } from 'n8n-core/dist/execution-engine/ssh-clients-manager';
import { commonPollingParameters } from 'n8n-core/dist/nodes-loader/constants';
import {
	ICredentials,
	ICredentialsHelper,
	NodeConnectionTypes,
	NodeHelpers,
	UnexpectedError,
	UserError,
	Workflow,
	getCredentialOwnRequestAllowedDomains,
	isExpression,
} from 'n8n-workflow';
import type {
	CredentialInformation,
	ICredentialDataDecryptedObject,
	ICredentialType,
	ICredentialTypes,
	ICredentialsEncrypted,
	ICredentialsExpressionResolveValues,
	IConnections,
	IDataObject,
	IExecuteData,
	IExecuteFunctions,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentials,
	INodeCredentialsDetails,
	INodeExecutionData,
	INodeParameters,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IRequestOptionsSimplified,
	IRun,
	IRunData,
	IVersionedNodeType,
	IWorkflowBase,
	IWorkflowDataProxyAdditionalKeys,
	IWorkflowExecuteAdditionalData,
	IWorkflowSettings,
	WorkflowActivateMode,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { createdUserFolder } from './engine-env';

type AnyNodeType = INodeType | IVersionedNodeType;

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value ?? {})) as T;

// ---------------------------------------------------------------------------------------------
// Type registries
// ---------------------------------------------------------------------------------------------

/** Credential types by name, as n8n's `CredentialTypes` (CLI) serves them to the helper. */
export class CredentialTypes implements ICredentialTypes {
	private readonly types = new Map<string, ICredentialType>();

	constructor(types: ICredentialType[] = []) {
		for (const type of types) this.register(type);
	}

	register(type: ICredentialType): this {
		this.types.set(type.name, type);
		return this;
	}

	recognizes(credentialType: string): boolean {
		return this.types.has(credentialType);
	}

	getByName(credentialType: string): ICredentialType {
		const type = this.types.get(credentialType);
		if (!type) throw new UnexpectedError(`Unknown credential type "${credentialType}"`);
		return type;
	}

	getSupportedNodes(type: string): string[] {
		return this.getByName(type).supportedNodes ?? [];
	}

	/** All ancestors through `extends`, nearest first (n8n's CLI returns the same set). */
	getParentTypes(typeName: string): string[] {
		const parents = this.types.get(typeName)?.extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}
}

/** The type of the start node `runWorkflow` puts in front of the nodes under test. */
export const START_NODE_TYPE = 'n8n-engine-harness.start';
/** The name of that start node (so a test's `connections` may start from it). */
export const START_NODE_NAME = 'Start';

/**
 * Passes the items it is started with to its output, the way n8n's Execute Workflow Trigger
 * hands a sub-workflow its input: an `execute` node without inputs whose stack entry carries
 * the items.
 */
class HarnessStartNode implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Harness Start',
		name: START_NODE_TYPE,
		group: ['trigger'],
		version: 1,
		description: 'Emits the items the test runs the workflow with',
		defaults: { name: START_NODE_NAME },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		properties: [],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [this.getInputData()];
	}
}

/**
 * Node types by type name. An array registers each under its `description.name`; a record
 * under its key (e.g. `{ 'n8n-nodes-veeam.veeam': new Veeam() }`). Polling nodes get n8n's
 * `pollTimes` parameter prepended, as n8n-core's `DirectoryLoader.applySpecialNodeParameters`
 * does when n8n loads a package (without it `Workflow` drops the parameter); the node class's
 * own description is left untouched.
 */
export class NodeTypes implements INodeTypes {
	private readonly types = new Map<string, AnyNodeType>();
	private readonly loaded = new WeakMap<INodeType, INodeType>();

	constructor(nodeTypes: AnyNodeType[] | Record<string, AnyNodeType> = []) {
		this.register(START_NODE_TYPE, new HarnessStartNode());
		if (Array.isArray(nodeTypes)) {
			for (const nodeType of nodeTypes) this.register(nodeType.description.name, nodeType);
		} else {
			for (const [name, nodeType] of Object.entries(nodeTypes)) this.register(name, nodeType);
		}
	}

	register(typeName: string, nodeType: AnyNodeType): this {
		this.types.set(typeName, nodeType);
		return this;
	}

	getByName(nodeType: string): AnyNodeType {
		const type = this.types.get(nodeType);
		if (!type) throw new UnexpectedError(`Unknown node type "${nodeType}"`);
		return 'nodeVersions' in type ? type : this.asLoaded(type);
	}

	getByNameAndVersion(nodeType: string, version?: number): INodeType {
		const type = this.types.get(nodeType);
		if (!type) throw new UnexpectedError(`Unknown node type "${nodeType}"`);
		return this.asLoaded(NodeHelpers.getVersionedNodeType(type, version));
	}

	getKnownTypes(): IDataObject {
		return Object.fromEntries([...this.types.keys()].map((name) => [name, {}]));
	}

	/** The newest version a node type declares (what the editor puts on a new node). */
	defaultVersion(nodeType: string): number {
		const type = this.getByName(nodeType);
		if ('nodeVersions' in type) return type.currentVersion;
		const { version } = type.description;
		return Array.isArray(version) ? Math.max(...version) : version;
	}

	private asLoaded(nodeType: INodeType): INodeType {
		const { description } = nodeType;
		if (!description.polling || description.properties.some((p) => p.name === 'pollTimes')) {
			return nodeType;
		}
		let loaded = this.loaded.get(nodeType);
		if (!loaded) {
			// Same methods (n8n calls them with the context as `this`), extended description.
			loaded = Object.create(nodeType) as INodeType;
			Object.defineProperty(loaded, 'description', {
				value: { ...description, properties: [...commonPollingParameters, ...description.properties] },
				enumerable: true,
			});
			this.loaded.set(nodeType, loaded);
		}
		return loaded;
	}
}

// ---------------------------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------------------------

/** One stored credential: what n8n keeps (decrypted) in its `credentials_entity` table. */
export interface StoredCredential {
	type: string;
	name?: string;
	data: ICredentialDataDecryptedObject;
}

export interface PreAuthenticationRecord {
	credentialId: string;
	type: string;
	/** true when it ran after a 401 (`credentialsExpired`), false when the field was empty. */
	expired: boolean;
}

/** `ICredentials` over the in-memory store (n8n's is the encrypted database row). */
class StoredCredentials extends ICredentials {
	constructor(
		private readonly helper: TestCredentialsHelper,
		details: INodeCredentialsDetails,
		type: string,
	) {
		super(details, type);
	}

	async getData(): Promise<ICredentialDataDecryptedObject> {
		return this.helper.data(this.id as string);
	}

	getDataToSave(): ICredentialsEncrypted {
		return { id: this.id, name: this.name, type: this.type, data: JSON.stringify(this.helper.data(this.id as string)) };
	}

	async setData(data: ICredentialDataDecryptedObject): Promise<void> {
		this.helper.write(this.id as string, data);
	}

	async updateData(
		toUpdate: Partial<ICredentialDataDecryptedObject>,
		toDelete: string[] = [],
	): Promise<void> {
		const data = { ...this.helper.data(this.id as string), ...toUpdate } as ICredentialDataDecryptedObject;
		for (const key of toDelete) delete data[key];
		this.helper.write(this.id as string, data);
	}
}

/** Node type for the one-node workflow credential expressions are resolved in (as the CLI). */
const CREDENTIAL_MOCK_NODE: INode = {
	id: 'credential-mock',
	name: '',
	type: START_NODE_TYPE,
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/**
 * n8n's `ICredentialsHelper` over an in-memory store, following the CLI's `CredentialsHelper`:
 * every `getDecrypted` reads the store afresh (defaults applied, expressions resolved), the
 * expirable-field rule decides when `preAuthentication` runs, and its result is written back to
 * the store as the CLI saves it to the database.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	readonly credentialTypes: CredentialTypes;
	readonly store = new Map<string, StoredCredential>();
	/** Times the credential type's `preAuthentication` actually ran, per credential id. */
	readonly preAuthenticationRuns = new Map<string, number>();
	readonly preAuthenticationLog: PreAuthenticationRecord[] = [];
	/** Times each credential was written back (preAuthentication, OAuth token updates). */
	readonly updates = new Map<string, number>();

	constructor(
		credentialTypes: CredentialTypes | ICredentialType[],
		credentials: Record<string, StoredCredential> = {},
	) {
		super();
		this.credentialTypes = Array.isArray(credentialTypes)
			? new CredentialTypes(credentialTypes)
			: credentialTypes;
		for (const [id, credential] of Object.entries(credentials)) this.add(id, credential);
	}

	/** Stores (or replaces) a credential. */
	add(id: string, credential: StoredCredential): this {
		this.credentialTypes.getByName(credential.type);
		this.store.set(id, { ...credential, data: clone(credential.data) });
		return this;
	}

	/** `node.credentials` pointing at a stored credential: `{ [type]: { id, name } }`. */
	ref(id: string): INodeCredentials {
		const { type, name } = this.entry(id);
		return { [type]: { id, name: name ?? id } };
	}

	/** A copy of the stored (raw) data of a credential. */
	data(id: string): ICredentialDataDecryptedObject {
		return clone(this.entry(id).data);
	}

	/** Overwrites the stored data, e.g. to plant a stale token. */
	write(id: string, data: ICredentialDataDecryptedObject): void {
		this.entry(id).data = clone(data);
	}

	preAuthenticationCount(id: string): number {
		return this.preAuthenticationRuns.get(id) ?? 0;
	}

	resetCounters(): void {
		this.preAuthenticationRuns.clear();
		this.preAuthenticationLog.length = 0;
		this.updates.clear();
	}

	private entry(id: string | null | undefined): StoredCredential {
		if (!id) throw new UserError('The node references a credential without an id');
		const entry = this.store.get(id);
		if (!entry) throw new UserError(`Credential with ID "${id}" does not exist`);
		return entry;
	}

	// --- ICredentialsHelper -------------------------------------------------------------------

	getParentTypes(name: string): string[] {
		return this.credentialTypes.getParentTypes(name);
	}

	isCredentialUsableByNode(credentialType: string, nodeType: string): boolean {
		if (!this.credentialTypes.recognizes(credentialType)) return true;
		const type = this.credentialTypes.getByName(credentialType);
		if (!type.restrictToSupportedNodes) return true;
		const supported = this.credentialTypes.getSupportedNodes(credentialType);
		return supported.includes(nodeType) || supported.includes(nodeType.split('.').pop() ?? '');
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		incomingRequestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow?: Workflow,
		node?: INode,
	): Promise<IHttpRequestOptions> {
		const requestOptions = incomingRequestOptions as IHttpRequestOptions;
		const { authenticate } = this.credentialTypes.getByName(typeName);
		if (!authenticate) return requestOptions;

		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions);
		}

		if (!workflow || !node) {
			throw new UnexpectedError('Workflow and node are required for declarative credential authentication');
		}
		requestOptions.headers ??= {};
		if (authenticate.type === 'generic') {
			const target = requestOptions as unknown as Record<string, Record<string, unknown>>;
			for (const [outerKey, outerValue] of Object.entries(authenticate.properties)) {
				for (const [key, value] of Object.entries(outerValue as Record<string, unknown>)) {
					const keyResolved = this.resolveValue(key, { $credentials: credentials }, workflow, node);
					const valueResolved = this.resolveValue(value as string, { $credentials: credentials }, workflow, node);
					target[outerKey] ??= {};
					target[outerKey][keyResolved] = valueResolved;
				}
			}
		}
		return requestOptions;
	}

	/** The CLI's `resolveValue`: a `={{ $credentials.x }}` expression through the workflow's engine. */
	private resolveValue(
		parameterValue: string,
		additionalKeys: IWorkflowDataProxyAdditionalKeys,
		workflow: Workflow,
		node: INode,
	): string {
		if (!isExpression(parameterValue)) return parameterValue;
		const value = workflow.expression.getSimpleParameterValue(
			node,
			parameterValue,
			'internal',
			additionalKeys,
			undefined,
			'',
		);
		return value ? value.toString() : '';
	}

	async preAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		node: INode,
		credentialsExpired: boolean,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.credentialTypes.getByName(typeName);
		const expirableProperty = credentialType.properties.find(
			(property) => property.type === 'hidden' && property.typeOptions?.expirable === true,
		);
		if (expirableProperty?.name === undefined) return undefined;
		if (typeof credentialType.preAuthentication !== 'function') return undefined;

		// The CLI tests `=== ''` (defaults are applied by getDecrypted, so an absent field is '').
		const current = credentials[expirableProperty.name];
		const empty = current === '' || current === undefined;
		// (The CLI also runs it for the credential-test mock node; credential tests are not run here.)
		if (!empty && !credentialsExpired) return undefined;

		const nodeCredentials = node.credentials?.[credentialType.name];
		const credentialId = nodeCredentials?.id ?? '';
		this.preAuthenticationRuns.set(credentialId, this.preAuthenticationCount(credentialId) + 1);
		this.preAuthenticationLog.push({ credentialId, type: typeName, expired: credentialsExpired });

		const output = await credentialType.preAuthentication.call(
			restrictToCredentialDomains(helpers, credentials),
			credentials,
		);
		// The result must carry the expirable field, else nothing is stored.
		if (output?.[expirableProperty.name] === undefined) return undefined;
		if (!nodeCredentials) return undefined;

		// Persist onto the raw stored data, never replacing a field stored as an expression
		// (except the expirable field), as the CLI does.
		const storedData = await (await this.getCredentials(nodeCredentials, credentialType.name)).getData();
		const dataToPersist: ICredentialDataDecryptedObject = { ...storedData };
		for (const [key, value] of Object.entries(output)) {
			if (key === expirableProperty.name || !isExpression(storedData[key])) {
				dataToPersist[key] = value as CredentialInformation;
			}
		}
		await this.updateCredentials(nodeCredentials, credentialType.name, dataToPersist);
		return Object.assign(credentials, output as ICredentialDataDecryptedObject);
	}

	/** In-memory transformation without the expirable guard or persistence (used for OAuth2). */
	async runPreAuthentication(
		helpers: IHttpRequestHelper,
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
	): Promise<ICredentialDataDecryptedObject | undefined> {
		const credentialType = this.credentialTypes.getByName(typeName);
		if (typeof credentialType.preAuthentication !== 'function') return undefined;
		const output = await credentialType.preAuthentication.call(
			restrictToCredentialDomains(helpers, credentials),
			credentials,
		);
		return (output as ICredentialDataDecryptedObject | undefined) ?? undefined;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string): Promise<ICredentials> {
		const entry = this.entry(nodeCredentials.id);
		if (entry.type !== type) {
			throw new UserError(`Credential with ID "${nodeCredentials.id}" does not exist for type "${type}"`);
		}
		return new StoredCredentials(this, { id: nodeCredentials.id, name: entry.name ?? nodeCredentials.name }, type);
	}

	async getDecrypted(
		additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		raw?: boolean,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const credentials = await this.getCredentials(nodeCredentials, type);
		const decryptedDataOriginal = await credentials.getData();
		if (raw === true) return decryptedDataOriginal;
		return this.applyDefaultsAndResolve(
			additionalData,
			decryptedDataOriginal,
			type,
			mode,
			executeData,
			expressionResolveValues,
		);
	}

	/** The CLI's `applyDefaultsAndOverwrites`, without overwrites (none are configured here). */
	private async applyDefaultsAndResolve(
		additionalData: IWorkflowExecuteAdditionalData,
		decryptedDataOriginal: ICredentialDataDecryptedObject,
		type: string,
		mode: WorkflowExecuteMode,
		executeData?: IExecuteData,
		expressionResolveValues?: ICredentialsExpressionResolveValues,
	): Promise<ICredentialDataDecryptedObject> {
		const properties = this.getCredentialsProperties(type);
		let decryptedData = NodeHelpers.getNodeParameters(
			properties,
			decryptedDataOriginal as INodeParameters,
			true,
			false,
			null,
			null,
		) as ICredentialDataDecryptedObject;
		if (decryptedDataOriginal.oauthTokenData !== undefined) {
			decryptedData.oauthTokenData = decryptedDataOriginal.oauthTokenData;
		}

		const additionalKeys = getAdditionalKeys(additionalData, mode, null, { isCredential: true });
		if (expressionResolveValues) {
			decryptedData = expressionResolveValues.workflow.expression.getParameterValue(
				decryptedData as INodeParameters,
				expressionResolveValues.runExecutionData,
				expressionResolveValues.runIndex,
				expressionResolveValues.itemIndex,
				expressionResolveValues.node.name,
				expressionResolveValues.connectionInputData,
				mode,
				additionalKeys,
				executeData,
				false,
				decryptedData,
			) as ICredentialDataDecryptedObject;
		} else {
			const workflow = new Workflow({
				nodes: [CREDENTIAL_MOCK_NODE],
				connections: {},
				active: false,
				nodeTypes: credentialMockNodeTypes,
			});
			decryptedData = workflow.expression.getComplexParameterValue(
				CREDENTIAL_MOCK_NODE,
				decryptedData as INodeParameters,
				mode,
				additionalKeys,
				undefined,
				undefined,
				decryptedData,
			) as ICredentialDataDecryptedObject;
		}
		return decryptedData;
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		await (await this.getCredentials(nodeCredentials, type)).setData(data);
		const id = nodeCredentials.id as string;
		this.updates.set(id, (this.updates.get(id) ?? 0) + 1);
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	): Promise<void> {
		await (await this.getCredentials(nodeCredentials, type)).updateData({ oauthTokenData: data.oauthTokenData });
		const id = nodeCredentials.id as string;
		this.updates.set(id, (this.updates.get(id) ?? 0) + 1);
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = this.credentialTypes.getByName(type);
		if (credentialType.extends === undefined) return credentialType.properties;
		const combined: INodeProperties[] = [];
		for (const parent of credentialType.extends) {
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, credentialType.properties);
		return combined;
	}
}

const credentialMockNodeTypes = new NodeTypes();

/**
 * The CLI hands `preAuthentication` only `{ helpers: { httpRequest } }` (applying the
 * credential's own domain allowlist), not the node's whole helper bag.
 */
function restrictToCredentialDomains(
	helpers: IHttpRequestHelper,
	credentials: ICredentialDataDecryptedObject,
): IHttpRequestHelper {
	return {
		helpers: {
			httpRequest: async (requestOptions: IHttpRequestOptions) => {
				const allowedDomains = getCredentialOwnRequestAllowedDomains(credentials);
				if (allowedDomains === undefined) return await helpers.helpers.httpRequest(requestOptions);
				if (requestOptions.allowedDomains !== undefined) {
					throw new UserError(
						'This credential restricts requests to specific domains, which cannot be combined with the domains its authentication step asks for.',
					);
				}
				return await helpers.helpers.httpRequest({ ...requestOptions, allowedDomains });
			},
		},
	};
}

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

function workflowData(workflow: Workflow, nodes: INode[], connections: IConnections): IWorkflowBase {
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

function toNode(input: NodeInput, nodeTypes: NodeTypes, index: number): INode {
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

	const run = await new WorkflowExecute(additionalData, mode).run({
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

// ---------------------------------------------------------------------------------------------
// Polling
// ---------------------------------------------------------------------------------------------

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
	/** The static data as stored in "the database". */
	savedStaticData: IDataObject;
	workflow: Workflow;
	private readonly activation: WorkflowActivateMode;
	private readonly saveMode: SaveStaticData;

	constructor(options: PollOptions) {
		this.nodeTypes = options.nodeTypes ?? new NodeTypes();
		if (options.nodeType) this.nodeTypes.register(options.node.type, options.nodeType);
		this.node = toNode(options.node, this.nodeTypes, 0);
		this.credentials = options.credentials ?? new TestCredentialsHelper([]);
		this.savedStaticData = clone(options.staticData ?? {});
		this.activation = options.activation ?? 'activate';
		this.saveMode = options.saveStaticData ?? 'onEmit';
		this.workflow = this.loadWorkflow();
	}

	/** Re-activation or restart: a new `Workflow` from the saved static data (unsaved changes are lost). */
	restart(): void {
		this.workflow = this.loadWorkflow();
	}

	/** One scheduled poll (n8n-core's `PollTriggerExecutor`, as a cron tick runs it). */
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
		const executePoll = Container.get(PollTriggerExecutor).create(workflow, node, context, () => true);
		await executePoll(false);
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
		const run = await new WorkflowExecute(additionalData, 'manual').run({
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
		this.savedStaticData = clone(staticData);
		staticData.__dataChanged = false;
		return true;
	}

	private result(
		workflow: Workflow,
		response: INodeExecutionData[][] | null,
		error: Error | undefined,
		saved: boolean,
	): PollResult {
		const workflowStaticData = clone(workflow.staticData);
		return {
			response,
			error,
			staticData: clone(this.savedStaticData),
			saved,
			workflowStaticData,
			nodeStaticData: (workflowStaticData[`node:${this.node.name}`] as IDataObject) ?? {},
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
			staticData: clone(this.savedStaticData),
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

// ---------------------------------------------------------------------------------------------
// Cleanup
// ---------------------------------------------------------------------------------------------

/**
 * For `afterAll`: stops what n8n-core started in this test file (the SSH clients manager's
 * interval and `process.on('exit')` listener), resets the DI container and removes the
 * temporary `N8N_USER_FOLDER`.
 */
export async function shutdownEngine(): Promise<void> {
	Container.get(SSHClientsManager).onShutdown();
	Container.reset();
	if (createdUserFolder) rmSync(createdUserFolder, { recursive: true, force: true });
}
