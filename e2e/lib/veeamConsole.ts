/**
 * Changes to a simulated Veeam Backup & Replication server made outside n8n, as an administrator
 * would make them in the Veeam console: through the simulator's REST API over HTTPS (its CA
 * trusted), with its own login. Used by the trigger test to give n8n something to notice.
 *
 * User ids come from `sim.product.snapshot()` (in process), not from GET /users: the trigger test
 * counts the list requests to know when n8n polled.
 */
import { request } from 'node:https';

import { VBR_DEFAULT_LOGINS, VBR_DEFAULT_PASSWORD, type SimServer } from '../../sim';

interface SnapshotUser {
	id: string;
	name: string;
	roles?: Array<{ id: string; name: string }>;
}
interface SnapshotRole {
	id: string;
	name: string;
}

export class VbrConsole {
	private token = '';

	constructor(
		private readonly sim: SimServer,
		private readonly login = VBR_DEFAULT_LOGINS[1].name, // VBR01\admin: not the account n8n uses
	) {}

	/** Replaces a user's roles (PUT /users/{id}/roles), by user and role names. */
	async setRoles(userName: string, roleNames: string[]): Promise<void> {
		const state = this.sim.product.snapshot() as { users: SnapshotUser[]; roles: SnapshotRole[] };
		const user = state.users.find((u) => u.name.toLowerCase() === userName.toLowerCase());
		if (!user) throw new Error(`simulator has no user ${userName}`);
		const roles = roleNames.map((name) => {
			const role = state.roles.find((r) => r.name === name);
			if (!role) throw new Error(`simulator has no role ${name}`);
			return { id: role.id, name: role.name };
		});
		await this.call('PUT', `/api/v1/security/users/${user.id}/roles`, { roles });
	}

	/** Adds an Active Directory user (InternalUser, as Veeam's examples type TECH\\sheila.d.cory) with the given roles (POST /users). */
	async addUser(name: string, roleNames: string[]): Promise<void> {
		const state = this.sim.product.snapshot() as { roles: SnapshotRole[] };
		const roles = roleNames.map((n) => {
			const role = state.roles.find((r) => r.name === n);
			if (!role) throw new Error(`simulator has no role ${n}`);
			return { id: role.id, name: role.name };
		});
		await this.call('POST', '/api/v1/security/users', { name, type: 'InternalUser', roles, isServiceAccount: false });
	}

	private async call(method: string, path: string, body?: unknown): Promise<unknown> {
		if (!this.token) {
			const form = new URLSearchParams({ grant_type: 'password', username: this.login, password: VBR_DEFAULT_PASSWORD }).toString();
			const answer = (await this.send('POST', '/api/oauth2/token', form, 'application/x-www-form-urlencoded')) as { access_token: string };
			this.token = answer.access_token;
		}
		return await this.send(method, path, body === undefined ? undefined : JSON.stringify(body), 'application/json');
	}

	private async send(method: string, path: string, payload: string | undefined, contentType: string): Promise<unknown> {
		const url = new URL(path, this.sim.url);
		return await new Promise((resolve, reject) => {
			const req = request(
				url,
				{
					method,
					ca: this.sim.tls.caPem,
					headers: {
						'x-api-version': '1.3-rev1',
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
						if ((res.statusCode ?? 0) >= 300) reject(new Error(`${method} ${path} → ${res.statusCode}: ${text}`));
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
