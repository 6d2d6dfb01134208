/**
 * Restore Operator → Sync (Veeam Backup for Microsoft 365): the operators of an organization's
 * roles in scope made to match a list (HR, a group export), with the plan / approve / apply flow and
 * the safety limit of User → Sync (user/sync.plan.ts, user/sync.operation.ts `readLimit`). docs/sync.md.
 *
 * Requests: the organizations (once), the organization's role list, one operators read per role in
 * scope (Concurrency at once), a look-up in the organization for each listed operator no role in
 * scope names by ID; Apply: per role that changes one add and/or one removal, each read back.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { runPool } from '../../../../client/pool';
import type { Vb365Operator, Vb365Organization, Vb365Role } from '../../../../client/vb365Model';
import { inputError, readChoice } from '../../helpers/input';
import { organizationOutput, principalOutput } from '../../helpers/vb365';
import { readConcurrency } from '../runItems';
import type { SafetyLimit } from '../user/sync.plan';
import { readLimit } from '../user/sync.operation';
import { applyOperatorPlan } from './sync.apply';
import { planOperators, roleDelta, wantedOperators, type OperatorPlan, type OperatorsByRole } from './sync.plan';
import { readRows, readScopeRoles, readSyncOrganization, resolveRows, vb365AccessOf } from './sync.read';

export { description } from './sync.description';

export const batch = true;

const MODES = ['plan', 'apply'] as const;
type Mode = (typeof MODES)[number];
const ACTION: Record<string, string> = { create: 'add', changeRoles: 'changeRoles', remove: 'remove', unchanged: 'unchanged' };

interface OperatorSyncParams {
	mode: Mode;
	organization: Vb365Organization;
	inScope: Vb365Role[];
	operators: OperatorsByRole;
	wanted: ReturnType<typeof wantedOperators>;
	limit: SafetyLimit;
	approvedPlanId: string;
	concurrency: number;
}

/** One operators read per role, `concurrency` at once; any failure fails the whole read (never a partial picture). */
export async function readOperators(access: ReturnType<typeof vb365AccessOf>, roles: Vb365Role[], concurrency: number): Promise<OperatorsByRole> {
	const outcomes = await runPool(roles.length, async (n) => await access.operators(roles[n].id), { concurrency, stopOnError: true });
	const byRole: OperatorsByRole = new Map();
	for (const [n, outcome] of outcomes.entries()) {
		if (!outcome) continue;
		if (!outcome.ok) throw outcome.error;
		byRole.set(roles[n].id, outcome.value);
	}
	if (byRole.size !== roles.length) throw new Error('the operators of some roles could not be read');
	return byRole;
}

export async function prepare(this: IExecuteFunctions, itemCount: number, directory: UserDirectory): Promise<OperatorSyncParams> {
	const access = vb365AccessOf(this, directory);
	const mode = readChoice(this, 0, 'syncMode', 'Mode', MODES, 'plan');
	const { approvedPlanId, ...limit } = readLimit(this);
	const concurrency = readConcurrency(this, 'syncOptions.concurrency');
	const organization = await readSyncOrganization(this, access, itemCount);
	const roles = await access.roles(organization.id);
	const inScope = readScopeRoles(this, roles, organization);
	const rows = await readRows(this, itemCount, roles, inScope, organization);
	const operators = await readOperators(access, inScope, concurrency);
	const everyOperator: Vb365Operator[] = [...operators.values()].flat();
	const resolved = await resolveRows(this, access, organization, rows, everyOperator, concurrency);
	return { mode, organization, inScope, operators, wanted: wantedOperators(rows, resolved), limit, approvedPlanId, concurrency };
}

/** One output item per operator: what the plan says, and with Apply what happened. */
function stepOutput(op: OperatorPlan, index: number, params: OperatorSyncParams): IDataObject {
	const step = op.plan.steps[index];
	const principal = op.principals[index];
	const before = step.rolesBefore.map((r) => r.name);
	const after = step.rolesAfter.map((r) => r.name);
	const { added, removed } = roleDelta(step);
	const name = (id: string) => params.inScope.find((r) => r.id === id)?.name ?? id;
	const action = ACTION[step.action] ?? step.action;
	const out: IDataObject = {
		action,
		operator: principalOutput(principal),
		organization: organizationOutput(params.organization),
		rolesBefore: before,
		rolesAfter: after,
		rolesAdded: added.map(name),
		rolesRemoved: removed.map(name),
		reason: reasonOf(action, before, after),
		planId: op.plan.id,
		mode: params.mode,
	};
	if (params.mode === 'plan' && step.revokes && op.plan.limitExceeded) out.warning = `Apply would refuse this plan: ${limitSentence(op, params.limit)}.`;
	return out;
}

/** The safety limit's sentence in operators (whether it is exceeded is the common plan's `limitExceeded`). */
function limitSentence(op: OperatorPlan, limit: SafetyLimit): string {
	const { revocations, unprotected } = op.plan;
	const percent = unprotected === 0 ? 0 : Math.round((revocations / unprotected) * 100);
	const plural = unprotected === 1 ? '' : 's';
	return `the plan removes ${revocations} of ${unprotected} operator${plural} from every role in scope (${percent} %), more than the safety limit allows (at most ${limit.maxRemovals} operators and ${limit.maxRemovalPercent} %)`;
}

function reasonOf(action: string, before: string[], after: string[]): string {
	const list = (names: string[]) => names.join(', ') || 'none';
	switch (action) {
		case 'add':
			return `on the list with ${list(after)}; no role in scope names them yet`;
		case 'remove':
			return `operator of ${list(before)}, not on the list`;
		case 'changeRoles':
			return `on the list with ${list(after)}; operator of ${list(before)} now`;
		default:
			return 'roles in scope already as listed';
	}
}

export async function execute(this: IExecuteFunctions, params: OperatorSyncParams, directory: UserDirectory, itemCount: number): Promise<INodeExecutionData[]> {
	const access = vb365AccessOf(this, directory);
	const op = planOperators(params.organization, params.inScope, params.operators, params.wanted, params.limit);
	const outputs = op.plan.steps.map((_, index) => stepOutput(op, index, params));
	if (params.mode === 'apply') {
		if (params.approvedPlanId && params.approvedPlanId !== op.plan.id) {
			throw inputError(
				this,
				0,
				'Approved Plan ID',
				`the plan is now ${op.plan.id}, not the approved ${params.approvedPlanId}: the operators of the roles in scope or the list changed since it was approved. Nothing was changed.`,
				'Run the sync in Plan mode again and have the new plan approved.',
			);
		}
		if (op.plan.limitExceeded) {
			throw new NodeOperationError(this.getNode(), `Sync refused: ${limitSentence(op, params.limit)}. Nothing was changed.`, {
				description: 'A safety net against a broken or truncated list. Check the plan (Mode: Plan); if it is right, raise Max Removals and Max Removals (%) under Options.',
			});
		}
		await applyOperatorPlan(this, access, op, outputs, params.concurrency);
	}
	const everyItem = Array.from({ length: itemCount }, (_, item) => ({ item }));
	return outputs.map((json, index) => ({
		json,
		// An operator the list does not name comes from the input as a whole.
		pairedItem: op.items[index].length ? op.items[index].map((item) => ({ item })) : everyItem,
	}));
}
