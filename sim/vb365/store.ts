/**
 * The VB365 simulator's state with the indexes an organization with thousands of users and a
 * hundred roles needs: directory objects by ID and by organization, roles by ID and by
 * organization. `version` moves on every change.
 */
import {
	type Vb365GroupRecord,
	type Vb365ItemKind,
	type Vb365OrgRecord,
	type Vb365RoleRecord,
	type Vb365SiteRecord,
	type Vb365TeamRecord,
	type Vb365UserRecord,
} from './model';

export type Vb365DirectoryObject =
	| { kind: 'User'; record: Vb365UserRecord }
	| { kind: 'Group'; record: Vb365GroupRecord }
	| { kind: 'Site'; record: Vb365SiteRecord }
	| { kind: 'Team'; record: Vb365TeamRecord };

/** One organization's directory, each list in the order added. */
export class Vb365Directory {
	readonly users = new Map<string, Vb365UserRecord>();
	readonly groups = new Map<string, Vb365GroupRecord>();
	readonly sites = new Map<string, Vb365SiteRecord>();
	readonly teams = new Map<string, Vb365TeamRecord>();
}

export class Vb365Store {
	readonly orgs = new Map<string, Vb365OrgRecord>();
	readonly roles = new Map<string, Vb365RoleRecord>();
	private readonly directories = new Map<string, Vb365Directory>();
	private readonly rolesByOrg = new Map<string, Set<string>>();
	private seq = 0;
	/** Moves on every change. */
	version = 0;

	clear(): void {
		this.orgs.clear();
		this.roles.clear();
		this.directories.clear();
		this.rolesByOrg.clear();
		this.seq = 0;
		this.version++;
	}

	touch(): void {
		this.version++;
	}

	nextSeq(): number {
		return ++this.seq;
	}

	// ---- organizations ----------------------------------------------------------------------

	org(id: string): Vb365OrgRecord | undefined {
		return this.orgs.get(id.toLowerCase());
	}

	addOrg(org: Omit<Vb365OrgRecord, 'seq'>): Vb365OrgRecord {
		const record: Vb365OrgRecord = { ...org, id: org.id.toLowerCase(), seq: this.nextSeq() };
		this.orgs.set(record.id, record);
		this.directories.set(record.id, new Vb365Directory());
		this.rolesByOrg.set(record.id, new Set());
		this.version++;
		return record;
	}

	/** The organization's directory (empty for an unknown one). */
	directory(orgId: string): Vb365Directory {
		return this.directories.get(orgId.toLowerCase()) ?? new Vb365Directory();
	}

	// ---- directory objects ------------------------------------------------------------------

	addUser(user: Omit<Vb365UserRecord, 'seq'>): Vb365UserRecord {
		const record = { ...user, seq: this.nextSeq() };
		this.directory(user.organizationId).users.set(record.id.toLowerCase(), record);
		this.version++;
		return record;
	}

	addGroup(group: Omit<Vb365GroupRecord, 'seq'>): Vb365GroupRecord {
		const record = { ...group, members: [...group.members], seq: this.nextSeq() };
		this.directory(group.organizationId).groups.set(record.id.toLowerCase(), record);
		this.version++;
		return record;
	}

	addSite(site: Omit<Vb365SiteRecord, 'seq'>): Vb365SiteRecord {
		const record = { ...site, seq: this.nextSeq() };
		this.directory(site.organizationId).sites.set(record.id.toLowerCase(), record);
		this.version++;
		return record;
	}

	addTeam(team: Omit<Vb365TeamRecord, 'seq'>): Vb365TeamRecord {
		const record = { ...team, seq: this.nextSeq() };
		this.directory(team.organizationId).teams.set(record.id.toLowerCase(), record);
		this.version++;
		return record;
	}

	/** A directory object of the organization by kind and ID (IDs compared without regard to case). */
	object(orgId: string, kind: Vb365ItemKind, id: string): Vb365DirectoryObject | undefined {
		const dir = this.directory(orgId);
		const key = id.toLowerCase();
		switch (kind) {
			case 'User': {
				const record = dir.users.get(key);
				return record && { kind, record };
			}
			case 'Group': {
				const record = dir.groups.get(key);
				return record && { kind, record };
			}
			case 'Site': {
				const record = dir.sites.get(key);
				return record && { kind, record };
			}
			case 'Team': {
				const record = dir.teams.get(key);
				return record && { kind, record };
			}
		}
	}

	/** A user or group of the organization by its e-mail / UPN (`name`), without regard to case. */
	principalNamed(orgId: string, name: string): Vb365DirectoryObject | undefined {
		const wanted = name.toLowerCase();
		const dir = this.directory(orgId);
		for (const record of dir.users.values()) if (record.name.toLowerCase() === wanted) return { kind: 'User', record };
		for (const record of dir.groups.values()) if (record.name?.toLowerCase() === wanted) return { kind: 'Group', record };
		return undefined;
	}

	/** The directory object is gone from Microsoft 365 (a leaver deleted in Entra ID); roles keep naming it. */
	removeObject(orgId: string, kind: Vb365ItemKind, id: string): boolean {
		const dir = this.directory(orgId);
		const key = id.toLowerCase();
		const map = kind === 'User' ? dir.users : kind === 'Group' ? dir.groups : kind === 'Site' ? dir.sites : dir.teams;
		const removed = map.delete(key);
		if (removed) {
			for (const g of dir.groups.values()) g.members = g.members.filter((m) => m.toLowerCase() !== key);
			this.version++;
		}
		return removed;
	}

	// ---- roles ------------------------------------------------------------------------------

	role(id: string): Vb365RoleRecord | undefined {
		return this.roles.get(id.toLowerCase());
	}

	rolesOf(orgId: string): Vb365RoleRecord[] {
		const ids = this.rolesByOrg.get(orgId.toLowerCase());
		const out: Vb365RoleRecord[] = [];
		for (const id of ids ?? []) {
			const r = this.roles.get(id);
			if (r) out.push(r);
		}
		return out;
	}

	addRole(role: Omit<Vb365RoleRecord, 'seq'>): Vb365RoleRecord {
		const record: Vb365RoleRecord = { ...role, id: role.id.toLowerCase(), organizationId: role.organizationId.toLowerCase(), seq: this.nextSeq() };
		this.roles.set(record.id, record);
		let set = this.rolesByOrg.get(record.organizationId);
		if (!set) this.rolesByOrg.set(record.organizationId, (set = new Set()));
		set.add(record.id);
		this.version++;
		return record;
	}

	removeRole(id: string): boolean {
		const role = this.role(id);
		if (!role) return false;
		this.roles.delete(role.id);
		this.rolesByOrg.get(role.organizationId)?.delete(role.id);
		this.version++;
		return true;
	}
}
