/**
 * One poll of the Veeam Trigger: read the complete user list, compare it with the stored
 * snapshot, emit one item per change, store the new snapshot.
 *
 * What n8n does around a poll decides the design (see N8N-NOTES.md, "Polling triggers"):
 * - Static data is saved only after a poll that emits. A poll that returns null keeps its writes
 *   in memory, in the activation's Workflow object, until a later poll emits (then everything is
 *   saved) or n8n restarts (then they are lost and the last saved snapshot is used again). That is
 *   n8n's default scheduler; its durable one stores a quiet poll's writes with durable cursors, and
 *   loses them without (see the end of this list).
 * - A poll that throws emits nothing and saves nothing; n8n records an error execution.
 *
 * Hence:
 * - The snapshot is written only after the whole list was read (and apparent removals checked),
 *   so a failure at any point leaves it as it was and the next good poll reports every change
 *   since the last good one. Errors are thrown, not swallowed: a silent trigger on user changes
 *   is worse than an error execution.
 * - The snapshot is always a complete list, never a delta, so whichever emitting poll gets saved
 *   carries everything.
 * - The first poll (no snapshot, or one for another server) records a baseline. By default it
 *   emits nothing, so n8n does not save it: it lives in memory, and the first poll that emits a
 *   change saves it with that change. If n8n restarts before any change was emitted, the next
 *   poll finds no saved snapshot and records a new baseline (no flood of "added" events); changes
 *   made between the last poll before the restart and the first one after it are then part of
 *   the new baseline. The option "On First Poll → Emit a Baseline Item" closes that window: the
 *   baseline poll emits one item, so n8n saves the baseline at once.
 * - Manual runs ("Fetch Test Event") never write the snapshot: they return the real changes
 *   since the saved snapshot if there are any, otherwise a few current users shaped as events.
 * - Where n8n gives a poll budget (2.40+), a listing that does not fit in one poll goes on over
 *   several, emitting nothing until it is complete; its users with a change are then looked up as
 *   they are now, within the budget too (progress.ts). Without a budget (n8n 1.x, manual runs) one
 *   poll reads the whole list. n8n's durable poll scheduler stores a quiet poll's static data only
 *   with durable cursors; without them none of the above holds (docs/errors.md: not supported).
 */
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type IPollFunctions,
} from 'n8n-workflow';

import { FOUND_API_VERSION_FIELD, isAutomatic, knownVersion, normalizeServerUrl } from '../../client/login';
import { createDirectory, isProduct } from '../../client/adapters';
import type { Product, UserDirectory, VeeamUser } from '../../client/model';
import { CREDENTIAL_TYPE, DEFAULT_PORT, PRODUCTS, hasCapability } from '../../client/products';
import {
	USER_EVENTS,
	compareWithSnapshot,
	diffUsers,
	expectedEvents,
	filterEvents,
	finishComparison,
	isUserEvent,
	userMatcher,
	usersOf,
	type Comparison,
	type EventFilter,
	type TrackedUser,
	type UserEvent,
	type UserEventType,
} from './diff';
import { APPROVAL_EVENTS, approvalItem, changedBy, isApprovalEvent, pollApprovals, writeApprovals, type ApprovalEventType, type ApprovalPoll } from './approvals';
import { confirmRemovals, readAllUsers } from './listing';
import { SAMPLE_SIZE, sampleEvents, type EmittedEvent } from './samples';
import { eventsWithProfiles, lookUpProfilesAhead, usersWithProfiles, type ProfilesAhead } from './vspcProfiles';

export { SAMPLE_SIZE } from './samples';
import { confirmVspc, readVspcUsers, type VspcRead } from './vspcListing';
import { pollVb365 } from './vb365Poll';
import { PROGRESS_KEY, lookUpProgress, lookUpWithinBudget, pollBudget, readWithinBudget, type BudgetedListing } from './progress';
import { configFingerprint, encodeState, isStateFormatError, openState, writeState } from './state';
import { dropAccessState, pollAccess, readAccessConfig, wantsAccess, type AccessConfig, type AccessOutcome } from './accessEvents';

export type FirstPoll = 'silent' | 'baselineItem' | 'emitExisting';


interface TriggerConfig {
	product: Product;
	filter: EventFilter & { events: ReadonlySet<string> };
	/** Authorization-event kinds chosen (VBR only). */
	approvals: ReadonlySet<ApprovalEventType>;
	/** Role and access events chosen (VBR 1.3-rev2: accessEvents.ts). */
	access: AccessConfig;
	firstPoll: FirstPoll;
}

function readConfig(ctx: IPollFunctions): TriggerConfig {
	const product = ctx.getNodeParameter('product', 'vbr');
	if (!isProduct(product)) {
		throw new NodeOperationError(ctx.getNode(), `Unknown product "${String(product)}"`);
	}
	const events = ctx.getNodeParameter('events', []) as unknown;
	const chosen = Array.isArray(events) ? events.filter(isUserEvent) : [];
	const approvals = Array.isArray(events) && hasCapability(product, 'authorizationEvents') ? events.filter(isApprovalEvent) : [];
	const access = readAccessConfig(ctx.getNode(), product, events);
	if (chosen.length === 0 && approvals.length === 0 && !wantsAccess(access)) {
		throw new NodeOperationError(ctx.getNode(), 'No event chosen', {
			description: 'Choose at least one event under "Events" for the trigger to report.',
		});
	}
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const roles = options.roles === undefined ? [] : Array.isArray(options.roles) ? options.roles : [options.roles];
	const firstPoll = options.firstPoll ?? 'silent';
	if (firstPoll !== 'silent' && firstPoll !== 'baselineItem' && firstPoll !== 'emitExisting') {
		throw new NodeOperationError(ctx.getNode(), `Unknown "On First Poll" choice "${String(firstPoll)}"`);
	}
	return {
		product,
		filter: {
			events: new Set(chosen),
			roles: roles.map(String),
			namePattern: typeof options.namePattern === 'string' ? options.namePattern : undefined,
		},
		approvals: new Set(approvals),
		access,
		firstPoll,
	};
}

/** Only VBR has a service-account mode, only VSPC user status and logins: elsewhere those events never happen. */
function productHasEvent(product: Product, event: UserEventType): boolean {
	if (event === 'statusChanged' || event === 'loginsChanged') return product === 'vspc';
	return event !== 'serviceAccountModeChanged' || hasCapability(product, 'serviceAccounts');
}

/**
 * What decides which user list the snapshot describes: product, server, API version (which fields
 * the server reports) as the credential sets it. Under "Automatic" that is `auto`; the version in
 * use is recorded with the snapshot where known (automaticVersionInUse, state.ts `openState`).
 */
async function configKey(ctx: IPollFunctions, product: Product): Promise<string> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE[product]);
	let url = String(credentials.url ?? '').trim();
	try {
		url = normalizeServerUrl(credentials.url, DEFAULT_PORT[product]);
	} catch {
		// An unusable URL fails the listing with a clear message; the raw text is fine as a key.
	}
	const apiVersion = String(credentials.apiVersion === 'custom' ? credentials.customApiVersion : credentials.apiVersion);
	return configFingerprint([product, url.toLowerCase(), apiVersion]);
}

/**
 * Under API version "Automatic", the version this poll's listing was read at, where known: the one
 * found in this poll (the kept one was refused), else the one the credential keeps, read after the
 * listing so that a login during it counts. Undefined for a pinned version (part of the config key)
 * and when none is kept.
 */
async function automaticVersionInUse(ctx: IPollFunctions, product: Product, directory: UserDirectory): Promise<string | undefined> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE[product]);
	if (!isAutomatic(credentials)) return undefined;
	return directory.apiVersionFoundNow ?? knownVersion(PRODUCTS[product].auth, credentials[FOUND_API_VERSION_FIELD]);
}


/** A plain copy of a user for an item (no shared arrays, no internal fields). */
function plainUser(user: TrackedUser | VeeamUser | null): IDataObject | null {
	if (!user) return null;
	const copy = JSON.parse(JSON.stringify(user)) as IDataObject;
	// `ref` repeats the VBR id or the VBGC name: the node's outputs leave it out, as the action node's.
	delete copy.ref;
	delete copy.descriptionDigest;
	return copy;
}

function eventItem(e: EmittedEvent, product: Product, detectedAt: string): IDataObject {
	return {
		event: e.event,
		product,
		user: plainUser(e.user),
		previous: plainUser(e.previous),
		changes: JSON.parse(JSON.stringify(e.changes)) as IDataObject[],
		detectedAt,
		...(e.sample ? { sample: true, sampleNote: e.sampleNote } : {}),
	};
}


/** Adds where the poll stopped to an API or node error, and rethrows it as a node error. */
function pollFailed(ctx: IPollFunctions, error: unknown): never {
	const note = 'Nothing was emitted and the stored user snapshot is unchanged: the next successful poll reports every change since the last one.';
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (!error.description?.includes(note)) error.description = `${error.description ?? ''} ${note}`.trim();
		throw error;
	}
	throw new NodeOperationError(ctx.getNode(), error instanceof Error ? error : String(error), { description: note });
}

export async function pollUsers(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	// Veeam Backup for Microsoft 365: restore-operator roles, not users (vb365Poll.ts).
	if (this.getNodeParameter('product', 'vbr') === 'vb365') return await pollVb365(this);
	// n8n 2.40+ gives a poll budget (its durable scheduler abandons a poll past its timeout): a long listing goes on over several polls (progress.ts).
	const budget = this.getMode() === 'manual' ? undefined : pollBudget(this);
	const config = readConfig(this);
	const { product, filter } = config;
	const manual = this.getMode() === 'manual';
	const staticData = this.getWorkflowStaticData('node');
	const directory = createDirectory(this, product);
	const cfg = await configKey(this, product);
	const detectedAt = new Date().toISOString();

	// The stored snapshot is read as a stream: its users are compared one by one, not all held.
	type Outcome = { current: Map<string, VeeamUser>; apiVersion?: string; events?: UserEvent[]; reason: string; partial?: undefined; ahead?: ProfilesAhead };
	const work = async (): Promise<Outcome | { partial: IDataObject }> => {
		let current: Map<string, VeeamUser>;
		let listing: Extract<BudgetedListing, { complete: true }> | undefined;
		// VSPC: users and logins with their pages in parallel, in one poll (vspcListing.ts; 50,000 users take a few seconds at most, far within any budget).
		let vspc: VspcRead | undefined;
		if (product === 'vspc') {
			vspc = await readVspcUsers(directory, this.getNode(), { logins: filter.events.has('loginsChanged') });
			if (vspc.problems.length > 0) this.logger.debug(`Veeam Trigger: the listing changed while it was read (${vspc.problems.join('; ')}); what it seems to lack is looked up`);
			current = vspc.users;
		} else if (budget) {
			const read = await readWithinBudget(directory, staticData, cfg, budget, this.getNode());
			if (!read.complete) return { partial: read.progress };
			listing = read;
			current = read.users;
		} else current = await readAllUsers(directory);
		const apiVersion = await automaticVersionInUse(this, product, directory);
		const stored = openState(staticData, cfg, apiVersion);
		if (!stored.ok) return { current, apiVersion, reason: stored.reason };
		const compare = (): Comparison | { malformed: string } => {
			try {
				return compareWithSnapshot(stored.users(), current);
			} catch (error) {
				// Only damaged static data gets here (nothing else in it can throw): start again from a baseline.
				if (!isStateFormatError(error)) pollFailed(this, error);
				return { malformed: `the stored state is malformed (${error.message})` };
			}
		};
		// The users to look up: those the list seems to have lost; after a listing of several polls
		// (pages of different moments, progress.ts) every user with an apparent change, taken as it is now.
		// A listing whose look-ups did not fit in the poll that completed it goes on with those left.
		let comparison: Comparison | undefined;
		let refs = listing?.check;
		if (!refs) {
			const first = compare();
			if ('malformed' in first) return { current, apiVersion, reason: first.malformed };
			comparison = first;
			const missing = first.missing.map((u) => u.ref);
			if (listing?.spanned) {
				const added = [...current.keys()].filter((ref) => !first.matched.has(ref));
				refs = [...new Set(first.events.map((e) => e.ref)), ...added, ...missing];
			} else refs = missing;
		}
		let ahead: ProfilesAhead | undefined;
		if (vspc && comparison) {
			// The profiles of the users it expects to emit are asked for beside the confirming look-ups (vspcProfiles.ts).
			const looking = lookUpProfilesAhead(directory, usersOf(filterEvents(expectedEvents(comparison, current), filter)));
			ahead = looking;
			// A failed confirmation fails the poll once the look-up ahead is over too: no request outlives the poll.
			await confirmVspc(directory, comparison, current, vspc).catch(async (error: unknown) => {
				await looking;
				throw error;
			});
		} else if (budget && listing) {
			const left = await lookUpWithinBudget(directory, refs, current, budget, { alwaysOneRound: listing.pagesNow === 0 });
			if (left.length > 0) return { partial: lookUpProgress(cfg, listing.state, current, left) };
		} else await confirmRemovals(directory, refs, current);
		if (!comparison || listing?.spanned) {
			const again = compare();
			if ('malformed' in again) return { current, apiVersion, reason: again.malformed };
			comparison = again;
		}
		return { current, apiVersion, events: finishComparison(comparison, current), reason: '', ahead };
	};
	const outcome = await work().catch((error: unknown) => pollFailed(this, error));
	if (outcome.partial) {
		// Nothing compared, nothing emitted: the next poll goes on with the listing or its look-ups.
		staticData[PROGRESS_KEY] = outcome.partial;
		const left = Array.isArray(outcome.partial.check) ? `listing complete, ${outcome.partial.check.length} users still to look up` : `${String(outcome.partial.offset)} users read`;
		this.logger.debug(`Veeam Trigger: not complete within the poll budget; ${left}, continuing next poll`);
		return null;
	}
	const { current, apiVersion, reason } = outcome;
	// Only the events emitted, their users (VSPC: listed without a profile) given their profiles now,
	// before anything is written: a failed look-up fails the poll (vspcProfiles.ts). While those
	// look-ups are under way, the new snapshot is encoded (it depends on `current` only; written below).
	const profiling = outcome.events && eventsWithProfiles(directory, filterEvents(outcome.events, filter), outcome.ahead).then((list) => ({ list }), (error: unknown) => ({ error }));
	const encoded = manual ? undefined : encodeState(current.values(), cfg, { apiVersion });
	const profiled = await profiling;
	if (profiled && 'error' in profiled) pollFailed(this, profiled.error);
	const events = profiled?.list;
	// Custom roles and the ACL (chosen only): read and compared now, written with the user snapshot.
	let access: AccessOutcome | undefined;
	if (wantsAccess(config.access)) {
		access = await pollAccess(this.getNode(), directory, staticData, cfg, apiVersion, config.access, budget, detectedAt).catch((error: unknown) => pollFailed(this, error));
		for (const b of access.baselines) this.logger.info(`Veeam Trigger: recording a baseline of ${b}`);
		for (const w of access.warnings) this.logger.warn(`Veeam Trigger: ${w}`);
	}
	const annotate = events !== undefined && filterEvents(events, filter).length > 0;
	const approvals = await readApprovals(this, directory, staticData, cfg, config.approvals, annotate);
	const approvalItems = (approvals?.changed ?? []).filter((c) => config.approvals.has(c.kind)).map((c) => approvalItem(c.kind, c.event, detectedAt));
	// After the last request: the role and access state is written here (a manual run never writes),
	// with nothing in between that can fail, and saved by n8n with this poll's items.
	if (!manual && !access) dropAccessState(staticData);
	const extra = [...approvalItems, ...(access ? (manual ? access.items : access.commit()) : [])];
	const emit = (list: Array<EmittedEvent>, extra: IDataObject[] = []) => {
		const items = [
			...list.map((e) => {
				const who = approvals?.since && !e.sample ? changedBy(e, approvals.events, approvals.since, approvals.next.readAt) : undefined;
				return { ...eventItem(e, product, detectedAt), ...who };
			}),
			...extra,
		];
		return items.length > 0 ? [this.helpers.returnJsonArray(items)] : null;
	};

	if (manual) {
		const pending = events ? filterEvents(events, filter) : [];
		if (pending.length > 0 || extra.length > 0) return emit(pending, extra);
		if (filter.events.size === 0 && access) return emit([], access.samples);
		const matches = userMatcher(filter);
		const sorted = [...current.values()].filter(matches).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
		const sample = await usersWithProfiles(directory, sorted.slice(0, SAMPLE_SIZE)).catch((error: unknown) => pollFailed(this, error));
		const kinds = USER_EVENTS.filter((e) => filter.events.has(e) && productHasEvent(product, e));
		return emit(sampleEvents(sample, kinds.length ? kinds : ['userAdded']));
	}

	const next = encoded ?? encodeState(current.values(), cfg, { apiVersion });
	// Saved with the user snapshot, so that both are as of the same emitting poll (see above).
	if (approvals) writeApprovals(staticData, approvals.next);
	if (events) {
		const selected = filterEvents(events, filter);
		const items = emit(selected, extra);
		writeState(staticData, next);
		return items;
	}

	// No usable snapshot: this poll records the baseline.
	const note = `Veeam Trigger: recording a baseline of ${current.size} users (${reason})`;
	if (reason.startsWith('the stored state is malformed')) this.logger.warn(note);
	else this.logger.info(note);
	let items: INodeExecutionData[][] | null = extra.length ? emit([], extra) : null;
	if (config.firstPoll === 'emitExisting') {
		const existing = diffUsers(new Map(), current);
		// VSPC has neither approvals nor access state: nothing was written before this look-up.
		const added = await eventsWithProfiles(directory, filterEvents(existing, { ...filter, events: new Set(['userAdded']) })).catch((error: unknown) => pollFailed(this, error));
		items = emit(added, extra);
	} else if (config.firstPoll === 'baselineItem') {
		items = [
			this.helpers.returnJsonArray([
				{ event: 'baseline', product, user: null, previous: null, changes: [], userCount: current.size, detectedAt },
				...extra,
			]),
		];
	}
	writeState(staticData, next);
	return items;
}

/**
 * The authorization events for this poll (VBR): compared with the stored state, for the chosen
 * approval kinds and for who made the user changes. When no approval kind is chosen they only add
 * `changedBy`, so a server that does not answer them (an older version, too few rights) costs that
 * and a warning, not the poll.
 */
async function readApprovals(
	ctx: IPollFunctions,
	directory: ReturnType<typeof createDirectory>,
	staticData: IDataObject,
	cfg: string,
	kinds: ReadonlySet<ApprovalEventType>,
	annotate: boolean,
): Promise<ApprovalPoll | undefined> {
	if (!directory.authorizationEvents) return undefined;
	try {
		return await pollApprovals(directory, staticData, cfg, new Date(), { track: kinds.size > 0, annotate });
	} catch (error) {
		if (kinds.size > 0) pollFailed(ctx, error);
		ctx.logger.warn(`Veeam Trigger: authorization events not read, so user changes carry no changedBy (${(error as Error).message})`);
		return undefined;
	}
}

export { APPROVAL_EVENTS };
