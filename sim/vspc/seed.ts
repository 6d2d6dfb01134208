/**
 * The initial state and the provider-scale seed: companies (with their owners), resellers, and
 * users spread over organizations. Fast: only Map and Set inserts (50,000 users in well under a
 * second on a laptop).
 */
import type { SimContext } from '../core/context';
import {
	findVspcRole,
	newUid,
	ROLES_BY_ORG_TYPE,
	VSPC_DEFAULT_PASSWORD,
	VSPC_INITIAL_ORGS,
	VSPC_INITIAL_USERS,
	VSPC_MFA_USER,
	type VspcOrg,
	type VspcOrgType,
	type VspcRole,
} from './model';
import type { VspcStore } from './store';

export interface VspcSeedOptions {
	/** Users to add. */
	count: number;
	/** User names `<prefix><n>` (n zero-padded to 6 digits); default `seed.user`. */
	prefix?: string;
	/** One role for the seeded users (any spelling); default each organization's least: PortalReadonlyOperator, ResellerUser, CompanyLocationUser. */
	roles?: string[];
	/** Companies to add first (`Company 0001` …, each with its owner `company0001.owner`); the users are spread over them. */
	companies?: number;
	/** Resellers to add first; the new companies are shared among them and the provider. */
	resellers?: number;
	/** Put every user in this organization instead. */
	organizationUid?: string;
}

const LEAST: Record<VspcOrgType, VspcRole> = { Provider: 'PortalReadonlyOperator', Reseller: 'ResellerUser', Company: 'CompanyLocationUser' };

/** A company (or reseller) and its owner, as the console makes them. */
export function addOrganization(
	store: VspcStore,
	ctx: SimContext,
	fields: { name: string; type: 'Company' | 'Reseller'; alias?: string; resellerUid?: string; status?: string; ownerName?: string; uid?: string; sameCompanyUid?: boolean },
): VspcOrg {
	const alias = fields.alias ?? fields.name.toLowerCase().replace(/[^a-z0-9]+/g, '');
	const org = store.addOrg({
		uid: fields.uid ?? newUid(),
		name: fields.name,
		alias,
		type: fields.type,
		status: fields.status ?? 'Active',
		companyUid: fields.type === 'Company' && !fields.sameCompanyUid ? newUid() : undefined,
		resellerUid: fields.type === 'Company' ? fields.resellerUid : undefined,
		restAccess: true,
		mfaRequired: false,
	});
	const ownerName = fields.ownerName ?? `${alias}.owner`;
	if (!store.userNamed(ownerName)) {
		const owner = store.addUser({ organizationUid: org.uid, userName: ownerName, role: fields.type === 'Company' ? 'CompanyOwner' : 'ResellerOwner', password: VSPC_DEFAULT_PASSWORD });
		org.ownerUid = owner.uid;
	}
	ctx.secrets.add(VSPC_DEFAULT_PASSWORD, 'password');
	return org;
}

export function loadInitialState(store: VspcStore, ctx: SimContext, sameCompanyUid: boolean): void {
	for (const org of VSPC_INITIAL_ORGS) store.addOrg({ ...org, companyUid: sameCompanyUid ? undefined : org.companyUid });
	for (const u of VSPC_INITIAL_USERS) {
		const user = store.addUser({
			uid: u.uid,
			organizationUid: u.org,
			userName: u.userName,
			role: u.role,
			password: u.password ?? VSPC_DEFAULT_PASSWORD,
			profile: { firstName: u.firstName ?? null, lastName: u.lastName ?? null, email: u.email ?? null, title: u.firstName ? 'Mr' : 'Unknown' },
		});
		const org = store.orgs.get(u.org);
		if (org && (u.role === 'CompanyOwner' || u.role === 'ResellerOwner')) org.ownerUid = user.uid;
		if (u.uid === VSPC_MFA_USER.uid) store.addLogin(user, 'totp', { description: 'totp', scopes: ['ui'], secret: VSPC_MFA_USER.secret });
	}
	ctx.secrets.add(VSPC_DEFAULT_PASSWORD, 'password');
	ctx.secrets.add(VSPC_MFA_USER.password, 'password');
	ctx.secrets.add(VSPC_MFA_USER.secret, 'mfaSecret');
}

export class VspcSeeder {
	private companySeq = 0;
	private resellerSeq = 0;
	private userSeq = 0;

	constructor(
		private readonly store: VspcStore,
		private readonly ctx: SimContext,
		private readonly sameCompanyUid = false,
	) {}

	reset(): void {
		this.companySeq = 0;
		this.resellerSeq = 0;
		this.userSeq = 0;
	}

	/** Adds the resellers, companies and users asked for; returns the number of users added (owners not counted). */
	seed(opts: VspcSeedOptions): number {
		const count = Number(opts.count ?? 0);
		if (!Number.isInteger(count) || count < 0) throw new Error('count must be a whole number');
		const resellers: VspcOrg[] = [];
		for (let i = 0; i < (opts.resellers ?? 0); i++) {
			const n = String(++this.resellerSeq).padStart(4, '0');
			resellers.push(addOrganization(this.store, this.ctx, { name: `Reseller ${n}`, alias: `reseller${n}`, type: 'Reseller' }));
		}
		const companies: VspcOrg[] = [];
		for (let i = 0; i < (opts.companies ?? 0); i++) {
			const n = String(++this.companySeq).padStart(4, '0');
			const slot = resellers.length ? i % (resellers.length + 1) : 0;
			const resellerUid = slot === 0 ? undefined : resellers[slot - 1].uid;
			companies.push(addOrganization(this.store, this.ctx, { name: `Company ${n}`, alias: `company${n}`, type: 'Company', resellerUid, sameCompanyUid: this.sameCompanyUid }));
		}
		let targets: VspcOrg[];
		if (opts.organizationUid) {
			const org = this.store.orgs.get(opts.organizationUid);
			if (!org) throw new Error(`no organization ${opts.organizationUid}`);
			targets = [org];
		} else if (companies.length) targets = companies;
		else {
			const all = [...this.store.orgs.values()].filter((o) => o.type === 'Company');
			targets = all.length ? all : [...this.store.orgs.values()].filter((o) => o.type === 'Provider');
		}
		const wanted = opts.roles?.length ? findVspcRole(opts.roles[0]) : undefined;
		if (opts.roles?.length && (!wanted || opts.roles.length !== 1)) throw new Error(`a VSPC user holds exactly one role of ${Object.values(ROLES_BY_ORG_TYPE).flat().join(', ')}`);
		for (const t of targets) {
			if (wanted && !ROLES_BY_ORG_TYPE[t.type].includes(wanted)) throw new Error(`the ${wanted} role cannot be held in a ${t.type.toLowerCase()} organization`);
		}
		const prefix = opts.prefix ?? 'seed.user';
		let added = 0;
		while (added < count) {
			const name = `${prefix}${String(++this.userSeq).padStart(6, '0')}`;
			if (this.store.userNamed(name)) continue;
			const org = targets[added % targets.length];
			this.store.addUser({ organizationUid: org.uid, userName: name, role: wanted ?? LEAST[org.type], password: VSPC_DEFAULT_PASSWORD, profile: { email: `${name}@example.com` } });
			added++;
		}
		this.ctx.secrets.add(VSPC_DEFAULT_PASSWORD, 'password');
		this.ctx.log.record('seed', prefix, { count: added, companies: companies.length, resellers: resellers.length });
		return added;
	}
}
