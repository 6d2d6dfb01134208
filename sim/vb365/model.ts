/**
 * Veeam Backup for Microsoft 365 (REST v6 … v8, version in the path, port 4443) as the simulator
 * keeps it: the Microsoft 365 organizations VB365 backs up, their users, groups (with members),
 * sites and teams (what VB365 reads from Microsoft 365: `GET /v8/Organizations/{id}/Users` …), and
 * the restore-operator roles (`/v8/RbacRoles`) that name operators and a scope. Shapes: Veeam's
 * published v8 spec (`RESTUser`, `RESTGroup`, `RESTGroupMember`, `RESTSite`, `RESTTeam`,
 * `RESTRbacRole`, `RESTRbacOperator`, `RESTRbacItemComposed`); what no Veeam page says is marked
 * "Assumption" here and in sim/contracts/vb365.md.
 */
import { randomUUID } from 'node:crypto';

/** Versions whose RbacRoles calls are the same (v6, v7, v8 specs of Cenvora/veeam-365 `openapi_schemas/`). */
export const VB365_SUPPORTED_VERSIONS = ['v6', 'v7', 'v8'] as const;

export type Vb365OrgType = 'Office365' | 'OnPremises' | 'Hybrid';
export type Vb365UserType = 'User' | 'Shared' | 'Public';
export type Vb365GroupType = 'Office365' | 'Security' | 'Distribution' | 'DynamicDistribution';
export type Vb365LocationType = 'Cloud' | 'OnPremises' | 'Hybrid';
export type Vb365RoleType = 'EntireOrganization' | 'SpecificObjects';
export type Vb365ItemKind = 'User' | 'Group' | 'Site' | 'Team';
export type Vb365OperatorKind = 'User' | 'Group';

export interface Vb365OrgRecord {
	id: string;
	/** `name`: the tenant's primary domain (`contoso.onmicrosoft.com`). */
	name: string;
	officeName: string;
	type: Vb365OrgType;
	description: string;
	msid: string;
	seq: number;
}

export interface Vb365UserRecord {
	/**
	 * VB365's organization-user ID: the Microsoft 365 object ID followed by the on-premises one, the
	 * zero GUID for a cloud-only user (Veeam's "Adding Restore Operators" example:
	 * `6c6d2495-ca27-4b4a-8c93-956bacb8b4b400000000-0000-0000-0000-000000000000`).
	 */
	id: string;
	organizationId: string;
	msid: string;
	/** `name`: the e-mail address / UPN. */
	name: string;
	displayName: string;
	type: Vb365UserType;
	locationType: Vb365LocationType;
	office: string;
	onPremisesSid?: string;
	seq: number;
}

export interface Vb365GroupRecord {
	id: string;
	organizationId: string;
	msid: string;
	/** The group's mail address (nullable in `RESTGroup`: a security group may have none). */
	name: string | null;
	displayName: string;
	type: Vb365GroupType;
	locationType: Vb365LocationType;
	onPremisesSid?: string;
	/** Direct members: user or group IDs of the same organization. */
	members: string[];
	seq: number;
}

export interface Vb365SiteRecord {
	id: string;
	organizationId: string;
	url: string;
	parentUrl: string;
	name: string;
	title: string;
	isCloud: boolean;
	isPersonal: boolean;
	seq: number;
}

export interface Vb365TeamRecord {
	id: string;
	organizationId: string;
	displayName: string;
	description: string;
	mail: string;
	seq: number;
}

/**
 * An operator or an item of a role: its own ID (what `DELETE …?ids=` takes), the kind and the
 * directory object's ID. Veeam's DELETE examples show 108-character IDs (three GUIDs) where the
 * POST bodies name 72-character object IDs: assumed "a GUID + the object's ID".
 */
export interface Vb365Ref {
	refId: string;
	kind: Vb365ItemKind;
	id: string;
	/** The RBAC shape when added: what the role still shows once the object left the directory. */
	shape: Record<string, unknown>;
}

export interface Vb365RoleRecord {
	id: string;
	organizationId: string;
	name: string;
	description: string;
	roleType: Vb365RoleType;
	/** Keyed by lower-case ID, in the order added. */
	operators: Map<string, Vb365Ref>;
	selected: Map<string, Vb365Ref>;
	excluded: Map<string, Vb365Ref>;
	seq: number;
}

export const VB365_DEFAULT_ADMIN = 'VB365\\Administrator';
export const VB365_DEFAULT_PASSWORD = 'Sim-Passw0rd!';
export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

/** Fixed IDs of the initial state, so tests can name them. */
export const VB365_ORG_CONTOSO_ID = 'ae19d952-59dc-49f4-b12f-000000000001';
export const VB365_ORG_FABRIKAM_ID = 'ae19d952-59dc-49f4-b12f-000000000002';
export const VB365_ORG_TAILSPIN_ID = 'ae19d952-59dc-49f4-b12f-000000000003';
export const VB365_ROLE_HELPDESK_ID = '5b7b13ba-a04e-4e05-8eab-000000000001';
export const VB365_ROLE_FINANCE_ID = '5b7b13ba-a04e-4e05-8eab-000000000002';
export const VB365_ROLE_FABRIKAM_ID = '5b7b13ba-a04e-4e05-8eab-000000000003';

export function newUid(): string {
	return randomUUID();
}

/** A fresh operator / item ID for the directory object `id` (assumed form, sim/contracts/vb365.md). */
export function refIdFor(id: string): string {
	return `${randomUUID()}${id}`;
}

/** A directory object's VB365 ID from its Microsoft 365 object ID (and on-premises ID). */
export function directoryId(msid: string, onPremisesId = ZERO_GUID): string {
	return `${msid}${onPremisesId}`;
}

/** The ID a test can predict: `<prefix>-…-<n as 12 hex digits>`. */
export function fixedUid(prefix: string, n: number): string {
	return `${prefix}-${n.toString(16).padStart(12, '0')}`;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An enum value as the API writes it, from any letter case (.NET reads enum names without regard to case). */
export function enumValue<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
	return typeof value === 'string' ? allowed.find((a) => a.toLowerCase() === value.toLowerCase()) : undefined;
}
