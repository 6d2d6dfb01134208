import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { createDirectory } from '../../../client/adapters';
import { chosenOrganization } from './vb365';

/** The server's roles, by name (operations also accept role IDs given through an expression). */
export async function getRoles(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const roles = await createDirectory(this, this.getCurrentNodeParameter('product') ?? 'vbr').listRoles();
	// A name two roles share (VBR custom roles) cannot say which: those two are listed by ID.
	const shared = (r: { name: string }) => roles.filter((o) => o.name.toLowerCase() === r.name.toLowerCase()).length > 1;
	return roles
		.map((r) => ({ name: r.name, value: shared(r) ? r.id : r.name, ...(r.description ? { description: r.description } : {}) }))
		.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The restore operator roles of the organization chosen (Veeam Backup for Microsoft 365), by name; a
 * name two roles of it share is listed by ID. Empty until an organization is chosen.
 */
export async function getVb365Roles(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const org = await chosenOrganization(this);
	const access = createDirectory(this, this.getCurrentNodeParameter('product') ?? 'vbr').vb365?.();
	if (!org || !access) return [];
	const roles = await access.roles(org);
	const shared = (r: { name: string }) => roles.filter((o) => o.name.toLowerCase() === r.name.toLowerCase()).length > 1;
	return roles
		.map((r) => ({ name: shared(r) ? `${r.name} (${r.id})` : r.name, value: shared(r) ? r.id : r.name, ...(r.description ? { description: r.description } : {}) }))
		.sort((a, b) => a.name.localeCompare(b.name));
}
