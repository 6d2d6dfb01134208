/**
 * The pure part of User → Sync on VSPC: one organization's users only, one role per user, profile
 * and MFA policy compared, owners protected, roles fitting the organization type, the plan id.
 */
import type { VeeamRole, VeeamUser } from '../../../../../client/adapters';
import { planSync, type DesiredUser, type SyncScope } from '../../../../../nodes/Veeam/actions/user/sync.plan';
import { vspcFieldChanges, vspcPlanOptions, vspcProtection, vspcRoleProblem } from '../../../../../nodes/Veeam/actions/user/sync.vspc';
import type { VspcOrganization } from '../../../../../client/vspcModel';

const role = (id: string): VeeamRole => ({ id, name: id.replace(/([a-z])([A-Z])/g, '$1 $2') });
const R = {
	owner: role('CompanyOwner'),
	admin: role('CompanyAdministrator'),
	locationUser: role('CompanyLocationUser'),
	locationAdmin: role('CompanyLocationAdministrator'),
	portalAdmin: role('PortalAdministrator'),
	resellerOwner: role('ResellerOwner'),
};
const ALPHA: VspcOrganization = { uid: 'A0000000-0000-4000-8000-000000000001', name: 'Alpha', type: 'Company', status: 'Active' };
const BETA: VspcOrganization = { uid: 'b0000000-0000-4000-8000-000000000002', name: 'Beta', type: 'Company', status: 'Active' };

let n = 0;
function user(name: string, r: VeeamRole, org: VspcOrganization, extra: Partial<VeeamUser> = {}): VeeamUser {
	n++;
	return {
		ref: `u-${n}`,
		name,
		type: org.type,
		roles: [r],
		isDirectoryAccount: false,
		isGroup: false,
		organization: { uid: org.uid, name: org.name, type: org.type },
		mfaPolicy: 'Disabled',
		mfaConfigured: false,
		profile: { email: `${name}@alpha.example`, firstName: 'F', lastName: 'L' },
		...extra,
	};
}
const want = (item: number, name: string, r: VeeamRole, vspc: DesiredUser['vspc'] = { profile: {} }): DesiredUser => ({ item, name, roles: [r], vspc, hasPassword: true });
const ALL: SyncScope = { kind: 'all' };
const NO_LIMIT = { maxRemovals: Number.MAX_SAFE_INTEGER, maxRemovalPercent: 100 };
const protectedOwners = (u: VeeamUser) => vspcProtection(u);
const summary = (steps: { action: string; name: string; changes?: string[] }[]) => steps.map((s) => `${s.action} ${s.name}${s.changes ? ` [${s.changes.join(', ')}]` : ''}`);

describe('Sync plan on VSPC', () => {
	const server = [
		user('owner', R.owner, ALPHA),
		user('ann', R.admin, ALPHA),
		user('bob', R.locationUser, ALPHA, { mfaPolicy: 'Enabled' }),
		user('cat', R.locationUser, ALPHA),
		// Another company's users: the server sent them (a filter it ignored); never part of the plan.
		user('dan', R.admin, BETA),
		user('eve', R.locationUser, BETA),
	];

	it('plans only the organization\'s users: others are neither removed nor counted, whatever the server sent', () => {
		const plan = planSync(server, [want(0, 'ann', R.admin)], ALL, protectedOwners, NO_LIMIT, vspcPlanOptions(ALPHA));
		expect(summary(plan.steps)).toEqual(['remove bob', 'remove cat', 'protected owner', 'unchanged ann']);
		expect(plan.managed).toBe(4);
		expect(plan.steps.some((s) => s.user?.organization?.uid === BETA.uid)).toBe(false);
		// Without the organization (the common planner) the other company's users would go too: the option is what keeps them.
		expect(summary(planSync(server, [want(0, 'ann', R.admin)], ALL, protectedOwners, NO_LIMIT).steps)).toContain('remove dan');
	});

	it('a user of another company with a listed name is not matched: the plan creates (and the create fails, naming where)', () => {
		const plan = planSync(server, [want(0, 'dan', R.admin)], ALL, protectedOwners, NO_LIMIT, vspcPlanOptions(ALPHA));
		expect(plan.steps.find((s) => s.name === 'dan')).toMatchObject({ action: 'create', rolesAfter: [R.admin] });
	});

	it('compares email (any case), first and last name and Require MFA; a difference there alone is an update', () => {
		const rows = [
			want(0, 'ann', R.admin, { profile: { email: 'ANN@alpha.example' } }),
			want(1, 'bob', R.locationUser, { profile: { firstName: 'Bob' }, mfaRequired: true }),
			want(2, 'cat', R.locationAdmin, { profile: { lastName: 'Cole' }, mfaRequired: true }),
			want(3, 'owner', R.owner, { profile: {} }),
		];
		const plan = planSync(server, rows, ALL, protectedOwners, NO_LIMIT, vspcPlanOptions(ALPHA));
		// Role changes and updates run in one phase (by name), before removals.
		expect(summary(plan.steps)).toEqual(['update bob [firstName]', 'changeRoles cat [lastName, mfaRequired]', 'unchanged ann', 'unchanged owner']);
		expect(plan.steps[1].rolesAfter).toEqual([R.locationAdmin]);
		expect(plan.revocations).toBe(0);
	});

	it('one role per user: the listed role replaces the held one (never two roles)', () => {
		const plan = planSync(server, [want(0, 'ann', R.locationUser)], { kind: 'roles', roles: [R.admin, R.locationUser] }, protectedOwners, NO_LIMIT, vspcPlanOptions(ALPHA));
		expect(plan.steps.find((s) => s.name === 'ann')).toMatchObject({ action: 'changeRoles', rolesAfter: [R.locationUser] });
	});

	it('one role per user: a listed user holding a role outside a role scope is not changed (it would lose that role)', () => {
		const plan = planSync(server, [want(0, 'bob', R.admin)], { kind: 'roles', roles: [R.admin] }, protectedOwners, NO_LIMIT, vspcPlanOptions(ALPHA));
		const bob = plan.steps.find((s) => s.name === 'bob');
		expect(bob).toMatchObject({ action: 'protected', rolesAfter: [R.locationUser] });
		expect(bob?.reason).toMatch(/outside this sync's scope/);
	});

	it('the owner is protected: never removed or demoted', () => {
		const removing = planSync(server, [], ALL, protectedOwners, NO_LIMIT, vspcPlanOptions(ALPHA));
		expect(removing.steps.find((s) => s.name === 'owner')).toMatchObject({ action: 'protected' });
		const demoting = planSync(server, [want(0, 'owner', R.admin)], ALL, protectedOwners, NO_LIMIT, vspcPlanOptions(ALPHA));
		expect(demoting.steps.find((s) => s.name === 'owner')?.action).toBe('protected');
		expect(demoting.steps.find((s) => s.name === 'owner')?.reason).toMatch(/Company Owner/);
	});

	it('the safety limit counts the organization\'s users only', () => {
		const plan = planSync(server, [want(0, 'ann', R.admin)], ALL, protectedOwners, { maxRemovals: 10, maxRemovalPercent: 50 }, vspcPlanOptions(ALPHA));
		// 2 of ALPHA's 3 unprotected users (67 %); with BETA's counted it would be 2 of 5 (40 %) and pass.
		expect(plan.limitExceeded).toMatch(/2 of 3 managed users \(67 %\)/);
	});

	it('the plan id covers the organization and every field a step sets', () => {
		const rows = [want(0, 'new', R.admin, { profile: { email: 'new@alpha.example' }, mfaRequired: true })];
		const id = (org: VspcOrganization, r = rows) => planSync([], r, ALL, protectedOwners, NO_LIMIT, vspcPlanOptions(org)).id;
		expect(id(ALPHA)).toBe(id({ ...ALPHA }));
		expect(id(ALPHA)).not.toBe(id(BETA));
		expect(id(ALPHA)).not.toBe(id(ALPHA, [want(0, 'new', R.admin, { profile: { email: 'other@alpha.example' }, mfaRequired: true })]));
		expect(id(ALPHA)).not.toBe(id(ALPHA, [want(0, 'new', R.admin, { profile: { email: 'new@alpha.example' }, mfaRequired: false })]));
		const upd = (first: string) => planSync(server, [want(0, 'bob', R.locationUser, { profile: { firstName: first } })], ALL, protectedOwners, NO_LIMIT, vspcPlanOptions(ALPHA)).id;
		expect(upd('Bob')).not.toBe(upd('Robert'));
	});
});

describe('VSPC field comparison and rules', () => {
	it('Require MFA: required by an organization policy counts as required and is not lifted per user', () => {
		const inherited = user('x', R.admin, ALPHA, { mfaPolicy: 'EnabledByInheritance' });
		expect(vspcFieldChanges(inherited, want(0, 'x', R.admin, { profile: {}, mfaRequired: true }))).toEqual([]);
		expect(vspcFieldChanges(inherited, want(0, 'x', R.admin, { profile: {}, mfaRequired: false }))).toEqual([]);
		const off = user('y', R.admin, ALPHA, { mfaPolicy: 'Disabled' });
		expect(vspcFieldChanges(off, want(0, 'y', R.admin, { profile: {}, mfaRequired: true }))).toEqual(['mfaRequired']);
		expect(vspcFieldChanges(off, want(0, 'y', R.admin, { profile: {} }))).toEqual([]);
	});

	it('a profile field not given is left as the server has it', () => {
		const u = user('z', R.admin, ALPHA, { profile: { email: 'z@alpha.example', firstName: 'Zed' } });
		expect(vspcFieldChanges(u, want(0, 'z', R.admin, { profile: { lastName: 'L' } }))).toEqual(['lastName']);
		expect(vspcFieldChanges(u, want(0, 'z', R.admin, { profile: { firstName: 'Zed', email: 'Z@ALPHA.example' } }))).toEqual([]);
	});

	it('roles fit the organization type; owner roles are never given', () => {
		expect(vspcRoleProblem(R.admin, ALPHA)).toBeUndefined();
		expect(vspcRoleProblem(R.portalAdmin, ALPHA)).toMatch(/not a role of a Company/);
		expect(vspcRoleProblem(R.portalAdmin, { type: 'Provider', name: 'SP' })).toBeUndefined();
		expect(vspcRoleProblem(R.admin, { type: 'Provider', name: 'SP' })).toMatch(/not a role of a Provider/);
		expect(vspcRoleProblem(role('ResellerAdministrator'), { type: 'Reseller', name: 'R' })).toBeUndefined();
		expect(vspcRoleProblem(R.owner, ALPHA)).toMatch(/never gives it/);
		expect(vspcRoleProblem(R.resellerOwner, { type: 'Reseller', name: 'R' })).toMatch(/never gives it/);
		// A row may list the owner as it is.
		expect(vspcRoleProblem(R.owner, ALPHA, true)).toBeUndefined();
		expect(vspcRoleProblem(R.owner, { type: 'Reseller', name: 'R' }, true)).toMatch(/not a role of a Reseller/);
	});
});
