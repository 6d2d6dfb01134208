/**
 * Review of Restore Operator (Veeam Backup for Microsoft 365) as an admin and an unusual server
 * would use it: names two people share, a leaver gone from Microsoft 365, UPN case, a user and a
 * group of one display name, several items in one run, continueOnFail per item.
 */
import { VB365_ORG_CONTOSO_ID, VB365_ORG_FABRIKAM_ID, type SimServer } from '../../sim';
import { errorText } from '../nodes/Veeam/fixtures';
import { contoso, useVb365, type Vb365Fixture } from '../nodes/Veeam/vb365/fixture';

const SAM1 = 'sam.taylor@contoso.onmicrosoft.com';
const SAM2 = 'sam.taylor2@contoso.onmicrosoft.com';
const DAVE = 'dave.lee@contoso.onmicrosoft.com';

describe('VB365 review: Restore Operator names and people', () => {
	let sim: SimServer;
	let h: Vb365Fixture;
	useVb365((s, f) => {
		sim = s;
		h = f;
	});

	const op = (operation: string, operator: string, extra: Record<string, unknown> = {}) => ({ resource: 'restoreOperator', operation, organization: contoso(), operator, ...extra });

	/** Sam Taylor (sam.taylor) an operator of Helpdesk Restore, then deleted from Microsoft 365; the other Sam Taylor stays. */
	async function samLeaves(): Promise<string> {
		const grant = await h.run(op('grant', SAM1, { restoreRoles: ['Helpdesk Restore'] }));
		expect(errorText(grant)).toBe('');
		const id = h.idOf(SAM1);
		expect(h.vb365.removeObject(VB365_ORG_CONTOSO_ID, 'User', id)).toBe(true);
		return id;
	}

	it('R-O1 Revoke by a display name the directory gives one person and a role gives a leaver: refused naming both IDs, nothing sent', async () => {
		const leaverId = await samLeaves();
		const otherId = h.idOf(SAM2);
		const changes = h.changes().length;
		const run = await h.run(op('revoke', 'Sam Taylor'), [{}], { continueOnFail: true });
		// "unchanged" here would tell the admin Sam Taylor has no restore role while the leaver still has one.
		const text = errorText(run) || JSON.stringify(run.json[0]?.error ?? '');
		expect(text).toContain(leaverId);
		expect(text).toContain(otherId);
		expect(h.operatorsOf('Helpdesk Restore')).toContain(SAM1);
		expect(h.changes()).toHaveLength(changes);
	});

	it('R-O2 Offboard by that shared display name: refused naming both IDs, nothing sent', async () => {
		const leaverId = await samLeaves();
		const changes = h.changes().length;
		const run = await h.run({ resource: 'restoreOperator', operation: 'offboard', operator: 'Sam Taylor', organizationScope: 'all' }, [{}], { continueOnFail: true });
		const text = errorText(run) || JSON.stringify(run.json[0]?.error ?? '');
		expect(text).toContain(leaverId);
		expect(h.operatorsOf('Helpdesk Restore')).toContain(SAM1);
		expect(h.changes()).toHaveLength(changes);
	});

	it('R-O3 Get by that shared display name: refused naming both IDs (not "not an operator")', async () => {
		const leaverId = await samLeaves();
		const run = await h.run(op('get', 'Sam Taylor'), [{}], { continueOnFail: true });
		const text = errorText(run) || JSON.stringify(run.json[0]?.error ?? '');
		expect(text).toContain(leaverId);
	});

	it('R-O6 Revoke of a group operator given with Operator Type User (the default): refused saying it is a group, not "absent"', async () => {
		const run = await h.run(op('revoke', 'helpdesk@contoso.onmicrosoft.com'), [{}], { continueOnFail: true });
		// "absent" would tell the admin nobody of that name may restore, while the group still is an operator.
		expect(String(run.json[0].error ?? JSON.stringify(run.json[0]))).toMatch(/Operator \(item 0\).*group/);
		expect(h.operatorsOf('Helpdesk Restore')).toContain('group:Helpdesk');
	});

	it('R-O7 Offboard of a group operator\'s address given as the Person: refused saying it is a group, not "absent"', async () => {
		const run = await h.run({ resource: 'restoreOperator', operation: 'offboard', operator: 'helpdesk@contoso.onmicrosoft.com', organizationScope: 'all' }, [{}], { continueOnFail: true });
		expect(String(run.json[0].error ?? JSON.stringify(run.json[0]))).toMatch(/Person \(item 0\).*group/);
		expect(h.operatorsOf('Helpdesk Restore')).toContain('group:Helpdesk');
	});

	it('RIGHT: the leaver given by e-mail is revoked although the other Sam Taylor is in the directory', async () => {
		await samLeaves();
		const run = await h.run(op('revoke', SAM1));
		expect(run.json[0]).toMatchObject({ action: 'revoked', foundInOrganization: false, operator: { name: SAM1 } });
		expect(h.operatorsOf('Helpdesk Restore')).not.toContain(SAM1);
	});

	it('RIGHT: an e-mail in another case names the same operator (Revoke, then Grant unchanged by ID)', async () => {
		const run = await h.run(op('revoke', DAVE.toUpperCase(), { revokeFrom: 'roles', restoreRoles: ['Finance Restore'] }));
		expect(run.json[0]).toMatchObject({ action: 'revoked', operator: { name: DAVE } });
		const again = await h.run(op('grant', 'Dave.Lee@Contoso.OnMicrosoft.com', { restoreRoles: ['helpdesk restore'] }));
		expect(again.json[0]).toMatchObject({ action: 'unchanged', roles: [{ name: 'Helpdesk Restore', result: 'unchanged' }] });
	});

	it('RIGHT: "Restore Desk" as a user is the user, as a group the group (never one for the other)', async () => {
		const user = await h.run(op('grant', 'Restore Desk', { restoreRoles: ['Finance Restore'] }));
		expect(user.json[0]).toMatchObject({ action: 'granted', operator: { kind: 'user', name: 'restore.desk@contoso.onmicrosoft.com' } });
		const group = await h.run(op('grant', 'Restore Desk', { operatorType: 'group', restoreRoles: ['Finance Restore'] }));
		expect(group.json[0]).toMatchObject({ action: 'granted', operator: { kind: 'group', displayName: 'Restore Desk' } });
		expect(h.operatorsOf('Finance Restore')).toEqual(expect.arrayContaining(['restore.desk@contoso.onmicrosoft.com', 'group:Restore Desk']));
		const revokeGroup = await h.run(op('revoke', 'Restore Desk', { operatorType: 'group' }));
		expect(revokeGroup.json[0]).toMatchObject({ action: 'revoked', operator: { kind: 'group' } });
		expect(h.operatorsOf('Finance Restore')).toContain('restore.desk@contoso.onmicrosoft.com');
		expect(h.operatorsOf('Finance Restore')).not.toContain('group:Restore Desk');
	});

	it('RIGHT: a user who is an operator directly and through a group: Revoke removes the direct entry only, the group stays', async () => {
		// Dave is an operator of Helpdesk Restore himself and a member of the Helpdesk group, also its operator.
		const run = await h.run(op('revoke', DAVE, { revokeFrom: 'roles', restoreRoles: ['Helpdesk Restore'] }));
		expect(run.json[0]).toMatchObject({ action: 'revoked' });
		expect(h.operatorsOf('Helpdesk Restore')).toEqual(['group:Helpdesk']);
		const offboard = await h.run({ resource: 'restoreOperator', operation: 'offboard', operator: DAVE, organizationScope: 'one', organization: contoso() });
		expect(offboard.json[0]).toMatchObject({ groupsStillGranting: [{ group: { displayName: 'Helpdesk' } }] });
	});

	it('RIGHT: two items granting one role to two people in one run: both added, one read-back each', async () => {
		const run = await h.run({ resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: '={{ $json.who }}', restoreRoles: ['Finance Restore'] }, [
			{ who: 'alice.adams@contoso.onmicrosoft.com' },
			{ who: 'carol.chen@contoso.onmicrosoft.com' },
		]);
		expect(run.json.map((j) => j.action)).toEqual(['granted', 'granted']);
		expect(h.operatorsOf('Finance Restore')).toEqual(expect.arrayContaining(['alice.adams@contoso.onmicrosoft.com', 'carol.chen@contoso.onmicrosoft.com', DAVE]));
	});

	it('RIGHT: two items granting the same person the same missing role with Create It: one role, created once', async () => {
		const params = { resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: '={{ $json.who }}', restoreRoles: ['Legal Restore'], ifRoleMissing: 'create' };
		const run = await h.run(params, [{ who: 'alice.adams@contoso.onmicrosoft.com' }, { who: 'Alice Adams' }]);
		expect(run.json.map((j) => j.action)).toEqual(['granted', 'unchanged']);
		expect(h.roles().filter((r) => r.name === 'Legal Restore')).toHaveLength(1);
	});

	it('RIGHT: continueOnFail per item: a bad item fails alone (named), the others are done', async () => {
		const run = await h.run({ resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: '={{ $json.who }}', restoreRoles: ['Finance Restore'] }, [
			{ who: 'alice.adams@contoso.onmicrosoft.com' },
			{ who: 'nobody@contoso.onmicrosoft.com' },
			{ who: 'Sam Taylor' },
			{ who: 'carol.chen@contoso.onmicrosoft.com' },
		], { continueOnFail: true });
		expect(run.json[0]).toMatchObject({ action: 'granted' });
		expect(String(run.json[1].error)).toMatch(/Operator.*nobody@contoso/);
		expect(String(run.json[2].error)).toMatch(/Sam Taylor/);
		expect(run.json[3]).toMatchObject({ action: 'granted' });
		expect(h.operatorsOf('Finance Restore')).not.toEqual(expect.arrayContaining([SAM1]));
		expect(sim).toBeDefined();
	});
});

describe('VB365 review: Offboard across organizations', () => {
	let h: Vb365Fixture;
	useVb365((_s, f) => {
		h = f;
	});

	it('R-O4 Offboard by a display name two organizations each give someone (Dave Lee of Contoso and of Fabrikam): refused naming both, nothing sent', async () => {
		const changes = h.changes().length;
		const run = await h.run({ resource: 'restoreOperator', operation: 'offboard', operator: 'Dave Lee', organizationScope: 'all' }, [{}], { continueOnFail: true });
		const text = errorText(run) || JSON.stringify(run.json[0]?.error ?? '');
		expect(text).toMatch(/dave\.lee@contoso\.onmicrosoft\.com/);
		expect(text).toMatch(/dave\.lee@fabrikam\.onmicrosoft\.com/);
		expect(h.changes()).toHaveLength(changes);
		expect(h.operatorsOf('Fabrikam Restore', VB365_ORG_FABRIKAM_ID)).toContain('dave.lee@fabrikam.onmicrosoft.com');
	});

	it('RIGHT: Offboard by e-mail in every organization touches only that person; the namesake of another organization stays', async () => {
		const run = await h.run({ resource: 'restoreOperator', operation: 'offboard', operator: DAVE, organizationScope: 'all' });
		expect(run.json[0]).toMatchObject({ action: 'revoked' });
		expect(h.operatorsOf('Helpdesk Restore')).not.toContain(DAVE);
		expect(h.operatorsOf('Fabrikam Restore', VB365_ORG_FABRIKAM_ID)).toContain('dave.lee@fabrikam.onmicrosoft.com');
	});

	it('RIGHT: Offboard by display name in one organization is that organization\'s person', async () => {
		const run = await h.run({ resource: 'restoreOperator', operation: 'offboard', operator: 'Dave Lee', organizationScope: 'one', organization: contoso() });
		expect(run.json[0]).toMatchObject({ action: 'revoked' });
		expect(h.operatorsOf('Fabrikam Restore', VB365_ORG_FABRIKAM_ID)).toContain('dave.lee@fabrikam.onmicrosoft.com');
	});
});
