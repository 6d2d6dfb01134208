/**
 * The initial state (three organizations: two Microsoft 365 tenants with roles, a hybrid one
 * without) and the bench seed (thousands of users, groups and a hundred roles in one
 * organization, a leaver named by many of them). Only Map inserts: fast.
 */
import type { SimContext } from '../core/context';
import {
	directoryId,
	fixedUid,
	newUid,
	refIdFor,
	VB365_DEFAULT_ADMIN,
	VB365_DEFAULT_PASSWORD,
	VB365_ORG_CONTOSO_ID,
	VB365_ORG_FABRIKAM_ID,
	VB365_ORG_TAILSPIN_ID,
	VB365_ROLE_FABRIKAM_ID,
	VB365_ROLE_FINANCE_ID,
	VB365_ROLE_HELPDESK_ID,
	ZERO_GUID,
	type Vb365GroupType,
	type Vb365ItemKind,
	type Vb365Ref,
	type Vb365RoleType,
	type Vb365UserRecord,
	type Vb365UserType,
} from './model';
import type { Vb365Auth } from './auth';
import type { Vb365Store } from './store';
import { rbacShape } from './views';

export interface Vb365SeedOptions {
	/** Users to add. */
	count: number;
	/** User names `<prefix><n>@<organization>` (n zero-padded to 6 digits); default `seed.user`. */
	prefix?: string;
	/** The organization to seed (default Contoso), unless `organizationName` asks for a new one. */
	organizationId?: string;
	/** Add a new Microsoft 365 organization with this name and seed it. */
	organizationName?: string;
	/** Roles to add (named `Seed Role 001` …; every other one SpecificObjects with a few users and a group). */
	roleCount?: number;
	/** Groups to add; the seeded users are spread over them as members. */
	groups?: number;
	/** Seeded users made operators of each seeded role (default 3). */
	operatorsPerRole?: number;
	/** A user (e-mail; added if missing) made an operator of `leaverRoles` of the seeded roles. */
	leaver?: string;
	/** How many seeded roles name the leaver (default all). */
	leaverRoles?: number;
	/** Unused (the core's SeedOptions field). */
	roles?: string[];
}

const CONTOSO = 'contoso.onmicrosoft.com';
const FABRIKAM = 'fabrikam.onmicrosoft.com';
const TAILSPIN = 'tailspintoys.com';
const USER_MSID = '6c6d2495-ca27-4b4a-8c93';
const GROUP_MSID = '7ace610a-ded5-4b14-8946';
const SITE_ID = '1a2b3c4d-0000-4000-8000';
const TEAM_ID = '9d0b3f1e-5a6c-4b7d-8e9f';

export function refOf(store: Vb365Store, orgId: string, kind: Vb365ItemKind, id: string): Vb365Ref {
	const object = store.object(orgId, kind, id);
	if (!object) throw new Error(`no ${kind} ${id} in ${orgId}`);
	return { refId: refIdFor(object.record.id), kind, id: object.record.id, shape: rbacShape(object) };
}

export function addUser(store: Vb365Store, orgId: string, n: number, name: string, displayName: string, extra: { type?: Vb365UserType; onPremisesId?: string; onPremisesSid?: string; msid?: string } = {}): Vb365UserRecord {
	const msid = extra.msid ?? fixedUid(USER_MSID, n);
	const onPrem = extra.onPremisesId ?? ZERO_GUID;
	return store.addUser({
		id: directoryId(msid, onPrem),
		organizationId: orgId,
		msid,
		name,
		displayName,
		type: extra.type ?? 'User',
		locationType: onPrem === ZERO_GUID ? 'Cloud' : msid === ZERO_GUID ? 'OnPremises' : 'Hybrid',
		office: '',
		onPremisesSid: extra.onPremisesSid,
	});
}

function addGroup(store: Vb365Store, orgId: string, n: number, name: string | null, displayName: string, type: Vb365GroupType, members: string[]) {
	const msid = fixedUid(GROUP_MSID, n);
	return store.addGroup({ id: directoryId(msid), organizationId: orgId, msid, name, displayName, type, locationType: 'Cloud', members });
}

function addSite(store: Vb365Store, orgId: string, n: number, url: string, title: string, parentUrl = '', isPersonal = false) {
	return store.addSite({ id: fixedUid(SITE_ID, n), organizationId: orgId, url, parentUrl, name: title, title, isCloud: true, isPersonal });
}

function addRole(store: Vb365Store, id: string, orgId: string, name: string, roleType: Vb365RoleType, operators: Vb365Ref[], selected: Vb365Ref[] = [], excluded: Vb365Ref[] = []) {
	const map = (refs: Vb365Ref[]) => new Map(refs.map((r) => [r.id.toLowerCase(), r]));
	return store.addRole({ id, organizationId: orgId, name, description: '', roleType, operators: map(operators), selected: map(selected), excluded: map(excluded) });
}

export function loadInitialState(store: Vb365Store, auth: Vb365Auth): void {
	auth.setLogin(VB365_DEFAULT_ADMIN, VB365_DEFAULT_PASSWORD);
	const org = (id: string, name: string, type: 'Office365' | 'Hybrid', n: number) =>
		store.addOrg({ id, name, officeName: name, type, description: '', msid: fixedUid('0f2a6c9b-3e4d-4f50-9a1b', n) });
	org(VB365_ORG_CONTOSO_ID, CONTOSO, 'Office365', 1);
	org(VB365_ORG_FABRIKAM_ID, FABRIKAM, 'Office365', 2);
	org(VB365_ORG_TAILSPIN_ID, TAILSPIN, 'Hybrid', 3);

	const c = VB365_ORG_CONTOSO_ID;
	const u = (n: number, local: string, display: string, type?: Vb365UserType) => addUser(store, c, n, `${local}@${CONTOSO}`, display, { type });
	const alice = u(1, 'alice.adams', 'Alice Adams');
	const bob = u(2, 'bob.baker', 'Bob Baker');
	const carol = u(3, 'carol.chen', 'Carol Chen');
	const dave = u(4, 'dave.lee', 'Dave Lee');
	const sam1 = u(5, 'sam.taylor', 'Sam Taylor');
	u(6, 'sam.taylor2', 'Sam Taylor');
	const shared = u(7, 'finance.mailbox', 'Finance Mailbox', 'Shared');
	u(8, 'restore.desk', 'Restore Desk');
	const helpdesk = addGroup(store, c, 1, `helpdesk@${CONTOSO}`, 'Helpdesk', 'Security', [alice.id, bob.id, dave.id]);
	addGroup(store, c, 2, `it.admins@${CONTOSO}`, 'IT Admins', 'Office365', [carol.id, helpdesk.id]);
	addGroup(store, c, 3, null, 'Restore Desk', 'Security', [sam1.id]);
	const finance = addGroup(store, c, 4, `finance@${CONTOSO}`, 'Finance', 'Office365', [bob.id, shared.id]);
	const fin = addSite(store, c, 1, 'https://contoso.sharepoint.com/sites/Finance', 'Finance');
	addSite(store, c, 2, 'https://contoso.sharepoint.com/sites/HR', 'HR');
	addSite(store, c, 3, 'https://contoso.sharepoint.com/sites/Finance/Payroll', 'Payroll', fin.url);
	addSite(store, c, 4, 'https://contoso-my.sharepoint.com/personal/alice_adams_contoso_onmicrosoft_com', 'Alice Adams', '', true);
	const finTeam = store.addTeam({ id: fixedUid(TEAM_ID, 1), organizationId: c, displayName: 'Finance Team', description: 'Finance department', mail: `finance.team@${CONTOSO}` });
	store.addTeam({ id: fixedUid(TEAM_ID, 2), organizationId: c, displayName: 'Project X', description: '', mail: `project.x@${CONTOSO}` });
	const ref = (kind: Vb365ItemKind, id: string) => refOf(store, c, kind, id);
	addRole(store, VB365_ROLE_HELPDESK_ID, c, 'Helpdesk Restore', 'EntireOrganization', [ref('Group', helpdesk.id), ref('User', dave.id)], [], [ref('User', carol.id)]);
	addRole(store, VB365_ROLE_FINANCE_ID, c, 'Finance Restore', 'SpecificObjects', [ref('User', bob.id), ref('User', dave.id)], [ref('Site', fin.id), ref('Team', finTeam.id), ref('Group', finance.id)]);

	const f = VB365_ORG_FABRIKAM_ID;
	const fdave = addUser(store, f, 101, `dave.lee@${FABRIKAM}`, 'Dave Lee');
	const erin = addUser(store, f, 102, `erin.ford@${FABRIKAM}`, 'Erin Ford');
	const desk = addGroup(store, f, 101, `service.desk@${FABRIKAM}`, 'Service Desk', 'Security', [erin.id]);
	addSite(store, f, 101, 'https://fabrikam.sharepoint.com/sites/Sales', 'Sales');
	store.addTeam({ id: fixedUid(TEAM_ID, 101), organizationId: f, displayName: 'Sales Team', description: '', mail: `sales.team@${FABRIKAM}` });
	addRole(store, VB365_ROLE_FABRIKAM_ID, f, 'Fabrikam Restore', 'EntireOrganization', [refOf(store, f, 'User', fdave.id), refOf(store, f, 'Group', desk.id)]);

	const t = VB365_ORG_TAILSPIN_ID;
	addUser(store, t, 201, `frank.green@${TAILSPIN}`, 'Frank Green', { msid: ZERO_GUID, onPremisesId: fixedUid('3c1d2e3f-4a5b-4c6d-9e8f', 201), onPremisesSid: 'S-1-5-21-1004336348-1177238915-682003330-1105' });
	addUser(store, t, 202, `grace.hall@${TAILSPIN}`, 'Grace Hall', { onPremisesId: fixedUid('3c1d2e3f-4a5b-4c6d-9e8f', 202), onPremisesSid: 'S-1-5-21-1004336348-1177238915-682003330-1106' });
}

export class Vb365Seeder {
	private userSeq = 0;
	private groupSeq = 0;
	private roleSeq = 0;
	private orgSeq = 0;

	constructor(
		private readonly store: Vb365Store,
		private readonly ctx: SimContext,
	) {}

	reset(): void {
		this.userSeq = this.groupSeq = this.roleSeq = this.orgSeq = 0;
	}

	/** Adds what `opts` asks for; returns the number of users added. */
	seed(opts: Vb365SeedOptions): number {
		const count = Number(opts.count ?? 0);
		if (!Number.isInteger(count) || count < 0) throw new Error('count must be a whole number');
		let orgId = opts.organizationId ?? VB365_ORG_CONTOSO_ID;
		if (opts.organizationName) {
			orgId = newUid();
			this.store.addOrg({ id: orgId, name: opts.organizationName, officeName: opts.organizationName, type: 'Office365', description: '', msid: fixedUid('0f2a6c9b-3e4d-4f50-9a1b', 1000 + ++this.orgSeq) });
		}
		const org = this.store.org(orgId);
		if (!org) throw new Error(`no organization ${orgId}`);
		const prefix = opts.prefix ?? 'seed.user';
		const users: Vb365UserRecord[] = [];
		for (let i = 0; i < count; i++) {
			const n = ++this.userSeq;
			const label = String(n).padStart(6, '0');
			users.push(addUser(this.store, org.id, 100_000 + n, `${prefix}${label}@${org.name}`, `Seed User ${label}`, { msid: newUid() }));
		}
		const groups = [];
		for (let i = 0; i < (opts.groups ?? 0); i++) {
			const n = ++this.groupSeq;
			const members = users.filter((_, k) => k % (opts.groups ?? 1) === i).map((x) => x.id);
			groups.push(addGroup(this.store, org.id, 100_000 + n, `seed.group${String(n).padStart(4, '0')}@${org.name}`, `Seed Group ${String(n).padStart(4, '0')}`, 'Security', members));
		}
		let leaver: Vb365UserRecord | undefined;
		if (opts.leaver) {
			const found = this.store.principalNamed(org.id, opts.leaver);
			leaver = found?.kind === 'User' ? found.record : addUser(this.store, org.id, 900_000 + ++this.userSeq, opts.leaver, opts.leaver.split('@')[0], { msid: newUid() });
		}
		const pool = users.length ? users : [...this.store.directory(org.id).users.values()];
		const perRole = opts.operatorsPerRole ?? 3;
		const roleCount = opts.roleCount ?? 0;
		const leaverRoles = opts.leaverRoles ?? roleCount;
		for (let i = 0; i < roleCount; i++) {
			const n = ++this.roleSeq;
			const operators: Vb365Ref[] = [];
			for (let k = 0; k < perRole && pool.length; k++) operators.push(refOf(this.store, org.id, 'User', pool[(i * 7 + k * 13) % pool.length].id));
			if (leaver && i < leaverRoles) operators.push(refOf(this.store, org.id, 'User', leaver.id));
			const specific = i % 2 === 1 && pool.length > 0;
			const selected = specific ? [refOf(this.store, org.id, 'User', pool[(i * 11) % pool.length].id), ...(groups.length ? [refOf(this.store, org.id, 'Group', groups[i % groups.length].id)] : [])] : [];
			addRole(this.store, newUid(), org.id, `Seed Role ${String(n).padStart(3, '0')}`, specific ? 'SpecificObjects' : 'EntireOrganization', operators, selected);
		}
		this.ctx.log.record('seed', org.id, { users: count, groups: groups.length, roles: roleCount, leaver: opts.leaver ?? null });
		return count;
	}
}
