/**
 * For the trigger's role and access events: an administrator who changes custom roles and ACL
 * records through VBR's REST API (1.3-rev2), backups and jobs appearing or going behind the API (VBR
 * creates a backup when a job first runs; no REST call of the ACL subset does), and the server's
 * custom roles and ACL records right now, read inside the simulator.
 */
import { randomUUID } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import type { SimServer } from '../../../sim';
import { VbrAdmin } from './harness';

export const ROLE_EVENT_KINDS = ['roleCreated', 'roleChanged', 'roleDeleted'];
export const ACCESS_EVENT_KINDS = ['accessChanged'];
/** Built-in roles a delegation may name (sim/vbr/roles.ts). */
export const RESTORE_OPERATOR = 'b167c3af-2262-4b6c-9861-0606fc0cb6b1';

/** VBR's administrator (harness.ts), who also changes custom roles and ACL records. */
export class AccessAdmin extends VbrAdmin {
	async createRole(spec: IDataObject): Promise<string> {
		const created = await this.call('post', '/api/v1/security/roles', { manageBackups: false, manageRestores: false, ...spec });
		return String(created.id);
	}

	/** Edits a role: its details now, with `change` applied (a whole model, as Veeam's PUT takes). */
	async updateRole(id: string, change: IDataObject): Promise<void> {
		const now = await this.call('get', `/api/v1/security/roles/${id}/details`);
		const next: IDataObject = { ...now, ...change, id };
		for (const [k, v] of Object.entries(change)) if (v === undefined) delete next[k];
		await this.call('put', `/api/v1/security/roles/${id}`, next);
	}

	async deleteRole(id: string): Promise<void> {
		await this.call('delete', `/api/v1/security/roles/${id}`);
	}

	async cloneRole(id: string): Promise<string> {
		return String((await this.call('post', `/api/v1/security/roles/${id}/clone`)).id);
	}

	async changeOwner(type: string, id: string, owner: string): Promise<void> {
		await this.call('post', `/api/v1/acl/${type}/${id}/changeOwner`, { owner });
	}

	async changeEffectiveAccess(type: string, id: string, delegations: Array<{ roleId: string; rights: string[] }>): Promise<void> {
		await this.call('post', `/api/v1/acl/${type}/${id}/changeEffectiveAccess`, {
			effectiveAccess: delegations.map((d) => ({ principal: { id: d.roleId, name: 'n/a' }, rights: d.rights })),
		});
	}
}

/** What the simulator keeps of a backup or job (sim/vbr/acl.ts `AclObject`; test-only reach into its state). */
interface SimAclObject {
	id: string;
	kind: 'backupJob' | 'backup';
	name: string;
	owner: { userIdentifier: string; name: string };
	rights: string[];
	effectiveAccess: Array<{ roleId: string; rights: string[] }>;
}

function aclObjects(sim: SimServer): Map<string, SimAclObject> {
	const acl = (sim.product as unknown as { acl?: { objects?: Map<string, SimAclObject> } }).acl;
	if (!acl?.objects) throw new Error('the VBR simulator keeps its ACL objects elsewhere now: update accessHarness.ts');
	return acl.objects;
}

/** A backup or job appears (a job was created, a job ran for the first time): owned by the examples' administrator, full rights. */
export function addAclObject(sim: SimServer, kind: 'backupJob' | 'backup', name: string): string {
	const id = randomUUID();
	aclObjects(sim).set(id, {
		id,
		kind,
		name,
		owner: { userIdentifier: 'S-1-5-21-1004336348-1177238915-682003330-512', name: 'TECH\\Administrator' },
		rights: ['full'],
		effectiveAccess: [],
	});
	return id;
}

export function removeAclObject(sim: SimServer, id: string): void {
	if (!aclObjects(sim).delete(id)) throw new Error(`no ACL object ${id}`);
}

/** The custom roles now: id (lower case) → the role's details as the server answers them. */
export function serverCustomRoles(sim: SimServer): Map<string, IDataObject> {
	const product = sim.product as unknown as { customRoles: { model(role: unknown): IDataObject } };
	const roles = (sim.product.snapshot() as { roles: IDataObject[] }).roles.filter((r) => r.isBuiltIn === false);
	return new Map(roles.map((r) => [String(r.id).toLowerCase(), product.customRoles.model(r)]));
}

/** The ACL records now (as an administrator sees them): `type:id` → the record. */
export function serverAcl(sim: SimServer): Map<string, IDataObject> {
	const records = (sim.product.snapshot() as { acl: IDataObject[] }).acl;
	return new Map(
		records.map((r) => {
			const object = r.object as IDataObject;
			const type = String(object.type).toLowerCase() === 'job' ? 'backupJob' : String(object.type).toLowerCase() === 'backup' ? 'backup' : String(object.type);
			return [`${type.toLowerCase()}:${String(object.id).toLowerCase()}`, r];
		}),
	);
}

/** An ACL record (`AclRecordModel`) reduced to what the trigger compares. */
export function comparableAcl(record: IDataObject | null | undefined): IDataObject | null {
	if (!record) return null;
	const principal = (record.principal ?? record) as IDataObject;
	const owner = principal.owner as IDataObject;
	const delegations = ((principal.effectiveAccess ?? []) as IDataObject[]).map((d) => {
		const roleId = String((d.principal as IDataObject | undefined)?.id ?? d.roleId).toLowerCase();
		return `${roleId}=${[...(d.rights as string[])].sort().join(',')}`;
	});
	return { owner: String(owner.userIdentifier).toLowerCase(), rights: [...(principal.rights as string[])].sort(), effectiveAccess: delegations.sort() };
}
