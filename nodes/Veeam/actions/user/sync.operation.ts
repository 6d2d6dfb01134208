import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

import type { UserDirectory, VeeamUser } from '../../../../client/adapters';
import { directoryAccountFlags, readNewUserLogin, readRoles, roleNames } from '../../helpers/directory';
import { credentialAccountAmong, credentialAccountTest } from '../../helpers/vspc';
import { inputError, ItemErrors, readChoice, readEachItem, readText } from '../../helpers/input';
import { lastAdministratorLoss } from '../../helpers/lastAdministrator';
import { applySteps } from './sync.apply';
import { DEFAULT_LIMIT } from './sync.description';
import { outOfScope, planSync, type DesiredUser, type SafetyLimit, type SyncPlan, type SyncScope, type SyncStep, type ScopeKind } from './sync.plan';
import { readManage, readRoleParams, readServerRoles, withDeclaredRoles, type Manage, type RoleSyncParams } from './sync.rolesRead';
import { applyWithRoles, planWithRoles, refuseHeldDeletes, roleStepOutput, type RolePlan } from './sync.rolesRun';
import { rolePhase } from './sync.roles';
import { readConcurrency } from '../runItems';
import type { VspcOrganization } from '../../../../client/vspcModel';
import { readVspcDesired, readVspcTarget, vspcPlanOptions, vspcPlanProblems, vspcProtection, vspcRoleProblem, vspcStepColumns } from './sync.vspc';

const MODES = ['plan', 'apply'] as const;
type Mode = (typeof MODES)[number];
/** A plan with nothing for the users (Manage: Custom Roles Only). */
const NO_USERS: SyncPlan = { steps: [], managed: 0, unprotected: 0, revocations: 0, id: '' };
const SCOPES: readonly ScopeKind[] = ['namePattern', 'domain', 'roles', 'allExcept', 'all'];

export { description } from './sync.description';

export const batch = true;

interface SyncParams {
	mode: Mode;
	manage: Manage;
	/** The declared custom roles and the role scope (Manage with custom roles). */
	roles?: RoleSyncParams;
	scope: SyncScope;
	limit: SafetyLimit;
	approvedPlanId: string;
	desired: DesiredUser[];
	/** Passwords by item, apart from the plan so that nothing derived from the plan can hold one. */
	passwords: Map<number, string>;
	/** VSPC: the organization whose users this sync manages (a company, or the provider's own staff). */
	organization?: VspcOrganization;
}

function readScope(ctx: IExecuteFunctions, directory: UserDirectory): Promise<SyncScope> | SyncScope {
	const kind = readChoice(ctx, 0, 'scope', 'Scope', SCOPES, 'namePattern');
	switch (kind) {
		case 'all':
			return { kind };
		case 'namePattern':
			return { kind, pattern: readText(ctx, 0, 'scopePattern', 'Name Pattern') };
		case 'domain': {
			// Windows domain accounts (DOMAIN\name) exist on VBR only (its InternalUser/InternalGroup).
			if (directory.product !== 'vbr') {
				throw inputError(ctx, 0, 'Scope', 'this product has no domain accounts', 'Choose another scope, e.g. Users Matching a Name Pattern.');
			}
			const domain = readText(ctx, 0, 'scopeDomain', 'Domain');
			if (/[\\*?]/.test(domain)) throw inputError(ctx, 0, 'Domain', `"${domain}" is not a domain name: give only the part before the backslash, e.g. TECH`);
			return { kind, domain };
		}
		case 'roles':
			return readRoles(ctx, directory, 0, 'scopeRoles', 'Managed Role Names or IDs').then((roles) => ({ kind, roles }));
		case 'allExcept': {
			const except = readText(ctx, 0, 'scopeExcept', 'Except These Users')
				.split(/[,\n]/)
				.map((s) => s.trim())
				.filter((s) => s !== '');
			if (except.length === 0) throw inputError(ctx, 0, 'Except These Users', 'is empty');
			return { kind, except };
		}
	}
}

/** Options → Approved Plan ID, Max Removals, Max Removals (%) of item 0 (also Restore Operator → Sync's). */
export function readLimit(ctx: IExecuteFunctions): SafetyLimit & { approvedPlanId: string } {
	const options = ctx.getNodeParameter('syncOptions', 0, {}) as IDataObject;
	const number = (name: keyof SafetyLimit, field: string, max: number): number => {
		const value = options[name] ?? DEFAULT_LIMIT[name];
		if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
			throw inputError(ctx, 0, field, `must be a number from 0 to ${max}, but the value is ${JSON.stringify(value)}`);
		}
		return value;
	};
	const planId = options.approvedPlanId;
	if (planId !== undefined && typeof planId !== 'string') throw inputError(ctx, 0, 'Approved Plan ID', 'must be text');
	return {
		maxRemovals: number('maxRemovals', 'Max Removals', Number.MAX_SAFE_INTEGER),
		maxRemovalPercent: number('maxRemovalPercent', 'Max Removals (%)', 100),
		approvedPlanId: (planId ?? '').trim(),
	};
}

export async function prepare(this: IExecuteFunctions, itemCount: number, directory: UserDirectory): Promise<SyncParams> {
	const mode = readChoice(this, 0, 'syncMode', 'Mode', MODES, 'plan');
	const manage = readManage(this, directory);
	const roles = manage === 'users' ? undefined : readRoleParams(this);
	if (manage === 'customRoles') {
		const { approvedPlanId, ...limit } = readLimit(this);
		return { mode, manage, roles, scope: { kind: 'all' }, limit, approvedPlanId, desired: [], passwords: new Map() };
	}
	// Users may be given a declared custom role the server does not have yet.
	const roleView = roles ? withDeclaredRoles(directory, roles.declared) : directory;
	const scope = await readScope(this, roleView);
	const { approvedPlanId, ...limit } = readLimit(this);
	const organization = directory.product === 'vspc' ? await readVspcTarget(this, directory) : undefined;
	const passwords = new Map<number, string>();
	const seen = new Map<string, DesiredUser>();
	const read = await readEachItem(this, itemCount, async (i): Promise<DesiredUser | undefined> => {
		const name = readText(this, i, 'userName', 'User Name');
		const type = directory.userTypes ? readChoice(this, i, 'userType', 'Type', directory.userTypes, directory.userTypes[0]) : undefined;
		const problem = directory.nameProblem(name, type);
		if (problem) throw inputError(this, i, 'User Name', problem);
		const userRoles = await readRoles(this, roleView, i);
		const scoped = outOfScope(scope, { name, roles: userRoles });
		if (scoped) {
			throw inputError(this, i, scoped.field === 'name' ? 'User Name' : 'Role Names or IDs', scoped.problem, 'Remove the item from the input, or widen the scope.');
		}
		if (organization) {
			const misfit = userRoles.map((r) => vspcRoleProblem(r, organization, true)).find((p) => p !== undefined);
			if (misfit) throw inputError(this, i, 'Role Names or IDs', misfit, `The sync is about ${organization.name}: choose one of its roles.`);
		}
		const vspcRow = organization ? readVspcDesired(this, i) : undefined;
		const weak = vspcRow?.password ? directory.passwordProblem?.(vspcRow.password) : undefined;
		if (weak) throw inputError(this, i, 'Password', weak);
		const { password, identityProviderEntityId } = vspcRow ? { password: vspcRow.password, identityProviderEntityId: undefined } : readNewUserLogin(this, directory, i, type, false);
		if (password !== undefined) passwords.set(i, password);
		const hasPassword = password !== undefined;
		const description = directory.updateDescription ? readText(this, i, 'description', 'Description', { required: false }) : undefined;
		const descriptionProblem = description ? directory.descriptionProblem?.(description) : undefined;
		if (descriptionProblem) throw inputError(this, i, 'Description', descriptionProblem);
		const desired: DesiredUser = {
			item: i,
			name,
			roles: userRoles,
			type,
			description: description || undefined,
			hasPassword,
			identityProviderEntityId,
			...(vspcRow ? { vspc: vspcRow.vspc } : {}),
		};
		const earlier = seen.get(name.toLowerCase());
		if (earlier) {
			// The same person twice (an HR export with a duplicate row) is fine when the rows agree.
			const key = (d: DesiredUser) => roleNames(d.roles).map((r) => r.toLowerCase()).sort().join('\n') + (d.vspc ? JSON.stringify(d.vspc) : '');
			if (key(earlier) !== key(desired)) {
				const other = earlier.vspc ? 'another role, profile or MFA requirement' : `other roles (${roleNames(earlier.roles).join(', ')})`;
				throw inputError(this, i, 'User Name', `"${name}" is also item ${earlier.item}, with ${other}`, 'Give each person once, with all their roles.');
			}
			return undefined;
		}
		seen.set(name.toLowerCase(), desired);
		return desired;
	});
	return { mode, manage, roles, scope, limit, approvedPlanId, desired: read.filter((d): d is DesiredUser => d !== undefined), passwords, organization };
}

/** One output item per step: what the plan says, and with Apply what happened. */
function stepOutput(step: SyncStep, plan: SyncPlan, mode: Mode, withRoles: boolean, organization?: VspcOrganization): IDataObject {
	const before = roleNames(step.rolesBefore);
	const after = roleNames(step.rolesAfter);
	const out: IDataObject = {
		...(withRoles ? { object: 'user' } : {}),
		action: step.action,
		name: step.name,
		type: step.user?.type ?? step.desired?.type ?? null,
		rolesBefore: before,
		rolesAfter: after,
		rolesAdded: after.filter((r) => !before.includes(r)),
		rolesRemoved: before.filter((r) => !after.includes(r)),
		reason: step.reason,
		planId: plan.id,
		mode,
	};
	if (step.action === 'remove' && step.user) Object.assign(out, directoryAccountFlags(step.user));
	if (organization) Object.assign(out, vspcStepColumns(step, organization));
	if (mode === 'plan' && step.revokes && plan.limitExceeded) out.warning = `Apply would refuse this plan: ${plan.limitExceeded}.`;
	return out;
}

export async function execute(this: IExecuteFunctions, params: SyncParams, directory: UserDirectory, itemCount: number): Promise<INodeExecutionData[]> {
	const usersManaged = params.manage !== 'customRoles';
	const client = params.roles ? directory.customRoles?.() : undefined;
	const organization = params.organization;
	const [server, ownAccountTest, serverRoles] = await Promise.all([
		// VSPC: that organization's users only (planSync leaves out any other the server sends).
		usersManaged ? directory.listUsers(organization ? { organizationUids: [organization.uid] } : undefined) : undefined,
		// VSPC: decided once its users are read (credentialAccountAmong: the credential's user name,
		// and the server's own answer only where the names cannot decide, or for an API key).
		usersManaged && !organization ? credentialAccountTest(this, directory) : undefined,
		client && params.roles ? readServerRoles(this, client, params.roles.declared) : undefined,
	]);
	const isOwnAccount = organization && server ? await credentialAccountAmong(this, directory, server, organization) : ownAccountTest;
	const isProtected = (user: VeeamUser) =>
		directory.builtInAccount(user) ??
		(isOwnAccount?.(user) ? `${user.name} is the account this node's credential logs in with` : undefined) ??
		(organization ? vspcProtection(user) : undefined);
	const userPlan = server ? planSync(server, params.desired, params.scope, isProtected, params.limit, organization ? vspcPlanOptions(organization) : {}) : NO_USERS;
	let rolePlan: RolePlan | undefined;
	if (client && params.roles && serverRoles) rolePlan = await planWithRoles(client, serverRoles, params.roles, userPlan, server, params.limit);
	const plan = rolePlan?.plan ?? userPlan;

	if (organization) {
		const problems = vspcPlanProblems(this, plan.steps, organization);
		if (problems.length) throw new ItemErrors(problems.map((error) => ({ item: error.context.itemIndex as number, error })));
	}
	// A user the sync must create needs what creating takes: found now, before any change.
	if (directory.passwordProblem || organization) {
		const missing = plan.steps.filter((s) => s.action === 'create' && s.desired && !s.desired.hasPassword && !s.desired.identityProviderEntityId);
		if (missing.length) {
			throw new ItemErrors(
				missing.map((s) => ({
					item: s.item as number,
					error: inputError(this, s.item as number, 'Password', `is empty, but "${s.name}" does not exist yet and a new account needs a password`),
				})),
			);
		}
	}

	const outputs = plan.steps.map((step) => stepOutput(step, plan, params.mode, rolePlan !== undefined, organization));
	const roleOutputs = rolePlan?.steps.map((step) => roleStepOutput(step, plan, params.mode)) ?? [];
	// Nobody left to administer the server: refused (Apply) or said (Plan), before anything is sent.
	const losing = server
		? lastAdministratorLoss(
				directory,
				server,
				(user) => {
					const step = plan.steps.find((s) => s.user?.ref === user.ref);
					return step?.action === 'remove' ? undefined : step?.action === 'changeRoles' ? step.rolesAfter : user.roles;
				},
				plan.steps.filter((s) => s.action === 'create' || s.action === 'changeRoles').map((s) => s.rolesAfter),
			)
		: [];
	if (losing.length) {
		const names = losing.map((u) => u.name).join(', ');
		const problem = `it would leave no user or group with the ${directory.lastAdministratorRole} role (${names} would lose it)`;
		if (params.mode === 'apply') {
			const step = plan.steps.find((s) => s.user && losing.includes(s.user));
			throw new NodeOperationError(this.getNode(), `Sync refused: ${problem}. Nothing was changed.`, {
				...(step?.item !== undefined ? { itemIndex: step.item } : {}),
				description: `Nobody could administer the server afterwards. Keep the role on one of them in the list, or give it to another user or group first.`,
			});
		}
		for (const [index, step] of plan.steps.entries()) {
			if (step.user && losing.includes(step.user)) outputs[index].warning = `Apply would refuse this plan: ${problem}.`;
		}
	}
	if (params.mode === 'apply') {
		if (params.approvedPlanId && params.approvedPlanId !== plan.id) {
			throw inputError(
				this,
				0,
				'Approved Plan ID',
				`the plan is now ${plan.id}, not the approved ${params.approvedPlanId}: the server's ${rolePlan ? 'users, its custom roles' : 'users'} or the list changed since it was approved. Nothing was changed.`,
				'Run the sync in Plan mode again and have the new plan approved.',
			);
		}
		if (rolePlan) refuseHeldDeletes(this, rolePlan.steps);
		if (plan.limitExceeded) {
			throw new NodeOperationError(this.getNode(), `Sync refused: ${plan.limitExceeded}. Nothing was changed.`, {
				description:
					'A safety net against a broken or truncated HR export. Check the plan (Mode: Plan); if it is right, raise Max Removals and Max Removals (%) under Options.',
			});
		}
		if (rolePlan && client) {
			const concurrency = readConcurrency(this, 'syncOptions.concurrency');
			await applyWithRoles(this, directory, client, rolePlan, roleOutputs, outputs, params.passwords, concurrency);
		} else {
			await applySteps(this, directory, params.passwords, plan, outputs, organization);
		}
	}
	const everyItem = Array.from({ length: itemCount }, (_, item) => ({ item }));
	const userItems = plan.steps.map((step, index) => ({
		json: outputs[index],
		// A user the list does not name comes from the input as a whole.
		pairedItem: step.item !== undefined ? { item: step.item } : everyItem,
	}));
	if (!rolePlan) return userItems;
	// The declared roles are item 0's parameter. Order: as applied.
	const roleItems = (phase: string) =>
		rolePlan.steps.flatMap((step, index) => (rolePhase(step) === phase ? [{ json: roleOutputs[index], pairedItem: { item: 0 } }] : []));
	return [...roleItems('before'), ...userItems, ...roleItems('after'), ...roleItems('none')];
}
