/**
 * JSON Patch (RFC 6902) bodies of `PATCH /users/{userUid}` and `PATCH /users/{userUid}/logins/{id}`:
 * an array of `{ op, path, value }` (the spec's `JsonPatches`; Veeam's examples write
 * `/profile/firstName`, `/Description`, `/ResourceFriendlyName`: paths are matched without regard
 * to case). A path that cannot change is refused with code 1001 and the operation that failed, as
 * the spec's `ErrorResponse` example shows ("The property at path 'mfaPolicyConfigurationStatus'
 * could not be updated."). Every operation is checked before any applies (all or nothing:
 * assumed). `move` and `copy` are refused (assumed: no writable pair of paths makes sense).
 */
import type { SimRequest } from '../core/http';
import { vspcBadRequest } from './errors';

export interface PatchOp {
	op: string;
	/** Lower-case, without the leading slash, `/` → `.` (`profile.firstname`). */
	path: string;
	value: unknown;
	raw: Record<string, unknown>;
}

/** The body as patch operations, or 400. */
export function patchBody(req: SimRequest): PatchOp[] {
	const type = String(req.headers['content-type'] ?? '').toLowerCase();
	if (!type.includes('json')) throw vspcBadRequest('The request body must be application/json.');
	let parsed: unknown;
	try {
		parsed = JSON.parse(req.rawBody.toString('utf8'));
	} catch {
		throw vspcBadRequest('The request body is not valid JSON.');
	}
	if (!Array.isArray(parsed) || parsed.length === 0) throw vspcBadRequest('The request body must be a non-empty array of JSON Patch operations.');
	return parsed.map((raw) => {
		if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw vspcBadRequest('Each JSON Patch operation must be an object.');
		const o = raw as Record<string, unknown>;
		if (typeof o.op !== 'string' || !['add', 'replace', 'test', 'remove', 'move', 'copy'].includes(o.op)) {
			throw vspcBadRequest(`The JSON Patch operation ${JSON.stringify(o.op)} is not supported.`, { failedJsonPatch: o });
		}
		if (typeof o.path !== 'string' || o.path === '') throw vspcBadRequest('Each JSON Patch operation needs a path.', { failedJsonPatch: o });
		if (o.op === 'move' || o.op === 'copy') throw refused(o);
		const path = o.path.replace(/^\//, '').split('/').join('.').toLowerCase();
		return { op: o.op, path, value: o.value, raw: o };
	});
}

export function refused(raw: Record<string, unknown>): Error {
	const path = String(raw.path ?? '').replace(/^\//, '');
	return vspcBadRequest(`The property at path '${path}' could not be updated.`, { code: 1001, failedJsonPatch: raw });
}

export function invalidValue(raw: Record<string, unknown>, why: string): Error {
	return vspcBadRequest(`The value at path '${String(raw.path ?? '').replace(/^\//, '')}' is not valid: ${why}`, {
		code: 1001,
		failedJsonPatch: raw,
		propertyName: String(raw.path ?? '').replace(/^\//, ''),
	});
}
