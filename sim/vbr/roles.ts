/**
 * VBR 13's seven built-in roles. Three ids are the ones Veeam's published examples use; the
 * others are fixed here so that tests and workflows can refer to them by id as well as by name.
 */
export interface VbrRole {
	id: string;
	name: string;
	description: string;
	isBuiltIn: boolean;
	permissions: string[];
}

export const BACKUP_ADMINISTRATOR = 'Backup Administrator';
export const SECURITY_ADMINISTRATOR = 'Security Administrator';

export const BUILT_IN_ROLES: readonly VbrRole[] = [
	{
		id: '5ff0e0eb-45cf-48cc-9677-7613fc79bc11',
		name: BACKUP_ADMINISTRATOR,
		description: 'Built-in role with full privileges',
		isBuiltIn: true,
		permissions: ['ViewUsersSettings', 'CreateUser', 'UpdateUser', 'DeleteUser', 'ResetUserMfa', 'ManageJobs', 'StartRestore'],
	},
	{
		id: '3835e9df-cf3e-43e9-8e82-817798b1aee0',
		name: SECURITY_ADMINISTRATOR,
		description: 'Built-in role for credentials management, compliance checks and four-eyes approvals',
		isBuiltIn: true,
		permissions: ['ViewUsersSettings', 'ApproveRequests', 'ManageSecuritySettings'],
	},
	{
		id: 'b167c3af-2262-4b6c-9861-0606fc0cb6b1',
		name: 'Restore Operator',
		description: 'Built-in role for performing restore operations from any backups and replicas',
		isBuiltIn: true,
		permissions: ['ViewBackups', 'StartRestore'],
	},
	{
		id: 'a4e7c0a3-5b0f-4a5e-9f7a-2c6f0f3e8b21',
		name: 'Backup Operator',
		description: 'Built-in role for starting and stopping existing jobs',
		isBuiltIn: true,
		permissions: ['ViewJobs', 'StartJob', 'StopJob'],
	},
	{
		id: '0d3f6c2e-8a41-4c7b-b2e5-91f4a7d6c305',
		name: 'Backup Viewer',
		description: 'Built-in role with read-only access',
		isBuiltIn: true,
		permissions: ['ViewJobs', 'ViewBackups'],
	},
	{
		id: 'e71bb27e-bd16-47b6-8b1c-98ef2d7a996e',
		name: 'Incident API Operator',
		description: 'Built-in role for reporting malware events through the REST API',
		isBuiltIn: true,
		permissions: [
			'UpdateConsoleClient',
			'CreateSuspiciousActivityEvent',
			'ViewYaraRules',
			'GetConsoleUpdateMetadata',
			'DownloadConsoleComponents',
			'StartMalwareBackupScan',
			'UpdateRansomwareDetectionEvent',
			'ViewSuspiciousActivityEvents',
		],
	},
	{
		id: '9c1b5e48-2f6d-4d0a-8e37-b6a2c4f1d978',
		name: 'Tape Operator',
		description: 'Built-in role for managing tape libraries and tape jobs',
		isBuiltIn: true,
		permissions: ['ViewTapes', 'ManageTapes'],
	},
];
