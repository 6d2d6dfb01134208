/**
 * An in-memory Veeam Backup for Microsoft 365 for the trigger's unit tests (vb365State, vb365Listing,
 * vb365Events): the few `Vb365Access` calls the trigger makes, each counted, with scripted faults
 * (a role list that lacks roles, a list read that fails or answers short once).
 */
import type { Vb365Access, Vb365Item, Vb365ItemList, Vb365Operator, Vb365Organization, Vb365Role } from '../../../client/vb365Model';

export const ORG_A = '7a1e3b52-0c1d-4e0f-9a8b-000000000001';
export const ORG_B = '7a1e3b52-0c1d-4e0f-9a8b-000000000002';

/** Veeam's user IDs are an Office ID and an on-premises ID run together (helpcenter.veeam.com …/post_rbacroles_id_operators.html). */
export const principalId = (n: number) => `6c6d2495-ca27-4b4a-8c93-${String(n).padStart(12, '0')}00000000-0000-0000-0000-000000000000`;

export function operator(n: number, kind: 'user' | 'group' = 'user'): Vb365Operator {
	const id = principalId(n);
	return { id, kind, name: kind === 'user' ? `user${n}@contoso.com` : `group${n}`, displayName: `${kind} ${n}`, operatorId: `b7f90a69-6de2-4e8d-ab2b-${String(n).padStart(12, '0')}${id}` };
}

export function item(n: number, kind: 'user' | 'group' | 'site' | 'team' = 'user'): Vb365Item {
	const id = kind === 'site' || kind === 'team' ? `3f2504e0-4f89-41d3-9a0c-${String(n).padStart(12, '0')}` : principalId(n);
	return { itemId: `i${n}${id}`, kind, id, name: kind === 'site' ? `https://contoso.sharepoint.com/sites/s${n}` : `${kind}${n}@contoso.com`, displayName: `${kind} ${n}` };
}

export const roleId = (n: number) => `97edf1c9-74a1-480d-8b60-${String(n).padStart(12, '0')}`;

export class FakeVb365 {
	readonly orgs: Vb365Organization[] = [
		{ id: ORG_A, name: 'contoso.onmicrosoft.com', type: 'Office365' },
		{ id: ORG_B, name: 'fabrikam.onmicrosoft.com', type: 'Office365' },
	];
	readonly roles = new Map<string, Vb365Role>();
	readonly calls: string[] = [];
	/** Role IDs the next role list leaves out (once). */
	hideOnce = new Set<string>();
	/** `roleId/list` → what the next read of it does (once): fail, or answer this list. */
	faults = new Map<string, Error | Array<Vb365Operator | Vb365Item>>();

	addRole(n: number, org: string, type: Vb365Role['roleType'], lists: Partial<Pick<Vb365Role, 'operators' | 'selected' | 'excluded'>> = {}): Vb365Role {
		const role: Vb365Role = { id: roleId(n), organizationId: org, name: `Role ${n}`, description: '', roleType: type, operators: [], selected: [], excluded: [], ...lists };
		this.roles.set(role.id, role);
		return role;
	}

	private fault<T>(key: string): T | undefined {
		const f = this.faults.get(key);
		if (f === undefined) return undefined;
		this.faults.delete(key);
		if (f instanceof Error) throw f;
		return f as T;
	}

	private listOf(id: string, list: 'operators' | Vb365ItemList) {
		this.calls.push(`${list} ${id}`);
		const faulted = this.fault<Array<Vb365Operator | Vb365Item>>(`${id}/${list}`);
		if (faulted) return faulted;
		const role = this.roles.get(id);
		if (!role) throw Object.assign(new Error(`role ${id} not found`), { httpCode: '404' });
		return structuredClone(role[list] ?? []);
	}

	access(): Vb365Access {
		const fake: Partial<Vb365Access> = {
			organizations: async () => {
				this.calls.push('organizations');
				return structuredClone(this.orgs);
			},
			findOrganization: async (text: string) => {
				this.calls.push('findOrganization');
				const org = this.orgs.find((o) => o.id === text.toLowerCase() || o.name.toLowerCase() === text.toLowerCase());
				if (!org) throw new Error(`no organization ${text}`);
				return org;
			},
			roles: async (organizationId?: string) => {
				this.calls.push(`roles ${organizationId ?? '*'}`);
				const hidden = this.hideOnce;
				this.hideOnce = new Set();
				return [...this.roles.values()]
					.filter((r) => (!organizationId || r.organizationId === organizationId) && !hidden.has(r.id))
					.map(({ id, organizationId: org, name, description, roleType }) => ({ id, organizationId: org, name, description, roleType }));
			},
			role: async (id: string) => {
				this.calls.push(`role ${id}`);
				const role = this.roles.get(id);
				return role && { id: role.id, organizationId: role.organizationId, name: role.name, description: role.description, roleType: role.roleType };
			},
			operators: async (id: string) => this.listOf(id, 'operators') as Vb365Operator[],
			items: async (id: string, list: Vb365ItemList) => this.listOf(id, list) as Vb365Item[],
		};
		return fake as Vb365Access;
	}
}
