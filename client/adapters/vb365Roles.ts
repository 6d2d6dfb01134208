/**
 * A VB365 restore operator role as sent (`RESTRbacRoleCreateModel`: name, description, roleType,
 * operators, selectedItems, excludedItems) and what is checked before it is: the spec's note that a
 * SpecificObjects role "must specify a collection of objects to manage", a name (the spec sets no
 * length or character rules: empty, white space at either end and control characters are refused
 * here, assumed).
 */
import type { IDataObject } from 'n8n-workflow';

import type { Vb365Item, Vb365Principal, Vb365RoleType } from '../vb365Model';
import { hasControl } from './vb365Match';
import { itemBody, operatorBody, sameId, type BodyOptions } from './vb365Read';

export const VB365_ROLE_TYPES: readonly Vb365RoleType[] = ['EntireOrganization', 'SpecificObjects'];

/** Role names compare without regard to case (two roles "Helpdesk" and "helpdesk" would be taken for one): as IDs do. */
export const sameText = sameId;

export interface RoleFields {
	name: string;
	description?: string;
	roleType: Vb365RoleType;
	operators?: Array<Vb365Principal & { operatorId?: string }>;
	selected?: Vb365Item[];
	excluded?: Vb365Item[];
}

/** Why a role cannot have this name, as a phrase; undefined when it can. */
export function roleNameProblem(name: string): string | undefined {
	if (name.trim() === '') return 'its name is empty';
	if (name !== name.trim()) return 'its name has white space at its start or end';
	if (hasControl(name)) return 'its name contains control characters';
	return undefined;
}

/** Why a role of this type with these selected items cannot be sent; undefined when it can. */
export function roleTypeProblem(roleType: Vb365RoleType, selected: readonly Vb365Item[] | undefined): string | undefined {
	if (!VB365_ROLE_TYPES.includes(roleType)) return `its role type "${String(roleType)}" is neither EntireOrganization nor SpecificObjects`;
	if (roleType === 'SpecificObjects' && !(selected ?? []).length) {
		return 'a SpecificObjects role must name at least one object to manage (Veeam\'s reference: "you must specify a collection of objects to manage")';
	}
	return undefined;
}

/** Why this role cannot be created, as a phrase; undefined when it can. */
export function roleProblem(role: RoleFields): string | undefined {
	return roleNameProblem(role.name) ?? roleTypeProblem(role.roleType, role.selected);
}

/** The body of a create (POST) or a whole-role edit (PUT): every list given, empty ones too. */
export function roleBody(role: RoleFields, options?: BodyOptions): IDataObject {
	return {
		name: role.name,
		description: role.description ?? '',
		roleType: role.roleType,
		operators: (role.operators ?? []).map((o) => operatorBody(o, options)),
		selectedItems: (role.selected ?? []).map((i) => itemBody(i, options)),
		excludedItems: (role.excluded ?? []).map((i) => itemBody(i, options)),
	};
}
