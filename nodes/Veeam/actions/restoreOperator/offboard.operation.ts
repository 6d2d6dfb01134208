/**
 * Restore Operator → Offboard (Veeam Backup for Microsoft 365): no restore operator role names the
 * person any more, directly, in every organization (or the one given); then the groups that are
 * operators of a role and contain the person are listed (offboard.groups.ts): the node does not
 * change Microsoft 365 groups, whoever manages the directory does.
 *
 * Per organization: the person is looked up (a leaver's account may be gone: the roles' operators
 * are then matched by the text given), every role naming them loses them (read back), and the group
 * operators' members are read. Cost: the organization list, the roles with their operators (8 reads
 * at once), one look-up per organization, one change and one read-back per role naming the person (8 roles at once),
 * one members read per group operator.
 */
import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import type { Vb365Operator, Vb365Organization, Vb365Principal, Vb365Role } from '../../../../client/vb365Model';
import { inputError } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { findPrincipal, incomplete, operatorsNamed, organizationOutput, principalOutput, readOperatorText, readOrganizationScope, vb365Access } from '../../helpers/vb365';
import { itemOptions } from '../common.descriptions';
import { operatorField, organizationScopeField, scopedOrganizationLocator } from './fields';
import { checkGroups, groupsOutput, type OrganizationCheck } from './offboard.groups';
import { matcher, removeFromRoles } from './revoke.operation';

const properties: INodeProperties[] = [
	{ ...operatorField('The person leaving: their e-mail address (UPN), display name or ID in Microsoft 365'), displayName: 'Person' },
	{ ...organizationScopeField, description: 'Where the person is to be an operator no more' },
	scopedOrganizationLocator,
	itemOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['restoreOperator'], operation: ['offboard'] } }, properties);

interface OffboardParams {
	text: string;
	/** Undefined: every organization. */
	org?: Vb365Organization;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<OffboardParams> {
	const access = vb365Access(this, directory, i);
	const text = readOperatorText(this, i, 'operator', 'Person');
	const org = await readOrganizationScope(this, i, access);
	return { text, org };
}

/** Items about the same person run one after another. */
export function serialKey(p: OffboardParams): string {
	return `person:${p.text.toLowerCase()}`;
}

const same = (a: string | undefined, b: string) => a !== undefined && a !== '' && a.toLowerCase() === b.toLowerCase();

/**
 * A display name (not an e-mail / UPN or ID) that names someone in more than one organization: the
 * organizations are different Microsoft 365 tenants, so these are namesakes as far as anyone can
 * tell; refused naming them (nothing changed). By e-mail, ID, or with One Organization it is clear.
 */
function refuseNamesakes(ctx: IExecuteFunctions, i: number, text: string, plans: Array<{ org: Vb365Organization; principal?: Vb365Principal; seen?: Vb365Operator }>): void {
	const byDisplayName = plans
		.map(({ org, principal, seen }) => ({ org, who: principal ?? seen }))
		.filter((x): x is { org: Vb365Organization; who: Vb365Principal } => x.who !== undefined && !same(x.who.id, text) && !same(x.who.name, text));
	if (byDisplayName.length < 2) return;
	throw inputError(
		ctx,
		i,
		'Person',
		`"${text}" is the display name of people in ${byDisplayName.length} organizations: ${byDisplayName.map(({ org, who }) => `${who.name || who.displayName} (ID ${who.id}) of ${org.name}`).join(', ')}`,
		'Nothing was changed. Give the e-mail address (UPN) of the person, or choose One Organization.',
	);
}

/** No person is named so, but a group operator is (its address or name given as the Person): refused, never "absent" while it is an operator. */
function refuseGroup(ctx: IExecuteFunctions, i: number, text: string, plans: Array<{ org: Vb365Organization; own: Vb365Role[] }>): void {
	for (const { org, own } of plans) {
		const group = operatorsNamed(ctx, i, own, text, 'group', 'Person')[0];
		if (group) {
			throw inputError(ctx, i, 'Person', `"${text}" is a group operator (ID ${group.id}) of ${org.name}, not a person: nothing was removed`, 'Offboard takes a person. To take the group out of its roles, use Revoke with Operator Type Group.');
		}
	}
}

export async function execute(this: IExecuteFunctions, p: OffboardParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const access = vb365Access(this, directory, i);
	const orgs = p.org ? [p.org] : await access.organizations();
	const roles = await access.rolesWithOperators(p.org?.id, 8);
	// First every look-up (read-only: a name the organization cannot tell apart fails the item with nothing changed) …
	const plans = [];
	for (const org of orgs) {
		const own = roles.filter((r) => r.organizationId.toLowerCase() === org.id.toLowerCase());
		const principal = await findPrincipal(this, i, access, org, p.text, 'user', 'Person');
		const named = matcher(this, i, own, { principal, text: p.text, kind: 'user' }, 'Person');
		const removals = own.map((role) => ({ role, operators: named(role) })).filter((r) => r.operators.length > 0);
		plans.push({ org, own, principal, removals, seen: removals[0]?.operators[0] as Vb365Operator | undefined });
	}
	refuseNamesakes(this, i, p.text, plans);
	if (plans.every((plan) => !plan.principal && !plan.seen)) refuseGroup(this, i, p.text, plans);
	// … then the changes, each read back (8 roles at once: they are independent).
	const { done, failed } = await removeFromRoles(
		access,
		plans.flatMap(({ org, removals }) => removals.map((r) => ({ ...r, org }))),
	);
	if (failed) {
		const before = done.map((r) => `removed from the role "${r.role.name}" of ${r.org.name}`);
		throw incomplete(this, i, 'Person', `offboarding "${p.text}"`, `removing them from the role "${failed.removal.role.name}" of ${failed.removal.org.name} failed`, before, failed.error);
	}
	const removed: IDataObject[] = done.flatMap(({ org, role, operators }) =>
		operators.map((op) => ({ organization: organizationOutput(org), role: { id: role.id, name: role.name }, operator: principalOutput(op) })),
	);
	const checks: OrganizationCheck[] = plans.map(({ org, own, principal, seen }) => ({
		organization: org,
		roles: own.map((r): Vb365Role => ({ ...r, operators: (r.operators ?? []).filter((o) => o.kind === 'group') })),
		login: principal?.name || seen?.name || (p.text.includes('@') ? p.text : undefined),
	}));
	const organizations = plans.map(({ org, principal, seen }) => ({ ...organizationOutput(org), foundInOrganization: principal !== undefined, wasOperator: seen !== undefined }));
	const findings = await checkGroups(access, checks);
	const known = organizations.some((o) => o.foundInOrganization || o.wasOperator);
	return {
		action: removed.length ? 'revoked' : known ? 'unchanged' : 'absent',
		person: p.text,
		removedFrom: removed,
		organizations,
		...groupsOutput(findings, p.text),
		// The person's Microsoft 365 account, and the groups it is in, are left as they are.
		directoryAccountRemains: known,
	};
}
