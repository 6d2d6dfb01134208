/**
 * The Veeam node on Veeam Backup for AWS and for Microsoft Azure: a simulator-backed credential
 * per product, the node with that product, and the per-product facts the tests compare against.
 * (The suite-wide secret scan checks every output against every secret the simulators saw.)
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

export interface CloudFacts {
	product: CloudProduct;
	name: string;
	credentialType: string;
	apiVersion: string;
	admin: string;
	password: string;
	mfaUser: { name: string; password: string; secret: string };
	/** The API value of each role by its name. */
	roleIds: Record<'Portal Administrator' | 'Portal Operator' | 'Restore Operator', string>;
	/** The user collection's route as the simulator counts it. */
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
		roleIds: { 'Portal Administrator': 'PortalAdmin', 'Portal Operator': 'PortalOperator', 'Restore Operator': 'RestoreOperator' },
		usersRoute: '/api/:version/users',
		refKind: 'id',
	},
};

export class CloudFixture {
	readonly nodeTypes = new NodeTypes({ [NODE_TYPE]: new Veeam() });
	credentials!: TestCredentialsHelper;
	readonly facts: CloudFacts;

	constructor(
		private readonly sim: SimServer,
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

	resetCredential(overrides: IDataObject = {}): void {
		this.credentials = new TestCredentialsHelper([new VeeamBackupAwsApi(), new VeeamBackupAzureApi()], {
			[this.product]: { type: this.facts.credentialType, name: `${this.facts.name} (simulator)`, data: this.credentialData(overrides) },
		});
	}

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

	async run(parameters: INodeParameters, input: IDataObject[] = [{}], options: { continueOnFail?: boolean; credentialId?: string } = {}): Promise<VeeamRun> {
		const result = await runWorkflow({
			nodes: [this.node(parameters, options.continueOnFail ? { onError: 'continueRegularOutput' } : {}, options.credentialId)],
			input,
			credentials: this.credentials,
			nodeTypes: this.nodeTypes,
		});
		const items = result.outputs[NODE_NAME]?.[0] ?? [];
		return { ...result, items, json: items.map((item) => item.json) };
	}

	/** A real n8n-core load-options context (what the editor's lists and dropdowns call). */
	loadOptionsContext(parameters: INodeParameters = {}): ILoadOptionsFunctions {
		return loadOptionsContextFor(this.nodeTypes, this.credentials, this.node(parameters));
	}

	storedCredential(id: string = this.product): ICredentialDataDecryptedObject {
		return this.credentials.data(id);
	}
}

/** The simulator's user named `name` (case-insensitive), as its state dump has it (no secrets). */
export function cloudUser(sim: SimServer, name: string): IDataObject | undefined {
	const users = sim.product.snapshot().users as IDataObject[];
	return users.find((u) => String(u.name).toLowerCase() === name.toLowerCase());
}
