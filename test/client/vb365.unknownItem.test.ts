/**
 * An item of a type the REST schema lacks (audit G2: PowerShell's personal-sites and organization
 * role items) read by the adapter as `unknown` (client/adapters/vb365Read.ts), kept by the Veeam
 * Trigger's state (nodes/VeeamTrigger/vb365State.ts: kind 'unknown' appended to its kinds, so states
 * written before read the same) and compared like any other item.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { itemOf } from '../../client/adapters/vb365Read';
import type { Vb365Role } from '../../client/vb365Model';
import { configFingerprint } from '../../nodes/VeeamTrigger/state';
import { diffVb365, trackedRole } from '../../nodes/VeeamTrigger/vb365Events';
import { encodeVb365, openVb365, PART_OPERATORS, PART_SCOPE, VB365_STATE_KEY } from '../../nodes/VeeamTrigger/vb365State';

const NODE: INode = { id: 'n', name: 'Veeam', type: 't', typeVersion: 1, position: [0, 0], parameters: {} };
const CFG = configFingerprint(['vb365', 'https://vb365.example.com:4443', 'v8', '*']);
const ORG = 'ae19d952-59dc-49f4-b12f-7d6bf465f521';
const personal = itemOf(NODE, 'test', { id: 'c0ffee00-0000-4000-8000-000000000001personal', type: 'PersonalSites', personalSites: { title: 'All personal sites' } });
const user = itemOf(NODE, 'test', { id: 'a1', type: 'User', user: { id: 'u1', displayName: 'U 1', name: 'u1@abc.onmicrosoft.com', type: 'User' } });
const role = (excluded: Vb365Role['excluded']): Vb365Role => ({ id: '5b7b13ba-a04e-4e05-8eab-0084ae5410a0', organizationId: ORG, name: 'R', description: '', roleType: 'EntireOrganization', operators: [], excluded });

function keptAndOpened(roles: Vb365Role[]) {
	const stored = JSON.parse(JSON.stringify(encodeVb365(roles.map(trackedRole), CFG, PART_OPERATORS | PART_SCOPE, new Map()))) as IDataObject;
	const opened = openVb365({ [VB365_STATE_KEY]: stored }, CFG);
	if (!opened.ok) throw new Error(opened.reason);
	return opened.roles;
}

describe('an item of an unknown type', () => {
	it('is read as unknown, not refused', () => {
		expect(personal).toMatchObject({ kind: 'unknown', itemId: 'c0ffee00-0000-4000-8000-000000000001personal', sentType: 'PersonalSites', displayName: 'All personal sites' });
	});

	it('round-trips the trigger state; its removal is a scope change, its presence is none', () => {
		const kept = keptAndOpened([role([user, personal])]);
		expect([...kept.values()][0].excluded?.map((e) => e.kind).sort()).toEqual(['unknown', 'user']);
		const now = new Map([[role([user, personal]).id, role([user, personal])]]);
		expect(diffVb365(kept, now)).toEqual([]);
		const without = new Map([[role([user]).id, role([user])]]);
		const events = diffVb365(kept, without);
		expect(events.map((e) => [e.event, e.changes.map((c) => [c.field, c.removed?.map((r) => r.kind)])])).toEqual([['roleScopeChanged', [['excludedItems', ['unknown']]]]]);
	});
});
