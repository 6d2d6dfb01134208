import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { createDirectory } from '../../../client/adapters';
import { chosenOrganization, vb365Of } from './vb365';

/** Users per page of the list; the editor asks for the next page with the returned token. */
const PAGE_SIZE = 100;

function product(ctx: ILoadOptionsFunctions): unknown {
	return ctx.getCurrentNodeParameter('product') ?? 'vbr';
}

/**
 * Users for the "From List" mode of the user locator. The search text goes to the server as a
 * name pattern (`*text*`), so a user on any page can be found; the pagination token is the next
 * `skip`. Errors (a wrong credential, an unreachable server) surface in the editor.
 */
export async function searchUsers(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const directory = createDirectory(this, product(this));
	const parsed = Number(paginationToken);
	const skip = Number.isInteger(parsed) && parsed > 0 ? parsed : 0;
	const text = filter?.trim() ?? '';
	const page = await directory.listUsersPage(text ? { namePattern: `*${text}*` } : {}, skip, PAGE_SIZE);
	// The users the server sent, matching or not (a server may ignore the pattern: `users` are checked).
	const next = page.next ?? skip + page.users.length;
	return {
		results: page.users.map((u) => ({ name: u.name, value: u.ref, description: u.type })),
		paginationToken: next > skip && next < page.total ? String(next) : undefined,
	};
}

/** Roles for the role locator: all of them (a server has a handful), filtered by the search text. */
export async function searchRoles(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const roles = await createDirectory(this, product(this)).listRoles();
	const text = filter?.trim().toLowerCase() ?? '';
	return {
		results: roles
			.filter((r) => !text || r.name.toLowerCase().includes(text))
			.map((r) => ({ name: r.name, value: r.id, description: r.description })),
	};
}

/** The backed-up organizations (a server has a few), filtered by the search text (name or ID). */
export async function searchVb365Organizations(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const orgs = await vb365Of(this).organizations();
	const text = filter?.trim().toLowerCase() ?? '';
	return {
		results: orgs
			.filter((o) => !text || o.name.toLowerCase().includes(text) || (o.officeName ?? '').toLowerCase().includes(text) || o.id.toLowerCase() === text)
			.sort((a, b) => a.name.localeCompare(b.name))
			.map((o) => ({ name: o.name, value: o.id, ...(o.type ? { description: o.type } : {}) })),
	};
}

/** The restore operator roles of the organization chosen (of every organization before one is), filtered by the search text. */
export async function searchVb365Roles(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const roles = await vb365Of(this).roles(await chosenOrganization(this));
	const text = filter?.trim().toLowerCase() ?? '';
	return {
		results: roles
			.filter((r) => !text || r.name.toLowerCase().includes(text) || r.id.toLowerCase() === text)
			.sort((a, b) => a.name.localeCompare(b.name))
			.map((r) => ({ name: r.name, value: r.id, ...(r.description ? { description: r.description } : {}) })),
	};
}
