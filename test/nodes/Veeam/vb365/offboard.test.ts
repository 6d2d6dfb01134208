/**
 * Restore Operator → Offboard on Veeam Backup for Microsoft 365, through n8n's engine against the
 * simulator: no role names the person any more, directly, in every organization or one (read back),
 * and the output lists the groups that are operators of a role and contain the person (also through
 * a nested group), or says it cannot tell; never "no group grants it" when a group could not be read.
 */
import { VB365_ORG_CONTOSO_ID, VB365_ORG_FABRIKAM_ID, type SimServer } from '../../../../sim';
import { errorText } from '../fixtures';
import { byName, CONTOSO, contoso, FABRIKAM, useVb365, type Vb365Fixture } from './fixture';

const DAVE = `dave.lee@${CONTOSO}`;
const ALICE = `alice.adams@${CONTOSO}`;

describe('VB365: Restore Operator → Offboard', () => {
	let sim: SimServer;
	let h: Vb365Fixture;
	useVb365((s, f) => {
		sim = s;
		h = f;
	});

	const offboard = (person: string, extra: Record<string, unknown> = {}) => ({ resource: 'restoreOperator', operation: 'offboard', operator: person, ...extra });
	const names = (list: unknown) => (list as Array<{ group: { displayName: string } }>).map((g) => g.group.displayName).sort();

	it('in every organization: removed from each role naming them, read back; lists the group that still grants it', async () => {
		// By e-mail: Fabrikam's Dave Lee is another person (by display name in every organization: refused, test/review/vb365.review.operators.test.ts R-O4).
		const run = await h.run(offboard(DAVE));
		expect(errorText(run)).toBe('');
		const out = run.json[0];
		expect(out.action).toBe('revoked');
		const removed = (out.removedFrom as Array<{ organization: { name: string }; role: { name: string } }>).map((r) => `${r.organization.name}: ${r.role.name}`).sort();
		expect(removed).toEqual([`${CONTOSO}: Finance Restore`, `${CONTOSO}: Helpdesk Restore`]);
		expect(h.operatorsOf('Helpdesk Restore')).not.toContain(DAVE);
		expect(h.operatorsOf('Fabrikam Restore', VB365_ORG_FABRIKAM_ID)).toContain(`dave.lee@${FABRIKAM}`);
		// Dave is in Contoso's Helpdesk group, an operator of Helpdesk Restore; Fabrikam's Service Desk has Erin only.
		expect(out.groupsStillGranting).toEqual([expect.objectContaining({ organization: expect.objectContaining({ name: CONTOSO }), group: expect.objectContaining({ displayName: 'Helpdesk' }), roles: [expect.objectContaining({ name: 'Helpdesk Restore' })] })]);
		expect(out.groupsCannotTell).toEqual([]);
		expect(out.groupCheck).toBe('complete');
		expect(out.groupMembershipAsOf).toMatch(/^as Veeam Backup for Microsoft 365 last synchronized the organization .*PreferLocal/);
		expect(out.directoryFollowUp).toEqual([expect.stringMatching(/^Remove dave\.lee@contoso\.onmicrosoft\.com from the group "Helpdesk" of contoso\.onmicrosoft\.com: it makes them a restore operator of "Helpdesk Restore"\.$/)]);
		expect(out.directoryAccountRemains).toBe(true);
		const changes = h.changes().length;
		const again = await h.run(offboard(DAVE));
		expect(again.json[0]).toMatchObject({ action: 'unchanged', removedFrom: [] });
		expect(names(again.json[0].groupsStillGranting)).toEqual(['Helpdesk']);
		expect(h.changes()).toHaveLength(changes);
	});

	it('one organization only: the others are left as they are', async () => {
		const run = await h.run(offboard('Dave Lee', { organizationScope: 'one', organization: byName(FABRIKAM) }));
		expect(run.json[0]).toMatchObject({ action: 'revoked', organizations: [{ name: FABRIKAM, foundInOrganization: true, wasOperator: true }] });
		expect(h.operatorsOf('Helpdesk Restore')).toContain(DAVE);
		expect(h.operatorsOf('Fabrikam Restore', VB365_ORG_FABRIKAM_ID)).not.toContain(`dave.lee@${FABRIKAM}`);
	});

	it('someone who is an operator only through a group: nothing removed, the group listed; also through a nested group', async () => {
		// IT Admins (whose members include the Helpdesk group) becomes an operator of Finance Restore.
		await h.run({ resource: 'restoreOperator', operation: 'grant', organization: contoso(), operator: 'IT Admins', operatorType: 'group', restoreRoles: ['Finance Restore'] });
		const changes = h.changes().length;
		const run = await h.run(offboard(ALICE));
		expect(run.json[0]).toMatchObject({ action: 'unchanged', removedFrom: [], groupCheck: 'complete' });
		expect(names(run.json[0].groupsStillGranting)).toEqual(['Helpdesk', 'IT Admins']);
		const nested = (run.json[0].groupsStillGranting as Array<{ group: { displayName: string }; via?: string[] }>).find((g) => g.group.displayName === 'IT Admins');
		expect(nested?.via).toEqual(['Helpdesk']);
		expect(h.changes()).toHaveLength(changes);
	});

	it('a group whose members cannot be read is "cannot tell", never "no group grants it"', async () => {
		sim.addFault({ kind: 'answer', status: 403, body: { message: 'Access denied.', errorCode: 'ResourceAccessDenied' }, method: 'GET', pathIncludes: '/Members', count: 100 });
		const run = await h.run(offboard(DAVE, { organizationScope: 'one', organization: contoso() }));
		expect(errorText(run)).toBe('');
		expect(run.json[0]).toMatchObject({ action: 'revoked', groupsStillGranting: [], groupCheck: 'incomplete' });
		expect(names(run.json[0].groupsCannotTell)).toEqual(['Helpdesk']);
		expect(String((run.json[0].groupsCannotTell as Array<{ reason: string }>)[0].reason)).toMatch(/members could not be read/);
		expect(run.json[0].directoryFollowUp).toEqual([expect.stringMatching(/^Check whether .* is in the group "Helpdesk" of contoso\.onmicrosoft\.com .*cannot tell/)]);
	});

	it('a leaver gone from Microsoft 365 (given by e-mail) is still removed, and the groups checked by that address', async () => {
		h.vb365.removeObject(VB365_ORG_CONTOSO_ID, 'User', h.idOf(DAVE));
		const run = await h.run(offboard(DAVE));
		expect(run.json[0]).toMatchObject({ action: 'revoked' });
		expect((run.json[0].organizations as Array<{ name: string; foundInOrganization: boolean; wasOperator: boolean }>).find((o) => o.name === CONTOSO)).toMatchObject({ foundInOrganization: false, wasOperator: true });
		expect(h.operatorsOf('Finance Restore')).not.toContain(DAVE);
	});

	it('someone unknown everywhere is absent, nothing sent; a bad Person is refused before anything is read', async () => {
		const run = await h.run(offboard('nobody@nowhere.example'));
		expect(run.json[0]).toMatchObject({ action: 'absent', removedFrom: [], directoryAccountRemains: false });
		expect(h.changes()).toEqual([]);
		const bad = await h.run(offboard('={{ "a\\tb" }}'));
		expect(errorText(bad)).toMatch(/Person \(item 0\): contains a line break or a control character/);
		const noOrg = await h.run(offboard(DAVE, { organizationScope: 'one', organization: byName('nowhere.example') }));
		expect(errorText(noOrg)).toMatch(/Organization \(item 0\)/);
		expect(h.changes()).toEqual([]);
	});

	it('a removal the server does not carry out fails the item, saying what was done before', async () => {
		const finance = String(h.role('Finance Restore')?.id);
		sim.addFault({ kind: 'answer', status: 204, method: 'DELETE', pathIncludes: `${finance}/operators`, count: 10 });
		const run = await h.run(offboard(DAVE, { organizationScope: 'one', organization: contoso() }));
		expect(errorText(run)).toMatch(/Person \(item 0\): offboarding "dave\.lee@contoso\.onmicrosoft\.com" is not complete: removing them from the role "Finance Restore" of contoso\.onmicrosoft\.com failed/);
		expect(errorText(run)).toMatch(/Done before: removed from the role "Helpdesk Restore"/);
		expect(h.operatorsOf('Finance Restore')).toContain(DAVE);
	});
});
