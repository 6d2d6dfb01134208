/**
 * Veeam Backup for Google Cloud's three built-in user roles. Veeam publishes no role ids for VBGC:
 * the UUIDs below are fixed by the simulator so that tests and workflows can refer to a role by id
 * as well as by name. The descriptions paraphrase the VBGC user guide.
 */
export interface VbgcRole {
	id: string;
	name: string;
	description: string;
}

export const PORTAL_ADMINISTRATOR = 'Portal Administrator';
export const PORTAL_OPERATOR = 'Portal Operator';
export const RESTORE_OPERATOR = 'Restore Operator';

export const VBGC_ROLES: readonly VbgcRole[] = [
	{
		id: '3aa715c3-17b3-45b8-9e0b-c61743bf84d1',
		name: PORTAL_ADMINISTRATOR,
		description: 'Can perform all administrative activities, including user, repository and policy management',
	},
	{
		id: '0adb5f78-6593-4189-9383-95fe820a2647',
		name: PORTAL_OPERATOR,
		description: 'Can manage backup policies and perform backup and restore operations',
	},
	{
		id: 'c082aeb7-6c99-4fcc-afaf-360573eff45c',
		name: RESTORE_OPERATOR,
		description: 'Can perform restore operations using existing restore points',
	},
];

/** Most privileged first: the order used to pick the `roleName` of a token answer. */
export const ROLE_PRIORITY: readonly string[] = [PORTAL_ADMINISTRATOR, PORTAL_OPERATOR, RESTORE_OPERATOR];
