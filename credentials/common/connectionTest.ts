import type { ICredentialTestRequest } from 'n8n-workflow';

/**
 * The credential test: list one user, the cheapest call that needs the role every user operation
 * needs (VBR Backup Administrator, VBGC Portal Administrator; on VBR API 1.3-rev2 the role list is
 * open to operators too, so it would not tell).
 *
 * n8n's editor shows its own "Forbidden - perhaps check your credentials?" for a 403 whatever a
 * `responseCode` rule says on n8n 1.x, which keeps no response on its error. So the request takes
 * every status as an answer, and the rules read Veeam's answer itself, the same on both majors:
 * Veeam's `AccessDenied` says which role is missing; anything that is not a user list (another
 * error, a proxy's page, a wrong address) fails the test too. The login runs before, in the
 * credential's preAuthentication, with its own messages (password, TLS, API version).
 */
export function userListTest(
	path: string,
	productName: string,
	role: string,
	/** A key every user-list answer of the product has (`pagination` on VBR and VBGC, `totalCount` on AWS and Azure). */
	listKey = 'pagination',
	qs: Record<string, number> = { limit: 1 },
	/** For products with the version in the path: what a NotFound answer to the user list means. */
	notFoundMessage?: string,
	/**
	 * VBR: its `AccessDenied` comes with 401 (no valid token) and with 403 (no role), and the rules read
	 * only the body; Veeam's reference words the two apart (1.3-rev2 ErrorAccessDeniedUnauthorizedExample
	 * "Unauthorized. Get bearer JWT token at /api/login", ErrorAccessDeniedForbiddenExample "Forbidden").
	 * Only the 403's words mean a missing role; other words name both causes.
	 */
	accessDeniedWords?: { unauthorized: string; forbidden: string },
): ICredentialTestRequest {
	const missingRole = `The account logs in, but lacks the ${role} role that the Veeam node needs to manage users. Give it that role in ${productName}, or use an account that has it.`;
	const denied = accessDeniedWords
		? [
				{
					type: 'responseSuccessBody' as const,
					properties: {
						key: 'message',
						value: accessDeniedWords.unauthorized,
						message: `The account logs in, but ${productName} did not accept the token it got for the next request (401 AccessDenied): not a role problem. Check that the Server URL reaches one server (not a balancer over several) and try again.`,
					},
				},
				{ type: 'responseSuccessBody' as const, properties: { key: 'message', value: accessDeniedWords.forbidden, message: missingRole } },
				{
					type: 'responseSuccessBody' as const,
					properties: {
						key: 'errorCode',
						value: 'AccessDenied',
						message: `${productName} refused the user list (AccessDenied): the account lacks the ${role} role the Veeam node needs (a 403), or the server did not accept the login's token (a 401). Give the account that role, or use one that has it.`,
					},
				},
			]
		: [{ type: 'responseSuccessBody' as const, properties: { key: 'errorCode', value: 'AccessDenied', message: missingRole } }];

	return {
		request: {
			baseURL: '={{$credentials.url}}',
			url: path,
			qs,
			ignoreHttpStatusErrors: true,
		},
		rules: [
			...denied,
			...(notFoundMessage
				? [{ type: 'responseSuccessBody' as const, properties: { key: 'errorCode', value: 'NotFound', message: notFoundMessage } }]
				: []),
			{
				type: 'responseSuccessBody',
				properties: {
					key: listKey,
					value: undefined,
					message: `The server logged the account in but did not answer the user list as ${productName} does: check the Server URL (the server itself, not a proxy or another service).`,
				},
			},
		],
	};
}
