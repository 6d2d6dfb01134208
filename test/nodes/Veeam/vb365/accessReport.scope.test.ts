/**
 * Restore Operator → Access Report on VB365, the pure part (accessReport.scope.ts): what each
 * operator may restore, and the flags: own data in scope (yes, no, cannot tell through a group),
 * whole organization, role without operator.
 */
import type { Vb365Item, Vb365Operator, Vb365Principal, Vb365Role } from '../../../../client/vb365Model';
import { buildReport, mayRestore, selfScope } from '../../../../nodes/Veeam/actions/restoreOperator/accessReport.scope';

const ORG = '11111111-1111-1111-1111-111111111111';
const ann: Vb365Principal = { id: 'id-ann', kind: 'user', name: 'ann@contoso.com', displayName: 'Ann' };
const bob: Vb365Principal = { id: 'id-bob', kind: 'user', name: 'bob@contoso.com', displayName: 'Bob' };
const ops: Vb365Principal = { id: 'gid-ops', kind: 'group', name: 'ops', displayName: 'Ops' };
const item = (p: Vb365Principal): Vb365Item => ({ itemId: `item-${p.id}`, kind: p.kind, id: p.id, name: p.name, displayName: p.displayName });
const site: Vb365Item = { itemId: 'item-site', kind: 'site', id: 'site-1', name: 'https://contoso.sharepoint.com/sites/hr', displayName: 'HR', url: 'https://contoso.sharepoint.com/sites/hr' };
const op = (p: Vb365Principal): Vb365Operator => ({ ...p, operatorId: `op-${p.id}` });
let n = 0;
const role = (roleType: Vb365Role['roleType'], parts: Partial<Vb365Role> = {}): Vb365Role => ({
	id: `role-${++n}`,
	organizationId: ORG,
	name: `Role ${n}`,
	description: '',
	roleType,
	operators: [],
	selected: [],
	excluded: [],
	...parts,
});

describe('selfScope', () => {
	test('entire organization: in scope, unless excluded directly; an excluded group makes it unknown', () => {
		expect(selfScope(ann, role('EntireOrganization'))).toBe('yes');
		expect(selfScope(ann, role('EntireOrganization', { excluded: [item(ann)] }))).toBe('no');
		expect(selfScope(ann, role('EntireOrganization', { excluded: [item(ops)] }))).toBe('cannotTell');
		expect(selfScope(ops, role('EntireOrganization'))).toBe('yes');
	});
	test('specific objects: selected directly (not excluded) is in scope; through a selected group it is unknown; else not', () => {
		expect(selfScope(ann, role('SpecificObjects', { selected: [item(ann)] }))).toBe('yes');
		expect(selfScope(ann, role('SpecificObjects', { selected: [item(ann)], excluded: [item(ann)] }))).toBe('no');
		expect(selfScope(ann, role('SpecificObjects', { selected: [item(bob), site] }))).toBe('no');
		expect(selfScope(ann, role('SpecificObjects', { selected: [item(ops)] }))).toBe('cannotTell');
		// A user whose ID equals a group's is not that group.
		expect(selfScope({ ...ann, id: ops.id }, role('SpecificObjects', { selected: [{ ...item(ops) }], excluded: [] }))).toBe('cannotTell');
		expect(selfScope(ann, role(undefined))).toBe('cannotTell');
	});
});

test('mayRestore: the entire organization less what every such role excludes, else the selected less the excluded', () => {
	const specific = role('SpecificObjects', { selected: [item(bob), site, item(ann)], excluded: [item(ann)] });
	expect(mayRestore([specific])).toEqual({
		entireOrganization: false,
		items: [
			{ type: 'user', id: bob.id, name: bob.name, displayName: 'Bob' },
			{ type: 'site', id: 'site-1', name: site.name, displayName: 'HR', url: site.url },
		],
		except: [],
	});
	const whole = mayRestore([role('EntireOrganization', { excluded: [item(bob), site] }), role('EntireOrganization', { excluded: [item(bob)] })]);
	expect(whole.entireOrganization).toBe(true);
	expect((whole.except as Array<{ id: string }>).map((i) => i.id)).toEqual([bob.id]);
	// Excluded from the entire organization but given by another role: not left out.
	const given = mayRestore([role('EntireOrganization', { excluded: [item(bob)] }), role('SpecificObjects', { selected: [item(bob)] })]);
	expect(given.except).toEqual([]);
});

test('buildReport: one row per operator with flags, one per role without operator, counts', () => {
	const r1 = role('EntireOrganization', { operators: [op(ann)] });
	const r2 = role('SpecificObjects', { operators: [op(ann), op(ops)], selected: [item(bob)] });
	const r3 = role('SpecificObjects', { operators: [op(bob)], selected: [item(ops)] });
	const empty = role('SpecificObjects', { selected: [site] });
	const report = buildReport({ organizations: new Map([[ORG, { id: ORG, name: 'contoso.onmicrosoft.com' }]]), roles: [r1, r2, r3, empty] }, false);
	const byName = new Map(report.rows.map((r) => [String(r.operator ?? r.role), r]));
	const annRow = byName.get('ann@contoso.com');
	expect(annRow?.flags).toEqual(['ownDataInScope', 'wholeOrganization']);
	expect(annRow?.ownDataInScope).toBe(true);
	expect((annRow?.roles as unknown[]).length).toBe(2);
	expect(annRow?.organization).toBe('contoso.onmicrosoft.com');
	expect(byName.get('ops')?.flags).toEqual([]);
	expect(byName.get('ops')?.ownDataInScope).toBe(false);
	expect(byName.get('bob@contoso.com')?.flags).toEqual(['ownDataMaybeInScope']);
	expect(byName.get('bob@contoso.com')?.ownDataInScope).toBeNull();
	expect(byName.get(empty.name)?.flags).toEqual(['roleWithoutOperator']);
	expect(report.counts).toEqual({ ownDataInScope: 1, ownDataMaybeInScope: 1, wholeOrganization: 1, roleWithoutOperator: 1 });
	expect({ operators: report.operators, users: report.users, groups: report.groups, flagged: report.flagged }).toEqual({ operators: 3, users: 2, groups: 1, flagged: 3 });
	// Nothing of the server's list entries beyond what the report means (no item or operator entry IDs).
	expect(JSON.stringify(report.rows)).not.toMatch(/item-|op-id/);
	const flagged = buildReport({ organizations: new Map(), roles: [r1, r2, r3, empty] }, true);
	expect(flagged.rows.map((r) => r.operator ?? r.role)).not.toContain('ops');
	expect(flagged.counts).toEqual(report.counts);
});
