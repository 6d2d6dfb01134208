/**
 * Veeam's IDs: UUIDs (VBR users and roles, VBGC roles, Entra objects, authorization events); Azure's
 * user IDs are opaque strings (Veeam's examples: `1003`, `1423`).
 */

/** For the editor's regex validation, which takes a pattern as text. */
export const UUID_PATTERN = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/**
 * Whether `value` is a UUID (either case): 36 characters, hex digits with dashes at 8, 13, 18 and
 * 23, as the pattern above says. Checked character by character, not by a regular expression: the
 * trigger checks every user and login of a provider's server (100,000 a poll), where the regex was a
 * measurable share of the poll's CPU.
 */
export function isUuid(value: string): boolean {
	if (typeof value !== 'string' || value.length !== 36) return false;
	for (let i = 0; i < 36; i++) {
		const c = value.charCodeAt(i);
		if (i === 8 || i === 13 || i === 18 || i === 23) {
			if (c !== 0x2d) return false;
		} else if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46))) return false;
	}
	return true;
}

/**
 * For the editor: an Azure user ID, an opaque string: something besides white space, no control
 * characters, not `.` or `..` (what client/adapters/azure.ts refProblem refuses as well).
 */
export const AZURE_USER_ID_PATTERN = '^(?!\\.{1,2}$)(?=[\\s\\S]*\\S)[^\\u0000-\\u001f\\u007f-\\u009f]+$';
