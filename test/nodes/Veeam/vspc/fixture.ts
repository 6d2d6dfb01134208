/**
 * The Veeam node on Veeam Service Provider Console, for the engine suites: the simulator's VSPC
 * (sim/vspc), a VSPC credential, a one-node run through n8n's engine (test/support/engine.ts), and
 * the checks every test repeats: no secret the simulator ever saw (passwords, TOTP secrets, API
 * keys, tokens) nor any the credential holds in any output or error.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeParameters } from 'n8n-workflow';

import { VeeamServiceProviderConsoleApi } from '../../../../credentials/VeeamServiceProviderConsoleApi.credentials';
import { Veeam } from '../../../../nodes/Veeam/Veeam.node';
import { startSimulator, VSPC_DEFAULT_ADMIN, VSPC_DEFAULT_PASSWORD, type SimServer } from '../../../../sim';
import type { VspcProduct } from '../../../../sim/vspc/product';
import { NodeTypes, shutdownEngine, TestCredentialsHelper, runWorkflow, trustFields } from '../../../support/engine';
import { NODE_NAME, NODE_TYPE, type VeeamRun } from '../fixtures';

export const VSPC_CREDENTIAL_ID = 'vspc';

export class VspcFixture {
	readonly nodeTypes = new NodeTypes({ [NODE_TYPE]: new Veeam() });
	credentials!: TestCredentialsHelper;

	constructor(readonly sim: SimServer) {
		this.resetCredential();
	}

	get vspc(): VspcProduct {
		return this.sim.product as unknown as VspcProduct;
	}

	credentialData(overrides: IDataObject = {}): ICredentialDataDecryptedObject {
		return {
			url: this.sim.url,
			authentication: 'password',
			username: VSPC_DEFAULT_ADMIN,
			password: VSPC_DEFAULT_PASSWORD,
			totpSecret: '',
			apiKey: '',
			apiVersion: '3.6.1',
			...trustFields(this.sim.tls.caPem),
			...overrides,
		} as ICredentialDataDecryptedObject;
	}

	resetCredential(overrides: IDataObject = {}): void {
		this.credentials = new TestCredentialsHelper([new VeeamServiceProviderConsoleApi()], {
			[VSPC_CREDENTIAL_ID]: { type: 'veeamServiceProviderConsoleApi', name: 'VSPC (simulator)', data: this.credentialData(overrides) },
		});
	}

	addCredential(id: string, overrides: IDataObject): void {
		this.credentials.add(id, { type: 'veeamServiceProviderConsoleApi', name: id, data: this.credentialData(overrides) });
	}

	node(parameters: INodeParameters, extra: Partial<INode> = {}, credentialId = VSPC_CREDENTIAL_ID): INode {
		return {
			id: 'veeam',
			name: NODE_NAME,
			type: NODE_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: { product: 'vspc', ...parameters },
			credentials: this.credentials.ref(credentialId),
			...extra,
		};
	}

	async run(parameters: INodeParameters, input: IDataObject[] = [{}], options: { continueOnFail?: boolean; credentialId?: string; secrets?: string[] } = {}): Promise<VeeamRun> {
		const result = await runWorkflow({
			nodes: [this.node(parameters, options.continueOnFail ? { onError: 'continueRegularOutput' } : {}, options.credentialId)],
			input,
			credentials: this.credentials,
			nodeTypes: this.nodeTypes,
		});
		const items = result.outputs[NODE_NAME]?.[0] ?? [];
		const run = { ...result, items, json: items.map((item) => item.json) };
		this.expectNoSecrets(run, options.secrets ?? []);
		return run;
	}

	/** Every secret the simulator saw or handed out, every one the credentials hold, and `more`: none in the run's output or error. */
	expectNoSecrets(run: VeeamRun, more: string[]): void {
		const secrets: unknown[] = [...this.sim.secrets.seen.keys(), ...more];
		const tokens = this.sim.tokens as unknown as { access: Map<string, unknown>; refresh: Map<string, unknown> };
		secrets.push(...tokens.access.keys(), ...tokens.refresh.keys());
		for (const { data } of this.credentials.store.values()) secrets.push(data.password, data.totpSecret, data.apiKey, data.accessToken, data.refreshToken);
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

	/** The simulator's user named `name` (any case), as its state dump shows it (no secrets). */
	user(name: string): { instanceUid: string; userName: string; organizationUid: string; role: string; status: string; mfaPolicyStatus: string; profile: IDataObject } | undefined {
		const users = this.vspc.snapshot().users as Array<{ instanceUid: string; userName: string; organizationUid: string; role: string; status: string; mfaPolicyStatus: string; profile: IDataObject }>;
		return users.find((u) => u.userName.toLowerCase() === name.toLowerCase());
	}

	/** The logins of the user with this UID, as the simulator keeps them (no secrets). */
	logins(userUid: string): Array<{ id: string | number; kind: string; status: string }> {
		const logins = this.vspc.snapshot().logins as Array<{ id: string | number; userUid: string; kind: string; status: string }>;
		return logins.filter((l) => l.userUid === userUid);
	}
}

/** The simulator (VSPC) and the fixture a test file shares: started once, reset before each test, closed after. */
export function useVspc(use: (sim: SimServer, h: VspcFixture) => void): void {
	let sim: SimServer | undefined;
	let h: VspcFixture | undefined;
	beforeAll(async () => {
		sim = await startSimulator({ product: 'vspc' });
		h = new VspcFixture(sim);
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

/** Changes the simulator carried out, as `[action, target]`. */
export function changes(sim: SimServer): Array<[string, string]> {
	return sim.log.since().map((e) => [e.action, e.target]);
}
