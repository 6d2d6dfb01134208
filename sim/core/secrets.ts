import type { SimRequest } from './http';

export type SecretKind = 'password' | 'accessToken' | 'refreshToken' | 'mfaLoginToken' | 'mfaSecret' | 'scratchCode' | 'mfaSetupToken';

/** Request fields that carry a secret (form or JSON), and answer fields that hand one out. */
const REQUEST_FIELDS: Record<string, SecretKind> = {
	password: 'password',
	newPassword: 'password',
	oldPassword: 'password',
	refresh_token: 'refreshToken',
	mfa_token: 'mfaLoginToken',
};
/**
 * The same, by lower-case name: ASP.NET Core (behind Veeam Backup for AWS and for Microsoft Azure)
 * binds form and JSON fields without regard to case, so `Password` is a password too.
 */
const REQUEST_FIELDS_BY_LOWER_NAME = new Map<string, SecretKind>(Object.entries(REQUEST_FIELDS).map(([k, v]) => [k.toLowerCase(), v]));
const requestField = (key: string): SecretKind | undefined => REQUEST_FIELDS_BY_LOWER_NAME.get(key.toLowerCase());
const RESPONSE_FIELDS: Record<string, SecretKind> = {
	access_token: 'accessToken',
	refresh_token: 'refreshToken',
	mfa_token: 'mfaLoginToken',
	secretKey: 'mfaSecret',
	token: 'mfaSetupToken',
};

/**
 * Every secret the server has seen in a request or handed out in an answer (passwords, tokens,
 * MFA secrets, scratch codes), append-only across resets. For tests that scan what a client
 * produced (outputs, errors, logs) for leaks: the server knows what was secret, the client's
 * tests need not list it.
 */
export class SecretLedger {
	readonly seen = new Map<string, SecretKind>();

	add(value: unknown, kind: SecretKind): void {
		if (typeof value === 'string' && value !== '' && !this.seen.has(value)) this.seen.set(value, kind);
	}

	fromRequest(req: SimRequest): void {
		const text = req.rawBody.toString('utf8');
		if (text === '') return;
		const type = String(req.headers['content-type'] ?? '');
		if (type.includes('application/x-www-form-urlencoded')) {
			for (const [key, value] of new URLSearchParams(text)) {
				const kind = requestField(key);
				if (kind) this.add(value, kind);
			}
			return;
		}
		try {
			const body = JSON.parse(text) as unknown;
			if (body && typeof body === 'object') {
				for (const [key, value] of Object.entries(body)) {
					const kind = requestField(key);
					if (kind) this.add(value, kind);
				}
				// mfaAccepted: the set-up token comes back in a request.
				if (typeof (body as { code?: unknown }).code === 'string') this.add((body as { token?: unknown }).token, 'mfaSetupToken');
			}
		} catch {
			// not JSON: nothing to record
		}
	}

	fromResponse(body: unknown): void {
		if (!body || typeof body !== 'object') return;
		const node = ((body as { response?: unknown }).response ?? body) as Record<string, unknown>;
		if (!node || typeof node !== 'object') return;
		for (const [key, kind] of Object.entries(RESPONSE_FIELDS)) this.add(node[key], kind);
		if (Array.isArray(node.scratchCodes)) for (const code of node.scratchCodes) this.add(code, 'scratchCode');
		if (typeof node.qrString === 'string') this.add(/[?&]secret=([A-Z2-7]+)/i.exec(node.qrString)?.[1], 'mfaSecret');
	}
}
