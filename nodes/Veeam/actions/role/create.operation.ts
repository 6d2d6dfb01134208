import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { roleChanges, type CustomRole, type CustomRoleSpec } from '../../../../client/adapters/customRoleSpec';
import type { VbrCustomRoles, VbrRoleSummary } from '../../../../client/adapters/vbrCustomRoles';
import { UnclearOutcomeError, VeeamApiError } from '../../../../client/transport';
import { inputError, readChoice } from '../../helpers/input';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { itemOptions } from '../common.descriptions';
import { customRolesOf, readDeclaredRole, roleFields, roleOutput } from './customRole.fields';
import { alreadyPending, alreadyPendingOutput, unshownRoleChange } from './confirmRole';
import { applyRole } from './update.operation';

const IF_EXISTS = ['makeMatch', 'skip', 'error'] as const;
type IfExists = (typeof IF_EXISTS)[number];

const properties: INodeProperties[] = [
	...roleFields(['create']),
	{
		displayName: 'If the Role Already Exists',
		name: 'ifExists',
		type: 'options',
		default: 'makeMatch',
		displayOptions: { show: { product: ['vbr'] } },
		options: [
			{
				name: 'Make It Match',
				value: 'makeMatch',
				description: 'Change the existing custom role to the one given (no change if it already matches; a description or scope not given is left as it is)',
			},
			{ name: 'Skip', value: 'skip', description: 'Leave the existing role as it is' },
			{ name: 'Error', value: 'error', description: 'Fail this item' },
		],
		description: 'What to do when Veeam already has a custom role with this name',
	},
	itemOptions,
];

export const description = updateDisplayOptions({ show: { resource: ['role'], operation: ['create'] } }, properties);

interface CreateParams {
	spec: CustomRoleSpec;
	ifExists: IfExists;
}

export async function prepare(this: IExecuteFunctions, i: number, directory: UserDirectory): Promise<CreateParams> {
	const roles = customRolesOf(this, directory, i, 'Role → Create');
	const spec = readDeclaredRole(this, i);
	const ifExists = readChoice(this, i, 'ifExists', 'If the Role Already Exists', IF_EXISTS, 'makeMatch');
	await roles.checkVersion();
	return { spec, ifExists };
}

/**
 * The custom role named `name` (any case), from the server: the whole custom-role list (paged; one
 * request up to 200 custom roles), compared here without case. No `nameFilter` is sent: Veeam does
 * not say whether it ignores case, and a case-sensitive one would hide "restore ops" from "Restore
 * Ops" and let a second role be created.
 */
export async function customRoleNamed(roles: VbrCustomRoles, name: string): Promise<VbrRoleSummary | undefined> {
	const found = await roles.list({ builtIn: false });
	return found.find((r) => r.name.toLowerCase() === name.trim().toLowerCase() && r.isBuiltIn !== true);
}

/** Statuses a create refused for a taken name may get (Veeam documents 400 only). */
const CONFLICT = new Set([400, 409, 422]);

/**
 * `POST /roles`, never sent twice blindly: after an unclear failure the role is looked for by name
 * first (and the create sent again once, if it is not there); a create refused while a role of that
 * name exists (added meanwhile) gives that role (`existing`).
 */
async function createLookingFirst(roles: VbrCustomRoles, spec: CustomRoleSpec): Promise<{ created: CustomRole } | { existing: VbrRoleSummary }> {
	for (let attempt = 0; ; attempt++) {
		const outcome = await roles.create(spec).then(
			(created) => ({ created }),
			(error: unknown) => ({ error }),
		);
		if ('created' in outcome) return outcome;
		const conflict = outcome.error instanceof VeeamApiError && CONFLICT.has(outcome.error.status);
		if (!conflict && !(outcome.error instanceof UnclearOutcomeError)) throw outcome.error;
		const existing = await customRoleNamed(roles, spec.name);
		if (existing) return conflict ? { existing } : { created: (await roles.details(existing.id)) ?? { ...spec, id: existing.id } };
		if (conflict) throw outcome.error;
		if (attempt >= 1) throw (outcome.error as UnclearOutcomeError).apiError;
	}
}

export async function execute(this: IExecuteFunctions, p: CreateParams, directory: UserDirectory, i: number): Promise<IDataObject> {
	const roles = customRolesOf(this, directory, i, 'Role → Create');
	// Items naming one role (any case) run one after another: the second finds what the first created.
	return await roles.serially(p.spec.name, async () => await createOrMatch(this, p, directory, i, roles));
}

async function createOrMatch(ctx: IExecuteFunctions, p: CreateParams, directory: UserDirectory, i: number, roles: VbrCustomRoles): Promise<IDataObject> {
	let existing = await customRoleNamed(roles, p.spec.name);
	if (!existing) {
		const held = await alreadyPending(ctx, directory, p.spec.name, 'create');
		if (held) return alreadyPendingOutput('created', roleOutput(p.spec, { declared: true }), held);
		const outcome = await createLookingFirst(roles, p.spec);
		if ('created' in outcome) {
			// Read back: the server's role, as it shows it now.
			const now = await roles.details(outcome.created.id);
			if (!now) return await unshownRoleChange(ctx, directory, i, { name: p.spec.name, kind: 'create', requested: 'created', role: roleOutput(p.spec, { declared: true }) });
			const missing = roleChanges(p.spec, now);
			if (missing.length) return await unshownRoleChange(ctx, directory, i, { name: p.spec.name, kind: 'create', requested: 'created', role: roleOutput(now) });
			return { action: 'created', role: roleOutput(now) };
		}
		existing = outcome.existing;
	}
	if (p.ifExists === 'error') {
		throw inputError(ctx, i, 'Name', `Veeam already has a custom role named "${existing.name}" (ID ${existing.id})`, 'Choose "Make It Match" or "Skip" under "If the Role Already Exists" to create roles idempotently.');
	}
	const current = await roles.details(existing.id);
	if (!current) throw inputError(ctx, i, 'Name', `the role "${existing.name}" (ID ${existing.id}) has no custom-role details on the server: it is not a custom role, or was deleted just now`);
	if (p.ifExists === 'skip') return { action: 'unchanged', role: roleOutput(current) };
	return await applyRole(ctx, directory, i, roles, current, p.spec);
}
