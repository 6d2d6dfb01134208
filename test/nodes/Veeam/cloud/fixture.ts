/**
 * The Veeam node on Veeam Backup for AWS and for Microsoft Azure, for the engine and reliability
 * suites: a simulator-backed credential, a one-node run through n8n's engine (test/support/engine.ts), the
 * per-product facts the tables compare against, and the checks every test repeats (no secret in
 * any output or error; what the simulator was asked to change).
 */
import type { ICredentialDataDecryptedObject, IDataObject, ILoadOptionsFunctions, INode, INodeParameters } from 'n8n-workflow';

import { VeeamBackupAwsApi } from '../../../../credentials/VeeamBackupAwsApi.credentials';
import { VeeamBackupAzureApi } from '../../../../credentials/VeeamBackupAzureApi.credentials';
import { Veeam } from '../../../../nodes/Veeam/Veeam.node';
import {
	AWS_DEFAULT_ADMIN,
	AWS_DEFAULT_PASSWORD,
	AWS_MFA_USER,
	AZURE_DEFAULT_ADMIN,
	AZURE_DEFAULT_PASSWORD,
	AZURE_MFA_USER,
	type SimServer,
} from '../../../../sim';
import { NodeTypes, TestCredentialsHelper, runWorkflow, trustFields } from '../../../support/engine';
import { loadOptionsContextFor, NODE_NAME, NODE_TYPE, type VeeamRun } from '../fixtures';

export type CloudProduct = 'aws' | 'azure';
export const CLOUD_PRODUCTS: CloudProduct[] = ['aws', 'azure'];

export interface CloudFacts {
	product: CloudProduct;
	name: string;
	credentialType: string;
	apiVersion: string;
	admin: string;
	password: string;
	mfaUser: { name: string; password: string; secret: string };
	/** The API value of each role by the name people read. */
	roleIds: Record<string, string>;
	/** The user collection (fault specs, route counts). */
	usersPath: string;
	/** The route names the simulator counts. */
	routes: { list: string; one: string };
	/** The user collection's route as the simulator counts it, without the method. */
	usersRoute: string;
	/** What a user is addressed by. */
	refKind: 'name' | 'id';
}

export const FACTS: Record<CloudProduct, CloudFacts> = {
	aws: {
		product: 'aws',
		name: 'Veeam Backup for AWS',
		credentialType: 'veeamBackupAwsApi',
		apiVersion: '1.7-rev0',
		admin: AWS_DEFAULT_ADMIN,
		password: AWS_DEFAULT_PASSWORD,
		mfaUser: AWS_MFA_USER,
		roleIds: { 'Portal Administrator': 'PortalAdministrator', 'Portal Operator': 'PortalOperator', 'Restore Operator': 'RestoreOperator' },
		usersPath: '/api/v1/users',
		routes: { list: 'GET /api/v1/users', one: 'GET /api/v1/users/:name' },
		usersRoute: '/api/v1/users',
		refKind: 'name',
	},
	azure: {
		product: 'azure',
		name: 'Veeam Backup for Microsoft Azure',
		credentialType: 'veeamBackupAzureApi',
		apiVersion: 'v8.1',
		admin: AZURE_DEFAULT_ADMIN,
		password: AZURE_DEFAULT_PASSWORD,
		mfaUser: AZURE_MFA_USER,
		roleIds: {
			'Portal Administrator': 'PortalAdmin',
			'Portal Operator': 'PortalOperator',
			'Restore Operator': 'RestoreOperator',
			'Veeam Updater': 'VeeamUpdater',
		},
		usersPath: '/api/v8.1/users',
		routes: { list: 'GET /api/:version/users', one: 'GET /api/:version/users/:id' },
		usersRoute: '/api/:version/users',
		refKind: 'id',
	},
};

/** One credential store and node registry for a test file; `run` executes the Veeam node once. */
export class CloudFixture {
	readonly nodeTypes = new NodeTypes({ [NODE_TYPE]: new Veeam() });
	credentials!: TestCredentialsHelper;
	readonly facts: CloudFacts;

	constructor(
		readonly sim: SimServer,
		readonly product: CloudProduct,
	) {
		this.facts = FACTS[product];
		this.resetCredential();
	}

	credentialData(overrides: IDataObject = {}): ICredentialDataDecryptedObject {
		return {
			url: this.sim.url,
			username: this.facts.admin,
			password: this.facts.password,
			totpSecret: '',
			apiVersion: this.facts.apiVersion,
			...trustFields(this.sim.tls.caPem),
			...overrides,
		} as ICredentialDataDecryptedObject;
	}

	/** A fresh administrator credential (no stored token), optionally with other settings. */
	resetCredential(overrides: IDataObject = {}): void {
		this.credentials = new TestCredentialsHelper([new VeeamBackupAwsApi(), new VeeamBackupAzureApi()], {
			[this.product]: { type: this.facts.credentialType, name: `${this.facts.name} (simulator)`, data: this.credentialData(overrides) },
		});
	}

	/** One more credential of the product, e.g. for another user's own login. */
	addCredential(id: string, overrides: IDataObject): void {
		this.credentials.add(id, { type: this.facts.credentialType, name: id, data: this.credentialData(overrides) });
	}

	node(parameters: INodeParameters, extra: Partial<INode> = {}, credentialId: string = this.product): INode {
		return {
			id: 'veeam',
			name: NODE_NAME,
			type: NODE_TYPE,
			typeVersion: 1,
			position: [200, 0],
			parameters: { product: this.product, ...parameters },
			credentials: this.credentials.ref(credentialId),
			...extra,
		};
	}

	/**
	 * `credentialId`: another credential added with addCredential. `allowPendingMfa`: the run may
	 * show a pending MFA set-up (MFA → Enable / Recreate hand out its QR code and token).
	 */
	async run(
		parameters: INodeParameters,
		input: IDataObject[] = [{}],
		options: { continueOnFail?: boolean; secrets?: string[]; credentialId?: string; allowPendingMfa?: boolean } = {},
	): Promise<VeeamRun> {
		const result = await runWorkflow({
			nodes: [this.node(parameters, options.continueOnFail ? { onError: 'continueRegularOutput' } : {}, options.credentialId)],
			input,
			credentials: this.credentials,
			nodeTypes: this.nodeTypes,
		});
		const items = result.outputs[NODE_NAME]?.[0] ?? [];
		const run = { ...result, items, json: items.map((item) => item.json) };
		expectNoCloudSecrets(this, run, options.secrets ?? [], options.allowPendingMfa === true);
		return run;
	}

	/** A real n8n-core load-options context (what the editor's lists and dropdowns call). */
	loadOptionsContext(parameters: INodeParameters = {}): ILoadOptionsFunctions {
		return loadOptionsContextFor(this.nodeTypes, this.credentials, this.node(parameters));
	}

	storedCredential(id: string = this.product): ICredentialDataDecryptedObject {
		return this.credentials.data(id);
	}
}

/** What the simulators keep of an account, secrets included (test-only reach into their state). */
interface SimAccount {
	key: string;
	name: string;
	role: string;
	password?: string;
	mfa?: { secret: string; scratchCodes: string[] };
	pendingMfa?: { secret: string; scratchCodes: string[]; token: string };
}

export function simAccounts(sim: SimServer): SimAccount[] {
	return (sim.product as unknown as { users: { all(): SimAccount[] } }).users.all();
}

/** Neither a password, an MFA secret, a scratch code nor a token in what the run produced. */
function expectNoCloudSecrets(fixture: CloudFixture, run: VeeamRun, more: string[], allowPendingMfa: boolean): void {
	const tokens = fixture.sim.tokens as unknown as { access: Map<string, unknown>; refresh: Map<string, unknown> };
	const secrets: unknown[] = [fixture.facts.password, fixture.facts.mfaUser.password, fixture.facts.mfaUser.secret, ...more];
	secrets.push(...tokens.access.keys(), ...tokens.refresh.keys());
	for (const { data } of fixture.credentials.store.values()) secrets.push(data.password, data.totpSecret, data.accessToken, data.refreshToken);
	for (const account of simAccounts(fixture.sim)) {
		secrets.push(account.password);
		if (account.mfa) secrets.push(account.mfa.secret, ...account.mfa.scratchCodes);
		if (account.pendingMfa && !allowPendingMfa) secrets.push(account.pendingMfa.secret, account.pendingMfa.token, ...account.pendingMfa.scratchCodes);
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

/** The simulator's user named `name` (case-insensitive), as its state dump has it (no secrets). */
export function cloudUser(sim: SimServer, name: string): IDataObject | undefined {
	const users = sim.product.snapshot().users as IDataObject[];
	return users.find((u) => String(u.name).toLowerCase() === name.toLowerCase());
}

/** Every user of that name (a duplicate would be a bug: names are unique on both products). */
export function cloudUsersNamed(sim: SimServer, name: string): IDataObject[] {
	const users = sim.product.snapshot().users as IDataObject[];
	return users.filter((u) => String(u.name).toLowerCase() === name.toLowerCase());
}

/** The API value of a user's one role (`role`: one string; Azure v5 answers a list of one), '' when absent. */
export function roleOf(sim: SimServer, name: string): string {
	const role = cloudUser(sim, name)?.role;
	return Array.isArray(role) ? role.map(String).join() : String(role ?? '');
}
