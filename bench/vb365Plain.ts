/**
 * The plain script the VB365 revoke benchmark compares our node with: what an administrator writes
 * in an afternoon against Veeam Backup for Microsoft 365's REST API v8 to take a leaver out of every
 * restore operator role of an organization. One keep-alive HTTPS client, one request at a time:
 *
 * 1. `POST /v8/token` (form: grant_type=password, username, password, disable_antiforgery_token=true;
 *    helpcenter.veeam.com/docs/vbo365/rest/authorization.html);
 * 2. `GET /v8/Organizations` (one page; the organization found by its name);
 * 3. `GET /v8/Organizations/{organizationId}/RbacRoles` (the role list, a plain array);
 * 4. per role, `GET /v8/RbacRoles/{roleId}/operators`, and when an operator is the leaver (its
 *    `user.name`, the e-mail / UPN, without regard to case) `DELETE /v8/RbacRoles/{roleId}/operators?ids=<operator id>`
 *    (the operator's own `id`, not the user's: the reference's examples, helpcenter.veeam.com/archive/vbo365/60/rest/delete_rbacroles_id_operators.html).
 *
 * That is 2 + 1 + R + L requests for R roles of which L name the leaver: the issue's cost (the role
 * list, one operators read per role, one change per role naming them) plus the token and the
 * organization. It checks nothing after a change (no read-back) and refuses nothing (an ambiguous
 * name, a group taken for the user), which our node does.
 */
import axios, { type AxiosInstance } from 'axios';
import { Agent } from 'node:https';

export interface Vb365Target {
	url: string;
	caPem: string;
	username: string;
	password: string;
}

/** What the script did: roles read, roles changed. */
export interface PlainRevokeResult {
	roles: number;
	removedFrom: number;
}

function client(target: Vb365Target): AxiosInstance {
	return axios.create({
		baseURL: `${target.url}/v8`,
		httpsAgent: new Agent({ ca: target.caPem, keepAlive: true }),
		validateStatus: () => true,
	});
}

function check(status: number, what: string, data: unknown, ok: number[] = [200]): void {
	if (!ok.includes(status)) throw new Error(`plain script: ${what}: ${status} ${JSON.stringify(data).slice(0, 300)}`);
}

/** Runs the script: the leaver (e-mail / UPN) out of every role of the organization named. */
export async function plainVb365Revoke(target: Vb365Target, organizationName: string, leaver: string): Promise<PlainRevokeResult> {
	const api = client(target);
	const token = await api.post(
		'/token',
		new URLSearchParams({ grant_type: 'password', username: target.username, password: target.password, disable_antiforgery_token: 'true' }),
	);
	check(token.status, 'token', token.data);
	api.defaults.headers.common.Authorization = `Bearer ${token.data.access_token as string}`;

	const orgs = await api.get('/Organizations', { params: { limit: 100, offset: 0 } });
	check(orgs.status, 'organizations', orgs.data);
	const org = ((orgs.data?.results ?? []) as Array<{ id: string; name: string }>).find((o) => o.name.toLowerCase() === organizationName.toLowerCase());
	if (!org) throw new Error(`plain script: no organization ${organizationName}`);

	const roles = await api.get(`/Organizations/${org.id}/RbacRoles`);
	check(roles.status, 'roles', roles.data);
	let removedFrom = 0;
	const who = leaver.toLowerCase();
	for (const role of roles.data as Array<{ id: string }>) {
		const operators = await api.get(`/RbacRoles/${role.id}/operators`);
		check(operators.status, `operators of ${role.id}`, operators.data);
		const ids = (operators.data as Array<{ id: string; type: string; user?: { name?: string } }>).filter((o) => o.type === 'User' && (o.user?.name ?? '').toLowerCase() === who).map((o) => o.id);
		if (ids.length === 0) continue;
		const removed = await api.delete(`/RbacRoles/${role.id}/operators`, { params: { ids: ids.join(',') } });
		check(removed.status, `remove from ${role.id}`, removed.data, [200, 204]);
		removedFrom++;
	}
	return { roles: (roles.data as unknown[]).length, removedFrom };
}
