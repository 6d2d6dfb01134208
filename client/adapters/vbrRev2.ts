/**
 * The one gate of VBR's REST API 1.3-rev2 (VBR 13.1) for the operations that came with it: custom
 * roles and the access control lists of backups and jobs. A credential pinned to an older version
 * is refused before anything is sent. Under "Automatic" the version kept with the token (or found
 * in this execution) is checked; before the credential's first login none is known, so the request
 * goes out and is checked again against the version that login found.
 */
import type { NodeOperationError } from 'n8n-workflow';

import { isAutomatic } from '../login/versions';
import { CREDENTIAL_TYPE, effectiveApiVersion, type RequestGroup, type VeeamContext } from '../transport';
import { servesAcl as servesRev2 } from './vbrAclRecord';

export interface Rev2Gate {
	ctx: VeeamContext;
	group: RequestGroup;
	/** The error naming what needs 1.3-rev2, for a server speaking `version`. */
	needsRev2(version: string): NodeOperationError;
}

/** The version requests of this execution go out with, and whether the credential chose Automatic. */
export async function vbrApiVersionNow(gate: Rev2Gate): Promise<{ version: string; automatic: boolean }> {
	const credentials = await gate.ctx.getCredentials(CREDENTIAL_TYPE.vbr);
	return { version: effectiveApiVersion(credentials, 'vbr', gate.group.apiVersion), automatic: isAutomatic(credentials) };
}

/** Refused when the version known now is older than 1.3-rev2. */
export async function checkRev2(gate: Rev2Gate): Promise<void> {
	const { version } = await vbrApiVersionNow(gate);
	if (!servesRev2(version)) throw gate.needsRev2(version);
}

/**
 * `send`, gated. Under Automatic the version is checked again after a failure (a 1.3-rev1-only
 * server answers these paths 404, having done nothing) and, with `recheck: 'always'`, after an
 * answer too (a 1.3-rev1 role list ignores isBuiltInFilter: its answer is not taken for a rev2 one).
 */
export async function underRev2<T>(gate: Rev2Gate, send: () => Promise<T>, recheck: 'always' | 'afterFailure'): Promise<T> {
	const before = await vbrApiVersionNow(gate);
	if (!servesRev2(before.version)) throw gate.needsRev2(before.version);
	const outcome = await send().then(
		(value) => ({ value }),
		(error: unknown) => ({ error }),
	);
	if (before.automatic && (recheck === 'always' || 'error' in outcome)) await checkRev2(gate);
	if ('value' in outcome) return outcome.value;
	throw outcome.error;
}
