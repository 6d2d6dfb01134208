/**
 * The checks a declared custom role passes before anything is sent, and the comparison of a
 * declared role with the server's (client/adapters/customRoleSpec.ts; Veeam's `CustomRoleSpec`,
 * sim/contracts/vbr-access-control.md "The scopes", lead's decision 8).
 */
import { customRoleProblems, describeProblems, roleChanges, toCustomRoleSpec, type CustomRoleSpec } from '../../../../../client/adapters/customRoleSpec';

const REPO = '3f2a8c14-9e7b-4d52-a1c6-0b9d4e8f1a23';
const JOB = 'c7e1d2a4-5b6f-4c3d-8e9f-0a1b2c3d4e5f';
const BACKUP = 'd8f2e3b5-6c7a-4d4e-9f0a-1b2c3d4e5f60';
const base = { name: 'Auditors', manageBackups: false, manageRestores: true };
const fields = (v: unknown) => customRoleProblems(v).map((p) => p.field);

describe('customRoleProblems', () => {
	it('accepts a minimal role and a role with every scope of the first version', () => {
		expect(customRoleProblems(base)).toEqual([]);
		const full = {
			...base,
			description: 'x',
			inventoryScope: { entireInventory: false, workloads: [{ type: 'Jobs', jobs: [{ jobId: JOB }] }, { type: 'Backups', backups: [{ backupId: BACKUP, type: 'Snapshot' }] }] },
			repositoryScope: { allRepositories: false, repositories: [{ repositoryId: REPO, repositoryName: 'Main' }] },
			restorePermissionsScope: { restoreBackupScope: { entireBackupScope: false }, restoreOptions: { allOptions: false, restoreOptions: [{ code: 0, name: 'FileLevelRestore' }] } },
			restoreTargetScope: { entireBackupScope: false, restoreTargets: { originalLocation: true } },
		};
		expect(customRoleProblems(full)).toEqual([]);
	});

	it('names each field that breaks a rule', () => {
		expect(fields('x')).toEqual(['role']);
		expect(fields({ name: ' ', manageBackups: 'yes' })).toEqual(['name', 'manageBackups', 'manageRestores']);
		expect(fields({ ...base, manageBackup: true })).toEqual(['manageBackup']);
		expect(fields({ ...base, isBuiltIn: true })).toEqual(['isBuiltIn']);
		expect(fields({ ...base, inventoryScope: { entireInventory: false } })).toEqual(['inventoryScope.workloads']);
		expect(fields({ ...base, repositoryScope: { allRepositories: false } })).toEqual(['repositoryScope.repositories']);
		expect(fields({ ...base, repositoryScope: { repositories: [{ repositoryId: 'Main' }] } })).toEqual([
			'repositoryScope.allRepositories',
			'repositoryScope.repositories[0].repositoryId',
		]);
		expect(fields({ ...base, restorePermissionsScope: { restoreOptions: { allOptions: false } } })).toEqual([
			'restorePermissionsScope.restoreBackupScope',
			'restorePermissionsScope.restoreOptions.restoreOptions',
		]);
		expect(fields({ ...base, restorePermissionsScope: { restoreBackupScope: { entireBackupScope: true }, restoreOptions: { allOptions: false, restoreOptions: [{ code: '0' }] } } })).toEqual([
			'restorePermissionsScope.restoreOptions.restoreOptions[0].code',
			'restorePermissionsScope.restoreOptions.restoreOptions[0].name',
		]);
		expect(fields({ ...base, restoreTargetScope: { restoreTargets: { originalLocation: false } } })).toEqual([
			'restoreTargetScope.entireBackupScope',
			'restoreTargetScope.restoreTargets.workloads',
		]);
		expect(fields({ ...base, inventoryScope: { entireInventory: false, workloads: [{ type: 'VMs' }, { type: 'Backups' }, { type: 'Jobs', jobs: [{ jobName: 'x' }] }] } })).toEqual([
			'inventoryScope.workloads[0].type',
			'inventoryScope.workloads[1].backups',
			'inventoryScope.workloads[2].jobs[0].jobId',
		]);
		expect(describeProblems(customRoleProblems({ ...base, repositoryScope: { allRepositories: false } }))).toBe(
			'repositoryScope.repositories is required if allRepositories is false',
		);
	});

	it('passes other workload types through as given', () => {
		const vsphere = { type: 'VSphere', inventoryObjects: [{ platform: 'VSphere', name: 'web-srv-01', objectId: 'vm-1023' }] };
		expect(customRoleProblems({ ...base, inventoryScope: { entireInventory: false, workloads: [vsphere] } })).toEqual([]);
	});
});

describe('roleChanges', () => {
	const actual: CustomRoleSpec = {
		...base,
		description: 'Created by TECH\\admin',
		repositoryScope: { allRepositories: false, repositories: [{ repositoryId: REPO.toUpperCase(), repositoryName: 'Main' }, { repositoryId: JOB }] },
		restorePermissionsScope: { restoreBackupScope: { entireBackupScope: true }, restoreOptions: { allOptions: false, restoreOptions: [{ code: 1, name: 'VolumeRestore', group: 'Restore' }] } },
	};

	it('nothing when the declared fields match (IDs without case, lists as sets, echo names ignored, undeclared scopes and description skipped)', () => {
		const declared: CustomRoleSpec = {
			...base,
			repositoryScope: { allRepositories: false, repositories: [{ repositoryId: JOB }, { repositoryId: REPO }] },
			restorePermissionsScope: { restoreBackupScope: { entireBackupScope: true }, restoreOptions: { allOptions: false, restoreOptions: [{ code: 1, name: 'Volume' }] } },
		};
		expect(roleChanges(declared, actual)).toEqual([]);
		expect(roleChanges(base, actual)).toEqual([]);
	});

	it('each differing field by its path', () => {
		expect(roleChanges({ ...base, name: 'auditors', description: '', manageBackups: true }, actual)).toEqual(['name', 'description', 'manageBackups']);
		expect(roleChanges({ ...base, repositoryScope: { allRepositories: false, repositories: [{ repositoryId: REPO }] } }, actual)).toEqual(['repositoryScope.repositories']);
		expect(roleChanges({ ...base, repositoryScope: { allRepositories: true } }, actual)).toEqual(['repositoryScope.allRepositories', 'repositoryScope.repositories']);
		expect(roleChanges({ ...base, inventoryScope: { entireInventory: true } }, actual)).toEqual(['inventoryScope']);
		expect(
			roleChanges({ ...base, restorePermissionsScope: { restoreBackupScope: { entireBackupScope: false }, restoreOptions: { allOptions: true } } }, actual),
		).toEqual(['restorePermissionsScope.restoreBackupScope.entireBackupScope', 'restorePermissionsScope.restoreOptions.allOptions', 'restorePermissionsScope.restoreOptions.restoreOptions']);
	});
});

describe('toCustomRoleSpec', () => {
	it('copies scopes that are Proxies (a Code node\'s output on n8n 1.x), which structuredClone refuses; drops an exported id', () => {
		const scope = new Proxy({ allRepositories: false, repositories: [{ repositoryId: REPO }] }, {});
		const spec = toCustomRoleSpec({ id: REPO, ...base, repositoryScope: scope });
		expect(spec).toEqual({ ...base, repositoryScope: { allRepositories: false, repositories: [{ repositoryId: REPO }] } });
		expect(spec.repositoryScope).not.toBe(scope);
	});
});
