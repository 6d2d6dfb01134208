/**
 * The Veeam Trigger's tests on Veeam Service Provider Console: the truth read from the simulator
 * (users of every organization and their logins, in what the trigger compares), and an
 * administrator who changes users the way a provider's staff would, through VSPC's REST API.
 */
import type { AxiosInstance } from 'axios';
import type { IDataObject } from 'n8n-workflow';

import { VSPC_DEFAULT_ADMIN, VSPC_DEFAULT_PASSWORD, VspcProduct, type SimServer } from '../../../sim';
import { simClient } from '../../support/simClient';
import { itemRef } from './harness';

export const VSPC_VERSION = '3.6';
export const VSPC_USERS = '/api/v3/users';
export const VSPC_LOGINS = '/api/v3/users/logins';

/** The simulator's store, for what the REST API cannot do (a user setting up an authenticator at the portal). */
export const vspcProduct = (sim: SimServer) => sim.product as VspcProduct;

/** The roles of the simulator's organization types (the API values). */
export const VSPC_COMPANY_ROLES = ['CompanyAdministrator', 'CompanyLocationAdministrator', 'CompanyLocationUser', 'CompanyInvoiceAuditor'];

/**
 * A user reduced to what the trigger compares on VSPC: organization, role, status, MFA policy
 * and set-up, and (with `logins`) its login IDs. From an item, a decoded snapshot, or the truth.
 */
export function vspcComparable(user: IDataObject | null | undefined, logins: boolean): IDataObject | null {
	if (!user) return null;
	const u = user as { name: string; type: string; roles: Array<{ id: string }>; organization?: { uid: string }; status?: string; mfaPolicy?: string; mfaConfigured?: boolean; mfaEnabled?: boolean; logins?: Array<{ id: string }> };
	return {
		ref: itemRef(user).toLowerCase(),
		name: u.name,
		type: u.type,
		organization: u.organization?.uid.toLowerCase() ?? null,
		roles: u.roles.map((r) => r.id.toLowerCase()).sort(),
		status: u.status ?? null,
		mfaPolicy: u.mfaPolicy ?? null,
		mfaEnabled: u.mfaEnabled ?? null,
		mfaConfigured: u.mfaConfigured ?? null,
		...(logins ? { logins: (u.logins ?? []).map((l) => l.id).sort() } : {}),
	};
}

interface SnapshotUser {
	instanceUid: string;
	organizationUid: string;
	userName: string;
	status: string;
	mfaPolicyStatus: string;
	mfaPolicyConfigurationStatus: string;
	role: string;
}

/** The simulator's users right now, as the trigger should see them, keyed by UID (lower case). */
export function vspcTruth(sim: SimServer, logins: boolean): Map<string, IDataObject> {
	const snap = sim.product.snapshot() as { organizations: Array<{ instanceUid: string; type: string }>; users: SnapshotUser[]; logins: Array<{ id: number; userUid: string }> };
	const orgType = new Map(snap.organizations.map((o) => [o.instanceUid.toLowerCase(), o.type]));
	const byUser = new Map<string, string[]>();
	for (const l of snap.logins) {
		const key = l.userUid.toLowerCase();
		byUser.set(key, [...(byUser.get(key) ?? []), String(l.id)]);
	}
	const truth = new Map<string, IDataObject>();
	for (const u of snap.users) {
		const ref = u.instanceUid.toLowerCase();
		truth.set(ref, {
			ref,
			name: u.userName,
			type: orgType.get(u.organizationUid.toLowerCase()) ?? 'Unknown',
			organization: u.organizationUid.toLowerCase(),
			roles: [u.role.toLowerCase()],
			status: u.status,
			mfaPolicy: u.mfaPolicyStatus,
			mfaEnabled: u.mfaPolicyStatus === 'Enabled' || u.mfaPolicyStatus === 'EnabledByInheritance',
			mfaConfigured: u.mfaPolicyConfigurationStatus === 'Configured',
			...(logins ? { logins: (byUser.get(ref) ?? []).sort() } : {}),
		});
	}
	return truth;
}

function expectOk(status: number, what: string, body: unknown): void {
	if (status < 200 || status >= 300) throw new Error(`${what} answered ${status}: ${JSON.stringify(body)}`);
}

/** A provider's administrator at the console's REST API (the simulator's Portal Administrator). */
export class VspcAdmin {
	private http: AxiosInstance;

	constructor(private readonly sim: SimServer) {
		this.http = this.client();
	}

	private client(token?: string): AxiosInstance {
		const http = simClient(this.sim, { token });
		http.defaults.headers.common['X-Client-Version'] = VSPC_VERSION;
		return http;
	}

	async login(): Promise<void> {
		const res = await this.http.post('/api/v3/token', new URLSearchParams({ grant_type: 'password', username: VSPC_DEFAULT_ADMIN, password: VSPC_DEFAULT_PASSWORD }).toString(), {
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		});
		expectOk(res.status, 'login', res.data);
		this.http = this.client((res.data as IDataObject).access_token as string);
	}

	private async call(method: 'get' | 'post' | 'patch' | 'delete', path: string, body?: unknown, params?: IDataObject): Promise<IDataObject> {
		let res = await this.http.request({ method, url: path, data: body, params });
		if (res.status === 401) {
			await this.login();
			res = await this.http.request({ method, url: path, data: body, params });
		}
		expectOk(res.status, `${method.toUpperCase()} ${path}`, res.data);
		return ((res.data as IDataObject | undefined)?.data ?? {}) as IDataObject;
	}

	/** One page of a list, as the server sends it (envelope and all). */
	async page(path: string, offset: number, limit: number): Promise<{ data: IDataObject[]; meta: IDataObject }> {
		const res = await this.http.get(path, { params: { offset, limit } });
		expectOk(res.status, `GET ${path}`, res.data);
		return res.data as { data: IDataObject[]; meta: IDataObject };
	}

	/** Returns the new user's UID. */
	async addUser(organizationUid: string, userName: string, role: string, { mfaRequired = false }: { mfaRequired?: boolean } = {}): Promise<string> {
		const created = await this.call('post', VSPC_USERS, {
			organizationUid,
			role,
			mfaPolicyStatus: mfaRequired ? 'Enabled' : 'Disabled',
			profile: { firstName: 'New', lastName: 'User', email: `${userName}@example.com` },
			credentials: { userName, password: VSPC_DEFAULT_PASSWORD },
		});
		return String(created.instanceUid);
	}

	async removeUser(uid: string): Promise<void> {
		await this.call('delete', `${VSPC_USERS}/${uid}`);
	}

	private async patch(uid: string, path: string, value: unknown): Promise<void> {
		await this.call('patch', `${VSPC_USERS}/${uid}`, [{ op: 'replace', path, value }]);
	}

	async setRole(uid: string, role: string): Promise<void> {
		await this.patch(uid, '/role', role);
	}

	async setMfaRequired(uid: string, required: boolean): Promise<void> {
		await this.patch(uid, '/mfaPolicyStatus', required ? 'Enabled' : 'Disabled');
	}

	async setStatus(uid: string, status: 'Enabled' | 'Disabled'): Promise<void> {
		await this.patch(uid, '/status', status);
	}

	/** Profile fields changed in one JSON Patch (`/profile/<field>`). */
	async setProfile(uid: string, profile: Record<string, string>): Promise<void> {
		await this.call('patch', `${VSPC_USERS}/${uid}`, Object.entries(profile).map(([field, value]) => ({ op: 'replace', path: `/profile/${field}`, value })));
	}

	/** Returns the new login's ID (the key itself, shown once, is dropped). */
	async addApiKey(uid: string, description = 'integration'): Promise<string> {
		const created = await this.call('post', `${VSPC_USERS}/${uid}/logins/apikey`, undefined, { description, scopes: JSON.stringify(['rest']), isReadAccessOnly: false });
		return String(created.id);
	}

	async deleteLogin(uid: string, loginId: string): Promise<void> {
		await this.call('delete', `${VSPC_USERS}/${uid}/logins/${loginId}`);
	}

	/** The user sets up an authenticator at the portal: a TOTP login (done inside the simulator). */
	addTotp(uid: string): string {
		const store = vspcProduct(this.sim).store;
		const user = store.users.get(uid);
		if (!user) throw new Error(`no VSPC user ${uid}`);
		return String(store.addLogin(user, 'totp', { description: 'Authenticator app', scopes: ['ui'], secret: 'JBSWY3DPEHPK3PXP' }).id);
	}
}
