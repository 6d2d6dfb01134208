/**
 * Review findings #1, #6 and #7 on issue 27 (/tmp/team/review-findings.md):
 * #1 `RoleModel.isBuiltIn` is not required in Veeam's spec (Veeam's RoleModelExample has none,
 *    https://helpcenter.veeam.com/references/vbr/13/rest/1.3-rev2/tag/Users-and-Roles): a server
 *    that leaves it out, and ignores `isBuiltInFilter`, must not make built-in roles look custom
 *    (the client's list classifies them; Sync deletes a role only when its details confirm a custom
 *    role; a delete answered NotFound is done only when the role list no longer shows the role).
 * #6 a created role is reported created only when its details show what was sent.
 * #7 the safety limit's percentage holds for the custom roles on their own too.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { VbrCustomRoles } from '../../../../../client/adapters/vbrCustomRoles';
import { RequestGroup, VeeamApiError, type VeeamContext, type VeeamRequest } from '../../../../../client/transport';
import { VBR_DEFAULT_PASSWORD, type SimServer } from '../../../../../sim';
import type { VbrRole } from '../../../../../sim/vbr/roles';
import { safetyLimitProblem } from '../../../../../nodes/Veeam/actions/user/sync.plan';
import { simClient } from '../../../../support/simClient';
import { ROLE_IDS, useSimulator, type VeeamFixture } from '../../fixtures';

const ROLES = '/api/v1/security/roles';
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const custom = (n: number, name: string): VbrRole => ({ id: id(n), name, description: `${name} role`, isBuiltIn: false, permissions: ['ViewBackups', 'StartRestore'] });
/** The simulator's built-in Tape Operator (sim/vbr/roles.ts). */
const TAPE_OPERATOR = '9c1b5e48-2f6d-4d0a-8e37-b6a2c4f1d978';
const CUSTOM: VbrRole[] = [custom(1, 'Ops-Restore'), custom(2, 'Ops-Old')];

describe('VbrCustomRoles.list with a built-in/custom filter, roles listed without isBuiltIn', () => {
	const NODE = { id: 'n', name: 'Veeam', type: 'n8n-nodes-veeam.veeam', typeVersion: 1, position: [0, 0], parameters: {} } as INode;
	const BUILT_IN = [
		{ id: ROLE_IDS.backupAdministrator, name: 'Backup Administrator' },
		{ id: ROLE_IDS.restoreOperator, name: 'Restore Operator' },
	];
	const CUSTOMS = [{ id: id(1), name: 'Ops-Restore' }];

	/** A server answering the list without isBuiltIn, honouring the filter or not; details 404 for built-ins. */
	function client(honoursFilter: boolean) {
		const sent: string[] = [];
		const ctx = { getNode: () => NODE, getCredentials: async () => await Promise.resolve({ apiVersion: '1.3-rev2' }) } as unknown as VeeamContext;
		const roles = new VbrCustomRoles({
			ctx,
			group: new RequestGroup(),
			listUsers: async () => await Promise.resolve([]),
			call: async <T>(req: VeeamRequest) => {
				const filter = req.qs?.isBuiltInFilter;
				sent.push(`${req.method} ${req.path}${filter === undefined ? '' : ` isBuiltInFilter=${String(filter)}`}`);
				if (req.path === ROLES) {
					const data = !honoursFilter || filter === undefined ? [...BUILT_IN, ...CUSTOMS] : filter === true ? BUILT_IN : CUSTOMS;
					return await Promise.resolve({ data, pagination: { total: data.length, count: data.length, skip: 0, limit: 200 } } as T);
				}
				const roleId = req.path.split('/')[5];
				const found = CUSTOMS.find((r) => r.id === roleId);
				if (!found) {
					const body = { errorCode: 'NotFound', message: 'Resource does not exist', resourceId: roleId };
					throw new VeeamApiError(ctx, { req, baseUrl: 'https://vbr.example:9419', apiVersion: '1.3-rev2', tls: {}, secrets: [] }, { status: 404, body });
				}
				return await Promise.resolve({ ...found, manageBackups: false, manageRestores: true } as T);
			},
		});
		return { roles, sent };
	}

	it('a server honouring the filter: one more list (the opposite filter), no details; each role returned with isBuiltIn', async () => {
		const { roles, sent } = client(true);
		expect(await roles.list({ builtIn: false })).toEqual([{ id: id(1), name: 'Ops-Restore', isBuiltIn: false }]);
		expect(sent).toEqual([`GET ${ROLES} isBuiltInFilter=false`, `GET ${ROLES} isBuiltInFilter=true`]);
		sent.length = 0;
		expect((await roles.list({ builtIn: true })).map((r) => [r.name, r.isBuiltIn])).toEqual([
			['Backup Administrator', true],
			['Restore Operator', true],
		]);
		expect(sent).toEqual([`GET ${ROLES} isBuiltInFilter=true`, `GET ${ROLES} isBuiltInFilter=false`]);
	});

	it('a server ignoring the filter: the roles in both lists classified by their details (NotFound: built-in)', async () => {
		const { roles, sent } = client(false);
		expect(await roles.list({ builtIn: false })).toEqual([{ id: id(1), name: 'Ops-Restore', isBuiltIn: false }]);
		expect(sent.filter((s) => s.endsWith('/details'))).toHaveLength(3);
		expect(sent.filter((s) => !s.endsWith('/details'))).toEqual([`GET ${ROLES} isBuiltInFilter=false`, `GET ${ROLES} isBuiltInFilter=true`]);
		expect((await roles.list({ builtIn: true }, 1)).map((r) => r.name)).toEqual(['Backup Administrator']);
	});
});

describe('User → Sync and Role Get Many against a server that leaves out isBuiltIn and ignores isBuiltInFilter', () => {
	let sim: SimServer;
	let h: VeeamFixture;
	useSimulator({ product: 'vbr', vbr: { customRoles: CUSTOM } }, (s, f) => {
		sim = s;
		h = f;
	});

	async function adminClient() {
		const anonymous = simClient(sim, { apiVersion: '1.3-rev2' });
		const login = await anonymous.post(
			'/api/oauth2/token',
			new URLSearchParams({ grant_type: 'password', username: 'VBR01\\admin', password: VBR_DEFAULT_PASSWORD }).toString(),
			{ headers: { 'content-type': 'application/x-www-form-urlencoded' } },
		);
		return simClient(sim, { apiVersion: '1.3-rev2', token: (login.data as { access_token: string }).access_token });
	}

	/**
	 * From now on the role list answers every role the server has now (`tweak` applied), without
	 * isBuiltIn, whatever the filter (a fixed answer); a role's own paths are answered as usual.
	 */
	async function listWithoutIsBuiltIn(tweak: (roles: IDataObject[]) => IDataObject[] = (r) => r) {
		const admin = await adminClient();
		const all = ((await admin.get(ROLES)).data as { data: IDataObject[] }).data.map((r) => {
			const copy = { ...r };
			delete copy.isBuiltIn;
			return copy;
		});
		const data = tweak(all);
		// First queued wins: a role's own paths (`/roles/{id}…`) take this no-op fault, the list the answer.
		sim.addFault({ kind: 'delay', ms: 0, method: 'GET', pathIncludes: `${ROLES}/`, count: 1000 });
		sim.addFault({ kind: 'answer', status: 200, method: 'GET', pathIncludes: ROLES, count: 1000, body: { data, pagination: { total: data.length, count: data.length, skip: 0, limit: 200 } } });
		sim.stats.reset();
	}

	const sync = (params: IDataObject) => ({
		resource: 'user',
		operation: 'sync',
		manage: 'customRoles',
		customRoles: '[]',
		syncOptions: { maxRemovalPercent: 100, maxRemovals: 100 },
		...params,
	});
	const deletesSent = () => sim.stats.recent.filter((r) => r.startsWith('DELETE '));

	it('Plan with [] over every custom role deletes the custom roles only, not the built-in ones', async () => {
		await listWithoutIsBuiltIn();
		const run = await h.run(sync({ customRoleScope: 'all', syncMode: 'plan' }), [{}]);
		expect(run.error).toBeUndefined();
		expect(run.json.filter((j) => j.action === 'delete').map((j) => j.name)).toEqual(['Ops-Old', 'Ops-Restore']);
	});

	it('Role Get Many, Kind Custom: the custom roles only', async () => {
		await listWithoutIsBuiltIn();
		const run = await h.run({ resource: 'role', operation: 'getMany', returnAll: true, roleKind: 'custom' });
		expect(run.error).toBeUndefined();
		expect(run.json.map((j) => j.name)).toEqual(['Ops-Old', 'Ops-Restore']);
	});

	it('Apply never deletes a role whose details the server does not give (a built-in listed as custom): refused, no DELETE', async () => {
		// A server that even says isBuiltIn: false of the built-in Tape Operator (held by nobody).
		await listWithoutIsBuiltIn((roles) => roles.map((r) => (r.id === TAPE_OPERATOR ? { ...r, isBuiltIn: false } : r)));
		const run = await h.run(sync({ customRoleScope: 'namePattern', customRoleNamePattern: 'Tape*', syncMode: 'apply' }), [{}], { continueOnFail: true });
		expect(deletesSent()).toEqual([]);
		const step = run.json.find((j) => j.name === 'Tape Operator');
		expect(step).toMatchObject({ action: 'delete', result: 'failed' });
		expect(String(step?.error)).toContain('gives no custom-role details of it');
	});

	it('a delete Veeam answers NotFound is not alreadyAbsent while the role list still shows the role', async () => {
		sim.addFault({ kind: 'answer', status: 404, method: 'DELETE', pathIncludes: `${ROLES}/${id(2)}`, body: { errorCode: 'NotFound', message: 'Resource does not exist', resourceId: id(2) } });
		const run = await h.run(sync({ customRoles: JSON.stringify([{ name: 'Ops-Restore', description: 'Ops-Restore role', manageBackups: false, manageRestores: true }]), customRoleScope: 'namePattern', customRoleNamePattern: 'Ops-*', syncMode: 'apply' }), [{}], {
			continueOnFail: true,
		});
		const step = run.json.find((j) => j.name === 'Ops-Old');
		expect(step).toMatchObject({ action: 'delete', result: 'failed' });
		expect(String(step?.error)).toContain('the role list still shows it');
	});
});

describe('User → Sync: a created role is read back by its details (#6)', () => {
	let sim: SimServer;
	let h: VeeamFixture;
	useSimulator({ product: 'vbr', vbr: { customRoles: CUSTOM } }, (s, f) => {
		sim = s;
		h = f;
	});

	const declared = JSON.stringify([{ name: 'New-Restore', description: 'new', manageBackups: false, manageRestores: true, repositoryScope: { allRepositories: true } }]);
	const params = { resource: 'user', operation: 'sync', manage: 'customRoles', customRoles: declared, customRoleScope: 'namePattern', customRoleNamePattern: 'New-*', syncMode: 'apply' };

	it('created as declared: result created, role is the details read back (one GET details)', async () => {
		sim.stats.reset();
		const run = await h.run(params, [{}]);
		expect(run.error).toBeUndefined();
		expect(run.json[0]).toMatchObject({ action: 'create', result: 'created', role: { name: 'New-Restore', manageRestores: true, repositoryScope: { allRepositories: true } } });
		expect(sim.stats.byRoute[`GET ${ROLES}/:id/details`]).toBe(1);
	});

	it('a server whose created role does not have the permissions sent: failed, naming the fields', async () => {
		// Every details read of this run shows manageBackups on (the role was sent with it off).
		sim.addFault({ kind: 'patch', method: 'GET', pathIncludes: '/details', set: { manageBackups: true }, count: 10 });
		const run = await h.run(params, [{}], { continueOnFail: true });
		expect(run.json[0]).toMatchObject({ action: 'create', result: 'failed' });
		expect(String(run.json[0].error)).toContain('its details differ from what was sent in manageBackups');
		expect(run.json[0].role).toBeUndefined();
	});
});

describe('the safety limit counts custom role deletions on their own too (#7)', () => {
	const limit = { maxRemovals: 10, maxRemovalPercent: 30 };

	it('200 users, none removed, and 8 of 8 custom roles deleted: refused (3.8 % of all, 100 % of the roles)', () => {
		expect(safetyLimitProblem({ users: { revoked: 0, managed: 200 }, roles: { deleted: 8, managed: 8 } }, limit)).toBe(
			'the plan deletes 8 of 8 managed custom roles (100 % of the custom roles), more than the safety limit allows (at most 30 %, counted for the custom roles on their own too)',
		);
	});

	it('within the limit for the roles on their own and for all: allowed', () => {
		expect(safetyLimitProblem({ users: { revoked: 2, managed: 200 }, roles: { deleted: 2, managed: 8 } }, limit)).toBeUndefined();
	});
});
