/**
 * examples/veeam-offboard-everywhere.json without n8n's server, for what it adds on Veeam Backup for
 * Microsoft 365: the Leaver's JavaScript runs as n8n runs it, the node "Offboard from Microsoft 365
 * backup" runs through n8n's engine against the VB365 simulator with its parameters exactly as the
 * example has them, and the IF's and the ticket's expressions are evaluated on its output. The whole
 * workflow, the four other products included, in a real n8n (both majors): e2e/offboardEverywhere.e2e.ts.
 *
 * The leaver is a restore operator of two Contoso roles and a member of the Helpdesk group, itself
 * an operator of "Helpdesk Restore": the run takes them out of both roles, and the one ticket for the
 * directory names the group (the node does not change Microsoft 365 groups).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { VB365_ORG_CONTOSO_ID, VB365_ORG_FABRIKAM_ID, VB365_ROLE_FINANCE_ID, VB365_ROLE_HELPDESK_ID } from '../../sim';
import { errorText } from '../nodes/Veeam/fixtures';
import { CONTOSO, useVb365, type Vb365Fixture } from '../nodes/Veeam/vb365/fixture';

type Json = IDataObject;
type ExampleNode = { name: string; type: string; parameters: INodeParameters; onError?: string; credentials?: Record<string, { id: string }> };
const example = JSON.parse(readFileSync(join(__dirname, '../../examples/veeam-offboard-everywhere.json'), 'utf8')) as {
	nodes: ExampleNode[];
	connections: Record<string, { main: Array<Array<{ node: string }>> }>;
};
const node = (name: string): ExampleNode => {
	const found = example.nodes.find((n) => n.name === name);
	if (!found) throw new Error(`no node "${name}" in the example`);
	return found;
};

const OFFBOARD = 'Offboard from Microsoft 365 backup';
const GROUPS_IF = 'Groups still let them restore?';
const GROUPS_TICKET = 'Open ticket for the groups';
const OTHER_OFFBOARDS = ['Offboard from Backup & Replication', 'Offboard from Google Cloud', 'Offboard from AWS', 'Offboard from Azure'];

/** The Leaver Code node's item ("Run Once for All Items"). */
function leaver(): Json {
	const run = new Function(String(node('Leaver').parameters.jsCode)) as () => Array<{ json: Json }>;
	const items = run();
	expect(items).toHaveLength(1);
	return items[0].json;
}

/** An n8n expression that is one `{{ … }}` (the text after `=`), evaluated with `$json`. */
function evaluate(expression: unknown, $json: Json): unknown {
	const match = /^=\{\{([\s\S]*)\}\}$/.exec(String(expression).trim());
	if (!match) throw new Error(`not a single expression: ${String(expression)}`);
	return (new Function('$json', `return (${match[1]});`) as ($json: Json) => unknown)($json);
}

/** The example's IF v1 number condition ("larger") on `item`: true → the ticket. */
function groupsIf(item: Json): boolean {
	const conditions = node(GROUPS_IF).parameters.conditions as { number: Array<{ value1: string; operation: string; value2: number }> };
	expect(conditions.number).toHaveLength(1);
	const [c] = conditions.number;
	expect(c.operation).toBe('larger');
	return Number(evaluate(c.value1, item)) > c.value2;
}

describe('examples/veeam-offboard-everywhere.json: Veeam Backup for Microsoft 365', () => {
	let h: Vb365Fixture;
	useVb365((_, f) => {
		h = f;
	});

	/** The leaver in Contoso: a user, operator of Helpdesk Restore and Finance Restore, and a member of the Helpdesk group. */
	function leaverInContoso(upn: string): { userId: string; helpdeskId: string; helpdeskMembers: string[] } {
		const userId = `${randomUUID()}00000000-0000-0000-0000-000000000000`;
		h.vb365.addPrincipal(VB365_ORG_CONTOSO_ID, { kind: 'User', id: userId, name: upn, displayName: 'Sheila Cory' });
		h.vb365.consoleChange(VB365_ROLE_HELPDESK_ID, 'operators', 'add', 'User', userId);
		h.vb365.consoleChange(VB365_ROLE_FINANCE_ID, 'operators', 'add', 'User', userId);
		const helpdesk = h.vb365.principalNamed(VB365_ORG_CONTOSO_ID, `helpdesk@${CONTOSO}`) as { record: { id: string; members: string[] } };
		const helpdeskMembers = [...helpdesk.record.members];
		h.vb365.setGroupMembers(VB365_ORG_CONTOSO_ID, helpdesk.record.id, [...helpdeskMembers, userId]);
		return { userId, helpdeskId: helpdesk.record.id, helpdeskMembers };
	}

	async function offboard(input: Json): Promise<Json> {
		const { product, ...parameters } = node(OFFBOARD).parameters;
		expect(product).toBe('vb365');
		const run = await h.run(parameters, [input], { continueOnFail: node(OFFBOARD).onError === 'continueRegularOutput' });
		expect(errorText(run)).toBe('');
		expect(run.json).toHaveLength(1);
		return run.json[0];
	}

	it('joins the nodes: the Leaver to all five offboard nodes; VB365 → its IF → (true) the groups ticket; the four others → the account IF', () => {
		const next = (from: string, output = 0) => (example.connections[from]?.main[output] ?? []).map((c) => c.node);
		expect(next('Leaver').sort()).toEqual([...OTHER_OFFBOARDS, OFFBOARD].sort());
		for (const other of OTHER_OFFBOARDS) expect(next(other)).toEqual(['Directory account left behind?']);
		expect(next(OFFBOARD)).toEqual([GROUPS_IF]);
		expect(next(GROUPS_IF)).toEqual([GROUPS_TICKET]);
		expect(next(GROUPS_IF, 1)).toEqual([]);
		expect(node(OFFBOARD)).toMatchObject({
			parameters: { product: 'vb365', resource: 'restoreOperator', operation: 'offboard', organizationScope: 'all' },
			onError: 'continueRegularOutput',
			credentials: { veeamBackupMicrosoft365Api: { id: expect.any(String) } },
		});
		// The groups ticket goes where the account tickets go.
		expect(node(GROUPS_TICKET).parameters.url).toBe(node('Open ticket').parameters.url);
	});

	it("revokes the leaver from every role naming them, in every organization; the ticket names the group that still grants, with its organization and role", async () => {
		const person = leaver();
		const upn = String(person.m365Account);
		expect(upn).toBe('sheila.cory@contoso.com');
		leaverInContoso(upn);
		expect(h.operatorsOf('Helpdesk Restore')).toContain(upn);
		const fabrikam = h.operatorsOf('Fabrikam Restore', VB365_ORG_FABRIKAM_ID);

		const out = await offboard(person);
		expect(out).toMatchObject({ action: 'revoked', person: upn, groupCheck: 'complete', groupsCannotTell: [] });
		const removed = (out.removedFrom as Array<{ organization: { name: string }; role: { name: string } }>).map((r) => `${r.organization.name}: ${r.role.name}`).sort();
		expect(removed).toEqual([`${CONTOSO}: Finance Restore`, `${CONTOSO}: Helpdesk Restore`]);
		expect(h.operatorsOf('Helpdesk Restore')).not.toContain(upn);
		expect(h.operatorsOf('Finance Restore')).not.toContain(upn);
		expect(h.operatorsOf('Fabrikam Restore', VB365_ORG_FABRIKAM_ID)).toEqual(fabrikam);
		// The Helpdesk group (an operator of Helpdesk Restore, still naming the leaver as a member) is left to the directory.
		expect(h.operatorsOf('Helpdesk Restore')).toContain('group:Helpdesk');

		expect(groupsIf(out)).toBe(true);
		const ticket = JSON.parse(String(evaluate(node(GROUPS_TICKET).parameters.jsonBody, out))) as Json;
		expect(ticket).toEqual({
			title: `Remove ${upn} from the Microsoft 365 groups that still make them a restore operator (left Veeam)`,
			account: upn,
			groups: [{ group: 'Helpdesk', organization: CONTOSO, roles: ['Helpdesk Restore'] }],
			cannotTell: [],
			tasks: [`Remove ${upn} from the group "Helpdesk" of ${CONTOSO}: it makes them a restore operator of "Helpdesk Restore".`],
		});
	});

	it('run again while the group still holds them: nothing changes on the server, the ticket stands; once the directory took them out of the group: no ticket', async () => {
		const person = leaver();
		const { helpdeskId, helpdeskMembers } = leaverInContoso(String(person.m365Account));
		await offboard(person);

		const changes = h.changes().length;
		const again = await offboard(person);
		expect(again).toMatchObject({ action: 'unchanged', removedFrom: [] });
		expect(h.changes()).toHaveLength(changes);
		expect(groupsIf(again)).toBe(true);

		// What the ticket asked: the directory's administrator removes the leaver from the group.
		h.vb365.setGroupMembers(VB365_ORG_CONTOSO_ID, helpdeskId, helpdeskMembers);
		const done = await offboard(person);
		expect(done).toMatchObject({ action: 'unchanged', removedFrom: [], groupsStillGranting: [], groupsCannotTell: [], groupCheck: 'complete', directoryFollowUp: [] });
		expect(groupsIf(done)).toBe(false);
		expect(h.changes()).toHaveLength(changes);
	});

	it('a group whose members cannot be read opens the ticket as "check", never as "no group grants it"; an error item opens none', async () => {
		const person = leaver();
		leaverInContoso(String(person.m365Account));
		h.sim.addFault({ kind: 'answer', status: 403, body: { message: 'Access denied.', errorCode: 'ResourceAccessDenied' }, method: 'GET', pathIncludes: '/Members', count: 100 });
		const out = await offboard(person);
		expect(out).toMatchObject({ action: 'revoked', groupsStillGranting: [], groupCheck: 'incomplete' });
		expect(groupsIf(out)).toBe(true);
		const ticket = JSON.parse(String(evaluate(node(GROUPS_TICKET).parameters.jsonBody, out))) as { groups: unknown[]; cannotTell: Array<{ group: string; reason: string }>; tasks: string[] };
		expect(ticket.groups).toEqual([]);
		expect(ticket.cannotTell.map((g) => g.group)).toContain('Helpdesk');
		expect(ticket.tasks.some((t) => /^Check whether sheila\.cory@contoso\.com is in the group "Helpdesk"/.test(t))).toBe(true);

		// Continue On Fail's error item (an unreachable server) goes to the IF's false branch, not to a ticket.
		expect(groupsIf({ error: 'connect ECONNREFUSED' })).toBe(false);
	});
});
