/**
 * Restore Operator → Get Many (Veeam Backup for Microsoft 365), read-only: the operators of the
 * roles of every organization (or one), one item per operator and organization with the roles that
 * name it, filtered by role, type and name. Cost: the role list and one operators read per role (8
 * at once); the filters are applied here, so they hold whatever the server sends.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { namePatternTest } from '../../../../client/adapters/userFilter';
import type { UserDirectory } from '../../../../client/adapters';
import { sameId } from '../../../../client/adapters/vb365Read';
import { sameText } from '../../../../client/adapters/vb365Roles';
import type { Vb365Operator, Vb365Organization, Vb365PrincipalKind } from '../../../../client/vb365Model';
import { checkText, inputError, readLimit } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { organizationMap, organizationOutput, PRINCIPAL_KINDS, principalOutput, readOrganizationScope, vb365Access } from '../../helpers/vb365';
import { returnAllAndLimit } from '../common.descriptions';
import { organizationScopeField, scopedOrganizationLocator } from './fields';

const properties: INodeProperties[] = [
	organizationScopeField,
	scopedOrganizationLocator,
	...returnAllAndLimit,
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		options: [
			{
				displayName: 'Name Pattern',
				name: 'namePattern',
				type: 'string',
				default: '',
				placeholder: 'e.g. jane or *@contoso.com',
				description: 'Text the e-mail address (UPN), group name or display name contains, without regard to case. With * (any text) or ? (one character) it matches the whole name instead.',
			},
			{
				displayName: 'Operator Type',
				name: 'operatorType',
				type: 'options',
				default: 'user',
				options: [
					{ name: 'User', value: 'user' },
					{ name: 'Group', value: 'group' },
				],
				description: 'Only users or only groups',
			},
			{
				displayName: 'Roles',
				name: 'roles',
				type: 'string',
				default: '',
				placeholder: 'e.g. Helpdesk Restores, Legal',
				description: 'Only operators of these roles: names (without regard to case) or IDs, separated by commas',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['restoreOperator'], operation: ['getMany'] } }, properties);

interface GetManyParams {
	org?: Vb365Organization;
	limit?: number;
	kind?: Vb365PrincipalKind;
	namePattern?: string;
	/** Role IDs (lower case) of the Roles filter. */
	roleIds?: Set<string>;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<GetManyParams> {
	const access = vb365Access(this, directory, i);
	const limit = readLimit(this, i);
	const raw = this.getNodeParameter('filters', i, {}) as IDataObject;
	const namePattern = checkText(this, i, 'Name Pattern', raw.namePattern, false) || undefined;
	const kindText = checkText(this, i, 'Operator Type', raw.operatorType, false);
	const kind = kindText ? PRINCIPAL_KINDS.find((k) => k === kindText.toLowerCase()) : undefined;
	if (kindText && !kind) throw inputError(this, i, 'Operator Type', `"${kindText}" is not one of ${PRINCIPAL_KINDS.join(', ')}`);
	const rolesText = checkText(this, i, 'Roles', raw.roles, false);
	const wanted = rolesText
		.split(',')
		.map((r) => r.trim())
		.filter((r) => r !== '');
	if (raw.roles !== undefined && wanted.length === 0) throw inputError(this, i, 'Roles', 'is empty', 'Give one or more role names or IDs, or remove the filter.');
	const org = await readOrganizationScope(this, i, access);
	let roleIds: Set<string> | undefined;
	if (wanted.length) {
		const roles = await access.roles(org?.id);
		const names = (r: { id: string; name: string }, w: string) => sameId(r.id, w) || sameText(r.name, w);
		const unknown = wanted.filter((w) => !roles.some((r) => names(r, w)));
		if (unknown.length) throw inputError(this, i, 'Roles', `no role named ${unknown.map((u) => `"${u}"`).join(', ')}${org ? ` in the organization ${org.name}` : ''}`);
		roleIds = new Set(roles.filter((r) => wanted.some((w) => names(r, w))).map((r) => r.id.toLowerCase()));
	}
	return { org, limit, kind, namePattern, roleIds };
}

export async function execute(this: IExecuteFunctions, p: GetManyParams, directory: UserDirectory, i: number): Promise<IDataObject[]> {
	const access = vb365Access(this, directory, i);
	const orgs = organizationMap(p.org ? [p.org] : await access.organizations());
	const roles = (await access.rolesWithOperators(p.org?.id, 8)).filter((r) => !p.org || r.organizationId.toLowerCase() === p.org.id.toLowerCase());
	const name = p.namePattern ? namePatternTest(p.namePattern) : undefined;
	const entries = new Map<string, { org: string; operator: Vb365Operator; roles: IDataObject[] }>();
	for (const role of roles) {
		if (p.roleIds && !p.roleIds.has(role.id.toLowerCase())) continue;
		for (const op of role.operators ?? []) {
			if (p.kind && op.kind !== p.kind) continue;
			if (name && !name(op.name) && !name(op.displayName)) continue;
			const key = `${role.organizationId.toLowerCase()}|${op.kind}|${op.id.toLowerCase()}`;
			const entry = entries.get(key) ?? { org: role.organizationId.toLowerCase(), operator: op, roles: [] };
			entry.roles.push({ id: role.id, name: role.name, roleType: role.roleType ?? null });
			entries.set(key, entry);
		}
	}
	const sorted = [...entries.values()].sort(
		(a, b) => (orgs.get(a.org)?.name ?? a.org).localeCompare(orgs.get(b.org)?.name ?? b.org) || (a.operator.name || a.operator.displayName).localeCompare(b.operator.name || b.operator.displayName),
	);
	return (p.limit === undefined ? sorted : sorted.slice(0, p.limit)).map((e) => {
		const org = orgs.get(e.org);
		return { operator: principalOutput(e.operator), organization: org ? organizationOutput(org) : { id: e.org }, roles: e.roles };
	});
}
