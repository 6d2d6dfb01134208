/**
 * Deterministic data for the trigger's tests and benchmark: a seeded RNG and user lists shaped
 * like the simulator's seed (VBR, VBGC) and like a real directory (random AD names).
 */
import type { VeeamRole, VeeamUser } from '../../../client/model';

/** mulberry32: small, fast, good enough for tests; the same seed gives the same sequence. */
export function rng(seed: number): () => number {
	let a = seed >>> 0;
	return () => {
		a = (a + 0x6d2b79f5) >>> 0;
		let t = a;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
	};
}

export const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)];

/** A UUID from the RNG (version 4 layout). */
export function uuidFrom(random: () => number): string {
	const word = () => Math.floor(random() * 0x100000000).toString(16).padStart(8, '0');
	const s = word() + word() + word() + word();
	const variant = '89ab'[parseInt(s[16], 16) & 3];
	return `${s.slice(0, 8)}-${s.slice(8, 12)}-4${s.slice(13, 16)}-${variant}${s.slice(17, 20)}-${s.slice(20)}`;
}

export const VBR_ROLES: VeeamRole[] = [
	{ id: '5ff0e0eb-45cf-48cc-9677-7613fc79bc11', name: 'Backup Administrator', description: 'Built-in role with full privileges' },
	{ id: 'b167c3af-2262-4b6c-9861-0606fc0cb6b1', name: 'Restore Operator', description: 'Built-in role for performing restore operations from any backups and replicas' },
	{ id: 'a4e7c0a3-5b0f-4a5e-9f7a-2c6f0f3e8b21', name: 'Backup Operator', description: 'Built-in role for starting and stopping existing jobs' },
	{ id: '0d3f6c2e-8a41-4c7b-b2e5-91f4a7d6c305', name: 'Backup Viewer', description: 'Built-in role with read-only access' },
];

/** What the VBR simulator's `seed` creates: `SEED\seed.user000001` …, Backup Viewer, AD users. */
export function vbrSeededUsers(count: number, random = rng(1)): VeeamUser[] {
	return Array.from({ length: count }, (_, i) => {
		const id = uuidFrom(random);
		return {
			ref: id,
			id,
			name: `SEED\\seed.user${String(i + 1).padStart(6, '0')}`,
			type: 'ExternalUser',
			roles: [{ ...VBR_ROLES[3] }],
			isServiceAccount: false,
			mfaEnabled: false,
			isDirectoryAccount: true,
			isGroup: false,
		};
	});
}

/** What the VBGC simulator's `seed` creates: `seed.user000001` … with "Seeded user N". */
export function vbgcSeededUsers(count: number): VeeamUser[] {
	const role = { id: 'c082aeb7-6c99-4fcc-afaf-360573eff45c', name: 'Restore Operator', description: 'Can only perform restore operations and view session statistics.' };
	return Array.from({ length: count }, (_, i) => {
		const name = `seed.user${String(i + 1).padStart(6, '0')}`;
		return {
			ref: name,
			name,
			type: 'Local',
			roles: [{ ...role }],
			mfaEnabled: false,
			description: `Seeded user ${i + 1}`,
			isDirectoryAccount: false,
			isGroup: false,
		};
	});
}

const FIRST = ['james', 'mary', 'john', 'patricia', 'robert', 'jennifer', 'michael', 'linda', 'william', 'elizabeth', 'david', 'barbara', 'richard', 'susan', 'joseph', 'jessica', 'thomas', 'sarah', 'charles', 'karen', 'christopher', 'nancy', 'daniel', 'lisa', 'matthew', 'betty', 'anthony', 'margaret', 'mark', 'sandra', 'ahmed', 'yuki', 'olga', 'chen', 'priya', 'lars', 'fatima', 'jose', 'ingrid', 'kwame'];
const LAST = ['smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'rodriguez', 'martinez', 'hernandez', 'lopez', 'gonzalez', 'wilson', 'anderson', 'thomas', 'taylor', 'moore', 'jackson', 'martin', 'lee', 'perez', 'thompson', 'white', 'harris', 'sanchez', 'clark', 'ramirez', 'lewis', 'robinson', 'walker', 'young', 'allen', 'king', 'wright', 'scott', 'torres', 'nguyen', 'hill', 'flores', 'kowalski', 'yamamoto', 'okafor', 'lindqvist', 'muller', 'rossi', 'novak', 'ivanova', 'haddad', 'singh'];
const DOMAINS = ['CORP', 'CORP', 'CORP', 'EMEA', 'APAC', 'LAB'];

/**
 * A directory as a real VBR server might hold it: AD accounts `DOMAIN\first.last` (a number when
 * taken), a few groups and local accounts, mostly one role, some two, some service accounts.
 */
export function realisticVbrUsers(count: number, random = rng(7)): VeeamUser[] {
	const seen = new Set<string>();
	const users: VeeamUser[] = [];
	while (users.length < count) {
		const r = random();
		const type = r < 0.9 ? 'ExternalUser' : r < 0.95 ? 'ExternalGroup' : r < 0.98 ? 'InternalUser' : 'InternalGroup';
		const base = type.endsWith('Group')
			? `${pick(random, ['Backup', 'Restore', 'Storage', 'Infra', 'DBA', 'Helpdesk'])} ${pick(random, ['Operators', 'Admins', 'Team', 'Users'])}`
			: `${pick(random, FIRST)}.${pick(random, LAST)}`;
		let name = `${type.startsWith('External') ? pick(random, DOMAINS) : 'VBR01'}\\${base}`;
		for (let k = 2; seen.has(name.toLowerCase()); k++) name = `${name.replace(/\d+$/, '')}${k}`;
		seen.add(name.toLowerCase());
		const id = uuidFrom(random);
		const roles = [pick(random, VBR_ROLES)];
		if (random() < 0.1) roles.push(pick(random, VBR_ROLES.filter((x) => x !== roles[0])));
		const isServiceAccount = type === 'InternalUser' && random() < 0.3;
		users.push({
			ref: id,
			id,
			name,
			type,
			roles,
			isServiceAccount,
			mfaEnabled: !isServiceAccount && !type.endsWith('Group') && random() < 0.5,
			isDirectoryAccount: type.startsWith('External'),
			isGroup: type.endsWith('Group'),
		});
	}
	return users;
}

/** The roles a VSPC user may hold (the API value and the spaced name the adapter gives it). */
export const VSPC_ROLE_IDS = ['PortalAdministrator', 'PortalReadonlyOperator', 'CompanyOwner', 'CompanyAdministrator', 'CompanyLocationUser', 'ResellerUser'] as const;
const spaced = (id: string) => id.replace(/([a-z])([A-Z])/g, '$1 $2');

/**
 * A provider's console as the VSPC simulator's seed makes it (`companies` companies `Company 0001`…
 * each with its owner `company0001.owner`, then `users` users `seed.user000001`… spread over them in
 * turn, Company Location Users, one password login each, logins numbered in creation order), with
 * `extra` of the users given a second login (a TOTP or an API key) and an MFA policy, and a few
 * disabled: what the trigger's state holds at a provider's scale.
 */
export function vspcSeededUsers(users: number, companies: number, { extra = 0.1, random = rng(11) }: { extra?: number; random?: () => number } = {}): Array<VeeamUser & { logins: Array<{ id: string; kind: string; provider: string }> }> {
	const orgs = Array.from({ length: companies }, (_, i) => {
		const n = String(i + 1).padStart(4, '0');
		return { uid: uuidFrom(random), name: `Company ${n}`, type: 'Company', alias: `company${n}` };
	});
	let loginSeq = 0;
	const make = (name: string, org: (typeof orgs)[number], role: string) => {
		const uid = uuidFrom(random);
		const logins = [{ id: String(++loginSeq), kind: 'password', provider: 'VSPC' }];
		const more = random() < extra;
		if (more) logins.push(random() < 0.5 ? { id: String(++loginSeq), kind: 'totp', provider: 'TOTP' } : { id: String(++loginSeq), kind: 'apiKey', provider: 'AK' });
		const policy = more && random() < 0.5 ? 'Enabled' : 'Disabled';
		return {
			ref: uid,
			id: uid,
			name,
			type: 'Company',
			roles: [{ id: role, name: spaced(role) }],
			organization: { uid: org.uid, name: org.name, type: org.type },
			status: random() < 0.02 ? 'Disabled' : 'Enabled',
			mfaPolicy: policy,
			mfaEnabled: policy !== 'Disabled',
			mfaConfigured: logins.some((l) => l.kind === 'totp'),
			logins,
			isDirectoryAccount: false,
			isGroup: false,
		};
	};
	const out = orgs.map((org) => make(`${org.alias}.owner`, org, 'CompanyOwner'));
	for (let i = 0; i < users; i++) out.push(make(`seed.user${String(i + 1).padStart(6, '0')}`, orgs[i % orgs.length], 'CompanyLocationUser'));
	return out;
}
