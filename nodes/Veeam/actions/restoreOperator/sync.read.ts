/**
 * Restore Operator → Sync, the reading: the organization, its roles in scope, each item's operator
 * and roles, checked before anything is sent. An operator given by ID is matched against the
 * operators the roles in scope already name (of the kind asked for: no request); any other text (an
 * e-mail, a name, a display name, an ID no role names) is looked up in the organization
 * (`Vb365Access.findPrincipal`, several at once): an e-mail on a role's entry may be a deleted
 * account's while a new account carries it now. Ambiguity is refused naming the candidates; a group
 * is never taken for a user or back.
 */
import { NodeApiError, NodeOperationError, type IExecuteFunctions } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { runPool } from '../../../../client/pool';
import type { Vb365Access, Vb365Operator, Vb365Organization, Vb365Principal, Vb365PrincipalKind, Vb365Role } from '../../../../client/vb365Model';
import { checkText, inputError, ItemErrors, readChoice, readEachItem, readLocator } from '../../helpers/input';
import { forField, PRODUCT_NAME, readOperatorText, readOrganization, readPrincipalKind, vb365Access } from '../../helpers/vb365';

const lower = (s: string) => s.toLowerCase();

/** How an operator is told apart from every other: kind and the principal's ID. */
export const principalKey = (p: Pick<Vb365Principal, 'kind' | 'id'>): string => `${p.kind}:${lower(p.id)}`;

export function vb365AccessOf(ctx: IExecuteFunctions, directory: UserDirectory): Vb365Access {
	return vb365Access(ctx, directory, 0);
}

/** The texts of a role list field: a list from an expression, or text separated by commas or new lines. */
export function readRoleTexts(ctx: IExecuteFunctions, i: number, name: string, field: string, roles: Vb365Role[]): string[] {
	const raw = ctx.getNodeParameter(name, i, '') as unknown;
	if (Array.isArray(raw)) return raw.map((v) => checkText(ctx, i, field, v, false)).filter((v) => v !== '');
	const text = checkText(ctx, i, field, raw, false);
	const parts = text.split(/[,\n]/).map((s) => s.trim()).filter((s) => s !== '');
	// A role whose name has a comma is taken whole, unless the parts name roles too (then: which was meant?).
	const whole = roles.some((r) => lower(r.name) === lower(text));
	if (whole && parts.length > 1) {
		const partsAreRoles = parts.every((p) => roles.some((r) => lower(r.name) === lower(p) || lower(r.id) === lower(p)));
		if (partsAreRoles) throw inputError(ctx, i, field, `"${text}" is the name of a role and also a list of roles`, 'Give the roles as a list from an expression, e.g. {{ ["a", "b"] }}.');
		return [text];
	}
	return parts;
}

/** The roles `texts` name among `roles` (ID or name, any case); none, or a name two roles share, is refused. */
export function matchRoles(ctx: IExecuteFunctions, i: number, field: string, texts: string[], roles: Vb365Role[], organization: Vb365Organization): Vb365Role[] {
	const found = new Map<string, Vb365Role>();
	for (const text of texts) {
		const byId = roles.filter((r) => lower(r.id) === lower(text));
		const matches = byId.length ? byId : roles.filter((r) => lower(r.name) === lower(text));
		if (matches.length === 0) throw inputError(ctx, i, field, `"${text}" is no restore operator role of ${organization.name}`, 'Give a role of this organization by its name or ID.');
		if (matches.length > 1) throw inputError(ctx, i, field, `"${text}" names ${matches.length} roles of ${organization.name} (IDs ${matches.map((r) => r.id).join(', ')})`, 'Give the role by its ID.');
		found.set(matches[0].id, matches[0]);
	}
	return [...found.values()];
}

/** What item `i` asks for, as given. */
export interface OperatorRow {
	item: number;
	text: string;
	kind: Vb365PrincipalKind;
	roles: Vb365Role[];
}

/** The organization (item 0's Organization), refused when a later item names another. */
export async function readSyncOrganization(ctx: IExecuteFunctions, access: Vb365Access, itemCount: number): Promise<Vb365Organization> {
	const organization = await readOrganization(ctx, 0, access);
	const first = readLocator(ctx, 0, 'organization', 'Organization').value;
	const errors: Array<{ item: number; error: NodeOperationError }> = [];
	for (let i = 1; i < itemCount; i++) {
		const other = readLocator(ctx, i, 'organization', 'Organization').value;
		const same = [first, organization.id, organization.name, organization.officeName ?? ''].some((n) => lower(n) === lower(other));
		if (!same) errors.push({ item: i, error: inputError(ctx, i, 'Organization', `is "${other}", but a sync is about one organization: item 0's ${organization.name}`, 'Run one sync per organization.') });
	}
	if (errors.length) throw new ItemErrors(errors);
	return organization;
}

/** The roles in scope: every role of the organization, or those item 0 names. */
export function readScopeRoles(ctx: IExecuteFunctions, roles: Vb365Role[], organization: Vb365Organization): Vb365Role[] {
	const scope = readChoice(ctx, 0, 'operatorSyncScope', 'Roles in Scope', ['all', 'roles'] as const, 'all');
	if (scope === 'all') return roles;
	const texts = readRoleTexts(ctx, 0, 'operatorSyncScopeRoles', 'Managed Role Names or IDs', roles);
	if (texts.length === 0) throw inputError(ctx, 0, 'Managed Role Names or IDs', 'is empty');
	return matchRoles(ctx, 0, 'Managed Role Names or IDs', texts, roles, organization);
}

/** Every item's operator text, kind and roles (each in scope); all bad items at once (ItemErrors). */
export async function readRows(ctx: IExecuteFunctions, itemCount: number, roles: Vb365Role[], inScope: Vb365Role[], organization: Vb365Organization): Promise<OperatorRow[]> {
	const scopeIds = new Set(inScope.map((r) => r.id));
	return await readEachItem(ctx, itemCount, (i): OperatorRow => {
		const text = readOperatorText(ctx, i);
		const kind = readPrincipalKind(ctx, i);
		const texts = readRoleTexts(ctx, i, 'restoreRoles', 'Role Names or IDs', roles);
		if (texts.length === 0) throw inputError(ctx, i, 'Role Names or IDs', 'is empty', 'Leave an operator who should hold no role out of the input: the sync removes them.');
		const wanted = matchRoles(ctx, i, 'Role Names or IDs', texts, roles, organization);
		const outside = wanted.filter((r) => !scopeIds.has(r.id));
		if (outside.length) {
			throw inputError(
				ctx,
				i,
				'Role Names or IDs',
				`${outside.map((r) => `"${r.name}"`).join(', ')} ${outside.length > 1 ? 'are roles' : 'is a role'} this sync does not manage (its scope: ${inScope.map((r) => r.name).join(', ')})`,
				'Remove the role from the item, or add it to Managed Role Names or IDs.',
			);
		}
		return { item: i, text, kind, roles: wanted };
	});
}

/**
 * The operator the text names by ID among those the roles already have, without a request. Only an
 * ID: an e-mail or name may still be on a role's entry of a deleted account while a new account
 * carries it now (review R-S1), so those are looked up in the organization.
 */
function knownOperator(text: string, kind: Vb365PrincipalKind, operators: Vb365Operator[]): Vb365Principal | undefined {
	const t = lower(text);
	const matches = operators.filter((o) => o.kind === kind && lower(o.id) === t);
	const distinct = new Map(matches.map((o) => [principalKey(o), o]));
	return distinct.size === 1 ? [...distinct.values()][0] : undefined;
}

/**
 * Each row's principal: known operators first, the rest looked up (`concurrency` at once). Rows
 * with the same text and kind are looked up once. Not found or ambiguous: that item's error.
 */
export async function resolveRows(
	ctx: IExecuteFunctions,
	access: Vb365Access,
	organization: Vb365Organization,
	rows: OperatorRow[],
	operators: Vb365Operator[],
	concurrency: number,
): Promise<Map<number, Vb365Principal>> {
	const resolved = new Map<number, Vb365Principal>();
	const lookups = new Map<string, OperatorRow[]>();
	for (const row of rows) {
		const known = knownOperator(row.text, row.kind, operators);
		if (known) resolved.set(row.item, known);
		else {
			const key = `${row.kind}:${lower(row.text)}`;
			lookups.set(key, [...(lookups.get(key) ?? []), row]);
		}
	}
	const pending = [...lookups.values()];
	const outcomes = await runPool(pending.length, async (n) => await access.findPrincipal(organization.id, pending[n][0].text, pending[n][0].kind, 'Operator'), {
		concurrency,
		// Every item's problem at once; a failed request ends the reading below.
		stopOnError: false,
	});
	const errors: Array<{ item: number; error: NodeOperationError }> = [];
	for (const [n, outcome] of outcomes.entries()) {
		if (!outcome) continue;
		for (const row of pending[n]) {
			if (!outcome.ok) {
				const error = forField(ctx, row.item, 'Operator', outcome.error);
				if (!(error instanceof NodeOperationError) || error instanceof NodeApiError) throw error;
				errors.push({ item: row.item, error });
			} else if (!outcome.value) {
				const hint = row.kind === 'user' ? "Give the user's e-mail address (UPN), display name or ID" : "Give the group's name, display name or ID";
				errors.push({ item: row.item, error: inputError(ctx, row.item, 'Operator', `no Microsoft 365 ${row.kind} "${row.text}" in the organization ${organization.name}`, `${hint}, as ${PRODUCT_NAME} lists it for this organization.`) });
			} else if (outcome.value.kind !== row.kind) {
				// Asked for one kind: a group is never taken for a user, or back.
				errors.push({ item: row.item, error: inputError(ctx, row.item, 'Operator', `"${row.text}" is a Microsoft 365 ${outcome.value.kind} of ${organization.name}, not a ${row.kind}`, `Set Operator Type to ${outcome.value.kind === 'group' ? 'Group' : 'User'} if you mean it.`) });
			} else resolved.set(row.item, outcome.value);
		}
	}
	if (errors.length) throw new ItemErrors(errors.sort((a, b) => a.item - b.item));
	return resolved;
}
