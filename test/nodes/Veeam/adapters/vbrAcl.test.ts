/**
 * The ACL client (client/adapters/vbrAcl.ts) against Veeam's own ACL examples
 * (test/fixtures/veeam/vbr/get-acl-*.json, change-acl-*.json, from the 1.3-rev2 reference): every
 * record they show is read, `object.type` in either spelling; the requests it sends have the shape of
 * Veeam's example requests; answers it must not trust are refused.
 */
import type { INode } from 'n8n-workflow';

import { aclObjectTypeOf, matchesAclFilter, parseAclRecord, servesAcl, VbrAclClient, type AclRecord } from '../../../../client/adapters/vbrAcl';
import { RequestGroup, type VeeamContext, type VeeamRequest } from '../../../../client/transport';
import { loadExamples, shapeProblems } from '../../../support/veeamExamples';

const EXAMPLES = loadExamples('vbr').filter((e) => /^(get|change)-acl-/.test(e.file));
const example = (file: string) => EXAMPLES.find((e) => e.file === file)!;
const RESTORE_OPERATOR = '7a8b9c0d-1e2f-4304-95a6-b7c8d9e0f102';

describe('Veeam’s ACL examples, read by the ACL client', () => {
	it('are all there', () => {
		expect(EXAMPLES.map((e) => e.file).sort()).toEqual(
			[
				'change-acl-effective-access.200.json',
				'change-acl-effective-access.400.json',
				'change-acl-effective-access.request.json',
				'change-acl-owner.200.json',
				'change-acl-owner.403.json',
				'change-acl-owner.request.json',
				'get-acl-record.200.json',
				'get-acl-record.404.json',
				'get-acl-rules.200.json',
				'get-acl-rules.request.json',
			].sort(),
		);
	});

	it.each(['get-acl-record.200.json', 'change-acl-owner.200.json', 'change-acl-effective-access.200.json'])('%s: the record, its "Job" read as backupJob', (file) => {
		const body = example(file).body as { object: { id: string }; principal: { owner: { name: string; userIdentifier: string } } };
		const record = parseAclRecord(body) as AclRecord;
		expect(record).toMatchObject({ type: 'backupJob', id: body.object.id.toLowerCase(), owner: body.principal.owner, rights: ['full'], delegationsShown: true });
		expect(record.effectiveAccess).toEqual([{ roleId: RESTORE_OPERATOR, roleName: 'Restore Operator', roleDescription: 'Built-in role with restore privileges', rights: ['restore'] }]);
		expect(matchesAclFilter(record, { type: 'backupJob', roleId: RESTORE_OPERATOR.toUpperCase(), owner: body.principal.owner.userIdentifier })).toBe(true);
		expect(matchesAclFilter(record, { type: 'backup' })).toBe(false);
	});

	it('get-acl-rules.200.json: each record of the list, without delegations shown', () => {
		const body = example('get-acl-rules.200.json').body as { data: unknown[] };
		const records = body.data.map((r) => parseAclRecord(r) as AclRecord);
		expect(records).toEqual([
			{ type: 'backupJob', id: '5ff0e0eb-45cf-48cc-9677-7613fc79bc11', owner: { userIdentifier: 'S-1-5-21-1004336348-1177238915-682003330-512', name: 'TECH\\Administrator' }, rights: ['full'], effectiveAccess: [], delegationsShown: false },
		]);
	});

	it.each([
		['Job', 'backupJob'],
		['JOB', 'backupJob'],
		['backupJob', 'backupJob'],
		['BackupJob', 'backupJob'],
		['Backup', 'backup'],
		['backup', 'backup'],
		['Replica', undefined],
		['', undefined],
		[7, undefined],
	])('object.type %p reads as %p', (given, expected) => {
		expect(aclObjectTypeOf(given)).toBe(expected);
	});

	it('refuses records it cannot rely on: an unknown object type or right, an ID that is no UUID, a delegation without a role', () => {
		const base = example('get-acl-record.200.json').body as Record<string, Record<string, unknown>>;
		const variant = (object: unknown, principal: unknown) => parseAclRecord({ object: { ...base.object, ...(object as object) }, principal: { ...base.principal, ...(principal as object) } });
		expect(variant({ type: 'Replica' }, {})).toMatch(/object type "Replica"/);
		expect(variant({ id: '1' }, {})).toMatch(/object.id is not a UUID/);
		expect(variant({}, { rights: ['full', 'admin'] })).toMatch(/rights include "admin"/);
		expect(variant({}, { effectiveAccess: [{ principal: { name: 'x' }, rights: ['restore'] }] })).toMatch(/delegates to a role without a UUID/);
		expect(variant({}, { owner: { name: 'x' } })).toMatch(/no owner name and identifier/);
	});

	it('needs 1.3-rev2 or later', () => {
		expect(['1.3-rev2', '1.3-rev3', '1.4-rev0', '2.0-rev0'].map(servesAcl)).toEqual([true, true, true, true]);
		expect(['1.3-rev1', '1.2-rev9', '1.3-rev0', 'auto', ''].map(servesAcl)).toEqual([false, false, false, false, false]);
	});
});

describe('the requests the ACL client sends have the shape of Veeam’s example requests', () => {
	function client(answer: (req: VeeamRequest) => unknown): { acl: VbrAclClient; sent: VeeamRequest[] } {
		const sent: VeeamRequest[] = [];
		const node = { name: 'Veeam' } as INode;
		const ctx = { getNode: () => node, getCredentials: async () => ({ apiVersion: '1.3-rev2' }) } as unknown as VeeamContext;
		const acl = new VbrAclClient({
			ctx,
			group: new RequestGroup(),
			call: async <T>(req: VeeamRequest) => {
				sent.push(req);
				return answer(req) as T;
			},
		});
		return { acl, sent };
	}
	const record = (id: string) => ({ ...(example('get-acl-record.200.json').body as object), object: { id, type: 'backupJob' } });
	const JOB = '6f1c2b3a-4d5e-4f60-8a71-92b3c4d5e601';

	it('POST /acl: the pagination of AclBrowserFiltersExample; forceReload on request', async () => {
		const { acl, sent } = client(() => example('get-acl-rules.200.json').body);
		expect(await acl.list({}, { forceReload: true })).toHaveLength(1);
		expect(sent).toHaveLength(1);
		expect(sent[0]).toMatchObject({ method: 'POST', path: '/api/v1/acl', qs: { forceReload: true } });
		expect(shapeProblems(example('get-acl-rules.request.json').body, sent[0].body, '$', false)).toEqual([]);
	});

	it('changeOwner and changeEffectiveAccess: the bodies of Veeam’s examples; the answer must echo the path’s object', async () => {
		const { acl, sent } = client(() => record(JOB));
		await acl.changeOwner('backupJob', JOB, 'TECH\\sheila.d.cory');
		await acl.changeEffectiveAccess('backupJob', JOB, [{ roleId: RESTORE_OPERATOR, roleName: 'Restore Operator', roleDescription: 'Built-in role with restore privileges', rights: ['restore'] }]);
		expect(sent.map((r) => `${r.method} ${r.path}`)).toEqual([`POST /api/v1/acl/backupJob/${JOB}/changeOwner`, `POST /api/v1/acl/backupJob/${JOB}/changeEffectiveAccess`]);
		expect(sent[0].body).toEqual(example('change-acl-owner.request.json').body);
		expect(shapeProblems(example('change-acl-effective-access.request.json').body, sent[1].body, '$', false)).toEqual([]);

		// A listing after a change of this client resets the server's cache.
		const listed = client((req) => (req.path === '/api/v1/acl' ? example('get-acl-rules.200.json').body : record(JOB)));
		await listed.acl.list();
		await listed.acl.changeOwner('backupJob', JOB, 'TECH\\sheila.d.cory');
		await listed.acl.list();
		expect(listed.sent.filter((r) => r.path === '/api/v1/acl').map((r) => r.qs)).toEqual([undefined, { forceReload: true }]);

		const other = client(() => record('5ff0e0eb-45cf-48cc-9677-7613fc79bc11'));
		await expect(other.acl.changeOwner('backupJob', JOB, 'TECH\\x')).rejects.toThrow(/with the record of another object \(backupJob 5ff0e0eb-/);
		await expect(other.acl.record('backup', '5ff0e0eb-45cf-48cc-9677-7613fc79bc11')).rejects.toThrow(/with the record of another object/);
	});

	it('names(): Veeam’s Get All Backups and Get All Jobs examples read, the jobs example’s paging followed ({"total":3,"count":1,"limit":1})', async () => {
		const all = loadExamples('vbr');
		const backups = all.find((e) => e.file === 'get-all-backups.200.json')!.body as { data: Array<{ id: string; name: string }> };
		const jobs = all.find((e) => e.file === 'get-all-jobs.200.json')!.body as { data: Array<Record<string, unknown>>; pagination: Record<string, number> };
		// The jobs example is page 1 of 3 (limit 1): pages 2 and 3 as the server would send them.
		const more = (skip: number) => ({ data: [{ ...jobs.data[0], id: `ef1f0227-80e1-40f8-b2a2-5119172d2c3${skip + 6}`, name: `Backup Job ${skip + 2}` }], pagination: { total: 3, count: 1, skip, limit: 1 } });
		const { acl, sent } = client((req) => {
			if (req.path === '/api/v1/backups') return backups;
			const skip = Number(req.qs?.skip ?? 0);
			return skip === 0 ? jobs : more(skip);
		});
		const names = await acl.names();
		expect([...names.values()].filter((n) => n.type === 'backup')).toEqual(backups.data.map((b) => ({ type: 'backup', id: b.id, name: 'Oracle Backup' })));
		expect([...names.values()].filter((n) => n.type === 'backupJob').map((n) => n.name)).toEqual(['Backup Job 2', 'Backup Job 3', 'Backup Job 4']);
		expect(sent.filter((r) => r.path === '/api/v1/jobs').map((r) => r.qs?.skip)).toEqual([0, 1, 2]);
		// Read once per client.
		await acl.names('backup');
		expect(sent.filter((r) => r.path === '/api/v1/backups')).toHaveLength(1);
	});
});
