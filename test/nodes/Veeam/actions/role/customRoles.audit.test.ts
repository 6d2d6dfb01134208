/**
 * The custom-role client after the audit (sim/contracts/audits/2026-12-05-vbr-roles-acl-client.md,
 * D2, D3, D8, D9, D14), on Veeam's own examples (test/fixtures/veeam/vbr/, from
 * https://helpcenter.veeam.com/references/vbr/13/rest/1.3-rev2/tag/Users-and-Roles):
 * fields a server adds never make a change; secrets in scopes never leave the client but are sent
 * back as the server has them; one "serves 1.3-rev2" rule; a description the server leaves out is
 * not sent back as ""; Veeam's error examples give a clear error naming the role.
 */
import type { IDataObject, INode } from 'n8n-workflow';

import { REDACTED } from '../../../../../client/adapters/customRoleSecrets';
import { roleChanges, toCustomRoleSpec, type CustomRole } from '../../../../../client/adapters/customRoleSpec';
import { VbrCustomRoles } from '../../../../../client/adapters/vbrCustomRoles';
import { RequestGroup, VeeamApiError, type VeeamContext, type VeeamRequest } from '../../../../../client/transport';
import { loadExamples } from '../../../../support/veeamExamples';

const examples = loadExamples('vbr');
const example = (file: string) => {
	const found = examples.find((e) => e.file === file);
	if (!found) throw new Error(`no example ${file}`);
	return found;
};
const body = (file: string) => JSON.parse(JSON.stringify(example(file).body)) as IDataObject;

const NODE = { id: 'n', name: 'Veeam', type: 'n8n-nodes-veeam.veeam', typeVersion: 1, position: [0, 0], parameters: {} } as INode;
const ROLE_ID = 'a1b2c3d4-e5f6-7890-abcd-ef1234567890';

function client(answer: (req: VeeamRequest) => unknown, credentials: IDataObject = { apiVersion: '1.3-rev2' }) {
	const sent: VeeamRequest[] = [];
	const ctx = { getNode: () => NODE, getCredentials: async () => credentials } as unknown as VeeamContext;
	const roles = new VbrCustomRoles({
		ctx,
		group: new RequestGroup(),
		call: async <T>(req: VeeamRequest) => {
			sent.push(JSON.parse(JSON.stringify(req)) as VeeamRequest);
			return (await Promise.resolve(answer(req))) as T;
		},
		listUsers: async () => await Promise.resolve([]),
	});
	return { roles, sent };
}

/** Veeam's CustomRoleModelExample with what a server may add inside scope items. */
function withServerFields(role: IDataObject): IDataObject {
	const copy = JSON.parse(JSON.stringify(role)) as IDataObject & {
		inventoryScope: { workloads: Array<{ inventoryObjects: IDataObject[] }> };
		repositoryScope: { repositories: IDataObject[] };
	};
	const vm = copy.inventoryScope.workloads[0].inventoryObjects[0];
	Object.assign(vm, { aclInfo: { isAllowed: true }, urn: 'vc:vcenter01.tech.local;vm:vm-1023', size: '48 GB', powerState: 'PoweredOn', metadata: [{ key: 'k', value: 'v' }], name: 'web-srv-01 (renamed)' });
	vm.hostName = 'VCENTER01.tech.local';
	copy.repositoryScope.repositories[0] = { repositoryId: '3F2A8C14-9E7B-4D52-A1C6-0B9D4E8F1A23', repositoryName: 'Renamed repository', extra: 1 };
	return copy;
}

describe('D2: fields a server adds inside scope items never make a change', () => {
	const declared = toCustomRoleSpec(body('get-custom-role-details.200.json'));

	it("Veeam's example against itself plus aclInfo, urn, size, powerState, metadata, an echoed name, IDs in another case", () => {
		const server = withServerFields(body('get-custom-role-details.200.json')) as unknown as CustomRole;
		expect(roleChanges(declared, server)).toEqual([]);
	});

	it('still sees a real change: another object, an item more or less, another repository', () => {
		const server = withServerFields(body('get-custom-role-details.200.json')) as unknown as CustomRole & IDataObject;
		const other = JSON.parse(JSON.stringify(server)) as typeof server & { inventoryScope: { workloads: Array<{ inventoryObjects: IDataObject[] }> } };
		other.inventoryScope.workloads[0].inventoryObjects[0].objectId = 'vm-2000';
		expect(roleChanges(declared, other)).toEqual(['inventoryScope.workloads']);
		const more = JSON.parse(JSON.stringify(server)) as typeof other;
		more.inventoryScope.workloads[0].inventoryObjects.push({ platform: 'VSphere', name: 'db', type: 'VirtualMachine', hostName: 'vcenter01.tech.local', objectId: 'vm-7' });
		expect(roleChanges(declared, more)).toEqual(['inventoryScope.workloads']);
		const none = JSON.parse(JSON.stringify(server)) as typeof other;
		none.inventoryScope.workloads[0].inventoryObjects = [];
		expect(roleChanges(declared, none)).toEqual(['inventoryScope.workloads']);
		const repo = JSON.parse(JSON.stringify(server)) as typeof server & { repositoryScope: { repositories: IDataObject[] } };
		repo.repositoryScope.repositories.push({ repositoryId: '00000000-0000-4000-8000-000000000009' });
		expect(roleChanges(declared, repo)).toEqual(['repositoryScope.repositories']);
	});

	it('a declared workload that leaves a list out means it empty; a declared item field is compared', () => {
		const jobs = { entireInventory: false, workloads: [{ type: 'Jobs', jobs: [{ jobId: '00000000-0000-4000-8000-000000000001', jobName: 'A' }] }] };
		const spec = { ...declared, inventoryScope: { entireInventory: false, workloads: [{ type: 'Jobs' }] } };
		expect(roleChanges(spec, { ...declared, id: ROLE_ID, inventoryScope: jobs } as CustomRole)).toEqual(['inventoryScope.workloads']);
		const backups = (type: string) => ({ entireInventory: false, workloads: [{ type: 'Backups', backups: [{ backupId: '00000000-0000-4000-8000-000000000002', type }] }] });
		expect(roleChanges({ ...declared, inventoryScope: backups('Snapshot') }, { ...declared, id: ROLE_ID, inventoryScope: backups('Backup') } as CustomRole)).toEqual(['inventoryScope.workloads']);
	});
});

const TENANT = '6a9d3c1e-2b4f-4e8a-9c7d-1f2e3a4b5c6d';
const SECRET = 'entra-client-secret-8Hq2';
const PFX = 'TUlJS2VBSUJBekNDQ2o0R0NTcUdTSWIzRFFFSEFhQ0NDaTh=';
const PFX_PASSWORD = 'pfx-password-77';
const entraScope = (authentication: IDataObject | undefined) => ({
	entireInventory: false,
	workloads: [
		{
			type: 'EntraIdTenant',
			inventoryObjects: [{ id: TENANT, cacheRepositoryId: '3f2a8c14-9e7b-4d52-a1c6-0b9d4e8f1a23', ...(authentication ? { authentication } : {}) }],
		},
	],
});
const AUTH = { applicationId: 'app-1', secret: SECRET, certificate: { certificate: PFX, formatType: 'Pfx', password: PFX_PASSWORD } };

describe('D3: secrets in scopes (EntraIDTenantModel.authentication)', () => {
	const server = () => ({ ...body('get-custom-role-details.200.json'), inventoryScope: entraScope(AUTH) });

	it('are [redacted] in what the client hands out, and a PUT of that model sends the server\'s values back', async () => {
		const { roles, sent } = client((req) => (req.method === 'PUT' ? req.body : server()));
		const role = await roles.details(ROLE_ID);
		const text = JSON.stringify(role);
		for (const secret of [SECRET, PFX, PFX_PASSWORD]) expect(text).not.toContain(secret);
		expect(role?.inventoryScope).toEqual(entraScope({ applicationId: 'app-1', secret: REDACTED, certificate: { certificate: REDACTED, formatType: 'Pfx', password: REDACTED } }));
		// Declared back (the output of Get with details): no change.
		expect(roleChanges(toCustomRoleSpec(role as unknown as IDataObject), server() as unknown as CustomRole)).toEqual([]);

		const updated = await roles.update({ ...role!, description: 'new' });
		const put = sent.find((r) => r.method === 'PUT')!;
		expect((put.body as IDataObject).inventoryScope).toEqual(entraScope(AUTH));
		expect(put.secrets).toEqual(expect.arrayContaining([SECRET, PFX, PFX_PASSWORD]));
		expect(JSON.stringify(updated)).not.toContain(SECRET);

		// A model naming the tenant without its authentication keeps the server's (a PUT replaces the whole model).
		await roles.update({ ...role!, inventoryScope: entraScope(undefined) });
		expect((sent.filter((r) => r.method === 'PUT')[1].body as IDataObject).inventoryScope).toEqual(entraScope(AUTH));
	});

	it('a [redacted] this client did not read is refused, nothing sent, naming the field and the role', async () => {
		const { roles, sent } = client(() => ({}));
		const spec = { name: 'Tenant Restores', manageBackups: false, manageRestores: true, inventoryScope: entraScope({ applicationId: 'app-1', secret: REDACTED }) };
		await expect(roles.create(spec)).rejects.toThrow(
			'The custom role "Tenant Restores" holds "[redacted]" at inventoryScope.workloads[0].inventoryObjects[0].authentication.secret: nothing was sent',
		);
		await expect(roles.update({ ...spec, id: ROLE_ID })).rejects.toThrow('inventoryObjects[0].authentication.secret: nothing was sent');
		expect(sent).toEqual([]);
	});

	it('a create with a real secret sends it (scrubbed from a server\'s echo) and hands out the answer redacted', async () => {
		const { roles, sent } = client((req) => ({ ...(req.body as IDataObject), id: ROLE_ID }));
		const created = await roles.create({ name: 'Tenant Restores', manageBackups: false, manageRestores: true, inventoryScope: entraScope(AUTH) });
		expect((sent[0].body as IDataObject).inventoryScope).toEqual(entraScope(AUTH));
		expect(sent[0].secrets).toEqual(expect.arrayContaining([SECRET, PFX, PFX_PASSWORD]));
		expect(JSON.stringify(created)).not.toContain(SECRET);
		expect(JSON.stringify(created)).not.toContain(PFX_PASSWORD);
	});
});

describe('D8: one "serves 1.3-rev2" rule for roles and the ACL', () => {
	it.each(['1.2-rev1', '1.3-rev1', '1.3-rev0', '1.1-rev9', 'v13'])('%s (a pinned or Custom version) is refused before anything is sent', async (version) => {
		const { roles, sent } = client(() => ({}), { apiVersion: 'custom', customApiVersion: version });
		await expect(roles.create({ name: 'x', manageBackups: false, manageRestores: true })).rejects.toThrow(`Custom roles need Veeam Backup & Replication 13.1 (REST API 1.3-rev2); this server speaks ${version}`);
		await expect(roles.checkVersion()).rejects.toThrow('this server speaks');
		expect(sent).toEqual([]);
	});

	it.each(['1.3-rev2', '1.3-rev3', '1.4-rev0'])('%s is served', async (version) => {
		const { roles } = client(() => body('get-custom-role-details.200.json'), { apiVersion: 'custom', customApiVersion: version });
		await expect(roles.checkVersion()).resolves.toBeUndefined();
		expect(await roles.details(ROLE_ID)).toMatchObject({ id: ROLE_ID });
	});
});

describe('D9: a description the server leaves out', () => {
	it('stays out: not output as "" and not PUT back as ""', async () => {
		const withoutDescription = body('get-custom-role-details.200.json');
		delete withoutDescription.description;
		const { roles, sent } = client((req) => (req.method === 'PUT' ? req.body : withoutDescription));
		const role = await roles.details(ROLE_ID);
		expect(role).not.toHaveProperty('description');
		await roles.update({ ...role!, manageBackups: true });
		expect(sent.find((r) => r.method === 'PUT')!.body).not.toHaveProperty('description');
	});
});

describe("D14: Veeam's Get Role example and error examples through the role client", () => {
	const apiError = (file: string, req: VeeamRequest) => {
		const e = example(file);
		const ctx = { getNode: () => NODE } as unknown as VeeamContext;
		return new VeeamApiError(ctx, { req, baseUrl: 'https://vbr.example:9419', apiVersion: '1.3-rev2', tls: {}, secrets: [] }, { status: e.status!, body: e.body });
	};

	it('ViewUserRole (role-get.rev2.json): the role as the list shows it', async () => {
		const answer = body('role-get.rev2.json');
		const { roles, sent } = client(() => answer);
		expect(await roles.get(String(answer.id))).toEqual({ id: answer.id, name: 'Backup Administrator', description: 'Built-in role with full privileges' });
		expect(sent).toEqual([{ method: 'GET', path: `/api/v1/security/roles/${String(answer.id)}` }]);
	});

	it('CreateCustomRole 400: an error naming the role, still a 400 (the caller looks the name up)', async () => {
		const { roles } = client((req) => Promise.reject(apiError('create-custom-role.400.json', req)));
		const error = (await roles.create(toCustomRoleSpec(body('create-custom-role.request.json'))).catch((e: unknown) => e)) as VeeamApiError;
		expect(error).toBeInstanceOf(VeeamApiError);
		expect(error.status).toBe(400);
		expect(error.message).toBe('Creating the custom role "Restore Operator": Veeam: One or more request parameters are not valid.');
	});

	it('UpdateCustomRole 404: an error naming the role and its ID; DeleteCustomRole 404: absent', async () => {
		const { roles } = client((req) => Promise.reject(apiError('update-custom-role.404.json', req)));
		const request = body('update-custom-role.request.json') as unknown as CustomRole;
		const error = (await roles.update(request).catch((e: unknown) => e)) as VeeamApiError;
		expect(error.status).toBe(404);
		expect(error.message).toBe(`Changing the custom role "${request.name}" (ID ${ROLE_ID}): Veeam: Resource does not exist`);
		const del = client((req) => Promise.reject(apiError('delete-custom-role.404.json', req)));
		expect(await del.roles.delete(ROLE_ID)).toBe('absent');
	});
});
