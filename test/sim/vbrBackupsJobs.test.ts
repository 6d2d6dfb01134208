/**
 * `GET /api/v1/backups` and `GET /api/v1/jobs` of the VBR simulator (sim/vbr/backupsJobs.ts): read-only,
 * over the ACL's seeded backups and jobs, every answer validated against the 1.3-rev2 subset
 * sim/spec/vbr-1.3-rev2.backups-jobs.openapi.json (copied from Veeam's spec, not edited).
 */
import type { AxiosInstance } from 'axios';

import { startSimulator, VBR_DEFAULT_PASSWORD, type SimServer } from '../../sim';
import { ACL_SEED } from '../../sim/vbr/acl';
import spec from '../../sim/spec/vbr-1.3-rev2.backups-jobs.openapi.json';
import { OpenApiContract } from '../support/contract';
import { simClient } from '../support/simClient';

const REV2 = '1.3-rev2';
const contract = new OpenApiContract('vbr-1.3-rev2.backups-jobs.openapi.json');
/** Checked by hand (see the jobs test): Veeam's own JobsResultExample does not validate against its schema. */
const jobsSpec = new OpenApiContract('vbr-1.3-rev2.backups-jobs.openapi.json');
let sim: SimServer;
const jobsExample = () => spec.components.examples.JobsResultExample.value as unknown as Record<string, unknown>;

/** A client whose answers are validated against the subset, except GET /jobs' (checked by hand below). */
async function as(user = 'VBR01\\svc-n8n', apiVersion = REV2, validated = true): Promise<AxiosInstance> {
	const res = await simClient(sim, { apiVersion }).post('/api/oauth2/token', new URLSearchParams({ grant_type: 'password', username: user, password: VBR_DEFAULT_PASSWORD }));
	expect(res.status).toBe(200);
	return simClient(sim, { apiVersion, token: (res.data as { access_token: string }).access_token, contracts: validated ? { [REV2]: contract } : undefined });
}

beforeAll(async () => {
	sim = await startSimulator({ product: 'vbr', vbr: { maxPageSize: 2 } });
});
afterAll(async () => {
	await sim.close();
	expect(contract.violations).toEqual([]);
	expect([...contract.served].sort()).toEqual(['GET /api/v1/backups']);
});
beforeEach(() => sim.reset());

describe('VBR simulator: backups and jobs (names of what the ACL lists)', () => {
	it('lists the seeded backups and jobs by name, paged (the limit clamped to the server page size)', async () => {
		const c = await as('VBR01\\svc-n8n', REV2, false);
		const all = async (path: string) => {
			const names: string[] = [];
			for (let skip = 0; ; ) {
				const res = await c.get(path, { params: { skip, limit: 100 } });
				expect(res.status).toBe(200);
				const body = res.data as { data: Array<{ id: string; name: string }>; pagination: { total: number; count: number } };
				expect(body.data.length).toBeLessThanOrEqual(2);
				names.push(...body.data.map((d) => `${d.id} ${d.name}`));
				skip += body.data.length;
				if (skip >= body.pagination.total) break;
			}
			return names.sort();
		};
		const seed = (kind: string) => ACL_SEED.filter((o) => o.kind === kind).map((o) => `${o.id} ${o.name}`).sort();
		expect(await all('/api/v1/backups')).toEqual(seed('backup'));
		expect(await all('/api/v1/jobs')).toEqual(seed('backupJob'));
	});

	it('GET /backups validates against the spec; each job has exactly the schema problems of Veeam’s own example job (none added)', async () => {
		expect((await (await as()).get('/api/v1/backups')).status).toBe(200);
		const example = jobsSpec.checkSchema('JobModel', (jobsExample().data as unknown[])[0]);
		// Veeam's JobsResultExample writes days in lower case ("saturday") where EDayOfWeek says "Saturday", nulls where strings are typed, …
		expect(example.length).toBeGreaterThan(0);
		const res = await (await as('VBR01\\svc-n8n', REV2, false)).get('/api/v1/jobs');
		const body = res.data as { data: Array<Record<string, unknown>>; pagination: unknown };
		expect(jobsSpec.checkSchema('JobsResult', { data: [], pagination: body.pagination })).toEqual([]);
		for (const job of body.data) {
			expect(jobsSpec.checkSchema('JobModel', job)).toEqual(example);
			expect(job).toMatchObject({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), name: expect.any(String), type: 'VSphereBackup', isDisabled: false });
		}
	});

	it('a backup names the job that created it (jobId) where the seed has one of its name; nameFilter as documented', async () => {
		const c = await as();
		const job = ACL_SEED.find((o) => o.kind === 'backupJob' && o.name === 'SQL Backup')!;
		const res = await c.get('/api/v1/backups', { params: { nameFilter: 'SQL*' } });
		expect((res.data as { data: Array<{ name: string; jobId?: string }> }).data).toEqual([expect.objectContaining({ name: 'SQL Backup', jobId: job.id })]);
		const orphan = await c.get('/api/v1/backups', { params: { nameFilter: 'File Server Backup' } });
		expect((orphan.data as { data: Array<Record<string, unknown>> }).data[0]).not.toHaveProperty('jobId');
		const byJob = await c.get('/api/v1/backups', { params: { jobIdFilter: job.id } });
		expect((byJob.data as { data: unknown[] }).data).toHaveLength(1);
	});

	it('filters it does not play are refused, never ignored; a Backup Viewer may read them; 1.3-rev1 has no route here', async () => {
		const c = await as();
		expect((await c.get('/api/v1/backups', { params: { createdAfterFilter: '2026-01-01T00:00:00Z' } })).status).toBe(400);
		expect((await c.get('/api/v1/jobs', { params: { orderColumn: 'Type' } })).status).toBe(400);
		const viewer = await as('VBR01\\viewer', REV2, false);
		expect((await viewer.get('/api/v1/jobs')).status).toBe(200);
		const rev1 = await as('VBR01\\svc-n8n', '1.3-rev1');
		expect((await rev1.get('/api/v1/backups')).status).toBe(404);
	});
});
