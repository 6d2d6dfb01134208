/**
 * examples/veeam-roles-as-code.json without n8n's server: its Code nodes' JavaScript (which commit
 * of roles.json to read, the approver's summaries) run as n8n runs them, and its two Veeam nodes
 * run against the VBR simulator (REST 1.3-rev2) with their parameters exactly as the example has
 * them: plan, approve, apply the approved plan, plan again. The whole workflow in a real n8n (both
 * majors): e2e/rolesAsCode.e2e.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { IDataObject, INodeParameters } from 'n8n-workflow';

import { startSimulator, type SimServer } from '../../sim';
import type { VbrProduct } from '../../sim/vbr/product';
import type { VbrRole } from '../../sim/vbr/roles';
import { shutdownEngine } from '../support/engine';
import { VeeamFixture } from '../nodes/Veeam/fixtures';

type ExampleNode = { name: string; type: string; parameters: INodeParameters; disabled?: boolean };
type Json = Record<string, unknown>;
const example = JSON.parse(readFileSync(join(__dirname, '../../examples/veeam-roles-as-code.json'), 'utf8')) as {
	nodes: ExampleNode[];
	connections: Record<string, { main: Array<Array<{ node: string }>> }>;
};
const node = (name: string) => {
	const found = example.nodes.find((n) => n.name === name);
	if (!found) throw new Error(`no node "${name}" in the example`);
	return found;
};

/**
 * Runs a Code node's JavaScript ("Run Once for All Items") as n8n does: `$input` is the node's
 * input, `$('Node')` another node's output in this run. Returns the items' json.
 */
function runCode(name: string, input: Json[], outputs: Record<string, Json[]> = {}): Json[] {
	const items = (list: Json[]) => list.map((json) => ({ json }));
	const $input = { all: () => items(input), first: () => items(input)[0] };
	const $ = (other: string) => {
		if (!outputs[other]) throw new Error(`${name} reads "${other}", not given`);
		return { all: () => items(outputs[other]), first: () => items(outputs[other])[0] };
	};
	const run = new Function('$input', '$', String(node(name).parameters.jsCode)) as (i: typeof $input, d: typeof $) => Array<{ json: Json }>;
	return run($input, $).map((item) => item.json);
}

const LEGACY: VbrRole = { id: '0b5e7a10-2c3d-4e5f-8a9b-c0d1e2f3a4b5', name: 'Legacy Tape Operator', description: 'Made in the console', isBuiltIn: false, permissions: ['ViewBackups', 'StartRestore'] };
const FILE_RESTORE = { name: 'File Restore Operator', description: 'File-level restores', manageBackups: false, manageRestores: true };
const SQL_BACKUP = {
	name: 'SQL Backup Operator',
	description: 'Backup jobs to the main repository',
	manageBackups: true,
	manageRestores: false,
	repositoryScope: { allRepositories: false, repositories: [{ repositoryId: '3f2a8c14-9e7b-4d52-a1c6-0b9d4e8f1a23' }] },
};
const COMMIT = 'c0ffee'.padEnd(40, '0');

describe('examples/veeam-roles-as-code.json: which commit of roles.json', () => {
	const which = (body?: Json) => runCode('Which commit?', [body === undefined ? { timestamp: '2026-12-05T03:00:00Z' } : { headers: {}, body }]);

	it('a push to main reads the pushed commit (a branch URL may be cached); SHA-256 repositories too', () => {
		expect(which({ ref: 'refs/heads/main', after: COMMIT.toUpperCase() })).toEqual([{ commit: COMMIT }]);
		expect(which({ ref: 'refs/heads/main', after: 'ab'.repeat(32) })).toEqual([{ commit: 'ab'.repeat(32) }]);
	});

	it('a push to another branch or a tag reads nothing', () => {
		expect(which({ ref: 'refs/heads/feature/x', after: COMMIT })).toEqual([]);
		expect(which({ ref: 'refs/tags/v1', after: COMMIT })).toEqual([]);
	});

	it('the nightly run, a ping, a deleted branch or a malformed commit read the branch', () => {
		expect(which()).toEqual([{ commit: 'main' }]);
		expect(which({ zen: 'Keep it logically awesome.', hook_id: 1 })).toEqual([{ commit: 'main' }]);
		expect(which({ ref: 'refs/heads/main', after: '0'.repeat(40) })).toEqual([{ commit: 'main' }]);
		expect(which({ ref: 'refs/heads/main', after: '../../other-repo/main' })).toEqual([{ commit: 'main' }]);
	});

	it('is where both triggers lead, and the nightly trigger is off until enabled', () => {
		expect(example.connections['Push to the roles repository'].main[0].map((c) => c.node)).toEqual(['Which commit?']);
		expect(example.connections['Every night'].main[0].map((c) => c.node)).toEqual(['Which commit?']);
		expect(node('Every night').disabled).toBe(true);
		expect(node('Push to the roles repository').disabled).toBeUndefined();
		expect(String(node('Fetch roles.json').parameters.url)).toContain('{{ $json.commit }}/roles.json');
	});
});

describe('examples/veeam-roles-as-code.json: its Sync nodes against the VBR simulator (1.3-rev2)', () => {
	let sim: SimServer;
	let h: VeeamFixture;

	beforeAll(async () => {
		sim = await startSimulator({ product: 'vbr', vbr: { customRoles: [LEGACY] } });
		h = new VeeamFixture(sim);
	});
	afterAll(async () => {
		await sim.close();
		await shutdownEngine();
	});

	const customRoleNames = () =>
		(sim.product.snapshot() as { roles: VbrRole[] }).roles
			.filter((r) => !r.isBuiltIn)
			.map((r) => r.name)
			.sort();
	async function veeam(name: string, input: IDataObject[]): Promise<Json[]> {
		const run = await h.run(node(name).parameters, input);
		if (run.error) throw new Error(`${name}: ${run.error.message}`);
		return run.json;
	}

	it('Plan and Apply differ only in the mode and the approved plan id', () => {
		const { syncMode: planMode, syncOptions: planOptions, ...plan } = node('Sync roles (Plan)').parameters;
		const { syncMode: applyMode, syncOptions: applyOptions, ...apply } = node('Sync roles (Apply)').parameters;
		expect([planMode, applyMode]).toEqual(['plan', 'apply']);
		expect(apply).toEqual(plan);
		const { approvedPlanId, ...rest } = applyOptions as Json;
		expect(rest).toEqual(planOptions);
		expect(approvedPlanId).toBe("={{ $('Plan summary').first().json.planId }}");
	});

	it('plans, asks with the plan, applies exactly the approved plan, then plans nothing', async () => {
		const fetched = [{ roles: [FILE_RESTORE, SQL_BACKUP] }];
		const plan = await veeam('Sync roles (Plan)', fetched);
		expect(customRoleNames()).toEqual([LEGACY.name]);

		const [summary] = runCode('Plan summary', plan, { 'Which commit?': [{ commit: COMMIT }] });
		expect(summary).toEqual({
			planId: plan[0].planId,
			commit: COMMIT,
			changes: 3,
			warnings: [],
			text: ['create File Restore Operator', 'create SQL Backup Operator', `delete ${LEGACY.name}`].join('\n'),
		});
		expect(runCode('The approved roles.json', [], { 'Fetch roles.json': fetched })).toEqual(fetched);

		// "Sync roles (Apply)" resolves its Approved Plan ID from "Plan summary": given here as the value n8n resolves.
		const applyParameters = { ...node('Sync roles (Apply)').parameters, syncOptions: { ...(node('Sync roles (Apply)').parameters.syncOptions as Json), approvedPlanId: summary.planId } } as INodeParameters;
		const applied = await h.run(applyParameters, fetched);
		if (applied.error) throw new Error(applied.error.message);
		expect(customRoleNames()).toEqual([FILE_RESTORE.name, SQL_BACKUP.name]);

		const [result] = runCode('Result summary', applied.json, { 'Plan summary': [summary] });
		expect(result).toEqual({
			planId: summary.planId,
			commit: COMMIT,
			done: 3,
			pendingApproval: 0,
			failed: 0,
			text: expect.stringMatching(/^File Restore Operator: created\nSQL Backup Operator: created\nLegacy Tape Operator: deleted$/),
		});

		const again = runCode('Plan summary', await veeam('Sync roles (Plan)', fetched), { 'Which commit?': [{ commit: COMMIT }] });
		expect(again).toEqual([expect.objectContaining({ changes: 0, text: 'No changes.' })]);
	});

	it('reads roles a Code node put out on n8n 1.x, where its objects are proxies (vm2), as Sync roles (Apply) gets them there', async () => {
		// n8n 1.123.81 ran the example's Apply on the output of "The approved roles.json" and failed
		// with "#<Object> could not be cloned." (structuredClone refuses proxies).
		const proxied = (value: unknown): unknown =>
			value && typeof value === 'object' ? new Proxy(Array.isArray(value) ? value.map(proxied) : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, proxied(v)])), {}) : value;
		const own = await startSimulator({ product: 'vbr' });
		try {
			const fixture = new VeeamFixture(own);
			const fetched = [{ roles: proxied([FILE_RESTORE, SQL_BACKUP]) }] as IDataObject[];
			const plan = await fixture.run(node('Sync roles (Plan)').parameters, fetched);
			expect(plan.error?.message).toBeUndefined();
			const applyParameters = { ...node('Sync roles (Apply)').parameters, syncOptions: { ...(node('Sync roles (Apply)').parameters.syncOptions as Json), approvedPlanId: plan.json[0].planId } } as INodeParameters;
			const applied = await fixture.run(applyParameters, fetched);
			expect(applied.error?.message).toBeUndefined();
			expect(applied.json.map((s) => [s.name, s.result])).toEqual([
				[FILE_RESTORE.name, 'created'],
				[SQL_BACKUP.name, 'created'],
			]);
			const details = (own.product as unknown as VbrProduct).customRoles;
			const created = (own.product.snapshot() as { roles: VbrRole[] }).roles.filter((r) => !r.isBuiltIn);
			expect(created.map((r) => details.model(r))).toEqual([
				{ id: expect.any(String), ...FILE_RESTORE },
				{ id: expect.any(String), ...SQL_BACKUP },
			]);
		} finally {
			await own.close();
		}
	});

	it('a plan that is no longer the approved one applies nothing', async () => {
		const fetched = [{ roles: [FILE_RESTORE] }];
		const [summary] = runCode('Plan summary', await veeam('Sync roles (Plan)', fetched), { 'Which commit?': [{ commit: COMMIT }] });
		expect(summary.text).toBe('delete SQL Backup Operator');
		// The file changed again before the approval was used: Apply plans from it and refuses.
		const applyParameters = { ...node('Sync roles (Apply)').parameters, syncOptions: { ...(node('Sync roles (Apply)').parameters.syncOptions as Json), approvedPlanId: summary.planId } } as INodeParameters;
		const run = await h.run(applyParameters, [{ roles: [] }]);
		expect(run.error?.message).toMatch(/Approved Plan ID/);
		expect(customRoleNames()).toEqual([FILE_RESTORE.name, SQL_BACKUP.name]);
	});
});
