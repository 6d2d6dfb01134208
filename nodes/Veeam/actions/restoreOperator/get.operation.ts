/**
 * Restore Operator → Get (Veeam Backup for Microsoft 365), read-only: one user or group of the
 * organization, with each role that names it directly and what that role lets it restore (the
 * entire organization, or the selected objects, less the excluded ones). Roles it reaches only
 * through a group are not listed: VB365 names the group, not its members.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import type { Vb365Organization, Vb365Principal, Vb365PrincipalKind } from '../../../../client/vb365Model';
import { inputError } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { findPrincipal, itemOutput, organizationOutput, principalOutput, readOperatorText, readOrganization, readPrincipalKind, vb365Access } from '../../helpers/vb365';
import { itemOptions } from '../common.descriptions';
import { operatorField, operatorTypeField, organizationLocator } from './fields';
import { matcher } from './revoke.operation';

const properties: INodeProperties[] = [
	organizationLocator,
	operatorTypeField,
	operatorField('The user or group: e-mail address (UPN) or group name, display name, or ID'),
	itemOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['restoreOperator'], operation: ['get'] } }, properties);

interface GetParams {
	org: Vb365Organization;
	kind: Vb365PrincipalKind;
	text: string;
	principal?: Vb365Principal;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<GetParams> {
	const access = vb365Access(this, directory, i);
	const kind = readPrincipalKind(this, i);
	const text = readOperatorText(this, i);
	const org = await readOrganization(this, i, access);
	return { org, kind, text, principal: await findPrincipal(this, i, access, org, text, kind) };
}

export async function execute(this: IExecuteFunctions, p: GetParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const access = vb365Access(this, directory, i);
	const roles = await access.rolesWithOperators(p.org.id, 8);
	const named = matcher(this, i, roles, p);
	const holding = roles.filter((r) => named(r).length > 0);
	const first = holding.length ? named(holding[0])[0] : undefined;
	if (!p.principal && !first) {
		throw inputError(this, i, 'Operator', `no Microsoft 365 ${p.kind} "${p.text}" in the organization ${p.org.name}, and no role names one so`);
	}
	const shown: IDataObject[] = [];
	for (const role of holding) {
		const excluded = await access.items(role.id, 'excluded');
		const selected = role.roleType === 'EntireOrganization' ? undefined : await access.items(role.id, 'selected');
		shown.push({
			id: role.id,
			name: role.name,
			description: role.description,
			roleType: role.roleType ?? null,
			// What the role lets its operators restore.
			scope: role.roleType === 'EntireOrganization' ? 'entireOrganization' : 'selectedItems',
			...(selected ? { selectedItems: selected.map(itemOutput) } : {}),
			excludedItems: excluded.map(itemOutput),
		});
	}
	return {
		operator: principalOutput(p.principal ?? (first as Vb365Principal)),
		foundInOrganization: p.principal !== undefined,
		organization: organizationOutput(p.org),
		isOperator: shown.length > 0,
		roles: shown,
	};
}
