/**
 * The Veeam Trigger under n8n's engine (test/support/engine.ts: n8n-core's PollContext, real
 * static data, n8n's save-on-emit rule) against the simulator over HTTPS, plus an administrator
 * that changes users the way a person would, through the product's REST API.
 */
import type { AxiosInstance } from 'axios';
import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { VeeamBackupAwsApi } from '../../../credentials/VeeamBackupAwsApi.credentials';
import { VeeamBackupAzureApi } from '../../../credentials/VeeamBackupAzureApi.credentials';
import { VeeamBackupGoogleCloudApi } from '../../../credentials/VeeamBackupGoogleCloudApi.credentials';
import { VeeamBackupReplicationApi } from '../../../credentials/VeeamBackupReplicationApi.credentials';
import { VeeamServiceProviderConsoleApi } from '../../../credentials/VeeamServiceProviderConsoleApi.credentials';
import { VeeamBackupMicrosoft365Api } from '../../../credentials/VeeamBackupMicrosoft365Api.credentials';
import type { Product, VeeamRole, VeeamUser } from '../../../client/model';
import { fromVbrUser } from '../../../client/adapters/vbr';
import { CREDENTIAL_TYPE } from '../../../client/products';
import type { TrackedUser } from '../../../nodes/VeeamTrigger/diff';
import { configFingerprint, decodeState } from '../../../nodes/VeeamTrigger/state';
import { VeeamTrigger } from '../../../nodes/VeeamTrigger/VeeamTrigger.node';
import {
	AWS_DEFAULT_ADMIN,
	AWS_DEFAULT_PASSWORD,
	AZURE_DEFAULT_ADMIN,
	AZURE_DEFAULT_PASSWORD,
	VBGC_DEFAULT_ADMIN,
	VBGC_DEFAULT_PASSWORD,
	VBR_DEFAULT_PASSWORD,
	VSPC_DEFAULT_ADMIN,
	VSPC_DEFAULT_PASSWORD,
	totpAt,
	type SimServer,
} from '../../../sim';
import { PollActivation, TestCredentialsHelper, trustFields, type PollResult } from '../../support/engine';
import { simClient } from '../../support/simClient';

export const NODE_TYPE = 'n8n-nodes-veeam.veeamTrigger';
export const NODE_NAME = 'Veeam Trigger';
export const STATIC_KEY = `node:${NODE_NAME}`;
/** The default selection (statusChanged and loginsChanged happen on VSPC only, the last three on VB365 only). */
export const ALL_EVENTS = ['userAdded', 'userRemoved', 'rolesChanged', 'mfaChanged', 'serviceAccountModeChanged', 'otherFieldsChanged', 'statusChanged', 'loginsChanged', 'operatorAdded', 'operatorRemoved', 'roleScopeChanged'];

export const API_VERSION: Record<Product, string> = { vbr: '1.3-rev2', vbgc: '1.4-rev0', aws: '1.7-rev0', azure: 'v8.1', vspc: '3.6', vb365: 'v8' };
export const LOGIN: Record<Product, { username: string; password: string }> = {
	vbr: { username: 'VBR01\\svc-n8n', password: VBR_DEFAULT_PASSWORD },
	vbgc: { username: VBGC_DEFAULT_ADMIN, password: VBGC_DEFAULT_PASSWORD },
	aws: { username: AWS_DEFAULT_ADMIN, password: AWS_DEFAULT_PASSWORD },
	azure: { username: AZURE_DEFAULT_ADMIN, password: AZURE_DEFAULT_PASSWORD },
	vspc: { username: VSPC_DEFAULT_ADMIN, password: VSPC_DEFAULT_PASSWORD },
	// The VB365 simulator's account (sim/vb365/model.ts VB365_DEFAULT_ADMIN / VB365_DEFAULT_PASSWORD).
	vb365: { username: 'VB365\\Administrator', password: 'Sim-Passw0rd!' },
};
/** The user collection of each product's API (what fault specs and route counts name). */
export const USERS_PATH: Record<Product, string> = {
	vbr: '/api/v1/security/users',
	vbgc: '/api/v1/users',
	aws: '/api/v1/users',
	azure: `/api/${API_VERSION.azure}/users`,
	vspc: '/api/v3/users',
	vb365: '/v8/RbacRoles',
};

export function credentialsFor(sim: SimServer, product: Product, overrides: IDataObject = {}): TestCredentialsHelper {
	const types = [new VeeamBackupReplicationApi(), new VeeamBackupGoogleCloudApi(), new VeeamBackupAwsApi(), new VeeamBackupAzureApi(), new VeeamServiceProviderConsoleApi(), new VeeamBackupMicrosoft365Api()];
	return new TestCredentialsHelper(types, {
		[product]: {
			type: CREDENTIAL_TYPE[product],
			name: `${product} (simulator)`,
			data: {
				url: sim.url,
				...LOGIN[product],
				apiVersion: API_VERSION[product],
				...trustFields(sim.tls.caPem),
				...overrides,
			},
		},
	});
}

export interface TriggerOptions {
	events?: string[];
	options?: IDataObject;
	staticData?: IDataObject;
	credentials?: TestCredentialsHelper;
	/** Further node parameters (e.g. VB365's `organization`). */
	parameters?: IDataObject;
}

/** One activated workflow with the Veeam Trigger (a live activation: see PollActivation). */
export function activate(sim: SimServer, product: Product, opts: TriggerOptions = {}): PollActivation {
	const credentials = opts.credentials ?? credentialsFor(sim, product);
	const parameters = { product, events: opts.events ?? ALL_EVENTS, options: opts.options ?? {}, ...opts.parameters } as INodeParameters;
	return new PollActivation({
		node: { name: NODE_NAME, type: NODE_TYPE, parameters, credentials: credentials.ref(product) },
		nodeType: new VeeamTrigger(),
		credentials,
		staticData: opts.staticData,
	});
}

/** The items a poll emitted (json only), [] for null. */
export function emitted(result: PollResult): IDataObject[] {
	return (result.response?.[0] ?? []).map((item) => item.json);
}

/** `[event, name]` pairs, for compact assertions. */
export function summary(result: PollResult): Array<[string, string]> {
	return emitted(result).map((j) => [String(j.event), String(((j.user ?? j.previous) as IDataObject | null)?.name)]);
}

/** The users in a static-data snapshot (saved or in memory), decoded. */
export function snapshotUsers(sim: SimServer, product: Product, staticData: IDataObject): Map<string, TrackedUser> | undefined {
	const node = (staticData[STATIC_KEY] ?? {}) as IDataObject;
	const cfg = configFingerprint([product, sim.url.toLowerCase(), API_VERSION[product]]);
	const decoded = decodeState(node, cfg);
	return decoded.ok ? decoded.users : undefined;
}

/** The user model of a VBGC user as the adapters' common model has it. */
export function fromVbgcUser(u: IDataObject): VeeamUser {
	const roles = ((u.roles ?? []) as IDataObject[]).map((r) => ({
		id: String(r.id),
		name: String(r.name),
		...(r.description ? { description: String(r.description) } : {}),
	}));
	return {
		ref: String(u.name),
		name: String(u.name),
		type: String(u.type),
		roles,
		...(typeof u.mfaEnabled === 'boolean' ? { mfaEnabled: u.mfaEnabled } : {}),
		...(typeof u.description === 'string' ? { description: u.description } : {}),
		isDirectoryAccount: false,
		isGroup: false,
	};
}

/** The roles of Veeam Backup for AWS and for Microsoft Azure: the API's value and the name people read. */
export const PORTAL_ROLES: Record<'aws' | 'azure', VeeamRole[]> = {
	aws: [
		{ id: 'PortalAdministrator', name: 'Portal Administrator' },
		{ id: 'PortalOperator', name: 'Portal Operator' },
		{ id: 'RestoreOperator', name: 'Restore Operator' },
	],
	azure: [
		{ id: 'PortalAdmin', name: 'Portal Administrator' },
		{ id: 'PortalOperator', name: 'Portal Operator' },
		{ id: 'RestoreOperator', name: 'Restore Operator' },
		{ id: 'VeeamUpdater', name: 'Veeam Updater' },
	],
};

function portalRole(product: 'aws' | 'azure', value: unknown): VeeamRole[] {
	const role = PORTAL_ROLES[product].find((r) => r.id === value);
	return role ? [{ ...role }] : typeof value === 'string' && value ? [{ id: value, name: value }] : [];
}

/** A Veeam Backup for AWS user (the simulator's dump: name, description, mfaEnabled, isDefault, role) in the common model. */
export function fromAwsUser(u: IDataObject): VeeamUser {
	return {
		ref: String(u.name),
		name: String(u.name),
		type: u.isDefault === true ? 'DefaultAdmin' : 'Local',
		roles: portalRole('aws', u.role),
		...(typeof u.mfaEnabled === 'boolean' ? { mfaEnabled: u.mfaEnabled } : {}),
		...(typeof u.description === 'string' ? { description: u.description } : {}),
		isDirectoryAccount: false,
		isGroup: false,
	};
}

/** A Veeam Backup for Microsoft Azure user (UserV3: id, name, type, role[] …) in the common model. */
export function fromAzureUser(u: IDataObject): VeeamUser {
	return {
		ref: String(u.id),
		id: String(u.id),
		name: String(u.name),
		type: String(u.type),
		// v8.1: `role` is one string (RbacRole); older versions wrote a list.
		roles: (Array.isArray(u.role) ? u.role : [u.role]).filter((r) => typeof r === 'string').flatMap((r) => portalRole('azure', r)),
		...(typeof u.mfaEnabled === 'boolean' ? { mfaEnabled: u.mfaEnabled } : {}),
		...(typeof u.description === 'string' ? { description: u.description } : {}),
		...(u.isDefault === true ? { isDefault: true } : {}),
		...(u.type === 'IdentityProvider' && typeof u.identityProviderEntityId === 'string' ? { identityProviderEntityId: u.identityProviderEntityId } : {}),
		isDirectoryAccount: u.type === 'IdentityProvider',
		isGroup: false,
	};
}

/** The server's users right now, in the common model, keyed by ref. */
export function serverUsers(sim: SimServer): Map<string, VeeamUser> {
	const snapshot = sim.product.snapshot() as { product: Product; users: IDataObject[] };
	const convert: Record<Product, (u: IDataObject) => VeeamUser> = {
		vbr: (u) => fromVbrUser(u as unknown as Parameters<typeof fromVbrUser>[0]),
		vbgc: fromVbgcUser,
		aws: fromAwsUser,
		azure: fromAzureUser,
		vspc: () => {
			throw new Error('serverUsers: on VSPC use vspcTruth (vspcHarness.ts)');
		},
		vb365: () => {
			throw new Error('serverUsers: VB365 has restore operators, not users');
		},
	};
	const users = snapshot.users.map(convert[snapshot.product]);
	return new Map(users.map((u) => [u.ref, u]));
}

/** The adapters' handle of a user in an emitted item (items leave `ref` out: it is the VBR id or the VBGC name). */
export function itemRef(user: VeeamUser | IDataObject | null | undefined): string {
	const u = (user ?? {}) as Partial<VeeamUser>;
	return String(u.ref ?? u.id ?? u.name);
}

/** A user reduced to what the trigger compares, for equality checks between models. */
export function comparable(user: VeeamUser | IDataObject | null | undefined): IDataObject | null {
	if (!user) return null;
	const u = user as VeeamUser;
	return {
		ref: itemRef(u),
		name: u.name,
		type: u.type,
		roles: [...u.roles.map((r) => r.id.toLowerCase())].sort(),
		isServiceAccount: u.isServiceAccount ?? null,
		mfaEnabled: u.mfaEnabled ?? null,
		description: u.description ?? null,
	};
}

// ---- an administrator at the Veeam console ----------------------------------------------------

export interface Admin {
	readonly product: Product;
	login(): Promise<void>;
	/** Adds a user; returns its ref. */
	addUser(name: string, roleIds: string[], extra?: { isServiceAccount?: boolean; description?: string }): Promise<string>;
	removeUser(ref: string): Promise<void>;
	setRoles(ref: string, roleIds: string[]): Promise<void>;
	/** VBR: the server-wide MFA setting (users' `mfaEnabled` follows it); VBGC, AWS, Azure: one user's MFA. */
	setMfa(enabled: boolean, ref?: string): Promise<void>;
	setServiceAccount?(ref: string, enabled: boolean): Promise<void>;
	setDescription?(ref: string, description: string): Promise<void>;
	/** A change of a field the REST API cannot change (e.g. an AD account renamed or retyped). */
	setTypeBehindTheApi?(ref: string, type: string): void;
}

const TOTP_STEP_MS = 30_000;

/**
 * The console admin accepts an MFA set-up with the code of the current 30-s step. When the step
 * turns between reading the clock and the server checking the code (a busy machine makes that
 * likelier, never impossible), the server refuses it, and the admin types the new step's code, as a
 * person would. Only then: a refusal within one step is a real failure and is thrown.
 */
export async function typeCurrentCode(sim: SimServer, secret: string, accept: (code: string) => Promise<unknown>): Promise<void> {
	const typedAt = sim.clock.now();
	try {
		await accept(totpAt(secret, typedAt));
	} catch (error) {
		if (Math.floor(sim.clock.now() / TOTP_STEP_MS) === Math.floor(typedAt / TOTP_STEP_MS)) throw error;
		await accept(totpAt(secret, sim.clock.now()));
	}
}

function expectOk(status: number, what: string, body: unknown): void {
	if (status < 200 || status >= 300) throw new Error(`${what} answered ${status}: ${JSON.stringify(body)}`);
}

export class VbrAdmin implements Admin {
	readonly product = 'vbr' as const;
	private http: AxiosInstance;

	constructor(private readonly sim: SimServer) {
		this.http = simClient(sim, { apiVersion: API_VERSION.vbr });
	}

	async login(): Promise<void> {
		const res = await this.http.post(
			'/api/oauth2/token',
			new URLSearchParams({ grant_type: 'password', username: LOGIN.vbr.username, password: LOGIN.vbr.password }).toString(),
			{ headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
		);
		expectOk(res.status, 'login', res.data);
		this.http = simClient(this.sim, { apiVersion: API_VERSION.vbr, token: (res.data as IDataObject).access_token as string });
	}

	protected async call(method: 'get' | 'post' | 'put' | 'delete', path: string, body?: unknown): Promise<IDataObject> {
		let res = await this.http.request({ method, url: path, data: body });
		if (res.status === 401) {
			await this.login();
			res = await this.http.request({ method, url: path, data: body });
		}
		expectOk(res.status, `${method.toUpperCase()} ${path}`, res.data);
		return (res.data ?? {}) as IDataObject;
	}

	async addUser(name: string, roleIds: string[], extra: { isServiceAccount?: boolean; type?: string } = {}): Promise<string> {
		const created = await this.call('post', '/api/v1/security/users', {
			name,
			type: extra.type ?? 'ExternalUser',
			roles: roleIds.map((id) => ({ id })),
			isServiceAccount: extra.isServiceAccount ?? false,
		});
		return String(created.id);
	}

	async removeUser(ref: string): Promise<void> {
		await this.call('delete', `/api/v1/security/users/${ref}`);
	}

	async setRoles(ref: string, roleIds: string[]): Promise<void> {
		await this.call('put', `/api/v1/security/users/${ref}/roles`, { roles: roleIds.map((id) => ({ id })) });
	}

	async setMfa(enabled: boolean): Promise<void> {
		await this.call('put', '/api/v1/security/settings', { mfaEnabled: enabled });
	}

	async setServiceAccount(ref: string, enabled: boolean): Promise<void> {
		await this.call('post', `/api/v1/security/users/${ref}/changeServiceAccountMode`, { isServiceAccountEnable: enabled });
	}

	/**
	 * VBR's REST API cannot change a user's type or name; VBR itself does when the Active Directory
	 * account behind it changes. Done inside the simulator.
	 */
	setTypeBehindTheApi(ref: string, type: string): void {
		const users = (this.sim.product as unknown as { users: Map<string, { type: string }> }).users;
		const user = users.get(ref);
		if (!user) throw new Error(`no VBR user ${ref}`);
		user.type = type;
	}
}

export class VbgcAdmin implements Admin {
	readonly product = 'vbgc' as const;
	private http: AxiosInstance;

	constructor(private readonly sim: SimServer) {
		this.http = simClient(sim, { apiVersion: API_VERSION.vbgc });
	}

	async login(): Promise<void> {
		const res = await this.http.post(
			'/api/v1/token',
			new URLSearchParams({ grant_type: 'password', username: LOGIN.vbgc.username, password: LOGIN.vbgc.password }).toString(),
			{ headers: { 'Content-Type': 'application/x-www-form-urlencoded' } },
		);
		expectOk(res.status, 'login', res.data);
		this.http = simClient(this.sim, { apiVersion: API_VERSION.vbgc, token: (res.data as IDataObject).access_token as string });
	}

	private async call(method: 'post' | 'put' | 'delete', path: string, body?: unknown): Promise<IDataObject> {
		let res = await this.http.request({ method, url: path, data: body });
		if (res.status === 401) {
			await this.login();
			res = await this.http.request({ method, url: path, data: body });
		}
		expectOk(res.status, `${method.toUpperCase()} ${path}`, res.data);
		return (res.data ?? {}) as IDataObject;
	}

	async addUser(name: string, roleIds: string[], extra: { description?: string } = {}): Promise<string> {
		await this.call('post', '/api/v1/users', { name, password: VBGC_DEFAULT_PASSWORD, roleIds, description: extra.description ?? '' });
		return name;
	}

	async removeUser(ref: string): Promise<void> {
		await this.call('delete', `/api/v1/users/${encodeURIComponent(ref)}`);
	}

	async setRoles(ref: string, roleIds: string[]): Promise<void> {
		await this.call('put', `/api/v1/users/${encodeURIComponent(ref)}`, { roleIds });
	}

	async setDescription(ref: string, description: string): Promise<void> {
		await this.call('put', `/api/v1/users/${encodeURIComponent(ref)}`, { description });
	}

	async setMfa(enabled: boolean, ref?: string): Promise<void> {
		if (!ref) throw new Error('VBGC MFA is per user: give the user');
		const path = `/api/v1/users/${encodeURIComponent(ref)}`;
		if (!enabled) {
			await this.call('post', `${path}/mfaDisable`, {});
			return;
		}
		const setup = (await this.call('post', `${path}/mfaEnable`, { recreate: true })).response as IDataObject;
		await typeCurrentCode(this.sim, String(setup.secretKey), (code) => this.call('post', `${path}/mfaAccepted`, { code, token: setup.token }));
	}
}

/** What the simulators of AWS and Azure keep of an account (test-only reach into their state). */
interface SimPortalAccount {
	key: string;
	name: string;
	mfa?: { secret: string; scratchCodes: string[] };
	pendingMfa?: unknown;
}

function simPortalAccount(sim: SimServer, key: string): SimPortalAccount {
	const store = (sim.product as unknown as { users: { keyed(key: string): SimPortalAccount | undefined } }).users;
	const account = store.keyed(key) ?? store.keyed(key.toLowerCase());
	if (!account) throw new Error(`no ${sim.product.name} user ${key}`);
	return account;
}

/** An administrator of Veeam Backup for AWS or for Microsoft Azure at the portal: its REST API. */
abstract class PortalAdmin implements Admin {
	abstract readonly product: 'aws' | 'azure';
	protected http: AxiosInstance;

	constructor(protected readonly sim: SimServer) {
		this.http = this.client();
	}

	protected abstract readonly tokenPath: string;
	protected abstract client(token?: string): AxiosInstance;

	protected get users(): string {
		return USERS_PATH[this.product];
	}

	async login(): Promise<void> {
		const { username, password } = LOGIN[this.product];
		const res = await this.http.post(this.tokenPath, new URLSearchParams({ grant_type: this.product === 'azure' ? 'Password' : 'password', username, password }).toString(), {
			headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
		});
		expectOk(res.status, 'login', res.data);
		this.http = this.client((res.data as IDataObject).access_token as string);
	}

	protected async call(method: 'post' | 'put' | 'delete', path: string, body?: unknown): Promise<IDataObject> {
		let res = await this.http.request({ method, url: path, data: body });
		if (res.status === 401) {
			await this.login();
			res = await this.http.request({ method, url: path, data: body });
		}
		expectOk(res.status, `${method.toUpperCase()} ${path}`, res.data);
		return (res.data ?? {}) as IDataObject;
	}

	/** The one role a user of these products holds. */
	protected oneRole(roleIds: string[]): string {
		if (roleIds.length !== 1) throw new Error(`a ${this.product} user holds exactly one role, not ${roleIds.length}`);
		return roleIds[0];
	}

	abstract addUser(name: string, roleIds: string[], extra?: { description?: string }): Promise<string>;
	abstract setRoles(ref: string, roleIds: string[]): Promise<void>;
	abstract setMfa(enabled: boolean, ref?: string): Promise<void>;

	async removeUser(ref: string): Promise<void> {
		await this.call('delete', `${this.users}/${encodeURIComponent(ref)}`);
	}

	async setDescription(ref: string, description: string): Promise<void> {
		await this.call('put', `${this.users}/${encodeURIComponent(ref)}`, { description });
	}
}

export class AwsAdmin extends PortalAdmin {
	readonly product = 'aws' as const;
	protected readonly tokenPath = '/api/v1/token';

	protected client(token?: string): AxiosInstance {
		return simClient(this.sim, { apiVersion: API_VERSION.aws, token });
	}

	async addUser(name: string, roleIds: string[], extra: { description?: string } = {}): Promise<string> {
		await this.call('post', this.users, { name, description: extra.description ?? '', password: AWS_DEFAULT_PASSWORD, role: this.oneRole(roleIds) });
		return name;
	}

	async setRoles(ref: string, roleIds: string[]): Promise<void> {
		await this.call('put', `${this.users}/${encodeURIComponent(ref)}`, { role: this.oneRole(roleIds) });
	}

	/** AWS sets up another user's MFA over REST: enableMfa, then acceptMfa with a code of the new secret. */
	async setMfa(enabled: boolean, ref?: string): Promise<void> {
		if (!ref) throw new Error('AWS MFA is per user: give the user');
		const path = `${this.users}/${encodeURIComponent(ref)}`;
		if (!enabled) {
			await this.call('post', `${path}/disableMfa`);
			return;
		}
		const setup = await this.call('post', `${path}/enableMfa`, { recreate: true });
		await typeCurrentCode(this.sim, String(setup.secretKey), (code) => this.call('post', `${path}/acceptMfa`, { code, token: setup.token }));
	}
}

export class AzureAdmin extends PortalAdmin {
	readonly product = 'azure' as const;
	protected readonly tokenPath = '/api/oauth2/token';
	private entities = 0;

	protected client(token?: string): AxiosInstance {
		// The version is in the path: no x-api-version header.
		return simClient(this.sim, { token });
	}

	/** Returns the new user's ID. `identityProvider`: a Microsoft Entra ID user (no password, an object ID). */
	async addUser(name: string, roleIds: string[], extra: { description?: string; identityProvider?: boolean } = {}): Promise<string> {
		// Azure v8.1: `role` is one string (RbacRoleNullable).
		const role = this.oneRole(roleIds);
		const description = extra.description ?? '';
		const body = extra.identityProvider
			? { name, description, type: 'IdentityProvider', identityProviderEntityId: `0e7f0000-0000-4000-8000-${String(++this.entities).padStart(12, '0')}`, role }
			: { name, description, type: 'Internal', password: AZURE_DEFAULT_PASSWORD, role };
		const created = await this.call('post', this.users, body);
		return String(created.id);
	}

	async setRoles(ref: string, roleIds: string[]): Promise<void> {
		await this.call('put', `${this.users}/${ref}`, { role: this.oneRole(roleIds) });
	}

	/**
	 * Done inside the simulator, as a finished set-up would leave it (the REST set-up, enableMfa and
	 * acceptMfa, needs a code from the new secret: the engine tests of MFA go through it).
	 */
	async setMfa(enabled: boolean, ref?: string): Promise<void> {
		if (!ref) throw new Error('Azure MFA is per user: give the user');
		const account = simPortalAccount(this.sim, ref);
		account.mfa = enabled ? { secret: 'JBSWY3DPEHPK3PXP', scratchCodes: [] } : undefined;
		account.pendingMfa = undefined;
	}
}

export function adminFor(sim: SimServer): Admin {
	switch (sim.product.name) {
		case 'vbr':
			return new VbrAdmin(sim);
		case 'vbgc':
			return new VbgcAdmin(sim);
		case 'aws':
			return new AwsAdmin(sim);
		case 'azure':
			return new AzureAdmin(sim);
		default:
			throw new Error(`adminFor: no trigger test admin for ${sim.product.name} yet`);
	}
}
