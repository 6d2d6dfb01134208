/**
 * Restore Operator → Revoke (Veeam Backup for Microsoft 365): a user or group is no longer an
 * operator of the roles named, or of any role of the organization. Cost: the role list (or the
 * roles named), one operators read per role (8 at once), one change per role that names it, and
 * that role's operators read back (8 roles at once). A role that does not name it is `unchanged`; an operator the
 * read-back still shows fails the item, saying what was done before.
 *
 * The operator is looked up in the organization; when the organization no longer lists it (a leaver
 * whose Microsoft 365 account is gone), the roles' operators are matched by the ID, e-mail / UPN or
 * name given, else by display name (one shared by several operators is refused, naming their IDs).
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { runPool } from '../../../../client/pool';
import type { Vb365Access, Vb365Operator, Vb365Organization, Vb365Principal, Vb365PrincipalKind, Vb365Role } from '../../../../client/vb365Model';
import { inputError, readChoice } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import {
	findPrincipal,
	incomplete,
	isOperator,
	operatorsNamed,
	organizationOutput,
	principalOutput,
	readNamedRoles,
	readOperatorText,
	readOrganization,
	readPrincipalKind,
	refuseDisplayNameClash,
	rolesHint,
	vb365Access,
	withOperators,
} from '../../helpers/vb365';
import { itemOptions } from '../common.descriptions';
import { operatorField, operatorTypeField, organizationLocator, restoreRolesField } from './fields';

const REVOKE_FROM = ['roles', 'allRoles'] as const;

const properties: INodeProperties[] = [
	organizationLocator,
	operatorTypeField,
	operatorField('The user or group that is to be an operator no more: e-mail address (UPN) or group name, display name, or ID'),
	{
		displayName: 'Revoke From',
		name: 'revokeFrom',
		type: 'options',
		default: 'allRoles',
		options: [
			{ name: 'Every Role of the Organization', value: 'allRoles', description: 'No role of the organization names the operator any more' },
			{ name: 'The Roles Named', value: 'roles' },
		],
		description: 'Which roles the operator is removed from',
	},
	{ ...restoreRolesField('The roles to remove the operator from'), displayOptions: { show: { revokeFrom: ['roles'] } } },
	itemOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['restoreOperator'], operation: ['revoke'] } }, properties);

interface RevokeParams {
	org: Vb365Organization;
	kind: Vb365PrincipalKind;
	text: string;
	/** Undefined when the organization lists no such user or group (its operators are matched by the text). */
	principal?: Vb365Principal;
	/** Undefined: every role of the organization. */
	roles?: Vb365Role[];
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<RevokeParams> {
	const access = vb365Access(this, directory, i);
	const kind = readPrincipalKind(this, i);
	const text = readOperatorText(this, i);
	const from = readChoice(this, i, 'revokeFrom', 'Revoke From', REVOKE_FROM, 'allRoles');
	const org = await readOrganization(this, i, access);
	let roles: Vb365Role[] | undefined;
	if (from === 'roles') {
		const named = await readNamedRoles(this, i, access, org);
		if (named.missing.length) {
			throw inputError(this, i, 'Role Names or IDs', `the organization ${org.name} has no role named ${named.missing.map((m) => `"${m}"`).join(', ')}`, rolesHint(await access.roles(org.id)));
		}
		roles = named.found;
	}
	const principal = await findPrincipal(this, i, access, org, text, kind);
	return { org, kind, text, principal, roles };
}

/** Items about the same operator of the same organization run one after another. */
export function serialKey(p: RevokeParams): string {
	return `org:${p.org.id}|${p.kind}:${(p.principal?.id ?? p.text).toLowerCase()}`;
}

/** The operators of `roles` (read) that are the item's operator. */
export function matcher(ctx: IExecuteFunctions, i: number, roles: Vb365Role[], p: Pick<RevokeParams, 'principal' | 'text' | 'kind'>, field = 'Operator'): (role: Vb365Role) => Vb365Operator[] {
	if (p.principal) {
		const principal = p.principal;
		refuseDisplayNameClash(ctx, i, roles, principal, p.text, field);
		return (role) => (role.operators ?? []).filter((o) => isOperator(o, principal));
	}
	const ids = new Set(operatorsNamed(ctx, i, roles, p.text, p.kind, field).map((o) => o.operatorId.toLowerCase()));
	return (role) => (role.operators ?? []).filter((o) => ids.has(o.operatorId.toLowerCase()));
}

/**
 * Removes `operators` from `role` (its operators as just read: not read again before the change),
 * then checks the read-back: none of them, and nobody who is the same operator, may remain.
 */
export async function removeFrom(access: Vb365Access, role: Vb365Role, operators: Vb365Operator[]): Promise<void> {
	const after = await access.removeOperators(
		role.id,
		operators.map((o) => o.operatorId),
		role.operators,
	);
	const left = after.filter((o) => operators.some((gone) => o.operatorId.toLowerCase() === gone.operatorId.toLowerCase() || isOperator(o, gone)));
	if (left.length) throw new Error(`the server still shows ${left.map((o) => `"${o.name || o.displayName}" (operator ID ${o.operatorId})`).join(', ')} in the role "${role.name}" after removing it`);
}

/** A role and the operators to remove from it. */
export interface Removal {
	role: Vb365Role;
	operators: Vb365Operator[];
}

/**
 * Each removal (`removeFrom`, read back), up to `concurrency` roles at once: the roles are
 * independent, so one role's change and read-back need not wait for another's. After a failure no
 * further role is started (those in flight finish); `done` is every removal that completed, in
 * order, `failed` the first that failed.
 */
export async function removeFromRoles<T extends Removal>(access: Vb365Access, removals: T[], concurrency = 8): Promise<{ done: T[]; failed?: { removal: T; error: unknown } }> {
	const outcomes = await runPool(removals.length, async (n) => await removeFrom(access, removals[n].role, removals[n].operators), { concurrency, stopOnError: true });
	const done = removals.filter((_, n) => outcomes[n]?.ok === true);
	const n = outcomes.findIndex((o) => o !== undefined && !o.ok);
	const outcome = outcomes[n];
	return outcome && !outcome.ok ? { done, failed: { removal: removals[n], error: outcome.error } } : { done };
}

/** Nobody of the kind asked for is named so, but an operator of the other kind is: refused (never "absent" while it is an operator). */
function refuseOtherKind(ctx: IExecuteFunctions, i: number, roles: Vb365Role[], p: Pick<RevokeParams, 'text' | 'kind'>): void {
	const other: Vb365PrincipalKind = p.kind === 'user' ? 'group' : 'user';
	const named = operatorsNamed(ctx, i, roles, p.text, other);
	if (named.length === 0) return;
	throw inputError(ctx, i, 'Operator', `"${p.text}" is a ${other} operator (ID ${named[0].id}), not a ${p.kind}: nothing was removed`, `Set Operator Type to ${other === 'group' ? 'Group' : 'User'} if you mean it.`);
}

export async function execute(this: IExecuteFunctions, p: RevokeParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const access = vb365Access(this, directory, i);
	const roles = p.roles ? await withOperators(access, p.roles) : await access.rolesWithOperators(p.org.id, 8);
	const named = matcher(this, i, roles, p);
	const who = p.principal ? p.principal.name || p.principal.displayName : p.text;
	const plans: Removal[] = roles.map((role) => ({ role, operators: named(role) }));
	const removals = plans.filter((r) => r.operators.length > 0);
	const seen: Vb365Operator | undefined = removals[0]?.operators[0];
	const { done, failed } = await removeFromRoles(access, removals);
	if (failed) {
		const before = done.map((r) => `removed from the role "${r.role.name}"`);
		throw incomplete(this, i, 'Operator', `revoking the ${p.kind} "${who}"`, `removing it from the role "${failed.removal.role.name}" failed`, before, failed.error);
	}
	const results: IDataObject[] = plans
		.filter((r) => r.operators.length > 0 || p.roles)
		.map((r) => ({ id: r.role.id, name: r.role.name, result: r.operators.length > 0 ? 'removed' : 'notOperator' }));
	if (!p.principal && !seen) refuseOtherKind(this, i, roles, p);
	const removed = results.some((r) => r.result === 'removed');
	const operator = p.principal ? principalOutput(p.principal) : seen ? principalOutput(seen) : { kind: p.kind, name: p.text };
	return {
		action: removed ? 'revoked' : !p.principal && !seen ? 'absent' : 'unchanged',
		operator,
		// False: the organization no longer lists the user or group (matched among the operators by the text given).
		foundInOrganization: p.principal !== undefined,
		organization: organizationOutput(p.org),
		roles: results,
	};
}
