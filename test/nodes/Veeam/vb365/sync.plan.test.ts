/**
 * Restore Operator → Sync on VB365, the pure plan (nodes/Veeam/actions/restoreOperator/sync.plan.ts):
 * operators of the roles in scope against the list, through the common planSync (role scope, safety
 * limit, plan id), turned into one add batch and one removal batch per role that changes.
 */
import type { Vb365Operator, Vb365Organization, Vb365Principal, Vb365Role } from '../../../../client/vb365Model';
import { planOperators, presentOperators, wantedOperators, type OperatorsByRole } from '../../../../nodes/Veeam/actions/restoreOperator/sync.plan';

const ORG: Vb365Organization = { id: '11111111-1111-1111-1111-111111111111', name: 'contoso.onmicrosoft.com' };
const role = (n: number, roleType: Vb365Role['roleType'] = 'SpecificObjects'): Vb365Role => ({
	id: `00000000-0000-0000-0000-00000000000${n}`,
	organizationId: ORG.id,
	name: `Role ${n}`,
	description: '',
	roleType,
});
const R1 = role(1);
const R2 = role(2);
const R3 = role(3, 'EntireOrganization');
const user = (name: string): Vb365Principal => ({ id: `id-${name}`, kind: 'user', name: `${name}@contoso.com`, displayName: name });
const group = (name: string): Vb365Principal => ({ id: `gid-${name}`, kind: 'group', name, displayName: name });
const op = (p: Vb365Principal, roleN: number, n = 0): Vb365Operator => ({ ...p, operatorId: `op${roleN}-${n}-${p.id}` });
const LIMIT = { maxRemovals: 100, maxRemovalPercent: 100 };

const ann = user('ann');
const bob = user('bob');
const cid = user('cid');
const dan = user('dan');
const ops = group('ops');

/** The list: rows of {principal, roles}, item = index. */
function rows(list: Array<[Vb365Principal, Vb365Role[]]>) {
	const resolved = new Map(list.map(([p], item) => [item, p]));
	return wantedOperators(
		list.map(([, roles], item) => ({ item, roles })),
		resolved,
	);
}

const server = (): OperatorsByRole =>
	new Map([
		[R1.id, [op(ann, 1), op(bob, 1), op(ops, 1)]],
		[R2.id, [op(bob, 2), op(cid, 2)]],
		[R3.id, [op(dan, 3)]],
	]);

test('adds, removals, role changes and unchanged operators become one add and one removal batch per role', () => {
	const wanted = rows([
		[ann, [R1, R2]], // gains R2
		[bob, [R1]], // loses R2
		[ops, [R1]], // unchanged
		[dan, [R3]], // unchanged
		[user('eve'), [R1, R2]], // new
		// cid: not listed: removed from R2
	]);
	const plan = planOperators(ORG, [R1, R2, R3], server(), wanted, LIMIT);
	const byName = new Map(plan.plan.steps.map((s, i) => [plan.principals[i].name, { step: s, items: plan.items[i] }]));
	expect(byName.get('ann@contoso.com')?.step.action).toBe('changeRoles');
	expect(byName.get('bob@contoso.com')?.step.action).toBe('changeRoles');
	expect(byName.get('ops')?.step.action).toBe('unchanged');
	expect(byName.get('dan@contoso.com')?.step.action).toBe('unchanged');
	expect(byName.get('eve@contoso.com')?.step.action).toBe('create');
	expect(byName.get('cid@contoso.com')?.step.action).toBe('remove');
	expect(byName.get('cid@contoso.com')?.items).toEqual([]);
	expect(plan.plan.revocations).toBe(1);

	const changes = new Map(plan.changes.map((c) => [c.role.id, c]));
	expect(changes.has(R3.id)).toBe(false);
	expect(changes.get(R1.id)?.add.map((p) => p.name)).toEqual(['eve@contoso.com']);
	expect(changes.get(R1.id)?.remove).toEqual([]);
	expect(changes.get(R2.id)?.add.map((p) => p.name).sort()).toEqual(['ann@contoso.com', 'eve@contoso.com']);
	// Removal by the operator's own ID, never the user's.
	expect(changes.get(R2.id)?.remove.sort()).toEqual([`op2-0-${bob.id}`, `op2-0-${cid.id}`]);
});

test('the same operator in several rows holds the union of their roles; a role naming a principal twice loses both entries', () => {
	const wanted = rows([
		[ann, [R1]],
		[ann, [R2]],
	]);
	expect(wanted).toHaveLength(1);
	expect(wanted[0].items).toEqual([0, 1]);
	expect(wanted[0].roles.map((r) => r.id)).toEqual([R1.id, R2.id]);
	const twice: OperatorsByRole = new Map([
		[R1.id, [op(ann, 1), op(bob, 1, 0), op(bob, 1, 1)]],
		[R2.id, []],
	]);
	expect(presentOperators([R1, R2], twice).get(`user:${bob.id}`)?.operatorIds.get(R1.id)).toEqual([`op1-0-${bob.id}`, `op1-1-${bob.id}`]);
	const plan = planOperators(ORG, [R1, R2], twice, wanted, LIMIT);
	const r1 = plan.changes.find((c) => c.role.id === R1.id);
	expect(r1?.remove.sort()).toEqual([`op1-0-${bob.id}`, `op1-1-${bob.id}`]);
});

test('a user and a group with the same ID text are two operators: a group is never taken for a user', () => {
	const u: Vb365Principal = { id: 'same', kind: 'user', name: 'x@contoso.com', displayName: 'X' };
	const g: Vb365Principal = { id: 'same', kind: 'group', name: 'x', displayName: 'X' };
	const plan = planOperators(ORG, [R1], new Map([[R1.id, [op(g, 1)]]]), rows([[u, [R1]]]), LIMIT);
	expect(plan.plan.steps.map((s) => s.action).sort()).toEqual(['create', 'remove']);
});

test('roles out of scope are never read into the plan nor changed', () => {
	// Only R1 in scope: bob's and cid's R2 stays, whatever the list says of them.
	const plan = planOperators(ORG, [R1], server(), rows([[ann, [R1]]]), LIMIT);
	expect(plan.changes.map((c) => c.role.id)).toEqual([R1.id]);
	expect(plan.principals.find((p) => p.name === 'cid@contoso.com')).toBeUndefined();
	expect(plan.changes[0].remove.sort()).toEqual([`op1-0-${bob.id}`, `op1-0-${ops.id}`].sort());
});

test('the safety limit counts operators removed from every role in scope (the common rule)', () => {
	// 5 operators in scope (ann, bob, ops, cid, dan); the list keeps only ann: 4 removed (80 %).
	const wanted = rows([[ann, [R1]]]);
	expect(planOperators(ORG, [R1, R2, R3], server(), wanted, { maxRemovals: 10, maxRemovalPercent: 50 }).plan.limitExceeded).toMatch(/4 of 5/);
	expect(planOperators(ORG, [R1, R2, R3], server(), wanted, { maxRemovals: 3, maxRemovalPercent: 100 }).plan.limitExceeded).toBeDefined();
	expect(planOperators(ORG, [R1, R2, R3], server(), wanted, { maxRemovals: 4, maxRemovalPercent: 80 }).plan.limitExceeded).toBeUndefined();
	// Losing some roles but staying listed is no removal.
	const kept = rows([
		[ann, [R1]],
		[bob, [R1]],
		[ops, [R1]],
		[cid, [R1]],
		[dan, [R1]],
	]);
	const plan = planOperators(ORG, [R1, R2, R3], server(), kept, { maxRemovals: 0, maxRemovalPercent: 0 });
	expect(plan.plan.revocations).toBe(0);
	expect(plan.plan.limitExceeded).toBeUndefined();
});

test('the plan id covers every change and the organization, not the order of the list', () => {
	const a = planOperators(ORG, [R1, R2, R3], server(), rows([[ann, [R1]], [bob, [R1, R2]]]), LIMIT).plan.id;
	const b = planOperators(ORG, [R1, R2, R3], server(), rows([[bob, [R2, R1]], [ann, [R1]]]), LIMIT).plan.id;
	expect(b).toBe(a);
	expect(planOperators(ORG, [R1, R2, R3], server(), rows([[ann, [R1, R2]], [bob, [R1, R2]]]), LIMIT).plan.id).not.toBe(a);
	expect(planOperators({ ...ORG, id: '22222222-2222-2222-2222-222222222222' }, [R1, R2, R3], server(), rows([[ann, [R1]], [bob, [R1, R2]]]), LIMIT).plan.id).not.toBe(a);
	// A server change (another operator appears) changes the plan (it would be removed).
	const more = server();
	more.set(R1.id, [...(more.get(R1.id) ?? []), op(user('zed'), 1)]);
	expect(planOperators(ORG, [R1, R2, R3], more, rows([[ann, [R1]], [bob, [R1, R2]]]), LIMIT).plan.id).not.toBe(a);
});
