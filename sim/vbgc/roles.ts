/**
 * Veeam Backup for Google Cloud's three built-in user roles. Veeam publishes no role ids for VBGC:
 * the UUIDs below are fixed by the simulator so that tests and workflows can refer to a role by id
 * as well as by name. The descriptions are the user guide's words for each role
 * (https://helpcenter.veeam.com/docs/vbgc/guide/managing_permissions.html, "Managing User Accounts");
 * that the API's role model carries them as `description` is assumed (the reference prints `roles` collapsed).
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
		description: 'Can perform all configuration actions, can manage user roles, and can also act as a Portal Operator and Restore Operator.',
	},
	{
		id: '0adb5f78-6593-4189-9383-95fe820a2647',
		name: PORTAL_OPERATOR,
		description: 'Can create, edit and start backup policies, manage the protected data, perform all restore operations and view session statistics.',
	},
	{
		id: 'c082aeb7-6c99-4fcc-afaf-360573eff45c',
		name: RESTORE_OPERATOR,
		description: 'Can only perform restore operations and view session statistics.',
	},
];

/** Most privileged first: the order used to pick the `roleName` of a token answer. */
export const ROLE_PRIORITY: readonly string[] = [PORTAL_ADMINISTRATOR, PORTAL_OPERATOR, RESTORE_OPERATOR];
