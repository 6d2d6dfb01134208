/**
 * The portal products (Veeam Backup for Google Cloud, for AWS, for Microsoft Azure) in the
 * end-to-end tests: n8n credentials for the AWS and Azure simulators (VBR and VBGC ones are in
 * fixtures.ts), and changes made "in the Veeam console" of those products, over the simulator's
 * REST API as the built-in administrator (HTTPS, its CA trusted), to give a test users that are not
 * in the default state (the simulators' `seed` makes only numbered names).
 */
import { randomUUID } from 'node:crypto';
import { request } from 'node:https';

import {
	AWS_DEFAULT_ADMIN,
	AWS_DEFAULT_PASSWORD,
	AZURE_DEFAULT_ADMIN,
	AZURE_DEFAULT_PASSWORD,
	VBGC_DEFAULT_ADMIN,
	VBGC_DEFAULT_PASSWORD,
	type SimServer,
} from '../../sim';
import { tlsTrust } from './fixtures';
import type { CredentialImport, N8nInstance } from './n8n';

export const AWS_API_VERSION = '1.7-rev0';
export const AZURE_API_VERSION = 'v8.1';
const VBGC_API_VERSION = '1.4-rev0';

/** An AWS credential logging in as the simulator's built-in administrator (no MFA). */
export function awsCredential(n8n: N8nInstance, sim: SimServer, ref: { id: string; name: string }): CredentialImport {
	return {
		...ref,
		type: 'veeamBackupAwsApi',
		data: { url: sim.url, username: AWS_DEFAULT_ADMIN, password: AWS_DEFAULT_PASSWORD, apiVersion: AWS_API_VERSION, ...tlsTrust(n8n, sim) },
	};
}

/** An Azure credential logging in as the simulator's built-in administrator (no MFA). */
export function azureCredential(n8n: N8nInstance, sim: SimServer, ref: { id: string; name: string }): CredentialImport {
	return {
		...ref,
		type: 'veeamBackupAzureApi',
		data: { url: sim.url, username: AZURE_DEFAULT_ADMIN, password: AZURE_DEFAULT_PASSWORD, apiVersion: AZURE_API_VERSION, ...tlsTrust(n8n, sim) },
	};
}

type PortalProductName = 'vbgc' | 'aws' | 'azure';

const CONSOLE: Record<PortalProductName, { admin: string; password: string; tokenPath: string; usersPath: string; headers: Record<string, string> }> = {
	vbgc: { admin: VBGC_DEFAULT_ADMIN, password: VBGC_DEFAULT_PASSWORD, tokenPath: '/api/v1/token', usersPath: '/api/v1/users', headers: { 'x-api-version': VBGC_API_VERSION } },
	aws: { admin: AWS_DEFAULT_ADMIN, password: AWS_DEFAULT_PASSWORD, tokenPath: '/api/v1/token', usersPath: '/api/v1/users', headers: { 'x-api-version': AWS_API_VERSION } },
	azure: { admin: AZURE_DEFAULT_ADMIN, password: AZURE_DEFAULT_PASSWORD, tokenPath: '/api/oauth2/token', usersPath: `/api/${AZURE_API_VERSION}/users`, headers: {} },
};

/** The VBGC role ids the simulator fixes (sim/vbgc/roles.ts), by name. */
const VBGC_ROLE_IDS: Record<string, string> = {
	'Portal Administrator': '3aa715c3-17b3-45b8-9e0b-c61743bf84d1',
	'Portal Operator': '0adb5f78-6593-4189-9383-95fe820a2647',
	'Restore Operator': 'c082aeb7-6c99-4fcc-afaf-360573eff45c',
};

/** A password every portal product's policy accepts. */
const USER_PASSWORD = 'Leaver-Passw0rd!1';

export class PortalConsole {
	private token = '';

	constructor(
		private readonly sim: SimServer,
		private readonly product: PortalProductName,
	) {}

	/** VBGC: a local user with a VBGC role name (Restore Operator, …). */
	async addVbgcUser(name: string, role = 'Restore Operator'): Promise<void> {
		this.expect('vbgc');
		await this.call('POST', CONSOLE.vbgc.usersPath, { name, description: 'Added in the console', password: USER_PASSWORD, roleIds: [VBGC_ROLE_IDS[role]] });
	}

	/** AWS: a local user with an AWS role value (RestoreOperator, …). */
	async addAwsUser(name: string, role = 'RestoreOperator'): Promise<void> {
		this.expect('aws');
		await this.call('POST', CONSOLE.aws.usersPath, { name, description: 'Added in the console', password: USER_PASSWORD, role });
	}

	/** Azure: a Microsoft Entra ID user (type IdentityProvider, a fresh object id, no password). */
	async addAzureEntraUser(name: string, role = 'RestoreOperator'): Promise<void> {
		this.expect('azure');
		await this.call('POST', CONSOLE.azure.usersPath, {
			name,
			description: 'Added in the console',
			type: 'IdentityProvider',
			identityProviderEntityId: randomUUID(),
			// v8.1: one string (RbacRoleNullable, Veeam's v8 reference, tag/User).
			role,
		});
	}

	private expect(product: PortalProductName): void {
		if (this.product !== product) throw new Error(`this console is for ${this.product}, not ${product}`);
	}

	private async call(method: string, path: string, body?: unknown): Promise<unknown> {
		const c = CONSOLE[this.product];
		if (!this.token) {
			// Azure's Login reference writes the grant `Password`; the others take `password`.
			const form = new URLSearchParams({ grant_type: this.product === 'azure' ? 'Password' : 'password', username: c.admin, password: c.password }).toString();
			const answer = (await this.send('POST', c.tokenPath, form, 'application/x-www-form-urlencoded')) as { access_token?: string };
			if (!answer?.access_token) throw new Error(`${this.product} console: no access token in ${JSON.stringify(answer)}`);
			this.token = answer.access_token;
		}
		return await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), 'application/json');
	}

	private async send(method: string, path: string, payload: string | undefined, contentType: string): Promise<unknown> {
		const url = new URL(path, this.sim.url);
		const headers = CONSOLE[this.product].headers;
		return await new Promise((resolve, reject) => {
			const req = request(
				url,
				{
					method,
					ca: this.sim.tls.caPem,
					headers: {
						...headers,
						Accept: 'application/json',
						...(payload === undefined ? {} : { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(payload) }),
						...(this.token ? { Authorization: `Bearer ${this.token}` } : {}),
					},
					timeout: 10_000,
				},
				(res) => {
					let text = '';
					res.setEncoding('utf8');
					res.on('data', (chunk: string) => (text += chunk));
					res.on('end', () => {
						if ((res.statusCode ?? 0) >= 300) reject(new Error(`${this.product} console: ${method} ${path} → ${res.statusCode}: ${text}`));
						else resolve(text ? JSON.parse(text) : undefined);
					});
				},
			);
			req.once('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
			req.once('error', reject);
			req.end(payload);
		});
	}
}
