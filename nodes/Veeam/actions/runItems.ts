/**
 * Carrying out an item operation (Onboard, Promote, Offboard, Get, …) for every input item:
 *
 * 1. `prepare` for every item, one after another: parameters read and checked, roles resolved
 *    (read-only). A bad item stops the run before anything changed (or, with Continue On Fail,
 *    becomes an error item).
 * 2. When the items are about users and there are several, the directory may read the server's
 *    whole user list once instead of one look-up per item (UserDirectory.prefetchUsers).
 * 3. `execute`, up to Options → Concurrency items at a time. Items about the same user run one after
 *    another, in input order, so each sees what the one before did. Output order and pairing follow
 *    the input. Without Continue On Fail the first failure stops the run: no further item starts,
 *    those in flight finish, and the failing item with the lowest index is reported.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData, NodeApiError, NodeOperationError } from 'n8n-workflow';

import type { UserDirectory } from '../../../client/adapters';
import { runPool, type TaskOutcome } from '../../../client/pool';
import { claimOfOutput, confirmClaims, unshownOutcome, type Claim } from './confirm';
import { DEFAULT_CONCURRENCY, MAX_CONCURRENCY } from './common.descriptions';
import type { UserTarget, VeeamOperation } from './node.type';

type ItemFailure = NodeApiError | NodeOperationError;
type Prepared = { ok: true; params: unknown } | { ok: false; error: ItemFailure };

/** Options → Concurrency of the first item, within 1 … MAX_CONCURRENCY (an expression may give anything). */
export function readConcurrency(ctx: IExecuteFunctions, path = 'options.concurrency'): number {
	const value = Number(ctx.getNodeParameter(path, 0, DEFAULT_CONCURRENCY));
	if (!Number.isFinite(value)) return DEFAULT_CONCURRENCY;
	return Math.min(MAX_CONCURRENCY, Math.max(1, Math.floor(value)));
}

/**
 * What identifies the user of an item within this execution. By name on a product that addresses
 * users by name, or through the prefetched list, it is the user's ref; otherwise the name itself
 * (the user may not exist yet) or the given reference.
 */
function userKey(directory: UserDirectory, target: UserTarget): string {
	if (target.mode !== 'name') return `ref:${target.value.toLowerCase()}`;
	const ref = directory.refKind === 'name' ? target.value : directory.prefetchedRef(target.value);
	return ref === undefined ? `name:${target.value.toLowerCase()}` : `ref:${ref.toLowerCase()}`;
}

export async function runItemOperation(
	this: IExecuteFunctions,
	op: VeeamOperation,
	directory: UserDirectory,
	itemCount: number,
	continueOnFail: boolean,
	failureOf: (error: unknown, i: number) => ItemFailure,
): Promise<INodeExecutionData[]> {
	const prepared: Prepared[] = [];
	for (let i = 0; i < itemCount; i++) {
		try {
			prepared.push({ ok: true, params: await op.prepare.call(this, i, directory) });
		} catch (error) {
			const failure = failureOf(error, i);
			if (!continueOnFail) throw failure;
			prepared.push({ ok: false, error: failure });
		}
	}

	let concurrency = readConcurrency(this);
	const targets = prepared.map((entry) => (entry.ok && op.target ? op.target(entry.params) : undefined));
	const lookups = targets.filter((t) => t !== undefined).length;
	const prefetched = lookups > 1 && (await directory.prefetchUsers(lookups));
	// Without the list, a user named in one item and given by ID in another cannot be told apart:
	// such an execution runs one item at a time rather than risk two changes to one user at once.
	const modes = new Set(targets.flatMap((t) => (t ? [t.mode === 'name' ? 'name' : 'ref'] : [])));
	if (!prefetched && directory.refKind === 'id' && modes.size > 1) concurrency = 1;
	const keys = targets.map((t, i) => {
		const entry = prepared[i];
		if (entry.ok && op.serialKey) return op.serialKey(entry.params);
		return t ? userKey(directory, t) : undefined;
	});

	const outcomes = await runPool(
		itemCount,
		async (i) => {
			const entry = prepared[i];
			if (!entry.ok) throw entry.error;
			return await op.execute.call(this, entry.params, directory, i);
		},
		{ concurrency, stopOnError: !continueOnFail, keyOf: (i) => keys[i] },
	);

	// (Without Continue On Fail a failed item ends the run anyway: nothing to confirm.)
	const failed = outcomes.some((o) => o && !o.ok);
	if (op.confirms && (continueOnFail || !failed)) await confirmOutcomes(this, directory, outcomes);

	const returnData: INodeExecutionData[] = [];
	for (let i = 0; i < itemCount; i++) {
		const outcome = outcomes[i];
		if (outcome === undefined) continue; // not started: an earlier item failed (and is thrown below)
		if (outcome.ok) {
			returnData.push(
				...this.helpers.constructExecutionMetaData(this.helpers.returnJsonArray(outcome.value as IDataObject | IDataObject[]), {
					itemData: { item: i },
				}),
			);
			continue;
		}
		const failure = failureOf(outcome.error, i);
		if (!continueOnFail) throw failure;
		returnData.push({ json: { error: failure.message }, pairedItem: { item: i } });
	}
	return returnData;
}

/**
 * Reads back what the items changed (confirm.ts): an item whose change the server does not show
 * becomes `pendingApproval` (a four-eyes request waits) or fails.
 */
async function confirmOutcomes(ctx: IExecuteFunctions, directory: UserDirectory, outcomes: Array<TaskOutcome<unknown> | undefined>): Promise<void> {
	const claims: Claim[] = [];
	for (const [i, outcome] of outcomes.entries()) {
		if (!outcome?.ok || !outcome.value || Array.isArray(outcome.value)) continue;
		const claim = claimOfOutput(i, outcome.value as IDataObject);
		if (claim) claims.push(claim);
	}
	const confirmations = await confirmClaims(ctx, directory, claims);
	for (const claim of claims) {
		const confirmation = confirmations.get(claim.index);
		if (!confirmation || confirmation.shown) continue;
		const output = (outcomes[claim.index] as { value: IDataObject }).value;
		outcomes[claim.index] = unshownOutcome(ctx, claim, confirmation, output);
	}
}
