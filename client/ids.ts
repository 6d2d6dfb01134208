/** Veeam's IDs: UUIDs (VBR users and roles, VBGC roles, Azure users, Entra objects, authorization events). */

/** For the editor's regex validation, which takes a pattern as text. */
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/** Whether `value` is a UUID (either case). */
export function isUuid(value: string): boolean {
	return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
