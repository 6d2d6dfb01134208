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
import { itemBody, operatorBody } from './vb365Read';

export const VB365_ROLE_TYPES: readonly Vb365RoleType[] = ['EntireOrganization', 'SpecificObjects'];

/** Role names compare without regard to case (two roles "Helpdesk" and "helpdesk" would be taken for one). */
export const sameText = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export interface RoleFields {
	name: string;
	description?: string;
	roleType: Vb365RoleType;
	operators?: Array<Vb365Principal & { operatorId?: string }>;
	selected?: Vb365Item[];
	excluded?: Vb365Item[];
}

/** Why this role cannot be sent, as a phrase; undefined when it can. */
export function roleProblem(role: RoleFields): string | undefined {
	if (role.name.trim() === '') return 'its name is empty';
	if (role.name !== role.name.trim()) return 'its name has white space at its start or end';
	if (hasControl(role.name)) return 'its name contains control characters';
	if (!VB365_ROLE_TYPES.includes(role.roleType)) return `its role type "${String(role.roleType)}" is neither EntireOrganization nor SpecificObjects`;
	if (role.roleType === 'SpecificObjects' && !(role.selected ?? []).length) {
		return 'a SpecificObjects role must name at least one object to manage (Veeam\'s reference: "you must specify a collection of objects to manage")';
	}
	return undefined;
}

/** The body of a create (POST) or a whole-role edit (PUT): every list given, empty ones too. */
export function roleBody(role: RoleFields): IDataObject {
	return {
		name: role.name,
		description: role.description ?? '',
		roleType: role.roleType,
		operators: (role.operators ?? []).map((o) => operatorBody(o)),
		selectedItems: (role.selected ?? []).map((i) => itemBody(i)),
		excludedItems: (role.excluded ?? []).map((i) => itemBody(i)),
	};
}
