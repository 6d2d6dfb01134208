/**
 * `GET /api/v1/backups` (Get All Backups) and `GET /api/v1/jobs` (Get All Jobs) of VBR 13.1, read-only,
 * over the backups and jobs the ACL is seeded with (acl.ts `ACL_SEED`): what the package reads to name
 * the objects an ACL record names by ID only. Spec: sim/spec/vbr-1.3-rev2.backups-jobs.openapi.json
 * (copied from Cenvora/veeam-br@71646c3 `openapi_schemas/vbr_rest_1.3-rev2.json`; pages
 * https://helpcenter.veeam.com/references/vbr/13/rest/1.3-rev2/tag/Backups#operation/GetAllBackups and
 * …/tag/Jobs#operation/GetAllJobs).
 *
 * Each answer is Veeam's own example entry (`BackupsResultExample`, `JobsResultExample`) with the seed's
 * ID and name (and a backup's `jobId`): every job is the example's vSphere backup job, every backup the
 * example's VMware backup (**assumed**: the simulator has no inventory to build other kinds from).
 */
import { badRequest, boolParam, intParam, type SimRequest, type SimResponse } from '../core/http';
import spec from '../spec/vbr-1.3-rev2.backups-jobs.openapi.json';
import type { AclObject } from './acl';
import { compareNames, documentedNameMatcher, enumParam, ok, UUID } from './model';

type Json = Record<string, unknown>;

const BACKUP_EXAMPLE = spec.components.examples.BackupsResultExample.value.data[0] as Json;
const JOB_EXAMPLE = spec.components.examples.JobsResultExample.value.data[0] as Json;

/** `EBackupsFiltersOrderColumn`, `EJobFiltersOrderColumn`: only `Name` is simulated. */
const BACKUP_ORDER = ['Name', 'CreationTime', 'PlatformId', 'JobId', 'PolicyTag'] as const;
const JOB_ORDER = ['Name', 'Type', 'Description'] as const;
/** Filters of the spec the simulator does not play: refused (400), never silently ignored (a simulator limit, not Veeam's answer). */
const BACKUP_FILTERS_NOT_SIMULATED = ['createdAfterFilter', 'createdBeforeFilter', 'platformIdFilter', 'policyUniqueIdFilter', 'jobTypeFilter'];

export function listBackups(req: SimRequest, objects: readonly AclObject[], maxPageSize: number): SimResponse {
	const q = req.query;
	const order = enumParam(q, 'orderColumn', BACKUP_ORDER);
	if (order && order !== 'Name') throw badRequest(`The simulator orders backups by Name only (asked ${order}).`);
	for (const f of BACKUP_FILTERS_NOT_SIMULATED) if (q.get(f) !== null) throw badRequest(`The simulator does not play ${f}.`);
	const jobIdFilter = q.get('jobIdFilter');
	if (jobIdFilter !== null && !UUID.test(jobIdFilter)) throw badRequest('The jobIdFilter parameter must be a UUID.');
	const jobs = objects.filter((o) => o.kind === 'backupJob');
	const backups = objects
		.filter((o) => o.kind === 'backup')
		.map((o) => {
			// "ID of the job that created the backup.": the seed's job of the same name, if any.
			const job = jobs.find((j) => j.name.toLowerCase() === o.name.toLowerCase());
			const backup: Json = { ...BACKUP_EXAMPLE, id: o.id, name: o.name, jobId: job?.id };
			if (!job) delete backup.jobId;
			return backup;
		})
		.filter((b) => jobIdFilter === null || String(b.jobId ?? '').toLowerCase() === jobIdFilter.toLowerCase());
	return page(req, named(q, backups), maxPageSize);
}

export function listJobs(req: SimRequest, objects: readonly AclObject[], maxPageSize: number): SimResponse {
	const q = req.query;
	const order = enumParam(q, 'orderColumn', JOB_ORDER);
	if (order && order !== 'Name') throw badRequest(`The simulator orders jobs by Name only (asked ${order}).`);
	const typeFilter = q.get('typeFilter');
	const jobs = objects
		.filter((o) => o.kind === 'backupJob')
		.map((o) => ({ ...structuredClone(JOB_EXAMPLE), id: o.id, name: o.name }) as Json)
		.filter((j) => typeFilter === null || String(j.type).toLowerCase() === typeFilter.toLowerCase());
	return page(req, named(q, jobs), maxPageSize);
}

/** `nameFilter` as documented (a whole name, or `*` at the start, the end or both), sorted by name. */
function named(q: URLSearchParams, list: Json[]): Json[] {
	const nameFilter = q.get('nameFilter');
	const match = nameFilter ? documentedNameMatcher(nameFilter) : undefined;
	const sorted = list.filter((o) => !match || match(String(o.name))).sort((a, b) => compareNames(String(a.name), String(b.name)) || String(a.id).localeCompare(String(b.id)));
	return boolParam(q, 'orderAsc') === false ? sorted.reverse() : sorted;
}

function page(req: SimRequest, list: Json[], maxPageSize: number): SimResponse {
	const skip = intParam(req.query, 'skip', 0, 0);
	const limit = Math.min(intParam(req.query, 'limit', 200, 1), maxPageSize);
	const data = list.slice(skip, skip + limit);
	return ok({ data, pagination: { total: list.length, count: data.length, skip, limit } });
}
