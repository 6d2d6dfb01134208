/**
 * The VBR custom-role client (client/adapters/vbrCustomRoles.ts) and the declared-role rules
 * (customRoleSpec.ts) on Veeam's own example payloads (test/fixtures/veeam/vbr/, copied from
 * https://helpcenter.veeam.com/references/vbr/13/rest/1.3-rev2/tag/Users-and-Roles): every example
 * answer is read by the client, every example request passes the checks a declared role passes.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { customRoleProblems, roleChanges, toCustomRoleSpec, type CustomRole } from '../../../../../client/adapters/customRoleSpec';
import { VbrCustomRoles } from '../../../../../client/adapters/vbrCustomRoles';
import { RequestGroup, VeeamApiError, type VeeamContext, type VeeamRequest } from '../../../../../client/transport';
import { loadExamples } from '../../../../support/veeamExamples';

const examples = loadExamples('vbr');
const example = (file: string) => {
	const found = examples.find((e) => e.file === file);
	if (!found) throw new Error(`no example ${file}`);
	return found.body as IDataObject;
};

const NODE = { id: 'n', name: 'Veeam', type: 'n8n-nodes-veeam.veeam', typeVersion: 1, position: [0, 0], parameters: {} } as INode;

/** A client whose requests are answered by `answer` (and recorded), with the credential `credentials`. */
function client(answer: (req: VeeamRequest) => unknown, credentials: IDataObject = { apiVersion: '1.3-rev2' }) {
	const sent: VeeamRequest[] = [];
	const ctx = { getNode: () => NODE, getCredentials: async () => credentials } as unknown as VeeamContext;
	const roles = new VbrCustomRoles({
		ctx,
		group: new RequestGroup(),
		call: async <T>(req: VeeamRequest) => {
			sent.push(req);
			return (await Promise.resolve(answer(req))) as T;
		},
		listUsers: async () => await Promise.resolve([]),
	});
	return { roles, sent };
}

const ROLE_ID = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';

describe("VbrCustomRoles reads Veeam's examples", () => {
	it('GetCustomRoleDetails: the whole CustomRoleModel, which declares back without a problem', async () => {
		const body = example('get-custom-role-details.200.json');
		const { roles, sent } = client(() => body);
		const role = await roles.details(ROLE_ID);
		expect(role).toEqual(body);
		expect(sent).toEqual([{ method: 'GET', path: `/api/v1/security/roles/${ROLE_ID}/details` }]);
		expect(customRoleProblems(role)).toEqual([]);
		expect(roleChanges(toCustomRoleSpec(role as unknown as IDataObject), role as CustomRole)).toEqual([]);
	});

	it('CreateCustomRole: the request passes the declared-role checks; the 201 answer is read', async () => {
		const request = example('create-custom-role.request.json');
		expect(customRoleProblems(request)).toEqual([]);
		const answer = example('create-custom-role.201.json');
		// Veeam's request names "Restore Operator", its answer "Custom Restore Operator" (audit row 12):
		// an answer naming another role is not taken for the one created.
		const { roles, sent } = client(() => answer);
		await expect(roles.create(toCustomRoleSpec(request))).rejects.toThrow('Veeam answered POST /api/v1/security/roles with another role (Custom Restore Operator) than "Restore Operator"');
		expect(sent[0]).toMatchObject({ method: 'POST', path: '/api/v1/security/roles', idempotent: false, body: request });
		const created = await roles.create({ ...toCustomRoleSpec(request), name: 'Custom Restore Operator' });
		expect(created).toEqual(answer);
	});

	it('UpdateCustomRole: the request is a whole model; the answer must echo the ID', async () => {
		const request = example('update-custom-role.request.json');
		expect(customRoleProblems(request)).toEqual([]);
		const answer = example('update-custom-role.200.json');
		const { roles, sent } = client(() => answer);
		expect(await roles.update(request as unknown as CustomRole)).toEqual(answer);
		expect(sent[0]).toMatchObject({ method: 'PUT', path: `/api/v1/security/roles/${ROLE_ID}`, body: request });
		const other = client(() => ({ ...answer, id: 'b2c3d4e5-f6a7-8901-bcde-f23456789012' }));
		await expect(other.roles.update(request as unknown as CustomRole)).rejects.toThrow(`Veeam answered PUT /api/v1/security/roles/${ROLE_ID} with another role`);
	});

	it('CloneCustomRole: a new role named {name}_Clone; the original echoed back is refused', async () => {
		const answer = example('clone-custom-role.201.json');
		const { roles, sent } = client(() => answer);
		expect(await roles.clone(ROLE_ID)).toEqual(answer);
		expect(sent[0]).toMatchObject({ method: 'POST', path: `/api/v1/security/roles/${ROLE_ID}/clone`, idempotent: false });
		await expect(roles.clone(answer.id as string)).rejects.toThrow('with the original role instead of a copy');
	});

	it('ViewAllRestoreOptions and ViewAllUserRoles (isBuiltInFilter, checked on the answer too)', async () => {
		const options = client(() => example('get-all-restore-options.200.json'));
		expect(await options.roles.restoreOptions()).toEqual([
			expect.objectContaining({ code: 0, name: 'FileLevelRestore' }),
			expect.objectContaining({ code: 1, name: 'VolumeRestore' }),
		]);
		// The example lists a built-in and a custom role: a server that ignored the filter lets no built-in through.
		const list = client(() => example('roles-list.rev2.json'));
		const custom = await list.roles.list({ builtIn: false });
		expect(custom).toEqual([{ id: ROLE_ID, name: 'Restore Operator', description: 'Custom role limited to restore operations', isBuiltIn: false }]);
		expect(list.sent[0].qs).toMatchObject({ isBuiltInFilter: false });
		expect((await list.roles.list({ namePattern: 'backup*' })).map((r) => r.name)).toEqual(['Backup Administrator']);
	});

	it("Veeam's 404 examples (DeleteCustomRole, UpdateCustomRole): the role is absent", async () => {
		const notFound = (file: string, req: VeeamRequest) => {
			const e = examples.find((x) => x.file === file);
			if (!e) throw new Error(file);
			const ctx = { getNode: () => NODE } as unknown as VeeamContext;
			return new VeeamApiError(ctx, { req, baseUrl: 'https://vbr.example:9419', apiVersion: '1.3-rev2', tls: {}, secrets: [] }, { status: 404, body: e.body });
		};
		const del = client((req) => Promise.reject(notFound('delete-custom-role.404.json', req)));
		expect(await del.roles.delete(ROLE_ID)).toBe('absent');
		const details = client((req) => Promise.reject(notFound('update-custom-role.404.json', req)));
		expect(await details.roles.details(ROLE_ID)).toBeUndefined();
		expect(await details.roles.get(ROLE_ID)).toBeUndefined();
		// Another role's NotFound (resourceId) is not this role's absence.
		const other = client((req) => Promise.reject(notFound('delete-custom-role.404.json', req)));
		await expect(other.roles.details('b2c3d4e5-f6a7-8901-bcde-f23456789012')).rejects.toThrow();
	});

	it('an answer that is not a role is refused', async () => {
		const { roles } = client(() => ({ id: 'not-a-uuid', name: 'x', manageBackups: true, manageRestores: true }));
		await expect(roles.details(ROLE_ID)).rejects.toThrow('with a role without a UUID and a name');
		const noFlags = client(() => ({ id: ROLE_ID, name: 'x' }));
		await expect(noFlags.roles.details(ROLE_ID)).rejects.toThrow('without manageBackups and manageRestores');
	});
});

describe('custom roles need REST 1.3-rev2', () => {
	const message = 'Custom roles need Veeam Backup & Replication 13.1 (REST API 1.3-rev2); this server speaks 1.3-rev1';

	it('pinned 1.3-rev1: refused before any request', async () => {
		const { roles, sent } = client(() => ({}), { apiVersion: '1.3-rev1' });
		await expect(roles.details(ROLE_ID)).rejects.toThrow(message);
		await expect(roles.create({ name: 'x', manageBackups: false, manageRestores: true })).rejects.toThrow(message);
		await expect(roles.list({ builtIn: false })).rejects.toThrow(message);
		expect(sent).toEqual([]);
	});

	it('Automatic with 1.3-rev1 kept with the token: refused before any request', async () => {
		const { roles, sent } = client(() => ({}), { apiVersion: 'auto', apiVersionFound: '1.3-rev1' });
		await expect(roles.delete(ROLE_ID)).rejects.toThrow(message);
		expect(sent).toEqual([]);
	});
});
