/** Credentials and small workflow pieces the end-to-end tests share. */
import { VBGC_DEFAULT_ADMIN, VBGC_DEFAULT_PASSWORD, VBR_DEFAULT_LOGINS, VBR_DEFAULT_PASSWORD, type SimServer } from '../../sim';
import type { CredentialImport, N8nInstance } from './n8n';

/**
 * TLS trust for a simulator: n8n 2.x trusts its CA (verification on); n8n 1.x ignores a
 * per-request CA (its HTTP helper drops agentOptions.ca), so there the credential skips
 * verification. Tests say which in their names.
 */
export function tlsTrust(n8n: N8nInstance, sim: SimServer): Record<string, unknown> {
	return n8n.major >= 2 ? { caCertificate: sim.tls.caPem, skipTlsVerification: false } : { caCertificate: '', skipTlsVerification: true };
}

export function tlsLabel(major: number): string {
	return major >= 2 ? 'CA trusted' : 'TLS verification skipped: 1.x ignores per-request CAs';
}

/** A VBR credential logging in as the simulator's service account VBR01\svc-n8n. */
export function vbrCredential(n8n: N8nInstance, sim: SimServer, ref: { id: string; name: string }): CredentialImport {
	return {
		...ref,
		type: 'veeamBackupReplicationApi',
		data: { url: sim.url, username: VBR_DEFAULT_LOGINS[0].name, password: VBR_DEFAULT_PASSWORD, apiVersion: '1.3-rev1', ...tlsTrust(n8n, sim) },
	};
}

/** A VBGC credential logging in as the simulator's built-in administrator (no MFA). */
export function vbgcCredential(n8n: N8nInstance, sim: SimServer, ref: { id: string; name: string }): CredentialImport {
	return {
		...ref,
		type: 'veeamBackupGoogleCloudApi',
		data: { url: sim.url, username: VBGC_DEFAULT_ADMIN, password: VBGC_DEFAULT_PASSWORD, apiVersion: '1.4-rev0', ...tlsTrust(n8n, sim) },
	};
}

/** Users in a simulator snapshot. */
export interface SnapshotUser {
	id?: string;
	name: string;
	roles?: Array<{ id: string; name: string }>;
	mfaEnabled?: boolean;
	[key: string]: unknown;
}

export function snapshotUsers(sim: SimServer): SnapshotUser[] {
	return (sim.product.snapshot() as { users: SnapshotUser[] }).users;
}

export function userNamed(sim: SimServer, name: string): SnapshotUser | undefined {
	return snapshotUsers(sim).find((u) => u.name.toLowerCase() === name.toLowerCase());
}

export function roleNamesOf(user: SnapshotUser | undefined): string[] {
	return (user?.roles ?? []).map((r) => r.name).sort();
}

/** Every user name appears once (case-insensitive): nothing was created twice. */
export function duplicateNames(sim: SimServer): string[] {
	const seen = new Map<string, number>();
	for (const u of snapshotUsers(sim)) seen.set(u.name.toLowerCase(), (seen.get(u.name.toLowerCase()) ?? 0) + 1);
	return [...seen].filter(([, n]) => n > 1).map(([name]) => name);
}

let nodeCounter = 0;
/** A workflow node with a fresh id. */
export function node(name: string, type: string, typeVersion: number, parameters: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
	nodeCounter++;
	return {
		id: `7c1e0a52-0000-4000-8000-${String(nodeCounter).padStart(12, '0')}`,
		name,
		type,
		typeVersion,
		position: [nodeCounter * 220, 0],
		parameters,
		...extra,
	};
}

/** `{ A: main → B, B: main → C, … }` for a straight line of nodes. */
export function chain(...names: string[]): Record<string, unknown> {
	const connections: Record<string, unknown> = {};
	for (let i = 0; i + 1 < names.length; i++) connections[names[i]] = { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] };
	return connections;
}

/** A Code node (v2) that outputs these items. */
export function itemsNode(name: string, items: Array<Record<string, unknown>>): Record<string, unknown> {
	return node(name, 'n8n-nodes-base.code', 2, { jsCode: `return ${JSON.stringify(items.map((json) => ({ json })))};` });
}
