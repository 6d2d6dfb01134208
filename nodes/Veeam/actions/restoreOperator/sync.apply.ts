/**
 * Restore Operator → Sync → Apply: per role that changes, one call adding its new operators
 * (POST …/operators with all of them) and one removing the others (DELETE …/operators?ids=…), each
 * read back by the client (`Vb365Access.addOperators` / `removeOperators`: a change the server does
 * not show is an error). Adds first, removals last: a run that stops half-way has not taken access
 * before giving it. Up to Concurrency roles at a time. Without Continue On Fail the first failure
 * stops the apply: no further call starts, those sent finish, and the error says what was done.
 * With it, the steps of a failed role are marked `failed` and the rest goes on.
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import { runPool, type TaskOutcome } from '../../../../client/pool';
import type { Vb365Access, Vb365Operator } from '../../../../client/vb365Model';
import { principalKey } from './sync.read';
import { roleDelta, type OperatorPlan, type RoleChange } from './sync.plan';

const RESULT: Record<string, string> = { create: 'added', changeRoles: 'rolesChanged', remove: 'removed' };

interface Call {
	change: RoleChange;
	kind: 'add' | 'remove';
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

export async function applyOperatorPlan(ctx: IExecuteFunctions, access: Vb365Access, op: OperatorPlan, outputs: IDataObject[], concurrency: number): Promise<void> {
	const continueOnFail = ctx.continueOnFail();
	const adds: Call[] = op.changes.filter((c) => c.add.length).map((change) => ({ change, kind: 'add' }));
	const removes: Call[] = op.changes.filter((c) => c.remove.length).map((change) => ({ change, kind: 'remove' }));
	/** The latest read-back of each changed role. */
	const shown = new Map<string, Vb365Operator[]>();
	const run = async (calls: Call[]): Promise<Array<TaskOutcome<void> | undefined>> =>
		await runPool(
			calls.length,
			async (n) => {
				const { change, kind } = calls[n];
				// The operators as read for the plan: the client sends at once, then reads back.
				const now = kind === 'add' ? await access.addOperators(change.role.id, change.add, change.current) : await access.removeOperators(change.role.id, change.remove, change.current);
				shown.set(change.role.id, now);
			},
			{ concurrency, stopOnError: !continueOnFail },
		);
	const addOutcomes = await run(adds);
	const addsFailed = addOutcomes.some((o) => o?.ok === false);
	// Removals wait for the adds; after a failed add, without Continue On Fail, none starts.
	const removeOutcomes = addsFailed && !continueOnFail ? removes.map(() => undefined) : await run(removes);
	const calls = [...adds, ...removes];
	const outcomes = [...addOutcomes, ...removeOutcomes];

	// Per step: failed calls (with the role), calls not started.
	const failures = new Map<number, string[]>();
	const notStarted = new Set<number>();
	for (const [n, outcome] of outcomes.entries()) {
		const { change, kind } = calls[n];
		for (const index of stepsOf(op, change, kind)) {
			if (outcome === undefined) notStarted.add(index);
			else if (!outcome.ok) failures.set(index, [...(failures.get(index) ?? []), `${kind === 'add' ? 'adding to' : 'removing from'} ${change.role.name}: ${messageOf(outcome.error)}`]);
		}
	}
	for (const [index, step] of op.plan.steps.entries()) {
		const out = outputs[index];
		const failed = failures.get(index);
		if (failed) {
			out.result = 'failed';
			out.error = failed.join('; ');
		} else if (notStarted.has(index)) out.result = 'notStarted';
		else if (RESULT[step.action]) {
			// Belt and braces over the client's own read-back: the role's latest read shows the step done.
			const unshown = unshownRoles(op, index, shown);
			if (unshown.length) {
				out.result = 'failed';
				out.error = `the server does not show the change in ${unshown.join(', ')}`;
				failures.set(index, [String(out.error)]);
			} else out.result = RESULT[step.action];
		} else out.result = 'nothingToDo';
	}
	if (continueOnFail || failures.size === 0) return;

	const first = Math.min(...failures.keys());
	const step = op.plan.steps[first];
	const done = outcomes.filter((o) => o?.ok).length;
	const sent = outcomes.filter((o) => o !== undefined).length;
	throw new NodeOperationError(ctx.getNode(), `Sync stopped at operator ${op.principals[first].name || op.principals[first].displayName || step.name}: ${(failures.get(first) ?? []).join('; ')}`, {
		...(op.items[first].length ? { itemIndex: op.items[first][0] } : {}),
		description: `Role changes done: ${done} of ${calls.length}; failed: ${sent - done}; not started: ${calls.length - sent}. Run the sync again to finish: it plans from the server's state, so done changes are not repeated.`,
	});
}

/** The steps a role change carries out (adds or removals). */
function stepsOf(op: OperatorPlan, change: RoleChange, kind: 'add' | 'remove'): number[] {
	return change.steps.filter((index) => {
		const { added, removed } = roleDelta(op.plan.steps[index]);
		return (kind === 'add' ? added : removed).includes(change.role.id);
	});
}

/** The roles whose latest read-back does not show step `index` done. */
function unshownRoles(op: OperatorPlan, index: number, shown: Map<string, Vb365Operator[]>): string[] {
	const key = principalKey(op.principals[index]);
	const { added, removed } = roleDelta(op.plan.steps[index]);
	const names = new Map(op.changes.map((c) => [c.role.id, c.role.name]));
	const has = (roleId: string) => (shown.get(roleId) ?? []).some((o) => principalKey(o) === key);
	return [...added.filter((id) => shown.has(id) && !has(id)), ...removed.filter((id) => shown.has(id) && has(id))].map((id) => names.get(id) ?? id);
}
