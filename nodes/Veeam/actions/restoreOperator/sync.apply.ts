/**
 * Restore Operator → Sync → Apply: per role that changes, one call adding its new operators
 * (POST …/operators with all of them) and one removing the others (DELETE …/operators?ids=…), each
 * read back by the client (`Vb365Access.addOperators` / `removeOperators`: a change the server does
 * not show is an error). Adds first, removals last: a run that stops half-way has not taken access
 * before giving it. Up to Concurrency roles at a time. Without Continue On Fail the first failure
 * stops the apply: no further call starts, those sent finish, and the error says what was done.
 * With it, the steps of a failed role are marked `failed` and the rest goes on.
 *
 * A call that fails is judged by what the server shows, never by the error alone: the role's
 * operators are read once more; a change shown done is done (the error came after it: a lost
 * answer, a failed read-back); one not shown failed; when that read fails too, the change may or
 * may not have been carried out, and the output says so (`unclear`).
 */
import { NodeApiError, NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import { runPool, type TaskOutcome } from '../../../../client/pool';
import type { Vb365Access, Vb365Operator } from '../../../../client/vb365Model';
import { principalKey } from './sync.read';
import { roleDelta, type OperatorPlan, type RoleChange } from './sync.plan';

const RESULT: Record<string, string> = { create: 'added', changeRoles: 'rolesChanged', remove: 'removed' };
const UNCLEAR = 'it may or may not have been carried out (the server failed or its answer was lost after the change was sent, and reading the role back failed too)';

interface Call {
	change: RoleChange;
	kind: 'add' | 'remove';
}

function messageOf(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

/** The error as the node reports errors (a failed request stays a NodeApiError). */
function nodeError(ctx: IExecuteFunctions, error: unknown): NodeApiError | NodeOperationError {
	return error instanceof NodeApiError || error instanceof NodeOperationError ? error : new NodeOperationError(ctx.getNode(), messageOf(error));
}

const what = ({ change, kind }: Call) => `${kind === 'add' ? 'adding to' : 'removing from'} ${change.role.name}`;

/** Whether `operators` (a role's, as read) show the call's whole change. */
function callShown({ change, kind }: Call, operators: Vb365Operator[]): boolean {
	if (kind === 'remove') return !operators.some((o) => change.remove.includes(o.operatorId));
	return change.add.every((p) => operators.some((o) => principalKey(o) === principalKey(p)));
}

export async function applyOperatorPlan(ctx: IExecuteFunctions, access: Vb365Access, op: OperatorPlan, outputs: IDataObject[], concurrency: number): Promise<void> {
	const continueOnFail = ctx.continueOnFail();
	const adds: Call[] = op.changes.filter((c) => c.add.length).map((change) => ({ change, kind: 'add' }));
	const removes: Call[] = op.changes.filter((c) => c.remove.length).map((change) => ({ change, kind: 'remove' }));
	/** The latest read of each changed role. */
	const shown = new Map<string, Vb365Operator[]>();
	/** Failed calls whose outcome the server could not be asked about. */
	const unclearCalls = new Set<Call>();
	const send = async (call: Call): Promise<void> => {
		const { change, kind } = call;
		// The operators as read for the plan: the client sends at once, then reads back.
		const sent = kind === 'add' ? access.addOperators(change.role.id, change.add, change.current) : access.removeOperators(change.role.id, change.remove, change.current);
		const failure = await sent.then(
			(now) => {
				shown.set(change.role.id, now);
				return undefined;
			},
			(error: unknown) => ({ error }),
		);
		if (!failure) return;
		const now = await access.operators(change.role.id).catch(() => undefined);
		if (!now) unclearCalls.add(call);
		else shown.set(change.role.id, now);
		if (!now || !callShown(call, now)) throw nodeError(ctx, failure.error);
	};
	const run = async (calls: Call[]): Promise<Array<TaskOutcome<void> | undefined>> =>
		await runPool(calls.length, async (n) => await send(calls[n]), { concurrency, stopOnError: !continueOnFail });
	const addOutcomes = await run(adds);
	const addsFailed = addOutcomes.some((o) => o?.ok === false);
	// Removals wait for the adds; after a failed add, without Continue On Fail, none starts.
	const removeOutcomes = addsFailed && !continueOnFail ? removes.map(() => undefined) : await run(removes);
	const calls = [...adds, ...removes];
	const outcomes = [...addOutcomes, ...removeOutcomes];

	// Per step: failed calls (with the role), calls with an unclear outcome, calls not started.
	const failures = new Map<number, string[]>();
	const unclear = new Set<number>();
	const notStarted = new Set<number>();
	for (const [n, outcome] of outcomes.entries()) {
		const call = calls[n];
		for (const index of stepsOf(op, call.change, call.kind)) {
			if (outcome === undefined) notStarted.add(index);
			else if (!outcome.ok) {
				// A step the role's latest read shows done is done, whatever the call's error.
				const open = unclearCalls.has(call);
				if (!open && stepShownIn(op, index, call, shown)) continue;
				if (open) unclear.add(index);
				const note = open ? `: ${UNCLEAR}` : '';
				failures.set(index, [...(failures.get(index) ?? []), `${what(call)}: ${messageOf(outcome.error)}${note}`]);
			}
		}
	}
	for (const [index, step] of op.plan.steps.entries()) {
		const out = outputs[index];
		const failed = failures.get(index);
		if (failed) {
			out.result = unclear.has(index) ? 'unclear' : 'failed';
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
	const done = calls.filter((_, n) => outcomes[n]?.ok || (outcomes[n] && !outcomes[n]?.ok && callShownNow(calls[n], shown)));
	const started = outcomes.filter((o) => o !== undefined).length;
	throw new NodeOperationError(ctx.getNode(), `Sync stopped at operator ${op.principals[first].name || op.principals[first].displayName || step.name}: ${(failures.get(first) ?? []).join('; ')}`, {
		...(op.items[first].length ? { itemIndex: op.items[first][0] } : {}),
		description: `Done before: ${done.map((c) => `${c.kind === 'add' ? 'added to' : 'removed from'} ${c.change.role.name}`).join('; ') || 'nothing'}. ${unclearNote(op, unclear)}Role changes not started: ${calls.length - started}. Run the sync again to finish: it plans from the server's state, so done changes are not repeated.`,
	});
}

/** The operators whose change may or may not have been carried out, as a sentence ('' when none). */
function unclearNote(op: OperatorPlan, unclear: Set<number>): string {
	if (unclear.size === 0) return '';
	const names = [...unclear].map((index) => op.principals[index].name || op.principals[index].displayName);
	return `For ${names.join(', ')} ${UNCLEAR}. `;
}

function callShownNow(call: Call, shown: Map<string, Vb365Operator[]>): boolean {
	const now = shown.get(call.change.role.id);
	return now !== undefined && callShown(call, now);
}

/** The steps a role change carries out (adds or removals). */
function stepsOf(op: OperatorPlan, change: RoleChange, kind: 'add' | 'remove'): number[] {
	return change.steps.filter((index) => {
		const { added, removed } = roleDelta(op.plan.steps[index]);
		return (kind === 'add' ? added : removed).includes(change.role.id);
	});
}

/** Whether the role's latest read shows step `index`'s part of the call done. */
function stepShownIn(op: OperatorPlan, index: number, { change, kind }: Call, shown: Map<string, Vb365Operator[]>): boolean {
	const now = shown.get(change.role.id);
	if (!now) return false;
	const has = now.some((o) => principalKey(o) === principalKey(op.principals[index]));
	return kind === 'add' ? has : !has;
}

/** The roles whose latest read-back does not show step `index` done. */
function unshownRoles(op: OperatorPlan, index: number, shown: Map<string, Vb365Operator[]>): string[] {
	const key = principalKey(op.principals[index]);
	const { added, removed } = roleDelta(op.plan.steps[index]);
	const names = new Map(op.changes.map((c) => [c.role.id, c.role.name]));
	const has = (roleId: string) => (shown.get(roleId) ?? []).some((o) => principalKey(o) === key);
	return [...added.filter((id) => shown.has(id) && !has(id)), ...removed.filter((id) => shown.has(id) && has(id))].map((id) => names.get(id) ?? id);
}
