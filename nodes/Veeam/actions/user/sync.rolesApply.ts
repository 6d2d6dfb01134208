/**
 * User → Sync → Apply, the custom-role steps: a phase (creates and updates before the user steps,
 * deletes after them) runs up to Concurrency at a time, then the server is read back. A change is
 * reported done only when the server shows it (the role list after the phase, every role in it; the
 * details of a created role, and of a role updated beyond name and description, compared with what
 * was sent); otherwise it is `pendingApproval` when a four-eyes request of this account names the
 * role, and a failure when none does. A change whose request already waits (four-eyes, from an
 * earlier run) is not sent again. A role is deleted only once its details confirm it is custom (a
 * built-in role has none), and a delete Veeam answers NotFound is `alreadyAbsent` only when the role
 * list no longer shows the role.
 */
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { UserDirectory } from '../../../../client/adapters';
import { requestNaming, sameAccount, type ChangeKind, type RequestMatch } from '../../../../client/adapters/authorizationEvents';
import { roleChanges, type CustomRole } from '../../../../client/adapters/customRoleSpec';
import type { VbrCustomRoles } from '../../../../client/adapters/vbrCustomRoles';
import { runPool, type TaskOutcome } from '../../../../client/pool';
import { CREDENTIAL_TYPE } from '../../../../client/transport';
import { approvalOf, deletionRefusedError, pendingRequestFor } from '../confirm';
import type { RoleStep } from './sync.roles';

const KIND: Record<string, ChangeKind> = { create: 'create', update: 'roles', delete: 'delete' };
const DONE: Record<string, string> = { create: 'created', update: 'updated', delete: 'deleted' };
/** Fields the role list shows: an update of only these is confirmed by the list, without the details. */
const LISTED_FIELDS = new Set(['name', 'description']);

export interface RoleTask {
	step: RoleStep;
	out: IDataObject;
}

/** What a phase did: the roles it created (by lower-case name, as the server shows them), and its failures. */
export interface PhaseResult {
	created: Map<string, { id: string; name: string }>;
	failures: Array<{ task: RoleTask; error: unknown }>;
	notStarted: number;
}

async function sendStep(ctx: IExecuteFunctions, directory: UserDirectory, client: VbrCustomRoles, { step, out }: RoleTask): Promise<boolean> {
	const held = await pendingRequestFor(ctx, directory, step.name, KIND[step.action]);
	if (held) {
		out.result = 'pendingApproval';
		out.approval = approvalOf(held);
		out.alreadyPending = true;
		return false;
	}
	if (step.action === 'create' && step.send) {
		out.role = (await client.create(step.send)) as unknown as IDataObject;
		out.result = 'created';
	} else if (step.action === 'update' && step.send && step.listed) {
		out.role = (await client.update({ id: step.listed.id, ...step.send })) as unknown as IDataObject;
		out.result = 'updated';
	} else if (step.action === 'delete' && step.listed) {
		const listed = step.listed;
		// Deleted only once its details confirm a custom role (a built-in one has none: NotFound).
		if (!(await client.details(listed.id))) {
			if (await client.get(listed.id)) throw notCustom(listed.name, listed.id);
			out.result = 'alreadyAbsent';
			return true;
		}
		const outcome = await client.delete(listed.id).catch(async (error: unknown) => {
			throw (await deletionRefusedError(ctx, directory, listed.name, error)) ?? error;
		});
		// 'absent' too is read back: done only if the role list no longer shows the role.
		out.result = outcome === 'deleted' ? 'deleted' : 'alreadyAbsent';
	}
	return true;
}

function notCustom(name: string, id: string): Error {
	return new Error(
		`The role "${name}" (ID ${id}) was not deleted: the server lists it but gives no custom-role details of it (GET /roles/{id}/details answered NotFound, as for a built-in role), so it is not known to be a custom role`,
	);
}

/** Runs the tasks, reads the server back and writes each task's result. */
export async function runRolePhase(
	ctx: IExecuteFunctions,
	directory: UserDirectory,
	client: VbrCustomRoles,
	tasks: RoleTask[],
	options: { concurrency: number; stopOnError: boolean },
): Promise<PhaseResult> {
	const result: PhaseResult = { created: new Map(), failures: [], notStarted: 0 };
	if (tasks.length === 0) return result;
	const outcomes = await runPool(tasks.length, async (i) => await sendStep(ctx, directory, client, tasks[i]), options);
	const sent = tasks.filter((_, i) => outcomes[i]?.ok === true && (outcomes[i] as TaskOutcome<boolean> & { ok: true }).value);
	const unshown = sent.length ? await confirm(ctx, directory, client, sent, result) : new Map<RoleTask, Error>();
	for (const [i, outcome] of outcomes.entries()) {
		const task = tasks[i];
		const error = unshown.get(task);
		if (error) {
			outcomes[i] = { ok: false, error };
			continue;
		}
		if (outcome === undefined) {
			task.out.result = 'notStarted';
			result.notStarted++;
		}
	}
	for (const [i, outcome] of outcomes.entries()) {
		const task = tasks[i];
		if (outcome !== undefined && !outcome.ok) {
			task.out.result = 'failed';
			task.out.error = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
			result.failures.push({ task, error: outcome.error });
		}
	}
	return result;
}

/**
 * The server read back after a phase: one role list, and the details of roles updated beyond name and
 * description. Returns the changes it does not show and no request explains (failures).
 */
async function confirm(ctx: IExecuteFunctions, directory: UserDirectory, client: VbrCustomRoles, sent: RoleTask[], result: PhaseResult): Promise<Map<RoleTask, Error>> {
	const failures = new Map<RoleTask, Error>();
	// Every role (not only those called custom): a deleted role, custom or not, must be gone from it.
	const listed = await client.list();
	const byName = new Map(listed.filter((r) => r.isBuiltIn !== true).map((r) => [r.name.toLowerCase(), r]));
	const byId = new Map(listed.map((r) => [r.id.toLowerCase(), r]));
	// The details of each created role and each role updated beyond name and description.
	const createdId = (t: RoleTask) => (t.step.action === 'create' && t.step.send ? byName.get(t.step.send.name.toLowerCase())?.id : undefined);
	const deep = sent.filter((t) => createdId(t) !== undefined || (t.step.action === 'update' && t.step.changes.some((c) => !LISTED_FIELDS.has(c))));
	const details = await runPool(deep.length, async (i) => await client.details(createdId(deep[i]) ?? deep[i].step.listed!.id), { concurrency: 8, stopOnError: false });
	const detailOf = new Map<RoleTask, CustomRole | undefined>(deep.map((t, i) => [t, details[i]?.ok ? details[i].value : undefined]));

	const unshown: RoleTask[] = [];
	/** A created or updated role whose details differ from the body sent, with the fields. */
	const unlike = new Map<RoleTask, string[]>();
	for (const task of sent) {
		const { step } = task;
		let shown = false;
		if (step.action === 'create' && step.send) {
			const role = byName.get(step.send.name.toLowerCase());
			const read = detailOf.get(task);
			// Created as sent: listed, and its details show the permissions and scopes sent.
			const differs = read ? roleChanges(step.send, read) : [];
			shown = role !== undefined && read !== undefined && differs.length === 0;
			if (differs.length) unlike.set(task, differs);
			if (role && shown) {
				result.created.set(step.send.name.toLowerCase(), { id: role.id, name: role.name });
				task.out.role = read as unknown as IDataObject;
			}
		} else if (step.action === 'update' && step.send && step.listed) {
			const now = byId.get(step.listed.id.toLowerCase());
			if (deep.includes(task)) {
				const role = detailOf.get(task);
				const differs = role ? roleChanges(step.send, role) : [];
				shown = role !== undefined && differs.length === 0;
				if (differs.length) unlike.set(task, differs);
			} else {
				shown = now !== undefined && now.name === step.send.name && (step.send.description === undefined || (now.description ?? '') === step.send.description);
			}
		} else if (step.action === 'delete' && step.listed) {
			shown = !byId.has(step.listed.id.toLowerCase());
		}
		if (!shown) unshown.push(task);
	}
	if (unshown.length === 0) return failures;
	const pending = await ownPendingRequests(ctx, directory);
	const taken = new Set<string>();
	for (const task of unshown) {
		if (task.out.result === 'alreadyAbsent') {
			failures.set(task, new Error(`Veeam answered that the custom role "${task.step.name}" does not exist (NotFound), but the role list still shows it: not deleted`));
			continue;
		}
		const match: RequestMatch | undefined = pending && requestNaming(pending, task.step.name, KIND[task.step.action], false, taken);
		if (match) {
			taken.add(match.event.id);
			task.out.result = 'pendingApproval';
			task.out.approval = approvalOf(match);
			// Veeam's answer said done; the server does not show it: not passed on as the role.
			delete task.out.role;
		} else {
			delete task.out.role;
			failures.set(
				task,
				new Error(
					`Veeam answered the ${task.step.action} of the custom role "${task.step.name}" as done, but the server does not show it ${DONE[task.step.action]}${
						unlike.has(task) ? ` (its details differ from what was sent in ${unlike.get(task)!.join(', ')})` : ''
					}, and no four-eyes request of this account names it`,
				),
			);
		}
	}
	return failures;
}

/** The Pending four-eyes requests of the credential's account (undefined: no authorization events on this product). */
async function ownPendingRequests(ctx: IExecuteFunctions, directory: UserDirectory) {
	const events = directory.authorizationEvents;
	if (!events) return undefined;
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE[directory.product]);
	const login = typeof credentials.username === 'string' ? credentials.username.trim() : '';
	return (await events.list({ states: ['Pending'] })).filter((e) => e.state === 'Pending' && sameAccount(login, e.createdBy));
}
