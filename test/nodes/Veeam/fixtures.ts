/**
 * What the Veeam node tests share, built on the engine harness (test/support/engine.ts), not a
 * harness of its own: a simulator-backed VBR credential and node registry, a one-node run, a real
 * load-options context, and the checks every test repeats (no secret in any output or error; what
 * the simulator was asked to change).
 */
import { LoadOptionsContext } from 'n8n-core';
import {
	Workflow,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type ILoadOptionsFunctions,
	type INode,
	type INodeExecutionData,
	type INodeParameters,
} from 'n8n-workflow';

import { VeeamBackupGoogleCloudApi } from '../../../credentials/VeeamBackupGoogleCloudApi.credentials';
import { VeeamBackupReplicationApi } from '../../../credentials/VeeamBackupReplicationApi.credentials';
import { Veeam } from '../../../nodes/Veeam/Veeam.node';
import { VBR_DEFAULT_PASSWORD, type SimServer } from '../../../sim';
import {
	NodeTypes,
	TestCredentialsHelper,
	createAdditionalData,
	runWorkflow,
	type RunWorkflowResult,
} from '../../support/engine';

export const NODE_TYPE = 'n8n-nodes-veeam.veeam';
export const NODE_NAME = 'Veeam';
export const CREDENTIAL_ID = 'vbr';

export const ROLE_IDS = {
	backupAdministrator: '5ff0e0eb-45cf-48cc-9677-7613fc79bc11',
	restoreOperator: 'b167c3af-2262-4b6c-9861-0606fc0cb6b1',
	backupOperator: 'a4e7c0a3-5b0f-4a5e-9f7a-2c6f0f3e8b21',
	backupViewer: '0d3f6c2e-8a41-4c7b-b2e5-91f4a7d6c305',
};

export function vbrCredentialData(sim: SimServer, overrides: IDataObject = {}): ICredentialDataDecryptedObject {
	return {
		url: sim.url,
		username: 'VBR01\\svc-n8n',
		password: VBR_DEFAULT_PASSWORD,
		apiVersion: '1.3-rev2',
		caCertificate: sim.tls.caPem,
		skipTlsVerification: false,
		...overrides,
	} as ICredentialDataDecryptedObject;
}

export interface VeeamRun extends RunWorkflowResult {
	/** The Veeam node's output items (main output 0). */
	items: INodeExecutionData[];
	json: IDataObject[];
}

/** One credential store and node registry for a test file; `run` executes the Veeam node once. */
export class VeeamFixture {
	readonly nodeTypes = new NodeTypes({ [NODE_TYPE]: new Veeam() });
	credentials!: TestCredentialsHelper;

	constructor(private readonly sim: SimServer) {
		this.resetCredential();
	}

	/** A fresh credential (no stored token), optionally with other settings. */
	resetCredential(overrides: IDataObject = {}): void {
		this.credentials = new TestCredentialsHelper([new VeeamBackupReplicationApi(), new VeeamBackupGoogleCloudApi()], {
			[CREDENTIAL_ID]: { type: 'veeamBackupReplicationApi', name: 'VBR (simulator)', data: vbrCredentialData(this.sim, overrides) },
		});
	}

	node(parameters: INodeParameters, extra: Partial<INode> = {}): INode {
		return {
			id: 'veeam',
			name: NODE_NAME,
			type: NODE_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: { product: 'vbr', ...parameters },
			credentials: this.credentials.ref(CREDENTIAL_ID),
			...extra,
		};
	}

	async run(
		parameters: INodeParameters,
		input: IDataObject[] = [{}],
		options: { continueOnFail?: boolean } = {},
	): Promise<VeeamRun> {
		const result = await runWorkflow({
			nodes: [this.node(parameters, options.continueOnFail ? { onError: 'continueRegularOutput' } : {})],
			input,
			credentials: this.credentials,
			nodeTypes: this.nodeTypes,
		});
		const items = result.outputs[NODE_NAME]?.[0] ?? [];
		const run = { ...result, items, json: items.map((item) => item.json) };
		expectNoSecrets(this.sim, this.credentials, run);
		return run;
	}

	/** A real n8n-core load-options context for the node (what the editor's list and dropdowns call). */
	loadOptionsContext(parameters: INodeParameters = {}): ILoadOptionsFunctions {
		const node = this.node(parameters);
		const workflow = new Workflow({
			id: 'load-options',
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes: this.nodeTypes,
		});
		const additionalData = createAdditionalData({
			credentialsHelper: this.credentials,
			mode: 'manual',
			workflowData: {
				id: 'load-options',
				name: 'load options',
				active: false,
				isArchived: false,
				createdAt: new Date(),
				updatedAt: new Date(),
				nodes: [node],
				connections: {},
				activeVersionId: null,
			},
		});
		additionalData.currentNodeParameters = node.parameters;
		return new LoadOptionsContext(workflow, node, additionalData, 'parameters.user');
	}

	storedCredential(): ICredentialDataDecryptedObject {
		return this.credentials.data(CREDENTIAL_ID);
	}
}

/** The run's error (or the error item of an item) as n8n shows and stores it. */
export function errorText(run: RunWorkflowResult): string {
	const error = run.error as (Error & { description?: string }) | undefined;
	return error ? `${error.message} ${error.description ?? ''}` : '';
}

/**
 * Neither the password nor any token the credential holds (or held) appears in what the run
 * produced: outputs, the execution error and its serialised form.
 */
export function expectNoSecrets(sim: SimServer, credentials: TestCredentialsHelper, run: RunWorkflowResult): void {
	const stored = credentials.data(CREDENTIAL_ID);
	const secrets = [VBR_DEFAULT_PASSWORD, stored.password, stored.accessToken, stored.refreshToken, ...issuedTokens(sim)].filter(
		(s): s is string => typeof s === 'string' && s.length > 0,
	);
	const error = run.error as (Error & { description?: string; cause?: unknown }) | undefined;
	const dumps = [
		JSON.stringify(run.outputs),
		JSON.stringify(run.runData),
		error ? JSON.stringify(error) : '',
		error ? `${error.message} ${error.description ?? ''} ${error.stack ?? ''}` : '',
	];
	for (const dump of dumps) for (const secret of secrets) expect(dump).not.toContain(secret);
}

/** Every token the simulator still knows (the test's view of "all tokens issued"). */
function issuedTokens(sim: SimServer): string[] {
	const tokens = sim.tokens as unknown as { access: Map<string, unknown>; refresh: Map<string, unknown> };
	return [...tokens.access.keys(), ...tokens.refresh.keys()];
}

/** Changes the simulator carried out, as `[action, target]`. */
export function mutations(sim: SimServer): Array<[string, string]> {
	return sim.log.since().map((e) => [e.action, e.target]);
}

/** Requests per route, e.g. `GET /api/v1/security/users`. */
export function routeCount(sim: SimServer, route: string): number {
	return sim.stats.byRoute[route] ?? 0;
}

export const USERS = '/api/v1/security/users';
export const ROLES = '/api/v1/security/roles';

/** A resource locator value. */
export function byName(name: string) {
	return { __rl: true, mode: 'name', value: name };
}
export function byId(id: string) {
	return { __rl: true, mode: 'id', value: id };
}
export function fromList(id: string) {
	return { __rl: true, mode: 'list', value: id };
}

/** The simulator's user named `name` (case-insensitive), from its state dump. */
export function simUser(sim: SimServer, name: string): { id: string; name: string; type: string; roles: Array<{ id: string; name: string }>; isServiceAccount: boolean } | undefined {
	const users = sim.product.snapshot().users as Array<{ id: string; name: string; type: string; roles: Array<{ id: string; name: string }>; isServiceAccount: boolean }>;
	return users.find((u) => u.name.toLowerCase() === name.toLowerCase());
}
