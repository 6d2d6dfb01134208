/**
 * The fields of Restore Operator → Sync (Veeam Backup for Microsoft 365): one organization, its
 * roles in scope, and per input item one operator with the roles they should hold. The reading is
 * in sync.read.ts, the plan and the run in sync.operation.ts, the apply in sync.apply.ts.
 */
import type { INodeProperties } from 'n8n-workflow';

import { updateDisplayOptions } from '../../helpers/updateDisplayOptions';
import { concurrencyField } from '../common.descriptions';
import { operatorField, operatorTypeField, organizationLocator, restoreRolesField } from './fields';

const properties: INodeProperties[] = [
	{
		displayName:
			'Each input item is one restore operator (a Microsoft 365 user or group of the organization) with the roles they should hold; the same operator may come in several items (their roles add up). Operators of the roles in scope who are not in the input are removed from those roles; other roles are never touched.',
		name: 'operatorSyncNotice',
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
				description: 'Output what would be done, one item per operator (add, changeRoles, remove, unchanged); change nothing',
			},
			{
				name: 'Apply',
				value: 'apply',
				description: 'Do it: operators added to roles first, then removed; one item per operator with its result',
			},
		],
		description: 'Whether to only show the changes or to make them',
	},
	{ ...organizationLocator, description: 'The backed-up Microsoft 365 organization whose restore operator roles this sync manages. Read from the first item.' },
	{
		displayName: 'Roles in Scope',
		name: 'operatorSyncScope',
		type: 'options',
		default: 'all',
		options: [
			{ name: 'All Roles of the Organization', value: 'all', description: 'Every restore operator role of the organization' },
			{ name: 'Some Roles', value: 'roles', description: 'Only these roles: their operators are added and removed, other roles are never touched' },
		],
		description: 'Which roles of the organization this sync manages',
	},
	{
		...restoreRolesField('The roles this sync manages: their operators are added and removed; other roles are never read nor changed'),
		displayName: 'Managed Role Names or IDs',
		name: 'operatorSyncScopeRoles',
		displayOptions: { show: { operatorSyncScope: ['roles'] } },
	},
	operatorField(
		"The operator of this item: a user's e-mail address / UPN, a group's name, a display name, or the ID of the user or group in the organization. An ID a role in scope already names costs no look-up; anything else is looked up in the organization (an e-mail on a role may be a deleted account's).",
	),
	operatorTypeField,
	restoreRolesField('The roles this operator should hold, each in scope (the same operator in several items holds the roles of all of them)'),
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
				placeholder: "e.g. {{ $('Sync (Plan)').first().json.planId }}",
				description:
					'Apply only: the planId of the plan someone approved. If the roles or the list changed since, the plan differs and nothing is done.',
			},
			{
				...concurrencyField,
				description:
					'How many roles are read or changed at the same time (1 to 16). When Veeam asks to slow down, all wait.',
			},
			{
				displayName: 'Max Removals',
				name: 'maxRemovals',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 10,
				description:
					'Apply refuses, changing nothing, a plan that removes more operators than this from all their roles in scope (a safety net against a broken list)',
			},
			{
				displayName: 'Max Removals (%)',
				name: 'maxRemovalPercent',
				type: 'number',
				typeOptions: { minValue: 0, maxValue: 100 },
				default: 50,
				description: 'Apply refuses, changing nothing, a plan that removes a larger share of the operators of the roles in scope than this',
			},
		],
	},
];

export const description = updateDisplayOptions({ show: { resource: ['restoreOperator'], operation: ['sync'] } }, properties);
