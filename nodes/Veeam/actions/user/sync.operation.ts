import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type INodePropertyOptions,
} from 'n8n-workflow';

import type { UserDirectory, VeeamUser } from '../../../../client/adapters';
import { credentialAccountMatcher, directoryAccountFlags, readRoles, roleNames } from '../../helpers/directory';
import { inputError, ItemErrors, readChoice, readEachItem, readSecret, readText } from '../../helpers/input';
import { lastAdministratorLoss } from '../../helpers/lastAdministrator';
import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { showFor, type Product } from '../../../../client/products';
import { azureUserTypeOptions, concurrencyField, rolesField, vbrUserTypeOptions } from '../common.descriptions';
import { applySteps } from './sync.apply';
import { outOfScope, planSync, type DesiredUser, type SafetyLimit, type SyncPlan, type SyncScope, type SyncStep, type ScopeKind } from './sync.plan';

const MODES = ['plan', 'apply'] as const;
type Mode = (typeof MODES)[number];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SCOPES: readonly ScopeKind[] = ['namePattern', 'domain', 'roles', 'allExcept', 'all'];
/** The defaults of the Max Removals options (the descriptions repeat them: n8n wants literals there). */
const DEFAULT_LIMIT: SafetyLimit = { maxRemovals: 10, maxRemovalPercent: 50 };

const COMMON_SCOPE_OPTIONS: INodePropertyOptions[] = [
	{ name: 'All Users', value: 'all', description: 'Every user of the server' },
	{ name: 'All Users Except Some', value: 'allExcept', description: 'Every user but those named (names or patterns)' },
	{
		name: 'Holders of Some Roles',
		value: 'roles',
		description: 'Only these roles are managed: users keep their other roles, and lose access only when they hold none',
	},
	{ name: 'Users Matching a Name Pattern', value: 'namePattern', description: 'A whole-name pattern with * and ?, for example TECH\\* or *.ops' },
];

const DOMAIN_SCOPE_OPTION: INodePropertyOptions = {
	name: 'Users of a Domain',
	value: 'domain',
	description: 'Active Directory accounts and groups named DOMAIN\\…',
};

function scopeField(products: Product[], options: INodePropertyOptions[]): INodeProperties {
	return {
		displayName: 'Scope',
		name: 'scope',
		type: 'options',
		default: 'namePattern',
		displayOptions: { show: { product: products } },
		options,
		description:
			'Which users of the server this sync manages. The built-in administrator and the account of the credential are never removed or demoted.',
	};
}

const properties: INodeProperties[] = [
	{
		displayName:
			'Each input item is one person who should have access (e.g. a row of an HR export). Users inside the scope who are not in the input lose access; users outside the scope are never touched.',
		name: 'syncNotice',
		type: 'notice',
		default: '',
	},
	{
		displayName: 'Mode',
		name: 'syncMode',
		type: 'options',
		default: 'plan',
		options: [
			{
				name: 'Plan',
				value: 'plan',
				description: 'Output what would be done, one item per user (create, changeRoles, remove, unchanged, protected); change nothing',
			},
			{
				name: 'Apply',
				value: 'apply',
				description: 'Do it: grants first, removals last; one item per user with the result of its step',
			},
		],
		description: 'Whether to only show the changes or to make them',
	},
	{
		displayName: 'User Name',
		name: 'userName',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.account }}',
		description:
			'The person of this item, as Veeam names users. Veeam Backup & Replication: DOMAIN\\name for Active Directory accounts and groups. Google Cloud, AWS: the account name. Azure: the account name, or the user principal name of an Entra ID user.',
	},
	rolesField('Roles the user should have'),
	{
		displayName: 'Type',
		name: 'userType',
		type: 'options',
		default: 'ExternalUser',
		displayOptions: { show: { product: ['vbr'] } },
		options: vbrUserTypeOptions,
		description: 'What kind of account a user created by the sync is (existing users keep theirs)',
	},
	{
		displayName: 'Type',
		name: 'userType',
		type: 'options',
		default: 'Internal',
		displayOptions: { show: { product: ['azure'] } },
		options: azureUserTypeOptions,
		description: 'What kind of account a user created by the sync is (existing users keep theirs)',
	},
	{
		displayName: 'Entra Object ID',
		name: 'identityProviderEntityId',
		type: 'string',
		default: '',
		displayOptions: { show: { product: ['azure'], userType: ['IdentityProvider'] } },
		placeholder: 'e.g. {{ $json.entraObjectId }}',
		description: 'For a Microsoft Entra ID user the sync creates: the object ID of the account (a UUID)',
	},
	{
		displayName: 'Password',
		name: 'password',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		displayOptions: { show: { product: ['vbgc', 'aws', 'azure'] } },
		description:
			'Password for a user the sync creates (required only for those; existing users keep theirs). Never part of the output.',
	},
	{
		displayName: 'Description',
		name: 'description',
		type: 'string',
		default: '',
		displayOptions: showFor('descriptions'),
		description: 'Description of a user the sync creates',
	},
	// One Scope list per product (as with Resource): VBGC has no domain accounts.
	scopeField(['vbr'], [...COMMON_SCOPE_OPTIONS, DOMAIN_SCOPE_OPTION]),
	scopeField(['vbgc', 'aws', 'azure'], COMMON_SCOPE_OPTIONS),
	{
		displayName: 'Name Pattern',
		name: 'scopePattern',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. TECH\\*',
		displayOptions: { show: { scope: ['namePattern'] } },
		description: 'Whole-name pattern, case-insensitive: * matches any run of characters, ? one character',
	},
	{
		displayName: 'Domain',
		name: 'scopeDomain',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. TECH',
		displayOptions: { show: { scope: ['domain'] } },
		description: 'The NetBIOS domain name, as in DOMAIN\\name',
	},
	{
		displayName: 'Managed Role Names or IDs',
		name: 'scopeRoles',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getRoles', loadOptionsDependsOn: ['product'] },
		default: [],
		required: true,
		displayOptions: { show: { scope: ['roles'] } },
		description:
			'The roles this sync hands out and takes away. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Except These Users',
		name: 'scopeExcept',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. VBR01\\admin, TECH\\Backup Operators, *\\svc-*',
		displayOptions: { show: { scope: ['allExcept'] } },
		description: 'Names or patterns of users the sync leaves alone, separated by commas or new lines',
	},
	{
		displayName: 'Options',
		name: 'syncOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Approved Plan ID',
				name: 'approvedPlanId',
				type: 'string',
				default: '',
				placeholder: 'e.g. {{ $(\'Sync (Plan)\').first().json.planId }}',
				description:
					'Apply only: the planId of the plan someone approved. If the server or the list changed since, the plan differs and nothing is done.',
			},
			{
				...concurrencyField,
				description:
					'Apply only: how many changes are sent to the server at the same time (1 to 16). Each is about another user. When Veeam asks to slow down, all wait.',
			},
			{
				displayName: 'Max Removals',
				name: 'maxRemovals',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 10,
				description:
					'Apply refuses, changing nothing, a plan that takes access from more managed users than this (a safety net against a broken HR export)',
			},
			{
				displayName: 'Max Removals (%)',
				name: 'maxRemovalPercent',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 100 },
				default: 50,
				description: 'Apply refuses, changing nothing, a plan that takes access from a larger share of the managed users than this',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['user'], operation: ['sync'] } }, properties);

export const batch = true;

interface SyncParams {
	mode: Mode;
	scope: SyncScope;
	limit: SafetyLimit;
	approvedPlanId: string;
	desired: DesiredUser[];
	/** Passwords by item, apart from the plan so that nothing derived from the plan can hold one. */
	passwords: Map<number, string>;
}

function readScope(ctx: IExecuteFunctions, directory: UserDirectory): Promise<SyncScope> | SyncScope {
	const kind = readChoice(ctx, 0, 'scope', 'Scope', SCOPES, 'namePattern');
	switch (kind) {
		case 'all':
			return { kind };
		case 'namePattern':
			return { kind, pattern: readText(ctx, 0, 'scopePattern', 'Name Pattern') };
		case 'domain': {
			if (!directory.userTypes?.includes('ExternalUser')) {
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

function readLimit(ctx: IExecuteFunctions): SafetyLimit & { approvedPlanId: string } {
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
	const scope = await readScope(this, directory);
	const { approvedPlanId, ...limit } = readLimit(this);
	const passwords = new Map<number, string>();
	const seen = new Map<string, DesiredUser>();
	const read = await readEachItem(this, itemCount, async (i): Promise<DesiredUser | undefined> => {
		const name = readText(this, i, 'userName', 'User Name');
		const type = directory.userTypes ? readChoice(this, i, 'userType', 'Type', directory.userTypes, directory.userTypes[0]) : undefined;
		const problem = directory.nameProblem(name, type);
		if (problem) throw inputError(this, i, 'User Name', problem);
		const roles = await readRoles(this, directory, i);
		const scoped = outOfScope(scope, { name, roles });
		if (scoped) {
			throw inputError(this, i, scoped.field === 'name' ? 'User Name' : 'Role Names or IDs', scoped.problem, 'Remove the item from the input, or widen the scope.');
		}
		let hasPassword = false;
		let identityProviderEntityId: string | undefined;
		if (type !== undefined && directory.externalIdTypes?.includes(type)) {
			identityProviderEntityId = readText(this, i, 'identityProviderEntityId', 'Entra Object ID');
			if (!UUID.test(identityProviderEntityId)) throw inputError(this, i, 'Entra Object ID', `"${identityProviderEntityId}" is not an object ID (a UUID)`);
		} else if (directory.passwordProblem) {
			const password = readSecret(this, i, 'password', 'Password', false);
			if (password !== '') {
				const weakness = directory.passwordProblem(password);
				if (weakness) throw inputError(this, i, 'Password', weakness);
				passwords.set(i, password);
				hasPassword = true;
			}
		}
		const description = directory.updateDescription ? readText(this, i, 'description', 'Description', { required: false }) : undefined;
		const desired: DesiredUser = { item: i, name, roles, type, description: description || undefined, hasPassword, identityProviderEntityId };
		const earlier = seen.get(name.toLowerCase());
		if (earlier) {
			// The same person twice (an HR export with a duplicate row) is fine when the rows agree.
			const key = (d: DesiredUser) => roleNames(d.roles).map((r) => r.toLowerCase()).sort().join('\n');
			if (key(earlier) !== key(desired)) {
				throw inputError(this, i, 'User Name', `"${name}" is also item ${earlier.item}, with other roles (${roleNames(earlier.roles).join(', ')})`, 'Give each person once, with all their roles.');
			}
			return undefined;
		}
		seen.set(name.toLowerCase(), desired);
		return desired;
	});
	return { mode, scope, limit, approvedPlanId, desired: read.filter((d): d is DesiredUser => d !== undefined), passwords };
}

/** One output item per step: what the plan says, and with Apply what happened. */
function stepOutput(step: SyncStep, plan: SyncPlan, mode: Mode): IDataObject {
	const before = roleNames(step.rolesBefore);
	const after = roleNames(step.rolesAfter);
	const out: IDataObject = {
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
	if (mode === 'plan' && step.revokes && plan.limitExceeded) out.warning = `Apply would refuse this plan: ${plan.limitExceeded}.`;
	return out;
}

export async function execute(this: IExecuteFunctions, params: SyncParams, directory: UserDirectory, itemCount: number): Promise<INodeExecutionData[]> {
	const [server, isOwnAccount] = await Promise.all([directory.listUsers(), credentialAccountMatcher(this, directory)]);
	const isProtected = (user: VeeamUser) =>
		directory.builtInAccount(user) ?? (isOwnAccount(user) ? `${user.name} is the account this node's credential logs in with` : undefined);
	const plan = planSync(server, params.desired, params.scope, isProtected, params.limit);

	// A user the sync must create needs what creating takes: found now, before any change.
	if (directory.passwordProblem) {
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

	const outputs = plan.steps.map((step) => stepOutput(step, plan, params.mode));
	// Nobody left to administer the server: refused (Apply) or said (Plan), before anything is sent.
	const losing = lastAdministratorLoss(
		directory,
		server,
		(user) => {
			const step = plan.steps.find((s) => s.user?.ref === user.ref);
			return step?.action === 'remove' ? undefined : step?.action === 'changeRoles' ? step.rolesAfter : user.roles;
		},
		plan.steps.filter((s) => s.action === 'create' || s.action === 'changeRoles').map((s) => s.rolesAfter),
	);
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
				`the plan is now ${plan.id}, not the approved ${params.approvedPlanId}: the server's users or the list changed since it was approved. Nothing was changed.`,
				'Run the sync in Plan mode again and have the new plan approved.',
			);
		}
		if (plan.limitExceeded) {
			throw new NodeOperationError(this.getNode(), `Sync refused: ${plan.limitExceeded}. Nothing was changed.`, {
				description:
					'A safety net against a broken or truncated HR export. Check the plan (Mode: Plan); if it is right, raise Max Removals and Max Removals (%) under Options.',
			});
		}
		await applySteps(this, directory, params.passwords, plan, outputs);
	}
	const everyItem = Array.from({ length: itemCount }, (_, item) => ({ item }));
	return plan.steps.map((step, index) => ({
		json: outputs[index],
		// A user the list does not name comes from the input as a whole.
		pairedItem: step.item !== undefined ? { item: step.item } : everyItem,
	}));
}
