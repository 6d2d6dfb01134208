/** Node and credential type registries, as n8n's loader and CLI serve them to the engine. */
import { commonPollingParameters } from 'n8n-core/dist/nodes-loader/constants';
import { NodeConnectionTypes, NodeHelpers, UnexpectedError } from 'n8n-workflow';
import type {
	ICredentialType,
	ICredentialTypes,
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	INodeTypes,
	IVersionedNodeType,
} from 'n8n-workflow';

export type AnyNodeType = INodeType | IVersionedNodeType;

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
