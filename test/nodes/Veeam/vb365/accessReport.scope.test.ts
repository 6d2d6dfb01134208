/**
 * Restore Operator → Access Report on VB365, the pure part (accessReport.scope.ts): what each
 * operator may restore, and the flags: own data in scope (yes, no, cannot tell through a group),
 * whole organization, role without operator.
 */
import type { IDataObject } from 'n8n-workflow';

import type { Vb365Item, Vb365Operator, Vb365Principal, Vb365Role } from '../../../../client/vb365Model';
import { buildReport, groupsToRead, mayRestore, membershipOf, selfScope } from '../../../../nodes/Veeam/actions/restoreOperator/accessReport.scope';

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
		expect(selfScope(ann, role('EntireOrganization')).scope).toBe('yes');
		expect(selfScope(ann, role('EntireOrganization', { excluded: [item(ann)] })).scope).toBe('no');
		expect(selfScope(ann, role('EntireOrganization', { excluded: [item(ops)] })).scope).toBe('cannotTell');
		expect(selfScope(ops, role('EntireOrganization')).scope).toBe('yes');
	});
	test('specific objects: selected directly (not excluded) is in scope; through a selected group it is unknown; else not', () => {
		expect(selfScope(ann, role('SpecificObjects', { selected: [item(ann)] })).scope).toBe('yes');
		expect(selfScope(ann, role('SpecificObjects', { selected: [item(ann)], excluded: [item(ann)] })).scope).toBe('no');
		expect(selfScope(ann, role('SpecificObjects', { selected: [item(bob), site] })).scope).toBe('no');
		expect(selfScope(ann, role('SpecificObjects', { selected: [item(ops)] })).scope).toBe('cannotTell');
		// A user whose ID equals a group's is not that group.
		expect(selfScope({ ...ann, id: ops.id }, role('SpecificObjects', { selected: [{ ...item(ops) }], excluded: [] })).scope).toBe('cannotTell');
		expect(selfScope(ann, role(undefined)).scope).toBe('cannotTell');
	});
});

test('an item of a type the REST schema does not name (made in PowerShell) decides nothing for sure: cannot tell', () => {
	const odd = { kind: 'personalSites', id: 'odd-1', name: 'Personal sites', displayName: 'Personal sites' } as unknown as Vb365Item;
	expect(selfScope(ann, role('SpecificObjects', { selected: [odd] })).scope).toBe('cannotTell');
	expect(selfScope(ann, role('EntireOrganization', { excluded: [odd] })).scope).toBe('cannotTell');
	expect(selfScope(ann, role('SpecificObjects', { selected: [odd], excluded: [item(ann)] })).scope).toBe('no');
	expect(selfScope(ann, role('SpecificObjects', { selected: [item(ann)] })).scope).toBe('yes');
});

test("a selected personal site that is the operator's own OneDrive puts them in scope (review R-S2)", () => {
	const oneDrive = (upnPart: string, title: string, isPersonal: boolean | undefined = true): Vb365Item => ({
		kind: 'site',
		id: `site-${upnPart}`,
		name: `https://contoso-my.sharepoint.com/personal/${upnPart}`,
		displayName: title,
		url: `https://contoso-my.sharepoint.com/personal/${upnPart}`,
		isPersonal,
	});
	const annsDrive = oneDrive('ann_contoso_com', 'Ann');
	const own = selfScope(ann, role('SpecificObjects', { selected: [annsDrive] }));
	expect(own.scope).toBe('yes');
	expect(own.through.map((i) => i.id)).toEqual([annsDrive.id]);
	expect(selfScope(ann, role('SpecificObjects', { selected: [oneDrive('ann_contoso_com/', 'Ann', undefined)] })).scope).toBe('yes');
	// Another's OneDrive: no; one titled with their name under another UPN: cannot tell; excluded or not personal: no.
	expect(selfScope(ann, role('SpecificObjects', { selected: [oneDrive('bob_contoso_com', 'Bob')] })).scope).toBe('no');
	expect(selfScope(ann, role('SpecificObjects', { selected: [oneDrive('ann_upn_contoso_com', 'Ann')] })).scope).toBe('cannotTell');
	expect(selfScope(ann, role('SpecificObjects', { selected: [annsDrive], excluded: [annsDrive] })).scope).toBe('no');
	expect(selfScope(ann, role('SpecificObjects', { selected: [oneDrive('ann_contoso_com', 'Ann', false)] })).scope).toBe('no');
	// Excluded as a user, her OneDrive selected all the same: she can restore it.
	expect(selfScope(ann, role('SpecificObjects', { selected: [annsDrive], excluded: [item(ann)] })).scope).toBe('yes');
	// A group operator: a member's OneDrive may be selected.
	expect(selfScope(ops, role('SpecificObjects', { selected: [annsDrive] })).scope).toBe('cannotTell');
});

describe('selfScope with the group members read', () => {
	const members = new Map<string, Array<{ name: string; login: string; type?: string }>>([
		[ops.id, [{ name: 'Ann', login: 'ANN@contoso.com', type: 'User' }]],
		['gid-nested', [{ name: 'Bob', login: bob.name, type: 'User' }, { name: 'inner', login: 'inner@contoso.com', type: 'Group' }]],
		['gid-empty', []],
	]);
	const memberOf = membershipOf((_org, groupId) => members.get(groupId));
	const g = (id: string): Vb365Item => ({ kind: 'group', id, name: id, displayName: id });
	test('selected through a group they are in: in scope, naming the group; not in it (no nested groups): not', () => {
		const viaOps = selfScope(ann, role('SpecificObjects', { selected: [item(ops)] }), memberOf);
		expect(viaOps.scope).toBe('yes');
		expect(viaOps.through.map((i) => i.id)).toEqual([ops.id]);
		expect(selfScope(bob, role('SpecificObjects', { selected: [item(ops)] }), memberOf).scope).toBe('no');
		expect(selfScope(ann, role('SpecificObjects', { selected: [g('gid-empty')] }), memberOf).scope).toBe('no');
	});
	test('a nested group or an unread group: cannot tell; a direct member of a nested one: yes', () => {
		expect(selfScope(ann, role('SpecificObjects', { selected: [g('gid-nested')] }), memberOf).scope).toBe('cannotTell');
		expect(selfScope(bob, role('SpecificObjects', { selected: [g('gid-nested')] }), memberOf).scope).toBe('yes');
		expect(selfScope(ann, role('SpecificObjects', { selected: [g('gid-unread')] }), memberOf).scope).toBe('cannotTell');
	});
	test('a member of the same display name but another login (a UPN other than the e-mail): cannot tell, never "no"', () => {
		const upn = membershipOf(() => [{ name: 'Ann', login: 'ann.upn@contoso.onmicrosoft.com', type: 'User' }]);
		expect(selfScope(ann, role('SpecificObjects', { selected: [g('gid-any')] }), upn).scope).toBe('cannotTell');
		expect(selfScope(bob, role('SpecificObjects', { selected: [g('gid-any')] }), upn).scope).toBe('no');
	});
	test('excluded through a group they are in: out of scope, even of the entire organization', () => {
		expect(selfScope(ann, role('EntireOrganization', { excluded: [item(ops)] }), memberOf).scope).toBe('no');
		expect(selfScope(bob, role('EntireOrganization', { excluded: [item(ops)] }), memberOf).scope).toBe('yes');
		expect(selfScope(ann, role('EntireOrganization', { excluded: [g('gid-nested')] }), memberOf).scope).toBe('cannotTell');
	});
	test('a group operator is matched by its name among members of type Group; a user never by a Group member', () => {
		const inner: Vb365Principal = { id: 'gid-inner', kind: 'group', name: 'inner@contoso.com', displayName: 'inner' };
		expect(selfScope(inner, role('SpecificObjects', { selected: [g('gid-nested')] }), memberOf).scope).toBe('yes');
		const impostor: Vb365Principal = { id: 'id-x', kind: 'user', name: 'inner@contoso.com', displayName: 'X' };
		expect(selfScope(impostor, role('SpecificObjects', { selected: [g('gid-nested')] }), memberOf).scope).toBe('cannotTell');
	});
	test("a group operator's members are operators: a selected user who is a member, or a selected group sharing one, puts the group in scope", () => {
		const lists = new Map<string, Array<{ name: string; login: string; type?: string }>>([
			[ops.id, [{ name: 'Ann', login: ann.name, type: 'User' }]],
			['gid-sales', [{ name: 'Ann', login: ann.name, type: 'User' }, { name: 'Bob', login: bob.name, type: 'User' }]],
			['gid-hr', [{ name: 'Bob', login: bob.name, type: 'User' }]],
			['gid-deep', [{ name: 'Bob', login: bob.name, type: 'User' }, { name: 'x', login: 'x@contoso.com', type: 'Group' }]],
		]);
		const m = membershipOf((_org, groupId) => lists.get(groupId));
		const viaAnn = selfScope(ops, role('SpecificObjects', { selected: [item(ann)] }), m);
		expect(viaAnn.scope).toBe('yes');
		expect(viaAnn.members.map((i) => i.id)).toEqual([ann.id]);
		expect(selfScope(ops, role('SpecificObjects', { selected: [item(ann)], excluded: [item(ann)] }), m).scope).toBe('no');
		expect(selfScope(ops, role('SpecificObjects', { selected: [item(bob), site] }), m).scope).toBe('no');
		expect(selfScope(ops, role('SpecificObjects', { selected: [g('gid-sales')] }), m).scope).toBe('yes');
		expect(selfScope(ops, role('SpecificObjects', { selected: [g('gid-sales')], excluded: [item(ann)] }), m).scope).toBe('no');
		expect(selfScope(ops, role('SpecificObjects', { selected: [g('gid-hr')] }), m).scope).toBe('no');
		expect(selfScope(ops, role('SpecificObjects', { selected: [g('gid-deep')] }), m).scope).toBe('cannotTell');
		expect(selfScope(ops, role('SpecificObjects', { selected: [g('gid-unread')] }), m).scope).toBe('cannotTell');
		// Unread: the operator group's own members decide.
		expect(groupsToRead(ops, role('SpecificObjects', { selected: [item(ann)] })).map((i) => i.id)).toEqual([ops.id]);
		expect(groupsToRead(ops, role('SpecificObjects', { selected: [site] }))).toEqual([]);
	});
	test('groupsToRead: only where a group decides', () => {
		expect(groupsToRead(ann, role('EntireOrganization'))).toEqual([]);
		expect(groupsToRead(ann, role('SpecificObjects', { selected: [item(ann), item(ops)] }))).toEqual([]);
		expect(groupsToRead(ann, role('SpecificObjects', { selected: [item(ops), site] })).map((i) => i.id)).toEqual([ops.id]);
		expect(groupsToRead(ann, role('EntireOrganization', { excluded: [item(ops)] })).map((i) => i.id)).toEqual([ops.id]);
		// Selected directly: a selected group decides nothing, an excluded one does.
		const g2: Vb365Item = { kind: 'group', id: 'gid-2', name: 'g2', displayName: 'g2' };
		expect(groupsToRead(ann, role('SpecificObjects', { selected: [item(ann), item(ops)], excluded: [g2] })).map((i) => i.id)).toEqual(['gid-2']);
		expect(groupsToRead(ann, role('SpecificObjects', { selected: [item(ops)], excluded: [g2] })).map((i) => i.id)).toEqual([ops.id, 'gid-2']);
	});
});

test('mayRestore: the entire organization less what every such role excludes, else the selected less the excluded', () => {
	const specific = role('SpecificObjects', { selected: [item(bob), site, item(ann)], excluded: [item(ann)] });
	expect(mayRestore([specific])).toEqual({
		entireOrganization: false,
		items: [
			{ kind: 'user', id: bob.id, name: bob.name, displayName: 'Bob' },
			{ kind: 'site', id: 'site-1', name: site.name, displayName: 'HR', url: site.url },
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
	const cid: Vb365Principal = { id: 'id-cid', kind: 'user', name: 'cid@contoso.com', displayName: 'Cid' };
	const r4 = role('SpecificObjects', { operators: [op(cid)], selected: [site] });
	const report = buildReport({ organizations: new Map([[ORG, { id: ORG, name: 'contoso.onmicrosoft.com' }]]), roles: [r1, r2, r3, empty, r4] }, false);
	const nameOf = (r: IDataObject) => String((r.operator as IDataObject | undefined)?.name ?? r.name);
	const byName = new Map(report.rows.map((r) => [nameOf(r), r]));
	const annRow = byName.get('ann@contoso.com');
	expect(annRow?.flags).toEqual(['ownDataInScope', 'wholeOrganization']);
	expect(annRow?.ownDataInScope).toBe(true);
	expect((annRow?.roles as unknown[]).length).toBe(2);
	expect(annRow?.organization).toEqual({ id: ORG, name: 'contoso.onmicrosoft.com' });
	// The ops group operates Role 2 which selects bob: whether bob (or anyone selected) is in ops is not read.
	expect(byName.get('ops')?.flags).toEqual(['ownDataMaybeInScope']);
	expect(byName.get('ops')?.ownDataInScope).toBeNull();
	expect(byName.get('bob@contoso.com')?.flags).toEqual(['ownDataMaybeInScope']);
	expect(byName.get('bob@contoso.com')?.ownDataInScope).toBeNull();
	expect(byName.get(empty.name)?.flags).toEqual(['roleWithoutOperator']);
	expect(report.counts).toEqual({ ownDataInScope: 1, ownDataMaybeInScope: 2, wholeOrganization: 1, roleWithoutOperator: 1 });
	expect({ operators: report.operators, users: report.users, groups: report.groups, flagged: report.flagged }).toEqual({ operators: 4, users: 3, groups: 1, flagged: 4 });
	expect(byName.get(cid.name)?.flags).toEqual([]);
	// Nothing of the server's list entries beyond what the report means (no item or operator entry IDs).
	expect(JSON.stringify(report.rows)).not.toMatch(/item-|op-id/);
	// With bob's membership of ops read: definitely in scope, through ops.
	const read = buildReport({ organizations: new Map(), roles: [r1, r2, r3, empty], memberOf: membershipOf((_o, groupId) => (groupId === ops.id ? [{ name: 'Bob', login: bob.name, type: 'User' }] : undefined)) }, false);
	const bobRow = read.rows.find((r) => nameOf(r) === bob.name);
	expect(bobRow?.flags).toEqual(['ownDataInScope']);
	expect((bobRow?.roles as Array<{ inScopeThrough?: Array<{ id: string }> }>)[0].inScopeThrough?.map((i) => i.id)).toEqual([ops.id]);
	// Membership is VB365's (its cache), said where it decided; not where no group did.
	expect((bobRow?.roles as IDataObject[])[0].groupMembership).toMatch(/as Veeam Backup for Microsoft 365 last synchronized the organization/);
	expect((read.rows.find((r) => nameOf(r) === ann.name)?.roles as IDataObject[]).map((r) => r.groupMembership)).toEqual([undefined, undefined]);
	expect((bobRow?.roles as IDataObject[])[0].groupMembership).toBeDefined();
	expect(((report.rows.find((r) => nameOf(r) === bob.name)?.roles as IDataObject[])[0]).groupMembership).toBeUndefined();
	const flagged = buildReport({ organizations: new Map(), roles: [r1, r2, r3, empty, r4] }, true);
	expect(flagged.rows.map(nameOf).sort()).toEqual([ann.name, bob.name, 'ops', empty.name].sort());
	expect(flagged.counts).toEqual(report.counts);
});
