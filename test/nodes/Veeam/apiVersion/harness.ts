/**
 * API version "Automatic" through n8n's engine, per product: a simulator serving a chosen set of
 * versions (`sim.serveVersions`, answering the others as sim/contracts says Veeam does), one stored
 * credential kept between executions (token, refresh token and the version found, as n8n stores
 * them), and the Veeam node listing users. Every run counts the simulator's requests.
 */
import type { ICredentialDataDecryptedObject, ICredentialType, IDataObject } from 'n8n-workflow';

import { VeeamBackupAwsApi } from '../../../../credentials/VeeamBackupAwsApi.credentials';
import { VeeamBackupAzureApi } from '../../../../credentials/VeeamBackupAzureApi.credentials';
import { VeeamBackupGoogleCloudApi } from '../../../../credentials/VeeamBackupGoogleCloudApi.credentials';
import { VeeamBackupReplicationApi } from '../../../../credentials/VeeamBackupReplicationApi.credentials';
import { Veeam } from '../../../../nodes/Veeam/Veeam.node';
import {
	AWS_DEFAULT_ADMIN,
	AWS_DEFAULT_PASSWORD,
	AZURE_DEFAULT_ADMIN,
	AZURE_DEFAULT_PASSWORD,
	VBGC_DEFAULT_ADMIN,
	VBGC_DEFAULT_PASSWORD,
	VBR_DEFAULT_PASSWORD,
	type SimServer,
} from '../../../../sim';
import { NodeTypes, TestCredentialsHelper, runWorkflow, trustFields } from '../../../support/engine';
import { NODE_NAME, NODE_TYPE } from '../fixtures';

export type P = 'vbr' | 'vbgc' | 'aws' | 'azure';

export interface ProductCase {
	product: P;
	credential: ICredentialType;
	login: { username: string; password: string };
	/** The package's versions, newest first. */
	known: string[];
	/** A version of the product's format the package does not know (a newer server's). */
	unknownNewer: string;
	/** An older server: the set it serves and the newest known among it. */
	older: { serves: string[]; finds: string };
}

export const CASES: Record<P, ProductCase> = {
	vbr: {
		product: 'vbr',
		credential: new VeeamBackupReplicationApi(),
		login: { username: 'VBR01\\svc-n8n', password: VBR_DEFAULT_PASSWORD },
		known: ['1.3-rev2', '1.3-rev1'],
		unknownNewer: '1.4-rev0',
		// VBR 13.0.1 (its forum-reported refusal lists older revisions too; only known ones are chosen).
		older: { serves: ['1.2-rev1', '1.3-rev0', '1.3-rev1'], finds: '1.3-rev1' },
	},
	vbgc: {
		product: 'vbgc',
		credential: new VeeamBackupGoogleCloudApi(),
		login: { username: VBGC_DEFAULT_ADMIN, password: VBGC_DEFAULT_PASSWORD },
		known: ['1.4-rev0'],
		unknownNewer: '1.5-rev0',
		// The package knows one VBGC version: an "older" server is one that still serves it among older ones.
		older: { serves: ['1.2-rev0', '1.3-rev0', '1.4-rev0'], finds: '1.4-rev0' },
	},
	aws: {
		product: 'aws',
		credential: new VeeamBackupAwsApi(),
		login: { username: AWS_DEFAULT_ADMIN, password: AWS_DEFAULT_PASSWORD },
		known: ['1.8-rev0', '1.7-rev0', '1.6-rev0', '1.5-rev1', '1.5-rev0'],
		unknownNewer: '1.9-rev0',
		// Veeam Backup for AWS 9.0 (sim/contracts/aws.md: its own version and the three before it).
		older: { serves: ['1.5-rev0', '1.5-rev1', '1.6-rev0', '1.7-rev0'], finds: '1.7-rev0' },
	},
	azure: {
		product: 'azure',
		credential: new VeeamBackupAzureApi(),
		login: { username: AZURE_DEFAULT_ADMIN, password: AZURE_DEFAULT_PASSWORD },
		known: ['v8.1', 'v8', 'v7', 'v6', 'v5'],
		unknownNewer: 'v9',
		// Veeam Backup for Microsoft Azure 7.0 ("Versioning": v7, v6, v5).
		older: { serves: ['v5', 'v6', 'v7'], finds: 'v7' },
	},
};

export const ID = 'veeam';

/** One product's simulator and one stored credential, kept between the executions of a test. */
export class AutomaticHarness {
	readonly nodeTypes = new NodeTypes({ [NODE_TYPE]: new Veeam() });
	credentials!: TestCredentialsHelper;

	constructor(
		readonly sim: SimServer,
		readonly c: ProductCase,
	) {
		this.useCredential({});
	}

	/** A fresh stored credential (no token): Automatic unless `overrides` pins a version. */
	useCredential(overrides: IDataObject): void {
		const data = {
			url: this.sim.url,
			...this.c.login,
			apiVersion: 'auto',
			...trustFields(this.sim.tls.caPem),
			...overrides,
		} as ICredentialDataDecryptedObject;
		this.credentials = new TestCredentialsHelper([this.c.credential], { [ID]: { type: this.c.credential.name, name: 'tested', data } });
	}

	stored(): ICredentialDataDecryptedObject {
		return this.credentials.data(ID);
	}

	/** One execution listing the users; the simulator's requests it took, and its outcome. */
	async execute(): Promise<{ requests: number; tokenRequests: number; error?: Error; users: number }> {
		this.sim.stats.reset();
		const run = await runWorkflow({
			nodes: [
				{
					id: 'veeam',
					name: NODE_NAME,
					type: NODE_TYPE,
					typeVersion: 1,
					position: [0, 0],
					parameters: { product: this.c.product, resource: 'user', operation: 'getMany', returnAll: true },
					credentials: this.credentials.ref(ID),
				},
			],
			credentials: this.credentials,
			nodeTypes: this.nodeTypes,
		});
		const tokenRequests = Object.values(this.sim.stats.grants).reduce((a, b) => a + b, 0);
		const users = run.outputs[NODE_NAME]?.[0]?.length ?? 0;
		return { requests: this.sim.stats.requests, tokenRequests, error: run.error as Error | undefined, users };
	}

	/** The server upgraded or downgraded: a restart serving `versions`, users and tokens kept. */
	async serverNowServes(versions: string[]): Promise<void> {
		this.sim.serveVersions(versions);
		await this.sim.restart();
	}
}

/** An error's text as n8n shows it (message and description). */
export function errorText(error: unknown): string {
	const e = error as { message?: string; description?: string; messages?: string[] } | undefined;
	return [e?.message, e?.description, ...(e?.messages ?? [])].filter(Boolean).join(' | ');
}
