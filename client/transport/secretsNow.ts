/**
 * The secrets an error must be scrubbed of when it is made: those read with its request, the
 * credential's as they are now, and every one the execution's other requests have read (its
 * RequestGroup). A request that waited for another's login was sent with a token stored after it
 * read the credential; an error echoing that token must not show it (found by the hostile VSPC
 * suite once the trigger's first pages went out together, and by review of the async path).
 */
import { credentialSecrets } from '../login/index';
import { CREDENTIAL_TYPE, type Product } from '../products';
import type { VeeamContext, VeeamRequest } from './types';

/** Records the secrets a request read with the execution's others (they are scrubbed from every error of it). */
export function shareSecrets(req: VeeamRequest, secrets: readonly string[]): void {
	if (req.group) for (const secret of secrets) req.group.secrets.add(secret);
}

export async function secretsNow(ctx: VeeamContext, product: Product, req: VeeamRequest, secrets: readonly string[]): Promise<string[]> {
	const all = new Set(secrets);
	try {
		for (const secret of credentialSecrets(await ctx.getCredentials(CREDENTIAL_TYPE[product], req.itemIndex ?? 0))) all.add(secret);
	} catch {
		// The credential cannot be read again: the secrets known so far are the ones scrubbed.
	}
	shareSecrets(req, [...all]);
	if (req.group) for (const secret of req.group.secrets) all.add(secret);
	return [...all];
}
