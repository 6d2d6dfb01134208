/**
 * Restore Operator → Sync → Apply on VB365 (sync.apply.ts), against an in-memory role store in place
 * of the client: one add call and one removal call per role that changes, adds before removals, a
 * failure stops the rest (or, with Continue On Fail, fails only its operators), a change the
 * read-back does not show is never reported done.
 */
import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';

import type { Vb365Access, Vb365Operator, Vb365Organization, Vb365Principal, Vb365Role } from '../../../../client/vb365Model';
import { applyOperatorPlan } from '../../../../nodes/Veeam/actions/restoreOperator/sync.apply';
import { planOperators, wantedOperators, type OperatorsByRole } from '../../../../nodes/Veeam/actions/restoreOperator/sync.plan';

const ORG: Vb365Organization = { id: '11111111-1111-1111-1111-111111111111', name: 'contoso.onmicrosoft.com' };
const role = (n: number): Vb365Role => ({ id: `00000000-0000-0000-0000-00000000000${n}`, organizationId: ORG.id, name: `Role ${n}`, description: '' });
const [R1, R2, R3] = [role(1), role(2), role(3)];
const user = (name: string): Vb365Principal => ({ id: `id-${name}`, kind: 'user', name: `${name}@contoso.com`, displayName: name });
const [ann, bob, cid, eve] = ['ann', 'bob', 'cid', 'eve'].map(user);
const LIMIT = { maxRemovals: 100, maxRemovalPercent: 100 };

interface Call {
	kind: 'add' | 'remove' | 'read';
	roleId: string;
	count: number;
}

/**
 * Roles' operators in memory; `fail` makes a call to that role throw; `ignore` makes the server drop
 * it silently (the read-back lies not); `failAfter` makes it act, then throw (a lost answer, a failed
 * read-back); `readFails` makes the roles' reads fail.
 */
function store(initial: Record<string, Vb365Principal[]>, behaviour: { fail?: string[]; ignore?: string[]; failAfter?: string[]; readFails?: string[] } = {}) {
	let seq = 0;
	const roles = new Map<string, Vb365Operator[]>(Object.entries(initial).map(([id, ps]) => [id, ps.map((p) => ({ ...p, operatorId: `op-${++seq}` }))]));
	const calls: Call[] = [];
	const access = {
		async addOperators(roleId: string, principals: Vb365Principal[]) {
			calls.push({ kind: 'add', roleId, count: principals.length });
			if (behaviour.fail?.includes(roleId)) throw new Error('HTTP 500: server error');
			if (!behaviour.ignore?.includes(roleId)) roles.set(roleId, [...(roles.get(roleId) ?? []), ...principals.map((p) => ({ ...p, operatorId: `op-${++seq}` }))]);
			if (behaviour.failAfter?.includes(roleId)) throw new Error('HTTP 500: read-back failed');
			return roles.get(roleId) ?? [];
		},
		async operators(roleId: string) {
			calls.push({ kind: 'read', roleId, count: 0 });
			if (behaviour.readFails?.includes(roleId)) throw new Error('HTTP 503: unavailable');
			return roles.get(roleId) ?? [];
		},
		async removeOperators(roleId: string, ids: string[]) {
			calls.push({ kind: 'remove', roleId, count: ids.length });
			if (behaviour.fail?.includes(roleId)) throw new Error('HTTP 500: server error');
			if (!behaviour.ignore?.includes(roleId)) roles.set(roleId, (roles.get(roleId) ?? []).filter((o) => !ids.includes(o.operatorId)));
			if (behaviour.failAfter?.includes(roleId)) throw new Error('HTTP 500: read-back failed');
			return roles.get(roleId) ?? [];
		},
	} as unknown as Vb365Access;
	return { roles, calls, access };
}

function ctx(continueOnFail: boolean): IExecuteFunctions {
	return { continueOnFail: () => continueOnFail, getNode: () => ({ name: 'Veeam' }) as INode } as unknown as IExecuteFunctions;
}

function plan(roles: Map<string, Vb365Operator[]>, list: Array<[Vb365Principal, Vb365Role[]]>) {
	const operators: OperatorsByRole = new Map([R1, R2, R3].map((r) => [r.id, roles.get(r.id) ?? []]));
	const wanted = wantedOperators(
		list.map(([, rs], item) => ({ item, roles: rs })),
		new Map(list.map(([p], item) => [item, p])),
	);
	const op = planOperators(ORG, [R1, R2, R3], operators, wanted, LIMIT);
	const outputs: IDataObject[] = op.plan.steps.map((_, i) => ({ operator: op.principals[i].name }));
	return { op, outputs };
}

const resultOf = (outputs: IDataObject[], name: string) => outputs.find((o) => o.operator === `${name}@contoso.com`);

test('one add and one removal per role, adds first, all operators of a role in one call; results by operator', async () => {
	const s = store({ [R1.id]: [ann, bob], [R2.id]: [cid] });
	// ann: R1 → R1+R2; bob: removed; cid: R2 → R1; eve: new in R1 and R2.
	const { op, outputs } = plan(s.roles, [
		[ann, [R1, R2]],
		[cid, [R1]],
		[eve, [R1, R2]],
	]);
	await applyOperatorPlan(ctx(false), s.access, op, outputs, 4);
	expect(s.calls).toEqual([
		{ kind: 'add', roleId: R1.id, count: 2 },
		{ kind: 'add', roleId: R2.id, count: 2 },
		{ kind: 'remove', roleId: R1.id, count: 1 },
		{ kind: 'remove', roleId: R2.id, count: 1 },
	]);
	expect(resultOf(outputs, 'ann')?.result).toBe('rolesChanged');
	expect(resultOf(outputs, 'bob')?.result).toBe('removed');
	expect(resultOf(outputs, 'cid')?.result).toBe('rolesChanged');
	expect(resultOf(outputs, 'eve')?.result).toBe('added');
	expect((s.roles.get(R1.id) ?? []).map((o) => o.name).sort()).toEqual(['ann@contoso.com', 'cid@contoso.com', 'eve@contoso.com']);
	expect((s.roles.get(R2.id) ?? []).map((o) => o.name).sort()).toEqual(['ann@contoso.com', 'eve@contoso.com']);
});

test('nothing to change: no call', async () => {
	const s = store({ [R1.id]: [ann] });
	const { op, outputs } = plan(s.roles, [[ann, [R1]]]);
	await applyOperatorPlan(ctx(false), s.access, op, outputs, 4);
	expect(s.calls).toEqual([]);
	expect(resultOf(outputs, 'ann')?.result).toBe('nothingToDo');
});

test('a failed add stops the apply before any removal, and says what was done', async () => {
	const s = store({ [R1.id]: [ann, bob], [R2.id]: [] }, { fail: [R2.id] });
	const { op, outputs } = plan(s.roles, [[ann, [R1, R2]]]);
	await expect(applyOperatorPlan(ctx(false), s.access, op, outputs, 1)).rejects.toThrow(/Sync stopped at operator ann@contoso.com: adding to Role 2: HTTP 500: server error$/);
	// The add, then one read of the role to judge the failure (not done: failed clearly).
	expect(s.calls.map((c) => c.kind)).toEqual(['add', 'read']);
	expect(resultOf(outputs, 'ann')?.result).toBe('failed');
	expect(resultOf(outputs, 'bob')?.result).toBe('notStarted');
	expect((s.roles.get(R1.id) ?? []).map((o) => o.name)).toContain('bob@contoso.com');
});

test('with Continue On Fail a failed role fails only its operators; the rest is done', async () => {
	const s = store({ [R1.id]: [ann, bob], [R2.id]: [cid] }, { fail: [R2.id] });
	const { op, outputs } = plan(s.roles, [
		[ann, [R1]],
		[eve, [R1, R2]],
	]);
	await applyOperatorPlan(ctx(true), s.access, op, outputs, 4);
	expect(resultOf(outputs, 'bob')?.result).toBe('removed');
	expect(resultOf(outputs, 'eve')?.result).toBe('failed');
	expect(String(resultOf(outputs, 'eve')?.error)).toMatch(/adding to Role 2/);
	expect(resultOf(outputs, 'cid')?.result).toBe('failed');
	expect(resultOf(outputs, 'ann')?.result).toBe('nothingToDo');
});

test('a change the read-back does not show is failed, never reported done', async () => {
	const s = store({ [R1.id]: [ann, bob] }, { ignore: [R1.id] });
	const { op, outputs } = plan(s.roles, [
		[ann, [R1]],
		[eve, [R1]],
	]);
	await expect(applyOperatorPlan(ctx(false), s.access, op, outputs, 4)).rejects.toThrow(/does not show the change in Role 1/);
	expect(resultOf(outputs, 'eve')?.result).toBe('failed');
	expect(resultOf(outputs, 'bob')?.result).toBe('failed');
});

test('a call that fails after the server acted (lost answer, failed read-back) is judged by a read: shown done is done', async () => {
	const s = store({ [R1.id]: [ann, bob], [R2.id]: [] }, { failAfter: [R2.id, R1.id] });
	const { op, outputs } = plan(s.roles, [
		[ann, [R1, R2]],
		[eve, [R2]],
	]);
	await applyOperatorPlan(ctx(false), s.access, op, outputs, 4);
	expect(resultOf(outputs, 'ann')?.result).toBe('rolesChanged');
	expect(resultOf(outputs, 'eve')?.result).toBe('added');
	expect(resultOf(outputs, 'bob')?.result).toBe('removed');
	expect(s.calls.filter((c) => c.kind === 'read')).toHaveLength(2);
});

test('a failed call whose role cannot be read either: the output and the error say it may or may not have been carried out', async () => {
	const s = store({ [R1.id]: [ann], [R2.id]: [] }, { failAfter: [R2.id], readFails: [R2.id] });
	const { op, outputs } = plan(s.roles, [[ann, [R1, R2]]]);
	const error = await applyOperatorPlan(ctx(false), s.access, op, outputs, 4).then(() => undefined, (e: unknown) => e as Error & { description?: string });
	expect(error?.message).toMatch(/adding to Role 2: HTTP 500: read-back failed: it may or may not have been carried out/);
	expect(error?.description).toMatch(/^Done before: nothing\. For ann@contoso.com it may or may not have been carried out/);
	expect(resultOf(outputs, 'ann')?.result).toBe('unclear');
	const cof = store({ [R1.id]: [ann], [R2.id]: [] }, { failAfter: [R2.id], readFails: [R2.id] });
	const again = plan(cof.roles, [[ann, [R1, R2]]]);
	await applyOperatorPlan(ctx(true), cof.access, again.op, again.outputs, 4);
	expect(resultOf(again.outputs, 'ann')).toMatchObject({ result: 'unclear', error: expect.stringMatching(/may or may not have been carried out/) });
});
