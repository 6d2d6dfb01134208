/**
 * Restore Operator → Get and Get Many on Veeam Backup for Microsoft 365, through n8n's engine against
 * the simulator: read-only (nothing sent that changes anything), what each role lets the operator
 * restore, filters holding on what the server sent, bad filters refused before any read of roles.
 */
import { VB365_ORG_CONTOSO_ID, type SimServer } from '../../../../sim';
import { errorText } from '../fixtures';
import { byName, CONTOSO, contoso, FABRIKAM, useVb365, type Vb365Fixture } from './fixture';

const DAVE = `dave.lee@${CONTOSO}`;

describe('VB365: Restore Operator → Get and Get Many', () => {
	let sim: SimServer;
	let h: Vb365Fixture;
	useVb365((s, f) => {
		sim = s;
		h = f;
	});

	const getMany = (extra: Record<string, unknown> = {}) => ({ resource: 'restoreOperator', operation: 'getMany', returnAll: true, ...extra });
	const labels = (json: Array<Record<string, unknown>>) =>
		json.map((j) => `${(j.organization as { name: string }).name}|${(j.operator as { kind: string }).kind}|${(j.operator as { name: string }).name}|${(j.roles as Array<{ name: string }>).map((r) => r.name).join('+')}`);

	it('Get: an operator with each role naming it and what it may restore', async () => {
		const run = await h.run({ resource: 'restoreOperator', operation: 'get', organization: contoso(), operator: DAVE });
		expect(errorText(run)).toBe('');
		expect(run.json[0]).toMatchObject({ operator: { name: DAVE, kind: 'user' }, isOperator: true, foundInOrganization: true, organization: { id: VB365_ORG_CONTOSO_ID } });
		const roles = run.json[0].roles as Array<{ name: string; scope: string; selectedItems?: Array<{ kind: string; name: string }>; excludedItems: Array<{ name: string }> }>;
		expect(roles.map((r) => [r.name, r.scope])).toEqual([
			['Helpdesk Restore', 'entireOrganization'],
			['Finance Restore', 'selectedItems'],
		]);
		expect(roles[0].excludedItems.map((i) => i.name)).toEqual([`carol.chen@${CONTOSO}`]);
		expect(roles[0].selectedItems).toBeUndefined();
		expect(roles[1].selectedItems?.map((i) => i.kind).sort()).toEqual(['group', 'site', 'team']);
		expect(h.changes()).toEqual([]);
	});

	it('Get: a user who is nobody\'s operator says so; someone unknown is refused', async () => {
		const alice = await h.run({ resource: 'restoreOperator', operation: 'get', organization: contoso(), operator: 'Alice Adams' });
		expect(alice.json[0]).toMatchObject({ isOperator: false, roles: [] });
		const nobody = await h.run({ resource: 'restoreOperator', operation: 'get', organization: contoso(), operator: 'nobody' });
		expect(errorText(nobody)).toMatch(/Operator \(item 0\): no Microsoft 365 user "nobody" in the organization contoso\.onmicrosoft\.com, and no role names one so/);
	});

	it('Get Many: every operator of every organization, one item per operator with its roles', async () => {
		const run = await h.run(getMany());
		expect(labels(run.json)).toEqual([
			`${CONTOSO}|user|bob.baker@${CONTOSO}|Finance Restore`,
			`${CONTOSO}|user|${DAVE}|Helpdesk Restore+Finance Restore`,
			`${CONTOSO}|group|helpdesk@${CONTOSO}|Helpdesk Restore`,
			`${FABRIKAM}|user|dave.lee@${FABRIKAM}|Fabrikam Restore`,
			`${FABRIKAM}|group|service.desk@${FABRIKAM}|Fabrikam Restore`,
		]);
		expect(h.changes()).toEqual([]);
	});

	it('Get Many: filters by organization, type, role and name, and the limit', async () => {
		expect(labels((await h.run(getMany({ organizationScope: 'one', organization: byName(FABRIKAM) }))).json)).toEqual([`${FABRIKAM}|user|dave.lee@${FABRIKAM}|Fabrikam Restore`, `${FABRIKAM}|group|service.desk@${FABRIKAM}|Fabrikam Restore`]);
		expect(labels((await h.run(getMany({ filters: { operatorType: 'group' } }))).json)).toHaveLength(2);
		expect(labels((await h.run(getMany({ filters: { roles: 'finance restore' } }))).json)).toEqual([`${CONTOSO}|user|bob.baker@${CONTOSO}|Finance Restore`, `${CONTOSO}|user|${DAVE}|Finance Restore`]);
		expect(labels((await h.run(getMany({ filters: { namePattern: 'Dave' } }))).json)).toHaveLength(2);
		expect(labels((await h.run(getMany({ filters: { namePattern: '*@fabrikam.onmicrosoft.com' } }))).json)).toHaveLength(2);
		expect((await h.run(getMany({ returnAll: false, limit: 3 }))).json).toHaveLength(3);
	});

	it('Get Many: the filters hold when the server sends another organization\'s roles', async () => {
		// The server answers the organization's role list with every role.
		const all = h.roles().map((r) => ({ id: r.id, organizationId: r.organizationId, name: r.name, description: r.description, roleType: r.roleType }));
		sim.addFault({ kind: 'answer', status: 200, body: all, method: 'GET', pathIncludes: `/Organizations/${VB365_ORG_CONTOSO_ID}/RbacRoles`, count: 10 });
		const run = await h.run(getMany({ organizationScope: 'one', organization: contoso() }));
		expect(run.json.every((j) => (j.organization as { name: string }).name === CONTOSO)).toBe(true);
		expect(labels(run.json)).toHaveLength(3);
	});

	it.each([
		[{ filters: { roles: 'Nope' } }, /Roles \(item 0\): no role named "Nope"/],
		[{ filters: { roles: ' , ' } }, /Roles \(item 0\): is empty/],
		[{ filters: { operatorType: '={{ "robot" }}' } }, /Operator Type \(item 0\): "robot" is not one of user, group/],
		[{ filters: { namePattern: '={{ {"a": 1} }}' } }, /Name Pattern \(item 0\): must be text/],
		[{ organizationScope: 'one', organization: byName('nowhere.example') }, /Organization \(item 0\)/],
	])('Get Many refuses %j naming the field and the item', async (bad, message) => {
		const run = await h.run(getMany(bad));
		expect(errorText(run)).toMatch(message);
	});
});
