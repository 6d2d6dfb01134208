import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { createDirectory } from '../../client/adapters';

/** The server's roles for the role filter; the value is the role's ID (names work too, through an expression). */
export async function getRoles(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const roles = await createDirectory(this, this.getCurrentNodeParameter('product') ?? 'vbr').listRoles();
	return roles
		.map((r) => ({ name: r.name, value: r.id, ...(r.description ? { description: r.description } : {}) }))
		.sort((a, b) => a.name.localeCompare(b.name));
}
