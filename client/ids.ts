/**
 * Veeam's IDs: UUIDs (VBR users and roles, VBGC roles, Entra objects, authorization events); Azure's
 * user IDs are opaque strings (Veeam's examples: `1003`, `1423`).
 */

/** For the editor's regex validation, which takes a pattern as text. */
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** Whether `value` is a UUID (either case). */
export function isUuid(value: string): boolean {
	return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/**
 * For the editor: an Azure user ID, an opaque string: something besides white space, no control
 * characters, not `.` or `..` (what client/adapters/azure.ts refProblem refuses as well).
 */
export const AZURE_USER_ID_PATTERN = '^(?!\\.{1,2}$)(?=[\\s\\S]*\\S)[^\\u0000-\\u001f\\u007f-\\u009f]+$';
