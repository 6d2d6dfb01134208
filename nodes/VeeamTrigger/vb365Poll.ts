/**
 * One poll of the Veeam Trigger on Veeam Backup for Microsoft 365 (poll.ts hands it over): read the
 * restore-operator roles of the organization watched (or of every one) with what the chosen events
 * need (vb365Listing.ts), compare with the kept state (vb365Events.ts), emit one item per change,
 * keep the new state (vb365State.ts). The rules of the other products' polls hold (poll.ts):
 * - the state is written only after everything was read and compared; a poll that fails (any read
 *   that fails, bar a role deleted meanwhile) throws, emits nothing and leaves the state as it was,
 *   so the next good poll reports every change since the last good one;
 * - the state is always complete, never a delta: whichever emitting poll n8n saves carries it all;
 * - the first poll (or the first after the server, API version or organization changed) records a
 *   baseline, emitting what "On First Poll" says;
 * - "Fetch Test Event" never writes: the changes since the saved state, else a few current
 *   operators or roles shaped as events and marked as samples;
 * - of two polls of one activation that overlap (a slow server, a short interval), only the first
 *   to finish emits and writes: the other, finding the state replaced meanwhile (every write assigns
 *   a new object), emits nothing; the next poll compares with what the first stored.
 */
import { NodeApiError, NodeOperationError, type IDataObject, type INodeExecutionData, type IPollFunctions } from 'n8n-workflow';

import { createDirectory } from '../../client/adapters';
import { normalizeServerUrl } from '../../client/login';
import { CREDENTIAL_TYPE, DEFAULT_PORT } from '../../client/products';
import type { Vb365Access, Vb365Role } from '../../client/vb365Model';
import { configFingerprint } from './state';
import { VB365_EVENTS, diffVb365, isVb365Event, trackedRole, vb365Item, type Vb365Event, type Vb365EventType } from './vb365Events';
import { readVb365 } from './vb365Listing';
import { PART_OPERATORS, PART_SCOPE, VB365_STATE_KEY, encodeVb365, openVb365, writeVb365, type TrackedVb365Role } from './vb365State';

const SAMPLES = 5;
const SAMPLE_NOTE = 'A sample built from a current role or operator for mapping fields: not a change that happened.';
const FAILED_NOTE = 'Nothing was emitted and the stored roles are unchanged: the next successful poll reports every change since the last one.';

interface Vb365Config {
	events: ReadonlySet<Vb365EventType>;
	organization: string;
	firstPoll: 'silent' | 'baselineItem' | 'emitExisting';
}

function readConfig(ctx: IPollFunctions): Vb365Config {
	const events = ctx.getNodeParameter('events', []) as unknown;
	const chosen = Array.isArray(events) ? events.filter(isVb365Event) : [];
	if (chosen.length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'No event chosen', {
			description: 'Choose at least one Veeam Backup for Microsoft 365 event under "Events": Operator Added, Operator Removed, Role Scope Changed, Role Created or Role Deleted.',
		});
	}
	const scope = ctx.getNodeParameter('organizationScope', 'all') as unknown;
	if (scope !== 'all' && scope !== 'one') throw new NodeOperationError(ctx.getNode(), `Unknown "Organizations" choice "${String(scope)}"`);
	const organization = scope === 'one' ? (ctx.getNodeParameter('organization', '', { extractValue: true }) as unknown) : '';
	if (typeof organization !== 'string' || (scope === 'one' && organization.trim() === '')) {
		throw new NodeOperationError(ctx.getNode(), 'Choose the organization under "Organization" (from the list, by name or by ID)');
	}
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const firstPoll = options.firstPoll ?? 'silent';
	if (firstPoll !== 'silent' && firstPoll !== 'baselineItem' && firstPoll !== 'emitExisting') {
		throw new NodeOperationError(ctx.getNode(), `Unknown "On First Poll" choice "${String(firstPoll)}"`);
	}
	return { events: new Set(chosen), organization: organization.trim(), firstPoll };
}

/** Product, server and API version as the credential sets them, and the organization watched. */
async function configKey(ctx: IPollFunctions, organizationId: string | undefined): Promise<string> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE.vb365);
	let url = String(credentials.url ?? '').trim();
	try {
		url = normalizeServerUrl(credentials.url, DEFAULT_PORT.vb365);
	} catch {
		// An unusable URL fails the first request with a clear message; the raw text is fine as a key.
	}
	const apiVersion = String(credentials.apiVersion === 'custom' ? credentials.customApiVersion : credentials.apiVersion);
	return configFingerprint(['vb365', url.toLowerCase(), apiVersion, organizationId ?? '*']);
}

function pollFailed(ctx: IPollFunctions, error: unknown): never {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) {
		if (!error.description?.includes(FAILED_NOTE)) error.description = `${error.description ?? ''} ${FAILED_NOTE}`.trim();
		throw error;
	}
	throw new NodeOperationError(ctx.getNode(), error instanceof Error ? error : String(error), { description: FAILED_NOTE });
}

/** A few current operators (else roles) shaped as the chosen events, marked as samples. */
function samples(current: Iterable<Vb365Role>, events: ReadonlySet<Vb365EventType>): Vb365Event[] {
	const roles = [...current].sort((a, b) => a.name.localeCompare(b.name));
	const out: Vb365Event[] = [];
	const operatorEvent = events.has('operatorAdded') ? 'operatorAdded' : events.has('operatorRemoved') ? 'operatorRemoved' : undefined;
	if (operatorEvent) {
		for (const role of roles) {
			for (const operator of role.operators ?? []) {
				if (out.length >= SAMPLES) break;
				out.push({ event: operatorEvent, role, previous: operatorEvent === 'operatorAdded' ? null : trackedRole(role), operator, changes: [] });
			}
		}
	}
	for (const role of roles) {
		if (out.length >= SAMPLES) break;
		out.push({ event: 'roleCreated', role, previous: null, changes: [] });
	}
	return out;
}

export async function pollVb365(ctx: IPollFunctions): Promise<INodeExecutionData[][] | null> {
	const config = readConfig(ctx);
	const manual = ctx.getMode() === 'manual';
	const staticData = ctx.getWorkflowStaticData('node');
	const detectedAt = new Date().toISOString();
	const operators = config.events.has('operatorAdded') || config.events.has('operatorRemoved');
	const scope = config.events.has('roleScopeChanged');
	const parts = (operators ? PART_OPERATORS : 0) | (scope ? PART_SCOPE : 0);

	const work = async () => {
		const directory = createDirectory(ctx, 'vb365');
		const access: Vb365Access | undefined = directory.vb365?.();
		if (!access) throw new NodeOperationError(ctx.getNode(), 'The Veeam Backup for Microsoft 365 directory offers no restore-operator calls');
		const organizations = await access.organizations();
		const organizationId = config.organization ? (await access.findOrganization(config.organization, 'Organization')).id.toLowerCase() : undefined;
		const cfg = await configKey(ctx, organizationId);
		const opened = openVb365(staticData, cfg);
		const stored = opened.ok ? opened.roles : new Map<string, TrackedVb365Role>();
		// A part the kept state did not have (chosen since) is a baseline of that part: its lists are not compared.
		if (opened.ok) {
			for (const role of stored.values()) {
				if (!(opened.parts & PART_OPERATORS)) delete role.operators;
				if (!(opened.parts & PART_SCOPE)) {
					delete role.selected;
					delete role.excluded;
				}
			}
		}
		const read = await readVb365(access, stored, { organizationId, operators, scope });
		const names = new Map<string, string>(opened.ok ? opened.orgNames : []);
		for (const org of organizations) names.set(org.id.toLowerCase(), org.name);
		const events = opened.ok ? diffVb365(stored, read.current) : undefined;
		return { cfg, read, names, events, reason: opened.ok ? '' : opened.reason };
	};
	const startedFrom = staticData[VB365_STATE_KEY];
	const { cfg, read, names, events, reason } = await work().catch((error: unknown) => pollFailed(ctx, error));
	const items = (list: Vb365Event[], extra: IDataObject = {}) => list.filter((e) => config.events.has(e.event)).map((e) => ({ ...vb365Item(e, names, detectedAt), ...extra }));
	const emit = (list: IDataObject[]) => (list.length > 0 ? [ctx.helpers.returnJsonArray(list)] : null);

	if (manual) {
		const pending = events ? items(events) : [];
		if (pending.length > 0) return emit(pending);
		return emit(samples(read.current.values(), config.events).map((e) => ({ ...vb365Item(e, names, detectedAt), sample: true, sampleNote: SAMPLE_NOTE })));
	}

	if (staticData[VB365_STATE_KEY] !== startedFrom) {
		ctx.logger.debug('Veeam Trigger: another poll stored the roles while this one read them; this one reports nothing');
		return null;
	}
	const next = encodeVb365([...read.current.values()].map(trackedRole), cfg, parts, names);
	if (events) {
		const out = emit(items(events));
		writeVb365(staticData, next);
		return out;
	}
	const operatorCount = [...read.current.values()].reduce((n, r) => n + (r.operators?.length ?? 0), 0);
	ctx.logger.info(`Veeam Trigger: recording a baseline of ${read.current.size} restore-operator roles (${reason})`);
	let out: INodeExecutionData[][] | null = null;
	if (config.firstPoll === 'emitExisting') out = emit(items(diffVb365(new Map(), read.current)));
	else if (config.firstPoll === 'baselineItem') {
		out = emit([{ event: 'baseline', product: 'vb365', roleCount: read.current.size, ...(operators ? { operatorCount } : {}), detectedAt }]);
	}
	writeVb365(staticData, next);
	return out;
}

export { VB365_EVENTS };
