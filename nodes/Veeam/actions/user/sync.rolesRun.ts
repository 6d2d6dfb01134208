/**
 * User → Sync with custom roles: the role part of a run, between the users' plan (sync.plan.ts)
 * and their apply (sync.apply.ts). Plan: the role steps, who would still hold a role to delete, the
 * plan id and safety limit over users and roles. Apply: role creates and updates, then the user
 * steps (a user given a role created in this run gets its server ID; one whose role is not there
 * yet waits), then role deletes (only once the users holding the role were moved off it).
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { UserDirectory, VeeamUser } from '../../../../client/adapters';
import { redactRoleSecrets } from '../../../../client/adapters/customRoleSecrets';
import type { VbrCustomRoles } from '../../../../client/adapters/vbrCustomRoles';
import { runPool } from '../../../../client/pool';
import { inputError } from '../../helpers/input';
import { applySteps } from './sync.apply';
import { safetyLimitProblem, userFingerprintParts, type SafetyLimit, type SyncPlan, type SyncStep } from './sync.plan';
import {
	combinedPlanId,
	heldDeleteProblem,
	markHeldDeletes,
	planRoles,
	roleFingerprintParts,
	rolePhase,
	roleScopeSelector,
	type RoleStep,
} from './sync.roles';
import { isPlaceholder, type RoleSyncParams, type ServerRoles } from './sync.rolesRead';
import { runRolePhase, type PhaseResult, type RoleTask } from './sync.rolesApply';

export interface RolePlan {
	steps: RoleStep[];
	/** The plan with its id and safety limit over users and roles. */
	plan: SyncPlan;
}

const key = (s: string) => s.toLowerCase();

/** Who holds each role once the user steps are done (users modes: from the server's users and the plan). */
function holdersAfterUserSteps(server: VeeamUser[], plan: SyncPlan): (roleId: string) => string[] {
	const stepOf = new Map(plan.steps.filter((s) => s.user).map((s) => [key(s.user!.ref), s]));
	const after: Array<{ name: string; roleIds: Set<string> }> = server.map((u) => {
		const step = stepOf.get(key(u.ref));
		const roles = step && (step.action === 'changeRoles' || step.action === 'remove') ? step.rolesAfter : u.roles;
		return { name: u.name, roleIds: new Set(roles.map((r) => key(r.id))) };
	});
	for (const s of plan.steps) if (s.action === 'create') after.push({ name: s.name, roleIds: new Set(s.rolesAfter.map((r) => key(r.id))) });
	return (roleId) => after.filter((u) => u.roleIds.has(key(roleId))).map((u) => u.name);
}

/**
 * The role steps and the whole plan. `server` is undefined when the sync manages custom roles only:
 * then who holds a role to delete is asked of the server (`roleIdFilter`), one request per such role.
 */
export async function planWithRoles(
	client: VbrCustomRoles,
	serverRoles: ServerRoles,
	params: RoleSyncParams,
	userPlan: SyncPlan,
	server: VeeamUser[] | undefined,
	limit: SafetyLimit,
): Promise<RolePlan> {
	const steps = planRoles(serverRoles.custom, serverRoles.details, params.declared, params.scope);
	if (server) {
		markHeldDeletes(steps, holdersAfterUserSteps(server, userPlan));
	} else {
		const deletes = steps.filter((s) => s.action === 'delete' && s.listed);
		const holders = await runPool(deletes.length, async (i) => await client.holders(deletes[i].listed!.id), { concurrency: 8, stopOnError: true });
		const byId = new Map<string, string[]>();
		for (const [i, outcome] of holders.entries()) {
			if (outcome && !outcome.ok) throw outcome.error;
			byId.set(key(deletes[i].listed!.id), (outcome?.value ?? []).map((u) => u.name));
		}
		markHeldDeletes(steps, (id) => byId.get(key(id)) ?? []);
	}
	const selects = roleScopeSelector(params.scope);
	const managedRoles = serverRoles.custom.filter((r) => selects(r.name)).length;
	const deletes = steps.filter((s) => s.action === 'delete').length;
	const limitExceeded = safetyLimitProblem(
		{ users: { revoked: userPlan.revocations, managed: userPlan.unprotected }, roles: { deleted: deletes, managed: managedRoles } },
		limit,
	);
	const id = combinedPlanId(userFingerprintParts(userPlan.steps), roleFingerprintParts(steps));
	return { steps, plan: { ...userPlan, id, limitExceeded } };
}

/** One output item per role step. */
export function roleStepOutput(step: RoleStep, plan: SyncPlan, mode: string): IDataObject {
	const out: IDataObject = {
		object: 'customRole',
		action: step.action,
		name: step.name,
		changes: step.changes,
		// Secrets in scopes (an Entra ID tenant's client secret, certificate) are shown [redacted].
		before: redactRoleSecrets(step.actual ?? step.listed ?? null) as IDataObject | null,
		after: redactRoleSecrets(step.send ?? (step.action === 'unchanged' ? step.actual : null) ?? null) as IDataObject | null,
		reason: step.reason,
		planId: plan.id,
		mode,
	};
	if (mode === 'plan' && step.heldBy) out.warning = `Apply would refuse this plan: ${heldDeleteProblem(step)}.`;
	else if (mode === 'plan' && step.action === 'delete' && plan.limitExceeded) out.warning = `Apply would refuse this plan: ${plan.limitExceeded}.`;
	return out;
}

/** Apply refuses the whole plan, before anything is sent, when it would delete a role someone still holds. */
export function refuseHeldDeletes(ctx: IExecuteFunctions, steps: RoleStep[]): void {
	const held = steps.filter((s) => s.heldBy);
	if (held.length === 0) return;
	throw inputError(
		ctx,
		0,
		'Custom Roles',
		`${held.map(heldDeleteProblem).join('; ')}. Nothing was changed.`,
		'Declare the role again, or give those users other roles in this sync (or in the Veeam console) first.',
	);
}

function stopped(ctx: IExecuteFunctions, phase: PhaseResult, what: string): NodeOperationError {
	const { task, error } = phase.failures[0];
	const message = error instanceof Error ? error.message : String(error);
	const text = `Sync stopped at the custom role "${task.step.name}" (${task.step.action}): ${message}`;
	const failure = new NodeOperationError(ctx.getNode(), text, {
		description: `${what} Run the sync again to finish: it plans from the server's state, so done steps are not repeated.`,
	});
	// n8n would swap a message containing e.g. "eperm" (a role named "Keeperman") for its own sentence.
	failure.message = text;
	return failure;
}

const MOVED_OFF = new Set(['rolesChanged', 'removed']);

/**
 * Apply with roles. `roleOutputs` and `userOutputs` are the items of the plan's steps (same order);
 * their `result`s are written here and by applySteps.
 */
export async function applyWithRoles(
	ctx: IExecuteFunctions,
	directory: UserDirectory,
	client: VbrCustomRoles,
	rolePlan: RolePlan,
	roleOutputs: IDataObject[],
	userOutputs: IDataObject[],
	passwords: Map<number, string>,
	concurrency: number,
): Promise<void> {
	const { plan, steps } = rolePlan;
	const stopOnError = !ctx.continueOnFail();
	const tasks = (phase: 'before' | 'after'): RoleTask[] => steps.flatMap((step, i) => (rolePhase(step) === phase ? [{ step, out: roleOutputs[i] }] : []));
	for (const [i, step] of steps.entries()) if (rolePhase(step) === 'none') roleOutputs[i].result = 'nothingToDo';
	const notStarted = (outs: IDataObject[]) => outs.forEach((o) => (o.result ??= 'notStarted'));
	const later = tasks('after').map((t) => t.out);

	const before = await runRolePhase(ctx, directory, client, tasks('before'), { concurrency, stopOnError });
	if (before.failures.length && stopOnError) {
		notStarted([...userOutputs, ...later]);
		throw stopped(ctx, before, 'No user step and no custom role deletion was started.');
	}

	// Users given a declared role: its ID now, or they wait for it.
	const runnable: number[] = [];
	for (const [i, step] of plan.steps.entries()) {
		const missing = step.rolesAfter.filter((r) => isPlaceholder(r) && !before.created.has(key(r.name)));
		if (missing.length) {
			userOutputs[i].result = 'notStarted';
			userOutputs[i].waitingFor = missing.map((r) => r.name);
			continue;
		}
		step.rolesAfter = step.rolesAfter.map((r) => (isPlaceholder(r) ? { ...before.created.get(key(r.name))! } : r));
		runnable.push(i);
	}
	let usersDone = false;
	try {
		await applySteps(ctx, directory, passwords, { ...plan, steps: runnable.map((i) => plan.steps[i]) }, runnable.map((i) => userOutputs[i]));
		usersDone = true;
	} finally {
		// A failed user step stops the run: the role deletions after it do not start.
		if (!usersDone) notStarted(later);
	}

	// A role is deleted only once every user step moving its holders off it is done.
	const deletes = tasks('after').filter((task) => {
		const id = key(task.step.listed!.id);
		const movers = plan.steps.flatMap((s: SyncStep, i) => (s.user?.roles.some((r) => key(r.id) === id) && !s.rolesAfter.some((r) => key(r.id) === id) ? [i] : []));
		const waiting = movers.filter((i) => !MOVED_OFF.has(String(userOutputs[i].result)));
		if (waiting.length === 0) return true;
		task.out.result = 'notStarted';
		task.out.waitingFor = waiting.map((i) => plan.steps[i].name);
		return false;
	});
	const after = await runRolePhase(ctx, directory, client, deletes, { concurrency, stopOnError });
	if (after.failures.length && stopOnError) throw stopped(ctx, after, 'The custom roles and users before it were done.');
}
