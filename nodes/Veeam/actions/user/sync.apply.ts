/**
 * Sync → Apply: the plan's steps that change something, up to Concurrency at a time (each step is
 * about another user, so any order is safe). What each did is written into its output item. Without
 * Continue On Fail the first failure stops the apply: no further step starts, those already sent
 * finish, and the error says what was done (a sync run again plans from the server, so done steps
 * are not repeated).
 */
import { NodeOperationError, type IDataObject, type IExecuteFunctions } from 'n8n-workflow';

import type { UserDirectory, VeeamUser } from '../../../../client/adapters';
import { userOutput } from '../../helpers/directory';
import { runPool, type TaskOutcome } from '../../../../client/pool';
import type { ChangeKind } from '../../../../client/adapters/authorizationEvents';
import { approvalOf, claimOfUser, confirmClaims, deletionRefusedError, notShownError, pendingRequestFor, type Claim } from '../confirm';
import { readConcurrency } from '../runItems';
import type { SyncPlan, SyncStep } from './sync.plan';
import type { VspcOrganization } from '../../../../client/vspcModel';
import { createVspcUser, removeVspcUser, updateVspcUser, verifyRemovedLogins } from './sync.vspc';

const STEP_KIND: Record<string, ChangeKind> = { create: 'create', changeRoles: 'roles', remove: 'delete' };

/** VSPC's steps: created in the sync's organization, all of a user's changes at once, removals with their tokens revoked. */
async function applyVspcStep(ctx: IExecuteFunctions, directory: UserDirectory, step: SyncStep, password: string | undefined, out: IDataObject, organization: VspcOrganization): Promise<string | undefined> {
	let user: VeeamUser | undefined;
	if (step.action === 'create' && step.desired) {
		user = await createVspcUser(ctx, directory, step, organization, password);
		out.result = 'created';
	} else if ((step.action === 'changeRoles' || step.action === 'update') && step.user) {
		user = await updateVspcUser(directory, step);
		out.result = step.action === 'changeRoles' ? 'rolesChanged' : 'updated';
	} else if (step.action === 'remove' && step.user) {
		out.result = (await removeVspcUser(directory, step.user)) === 'deleted' ? 'removed' : 'alreadyAbsent';
	} else {
		out.result = 'nothingToDo';
		return undefined;
	}
	if (user) out.user = userOutput(user);
	return step.action;
}

async function applyStep(ctx: IExecuteFunctions, directory: UserDirectory, step: SyncStep, password: string | undefined, out: IDataObject): Promise<string | undefined> {
	// Four-eyes: a request of this account for this user and kind already waits: not asked again.
	const kind = STEP_KIND[step.action];
	const held = kind && (step.desired || step.user) ? await pendingRequestFor(ctx, directory, step.user?.name ?? step.name, kind) : undefined;
	if (held) {
		out.result = 'pendingApproval';
		out.approval = approvalOf(held);
		out.alreadyPending = true;
		return undefined;
	}
	let user: VeeamUser | undefined;
	if (step.action === 'create' && step.desired) {
		user = await directory.createUser({
			name: step.desired.name,
			type: step.desired.type,
			roles: step.rolesAfter,
			password,
			identityProviderEntityId: step.desired.identityProviderEntityId,
			description: step.desired.description,
		});
		out.result = 'created';
	} else if (step.action === 'changeRoles' && step.user) {
		user = await directory.setRoles(step.user, step.rolesAfter);
		out.result = 'rolesChanged';
	} else if (step.action === 'remove' && step.user) {
		const gone = step.user;
		const outcome = await directory.deleteUser(gone).catch(async (error: unknown) => {
			throw (await deletionRefusedError(ctx, directory, gone.name, error, step.item)) ?? error;
		});
		out.result = outcome === 'deleted' ? 'removed' : 'alreadyAbsent';
	} else {
		out.result = 'nothingToDo';
		return undefined;
	}
	if (user) out.user = userOutput(user);
	return step.action;
}

export async function applySteps(
	ctx: IExecuteFunctions,
	directory: UserDirectory,
	passwords: Map<number, string>,
	plan: SyncPlan,
	outputs: IDataObject[],
	organization?: VspcOrganization,
): Promise<void> {
	const continueOnFail = ctx.continueOnFail();
	const outcomes = await runPool(
		plan.steps.length,
		async (index) => {
			const step = plan.steps[index];
			const password = step.desired ? passwords.get(step.desired.item) : undefined;
			if (organization) return await applyVspcStep(ctx, directory, step, password, outputs[index], organization);
			return await applyStep(ctx, directory, step, password, outputs[index]);
		},
		{ concurrency: readConcurrency(ctx, 'syncOptions.concurrency'), stopOnError: !continueOnFail },
	);
	// VSPC: no login of a removed user may outlive it (an API key logs in on its own).
	if (organization) {
		const removed = plan.steps.flatMap((step, index) => (step.action === 'remove' && step.user && outcomes[index]?.ok ? [{ index, user: step.user }] : []));
		const left = await verifyRemovedLogins(directory, removed.map((r) => r.user));
		for (const { index, user } of removed) {
			const problem = left.get(user.ref);
			if (problem) outcomes[index] = { ok: false, error: new NodeOperationError(ctx.getNode(), problem, { itemIndex: plan.steps[index].item }) };
		}
	}

	// What the server shows now (four-eyes may hold changes: confirm.ts).
	if (continueOnFail || outcomes.every((o) => !o || o.ok)) await confirmSteps(ctx, directory, plan, outputs, outcomes);

	const done: Record<string, number> = {};
	let firstFailure: { index: number; message: string } | undefined;
	for (const [index, outcome] of outcomes.entries()) {
		if (outcome === undefined) {
			outputs[index].result = 'notStarted';
			continue;
		}
		if (outcome.ok) {
			if (outcome.value && outputs[index].result !== 'pendingApproval') done[outcome.value] = (done[outcome.value] ?? 0) + 1;
			continue;
		}
		const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
		outputs[index].result = 'failed';
		outputs[index].error = message;
		firstFailure ??= { index, message };
	}
	if (!firstFailure || continueOnFail) return;

	const step = plan.steps[firstFailure.index];
	const summary = Object.entries(done)
		.map(([action, count]) => `${count} ${action}`)
		.join(', ');
	const notStarted = outcomes.filter((o) => o === undefined).length;
	throw new NodeOperationError(
		ctx.getNode(),
		`Sync stopped at step ${firstFailure.index + 1} of ${plan.steps.length} (${step.action} "${step.name}"): ${firstFailure.message}`,
		{
			...(step.item !== undefined ? { itemIndex: step.item } : {}),
			description: `Steps done: ${summary || 'none'}; not started: ${notStarted}. Run the sync again to finish: it plans from the server's state, so done steps are not repeated.`,
		},
	);
}

/** Steps the server does not show done become `pendingApproval` (with the request) or failures. */
async function confirmSteps(
	ctx: IExecuteFunctions,
	directory: UserDirectory,
	plan: SyncPlan,
	outputs: IDataObject[],
	outcomes: Array<TaskOutcome<string | undefined> | undefined>,
): Promise<void> {
	const claims: Claim[] = [];
	for (const [index, outcome] of outcomes.entries()) {
		if (!outcome?.ok || !outcome.value) continue;
		const out = outputs[index];
		const step = plan.steps[index];
		const user = out.result === 'removed' ? (step.user ? userOutput(step.user) : undefined) : (out.user as IDataObject | undefined);
		const claim = user && claimOfUser(index, String(out.result), user, out.result !== 'removed', STEP_KIND[step.action]);
		if (claim) claims.push(claim);
	}
	const confirmations = await confirmClaims(ctx, directory, claims);
	for (const claim of claims) {
		const confirmation = confirmations.get(claim.index);
		if (!confirmation || confirmation.shown) continue;
		if (confirmation.pending) {
			outputs[claim.index].result = 'pendingApproval';
			outputs[claim.index].approval = approvalOf(confirmation.pending);
		} else {
			outcomes[claim.index] = { ok: false, error: notShownError(ctx, claim, plan.steps[claim.index].item, confirmation.note) };
		}
	}
}
