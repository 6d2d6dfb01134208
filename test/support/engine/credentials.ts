/** n8n's credentials helper over an in-memory store (the CLI's `CredentialsHelper`, without a database). */
import { getAdditionalKeys } from 'n8n-core';
import { ICredentials, ICredentialsHelper, NodeHelpers, UnexpectedError, UserError, Workflow, isExpression } from 'n8n-workflow';
import type {
	CredentialInformation,
	ICredentialDataDecryptedObject,
	ICredentialType,
	ICredentialsEncrypted,
	ICredentialsExpressionResolveValues,
	IExecuteData,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentials,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	IRequestOptionsSimplified,
	IWorkflowDataProxyAdditionalKeys,
	IWorkflowExecuteAdditionalData,
	WorkflowExecuteMode,
} from 'n8n-workflow';

import { credentialOwnAllowedDomains } from './n8nMajor';
import { CredentialTypes, NodeTypes, START_NODE_TYPE } from './registries';
import { clone } from './util';

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
				const allowedDomains = credentialOwnAllowedDomains(credentials);
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
