/**
 * The Veeam node on Veeam Backup for Microsoft 365, for the engine suites: the simulator's VB365
 * (sim/vb365), a VB365 credential, a one-node run through n8n's engine (test/support/engine.ts),
 * the simulator's roles as its state dump shows them, and the check every run repeats: no secret
 * the simulator saw (passwords, tokens) nor any the credential holds in any output or error.
 */
import type { ICredentialDataDecryptedObject, IDataObject, INode, INodeParameters, NodeParameterValueType } from 'n8n-workflow';

import { VeeamBackupMicrosoft365Api } from '../../../../credentials/VeeamBackupMicrosoft365Api.credentials';
import { Veeam } from '../../../../nodes/Veeam/Veeam.node';
import { startSimulator, VB365_DEFAULT_ADMIN, VB365_DEFAULT_PASSWORD, VB365_ORG_CONTOSO_ID, type SimServer } from '../../../../sim';
import type { Vb365Product } from '../../../../sim/vb365/product';
import { NodeTypes, shutdownEngine, TestCredentialsHelper, runWorkflow, trustFields } from '../../../support/engine';
import { NODE_NAME, NODE_TYPE, type VeeamRun } from '../fixtures';

export const VB365_CREDENTIAL_ID = 'vb365';

export const CONTOSO = 'contoso.onmicrosoft.com';
export const FABRIKAM = 'fabrikam.onmicrosoft.com';

/** A resource locator value. */
export const byName = (value: string): NodeParameterValueType => ({ __rl: true, mode: 'name', value });
export const byId = (value: string): NodeParameterValueType => ({ __rl: true, mode: 'id', value });
export const fromList = (value: string): NodeParameterValueType => ({ __rl: true, mode: 'list', value });
/** The organization field set to Contoso by name. */
export const contoso = (): NodeParameterValueType => byName(CONTOSO);

/** A role as the simulator's state dump shows it. */
export interface SimRole {
	id: string;
	organizationId: string;
	name: string;
	description: string;
	roleType: string;
	operators: Array<{ id: string; type: string; user?: { id: string; name: string }; group?: { id: string; name: string | null; displayName: string } }>;
	selectedItems: Array<{ type: string; id: string }>;
	excludedItems: Array<{ type: string; id: string }>;
}

export class Vb365Fixture {
	readonly nodeTypes = new NodeTypes({ [NODE_TYPE]: new Veeam() });
	credentials!: TestCredentialsHelper;

	constructor(readonly sim: SimServer) {
		this.resetCredential();
	}

	get vb365(): Vb365Product {
		return this.sim.product as unknown as Vb365Product;
	}

	credentialData(overrides: IDataObject = {}): ICredentialDataDecryptedObject {
		return { url: this.sim.url, username: VB365_DEFAULT_ADMIN, password: VB365_DEFAULT_PASSWORD, apiVersion: 'v8', ...trustFields(this.sim.tls.caPem), ...overrides } as ICredentialDataDecryptedObject;
	}

	resetCredential(overrides: IDataObject = {}): void {
		this.credentials = new TestCredentialsHelper([new VeeamBackupMicrosoft365Api()], {
			[VB365_CREDENTIAL_ID]: { type: 'veeamBackupMicrosoft365Api', name: 'VB365 (simulator)', data: this.credentialData(overrides) },
		});
	}

	node(parameters: INodeParameters, extra: Partial<INode> = {}): INode {
		return {
			id: 'veeam',
			name: NODE_NAME,
			type: NODE_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: { product: 'vb365', ...parameters },
			credentials: this.credentials.ref(VB365_CREDENTIAL_ID),
			...extra,
		};
	}

	async run(parameters: INodeParameters, input: IDataObject[] = [{}], options: { continueOnFail?: boolean } = {}): Promise<VeeamRun> {
		const result = await runWorkflow({
			nodes: [this.node(parameters, options.continueOnFail ? { onError: 'continueRegularOutput' } : {})],
			input,
			credentials: this.credentials,
			nodeTypes: this.nodeTypes,
		});
		const items = result.outputs[NODE_NAME]?.[0] ?? [];
		const run = { ...result, items, json: items.map((item) => item.json) };
		this.expectNoSecrets(run);
		return run;
	}

	expectNoSecrets(run: VeeamRun): void {
		const secrets: unknown[] = [VB365_DEFAULT_PASSWORD, ...this.sim.secrets.seen.keys()];
		const tokens = this.sim.tokens as unknown as { access: Map<string, unknown>; refresh: Map<string, unknown> };
		secrets.push(...tokens.access.keys(), ...tokens.refresh.keys());
		for (const { data } of this.credentials.store.values()) secrets.push(data.password, data.accessToken, data.refreshToken);
		const error = run.error as (Error & { description?: string }) | undefined;
		const dumps = [JSON.stringify(run.outputs[NODE_NAME] ?? []), JSON.stringify(run.runData[NODE_NAME] ?? []), error ? JSON.stringify(error) : '', error ? `${error.message} ${error.description ?? ''} ${error.stack ?? ''}` : ''];
		for (const secret of secrets.filter((s): s is string => typeof s === 'string' && s.length > 0)) {
			for (const dump of dumps) expect(dump).not.toContain(secret);
		}
		// Veeam's stack traces never reach the user.
		for (const dump of dumps) expect(dump).not.toMatch(/stackTrace|Veeam\.Archiver|ApiControllerActionInvoker/);
	}

	roles(): SimRole[] {
		return (this.vb365.snapshot().roles as SimRole[]).map((r) => ({ ...r }));
	}

	role(name: string, organizationId = VB365_ORG_CONTOSO_ID): SimRole | undefined {
		return this.roles().find((r) => r.organizationId === organizationId && r.name.toLowerCase() === name.toLowerCase());
	}

	/** The e-mail addresses (users) and display names (groups) of a role's operators, sorted. */
	operatorsOf(name: string, organizationId = VB365_ORG_CONTOSO_ID): string[] {
		const role = this.role(name, organizationId);
		if (!role) throw new Error(`no role ${name}`);
		return role.operators.map((o) => (o.type === 'User' ? String(o.user?.name) : `group:${o.group?.displayName}`)).sort();
	}

	/** A user's or group's directory ID, by e-mail / UPN or group name. */
	idOf(name: string, organizationId = VB365_ORG_CONTOSO_ID): string {
		const found = this.vb365.principalNamed(organizationId, name) as { record: { id: string } } | undefined;
		if (!found) throw new Error(`no principal ${name}`);
		return found.record.id;
	}

	/** Requests that changed the simulator's state (method and path), in order. */
	changes(): string[] {
		return this.sim.log.since().map((e) => `${e.action} ${e.target}`);
	}
}

/** The simulator (VB365) and the fixture a test file shares: started once, reset before each test, closed after. */
export function useVb365(use: (sim: SimServer, h: Vb365Fixture) => void): void {
	let sim: SimServer | undefined;
	let h: Vb365Fixture | undefined;
	beforeAll(async () => {
		sim = await startSimulator({ product: 'vb365' });
		h = new Vb365Fixture(sim);
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
