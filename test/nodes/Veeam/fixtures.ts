/**
 * What the Veeam node tests share, built on the engine harness (test/support/engine.ts), not a
 * harness of its own: a simulator-backed credential (VBR: `VeeamFixture`, VBGC: `VbgcFixture`) and
 * node registry, a one-node run, a real load-options context, and the checks every test repeats
 * (no secret in any output or error; what the simulator was asked to change).
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
import { VBGC_DEFAULT_ADMIN, VBGC_DEFAULT_PASSWORD, VBGC_MFA_USER, VBR_DEFAULT_PASSWORD, startSimulator, type SimServer, type SimulatorOptions } from '../../../sim';
import {
	NodeTypes,
	TestCredentialsHelper,
	createAdditionalData,
	runWorkflow,
	shutdownEngine,
	trustFields,
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
		...trustFields(sim.tls.caPem),
		...overrides,
	} as ICredentialDataDecryptedObject;
}

export interface VeeamRun extends RunWorkflowResult {
	/** The Veeam node's output items (main output 0). */
	items: INodeExecutionData[];
	json: IDataObject[];
}

/** One credential store and node registry for a test file; `run` executes the Veeam node once. */
/**
 * The simulator and the node fixture a test file shares: started once for the file, reset (server
 * state and a fresh credential) before each test, closed after. `use` receives both, so the file
 * keeps its own `sim` and `h` names.
 */
export function useSimulator(options: SimulatorOptions, use: (sim: SimServer, h: VeeamFixture) => void): void {
	let sim: SimServer | undefined;
	let h: VeeamFixture | undefined;
	beforeAll(async () => {
		sim = await startSimulator(options);
		h = new VeeamFixture(sim);
		use(sim, h);
	});
	afterAll(async () => {
		await sim?.close();
		await shutdownEngine();
	});
	beforeEach(() => {
		sim?.reset();
		h?.resetCredential();
	});
}

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
		return loadOptionsContextFor(this.nodeTypes, this.credentials, this.node(parameters));
	}

	storedCredential(): ICredentialDataDecryptedObject {
		return this.credentials.data(CREDENTIAL_ID);
	}
}

/** A real n8n-core load-options context for `node`, as the editor's lists and dropdowns get it. */
export function loadOptionsContextFor(nodeTypes: NodeTypes, credentials: TestCredentialsHelper, node: INode): ILoadOptionsFunctions {
	const workflow = new Workflow({
		id: 'load-options',
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes,
	});
	const additionalData = createAdditionalData({
		credentialsHelper: credentials,
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

// ---------------------------------------------------------------------------------------------
// Veeam Backup for Google Cloud
// ---------------------------------------------------------------------------------------------

export const VBGC_CREDENTIAL_ID = 'vbgc';
export const VBGC_USERS = '/api/v1/users';
export const VBGC_TOKEN = '/api/v1/token';

/** The simulator's fixed VBGC role IDs (sim/vbgc/roles.ts). */
export const VBGC_ROLE_IDS = {
	portalAdministrator: '3aa715c3-17b3-45b8-9e0b-c61743bf84d1',
	portalOperator: '0adb5f78-6593-4189-9383-95fe820a2647',
	restoreOperator: 'c082aeb7-6c99-4fcc-afaf-360573eff45c',
};

export function vbgcCredentialData(sim: SimServer, overrides: IDataObject = {}): ICredentialDataDecryptedObject {
	return {
		url: sim.url,
		username: VBGC_DEFAULT_ADMIN,
		password: VBGC_DEFAULT_PASSWORD,
		totpSecret: '',
		apiVersion: '1.4-rev0',
		...trustFields(sim.tls.caPem),
		...overrides,
	} as ICredentialDataDecryptedObject;
}

/** The credential overrides of the simulator's administrator with MFA on (and its TOTP secret). */
export const MFA_ADMIN_LOGIN = { username: VBGC_MFA_USER.name, password: VBGC_MFA_USER.password, totpSecret: VBGC_MFA_USER.secret };

/**
 * Which of the simulator's pending MFA secrets a run may show: MFA → Enable / Recreate output
 * them as the user chose. Everything else secret is always scanned for.
 */
export interface SecretAllowance {
	pendingSecret?: boolean;
	pendingScratchCodes?: boolean;
	pendingToken?: boolean;
}

export interface VbgcRunOptions {
	continueOnFail?: boolean;
	/** The credential the node uses (default: the administrator's, `VBGC_CREDENTIAL_ID`). */
	credentialId?: string;
	allow?: SecretAllowance;
	/** More secrets to scan for, e.g. a password that was changed since. */
	secrets?: string[];
}

/** The VBGC counterpart of `VeeamFixture`: the node with product "vbgc" and a VBGC credential. */
export class VbgcFixture {
	readonly nodeTypes = new NodeTypes({ [NODE_TYPE]: new Veeam() });
	credentials!: TestCredentialsHelper;

	constructor(private readonly sim: SimServer) {
		this.resetCredential();
	}

	/** A fresh administrator credential (no stored token), optionally with other settings. */
	resetCredential(overrides: IDataObject = {}): void {
		this.credentials = new TestCredentialsHelper([new VeeamBackupReplicationApi(), new VeeamBackupGoogleCloudApi()], {
			[VBGC_CREDENTIAL_ID]: { type: 'veeamBackupGoogleCloudApi', name: 'VBGC (simulator)', data: vbgcCredentialData(this.sim, overrides) },
		});
	}

	/** One more VBGC credential, e.g. for another user's own login. */
	addCredential(id: string, overrides: IDataObject): void {
		this.credentials.add(id, { type: 'veeamBackupGoogleCloudApi', name: id, data: vbgcCredentialData(this.sim, overrides) });
	}

	node(parameters: INodeParameters, extra: Partial<INode> = {}, credentialId = VBGC_CREDENTIAL_ID): INode {
		return {
			id: 'veeam',
			name: NODE_NAME,
			type: NODE_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: { product: 'vbgc', ...parameters },
			credentials: this.credentials.ref(credentialId),
			...extra,
		};
	}

	async run(parameters: INodeParameters, input: IDataObject[] = [{}], options: VbgcRunOptions = {}): Promise<VeeamRun> {
		const result = await runWorkflow({
			nodes: [this.node(parameters, options.continueOnFail ? { onError: 'continueRegularOutput' } : {}, options.credentialId)],
			input,
			credentials: this.credentials,
			nodeTypes: this.nodeTypes,
		});
		const items = result.outputs[NODE_NAME]?.[0] ?? [];
		const run = { ...result, items, json: items.map((item) => item.json) };
		expectNoVbgcSecrets(this.sim, this.credentials, run, options);
		return run;
	}

	loadOptionsContext(parameters: INodeParameters = {}): ILoadOptionsFunctions {
		return loadOptionsContextFor(this.nodeTypes, this.credentials, this.node(parameters));
	}

	storedCredential(id = VBGC_CREDENTIAL_ID): ICredentialDataDecryptedObject {
		return this.credentials.data(id);
	}
}

/** The simulator's VBGC user records, secrets included (test-only reach into its state). */
interface SimVbgcAccount {
	name: string;
	password: string;
	mfa?: { secret: string; scratchCodes: string[] };
	pendingMfa?: { secret: string; scratchCodes: string[]; token: string };
}

function simVbgcAccounts(sim: SimServer): SimVbgcAccount[] {
	return [...(sim.product as unknown as { users: Map<string, SimVbgcAccount> }).users.values()];
}

/** The simulator's pending MFA setup of `name` (secret, scratch codes, token), if one is pending. */
export function pendingMfa(sim: SimServer, name: string): SimVbgcAccount['pendingMfa'] {
	return simVbgcAccounts(sim).find((u) => u.name.toLowerCase() === name.toLowerCase())?.pendingMfa;
}

/** The simulator's active MFA secret of `name`, if MFA is on. */
export function activeMfa(sim: SimServer, name: string): SimVbgcAccount['mfa'] {
	return simVbgcAccounts(sim).find((u) => u.name.toLowerCase() === name.toLowerCase())?.mfa;
}

/**
 * No secret in what the Veeam node produced (its output, its run data, the execution error):
 * every password the simulator holds, every MFA secret and scratch code (pending ones unless the
 * run may show them), every token issued, and whatever any stored credential holds.
 * The start node's items are the test's own input and are not scanned.
 */
export function expectNoVbgcSecrets(
	sim: SimServer,
	credentials: TestCredentialsHelper,
	run: RunWorkflowResult,
	options: { allow?: SecretAllowance; secrets?: string[] } = {},
): void {
	const allow = options.allow ?? {};
	const secrets: unknown[] = [VBGC_DEFAULT_PASSWORD, VBGC_MFA_USER.password, VBGC_MFA_USER.secret, ...VBGC_MFA_USER.scratchCodes];
	secrets.push(...(options.secrets ?? []), ...issuedTokens(sim));
	for (const { data } of credentials.store.values()) secrets.push(data.password, data.totpSecret, data.accessToken, data.refreshToken);
	for (const account of simVbgcAccounts(sim)) {
		secrets.push(account.password);
		if (account.mfa) secrets.push(account.mfa.secret, ...account.mfa.scratchCodes);
		if (account.pendingMfa) {
			if (!allow.pendingSecret) secrets.push(account.pendingMfa.secret);
			if (!allow.pendingScratchCodes) secrets.push(...account.pendingMfa.scratchCodes);
			if (!allow.pendingToken) secrets.push(account.pendingMfa.token);
		}
	}
	const error = run.error as (Error & { description?: string }) | undefined;
	const dumps = [
		JSON.stringify(run.outputs[NODE_NAME] ?? []),
		JSON.stringify(run.runData[NODE_NAME] ?? []),
		error ? JSON.stringify(error) : '',
		error ? `${error.message} ${error.description ?? ''} ${error.stack ?? ''}` : '',
	];
	for (const secret of secrets.filter((s): s is string => typeof s === 'string' && s.length > 0)) {
		for (const dump of dumps) expect(dump).not.toContain(secret);
	}
}

/** The simulator's VBGC user named `name` (case-insensitive), from its state dump (no secrets). */
export function vbgcUser(
	sim: SimServer,
	name: string,
): { name: string; description: string; type: string; mfaEnabled: boolean; roles: Array<{ id: string; name: string }> } | undefined {
	const users = sim.product.snapshot().users as Array<{ name: string; description: string; type: string; mfaEnabled: boolean; roles: Array<{ id: string; name: string }> }>;
	return users.find((u) => u.name.toLowerCase() === name.toLowerCase());
}
