/**
 * User → Sync on Veeam Backup & Replication, through n8n's engine over HTTPS against the simulator:
 * Plan changes nothing, Apply makes the scope match the list (grants first, removals last), every
 * scope rule, the protected accounts, the safety limit, the approved plan id, bad items, a failing
 * step, idempotency, and a randomized run (random servers and HR lists) checked on the server.
 */
import type { IDataObject } from 'n8n-workflow';

import { VBR_DEFAULT_PASSWORD, type SimServer } from '../../../../../sim';
import { simClient } from '../../../../support/simClient';
import { errorText, mutations, routeCount, USERS, VeeamFixture, useSimulator } from '../../fixtures';

const INITIAL = [
	{ name: 'BUILTIN\\Administrators', type: 'InternalGroup' as const, roles: ['Backup Administrator'] },
	{ name: 'VBR01\\svc-n8n', type: 'InternalUser' as const, roles: ['Backup Administrator'], isServiceAccount: true },
	{ name: 'VBR01\\admin', type: 'InternalUser' as const, roles: ['Backup Administrator'] },
	{ name: 'TECH\\ann', type: 'InternalUser' as const, roles: ['Restore Operator'] },
	{ name: 'TECH\\bob', type: 'InternalUser' as const, roles: ['Backup Viewer', 'Tape Operator'] },
	{ name: 'TECH\\cat', type: 'InternalUser' as const, roles: ['Backup Operator'] },
	{ name: 'TECH\\Backup Operators', type: 'InternalGroup' as const, roles: ['Backup Operator'] },
	{ name: 'SALES\\dan', type: 'InternalUser' as const, roles: ['Restore Operator'] },
];

let sim: SimServer;
let h: VeeamFixture;

useSimulator({ product: 'vbr', vbr: { initialUsers: INITIAL } }, (server, fixture) => {
	sim = server;
	h = fixture;
});

/** The server's users as `name: roles` (sorted), for before/after comparisons. */
function serverState(): Record<string, string> {
	const users = sim.product.snapshot().users as Array<{ name: string; roles: Array<{ name: string }> }>;
	return Object.fromEntries(users.map((u) => [u.name, u.roles.map((r) => r.name).sort().join(', ')]));
}

const HR = [
	{ account: 'TECH\\ann', roles: ['Restore Operator'] },
	{ account: 'TECH\\bob', roles: ['Backup Administrator'] },
	{ account: 'TECH\\eve', roles: ['Backup Viewer'] },
];

const sync = (params: IDataObject = {}) => ({
	resource: 'user',
	operation: 'sync',
	userName: '={{ $json.account }}',
	roles: '={{ $json.roles }}',
	scope: 'domain',
	scopeDomain: 'TECH',
	...params,
});

const brief = (json: IDataObject[]) => json.map((j) => `${j.action} ${j.name}${j.result ? ` → ${j.result}` : ''}`);

describe('User → Sync: Plan', () => {
	it('outputs one item per user with before/after and reason, paired with its input item, and changes nothing', async () => {
		const before = serverState();
		const run = await h.run(sync(), HR);
		expect(run.error).toBeUndefined();
		expect(brief(run.json)).toEqual([
			'create TECH\\eve',
			'changeRoles TECH\\bob',
			'remove TECH\\Backup Operators',
			'remove TECH\\cat',
			'unchanged TECH\\ann',
		]);
		expect(run.json[1]).toMatchObject({
			type: 'InternalUser',
			rolesBefore: ['Backup Viewer', 'Tape Operator'],
			rolesAfter: ['Backup Administrator'],
			rolesAdded: ['Backup Administrator'],
			rolesRemoved: ['Backup Viewer', 'Tape Operator'],
			mode: 'plan',
		});
		expect(run.json[3]).toMatchObject({ action: 'remove', directoryAccountRemains: true, directoryAccount: 'TECH\\cat', reason: 'in the scope, not on the list' });
		expect(new Set(run.json.map((j) => j.planId)).size).toBe(1);
		expect(run.items.map((i) => i.pairedItem)).toEqual([{ item: 2 }, { item: 1 }, [{ item: 0 }, { item: 1 }, { item: 2 }], [{ item: 0 }, { item: 1 }, { item: 2 }], { item: 0 }]);
		expect(serverState()).toEqual(before);
		expect(mutations(sim)).toEqual([]);
		// One listing of the users, one of the roles: the plan does not look users up one by one.
		expect(routeCount(sim, `GET ${USERS}`)).toBe(1);
	});
});

describe('User → Sync: Apply', () => {
	it('makes the scope match the list, grants before removals, and a second apply does nothing', async () => {
		const run = await h.run(sync({ syncMode: 'apply' }), HR);
		expect(run.error).toBeUndefined();
		expect(brief(run.json)).toEqual([
			'create TECH\\eve → created',
			'changeRoles TECH\\bob → rolesChanged',
			'remove TECH\\Backup Operators → removed',
			'remove TECH\\cat → removed',
			'unchanged TECH\\ann → nothingToDo',
		]);
		expect(run.json[0].user).toMatchObject({ name: 'TECH\\eve', type: 'InternalUser', roles: [{ name: 'Backup Viewer' }] });
		expect(mutations(sim).map(([action]) => action)).toEqual(['user.create', 'user.roles', 'user.delete', 'user.delete']);
		const after = serverState();
		expect(Object.keys(after).filter((n) => n.startsWith('TECH\\')).sort()).toEqual(['TECH\\ann', 'TECH\\bob', 'TECH\\eve']);
		expect(after['TECH\\bob']).toBe('Backup Administrator');
		expect(after['SALES\\dan']).toBe('Restore Operator'); // outside the scope

		sim.log.clear();
		const again = await h.run(sync({ syncMode: 'apply' }), HR);
		expect(brief(again.json)).toEqual(['unchanged TECH\\ann → nothingToDo', 'unchanged TECH\\bob → nothingToDo', 'unchanged TECH\\eve → nothingToDo']);
		expect(mutations(sim)).toEqual([]);
	});

	it('reads its changes back with the user list when that is cheaper than a look-up per user (40 hires: 1 list page, not 40 GETs)', async () => {
		const hires = Array.from({ length: 40 }, (_, n) => ({ account: `TECH\\hire${String(n).padStart(2, '0')}`, roles: ['Restore Operator'] }));
		const run = await h.run(sync({ syncMode: 'apply', scope: 'namePattern', scopePattern: 'TECH\\hire*' }), hires);
		expect(run.error).toBeUndefined();
		expect(run.json.filter((j) => j.result === 'created')).toHaveLength(40);
		// The sync's own listing, then the read-back: the list again (one page each), no per-user GET.
		expect(routeCount(sim, `GET ${USERS}/:id`)).toBe(0);
		expect(routeCount(sim, `GET ${USERS}`)).toBe(2);
	});

	it('never removes or demotes the built-in administrators group or the credential\'s own account', async () => {
		const run = await h.run(sync({ syncMode: 'apply', scope: 'all' }), [{ account: 'VBR01\\svc-n8n', roles: ['Backup Viewer'] }, ...HR]);
		// Scope "all": 4 of the 6 unprotected users would go, past the default 50 %.
		expect(errorText(run)).toMatch(/^Sync refused: the plan takes access from 4 of 6 managed users \(67 %\)/);
		expect(mutations(sim)).toEqual([]);

		const raised = await h.run(
			sync({ syncMode: 'apply', scope: 'all', syncOptions: { maxRemovalPercent: 100 } }),
			[{ account: 'VBR01\\svc-n8n', roles: ['Backup Viewer'] }, ...HR],
		);
		expect(raised.error).toBeUndefined();
		const byName = Object.fromEntries(raised.json.map((j) => [j.name, j]));
		expect(byName['BUILTIN\\Administrators']).toMatchObject({ action: 'protected', result: 'nothingToDo' });
		expect(String(byName['BUILTIN\\Administrators'].reason)).toMatch(/^BUILTIN\\Administrators is a built-in group of the backup server: never removed/);
		expect(byName['VBR01\\svc-n8n']).toMatchObject({ action: 'protected', rolesAfter: ['Backup Administrator'] });
		expect(String(byName['VBR01\\svc-n8n'].reason)).toMatch(/the account this node's credential logs in with: never demoted/);
		const after = serverState();
		expect(after['BUILTIN\\Administrators']).toBe('Backup Administrator');
		expect(after['VBR01\\svc-n8n']).toBe('Backup Administrator');
		expect(after['VBR01\\admin']).toBeUndefined();
		expect(after['SALES\\dan']).toBeUndefined();
	});

	it('with a role scope, takes away only the managed roles and keeps users who hold others', async () => {
		const run = await h.run(
			sync({ syncMode: 'apply', scope: 'roles', scopeRoles: ['Tape Operator', 'Restore Operator'], syncOptions: { maxRemovalPercent: 100 } }),
			[{ account: 'TECH\\cat', roles: ['Tape Operator'] }],
		);
		expect(run.error).toBeUndefined();
		expect(brief(run.json)).toEqual(['changeRoles TECH\\bob → rolesChanged', 'changeRoles TECH\\cat → rolesChanged', 'remove SALES\\dan → removed', 'remove TECH\\ann → removed']);
		const after = serverState();
		expect(after['TECH\\bob']).toBe('Backup Viewer');
		expect(after['TECH\\cat']).toBe('Backup Operator, Tape Operator');
		expect(after['VBR01\\admin']).toBe('Backup Administrator');
	});

	it('with a name pattern or "all except", leaves every other user alone', async () => {
		const pattern = await h.run(sync({ syncMode: 'apply', scope: 'namePattern', scopePattern: 'tech\\c*' }), [{ account: 'TECH\\cat', roles: ['Backup Viewer'] }]);
		expect(brief(pattern.json)).toEqual(['changeRoles TECH\\cat → rolesChanged']);
		sim.reset();
		const except = await h.run(
			sync({ syncMode: 'plan', scope: 'allExcept', scopeExcept: 'VBR01\\*, SALES\\dan\nTECH\\Backup Operators, BUILTIN\\*' }),
			HR,
		);
		expect(brief(except.json)).toEqual(['create TECH\\eve', 'changeRoles TECH\\bob', 'remove TECH\\cat', 'unchanged TECH\\ann']);
	});

	it('applies only the approved plan: a changed server makes the plan id differ and nothing is done', async () => {
		const plan = await h.run(sync(), HR);
		const planId = String(plan.json[0].planId);
		// Someone adds a user in the Veeam console between approval and apply.
		const console = await adminClient();
		const res = await console.post(USERS, { name: 'TECH\\zed', type: 'InternalUser', roles: [{ id: await roleId('Backup Viewer'), name: 'Backup Viewer' }], isServiceAccount: false });
		expect(res.status).toBe(201);
		sim.log.clear();
		const refused = await h.run(sync({ syncMode: 'apply', syncOptions: { approvedPlanId: planId, maxRemovalPercent: 100 } }), HR);
		expect(refused.error?.name).toBe('NodeOperationError');
		expect(errorText(refused)).toMatch(/^Approved Plan ID \(item 0\): the plan is now [0-9a-f]{64}, not the approved [0-9a-f]{64}: .* Nothing was changed\./);
		expect(mutations(sim)).toEqual([]);

		const current = await h.run(sync(), HR);
		const applied = await h.run(sync({ syncMode: 'apply', syncOptions: { approvedPlanId: current.json[0].planId, maxRemovalPercent: 100 } }), HR);
		expect(applied.error).toBeUndefined();
		expect(applied.json.map((j) => j.planId)).toEqual(current.json.map((j) => j.planId));
		expect(serverState()['TECH\\zed']).toBeUndefined();
	});

	it('a failing step stops the run with what was done; with continue-on-fail it is reported and the rest goes on', async () => {
		sim.addFault({ kind: 'status', status: 500, method: 'DELETE', count: 1 });
		// One step at a time: nothing after the failing step starts.
		const run = await h.run(sync({ syncMode: 'apply', syncOptions: { concurrency: 1 } }), HR);
		expect(run.error?.name).toBe('NodeOperationError');
		expect(errorText(run)).toMatch(
			/^Sync stopped at step 3 of 5 \(remove "TECH\\Backup Operators"\): .*Steps done: 1 create, 1 changeRoles; not started: 2\. Run the sync again to finish/s,
		);
		expect(mutations(sim).map(([a]) => a)).toEqual(['user.create', 'user.roles']);

		// In parallel (the default): the steps already under way finish, and the error says so.
		sim.reset();
		sim.addFault({ kind: 'status', status: 500, method: 'DELETE', count: 1, after: 0 });
		const parallel = await h.run(sync({ syncMode: 'apply', syncOptions: { concurrency: 4 } }), HR);
		// (Steps 3 and 4 are both removals, sent together: the fault meets whichever arrives first.)
		expect(errorText(parallel)).toMatch(/^Sync stopped at step [34] of 5 \(remove "TECH\\(Backup Operators|cat)"\): .*Steps done: 1 create, 1 changeRoles, 1 remove; not started: [01]\./s);
		expect(mutations(sim).map(([a]) => a).sort()).toEqual(expect.arrayContaining(['user.create', 'user.roles']));

		sim.reset();
		sim.addFault({ kind: 'status', status: 500, method: 'DELETE', count: 1 });
		const tolerant = await h.run(sync({ syncMode: 'apply' }), HR, { continueOnFail: true });
		expect(tolerant.error).toBeUndefined();
		expect(brief(tolerant.json)).toEqual([
			'create TECH\\eve → created',
			'changeRoles TECH\\bob → rolesChanged',
			'remove TECH\\Backup Operators → failed',
			'remove TECH\\cat → removed',
			'unchanged TECH\\ann → nothingToDo',
		]);
		expect(String(tolerant.json[2].error)).not.toBe('');
		// Running it again finishes the job.
		const rerun = await h.run(sync({ syncMode: 'apply' }), HR);
		expect(brief(rerun.json).filter((s) => !s.startsWith('unchanged'))).toEqual(['remove TECH\\Backup Operators → removed']);
	});
});

describe('User → Sync: the safety limit', () => {
	it('refuses an Apply that would remove more than allowed, changing nothing; Plan shows it; raising the limit lets it through', async () => {
		const broken = [{ account: 'TECH\\ann', roles: ['Restore Operator'] }]; // a truncated export
		const plan = await h.run(sync({ syncOptions: { maxRemovals: 2 } }), broken);
		expect(plan.error).toBeUndefined();
		const removals = plan.json.filter((j) => j.action === 'remove');
		expect(removals).toHaveLength(3);
		expect(removals.every((j) => String(j.warning).startsWith('Apply would refuse this plan: the plan takes access from 3 of 4 managed users (75 %)'))).toBe(true);
		expect(plan.json.find((j) => j.action === 'unchanged')).not.toHaveProperty('warning');

		const refused = await h.run(sync({ syncMode: 'apply', syncOptions: { maxRemovals: 2 } }), broken);
		expect(refused.error?.name).toBe('NodeOperationError');
		expect(refused.error?.message).toBe(
			'Sync refused: the plan takes access from 3 of 4 managed users (75 %), more than the safety limit allows (at most 2 users and 50 %). Nothing was changed.',
		);
		expect(mutations(sim)).toEqual([]);

		const raised = await h.run(sync({ syncMode: 'apply', syncOptions: { maxRemovals: 3, maxRemovalPercent: 75 } }), broken);
		expect(raised.error).toBeUndefined();
		expect(mutations(sim).filter(([a]) => a === 'user.delete')).toHaveLength(3);
	});
});

describe('User → Sync: bad items', () => {
	it.each([
		[[{ account: 'SALES\\zoe', roles: ['Backup Viewer'] }], 'User Name (item 0): "SALES\\zoe" is not in the scope\'s domain TECH'],
		[[{ account: 'TECH\\ann', roles: [] }], 'Role Names or IDs (item 0): no role given: a Veeam user needs at least one role'],
		[[{ account: 'TECH\\a\\b', roles: ['Backup Viewer'] }], 'User Name (item 0): "TECH\\a\\b" is not a Windows account name: write it as name, DOMAIN\\name or name@domain'],
		[
			[
				{ account: 'TECH\\ann', roles: ['Restore Operator'] },
				{ account: 'tech\\ANN', roles: ['Backup Viewer'] },
			],
			'User Name (item 1): "tech\\ANN" is also item 0, with other roles (Restore Operator)',
		],
		[[{ account: 'TECH\\ann', roles: ['Chief Backup Wizard'] }], 'Role Names or IDs (item 0): unknown role "Chief Backup Wizard"'],
	])('%j fails the whole sync, naming the field and the item, before anything changes', async (input, message) => {
		const run = await h.run(sync({ syncMode: 'apply' }), input);
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe(message);
		expect(mutations(sim)).toEqual([]);
	});

	it('accepts the same person twice when the rows agree', async () => {
		const run = await h.run(sync(), [...HR, { account: 'tech\\eve', roles: ['Backup Viewer'] }]);
		expect(run.error).toBeUndefined();
		expect(run.json.filter((j) => String(j.name).toLowerCase() === 'tech\\eve')).toHaveLength(1);
	});

	it('with continue-on-fail, each bad item is an error item and nothing else runs (a partial list would remove people)', async () => {
		const input = [HR[0], { account: 'SALES\\zoe', roles: ['Backup Viewer'] }, HR[1], { account: 'TECH\\x', roles: ['Nope'] }];
		const run = await h.run(sync({ syncMode: 'apply' }), input, { continueOnFail: true });
		expect(run.error).toBeUndefined();
		expect(run.json.map((j) => j.error)).toEqual([
			'User Name (item 1): "SALES\\zoe" is not in the scope\'s domain TECH',
			'Role Names or IDs (item 3): unknown role "Nope"',
		]);
		expect(run.items.map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 3 }]);
		expect(mutations(sim)).toEqual([]);
	});

	it('without continue-on-fail, the first bad item is the error and its description names the others', async () => {
		const input = [{ account: 'SALES\\zoe', roles: ['Backup Viewer'] }, HR[1], { account: 'TECH\\x', roles: ['Nope'] }];
		const run = await h.run(sync(), input);
		expect(run.error?.message).toBe('User Name (item 0): "SALES\\zoe" is not in the scope\'s domain TECH');
		expect(errorText(run)).toContain('1 more item has problems: Role Names or IDs (item 2): unknown role "Nope"');
	});

	it.each([
		[{ scope: 'domain', scopeDomain: 'TECH\\x' }, 'Domain (item 0): "TECH\\x" is not a domain name: give only the part before the backslash, e.g. TECH'],
		[{ scope: 'namePattern', scopePattern: '={{ "  " }}' }, 'Name Pattern (item 0): is empty'],
		[{ scope: 'allExcept', scopeExcept: ' , ' }, 'Except These Users (item 0): is empty'],
		[{ syncOptions: { maxRemovals: -1 } }, 'Max Removals (item 0): must be a number from 0 to 9007199254740991, but the value is -1'],
		[{ syncOptions: { maxRemovalPercent: 120 } }, 'Max Removals (%) (item 0): must be a number from 0 to 100, but the value is 120'],
	])('refuses a bad scope or limit %j before any request that changes anything', async (params, message) => {
		const run = await h.run(sync({ syncMode: 'apply', ...params }), HR);
		expect(run.error?.name).toBe('NodeOperationError');
		expect(run.error?.message).toBe(message);
		expect(mutations(sim)).toEqual([]);
	});
});

/** A client acting in the "Veeam console": the admin's own token, straight at the API. */
async function adminClient() {
	const anonymous = simClient(sim, { apiVersion: '1.3-rev2' });
	const login = await anonymous.post(
		'/api/oauth2/token',
		new URLSearchParams({ grant_type: 'password', username: 'VBR01\\admin', password: VBR_DEFAULT_PASSWORD }).toString(),
		{ headers: { 'content-type': 'application/x-www-form-urlencoded' } },
	);
	return simClient(sim, { apiVersion: '1.3-rev2', token: (login.data as { access_token: string }).access_token });
}

async function roleId(name: string): Promise<string> {
	const roles = (await (await adminClient()).get('/api/v1/security/roles')).data as { data: Array<{ id: string; name: string }> };
	return roles.data.find((r) => r.name === name)!.id;
}

describe('User → Sync, randomized against the simulator', () => {
	const DOMAINS = ['TECH', 'SALES'];
	const PEOPLE = ['gil', 'hana', 'ivo', 'jun', 'kai', 'lea'];
	const ROLES = ['Backup Viewer', 'Restore Operator', 'Backup Operator', 'Tape Operator'];

	it('after Apply the managed users equal the list, users outside the scope are unchanged, and a second Apply does nothing (30 rounds)', async () => {
		let seed = 7;
		const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
		const some = <T>(xs: T[], min: number) => {
			const chosen = xs.filter(() => rnd() < 0.4);
			return chosen.length >= min ? chosen : xs.slice(0, min);
		};
		for (let round = 0; round < 30; round++) {
			sim.reset();
			h.resetCredential();
			const console = await adminClient();
			const ids = Object.fromEntries(await Promise.all(ROLES.map(async (r) => [r, await roleId(r)])));
			const names = DOMAINS.flatMap((d) => PEOPLE.map((p) => `${d}\\${p}`));
			for (const name of some(names, 0)) {
				const res = await console.post(USERS, { name, type: 'InternalUser', roles: some(ROLES, 1).map((r) => ({ id: ids[r], name: r })), isServiceAccount: false });
				expect([name, res.status, res.data]).toEqual([name, 201, expect.anything()]);
			}
			const domain = DOMAINS[round % 2];
			const list = some(PEOPLE, 0).map((p) => ({ account: `${domain}\\${p}`, roles: some(ROLES, 1) }));
			if (list.length === 0) continue; // n8n does not run a node without items
			const before = serverState();
			sim.log.clear();
			const run = await h.run(sync({ syncMode: 'apply', scopeDomain: domain, syncOptions: { maxRemovalPercent: 100, maxRemovals: 100 } }), list);
			expect([round, run.error?.message]).toEqual([round, undefined]);
			const after = serverState();
			const inScope = (n: string) => n.toLowerCase().startsWith(`${domain.toLowerCase()}\\`);
			const managedAfter = Object.fromEntries(Object.entries(after).filter(([n]) => inScope(n)));
			expect([round, managedAfter]).toEqual([round, Object.fromEntries(list.map((l) => [l.account, [...l.roles].sort().join(', ')]))]);
			const outside = (state: Record<string, string>) => Object.fromEntries(Object.entries(state).filter(([n]) => !inScope(n)));
			expect([round, outside(after)]).toEqual([round, outside(before)]);
			sim.log.clear();
			const again = await h.run(sync({ syncMode: 'apply', scopeDomain: domain }), list);
			expect([round, again.json.filter((j) => j.action !== 'unchanged')]).toEqual([round, []]);
			expect([round, mutations(sim)]).toEqual([round, []]);
		}
	});
});
